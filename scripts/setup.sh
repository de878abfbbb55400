#!/usr/bin/env bash
# Install what confine needs to build and test on Debian 12, start a Docker
# engine when none answers, and mount tracefs.  Idempotent; run as root.
set -euo pipefail

PKGS=(
	build-essential cmake ninja-build pkg-config clang llvm lld libclang-rt-14-dev
	libelf-dev libdw-dev libzydis-dev libzycore-dev libseccomp-dev libarchive-dev
	libjansson-dev libcurl4-openssl-dev libssl-dev libxxhash-dev libcmocka-dev
	libbpf-dev bpftool
	docker.io debootstrap skopeo zstd gzip xz-utils tar jq curl ca-certificates
	strace valgrind hyperfine time file binutils iproute2 musl-tools
	python3 python3-cryptography perl redis-server redis-tools nginx-light golang-go mawk diffutils findutils openssl
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
for svc in nginx redis-server; do
	if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
		systemctl stop "$svc" || true
	fi
done
pkill -x nginx 2>/dev/null || true
pkill -x redis-server 2>/dev/null || true

engine_up() { curl -sf --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; }
if ! engine_up; then
	log "starting dockerd"
	if command -v systemctl >/dev/null && systemctl start docker 2>/dev/null && engine_up; then
		:
	else
		nohup dockerd >/var/log/confine-dockerd.log 2>&1 &
	fi
	for _ in $(seq 1 60); do
		engine_up && break
		sleep 0.5
	done
	engine_up || { log "dockerd did not answer; see /var/log/confine-dockerd.log"; exit 1; }
fi

if [ ! -e /sys/kernel/tracing/trace ] && [ -d /sys/kernel/tracing ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi
log "ready"
