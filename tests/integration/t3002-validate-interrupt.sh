#!/usr/bin/env bash
# Ctrl-C (SIGINT) and SIGTERM during validation: confine stops, exits 130,
# and no container of its run is left behind.  A stale labelled container
# of a dead run is swept by the next run.
. "$(dirname "$0")/lib.sh"
fixture small
. "$(dirname "$0")/engine-lib.sh"

all_profile "$T/all.json"
left_of() { docker ps -a --format '{{.Label "io.confine.run"}}' --filter label=io.confine.run |
	grep -c "^$1-" || true; }

for sig in INT TERM; do
	# sleep keeps the container busy for longer than we wait.
	"$CONFINE" validate --timeout 30 --idle 20000 --options "--network none" \
		docker:confine-test/small:latest "$T/all.json" -- /bin/sleep 60 >"$T/out" 2>"$T/err" &
	pid=$!
	for i in $(seq 1 50); do
		[ "$(left_of "$pid")" -gt 0 ] && break
		sleep 0.1
	done
	[ "$(left_of "$pid")" -gt 0 ] || fail "no container appeared for run $pid"
	kill -"$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ] || fail "SIG$sig: exit $rc, want 130 ($(cat "$T/err"))"
	[ "$(left_of "$pid")" -eq 0 ] || fail "SIG$sig: containers of run $pid left behind"
done

# A container labelled by a run that no longer exists is swept.
dead=999999
docker create --label "io.confine.run=$dead-1-deadbeef" --network none \
	confine-test/small:latest /bin/echo >/dev/null
"$CONFINE" validate --options "--network none" docker:confine-test/small:latest "$T/all.json" \
	-- /bin/echo hi >/dev/null 2>&1 || fail "validate of /bin/echo failed"
[ "$(left_of "$dead")" -eq 0 ] || fail "stale container not swept"
pass
