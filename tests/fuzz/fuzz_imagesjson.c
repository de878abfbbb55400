/* libFuzzer target: Confine's images JSON parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "analysis/imagesjson.h"
#include "util/error.h"

static void drop(const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct images_file f;

	if (!images_parse((const char *)data, size, "fuzz", &f)) {
		for (size_t i = 0; i < f.nr; i++) {
			char *n = images_file_name(f.entries[i].image_name);
			char *r = images_ref(f.entries[i].image_url);

			free(n);
			free(r);
		}
		images_file_release(&f);
	}
	warn_drain(drop, NULL);
	return 0;
}
