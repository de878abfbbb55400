#!/usr/bin/env bash
# confine record: the calls a container's processes make, seen with eBPF.
# A program makes syncfs, personality and a 32-bit getpid (int 0x80); the
# record must list them (the last among the 32-bit calls) and none of the
# runtime's own (runc's init stage makes pivot_root and capset in the
# container's namespaces before it execs the program).  Compared with
# confine's own profile of the image every call is allowed (exit 0); with
# one that lacks syncfs the record names it and exits 1.  Bad input: an
# image that cannot run, a profile that is not there.  (A kernel that
# kills int 0x80, as a PVM guest does, gets no 32-bit call: then that one
# is not checked.)
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"
need_docker
need_root
command -v gcc >/dev/null || skip "gcc not installed"

R=$T/root
mkdir -p "$R"
root_add_libc "$R"
int80='{ int r; __asm__ volatile("int $0x80" : "=a"(r) : "a"(20) : "r8", "r9", "r10", "r11", "memory"); }'
printf 'int main(void) { %s return 0; }\n' "$int80" >"$T/i80.c"
gcc -O2 -o "$T/i80" "$T/i80.c" || fail "cannot build the int 0x80 probe"
runs32=1
("$T/i80") 2>/dev/null || { runs32=0; int80=; echo "note: this kernel kills int 0x80; no 32-bit call is made" >&2; }
root_add_tool "$R" calls "syncfs(fd); personality(0xffffffff); $int80"
root_add_tool "$R" fails "_exit(3)"
tag=confine-test-record-$$
trap 'docker rmi -f $tag >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
tar -C "$R" -c . | docker import -c 'CMD ["/usr/bin/calls"]' - "$tag" >/dev/null || fail "docker import failed"

"$CONFINE" record "docker:$tag" --json >"$T/rec.json" 2>"$T/err" || fail "record failed: $(cat "$T/err")"
has() { jq -e --arg s "$2" ".$1 | index(\$s) != null" "$T/rec.json" >/dev/null; }
for c in syncfs personality exit_group; do
	has syscalls "$c" || fail "the record does not list $c: $(jq -c .syscalls "$T/rec.json")"
done
[ "$runs32" = 0 ] || has compat_syscalls getpid || fail "the 32-bit getpid is not among the 32-bit calls: $(jq -c .compat_syscalls "$T/rec.json")"
for c in pivot_root capset; do
	has syscalls "$c" && fail "the runtime's $c is in the record"
done
jq -e '.executables | index("/usr/bin/calls")' "$T/rec.json" >/dev/null ||
	fail "the program is not listed: $(jq -c .executables "$T/rec.json")"

# confine's own profile allows every call made; one without syncfs does not.
"$CONFINE" -q profile "docker:$tag" -o "$T/p.json" || fail "profile failed"
"$CONFINE" record "docker:$tag" --profile "$T/p.json" >"$T/out" 2>"$T/err" ||
	fail "confine's profile does not allow a call the program made: $(cat "$T/out" "$T/err")"
grep -q "it allows every call made" "$T/out" || fail "no verdict: $(cat "$T/out")"
jq '.syscalls[0].names -= ["syncfs"]' "$T/p.json" >"$T/nosync.json"
"$CONFINE" record "docker:$tag" --profile "$T/nosync.json" --json >"$T/cmp.json" 2>"$T/err" &&
	fail "record exited 0 with a profile that lacks syncfs"
jq -e '.profile.not_allowed == ["syncfs"]' "$T/cmp.json" >/dev/null ||
	fail "the profile's missing call is not named: $(jq -c .profile "$T/cmp.json")"

# A container that fails by itself (every call was allowed) and a workload
# that never ran are said: the record holds only what it did until then.
"$CONFINE" record --json --workload "exec:/usr/bin/calls" "docker:$tag" -- /usr/bin/fails >"$T/bad.json" 2>"$T/err" ||
	fail "record of a failing container failed itself: $(cat "$T/err")"
jq -e '.exited and .exit_code == 3' "$T/bad.json" >/dev/null || fail "the failing container did not exit non-zero: $(cat "$T/bad.json" "$T/err")"
jq -e '.warnings | any(test("exited with code [1-9].*record holds only what it did"))' "$T/bad.json" >/dev/null ||
	fail "no warning that the container failed: $(jq -c .warnings "$T/bad.json")"
jq -e '.warnings | any(test("workload never ran"))' "$T/bad.json" >/dev/null ||
	fail "no warning that the workload never ran: $(jq -c .warnings "$T/bad.json")"

expect_fail "a dir: image" "$CONFINE" record "dir:$R"
grep -q "must be docker:NAME" "$T/err" || fail "dir: image: $(cat "$T/err")"
expect_fail "a missing profile" "$CONFINE" record "docker:$tag" --profile "$T/nope.json"
grep -q "nope.json" "$T/err" || fail "missing profile not named: $(cat "$T/err")"
expect_fail "an unknown image" "$CONFINE" record docker:confine-test/no-such-image-$$
grep -qi "no-such-image" "$T/err" || fail "unknown image not named: $(cat "$T/err")"
expect_fail "no image" "$CONFINE" record
pass
