#ifndef CONFINE_IMAGE_BLOBSTORE_H
#define CONFINE_IMAGE_BLOBSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "util/sha256.h"

/*
 * A content-addressed file store: each blob is a read-only file named by the
 * SHA-256 of its content, so later stages can map kept image files and a
 * second open of the same image writes nothing.  Writers build a blob
 * incrementally (small ones in memory, large ones in a temporary file) and
 * publish it with rename(), so a reader never sees a partial blob.
 */
struct blobstore {
	char *dir; /* owned: CACHE/blobs */
};

/* Open (creating) the store under fs_cache_dir().  Returns 0 or -errno. */
int blobstore_init(struct blobstore *bs);
void blobstore_release(struct blobstore *bs);

struct blob_writer {
	struct blobstore *bs;
	struct sha256 hash;
	char *mem;          /* in-memory content while small */
	size_t len, alloc;
	int fd;             /* temporary file once large, else -1 */
	char *tmp_path;
	uint64_t total;
};

void blob_writer_init(struct blob_writer *w, struct blobstore *bs);
int blob_writer_add(struct blob_writer *w, const void *data, size_t len);
/*
 * Publish the blob; *path gets its file name (caller frees).  Releases the
 * writer in every case.  Returns 0 or -errno (message set).
 */
int blob_writer_finish(struct blob_writer *w, char **path);
/* Drop an unfinished blob. */
void blob_writer_abort(struct blob_writer *w);

#endif
