/* What /metrics reads from the database: the outbox's gauges. */
#ifndef CLINICD_STORE_METRICS_H
#define CLINICD_STORE_METRICS_H

#include "db/session.h"

struct outbox_gauges {
    long pending, sending, failed;  /* notifications by status */
    double oldest_pending_s;        /* age of the oldest pending one; 0: none */
};

/* Reads the gauges on s (a connection is checked out if none is held).  A failure
 * is not recorded as a fault of the database: the figures are only left as they were. */
enum db_status store_metrics_outbox(struct db_session *s, struct outbox_gauges *out);

#include "util/banned.h"
#endif
