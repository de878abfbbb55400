#!/usr/bin/env bash
# OpenLDAP's slapd (it exports overlay_register) loads the backend and
# overlay modules its configuration names: a slapd.d folder's cn=module
# entries (olcModuleLoad, from olcModulePath) or slapd.conf's moduleload
# (from modulepath), the packages' module folder by default.  Fake slapds
# get exactly the configured modules (a module nobody names stays out:
# Debian's back_perl would make slapd "every call"), and every module when
# no configuration is there; a program that is not slapd gets none.  Then
# the real slapd serves an add and a search under strace with Debian's
# configuration (back_mdb): no miss (the build before missed fstatfs).
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"

mkroot() { # mkroot ROOT: libc, a fake slapd and three modules in /usr/lib/ldap
	root_add_libc "$1"
	fake_exporter "$1/usr/sbin/slapd" overlay_register
	mkdir -p "$1/usr/lib/ldap" "$1/opt/mods"
	syscall_lib "$1/usr/lib/ldap/back_x.so" vhangup
	syscall_lib "$1/usr/lib/ldap/back_y.so" mincore
	syscall_lib "$1/opt/mods/back_z.so" getpgrp
}
an() { "$CONFINE" analyze --quiet --json --root "$1" /usr/sbin/slapd >"$T/a.json" || fail "analyze --root $1 failed"; }

# cn=config (Debian's layout).
R=$T/r1
mkroot "$R"
mkdir -p "$R/etc/ldap/slapd.d/cn=config"
printf 'dn: cn=module{0},cn=config\nobjectClass: olcModuleList\ncn: module{0}\nolcModulePath: /usr/lib/ldap\nolcModuleLoad: {0}back_x\n' \
	>"$R/etc/ldap/slapd.d/cn=config/cn=module{0}.ldif"
printf 'dn: olcDatabase={1}mdb,cn=config\nolcModuleLoad: {0}back_y\n' >"$R/etc/ldap/slapd.d/cn=config/olcDatabase={1}mdb.ldif"
rule_loads "$R" /usr/sbin/slapd vhangup 'a server module'
an "$R"
json_has "$T/a.json" mincore && fail "cn=config: a module no cn=module entry names was loaded"
# slapd.conf, with its own module path and a .la name.
R=$T/r2
mkroot "$R"
mkdir -p "$R/etc/openldap"
printf '# moduleload back_y\nmodulepath /opt/mods\nmoduleload back_z.la\n' >"$R/etc/openldap/slapd.conf"
an "$R"
json_has "$T/a.json" getpgrp || fail "slapd.conf: moduleload back_z.la from /opt/mods not loaded"
json_has "$T/a.json" mincore && fail "slapd.conf: a commented-out moduleload was loaded"
json_has "$T/a.json" vhangup && fail "slapd.conf: a module outside its modulepath was loaded"
# -F DIR (the image's Cmd): that folder's cn=module entries count too,
# which the packages' places do not hold (the build before missed them).
mkdir -p "$R/srv/ldap.d/cn=config"
printf 'dn: cn=module{0},cn=config\nolcModulePath: /usr/lib/ldap\nolcModuleLoad: {0}back_y\n' \
	>"$R/srv/ldap.d/cn=config/cn=module{0}.ldif"
"$CONFINE" profile --quiet --no-runtime --options "--entrypoint /usr/sbin/slapd" --args "-d 0 -F /srv/ldap.d" \
	-o "$T/p.json" "dir:$R" || fail "profile of slapd -F failed"
jq -e '.syscalls[0].names | index("mincore") != null' "$T/p.json" >/dev/null ||
	fail "slapd -F /srv/ldap.d: its module's mincore is not allowed"
# No configuration: every module of the module folders.
R=$T/r3
mkroot "$R"
an "$R"
json_has "$T/a.json" vhangup && json_has "$T/a.json" mincore || fail "no configuration: not every module loaded"
fake_plain "$R/usr/bin/plain"
"$CONFINE" analyze --quiet --json --root "$R" /usr/bin/plain >"$T/a.json" || fail "analyze plain failed"
json_has "$T/a.json" vhangup && fail "a program that is not slapd got a module"

# ---- the real slapd, with Debian's configuration ----
if [ -x /usr/sbin/slapd ] && command -v ldapadd >/dev/null && [ -d /etc/ldap/slapd.d ] &&
	grep -qs "olcModuleLoad: {0}back_mdb" /etc/ldap/slapd.d/cn=config/cn=module*.ldif; then
	. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
	st_workdir
	PORT=$(free_port)
	mkdir -p db
	cat >slapd.conf <<CONF
include /etc/ldap/schema/core.schema
pidfile $W/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
suffix "dc=example,dc=com"
rootdn "cn=admin,dc=example,dc=com"
rootpw secret
directory $W/db
maxsize 10485760
CONF
	st_bg slapd /usr/sbin/slapd -f "$W/slapd.conf" -h "ldap://127.0.0.1:$PORT/" -d 0
	spid=$ST_BG_PID
	st_wait_port "$PORT"
	printf 'dn: dc=example,dc=com\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n' >e.ldif
	st_run ldapadd ldapadd -x -H "ldap://127.0.0.1:$PORT" -D "cn=admin,dc=example,dc=com" -w secret -f e.ldif
	st_run ldapsearch ldapsearch -x -H "ldap://127.0.0.1:$PORT" -b "dc=example,dc=com" "(objectClass=*)"
	kill -INT "$(cat slapd.pid)"
	st_bg_wait "$spid" slapd
	st_check
	st_expect slapd /usr/sbin/slapd fstatfs
fi
pass
