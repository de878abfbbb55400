#ifndef CONFINE_UTIL_STRMAP_H
#define CONFINE_UTIL_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A hash map from strings to pointers (open addressing, xxh3).  The map
 * copies keys and owns the copies; values are the caller's.
 */
struct strmap_entry {
	char *key;
	void *value;
};

struct strmap {
	struct strmap_entry *slots;
	size_t size; /* number of slots, a power of two */
	size_t nr;   /* live entries */
};

#define STRMAP_INIT { NULL, 0, 0 }

void strmap_init(struct strmap *map);
/* Frees the keys; calls free_value (when non-NULL) on each value. */
void strmap_release(struct strmap *map, void (*free_value)(void *));
/* Returns the previous value for key, or NULL. */
void *strmap_put(struct strmap *map, const char *key, void *value);
void *strmap_get(const struct strmap *map, const char *key);
bool strmap_contains(const struct strmap *map, const char *key);
/* Returns the stored entry (its key pointer stays valid until removal). */
struct strmap_entry *strmap_find(const struct strmap *map, const char *key);
/* Removes key; returns its value or NULL. */
void *strmap_remove(struct strmap *map, const char *key);

/* Iterate: for (i = 0; strmap_next(map, &i, &e);) ... */
bool strmap_next(const struct strmap *map, size_t *iter, struct strmap_entry **e);

/* Keys in sorted order: an array of map->nr borrowed pointers; caller frees it. */
const char **strmap_sorted_keys(const struct strmap *map);

#endif
