#!/usr/bin/env bash
# The same image through every transport gives the same inventory: the
# engine (docker:), its `docker save` (docker-archive:), an OCI layout and
# an OCI archive made from it with skopeo (oci:, oci-archive:), and the
# unpacked rootfs (dir:, which has no image config, so only its ELF files
# are compared).
. "$(dirname "$0")/lib.sh"

fixture nginx
command -v skopeo >/dev/null || skip "skopeo not installed (needed to make the OCI inputs)"
bash "$CONFINE_SRC/tests/fixtures/oci.sh" nginx

refs=(
	"docker:confine-test/nginx:latest"
	"docker-archive:$FIX/nginx.docker.tar"
	"oci:$FIX/nginx-oci"
	"oci-archive:$FIX/nginx.oci.tar"
	"dir:$FIX/rootfs-nginx"
)
i=0
for ref in "${refs[@]}"; do
	"$CONFINE" inventory --json "$ref" >"$T/inv.$i.json" 2>"$T/err.$i" ||
		fail "inventory $ref: $(cat "$T/err.$i")"
	i=$((i + 1))
done

python3 - "$T" "${refs[@]}" <<'PY' || fail "transports disagree"
import json, sys
tdir, refs = sys.argv[1], sys.argv[2:]
docs = [json.load(open(f"{tdir}/inv.{i}.json")) for i in range(len(refs))]
def files(d):
    return json.dumps(d["elf_files"], sort_keys=True)
def whole(d):
    d = dict(d)
    # The input name differs by construction; skopeo rewrites the config
    # (so the image ID differs) without changing what is in it.
    for k in ("image", "id", "warnings"):
        d.pop(k, None)
    return json.dumps(d, sort_keys=True)
ok = True
paths = [f["path"] for f in docs[0]["elf_files"]]
if "/usr/sbin/nginx" not in paths:
    print("no /usr/sbin/nginx in", refs[0]); ok = False
if len(paths) < 50:
    print("suspiciously few ELF files:", len(paths)); ok = False
for i in range(1, len(refs)):
    if files(docs[i]) != files(docs[0]):
        a = {f["path"]: f for f in docs[0]["elf_files"]}
        b = {f["path"]: f for f in docs[i]["elf_files"]}
        print(f"{refs[i]}: ELF files differ from {refs[0]}:",
              sorted(set(a) ^ set(b))[:10] or [p for p in a if a[p] != b.get(p)][:10])
        ok = False
for i in range(1, 4):
    if whole(docs[i]) != whole(docs[0]):
        print(f"{refs[i]}: inventory differs from {refs[0]}"); ok = False
sys.exit(0 if ok else 1)
PY
pass
