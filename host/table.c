// SPDX-License-Identifier: MIT
/*
 * A small open-addressing map from non-zero uint32 ids to pointers, for the
 * device's resource and context tables.  Ids are guest-chosen, so lookups
 * must stay cheap whatever the guest picks: linear probing over a hash of
 * the id, growing at 50% load.
 */
#include <errno.h>
#include <stdlib.h>

#include "host/internal.h"

static char tombstone_mark;
#define TOMBSTONE ((void *)&tombstone_mark)

static uint32_t hash_id(uint32_t key)
{
	/* Murmur3's finaliser: spreads sequential ids over the table. */
	key ^= key >> 16;
	key *= 0x85ebca6bu;
	key ^= key >> 13;
	key *= 0xc2b2ae35u;
	key ^= key >> 16;
	return key;
}

void host_table_init(struct host_table *t)
{
	t->keys = NULL;
	t->vals = NULL;
	t->cap = 0;
	t->count = 0;
	t->tombstones = 0;
}

void host_table_fini(struct host_table *t)
{
	free(t->keys);
	free(t->vals);
	host_table_init(t);
}

static uint32_t find_slot(const struct host_table *t, uint32_t key)
{
	uint32_t mask = t->cap - 1;
	uint32_t i = hash_id(key) & mask;

	while (t->vals[i] != NULL) {
		if (t->vals[i] != TOMBSTONE && t->keys[i] == key)
			return i;
		i = (i + 1) & mask;
	}
	return UINT32_MAX;
}

void *host_table_get(const struct host_table *t, uint32_t key)
{
	if (t->cap == 0 || key == 0)
		return NULL;
	uint32_t i = find_slot(t, key);
	return i == UINT32_MAX ? NULL : t->vals[i];
}

static int grow(struct host_table *t)
{
	uint32_t ncap = t->cap ? t->cap * 2 : 16;

	/* Only rehash in place when tombstones, not live entries, fill it. */
	if (t->cap && (t->count + 1) * 2 <= t->cap)
		ncap = t->cap;
	uint32_t *keys = calloc(ncap, sizeof(*keys));
	void **vals = calloc(ncap, sizeof(*vals));
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < t->cap; i++) {
		if (t->vals[i] == NULL || t->vals[i] == TOMBSTONE)
			continue;
		uint32_t j = hash_id(t->keys[i]) & (ncap - 1);
		while (vals[j] != NULL)
			j = (j + 1) & (ncap - 1);
		keys[j] = t->keys[i];
		vals[j] = t->vals[i];
	}
	free(t->keys);
	free(t->vals);
	t->keys = keys;
	t->vals = vals;
	t->cap = ncap;
	t->tombstones = 0;
	return 0;
}

/* -EEXIST when @key is present, -EINVAL for key 0 or a NULL value. */
int host_table_put(struct host_table *t, uint32_t key, void *val)
{
	if (key == 0 || val == NULL)
		return -EINVAL;
	if (host_table_get(t, key))
		return -EEXIST;
	if ((t->count + t->tombstones + 1) * 2 > t->cap) {
		int ret = grow(t);
		if (ret)
			return ret;
	}
	uint32_t i = hash_id(key) & (t->cap - 1);
	while (t->vals[i] != NULL && t->vals[i] != TOMBSTONE)
		i = (i + 1) & (t->cap - 1);
	if (t->vals[i] == TOMBSTONE)
		t->tombstones--;
	t->keys[i] = key;
	t->vals[i] = val;
	t->count++;
	return 0;
}

void *host_table_remove(struct host_table *t, uint32_t key)
{
	if (t->cap == 0 || key == 0)
		return NULL;
	uint32_t i = find_slot(t, key);
	if (i == UINT32_MAX)
		return NULL;
	void *val = t->vals[i];
	t->vals[i] = TOMBSTONE;
	t->count--;
	t->tombstones++;
	return val;
}

void *host_table_pop_any(struct host_table *t)
{
	for (uint32_t i = 0; i < t->cap; i++) {
		if (t->vals[i] != NULL && t->vals[i] != TOMBSTONE)
			return host_table_remove(t, t->keys[i]);
	}
	return NULL;
}

void host_table_foreach(struct host_table *t,
			void (*fn)(struct host_device *dev, uint32_t key,
				   void *val, void *arg),
			struct host_device *dev, void *arg)
{
	for (uint32_t i = 0; i < t->cap; i++)
		if (t->vals[i] != NULL && t->vals[i] != TOMBSTONE)
			fn(dev, t->keys[i], t->vals[i], arg);
}
