#!/usr/bin/env bash
# Bad input to the batch (seed) command line: clear errors naming the file,
# the image and the field; nothing written.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"

run() { expect_fail "$1" "$CONFINE" -i "$T/images.json" -o "$T/out" -r "$T/res" "${@:2}"; }

expect_fail "missing -i" "$CONFINE" -o "$T/out" -r "$T/res"
grep -q "options -i, -o and -r are required" "$T/err" || fail "required message"

run "missing images file"
grep -q "images.json" "$T/err" || fail "missing file message: $(cat "$T/err")"

echo '{"nginx": {"enable": "yes"}}' >"$T/images.json"
run "bad enable"
grep -q "images.json: image 'nginx': \"enable\"" "$T/err" || fail "enable message: $(cat "$T/err")"

echo '{"nginx": {"enable": "true", "options": 3}}' >"$T/images.json"
run "bad options"
grep -q "image 'nginx': \"options\": must be a string" "$T/err" || fail "options message"

echo '{"nginx": {"enable": "true", "image-name": "../escape"}}' >"$T/images.json"
run "escaping name"
grep -q "must not start with '.'" "$T/err" || fail "name message"

echo '{"nginx": ' >"$T/images.json"
run "broken JSON"
grep -q "invalid JSON at line" "$T/err" || fail "json message"
[ ! -e "$T/res" ] || fail "results folder created on bad input"

echo '{"x": {"enable": "false"}}' >"$T/images.json"
echo 'not json' >"$T/default.json"
run "bad -p" -p "$T/default.json"
grep -q "default.json" "$T/err" || fail "-p message"

touch "$T/resfile"
expect_fail "-r is a file" "$CONFINE" -i "$T/images.json" -o "$T/out" -r "$T/resfile"
grep -q "exists and is a file" "$T/err" || fail "-r file message: $(cat "$T/err")"

run "missing -l file" -l "$T/nope.callgraph"
grep -q "nope.callgraph" "$T/err" || fail "-l message"

run "missing -g folder" -g "$T/nogo"
grep -q "nogo" "$T/err" || fail "-g message"
pass
