/* A change to a practitioner's hours or time off, run so that it strands no booking
 * by surprise: in one transaction, under the practitioner's booking lock, it notes
 * which open future bookings the schedule allowed, makes the change, and finds those
 * it puts outside the schedule.  Those are refused (nothing changes) unless the
 * caller asked to cancel them (the patients are told).  Bookings that were outside
 * already (moved there by hand, say) are not the change's to settle. */
#ifndef CLINICD_STAFF_SCHEDULE_CHANGE_H
#define CLINICD_STAFF_SCHEDULE_CHANGE_H

#include <jansson.h>
#include <stdbool.h>

#include "db/session.h"
#include "http/request.h"
#include "api/access.h"

struct schedule_change {
    /* what the caller fills in */
    const struct auth *a;
    const char *clinic_id, *practitioner_id;
    bool frees_only;            /* the change only frees time (no lock, no check) */
    bool cancel;                /* cancel what the change strands instead of refusing */
    const char *why;            /* the cancellation reason the patients are told */
    enum db_status (*apply)(struct db_session *s, void *ctx); /* the change itself */
    void *ctx;
    const char *action, *resource_type; /* the audit row of the change */
    const char *resource_id;    /* read after apply (it may point into ctx) */
    json_t *detail;             /* of the audit row; owned by the change, may be NULL */
    /* what schedule_change_run tells */
    json_t *stranded;           /* with DB_CONFLICT: [{id, start, end}] it would strand */
};

/* Runs the change, its settling and its audit rows as one unit of work on r's
 * session (db_tx: retried on a serialization failure or deadlock, so apply may run
 * more than once), then the directory index follows at once.  Replies nothing.
 * DB_OK when committed; DB_CONFLICT with c->stranded when it would strand bookings
 * and c->cancel is false; another status when something failed.  Nothing is left
 * open. */
enum db_status schedule_change_run(struct req *r, struct schedule_change *c);

/* The one reply for a change that did not come to DB_OK: 409 strands-bookings
 * listing them, else reply_failure. */
void schedule_change_reply_failure(struct req *r, const struct schedule_change *c,
                                   enum db_status st);

/* Frees what the change holds (detail, stranded). */
void schedule_change_release(struct schedule_change *c);

#include "util/banned.h"
#endif
