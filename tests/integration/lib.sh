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

# free_port: a loopback TCP port nothing listens on.  The kernel picks it
# (an ephemeral port), so tests running at the same time do not pick the
# same one, as two did with $RANDOM.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# tcp_images_json NAME IMAGE CPORT TIMEOUT: ./images.json with one image,
# its CPORT published on 127.0.0.1:$PORT (PORT is set here), healthy once
# that port answers within TIMEOUT seconds.
tcp_images_json() {
	PORT=$(free_port)
	cat >images.json <<JSON
{
    "$1": {
        "enable": true,
        "image-url": "docker:$2",
        "options": "-p 127.0.0.1:$PORT:$3",
        "healthcheck": {"tcp": "127.0.0.1:$PORT", "timeout": $4}
    }
}
JSON
}

# batch_hardened NAME: confine batch on ./images.json (into output/ and
# results/, messages in out.txt and err.txt) must harden image NAME.
batch_hardened() {
	"$CONFINE" batch -i images.json -o output -r results >out.txt 2>err.txt ||
		{ cat err.txt; fail "batch failed"; }
	grep -qF "Container for image: $1 was hardened SUCCESSFULLY!" err.txt || { cat err.txt; fail "not hardened"; }
}

# expect_fail DESC CMD...: CMD must exit non-zero; its stderr is in $T/err.
expect_fail() {
	local desc=$1
	shift
	if "$@" >"$T/out" 2>"$T/err"; then
		fail "$desc: expected failure, got success"
	fi
}

# Small fake roots for the loaders' run-time module rules (t2004-t2006).
# syscall_lib OUT SYSCALL [SONAME]: a shared object whose one exported
# function, jdk_fn_SYSCALL, makes SYSCALL.
syscall_lib() {
	printf '#include <sys/syscall.h>\n#include <unistd.h>\n%s\n' \
		"long jdk_fn_$2(void) { return syscall(SYS_$2, 0); }" >"$T/lib_$2.c"
	gcc -O2 -shared -fPIC ${3:+-Wl,-soname,$3} -o "$1" "$T/lib_$2.c" || fail "cannot build $1"
}
# chroot_root ROOT: a folder to chroot into under strace: /tmp and /dev/null.
chroot_root() {
	need_root
	command -v strace >/dev/null || fail "no strace (scripts/setup.sh installs it)"
	mkdir -p "$1/dev" "$1/tmp"
	mknod -m 666 "$1/dev/null" c 1 3 || fail "cannot make the chroot's /dev/null"
}
# profile_covers ROOT OPTS [ARGS]: every call in $T/observed (trace_calls) is
# in the profile of dir:ROOT run with OPTS and ARGS (written to $T/p.json,
# names to $T/profile).
profile_covers() {
	local missed
	"$CONFINE" profile --quiet --no-runtime --options "$2" ${3:+--args "$3"} -o "$T/p.json" "dir:$1" ||
		fail "profile failed"
	jq -r '.syscalls[0].names[]' "$T/p.json" | sort >"$T/profile"
	missed=$(comm -23 "$T/observed" "$T/profile" | tr '\n' ' ')
	[ -z "$missed" ] || fail "calls the server's processes made are not in the profile: $missed"
}
# root_add_libc ROOT: the host's glibc and loader, where a Debian root has them.
root_add_libc() {
	mkdir -p "$1/lib64" "$1/lib/x86_64-linux-gnu"
	cp -L /lib64/ld-linux-x86-64.so.2 "$1/lib64/"
	cp -L "$(ldconfig -p | awk '$1 == "libc.so.6" && /x86-64/ && !f { print $NF; f = 1 }')" "$1/lib/x86_64-linux-gnu/"
}
# root_add_program ROOT BIN DEST: the host's program BIN at ROOT/DEST, with
# every library ldd says it loads at the same paths, to run it chrooted.
root_add_program() {
	local l
	mkdir -p "$1$(dirname "$3")"
	cp "$2" "$1$3"
	for l in $(ldd "$2" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }'); do
		mkdir -p "$1$(dirname "$l")"
		cp -L "$l" "$1$l"
	done
}
# root_add_tool ROOT NAME CALLS: a program built here making CALLS (C
# statements, with fd open on /), at ROOT/usr/bin/NAME.
root_add_tool() {
	printf '#define _GNU_SOURCE\n#include <fcntl.h>\n#include <sched.h>\n#include <sys/personality.h>\n#include <sys/xattr.h>\n#include <unistd.h>\nint main(void) { int fd = open("/", O_RDONLY); %s; return 0; }\n' "$3" >"$T/$2.c"
	gcc -O2 -o "$T/$2" "$T/$2.c" || fail "cannot build $2"
	root_add_program "$1" "$T/$2" "/usr/bin/$2"
}
# root_add_python ROOT: the host's python3 at ROOT/usr/bin/python3 with its
# standard library (no tests, no site packages) and the libraries of its
# extension modules, to run it chrooted.
root_add_python() {
	local pyver f l
	root_add_program "$1" "$(readlink -f /usr/bin/python3)" /usr/bin/python3
	pyver=$(python3 -c 'import sys; print("python%d.%d" % sys.version_info[:2])')
	mkdir -p "$1/usr/lib"
	cp -a "/usr/lib/$pyver" "$1/usr/lib/"
	rm -rf "$1/usr/lib/$pyver/test" "$1/usr/lib/$pyver/site-packages" "$1/usr/lib/$pyver/dist-packages"
	for f in "$1/usr/lib/$pyver/lib-dynload/"*.so; do
		for l in $(ldd "$f" 2>/dev/null | awk '$3 ~ /^\// { print $3 }'); do
			[ -e "$1$l" ] || { mkdir -p "$1$(dirname "$l")"; cp -L "$l" "$1$l"; }
		done
	done
}
# docker_archive ROOT OUT CMD [WORKDIR]: a one-layer docker-archive of the
# folder ROOT at OUT, whose config runs CMD (a JSON array) in WORKDIR.
docker_archive() {
	python3 - "$1" "$2" "$3" "${4:-/}" <<'PY'
import hashlib, io, json, sys, tarfile
root, out, cmd, workdir = sys.argv[1:5]
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    t.add(root, arcname=".")
layer = buf.getvalue()
cfg = json.dumps({"architecture": "amd64", "os": "linux",
                  "config": {"Cmd": json.loads(cmd), "WorkingDir": workdir},
                  "rootfs": {"type": "layers",
                             "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]}}).encode()
cname = hashlib.sha256(cfg).hexdigest() + ".json"
man = json.dumps([{"Config": cname, "RepoTags": ["test:1"], "Layers": ["l0/layer.tar"]}]).encode()
with tarfile.open(out, "w") as t:
    for name, data in (("l0/layer.tar", layer), (cname, cfg), ("manifest.json", man)):
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
PY
}
# trace_calls TRACE PROGRAM: the distinct calls an `strace -f -o TRACE` run made
# from PROGRAM's execve on, by name (strace may split a call across lines).
# restart_syscall is the kernel's; syscall_0xN past the table (N >= 0x200, above x86_64's: a
# garbage number strace read, seen in CI) is no call the kernel runs.
trace_calls() {
	awk -v p="execve(\"$2\"" 'index($0, p) { on = 1 } on' "$1" |
		sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p; s/^[0-9]* *<\.\.\. \([a-z0-9_]*\) resumed>.*/\1/p' |
		grep -vxE 'restart_syscall|syscall_0x0*([1-9a-f][0-9a-f]{3,}|[2-9a-f][0-9a-f]{2})' | sort -u
}
# fake_exporter OUT SYMBOL: a program exporting SYMBOL (a function it calls),
# as the interpreter or server a run-time module rule recognises by it.
fake_exporter() {
	printf 'void %s(void) {}\nint main(void) { %s(); return 0; }\n' "$2" "$2" >"$T/exporter_$2.c"
	mkdir -p "$(dirname "$1")"
	gcc -O2 -rdynamic -o "$1" "$T/exporter_$2.c" || fail "cannot build $1 (exporting $2)"
}
# fake_lib_user LIB SONAME SYMBOL PROG: a library LIB (soname SONAME)
# exporting SYMBOL, and a program PROG that calls it from LIB, as the
# program a run-time module rule recognises by what its library exports
# (libxtables) or by what it imports (sudo).
fake_lib_user() {
	printf 'void *%s(void) { return 0; }\n' "$3" >"$T/lib_$3.c"
	printf 'void *%s(void);\nint main(void) { return %s() != 0; }\n' "$3" "$3" >"$T/user_$3.c"
	mkdir -p "$(dirname "$1")" "$(dirname "$4")"
	gcc -O2 -shared -fPIC -Wl,-soname,"$2" -o "$1" "$T/lib_$3.c" || fail "cannot build $1"
	gcc -O2 -o "$4" "$T/user_$3.c" "$1" || fail "cannot build $4"
}
# fake_plain OUT: a program no rule recognises.
fake_plain() {
	printf 'int main(void) { return 0; }\n' >"$T/plain.c"
	mkdir -p "$(dirname "$1")"
	gcc -O2 -o "$1" "$T/plain.c" || fail "cannot build $1"
}
# rule_loads ROOT PROG SYSCALL PHRASE: PROG in ROOT gets SYSCALL through a
# module a run-time module rule adds, in files mode (analyze --root) and in
# image mode (explain dir:ROOT, whose chain must say PHRASE of the module).
rule_loads() {
	"$CONFINE" analyze --quiet --json --root "$1" "$2" >"$T/rule.json" || fail "analyze --root $1 $2 failed"
	json_has "$T/rule.json" "$3" || fail "files mode: $2 lacks $3: $(jq -c '.programs[0].objects' "$T/rule.json")"
	"$CONFINE" explain --quiet --program "$2" "dir:$1" "$3" >"$T/rule.txt" 2>&1 ||
		fail "image mode: explain $3 failed: $(cat "$T/rule.txt")"
	grep -q "$4" "$T/rule.txt" || fail "image mode: $2's $3 not explained through $4: $(cat "$T/rule.txt")"
}
# json_has FILE SYSCALL: the first program of an analyze --json output has SYSCALL.
json_has() { jq -e --arg s "$2" '.programs[0].syscalls | index($s) != null' "$1" >/dev/null; }

# executed_in_root TRACE ROOT: the files of ROOT that a strace -f log shows
# executed (execve()s of PATH's other folders fail; strace may split a line).
executed_in_root() {
	sed -n 's/^[0-9]* *execve("\([^"]*\)".*/\1/p' "$1" | sort -u | while read -r f; do
		if [ -f "$2$f" ]; then echo "$f"; fi
	done
}
