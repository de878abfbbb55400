#!/bin/bash
# Benchmark of the binary analysis (issue #3, item 11): analyse every ELF file
# of the nginx fixture image cold (empty summary cache) and warm, and run
# `objdump -d` over the same files as the baseline.  Reports wall time (hyperfine),
# peak RSS (/usr/bin/time -v), bytes of code decoded per second and the ratio
# to objdump.  Targets: cold < 3 s on 2 cores, warm < 0.3 s, >= 20x objdump.
# Then, as a third case, the next image: every ELF file of another image
# (THEN), starting from the cache the first one left, against objdump -d
# over THEN's files (summaries are shared by build-id across images).
#
#   bench/analysis.sh [--confine BIN] [--root ROOTFS] [--then ROOTFS|none] [--runs N]
#                     [--threads N] [--rm-cache]
#
# ROOTFS defaults to /var/tmp/confine-fixtures/rootfs-nginx and THEN to
# rootfs-redis beside it when that exists (tests/fixtures/images.sh nginx redis).
set -euo pipefail

CONFINE_BIN=${CONFINE:-}
ROOT=/var/tmp/confine-fixtures/rootfs-nginx
THEN=
RUNS=5
THREADS=2
RM_CACHE=0
while [ $# -gt 0 ]; do
	case $1 in
	--confine) CONFINE_BIN=$2; shift 2 ;;
	--root) ROOT=$2; shift 2 ;;
	--then) THEN=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--threads) THREADS=$2; shift 2 ;;
	--rm-cache) RM_CACHE=1; shift ;;
	-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
	*) echo "analysis.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
[ -n "$CONFINE_BIN" ] || CONFINE_BIN=$here/build/confine
for t in hyperfine objdump jq /usr/bin/time "$CONFINE_BIN"; do
	command -v "$t" >/dev/null || { echo "analysis.sh: $t not found" >&2; exit 1; }
done
[ -d "$ROOT" ] || { echo "analysis.sh: no rootfs at $ROOT (tests/fixtures/images.sh nginx)" >&2; exit 1; }
if [ -z "$THEN" ]; then
	THEN=$(dirname "$ROOT")/rootfs-redis
	[ -d "$THEN" ] && [ "$THEN" != "$ROOT" ] || THEN=none
fi
[ "$THEN" = none ] || [ -d "$THEN" ] || { echo "analysis.sh: no rootfs at $THEN" >&2; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/confine-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

# Every ELF file of an image, as paths inside it.
elf_files() {
	(cd "$1" && find . -xdev -type f -size +0 -print0 |
		xargs -0 -r sh -c 'for f; do [ "$(head -c4 "$f" 2>/dev/null | od -An -c | tr -d " ")" = "177ELF" ] && echo "${f#.}"; done; true' _) |
		sort
}
elf_files "$ROOT" >"$W/files"
n=$(wc -l <"$W/files")
sed "s|^|$ROOT|" "$W/files" >"$W/host-files"
xargs -d '\n' du -cbL <"$W/host-files" | tail -1 | cut -f1 >"$W/bytes"
# Code bytes: the executable sections (what both tools decode).
{ xargs -d '\n' -n 50 readelf -SW 2>/dev/null <"$W/host-files" || true; } |
	sed -n 's/^ *\[ *[0-9]*\] *//p' |
	awk '$7 ~ /X/ { print $5 }' | { s=0; while read -r h; do s=$((s + 16#$h)); done; echo $s; } >"$W/code"
code=$(cat "$W/code")
echo "nginx image: $n ELF files, $(($(cat "$W/bytes") / 1048576)) MiB, $((code / 1048576)) MiB of code"

export CONFINE_CACHE_DIR=$W/cache
args=(analyze --root "$ROOT" --threads "$THREADS" --json)
mapfile -t files <"$W/files"
mapfile -t host_files <"$W/host-files"
printf '%s\0' "${files[@]}" >"$W/files0"
# A cold run starts from an empty cache folder.  The previous one is moved
# aside, not deleted, until the end: ext4 does not reuse an inode within a
# minute of its deletion and scans past every such one when creating a file,
# so deleting ~1500 cache files right before a run makes each file the run
# creates cost far more than it does on an ordinary cold start (measured:
# about 0.5 s of system time per run, run with --rm-cache to see it).
if [ "$RM_CACHE" = 1 ]; then
	printf 'rm -rf "%s/cache"\n' "$W" >"$W/aside.sh"
else
	printf 'mkdir -p "%s/old"; [ ! -e "%s/cache" ] || mv "%s/cache" "$(mktemp -d "%s/old/c.XXXXXX")"\n' \
		"$W" "$W" "$W" "$W" >"$W/aside.sh"
fi
aside="bash '$W/aside.sh'"
cold="$aside; xargs -0 '$CONFINE_BIN' ${args[*]} <'$W/files0' >/dev/null"
warm="xargs -0 '$CONFINE_BIN' ${args[*]} <'$W/files0' >/dev/null"
objd="xargs -d '\n' objdump -d <'$W/host-files' >/dev/null"

# Wall times depend on what else runs: note the load (CPU times below do not).
load0=$(cut -d' ' -f1-3 /proc/loadavg)
# One warm-up that also fills the cache; check the output is complete.
xargs -0 "$CONFINE_BIN" "${args[@]}" <"$W/files0" >"$W/out.json"
got=$(jq '.programs | length' "$W/out.json")
[ "$got" -eq "$n" ] || { echo "analysis.sh: $got programs in the output, expected $n" >&2; exit 1; }

hyperfine -N --style basic --runs "$RUNS" --export-json "$W/hf1.json" \
	-n cold --prepare "$aside" "bash -c \"xargs -0 '$CONFINE_BIN' ${args[*]} <'$W/files0' >/dev/null\"" \
	-n warm --prepare true "bash -c \"$warm\"" 2>&1 | grep -v '^ *$' || true
# objdump -d takes long: one run is enough for the baseline.
hyperfine -N --style basic --runs 1 --export-json "$W/hf2.json" \
	-n objdump "bash -c \"$objd\"" 2>&1 | grep -v '^ *$' || true
jq -s '{results: (.[0].results + .[1].results)}' "$W/hf1.json" "$W/hf2.json" >"$W/hf.json"

rss() { /usr/bin/time -v bash -c "$1" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ { print $2 }'; }
rss_cold=$(rss "$cold")
rss_warm=$(rss "$warm")
rss_objd=$(rss "$objd")

jq -r --argjson code "$code" --arg rc "$rss_cold" --arg rw "$rss_warm" --arg ro "$rss_objd" '
	(.results | map({(.command): .}) | add) as $r |
	def mean(n): $r[n].mean;
	"RESULT files=\(.results | length) cold_s=\(mean("cold") * 1000 | round / 1000) warm_s=\(mean("warm") * 1000 | round / 1000) objdump_s=\(mean("objdump") * 1000 | round / 1000)",
	"  peak RSS: cold \($rc) KB, warm \($rw) KB, objdump \($ro) KB",
	"  code decoded: cold \(($code / mean("cold") / 1048576) * 10 | round / 10) MiB/s, objdump \(($code / mean("objdump") / 1048576) * 10 | round / 10) MiB/s",
	"  CPU (user + sys): cold \($r["cold"].user * 100 | round / 100) + \($r["cold"].system * 100 | round / 100) s, warm \($r["warm"].user * 100 | round / 100) + \($r["warm"].system * 100 | round / 100) s, objdump \($r["objdump"].user * 100 | round / 100) + \($r["objdump"].system * 100 | round / 100) s",
	"  speed-up vs objdump -d: cold \((mean("objdump") / mean("cold")) * 10 | round / 10)x, warm \((mean("objdump") / mean("warm")) * 10 | round / 10)x",
	"  targets: cold < 3 s: \(if mean("cold") < 3 then "met" else "MISSED" end); warm < 0.3 s: \(if mean("warm") < 0.3 then "met" else "MISSED" end); >= 20x objdump: \(if mean("objdump") / mean("cold") >= 20 then "met" else "MISSED" end)"
' "$W/hf.json" | sed "s/files=[0-9]*/files=$n/"
echo "  machine: $(nproc) CPUs, load at start $load0, at end $(cut -d' ' -f1-3 /proc/loadavg)"

# The next image: THEN's files with the cache the first image left (a fresh
# copy for each run), and objdump -d over THEN's files.
[ "$THEN" != none ] || exit 0
elf_files "$THEN" >"$W/then-files"
n2=$(wc -l <"$W/then-files")
shared=$(comm -12 "$W/files" "$W/then-files" | wc -l)
tr '\n' '\0' <"$W/then-files" >"$W/then-files0"
sed "s|^|$THEN|" "$W/then-files" >"$W/then-host-files"
echo "next image $(basename "$THEN"): $n2 ELF files, $shared of them at the same paths in $(basename "$ROOT")"
targs=(analyze --root "$THEN" --threads "$THREADS" --json)
hyperfine -N --style basic --runs "$RUNS" --export-json "$W/hf3.json" \
	-n next --prepare "bash -c \"rm -rf '$W/cache2' && cp -a '$W/cache' '$W/cache2'\"" \
	"bash -c \"CONFINE_CACHE_DIR='$W/cache2' xargs -0 '$CONFINE_BIN' ${targs[*]} <'$W/then-files0' >/dev/null\"" 2>&1 |
	grep -v '^ *$' || true
hyperfine -N --style basic --runs 1 --export-json "$W/hf4.json" \
	-n objdump-next "bash -c \"xargs -d '\\n' objdump -d <'$W/then-host-files' >/dev/null\"" 2>&1 | grep -v '^ *$' || true
jq -rs '(.[0].results[0].mean) as $c | (.[1].results[0].mean) as $o |
	"RESULT next: files=\($n) next_s=\($c * 1000 | round / 1000) objdump_s=\($o * 1000 | round / 1000) speed-up \(($o / $c) * 10 | round / 10)x"' \
	--argjson n "$n2" "$W/hf3.json" "$W/hf4.json"
