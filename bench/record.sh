#!/usr/bin/env bash
# What recording with eBPF costs (`confine record`): the container's own
# system calls, and every other process's on the machine, since the
# sys_enter program runs for each system call the kernel enters.
#
#   bench/record.sh [--confine BIN] [--image NAME] [--count N] [--runs R]
#
# Baseline, in the same invocation: the same container run by `docker run`
# with the same allow-all seccomp profile that record gives it.  The
# workload is `dd if=/dev/zero of=/dev/null bs=1 count=N` (2N system
# calls: a read and a write per byte), with N=1 and N=--count, so that
#   fixed cost        = (record - docker) at N=1   (loading the programs,
#                       the monitor's bookkeeping)
#   cost per syscall  = ((record - docker) at N - fixed cost) / 2N
# Then the same dd on the host, with and without a `confine record` of
# another container (`sleep`) running beside it: the cost to processes the
# recording does not watch.  Needs root, Docker, hyperfine and a kernel
# with BTF; the image needs dd (default: the nginx test fixture).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
CONFINE_BIN=$here/build/confine
IMAGE=confine-test/nginx:latest
COUNT=1000000
RUNS=5
while [ $# -gt 0 ]; do
	case $1 in
	--confine) CONFINE_BIN=$2; shift 2 ;;
	--image) IMAGE=$2; shift 2 ;;
	--count) COUNT=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set /{/^set /!p}' "$0"; exit 0 ;;
	*) echo "bench/record.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
for tool in docker hyperfine jq; do
	command -v "$tool" >/dev/null || { echo "bench/record.sh: $tool is required" >&2; exit 1; }
done
[ -x "$CONFINE_BIN" ] || { echo "bench/record.sh: no confine at $CONFINE_BIN (build first)" >&2; exit 1; }
docker image inspect "$IMAGE" >/dev/null 2>&1 ||
	{ echo "bench/record.sh: no image $IMAGE (scripts/test.sh builds the fixtures)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/confine-bench-record.XXXXXX")
bg=
cleanup() {
	[ -n "$bg" ] && kill -INT "$bg" 2>/dev/null && wait "$bg" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
printf '{"defaultAction": "SCMP_ACT_ALLOW"}\n' >"$work/allow.json"

dd_cmd() { echo "dd if=/dev/zero of=/dev/null bs=1 count=$1 status=none"; }
run_docker() { echo "docker run --rm --network none --security-opt seccomp=$work/allow.json $IMAGE $(dd_cmd "$1")"; }
run_record() { echo "$CONFINE_BIN record --quiet --json docker:$IMAGE -- $(dd_cmd "$1")"; }
mean() { jq -r ".results[$2].mean" "$work/$1.json"; }
sd() { jq -r ".results[$2].stddev // 0" "$work/$1.json"; }

echo "bench/record.sh: load $(cut -d' ' -f1-3 /proc/loadavg), $RUNS runs, N=$COUNT, image $IMAGE"
# The recorded calls must include dd's: a check that the numbers are of a
# recording that worked.
"$CONFINE_BIN" record --quiet --json "docker:$IMAGE" -- $(dd_cmd 3) >"$work/check.json"
jq -e '.syscalls | index("read") and index("write")' "$work/check.json" >/dev/null ||
	{ echo "bench/record.sh: the recording does not hold dd's read and write" >&2; exit 1; }

hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$work/small.json" \
	-n "docker N=1" "$(run_docker 1)" -n "record N=1" "$(run_record 1)" >&2
hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$work/big.json" \
	-n "docker N=$COUNT" "$(run_docker "$COUNT")" -n "record N=$COUNT" "$(run_record "$COUNT")" >&2

# The host's dd, then the same with a recording of another container running.
hyperfine --style basic --warmup 2 --runs "$RUNS" --export-json "$work/host0.json" \
	-n "host dd" "$(dd_cmd "$COUNT")" >&2
"$CONFINE_BIN" record --quiet --timeout 120 --idle 120000 "docker:$IMAGE" -- sleep 100 >/dev/null 2>"$work/bg.err" &
bg=$!
for _ in $(seq 100); do
	bpftool prog show 2>/dev/null | grep -q on_sys_enter && docker ps -q --filter ancestor="$IMAGE" | grep -q . && break
	sleep 0.1
done
bpftool prog show | grep -q on_sys_enter || { echo "bench/record.sh: the background recording did not start" >&2; exit 1; }
hyperfine --style basic --warmup 2 --runs "$RUNS" --export-json "$work/host1.json" \
	-n "host dd, record beside" "$(dd_cmd "$COUNT")" >&2
kill -INT "$bg"
wait "$bg" || true
bg=

awk -v d1="$(mean small 0)" -v r1="$(mean small 1)" -v dn="$(mean big 0)" -v rn="$(mean big 1)" \
    -v sdn="$(sd big 0)" -v srn="$(sd big 1)" \
    -v h0="$(mean host0 0)" -v h1="$(mean host1 0)" -v n="$COUNT" 'BEGIN {
	fixed = r1 - d1
	per = ((rn - dn) - fixed) / (2 * n)
	printf "\n%-34s %10s %10s %8s\n", "", "docker", "record", "ratio"
	printf "%-34s %9.3fs %9.3fs %7.2fx\n", "container, dd N=1", d1, r1, r1 / d1
	printf "%-34s %9.3fs %9.3fs %7.2fx\n", "container, dd N=" n, dn, rn, rn / dn
	printf "fixed cost of recording:            %.0f ms\n", fixed * 1000
	printf "cost per recorded system call:      %.0f ns (+-%.0f ns)\n", per * 1e9, (sdn + srn) / (2 * n) * 1e9
	printf "%-34s %9.3fs %9.3fs %7.2fx\n", "host dd N=" n " (alone | beside)", h0, h1, h1 / h0
	printf "cost per system call of other processes: %.0f ns\n", (h1 - h0) / (2 * n) * 1e9
}'
