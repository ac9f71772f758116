/* The long-lived parts of the serving process (the directory index keeper, the caches,
 * the rate limits, the worker pools): each has one owner that starts it, stops it and
 * reports on it.  main.c adds them in order; readiness, /metrics and shutdown loop over
 * them instead of naming each. */
#ifndef CLINICD_CORE_OWNER_H
#define CLINICD_CORE_OWNER_H

#include <stdbool.h>

struct buf;

struct owner {
    const char *name;
    bool (*start)(void);            /* NULL: nothing to start; false: could not start */
    void (*stop)(void);             /* stops its threads, frees what it holds; NULL: nothing */
    void (*stats)(struct buf *out); /* appends its /metrics lines; NULL: none */
    /* NULL when ready; else why not, for readiness ("The directory index is still loading."). */
    const char *(*not_ready)(void);
};

#define OWNERS_MAX 16

/* Adds o (static; not copied) to the parts started by owners_start.  Call before it. */
void owners_add(const struct owner *o);
/* Starts every part in the order added.  When one fails, those started are stopped in
 * reverse order and false is returned (naming the part in the log). */
bool owners_start(void);
/* Stops every started part in reverse order. */
void owners_stop(void);
/* Appends every part's /metrics lines. */
void owners_stats(struct buf *out);
/* Why the first part that is not ready is not, or NULL when all are. */
const char *owners_not_ready(void);
/* Forgets every part (after owners_stop), for tests. */
void owners_clear(void);

#include "util/banned.h"
#endif
