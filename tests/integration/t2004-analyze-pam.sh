#!/bin/bash
# PAM modules: libpam dlopen()s the modules its configuration names, by
# names no program holds.  A program that imports pam_start gets every
# module of /etc/pam.d/* and /etc/pam.conf in its set, found the way libpam
# finds them (the security folder, or an absolute path), in both loaders:
# files mode (analyze --root) and image mode (explain dir:).  The
# configuration's forms: a bracketed control with blanks, an optional
# module ("-session"), "@include", an absolute path, pam.conf's service
# column; a module in a comment does not count.  Without the configuration,
# none of the modules' calls are in the set.
# Also: su on this machine, run under strace (PAM's pam_limits sets the
# priority), has every call it makes in its set.
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"
command -v jq >/dev/null || skip "no jq"
LIBPAM=$(ldconfig -p | awk '$1 == "libpam.so.0" && /x86-64/ && !f { print $NF; f = 1 }')
[ -n "$LIBPAM" ] || skip "libpam.so.0 not installed"

R=$T/root
SEC=$R/lib/x86_64-linux-gnu/security
mkdir -p "$R/bin" "$R/lib64" "$R/lib/x86_64-linux-gnu" "$SEC" "$R/opt" "$R/etc/pam.d"
cat >"$T/app.c" <<'C'
int pam_start(const char *service, const char *user, const void *conv, void **h);
int main(void) { void *h; return pam_start("svc", "root", 0, &h); }
C
gcc -O2 -o "$R/bin/app" "$T/app.c" "$LIBPAM" || fail "cannot build app"
for lib in $(ldd "$R/bin/app" | awk '/=>/ { print $3 }'); do
	cp -L "$lib" "$R/lib/x86_64-linux-gnu/"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$R/lib64/"

# module -> the system call its one function makes
declare -A CALL=([pam_a]=swapoff [pam_b]=acct [pam_c]=vhangup [pam_e]=syslog [pam_f]=mincore
	[pam_g]=personality [pam_commented]=iopl)
for m in "${!CALL[@]}"; do
	printf '#include <sys/syscall.h>\n#include <unistd.h>\n%s\n' \
		"int pam_sm_authenticate(void *h, int f, int c, const char **v) { return (int)syscall(SYS_${CALL[$m]}, 0); }" \
		>"$T/$m.c"
	dir=$SEC
	[ "$m" = pam_c ] && dir=$R/opt
	gcc -O2 -shared -fPIC -o "$dir/$m.so" "$T/$m.c" || fail "cannot build $m"
done
cat >"$R/etc/pam.d/svc" <<'EOF'
# auth required pam_commented.so would add iopl
auth	[success=1 default=ignore]	pam_a.so nullok
account    required     pam_b.so
-session   optional     pam_e.so
@include common
password required /opt/pam_c.so # an absolute path
EOF
echo 'session required pam_f.so' >"$R/etc/pam.d/common"
echo 'other auth required pam_g.so' >"$R/etc/pam.conf"

want=(swapoff acct vhangup syslog mincore personality)

"$CONFINE" analyze --quiet --json --root "$R" /bin/app >"$T/files.json" || fail "analyze --root failed"
for s in "${want[@]}"; do json_has "$T/files.json" "$s" || fail "files mode: $s missing"; done
json_has "$T/files.json" iopl && fail "files mode: the commented-out module counted"
jq -e '.programs[0] | .object_reasons[.objects | index("/lib/x86_64-linux-gnu/security/pam_a.so")] == "pam"' \
	"$T/files.json" >/dev/null ||
	fail "files mode: pam_a.so not among the objects as a PAM module: $(jq -c '.programs[0].objects' "$T/files.json")"

"$CONFINE" explain --quiet --json --program /bin/app "dir:$R" swapoff >"$T/explain.json" ||
	fail "explain dir: failed"
grep -q 'pam_a.so' "$T/explain.json" || fail "image mode: no chain through pam_a.so: $(head -c 600 "$T/explain.json")"
for s in "${want[@]}"; do
	"$CONFINE" explain --quiet --program /bin/app "dir:$R" "$s" >"$T/e.txt" 2>&1 ||
		fail "image mode: $s not explained: $(cat "$T/e.txt")"
done

# The control: without the configuration the modules are not loaded.
mv "$R/etc/pam.d" "$T/pam.d.off"
mv "$R/etc/pam.conf" "$T/pam.conf.off"
"$CONFINE" analyze --quiet --json --root "$R" /bin/app >"$T/none.json" || fail "analyze (no PAM config) failed"
for s in "${want[@]}" iopl; do
	json_has "$T/none.json" "$s" && fail "without PAM configuration $s is already in the set"
done

# su on this machine, under strace: every call it makes is in its set.
if command -v su >/dev/null && command -v strace >/dev/null; then
	# shellcheck source=/dev/null
	. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
	st_init
	st_run su su root -c true
	st_check
	st_observed su setpriority || echo "note: su made no setpriority here (pam_limits not configured?)"
fi
pass
