#!/usr/bin/env bash
# SBCL's runtime (it exports os_link_runtime) fills the linkage table of
# its core, compiled Lisp code, with dlsym(): the C functions Lisp calls
# (pthread_create for threads, the runtime's own spawn, which forks and
# execs for run-program, the socket calls of the sb-bsd-sockets contrib)
# are named by the core's strings and the contrib fasls', not by any ELF
# object.  Fake cores give a fake runtime one call each: beside the
# program (../lib/sbcl/sbcl.core, and a contrib fasl there), SBCL_HOME's
# (only with -e SBCL_HOME), one appended to a program (save-lisp-and-die
# :executable t); a file without the core magic gives nothing, nor does a
# program that is not SBCL.  Then the real sbcl runs threads, run-program,
# sockets and POSIX calls under strace: no miss (the build before missed
# clone3, pipe2, setpgid, dup2, listen, mknodat...).
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"

R=$T/root
root_add_libc "$R"
fake_exporter "$R/usr/bin/sbcl" os_link_runtime
core() { # core FILE NAME...: a file starting with the core magic, then the names
	local f=$1
	shift
	mkdir -p "$(dirname "$f")"
	{ printf 'LCBS\0\0\0\0junk\0'; for n in "$@"; do printf '%s\0' "$n"; done; printf 'MORE\0'; } >"$f"
}
core "$R/usr/lib/sbcl/sbcl.core" getppid not-an-identifier
mkdir -p "$R/usr/lib/sbcl/contrib" "$R/usr/local/lib/sbcl"
printf 'x\006setsid\005' >"$R/usr/lib/sbcl/contrib/sb-fake.fasl"
core "$R/opt/sb/sbcl.core" getpgrp
printf 'NOTACORE\0vhangup\0' >"$R/usr/local/lib/sbcl/sbcl.core"
# An executable with its core appended: core, its offset, the magic.
fake_exporter "$R/app/lisp-app" os_link_runtime
off=$(stat -c %s "$R/app/lisp-app")
core "$T/app.core" getsid
cat "$T/app.core" >>"$R/app/lisp-app"
python3 -c 'import struct, sys; sys.stdout.buffer.write(struct.pack("<QQ", int(sys.argv[1]), 0x5342434c))' "$off" >>"$R/app/lisp-app"
fake_plain "$R/usr/bin/plain"

an() { "$CONFINE" analyze --quiet --json --root "$R" "$@" >"$T/a.json" || fail "analyze $* failed"; }
an /usr/bin/sbcl
for c in getppid setsid; do json_has "$T/a.json" "$c" || fail "sbcl lacks $c (its core's / contrib's name)"; done
for c in getpgrp getsid vhangup; do json_has "$T/a.json" "$c" && fail "sbcl got $c, which no core of it names"; done
an -e SBCL_HOME=/opt/sb /usr/bin/sbcl
json_has "$T/a.json" getpgrp || fail "SBCL_HOME's core not read"
an /app/lisp-app
json_has "$T/a.json" getsid || fail "the core appended to /app/lisp-app not read"
an /usr/bin/plain
for c in getppid setsid getsid; do json_has "$T/a.json" "$c" && fail "a program that is not SBCL got $c"; done
# The same in image mode.
"$CONFINE" explain --quiet --program /usr/bin/sbcl "dir:$R" getppid >"$T/e.txt" 2>&1 ||
	fail "image mode: explain getppid failed: $(cat "$T/e.txt")"
grep -q "libc.so.6!getppid" "$T/e.txt" || fail "image mode: no chain through libc's getppid: $(cat "$T/e.txt")"

# ---- the real SBCL ----
if [ -x /usr/bin/sbcl ] && [ -f /usr/lib/sbcl/sbcl.core ]; then
	. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
	st_workdir
	st_run sbcl-threads /usr/bin/sbcl --non-interactive --no-userinit --no-sysinit --eval '(progn
		(with-open-file (s "x.txt" :direction :output :if-exists :supersede) (print 1 s))
		(print (sb-ext:process-exit-code (sb-ext:run-program "/bin/true" nil)))
		(print (sb-unix:unix-getpid))
		(print (directory "./*.*"))
		(print (sb-thread:join-thread (sb-thread:make-thread (lambda () (sleep 0.1) 42))))
		(print (get-universal-time)))'
	st_run sbcl-contribs /usr/bin/sbcl --non-interactive --no-userinit --no-sysinit \
		--eval '(require :sb-bsd-sockets)' --eval '(require :sb-posix)' \
		--eval '(let ((s (make-instance (quote sb-bsd-sockets:inet-socket) :type :stream :protocol :tcp)))
			(setf (sb-bsd-sockets:sockopt-reuse-address s) t)
			(sb-bsd-sockets:socket-bind s #(127 0 0 1) 0)
			(sb-bsd-sockets:socket-listen s 5)
			(print (multiple-value-list (sb-bsd-sockets:socket-name s)))
			(sb-bsd-sockets:socket-close s))' \
		--eval '(print (sb-posix:getuid))' --eval '(sb-posix:mkfifo "ff" #o600)' \
		--eval '(print (sb-posix:stat-mode (sb-posix:stat "ff")))'
	st_check
	st_expect sbcl-threads /usr/bin/sbcl clone3 pipe2 setpgid
	st_expect sbcl-contribs /usr/bin/sbcl listen mknodat
fi
pass
