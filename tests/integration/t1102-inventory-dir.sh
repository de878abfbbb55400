#!/usr/bin/env bash
# inventory --all-binaries of a dir: rootfs built here: a glibc PIE, a static
# binary, a musl binary with musl's loader, a real Go binary (runc) whose
# libseccomp is missing, an ELF32 file, a truncated ELF and a script.  Each is
# classified right; the missing library is listed, not fatal; nothing crashes.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"

command -v gcc >/dev/null || skip "gcc not installed"
command -v jq >/dev/null || skip "jq not installed"
R=$T/root
mkdir -p "$R/usr/lib/x86_64-linux-gnu" "$R/lib64" "$R/bin" "$R/lib" "$R/app"
cp -L /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 \
	"$R/usr/lib/x86_64-linux-gnu/"
ln -s /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$R/lib64/ld-linux-x86-64.so.2"
echo 'int main(void) { return 0; }' >"$T/m.c"
gcc -o "$R/bin/pie" "$T/m.c"
gcc -static -o "$R/bin/static" "$T/m.c"
have_musl=false
if command -v musl-gcc >/dev/null && [ -e /lib/ld-musl-x86_64.so.1 ]; then
	musl-gcc -o "$R/bin/musl" "$T/m.c"
	cp -L /lib/ld-musl-x86_64.so.1 "$R/lib/ld-musl-x86_64.so.1"
	have_musl=true
fi
have_go=false
for g in /usr/sbin/runc /usr/bin/runc; do
	if [ -x "$g" ]; then cp "$g" "$R/bin/runc"; have_go=true; break; fi
done
printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\002\000\003\000\001\000\000\000' >"$R/bin/elf32"
head -c 100 /bin/true >"$R/bin/trunc"
printf '#!/bin/sh\necho hi\n' >"$R/app/run.sh"
chmod 755 "$R"/bin/* "$R/app/run.sh"

"$CONFINE" inventory --json --all-binaries "dir:$R" >"$T/inv.json" 2>"$T/err" ||
	fail "inventory: $(cat "$T/err")"
jq -e . "$T/inv.json" >/dev/null || fail "output is not JSON"
f() { jq -c --arg p "$1" '.elf_files[] | select(.path == $p)' "$T/inv.json"; }
p() { jq -c --arg p "$1" '.programs[] | select(.path == $p)' "$T/inv.json"; }

f /bin/pie | jq -e '.type == "pie" and .linking == "dynamic"' >/dev/null || fail "pie: $(f /bin/pie)"
f /bin/static | jq -e '.type == "exec" and .linking == "static" and .interpreter == null' >/dev/null ||
	fail "static: $(f /bin/static)"
p /bin/static | jq -e '.loader == "static" and (.libraries | length) == 0' >/dev/null ||
	fail "static program: $(p /bin/static)"
p /bin/pie | jq -e '[.libraries[].real] == ["/usr/lib/x86_64-linux-gnu/libc.so.6",
	"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"]' >/dev/null || fail "pie libs: $(p /bin/pie)"
if $have_musl; then
	f /bin/musl | jq -e '.interpreter == "/lib/ld-musl-x86_64.so.1" and .needed == ["libc.so"]' \
		>/dev/null || fail "musl: $(f /bin/musl)"
	p /bin/musl | jq -e '.loader == "musl" and (.unresolved | length) == 0 and
		.libraries[0].real == "/lib/ld-musl-x86_64.so.1" and .libraries[0].how == "interp"' \
		>/dev/null || fail "musl program: $(p /bin/musl)"
fi
if $have_go; then
	f /bin/runc | jq -e '.go == true and (.go_version | startswith("go1."))' >/dev/null ||
		fail "runc: $(f /bin/runc)"
	p /bin/runc | jq -e '[.unresolved[].name] == ["libseccomp.so.2"]' >/dev/null ||
		fail "runc unresolved: $(p /bin/runc)"
fi
f /bin/elf32 | jq -e '.class == "ELF32" and .arch == "i386" and .type == "exec"' >/dev/null ||
	fail "elf32: $(f /bin/elf32)"
p /bin/elf32 | jq -e '.error | test("ELF32")' >/dev/null || fail "elf32 program: $(p /bin/elf32)"
[ -n "$(f /bin/trunc)" ] || fail "truncated ELF not listed"
jq -e '.warnings | length > 0' "$T/inv.json" >/dev/null || fail "no warning for the truncated ELF"
# The script is no ELF file and not an executable found by --all-binaries.
[ -z "$(f /app/run.sh)" ] || fail "script listed as ELF"
pass
