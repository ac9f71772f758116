/* Request counters and latency histograms per route, rendered in Prometheus text format. */
#ifndef CLINICD_METRICS_H
#define CLINICD_METRICS_H

#include <stddef.h>

#include "db/pool.h"
#include "util/buf.h"

/* Sets up counters for nroutes routes (index nroutes counts unmatched requests). */
void metrics_init(size_t nroutes);
void metrics_free(void);
/* Counts one finished request; lock-free. */
void metrics_observe(size_t route_index, int status, double seconds);
/* Appends the exposition text; pool may be NULL. */
void metrics_render(struct buf *out, struct db_pool *pool, long in_flight, int draining);

#include "util/banned.h"
#endif
