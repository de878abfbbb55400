#!/usr/bin/env bash
# inventory of the small fixture (host /bin/sh, ls, cat, echo, sleep and their
# libraries; Cmd is `/bin/sh -c "echo ...; ls /bin"`): the shell and every
# command of its -c string are programs, each with libc and the loader.
. "$(dirname "$0")/lib.sh"

fixture small
command -v jq >/dev/null || skip "jq not installed"

"$CONFINE" inventory --json docker:confine-test/small:latest >"$T/inv.json" 2>"$T/err" ||
	fail "inventory: $(cat "$T/err")"
jq -e . "$T/inv.json" >/dev/null || fail "output is not JSON"
jq -r '.programs[] | "\(.path) \(.origin)"' "$T/inv.json" >"$T/progs"
# Cmd is sh -c 'echo hello from small; ls /bin': echo is the shell's builtin.
cat >"$T/want" <<'W'
/bin/sh entrypoint
/bin/ls cmd
W
diff -u "$T/want" "$T/progs" || fail "program set differs"
# ls needs libselinux, which needs libpcre2: breadth-first order, ld.so last.
jq -r '.programs[] | select(.path == "/bin/ls") | .libraries[].name' "$T/inv.json" >"$T/lslibs"
cat >"$T/want" <<'W'
libselinux.so.1
libc.so.6
libpcre2-8.so.0
/lib64/ld-linux-x86-64.so.2
W
diff -u "$T/want" "$T/lslibs" || fail "ls library order differs"
[ "$(jq '.summary.elf_files' "$T/inv.json")" -ge 9 ] || fail "too few ELF files"
[ "$(jq '[.elf_files[] | select(.type == "shared")] | length' "$T/inv.json")" -ge 4 ] || fail "shared objects missing"
jq -e '.config.cmd == ["/bin/sh", "-c", "echo hello from small; ls /bin"] and .config.path == "/bin"' \
	"$T/inv.json" >/dev/null || fail "config not reported"
pass
