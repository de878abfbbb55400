#!/bin/bash
# ImageMagick's MagickCore loads a coder module for each image format it
# reads or writes, and filter modules, from the folders compiled into it
# (Debian's /usr/lib/x86_64-linux-gnu/ImageMagick-6.9.11//modules-Q16/coders,
# double slash included) or from MAGICK_CODER_MODULE_PATH's and
# MAGICK_CODER_FILTER_PATH's.  A fake MagickCore (exporting OpenModules)
# checks the compiled-in folders and the variables in files and image mode;
# the host's convert (scripts/setup.sh installs imagemagick-6.q16) gets
# every real coder.
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"

R=$T/root
root_add_libc "$R"
L=$R/usr/lib/x86_64-linux-gnu
cat >"$T/magick.c" <<'C'
const char *const paths[] = { "/opt/im/lib/ImageMagick-7.1.1//modules-Q16HDRI/coders",
			      "/opt/im/lib/ImageMagick-7.1.1//modules-Q16HDRI/filters" };
const char *OpenModules(int i) { return paths[i & 1]; }
C
mkdir -p "$L" "$R/usr/bin" "$R/opt/im/lib/ImageMagick-7.1.1/modules-Q16HDRI/coders" \
	"$R/opt/im/lib/ImageMagick-7.1.1/modules-Q16HDRI/filters" "$R/srv/coders" "$R/srv/filters"
gcc -O2 -shared -fPIC -Wl,-soname,libMagickCore-7.Q16HDRI.so.10 -o "$L/libMagickCore-7.Q16HDRI.so.10" "$T/magick.c" ||
	fail "cannot build the fake MagickCore"
printf 'const char *OpenModules(int);\nint main(int c, char **v) { (void)v; return OpenModules(c)[0]; }\n' >"$T/convert.c"
gcc -O2 -o "$R/usr/bin/convert" "$T/convert.c" "$L/libMagickCore-7.Q16HDRI.so.10" || fail "cannot build convert"
syscall_lib "$R/opt/im/lib/ImageMagick-7.1.1/modules-Q16HDRI/coders/png.so" vhangup
syscall_lib "$R/opt/im/lib/ImageMagick-7.1.1/modules-Q16HDRI/filters/analyze.so" mincore
syscall_lib "$R/srv/coders/x.so" syncfs
syscall_lib "$R/srv/filters/y.so" iopl

rule_loads "$R" /usr/bin/convert vhangup 'an ImageMagick coder or filter'
rule_loads "$R" /usr/bin/convert mincore 'an ImageMagick coder or filter'
for v in "MAGICK_CODER_MODULE_PATH=/nowhere:/srv/coders syncfs" "MAGICK_CODER_FILTER_PATH=/srv/filters iopl"; do
	set -- $v
	"$CONFINE" analyze --quiet --json --root "$R" /usr/bin/convert >"$T/a.json" || fail "analyze convert failed"
	json_has "$T/a.json" "$2" && fail "$2 counted without $1"
	"$CONFINE" analyze --quiet --json --root "$R" -e "$1" /usr/bin/convert >"$T/a.json" || fail "analyze -e $1 failed"
	json_has "$T/a.json" "$2" || fail "files mode: -e $1: $2 missing"
	"$CONFINE" explain --quiet --options "-e $1" --program /usr/bin/convert "dir:$R" "$2" >"$T/e.txt" 2>&1 ||
		fail "explain -e $1 failed: $(cat "$T/e.txt")"
	grep -q 'an ImageMagick coder or filter' "$T/e.txt" || fail "image mode: -e $1: $2 not explained: $(cat "$T/e.txt")"
done

# ---- the host's ImageMagick ----
CONVERT=$(readlink -f "$(command -v convert-im6.q16 || true)" 2>/dev/null || true)
if [ -x "$CONVERT" ]; then
	"$CONFINE" analyze --quiet --json "$CONVERT" >"$T/c.json" || fail "analyze $CONVERT failed"
	got=$(jq '.programs[0] as $p | [range(0; $p.objects | length) | select($p.object_reasons[.] == "imagemagick")] |
		length' "$T/c.json")
	want=$(ls /usr/lib/x86_64-linux-gnu/ImageMagick-*/modules-*/coders/*.so \
		/usr/lib/x86_64-linux-gnu/ImageMagick-*/modules-*/filters/*.so | wc -l)
	[ "$got" = "$want" ] || fail "$CONVERT: $got ImageMagick modules loaded, the host has $want"
	echo "$CONVERT: $got coders and filters, $(jq '.programs[0].syscalls | length' "$T/c.json") calls"
elif [ -n "${CI:-}" ]; then
	fail "no convert-im6.q16 (scripts/setup.sh installs imagemagick-6.q16)"
fi
pass
