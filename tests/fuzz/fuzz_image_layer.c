/*
 * libFuzzer target for one layer: the input is a (possibly compressed)
 * layer tar, parsed and then applied twice onto a rootfs, so whiteouts,
 * opaque folders, hard links and symlinked parents meet a populated lower
 * layer.  The archive target cannot get here often, since any change to a
 * layer breaks its digest.  Every path must then resolve inside the root.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/blobstore.h"
#include "image/layer.h"
#include "image/rootfs.h"
#include "util/error.h"

#include "fuzz_cache.h"

struct src {
	const uint8_t *data;
	size_t size;
	bool done;
};

static struct blobstore bs;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_cache_init("layer");
	if (blobstore_init(&bs) < 0)
		abort();
	return 0;
}

static ssize_t rd(void *ctx, const void **buf)
{
	struct src *s = ctx;

	if (s->done)
		return 0;
	s->done = true;
	*buf = s->data;
	return (ssize_t)s->size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t total = 0;
	struct layer_limits lim = {
		.bs = &bs,
		.max_file_size = 1u << 20,
		.max_total_size = 8u << 20,
		.total = &total,
	};
	struct src s = { data, size, false };
	struct layer L;
	struct rootfs *fs;
	const struct rootfs_node *n;

	if (layer_parse(&L, "fuzz", rd, &s, &lim) == 0) {
		fs = rootfs_new();
		if (rootfs_apply_layer(fs, &L, "layer 1") == 0)
			rootfs_apply_layer(fs, &L, "layer 2");
		rootfs_finish(fs);
		for (size_t i = 0; (n = rootfs_at(fs, i)); i++) {
			const struct rootfs_node *t;
			char *res = NULL;

			if (n->path[0] != '/')
				abort();
			if (rootfs_resolve(fs, n->path, true, &t, &res) == 0) {
				if (res[0] != '/' || strstr(res, "/../") || strstr(res, "/./"))
					abort();
				free(res);
			}
		}
		rootfs_free(fs);
	}
	layer_release(&L);
	err_clear();
	return 0;
}
