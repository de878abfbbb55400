#ifndef CONFINE_UTIL_DLSYMS_H
#define CONFINE_UTIL_DLSYMS_H

#include <stddef.h>

/* A function a library loaded on demand must have, and where its address goes. */
struct dlsym_want {
	const char *name;
	void **slot;
};

/*
 * dlopen 'lib' and fill every slot of 'want'; the library then stays
 * loaded for the process.  NULL when it cannot be loaded or lacks one of
 * the functions, with why[] saying which ("it has no NAME", or dlerror()'s
 * text); the library is then closed again.
 */
void *dlsyms_load(const char *lib, const struct dlsym_want *want, size_t n, char *why, size_t why_len);

#endif
