#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "util/xalloc.h"

/* Tombstones keep probe chains intact after removal. */
static char tombstone_key;
#define TOMBSTONE (&tombstone_key)

void strmap_init(struct strmap *map)
{
	map->slots = NULL;
	map->size = map->nr = 0;
}

void strmap_release(struct strmap *map, void (*free_value)(void *))
{
	size_t i;

	for (i = 0; i < map->size; i++) {
		struct strmap_entry *e = &map->slots[i];

		if (!e->key || e->key == TOMBSTONE)
			continue;
		free(e->key);
		if (free_value)
			free_value(e->value);
	}
	free(map->slots);
	strmap_init(map);
}

static size_t slot_of(const struct strmap *map, const char *key)
{
	size_t mask = map->size - 1;
	size_t i = (size_t)XXH3_64bits(key, strlen(key)) & mask;
	size_t first_tomb = (size_t)-1;

	for (;;) {
		struct strmap_entry *e = &map->slots[i];

		if (!e->key)
			return first_tomb != (size_t)-1 ? first_tomb : i;
		if (e->key == TOMBSTONE) {
			if (first_tomb == (size_t)-1)
				first_tomb = i;
		} else if (!strcmp(e->key, key)) {
			return i;
		}
		i = (i + 1) & mask;
	}
}

static struct strmap_entry *lookup(const struct strmap *map, const char *key)
{
	size_t mask, i;

	if (!map->size)
		return NULL;
	mask = map->size - 1;
	i = (size_t)XXH3_64bits(key, strlen(key)) & mask;
	for (;;) {
		struct strmap_entry *e = &map->slots[i];

		if (!e->key)
			return NULL;
		if (e->key != TOMBSTONE && !strcmp(e->key, key))
			return e;
		i = (i + 1) & mask;
	}
}

static void rehash(struct strmap *map, size_t size)
{
	struct strmap_entry *old = map->slots;
	size_t old_size = map->size, i;

	map->slots = xcalloc(size, sizeof(*map->slots));
	map->size = size;
	for (i = 0; i < old_size; i++) {
		if (old[i].key && old[i].key != TOMBSTONE)
			map->slots[slot_of(map, old[i].key)] = old[i];
	}
	free(old);
}

void *strmap_put(struct strmap *map, const char *key, void *value)
{
	struct strmap_entry *e;
	void *prev;

	e = lookup(map, key);
	if (e) {
		prev = e->value;
		e->value = value;
		return prev;
	}
	/* Keep the load (live entries plus tombstones, bounded by size) under 1/2. */
	if ((map->nr + 1) * 2 > map->size)
		rehash(map, map->size ? map->size * 2 : 16);
	e = &map->slots[slot_of(map, key)];
	e->key = xstrdup(key);
	e->value = value;
	map->nr++;
	return NULL;
}

void *strmap_get(const struct strmap *map, const char *key)
{
	struct strmap_entry *e = lookup(map, key);

	return e ? e->value : NULL;
}

bool strmap_contains(const struct strmap *map, const char *key)
{
	return lookup(map, key) != NULL;
}

struct strmap_entry *strmap_find(const struct strmap *map, const char *key)
{
	return lookup(map, key);
}

void *strmap_remove(struct strmap *map, const char *key)
{
	struct strmap_entry *e = lookup(map, key);
	void *value;

	if (!e)
		return NULL;
	value = e->value;
	free(e->key);
	e->key = TOMBSTONE;
	e->value = NULL;
	map->nr--;
	return value;
}

bool strmap_next(const struct strmap *map, size_t *iter, struct strmap_entry **e)
{
	while (*iter < map->size) {
		struct strmap_entry *s = &map->slots[(*iter)++];

		if (s->key && s->key != TOMBSTONE) {
			*e = s;
			return true;
		}
	}
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **strmap_sorted_keys(const struct strmap *map)
{
	const char **keys = xcalloc(map->nr + 1, sizeof(*keys));
	struct strmap_entry *e;
	size_t it = 0, n = 0;

	while (strmap_next(map, &it, &e))
		keys[n++] = e->key;
	qsort(keys, n, sizeof(*keys), cmp_str);
	return keys;
}
