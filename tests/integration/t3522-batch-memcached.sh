#!/usr/bin/env bash
# Batch on a memcached image (built by tests/fixtures/images-extra.sh from
# Debian's package; runs as 'nobody'): validated profile blocking >= 150
# syscalls, and memcached answering set/get under it.
. "$(dirname "$0")/lib.sh"
need_docker
bash "$CONFINE_SRC/tests/fixtures/images-extra.sh" memcached >&2 || fail "memcached fixture"

cd "$T"
tcp_images_json memcached confine-test/memcached:latest 11211 5
batch_hardened memcached
n=$(grep -o 'Num of filtered syscalls (original): [0-9]*' err.txt | grep -o '[0-9]*$')
[ "$n" -ge 150 ] || fail "only $n syscalls blocked"

cid=$(docker run -d --rm -p 127.0.0.1:$PORT:11211 --security-opt "seccomp=$T/results/memcached.seccomp.json" confine-test/memcached:latest)
trap 'docker rm -f "$cid" >/dev/null 2>&1; rm -rf "$T"' EXIT
mc() { # mc COMMANDS: send to memcached, print the answer
	exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
	printf '%b' "$1" >&3
	timeout 2 head -n "$2" <&3
	exec 3<&-
}
for _ in $(seq 50); do mc 'version\r\n' 1 2>/dev/null | grep -q VERSION && break; sleep 0.1; done
for i in $(seq 20); do
	v="v$i"
	mc "set k$i 0 0 ${#v}\r\n$v\r\n" 1 | grep -q STORED || fail "set under the profile"
done
mc 'get k7\r\n' 3 | grep -q '^v7' || fail "get under the profile"
[ "$(docker inspect -f '{{.State.Running}}' "$cid")" = true ] || fail "memcached died under the profile"
pass
