#!/usr/bin/env bash
# Build confine (gcc, warnings as errors), run the whole test suite, then the
# ASan+UBSan build's suite.  Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

cmake -S . -B build -G Ninja -DCONFINE_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build
# Clang must build it too.
CC=clang cmake -S . -B build-clang -G Ninja -DCONFINE_WERROR=ON -DCONFINE_TESTS=OFF >/dev/null
ninja -C build-clang
# Fixture images the tests share (cached under /var/tmp).
bash tests/fixtures/images.sh all
bash tests/fixtures/images-extra.sh memcached python
summary=$(mktemp)
ctest --test-dir build --output-on-failure -j "$jobs" | tee -a "$summary"

if [ "${CONFINE_SKIP_SANITIZE:-0}" != 1 ]; then
	CC=clang cmake -S . -B build-asan -G Ninja -DCONFINE_WERROR=ON -DCONFINE_SANITIZE=ON \
		-DCMAKE_BUILD_TYPE=Debug >/dev/null
	ninja -C build-asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir build-asan --output-on-failure -j "$jobs" -L unit | tee -a "$summary"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir build-asan --output-on-failure -j "$jobs" -L asan | tee -a "$summary"
fi

# Every libFuzzer target builds and survives a short smoke run (the long
# runs are recorded in the issue notes; see tests/fuzz/).
if [ "${CONFINE_SKIP_FUZZ:-0}" != 1 ]; then
	CC=clang cmake -S . -B build-fuzz -G Ninja -DCONFINE_FUZZ=ON -DCONFINE_TESTS=OFF \
		-DCONFINE_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	ninja -C build-fuzz
	fuzz_work=$(mktemp -d)
	trap 'rm -rf "$fuzz_work"' EXIT
	for f in build-fuzz/tests/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		echo "fuzz smoke: ${f##*/}"
		(cd "$fuzz_work" && CONFINE_CACHE_DIR="$fuzz_work/cache" \
			"$OLDPWD/$f" -max_total_time=5 -rss_limit_mb=2048 >"$fuzz_work/log" 2>&1) || {
			tail -40 "$fuzz_work/log"
			echo "fuzz smoke: ${f##*/} FAILED" >&2
			exit 1
		}
	done
fi

# One closing line over every ctest run above (each failed run already
# stopped the script through pipefail).
total=$(awk '/tests passed, [0-9]+ tests failed out of/ {n += $NF} END {print n + 0}' "$summary")
echo "confine tests: $total passed, 0 failed"
