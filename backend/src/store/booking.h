/* Bookings in PostgreSQL: a booking read and decoded, book_slot (a patient's booking
 * in one statement, migration 0013), a move, a cancellation, a staff booking, a
 * treatment plan's sessions, a waitlist entry, the Idempotency-Key records and the
 * audit rows these write.  Each write is one unit of work: one statement that is its
 * own transaction, or one db_tx.  Nothing here replies; the outcomes of the domain
 * (a slot taken, a limit reached) come back in the output structs with DB_OK. */
#ifndef CLINICD_STORE_BOOKING_H
#define CLINICD_STORE_BOOKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/session.h"
#include "domain/recurrence.h"
#include "domain/tz.h"

/* A loaded booking.  The strings point into text, which booking_row_release frees;
 * series_id, patient_phone, notes, postcode and cancel_reason may be NULL. */
struct booking_row {
    const char *token_hash, *status, *tz, *clinic_id, *practitioner_id, *service_id,
        *series_id, *patient_name, *patient_email, *patient_phone, *notes,
        *practitioner_name, *service_name, *price, *currency, *location_id, *location_name,
        *address, *city, *postcode, *clinic_name, *cancel_reason;
    int64_t start, end, notice_hours, minutes, now, reschedule_count;
    char *text;
};

/* Booking id with everything the handlers need (any clinic: the caller checks
 * access).  DB_NOT_FOUND when there is none. */
enum db_status store_booking_get(struct db_session *s, const char *id, struct booking_row *out);
void booking_row_release(struct booking_row *b);

/* Who wrote an audit row: actor_type ("patient", "staff", "api_key"), and for staff
 * their id, e-mail and role (NULL otherwise). */
struct booking_actor {
    const char *type, *id, *email, *role;
};

/* A booking about to be written (book_slot's parameters from p_id on). */
struct booking_new {
    char id[40];                 /* a new UUID (booking_new_id) */
    const char *clinic_id, *practitioner_id, *service_id, *location_id;
    const char *series_id;       /* or NULL */
    int64_t start, end, blocked_start, blocked_end;
    const char *name, *email, *phone, *notes, *token_hash, *created_by;
    const char *confirmation;    /* the booking_confirmed payload (JSON text), or NULL */
};

/* Fills b->id with a new random (version 4) UUID, the kind gen_random_uuid() makes:
 * bookings are named here so that the answer, which holds the id, can be sealed for
 * Idempotency-Key before the one statement that writes both. */
void booking_new_id(struct booking_new *b);

/* What a patient's booking takes besides the booking: the Idempotency-Key's scope,
 * key and sealed answer (NULL without a key), the per-contact limit, and the schedule
 * revision it was decided on (-1: read in the database, nothing to compare). */
struct booking_guard {
    const char *idem_scope, *idem_key, *idem_hash_hex, *idem_sealed_hex;
    int max_open;
    int64_t revision;
    const char *request_id; /* book_slot writes the audit row */
};

/* A stored Idempotency-Key record: the request's hash, the status and the sealed
 * answer, as bytea hex output and text (malloc'd; idem_record_release frees). */
struct idem_record {
    char *hash, *status, *sealed;
};
void idem_record_release(struct idem_record *rec);

enum booking_outcome {
    BOOKING_BOOKED,
    BOOKING_TAKEN,  /* the exclusion constraint refused it: someone else was faster */
    BOOKING_REPLAY, /* a request with the same key finished first: its record is in replay */
    BOOKING_STALE,  /* the schedule's revision changed since it was read: nothing written */
    BOOKING_LIMIT,  /* the contact holds the most open bookings the clinic allows */
    BOOKING_NOT_OPEN, /* (moves, cancellations) the booking is not open any more */
};

struct booking_result {
    enum booking_outcome outcome;
    struct idem_record replay; /* for BOOKING_REPLAY; release with idem_record_release */
};

/* A patient's booking: book_slot, one statement that is its own transaction (the
 * locks, the key's record, the revision, the limit, the booking, its confirmation,
 * the key's answer and the audit row), run again on a serialization failure. */
enum db_status store_booking_book(struct db_session *s, const struct booking_new *b,
                                  const struct booking_guard *g, struct booking_result *out);

/* Inside a transaction that holds the practitioner's lock: book_slot without locks,
 * key, limit or audit row.  BOOKING_TAKEN when refused by the exclusion constraint
 * (the transaction is then aborted: roll back, or to a savepoint). */
enum db_status store_booking_insert(struct db_session *s, const struct booking_new *b,
                                    enum booking_outcome *out);

/* A staff booking: one db_tx that takes the practitioner's lock, writes the booking
 * (with its confirmation) and the audit row.  BOOKING_TAKEN when it is not free. */
enum db_status store_booking_staff_create(struct db_session *s, const struct booking_new *b,
                                          const struct booking_actor *actor,
                                          const char *request_id, enum booking_outcome *out);

/* Time a cancellation or move frees: waitlist_offer_freed's start, length and the
 * start in the booking's zone (when). */
struct booking_freed {
    int64_t start, end;
    char when[40];
};
/* f for [start, end) in zone z (NULL: UTC). */
void booking_freed_init(struct booking_freed *f, int64_t start, int64_t end, const struct tz *z);

/* A move (booking_move, migration 0013): one statement under the practitioner's lock
 * that moves booking id to [start, end) at location_id (blocking
 * [blocked_start, blocked_end)), writes its notification (notice: JSON text), offers
 * the freed time and writes the audit row.  BOOKING_TAKEN: the new time is not free;
 * BOOKING_NOT_OPEN: it was cancelled meanwhile. */
struct booking_move {
    const char *id, *practitioner_id, *location_id, *notice, *request_id;
    int64_t start, end, blocked_start, blocked_end;
    struct booking_freed freed;
};
enum db_status store_booking_move(struct db_session *s, const struct booking_move *m,
                                  enum booking_outcome *out);

/* A cancellation of loaded booking b by by ("patient", "staff") for reason (may be
 * NULL), with rest_of_series the later open bookings of its series too: one db_tx
 * (booking_cancel, the rest with their notifications and waitlist offers, the audit
 * row naming every booking cancelled).  BOOKING_NOT_OPEN when it is not open. */
struct booking_cancel {
    const char *id, *by, *reason, *notice, *request_id;
    bool rest_of_series;
    const struct booking_row *row;
    const struct tz *z;
    struct booking_actor actor;
};
/* The ids cancelled (malloc'd; the caller frees ids). */
struct booking_cancelled {
    enum booking_outcome outcome;
    char (*ids)[40];
    size_t n;
};
enum db_status store_booking_cancel(struct db_session *s, const struct booking_cancel *c,
                                    struct booking_cancelled *out);

/* Staff mark a started booking completed or no_show, with its audit row: one db_tx.
 * BOOKING_NOT_OPEN when it cannot be marked (cancelled, or not started yet). */
enum db_status store_booking_mark(struct db_session *s, const char *id, const char *status,
                                  const char *clinic_id, const struct booking_actor *actor,
                                  const char *request_id, enum booking_outcome *out);

/* An audit row on its own (a read of patient data). */
enum db_status store_booking_audit(struct db_session *s, const struct booking_actor *actor,
                                   const char *clinic_id, const char *action,
                                   const char *resource_type, const char *resource_id,
                                   const char *request_id);

/* A treatment plan: its dates planned (booking set when it gets a session), and what
 * the unit of work needs to write them. */
struct series_session {
    bool planned;            /* a slot is chosen: book it */
    struct booking_new b;    /* when planned; b.id set */
    bool booked;             /* out: written */
};
struct plan_unbookable;
struct series_answer {
    char *answer;     /* the 201 body */
    char *payload;    /* the series_confirmed mail's payload */
    char *sealed_hex; /* the answer sealed for the key's record (NULL without a key) */
};
struct series_new {
    const char *clinic_id, *practitioner_id, *service_id, *rrule, *mode, *token_hash;
    const char *email, *idem_key, *idem_hash_hex, *request_id;
    bool strict;             /* on_conflict fail: one date taken refuses all */
    int max_open;
    struct series_session *sessions;
    int n;
    /* Makes the answer once the sessions are written (sessions[i].booked says which),
     * inside the transaction (maybe more than once): all three malloc'd. */
    void (*answer)(void *arg, const char *series_id, struct series_answer *out);
    void *answer_arg;
    /* the dates not booked and why, as answer left them (*nunbookable of them), and
     * the plan's weekly cadence (0: none): recorded with the plan (store/plans.h) */
    const struct plan_unbookable *unbookable;
    const size_t *nunbookable;
    int every_weeks;
};
enum series_outcome {
    SERIES_CREATED,
    SERIES_REPLAY,  /* the key's record: in replay */
    SERIES_LIMIT,
    SERIES_TAKEN,   /* strict, and a date was just taken */
    SERIES_NONE,    /* every date was taken meanwhile */
};
struct series_result {
    enum series_outcome outcome;
    char id[40];
    char *answer;              /* SERIES_CREATED: the answer (caller frees) */
    struct idem_record replay; /* SERIES_REPLAY */
};
/* One db_tx: the locks (key, contact, practitioner), the key's record, the limit,
 * the series, each session (under a savepoint unless strict), the mail, the key's
 * answer and the audit row. */
enum db_status store_series_create(struct db_session *s, struct series_new *in,
                                   struct series_result *out);

/* A waitlist entry (waitlist_join, migration 0013): one statement. */
struct waitlist_new {
    const char *clinic_id, *practitioner_id, *service_id, *name, *email, *phone, *token_hash,
        *request_id;
    int64_t from, to;
    int max_waiting;
};
/* *limited: the contact waits for as many times as the clinic allows.  id: 40 bytes. */
enum db_status store_waitlist_join(struct db_session *s, const struct waitlist_new *w,
                                   bool *limited, char *id);

/* The advisory locks that serialize bookings, taken inside an open transaction in the
 * order book_slot takes them: the practitioner's only (the strand check of hours and
 * time off). */
enum db_status store_booking_lock_practitioner(struct db_session *s, const char *practitioner_id);

/* The contact lock key of email at clinic (waitlist_join takes it): by contact key, so
 * that every spelling of one person's address takes the same lock. */
#define BOOKING_CONTACT_LOCK_MAX 400
void booking_contact_lock(const char *clinic_id, const char *email, char *out, size_t outlen);

/* The Idempotency-Key record of key in scope; DB_NOT_FOUND when there is none. */
enum db_status store_idem_get(struct db_session *s, const char *scope, const char *key,
                              struct idem_record *out);

#include "util/banned.h"
#endif
