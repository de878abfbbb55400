#!/bin/bash
# Benchmark of the binary analysis on large objects: time and peak memory of
# a cold `confine analyze` over a few big real binaries, against `objdump -d`
# over the same files and, with --baseline, another confine build, all in
# this one invocation.  Images do ship such files (Go programs of 50-700 MB,
# libLLVM); what matters for them is that memory stays bounded.
#
#   bench/large.sh [--confine BIN] [--baseline BIN] [--runs N] [--threads N] [--image] [FILE...]
#
# FILEs default to libLLVM (the llvm package setup.sh installs) and Debian's
# docker.io Go programs: dockerd, containerd, docker.  --image analyses
# them as an image instead (`explain dir:IMG exit_group --all-binaries`,
# IMG the files and their libraries): the image planner summarises the Go
# programs first, since their code names the programs they run; FILEs
# then default to all seven Go programs of docker.io, containerd and runc.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
CONFINE_BIN=$here/build/confine
BASE_BIN=
RUNS=3
THREADS=2
IMAGE=0
files=()
while [ $# -gt 0 ]; do
	case $1 in
	--confine) CONFINE_BIN=$2; shift 2 ;;
	--baseline) BASE_BIN=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--threads) THREADS=$2; shift 2 ;;
	--image) IMAGE=1; shift ;;
	-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
	-*) echo "large.sh: unknown argument '$1'" >&2; exit 2 ;;
	*) files+=("$1"); shift ;;
	esac
done
for t in hyperfine objdump jq readelf /usr/bin/time "$CONFINE_BIN" ${BASE_BIN:+"$BASE_BIN"}; do
	command -v "$t" >/dev/null || { echo "large.sh: $t not found" >&2; exit 1; }
done
defaults=(/usr/lib/x86_64-linux-gnu/libLLVM-*.so.1 /usr/sbin/dockerd /usr/bin/containerd /usr/bin/docker)
[ "$IMAGE" = 0 ] || defaults=(/usr/sbin/dockerd /usr/bin/containerd /usr/sbin/runc /usr/bin/docker
	/usr/bin/containerd-shim-runc-v2 /usr/bin/ctr /usr/sbin/docker-proxy)
if [ ${#files[@]} -eq 0 ]; then
	for f in "${defaults[@]}"; do
		[ -f "$f" ] && files+=("$(readlink -f "$f")")
	done
	mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -u)
fi
[ ${#files[@]} -gt 0 ] || { echo "large.sh: no input files (install llvm and docker.io, or name FILEs)" >&2; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/confine-large.XXXXXX")
trap 'rm -rf "$W"' EXIT
printf '%s\0' "${files[@]}" >"$W/files0"
code=0
for f in "${files[@]}"; do
	c=$(readelf -SW "$f" | sed -n 's/^ *\[ *[0-9]*\] *//p' |
		awk '$7 ~ /X/ { print $5 }' | { s=0; while read -r h; do s=$((s + 16#$h)); done; echo $s; })
	printf '  %-60s %5d MiB, %4d MiB of code\n' "$f" $(($(stat -Lc %s "$f") / 1048576)) $((c / 1048576))
	code=$((code + c))
done
echo "large objects: ${#files[@]} files, $((code / 1048576)) MiB of code"

# Each run starts from an empty summary cache.
run_of() { echo "rm -rf '$W/c' && CONFINE_CACHE_DIR='$W/c' xargs -0 '$1' analyze --threads $THREADS --json <'$W/files0' >/dev/null"; }
if [ "$IMAGE" = 1 ]; then
	# The files at their own paths, with their libraries and loader.
	for f in "${files[@]}" /lib64/ld-linux-x86-64.so.2 $(ldd "${files[@]}" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
		[ -f "$f" ] || continue
		mkdir -p "$W/img$(dirname "$f")"
		cp -L "$f" "$W/img$f"
	done
	echo "as an image: $(find "$W/img" -type f | wc -l) files, $(du -sm "$W/img" | cut -f1) MiB"
	run_of() { echo "rm -rf '$W/c' && CONFINE_CACHE_DIR='$W/c' '$1' -q --json explain 'dir:$W/img' exit_group --all-binaries >/dev/null"; }
fi
cmds=(-n confine "bash -c \"$(run_of "$CONFINE_BIN")\"")
[ -z "$BASE_BIN" ] || cmds+=(-n baseline "bash -c \"$(run_of "$BASE_BIN")\"")
objd="xargs -0 objdump -d <'$W/files0' >/dev/null"
hyperfine -N --style basic --runs "$RUNS" --export-json "$W/hf1.json" "${cmds[@]}" 2>&1 | grep -v '^ *$' || true
hyperfine -N --style basic --runs 1 --export-json "$W/hf2.json" -n objdump "bash -c \"$objd\"" 2>&1 | grep -v '^ *$' || true

rss() { /usr/bin/time -v bash -c "$1" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ { print $2 }'; }
rss_new=$(rss "$(run_of "$CONFINE_BIN")")
rss_base=0
[ -z "$BASE_BIN" ] || rss_base=$(rss "$(run_of "$BASE_BIN")")
rss_objd=$(rss "$objd")

jq -rs --argjson code "$code" --argjson rn "$rss_new" --argjson rb "$rss_base" --argjson ro "$rss_objd" '
	(.[0].results + .[1].results | map({(.command): .}) | add) as $r |
	def r1(x): x * 10 | round / 10;
	"RESULT large: confine_s=\($r.confine.mean * 1000 | round / 1000) objdump_s=\($r.objdump.mean * 1000 | round / 1000)" +
		(if $r.baseline then " baseline_s=\($r.baseline.mean * 1000 | round / 1000)" else "" end),
	"  peak RSS: confine \($rn / 1024 | round) MB, objdump \($ro / 1024 | round) MB" +
		(if $rb > 0 then ", baseline \($rb / 1024 | round) MB" else "" end),
	"  CPU (user + sys): confine \(r1($r.confine.user)) + \(r1($r.confine.system)) s, objdump \(r1($r.objdump.user)) + \(r1($r.objdump.system)) s",
	"  code decoded: confine \(r1($code / $r.confine.mean / 1048576)) MiB/s, objdump \(r1($code / $r.objdump.mean / 1048576)) MiB/s",
	"  ratios: objdump/confine time \(r1($r.objdump.mean / $r.confine.mean))x, confine/objdump peak RSS \($rn / $ro * 100 | round / 100)x" +
		(if $r.baseline then ", baseline/confine time \($r.baseline.mean / $r.confine.mean * 100 | round / 100)x, peak RSS \($rb / $rn * 100 | round / 100)x" else "" end)
' "$W/hf1.json" "$W/hf2.json"
echo "  machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
