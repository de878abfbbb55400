#ifndef CONFINE_IMAGE_LAYER_H
#define CONFINE_IMAGE_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/blobstore.h"
#include "image/image.h"
#include "util/progress.h"
#include "util/sha256.h"

/*
 * One image layer read from its (possibly compressed) tar stream into a
 * list of entries, ready to be applied onto a rootfs later: a docker save
 * archive streams its layers before the manifest that says their order.
 * File content worth keeping goes to the blob store as the layer passes.
 */
enum layer_entry_kind {
	LAYER_NODE,      /* a file, folder, symlink or device */
	LAYER_HARDLINK,  /* 'link' names the (normalised) target path */
	LAYER_WHITEOUT,  /* .wh.NAME: 'path' is the path to delete */
	LAYER_OPAQUE,    /* .wh..wh..opq: 'path' is the folder to empty */
};

struct layer_entry {
	char *path;            /* relative and normalised: "usr/bin/ls", "" = the root */
	char *link;            /* symlink target as stored, or hard link target */
	char *blob;            /* kept content (blob store file), or NULL */
	uint64_t size;
	uint32_t mode, uid, gid;
	enum rootfs_type type;
	enum layer_entry_kind kind;
	bool is_elf, is_script;
};

struct layer {
	char *name;                           /* for messages: "abc/layer.tar" */
	char digest[SHA256_HEX_LEN + 8];      /* "sha256:..." of the bytes as stored */
	char diff_id[SHA256_HEX_LEN + 8];     /* "sha256:..." of the uncompressed tar */
	uint64_t stored_size;
	struct layer_entry *entries;
	size_t nr, alloc;
};

struct layer_limits {
	struct blobstore *bs;
	bool keep_all;
	uint64_t max_file_size;
	uint64_t max_total_size;
	uint64_t *total;            /* running uncompressed file bytes, all layers */
	const struct progress *progress;
	uint64_t *progress_done;    /* bytes read so far (stored), may be NULL */
	uint64_t progress_total;
};

/* Pull the next chunk of the stored layer bytes: >0 bytes, 0 at the end, <0 -errno. */
typedef ssize_t (*layer_read_fn)(void *ctx, const void **buf);

/*
 * Read one layer from 'rd'.  'L' is initialised here (release it with
 * layer_release() whatever the result).  The stream is read to its end so
 * both digests cover every byte.  Returns 0 or -errno with a message naming
 * the entry and the cause (the caller adds the input and layer names).
 */
int layer_parse(struct layer *L, const char *name, layer_read_fn rd, void *ctx,
		const struct layer_limits *lim);
void layer_release(struct layer *L);

/*
 * Normalise a tar member name: "./a//b/" -> "a/b", "./" -> "".  Absolute
 * names and ".." components are refused (-EINVAL); so are empty names.
 */
int layer_norm_path(const char *in, char **out);

#endif
