#!/bin/bash
# Bad input to 'confine analyze' / 'confine explain': a clear error naming the
# input and the cause, a non-zero exit, and no partial output.  Damaged ELF
# files are not errors but are analysed soundly (every syscall assumed); a
# root whose configuration names FIFOs does not make the analysis wait.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || skip "no jq"

expect_fail "missing file" "$CONFINE" analyze "$T/nope"
grep -q "cannot open '$T/nope'" "$T/err" || fail "missing file: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "missing file: partial output"

printf 'hello\n' >"$T/text"
expect_fail "not ELF" "$CONFINE" analyze "$T/text"
grep -q "'$T/text'.*not an ELF" "$T/err" || fail "not ELF: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "not ELF: partial output"

expect_fail "json error" "$CONFINE" analyze --json "$T/nope" /bin/true
jq -e '.error | test("cannot open")' "$T/out" >/dev/null || fail "json error: $(cat "$T/out")"
jq -e '.programs' "$T/out" >/dev/null 2>&1 && fail "json error: partial results"

expect_fail "root not a folder" "$CONFINE" analyze --root "$T/text" /bin/true
grep -q "cannot use root '$T/text': not a folder" "$T/err" || fail "root: $(cat "$T/err")"

expect_fail "bad policy" "$CONFINE" analyze --unresolved maybe /bin/true
grep -q "unknown unresolved-site policy 'maybe'" "$T/err" || fail "policy: $(cat "$T/err")"
expect_fail "bad threads" "$CONFINE" analyze --threads 0 /bin/true
grep -q "invalid --threads '0'" "$T/err" || fail "threads: $(cat "$T/err")"
expect_fail "no file" "$CONFINE" analyze
expect_fail "missing dlopen" "$CONFINE" analyze --dlopen "$T/nope.so" /bin/true
grep -q "nope.so" "$T/err" || fail "dlopen: $(cat "$T/err")"

# A path inside a root never escapes it.
mkdir -p "$T/root/bin"
ln -s ../../../../../../bin/true "$T/root/bin/esc"
expect_fail "escape" "$CONFINE" analyze --root "$T/root" /bin/esc
grep -q "cannot open '/bin/esc'" "$T/err" || fail "escape: $(cat "$T/err")"

# A hostile root whose configuration and module folders name FIFOs (as a
# PAM module, nsswitch.conf, a Python extension module, a NEEDED library):
# nothing waits on them, they are not objects, the analysis finishes.
H=$T/fifo
mkdir -p "$H/bin" "$H/etc/pam.d" "$H/lib/x86_64-linux-gnu/security" "$H/usr/lib/python3.99/lib-dynload"
root_add_libc "$H"
cat >"$T/pam.c" <<'C'
int pam_start(const char *service, const char *user, const void *conv, void **h);
void Py_Initialize(void) {}
int main(void) { void *h; Py_Initialize(); return pam_start("x", "root", 0, &h); }
C
LIBPAM=$(ldconfig -p | awk '$1 == "libpam.so.0" && /x86-64/ && !f { print $NF; f = 1 }')
if [ -n "$LIBPAM" ]; then
	gcc -O2 -rdynamic -o "$H/bin/app" "$T/pam.c" "$LIBPAM" || fail "cannot build the FIFO fixture"
	for lib in $(ldd "$H/bin/app" | awk '/=>/ { print $3 }'); do cp -L "$lib" "$H/lib/x86_64-linux-gnu/"; done
	mkfifo "$H/lib/x86_64-linux-gnu/security/pam_fifo.so" "$H/etc/nsswitch.conf" "$H/fifo.so"
	ln -s /fifo.so "$H/usr/lib/python3.99/lib-dynload/_f.so"
	echo 'auth required pam_fifo.so' >"$H/etc/pam.d/other"
	timeout 60 "$CONFINE" analyze --quiet --json --root "$H" /bin/app >"$T/fifo.json" 2>"$T/fifo.err" ||
		fail "analysis of a root with FIFOs failed or hung: $(cat "$T/fifo.err")"
	jq -e '.programs[0].objects | map(select(test("fifo|_f.so"))) | length == 0' "$T/fifo.json" >/dev/null ||
		fail "a FIFO became an object: $(jq -c '.programs[0].objects' "$T/fifo.json")"
	timeout 60 "$CONFINE" explain --quiet --program /bin/app "dir:$H" read >"$T/fifo.txt" 2>&1 ||
		fail "explain on a root with FIFOs failed or hung: $(cat "$T/fifo.txt")"
fi

# A root with the kernel's file systems mounted in it (dir:/ has them): their
# content is skipped with a warning; tracefs's trace_pipe_raw once made the
# walk wait for trace events forever.
if [ "$(id -u)" = 0 ]; then
	K=$T/kroot
	mkdir -p "$K/proc" "$K/trace" "$K/bin"
	cp /bin/true "$K/bin/true"
	kinds=() # MOUNTPOINT:TYPE of those this machine lets us mount (a container may not)
	mount -t proc proc "$K/proc" 2>/dev/null && kinds+=("proc:proc")
	mount -t tracefs nodev "$K/trace" 2>/dev/null && kinds+=("trace:tracefs")
	if [ ${#kinds[@]} -eq 0 ]; then
		echo "note: neither proc nor tracefs can be mounted here: the kernel file system check is left out"
	else
		rc=0
		timeout 60 "$CONFINE" inventory --json "dir:$K" >"$T/k.json" 2>"$T/k.err" || rc=$?
		for k in "${kinds[@]}"; do umount "$K/${k%%:*}"; done
		[ $rc = 0 ] || fail "inventory of a root with ${kinds[*]} failed or hung (rc $rc): $(head -c 400 "$T/k.err")"
		for k in "${kinds[@]}"; do
			w="'$K/${k%%:*}' is the kernel's ${k#*:} file system"
			jq -e --arg w "$w" '.warnings | map(select(startswith($w))) | length == 1' "$T/k.json" >/dev/null ||
				fail "no warning '$w': $(jq -c .warnings "$T/k.json")"
		done
		jq -e '[.elf_files[].path] == ["/bin/true"]' "$T/k.json" >/dev/null ||
			fail "files of the kernel's file systems listed: $(jq -c '[.elf_files[].path]' "$T/k.json" | head -c 300)"
	fi
fi

# Damaged ELF: truncated, and garbage after a valid header.  Sound: all syscalls.
head -c 200 /bin/true >"$T/trunc"
"$CONFINE" analyze --json "$T/trunc" >"$T/trunc.json" 2>"$T/trunc.err" || fail "truncated ELF failed: $(cat "$T/trunc.err")"
jq -e '.programs[0].all_syscalls == true and (.programs[0].unresolved | length) >= 1' "$T/trunc.json" >/dev/null ||
	fail "truncated ELF not handled soundly: $(head -c 300 "$T/trunc.json")"
{ head -c 64 /bin/true; head -c 65536 /dev/urandom; } >"$T/garbage"
"$CONFINE" analyze --json "$T/garbage" >"$T/g.json" 2>/dev/null || fail "garbage ELF failed"
jq -e '.programs[0].all_syscalls == true' "$T/g.json" >/dev/null || fail "garbage ELF not sound"

# An image whose program needs a library (or an interpreter) it does not
# have: the analysis goes on with what is there and says what is missing,
# in image mode as in files mode (it was silent there).
M=$T/missing
mkdir -p "$M/bin"
root_add_libc "$M"
printf 'int main(void) { return 0; }\n' >"$T/m.c"
gcc -O2 -o "$M/bin/app" "$T/m.c" || fail "cannot build the missing-library fixture"
rm "$M/lib/x86_64-linux-gnu/libc.so.6"
"$CONFINE" explain --quiet --json --program /bin/app "dir:$M" write >"$T/m.json" 2>"$T/m.err" ||
	fail "explain with a missing library failed: $(cat "$T/m.err")"
jq -e '.warnings | index("/bin/app: library '"'libc.so.6'"' not found in the image") != null' "$T/m.json" >/dev/null ||
	fail "no warning for the missing libc.so.6: $(jq -c .warnings "$T/m.json")"
"$CONFINE" analyze --root "$M" /bin/app >/dev/null 2>"$T/m.err" || fail "analyze with a missing library failed"
grep -q "/bin/app: library 'libc.so.6' not found" "$T/m.err" || fail "files mode: $(cat "$T/m.err")"
rm "$M/lib64/ld-linux-x86-64.so.2"
"$CONFINE" profile --quiet -o "$T/m-profile.json" --args /bin/app "dir:$M" 2>"$T/m.err" ||
	fail "profile with a missing interpreter failed: $(cat "$T/m.err")"
grep -q "/bin/app: interpreter '/lib64/ld-linux-x86-64.so.2' not found in the image" "$T/m.err" ||
	fail "no warning for the missing interpreter: $(cat "$T/m.err")"

# explain
expect_fail "explain unknown syscall" "$CONFINE" explain dir:/ no_such_call
grep -q "unknown system call 'no_such_call'" "$T/err" || fail "explain syscall: $(cat "$T/err")"
expect_fail "explain bad image" "$CONFINE" explain "dir:$T/nope" write
grep -q "$T/nope" "$T/err" || fail "explain image: $(cat "$T/err")"
expect_fail "explain usage" "$CONFINE" explain dir:/ write read
grep -q "expected IMAGE and, optionally, SYSCALL" "$T/err" || fail "explain usage: $(cat "$T/err")"
expect_fail "explain no image" "$CONFINE" explain
grep -q "expected IMAGE and, optionally, SYSCALL" "$T/err" || fail "explain no image: $(cat "$T/err")"
pass
