#!/bin/bash
# 'confine explain' on the nginx fixture rootfs: a witness chain from nginx's
# entry to a socket() site, in text and JSON.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip "no jq"
R=$FIX/rootfs-nginx
[ -x "$R/usr/sbin/nginx" ] || skip "no nginx fixture rootfs (tests/fixtures/images.sh nginx)"

"$CONFINE" explain "dir:$R" socket --program /usr/sbin/nginx >"$T/out" 2>"$T/err" || fail "explain: $(cat "$T/err")"
grep -q "^socket (41)" "$T/out" || fail "header: $(cat "$T/out")"
grep -q "/usr/sbin/nginx" "$T/out" || fail "program: $(cat "$T/out")"
grep -q -- "-> site libc.so.6!" "$T/out" || fail "chain: $(cat "$T/out")"

"$CONFINE" explain --json "dir:$R" 41 --program /usr/sbin/nginx >"$T/j" || fail "explain --json"
jq -e '.syscall == "socket" and .number == 41 and (.programs[0].chain | length) >= 2
	and (.programs[0].chain[0].object | endswith("nginx") or endswith(".so.6") or endswith(".so.2"))' "$T/j" >/dev/null ||
	fail "json: $(head -c 600 "$T/j")"

# A syscall nginx cannot make: none of the programs explains it.
"$CONFINE" explain "dir:$R" kexec_load --program /usr/sbin/nginx >"$T/out2" || fail "explain kexec_load"
grep -q "no program of the image can make it" "$T/out2" || fail "kexec_load: $(cat "$T/out2")"
pass
