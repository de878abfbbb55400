#!/usr/bin/env bash
# Batch on a python3 image (tests/fixtures/images-extra.sh): a server whose
# requests import mmap and sqlite3 only after the monitor phase, so only
# the analysis (python3's lib-dynload modules) can know what they need.
# Under the validated profile every request must succeed (mmap.flush is
# msync, which nothing else in python3 makes) and the server must live.
. "$(dirname "$0")/lib.sh"
need_docker
bash "$CONFINE_SRC/tests/fixtures/images-extra.sh" python >&2 || fail "python fixture"

cd "$T"
tcp_images_json python confine-test/python:latest 8000 10
batch_hardened python
P=$T/results/python.seccomp.json
jq -e '.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names | index("msync")' "$P" >/dev/null ||
	fail "msync (mmap.flush, from lib-dynload's mmap module) is not allowed"

cid=$(docker run -d --rm -p "127.0.0.1:$PORT:8000" --security-opt "seccomp=$P" confine-test/python:latest)
trap 'docker rm -f "$cid" >/dev/null 2>&1; rm -rf "$T"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && break; sleep 0.1; done
for i in $(seq 10); do
	r=$(curl -sf --max-time 5 "http://127.0.0.1:$PORT/r$i") || fail "request $i failed under the profile"
	[ "$r" = "ok 1" ] || fail "request $i: unexpected answer '$r'"
done
[ "$(docker inspect -f '{{.State.Running}}' "$cid")" = true ] || fail "the server died under the profile"
pass
