#!/bin/bash
# GLib's family loads modules by folder: libgio every module of its module
# folder (GIO_MODULE_DIR, GIO_EXTRA_MODULES), gdk-pixbuf its image loaders
# (GDK_PIXBUF_MODULEDIR, the cache GDK_PIXBUF_MODULE_FILE names), GStreamer
# its plugins (GST_PLUGIN_PATH ..., scanned recursively).  Fake libraries
# exporting the rules' symbols check each folder and variable in files mode
# (analyze -e) and image mode (explain --options -e); the host's real gio
# and gdk-pixbuf-thumbnailer get their real modules.
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"

R=$T/root
root_add_libc "$R"
fake_lib_user "$R/usr/lib/x86_64-linux-gnu/libgio-2.0.so.0" libgio-2.0.so.0 g_io_extension_point_register \
	"$R/usr/bin/gio"
fake_lib_user "$R/usr/lib/x86_64-linux-gnu/libgdk_pixbuf-2.0.so.0" libgdk_pixbuf-2.0.so.0 gdk_pixbuf_new_from_file \
	"$R/usr/bin/thumb"
fake_lib_user "$R/usr/lib/x86_64-linux-gnu/libgstreamer-1.0.so.0" libgstreamer-1.0.so.0 gst_init "$R/usr/bin/gst"
mkdir -p "$R/usr/lib/x86_64-linux-gnu/gio/modules" "$R/usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/2.10.0/loaders" \
	"$R/usr/lib/x86_64-linux-gnu/gstreamer-1.0" "$R/srv/gio" "$R/srv/extra" "$R/srv/px" "$R/srv/cache" \
	"$R/srv/gst/a/b"
syscall_lib "$R/usr/lib/x86_64-linux-gnu/gio/modules/libm1.so" vhangup
syscall_lib "$R/srv/gio/libm2.so" mincore
syscall_lib "$R/srv/extra/libm3.so" syncfs
syscall_lib "$R/usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/2.10.0/loaders/libpixbufloader-x.so" personality
syscall_lib "$R/srv/px/libpixbufloader-y.so" iopl
syscall_lib "$R/srv/cache/libpixbufloader-z.so" quotactl
printf '# GdkPixbuf Image Loader Modules file\n"/srv/cache/libpixbufloader-z.so"\n"z" 5 "gdk-pixbuf" "Z" "LGPL"\n' \
	>"$R/srv/cache/loaders.cache"
syscall_lib "$R/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstx.so" acct
syscall_lib "$R/srv/gst/a/b/libgsty.so" swapoff

# the packages' folders
rule_loads "$R" /usr/bin/gio vhangup 'a GIO module'
rule_loads "$R" /usr/bin/thumb personality 'a gdk-pixbuf image loader'
rule_loads "$R" /usr/bin/gst acct 'a GStreamer plugin'
# what the environment adds, and only with it
with_env() { # with_env PROG SYSCALL PHRASE VAR=VALUE
	"$CONFINE" analyze --quiet --json --root "$R" "$1" >"$T/a.json" || fail "analyze $1 failed"
	json_has "$T/a.json" "$2" && fail "files mode: $1 has $2 without $4"
	"$CONFINE" analyze --quiet --json --root "$R" -e "$4" "$1" >"$T/a.json" || fail "analyze -e $4 $1 failed"
	json_has "$T/a.json" "$2" || fail "files mode: $1 lacks $2 with -e $4: $(jq -c '.programs[0].objects' "$T/a.json")"
	"$CONFINE" explain --quiet --options "-e $4" --program "$1" "dir:$R" "$2" >"$T/e.txt" 2>&1 ||
		fail "explain $2 -e $4 failed: $(cat "$T/e.txt")"
	grep -q "$3" "$T/e.txt" || fail "image mode: $1's $2 with -e $4 not explained through $3: $(cat "$T/e.txt")"
}
with_env /usr/bin/gio mincore 'a GIO module' GIO_MODULE_DIR=/srv/gio
with_env /usr/bin/gio syncfs 'a GIO module' GIO_EXTRA_MODULES=/nowhere:/srv/extra
with_env /usr/bin/thumb iopl 'a gdk-pixbuf image loader' GDK_PIXBUF_MODULEDIR=/srv/px
with_env /usr/bin/thumb quotactl 'a gdk-pixbuf image loader' GDK_PIXBUF_MODULE_FILE=/srv/cache/loaders.cache
with_env /usr/bin/gst swapoff 'a GStreamer plugin' GST_PLUGIN_PATH=/srv/gst
with_env /usr/bin/gst swapoff 'a GStreamer plugin' GST_PLUGIN_SYSTEM_PATH_1_0=/srv/gst
# a program without the library gets none of it
fake_plain "$R/usr/bin/plain"
"$CONFINE" analyze --quiet --json --root "$R" -e GIO_MODULE_DIR=/srv/gio /usr/bin/plain >"$T/a.json" ||
	fail "analyze plain failed"
json_has "$T/a.json" mincore && fail "a program without libgio got a GIO module"

# ---- the host's real programs get their real modules ----
reasons() { # reasons PROG: "NAME=REASON" of the objects the GLib rules added
	"$CONFINE" analyze --quiet --json "$1" |
		jq -r '.programs[0] as $p | range(0; $p.objects | length) |
			select($p.object_reasons[.] | IN("gio", "gdk-pixbuf", "gstreamer")) |
			"\($p.objects[.] | split("/") | last)=\($p.object_reasons[.])"'
}
if [ -x /usr/bin/gio ] && ls /usr/lib/x86_64-linux-gnu/gio/modules/*.so >/dev/null 2>&1; then
	for m in /usr/lib/x86_64-linux-gnu/gio/modules/*.so; do
		reasons /usr/bin/gio | grep -qx "$(basename "$m")=gio" || fail "gio: $m not loaded: $(reasons /usr/bin/gio)"
	done
fi
if [ -x /usr/bin/gdk-pixbuf-thumbnailer ]; then
	n=$(reasons /usr/bin/gdk-pixbuf-thumbnailer | grep -c '=gdk-pixbuf$' || true)
	want=$(ls /usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/*/loaders/*.so 2>/dev/null | wc -l)
	[ "$n" = "$want" ] || fail "gdk-pixbuf-thumbnailer: $n loaders, the host has $want"
fi
pass
