#!/bin/bash
# Node.js: require() loads native addons (NAME.node) by paths it resolves
# at run time, from any node_modules folder up from the requiring script.
# So a process with an object that exports napi_module_register gets
# every .node file of an image (or of a folder analysed as a root, but in
# /proc, /sys and /dev); on the host, those of its own
# PREFIX/lib/node_modules and of the global folders.  Checked in both
# loaders on a fake node, then for real: the host's node runs an addon
# that makes two calls node itself never makes (flock, syncfs), inside a
# chroot, under strace, and every call it makes must be in its set.
# The fake root also holds hostile entries (a link loop, a FIFO, a folder,
# a dangling link and a text file named *.node): skipped, no hang.
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
need_root
st_init
command -v gcc >/dev/null || skip "no gcc"
NODE=$(readlink -f "$(command -v node)") || fail "no node (scripts/setup.sh installs nodejs)"

# ---- a fake node in a fake root ----
R=$T/root
root_add_libc "$R"
mkdir -p "$R/usr/bin" "$R/app/node_modules/a/build/Release" "$R/usr/local/lib/node_modules/b" \
	"$R/srv/x/node_modules/c/node_modules/d/lib" "$R/proc/1" "$R/opt/other"
syscall_lib "$R/app/node_modules/a/build/Release/a.node" swapoff
syscall_lib "$R/usr/local/lib/node_modules/b/b.node" acct
syscall_lib "$R/srv/x/node_modules/c/node_modules/d/lib/d.node" vhangup
syscall_lib "$R/proc/1/e.node" iopl                       # /proc is the kernel's
syscall_lib "$R/opt/other/f.so" personality               # not an addon
# Hostile entries the walk meets: a folder link to itself, a FIFO, a
# folder, a dangling link and a text file named like addons.
ln -s .. "$R/app/node_modules/loop"
mkfifo "$R/app/node_modules/fifo.node"
mkdir "$R/app/node_modules/dir.node"
ln -s /nowhere/x.node "$R/app/node_modules/dangling.node"
echo 'not an ELF' >"$R/app/node_modules/text.node"
fake_exporter "$R/usr/bin/node" napi_module_register
fake_plain "$R/usr/bin/plain"

timeout 60 "$CONFINE" analyze --quiet --json --root "$R" /usr/bin/node /usr/bin/plain >"$T/files.json" ||
	fail "analyze --root failed (or hung on the hostile entries)"
for s in swapoff acct vhangup; do
	json_has "$T/files.json" "$s" || fail "files mode: $s missing: $(jq -c '.programs[0].objects' "$T/files.json")"
done
for s in iopl personality; do
	json_has "$T/files.json" "$s" && fail "files mode: $s counted (an addon under /proc, or a .so)"
done
jq -e '.programs[1].objects | length == 3' "$T/files.json" >/dev/null ||
	fail "plain: addons loaded into a program that is not node: $(jq -c '.programs[1].objects' "$T/files.json")"
jq -e '.programs[0] | [.objects, .object_reasons] | transpose | map(select(.[0] | endswith("/a.node"))) | .[0][1] == "node"' \
	"$T/files.json" >/dev/null || fail "files mode: the addon's reason is not node"

for s in swapoff acct vhangup; do
	"$CONFINE" explain --quiet --program /usr/bin/node "dir:$R" "$s" >"$T/e.txt" 2>&1 ||
		fail "image mode: explain $s failed: $(cat "$T/e.txt")"
	grep -q 'no program of the image can make it' "$T/e.txt" && fail "image mode: $s not explained"
done
grep -q 'a Node.js native addon' "$T/e.txt" || fail "explain does not say the object is a Node.js addon: $(cat "$T/e.txt")"
"$CONFINE" explain --quiet --program /usr/bin/node "dir:$R" iopl >"$T/e.txt" 2>&1 ||
	fail "image mode: explain iopl failed: $(cat "$T/e.txt")"
grep -q 'no program of the image can make it' "$T/e.txt" || fail "image mode: an addon under /proc counted"

# On the host (no root): the program's own PREFIX/lib/node_modules, not
# an application's folder elsewhere.
H=$T/host
mkdir -p "$H/bin" "$H/lib/node_modules/g" "$H/app/node_modules/h"
cp "$R/usr/bin/node" "$H/bin/node"
syscall_lib "$H/lib/node_modules/g/g.node" quotactl
syscall_lib "$H/app/node_modules/h/h.node" mincore
"$CONFINE" analyze --quiet --json "$H/bin/node" >"$T/host.json" || fail "analyze (host) failed"
json_has "$T/host.json" quotactl || fail "host: the prefix's global addon is missing"
json_has "$T/host.json" mincore && fail "host: an application folder outside the global ones was searched"

# ---- the real node, in a chroot, under strace ----
N=$T/noderoot
mkdir -p "$N/usr/bin" "$N/tmp" "$N/app/node_modules/syncer/build/Release"
root_add_program "$N" "$NODE" /usr/bin/node
gcc -O2 -shared -fPIC -o "$N/app/node_modules/syncer/build/Release/syncer.node" \
	"$CONFINE_SRC/tests/fixtures/node-addon.c" || fail "cannot build the addon"
ST_TRIVIAL_EXEMPT=$(readlink -f "$(command -v chroot)")
st_run node-addon env -u NODE_EXTRA_CA_CERTS chroot "$N" /usr/bin/node -e \
	'const m = require("/app/node_modules/syncer/build/Release/syncer.node"); process.exit(m.run("/tmp/lock"))'
st_check
st_observed node-addon flock || fail "the addon's flock was not seen under strace"
st_observed node-addon syncfs || fail "the addon's syncfs was not seen under strace"
pass
