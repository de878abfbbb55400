#!/usr/bin/env bash
# Soundness against reality, part 8: Haskell (GHC) code.  Debian's
# ShellCheck is a GHC program: its code returns and tail-calls through
# pointers read from memory ("add $0x18,%rbp; jmp *0x0(%rbp)", "mov
# %rax,%rbx; jmp *(%rbx)"), and an info table (data) sits between each
# such jump and the next function.  Those bytes decode as anything,
# syscall and int 0x80 included; they are not code, so the set must not
# be "everything" (as it was before the analysis told such jumps from
# jump tables), and it must hold every call ShellCheck makes on real
# scripts, with the GHC runtime's timer and I/O manager.
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
st_init
command -v shellcheck >/dev/null || skip "shellcheck is not installed (scripts/setup.sh installs it)"
sc=$(readlink -f "$(command -v shellcheck)")

W=$T/w
mkdir -p "$W"
cd "$W"
cat >bad.sh <<'SH'
#!/bin/sh
. ./lib.sh
for f in $(ls *.txt); do
	echo $f | grep foo && cd $dir
	[ $x == 1 ] && echo "`date`"
done
read line
SH
cat >lib.sh <<'SH'
x=1
SH
cat >good.sh <<'SH'
#!/bin/sh
set -eu
for f in ./*.txt; do
	[ -e "$f" ] || continue
	printf '%s\n' "$f"
done
SH
st_run_rc 1 shellcheck-warnings "$sc" -x bad.sh
st_run shellcheck-clean "$sc" good.sh
st_run_rc 1 shellcheck-json "$sc" -f json1 -S style -s bash bad.sh good.sh
st_run_rc 1 shellcheck-diff "$sc" -f diff bad.sh
st_run shellcheck-optional "$sc" --list-optional
st_run shellcheck-stdin sh -c '"$1" -s dash - <good.sh' sh "$sc"
st_check

n=$(st_static_size "$sc")
echo "  shellcheck: $n calls in its set"
[ "$n" -le 200 ] || fail "shellcheck's set has $n calls (expected at most 200: info tables are not code)"
jq -e --arg p "$sc" '[.programs[] | select(.path == $p) | .unresolved[]] | length == 0' \
	"$ST/analysis.all.json" >/dev/null ||
	fail "shellcheck has unresolved sites: $(jq -c --arg p "$sc" '[.programs[] | select(.path == $p) | .unresolved[]][:3]' "$ST/analysis.all.json")"
pass
