#!/usr/bin/env bash
# Tcl's package require sources the pkgIndex.tcl files of auto_path's
# folders and their subfolders, and an index loads its package's library
# from its folder (sqlite3's libtclsqlite3.so, tcltls.so).  A process with
# libtcl (it exports Tcl_PkgRequireEx) gets the libraries beside every
# index of the standard folders (/usr/lib/tcltk/..., /usr/share/tcltk,
# /usr/lib ...) and of TCLLIBPATH's; a library with no index beside it,
# and a program without libtcl, get none.  Then the real tclsh uses
# sqlite3 under strace: no miss (the build before missed fchown,
# pwrite64 and fdatasync, made by SQLite).
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"

R=$T/root
root_add_libc "$R"
fake_lib_user "$R/usr/lib/x86_64-linux-gnu/libtcl8.6.so" libtcl8.6.so Tcl_PkgRequireEx "$R/usr/bin/tclsh8.6"
mkdir -p "$R/usr/lib/tcltk/x86_64-linux-gnu/foo1.0" "$R/usr/lib/tcltk/bar" "$R/opt/tcl/baz" "$R/usr/lib/tcltk/noindex"
for d in "$R/usr/lib/tcltk/x86_64-linux-gnu/foo1.0" "$R/opt/tcl/baz"; do
	echo 'package ifneeded x 1.0 [list load [file join $dir x.so]]' >"$d/pkgIndex.tcl"
done
syscall_lib "$R/usr/lib/tcltk/x86_64-linux-gnu/foo1.0/foo.so" vhangup
syscall_lib "$R/opt/tcl/baz/baz.so" mincore
syscall_lib "$R/usr/lib/tcltk/noindex/no.so" iopl
rule_loads "$R" /usr/bin/tclsh8.6 vhangup "a Tcl package's library"
"$CONFINE" analyze --quiet --json --root "$R" /usr/bin/tclsh8.6 >"$T/a.json" || fail "analyze failed"
json_has "$T/a.json" mincore && fail "TCLLIBPATH's package counted without the variable"
json_has "$T/a.json" iopl && fail "a library without a pkgIndex.tcl beside it was loaded"
"$CONFINE" analyze --quiet --json --root "$R" -e "TCLLIBPATH=/srv {/opt/tcl}" -e TCLLIBPATH=/opt/tcl /usr/bin/tclsh8.6 \
	>"$T/a.json" || fail "analyze -e failed"
json_has "$T/a.json" mincore || fail "TCLLIBPATH's package not loaded"
fake_plain "$R/usr/bin/plain"
"$CONFINE" analyze --quiet --json --root "$R" /usr/bin/plain >"$T/a.json" || fail "analyze plain failed"
json_has "$T/a.json" vhangup && fail "a program without libtcl got a Tcl package"

# ---- the real tclsh with SQLite ----
if [ -x /usr/bin/tclsh8.6 ] && ls /usr/lib/tcltk/sqlite3/libtclsqlite3.so >/dev/null 2>&1; then
	. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
	st_workdir
	cat >a.tcl <<'TCL'
package require sqlite3
sqlite3 db ./x.db
db eval {CREATE TABLE t(a); INSERT INTO t VALUES(1); PRAGMA journal_mode=WAL; INSERT INTO t VALUES(2);}
puts [db eval {SELECT count(*) FROM t}]
db close
set s [socket -server {apply {{c a p} {close $c}}} -myaddr 127.0.0.1 0]
puts [fconfigure $s -sockname]
close $s
puts [exec true]
set f [open y.txt w]; puts $f hi; close $f
TCL
	st_run tclsh /usr/bin/tclsh8.6 a.tcl
	st_check
	st_expect tclsh /usr/bin/tclsh8.6 pwrite64 fdatasync
fi
pass
