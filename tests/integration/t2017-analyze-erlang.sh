#!/bin/bash
# Erlang: the VM (beam.smp, which exports the NIF API) loads NIFs and
# drivers from the applications' priv folders, by paths Erlang code
# computes (code:priv_dir), so a process with an object exporting
# enif_make_atom gets every .so of ROOT/lib's applications (ROOT: the
# installation or release beam.smp is in) and of ERL_LIBS's.  And the
# runtimes those modules bring count too: crypto's NIF brings libcrypto,
# whose OpenSSL engines the VM then may load.  Checked on Debian's
# Erlang, on fakes in both loaders, and for real: the host's Erlang runs
# in a chroot a NIF that makes mincore and personality, and, through an
# openssl.cnf, an OpenSSL engine that makes flock and syncfs, under
# strace; every call it makes must be in its set.  The launcher, erlexec,
# executes beam.smp by a name it builds: started by erlexec, the VM must be
# in the program set (a RabbitMQ image had a profile without it and exited).
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
need_root
st_init
command -v gcc >/dev/null || skip "no gcc"
BEAM=$(ls /usr/lib/erlang/erts-*/bin/beam.smp 2>/dev/null | head -1)
[ -n "$BEAM" ] || fail "no Erlang (scripts/setup.sh installs erlang-base)"
ERTS=$(dirname "$(dirname "$BEAM")")
NIF_H=$(ls "$ERTS"/include/erl_nif.h /usr/lib/erlang/usr/include/erl_nif.h 2>/dev/null | head -1)
[ -n "$NIF_H" ] || fail "no erl_nif.h (scripts/setup.sh installs erlang-dev)"
CRYPTO_NIF=$(ls /usr/lib/erlang/lib/crypto-*/priv/lib/crypto.so 2>/dev/null | head -1)
[ -n "$CRYPTO_NIF" ] || fail "no crypto NIF (scripts/setup.sh installs erlang-crypto)"
ENGINES=$(strings -a "$(ldd "$CRYPTO_NIF" | awk '$1 ~ /^libcrypto\.so/ { print $3 }')" |
	sed -n 's/^ENGINESDIR: "\(\/.*\)"$/\1/p')
[ -n "$ENGINES" ] || fail "the crypto NIF's libcrypto names no ENGINESDIR"

# ---- Debian's Erlang: its NIFs, and libcrypto's engines through crypto.so ----
"$CONFINE" analyze --quiet --json "$BEAM" >"$T/host.json" || fail "analyze beam.smp failed"
jq -e --arg n "$CRYPTO_NIF" '.programs[0] | [.objects, .object_reasons] | transpose | any(.[0] == $n and .[1] == "erlang")' \
	"$T/host.json" >/dev/null || fail "crypto.so is not an Erlang module of beam.smp: $(jq -c '.programs[0].objects' "$T/host.json")"
if [ -f "$ENGINES/afalg.so" ]; then
	jq -e --arg e "$ENGINES/afalg.so" '.programs[0].objects | index($e) != null' "$T/host.json" >/dev/null ||
		fail "afalg.so (the engine of crypto.so's libcrypto) is not an object of beam.smp"
	json_has "$T/host.json" io_setup || fail "beam.smp: afalg's io_setup missing"
fi

# ---- fakes: an installation, a release, ERL_LIBS, and a NIF's libcrypto ----
R=$T/root
E=$R/usr/lib/erlang
root_add_libc "$R"
mkdir -p "$E/lib/app-1.0/priv/lib" "$E/lib/app-1.0/priv/native/x86_64" "$E/lib/app-1.0/priv/a/b/c/d" "$E/lib/crypto-9/priv/lib" \
	"$R/opt/rel/lib/r-2/priv" "$R/srv/erl/x-1/priv" "$R/usr/lib/x86_64-linux-gnu" "$R/opt/ssl/engines"
fake_exporter "$E/erts-99/bin/beam.smp" enif_make_atom
syscall_lib "$E/lib/app-1.0/priv/lib/n.so" swapoff
syscall_lib "$E/lib/app-1.0/priv/native/x86_64/r.so" acct   # rustler's priv/native
syscall_lib "$E/lib/app-1.0/priv/a/b/c/d/deep.so" vhangup   # too deep
fake_exporter "$R/opt/rel/erts-99/bin/beam.smp" enif_make_atom
syscall_lib "$R/opt/rel/lib/r-2/priv/r.so" quotactl         # a release's own application
syscall_lib "$R/srv/erl/x-1/priv/x.so" mincore              # ERL_LIBS
cat >"$T/crypto.c" <<'C'
static const char *const dirs[] = { "ENGINESDIR: \"/opt/ssl/engines\"", "MODULESDIR: \"/opt/ssl/modules\"" };
const char *OpenSSL_version(int t) { return dirs[t & 1]; }
void *ENGINE_by_id(const char *id) { (void)id; return 0; }
C
gcc -O2 -shared -fPIC -Wl,-soname,libcrypto.so.3 -o "$R/usr/lib/x86_64-linux-gnu/libcrypto.so.3" "$T/crypto.c" ||
	fail "cannot build the fake libcrypto"
printf 'const char *OpenSSL_version(int t);\nconst char *crypto_nif(void) { return OpenSSL_version(0); }\n' >"$T/cnif.c"
gcc -O2 -shared -fPIC -o "$E/lib/crypto-9/priv/lib/crypto.so" "$T/cnif.c" "$R/usr/lib/x86_64-linux-gnu/libcrypto.so.3" ||
	fail "cannot build the fake crypto NIF"
syscall_lib "$R/opt/ssl/engines/e.so" iopl                  # the engine of the NIF's libcrypto
fake_plain "$R/usr/bin/plain"

B=/usr/lib/erlang/erts-99/bin/beam.smp
"$CONFINE" analyze --quiet --json --root "$R" $B /opt/rel/erts-99/bin/beam.smp /usr/bin/plain >"$T/files.json" ||
	fail "analyze --root failed"
for s in swapoff acct iopl; do
	json_has "$T/files.json" "$s" || fail "files mode: $s missing: $(jq -c '.programs[0].objects' "$T/files.json")"
done
json_has "$T/files.json" vhangup && fail "files mode: a module six levels down counted"
jq -e '.programs[1].syscalls | index("quotactl") != null and index("swapoff") == null' "$T/files.json" >/dev/null ||
	fail "the release's beam.smp does not get its own applications alone: $(jq -c '.programs[1].objects' "$T/files.json")"
jq -e '.programs[2].objects | length == 3' "$T/files.json" >/dev/null ||
	fail "plain: NIFs loaded into a program that is not the VM: $(jq -c '.programs[2].objects' "$T/files.json")"
for s in swapoff iopl; do
	"$CONFINE" explain --quiet --program $B "dir:$R" "$s" >"$T/e.txt" 2>&1 || fail "image mode: explain $s failed: $(cat "$T/e.txt")"
	grep -q 'no program of the image can make it' "$T/e.txt" && fail "image mode: $s not explained"
done
grep -q 'an OpenSSL engine or provider' "$T/e.txt" || fail "iopl not explained through the engine: $(cat "$T/e.txt")"
"$CONFINE" explain --quiet --program $B "dir:$R" swapoff >"$T/e.txt" 2>&1
grep -q 'an Erlang NIF or driver' "$T/e.txt" || fail "swapoff not explained through the NIF: $(cat "$T/e.txt")"
"$CONFINE" explain --quiet --program $B --options "-e ERL_LIBS=/nowhere:/srv/erl" "dir:$R" mincore >"$T/e.txt" 2>&1 ||
	fail "explain mincore with ERL_LIBS failed: $(cat "$T/e.txt")"
grep -q 'an Erlang NIF or driver' "$T/e.txt" || fail "ERL_LIBS's NIF not loaded: $(cat "$T/e.txt")"

# ---- the real VM in a chroot: a NIF, and an engine its openssl.cnf names ----
N=$T/erlroot
V=$(basename "$ERTS")
mkdir -p "$N/usr/lib" "$N/tmp" "$N/dev" "$N/usr/lib/ssl" "$N$ENGINES"
mknod -m 666 "$N/dev/null" c 1 3 || fail "cannot make the chroot's /dev/null"   # erl_child_setup needs it
cp -a /usr/lib/erlang "$N/usr/lib/"
for b in erlexec beam.smp erl_child_setup inet_gethost; do
	root_add_program "$N" "$ERTS/bin/$b" "/usr/lib/erlang/$V/bin/$b"
done
root_add_program "$N" "$CRYPTO_NIF" "${CRYPTO_NIF}"
root_add_program "$N" "$(readlink -f /usr/bin/env)" /usr/bin/env
A=$N/usr/lib/erlang/lib/confinetest-1.0
mkdir -p "$A/ebin" "$A/priv/lib"
gcc -O2 -shared -fPIC -I"$(dirname "$NIF_H")" -o "$A/priv/lib/confinetest.so" "$CONFINE_SRC/tests/fixtures/erlang-nif.c" ||
	fail "cannot build the NIF"
cat >"$T/confinetest.erl" <<'ERL'
-module(confinetest).
-export([go/0]).
-on_load(init/0).
init() -> erlang:load_nif(filename:join(code:priv_dir(confinetest), "lib/confinetest"), 0).
go() -> erlang:nif_error(not_loaded).
ERL
erlc -o "$A/ebin" "$T/confinetest.erl" || fail "cannot compile confinetest.erl"
gcc -O2 -shared -fPIC -o "$N$ENGINES/confinetest.so" "$CONFINE_SRC/tests/fixtures/openssl-engine.c" -lcrypto ||
	fail "cannot build the engine"
printf 'openssl_conf = conf\n[conf]\nengines = eng\n[eng]\nconfinetest = ce\n[ce]\ninit = 1\n' >"$N/usr/lib/ssl/openssl.cnf"
ST_TRIVIAL_EXEMPT=$(readlink -f "$(command -v chroot)")
st_run erl-nif chroot "$N" /usr/bin/env HOME=/tmp ROOTDIR=/usr/lib/erlang BINDIR=/usr/lib/erlang/$V/bin EMU=beam \
	PROGNAME=erl /usr/lib/erlang/$V/bin/erlexec -noshell \
	-eval 'ok = crypto:start(), io:format("~p~n", [confinetest:go()]), halt().'
grep -qx done "$ST/traces/erl-nif.out" || fail "the NIF did not run: $(cat "$ST/traces/erl-nif.out" "$ST/traces/erl-nif.err")"
st_check
for c in mincore personality flock syncfs; do
	st_observed erl-nif "$c" || fail "the VM made no $c under strace (NIF or engine not loaded?)"
done

# ---- the launcher: erlexec executes beam.smp of its folder by a name it builds ----
# (erl and rabbitmq-server start the VM so; the run above shows it does.)
grep -q "execve(\"/usr/lib/erlang/$V/bin/beam.smp\"" "$ST/traces/erl-nif.trace" ||
	fail "the run did not show erlexec executing beam.smp"
"$CONFINE" explain --quiet --json --options "--entrypoint /usr/lib/erlang/$V/bin/erlexec" "dir:$N" epoll_ctl \
	>"$T/e.json" || fail "explain of the erlexec root failed"
jq -e --arg p "/usr/lib/erlang/$V/bin/beam.smp" '.programs[] | select(.program == $p and .origin == "exec")' \
	"$T/e.json" >/dev/null || fail "erlexec's beam.smp is not in the program set: $(jq -c '[.programs[] | [.program, .origin]]' "$T/e.json")"
pass
