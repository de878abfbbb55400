#!/usr/bin/env bash
# glibc's set*id broadcast (a signal handler every other thread runs, with
# the number loaded from memory) adds only the set*id calls the program's
# reachable wrappers make: a threaded program calling seteuid() and
# setresgid() must have setresuid and setresgid (strace sees the other
# thread make seteuid's setresuid too), and must not get setreuid/setregid, which nothing calls.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"
need_root
for t in gcc strace; do
	command -v "$t" >/dev/null || skip "$t not installed"
done
strace -f -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here"
getconf GNU_LIBC_VERSION >/dev/null 2>&1 || skip "not a glibc system"

cat >"$T/xid.c" <<'EOF'
#define _GNU_SOURCE
#include <pthread.h>
#include <unistd.h>

static void *idle(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

int main(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, idle, NULL) != 0)
		return 1;
	/* Same ids as now: succeeds as root, changes nothing. */
	if (seteuid(geteuid()) != 0 || setresgid(-1, -1, -1) != 0)
		return 2;
	return 0;
}
EOF
gcc -O2 -pthread -o "$T/xid" "$T/xid.c" || fail "cannot compile the set*id fixture"
strace -f -qq -o "$T/trace" "$T/xid" || fail "set*id fixture failed (exit $?)"
"$CONFINE" analyze --json "$T/xid" >"$T/a.json" || fail "confine analyze failed"
jq -r '.programs[0].syscalls[]' "$T/a.json" | sort -u >"$T/static"
sed -n 's/^[0-9]\+ \+\([a-z_0-9]*\)(.*/\1/p' "$T/trace" | sort -u >"$T/observed"

# Both threads ran seteuid's setresuid (the broadcast ran), and the static
# set has every call made.
[ "$(grep -c '^[0-9]* *setresuid(' "$T/trace")" -ge 2 ] ||
	fail "strace did not see setresuid in both threads: $(grep set "$T/trace")"
grep -q '^[0-9]* *setresgid(' "$T/trace" || fail "strace did not see setresgid"
missing=$( (comm -23 "$T/observed" "$T/static" | grep -vx restart_syscall || true) | paste -sd" ")
[ -z "$missing" ] || fail "observed but not in the static set: $missing"
for c in setreuid setregid; do
	! grep -qx "$c" "$T/static" || fail "$c in the static set though nothing calls it"
done
pass
