#!/usr/bin/env bash
# --repair: validation names the syscall a profile lacks, confine adds it,
# says so, and the revalidated profile passes.
. "$(dirname "$0")/lib.sh"
fixture nginx

PORT=$(free_port)
"$CONFINE" profile docker:confine-test/nginx:latest --repair --deny socket \
	--options "-p 127.0.0.1:$PORT:80" --health "http://127.0.0.1:$PORT/" -o "$T/p.json" \
	>"$T/out" 2>"$T/err" || { cat "$T/err"; fail "repair did not end in a passing profile"; }
grep -q "Repair: .*socket" "$T/err" || { cat "$T/err"; fail "repair not announced"; }
grep -q "validation: passed after repair" "$T/err" || fail "no pass after repair"
jq -e '.syscalls[0].names | index("socket")' "$T/p.json" >/dev/null || fail "socket not in the repaired profile"
pass
