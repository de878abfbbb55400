#!/usr/bin/env bash
# confine profile on a plain rootfs: every format, byte-deterministic, the
# Docker and deny-list forms agree, the BPF program has whole instructions,
# and the profile blocks at least 150 x86_64 syscalls.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"

ROOT=$FIX/rootfs-small
[ -d "$ROOT/bin" ] || skip "fixture rootfs-small missing (tests/fixtures/images.sh small)"

for fmt in docker k8s confine-deny bpf; do
	"$CONFINE" -q profile "dir:$ROOT" --all-binaries --format "$fmt" -o "$T/p1.$fmt" || fail "profile --format $fmt"
	"$CONFINE" -q profile "dir:$ROOT" --all-binaries --format "$fmt" -o "$T/p2.$fmt" || fail "profile --format $fmt (again)"
	cmp -s "$T/p1.$fmt" "$T/p2.$fmt" || fail "$fmt output is not deterministic"
	[ -s "$T/p1.$fmt" ] || fail "$fmt output empty"
	ls "$T"/.p1.* >/dev/null 2>&1 && fail "temporary file left behind"
done

# stdout form equals the -o form
"$CONFINE" -q profile "dir:$ROOT" --all-binaries >"$T/stdout.json" || fail "profile to stdout"
cmp -s "$T/stdout.json" "$T/p1.docker" || fail "stdout and -o differ"

P=$T/p1.docker
[ "$(jq -r .defaultAction "$P")" = SCMP_ACT_ERRNO ] || fail "defaultAction"
[ "$(jq -r .defaultErrnoRet "$P")" = 1 ] || fail "defaultErrnoRet"
[ "$(jq -c .architectures "$P")" = '["SCMP_ARCH_X86_64"]' ] || fail "architectures"
[ "$(jq -r '.syscalls[0].action' "$P")" = SCMP_ACT_ALLOW ] || fail "first rule allows"
jq -r '.syscalls[0].names[]' "$P" >"$T/names"
sort -c "$T/names" || fail "names not sorted"
grep -qx read "$T/names" || fail "read not allowed"
grep -qx execve "$T/names" || fail "execve not allowed"
# clone3 gets ENOSYS when denied, so glibc falls back to clone
if ! grep -qx clone3 "$T/names"; then
	jq -e '.syscalls[1] | select(.errnoRet == 38) | .names | index("clone3")' "$P" >/dev/null ||
		fail "clone3 is denied without ENOSYS"
fi

# >= 150 blocked
"$CONFINE" -j profile "dir:$ROOT" --all-binaries -o "$T/j.json" >"$T/summary.json" || fail "profile --json"
blocked=$(jq .blocked "$T/summary.json")
[ "$blocked" -ge 150 ] || fail "only $blocked syscalls blocked"
cmp -s "$T/j.json" "$P" || fail "--json changed the profile bytes"

# k8s
grep -q '^apiVersion: security-profiles-operator.x-k8s.io/v1beta1$' "$T/p1.k8s" || fail "k8s apiVersion"
grep -q '^kind: SeccompProfile$' "$T/p1.k8s" || fail "k8s kind"

# deny list says the same as the allowlist
"$CONFINE" diff --exit-code "$T/p1.docker" "$T/p1.confine-deny" >"$T/diff" 2>/dev/null ||
	{ cat "$T/diff"; fail "docker and confine-deny forms differ"; }
[ "$(jq -r .defaultAction "$T/p1.confine-deny")" = SCMP_ACT_ALLOW ] || fail "deny defaultAction"

# BPF: whole sock_filter instructions (8 bytes)
size=$(stat -c %s "$T/p1.bpf")
[ $((size % 8)) -eq 0 ] || fail "BPF size $size is not a multiple of 8"

# diff shows additions/removals with names
"$CONFINE" -q profile "dir:$ROOT" --all-binaries --deny getpid -o "$T/less.json" || fail "--deny"
"$CONFINE" diff "$T/p1.docker" "$T/less.json" >"$T/diff2" 2>/dev/null || fail "diff"
grep -qx -- -getpid "$T/diff2" || fail "diff does not show -getpid"
expect_fail "diff --exit-code on differing profiles" "$CONFINE" diff --exit-code "$T/p1.docker" "$T/less.json"
"$CONFINE" -j diff "$T/less.json" "$T/p1.docker" | jq -e '.added == ["getpid"] and .removed == []' >/dev/null ||
	fail "diff --json"
# An unknown name is warned about: in the JSON too, not lost with stderr's lines.
jq '.syscalls[0].names += ["nosuchcall"]' "$T/less.json" >"$T/unknown.json"
"$CONFINE" -j diff "$T/less.json" "$T/unknown.json" 2>"$T/err" |
	jq -e '.added == [] and (.warnings | any(test("nosuchcall.*unknown")))' >/dev/null ||
	fail "diff --json does not carry the unknown-name warning"
[ ! -s "$T/err" ] || fail "diff --json printed on stderr: $(cat "$T/err")"
pass
