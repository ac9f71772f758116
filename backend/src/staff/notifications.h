/* The clinic's undelivered mail, as its staff read it: the query of the list. */
#ifndef CLINICD_STAFF_NOTIFICATIONS_H
#define CLINICD_STAFF_NOTIFICATIONS_H

#include "api/common.h"
#include "domain/cursor.h"

/* ?status=failed|pending (failed by default), ?limit= and ?cursor= (one of this
 * status's list). */
struct notifications_query {
    const char *status;
    long limit;
    bool has_cursor;
    struct cursor after;
};
/* Reads the query of in->r; false when a problem was recorded. */
bool notifications_query_parse(struct input *in, struct notifications_query *q);

#include "util/banned.h"
#endif
