#!/bin/bash
# The container as it is run: `profile --options/--args` (the images JSON's
# "options" and "args"), `explain` and `inventory --options/--args` change
# what is analysed, the way the engine merges them with the image's config:
# --entrypoint (dropping the image's Cmd), the arguments (replacing it),
# -e (the environment) and -w (the working folder).  The environment moves
# the folders runtimes load modules from: PYTHONPATH, PYTHONHOME,
# OPENSSL_ENGINES, OPENSSL_MODULES, SASL_PATH and Lua's LUA_CPATH.
# Checked for real: the host's openssl, run in a chroot with
# OPENSSL_ENGINES naming a folder of its own, loads an engine from it under
# strace; every call it makes must be in the profile given that -e.  In files
# mode, `analyze -e NAME=VALUE -w DIR` gives the programs an environment too.
. "$(dirname "$0")/lib.sh"
need_root
command -v gcc >/dev/null || skip "no gcc"
command -v strace >/dev/null || fail "no strace (scripts/setup.sh installs it)"
[ -f /usr/include/openssl/engine.h ] || fail "no OpenSSL headers (scripts/setup.sh installs libssl-dev)"
OPENSSL=$(readlink -f "$(command -v openssl)") || fail "no openssl (scripts/setup.sh installs it)"

# profile_set IMAGE OPTIONS [ARGS]: the sorted allowed syscalls of IMAGE's profile.
profile_set() {
	"$CONFINE" profile --quiet --no-runtime --options "$2" ${3:+--args "$3"} -o "$T/p.json" --force "$1" ||
		fail "profile $1 --options '$2' failed"
	jq -r '.syscalls[0].names[]' "$T/p.json" | sort
}
# explains IMAGE SYSCALL PHRASE OPTIONS [PROGRAM]: explain finds SYSCALL through a module PHRASE names.
explains() {
	"$CONFINE" explain --quiet --options "$4" ${5:+--program "$5"} "$1" "$2" >"$T/e.txt" 2>&1 ||
		fail "explain $2 --options '$4' failed: $(cat "$T/e.txt")"
	grep -q "$3" "$T/e.txt" || fail "$2 with '$4' not explained through $3: $(cat "$T/e.txt")"
}
# not_explained IMAGE SYSCALL [OPTIONS] [PROGRAM]: no program of IMAGE can make SYSCALL.
not_explained() {
	"$CONFINE" explain --quiet --options "${3:-}" ${4:+--program "$4"} "$1" "$2" >"$T/e.txt" 2>&1 ||
		fail "explain $2 failed: $(cat "$T/e.txt")"
	grep -q 'no program of the image can make it' "$T/e.txt" || fail "$2 counted without its variable: $(cat "$T/e.txt")"
}

# ---- the run options pick the programs ----
R=$T/root
root_add_libc "$R"
mkdir -p "$R/usr/bin" "$R/app/bin"
cat >"$T/one.c" <<'C'
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv) { (void)argv; return argc > 5 ? (int)syscall(SYS_swapoff, 0) : 0; }
C
gcc -O2 -o "$R/app/bin/one" "$T/one.c" || fail "cannot build one"
sed 's/SYS_swapoff/SYS_acct/' "$T/one.c" >"$T/two.c"
gcc -O2 -o "$R/usr/bin/two" "$T/two.c" || fail "cannot build two"
profile_set "dir:$R" "--entrypoint /app/bin/one" >"$T/one.set"
grep -qx swapoff "$T/one.set" || fail "--entrypoint /app/bin/one: swapoff missing"
grep -qx acct "$T/one.set" && fail "--entrypoint /app/bin/one: two's acct counted"
profile_set "dir:$R" "-w /app --entrypoint bin/one" >"$T/rel.set"
grep -qx swapoff "$T/rel.set" || fail "-w /app --entrypoint bin/one: the program was not found from the working folder"
profile_set "dir:$R" "--entrypoint /bin/sh" "-c 'exec /usr/bin/two'" >"$T/sh.set" 2>/dev/null ||
	fail "profile with --args failed"
grep -qx acct "$T/sh.set" || fail "--args '-c exec /usr/bin/two': two's acct missing"
# -e LD_PRELOAD: the image's loader preloads it (its constructor runs in every program).
mkdir -p "$R/srv/pre"
printf '#include <sys/syscall.h>\n#include <unistd.h>\n__attribute__((constructor)) static void c(void) { syscall(SYS_setdomainname, 0, 0); }\n' >"$T/pre.c"
gcc -O2 -shared -fPIC -o "$R/srv/pre/pre.so" "$T/pre.c" || fail "cannot build pre.so"
profile_set "dir:$R" "--entrypoint /usr/bin/two" >"$T/nopre.set"
grep -qx setdomainname "$T/nopre.set" && fail "setdomainname counted without LD_PRELOAD"
profile_set "dir:$R" "--entrypoint /usr/bin/two -e LD_PRELOAD=/srv/pre/pre.so" >"$T/pre.set"
grep -qx setdomainname "$T/pre.set" || fail "-e LD_PRELOAD=/srv/pre/pre.so: its constructor's setdomainname missing"
expect_fail "bad options" "$CONFINE" profile --quiet --options "--privileged" "dir:$R"
grep -q "privileged" "$T/err" || fail "a rejected option is not named: $(cat "$T/err")"

# ---- the environment moves the runtimes' module folders ----
mkdir -p "$R/usr/lib" "$R/opt/ssl/engines" "$R/srv/eng" "$R/srv/prov" "$R/srv/sasl" "$R/srv/py/pkg" \
	"$R/home/lib/python3.99/lib-dynload" "$R/app/lua/a"
cat >"$T/crypto.c" <<'C'
static const char *const dirs[] = { "ENGINESDIR: \"/opt/ssl/engines\"", "MODULESDIR: \"/opt/ssl/modules\"" };
const char *OpenSSL_version(int t) { return dirs[t & 1]; }
void *ENGINE_by_id(const char *id) { (void)id; return 0; }
C
printf 'const char *OpenSSL_version(int t);\nint main(int c, char **v) { (void)v; return OpenSSL_version(c)[0]; }\n' >"$T/app.c"
gcc -O2 -shared -fPIC -Wl,-soname,libcrypto.so.3 -o "$R/usr/lib/libcrypto.so.3" "$T/crypto.c" ||
	fail "cannot build the fake libcrypto"
gcc -O2 -o "$R/usr/bin/ssl" "$T/app.c" "$R/usr/lib/libcrypto.so.3" -Wl,-rpath,/usr/lib || fail "cannot build ssl"
syscall_lib "$R/srv/eng/e.so" vhangup
syscall_lib "$R/srv/prov/p.so" mincore
fake_lib_user "$R/usr/lib/x86_64-linux-gnu/libsasl2.so.2" libsasl2.so.2 sasl_client_init "$R/usr/bin/sasl"
syscall_lib "$R/srv/sasl/s.so" quotactl
fake_exporter "$R/usr/bin/python3" Py_Initialize
syscall_lib "$R/srv/py/pkg/_m.so" personality
syscall_lib "$R/home/lib/python3.99/lib-dynload/_h.so" iopl
fake_exporter "$R/usr/bin/lua" luaL_openlibs
syscall_lib "$R/app/lua/a/b.so" syncfs

P=/usr/bin/ssl
not_explained "dir:$R" vhangup "" $P
explains "dir:$R" vhangup 'an OpenSSL engine or provider' "-e OPENSSL_ENGINES=/srv/eng" $P
explains "dir:$R" mincore 'an OpenSSL engine or provider' "-e OPENSSL_MODULES=/srv/prov/" $P
not_explained "dir:$R" vhangup "-e OPENSSL_ENGINES=/srv/eng" /usr/bin/two
not_explained "dir:$R" quotactl "" /usr/bin/sasl
explains "dir:$R" quotactl 'SASL' "-e SASL_PATH=/nowhere:/srv/sasl" /usr/bin/sasl
not_explained "dir:$R" personality "" /usr/bin/python3
explains "dir:$R" personality 'Python' "-e PYTHONPATH=/srv/py" /usr/bin/python3
explains "dir:$R" personality 'Python' "-w /srv -e PYTHONPATH=py" /usr/bin/python3
explains "dir:$R" iopl 'Python' "-e PYTHONHOME=/home" /usr/bin/python3
not_explained "dir:$R" syncfs "" /usr/bin/lua
explains "dir:$R" syncfs 'Lua' "-w /app -e LUA_CPATH=./lua/?.so;;" /usr/bin/lua
explains "dir:$R" syncfs 'Lua' "-e LUA_CPATH_5_4=/app/lua/?.so" /usr/bin/lua

# ---- files mode: analyze -e / -w give the programs an environment too ----
# analyzes ARGS... SYSCALL: analyze --root $R ARGS has SYSCALL in its first program's set.
analyzes() {
	"$CONFINE" analyze --quiet --json --root "$R" "${@:1:$#-1}" >"$T/a.json" 2>"$T/a.err" ||
		fail "analyze $* failed: $(cat "$T/a.err")"
	json_has "$T/a.json" "${!#}"
}
analyzes /usr/bin/ssl vhangup && fail "files mode: vhangup counted without OPENSSL_ENGINES"
analyzes -e OPENSSL_ENGINES=/srv/eng /usr/bin/ssl vhangup || fail "files mode: -e OPENSSL_ENGINES=/srv/eng: vhangup missing"
analyzes -e OPENSSL_ENGINES=/srv/eng -e OPENSSL_ENGINES=/nowhere /usr/bin/ssl vhangup &&
	fail "files mode: the later -e OPENSSL_ENGINES did not replace the earlier"
analyzes -w /srv --env PYTHONPATH=py /usr/bin/python3 personality || fail "files mode: -w /srv -e PYTHONPATH=py: personality missing"
analyzes /usr/bin/two setdomainname && fail "files mode: setdomainname counted without LD_PRELOAD"
analyzes -e LD_PRELOAD=/srv/pre/pre.so /usr/bin/two setdomainname || fail "files mode: -e LD_PRELOAD: setdomainname missing"
# LD_LIBRARY_PATH: a library only it finds (relative to the working folder).
mkdir -p "$R/opt/priv"
syscall_lib "$R/opt/priv/libpriv.so" pivot_root
printf 'long jdk_fn_pivot_root(void);\nint main(int c, char **v) { (void)v; return c > 5 ? (int)jdk_fn_pivot_root() : 0; }\n' >"$T/priv.c"
gcc -O2 -o "$R/usr/bin/priv" "$T/priv.c" -L"$R/opt/priv" -lpriv || fail "cannot build priv"
"$CONFINE" analyze --quiet --json --root "$R" /usr/bin/priv >"$T/a.json" 2>&1 && json_has "$T/a.json" pivot_root &&
	fail "files mode: libpriv.so found without LD_LIBRARY_PATH"
analyzes -w /opt -e LD_LIBRARY_PATH=/nowhere:priv /usr/bin/priv pivot_root ||
	fail "files mode: -e LD_LIBRARY_PATH=priv: pivot_root missing"
expect_fail "analyze bad -e" "$CONFINE" analyze -e NOEQUALS /bin/true
grep -q "invalid --env 'NOEQUALS': expected NAME=VALUE" "$T/err" || fail "bad -e message: $(cat "$T/err")"
expect_fail "analyze bad -w" "$CONFINE" analyze -w rel /bin/true
grep -q "invalid --workdir 'rel'" "$T/err" || fail "bad -w message: $(cat "$T/err")"

# ---- the real openssl, OPENSSL_ENGINES naming an engine folder of its own ----
N=$T/osslroot
mkdir -p "$N/usr/bin" "$N/tmp" "$N/srv/engines"
root_add_program "$N" "$OPENSSL" /usr/bin/openssl
root_add_program "$N" "$(readlink -f /usr/bin/env)" /usr/bin/env
gcc -O2 -shared -fPIC -o "$N/srv/engines/confinetest.so" "$CONFINE_SRC/tests/fixtures/openssl-engine.c" -lcrypto ||
	fail "cannot build the engine"
strace -f -qq -o "$T/trace" chroot "$N" /usr/bin/env OPENSSL_ENGINES=/srv/engines /usr/bin/openssl engine -t confinetest \
	>"$T/out" 2>&1 || fail "openssl did not run: $(cat "$T/out")"
grep -q 'confine test engine' "$T/out" || fail "openssl did not load the engine: $(cat "$T/out")"
# The calls openssl made: those after its execve, by name (restart_syscall is the kernel's).
trace_calls "$T/trace" /usr/bin/openssl | grep -vx exit >"$T/observed" || true
grep -qx flock "$T/observed" && grep -qx syncfs "$T/observed" ||
	fail "the engine's flock and syncfs were not seen under strace: $(tr '\n' ' ' <"$T/observed")"
OPTS="--entrypoint /usr/bin/openssl -e OPENSSL_ENGINES=/srv/engines"
profile_set "dir:$N" "$OPTS" "engine -t confinetest" >"$T/with.set"
missed=$(comm -23 "$T/observed" "$T/with.set" | tr '\n' ' ')
[ -z "$missed" ] || fail "openssl with OPENSSL_ENGINES made calls outside its profile: $missed"
profile_set "dir:$N" "--entrypoint /usr/bin/openssl" "engine -t confinetest" >"$T/without.set"
grep -qx syncfs "$T/without.set" && fail "syncfs counted without OPENSSL_ENGINES (the test shows nothing)"
echo "openssl: $(wc -l <"$T/observed") calls observed, $(wc -l <"$T/with.set") in the profile with -e, $(wc -l <"$T/without.set") without"

# ---- an image's config: the run options replace its entrypoint and Cmd ----
if docker_up || [ -n "${CI:-}" ]; then
	fixture small
	"$CONFINE" profile --quiet --json docker:confine-test/small -o "$T/s1.json" --force >"$T/s1.sum" ||
		fail "profile small failed"
	"$CONFINE" profile --quiet --json docker:confine-test/small --options "--entrypoint /bin/sleep" --args 5 \
		-o "$T/s2.json" --force >"$T/s2.sum" || fail "profile small --entrypoint failed"
	jq -e '.programs > 1' "$T/s1.sum" >/dev/null || fail "small: its sh -c command's programs missing: $(cat "$T/s1.sum")"
	jq -e '.programs == 1' "$T/s2.sum" >/dev/null ||
		fail "small with --entrypoint /bin/sleep: the image's Cmd still analysed: $(cat "$T/s2.sum")"
	"$CONFINE" inventory --quiet --json --options "--entrypoint /bin/sleep" --args 5 docker:confine-test/small \
		>"$T/inv.json" || fail "inventory --options failed"
	jq -e '[.programs[].path] == ["/bin/sleep"]' "$T/inv.json" >/dev/null ||
		fail "inventory --entrypoint /bin/sleep: $(jq -c '[.programs[].path]' "$T/inv.json")"
	expect_fail "inventory bad options" "$CONFINE" inventory --options "--privileged" docker:confine-test/small
	grep -q "privileged" "$T/err" || fail "inventory: a rejected option is not named: $(cat "$T/err")"
fi
pass
