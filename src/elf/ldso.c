#include "elf/ldso.h"

#include <elf.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "util/error.h"
#include "util/path.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define CACHE_FILE_CAP (64u * 1024 * 1024)
#define CONF_FILE_CAP (1u * 1024 * 1024)
#define CONF_DEPTH_MAX 8
/* More libraries than this in one process means something is wrong. */
#define LIBS_MAX 4096

/* glibc ld.so.cache flags (sysdeps/generic/ldconfig.h) */
#define CACHE_FLAG_ELF_LIBC6 0x0003
#define CACHE_FLAG_TYPE_MASK 0x00ff
#define CACHE_FLAG_REQUIRED_MASK 0xff00
#define CACHE_FLAG_X8664_LIB64 0x0300
#define CACHE_FLAG_AARCH64_LIB64 0x0a00

struct ldso_obj {
	char *real;
	struct fs_map map;
	struct elf_file *elf;
	int err;         /* negative errno when it could not be opened */
	char *err_msg;
};

struct strlist {
	char **v;
	size_t nr, alloc;
};

struct ldso {
	const struct rootfs *fs;
	char *workdir;
	char *ld_library_path;  /* NULL when unset */
	char *ld_preload;
	struct strmap objs;     /* canonical path -> struct ldso_obj */

	bool glibc_loaded;      /* cache/conf/preload read */
	bool have_cache;
	struct strmap cache;    /* soname -> path (x86_64 entries) */
	struct strmap cache_aarch64;
	struct strlist conf_dirs;
	struct strlist conf_seen;
	struct strlist preload;

	bool musl_loaded;
	enum elf_arch musl_arch;
	struct strlist musl_dirs;
};

/* ---- small helpers ---------------------------------------------------- */

static void strlist_push(struct strlist *l, const char *s)
{
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr++] = xstrdup(s);
}

static void strlist_release(struct strlist *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

static bool strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->nr; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

const char *ldso_how_name(enum ldso_how how)
{
	static const char *const names[] = {
		[LDSO_HOW_MAIN] = "main",
		[LDSO_HOW_INTERP] = "interp",
		[LDSO_HOW_PRELOAD] = "preload",
		[LDSO_HOW_PATH] = "path",
		[LDSO_HOW_RPATH] = "rpath",
		[LDSO_HOW_LD_LIBRARY_PATH] = "ld_library_path",
		[LDSO_HOW_RUNPATH] = "runpath",
		[LDSO_HOW_CACHE] = "ld.so.cache",
		[LDSO_HOW_CONF] = "ld.so.conf",
		[LDSO_HOW_DEFAULT] = "default",
		[LDSO_HOW_MUSL_PATH] = "musl-path",
		[LDSO_HOW_BUILTIN] = "builtin",
		[LDSO_HOW_UNRESOLVED] = "unresolved",
	};

	if ((size_t)how < ARRAY_SIZE(names) && names[how])
		return names[how];
	return "unknown";
}

const char *ldso_flavor_name(enum ldso_flavor f)
{
	switch (f) {
	case LDSO_GLIBC:
		return "glibc";
	case LDSO_MUSL:
		return "musl";
	default:
		return "static";
	}
}

/* Make 'path' absolute against 'base' (a folder). */
static char *absolutize(const char *base, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	return fs_join(base && base[0] ? base : "/", path);
}

static void obj_free(void *p)
{
	struct ldso_obj *o = p;

	if (!o)
		return;
	elf_free(o->elf);
	if (o->map.data)
		fs_unmap(&o->map);
	free(o->real);
	free(o->err_msg);
	free(o);
}

struct ldso *ldso_new(const struct rootfs *fs, char *const *env, size_t env_nr,
		      const char *workdir)
{
	struct ldso *ld = xcalloc(1, sizeof(*ld));
	const char *v;

	ld->fs = fs;
	ld->workdir = xstrdup(workdir && workdir[0] == '/' ? workdir : "/");
	strmap_init(&ld->objs);
	strmap_init(&ld->cache);
	strmap_init(&ld->cache_aarch64);
	v = env_lookup(env, env_nr, "LD_LIBRARY_PATH");
	if (v && v[0])
		ld->ld_library_path = xstrdup(v);
	v = env_lookup(env, env_nr, "LD_PRELOAD");
	if (v && v[0])
		ld->ld_preload = xstrdup(v);
	return ld;
}

void ldso_free(struct ldso *ld)
{
	if (!ld)
		return;
	strmap_release(&ld->objs, obj_free);
	strmap_release(&ld->cache, free);
	strmap_release(&ld->cache_aarch64, free);
	strlist_release(&ld->conf_dirs);
	strlist_release(&ld->conf_seen);
	strlist_release(&ld->preload);
	strlist_release(&ld->musl_dirs);
	free(ld->workdir);
	free(ld->ld_library_path);
	free(ld->ld_preload);
	free(ld);
}

/* ---- opening objects -------------------------------------------------- */

/* Resolve a regular file in the image; *real is the caller's. */
static int resolve_reg(struct ldso *ld, const char *path, const struct rootfs_node **node,
		       char **real)
{
	int ret = rootfs_resolve(ld->fs, path, true, node, real);

	if (ret < 0)
		return ret;
	if ((*node)->type != ROOTFS_REG) {
		free(*real);
		*real = NULL;
		return -EISDIR;
	}
	return 0;
}

int ldso_open(struct ldso *ld, const char *path, const struct elf_file **elf, const char **real)
{
	const struct rootfs_node *node;
	struct ldso_obj *o;
	char *canon = NULL;
	int ret;

	*elf = NULL;
	if (real)
		*real = NULL;
	ret = resolve_reg(ld, path, &node, &canon);
	if (ret < 0)
		return err_set(-ret, "cannot open '%s' in the image: %s", path, strerror(-ret));
	o = strmap_get(&ld->objs, canon);
	if (!o) {
		o = xcalloc(1, sizeof(*o));
		o->real = canon;
		canon = NULL;
		strmap_put(&ld->objs, o->real, o);
		ret = rootfs_map(ld->fs, node, &o->map);
		if (ret < 0) {
			o->err = ret;
			o->err_msg = xasprintf("cannot read '%s' from the image: %s", o->real,
					       strerror(-ret));
			memset(&o->map, 0, sizeof(o->map));
		} else if ((ret = elf_open_mem(&o->map, o->real, &o->elf)) < 0) {
			o->err = ret;
			o->err_msg = xstrdup(err_msg());
		}
	}
	free(canon);
	if (real)
		*real = o->real;
	if (o->err < 0)
		return err_set(-o->err, "%s", o->err_msg);
	*elf = o->elf;
	return 0;
}

void ldso_drop_pages(struct ldso *ld, const char *real)
{
	const struct ldso_obj *o = strmap_get(&ld->objs, real);

	if (o && !o->err)
		fs_map_drop_pages(&o->map);
}

/* ---- image configuration files ------------------------------------------ */

static int read_image_file(struct ldso *ld, const char *path, size_t cap, char **data,
			   size_t *len)
{
	const struct rootfs_node *node;
	char *real = NULL;
	int ret = resolve_reg(ld, path, &node, &real);

	free(real);
	if (ret < 0)
		return ret;
	return rootfs_read(ld->fs, node, cap, data, len);
}

static const char *cache_str(const char *base, size_t base_len, uint32_t off)
{
	if (off >= base_len || !memchr(base + off, '\0', base_len - off))
		return NULL;
	return base + off;
}

static void cache_add(struct ldso *ld, int32_t flags, const char *key, const char *value)
{
	struct strmap *m;

	if ((flags & CACHE_FLAG_TYPE_MASK) != CACHE_FLAG_ELF_LIBC6)
		return;
	if ((flags & CACHE_FLAG_REQUIRED_MASK) == CACHE_FLAG_X8664_LIB64)
		m = &ld->cache;
	else if ((flags & CACHE_FLAG_REQUIRED_MASK) == CACHE_FLAG_AARCH64_LIB64)
		m = &ld->cache_aarch64;
	else
		return;
	if (!key || !value || value[0] != '/')
		return;
	/* ldconfig sorts the best match first: keep the first one. */
	if (!strmap_contains(m, key))
		strmap_put(m, key, xstrdup(value));
}

/* Parse the new format at 'p' (string offsets relative to p). */
static bool parse_cache_new(struct ldso *ld, const char *p, size_t len)
{
	uint32_t nlibs;
	const size_t hdr = 48, ent = 24;

	if (len < hdr || memcmp(p, "glibc-ld.so.cache1.1", 20) != 0)
		return false;
	memcpy(&nlibs, p + 20, 4);
	if (nlibs > (len - hdr) / ent) {
		warn_add("ld.so.cache: %u entries do not fit in the file; ignored", nlibs);
		return false;
	}
	for (uint32_t i = 0; i < nlibs; i++) {
		const char *e = p + hdr + (size_t)i * ent;
		int32_t flags;
		uint32_t key, value;
		uint64_t hwcap;

		memcpy(&flags, e, 4);
		memcpy(&key, e + 4, 4);
		memcpy(&value, e + 8, 4);
		memcpy(&hwcap, e + 16, 8);
		/* hwcap-specific variants depend on the CPU; the baseline entry is what we bind. */
		if (hwcap)
			continue;
		cache_add(ld, flags, cache_str(p, len, key), cache_str(p, len, value));
	}
	return true;
}

static void parse_cache(struct ldso *ld, const char *p, size_t len)
{
	static const char old_magic[] = "ld.so-1.7.0";

	if (parse_cache_new(ld, p, len)) {
		ld->have_cache = true;
		return;
	}
	if (len >= 16 && memcmp(p, old_magic, sizeof(old_magic) - 1) == 0) {
		uint32_t nlibs;
		size_t ent = 12, start = 16, strings, new_off;

		memcpy(&nlibs, p + 12, 4);
		if (nlibs > (len - start) / ent) {
			warn_add("ld.so.cache: %u entries do not fit in the file; ignored", nlibs);
			return;
		}
		strings = start + (size_t)nlibs * ent;
		/* A new-format cache may follow, 8-aligned: glibc prefers it. */
		new_off = (strings + 7) & ~(size_t)7;
		if (new_off < len && parse_cache_new(ld, p + new_off, len - new_off)) {
			ld->have_cache = true;
			return;
		}
		for (uint32_t i = 0; i < nlibs; i++) {
			const char *e = p + start + (size_t)i * ent;
			int32_t flags;
			uint32_t key, value;

			memcpy(&flags, e, 4);
			memcpy(&key, e + 4, 4);
			memcpy(&value, e + 8, 4);
			cache_add(ld, flags, cache_str(p + strings, len - strings, key),
				  cache_str(p + strings, len - strings, value));
		}
		ld->have_cache = true;
		return;
	}
	warn_add("/etc/ld.so.cache in the image has an unknown format; ignored");
}

static void parse_conf(struct ldso *ld, const char *path, int depth);

static void conf_include(struct ldso *ld, const char *conf_dir, const char *pattern, int depth)
{
	char *pat = absolutize(conf_dir, pattern);
	struct strlist matches = { NULL, 0, 0 };
	const struct rootfs_node *n;

	/* Globbing inside the image: match every path (rootfs_at is path-sorted). */
	for (size_t i = 0; (n = rootfs_at(ld->fs, i)); i++) {
		if (n->type != ROOTFS_REG && n->type != ROOTFS_SYMLINK)
			continue;
		if (fnmatch(pat, n->path, FNM_PATHNAME | FNM_PERIOD) == 0)
			strlist_push(&matches, n->path);
	}
	for (size_t i = 0; i < matches.nr; i++)
		parse_conf(ld, matches.v[i], depth + 1);
	strlist_release(&matches);
	free(pat);
}

static void parse_conf(struct ldso *ld, const char *path, int depth)
{
	char *data = NULL, *line, *save = NULL, *dir;
	size_t len;

	if (depth > CONF_DEPTH_MAX) {
		warn_add("ld.so.conf: includes nested deeper than %d at '%s'; ignored",
			 CONF_DEPTH_MAX, path);
		return;
	}
	/* Each file once: includes that include each other must not fan out. */
	if (strlist_has(&ld->conf_seen, path))
		return;
	strlist_push(&ld->conf_seen, path);
	if (read_image_file(ld, path, CONF_FILE_CAP, &data, &len) < 0)
		return;
	dir = path_dirname(path);
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#'), *tok, *tsave = NULL;

		if (hash)
			*hash = '\0';
		tok = strtok_r(line, " \t\r,:", &tsave);
		if (!tok)
			continue;
		if (strcmp(tok, "include") == 0) {
			while ((tok = strtok_r(NULL, " \t\r", &tsave)))
				conf_include(ld, dir, tok, depth);
			continue;
		}
		if (strcmp(tok, "hwcap") == 0)
			continue;
		do {
			char *eq = strchr(tok, '=');

			if (eq)
				*eq = '\0';
			if (tok[0] == '/' && !strlist_has(&ld->conf_dirs, tok))
				strlist_push(&ld->conf_dirs, tok);
		} while ((tok = strtok_r(NULL, " \t\r,:", &tsave)));
	}
	free(dir);
	free(data);
}

static void parse_preload_file(struct ldso *ld)
{
	char *data = NULL, *tok, *save = NULL;
	size_t len;

	if (read_image_file(ld, "/etc/ld.so.preload", CONF_FILE_CAP, &data, &len) < 0)
		return;
	for (tok = strtok_r(data, " \t\r\n:", &save); tok; tok = strtok_r(NULL, " \t\r\n:", &save))
		strlist_push(&ld->preload, tok);
	free(data);
}

static void glibc_load(struct ldso *ld)
{
	char *data = NULL;
	size_t len;

	if (ld->glibc_loaded)
		return;
	ld->glibc_loaded = true;
	if (read_image_file(ld, "/etc/ld.so.cache", CACHE_FILE_CAP, &data, &len) == 0) {
		parse_cache(ld, data, len);
		free(data);
	}
	if (!ld->have_cache)
		parse_conf(ld, "/etc/ld.so.conf", 0);
	parse_preload_file(ld);
}

static void musl_load(struct ldso *ld, enum elf_arch arch)
{
	const char *name = arch == ELF_ARCH_AARCH64 ? "/etc/ld-musl-aarch64.path"
						    : "/etc/ld-musl-x86_64.path";
	char *data = NULL, *tok, *save = NULL;
	size_t len;

	if (ld->musl_loaded && ld->musl_arch == arch)
		return;
	strlist_release(&ld->musl_dirs);
	ld->musl_loaded = true;
	ld->musl_arch = arch;
	if (read_image_file(ld, name, CONF_FILE_CAP, &data, &len) == 0) {
		for (tok = strtok_r(data, ":\n", &save); tok; tok = strtok_r(NULL, ":\n", &save))
			if (tok[0])
				strlist_push(&ld->musl_dirs, tok);
		free(data);
		/* An empty path file means "no system path" to musl. */
		return;
	}
	strlist_push(&ld->musl_dirs, "/lib");
	strlist_push(&ld->musl_dirs, "/usr/local/lib");
	strlist_push(&ld->musl_dirs, "/usr/lib");
}

const char *ldso_cache_kind(struct ldso *ld)
{
	glibc_load(ld);
	if (ld->have_cache)
		return "cache";
	return ld->conf_dirs.nr ? "conf" : "none";
}

/* ---- the search ------------------------------------------------------- */

struct resolve_state {
	struct ldso *ld;
	struct ldso_result *res;
	enum ldso_flavor flavor;
	const struct elf_file *main;
	size_t alloc;
	/* origin of each libs[] entry (folder of the path it was opened by) */
	char **origins;
	size_t origins_alloc;
	/* the interpreter, added to libs[] where it is first needed */
	const struct elf_file *interp_elf;
	const char *interp_real;
	bool interp_added;
};

static const char *platform_of(const struct elf_file *e)
{
	return e->arch == ELF_ARCH_AARCH64 ? "aarch64" : "x86_64";
}

static const char *triplet_of(const struct elf_file *e)
{
	return e->arch == ELF_ARCH_AARCH64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
}

char *ldso_expand_dst(const char *in, const char *origin, const struct elf_file *main, bool musl)
{
	struct strbuf_lite {
		char *b;
		size_t len, alloc;
	} sb = { NULL, 0, 0 };
	const char *p = in;

	while (*p) {
		const char *val = NULL;
		size_t skip = 0;

		if (*p == '$') {
			static const struct {
				const char *tok;
				int id;
			} toks[] = { { "ORIGIN", 0 }, { "LIB", 1 }, { "PLATFORM", 2 } };

			for (size_t i = 0; i < ARRAY_SIZE(toks) && !skip; i++) {
				size_t tl = strlen(toks[i].tok);

				if (strncmp(p + 1, toks[i].tok, tl) == 0 &&
				    !((p[1 + tl] >= 'A' && p[1 + tl] <= 'Z') ||
				      (p[1 + tl] >= 'a' && p[1 + tl] <= 'z') ||
				      (p[1 + tl] >= '0' && p[1 + tl] <= '9') || p[1 + tl] == '_'))
					skip = 1 + tl;
				else if (p[1] == '{' && strncmp(p + 2, toks[i].tok, tl) == 0 &&
					 p[2 + tl] == '}')
					skip = 3 + tl;
				if (skip) {
					if (toks[i].id == 0)
						val = origin;
					else if (musl)
						val = NULL; /* musl expands only $ORIGIN */
					else if (toks[i].id == 1)
						val = main->arch == ELF_ARCH_AARCH64 ?
							      "lib/aarch64-linux-gnu" :
							      "lib/x86_64-linux-gnu";
					else
						val = platform_of(main);
				}
			}
			if (!skip || !val) {
				free(sb.b);
				return NULL;
			}
		}
		if (skip) {
			size_t vl = strlen(val);

			ALLOC_GROW(sb.b, sb.len + vl + 1, sb.alloc);
			memcpy(sb.b + sb.len, val, vl);
			sb.len += vl;
			p += skip;
		} else {
			ALLOC_GROW(sb.b, sb.len + 2, sb.alloc);
			sb.b[sb.len++] = *p++;
		}
	}
	ALLOC_GROW(sb.b, sb.len + 1, sb.alloc);
	sb.b[sb.len] = '\0';
	return sb.b;
}

static bool compatible(const struct elf_file *cand, const struct elf_file *main)
{
	return cand->elf_class == main->elf_class && cand->machine == main->machine;
}

/*
 * Try to open 'path'; on success fill the out_ pointers.
 * 'check' enforces class/machine like glibc's open_verify.
 */
static bool try_path(struct resolve_state *st, const char *path, bool check, char **out_path,
		     const char **out_real, const struct elf_file **out_elf)
{
	const struct elf_file *elf;
	const char *real;

	if (ldso_open(st->ld, path, &elf, &real) < 0) {
		err_clear();
		return false;
	}
	if (check && !compatible(elf, st->main))
		return false;
	*out_path = xstrdup(path);
	*out_real = real;
	*out_elf = elf;
	return true;
}

/* Search 'name' in a ':'-separated list with DSTs expanded against origin. */
static bool search_list(struct resolve_state *st, const char *list, const char *origin,
			const char *name, bool check, char **out_path, const char **out_real,
			const struct elf_file **out_elf)
{
	char *copy, *tok, *save = NULL;
	bool found = false;

	if (!list)
		return false;
	copy = xstrdup(list);
	for (tok = strtok_r(copy, st->flavor == LDSO_MUSL ? ":\n" : ":;", &save); tok && !found;
	     tok = strtok_r(NULL, st->flavor == LDSO_MUSL ? ":\n" : ":;", &save)) {
		char *dir, *abs, *cand;

		if (!tok[0])
			continue;
		dir = ldso_expand_dst(tok, origin, st->main, st->flavor == LDSO_MUSL);
		if (!dir)
			continue;
		abs = absolutize(st->ld->workdir, dir);
		cand = fs_join(abs, name);
		found = try_path(st, cand, check, out_path, out_real, out_elf);
		free(cand);
		free(abs);
		free(dir);
	}
	free(copy);
	return found;
}

static bool search_dirs(struct resolve_state *st, const struct strlist *dirs, const char *name,
			bool check, char **out_path, const char **out_real,
			const struct elf_file **out_elf)
{
	for (size_t i = 0; i < dirs->nr; i++) {
		char *cand = fs_join(dirs->v[i], name);
		bool found = try_path(st, cand, check, out_path, out_real, out_elf);

		free(cand);
		if (found)
			return true;
	}
	return false;
}

/* ELF RPATH/RUNPATH per the object's rules: RUNPATH hides RPATH. */
static const char *obj_rpath(const struct elf_file *e)
{
	return e && !e->dyn.runpath ? e->dyn.rpath : NULL;
}

static bool musl_reserved(const char *name)
{
	static const char *const reserved[] = { "c", "pthread", "rt", "m", "dl", "util", "xnet",
						"crypt" };

	if (strncmp(name, "lib", 3) != 0)
		return false;
	name += 3;
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++) {
		size_t l = strlen(reserved[i]);

		if (strncmp(name, reserved[i], l) == 0 && strncmp(name + l, ".so", 3) == 0 &&
		    (name[l + 3] == '\0' || name[l + 3] == '.'))
			return true;
	}
	return false;
}

static enum ldso_how search_glibc(struct resolve_state *st, size_t requester, const char *name,
				  char **out_path, const char **out_real,
				  const struct elf_file **out_elf)
{
	struct ldso_result *res = st->res;
	const struct elf_file *req = res->libs[requester].elf;
	bool nodeflib = req && (req->dyn.flags_1 & DF_1_NODEFLIB);
	/*
	 * Debian's ld.so searches /lib/TRIPLET /usr/lib/TRIPLET /lib /usr/lib;
	 * lib64 distributions use /lib64 /usr/lib64.  Searching all of them is
	 * safe: a 32-bit library in /usr/lib fails the class check.
	 */
	static const char *const defaults[] = { "/lib/%s", "/usr/lib/%s", "/lib", "/usr/lib",
						"/lib64", "/usr/lib64" };

	if (!req || !req->dyn.runpath) {
		/* RPATH of the requester and every object up its loader chain. */
		size_t i = requester;
		bool main_seen = false;

		for (size_t guard = 0; guard <= res->libs_nr; guard++) {
			const struct elf_file *e = res->libs[i].elf;

			if (i == 0)
				main_seen = true;
			if (search_list(st, obj_rpath(e), st->origins[i], name, true, out_path,
					out_real, out_elf))
				return LDSO_HOW_RPATH;
			if (i == 0)
				break;
			i = res->libs[i].needed_by;
		}
		if (!main_seen && search_list(st, obj_rpath(st->main), st->origins[0], name, true,
					      out_path, out_real, out_elf))
			return LDSO_HOW_RPATH;
	}
	if (search_list(st, st->ld->ld_library_path, st->origins[0], name, true, out_path,
			out_real, out_elf))
		return LDSO_HOW_LD_LIBRARY_PATH;
	if (req && req->dyn.runpath &&
	    search_list(st, req->dyn.runpath, st->origins[requester], name, true, out_path,
			out_real, out_elf))
		return LDSO_HOW_RUNPATH;
	if (nodeflib)
		return LDSO_HOW_UNRESOLVED;
	if (st->ld->have_cache) {
		const struct strmap *m = st->main->arch == ELF_ARCH_AARCH64 ? &st->ld->cache_aarch64
									 : &st->ld->cache;
		const char *p = strmap_get(m, name);

		if (p && try_path(st, p, true, out_path, out_real, out_elf))
			return LDSO_HOW_CACHE;
	} else if (search_dirs(st, &st->ld->conf_dirs, name, true, out_path, out_real, out_elf)) {
		return LDSO_HOW_CONF;
	}
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
		char *dir = strstr(defaults[i], "%s") ?
				    xasprintf(i == 0 ? "/lib/%s" : "/usr/lib/%s", triplet_of(st->main)) :
				    xstrdup(defaults[i]);
		char *cand = fs_join(dir, name);
		bool found = try_path(st, cand, true, out_path, out_real, out_elf);

		free(cand);
		free(dir);
		if (found)
			return LDSO_HOW_DEFAULT;
	}
	return LDSO_HOW_UNRESOLVED;
}

static enum ldso_how search_musl(struct resolve_state *st, size_t requester, const char *name,
				 char **out_path, const char **out_real,
				 const struct elf_file **out_elf)
{
	struct ldso_result *res = st->res;
	size_t i = requester;

	if (search_list(st, st->ld->ld_library_path, st->origins[0], name, false, out_path,
			out_real, out_elf))
		return LDSO_HOW_LD_LIBRARY_PATH;
	for (size_t guard = 0; guard <= res->libs_nr; guard++) {
		const struct elf_file *e = res->libs[i].elf;
		const char *rp = e ? (e->dyn.runpath ? e->dyn.runpath : e->dyn.rpath) : NULL;

		if (search_list(st, rp, st->origins[i], name, false, out_path, out_real, out_elf))
			return e->dyn.runpath ? LDSO_HOW_RUNPATH : LDSO_HOW_RPATH;
		if (i == 0)
			break;
		i = res->libs[i].needed_by;
	}
	if (search_dirs(st, &st->ld->musl_dirs, name, false, out_path, out_real, out_elf))
		return LDSO_HOW_MUSL_PATH;
	return LDSO_HOW_UNRESOLVED;
}

static size_t add_lib(struct resolve_state *st, const char *name, char *path, const char *real,
		      enum ldso_how how, size_t needed_by, const struct elf_file *elf)
{
	struct ldso_result *res = st->res;
	struct ldso_lib *l;

	ALLOC_GROW(res->libs, res->libs_nr + 1, st->alloc);
	ALLOC_GROW(st->origins, res->libs_nr + 1, st->origins_alloc);
	l = &res->libs[res->libs_nr];
	memset(l, 0, sizeof(*l));
	l->name = xstrdup(name);
	l->path = path;
	l->real = real ? xstrdup(real) : NULL;
	l->how = path ? how : LDSO_HOW_UNRESOLVED;
	l->needed_by = needed_by;
	l->elf = path ? elf : NULL;
	/* glibc's $ORIGIN: the main program's real folder, a library's opened folder. */
	st->origins[res->libs_nr] = path ? path_dirname(how == LDSO_HOW_MAIN ? real : path) : NULL;
	if (!path)
		res->unresolved_nr++;
	return res->libs_nr++;
}

/* Already loaded under this name (requested name, soname, or file)? */
static bool already_loaded(const struct resolve_state *st, const char *name, const char *real)
{
	const struct ldso_result *res = st->res;

	for (size_t i = 0; i < res->libs_nr; i++) {
		const struct ldso_lib *l = &res->libs[i];

		if (real && l->real && strcmp(l->real, real) == 0)
			return true;
		if (!name)
			continue;
		if (strcmp(l->name, name) == 0)
			return true;
		if (l->elf && l->elf->dyn.soname && strcmp(l->elf->dyn.soname, name) == 0)
			return true;
	}
	return false;
}

/* Does a NEEDED name denote the interpreter (which is mapped already)? */
static bool is_interp_name(const struct resolve_state *st, const char *name)
{
	const char *base;

	if (!st->interp_elf)
		return false;
	if (st->flavor == LDSO_MUSL)
		return musl_reserved(name) || strcmp(name, st->main->interp) == 0;
	if (st->interp_elf->dyn.soname && strcmp(st->interp_elf->dyn.soname, name) == 0)
		return true;
	base = strrchr(st->main->interp, '/');
	return strcmp(name, st->main->interp) == 0 || (base && strcmp(base + 1, name) == 0);
}

static void add_interp(struct resolve_state *st, size_t requester)
{
	if (st->interp_added || !st->interp_elf)
		return;
	st->interp_added = true;
	st->res->interp = add_lib(st, st->main->interp, xstrdup(st->main->interp),
				  st->interp_real, LDSO_HOW_INTERP, requester, st->interp_elf);
}

static void load_one(struct resolve_state *st, size_t requester, const char *name,
		     enum ldso_how forced)
{
	char *path = NULL;
	const char *real = NULL;
	const struct elf_file *elf = NULL;
	enum ldso_how how;

	if (st->res->libs_nr >= LIBS_MAX) {
		warn_add("program '%s': more than %d libraries; rest ignored",
			 st->res->libs[0].real, LIBS_MAX);
		return;
	}
	if (already_loaded(st, name, NULL))
		return;
	/* musl: libc names are the interpreter itself; glibc: ld.so's soname. */
	if (is_interp_name(st, name)) {
		add_interp(st, requester);
		return;
	}
	if (st->flavor == LDSO_MUSL && musl_reserved(name))
		return; /* interpreter missing: nothing else could serve it */
	if (strchr(name, '/')) {
		char *exp = ldso_expand_dst(name, st->origins[requester], st->main,
				       st->flavor == LDSO_MUSL);
		char *abs = exp ? absolutize(st->ld->workdir, exp) : NULL;

		how = abs && try_path(st, abs, st->flavor == LDSO_GLIBC, &path, &real, &elf) ?
			      LDSO_HOW_PATH :
			      LDSO_HOW_UNRESOLVED;
		free(abs);
		free(exp);
	} else if (st->flavor == LDSO_MUSL) {
		how = search_musl(st, requester, name, &path, &real, &elf);
	} else {
		how = search_glibc(st, requester, name, &path, &real, &elf);
	}
	if (how != LDSO_HOW_UNRESOLVED && forced != LDSO_HOW_UNRESOLVED)
		how = forced;
	/* Same file under another name: glibc compares dev/inode. */
	if (path && st->interp_real && strcmp(real, st->interp_real) == 0) {
		free(path);
		add_interp(st, requester);
		return;
	}
	if (path && already_loaded(st, NULL, real)) {
		free(path);
		return;
	}
	add_lib(st, name, path, real, how, requester, elf);
}

static void load_preloads(struct resolve_state *st, const char *list, const char *seps)
{
	char *copy = xstrdup(list), *tok, *save = NULL;

	for (tok = strtok_r(copy, seps, &save); tok; tok = strtok_r(NULL, seps, &save))
		load_one(st, 0, tok, LDSO_HOW_PRELOAD);
	free(copy);
}

static bool image_has(struct ldso *ld, const char *path)
{
	const struct rootfs_node *node;
	char *real = NULL;
	int ret = resolve_reg(ld, path, &node, &real);

	free(real);
	return ret == 0;
}

static enum ldso_flavor image_flavor(struct ldso *ld, const struct elf_file *e)
{
	bool arm = e->arch == ELF_ARCH_AARCH64;
	bool musl = image_has(ld, arm ? "/lib/ld-musl-aarch64.so.1" : "/lib/ld-musl-x86_64.so.1");
	bool glibc = image_has(ld, arm ? "/lib/ld-linux-aarch64.so.1" : "/lib64/ld-linux-x86-64.so.2");

	return musl && !glibc ? LDSO_MUSL : LDSO_GLIBC;
}

int ldso_resolve(struct ldso *ld, const char *path, struct ldso_result *res)
{
	struct resolve_state st;
	const struct elf_file *main_elf, *ielf;
	const char *real, *ireal;
	char *abs;
	int ret;

	memset(res, 0, sizeof(*res));
	memset(&st, 0, sizeof(st));
	abs = absolutize(ld->workdir, path);
	ret = ldso_open(ld, abs, &main_elf, &real);
	if (ret < 0) {
		free(abs);
		return ret;
	}
	res->main_class = main_elf->elf_class;
	res->main_machine = main_elf->machine;
	if (!main_elf->analysable) {
		ret = err_set(ENOEXEC, "cannot resolve libraries of '%s': %s %s is not supported",
			      abs, elf_class_name(main_elf->elf_class), elf_arch_name(main_elf));
		free(abs);
		return ret;
	}
	st.ld = ld;
	st.res = res;
	st.main = main_elf;
	add_lib(&st, abs, xstrdup(abs), real, LDSO_HOW_MAIN, 0, main_elf);
	free(abs);

	if (!main_elf->interp) {
		/*
		 * A shared object (a dlopen()ed module) carries no interpreter:
		 * the image's loader decides.  musl images have musl's loader
		 * and no glibc one.
		 */
		res->flavor = main_elf->dyn.needed_nr ? image_flavor(ld, main_elf) : LDSO_NONE;
		if (res->flavor == LDSO_NONE)
			goto out;
	} else {
		res->flavor = strstr(main_elf->interp, "ld-musl") ? LDSO_MUSL : LDSO_GLIBC;
	}
	st.flavor = res->flavor;
	if (st.flavor == LDSO_MUSL)
		musl_load(ld, main_elf->arch);
	else
		glibc_load(ld);

	if (main_elf->interp) {
		if (ldso_open(ld, main_elf->interp, &ielf, &ireal) == 0 && ielf->analysable) {
			st.interp_elf = ielf;
			st.interp_real = ireal;
		} else {
			err_clear();
			res->interp_missing = true;
			add_lib(&st, main_elf->interp, NULL, NULL, LDSO_HOW_UNRESOLVED, 0, NULL);
		}
	}
	if (ld->ld_preload)
		load_preloads(&st, ld->ld_preload, st.flavor == LDSO_MUSL ? ": \t" : ": \t");
	if (st.flavor == LDSO_GLIBC)
		for (size_t i = 0; i < ld->preload.nr; i++)
			load_one(&st, 0, ld->preload.v[i], LDSO_HOW_PRELOAD);

	/* Breadth-first: libs[] grows while we walk it. */
	for (size_t i = 0; i < res->libs_nr; i++) {
		const struct elf_file *e = res->libs[i].elf;

		if (!e || !e->analysable || (res->interp && i == res->interp))
			continue;
		for (size_t j = 0; j < e->dyn.needed_nr; j++)
			load_one(&st, i, e->dyn.needed[j], LDSO_HOW_UNRESOLVED);
	}
	/* Nothing named the interpreter: it is still loaded, after the rest. */
	add_interp(&st, 0);
out:
	for (size_t i = 0; i < res->libs_nr; i++)
		free(st.origins[i]);
	free(st.origins);
	return 0;
}

void ldso_result_release(struct ldso_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->libs_nr; i++) {
		free(res->libs[i].name);
		free(res->libs[i].path);
		free(res->libs[i].real);
	}
	free(res->libs);
	memset(res, 0, sizeof(*res));
}
