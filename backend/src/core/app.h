/* Process-wide state shared by the server and the handlers. */
#ifndef CLINICD_APP_H
#define CLINICD_APP_H

#include <stdatomic.h>
#include <stdbool.h>

#include "core/config.h"
#include "db/pool.h"

struct app {
    const struct config *cfg;
    struct db_pool *pool;
    atomic_bool draining;  /* SIGTERM received: readiness says 503 */
    atomic_long in_flight; /* requests started and not yet completed */
};

extern struct app app;

#include "util/banned.h"
#endif
