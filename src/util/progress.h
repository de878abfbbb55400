#ifndef CONFINE_UTIL_PROGRESS_H
#define CONFINE_UTIL_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Library layers report progress through this hook and never print; cmd/
 * installs a renderer (a live line on a terminal, nothing under --quiet or
 * --json).  A NULL 'struct progress *' is always allowed and means "silent".
 */
struct progress {
	void (*update)(void *ctx, const char *phase, uint64_t done, uint64_t total);
	void *ctx;
};

static inline void progress_update(const struct progress *p, const char *phase,
				   uint64_t done, uint64_t total)
{
	if (p && p->update)
		p->update(p->ctx, phase, done, total);
}

#endif
