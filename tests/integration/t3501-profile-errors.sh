#!/usr/bin/env bash
# Bad input to 'confine profile' and 'confine diff': clear errors naming the
# input, non-zero exit, nothing written.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"

expect_fail "no image" "$CONFINE" profile
grep -q "no IMAGE given" "$T/err" || fail "no-image message: $(cat "$T/err")"

expect_fail "unknown format" "$CONFINE" profile dir:/ --format yaml
grep -q "unknown profile format 'yaml'" "$T/err" || fail "format message"

expect_fail "unknown --deny" "$CONFINE" profile dir:/ --deny not_a_syscall
grep -q "unknown syscall 'not_a_syscall'" "$T/err" || fail "--deny message"

expect_fail "missing rootfs" "$CONFINE" profile "dir:$T/nope" -o "$T/out.json"
grep -q "$T/nope" "$T/err" || fail "missing rootfs message does not name it: $(cat "$T/err")"
[ ! -e "$T/out.json" ] || fail "output written on error"

echo "my notes" >"$T/notes.txt"
expect_fail "overwrite a non-profile" "$CONFINE" profile dir:/ -o "$T/notes.txt"
grep -q "not a seccomp profile" "$T/err" || fail "overwrite message: $(cat "$T/err")"
[ "$(cat "$T/notes.txt")" = "my notes" ] || fail "user file changed"

echo '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}' >"$T/a.json"
echo '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": "read"}]}' >"$T/bad.json"
expect_fail "diff bad profile" "$CONFINE" diff "$T/a.json" "$T/bad.json"
grep -q "bad.json" "$T/err" || fail "diff message does not name the file"
expect_fail "diff one file" "$CONFINE" diff "$T/a.json"
expect_fail "diff missing file" "$CONFINE" diff "$T/a.json" "$T/missing.json"
grep -q "missing.json" "$T/err" || fail "diff missing message"

# Confine's own {"default": [...]} file reads as a profile.
echo '{"default": ["ptrace", "mount"]}' >"$T/def.json"
"$CONFINE" -j diff "$T/a.json" "$T/def.json" | jq -e '.b_kind == "confine-default" and (.removed | length) == 0' >/dev/null ||
	fail "diff with Confine's default file"
pass
