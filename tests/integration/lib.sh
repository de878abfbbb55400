# Sourced by tests/integration/t*.sh.  Gives: $CONFINE (the binary), a
# scratch folder $T removed on exit, fail/skip/pass helpers, and fixture
# image helpers.  Exit 77 = SKIP (ctest SKIP_RETURN_CODE).
set -euo pipefail
: "${CONFINE:?run through ctest (CONFINE unset)}"
: "${CONFINE_SRC:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/confine-test.XXXXXX")
export CONFINE_CACHE_DIR="$T/cache"
trap 'rm -rf "$T"' EXIT
FIX=${CONFINE_FIXTURES:-/var/tmp/confine-fixtures}

# A failing batch test shows the end of the batch's own messages (err.txt in $T).
fail() {
	echo "FAIL: $*" >&2
	if [ -f "$T/err.txt" ]; then
		echo "--- last lines of err.txt:" >&2
		tail -n 60 "$T/err.txt" >&2
	fi
	exit 1
}
skip() { echo "SKIP: $*"; exit 77; }
pass() { echo "PASS: ${0##*/}"; exit 0; }

docker_up() { curl -sf --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; }
# need_docker: SKIP when no engine answers, except under CI where it must.
need_docker() {
	if ! docker_up; then
		[ "${CI:-}" = true ] && fail "Docker engine not answering in CI"
		skip "no Docker engine on /var/run/docker.sock"
	fi
}
need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root"; }
# fixture NAME: make sure the fixture image NAME is built (cached).
fixture() { need_docker; bash "$CONFINE_SRC/tests/fixtures/images.sh" "$1" >&2; }

# expect_fail DESC CMD...: CMD must exit non-zero; its stderr is in $T/err.
expect_fail() {
	local desc=$1
	shift
	if "$@" >"$T/out" 2>"$T/err"; then
		fail "$desc: expected failure, got success"
	fi
}
