#!/usr/bin/env bash
# Soundness against reality inside the fixture images' root filesystems,
# the way confine analyses images: programs run under strace -f through
# chroot(8); each one exec'd after the chroot() is analysed with
# `confine analyze --root ROOTFS PATH` (the image's own libc, loader
# configuration and nsswitch.conf), the chroot binary itself on the host.
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
need_root
st_init
fixture nginx
fixture redis
NGX=$FIX/rootfs-nginx
RDS=$FIX/rootfs-redis
for f in "$NGX/usr/sbin/nginx" "$NGX/usr/bin/curl" "$RDS/usr/bin/redis-server" "$RDS/usr/bin/redis-cli"; do
	[ -x "$f" ] || fail "fixture rootfs lacks $f"
done

# chroot(8) is the harness's tool, not a subject: its calls before the
# exec are still checked, its (host) set is not required to be small.
ST_TRIVIAL_EXEMPT=$(readlink -f "$(command -v chroot)")

# Nothing here writes into the (shared, cached) root filesystems.
st_run root-nginx-V chroot "$NGX" /usr/sbin/nginx -V
st_run root-sh chroot "$NGX" /bin/sh -c 'ls -l /etc >/dev/null; id; cat /etc/os-release | grep -c ID; head -c 64 /etc/passwd | wc -c; stat -c %s /etc/hostname; date -u +%s; find /etc/nginx -name "*.conf" | sort | head -n 3; sleep 0.01'
st_run root-bash chroot "$NGX" /bin/bash -c 'x=$(echo hi); echo "${x^^}"; printf "%s\n" 3 1 2 | sort -n | tr "\n" " "'
st_run root-curl chroot "$NGX" /usr/bin/curl -sf file:///etc/os-release

RPORT=$(free_port)
st_bg root-redis chroot "$RDS" /usr/bin/redis-server --port "$RPORT" --bind 127.0.0.1 \
	--save '' --appendonly no --dir /tmp --daemonize no --loglevel warning
redis_pid=$ST_BG_PID
st_wait_port "$RPORT"
st_run root-redis-cli chroot "$RDS" /usr/bin/redis-cli -p "$RPORT" ping
st_run root-redis-ops chroot "$RDS" /usr/bin/redis-cli -p "$RPORT" eval "redis.call('set','k','v'); return redis.call('get','k')" 0
st_run root-redis-shutdown chroot "$RDS" /usr/bin/redis-cli -p "$RPORT" shutdown nosave
st_bg_wait "$redis_pid" redis-server
st_check
pass
