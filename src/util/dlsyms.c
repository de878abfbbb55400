#include "util/dlsyms.h"

#include <dlfcn.h>
#include <stdio.h>

void *dlsyms_load(const char *lib, const struct dlsym_want *want, size_t n, char *why, size_t why_len)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(why, why_len, "%s", dlerror());
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		*want[i].slot = dlsym(h, want[i].name);
		if (!*want[i].slot) {
			snprintf(why, why_len, "it has no %s", want[i].name);
			dlclose(h);
			return NULL;
		}
	}
	return h;
}
