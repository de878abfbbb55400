#!/usr/bin/env bash
# 32-bit x86 code in a container.  The kernel hands seccomp an int 0x80
# call (from a 32-bit program, or from 64-bit code) as an i386 call, and
# kills the caller when the profile does not list that architecture: the
# profile that allowed "every call" for such a program still killed it
# (SIGSYS, exit 159).  Now the analysis reports the i386 ABI (analyze's
# compat_abis), and the profile lists SCMP_ARCH_X86 with the i386 calls
# the x86_64 table lacks (mmap2...): both programs run under it, and
# validation passes.  A 64-bit program without int 0x80 keeps an x86_64
# profile.  The programs are assembled here (binutils: no 32-bit libc).
. "$(dirname "$0")/lib.sh"
need_docker
command -v as >/dev/null && command -v ld >/dev/null || skip "binutils (as, ld) not installed"

W=$T/w
mkdir -p "$W/r32" "$W/r64" "$W/rplain"
cd "$W"
# i386: getpid, then exit(0), by int 0x80.
printf '.globl _start\n_start:\n\tmov $20, %%eax\n\tint $0x80\n\tmov $1, %%eax\n\txor %%ebx, %%ebx\n\tint $0x80\n' >x32.s
# x86_64: getpid by int 0x80 (i386 number 20), then exit(0) by syscall.
printf '.globl _start\n_start:\n\tmov $20, %%eax\n\tint $0x80\n\tmov $60, %%eax\n\txor %%edi, %%edi\n\tsyscall\n' >mixed.s
# x86_64: getpid, then exit(0), by syscall only.
printf '.globl _start\n_start:\n\tmov $39, %%eax\n\tsyscall\n\tmov $60, %%eax\n\txor %%edi, %%edi\n\tsyscall\n' >plain.s
as --32 -o x32.o x32.s && ld -m elf_i386 -o r32/prog x32.o || fail "cannot assemble the i386 program"
as -o mixed.o mixed.s && ld -o r64/prog mixed.o || fail "cannot assemble the int 0x80 program"
as -o plain.o plain.s && ld -o rplain/prog plain.o || fail "cannot assemble the plain program"
rplain/prog || fail "the plain program does not run on this machine"
# A kernel without IA-32 emulation (or a guest that disables it: a PVM
# guest kills int 0x80 with SIGSEGV) runs neither: the profiles are still
# checked, running them is not.
runs32=1
(r32/prog && r64/prog) 2>/dev/null || runs32=0
[ "$runs32" = 1 ] || echo "note: this kernel does not run i386 code; the i386 programs are not run" >&2

# analyze: the ABI is reported.
"$CONFINE" analyze --json --quiet "$W/r32/prog" "$W/r64/prog" "$W/rplain/prog" >a.json 2>"$T/err" ||
	fail "analyze failed: $(cat "$T/err")"
for p in r32 r64; do
	jq -e --arg p "$W/$p/prog" '.programs[] | select(.path == $p) | .compat_abis == ["i386"]' a.json >/dev/null ||
		fail "$p: compat_abis is not [\"i386\"]: $(jq -c '.programs[] | .compat_abis' a.json)"
done
jq -e --arg p "$W/rplain/prog" '.programs[] | select(.path == $p) | .compat_abis == [] and (.all_syscalls | not)' \
	a.json >/dev/null || fail "the plain program reports an ABI or every call"
"$CONFINE" analyze --quiet "$W/r64/prog" | grep -q "also makes i386 system calls" ||
	fail "analyze's text does not say the program makes i386 calls"

tag=confine-test-i386-$$
trap 'docker rmi -f $tag-32 $tag-64 $tag-plain >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
for p in 32 64 plain; do
	dir=r$p
	tar -C "$dir" -c . | docker import -c 'CMD ["/prog"]' - "$tag-$p" >/dev/null || fail "docker import failed"
done

validate=--validate
[ "$runs32" = 1 ] || validate=
for p in 32 64; do
	"$CONFINE" profile "docker:$tag-$p" $validate -o "$W/p$p.json" >"$T/out" 2>"$T/err" ||
		fail "profile $validate of the $p image failed: $(cat "$T/err")"
	jq -e '.architectures == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]' "$W/p$p.json" >/dev/null ||
		fail "$p: architectures $(jq -c .architectures "$W/p$p.json")"
	jq -e '.syscalls[0].names | index("mmap2") and index("socketcall") and index("getpid")' "$W/p$p.json" >/dev/null ||
		fail "$p: the i386 calls are not allowed"
	grep -q "makes i386 system calls" "$T/err" || fail "$p: no warning names the i386 calls"
	[ "$runs32" = 0 ] || docker run --rm --network none --security-opt "seccomp=$W/p$p.json" "$tag-$p" ||
		fail "$p: the program does not run under its profile (exit $?)"
	# The formats that name architectures list it too.
	"$CONFINE" profile "docker:$tag-$p" --format k8s --quiet >"$W/p$p.yaml" 2>/dev/null ||
		fail "$p: k8s profile failed"
	grep -q "^  - SCMP_ARCH_X86$" "$W/p$p.yaml" || fail "$p: the k8s profile does not list SCMP_ARCH_X86"
	"$CONFINE" profile "docker:$tag-$p" --format bpf --quiet -o "$W/p$p.bpf" 2>/dev/null ||
		fail "$p: bpf profile failed"
done
# Read back: the i386 names are known, not "unknown system calls".
"$CONFINE" diff "$W/p32.json" "$W/p64.json" >"$T/out" 2>"$T/err" || fail "diff failed: $(cat "$T/err")"
! grep -q "unknown" "$T/out" "$T/err" || fail "diff calls i386 names unknown: $(cat "$T/out" "$T/err")"

"$CONFINE" profile "docker:$tag-plain" --validate -o "$W/pplain.json" >"$T/out" 2>"$T/err" ||
	fail "profile --validate of the plain image failed: $(cat "$T/err")"
jq -e '.architectures == ["SCMP_ARCH_X86_64"]' "$W/pplain.json" >/dev/null ||
	fail "plain: architectures $(jq -c .architectures "$W/pplain.json")"
n=$(jq '.syscalls[0].names | length' "$W/pplain.json")
[ "$n" -lt 200 ] || fail "plain: $n calls allowed"
pass
