#!/usr/bin/env bash
# SWI-Prolog's libswipl (it exports PL_initialise) loads the foreign
# library of each Prolog library a program uses (use_foreign_library:
# socket4pl for library(socket), process for library(process) ...) from
# HOME/lib/x86_64-linux, HOME being compiled into it (Debian's
# /usr/lib/swi-prolog, upstream's PREFIX/lib/swipl) or SWI_HOME_DIR.
# Fake libswipls get each folder's library, in both loaders; a program
# without libswipl gets none.  Then the real swipl makes a socket, runs a
# process and a thread under strace: no miss (the build before missed
# listen, made by socket4pl.so).
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"

R=$T/root
root_add_libc "$R"
fake_swipl() { # fake_swipl LIBDIR HOME PROGRAM
	printf 'const char *home = "%s";\nvoid *PL_initialise(void) { return (void *)home; }\n' "$2" >"$T/swipl.c"
	mkdir -p "$1" "$(dirname "$3")"
	gcc -O2 -shared -fPIC -Wl,-soname,libswipl.so.9 -o "$1/libswipl.so.9" "$T/swipl.c" || fail "cannot build libswipl"
	printf 'void *PL_initialise(void);\nint main(void) { return PL_initialise() != 0; }\n' >"$T/main.c"
	gcc -O2 -o "$3" "$T/main.c" "$1/libswipl.so.9" -Wl,-rpath,"${1#$R}" || fail "cannot build $3"
}
fake_swipl "$R/usr/lib/x86_64-linux-gnu" /usr/lib/swi-prolog "$R/usr/bin/swipl"
mkdir -p "$R/usr/lib/swi-prolog/lib/x86_64-linux"
syscall_lib "$R/usr/lib/swi-prolog/lib/x86_64-linux/socket4pl.so" vhangup
rule_loads "$R" /usr/bin/swipl vhangup 'a SWI-Prolog foreign library'
# upstream's layout: /opt/swi/lib/swipl
fake_swipl "$R/opt/swi/lib/swipl/lib/x86_64-linux" /opt/swi/lib/swipl "$R/opt/swi/bin/swipl"
syscall_lib "$R/opt/swi/lib/swipl/lib/x86_64-linux/process.so" mincore
rule_loads "$R" /opt/swi/bin/swipl mincore 'a SWI-Prolog foreign library'
# SWI_HOME_DIR moves the home.
mkdir -p "$R/srv/pl/lib/x86_64-linux"
syscall_lib "$R/srv/pl/lib/x86_64-linux/mine.so" getpgrp
"$CONFINE" analyze --quiet --json --root "$R" /usr/bin/swipl >"$T/a.json" || fail "analyze failed"
json_has "$T/a.json" getpgrp && fail "SWI_HOME_DIR's library counted without the variable"
"$CONFINE" analyze --quiet --json --root "$R" -e SWI_HOME_DIR=/srv/pl /usr/bin/swipl >"$T/a.json" ||
	fail "analyze -e failed"
json_has "$T/a.json" getpgrp || fail "SWI_HOME_DIR's library not loaded"
fake_plain "$R/usr/bin/plain"
"$CONFINE" analyze --quiet --json --root "$R" /usr/bin/plain >"$T/a.json" || fail "analyze plain failed"
json_has "$T/a.json" vhangup && fail "a program without libswipl got a foreign library"

# ---- the real SWI-Prolog ----
if [ -x /usr/bin/swipl ] && ls /usr/lib/swi-prolog/lib/x86_64-linux/socket4pl.so >/dev/null 2>&1; then
	. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
	st_workdir
	cat >a.pl <<'PL'
:- use_module(library(process)).
:- use_module(library(socket)).
:- initialization(main, main).
main :- process_create(path(true), [], [process(P)]), process_wait(P, _),
	tcp_socket(S), tcp_bind(S, '127.0.0.1':Port), tcp_listen(S, 5), tcp_close_socket(S), writeln(Port),
	thread_create(true, T, []), thread_join(T, _),
	open('z.txt', write, O), write(O, 42), close(O),
	get_time(X), writeln(X), shell('true').
PL
	st_run swipl /usr/bin/swipl a.pl
	st_check
	st_expect swipl /usr/bin/swipl listen
fi
pass
