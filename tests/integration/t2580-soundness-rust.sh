#!/usr/bin/env bash
# Soundness against reality, part 7: Rust code and landing pads.  Debian's
# hyperfine (a Rust program) and the Rust extension module of
# python3-cryptography (_rust.abi3.so, named to the analysis of python3
# with --dlopen).  Both keep libc's syscall() in a callee-saved register,
# loaded from its GOT slot once and called in a loop (futex waits,
# getrandom), with landing pads for panics around the calls and
# loop-alignment padding between the blocks.  The sets must hold every
# call strace sees and must not be "everything": the pointer does not
# escape, the padding is never entered and the landing pads (from
# .eh_frame and .gcc_except_table) do not use it.  librsvg (rsvg-convert
# and the gdk-pixbuf thumbnailer's SVG loader, several threads) keeps it
# in r8 on the way to a Rust panic: the callee writes r8 before the panic
# hook's indirect call, five calls deep and through a recursive cycle of
# panic functions (session 22; before, "everything").  Then the C++ fixture
# landing_pad.cc (g++ and clang++, -fno-plt), whose catch handler does use
# it: its getpgid must be in the set.
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
st_init

W=$T/w
mkdir -p "$W"
cd "$W"
ran=0
if [ -x /usr/bin/hyperfine ]; then
	st_run hyperfine-N /usr/bin/hyperfine -N --runs 3 --warmup 1 --export-json "$W/h.json" 'true'
	st_run hyperfine-shell /usr/bin/hyperfine --runs 2 --style basic 'sleep 0.01'
	st_run_rc 1 hyperfine-fail /usr/bin/hyperfine -N --runs 2 'false'
	ran=1
fi
rust=/usr/lib/python3/dist-packages/cryptography/hazmat/bindings/_rust.abi3.so
if [ -x /usr/bin/python3 ] && [ -f "$rust" ]; then
	ST_TARGET_ARGS[$(readlink -f /usr/bin/python3)]="--dlopen $rust"
	st_run python3-cryptography /usr/bin/python3 -c '
import os, threading
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.asymmetric import ed25519
k = AESGCM.generate_key(bit_length=128)
ct = AESGCM(k).encrypt(os.urandom(12), b"x" * 1000, None)
h = hashes.Hash(hashes.SHA256()); h.update(ct); h.finalize()
sk = ed25519.Ed25519PrivateKey.generate(); sk.public_key().verify(sk.sign(b"m"), b"m")
ts = [threading.Thread(target=lambda: AESGCM.generate_key(bit_length=256)) for _ in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print(len(ct))'
	ran=1
fi
if [ -x /usr/bin/rsvg-convert ]; then
	cat >"$W/a.svg" <<'EOF'
<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120" viewBox="0 0 200 120">
  <defs><filter id="b"><feGaussianBlur stdDeviation="3"/></filter>
  <linearGradient id="g"><stop offset="0" stop-color="#08f"/><stop offset="1" stop-color="#f80"/></linearGradient></defs>
  <rect x="10" y="10" width="180" height="100" rx="12" fill="url(#g)" filter="url(#b)"/>
  <circle cx="60" cy="60" r="30" fill="#fff" opacity="0.6"/>
  <text x="100" y="70" font-family="sans-serif" font-size="24">confine</text>
</svg>
EOF
	st_run rsvg-png /usr/bin/rsvg-convert -o "$W/a.png" "$W/a.svg"
	st_run rsvg-pdf /usr/bin/rsvg-convert -f pdf -o "$W/a.pdf" "$W/a.svg"
	st_run_rc 1 rsvg-bad /usr/bin/rsvg-convert -o "$W/b.png" "$W/absent.svg"
	if [ -x /usr/bin/gdk-pixbuf-thumbnailer ]; then
		st_run thumbnailer /usr/bin/gdk-pixbuf-thumbnailer -s 64 "$W/a.svg" "$W/t.png"
	fi
	ran=1
fi
P=$CONFINE_SRC/tests/fixtures/programs
LP=()
for cxx in g++ clang++; do
	command -v "$cxx" >/dev/null || continue
	"$cxx" -O2 -fno-plt -o "$W/landing_pad.${cxx%++}" "$P/landing_pad.cc" 2>"$T/cxx.err" ||
		fail "cannot build landing_pad ($cxx): $(cat "$T/cxx.err")"
	st_run "landing_pad.${cxx%++}" "$W/landing_pad.${cxx%++}"
	# clang's handler calls syscall() with arguments the analysis cannot know there.
	[ "$cxx" != clang++ ] || ST_UNRESOLVABLE="${ST_UNRESOLVABLE:-} $W/landing_pad.clang:landing_pad"
	LP+=("landing_pad.${cxx%++}")
	ran=1
done
[ "$ran" = 1 ] || skip "none of hyperfine, python3-cryptography, rsvg-convert, g++, clang++ is installed"
st_check
for lp in "${LP[@]}"; do
	st_expect "$lp" "$W/$lp" $(sed -n 's|^/\* expect: \(.*\) \*/$|\1|p' "$P/landing_pad.cc")
done
if [ -x /usr/bin/hyperfine ]; then
	st_expect hyperfine-N /usr/bin/hyperfine futex
fi
if [ -x /usr/bin/rsvg-convert ]; then
	st_expect rsvg-png /usr/bin/rsvg-convert futex clone3
	n=$(st_static_size /usr/bin/rsvg-convert)
	[ "$n" -le 250 ] || fail "rsvg-convert: $n calls allowed (at most 250 expected)"
fi
pass
