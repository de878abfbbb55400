#!/usr/bin/env bash
# Hostile and broken image inputs: each is refused with a message naming the
# input and the cause, a non-zero exit, and nothing written outside the
# scratch folder (which holds the cache).  A symlink pointing out of the
# image resolves inside it.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"

mark="confine-escape-$$-$RANDOM"
python3 - "$T" "$mark" <<'PY'
import gzip, hashlib, io, json, os, shutil, sys, tarfile

tdir, mark = sys.argv[1], sys.argv[2]

def tarbytes(entries, fmt=tarfile.GNU_FORMAT):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=fmt) as t:
        for e in entries:
            ti = tarfile.TarInfo(e["name"])
            ti.mode = e.get("mode", 0o644)
            kind = e.get("kind", "file")
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
            elif kind == "symlink":
                ti.type = tarfile.SYMTYPE
                ti.linkname = e["link"]
                t.addfile(ti)
            else:
                data = e.get("data", b"")
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    return b.getvalue()

def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()

def config(diff_ids, cmd=("/bin/true",)):
    return json.dumps({"architecture": "amd64", "os": "linux",
                       "config": {"Cmd": list(cmd), "Env": ["PATH=/usr/bin:/bin"]},
                       "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()

def docker_archive(path, layers, diff_ids=None, names=None, cmd=("/bin/true",)):
    """Legacy docker save layout; manifest.json last, as docker writes it."""
    diff_ids = diff_ids or [sha(l) for l in layers]
    cfg = config(diff_ids, cmd)
    cfgname = hashlib.sha256(cfg).hexdigest() + ".json"
    names = names or [f"l{i}/layer.tar" for i in range(len(layers))]
    ents = [{"name": f"l{i}/layer.tar", "data": l} for i, l in enumerate(layers)]
    ents.append({"name": cfgname, "data": cfg})
    ents.append({"name": "manifest.json", "data": json.dumps(
        [{"Config": cfgname, "RepoTags": ["hostile:1"], "Layers": names}]).encode()})
    open(path, "wb").write(tarbytes(ents))

def oci_archive(path, blobs_layers, diff_ids, layer_digests=None):
    cfg = config(diff_ids)
    layer_digests = layer_digests or [sha(b) for b in blobs_layers]
    man = json.dumps({"schemaVersion": 2,
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                 "digest": sha(cfg), "size": len(cfg)},
                      "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                  "digest": d, "size": len(b)}
                                 for d, b in zip(layer_digests, blobs_layers)]}).encode()
    idx = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(man),
         "size": len(man), "platform": {"architecture": "amd64", "os": "linux"}}]}).encode()
    ents = [{"name": "oci-layout", "data": b'{"imageLayoutVersion":"1.0.0"}'},
            {"name": "index.json", "data": idx}]
    for b in [man, cfg]:
        ents.append({"name": "blobs/sha256/" + hashlib.sha256(b).hexdigest(), "data": b})
    # Layers are stored under the name the manifest gives, true or not.
    for d, b in zip(layer_digests, blobs_layers):
        ents.append({"name": "blobs/sha256/" + d[7:], "data": b})
    open(path, "wb").write(tarbytes(ents))

true_elf = open("/bin/true", "rb").read()
ok_layer = tarbytes([{"name": "bin/", "kind": "dir"},
                     {"name": "bin/true", "data": true_elf, "mode": 0o755}])

# 1, 2: an entry climbing out with '../', and an absolute entry.
docker_archive(f"{tdir}/dotdot.tar", [tarbytes(
    [{"name": f"../../../../../../tmp/{mark}", "data": b"pwned"}])])
docker_archive(f"{tdir}/absolute.tar", [tarbytes(
    [{"name": f"/tmp/{mark}", "data": b"pwned"}])])

# 3: symlinks pointing outside the root: the entrypoint is reached through
# '../../..' and an absolute link; both must land on the image's own file.
docker_archive(f"{tdir}/symlink.tar", [ok_layer, tarbytes([
    {"name": "usr/", "kind": "dir"},
    {"name": "usr/local/", "kind": "dir"},
    {"name": "usr/local/bin/", "kind": "dir"},
    {"name": "usr/local/bin/app", "kind": "symlink", "link": "../../../../../../../../bin/true"},
    {"name": "bin/abs", "kind": "symlink", "link": "/../../../bin/true"},
])], cmd=("/usr/local/bin/app",))

# 4: a layer declaring a huge file (a header alone; the data never comes).
hdr = tarfile.TarInfo("huge.bin")
hdr.size = 6 << 30
huge = hdr.tobuf(format=tarfile.GNU_FORMAT) + b"\0" * 1024
docker_archive(f"{tdir}/huge.tar", [huge], diff_ids=[sha(huge)])

# 5: a truncated gzip layer (its digests match the truncated bytes).
z = gzip.compress(ok_layer)[:200]
oci_archive(f"{tdir}/truncated.oci.tar", [z], [sha(ok_layer)])

# 6: a manifest naming a layer the archive lacks.
docker_archive(f"{tdir}/missing.tar", [ok_layer], names=["nothere/layer.tar"])

# 7: not an image: a text file, and a tar without any manifest.
open(f"{tdir}/notimage.txt", "w").write("just some text\n")
open(f"{tdir}/plain.tar", "wb").write(tarbytes([{"name": "hello.txt", "data": b"hi"}]))

# 8: digest mismatches: a config diff_id that is not the layer's, and an OCI
# manifest whose layer digest differs from the blob it names.
docker_archive(f"{tdir}/diffid.tar", [ok_layer], diff_ids=["sha256:" + "0" * 64])
zz = gzip.compress(ok_layer)
oci_archive(f"{tdir}/digest.oci.tar", [zz], [sha(ok_layer)], layer_digests=["sha256:" + "1" * 64])
PY

touch "$T/start"
# check_fail DESC INPUT-IN-MESSAGE CAUSE REF: inventory must fail naming both.
check_fail() {
	local desc=$1 name=$2 cause=$3 ref=$4
	expect_fail "$desc" "$CONFINE" inventory "$ref"
	grep -qF -- "$name" "$T/err" || fail "$desc: message does not name the input '$name': $(cat "$T/err")"
	grep -qiF -- "$cause" "$T/err" || fail "$desc: message does not say '$cause': $(cat "$T/err")"
	[ -s "$T/out" ] && fail "$desc: wrote output: $(head -c 300 "$T/out")"
	echo "ok: $desc: $(head -n1 "$T/err")"
}

check_fail "../ entry" "docker-archive:$T/dotdot.tar" "contains '..'" "docker-archive:$T/dotdot.tar"
check_fail "absolute entry" "docker-archive:$T/absolute.tar" "absolute member name" "docker-archive:$T/absolute.tar"
check_fail "huge file" "docker-archive:$T/huge.tar" "limit per file" "docker-archive:$T/huge.tar"
check_fail "truncated gzip" "oci-archive:$T/truncated.oci.tar" "gzip" "oci-archive:$T/truncated.oci.tar"
check_fail "missing layer" "docker-archive:$T/missing.tar" "nothere/layer.tar" "docker-archive:$T/missing.tar"
check_fail "not an image (text)" "docker-archive:$T/notimage.txt" "not a tar archive" "docker-archive:$T/notimage.txt"
check_fail "not an image (tar)" "oci-archive:$T/plain.tar" "no manifest.json or index.json" "oci-archive:$T/plain.tar"
check_fail "diff_id mismatch" "docker-archive:$T/diffid.tar" "diff_id mismatch" "docker-archive:$T/diffid.tar"
check_fail "digest mismatch" "oci-archive:$T/digest.oci.tar" "digest mismatch" "oci-archive:$T/digest.oci.tar"
check_fail "no transport" "$T/diffid.tar" "transport prefix" "$T/diffid.tar"

# An engine that is not running: a socket path nobody listens on, given
# through DOCKER_HOST.
DOCKER_HOST="unix://$T/dead.sock" check_fail "dead engine" "unix://$T/dead.sock" "is dockerd running" \
	"docker:confine-test/nginx:latest"

# A socket file nobody listens on any more (a crashed engine).
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' "$T/stale.sock"
DOCKER_HOST="unix://$T/stale.sock" check_fail "stale engine socket" "unix://$T/stale.sock" \
	"connection refused" "docker:confine-test/nginx:latest"

# Nothing escaped: no marker file anywhere we can think of, nothing new
# outside $T in /tmp.
for d in /tmp "${TMPDIR:-/tmp}" "$(dirname "$T")" /; do
	[ -e "$d/$mark" ] && fail "a hostile entry was written to $d/$mark"
done

# The symlinked entrypoint resolves to the image's own /bin/true.
"$CONFINE" inventory --json "docker-archive:$T/symlink.tar" >"$T/sym.json" 2>"$T/err" ||
	fail "symlink image: $(cat "$T/err")"
python3 - "$T/sym.json" <<'PY' || fail "symlink resolution escaped or failed"
import json, sys
d = json.load(open(sys.argv[1]))
progs = d["programs"]
assert progs, "no programs"
real = [p.get("real") for p in progs]
assert "/bin/true" in real, real
paths = [f["path"] for f in d["elf_files"]]
assert paths == ["/bin/true"], paths
PY

# An unknown image in a running engine.
if docker_up; then
	check_fail "unknown image" "docker:confine-test/does-not-exist:latest" "no such image" \
		"docker:confine-test/does-not-exist:latest"
else
	echo "note: no Docker engine; the unknown-image case was not run"
fi
pass
