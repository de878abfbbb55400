#ifndef CONFINE_UTIL_SEARCH_H
#define CONFINE_UTIL_SEARCH_H

#include <stddef.h>
#include <stdint.h>

/* Index of the first of the n ascending values v[] that is >= x (n when none is). */
static inline size_t u64_lower_bound(const uint64_t *v, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#endif
