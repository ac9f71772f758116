/* The per-client limit on patients' writes (booking, moving, cancelling, plans, the
 * waitlist): a long-lived part with an owner (main.c adds patient_rate_owner; start
 * makes the buckets from the config, stop frees them, stats gives /metrics the
 * refusals).  Staff and API-key routes do not call it. */
#ifndef CLINICD_API_RATE_H
#define CLINICD_API_RATE_H

#include <stdbool.h>

#include "core/owner.h"
#include "http/request.h"
#include "util/ratelimit.h"

/* Takes cost tokens from the bucket of the request's client address (config
 * patient_writes_per_hour and patient_write_burst).  False after replying 429 with
 * Retry-After.  True, taking nothing, when the limit is off (0 per hour) or its owner
 * was not started.  A route marked ROUTE_PATIENT_WRITE takes one before its handler
 * runs (routes.c); a handler takes only what a write costs beyond that (a plan's
 * further sessions). */
bool patient_rate(struct req *r, long cost);
/* Takes cost tokens from rl's bucket of the request's client address: 0 when it had
 * them, else the seconds to wait (nothing taken).  For limits of their own. */
long client_rate_wait(struct ratelimit *rl, struct req *r, double cost);

extern const struct owner patient_rate_owner;

#include "util/banned.h"
#endif
