/* Pieces of booking shared by single bookings, series and staff bookings. */
#ifndef CLINICD_BOOKINGS_H
#define CLINICD_BOOKINGS_H

#include "api/auth.h"
#include "api/common.h"
#include "cache/schedule_cache.h"

struct patient {
    const char *name, *email, *phone;
};

/* Reads {"name", "email", "phone"?} from body member "patient" into p; problems go to
 * in.  Returns true when valid. */
bool patient_parse(struct input *in, json_t *body, struct patient *p);

enum book_result { BOOK_OK = 0, BOOK_TAKEN = 1, BOOK_REPLIED = -1 };

/* Inside an open transaction, holding booking_lock's locks: inserts a booking of slot
 * with the schedule's service and, unless it belongs to a series, its confirmation
 * notification (with the token sealed in it when token is not NULL and a
 * notification key is set, so the mail can carry the manage link), in one statement.
 * id_out gets the new id (40 bytes).  BOOK_TAKEN when the exclusion constraint
 * refused it (someone else was faster): the transaction is then aborted. */
enum book_result booking_insert(struct req *r, const struct schedule *s, const struct slot *sl,
                                const struct patient *p, const char *notes,
                                const char *series_id, const char *token,
                                const char *token_hash, const char *created_by, char *id_out);

/* Inside an open transaction: takes the transaction-scoped locks that serialize
 * bookings, always in this order: the idempotency key (scope and key, or NULL), the
 * contact at the clinic (by contact key: booking_contact_lock; or NULL), the
 * practitioner (or NULL).  Concurrent bookings
 * of one practitioner then queue instead of deadlocking in the exclusion
 * constraint, and the per-contact count cannot be raced.  (A patient's booking and a
 * move take the same locks, in the same order, inside their one statement: book_slot
 * and booking_move in migrations/0008_booking_fast_path.sql.)  False after replying. */
bool booking_lock(struct req *r, const char *idem_scope, const char *idem_key,
                  const char *clinic_id, const char *email, const char *practitioner_id);

/* The key of the advisory lock on a contact at a clinic (booking_lock's second) in
 * out: by contact key, so that every spelling of one person's address takes the same
 * lock.  BOOKING_CONTACT_LOCK_MAX bytes are enough. */
#define BOOKING_CONTACT_LOCK_MAX 400
void booking_contact_lock(const char *clinic_id, const char *email, char *out, size_t outlen);

/* Inside an open transaction: how many open future bookings the contact holds at the
 * clinic; -1 after replying. */
long booking_open_count(struct req *r, const char *clinic_id, const char *email);

/* Columns of a loaded booking (booking_load). */
enum {
    G_HASH, G_STATUS, G_START, G_END, G_TZ, G_CLINIC, G_PRACT, G_SERVICE, G_SERIES, G_NOTICE,
    G_PNAME, G_PEMAIL, G_PPHONE, G_NOTES, G_PRACT_NAME, G_SERVICE_NAME, G_MINUTES, G_PRICE,
    G_CURRENCY, G_LOC, G_LOC_NAME, G_ADDRESS, G_CITY, G_POSTCODE, G_CLINIC_NAME, G_NOW,
    G_RESCHEDULED, G_REASON
};

/* Loads booking id with everything the handlers need (any clinic: the caller checks
 * access).  NULL when there is none (*found false) or after replying (*found true). */
PGresult *booking_load(struct req *r, const char *id, bool *found);
const char *booking_val(PGresult *res, int col);
int64_t booking_val_i(PGresult *res, int col);
/* The booking as its holder (or staff) sees it, patient details included. */
json_t *booking_json(PGresult *res, const char *id);
/* Cancels a loaded booking (and with rest_of_series the later ones of its series),
 * writes the notifications, offers the freed time to the waitlist, audits (a: staff,
 * NULL: the patient holding it) and replies.  The caller checked the policy. */
void booking_cancel(struct req *r, PGresult *res, const char *id, const char *by,
                    const char *reason, bool rest_of_series, const struct auth *a);

/* A 409 slot-unavailable problem. */
void reply_slot_unavailable(struct req *r, const char *detail);

#include "util/banned.h"
#endif
