#!/usr/bin/env bash
# libcurl is loaded when a command first talks to the Docker Engine API
# (util/curlrt.c), not linked: in a root without it, confine still reads
# a folder image, and a docker: image fails with a message naming the
# library, exit 1, nothing on stdout.
. "$(dirname "$0")/lib.sh"
need_root
R=$T/root
root_add_program "$R" "$(readlink -f "$CONFINE")" /confine
! ldd "$CONFINE" | grep -q libcurl || fail "confine links libcurl: $(ldd "$CONFINE" | grep libcurl)"
find "$R" -name 'libcurl*' | grep -q . && fail "the root has libcurl"
mkdir -p "$R/img/bin" "$R/tmp"
cp "$R/confine" "$R/img/bin/prog"
env -i HOME=/tmp "$(command -v chroot)" "$R" /confine inventory --quiet --json dir:/img >"$T/out" 2>"$T/err" ||
	fail "inventory of a folder failed without libcurl: $(cat "$T/err")"
grep -q '"elf_files": 1' "$T/out" || fail "inventory of the folder: $(head -c 300 "$T/out")"
rc=0
env -i HOME=/tmp "$(command -v chroot)" "$R" /confine inventory --quiet docker:busybox >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "docker: without libcurl: exit $rc, expected 1"
grep -q "cannot load libcurl.so.4" "$T/err" || fail "the message does not name libcurl: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "wrote to stdout: $(head -c 200 "$T/out")"
pass
