#!/usr/bin/env bash
# Precision of confine's static syscall set for Debian's nginx (issue #3,
# item 9): run /usr/sbin/nginx under strace -f through a bounded workload
# on 127.0.0.1/::1 that uses what deployments use (`nginx -t`, daemonised
# master with several workers, worker_rlimit_nofile/priority/cpu affinity,
# timer_resolution, working_directory; access/error logs to files and to
# syslog over UDP, log reopen by `nginx -s reopen` and SIGUSR1; `nginx -s
# reload` with a changed configuration; a binary upgrade (USR2, WINCH,
# QUIT of the old master); keepalive, pipelining, HEAD, ranges, gzip,
# autoindex, stub_status, 403/404/413/500; sendfile, aio threads, directio,
# read_ahead, open_file_cache, limit_rate, limit_req/limit_conn; request
# bodies in client_body_temp files; proxy_pass to a keepalive upstream
# (a second server block) with responses through proxy temp files, the
# proxy cache (cache manager process) and a transparent proxy_bind;
# WebDAV PUT/MKCOL/COPY/MOVE/DELETE; unix-domain, reuseport, IPv6 and
# TLS + HTTP/2 listeners (a self-signed certificate made with openssl);
# `nginx -s quit`), collect every system call of every nginx process
# (the `nginx -t`/`-s` runs too: they run in the container as well), and
# compare with `confine analyze /usr/sbin/nginx`.
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
	-h | --help) sed -n '2,43p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
		for f in "$W/nginx.pid" "$W/nginx.pid.oldbin"; do
			[ -s "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true
		done
		sleep 0.5
		kill -KILL "$ngx_strace" 2>/dev/null || true
	fi
	if [ -n "$OUT" ]; then
		mkdir -p "$OUT" && cp "$W"/trace.all "$W"/events "$W"/observed "$W"/static "$W"/analysis.json "$OUT"/ 2>/dev/null || true
	fi
	rm -rf "$W"
}
trap cleanup EXIT
die() { echo "precision-nginx: $*" >&2; exit 1; }

mkdir -p "$W/html/dir" "$W/html/dav" "$W/logs" "$W/tmp" "$W/wd" "$W/cache" "$W/up"
user=root
grep -q '^www-data:' "${ROOTFS:-}/etc/passwd" 2>/dev/null && user=www-data
# Paths in the configuration as nginx sees them.
P=$W
[ -n "$ROOTFS" ] && P=/mnt
echo '<h1>confine</h1>' >"$W/html/index.html"
for i in $(seq 1 200); do echo "line $i of a compressible text file"; done >"$W/html/text.txt"
head -c $((8 << 20)) /dev/urandom >"$W/html/big.bin"
head -c $((512 << 10)) /dev/urandom >"$W/up/up.bin"
# Served only through /ra/ (read_ahead): a file open_file_cache has not
# already opened for another location.
head -c $((1 << 20)) /dev/urandom >"$W/html/ahead.bin"
head -c $((256 << 10)) /dev/urandom >"$W/body.bin"
echo upstream >"$W/up/index.html"
touch "$W/html/dir/a" "$W/html/dir/b"
echo secret >"$W/html/forbidden.txt"
chmod -R a+rX "$W/html" "$W/up"
chmod 000 "$W/html/forbidden.txt"
chown "$user" "$W/html/dav" "$W/wd" "$W/cache" 2>/dev/null || true
# Five free ports, all bound at once so that no two are the same (one
# bind at a time may be given a port it just gave: nginx -t then fails
# with "a duplicate listen").  The last is the syslog target: a closed UDP
# port is enough for nginx to send.
read -r port port_up port_rp port_tls port_log < <(/usr/bin/python3 -c 'import socket
ss = [socket.socket() for _ in range(5)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
[ -n "$port_log" ] || die "no free ports"

v6=0
/usr/bin/python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null && v6=1
tls=0
if command -v openssl >/dev/null &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj /CN=localhost -keyout "$W/key.pem" -out "$W/cert.pem" >/dev/null 2>&1; then
	tls=1
	chmod 644 "$W/key.pem" "$W/cert.pem"
fi

# write_conf VARIANT: the configuration; variant 2 is the changed one the
# reload loads (another worker count and location).
write_conf() {
	local v=$1
	cat <<CONF
user $user;
worker_processes $((v + 1));
worker_cpu_affinity auto;
worker_priority -1;
worker_rlimit_nofile 4096;
worker_rlimit_core 0;
worker_shutdown_timeout 5s;
working_directory $P/wd;
timer_resolution 100ms;
daemon on;
pid $P/nginx.pid;
error_log $P/logs/error.log info;
thread_pool pool threads=2;
events { worker_connections 256; }
http {
	include /etc/nginx/mime.types;
	log_format main '\$remote_addr \$server_addr:\$server_port \$realpath_root "\$request" \$status \$body_bytes_sent \$request_time';
	access_log $P/logs/access.log main;
	access_log syslog:server=127.0.0.1:$port_log,tag=confine main;
	client_body_temp_path $P/tmp/body;
	client_body_buffer_size 8k;
	client_max_body_size 4m;
	proxy_temp_path $P/tmp/proxy;
	fastcgi_temp_path $P/tmp/fastcgi;
	uwsgi_temp_path $P/tmp/uwsgi;
	scgi_temp_path $P/tmp/scgi;
	proxy_cache_path $P/cache levels=1:2 keys_zone=c:1m max_size=10m min_free=1m;
	open_file_cache max=100 inactive=20s;
	open_file_cache_errors on;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_timeout 10;
	reset_timedout_connection on;
	gzip on;
	gzip_types text/plain;
	limit_req_zone \$binary_remote_addr zone=rl:1m rate=10000r/s;
	limit_conn_zone \$binary_remote_addr zone=cl:1m;
	upstream up {
		server 127.0.0.1:$port_up;
		keepalive 4;
	}
	server {
		listen 127.0.0.1:$port_up;
		root $P/up;
		access_log off;
	}
	server {
		listen 127.0.0.1:$port;
		listen 127.0.0.1:$port_rp reuseport;
		listen unix:$P/nginx.sock;
$( [ "$v6" = 1 ] && echo "		listen [::1]:$port ipv6only=on;")
$( [ "$tls" = 1 ] && echo "		listen 127.0.0.1:$port_tls ssl http2;
		ssl_certificate $P/cert.pem;
		ssl_certificate_key $P/key.pem;
		ssl_session_cache shared:SSL:1m;")
		root $P/html;
		limit_req zone=rl burst=1000 nodelay;
		limit_conn cl 100;
		location / { try_files \$uri \$uri/ =404; }
		location /dir/ { autoindex on; }
		location /big/ {
			alias $P/html/;
			aio threads=pool;
			directio 4m;
			output_buffers 2 256k;
		}
		location /ra/ { alias $P/html/; read_ahead 512k; }
		location /slow/ { alias $P/html/; limit_rate 2m; limit_rate_after 64k; }
		location /dav/ {
			dav_methods PUT DELETE MKCOL COPY MOVE;
			create_full_put_path on;
			dav_access user:rw group:rw all:r;
		}
		location /up/ {
			proxy_pass http://up/;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_buffers 4 16k;
			proxy_max_temp_file_size 4m;
		}
		location /cached/ { proxy_pass http://up/; proxy_cache c; proxy_cache_valid 200 1m; }
		location /tp/ { proxy_bind 127.0.0.1 transparent; proxy_pass http://up/; }
		location /small/ { client_max_body_size 1k; return 200; }
		location = /e500 { return 500; }
		location /private/ { deny all; }
		location = /status { stub_status; }
$( [ "$v" = 2 ] && echo "		location = /v2 { return 204; }")
	}
}
CONF
}
write_conf 1 >"$W/nginx.conf"
if [ -n "$ROOTFS" ]; then
	# shellcheck disable=SC2016
	ngx=(unshare -m --propagation private sh -c
		'mount --bind "$1" "$2/mnt" && shift 2 && exec chroot "$0" /usr/sbin/nginx -p /mnt/ -c /mnt/nginx.conf "$@"'
		"$ROOTFS" "$W" "$ROOTFS")
	target="$ROOTFS::$NGINX_BIN"
else
	ngx=("$NGINX_BIN" -p "$W/" -c "$W/nginx.conf")
	target=$(readlink -f "$NGINX_BIN")
fi
traces=()
# traced NAME ARGS...: run nginx with ARGS under strace -f (its calls count:
# `nginx -t` and `nginx -s` run inside the container too).
traced() {
	local name=$1
	shift
	traces+=("$W/trace.$name")
	strace -f -qq -o "$W/trace.$name" -- "${ngx[@]}" "$@" >>"$W/nginx.out" 2>&1 </dev/null
}
traced test -t || die "nginx -t failed: $(cat "$W/nginx.out")"

# Daemonised, as Debian's nginx.service starts it: strace follows the
# master after the starting process exits and ends when the last nginx
# process has exited.
traces+=("$W/trace")
strace -f -qq -o "$W/trace" -- "${ngx[@]}" >"$W/nginx.out" 2>&1 </dev/null &
ngx_strace=$!
for ((i = 0; i < 200; i++)); do
	[ -s "$W/nginx.pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	kill -0 "$ngx_strace" 2>/dev/null || die "nginx exited at start: $(cat "$W/nginx.out" "$W/logs/error.log" 2>/dev/null)"
	sleep 0.1
done
[ -s "$W/nginx.pid" ] || die "nginx wrote no pid file"
base=http://127.0.0.1:$port
C=(curl -s --max-time 20)

# wait_for CMD...: poll until CMD succeeds, at most 10 s.
wait_for() {
	local i
	for ((i = 0; i < 100; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
code() { "${C[@]}" -o /dev/null -w '%{http_code}' "$@"; }
pipelined() {
	local req='GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n'
	exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
	printf "$req$req$req"'HEAD /text.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3
	timeout 10 cat <&3 | grep -c '^HTTP/1.1 200' | grep -qx 4
	local rc=$?
	exec 3<&-
	return $rc
}

workload() {
	local urls=() i
	for ((i = 0; i < N; i++)); do urls+=("$base/index.html"); done
	# N requests on one keepalive connection, then N/10 parallel clients.
	"${C[@]}" "${urls[@]}" >/dev/null || die "keepalive requests failed"
	seq 1 $((N / 10 + 1)) | xargs -P 8 -I{} "${C[@]}" -o /dev/null "$base/?q={}" ||
		die "parallel requests failed"
	pipelined || die "pipelined requests failed"
	[ "$(code "$base/nope")" = 404 ] || die "no 404"
	[ "$(code "$base/big/forbidden.txt")" = 403 ] || die "no 403 (unreadable file)"
	[ "$(code "$base/private/")" = 403 ] || die "no 403 (deny)"
	[ "$(code "$base/e500")" = 500 ] || die "no 500"
	"${C[@]}" -I -o /dev/null "$base/index.html" || die "HEAD failed"
	"${C[@]}" -o "$W/big.out" "$base/big.bin" || die "large file failed"
	cmp -s "$W/big.out" "$W/html/big.bin" || die "large file differs"
	"${C[@]}" -o "$W/big.out" "$base/big/big.bin" || die "aio threads/directio file failed"
	cmp -s "$W/big.out" "$W/html/big.bin" || die "aio threads/directio file differs"
	"${C[@]}" -o /dev/null "$base/ra/ahead.bin" || die "read_ahead file failed"
	"${C[@]}" -r 100-199 -o /dev/null "$base/big.bin" || die "range request failed"
	"${C[@]}" -r 0-9,1000-1009 -o /dev/null "$base/text.txt" || die "multi-range request failed"
	"${C[@]}" -o /dev/null "$base/slow/big.bin" -r 0-299999 || die "limit_rate request failed"
	"${C[@]}" --compressed -o /dev/null "$base/text.txt" || die "gzip request failed"
	"${C[@]}" -o /dev/null "$base/dir/" || die "autoindex failed"
	"${C[@]}" -o /dev/null "$base/status" || die "stub_status failed"
	"${C[@]}" -o /dev/null -d 'a=1&b=2' "$base/index.html" || true
	"${C[@]}" -o /dev/null -H 'Expect: 100-continue' --data-binary @"$W/html/text.txt" "$base/" || true
	# Proxying: keepalive upstream, a response larger than the buffers
	# (temp file), a request body larger than client_body_buffer_size
	# (client_body_temp), the cache, a transparent bind.
	"${C[@]}" -o "$W/up.out" "$base/up/up.bin" "$base/up/index.html" -o /dev/null || die "proxy failed"
	cmp -s "$W/up.out" "$W/up/up.bin" || die "proxied file differs"
	"${C[@]}" -o /dev/null --data-binary @"$W/body.bin" "$base/up/index.html" || die "proxied POST failed"
	"${C[@]}" -o /dev/null -o /dev/null "$base/cached/up.bin" "$base/cached/up.bin" || die "cached proxy failed"
	"${C[@]}" -o /dev/null "$base/tp/index.html" || true
	[ "$(code --data-binary @"$W/body.bin" "$base/small/")" = 413 ] || die "no 413"
	dav_ok() { case $(code "$@") in 201 | 204) ;; *) return 1 ;; esac; }
	# WebDAV: PUT (with a Date, which sets the file time), MKCOL, COPY, MOVE, DELETE.
	local d=$base/dav/x$RANDOM
	dav_ok -T "$W/html/text.txt" -H 'Date: Mon, 01 Jan 2024 00:00:00 GMT' "$d/sub/t.txt" || die "dav PUT failed"
	dav_ok -X MKCOL "$d/col/" || die "dav MKCOL failed"
	dav_ok -X COPY -H "Destination: $d/copy.txt" "$d/sub/t.txt" || die "dav COPY failed"
	dav_ok -X COPY -H "Destination: $d/sub2/" "$d/sub/" || die "dav COPY of a folder failed"
	dav_ok -X MOVE -H "Destination: $d/moved.txt" "$d/copy.txt" || die "dav MOVE failed"
	dav_ok -X DELETE "$d/" || die "dav DELETE failed"
	"${C[@]}" -o /dev/null --unix-socket "$W/nginx.sock" http://localhost/index.html || die "unix socket failed"
	"${C[@]}" -o /dev/null "http://127.0.0.1:$port_rp/index.html" || die "reuseport listener failed"
	if [ "$v6" = 1 ]; then
		"${C[@]}" -o /dev/null "http://[::1]:$port/index.html" || die "IPv6 listener failed"
	fi
	if [ "$tls" = 1 ]; then
		"${C[@]}" -k -o /dev/null -o /dev/null "https://127.0.0.1:$port_tls/index.html" "https://127.0.0.1:$port_tls/text.txt" || die "TLS failed"
		"${C[@]}" -k --http2 -o /dev/null "https://127.0.0.1:$port_tls/big.bin" || die "HTTP/2 failed"
	fi
}

# The new master writes its pid file after the old one renamed its own.
pid_changed() { [ -s "$W/nginx.pid" ] && [ "$(cat "$W/nginx.pid" 2>/dev/null)" != "$1" ]; }
t0=$(date +%s.%N)
master=$(cat "$W/nginx.pid")
workload
# Reload with a changed configuration, as `nginx -s reload` does it.
write_conf 2 >"$W/nginx.conf"
traced reload -s reload || die "nginx -s reload failed"
wait_for sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $base/v2)\" = 204 ]" || die "reload did not take effect"
workload
# Log rotation: move the logs away, reopen.
mv "$W/logs/access.log" "$W/logs/access.log.1"
traced reopen -s reopen || die "nginx -s reopen failed"
wait_for test -e "$W/logs/access.log" || die "logs not reopened"
kill -USR1 "$master"
# Binary upgrade: USR2 starts a new master from the binary with the
# inherited sockets, WINCH stops the old workers, QUIT ends the old master.
kill -USR2 "$master"
wait_for pid_changed "$master" || die "binary upgrade started no new master"
kill -WINCH "$master"
sleep 0.3
workload
kill -QUIT "$master"
wait_for sh -c "! kill -0 $master 2>/dev/null" || die "old master did not quit"
"${C[@]}" -o /dev/null "$base/" || die "request after the upgrade failed"
traced quit -s quit || die "nginx -s quit failed"
for ((i = 0; i < 200; i++)); do
	kill -0 "$ngx_strace" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$ngx_strace" 2>/dev/null && die "nginx did not quit within 20s"
wait "$ngx_strace" || true
ngx_strace=
t1=$(date +%s.%N)

# Observed: every call of every nginx process (`nginx -t`, master, old and
# new workers, cache manager, the upgraded master, `nginx -s`), startup to
# exit, attributed by tests/fixtures/strace-check.awk (in --rootfs mode
# the unshare/sh/mount/chroot calls before nginx's exec are not nginx's);
# restart_syscall is the kernel's, not nginx's.
for t in "${traces[@]}"; do
	awk -f "$here/tests/fixtures/strace-check.awk" "$t" "$t"
done >"$W/events.raw"
# strace can print a child's first calls before its parent's clone()
# return, and then strace-check.awk does not know the child inherited the
# chroot: the new master of the binary upgrade shows up as the host's
# $NGINX_BIN.  In --rootfs mode nothing outside the chroot runs nginx
# (the traced commands are unshare, sh, mount and chroot, which execs
# nginx inside DIR), so every exec of $NGINX_BIN is DIR's.
if [ -n "$ROOTFS" ]; then
	awk -F'\t' -v OFS='\t' -v b="$NGINX_BIN" -v t="$target" '$1 == b { $1 = t } { print }' "$W/events.raw"
else
	cat "$W/events.raw"
fi >"$W/events"
cat "${traces[@]}" >"$W/trace.all"
# The execve that starts nginx is made by its parent (strace or chroot) but
# runs under nginx's filter in a container, so it counts.  syscall_0xN past
# x86_64's table (N >= 0x200, which the kernel answers with ENOSYS) is a
# garbage number strace read (CI saw syscall_0x340), no call.
{ awk -F'\t' -v t="$target" '$1 == t { print $2 }' "$W/events"; echo execve; } |
	grep -vxE 'restart_syscall|syscall_0x0*([1-9a-f][0-9a-f]{3,}|[2-9a-f][0-9a-f]{2})' | sort -u >"$W/observed" || true
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
printf 'workload: nginx -t; daemon; %d keepalive + %d parallel + pipelined requests, 404/403/500/413, HEAD, ranges, 8 MiB sendfile and aio threads+directio, limit_rate, gzip, autoindex, stub_status, POST, proxy (keepalive upstream, temp files, cache, transparent bind), WebDAV, unix socket, reuseport%s%s; x3 around nginx -s reload (changed config), -s reopen + USR1, binary upgrade (USR2, WINCH, QUIT); nginx -s quit (%.1f s)\n' \
	"$N" $((N / 10 + 1)) "$( [ "$v6" = 1 ] && echo ', IPv6')" "$( [ "$tls" = 1 ] && echo ', TLS + HTTP/2')" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
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
