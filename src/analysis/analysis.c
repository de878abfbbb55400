#include "analysis/analysis.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "analysis/confprogs.h"
#include "analysis/langsys.h"
#include "analysis/link.h"
#include "analysis/objsum.h"
#include "disasm/disasm.h"
#include "analysis/program.h"
#include "analysis/pycode.h"
#include "analysis/runcode.h"
#include "analysis/runconf.h"
#include "analysis/runtimes.h"
#include "elf/elf.h"
#include "elf/ldso.h"
#include "image/image.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/path.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define MAX_OBJECTS_PER_PROCESS 4096
#define MAX_FILE (1ull << 32)

/* A map value for "looked for, not there". */
static char not_found_mark;
#define NOT_FOUND ((void *)&not_found_mark)

/* One ELF object of the analysis, shared by every program that loads it. */
struct aobj {
	char *path;                 /* canonical path (inside the root) */
	const struct elf_file *elf; /* NULL once the summary is done (files mode frees it) */
	struct elf_file *owned_elf;
	struct fs_map map;          /* files mode: our mapping */
	bool mapped;
	bool in_arena;              /* mapped in ap->maps */
	struct objsum *sum;
	char *key;                  /* summary cache key, or NULL */
	double ms;                  /* time to get its summary */
	struct aobj *same_as;       /* same contents as this earlier object: its summary is copied */
	bool counted;               /* its time was charged to a program */
	bool unneeded;              /* every program loading it had its result cached: no summary */
	/* dlopen_literals() and elf_uses_nss() of its ELF, found once (every program loading it asks). */
	char **literals;
	size_t literals_nr;
	bool literals_done;
	int8_t uses_nss;            /* -1: not known yet */
	int8_t uses_pam;            /* the same for imports of pam_start */
	/* exec_literals() of its ELF: the programs it may execute by name. */
	const char **execs;
	size_t execs_nr;
	bool execs_done, runs_shell;
	bool erts_launcher;         /* Erlang's erlexec: starts the emulator of its folder by a built name */
	bool gcc_driver;            /* GCC's driver (gcc, cc, g++): runs cc1, as, collect2, ld... (add_gcc_programs) */
	const char **commands;      /* "exec PROG ..." command lines it holds for the shell (is_exec_command) */
	size_t commands_nr;
	const char **dir_formats;   /* "%s/bin/R": a program under a folder it names (is_dir_format) */
	size_t dir_formats_nr;
	const char **data_dirs;     /* absolute names in its writable data ("/usr/lib/R", Rscript's R_HOME) */
	size_t data_dirs_nr;
	struct runtimes_object runtime; /* runtimes_inspect() of its ELF */
	bool runtime_done;
};

struct apriv {
	struct aobj **objs;
	size_t objs_nr, objs_alloc;
	struct strmap by_path;      /* canonical path -> aobj */
	/*
	 * Files mode: path asked for -> aobj, or the errno of opening it (as a
	 * pointer).  Every program of an image searches the same folders for
	 * the same libraries; the tree does not change during a run.
	 */
	struct strmap opened, open_err;
	/* Files mode: "MACHINE CLASS NAME" -> what the default folders give for NAME (find_library), or NOT_FOUND. */
	struct strmap in_dirs;
	struct fs_arena maps;       /* files mode: the objects' mappings, unmapped together */
	const struct analysis_opts *opts;
	char *cache_dir;            /* NULL: no cache */
	struct ldso *ld;            /* image mode: the loader whose files the objects are */
	/* The PAM modules the image's configuration names (read_pam), read when first needed. */
	struct runconf_list pam;
	bool pam_read;
	/* Files mode: the NSS services nsswitch.conf names, read when first needed. */
	struct runconf_list nss;
	bool nss_read;
	/*
	 * Perl's and Ruby's code in the root (langsys.h), read by lang_read
	 * (image or files mode, with lang_ctx) when a process first runs the
	 * interpreter; and copies that also read a program's command line
	 * (perl -e CODE).  Link results point into them: they live as long
	 * as the analysis.
	 */
	struct langsys lang[LANGSYS_NR];
	bool lang_done[LANGSYS_NR];
	void (*lang_read)(const void *ctx, unsigned want, struct langsys *ls);
	const void *lang_ctx;
	struct langsys **lang_argv;
	size_t lang_argv_nr, lang_argv_alloc;
	/*
	 * Files mode: lang_read runs on a thread of its own from the start
	 * (lang_start), for every language, while the programs are planned;
	 * lang_join waits for it (lang_used: a plan points into ap->lang) or
	 * stops it.  lang_stop is what the walk checks.
	 */
	pthread_t lang_thread;
	bool lang_thread_on, lang_used;
	atomic_bool lang_stop;
	/* The root's Python code (pycode.h), read by py_read when first needed. */
	struct pycode py;
	bool py_done, py_names_warned;
	void (*py_read)(const void *ctx, struct pycode *pf);
	/* Image mode: the commands the root's Perl, Ruby and JavaScript code runs (runcode.h; run_done bits). */
	struct code_cmds run[RUNCODE_NR];
	unsigned run_done;
	unsigned code_warned; /* languages (enum code_lang bits) warned of for too many commands */
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

const char *analysis_policy_name(enum analysis_policy p)
{
	return p == ANALYSIS_UNRESOLVED_IGNORE ? "ignore" : "all";
}

int analysis_policy_parse(const char *s, enum analysis_policy *p)
{
	if (!strcmp(s, "all"))
		*p = ANALYSIS_UNRESOLVED_ALL;
	else if (!strcmp(s, "ignore"))
		*p = ANALYSIS_UNRESOLVED_IGNORE;
	else
		return err_set(EINVAL, "unknown unresolved-site policy '%s' (use 'all' or 'ignore')", s);
	return 0;
}

/* ---- summary cache ---------------------------------------------------- */

static char *cache_key(const struct elf_file *elf)
{
	char hex[SHA256_HEX_LEN + 1], stamp[SHA256_HEX_LEN + 1];
	char *st = xasprintf("%s|%s", dis_build_stamp(), objsum_build_stamp());
	char *key;

	/* Summaries from another build of the analysis are never reused. */
	sha256_hex(st, strlen(st), stamp);
	free(st);
	stamp[12] = '\0';

	/* The size guards against two different files claiming one build-id. */
	if (elf->build_id_hex && strlen(elf->build_id_hex) <= 128) {
		key = xasprintf("b%s-%zx-v%d-%s", elf->build_id_hex, elf->size, ANALYSIS_VERSION, stamp);
	} else {
		sha256_hex(elf->data, elf->size, hex);
		key = xasprintf("s%s-v%d-%s", hex, ANALYSIS_VERSION, stamp);
	}
	return key;
}

static struct objsum *summary_get(struct apriv *ap, const struct elf_file *elf, char **keyp)
{
	struct objsum *s;
	char *key, *path = NULL;
	void *data = NULL;
	size_t len;

	if (!ap->cache_dir)
		return objsum_compute(elf);
	if (!*keyp)
		*keyp = cache_key(elf);
	key = *keyp;
	path = xasprintf("%s/%s.sum", ap->cache_dir, key);
	if (fs_read_file(path, 1u << 30, (char **)&data, &len) == 0) {
		s = objsum_deserialize(data, len);
		if (s) {
			free(path);
			return s;
		}
		/* Corrupt or stale entry: recompute and overwrite it. */
		free(data);
		warn_add("summary cache entry '%s' is corrupt; recomputed", path);
	}
	s = objsum_compute(elf);
	if (objsum_serialize(s, &data, &len) == 0) {
		if (fs_write_cache(path, data, len, 0644) != 0)
			err_clear();
		free(data);
	}
	free(path);
	return s;
}

/* ---- worker pool ------------------------------------------------------ */

struct pool {
	struct apriv *ap;
	struct aobj **order;        /* the pending objects, largest first */
	atomic_size_t next;
	size_t last;
};

static void *pool_worker(void *arg)
{
	struct pool *pl = arg;

	for (;;) {
		size_t i = atomic_fetch_add(&pl->next, 1);
		struct aobj *o;
		double t0;

		if (i >= pl->last)
			break;
		o = pl->order[i];
		if (o->sum || !o->elf || o->same_as || o->unneeded)
			continue;
		t0 = now_ms();
		o->sum = summary_get(pl->ap, o->elf, &o->key);
		o->ms = now_ms() - t0;
		/* Done with its bytes: a run over many large files need not keep them all resident. */
		if (o->mapped)
			fs_map_drop_pages(&o->map);
		else if (pl->ap->ld)
			ldso_drop_pages(pl->ap->ld, o->path);
	}
	return NULL;
}

struct pool_job {
	void *(*fn)(void *);
	void *arg;
};

static void *pool_thread(void *arg)
{
	const struct pool_job *job = arg;

	job->fn(job->arg);
	dis_thread_release();
	return NULL;
}

/*
 * Run fn(arg) on n threads at once, the caller's included, but on no more
 * threads than there are 'items'; fn takes its work items itself.
 */
static void pool_run(unsigned n, size_t items, void *(*fn)(void *), void *arg)
{
	struct pool_job job = { fn, arg };
	pthread_t th[8];
	unsigned started = 0;

	for (unsigned i = 1; i < n && i < items && started < 8; i++)
		if (pthread_create(&th[started], NULL, pool_thread, &job) == 0)
			started++;
	fn(arg);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

unsigned analysis_threads(const struct analysis_opts *opts)
{
	unsigned n = opts->threads;

	if (!n) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		n = c > 0 ? (unsigned)c : 1;
	}
	return n > 8 ? 8 : n;
}

static size_t aobj_size(const struct aobj *o)
{
	return o->sum || !o->elf ? 0 : o->elf->size;
}

static int cmp_aobj_size(const void *x, const void *y)
{
	const struct aobj *const *a = x, *const *b = y;
	size_t sa = aobj_size(*a), sb = aobj_size(*b);

	if (sa != sb)
		return sa < sb ? 1 : -1;
	return strcmp((*a)->path, (*b)->path);
}

/*
 * One file under two names (hard links: perl and perl5.36.0) or copied:
 * objects with the same build-id, size and bytes are summarised once and
 * the others get a copy.  The bytes are compared because a build-id is
 * only a claim: a file copying another's would otherwise be given that
 * file's system calls.
 */
static void mark_same(struct aobj **order, size_t n)
{
	struct strmap seen = STRMAP_INIT;

	strmap_init(&seen);
	for (size_t i = 0; i < n; i++) {
		struct aobj *o = order[i], *first;

		if (o->sum || !o->elf || o->unneeded || !o->elf->build_id_hex || strlen(o->elf->build_id_hex) > 128)
			continue;
		if (!o->key)
			o->key = cache_key(o->elf);
		first = strmap_get(&seen, o->key);
		if (!first)
			strmap_put(&seen, o->key, o);
		else if (first->elf->size == o->elf->size && !memcmp(first->elf->data, o->elf->data, o->elf->size))
			o->same_as = first;
	}
	strmap_release(&seen, NULL);
}

/* Summarise the objects order[0..n-1] (largest first) on the pool. */
static void summarise_on_pool(struct apriv *ap, struct aobj **order, size_t n)
{
	struct pool pl = { .ap = ap, .order = order, .last = n };

	atomic_init(&pl.next, 0);
	pool_run(analysis_threads(ap->opts), n, pool_worker, &pl);
	dis_thread_release();
}

static void summarise_pending(struct apriv *ap, size_t first)
{
	struct aobj **order;

	/*
	 * Largest first: a big library picked up last would leave the other
	 * threads idle while one finishes it.  The objects keep their own
	 * order; the workers go through a sorted copy.
	 */
	order = xcalloc(ap->objs_nr - first + 1, sizeof(*order));
	if (ap->objs_nr > first)
		memcpy(order, ap->objs + first, (ap->objs_nr - first) * sizeof(*order));
	qsort(order, ap->objs_nr - first, sizeof(*order), cmp_aobj_size);
	mark_same(order, ap->objs_nr - first);
	summarise_on_pool(ap, order, ap->objs_nr - first);
	for (size_t i = 0; i < ap->objs_nr - first; i++) {
		struct aobj *o = order[i];
		double t0 = now_ms();

		if (!o->same_as || o->sum)
			continue;
		o->sum = o->same_as->sum ? objsum_copy(o->same_as->sum) : NULL;
		if (!o->sum)
			o->sum = summary_get(ap, o->elf, &o->key);
		o->ms = now_ms() - t0;
	}
	free(order);
}

/* ---- analysis object -------------------------------------------------- */

static struct analysis *analysis_new(const struct analysis_opts *opts)
{
	struct analysis *a = xcalloc(1, sizeof(*a));
	struct apriv *ap = xcalloc(1, sizeof(*ap));
	const char *dir;

	a->arch = SYS_ARCH_X86_64;
	a->priv = ap;
	strmap_init(&ap->by_path);
	strmap_init(&ap->opened);
	strmap_init(&ap->open_err);
	strmap_init(&ap->in_dirs);
	ap->opts = opts;
	if (!opts->no_cache && (dir = fs_cache_dir())) {
		ap->cache_dir = fs_join(dir, "summaries");
		if (fs_mkdir_p(ap->cache_dir, 0755) != 0) {
			err_clear();
			free(ap->cache_dir);
			ap->cache_dir = NULL;
		}
	}
	return a;
}

static struct aobj *aobj_add(struct apriv *ap, const char *path, bool *fresh)
{
	struct aobj *o = strmap_get(&ap->by_path, path);

	*fresh = !o;
	if (o)
		return o;
	o = xcalloc(1, sizeof(*o));
	o->path = xstrdup(path);
	o->uses_nss = -1;
	o->uses_pam = -1;
	strmap_put(&ap->by_path, path, o);
	ALLOC_GROW(ap->objs, ap->objs_nr + 1, ap->objs_alloc);
	ap->objs[ap->objs_nr++] = o;
	return o;
}

static void aobj_drop_elf(struct aobj *o)
{
	if (o->owned_elf) {
		elf_free(o->owned_elf);
		o->owned_elf = NULL;
	}
	if (o->mapped) {
		/* An arena's mapping goes with the arena (analysis_files, analysis_free). */
		if (!o->in_arena)
			fs_unmap(&o->map);
		o->map.data = NULL;
		o->map.size = 0;
		o->mapped = false;
	}
	o->elf = NULL;
	for (size_t i = 0; i < o->literals_nr; i++)
		free(o->literals[i]);
	free(o->literals);
	o->literals = NULL;
	o->literals_nr = 0;
	o->literals_done = false;
	/* They point into the ELF's bytes. */
	free(o->execs);
	o->execs = NULL;
	o->execs_nr = 0;
	free(o->commands);
	o->commands = NULL;
	o->commands_nr = 0;
	free(o->dir_formats);
	o->dir_formats = NULL;
	o->dir_formats_nr = 0;
	free(o->data_dirs);
	o->data_dirs = NULL;
	o->data_dirs_nr = 0;
	o->execs_done = false;
	o->uses_nss = -1;
	o->uses_pam = -1;
	runtimes_object_release(&o->runtime);
	o->runtime_done = false;
}

void analysis_free(struct analysis *a)
{
	struct apriv *ap;

	if (!a)
		return;
	for (size_t i = 0; i < a->programs_nr; i++) {
		struct analysis_program *p = &a->programs[i];

		free(p->path);
		free(p->root);
		for (size_t k = 0; k < p->imports_used_nr; k++)
			free(p->imports_used[k]);
		free(p->imports_used);
		for (size_t k = 0; k < p->unresolved_nr; k++) {
			free(p->unresolved[k].object);
			free(p->unresolved[k].function);
			free(p->unresolved[k].reason);
		}
		free(p->unresolved);
		for (size_t k = 0; k < p->objects_nr; k++)
			free(p->objects[k]);
		free(p->objects);
		free(p->object_why);
		free(p->error_msg);
		link_priv_free(p->priv);
	}
	free(a->programs);
	ap = a->priv;
	if (ap) {
		for (size_t i = 0; i < ap->objs_nr; i++) {
			aobj_drop_elf(ap->objs[i]);
			objsum_free(ap->objs[i]->sum);
			free(ap->objs[i]->key);
			free(ap->objs[i]->path);
			free(ap->objs[i]);
		}
		free(ap->objs);
		fs_arena_release(&ap->maps);
		strmap_release(&ap->by_path, NULL);
		strmap_release(&ap->opened, NULL);
		strmap_release(&ap->open_err, NULL);
		strmap_release(&ap->in_dirs, NULL);
		free(ap->cache_dir);
		runconf_list_release(&ap->pam);
		runconf_list_release(&ap->nss);
		for (unsigned l = 0; l < LANGSYS_NR; l++)
			if (ap->lang_done[l])
				langsys_release(&ap->lang[l]);
		for (size_t i = 0; i < ap->lang_argv_nr; i++) {
			langsys_release(ap->lang_argv[i]);
			free(ap->lang_argv[i]);
		}
		free(ap->lang_argv);
		if (ap->py_done)
			pycode_release(&ap->py);
		for (unsigned l = 0; l < RUNCODE_NR; l++)
			if (ap->run_done & 1u << l)
				code_cmds_release(&ap->run[l]);
		free(ap);
	}
	free(a);
}

int analysis_object_why(const struct analysis_program *prog, const char *object)
{
	for (size_t i = 0; prog->object_why && i < prog->objects_nr; i++)
		if (!strcmp(prog->objects[i], object))
			return prog->object_why[i];
	return -1;
}

int analysis_witness(const struct analysis *a, size_t prog, int nr, struct analysis_step **steps)
{
	*steps = NULL;
	if (!a || prog >= a->programs_nr)
		return -EINVAL;
	return link_witness(&a->programs[prog], nr, steps);
}

char *analysis_root_phrase(const struct analysis_step *step)
{
	if (!step->root)
		return NULL;
	if (!step->root_at)
		return xstrdup(step->root);
	if (!step->root_in)
		return xasprintf("%s, at 0x%llx", step->root, (unsigned long long)step->root_at);
	return xasprintf("%s, at 0x%llx in %s", step->root, (unsigned long long)step->root_at, step->root_in);
}

const char *analysis_abi_name(unsigned abi)
{
	switch (abi) {
	case ANALYSIS_ABI_I386:
		return "i386";
	case ANALYSIS_ABI_X32:
		return "x32";
	}
	return "?";
}

unsigned analysis_abi_of(unsigned elf_class, unsigned machine)
{
	if (machine == 3 /* EM_386 */)
		return ANALYSIS_ABI_I386;
	if (machine == 62 /* EM_X86_64 */ && elf_class == ELF_CLASS_32)
		return ANALYSIS_ABI_X32;
	return 0;
}

const char *analysis_function_label(const char *name, uint64_t start, char *buf, size_t len)
{
	if (name)
		return name;
	/* Address 0 is no code: an object analysed as a whole (not supported) has no function. */
	snprintf(buf, len, start ? "sub_%llx" : "?", (unsigned long long)start);
	return buf;
}

const char *analysis_load_name(enum analysis_load why)
{
	static const char *const names[ANALYSIS_LOAD_NR] = {
		"program", "needed", "interpreter", "preload", "named", "nss", "pam", "jdk", "python", "node",
		"module", "sasl", "xtables", "sudo", "lua", "postgres", "php", "openssl", "erlang",
		"mysql", "gio", "gdk-pixbuf", "gstreamer", "krb5", "imagemagick", "swi-prolog", "tcl", "r", "perl", "ruby",
		"literal", "ctypes",
	};

	return (unsigned)why < ANALYSIS_LOAD_NR ? names[why] : "?";
}

const char *analysis_load_phrase(enum analysis_load why)
{
	static const char *const phrases[ANALYSIS_LOAD_NR] = {
		"the program",
		"a library an object before it needs",
		"the program's interpreter",
		"preloaded (ld.so.preload, LD_PRELOAD)",
		"named as a plugin (--dlopen or the monitor)",
		"an NSS module nsswitch.conf names (glibc loads it)",
		"a PAM module the PAM configuration names (libpam loads it)",
		"a JDK library (libjli loads libjvm, the JVM the rest)",
		"a Python extension module (python imports it by name)",
		"a Node.js native addon (require() loads it by the path it resolves)",
		"a server module (its configuration loads it: nginx load_module, Apache LoadModule)",
		"a SASL plugin (libsasl2 loads every one in its plugin folder)",
		"an iptables extension (libxtables loads it by the match or target name)",
		"a sudo plugin (sudo.conf names it; sudoers.so by default)",
		"a Lua C module (require() loads it from package.cpath)",
		"a PostgreSQL module (the server loads its $libdir's: extensions, languages, JIT)",
		"a PHP extension (its ini files name it: extension=, zend_extension=)",
		"an OpenSSL engine or provider (libcrypto loads it by the name configuration gives)",
		"an Erlang NIF or driver (the VM loads it from an application's priv folder)",
		"a MySQL or MariaDB plugin (INSTALL PLUGIN, plugin-load, an account's authentication)",
		"a GIO module (libgio loads every one in its module folders)",
		"a gdk-pixbuf image loader (loaded for the image formats it reads)",
		"a GStreamer plugin (libgstreamer loads those of its plugin paths)",
		"a Kerberos plugin (libkrb5 loads its built-in modules and its plugin folders')",
		"an ImageMagick coder or filter (MagickCore loads it for a format or filter it is asked for)",
		"a SWI-Prolog foreign library (use_foreign_library loads it for a library it is asked for)",
		"a Tcl package's library (package require loads it, as its pkgIndex.tcl says)",
		"an R package's shared library (library() loads it from the package's libs folder)",
		"a Perl XS module (use or require loads it from an @INC folder's auto/)",
		"a Ruby C extension (require loads it from the load path or a gem)",
		"a library an object dlopen()s by a name in its strings",
		"a library Python code loads through ctypes or cffi (CDLL, find_library, ffi.dlopen)",
	};

	return (unsigned)why < ANALYSIS_LOAD_NR ? phrases[why] : "?";
}

/* A program's process: objects in load order (with why each is there), then link. */
struct plan {
	struct aobj **objs;
	uint8_t *why;         /* enum analysis_load */
	size_t nr, alloc;
	/* Functions the process looks up by names data it reads holds (runtimes_dlsym_names). */
	char **names;
	size_t names_nr;
	/*
	 * What its Perl or Ruby code gives the interpreter's syscall builtin
	 * (plan_langs; NULL: it runs no such interpreter), and which objects
	 * are the interpreter: lang_of[i] is LANGSYS_NR for other objects.
	 */
	const struct langsys *lang[LANGSYS_NR];
	uint8_t *lang_of;
	/* The names its Python code calls through ctypes or cffi (plan_ffi; sorted, the strings ffi's). */
	const char **ffi_names;
	size_t ffi_names_nr;
	const struct pycode *ffi; /* the code they come from (the analysis's), or NULL */
	bool cacheable;       /* results may come from / go to the program cache */
	bool loaded;          /* its result came from the program cache (programs_load_cached) */
};

static void plan_add(struct plan *pl, struct aobj *o, enum analysis_load why)
{
	for (size_t i = 0; i < pl->nr; i++)
		if (pl->objs[i] == o) {
			/* ld.so is both needed by libc and the interpreter. */
			if (why == ANALYSIS_LOAD_INTERP)
				pl->why[i] = (uint8_t)why;
			return;
		}
	if (pl->nr >= MAX_OBJECTS_PER_PROCESS)
		return;
	ALLOC_GROW(pl->objs, pl->nr + 1, pl->alloc);
	pl->why = xrealloc_array(pl->why, pl->alloc, sizeof(*pl->why));
	pl->objs[pl->nr] = o;
	pl->why[pl->nr] = (uint8_t)why;
	pl->nr++;
}

/* Is object i loaded by dlopen() (its exports and init code are roots)? */
static bool plan_dlopened(const struct plan *pl, size_t i)
{
	return pl->why[i] >= ANALYSIS_LOAD_NAMED;
}

static void plan_release(struct plan *pl)
{
	free(pl->objs);
	free(pl->why);
	free(pl->lang_of);
	runtimes_names_release(pl->names, pl->names_nr);
	free(pl->ffi_names);
	memset(pl, 0, sizeof(*pl));
}

/*
 * Program results are cached too (files mode), keyed by every object's
 * summary key in load order with its role, the policy and the build: a warm
 * run of many programs then skips linking.  Entries carry a checksum; a
 * damaged one is recomputed.  Witness chains are not cached.
 */
static char *program_key(const struct apriv *ap, const struct plan *pl, enum analysis_policy pol)
{
	struct sha256 h;
	char hex[SHA256_HEX_LEN + 1];
	char *stamp = xasprintf("%s|%s|%d|%d", dis_build_stamp(), objsum_build_stamp(), ANALYSIS_VERSION,
				(int)pol);

	if (!ap->cache_dir) {
		free(stamp);
		return NULL;
	}
	sha256_init(&h);
	sha256_update(&h, stamp, strlen(stamp) + 1);
	free(stamp);
	for (size_t i = 0; i < pl->nr; i++) {
		const struct aobj *o = pl->objs[i];
		char role = (char)('0' + (pl->why[i] == ANALYSIS_LOAD_INTERP ? 1 : 0) + (plan_dlopened(pl, i) ? 2 : 0));

		if (!o->key) {
			sha256_release(&h);
			return NULL;
		}
		sha256_update(&h, o->key, strlen(o->key) + 1);
		sha256_update(&h, o->path, strlen(o->path) + 1);
		sha256_update(&h, &role, 1);
	}
	for (size_t i = 0; i < pl->names_nr; i++)
		sha256_update(&h, pl->names[i], strlen(pl->names[i]) + 1);
	if (pl->ffi_names_nr)
		sha256_update(&h, "ffi", 4);
	for (size_t i = 0; i < pl->ffi_names_nr; i++)
		sha256_update(&h, pl->ffi_names[i], strlen(pl->ffi_names[i]) + 1);
	for (unsigned l = 0; l < LANGSYS_NR; l++) {
		const struct langsys *ls = pl->lang[l];
		char tag[16];

		if (!ls)
			continue;
		snprintf(tag, sizeof(tag), "lang%u:%d", l, (int)ls->known);
		sha256_update(&h, tag, strlen(tag) + 1);
		sha256_update(&h, ls->set.bits, sizeof(ls->set.bits));
		if (ls->unknown) /* the unresolved sites' reason */
			sha256_update(&h, ls->unknown, strlen(ls->unknown) + 1);
		for (size_t i = 0; i < pl->nr; i++)
			if (pl->lang_of[i] == l)
				sha256_update(&h, &i, sizeof(i));
	}
	sha256_final_hex(&h, hex);
	return xasprintf("%s/p%s.json", ap->cache_dir, hex);
}

static bool program_load(struct analysis_program *prog, const char *path)
{
	char *text = NULL, *nl;
	size_t len;
	json_t *j = NULL, *v;
	size_t i;
	char sum[32];
	bool ok = false;

	if (!path || fs_read_file(path, 1 << 26, &text, &len) != 0) {
		err_clear();
		goto out;
	}
	nl = strchr(text, '\n');
	if (!nl)
		goto out;
	*nl = '\0';
	snprintf(sum, sizeof(sum), "%016llx", (unsigned long long)XXH3_64bits(nl + 1, len - (size_t)(nl + 1 - text)));
	if (strcmp(text, sum) || !(j = json_loads(nl + 1, 0, NULL)) || !json_is_object(j))
		goto out;
	sysset_clear(&prog->syscalls);
	json_array_foreach(json_object_get(j, "syscalls"), i, v)
		sysset_add(&prog->syscalls, (int)json_integer_value(v));
	prog->all_syscalls = json_is_true(json_object_get(j, "all"));
	prog->calls_dlopen = json_is_true(json_object_get(j, "dlopen"));
	prog->dlsym_computed = json_is_true(json_object_get(j, "dlsym_computed"));
	prog->abis = (unsigned)json_integer_value(json_object_get(j, "abis"));
	v = json_object_get(j, "imports");
	prog->imports_used_nr = json_array_size(v);
	prog->imports_used = xcalloc(prog->imports_used_nr + 1, sizeof(char *));
	for (i = 0; i < prog->imports_used_nr; i++)
		prog->imports_used[i] = xstrdup(json_string_value(json_array_get(v, i)) ?: "");
	v = json_object_get(j, "unresolved");
	prog->unresolved_nr = json_array_size(v);
	prog->unresolved = xcalloc(prog->unresolved_nr + 1, sizeof(*prog->unresolved));
	for (i = 0; i < prog->unresolved_nr; i++) {
		json_t *u = json_array_get(v, i);
		const char *fn = json_string_value(json_array_get(u, 2));

		prog->unresolved[i].object = xstrdup(json_string_value(json_array_get(u, 0)) ?: "");
		prog->unresolved[i].address = (uint64_t)json_integer_value(json_array_get(u, 1));
		prog->unresolved[i].function = fn ? xstrdup(fn) : NULL;
		prog->unresolved[i].reason = xstrdup(json_string_value(json_array_get(u, 3)) ?: "");
		prog->unresolved[i].function_start = (uint64_t)json_integer_value(json_array_get(u, 4));
	}
	ok = true;
out:
	json_decref(j);
	free(text);
	return ok;
}

static void program_store(const struct analysis_program *prog, const char *path)
{
	json_t *j = json_object(), *a = json_array(), *im = json_array(), *un = json_array();
	char *body, *file;

	for (int n = 0; n < SYSSET_NR; n++)
		if (sysset_has(&prog->syscalls, n))
			json_array_append_new(a, json_integer(n));
	for (size_t i = 0; i < prog->imports_used_nr; i++)
		json_array_append_new(im, json_string(prog->imports_used[i]));
	for (size_t i = 0; i < prog->unresolved_nr; i++) {
		const struct analysis_unresolved *u = &prog->unresolved[i];

		json_array_append_new(un, json_pack("[s, I, s?, s, I]", u->object, (json_int_t)u->address,
						    u->function, u->reason, (json_int_t)u->function_start));
	}
	json_object_set_new(j, "syscalls", a);
	json_object_set_new(j, "all", json_boolean(prog->all_syscalls));
	json_object_set_new(j, "dlopen", json_boolean(prog->calls_dlopen));
	json_object_set_new(j, "dlsym_computed", json_boolean(prog->dlsym_computed));
	json_object_set_new(j, "abis", json_integer((json_int_t)prog->abis));
	json_object_set_new(j, "imports", im);
	json_object_set_new(j, "unresolved", un);
	body = json_dumps(j, JSON_COMPACT);
	if (body) {
		file = xasprintf("%016llx\n%s", (unsigned long long)XXH3_64bits(body, strlen(body)), body);
		if (fs_write_cache(path, file, strlen(file), 0644) != 0)
			err_clear();
		free(file);
		free(body);
	}
	json_decref(j);
}

/*
 * Link one program (or load its cached result).  Touches only 'prog' and
 * reads the shared summaries, so programs link in parallel; what is shared
 * (time charged, the union of all sets) is done by link_finish in program
 * order.
 */
static void link_one(const struct analysis *a, struct analysis_program *prog, const struct plan *pl,
		     const struct analysis_opts *opts)
{
	struct link_obj *lo = xcalloc(pl->nr ? pl->nr : 1, sizeof(*lo));
	char *pkey;

	prog->objects = xcalloc(pl->nr ? pl->nr : 1, sizeof(char *));
	prog->object_why = xcalloc(pl->nr ? pl->nr : 1, sizeof(*prog->object_why));
	for (size_t i = 0; i < pl->nr; i++) {
		const struct aobj *o = pl->objs[i];

		lo[i] = (struct link_obj){ o->path, o->sum, i == 0, pl->why[i] == ANALYSIS_LOAD_INTERP,
					   plan_dlopened(pl, i), i == 0 ? (const char *const *)pl->names : NULL,
					   i == 0 ? pl->names_nr : 0,
					   pl->lang_of && pl->lang_of[i] < LANGSYS_NR ? pl->lang[pl->lang_of[i]] : NULL,
					   i == 0 ? pl->ffi_names : NULL,
					   i == 0 ? pl->ffi_names_nr : 0 };
		prog->object_why[prog->objects_nr] = pl->why[i];
		prog->objects[prog->objects_nr++] = xstrdup(o->path);
	}
	for (unsigned l = 0; l < LANGSYS_NR; l++)
		prog->lang[l] = pl->lang[l];
	prog->ffi = pl->ffi;
	pkey = pl->cacheable && !pl->loaded ? program_key(a->priv, pl, opts->policy) : NULL;
	if (!pl->loaded && !program_load(prog, pkey)) {
		link_program(lo, pl->nr, opts->policy, a->arch, prog);
		if (pkey)
			program_store(prog, pkey);
	}
	free(pkey);
	free(lo);
}

struct load_pool {
	struct analysis *a;
	struct plan *plans;
	const struct analysis_opts *opts;
	atomic_size_t next;
};

static void *load_worker(void *arg)
{
	struct load_pool *lp = arg;

	for (;;) {
		size_t i = atomic_fetch_add(&lp->next, 1);
		char *pkey;

		if (i >= lp->a->programs_nr)
			break;
		if (lp->a->programs[i].error || !lp->plans[i].cacheable)
			continue;
		pkey = program_key(lp->a->priv, &lp->plans[i], lp->opts->policy);
		lp->plans[i].loaded = program_load(&lp->a->programs[i], pkey);
		free(pkey);
	}
	return NULL;
}

static void *key_worker(void *arg)
{
	struct load_pool *lp = arg;
	struct apriv *ap = lp->a->priv;

	for (;;) {
		size_t i = atomic_fetch_add(&lp->next, 1);
		struct aobj *o;

		if (i >= ap->objs_nr)
			break;
		o = ap->objs[i];
		if (!o->key && o->elf && !o->sum)
			o->key = cache_key(o->elf);
	}
	return NULL;
}

/*
 * A warm run: load the programs' cached results first, then summarise only
 * the objects some other program still has to be linked with (a summary
 * read from the cache costs more than the program's result: the objects
 * of an image hold ~15 MB of them, its programs' results ~2 MB).
 */
static void programs_load_cached(struct analysis *a, struct plan *plans, const struct analysis_opts *opts)
{
	struct apriv *ap = a->priv;
	struct load_pool lp = { .a = a, .plans = plans, .opts = opts };

	if (!ap->cache_dir)
		return;
	/* The objects' keys first, once each (a file without a build-id is hashed whole). */
	atomic_init(&lp.next, 0);
	pool_run(analysis_threads(opts), ap->objs_nr, key_worker, &lp);
	atomic_init(&lp.next, 0);
	pool_run(analysis_threads(opts), a->programs_nr, load_worker, &lp);
	for (size_t i = 0; i < ap->objs_nr; i++)
		ap->objs[i]->unneeded = true;
	for (size_t i = 0; i < a->programs_nr; i++)
		for (size_t k = 0; !plans[i].loaded && k < plans[i].nr; k++)
			plans[i].objs[k]->unneeded = false;
}

static void link_finish(struct analysis *a, struct analysis_program *prog, struct plan *pl, double ms)
{
	double extra = 0;

	for (size_t i = 0; i < pl->nr; i++) {
		struct aobj *o = pl->objs[i];

		if (!o->counted) {
			extra += o->ms;
			o->counted = true;
		}
	}
	sysset_union(&a->syscalls, &prog->syscalls);
	prog->time_ms = ms + extra;
}

struct link_pool {
	struct analysis *a;
	struct plan *plans;
	const struct analysis_opts *opts;
	double *ms;
	bool link_empty;            /* link programs without objects too (files mode) */
	atomic_size_t next;
};

static void *link_worker(void *arg)
{
	struct link_pool *lp = arg;

	for (;;) {
		size_t i = atomic_fetch_add(&lp->next, 1);
		struct analysis_program *prog;
		double t0;

		if (i >= lp->a->programs_nr)
			break;
		prog = &lp->a->programs[i];
		if (prog->error || (!lp->plans[i].nr && !lp->link_empty))
			continue;
		t0 = now_ms();
		link_one(lp->a, prog, &lp->plans[i], lp->opts);
		lp->ms[i] += now_ms() - t0;
	}
	return NULL;
}

/*
 * Link every program that did not fail; ms[i] comes in as time already
 * spent on program i (resolving it) and is charged to it with the link.
 */
static void link_all(struct analysis *a, struct plan *plans, const struct analysis_opts *opts, double *ms,
		     bool link_empty)
{
	struct link_pool lp = { .a = a, .plans = plans, .opts = opts, .ms = ms, .link_empty = link_empty };

	/* link_program only reads the shared summaries (their export index is built under a lock). */
	atomic_init(&lp.next, 0);
	pool_run(analysis_threads(opts), a->programs_nr, link_worker, &lp);
	for (size_t i = 0; i < a->programs_nr; i++)
		if (!a->programs[i].error && (plans[i].nr || link_empty))
			link_finish(a, &a->programs[i], &plans[i], ms[i]);
}

static void program_fail(struct analysis *a, struct analysis_program *prog, int err)
{
	size_t tn;
	const struct syscall_info *tab = syscall_table(a->arch, &tn);

	prog->error = err;
	prog->error_msg = xstrdup(err_msg());
	prog->all_syscalls = true;
	for (size_t i = 0; i < tn; i++)
		sysset_add(&prog->syscalls, tab[i].nr);
	sysset_union(&a->syscalls, &prog->syscalls);
}

/* ---- NSS modules: glibc dlopen()s them as /etc/nsswitch.conf says ------ */

/* Imports that make glibc consult NSS (and so load its modules). */
static bool nss_trigger(const char *name)
{
	static const char *const prefixes[] = {
		"getpw", "getgr", "getsp", "initgroups", "getaddrinfo", "gethostby", "getservby",
		"getprotoby", "getnetby", "getrpcby", "getnetgrent", "innetgr", "setpwent", "setgrent",
		"getlogin", "getnameinfo", "ether_", "getaliasby", "getpublickey", "getsecretkey",
		"setnetgrent", "getspnam", "putpwent", "fgetpwent", "gethostent", "getservent",
	};

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static bool elf_uses_nss(const struct elf_file *elf)
{
	if (!elf)
		return false;
	for (size_t i = 1; i < elf->dynsym.nr; i++) {
		const struct elf_symbol *sym = &elf->dynsym.syms[i];

		if (!sym->defined && sym->name[0] && nss_trigger(sym->name))
			return true;
	}
	return false;
}

/* ---- dlopen() of literal names: "libnuma.so.1" in the object's strings ---- */

/* Is s a soname: lib*.so or lib*.so.N[.N...] with a sane alphabet? */
static bool looks_like_soname(const char *s, size_t len)
{
	const char *so;

	if (len < 7 || len > 128 || strncmp(s, "lib", 3))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-' || s[i] == '.' || s[i] == '+'))
			return false;
	so = strstr(s, ".so");
	if (!so || (size_t)(so - s) + 3 > len)
		return false;
	for (const char *p = so + 3; p < s + len; p++)
		if (*p != '.' && (*p < '0' || *p > '9'))
			return false;
	return true;
}

/*
 * The strings of elf's .rodata that 'keep' accepts, at most 'max': a new
 * array of borrowed pointers into the object's bytes (the caller frees
 * the array).  Returns how many.
 */
static size_t section_strings(const struct elf_file *elf, const char *section,
			      bool (*keep)(const char *s, size_t len), size_t max, const char ***out)
{
	const char **v = NULL;
	size_t n = 0, alloc = 0;

	for (size_t i = 0; i < elf->sections_nr; i++) {
		const struct elf_section *sec = &elf->sections[i];
		const uint8_t *d;
		size_t len;

		if (strcmp(sec->name, section) || elf_section_data(elf, sec, &d, &len) != 0)
			continue;
		for (size_t pos = 0; pos < len && n < max;) {
			const uint8_t *z = memchr(d + pos, 0, len - pos);
			size_t l = z ? (size_t)(z - (d + pos)) : len - pos;

			if (z && keep((const char *)d + pos, l)) {
				ALLOC_GROW(v, n + 1, alloc);
				v[n++] = (const char *)d + pos;
			}
			pos += l + 1;
		}
	}
	*out = v;
	return n;
}

static size_t rodata_strings(const struct elf_file *elf, bool (*keep)(const char *s, size_t len), size_t max,
			     const char ***out)
{
	return section_strings(elf, ".rodata", keep, max, out);
}

/* Is s one soname or several joined by ':' (libss's list of readline libraries)? */
static bool looks_like_sonames(const char *s, size_t len)
{
	const char *colon;

	while ((colon = memchr(s, ':', len))) {
		if (!looks_like_soname(s, (size_t)(colon - s)))
			return false;
		len -= (size_t)(colon - s) + 1;
		s = colon + 1;
	}
	return looks_like_soname(s, len);
}

/*
 * Library names an object that imports dlopen() carries as string
 * literals in its read-only data: the libraries it may dlopen() (procps
 * loads libnuma.so.1 this way; libss tries each of
 * "libreadline.so.8:libreadline.so.7:...:libedit.so.2" in turn).  Returns
 * a new array of new strings, one name each.
 */
static size_t dlopen_literals(const struct elf_file *elf, char ***out)
{
	const char **found;
	char **names = NULL;
	size_t n, nr = 0, alloc = 0;

	*out = NULL;
	if (!elf_dynsym_has(elf, "dlopen", false) && !elf_dynsym_has(elf, "__libc_dlopen_mode", false) &&
	    !elf_dynsym_has(elf, "dlmopen", false))
		return 0;
	n = rodata_strings(elf, looks_like_sonames, 256, &found);
	for (size_t i = 0; i < n; i++)
		for (const char *s = found[i], *end; *s; s = *end ? end + 1 : end) {
			end = strchrnul(s, ':');
			ALLOC_GROW(names, nr + 1, alloc);
			names[nr++] = xstrndup(s, (size_t)(end - s));
		}
	free(found);
	*out = names;
	return nr;
}

static bool aobj_uses_nss(struct aobj *o)
{
	if (o->uses_nss < 0)
		o->uses_nss = elf_uses_nss(o->elf);
	return o->uses_nss;
}

static size_t aobj_literals(struct aobj *o, const char *const **out)
{
	if (!o->literals_done) {
		o->literals_nr = dlopen_literals(o->elf, &o->literals);
		o->literals_done = true;
	}
	*out = (const char *const *)o->literals;
	return o->literals_nr;
}

/* ---- programs an object executes by a name in its read-only data -------- */

/* Imports that run the shell: glibc's and musl's system() and popen() execute /bin/sh, wordexp() may. */
static const char *const shell_imports[] = { "system", "popen", "wordexp" };

/* Imports that execute the program their caller names. */
static const char *const exec_imports[] = {
	"execv", "execve", "execvp", "execvpe", "execl", "execle", "execlp", "fexecve", "execveat",
	"posix_spawn", "posix_spawnp",
	/* GLib's (GStreamer runs its gst-plugin-scanner so) */
	"g_spawn_async", "g_spawn_async_with_pipes", "g_spawn_async_with_fds", "g_spawn_async_with_pipes_and_fds",
	"g_spawn_sync", "g_subprocess_new", "g_subprocess_newv", "g_subprocess_launcher_spawnv",
};

#define EXEC_NAMES_MAX 65536  /* names one object contributes (beam.smp has ~9,000 candidates) */
#define EXEC_PROGRAMS_MAX 256 /* programs the names add to one image's set */

static bool imports_any(const struct elf_file *elf, const char *const *names, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (elf_dynsym_has(elf, names[i], false))
			return true;
	return false;
}

/*
 * A name a program may be executed by: an absolute path, or a path
 * relative to the object's folder ("erl_child_setup",
 * "auth_pam_tool_dir/auth_pam_tool"), in a file name's alphabet, with no
 * empty or ".." component.
 */
static bool looks_like_exec_name(const char *s, size_t len)
{
	if (len < 2 || len > 1024 || (s[0] != '/' && len < 3) || s[len - 1] == '/')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-' || c == '.' || c == '+' || c == '/'))
			return false;
		if (c == '/' && i + 1 < len && s[i + 1] == '/')
			return false;
		/* A component starting with a dot: "..", hidden files, ".so" suffix fragments. */
		if (c == '.' && (i == 0 || s[i - 1] == '/'))
			return false;
	}
	return s[0] != '-';
}

/*
 * The programs an object may execute by name: when it imports a function
 * of the exec or posix_spawn family, the strings of its read-only data
 * that look like file names (whether each names an executable of the
 * image is for the caller to find).  Sets *shell when it imports system(),
 * popen() or wordexp().  Returns a new array of borrowed pointers into the
 * object's bytes; the caller frees the array.
 */
static size_t exec_literals(const struct elf_file *elf, bool *shell, const char ***out)
{
	*out = NULL;
	*shell = elf && imports_any(elf, shell_imports, ARRAY_SIZE(shell_imports));
	if (!elf || !imports_any(elf, exec_imports, ARRAY_SIZE(exec_imports)))
		return 0;
	return rodata_strings(elf, looks_like_exec_name, EXEC_NAMES_MAX, out);
}

/* A string of Erlang's launcher, erlexec: the emulator's name is built from -emu_type and -emu_flavor. */
static bool is_emu_flavor(const char *s, size_t len)
{
	return len == 11 && !memcmp(s, "-emu_flavor", 11);
}

/*
 * A command line for the shell that a program holds as a template:
 * "exec PROG ARGS" (Varnish's VCL compiler, "exec gcc ... -o %o %s"), or
 * a format whose first word is a name, its second an option, and which
 * has a '%' conversion: R's "rm -Rf %s", the command its exit hands
 * system() to remove its session's folder.  A message ("file '%s' not
 * found") has no option second; a name the image has no program of adds
 * nothing (program_set_add_template).
 */
static bool is_exec_command(const char *s, size_t len)
{
	size_t w = 0;

	if (len < 7 || len > 4096)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	if (!memcmp(s, "exec ", 5))
		return s[5] != ' ' && s[5] != '-';
	while (w < len && ((s[w] >= 'a' && s[w] <= 'z') || (w && ((s[w] >= '0' && s[w] <= '9') || strchr("._+-", s[w])))))
		w++;
	return w && w + 3 < len && s[w] == ' ' && s[w + 1] == '-' && ((s[w + 2] >= 'a' && s[w + 2] <= 'z') ||
								 (s[w + 2] >= 'A' && s[w + 2] <= 'Z')) &&
	       memchr(s, '%', len);
}

/*
 * A file name under a folder given at run time: "%s/bin/R", Rscript's
 * program under R_HOME (whose default, "/usr/lib/R", it holds in its
 * writable data: a char array the build fills in).
 */
static bool is_dir_format(const char *s, size_t len)
{
	return len > 3 && !memcmp(s, "%s/", 3) && looks_like_exec_name(s + 3, len - 3);
}

static bool is_abs_name(const char *s, size_t len)
{
	return len > 1 && s[0] == '/' && looks_like_exec_name(s, len);
}

/* GCC's driver names the helpers it runs from its libexec folder. */
static bool is_collect2(const char *s, size_t len)
{
	return len == 8 && !memcmp(s, "collect2", 8);
}

static bool is_lto_wrapper(const char *s, size_t len)
{
	return len == 11 && !memcmp(s, "lto-wrapper", 11);
}

static size_t aobj_execs(struct aobj *o, const char *const **out, bool *shell)
{
	if (!o->execs_done) {
		const char **v = NULL;

		o->execs_nr = exec_literals(o->elf, &o->runs_shell, &o->execs);
		o->erts_launcher = o->execs_nr && rodata_strings(o->elf, is_emu_flavor, 1, &v) > 0;
		free(v);
		v = NULL;
		o->gcc_driver = o->execs_nr && rodata_strings(o->elf, is_collect2, 1, &v) > 0;
		free(v);
		v = NULL;
		o->gcc_driver = o->gcc_driver && rodata_strings(o->elf, is_lto_wrapper, 1, &v) > 0;
		free(v);
		if (o->execs_nr || o->runs_shell)
			o->commands_nr = rodata_strings(o->elf, is_exec_command, 64, &o->commands);
		if (o->execs_nr)
			o->dir_formats_nr = rodata_strings(o->elf, is_dir_format, 16, &o->dir_formats);
		if (o->dir_formats_nr)
			o->data_dirs_nr = section_strings(o->elf, ".data", is_abs_name, 16, &o->data_dirs);
		o->execs_done = true;
	}
	*out = o->execs;
	*shell = o->runs_shell;
	return o->execs_nr;
}

/* Is folder 'dir' one of the PATH list 'path_var'? */
static bool on_path(const char *path_var, const char *dir)
{
	size_t len = strlen(dir);

	for (const char *p = path_var; p && *p;) {
		const char *end = strchr(p, ':');
		size_t l = end ? (size_t)(end - p) : strlen(p);

		while (l > 1 && p[l - 1] == '/')
			l--;
		if (l == len && !strncmp(p, dir, len))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static size_t image_scan(const struct rootfs *fs, const char *dir, unsigned depth, const char *suffix,
			 bool files_only, char ***paths);

/*
 * Erlang's launcher (erlexec, ROOT/erts-VSN/bin) executes the emulator of
 * its own folder by a name it builds ("beam" and the flavor: beam.smp) and
 * epmd through the shell: every executable of that folder counts (the
 * others there are small launchers and helpers).
 */
static void add_erts_folder(struct program_set *ps, const char *launcher, const char *dir, size_t *added)
{
	char **paths, *why = xasprintf("in the folder of %s, which starts the Erlang emulator there by a name it "
				       "builds", launcher);
	size_t n = image_scan(ps->fs, dir[0] ? dir : "/", 1, "", true, &paths);

	for (size_t i = 0; i < n && *added < EXEC_PROGRAMS_MAX; i++) {
		size_t before = ps->nr;

		if (strcmp(paths[i], launcher) && program_set_add_executable(ps, paths[i], why) >= 0)
			*added += ps->nr - before;
	}
	free_strv(paths, n);
	free(why);
}

/*
 * GCC's driver runs its compilers and collect2 (cc1, cc1plus, lto1,
 * lto-wrapper...) from GCC's folders by paths it builds from its target
 * and version (/usr/lib/gcc/x86_64-linux-gnu/12/cc1; /usr/libexec/gcc on
 * other systems), and the assembler and linker (as, ld, or with the
 * target's prefix) from PATH; collect2 runs ld.  Every executable of
 * those folders counts, and as and ld where PATH finds them.
 */
static void add_gcc_programs(struct program_set *ps, const char *driver, size_t *added)
{
	static const char *const dirs[] = { "/usr/lib/gcc", "/usr/libexec/gcc", "/usr/local/libexec/gcc",
					    "/usr/local/lib/gcc" };
	static const char *const tools[] = { "as", "ld", "x86_64-linux-gnu-as", "x86_64-linux-gnu-ld" };
	char *why = xasprintf("run by %s, GCC's driver, by a path it builds", driver);

	for (size_t d = 0; d < ARRAY_SIZE(dirs); d++) {
		char **paths;
		size_t n = image_scan(ps->fs, dirs[d], 3, "", true, &paths);

		for (size_t i = 0; i < n && *added < EXEC_PROGRAMS_MAX; i++) {
			const struct rootfs_node *node;
			size_t before = ps->nr;

			/* Only executables: the folder holds crt*.o, libraries and headers too. */
			if (rootfs_resolve(ps->fs, paths[i], true, &node, NULL) == 0 && (node->mode & 0111) &&
			    !str_has_suffix(paths[i], ".so") && program_set_add_executable(ps, paths[i], why) >= 0)
				*added += ps->nr - before;
			err_clear();
		}
		free_strv(paths, n);
	}
	for (size_t t = 0; t < ARRAY_SIZE(tools) && *added < EXEC_PROGRAMS_MAX; t++)
		for (const char *p = ps->path_var; p && *p;) {
			const char *end = strchr(p, ':');
			size_t l = end ? (size_t)(end - p) : strlen(p), before = ps->nr;
			char *path = xasprintf("%.*s/%s", (int)l, p, tools[t]);
			bool found = program_set_add_executable(ps, path, why) >= 0;

			free(path);
			*added += ps->nr - before;
			if (found)
				break;
			p = end ? end + 1 : NULL;
		}
	free(why);
}

/*
 * The programs the objects of plan pl execute run in the container too:
 * the shell, for an object that imports system() or popen(); and a file
 * its strings name (absolute, or beside the object: a private helper such
 * as beam.smp's erl_child_setup) that is an executable of the image, for
 * an object that imports an exec function.  A bare name is not looked up
 * beside an object in a PATH folder: there every word would match some
 * command.  Adds them to ps (origin "exec"); *added counts them.
 */
static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Drop the repeats of a sorted array of strings; returns how many are left. */
static size_t uniq_cstr(const char **v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!k || strcmp(v[k - 1], v[i]))
			v[k++] = v[i];
	return k;
}

/*
 * The names a Go object's code runs programs by: the summary's (the data
 * flow finds them at its calls of os/exec.Command and the like), so a Go
 * object's summary is made now, while the set is planned, not later with
 * the others.  *out: sorted, without repeats, the summary's strings.
 */
static size_t aobj_go_execs(struct apriv *ap, struct aobj *o, const char ***out)
{
	const struct objsum *s;
	size_t n = 0;

	*out = NULL;
	if (!o->elf || !o->elf->is_go)
		return 0;
	if (!o->sum) {
		double t0 = now_ms();

		o->sum = summary_get(ap, o->elf, &o->key);
		o->ms = now_ms() - t0;
	}
	s = o->sum;
	if (!s || !s->execs_nr)
		return 0;
	*out = xcalloc(s->execs_nr, sizeof(**out));
	for (uint32_t i = 0; i < s->execs_nr; i++)
		(*out)[n++] = objsum_str(s, s->execs[i].name);
	qsort(*out, n, sizeof(**out), cmp_cstr);
	return uniq_cstr(*out, n);
}

static int cmp_ptr(const void *x, const void *y)
{
	uintptr_t a = (uintptr_t)*(void *const *)x, b = (uintptr_t)*(void *const *)y;

	return a < b ? -1 : a > b;
}

/*
 * The Go objects of ps's programs first..nr-1 (resolved), summarised on
 * the pool at once.  A Go program's summary names the programs it runs
 * (image_add_go_execs), so the planning loop needs it before it goes on:
 * without this it made them one after the other on its own thread, an
 * image with several large Go programs (dockerd, containerd, runc...)
 * waiting for each in turn.  The order of the set does not change.
 */
static void go_summaries_prefetch(struct apriv *ap, struct program_set *ps, size_t first)
{
	struct aobj **want = NULL;
	size_t n = 0, alloc = 0, u = 0;

	for (size_t i = first; i < ps->nr; i++) {
		const struct program *pr = &ps->progs[i];

		if (!pr->is_elf || !pr->libs_done || pr->libs_err)
			continue;
		for (size_t k = 0; k < pr->libs.libs_nr; k++) {
			const struct ldso_lib *lib = &pr->libs.libs[k];
			struct aobj *o;
			bool fresh;

			if (!lib->elf || !lib->real || !lib->elf->is_go)
				continue;
			o = aobj_add(ap, lib->real, &fresh);
			if (fresh)
				o->elf = lib->elf;
			if (o->sum || !o->elf)
				continue;
			ALLOC_GROW(want, n + 1, alloc);
			want[n++] = o;
		}
	}
	/* Once each (programs share objects), largest first. */
	if (n)
		qsort(want, n, sizeof(*want), cmp_ptr);
	for (size_t i = 0; i < n; i++)
		if (!u || want[u - 1] != want[i])
			want[u++] = want[i];
	if (u > 1) {
		qsort(want, u, sizeof(*want), cmp_aobj_size);
		summarise_on_pool(ap, want, u);
	}
	free(want);
}

/* Programs a Go object runs by the names its code passes (aobj_go_execs): on PATH, or paths. */
static void image_add_go_execs(struct apriv *ap, struct program_set *ps, struct aobj *o, size_t *added)
{
	const char **names;
	size_t n = aobj_go_execs(ap, o, &names);
	char *why = n ? xasprintf("run by %s (Go code: os/exec, syscall.Exec)", o->path) : NULL;

	for (size_t k = 0; k < n && *added < EXEC_PROGRAMS_MAX; k++) {
		size_t before = ps->nr;
		char *path = NULL;

		if (program_set_which(ps, names[k], &path) == 0 && strcmp(path, o->path) &&
		    program_set_add_executable(ps, path, why) >= 0)
			*added += ps->nr - before;
		err_clear();
		free(path);
	}
	free(why);
	free(names);
}

static void image_add_execs(struct apriv *ap, struct program_set *ps, struct plan *pl, size_t *added)
{
	if (*added >= EXEC_PROGRAMS_MAX)
		return;
	for (size_t i = 0; i < pl->nr && *added < EXEC_PROGRAMS_MAX; i++) {
		struct aobj *o = pl->objs[i];
		const char *const *names;
		const char *slash = strrchr(o->path, '/');
		bool shell, beside;
		size_t n;
		char *dir, *why;

		image_add_go_execs(ap, ps, o, added);
		n = aobj_execs(o, &names, &shell);

		if (!n && !shell && !o->commands_nr)
			continue;
		dir = xstrndup(o->path, slash ? (size_t)(slash - o->path) : 0);
		beside = !on_path(ps->path_var, dir[0] ? dir : "/");
		if (o->erts_launcher)
			add_erts_folder(ps, o->path, dir, added);
		if (shell) {
			size_t before = ps->nr;

			why = xasprintf("the shell system() or popen() runs, imported by %s", o->path);
			if (program_set_add_executable(ps, "/bin/sh", why) >= 0)
				*added += ps->nr - before;
			free(why);
		}
		if (o->gcc_driver)
			add_gcc_programs(ps, o->path, added);
		/* A shell command template it holds: the shell and the command's programs. */
		for (size_t k = 0; k < o->commands_nr && *added < EXEC_PROGRAMS_MAX; k++) {
			char *w = xasprintf("a command line held by %s, which runs the shell", o->path);

			*added += (size_t)program_set_add_template(ps, o->commands[k], w);
			free(w);
		}
		why = xasprintf("named by %s, which executes programs", o->path);
		for (size_t k = 0; k < n && *added < EXEC_PROGRAMS_MAX; k++) {
			size_t before = ps->nr;
			char *path;

			if (names[k][0] == '/')
				path = xstrdup(names[k]);
			else if (beside)
				path = xasprintf("%s/%s", dir, names[k]);
			else
				continue;
			if (strcmp(path, o->path) && program_set_add_executable(ps, path, why) >= 0)
				*added += ps->nr - before;
			free(path);
		}
		free(why);
		/* "%s/bin/R" under each folder it names ("/usr/lib/R"): what is an executable of the image. */
		for (size_t f = 0; f < o->dir_formats_nr && *added < EXEC_PROGRAMS_MAX; f++) {
			for (size_t k = 0; k < n + o->data_dirs_nr && *added < EXEC_PROGRAMS_MAX; k++) {
				const char *d = k < n ? names[k] : o->data_dirs[k - n];
				size_t before = ps->nr;
				char *path;

				if (d[0] != '/')
					continue;
				path = xasprintf("%s%s", d, o->dir_formats[f] + 2);
				why = xasprintf("named by %s, which executes programs, as %s in %s", o->path, o->dir_formats[f],
						d);
				if (strcmp(path, o->path) && program_set_add_executable(ps, path, why) >= 0)
					*added += ps->nr - before;
				free(why);
				free(path);
			}
		}
		free(dir);
	}
	if (*added >= EXEC_PROGRAMS_MAX)
		warn_add("%d programs added as executed by others (the limit): any other such program is "
			 "left out of the program set (the monitor or --all-binaries adds it)", EXEC_PROGRAMS_MAX);
}

/* ---- PAM modules: libpam dlopen()s those its configuration names -------- */

static bool aobj_uses_pam(struct aobj *o)
{
	if (o->uses_pam < 0)
		o->uses_pam = elf_dynsym_has(o->elf, "pam_start", false) ||
			      elf_dynsym_has(o->elf, "pam_start_confdir", false);
	return o->uses_pam;
}

static bool plan_uses_pam(const struct plan *pl)
{
	for (size_t i = 0; i < pl->nr; i++)
		if (aobj_uses_pam(pl->objs[i]))
			return true;
	return false;
}

/* Where libpam looks for a module named without a path (Debian's, then others'). */
static const char *const pam_dirs[] = {
	"/lib/x86_64-linux-gnu/security", "/usr/lib/x86_64-linux-gnu/security", "/lib/security",
	"/usr/lib/security", "/lib64/security", "/usr/lib64/security",
};

/*
 * Every file of /etc/pam.d, then /etc/pam.conf, into ap->pam: every
 * service's modules count, since which service a program opens is a
 * string at run time.
 */
static void read_pam(struct apriv *ap, const struct root_reader *rr)
{
	char **paths, *text;
	size_t n = rr->list(rr->ctx, "/etc/pam.d", &paths);

	ap->pam_read = true;
	for (size_t i = 0; i < n; i++) {
		text = rr->read(rr->ctx, paths[i], 1 << 20, NULL);
		runconf_pam(text, false, &ap->pam);
		free(text);
	}
	free_strv(paths, n);
	text = rr->read(rr->ctx, "/etc/pam.conf", 1 << 20, NULL);
	runconf_pam(text, true, &ap->pam);
	free(text);
}

/* ---- runtimes: modules loaded by paths computed at run time (runtimes.h) ---- */

static const struct runtimes_object *aobj_runtime(struct aobj *o)
{
	if (!o->runtime_done) {
		runtimes_inspect(o->elf, o->path, &o->runtime);
		o->runtime_done = true;
	}
	return &o->runtime;
}

/*
 * The modules the runtimes in plan pl load (see runtimes_find; objects
 * before 'done' were looked at already); 'given' names the program as it
 * is run; 'whole_root': rr reads an image or a folder named as a root;
 * 'ps' (or NULL) gives the environment and the working folder.  Returns
 * how many *out holds.
 */
/* Plan pl's objects as runtimes_process wants them (release with plan_process_release). */
static void plan_process(const struct plan *pl, struct runtimes_process *p)
{
	const char **paths = xcalloc(pl->nr ? pl->nr : 1, sizeof(*paths));
	const struct runtimes_object **objs = xcalloc(pl->nr ? pl->nr : 1, sizeof(*objs));

	for (size_t i = 0; i < pl->nr; i++) {
		paths[i] = pl->objs[i]->path;
		objs[i] = aobj_runtime(pl->objs[i]);
	}
	p->paths = paths;
	p->objs = objs;
	p->nr = pl->nr;
}

static void plan_process_release(struct runtimes_process *p)
{
	free((void *)p->paths);
	free((void *)p->objs);
}

/* The modules runtimes load in the process of plan pl; 'ctx' says how it runs (given, env, argv...). */
static size_t plan_runtimes(const struct plan *pl, size_t done, const struct root_reader *rr,
			    const struct runtimes_process *ctx, struct runtimes_module **out)
{
	struct runtimes_process p = *ctx;
	size_t n;

	p.done = done;
	plan_process(pl, &p);
	n = runtimes_find(rr, &p, out);
	plan_process_release(&p);
	return n;
}

/* The names of functions the process of plan pl looks up by data it reads (runtimes_dlsym_names). */
static void plan_names(struct plan *pl, const struct root_reader *rr, const char *given, char *const *env,
		       size_t env_nr, const char *workdir)
{
	struct runtimes_process p = { .given = given, .env = env, .env_nr = env_nr, .workdir = workdir };

	plan_process(pl, &p);
	runtimes_names_release(pl->names, pl->names_nr);
	pl->names_nr = runtimes_dlsym_names(rr, &p, &pl->names);
	plan_process_release(&p);
}

/*
 * A process running Perl or Ruby (an object is the interpreter: perl,
 * libperl, libruby): what the root's code of that language, and the
 * program's own command line (argv; none when unknown), give the
 * interpreter's syscall builtin (langsys.h).  The root is read once per
 * language.  Call once the plan has all its objects.
 */
static void *lang_thread_main(void *arg)
{
	struct apriv *ap = arg;

	ap->lang_read(ap->lang_ctx, (1u << LANGSYS_NR) - 1, ap->lang);
	return NULL;
}

/* Read the root's Perl and Ruby code on a thread while the plans are made (files mode). */
static void lang_start(struct apriv *ap)
{
	for (unsigned l = 0; l < LANGSYS_NR; l++)
		langsys_init(&ap->lang[l], (enum langsys_lang)l);
	atomic_init(&ap->lang_stop, false);
	ap->lang_thread_on = pthread_create(&ap->lang_thread, NULL, lang_thread_main, ap) == 0;
	if (!ap->lang_thread_on)
		for (unsigned l = 0; l < LANGSYS_NR; l++)
			langsys_release(&ap->lang[l]);
}

/*
 * Wait for the thread lang_start began (or, when no plan needs what it
 * reads, stop it and drop what it read: a later need reads it again).
 */
static void lang_join(struct apriv *ap)
{
	if (!ap->lang_thread_on)
		return;
	if (!ap->lang_used)
		atomic_store(&ap->lang_stop, true);
	pthread_join(ap->lang_thread, NULL);
	ap->lang_thread_on = false;
	for (unsigned l = 0; l < LANGSYS_NR; l++) {
		if (ap->lang_used)
			ap->lang_done[l] = true;
		else
			langsys_release(&ap->lang[l]);
	}
}

static void plan_langs(struct apriv *ap, struct plan *pl, char *const *argv, size_t argc)
{
	static const unsigned marks[LANGSYS_NR] = { RUNTIMES_PERL, RUNTIMES_RUBY };

	free(pl->lang_of);
	pl->lang_of = xcalloc(pl->nr ? pl->nr : 1, sizeof(*pl->lang_of));
	for (size_t i = 0; i < pl->nr; i++)
		pl->lang_of[i] = LANGSYS_NR;
	for (unsigned l = 0; l < LANGSYS_NR; l++) {
		struct langsys *own;
		bool runs = false;

		pl->lang[l] = NULL;
		for (size_t i = 0; i < pl->nr; i++)
			if (aobj_runtime(pl->objs[i])->marks & marks[l]) {
				pl->lang_of[i] = (uint8_t)l;
				runs = true;
			}
		if (!runs)
			continue;
		if (ap->lang_thread_on) {
			ap->lang_used = true; /* being read: its contents count from lang_join on */
		} else if (!ap->lang_done[l]) {
			langsys_init(&ap->lang[l], (enum langsys_lang)l);
			if (ap->lang_read)
				ap->lang_read(ap->lang_ctx, 1u << l, ap->lang);
			ap->lang_done[l] = true;
		}
		pl->lang[l] = &ap->lang[l];
		if (!argc || !langsys_argv_runs(argv[0], (enum langsys_lang)l))
			continue;
		lang_join(ap);
		own = xcalloc(1, sizeof(*own));
		langsys_copy(own, &ap->lang[l]);
		langsys_scan_argv(own, argv, argc);
		ALLOC_GROW(ap->lang_argv, ap->lang_argv_nr + 1, ap->lang_argv_alloc);
		ap->lang_argv[ap->lang_argv_nr++] = own;
		pl->lang[l] = own;
	}
}

_Static_assert(LANGSYS_NR == ARRAY_SIZE(((struct analysis_program *)0)->lang), "analysis_program.lang");

/* The root's Python code (pycode.h), read when first needed. */
static const struct pycode *apriv_pycode(struct apriv *ap)
{
	if (!ap->py_done) {
		pycode_init(&ap->py);
		if (ap->py_read)
			ap->py_read(ap->lang_ctx, &ap->py);
		ap->py_done = true;
	}
	return &ap->py;
}

/*
 * A process whose Python loads _ctypes or cffi's backend: the root's
 * Python code that uses them (read once) names the C functions it calls
 * (pl->ffi_names) and the libraries it loads, returned for the mode to
 * add.  NULL when the process has neither module.
 */
static const struct pycode *plan_ffi(struct apriv *ap, struct plan *pl)
{
	bool uses = false;

	for (size_t i = 0; i < pl->nr && !uses; i++) {
		const char *base = strrchr(pl->objs[i]->path, '/');

		base = base ? base + 1 : pl->objs[i]->path;
		uses = !strncmp(base, "_ctypes.", 8) || !strncmp(base, "_cffi_backend.", 14);
	}
	if (!uses)
		return NULL;
	apriv_pycode(ap);
	free(pl->ffi_names);
	pl->ffi_names = pycode_names(&ap->py, &pl->ffi_names_nr);
	if (ap->py.names_cut && !ap->py_names_warned) {
		warn_add("the image's Python code names more than %d functions for ctypes or cffi: the rest are "
			 "not in the set", PYCODE_NAMES_MAX);
		ap->py_names_warned = true;
	}
	pl->ffi = &ap->py;
	return &ap->py;
}

/*
 * The files a ctypes library name stands for (pycode.h): a path as it is;
 * "libNAME.so*" (find_library's) every match in the first of 'dirs'
 * that has one; another file name in the first folder that has it.
 */
static size_t ffi_lib_files(const struct root_reader *rr, const char *lib, const char *const *dirs, size_t dirs_nr,
			    char ***out)
{
	bool pattern = lib[0] && lib[strlen(lib) - 1] == '*';
	char **v = NULL;
	size_t nr = 0;

	*out = NULL;
	if (lib[0] == '/') {
		v = xcalloc(1, sizeof(*v));
		v[nr++] = xstrdup(lib);
		*out = v;
		return nr;
	}
	for (size_t d = 0; d < dirs_nr && !nr; d++) {
		char **paths = NULL;
		size_t n = rr->list(rr->ctx, dirs[d], &paths);

		for (size_t k = 0; k < n; k++) {
			const char *base = strrchr(paths[k], '/') ? strrchr(paths[k], '/') + 1 : paths[k];

			if (pattern ? !fnmatch(lib, base, 0) : !strcmp(lib, base)) {
				v = xrealloc_array(v, nr + 1, sizeof(*v));
				v[nr++] = xstrdup(paths[k]);
			}
		}
		for (size_t k = 0; k < n; k++)
			free(paths[k]);
		free(paths);
	}
	*out = v;
	return nr;
}

/* ---- image mode (the image's own loader via elf/ldso) --------------------- */

static const char *const nss_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
};

/*
 * Add the objects the image's loader found: a program's (first ==
 * ANALYSIS_LOAD_PROGRAM: its interpreter and preloads marked), or a
 * dlopen()ed object's (the first one loaded for 'first', the rest needed).
 */
static void plan_add_result(struct apriv *ap, struct plan *pl, const struct ldso_result *res,
			    enum analysis_load first)
{
	for (size_t k = 0; k < res->libs_nr; k++) {
		const struct ldso_lib *lib = &res->libs[k];
		enum analysis_load why = k == 0 ? first : ANALYSIS_LOAD_NEEDED;
		struct aobj *o;
		bool fresh;

		if (!lib->elf || !lib->real)
			continue;
		if (first == ANALYSIS_LOAD_PROGRAM && k != 0 && k == res->interp)
			why = ANALYSIS_LOAD_INTERP;
		else if (first == ANALYSIS_LOAD_PROGRAM && lib->how == LDSO_HOW_PRELOAD)
			why = ANALYSIS_LOAD_PRELOAD;
		o = aobj_add(ap, lib->real, &fresh);
		if (fresh)
			o->elf = lib->elf;
		plan_add(pl, o, why);
	}
}

/*
 * A library (or the interpreter) the program needs that the image does not
 * have: the loader would stop the program before it runs, unless something
 * the analysis does not see (LD_LIBRARY_PATH set by a script) finds it
 * elsewhere, and then that object's calls are not in the set.  Said, as
 * in files mode.
 */
static void warn_unresolved_libs(const struct program *pr)
{
	const struct ldso_result *res = &pr->libs;
	const char *interp = res->libs_nr && res->libs[0].elf ? res->libs[0].elf->interp : NULL;

	for (size_t k = 1; k < res->libs_nr; k++) {
		const struct ldso_lib *lib = &res->libs[k];

		if (lib->how != LDSO_HOW_UNRESOLVED)
			continue;
		if (res->interp_missing && interp && !strcmp(lib->name, interp))
			warn_add("%s: interpreter '%s' not found in the image", pr->path, lib->name);
		else
			warn_add("%s: library '%s' not found in the image", pr->path, lib->name);
	}
}

/* Add the object at 'path' (dlopen()ed, for 'why') and its dependencies; false when it is not there. */
static bool image_add_dlopened_path(struct apriv *ap, struct program_set *ps, struct plan *pl,
				    const char *path, enum analysis_load why)
{
	struct ldso_result res;

	if (ldso_resolve(ps->ld, path, &res) != 0) {
		err_clear();
		return false;
	}
	plan_add_result(ap, pl, &res, why);
	ldso_result_release(&res);
	return true;
}

/*
 * Add a library the process dlopen()s by file name: the first of the
 * folders 'dirs' that has it (an absolute name as it is), with its own
 * dependencies, as loaded objects.
 */
static void image_add_dlopened(struct apriv *ap, struct program_set *ps, struct plan *pl,
			       const char *file, const char *const *dirs, size_t dirs_nr, enum analysis_load why)
{
	if (file[0] == '/') {
		image_add_dlopened_path(ap, ps, pl, file, why);
		return;
	}
	for (size_t d = 0; d < dirs_nr; d++) {
		char *path = xasprintf("%s/%s", dirs[d], file);
		bool found = image_add_dlopened_path(ap, ps, pl, path, why);

		free(path);
		if (found)
			return;
	}
}

static char *image_read(const void *ctx, const char *path, size_t cap, size_t *lenp)
{
	const struct rootfs *fs = ctx;
	const struct rootfs_node *n;
	char *text = NULL;
	size_t len;

	if (rootfs_resolve(fs, path, true, &n, NULL) != 0 || n->type != ROOTFS_REG ||
	    rootfs_read(fs, n, cap, &text, &len) != 0) {
		err_clear();
		free(text);
		return NULL;
	}
	if (lenp)
		*lenp = len;
	return text;
}

/*
 * The nodes under folder 'dir' down to 'depth' levels whose names end with
 * 'suffix' (only files and links to files when files_only), as "DIR/REST"
 * paths in path order (the rootfs keeps its nodes sorted).
 */
static size_t image_scan(const struct rootfs *fs, const char *dir, unsigned depth, const char *suffix,
			 bool files_only, char ***paths)
{
	const struct rootfs_node *n, *t;
	char *real = NULL, **v = NULL;
	size_t nr = 0, alloc = 0, rl;

	*paths = NULL;
	if (rootfs_resolve(fs, dir, true, &n, &real) != 0 || n->type != ROOTFS_DIR) {
		err_clear();
		free(real);
		return 0;
	}
	rl = strcmp(real, "/") ? strlen(real) : 0; /* the root's nodes are "/NAME" */
	for (size_t i = 0; (n = rootfs_at(fs, i)) && nr < RUNTIMES_MAX; i++) {
		unsigned level = 0;

		if (strncmp(n->path, real, rl) || n->path[rl] != '/' || !n->path[rl + 1] ||
		    !str_has_suffix(n->path, suffix))
			continue;
		for (const char *c = n->path + rl + 1; *c && level < depth; c++)
			level += *c == '/';
		if (level >= depth)
			continue;
		if (files_only && n->type == ROOTFS_SYMLINK &&
		    (rootfs_resolve(fs, n->path, true, &t, NULL) != 0 || t->type != ROOTFS_REG)) {
			err_clear();
			continue;
		}
		if (files_only && n->type != ROOTFS_REG && n->type != ROOTFS_SYMLINK)
			continue;
		ALLOC_GROW(v, nr + 1, alloc);
		v[nr++] = xasprintf("%s%s", strcmp(dir, "/") ? dir : "", n->path + rl);
	}
	free(real);
	*paths = v;
	return nr;
}

static size_t image_list(const void *ctx, const char *dir, char ***paths)
{
	return image_scan(ctx, dir, 1, "", false, paths);
}

static size_t image_walk(const void *ctx, const char *dir, unsigned depth, const char *suffix, char ***paths)
{
	return image_scan(ctx, dir, depth, suffix, true, paths);
}

/*
 * glibc loads libnss_SERVICE.so.2 (and its dependencies) the first time an
 * NSS function runs: when the process imports one, add the modules the
 * image's nsswitch.conf names, as dlopen()ed objects.
 */
static void image_add_nss(struct apriv *ap, struct program_set *ps, struct plan *pl,
			  const struct runconf_list *nss)
{
	bool uses = false;

	for (size_t i = 0; i < pl->nr && !uses; i++)
		uses = aobj_uses_nss(pl->objs[i]);
	for (size_t s = 0; uses && s < nss->nr; s++) {
		char *file = xasprintf("libnss_%s.so.2", nss->v[s]);

		image_add_dlopened(ap, ps, pl, file, nss_dirs, ARRAY_SIZE(nss_dirs), ANALYSIS_LOAD_NSS);
		free(file);
	}
}

/* libpam dlopen()s the modules its configuration names (pam_limits.so sets priorities). */
static void image_add_pam(struct apriv *ap, struct program_set *ps, struct plan *pl)
{
	const struct root_reader rr = { image_read, image_list, image_walk, ps->fs };

	if (!plan_uses_pam(pl))
		return;
	if (!ap->pam_read)
		read_pam(ap, &rr);
	for (size_t i = 0; i < ap->pam.nr; i++)
		image_add_dlopened(ap, ps, pl, ap->pam.v[i], pam_dirs, ARRAY_SIZE(pam_dirs), ANALYSIS_LOAD_PAM);
}

/*
 * The modules runtimes load by computed paths (see runtimes.h), with their
 * libraries; then those the runtimes these bring load, and so on.
 */
static void image_add_runtimes(struct apriv *ap, struct program_set *ps, struct plan *pl, size_t prog)
{
	const struct root_reader rr = { image_read, image_list, image_walk, ps->fs };
	const char *given = ps->progs[prog].path;
	struct runtimes_process ctx = { .given = given, .whole_root = true, .env = ps->env, .env_nr = ps->env_nr,
					.workdir = ps->workdir };
	const struct pycode *py;

	ctx.argc = program_set_args(ps, prog, &ctx.argv);
	for (size_t done = 0, round = 0; done < pl->nr && round < RUNTIMES_ROUNDS; round++) {
		struct runtimes_module *mods;
		size_t had = pl->nr, n = plan_runtimes(pl, done, &rr, &ctx, &mods);

		for (size_t k = 0; k < n && pl->nr < MAX_OBJECTS_PER_PROCESS; k++)
			image_add_dlopened_path(ap, ps, pl, mods[k].path, mods[k].why);
		runtimes_release(mods, n);
		done = had;
	}
	plan_names(pl, &rr, given, ps->env, ps->env_nr, ps->workdir);
	if ((py = plan_ffi(ap, pl))) {
		const char **libs;
		size_t nl;

		libs = pycode_libs(py, &nl);
		for (size_t i = 0; i < nl && pl->nr < MAX_OBJECTS_PER_PROCESS; i++) {
			char **files;
			size_t nf = ffi_lib_files(&rr, libs[i], nss_dirs, ARRAY_SIZE(nss_dirs), &files);

			for (size_t k = 0; k < nf; k++) {
				image_add_dlopened_path(ap, ps, pl, files[k], ANALYSIS_LOAD_CTYPES);
				free(files[k]);
			}
			free(files);
		}
		free(libs);
	}
}

/*
 * The programs a server's configuration names (analysis/confprogs.h) run
 * in the container too: program 'prog' of ps is such a server when its
 * ELF file (elf; NULL for a script) tells so.  *added counts them with
 * image_add_execs's.
 */
static void image_add_config_programs(struct program_set *ps, size_t prog, const struct elf_file *elf,
				      size_t *added)
{
	const struct root_reader rr = { image_read, image_list, image_walk, ps->fs };
	enum confprogs_server s = elf ? confprogs_server_elf(elf, ps->progs[prog].real)
				      : confprogs_server_script(ps->progs[prog].path);
	struct runtimes_process ctx = { .given = ps->progs[prog].path, .whole_root = true, .env = ps->env,
					.env_nr = ps->env_nr, .workdir = ps->workdir };
	struct confprog *cmds;
	size_t n;

	if (s == CONFPROGS_NONE || *added >= EXEC_PROGRAMS_MAX)
		return;
	ctx.argc = program_set_args(ps, prog, &ctx.argv);
	n = confprogs_find(s, &rr, &ctx, &cmds);
	for (size_t i = 0; i < n && *added < EXEC_PROGRAMS_MAX; i++) {
		size_t before = ps->nr;

		if (cmds[i].file)
			(void)program_set_add_executable(ps, cmds[i].text, cmds[i].why);
		else
			(void)program_set_add_command(ps, cmds[i].text, cmds[i].shell, cmds[i].why);
		*added += ps->nr - before;
	}
	confprogs_release(cmds, n);
}

/* Objects that dlopen() libraries they name as string literals (see dlopen_literals). */
static void image_add_literals(struct apriv *ap, struct program_set *ps, struct plan *pl)
{
	for (size_t i = 0; i < pl->nr && pl->nr < MAX_OBJECTS_PER_PROCESS; i++) {
		const char *const *names;
		size_t n = aobj_literals(pl->objs[i], &names);

		for (size_t k = 0; k < n; k++)
			image_add_dlopened(ap, ps, pl, names[k], nss_dirs, ARRAY_SIZE(nss_dirs), ANALYSIS_LOAD_LITERAL);
	}
}

static size_t lang_bytes(const struct langsys *ls, unsigned want)
{
	size_t n = 0;

	for (unsigned l = 0; l < LANGSYS_NR; l++)
		if (want & 1u << l)
			n += ls[l].bytes;
	return n;
}

/*
 * One file for langsys: 'by_name' its languages by name, 'script' whether
 * it starts with '#!'; read(ctx) gives its text (cap LANGSYS_MAX_FILE) when
 * it may hold code of 'want'.  What cannot be read makes its languages
 * unknown (a script's: every wanted one).
 */
static void lang_file(struct langsys *ls, unsigned want, const char *path, uint64_t size, bool script,
		      int (*read)(const void *ctx, char **text, size_t *len), const void *ctx)
{
	unsigned maybe = langsys_file_langs(path, NULL, 0) | (script ? want : 0);
	char *text = NULL, *why = NULL;
	size_t len = 0;

	if (!(maybe & want))
		return;
	if (size > LANGSYS_MAX_FILE)
		why = xasprintf("'%s' is over %u MiB: not read", path, LANGSYS_MAX_FILE >> 20);
	else if (lang_bytes(ls, want) > LANGSYS_MAX_BYTES)
		why = xasprintf("over %u MiB of code in the root: '%s' and more not read", LANGSYS_MAX_BYTES >> 20,
				path);
	else if (read(ctx, &text, &len) != 0)
		why = xasprintf("cannot read '%s': %s", path, err_msg());
	if (why) {
		for (unsigned l = 0; l < LANGSYS_NR; l++)
			if (want & maybe & 1u << l)
				langsys_set_unknown(&ls[l], why);
		err_clear();
		free(why);
		return;
	}
	langsys_scan_file(ls, want, langsys_file_langs(path, text, len), path, text, len);
	free(text);
}

struct image_lang_node {
	const struct rootfs *fs;
	const struct rootfs_node *n;
};

static int image_lang_text(const void *ctx, char **text, size_t *len)
{
	const struct image_lang_node *in = ctx;

	return rootfs_read(in->fs, in->n, LANGSYS_MAX_FILE, text, len);
}

/* Image mode's lang_read: every file of the rootfs that may hold code of 'want' (a name or a '#!' line). */
static void image_lang_read(const void *ctx, unsigned want, struct langsys *ls)
{
	struct image_lang_node in = { ctx, NULL };

	for (size_t i = 0; (in.n = rootfs_at(in.fs, i)); i++)
		if (in.n->type == ROOTFS_REG && !in.n->is_elf)
			lang_file(ls, want, in.n->path, in.n->size, in.n->is_script, image_lang_text, &in);
}

/* ---- image mode: the programs interpreted code runs (pycode.h, runcode.h) -- */

/*
 * The languages whose code names programs: the interpreter whose process
 * runs it (its runtimes mark and the name a '#!' line gives), the parts of
 * its library folders' paths, the variables naming more folders.
 */
enum code_lang { CODE_PYTHON = 0, CODE_PERL, CODE_RUBY, CODE_JS, CODE_PHP, CODE_LUA, CODE_R, CODE_NR };

static const struct code_lang_info {
	const char *name;
	unsigned mark;
	const char *interp;
	const char *libs[5];
	const char *env[3];
} code_langs[CODE_NR] = {
	[CODE_PYTHON] = { "Python", RUNTIMES_PYTHON, "python", { "/lib/python", "/lib64/python" }, { "PYTHONPATH" } },
	[CODE_PERL] = { "Perl", RUNTIMES_PERL, "perl", { "/perl5/", "/perl/", "/perl-base/", "/site_perl/" },
			{ "PERL5LIB", "PERLLIB" } },
	[CODE_RUBY] = { "Ruby", RUNTIMES_RUBY, "ruby",
			{ "/lib/ruby/", "/gems/", "/rubygems-integration/", "/vendor_ruby/" },
			{ "RUBYLIB", "GEM_HOME", "GEM_PATH" } },
	[CODE_JS] = { "JavaScript", RUNTIMES_NODE, "node", { "/node_modules/", "/share/nodejs/", "/lib/nodejs/" },
		      { "NODE_PATH" } },
	/* PHP: PEAR's and Debian's /usr/share/php, Composer's vendor/ (a document root is off /usr). */
	[CODE_PHP] = { "PHP", RUNTIMES_PHP, "php", { "/share/php/", "/lib/php/", "/vendor/" }, { NULL } },
	[CODE_LUA] = { "Lua", RUNTIMES_LUA, "lua", { "/share/lua/", "/lib/lua/" }, { "LUA_PATH", "LUA_PATH_5_4", "LUA_PATH_5_3" } },
	/* R: Rscript's scripts; installed packages keep their code in lazy-load databases. */
	[CODE_R] = { "R", RUNTIMES_R, "R", { "/lib/R/", "/share/R/" }, { "R_LIBS", "R_LIBS_SITE", "R_LIBS_USER" } },
};

/* After Python, runcode's languages in its order. */
_Static_assert(CODE_NR == 1 + RUNCODE_NR && CODE_PERL == 1 + RUNCODE_PERL && CODE_R == 1 + RUNCODE_R,
	       "code_lang and runcode_lang");

/* A file of lang's code by its name (not a '#!' script). */
static bool code_named(enum code_lang lang, const char *path)
{
	return lang == CODE_PYTHON ? pycode_path_wanted(path) : runcode_named((enum runcode_lang)(lang - 1), path);
}

struct code_dirs {
	char **v;
	size_t nr, alloc;
};

static void code_dirs_add(struct code_dirs *d, const char *dir, size_t len)
{
	char *t = path_tidy(dir, len);

	if (!strcmp(t, "/")) {
		free(t); /* the working folder "/": not every file of the image */
		return;
	}
	ALLOC_GROW(d->v, d->nr + 1, d->alloc);
	d->v[d->nr++] = t;
}

/* Most folders one script adds (code_dirs_named), largest script read for them. */
#define CODE_DIRS_NAMED_MAX 64
#define CODE_SCRIPT_MAX (1u << 20)

/*
 * Is the program at 'pr' a script of lang's interpreter (python3.11, perl,
 * ruby3.1, node, nodejs, lua5.4), directly or through env (#!/usr/bin/env
 * -S lua5.4)?
 */
static bool code_script_of(enum code_lang lang, const struct program *pr)
{
	const char *want = code_langs[lang].interp;
	const char *interp = pr->env_target ? pr->env_target : pr->interpreter;
	const char *base = interp ? strrchr(interp, '/') : NULL;

	base = base ? base + 1 : interp;
	return pr->is_script && base && !strncmp(base, want, strlen(want));
}

/*
 * Is lang's file at 'path' code a process of the image may run?  An
 * interpreter loads modules from its own folders (.../lib/python3.X,
 * /usr/share/perl5, /usr/lib/ruby, node_modules...), from a script's
 * folder, the working folder and its variables' folders ('d'); code
 * anywhere but under /usr counts too (an application's folder: /app,
 * /srv, /opt).  What the system keeps under /usr off those folders
 * (Debian's /usr/share/python3/py3versions.py, which runs apt-cache and
 * dpkg) runs only as a program of its own, whose folder 'd' then has.  A
 * '#!' script without the language's file name runs as a program only:
 * it counts when it is one of the set's.
 */
static bool code_file_runs(enum code_lang lang, const struct code_dirs *d, const struct program_set *ps,
			   const char *path)
{
	if (!code_named(lang, path)) {
		for (size_t k = 0; k < ps->nr; k++)
			if (!strcmp(ps->progs[k].path, path) || (ps->progs[k].real && !strcmp(ps->progs[k].real, path)))
				return true;
		return false;
	}
	if (strncmp(path, "/usr/", 5))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(code_langs[lang].libs) && code_langs[lang].libs[i]; i++)
		if (strstr(path, code_langs[lang].libs[i]))
			return true;
	for (size_t i = 0; i < d->nr; i++) {
		size_t n = strlen(d->v[i]);

		if (!strncmp(path, d->v[i], n) && path[n] == '/')
			return true;
	}
	return false;
}

/*
 * The folders a script of the set names: an interpreter's script often
 * puts its own library folder on the module path (prosody's
 * CFG_SOURCEDIR='/usr/lib/prosody', sys.path.insert(0, "/opt/x/lib"),
 * use lib '/srv/lib').  Every quoted absolute path in its text that is a
 * folder of the image counts as one.
 */
static void code_dirs_named(struct code_dirs *d, const struct program_set *ps, const char *script)
{
	const struct rootfs_node *n;
	char *text = NULL;
	size_t len, added = 0;

	if (rootfs_resolve(ps->fs, script, true, &n, NULL) != 0 || rootfs_read(ps->fs, n, CODE_SCRIPT_MAX, &text, &len) != 0) {
		err_clear();
		free(text);
		return;
	}
	for (size_t i = 0; i + 1 < len && added < CODE_DIRS_NAMED_MAX; i++) {
		char q = text[i];
		size_t e = i + 1;

		if ((q != '\'' && q != '"') || text[i + 1] != '/')
			continue;
		while (e < len && text[e] != q && text[e] != '\n' && text[e] && e - i < PATH_MAX)
			e++;
		if (e < len && text[e] == q) {
			/* package.path = "/usr/lib/app/?.lua;" .. package.path: up to the pattern. */
			size_t k = i + 1 + strcspn(text + i + 1, "?;");
			char *dir = path_tidy(text + i + 1, (k < e ? k : e) - i - 1);
			const struct rootfs_node *dn;

			if (strcmp(dir, "/") && rootfs_resolve(ps->fs, dir, true, &dn, NULL) == 0 && dn->type == ROOTFS_DIR) {
				code_dirs_add(d, dir, strlen(dir));
				added++;
			}
			err_clear();
			free(dir);
		}
		i = e;
	}
	free(text);
}

static void code_dirs_of(enum code_lang lang, const struct program_set *ps, struct code_dirs *d)
{
	if (ps->workdir)
		code_dirs_add(d, ps->workdir, strlen(ps->workdir));
	for (size_t v = 0; v < ARRAY_SIZE(code_langs[lang].env) && code_langs[lang].env[v]; v++) {
		const char *val = env_lookup(ps->env, ps->env_nr, code_langs[lang].env[v]);

		/* PYTHONPATH=/a:/b, LUA_PATH="/usr/lib/prosody/?.lua;;" */
		for (const char *p = val; p && *p;) {
			size_t n = strcspn(p, ":;"), k = strcspn(p, "?");

			if (n && p[0] == '/')
				code_dirs_add(d, p, k < n ? k : n);
			p += n + (p[n] != '\0');
		}
	}
	for (size_t k = 0; k < ps->nr; k++) {
		const struct program *pr = &ps->progs[k];

		if (!code_script_of(lang, pr))
			continue;
		code_dirs_add(d, pr->path, strrchr(pr->path, '/') - pr->path);
		if (pr->real)
			code_dirs_add(d, pr->real, strrchr(pr->real, '/') - pr->real);
		code_dirs_named(d, ps, pr->real ? pr->real : pr->path);
	}
	/* python3 /srv/app.py, node /app/server.js: the script of the Entrypoint or Cmd. */
	for (size_t k = 0; k < ps->argc; k++) {
		const char *a = ps->argv[k];

		if (code_named(lang, a) && strchr(a, '/')) {
			char *full = a[0] == '/' ? xstrdup(a) : xasprintf("%s/%s", ps->workdir ? ps->workdir : "", a);

			code_dirs_add(d, full, strrchr(full, '/') - full);
			code_dirs_named(d, ps, full);
			free(full);
		}
	}
}

/* Image mode's reader of the Perl, Ruby and JavaScript code of 'want' (runcode languages' bits). */
static void image_run_read(const struct rootfs *fs, unsigned want, struct code_cmds *cc)
{
	const struct rootfs_node *n;

	for (size_t i = 0; (n = rootfs_at(fs, i)); i++) {
		char *text = NULL;
		size_t len;
		int lang = -1;

		if (n->type != ROOTFS_REG || n->is_elf || n->size > RUNCODE_MAX_FILE)
			continue;
		if (!n->is_script) {
			lang = runcode_file_lang(n->path, NULL, 0);
			if (lang < 0 || !(want & 1u << lang))
				continue;
		}
		if (rootfs_read(fs, n, RUNCODE_MAX_FILE, &text, &len) == 0) {
			if (n->is_script)
				lang = runcode_file_lang(n->path, text, len);
			if (lang >= 0 && (want & 1u << lang))
				runcode_scan_file(&cc[lang], (enum runcode_lang)lang, n->path, text, len);
		}
		err_clear();
		free(text);
	}
}

/* The commands lang's code of the image names, read when first needed. */
static const struct code_cmds *apriv_code_cmds(struct apriv *ap, const struct program_set *ps, enum code_lang lang)
{
	unsigned bit;

	if (lang == CODE_PYTHON)
		return &apriv_pycode(ap)->cmds;
	bit = 1u << (lang - 1);
	if (!(ap->run_done & bit)) {
		code_cmds_init(&ap->run[lang - 1]);
		image_run_read(ps->fs, bit, ap->run);
		ap->run_done |= bit;
	}
	return &ap->run[lang - 1];
}

/*
 * The processes running an interpreter execute the programs their code
 * names (pycode.h, runcode.h): the executables of the image at the paths
 * it gives, the names PATH finds, and the commands of its shell text,
 * with origin exec.  Returns how many programs were added (the caller
 * analyses them: a script among them may widen the folders code is read
 * from).
 */
static size_t image_add_code_programs(struct apriv *ap, struct program_set *ps, struct plan *plans, size_t nr,
				      size_t *added)
{
	unsigned marks = 0;
	size_t start = ps->nr;

	for (size_t p = 0; p < nr; p++)
		for (size_t i = 0; i < plans[p].nr; i++)
			marks |= aobj_runtime(plans[p].objs[i])->marks;
	for (unsigned lang = 0; lang < CODE_NR && *added < EXEC_PROGRAMS_MAX; lang++) {
		const struct code_cmds *code;
		struct code_dirs dirs = { NULL, 0, 0 };

		if (!(marks & code_langs[lang].mark))
			continue;
		code = apriv_code_cmds(ap, ps, lang);
		if (code->cut && !(ap->code_warned & 1u << lang)) {
			warn_add("the image's %s code names more than %d commands: the rest are left out of the "
				 "program set (the monitor or --all-binaries adds them)", code_langs[lang].name,
				 CODE_CMDS_MAX);
			ap->code_warned |= 1u << lang;
		}
		code_dirs_of(lang, ps, &dirs);
		for (size_t i = 0; i < code->nr && *added < EXEC_PROGRAMS_MAX; i++) {
			const struct code_cmd *c = &code->v[i];
			char *why, *path = NULL;
			size_t before = ps->nr;

			if (!code_file_runs(lang, &dirs, ps, c->file))
				continue;
			why = xasprintf("run by %s code (%s)", code_langs[lang].name, c->file);
			if (c->kind == CODE_CMD_SHELL) {
				*added += (size_t)program_set_add_template(ps, c->text, why);
			} else if (c->kind == CODE_CMD_PATH || program_set_which(ps, c->text, &path) == 0) {
				if (program_set_add_executable(ps, path ? path : c->text, why) >= 0)
					*added += ps->nr - before;
			}
			err_clear();
			free(path);
			free(why);
		}
		free_strv(dirs.v, dirs.nr);
	}
	return ps->nr - start;
}

/*
 * Image mode's py_read: every Python file of the rootfs (layers keep those
 * that may use ctypes or cffi or run programs), and its '#!' Python scripts.
 */
static void image_py_read(const void *ctx, struct pycode *pf)
{
	const struct rootfs *fs = ctx;
	const struct rootfs_node *n;

	for (size_t i = 0; (n = rootfs_at(fs, i)); i++) {
		char *text = NULL;
		size_t len;

		if (n->type != ROOTFS_REG || n->is_elf || n->size > PYCODE_MAX_FILE ||
		    !(n->is_script || pycode_path_wanted(n->path)))
			continue;
		if (rootfs_read(fs, n, PYCODE_MAX_FILE, &text, &len) == 0 &&
		    (!n->is_script || pycode_path_wanted(n->path) || pycode_script(text, len)))
			pycode_scan_file(pf, n->path, text, len);
		err_clear();
		free(text);
	}
}

int analysis_image(struct image *img, struct program_set *ps, const struct analysis_opts *opts,
		   struct analysis **out)
{
	static const struct analysis_opts defaults;
	struct analysis *a;
	struct apriv *ap;
	struct plan *plans;
	size_t first_new = 0, execs_added = 0, alloc, next = 0, go_prefetched = 0;
	struct runconf_list nss = { 0 };

	(void)img;
	if (!opts)
		opts = &defaults;
	a = analysis_new(opts);
	ap = a->priv;
	ap->ld = ps->ld;
	ap->lang_read = image_lang_read;
	ap->py_read = image_py_read;
	ap->lang_ctx = ps->fs;
	program_set_resolve_libs(ps, opts->progress);
	alloc = ps->nr ? ps->nr : 1;
	a->programs = xcalloc(alloc, sizeof(*a->programs));
	plans = xcalloc(alloc, sizeof(*plans));
	{
		const struct rootfs_node *node;
		char *text = NULL;
		size_t len;

		if (rootfs_resolve(ps->fs, "/etc/nsswitch.conf", true, &node, NULL) == 0 &&
		    rootfs_read(ps->fs, node, 1 << 20, &text, &len) == 0)
			runconf_nss(text, &nss);
		err_clear();
		free(text);
	}
	/* ps grows as the loop goes: the programs the earlier ones execute (image_add_execs). */
	/*
	 * Then what Python code runs, once the set's scripts are known (their
	 * folders count); and again for the programs that adds.
	 */
	do {
		for (; next < ps->nr; next++) {
			size_t i = next;
			struct program *pr = &ps->progs[i];
			struct analysis_program *prog;

			if (!pr->is_elf) {
				image_add_config_programs(ps, i, NULL, &execs_added); /* pr is stale after this */
				continue;
			}
			if (a->programs_nr == alloc) {
				a->programs = xrealloc_array(a->programs, alloc * 2, sizeof(*a->programs));
				plans = xrealloc_array(plans, alloc * 2, sizeof(*plans));
				memset(a->programs + alloc, 0, alloc * sizeof(*a->programs));
				memset(plans + alloc, 0, alloc * sizeof(*plans));
				alloc *= 2;
			}
			if (i >= go_prefetched) {
				program_set_resolve_libs(ps, NULL);
				go_summaries_prefetch(ap, ps, i);
				go_prefetched = ps->nr;
			}
			if (!pr->libs_done)
				program_set_resolve_libs(ps, NULL);
			prog = &a->programs[a->programs_nr];
			a->programs_nr++;
			prog->path = xstrdup(pr->path);
			if (!pr->libs_done || pr->libs_err) {
				err_set(pr->libs_err ? -pr->libs_err : EINVAL, "%s",
					pr->libs_err_msg ? pr->libs_err_msg : "library set not resolved");
				program_fail(a, prog, pr->libs_err ? pr->libs_err : -EINVAL);
				prog->abis = analysis_abi_of(pr->libs.main_class, pr->libs.main_machine);
				continue;
			}
			warn_unresolved_libs(pr);
			plan_add_result(ap, &plans[a->programs_nr - 1], &pr->libs, ANALYSIS_LOAD_PROGRAM);
			for (size_t d = 0; d < opts->dlopen_nr; d++) {
				const struct elf_file *elf;
				const char *real;
				struct aobj *o;
				bool fresh;

				if (ldso_open(ps->ld, opts->dlopen[d], &elf, &real) != 0) {
					warn_add("cannot open '%s' named with --dlopen: %s", opts->dlopen[d], err_msg());
					continue;
				}
				o = aobj_add(ap, real, &fresh);
				if (fresh)
					o->elf = elf;
				plan_add(&plans[a->programs_nr - 1], o, ANALYSIS_LOAD_NAMED);
			}
			/* Runtimes' modules first: they may use NSS or PAM themselves. */
			image_add_runtimes(ap, ps, &plans[a->programs_nr - 1], (size_t)(pr - ps->progs));
			image_add_nss(ap, ps, &plans[a->programs_nr - 1], &nss);
			image_add_pam(ap, ps, &plans[a->programs_nr - 1]);
			image_add_literals(ap, ps, &plans[a->programs_nr - 1]);
			{
				char *const *argv;
				size_t argc = program_set_args(ps, i, &argv);

				plan_langs(ap, &plans[a->programs_nr - 1], argv, argc);
			}
			image_add_config_programs(ps, i, plans[a->programs_nr - 1].objs[0]->elf, &execs_added);
			image_add_execs(ap, ps, &plans[a->programs_nr - 1], &execs_added); /* pr is stale after this */
		}
	} while (image_add_code_programs(ap, ps, plans, a->programs_nr, &execs_added));
	summarise_pending(ap, first_new);
	{
		double *ms = xcalloc(a->programs_nr + 1, sizeof(*ms));

		link_all(a, plans, opts, ms, false);
		free(ms);
	}
	for (size_t i = 0; i < a->programs_nr; i++)
		plan_release(&plans[i]);
	free(plans);
	runconf_list_release(&nss);
	/* The elf_files belong to the ldso (not owned nor mapped here): keep only the summaries. */
	for (size_t i = 0; i < ap->objs_nr; i++)
		aobj_drop_elf(ap->objs[i]);
	*out = a;
	return 0;
}

/* ---- files mode: a small loader of our own, root-aware ------------------- */

struct hostld {
	const char *root;   /* NULL: host */
	int rootfd;
	char **dirs;        /* ld.so.conf folders then the defaults */
	size_t dirs_nr, dirs_alloc;
	char **preload;     /* LD_PRELOAD's, then /etc/ld.so.preload's */
	size_t preload_nr, preload_alloc;
	char *libpath;      /* LD_LIBRARY_PATH, relative folders joined to the working folder; or NULL */
	/*
	 * Walks done ("DEPTH SUFFIX DIR" -> struct walk_memo): each program of
	 * an image running Perl, or loading libcrypto, walks the same folders.
	 * The tree does not change during a run.
	 */
	struct strmap *walks;
	const atomic_bool *lang_stop; /* set: files_lang_walk stops (lang_join) */
};

struct walk_memo {
	char **paths;
	size_t nr;
};

static void walk_memo_free(void *v)
{
	struct walk_memo *m = v;

	for (size_t i = 0; i < m->nr; i++)
		free(m->paths[i]);
	free(m->paths);
	free(m);
}

#define ROOT_LINKS_MAX 40   /* symlinks followed in one path, as the kernel (ELOOP past it) */
#define ROOT_DEPTH_MAX 256  /* folders deep */

/*
 * What openat2's RESOLVE_IN_ROOT does, by hand, for kernels without
 * openat2 (before 5.6) and sandboxes that refuse it (valgrind, seccomp
 * filters returning ENOSYS): the path is walked a component at a time
 * from 'rootfd', each opened O_PATH|O_NOFOLLOW; a symlink's target is
 * walked in its place (an absolute one from the root), and ".." never
 * climbs above the root.  Returns the fd opened with 'flags', or -1 with
 * errno set.
 */
static int open_in_root_walk(int rootfd, const char *path, int flags)
{
	int stack[ROOT_DEPTH_MAX], depth = 0, links = 0, fd = -1, err = 0;
	struct strbuf todo = STRBUF_INIT;
	size_t pos = 0;

	strbuf_addstr(&todo, path);
	for (;;) {
		const char *p = strbuf_str(&todo);
		int cur = depth ? stack[depth - 1] : rootfd;
		char name[NAME_MAX + 1], target[PATH_MAX];
		size_t len;
		bool last;
		struct stat st;
		ssize_t n;

		while (p[pos] == '/')
			pos++;
		if (!p[pos]) {
			/* The root, or a path ending in "/." or "/..": the folder reached. */
			fd = openat(cur, ".", flags);
			err = fd < 0 ? errno : 0;
			break;
		}
		len = strcspn(p + pos, "/");
		if (len > NAME_MAX) {
			err = ENAMETOOLONG;
			break;
		}
		memcpy(name, p + pos, len);
		name[len] = '\0';
		pos += len;
		last = !p[pos + strspn(p + pos, "/")];
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			if (depth)
				close(stack[--depth]);
			continue;
		}
		fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) != 0) {
			err = errno;
			if (fd >= 0)
				close(fd);
			fd = -1;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			struct strbuf rest = STRBUF_INIT;

			n = readlinkat(fd, "", target, sizeof(target) - 1);
			close(fd);
			fd = -1;
			if (n < 0 || ++links > ROOT_LINKS_MAX) {
				err = n < 0 ? errno : ELOOP;
				break;
			}
			target[n] = '\0';
			if (target[0] == '/')
				while (depth)
					close(stack[--depth]);
			strbuf_addstr(&rest, target);
			strbuf_addstr(&rest, "/");
			strbuf_addstr(&rest, strbuf_str(&todo) + pos);
			strbuf_release(&todo);
			todo = rest;
			pos = 0;
			continue;
		}
		if (last) {
			close(fd);
			/* O_NOFOLLOW: a symlink put there since is refused, not followed out. */
			fd = openat(cur, name, flags | O_NOFOLLOW);
			err = fd < 0 ? errno : 0;
			break;
		}
		if (!S_ISDIR(st.st_mode) || depth == ROOT_DEPTH_MAX) {
			err = S_ISDIR(st.st_mode) ? ENAMETOOLONG : ENOTDIR;
			close(fd);
			fd = -1;
			break;
		}
		stack[depth++] = fd;
		fd = -1;
	}
	while (depth)
		close(stack[--depth]);
	strbuf_release(&todo);
	errno = err;
	return err ? -1 : fd;
}

static atomic_bool no_openat2;

static int open_in_root(const struct hostld *ld, const char *path)
{
	const int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
	struct open_how how = { .flags = (uint64_t)flags, .resolve = RESOLVE_IN_ROOT };
	int fd;

	if (!ld->root)
		return open(path, flags);
	if (!atomic_load_explicit(&no_openat2, memory_order_relaxed)) {
		fd = (int)syscall(SYS_openat2, ld->rootfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		atomic_store_explicit(&no_openat2, true, memory_order_relaxed);
	}
	return open_in_root_walk(ld->rootfd, path, flags);
}

/* Canonical path of an open file, relative to the root when there is one. */
static char *fd_path(const struct hostld *ld, int fd)
{
	char link[64], buf[4096];
	ssize_t n;
	size_t rl;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	if (!ld->root)
		return xstrdup(buf);
	rl = strlen(ld->root);
	while (rl > 1 && ld->root[rl - 1] == '/')
		rl--;
	if (!strncmp(buf, ld->root, rl) && (buf[rl] == '/' || !buf[rl]))
		return xstrdup(buf[rl] ? buf + rl : "/");
	return xstrdup(buf);
}

static void add_dir(struct hostld *ld, const char *d)
{
	for (size_t i = 0; i < ld->dirs_nr; i++)
		if (!strcmp(ld->dirs[i], d))
			return;
	ALLOC_GROW(ld->dirs, ld->dirs_nr + 1, ld->dirs_alloc);
	ld->dirs[ld->dirs_nr++] = xstrdup(d);
}

/* A regular file's content (NUL-terminated, at most cap bytes), or NULL (a folder too). */
/* At most cap bytes of the file (NUL-terminated; the length in *lenp unless NULL), or NULL. */
static char *read_in_root(const struct hostld *ld, const char *path, size_t cap, size_t *lenp)
{
	int fd = open_in_root(ld, path);
	struct strbuf sb;
	struct stat st;
	char buf[65536];
	ssize_t n;
	size_t len;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	strbuf_init(&sb, (uint64_t)st.st_size < cap ? (size_t)st.st_size + 1 : cap);
	while (sb.len < cap && (n = read(fd, buf, sizeof(buf) < cap - sb.len ? sizeof(buf) : cap - sb.len)) > 0)
		if (strbuf_add(&sb, buf, (size_t)n) != 0)
			break;
	close(fd);
	len = sb.len;
	if (lenp)
		*lenp = len;
	return strbuf_detach(&sb, NULL);
}

static char *files_read(const void *ctx, const char *path, size_t cap, size_t *len)
{
	return read_in_root(ctx, path, cap, len);
}

static size_t files_list(const void *ctx, const char *dir, char ***paths)
{
	int fd = open_in_root(ctx, dir);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	char **v = NULL;
	size_t nr = 0, alloc = 0;
	struct dirent *e;

	if (!d && fd >= 0)
		close(fd);
	while (d && (e = readdir(d)) && nr < 4096) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		ALLOC_GROW(v, nr + 1, alloc);
		v[nr++] = xasprintf("%s/%s", strcmp(dir, "/") ? dir : "", e->d_name);
	}
	if (d)
		closedir(d);
	if (nr)
		qsort(v, nr, sizeof(*v), cmp_cstr);
	*paths = v;
	return nr;
}

static void files_walk_in(const struct hostld *ld, const char *dir, unsigned depth, const char *suffix,
			  char ***v, size_t *nr, size_t *alloc)
{
	int fd = open_in_root(ld, dir);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d && fd >= 0)
		close(fd);
	while (d && (e = readdir(d)) && *nr < RUNTIMES_MAX) {
		unsigned char type = e->d_type;
		char *path;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (type == DT_UNKNOWN) {
			struct stat st;

			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
		}
		path = xasprintf("%s/%s", strcmp(dir, "/") ? dir : "", e->d_name);
		if (type == DT_DIR && depth > 1) {
			files_walk_in(ld, path, depth - 1, suffix, v, nr, alloc);
		} else if ((type == DT_REG || type == DT_LNK) && str_has_suffix(e->d_name, suffix)) {
			ALLOC_GROW(*v, *nr + 1, *alloc);
			(*v)[(*nr)++] = path;
			path = NULL;
		}
		free(path);
	}
	if (d)
		closedir(d);
}

static size_t files_walk(const void *ctx, const char *dir, unsigned depth, const char *suffix, char ***paths)
{
	const struct hostld *ld = ctx;
	char *key = xasprintf("%u %s %s", depth, suffix, dir);
	struct walk_memo *m = strmap_get(ld->walks, key);
	size_t alloc = 0;

	if (!m) {
		m = xcalloc(1, sizeof(*m));
		files_walk_in(ld, dir, depth, suffix, &m->paths, &m->nr, &alloc);
		if (m->nr)
			qsort(m->paths, m->nr, sizeof(*m->paths), cmp_cstr);
		strmap_put(ld->walks, key, m);
	}
	free(key);
	*paths = m->nr ? xcalloc(m->nr, sizeof(**paths)) : NULL;
	for (size_t i = 0; i < m->nr; i++)
		(*paths)[i] = xstrdup(m->paths[i]);
	return m->nr;
}

static void parse_ldconf(struct hostld *ld, const char *path, int depth)
{
	char *text = read_in_root(ld, path, 1 << 20, NULL), *save = NULL;

	if (!text || depth > 8) {
		free(text);
		return;
	}
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#');

		if (hash)
			*hash = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		for (size_t l = strlen(line); l && (line[l - 1] == ' ' || line[l - 1] == '\t' ||
						    line[l - 1] == '\r');)
			line[--l] = '\0';
		if (!*line)
			continue;
		if (!strncmp(line, "include", 7) && (line[7] == ' ' || line[7] == '\t')) {
			char *pat = line + 8;
			char *full;
			glob_t g;

			while (*pat == ' ' || *pat == '\t')
				pat++;
			if (*pat != '/')
				full = xasprintf("%s/etc/%s", ld->root ? ld->root : "", pat);
			else
				full = xasprintf("%s%s", ld->root ? ld->root : "", pat);
			if (glob(full, 0, NULL, &g) == 0) {
				size_t rl = ld->root ? strlen(ld->root) : 0;

				for (size_t i = 0; i < g.gl_pathc; i++)
					parse_ldconf(ld, g.gl_pathv[i] + rl, depth + 1);
				globfree(&g);
			}
			free(full);
		} else if (*line == '/') {
			add_dir(ld, line);
		}
	}
	free(text);
}

/* Add the words of 'list' (space, tab, newline or colon separated) to the preload list. */
static void add_preload(struct hostld *ld, const char *list)
{
	char *copy = xstrdup(list), *save = NULL;

	for (char *w = strtok_r(copy, " \t\n:", &save); w; w = strtok_r(NULL, " \t\n:", &save)) {
		ALLOC_GROW(ld->preload, ld->preload_nr + 1, ld->preload_alloc);
		ld->preload[ld->preload_nr++] = xstrdup(w);
	}
	free(copy);
}

/* LD_LIBRARY_PATH with each relative folder joined to 'workdir', as the loader of a process there sees it. */
static char *absolute_libpath(const char *v, const char *workdir)
{
	struct strbuf sb = STRBUF_INIT;
	char *copy = xstrdup(v), *save = NULL;

	for (char *d = strtok_r(copy, ":;", &save); d; d = strtok_r(NULL, ":;", &save)) {
		if (sb.len)
			strbuf_addch(&sb, ':');
		if (d[0] == '/' || d[0] == '$')
			strbuf_addstr(&sb, d);
		else
			strbuf_addf(&sb, "%s/%s", workdir && workdir[0] == '/' ? workdir : "", d);
	}
	free(copy);
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

static void hostld_init(struct hostld *ld, const char *root, const struct analysis_opts *opts)
{
	static const char *const defaults[] = {
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
		"/lib", "/usr/lib", "/usr/local/lib",
	};
	const char *v;
	char *pre;

	memset(ld, 0, sizeof(*ld));
	ld->root = root;
	ld->rootfd = -1;
	ld->walks = xcalloc(1, sizeof(*ld->walks));
	strmap_init(ld->walks);
	if (root)
		ld->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	parse_ldconf(ld, "/etc/ld.so.conf", 0);
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		add_dir(ld, defaults[i]);
	v = opts->env ? env_lookup(opts->env, opts->env_nr, "LD_PRELOAD") : NULL;
	if (v)
		add_preload(ld, v);
	v = opts->env ? env_lookup(opts->env, opts->env_nr, "LD_LIBRARY_PATH") : NULL;
	if (v)
		ld->libpath = absolute_libpath(v, opts->workdir);
	pre = read_in_root(ld, "/etc/ld.so.preload", 1 << 16, NULL);
	if (pre) {
		add_preload(ld, pre);
		free(pre);
	}
}

static void hostld_release(struct hostld *ld)
{
	if (ld->rootfd >= 0)
		close(ld->rootfd);
	for (size_t i = 0; i < ld->dirs_nr; i++)
		free(ld->dirs[i]);
	free(ld->dirs);
	for (size_t i = 0; i < ld->preload_nr; i++)
		free(ld->preload[i]);
	free(ld->preload);
	free(ld->libpath);
	strmap_release(ld->walks, walk_memo_free);
	free(ld->walks);
}

/*
 * Open 'path' as an object of the analysis (once per canonical path).
 * Returns the object, or NULL (errno/message set) when it is missing or
 * not ELF.  'want' (non-NULL) rejects objects of another class/machine.
 */
static struct aobj *open_object(struct apriv *ap, const struct hostld *ld, const char *path,
				const struct elf_file *want)
{
	int fd, e;
	char *real;
	struct aobj *o;
	bool fresh;
	struct stat st;
	bool in_arena;
	struct fs_map map = { 0 };
	struct elf_file *elf = NULL;
	void *p;
	int ret;

	o = strmap_get(&ap->opened, path);
	e = (int)(intptr_t)strmap_get(&ap->open_err, path);
	if (e) {
		err_set(e, "cannot open '%s': %s", path, strerror(e));
		return NULL;
	}
	fd = o ? -1 : open_in_root(ld, path);
	if (!o && fd < 0) {
		e = errno;
		strmap_put(&ap->open_err, path, (void *)(intptr_t)e);
		err_set(e, "cannot open '%s': %s", path, strerror(e));
		return NULL;
	}
	if (o) {
		real = NULL;
	} else {
		real = fd_path(ld, fd);
		if (!real)
			real = xstrdup(path);
		o = strmap_get(&ap->by_path, real);
	}
	if (o) {
		if (fd >= 0)
			close(fd);
		free(real);
		strmap_put(&ap->opened, path, o);
		if (want && o->elf && (o->elf->machine != want->machine || o->elf->elf_class != want->elf_class))
			return NULL;
		return o;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > MAX_FILE) {
		err_set(EINVAL, "cannot analyse '%s': not a regular non-empty file", path);
		close(fd);
		free(real);
		return NULL;
	}
	p = fs_arena_map(&ap->maps, fd, (size_t)st.st_size, &in_arena);
	close(fd);
	if (!p) {
		err_set(errno, "cannot map '%s': %s", path, strerror(errno));
		free(real);
		return NULL;
	}
	map.data = p;
	map.size = (size_t)st.st_size;
	ret = elf_open_mem_flags(&map, real, ELF_OPEN_LAZY, &elf);
	if (ret != 0) {
		err_wrap(ret, "cannot analyse '%s'", path);
		fs_arena_unmap(&ap->maps, p, map.size, in_arena);
		free(real);
		return NULL;
	}
	if (want && (elf->machine != want->machine || elf->elf_class != want->elf_class)) {
		elf_free(elf);
		fs_arena_unmap(&ap->maps, p, map.size, in_arena);
		free(real);
		return NULL;
	}
	o = aobj_add(ap, real, &fresh);
	free(real);
	o->owned_elf = elf;
	o->elf = elf;
	o->map = map;
	o->mapped = true;
	o->in_arena = in_arena;
	strmap_put(&ap->opened, path, o);
	return o;
}

/* Is 'main' a musl program (whose loader expands only $ORIGIN)? */
static bool musl_program(const struct elf_file *main)
{
	return main->interp && strstr(main->interp, "ld-musl");
}

static struct aobj *search_list(struct apriv *ap, const struct hostld *ld, const char *list,
				const char *origin, const char *name, const struct elf_file *want)
{
	char *copy, *save = NULL;
	struct aobj *o = NULL;

	if (!list)
		return NULL;
	copy = xstrdup(list);
	for (char *d = strtok_r(copy, ":", &save); d && !o; d = strtok_r(NULL, ":", &save)) {
		char *dir = ldso_expand_dst(d, origin, want, musl_program(want));
		char *p = dir ? xasprintf("%s/%s", dir, name) : NULL;

		o = p ? open_object(ap, ld, p, want) : NULL;
		if (!o)
			err_clear();
		free(p);
		free(dir);
	}
	free(copy);
	return o;
}

static struct aobj *find_library(struct apriv *ap, const struct hostld *ld, const char *name,
				 struct plan *pl, size_t requester, const struct elf_file *want)
{
	const struct elf_file *req = pl->objs[requester]->elf;
	char *origin = path_dirname(pl->objs[requester]->path);
	struct aobj *o = NULL;

	/* A name with a slash is a path ("$ORIGIN/../lib/libpython3.12.so.1.0" too). */
	if (strchr(name, '/')) {
		char *p = ldso_expand_dst(name, origin, want, musl_program(want));

		o = p ? open_object(ap, ld, p, want) : NULL;
		free(p);
		free(origin);
		return o;
	}
	/* DT_RPATH of the requester and of the main program, unless the requester has DT_RUNPATH. */
	if (req && !req->dyn.runpath) {
		o = search_list(ap, ld, req->dyn.rpath, origin, name, want);
		if (!o && requester != 0 && pl->objs[0]->elf && !pl->objs[0]->elf->dyn.runpath) {
			char *morigin = path_dirname(pl->objs[0]->path);

			o = search_list(ap, ld, pl->objs[0]->elf->dyn.rpath, morigin, name, want);
			free(morigin);
		}
	}
	if (!o && ld->libpath)
		o = search_list(ap, ld, ld->libpath, origin, name, want);
	if (!o && req)
		o = search_list(ap, ld, req->dyn.runpath, origin, name, want);
	if (!o) {
		char *key = xasprintf("%u %u %s", want ? want->machine : 0, want ? want->elf_class : 0, name);
		void *v = strmap_get(&ap->in_dirs, key);

		if (v) {
			o = v == NOT_FOUND ? NULL : v;
		} else {
			for (size_t i = 0; !o && i < ld->dirs_nr; i++) {
				char *p = xasprintf("%s/%s", ld->dirs[i], name);

				o = open_object(ap, ld, p, want);
				if (!o)
					err_clear();
				free(p);
			}
			strmap_put(&ap->in_dirs, key, o ? (void *)o : NOT_FOUND);
		}
		free(key);
	}
	free(origin);
	return o;
}

/* Add a dlopen()ed object (for 'why') and, like dlopen, the closure of its DT_NEEDED. */
static void add_with_deps(struct apriv *ap, const struct hostld *ld, struct plan *pl, struct aobj *o,
			  const struct elf_file *want, enum analysis_load why)
{
	size_t first = pl->nr;

	plan_add(pl, o, why);
	for (size_t i = first; i < pl->nr; i++) {
		const struct elf_file *e = pl->objs[i]->elf;

		for (size_t k = 0; e && k < e->dyn.needed_nr; k++) {
			struct aobj *dep = find_library(ap, ld, e->dyn.needed[k], pl, i, want);

			if (dep)
				plan_add(pl, dep, ANALYSIS_LOAD_NEEDED);
			err_clear();
		}
	}
}

static int plan_files(struct apriv *ap, const struct hostld *ld, const char *path,
		      const struct analysis_opts *opts, struct plan *pl)
{
	struct aobj *main_obj = open_object(ap, ld, path, NULL);
	const struct root_reader rr = { files_read, files_list, files_walk, ld };
	const struct elf_file *want;
	const struct pycode *py;

	if (!main_obj)
		return -(err_code() ? err_code() : ENOENT);
	plan_add(pl, main_obj, ANALYSIS_LOAD_PROGRAM);
	want = main_obj->elf;
	if (!want)
		return 0;
	if (!want->is_static && want->is_dynamic) {
		for (size_t i = 0; i < ld->preload_nr; i++) {
			struct aobj *o = find_library(ap, ld, ld->preload[i], pl, 0, want);

			if (o)
				plan_add(pl, o, ANALYSIS_LOAD_PRELOAD);
			else
				err_clear();
		}
		/* Breadth-first over DT_NEEDED, the way ld.so builds its search list. */
		for (size_t i = 0; i < pl->nr; i++) {
			const struct elf_file *e = pl->objs[i]->elf;

			if (!e)
				continue;
			for (size_t k = 0; k < e->dyn.needed_nr; k++) {
				struct aobj *o = find_library(ap, ld, e->dyn.needed[k], pl, i, want);

				if (o)
					plan_add(pl, o, ANALYSIS_LOAD_NEEDED);
				else
					warn_add("%s: library '%s' not found", path, e->dyn.needed[k]);
				err_clear();
			}
		}
		if (want->interp) {
			struct aobj *o = open_object(ap, ld, want->interp, want);

			if (o)
				plan_add(pl, o, ANALYSIS_LOAD_INTERP);
			else
				warn_add("%s: interpreter '%s' not found", path, want->interp);
			err_clear();
		}
	}
	for (size_t d = 0; d < opts->dlopen_nr; d++) {
		struct aobj *o = open_object(ap, ld, opts->dlopen[d], want);

		if (!o)
			return err_wrap(-(err_code() ? err_code() : ENOENT), "--dlopen");
		add_with_deps(ap, ld, pl, o, want, ANALYSIS_LOAD_NAMED);
	}
	/*
	 * The modules runtimes load by computed paths (see runtimes.h), first:
	 * they may use NSS or PAM themselves (sudo's sudoers.so does both).
	 * Then those the runtimes they bring load (a Python module's libcrypto).
	 */
	for (size_t done = 0, round = 0; want->is_dynamic && done < pl->nr && round < RUNTIMES_ROUNDS; round++) {
		struct runtimes_module *mods;
		struct runtimes_process ctx = { .given = path, .whole_root = ld->root != NULL, .env = opts->env,
						.env_nr = opts->env_nr, .workdir = opts->workdir,
						.argv = opts->argv, .argc = opts->argv ? opts->argc : 0 };
		size_t had = pl->nr, n = plan_runtimes(pl, done, &rr, &ctx, &mods);

		for (size_t k = 0; k < n && pl->nr < MAX_OBJECTS_PER_PROCESS; k++) {
			struct aobj *o = open_object(ap, ld, mods[k].path, want);

			if (o)
				add_with_deps(ap, ld, pl, o, want, mods[k].why);
			err_clear();
		}
		runtimes_release(mods, n);
		done = had;
	}
	plan_names(pl, &rr, path, opts->env, opts->env_nr, opts->workdir);
	if ((py = plan_ffi(ap, pl))) {
		size_t nl;
		const char **libs = pycode_libs(py, &nl);

		for (size_t i = 0; i < nl && pl->nr < MAX_OBJECTS_PER_PROCESS; i++) {
			char **files;
			size_t nf = ffi_lib_files(&rr, libs[i], (const char *const *)ld->dirs, ld->dirs_nr, &files);

			for (size_t k = 0; k < nf; k++) {
				struct aobj *o = open_object(ap, ld, files[k], want);

				if (o)
					add_with_deps(ap, ld, pl, o, want, ANALYSIS_LOAD_CTYPES);
				err_clear();
				free(files[k]);
			}
			free(files);
		}
		free(libs);
	}
	/* glibc loads the NSS modules nsswitch.conf names when an NSS function runs. */
	if (want->is_dynamic) {
		bool uses = false;

		for (size_t i = 0; i < pl->nr && !uses; i++)
			uses = aobj_uses_nss(pl->objs[i]);
		if (uses && !ap->nss_read) {
			char *text = read_in_root(ld, "/etc/nsswitch.conf", 1 << 20, NULL);

			runconf_nss(text, &ap->nss);
			free(text);
			ap->nss_read = true;
		}
		for (size_t i = 0; uses && i < ap->nss.nr; i++) {
			char *name = xasprintf("libnss_%s.so.2", ap->nss.v[i]);
			struct aobj *o = find_library(ap, ld, name, pl, 0, want);

			if (o)
				add_with_deps(ap, ld, pl, o, want, ANALYSIS_LOAD_NSS);
			err_clear();
			free(name);
		}
	}
	/* libpam dlopen()s the modules its configuration names. */
	if (want->is_dynamic && plan_uses_pam(pl)) {
		if (!ap->pam_read)
			read_pam(ap, &rr);
		for (size_t i = 0; i < ap->pam.nr; i++) {
			const char *m = ap->pam.v[i];
			struct aobj *o = NULL;

			for (size_t k = 0; !o && k < (m[0] == '/' ? 1 : ARRAY_SIZE(pam_dirs)); k++) {
				char *p = m[0] == '/' ? xstrdup(m) : xasprintf("%s/%s", pam_dirs[k], m);

				o = open_object(ap, ld, p, want);
				err_clear();
				free(p);
			}
			if (o)
				add_with_deps(ap, ld, pl, o, want, ANALYSIS_LOAD_PAM);
		}
	}
	/* Libraries named as string literals by objects that dlopen(). */
	for (size_t i = 0; i < pl->nr && pl->nr < MAX_OBJECTS_PER_PROCESS; i++) {
		const char *const *names;
		size_t n = aobj_literals(pl->objs[i], &names);

		for (size_t k = 0; k < n; k++) {
			struct aobj *o = find_library(ap, ld, names[k], pl, i, want);

			if (o)
				add_with_deps(ap, ld, pl, o, want, ANALYSIS_LOAD_LITERAL);
			err_clear();
		}
	}
	plan_langs(ap, pl, opts->argv, opts->argv ? opts->argc : 0);
	return 0;
}

/* ---- files mode: Perl's and Ruby's code (langsys) ------------------------- */

#define LANG_WALK_ENTRIES 2000000 /* most folder entries one read of a root visits */
#define LANG_WALK_DEPTH 40

struct files_lang {
	const struct hostld *ld;
	unsigned want;
	struct langsys *ls;
	size_t entries;
	const char *path;     /* the file lang_file asks to read */
	struct pycode *py;     /* set: the walk reads Python files for it instead (pycode.h) */
};

static int files_lang_text(const void *ctx, char **text, size_t *len)
{
	const struct files_lang *fl = ctx;

	*text = read_in_root(fl->ld, fl->path, LANGSYS_MAX_FILE, len);
	return *text ? 0 : err_set(errno ? errno : EIO, "cannot read it");
}

/*
 * Every file under 'dir' (a path in the root) that may hold code of the
 * wanted languages: by its name, or, for an executable, by its '#!' line.
 * A walk cut short by the limits makes them unknown.
 */
static void files_lang_walk(struct files_lang *fl, const char *dir, unsigned depth)
{
	int fd = open_in_root(fl->ld, dir);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;
		char *path;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fl->ld->lang_stop && atomic_load(fl->ld->lang_stop))
			break;
		if (++fl->entries > LANG_WALK_ENTRIES || depth > LANG_WALK_DEPTH) {
			if (fl->py)
				fl->py->names_cut = true;
			for (unsigned l = 0; l < LANGSYS_NR; l++)
				if (fl->want & 1u << l)
					langsys_set_unknown(&fl->ls[l], "the root has too many files to read them all");
			break;
		}
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		path = xasprintf("%s/%s", strcmp(dir, "/") ? dir : "", e->d_name);
		if (S_ISDIR(st.st_mode)) {
			/* The kernel's file systems hold no code (a root named as a folder has none mounted). */
			if (!(depth == 0 && (!strcmp(path, "/proc") || !strcmp(path, "/sys") || !strcmp(path, "/dev"))))
				files_lang_walk(fl, path, depth + 1);
		} else if (S_ISREG(st.st_mode) && fl->py) {
			if (pycode_path_wanted(path) && st.st_size <= PYCODE_MAX_FILE) {
				size_t len;
				char *text = read_in_root(fl->ld, path, PYCODE_MAX_FILE, &len);

				if (text)
					pycode_scan_file(fl->py, path, text, len);
				free(text);
			}
		} else if (S_ISREG(st.st_mode)) {
			bool script = false;

			if (st.st_mode & 0111) {
				int f = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
				char head[2];

				script = f >= 0 && read(f, head, 2) == 2 && head[0] == '#' && head[1] == '!';
				if (f >= 0)
					close(f);
			}
			fl->path = path;
			lang_file(fl->ls, fl->want, path, (uint64_t)st.st_size, script, files_lang_text, fl);
		}
		free(path);
	}
	closedir(d);
}

/*
 * Files mode's lang_read: with a root, all of it; on the host, the
 * languages' library folders (the host's other scripts are not read:
 * README, Limits).
 */
static void files_lang_read(const void *ctx, unsigned want, struct langsys *ls)
{
	static const char *const host_dirs[] = {
		"/etc/perl", "/usr/share/perl", "/usr/share/perl5", "/usr/lib/x86_64-linux-gnu/perl",
		"/usr/lib/x86_64-linux-gnu/perl5", "/usr/lib/x86_64-linux-gnu/perl-base", "/usr/local/share/perl",
		"/usr/local/lib/x86_64-linux-gnu/perl", "/usr/local/lib/site_perl", "/usr/local/lib/perl5",
		"/usr/lib/perl5", "/usr/lib/ruby", "/usr/share/ruby", "/usr/lib/x86_64-linux-gnu/ruby", "/var/lib/gems",
		"/usr/local/lib/ruby", "/usr/share/rubygems-integration", "/usr/local/bundle",
	};
	struct files_lang fl = { ctx, want, ls, 0, NULL, NULL };

	if (fl.ld->root) {
		files_lang_walk(&fl, "/", 0);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(host_dirs); i++)
		files_lang_walk(&fl, host_dirs[i], 1);
}

/* Files mode's py_read: with a root, all of it; on the host, Python's library folders. */
static void files_py_read(const void *ctx, struct pycode *pf)
{
	static const char *const host_dirs[] = { "/usr/lib/python3", "/usr/local/lib" };
	struct files_lang fl = { ctx, 0, NULL, 0, NULL, pf };

	if (fl.ld->root) {
		files_lang_walk(&fl, "/", 0);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(host_dirs); i++)
		files_lang_walk(&fl, host_dirs[i], 1);
	/* /usr/lib/python3.11 and the like: the standard library of each version. */
	{
		DIR *d = opendir("/usr/lib");
		struct dirent *e;

		while (d && (e = readdir(d)))
			if (!strncmp(e->d_name, "python3.", 8)) {
				char *dir = xasprintf("/usr/lib/%s", e->d_name);

				files_lang_walk(&fl, dir, 1);
				free(dir);
			}
		if (d)
			closedir(d);
	}
}

int analysis_files(const char *const *paths, size_t nr, const char *root,
		   const struct analysis_opts *opts, struct analysis **out)
{
	static const struct analysis_opts defaults;
	struct analysis *a;
	struct apriv *ap;
	struct hostld ld;
	struct plan *plans;
	double *t_start;

	if (!opts)
		opts = &defaults;
	if (opts->argv && nr != 1)
		return err_set(EINVAL, "arguments name one program's: give one file with them, not %zu", nr);
	if (root) {
		struct stat st;

		if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
			return err_set(ENOTDIR, "cannot use root '%s': not a folder", root);
	}
	a = analysis_new(opts);
	ap = a->priv;
	hostld_init(&ld, root, opts);
	ap->lang_read = files_lang_read;
	ap->py_read = files_py_read;
	ap->lang_ctx = &ld;
	ld.lang_stop = &ap->lang_stop;
	if (root && ld.rootfd < 0) {
		hostld_release(&ld);
		analysis_free(a);
		return err_set(errno, "cannot open root '%s': %s", root, strerror(errno));
	}
	a->programs = xcalloc(nr ? nr : 1, sizeof(*a->programs));
	plans = xcalloc(nr ? nr : 1, sizeof(*plans));
	t_start = xcalloc(nr ? nr : 1, sizeof(*t_start));
	if (nr > 1)
		lang_start(ap);
	for (size_t i = 0; i < nr; i++) {
		struct analysis_program *prog = &a->programs[a->programs_nr++];
		int ret;

		t_start[i] = now_ms();
		prog->path = xstrdup(paths[i]);
		prog->root = root ? xstrdup(root) : NULL;
		ret = plan_files(ap, &ld, paths[i], opts, &plans[i]);
		plans[i].cacheable = true;
		if (ret < 0)
			program_fail(a, prog, ret);
		t_start[i] = now_ms() - t_start[i];
		progress_update(opts->progress, "resolving", i + 1, nr);
	}
	lang_join(ap);
	programs_load_cached(a, plans, opts);
	progress_update(opts->progress, "analysing objects", 0, ap->objs_nr);
	summarise_pending(ap, 0);
	for (size_t i = 0; i < ap->objs_nr; i++)
		aobj_drop_elf(ap->objs[i]);
	fs_arena_release(&ap->maps);
	link_all(a, plans, opts, t_start, true);
	for (size_t i = 0; i < a->programs_nr; i++)
		plan_release(&plans[i]);
	free(plans);
	free(t_start);
	hostld_release(&ld);
	*out = a;
	return 0;
}
