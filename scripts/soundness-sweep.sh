#!/usr/bin/env bash
# A broad soundness check on this machine's own programs: every ELF program
# in a folder (default /usr/bin) runs once with --version (or other
# arguments) under strace -f, and every system call a program made must be
# in the set `confine analyze` gives it (the harness of the t25* tests,
# tests/fixtures/strace-lib.sh).  Not part of the test suite: what it runs
# depends on what is installed.  Programs run in a scratch folder as HOME,
# with stdin from /dev/null, sent SIGTERM after 3 s (SIGKILL 2 s later, so
# a daemon may remove its socket; the program's own exit status is kept,
# as timeout's 124 would read as the harness's time-out); a deny list
# keeps out those that act on the machine or wait on a terminal, and the
# container engine's daemons (a containerd killed mid-start leaves a
# socket that dockerd then dials).
#
#   scripts/soundness-sweep.sh [--confine BIN] [--dir DIR] [--max N] [-- ARGS...]
#
# Prints MISS lines and a SUMMARY; exits non-zero on any miss.  Programs
# that dlopen() libraries by computed names (the JDK's launchers load
# libjvm.so) miss calls by design unless those are named with --dlopen:
# `confine analyze` marks them (calls_dlopen).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
CONFINE=${CONFINE:-$here/build/confine}
DIR=/usr/bin
MAX=100000
ARGS=(--version)
while [ $# -gt 0 ]; do
	case $1 in
	--confine) CONFINE=$2; shift 2 ;;
	--dir) DIR=$2; shift 2 ;;
	--max) MAX=$2; shift 2 ;;
	--) shift; ARGS=("$@"); break ;;
	-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
	*) echo "soundness-sweep.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
export CONFINE CONFINE_SRC=$here
# shellcheck source=/dev/null
. "$here/tests/integration/lib.sh"
# shellcheck source=/dev/null
. "$here/tests/fixtures/strace-lib.sh"
st_init
ST_TIMEOUT=20
# Whether a program's set is small is not the question here.
ST_MIN_BLOCKED=0
W=$T/w
mkdir -p "$W"
cd "$W"
export HOME=$W
deny=" reboot poweroff halt shutdown init telinit kill killall pkill pkexec skill snice xdg-open
	x-www-browser sensible-browser top htop watch less more vi vim nano ed ex view screen tmux script yes
	dockerd containerd containerd-shim containerd-shim-runc-v1 containerd-shim-runc-v2 docker-proxy "
n=0
for f in "$DIR"/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	b=${f##*/}
	case " $deny " in *[[:space:]]"$b"[[:space:]]*) continue ;; esac
	[ "$(head -c4 "$f" | od -An -c | tr -d ' ')" = "177ELF" ] || continue
	st_run_rc any "v-$(printf '%s' "$b" | tr -c 'A-Za-z0-9._-' '_')" timeout --preserve-status -k 2 3 "$f" "${ARGS[@]}"
	n=$((n + 1))
	[ "$n" -lt "$MAX" ] || break
done
echo "ran $n programs from $DIR"
st_check
