#!/usr/bin/env bash
# The soundness harness itself: the strace log parser attributes calls to
# the right program across fork, exec and resumed lines, and a call left
# out of a static set is reported as a miss with program, call and line.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
AWK=$CONFINE_SRC/tests/fixtures/strace-check.awk

# 1. Parser on a hand-written log: pid 100 is the traced shell, 101 a
# child that runs code of the shell until it execs cat (its exec resumes
# on another line), 102 a thread of cat, 103 a child whose clone return
# is printed after its first line.
cat >"$T/log" <<'LOG'
100 execve("/usr/bin/sh", ["sh"], 0x7ffc /* 3 vars */) = 0
100 brk(NULL)                          = 0x55
100 clone(child_stack=NULL, flags=SIGCHLD) = 101
101 rt_sigaction(SIGINT, {sa_handler=SIG_DFL}, NULL, 8) = 0
101 execve("/usr/bin/missing", ["x"], 0x1 /* 3 vars */) = -1 ENOENT (No such file or directory)
101 execve("/usr/bin/cat", ["cat"], 0x1 /* 3 vars */ <unfinished ...>
100 wait4(-1,  <unfinished ...>
101 <... execve resumed>)              = 0
101 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3
101 clone3({flags=CLONE_VM|CLONE_THREAD, exit_signal=0}, 88 <unfinished ...>
102 set_robust_list(0x7f, 24)          = 0
101 <... clone3 resumed>)              = 102
102 syscall_0x1b6(0x1, 0x2)            = -1 ENOSYS (Function not implemented)
102 syscall_0xfffffffffffffff5(0x1)    = -1 ENOSYS (Function not implemented)
102 syscall_0x7f3c7b6c1000(0x1, 0x2)   = -1 ENOSYS (Function not implemented)
102 syscall_0x400(0x1)                 = -1 ENOSYS (Function not implemented)
101 --- SIGCHLD {si_signo=SIGCHLD} ---
101 exit_group(0)                      = ?
100 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 101
103 getpid()                           = 103
100 vfork( <unfinished ...>
100 <... vfork resumed>)               = 103
100 restart_syscall(<... resuming interrupted read ...>) = 0
LOG
awk -f "$AWK" "$T/log" "$T/log" | cut -f1,2 >"$T/got"
cat >"$T/want" <<'WANT'
/usr/bin/sh	brk
/usr/bin/sh	clone
/usr/bin/sh	rt_sigaction
/usr/bin/sh	execve
/usr/bin/sh	wait4
/usr/bin/cat	openat
/usr/bin/cat	clone3
/usr/bin/cat	set_robust_list
/usr/bin/cat	syscall_0x1b6
/usr/bin/cat	exit_group
/usr/bin/sh	getpid
/usr/bin/sh	vfork
/usr/bin/sh	restart_syscall
WANT
diff -u "$T/want" "$T/got" || fail "strace log parser attributed calls wrongly"

# 1a. A clone that never returns (the process exits while a thread is in
# clone()): its child gets the program of the clones pending when it first
# appears, if they agree; two pending clones of different programs leave
# the child unknown ("?", reported as a miss, never dropped).
cat >"$T/log1a" <<'LOG'
300 execve("/usr/local/bin/tf", ["tf"], 0x1 /* 3 vars */) = 0
300 clone(child_stack=0xc0, flags=CLONE_VM|CLONE_THREAD) = 301
301 clone(child_stack=0xc1, flags=CLONE_VM|CLONE_THREAD <unfinished ...>
302 gettid()                            = 302
300 exit_group(0)                       = ?
302 sigaltstack(NULL, {ss_flags=SS_DISABLE}) = 0
LOG
awk -f "$AWK" "$T/log1a" "$T/log1a" | cut -f1,2 >"$T/got1a"
printf '%s\n' "/usr/local/bin/tf	clone" "/usr/local/bin/tf	gettid" "/usr/local/bin/tf	exit_group" \
	"/usr/local/bin/tf	sigaltstack" >"$T/want1a"
diff -u "$T/want1a" "$T/got1a" || fail "a child of a clone that never returned is misattributed"
cat >"$T/log1b" <<'LOG'
400 execve("/usr/bin/sh", ["sh"], 0x1 /* 3 vars */) = 0
400 clone(child_stack=NULL, flags=SIGCHLD) = 401
401 execve("/usr/bin/cat", ["cat"], 0x1 /* 3 vars */) = 0
400 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>
401 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>
402 getpid()                            = 402
LOG
awk -f "$AWK" "$T/log1b" "$T/log1b" | cut -f1,2 | grep -q '^?	getpid$' ||
	fail "a child two pending clones of different programs may have made is not reported as unknown"

# 1b. chroot: programs exec'd after it (also by children) are ROOT::PATH.
cat >"$T/log2" <<'LOG'
200 execve("/usr/sbin/chroot", ["chroot", "/r", "sh"], 0x1 /* 3 vars */) = 0
200 chroot("/r" <unfinished ...>
200 <... chroot resumed>)               = 0
200 chdir("/")                          = 0
200 execve("/bin/sh", ["sh"], 0x1 /* 3 vars */) = 0
200 clone(child_stack=NULL, flags=SIGCHLD) = 201
201 execve("/bin/ls", ["ls"], 0x1 /* 3 vars */) = 0
201 getdents64(3, 0x5, 32768)          = 0
200 chroot("/nope")                     = -1 ENOENT (No such file or directory)
200 wait4(-1, NULL, 0, NULL)            = 201
LOG
awk -f "$AWK" "$T/log2" "$T/log2" | cut -f1,2 >"$T/got2"
cat >"$T/want2" <<'WANT'
/usr/sbin/chroot	chroot
/usr/sbin/chroot	chdir
/usr/sbin/chroot	execve
/r::/bin/sh	clone
/r::/bin/sh	execve
/r::/bin/ls	getdents64
/r::/bin/sh	chroot
/r::/bin/sh	wait4
WANT
diff -u "$T/want2" "$T/got2" || fail "strace log parser mishandled chroot"

# 2. A miss is reported and fails the check (fake sets without getppid).
command -v strace >/dev/null || skip "strace not installed"
(
	export CONFINE_SOUNDNESS_FAKE=1 CONFINE_SOUNDNESS_FAKE_DROP=getppid
	st_init
	st_run ppid sh -c 'echo $PPID; /bin/true'
	st_check
) >"$T/out" 2>&1 && fail "a call missing from the static set was not reported: $(cat "$T/out")"
grep -q '^MISS ppid: /usr/bin/dash made getppid (110), not in its static set: [0-9]* *getppid()' "$T/out" ||
	fail "miss report lacks program/call/line: $(cat "$T/out")"
grep -q 'SUMMARY .* [1-9][0-9]* misses' "$T/out" || fail "no miss count: $(cat "$T/out")"
pass
