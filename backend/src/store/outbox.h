/* The notification outbox's transitions, as the worker (cli/worker.c) makes them on
 * its own connection: claim due rows under a lease token, refresh the lease and count
 * the attempt right before a transfer, record the outcome, give rows back, and reap
 * leases that ran out.  Every update of a held row is by token, so a row another
 * worker took over is left alone.
 *
 * ids arguments are uuid[] literals ("{id,id}"); token is a uuid.  Each function
 * returns DB_OK or why it failed (d->message holds PostgreSQL's text). */
#ifndef CLINICD_STORE_OUTBOX_H
#define CLINICD_STORE_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "db/direct.h"

#define OUTBOX_ID_MAX 40

/* Reminders for sessions starting within the next hours (the clinic's reminder_hours,
 * else hours), once each. */
enum db_status store_outbox_schedule_reminders(struct db_direct *d, long hours);
/* The plans' "this week" mails (kind week_ahead) due at now (an RFC 3339 time; NULL:
 * the database's clock): Monday from each clinic's week_mail_hour at each location,
 * local time; once per plan and ISO week.  The payload's week_from and week_to
 * (Unix seconds) bound the sessions the mail lists. */
enum db_status store_outbox_schedule_week(struct db_direct *d, const char *now);

/* Leases that ran out go back to the queue with their attempts kept (failed when
 * max_attempts were used); how many into *reaped. */
enum db_status store_outbox_reap(struct db_direct *d, int max_attempts, int *reaped);

/* Claims up to 10 due rows (FOR UPDATE SKIP LOCKED) under token for lease_s seconds;
 * how many into *claimed. */
enum db_status store_outbox_claim(struct db_direct *d, const char *token, long lease_s,
                                  int *claimed);
/* Claims up to limit more due rows of one person under the same token (to be folded). */
enum db_status store_outbox_gather(struct db_direct *d, const char *token, long lease_s,
                                   const char *person, long limit);

/* The rows token holds, oldest first: who each is for (the contact key, or the
 * address without case) and the address without case.  Strings are malloc'd:
 * outbox_held_release frees them. */
struct outbox_held_row {
    char id[OUTBOX_ID_MAX];
    char *person;
    char *addr;
};
struct outbox_held {
    int n;
    struct outbox_held_row *rows;
};
enum db_status store_outbox_held(struct db_direct *d, const char *token, struct outbox_held *out);
void outbox_held_release(struct outbox_held *h);

/* Mails sent to person in the last hour (a folded mail counts once) and, when there
 * is one, the seconds until the oldest leaves the hour. */
struct outbox_budget {
    long sent;
    bool has_wait;
    long wait_s;
};
enum db_status store_outbox_budget(struct db_direct *d, const char *person,
                                   struct outbox_budget *out);
/* The person's rows that token holds go back to the queue, due no sooner than
 * delay_s from now, with why as their last error. */
enum db_status store_outbox_defer(struct db_direct *d, const char *token, const char *person,
                                  long delay_s, const char *why);

/* One worker at a time per person: a session advisory lock (*locked false when
 * another holds it), and its release. */
enum db_status store_outbox_lock_person(struct db_direct *d, const char *person, bool *locked);
enum db_status store_outbox_unlock_person(struct db_direct *d, const char *person);

/* Right before a transfer: of ids, the rows token still holds have their lease
 * extended by lease_s and their attempt counted; those rows and their attempts. */
struct outbox_attempt {
    char id[OUTBOX_ID_MAX];
    int attempts;
};
struct outbox_attempts {
    int n;
    struct outbox_attempt *rows; /* malloc'd: the caller frees it */
};
enum db_status store_outbox_refresh(struct db_direct *d, const char *ids, const char *token,
                                    long lease_s, struct outbox_attempts *out);

/* Right before a transfer, of ids (held by token): the reminders whose booking is no
 * longer booked at the start their snapshot names (cancelled, moved), and the week
 * mails whose plan has no session left in the week, are marked skipped with why (the
 * staff's list shows it) and not sent; their ids into out (attempts unused). */
enum db_status store_outbox_skip_stale(struct db_direct *d, const char *ids, const char *token,
                                       struct outbox_attempts *out);

/* What a notification's mail says, from the snapshot written with the row (the
 * session it is about, the first of a series; its place and people; a series'
 * sessions are in the payload's snapshot.sessions).  DB_NOT_FOUND when the
 * notification is gone or has no snapshot.  Strings are malloc'd ("" for a NULL column, except those said to be NULL):
 * outbox_detail_release frees them. */
struct outbox_detail {
    char *patient_name, *practitioner_name, *service_name, *clinic_name;
    char *clinic_phone;      /* NULL when none */
    char *address, *tz;
    int64_t start, end;      /* epoch seconds */
    int cancel_hours;
    int sequence;            /* the calendar SEQUENCE at the change */
    int64_t stamp;           /* when the change happened (epoch seconds): DTSTAMP */
    char *booking_id;        /* NULL for a waitlist offer */
    char *practitioner_id;   /* the waitlist entry's; NULL for a booking */
    char *country;           /* the location's ISO country code ("" when unknown) */
    char *status;            /* the booking's (or entry's) status after the change */
    char *patient_tz;        /* the patient's own time zone ("" when not given) */
    char *kind, *recipient, *payload, *dedupe_key;
};
enum db_status store_outbox_detail(struct db_direct *d, const char *id, struct outbox_detail *out);
void outbox_detail_release(struct outbox_detail *o);

/* The rows went out as message_id: sent (unless they were already). */
enum db_status store_outbox_record_sent(struct db_direct *d, const char *ids,
                                        const char *message_id);
/* A failed transfer, only while token holds the rows: back to the queue after
 * backoff_s, or failed for good when permanent or max_attempts were used. */
struct outbox_failure {
    const char *error;
    bool permanent;
    int backoff_s;
    int max_attempts;
};
enum db_status store_outbox_record_failure(struct db_direct *d, const char *ids,
                                           const char *token, const struct outbox_failure *f);
/* The rows token holds back to the queue as they were (their attempts not counted
 * again). */
enum db_status store_outbox_release(struct db_direct *d, const char *token);

#include "util/banned.h"
#endif
