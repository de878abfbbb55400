/*
 * Where runtimes load modules from (runtimes.c): the JDK, Python, servers
 * and Node, on a root held in memory (a list of files) behind the same
 * root_reader the loaders use.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/runtimes.h"
#include "util/path.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* A root: its files (folders are implied), and jvm.cfg's text wherever one is read. */
struct memroot {
	const char *const *files;
	const char *jvm_cfg;
	const char *text_path, *text; /* one more file mem_read gives, or NULL */
};

static size_t count(const char *const *v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *mem_read(const void *ctx, const char *path, size_t cap, size_t *len)
{
	const struct memroot *r = ctx;
	const char *text = NULL;

	(void)cap;
	if (r->text_path && !strcmp(path, r->text_path))
		text = r->text;
	for (size_t i = 0; !text && r->files[i]; i++)
		if (!strcmp(r->files[i], path) && str_has_suffix(path, "/jvm.cfg"))
			text = r->jvm_cfg ? r->jvm_cfg : "";
	if (text && len)
		*len = strlen(text);
	return text ? xstrdup(text) : NULL;
}

/* The part of 'path' below folder 'dir' ("a/b" for "DIR/a/b"), or NULL. */
static const char *below(const char *path, const char *dir)
{
	size_t l = strcmp(dir, "/") ? strlen(dir) : 0;

	return !strncmp(path, dir, l) && path[l] == '/' && path[l + 1] ? path + l + 1 : NULL;
}

static size_t finish(char **v, size_t nr, char ***paths)
{
	if (nr)
		qsort(v, nr, sizeof(*v), cmp_cstr);
	*paths = v;
	return nr;
}

static size_t mem_list(const void *ctx, const char *dir, char ***paths)
{
	const struct memroot *r = ctx;
	char **v = NULL;
	size_t nr = 0, alloc = 0;

	for (size_t i = 0; r->files[i]; i++) {
		const char *rest = below(r->files[i], dir);
		char *entry;
		bool dup = false;

		if (!rest)
			continue;
		entry = xasprintf("%s/%.*s", strcmp(dir, "/") ? dir : "", (int)strcspn(rest, "/"), rest);
		for (size_t k = 0; k < nr && !dup; k++)
			dup = !strcmp(v[k], entry);
		if (dup) {
			free(entry);
			continue;
		}
		ALLOC_GROW(v, nr + 1, alloc);
		v[nr++] = entry;
	}
	return finish(v, nr, paths);
}

static unsigned walks; /* mem_walk() calls */

static size_t mem_walk(const void *ctx, const char *dir, unsigned depth, const char *suffix, char ***paths)
{
	const struct memroot *r = ctx;
	char **v = NULL;
	size_t nr = 0, alloc = 0;

	walks++;

	for (size_t i = 0; r->files[i]; i++) {
		const char *rest = below(r->files[i], dir);
		unsigned level = 0;

		if (!rest || !str_has_suffix(rest, suffix))
			continue;
		for (const char *c = rest; *c; c++)
			level += *c == '/';
		if (level >= depth)
			continue;
		ALLOC_GROW(v, nr + 1, alloc);
		v[nr++] = xstrdup(r->files[i]);
	}
	return finish(v, nr, paths);
}

static const struct {
	const char *what;
	const char *const *files;
	const char *jvm_cfg;
	const char *given;
	const char *const *objects; /* [0] the program */
	unsigned marks[4];
	bool whole_root;
	const char *want; /* "why:path" joined with ' ', in order */
	const char *ossl[2]; /* ENGINESDIR, MODULESDIR of the objects marked RUNTIMES_OPENSSL */
} cases[] = {
	{ "jdk 17: the KNOWN JVMs, then lib's objects",
	  (const char *const[]){ "/j/lib/jvm.cfg", "/j/lib/libjli.so", "/j/lib/libnet.so", "/j/lib/server/libjvm.so",
				 "/j/lib/notes.txt", NULL },
	  "-server KNOWN\n-client IGNORE\n", "/j/bin/java", (const char *const[]){ "/j/bin/java", "/j/lib/libjli.so", NULL },
	  { 0, RUNTIMES_JLI }, false,
	  "jdk:/j/lib/server/libjvm.so jdk:/j/lib/libjli.so jdk:/j/lib/libnet.so", { NULL, NULL } },
	{ "jdk 8: libjli in LIB/jli",
	  (const char *const[]){ "/j/lib/amd64/jvm.cfg", "/j/lib/amd64/jli/libjli.so", "/j/lib/amd64/libjava.so", NULL },
	  "-server KNOWN\n", "/j/bin/java",
	  (const char *const[]){ "/j/bin/java", "/j/lib/amd64/jli/libjli.so", NULL }, { 0, RUNTIMES_JLI }, false,
	  "jdk:/j/lib/amd64/server/libjvm.so jdk:/j/lib/amd64/libjava.so", { NULL, NULL } },
	{ "a libjli elsewhere is not a JDK's without the mark",
	  (const char *const[]){ "/j/lib/jvm.cfg", "/j/lib/libjli.so", NULL }, "-server KNOWN\n", "/j/bin/java",
	  (const char *const[]){ "/j/bin/java", "/j/lib/libjli.so", NULL }, { 0, 0 }, false, "", { NULL, NULL } },
	{ "python: venv prefix, real prefix, /usr, Debian's dist-packages only",
	  (const char *const[]){ "/opt/venv/lib/python3.11/site-packages/pkg/sub/a.so",
				 "/opt/py/lib/python3.11/lib-dynload/b.cpython-311-x86_64-linux-gnu.so",
				 "/usr/lib/python3/dist-packages/c.so", "/usr/lib/python3/site-packages/no.so",
				 "/usr/local/lib/python3.11/dist-packages/d.so", "/usr/lib/other/no.so",
				 "/opt/venv/lib/python3.11/site-packages/readme.txt", NULL },
	  NULL, "/opt/venv/bin/python3", (const char *const[]){ "/opt/py/bin/python3.11", NULL },
	  { RUNTIMES_PYTHON }, false,
	  "python:/opt/venv/lib/python3.11/site-packages/pkg/sub/a.so "
	  "python:/opt/py/lib/python3.11/lib-dynload/b.cpython-311-x86_64-linux-gnu.so "
	  "python:/usr/lib/python3/dist-packages/c.so python:/usr/local/lib/python3.11/dist-packages/d.so", { NULL, NULL } },
	{ "python marked on a library (an embedding program)",
	  (const char *const[]){ "/usr/lib/python3.11/lib-dynload/e.so", NULL }, NULL, "/usr/bin/app",
	  (const char *const[]){ "/usr/bin/app", "/usr/lib/libpython3.11.so.1.0", NULL }, { 0, RUNTIMES_PYTHON },
	  false, "python:/usr/lib/python3.11/lib-dynload/e.so", { NULL, NULL } },
	{ "nginx: its module folders, one level",
	  (const char *const[]){ "/usr/lib/nginx/modules/m.so", "/usr/lib/nginx/modules/sub/n.so",
				 "/usr/lib/apache2/modules/mod_x.so", NULL },
	  NULL, "/usr/sbin/nginx", (const char *const[]){ "/usr/sbin/nginx", NULL }, { RUNTIMES_NGINX }, false,
	  "module:/usr/lib/nginx/modules/m.so", { NULL, NULL } },
	{ "apache",
	  (const char *const[]){ "/usr/lib/nginx/modules/m.so", "/usr/lib/apache2/modules/mod_x.so", NULL }, NULL,
	  "/usr/sbin/apache2", (const char *const[]){ "/usr/sbin/apache2", NULL }, { RUNTIMES_APACHE }, false,
	  "module:/usr/lib/apache2/modules/mod_x.so", { NULL, NULL } },
	{ "sasl: every plugin in the plugin folders, one level",
	  (const char *const[]){ "/usr/lib/x86_64-linux-gnu/sasl2/libplain.so", "/usr/lib/x86_64-linux-gnu/sasl2/libplain.so.2",
				 "/usr/lib/sasl2/libsasldb.so", "/usr/lib/sasl2/old/libx.so", "/etc/sasl2/no.so", NULL },
	  NULL, "/usr/sbin/saslpasswd2",
	  (const char *const[]){ "/usr/sbin/saslpasswd2", "/usr/lib/x86_64-linux-gnu/libsasl2.so.2", NULL },
	  { 0, RUNTIMES_SASL }, false,
	  "sasl:/usr/lib/x86_64-linux-gnu/sasl2/libplain.so sasl:/usr/lib/sasl2/libsasldb.so", { NULL, NULL } },
	{ "postgres: PREFIX/lib when the path names postgres, with plugins/",
	  (const char *const[]){ "/usr/lib/postgresql/15/lib/plpgsql.so", "/usr/lib/postgresql/15/lib/plugins/ae.so",
				 "/usr/lib/postgresql/15/lib/pgxs/src/x.so", "/usr/lib/postgresql/15/lib/postgresql/no.so",
				 NULL },
	  NULL, "/usr/lib/postgresql/15/bin/postgres", (const char *const[]){ "/usr/lib/postgresql/15/bin/postgres", NULL },
	  { RUNTIMES_POSTGRES }, false,
	  "postgres:/usr/lib/postgresql/15/lib/plpgsql.so postgres:/usr/lib/postgresql/15/lib/plugins/ae.so "
	  "postgres:/usr/lib/postgresql/15/lib/postgresql/no.so", { NULL, NULL } },
	{ "postgres: PREFIX/lib/postgresql otherwise",
	  (const char *const[]){ "/usr/local/lib/postgresql/plpgsql.so", "/usr/local/lib/libpq.so", NULL }, NULL,
	  "/usr/local/bin/postgres", (const char *const[]){ "/usr/local/bin/postgres", NULL }, { RUNTIMES_POSTGRES },
	  false, "postgres:/usr/local/lib/postgresql/plpgsql.so", { NULL, NULL } },
	{ "xtables: the extension folders, one level",
	  (const char *const[]){ "/usr/lib/x86_64-linux-gnu/xtables/libxt_bpf.so", "/usr/lib/xtables/libipt_x.so",
				 "/usr/lib/xtables/a/libxt_no.so", NULL },
	  NULL, "/usr/sbin/xtables-nft-multi",
	  (const char *const[]){ "/usr/sbin/xtables-nft-multi", "/usr/lib/x86_64-linux-gnu/libxtables.so.12", NULL },
	  { 0, RUNTIMES_XTABLES }, false,
	  "xtables:/usr/lib/x86_64-linux-gnu/xtables/libxt_bpf.so xtables:/usr/lib/xtables/libipt_x.so", { NULL, NULL } },
	{ "sudo: its plugin folder, one level",
	  (const char *const[]){ "/usr/libexec/sudo/sudoers.so", "/usr/libexec/sudo/sesh", "/usr/lib/sudo/old.so",
				 "/usr/libexec/sudo/x/no.so", NULL },
	  NULL, "/usr/bin/sudo", (const char *const[]){ "/usr/bin/sudo", NULL }, { RUNTIMES_SUDO }, false,
	  "sudo:/usr/libexec/sudo/sudoers.so sudo:/usr/lib/sudo/old.so", { NULL, NULL } },
	{ "lua: the cpath folders, four levels down",
	  (const char *const[]){ "/usr/lib/x86_64-linux-gnu/lua/5.3/posix.so", "/usr/local/lib/lua/5.4/posix/sys/stat.so",
				 "/usr/local/lib/lua/5.4/a/b/c/deep.so", "/usr/local/openresty/lualib/cjson.so",
				 "/usr/lib/lua/x.lua", NULL },
	  NULL, "/usr/bin/lua5.3", (const char *const[]){ "/usr/bin/lua5.3", NULL }, { RUNTIMES_LUA }, false,
	  "lua:/usr/local/lib/lua/5.4/posix/sys/stat.so lua:/usr/lib/x86_64-linux-gnu/lua/5.3/posix.so "
	  "lua:/usr/local/openresty/lualib/cjson.so", { NULL, NULL } },
	{ "php: PREFIX/lib/php three levels down, for its prefix, /usr and /usr/local",
	  (const char *const[]){ "/usr/lib/php/20220829/posix.so", "/usr/local/lib/php/extensions/nd-2022/opcache.so",
				 "/opt/php/lib/php/ext.so", "/usr/lib/php/a/b/c/deep.so", "/usr/lib/other.so", NULL },
	  NULL, "/opt/php/bin/php", (const char *const[]){ "/opt/php/bin/php", NULL }, { RUNTIMES_PHP }, false,
	  "php:/opt/php/lib/php/ext.so php:/usr/lib/php/20220829/posix.so "
	  "php:/usr/local/lib/php/extensions/nd-2022/opcache.so", { NULL, NULL } },
	{ "node, whole root: every .node but /proc's, /sys's and /dev's",
	  (const char *const[]){ "/app/node_modules/a/build/Release/a.node", "/proc/1/x.node", "/sys/y.node",
				 "/dev/z.node", "/srv/w/node_modules/b/node_modules/c/c.node", "/opt/lib.so",
				 "/top.node", NULL },
	  NULL, "/usr/bin/node", (const char *const[]){ "/usr/bin/node", NULL }, { RUNTIMES_NODE }, true,
	  "node:/app/node_modules/a/build/Release/a.node node:/srv/w/node_modules/b/node_modules/c/c.node", { NULL, NULL } },
	{ "node, host: the prefixes' and the global folders",
	  (const char *const[]){ "/app/node_modules/a/a.node", "/opt/node/lib/node_modules/b/b.node",
				 "/usr/lib/nodejs/c/c.node", "/usr/local/lib/node_modules/d/build/d.node",
				 "/usr/lib/x86_64-linux-gnu/nodejs/e/e.node", NULL },
	  NULL, "/opt/node/bin/node", (const char *const[]){ "/opt/node/bin/node", "/usr/lib/libnode.so.108", NULL },
	  { 0, RUNTIMES_NODE }, false,
	  "node:/opt/node/lib/node_modules/b/b.node node:/usr/local/lib/node_modules/d/build/d.node "
	  "node:/usr/lib/nodejs/c/c.node node:/usr/lib/x86_64-linux-gnu/nodejs/e/e.node", { NULL, NULL } },
	{ "several runtimes: JDK, Python, servers, Node, each path once",
	  (const char *const[]){ "/j/lib/jvm.cfg", "/j/lib/libjli.so", "/usr/lib/python3/dist-packages/p.so",
				 "/usr/lib/nginx/modules/m.so", "/usr/lib/nodejs/n.node", NULL },
	  "", "/usr/bin/x",
	  (const char *const[]){ "/usr/bin/x", "/j/lib/libjli.so", "/j/lib/libjli.so", NULL },
	  { RUNTIMES_NODE | RUNTIMES_NGINX, RUNTIMES_JLI, RUNTIMES_JLI | RUNTIMES_PYTHON }, false,
	  "jdk:/j/lib/libjli.so python:/usr/lib/python3/dist-packages/p.so module:/usr/lib/nginx/modules/m.so "
	  "node:/usr/lib/nodejs/n.node", { NULL, NULL } },
	{ "openssl: engines and providers from the folders compiled in, one level",
	  (const char *const[]){ "/usr/lib/x86_64-linux-gnu/engines-3/afalg.so",
				 "/usr/lib/x86_64-linux-gnu/engines-3/sub/no.so",
				 "/usr/lib/x86_64-linux-gnu/ossl-modules/legacy.so", "/usr/lib/ssl/engines/no.so", NULL },
	  NULL, "/usr/bin/openssl",
	  (const char *const[]){ "/usr/bin/openssl", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3", NULL },
	  { 0, RUNTIMES_OPENSSL }, false,
	  "openssl:/usr/lib/x86_64-linux-gnu/engines-3/afalg.so openssl:/usr/lib/x86_64-linux-gnu/ossl-modules/legacy.so",
	  { "/usr/lib/x86_64-linux-gnu/engines-3", "/usr/lib/x86_64-linux-gnu/ossl-modules" } },
	{ "openssl without folders (strings not found)",
	  (const char *const[]){ "/usr/lib/x86_64-linux-gnu/engines-3/afalg.so", NULL }, NULL, "/usr/bin/openssl",
	  (const char *const[]){ "/usr/bin/openssl", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3", NULL },
	  { 0, RUNTIMES_OPENSSL }, false, "", { NULL, NULL } },
	{ "no runtime", (const char *const[]){ "/usr/lib/nodejs/n.node", "/usr/lib/python3/dist-packages/p.so", NULL },
	  NULL, "/usr/bin/true", (const char *const[]){ "/usr/bin/true", NULL }, { 0 }, true, "", { NULL, NULL } },
};

/* The modules runtimes_find() gives p, as "why:path" joined with ' ', must be 'want'. */
static void check(const char *what, const struct root_reader *rr, const struct runtimes_process *p, const char *want)
{
	struct runtimes_module *mods;
	struct strbuf sb = STRBUF_INIT;
	size_t n = runtimes_find(rr, p, &mods);

	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s:%s", i ? " " : "", analysis_load_name(mods[i].why), mods[i].path);
	if (strcmp(sb.buf ? sb.buf : "", want))
		fail_msg("%s:\n  got  '%s'\n  want '%s'", what, sb.buf ? sb.buf : "", want);
	strbuf_release(&sb);
	runtimes_release(mods, n);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		const struct memroot root = { .files = cases[c].files, .jvm_cfg = cases[c].jvm_cfg };
		const struct root_reader rr = { mem_read, mem_list, mem_walk, &root };
		size_t nr = count(cases[c].objects);
		struct runtimes_object info[4] = { 0 };
		const struct runtimes_object *objs[4];
		const struct runtimes_process p = { .given = cases[c].given, .paths = cases[c].objects, .objs = objs,
						    .nr = nr, .whole_root = cases[c].whole_root };

		assert_true(nr <= 4);
		for (size_t i = 0; i < nr; i++) {
			info[i].marks = cases[c].marks[i];
			for (size_t d = 0; d < 2 && (info[i].marks & RUNTIMES_OPENSSL); d++)
				info[i].dirs[d] = (char *)cases[c].ossl[d];
			objs[i] = &info[i];
		}
		check(cases[c].what, &rr, &p, cases[c].want);
	}
}

/*
 * Variables of the process's environment that move the folders: PYTHONPATH
 * and PYTHONHOME, OPENSSL_ENGINES and OPENSSL_MODULES, SASL_PATH, Lua's
 * LUA_CPATH templates; relative folders are the working folder's.
 */
static void test_env(void **state)
{
	static const char *const files[] = {
		"/opt/py/a.so", "/opt/py/pkg/sub/b.so", "/app/lib/c.so", "/home/lib/python3.11/lib-dynload/d.so",
		"/opt/eng/e.so", "/opt/prov/p.so", "/opt/prov/sub/deep.so", "/opt/sasl/s.so", "/srv/sasl/t.so",
		"/opt/lua/5.4/m.so", "/opt/lua/x/y/z.so", "/app/l.so", "/opt/luajit/j.so", "/opt/other/o.so", NULL,
	};
	const struct {
		const char *what;
		unsigned marks;
		const char *const *env;
		const char *workdir;
		const char *want;
	} env_cases[] = {
		{ "PYTHONPATH: absolute, tidied, relative to the working folder; empty entries skipped", RUNTIMES_PYTHON,
		  (const char *const[]){ "PYTHONPATH=/opt/py/::./lib//", NULL }, "/app",
		  "python:/opt/py/a.so python:/opt/py/pkg/sub/b.so python:/app/lib/c.so" },
		{ "PYTHONHOME: PREFIX:EXEC_PREFIX are prefixes", RUNTIMES_PYTHON,
		  (const char *const[]){ "PYTHONHOME=/nowhere:/home", NULL }, NULL,
		  "python:/home/lib/python3.11/lib-dynload/d.so" },
		{ "OPENSSL_ENGINES and OPENSSL_MODULES: one folder each, its own files", RUNTIMES_OPENSSL,
		  (const char *const[]){ "OPENSSL_ENGINES=/opt/eng", "OPENSSL_MODULES=/opt/prov", NULL }, NULL,
		  "openssl:/opt/eng/e.so openssl:/opt/prov/p.so" },
		{ "OPENSSL_ENGINES is one folder, not a list", RUNTIMES_OPENSSL,
		  (const char *const[]){ "OPENSSL_ENGINES=/opt/eng:/opt/prov", NULL }, NULL, "" },
		{ "SASL_PATH: a list", RUNTIMES_SASL, (const char *const[]){ "SASL_PATH=/opt/sasl:/srv/sasl", NULL }, NULL,
		  "sasl:/opt/sasl/s.so sasl:/srv/sasl/t.so" },
		{ "LUA_CPATH templates: the folder before '?', four levels, the ending after it", RUNTIMES_LUA,
		  (const char *const[]){ "LUA_CPATH_5_4=/opt/lua/?.so;;./?.so", "LUA_CPATH=/opt/luajit/?.so", NULL }, "/app",
		  "lua:/opt/lua/5.4/m.so lua:/opt/lua/x/y/z.so lua:/app/l.so lua:/app/lib/c.so lua:/opt/luajit/j.so" },
		{ "a variable counts only for its runtime", RUNTIMES_NODE,
		  (const char *const[]){ "PYTHONPATH=/opt/py", "SASL_PATH=/opt/sasl", "OPENSSL_ENGINES=/opt/eng",
					 "LUA_CPATH=/opt/lua/?.so", NULL },
		  NULL, "" },
		{ "the last definition wins", RUNTIMES_SASL,
		  (const char *const[]){ "SASL_PATH=/opt/other", "SASL_PATH=/srv/sasl", NULL }, NULL, "sasl:/srv/sasl/t.so" },
	};

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(env_cases); c++) {
		const struct memroot root = { .files = files, .jvm_cfg = NULL };
		const struct root_reader rr = { mem_read, mem_list, mem_walk, &root };
		const char *const objs[] = { "/usr/bin/prog" };
		const struct runtimes_object prog = { env_cases[c].marks, { NULL, NULL }, NULL };
		const struct runtimes_object *const info[] = { &prog };
		size_t env_nr = count(env_cases[c].env);
		const struct runtimes_process p = { .given = "/usr/bin/prog", .paths = objs, .objs = info, .nr = 1,
						    .env = (char *const *)env_cases[c].env, .env_nr = env_nr,
						    .workdir = env_cases[c].workdir };

		check(env_cases[c].what, &rr, &p, env_cases[c].want);
	}
}

/*
 * A second round: the objects an earlier one looked at are not looked at
 * again; a runtime only a later object brings (a Python module's
 * libcrypto) is.
 */
static void test_rounds(void **state)
{
	static const char *const files[] = { "/usr/lib/python3/dist-packages/_ssl.so", "/opt/eng/afalg.so",
					     "/usr/lib/erlang/lib/crypto-5/priv/lib/crypto.so", NULL };
	const struct memroot root = { .files = files, .jvm_cfg = NULL };
	const struct root_reader rr = { mem_read, mem_list, mem_walk, &root };
	const char *const objs[] = { "/usr/bin/python3", "/usr/lib/python3/dist-packages/_ssl.so", "/usr/lib/libcrypto.so.3" };
	const struct runtimes_object py = { RUNTIMES_PYTHON, { NULL, NULL }, NULL }, none = { 0, { NULL, NULL }, NULL };
	const struct runtimes_object crypto = { RUNTIMES_OPENSSL, { "/opt/eng", NULL }, NULL };
	const struct runtimes_object *const info[] = { &py, &none, &crypto };
	struct runtimes_process p = { .given = "/usr/bin/python3", .paths = objs, .objs = info, .nr = 1 };

	(void)state;
	check("round 1: python3 alone", &rr, &p, "python:/usr/lib/python3/dist-packages/_ssl.so");
	p.nr = 3;
	p.done = 1;
	check("round 2: the module's libcrypto brings its engines, not python's modules again", &rr, &p,
	      "openssl:/opt/eng/afalg.so");
	p.done = 3;
	check("round 3: nothing new", &rr, &p, "");
}

/* MySQL: each object's own plugin folder, else the packages'; a client library's variables. */
static void test_mysql(void **state)
{
	static const char *const files[] = { "/opt/my/plugin/a.so", "/usr/lib/mysql/plugin/b.so",
					     "/usr/lib64/mysql/plugin/c.so", "/cli/plugin/d.so", "/srv/e.so", NULL };
	const struct memroot root = { .files = files, .jvm_cfg = NULL };
	const struct root_reader rr = { mem_read, mem_list, mem_walk, &root };
	const char *const objs[] = { "/usr/sbin/mysqld", "/usr/lib/libmariadb.so.3" };
	struct runtimes_object server = { RUNTIMES_MYSQL, { NULL, NULL }, "/opt/my/plugin" };
	const struct runtimes_object client = { RUNTIMES_MYSQL_CLIENT, { NULL, NULL }, "/cli/plugin" };
	const struct runtimes_object *const info[] = { &server, &client };
	char *env[] = { "MARIADB_PLUGIN_DIR=/srv", "LIBMYSQL_PLUGIN_DIR=/srv" };
	struct runtimes_process p = { .given = "/usr/sbin/mysqld", .paths = objs, .objs = info, .nr = 1 };

	(void)state;
	check("a server: its own folder", &rr, &p, "mysql:/opt/my/plugin/a.so");
	server.plugin_dir = NULL;
	check("a server naming none: the packages' folders", &rr, &p,
	      "mysql:/usr/lib/mysql/plugin/b.so mysql:/usr/lib64/mysql/plugin/c.so");
	p.nr = 2;
	p.done = 1;
	p.env = env;
	p.env_nr = 2;
	check("a client library: its folder, MARIADB_PLUGIN_DIR, LIBMYSQL_PLUGIN_DIR", &rr, &p,
	      "mysql:/cli/plugin/d.so mysql:/srv/e.so");
}

/* A hostile environment: a variable with a million folders is read for its first 64. */
static void test_env_hostile(void **state)
{
	static const char *const files[] = { "/opt/py/a.so", NULL };
	const struct memroot root = { .files = files, .jvm_cfg = NULL };
	const struct root_reader rr = { mem_read, mem_list, mem_walk, &root };
	const char *const objs[] = { "/usr/bin/prog" };
	const struct runtimes_object prog = { RUNTIMES_PYTHON | RUNTIMES_LUA, { NULL, NULL }, NULL };
	const struct runtimes_object *const info[] = { &prog };
	struct strbuf py = STRBUF_INIT, lua = STRBUF_INIT;
	char *env[2];
	unsigned before;

	(void)state;
	strbuf_addstr(&py, "PYTHONPATH=");
	strbuf_addstr(&lua, "LUA_CPATH=");
	for (int i = 0; i < 1000000; i++) {
		strbuf_addstr(&py, i % 2 ? "../../..:" : "/opt/py::");
		strbuf_addstr(&lua, i % 2 ? "??;" : "/?/?.so;");
	}
	env[0] = py.buf;
	env[1] = lua.buf;
	{
		const struct runtimes_process p = { .given = "/usr/bin/prog", .paths = objs, .objs = info, .nr = 1,
						    .env = env, .env_nr = 2, .workdir = "/" };

		before = walks;
		check("hostile PYTHONPATH and LUA_CPATH", &rr, &p, "python:/opt/py/a.so");
		/* prefixes' lib-dynload folders aside: 64 for each variable */
		assert_true(walks - before <= 64 + 64 + 16);
	}
	strbuf_release(&py);
	strbuf_release(&lua);
}

/*
 * A gdk-pixbuf cache file (GDK_PIXBUF_MODULE_FILE) is untrusted: lines
 * without a closing quote, relative or empty paths, and a million
 * entries give the good lines' loaders only, RUNTIMES_MAX at most.
 */
static void test_pixbuf_cache_hostile(void **state)
{
	static const char *const files[] = { NULL };
	const char *const objs[] = { "/usr/bin/thumb" };
	const struct runtimes_object prog = { RUNTIMES_PIXBUF, { NULL, NULL }, NULL };
	const struct runtimes_object *const info[] = { &prog };
	char *env[] = { "GDK_PIXBUF_MODULE_FILE=cache/loaders.cache" };
	const struct runtimes_process p = { .given = "/usr/bin/thumb", .paths = objs, .objs = info, .nr = 1,
					    .env = env, .env_nr = 1, .workdir = "/srv" };
	struct strbuf text = STRBUF_INIT;
	struct runtimes_module *mods;
	size_t n;

	(void)state;
	strbuf_addstr(&text, "# comment\n\"/\n\"/x.so\n\"\"\n\"rel.so\"\n\"/srv/a//b/../l.so\" more\n\"/a.so\"\n\n\"");
	{
		const struct memroot root = { .files = files, .text_path = "/srv/cache/loaders.cache", .text = text.buf };
		const struct root_reader rr = { mem_read, mem_list, mem_walk, &root };

		check("hostile loaders.cache", &rr, &p, "gdk-pixbuf:/srv/a/b/../l.so gdk-pixbuf:/a.so");
	}
	strbuf_reset(&text);
	for (int i = 0; i < 1000000; i++)
		strbuf_addf(&text, "\"/l/%d.so\"\n", i);
	{
		const struct memroot root = { .files = files, .text_path = "/srv/cache/loaders.cache", .text = text.buf };
		const struct root_reader rr = { mem_read, mem_list, mem_walk, &root };

		n = runtimes_find(&rr, &p, &mods);
		assert_int_equal(n, RUNTIMES_MAX);
		runtimes_release(mods, n);
	}
	strbuf_release(&text);
}

/*
 * slapd's configuration is the image's: comments and unrelated keys are
 * skipped, "{N}" prefixes and .la names handled, relative module paths
 * dropped, and thousands of modulepath and moduleload lines capped.
 */
static void test_slapd_conf_hostile(void **state)
{
	static const char *const files[] = { NULL };
	const char *const objs[] = { "/usr/sbin/slapd" };
	const struct runtimes_object prog = { RUNTIMES_SLAPD, { NULL, NULL }, NULL };
	const struct runtimes_object *const info[] = { &prog };
	const struct runtimes_process p = { .given = "/usr/sbin/slapd", .paths = objs, .objs = info, .nr = 1 };
	struct strbuf text = STRBUF_INIT;
	struct runtimes_module *mods;
	size_t n;

	(void)state;
	strbuf_addstr(&text, "# moduleload back_perl\nmodulepathx /x\nmodulepath rel:/m//a/\n"
			     "  moduleload\tback_mdb.la extra args\nmoduleload /abs/back_sql.so\nmoduleload\n"
			     "moduleloadback_perl\nmoduleload syncprov");
	{
		const struct memroot root = { .files = files, .text_path = "/etc/ldap/slapd.conf", .text = text.buf };
		const struct root_reader rr = { mem_read, mem_list, mem_walk, &root };

		check("hostile slapd.conf", &rr, &p, "module:/m/a/back_mdb.so module:/abs/back_sql.so module:/m/a/syncprov.so");
	}
	strbuf_reset(&text);
	for (int i = 0; i < 100000; i++)
		strbuf_addf(&text, "modulepath /p%d\nmoduleload m%d\n", i, i);
	{
		const struct memroot root = { .files = files, .text_path = "/etc/ldap/slapd.conf", .text = text.buf };
		const struct root_reader rr = { mem_read, mem_list, mem_walk, &root };

		n = runtimes_find(&rr, &p, &mods);
		assert_int_equal(n, 16 * 64);
		runtimes_release(mods, n);
	}
	strbuf_release(&text);
}

/* One process's modules are capped, however many the root holds. */
static void test_cap(void **state)
{
	enum { N = RUNTIMES_MAX + 100 };
	char **names = xcalloc(N + 1, sizeof(*names));
	const struct memroot root = { .files = (const char *const *)names, .jvm_cfg = NULL };
	const struct root_reader rr = { mem_read, mem_list, mem_walk, &root };
	const char *const objs[] = { "/usr/bin/node" };
	const struct runtimes_object node = { RUNTIMES_NODE, { NULL, NULL }, NULL };
	const struct runtimes_object *const info[] = { &node };
	const struct runtimes_process p = { .given = "/usr/bin/node", .paths = objs, .objs = info, .nr = 1,
					    .whole_root = true };
	struct runtimes_module *mods;
	size_t n;

	(void)state;
	for (size_t i = 0; i < N; i++)
		names[i] = xasprintf("/app/m%05zu.node", i);
	n = runtimes_find(&rr, &p, &mods);
	assert_int_equal(n, RUNTIMES_MAX);
	runtimes_release(mods, n);
	free_strv(names, N);
}

static void test_inspect_by_path(void **state)
{
	static const struct {
		const char *path;
		unsigned marks;
	} paths[] = {
		{ "/usr/lib/jvm/j/lib/libjli.so", RUNTIMES_JLI },
		{ "/usr/lib/libjli.so.1", 0 },
		{ "libjli.so", 0 },
		{ "/usr/lib/x86_64-linux-gnu/libcrypto.so.3", 0 }, /* told by its exports, not its name */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		struct runtimes_object o;

		runtimes_inspect(NULL, paths[i].path, &o);
		assert_int_equal(o.marks, paths[i].marks);
		assert_null(o.dirs[0]);
		runtimes_object_release(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_env_hostile),
		cmocka_unit_test(test_pixbuf_cache_hostile),
		cmocka_unit_test(test_slapd_conf_hostile),
		cmocka_unit_test(test_rounds),
		cmocka_unit_test(test_mysql),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_inspect_by_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
