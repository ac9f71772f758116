/* The open future bookings a change to a clinic's directory would leave without a
 * practitioner or a place: counted and listed (the caller refuses the change), or
 * cancelled as staff cancel them, with the patients told and an audit row. */
#ifndef CLINICD_STORE_OPEN_BOOKINGS_H
#define CLINICD_STORE_OPEN_BOOKINGS_H

#include <stdbool.h>

#include "db/session.h"
#include "store/audit.h"

#define OPEN_BOOKINGS_LISTED 200 /* in a 409 naming the bookings in the way */

/* Which bookings: those of practitioner, those at location, those at none of the
 * locations in keep (a JSON array of ids); each NULL for any. */
struct open_bookings_of {
    const char *clinic_id, *practitioner_id, *location_id, *keep;
};

/* What was found: count, and the first OPEN_BOOKINGS_LISTED as a JSON array text of
 * {id, start, end} (malloc'd; open_bookings_release frees it). */
struct open_bookings {
    int count;
    char *listed;
};
void open_bookings_release(struct open_bookings *o);

/* Inside the caller's transaction.  Without cancel: counts and lists them, and
 * returns DB_CONFLICT when there are any (the caller's transaction rolls back; the
 * caller tells the conflict from a constraint's by out->count).  With cancel: cancels
 * them as staff with reason, queues one booking_cancelled notification each, and
 * appends e (its detail replaced by {bookings: ids, reason}) when there were any.
 * out is rewritten on every call (a retried transaction starts afresh). */
enum db_status store_open_bookings_settle(struct db_session *s, const struct open_bookings_of *of,
                                          bool cancel, const char *reason, struct audit_entry *e,
                                          struct open_bookings *out);

/* Deactivating a location or a practitioner: one transaction that locks the row
 * (lock: $1 clinic, $2 id, returning whether it is active), and when it is active
 * settles its open bookings (as store_open_bookings_settle, appending cancelled when
 * there were any to cancel), deactivates it (deactivate: $1 id) and appends
 * deactivated.  DB_NOT_FOUND when there is no such row; DB_CONFLICT with open.count
 * when bookings are in the way and cancel is false.  The row is of's location, or
 * else its practitioner; store_deactivate fills the first four members from its
 * arguments, the caller the rest. */
struct deactivation {
    struct db_stmt *lock, *deactivate;
    struct open_bookings_of of;
    const char *id; /* of's location_id, or else its practitioner_id */
    bool cancel;
    const char *reason;
    struct audit_entry *cancelled, *deactivated;
    bool was_active;           /* out */
    struct open_bookings open; /* out: the caller releases it */
};
enum db_status store_deactivate(struct db_session *s, struct db_stmt *lock,
                                struct db_stmt *deactivate, const struct open_bookings_of *of,
                                struct deactivation *d);

#include "util/banned.h"
#endif
