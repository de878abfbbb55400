/*
 * The programs servers' configurations name (confprogs.c): lighttpd, h2o
 * and supervisord files held in memory behind a root_reader.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "analysis/confprogs.h"
#include "util/xalloc.h"

struct memfile {
	const char *path, *text;
};

static char *mem_read(const void *ctx, const char *path, size_t cap, size_t *len)
{
	for (const struct memfile *f = ctx; f->path; f++)
		if (!strcmp(f->path, path)) {
			if (len)
				*len = strlen(f->text);
			return xstrndup(f->text, strlen(f->text) < cap ? strlen(f->text) : cap);
		}
	return NULL;
}

static size_t mem_list(const void *ctx, const char *dir, char ***paths)
{
	size_t nr = 0, l = strlen(dir);

	*paths = xcalloc(64, sizeof(**paths));
	for (const struct memfile *f = ctx; f->path && nr < 64; f++)
		if (!strncmp(f->path, dir, l) && f->path[l] == '/' && !strchr(f->path + l + 1, '/'))
			(*paths)[nr++] = xstrdup(f->path);
	return nr;
}

/* The files below 'dir' (any depth), whatever their names end with. */
static size_t mem_walk(const void *ctx, const char *dir, unsigned depth, const char *suffix, char ***paths)
{
	size_t nr = 0, l = strlen(dir);

	(void)depth, (void)suffix;
	*paths = xcalloc(64, sizeof(**paths));
	for (const struct memfile *f = ctx; f->path && nr < 64; f++)
		if (!strncmp(f->path, dir, l) && f->path[l] == '/')
			(*paths)[nr++] = xstrdup(f->path);
	return nr;
}

/* The commands found, as "TEXT|shell" or "TEXT|exec" lines, in order. */
static char *find(enum confprogs_server s, const struct memfile *files, const char *const *argv, size_t argc,
		  const char *const *env, size_t env_nr)
{
	const struct root_reader rr = { mem_read, mem_list, mem_walk, files };
	struct runtimes_process p = { .given = "/usr/bin/supervisord", .argv = (char *const *)argv, .argc = argc,
				      .env = (char *const *)env, .env_nr = env_nr, .workdir = "/srv" };
	struct confprog *v;
	size_t n = confprogs_find(s, &rr, &p, &v);
	char *out = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%s%s|%s\n", out, v[i].text, v[i].file ? "file" : v[i].shell ? "shell" : "exec");

		assert_non_null(v[i].why);
		free(out);
		out = next;
	}
	confprogs_release(v, n);
	return out;
}

static void test_lighttpd(void **state)
{
	static const struct memfile files[] = {
		{ "/etc/lighttpd/lighttpd.conf",
		  "server.modules = ( \"mod_access\", \"mod_accesslog\" )\n"
		  "var.helper = \"/usr/share/lighttpd/create-mime.conf.pl\"\n"
		  "# include_shell \"/usr/bin/commented-out\"\n"
		  "include_shell \"/usr/share/lighttpd/use-ipv6.pl \" + server.port\n"
		  "include_shell var.helper\n"
		  "mimetype.assign = ( \".html\" => \"text/html\" )\n"
		  "accesslog.filename = \"|/usr/bin/cronolog /var/log/%Y.log\"\n"
		  "server.errorlog = \"/var/log/lighttpd/error.log\"\n"
		  "include \"conf-enabled/*.conf\"\n" },
		{ "/etc/lighttpd/conf-enabled/10-cgi.conf",
		  "cgi.assign = ( \".py\" => \"/usr/bin/python3\",\n \".sh\" => \"\" )\n"
		  "alias.url += ( \"/cgi-bin/\" => \"/usr/lib/cgi-bin/\" )\n" },
		{ "/etc/lighttpd/conf-enabled/15-fastcgi-php.conf",
		  "fastcgi.server += ( \".php\" => ((\n \"bin-path\" => \"/usr/bin/php-cgi -c /etc/php.ini\",\n"
		  " \"socket\" => \"/run/lighttpd/php.socket\" )))\n" },
		{ "/etc/lighttpd/conf-enabled/README", "bin-path => \"/not/a/conf\"" },
		{ "/opt/mine.conf", "$HTTP[\"url\"] =~ \"^/x\" { accesslog.filename = \"|exec logger\" }\n" },
		{ NULL, NULL },
	};
	static const char *const argv[] = { "lighttpd", "-D", "-f", "/opt/mine.conf" };
	char *got;

	(void)state;
	got = find(CONFPROGS_LIGHTTPD, files, NULL, 0, NULL, 0);
	assert_string_equal(got, "/usr/share/lighttpd/use-ipv6.pl|shell\n"
				 "/usr/share/lighttpd/create-mime.conf.pl|shell\n"
				 "/usr/bin/cronolog /var/log/%Y.log|shell\n"
				 "/usr/bin/python3|exec\n"
				 "/usr/bin/php-cgi -c /etc/php.ini|exec\n");
	free(got);
	/* -f names the file: only its commands */
	got = find(CONFPROGS_LIGHTTPD, files, argv, 4, NULL, 0);
	assert_string_equal(got, "exec logger|shell\n");
	free(got);
}

static void test_h2o(void **state)
{
	static const struct memfile files[] = {
		{ "/etc/h2o/h2o.conf",
		  "user: debian-h2o\n"
		  "access-log: \"|rotatelogs -l /var/log/h2o/access.log 86400\"\n"
		  "error-log: /var/log/h2o/error.log\n"
		  "# error-log: \"|commented\"\n"
		  "hosts: !file hosts.yaml\n" },
		{ "/etc/h2o/hosts.yaml",
		  "\"default:80\":\n  paths:\n    /:\n      file.dir: /var/www\n"
		  "      access-log:\n        path: '|logger -t h2o'\n        format: \"%h\"\n"
		  "    /php:\n      fastcgi.spawn: \"PHP_FCGI_CHILDREN=10 exec /usr/bin/php-cgi\"\n"
		  "    /app:\n      fastcgi.spawn:\n        command: exec /usr/local/bin/app # the app\n" },
		{ NULL, NULL },
	};
	char *got;

	(void)state;
	got = find(CONFPROGS_H2O, files, NULL, 0, NULL, 0);
	assert_string_equal(got, "rotatelogs -l /var/log/h2o/access.log 86400|shell\n"
				 "logger -t h2o|shell\n"
				 "PHP_FCGI_CHILDREN=10 exec /usr/bin/php-cgi|shell\n"
				 "exec /usr/local/bin/app|shell\n");
	free(got);
}

static void test_supervisord(void **state)
{
	static const struct memfile files[] = {
		{ "/etc/supervisor/supervisord.conf",
		  "; supervisor config file\n[supervisord]\nlogfile=/var/log/supervisor/supervisord.log\n"
		  "[program:web]\ncommand = /usr/bin/gunicorn --bind 0.0.0.0:%(ENV_PORT)s app:app ; inline\n"
		  "[include]\nfiles = /etc/supervisor/conf.d/*.conf relative/*.ini\n" },
		{ "/etc/supervisor/conf.d/a.conf",
		  "[program:worker]\ncommand=/bin/bash -c \"source /env &&\n  exec %(here)s/../bin/%(program_name)s\"\n"
		  "numprocs=2\nprocess_name=%(program_name)s_%(process_num)02d\n"
		  "[eventlistener:crashmail]\ncommand=crashmail -a -m root@localhost\nevents=PROCESS_STATE\n"
		  "[unix_http_server]\ncommand=not a program\n" },
		{ "/etc/supervisor/conf.d/b.txt", "[program:no]\ncommand=/not/included\n" },
		{ "/etc/supervisor/relative/c.ini", "[fcgi-program:php]\ncommand=/usr/bin/php-cgi\n" },
		{ "/srv/mine.conf", "[program:only]\ncommand=/usr/sbin/nginx -g 'daemon off;'\n" },
		{ NULL, NULL },
	};
	static const char *const env[] = { "PORT=8000" };
	static const char *const argv[] = { "supervisord", "-n", "-c", "mine.conf" };
	char *got;

	(void)state;
	got = find(CONFPROGS_SUPERVISORD, files, NULL, 0, env, 1);
	assert_string_equal(got, "/usr/bin/gunicorn --bind 0.0.0.0:8000 app:app|exec\n"
				 "/bin/bash -c \"source /env && exec /etc/supervisor/conf.d/../bin/worker\"|exec\n"
				 "crashmail -a -m root@localhost|exec\n"
				 "/usr/bin/php-cgi|exec\n");
	free(got);
	/* -c, relative to the working folder */
	got = find(CONFPROGS_SUPERVISORD, files, argv, 4, env, 1);
	assert_string_equal(got, "/usr/sbin/nginx -g 'daemon off;'|exec\n");
	free(got);
}

static void test_apache(void **state)
{
	static const struct memfile files[] = {
		{ "/etc/apache2/apache2.conf",
		  "ServerRoot \"/etc/apache2\"\n# CustomLog \"|/commented\" combined\n"
		  "ErrorLog \"|/usr/bin/rotatelogs -l /var/log/error.%Y 86400\"\n"
		  "IncludeOptional mods-enabled/*.conf\nInclude conf.d\n"
		  "<VirtualHost *:80>\n  CustomLog \"||/usr/bin/logger -t apache\" combined\n"
		  "  CustomLog ${APACHE_LOG_DIR}/access.log combined\n"
		  "  RewriteMap lower prg:/usr/local/bin/lower\n</VirtualHost>\n" },
		{ "/etc/apache2/mods-enabled/filter.conf",
		  "ExtFilterDefine gzip mode=output \\\n    cmd=\"/bin/gzip -c\"\n" },
		{ "/etc/apache2/mods-enabled/cgi.load", "LoadModule cgi_module x.so\nCustomLog \"|/not/conf\" c\n" },
		{ "/etc/apache2/conf.d/cgi", "ScriptAlias /cgi-bin/ /usr/lib/cgi-bin/\nTransferLog \"|$exec cronolog\"\n" },
		{ "/usr/lib/cgi-bin/app", "#!/bin/sh\n" },
		{ "/usr/lib/cgi-bin/sub/tool", "ELF" },
		{ "/opt/httpd/conf/mine.conf", "GlobalLog \"|/opt/bin/log\" common\n" },
		{ NULL, NULL },
	};
	static const char *const argv[] = { "httpd", "-d", "/opt/httpd", "-f", "conf/mine.conf", "-DFOREGROUND" };
	char *got;

	(void)state;
	got = find(CONFPROGS_APACHE, files, NULL, 0, NULL, 0);
	assert_string_equal(got, "/usr/bin/rotatelogs -l /var/log/error.%Y 86400|shell\n"
				 "/bin/gzip -c|exec\n"
				 "/usr/lib/cgi-bin/app|file\n"
				 "/usr/lib/cgi-bin/sub/tool|file\n"
				 "exec cronolog|shell\n"
				 "/usr/bin/logger -t apache|exec\n"
				 "/usr/local/bin/lower|exec\n");
	free(got);
	/* -d and -f: that file only */
	got = find(CONFPROGS_APACHE, files, argv, 6, NULL, 0);
	assert_string_equal(got, "/opt/bin/log|shell\n");
	free(got);
}

static void test_haproxy(void **state)
{
	static const struct memfile files[] = {
		{ "/etc/haproxy/haproxy.cfg",
		  "global\n  external-check\n  log /dev/log local0\n"
		  "backend app\n  option external-check\n  external-check command /usr/local/bin/check --fast\n"
		  "  # external-check command /commented\n  command not-a-program\n"
		  "program dataplane\n  command /usr/bin/dataplaneapi -f /etc/dp.yaml # comment\n  no option start-on-reload\n"
		  "frontend web\n  command also-not\n" },
		{ "/opt/conf.d/a.cfg", "program x\n  command /opt/x\n" },
		{ "/opt/conf.d/b.txt", "program y\n  command /opt/y\n" },
		{ NULL, NULL },
	};
	static const char *const argv[] = { "haproxy", "-W", "-db", "-f", "/opt/conf.d" };
	char *got;

	(void)state;
	got = find(CONFPROGS_HAPROXY, files, NULL, 0, NULL, 0);
	assert_string_equal(got, "/usr/local/bin/check --fast|exec\n/usr/bin/dataplaneapi -f /etc/dp.yaml|exec\n");
	free(got);
	/* -f FOLDER: its .cfg files */
	got = find(CONFPROGS_HAPROXY, files, argv, 5, NULL, 0);
	assert_string_equal(got, "/opt/x|exec\n");
	free(got);
}

static void test_postfix(void **state)
{
	static const struct memfile files[] = {
		{ "/etc/postfix/main.cf", "myhostname = x\ndaemon_directory = /usr/libexec/pf\n#daemon_directory = /no\n" },
		{ "/etc/postfix/master.cf",
		  "# service type  private unpriv  chroot  wakeup  maxproc command + args\n"
		  "smtp      inet  n       -       y       -       -       smtpd\n"
		  "  -o syslog_name=postfix/smtp\n"
		  "#submission inet n       -       y       -       -       smtpd\n"
		  "maildrop  unix  -       n       n       -       -       pipe\n"
		  "  flags=DRXhu user=vmail argv=/usr/bin/maildrop -d ${recipient}\n"
		  "policy    unix  -       n       n       -       0       spawn user=nobody argv=/usr/bin/policyd\n"
		  "custom    unix  -       n       n       -       -       /opt/bin/custom\n" },
		{ "/srv/pf/master.cf", "smtp inet n - y - - smtpd\n" },
		{ NULL, NULL },
	};
	static const char *const env[] = { "MAIL_CONFIG=/srv/pf" };
	char *got;

	(void)state;
	got = find(CONFPROGS_POSTFIX, files, NULL, 0, NULL, 0);
	assert_string_equal(got, "/usr/libexec/pf/master|file\n/usr/libexec/pf/postfix-script|file\n"
				 "/usr/libexec/pf/postfix-tls-script|file\n/usr/libexec/pf/postfix-wrapper|file\n"
				 "/usr/libexec/pf/postmulti-script|file\n/usr/libexec/pf/post-install|file\n"
				 "/usr/libexec/pf/smtpd|file\n/usr/libexec/pf/pipe|file\n"
				 "/usr/bin/maildrop -d ${recipient}|exec\n/usr/bin/policyd|exec\n"
				 "/usr/libexec/pf/spawn|file\n/opt/bin/custom|file\n");
	free(got);
	/* MAIL_CONFIG: that folder's master.cf; no main.cf there: the packages' daemon folders */
	got = find(CONFPROGS_POSTFIX, files, NULL, 0, env, 1);
	assert_non_null(strstr(got, "/usr/lib/postfix/sbin/smtpd|file\n"));
	assert_non_null(strstr(got, "/usr/libexec/postfix/smtpd|file\n"));
	assert_null(strstr(got, "maildrop"));
	free(got);
}

/* Includes of themselves, a missing file, binary junk: bounded, no crash. */
static void test_hostile(void **state)
{
	static const struct memfile files[] = {
		{ "/etc/lighttpd/lighttpd.conf", "include \"lighttpd.conf\"\ninclude_shell \"a\" + \ninclude \"" },
		{ "/etc/h2o/h2o.conf", "a: !file h2o.conf\naccess-log: \"|unterminated\nfastcgi.spawn:\n" },
		{ "/etc/supervisor/supervisord.conf",
		  "[include]\nfiles=supervisord.conf\n[program:x\ncommand=%(ENV_NONE)s/x %(bad\n\n[" },
		{ "/etc/apache2/apache2.conf", "Include apache2.conf\nInclude /etc\nErrorLog \"|\nCustomLog \\\n\\" },
		/* HAProxy: a command with no value, an unterminated quote, a program section with no name. */
		{ "/etc/haproxy/haproxy.cfg",
		  "backend b\n  external-check command\n  external-check command \"/x y\nprogram\n  command\n"
		  "program p\n  command \t \\\nprogram q\n  command /ok\n" },
		/* Postfix: a daemon_directory of itself, continuation lines with no service, short service lines. */
		{ "/etc/postfix/main.cf", "daemon_directory = $daemon_directory\ndaemon_directory\n = \n" },
		{ "/etc/postfix/master.cf",
		  "  -o orphan=continuation\nsmtp inet n\nx unix - n n - - pipe argv=\n"
		  "y unix - n n - - pipe\n  argv=\nz unix - n n - - /opt/z\n  -o a=b\n\t\n" },
		{ NULL, NULL },
	};
	char *got;

	(void)state;
	got = find(CONFPROGS_LIGHTTPD, files, NULL, 0, NULL, 0);
	assert_non_null(strstr(got, "a|shell\n"));
	free(got);
	got = find(CONFPROGS_H2O, files, NULL, 0, NULL, 0);
	assert_non_null(strstr(got, "unterminated|shell\n"));
	free(got);
	got = find(CONFPROGS_SUPERVISORD, files, NULL, 0, NULL, 0);
	free(got);
	got = find(CONFPROGS_APACHE, files, NULL, 0, NULL, 0);
	free(got);
	got = find(CONFPROGS_HAPROXY, files, NULL, 0, NULL, 0);
	assert_non_null(strstr(got, "/ok|exec\n"));
	free(got);
	got = find(CONFPROGS_POSTFIX, files, NULL, 0, NULL, 0);
	assert_non_null(strstr(got, "/opt/z|file\n"));
	free(got);
	assert_int_equal(confprogs_server_script("/usr/local/bin/supervisord"), CONFPROGS_SUPERVISORD);
	assert_int_equal(confprogs_server_script("/usr/bin/supervisorctl"), CONFPROGS_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lighttpd),
		cmocka_unit_test(test_h2o),
		cmocka_unit_test(test_supervisord),
		cmocka_unit_test(test_apache),
		cmocka_unit_test(test_haproxy),
		cmocka_unit_test(test_postfix),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
