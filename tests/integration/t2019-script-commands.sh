#!/bin/bash
# The programs an entrypoint script runs run in the container too, under the
# same profile: a shell script of the program set adds the commands its text
# runs (analysis/shwords.h; origin "script").  Checked for real: an
# entrypoint script in the style of the official images' (functions, case,
# a here-document, $(...), a for loop, exec env "$@") runs in a chroot under
# strace; every program it executes must be in the image's program set, and
# every call any process of it makes must be in the profile.
. "$(dirname "$0")/lib.sh"
need_root
command -v strace >/dev/null || fail "no strace (scripts/setup.sh installs it)"

R=$T/root
mkdir -p "$R/bin" "$R/data" "$R/tmp" "$R/etc" "$R/dev"
mknod -m 666 "$R/dev/null" c 1 3 || fail "cannot make the chroot's /dev/null"
root_add_program "$R" "$(readlink -f /bin/sh)" /bin/sh
for p in mkdir chown ln id cat stat sed env touch sleep; do
	root_add_program "$R" "$(readlink -f "$(command -v $p)")" "/bin/$p"
done
cat >"$R/docker-entrypoint.sh" <<'SH'
#!/bin/sh
set -eu
# Prepare the data folder, then run the command (cp and rm are only named here).
setup_dirs() {
	mkdir -p /data/run
	chown -R 1:1 /data
	ln -sf /data/run /data/current
}
log() { echo "entrypoint: $*"; }
case "${1:-}" in
	-*) set -- touch "$@" ;;
	help) exec cat /data/conf ;;
esac
if [ "$(id -u)" = 0 ]; then
	setup_dirs
	cat >/data/conf <<EOF
mode = prod
rm -rf /
EOF
	log "uid $(id -u), owner $(stat -c %u /data)"
fi
for f in /data/conf; do sed -n 1p "$f" >/dev/null; done
exec env APP_MODE=prod "$@"
SH
chmod 755 "$R/docker-entrypoint.sh"
OPTS="--entrypoint /docker-entrypoint.sh"
ARGS="touch /data/done"

# ---- the program set: the script's commands, not its functions or words ----
"$CONFINE" inventory --quiet --json --options "$OPTS" --args "$ARGS" "dir:$R" >"$T/inv.json" ||
	fail "inventory failed"
jq -r '.programs[] | select(.origin == "script") | .path' "$T/inv.json" | sort >"$T/script.progs"
for p in mkdir chown ln id cat stat sed env; do
	grep -qx "/bin/$p" "$T/script.progs" || fail "/bin/$p (run by the script) is not a program: $(tr '\n' ' ' <"$T/script.progs")"
done
for p in cp rm setup_dirs log; do
	grep -q "/$p\$" "$T/script.progs" && fail "$p counted as a program the script runs"
done
jq -e '.programs[] | select(.path == "/bin/touch")' "$T/inv.json" >/dev/null || fail "the command env runs is not a program"

# ---- the real run: every program it executes is in the set, every call in the profile ----
strace -f -qq -o "$T/trace" chroot "$R" /docker-entrypoint.sh $ARGS >"$T/out" 2>&1 ||
	fail "the entrypoint failed: $(cat "$T/out")"
[ -f "$R/data/done" ] || fail "the command did not run"
executed_in_root "$T/trace" "$R" >"$T/executed"
[ "$(wc -l <"$T/executed")" -ge 8 ] || fail "too few programs executed: $(tr '\n' ' ' <"$T/executed")"
jq -r '.programs[].path' "$T/inv.json" | sort -u >"$T/set"
missed=$(comm -23 "$T/executed" "$T/set" | tr '\n' ' ')
[ -z "$missed" ] || fail "programs the entrypoint ran are not in the program set: $missed"
trace_calls "$T/trace" /docker-entrypoint.sh >"$T/observed"
"$CONFINE" profile --quiet --no-runtime --options "$OPTS" --args "$ARGS" -o "$T/p.json" "dir:$R" ||
	fail "profile failed"
jq -r '.syscalls[0].names[]' "$T/p.json" | sort >"$T/profile"
missed=$(comm -23 "$T/observed" "$T/profile" | tr '\n' ' ')
[ -z "$missed" ] || fail "calls the entrypoint's processes made are not in the profile: $missed"
echo "entrypoint: $(wc -l <"$T/executed") programs executed, $(wc -l <"$T/set") in the set;" \
	"$(wc -l <"$T/observed") calls observed, $(wc -l <"$T/profile") in the profile"
pass
