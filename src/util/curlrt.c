#include "util/curlrt.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "util/error.h"

#define CURLRT_LIB "libcurl.so.4"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct curlrt fns;
static const struct curlrt *loaded;
static char why[512];

/* The symbol's address into *slot; false (why set) when the library lacks it. */
static bool need(void *lib, const char *name, void *slot)
{
	void *p = dlsym(lib, name);

	if (!p) {
		snprintf(why, sizeof(why), "it has no %s", name);
		return false;
	}
	*(void **)slot = p;
	return true;
}

static void load(void)
{
	void *lib = dlopen(CURLRT_LIB, RTLD_NOW | RTLD_LOCAL);
	CURLcode (*global_init)(long flags) = NULL;

	if (!lib) {
		snprintf(why, sizeof(why), "%s", dlerror());
		return;
	}
	if (!need(lib, "curl_global_init", &global_init) || !need(lib, "curl_easy_init", &fns.easy_init) ||
	    !need(lib, "curl_easy_setopt", &fns.easy_setopt) ||
	    !need(lib, "curl_easy_perform", &fns.easy_perform) ||
	    !need(lib, "curl_easy_getinfo", &fns.easy_getinfo) ||
	    !need(lib, "curl_easy_cleanup", &fns.easy_cleanup) || !need(lib, "curl_easy_reset", &fns.easy_reset) ||
	    !need(lib, "curl_easy_strerror", &fns.easy_strerror) ||
	    !need(lib, "curl_slist_append", &fns.slist_append) ||
	    !need(lib, "curl_slist_free_all", &fns.slist_free_all)) {
		dlclose(lib);
		return;
	}
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
