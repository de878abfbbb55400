#!/usr/bin/env bash
# Bad input to confine validate: a clear error naming the input and the
# cause, a non-zero exit, no output file, and no container left behind.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine-lib.sh"

echo '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}' >"$T/p.json"
echo '{"defaultAction": ' >"$T/broken.json"
echo '{"syscalls": []}' >"$T/nodefault.json"

check() { # check DESC EXPECTED-RC PATTERN CMD...
	local desc=$1 want=$2 pat=$3
	shift 3
	local rc=0
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "$desc: exit $rc, want $want ($(cat "$T/err"))"
	grep -q -- "$pat" "$T/err" "$T/out" || fail "$desc: message lacks '$pat': $(cat "$T/err" "$T/out")"
}

check "no arguments" 2 "expected IMAGE and PROFILE" "$CONFINE" validate
check "one argument" 2 "expected IMAGE and PROFILE" "$CONFINE" validate docker:x
check "unknown option" 2 "unknown option '--bogus'" "$CONFINE" validate --bogus docker:x "$T/p.json"
check "bad timeout" 2 "bad number 'soon'" "$CONFINE" validate --timeout soon docker:x "$T/p.json"
check "missing value" 2 "'--options' needs a value" "$CONFINE" validate docker:x "$T/p.json" --options
check "missing profile" 1 "cannot read profile '$T/nope.json'" \
	"$CONFINE" validate docker:x "$T/nope.json"
check "broken profile" 1 "profile '$T/broken.json': cannot parse the profile" \
	"$CONFINE" validate docker:x "$T/broken.json"
check "not a profile" 1 "not a seccomp profile" "$CONFINE" validate docker:x "$T/nodefault.json"
check "non-docker image" 1 "must be docker:NAME" "$CONFINE" validate dir:/tmp "$T/p.json"
check "rejected run option" 2 "'--privileged' is not supported" \
	"$CONFINE" validate --options "--privileged" docker:x "$T/p.json"
check "unknown run option" 2 "unknown docker run option '--frob'" \
	"$CONFINE" validate --options "--frob" docker:x "$T/p.json"
check "unterminated quote" 2 "unterminated" \
	"$CONFINE" validate --options "-e 'A=1" docker:x "$T/p.json"
check "remote health check" 2 "only loopback addresses" \
	"$CONFINE" validate --healthcheck http://192.0.2.1/ docker:x "$T/p.json"
check "bad health check" 2 "bad health check 'gopher:x'" \
	"$CONFINE" validate --healthcheck gopher:x docker:x "$T/p.json"
rc=0
"$CONFINE" validate --json docker:x "$T/nope.json" >"$T/out" 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "--json error exit $rc"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "cannot read profile" in d["error"]' "$T/out" ||
	fail "--json error is not a JSON object: $(cat "$T/out")"

if docker_up; then
	check "no such image" 1 "no such image 'confine-test/does-not-exist:nope'" \
		"$CONFINE" validate docker:confine-test/does-not-exist:nope "$T/p.json"
	# --repair never writes when validation cannot run.
	check "repair, no image" 1 "no such image" \
		"$CONFINE" validate --repair -o "$T/fixed.json" docker:confine-test/does-not-exist:nope "$T/p.json"
	[ ! -e "$T/fixed.json" ] || fail "--repair wrote a profile although nothing ran"
fi
pass
