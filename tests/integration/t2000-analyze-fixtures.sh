#!/bin/bash
# confine analyze on fixtures compiled here, each with a known system call:
# inline asm, syscall() with a constant, a wrapper chain, a function pointer,
# a qsort callback, a signal handler, a constructor, a dlopen()ed plugin
# (named with --dlopen), and a function nothing calls (must NOT count);
# libraries found through $ORIGIN and $LIB.
# Precision bounds: a -nostdlib program that writes and exits has exactly
# {execve (it is started by one), write, exit}; a glibc program that only writes and exits has <= 90.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"

command -v gcc >/dev/null || skip "no gcc"
command -v jq >/dev/null || skip "no jq"

cat >"$T/fix.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static long raw1(long n) { long r; __asm__ volatile("syscall" : "=a"(r) : "a"(n) : "rcx", "r11", "memory"); return r; }

__attribute__((noinline)) long wrap1(long n, long a) { return syscall(n, a); }
__attribute__((noinline)) long wrap2(long n, long a) { return wrap1(n, a) + 1; }

__attribute__((noinline)) static void via_pointer(void) { raw1(SYS_mincore); }
void (*volatile fp)(void) = via_pointer;

static int cmp(const void *a, const void *b) { raw1(SYS_sched_rr_get_interval); return *(const int *)a - *(const int *)b; }
static void handler(int s) { (void)s; raw1(SYS_vhangup); }
__attribute__((constructor)) static void ctor(void) { syscall(SYS_sync); }

__attribute__((noinline, used)) void never_called(void) { raw1(SYS_swapon); }

int main(int argc, char **argv)
{
	int v[3] = { 3, 1, 2 };

	raw1(SYS_personality);                 /* inline asm */
	syscall(SYS_syslog, 0, 0, 0);          /* syscall() with a constant */
	wrap2(SYS_acct, 0);                    /* wrapper chain */
	fp();
	qsort(v, 3, sizeof(v[0]), cmp);
	signal(SIGUSR1, handler);
	if (argc > 1) {
		void *h = dlopen(argv[1], RTLD_NOW);
		void (*f)(void) = h ? (void (*)(void))dlsym(h, "plugin_fn") : NULL;
		if (f)
			f();
	}
	return 0;
}
C
cat >"$T/plugin.c" <<'C'
#include <sys/syscall.h>
#include <unistd.h>
void plugin_fn(void) { syscall(SYS_iopl, 0); }
C
cat >"$T/mini.c" <<'C'
#include <unistd.h>
int main(void) { write(1, "hi\n", 3); _exit(0); }
C
cat >"$T/nolibc.c" <<'C'
void _start(void)
{
	__asm__ volatile("mov $1, %%eax\n mov $1, %%edi\n lea msg(%%rip), %%rsi\n mov $3, %%edx\n syscall\n"
			 "mov $60, %%eax\n xor %%edi, %%edi\n syscall\n"
			 "msg: .ascii \"hi\\n\"" ::: "rax", "rdi", "rsi", "rdx", "rcx", "r11", "memory");
	for (;;) ;
}
C
gcc -O2 -o "$T/fix" "$T/fix.c" -ldl || fail "cannot build fixture"
gcc -O2 -shared -fPIC -o "$T/plugin.so" "$T/plugin.c" || fail "cannot build plugin"
gcc -O2 -o "$T/mini" "$T/mini.c" || fail "cannot build mini"
gcc -O2 -nostdlib -static -o "$T/nolibc" "$T/nolibc.c" || fail "cannot build nolibc"

has() { jq -e --arg s "$2" '.programs[0].syscalls | index($s) != null' "$1" >/dev/null; }

"$CONFINE" analyze --json "$T/mini" >"$T/mini.json" || fail "analyze mini failed"
"$CONFINE" analyze --json "$T/fix" >"$T/fix.json" || fail "analyze fix failed"
"$CONFINE" analyze --json --dlopen "$T/plugin.so" "$T/fix" >"$T/fixdl.json" || fail "analyze --dlopen failed"
"$CONFINE" analyze --json "$T/nolibc" >"$T/nolibc.json" || fail "analyze nolibc failed"

jq -e '.programs[0].unresolved | length == 0' "$T/fix.json" >/dev/null ||
	fail "fixture has unresolved sites: $(jq -c '.programs[0].unresolved' "$T/fix.json")"

for s in personality syslog acct mincore sched_rr_get_interval vhangup sync swapon iopl; do
	has "$T/mini.json" "$s" && fail "baseline program already has $s: pick another"
done
for s in personality syslog acct mincore sched_rr_get_interval vhangup sync; do
	has "$T/fix.json" "$s" || fail "fixture: $s missing"
done
has "$T/fix.json" swapon && fail "never_called's swapon counted"
has "$T/fix.json" iopl && fail "plugin's iopl counted without --dlopen"
has "$T/fixdl.json" iopl || fail "--dlopen plugin's iopl missing"
has "$T/fixdl.json" swapon && fail "never_called's swapon counted with --dlopen"
# dlopen() of a name the analysis cannot read is said, never silent.
jq -e '.programs[0].calls_dlopen == true' "$T/fix.json" >/dev/null || fail "fixture: calls_dlopen not set"
jq -e '.programs[0].calls_dlopen == false' "$T/mini.json" >/dev/null || fail "mini: calls_dlopen set"
"$CONFINE" analyze "$T/fix" | grep -q 'note: calls dlopen()' || fail "text output: no dlopen note"

# Dynamic string tokens, as ld.so expands them (ldd agrees): a DT_NEEDED
# that is a path with $ORIGIN (a library linked with such a soname: the
# Google Cloud SDK's python3 needs "$ORIGIN/../lib/libpython3.12.so.1.0"),
# and an RPATH with $LIB.  The library's swapoff must be in the set.
mkdir -p "$T/dst/bin" "$T/dst/lib/x86_64-linux-gnu"
cat >"$T/ori.c" <<'C'
#include <sys/syscall.h>
#include <unistd.h>
void ori_fn(void) { syscall(SYS_swapoff, 0); }
C
cat >"$T/app.c" <<'C'
void ori_fn(void);
int main(void) { ori_fn(); return 0; }
C
gcc -O2 -shared -fPIC -Wl,-soname,'$ORIGIN/../lib/libori.so' -o "$T/dst/lib/libori.so" "$T/ori.c" &&
	gcc -O2 -o "$T/dst/bin/app_needed" "$T/app.c" -L"$T/dst/lib" -l:libori.so &&
	gcc -O2 -shared -fPIC -o "$T/dst/lib/x86_64-linux-gnu/libori2.so" "$T/ori.c" &&
	gcc -O2 -o "$T/dst/bin/app_lib" "$T/app.c" -L"$T/dst/lib/x86_64-linux-gnu" -lori2 \
		-Wl,-rpath,'$ORIGIN/../$LIB' || fail "cannot build the DST fixtures"
for a in app_needed app_lib; do
	ldd "$T/dst/bin/$a" >"$T/ldd.txt" 2>&1 || fail "$a: ldd failed: $(cat "$T/ldd.txt")"
	grep -q 'not found' "$T/ldd.txt" && fail "$a: ldd does not find its library: $(cat "$T/ldd.txt")"
	grep -q '/libori2*\.so ' "$T/ldd.txt" || fail "$a: ldd does not list its library: $(cat "$T/ldd.txt")"
	"$CONFINE" analyze --json "$T/dst/bin/$a" >"$T/$a.json" 2>"$T/$a.err" || fail "analyze $a failed"
	grep -q 'not found' "$T/$a.err" && fail "$a: $(cat "$T/$a.err")"
	has "$T/$a.json" swapoff || fail "$a: the library's swapoff is missing"
done

# Precision bounds.
got=$(jq -c '.programs[0].syscalls' "$T/nolibc.json")
[ "$got" = '["execve","exit","write"]' ] || fail "nolibc: expected [execve, exit, write], got $got"
n=$(jq '.programs[0].syscalls | length' "$T/mini.json")
[ "$n" -le 90 ] || fail "glibc write+exit program: $n syscalls, bound is 90"
for s in write exit_group; do has "$T/mini.json" "$s" || fail "mini: $s missing"; done

# Why each object is loaded.
jq -e '.programs[0] | (.object_reasons[0] == "program") and (.object_reasons | index("needed") != null)
	and (.object_reasons | index("interpreter") != null) and ((.object_reasons | length) == (.objects | length))' \
	"$T/mini.json" >/dev/null || fail "object_reasons: $(jq -c '.programs[0].object_reasons' "$T/mini.json")"
jq -e '.programs[0] | .object_reasons[.objects | map(endswith("/plugin.so")) | index(true)] == "named"' \
	"$T/fixdl.json" >/dev/null || fail "--dlopen plugin not marked named: $(jq -c '.programs[0].object_reasons' "$T/fixdl.json")"

# Output format the other tools rely on.
jq -e '.programs[0] | (.path|type=="string") and (.root==null) and (.syscall_numbers|type=="array")
	and (.imports_used|index("write")!=null) and (.objects[0]|endswith("/mini")) and (.time_ms|type=="number")' \
	"$T/mini.json" >/dev/null || fail "JSON shape: $(head -c 400 "$T/mini.json")"

# musl, static.
if command -v musl-gcc >/dev/null; then
	musl-gcc -O2 -static -o "$T/mini-musl" "$T/mini.c" || fail "musl build"
	"$CONFINE" analyze --json "$T/mini-musl" >"$T/musl.json" || fail "analyze musl failed"
	n=$(jq '.programs[0].syscalls | length' "$T/musl.json")
	u=$(jq '.programs[0].unresolved | length' "$T/musl.json")
	[ "$u" -eq 0 ] || fail "musl: unresolved sites $(jq -c '.programs[0].unresolved' "$T/musl.json")"
	[ "$n" -le 20 ] || fail "musl write+exit program: $n syscalls, bound is 20"
	has "$T/musl.json" write || fail "musl: write missing"
fi
pass
