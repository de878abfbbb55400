#!/usr/bin/env bash
# scripts/rootfs.sh, which builds the fixtures' and the sweep's rootfs:
# what an interrupted or failed debootstrap leaves (its /proc still mounted
# in the target, here also a bind mount of a folder that is not ours) is
# unmounted and removed without crossing into the mounts.  A plain
# `rm -rf` (the code before) deletes the bound folder's file and fails on
# /proc.  Then a debootstrap that fails (a mirror nothing answers on)
# leaves neither the rootfs nor its .tmp, and no mount.
. "$(dirname "$0")/lib.sh"
need_root
command -v debootstrap >/dev/null || skip "debootstrap not installed"
. "$CONFINE_SRC/scripts/rootfs.sh"

D=$T/rootfs-x
cleanup() { rootfs_unmount "$T"; rm -rf --one-file-system "$T"; }
trap cleanup EXIT

leftovers() {
	mkdir -p "$T/theirs" "$D.tmp/proc" "$D.tmp/mnt/theirs" "$D.tmp/etc"
	echo precious >"$T/theirs/file"
	echo ours >"$D.tmp/etc/file"
	mount -t proc proc "$D.tmp/proc"
	mount --bind "$T/theirs" "$D.tmp/mnt/theirs"
}
mounts_under() { awk -v d="$1" 'index($2, d) == 1' /proc/mounts; }

leftovers
rootfs_remove "$D.tmp" || fail "rootfs_remove failed"
[ ! -e "$D.tmp" ] || fail "the leftover rootfs is still there"
[ -z "$(mounts_under "$D.tmp")" ] || fail "still mounted: $(mounts_under "$D.tmp")"
[ "$(cat "$T/theirs/file" 2>/dev/null)" = precious ] || fail "removing the leftover deleted a file behind its bind mount"

leftovers
rc=0
rootfs_build "$D" coreutils "$T/log" http://127.0.0.1:9/debian || rc=$?
[ "$rc" -ne 0 ] || fail "rootfs_build succeeded with a mirror that does not answer"
{ [ ! -e "$D" ] && [ ! -e "$D.tmp" ]; } || fail "a failed build left $(ls -d "$D"* | tr '\n' ' ')"
[ -z "$(mounts_under "$D")" ] || fail "a failed build left mounts: $(mounts_under "$D")"
[ "$(cat "$T/theirs/file" 2>/dev/null)" = precious ] || fail "a failed build deleted a file behind a bind mount"
[ -s "$T/log" ] || fail "debootstrap's output is not in the log"

# A finished rootfs of the same packages is kept as it is (cached): no
# debootstrap runs.  One of other packages is built again (here: removed,
# and the build fails).
mkdir -p "$D"
printf coreutils >"$D/.complete"
touch "$D/mine"
rootfs_build "$D" coreutils "$T/log2" http://127.0.0.1:9/debian || fail "a finished rootfs was rebuilt"
[ "$ROOTFS_BUILT" = 0 ] || fail "a finished rootfs is said to be built by this call"
{ [ -e "$D/mine" ] && [ ! -e "$T/log2" ]; } || fail "a finished rootfs was touched"
rootfs_build "$D" coreutils,curl "$T/log3" http://127.0.0.1:9/debian && fail "a rootfs of other packages was kept"
{ [ ! -e "$D" ] && [ -s "$T/log3" ]; } || fail "a rootfs of other packages was not built again"
pass
