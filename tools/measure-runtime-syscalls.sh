#!/usr/bin/env bash
# Measure the system calls the container runtime (runc's init) makes AFTER it
# has installed the container's seccomp filter, i.e. the calls every profile
# must allow for the container to start at all.
#
# Method: run a trivial static-ish container under an EMPTY allowlist whose
# default action is SCMP_ACT_LOG (confine validate --audit-only does that),
# so that every call after the filter is loaded is logged by the kernel as
# an AUDIT_SECCOMP record, read from the audit netlink multicast group.
# Records whose comm is "runc:[2:INIT]" are runc's own (its comm changes at
# the final execve); the rest are the container program's.  Repeated for
# root and non-root users, a working directory, and --init, N times each,
# because the Go runtime's background calls (futex, nanosleep, ...) depend
# on timing.
#
# Usage: tools/measure-runtime-syscalls.sh [-n RUNS] [-c CONFINE] [IMAGE]
# Output: one line per syscall: NAME  ROOT_HITS  USER_HITS  OTHER_HITS  (of RUNS
# runs per variant), then the engine's runtime and version.  Needs root and a
# Docker engine.  The result is curated by hand into data/runtime/NAME-X.Y.json
# with a reason per entry.
set -euo pipefail

runs=10
confine=${CONFINE:-}
while getopts "n:c:" o; do
	case $o in
	n) runs=$OPTARG ;;
	c) confine=$OPTARG ;;
	*) echo "usage: $0 [-n RUNS] [-c CONFINE] [IMAGE]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
image=${1:-docker:confine-test/small:latest}
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$confine" ]; then
	for c in "$here"/build*/confine; do
		[ -x "$c" ] && confine=$c && break
	done
fi
[ -x "${confine:-}" ] || { echo "$0: no confine binary (use -c)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$0: needs python3" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/empty.json" <<'EOF'
{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"architectures":["SCMP_ARCH_X86_64"],"syscalls":[]}
EOF

variant() { # variant NAME OPTIONS
	local name=$1 opts=$2 i
	for i in $(seq 1 "$runs"); do
		"$confine" validate --json --audit-only --timeout 5 --options "--network none $opts" \
			"$image" "$tmp/empty.json" -- /bin/echo hi >"$tmp/$name.$i.json" || true
	done
}

variant root ""
variant user "-u 1000:1000"
variant workdir "-u 1000:1000 -w /tmp"
variant init "--init"

python3 - "$tmp" "$runs" <<'EOF'
import glob, json, os, sys
tmp, runs = sys.argv[1], int(sys.argv[2])
hits = {}
for f in sorted(glob.glob(os.path.join(tmp, "*.json"))):
    base = os.path.basename(f)
    if base == "empty.json":
        continue
    variant = base.split(".")[0]
    try:
        d = json.load(open(f))
    except ValueError:
        print("unreadable run:", base, file=sys.stderr)
        continue
    if d.get("audit", {}).get("lost"):
        print("warning: records lost in", base, file=sys.stderr)
    for m in d.get("missing", []):
        if m.get("runtime"):
            hits.setdefault(m["name"], {}).setdefault(variant, 0)
            hits[m["name"]][variant] += 1
variants = ["root", "user", "workdir", "init"]
print("%-16s %s   (runs per variant: %d)" % ("syscall", "  ".join("%7s" % v for v in variants), runs))
for name in sorted(hits):
    print("%-16s %s" % (name, "  ".join("%7d" % hits[name].get(v, 0) for v in variants)))
EOF
docker info --format 'runtime: {{.DefaultRuntime}} {{.RuncCommit.ID}}' 2>/dev/null || true
runc --version 2>/dev/null | head -1 || true
