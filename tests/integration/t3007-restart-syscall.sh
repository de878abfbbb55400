#!/usr/bin/env bash
# restart_syscall is the kernel's, not the program's: when a signal without
# a handler (SIGSTOP, then SIGCONT; a cgroup freeze) interrupts a
# nanosleep, poll or futex wait, the kernel resumes the call by making the
# program's `syscall` instruction run restart_syscall, and the filter sees
# it.  Profiles did not allow it: mariadbd crashed (SIGSEGV) when stopped
# under its profile.  Here a program sleeps 5 s by nanosleep and exits with
# the call's error (1 for EPERM); the container is stopped and continued
# during the sleep.  Under its profile it must still exit 0, and the
# profile must say why restart_syscall is allowed.
. "$(dirname "$0")/lib.sh"
need_docker
command -v as >/dev/null && command -v ld >/dev/null || skip "binutils (as, ld) not installed"

W=$T/w
mkdir -p "$W/root"
cd "$W"
printf '.globl _start\n_start:\n\tlea ts(%%rip), %%rdi\n\txor %%esi, %%esi\n\tmov $35, %%eax\n\tsyscall\n' >sleep.s
printf '\tmov %%eax, %%edi\n\tneg %%edi\n\tmov $60, %%eax\n\tsyscall\n.data\nts:\t.quad 5, 0\n' >>sleep.s
as -o sleep.o sleep.s && ld -o root/prog sleep.o || fail "cannot assemble the program"
root/prog || fail "the program does not run on this machine"

tag=confine-test-restart-$$
name=confine-test-restart-c-$$
trap 'docker rm -f $name >/dev/null 2>&1 || true; docker rmi -f $tag >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
tar -C root -c . | docker import -c 'CMD ["/prog"]' - "$tag" >/dev/null || fail "docker import failed"

"$CONFINE" profile "docker:$tag" --json -o "$W/p.json" >"$W/out.json" 2>"$T/err" ||
	fail "profile failed: $(cat "$T/err")"
jq -e '.syscalls[0].names | index("restart_syscall")' "$W/p.json" >/dev/null ||
	fail "the profile does not allow restart_syscall: $(jq -c '.syscalls[0].names' "$W/p.json")"
jq -e '.why.restart_syscall | test("kernel")' "$W/out.json" >/dev/null ||
	fail "no reason for restart_syscall: $(jq -c '.why.restart_syscall' "$W/out.json")"
n=$(jq '.syscalls[0].names | length' "$W/p.json")
[ "$n" -lt 100 ] || fail "$n calls allowed for a program that sleeps"

# Run under PROFILE, stop and continue it during the sleep; print the exit code.
stopped_run() {
	docker rm -f "$name" >/dev/null 2>&1 || true
	docker run -d --name "$name" --network none --security-opt "seccomp=$1" "$tag" >/dev/null ||
		fail "docker run failed"
	sleep 0.5
	docker kill -s STOP "$name" >/dev/null || fail "cannot stop the container"
	sleep 0.3
	docker kill -s CONT "$name" >/dev/null || fail "cannot continue the container"
	docker wait "$name"
}
code=$(stopped_run "$W/p.json")
[ "$code" = 0 ] || fail "the program's sleep was not resumed under its profile (exit $code)"
# The control: without restart_syscall the resumed sleep fails with EPERM.
jq '.syscalls[0].names -= ["restart_syscall"]' "$W/p.json" >"$W/without.json"
code=$(stopped_run "$W/without.json")
[ "$code" = 1 ] || fail "without restart_syscall the program exited $code, not 1 (EPERM): the test proves nothing"
pass
