/* Liveness, readiness and the Prometheus metrics page. */
#include "api/handlers.h"

#include <stdlib.h>

#include "app.h"
#include "http/metrics.h"
#include "http/reply.h"

void health_live(struct req *r)
{
    reply_text(r, 200, "application/json", "{\"status\":\"ok\"}", 15);
}

void health_ready(struct req *r)
{
    if (atomic_load(&app.draining)) {
        reply_unavailable(r, "The service is shutting down.");
        return;
    }
    if (!db_pool_ping(app.pool)) {
        reply_unavailable(r, NULL);
        return;
    }
    reply_text(r, 200, "application/json", "{\"status\":\"ready\"}", 18);
}

void health_metrics(struct req *r)
{
    struct buf b;
    buf_init(&b, 0);
    metrics_render(&b, app.pool, atomic_load(&app.in_flight), atomic_load(&app.draining));
    size_t len;
    char *data = buf_detach(&b, &len);
    reply_owned(r, 200, "text/plain; version=0.0.4; charset=utf-8", data, len);
}
