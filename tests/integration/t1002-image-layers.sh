#!/usr/bin/env bash
# A multi-layer image built by the engine itself: deletions (whiteouts), a
# folder removed and recreated (opaque whiteout), a hard link and a script
# entrypoint, read from docker: and from its docker save archive.
. "$(dirname "$0")/lib.sh"

fixture nginx
mkdir -p "$T/ctx"
printf '#!/bin/sh\nexec /bin/ls "$@"\n' >"$T/ctx/hello.sh"
chmod 755 "$T/ctx/hello.sh"
cat >"$T/ctx/Dockerfile" <<'DF'
FROM confine-test/nginx:latest
COPY hello.sh /bin/hello.sh
RUN /bin/sh -c 'mkdir -p /opt/d && cp /bin/echo /opt/d/old && cp /bin/sleep /opt/gone'
RUN /bin/sh -c 'rm -rf /opt/d /opt/gone /bin/cat && mkdir /opt/d && cp /bin/echo /opt/d/new'
RUN /bin/sh -c 'ln /bin/ls /bin/ls2'
ENTRYPOINT ["/bin/hello.sh"]
DF
DOCKER_BUILDKIT=0 docker build -q -t confine-test/layers:latest "$T/ctx" >"$T/build.log" 2>&1 ||
	fail "docker build: $(tail -n5 "$T/build.log")"
docker save -o "$T/layers.tar" confine-test/layers:latest

for ref in docker:confine-test/layers:latest "docker-archive:$T/layers.tar"; do
	"$CONFINE" inventory --json "$ref" >"$T/inv.json" 2>"$T/err" || fail "inventory $ref: $(cat "$T/err")"
	python3 - "$T/inv.json" "$ref" <<'PY' || fail "$ref: wrong merged filesystem"
import json, sys
d = json.load(open(sys.argv[1]))
paths = {f["path"] for f in d["elf_files"]}
# The base is merged-/usr: /bin is a link to usr/bin.
want = {"/usr/bin/ls", "/usr/bin/ls2", "/usr/bin/echo", "/usr/sbin/nginx", "/opt/d/new"}
gone = {"/usr/bin/cat", "/opt/d/old", "/opt/gone"}
ok = True
if not want <= paths:
    print(sys.argv[2], "missing:", sorted(want - paths)); ok = False
if paths & gone:
    print(sys.argv[2], "whited-out files still present:", sorted(paths & gone)); ok = False
progs = {p["path"]: p for p in d["programs"]}
hello = progs.get("/bin/hello.sh")
if not hello or not (hello.get("script_interpreter") or "").endswith("sh"):
    print(sys.argv[2], "script entrypoint not resolved:", hello); ok = False
sys.exit(0 if ok else 1)
PY
done
docker image rm -f confine-test/layers:latest >/dev/null 2>&1 || true
pass
