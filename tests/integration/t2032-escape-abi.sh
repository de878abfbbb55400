#!/bin/bash
# A syscall() address held in a register is taken (the program may then
# make any call) only where something can read it: not across a call of a
# C function with fewer parameters (sched_yield) or of the object's own
# function that writes the register first, not over a return in a scratch
# register, not where only the low byte of a copy is rewritten and read.
# The same code where the callee takes it (mmap's sixth parameter, a
# function reading r8) or the whole copy is stored is reported (sound).
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"
command -v jq >/dev/null || skip "no jq"

S=$CONFINE_SRC/tests/fixtures/escape-abi.S
gcc -shared -o "$T/ok.so" "$S" || fail "cannot build the fixture"
"$CONFINE" analyze --quiet --no-cache --json "$T/ok.so" >"$T/ok.json" || fail "analyze failed"
jq -e '.programs[0] | .all_syscalls == false and (.unresolved | length) == 0 and (.syscalls | index("getpid") != null)' \
	"$T/ok.json" >/dev/null || fail "held where nobody reads it: $(jq -c '.programs[0].unresolved' "$T/ok.json")"
for v in MMAP LOCAL JOIN; do
	gcc -shared -DBAD_$v -o "$T/bad.so" "$S" || fail "cannot build the $v fixture"
	"$CONFINE" analyze --quiet --no-cache --json "$T/bad.so" >"$T/bad.json" || fail "analyze ($v) failed"
	jq -e '.programs[0] | .all_syscalls and (.unresolved | length) > 0 and
		(.unresolved[0].reason | test("address of syscall wrapper syscall taken"))' "$T/bad.json" >/dev/null ||
		fail "$v: the held address is not reported: $(jq -c '.programs[0].unresolved' "$T/bad.json")"
done
pass
