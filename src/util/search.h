#ifndef CONFINE_UTIL_SEARCH_H
#define CONFINE_UTIL_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Index of the first of n records of 'stride' bytes at v, whose first
 * member is a uint64_t in ascending order, that is >= x (n when none is).
 */
static inline size_t addr_lower_bound(const void *v, size_t n, size_t stride, uint64_t x)
{
	const unsigned char *p = v;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t a;

		memcpy(&a, p + mid * stride, sizeof(a));
		if (a < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* qsort() comparator for uint64_t values. */
static inline int u64_cmp(const void *a, const void *b)
{
	uint64_t x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return (x > y) - (x < y);
}

/* The same over n ascending values v[]. */
static inline size_t u64_lower_bound(const uint64_t *v, size_t n, uint64_t x)
{
	return addr_lower_bound(v, n, sizeof(*v), x);
}

#endif
