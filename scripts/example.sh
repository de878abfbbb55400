#!/usr/bin/env bash
# The main job on the built-in example: build confine, build the example
# nginx image from Debian packages (cached under /var/tmp), and run confine
# on it.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build >/dev/null
bash tests/fixtures/images.sh nginx
./build/confine inventory docker:confine-test/nginx:latest
