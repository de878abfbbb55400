#!/usr/bin/env bash
# Batch on the redis fixture with a redis-cli workload: validated profile
# blocking >= 150 syscalls, and redis serving SET/GET under it.
. "$(dirname "$0")/lib.sh"
fixture redis

cd "$T"
PORT=$(free_port)
cat >images.json <<JSON
{
    "redis": {
        "enable": "true",
        "image-url": "confine-test/redis:latest",
        "options": "-p 127.0.0.1:$PORT:6379",
        "healthcheck": "tcp:127.0.0.1:$PORT",
        "workload": ["redis-cli", "ping"],
        "category": ["Databases"],
        "id": 8
    }
}
JSON
batch_hardened redis
n=$(grep -o 'Num of filtered syscalls (original): [0-9]*' err.txt | grep -o '[0-9]*$')
[ "$n" -ge 150 ] || fail "only $n syscalls blocked"
[ -f output/redis/usr/bin/redis-server ] || fail "redis-server not copied"
# redis-server is a symlink to redis-check-rdb in the image; libraries are
# opened as /lib/...: the copy keeps those names as links that stay inside.
[ -L output/redis/usr/bin/redis-server ] || fail "redis-server should be a link, as in the image"
[ -f output/redis/lib/x86_64-linux-gnu/libc.so.6 ] || fail "libc.so.6 not reachable by the loader's name"
out=$(cd output && pwd -P)
while IFS= read -r l; do
	case $(readlink -f "$l") in "$out"/*) ;; *) fail "link $l leaves the output folder" ;; esac
done < <(find output -type l)
grep -q '^8;redis;True;True;False;' results/profile.report.csv || fail "report row: $(cat results/profile.report.csv)"

cid=$(docker run -d --rm -p 127.0.0.1:$PORT:6379 --security-opt "seccomp=$T/results/redis.seccomp.json" confine-test/redis:latest)
trap 'docker rm -f "$cid" >/dev/null 2>&1; rm -rf "$T"' EXIT
for _ in $(seq 50); do docker exec "$cid" redis-cli ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
docker exec "$cid" redis-cli set confine works | grep -q OK || fail "SET under the profile"
[ "$(docker exec "$cid" redis-cli get confine)" = works ] || fail "GET under the profile"
if command -v redis-cli >/dev/null; then
	for i in $(seq 50); do redis-cli -p "$PORT" set "k$i" "v$i" >/dev/null || fail "host SET"; done
	[ "$(redis-cli -p "$PORT" dbsize)" -ge 50 ] || fail "host workload"
fi
[ "$(docker inspect -f '{{.State.Running}}' "$cid")" = true ] || fail "redis died under the profile"
pass
