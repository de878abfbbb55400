#include "util/curlrt.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "util/dlsyms.h"
#include "util/error.h"

#define CURLRT_LIB "libcurl.so.4"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct curlrt fns;
static const struct curlrt *loaded;
static char why[512];

static void load(void)
{
	CURLcode (*global_init)(long flags) = NULL;
	const struct dlsym_want want[] = {
		{ "curl_global_init", (void **)&global_init },
		{ "curl_easy_init", (void **)&fns.easy_init },
		{ "curl_easy_setopt", (void **)&fns.easy_setopt },
		{ "curl_easy_perform", (void **)&fns.easy_perform },
		{ "curl_easy_getinfo", (void **)&fns.easy_getinfo },
		{ "curl_easy_cleanup", (void **)&fns.easy_cleanup },
		{ "curl_easy_reset", (void **)&fns.easy_reset },
		{ "curl_easy_strerror", (void **)&fns.easy_strerror },
		{ "curl_slist_append", (void **)&fns.slist_append },
		{ "curl_slist_free_all", (void **)&fns.slist_free_all },
	};

	if (!dlsyms_load(CURLRT_LIB, want, sizeof(want) / sizeof(want[0]), why, sizeof(why)))
		return;
	if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(why, sizeof(why), "curl_global_init failed");
		return;
	}
	loaded = &fns; /* the library stays loaded for the process */
}

const struct curlrt *curlrt(void)
{
	pthread_once(&once, load);
	if (!loaded)
		err_set(ELIBACC, "cannot load %s (the HTTP client confine uses for the Docker Engine API): %s",
			CURLRT_LIB, why);
	return loaded;
}
