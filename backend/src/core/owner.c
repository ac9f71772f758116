/* The registry of the serving process's long-lived parts. */
#include "core/owner.h"

#include <stddef.h>

#include "util/log.h"

static const struct owner *owners[OWNERS_MAX];
static size_t nowners, nstarted;

void owners_add(const struct owner *o)
{
    if (nowners < OWNERS_MAX)
        owners[nowners++] = o;
    else
        log_error("owners: more than %d long-lived parts; %s not added", OWNERS_MAX, o->name);
}

bool owners_start(void)
{
    for (nstarted = 0; nstarted < nowners; nstarted++) {
        const struct owner *o = owners[nstarted];
        if (o->start && !o->start()) {
            log_error("could not start %s", o->name);
            owners_stop();
            return false;
        }
    }
    return true;
}

void owners_stop(void)
{
    while (nstarted > 0) {
        const struct owner *o = owners[--nstarted];
        if (o->stop)
            o->stop();
    }
}

void owners_stats(struct buf *out)
{
    for (size_t i = 0; i < nowners; i++)
        if (owners[i]->stats)
            owners[i]->stats(out);
}

const char *owners_not_ready(void)
{
    for (size_t i = 0; i < nstarted; i++) {
        const char *why = owners[i]->not_ready ? owners[i]->not_ready() : NULL;
        if (why)
            return why;
    }
    return NULL;
}

void owners_clear(void)
{
    nowners = nstarted = 0;
}
