#!/usr/bin/env bash
# Precision (issue #3, item 9): Debian's nginx served a bounded workload
# of what deployments use (bench/precision-nginx.sh: nginx -t, daemon,
# reload with a changed configuration, log reopen, binary upgrade, proxy
# with temp files and cache, WebDAV, aio threads, TLS/HTTP2, unix, IPv6
# and reuseport listeners, error paths; every nginx process under
# strace -f), chrooted into the fixture image's rootfs (analysed with
# --root) and on the host; the static set of `confine analyze` must
# contain every call observed and be at most 1.5 times as large, in both.
# Measured when written: image 89 observed / 116 static (1.30), host 89 /
# 128 (1.44; the host's nsswitch.conf adds libnss_systemd).  Since OpenSSL's
# engines are objects of every libcrypto process (nginx's ssl_engine may
# load one; the afalg engine makes four io_* calls): image 89 / 120 (1.35),
# host 89 / 132 (1.48).
. "$(dirname "$0")/lib.sh"
need_root
for t in strace curl jq /usr/sbin/nginx; do
	command -v "$t" >/dev/null || skip "$t not installed"
done
strace -f -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here"
if "$CONFINE" analyze --json /bin/true >"$T/probe" 2>&1; then :; else
	grep -q 'not built yet' "$T/probe" && skip "'confine analyze' is not built yet"
fi
BOUND=${CONFINE_PRECISION_BOUND:-1.5}

# check_run LABEL ARGS...: run the benchmark, assert containment and the bound.
check_run() {
	local label=$1 res missing ratio
	shift
	bash "$CONFINE_SRC/bench/precision-nginx.sh" --confine "$CONFINE" -n 100 "$@" >"$T/report.$label" 2>&1 ||
		fail "precision-nginx.sh ($label) failed: $(tail -n 20 "$T/report.$label")"
	echo "== $label"
	grep -v '^  ' "$T/report.$label"
	res=$(grep '^RESULT ' "$T/report.$label") || fail "no RESULT line ($label)"
	missing=$(sed -n 's/.* missing=\([0-9]*\).*/\1/p' <<<"$res")
	ratio=$(sed -n 's/.* ratio=\([0-9.]*\).*/\1/p' <<<"$res")
	[ "$missing" = 0 ] ||
		problems+=("$label: nginx made $missing syscalls outside its static set: $(sed -n '/^missing/,/^in the static/p' "$T/report.$label" | paste -sd' ')")
	awk -v r="$ratio" -v b="$BOUND" 'BEGIN { exit !(r <= b) }' ||
		problems+=("$label: nginx static set is ${ratio}x the observed set (bound ${BOUND}x); see the list of unobserved calls above")
}
problems=()

# The fixture image's nginx, analysed as an image (--root); then the host's.
if docker_up || [ -x "${CONFINE_FIXTURES:-/var/tmp/confine-fixtures}/rootfs-nginx/usr/sbin/nginx" ]; then
	[ -x "$FIX/rootfs-nginx/usr/sbin/nginx" ] || fixture nginx
	check_run rootfs --rootfs "$FIX/rootfs-nginx"
fi
check_run host
[ ${#problems[@]} -eq 0 ] || fail "$(printf '%s\n' "${problems[@]}")"
pass
