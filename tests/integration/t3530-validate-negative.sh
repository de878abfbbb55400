#!/usr/bin/env bash
# A profile with one needed syscall removed fails validation, and the
# failure names that syscall, and the program that made it.
. "$(dirname "$0")/lib.sh"
fixture nginx

PORT=$(free_port)
expect_fail "validation of a profile without socket" \
	"$CONFINE" profile docker:confine-test/nginx:latest --validate --deny socket \
	--options "-p 127.0.0.1:$PORT:80" --health "http://127.0.0.1:$PORT/" -o "$T/p.json"
grep -q "FAILED" "$T/err" || { cat "$T/err"; fail "no failure reported"; }
grep -q "missing syscalls:.* socket (by /usr/sbin/nginx" "$T/err" || { cat "$T/err"; fail "socket or nginx not named"; }

# The JSON report says who made it too.
expect_fail "validation of a profile without socket (json)" \
	"$CONFINE" profile docker:confine-test/nginx:latest --validate --deny socket --quiet --json \
	--options "-p 127.0.0.1:$PORT:80" --health "http://127.0.0.1:$PORT/" -o "$T/p.json"
by=$(jq -r '.validation.missing_by.socket' "$T/out")
[[ ",$by," == *,/usr/sbin/nginx,* ]] || { cat "$T/out"; fail "missing_by.socket is '$by'"; }
pass
