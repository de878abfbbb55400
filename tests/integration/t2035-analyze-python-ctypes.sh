#!/bin/bash
# Python code that calls C through ctypes or cffi (analysis/pycode.h): _ctypes
# looks each function up with dlsym() by the name the code uses, so the
# functions the image's Python code names are roots of a process that
# loads _ctypes, and the libraries it loads by name (CDLL, find_library,
# LoadLibrary) are in the process.  Checked on a fake interpreter in both
# loaders (analyze --root; explain on dir: and on a docker-archive, whose
# layer keeps only the Python files that name ctypes or cffi), then on the
# real python3 under strace: every call the script made is in the set.
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"
command -v jq >/dev/null || skip "no jq"

R=$T/root
root_add_libc "$R"
D=$R/usr/lib/python3.99/lib-dynload
L=$R/usr/lib/x86_64-linux-gnu
mkdir -p "$D" "$L" "$R/app" "$R/srv"
fake_exporter "$R/usr/bin/python3" Py_Initialize
syscall_lib "$D/_ctypes.cpython-399-x86_64-linux-gnu.so" getpid
syscall_lib "$L/libquux.so.1" acct libquux.so.1     # CDLL("libquux.so.1")
syscall_lib "$L/libzed.so.2" vhangup libzed.so.2    # find_library("zed")
syscall_lib "$L/libother.so.1" iopl libother.so.1   # named by no code
cat >"$R/app/app.py" <<'EOF'
import ctypes
import ctypes.util

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.personality(0xffffffff)          # an attribute: personality
getattr(libc, "readahead")            # a string: readahead
quux = ctypes.CDLL("libquux.so.1")
quux.jdk_fn_acct()
zed = ctypes.cdll.LoadLibrary(ctypes.util.find_library("zed"))
zed["jdk_fn_vhangup"]()
# libc.swapoff(b"/swap") is a comment, not code
"""libc.syncfs(3) in a docstring is not code either"""
s = "int quotactl(int);"   # a declaration in a string, but this file is not cffi's
EOF
cat >"$R/srv/ffi.py" <<'EOF'
from cffi import FFI
ffi = FFI()
ffi.cdef("""
    int unshare(int flags);
""")
C = ffi.dlopen(None)
EOF
# Names in a file that uses neither: nothing.
printf 'import os\nos.mlockall = None\nx = "settimeofday"\n' >"$R/app/plain.py"

want=(personality readahead acct vhangup unshare)
none=(swapoff syncfs quotactl mlockall settimeofday iopl)
check() { # JSON FILE, what it is
	for s in "${want[@]}"; do
		json_has "$1" "$s" || fail "$2: $s missing: $(jq -c '.programs[0] | [.objects, .ffi_code]' "$1")"
	done
	for s in "${none[@]}"; do
		json_has "$1" "$s" && fail "$2: $s counted"
	done
	true
}
"$CONFINE" analyze --quiet --json --root "$R" /usr/bin/python3 >"$T/files.json" || fail "analyze --root failed"
check "$T/files.json" "files mode"
jq -e '.programs[0].ffi_code | .files == 2 and (.libraries | index("libquux.so.1") != null and index("libzed.so*") != null)' \
	"$T/files.json" >/dev/null || fail "files mode: ffi_code is wrong: $(jq -c '.programs[0].ffi_code' "$T/files.json")"
jq -e '.programs[0] | [.objects, .object_reasons] | transpose | map(select(.[0] | endswith("libquux.so.1"))) | .[0][1] == "ctypes"' \
	"$T/files.json" >/dev/null || fail "files mode: libquux's reason is not ctypes"
"$CONFINE" analyze --root "$R" /usr/bin/python3 >"$T/files.txt" || fail "analyze (text) failed"
grep -q 'runs Python with ctypes or cffi: the C functions 2 files of its code name are in' "$T/files.txt" ||
	fail "analyze says nothing of the ctypes code: $(cat "$T/files.txt")"

# A program that is not Python gets none of it, nor does one without _ctypes.
fake_plain "$R/usr/bin/plain"
"$CONFINE" analyze --quiet --json --root "$R" /usr/bin/plain >"$T/plain.json" || fail "analyze plain failed"
jq -e '.programs[0].ffi_code == null' "$T/plain.json" >/dev/null || fail "a program that is not Python read ctypes code"

# Image mode, on the folder and on a docker-archive of it.
docker_archive "$R" "$T/img.tar" '["/usr/bin/python3", "/app/app.py"]' || fail "cannot build the docker-archive"
for img in "dir:$R" "docker-archive:$T/img.tar"; do
	for s in "${want[@]}"; do
		"$CONFINE" explain --quiet --program /usr/bin/python3 "$img" "$s" >"$T/e.txt" 2>&1 ||
			fail "$img: explain $s failed: $(cat "$T/e.txt")"
		grep -q 'no program of the image can make it' "$T/e.txt" && fail "$img: $s not explained"
	done
	for s in swapoff iopl mlockall; do
		"$CONFINE" explain --quiet --program /usr/bin/python3 "$img" "$s" >"$T/e.txt" 2>&1 ||
			fail "$img: explain $s failed: $(cat "$T/e.txt")"
		grep -q 'no program of the image can make it' "$T/e.txt" || fail "$img: $s counted"
	done
done
"$CONFINE" explain --quiet --program /usr/bin/python3 "docker-archive:$T/img.tar" acct >"$T/e.txt" 2>&1
grep -q 'through ctypes or cffi' "$T/e.txt" || fail "explain does not say libquux is loaded through ctypes: $(cat "$T/e.txt")"
"$CONFINE" explain --quiet --program /usr/bin/python3 "dir:$R" personality >"$T/e.txt" 2>&1
grep -q 'its Python code may call it by name through ctypes or cffi (/app/app.py' "$T/e.txt" ||
	fail "explain does not say why libc's personality is a root: $(cat "$T/e.txt")"
"$CONFINE" explain --quiet --json --program /usr/bin/python3 "dir:$R" personality >"$T/e.json" ||
	fail "explain --json personality failed"
jq -e '.programs[0].chain[0].called_by_name_from == "/app/app.py"' "$T/e.json" >/dev/null ||
	fail "explain --json: no called_by_name_from: $(jq -c '.programs[0].chain[0]' "$T/e.json")"

# The real python3 (Debian's), chrooted under strace: a script calling
# libc functions python3 itself never calls.
command -v python3 >/dev/null || skip "no python3"
command -v strace >/dev/null || fail "no strace (scripts/setup.sh installs it)"
python3 -c 'import ctypes' 2>/dev/null || skip "python3 without ctypes"
P=$T/py
chroot_root "$P"
root_add_python "$P"
mkdir -p "$P/app"
cat >"$P/app/calls.py" <<'EOF'
import ctypes, os
libc = ctypes.CDLL("libc.so.6", use_errno=True)
libc.personality(0xffffffff)
fd = os.open("/tmp", os.O_RDONLY)
libc.syncfs(fd)
f = os.open("/app/calls.py", os.O_RDONLY)
libc["readahead"](f, ctypes.c_longlong(0), ctypes.c_size_t(4096))
EOF
strace -f -qq -o "$T/trace" env -i PATH=/usr/bin:/bin "$(command -v chroot)" "$P" /usr/bin/python3 /app/calls.py \
	>"$T/out" 2>&1 || fail "the script failed: $(cat "$T/out")"
trace_calls "$T/trace" /usr/bin/python3 >"$T/observed"
for s in personality syncfs readahead; do
	grep -qx "$s" "$T/observed" || fail "the script did not make $s: $(tr '\n' ' ' <"$T/observed")"
done
"$CONFINE" analyze --quiet --json --root "$P" /usr/bin/python3 >"$T/py.json" || fail "analyze python3 failed"
jq -r '.programs[0].syscalls[]' "$T/py.json" | sort >"$T/set"
missed=$(comm -23 "$T/observed" "$T/set" | tr '\n' ' ')
[ -z "$missed" ] || fail "calls python3 made running the script are not in its set: $missed"
pass
