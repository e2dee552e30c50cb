/*
 * idmap.h - a map from 64-bit keys to pointers for the lookups made on
 * every packet (a stack's connections, a host's packet filters).
 *
 * GHashTable keeps hashes, keys and values in three arrays, so a lookup
 * in a table that is not in the cache costs three misses; here a key and
 * its value share one 16-byte slot (open addressing, linear probing,
 * backward-shift deletion, at most half full), so it costs one.
 * Values are never NULL: NULL is "absent".
 */
#pragma once

#include <glib.h>
#include <stdint.h>

typedef struct sim_idmap sim_idmap;

sim_idmap *sim_idmap_new(void);
void sim_idmap_free(sim_idmap *m);
void *sim_idmap_get(const sim_idmap *m, uint64_t key);
/* Insert or replace; val must not be NULL. */
void sim_idmap_set(sim_idmap *m, uint64_t key, void *val);
/* FALSE if key was absent. */
gboolean sim_idmap_remove(sim_idmap *m, uint64_t key);
guint sim_idmap_size(const sim_idmap *m);
