/* Unit tests for domain/slots: free slots from weekly hours, bookings and time off,
 * including the daylight-saving rule stated in slots.h.  Every expected list below was
 * worked out by hand from the case's data (zone changes from `zdump -v ZONE`) and is
 * written as RFC 3339 text whose offset makes the local wall time readable; the text
 * is read with the C library's timegm, not with the code under test. */
#include "unit.h"

#include <jansson.h>
#include <limits.h>
#include <time.h>

#include "domain/slots.h"
#include "domain/timefmt.h"

/* ---- helpers ------------------------------------------------------------------------ */

/* "YYYY-MM-DDTHH:MM[:SS]" then "Z" or "+HH:MM"/"-HH:MM" -> epoch seconds. */
static int64_t ts(const char *s)
{
    int y, mo, d, h, mi, sec = 0, used = 0;
    if (sscanf(s, "%d-%d-%dT%d:%d%n", &y, &mo, &d, &h, &mi, &used) != 5)
        fail_msg("bad test timestamp \"%s\"", s);
    const char *p = s + used;
    if (*p == ':') {
        int more = 0;
        if (sscanf(p, ":%d%n", &sec, &more) != 1)
            fail_msg("bad test timestamp \"%s\"", s);
        p += more;
    }
    int64_t off = 0;
    if (*p == '+' || *p == '-') {
        int oh, om;
        if (sscanf(p + 1, "%d:%d", &oh, &om) != 2)
            fail_msg("bad test timestamp \"%s\"", s);
        off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
    } else if (*p != 'Z') {
        fail_msg("test timestamp \"%s\" has no offset", s);
    }
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return (int64_t)timegm(&tm) - off;
}

/* "YYYY-MM-DD" -> days since 1970-01-01 */
static int32_t day_number(const char *s)
{
    int y, mo, d;
    if (sscanf(s, "%d-%d-%d", &y, &mo, &d) != 3)
        fail_msg("bad test date \"%s\"", s);
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    return (int32_t)((int64_t)timegm(&tm) / 86400);
}

static const char *utc_text(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%MZ", &tm);
    return buf;
}

static const struct tz *zone(const char *name)
{
    const struct tz *z = tz_get(name);
    if (!z)
        fail_msg("tz_get(\"%s\") returned NULL", name);
    return z;
}

/* ---- the table ---------------------------------------------------------------------- */

#define MAXRULES 4
#define MAXSPANS 6
#define MAXWANT 32

struct rule_spec {
    int weekday;                       /* 0 ends the list */
    const char *hours;                 /* "09:00-12:00"; "24:00" ends at midnight */
    const char *valid_from, *valid_to; /* "YYYY-MM-DD"; NULL: unbounded */
    int location;
    const char *zone;                  /* NULL: the case's zone */
};

struct span {
    const char *start, *end; /* NULL start ends the list */
};

struct slots_case {
    const char *what;
    const char *zone;
    struct rule_spec rules[MAXRULES];
    struct span busy[MAXSPANS];
    struct span off[MAXSPANS];
    int duration, before, after, step;
    const char *from, *to;
    const char *earliest, *latest; /* NULL: no policy limit */
    const char *want[MAXWANT];     /* slot starts, in order */
    int location;                  /* every slot's location; -1: not checked */
};

/* A week of Berlin winter time (+01:00): Monday 2026-02-02 .. Sunday 2026-02-08. */
#define WEEK_FROM "2026-02-02T00:00+01:00"
#define WEEK_TO "2026-02-09T00:00+01:00"
#define MON "2026-02-02"
#define BERLIN "Europe/Berlin"
#define NY "America/New_York"

static const struct slots_case slots_cases[] = {
    /* -- plain hours ------------------------------------------------------------------ */
    {.what = "09:00-12:00, 60 min every 30",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 7, NULL}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T09:30+01:00", MON "T10:00+01:00", MON "T10:30+01:00",
              MON "T11:00+01:00"},
     .location = 7},
    {.what = "09:00-12:00, 60 min every 60",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T10:00+01:00", MON "T11:00+01:00"},
     .location = 0},
    {.what = "step longer than the service leaves gaps",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     .duration = 30, .step = 45, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T09:45+01:00", MON "T10:30+01:00", MON "T11:15+01:00"},
     .location = 0},
    {.what = "service longer than the hours gives nothing",
     .zone = BERLIN,
     .rules = {{1, "09:00-10:00", NULL, NULL, 0, NULL}},
     .duration = 90, .step = 15, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {NULL},
     .location = -1},
    {.what = "service exactly as long as the hours",
     .zone = BERLIN,
     .rules = {{1, "09:00-10:30", NULL, NULL, 0, NULL}},
     .duration = 90, .step = 15, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00"},
     .location = 0},
    {.what = "no rules",
     .zone = BERLIN,
     .rules = {{0}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {NULL},
     .location = -1},
    {.what = "hours until midnight (24:00)",
     .zone = BERLIN,
     .rules = {{1, "21:00-24:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T21:00+01:00", MON "T22:00+01:00", MON "T23:00+01:00"},
     .location = 0},

    /* -- weekdays --------------------------------------------------------------------- */
    {.what = "Wednesday only",
     .zone = BERLIN,
     .rules = {{3, "09:00-10:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {"2026-02-04T09:00+01:00"},
     .location = 0},
    {.what = "Sunday is weekday 7",
     .zone = BERLIN,
     .rules = {{7, "09:00-10:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {"2026-02-08T09:00+01:00"},
     .location = 0},
    {.what = "Monday and Friday, listed Friday first",
     .zone = BERLIN,
     .rules = {{5, "14:00-15:00", NULL, NULL, 0, NULL}, {1, "09:00-10:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", "2026-02-06T14:00+01:00"},
     .location = 0},
    {.what = "Monday in a two-week window",
     .zone = BERLIN,
     .rules = {{1, "09:00-10:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = "2026-02-16T00:00+01:00",
     .want = {MON "T09:00+01:00", "2026-02-09T09:00+01:00"},
     .location = 0},

    /* -- bookings and buffers --------------------------------------------------------- */
    {.what = "a booking in the middle removes overlapping slots",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     .busy = {{MON "T10:00+01:00", MON "T11:00+01:00"}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T11:00+01:00"},
     .location = 0},
    {.what = "a booking one minute longer removes the slot after it",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     .busy = {{MON "T10:00+01:00", MON "T11:01+01:00"}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00"},
     .location = 0},
    {.what = "service buffer_after 15: the slot before a booking ends 15 min earlier",
     .zone = BERLIN,
     .rules = {{1, "09:00-13:00", NULL, NULL, 0, NULL}},
     .busy = {{MON "T11:00+01:00", MON "T12:00+01:00"}},
     .duration = 60, .after = 15, .step = 15, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T09:15+01:00", MON "T09:30+01:00", MON "T09:45+01:00",
              MON "T12:00+01:00"},
     .location = 0},
    {.what = "service buffer_before 10: the slot after a booking starts 10 min later",
     .zone = BERLIN,
     .rules = {{1, "09:00-13:00", NULL, NULL, 0, NULL}},
     .busy = {{MON "T10:00+01:00", MON "T11:00+01:00"}},
     .duration = 60, .before = 10, .step = 15, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T11:15+01:00", MON "T11:30+01:00", MON "T11:45+01:00",
              MON "T12:00+01:00"},
     .location = 0},
    {.what = "a booking's own buffer (10:00-11:00 + 15 after) is part of its busy range",
     .zone = BERLIN,
     .rules = {{1, "09:00-13:00", NULL, NULL, 0, NULL}},
     .busy = {{MON "T10:00+01:00", MON "T11:15+01:00"}},
     .duration = 60, .step = 15, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T11:15+01:00", MON "T11:30+01:00", MON "T11:45+01:00",
              MON "T12:00+01:00"},
     .location = 0},
    {.what = "both sides' buffers add up",
     .zone = BERLIN,
     .rules = {{1, "08:00-13:00", NULL, NULL, 0, NULL}},
     .busy = {{MON "T10:00+01:00", MON "T11:15+01:00"}},
     .duration = 60, .before = 10, .after = 15, .step = 15, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T08:00+01:00", MON "T08:15+01:00", MON "T08:30+01:00", MON "T08:45+01:00",
              MON "T11:30+01:00", MON "T11:45+01:00", MON "T12:00+01:00"},
     .location = 0},
    {.what = "adjacent bookings with buffers merge into one busy range",
     .zone = BERLIN,
     .rules = {{1, "09:00-14:00", NULL, NULL, 0, NULL}},
     /* 10:00-11:00 and 11:00-12:00, each with 15 min before and after */
     .busy = {{MON "T10:45+01:00", MON "T12:15+01:00"}, {MON "T09:45+01:00", MON "T11:15+01:00"}},
     .duration = 30, .step = 15, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T09:15+01:00", MON "T12:15+01:00", MON "T12:30+01:00",
              MON "T12:45+01:00", MON "T13:00+01:00", MON "T13:15+01:00", MON "T13:30+01:00"},
     .location = 0},
    {.what = "the gap between two buffered bookings fits exactly one slot",
     .zone = BERLIN,
     .rules = {{1, "09:00-14:00", NULL, NULL, 0, NULL}},
     /* 10:00-11:00 and 12:00-13:00, each with 15 min after */
     .busy = {{MON "T12:00+01:00", MON "T13:15+01:00"}, {MON "T10:00+01:00", MON "T11:15+01:00"}},
     .duration = 30, .after = 15, .step = 15, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T09:15+01:00", MON "T11:15+01:00", MON "T13:15+01:00",
              MON "T13:30+01:00"},
     .location = 0},
    {.what = "the same gap with a buffer one minute longer fits none",
     .zone = BERLIN,
     .rules = {{1, "09:00-14:00", NULL, NULL, 0, NULL}},
     .busy = {{MON "T12:00+01:00", MON "T13:15+01:00"}, {MON "T10:00+01:00", MON "T11:15+01:00"}},
     .duration = 30, .after = 16, .step = 15, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T13:15+01:00", MON "T13:30+01:00"},
     .location = 0},
    {.what = "unsorted, overlapping and empty busy ranges",
     .zone = BERLIN,
     .rules = {{1, "09:00-13:00", NULL, NULL, 0, NULL}},
     .busy = {{MON "T12:00+01:00", MON "T12:00+01:00"},  /* empty */
              {MON "T11:30+01:00", MON "T11:00+01:00"},  /* backwards */
              {MON "T10:30+01:00", MON "T11:00+01:00"},
              {MON "T10:00+01:00", MON "T10:45+01:00"}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T11:00+01:00", MON "T11:30+01:00", MON "T12:00+01:00"},
     .location = 0},
    {.what = "a booking on another day changes nothing",
     .zone = BERLIN,
     .rules = {{1, "09:00-11:00", NULL, NULL, 0, NULL}},
     .busy = {{"2026-02-03T09:00+01:00", "2026-02-03T11:00+01:00"}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T10:00+01:00"},
     .location = 0},

    /* -- time off --------------------------------------------------------------------- */
    {.what = "time off removes overlapping slots",
     .zone = BERLIN,
     .rules = {{1, "09:00-13:00", NULL, NULL, 0, NULL}},
     .off = {{MON "T10:30+01:00", MON "T11:30+01:00"}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T09:30+01:00", MON "T11:30+01:00", MON "T12:00+01:00"},
     .location = 0},
    {.what = "a day off removes that day only",
     .zone = BERLIN,
     .rules = {{1, "09:00-10:00", NULL, NULL, 0, NULL}, {2, "09:00-10:00", NULL, NULL, 0, NULL}},
     .off = {{MON "T00:00+01:00", "2026-02-03T00:00+01:00"}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {"2026-02-03T09:00+01:00"},
     .location = 0},
    {.what = "time off and a booking together",
     .zone = BERLIN,
     .rules = {{1, "09:00-13:00", NULL, NULL, 0, NULL}},
     .busy = {{MON "T09:00+01:00", MON "T10:00+01:00"}},
     .off = {{MON "T12:00+01:00", MON "T13:00+01:00"}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T10:00+01:00", MON "T11:00+01:00"},
     .location = 0},

    /* -- window and policy ------------------------------------------------------------ */
    {.what = "min notice: earliest between two starts",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .earliest = MON "T10:15+01:00",
     .want = {MON "T10:30+01:00", MON "T11:00+01:00"},
     .location = 0},
    {.what = "min notice: earliest on a start includes it",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .earliest = MON "T10:30+01:00",
     .want = {MON "T10:30+01:00", MON "T11:00+01:00"},
     .location = 0},
    {.what = "horizon: latest on a start excludes it",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .latest = MON "T10:30+01:00",
     .want = {MON "T09:00+01:00", MON "T09:30+01:00", MON "T10:00+01:00"},
     .location = 0},
    {.what = "horizon cuts starts, not ends",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .latest = MON "T09:01+01:00",
     .want = {MON "T09:00+01:00"},
     .location = 0},
    {.what = "notice and horizon together",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .earliest = MON "T09:30+01:00", .latest = MON "T10:30+01:00",
     .want = {MON "T09:30+01:00", MON "T10:00+01:00"},
     .location = 0},
    {.what = "notice after the horizon gives nothing",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .earliest = MON "T11:00+01:00", .latest = MON "T10:00+01:00",
     .want = {NULL},
     .location = -1},
    {.what = "window from and to: from included, to excluded",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = MON "T09:30+01:00", .to = MON "T10:30+01:00",
     .want = {MON "T09:30+01:00", MON "T10:00+01:00"},
     .location = 0},
    {.what = "window narrower than the policy",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = MON "T10:00+01:00", .to = MON "T11:00+01:00",
     .earliest = MON "T09:00+01:00", .latest = MON "T12:00+01:00",
     .want = {MON "T10:00+01:00", MON "T10:30+01:00"},
     .location = 0},
    {.what = "empty window (from == to)",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = MON "T10:00+01:00", .to = MON "T10:00+01:00",
     .want = {NULL},
     .location = -1},
    {.what = "backwards window (from > to)",
     .zone = BERLIN,
     .rules = {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = WEEK_TO, .to = WEEK_FROM,
     .want = {NULL},
     .location = -1},

    /* -- validity of rules ------------------------------------------------------------ */
    {.what = "valid on one Monday of three",
     .zone = BERLIN,
     .rules = {{1, "09:00-10:00", "2026-02-09", "2026-02-09", 0, NULL}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = "2026-02-23T00:00+01:00",
     .want = {"2026-02-09T09:00+01:00"},
     .location = 0},
    {.what = "valid from the second Monday on",
     .zone = BERLIN,
     .rules = {{1, "09:00-10:00", "2026-02-09", NULL, 0, NULL}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = "2026-02-23T00:00+01:00",
     .want = {"2026-02-09T09:00+01:00", "2026-02-16T09:00+01:00"},
     .location = 0},
    {.what = "valid until the Sunday after the first Monday",
     .zone = BERLIN,
     .rules = {{1, "09:00-10:00", NULL, "2026-02-08", 0, NULL}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = "2026-02-23T00:00+01:00",
     .want = {MON "T09:00+01:00"},
     .location = 0},
    {.what = "hours change from the second week",
     .zone = BERLIN,
     .rules = {{1, "09:00-10:00", NULL, "2026-02-08", 1, NULL},
               {1, "14:00-15:00", "2026-02-09", NULL, 2, NULL}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = "2026-02-23T00:00+01:00",
     .want = {MON "T09:00+01:00", "2026-02-09T14:00+01:00", "2026-02-16T14:00+01:00"},
     .location = -1},
    {.what = "valid_to before valid_from: never",
     .zone = BERLIN,
     .rules = {{1, "09:00-10:00", "2026-02-09", "2026-02-02", 0, NULL}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = "2026-02-23T00:00+01:00",
     .want = {NULL},
     .location = -1},
    {.what = "validity is by the date the hours start (past midnight)",
     .zone = BERLIN,
     .rules = {{5, "23:00-01:00", "2026-02-06", "2026-02-06", 0, NULL}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = "2026-02-16T00:00+01:00",
     .want = {"2026-02-06T23:00+01:00", "2026-02-07T00:00+01:00"},
     .location = 0},

    /* -- past midnight ---------------------------------------------------------------- */
    {.what = "Friday 22:00-02:00 runs into Saturday",
     .zone = BERLIN,
     .rules = {{5, "22:00-02:00", NULL, NULL, 3, NULL}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {"2026-02-06T22:00+01:00", "2026-02-06T22:30+01:00", "2026-02-06T23:00+01:00",
              "2026-02-06T23:30+01:00", "2026-02-07T00:00+01:00", "2026-02-07T00:30+01:00",
              "2026-02-07T01:00+01:00"},
     .location = 3},
    {.what = "Friday 22:00-02:00 seen from a window starting Saturday",
     .zone = BERLIN,
     .rules = {{5, "22:00-02:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = "2026-02-07T00:00+01:00", .to = WEEK_TO,
     .want = {"2026-02-07T00:00+01:00", "2026-02-07T00:30+01:00", "2026-02-07T01:00+01:00"},
     .location = 0},
    {.what = "Sunday 22:00-02:00 at both ends of a Monday-to-Monday window",
     .zone = BERLIN,
     .rules = {{7, "22:00-02:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     /* the Sunday before (02-01) runs into Monday; Sunday 02-08 is cut at midnight */
     .want = {MON "T00:00+01:00", MON "T00:30+01:00", MON "T01:00+01:00",
              "2026-02-08T22:00+01:00", "2026-02-08T22:30+01:00", "2026-02-08T23:00+01:00",
              "2026-02-08T23:30+01:00"},
     .location = 0},
    {.what = "Sunday 22:00-02:00 of the week before reaches into the window",
     .zone = BERLIN,
     .rules = {{7, "22:00-02:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = MON "T12:00+01:00",
     .want = {MON "T00:00+01:00", MON "T01:00+01:00"},
     .location = 0},
    {.what = "equal start and end: 24 hours",
     .zone = BERLIN,
     .rules = {{1, "12:00-12:00", NULL, NULL, 0, NULL}},
     .duration = 240, .step = 240, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T12:00+01:00", MON "T16:00+01:00", MON "T20:00+01:00",
              "2026-02-03T00:00+01:00", "2026-02-03T04:00+01:00", "2026-02-03T08:00+01:00"},
     .location = 0},
    {.what = "past midnight with a booking after midnight",
     .zone = BERLIN,
     .rules = {{5, "22:00-02:00", NULL, NULL, 0, NULL}},
     .busy = {{"2026-02-07T00:15+01:00", "2026-02-07T00:45+01:00"}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {"2026-02-06T22:00+01:00", "2026-02-06T23:00+01:00", "2026-02-07T01:00+01:00"},
     .location = 0},

    /* -- several rules ---------------------------------------------------------------- */
    {.what = "two overlapping rules give no duplicate starts",
     .zone = BERLIN,
     .rules = {{1, "09:00-11:00", NULL, NULL, 0, NULL}, {1, "10:00-12:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T09:30+01:00", MON "T10:00+01:00", MON "T10:30+01:00",
              MON "T11:00+01:00"},
     .location = 0},
    {.what = "the same rule twice",
     .zone = BERLIN,
     .rules = {{1, "09:00-11:00", NULL, NULL, 0, NULL}, {1, "09:00-11:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T09:30+01:00", MON "T10:00+01:00"},
     .location = 0},
    {.what = "two locations with the same hours: each start once",
     .zone = BERLIN,
     .rules = {{1, "09:00-11:00", NULL, NULL, 4, NULL}, {1, "09:00-11:00", NULL, NULL, 2, NULL}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T10:00+01:00"},
     .location = -1},
    {.what = "rules on different grids interleave",
     .zone = BERLIN,
     .rules = {{1, "09:00-11:00", NULL, NULL, 0, NULL}, {1, "09:15-11:15", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T09:15+01:00", MON "T09:30+01:00", MON "T09:45+01:00",
              MON "T10:00+01:00", MON "T10:15+01:00"},
     .location = 0},
    {.what = "rules in two zones",
     .zone = BERLIN,
     .rules = {{1, "09:00-10:00", NULL, NULL, 0, NULL}, {1, "09:00-10:00", NULL, NULL, 0, NY}},
     .duration = 60, .step = 60, .from = WEEK_FROM, .to = WEEK_TO,
     .want = {MON "T09:00+01:00", MON "T09:00-05:00"},
     .location = 0},

    /* -- zones without daylight saving ------------------------------------------------ */
    {.what = "Kolkata (+05:30) on NY's spring-forward Sunday",
     .zone = "Asia/Kolkata",
     .rules = {{7, "00:00-05:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30,
     .from = "2026-03-08T00:00+05:30", .to = "2026-03-09T00:00+05:30",
     .want = {"2026-03-08T00:00+05:30", "2026-03-08T00:30+05:30", "2026-03-08T01:00+05:30",
              "2026-03-08T01:30+05:30", "2026-03-08T02:00+05:30", "2026-03-08T02:30+05:30",
              "2026-03-08T03:00+05:30", "2026-03-08T03:30+05:30", "2026-03-08T04:00+05:30"},
     .location = 0},
    {.what = "Phoenix (-07:00) on NY's fall-back Sunday",
     .zone = "America/Phoenix",
     .rules = {{7, "00:00-04:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 60,
     .from = "2026-11-01T00:00-07:00", .to = "2026-11-02T00:00-07:00",
     .want = {"2026-11-01T00:00-07:00", "2026-11-01T01:00-07:00", "2026-11-01T02:00-07:00",
              "2026-11-01T03:00-07:00"},
     .location = 0},
    {.what = "UTC",
     .zone = "UTC",
     .rules = {{7, "00:00-03:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 60,
     .from = "2026-03-08T00:00Z", .to = "2026-03-09T00:00Z",
     .want = {"2026-03-08T00:00Z", "2026-03-08T01:00Z", "2026-03-08T02:00Z"},
     .location = 0},

    /* -- clocks go forward ------------------------------------------------------------ */
    {.what = "NY 2026-03-08 00:00-05:00, 60 min every 30",
     .zone = NY,
     .rules = {{7, "00:00-05:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30,
     .from = "2026-03-08T00:00-05:00", .to = "2026-03-09T00:00-04:00",
     /* 01:00 would end at 02:00 and 01:30 at 02:30, which do not exist; 02:00 and
      * 02:30 do not exist */
     .want = {"2026-03-08T00:00-05:00", "2026-03-08T00:30-05:00", "2026-03-08T03:00-04:00",
              "2026-03-08T03:30-04:00", "2026-03-08T04:00-04:00"},
     .location = 0},
    {.what = "NY 2026-03-08 00:00-05:00, 30 min every 30",
     .zone = NY,
     .rules = {{7, "00:00-05:00", NULL, NULL, 0, NULL}},
     .duration = 30, .step = 30,
     .from = "2026-03-08T00:00-05:00", .to = "2026-03-09T00:00-04:00",
     /* 01:30 would end at 02:00, which does not exist */
     .want = {"2026-03-08T00:00-05:00", "2026-03-08T00:30-05:00", "2026-03-08T01:00-05:00",
              "2026-03-08T03:00-04:00", "2026-03-08T03:30-04:00", "2026-03-08T04:00-04:00",
              "2026-03-08T04:30-04:00"},
     .location = 0},
    {.what = "NY 2026-03-08 00:00-05:00, 180 min every 60: nothing runs through the gap",
     .zone = NY,
     .rules = {{7, "00:00-05:00", NULL, NULL, 0, NULL}},
     .duration = 180, .step = 60,
     .from = "2026-03-08T00:00-05:00", .to = "2026-03-09T00:00-04:00",
     /* 00:00-03:00 and 01:00-04:00 last only 120 real minutes; 02:00 does not exist */
     .want = {NULL},
     .location = -1},
    {.what = "NY 2026-03-08 hours starting in the gap (02:30-05:00)",
     .zone = NY,
     .rules = {{7, "02:30-05:00", NULL, NULL, 0, NULL}},
     .duration = 30, .step = 30,
     .from = "2026-03-08T00:00-05:00", .to = "2026-03-09T00:00-04:00",
     .want = {"2026-03-08T03:00-04:00", "2026-03-08T03:30-04:00", "2026-03-08T04:00-04:00",
              "2026-03-08T04:30-04:00"},
     .location = 0},
    {.what = "Berlin 2026-03-29 00:00-05:00, 60 min every 30",
     .zone = BERLIN,
     .rules = {{7, "00:00-05:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30,
     .from = "2026-03-29T00:00+01:00", .to = "2026-03-30T00:00+02:00",
     .want = {"2026-03-29T00:00+01:00", "2026-03-29T00:30+01:00", "2026-03-29T03:00+02:00",
              "2026-03-29T03:30+02:00", "2026-03-29T04:00+02:00"},
     .location = 0},
    {.what = "Sydney 2026-10-04 00:00-05:00, 60 min every 60",
     .zone = "Australia/Sydney",
     .rules = {{7, "00:00-05:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 60,
     .from = "2026-10-04T00:00+10:00", .to = "2026-10-05T00:00+11:00",
     .want = {"2026-10-04T00:00+10:00", "2026-10-04T03:00+11:00", "2026-10-04T04:00+11:00"},
     .location = 0},
    {.what = "Lord Howe 2026-10-04 half-hour gap, 30 min every 30",
     .zone = "Australia/Lord_Howe",
     .rules = {{7, "01:00-04:00", NULL, NULL, 0, NULL}},
     .duration = 30, .step = 30,
     .from = "2026-10-04T00:00+10:30", .to = "2026-10-05T00:00+11:00",
     .want = {"2026-10-04T01:00+10:30", "2026-10-04T02:30+11:00", "2026-10-04T03:00+11:00",
              "2026-10-04T03:30+11:00"},
     .location = 0},
    {.what = "Santiago 2026-09-06: midnight does not exist",
     .zone = "America/Santiago",
     .rules = {{7, "00:00-03:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30,
     .from = "2026-09-05T00:00-04:00", .to = "2026-09-07T00:00-03:00",
     .want = {"2026-09-06T01:00-03:00", "2026-09-06T01:30-03:00", "2026-09-06T02:00-03:00"},
     .location = 0},
    {.what = "Santiago Saturday 22:00-02:00 into the skipped midnight",
     .zone = "America/Santiago",
     .rules = {{6, "22:00-02:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30,
     .from = "2026-09-05T00:00-04:00", .to = "2026-09-07T00:00-03:00",
     .want = {"2026-09-05T22:00-04:00", "2026-09-05T22:30-04:00", "2026-09-06T01:00-03:00"},
     .location = 0},

    /* -- clocks go back --------------------------------------------------------------- */
    {.what = "NY 2026-11-01 00:00-04:00, 60 min every 30",
     .zone = NY,
     .rules = {{7, "00:00-04:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30,
     .from = "2026-11-01T00:00-04:00", .to = "2026-11-02T00:00-05:00",
     /* 01:00-02:00 and 01:30-02:30 wall would last 120 real minutes */
     .want = {"2026-11-01T00:00-04:00", "2026-11-01T00:30-04:00", "2026-11-01T02:00-05:00",
              "2026-11-01T02:30-05:00", "2026-11-01T03:00-05:00"},
     .location = 0},
    {.what = "NY 2026-11-01 00:00-04:00, 30 min every 30: 01:00 once, at 05:00Z",
     .zone = NY,
     .rules = {{7, "00:00-04:00", NULL, NULL, 0, NULL}},
     .duration = 30, .step = 30,
     .from = "2026-11-01T00:00-04:00", .to = "2026-11-02T00:00-05:00",
     /* 01:30-02:00 wall would last 90 real minutes */
     .want = {"2026-11-01T00:00-04:00", "2026-11-01T00:30-04:00", "2026-11-01T01:00-04:00",
              "2026-11-01T02:00-05:00", "2026-11-01T02:30-05:00", "2026-11-01T03:00-05:00",
              "2026-11-01T03:30-05:00"},
     .location = 0},
    {.what = "NY 2026-11-01 00:00-03:00, 15 min every 15: the repeated hour once",
     .zone = NY,
     .rules = {{7, "00:00-03:00", NULL, NULL, 0, NULL}},
     .duration = 15, .step = 15,
     .from = "2026-11-01T00:00-04:00", .to = "2026-11-02T00:00-05:00",
     .want = {"2026-11-01T00:00-04:00", "2026-11-01T00:15-04:00", "2026-11-01T00:30-04:00",
              "2026-11-01T00:45-04:00", "2026-11-01T01:00-04:00", "2026-11-01T01:15-04:00",
              "2026-11-01T01:30-04:00", "2026-11-01T02:00-05:00", "2026-11-01T02:15-05:00",
              "2026-11-01T02:30-05:00", "2026-11-01T02:45-05:00"},
     .location = 0},
    {.what = "NY 2026-11-01 the second 01:00 is not offered even when the first is busy",
     .zone = NY,
     .rules = {{7, "00:00-03:00", NULL, NULL, 0, NULL}},
     .busy = {{"2026-11-01T01:00-04:00", "2026-11-01T02:00-04:00"}},
     .duration = 30, .step = 30,
     .from = "2026-11-01T00:00-04:00", .to = "2026-11-02T00:00-05:00",
     .want = {"2026-11-01T00:00-04:00", "2026-11-01T00:30-04:00", "2026-11-01T02:00-05:00",
              "2026-11-01T02:30-05:00"},
     .location = 0},
    {.what = "NY 2026-11-01 window starting at the second 01:00",
     .zone = NY,
     .rules = {{7, "00:00-03:00", NULL, NULL, 0, NULL}},
     .duration = 30, .step = 30,
     .from = "2026-11-01T01:00-05:00", .to = "2026-11-02T00:00-05:00",
     .want = {"2026-11-01T02:00-05:00", "2026-11-01T02:30-05:00"},
     .location = 0},
    {.what = "Berlin 2026-10-25 00:00-05:00, 60 min every 30",
     .zone = BERLIN,
     .rules = {{7, "00:00-05:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30,
     .from = "2026-10-25T00:00+02:00", .to = "2026-10-26T00:00+01:00",
     /* 02:00-03:00 and 02:30-03:30 wall would last 120 real minutes */
     .want = {"2026-10-25T00:00+02:00", "2026-10-25T00:30+02:00", "2026-10-25T01:00+02:00",
              "2026-10-25T01:30+02:00", "2026-10-25T03:00+01:00", "2026-10-25T03:30+01:00",
              "2026-10-25T04:00+01:00"},
     .location = 0},
    {.what = "Berlin 2026-10-25 02:00-04:00, 30 min every 30",
     .zone = BERLIN,
     .rules = {{7, "02:00-04:00", NULL, NULL, 0, NULL}},
     .duration = 30, .step = 30,
     .from = "2026-10-25T00:00+02:00", .to = "2026-10-26T00:00+01:00",
     /* 02:30-03:00 wall would last 90 real minutes */
     .want = {"2026-10-25T02:00+02:00", "2026-10-25T03:00+01:00", "2026-10-25T03:30+01:00"},
     .location = 0},
    {.what = "Sydney 2026-04-05 00:00-05:00, 60 min every 60",
     .zone = "Australia/Sydney",
     .rules = {{7, "00:00-05:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 60,
     .from = "2026-04-05T00:00+11:00", .to = "2026-04-06T00:00+10:00",
     .want = {"2026-04-05T00:00+11:00", "2026-04-05T01:00+11:00", "2026-04-05T03:00+10:00",
              "2026-04-05T04:00+10:00"},
     .location = 0},
    {.what = "Santiago Saturday 2026-04-04 22:00-02:00 over the repeated 23:00",
     .zone = "America/Santiago",
     .rules = {{6, "22:00-02:00", NULL, NULL, 0, NULL}},
     .duration = 60, .step = 30,
     .from = "2026-04-04T00:00-03:00", .to = "2026-04-06T00:00-04:00",
     .want = {"2026-04-04T22:00-03:00", "2026-04-04T22:30-03:00", "2026-04-05T00:00-04:00",
              "2026-04-05T00:30-04:00", "2026-04-05T01:00-04:00"},
     .location = 0},
};

static int64_t or_default(const char *s, int64_t dflt)
{
    return s ? ts(s) : dflt;
}

/* Builds the query of a row into the caller's arrays. */
static void build_query(const struct slots_case *c, struct hours_rule *rules,
                        struct interval *busy, struct interval *off, struct slot_query *q)
{
    memset(q, 0, sizeof(*q));
    size_t nr = 0, nb = 0, no = 0;
    for (; nr < MAXRULES && c->rules[nr].weekday; nr++) {
        const struct rule_spec *r = &c->rules[nr];
        int h1, m1, h2, m2;
        if (sscanf(r->hours, "%d:%d-%d:%d", &h1, &m1, &h2, &m2) != 4)
            fail_msg("bad hours \"%s\"", r->hours);
        rules[nr].weekday = r->weekday;
        rules[nr].start_min = h1 * 60 + m1;
        rules[nr].end_min = h2 * 60 + m2;
        rules[nr].valid_from = r->valid_from ? day_number(r->valid_from) : DAY_UNBOUNDED_LOW;
        rules[nr].valid_to = r->valid_to ? day_number(r->valid_to) : DAY_UNBOUNDED_HIGH;
        rules[nr].tz = zone(r->zone ? r->zone : c->zone);
        rules[nr].location = r->location;
    }
    for (; nb < MAXSPANS && c->busy[nb].start; nb++)
        busy[nb] = (struct interval){ts(c->busy[nb].start), ts(c->busy[nb].end)};
    for (; no < MAXSPANS && c->off[no].start; no++)
        off[no] = (struct interval){ts(c->off[no].start), ts(c->off[no].end)};
    q->rules = rules;
    q->nrules = nr;
    q->busy = busy;
    q->nbusy = nb;
    q->off = off;
    q->noff = no;
    q->duration_min = c->duration;
    q->buffer_before_min = c->before;
    q->buffer_after_min = c->after;
    q->step_min = c->step;
    q->from = ts(c->from);
    q->to = ts(c->to);
    q->earliest = or_default(c->earliest, INT64_MIN);
    q->latest = or_default(c->latest, INT64_MAX);
}

static void print_list(const char *label, const int64_t *v, size_t n)
{
    print_message("%s (%zu):", label, n);
    for (size_t i = 0; i < n; i++) {
        char b[32];
        print_message(" %s", utc_text(v[i], b, sizeof(b)));
    }
    print_message("\n");
}

static void test_slots_row(void **state)
{
    const struct slots_case *c = UNIT_ROW(struct slots_case, state);
    struct hours_rule rules[MAXRULES];
    struct interval busy[MAXSPANS], off[MAXSPANS];
    struct slot_query q;
    build_query(c, rules, busy, off, &q);

    int64_t want[MAXWANT];
    size_t nwant = 0;
    for (; nwant < MAXWANT && c->want[nwant]; nwant++)
        want[nwant] = ts(c->want[nwant]);

    struct slot out[MAXWANT + 8];
    memset(out, 0, sizeof(out));
    size_t n = slots_compute(&q, out, UNIT_ARRAY_LEN(out));
    int64_t got[MAXWANT + 8];
    for (size_t i = 0; i < n && i < UNIT_ARRAY_LEN(out); i++)
        got[i] = out[i].start;
    bool same = n == nwant;
    for (size_t i = 0; same && i < n; i++)
        same = got[i] == want[i];
    if (!same) {
        print_list("want", want, nwant);
        print_list("got ", got, n < UNIT_ARRAY_LEN(out) ? n : UNIT_ARRAY_LEN(out));
        fail_msg("%s: the slots differ", c->what);
    }
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(out[i].end - out[i].start, (int64_t)c->duration * 60);
        if (c->location >= 0)
            assert_int_equal(out[i].location, c->location);
    }
}

/* ---- count and max ------------------------------------------------------------------ */

/* max smaller than the count: the full count is returned, only max slots written. */
static void test_max_smaller(void **state)
{
    (void)state;
    struct hours_rule rules[MAXRULES];
    struct interval busy[MAXSPANS], off[MAXSPANS];
    struct slot_query q;
    build_query(&slots_cases[0], rules, busy, off, &q); /* five slots */
    struct slot out[5];
    memset(out, 0xa5, sizeof(out));
    struct slot fill;
    memset(&fill, 0xa5, sizeof(fill));
    assert_int_equal(slots_compute(&q, out, 2), 5);
    assert_int_equal(out[0].start, ts(MON "T09:00+01:00"));
    assert_int_equal(out[1].start, ts(MON "T09:30+01:00"));
    for (int i = 2; i < 5; i++)
        assert_memory_equal(&out[i], &fill, sizeof(fill));
    assert_int_equal(slots_compute(&q, out + 4, 1), 5);
    assert_int_equal(out[4].start, ts(MON "T09:00+01:00"));
    /* max 0 writes nothing, so out may be NULL */
    assert_int_equal(slots_compute(&q, NULL, 0), 5);
    /* max exactly the count */
    assert_int_equal(slots_compute(&q, out, 5), 5);
    assert_int_equal(out[4].start, ts(MON "T11:00+01:00"));
}

struct bad_case {
    const char *what;
    int duration, step;
};

static const struct bad_case bad_cases[] = {
    {"duration 0", 0, 30},  {"duration -60", -60, 30}, {"step 0", 60, 0},
    {"step -30", 60, -30},  {"both 0", 0, 0},          {"duration INT_MIN", INT_MIN, 30},
};

static void test_bad_row(void **state)
{
    const struct bad_case *c = UNIT_ROW(struct bad_case, state);
    struct hours_rule rules[MAXRULES];
    struct interval busy[MAXSPANS], off[MAXSPANS];
    struct slot_query q;
    build_query(&slots_cases[0], rules, busy, off, &q);
    q.duration_min = c->duration;
    q.step_min = c->step;
    struct slot out[8], fill;
    memset(out, 0xa5, sizeof(out));
    memset(&fill, 0xa5, sizeof(fill));
    assert_int_equal(slots_compute(&q, out, UNIT_ARRAY_LEN(out)), 0);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(out); i++)
        assert_memory_equal(&out[i], &fill, sizeof(fill));
}

/* ---- slots_blocked ------------------------------------------------------------------ */

struct blocked_case {
    int64_t start, end;
    int before, after;
    int64_t want_start, want_end;
};

static const struct blocked_case blocked_cases[] = {
    {36000, 39600, 0, 0, 36000, 39600},
    {36000, 39600, 15, 0, 35100, 39600},
    {36000, 39600, 0, 15, 36000, 40500},
    {36000, 39600, 10, 20, 35400, 40800},
    {0, 60, 1, 1, -60, 120},
    {1772953200, 1772956800, 30, 45, 1772951400, 1772959500},
};

static void test_blocked_row(void **state)
{
    const struct blocked_case *c = UNIT_ROW(struct blocked_case, state);
    struct interval b = slots_blocked(c->start, c->end, c->before, c->after);
    assert_int_equal(b.start, c->want_start);
    assert_int_equal(b.end, c->want_end);
}

/* ---- randomized properties ---------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

/* uniform in [lo, hi] */
static int64_t rrange(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int weekday_of(int64_t day)
{
    int64_t w = ((day + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday */
    return (int)w + 1;
}

static bool hits(int64_t s1, int64_t e1, const struct interval *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].end > v[i].start && s1 < v[i].end && v[i].start < e1)
            return true;
    return false;
}

static const char *const prop_zones[] = {
    "UTC",          "America/New_York", "Europe/Berlin",       "Australia/Sydney",
    "Asia/Kolkata", "America/Phoenix",  "Australia/Lord_Howe", "America/Santiago",
};

/* zones whose offset does not change in 2026 */
static bool fixed_zone(const char *name)
{
    return !strcmp(name, "UTC") || !strcmp(name, "Asia/Kolkata") ||
           !strcmp(name, "America/Phoenix");
}

/* zones with an instant near one of their 2026 clock changes (or an ordinary one) */
struct prop_base {
    const char *zone, *at;
};

static const struct prop_base prop_bases[] = {
    {"America/New_York", "2026-03-08T07:00Z"},    {"America/New_York", "2026-11-01T06:00Z"},
    {"Europe/Berlin", "2026-03-29T01:00Z"},       {"Europe/Berlin", "2026-10-25T01:00Z"},
    {"Australia/Sydney", "2026-04-04T16:00Z"},    {"Australia/Sydney", "2026-10-03T16:00Z"},
    {"Australia/Lord_Howe", "2026-04-04T15:00Z"}, {"Australia/Lord_Howe", "2026-10-03T15:30Z"},
    {"America/Santiago", "2026-04-05T03:00Z"},    {"America/Santiago", "2026-09-06T04:00Z"},
    {"UTC", "2026-02-02T12:00Z"},                 {"Asia/Kolkata", "2026-07-15T12:00Z"},
    {"America/Phoenix", "2026-03-08T07:00Z"},     {"Europe/Berlin", "2026-07-15T12:00Z"},
};

#define PROP_ITERATIONS 4000
#define PROP_MAXOUT 20000

struct prop_stats {
    size_t slots, nonempty, filtered_away, completeness_checked, near_change;
};

static void check_one(const struct slot_query *q, const char *const *zone_names,
                      struct slot *out, struct slot *all, struct prop_stats *st, int iter)
{
    size_t n = slots_compute(q, out, PROP_MAXOUT);
    if (n > PROP_MAXOUT)
        fail_msg("iteration %d: %zu slots, more than the test's buffer", iter, n);
    int64_t lo = q->from > q->earliest ? q->from : q->earliest;
    int64_t hi = q->to < q->latest ? q->to : q->latest;
    int64_t dur = (int64_t)q->duration_min * 60, step = (int64_t)q->step_min * 60;
    char b1[32], b2[32];
    for (size_t i = 0; i < n; i++) {
        const struct slot *s = &out[i];
        if (i > 0 && s->start <= out[i - 1].start)
            fail_msg("iteration %d: starts not strictly increasing at %zu (%s after %s)", iter,
                     i, utc_text(s->start, b1, sizeof(b1)),
                     utc_text(out[i - 1].start, b2, sizeof(b2)));
        if (s->start < lo || s->start >= hi)
            fail_msg("iteration %d: slot %s outside [max(from,earliest), min(to,latest))",
                     iter, utc_text(s->start, b1, sizeof(b1)));
        if (s->end - s->start != dur)
            fail_msg("iteration %d: slot %s lasts %lld s, not %lld", iter,
                     utc_text(s->start, b1, sizeof(b1)), (long long)(s->end - s->start),
                     (long long)dur);
        if (s->location < 0 || (size_t)s->location >= q->nrules)
            fail_msg("iteration %d: slot location %d names no rule", iter, s->location);
        const struct hours_rule *r = &q->rules[s->location];
        int64_t ws = s->start + tz_offset_at(r->tz, s->start);
        int64_t we = s->end + tz_offset_at(r->tz, s->end);
        if (we - ws != dur)
            fail_msg("iteration %d (%s): slot %s runs %lld s of wall clock, not %lld", iter,
                     zone_names[s->location], utc_text(s->start, b1, sizeof(b1)),
                     (long long)(we - ws), (long long)dur);
        int64_t first = 0, second = 0;
        if (tz_local_to_utc(r->tz, ws, &first, &second) < 1 || first != s->start)
            fail_msg("iteration %d (%s): slot %s is not the first occurrence of its wall time",
                     iter, zone_names[s->location], utc_text(s->start, b1, sizeof(b1)));
        bool inside = false;
        int64_t d = floor_div(ws, 86400);
        for (int64_t day = d - 1; day <= d && !inside; day++) {
            if (weekday_of(day) != r->weekday || day < r->valid_from || day > r->valid_to)
                continue;
            int64_t wstart = day * 86400 + (int64_t)r->start_min * 60;
            int64_t wend = day * 86400 + (int64_t)r->end_min * 60;
            if (r->end_min <= r->start_min)
                wend += 86400;
            inside = ws >= wstart && we <= wend && (ws - wstart) % step == 0;
        }
        if (!inside)
            fail_msg("iteration %d (%s): slot %s is not on the grid of rule %d's hours", iter,
                     zone_names[s->location], utc_text(s->start, b1, sizeof(b1)), s->location);
        if (tz_offset_at(r->tz, s->start - 3 * 3600) != tz_offset_at(r->tz, s->end + 3 * 3600))
            st->near_change++;
        if (hits(s->start, s->end, q->off, q->noff))
            fail_msg("iteration %d: slot %s overlaps time off", iter,
                     utc_text(s->start, b1, sizeof(b1)));
        struct interval bl = {s->start - (int64_t)q->buffer_before_min * 60,
                              s->end + (int64_t)q->buffer_after_min * 60};
        if (hits(bl.start, bl.end, q->busy, q->nbusy))
            fail_msg("iteration %d: slot %s with its buffers overlaps a booking", iter,
                     utc_text(s->start, b1, sizeof(b1)));
    }
    st->slots += n;
    st->nonempty += n > 0;

    /* slots_compute_all hands over the same list */
    struct slot *every = NULL;
    bool handed = slots_compute_all(q, &every) == n && (n > 0) == (every != NULL);
    for (size_t i = 0; handed && i < n; i++)
        handed = every[i].start == out[i].start && every[i].end == out[i].end &&
                 every[i].location == out[i].location;
    free(every);
    if (!handed)
        fail_msg("iteration %d: slots_compute_all differs from slots_compute", iter);

    /* Bookings and time off only remove slots: the answer is exactly the answer without
     * them, less the slots they conflict with. */
    struct slot_query q0 = *q;
    q0.nbusy = q0.noff = 0;
    size_t n0 = slots_compute(&q0, all, PROP_MAXOUT);
    if (n0 > PROP_MAXOUT)
        fail_msg("iteration %d: %zu slots, more than the test's buffer", iter, n0);
    size_t k = 0;
    for (size_t i = 0; i < n0; i++) {
        const struct slot *s = &all[i];
        struct interval bl = {s->start - (int64_t)q->buffer_before_min * 60,
                              s->end + (int64_t)q->buffer_after_min * 60};
        if (hits(s->start, s->end, q->off, q->noff) || hits(bl.start, bl.end, q->busy, q->nbusy)) {
            st->filtered_away++;
            continue;
        }
        if (k >= n || out[k].start != s->start || out[k].end != s->end ||
            out[k].location != s->location)
            fail_msg("iteration %d: free slot %s (location %d) missing from the answer", iter,
                     utc_text(s->start, b1, sizeof(b1)), s->location);
        k++;
    }
    if (k != n)
        fail_msg("iteration %d: %zu slots, but only %zu survive filtering the free list", iter,
                 n, k);

    /* In a zone with a fixed offset every grid point inside the hours and the window is
     * offered when nothing is booked. */
    for (size_t ri = 0; ri < q->nrules; ri++) {
        const struct hours_rule *r = &q->rules[ri];
        if (!fixed_zone(zone_names[ri]))
            continue;
        st->completeness_checked++;
        int32_t offs = tz_offset_at(r->tz, lo);
        for (int64_t day = floor_div(lo + offs, 86400) - 1; day <= floor_div(hi + offs, 86400);
             day++) {
            if (weekday_of(day) != r->weekday || day < r->valid_from || day > r->valid_to)
                continue;
            int64_t wstart = day * 86400 + (int64_t)r->start_min * 60;
            int64_t wend = day * 86400 + (int64_t)r->end_min * 60;
            if (r->end_min <= r->start_min)
                wend += 86400;
            for (int64_t t = wstart; t + dur <= wend; t += step) {
                int64_t s = t - offs;
                if (s < lo || s >= hi)
                    continue;
                bool found = false;
                size_t a = 0, z = n0;
                while (a < z) {
                    size_t m = a + (z - a) / 2;
                    if (all[m].start < s)
                        a = m + 1;
                    else
                        z = m;
                }
                found = a < n0 && all[a].start == s;
                if (!found)
                    fail_msg("iteration %d (%s): free grid point %s of rule %zu not offered",
                             iter, zone_names[ri], utc_text(s, b1, sizeof(b1)), ri);
            }
        }
    }

    /* A smaller max gives the same first slots and the same count. */
    if (n > 1) {
        size_t m = (size_t)rrange(1, (int64_t)n - 1);
        bool same = slots_compute(q, all, m) == n;
        for (size_t i = 0; same && i < m; i++)
            same = all[i].start == out[i].start && all[i].end == out[i].end &&
                   all[i].location == out[i].location;
        if (!same)
            fail_msg("iteration %d: max %zu does not give the first %zu of %zu slots", iter, m,
                     m, n);
    }
}

static struct interval random_span(int64_t around, int64_t spread, int max_len_min)
{
    int64_t s = around + rrange(-spread, spread) / 300 * 300;
    int64_t len = rrange(1, max_len_min / 5) * 300;
    if (rrange(0, 30) == 0)
        len = -len; /* backwards ranges must be ignored */
    if (rrange(0, 30) == 0)
        len = 0;
    return (struct interval){s, s + len};
}

/* One random query: rules (up to 3), bookings (up to 8) and time off (up to 3) into the
 * caller's arrays, mostly around a clock change of the rules' zone. */
struct prop_query {
    struct slot_query q;
    struct hours_rule rules[3];
    const char *zone_names[3];
    struct interval busy[8], off[3];
};

static void random_query(struct prop_query *pq)
{
    static const int durations[] = {15, 20, 30, 45, 60, 90, 120, 180};
    static const int steps[] = {5, 10, 15, 20, 30, 60, 90};
    static const int buffers[] = {0, 0, 5, 10, 15, 30};
    const struct prop_base *pb = &prop_bases[rnd() % UNIT_ARRAY_LEN(prop_bases)];
    const char *case_zone = pb->zone;
    int64_t base = ts(pb->at) + rrange(-86400, 86400) / 900 * 900;
    struct slot_query *q = &pq->q;
    memset(q, 0, sizeof(*q));
    q->from = base - rrange(0, 86400) / 60 * 60;
    q->to = q->from + rrange(6 * 3600, 4 * 86400) / 60 * 60;
    q->earliest = rrange(0, 2) ? INT64_MIN : q->from + rrange(-86400, 86400);
    q->latest = rrange(0, 2) ? INT64_MAX : q->from + rrange(86400, 5 * 86400);
    q->duration_min = durations[rnd() % UNIT_ARRAY_LEN(durations)];
    q->step_min = steps[rnd() % UNIT_ARRAY_LEN(steps)];
    q->buffer_before_min = buffers[rnd() % UNIT_ARRAY_LEN(buffers)];
    q->buffer_after_min = buffers[rnd() % UNIT_ARRAY_LEN(buffers)];

    q->nrules = (size_t)rrange(1, 3);
    int64_t day0 = floor_div(q->from, 86400);
    for (size_t r = 0; r < q->nrules; r++) {
        struct hours_rule *h = &pq->rules[r];
        pq->zone_names[r] =
            rrange(0, 3) ? case_zone : prop_zones[rnd() % UNIT_ARRAY_LEN(prop_zones)];
        h->tz = zone(pq->zone_names[r]);
        /* mostly a weekday the window touches */
        h->weekday = rrange(0, 3) ? weekday_of(day0 + rrange(-1, 3)) : (int)rrange(1, 7);
        /* often night hours, when clocks change */
        h->start_min = rrange(0, 1) ? (int)rrange(0, 95) * 15
                                    : (int)(rrange(-16, 12) * 15 + 1440) % 1440;
        h->end_min = rrange(0, 4) ? (int)rrange(0, 96) * 15
                                  : (h->start_min + 60 * (int)rrange(1, 6)) % 1440;
        h->valid_from = rrange(0, 2) ? DAY_UNBOUNDED_LOW : (int32_t)(day0 + rrange(-3, 4));
        h->valid_to = rrange(0, 2) ? DAY_UNBOUNDED_HIGH : (int32_t)(day0 + rrange(-1, 6));
        h->location = (int)r;
    }
    q->rules = pq->rules;

    q->nbusy = (size_t)rrange(0, 8);
    for (size_t i = 0; i < q->nbusy; i++)
        pq->busy[i] = random_span(q->from + (q->to - q->from) / 2, 2 * 86400, 240);
    q->noff = (size_t)rrange(0, 3);
    for (size_t i = 0; i < q->noff; i++)
        pq->off[i] = random_span(q->from + (q->to - q->from) / 2, 2 * 86400, 24 * 60);
    q->busy = pq->busy;
    q->off = pq->off;
}

/* Room for PROP_MAXOUT slots (the caller frees it). */
static struct slot *slot_buffer(void)
{
    struct slot *v = malloc(PROP_MAXOUT * sizeof(*v));
    assert_non_null(v);
    return v;
}

static void test_properties(void **state)
{
    (void)state;
    rng_state = 0x9e3779b97f4a7c15ULL;
    struct slot *out = slot_buffer();
    struct slot *all = slot_buffer();
    struct prop_stats st = {0};
    for (int iter = 0; iter < PROP_ITERATIONS; iter++) {
        struct prop_query pq;
        random_query(&pq);
        check_one(&pq.q, pq.zone_names, out, all, &st, iter);
    }
    free(out);
    free(all);
    print_message("properties: %zu slots in %zu non-empty answers of %d; %zu removed by "
                  "bookings or time off; %zu fixed-offset rules checked for completeness; "
                  "%zu slots within 3 hours of a clock change\n",
                  st.slots, st.nonempty, PROP_ITERATIONS, st.filtered_away,
                  st.completeness_checked, st.near_change);
    /* the generator must exercise something */
    assert_true(st.nonempty > PROP_ITERATIONS / 4);
    assert_true(st.filtered_away > 1000);
    assert_true(st.completeness_checked > 300);
    assert_true(st.near_change > 2000);
}

/* ---- the long way, in zones and years of every kind ---------------------------------- */

/* Zones whose history holds what a shortcut could trip on: offsets with seconds (local
 * mean time), half and three-quarter hours, summer time of half an hour (Lord Howe) or
 * two hours (Troll), negative summer time (Dublin), a skipped day (Apia 2011,
 * Kiritimati 1994, Kwajalein 1993), two changes four days apart (Freetown 1939),
 * Ramadan breaks (Casablanca), changes at midnight (Santiago). */
static const char *const far_zones[] = {
    "America/New_York",  "Europe/Berlin",      "Asia/Kolkata",      "America/Phoenix",
    "Australia/Lord_Howe", "America/St_Johns", "Asia/Kathmandu",    "Pacific/Chatham",
    "Pacific/Apia",      "Pacific/Kiritimati", "Pacific/Kwajalein", "Africa/Freetown",
    "Europe/Moscow",     "America/Caracas",    "Africa/Casablanca", "Antarctica/Troll",
    "Europe/Dublin",     "Asia/Gaza",          "America/Santiago",  "Europe/Amsterdam",
    "Africa/Monrovia",   "Asia/Tehran",        "America/Sao_Paulo", "UTC",
};

/* Instants to start near: the rare events above, then random ones. */
static const struct prop_base far_bases[] = {
    {"Africa/Freetown", "1939-08-30T00:00Z"},     /* -1:00 to -0:40, back 4 days later */
    {"Pacific/Apia", "2011-12-29T12:00Z"},        /* December 30 skipped */
    {"Pacific/Kiritimati", "1994-12-30T12:00Z"},  /* December 31 skipped */
    {"Pacific/Kwajalein", "1993-08-20T12:00Z"},   /* August 21 skipped */
    {"Europe/Moscow", "1919-05-31T12:00Z"},       /* +3:31:19 to +4:31:19 */
    {"America/Caracas", "2016-05-01T06:00Z"},     /* -4:30 to -4:00 */
    {"America/Caracas", "2007-12-09T06:00Z"},     /* -4:00 to -4:30 */
    {"Africa/Casablanca", "2025-02-23T01:00Z"},   /* Ramadan: +1 to +0 */
    {"Antarctica/Troll", "2026-03-29T00:00Z"},    /* +0 to +2 */
    {"Europe/Dublin", "2026-10-25T00:00Z"},       /* +1 to +0 (negative summer time) */
    {"Australia/Lord_Howe", "2026-10-03T15:00Z"}, /* half an hour forward */
    {"Europe/Amsterdam", "1937-06-30T12:00Z"},    /* +1:19:32 to +1:20 */
    {"Africa/Monrovia", "1972-01-07T00:00Z"},     /* -0:44:30 to +0 */
    {"Asia/Gaza", "2026-03-27T22:00Z"},           /* +2 to +3 */
    {"America/New_York", "2040-03-11T07:00Z"},    /* the rule after the listed changes */
    {"Europe/Berlin", "2045-10-29T01:00Z"},
};

/* The start of the last whole day, counted from t, before z next changes its offset
 * (within a year); t when it does not. */
static int64_t day_before_change(const struct tz *z, int64_t t)
{
    int32_t o = tz_offset_at(z, t);
    for (int64_t d = t; d < t + 366 * 86400; d += 86400)
        if (tz_offset_at(z, d + 86400) != o)
            return d;
    return t;
}

/* A random query of random_query's kind, moved to start within a day before a far
 * instant (one of far_bases, or a random one from 1900 to 2045 moved to the day before
 * the next clock change there), each rule's zone replaced by the far one (or, one time in four,
 * another) and its weekday drawn again as random_query draws it. */
static void random_far_query(struct prop_query *pq)
{
    random_query(pq);
    const char *name;
    int64_t target;
    if (rrange(0, 2) == 0) {
        const struct prop_base *b = &far_bases[rnd() % UNIT_ARRAY_LEN(far_bases)];
        name = b->zone;
        target = ts(b->at) + rrange(-86400, 86400) / 900 * 900;
    } else {
        name = far_zones[rnd() % UNIT_ARRAY_LEN(far_zones)];
        target = day_before_change(zone(name),
                                   ts("1900-01-01T00:00Z") + rrange(0, 145LL * 365 * 86400)) +
                 rrange(0, 86400);
    }
    struct slot_query *q = &pq->q;
    int64_t shift = target - rrange(0, 86400) / 60 * 60 - q->from;
    int32_t days = (int32_t)floor_div(shift, 86400);
    q->from += shift;
    q->to += shift;
    if (q->earliest != INT64_MIN)
        q->earliest += shift;
    if (q->latest != INT64_MAX)
        q->latest += shift;
    for (size_t i = 0; i < q->nbusy; i++)
        pq->busy[i] = (struct interval){pq->busy[i].start + shift, pq->busy[i].end + shift};
    for (size_t i = 0; i < q->noff; i++)
        pq->off[i] = (struct interval){pq->off[i].start + shift, pq->off[i].end + shift};
    int64_t day0 = floor_div(q->from, 86400);
    for (size_t r = 0; r < q->nrules; r++) {
        struct hours_rule *h = &pq->rules[r];
        pq->zone_names[r] = rrange(0, 3) ? name : far_zones[rnd() % UNIT_ARRAY_LEN(far_zones)];
        h->tz = zone(pq->zone_names[r]);
        h->weekday = rrange(0, 3) ? weekday_of(day0 + rrange(-1, 3)) : (int)rrange(1, 7);
        if (h->valid_from != DAY_UNBOUNDED_LOW)
            h->valid_from += days;
        if (h->valid_to != DAY_UNBOUNDED_HIGH)
            h->valid_to += days;
    }
}

static int cmp_start_location(const void *a, const void *b)
{
    const struct slot *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->location > y->location) - (x->location < y->location);
}

/* The free slots of q by their definition, the long way: each grid time of each rule
 * on every local day within three of the window, converted one by one with
 * tz_local_to_utc, checked against every booking and time off one by one.  Sorted by
 * start, then location; two rules may offer the same start (the caller keeps the
 * lowest location).  Returns the count, or SIZE_MAX past max. */
static size_t slots_the_long_way(const struct slot_query *q, struct slot *out, size_t max)
{
    int64_t lo = q->from > q->earliest ? q->from : q->earliest;
    int64_t hi = q->to < q->latest ? q->to : q->latest;
    if (q->duration_min <= 0 || q->step_min <= 0 || q->from >= q->to || lo >= hi)
        return 0;
    int64_t dur = (int64_t)q->duration_min * 60, step = (int64_t)q->step_min * 60;
    size_t n = 0;
    for (size_t r = 0; r < q->nrules; r++) {
        const struct hours_rule *h = &q->rules[r];
        int64_t open = (int64_t)h->start_min * 60;
        int64_t length = (int64_t)h->end_min * 60 - open + (h->end_min <= h->start_min ? 86400 : 0);
        for (int64_t day = floor_div(lo, 86400) - 3; day <= floor_div(hi, 86400) + 3; day++) {
            bool on = weekday_of(day) == h->weekday && day >= h->valid_from && day <= h->valid_to;
            for (int64_t k = 0; on && k * step + dur <= length; k++) {
                int64_t wall = day * 86400 + open + k * step, s, e, other;
                bool exists = tz_local_to_utc(h->tz, wall, &s, &other) > 0 &&
                              tz_local_to_utc(h->tz, wall + dur, &e, &other) > 0;
                if (!exists || e - s != dur || s < lo || s >= hi || hits(s, e, q->off, q->noff) ||
                    hits(s - (int64_t)q->buffer_before_min * 60,
                         e + (int64_t)q->buffer_after_min * 60, q->busy, q->nbusy))
                    continue;
                if (n == max)
                    return SIZE_MAX;
                out[n++] = (struct slot){s, e, h->location};
            }
        }
    }
    qsort(out, n, sizeof(*out), cmp_start_location);
    return n;
}

#define FAR_ITERATIONS 4000

/* slots_compute gives what the long way gives, slot for slot, in zones and years of
 * every kind (its shortcut for days without a clock change must never show). */
static void test_far_zones(void **state)
{
    (void)state;
    rng_state = 0xd1b54a32d192ed03ULL;
    struct slot *out = slot_buffer();
    struct slot *want = slot_buffer();
    size_t slots = 0, nonempty = 0, near_change = 0;
    for (int iter = 0; iter < FAR_ITERATIONS; iter++) {
        struct prop_query pq;
        random_far_query(&pq);
        size_t n = slots_compute(&pq.q, out, PROP_MAXOUT);
        size_t m = slots_the_long_way(&pq.q, want, PROP_MAXOUT);
        if (m == SIZE_MAX || n > PROP_MAXOUT)
            fail_msg("iteration %d: more slots than the test's buffer", iter);
        /* each start the long way found, at its lowest location, in order */
        size_t k = 0;
        for (size_t i = 0; i < m; i++) {
            if (i > 0 && want[i].start == want[i - 1].start)
                continue;
            if (k < n && out[k].start == want[i].start && out[k].end == want[i].end &&
                out[k].location == want[i].location) {
                k++;
                continue;
            }
            char b1[32], b2[32];
            fail_msg("iteration %d (%s, from %s): slot %zu is %s (location %d), the long way "
                     "finds %s (location %d)",
                     iter, pq.zone_names[0], utc_text(pq.q.from, b1, sizeof(b1)), k,
                     k < n ? utc_text(out[k].start, b2, sizeof(b2)) : "none",
                     k < n ? out[k].location : -1, utc_text(want[i].start, b1, sizeof(b1)),
                     want[i].location);
        }
        if (k != n)
            fail_msg("iteration %d (%s): %zu slots, the long way finds %zu", iter,
                     pq.zone_names[0], n, k);
        slots += n;
        nonempty += n > 0;
        for (size_t i = 0; i < n; i++) {
            const struct tz *z = pq.q.rules[out[i].location].tz;
            near_change += tz_offset_at(z, out[i].start - 3 * 3600) !=
                           tz_offset_at(z, out[i].end + 3 * 3600);
        }
    }
    free(out);
    free(want);
    print_message("far zones: %zu slots in %zu non-empty answers of %d, %zu within 3 hours "
                  "of a clock change\n",
                  slots, nonempty, FAR_ITERATIONS, near_change);
    assert_true(nonempty > FAR_ITERATIONS / 4);
    assert_true(near_change > 500);
}

/* ---- slots_answer_json -------------------------------------------------------------- */

/* The answer as the handler built it before slots_answer_json: jansson objects, each
 * instant formatted with the zone's offset at it, dumped compact. */
static char *answer_by_jansson(const struct slots_answer *a, const struct slot *v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char st[40], en[40];
        rfc3339_format(v[i].start, tz_offset_at(a->tz, v[i].start), st, sizeof(st));
        rfc3339_format(v[i].end, tz_offset_at(a->tz, v[i].end), en, sizeof(en));
        const char *loc = v[i].location >= 0 && (size_t)v[i].location < a->nlocations
                              ? a->location_ids[v[i].location]
                              : "";
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "start", st, "end", en,
                                             "location_id", loc));
    }
    json_t *doc = json_pack("{s:s, s:s, s:s, s:o}", "practitioner_id", a->practitioner_id,
                            "service_id", a->service_id, "timezone", tz_name(a->tz), "slots",
                            arr);
    if (!doc)
        fail_msg("json_pack refused the answer");
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

static void check_answer(const struct slots_answer *a, const struct slot *v, size_t n,
                         const char *what)
{
    char *want = answer_by_jansson(a, v, n);
    size_t len = 12345;
    char *got = slots_answer_json(a, v, n, &len);
    if (len != strlen(want) || strcmp(got, want) != 0) {
        size_t i = 0;
        while (got[i] && got[i] == want[i])
            i++;
        char msg[256];
        snprintf(msg, sizeof(msg), "%s: differs from jansson at byte %zu of %zu: \"%.40s\" "
                 "against \"%.40s\"", what, i, strlen(want), got + i, want + i);
        free(got);
        free(want);
        fail_msg("%s", msg);
    }
    assert_int_equal(got[len], '\0');
    free(got);
    free(want);
}

static const char *const answer_ids[] = {
    "02e05936-34a4-4da3-a086-c4c19af24a3e", "4b995b4a-bb05-4293-a177-7b17774bf5d3",
    "345690ef-72dc-45cf-a1d7-b0d4d171065f", "0a030625-7a92-4962-a9ec-b00f0c2824c6",
};

/* The slots of every row of the table above, in the row's zone, with locations 0 to 3
 * named (some rows use 7: out of range, ""). */
static void test_answer_rows(void **state)
{
    (void)state;
    for (size_t r = 0; r < UNIT_ARRAY_LEN(slots_cases); r++) {
        struct hours_rule rules[MAXRULES];
        struct interval busy[MAXSPANS], off[MAXSPANS];
        struct slot_query q;
        build_query(&slots_cases[r], rules, busy, off, &q);
        struct slot *v = NULL;
        size_t n = slots_compute_all(&q, &v);
        struct slots_answer a = {answer_ids[0], answer_ids[1], zone(slots_cases[r].zone),
                                 answer_ids, UNIT_ARRAY_LEN(answer_ids)};
        check_answer(&a, v, n, slots_cases[r].what);
        free(v);
    }
}

/* Random slots in every zone of the far list, from 1900 to 2045 and near clock
 * changes (an end may lie across one), with locations in and out of range. */
static void test_answer_random(void **state)
{
    (void)state;
    rng_state = 0x94d049bb133111ebULL;
    enum { N = 400 };
    struct slot *v = malloc(N * sizeof(*v));
    assert_non_null(v);
    for (size_t zi = 0; zi < UNIT_ARRAY_LEN(far_zones); zi++) {
        const struct tz *z = zone(far_zones[zi]);
        for (int round = 0; round < 6; round++) {
            int64_t t = ts("1900-01-01T00:00Z") + rrange(0, 145LL * 365 * 86400);
            if (round % 2)
                t = day_before_change(z, t) + rrange(-86400, 86400);
            t = t / 300 * 300;
            for (size_t i = 0; i < N; i++) {
                t += rrange(0, 8) * 900;
                v[i] = (struct slot){t, t + rrange(1, 32) * 900 - (round == 5 ? 1 : 0),
                                     (int)rrange(-2, 5)};
            }
            struct slots_answer a = {answer_ids[2], answer_ids[3], z, answer_ids,
                                     (size_t)rrange(0, 4)};
            check_answer(&a, v, N, far_zones[zi]);
        }
    }
    free(v);
}

/* Strings that need escaping come out as jansson writes them; an answer without slots
 * and one without locations too. */
static void test_answer_strings(void **state)
{
    (void)state;
    static const char *const odd[] = {
        "",
        "plain",
        "quote \" and backslash \\ and slash /",
        "\b\f\n\r\t",
        "\x01\x02\x1f controls \x7f",
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
        "\"",
        "\\",
        "ends with a control\x1e",
    };
    struct slot v[3] = {{1772964000, 1772967600, 0}, {1772967600, 1772971200, 1},
                        {1772971200, 1772974800, 2}};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(odd); i++) {
        const char *ids[3] = {odd[i], odd[(i + 1) % UNIT_ARRAY_LEN(odd)], answer_ids[0]};
        struct slots_answer a = {odd[i], odd[(i + 2) % UNIT_ARRAY_LEN(odd)], zone(NY), ids, 3};
        check_answer(&a, v, 3, odd[i]);
        check_answer(&a, v, 0, "no slots");
        a.nlocations = 0;
        check_answer(&a, v, 3, "no locations");
    }
}

/* ---- slots_within_hours ------------------------------------------------------------- */

struct within_case {
    const char *what;
    const char *zone;
    struct rule_spec rules[MAXRULES];
    const char *start, *end;
    bool want;
};

static const struct within_case within_cases[] = {
    {"inside", BERLIN, {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     MON "T09:00+01:00", MON "T10:00+01:00", true},
    {"exactly the hours", BERLIN, {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     MON "T09:00+01:00", MON "T12:00+01:00", true},
    {"ending at closing time", BERLIN, {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     MON "T11:00+01:00", MON "T12:00+01:00", true},
    {"running past closing time", BERLIN, {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     MON "T11:30+01:00", MON "T12:30+01:00", false},
    {"starting before opening", BERLIN, {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     MON "T08:59+01:00", MON "T09:30+01:00", false},
    {"another weekday", BERLIN, {{1, "09:00-12:00", NULL, NULL, 0, NULL}},
     "2026-02-03T09:00+01:00", "2026-02-03T10:00+01:00", false},
    {"rule no longer valid", BERLIN, {{1, "09:00-12:00", NULL, "2026-02-01", 0, NULL}},
     MON "T09:00+01:00", MON "T10:00+01:00", false},
    {"rule not yet valid", BERLIN, {{1, "09:00-12:00", "2026-02-03", NULL, 0, NULL}},
     MON "T09:00+01:00", MON "T10:00+01:00", false},
    {"across two rules that touch", BERLIN,
     {{1, "09:00-10:00", NULL, NULL, 0, NULL}, {1, "10:00-11:00", NULL, NULL, 0, NULL}},
     MON "T09:30+01:00", MON "T10:30+01:00", false},
    {"inside the second rule", BERLIN,
     {{1, "09:00-10:00", NULL, NULL, 0, NULL}, {1, "10:00-11:00", NULL, NULL, 0, NULL}},
     MON "T10:00+01:00", MON "T10:30+01:00", true},
    {"no rules", BERLIN, {{0}}, MON "T09:00+01:00", MON "T10:00+01:00", false},
    {"past midnight, after midnight", BERLIN, {{5, "22:00-02:00", NULL, NULL, 0, NULL}},
     "2026-02-07T01:00+01:00", "2026-02-07T02:00+01:00", true},
    {"past midnight, across midnight", BERLIN, {{5, "22:00-02:00", NULL, NULL, 0, NULL}},
     "2026-02-06T23:30+01:00", "2026-02-07T00:30+01:00", true},
    {"past midnight, past the end", BERLIN, {{5, "22:00-02:00", NULL, NULL, 0, NULL}},
     "2026-02-07T01:30+01:00", "2026-02-07T02:30+01:00", false},
    {"another zone's rule", BERLIN, {{1, "09:00-12:00", NULL, NULL, 0, NY}},
     MON "T09:00+01:00", MON "T10:00+01:00", false},
    {"another zone's rule, its own 09:00", BERLIN, {{1, "09:00-12:00", NULL, NULL, 0, NY}},
     MON "T09:00-05:00", MON "T10:00-05:00", true},
    /* the slots slots_compute offers when the hours open or close inside a gap or a
     * repeated hour (see the slots_compute cases above) are inside the hours */
    {"NY hours 02:30-05:00 on 2026-03-08, the offered 03:00-03:30 EDT", NY,
     {{7, "02:30-05:00", NULL, NULL, 0, NULL}},
     "2026-03-08T03:00-04:00", "2026-03-08T03:30-04:00", true},
    {"NY hours 02:30-05:00 on 2026-03-08, the offered 04:30-05:00 EDT", NY,
     {{7, "02:30-05:00", NULL, NULL, 0, NULL}},
     "2026-03-08T04:30-04:00", "2026-03-08T05:00-04:00", true},
    {"NY hours 00:00-02:30 on 2026-03-08, the offered 01:00-01:30 EST", NY,
     {{7, "00:00-02:30", NULL, NULL, 0, NULL}},
     "2026-03-08T01:00-05:00", "2026-03-08T01:30-05:00", true},
    {"NY hours 00:00-01:30 on 2026-11-01, 01:00-01:30 EDT (first pass)", NY,
     {{7, "00:00-01:30", NULL, NULL, 0, NULL}},
     "2026-11-01T01:00-04:00", "2026-11-01T01:30-04:00", true},
    {"Berlin hours 02:30-05:00 on 2026-03-29, the offered 03:00-03:30 CEST", BERLIN,
     {{7, "02:30-05:00", NULL, NULL, 0, NULL}},
     "2026-03-29T03:00+02:00", "2026-03-29T03:30+02:00", true},
    /* ...and a booking before a gap is not inside hours that open after it */
    {"Berlin hours 02:30-05:00 on 2026-03-29, 01:30-02:00 CET before the gap", BERLIN,
     {{7, "02:30-05:00", NULL, NULL, 0, NULL}},
     "2026-03-29T01:30+01:00", "2026-03-29T02:00+01:00", false},
    {"Sydney hours 02:30-05:00 on 2026-10-04, 01:30-02:00 AEST before the gap",
     "Australia/Sydney", {{7, "02:30-05:00", NULL, NULL, 0, NULL}},
     "2026-10-04T01:30+10:00", "2026-10-04T02:00+10:00", false},
    {"NY hours 02:30-05:00 on 2026-03-08, 01:30-02:00 EST before the gap", NY,
     {{7, "02:30-05:00", NULL, NULL, 0, NULL}},
     "2026-03-08T01:30-05:00", "2026-03-08T01:59-05:00", false},
};

static void test_within_row(void **state)
{
    const struct within_case *c = UNIT_ROW(struct within_case, state);
    struct slots_case sc;
    memset(&sc, 0, sizeof(sc));
    sc.zone = c->zone;
    memcpy(sc.rules, c->rules, sizeof(sc.rules));
    sc.from = sc.to = c->start; /* unused here */
    struct hours_rule rules[MAXRULES];
    struct interval busy[MAXSPANS], off[MAXSPANS];
    struct slot_query q;
    build_query(&sc, rules, busy, off, &q);
    assert_int_equal(slots_within_hours(rules, q.nrules, ts(c->start), ts(c->end)), c->want);
}

/* Every slot slots_compute offers is inside the hours by slots_within_hours: the
 * schedule check after a change must not call an offered slot stranded. */
static void test_within_agrees(void **state)
{
    (void)state;
    rng_state = 0x2545f4914f6cdd1dULL;
    struct slot *out = slot_buffer();
    size_t checked = 0;
    for (int iter = 0; iter < PROP_ITERATIONS; iter++) {
        struct prop_query pq;
        random_query(&pq);
        size_t n = slots_compute(&pq.q, out, PROP_MAXOUT);
        if (n > PROP_MAXOUT)
            n = PROP_MAXOUT;
        for (size_t i = 0; i < n; i++, checked++) {
            if (slots_within_hours(pq.q.rules, pq.q.nrules, out[i].start, out[i].end))
                continue;
            const struct hours_rule *h = &pq.q.rules[out[i].location];
            char b1[32], b2[32], why[256];
            snprintf(why, sizeof(why),
                     "iteration %d: offered slot %s-%s (rule %d: %s weekday %d %02d:%02d-"
                     "%02d:%02d) is outside the hours by slots_within_hours",
                     iter, utc_text(out[i].start, b1, sizeof(b1)),
                     utc_text(out[i].end, b2, sizeof(b2)), out[i].location,
                     pq.zone_names[out[i].location], h->weekday, h->start_min / 60,
                     h->start_min % 60, h->end_min / 60, h->end_min % 60);
            free(out);
            fail_msg("%s", why);
        }
    }
    free(out);
    assert_true(checked > 10000);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(slots_cases); i++)
        unit_add(&s, test_slots_row, &slots_cases[i], "slots_compute[%zu] %s", i,
                 slots_cases[i].what);
    unit_add(&s, test_max_smaller, NULL, "slots_compute with max smaller than the count");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(bad_cases); i++)
        unit_add(&s, test_bad_row, &bad_cases[i], "slots_compute nonsense[%zu] %s", i,
                 bad_cases[i].what);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(blocked_cases); i++)
        unit_add(&s, test_blocked_row, &blocked_cases[i], "slots_blocked[%zu] -%d +%d", i,
                 blocked_cases[i].before, blocked_cases[i].after);
    unit_add(&s, test_properties, NULL, "slots_compute properties, %d random queries",
             PROP_ITERATIONS);
    unit_add(&s, test_far_zones, NULL,
             "slots_compute as the long way in far zones and years, %d random queries",
             FAR_ITERATIONS);
    unit_add(&s, test_answer_rows, NULL, "slots_answer_json as jansson, the table's slots");
    unit_add(&s, test_answer_random, NULL, "slots_answer_json as jansson, random slots");
    unit_add(&s, test_answer_strings, NULL, "slots_answer_json as jansson, escaped strings");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(within_cases); i++)
        unit_add(&s, test_within_row, &within_cases[i], "slots_within_hours[%zu] %s", i,
                 within_cases[i].what);
    unit_add(&s, test_within_agrees, NULL,
             "slots_within_hours holds for every offered slot, %d random queries",
             PROP_ITERATIONS);
    return unit_run(&s, "slots", NULL, NULL);
}
