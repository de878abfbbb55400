#!/bin/bash
# Libraries an object dlopen()s by names in its strings: a whole soname, or
# each name of a ':'-joined list of them (libss walks
# "libreadline.so.8:libreadline.so.7:...:libedit.so.2" so).  A string that
# only looks like a list (an empty or malformed name in it) names nothing,
# and the program is analysed as usual.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"

command -v gcc >/dev/null || skip "no gcc"
command -v jq >/dev/null || skip "no jq"

cat >"$T/lists.c" <<'C'
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* The names the program tries, in order, like libss. */
const char *volatile good = "libconfine-absent.so.1:libm.so.6";
/* Not lists of sonames: an empty name, a name with ':' inside "lib", a path. */
const char *volatile empty = "libutil.so.1::libanl.so.1";
const char *volatile bad = "lib:resolv.so.2";
const char *volatile path = "libBrokenLocale.so.1:/tmp/libx.so.1";

int main(void)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", good);
	for (char *n = strtok_r(buf, ":", &save); n; n = strtok_r(NULL, ":", &save))
		if (dlopen(n, RTLD_NOW)) {
			printf("%s\n", n);
			return 0;
		}
	return (int)strlen(empty) + (int)strlen(bad) + (int)strlen(path);
}
C
gcc -O2 -o "$T/lists" "$T/lists.c" -ldl 2>"$T/cc.err" || fail "cannot build the fixture: $(cat "$T/cc.err")"
[ "$("$T/lists")" = libm.so.6 ] || fail "the fixture did not load libm.so.6"

"$CONFINE" analyze --json "$T/lists" >"$T/out.json" 2>"$T/err" || fail "analyze failed: $(cat "$T/err")"
loaded() { jq -e --arg n "$1" '[.programs[0].objects[] | select(split("/") | last | startswith($n))] | length > 0' "$T/out.json" >/dev/null; }
reason() {
	jq -r --arg n "$1" '.programs[0] | [.objects, .object_reasons] | transpose[] | select(.[0] | split("/") | last | startswith($n)) | .[1]' "$T/out.json"
}
loaded libm.so.6 || fail "libm.so.6, the second name of a ':'-joined list, is not loaded"
[ "$(reason libm.so.6)" = literal ] || fail "libm.so.6 is loaded as '$(reason libm.so.6)', expected 'literal'"
for n in libutil.so libanl.so libresolv.so libBrokenLocale.so; do
	! loaded "$n" || fail "$n is loaded from a string that is not a list of sonames"
done
grep -q 'libconfine-absent' "$T/err" && fail "a listed library that is not there should not warn: $(cat "$T/err")"
pass
