/*
 * libFuzzer target for the image archive and manifest reader: the input is
 * fed as a docker-archive: or oci-archive: file (first byte picks which), so
 * the outer tar, manifest.json / index.json / config parsing, the layer
 * decompression chain, whiteouts and links are all reached.  Bits 1-2 of
 * that byte name an image the way a user picks one of several (none,
 * ":@1", ":a:latest", ":latest"), so the choosing is reached too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image/image.h"
#include "util/error.h"

#include "fuzz_cache.h"

static int mfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_cache_init("cache");
	mfd = memfd_create("fuzz-image", 0);
	if (mfd < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_open_opts opts = {
		.max_file_size = 1u << 20,
		.max_total_size = 8u << 20,
	};
	struct image *img = NULL;
	static const char *const pick[] = { "", ":@1", ":a:latest", ":latest" };
	char ref[80];
	const struct rootfs_node *n;

	if (size < 1)
		return 0;
	if (ftruncate(mfd, 0) < 0 || pwrite(mfd, data + 1, size - 1, 0) != (ssize_t)(size - 1))
		abort();
	snprintf(ref, sizeof(ref), "%s:/proc/self/fd/%d%s",
		 data[0] & 1 ? "oci-archive" : "docker-archive", mfd, pick[(data[0] >> 1) & 3]);
	if (image_open(ref, &opts, &img) == 0) {
		/* Walk and resolve everything: resolution must terminate inside. */
		for (size_t i = 0; (n = rootfs_at(img->rootfs, i)); i++) {
			const struct rootfs_node *t;
			char *res = NULL;

			if (rootfs_resolve(img->rootfs, n->path, true, &t, &res) == 0) {
				if (res[0] != '/')
					abort();
				free(res);
			}
		}
		image_free(img);
	}
	err_clear();
	return 0;
}
