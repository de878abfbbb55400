# Helpers for the engine tests (t3000-t3299); sourced after lib.sh.

# nginx_conf FILE PORT: a minimal config listening on 127.0.0.1:PORT.
nginx_conf() {
	cat >"$1" <<NGINX
worker_processes 2;
error_log stderr notice;
pid /tmp/nginx.pid;
events { worker_connections 64; }
http {
  access_log /dev/stdout;
  server { listen 127.0.0.1:$2; location / { return 200 "ok\n"; } }
}
NGINX
}

# all_profile FILE [NAME...]: allow every x86_64 syscall but NAMEs.
all_profile() {
	local out=$1
	shift
	python3 - "$CONFINE_SRC/data/syscalls/x86_64.tbl" "$out" "$@" <<'PY'
import json, sys
tbl, out, drop = sys.argv[1], sys.argv[2], set(sys.argv[3:])
names = []
for line in open(tbl):
    f = line.split("#")[0].split()
    if len(f) >= 2 and f[1] not in drop:
        names.append(f[1])
json.dump({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
           "architectures": ["SCMP_ARCH_X86_64"],
           "syscalls": [{"names": sorted(set(names)), "action": "SCMP_ACT_ALLOW"}]},
          open(out, "w"), indent=1)
PY
}

# No container of any finished confine run may be left.
no_leftovers() {
	local left
	left=$(docker ps -aq --filter "label=io.confine.run=$1" 2>/dev/null || true)
	[ -z "$left" ] || fail "containers left behind for run $1: $left"
}
