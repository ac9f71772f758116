/* Token buckets per key (a client address), in memory, in a table of bounded size. */
#ifndef CLINICD_RATELIMIT_H
#define CLINICD_RATELIMIT_H

#include <stddef.h>

/* Keys longer than this are cut (an IPv6 address as text takes at most 45 bytes). */
#define RATELIMIT_KEY_MAX 63

struct ratelimit;

/* Buckets that hold up to burst tokens and gain per_second tokens a second, for at most
 * max_keys keys at once: a key not seen for the longest time is forgotten first when
 * the table is full (a forgotten key starts again with a full bucket; with max_keys
 * well above the clients one copy of the service sees within burst / per_second
 * seconds, only keys whose buckets had filled up again are forgotten).  The memory is
 * allocated here, once (about 100 bytes a key). */
struct ratelimit *ratelimit_new(double per_second, double burst, size_t max_keys);
void ratelimit_free(struct ratelimit *rl);

/* Takes cost tokens from key's bucket at time now (seconds, on a clock that never goes
 * back; a new key starts full).  A cost above the burst counts as the burst, so that
 * what the bucket could never hold still passes from a full one.  Returns 0 when the
 * tokens were taken; otherwise the whole seconds (at least 1) until they will be
 * there, and takes nothing.  Thread-safe. */
long ratelimit_take(struct ratelimit *rl, const char *key, double cost, double now);

/* Keys remembered now. */
size_t ratelimit_keys(struct ratelimit *rl);

/* The key a client address is limited under: an IPv6 address counts by its /64 (what
 * one subscriber is usually given; limiting single addresses there would limit
 * nobody), written "prefix::/64"; an IPv4 address (mapped into IPv6 or not) and
 * anything else count as they are. */
void ratelimit_client_key(const char *addr, char *out, size_t outlen);

#include "util/banned.h"
#endif
