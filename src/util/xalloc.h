#ifndef CONFINE_UTIL_XALLOC_H
#define CONFINE_UTIL_XALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Allocation helpers.  Running out of memory is not a condition confine
 * recovers from, so these abort with a message instead of returning NULL.
 * Sizes derived from untrusted input must go through size_add()/size_mul()
 * (which report overflow) before they reach an allocator.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Overflow-checked arithmetic: return true and store the result on success. */
static inline bool size_add(size_t a, size_t b, size_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline bool size_mul(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

/* True when [off, off+len) lies inside a buffer of 'size' bytes. */
static inline bool range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* Grow 'ptr' (with capacity 'alloc') so that it holds at least 'nr' items. */
#define ALLOC_GROW(ptr, nr, alloc)                                             \
	do {                                                                   \
		if ((size_t)(nr) > (size_t)(alloc)) {                          \
			size_t alloc_grow_new_ = (size_t)(alloc) < 8 ? 16 : (size_t)(alloc) * 2; \
			if (alloc_grow_new_ < (size_t)(nr))                    \
				alloc_grow_new_ = (size_t)(nr);                \
			(ptr) = xrealloc_array((ptr), alloc_grow_new_, sizeof(*(ptr))); \
			(alloc) = alloc_grow_new_;                             \
		}                                                              \
	} while (0)

void *xrealloc_array(void *ptr, size_t nmemb, size_t size);

/* Free the n strings of v, then v. */
void free_strv(char **v, size_t n);
/* A copy of the n strings of v (NULL stays NULL), NULL-terminated; NULL for NULL. */
char **strv_dup(char *const *v, size_t n);
char *xstrdup_or_null(const char *s);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
