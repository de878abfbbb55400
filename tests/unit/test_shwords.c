/* The programs a shell script runs, read from its text (analysis/shwords). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/shwords.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static const struct {
	const char *what, *script, *want; /* want: the names joined with ' ' */
} cases[] = {
	{ "simple commands and separators", "mkdir -p /x; chown a /x && chmod 700 /x || rm -f /x\nls | sort &\n",
	  "mkdir chown chmod rm ls sort" },
	{ "builtins, reserved words, assignments", "set -e\nA=1 B=2 nginx -t\nif [ -n \"$A\" ]; then echo x; fi\n"
						   "while read l; do cat; done\ntest -f x && true\n",
	  "nginx cat" },
	{ "wrappers: exec, gosu, env, timeout, nice, command", "exec gosu postgres \"$@\"\nexec gosu redis redis-server\n"
								"env -i A=1 PATH=/bin /usr/bin/id\ntimeout -s KILL 5 sleep 9\nnice -n 5 tar cf x .\n"
								"command -v curl >/dev/null\ncommand wget x\n",
	  "gosu redis-server env /usr/bin/id timeout sleep nice tar wget" },
	{ "command substitutions, also in double quotes and assignments",
	  "uid=\"$(id -u)\"\nlocal d=$(dirname \"$0\")\necho \"`hostname` $(( 1 + 2 ))\"\nx=${y:-$(whoami)}\n",
	  "id dirname hostname whoami" },
	{ "functions the script defines are not programs",
	  "setup_db() {\n  initdb -D /d\n}\nfunction start { pg_ctl start; }\nsetup_db\nstart\n", "initdb pg_ctl" },
	{ "case branches; patterns are not commands",
	  "case \"$1\" in\n  start|run) exec nginx ;;\n  (stop) nginx -s stop;;\n  *) usage\nesac\nfind / -name x\n",
	  "nginx usage find" },
	{ "here-documents, comments, quoted and expanded words",
	  "# cp is mentioned here\ncat <<EOF\nrm -rf /\nEOF\ncat <<-'X'\n\tsed\n\tX\n\"$cmd\" arg\n$HOME/bin/x\n/docker-entrypoint.d/*.sh\n"
	  "'quoted' a\necho 'a; mv b'\nawk '{ print }'\n\"/usr/bin/java\" -version\n'echo' x\n",
	  "cat awk quoted /usr/bin/java" },
	{ "eval parses a word again: its value's first word is the command",
	  "eval exec \"\\\"/usr/bin/java\\\"\" -Dx \"\\\"$y\\\"\"\neval 'nice ls -l'\neval set -- a\neval \"$(resize)\"\n",
	  "resize nice ls /usr/bin/java" },
	{ "sh -c STRING, bash -ec STRING, su USER -c STRING: the string's commands run too",
	  "sh -c 'exec nginx -g \"daemon off;\"'\nbash -ec \"mkdir -p /d && chown x /d\"\n"
	  "su -s /bin/sh postgres -c 'pg_ctl start'\n/bin/dash /run.sh arg -c notastring\nsh -x -- -c\n",
	  "sh bash su /bin/dash nginx mkdir chown pg_ctl" },
	{ "redirections and their targets", "grep x 2>&1 >/dev/null < in.txt\n>out date\nsort <<< \"$x\"\n",
	  "grep date sort" },
	{ "subshells, groups, pipes", "(cd /a && make) | tee log\n{ true; uname; }\n", "make tee uname" },
	{ "for loops: the words are not commands", "for f in a b c; do stat \"$f\"; done\nfor x do touch x; done\n",
	  "stat touch" },
	{ "a nested substitution closes at its own parenthesis", "x=$( (cd /; pwd) ; basename /a )\nhead -1 f\n",
	  "basename head" },
	{ "line continuations", "apt-get \\\n  install x && \\\n  rm -rf /var/lib/apt\n", "apt-get rm" },
	{ "an unterminated quote or substitution ends the text", "echo \"abc $(date\n", "date" },
	{ "empty", "", "" },
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char **v;
		size_t n = shwords_commands(cases[c].script, strlen(cases[c].script), &v);
		struct strbuf sb = STRBUF_INIT;

		for (size_t i = 0; i < n; i++)
			strbuf_addf(&sb, "%s%s", i ? " " : "", v[i]);
		if (strcmp(sb.buf ? sb.buf : "", cases[c].want))
			fail_msg("%s:\n  got  '%s'\n  want '%s'", cases[c].what, sb.buf ? sb.buf : "", cases[c].want);
		strbuf_release(&sb);
		free_strv(v, n);
	}
}

/* Hostile text: deep nesting, many here-documents, binary bytes, huge counts stay bounded. */
static void test_hostile(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char **v;
	size_t n;

	(void)state;
	for (int i = 0; i < 100000; i++) /* more commands than the cap */
		strbuf_addf(&sb, ";p%d", i);
	strbuf_addch(&sb, '\0');
	strbuf_addstr(&sb, "\xff\xfe; true\n");
	for (int i = 0; i < 10000; i++)
		strbuf_addstr(&sb, "$(`${");
	strbuf_addstr(&sb, "ls\n");
	for (int i = 0; i < 10000; i++) /* here-documents whose delimiter never comes */
		strbuf_addf(&sb, "cmd%d <<A <<B <<C <<D <<E\n", i);
	n = shwords_commands(sb.buf, sb.len, &v);
	assert_int_equal(n, SHWORDS_MAX);
	assert_string_equal(v[0], "p0");
	free_strv(v, n);
	strbuf_release(&sb);
	/* Here-documents started inside a here-document's delimiter word: still at most 4 kept. */
	for (int i = 0; i < 8; i++)
		strbuf_addstr(&sb, "cat <<A$(cat <<B$(cat <<C$(cat <<D$(cat <<E))))) ");
	strbuf_addstr(&sb, "\nid\n");
	n = shwords_commands(sb.buf, sb.len, &v);
	assert_true(n >= 1);
	free_strv(v, n);
	strbuf_release(&sb);
		/* A NUL byte in a command word: that word names nothing. */
	n = shwords_commands("ls\0x; date", 10, &v);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "date");
	free_strv(v, n);
		/* The nesting alone: bounded, and what follows it still read. */
	for (int i = 0; i < 10000; i++)
		strbuf_addstr(&sb, "$(`${\"");
	strbuf_addstr(&sb, "ls");
	n = shwords_commands(sb.buf, sb.len, &v);
	assert_true(n <= 1);
	free_strv(v, n);
	strbuf_release(&sb);
}

static char *fake_read(void *arg, const char *path, size_t *len)
{
	const char *const *files = arg; /* path, text, path, text ..., NULL */

	for (size_t i = 0; files[i]; i += 2)
		if (!strcmp(files[i], path)) {
			*len = strlen(files[i + 1]);
			return xstrdup(files[i + 1]);
		}
	return NULL;
}

static char *joined(const char *script, const struct shwords_env *e)
{
	struct strbuf sb = STRBUF_INIT;
	char **v;
	size_t n = shwords_commands_env(script, strlen(script), e, &v);

	strbuf_addstr(&sb, "");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? "|" : "", v[i]);
	free_strv(v, n);
	return strbuf_detach(&sb, NULL);
}

/* Command words that expand variables name what the variables can hold. */
static void test_variables(void **state)
{
	static char *const env[] = { "PATH=/usr/sbin:/usr/bin", "APP=/srv/app", "PY=python3.11" };
	static const char *const files[] = {
		"/etc/apache2/envvars", "export APACHE_RUN_USER=www-data\nWORKER=/usr/lib/worker\nmkdir -p /run/a\n",
		"/etc/default/loop", ". /etc/default/loop\nLOOPED=/bin/looped\n",
		NULL,
	};
	struct shwords_env e = { env, 3, fake_read, (void *)files };
	struct shwords_env no_env = { NULL, 0, NULL, NULL };
	char *got;

	(void)state;
	/* apache2ctl: a default, an unquoted value split into fields, a sourced file. */
	got = joined("APACHE_CONFDIR=/etc/apache2\n. $APACHE_CONFDIR/envvars\nHTTPD=${APACHE_HTTPD:-/usr/sbin/apache2}\n"
		     "LYNX=\"${APACHE_LYNX:-www-browser -dump}\"\n$HTTPD -k start\n$LYNX http://x/\nexec \"$WORKER\" -d\n",
		     &e);
	assert_string_equal(got, "mkdir|/usr/sbin/apache2|www-browser|/usr/lib/worker");
	free(got);
	/* The environment's value, and the default too (the variable may be empty). */
	got = joined("exec ${APP:-/usr/bin/app} \"$PY\" ${NOPE:+/never} ${UNSET:=/bin/fallback}\n", &e);
	assert_string_equal(got, "/srv/app|/usr/bin/app");
	free(got);
	got = joined("\"$PY\" -m x\n${UNSET:=/bin/fallback} y\nexport TOOL='/opt/t' MODE=1\n$TOOL\n", &e);
	assert_string_equal(got, "python3.11|/bin/fallback|/opt/t");
	free(got);
	/* What only the run can tell names nothing: $(...), $1, ${X#p}, `...`, $HOME (the runtime sets it). */
	got = joined("$(which nginx) a\n$1\n\"$@\"\n${APP#/srv}\n`uname -m`\n$HOME/bin/x\n${#APP}\n$UNSET\n", &e);
	assert_string_equal(got, "which|uname");
	free(got);
	/* Concatenation; several assignments; a variable defined by another. */
	got = joined("D=/opt/a\nD=/opt/b\nB=$D/bin\n$B/run\n", &e);
	assert_string_equal(got, "/opt/a/bin/run|/opt/b/bin/run");
	free(got);
	/* A file sourcing itself is read once; a relative or unknown path is not read. */
	got = joined(". /etc/default/loop\n. ./rel\n. $(pick)\n$LOOPED\n", &e);
	assert_string_equal(got, "pick|/bin/looped");
	free(got);
	/* Without an environment a variable is unknown, but what the script assigns counts. */
	got = joined("X=/bin/foo\n$X\n$Y/bin/z\n", &no_env);
	assert_string_equal(got, "/bin/foo");
	free(got);
	got = joined("X=/bin/foo\n$X\n", NULL);
	assert_string_equal(got, "/bin/foo");
	free(got);
}

/* Variables defined by themselves, many times over: bounded work, bounded output. */
static void test_variables_hostile(void **state)
{
	static char *const env[] = { "A=a" };
	struct shwords_env e = { env, 1, NULL, NULL };
	struct strbuf sb = STRBUF_INIT;
	char **v;
	size_t n;

	(void)state;
	for (int i = 0; i < 600; i++)
		strbuf_addstr(&sb, "A=$A$A$A$A${A:-$A$A}\"$A\"\n");
	for (int i = 0; i < 600; i++)
		strbuf_addf(&sb, "$A%d\n${A:-${A:-${A:-${A}}}}\n", i);
	n = shwords_commands_env(sb.buf, sb.len, &e, &v);
	assert_true(n <= SHWORDS_MAX);
	free_strv(v, n);
	strbuf_release(&sb);
	/* 16 values joined with 16, hundreds of times a word, in every command. */
	for (int i = 0; i < 16; i++)
		strbuf_addf(&sb, "V=%c\n", 'a' + i);
	for (int i = 0; i < 512; i++) {
		for (int k = 0; k < 200; k++)
			strbuf_addstr(&sb, k % 2 ? "$V" : "'x'");
		strbuf_addstr(&sb, "\n");
	}
	n = shwords_commands_env(sb.buf, sb.len, &e, &v);
	assert_true(n <= SHWORDS_MAX);
	free_strv(v, n);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_variables_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
