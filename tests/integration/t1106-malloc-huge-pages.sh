#!/usr/bin/env bash
# An analysing command re-executes itself once with glibc.malloc.hugetlb=1
# added to GLIBC_TUNABLES (main.c, malloc_huge_pages) when the kernel gives
# transparent huge pages on request: the caller's tunables are kept, a
# caller that set hugetlb itself is obeyed, other commands do not
# re-execute, the result is the same, and the analysis takes far fewer page
# faults.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || skip "no strace"
mode=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo none)
case $mode in
*"[madvise]"*) ;;
*) skip "transparent huge pages are '$mode', not on request: confine does not re-execute" ;;
esac
execs() { grep -c 'execve(' "$1"; }
trace() { strace -f -qq -e trace=execve -e signal=none -v -s 4096 -o "$T/$1" "${@:2}"; }

trace tr1 env GLIBC_TUNABLES=glibc.malloc.tcache_count=7 "$CONFINE" analyze --json /bin/true >"$T/a1.json" ||
	fail "analyze under strace"
[ "$(execs "$T/tr1")" = 3 ] || fail "env, confine and one re-execution expected: $(grep -o 'execve("[^"]*"' "$T/tr1")"
grep 'execve(' "$T/tr1" | tail -1 | grep -F "execve(\"$(readlink -f "$CONFINE")\"" |
	grep -q '"GLIBC_TUNABLES=glibc.malloc.tcache_count=7:glibc.malloc.hugetlb=1"' ||
	fail "the re-execution lacks the caller's tunables plus hugetlb: $(grep -o 'GLIBC_TUNABLES=[^"]*' "$T/tr1")"

# It keeps its name: ps, pgrep and the sweep of stale containers
# (container_sweep: a label whose pid is not a live "confine" is a dead
# run's) know it by it; executing /proc/self/exe had renamed it "exe".
cp "$CONFINE" "$T/confine"
rm -rf "$T/cache"
"$T/confine" analyze --json /usr/bin/python3 /usr/bin/perl >/dev/null &
pid=$!
seen=
while kill -0 "$pid" 2>/dev/null; do
	c=$(cat "/proc/$pid/comm" 2>/dev/null || true)
	[ -n "$c" ] && seen="$seen $c"
	sleep 0.05
done
wait "$pid" || fail "analyze in the background"
[ -n "$seen" ] || fail "never saw the process"
for c in $seen; do [ "$c" = confine ] || fail "the process was named '$c' (seen:$seen)"; done

# The caller's own hugetlb setting wins: no re-execution.
trace tr2 env GLIBC_TUNABLES=glibc.malloc.hugetlb=0 "$CONFINE" analyze --json /bin/true >"$T/a2.json" ||
	fail "analyze with hugetlb=0"
[ "$(execs "$T/tr2")" = 2 ] || fail "re-executed although the caller set hugetlb"
# Commands that do not analyse do not either.
trace tr3 "$CONFINE" --version >/dev/null || fail "--version"
[ "$(execs "$T/tr3")" = 1 ] || fail "--version re-executed"
mkdir -p "$T/img/bin" && cp /bin/true "$T/img/bin/"
trace tr4 "$CONFINE" inventory --quiet --json "dir:$T/img" >/dev/null || fail "inventory"
[ "$(execs "$T/tr4")" = 1 ] || fail "inventory re-executed"

# The same result either way.
[ "$(jq -c '.programs[0].syscalls' "$T/a1.json")" = "$(jq -c '.programs[0].syscalls' "$T/a2.json")" ] ||
	fail "the result depends on the heap's pages"

# Far fewer page faults: four large programs, cold, each way.
progs=(/usr/bin/bash /usr/bin/perl /usr/bin/python3 /usr/bin/sed)
faults() {
	rm -rf "$T/cache"
	env GLIBC_TUNABLES="$1" /usr/bin/time -f %R -o "$T/faults" "$CONFINE" analyze --json "${progs[@]}" >"$T/$2.json" ||
		fail "analyze ($1)"
	cat "$T/faults"
}
with=$(faults "" huge)
without=$(faults glibc.malloc.hugetlb=0 small)
echo "page faults: $with with huge pages, $without without"
[ $((with * 2)) -lt "$without" ] || fail "huge pages did not halve the page faults: $with vs $without"
cmp <(jq -c '[.programs[] | {path, syscalls}]' "$T/huge.json") <(jq -c '[.programs[] | {path, syscalls}]' "$T/small.json") ||
	fail "the four programs' sets differ"
pass
