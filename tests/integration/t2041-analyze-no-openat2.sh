#!/usr/bin/env bash
# `confine analyze --root` opens the root's files with openat2's
# RESOLVE_IN_ROOT.  Where openat2 fails with ENOSYS (kernels before 5.6,
# valgrind, a seccomp filter), it walks paths itself the same way: the
# results are the same, symlinks (absolute, or climbing with "..") stay
# inside the root, and openat2 is tried once, not for every file.  The
# ENOSYS comes from a real seccomp filter (libseccomp) around confine.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || skip "no jq"
command -v cc >/dev/null || skip "no C compiler"
fixture small
R=$T/root
cp -a "$FIX/rootfs-small" "$R"

# Links the walk must follow inside the root: an absolute folder link, a
# file link climbing past the root, a chain of two.
mkdir -p "$R/usr/bin"
ln -s /lib/x86_64-linux-gnu "$R/usr/lib64"
ln -s ../../../../../../../../bin/ls "$R/usr/bin/ls"
ln -s ls "$R/usr/bin/dir"
# A library the program needs that exists only outside the root, where a
# link in the root points: not the image's, so not found.
mkdir -p "$T/outside"
printf 'int esc(void) { return 1; }\n' >"$T/esc.c"
cc -shared -fPIC -o "$T/outside/libescape.so" "$T/esc.c"
printf 'int esc(void); int main(void) { return esc(); }\n' >"$T/main.c"
cc -o "$R/bin/esc" "$T/main.c" -L"$T/outside" -lescape
ln -s "../../../../../../../../../..$T/outside/libescape.so" "$R/lib/x86_64-linux-gnu/libescape.so"

cat >"$T/noopenat2.c" <<'C'
#include <errno.h>
#include <seccomp.h>
#include <unistd.h>
/* Run argv[1...] with openat2 failing ENOSYS, as on a kernel before 5.6. */
int main(int argc, char **argv)
{
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);

	if (argc < 2 || !c || seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0) ||
	    seccomp_load(c))
		return 125;
	execv(argv[1], argv + 1);
	return 127;
}
C
cc -o "$T/noopenat2" "$T/noopenat2.c" -lseccomp || skip "cannot build against libseccomp"

progs=(/bin/sh /usr/bin/ls /usr/bin/dir /bin/esc /bin/cat)
run() { "$@" analyze --json --root "$R" "${progs[@]}" >"$T/out.json" 2>"$T/err" || fail "analyze: $(cat "$T/err")"; }
run "$CONFINE"
cp "$T/out.json" "$T/a.json"
export CONFINE_CACHE_DIR=$T/cache2
run "$T/noopenat2" "$CONFINE"
cp "$T/out.json" "$T/b.json"

view() { jq -S '[.programs[] | {path, syscall_numbers, objects, unresolved}], (.warnings | sort)' "$1"; }
diff <(view "$T/a.json") <(view "$T/b.json") >"$T/diff" || fail "results differ without openat2: $(head -40 "$T/diff")"
# What the links lead to.
jq -e '.programs[] | select(.path == "/usr/bin/dir") | .syscall_numbers | length > 20' "$T/b.json" >/dev/null ||
	fail "/usr/bin/dir (-> ls -> /bin/ls past the root) not analysed: $(cat "$T/b.json")"
jq -e '.programs[] | select(.path == "/bin/esc") | .objects | map(test("escape")) | any | not' "$T/b.json" >/dev/null ||
	fail "libescape.so was found outside the root: $(jq -c '.programs[] | select(.path == "/bin/esc")' "$T/b.json")"
jq -e '.warnings | map(test("libescape.so.*not found")) | any' "$T/b.json" >/dev/null ||
	fail "no 'not found' warning for libescape.so: $(jq -c .warnings "$T/b.json")"

# openat2 is tried once, then not again.  (LeakSanitizer cannot run under
# ptrace: an ASan build leaves leak checks to the runs above.)
if command -v strace >/dev/null; then
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 CONFINE_CACHE_DIR=$T/cache3 strace -f -qq -e trace=openat2 -o "$T/strace" \
		"$T/noopenat2" "$CONFINE" analyze --json --root "$R" "${progs[@]}" >/dev/null 2>&1 ||
		fail "analyze under strace failed"
	n=$(grep -c 'openat2(' "$T/strace" || true)
	[ "$n" -ge 1 ] && [ "$n" -le 2 ] || fail "openat2 called $n times (expected once a process)"
	grep -q 'ENOSYS' "$T/strace" || fail "openat2 did not fail ENOSYS: $(head -3 "$T/strace")"
fi
pass
