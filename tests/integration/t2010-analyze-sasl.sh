#!/bin/bash
# SASL: libsasl2 dlopen()s every shared object of its plugin folder
# (sasl_client_init, sasl_server_init) to find mechanisms, so a process
# with an object exporting either gets them all.  Debian's saslpasswd2
# writes its password database through the sasldb plugin (Berkeley DB),
# whose fdatasync, pwrite64 and rename nothing else in saslpasswd2 makes.
# It runs in a chroot of its own files under strace, and every call it
# makes must be in its set (files mode, --root); the image loader
# (explain dir:) must explain fdatasync through the plugin's libdb.
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
need_root
st_init
SASLPASSWD=$(command -v saslpasswd2) || fail "no saslpasswd2 (scripts/setup.sh installs sasl2-bin)"
PLUGINS=$(ldd "$SASLPASSWD" | awk '$1 ~ /^libsasl2\.so/ { print $3 }')
[ -n "$PLUGINS" ] || fail "saslpasswd2 does not link libsasl2"
PLUGINS=$(dirname "$(readlink -f "$PLUGINS")")/sasl2
[ -f "$PLUGINS/libsasldb.so" ] || fail "no sasldb plugin in $PLUGINS"

N=$T/root
mkdir -p "$N/tmp" "$N/etc"
root_add_program "$N" "$SASLPASSWD" /usr/sbin/saslpasswd2
mkdir -p "$N$PLUGINS"
for p in "$PLUGINS"/*.so; do
	root_add_program "$N" "$(readlink -f "$p")" "$p"
done
ST_TRIVIAL_EXEMPT=$(readlink -f "$(command -v chroot)")
printf 'secret\n' >"$T/pw"
# st_run gives the workload /dev/null as stdin; the password comes from a file.
st_run saslpasswd2 sh -c 'exec chroot "$1" /usr/sbin/saslpasswd2 -p -c -f /tmp/sasldb2 -u example.org alice <"$2"' \
	sh "$N" "$T/pw"
[ -s "$N/tmp/sasldb2" ] || fail "saslpasswd2 wrote no database"
st_check
for c in fdatasync pwrite64; do
	st_observed saslpasswd2 "$c" || fail "saslpasswd2 made no $c under strace (the plugin was not used?)"
done

"$CONFINE" analyze --quiet --json --root "$N" /usr/sbin/saslpasswd2 >"$T/a.json" || fail "analyze failed"
jq -e --arg p "$PLUGINS/libsasldb.so" '.programs[0] | [.objects, .object_reasons] | transpose |
	any((.[0] | startswith($p)) and .[1] == "sasl")' "$T/a.json" >/dev/null ||
	fail "the sasldb plugin is not an object of saslpasswd2: $(jq -c '.programs[0].object_reasons' "$T/a.json")"
"$CONFINE" explain --quiet --program /usr/sbin/saslpasswd2 "dir:$N" fdatasync >"$T/e.txt" 2>&1 ||
	fail "explain failed: $(cat "$T/e.txt")"
grep -q 'no program of the image can make it' "$T/e.txt" && fail "image mode: fdatasync not explained"
grep -q 'libdb' "$T/e.txt" || fail "image mode: fdatasync not explained through the plugin's libdb: $(cat "$T/e.txt")"
pass
