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
bash tests/fixtures/images-extra.sh memcached
ctest --test-dir build --output-on-failure -j "$jobs"

if [ "${CONFINE_SKIP_SANITIZE:-0}" != 1 ]; then
	CC=clang cmake -S . -B build-asan -G Ninja -DCONFINE_WERROR=ON -DCONFINE_SANITIZE=ON \
		-DCMAKE_BUILD_TYPE=Debug >/dev/null
	ninja -C build-asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir build-asan --output-on-failure -j "$jobs" -L unit
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir build-asan --output-on-failure -j "$jobs" -L asan
fi
