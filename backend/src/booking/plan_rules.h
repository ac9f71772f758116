/* The rules of a treatment plan that need no database: why a date cannot be booked
 * (a reason code and plain words), the weekly dates of a cadence, a plan's progress
 * and which of its sessions the holder may still change online. */
#ifndef CLINICD_BOOKING_PLAN_RULES_H
#define CLINICD_BOOKING_PLAN_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/schedule_cache.h"
#include "domain/recurrence.h"

enum plan_reason {
    PR_NONE,
    PR_TIME_OFF,      /* the practitioner is away */
    PR_PAST_HORIZON,  /* further ahead than the clinic takes bookings */
    PR_INSIDE_NOTICE, /* too soon (the minimum notice) or past */
    PR_OUTSIDE_HOURS, /* not a time the practitioner works (or off the slot grid) */
    PR_TAKEN,         /* someone else has that time */
    PR_NO_FREE_NEAR,  /* taken or closed, and nothing free within 3 days either side */
    PR_CLOCK_CHANGE,  /* that wall-clock time does not exist that day */
    PR_RESCHEDULED,   /* (a session moved) moved after it was booked */
    PR_FLARE,         /* (a session moved) moved for a flare */
};

/* The stored code of a reason ("time_off", ...; "" for PR_NONE), and back (PR_NONE
 * for an unknown code). */
const char *plan_reason_code(enum plan_reason r);
enum plan_reason plan_reason_parse(const char *code);
/* The reason in plain words for the patient. */
const char *plan_reason_text(enum plan_reason r);

/* Why a session of s->duration_min minutes at start (exists: the wall-clock time
 * exists) is not a free slot of s: the policy first (horizon, notice), then time off,
 * then other bookings, else outside hours.  (The caller knows it is not free.) */
enum plan_reason plan_reason_of(const struct schedule *s, int64_t start, bool exists);

/* count dates every_weeks weeks apart at anchor's wall-clock time in z, the first
 * every_weeks after anchor (or anchor itself when with_anchor).  Returns how many
 * (count, at most RECURRENCE_MAX), or -1 for nonsense (count < 1, every_weeks not
 * 1..12). */
int plan_weekly_dates(int64_t anchor, const struct tz *z, int every_weeks, int count,
                      bool with_anchor, struct recurrence_date *out);

/* Progress of a plan from its sessions' statuses: done (completed), total (sessions
 * that are or were to happen: booked, completed, no_show). */
void plan_progress(const char *const *statuses, size_t n, int *done, int *total);

/* Whether a booked session at start may still be changed online at now with
 * notice_hours of notice. */
bool plan_session_changeable(const char *status, int64_t now, int64_t start,
                             int notice_hours);

#include "util/banned.h"
#endif
