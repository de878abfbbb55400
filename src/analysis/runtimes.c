#include "analysis/runtimes.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/runconf.h"
#include "util/path.h"
#include "util/strmap.h"
#include "util/xalloc.h"

/* The bytes of elf's .rodata section; false when it has none. */
static bool rodata_of(const struct elf_file *elf, const uint8_t **d, size_t *len)
{
	for (size_t i = 0; elf && i < elf->sections_nr; i++)
		if (!strcmp(elf->sections[i].name, ".rodata"))
			return elf_section_data(elf, &elf->sections[i], d, len) == 0;
	return false;
}

/*
 * The folder 'key' names in elf's read-only data ('key: "/path"', the
 * form OpenSSL_version() reports), newly allocated, or NULL.
 */
static char *rodata_dir(const struct elf_file *elf, const char *key)
{
	size_t kl = strlen(key), len;
	const uint8_t *d, *at;

	if (!rodata_of(elf, &d, &len))
		return NULL;
	for (size_t pos = 0; pos < len && (at = memmem(d + pos, len - pos, key, kl)); pos = (size_t)(at - d) + 1) {
		const char *p = (const char *)at + kl;
		size_t room = len - (size_t)(at - d) - kl, l = 0;

		if ((at != d && at[-1]) || room < 4 || p[0] != ':' || p[1] != ' ' || p[2] != '"' || p[3] != '/')
			continue;
		p += 3;
		room -= 3;
		while (l < room && l < 4096 && p[l] > ' ' && p[l] < 0x7f && p[l] != '"')
			l++;
		if (l < room && p[l] == '"' && l + 1 < room && !p[l + 1])
			return xstrndup(p, l);
	}
	return NULL;
}

/*
 * The first string of elf's read-only data that is an absolute path ending
 * with 'tail' (a whole NUL-terminated string, printable, at most 4,096
 * bytes), newly allocated, or NULL.
 */
static char *rodata_path_ending(const struct elf_file *elf, const char *tail)
{
	size_t tl = strlen(tail) + 1, len; /* with its NUL */
	const uint8_t *d, *at;

	if (!rodata_of(elf, &d, &len))
		return NULL;
	for (size_t pos = 0; pos < len && (at = memmem(d + pos, len - pos, tail, tl)); pos = (size_t)(at - d) + 1) {
		const uint8_t *start = at;

		while (start > d && start[-1] > ' ' && start[-1] < 0x7f && at - start < 4096)
			start--;
		if (*start == '/' && (start == d || !start[-1]) && start < at)
			return xstrndup((const char *)start, (size_t)(at - start) + tl - 1);
	}
	return NULL;
}

/*
 * The symbols that tell a runtime: an object exporting one (importing
 * one, for 'imported') gets the mark.
 */
static const struct {
	const char *name;
	unsigned mark;
	bool imported;
} triggers[] = {
	{ "Py_Initialize", RUNTIMES_PYTHON, false },
	{ "napi_module_register", RUNTIMES_NODE, false },
	{ "node_module_register", RUNTIMES_NODE, false },
	{ "ngx_cycle", RUNTIMES_NGINX, false },
	{ "ap_hook_post_config", RUNTIMES_APACHE, false },
	{ "xtables_find_match", RUNTIMES_XTABLES, false },
	{ "php_module_startup", RUNTIMES_PHP, false },
	{ "PostmasterMain", RUNTIMES_POSTGRES, false },
	{ "sasl_client_init", RUNTIMES_SASL, false },
	{ "sasl_server_init", RUNTIMES_SASL, false },
	{ "ENGINE_by_id", RUNTIMES_OPENSSL, false },
	{ "OSSL_PROVIDER_load", RUNTIMES_OPENSSL, false },
	{ "luaL_openlibs", RUNTIMES_LUA, false }, /* lua, liblua, LuaJIT */
	{ "enif_make_atom", RUNTIMES_ERLANG, false }, /* beam.smp: the NIF API */
	{ "opt_plugin_dir", RUNTIMES_MYSQL, false }, /* mariadbd, mysqld */
	{ "mysql_load_plugin", RUNTIMES_MYSQL_CLIENT, false }, /* libmariadb, libmysqlclient */
	{ "sudo_conf_plugins_v1", RUNTIMES_SUDO, true }, /* the sudo front end (visudo too) */
	{ "g_io_extension_point_register", RUNTIMES_GIO, false },
	{ "gdk_pixbuf_new_from_file", RUNTIMES_PIXBUF, false },
	{ "gst_init", RUNTIMES_GST, false },
	{ "k5_plugin_register_dyn", RUNTIMES_KRB5, false },
	{ "OpenModules", RUNTIMES_MAGICK, false },
	{ "os_link_runtime", RUNTIMES_SBCL, false },
	{ "PL_initialise", RUNTIMES_SWIPL, false },
	{ "Tcl_PkgRequireEx", RUNTIMES_TCL, false },
	{ "config_plugin_values_init", RUNTIMES_LIGHTTPD, false }, /* the API lighttpd's modules use */
	{ "Rf_initialize_R", RUNTIMES_R, false },
	{ "modulesProcessCnf", RUNTIMES_RSYSLOG, false }, /* rsyslogd, whose modules call back into it */
	{ "overlay_register", RUNTIMES_SLAPD, false }, /* slapd, for its backend and overlay modules */
	{ "uwsgi_load_plugin", RUNTIMES_UWSGI, false }, /* uwsgi, for its plugins (--plugin python3) */
	{ "plugin_register_complex_read", RUNTIMES_COLLECTD, false }, /* collectd, for its plugins */
	{ "plugin_discover_candidate_modules", RUNTIMES_SYSLOGNG, false }, /* libsyslog-ng, for its modules */
	{ "Perl_pp_syscall", RUNTIMES_PERL, false }, /* perl, libperl: its syscall builtin (langsys) */
	{ "ruby_init", RUNTIMES_RUBY, false }, /* libruby: Kernel#syscall (langsys) */
};

void runtimes_inspect(const struct elf_file *elf, const char *path, struct runtimes_object *out)
{
	const char *base = strrchr(path, '/');
	unsigned m = 0;

	*out = (struct runtimes_object){ 0 };
	if (base && !strcmp(base + 1, "libjli.so"))
		m |= RUNTIMES_JLI;
	for (size_t i = 0; i < ARRAY_SIZE(triggers); i++)
		if (!(m & triggers[i].mark) && elf_dynsym_has(elf, triggers[i].name, !triggers[i].imported))
			m |= triggers[i].mark;
	if (m & RUNTIMES_OPENSSL) {
		out->dirs[0] = rodata_dir(elf, "ENGINESDIR");
		out->dirs[1] = rodata_dir(elf, "MODULESDIR");
		out->dirs[2] = rodata_dir(elf, "OPENSSLDIR");
	}
	if (m & (RUNTIMES_MYSQL | RUNTIMES_MYSQL_CLIENT))
		out->plugin_dir = rodata_path_ending(elf, "/plugin");
	else if (m & RUNTIMES_GIO)
		out->plugin_dir = rodata_path_ending(elf, "/gio/modules");
	else if (m & RUNTIMES_COLLECTD)
		out->plugin_dir = rodata_path_ending(elf, "/lib/collectd");
	if (m & RUNTIMES_COLLECTD)
		out->dirs[0] = rodata_path_ending(elf, "/collectd.conf");
	else if (m & RUNTIMES_KRB5)
		out->plugin_dir = rodata_path_ending(elf, "/krb5/plugins");

	if (m & RUNTIMES_MAGICK) {
		out->dirs[0] = rodata_path_ending(elf, "/coders");
		out->dirs[1] = rodata_path_ending(elf, "/filters");
	} else if (m & RUNTIMES_SWIPL) {
		/* Its home: Debian's /usr/lib/swi-prolog, upstream's PREFIX/lib/swipl. */
		out->dirs[0] = rodata_path_ending(elf, "/swi-prolog");
		out->dirs[1] = rodata_path_ending(elf, "/swipl");
	}
	out->marks = m;
}

void runtimes_object_release(struct runtimes_object *o)
{
	free(o->dirs[0]);
	free(o->dirs[1]);
	free(o->dirs[2]);
	free(o->plugin_dir);
	*o = (struct runtimes_object){ 0 };
}

/* The modules found so far, each path once. */
struct found {
	struct runtimes_module *v;
	size_t nr, alloc;
	struct strmap seen;
};

/* Add 'path' (taken over) for 'why', unless it is there already or the list is full. */
static void found_add(struct found *f, char *path, enum analysis_load why)
{
	if (f->nr >= RUNTIMES_MAX || strmap_contains(&f->seen, path)) {
		free(path);
		return;
	}
	strmap_put(&f->seen, path, NULL);
	ALLOC_GROW(f->v, f->nr + 1, f->alloc);
	f->v[f->nr].path = path;
	f->v[f->nr++].why = why;
}

/* Add every path a walk of 'dir' gives. */
static void found_walk(struct found *f, const struct root_reader *rr, const char *dir, unsigned depth,
		       const char *suffix, enum analysis_load why)
{
	char **paths;
	size_t n = rr->walk(rr->ctx, dir, depth, suffix, &paths);

	for (size_t i = 0; i < n; i++)
		found_add(f, paths[i], why);
	free(paths);
}

/* ---- the environment: variables that move the folders -------------------- */

#define ENV_DIRS_MAX 64 /* folders one variable adds, at most */

static const char *env_of(const struct runtimes_process *p, const char *name)
{
	return p->env ? env_lookup(p->env, p->env_nr, name) : NULL;
}

/* The first 'len' bytes of 'dir', a folder a variable names, made absolute from the working folder. */
static char *env_dir(const struct runtimes_process *p, const char *dir, size_t len)
{
	char *joined, *out;

	if (dir[0] == '/')
		return path_tidy(dir, len);
	joined = xasprintf("%s/%.*s", p->workdir ? p->workdir : "", (int)len, dir);
	out = path_tidy(joined, strlen(joined));
	free(joined);
	return out;
}

/*
 * The folders variable 'name' names: a list separated by 'sep' ('\0':
 * one folder), empty entries skipped, made absolute, at most ENV_DIRS_MAX.
 * Returns how many *out holds (release with free_strv).
 */
static size_t env_folders(const struct runtimes_process *p, const char *name, char sep, char ***out)
{
	const char *list = env_of(p, name);
	char **v = NULL;
	size_t n = 0, alloc = 0;

	while (list && *list && n < ENV_DIRS_MAX) {
		const char *end = sep ? strchr(list, sep) : NULL;
		size_t len = end ? (size_t)(end - list) : strlen(list);

		if (len) {
			ALLOC_GROW(v, n + 1, alloc);
			v[n++] = env_dir(p, list, len);
		}
		list = end ? end + 1 : NULL;
	}
	*out = v;
	return n;
}

/* Walk each folder variable 'name' names (env_folders). */
static void env_walk(struct found *f, const struct root_reader *rr, const struct runtimes_process *p,
		     const char *name, char sep, unsigned depth, const char *suffix, enum analysis_load why)
{
	char **dirs;
	size_t n = env_folders(p, name, sep, &dirs);

	for (size_t i = 0; i < n; i++)
		found_walk(f, rr, dirs[i], depth, suffix, why);
	free_strv(dirs, n);
}

/* Distinct install prefixes of a process, "" for "/" (so "%s/lib" works). */
struct prefixes {
	char *v[6];
	size_t nr;
};

static void prefixes_add(struct prefixes *ps, char *prefix)
{
	if (!strcmp(prefix, "/"))
		prefix[0] = '\0';
	for (size_t i = 0; i < ps->nr; i++)
		if (!strcmp(ps->v[i], prefix)) {
			free(prefix);
			return;
		}
	ps->v[ps->nr++] = prefix;
}

/*
 * The folder above the program's own (PREFIX for PREFIX/bin/prog), as it
 * is named ('given': a link's) and as the file really is (paths[0]), then
 * with 'system' /usr and /usr/local; each once, so no folder is read twice.
 */
static void prefixes_of(const struct runtimes_process *p, bool system, struct prefixes *ps)
{
	const char *const programs[] = { p->given, p->paths[0] };

	ps->nr = 0;
	for (size_t k = 0; k < ARRAY_SIZE(programs); k++) {
		char *bin = path_dirname(programs[k]);

		prefixes_add(ps, path_dirname(bin));
		free(bin);
	}
	if (system) {
		prefixes_add(ps, xstrdup("/usr"));
		prefixes_add(ps, xstrdup("/usr/local"));
	}
}

static void prefixes_release(struct prefixes *ps)
{
	for (size_t i = 0; i < ps->nr; i++)
		free(ps->v[i]);
	ps->nr = 0;
}

/* ---- the JDK: libjli loads libjvm.so, the JVM the JDK's own libraries ----- */

/*
 * The java launchers' libjli.so dlopen()s LIB/JVM/libjvm.so, for the JVM
 * the command line picks among those LIB/jvm.cfg lists as KNOWN (-server,
 * -zero ...), by a path computed from its own; the JVM then loads the
 * JDK's native libraries (libjava.so, libnet.so, ...) as Java code asks,
 * by names only class files hold.  So a process with libjli gets them
 * all: every KNOWN JVM and every shared object in LIB (JDK 8 keeps libjli
 * in LIB/jli).
 */
static void jdk_libs(struct found *f, const struct root_reader *rr, const char *jli)
{
	char *lib = path_dirname(jli), *tail = strrchr(lib, '/'), *cfg, *text, **names;
	struct runconf_list jvms = { 0 };
	size_t n, added = 0;

	if (tail && !strcmp(tail, "/jli") && tail != lib)
		*tail = '\0';
	cfg = xasprintf("%s/jvm.cfg", lib);
	text = rr->read(rr->ctx, cfg, 1 << 16, NULL);
	free(cfg);
	runconf_jvm_cfg(text, &jvms);
	free(text);
	for (size_t i = 0; i < jvms.nr; i++)
		found_add(f, xasprintf("%s/%s/libjvm.so", lib, jvms.v[i]), ANALYSIS_LOAD_JDK);
	runconf_list_release(&jvms);
	n = rr->list(rr->ctx, lib, &names);
	for (size_t i = 0; i < n && added < 256; i++)
		if (str_has_suffix(names[i], ".so")) {
			found_add(f, xstrdup(names[i]), ANALYSIS_LOAD_JDK);
			added++;
		}
	free_strv(names, n);
	free(lib);
}

/* ---- Python: the interpreter imports extension modules by computed paths -- */

/*
 * A process running Python (an object exports Py_Initialize: python3
 * itself, or libpython in a program that embeds it) imports extension
 * modules from sys.path, which it computes at run time: for a prefix,
 * PREFIX/lib/python3.X/{lib-dynload,site-packages,dist-packages} and
 * Debian's PREFIX/lib/python3/dist-packages.  The prefixes: the folder
 * above the program's own, both as named ('given': a virtual environment's
 * bin/python is a link to the real interpreter, and its site-packages are
 * next to the link) and as the file really is ('real': python3 finds its
 * library next to itself, as the Google Cloud SDK's bundled one does),
 * /usr and /usr/local (the compiled-in one, and Debian's local site).
 * Every module there can be imported, so all are loaded objects.
 */
static void python_modules(struct found *f, const struct root_reader *rr, const struct runtimes_process *p)
{
	const char *home = env_of(p, "PYTHONHOME");
	struct prefixes ps;

	prefixes_of(p, true, &ps);
	for (const char *h = home; h && *h == '/';) { /* PREFIX[:EXEC_PREFIX] */
		const char *colon = strchr(h, ':');

		prefixes_add(&ps, path_tidy(h, colon ? (size_t)(colon - h) : strlen(h)));
		h = colon && colon[1] == '/' && ps.nr < ARRAY_SIZE(ps.v) ? colon + 1 : NULL;
	}
	for (size_t q = 0; q < ps.nr; q++) {
		char *lib = xasprintf("%s/lib", ps.v[q]), **names;
		size_t n = rr->list(rr->ctx, lib, &names);

		for (size_t i = 0; i < n; i++) {
			const char *base = strrchr(names[i], '/') + 1;
			static const char *const sub[] = { "lib-dynload", "site-packages", "dist-packages" };

			if (strncmp(base, "python3", 7))
				continue;
			for (size_t k = 0; k < ARRAY_SIZE(sub); k++) {
				char *dir;

				if (!strcmp(base, "python3") && k < 2)
					continue; /* Debian's version-independent folder has dist-packages only */
				dir = xasprintf("%s/%s", names[i], sub[k]);
				found_walk(f, rr, dir, 8, ".so", ANALYSIS_LOAD_PYTHON); /* site trees: packages nest */
				free(dir);
			}
		}
		free_strv(names, n);
		free(lib);
	}
	prefixes_release(&ps);
	env_walk(f, rr, p, "PYTHONPATH", ':', 8, ".so", ANALYSIS_LOAD_PYTHON);
}

/* ---- plugin folders: every module there may be loaded ------------------ */

/*
 * Code that dlopen()s modules from a folder of its own, by names no object
 * holds: a process with the mark gets every shared object in the folders
 * where the packages (Debian's, Alpine's, the official images') put them
 * (directly in them, or 'depth' levels down).  Servers load the modules their configuration names
 * (nginx's load_module, Apache's LoadModule), and it may name any of
 * them (uWSGI's and collectd's rules read theirs: below).
 * libsasl2 (sasl_client_init, sasl_server_init) dlopen()s every file of
 * its plugin folder to look for mechanisms; its sasldb plugin writes the
 * password database through Berkeley DB (saslpasswd2 makes fdatasync,
 * pwrite64 and rename only there).  libxtables (iptables, ebtables)
 * loads libxt_NAME.so, libipt_NAME.so ... for each match and target a
 * rule names (libxt_bpf.so makes bpf).  sudo loads the plugins
 * /etc/sudo.conf names, by default the sudoers policy plugin, which does
 * the real work (timestamps, credentials: fsync, setresuid, capset ...).
 * GLib's libgio, gdk-pixbuf and GStreamer load their module folders
 * (glib_modules() below adds what the environment and the objects name).
 * MIT libkrb5 loads its built-in dynamic modules (tls/k5tls.so,
 * preauth/spake.so, preauth/pkinit.so) and every module of its
 * plugins/libkrb5 folder from its plugin folder (the table's, or the one
 * compiled into it).
 * syslog-ng (libsyslog-ng) loads every module of its module path at start,
 * to discover the plugins they provide (libaffile.so's file destination
 * makes fchmod).
 * Lua's require() loads C modules from package.cpath, whose defaults are
 * the version folders of these (lua-posix makes chmod, link, getppid ...,
 * which the interpreter has nowhere else; every version's folder counts,
 * an over-approximation); OpenResty's are its own.
 * A module elsewhere is named with --dlopen.
 */
static const struct plugin_dirs {
	unsigned mark;
	enum analysis_load why;
	unsigned depth; /* 1: the folders' own files */
	const char *dirs[5];
} plugin_dirs[] = {
	{ RUNTIMES_NGINX, ANALYSIS_LOAD_MODULE, 1,
	  { "/usr/lib/nginx/modules", "/usr/share/nginx/modules", "/etc/nginx/modules", "/usr/local/nginx/modules" } },
	{ RUNTIMES_APACHE, ANALYSIS_LOAD_MODULE, 1,
	  { "/usr/lib/apache2/modules", "/usr/local/apache2/modules", "/usr/lib64/httpd/modules",
	    "/usr/lib/httpd/modules" } },
	{ RUNTIMES_LIGHTTPD, ANALYSIS_LOAD_MODULE, 1, /* server.modules names them */
	  { "/usr/lib/lighttpd", "/usr/local/lib/lighttpd", "/usr/lib64/lighttpd", "/usr/lib/x86_64-linux-gnu/lighttpd" } },
	{ RUNTIMES_RSYSLOG, ANALYSIS_LOAD_MODULE, 1, /* module(load=...) names them; imuxsock, imklog by default */
	  { "/usr/lib/x86_64-linux-gnu/rsyslog", "/usr/lib/rsyslog", "/usr/lib64/rsyslog", "/usr/local/lib/rsyslog" } },
	{ RUNTIMES_SYSLOGNG, ANALYSIS_LOAD_MODULE, 2, /* VERSION/libaffile.so: every one, to discover plugins */
	  { "/usr/lib/syslog-ng", "/usr/local/lib/syslog-ng", "/usr/lib64/syslog-ng", "/opt/syslog-ng/lib/syslog-ng" } },
	{ RUNTIMES_SASL, ANALYSIS_LOAD_SASL, 1,
	  { "/usr/lib/x86_64-linux-gnu/sasl2", "/usr/lib/sasl2", "/usr/lib64/sasl2", "/usr/local/lib/sasl2" } },
	{ RUNTIMES_XTABLES, ANALYSIS_LOAD_XTABLES, 1,
	  { "/usr/lib/x86_64-linux-gnu/xtables", "/usr/lib/xtables", "/usr/lib64/xtables", "/usr/local/lib/xtables" } },
	{ RUNTIMES_SUDO, ANALYSIS_LOAD_SUDO, 1,
	  { "/usr/libexec/sudo", "/usr/lib/sudo", "/usr/local/libexec/sudo", "/usr/lib64/sudo" } },
	{ RUNTIMES_LUA, ANALYSIS_LOAD_LUA, 4, /* VERSION/pkg/sub/mod.so */
	  { "/usr/local/lib/lua", "/usr/lib/x86_64-linux-gnu/lua", "/usr/lib/lua", "/usr/local/openresty/lualib",
	    "/usr/local/openresty/luajit/lib/lua" } },
	{ RUNTIMES_GIO, ANALYSIS_LOAD_GIO, 1,
	  { "/usr/lib/x86_64-linux-gnu/gio/modules", "/usr/lib/gio/modules", "/usr/lib64/gio/modules",
	    "/usr/local/lib/gio/modules" } },
	{ RUNTIMES_PIXBUF, ANALYSIS_LOAD_PIXBUF, 3, /* BINARY_VERSION/loaders/NAME.so */
	  { "/usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0", "/usr/lib/gdk-pixbuf-2.0", "/usr/lib64/gdk-pixbuf-2.0",
	    "/usr/local/lib/gdk-pixbuf-2.0" } },
	{ RUNTIMES_GST, ANALYSIS_LOAD_GST, 1,
	  { "/usr/lib/x86_64-linux-gnu/gstreamer-1.0", "/usr/lib/gstreamer-1.0", "/usr/lib64/gstreamer-1.0",
	    "/usr/local/lib/gstreamer-1.0" } },
	{ RUNTIMES_KRB5, ANALYSIS_LOAD_KRB5, 2, /* INTERFACE/NAME.so */
	  { "/usr/lib/x86_64-linux-gnu/krb5/plugins", "/usr/lib/krb5/plugins", "/usr/lib64/krb5/plugins",
	    "/usr/local/lib/krb5/plugins" } },
};

/*
 * Variables that move the plugin folders: libsasl2 reads its plugins from
 * SASL_PATH's folders instead, rsyslogd its modules from RSYSLOG_MODDIR's; Lua's require() takes package.cpath from
 * LUA_CPATH_5_4 (_5_3, _5_2; LUA_CPATH for any version and LuaJIT), a list
 * of templates ("/opt/lua/?.so;./?.so;;", ";;" the default folders): each
 * names the folder before its first '?' (module a.b is a/b: four levels
 * down) and the file names' ending after its last.
 */
static void plugin_env(struct found *f, const struct root_reader *rr, const struct runtimes_process *p,
		       unsigned marks)
{
	static const char *const lua_vars[] = { "LUA_CPATH_5_4", "LUA_CPATH_5_3", "LUA_CPATH_5_2", "LUA_CPATH" };

	if (marks & RUNTIMES_SASL)
		env_walk(f, rr, p, "SASL_PATH", ':', 1, ".so", ANALYSIS_LOAD_SASL);
	if (marks & RUNTIMES_RSYSLOG)
		env_walk(f, rr, p, "RSYSLOG_MODDIR", '\0', 1, ".so", ANALYSIS_LOAD_MODULE);
	for (size_t v = 0; (marks & RUNTIMES_LUA) && v < ARRAY_SIZE(lua_vars); v++) {
		const char *list = env_of(p, lua_vars[v]);

		for (unsigned n = 0; list && *list && n < ENV_DIRS_MAX; n++) {
			const char *end = strchr(list, ';');
			size_t len = end ? (size_t)(end - list) : strlen(list);
			const char *q = memchr(list, '?', len), *last = q, *slash = NULL;

			for (const char *c = list; q && c < list + len; c++) {
				if (*c == '?')
					last = c;
				if (*c == '/' && c < q)
					slash = c;
			}
			if (q) {
				char *dir = slash ? env_dir(p, list, (size_t)(slash - list) + 1) : env_dir(p, ".", 1);
				char *suffix = xstrndup(last + 1, len - (size_t)(last + 1 - list));

				found_walk(f, rr, dir, 4, suffix, ANALYSIS_LOAD_LUA);
				free(suffix);
				free(dir);
			}
			list = end ? end + 1 : NULL;
		}
	}
}

/* ---- Node.js: require() loads native addons by the paths it resolves ----- */

/*
 * node loads a native addon (a shared object named NAME.node) when
 * JavaScript code require()s it, by a path resolved at run time from the
 * requiring script's folder upwards (every node_modules on the way),
 * NODE_PATH, and the global folders.  An application's node_modules may
 * be anywhere in an image, so with a whole root every .node file in it
 * counts (but in /proc, /sys and /dev); on the host, those under the
 * program's own PREFIX/lib/node_modules and the folders Debian's and
 * upstream's packages install global modules in.
 */
static const char *const node_dirs[] = {
	"/usr/local/lib/node_modules", "/usr/lib/node_modules", "/usr/lib/nodejs", "/usr/share/nodejs",
	"/usr/lib/x86_64-linux-gnu/nodejs",
};

#define NODE_DEPTH 32 /* node_modules nest */

static void node_addons(struct found *f, const struct root_reader *rr, const struct runtimes_process *p)
{
	struct prefixes ps;

	if (p->whole_root) {
		char **top;
		size_t n = rr->list(rr->ctx, "/", &top);

		for (size_t i = 0; i < n; i++)
			if (strcmp(top[i], "/proc") && strcmp(top[i], "/sys") && strcmp(top[i], "/dev"))
				found_walk(f, rr, top[i], NODE_DEPTH, ".node", ANALYSIS_LOAD_NODE);
		free_strv(top, n);
		return;
	}
	prefixes_of(p, false, &ps);
	for (size_t k = 0; k < ps.nr; k++) {
		char *dir = xasprintf("%s/lib/node_modules", ps.v[k]);

		found_walk(f, rr, dir, NODE_DEPTH, ".node", ANALYSIS_LOAD_NODE);
		free(dir);
	}
	prefixes_release(&ps);
	for (size_t d = 0; d < ARRAY_SIZE(node_dirs); d++)
		found_walk(f, rr, node_dirs[d], NODE_DEPTH, ".node", ANALYSIS_LOAD_NODE);
}

/* ---- PostgreSQL: the server loads modules from its $libdir ---------------- */

/*
 * The postgres server loads shared objects from its package library
 * folder ($libdir) by names SQL and configuration give: CREATE EXTENSION
 * and LOAD (dblink, postgres_fdw: libpq, whose SIGPIPE handling makes
 * rt_sigpending and rt_sigtimedwait), procedural languages (plpgsql.so
 * for every PL/pgSQL function), shared_preload_libraries, a standby's
 * libpqwalreceiver.so, JIT's llvmjit.so (jit is on by default).  The
 * server finds $libdir relative to its own file: PREFIX/lib for
 * PREFIX/bin/postgres when that path names postgres or pgsql (Debian's
 * /usr/lib/postgresql/15/lib), else PREFIX/lib/postgresql (the upstream
 * layout, /usr/local/lib/postgresql), and one level of subfolders below
 * it ('plugins', for local_preload_libraries).
 */
static void postgres_modules(struct found *f, const struct root_reader *rr, const struct runtimes_process *p)
{
	struct prefixes ps;

	prefixes_of(p, false, &ps);
	for (size_t k = 0; k < ps.nr; k++) {
		const char *prefix = ps.v[k];
		char *lib = strstr(prefix, "postgres") || strstr(prefix, "pgsql") ? xasprintf("%s/lib", prefix) :
										    xasprintf("%s/lib/postgresql", prefix);

		found_walk(f, rr, lib, 2, ".so", ANALYSIS_LOAD_POSTGRES);
		free(lib);
	}
	prefixes_release(&ps);
}

/* ---- PHP: extensions its ini files name ----------------------------------- */

#define PHP_INI_FILES 256 /* ini files read for one process */

/*
 * The extensions PHP's ini files name outside those folders: an
 * extension_dir of its own (every .so there), or an extension or
 * zend_extension by absolute path.  The ini files: every .ini under
 * /etc/php and /usr/local/etc/php (Debian's /etc/php/8.2/cli/conf.d, the
 * official images' /usr/local/etc/php/conf.d), in PHPRC (a file, or a
 * folder's php.ini) and in PHP_INI_SCAN_DIR's folders.
 */
/* Append the .ini files of folder 'dir' (down to 'depth' levels) to files[0, *nr). */
static void ini_files_walk(const struct root_reader *rr, const char *dir, unsigned depth, char ***files, size_t *nr,
			   size_t *alloc)
{
	char **v;
	size_t n = rr->walk(rr->ctx, dir, depth, ".ini", &v);

	ALLOC_GROW(*files, *nr + n, *alloc);
	for (size_t i = 0; i < n; i++)
		(*files)[(*nr)++] = v[i];
	free(v);
}

static void php_ini(struct found *f, const struct root_reader *rr, const struct runtimes_process *p)
{
	static const struct {
		const char *dir;
		unsigned depth;
	} roots[] = { { "/etc/php", 4 }, { "/usr/local/etc/php", 3 } };
	struct runconf_list dirs = { 0 }, mods = { 0 };
	char **files = NULL, **scan;
	size_t nr = 0, alloc = 0, scan_nr = env_folders(p, "PHP_INI_SCAN_DIR", ':', &scan);
	const char *rc = env_of(p, "PHPRC");

	for (size_t r = 0; r < ARRAY_SIZE(roots); r++)
		ini_files_walk(rr, roots[r].dir, roots[r].depth, &files, &nr, &alloc);
	for (size_t d = 0; d < scan_nr; d++)
		ini_files_walk(rr, scan[d], 1, &files, &nr, &alloc);
	free_strv(scan, scan_nr);
	if (rc && *rc) {
		char *path = env_dir(p, rc, strlen(rc));

		ALLOC_GROW(files, nr + 2, alloc);
		files[nr++] = xasprintf("%s/php.ini", path);
		files[nr++] = path; /* a file itself */
	}
	for (size_t i = 0; i < nr && i < PHP_INI_FILES; i++) {
		char *text = rr->read(rr->ctx, files[i], 1 << 20, NULL);

		runconf_php(text, &dirs, &mods);
		free(text);
	}
	for (size_t i = 0; i < dirs.nr; i++)
		found_walk(f, rr, dirs.v[i], 1, ".so", ANALYSIS_LOAD_PHP);
	for (size_t i = 0; i < mods.nr; i++)
		found_add(f, xstrdup(mods.v[i]), ANALYSIS_LOAD_PHP);
	runconf_list_release(&dirs);
	runconf_list_release(&mods);
	free_strv(files, nr);
}

/*
 * PHP (the CLI, php-fpm, libphp in Apache) loads the extensions and Zend
 * extensions its ini files name (extension=posix, zend_extension=opcache)
 * from its extension_dir; any of the installed ones may be enabled, and
 * they add calls the interpreter has nowhere else (posix, sysvmsg,
 * sysvsem, sysvshm, ffi).  A process with an object exporting
 * php_module_startup gets every .so under PREFIX/lib/php, three levels
 * deep, for PREFIX the program's own (as named and as it really is), /usr
 * and /usr/local: Debian's /usr/lib/php/20220829 and the official
 * images' /usr/local/lib/php/extensions/no-debug-non-zts-20220829.
 */
static void php_extensions(struct found *f, const struct root_reader *rr, const struct runtimes_process *p)
{
	struct prefixes ps;

	prefixes_of(p, true, &ps);
	for (size_t k = 0; k < ps.nr; k++) {
		char *dir = xasprintf("%s/lib/php", ps.v[k]);

		found_walk(f, rr, dir, 3, ".so", ANALYSIS_LOAD_PHP);
		free(dir);
	}
	prefixes_release(&ps);
	php_ini(f, rr, p);
}

/* ---- OpenSSL: engines and providers, by name from its own folders -------- */

#define OPENSSL_CONF_FILES 16 /* configuration files read, with those included */

/* Add 'path' (taken over) to the files to read, unless it is there or the list is full. */
static void conf_files_add(struct runconf_list *files, char *path)
{
	bool seen = files->nr >= OPENSSL_CONF_FILES;

	for (size_t i = 0; i < files->nr && !seen; i++)
		seen = !strcmp(files->v[i], path);
	if (seen) {
		free(path);
		return;
	}
	ALLOC_GROW(files->v, files->nr + 1, files->alloc);
	files->v[files->nr++] = path;
}

/*
 * The engines and providers the configuration names by a path of their
 * own (an [engine] section's dynamic_path, a provider section's module):
 * in OPENSSL_CONF, else OPENSSLDIR/openssl.cnf, and in the files its
 * .include lines name (a folder's *.cnf and *.conf files).
 */
static void openssl_conf(struct found *f, const struct root_reader *rr, const struct runtimes_process *p,
			 const char *openssldir)
{
	const char *env = env_of(p, "OPENSSL_CONF");
	struct runconf_list files = { 0 }, mods = { 0 };

	if (env && *env)
		conf_files_add(&files, env_dir(p, env, strlen(env)));
	else if (openssldir)
		conf_files_add(&files, xasprintf("%s/openssl.cnf", openssldir));
	for (size_t i = 0; i < files.nr; i++) {
		char *text = rr->read(rr->ctx, files.v[i], 1 << 20, NULL), **names;
		size_t n;

		if (text) {
			struct runconf_list includes = { 0 };

			runconf_openssl(text, &mods, &includes);
			for (size_t k = 0; k < includes.nr; k++)
				conf_files_add(&files, xstrdup(includes.v[k]));
			runconf_list_release(&includes);
			free(text);
			continue;
		}
		n = rr->list(rr->ctx, files.v[i], &names); /* an included folder */
		for (size_t k = 0; k < n; k++)
			if (str_has_suffix(names[k], ".cnf") || str_has_suffix(names[k], ".conf"))
				conf_files_add(&files, xstrdup(names[k]));
		free_strv(names, n);
	}
	for (size_t i = 0; i < mods.nr; i++)
		found_add(f, xstrdup(mods.v[i]), ANALYSIS_LOAD_OPENSSL);
	runconf_list_release(&mods);
	runconf_list_release(&files);
}

/*
 * libcrypto loads an engine (ENGINE_by_id("afalg"), an openssl.cnf
 * [engine] section, `-engine NAME`) as ENGINESDIR/NAME.so, and a provider
 * (OSSL_PROVIDER_load(NULL, "legacy"), openssl.cnf) as MODULESDIR/NAME.so:
 * names that come from configuration or the command line.  So a process
 * with a libcrypto gets every shared object of those two folders, as that
 * libcrypto was built to name them (the afalg engine makes io_setup,
 * io_submit, io_getevents, io_destroy and eventfd2, which nothing else in
 * openssl does).  The OPENSSL_ENGINES and OPENSSL_MODULES variables move
 * them: their folders count too; so do the modules the configuration
 * names by path (openssl_conf).
 */
static void openssl_modules(struct found *f, const struct root_reader *rr, const struct runtimes_process *p,
			    unsigned marks)
{
	for (size_t i = p->done; i < p->nr; i++) {
		if (!(p->objs[i]->marks & RUNTIMES_OPENSSL))
			continue;
		for (size_t d = 0; d < 2; d++)
			if (p->objs[i]->dirs[d])
				found_walk(f, rr, p->objs[i]->dirs[d], 1, ".so", ANALYSIS_LOAD_OPENSSL);
		openssl_conf(f, rr, p, p->objs[i]->dirs[2]);
	}
	if (marks & RUNTIMES_OPENSSL) {
		env_walk(f, rr, p, "OPENSSL_ENGINES", '\0', 1, ".so", ANALYSIS_LOAD_OPENSSL);
		env_walk(f, rr, p, "OPENSSL_MODULES", '\0', 1, ".so", ANALYSIS_LOAD_OPENSSL);
	}
}

/* ---- MySQL and MariaDB: plugins from the plugin folder -------------------- */

/*
 * The MySQL and MariaDB servers load the plugins INSTALL PLUGIN,
 * plugin-load and the accounts' authentication methods name from their
 * plugin folder (MariaDB's auth_pam_v1 runs PAM in the server: its
 * modules make capset, keyctl, setfsuid ...); the client library (libmariadb,
 * libmysqlclient, or a client that has it built in) loads the
 * authentication plugin the server asks for from its own
 * (caching_sha2_password.so ...), or from MARIADB_PLUGIN_DIR or
 * LIBMYSQL_PLUGIN_DIR.  Each object with a mark gets the folder compiled
 * into it (a server's and a client library's differ: Debian's
 * /usr/lib/mysql/plugin and /usr/lib/x86_64-linux-gnu/libmariadb3/plugin);
 * one that names none, the folders the packages use.
 */
static void mysql_plugins(struct found *f, const struct root_reader *rr, const struct runtimes_process *p,
			  unsigned marks)
{
	static const char *const defaults[] = { "/usr/lib/mysql/plugin", "/usr/lib64/mysql/plugin",
						"/usr/local/mysql/lib/plugin" };

	for (size_t i = p->done; i < p->nr; i++) {
		const struct runtimes_object *o = p->objs[i];

		if (!(o->marks & (RUNTIMES_MYSQL | RUNTIMES_MYSQL_CLIENT)))
			continue;
		if (o->plugin_dir)
			found_walk(f, rr, o->plugin_dir, 1, ".so", ANALYSIS_LOAD_MYSQL);
		for (size_t d = 0; !o->plugin_dir && d < ARRAY_SIZE(defaults); d++)
			found_walk(f, rr, defaults[d], 1, ".so", ANALYSIS_LOAD_MYSQL);
	}
	if (marks & RUNTIMES_MYSQL_CLIENT) {
		env_walk(f, rr, p, "MARIADB_PLUGIN_DIR", '\0', 1, ".so", ANALYSIS_LOAD_MYSQL);
		env_walk(f, rr, p, "LIBMYSQL_PLUGIN_DIR", '\0', 1, ".so", ANALYSIS_LOAD_MYSQL);
	}
}

/* ---- GLib's family: GIO modules, gdk-pixbuf loaders, GStreamer plugins ---- */

/* Walk the module folder compiled into each object new this round that has 'mark' (its plugin_dir). */
static void compiled_dirs(struct found *f, const struct root_reader *rr, const struct runtimes_process *p,
			  unsigned mark, unsigned depth, enum analysis_load why)
{
	for (size_t i = p->done; i < p->nr; i++)
		if ((p->objs[i]->marks & mark) && p->objs[i]->plugin_dir)
			found_walk(f, rr, p->objs[i]->plugin_dir, depth, ".so", why);
}

/* The loaders a gdk-pixbuf cache file lists: each line '"/PATH/NAME.so"' (at most RUNTIMES_MAX). */
static void pixbuf_cache(struct found *f, const struct root_reader *rr, const struct runtimes_process *p)
{
	const char *v = env_of(p, "GDK_PIXBUF_MODULE_FILE");
	char *path, *text;

	if (!v || !*v)
		return;
	path = env_dir(p, v, strlen(v));
	text = rr->read(rr->ctx, path, 1 << 20, NULL);
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n'), *end;

		if (nl)
			*nl = '\0';
		end = line[0] == '"' && line[1] == '/' ? strchr(line + 1, '"') : NULL;
		if (end && end - line > 4 && !strncmp(end - 3, ".so", 3))
			found_add(f, path_tidy(line + 1, (size_t)(end - line - 1)), ANALYSIS_LOAD_PIXBUF);
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	free(path);
}

/*
 * GLib's libgio loads every module of its module folder (GIO_MODULE_DIR,
 * else the one compiled into it: the table's, or the string ending in
 * /gio/modules) and of GIO_EXTRA_MODULES's folders: TLS (glib-networking),
 * proxies, settings backends (dconf).  gdk-pixbuf loads the image loaders
 * its loaders.cache lists (under the table's folders), or those of the
 * cache GDK_PIXBUF_MODULE_FILE names and of GDK_PIXBUF_MODULEDIR.
 * GStreamer scans GST_PLUGIN_PATH(_1_0) and GST_PLUGIN_SYSTEM_PATH(_1_0)
 * recursively, in the process and in its gst-plugin-scanner helper.
 */
static void glib_modules(struct found *f, const struct root_reader *rr, const struct runtimes_process *p,
			 unsigned marks)
{
	static const char *const gst_vars[] = { "GST_PLUGIN_PATH", "GST_PLUGIN_PATH_1_0", "GST_PLUGIN_SYSTEM_PATH",
						"GST_PLUGIN_SYSTEM_PATH_1_0" };

	compiled_dirs(f, rr, p, RUNTIMES_GIO, 1, ANALYSIS_LOAD_GIO);
	if (marks & RUNTIMES_GIO) {
		env_walk(f, rr, p, "GIO_MODULE_DIR", '\0', 1, ".so", ANALYSIS_LOAD_GIO);
		env_walk(f, rr, p, "GIO_EXTRA_MODULES", ':', 1, ".so", ANALYSIS_LOAD_GIO);
	}
	if (marks & RUNTIMES_PIXBUF) {
		env_walk(f, rr, p, "GDK_PIXBUF_MODULEDIR", '\0', 1, ".so", ANALYSIS_LOAD_PIXBUF);
		pixbuf_cache(f, rr, p);
	}
	for (size_t v = 0; (marks & RUNTIMES_GST) && v < ARRAY_SIZE(gst_vars); v++)
		env_walk(f, rr, p, gst_vars[v], ':', 4, ".so", ANALYSIS_LOAD_GST);
}

/*
 * ImageMagick's MagickCore (built with modules, as Debian's and the
 * official builds are) loads the coder of each image format it reads or
 * writes and the filters it runs, from the folders compiled into it
 * (LIBDIR/ImageMagick-VERSION/modules-Q16/coders and .../filters), or
 * from MAGICK_CODER_MODULE_PATH's and MAGICK_CODER_FILTER_PATH's.  The
 * format is a run-time string: every module counts.
 */
static void magick_modules(struct found *f, const struct root_reader *rr, const struct runtimes_process *p,
			   unsigned marks)
{
	for (size_t i = p->done; i < p->nr; i++) {
		const struct runtimes_object *o = p->objs[i];

		for (size_t d = 0; (o->marks & RUNTIMES_MAGICK) && d < 2; d++) {
			char *dir = o->dirs[d] ? path_tidy(o->dirs[d], strlen(o->dirs[d])) : NULL;

			if (dir)
				found_walk(f, rr, dir, 1, ".so", ANALYSIS_LOAD_MAGICK);
			free(dir);
		}
	}
	if (marks & RUNTIMES_MAGICK) {
		env_walk(f, rr, p, "MAGICK_CODER_MODULE_PATH", ':', 1, ".so", ANALYSIS_LOAD_MAGICK);
		env_walk(f, rr, p, "MAGICK_CODER_FILTER_PATH", ':', 1, ".so", ANALYSIS_LOAD_MAGICK);
	}
}

/*
 * SWI-Prolog's libswipl loads the foreign library of a Prolog library
 * (use_foreign_library: socket4pl for library(socket), process for
 * library(process), ...) from HOME/lib/x86_64-linux: HOME compiled into
 * it (a string ending in /swi-prolog or /swipl), or SWI_HOME_DIR.  Which libraries the program uses is its
 * Prolog code's affair: every one counts.
 */
static void swipl_libraries(struct found *f, const struct root_reader *rr, const struct runtimes_process *p,
			    unsigned marks)
{
	const char *home = env_of(p, "SWI_HOME_DIR");

	for (size_t i = p->done; i < p->nr; i++)
		for (size_t d = 0; (p->objs[i]->marks & RUNTIMES_SWIPL) && d < 2; d++)
			if (p->objs[i]->dirs[d]) {
				char *lib = xasprintf("%s/lib/x86_64-linux", p->objs[i]->dirs[d]);

				found_walk(f, rr, lib, 1, ".so", ANALYSIS_LOAD_SWIPL);
				free(lib);
			}
	if ((marks & RUNTIMES_SWIPL) && home && *home) {
		char *dir = env_dir(p, home, strlen(home)), *lib = xasprintf("%s/lib/x86_64-linux", dir);

		found_walk(f, rr, lib, 1, ".so", ANALYSIS_LOAD_SWIPL);
		free(lib);
		free(dir);
	}
}

/* The libraries of the Tcl packages in folder 'dir': those beside each DIR[/PKG]/pkgIndex.tcl. */
static void tcl_dir(struct found *f, const struct root_reader *rr, const char *dir)
{
	char **idx;
	size_t n = rr->walk(rr->ctx, dir, 2, "pkgIndex.tcl", &idx);

	for (size_t i = 0; i < n; i++) {
		char *pkg = path_dirname(idx[i]);

		found_walk(f, rr, pkg, 1, ".so", ANALYSIS_LOAD_TCL);
		free(pkg);
		free(idx[i]);
	}
	free(idx);
}

/*
 * Tcl's package require sources the pkgIndex.tcl of each folder of
 * auto_path and of their subfolders, and a package's index loads its
 * library (sqlite3's libtclsqlite3.so, tcltls.so) from its own folder.
 * auto_path: TCLLIBPATH's folders (a list, separated by white space),
 * the library folder and its parent, and tcl_pkgPath as Debian and the
 * upstream builds compile it in.  Which packages a script requires is
 * its affair: every library beside an index counts.
 */
static void tcl_packages(struct found *f, const struct root_reader *rr, const struct runtimes_process *p)
{
	static const char *const dirs[] = {
		"/usr/local/lib/tcltk", "/usr/local/share/tcltk", "/usr/lib/tcltk/x86_64-linux-gnu", "/usr/lib/tcltk",
		"/usr/share/tcltk", "/usr/lib/tcltk/tcl8.6", "/usr/share/tcltk/tcl8.6", "/usr/lib", "/usr/lib64",
		"/usr/local/lib", "/usr/lib/x86_64-linux-gnu/tcl8.6", "/usr/lib/tcl8.6", "/usr/share/tcl8.6",
	};
	const char *v = env_of(p, "TCLLIBPATH");

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		tcl_dir(f, rr, dirs[i]);
	for (size_t n = 0; v && *v && n < ENV_DIRS_MAX;) {
		size_t len;
		char *dir;

		while (*v == ' ' || *v == '\t' || *v == '\n')
			v++;
		len = strcspn(v, " \t\n");
		if (!len)
			break;
		dir = env_dir(p, v, len);
		tcl_dir(f, rr, dir);
		free(dir);
		v += len;
		n++;
	}
}

/*
 * R's library() loads a package's shared library from PKG/libs of the
 * library folder it finds the package in: R_HOME's library and
 * site-library (Debian's /usr/lib/R, the rocker images' and upstream's
 * /usr/local/lib/R, /usr/lib64/R), Debian's /usr/local/lib/R/site-library,
 * and the folders R_LIBS, R_LIBS_SITE and R_LIBS_USER list (the
 * httpuv server's libuv, processx's process handling...).  Which
 * packages a script loads is its affair: every package counts.
 */
static void r_packages(struct found *f, const struct root_reader *rr, const struct runtimes_process *p)
{
	static const char *const homes[] = { "/usr/lib/R", "/usr/local/lib/R", "/usr/lib64/R", "/opt/R/lib/R" };
	static const char *const vars[] = { "R_LIBS", "R_LIBS_SITE", "R_LIBS_USER" };
	const char *home = env_of(p, "R_HOME");
	char **dirs;
	size_t n;

	for (size_t i = 0; i <= ARRAY_SIZE(homes); i++) {
		char *h = i < ARRAY_SIZE(homes) ? xstrdup(homes[i]) : home && *home ? env_dir(p, home, strlen(home)) : NULL;
		char *lib = h ? xasprintf("%s/library", h) : NULL, *site = h ? xasprintf("%s/site-library", h) : NULL;

		if (h) {
			found_walk(f, rr, lib, 3, ".so", ANALYSIS_LOAD_R);
			found_walk(f, rr, site, 3, ".so", ANALYSIS_LOAD_R);
		}
		free(site);
		free(lib);
		free(h);
	}
	for (size_t v = 0; v < ARRAY_SIZE(vars); v++) {
		n = env_folders(p, vars[v], ':', &dirs);
		for (size_t i = 0; i < n; i++)
			found_walk(f, rr, dirs[i], 3, ".so", ANALYSIS_LOAD_R);
		free_strv(dirs, n);
	}
}

/* ---- OpenLDAP's slapd: the modules its configuration loads --------------- */

static const char *const slapd_module_dirs[] = {
	"/usr/lib/ldap", "/usr/lib/x86_64-linux-gnu/openldap", "/usr/libexec/openldap", "/usr/local/libexec/openldap",
	"/opt/bitnami/openldap/lib/openldap",
};

struct slapd_conf {
	char *paths[16];     /* modulepath's folders (none: the packages') */
	size_t paths_nr;
	char *loads[64];     /* moduleload's names */
	size_t loads_nr;
};

static void slapd_conf_release(struct slapd_conf *c)
{
	for (size_t i = 0; i < c->paths_nr; i++)
		free(c->paths[i]);
	for (size_t i = 0; i < c->loads_nr; i++)
		free(c->loads[i]);
	*c = (struct slapd_conf){ .paths_nr = 0 };
}

/* The first word of 'v' (after spaces, and after a cn=config ordering prefix "{N}" when 'ordered'). */
static char *first_word(const char *v, bool ordered)
{
	size_t len;

	v += strspn(v, " \t");
	if (ordered && *v == '{' && strchr(v, '}'))
		v = strchr(v, '}') + 1;
	len = strcspn(v, " \t\r");
	return len ? xstrndup(v, len) : NULL;
}

/*
 * One configuration's module lines: slapd.conf's "modulepath DIRS" and
 * "moduleload FILE", or a cn=module entry's "olcModulePath: DIRS" and
 * "olcModuleLoad: {N}FILE" (ldif: 'ldif' set).
 */
static void slapd_conf_parse(struct slapd_conf *c, char *text, bool ldif)
{
	const char *path_key = ldif ? "olcModulePath:" : "modulepath", *load_key = ldif ? "olcModuleLoad:" : "moduleload";

	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line += strspn(line, " \t");
		if (!strncasecmp(line, path_key, strlen(path_key)) &&
		    (ldif || line[strlen(path_key)] == ' ' || line[strlen(path_key)] == '\t')) {
			char *dirs = first_word(line + strlen(path_key), false);

			for (char *d = dirs, *colon; d && *d && c->paths_nr < ARRAY_SIZE(c->paths); d = colon ? colon + 1 : NULL) {
				colon = strchr(d, ':');
				if (colon)
					*colon = '\0';
				if (d[0] == '/')
					c->paths[c->paths_nr++] = path_tidy(d, strlen(d));
				if (!colon)
					break;
			}
			free(dirs);
		} else if (!strncasecmp(line, load_key, strlen(load_key)) &&
			   (ldif || line[strlen(load_key)] == ' ' || line[strlen(load_key)] == '\t')) {
			char *name = first_word(line + strlen(load_key), ldif);

			if (name && c->loads_nr < ARRAY_SIZE(c->loads))
				c->loads[c->loads_nr++] = name;
			else
				free(name);
		}
	}
}

/* Add the files module 'name' may be in (libltdl tries NAME, NAME.la as NAME.so, NAME.so). */
static void slapd_load(struct found *f, const struct slapd_conf *c, const char *name)
{
	const char *const *dirs = (const char *const *)c->paths;
	size_t dirs_nr = c->paths_nr;
	size_t len = strlen(name);

	if (!dirs_nr) {
		dirs = slapd_module_dirs;
		dirs_nr = ARRAY_SIZE(slapd_module_dirs);
	}
	for (size_t i = 0; i < (name[0] == '/' ? 1 : dirs_nr); i++) {
		char *base = name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", dirs[i], name);

		if (str_has_suffix(name, ".so")) {
			found_add(f, base, ANALYSIS_LOAD_MODULE);
			continue;
		}
		if (len > 3 && !strcmp(name + len - 3, ".la"))
			base[strlen(base) - 3] = '\0';
		found_add(f, xasprintf("%s.so", base), ANALYSIS_LOAD_MODULE);
		free(base);
	}
}

static void slapd_conf_apply(struct found *f, struct slapd_conf *c)
{
	for (size_t i = 0; i < c->loads_nr; i++)
		slapd_load(f, c, c->loads[i]);
	slapd_conf_release(c);
}

/*
 * slapd loads the backend and overlay modules its configuration names:
 * the cn=module entries of a slapd.d folder (olcModuleLoad, from
 * olcModulePath's folders) or slapd.conf's moduleload lines (from
 * modulepath's), the packages' module folders by default.  The places
 * read are Debian's /etc/ldap, /etc/openldap, upstream's
 * /usr/local/etc/openldap and Bitnami's; one that -f or -F names is not
 * known.  With no configuration there (an image that writes its own when
 * the container starts), every module of the module folders counts: that
 * may include back_perl, whose Perl code can make any call.
 */
/* slapd.conf 'conf' and the cn=config entries of slapd.d folder 'dir' (either may be NULL): their module lines. */
static void slapd_read(struct found *f, const struct root_reader *rr, const char *conf, const char *dir,
		       bool *configured)
{
	char *text = conf ? rr->read(rr->ctx, conf, 1 << 20, NULL) : NULL, **ldifs = NULL;
	char *cn = dir ? xasprintf("%s/cn=config", dir) : NULL;
	size_t n = cn ? rr->walk(rr->ctx, cn, 1, ".ldif", &ldifs) : 0;

	if (text) {
		struct slapd_conf c = { .paths_nr = 0 };

		*configured = true;
		slapd_conf_parse(&c, text, false);
		slapd_conf_apply(f, &c);
		free(text);
	}
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(ldifs[i], '/');

		*configured = true;
		if (base && !strncmp(base + 1, "cn=module", 9) && (text = rr->read(rr->ctx, ldifs[i], 1 << 20, NULL))) {
			struct slapd_conf c = { .paths_nr = 0 };

			slapd_conf_parse(&c, text, true);
			slapd_conf_apply(f, &c);
			free(text);
		}
		free(ldifs[i]);
	}
	free(ldifs);
	free(cn);
}

/*
 * The packages' places, and the file (-f) or folder (-F) the arguments
 * name when they are known (the image's Entrypoint/Cmd program).
 */
static void slapd_modules(struct found *f, const struct root_reader *rr, const struct runtimes_process *p)
{
	static const char *const etcs[] = { "/etc/ldap", "/etc/openldap", "/usr/local/etc/openldap",
					    "/opt/bitnami/openldap/etc" };
	bool configured = false;

	for (size_t i = 1; i + 1 < p->argc; i++)
		if (!strcmp(p->argv[i], "-f") || !strcmp(p->argv[i], "-F")) {
			char *given = env_dir(p, p->argv[i + 1], strlen(p->argv[i + 1]));

			slapd_read(f, rr, p->argv[i][1] == 'f' ? given : NULL, p->argv[i][1] == 'F' ? given : NULL,
				   &configured);
			free(given);
		}
	for (size_t e = 0; e < ARRAY_SIZE(etcs); e++) {
		char *conf = xasprintf("%s/slapd.conf", etcs[e]), *dir = xasprintf("%s/slapd.d", etcs[e]);

		slapd_read(f, rr, conf, dir, &configured);
		free(conf);
		free(dir);
	}
	for (size_t d = 0; !configured && d < ARRAY_SIZE(slapd_module_dirs); d++)
		found_walk(f, rr, slapd_module_dirs[d], 1, ".so", ANALYSIS_LOAD_MODULE);
}

/* ---- collectd: the plugins its configuration loads ------------------------ */

static const char *const collectd_dirs[] = { "/usr/lib/collectd", "/usr/lib64/collectd", "/usr/local/lib/collectd",
					     "/opt/collectd/lib/collectd" };
static const char *const collectd_confs[] = { "/etc/collectd/collectd.conf", "/etc/collectd.conf",
					      "/usr/local/etc/collectd.conf", "/opt/collectd/etc/collectd.conf" };

#define COLLECTD_FILES_MAX 64  /* files one configuration reads, Include'd ones too */
#define COLLECTD_LOADS_MAX 256
#define COLLECTD_DEPTH 8       /* Include levels */

struct collectd_conf {
	char *plugin_dir;                /* PluginDir, or NULL */
	char *loads[COLLECTD_LOADS_MAX]; /* LoadPlugin's names, and <Plugin NAME>'s (AutoLoadPlugin) */
	size_t loads_nr;
	size_t files;                    /* files read */
};

/* The value at v: "quoted" or a bare word (up to a blank or '>'); NULL when none.  *rest: after it. */
static char *conf_value(const char *v, const char **rest)
{
	size_t len;

	v += strspn(v, " \t");
	if (*v == '"') {
		len = strcspn(v + 1, "\"\n");
		*rest = v + 1 + len + (v[1 + len] == '"');
		return len ? xstrndup(v + 1, len) : NULL;
	}
	len = strcspn(v, " \t\r\n>");
	*rest = v + len;
	return len ? xstrndup(v, len) : NULL;
}

/* What follows 'key' when the line starts with it and a blank, else NULL. */
static const char *conf_key(const char *line, const char *key)
{
	size_t n = strlen(key);

	return !strncasecmp(line, key, n) && (line[n] == ' ' || line[n] == '\t') ? line + n : NULL;
}

static void collectd_read(struct collectd_conf *c, const struct root_reader *rr, const char *path,
			  const char *filter, unsigned depth);

/* Include "PATH" ["FILTER"]: a file, a folder (its files, FILTER matching their names) or a glob. */
static void collectd_include(struct collectd_conf *c, const struct root_reader *rr, const char *path,
			     const char *filter, unsigned depth)
{
	const char *slash = strrchr(path, '/');

	if (slash && strpbrk(slash + 1, "*?[")) {
		char *dir = xstrndup(path, (size_t)(slash - path));

		collectd_read(c, rr, dir[0] ? dir : "/", slash + 1, depth);
		free(dir);
		return;
	}
	collectd_read(c, rr, path, filter, depth);
}

/*
 * Read configuration file 'path' (or, when it is a folder, its files whose
 * names match 'filter'): LoadPlugin NAME, <LoadPlugin NAME>, <Plugin NAME>
 * (AutoLoadPlugin loads those), PluginDir and Include lines.
 */
static void collectd_read(struct collectd_conf *c, const struct root_reader *rr, const char *path,
			  const char *filter, unsigned depth)
{
	char *text, **entries;
	size_t n;

	if (depth > COLLECTD_DEPTH || c->files >= COLLECTD_FILES_MAX || path[0] != '/')
		return;
	text = rr->read(rr->ctx, path, 1 << 20, NULL);
	if (!text) {
		n = rr->list(rr->ctx, path, &entries);
		for (size_t i = 0; i < n; i++) {
			const char *base = strrchr(entries[i], '/');

			if (!filter || fnmatch(filter, base ? base + 1 : entries[i], 0) == 0)
				collectd_read(c, rr, entries[i], filter, depth + 1);
			free(entries[i]);
		}
		free(entries);
		return;
	}
	c->files++;
	for (char *line = text, *next; line && *line; line = next) {
		const char *rest, *after;
		char *v = NULL, *f = NULL;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line += strspn(line, " \t");
		if (*line == '<')
			line++;
		if ((after = conf_key(line, "LoadPlugin")) || (after = conf_key(line, "Plugin"))) {
			v = conf_value(after, &rest);
			if (v && !strchr(v, '/') && c->loads_nr < COLLECTD_LOADS_MAX) {
				c->loads[c->loads_nr++] = v;
				v = NULL;
			}
		} else if ((after = conf_key(line, "PluginDir"))) {
			v = conf_value(after, &rest);
			if (v && v[0] == '/') {
				free(c->plugin_dir);
				c->plugin_dir = v;
				v = NULL;
			}
		} else if ((after = conf_key(line, "Include"))) {
			v = conf_value(after, &rest);
			f = conf_value(rest, &rest);
			if (v)
				collectd_include(c, rr, v, f, depth + 1);
		}
		free(v);
		free(f);
	}
	free(text);
}

/*
 * collectd loads the plugins its configuration names (LoadPlugin, and
 * <Plugin> blocks under AutoLoadPlugin) from PluginDir, by default its
 * compiled-in folder.  The configuration is the file -C names when the
 * arguments are known (the image's Cmd), else the compiled-in one and the
 * packages' places.  With none readable, every plugin counts: that
 * includes perl.so and python.so, whose interpreters can make any call.
 */
static void collectd_plugins(struct found *f, const struct root_reader *rr, const struct runtimes_process *p)
{
	struct collectd_conf c = { .plugin_dir = NULL };
	const char *dirs[ARRAY_SIZE(collectd_dirs) + 1] = { NULL };
	char *given = NULL, *compiled_conf = NULL;
	size_t nd = 0;

	for (size_t i = 0; i < p->nr; i++)
		if (p->objs[i]->marks & RUNTIMES_COLLECTD) {
			if (!dirs[0] && p->objs[i]->plugin_dir)
				dirs[nd++] = p->objs[i]->plugin_dir;
			if (!compiled_conf && p->objs[i]->dirs[0])
				compiled_conf = p->objs[i]->dirs[0];
		}
	for (size_t i = 0; i < ARRAY_SIZE(collectd_dirs); i++)
		if (!dirs[0] || strcmp(dirs[0], collectd_dirs[i]))
			dirs[nd++] = collectd_dirs[i];
	for (size_t i = 1; i < p->argc; i++) {
		const char *a = p->argv[i];

		if (!strcmp(a, "-C") && i + 1 < p->argc)
			a = p->argv[++i];
		else if (!strncmp(a, "-C", 2) && a[2])
			a += 2;
		else
			continue;
		free(given);
		given = env_dir(p, a, strlen(a));
	}
	if (given) {
		collectd_read(&c, rr, given, NULL, 0);
	} else {
		if (compiled_conf)
			collectd_read(&c, rr, compiled_conf, NULL, 0);
		for (size_t i = 0; i < ARRAY_SIZE(collectd_confs); i++)
			if (!compiled_conf || strcmp(compiled_conf, collectd_confs[i]))
				collectd_read(&c, rr, collectd_confs[i], NULL, 0);
	}
	if (c.plugin_dir) {
		dirs[0] = c.plugin_dir;
		nd = 1;
	}
	for (size_t d = 0; d < nd; d++) {
		if (!c.files)
			found_walk(f, rr, dirs[d], 1, ".so", ANALYSIS_LOAD_MODULE);
		for (size_t i = 0; c.files && i < c.loads_nr; i++)
			found_add(f, xasprintf("%s/%s.so", dirs[d], c.loads[i]), ANALYSIS_LOAD_MODULE);
	}
	for (size_t i = 0; i < c.loads_nr; i++)
		free(c.loads[i]);
	free(c.plugin_dir);
	free(given);
}

/* ---- uWSGI: the plugins its options load ---------------------------------- */

static const char *const uwsgi_dirs[] = { "/usr/lib/uwsgi/plugins", "/usr/local/lib/uwsgi/plugins",
					  "/usr/lib64/uwsgi", "/usr/lib/uwsgi" };

#define UWSGI_NAMES_MAX 64
#define UWSGI_FILES_MAX 16 /* ini files read, included ones too */

struct uwsgi_opts {
	char *names[UWSGI_NAMES_MAX]; /* plugins: NAME or a path */
	size_t names_nr;
	char *dirs[8];                /* --plugins-dir */
	size_t dirs_nr;
	size_t files;
	bool unknown; /* something that may load any plugin: every one counts */
};

/* A comma (or blank) separated list of plugin names. */
static void uwsgi_names(struct uwsgi_opts *u, const char *list)
{
	if (strpbrk(list, "%$@")) { /* placeholders and magic: %(x), $(ENV), @(file) */
		u->unknown = true;
		return;
	}
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ", \t");

		if (len && u->names_nr < UWSGI_NAMES_MAX)
			u->names[u->names_nr++] = xstrndup(p, len);
		else if (len)
			u->unknown = true;
		p += len;
		p += strspn(p, ", \t");
	}
}

static void uwsgi_ini(struct uwsgi_opts *u, const struct root_reader *rr, const struct runtimes_process *p,
		      const char *file, unsigned depth);

/*
 * One option, from the arguments (--NAME VALUE), an ini file (NAME = VALUE)
 * or the environment (UWSGI_NAME): the plugins it loads, the files it
 * reads, or 'unknown' for one that may load any plugin.
 */
static void uwsgi_option(struct uwsgi_opts *u, const struct root_reader *rr, const struct runtimes_process *p,
			 const char *name, const char *value, unsigned depth)
{
	if (!strcmp(name, "plugin") || !strcmp(name, "plugins") || !strcmp(name, "need-plugin") ||
	    !strcmp(name, "need-plugins")) {
		uwsgi_names(u, value);
	} else if (!strcmp(name, "plugins-dir") || !strcmp(name, "plugin-dir")) {
		if (strpbrk(value, "%$@"))
			u->unknown = true;
		else if (u->dirs_nr < ARRAY_SIZE(u->dirs))
			u->dirs[u->dirs_nr++] = env_dir(p, value, strlen(value));
	} else if (!strcmp(name, "ini") || !strcmp(name, "inherit")) {
		uwsgi_ini(u, rr, p, value, depth + 1);
	} else if (!strcmp(name, "yaml") || !strcmp(name, "yml") || !strcmp(name, "json") || !strcmp(name, "js") ||
		   !strcmp(name, "xml") || !strcmp(name, "xmlconfig") || !strcmp(name, "sqlite3") ||
		   !strcmp(name, "ldap") || !strcmp(name, "emperor") || !strcmp(name, "autoload") ||
		   !strcmp(name, "include") || !strcmp(name, "config") || !strcmp(name, "fallback-config")) {
		u->unknown = true; /* configurations not read here, vassals, plugins loaded on demand */
	}
}

/* An ini file (FILE or FILE:SECTION, default [uwsgi]): its options, in that section. */
static void uwsgi_ini(struct uwsgi_opts *u, const struct root_reader *rr, const struct runtimes_process *p,
		      const char *file, unsigned depth)
{
	const char *colon = strrchr(file, ':');
	char *path, *section, *text, *in = NULL;

	if (depth > 8 || u->files >= UWSGI_FILES_MAX || strpbrk(file, "%$@") || strstr(file, "://")) {
		u->unknown = true;
		return;
	}
	section = xstrdup(colon && !strchr(colon, '/') && colon[1] ? colon + 1 : "uwsgi");
	path = env_dir(p, file, colon && !strchr(colon, '/') && colon[1] ? (size_t)(colon - file) : strlen(file));
	text = rr->read(rr->ctx, path, 1 << 20, NULL);
	if (!text) {
		u->unknown = true; /* unreadable here: uWSGI would fail, or read what this cannot see */
	} else {
		u->files++;
		for (char *line = text, *next; line && *line; line = next) {
			char *eq, *k, *v;

			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			line += strspn(line, " \t");
			if (*line == '[') {
				char *end = strchr(line, ']');

				free(in);
				in = end ? xstrndup(line + 1, (size_t)(end - line - 1)) : NULL;
				continue;
			}
			if (!in || strcmp(in, section) || *line == ';' || *line == '#' || !(eq = strchr(line, '=')))
				continue;
			k = line;
			v = eq + 1;
			while (eq > k && (eq[-1] == ' ' || eq[-1] == '\t'))
				eq--;
			*eq = '\0';
			v += strspn(v, " \t");
			for (size_t l = strlen(v); l && (v[l - 1] == '\r' || v[l - 1] == ' ' || v[l - 1] == '\t');)
				v[--l] = '\0';
			uwsgi_option(u, rr, p, k, v, depth);
		}
	}
	free(in);
	free(text);
	free(path);
	free(section);
}

/*
 * uWSGI (an object exporting uwsgi_load_plugin) loads the plugins its
 * options name: --plugin, --plugins, --need-plugin(s) (comma lists of
 * NAMEs, each DIR/NAME_plugin.so in --plugins-dir's folders and the
 * packages', or a path), in its arguments, in the ini files it reads
 * (--ini FILE[:SECTION], a FILE.ini argument, ini = and inherit = in
 * them) and in the environment (UWSGI_PLUGINS ...); and the plugin its
 * own name names (Debian's uwsgi_python3 loads python3).  Every plugin
 * counts when the arguments are not known (analyze FILE, a uwsgi a
 * script starts), or when they hold what this does not read: another
 * configuration format, --emperor (vassals), --autoload, placeholders.
 */
static void uwsgi_plugins(struct found *f, const struct root_reader *rr, const struct runtimes_process *p)
{
	static const char *const env_names[][2] = { { "UWSGI_PLUGIN", "plugin" }, { "UWSGI_PLUGINS", "plugins" },
						     { "UWSGI_NEED_PLUGIN", "need-plugin" },
						     { "UWSGI_NEED_PLUGINS", "need-plugins" },
						     { "UWSGI_PLUGINS_DIR", "plugins-dir" }, { "UWSGI_INI", "ini" },
						     { "UWSGI_YAML", "yaml" }, { "UWSGI_JSON", "json" },
						     { "UWSGI_XML", "xml" }, { "UWSGI_EMPEROR", "emperor" },
						     { "UWSGI_AUTOLOAD", "autoload" } };
	const char *const named[] = { p->given, p->argc ? p->argv[0] : NULL };
	struct uwsgi_opts u = { .names_nr = 0 };

	u.unknown = !p->argc;
	for (size_t i = 1; i < p->argc && !u.unknown; i++) {
		const char *a = p->argv[i], *eq;
		size_t l = strlen(a);

		if (!strcmp(a, "-x") || !strcmp(a, "-y") || !strcmp(a, "-j")) {
			u.unknown = true; /* xml, yaml, json configurations */
		} else if (a[0] == '-' && a[1] == '-' && a[2]) {
			char *name = (eq = strchr(a, '=')) ? xstrndup(a + 2, (size_t)(eq - a - 2)) : xstrdup(a + 2);
			const char *value = eq ? eq + 1 : i + 1 < p->argc ? p->argv[i + 1] : "";

			uwsgi_option(&u, rr, p, name, value, 0);
			free(name);
		} else if (a[0] != '-' && l > 4 && !strcmp(a + l - 4, ".ini")) {
			uwsgi_ini(&u, rr, p, a, 0);
		} else if (a[0] != '-' && (str_has_suffix(a, ".xml") || str_has_suffix(a, ".yaml") ||
					   str_has_suffix(a, ".yml") || str_has_suffix(a, ".json") ||
					   str_has_suffix(a, ".js"))) {
			u.unknown = true;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(env_names) && !u.unknown; i++) {
		const char *v = env_of(p, env_names[i][0]);

		if (v)
			uwsgi_option(&u, rr, p, env_names[i][1], v, 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(named); i++) {
		const char *base = named[i] ? strrchr(named[i], '/') : NULL;

		base = base ? base + 1 : named[i];
		if (base && !strncmp(base, "uwsgi_", 6) && base[6] && u.names_nr < UWSGI_NAMES_MAX)
			u.names[u.names_nr++] = xstrdup(base + 6);
	}
	for (size_t d = 0; d < ARRAY_SIZE(uwsgi_dirs) && u.unknown; d++)
		found_walk(f, rr, uwsgi_dirs[d], 1, ".so", ANALYSIS_LOAD_MODULE);
	for (size_t d = 0; d < u.dirs_nr && u.unknown; d++)
		found_walk(f, rr, u.dirs[d], 1, ".so", ANALYSIS_LOAD_MODULE);
	for (size_t i = 0; i < u.names_nr && !u.unknown; i++) {
		/* "x:python3" loads python3 */
		const char *n = strrchr(u.names[i], ':') ? strrchr(u.names[i], ':') + 1 : u.names[i];

		if (strchr(n, '/')) {
			char *with = xasprintf("%s_plugin.so", n);

			found_add(f, env_dir(p, n, strlen(n)), ANALYSIS_LOAD_MODULE);
			found_add(f, env_dir(p, with, strlen(with)), ANALYSIS_LOAD_MODULE);
			free(with);
			continue;
		}
		for (size_t d = 0; d < u.dirs_nr; d++)
			found_add(f, xasprintf("%s/%s_plugin.so", u.dirs[d], n), ANALYSIS_LOAD_MODULE);
		for (size_t d = 0; d < ARRAY_SIZE(uwsgi_dirs); d++)
			found_add(f, xasprintf("%s/%s_plugin.so", uwsgi_dirs[d], n), ANALYSIS_LOAD_MODULE);
	}
	for (size_t i = 0; i < u.names_nr; i++)
		free(u.names[i]);
	for (size_t i = 0; i < u.dirs_nr; i++)
		free(u.dirs[i]);
}

/* ---- Erlang: NIFs and drivers from the applications' priv folders -------- */

/*
 * The Erlang VM (beam.smp, which exports the NIF API, enif_*) loads native
 * code by paths Erlang code computes: erlang:load_nif/2 and
 * erl_ddll:load_driver/2 with code:priv_dir(App), ROOT/lib/APP-VSN/priv
 * for the applications of the installation or release beam.smp belongs to
 * (ROOT/erts-VSN/bin/beam.smp: Debian's /usr/lib/erlang, a release's own
 * folder), and those in ERL_LIBS's folders.  crypto's NIF brings libcrypto,
 * which beam.smp does not link (its random seeding makes shmget, shmat and
 * shmdt; its afalg engine AIO calls).  So a process with the mark gets
 * every .so of those applications, down to APP/priv/native/ARCH/NAME.so.
 */
static void erlang_nifs(struct found *f, const struct root_reader *rr, const struct runtimes_process *p)
{
	const char *const programs[] = { p->given, p->paths[0] }; /* as named, as it really is */
	char *walked = NULL;

	for (size_t k = 0; k < ARRAY_SIZE(programs); k++) {
		char *bin = path_dirname(programs[k]), *erts = path_dirname(bin), *base = strrchr(erts, '/');
		char *root = base && !strncmp(base + 1, "erts-", 5) ? path_dirname(erts) : xstrdup(erts);
		char *lib = xasprintf("%s/lib", strcmp(root, "/") ? root : "");

		if (!walked || strcmp(walked, lib))
			found_walk(f, rr, lib, 5, ".so", ANALYSIS_LOAD_ERLANG);
		free(walked);
		walked = lib;
		free(root);
		free(erts);
		free(bin);
	}
	free(walked);
	env_walk(f, rr, p, "ERL_LIBS", ':', 5, ".so", ANALYSIS_LOAD_ERLANG);
}

/* ---- Perl and Ruby: modules their code loads by names it computes ------- */

/*
 * Perl's DynaLoader loads an XS module (POSIX, Socket, Fcntl ...) when
 * code says use or require, from auto/ in an @INC folder; Ruby's require
 * loads a C extension (socket.so, io/console.so, a gem's native code) from
 * its load path or a gem's folder.  Which ones run depends on the code,
 * and the interpreter's syscall builtin is read from the code
 * (langsys.h), so every module of the interpreter's folders counts: the
 * packages' (Debian's, the official images' under /usr/local, Red Hat's
 * lib64, Alpine's perl5 and ruby), for the program's prefix, /usr and
 * /usr/local, PERL5LIB, PERLLIB, RUBYLIB, GEM_HOME, GEM_PATH and
 * BUNDLE_PATH, and the command line's -I folders (when it is known: the
 * image's Entrypoint/Cmd).
 */
/*
 * The code may name folders itself: `use lib '/app/lib'`, FindBin's
 * `$Bin/../local/lib/perl5`, `$LOAD_PATH.unshift`, a bundle in the
 * application's vendor/ without BUNDLE_PATH.  With the whole root
 * readable, every Perl XS module of the image (a .so in an auto/ folder:
 * DynaLoader's auto/Foo/Bar/Bar.so) or every Ruby extension of a gem or a
 * bundle (a .so under a gems/ or extensions/ folder) is in the process,
 * wherever it is.
 */
static void interp_modules_anywhere(struct found *f, const struct root_reader *rr, bool ruby, enum analysis_load why)
{
	char **top;
	size_t n = rr->list(rr->ctx, "/", &top);

	for (size_t i = 0; i < n; i++) {
		char **paths;
		size_t m;

		if (!strcmp(top[i], "/proc") || !strcmp(top[i], "/sys") || !strcmp(top[i], "/dev"))
			continue;
		m = rr->walk(rr->ctx, top[i], 32, ".so", &paths);
		for (size_t k = 0; k < m; k++) {
			if (ruby ? strstr(paths[k], "/gems/") || strstr(paths[k], "/extensions/")
				 : strstr(paths[k], "/auto/") != NULL)
				found_add(f, paths[k], why);
			else
				free(paths[k]);
		}
		free(paths);
	}
	free_strv(top, n);
}

static void interp_modules(struct found *f, const struct root_reader *rr, const struct runtimes_process *p,
			   bool ruby)
{
	static const char *const perl_dirs[] = {
		"lib/x86_64-linux-gnu/perl5", "lib/x86_64-linux-gnu/perl", "lib/x86_64-linux-gnu/perl-base",
		"lib/perl5", "lib64/perl5", "share/perl5", "lib/site_perl", "lib/perl",
	};
	static const char *const ruby_dirs[] = {
		"lib/x86_64-linux-gnu/ruby", "lib/ruby", "lib64/ruby", "share/rubygems-integration",
		"lib/x86_64-linux-gnu/rubygems-integration", "bundle",
	};
	const char *const *dirs = ruby ? ruby_dirs : perl_dirs;
	size_t nd = ruby ? ARRAY_SIZE(ruby_dirs) : ARRAY_SIZE(perl_dirs);
	enum analysis_load why = ruby ? ANALYSIS_LOAD_RUBY : ANALYSIS_LOAD_PERL;
	struct prefixes ps;

	prefixes_of(p, true, &ps);
	for (size_t q = 0; q < ps.nr; q++)
		for (size_t d = 0; d < nd; d++) {
			char *dir = xasprintf("%s/%s", ps.v[q], dirs[d]);

			found_walk(f, rr, dir, 12, ".so", why); /* auto/Foo/Bar/Bar.so; gems/NAME/lib/x/y.so */
			free(dir);
		}
	prefixes_release(&ps);
	/* The command line's -I DIR (-IDIR): perl -Ilocal/lib/perl5, ruby -I lib. */
	for (size_t i = 1; i < p->argc && p->argv[i]; i++) {
		const char *a = p->argv[i], *dir = NULL;
		char *d;

		if (!strcmp(a, "--") || a[0] != '-')
			break; /* the script, and its own arguments */
		if (!strcmp(a, "-I") && i + 1 < p->argc)
			dir = p->argv[++i];
		else if (!strncmp(a, "-I", 2) && a[2])
			dir = a + 2;
		if (!dir)
			continue;
		d = env_dir(p, dir, strlen(dir));
		found_walk(f, rr, d, 12, ".so", why);
		free(d);
	}
	if (ruby) {
		found_walk(f, rr, "/var/lib/gems", 12, ".so", why); /* Debian's gem install */
		env_walk(f, rr, p, "RUBYLIB", ':', 8, ".so", why);
		env_walk(f, rr, p, "GEM_HOME", ':', 12, ".so", why);
		env_walk(f, rr, p, "GEM_PATH", ':', 12, ".so", why);
		env_walk(f, rr, p, "BUNDLE_PATH", 0, 12, ".so", why); /* bundle install --path (vendor/bundle) */
	} else {
		env_walk(f, rr, p, "PERL5LIB", ':', 12, ".so", why);
		env_walk(f, rr, p, "PERLLIB", ':', 12, ".so", why);
	}
	if (p->whole_root)
		interp_modules_anywhere(f, rr, ruby, why);
}

size_t runtimes_find(const struct root_reader *rr, const struct runtimes_process *p, struct runtimes_module **out)
{
	struct found f = { 0 };
	unsigned all = 0, old = 0;

	strmap_init(&f.seen);
	for (size_t i = 0; i < p->nr; i++) {
		if (i < p->done) {
			old |= p->objs[i]->marks;
			continue;
		}
		all |= p->objs[i]->marks;
		if (p->objs[i]->marks & RUNTIMES_JLI)
			jdk_libs(&f, rr, p->paths[i]);
	}
	all &= ~old; /* a runtime an earlier round had: its folders are read */
	if (p->nr && (all & RUNTIMES_PYTHON))
		python_modules(&f, rr, p);
	for (size_t s = 0; s < ARRAY_SIZE(plugin_dirs); s++)
		for (size_t d = 0; (all & plugin_dirs[s].mark) && d < ARRAY_SIZE(plugin_dirs[s].dirs); d++)
			if (plugin_dirs[s].dirs[d])
				found_walk(&f, rr, plugin_dirs[s].dirs[d], plugin_dirs[s].depth, ".so", plugin_dirs[s].why);
	plugin_env(&f, rr, p, all);
	if (p->nr && (all & RUNTIMES_NODE))
		node_addons(&f, rr, p);
	if (p->nr && (all & RUNTIMES_POSTGRES))
		postgres_modules(&f, rr, p);
	if (p->nr && (all & RUNTIMES_PHP))
		php_extensions(&f, rr, p);
	openssl_modules(&f, rr, p, all);
	if (p->nr && (all & RUNTIMES_ERLANG))
		erlang_nifs(&f, rr, p);
	mysql_plugins(&f, rr, p, all);
	glib_modules(&f, rr, p, all);
	compiled_dirs(&f, rr, p, RUNTIMES_KRB5, 2, ANALYSIS_LOAD_KRB5); /* a libkrb5 built for another prefix */
	magick_modules(&f, rr, p, all);
	swipl_libraries(&f, rr, p, all);
	if (all & RUNTIMES_TCL)
		tcl_packages(&f, rr, p);
	if (all & RUNTIMES_R)
		r_packages(&f, rr, p);
	if (all & RUNTIMES_SLAPD)
		slapd_modules(&f, rr, p);
	if (p->nr && (all & RUNTIMES_COLLECTD))
		collectd_plugins(&f, rr, p);
	if (p->nr && (all & RUNTIMES_UWSGI))
		uwsgi_plugins(&f, rr, p);
	if (p->nr && (all & RUNTIMES_PERL))
		interp_modules(&f, rr, p, false);
	if (p->nr && (all & RUNTIMES_RUBY))
		interp_modules(&f, rr, p, true);
	strmap_release(&f.seen, NULL);
	*out = f.v;
	return f.nr;
}

void runtimes_release(struct runtimes_module *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

/* ---- SBCL: the C functions a core's Lisp code calls ----------------------- */

#define SBCL_CORE_MAGIC 0x5342434cull /* "SBCL": a core's first word, and an embedded core's last */
#define SBCL_CORE_MAX (1ull << 30)

struct names {
	struct strmap seen;
	char **v;
	size_t nr, alloc;
};

static bool ident_char(char c, bool first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_add(struct names *nm, const char *s, size_t len);

/* Add the names in data[0, len): NUL-delimited strings that are C identifiers. */
static void names_scan(struct names *nm, const char *data, size_t len)
{
	for (size_t i = 1; i < len && nm->nr < RUNTIMES_NAMES_MAX; i++) {
		size_t k = i;

		if (data[i - 1] != '\0' || !ident_char(data[i], true))
			continue;
		while (k < len && k - i <= 128 && ident_char(data[k], false))
			k++;
		if (k >= len || data[k] != '\0' || k - i < 2 || k - i > 128) {
			i = k;
			continue;
		}
		names_add(nm, data + i, k - i);
		i = k;
	}
}

static void names_add(struct names *nm, const char *s, size_t len)
{
	char *name;

	if (nm->nr >= RUNTIMES_NAMES_MAX)
		return;
	name = xstrndup(s, len);
	if (strmap_contains(&nm->seen, name)) {
		free(name);
		return;
	}
	strmap_put(&nm->seen, name, NULL);
	ALLOC_GROW(nm->v, nm->nr + 1, nm->alloc);
	nm->v[nm->nr++] = name;
}

/*
 * Add the names in a fasl, data[0, len): strings after their length byte
 * that are C identifiers (a foreign fixup's name; Lisp's own names are
 * upper case and name no C function).
 */
static void names_scan_counted(struct names *nm, const char *data, size_t len)
{
	for (size_t i = 0; i + 3 < len && nm->nr < RUNTIMES_NAMES_MAX; i++) {
		size_t n = (unsigned char)data[i], k;

		if (n < 2 || n > 128 || i + 1 + n > len || !ident_char(data[i + 1], true))
			continue;
		for (k = 1; k < n && ident_char(data[i + 1 + k], false); k++)
			;
		if (k == n && (i + 1 + n == len || !ident_char(data[i + 1 + n], false)))
			names_add(nm, data + i + 1, n);
	}
}

static uint64_t word_at(const char *data, size_t off)
{
	uint64_t w;

	memcpy(&w, data + off, 8);
	return w;
}

/*
 * The names of the core file HOME/sbcl.core (one that starts with the
 * magic), and of the contrib modules beside it (the .fasl files of HOME/contrib,
 * which (require ...) loads: sockets, POSIX calls).
 */
static void core_home_names(struct names *nm, const struct root_reader *rr, const char *home)
{
	char *core = xasprintf("%s/sbcl.core", strcmp(home, "/") ? home : "");
	char *contrib = xasprintf("%s/contrib", strcmp(home, "/") ? home : "");
	size_t len = 0, n;
	char *data = rr->read(rr->ctx, core, SBCL_CORE_MAX, &len), **fasls;

	if (data && len >= 8 && word_at(data, 0) == SBCL_CORE_MAGIC) {
		names_scan(nm, data, len);
		n = rr->walk(rr->ctx, contrib, 1, ".fasl", &fasls);
		for (size_t i = 0; i < n; i++) {
			char *f = rr->read(rr->ctx, fasls[i], SBCL_CORE_MAX, &len);

			if (f)
				names_scan_counted(nm, f, len);
			free(f);
			free(fasls[i]);
		}
		free(fasls);
	}
	free(data);
	free(core);
	free(contrib);
}

/*
 * The names of the core appended to the program (save-lisp-and-die
 * :executable t): the file ends with the core's offset and the magic.
 */
static void embedded_core_names(struct names *nm, const struct root_reader *rr, const char *path)
{
	size_t len = 0;
	char *data = rr->read(rr->ctx, path, SBCL_CORE_MAX, &len);
	uint64_t start;

	if (data && len >= 24 && word_at(data, len - 8) == SBCL_CORE_MAGIC &&
	    (start = word_at(data, len - 16)) < len - 16 && word_at(data, start) == SBCL_CORE_MAGIC)
		names_scan(nm, data + start, len - 16 - start);
	free(data);
}

/*
 * SBCL's runtime maps a core of compiled Lisp code and fills the core's
 * linkage table with dlsym(): the names are NUL-terminated strings of the
 * core.  The core is the one --core names (not known here), the one
 * appended to the program, SBCL_HOME's sbcl.core, ../lib/sbcl/sbcl.core
 * beside the program, or the default homes' (/usr/local/lib/sbcl,
 * /usr/lib/sbcl); the names of each of those that exists count, with
 * those of the contrib modules beside it.
 */
size_t runtimes_dlsym_names(const struct root_reader *rr, const struct runtimes_process *p, char ***out)
{
	struct names nm = { .v = NULL };
	bool sbcl = false;
	const char *home;

	*out = NULL;
	for (size_t i = 0; i < p->nr && !sbcl; i++)
		sbcl = p->objs[i]->marks & RUNTIMES_SBCL;
	if (!sbcl || !p->nr)
		return 0;
	strmap_init(&nm.seen);
	embedded_core_names(&nm, rr, p->paths[0]);
	if ((home = env_of(p, "SBCL_HOME")) && *home) {
		char *dir = env_dir(p, home, strlen(home));

		core_home_names(&nm, rr, dir);
		free(dir);
	}
	{
		const char *const programs[] = { p->given, p->paths[0] }; /* as named, as it really is */

		for (size_t k = 0; k < ARRAY_SIZE(programs); k++) {
			char *bin = programs[k] ? path_dirname(programs[k]) : NULL;
			char *joined = bin ? xasprintf("%s/../lib/sbcl", bin) : NULL;
			char *dir = joined ? path_tidy(joined, strlen(joined)) : NULL;

			if (dir && (k == 0 || !programs[1] || strcmp(programs[0], programs[1])))
				core_home_names(&nm, rr, dir);
			free(dir);
			free(joined);
			free(bin);
		}
	}
	core_home_names(&nm, rr, "/usr/local/lib/sbcl");
	core_home_names(&nm, rr, "/usr/lib/sbcl");
	strmap_release(&nm.seen, NULL);
	if (nm.nr)
		qsort(nm.v, nm.nr, sizeof(*nm.v), cmp_name);
	*out = nm.v;
	return nm.nr;
}

void runtimes_names_release(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
