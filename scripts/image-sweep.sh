#!/usr/bin/env bash
# Validate confine's profiles on real server images, by hand: for each image
# below, build it from Debian packages (debootstrap, cached under
# $CONFINE_SWEEP, default /var/tmp/confine-sweep), write the profile with
# `confine profile --validate` and a workload, and print one line per image.
# A failure is either a bug (the profile denied what the image's programs
# make) or a documented limit (README: programs run by names computed at
# run time; such images pass with --monitor, given as an extra argument).
#
#   scripts/image-sweep.sh [--confine BIN] [--record] [IMAGE...] [-- EXTRA-PROFILE-ARGS...]
#
# --record: then run each image once more under `confine record` with the
# same options and workload, and say how many calls its profile allows
# against those the run made, and any call made that it does not allow.
#
# IMAGE: haproxy apache postgres bind ssh squid node mariadb unbound phpfpm
# vsftpd dnsmasq mosquitto rabbit varnish postfix caddy prometheus etcd uwsgi
# gunicorn prosody exim dovecot knot pdns coturn kea privoxy nghttpx tomcat
# samba syslogng collectd freeradius proftpd nats registry nsd icecast phpcli
# beanstalkd slapd lighttpd rsyslog h2o influxdb cups svn gitdaemon
# hg tinyproxy supervisor minidlna perlweb rubyweb mojo puma pysub npmapp perlsub
# rubysub nodesub phpsub rsub svgsvc (default: all).  Needs
# root, Docker and network access to the Debian mirror the first time
# (1-2 minutes and 150-500 MB an image).  Not part of the test suite.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=rootfs.sh
. "$here/scripts/rootfs.sh"
CONFINE_BIN=$here/build/confine
SW=${CONFINE_SWEEP:-/var/tmp/confine-sweep}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
ALL="haproxy apache postgres bind ssh squid node mariadb unbound phpfpm vsftpd dnsmasq mosquitto rabbit varnish postfix
	caddy prometheus etcd uwsgi gunicorn prosody exim dovecot knot pdns coturn kea privoxy nghttpx tomcat
	samba syslogng collectd freeradius proftpd nats registry nsd icecast phpcli beanstalkd
	slapd lighttpd rsyslog h2o influxdb cups svn gitdaemon hg tinyproxy supervisor minidlna perlweb rubyweb mojo puma
	pysub npmapp perlsub rubysub nodesub phpsub rsub svgsvc"
images=()
extra=()
record=0
while [ $# -gt 0 ]; do
	case $1 in
	--confine) CONFINE_BIN=$2; shift 2 ;;
	--record) record=1; shift ;;
	--) shift; extra=("$@"); break ;;
	-h|--help) sed -n '2,/^set /{/^set /!p}' "$0"; exit 0 ;;
	*) images+=("$1"); shift ;;
	esac
done
[ ${#images[@]} -gt 0 ] || read -r -a images <<<"$ALL"
[ -x "$CONFINE_BIN" ] || { echo "image-sweep: no confine at $CONFINE_BIN (build first)" >&2; exit 1; }
mkdir -p "$SW/out"
PATHENV='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

# rootfs NAME PKGS: a minbase bookworm rootfs with PKGS, cached.
rootfs() {
	rootfs_current "$SW/rootfs-$1" "$2" && return 0
	echo "image-sweep: debootstrap $1 ($2)" >&2
	rootfs_build "$SW/rootfs-$1" "$2" "$SW/$1.log" "$MIRROR" ||
		{ echo "image-sweep: debootstrap $1 failed, see $SW/$1.log" >&2; return 1; }
}

# import NAME CHANGE...: confine-sweep/NAME from its rootfs, again whenever
# the rootfs, the files the sweep wrote into it since, or CHANGE differ (the
# image's label holds a hash of them).
import() {
	local name=$1 dir=$SW/rootfs-$1 args=() stamp have old
	shift
	[ -f "$dir/.complete" ] || return 1
	stamp=$({ stat -c %Y "$dir/.complete"; printf '%s\n' "$@"
		  find "$dir" -newer "$dir/.complete" -type f -print0 | sort -z | xargs -0r sha256sum; } |
		sha256sum | cut -c1-16)
	have=$(docker image inspect -f '{{index .Config.Labels "confine.sweep.rootfs"}}' "confine-sweep/$name" 2>/dev/null) &&
		[ "$have" = "$stamp" ] && return 0
	old=$(docker image inspect -f '{{.Id}}' "confine-sweep/$name" 2>/dev/null) || old=
	args=(-c "LABEL confine.sweep.rootfs=$stamp")
	for c in "$@"; do args+=(-c "$c"); done
	tar --exclude=./.complete -C "$dir" -c . | docker import "${args[@]}" - "confine-sweep/$name" >/dev/null || return 1
	# The image it replaces, now untagged (kept if a container still uses it).
	[ -z "$old" ] || docker rmi "$old" >/dev/null 2>&1 || true
}

# sweep_zone FILE: a zone file for example.com (the DNS servers' workloads ask for it).
sweep_zone() {
	printf '%s\n' '$ORIGIN example.com.' '$TTL 3600' \
		'@ IN SOA ns.example.com. admin.example.com. 1 3600 900 604800 3600' \
		'@ IN NS ns.example.com.' 'ns IN A 127.0.0.1' '@ IN A 127.0.0.1' >"$1"
	chmod 0644 "$1"
}

# build NAME: the image, with what it needs to start and a workload.
build() {
	local r=$SW/rootfs-$1
	case $1 in
	haproxy)
		rootfs haproxy haproxy,curl,python3 || return 1
		mkdir -p "$r/run/haproxy"
		printf '%s\n' global '	log stdout format raw local0' '	chroot /var/lib/haproxy' \
			'	stats socket /run/haproxy/admin.sock mode 660 level admin' '	user haproxy' \
			'	group haproxy' '	master-worker' defaults '	log global' '	mode http' \
			'	timeout connect 5000' '	timeout client 50000' '	timeout server 50000' 'frontend fe' \
			'	bind :8080' '	http-request return status 200 content-type text/plain string "ok\n" if { path /ok }' \
			'	default_backend be' 'backend be' '	server s1 127.0.0.1:8081 check inter 1s' \
			>"$r/etc/haproxy/sweep.cfg"
		import haproxy 'CMD ["/bin/sh","-c","python3 -m http.server --bind 127.0.0.1 8081 & exec haproxy -W -db -f /etc/haproxy/sweep.cfg"]' "$PATHENV" ;;
	apache)
		rootfs apache apache2,curl || return 1
		import apache 'CMD ["/usr/sbin/apache2ctl","-D","FOREGROUND"]' "$PATHENV" ;;
	postgres)
		rootfs postgres postgresql,postgresql-client || return 1
		import postgres 'CMD ["/usr/lib/postgresql/15/bin/postgres","-D","/var/lib/postgresql/15/main","-c","config_file=/etc/postgresql/15/main/postgresql.conf"]' \
			"$PATHENV" 'USER postgres' ;;
	bind)
		rootfs bind bind9,bind9-dnsutils || return 1
		import bind 'CMD ["/usr/sbin/named","-g","-u","bind"]' "$PATHENV" ;;
	ssh)
		rootfs ssh openssh-server,openssh-client || return 1
		mkdir -p "$r/run/sshd"
		import ssh 'CMD ["/usr/sbin/sshd","-D","-e"]' "$PATHENV" ;;
	squid)
		rootfs squid squid,squidclient,curl || return 1
		import squid 'CMD ["/usr/sbin/squid","-N","-d1"]' "$PATHENV" ;;
	node)
		rootfs node nodejs || return 1
		import node 'CMD ["/usr/bin/node","-e","require(\"http\").createServer((q,r)=>{require(\"fs\").readFile(\"/etc/hostname\",(e,d)=>r.end(d))}).listen(8080)"]' "$PATHENV" ;;
	mariadb)
		rootfs mariadb mariadb-server,mariadb-client || return 1
		mkdir -p "$r/run/mysqld"
		chown --reference="$r/var/lib/mysql" "$r/run/mysqld"
		import mariadb 'CMD ["/usr/sbin/mariadbd","--user=mysql"]' "$PATHENV" ;;
	unbound)
		rootfs unbound unbound,bind9-dnsutils || return 1
		# Containers have no ::1, minbase has no root.key (dns-root-data),
		# and -d logs to syslog, where a failure to start is not seen.
		printf '%s\n' server: '  interface: 127.0.0.1' '  do-ip6: no' '  use-syslog: no' \
			'  module-config: "iterator"' >"$r/etc/unbound/unbound.conf.d/sweep.conf"
		import unbound 'CMD ["/usr/sbin/unbound","-d","-p"]' "$PATHENV" ;;
	phpfpm)
		rootfs phpfpm php-fpm,lighttpd,curl || return 1
		mkdir -p "$r/run/php" "$r/var/www/html"
		printf '%s\n' 'server.modules = ("mod_fastcgi")' 'server.document-root = "/var/www/html"' \
			'server.port = 8080' 'fastcgi.server = (".php" => (("socket" => "/run/php/php8.2-fpm.sock")))' \
			>"$r/etc/lighttpd/sweep.conf"
		printf '%s\n' '<?php echo getmypid(), "\n"; file_put_contents("/tmp/x", "y");' \
			'echo gethostname(), "\n", count(scandir("/etc")), "\n"; ?>' >"$r/var/www/html/i.php"
		import phpfpm 'CMD ["/bin/sh","-c","php-fpm8.2 -D && exec lighttpd -D -f /etc/lighttpd/sweep.conf"]' "$PATHENV" ;;
	vsftpd)
		rootfs vsftpd vsftpd,ftp,curl || return 1
		mkdir -p "$r/run/vsftpd/empty" "$r/srv/ftp"   # /var/run is a link to /run: not the host's
		echo hello >"$r/srv/ftp/hello.txt"
		# The file first: vsftpd reads its default file after the -o options.
		import vsftpd 'CMD ["/usr/sbin/vsftpd","/etc/vsftpd.conf","-olisten=YES","-olisten_ipv6=NO","-oanonymous_enable=YES","-obackground=NO"]' "$PATHENV" ;;
	dnsmasq)
		rootfs dnsmasq dnsmasq-base,bind9-dnsutils || return 1
		import dnsmasq 'CMD ["/usr/sbin/dnsmasq","-k","--no-resolv","--address=/sweep.test/10.0.0.1","--log-queries"]' "$PATHENV" ;;
	mosquitto)
		rootfs mosquitto mosquitto,mosquitto-clients || return 1
		printf 'listener 1883\nallow_anonymous true\n' >"$r/etc/mosquitto/sweep.conf"
		import mosquitto 'CMD ["/usr/sbin/mosquitto","-c","/etc/mosquitto/sweep.conf"]' "$PATHENV" ;;
	rabbit)
		rootfs rabbit rabbitmq-server || return 1
		import rabbit 'CMD ["/usr/sbin/rabbitmq-server"]' "$PATHENV" 'ENV HOME=/var/lib/rabbitmq' ;;
	varnish)
		rootfs varnish varnish,curl || return 1
		printf 'vcl 4.1;\nbackend default none;\nsub vcl_recv { return (synth(200, "ok")); }\n' \
			>"$r/etc/varnish/sweep.vcl"
		import varnish 'CMD ["/usr/sbin/varnishd","-F","-f","/etc/varnish/sweep.vcl","-a",":8080","-s","malloc,32m"]' "$PATHENV" ;;
	postfix)
		rootfs postfix postfix,swaks || return 1
		import postfix 'CMD ["/usr/sbin/postfix","start-fg"]' "$PATHENV" ;;
	caddy)
		rootfs caddy caddy,curl || return 1
		import caddy 'CMD ["/usr/bin/caddy","run","--config","/etc/caddy/Caddyfile"]' "$PATHENV" ;;
	prometheus)
		rootfs prometheus prometheus,curl || return 1
		import prometheus 'CMD ["/usr/bin/prometheus","--config.file=/etc/prometheus/prometheus.yml","--storage.tsdb.path=/tmp/metrics"]' "$PATHENV" ;;
	etcd)
		rootfs etcd etcd-server,etcd-client || return 1
		import etcd 'CMD ["/usr/bin/etcd","--data-dir","/tmp/etcd","--listen-client-urls","http://127.0.0.1:2379","--advertise-client-urls","http://127.0.0.1:2379"]' "$PATHENV" ;;
	uwsgi | gunicorn)
		if [ "$1" = uwsgi ]; then
			rootfs uwsgi uwsgi-core,uwsgi-plugin-python3,curl || return 1
		else
			rootfs gunicorn gunicorn,curl || return 1
		fi
		mkdir -p "$r/srv"
		printf '%s\n' 'import os' 'def application(env, start_response):' \
			'    start_response("200 OK", [("Content-Type", "text/plain")])' \
			'    os.times()' \
			'    return [repr((os.getpgrp(), os.getresuid(), sorted(os.listdir("/etc"))[0])).encode()]' \
			>"$r/srv/app.py"
		if [ "$1" = uwsgi ]; then
			import uwsgi 'CMD ["/usr/bin/uwsgi","--plugin","python3","--http-socket",":8080","--wsgi-file","/srv/app.py","--master","--processes","2"]' "$PATHENV"
		else
			import gunicorn 'CMD ["/usr/bin/gunicorn","--bind","0.0.0.0:8080","--chdir","/srv","--workers","2","app:application"]' "$PATHENV"
		fi ;;
	prosody)
		rootfs prosody prosody,lua-bitop,lua-sec,lua-socket,lua-expat,lua-filesystem,lua-unbound,lua-readline,lua5.4 || return 1
		mkdir -p "$r/run/prosody"
		chown --reference="$r/var/lib/prosody" "$r/run/prosody"
		import prosody 'CMD ["/usr/bin/prosody","-F"]' "$PATHENV" 'USER prosody' ;;
	exim)
		rootfs exim exim4-daemon-light || return 1
		# Debian's config listens on ::1 too, which a container without IPv6 lacks:
		# exim waited 30 s between binds and never answered.  -oX: IPv4 only.
		import exim 'CMD ["/usr/sbin/exim4","-bdf","-q30m","-oX","0.0.0.0.25"]' "$PATHENV" ;;
	dovecot)
		rootfs dovecot dovecot-imapd || return 1
		import dovecot 'CMD ["/usr/sbin/dovecot","-F"]' "$PATHENV" ;;
	knot)
		rootfs knot knot,knot-dnsutils || return 1
		mkdir -p "$r/run/knot"
		chown --reference="$r/var/lib/knot" "$r/run/knot"
		chmod 0775 "$r/run/knot" # knotd writes its PID file there as knot (it exited 1, silently: syslog)
		sweep_zone "$r/etc/knot/example.com.zone"
		printf '%s\n' 'server:' '    rundir: "/run/knot"' '    user: knot:knot' '    listen: 127.0.0.1@53' \
			'log:' '  - target: stderr' '    any: info' 'database:' '    storage: "/var/lib/knot"' \
			'zone:' '  - domain: example.com' '    file: "/etc/knot/example.com.zone"' >"$r/etc/knot/knot.conf"
		import knot 'CMD ["/usr/sbin/knotd"]' "$PATHENV" ;;
	pdns)
		rootfs pdns pdns-server,pdns-backend-bind,bind9-dnsutils || return 1
		import pdns 'CMD ["/usr/sbin/pdns_server","--guardian=no","--daemon=no","--disable-syslog","--write-pid=no","--local-address=127.0.0.1","--local-port=5300","--launch=bind"]' "$PATHENV" ;;
	coturn)
		rootfs coturn coturn || return 1
		import coturn 'CMD ["/usr/bin/turnserver","-n","--no-cli","--listening-ip=127.0.0.1","--log-file=stdout"]' "$PATHENV" ;;
	kea)
		rootfs kea kea-dhcp4-server || return 1
		mkdir -p "$r/run/kea" "$r/var/lib/kea"
		import kea 'CMD ["/usr/sbin/kea-dhcp4","-c","/etc/kea/kea-dhcp4.conf"]' "$PATHENV" ;;
	privoxy)
		rootfs privoxy privoxy,curl || return 1
		sed -i 's/^listen-address  127.0.0.1:8118/listen-address  0.0.0.0:8118/; /^listen-address  \[::1\]:8118/d' \
			"$r/etc/privoxy/config"
		import privoxy 'CMD ["/usr/sbin/privoxy","--no-daemon","/etc/privoxy/config"]' "$PATHENV" ;;
	nghttpx)
		rootfs nghttpx nghttp2-proxy,nghttp2-server,curl || return 1
		mkdir -p "$r/srv"
		echo hello >"$r/srv/index.html"
		import nghttpx 'CMD ["/bin/sh","-c","nghttpd --no-tls -d /srv 8081 & exec nghttpx --conf=/dev/null --frontend=\"*,8080;no-tls\" --backend=\"127.0.0.1,8081;;proto=h2\""]' "$PATHENV" ;;
	tomcat)
		rootfs tomcat tomcat10,curl || return 1
		import tomcat 'CMD ["/usr/share/tomcat10/bin/catalina.sh","run"]' "$PATHENV" \
			'ENV CATALINA_HOME=/usr/share/tomcat10' 'ENV CATALINA_BASE=/var/lib/tomcat10' 'ENV CATALINA_TMPDIR=/tmp' ;;
	samba)
		rootfs samba samba,smbclient || return 1
		import samba 'CMD ["/usr/sbin/smbd","--foreground","--no-process-group","--debug-stdout"]' "$PATHENV" ;;
	syslogng)
		rootfs syslogng syslog-ng-core,bsdutils || return 1
		printf '%s\n' '@version: 3.38' 'source s_net { tcp(ip("0.0.0.0") port(5140)); udp(ip("0.0.0.0") port(5140)); };' \
			'destination d_file { file("/var/log/sweep.log" template("$(format-json --scope rfc5424)\n")); };' \
			'log { source(s_net); destination(d_file); };' >"$r/etc/syslog-ng/sweep.conf"
		import syslogng 'CMD ["/usr/sbin/syslog-ng","-F","--no-caps","-f","/etc/syslog-ng/sweep.conf"]' "$PATHENV" ;;
	collectd)
		rootfs collectd collectd-core || return 1
		printf '%s\n' 'Interval 1' 'LoadPlugin cpu' 'LoadPlugin memory' 'LoadPlugin load' 'LoadPlugin df' \
			'LoadPlugin interface' 'LoadPlugin csv' '<Plugin csv>' '  DataDir "/tmp/csv"' '</Plugin>' \
			>"$r/etc/collectd/sweep.conf"
		import collectd 'CMD ["/usr/sbin/collectd","-f","-C","/etc/collectd/sweep.conf"]' "$PATHENV" ;;
	freeradius)
		rootfs freeradius freeradius,freeradius-utils || return 1
		printf 'sweep Cleartext-Password := "secret"\n' >>"$r/etc/freeradius/3.0/users"
		import freeradius 'CMD ["/usr/sbin/freeradius","-f","-l","stdout"]' "$PATHENV" ;;
	proftpd)
		rootfs proftpd proftpd-core,curl || return 1
		import proftpd 'CMD ["/usr/sbin/proftpd","--nodaemon"]' "$PATHENV" ;;
	nats)
		rootfs nats nats-server,curl || return 1
		import nats 'CMD ["/usr/sbin/nats-server","-p","4222","-m","8222"]' "$PATHENV" ;;
	registry)
		rootfs registry docker-registry,curl || return 1
		import registry 'CMD ["/usr/bin/docker-registry","serve","/etc/docker/registry/config.yml"]' "$PATHENV" ;;
	nsd)
		rootfs nsd nsd,bind9-dnsutils || return 1
		# Debian's config logs to syslog only and opens its control port on ::1, which
		# a container without IPv6 lacks: nsd exited 1 with no message.
		sweep_zone "$r/etc/nsd/example.com.zone"
		printf '%s\n' 'server:' '  ip-address: 127.0.0.1' '  zonesdir: "/etc/nsd"' '  logfile: "/dev/stderr"' \
			'remote-control:' '  control-enable: no' \
			'zone:' '  name: example.com' '  zonefile: example.com.zone' >"$r/etc/nsd/sweep.conf"
		import nsd 'CMD ["/usr/sbin/nsd","-d","-c","/etc/nsd/sweep.conf"]' "$PATHENV" ;;
	icecast)
		rootfs icecast icecast2,curl || return 1
		import icecast 'CMD ["/usr/bin/icecast2","-c","/etc/icecast2/icecast.xml"]' "$PATHENV" 'USER icecast2' ;;
	phpcli)
		rootfs phpcli php-cli,curl || return 1
		mkdir -p "$r/srv"
		printf '%s\n' '<?php echo getmypid(), " ", count(scandir("/etc")), " ", php_uname(), "\n";' \
			'file_put_contents("/tmp/x", date("c")); echo json_encode(stat("/tmp/x")), "\n";' >"$r/srv/i.php"
		import phpcli 'CMD ["/usr/bin/php","-S","0.0.0.0:8080","-t","/srv"]' "$PATHENV" ;;
	beanstalkd)
		rootfs beanstalkd beanstalkd || return 1
		import beanstalkd 'CMD ["/usr/bin/beanstalkd","-l","0.0.0.0","-p","11300"]' "$PATHENV" ;;
	slapd)
		rootfs slapd slapd,ldap-utils || return 1
		import slapd 'CMD ["/usr/sbin/slapd","-d","0","-h","ldap:///","-u","openldap","-g","openldap","-F","/etc/ldap/slapd.d"]' "$PATHENV" ;;
	lighttpd)
		rootfs lighttpd lighttpd,php-cgi,curl || return 1
		mkdir -p "$r/var/www/html"
		printf '%s\n' '<?php echo getmypid(), " ", count(scandir("/etc")), "\n";' >"$r/var/www/html/i.php"
		ln -sf ../conf-available/10-fastcgi.conf "$r/etc/lighttpd/conf-enabled/10-fastcgi.conf"
		ln -sf ../conf-available/15-fastcgi-php.conf "$r/etc/lighttpd/conf-enabled/15-fastcgi-php.conf"
		import lighttpd 'CMD ["/usr/sbin/lighttpd","-D","-f","/etc/lighttpd/lighttpd.conf"]' "$PATHENV" ;;
	rsyslog)
		rootfs rsyslog rsyslog,bsdutils || return 1
		printf '%s\n' 'module(load="imtcp")' 'input(type="imtcp" port="5140")' \
			'if $fromhost-ip != "127.0.0.1" or $programname == "sweep" then /var/log/sweep.log' >"$r/etc/rsyslog.d/sweep.conf"
		import rsyslog 'CMD ["/usr/sbin/rsyslogd","-n","-f","/etc/rsyslog.conf"]' "$PATHENV" ;;
	h2o)
		rootfs h2o h2o,curl || return 1
		import h2o 'CMD ["/usr/bin/h2o","-c","/etc/h2o/h2o.conf"]' "$PATHENV" ;;
	influxdb)
		rootfs influxdb influxdb,curl || return 1
		sed -i 's/^# *reporting-disabled = false/reporting-disabled = true/' "$r/etc/influxdb/influxdb.conf"
		grep -q '^reporting-disabled = true' "$r/etc/influxdb/influxdb.conf"
		import influxdb 'CMD ["/usr/bin/influxd","-config","/etc/influxdb/influxdb.conf"]' "$PATHENV" ;;
	cups)
		rootfs cups cups-daemon,cups-client,curl || return 1
		import cups 'CMD ["/usr/sbin/cupsd","-f"]' "$PATHENV" ;;
	svn)
		rootfs svn subversion || return 1
		mkdir -p "$r/srv/svn"
		[ -d "$r/srv/svn/repo" ] || chroot "$r" svnadmin create /srv/svn/repo
		import svn 'CMD ["/usr/bin/svnserve","-d","--foreground","-r","/srv/svn","--listen-host","0.0.0.0"]' "$PATHENV" ;;
	gitdaemon)
		rootfs gitdaemon git || return 1
		[ -d "$r/srv/git/repo.git" ] || chroot "$r" git init -q --bare /srv/git/repo.git
		import gitdaemon 'CMD ["/usr/bin/git","daemon","--reuseaddr","--base-path=/srv/git","--export-all","--verbose"]' "$PATHENV" ;;
	hg)
		rootfs hg mercurial,curl || return 1
		[ -d "$r/srv/hg/repo/.hg" ] || chroot "$r" hg init /srv/hg/repo
		import hg 'CMD ["/usr/bin/hg","serve","-R","/srv/hg/repo","-p","8000"]' "$PATHENV" ;;
	tinyproxy)
		rootfs tinyproxy tinyproxy,curl || return 1
		sed -i '/^Allow /d' "$r/etc/tinyproxy/tinyproxy.conf"
		import tinyproxy 'CMD ["/usr/bin/tinyproxy","-d","-c","/etc/tinyproxy/tinyproxy.conf"]' "$PATHENV" ;;
	supervisor)
		rootfs supervisor supervisor,socat,curl || return 1
		printf '%s\n' '[program:echo]' 'command=/usr/bin/socat TCP-LISTEN:8080,fork,reuseaddr SYSTEM:"echo hi"' \
			'stdout_logfile=/dev/stdout' 'stdout_logfile_maxbytes=0' >"$r/etc/supervisor/conf.d/echo.conf"
		import supervisor 'CMD ["/usr/bin/supervisord","-n","-c","/etc/supervisor/supervisord.conf"]' "$PATHENV" ;;
	minidlna)
		rootfs minidlna minidlna,curl || return 1
		import minidlna 'CMD ["/usr/sbin/minidlnad","-d","-f","/etc/minidlna.conf"]' "$PATHENV" ;;
	perlweb)
		# A Perl HTTP server (HTTP::Daemon) whose handler uses XS modules
		# (POSIX, Time::HiRes, Digest::SHA).
		rootfs perlweb perl,libhttp-daemon-perl,curl || return 1
		mkdir -p "$r/srv"
		cat >"$r/srv/app.pl" <<'PL'
use strict; use warnings;
use HTTP::Daemon; use HTTP::Response; use POSIX qw(strftime uname); use Time::HiRes qw(time usleep);
use Digest::SHA qw(sha256_hex); use File::Temp qw(tempfile); use Sys::Hostname;
$| = 1;
my $d = HTTP::Daemon->new(LocalAddr => '0.0.0.0', LocalPort => 8080, ReuseAddr => 1) or die "listen: $!";
print "listening\n";
while (my $c = $d->accept) {
	while (my $r = $c->get_request) {
		my ($fh, $name) = tempfile(); print $fh time(); close $fh; unlink $name;
		usleep(100);
		my $body = join(' ', sha256_hex($r->uri->path), strftime('%Y', localtime), (uname())[0], hostname()) . "\n";
		$c->send_response(HTTP::Response->new(200, 'OK', ['Content-Type' => 'text/plain'], $body));
	}
	$c->close;
}
PL
		import perlweb 'CMD ["/usr/bin/perl","/srv/app.pl"]' "$PATHENV" ;;
	rubyweb)
		# A Ruby HTTP server (WEBrick) whose handler uses C extensions (etc, digest, zlib, json).
		rootfs rubyweb ruby,ruby-webrick,curl || return 1
		mkdir -p "$r/srv"
		cat >"$r/srv/app.rb" <<'RB'
require 'webrick'; require 'etc'; require 'digest'; require 'zlib'; require 'json'; require 'tempfile'
s = WEBrick::HTTPServer.new(BindAddress: '0.0.0.0', Port: 8080, AccessLog: [])
s.mount_proc('/') do |req, res|
  Tempfile.create('x') { |f| f.write(req.path) }
  res.body = JSON.dump(user: Etc.getpwuid(Process.uid).name, sha: Digest::SHA256.hexdigest(req.path),
                       crc: Zlib.crc32(req.path), pid: Process.pid) + "\n"
end
trap('TERM') { s.shutdown }
s.start
RB
		import rubyweb 'CMD ["/usr/bin/ruby","/srv/app.rb"]' "$PATHENV" ;;
	mojo)
		# Mojolicious (its own event loop, IO::Socket::IP, JSON, templates).
		rootfs mojo libmojolicious-perl,curl || return 1
		mkdir -p "$r/srv"
		cat >"$r/srv/app.pl" <<'PL'
use Mojolicious::Lite -signatures;
use POSIX qw(strftime); use File::Temp qw(tempfile); use Digest::MD5 qw(md5_hex);
get '/' => sub ($c) {
	my ($fh, $name) = tempfile(); print $fh $c->req->url; close $fh; unlink $name;
	$c->render(json => { t => strftime('%Y', localtime), md5 => md5_hex($c->req->url->path), pid => $$ });
};
get '/page' => sub ($c) { $c->render(inline => '<%= 1 + 1 %> <%= scalar localtime %>') };
app->start;
PL
		import mojo 'CMD ["/usr/bin/perl","/srv/app.pl","daemon","-l","http://*:8080"]' "$PATHENV" ;;
	puma)
		# Puma (a threaded Ruby server, C extension puma_http11) with a Rack app.
		rootfs puma puma,ruby-rack,curl || return 1
		mkdir -p "$r/srv"
		cat >"$r/srv/config.ru" <<'RB'
require 'json'; require 'digest'; require 'etc'
run lambda { |env|
  [200, { 'content-type' => 'application/json' },
   [JSON.dump(path: env['PATH_INFO'], sha: Digest::SHA1.hexdigest(env['PATH_INFO']), user: Etc.getpwuid(Process.uid).name)]]
}
RB
		import puma 'CMD ["/usr/bin/puma","-b","tcp://0.0.0.0:8080","-t","2:4","/srv/config.ru"]' "$PATHENV" ;;
	pysub)
		# A Python server whose handler runs programs (subprocess, os.system)
		# that make calls python3 itself never makes (syncfs, ioprio_set).
		rootfs pysub python3,util-linux,curl || return 1
		mkdir -p "$r/srv"
		cat >"$r/srv/app.py" <<'PY'
import http.server, os, subprocess


class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        subprocess.run(["sync", "-f", "/tmp"], check=True)
        rc = os.system("ionice -c 3 true")
        body = ("ok %d\n" % rc).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


http.server.HTTPServer(("0.0.0.0", 8080), H).serve_forever()
PY
		import pysub 'CMD ["/usr/bin/python3","/srv/app.py"]' "$PATHENV" ;;
	svgsvc)
		# A Python server that renders SVG with librsvg (Rust code, threads)
		# through rsvg-convert and gdk-pixbuf-thumbnailer.
		rootfs svgsvc python3,librsvg2-bin,librsvg2-common,libgdk-pixbuf2.0-bin,fonts-dejavu-core,curl || return 1
		mkdir -p "$r/srv"
		cat >"$r/srv/a.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120" viewBox="0 0 200 120">
  <defs><filter id="b"><feGaussianBlur stdDeviation="3"/></filter></defs>
  <rect x="10" y="10" width="180" height="100" rx="12" fill="#08f" filter="url(#b)"/>
  <text x="100" y="70" font-family="sans-serif" font-size="24">confine</text>
</svg>
SVG
		cat >"$r/srv/app.py" <<'PY'
import http.server, subprocess, tempfile


class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with tempfile.TemporaryDirectory() as d:
            fmt = "pdf" if self.path.endswith("pdf") else "png"
            subprocess.run(["rsvg-convert", "-f", fmt, "-o", d + "/out", "/srv/a.svg"], check=True)
            subprocess.run(["gdk-pixbuf-thumbnailer", "-s", "64", "/srv/a.svg", d + "/t.png"], check=True)
            body = open(d + "/out", "rb").read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


http.server.HTTPServer(("0.0.0.0", 8080), H).serve_forever()
PY
		import svgsvc 'CMD ["/usr/bin/python3","/srv/app.py"]' "$PATHENV" ;;
	npmapp)
		# CMD ["npm", "start"]: npm runs package.json's start script with
		# sh -c, whose programs make calls node never makes (sync, ioprio_set).
		rootfs npmapp nodejs,util-linux,curl || return 1
		# debootstrap cannot resolve npm's dependencies (node-postcss-selector-parser): apt can.
		if [ ! -e "$r/usr/bin/npm" ]; then
			chroot "$r" sh -c 'apt-get update && apt-get install -y --no-install-recommends npm' \
				>"$SW/npmapp.apt.log" 2>&1 || { echo "image-sweep: apt-get install npm failed, see $SW/npmapp.apt.log" >&2; return 1; }
			rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/*
		fi
		mkdir -p "$r/app"
		printf '%s\n' '{ "name": "app", "version": "1.0.0", "private": true,' \
			'  "scripts": { "start": "ionice -c 3 true && sync && node server.js" } }' >"$r/app/package.json"
		printf '%s\n' 'require("http").createServer((q, r) => r.end("ok\n")).listen(8080);' >"$r/app/server.js"
		import npmapp 'CMD ["npm","start"]' "$PATHENV" 'WORKDIR /app' ;;
	perlsub)
		# Servers whose code runs programs (system, backquotes, child_process)
		# that make calls the interpreter never makes (syncfs, ioprio_set).
		rootfs perlsub util-linux || return 1
		mkdir -p "$r/srv"
		cat >"$r/srv/app.pl" <<'PL'
use IO::Socket::INET;
my $s = IO::Socket::INET->new(LocalAddr => '0.0.0.0', LocalPort => 8080, Listen => 5, ReuseAddr => 1)
    or die "listen: $!";
while (my $c = $s->accept) {
    while (my $l = <$c>) { last if $l =~ /^\r?\n$/ }
    system("sync", "-f", "/tmp");
    my $o = `ionice -c 3 true; echo ok`;
    print $c "HTTP/1.0 200 OK\r\nContent-Length: " . length($o) . "\r\n\r\n$o";
    close $c;
}
PL
		import perlsub 'CMD ["/usr/bin/perl","/srv/app.pl"]' "$PATHENV" ;;
	rubysub)
		rootfs rubysub ruby,util-linux || return 1
		mkdir -p "$r/srv"
		cat >"$r/srv/app.rb" <<'RB'
require 'socket'
s = TCPServer.new('0.0.0.0', 8080)
loop do
  c = s.accept
  while (l = c.gets) && l != "\r\n"; end
  system("sync", "-f", "/tmp")
  o = %x(ionice -c 3 true; echo ok)
  c.write("HTTP/1.0 200 OK\r\nContent-Length: #{o.bytesize}\r\n\r\n#{o}")
  c.close
end
RB
		import rubysub 'CMD ["/usr/bin/ruby","/srv/app.rb"]' "$PATHENV" ;;
	nodesub)
		rootfs nodesub nodejs,util-linux || return 1
		mkdir -p "$r/srv"
		cat >"$r/srv/server.js" <<'JS'
const cp = require('child_process');
require('http').createServer((q, r) => {
  cp.execFileSync('sync', ['-f', '/tmp']);
  r.end(cp.execSync('ionice -c 3 true; echo ok'));
}).listen(8080);
JS
		import nodesub 'CMD ["/usr/bin/node","/srv/server.js"]' "$PATHENV" ;;
	phpsub)
		rootfs phpsub php-cli,util-linux || return 1
		mkdir -p "$r/srv"
		cat >"$r/srv/index.php" <<'PHP'
<?php
exec('sync -f /tmp');
echo shell_exec('ionice -c 3 true; echo ok');
PHP
		import phpsub 'CMD ["/usr/bin/php","-S","0.0.0.0:8080","-t","/srv"]' "$PATHENV" ;;
	rsub)
		rootfs rsub r-base-core,r-cran-httpuv,util-linux || return 1
		mkdir -p "$r/srv"
		cat >"$r/srv/app.R" <<'RS'
library(httpuv)
s <- startServer("0.0.0.0", 8080, list(call = function(req) {
  system("sync -f /tmp")
  o <- system2("ionice", c("-c", "3", "true"), stdout = TRUE)
  list(status = 200L, headers = list("Content-Type" = "text/plain"), body = "ok\n")
}))
while (TRUE) service(1000)
RS
		import rsub 'CMD ["/usr/bin/Rscript","/srv/app.R"]' "$PATHENV" ;;
	*)
		echo "image-sweep: unknown image '$1' (known: $ALL)" >&2
		return 2 ;;
	esac
}

# The validation options of each image: ports on 127.0.0.1 only, workloads
# that name ELF programs (a Perl script would bring perl's calls into the profile).
opts() {
	args=()
	case $1 in
	haproxy) args=(--options "-p 127.0.0.1:18080:8080" --health http://127.0.0.1:18080/ok
		       --workload "host:curl -sf http://127.0.0.1:18080/ >/dev/null") ;;
	apache) args=(--options "-p 127.0.0.1:18081:80" --health http://127.0.0.1:18081/
		      --workload "host:for i in 1 2 3 4 5; do curl -s -o /dev/null http://127.0.0.1:18081/; curl -s -o /dev/null http://127.0.0.1:18081/nope; done") ;;
	postgres) args=(--workload "exec:/usr/lib/postgresql/15/bin/psql -h /var/run/postgresql -v ON_ERROR_STOP=1 -c 'create table t(a int)' -c 'insert into t values (1),(2)' -c 'vacuum full t' -c 'create index on t(a)' -c 'drop table t'") ;;
	bind) args=(--workload "exec:dig @127.0.0.1 localhost +tcp") ;;
	ssh) args=(--workload "exec:ssh-keyscan 127.0.0.1") ;;
	squid) args=(--workload "exec:squidclient mgr:info") ;;
	node) args=(--options "-p 127.0.0.1:18082:8080" --health http://127.0.0.1:18082/) ;;
	mariadb) args=(--workload "exec:mariadb -e 'create database t'") ;;
	unbound) args=(--workload "exec:dig @127.0.0.1 localhost") ;;
	phpfpm) args=(--options "-p 127.0.0.1:18084:8080" --health http://127.0.0.1:18084/i.php) ;;
	vsftpd) args=(--workload "exec:curl -sf ftp://127.0.0.1/hello.txt") ;;
	dnsmasq) args=(--workload "exec:dig @127.0.0.1 sweep.test") ;;
	mosquitto) args=(--workload "exec:sh -c 'mosquitto_sub -t t -C 1 & sleep 0.5; mosquitto_pub -t t -m hi; wait'") ;;
	rabbit) args=(--timeout 40 --workload "exec:rabbitmqctl status") ;;
	varnish) args=(--options "-p 127.0.0.1:18083:8080" --health http://127.0.0.1:18083/) ;;
	postfix) printf 'From: a@localhost\r\nTo: root@localhost\r\nSubject: sweep\r\n\r\nhello\r\n' >"$SW/mail.txt"
		 args=(--options "-p 127.0.0.1:18025:25"
		       --workload "host:curl -sf smtp://127.0.0.1:18025 --mail-from a@localhost --mail-rcpt root@localhost -T $SW/mail.txt") ;;
	caddy) args=(--options "-p 127.0.0.1:18085:80" --health http://127.0.0.1:18085/) ;;
	etcd) args=(--workload "exec:etcdctl --endpoints=http://127.0.0.1:2379 put a b") ;;
	uwsgi) args=(--options "-p 127.0.0.1:18087:8080" --health http://127.0.0.1:18087/) ;;
	gunicorn) args=(--options "-p 127.0.0.1:18088:8080" --health http://127.0.0.1:18088/) ;;
	exim) printf 'From: a@localhost\r\nTo: root@localhost\r\nSubject: sweep\r\n\r\nhello\r\n' >"$SW/mail.txt"
	      args=(--options "-p 127.0.0.1:18026:25"
		    --workload "host:curl -sf smtp://127.0.0.1:18026 --mail-from a@localhost --mail-rcpt root@localhost -T $SW/mail.txt") ;;
	dovecot) args=(--options "-p 127.0.0.1:18143:143"
		       --workload "host:curl -s imap://127.0.0.1:18143/ -u sweep:wrong; [ \$? = 67 ]") ;;
	prosody) args=(--options "-p 127.0.0.1:18052:5222" --workload "tcp:127.0.0.1:18052") ;;
	knot) args=(--workload "exec:sh -c 'kdig @127.0.0.1 example.com | grep -q \"status: NOERROR\"'") ;;
	pdns) args=(--workload "exec:dig @127.0.0.1 -p 5300 example.com") ;;
	coturn) args=(--workload "exec:turnutils_stunclient 127.0.0.1") ;;
	kea) args=() ;;
	privoxy) args=(--options "-p 127.0.0.1:18089:8118"
		       --workload "host:curl -sf -x http://127.0.0.1:18089 http://config.privoxy.org/ >/dev/null") ;;
	nghttpx) args=(--options "-p 127.0.0.1:18090:8080" --health http://127.0.0.1:18090/index.html) ;;
	tomcat) args=(--options "-p 127.0.0.1:18091:8080" --timeout 40 --health http://127.0.0.1:18091/) ;;
	samba) args=(--timeout 20 --workload "exec:smbclient -L //127.0.0.1 -N") ;;
	syslogng) args=(--workload "exec:logger -n 127.0.0.1 -P 5140 -T sweep-tcp") ;;
	collectd) args=() ;;
	freeradius) args=(--workload "cmd:echo User-Name=sweep,User-Password=secret | radclient -x 127.0.0.1 auth testing123") ;;
	proftpd) args=(--options "-p 127.0.0.1:18021:21"
		       --workload "host:curl -s ftp://127.0.0.1:18021/ -u sweep:wrong; [ \$? = 67 ]") ;;
	nats) args=(--options "-p 127.0.0.1:18222:8222" --health http://127.0.0.1:18222/varz) ;;
	registry) args=(--options "-p 127.0.0.1:18500:5000"   # Debian's config asks for a password: 401
			--health "host:test \"\$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:18500/v2/)\" = 401") ;;
	nsd) args=(--workload "exec:sh -c 'dig @127.0.0.1 example.com | grep -q \"status: NOERROR\"'") ;;
	icecast) args=(--options "-p 127.0.0.1:18800:8000" --health http://127.0.0.1:18800/status.xsl) ;;
	phpcli) args=(--options "-p 127.0.0.1:18092:8080" --health http://127.0.0.1:18092/i.php) ;;
	beanstalkd) args=(--options "-p 127.0.0.1:18300:11300" --workload "tcp:127.0.0.1:18300") ;;
	slapd) args=(--workload "exec:ldapsearch -x -H ldap://127.0.0.1 -b '' -s base namingContexts") ;;
	lighttpd) args=(--options "-p 127.0.0.1:18093:80" --health http://127.0.0.1:18093/i.php) ;;
	rsyslog) args=(--workload "exec:logger -n 127.0.0.1 -P 5140 -T -t sweep sweep-tcp") ;;
	h2o) args=(--options "-p 127.0.0.1:18094:80" --health http://127.0.0.1:18094/) ;;
	influxdb) args=(--options "-p 127.0.0.1:18095:8086" --health http://127.0.0.1:18095/ping
			--workload "host:curl -sf -XPOST 'http://127.0.0.1:18095/query' --data-urlencode 'q=CREATE DATABASE sweep'") ;;
	cups) args=(--workload "exec:lpstat -h localhost -r") ;;
	svn) args=(--workload "exec:svn ls svn://127.0.0.1/repo") ;;
	gitdaemon) args=(--workload "exec:git ls-remote git://127.0.0.1/repo.git") ;;
	hg) args=(--options "-p 127.0.0.1:18096:8000" --health http://127.0.0.1:18096/) ;;
	tinyproxy) args=(--options "-p 127.0.0.1:18097:8888"
			 --workload "host:curl -sf -x http://127.0.0.1:18097 http://tinyproxy.stats/ >/dev/null") ;;
	supervisor) args=(--workload "exec:sh -c 'echo | socat - TCP:127.0.0.1:8080 | grep -q hi'") ;;
	minidlna) args=(--options "-p 127.0.0.1:18200:8200" --workload "tcp:127.0.0.1:18200") ;;
	mojo) args=(--options "-p 127.0.0.1:18101:8080" --health http://127.0.0.1:18101/
		    --workload "host:curl -sf http://127.0.0.1:18101/ >/dev/null && curl -sf http://127.0.0.1:18101/page >/dev/null") ;;
	puma) args=(--options "-p 127.0.0.1:18102:8080" --health http://127.0.0.1:18102/
		    --workload "host:for i in 1 2 3; do curl -sf http://127.0.0.1:18102/x\$i >/dev/null || exit 1; done") ;;
	perlweb) args=(--options "-p 127.0.0.1:18098:8080" --health http://127.0.0.1:18098/
		       --workload "host:for i in 1 2 3; do curl -sf http://127.0.0.1:18098/x\$i >/dev/null || exit 1; done") ;;
	rubyweb) args=(--options "-p 127.0.0.1:18099:8080" --health http://127.0.0.1:18099/
		       --workload "host:for i in 1 2 3; do curl -sf http://127.0.0.1:18099/x\$i >/dev/null || exit 1; done") ;;
	pysub) args=(--options "-p 127.0.0.1:18103:8080" --health http://127.0.0.1:18103/
		     --workload "host:for i in 1 2 3; do curl -sf http://127.0.0.1:18103/x\$i >/dev/null || exit 1; done") ;;
	perlsub) args=(--options "-p 127.0.0.1:18105:8080" --health http://127.0.0.1:18105/
		       --workload "host:for i in 1 2 3; do curl -sf http://127.0.0.1:18105/x\$i >/dev/null || exit 1; done") ;;
	rubysub) args=(--options "-p 127.0.0.1:18106:8080" --health http://127.0.0.1:18106/
		       --workload "host:for i in 1 2 3; do curl -sf http://127.0.0.1:18106/x\$i >/dev/null || exit 1; done") ;;
	nodesub) args=(--options "-p 127.0.0.1:18107:8080" --health http://127.0.0.1:18107/
		       --workload "host:for i in 1 2 3; do curl -sf http://127.0.0.1:18107/x\$i >/dev/null || exit 1; done") ;;
	phpsub) args=(--options "-p 127.0.0.1:18108:8080" --health http://127.0.0.1:18108/
		      --workload "host:for i in 1 2 3; do curl -sf http://127.0.0.1:18108/x\$i >/dev/null || exit 1; done") ;;
	svgsvc) args=(--options "-p 127.0.0.1:18110:8080" --health http://127.0.0.1:18110/x.png
		      --workload "host:curl -sf http://127.0.0.1:18110/a.png >/dev/null && curl -sf http://127.0.0.1:18110/a.pdf >/dev/null") ;;
	rsub) args=(--timeout 40 --options "-p 127.0.0.1:18109:8080" --health http://127.0.0.1:18109/
		    --workload "host:for i in 1 2 3; do curl -sf http://127.0.0.1:18109/x\$i >/dev/null || exit 1; done") ;;
	npmapp) args=(--timeout 40 --options "-p 127.0.0.1:18104:8080" --health http://127.0.0.1:18104/
		      --workload "host:curl -sf http://127.0.0.1:18104/ >/dev/null") ;;
	prometheus) args=(--options "-p 127.0.0.1:18086:9090" --health http://127.0.0.1:18086/-/healthy
			  --workload "host:curl -sf 'http://127.0.0.1:18086/api/v1/query?query=up' >/dev/null") ;;
	esac
}

failed=0
for name in "${images[@]}"; do
	build "$name" || { failed=$((failed + 1)); continue; }
	opts "$name"
	out=$SW/out/$name.json
	if "$CONFINE_BIN" profile --quiet --json --validate "${args[@]}" "${extra[@]}" --force -o "$out" \
		"docker:confine-sweep/$name" >"$SW/out/$name.result.json" 2>"$SW/out/$name.err"; then
		verdict=passed
		# The image's own fault, not its profile's: the sweep's setup is broken.
		# Where nothing was denied its check failed, it exited with an error
		# (not killed for memory), or it exited before its check could run.
		jq -e '.validation.baseline | .health_check == false or
			(.exited and ((.exit_code != 0 and (.oom_killed | not)) or (.check != null and .health_check == null)))' \
			"$SW/out/$name.result.json" >/dev/null 2>&1 &&
			{ verdict="BROKEN (it fails with nothing denied; see $SW/out/$name.result.json)"; failed=$((failed + 1)); }
	else
		verdict=FAILED
		failed=$((failed + 1))
	fi
	jq -r --arg n "$name" --arg v "$verdict" \
		'"\($n): \($v); \(.programs // "?") programs, \(.allowed | length? // .allowed // "?") allowed" +
		 (if .validation.error then "; " + .validation.error else "" end) +
		 (if .error then "; " + .error else "" end)' \
		"$SW/out/$name.result.json" 2>/dev/null || echo "$name: $verdict ($(tail -n 1 "$SW/out/$name.err"))"
	if [ "$record" = 1 ] && [ "$verdict" = passed ]; then
		# record takes one workload: the image's workload, else its health
		# check (a request is a workload; without one only start-up is seen).
		rargs=()
		health=
		for ((i = 0; i < ${#args[@]}; i++)); do
			if [ "${args[i]}" = --health ]; then i=$((i + 1)); health=${args[i]}; else rargs+=("${args[i]}"); fi
		done
		[[ " ${rargs[*]} " == *" --workload "* ]] || [ -z "$health" ] || rargs+=(--workload "$health")
		if "$CONFINE_BIN" record --quiet --json "${rargs[@]}" --profile "$out" "docker:confine-sweep/$name" \
			>"$SW/out/$name.record.json" 2>"$SW/out/$name.record.err"; then
			rverdict=covered
			# A record of a container that failed or a workload that never ran checks little.
			# From the record's own fields, not its warnings' wording.
			wl=false
			[[ " ${rargs[*]} " == *" --workload "* ]] && wl=true
			jq -e --argjson wl "$wl" '(.exited and .exit_code != 0) or .health_check == false or
				($wl and .health_check == null)' "$SW/out/$name.record.json" >/dev/null 2>&1 &&
				{ rverdict="INCOMPLETE ($(jq -r '.warnings | join("; ")' "$SW/out/$name.record.json"))"; failed=$((failed + 1)); }
		else
			rverdict="NOT COVERED"
			failed=$((failed + 1))
		fi
		jq -r --arg n "$name" --arg v "$rverdict" \
			'"\($n): record \($v): \(.syscalls | length) calls made, the profile allows \(.profile.allowed)" +
			 " (\(.profile.ratio * 100 | round / 100)x)" +
			 (if (.profile.not_allowed | length) > 0 then "; not allowed: " + (.profile.not_allowed | join(" ")) else "" end)' \
			"$SW/out/$name.record.json" 2>/dev/null ||
			echo "$name: record $rverdict ($(tail -n 1 "$SW/out/$name.record.err"))"
	fi
done
echo "image-sweep: ${#images[@]} images, $failed failed"
[ "$failed" -eq 0 ]
