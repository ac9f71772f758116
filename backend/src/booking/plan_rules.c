/* The rules of a treatment plan that need no database (booking/plan_rules.h). */
#include "booking/plan_rules.h"

#include <stdio.h>
#include <string.h>

#include "domain/booking_policy.h"

static const struct {
    const char *code, *text;
} reasons[] = {
    [PR_NONE] = {"", ""},
    [PR_TIME_OFF] = {"time_off", "the practitioner is away (time off)"},
    [PR_PAST_HORIZON] = {"past_horizon", "further ahead than the clinic takes bookings"},
    [PR_INSIDE_NOTICE] = {"inside_notice", "too soon to book online"},
    [PR_OUTSIDE_HOURS] = {"outside_hours", "the practitioner does not work at that time"},
    [PR_TAKEN] = {"taken", "someone else has that time"},
    [PR_NO_FREE_NEAR] = {"no_free_time_near", "no free time within 3 days of that date"},
    [PR_CLOCK_CHANGE] = {"clock_change", "that time does not exist on that day (clocks change)"},
    [PR_RESCHEDULED] = {"rescheduled", "moved after it was booked"},
    [PR_FLARE] = {"flare", "moved for a flare"},
};

const char *plan_reason_code(enum plan_reason r)
{
    return (size_t)r < sizeof(reasons) / sizeof(reasons[0]) ? reasons[r].code : "";
}

enum plan_reason plan_reason_parse(const char *code)
{
    for (size_t i = 1; code && i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (strcmp(reasons[i].code, code) == 0)
            return (enum plan_reason)i;
    return PR_NONE;
}

const char *plan_reason_text(enum plan_reason r)
{
    return (size_t)r < sizeof(reasons) / sizeof(reasons[0]) ? reasons[r].text : "";
}

static bool overlaps(const struct interval *v, size_t n, struct interval b)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].start < b.end && b.start < v[i].end)
            return true;
    return false;
}

enum plan_reason plan_reason_of(const struct schedule *s, int64_t start, bool exists)
{
    if (!exists)
        return PR_CLOCK_CHANGE;
    switch (booking_start_rule(s->now, s->min_notice_min, s->horizon_days, start)) {
    case START_HORIZON:
        return PR_PAST_HORIZON;
    case START_NOTICE:
    case START_PAST:
        return PR_INSIDE_NOTICE;
    default:
        break;
    }
    struct interval b = slots_blocked(start, start + (int64_t)s->duration_min * 60,
                                      s->buffer_before_min, s->buffer_after_min);
    struct interval d = {start, start + (int64_t)s->duration_min * 60};
    if (overlaps(s->off, s->noff, d))
        return PR_TIME_OFF;
    if (overlaps(s->busy, s->nbusy, b))
        return PR_TAKEN;
    return PR_OUTSIDE_HOURS;
}

int plan_weekly_dates(int64_t anchor, const struct tz *z, int every_weeks, int count,
                      bool with_anchor, struct recurrence_date *out)
{
    if (count < 1 || every_weeks < 1 || every_weeks > 12)
        return -1;
    int want = count + (with_anchor ? 0 : 1);
    if (want > RECURRENCE_MAX)
        return -1;
    char rule[80], why[200];
    snprintf(rule, sizeof(rule), "FREQ=WEEKLY;INTERVAL=%d;COUNT=%d", every_weeks, want);
    struct recurrence_date all[RECURRENCE_MAX];
    int n = recurrence_expand(rule, anchor, z, all, why, sizeof(why));
    if (n != want)
        return -1;
    int skip = with_anchor ? 0 : 1;
    for (int i = 0; i < count; i++)
        out[i] = all[i + skip];
    return count;
}

void plan_progress(const char *const *statuses, size_t n, int *done, int *total)
{
    *done = *total = 0;
    for (size_t i = 0; i < n; i++) {
        const char *st = statuses[i];
        if (strcmp(st, "completed") == 0)
            ++*done;
        if (strcmp(st, "booked") == 0 || strcmp(st, "completed") == 0 ||
            strcmp(st, "no_show") == 0)
            ++*total;
    }
}

bool plan_session_changeable(const char *status, int64_t now, int64_t start, int notice_hours)
{
    return strcmp(status, "booked") == 0 && booking_cancellable(now, start, notice_hours);
}
