#!/usr/bin/env bash
# ctest-labels: asan
# A number in an instruction is not a function start.  mov/push
# immediates were taken as code addresses in every object; where one
# pointed inside an instruction of a real function, the function was cut
# in two there, its cut instruction undecodable, and the code after it
# lost: BIND's named missed epoll_create1 (libisc's isc__netmgr_create,
# hit by "mov $0x20088", no longer called uv_loop_init) and died under its
# profile; ss, less and debugfs lost calls too.  Now immediates count only
# in code that is not position-independent, and never inside an
# instruction the sweep decoded.  Each program below calls 'victim',
# which makes getpid and getuid after a 6-byte je; 'decoy' holds the
# address of the je's second byte as an immediate.  Built twice: the
# first link gives the address, the second puts it in (same layout).
. "$(dirname "$0")/lib.sh"
command -v as >/dev/null && command -v ld >/dev/null && command -v gcc >/dev/null ||
	skip "binutils and gcc not installed"
cd "$T"

# victim's code; ADDR is replaced by the address of its je's second byte.
body() {
	cat <<ASM
	.text
	.globl	victim
	.type	victim, @function
victim:
	test	%edi, %edi
	.byte	0x0f, 0x84
	.long	2f - 1f
1:	mov	\$39, %eax
	syscall
2:	mov	\$102, %eax
	syscall
	ret
	.size	victim, . - victim
	.globl	decoy
	.type	decoy, @function
decoy:
	mov	\$$1, %edx
	mov	%edx, %eax
	ret
	.size	decoy, . - decoy
ASM
}
addr_of() { printf '0x%x' $((0x$(nm "$1" | awk '$3 == "victim" { print $1 }') + 3)); }

# 1. A shared library (position-independent) and a program that calls victim.
printf 'int victim(int);\nint main(int c, char **v) { (void)v; return victim(c) < 0; }\n' >main.c
body 0x1000 >lib.s
gcc -shared -nostdlib -o libv.so lib.s || fail "cannot build the library"
a=$(addr_of libv.so)
body "$a" >lib.s
gcc -shared -nostdlib -o libv.so lib.s || fail "cannot build the library again"
[ "$(addr_of libv.so)" = "$a" ] || fail "the library's layout moved"
objdump -d libv.so | grep -q "mov    \$$a,%edx" || fail "decoy does not hold $a"
gcc -o prog main.c -L. -lv -Wl,-rpath,"$T" || fail "cannot build the program"
strace -f -qq -e trace=getpid,getuid ./prog 2>trace.txt || fail "the program failed"
grep -q '^getpid()' trace.txt && grep -q '^getuid()' trace.txt || fail "the program made: $(cat trace.txt)"
"$CONFINE" analyze --json --quiet ./prog >a.json 2>err || fail "analyze failed: $(cat err)"
for c in getpid getuid; do
	json_has a.json $c || fail "library: $c missing from $(jq -c '.programs[0].syscalls' a.json)"
done

# 2. A program that is not position-independent: immediates may be addresses
# there, but not one that points inside an instruction.
printf '\t.globl _start\n_start:\n\tmov $1, %%edi\n\tcall victim\n\tcall decoy\n\tmov $60, %%eax\n\txor %%edi, %%edi\n\tsyscall\n' >start.s
body 0x1000 >exe.s
as -o exe.o exe.s && as -o start.o start.s && ld -o exe start.o exe.o || fail "cannot build the executable"
a=$(addr_of exe)
body "$a" >exe.s
as -o exe.o exe.s && ld -o exe start.o exe.o || fail "cannot build the executable again"
[ "$(addr_of exe)" = "$a" ] || fail "the executable's layout moved"
./exe || fail "the executable failed"
"$CONFINE" analyze --json --quiet ./exe >b.json 2>err || fail "analyze failed: $(cat err)"
for c in getpid getuid exit; do
	json_has b.json $c || fail "executable: $c missing from $(jq -c '.programs[0].syscalls' b.json)"
done
pass
