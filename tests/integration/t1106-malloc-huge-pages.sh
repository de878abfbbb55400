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
grep 'execve("/proc/self/exe"' "$T/tr1" | grep -q '"GLIBC_TUNABLES=glibc.malloc.tcache_count=7:glibc.malloc.hugetlb=1"' ||
	fail "the re-execution lacks the caller's tunables plus hugetlb: $(grep -o 'GLIBC_TUNABLES=[^"]*' "$T/tr1")"

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
