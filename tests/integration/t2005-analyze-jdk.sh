#!/bin/bash
# The JDK: the java launchers' libjli.so dlopen()s LIB/server/libjvm.so by a
# path computed from its own, and the JVM loads the JDK's native libraries
# (LIB/libnet.so ...) by names only class files hold.  A program with
# libjli gets every JVM LIB/jvm.cfg lists as KNOWN and every shared object
# in LIB, in both loaders (analyze --root, explain dir:); JDK 8's layout
# (LIB/jli/libjli.so) too.  A JVM listed IGNORE, a library outside LIB and
# a missing KNOWN JVM add nothing.
# Also: this machine's java launchers, if a JDK is installed, run under
# strace (java -version): every call they make is in their set.
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"
command -v jq >/dev/null || skip "no jq"

check_jdk() { # ROOT JLI_DIR (path of libjli's folder inside ROOT)
	local R=$1 jli=$2 s
	mkdir -p "$R/jdk/bin" "$R/jdk/lib/server" "$R/jdk/lib/client" "$R/jdk/other" "$R$jli"
	syscall_lib "$R$jli/libjli.so" getpgrp libjli.so
	syscall_lib "$R/jdk/lib/server/libjvm.so" swapoff
	syscall_lib "$R/jdk/lib/client/libjvm.so" iopl        # IGNORE: not loaded
	syscall_lib "$R/jdk/lib/libnet.so" acct
	syscall_lib "$R/jdk/lib/libzip.so" vhangup
	syscall_lib "$R/jdk/other/libelse.so" syslog         # not in LIB
	printf '%s\n' '# comment -bogus KNOWN' '-server KNOWN' '-client IGNORE' '-zero KNOWN' >"$R/jdk/lib/jvm.cfg"
	cat >"$T/java.c" <<'C'
long jdk_fn_getpgrp(void);
int main(void) { return (int)jdk_fn_getpgrp(); }
C
	gcc -O2 -o "$R/jdk/bin/java" "$T/java.c" -L"$R$jli" -ljli \
		-Wl,-rpath,"\$ORIGIN/..${jli#/jdk}" || fail "cannot build java"
	root_add_libc "$R"

	"$CONFINE" analyze --quiet --json --root "$R" /jdk/bin/java >"$T/files.json" || fail "analyze --root failed"
	for s in getpgrp swapoff acct vhangup; do
		json_has "$T/files.json" "$s" || fail "$jli: files mode: $s missing: $(jq -c '.programs[0].objects' "$T/files.json")"
	done
	for s in iopl syslog; do
		json_has "$T/files.json" "$s" && fail "$jli: files mode: $s counted"
	done
	jq -e '.programs[0] | [.objects, .object_reasons] | transpose | map(select(.[0] == "/jdk/lib/server/libjvm.so")) | .[0][1] == "jdk"' \
		"$T/files.json" >/dev/null || fail "$jli: libjvm.so is not marked as a JDK library"
	for s in swapoff acct vhangup; do
		"$CONFINE" explain --quiet --program /jdk/bin/java "dir:$R" "$s" >"$T/e.txt" 2>&1 ||
			fail "$jli: image mode: $s not explained: $(cat "$T/e.txt")"
	done
	"$CONFINE" explain --quiet --program /jdk/bin/java "dir:$R" iopl >"$T/e.txt" 2>&1 ||
		fail "$jli: image mode: explain iopl failed: $(cat "$T/e.txt")"
	grep -q 'no program of the image can make it' "$T/e.txt" ||
		fail "$jli: image mode: the IGNORE JVM's iopl explained: $(cat "$T/e.txt")"
	true
}
check_jdk "$T/r11" /jdk/lib
check_jdk "$T/r8" /jdk/lib/jli

# This machine's JDKs.
shopt -s nullglob
javas=(/usr/lib/jvm/*/bin/java)
if [ ${#javas[@]} -gt 0 ] && command -v strace >/dev/null; then
	# shellcheck source=/dev/null
	. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
	st_init
	ST_TIMEOUT=60
	for j in "${javas[@]}"; do
		# One run per JDK (a symlinked folder is the same JDK).
		[ "$(readlink -f "$j")" = "$j" ] || continue
		n=${j#/usr/lib/jvm/}
		st_run "java-${n%%/*}" "$j" -version
	done
	st_check
fi
pass
