#!/bin/bash
# The programs a program executes run in the container too, under the same
# profile.  The analysis adds (origin "exec") the shell, for an object that
# imports system() or popen(), and the executables an object that imports an
# exec or posix_spawn function names in its read-only data: by absolute path
# (pam_unix.so's /sbin/unix_chkpwd), or beside itself (beam.smp's
# erl_child_setup, MariaDB's auth_pam_tool_dir/auth_pam_tool).  Checked for
# real: a server that runs all three kinds runs in a chroot under strace;
# every program it executes must be in the set, every call any process of it
# makes in the profile, and the batch copy must hold the helpers.
# ctest-labels: asan
. "$(dirname "$0")/lib.sh"
R=$T/root
chroot_root "$R"
F=$CONFINE_SRC/tests/fixtures
gcc -O2 -o "$T/server" "$F/exec-parent.c" || fail "cannot build the server"
gcc -O2 -DQUIET -o "$T/quiet" "$F/exec-parent.c" || fail "cannot build the quiet program"
gcc -O2 -DWORKER -o "$T/worker" "$F/exec-helper.c" || fail "cannot build the worker"
gcc -O2 -o "$T/tool" "$F/exec-helper.c" || fail "cannot build the tool"
root_add_program "$R" "$T/server" /app/server
root_add_program "$R" "$T/quiet" /app/quiet
root_add_program "$R" "$T/worker" /app/helpers/worker
root_add_program "$R" "$T/tool" /usr/libexec/confine-tool
root_add_program "$R" "$(readlink -f /bin/sh)" /bin/sh
# Named, but not executable (the server only reads it) / named only by a program that executes nothing.
install -m 644 "$T/tool" "$R/usr/libexec/confine-data"
install -m 755 "$T/tool" "$R/usr/libexec/confine-unused"
OPTS="--entrypoint /app/server"

# ---- the real run ----
strace -f -qq -o "$T/trace" chroot "$R" /app/server >"$T/out" 2>&1 || fail "the server failed: $(cat "$T/out")"
grep -qx done "$T/out" || fail "the server did not finish: $(cat "$T/out")"
sed -n 's/^[0-9]* *execve("\([^"]*\)".*/\1/p' "$T/trace" | grep -v chroot | sort -u >"$T/executed"
for p in /app/server /bin/sh /app/helpers/worker /usr/libexec/confine-tool; do
	grep -qx "$p" "$T/executed" || fail "the run did not execute $p: $(tr '\n' ' ' <"$T/executed")"
done
trace_calls "$T/trace" /app/server >"$T/observed"
for c in flock syncfs personality mincore; do
	grep -qx "$c" "$T/observed" || fail "the helpers made no $c under strace"
done

# ---- every call of every process is in the profile ----
profile_covers "$R" "$OPTS"
echo "exec: $(wc -l <"$T/executed") programs executed; $(wc -l <"$T/observed") calls observed," \
	"$(wc -l <"$T/profile") in the profile"

# ---- why each program is there ----
"$CONFINE" explain --quiet --json --options "$OPTS" "dir:$R" execve >"$T/e.json" || fail "explain failed"
origin() { jq -r --arg p "$1" '.programs[] | select(.program == $p) | "\(.origin): \(.reason)"' "$T/e.json"; }
[ "$(origin /app/server)" = "entrypoint: entrypoint" ] || fail "server: $(origin /app/server)"
origin /bin/sh | grep -q '^exec: the shell system() or popen() runs, imported by /app/server$' ||
	fail "/bin/sh: '$(origin /bin/sh)'"
for p in /app/helpers/worker /usr/libexec/confine-tool; do
	"$CONFINE" explain --quiet --json --options "$OPTS" "dir:$R" exit_group >"$T/x.json" || fail "explain exit_group"
	jq -e --arg p "$p" '.programs[] | select(.program == $p and .origin == "exec" and
		.reason == "named by /app/server, which executes programs")' "$T/x.json" >/dev/null ||
		fail "$p not in the set as named by the server: $(jq -c '[.programs[] | [.program, .origin]]' "$T/x.json")"
done
"$CONFINE" explain --quiet --options "$OPTS" "dir:$R" personality >"$T/e.txt" || fail "explain personality"
grep -q '^  /usr/libexec/confine-tool (exec: named by /app/server, which executes programs)$' "$T/e.txt" ||
	fail "explain does not say why the tool is there: $(cat "$T/e.txt")"
grep -q 'confine-data' "$T/e.txt" && fail "a file that is not executable counted as a program"
"$CONFINE" explain --quiet --json --options "--entrypoint /app/quiet" "dir:$R" exit_group >"$T/q.json" ||
	fail "explain (quiet) failed"
[ "$(jq '.programs | length' "$T/q.json")" = 1 ] ||
	fail "a program that executes nothing brought others: $(jq -c '[.programs[].program]' "$T/q.json")"

# ---- at most 256 programs are added, and the limit is said ----
mkdir -p "$R/many"
{
	printf '#include <stdio.h>\n#include <unistd.h>\nstatic const char *const names[] = {\n'
	for i in $(seq 300); do printf '"h%03d",\n' "$i"; done
	printf '};\nint main(int c, char **v) { (void)v; return c > 400 ? execv(names[c], v) : puts(names[c]); }\n'
} >"$T/many.c"
gcc -O2 -o "$T/many" "$T/many.c" || fail "cannot build many"
root_add_program "$R" "$T/many" /many/many
for i in $(seq 300); do printf '#!/bin/sh\nexit 0\n' >"$R/many/h$(printf %03d "$i")"; done
chmod 755 "$R"/many/h*
"$CONFINE" explain --json --options "--entrypoint /many/many" "dir:$R" exit_group >"$T/m.json" 2>"$T/m.err" ||
	fail "explain many failed: $(cat "$T/m.err")"
jq -e '.warnings | map(select(startswith("256 programs added as executed by others (the limit)"))) | length == 1' \
	"$T/m.json" >/dev/null || fail "the limit is not said: $(jq -c .warnings "$T/m.json")"
[ "$(jq '[.programs[] | select(.origin == "exec")] | length' "$T/m.json")" -le 256 ] || fail "more than 256 programs added"

# ---- the batch copies the helpers with the rest ----
printf '{"exec": {"enable": "true", "image-name": "exec", "image-url": "dir:%s", "options": "%s"}}\n' \
	"$R" "$OPTS" >"$T/images.json"
"$CONFINE" --quiet -i "$T/images.json" -o "$T/copy" -r "$T/res" --no-monitor --no-validate >"$T/batch.txt" 2>&1 ||
	fail "batch failed: $(cat "$T/batch.txt")"
for p in app/server bin/sh app/helpers/worker usr/libexec/confine-tool; do
	[ -f "$T/copy/exec/$p" ] || fail "the batch did not copy /$p: $(cd "$T/copy/exec" && find . -type f | tr '\n' ' ')"
done
[ -e "$T/copy/exec/usr/libexec/confine-unused" ] && fail "the batch copied a program no one runs"
pass
