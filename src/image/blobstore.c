#include "image/blobstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* Blobs up to this size are hashed in memory first and written only when new. */
#define BLOB_MEM_MAX (8u << 20)

int blobstore_init(struct blobstore *bs)
{
	const char *cache = fs_cache_dir();
	int ret;

	bs->dir = NULL;
	if (!cache)
		return err_set(errno, "cannot find a cache folder: %s", strerror(errno));
	bs->dir = fs_join(cache, "blobs");
	ret = fs_mkdir_p(bs->dir, 0755);
	if (ret < 0) {
		ret = err_set(-ret, "cannot create blob store '%s': %s", bs->dir, strerror(-ret));
		free(bs->dir);
		bs->dir = NULL;
	}
	return ret;
}

void blobstore_release(struct blobstore *bs)
{
	free(bs->dir);
	bs->dir = NULL;
}

void blob_writer_init(struct blob_writer *w, struct blobstore *bs)
{
	memset(w, 0, sizeof(*w));
	w->bs = bs;
	w->fd = -1;
	sha256_init(&w->hash);
}

static int write_all(int fd, const void *data, size_t len, const char *path)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(errno, "cannot write '%s': %s", path, strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int open_tmp(struct blob_writer *w)
{
	w->tmp_path = xasprintf("%s/.tmp.XXXXXX", w->bs->dir);
	w->fd = mkostemp(w->tmp_path, O_CLOEXEC);
	if (w->fd < 0) {
		int e = errno;

		free(w->tmp_path);
		w->tmp_path = NULL;
		return err_set(e, "cannot create a file in '%s': %s", w->bs->dir, strerror(e));
	}
	return 0;
}

int blob_writer_add(struct blob_writer *w, const void *data, size_t len)
{
	size_t want;
	int ret;

	sha256_update(&w->hash, data, len);
	w->total += len;
	if (w->fd >= 0)
		return write_all(w->fd, data, len, w->tmp_path);
	if (!size_add(w->len, len, &want))
		return err_set(EFBIG, "blob too large");
	if (want > BLOB_MEM_MAX) {
		ret = open_tmp(w);
		if (ret == 0)
			ret = write_all(w->fd, w->mem, w->len, w->tmp_path);
		if (ret == 0)
			ret = write_all(w->fd, data, len, w->tmp_path);
		free(w->mem);
		w->mem = NULL;
		w->len = w->alloc = 0;
		return ret;
	}
	if (want > w->alloc) {
		size_t a = w->alloc ? w->alloc : 4096;

		while (a < want)
			a *= 2;
		w->mem = xrealloc(w->mem, a);
		w->alloc = a;
	}
	memcpy(w->mem + w->len, data, len);
	w->len = want;
	return 0;
}

/* A blob that exists with the expected size is taken as present. */
static bool blob_present(const char *path, uint64_t size)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == size;
}

int blob_writer_finish(struct blob_writer *w, char **path)
{
	char hex[SHA256_HEX_LEN + 1];
	char *final;
	int ret = 0;

	*path = NULL;
	sha256_final_hex(&w->hash, hex);
	final = xasprintf("%s/%s", w->bs->dir, hex);
	if (blob_present(final, w->total)) {
		if (w->fd >= 0)
			unlink(w->tmp_path);
		goto out;
	}
	/*
	 * No fsync: this is a cache, a blob lost to a crash is rewritten on
	 * the next open, and syncing thousands of small files would dominate
	 * the run time.  rename() still keeps readers from partial blobs.
	 */
	if (w->fd < 0) {
		ret = open_tmp(w);
		if (ret == 0)
			ret = write_all(w->fd, w->mem, w->len, w->tmp_path);
	}
	if (ret == 0 && fchmod(w->fd, 0444) < 0)
		ret = err_set(errno, "cannot chmod '%s': %s", w->tmp_path, strerror(errno));
	if (ret == 0 && rename(w->tmp_path, final) < 0)
		ret = err_set(errno, "cannot rename '%s' to '%s': %s", w->tmp_path, final,
			      strerror(errno));
	if (ret < 0 && w->tmp_path)
		unlink(w->tmp_path);
out:
	if (w->fd >= 0)
		close(w->fd);
	free(w->tmp_path);
	free(w->mem);
	if (ret == 0)
		*path = final;
	else
		free(final);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	return ret;
}

void blob_writer_abort(struct blob_writer *w)
{
	sha256_release(&w->hash);
	if (w->fd >= 0) {
		close(w->fd);
		unlink(w->tmp_path);
	}
	free(w->tmp_path);
	free(w->mem);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}
