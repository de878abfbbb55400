#!/usr/bin/env bash
# confine validate on nginx: an allow-everything profile passes; the same
# profile without accept4 fails under an HTTP workload and names accept4;
# --repair adds it back and passes.
. "$(dirname "$0")/lib.sh"
fixture nginx
. "$(dirname "$0")/engine-lib.sh"

port=$(free_port)
nginx_conf "$T/nginx.conf" "$port"
opts="--network host -v $T/nginx.conf:/etc/nginx/nginx.conf:ro"
hc="http://127.0.0.1:$port/"
all_profile "$T/all.json"
all_profile "$T/no-accept4.json" accept4

start=$(date +%s)
"$CONFINE" validate --options "$opts" --healthcheck "$hc" docker:confine-test/nginx:latest \
	"$T/all.json" >"$T/out" 2>"$T/err" || { cat "$T/out" "$T/err"; fail "all-syscalls profile failed"; }
grep -q "hardened SUCCESSFULLY" "$T/out" || fail "no success line: $(cat "$T/out")"
grep -q "health check passed" "$T/err" || fail "health check not reported: $(cat "$T/err")"
el=$(( $(date +%s) - start ))
[ "$el" -le 20 ] || fail "validation took ${el}s"

expect_fail "profile without accept4" "$CONFINE" validate --json --options "$opts" \
	--healthcheck "$hc" docker:confine-test/nginx:latest "$T/no-accept4.json"
python3 - "$T/out" <<'PY' || fail "JSON report: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False, d
names = [m["name"] for m in d["missing"]]
assert "accept4" in names, names
assert d["runs"]["hardened"]["health_check"] is False, d["runs"]
assert d["runs"]["baseline"]["health_check"] is True, d["runs"]
assert any("accept4" in r for r in d["reasons"]), d["reasons"]
assert d["audit"]["lost"] == 0, d["audit"]
PY

# --repair: adds accept4, says so, revalidates, writes the fixed profile.
"$CONFINE" validate --repair -o "$T/fixed.json" --options "$opts" --healthcheck "$hc" \
	docker:confine-test/nginx:latest "$T/no-accept4.json" >"$T/out" 2>"$T/err" ||
	{ cat "$T/out" "$T/err"; fail "--repair did not end in a pass"; }
grep -q "repair: adding accept4" "$T/err" || fail "repair not reported: $(cat "$T/err")"
grep -q '"accept4"' "$T/fixed.json" || fail "repaired profile lacks accept4"
! grep -q '"accept4"' "$T/no-accept4.json" || fail "input profile was modified"

[ -z "$(docker ps -aq --filter label=io.confine.run)" ] || true
pass
