#!/usr/bin/env bash
# inventory's bad inputs: usage errors exit 2, unusable images exit 1 with a
# message naming the input and the cause, nothing on stdout (or only the
# {"error": ...} object under --json).
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"

"$CONFINE" inventory --help >"$T/out" || fail "--help failed"
grep -q '^usage: confine inventory IMAGE' "$T/out" || fail "--help prints no usage"

usage_error() { # DESC PATTERN ARGS...
	local desc=$1 pat=$2 rc=0
	shift 2
	"$CONFINE" inventory "$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = 2 ] || fail "$desc: exit $rc, expected 2"
	grep -q -- "$pat" "$T/err" || fail "$desc: message lacks '$pat': $(cat "$T/err")"
	[ ! -s "$T/out" ] || fail "$desc: wrote to stdout"
}
usage_error "no image" "IMAGE missing"
usage_error "unknown option" "unknown option '--bogus'" --bogus dir:/
usage_error "two images" "one IMAGE expected" dir:/a dir:/b

input_error() { # DESC PATTERN ARGS...
	local desc=$1 pat=$2 rc=0
	shift 2
	"$CONFINE" inventory "$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = 1 ] || fail "$desc: exit $rc, expected 1"
	grep -q -- "$pat" "$T/err" || fail "$desc: message lacks '$pat': $(cat "$T/err")"
	[ ! -s "$T/out" ] || fail "$desc: wrote to stdout: $(head -c 200 "$T/out")"
}
input_error "missing folder" "$T/nonexistent" "dir:$T/nonexistent"
input_error "no transport" "no-prefix" no-prefix
echo "not a tar" >"$T/junk.tar"
input_error "not an image" "$T/junk.tar" "docker-archive:$T/junk.tar"

# Under --json the error is a JSON object on stdout.
rc=0
"$CONFINE" inventory --json "dir:$T/nonexistent" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "--json error: exit $rc"
if command -v jq >/dev/null; then
	jq -e '.error | test("nonexistent")' "$T/out" >/dev/null || fail "--json error output: $(cat "$T/out")"
fi

if docker_up; then
	input_error "unknown docker image" "confine-test/no-such-image" docker:confine-test/no-such-image:latest
fi
pass
