/* A bounded cache of byte strings under short text keys, each valid for one version:
 * a lookup with another version misses (the caller's version changes whenever what
 * the value was made from may have changed).  Sets of VCACHE_WAYS ways; a key may live
 * in either of two sets (two hashes), and a new key takes an empty way of the two or
 * else the least recently used one; values over max_value bytes are not kept.
 * Thread-safe (striped locks). */
#ifndef CLINICD_VCACHE_H
#define CLINICD_VCACHE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VCACHE_WAYS 4
#define VCACHE_KEY_MAX 80

struct vcache;

struct vcache *vcache_new(size_t sets, size_t max_value);
void vcache_free(struct vcache *c);
/* A copy of the value (the caller frees it) and its length, or NULL. */
char *vcache_get(struct vcache *c, const char *key, uint64_t version, size_t *len);
void vcache_put(struct vcache *c, const char *key, uint64_t version, const char *value,
                size_t len);
/* Lookups answered, and missed, so far. */
void vcache_counts(struct vcache *c, long *hits, long *misses);

#include "util/banned.h"
#endif
