#!/usr/bin/env bash
# Precision (issue #3, item 9): Debian's nginx served a bounded workload
# under strace -f (bench/precision-nginx.sh); the static set of
# `confine analyze /usr/sbin/nginx` must contain every call observed and
# be at most 1.5 times as large.
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

bash "$CONFINE_SRC/bench/precision-nginx.sh" --confine "$CONFINE" -n 100 -o "$T/out" >"$T/report" 2>&1 ||
	fail "precision-nginx.sh failed: $(tail -n 20 "$T/report")"
grep -v '^  ' "$T/report"
res=$(grep '^RESULT ' "$T/report") || fail "no RESULT line"
missing=$(sed -n 's/.* missing=\([0-9]*\).*/\1/p' <<<"$res")
ratio=$(sed -n 's/.* ratio=\([0-9.]*\).*/\1/p' <<<"$res")
[ "$missing" = 0 ] || fail "nginx made $missing syscalls outside its static set: $(sed -n '/^missing/,/^in the static/p' "$T/report")"
awk -v r="$ratio" -v b="$BOUND" 'BEGIN { exit !(r <= b) }' ||
	fail "nginx static set is ${ratio}x the observed set (bound ${BOUND}x); see the list of unobserved calls above"
pass
