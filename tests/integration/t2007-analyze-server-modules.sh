#!/bin/bash
# Servers' modules: nginx (load_module), Apache (LoadModule), lighttpd
# (server.modules), rsyslogd (module(load=...)) and uWSGI (--plugin)
# dlopen() the modules their configuration names; syslog-ng loads all of
# its modules, collectd and uWSGI (with its arguments known) those their
# configuration names.  A process with the
# server's core (an object exporting ngx_cycle, ap_hook_post_config,
# config_plugin_values_init, modulesProcessCnf or uwsgi_load_plugin) gets
# every module
# installed in the packages' module folders, in both loaders (analyze
# --root, explain dir:); a .so elsewhere and a program that is not the
# server get none.  And the nginx fixture image's echo module
# (modules-enabled/50-mod-http-echo.conf) is an object of nginx.
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"
command -v jq >/dev/null || skip "no jq"

R=$T/root
root_add_libc "$R"
mkdir -p "$R/usr/sbin" "$R/usr/lib/nginx/modules" "$R/usr/lib/apache2/modules" "$R/usr/lib/nginx/other"
syscall_lib "$R/usr/lib/nginx/modules/ngx_http_x_module.so" swapoff
syscall_lib "$R/usr/lib/apache2/modules/mod_y.so" acct
syscall_lib "$R/usr/lib/nginx/other/ngx_z_module.so" iopl     # not a module folder
cat >"$T/nginx.c" <<'C'
void *ngx_cycle;
int main(void) { return ngx_cycle != 0; }
C
cat >"$T/apache.c" <<'C'
void ap_hook_post_config(void) {}
int main(void) { ap_hook_post_config(); return 0; }
C
cat >"$T/plain.c" <<'C'
int main(void) { return 0; }
C
gcc -O2 -rdynamic -o "$R/usr/sbin/nginx" "$T/nginx.c" && gcc -O2 -rdynamic -o "$R/usr/sbin/apache2" "$T/apache.c" &&
	gcc -O2 -o "$R/usr/sbin/plain" "$T/plain.c" || fail "cannot build the fake servers"

"$CONFINE" analyze --quiet --json --root "$R" /usr/sbin/nginx /usr/sbin/apache2 /usr/sbin/plain >"$T/files.json" ||
	fail "analyze --root failed"
jq -e '.programs[0].syscalls | index("swapoff") != null and index("acct") == null and index("iopl") == null' \
	"$T/files.json" >/dev/null || fail "nginx: $(jq -c '.programs[0].objects' "$T/files.json")"
jq -e '.programs[0] | .object_reasons[.objects | index("/usr/lib/nginx/modules/ngx_http_x_module.so")] == "module"' \
	"$T/files.json" >/dev/null || fail "nginx: the module is not marked module"
jq -e '.programs[1].syscalls | index("acct") != null and index("swapoff") == null' "$T/files.json" >/dev/null ||
	fail "apache2: $(jq -c '.programs[1].objects' "$T/files.json")"
jq -e '.programs[2].objects | length == 3' "$T/files.json" >/dev/null ||
	fail "plain: modules loaded into a program that is no server: $(jq -c '.programs[2].objects' "$T/files.json")"
for p in "nginx swapoff" "apache2 acct"; do
	set -- $p
	"$CONFINE" explain --quiet --program "/usr/sbin/$1" "dir:$R" "$2" >"$T/e.txt" 2>&1 ||
		fail "image mode: explain $2 failed: $(cat "$T/e.txt")"
	grep -q 'a server module' "$T/e.txt" || fail "image mode: $1's $2 not explained by its module: $(cat "$T/e.txt")"
done

# lighttpd: its modules' API (config_plugin_values_init) tells it.
mkdir -p "$R/usr/lib/lighttpd"
syscall_lib "$R/usr/lib/lighttpd/mod_w.so" vhangup
fake_exporter "$R/usr/sbin/lighttpd" config_plugin_values_init
rule_loads "$R" /usr/sbin/lighttpd vhangup 'a server module'
"$CONFINE" analyze --quiet --json --root "$R" /usr/sbin/nginx >"$T/n.json" || fail "analyze nginx failed"
json_has "$T/n.json" vhangup && fail "nginx got lighttpd's module"
# rsyslogd: its module folder, or RSYSLOG_MODDIR's.
mkdir -p "$R/usr/lib/x86_64-linux-gnu/rsyslog" "$R/opt/rsmods"
syscall_lib "$R/usr/lib/x86_64-linux-gnu/rsyslog/imx.so" mincore
syscall_lib "$R/opt/rsmods/omy.so" getpgrp
fake_exporter "$R/usr/sbin/rsyslogd" modulesProcessCnf
rule_loads "$R" /usr/sbin/rsyslogd mincore 'a server module'
"$CONFINE" analyze --quiet --json --root "$R" /usr/sbin/rsyslogd >"$T/r.json" || fail "analyze rsyslogd failed"
json_has "$T/r.json" getpgrp && fail "RSYSLOG_MODDIR's module counted without the variable"
"$CONFINE" analyze --quiet --json --root "$R" -e RSYSLOG_MODDIR=/opt/rsmods /usr/sbin/rsyslogd >"$T/r.json" ||
	fail "analyze -e failed"
json_has "$T/r.json" getpgrp || fail "RSYSLOG_MODDIR's module not loaded"

# uWSGI: its core (uwsgi_load_plugin) loads the plugins --plugin and the
# ini files name (python3_plugin.so, which links libpython) from its folder;
# with no arguments known (analyze FILE), every one.
mkdir -p "$R/usr/lib/uwsgi/plugins"
syscall_lib "$R/usr/lib/uwsgi/plugins/python3_plugin.so" syncfs
fake_exporter "$R/usr/bin/uwsgi-core" uwsgi_load_plugin
rule_loads "$R" /usr/bin/uwsgi-core syncfs 'a server module'
"$CONFINE" analyze --quiet --json --root "$R" /usr/sbin/apache2 >"$T/a.json" || fail "analyze apache2 failed"
json_has "$T/a.json" syncfs && fail "apache2 got uWSGI's plugin"
# With its arguments known (the image's Entrypoint/Cmd), only the plugins
# they name: --plugin NAME, an ini file's plugins =, the uwsgi_NAME link;
# what they do not tell (--emperor) keeps every plugin.
syscall_lib "$R/usr/lib/uwsgi/plugins/psgi_plugin.so" acct
ln -sf uwsgi-core "$R/usr/bin/uwsgi_python3"
mkdir -p "$R/srv"
printf '[uwsgi]\nmaster = true\nplugins = psgi\n[other]\nplugins = python3\n' >"$R/srv/app.ini"
uwsgi_allows() { # ENTRYPOINT ARGS SYSCALL...: the profile allows exactly those of syncfs and acct
	"$CONFINE" profile --quiet --no-runtime --options "--entrypoint $1" ${2:+--args "$2"} -o "$T/u.json" "dir:$R" ||
		fail "profile of $1 $2 failed"
	got=$(jq -r '[.syscalls[0].names[] | select(. == "syncfs" or . == "acct")] | sort | join(" ")' "$T/u.json")
	[ "$got" = "$3" ] || fail "uwsgi $1 $2: plugins' calls '$got', expected '$3'"
}
uwsgi_allows /usr/bin/uwsgi-core "--plugin python3 --http-socket :8080 --master" "syncfs"
uwsgi_allows /usr/bin/uwsgi-core "--ini /srv/app.ini" "acct"
uwsgi_allows /usr/bin/uwsgi-core "--plugins=python3,psgi" "acct syncfs"
uwsgi_allows /usr/bin/uwsgi_python3 "--http-socket :8080" "syncfs"
uwsgi_allows /usr/bin/uwsgi-core "--emperor /etc/uwsgi/vassals" "acct syncfs"
uwsgi_allows /usr/bin/uwsgi-core "--plugin %(x)" "acct syncfs"

# syslog-ng: libsyslog-ng loads every module of its module path
# (VERSION/libNAME.so) at start, to discover the plugins they provide.
mkdir -p "$R/usr/lib/syslog-ng/3.38"
syscall_lib "$R/usr/lib/syslog-ng/3.38/libaffile.so" fchmodat
fake_exporter "$R/usr/sbin/syslog-ng" plugin_discover_candidate_modules
rule_loads "$R" /usr/sbin/syslog-ng fchmodat 'a server module'

# collectd: the plugins its configuration loads (LoadPlugin, <LoadPlugin>,
# Include'd files), from the file -C names when the arguments are known;
# with no configuration, every plugin (Debian's include perl.so).
C=$T/croot
root_add_libc "$C"
mkdir -p "$C/usr/lib/collectd" "$C/etc/collectd/collectd.conf.d" "$C/opt"
syscall_lib "$C/usr/lib/collectd/a.so" syncfs
syscall_lib "$C/usr/lib/collectd/b.so" vhangup
syscall_lib "$C/usr/lib/collectd/c.so" mincore
syscall_lib "$C/usr/lib/collectd/d.so" acct
fake_exporter "$C/usr/sbin/collectd" plugin_register_complex_read
"$CONFINE" analyze --quiet --json --root "$C" /usr/sbin/collectd >"$T/c.json" || fail "analyze collectd failed"
for s in syncfs vhangup mincore acct; do
	json_has "$T/c.json" $s || fail "collectd without a configuration lacks $s (every plugin)"
done
printf 'Interval 10\nLoadPlugin a\n# LoadPlugin c\nInclude "/etc/collectd/collectd.conf.d" "*.conf"\n' \
	>"$C/etc/collectd/collectd.conf"
printf '<LoadPlugin "b">\n  Interval 5\n</LoadPlugin>\n' >"$C/etc/collectd/collectd.conf.d/b.conf"
printf 'LoadPlugin d\n' >"$C/etc/collectd/collectd.conf.d/d.disabled"
printf 'LoadPlugin c\n' >"$C/opt/mine.conf"
"$CONFINE" analyze --quiet --json --root "$C" /usr/sbin/collectd >"$T/c.json" || fail "analyze collectd failed"
json_has "$T/c.json" syncfs && json_has "$T/c.json" vhangup || fail "collectd lacks its configured plugins"
json_has "$T/c.json" mincore && fail "collectd got a plugin only a comment names"
json_has "$T/c.json" acct && fail "collectd got a plugin of a file the Include filter leaves out"
"$CONFINE" profile --quiet --no-runtime --options "--entrypoint /usr/sbin/collectd" --args "-f -C /opt/mine.conf" \
	-o "$T/c-profile.json" "dir:$C" || fail "profile of collectd -C failed"
jq -e '.syscalls[0].names | index("mincore") != null and index("syncfs") == null' "$T/c-profile.json" >/dev/null ||
	fail "collectd -C /opt/mine.conf: $(jq -c '.syscalls[0].names' "$T/c-profile.json")"

# The nginx fixture image (Debian's nginx with libnginx-mod-http-echo).
if [ -d "$FIX/rootfs-nginx/usr/lib/nginx/modules" ]; then
	"$CONFINE" analyze --quiet --json --root "$FIX/rootfs-nginx" /usr/sbin/nginx >"$T/nginx.json" ||
		fail "analyze of the nginx fixture failed"
	jq -e '.programs[0] | [.objects, .object_reasons] | transpose | map(select(.[1] == "module")) | length >= 1' \
		"$T/nginx.json" >/dev/null || fail "nginx fixture: no module among $(jq -c '.programs[0].objects' "$T/nginx.json")"
fi

# The real rsyslogd, with TCP, UDP, unix-socket and statistics modules, under
# strace: no miss (the build before missed chmod and listen, made by imuxsock
# and imtcp).
if [ -x /usr/sbin/rsyslogd ] && [ -f /usr/lib/x86_64-linux-gnu/rsyslog/imtcp.so ] && command -v logger >/dev/null; then
	. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
	st_workdir
	PORT=$(free_port)
	cat >r.conf <<CONF
module(load="imuxsock" SysSock.Use="off")
module(load="imtcp")
module(load="imudp")
module(load="impstats" interval="1")
input(type="imtcp" port="$PORT" address="127.0.0.1")
input(type="imuxsock" Socket="$W/log.sock")
*.* action(type="omfile" file="$W/out.log")
CONF
	st_bg rsyslogd /usr/sbin/rsyslogd -n -f "$W/r.conf" -i "$W/r.pid"
	rpid=$ST_BG_PID
	st_wait_port "$PORT"
	st_run logger-tcp logger -n 127.0.0.1 -P "$PORT" -T "hello tcp"
	st_run logger-unix logger -u "$W/log.sock" "hello unix"
	for i in $(seq 50); do grep -q "hello unix" out.log 2>/dev/null && break; sleep 0.1; done
	kill -TERM "$(cat "$W/r.pid")"
	st_bg_wait "$rpid" rsyslogd
	grep -q "hello tcp" out.log || fail "rsyslogd did not log the TCP message"
	st_check
	st_expect rsyslogd /usr/sbin/rsyslogd listen chmod
fi
pass
