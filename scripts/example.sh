#!/usr/bin/env bash
# The main job on the built-in example: build confine, build the example
# nginx image from Debian packages (cached under /var/tmp), and run the seed
# tutorial's batch command line on it (see scripts/example-batch.sh).
set -euo pipefail
exec "$(dirname "$0")/example-batch.sh" "$@"
