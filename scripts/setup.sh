#!/usr/bin/env bash
# Install what confine needs to build and test on Debian 12, start a Docker
# engine when none answers, and mount tracefs.  Idempotent; run as root.
set -euo pipefail

PKGS=(
	build-essential cmake ninja-build pkg-config clang llvm lld libclang-rt-14-dev
	libelf-dev libdw-dev libzydis-dev libzycore-dev libseccomp-dev libarchive-dev
	libjansson-dev libcurl4-openssl-dev nettle-dev libssl-dev libxxhash-dev libcmocka-dev
	libbpf-dev bpftool
	docker.io debootstrap skopeo podman zstd gzip xz-utils tar jq curl ca-certificates
	strace valgrind hyperfine time file binutils iproute2 musl-tools
	python3 python3-cryptography perl nodejs sasl2-bin postgresql php-cli iptables sudo lua5.3 lua-posix redis-server redis-tools nginx-light golang-go mawk diffutils findutils openssl
	erlang-base erlang-crypto erlang-dev mariadb-server mariadb-client imagemagick-6.q16 shellcheck sbcl swi-prolog-nox tcl libsqlite3-tcl
	r-base-core r-cran-httpuv r-cran-processx rsyslog slapd ldap-utils ruby
	librsvg2-bin librsvg2-common libgdk-pixbuf2.0-bin
)

log() { printf 'setup: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: run as root (sudo scripts/setup.sh)" >&2
	exit 1
fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The packaged servers are test peers only; they must not hold the ports.
for svc in nginx redis-server postgresql mariadb rsyslog slapd; do
	if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
		systemctl stop "$svc" || true
	fi
done
pkill -x nginx 2>/dev/null || true
pkill -x redis-server 2>/dev/null || true
pkill -x postgres 2>/dev/null || true
pkill -x mariadbd 2>/dev/null || true
pkill -x rsyslogd 2>/dev/null || true
pkill -x slapd 2>/dev/null || true

engine_up() { curl -sf --max-time 3 --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; }

# A containerd socket left behind by a containerd that was killed (a sweep's
# `timeout -s KILL`, a session that ended) makes dockerd dial it instead of
# starting its own containerd, and give up after a minute.  Remove a socket
# that nobody listens on.
clear_stale_socket() {
	local sock=$1
	[ -S "$sock" ] || return 0
	if ss -xlH 2>/dev/null | awk '{print $5}' | grep -qxF "$sock"; then
		return 0
	fi
	log "removing stale socket $sock (no process listens on it)"
	rm -f "$sock" "$sock.ttrpc"
}

# A pid file left by a dockerd that did not stop cleanly: when its number
# has since gone to another process, dockerd refuses to start ("pid file
# found, ensure docker is not running").  Remove it unless a dockerd has it.
clear_stale_pidfile() {
	local file=$1 pid
	[ -f "$file" ] || return 0
	pid=$(cat "$file" 2>/dev/null)
	if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
		return 0
	fi
	log "removing stale pid file $file (pid ${pid:-none} is not a dockerd)"
	rm -f "$file"
}

if ! engine_up; then
	log "starting dockerd"
	if command -v systemctl >/dev/null && systemctl start docker 2>/dev/null; then
		: # systemd starts it; wait below
	else
		# A dockerd that does not answer (ours from an earlier run, stuck on
		# a stale socket) would keep the new one from taking the pid file.
		if pkill -x dockerd 2>/dev/null; then sleep 2; fi
		clear_stale_socket /run/containerd/containerd.sock
		clear_stale_pidfile /var/run/docker.pid
		nohup dockerd >/var/log/confine-dockerd.log 2>&1 &
	fi
	for _ in $(seq 1 120); do
		engine_up && break
		sleep 0.5
	done
	if ! engine_up; then
		log "dockerd did not answer within 60 s; the end of /var/log/confine-dockerd.log:"
		grep -v 'module=grpc' /var/log/confine-dockerd.log | tail -n 15 >&2 || true
		exit 1
	fi
fi

if [ ! -e /sys/kernel/tracing/trace ] && [ -d /sys/kernel/tracing ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi
log "ready"
