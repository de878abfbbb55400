#include "image/rootfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define ROOTFS_MAX_LINKS 40

/*
 * A tree node.  Folders keep their children sorted by name, so lookups are
 * a binary search and whole subtrees can be dropped by a whiteout.
 */
struct fsnode {
	struct rootfs_node pub;  /* pub.path, pub.link, pub.blob are owned */
	struct fsnode *parent;   /* the root is its own parent */
	const char *name;        /* points into pub.path */
	struct fsnode **kids;
	size_t kids_nr, kids_alloc;
};

struct rootfs {
	struct fsnode *root;
	struct fsnode **index;   /* sorted by path, built by rootfs_finish() */
	size_t index_nr;
};

static struct fsnode *node_new(struct fsnode *parent, const char *name)
{
	struct fsnode *n = xcalloc(1, sizeof(*n));
	char *path;

	if (!parent) {
		path = xstrdup("/");
		n->parent = n;
		n->name = path + 1;
	} else {
		path = parent->parent == parent ? xasprintf("/%s", name)
						: xasprintf("%s/%s", parent->pub.path, name);
		n->parent = parent;
		n->name = strrchr(path, '/') + 1;
	}
	n->pub.path = path;
	return n;
}

static void node_free(struct fsnode *n)
{
	for (size_t i = 0; i < n->kids_nr; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free((char *)n->pub.path);
	free((char *)n->pub.link);
	free((char *)n->pub.blob);
	free(n);
}

/* Index of 'name' in d->kids, or where it would go (*found false). */
static size_t kid_pos(const struct fsnode *d, const char *name, size_t len, bool *found)
{
	size_t lo = 0, hi = d->kids_nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *k = d->kids[mid]->name;
		int c = strncmp(k, name, len);

		if (c == 0)
			c = k[len] ? 1 : 0;
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static struct fsnode *kid_get(const struct fsnode *d, const char *name, size_t len)
{
	bool found;
	size_t i = kid_pos(d, name, len, &found);

	return found ? d->kids[i] : NULL;
}

static void kid_insert(struct fsnode *d, struct fsnode *n)
{
	bool found;
	size_t i = kid_pos(d, n->name, strlen(n->name), &found);

	if (found) {
		node_free(d->kids[i]);
		d->kids[i] = n;
		return;
	}
	ALLOC_GROW(d->kids, d->kids_nr + 1, d->kids_alloc);
	memmove(d->kids + i + 1, d->kids + i, (d->kids_nr - i) * sizeof(*d->kids));
	d->kids[i] = n;
	d->kids_nr++;
}

static void kid_remove(struct fsnode *d, const char *name)
{
	bool found;
	size_t i = kid_pos(d, name, strlen(name), &found);

	if (!found)
		return;
	node_free(d->kids[i]);
	memmove(d->kids + i, d->kids + i + 1, (d->kids_nr - i - 1) * sizeof(*d->kids));
	d->kids_nr--;
}

struct rootfs *rootfs_new(void)
{
	struct rootfs *fs = xcalloc(1, sizeof(*fs));

	fs->root = node_new(NULL, NULL);
	fs->root->pub.type = ROOTFS_DIR;
	fs->root->pub.mode = 0755;
	return fs;
}

void rootfs_free(struct rootfs *fs)
{
	if (!fs)
		return;
	node_free(fs->root);
	free(fs->index);
	free(fs);
}

/*
 * Walk 'path' from 'start' (the root for absolute paths).  '..' stops at the
 * root; symlinks are followed inside the tree (absolute targets re-rooted)
 * except a final one unless follow_last.  *links counts across recursion.
 */
static int walk(const struct rootfs *fs, struct fsnode *start, const char *path, bool follow_last,
		int *links, struct fsnode **out)
{
	struct fsnode *cur = path[0] == '/' ? fs->root : start;
	const char *p = path;

	*out = NULL;
	if (!*path)
		return -ENOENT;
	while (*p) {
		const char *c, *rest;
		size_t len;
		struct fsnode *kid;
		bool last;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		c = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - c);
		rest = p;
		while (*rest == '/')
			rest++;
		last = !*rest;
		if (cur->pub.type != ROOTFS_DIR)
			return -ENOTDIR;
		if (len == 1 && c[0] == '.')
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			cur = cur->parent;
			continue;
		}
		kid = kid_get(cur, c, len);
		if (!kid)
			return -ENOENT;
		if (kid->pub.type == ROOTFS_SYMLINK && (!last || follow_last || *p == '/')) {
			struct fsnode *t;
			int ret;

			if (++*links > ROOTFS_MAX_LINKS)
				return -ELOOP;
			ret = walk(fs, cur, kid->pub.link ? kid->pub.link : "", true, links, &t);
			if (ret < 0)
				return ret;
			kid = t;
		}
		cur = kid;
	}
	/* "dir/" must name a folder. */
	if (path[strlen(path) - 1] == '/' && cur->pub.type != ROOTFS_DIR)
		return -ENOTDIR;
	*out = cur;
	return 0;
}

int rootfs_resolve(const struct rootfs *fs, const char *path, bool follow_last,
		   const struct rootfs_node **node, char **resolved)
{
	struct fsnode *n;
	int links = 0, ret;

	*node = NULL;
	if (resolved)
		*resolved = NULL;
	ret = walk(fs, fs->root, path, follow_last, &links, &n);
	if (ret < 0)
		return ret;
	*node = &n->pub;
	if (resolved)
		*resolved = xstrdup(n->pub.path);
	return 0;
}

const struct rootfs_node *rootfs_lookup(const struct rootfs *fs, const char *path)
{
	const struct rootfs_node *n;

	return rootfs_resolve(fs, path, false, &n, NULL) == 0 ? n : NULL;
}

/*
 * The folder that holds relative 'path' and the last component.  Missing
 * folders are created when 'create'; symlinked folders are followed inside
 * the tree.
 */
static int parent_of(struct rootfs *fs, const char *path, bool create, struct fsnode **dir,
		     const char **base)
{
	const char *slash = strrchr(path, '/');
	struct fsnode *cur = fs->root;
	const char *p = path;

	*dir = NULL;
	*base = slash ? slash + 1 : path;
	if (!slash) {
		*dir = cur;
		return 0;
	}
	while (p < slash) {
		const char *c = p;
		size_t len;
		struct fsnode *kid;

		while (p < slash && *p != '/')
			p++;
		len = (size_t)(p - c);
		if (*p == '/')
			p++;
		kid = kid_get(cur, c, len);
		if (!kid) {
			char *name;

			if (!create)
				return -ENOENT;
			name = xstrndup(c, len);
			kid = node_new(cur, name);
			free(name);
			kid->pub.type = ROOTFS_DIR;
			kid->pub.mode = 0755;
			kid_insert(cur, kid);
		} else if (kid->pub.type == ROOTFS_SYMLINK) {
			int links = 1, ret = walk(fs, cur, kid->pub.link ? kid->pub.link : "", true,
						  &links, &kid);

			if (ret < 0)
				return ret;
		}
		if (kid->pub.type != ROOTFS_DIR)
			return -ENOTDIR;
		cur = kid;
	}
	*dir = cur;
	return 0;
}

static void set_attrs(struct fsnode *n, const struct layer_entry *e)
{
	free((char *)n->pub.link);
	free((char *)n->pub.blob);
	n->pub.type = e->type;
	n->pub.mode = e->mode;
	n->pub.uid = e->uid;
	n->pub.gid = e->gid;
	n->pub.size = e->size;
	n->pub.link = e->link ? xstrdup(e->link) : NULL;
	n->pub.blob = e->blob ? xstrdup(e->blob) : NULL;
	n->pub.is_elf = e->is_elf;
	n->pub.is_script = e->is_script;
}

static const char *errno_name(int e)
{
	switch (e) {
	case ENOENT:
		return "a parent folder is missing";
	case ENOTDIR:
		return "a parent is not a folder";
	case ELOOP:
		return "too many levels of symbolic links";
	default:
		return strerror(e);
	}
}

int rootfs_apply_entry(struct rootfs *fs, const struct layer_entry *e, const char *what)
{
	struct layer_entry copy;
	struct fsnode *dir, *old, *n;
	const char *base;
	int ret;

	if (!*e->path) {
		if (e->kind == LAYER_NODE && e->type == ROOTFS_DIR) {
			fs->root->pub.mode = e->mode;
			fs->root->pub.uid = e->uid;
			fs->root->pub.gid = e->gid;
			return 0;
		}
		return err_set(EINVAL, "%s: entry for the root folder is not a folder", what);
	}
	copy = *e;
	if (e->kind == LAYER_HARDLINK) {
		struct fsnode *t;
		int links = 0;

		ret = walk(fs, fs->root, e->link, false, &links, &t);
		if (ret < 0)
			return err_set(-ret, "%s: hard link '%s' points to missing '%s'", what, e->path,
				       e->link);
		if (t->pub.type == ROOTFS_DIR)
			return err_set(EINVAL, "%s: hard link '%s' points to the folder '%s'", what,
				       e->path, e->link);
		copy.type = t->pub.type;
		copy.mode = t->pub.mode;
		copy.uid = t->pub.uid;
		copy.gid = t->pub.gid;
		copy.size = t->pub.size;
		copy.link = (char *)t->pub.link;
		copy.blob = (char *)t->pub.blob;
		copy.is_elf = t->pub.is_elf;
		copy.is_script = t->pub.is_script;
		copy.kind = LAYER_NODE;
	}
	ret = parent_of(fs, e->path, true, &dir, &base);
	if (ret < 0)
		return err_set(-ret, "%s: cannot place '%s': %s", what, e->path, errno_name(-ret));
	old = kid_get(dir, base, strlen(base));
	if (old && old->pub.type == ROOTFS_DIR && copy.type == ROOTFS_DIR) {
		set_attrs(old, &copy);
		return 0;
	}
	n = node_new(dir, base);
	set_attrs(n, &copy);
	kid_insert(dir, n);
	return 0;
}

int rootfs_apply_layer(struct rootfs *fs, const struct layer *L, const char *what)
{
	size_t i;
	int ret;

	for (i = 0; i < L->nr; i++) {
		const struct layer_entry *e = &L->entries[i];
		struct fsnode *dir;
		const char *base;

		if (e->kind == LAYER_WHITEOUT) {
			if (parent_of(fs, e->path, false, &dir, &base) == 0)
				kid_remove(dir, base);
		} else if (e->kind == LAYER_OPAQUE) {
			int links = 0;

			if (!*e->path)
				dir = fs->root;
			else if (walk(fs, fs->root, e->path, true, &links, &dir) < 0)
				continue;
			if (dir->pub.type != ROOTFS_DIR)
				continue;
			for (size_t k = 0; k < dir->kids_nr; k++)
				node_free(dir->kids[k]);
			dir->kids_nr = 0;
		}
	}
	for (i = 0; i < L->nr; i++) {
		const struct layer_entry *e = &L->entries[i];

		if (e->kind != LAYER_NODE && e->kind != LAYER_HARDLINK)
			continue;
		ret = rootfs_apply_entry(fs, e, what);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void collect(struct rootfs *fs, struct fsnode *n, size_t *alloc)
{
	ALLOC_GROW(fs->index, fs->index_nr + 1, *alloc);
	fs->index[fs->index_nr++] = n;
	for (size_t i = 0; i < n->kids_nr; i++)
		collect(fs, n->kids[i], alloc);
}

static int cmp_path(const void *a, const void *b)
{
	const struct fsnode *x = *(struct fsnode *const *)a, *y = *(struct fsnode *const *)b;

	return strcmp(x->pub.path, y->pub.path);
}

void rootfs_finish(struct rootfs *fs)
{
	size_t alloc = 0;

	free(fs->index);
	fs->index = NULL;
	fs->index_nr = 0;
	collect(fs, fs->root, &alloc);
	qsort(fs->index, fs->index_nr, sizeof(*fs->index), cmp_path);
}

const struct rootfs_node *rootfs_at(const struct rootfs *fs, size_t i)
{
	return i < fs->index_nr ? &fs->index[i]->pub : NULL;
}

size_t rootfs_count(const struct rootfs *fs)
{
	return fs->index_nr;
}

int rootfs_read(const struct rootfs *fs, const struct rootfs_node *node, size_t cap,
		char **data, size_t *len)
{
	(void)fs;
	*data = NULL;
	*len = 0;
	if (!node->blob)
		return err_set(ENODATA, "content of '%s' was not kept", node->path);
	return fs_read_file(node->blob, cap, data, len);
}

int rootfs_map(const struct rootfs *fs, const struct rootfs_node *node, struct fs_map *map)
{
	(void)fs;
	if (!node->blob)
		return err_set(ENODATA, "content of '%s' was not kept", node->path);
	return fs_map_file(node->blob, map);
}
