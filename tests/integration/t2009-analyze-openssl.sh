#!/bin/bash
# OpenSSL: libcrypto loads engines (ENGINE_by_id, `-engine NAME`,
# openssl.cnf) as ENGINESDIR/NAME.so and providers as MODULESDIR/NAME.so,
# names that configuration or the command line give.  So a process with an
# object exporting ENGINE_by_id or OSSL_PROVIDER_load gets every shared
# object of the two folders that object names in its read-only data
# ('ENGINESDIR: "..."', as OpenSSL_version() reports them).  Checked on
# Debian's openssl (its afalg engine makes AIO calls nothing else does),
# on a fake libcrypto in both loaders, and for real: the host's openssl
# loads an engine that makes flock and syncfs, inside a chroot, under
# strace, and every call it makes must be in its set; so does one that
# openssl.cnf names by a path of its own (dynamic_path, module, .include).
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
need_root
st_init
command -v gcc >/dev/null || skip "no gcc"
[ -f /usr/include/openssl/engine.h ] || fail "no OpenSSL headers (scripts/setup.sh installs libssl-dev)"
OPENSSL=$(readlink -f "$(command -v openssl)") || fail "no openssl (scripts/setup.sh installs it)"
CRYPTO=$(ldd "$OPENSSL" | awk '$1 ~ /^libcrypto\.so/ { print $3 }')
[ -n "$CRYPTO" ] || fail "openssl does not link libcrypto"
ENGINES=$(strings -a "$CRYPTO" | sed -n 's/^ENGINESDIR: "\(\/.*\)"$/\1/p')
[ -n "$ENGINES" ] || fail "$CRYPTO names no ENGINESDIR"

# ---- Debian's openssl: its engines and providers are loaded objects ----
"$CONFINE" analyze --quiet --json "$OPENSSL" >"$T/host.json" || fail "analyze openssl failed"
if [ -f "$ENGINES/afalg.so" ]; then
	jq -e --arg e "$ENGINES/afalg.so" '.programs[0] | [.objects, .object_reasons] | transpose | any(.[0] == $e and .[1] == "openssl")' \
		"$T/host.json" >/dev/null || fail "afalg.so is not an object of openssl: $(jq -c '.programs[0].objects' "$T/host.json")"
	for s in io_setup io_submit io_getevents eventfd2; do
		json_has "$T/host.json" "$s" || fail "openssl: $s (the afalg engine's) missing"
	done
fi

# ---- a fake libcrypto in a fake root ----
R=$T/root
root_add_libc "$R"
mkdir -p "$R/usr/bin" "$R/usr/lib" "$R/opt/ssl/engines/sub" "$R/opt/ssl/modules" "$R/opt/other"
syscall_lib "$R/opt/ssl/engines/e.so" swapoff
syscall_lib "$R/opt/ssl/modules/legacy.so" acct
syscall_lib "$R/opt/ssl/engines/sub/deep.so" vhangup   # one level only
syscall_lib "$R/opt/other/x.so" personality           # not a folder libcrypto names
cat >"$T/crypto.c" <<'C'
static const char *const dirs[] = { "ENGINESDIR: \"/opt/ssl/engines\"", "MODULESDIR: \"/opt/ssl/modules\"",
				     "OPENSSLDIR: \"/opt/ssl\"" };
const char *OpenSSL_version(int t) { return dirs[t % 3]; }
void *ENGINE_by_id(const char *id) { (void)id; return 0; }
C
cat >"$T/app.c" <<'C'
const char *OpenSSL_version(int t);
int main(int argc, char **argv) { (void)argv; return OpenSSL_version(argc)[0] == 'E'; }
C
gcc -O2 -shared -fPIC -Wl,-soname,libcrypto.so.3 -o "$R/usr/lib/libcrypto.so.3" "$T/crypto.c" ||
	fail "cannot build the fake libcrypto"
gcc -O2 -o "$R/usr/bin/app" "$T/app.c" "$R/usr/lib/libcrypto.so.3" -Wl,-rpath,/usr/lib || fail "cannot build app"
fake_plain "$R/usr/bin/plain"
strings -a "$R/usr/lib/libcrypto.so.3" | grep -qx 'ENGINESDIR: "/opt/ssl/engines"' ||
	fail "the compiler did not keep the fake libcrypto's ENGINESDIR string"

"$CONFINE" analyze --quiet --json --root "$R" /usr/bin/app /usr/bin/plain >"$T/files.json" ||
	fail "analyze --root failed"
for s in swapoff acct; do
	json_has "$T/files.json" "$s" || fail "files mode: $s missing: $(jq -c '.programs[0].objects' "$T/files.json")"
done
for s in vhangup personality; do
	json_has "$T/files.json" "$s" && fail "files mode: $s counted (a subfolder's or another folder's .so)"
done
jq -e '.programs[1].objects | length == 3' "$T/files.json" >/dev/null ||
	fail "plain: engines loaded into a program without libcrypto: $(jq -c '.programs[1].objects' "$T/files.json")"
for s in swapoff acct; do
	"$CONFINE" explain --quiet --program /usr/bin/app "dir:$R" "$s" >"$T/e.txt" 2>&1 ||
		fail "image mode: explain $s failed: $(cat "$T/e.txt")"
	grep -q 'no program of the image can make it' "$T/e.txt" && fail "image mode: $s not explained"
done
grep -q 'an OpenSSL engine or provider' "$T/e.txt" || fail "explain does not say the object is an OpenSSL module: $(cat "$T/e.txt")"

# ---- modules openssl.cnf names by a path of their own ----
mkdir -p "$R/opt/ssl/conf.d" "$R/srv/custom" "$R/etc/alt"
printf 'openssl_conf = c\n.include /opt/ssl/conf.d\n[c]\nengines = e\n' >"$R/opt/ssl/openssl.cnf"
printf '[e]\nx = y\n[y]\ndynamic_path = "/srv/custom/eng.so"\n[p]\nmodule = /srv/custom/prov.so\n' >"$R/opt/ssl/conf.d/e.cnf"
printf 'dynamic_path = /srv/custom/alt.so\n' >"$R/etc/alt/openssl.cnf"
syscall_lib "$R/srv/custom/eng.so" iopl
syscall_lib "$R/srv/custom/prov.so" mincore
syscall_lib "$R/srv/custom/alt.so" sethostname
for s in iopl mincore; do
	rule_loads "$R" /usr/bin/app "$s" 'an OpenSSL engine or provider'
done
json_has "$T/rule.json" sethostname && fail "a module only OPENSSL_CONF's file names counted without it"
"$CONFINE" explain --quiet --program /usr/bin/app --options "-e OPENSSL_CONF=/etc/alt/openssl.cnf" "dir:$R" sethostname \
	>"$T/e.txt" 2>&1 || fail "explain with OPENSSL_CONF failed: $(cat "$T/e.txt")"
grep -q 'an OpenSSL engine or provider' "$T/e.txt" || fail "OPENSSL_CONF's module not loaded: $(cat "$T/e.txt")"

# ---- the real openssl loads an engine by name, in a chroot, under strace;
# ---- and one its openssl.cnf names by a path outside ENGINESDIR ----
N=$T/osslroot
mkdir -p "$N/usr/bin" "$N/tmp" "$N$ENGINES"
root_add_program "$N" "$OPENSSL" /usr/bin/openssl
gcc -O2 -shared -fPIC -o "$N$ENGINES/confinetest.so" "$CONFINE_SRC/tests/fixtures/openssl-engine.c" -lcrypto ||
	fail "cannot build the engine"
ST_TRIVIAL_EXEMPT=$(readlink -f "$(command -v chroot)")
st_run openssl-engine chroot "$N" /usr/bin/openssl engine -t confinetest
grep -q 'confine test engine' "$ST/traces/openssl-engine.out" || fail "openssl did not load the engine"
SSLDIR=$(strings -a "$CRYPTO" | sed -n 's/^OPENSSLDIR: "\(\/.*\)"$/\1/p')
[ -n "$SSLDIR" ] || fail "$CRYPTO names no OPENSSLDIR"
M=$T/cnfroot
mkdir -p "$M/usr/bin" "$M/tmp" "$M$SSLDIR" "$M/srv/custom"
root_add_program "$M" "$OPENSSL" /usr/bin/openssl
cp "$N$ENGINES/confinetest.so" "$M/srv/custom/confinetest.so"
printf 'openssl_conf = c\n[c]\nengines = e\n[e]\nconfinetest = ce\n[ce]\ndynamic_path = /srv/custom/confinetest.so\ninit = 1\n' \
	>"$M$SSLDIR/openssl.cnf"
st_run openssl-cnf chroot "$M" /usr/bin/openssl version
st_check
st_observed openssl-engine flock || fail "the engine's flock was not seen under strace"
st_observed openssl-engine syncfs || fail "the engine's syncfs was not seen under strace"
st_observed openssl-cnf syncfs || fail "the engine openssl.cnf names was not loaded (no syncfs under strace)"
pass
