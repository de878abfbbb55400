#!/usr/bin/env bash
# Dependencies: started before the image (linked when "link" is set),
# removed afterwards, and no container of confine's is left behind; a
# results file that is not a profile is never replaced.
. "$(dirname "$0")/lib.sh"
fixture nginx
fixture redis

cd "$T"
cat >images.json <<'JSON'
{
    "web": {
        "enable": "true",
        "image-url": "confine-test/nginx:latest",
        "dependencies": {
            "cache": {"image-url": "confine-test/redis:latest", "link": true}
        }
    }
}
JSON
"$CONFINE" -i images.json -o output -r results --no-validate --timeout 3 --no-cve >out.txt 2>err.txt ||
	{ cat err.txt; fail "batch with a dependency failed"; }
grep -q "Starting dependency cache (confine-test/redis:latest) as container confine-dep-" err.txt ||
	fail "dependency not started: $(cat err.txt)"
left=$(docker ps -aq --filter "name=confine-dep-" --filter "label=io.confine.run")
[ -z "$left" ] || fail "dependency containers left behind: $left"
[ -s results/web.seccomp.json ] || fail "no profile"

# --json: one object per image with the phase timings and the counts.
"$CONFINE" -j -i images.json -o output -r results -p "$CONFINE_SRC/data/docker-default.seccomp.json" --no-validate --no-monitor --no-cve >run.json ||
	fail "batch --json"
jq -e '.images[0].image == "web" and .images[0].blocked >= 0 and (.images[0].seconds | has("analysis")) and .images[0].profile == "results/web.seccomp.json"' run.json >/dev/null ||
	fail "batch --json output: $(cat run.json)"

# results/NAME.seccomp.json that is not a profile: refused, untouched.
echo "keep me" >results/web.seccomp.json
expect_fail "non-profile results file" "$CONFINE" -i images.json -o output -r results --no-validate --no-monitor --no-cve
grep -q "exists and is not a seccomp profile" "$T/err" || fail "refusal message: $(cat "$T/err")"
[ "$(cat results/web.seccomp.json)" = "keep me" ] || fail "user file replaced"
pass
