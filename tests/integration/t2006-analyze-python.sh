#!/bin/bash
# Python: the interpreter imports extension modules by paths it computes
# at run time (sys.path), so a process with an object that exports
# Py_Initialize gets every .so of PREFIX/lib/python3.X/{lib-dynload,
# site-packages,dist-packages} and PREFIX/lib/python3/dist-packages, for
# PREFIX the folder above the program's (as named: a virtual environment's
# link; and as it really is), /usr and /usr/local; packages nest.  Checked in both loaders (analyze --root, explain dir:) on a fake
# interpreter; another folder's .so, and a program that is not Python,
# get none.  (t2520 runs the real python3 with lib-dynload modules.)
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"
command -v jq >/dev/null || skip "no jq"

R=$T/root
P=$R/opt/py
root_add_libc "$R"
mkdir -p "$P/bin" "$P/lib/python3.99/lib-dynload" "$P/lib/python3.99/site-packages/pkg/sub" \
	"$P/lib/python3/dist-packages" "$P/lib/other" "$R/usr/local/lib/python3.99/dist-packages" \
	"$R/usr/lib/python3.99/site-packages"
syscall_lib "$P/lib/python3.99/lib-dynload/_m.cpython-399-x86_64-linux-gnu.so" swapoff
syscall_lib "$P/lib/python3.99/site-packages/pkg/sub/_n.abi3.so" acct
syscall_lib "$P/lib/python3/dist-packages/_o.so" vhangup
syscall_lib "$R/usr/local/lib/python3.99/dist-packages/_q.so" mincore
syscall_lib "$R/usr/lib/python3.99/site-packages/_r.so" personality
syscall_lib "$P/lib/other/_p.so" iopl                 # not a sys.path folder
echo 'not a module' >"$P/lib/python3.99/site-packages/notes.txt"
fake_exporter "$P/bin/python3" Py_Initialize
fake_plain "$P/bin/plain"

want=(swapoff acct vhangup mincore personality)
"$CONFINE" analyze --quiet --json --root "$R" /opt/py/bin/python3 /opt/py/bin/plain >"$T/files.json" ||
	fail "analyze --root failed"
for s in "${want[@]}"; do
	json_has "$T/files.json" "$s" || fail "files mode: $s missing: $(jq -c '.programs[0].objects' "$T/files.json")"
done
json_has "$T/files.json" iopl && fail "files mode: a .so outside sys.path counted"
jq -e '.programs[1].objects | length == 3' "$T/files.json" >/dev/null ||
	fail "plain: modules loaded into a program that is not Python: $(jq -c '.programs[1].objects' "$T/files.json")"

jq -e '.programs[0] | [.objects, .object_reasons] | transpose | map(select(.[0] | endswith("_m.cpython-399-x86_64-linux-gnu.so"))) | .[0][1] == "python"' \
	"$T/files.json" >/dev/null || fail "files mode: the module's reason is not python"
for s in "${want[@]}"; do
	"$CONFINE" explain --quiet --program /opt/py/bin/python3 "dir:$R" "$s" >"$T/e.txt" 2>&1 ||
		fail "image mode: explain $s failed: $(cat "$T/e.txt")"
	grep -q 'no program of the image can make it' "$T/e.txt" && fail "image mode: $s not explained"
done
# The chain says why the module is in the process.
grep -q 'a Python extension module' "$T/e.txt" || fail "explain does not say the module is a Python extension module"
"$CONFINE" explain --quiet --json --program /opt/py/bin/python3 "dir:$R" swapoff >"$T/e.json" ||
	fail "explain --json failed"
jq -e '.programs[0].chain[0].loaded == "python"' "$T/e.json" >/dev/null ||
	fail "explain --json: the chain's first object is not marked python: $(jq -c '.programs[0].chain' "$T/e.json")"
"$CONFINE" explain --quiet --program /opt/py/bin/python3 "dir:$R" iopl >"$T/e.txt" 2>&1 ||
	fail "image mode: explain iopl failed: $(cat "$T/e.txt")"
grep -q 'no program of the image can make it' "$T/e.txt" || fail "image mode: a .so outside sys.path counted"

# A virtual environment: bin/python3 links to the interpreter, and its
# site-packages is next to the link, not next to the interpreter.
mkdir -p "$R/opt/venv/bin" "$R/opt/venv/lib/python3.99/site-packages"
ln -s /opt/py/bin/python3 "$R/opt/venv/bin/python3"
syscall_lib "$R/opt/venv/lib/python3.99/site-packages/_v.so" quotactl
"$CONFINE" analyze --quiet --json --root "$R" /opt/venv/bin/python3 /opt/py/bin/python3 >"$T/venv.json" ||
	fail "analyze (venv) failed"
json_has "$T/venv.json" quotactl || fail "files mode: the venv's module is missing"
jq -e '.programs[1].syscalls | index("quotactl") == null' "$T/venv.json" >/dev/null ||
	fail "files mode: the venv's module counted for the interpreter run by its own path"
"$CONFINE" explain --quiet --program /opt/venv/bin/python3 "dir:$R" quotactl >"$T/e.txt" 2>&1 ||
	fail "image mode: explain quotactl failed: $(cat "$T/e.txt")"
grep -q 'no program of the image can make it' "$T/e.txt" && fail "image mode: the venv's module is missing"
pass
