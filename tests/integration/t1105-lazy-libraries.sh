#!/usr/bin/env bash
# libcurl and libarchive are loaded when a command first needs them
# (util/curlrt.c: the Docker Engine API; image/archrt.c: image archives and
# layers), not linked: in a root without them, confine still reads a folder
# image, and a docker: image, or a docker-archive: file, fails with a
# message naming the library, exit 1, nothing on stdout.
. "$(dirname "$0")/lib.sh"
need_root
R=$T/root
root_add_program "$R" "$(readlink -f "$CONFINE")" /confine
for lib in libcurl libarchive; do
	! ldd "$CONFINE" | grep -q $lib || fail "confine links $lib: $(ldd "$CONFINE" | grep $lib)"
	find "$R" -name "$lib*" | grep -q . && fail "the root has $lib"
done
mkdir -p "$R/img/bin" "$R/tmp"
cp "$R/confine" "$R/img/bin/prog"
env -i HOME=/tmp "$(command -v chroot)" "$R" /confine inventory --quiet --json dir:/img >"$T/out" 2>"$T/err" ||
	fail "inventory of a folder failed without libcurl and libarchive: $(cat "$T/err")"
grep -q '"elf_files": 1' "$T/out" || fail "inventory of the folder: $(head -c 300 "$T/out")"

# A valid docker-archive: confine on the host reads it; in the root it cannot.
mkdir -p "$T/layer/bin"
cp "$R/confine" "$T/layer/bin/prog"
tar -C "$T/layer" -cf "$T/layer.tar" .
ldigest=$(sha256sum "$T/layer.tar" | cut -d' ' -f1)
mkdir -p "$T/save/$ldigest"
mv "$T/layer.tar" "$T/save/$ldigest/layer.tar"
cat >"$T/save/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/prog"]},"rootfs":{"type":"layers","diff_ids":["sha256:$ldigest"]}}
JSON
cdigest=$(sha256sum "$T/save/config.json" | cut -d' ' -f1)
mv "$T/save/config.json" "$T/save/$cdigest.json"
echo "[{\"Config\":\"$cdigest.json\",\"RepoTags\":[\"lazy:1\"],\"Layers\":[\"$ldigest/layer.tar\"]}]" >"$T/save/manifest.json"
tar -C "$T/save" -cf "$R/img.tar" .
"$CONFINE" inventory --quiet --json "docker-archive:$R/img.tar" >"$T/out" 2>"$T/err" ||
	fail "the host's confine cannot read the archive: $(cat "$T/err")"
grep -q '"elf_files": 1' "$T/out" || fail "inventory of the archive: $(head -c 300 "$T/out")"

rc=0
env -i HOME=/tmp "$(command -v chroot)" "$R" /confine inventory --quiet docker-archive:/img.tar >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "docker-archive: without libarchive: exit $rc, expected 1"
grep -q "cannot load libarchive.so.13" "$T/err" || fail "the message does not name libarchive: $(cat "$T/err")"
grep -q "/img.tar" "$T/err" || fail "the message does not name the file: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "wrote to stdout: $(head -c 200 "$T/out")"

rc=0
env -i HOME=/tmp "$(command -v chroot)" "$R" /confine inventory --quiet docker:busybox >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "docker: without libcurl: exit $rc, expected 1"
grep -q "cannot load libcurl.so.4" "$T/err" || fail "the message does not name libcurl: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "wrote to stdout: $(head -c 200 "$T/out")"
pass
