/* Treatment plans in PostgreSQL: a plan read with every session (its bookings and the
 * dates it could not book, with the reason), the dates recorded when a plan is made,
 * and a change of a plan (cancel the rest, sessions added, a new cadence) written in
 * one db_tx under the plan's revision, so that of two changes at once one wins. */
#ifndef CLINICD_STORE_PLANS_H
#define CLINICD_STORE_PLANS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/session.h"
#include "store/booking.h"

#define PLAN_SESSIONS_MAX 104

/* One session of a plan: a booking (id set) or a date it could not book (id "",
 * status "unbookable", reason its code). */
struct plan_session {
    char id[40];
    char status[16];
    char reason[24];
    char location_id[40];
    int64_t start, end;
    int reschedule_count;
    bool flare;
    int64_t asked;        /* a booking not at the time first asked for: that time (0: none) */
    char asked_reason[24]; /* and why (a reason code: booking/plan_rules.h) */
};

/* A plan as loaded.  token_hash is the bytea's hex text (token_matches).  A single
 * booking read as a plan of one has id "" and booking_id set (rrule "", revision and
 * every_weeks 0, flare_used its own flare) until a change makes it a plan. */
struct plan_row {
    char id[40], clinic_id[40], practitioner_id[40], service_id[40];
    char booking_id[40];
    char token_hash[80];
    char rrule[512];
    char tz[64];
    char clinic_name[208], clinic_phone[48], practitioner_name[208], service_name[208];
    int revision, every_weeks; /* every_weeks 0: none recorded */
    int notice_hours, flare_allowed, flare_used, duration_min;
    int64_t now;
    struct plan_session sessions[PLAN_SESSIONS_MAX];
    size_t n;
};

/* Plan id with its sessions in time order; DB_NOT_FOUND when there is none. */
enum db_status store_plan_get(struct db_session *s, const char *id, struct plan_row *out);
/* Booking booking_id, not of a plan, as a plan of one; DB_NOT_FOUND when there is no
 * such booking or it belongs to a plan. */
enum db_status store_plan_of_one_get(struct db_session *s, const char *booking_id,
                                     struct plan_row *out);

/* Inside the plan's creating transaction: the dates it could not book (n of them),
 * and the sessions it booked at another time than asked (booking_id set: the session
 * is shown as moved, with the time asked for and why). */
struct plan_unbookable {
    int64_t requested;
    const char *reason;     /* a reason code (booking/plan_rules.h) */
    const char *booking_id; /* NULL: a date not booked; else the session booked instead */
};
enum db_status store_plan_record_unbookable(struct db_session *s, const char *series_id,
                                            const struct plan_unbookable *u, size_t n);
/* Inside the same transaction: the plan's weekly cadence (every_weeks 1..12). */
enum db_status store_plan_set_cadence(struct db_session *s, const char *series_id,
                                      int every_weeks);

/* A booking of the plan moved to [start, end) blocking [blocked_start, blocked_end). */
struct plan_move {
    const char *id, *location_id;
    int64_t old_start, old_end, start, end, blocked_start, blocked_end;
};

/* A change of a plan: cancellations (of open sessions), moves, new sessions, dates
 * that could not be had, all in one transaction. */
struct plan_change {
    const struct plan_row *plan;
    const char *kind;     /* the notification's kind (series_cancelled, ...) */
    const char *action;   /* the audit row's action */
    const char *payload;  /* the notification's payload (JSON text) */
    const char *clinic_payload; /* a flare's notice to the clinic (no manage link) */
    const char *request_id;
    const char *const *cancel;   /* booking ids */
    const char *cancel_reason;   /* their cancel_reason (NULL: "cancelled with the plan") */
    size_t ncancel;
    const struct plan_move *moves;
    size_t nmoves;
    struct booking_new *add;     /* series_id set by the caller */
    size_t nadd;
    const struct plan_unbookable *unbookable;
    size_t nunbookable;
    int64_t drop_unbookable_from; /* unbookable dates at or after this go (0: none) */
    int every_weeks;              /* >0: the plan's cadence from now on */
    const char *email;            /* the plan's contact (the limit, the mail) */
    int max_open;                 /* the clinic's per-contact limit, for additions */
    bool flare;                   /* a flare: its sessions marked, one more of the plan's
                                     allowance used, the clinic's administrators told */
    const char *grow_rrule;       /* a plan of one (plan->booking_id) made a plan first,
                                     named plan->id, with this rule; NULL: a plan already */
};

enum plan_outcome {
    PLAN_DONE,
    PLAN_CHANGED, /* the plan changed since it was read (another change won): nothing written */
    PLAN_TAKEN,   /* a time was taken meanwhile (the exclusion constraint): nothing written */
    PLAN_LIMIT,   /* the contact would hold more open bookings than the clinic allows */
};

/* The change under the contact's and practitioner's locks, only if the plan's
 * revision is still change->plan->revision (then one more), with one notification
 * (dedupe: kind, plan, new revision) and the audit row naming every booking touched.
 * A plan of one (grow_rrule set) becomes plan->id first, only if its booking is still
 * in no plan (else PLAN_CHANGED). */
enum db_status store_plan_change(struct db_session *s, const struct plan_change *change,
                                 enum plan_outcome *out);

#include "util/banned.h"
#endif
