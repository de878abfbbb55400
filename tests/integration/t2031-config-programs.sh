#!/bin/bash
# Programs a server's configuration names run in the container too (origin
# "config"): lighttpd's FastCGI bin-path, h2o's piped access log,
# supervisord's [program:X] commands, Apache's piped logs and ScriptAlias
# CGI programs, HAProxy's external-check command, Postfix's master.cf
# services (analysis/confprogs.c).  Fake servers
# (recognised as the real ones are: lighttpd and h2o by what they export,
# supervisord by its name) in a dir: root, each with a configuration naming
# a program that makes a call nothing else in the root makes.  The server's
# arguments pick the file (-f, -c) when they are known.
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null || skip "no gcc"
command -v jq >/dev/null || skip "no jq"

R=$T/root
root_add_libc "$R"
root_add_program "$R" "$(readlink -f /bin/sh)" /bin/sh
# prog OUT SYSCALL: a program that makes SYSCALL.
prog() {
	printf '#include <sys/syscall.h>\n#include <unistd.h>\nint main(void) { return syscall(SYS_%s, 0) > 0; }\n' \
		"$2" >"$T/prog_$2.c"
	mkdir -p "$(dirname "$1")"
	gcc -O2 -o "$1" "$T/prog_$2.c" || fail "cannot build $1"
}
prog "$R/usr/bin/fcgi-app" acct
prog "$R/usr/bin/other-app" swapoff
prog "$R/usr/bin/logpipe" vhangup
prog "$R/usr/local/bin/worker" mincore
prog "$R/usr/bin/cronolog" syncfs
prog "$R/usr/lib/cgi-bin/app.cgi" iopl
install -m 644 "$R/usr/lib/cgi-bin/app.cgi" "$R/usr/lib/cgi-bin/data"   # not executable: not a program
prog "$T/noexec" ioperm && install -m 644 "$T/noexec" "$R/usr/lib/cgi-bin/noexec"
fake_exporter "$R/usr/sbin/lighttpd" config_plugin_values_init
fake_exporter "$R/usr/sbin/apache2" ap_hook_post_config
fake_exporter "$R/usr/sbin/haproxy" cfg_parse_listen
prog "$R/usr/local/bin/check" setdomainname
fake_lib_user "$R/usr/lib/postfix/libpostfix-global.so" libpostfix-global.so mail_conf_read "$R/usr/sbin/postfix"
mkdir -p "$R/etc/ld.so.conf.d" && echo /usr/lib/postfix >"$R/etc/ld.so.conf.d/postfix.conf"
prog "$R/usr/lib/postfix/sbin/smtpd" personality
mkdir -p "$R/etc/postfix"
printf 'smtp      inet  n       -       y       -       -       smtpd\n' >"$R/etc/postfix/master.cf"
fake_exporter "$R/usr/bin/h2o" h2o_access_log_register_configurator
mkdir -p "$R/etc/lighttpd/conf-enabled" "$R/etc/h2o" "$R/etc/supervisor/conf.d" "$R/opt" "$R/etc/apache2/conf-enabled"
printf 'ServerRoot "/etc/apache2"\nIncludeOptional conf-enabled/*.conf\n' >"$R/etc/apache2/apache2.conf"
printf 'CustomLog "|/usr/bin/cronolog /var/log/%%Y.log" combined\nScriptAlias /cgi-bin/ /usr/lib/cgi-bin/\n' \
	>"$R/etc/apache2/conf-enabled/sweep.conf"
mkdir -p "$R/etc/haproxy"
printf 'backend app\n  option external-check\n  external-check command /usr/local/bin/check\n' >"$R/etc/haproxy/haproxy.cfg"
printf 'server.modules = ( "mod_fastcgi" )\ninclude "conf-enabled/*.conf"\n' >"$R/etc/lighttpd/lighttpd.conf"
printf 'fastcgi.server += ( ".php" => ((\n  "bin-path" => "/usr/bin/fcgi-app -x",\n  "socket" => "/run/a.sock" )))\n' \
	>"$R/etc/lighttpd/conf-enabled/15-fastcgi.conf"
printf '"bin-path" => "/usr/bin/other-app"\n' >"$R/etc/lighttpd/conf-enabled/README"
printf 'fastcgi.server = ( "/" => (( "bin-path" => "/usr/bin/other-app" )))\n' >"$R/opt/other.conf"
printf 'listen: 80\naccess-log: "|exec logpipe -t h2o"\n' >"$R/etc/h2o/h2o.conf"
printf '#!/bin/sh\nexit 0\n' >"$R/usr/bin/supervisord"
chmod +x "$R/usr/bin/supervisord"
printf '[supervisord]\nnodaemon=true\n[include]\nfiles = conf.d/*.conf\n' >"$R/etc/supervisor/supervisord.conf"
printf '[program:w]\ncommand=/bin/sh -c "exec %%(ENV_APP)s --serve"\n' >"$R/etc/supervisor/conf.d/w.conf"

# profile ENTRYPOINT ARGS OUT: the profile of the root run as ENTRYPOINT ARGS.
profile() {
	"$CONFINE" profile --quiet --no-runtime --options "--entrypoint $1 -e APP=/usr/local/bin/worker" \
		${2:+--args "$2"} -o "$T/$3.json" "dir:$R" 2>"$T/$3.err" || fail "profile of $1 failed: $(cat "$T/$3.err")"
}
allows() { jq -e --arg s "$2" '.syscalls[0].names | index($s) != null' "$T/$1.json" >/dev/null; }

profile /usr/sbin/lighttpd "-D" lighttpd
allows lighttpd acct || fail "lighttpd: its bin-path program's acct is not allowed"
allows lighttpd swapoff && fail "lighttpd: a file include's glob leaves out names a program"
profile /usr/sbin/lighttpd "-D -f /opt/other.conf" lighttpd-f
allows lighttpd-f swapoff && ! allows lighttpd-f acct ||
	fail "lighttpd -f /opt/other.conf: $(jq -c '.syscalls[0].names' "$T/lighttpd-f.json")"
profile /usr/bin/h2o "" h2o
allows h2o vhangup || fail "h2o: its piped access log's program is not allowed"
profile /usr/bin/supervisord "-n" supervisord
allows supervisord mincore || fail "supervisord: its program's call is not allowed"
profile /usr/sbin/apache2 "-DFOREGROUND" apache
allows apache syncfs || fail "apache: its piped log's program is not allowed"
allows apache iopl || fail "apache: its CGI program is not allowed"
allows apache ioperm && fail "apache: a CGI folder's file without an execute bit counts as a program"
profile /usr/sbin/postfix "start-fg" postfix
allows postfix personality || fail "postfix: its master.cf service's call is not allowed"
cp "$R/usr/sbin/postfix" "$R/usr/sbin/postconf"   # links libpostfix-global.so too, starts nothing
profile /usr/sbin/postconf "" postconf
allows postconf personality && fail "postconf: got the services of master.cf, which only master starts"
profile /usr/sbin/haproxy "-W -db" haproxy
allows haproxy setdomainname || fail "haproxy: its external check's call is not allowed"

# explain names the origin and the file.
"$CONFINE" explain --quiet --options "--entrypoint /usr/sbin/lighttpd" "dir:$R" acct >"$T/explain.txt" 2>&1 ||
	fail "explain failed: $(cat "$T/explain.txt")"
grep -q '/usr/bin/fcgi-app (config: bin-path in /etc/lighttpd/conf-enabled/15-fastcgi.conf, run by lighttpd)' \
	"$T/explain.txt" || fail "explain: $(cat "$T/explain.txt")"
pass
