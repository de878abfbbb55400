#!/usr/bin/env bash
# Benchmark `confine inventory` of the nginx fixture image from
# docker-archive: and docker:, with a baseline measured in the same run:
#   wall time   hyperfine (warm-up 1, N runs), mean +- stddev
#   peak RSS    /usr/bin/time -v "Maximum resident set size"
# Baselines: `docker save IMAGE | tar -x -C tmp` (what unpacking the image
# costs) and `tar -xf ARCHIVE -C tmp` for the saved archive.  Ratios are
# confine / baseline (lower is better).
#
# Usage: bench/inventory.sh [BUILD_DIR] [RUNS]   (default build, 10 runs)
# Environment: CONFINE (binary), IMAGE (default confine-test/nginx:latest).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-10}
CONFINE=${CONFINE:-$build/confine}
IMAGE=${IMAGE:-confine-test/nginx:latest}
FIX=${CONFINE_FIXTURES:-/var/tmp/confine-fixtures}

for tool in hyperfine docker /usr/bin/time python3; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done
[ -x "$CONFINE" ] || { echo "bench: no confine binary at $CONFINE" >&2; exit 1; }
if [ "$IMAGE" = confine-test/nginx:latest ]; then
	bash "$here/tests/fixtures/images.sh" nginx >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/confine-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export CONFINE_CACHE_DIR="$work/cache"
archive="$work/image.tar"
docker save -o "$archive" "$IMAGE"
size=$(stat -c %s "$archive")

# Warm the blob cache once: later runs measure the steady state; the cold
# run is reported separately.
cold=$( { /usr/bin/time -f '%e %M' "$CONFINE" inventory -q "docker-archive:$archive" >/dev/null; } 2>&1 | tail -n1)

cmd_archive="$CONFINE inventory -q docker-archive:$archive"
cmd_docker="$CONFINE inventory -q docker:$IMAGE"
cmd_base_archive="rm -rf $work/x && mkdir $work/x && tar -xf $archive -C $work/x"
cmd_base_docker="rm -rf $work/y && mkdir $work/y && docker save $IMAGE | tar -x -C $work/y"

hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/h.json" \
	-n "confine docker-archive:" "$cmd_archive" \
	-n "confine docker:" "$cmd_docker" \
	-n "baseline tar -x archive" "bash -c '$cmd_base_archive'" \
	-n "baseline docker save | tar -x" "bash -c '$cmd_base_docker'" >&2

peak() { # peak CMD... -> "wall_s maxrss_kb"
	{ /usr/bin/time -f '%e %M' "$@" >/dev/null; } 2>&1 | tail -n1
}
rss_archive=$(peak $cmd_archive)
rss_docker=$(peak $cmd_docker)
rss_base=$(peak bash -c "$cmd_base_docker")

python3 - "$work/h.json" "$size" "$cold" "$rss_archive" "$rss_docker" "$rss_base" "$IMAGE" "$(cat /proc/loadavg)" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
size, cold, ra, rd, rb, image, load = sys.argv[2:]
r = {x["command"]: x for x in h["results"]}
mb = lambda kb: int(kb) / 1024
print(f"image {image}: docker save archive {int(size) / 1e6:.1f} MB; load average {' '.join(load.split()[:3])}")
print(f"{'':32} {'mean wall (s)':>15} {'min':>7} {'cpu (s)':>8} {'peak RSS':>10} {'mean ratio':>11}")
def row(name, rss=None, base=None, note=""):
    x = r[name]
    ratio = f"{x['mean'] / r[base]['mean']:>10.2f}x" if base else ""
    rs = f"{mb(rss):>6.1f} MiB" if rss else " " * 10
    print(f"{name:32} {x['mean']:>7.3f} ± {x['stddev']:.3f} {x['min']:>7.3f} {x['user'] + x['system']:>8.3f} {rs} {ratio} {note}")
c = cold.split()
print(f"{'confine docker-archive: (cold)':32} {float(c[0]):>15.3f} {'':>7} {'':>8} {mb(c[1]):>6.1f} MiB  (first run, blob cache empty)")
row("confine docker-archive:", ra.split()[1], "baseline tar -x archive", "vs tar -x")
row("confine docker:", rd.split()[1], "baseline docker save | tar -x", "vs save|tar -x")
row("baseline tar -x archive")
row("baseline docker save | tar -x", rb.split()[1])
a, d = r["confine docker-archive:"], r["confine docker:"]
ok = a["mean"] < 2 and d["mean"] < 2 and mb(ra.split()[1]) < 200 and mb(rd.split()[1]) < 200
print("target (mean < 2 s, peak < 200 MiB):", "met" if ok else "NOT met (see the load average)")
PY
