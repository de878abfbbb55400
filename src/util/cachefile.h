#ifndef CONFINE_UTIL_CACHEFILE_H
#define CONFINE_UTIL_CACHEFILE_H

#include <stddef.h>

/*
 * Replace 'path' with 'data' the way fs_write_atomic does (a temporary file
 * renamed over it, so readers see the old or the new file whole) but
 * without fsync: for cache entries that carry their own checksum, where an
 * entry lost or torn by a crash is only recomputed.  A cold run writes one
 * entry per object and per program, and waiting for each to reach the disk
 * cost more than computing many of them.  Returns 0 or a negative errno
 * (with err_set).
 */
int cachefile_write(const char *path, const void *data, size_t len, unsigned mode);

#endif
