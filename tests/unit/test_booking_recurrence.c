/* Unit tests for domain/recurrence: a treatment plan's dates from an RRULE, in the
 * practitioner's zone (across clock changes), and the rules refused with why. */
#include "unit.h"

#include <time.h>

#include "domain/recurrence.h"
#include "domain/tz.h"

/* A wall-clock time in zone (its first instant). */
static int64_t at(const char *zone, int y, unsigned m, unsigned d, int hh, int mm)
{
    const struct tz *z = tz_get(zone);
    assert_non_null(z);
    int64_t local = days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60, a, b;
    if (tz_local_to_utc(z, local, &a, &b) == 0)
        return local - tz_offset_at(z, local);
    return a;
}

static const struct expand_case {
    const char *name, *zone, *rrule;
    int y;
    unsigned m, d;
    int hh, mm;
    int want_n;             /* -1: refused */
    const char *why_prefix; /* when refused */
    /* up to four dates checked, local y-m-d and whether the time exists */
    struct {
        int y;
        unsigned m, d;
        bool exists;
    } dates[4];
} cases[] = {
    {"weekly, 4", "Europe/Berlin", "FREQ=WEEKLY;COUNT=4", 2026, 3, 2, 10, 0, 4, NULL,
     {{2026, 3, 2, true}, {2026, 3, 9, true}, {2026, 3, 16, true}, {2026, 3, 23, true}}},
    {"across the spring change: 10:00 stays 10:00", "Europe/Berlin", "FREQ=WEEKLY;COUNT=3", 2026,
     3, 22, 10, 0, 3, NULL, {{2026, 3, 22, true}, {2026, 3, 29, true}, {2026, 4, 5, true}}},
    {"02:30 skipped on the change night", "America/New_York", "FREQ=DAILY;COUNT=3", 2026, 3, 7, 2,
     30, 3, NULL, {{2026, 3, 7, true}, {2026, 3, 8, false}, {2026, 3, 9, true}}},
    {"every other week", "UTC", "FREQ=WEEKLY;INTERVAL=2;COUNT=2", 2026, 1, 5, 9, 0, 2, NULL,
     {{2026, 1, 5, true}, {2026, 1, 19, true}}},
    {"monthly on the 31st skips short months", "UTC", "FREQ=MONTHLY;COUNT=3", 2026, 1, 31, 9, 0,
     3, NULL, {{2026, 1, 31, true}, {2026, 3, 31, true}, {2026, 5, 31, true}}},
    {"second Monday", "UTC", "FREQ=MONTHLY;BYDAY=2MO;COUNT=2", 2026, 1, 12, 9, 0, 2, NULL,
     {{2026, 1, 12, true}, {2026, 2, 9, true}}},
    {"a repeated BYDAY counts once", "UTC", "FREQ=WEEKLY;BYDAY=FR,FR;UNTIL=20260110T000000Z", 2026, 1, 2, 9, 0,
     2, NULL, {{2026, 1, 2, true}, {2026, 1, 9, true}}},
    {"until", "UTC", "FREQ=DAILY;UNTIL=20260103T235959Z", 2026, 1, 1, 9, 0, 3, NULL,
     {{2026, 1, 1, true}, {2026, 1, 2, true}, {2026, 1, 3, true}}},
    {"52 sessions", "UTC", "FREQ=DAILY;COUNT=52", 2026, 1, 1, 9, 0, 52, NULL, {{2026, 1, 1, true}}},
    {"53 by COUNT", "UTC", "FREQ=DAILY;COUNT=53", 2026, 1, 1, 9, 0, -1,
     "a series has at most 52 sessions", {{0}}},
    {"53 by UNTIL", "UTC", "FREQ=DAILY;UNTIL=20270101T000000Z", 2026, 1, 1, 9, 0, -1,
     "a series has at most 52 sessions", {{0}}},
    {"not a rule", "UTC", "every tuesday", 2026, 1, 1, 9, 0, -1,
     "rrule is not an RFC 5545 recurrence rule", {{0}}},
    {"yearly", "UTC", "FREQ=YEARLY;COUNT=2", 2026, 1, 1, 9, 0, -1,
     "rrule FREQ must be DAILY, WEEKLY or MONTHLY", {{0}}},
    {"BYHOUR", "UTC", "FREQ=DAILY;COUNT=2;BYHOUR=9", 2026, 1, 1, 9, 0, -1,
     "rrule may not set BYHOUR", {{0}}},
    {"BYSETPOS", "UTC", "FREQ=MONTHLY;COUNT=2;BYSETPOS=40", 2026, 1, 1, 9, 0, -1,
     "rrule may use FREQ, INTERVAL", {{0}}},
    {"BYDAY and BYMONTHDAY", "UTC", "FREQ=MONTHLY;BYDAY=5FR;BYMONTHDAY=1;COUNT=2", 2026, 1, 1, 9,
     0, -1, "rrule may use BYDAY or BYMONTHDAY, not both", {{0}}},
    {"a BYDAY position with WEEKLY", "UTC", "FREQ=WEEKLY;BYDAY=2MO;COUNT=2", 2026, 1, 1, 9, 0, -1,
     "a BYDAY position", {{0}}},
    {"no end", "UTC", "FREQ=WEEKLY", 2026, 1, 1, 9, 0, -1,
     "rrule needs COUNT or UNTIL (at most 52 sessions)", {{0}}},
    {"RSCALE", "UTC", "RSCALE=HEBREW;FREQ=MONTHLY;COUNT=2", 2026, 1, 1, 9, 0, -1,
     "rrule may not use RSCALE", {{0}}},
};

static void test_expand_row(void **state)
{
    const struct expand_case *c = UNIT_ROW(struct expand_case, state);
    const struct tz *z = tz_get(c->zone);
    assert_non_null(z);
    struct recurrence_date out[RECURRENCE_MAX];
    char why[200];
    int64_t start = at(c->zone, c->y, c->m, c->d, c->hh, c->mm);
    int n = recurrence_expand(c->rrule, start, z, out, why, sizeof(why));
    assert_int_equal(n, c->want_n);
    if (n < 0) {
        assert_true(strncmp(why, c->why_prefix, strlen(c->why_prefix)) == 0);
        return;
    }
    assert_string_equal(why, "");
    for (int i = 0; i < n && i < 4 && c->dates[i].y; i++) {
        int64_t want = at(c->zone, c->dates[i].y, c->dates[i].m, c->dates[i].d, c->hh, c->mm);
        assert_int_equal(out[i].exists, c->dates[i].exists);
        if (c->dates[i].exists)
            assert_int_equal(out[i].requested, want);
    }
    for (int i = 1; i < n; i++)
        assert_true(out[i].requested > out[i - 1].requested);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(cases); i++)
        unit_add(&s, test_expand_row, &cases[i], "recurrence: %s", cases[i].name);
    return unit_run(&s, "booking_recurrence", NULL, NULL);
}
