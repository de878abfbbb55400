#!/bin/bash
# The programs Go code runs by a constant name: exec.Command("tool-a"),
# exec.LookPath("tool-b") then a CommandContext of its result,
# exec.CommandContext(ctx, "/usr/bin/tool-c"), syscall.Exec("/usr/bin/tool-d")
# in a child, exec.Command(toolE) with toolE a package variable (the data
# flow reads its initial string: no code stores to it).  A Go binary
# imports nothing and holds its strings without NULs, so no scan of its
# data finds those names: the summary notes the constant string each call
# of os/exec.Command (and the like) is given (analysis/objsum.c,
# go_exec_call).  A Go program built here runs in a
# chroot under strace; every program it runs must be in the set (origin
# "run by ... (Go code ...)") and every call in the profile (the build
# before has the Go program only: syncfs, personality, readahead and
# fremovexattr denied).  A name the program only prints (tool-n) and a
# name it computes (tool-x, from its arguments) are not in the set.
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"
command -v jq >/dev/null || skip "no jq"
command -v go >/dev/null || fail "no go (scripts/setup.sh installs golang-go)"
R=$T/root
chroot_root "$R"
root_add_tool "$R" tool-a 'personality(0xffffffff)'
root_add_tool "$R" tool-b 'syncfs(fd)'
root_add_tool "$R" tool-c 'readahead(fd, 0, 4096)'
root_add_tool "$R" tool-d 'fremovexattr(fd, "user.x")'
root_add_tool "$R" tool-e 'unshare(0)'
root_add_tool "$R" tool-n 'syncfs(fd); personality(0xffffffff); readahead(fd, 0, 4096)'
root_add_tool "$R" tool-x 'syncfs(fd)'
mkdir -p "$T/src" "$R/app"
cat >"$T/src/main.go" <<'GO'
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// A package variable: its string is the initial value the file holds.
var toolE = "tool-e"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		// Replaces the child process: tool-d runs instead.
		err := syscall.Exec("/usr/bin/tool-d", []string{"tool-d"}, os.Environ())
		fmt.Println("exec:", err)
		os.Exit(1)
	}
	fmt.Println("tool-n is only printed")
	if err := exec.Command("tool-a", "x").Run(); err != nil {
		fmt.Println("tool-a:", err)
		os.Exit(1)
	}
	p, err := exec.LookPath("tool-b")
	if err == nil {
		err = exec.CommandContext(context.Background(), p, "-q").Run()
	}
	if err != nil {
		fmt.Println("tool-b:", err)
		os.Exit(1)
	}
	if err := exec.CommandContext(context.Background(), "/usr/bin/tool-c", "-v").Run(); err != nil {
		fmt.Println("tool-c:", err)
		os.Exit(1)
	}
	if err := exec.Command(os.Args[0], "child").Run(); err != nil {
		fmt.Println("tool-d:", err)
		os.Exit(1)
	}
	if err := exec.Command(toolE).Run(); err != nil {
		fmt.Println("tool-e:", err)
		os.Exit(1)
	}
	if len(os.Args) > 2 {
		_ = exec.Command(os.Args[2]).Run()
	}
	fmt.Println("done")
}
GO
printf 'module goexec\n\ngo 1.19\n' >"$T/src/go.mod"
(cd "$T/src" && CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY=off go build -o "$R/app/goexec" .) >"$T/build.log" 2>&1 ||
	fail "cannot build the Go program: $(cat "$T/build.log")"

strace -f -qq -o "$T/trace" env -i PATH=/usr/bin:/bin "$(command -v chroot)" "$R" /app/goexec >"$T/out" 2>&1 ||
	fail "the Go program failed: $(cat "$T/out")"
grep -qx done "$T/out" || fail "the Go program did not finish: $(cat "$T/out")"
executed_in_root "$T/trace" "$R" >"$T/executed"
for p in /usr/bin/tool-a /usr/bin/tool-b /usr/bin/tool-c /usr/bin/tool-d /usr/bin/tool-e; do
	grep -qx "$p" "$T/executed" || fail "the Go program did not execute $p: $(tr '\n' ' ' <"$T/executed")"
done
trace_calls "$T/trace" /app/goexec >"$T/observed"
for c in personality syncfs readahead fremovexattr unshare; do
	grep -qx "$c" "$T/observed" || fail "the tools made no $c under strace"
done
OPTS="--entrypoint /app/goexec -e PATH=/usr/bin:/bin"
profile_covers "$R" "$OPTS"
"$CONFINE" explain --quiet --json --options "$OPTS" "dir:$R" exit_group >"$T/e.json" || fail "explain failed"
origin() { jq -r --arg p "$1" '.programs[] | select(.program == $p) | "\(.origin): \(.reason)"' "$T/e.json"; }
for p in /usr/bin/tool-a /usr/bin/tool-b /usr/bin/tool-c /usr/bin/tool-d /usr/bin/tool-e; do
	[ "$(origin $p)" = "exec: run by /app/goexec (Go code: os/exec, syscall.Exec)" ] || fail "$p: '$(origin $p)'"
done
for p in /usr/bin/tool-n /usr/bin/tool-x; do
	[ -z "$(origin $p)" ] || fail "$p, which the Go code does not run by a constant name, is in the set: $(origin $p)"
done
pass
