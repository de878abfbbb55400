#!/usr/bin/env bash
# confine validate on redis with a redis-cli workload run inside the
# container (exec probe): all syscalls pass; without epoll_wait redis dies
# and validation names epoll_wait.  An image HEALTHCHECK is used when no
# --healthcheck is given.
. "$(dirname "$0")/lib.sh"
fixture redis
fixture small
. "$(dirname "$0")/engine-lib.sh"

port=$(free_port)
all_profile "$T/all.json"
all_profile "$T/no-epoll.json" epoll_wait
"$CONFINE" validate --options "--network host" --healthcheck "exec:redis-cli -p $port ping" \
	docker:confine-test/redis:latest "$T/all.json" \
	-- /usr/bin/redis-server --protected-mode no --bind 127.0.0.1 --port "$port" >"$T/out" 2>"$T/err" ||
	fail "redis with all syscalls: $(cat "$T/out" "$T/err")"
grep -q "health check passed" "$T/err" || fail "no health check: $(cat "$T/err")"

expect_fail "redis without epoll_wait" "$CONFINE" validate --json --options "--network host" \
	--healthcheck "exec:redis-cli -p $port ping" docker:confine-test/redis:latest "$T/no-epoll.json" \
	-- /usr/bin/redis-server --protected-mode no --bind 127.0.0.1 --port "$port"
python3 - "$T/out" <<'PY' || fail "epoll_wait not named: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["ok"]
m = [m for m in d["missing"] if m["name"] == "epoll_wait"]
assert m and "redis-server" in m[0]["comms"], d["missing"]
assert any("epoll_wait" in r for r in d["reasons"]), d["reasons"]
PY

# The image's own HEALTHCHECK (exec in the container).
if ! docker image inspect confine-test/engine-hc:latest >/dev/null 2>&1; then
	printf 'FROM confine-test/small:latest\nHEALTHCHECK CMD ["/bin/ls","/bin/sh"]\nCMD ["/bin/sleep","30"]\n' |
		docker build -q -t confine-test/engine-hc:latest - >/dev/null 2>&1
fi
"$CONFINE" validate --options "--network none" docker:confine-test/engine-hc:latest "$T/all.json" \
	>"$T/out" 2>"$T/err" || fail "image healthcheck: $(cat "$T/out" "$T/err")"
grep -q "health check passed" "$T/err" || fail "image HEALTHCHECK not run: $(cat "$T/err")"
pass
