#!/usr/bin/env bash
# A profile with one needed syscall removed fails validation, and the
# failure names that syscall.
. "$(dirname "$0")/lib.sh"
fixture nginx

PORT=$(free_port)
expect_fail "validation of a profile without socket" \
	"$CONFINE" profile docker:confine-test/nginx:latest --validate --deny socket \
	--options "-p 127.0.0.1:$PORT:80" --health "http://127.0.0.1:$PORT/" -o "$T/p.json"
grep -q "FAILED" "$T/err" || { cat "$T/err"; fail "no failure reported"; }
grep -q "missing syscalls:.* socket" "$T/err" || { cat "$T/err"; fail "socket not named"; }
pass
