/* Liveness, readiness and the Prometheus metrics page. */
#include "api/handlers.h"

#include <stdlib.h>
#include <string.h>

#include "api/outcome.h"
#include "core/app.h"
#include "core/owner.h"
#include "http/metrics.h"
#include "http/reply.h"

void health_live(struct req *r)
{
    reply_text(r, 200, "application/json", "{\"status\":\"ok\"}", 15);
}

/* A fault of the database met by a request (a DB_FAULT reply_failure answered: disk
 * full, read-only, out of connections, ...) keeps readiness at 503 this long after it
 * was last met: there is no cheap way to ask PostgreSQL whether its disk is full, so
 * readiness tells what the last writes found, for long enough that a balancer polling
 * every few seconds sees it, and recovers on its own this long after the fault stops
 * showing. */
#define FAULT_MEMORY_MS 10000

static const struct {
    const char *reason, *detail, *retry_after;
} ready_reasons[] = {
    {"unreachable", "The service cannot reach its database.", "2"},
    {"busy", "All database connections are busy.", "2"},
    {"too-many-connections", "The database has no connection to spare (too many connections).", "5"},
    {"cannot-connect-now", "The database is starting up or shutting down.", "5"},
    {"read-only", "The database is read-only (a standby, or a failover under way): no booking can be made.", "10"},
    {"disk-full", "The database has run out of disk space: no booking can be made.", "30"},
    {"out-of-memory", "The database ran out of memory.", "10"},
    {"insufficient-resources", "The database lacks resources (a limit was reached).", "10"},
    {"io-error", "The database could not read or write its files.", "10"},
    {"system-error", "The database met a system error.", "10"},
};

void health_ready(struct req *r)
{
    if (atomic_load(&app.draining)) {
        reply_unavailable(r, "The service is shutting down.");
        return;
    }
    /* first what the database says now, then what requests met lately */
    const char *why = db_pool_check(app.pool);
    if (!why)
        why = db_pool_recent_fault(app.pool, FAULT_MEMORY_MS);
    if (why) {
        const char *detail = "The database cannot serve.", *retry = "5";
        for (size_t i = 0; i < sizeof(ready_reasons) / sizeof(ready_reasons[0]); i++)
            if (strcmp(ready_reasons[i].reason, why) == 0) {
                detail = ready_reasons[i].detail;
                retry = ready_reasons[i].retry_after;
            }
        reply_fault(r, why, detail, retry);
        return;
    }
    const char *not_ready = owners_not_ready();
    if (not_ready) {
        reply_unavailable(r, not_ready);
        return;
    }
    reply_text(r, 200, "application/json", "{\"status\":\"ready\"}", 18);
}

void health_metrics(struct req *r)
{
    struct buf b;
    buf_init(&b, 0);
    metrics_render(&b, app.pool, atomic_load(&app.in_flight), atomic_load(&app.draining));
    owners_stats(&b);
    size_t len;
    char *data = buf_detach(&b, &len);
    reply_owned(r, 200, "text/plain; version=0.0.4; charset=utf-8", data, len);
}
