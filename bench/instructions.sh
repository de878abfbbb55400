#!/bin/bash
# Instructions executed (valgrind --tool=callgrind) by a cold analysis and by
# `objdump -d` over the same ELF files, and their ratio: the CPU work of
# the two, which the machine's load does not change (bench/analysis.sh
# measures wall time, which it does).  Default files: /usr/sbin/nginx of the
# nginx fixture image and every object it loads.  One analysis thread, an
# empty summary cache, huge pages off (valgrind's heap does not have them).
#
#   bench/instructions.sh [--confine BIN] [--root ROOTFS] [PATH-IN-ROOT...]
set -euo pipefail

CONFINE_BIN=${CONFINE:-}
ROOT=/var/tmp/confine-fixtures/rootfs-nginx
while [ $# -gt 0 ]; do
	case $1 in
	--confine) CONFINE_BIN=$2; shift 2 ;;
	--root) ROOT=$2; shift 2 ;;
	-h|--help) sed -n '2,9p' "$0"; exit 0 ;;
	--) shift; break ;;
	-*) echo "instructions.sh: unknown argument '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
[ -n "$CONFINE_BIN" ] || CONFINE_BIN=$here/build/confine
for t in valgrind objdump jq "$CONFINE_BIN"; do
	command -v "$t" >/dev/null || { echo "instructions.sh: $t not found" >&2; exit 1; }
done
[ -d "$ROOT" ] || { echo "instructions.sh: no rootfs at $ROOT (tests/fixtures/images.sh nginx)" >&2; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/confine-instr.XXXXXX")
trap 'rm -rf "$W"' EXIT
export GLIBC_TUNABLES=glibc.malloc.hugetlb=0

if [ $# -eq 0 ]; then
	CONFINE_CACHE_DIR=$W/c0 "$CONFINE_BIN" analyze --root "$ROOT" --json /usr/sbin/nginx >"$W/objs.json"
	mapfile -t files < <(jq -r '.programs[0].objects[]' "$W/objs.json")
else
	files=("$@")
fi
host=()
for f in "${files[@]}"; do
	[ -f "$ROOT$f" ] || { echo "instructions.sh: no file $f in $ROOT" >&2; exit 1; }
	host+=("$ROOT$f")
done
code=$(readelf -SW "${host[@]}" 2>/dev/null | sed -n 's/^ *\[ *[0-9]*\] *//p' |
	awk '$7 ~ /X/ { print $5 }' | { s=0; while read -r h; do s=$((s + 16#$h)); done; echo $s; })

# ir LOG: the "I refs" total valgrind printed.
ir() { sed -n 's/.*I *refs: *//p' "$1" | tr -d ','; }
CONFINE_CACHE_DIR=$W/c1 valgrind --tool=callgrind --callgrind-out-file="$W/cg.confine" \
	"$CONFINE_BIN" analyze --root "$ROOT" --threads 1 --json "${files[@]}" >"$W/out.json" 2>"$W/vg.confine"
jq -e --argjson n "${#files[@]}" '.programs | length == $n' "$W/out.json" >/dev/null ||
	{ echo "instructions.sh: the analysis did not give ${#files[@]} programs" >&2; exit 1; }
valgrind --tool=callgrind --callgrind-out-file="$W/cg.objdump" objdump -d "${host[@]}" >/dev/null 2>"$W/vg.objdump"
c=$(ir "$W/vg.confine")
o=$(ir "$W/vg.objdump")
echo "files: ${#files[@]} ($(printf '%s ' "${files[@]}" | cut -c1-200)...), $((code / 1024)) KiB of code"
awk -v c="$c" -v o="$o" -v code="$code" 'BEGIN {
	printf "RESULT instructions: confine analyze (cold, 1 thread) %.3g, objdump -d %.3g: %.1fx fewer\n", c, o, o / c
	printf "  per byte of code: confine %.0f, objdump %.0f\n", c / code, o / code
}'
