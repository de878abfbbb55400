#!/usr/bin/env bash
# The README's first command: build confine, build the example nginx image
# from Debian packages (cached under /var/tmp/confine-fixtures), write a
# myimages.json naming it, run the seed tutorial's batch command line on it,
# and print where the profile and the reports are.
#
# Usage: scripts/example-batch.sh [WORK_DIR]   (default ./confine-example)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$PWD/confine-example}

cmake -S "$here" -B "$here/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$here/build" >/dev/null
bash "$here/tests/fixtures/images.sh" nginx

mkdir -p "$work"
cd "$work"
port=${PORT:-8080}
if [ ! -e myimages.json ]; then
	cat >myimages.json <<JSON
{
    "nginx": {
        "enable": "true",
        "image-name": "nginx",
        "image-url": "confine-test/nginx:latest",
        "options": "-p 127.0.0.1:$port:80",
        "healthcheck": "http://127.0.0.1:$port/",
        "dependencies": {}
    }
}
JSON
fi
# Confine's data files are optional: use them when they are around.
args=(-i myimages.json -o output/ -r results/)
data=$here/../shared/confine-data
if [ -d "$data/libc-callgraphs" ]; then
	args=(-l "$data/libc-callgraphs/glibc.callgraph" -m "$data/libc-callgraphs/musllibc.callgraph"
		-i myimages.json -o output/ -p "$data/default.seccomp.json" -r results/ -g "$data/go.syscalls/")
fi
"$here/build/confine" "${args[@]}"

echo
echo "Profile:          $work/results/nginx.seccomp.json"
echo "Reports:          $work/results/profile.report.csv, $work/results/profile.report.details.csv"
echo "CVE report:       $work/results/cve.container.csv"
echo "HTML report:      $work/results/report.html"
echo "Analysed files:   $work/output/nginx/"
echo "Try it:           docker run --rm -p 127.0.0.1:$port:80 --security-opt seccomp=$work/results/nginx.seccomp.json confine-test/nginx:latest"
