#!/bin/bash
# Two more ways a program runs others by names no object holds whole:
# a shell command template in its read-only data ("exec gcc ... -o %o %s":
# Varnish compiles its VCL so), and GCC's driver, which runs its compiler
# from GCC's folder by a path it builds (/usr/lib/gcc/TARGET/VERSION/cc1) and
# the assembler from PATH.  Varnish's image failed its validation: as and
# ld were not in the set (getrusage denied).  Checked for real: the server
# runs in a chroot under strace; every program it runs must be in the set
# and every call in the profile (the build before misses the compiler's,
# the assembler's and the driver's calls).
. "$(dirname "$0")/lib.sh"
R=$T/root
chroot_root "$R"
F=$CONFINE_SRC/tests/fixtures
gcc -O2 -o "$T/server" "$F/exec-template.c" || fail "cannot build the server"
gcc -O2 -o "$T/driver" "$F/gcc-driver.c" || fail "cannot build the driver"
printf '#include <sys/mman.h>\nint main(void) { unsigned char v; static char p[4096] __attribute__((aligned(4096))); return mincore(p, 4096, &v) != 0; }\n' >"$T/cc1.c"
printf '#include <sys/personality.h>\nint main(void) { return personality(0xffffffff) < 0; }\n' >"$T/as.c"
gcc -O2 -o "$T/cc1" "$T/cc1.c" && gcc -O2 -o "$T/as" "$T/as.c" || fail "cannot build the helpers"
root_add_program "$R" "$T/server" /app/server
root_add_program "$R" "$T/driver" /usr/bin/driver
root_add_program "$R" "$T/cc1" /usr/lib/gcc/x86_64-linux-gnu/12/cc1
root_add_program "$R" "$T/as" /usr/bin/as
root_add_program "$R" "$(readlink -f /bin/sh)" /bin/sh
# GCC's folder holds more than programs: none of these counts.
install -m 644 "$T/cc1" "$R/usr/lib/gcc/x86_64-linux-gnu/12/crtbegin.o"
OPTS="--entrypoint /app/server -e PATH=/usr/bin:/bin"

strace -f -qq -o "$T/trace" env -i PATH=/usr/bin:/bin "$(command -v chroot)" "$R" /app/server >"$T/out" 2>&1 ||
	fail "the server failed: $(cat "$T/out")"
grep -qx done "$T/out" || fail "the server did not finish: $(cat "$T/out")"
sed -n 's/^[0-9]* *execve("\([^"]*\)".*/\1/p' "$T/trace" | sort -u >"$T/executed"
for p in /bin/sh /usr/bin/driver /usr/lib/gcc/x86_64-linux-gnu/12/cc1 /usr/bin/as; do
	grep -qx "$p" "$T/executed" || fail "the run did not execute $p: $(tr '\n' ' ' <"$T/executed")"
done
trace_calls "$T/trace" /app/server >"$T/observed"
for c in mincore personality; do
	grep -qx "$c" "$T/observed" || fail "the helpers made no $c under strace"
done

profile_covers "$R" "$OPTS"

"$CONFINE" explain --quiet --json --options "$OPTS" "dir:$R" exit_group >"$T/e.json" || fail "explain failed"
origin() { jq -r --arg p "$1" '.programs[] | select(.program == $p) | "\(.origin): \(.reason)"' "$T/e.json"; }
[ "$(origin /usr/bin/driver)" = "exec: a command line held by /app/server, which runs the shell" ] ||
	fail "driver: '$(origin /usr/bin/driver)'"
for p in /usr/lib/gcc/x86_64-linux-gnu/12/cc1 /usr/bin/as; do
	[ "$(origin $p)" = "exec: run by /usr/bin/driver, GCC's driver, by a path it builds" ] || fail "$p: '$(origin $p)'"
done
jq -e '[.programs[].program] | index("/usr/lib/gcc/x86_64-linux-gnu/12/crtbegin.o") == null' "$T/e.json" >/dev/null ||
	fail "a file of GCC's folder without an execute bit counted"
pass
