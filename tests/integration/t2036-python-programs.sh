#!/bin/bash
# The programs Python code runs (analysis/pycode.h): subprocess, os.system
# and os.exec* execute names the code gives, which no object of python3
# holds.  A real python3 runs a script in a chroot under strace: a program
# named in a subprocess call's list, one in a command list built before
# the call (["tool-b", "-q"]), one in os.system's shell text; every
# program it runs must be in the set (origin exec, the script named) and
# every call in the profile (the build before misses the tools' calls).
# Python code under /usr that is neither on Python's import path nor a
# program of the set (Debian's /usr/share/python3/py3versions.py runs
# apt-cache) adds nothing.
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"
command -v jq >/dev/null || skip "no jq"
command -v python3 >/dev/null || skip "no python3"
R=$T/root
chroot_root "$R"
root_add_python "$R"
root_add_program "$R" "$(readlink -f /bin/sh)" /bin/sh
tool() { # tool NAME CALL: a program making CALL, at /usr/bin/NAME
	printf '#define _GNU_SOURCE\n#include <fcntl.h>\n#include <sys/personality.h>\n#include <unistd.h>\nint main(void) { int fd = open("/", O_RDONLY); %s; return 0; }\n' "$2" >"$T/$1.c"
	gcc -O2 -o "$T/$1" "$T/$1.c" || fail "cannot build $1"
	root_add_program "$R" "$T/$1" "/usr/bin/$1"
}
tool tool-a 'personality(0xffffffff)'
tool tool-b 'syncfs(fd)'
tool tool-c 'readahead(fd, 0, 4096)'
tool tool-d 'personality(0xffffffff); syncfs(fd)'
mkdir -p "$R/app" "$R/usr/share/helper"
cat >"$R/app/app.py" <<'PY'
#!/usr/bin/python3
import os
import subprocess

subprocess.run(["tool-a", "x"], check=True)
cmd = ["tool-b", "-q"]
subprocess.run(cmd, check=True)
os.system("tool-c > /dev/null")
print("done")
PY
chmod +x "$R/app/app.py"
cat >"$R/usr/share/helper/helper.py" <<'PY'
#!/usr/bin/python3
import subprocess
subprocess.run(["tool-d"])
PY
chmod +x "$R/usr/share/helper/helper.py"
OPTS="--entrypoint /app/app.py -e PATH=/usr/bin:/bin"

strace -f -qq -o "$T/trace" env -i PATH=/usr/bin:/bin "$(command -v chroot)" "$R" /app/app.py >"$T/out" 2>&1 ||
	fail "the script failed: $(cat "$T/out")"
grep -qx done "$T/out" || fail "the script did not finish: $(cat "$T/out")"
sed -n 's/^[0-9]* *execve("\([^"]*\)".*/\1/p' "$T/trace" | sort -u >"$T/executed"
for p in /usr/bin/tool-a /usr/bin/tool-b /usr/bin/tool-c /bin/sh; do
	grep -qx "$p" "$T/executed" || fail "the run did not execute $p: $(tr '\n' ' ' <"$T/executed")"
done
trace_calls "$T/trace" /app/app.py >"$T/observed"
for c in personality syncfs readahead; do
	grep -qx "$c" "$T/observed" || fail "the tools made no $c under strace"
done

profile_covers "$R" "$OPTS"

"$CONFINE" explain --quiet --json --options "$OPTS" "dir:$R" exit_group >"$T/e.json" || fail "explain failed"
origin() { jq -r --arg p "$1" '.programs[] | select(.program == $p) | "\(.origin): \(.reason)"' "$T/e.json"; }
for p in /usr/bin/tool-a /usr/bin/tool-b /usr/bin/tool-c; do
	[ "$(origin $p)" = "exec: run by Python code (/app/app.py)" ] || fail "$p: '$(origin $p)'"
done
[ -z "$(origin /usr/bin/tool-d)" ] || fail "tool-d, named by code nothing runs, is in the set: $(origin /usr/bin/tool-d)"

# The same from a docker-archive: its layer keeps the Python files that
# run programs (app.py names subprocess, not ctypes).
docker_archive "$R" "$T/img.tar" '["/app/app.py"]' || fail "cannot build the docker-archive"
"$CONFINE" explain --quiet --json "docker-archive:$T/img.tar" exit_group >"$T/e.json" || fail "explain (archive) failed"
for p in /usr/bin/tool-a /usr/bin/tool-b /usr/bin/tool-c; do
	[ "$(origin $p)" = "exec: run by Python code (/app/app.py)" ] || fail "docker-archive: $p: '$(origin $p)'"
done

# The helper as the Entrypoint: its own folder's code counts, so tool-d does.
"$CONFINE" explain --quiet --json --options "--entrypoint /usr/share/helper/helper.py" "dir:$R" exit_group \
	>"$T/e.json" || fail "explain (helper) failed"
[ "$(origin /usr/bin/tool-d)" = "exec: run by Python code (/usr/share/helper/helper.py)" ] ||
	fail "tool-d run by the helper: '$(origin /usr/bin/tool-d)'"
pass
