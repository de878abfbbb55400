#include "analysis/link.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "disasm/disasm.h"
#include "elf/elf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

struct witness {
	int64_t func;     /* global function id holding the site or call */
	uint64_t site;
	int64_t via;      /* wrapper called with the number, or -1 */
	const char *note; /* where a language's code gives the number (link_obj.lang), or NULL */
};

/*
 * Why a function runs without a known caller, in the order the search
 * starts from them: everything the program's entry reaches is found (and
 * explained) from there before the search turns to the next kind, so a
 * witness chain starts at the entry whenever the entry reaches the site,
 * and else, preferably, at the program's own code (its callbacks: event
 * handlers, method tables) rather than at its modules' or libraries'.
 */
enum root_why {
	ROOT_NOT,
	ROOT_ENTRY,       /* the main object's entry point */
	ROOT_EXPORT,      /* an export of a main object without one (a library analysed as a program) */
	ROOT_NAMED,       /* found by name: dlsym(), ctypes */
	ROOT_MAIN_DATA,   /* ROOT_DATA in the main object */
	ROOT_PLUGIN,      /* an export of a module named as dlopen()ed */
	ROOT_LOADER,      /* the dynamic loader's entry point */
	ROOT_INIT,        /* runs when its object is loaded or unloaded */
	ROOT_DATA,        /* its address is in data: callable through a pointer (the other objects) */
	ROOT_WHY_NR,
};

static const char *const root_text[ROOT_WHY_NR] = {
	[ROOT_ENTRY] = "the program's entry point",
	[ROOT_EXPORT] = "exported: the program is a library",
	[ROOT_NAMED] = "looked up by name (dlsym, ctypes)",
	[ROOT_MAIN_DATA] = "callable through a pointer: its address is stored in data",
	[ROOT_PLUGIN] = "exported by a module the program loads with dlopen()",
	[ROOT_LOADER] = "the dynamic loader's entry point",
	[ROOT_INIT] = "runs when its object is loaded or unloaded (init/fini code)",
	[ROOT_DATA] = "callable through a pointer: its address is stored in data",
};

struct link_priv {
	struct link_obj *objs;
	size_t nr;
	size_t *base;     /* first global id of each object */
	size_t total;
	int64_t *parent;  /* -1 root, -2 unreached */
	uint8_t *root;    /* per function: why it is a root (enum root_why), ROOT_NOT if not one */
	uint32_t *wrap;   /* per function: wrapper locations (fixpoint) */
	int64_t **imp;    /* per object, per import: bound function or -1 */
	struct witness w[SYSSET_NR];
};

/* A function a reachable dlsym() call finds: called through the pointer it returns. */
struct dl_found {
	size_t caller, target;
	uint64_t addr;
};

/* The first dlsym() call of function f in s (s->dlsyms is sorted by function). */
static uint32_t dlsym_first(const struct objsum *s, uint32_t f)
{
	uint32_t lo = 0, hi = s->dlsyms_nr;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (s->dlsyms[mid].func < f)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A reachable call passing one of the caller's entry values on (wrapper fixpoint). */
struct fwd_call {
	size_t caller, callee;
	const struct objsum *s;
	const struct osum_edge *e;
};

static size_t obj_of(const struct link_priv *p, size_t gid)
{
	size_t lo = 0, hi = p->nr;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->base[mid] <= gid)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static const char *func_name(const struct link_priv *p, size_t gid)
{
	size_t o = obj_of(p, gid);
	const struct objsum *s = p->objs[o].sum;

	return objsum_str(s, s->funcs[gid - p->base[o]].name);
}

static uint64_t func_start(const struct link_priv *p, size_t gid)
{
	size_t o = obj_of(p, gid);

	return p->objs[o].sum->funcs[gid - p->base[o]].start;
}

/* The function's name for a reason: its symbol, or sub_START (analysis_function_label). */
static const char *func_label(const struct link_priv *p, size_t gid, char *buf, size_t len)
{
	return analysis_function_label(func_name(p, gid), func_start(p, gid), buf, len);
}

struct unres_list {
	struct analysis_unresolved *v;
	size_t nr, alloc;
	struct strmap seen;
};

static void unres_add(struct unres_list *u, const struct link_priv *p, size_t gid, uint64_t addr,
		      const char *reason)
{
	size_t o = obj_of(p, gid);
	char *key = xasprintf("%zu:%llx", o, (unsigned long long)addr);
	const char *fname = func_name(p, gid);

	if (strmap_contains(&u->seen, key)) {
		free(key);
		return;
	}
	strmap_put(&u->seen, key, NULL);
	free(key);
	ALLOC_GROW(u->v, u->nr + 1, u->alloc);
	u->v[u->nr++] = (struct analysis_unresolved){
		xstrdup(p->objs[o].path), addr, fname ? xstrdup(fname) : NULL, func_start(p, gid), xstrdup(reason),
	};
}

/*
 * A site of unknown number at addr in function g: when g is an
 * interpreter's syscall builtin (link_obj.lang), the site makes the calls
 * its language's code gives, or stays unresolved with that code's reason.
 * A builtin without a name (Ruby's, stripped) is the one function of its
 * object with such sites: the first one met claims it (claimed[o]), and
 * a site of any other function stays unresolved.  Returns whether the
 * site was taken care of.
 */
static bool lang_site(struct link_priv *p, int64_t *claimed, size_t g, uint64_t addr,
		      struct analysis_program *prog, struct unres_list *u)
{
	size_t o = obj_of(p, g);
	const struct langsys *ls = p->objs[o].lang;
	const char *name = func_name(p, g);

	if (!ls || (name ? strcmp(name, langsys_function(ls->lang)) != 0 : !langsys_anonymous(ls->lang)))
		return false;
	if (!name) {
		if (claimed[o] >= 0 && claimed[o] != (int64_t)g)
			return false;
		claimed[o] = (int64_t)g;
	}
	if (!ls->known) {
		unres_add(u, p, g, addr, ls->unknown);
		return true;
	}
	for (int n = 0; n < SYSSET_NR; n++) {
		if (!sysset_has(&ls->set, n))
			continue;
		sysset_add(&prog->syscalls, n);
		if (p->w[n].func < 0)
			p->w[n] = (struct witness){ (int64_t)g, addr, -1, langsys_note(ls, n) };
	}
	return true;
}

static pthread_mutex_t link_index_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Binding imports is a lookup of each import of each object in every
 * object before its provider, once per program.  So the keys are hashed
 * once per object, here, and a lookup that misses (most do) compares
 * hashes only.
 */
struct lx_key {
	uint64_t hash;
	const char *key;          /* NULL: no such key (empty slot, or no versioned key) */
	uint32_t func;            /* in the export table: the function index */
};

struct link_index {
	/* Exports, open addressing: "name" (default versions) and "name@version". */
	struct lx_key *slots;
	size_t mask;
	/* Per import: its "name@version" key and its "name" key. */
	struct lx_key *imp_ver, *imp_name;
	/* Per edge: a call passing one of the caller's entry values on (see the wrapper fixpoint). */
	bool *passes;
	char **owned;             /* the "name@version" strings */
	size_t owned_nr, owned_alloc;
};

#define LX_KEY_MAX 512

static struct lx_key lx_key(const char *key)
{
	return (struct lx_key){ XXH3_64bits(key, strlen(key)), key, 0 };
}

static const char *lx_own(struct link_index *ix, const char *name, const char *ver)
{
	char *key;

	if (strlen(name) + strlen(ver) + 1 >= LX_KEY_MAX)
		return NULL;
	key = xasprintf("%s@%s", name, ver);
	ALLOC_GROW(ix->owned, ix->owned_nr + 1, ix->owned_alloc);
	ix->owned[ix->owned_nr++] = key;
	return key;
}

/* The export under k, as function index + 1, or 0. */
static uint32_t lx_get(const struct link_index *ix, struct lx_key k)
{
	for (size_t i = k.hash & ix->mask;; i = (i + 1) & ix->mask) {
		const struct lx_key *e = &ix->slots[i];

		if (!e->key)
			return 0;
		if (e->hash == k.hash && !strcmp(e->key, k.key))
			return e->func + 1;
	}
}

/* Adds k unless it is there already (the first definition wins). */
static void lx_put(struct link_index *ix, struct lx_key k, uint32_t func)
{
	for (size_t i = k.hash & ix->mask;; i = (i + 1) & ix->mask) {
		struct lx_key *e = &ix->slots[i];

		if (!e->key) {
			*e = k;
			e->func = func;
			return;
		}
		if (e->hash == k.hash && !strcmp(e->key, k.key))
			return;
	}
}

static void link_index_free(void *p)
{
	struct link_index *ix = p;

	if (!ix)
		return;
	for (size_t i = 0; i < ix->owned_nr; i++)
		free(ix->owned[i]);
	free(ix->owned);
	free(ix->slots);
	free(ix->imp_ver);
	free(ix->imp_name);
	free(ix->passes);
	free(ix);
}

/*
 * Built on first use inside the shared summary.  Programs link in
 * parallel, so it is built once under a lock and published with release
 * order.
 */
static const struct link_index *link_index(const struct objsum *cs)
{
	struct objsum *s = (struct objsum *)cs;
	struct link_index *ix = __atomic_load_n(&s->link_cache, __ATOMIC_ACQUIRE);
	size_t size = 4;

	if (ix)
		return ix;
	pthread_mutex_lock(&link_index_lock);
	ix = s->link_cache;
	if (ix) {
		pthread_mutex_unlock(&link_index_lock);
		return ix;
	}
	ix = xcalloc(1, sizeof(*ix));
	while (size < 4 * (size_t)s->exports_nr)
		size *= 2;
	ix->slots = xcalloc(size, sizeof(*ix->slots));
	ix->mask = size - 1;
	for (uint32_t i = 0; i < s->exports_nr; i++) {
		const struct osum_export *e = &s->exports[i];
		const char *name = objsum_str(s, e->name);
		const char *ver = objsum_str(s, e->version);
		const char *key;

		if (!name)
			continue;
		if (ver && (key = lx_own(ix, name, ver)))
			lx_put(ix, lx_key(key), e->func);
		if (!e->hidden)
			lx_put(ix, lx_key(name), e->func);
	}
	ix->imp_ver = xcalloc(s->imports_nr ? s->imports_nr : 1, sizeof(*ix->imp_ver));
	ix->imp_name = xcalloc(s->imports_nr ? s->imports_nr : 1, sizeof(*ix->imp_name));
	for (uint32_t i = 0; i < s->imports_nr; i++) {
		const char *name = objsum_str(s, s->imports[i].name);
		const char *ver = objsum_str(s, s->imports[i].version);
		const char *key;

		if (!name)
			continue;
		if (ver && (key = lx_own(ix, name, ver)))
			ix->imp_ver[i] = lx_key(key);
		ix->imp_name[i] = lx_key(name);
	}
	ix->passes = xcalloc(s->edges_nr ? s->edges_nr : 1, sizeof(*ix->passes));
	for (uint32_t k = 0; k < s->edges_nr; k++) {
		const struct osum_edge *e = &s->edges[k];

		for (uint32_t a = e->args; e->kind == OSUM_EDGE_CALL && a < e->args + e->args_nr; a++)
			ix->passes[k] |= s->args[a].is_entry && s->args[a].value < DIS_LOC_NR;
	}
	s->link_cache_free = link_index_free;
	__atomic_store_n(&s->link_cache, ix, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&link_index_lock);
	return ix;
}

/* Unresolved sites by object, then address: the order does not depend on the search's. */
static int cmp_unres(const void *a, const void *b)
{
	const struct analysis_unresolved *x = a, *y = b;
	int c = strcmp(x->object, y->object);

	if (c)
		return c;
	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	return strcmp(x->reason, y->reason);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Wrappers whose address is taken (or that are roots): called through pointers. */
struct ptr_use {
	size_t wrapper;   /* global id of the wrapper */
	size_t where;     /* function taking the address (or the wrapper, for roots) */
	uint64_t addr;
	char *why;
};

struct ptr_list {
	struct ptr_use *v;
	size_t nr, alloc;
};

static void ptr_add(struct ptr_list *l, size_t wrapper, size_t where, uint64_t addr, const char *why)
{
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr++] = (struct ptr_use){ wrapper, where, addr, xstrdup(why) };
}

static bool exported(const struct objsum *s, uint32_t f)
{
	for (uint32_t i = 0; i < s->exports_nr; i++)
		if (s->exports[i].func == f)
			return true;
	return false;
}

/*
 * A wrapper called through a pointer gets its number from the indirect call
 * that reaches it.  For a function its object does not export (a static
 * function: no other object can name it), the pointer is assumed to be
 * called by that object's own indirect calls: the numbers are the
 * constants those pass in the wrapper's number location, over every
 * reachable indirect call of the object (crti's _init, whose one indirect
 * call is __gmon_start__, excepted).  Any such call passing something else,
 * or an exported wrapper, leaves the use unresolved.
 */
/*
 * glibc's set*id broadcast: the one site (objsum's known_site()) whose
 * number is loaded from a struct xid_command, recorded as one entry per
 * set*id number at the same address.  Returns how many entries from k
 * form such a site, 0 when k is an ordinary site.
 */
static uint32_t setxid_site(const struct objsum *s, uint32_t k, uint32_t end)
{
	static const uint32_t nrs[] = { 105, 106, 113, 114, 116, 117, 119 };
	uint32_t n = 0;

	while (k + n < end && n < ARRAY_SIZE(nrs) && s->sys[k + n].addr == s->sys[k].addr &&
	       s->sys[k + n].nr == nrs[n])
		n++;
	if (n != ARRAY_SIZE(nrs) || (k + n < end && s->sys[k + n].addr == s->sys[k].addr))
		return 0;
	return n;
}

static void resolve_pointer_wrappers(struct link_priv *p, struct ptr_list *pw, struct unres_list *u,
				     struct sysset *set, const size_t *queue, size_t qtail, const uint32_t *wrap)
{
	for (size_t i = 0; i < pw->nr; i++) {
		const struct ptr_use *pu = &pw->v[i];
		size_t o = obj_of(p, pu->wrapper);
		const struct objsum *s = p->objs[o].sum;
		uint32_t m = wrap[pu->wrapper];
		bool ok = !exported(s, (uint32_t)(pu->wrapper - p->base[o]));
		struct sysset found;

		sysset_clear(&found);
		for (size_t qi = 0; ok && qi < qtail; qi++) {
			size_t g = queue[qi];
			const struct osum_func *fn;

			if (obj_of(p, g) != o || g - p->base[o] == s->init)
				continue;
			fn = &s->funcs[g - p->base[o]];
			for (uint32_t k = fn->edges; ok && k < fn->edges + fn->edges_nr; k++) {
				const struct osum_edge *e = &s->edges[k];

				if (e->kind != OSUM_EDGE_INDIRECT)
					continue;
				for (unsigned loc = 0; ok && loc < DIS_LOC_NR; loc++) {
					bool hit = false;

					if (!(m >> loc & 1))
						continue;
					for (uint32_t a = e->args; a < e->args + e->args_nr; a++)
						if (s->args[a].loc == loc && !s->args[a].is_entry) {
							sysset_add(&found, s->args[a].value);
							hit = true;
						}
					ok = hit;
				}
			}
		}
		if (ok) {
			sysset_union(set, &found);
			for (int n = 0; n < SYSSET_NR; n++)
				if (sysset_has(&found, n) && p->w[n].func < 0)
					p->w[n] = (struct witness){ (int64_t)pu->where, pu->addr, (int64_t)pu->wrapper, NULL };
		} else {
			unres_add(u, p, pu->where, pu->addr, pu->why);
		}
		free(pu->why);
	}
}

/* The search for reachable functions (link_program). */
struct reach {
	struct link_priv *p;
	const struct link_obj *objs;
	int64_t **imp;
	uint32_t *gobj;      /* per function: its object */
	uint8_t *root;       /* per function: enum root_why */
	size_t *queue, qhead, qtail;
	struct {
		struct fwd_call *v;
		size_t nr, alloc;
	} fwd;
	struct {
		struct dl_found *v;
		size_t nr, alloc;
	} dl;
	bool dlsym_computed;
};

static void reach_visit(struct reach *r, size_t g, int64_t from)
{
	if (r->p->parent[g] == -2) {
		r->p->parent[g] = from;
		r->queue[r->qtail++] = g;
	}
}

static void reach_root(struct reach *r, size_t g, enum root_why why)
{
	if (!r->root[g])
		r->root[g] = (uint8_t)why;
	reach_visit(r, g, -1);
}

/*
 * dlsym(RTLD_DEFAULT, name): the first object in load order defining it;
 * a ctypes name: every object defining it.
 */
static void reach_named(struct reach *r)
{
	const struct link_obj *objs = r->objs;

	for (int every = 0; r->p->nr && every < 2; every++) {
		const char *const *names = every ? objs[0].ffi_names : objs[0].names;
		size_t names_nr = every ? objs[0].ffi_names_nr : objs[0].names_nr;
		struct strmap want = STRMAP_INIT;

		for (size_t i = 0; i < names_nr; i++)
			strmap_put(&want, names[i], NULL);
		for (size_t o = 0; names_nr && o < r->p->nr; o++) {
			const struct objsum *s = objs[o].sum;

			for (uint32_t i = 0; i < s->exports_nr; i++) {
				const char *en = objsum_str(s, s->exports[i].name);

				if (en && !s->exports[i].hidden && strmap_contains(&want, en) &&
				    (every || !strmap_get(&want, en))) {
					reach_root(r, r->p->base[o] + s->exports[i].func, ROOT_NAMED);
					strmap_put(&want, en, (void *)1);
				}
			}
		}
		strmap_release(&want, NULL);
	}
}

/* The roots of one kind (enum root_why) in every object. */
static void reach_roots(struct reach *r, enum root_why why)
{
	const struct link_obj *objs = r->objs;
	const size_t *base = r->p->base;

	if (why == ROOT_NAMED) {
		reach_named(r);
		return;
	}
	for (size_t o = 0; o < r->p->nr; o++) {
		const struct objsum *s = objs[o].sum;
		uint32_t from = why == ROOT_INIT ? 0 : s->roots_init_nr;
		uint32_t to = why == ROOT_INIT ? s->roots_init_nr : s->roots_nr;

		switch (why) {
		case ROOT_ENTRY:
		case ROOT_LOADER:
			if ((why == ROOT_ENTRY ? objs[o].is_main : objs[o].is_interp) && s->entry != OSUM_NONE)
				reach_root(r, base[o] + s->entry, why);
			break;
		case ROOT_EXPORT:
		case ROOT_PLUGIN:
			if (why == ROOT_EXPORT ? objs[o].is_main && s->entry == OSUM_NONE : objs[o].is_dlopen)
				for (uint32_t i = 0; i < s->exports_nr; i++)
					reach_root(r, base[o] + s->exports[i].func, why);
			break;
		case ROOT_MAIN_DATA:
		case ROOT_DATA:
			if ((why == ROOT_MAIN_DATA) != objs[o].is_main)
				break;
			for (uint32_t i = 0; i < s->data_imports_nr; i++)
				if (r->imp[o][s->data_imports[i]] >= 0)
					reach_root(r, (size_t)r->imp[o][s->data_imports[i]], why);
			/* fall through */
		case ROOT_INIT:
			for (uint32_t i = from; i < to; i++)
				reach_root(r, base[o] + s->roots[i].func, why);
			break;
		default:
			break;
		}
	}
}

/* Breadth-first from what the queue holds, listing the calls the wrapper fixpoint needs. */
static void reach_search(struct reach *r)
{
	const struct link_priv *p = r->p;

	while (r->qhead < r->qtail) {
		size_t g = r->queue[r->qhead++];
		size_t o = r->gobj[g];
		const struct objsum *s = r->objs[o].sum;
		const struct osum_func *fn = &s->funcs[g - p->base[o]];
		const bool *passes = link_index(s)->passes;

		for (uint32_t k = fn->edges; k < fn->edges + fn->edges_nr; k++) {
			const struct osum_edge *e = &s->edges[k];
			int64_t t = e->target & OSUM_IMPORT_BIT ? r->imp[o][e->target & ~OSUM_IMPORT_BIT]
								 : (int64_t)(p->base[o] + e->target);

			if (t < 0 || e->kind == OSUM_EDGE_PASSED)
				continue;
			reach_visit(r, (size_t)t, (int64_t)g);
			/* Only calls passing an entry value on matter to the wrapper fixpoint below. */
			if (passes[k]) {
				ALLOC_GROW(r->fwd.v, r->fwd.nr + 1, r->fwd.alloc);
				r->fwd.v[r->fwd.nr++] = (struct fwd_call){ g, (size_t)t, s, e };
			}
		}
		/*
		 * dlsym(handle, "name"): any loaded object's "name", whatever
		 * the handle and the version asked for (dlvsym).
		 */
		for (uint32_t k = s->dlsyms_nr ? dlsym_first(s, fn - s->funcs) : 0;
		     k < s->dlsyms_nr && s->dlsyms[k].func == (uint32_t)(fn - s->funcs); k++) {
			const char *name = objsum_str(s, s->dlsyms[k].name);

			if (!name) {
				r->dlsym_computed = true;
				continue;
			}
			for (size_t d = 0; d < p->nr; d++) {
				const struct objsum *ds = r->objs[d].sum;

				for (uint32_t x = 0; x < ds->exports_nr; x++) {
					const char *en = objsum_str(ds, ds->exports[x].name);
					size_t t = p->base[d] + ds->exports[x].func;

					if (!en || strcmp(en, name))
						continue;
					reach_visit(r, t, (int64_t)g);
					ALLOC_GROW(r->dl.v, r->dl.nr + 1, r->dl.alloc);
					r->dl.v[r->dl.nr++] = (struct dl_found){ g, t, s->dlsyms[k].addr };
				}
			}
		}
	}
}

void link_program(const struct link_obj *objs, size_t nr, enum analysis_policy policy,
		  enum sys_arch arch, struct analysis_program *prog)
{
	struct link_priv *p = xcalloc(1, sizeof(*p));
	struct strmap used = STRMAP_INIT;
	int64_t **imp;
	uint32_t *wrap;
	struct reach r = { 0 };
	int64_t *claimed; /* per object: its anonymous syscall builtin (lang_site) */
	struct unres_list u = { 0 };
	struct ptr_list pw = { 0 };

	strmap_init(&u.seen);
	p->objs = xcalloc(nr ? nr : 1, sizeof(*p->objs));
	memcpy(p->objs, objs, nr * sizeof(*objs));
	p->nr = nr;
	p->base = xcalloc(nr + 1, sizeof(*p->base));
	for (size_t o = 0; o < nr; o++)
		p->base[o + 1] = p->base[o] + objs[o].sum->funcs_nr;
	p->total = p->base[nr];
	for (int i = 0; i < SYSSET_NR; i++)
		p->w[i] = (struct witness){ -1, 0, -1, NULL };

	/*
	 * Imports bind to the first object in load order defining them
	 * (interposition); an import naming a version prefers a definition of
	 * that version anywhere, then any default definition.  Objects named
	 * for dlopen come last and so are searched last.
	 */
	imp = xcalloc(nr ? nr : 1, sizeof(*imp));
	for (size_t o = 0; o < nr; o++) {
		const struct objsum *s = objs[o].sum;
		const struct link_index *ix = link_index(s);

		imp[o] = xcalloc(s->imports_nr ? s->imports_nr : 1, sizeof(**imp));
		for (uint32_t i = 0; i < s->imports_nr; i++) {
			int64_t found = -1;

			for (size_t d = 0; ix->imp_ver[i].key && d < nr && found < 0; d++) {
				uint32_t v = lx_get(link_index(objs[d].sum), ix->imp_ver[i]);

				if (v)
					found = (int64_t)(p->base[d] + v - 1);
			}
			for (size_t d = 0; ix->imp_name[i].key && d < nr && found < 0; d++) {
				uint32_t v = lx_get(link_index(objs[d].sum), ix->imp_name[i]);

				if (v)
					found = (int64_t)(p->base[d] + v - 1);
			}
			imp[o][i] = found;
		}
	}

	/*
	 * Reachable functions: from each kind of root in turn (enum
	 * root_why), each search finishing before the next kind's roots go
	 * in, so that parents (witness chains) start at the program's entry
	 * when it reaches the function.  The set is the same in any order.
	 */
	r.p = p;
	r.objs = objs;
	r.imp = imp;
	r.gobj = xmalloc((p->total ? p->total : 1) * sizeof(*r.gobj));
	for (size_t o = 0; o < nr; o++)
		for (size_t g = p->base[o]; g < p->base[o + 1]; g++)
			r.gobj[g] = (uint32_t)o;
	p->parent = xmalloc((p->total ? p->total : 1) * sizeof(*p->parent));
	r.root = xcalloc(p->total ? p->total : 1, sizeof(*r.root));
	claimed = xcalloc(nr ? nr : 1, sizeof(*claimed));
	for (size_t o = 0; o < nr; o++)
		claimed[o] = -1;
	r.queue = xmalloc((p->total ? p->total : 1) * sizeof(*r.queue));
	for (size_t g = 0; g < p->total; g++)
		p->parent[g] = -2;
	for (int why = ROOT_ENTRY; why < ROOT_WHY_NR; why++) {
		reach_roots(&r, (enum root_why)why);
		reach_search(&r);
	}
	if (r.dlsym_computed)
		prog->dlsym_computed = true;

	/*
	 * Wrapper fixpoint over the reachable functions (only their callees'
	 * summaries matter): a caller passing its own entry value into a
	 * wrapper's number location is a wrapper too.
	 */
	wrap = xcalloc(p->total ? p->total : 1, sizeof(*wrap));
	for (size_t o = 0; o < nr; o++)
		for (uint32_t f = 0; f < objs[o].sum->funcs_nr; f++)
			wrap[p->base[o] + f] = objs[o].sum->funcs[f].wrap;
	/*
	 * The search listed each caller's calls before its callees' calls;
	 * wrapper-ness flows from callee to caller, so going backwards settles
	 * a chain in few rounds.
	 */
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = r.fwd.nr; i-- > 0;) {
			const struct fwd_call *c = &r.fwd.v[i];
			uint32_t m = wrap[c->callee];

			if (!m)
				continue;
			for (uint32_t a = c->e->args; a < c->e->args + c->e->args_nr; a++) {
				const struct osum_arg *arg = &c->s->args[a];

				if (arg->is_entry && (m >> arg->loc & 1) && arg->value < DIS_LOC_NR &&
				    !(wrap[c->caller] >> arg->value & 1)) {
					wrap[c->caller] |= 1u << arg->value;
					changed = true;
				}
			}
		}
	}
	free(r.fwd.v);

	/* Collect, in breadth-first order so witnesses are short. */
	sysset_clear(&prog->syscalls);
	prog->abis = 0;
	for (size_t qi = 0; qi < r.qtail; qi++) {
		size_t g = r.queue[qi];
		size_t o = r.gobj[g];
		const struct objsum *s = objs[o].sum;
		const struct osum_func *fn = &s->funcs[g - p->base[o]];

		for (uint32_t k = fn->sys; k < fn->sys + fn->sys_nr; k++) {
			uint32_t n = s->sys[k].nr, xid = setxid_site(s, k, fn->sys + fn->sys_nr);

			/*
			 * The broadcast (the signal handler other threads run,
			 * and __nptl_setxid's own call) runs only the number a
			 * set*id wrapper stored, and every such wrapper is
			 * INLINE_SETXID_SYSCALL: the same call with a constant
			 * number on its single-threaded path, in the same
			 * function.  So the site adds nothing that the
			 * reachable wrappers do not already add; counting all
			 * seven would put setresuid & co. into every threaded
			 * program that never calls them.
			 */
			if (xid) {
				k += xid - 1;
				continue;
			}

			sysset_add(&prog->syscalls, (int)n);
			if (n < SYSSET_NR && p->w[n].func < 0)
				p->w[n] = (struct witness){ (int64_t)g, s->sys[k].addr, -1, NULL };
		}
		for (uint32_t k = fn->unres; k < fn->unres + fn->unres_nr; k++) {
			if (s->unres[k].reason == OSUM_R_NOT_CONST &&
			    lang_site(p, claimed, g, s->unres[k].addr, prog, &u))
				continue;
			unres_add(&u, p, g, s->unres[k].addr, objsum_reason_name(s->unres[k].reason));
			/* The kernel takes int 0x80 (and sysenter) as an i386 call, from 64-bit code too. */
			if (s->unres[k].reason == OSUM_R_INT80 || s->unres[k].reason == OSUM_R_SYSENTER)
				prog->abis |= ANALYSIS_ABI_I386;
			/* An object not analysed for its class or machine: an x86 one is 32-bit code. */
			else if (s->unres[k].reason == OSUM_R_UNSUPPORTED && !s->analysable)
				prog->abis |= analysis_abi_of(ELF_CLASS_32, s->machine);
		}
		if (r.root[g] && wrap[g])
			ptr_add(&pw, g, g, fn->start, "syscall wrapper reachable without a known caller");
		for (uint32_t k = fn->edges; k < fn->edges + fn->edges_nr; k++) {
			const struct osum_edge *e = &s->edges[k];
			bool is_imp = e->target & OSUM_IMPORT_BIT;
			int64_t t = is_imp ? imp[o][e->target & ~OSUM_IMPORT_BIT]
					   : (int64_t)(p->base[o] + e->target);
			uint32_t m;

			if (is_imp) {
				const char *name = objsum_str(s, s->imports[e->target & ~OSUM_IMPORT_BIT].name);

				if (o == 0 && name && !strmap_contains(&used, name))
					strmap_put(&used, name, NULL);
				/* By any object: java's launcher dlopen()s libjvm.so from libjli. */
				if (name && name[0] == 'd' && (!strcmp(name, "dlopen") || !strcmp(name, "dlmopen")))
					prog->calls_dlopen = true;
			}
			if (t < 0 || !(m = wrap[t]) || e->kind == OSUM_EDGE_COVERED || e->kind == OSUM_EDGE_INDIRECT)
				continue;
			if (e->kind != OSUM_EDGE_CALL) {
				char lb[32];
				bool passed = e->kind == OSUM_EDGE_PASSED;
				char *why = xasprintf(passed ? "address of syscall wrapper %s passed on (argument, store or return)"
							     : "address of syscall wrapper %s taken",
						      func_label(p, (size_t)t, lb, sizeof(lb)));

				/* A passed address may reach any object's indirect calls: not only its own object's. */
				if (passed)
					unres_add(&u, p, g, e->addr, why);
				else
					ptr_add(&pw, (size_t)t, g, e->addr, why);
				free(why);
				continue;
			}
			for (unsigned loc = 0; loc < DIS_LOC_NR; loc++) {
				bool found = false;

				if (!(m >> loc & 1))
					continue;
				for (uint32_t a = e->args; a < e->args + e->args_nr; a++) {
					const struct osum_arg *arg = &s->args[a];

					if (arg->loc != loc)
						continue;
					found = true;
					if (!arg->is_entry) {
						sysset_add(&prog->syscalls, arg->value);
						if (p->w[arg->value].func < 0)
							p->w[arg->value] = (struct witness){ (int64_t)g, e->addr, t, NULL };
					}
				}
				if (!found && !lang_site(p, claimed, g, e->addr, prog, &u)) {
					char lb[32];
					char *why = xasprintf("syscall wrapper %s called with an unknown number (%s)",
							      func_label(p, (size_t)t, lb, sizeof(lb)), dis_reg_name(loc));

					unres_add(&u, p, g, e->addr, why);
					free(why);
				}
			}
		}
	}
	for (size_t i = 0; i < r.dl.nr; i++) {
		char lb[32];
		char *why;

		if (!wrap[r.dl.v[i].target])
			continue;
		why = xasprintf("syscall wrapper %s looked up by dlsym()", func_label(p, r.dl.v[i].target, lb, sizeof(lb)));
		ptr_add(&pw, r.dl.v[i].target, r.dl.v[i].caller, r.dl.v[i].addr, why);
		free(why);
	}
	free(r.dl.v);
	resolve_pointer_wrappers(p, &pw, &u, &prog->syscalls, r.queue, r.qtail, wrap);
	free(pw.v);

	/*
	 * The program is started by an execve() that the filter already
	 * governs (runc loads it before exec'ing the entrypoint, and a traced
	 * process shows it as its first call).
	 */
	{
		int ex = syscall_number(arch, "execve");

		if (ex >= 0)
			sysset_add(&prog->syscalls, ex);
	}
	if (u.nr > 1)
		qsort(u.v, u.nr, sizeof(*u.v), cmp_unres);
	prog->unresolved = u.v;
	prog->unresolved_nr = u.nr;
	prog->all_syscalls = false;
	if (u.nr && policy == ANALYSIS_UNRESOLVED_ALL) {
		size_t tn;
		const struct syscall_info *tab = syscall_table(arch, &tn);

		for (size_t i = 0; i < tn; i++)
			sysset_add(&prog->syscalls, tab[i].nr);
		prog->all_syscalls = true;
	}
	{
		const char **keys = strmap_sorted_keys(&used);

		prog->imports_used = xcalloc(used.nr ? used.nr : 1, sizeof(char *));
		for (size_t i = 0; i < used.nr; i++)
			prog->imports_used[i] = xstrdup(keys[i]);
		prog->imports_used_nr = used.nr;
		free(keys);
		qsort(prog->imports_used, prog->imports_used_nr, sizeof(char *), cmp_str);
	}
	prog->priv = p;
	p->imp = imp;
	p->wrap = wrap;
	p->root = r.root;
	free(r.queue);
	free(r.gobj);
	free(claimed);
	strmap_release(&used, NULL);
	strmap_release(&u.seen, NULL);
}

int link_witness(const struct analysis_program *prog, int nr, struct analysis_step **steps)
{
	const struct link_priv *p = prog->priv;
	struct analysis_step *v = NULL;
	size_t n = 0, alloc = 0, first = 0;
	int64_t g;

	*steps = NULL;
	if (nr < 0 || nr >= SYSSET_NR)
		return -EINVAL;
	if (!p)
		return -ENODATA; /* result came from the program cache */
	if (p->w[nr].func < 0)
		return 0;
	for (g = p->w[nr].func; g >= 0 && n < p->total + 1; g = p->parent[g]) {
		size_t o = obj_of(p, (size_t)g);

		first = (size_t)g;
		ALLOC_GROW(v, n + 1, alloc);
		v[n++] = (struct analysis_step){ p->objs[o].path, func_name(p, (size_t)g), func_start(p, (size_t)g),
						 func_start(p, (size_t)g), NULL, NULL, 0, NULL };
	}
	/* Reverse: root first. */
	for (size_t i = 0; i < n / 2; i++) {
		struct analysis_step t = v[i];

		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
	if (g == -1) {
		size_t o = obj_of(p, first);
		const struct objsum *s = p->objs[o].sum;
		uint32_t f = (uint32_t)(first - p->base[o]);
		enum root_why why = p->root[first];
		/* Where its address is (an init/fini array, data): the first such place the summary names. */
		uint32_t from = why == ROOT_INIT ? 0 : s->roots_init_nr;
		uint32_t to = why == ROOT_INIT ? s->roots_init_nr
			      : why == ROOT_DATA || why == ROOT_MAIN_DATA ? s->roots_nr : 0;

		v[0].root = root_text[why];
		for (uint32_t i = from; i < to; i++)
			if (s->roots[i].func == f && s->roots[i].at) {
				v[0].root_at = s->roots[i].at;
				v[0].root_in = objsum_str(s, s->roots[i].at_name);
				break;
			}
	}
	if (p->w[nr].via >= 0) {
		size_t t = (size_t)p->w[nr].via, o = obj_of(p, t);

		/* The call site, then the wrapper it reaches. */
		struct analysis_step site;

		ALLOC_GROW(v, n + 2, alloc);
		site = (struct analysis_step){ v[n - 1].object, v[n - 1].function, p->w[nr].site, v[n - 1].function_start,
					       NULL, NULL, 0, NULL };
		v[n++] = site;
		v[n++] = (struct analysis_step){ p->objs[o].path, func_name(p, t), func_start(p, t), func_start(p, t),
						 NULL, NULL, 0, NULL };
		/* Down the wrapper chain to the function holding the syscall instruction. */
		for (int depth = 0; depth < 32; depth++) {
			const struct objsum *s = p->objs[o].sum;
			const struct osum_func *fn = &s->funcs[t - p->base[o]];
			int64_t next = -1;

			if (fn->wrap)
				break;
			for (uint32_t k = fn->edges; k < fn->edges + fn->edges_nr && next < 0; k++) {
				const struct osum_edge *e = &s->edges[k];
				int64_t u = e->target & OSUM_IMPORT_BIT ? p->imp[o][e->target & ~OSUM_IMPORT_BIT]
									: (int64_t)(p->base[o] + e->target);

				if (e->kind == OSUM_EDGE_CALL && u >= 0 && p->wrap[u])
					next = u;
			}
			if (next < 0)
				break;
			t = (size_t)next;
			o = obj_of(p, t);
			ALLOC_GROW(v, n + 1, alloc);
			v[n++] = (struct analysis_step){ p->objs[o].path, func_name(p, t), func_start(p, t), func_start(p, t),
						 NULL, NULL, 0, NULL };
		}
	} else {
		struct analysis_step site;

		ALLOC_GROW(v, n + 1, alloc);
		site = (struct analysis_step){ v[n - 1].object, v[n - 1].function, p->w[nr].site, v[n - 1].function_start,
					       p->w[nr].note, NULL, 0, NULL };
		v[n++] = site;
	}
	*steps = v;
	return (int)n;
}

void link_priv_free(void *priv)
{
	struct link_priv *p = priv;

	if (!p)
		return;
	for (size_t o = 0; p->imp && o < p->nr; o++)
		free(p->imp[o]);
	free(p->imp);
	free(p->wrap);
	free(p->objs);
	free(p->base);
	free(p->parent);
	free(p->root);
	free(p);
}
