#ifndef CONFINE_ANALYSIS_RUNTIMES_H
#define CONFINE_ANALYSIS_RUNTIMES_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/analysis.h"
#include "elf/elf.h"

/*
 * Modules a language runtime, a server or a library loads at run time by
 * paths that no object holds: the JDK's libjvm.so and native libraries,
 * Python's extension modules, Node.js's native addons, nginx's and
 * Apache's modules, SASL plugins, iptables' extensions, sudo's plugins,
 * Lua's C modules, PostgreSQL's modules, PHP's extensions, OpenSSL's
 * engines and providers, Erlang's NIFs and drivers, MySQL's and MariaDB's
 * plugins.  Which runtime a process runs is told by its objects (what
 * they export, what they are called); where the modules are, by the files
 * of its root, read the same way for an image's rootfs and for a folder
 * (struct root_reader).  A module found is loaded as if dlopen()ed.
 */

/* Reading the files of a root (an image's rootfs, a folder, the host). */
struct root_reader {
	/* The file's content, NUL-terminated (at most cap bytes; its length in *len unless NULL), or NULL. */
	char *(*read)(const void *ctx, const char *path, size_t cap, size_t *len);
	/* The paths ("DIR/NAME") of folder DIR's entries, sorted; returns how many. */
	size_t (*list)(const void *ctx, const char *dir, char ***paths);
	/*
	 * The paths of the files (or symbolic links) in folder DIR and its
	 * subfolders down to 'depth' levels (1: DIR's own) whose names end
	 * with 'suffix', sorted; returns how many (at most RUNTIMES_MAX).
	 */
	size_t (*walk)(const void *ctx, const char *dir, unsigned depth, const char *suffix, char ***paths);
	const void *ctx;
};

/* Most paths one walk, and one process's modules, may give. */
#define RUNTIMES_MAX 4096
/* Most rounds of runtimes_find() a loader makes for one process. */
#define RUNTIMES_ROUNDS 4

/* What an object says of the runtime of a process that loads it (runtimes_inspect). */
enum runtimes_mark {
	RUNTIMES_JLI = 1 << 0,    /* the java launchers' libjli.so */
	RUNTIMES_PYTHON = 1 << 1, /* exports Py_Initialize (python3, libpython) */
	RUNTIMES_NODE = 1 << 2,   /* exports napi_module_register (node, libnode) */
	RUNTIMES_NGINX = 1 << 3,  /* exports ngx_cycle */
	RUNTIMES_APACHE = 1 << 4, /* exports ap_hook_post_config */
	RUNTIMES_OPENSSL = 1 << 5, /* exports ENGINE_by_id or OSSL_PROVIDER_load (libcrypto) */
	RUNTIMES_SASL = 1 << 6,   /* exports sasl_client_init or sasl_server_init (libsasl2) */
	RUNTIMES_POSTGRES = 1 << 7, /* exports PostmasterMain (the postgres server) */
	RUNTIMES_PHP = 1 << 8,    /* exports php_module_startup (php, php-fpm, libphp) */
	RUNTIMES_XTABLES = 1 << 9, /* exports xtables_find_match (libxtables) */
	RUNTIMES_SUDO = 1 << 10,  /* imports sudo_conf_plugins_v1 (sudo, visudo) */
	RUNTIMES_LUA = 1 << 11,   /* exports luaL_openlibs (lua, liblua, LuaJIT) */
	RUNTIMES_ERLANG = 1 << 12, /* exports enif_make_atom (beam.smp, the Erlang VM) */
	RUNTIMES_MYSQL = 1 << 13, /* exports opt_plugin_dir (mariadbd, mysqld) */
	RUNTIMES_MYSQL_CLIENT = 1 << 14, /* exports mysql_load_plugin (libmariadb, libmysqlclient) */
	RUNTIMES_GIO = 1 << 15,   /* exports g_io_extension_point_register (libgio-2.0) */
	RUNTIMES_PIXBUF = 1 << 16, /* exports gdk_pixbuf_new_from_file (libgdk_pixbuf-2.0) */
	RUNTIMES_GST = 1 << 17,   /* exports gst_init (libgstreamer-1.0) */
	RUNTIMES_KRB5 = 1 << 18,  /* exports k5_plugin_register_dyn (MIT libkrb5) */
	RUNTIMES_MAGICK = 1 << 19, /* exports OpenModules (ImageMagick's MagickCore) */
	RUNTIMES_SBCL = 1 << 20,  /* exports os_link_runtime (SBCL's runtime) */
	RUNTIMES_SWIPL = 1 << 21, /* exports PL_initialise (libswipl, SWI-Prolog) */
	RUNTIMES_TCL = 1 << 22,   /* exports Tcl_PkgRequireEx (libtcl) */
	RUNTIMES_LIGHTTPD = 1 << 23, /* exports config_plugin_values_init (lighttpd) */
	RUNTIMES_R = 1 << 24,     /* exports Rf_initialize_R (libR) */
	RUNTIMES_RSYSLOG = 1 << 25, /* exports modulesProcessCnf (rsyslogd) */
	RUNTIMES_SLAPD = 1 << 26, /* exports overlay_register (OpenLDAP's slapd) */
	RUNTIMES_UWSGI = 1 << 27, /* exports uwsgi_load_plugin (uWSGI) */
	RUNTIMES_COLLECTD = 1 << 28, /* exports plugin_register_complex_read (collectd) */
	RUNTIMES_SYSLOGNG = 1 << 29, /* exports plugin_discover_candidate_modules (libsyslog-ng) */
	/* Not modules: an interpreter's syscall builtin, whose numbers its language's code gives (langsys.h). */
	RUNTIMES_PERL = 1 << 30,  /* exports Perl_pp_syscall (perl, libperl) */
	RUNTIMES_RUBY = 1u << 31, /* exports ruby_init (libruby) */
};

/* What an object says of the runtime of a process that loads it. */
struct runtimes_object {
	unsigned marks; /* runtimes_mark bits */
	/*
	 * RUNTIMES_OPENSSL: the folders compiled into it (the ENGINESDIR,
	 * MODULESDIR and OPENSSLDIR strings OpenSSL_version() reports), or NULL.
	 * RUNTIMES_MAGICK: its coder and filter folders in [0] and [1].
	 * RUNTIMES_SWIPL: its home folders (ending in /swi-prolog, /swipl).
	 */
	char *dirs[3];
	/*
	 * RUNTIMES_MYSQL, RUNTIMES_MYSQL_CLIENT: the plugin folder compiled
	 * into it (its PLUGINDIR, the one read-only string that is an
	 * absolute path ending in "/plugin"), or NULL.  RUNTIMES_GIO and
	 * RUNTIMES_KRB5: the module folder compiled into it (ending in
	 * "/gio/modules", "/krb5/plugins").  RUNTIMES_COLLECTD: its plugin
	 * folder (ending in "/lib/collectd") in plugin_dir, its configuration
	 * file (ending in "/collectd.conf") in dirs[0].
	 */
	char *plugin_dir;
};

/* Fill *out for the object at 'path' whose ELF is 'elf' (NULL: by its path alone). */
void runtimes_inspect(const struct elf_file *elf, const char *path, struct runtimes_object *out);
void runtimes_object_release(struct runtimes_object *o);

/* A process, as runtimes_find() needs it. */
struct runtimes_process {
	const char *given;        /* the program's path as it is run (a link's own) */
	const char *const *paths; /* its objects' paths; [0] the program's file */
	const struct runtimes_object *const *objs; /* runtimes_inspect() of each object */
	size_t nr;
	/*
	 * Objects [0, done) were looked at by an earlier call (the modules it
	 * found, and their libraries, came after them): only the runtimes the
	 * later objects bring are looked for (a Python extension module's
	 * libcrypto brings OpenSSL's engines).
	 */
	size_t done;
	/*
	 * The root is an image's, or a folder named as one: Node's addons
	 * are looked for in all of it (an application's node_modules may be
	 * anywhere), not only in the global folders.
	 */
	bool whole_root;
	/*
	 * The environment the program runs with ("NAME=VALUE"; the image's
	 * with the run's -e applied), or none: the variables that move a
	 * runtime's module folders (PYTHONPATH, OPENSSL_ENGINES, SASL_PATH,
	 * LUA_CPATH ...) add their folders; relative ones are taken from
	 * 'workdir' (NULL: "/").
	 */
	char *const *env;
	size_t env_nr;
	const char *workdir;
	/*
	 * The arguments it runs with (argv[0] first) when they are known (the
	 * image's Entrypoint + Cmd program), else none: a server's -C FILE
	 * names the configuration that loads its modules (collectd).
	 */
	char *const *argv;
	size_t argc;
};

struct runtimes_module {
	char *path;
	enum analysis_load why; /* one of ANALYSIS_LOAD_JDK ... ANALYSIS_LOAD_MAGICK */
};

/*
 * The modules process p may load, each once, in the order: JDK (for each
 * libjli), Python, plugin folders (servers, SASL, xtables, sudo, Lua), Node,
 * PostgreSQL, PHP, OpenSSL (for each libcrypto), Erlang, MySQL (for each
 * server or client library); at most RUNTIMES_MAX.
 * A loader adds them with their libraries and calls again with 'done' set
 * to the objects it had, until no object is added.
 * Returns how many *out holds (release with runtimes_release).
 */
size_t runtimes_find(const struct root_reader *rr, const struct runtimes_process *p, struct runtimes_module **out);
void runtimes_release(struct runtimes_module *v, size_t n);

/* Most names runtimes_dlsym_names() gives for one process. */
#define RUNTIMES_NAMES_MAX 65536

/*
 * The functions process p looks up with dlsym() by names that data it
 * reads holds, not its objects: SBCL's runtime fills its core's linkage
 * table so (pthread_create, the runtime's own spawn for run-program...).
 * Each name is a root wherever a loaded object defines it.  Returns how
 * many names *out holds (sorted, unique; release with runtimes_names_release).
 */
size_t runtimes_dlsym_names(const struct root_reader *rr, const struct runtimes_process *p, char ***out);
void runtimes_names_release(char **v, size_t n);

#endif
