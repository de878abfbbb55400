#include "cve/cvedb.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cve/cvetext.h"
#include "cve/dockerdefault.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define X64_PREFIX "__x64_sys_"
/* Confine's cveToStartNodes.csv.validated is tens of MiB; others are small. */
#define CVEFILE_CAP ((size_t)512 << 20)
#define SMALLFILE_CAP ((size_t)64 << 20)

void cve_db_init(struct cve_db *db)
{
	memset(db, 0, sizeof(*db));
	strmap_init(&db->index);
	strmap_init(&db->types);
	sysset_clear(&db->docker_blocked);
}

static void types_free(void *p)
{
	struct cve_types *t = p;

	if (!t)
		return;
	free_strv(t->names, t->nr);
	free(t);
}

static void entry_release(struct cve_entry *e)
{
	free(e->id);
	free_strv(e->syscalls, e->nr_syscalls);
	free(e->affected);
	free(e->source);
}

void cve_db_release(struct cve_db *db)
{
	for (size_t i = 0; i < db->nr; i++)
		entry_release(&db->entries[i]);
	free(db->entries);
	strmap_release(&db->index, NULL);
	strmap_release(&db->types, types_free);
	free(db->docker_source);
	memset(db, 0, sizeof(*db));
}

const struct cve_entry *cve_db_find(const struct cve_db *db, const char *id)
{
	uintptr_t pos = (uintptr_t)strmap_get(&db->index, id);

	return pos ? &db->entries[pos - 1] : NULL;
}

const struct cve_types *cve_db_types(const struct cve_db *db, const char *id)
{
	return strmap_get(&db->types, id);
}

/* Parse "CVE-YEAR-NUMBER"; false for anything else. */
static bool cve_id_parts(const char *s, unsigned long *year, unsigned long *num)
{
	char *end;

	if (strncmp(s, "CVE-", 4) || !isdigit((unsigned char)s[4]))
		return false;
	errno = 0;
	*year = strtoul(s + 4, &end, 10);
	if (errno || *end != '-' || !isdigit((unsigned char)end[1]))
		return false;
	*num = strtoul(end + 1, &end, 10);
	return !errno && *end == '\0';
}

int cve_id_cmp(const char *a, const char *b)
{
	unsigned long ya, na, yb, nb;
	bool va = cve_id_parts(a, &ya, &na), vb = cve_id_parts(b, &yb, &nb);

	if (va && vb) {
		if (ya != yb)
			return ya < yb ? -1 : 1;
		if (na != nb)
			return na < nb ? -1 : 1;
		return strcmp(a, b);
	}
	if (va != vb)
		return va ? -1 : 1;
	return strcmp(a, b);
}

const char *cve_syscall_name(const char *node, bool need_prefix)
{
	/* Kernel entry functions whose names differ from the syscall's. */
	static const char *const alias[][2] = {
		{ "newstat", "stat" },   { "newlstat", "lstat" },
		{ "newfstat", "fstat" }, { "newuname", "uname" },
		{ "sysctl", "_sysctl" },
	};
	const char *name = node;

	if (!strncmp(node, X64_PREFIX, strlen(X64_PREFIX)))
		name = node + strlen(X64_PREFIX);
	else if (need_prefix)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(alias); i++)
		if (!strcmp(name, alias[i][0]))
			return alias[i][1];
	return name;
}

/* A CVE id as Confine's files carry them: CVE-YYYY-N..., nothing else. */
static bool valid_cve_id(const char *p, size_t len)
{
	char buf[64];
	unsigned long y, n;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return cve_id_parts(buf, &y, &n);
}

struct namelist {
	char **v;
	size_t nr, alloc;
};

static void namelist_add(struct namelist *nl, const char *s, size_t n)
{
	ALLOC_GROW(nl->v, nl->nr + 1, nl->alloc);
	nl->v[nl->nr++] = xstrndup(s, n);
}

static void namelist_release(struct namelist *nl)
{
	free_strv(nl->v, nl->nr);
	memset(nl, 0, sizeof(*nl));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop duplicates in place. */
static void namelist_sort_unique(struct namelist *nl)
{
	size_t out = 0;

	if (nl->nr)
		qsort(nl->v, nl->nr, sizeof(*nl->v), cmp_str);
	for (size_t i = 0; i < nl->nr; i++) {
		if (out && !strcmp(nl->v[out - 1], nl->v[i])) {
			free(nl->v[i]);
			continue;
		}
		nl->v[out++] = nl->v[i];
	}
	nl->nr = out;
}

/*
 * Create or replace the entry for 'id', taking the names of 'nl'.  Unknown
 * names are reported once, where they were read.
 */
static struct cve_entry *entry_put(struct cve_db *db, const char *id, struct namelist *nl,
				   const char *origin, const char *name, size_t lineno)
{
	uintptr_t pos = (uintptr_t)strmap_get(&db->index, id);
	struct cve_entry *e;

	if (pos) {
		e = &db->entries[pos - 1];
		entry_release(e);
	} else {
		ALLOC_GROW(db->entries, db->nr + 1, db->alloc);
		e = &db->entries[db->nr++];
		strmap_put(&db->index, id, (void *)(uintptr_t)db->nr);
	}
	memset(e, 0, sizeof(*e));
	e->id = xstrdup(id);
	e->origin = origin;
	namelist_sort_unique(nl);
	e->syscalls = nl->v;
	e->nr_syscalls = nl->nr;
	memset(nl, 0, sizeof(*nl));
	sysset_clear(&e->entry);
	for (size_t i = 0; i < e->nr_syscalls; i++) {
		int nr = syscall_number(SYS_ARCH_X86_64, e->syscalls[i]);

		if (nr < 0) {
			e->has_unknown = true;
			warn_add("%s:%zu: %s: unknown x86_64 syscall '%s'; the CVE is never counted "
				 "as blocked", name, lineno, id, e->syscalls[i]);
		} else {
			sysset_add(&e->entry, nr);
		}
	}
	return e;
}

static void types_put(struct cve_db *db, const char *id, struct namelist *nl)
{
	struct cve_types *t = xcalloc(1, sizeof(*t));

	namelist_sort_unique(nl);
	t->names = nl->v;
	t->nr = nl->nr;
	memset(nl, 0, sizeof(*nl));
	types_free(strmap_put(&db->types, id, t));
}

static int line_error(const char *name, size_t lineno, const char *what)
{
	return err_set(EINVAL, "%s:%zu: %s", name, lineno, what);
}

static int check_line(const struct cvetext_line *l, const char *name)
{
	if (cvetext_has_nul(l->p, l->len))
		return line_error(name, l->lineno, "line contains a NUL byte");
	return 0;
}

static char *field_dup(struct cvetext_field f)
{
	f = cvetext_trim(f);
	return xstrndup(f.p, f.len);
}

static int get_id(struct cvetext_field f, const char *name, size_t lineno, char **id)
{
	f = cvetext_trim(f);
	if (!valid_cve_id(f.p, f.len)) {
		int n = f.len > 40 ? 40 : (int)f.len;

		return err_set(EINVAL, "%s:%zu: '%.*s%s' is not a CVE id (CVE-YEAR-NUMBER)", name,
			       lineno, n, f.p, f.len > 40 ? "..." : "");
	}
	*id = xstrndup(f.p, f.len);
	return 0;
}

struct node_ctx {
	struct namelist *nl;
	bool need_prefix;
};

static int collect_node(const char *item, size_t n, void *ctx)
{
	struct node_ctx *c = ctx;
	const char *sc;

	if (n == 0 || memchr(item, '\0', n))
		return 0;
	sc = cve_syscall_name(item, c->need_prefix);
	if (sc && *sc)
		namelist_add(c->nl, sc, strlen(sc));
	return 0;
}

static int collect_type(const char *item, size_t n, void *ctx)
{
	struct cvetext_field f = { item, n };

	f = cvetext_trim(f);
	if (f.len)
		namelist_add(ctx, f.p, f.len);
	return 0;
}

int cve_db_parse_startnodes(struct cve_db *db, const char *buf, size_t len, const char *name)
{
	struct cvetext_cursor cur;
	struct cvetext_line l;
	struct namelist nl = { 0 };
	int ret = 0;

	cvetext_start(&cur, buf, len);
	while (cvetext_next(&cur, &l)) {
		struct cvetext_field f[3], flag;
		struct node_ctx nc = { &nl, true };
		const char *why;
		char *id = NULL;
		size_t nf;

		if (cvetext_blank(l.p, l.len))
			continue;
		ret = check_line(&l, name);
		if (ret)
			goto out;
		nf = cvetext_split(l.p, l.len, ';', f, 3);
		if (nf < 2 || nf > 3) {
			ret = err_set(EINVAL, "%s:%zu: expected 'CVE;[nodes]' or 'CVE;[nodes];0|1', "
				      "got %zu field%s", name, l.lineno, nf, nf == 1 ? "" : "s");
			goto out;
		}
		ret = get_id(f[0], name, l.lineno, &id);
		if (ret)
			goto out;
		if (nf == 3) {
			flag = cvetext_trim(f[2]);
			if (flag.len != 1 || (flag.p[0] != '0' && flag.p[0] != '1')) {
				free(id);
				ret = line_error(name, l.lineno, "the validation flag must be 0 or 1");
				goto out;
			}
			if (flag.p[0] == '0') {
				db->lines_dropped++;
				free(id);
				continue;
			}
		}
		ret = cvetext_pystrings(f[1].p, f[1].len, collect_node, &nc, &why);
		if (ret) {
			free(id);
			ret = err_set(EINVAL, "%s:%zu: node list: %s", name, l.lineno, why);
			goto out;
		}
		if (nl.nr == 0)
			db->lines_no_entry++;
		else
			entry_put(db, id, &nl, "cvefile", name, l.lineno);
		namelist_release(&nl);
		free(id);
	}
out:
	namelist_release(&nl);
	return ret;
}

/* "a, b, c" -> names; empty items are an error. */
static int split_names(struct cvetext_field f, struct namelist *nl, bool need_prefix,
		       const char *name, size_t lineno, const char *id)
{
	struct cvetext_field one[1];
	const char *p = f.p, *end = f.p + f.len;

	if (cvetext_blank(f.p, f.len))
		return line_error(name, lineno, "no syscall names");
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;
		const char *sc;
		char *tmp;

		one[0].p = p;
		one[0].len = (size_t)(stop - p);
		one[0] = cvetext_trim(one[0]);
		if (!one[0].len)
			return line_error(name, lineno, "empty syscall name in the list");
		tmp = xstrndup(one[0].p, one[0].len);
		sc = cve_syscall_name(tmp, need_prefix);
		if (!sc)
			warn_add("%s:%zu: %s: '%s' is not an x86_64 entry node (__x64_sys_NAME); "
				 "ignored", name, lineno, id, tmp);
		else if (!*sc)
			warn_add("%s:%zu: %s: empty syscall name after the prefix; ignored", name,
				 lineno, id);
		else
			namelist_add(nl, sc, strlen(sc));
		free(tmp);
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

int cve_db_parse_manual(struct cve_db *db, const char *buf, size_t len, const char *name)
{
	struct cvetext_cursor cur;
	struct cvetext_line l;
	struct namelist nl = { 0 };
	int ret = 0;

	cvetext_start(&cur, buf, len);
	while (cvetext_next(&cur, &l)) {
		struct cvetext_field f[2];
		char *id = NULL;
		size_t nf;

		if (cvetext_blank(l.p, l.len))
			continue;
		ret = check_line(&l, name);
		if (ret)
			goto out;
		nf = cvetext_split(l.p, l.len, ';', f, 2);
		if (nf != 2) {
			ret = err_set(EINVAL, "%s:%zu: expected 'CVE;__x64_sys_a, __x64_sys_b', got %zu "
				      "field%s", name, l.lineno, nf, nf == 1 ? "" : "s");
			goto out;
		}
		ret = get_id(f[0], name, l.lineno, &id);
		if (!ret)
			ret = split_names(f[1], &nl, true, name, l.lineno, id);
		if (ret) {
			free(id);
			goto out;
		}
		/* Like Confine: a mapping already known (-c, earlier lines) wins. */
		if (nl.nr && !cve_db_find(db, id))
			entry_put(db, id, &nl, "manual", name, l.lineno);
		namelist_release(&nl);
		free(id);
	}
out:
	namelist_release(&nl);
	return ret;
}

int cve_db_parse_types(struct cve_db *db, const char *buf, size_t len, const char *name)
{
	struct cvetext_cursor cur;
	struct cvetext_line l;
	struct namelist nl = { 0 };
	int ret = 0;

	cvetext_start(&cur, buf, len);
	while (cvetext_next(&cur, &l)) {
		struct cvetext_field f[2];
		const char *why;
		char *id = NULL;
		size_t nf;

		if (cvetext_blank(l.p, l.len))
			continue;
		ret = check_line(&l, name);
		if (ret)
			goto out;
		nf = cvetext_split(l.p, l.len, ';', f, 2);
		if (nf != 2) {
			ret = err_set(EINVAL, "%s:%zu: expected \"CVE;{'type', ...}\", got %zu field%s",
				      name, l.lineno, nf, nf == 1 ? "" : "s");
			goto out;
		}
		ret = get_id(f[0], name, l.lineno, &id);
		if (ret)
			goto out;
		ret = cvetext_pystrings(f[1].p, f[1].len, collect_type, &nl, &why);
		if (ret) {
			free(id);
			ret = err_set(EINVAL, "%s:%zu: type set: %s", name, l.lineno, why);
			goto out;
		}
		types_put(db, id, &nl);
		free(id);
	}
out:
	namelist_release(&nl);
	return ret;
}

int cve_db_parse_builtin(struct cve_db *db, const char *buf, size_t len, const char *name)
{
	struct cvetext_cursor cur;
	struct cvetext_line l;
	struct namelist nl = { 0 }, types = { 0 };
	int ret = 0;

	cvetext_start(&cur, buf, len);
	while (cvetext_next(&cur, &l)) {
		struct cvetext_field f[5], t;
		struct cve_entry *e;
		char *id = NULL;
		size_t nf;

		if (cvetext_blank(l.p, l.len))
			continue;
		t = cvetext_trim((struct cvetext_field){ l.p, l.len });
		if (t.p[0] == '#')
			continue;
		ret = check_line(&l, name);
		if (ret)
			goto out;
		nf = cvetext_split(l.p, l.len, ';', f, 5);
		if (nf != 5) {
			ret = err_set(EINVAL, "%s:%zu: expected 'CVE;syscalls;types;affected;source', "
				      "got %zu field%s", name, l.lineno, nf, nf == 1 ? "" : "s");
			goto out;
		}
		ret = get_id(f[0], name, l.lineno, &id);
		if (!ret)
			ret = split_names(f[1], &nl, false, name, l.lineno, id);
		if (!ret && cvetext_blank(f[4].p, f[4].len))
			ret = line_error(name, l.lineno, "missing source reference");
		if (ret) {
			free(id);
			goto out;
		}
		if (cve_db_find(db, id)) {
			/* An earlier source (-c, a manual file) mapped it already. */
			namelist_release(&nl);
			free(id);
			continue;
		}
		if (!cvetext_blank(f[2].p, f[2].len)) {
			struct cvetext_field one;
			const char *p = f[2].p, *end = f[2].p + f[2].len;

			while (p < end) {
				const char *comma = memchr(p, ',', (size_t)(end - p));

				one.p = p;
				one.len = (size_t)((comma ? comma : end) - p);
				collect_type(one.p, one.len, &types);
				p = comma ? comma + 1 : end;
			}
		}
		e = entry_put(db, id, &nl, "builtin", name, l.lineno);
		t = cvetext_trim(f[3]);
		if (t.len)
			e->affected = field_dup(f[3]);
		e->source = field_dup(f[4]);
		if (!cve_db_types(db, id))
			types_put(db, id, &types);
		namelist_release(&types);
		free(id);
	}
out:
	namelist_release(&nl);
	namelist_release(&types);
	return ret;
}

typedef int (*parse_fn)(struct cve_db *, const char *, size_t, const char *);

static int load(struct cve_db *db, const char *path, size_t cap, parse_fn fn, const char *what)
{
	char *data = NULL;
	size_t len = 0;
	int ret;

	ret = fs_read_file(path, cap, &data, &len);
	if (ret < 0)
		return err_wrap(ret, "cannot read %s", what);
	ret = fn(db, data, len, path);
	free(data);
	return ret;
}

int cve_db_load_startnodes(struct cve_db *db, const char *path)
{
	return load(db, path, CVEFILE_CAP, cve_db_parse_startnodes, "CVE file (-c)");
}

int cve_db_load_manual(struct cve_db *db, const char *path)
{
	return load(db, path, SMALLFILE_CAP, cve_db_parse_manual, "manual CVE file");
}

int cve_db_load_types(struct cve_db *db, const char *path)
{
	return load(db, path, SMALLFILE_CAP, cve_db_parse_types, "CVE type file");
}

int cve_db_load_builtin(struct cve_db *db, const char *path)
{
	return load(db, path, SMALLFILE_CAP, cve_db_parse_builtin, "CVE table");
}

int cve_db_load_docker_default(struct cve_db *db, const char *path)
{
	char *data = NULL;
	size_t len = 0;
	int ret;

	ret = fs_read_file(path, SMALLFILE_CAP, &data, &len);
	if (ret < 0)
		return err_wrap(ret, "cannot read Docker's default profile");
	ret = docker_default_blocked(data, len, path, &db->docker_blocked);
	free(data);
	if (ret < 0)
		return ret;
	db->has_docker = true;
	free(db->docker_source);
	db->docker_source = xstrdup(path);
	return 0;
}

char *cve_data_path(const char *rel)
{
	const char *env = getenv("CONFINE_DATA_DIR");
	const char *dirs[] = { CONFINE_DATADIR, CONFINE_INSTALL_DATADIR };
	char *p;

	if (env && *env) {
		p = fs_join(env, rel);
		if (fs_exists(p))
			return p;
		err_set(ENOENT, "data file '%s' not found (CONFINE_DATA_DIR=%s)", p, env);
		free(p);
		errno = ENOENT;
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		p = fs_join(dirs[i], rel);
		if (fs_exists(p))
			return p;
		free(p);
	}
	err_set(ENOENT, "data file '%s' not found in '%s' or '%s' (set CONFINE_DATA_DIR)", rel,
		dirs[0], dirs[1]);
	errno = ENOENT;
	return NULL;
}

int cve_db_load_defaults(struct cve_db *db, bool table, bool docker)
{
	char *p;
	int ret = 0;

	if (table) {
		p = cve_data_path("cve/kernel-cves.csv");
		if (!p)
			return -ENOENT;
		ret = cve_db_load_builtin(db, p);
		free(p);
		if (ret < 0)
			return ret;
	}
	if (docker) {
		p = cve_data_path("docker-default.seccomp.json");
		if (!p)
			return -ENOENT;
		ret = cve_db_load_docker_default(db, p);
		free(p);
	}
	return ret;
}
