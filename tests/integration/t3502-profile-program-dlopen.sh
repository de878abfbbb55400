#!/usr/bin/env bash
# confine profile --program and --dlopen, as explain and analyze take them:
# a program the image's config does not run is added to the set, and a
# plugin it dlopen()s by a name read at run time gets its calls into the
# profile only when named; a damaged plugin makes it allow every call, a
# missing one is named in a warning.  A program the image does not have is an
# error naming it, and no profile is written.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "gcc not installed"

R=$T/root
mkdir -p "$R/bin" "$R/plugins"
root_add_libc "$R"
cat >"$T/host.c" <<'C'
#include <dlfcn.h>
int main(int argc, char **argv)
{
	void *h = argc > 1 ? dlopen(argv[1], RTLD_NOW) : 0;
	void (*f)(void) = h ? (void (*)(void))dlsym(h, "plugin_fn") : 0;

	if (f)
		f();
	return 0;
}
C
cat >"$T/plugin.c" <<'C'
#include <sys/syscall.h>
#include <unistd.h>
void plugin_fn(void) { syscall(SYS_iopl, 0); }
C
gcc -O2 -o "$R/bin/host" "$T/host.c" -ldl || fail "cannot build the host program"
gcc -O2 -shared -fPIC -o "$R/plugins/p.so" "$T/plugin.c" || fail "cannot build the plugin"

allows() { jq -e --arg s "$2" '.syscalls[0].names | index($s) != null' "$1" >/dev/null; }

# The root has no config: without --program nothing of the image's own runs
# (--no-runtime: only the programs' calls).
"$CONFINE" -q profile "dir:$R" --no-runtime -o "$T/none.json" || fail "profile without programs failed"
"$CONFINE" -q profile "dir:$R" --no-runtime --program /bin/host -o "$T/host.json" || fail "profile --program failed"
"$CONFINE" -q profile "dir:$R" --no-runtime --program /bin/host --dlopen /plugins/p.so -o "$T/plugin.json" ||
	fail "profile --dlopen failed"
allows "$T/host.json" openat || fail "--program: the program's calls are not in the profile"
allows "$T/none.json" openat && fail "without --program: openat allowed (nothing of the image's runs)"
allows "$T/host.json" iopl && fail "the plugin's iopl allowed without --dlopen"
allows "$T/plugin.json" iopl || fail "--dlopen: the plugin's iopl not allowed"
# The same set as explain gives with the same options.
"$CONFINE" -q --json explain "dir:$R" --program /bin/host --dlopen /plugins/p.so iopl >"$T/explain.json" ||
	fail "explain failed"
jq -e '.programs | length >= 1' "$T/explain.json" >/dev/null || fail "explain: no program makes iopl: $(head -c 400 "$T/explain.json")"

# A damaged plugin is not dropped: it cannot be analysed, so every call
# is allowed, and said; a plugin the image does not have is named in a
# warning and the profile is still written.
{ head -c 64 "$R/bin/host"; head -c 4096 /dev/urandom; } >"$R/plugins/bad.so"
"$CONFINE" profile "dir:$R" --no-runtime --program /bin/host --dlopen /plugins/bad.so \
	--dlopen /plugins/nope.so -o "$T/bad.json" 2>"$T/bad.err" || fail "profile with bad plugins failed: $(cat "$T/bad.err")"
grep -q "ELF '/plugins/bad.so'" "$T/bad.err" || fail "damaged plugin not named: $(cat "$T/bad.err")"
grep -q "unresolved syscall site: all syscalls assumed" "$T/bad.err" || fail "damaged plugin: not every call: $(cat "$T/bad.err")"
allows "$T/bad.json" iopl && allows "$T/bad.json" reboot || fail "damaged plugin: the profile does not allow every call"
grep -q "cannot open '/plugins/nope.so' named with --dlopen" "$T/bad.err" || fail "missing plugin not named: $(cat "$T/bad.err")"

expect_fail "missing program" "$CONFINE" profile "dir:$R" --program /bin/nope -o "$T/nope.json"
grep -q "cannot find program '/bin/nope' in the image" "$T/err" || fail "missing program: $(cat "$T/err")"
[ ! -e "$T/nope.json" ] || fail "a profile was written for a missing program"
expect_fail "--program without a value" "$CONFINE" profile "dir:$R" --program
grep -q "option '--program' needs a value" "$T/err" || fail "no value: $(cat "$T/err")"
pass
