/* Unit tests for fhir/slot_window: the instants a FHIR Slot search computes slots for,
 * from its start parameters. */
#include "unit.h"

#include "fhir/slot_window.h"

#define N 1796083200LL /* now: 2026-12-01T00:00:00Z */
#define H 3600LL
#define DAY 86400LL

#define NO {false, 0}
#define AT(t) {true, (t)}

struct window_case {
    const char *what;
    const char *zone; /* for the exact window; NULL: the rough one */
    struct fhir_range range;
    bool ok;
    long long from, to;
};

/* range: lo, hi (instants), lo_wall, hi_wall */
static const struct window_case cases[] = {
    /* the rough window, before the zone is known */
    {"nothing: now and 16 days", NULL, {NO, NO, NO, NO}, true, N, N + 16 * DAY},
    {"an instant from", NULL, {AT(N + 5 * H), NO, NO, NO}, true, N + 5 * H, N + 5 * H + 16 * DAY},
    {"a wall-clock from, a day early", NULL, {NO, NO, AT(N + 3 * DAY), NO}, true, N + 2 * DAY,
     N + 18 * DAY},
    {"the later of the two froms", NULL, {AT(N + 5 * DAY), NO, AT(N + 3 * DAY), NO}, true,
     N + 5 * DAY, N + 21 * DAY},
    {"the later of the two froms (wall)", NULL, {AT(N + DAY), NO, AT(N + 3 * DAY), NO}, true,
     N + 2 * DAY, N + 18 * DAY},
    {"an instant to", NULL, {NO, AT(N + 3 * DAY), NO, NO}, true, N, N + 3 * DAY},
    {"a wall-clock to, a day late", NULL, {NO, NO, NO, AT(N + 3 * DAY)}, true, N, N + 4 * DAY},
    {"the earlier of the two tos", NULL, {NO, AT(N + 9 * DAY), NO, AT(N + 3 * DAY)}, true, N,
     N + 4 * DAY},
    {"the earlier of the two tos (instant)", NULL, {NO, AT(N + 2 * DAY), NO, AT(N + 3 * DAY)},
     true, N, N + 2 * DAY},
    {"64 days", NULL, {AT(N), AT(N + 64 * DAY), NO, NO}, true, N, N + 64 * DAY},
    {"64 days and a second", NULL, {AT(N), AT(N + 64 * DAY + 1), NO, NO}, false, N,
     N + 64 * DAY + 1},
    {"empty: to before from", NULL, {AT(N + DAY), AT(N), NO, NO}, true, N + DAY, N},
    /* the exact window, in the practitioner's zone */
    {"nothing: now and 14 days", "America/Los_Angeles", {NO, NO, NO, NO}, true, N, N + 14 * DAY},
    {"instants as they are", "America/Los_Angeles", {AT(N + H), AT(N + 3 * DAY), NO, NO}, true,
     N + H, N + 3 * DAY},
    {"a wall-clock from in Los Angeles (UTC-8)", "America/Los_Angeles",
     {NO, NO, AT(N + 2 * DAY), NO}, true, N + 2 * DAY + 8 * H, N + 16 * DAY + 8 * H},
    {"a wall-clock from in Berlin (UTC+1)", "Europe/Berlin", {NO, NO, AT(N + 2 * DAY), NO}, true,
     N + 2 * DAY - H, N + 16 * DAY - H},
    {"a wall-clock to", "America/Los_Angeles", {NO, NO, NO, AT(N + 7 * DAY)}, true, N,
     N + 7 * DAY + 8 * H},
    {"the later from", "America/Los_Angeles", {AT(N + 2 * DAY + 9 * H), NO, AT(N + 2 * DAY), NO},
     true, N + 2 * DAY + 9 * H, N + 16 * DAY + 9 * H},
    {"the later from (wall)", "America/Los_Angeles", {AT(N + 2 * DAY), NO, AT(N + 2 * DAY), NO},
     true, N + 2 * DAY + 8 * H, N + 16 * DAY + 8 * H},
    {"the earlier to", "America/Los_Angeles", {NO, AT(N + 7 * DAY + 9 * H), NO, AT(N + 7 * DAY)},
     true, N, N + 7 * DAY + 8 * H},
    {"the earlier to (instant)", "America/Los_Angeles", {NO, AT(N + 7 * DAY), NO, AT(N + 7 * DAY)},
     true, N, N + 7 * DAY},
    {"62 days and two hours", "UTC", {AT(N), AT(N + 62 * DAY + 2 * H), NO, NO}, true, N,
     N + 62 * DAY + 2 * H},
    {"62 days, two hours and a second", "UTC", {AT(N), AT(N + 62 * DAY + 2 * H + 1), NO, NO},
     false, N, N + 62 * DAY + 2 * H + 1},
    {"a wall-clock day in a gap (spring forward) starts after it", "America/Los_Angeles",
     {NO, NO, AT(1772937000LL), NO}, true, 1772964000LL, 1772964000LL + 14 * DAY},
};

static void test_row(void **state)
{
    const struct window_case *c = UNIT_ROW(struct window_case, state);
    int64_t from = -1, to = -1;
    bool ok;
    if (c->zone) {
        const struct tz *z = tz_get(c->zone);
        assert_non_null(z);
        ok = slot_window_exact(&c->range, z, N, &from, &to);
    } else {
        ok = slot_window_rough(&c->range, N, &from, &to);
    }
    assert_int_equal(ok, c->ok);
    assert_int_equal(from, c->from);
    assert_int_equal(to, c->to);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(cases); i++)
        unit_add(&s, test_row, &cases[i], "slot_window_%s[%zu] %s", cases[i].zone ? "exact" : "rough",
                 i, cases[i].what);
    return unit_run(&s, "fhir_slot_window", NULL, NULL);
}
