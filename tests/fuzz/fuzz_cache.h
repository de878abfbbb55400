#ifndef CONFINE_FUZZ_CACHE_H
#define CONFINE_FUZZ_CACHE_H

/*
 * A cache folder of its own for a fuzz target (CONFINE_CACHE_DIR), under
 * $TMPDIR, removed when the fuzzer exits: every smoke run of the test
 * suite used to leave one behind in /tmp.
 */
#include <stdio.h>
#include <stdlib.h>

#include "util/fs.h"

static char fuzz_cache_path[4096];

static void fuzz_cache_remove(void)
{
	fs_remove_tree(fuzz_cache_path);
}

static void fuzz_cache_init(const char *name)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(fuzz_cache_path, sizeof(fuzz_cache_path), "%s/confine-fuzz-%s.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp", name);
	if (!mkdtemp(fuzz_cache_path))
		abort();
	setenv("CONFINE_CACHE_DIR", fuzz_cache_path, 1);
	atexit(fuzz_cache_remove);
}

#endif
