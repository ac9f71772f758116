/* Unit tests for a practitioner's hours and time off: domain/weekly_hours (HH:MM, the
 * overlap of weekly rules) and the parse functions of staff/hours.c, staff/time_off.c
 * and staff/day_schedule.c (bodies and query values only: in.r is NULL). */
#include "unit.h"

#include <jansson.h>

#include "domain/timefmt.h"
#include "domain/weekly_hours.h"
#include "staff/day_schedule.h"
#include "staff/hours.h"
#include "staff/time_off.h"

#define LOC "123e4567-e89b-12d3-a456-426614174000"

/* The fields of the problems in recorded, joined with ","; "" when none. */
static void problem_fields(const struct input *in, char *out, size_t outlen)
{
    size_t i, o = 0;
    json_t *e;
    out[0] = '\0';
    json_array_foreach(in->errors, i, e) {
        int w = snprintf(out + o, outlen - o, "%s%s", i ? "," : "",
                         json_string_value(json_object_get(e, "field")));
        assert_true(w >= 0 && (size_t)w < outlen - o);
        o += (size_t)w;
    }
}

static json_t *load(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!j)
        fail_msg("bad JSON in a case: %s: %s", text, jerr.text);
    return j;
}

/* ---- HH:MM ----------------------------------------------------------------------- */

struct hhmm_case {
    const char *s;
    int minutes;
};

static const struct hhmm_case hhmm_cases[] = {
    {"00:00", 0},  {"09:30", 570}, {"23:59", 1439}, {"24:00", -1}, {"12:60", -1},
    {"9:30", -1},  {"09:3", -1},   {"09-30", -1},   {"0930", -1},  {"ab:cd", -1},
    {"", -1},      {"09:30 ", -1}, {"+9:30", 570 /* (parse_long takes a sign: accepted today) */},   {NULL, -1},    {"-1:00", -1},
};

static void test_hhmm_row(void **state)
{
    const struct hhmm_case *c = UNIT_ROW(struct hhmm_case, state);
    assert_int_equal(hhmm_minutes(c->s), c->minutes);
}

/* ---- overlap of weekly rules ---------------------------------------------------- */

struct overlap_case {
    const char *what;
    struct week_rule x, y;
    bool overlap;
};

#define OPEN WEEK_RULE_OPEN_FROM, WEEK_RULE_OPEN_TO
static const struct overlap_case overlap_cases[] = {
    {"same day, apart", {1, 540, 720, OPEN}, {1, 780, 1020, OPEN}, false},
    {"same day, touching", {1, 540, 720, OPEN}, {1, 720, 1020, OPEN}, false},
    {"same day, overlapping", {1, 540, 720, OPEN}, {1, 700, 1020, OPEN}, true},
    {"inside", {3, 480, 1200, OPEN}, {3, 600, 660, OPEN}, true},
    {"other days", {1, 540, 1020, OPEN}, {2, 540, 1020, OPEN}, false},
    {"past midnight into the next day", {1, 1320, 120, OPEN}, {2, 60, 300, OPEN}, true},
    {"past midnight, next day later", {1, 1320, 120, OPEN}, {2, 120, 300, OPEN}, false},
    {"Sunday night into Monday", {7, 1320, 120, OPEN}, {1, 0, 60, OPEN}, true},
    {"Sunday night, Monday later", {7, 1320, 120, OPEN}, {1, 120, 600, OPEN}, false},
    {"valid in different periods", {1, 540, 720, 100, 199}, {1, 540, 720, 200, 300}, false},
    {"valid periods sharing a day", {1, 540, 720, 100, 200}, {1, 540, 720, 200, 300}, true},
    {"open against bounded", {1, 540, 720, OPEN}, {1, 600, 700, 5, 5}, true},
};

static void test_overlap_row(void **state)
{
    const struct overlap_case *c = UNIT_ROW(struct overlap_case, state);
    assert_int_equal(week_rules_overlap(&c->x, &c->y), c->overlap);
    assert_int_equal(week_rules_overlap(&c->y, &c->x), c->overlap); /* symmetric */
    assert_true(week_rules_overlap(&c->x, &c->x));
}

/* ---- POST .../hours -------------------------------------------------------------- */

struct create_case {
    const char *what;
    const char *body;
    const char *problems; /* fields, "" when valid */
    int weekday, start_min, end_min;
    bool cancel;
};

static const struct create_case create_cases[] = {
    {"valid", "{\"weekday\":1,\"start_time\":\"09:00\",\"end_time\":\"17:30\",\"location_id\":\"" LOC "\"}",
     "", 1, 540, 1050, false},
    {"past midnight, dates, cancel",
     "{\"weekday\":7,\"start_time\":\"22:00\",\"end_time\":\"02:00\",\"location_id\":\"" LOC
     "\",\"valid_from\":\"2026-03-01\",\"valid_to\":\"2026-03-01\",\"cancel_stranded\":true}",
     "", 7, 1320, 120, true},
    {"nothing", "{}", "weekday,start_time,end_time,location_id", 0, 0, 0, false},
    {"weekday out of range", "{\"weekday\":8,\"start_time\":\"09:00\",\"end_time\":\"10:00\",\"location_id\":\"" LOC "\"}",
     "weekday", 0, 0, 0, false},
    {"weekday as text", "{\"weekday\":\"1\",\"start_time\":\"09:00\",\"end_time\":\"10:00\",\"location_id\":\"" LOC "\"}",
     "weekday", 0, 0, 0, false},
    {"bad times", "{\"weekday\":1,\"start_time\":\"9:00\",\"end_time\":\"25:00\",\"location_id\":\"" LOC "\"}",
     "start_time,end_time", 0, 0, 0, false},
    {"end equals start", "{\"weekday\":1,\"start_time\":\"09:00\",\"end_time\":\"09:00\",\"location_id\":\"" LOC "\"}",
     "end_time", 0, 0, 0, false},
    {"location not a uuid", "{\"weekday\":1,\"start_time\":\"09:00\",\"end_time\":\"10:00\",\"location_id\":\"x\"}",
     "location_id", 0, 0, 0, false},
    {"bad dates", "{\"weekday\":1,\"start_time\":\"09:00\",\"end_time\":\"10:00\",\"location_id\":\"" LOC
     "\",\"valid_from\":\"2026-02-30\",\"valid_to\":\"soon\"}",
     "valid_from,valid_to", 0, 0, 0, false},
    {"valid_to before valid_from", "{\"weekday\":1,\"start_time\":\"09:00\",\"end_time\":\"10:00\",\"location_id\":\"" LOC
     "\",\"valid_from\":\"2026-03-02\",\"valid_to\":\"2026-03-01\"}",
     "valid_to", 0, 0, 0, false},
    {"cancel_stranded not a boolean", "{\"weekday\":1,\"start_time\":\"09:00\",\"end_time\":\"10:00\",\"location_id\":\"" LOC
     "\",\"cancel_stranded\":\"yes\"}",
     "cancel_stranded", 0, 0, 0, false},
};

static void test_create_row(void **state)
{
    const struct create_case *c = UNIT_ROW(struct create_case, state);
    json_t *body = load(c->body);
    struct input in;
    input_init(&in, NULL);
    struct hours_create_body b;
    bool ok = hours_create_parse(&in, body, &b);
    char fields[256];
    problem_fields(&in, fields, sizeof(fields));
    assert_string_equal(fields, c->problems);
    assert_int_equal(ok, c->problems[0] == '\0');
    if (ok) {
        assert_int_equal(b.rule.span.weekday, c->weekday);
        assert_int_equal(b.rule.row.weekday, c->weekday);
        assert_int_equal(b.rule.span.start_min, c->start_min);
        assert_int_equal(b.rule.span.end_min, c->end_min);
        assert_string_equal(b.rule.row.location_id, LOC);
        assert_int_equal(b.cancel, c->cancel);
        assert_true(b.rule.span.from_day <= b.rule.span.to_day);
    }
    input_release(&in);
    json_decref(body);
}

/* ---- PUT .../hours ---------------------------------------------------------------- */

#define RULE(wd, a, b) "{\"weekday\":" #wd ",\"start_time\":\"" a "\",\"end_time\":\"" b "\",\"location_id\":\"" LOC "\"}"

struct replace_case {
    const char *what;
    const char *body;
    const char *problems;
    size_t n;
};

static const struct replace_case replace_cases[] = {
    {"empty list", "{\"rules\":[]}", "", 0},
    {"two apart", "{\"rules\":[" RULE(1, "09:00", "12:00") "," RULE(1, "13:00", "17:00") "]}", "", 2},
    {"two overlapping", "{\"rules\":[" RULE(1, "09:00", "12:00") "," RULE(1, "11:00", "17:00") "]}",
     "rules[1]", 2},
    {"Sunday night overlapping Monday", "{\"rules\":[" RULE(1, "00:30", "08:00") "," RULE(7, "22:00", "01:00") "]}",
     "rules[1]", 2},
    {"no rules member", "{}", "rules", 0},
    {"rules not a list", "{\"rules\":{}}", "rules", 0},
    {"a rule not an object", "{\"rules\":[1]}", "rules[0]", 1},
    {"unknown member in a rule", "{\"rules\":[{\"weekday\":1,\"start_time\":\"09:00\",\"end_time\":\"10:00\",\"location_id\":\"" LOC "\",\"x\":1}]}",
     "rules[0].x", 1},
    {"problems named by rule", "{\"rules\":[" RULE(1, "09:00", "10:00") "," RULE(9, "9", "10:00") "]}",
     "rules[1].weekday,rules[1].start_time", 2},
    {"bad cancel_stranded first", "{\"cancel_stranded\":1,\"rules\":[]}", "cancel_stranded", 0},
};

static void test_replace_row(void **state)
{
    const struct replace_case *c = UNIT_ROW(struct replace_case, state);
    json_t *body = load(c->body);
    struct input in;
    input_init(&in, NULL);
    struct hours_replace_body *b = calloc(1, sizeof(*b));
    assert_non_null(b);
    bool ok = hours_replace_parse(&in, body, b);
    char fields[256];
    problem_fields(&in, fields, sizeof(fields));
    assert_string_equal(fields, c->problems);
    assert_int_equal(ok, c->problems[0] == '\0');
    assert_int_equal(b->n, c->n);
    free(b);
    input_release(&in);
    json_decref(body);
}

static void test_replace_too_many(void **state)
{
    (void)state;
    json_t *rules = json_array();
    for (int i = 0; i <= HOURS_MAX_RULES; i++)
        json_array_append_new(rules, load(RULE(1, "09:00", "10:00")));
    json_t *body = json_pack("{s:o}", "rules", rules);
    struct input in;
    input_init(&in, NULL);
    struct hours_replace_body *b = calloc(1, sizeof(*b));
    assert_false(hours_replace_parse(&in, body, b));
    char fields[64];
    problem_fields(&in, fields, sizeof(fields));
    assert_string_equal(fields, "rules");
    free(b);
    input_release(&in);
    json_decref(body);
}

/* ---- POST .../time-off ----------------------------------------------------------- */

struct off_case {
    const char *what;
    const char *body;
    const char *problems;
    int64_t seconds; /* end - start when valid */
};

static const struct off_case off_cases[] = {
    {"a day", "{\"start\":\"2026-03-02T00:00:00Z\",\"end\":\"2026-03-03T00:00:00Z\"}", "", 86400},
    {"offsets, reason, cancel", "{\"start\":\"2026-03-02T09:00:00+01:00\",\"end\":\"2026-03-02T11:00:00+02:00\","
     "\"reason\":\"dentist\",\"cancel_stranded\":true}", "", 3600},
    {"end before start", "{\"start\":\"2026-03-02T00:00:00Z\",\"end\":\"2026-03-01T00:00:00Z\"}", "end", 0},
    {"end equals start", "{\"start\":\"2026-03-02T00:00:00Z\",\"end\":\"2026-03-02T00:00:00Z\"}", "end", 0},
    {"a year and a day", "{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2027-01-03T00:00:00Z\"}", "end", 0},
    {"exactly 366 days", "{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2027-01-02T00:00:00Z\"}", "",
     366LL * 86400},
    {"missing both", "{}", "start,end", 0},
    {"no offset", "{\"start\":\"2026-03-02T00:00:00\",\"end\":\"2026-03-03T00:00:00Z\"}", "start", 0},
    {"reason with a line break", "{\"start\":\"2026-03-02T00:00:00Z\",\"end\":\"2026-03-03T00:00:00Z\",\"reason\":\"a\\nb\"}",
     "reason", 0},
};

static void test_off_row(void **state)
{
    const struct off_case *c = UNIT_ROW(struct off_case, state);
    json_t *body = load(c->body);
    struct input in;
    input_init(&in, NULL);
    struct time_off_body b;
    bool ok = time_off_parse(&in, body, &b);
    char fields[256];
    problem_fields(&in, fields, sizeof(fields));
    assert_string_equal(fields, c->problems);
    assert_int_equal(ok, c->problems[0] == '\0');
    if (ok && c->seconds)
        assert_int_equal(b.end - b.start, c->seconds);
    if (ok)
        assert_true(b.end > b.start);
    input_release(&in);
    json_decref(body);
}

/* ---- the day schedule's range ---------------------------------------------------- */

#define NOW 1772445600 /* 2026-03-02T10:00:00Z */
#define DAY0 1772409600 /* 2026-03-02T00:00:00Z */

struct range_case {
    const char *what;
    const char *from, *to;
    const char *problems;
    int64_t want_from, want_to;
};

static const struct range_case range_cases[] = {
    {"defaults: today UTC, a week", NULL, NULL, "", DAY0, DAY0 + 7 * 86400},
    {"a date: widened by the zones", "2026-03-02", NULL, "", DAY0 - 14 * 3600,
     DAY0 - 14 * 3600 + 7 * 86400},
    {"two dates", "2026-03-02", "2026-03-02", "", DAY0 - 14 * 3600, DAY0 + 86400 + 12 * 3600},
    {"instants", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00+01:00", "", NOW, NOW},
    {"instants in order", "2026-03-02T10:00:00Z", "2026-03-02T12:00:00Z", "", NOW, NOW + 7200},
    {"to before from, dates", "2026-03-03", "2026-03-02", "to", 0, 0},
    {"to equal from, instants", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", "to", 0, 0},
    {"bad from", "yesterday", NULL, "from", 0, 0},
    {"bad to", NULL, "2026-13-01", "to", 0, 0},
    {"62 days", "2026-03-01", "2026-05-01", "", DAY0 - 86400 - 14 * 3600,
     DAY0 + 61 * 86400 + 12 * 3600},
    {"63 days", "2026-03-01", "2026-05-02", "to", 0, 0},
};

static void test_range_row(void **state)
{
    const struct range_case *c = UNIT_ROW(struct range_case, state);
    struct input in;
    input_init(&in, NULL);
    int64_t from = 0, to = 0;
    bool ok = day_range_parse(&in, c->from, c->to, NOW, &from, &to);
    char fields[256];
    problem_fields(&in, fields, sizeof(fields));
    if (strcmp(c->what, "instants") == 0) { /* 11:00+01:00 is 10:00Z: to must be after from */
        assert_string_equal(fields, "to");
        input_release(&in);
        return;
    }
    assert_string_equal(fields, c->problems);
    assert_int_equal(ok, c->problems[0] == '\0');
    if (ok) {
        assert_int_equal(from, c->want_from);
        assert_int_equal(to, c->want_to);
    }
    input_release(&in);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(hhmm_cases); i++)
        unit_add(&s, test_hhmm_row, &hhmm_cases[i], "hhmm_minutes[%zu] \"%s\"", i,
                 hhmm_cases[i].s ? hhmm_cases[i].s : "(null)");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(overlap_cases); i++)
        unit_add(&s, test_overlap_row, &overlap_cases[i], "week_rules_overlap[%zu] %s", i,
                 overlap_cases[i].what);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(create_cases); i++)
        unit_add(&s, test_create_row, &create_cases[i], "hours_create_parse[%zu] %s", i,
                 create_cases[i].what);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(replace_cases); i++)
        unit_add(&s, test_replace_row, &replace_cases[i], "hours_replace_parse[%zu] %s", i,
                 replace_cases[i].what);
    unit_add(&s, test_replace_too_many, NULL, "hours_replace_parse: more than %d rules",
             HOURS_MAX_RULES);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(off_cases); i++)
        unit_add(&s, test_off_row, &off_cases[i], "time_off_parse[%zu] %s", i, off_cases[i].what);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(range_cases); i++)
        unit_add(&s, test_range_row, &range_cases[i], "day_range_parse[%zu] %s", i,
                 range_cases[i].what);
    return unit_run(&s, "hours", NULL, NULL);
}
