#!/usr/bin/env bash
# A health check runs inside the container, under the container's seccomp
# profile: the image's HEALTHCHECK, a run's --health-cmd, and an exec: or
# cmd: workload or health check ('docker exec').  Their programs were not in
# the program set, so a profile could deny what the check needs: the
# container turned unhealthy under its own profile (found with dnsmasq,
# whose workload ran dig).  Here the image sleeps, and its HEALTHCHECK runs
# 'stat -f /' (statfs, which sleep never makes).  The program set must hold
# stat (origin "healthcheck"), the profile statfs, and validation (whose
# default probe is the image's HEALTHCHECK) must pass.
. "$(dirname "$0")/lib.sh"
need_docker

W=$T/w
R=$W/root
mkdir -p "$R/bin" "$R/usr/bin"
root_add_program "$R" "$(readlink -f /bin/sh)" /bin/sh
root_add_program "$R" "$(readlink -f "$(command -v sleep)")" /bin/sleep
root_add_program "$R" "$(readlink -f "$(command -v stat)")" /usr/bin/stat
root_add_program "$R" "$(readlink -f "$(command -v id)")" /usr/bin/id
tag=confine-test-hc-$$
trap 'docker rmi -f $tag $tag-bogus >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
cat >"$W/Dockerfile" <<'DF'
FROM scratch
COPY root/ /
ENV PATH=/usr/bin:/bin
HEALTHCHECK --interval=1s --timeout=3s --retries=2 CMD ["/usr/bin/stat", "-f", "/"]
CMD ["/bin/sleep", "60"]
DF
DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$W" >/dev/null 2>"$T/err" || fail "docker build failed: $(cat "$T/err")"

# The program set holds the check's program.
"$CONFINE" inventory --quiet --json "docker:$tag" >"$W/inv.json" || fail "inventory failed"
jq -e '.programs[] | select(.path == "/usr/bin/stat" and .origin == "healthcheck")' "$W/inv.json" >/dev/null ||
	fail "the HEALTHCHECK's program is not in the set: $(jq -c '[.programs[] | [.path, .origin]]' "$W/inv.json")"

# The profile allows its calls, and validation with the image's HEALTHCHECK passes.
"$CONFINE" profile --quiet "docker:$tag" -o "$W/p.json" 2>"$T/err" || fail "profile failed: $(cat "$T/err")"
jq -e '.syscalls[0].names | index("statfs")' "$W/p.json" >/dev/null || fail "statfs (stat -f) is not allowed"
"$CONFINE" validate --quiet "docker:$tag" "$W/p.json" >"$W/v.txt" 2>&1 ||
	fail "the container is not healthy under its profile: $(cat "$W/v.txt")"
# The control: without statfs the check fails under the profile, and validation says so.
jq '.syscalls[0].names -= ["statfs"]' "$W/p.json" >"$W/without.json"
! "$CONFINE" validate --quiet "docker:$tag" "$W/without.json" >"$W/v2.txt" 2>&1 ||
	fail "validation passed without statfs: the health check proves nothing"
grep -q statfs "$W/v2.txt" || fail "validation does not name statfs: $(cat "$W/v2.txt")"

# A check that takes a while is given the time it takes: each attempt was
# cut at one second, so rabbitmqctl and a psql script failed in every run.
"$CONFINE" validate --json --healthcheck "exec:/bin/sleep 2.5" "docker:$tag" "$W/p.json" >"$W/v4.json" 2>"$T/err" ||
	fail "validation with a slow check failed: $(cat "$W/v4.json" "$T/err")"
jq -e '.runs.baseline.health_check == true and .runs.hardened.health_check == true' "$W/v4.json" >/dev/null ||
	fail "a check of 2.5 s did not pass: $(jq -c '.runs' "$W/v4.json")"

# A check that fails without a profile too tests nothing: validation says so.
"$CONFINE" validate --healthcheck "host:exit 3" "docker:$tag" "$W/p.json" >"$W/v3.txt" 2>&1 ||
	fail "validation failed on a check that fails in both runs: $(cat "$W/v3.txt")"
grep "failed in the baseline run too" "$W/v3.txt" | grep -q "exited with 3" ||
	fail "no warning that the check failed without the profile: $(cat "$W/v3.txt")"
# profile --validate --json says it in fields (what scripts/image-sweep.sh
# reads to tell a broken setup from a profile's fault), not only in words.
"$CONFINE" profile --quiet --json --validate --health "host:exit 3" --force -o "$W/p3.json" "docker:$tag" \
	>"$W/r3.json" 2>"$T/err" || fail "profile --validate failed on a check that fails in both runs: $(cat "$T/err")"
jq -e '.validation.baseline | .started and .health_check == false and .exited == false and .exit_code == null and
	.check == "host:exit 3"' \
	"$W/r3.json" >/dev/null || fail "validation.baseline does not say the check failed: $(jq -c .validation "$W/r3.json")"
"$CONFINE" profile --quiet --json --validate --force -o "$W/p3.json" "docker:$tag" >"$W/r4.json" 2>"$T/err" ||
	fail "profile --validate failed: $(cat "$T/err")"
# Without --health the check is the image's HEALTHCHECK, as for 'confine validate'.
jq -e '.validation.baseline | .started and .health_check == true and .exited == false and
	.check == "HEALTHCHECK CMD /usr/bin/stat -f /"' \
	"$W/r4.json" >/dev/null || fail "validation.baseline does not say the check passed: $(jq -c .validation "$W/r4.json")"
# A run's --health-cmd is the container's check in its place.
"$CONFINE" profile --quiet --json --validate --options "--health-cmd 'id -u >/dev/null'" --force -o "$W/p3.json" \
	"docker:$tag" >"$W/r5.json" 2>"$T/err" || fail "profile --validate with --health-cmd failed: $(cat "$T/err")"
jq -e '.validation.baseline | .health_check == true and .check == "HEALTHCHECK CMD-SHELL id -u >/dev/null"' \
	"$W/r5.json" >/dev/null || fail "--health-cmd is not the check validation ran: $(jq -c .validation "$W/r5.json")"

# A container that exits at once (sleep with a bad argument) never reaches
# the check: validation says so, and that it failed without the profile too.
"$CONFINE" validate --healthcheck "host:true" "docker:$tag" "$W/p.json" -- /bin/sleep x >"$W/v5.txt" 2>&1 || true
grep -q "never ran: the container exited (code 1)" "$W/v5.txt" &&
	grep -q "exited with code 1 in the baseline run" "$W/v5.txt" ||
	fail "no warning that the container exited before the check: $(cat "$W/v5.txt")"

# A run's --health-cmd replaces it (run by the shell); --no-healthcheck drops it.
"$CONFINE" inventory --quiet --json --options "--health-cmd 'id -u >/dev/null'" "docker:$tag" >"$W/inv2.json" ||
	fail "inventory --health-cmd failed"
jq -e '[.programs[] | select(.origin == "healthcheck") | .path] | sort == ["/bin/sh", "/usr/bin/id"]' \
	"$W/inv2.json" >/dev/null || fail "--health-cmd: $(jq -c '[.programs[] | [.path, .origin]]' "$W/inv2.json")"
"$CONFINE" inventory --quiet --json --options "--no-healthcheck" "docker:$tag" >"$W/inv3.json" ||
	fail "inventory --no-healthcheck failed"
! jq -e '.programs[] | select(.origin == "healthcheck")' "$W/inv3.json" >/dev/null ||
	fail "--no-healthcheck still adds the check's program"

# An exec: workload runs in the container too.
"$CONFINE" profile --quiet --json --options "--no-healthcheck" --workload "exec:/usr/bin/id -u" "docker:$tag" \
	-o "$W/p2.json" >"$W/out2.json" 2>"$T/err" || fail "profile --workload failed: $(cat "$T/err")"
jq -e '[.why[] | select(test("^/usr/bin/id: "))] | length > 0' "$W/out2.json" >/dev/null ||
	fail "the exec: workload's program is not analysed: $(jq -c '.why' "$W/out2.json")"

# An exec: workload that runs a shell with -c: the string's commands run
# too (the build before added the shell alone: nsd's "exec:sh -c 'dig ...
# | grep ...'" was denied dig's calls).
"$CONFINE" profile --quiet --json --options "--no-healthcheck" --workload "exec:/bin/sh -ec 'stat -f / >/dev/null'" \
	"docker:$tag" -o "$W/p5.json" >"$W/out5.json" 2>"$T/err" || fail "profile --workload sh -ec failed: $(cat "$T/err")"
jq -e '.why.statfs | startswith("/usr/bin/stat: ")' "$W/out5.json" >/dev/null ||
	fail "exec:sh -ec: statfs is not explained by the string's stat: $(jq -c '.why.statfs' "$W/out5.json")"

# So does a cmd: workload, as "/bin/sh -c TEXT": the shell and the text's
# commands are in the set (the build before had neither: dup2, vfork,
# getuid, getgid and statfs were denied), and validation with it passes.
"$CONFINE" profile --quiet --json --options "--no-healthcheck" --workload "cmd:stat -f / >/dev/null && id -u" \
	--validate "docker:$tag" -o "$W/p3.json" >"$W/out3.json" 2>"$T/err" ||
	fail "validation with a cmd: workload failed: $(jq -c '.validation' "$W/out3.json") $(cat "$T/err")"
jq -e '.syscalls[0].names | index("statfs")' "$W/p3.json" >/dev/null ||
	fail "statfs (the cmd: workload's stat -f) is not allowed"
jq -e '.why.statfs | startswith("/usr/bin/stat: ")' "$W/out3.json" >/dev/null ||
	fail "statfs is not explained by the cmd: workload's stat: $(jq -c '.why.statfs' "$W/out3.json")"

# A HEALTHCHECK of no kind the engine knows (only the API makes one): the
# engine runs no check, and so do validate and profile, with a warning,
# not an error.
cid=$(docker create "$tag") || fail "docker create failed"
curl -sf --unix-socket /var/run/docker.sock -X POST -H 'Content-Type: application/json' \
	"http://localhost/commit?container=$cid&repo=$tag-bogus&tag=latest" \
	-d '{"Cmd":["/bin/sleep","60"],"Healthcheck":{"Test":["BOGUS","stat -f /"]}}' >/dev/null ||
	fail "could not commit an image with a bogus HEALTHCHECK"
docker rm "$cid" >/dev/null
"$CONFINE" validate --json "docker:$tag-bogus" "$W/p.json" >"$W/v6.json" 2>"$T/err" ||
	fail "validate failed on an image with a bogus HEALTHCHECK: $(cat "$T/err")"
jq -e '(.warnings | any(test("BOGUS.*no health check runs"))) and .runs.baseline.health_check == null' \
	"$W/v6.json" >/dev/null || fail "validate: no warning, or a check ran: $(jq -c '[.warnings, .runs]' "$W/v6.json")"
"$CONFINE" profile --quiet --json --validate --force -o "$W/p6.json" "docker:$tag-bogus" >"$W/r6.json" 2>"$T/err" ||
	fail "profile --validate failed on an image with a bogus HEALTHCHECK: $(cat "$T/err")"
jq -e '(.warnings | any(test("BOGUS"))) and .validation.baseline.check == null' "$W/r6.json" >/dev/null ||
	fail "profile: no warning, or a check ran: $(jq -c '[.warnings, .validation]' "$W/r6.json")"
pass
