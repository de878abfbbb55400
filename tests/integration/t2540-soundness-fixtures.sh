#!/usr/bin/env bash
# Soundness and precision on fixture programs compiled here (gcc, gcc
# -static, musl-gcc): each fixture's known system calls (inline asm,
# syscall() with a constant, a wrapper chain, function pointers, a qsort
# callback, a signal handler, constructor/destructor, a dlopen'ed plugin,
# calls through GOT slots kept in registers (across a bounded jump
# table's jump too) or escaping with -fno-plt,
# functions found by dlsym() with literal names, a libseccomp user)
# must be observed under strace and be in its static set; every observed
# call must be in the set (zero misses); the write-and-exit fixtures get
# small sets and an unreachable function adds nothing.
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
st_init
command -v gcc >/dev/null || skip "gcc not installed"

P=$CONFINE_SRC/tests/fixtures/programs
B=$T/bin
mkdir -p "$B"
FIXTURES=(write_exit inline_asm syscall_const wrapper_chain fnptr qsort_cb signal_handler
	constructor unreachable dlopen_main)
VARIANTS=(glibc glibc-static)
command -v musl-gcc >/dev/null && VARIANTS+=(musl musl-static)
# Bounds on the static sets of the write-and-exit fixtures (see docs/soundness.md;
# the glibc dynamic bound is the one t2000-analyze-fixtures states).
# write and exit, plus execve: the exec that starts a program runs under its filter.
BOUND_NOLIBC=3
BOUND_WRITE_EXIT_STATIC=${BOUND_WRITE_EXIT_STATIC:-50}
BOUND_WRITE_EXIT_DYNAMIC=${BOUND_WRITE_EXIT_DYNAMIC:-90}

build() { # VARIANT SRC OUT [extra flags]
	local v=$1 src=$2 out=$3
	shift 3
	case $v in
	glibc) gcc -O2 -o "$out" "$src" "$@" ;;
	glibc-static) gcc -O2 -static -o "$out" "$src" "$@" ;;
	musl) musl-gcc -O2 -o "$out" "$src" "$@" ;;
	musl-static) musl-gcc -O2 -static -o "$out" "$src" "$@" ;;
	esac
}

for v in "${VARIANTS[@]}"; do
	case $v in glibc | musl) build "$v" "$P/dlopen_plugin.c" "$B/dlopen_plugin.$v.so" -shared -fPIC ;; esac
	for f in "${FIXTURES[@]}"; do
		# Static executables cannot dlopen a plugin built against a shared libc.
		[ "$f" = dlopen_main ] && [ "${v%-static}" != "$v" ] && continue
		build "$v" "$P/$f.c" "$B/$f.$v" -ldl 2>"$T/cc.err" ||
			fail "cannot build $f ($v): $(cat "$T/cc.err")"
	done
done
gcc -O2 -static -nostdlib -fno-stack-protector -o "$B/nolibc_write_exit" "$P/nolibc_write_exit.c" ||
	fail "cannot build nolibc_write_exit"
# Calls through GOT slots (-fno-plt): clang keeps syscall()'s slot in a
# register across a loop; other loaded pointers escape (store, return,
# join).  Its static set must hold every escaped function and must not be
# "everything" (the trivial check).
GOTP=()
TP=()
for cc in gcc clang; do
	command -v "$cc" >/dev/null || continue
	"$cc" -O2 -fno-plt -o "$B/got_pointer.$cc" "$P/got_pointer.c" 2>"$T/cc.err" ||
		fail "cannot build got_pointer ($cc): $(cat "$T/cc.err")"
	GOTP+=("got_pointer.$cc")
	# The slot kept in a register across a bounded jump table's jump.
	"$cc" -O2 -fno-plt -o "$B/table_pointer.$cc" "$P/table_pointer.c" 2>"$T/cc.err" ||
		fail "cannot build table_pointer ($cc): $(cat "$T/cc.err")"
	TP+=("table_pointer.$cc")
done
JT=()
# Functions only a data table names (stripped, static, non-PIE, no unwind
# tables: how Free Pascal builds its programs).
for cc in gcc clang; do
	command -v "$cc" >/dev/null || continue
	"$cc" -O2 -static -fno-pic -no-pie -fno-asynchronous-unwind-tables -fno-unwind-tables -s \
		-o "$B/data_table.$cc" "$P/data_table.c" 2>"$T/cc.err" ||
		fail "cannot build data_table ($cc): $(cat "$T/cc.err")"
	JT+=("data_table.$cc")
done
# Syscall numbers set in jump-table cases (blocks no branch reaches) and
# used after the join with the default's path: the set must hold them all
# (every syscall, explained by an unresolved site in the program).
for cc in gcc clang; do
	command -v "$cc" >/dev/null || continue
	for pie in pie no-pie; do
		flags=()
		[ "$pie" = pie ] || flags=(-no-pie -fno-pic)
		"$cc" -O2 "${flags[@]}" -o "$B/jump_table.$cc-$pie" "$P/jump_table.c" 2>"$T/cc.err" ||
			fail "cannot build jump_table ($cc, $pie): $(cat "$T/cc.err")"
		ST_UNRESOLVABLE="${ST_UNRESOLVABLE:-} $B/jump_table.$cc-$pie:jump_table"
		JT+=("jump_table.$cc-$pie")
	done
done

# Functions found by dlsym() with literal names (PIE: lea; non-PIE: mov
# imm), and one computed name, which the analysis reports.
DLS=()
for cc in gcc clang; do
	command -v "$cc" >/dev/null || continue
	for pie in pie no-pie; do
		flags=()
		[ "$pie" = pie ] || flags=(-no-pie -fno-pic)
		"$cc" -O2 "${flags[@]}" -o "$B/dlsym_lookup.$cc-$pie" "$P/dlsym_lookup.c" -ldl 2>"$T/cc.err" ||
			fail "cannot build dlsym_lookup ($cc, $pie): $(cat "$T/cc.err")"
		DLS+=("dlsym_lookup.$cc-$pie")
	done
done
gcc -O2 -DLITERAL_ONLY -o "$B/dlsym_literal" "$P/dlsym_lookup.c" -ldl ||
	fail "cannot build dlsym_lookup (LITERAL_ONLY)"
# libseccomp's syscall() with a number looked up at run time (its model).
gcc -O2 -o "$B/seccomp_user" "$P/seccomp_user.c" -lseccomp 2>"$T/cc.err" ||
	fail "cannot build seccomp_user: $(cat "$T/cc.err")"

cd "$B"
for v in "${VARIANTS[@]}"; do
	for f in "${FIXTURES[@]}"; do
		[ -x "$B/$f.$v" ] || continue
		if [ "$f" = dlopen_main ]; then
			st_run "$f.$v" "$B/$f.$v" "$B/dlopen_plugin.$v.so"
		else
			st_run "$f.$v" "$B/$f.$v"
		fi
	done
done
st_run nolibc_write_exit "$B/nolibc_write_exit"
for g in "${GOTP[@]}" "${TP[@]}" "${JT[@]}"; do
	st_run "$g" "$B/$g"
done
for d in "${DLS[@]}"; do
	st_run "$d" "$B/$d" getpid
done
st_run seccomp_user "$B/seccomp_user"

# The analysis is told about the plugins (issue: "a dlopen'ed plugin named
# to the analysis").
for v in "${VARIANTS[@]}"; do
	[ -x "$B/dlopen_main.$v" ] &&
		ST_TARGET_ARGS[$(readlink -f "$B/dlopen_main.$v")]="--dlopen $B/dlopen_plugin.$v.so"
done
st_check

# Each fixture's own calls: seen under strace (the fixture works) and in
# the static set; 'absent:' calls must not be in it.
for v in "${VARIANTS[@]}" nolibc; do
	for f in "${FIXTURES[@]}" nolibc_write_exit; do
		if [ "$v" = nolibc ]; then
			[ "$f" = nolibc_write_exit ] || continue
			w=$f
		else
			[ "$f" = nolibc_write_exit ] && continue
			w=$f.$v
		fi
		[ -x "$B/$w" ] || continue
		for c in $(sed -n 's|^/\* expect: \(.*\) \*/$|\1|p' "$P/$f.c"); do
			# musl's exit() calls exit_group as well; _exit too.
			st_observed "$w" "$c" || fail "$w: the fixture did not make $c (strace)"
			st_static_has "$B/$w" "$c" || fail "$w: $c is missing from the static set"
		done
		[ "${CONFINE_SOUNDNESS_FAKE:-}" = 1 ] && continue
		for c in $(sed -n 's|^/\* absent: \(.*\) \*/$|\1|p' "$P/$f.c"); do
			st_static_has "$B/$w" "$c" &&
				fail "$w: $c is in the static set but nothing can reach it"
		done
	done
done

for j in "${JT[@]}"; do
	# shellcheck disable=SC2046
	st_expect "$j" "$B/$j" $(sed -n 's|^/\* expect: \(.*\) \*/$|\1|p' "$P/${j%%.*}.c")
done
for g in "${GOTP[@]}"; do
	# shellcheck disable=SC2046
	st_expect "$g" "$B/$g" $(sed -n 's|^/\* expect: \(.*\) \*/$|\1|p' "$P/got_pointer.c")
done
for d in "${DLS[@]}"; do
	# shellcheck disable=SC2046
	st_expect "$d" "$B/$d" $(sed -n 's|^/\* expect: \(.*\) \*/$|\1|p' "$P/dlsym_lookup.c")
done
# shellcheck disable=SC2046
st_expect seccomp_user "$B/seccomp_user" $(sed -n 's|^/\* expect: \(.*\) \*/$|\1|p' "$P/seccomp_user.c")
for t in "${TP[@]}"; do
	# shellcheck disable=SC2046
	st_expect "$t" "$B/$t" $(sed -n 's|^/\* expect: \(.*\) \*/$|\1|p' "$P/table_pointer.c")
done
# A computed name is reported, literal ones are not.
for d in "${DLS[@]}" dlsym_literal; do
	c=$("$CONFINE" analyze --json --quiet "$B/$d" | jq -r '.programs[0].dlsym_computed') ||
		fail "$d: analyze failed"
	want=true
	[ "$d" = dlsym_literal ] && want=false
	[ "$c" = "$want" ] || fail "$d: dlsym_computed is $c, expected $want"
done

# Precision bounds (meaningless against the fake "every syscall" sets).
[ "${CONFINE_SOUNDNESS_FAKE:-}" = 1 ] && pass
n=$(st_static_size "$B/nolibc_write_exit")
echo "nolibc_write_exit: static set $n: $(st_static_names "$B/nolibc_write_exit" | tr '\n' ' ')"
[ "$n" -le "$BOUND_NOLIBC" ] || fail "nolibc_write_exit: static set has $n calls, bound $BOUND_NOLIBC"
for v in "${VARIANTS[@]}"; do
	n=$(st_static_size "$B/write_exit.$v")
	bound=$BOUND_WRITE_EXIT_DYNAMIC
	[ "${v%-static}" != "$v" ] && bound=$BOUND_WRITE_EXIT_STATIC
	echo "write_exit.$v: static set $n (bound $bound): $(st_static_names "$B/write_exit.$v" | tr '\n' ' ')"
	[ "$n" -le "$bound" ] || fail "write_exit.$v: static set has $n calls, bound $bound"
done
pass
