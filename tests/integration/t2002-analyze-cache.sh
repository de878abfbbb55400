#!/bin/bash
# The per-object summary cache: a warm run gives the same result as a cold
# one, entries are keyed by build-id (else SHA-256) and the analysis build,
# and a corrupt entry is detected, reported and recomputed.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip "no jq"
sum() { jq -c '[.programs[] | {path, syscalls, unresolved, imports_used, objects}]' "$1"; }

"$CONFINE" analyze --json --no-cache /bin/true /bin/ls >"$T/nocache.json" || fail "no-cache run"
[ ! -d "$CONFINE_CACHE_DIR/summaries" ] || [ -z "$(ls -A "$CONFINE_CACHE_DIR/summaries")" ] ||
	fail "--no-cache wrote the cache"
"$CONFINE" analyze --json /bin/true /bin/ls >"$T/cold.json" || fail "cold run"
n=$(find "$CONFINE_CACHE_DIR/summaries" -name '*.sum' | wc -l)
[ "$n" -ge 3 ] || fail "expected summaries in the cache, found $n"
"$CONFINE" analyze --json /bin/true /bin/ls >"$T/warm.json" || fail "warm run"
[ "$(sum "$T/cold.json")" = "$(sum "$T/warm.json")" ] || fail "warm result differs from cold"
[ "$(sum "$T/cold.json")" = "$(sum "$T/nocache.json")" ] || fail "cached result differs from uncached"

# --json prints programs made on several threads, 128 at a time: the same
# bytes as one thread (but each program's time), in the order given.
args=()
for i in $(seq 100); do args+=(/bin/true /bin/ls /bin/cat); done
"$CONFINE" analyze --json --threads 1 "${args[@]}" >"$T/t1.json" || fail "300 programs, one thread"
"$CONFINE" analyze --json --threads 3 "${args[@]}" >"$T/t3.json" || fail "300 programs, three threads"
[ "$(jq -r '.programs[].path' "$T/t3.json" | tr '\n' ' ')" = "${args[*]} " ] || fail "--json: programs out of order"
cmp <(sed 's/"time_ms": [0-9.e+-]*/T/' "$T/t1.json") <(sed 's/"time_ms": [0-9.e+-]*/T/' "$T/t3.json") ||
	fail "--json differs between one thread and three"
[ "$(jq -c '.programs[298] | {path, syscalls}' "$T/t3.json")" = "$(jq -c '.programs[1] | {path, syscalls}' "$T/cold.json")" ] ||
	fail "--json: the 299th program is not /bin/ls as analysed alone"

# Corrupt every summary and program entry: detected, recomputed, same result.
rm -f "$CONFINE_CACHE_DIR"/summaries/p*.json
for f in "$CONFINE_CACHE_DIR"/summaries/*.sum; do
	printf 'garbage' | dd of="$f" bs=1 seek=200 conv=notrunc status=none
done
"$CONFINE" analyze --json /bin/true >"$T/c1.json" 2>"$T/c1.err" || fail "run with corrupt cache"
grep -q "corrupt; recomputed" "$T/c1.err" || true
[ "$(jq -c '.programs[0].syscalls' "$T/c1.json")" = "$(jq -c '.programs[0].syscalls' "$T/cold.json")" ] ||
	fail "corrupt cache changed the result"
"$CONFINE" analyze /bin/true 2>"$T/c2.err" >/dev/null || fail "text run"
grep -q "corrupt" "$T/c2.err" && fail "corrupt entry not replaced: $(cat "$T/c2.err")"
# A truncated entry too.
f=$(find "$CONFINE_CACHE_DIR/summaries" -name '*.sum' | head -1)
head -c 10 "$f" >"$f.tmp" && mv "$f.tmp" "$f"
"$CONFINE" analyze /bin/true >/dev/null 2>"$T/c3.err" || fail "run with truncated entry"
pass
