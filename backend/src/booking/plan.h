/* A treatment plan as a thing of its own, shared by the files that serve it: reading
 * it (plan_read.c), finding times for new dates (plan_finder.c), a change and its
 * answer with the routes (plan_work.c), the changes of the rest of a plan
 * (plan_changes.c) and a flare (flare.c).  Every function replies at most once; those
 * returning bool return false after replying. */
#ifndef CLINICD_BOOKING_PLAN_H
#define CLINICD_BOOKING_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/handlers.h"
#include "booking/bookings.h"
#include "booking/plan_rules.h"
#include "store/plans.h"

/* How far either side of a date a change looks for the nearest free time. */
#define PLAN_NEAR_WINDOW (3 * 86400)
/* How many times a flare move offers. */
#define FLARE_CHOICES 3

/* --- reading (plan_read.c) --- */

/* The token of "Authorization: Bearer <token>", or NULL. */
const char *plan_bearer_token(struct req *r);
/* Plan {id} (route parameter 0) if the request holds its manage token or a lost link
 * mailed for it: DB_NOT_FOUND for no such plan, no token or another's (one answer, so
 * that a plan's existence is not told). */
enum db_status plan_held(struct req *r, struct plan_row *p);
/* The plan of booking {id} (route parameter 0) if the request holds the booking
 * (booking_held): its plan, or the booking alone as a plan of one (p->id ""). */
enum db_status plan_of_booking_held(struct req *r, struct plan_row *p);
/* t as RFC 3339 in the plan's time zone. */
void plan_format_in(const struct plan_row *p, int64_t t, char *out, size_t n);
/* "please call <clinic> on <phone>" (without the phone when the clinic has none). */
void plan_call_clinic_text(const struct plan_row *p, char *out, size_t cap);
/* The audit row of the holder's read of plan p (a plan of one: of its booking): an
 * access to patient data. */
enum db_status plan_audit_read(struct req *r, const struct plan_row *p);
/* The plan as its holder sees it (a new reference; id null for a plan of one). */
json_t *plan_json(const struct plan_row *p);

/* --- finding times (plan_finder.c) --- */

/* The practitioner's free slots around a plan's new dates, and the times the change
 * already chose.  finder_release frees what it holds. */
struct finder {
    struct schedule s;
    struct slot *slots;
    size_t n;
    struct interval taken[RECURRENCE_MAX];
    size_t ntaken;
};

/* Drops from the busy ranges the session [start, end) that the change moves. */
void finder_forget(struct finder *f, int64_t start, int64_t end);
/* The free slots of [lo, hi). */
void finder_slots(struct finder *f, int64_t lo, int64_t hi);
void finder_release(struct finder *f);

enum pick { PICK_FREE, PICK_MOVED, PICK_NONE };
/* A slot for date d: the exact time, else the nearest free one within 3 days (not
 * overlapping what the change chose); *why: why the date itself is not free. */
enum pick finder_pick(struct finder *f, const struct recurrence_date *d, struct slot *out,
                      enum plan_reason *why);

/* --- a flare (flare.c) --- */

/* Where a flare move's times come from: slots starting at or after from and ending by
 * until (0: no end), that the policy (now, notice, horizon) takes, in zone tz. */
struct flare_window {
    const struct tz *tz;
    int64_t session_start; /* the session moved: its time of day is preferred */
    int64_t from, until;
    int64_t now;
    int min_notice_min, horizon_days;
};
/* The times a flare move offers among slots (free ones, sorted by start), into out (room
 * for FLARE_CHOICES): per local day the slot nearest the session's time of day (the
 * earlier of two as near), the first FLARE_CHOICES days, in time order.  Returns how
 * many. */
size_t flare_pick(const struct flare_window *win, const struct slot *slots, size_t nslots,
                  struct slot *out);

/* --- a change (plan_work.c) --- */

/* What a change is about to do: the store's change, what it owns, and each line of
 * the answer (changes). */
struct work {
    struct plan_row *p;
    struct finder f;
    struct booking_row who; /* a session of the plan: the patient's details */
    struct plan_change c;
    const char *cancel[PLAN_SESSIONS_MAX];
    struct plan_move moves[RECURRENCE_MAX];
    struct booking_new add[RECURRENCE_MAX];
    struct plan_unbookable unbookable[RECURRENCE_MAX]; /* and the sessions moved */
    char moved_ids[RECURRENCE_MAX][40];                /* theirs (booking_id's text) */
    char rrule[64]; /* a plan of one growing into a plan: its rule */
    json_t *changes;
    json_t *add_line[RECURRENCE_MAX]; /* the line of changes of add[k] (borrowed) */
    json_t *choices; /* a flare move: the times it offered (owned; NULL: none) */
    char token_hash[80];
};

/* One line of a change's answer: session number (0: none), status, the times (end
 * <= start: none) and why (PR_NONE: nothing said).  A new reference. */
json_t *plan_change_line(const struct plan_row *p, int number, const char *status,
                         int64_t start, int64_t end, enum plan_reason why);
/* A new session at slot sl into w->add. */
void work_add(struct work *w, const struct slot *sl);
/* The dates d[0..n) a change made of the want it asked for: the schedule read around
 * them, within the clinic's horizon (else 422 naming field). */
bool work_dates_ready(struct req *r, struct work *w, const struct recurrence_date *d, int n,
                      int want, const char *field);

/* --- the changes (plan_changes.c, flare.c): each fills w from body --- */

bool plan_cancel_rest(struct req *r, struct work *w, json_t *body);
bool plan_add(struct req *r, struct work *w, json_t *body);
bool plan_cadence(struct req *r, struct work *w, json_t *body);
bool plan_flare(struct req *r, struct work *w, json_t *body);

#include "util/banned.h"
#endif
