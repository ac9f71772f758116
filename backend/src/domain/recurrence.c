/* A treatment plan's dates from an RFC 5545 RRULE (libical does the expansion). */
#include "domain/recurrence.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>

#include "domain/ics.h"

#define NONE ICAL_RECURRENCE_ARRAY_MAX

/* The subset of RRULE a plan may use; NULL when rec is in it, else why not (fmt may
 * hold one %d: RECURRENCE_MAX). */
static const char *rule_refusal(const struct icalrecurrencetype *rec)
{
    if (rec->freq == ICAL_NO_RECURRENCE)
        return "rrule is not an RFC 5545 recurrence rule, such as FREQ=WEEKLY;INTERVAL=2;COUNT=10";
    if (rec->freq != ICAL_DAILY_RECURRENCE && rec->freq != ICAL_WEEKLY_RECURRENCE &&
        rec->freq != ICAL_MONTHLY_RECURRENCE)
        return "rrule FREQ must be DAILY, WEEKLY or MONTHLY";
    if (rec->by_hour[0] != NONE || rec->by_minute[0] != NONE || rec->by_second[0] != NONE)
        return "rrule may not set BYHOUR, BYMINUTE or BYSECOND: the time of day is the start's";
    /* Parts a treatment plan does not need, and with which libical may search
     * centuries for a date that never comes (BYSETPOS=40, BYMONTH=2;BYMONTHDAY=31). */
    if (rec->by_set_pos[0] != NONE || rec->by_month[0] != NONE || rec->by_year_day[0] != NONE ||
        rec->by_week_no[0] != NONE)
        return "rrule may use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY and WKST only";
    if (rec->by_day[0] != NONE && rec->by_month_day[0] != NONE)
        /* "the fifth Friday that is the 1st" may never come */
        return "rrule may use BYDAY or BYMONTHDAY, not both";
    for (int i = 0; i < ICAL_BY_DAY_SIZE && rec->by_day[i] != NONE; i++) {
        int pos = icalrecurrencetype_day_position(rec->by_day[i]);
        if (pos > 5 || pos < -5 || (pos != 0 && rec->freq != ICAL_MONTHLY_RECURRENCE))
            return "a BYDAY position (2MO: the second Monday) goes with FREQ=MONTHLY and is "
                   "between -5 and 5";
    }
    if (rec->count == 0 && icaltime_is_null_time(rec->until))
        return "rrule needs COUNT or UNTIL (at most %d sessions)";
    if (rec->count > RECURRENCE_MAX)
        return "a series has at most %d sessions";
    return NULL;
}

/* Runs it into out; the count, or -1 past RECURRENCE_MAX. */
static int iterate(icalrecur_iterator *it, const struct tz *z, struct recurrence_date *out)
{
    int n = 0;
    for (struct icaltimetype t = icalrecur_iterator_next(it); !icaltime_is_null_time(t);
         t = icalrecur_iterator_next(it)) {
        if (n == RECURRENCE_MAX)
            return -1;
        int64_t lt = days_from_civil(t.year, (unsigned)t.month, (unsigned)t.day) * 86400 +
                     t.hour * 3600 + t.minute * 60 + t.second;
        int64_t a, b;
        bool exists = tz_local_to_utc(z, lt, &a, &b) > 0;
        int64_t when = exists ? a : lt - tz_offset_at(z, lt);
        if (n > 0 && when <= out[n - 1].requested)
            continue; /* BYDAY=FR,FR: RFC 5545 counts a repeated instance once */
        out[n].exists = exists;
        out[n].requested = when;
        n++;
    }
    return n;
}

int recurrence_expand(const char *rrule, int64_t start, const struct tz *z,
                      struct recurrence_date *out, char *why, size_t why_len)
{
    why[0] = '\0';
    struct icalrecurrencetype rec = icalrecurrencetype_from_string(rrule);
    if (rec.rscale) { /* the caller owns it; calendars other than Gregorian are refused */
        free(rec.rscale);
        rec.rscale = NULL;
        snprintf(why, why_len, "rrule may not use RSCALE: dates are Gregorian");
        return -1;
    }
    const char *refusal = rule_refusal(&rec);
    if (refusal) {
        if (rec.freq == ICAL_NO_RECURRENCE)
            icalerror_clear_errno();
        snprintf(why, why_len, refusal, RECURRENCE_MAX);
        return -1;
    }
    icalrecur_iterator *it = icalrecur_iterator_new(rec, ics_wall_time(start, z));
    if (!it) {
        icalerror_clear_errno();
        snprintf(why, why_len, "rrule cannot be expanded from this start");
        return -1;
    }
    int n = iterate(it, z, out);
    icalrecur_iterator_free(it);
    if (n < 0)
        snprintf(why, why_len, "a series has at most %d sessions", RECURRENCE_MAX);
    return n;
}
