#!/usr/bin/env bash
# Precision of confine's static syscall set for Debian's nginx (issue #3,
# item 9): run /usr/sbin/nginx (master + workers) under strace -f through
# a bounded workload on 127.0.0.1, collect every system call the nginx
# processes made, and compare with `confine analyze /usr/sbin/nginx`.
#
#   bench/precision-nginx.sh [-n REQUESTS] [-o DIR] [--confine BIN] [--nginx BIN]
#                            [--nss] [--dlopen FILE]... [--unresolved all|ignore]
#                            [--rootfs DIR]
#
# --rootfs DIR runs DIR's /usr/sbin/nginx chrooted into DIR (e.g. the
# fixture image's /var/tmp/confine-fixtures/rootfs-nginx; the work folder
# is bind-mounted on DIR/mnt in a private mount namespace, nothing is
# written into DIR) and analyses it as confine analyses images:
# `confine analyze --root DIR /usr/sbin/nginx`.
#
# --nss names the NSS modules /etc/nsswitch.conf lists (passwd, group,
# shadow, hosts) to the analysis as dlopen'ed plugins: nginx's `user`
# directive runs getpwnam() and initgroups(), which load them (on Debian 12
# libnss_systemd.so.2, whose calls include readlinkat).  --dlopen passes
# any other plugin.  --unresolved ignore (unsound, diagnostics only) shows
# what the resolved sites alone give.
#
# Prints the observed and static counts, the ratio |static| / |observed|
# (the issue's bound: static ⊇ observed and ratio <= 1.5), the calls that
# inflate the static set, and ends with one machine-readable line:
#   RESULT observed=N static=M ratio=R missing=K
# Exit status: 0 when the measurement ran (whatever the numbers), 2 on
# usage errors, 1 when the workload or the analysis failed.
set -euo pipefail

N=200
OUT=
CONFINE_BIN=${CONFINE:-}
NGINX_BIN=/usr/sbin/nginx
DLOPEN=()
NSS=0
ROOTFS=
while [ $# -gt 0 ]; do
	case $1 in
	-n) N=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	--confine) CONFINE_BIN=$2; shift 2 ;;
	--nginx) NGINX_BIN=$2; shift 2 ;;
	--dlopen) DLOPEN+=(--dlopen "$2"); shift 2 ;;
	--nss) NSS=1; shift ;;
	--rootfs) ROOTFS=$(cd "$2" && pwd) || exit 2; shift 2 ;;
	--unresolved) DLOPEN+=(--unresolved "$2"); shift 2 ;;
	-h | --help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "precision-nginx: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $N in '' | *[!0-9]*) echo "precision-nginx: -n needs a number" >&2; exit 2 ;; esac
[ "$N" -le 5000 ] || { echo "precision-nginx: -n at most 5000" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$CONFINE_BIN" ]; then
	for c in "$here"/build/confine "$here"/build-*/confine; do
		[ -x "$c" ] && { CONFINE_BIN=$c; break; }
	done
fi
[ -n "$CONFINE_BIN" ] && [ -x "$CONFINE_BIN" ] || { echo "precision-nginx: no confine binary (--confine BIN)" >&2; exit 2; }
for t in strace curl jq; do
	command -v "$t" >/dev/null || { echo "precision-nginx: '$t' not found" >&2; exit 1; }
done
if [ -n "$ROOTFS" ]; then
	NGINX_BIN=/usr/sbin/nginx
	[ -x "$ROOTFS$NGINX_BIN" ] && [ -d "$ROOTFS/mnt" ] ||
		{ echo "precision-nginx: no $NGINX_BIN or /mnt in $ROOTFS" >&2; exit 1; }
	command -v unshare >/dev/null || { echo "precision-nginx: unshare not found" >&2; exit 1; }
else
	[ -x "$NGINX_BIN" ] || { echo "precision-nginx: '$NGINX_BIN' not found" >&2; exit 1; }
fi
[ "$(id -u)" -eq 0 ] || { echo "precision-nginx: run as root (nginx switches to www-data)" >&2; exit 1; }

W=$(mktemp -d /tmp/confine-precision.XXXXXX)
chmod 755 "$W"
ngx_strace=
cleanup() {
	if [ -n "$ngx_strace" ] && kill -0 "$ngx_strace" 2>/dev/null; then
		[ -s "$W/nginx.pid" ] && kill -TERM "$(cat "$W/nginx.pid")" 2>/dev/null || true
		sleep 0.5
		kill -KILL "$ngx_strace" 2>/dev/null || true
	fi
	if [ -n "$OUT" ]; then
		mkdir -p "$OUT" && cp "$W"/trace "$W"/observed "$W"/static "$W"/analysis.json "$OUT"/ 2>/dev/null || true
	fi
	rm -rf "$W"
}
trap cleanup EXIT
die() { echo "precision-nginx: $*" >&2; exit 1; }

mkdir -p "$W/html/dir" "$W/logs" "$W/tmp"
user=root
grep -q '^www-data:' "${ROOTFS:-}/etc/passwd" 2>/dev/null && user=www-data
# Paths in the configuration as nginx sees them.
P=$W
[ -n "$ROOTFS" ] && P=/mnt
echo '<h1>confine</h1>' >"$W/html/index.html"
for i in $(seq 1 200); do echo "line $i of a compressible text file"; done >"$W/html/text.txt"
head -c $((8 << 20)) /dev/urandom >"$W/html/big.bin"
touch "$W/html/dir/a" "$W/html/dir/b"
chmod -R a+rX "$W/html"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$W/nginx.conf" <<CONF
user $user;
worker_processes 2;
pid $P/nginx.pid;
error_log $P/logs/error.log;
events { worker_connections 256; }
http {
	include /etc/nginx/mime.types;
	access_log $P/logs/access.log;
	client_body_temp_path $P/tmp/body;
	proxy_temp_path $P/tmp/proxy;
	fastcgi_temp_path $P/tmp/fastcgi;
	uwsgi_temp_path $P/tmp/uwsgi;
	scgi_temp_path $P/tmp/scgi;
	sendfile on;
	tcp_nopush on;
	keepalive_timeout 10;
	gzip on;
	gzip_types text/plain;
	server {
		listen 127.0.0.1:$port;
		root $P/html;
		location / { try_files \$uri \$uri/ =404; }
		location /dir/ { autoindex on; }
	}
}
CONF
if [ -n "$ROOTFS" ]; then
	# shellcheck disable=SC2016
	ngx=(unshare -m --propagation private sh -c
		'mount --bind "$1" "$2/mnt" && shift 2 && exec chroot "$0" /usr/sbin/nginx -p /mnt/ -c /mnt/nginx.conf "$@"'
		"$ROOTFS" "$W" "$ROOTFS")
	target="$ROOTFS::$NGINX_BIN"
else
	ngx=("$NGINX_BIN" -p "$W" -c "$W/nginx.conf")
	target=$(readlink -f "$NGINX_BIN")
fi
"${ngx[@]}" -t 2>"$W/t.err" || die "nginx -t failed: $(cat "$W/t.err")"

strace -f -qq -o "$W/trace" -- "${ngx[@]}" -g 'daemon off;' >"$W/nginx.out" 2>&1 </dev/null &
ngx_strace=$!
for ((i = 0; i < 200; i++)); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	kill -0 "$ngx_strace" 2>/dev/null || die "nginx exited at start: $(cat "$W/nginx.out" "$W/logs/error.log" 2>/dev/null)"
	sleep 0.1
done
[ -s "$W/nginx.pid" ] || die "nginx wrote no pid file"
master=$(cat "$W/nginx.pid")
base=http://127.0.0.1:$port
C=(curl -s --max-time 20)

workload() {
	local urls=() i
	for ((i = 0; i < N; i++)); do urls+=("$base/index.html"); done
	# N requests on one keepalive connection, then N/10 parallel clients.
	"${C[@]}" "${urls[@]}" >/dev/null || die "keepalive requests failed"
	seq 1 $((N / 10 + 1)) | xargs -P 8 -I{} "${C[@]}" -o /dev/null "$base/?q={}" ||
		die "parallel requests failed"
	[ "$("${C[@]}" -o /dev/null -w '%{http_code}' "$base/nope")" = 404 ] || die "no 404"
	"${C[@]}" -I -o /dev/null "$base/index.html" || die "HEAD failed"
	"${C[@]}" -o "$W/big.out" "$base/big.bin" || die "large file failed"
	cmp -s "$W/big.out" "$W/html/big.bin" || die "large file differs"
	"${C[@]}" -r 100-199 -o /dev/null "$base/big.bin" || die "range request failed"
	"${C[@]}" --compressed -o /dev/null "$base/text.txt" || die "gzip request failed"
	"${C[@]}" -o /dev/null "$base/dir/" || die "autoindex failed"
	"${C[@]}" -o /dev/null -d 'a=1&b=2' "$base/index.html" || true
	"${C[@]}" -o /dev/null -H 'Expect: 100-continue' --data-binary @"$W/html/text.txt" "$base/" || true
}

t0=$(date +%s.%N)
workload
kill -HUP "$master"            # reload: new workers, old ones drain
sleep 1
workload
kill -USR1 "$master"           # reopen logs
sleep 0.3
"${C[@]}" -o /dev/null "$base/" || die "request after reopen failed"
kill -QUIT "$master"           # graceful quit
for ((i = 0; i < 200; i++)); do
	kill -0 "$ngx_strace" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$ngx_strace" 2>/dev/null && die "nginx did not quit within 20s"
wait "$ngx_strace" || true
ngx_strace=
t1=$(date +%s.%N)

# Observed: every call of every nginx process (master, old and new
# workers), startup to exit, attributed by tests/fixtures/strace-check.awk
# (in --rootfs mode the unshare/sh/mount/chroot calls before nginx's exec
# are not nginx's); restart_syscall is the kernel's, not nginx's.
awk -f "$here/tests/fixtures/strace-check.awk" "$W/trace" "$W/trace" >"$W/events"
# The execve that starts nginx is made by its parent (strace or chroot) but
# runs under nginx's filter in a container, so it counts.
{ awk -F'\t' -v t="$target" '$1 == t { print $2 }' "$W/events"; echo execve; } |
	grep -vx restart_syscall | sort -u >"$W/observed" || true
others=$(awk -F'\t' -v t="$target" '$1 != t && $1 !~ /^(\/usr)?\/s?bin\/(unshare|sh|dash|mount|chroot)$/ { print $1 }' \
	"$W/events" | sort -u | paste -sd' ')
[ -z "$others" ] || die "unexpected programs in the trace: $others"
[ -s "$W/observed" ] || die "no calls of $target in the trace"

if [ "$NSS" = 1 ] && [ -r /etc/nsswitch.conf ]; then
	for svc in $(awk '$1 ~ /^(passwd|group|shadow|hosts):$/ { for (i = 2; i <= NF; i++) print $i }' \
		/etc/nsswitch.conf | grep -v '^\[' | sort -u); do
		for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib64 /usr/lib64; do
			if [ -e "$d/libnss_$svc.so.2" ]; then
				DLOPEN+=(--dlopen "$d/libnss_$svc.so.2")
				break
			fi
		done
	done
fi

a0=$(date +%s.%N)
root_arg=()
[ -n "$ROOTFS" ] && root_arg=(--root "$ROOTFS")
"$CONFINE_BIN" analyze --json "${root_arg[@]}" "${DLOPEN[@]}" "$NGINX_BIN" >"$W/analysis.json" 2>"$W/analysis.err" ||
	die "confine analyze failed: $(head -c 2000 "$W/analysis.err")"
a1=$(date +%s.%N)
jq -r '.programs[0].syscalls[]' "$W/analysis.json" | grep -vx restart_syscall | sort -u >"$W/static"
unresolved=$(jq '.programs[0].unresolved | length' "$W/analysis.json")

nobs=$(wc -l <"$W/observed")
nsta=$(wc -l <"$W/static")
missing=$(comm -23 "$W/observed" "$W/static")
extra=$(comm -13 "$W/observed" "$W/static")
nmiss=0
[ -n "$missing" ] && nmiss=$(printf '%s\n' "$missing" | wc -l)
ratio=$(awk -v s="$nsta" -v o="$nobs" 'BEGIN { printf "%.2f", o ? s / o : 0 }')

if [ -n "$ROOTFS" ]; then
	ver=$(chroot "$ROOTFS" "$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //')
else
	ver=$("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //')
fi
echo "nginx precision: $ver (${ROOTFS:+$ROOTFS }$NGINX_BIN, workers as $user)"
printf 'workload: %d keepalive + %d parallel requests, 404, HEAD, range, 8 MiB sendfile, gzip, autoindex, POST, x2 around SIGHUP reload, SIGUSR1, SIGQUIT (%.1f s)\n' \
	"$N" $((N / 10 + 1)) "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
printf 'analysis: %.2f s, %s unresolved sites reported, plugins named: %s\n' \
	"$(awk -v a="$a0" -v b="$a1" 'BEGIN { print b - a }')" "$unresolved" \
	"$( [ ${#DLOPEN[@]} -gt 0 ] && printf '%s ' "${DLOPEN[@]}" | sed 's/--dlopen //g' || echo none)"
echo "observed syscalls: $nobs"
echo "static set:        $nsta"
echo "ratio:             $ratio (bound 1.5)"
echo "missing (observed but not in the static set): $nmiss"
[ -n "$missing" ] && printf '  %s\n' $missing
echo "in the static set, not observed ($(printf '%s' "$extra" | grep -c . || true)):"
[ -n "$extra" ] && printf '%s\n' "$extra" | paste -sd' ' | fold -s -w 100 | sed 's/^/  /'
echo "observed: $(paste -sd' ' "$W/observed")"
echo "RESULT observed=$nobs static=$nsta ratio=$ratio missing=$nmiss"
