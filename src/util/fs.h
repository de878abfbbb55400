#ifndef CONFINE_UTIL_FS_H
#define CONFINE_UTIL_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Write 'len' bytes to 'path' atomically: a temporary file in the same
 * folder, fsync, rename.  A reader never sees a half-written file, and on
 * failure nothing is left behind.  Returns 0 or -errno (message set).
 */
int fs_write_atomic(const char *path, const void *data, size_t len, unsigned mode);

/*
 * The same without fsync, for cache entries that carry their own checksum:
 * readers still see the old or the new file whole, and an entry a crash
 * loses or tears is only recomputed.  A cold analysis writes one entry per
 * object and per program; waiting for each to reach the disk cost more
 * than computing many of them.
 */
int fs_write_cache(const char *path, const void *data, size_t len, unsigned mode);

/* mkdir -p with 'mode' for created folders.  Returns 0 or -errno. */
int fs_mkdir_p(const char *path, unsigned mode);

/*
 * Read a whole file of at most 'cap' bytes into a new NUL-terminated buffer
 * (*data, owned by the caller).  A larger file fails with -EFBIG.
 */
int fs_read_file(const char *path, size_t cap, char **data, size_t *len);

/* A read-only mapping of a whole file; release with fs_unmap(). */
struct fs_map {
	const uint8_t *data;
	size_t size;
};
int fs_map_file(const char *path, struct fs_map *map);
void fs_unmap(struct fs_map *map);
/* Give the mapping's resident pages back (still readable: they fault in again). */
void fs_map_drop_pages(const struct fs_map *map);

/*
 * Read-only file mappings in one reserved stretch of address space, for a
 * run that maps many files and lets go of them together: fs_arena_release
 * unmaps them all with one munmap (one TLB flush on every CPU the process
 * ran on, instead of one per file).  A file that does not fit, or a
 * process that cannot reserve the space (ulimit -v), maps on its own.
 */
struct fs_arena {
	uint8_t *base;
	size_t size, used;
	bool failed;            /* the reservation failed: map each file on its own */
	bool leak;              /* a hole may be someone else's: never unmap the whole */
};
/* Map 'size' bytes of fd read-only; *in_arena tells where.  NULL, errno set, on failure. */
void *fs_arena_map(struct fs_arena *a, int fd, size_t size, bool *in_arena);
/* Give one mapping back: the arena's stay reserved (never reused) until release. */
void fs_arena_unmap(struct fs_arena *a, void *p, size_t size, bool in_arena);
void fs_arena_release(struct fs_arena *a);

/*
 * confine's cache folder: $CONFINE_CACHE_DIR, else $XDG_CACHE_HOME/confine,
 * else ~/.cache/confine.  Created on first use.  Returns a string owned by
 * the module (valid for the life of the process), or NULL with errno set.
 */
const char *fs_cache_dir(void);

/* Remove a tree (no symlinks followed).  Returns 0 or -errno. */
int fs_remove_tree(const char *path);

/* Join two path parts with exactly one '/'; the caller frees the result. */
char *fs_join(const char *a, const char *b);

bool fs_exists(const char *path);

#endif
