#include "image/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/path.h"
#include "util/xalloc.h"

#define LAYER_MAX_ENTRIES (4u << 20)
#define LAYER_MAX_PATH 4096
#define LAYER_READ_BUF (256u * 1024)

int layer_norm_path(const char *in, char **out)
{
	size_t n = strlen(in), len = 0;
	const char *p = in;
	char *buf;

	*out = NULL;
	if (n == 0)
		return err_set(EINVAL, "empty member name");
	if (n > LAYER_MAX_PATH)
		return err_set(ENAMETOOLONG, "member name longer than %d bytes", LAYER_MAX_PATH);
	if (in[0] == '/')
		return err_set(EINVAL, "absolute member name '%s'", in);
	buf = xmalloc(n + 1);
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t cl = slash ? (size_t)(slash - p) : strlen(p);

		if (cl == 2 && p[0] == '.' && p[1] == '.') {
			free(buf);
			return err_set(EINVAL, "member name '%s' contains '..'", in);
		}
		if (cl && !(cl == 1 && p[0] == '.')) {
			if (len)
				buf[len++] = '/';
			memcpy(buf + len, p, cl);
			len += cl;
		}
		p += cl;
		if (*p == '/')
			p++;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* The three-stage pull chain: stored bytes -> decompressed bytes -> tar. */
struct chain {
	layer_read_fn rd;
	void *ctx;
	const struct layer_limits *lim;
	struct sha256 stored;
	uint64_t stored_bytes;
	bool src_eof;
	struct archive *raw;
	struct sha256 diff;
	uint64_t diff_bytes;
	uint64_t diff_cap;
	int err;              /* first error from a stage below, message in err_msg() */
};

static ssize_t stored_read_cb(struct archive *a, void *p, const void **buf)
{
	struct chain *c = p;
	ssize_t n;

	if (c->src_eof)
		return 0;
	n = c->rd(c->ctx, buf);
	if (n < 0) {
		c->err = (int)n;
		archive_set_error(a, (int)-n, "%s", err_msg());
		return -1;
	}
	if (n == 0) {
		c->src_eof = true;
		return 0;
	}
	sha256_update(&c->stored, *buf, (size_t)n);
	c->stored_bytes += (uint64_t)n;
	if (c->lim->progress_done) {
		*c->lim->progress_done += (uint64_t)n;
		progress_update(c->lim->progress, "reading layers", *c->lim->progress_done,
				c->lim->progress_total);
	}
	return n;
}

static ssize_t diff_read_cb(struct archive *a, void *p, const void **buf)
{
	struct chain *c = p;
	size_t size = 0;
	la_int64_t off;
	int r;

	r = archive_read_data_block(c->raw, buf, &size, &off);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN) {
		if (!c->err)
			c->err = err_set(archive_errno(c->raw) > 0 ? archive_errno(c->raw) : EIO,
					 "%s", archive_error_string(c->raw) ?
					 archive_error_string(c->raw) : "read error");
		archive_set_error(a, -c->err, "%s", err_msg());
		return -1;
	}
	sha256_update(&c->diff, *buf, size);
	c->diff_bytes += size;
	if (c->diff_bytes > c->diff_cap) {
		c->err = err_set(EFBIG, "uncompressed layer larger than the %llu-byte limit",
				 (unsigned long long)c->diff_cap);
		archive_set_error(a, EFBIG, "%s", err_msg());
		return -1;
	}
	return (ssize_t)size;
}

static void layer_add(struct layer *L, const struct layer_entry *e)
{
	ALLOC_GROW(L->entries, L->nr + 1, L->alloc);
	L->entries[L->nr++] = *e;
}

static enum rootfs_type type_of(mode_t ft)
{
	switch (ft) {
	case AE_IFDIR:
		return ROOTFS_DIR;
	case AE_IFLNK:
		return ROOTFS_SYMLINK;
	case AE_IFCHR:
		return ROOTFS_CHR;
	case AE_IFBLK:
		return ROOTFS_BLK;
	case AE_IFIFO:
		return ROOTFS_FIFO;
	case AE_IFSOCK:
		return ROOTFS_SOCK;
	default:
		return ROOTFS_REG;
	}
}

/*
 * Configuration, the Perl and Ruby code whose syscall() calls the analysis
 * reads, and an application's package.json (npm start runs its scripts;
 * those of the packages in node_modules are not read).
 */
static bool keep_by_path(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	return !strncmp(path, "etc/", 4) || path_code_of(path) != PATH_CODE_NONE ||
	       (!strcmp(base, "package.json") && !strstr(path, "node_modules/"));
}

/*
 * Does a chunk, after the 'tail' (*tail_len bytes) the previous chunk
 * ended with, hold a word path_text_matters() looks for in a file of
 * 'kind'?  The stream's last PATH_TEXT_WORD_MAX - 1 bytes become the tail.
 */
static bool chunk_matters(enum path_text kind, const char *buf, size_t n, char tail[PATH_TEXT_WORD_MAX],
			  size_t *tail_len)
{
	enum { KEEP = PATH_TEXT_WORD_MAX - 1 };
	char seam[2 * KEEP];
	size_t head = n < KEEP ? n : KEEP, all = *tail_len + head;
	bool hit;

	memcpy(seam, tail, *tail_len);
	memcpy(seam + *tail_len, buf, head);
	hit = path_text_matters(kind, seam, all) || path_text_matters(kind, buf, n);
	if (n >= KEEP) {
		memcpy(tail, buf + n - KEEP, KEEP);
		*tail_len = KEEP;
	} else {
		size_t k = all > KEEP ? all - KEEP : 0;

		memmove(tail, seam + k, all - k);
		*tail_len = all - k;
	}
	return hit;
}

/* Reads the current entry's content; keeps it in the blob store when it matters. */
static int read_content(struct archive *tar, struct layer_entry *le, const struct layer_limits *lim,
			char *buf)
{
	struct blob_writer w;
	size_t have = 0, tail_len = 0;
	char tail[PATH_TEXT_WORD_MAX];
	ssize_t n;
	enum path_text text = PATH_TEXT_NONE;
	bool keep, matters;
	int ret;

	/* The first bytes decide: gather at least 4 unless the file is shorter. */
	while (have < 4) {
		n = archive_read_data(tar, buf + have, LAYER_READ_BUF - have);
		if (n < 0)
			goto out_archive;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	le->is_elf = have >= 4 && !memcmp(buf, "\x7f" "ELF", 4);
	le->is_script = have >= 2 && buf[0] == '#' && buf[1] == '!';
	keep = lim->keep_all || le->is_elf || le->is_script || keep_by_path(le->path);
	/*
	 * Python and JavaScript code is kept when it may call C through ctypes
	 * or cffi or run programs (the analysis reads those files:
	 * analysis/pycode.h, analysis/runcode.h); the rest of a Python
	 * installation or of node_modules is not read, so not kept.
	 */
	if (!keep)
		text = path_text_of(le->path);
	if (!keep && text == PATH_TEXT_NONE)
		return 0; /* the rest is skipped by the next header read */
	blob_writer_init(&w, lim->bs);
	ret = blob_writer_add(&w, buf, have);
	matters = text != PATH_TEXT_NONE && chunk_matters(text, buf, have, tail, &tail_len);
	while (ret == 0 && (n = archive_read_data(tar, buf, LAYER_READ_BUF)) > 0) {
		ret = blob_writer_add(&w, buf, (size_t)n);
		matters = matters || (text != PATH_TEXT_NONE && chunk_matters(text, buf, (size_t)n, tail, &tail_len));
	}
	if (ret == 0 && n < 0) {
		blob_writer_abort(&w);
		goto out_archive;
	}
	if (ret < 0 || (text != PATH_TEXT_NONE && !matters)) {
		blob_writer_abort(&w);
		return ret < 0 ? ret : 0;
	}
	return blob_writer_finish(&w, &le->blob);
out_archive:
	return err_set(archive_errno(tar) > 0 ? archive_errno(tar) : EIO, "cannot read '%s': %s",
		       le->path, archive_error_string(tar) ? archive_error_string(tar) : "read error");
}

/* Turns a tar header into a layer entry (or none, for aufs metadata). */
static int take_entry(struct layer *L, struct archive *tar, struct archive_entry *ae,
		      const struct layer_limits *lim, char *buf)
{
	struct layer_entry le = { 0 };
	const char *name = archive_entry_pathname(ae);
	const char *hard = archive_entry_hardlink(ae);
	const char *base;
	int64_t size = archive_entry_size(ae);
	int ret;

	if (!name)
		return err_set(EINVAL, "member without a name");
	ret = layer_norm_path(name, &le.path);
	if (ret < 0)
		return ret;
	base = strrchr(le.path, '/');
	base = base ? base + 1 : le.path;
	if (!strncmp(base, ".wh.", 4)) {
		size_t dl = (size_t)(base - le.path);

		if (!strcmp(base, ".wh..wh..opq")) {
			le.kind = LAYER_OPAQUE;
			le.path[dl ? dl - 1 : 0] = '\0';
		} else if (!strncmp(base, ".wh..wh.", 8) || !base[4]) {
			free(le.path); /* aufs bookkeeping, not content */
			return 0;
		} else {
			le.kind = LAYER_WHITEOUT;
			memmove(le.path + dl, base + 4, strlen(base + 4) + 1);
		}
		layer_add(L, &le);
		return 0;
	}
	le.mode = (uint32_t)archive_entry_perm(ae) | ((uint32_t)archive_entry_mode(ae) & 07000);
	le.uid = (uint32_t)archive_entry_uid(ae);
	le.gid = (uint32_t)archive_entry_gid(ae);
	if (hard) {
		le.kind = LAYER_HARDLINK;
		ret = layer_norm_path(hard, &le.link);
		if (ret < 0) {
			ret = err_wrap(ret, "hard link '%s'", le.path);
			goto out_free;
		}
		layer_add(L, &le);
		return 0;
	}
	le.type = type_of(archive_entry_filetype(ae));
	if (le.type == ROOTFS_SYMLINK) {
		const char *t = archive_entry_symlink(ae);

		le.link = xstrdup(t ? t : "");
	}
	if (le.type == ROOTFS_REG) {
		if (size < 0)
			size = 0;
		if ((uint64_t)size > lim->max_file_size) {
			ret = err_set(EFBIG, "'%s' declares %lld bytes, over the %llu-byte limit per file",
				      le.path, (long long)size, (unsigned long long)lim->max_file_size);
			goto out_free;
		}
		*lim->total += (uint64_t)size;
		if (*lim->total > lim->max_total_size) {
			ret = err_set(EFBIG, "'%s' brings the image over the %llu-byte limit for all files",
				      le.path, (unsigned long long)lim->max_total_size);
			goto out_free;
		}
		le.size = (uint64_t)size;
		if (size > 0) {
			ret = read_content(tar, &le, lim, buf);
			if (ret < 0)
				goto out_free;
		}
	}
	layer_add(L, &le);
	return 0;
out_free:
	free(le.path);
	free(le.link);
	free(le.blob);
	return ret;
}

static int archive_fail(struct archive *a, struct chain *c, const char *what)
{
	if (c->err)
		return c->err;
	return err_set(archive_errno(a) > 0 ? archive_errno(a) : EIO, "%s: %s", what,
		       archive_error_string(a) ? archive_error_string(a) : "read error");
}

int layer_parse(struct layer *L, const char *name, layer_read_fn rd, void *ctx,
		const struct layer_limits *lim)
{
	struct chain c = { .rd = rd, .ctx = ctx, .lim = lim };
	struct archive *tar = NULL;
	struct archive_entry *ae;
	char hex[SHA256_HEX_LEN + 1];
	char *buf = NULL;
	const void *junk;
	size_t jsize;
	la_int64_t joff;
	int r, ret = 0;

	memset(L, 0, sizeof(*L));
	L->name = xstrdup(name);
	sha256_init(&c.stored);
	sha256_init(&c.diff);
	/* The tar stream holds headers and padding besides file bytes. */
	c.diff_cap = lim->max_total_size + (lim->max_total_size >> 2) + (64u << 20);

	c.raw = archive_read_new();
	if (!c.raw) {
		sha256_release(&c.stored);
		sha256_release(&c.diff);
		return -ELIBACC; /* libarchive not loaded: the error says why (archrt.h) */
	}
	archive_read_support_filter_gzip(c.raw);
	archive_read_support_filter_zstd(c.raw);
	archive_read_support_filter_xz(c.raw);
	archive_read_support_filter_bzip2(c.raw);
	archive_read_support_format_raw(c.raw);
	if (archive_read_open(c.raw, &c, NULL, stored_read_cb, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(c.raw, &ae) != ARCHIVE_OK) {
		ret = archive_fail(c.raw, &c, "cannot read the layer stream");
		goto out;
	}
	tar = archive_read_new();
	if (!tar) {
		ret = -ELIBACC;
		goto out;
	}
	archive_read_support_format_tar(tar);
	if (archive_read_open(tar, &c, NULL, diff_read_cb, NULL) != ARCHIVE_OK) {
		ret = archive_fail(tar, &c, "not a tar layer");
		goto out;
	}
	buf = xmalloc(LAYER_READ_BUF);
	for (;;) {
		r = archive_read_next_header(tar, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			ret = archive_fail(tar, &c, L->nr ? "cannot read the layer tar" : "not a tar layer");
			goto out;
		}
		if (L->nr >= LAYER_MAX_ENTRIES) {
			ret = err_set(EFBIG, "more than %u entries", LAYER_MAX_ENTRIES);
			goto out;
		}
		ret = take_entry(L, tar, ae, lim, buf);
		if (ret < 0) {
			if (c.err)
				ret = c.err;
			goto out;
		}
	}
	/* Both digests cover trailing padding the tar reader never asked for. */
	while ((r = archive_read_data_block(c.raw, &junk, &jsize, &joff)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN) {
		sha256_update(&c.diff, junk, jsize);
		c.diff_bytes += jsize;
	}
	if (r != ARCHIVE_EOF) {
		ret = archive_fail(c.raw, &c, "cannot read the layer stream");
		goto out;
	}
	while (!c.src_eof) {
		ssize_t n = stored_read_cb(c.raw, &c, &junk);

		if (n < 0) {
			ret = c.err;
			goto out;
		}
	}
	sha256_final_hex(&c.stored, hex);
	snprintf(L->digest, sizeof(L->digest), "sha256:%s", hex);
	sha256_final_hex(&c.diff, hex);
	snprintf(L->diff_id, sizeof(L->diff_id), "sha256:%s", hex);
	L->stored_size = c.stored_bytes;
out:
	sha256_release(&c.stored);
	sha256_release(&c.diff);
	if (tar)
		archive_read_free(tar);
	archive_read_free(c.raw);
	free(buf);
	return ret;
}

void layer_release(struct layer *L)
{
	for (size_t i = 0; i < L->nr; i++) {
		free(L->entries[i].path);
		free(L->entries[i].link);
		free(L->entries[i].blob);
	}
	free(L->entries);
	free(L->name);
	memset(L, 0, sizeof(*L));
}
