#!/bin/bash
# A script's command words that expand variables name what those variables
# hold.  Debian's apache2ctl starts the server as "$HTTPD", set by
# HTTPD=${APACHE_HTTPD:-/usr/sbin/apache2} after sourcing
# $APACHE_CONFDIR/envvars: the server was not in the program set, and an
# image started with apache2ctl got a profile without listen (it exited
# under it).  Here a script in that style runs in a chroot under strace:
# its daemon comes from a default, a helper from the file it sources, a
# tool from the container's environment (-e), a runner through eval (Tomcat's
# catalina.sh runs java as eval exec "\"$_RUNJAVA\"") and a quoted name.
# Every program it executes must be in the image's program set, and every
# call in the profile.
. "$(dirname "$0")/lib.sh"
need_root
command -v strace >/dev/null || fail "no strace (scripts/setup.sh installs it)"

R=$T/root
mkdir -p "$R/bin" "$R/usr/sbin" "$R/etc/app" "$R/tmp" "$R/dev"
mknod -m 666 "$R/dev/null" c 1 3 || fail "cannot make the chroot's /dev/null"
root_add_program "$R" "$(readlink -f /bin/sh)" /bin/sh
root_add_program "$R" "$(readlink -f "$(command -v touch)")" /usr/sbin/appd
root_add_program "$R" "$(readlink -f "$(command -v id)")" /usr/lib/app/helper
root_add_program "$R" "$(readlink -f "$(command -v stat)")" /opt/tool/stat
root_add_program "$R" "$(readlink -f "$(command -v uname)")" /usr/lib/app/runner
root_add_program "$R" "$(readlink -f "$(command -v basename)")" /usr/lib/app/quoted
cat >"$R/usr/sbin/appctl" <<'SH'
#!/bin/sh
ARGV="$@"
if test -z "$APP_CONFDIR"; then
	APP_CONFDIR=/etc/app
fi
test -z "$APP_ENVVARS" && APP_ENVVARS="$APP_CONFDIR/envvars"
if test -f $APP_ENVVARS; then
	. $APP_ENVVARS
fi
DAEMON=${APP_DAEMON:-/usr/sbin/appd}
"$HELPER" -u >/dev/null
$APP_TOOL -c %s / >/dev/null
eval "\"$RUNNER\"" -s ">/dev/null"
'/usr/lib/app/quoted' /a/b >/dev/null
case $ARGV in
start) $DAEMON "$PIDFILE" ;;
*) $DAEMON $ARGV ;;
esac
SH
printf 'HELPER=/usr/lib/app/helper\nRUNNER=/usr/lib/app/runner\nPIDFILE=/tmp/app.pid\nexport PIDFILE\n' >"$R/etc/app/envvars"
chmod 755 "$R/usr/sbin/appctl"
OPTS="--entrypoint /usr/sbin/appctl -e APP_TOOL=/opt/tool/stat"
ARGS="start"

"$CONFINE" inventory --quiet --json --options "$OPTS" --args "$ARGS" "dir:$R" >"$T/inv.json" ||
	fail "inventory failed"
for p in /usr/sbin/appd /usr/lib/app/helper /opt/tool/stat /usr/lib/app/runner /usr/lib/app/quoted; do
	jq -e --arg p "$p" '.programs[] | select(.path == $p and .origin == "script")' "$T/inv.json" >/dev/null ||
		fail "$p (run by the script through a variable) is not a program: $(jq -c '[.programs[].path]' "$T/inv.json")"
done

strace -f -qq -o "$T/trace" env -i APP_TOOL=/opt/tool/stat PATH=/usr/sbin:/bin chroot "$R" /usr/sbin/appctl $ARGS \
	>"$T/out" 2>&1 || fail "the script failed: $(cat "$T/out")"
[ -f "$R/tmp/app.pid" ] || fail "the daemon did not run"
executed_in_root "$T/trace" "$R" >"$T/executed"
[ "$(wc -l <"$T/executed")" -ge 6 ] || fail "too few programs executed: $(tr '\n' ' ' <"$T/executed")"
jq -r '.programs[].path' "$T/inv.json" | sort -u >"$T/set"
missed=$(comm -23 "$T/executed" "$T/set" | tr '\n' ' ')
[ -z "$missed" ] || fail "programs the script ran are not in the program set: $missed"
trace_calls "$T/trace" /usr/sbin/appctl >"$T/observed"
"$CONFINE" profile --quiet --no-runtime --options "$OPTS" --args "$ARGS" -o "$T/p.json" "dir:$R" ||
	fail "profile failed"
jq -r '.syscalls[0].names[]' "$T/p.json" | sort >"$T/profile"
missed=$(comm -23 "$T/observed" "$T/profile" | tr '\n' ' ')
[ -z "$missed" ] || fail "calls the script's processes made are not in the profile: $missed"
echo "script: $(wc -l <"$T/executed") programs executed, $(wc -l <"$T/set") in the set;" \
	"$(wc -l <"$T/observed") calls observed, $(wc -l <"$T/profile") in the profile"
pass
