# shellcheck shell=bash
# Sourced by tests/fixtures/images.sh and scripts/image-sweep.sh: build a
# minbase bookworm rootfs with debootstrap, cached, safely.
#
# debootstrap mounts /proc (and more) inside the target while it installs,
# and a run that fails or is interrupted leaves them mounted.  Removing such
# a directory with a plain `rm -rf` descends into the host's /proc and
# /sys: it fails (and under `set -e` every later run fails the same way) or,
# for a mount that is writable, deletes what is not ours.  So leftovers are
# unmounted first and removed without crossing into another file system,
# and one build of a rootfs at a time holds a lock on it.

# rootfs_unmount DIR: unmount everything mounted at or under DIR, deepest first.
rootfs_unmount() {
	local m
	awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m"
		done
}

# rootfs_remove DIR: remove DIR, never crossing into a mount.
rootfs_remove() {
	[ -e "$1" ] || return 0
	rootfs_unmount "$1"
	rm -rf --one-file-system "$1"
}

# rootfs_current DIR PKGS: DIR is a finished rootfs built with PKGS.
rootfs_current() {
	[ -f "$1/.complete" ] && [ "$(cat "$1/.complete")" = "$2" ]
}

# rootfs_build DIR PKGS LOG [MIRROR]: DIR is a minbase bookworm rootfs with
# PKGS (comma-separated), built once; DIR/.complete marks a finished one
# and holds PKGS, so that another list builds it again.  Output of
# debootstrap goes to LOG.  Fails (non-zero) with DIR absent.  Sets
# ROOTFS_BUILT=1 when this call built it (not another process meanwhile).
# shellcheck disable=SC2034  # ROOTFS_BUILT is the caller's to read
rootfs_build() {
	local dir=$1 pkgs=$2 log=$3 mirror=${4:-${DEBIAN_MIRROR:-http://deb.debian.org/debian}} lock rc=0
	ROOTFS_BUILT=0
	rootfs_current "$dir" "$pkgs" && return 0
	mkdir -p "$(dirname "$dir")"
	exec {lock}>"$dir.lock"
	flock "$lock"
	if ! rootfs_current "$dir" "$pkgs"; then
		rootfs_remove "$dir"
		rootfs_remove "$dir.tmp"
		if debootstrap --variant=minbase --include="$pkgs" bookworm "$dir.tmp" "$mirror" >"$log" 2>&1; then
			rootfs_unmount "$dir.tmp"
			# Small and reproducible: no apt lists or caches.
			rm -rf "$dir.tmp"/var/cache/apt/archives/*.deb "$dir.tmp"/var/lib/apt/lists/*
			printf '%s' "$pkgs" >"$dir.tmp/.complete"
			mv "$dir.tmp" "$dir"
			ROOTFS_BUILT=1
		else
			rc=1
			rootfs_remove "$dir.tmp"
		fi
	fi
	exec {lock}>&-
	return $rc
}
