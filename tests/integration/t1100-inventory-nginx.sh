#!/usr/bin/env bash
# inventory of the nginx fixture image: finds /usr/sbin/nginx as the program
# the image runs, resolves each of its libraries to the file inside the image
# exactly as the image's own loader does (compared with `ldd` run in a chroot
# of the same rootfs when we are root), and emits well-formed, stable JSON.
. "$(dirname "$0")/lib.sh"

fixture nginx
command -v jq >/dev/null || skip "jq not installed"
ROOT=$FIX/rootfs-nginx
IMG=docker:confine-test/nginx:latest

"$CONFINE" inventory --json "$IMG" >"$T/inv.json" 2>"$T/err" || fail "inventory: $(cat "$T/err")"
jq -e . "$T/inv.json" >/dev/null || fail "output is not JSON"

# The program set: nginx from Cmd, found on the image's PATH.
[ "$(jq -r '.programs[0].path' "$T/inv.json")" = /usr/sbin/nginx ] || fail "program 0 is not /usr/sbin/nginx"
[ "$(jq -r '.programs[0].loader' "$T/inv.json")" = glibc ] || fail "nginx loader is not glibc"
[ "$(jq -r '.programs[0].unresolved | length' "$T/inv.json")" = 0 ] || fail "nginx has unresolved libraries"
[ "$(jq -r '.summary.unresolved_libraries' "$T/inv.json")" = 0 ] || fail "unresolved libraries in the image"

# The ELF entry for nginx agrees with readelf.
jq -e '.elf_files[] | select(.path == "/usr/sbin/nginx") |
	.type == "pie" and .linking == "dynamic" and .arch == "x86_64" and .class == "ELF64" and
	.interpreter == "/lib64/ld-linux-x86-64.so.2" and (.build_id | length) == 40 and .go == false' \
	"$T/inv.json" >/dev/null || fail "nginx ELF entry wrong: $(jq -c '.elf_files[] | select(.path == "/usr/sbin/nginx")' "$T/inv.json")"
readelf -d "$ROOT/usr/sbin/nginx" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' >"$T/needed.readelf"
jq -r '.elf_files[] | select(.path == "/usr/sbin/nginx") | .needed[]' "$T/inv.json" >"$T/needed.ours"
diff -u "$T/needed.readelf" "$T/needed.ours" || fail "DT_NEEDED differs from readelf"

# Every library resolves to a regular file of the image.
jq -r '.programs[0].libraries[] | "\(.name) \(.path) \(.real)"' "$T/inv.json" >"$T/libs"
[ "$(wc -l <"$T/libs")" -ge 6 ] || fail "too few libraries: $(cat "$T/libs")"
while read -r name path real; do
	[ -f "$ROOT$real" ] && [ ! -L "$ROOT$real" ] || fail "$name: $real is not a file of the image"
done <"$T/libs"

# Compare with the image's own loader.
if [ "$(id -u)" -eq 0 ]; then
	chroot "$ROOT" /usr/bin/ldd /usr/sbin/nginx >"$T/ldd" 2>&1 || fail "ldd in chroot failed: $(cat "$T/ldd")"
	# "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)", and the interpreter line
	awk '$2 == "=>" { print $1, $3 } $1 ~ /^\// { print $1, $1 }' "$T/ldd" | sort >"$T/ldd.pairs"
	jq -r '.programs[0].libraries[] | "\(.name) \(.path)"' "$T/inv.json" | sort >"$T/our.pairs"
	diff -u "$T/ldd.pairs" "$T/our.pairs" || fail "library set differs from ldd in the image"
else
	echo "note: not root, skipping the chroot ldd comparison"
fi

# Stable: a second run gives the same bytes.
"$CONFINE" inventory --json "$IMG" >"$T/inv2.json" 2>/dev/null || fail "second run failed"
cmp -s "$T/inv.json" "$T/inv2.json" || fail "JSON output is not deterministic"
# ELF files are sorted by path.
jq -r '.elf_files[].path' "$T/inv.json" >"$T/paths"
LC_ALL=C sort -c "$T/paths" || fail "elf_files not sorted"

# The human table names nginx and its libraries.
"$CONFINE" inventory "$IMG" >"$T/human" 2>"$T/err" || fail "human output: $(cat "$T/err")"
grep -q '^  /usr/sbin/nginx' "$T/human" || fail "human output lacks the nginx program"
grep -q 'libssl.so.3 .*/lib/x86_64-linux-gnu/libssl.so.3' "$T/human" || fail "human output lacks libssl"
grep -q '^ELF files (' "$T/human" || fail "human output lacks the ELF table"
pass
