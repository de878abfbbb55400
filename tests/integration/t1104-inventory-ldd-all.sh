#!/usr/bin/env bash
# Every dynamic executable of the nginx and redis fixture rootfs: the library
# set inventory resolves equals what the image's own ld.so loads (ld.so
# --list run inside a chroot of the rootfs), name for name and path for path.
. "$(dirname "$0")/lib.sh"

need_root
command -v python3 >/dev/null || skip "python3 not installed"
fixture nginx
fixture redis

for name in nginx redis; do
	R=$FIX/rootfs-$name
	[ -d "$R" ] || fail "no rootfs $R"
	"$CONFINE" inventory --json --all-binaries "dir:$R" >"$T/$name.json" 2>"$T/err" ||
		fail "inventory $name: $(cat "$T/err")"
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["programs"]:
    if p["loader"] == "glibc":
        print(p["path"])' "$T/$name.json" >"$T/$name.progs"
	[ "$(wc -l <"$T/$name.progs")" -ge 100 ] || fail "$name: too few programs"
	# One chroot, the image's own loader on each program (the list on stdin:
	# nothing is written into the shared fixture).
	chroot "$R" /bin/sh -c 'while read -r p; do echo "== $p"; /lib64/ld-linux-x86-64.so.2 --list "$p" </dev/null; done' \
		<"$T/$name.progs" >"$T/$name.ldso" 2>&1 || true
	python3 - "$T/$name.json" "$T/$name.ldso" <<'PY' || fail "$name: library sets differ from the image's ld.so"
import json, re, sys
inv = json.load(open(sys.argv[1]))
ours = {}
for p in inv["programs"]:
    if p["loader"] != "glibc":
        continue
    s = {(l["name"], l["path"]) for l in p["libraries"]}
    s |= {(l["name"], "not found") for l in p["unresolved"]}
    ours[p["path"]] = s
theirs, cur = {}, None
for line in open(sys.argv[2]):
    line = line.strip()
    if line.startswith("== "):
        cur = line[3:]
        theirs[cur] = set()
        continue
    m = re.match(r"(\S+) => (\S+)", line)
    if m:
        theirs[cur].add((m.group(1), "not found" if m.group(2) == "not" else m.group(2)))
    elif line.startswith("/"):
        name = line.split()[0]
        theirs[cur].add((name, name))
bad = [p for p in ours if ours[p] != theirs.get(p)]
for p in bad[:5]:
    print(p, "ours-only:", sorted(ours[p] - theirs.get(p, set())),
          "ld.so-only:", sorted(theirs.get(p, set()) - ours[p]))
print(f"{len(ours)} programs, {len(bad)} differ")
sys.exit(1 if bad else 0)
PY
done
pass
