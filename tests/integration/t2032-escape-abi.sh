#!/bin/bash
# A syscall() address held in a register is taken (the program may then
# make any call) only where something can read it: not across a call of a
# C function with fewer parameters (sched_yield) or of the object's own
# function that writes the register first (also through mutual recursion
# and six calls deep), not over a return in a scratch register, not where
# only the low byte of a copy is rewritten and read.  The same code where
# the callee takes it (mmap's sixth parameter, a function reading r8, a
# recursive function reading it after the recursion, asked about first
# through the other function of the cycle) or the whole copy is stored is
# reported (sound), as is a static wrapper whose address is passed to
# another object's function (pthread_create), returned to it or stored
# through its pointer.
# And profile --unresolved picks what such sites do to the profile.
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"
command -v jq >/dev/null || skip "no jq"

S=$CONFINE_SRC/tests/fixtures/escape-abi.S
gcc -shared -o "$T/ok.so" "$S" || fail "cannot build the fixture"
"$CONFINE" analyze --quiet --no-cache --json "$T/ok.so" >"$T/ok.json" || fail "analyze failed"
jq -e '.programs[0] | .all_syscalls == false and (.unresolved | length) == 0 and (.syscalls | index("getpid") != null)' \
	"$T/ok.json" >/dev/null || fail "held where nobody reads it: $(jq -c '.programs[0].unresolved' "$T/ok.json")"
for v in MMAP LOCAL JOIN RECURSE; do
	gcc -shared -DBAD_$v -o "$T/bad.so" "$S" || fail "cannot build the $v fixture"
	"$CONFINE" analyze --quiet --no-cache --json "$T/bad.so" >"$T/bad.json" || fail "analyze ($v) failed"
	jq -e '.programs[0] | .all_syscalls and (.unresolved | length) > 0 and
		(.unresolved[0].reason | test("address of syscall wrapper syscall taken"))' "$T/bad.json" >/dev/null ||
		fail "$v: the held address is not reported: $(jq -c '.programs[0].unresolved' "$T/bad.json")"
done
# rec_b's answer waits for rec_a's (a cycle): both sites are reported.
jq -e '[.programs[0].unresolved[].function] | index("held_to_recursive") != null and index("held_to_rec_b") != null' \
	"$T/bad.json" >/dev/null || fail "RECURSE: $(jq -c '[.programs[0].unresolved[].function]' "$T/bad.json")"

# A static wrapper's address passed to another object (pthread_create) may
# be called with any number there: reported, PIE or not, dynamic or static.
P=$CONFINE_SRC/tests/fixtures/programs
for v in pie nopie static; do
	case $v in
	pie) gcc -O2 -fpie -pie -o "$T/passed.$v" "$P/passed_wrapper.c" ;;
	nopie) gcc -O2 -fno-pie -no-pie -o "$T/passed.$v" "$P/passed_wrapper.c" ;;
	static) gcc -O2 -static -o "$T/passed.$v" "$P/passed_wrapper.c" ;;
	esac || fail "cannot build passed_wrapper ($v)"
	[ "$("$T/passed.$v")" = 1 ] || fail "passed_wrapper ($v) did not get its parent's pid"
	"$CONFINE" analyze --quiet --no-cache --json "$T/passed.$v" >"$T/passed.json" || fail "analyze passed.$v failed"
	jq -e '.programs[0] | .all_syscalls and (.unresolved | map(select(.function == "main" and
		(.reason | test("syscall wrapper worker (passed on|taken)")))) | length > 0)' \
		"$T/passed.json" >/dev/null || fail "passed.$v: not reported: $(jq -c '.programs[0].unresolved' "$T/passed.json")"
done
jq -e '.programs[0].unresolved | map(select(.reason | test("passed on"))) | length > 0' "$T/passed.json" \
	>/dev/null || fail "passed.static: the passing is not named: $(jq -c '.programs[0].unresolved' "$T/passed.json")"
# A library's static wrapper handed out by a return value, by a store
# through the caller's pointer and by an atomic one (xchg): each reported.
gcc -O2 -shared -fPIC -DLIB -o "$T/libretw.so" "$P/returned_wrapper.c" || fail "cannot build libretw.so"
gcc -O2 -o "$T/retw" "$P/returned_wrapper.c" -L"$T" -lretw -Wl,-rpath,'$ORIGIN' || fail "cannot build retw"
[ "$("$T/retw")$("$T/retw" x)$("$T/retw" x y)" = 111 ] || fail "retw did not get its parent's pid"
"$CONFINE" analyze --quiet --no-cache --json "$T/retw" >"$T/retw.json" || fail "analyze retw failed"
for fn in get_w put_w swap_w; do
	jq -e --arg f "$fn" '.programs[0] | .all_syscalls and (.unresolved | map(select(.function == $f and
		(.reason | test("syscall wrapper w passed on")))) | length > 0)' "$T/retw.json" >/dev/null ||
		fail "retw: $fn's handing out is not reported: $(jq -c '.programs[0].unresolved' "$T/retw.json")"
done

# profile --unresolved: a program whose syscall() number comes from its
# arguments may make every call (default, sound); "ignore" leaves it out
# with a warning naming the program.
R=$T/root
root_add_libc "$R"
mkdir -p "$R/usr/bin"
printf '#include <stdlib.h>\n#include <unistd.h>\nint main(int c, char **v) { return c > 1 ? syscall(atoi(v[1])) : 0; }\n' >"$T/any.c"
gcc -O2 -o "$R/usr/bin/any" "$T/any.c" || fail "cannot build the program"
"$CONFINE" profile --quiet --json --no-runtime --options "--entrypoint /usr/bin/any" -o "$T/all.json" "dir:$R" \
	>"$T/all.out" || fail "profile failed"
n_all=$(jq '.syscalls[0].names | length' "$T/all.json")
"$CONFINE" profile --json --no-runtime --unresolved ignore --options "--entrypoint /usr/bin/any" -o "$T/ign.json" \
	"dir:$R" >"$T/ign.out" 2>"$T/ign.err" || fail "profile --unresolved ignore failed"
n_ign=$(jq '.syscalls[0].names | length' "$T/ign.json")
[ "$n_all" -gt 300 ] && [ "$n_ign" -lt 100 ] || fail "unresolved all: $n_all calls, ignore: $n_ign"
jq -e '.warnings | map(select(test("/usr/bin/any.*ignored"))) | length == 1' "$T/ign.out" >/dev/null ||
	fail "no warning about the ignored site: $(jq -c .warnings "$T/ign.out")"
"$CONFINE" profile --unresolved some "dir:$R" >/dev/null 2>"$T/bad.err" && fail "--unresolved some accepted"
grep -q "not all or ignore" "$T/bad.err" || fail "bad --unresolved: $(cat "$T/bad.err")"
pass
