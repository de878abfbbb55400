#!/usr/bin/env bash
# Benchmark the batch pipeline (the seed tutorial's command) on the test
# images, split by phase: image export/open, monitor, analysis, validation.
# The baseline is the sum of the fixed waits Confine's method spends per
# image: 3 monitor runs of 60 s each plus a 60 s validation run = 240 s
# (its extra 10 s sleeps and the 5 s pause between images not counted).
# Target: the whole nginx run, validation included, under 30 s.
#
# Usage: bench/pipeline.sh [BUILD_DIR] [RUNS]   (default build, 3 runs)
# Environment: CONFINE (binary), IMAGES (default "nginx redis memcached").
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-3}
CONFINE=${CONFINE:-$build/confine}
IMAGES=${IMAGES:-nginx redis memcached}
CONFINE_BASELINE_S=240

for tool in docker jq; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done
[ -x "$CONFINE" ] || { echo "bench: no confine binary at $CONFINE" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/confine-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# A fresh analysis cache per run would measure cold starts only; keep one
# cache for the whole benchmark and report the first (cold) run apart.
export CONFINE_CACHE_DIR=$work/cache

image_json() { # image_json NAME PORT
	case $1 in
	nginx) printf '"image-url": "confine-test/nginx:latest", "options": "-p 127.0.0.1:%s:80", "healthcheck": "http://127.0.0.1:%s/"' "$2" "$2" ;;
	redis) printf '"image-url": "confine-test/redis:latest", "options": "-p 127.0.0.1:%s:6379", "healthcheck": "tcp:127.0.0.1:%s", "workload": ["redis-cli", "ping"]' "$2" "$2" ;;
	memcached) printf '"image-url": "confine-test/memcached:latest", "options": "-p 127.0.0.1:%s:11211", "healthcheck": "tcp:127.0.0.1:%s"' "$2" "$2" ;;
	esac
}

printf '%-10s %4s %8s %8s %8s %10s %8s %10s %s\n' image run image monitor analysis validation total baseline ratio
for img in $IMAGES; do
	case $img in
	nginx | redis) bash "$here/tests/fixtures/images.sh" "$img" >&2 ;;
	memcached) bash "$here/tests/fixtures/images-extra.sh" memcached >&2 ;;
	*) echo "bench: unknown image $img" >&2; exit 1 ;;
	esac
	for run in $(seq "$runs"); do
		port=$((20000 + RANDOM % 20000))
		printf '{"%s": {"enable": "true", %s}}\n' "$img" "$(image_json "$img" "$port")" >"$work/images.json"
		rm -rf "$work/out" "$work/res"
		start=$(date +%s.%N)
		"$CONFINE" -j -i "$work/images.json" -o "$work/out" -r "$work/res" --no-cve >"$work/r.json" ||
			{ echo "bench: batch failed for $img" >&2; jq . "$work/r.json" >&2; exit 1; }
		end=$(date +%s.%N)
		wall=$(echo "$end - $start" | bc)
		jq -r --arg img "$img" --arg run "$run" --arg wall "$wall" --argjson base "$CONFINE_BASELINE_S" '
			.images[0] as $i | $i.seconds as $s |
			[$img, $run, ($s.image * 100 | round / 100), ($s.monitor * 100 | round / 100),
			 ($s.analysis * 100 | round / 100), ($s.validation * 100 | round / 100),
			 ($wall | tonumber * 100 | round / 100), $base,
			 (($wall | tonumber) / $base * 1000 | round / 1000),
			 (if $i.validation.hardened then "hardened, \($i.blocked) blocked" else "NOT hardened" end)]
			| @tsv' "$work/r.json" |
			awk -F'\t' '{ printf "%-10s %4s %8s %8s %8s %10s %8s %10s %8s  %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
		if [ "$img" = nginx ]; then
			awk -v w="$wall" 'BEGIN { exit !(w < 30) }' ||
				echo "bench: nginx run took ${wall}s, over the 30 s target" >&2
		fi
	done
done
echo "(seconds; baseline = Confine's fixed waits per image: 3x60 s monitor + 60 s validation; ratio = total / baseline)"
