/* libFuzzer harness: the JSON body validation of the write endpoints (bookings,
 * series, waitlist, and the staff writes: clinic, hours, time off, bookings,
 * locations, services, practitioners, API keys), and the RFC 3339, date and cursor
 * parsers, on one arbitrary body.
 *
 * Each write handler checks its body before it touches the database.  The checking
 * helpers are called here as the handlers call them: the public ones of api/common.c,
 * booking/bookings.c (booking_parse, cancel_parse, reschedule_parse, series_parse,
 * waitlist_parse, booking_status_parse), the parse functions of the staff's clinic,
 * locations, services, practitioners and API keys (staff/clinic.h, ...), of weekly
 * hours and time off (staff/hours.h, staff/time_off.h).  The handlers
 * themselves are never called: past their checks they query the database.  Where a
 * handler lists its checks inline (bookings_create, series_create, ...), the same
 * calls are repeated below, in the handler's order, with its field lists.
 *
 * Checked on every input: no crash, no leak, no undefined behaviour; a recorded
 * problem is a well-formed {field, message} entry (and only problems make
 * input_ok false); what a check accepts honours the helper's contract. */
#include <math.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "staff/api_keys.h"
#include "staff/clinic.h"
#include "staff/locations.h"
#include "staff/practitioners.h"
#include "staff/services.h"

#include "booking/bookings.h"
#include "domain/practitioner_check.h"
#include "staff/day_schedule.h"
#include "staff/hours.h"
#include "staff/time_off.h"
#include "domain/cursor.h"
#include "domain/timefmt.h"
#include "util/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz_json_body: %s:%d: invariant failed: %s\n", __FILE__,  \
                    __LINE__, #cond);                                                    \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* --- a request that never reaches the network ------------------------------------ */

static struct req fake;

static void req_reset(void)
{
    if (fake.response)
        MHD_destroy_response(fake.response);
    fake.response = NULL;
    fake.status = 0;
    fake.response_bytes = 0;
}

static bool clean_string(json_t *v)
{
    return json_is_string(v) &&
           is_clean_utf8(json_string_value(v), json_string_length(v)) &&
           strlen(json_string_value(v)) == json_string_length(v);
}

/* Every recorded problem is {field, message}, both strings, the message not empty; none
 * recorded iff input_ok.  Then replies the problems (as the handler does: an MHD
 * response in memory, freed here) or releases nothing. */
static void finish(struct input *in)
{
    CHECK(input_ok(in) == (in->errors == NULL));
    if (input_ok(in)) {
        CHECK(!in->malformed);
        input_release(in);
        return;
    }
    CHECK(json_is_array(in->errors));
    CHECK(json_array_size(in->errors) >= 1);
    size_t i;
    json_t *e;
    json_array_foreach(in->errors, i, e) {
        CHECK(json_is_object(e) && json_object_size(e) == 2);
        json_t *f = json_object_get(e, "field"), *m = json_object_get(e, "message");
        /* text (UTF-8, as JSON needs); it may quote control characters the client
         * sent, JSON-escaped, and the field may be "" (a member named "") */
        CHECK(json_is_string(f));
        CHECK(json_is_string(m) && json_string_length(m) > 0);
    }
    input_reply(in);
    CHECK(in->errors == NULL);
    CHECK(fake.status == 400 || fake.status == 422);
    CHECK(fake.response != NULL);
    req_reset();
}

/* body_only, checking that it records one problem per member not allowed (a problem
 * whose text cannot be put in JSON would be lost). */
static size_t unknown_members(json_t *obj, const char *const *allowed);

static void only(struct input *in, json_t *obj, const char *prefix, const char *const *allowed)
{
    size_t before = json_array_size(in->errors), unknown = unknown_members(obj, allowed);
    body_only(in, obj, prefix, allowed);
    CHECK(json_array_size(in->errors) == before + unknown);
}

/* What body_str (one line) and body_text (several) promise of a string they return. */
static void check_text_of(const char *s, size_t maxlen, enum text_kind kind)
{
    if (!s)
        return;
    size_t len = strlen(s), chars = 0;
    CHECK(is_clean_utf8(s, len));
    CHECK(text_clean(s, len, kind));
    if (kind == TEXT_LINE)
        CHECK(strpbrk(s, "\t\r\n\x7f") == NULL);
    for (size_t i = 0; i < len; i++)
        chars += ((unsigned char)s[i] & 0xc0) != 0x80;
    CHECK(chars >= 1 && chars <= maxlen);
    CHECK(strspn(s, " \t\r\n") < len); /* not blank */
}

static void check_text(const char *s, size_t maxlen)
{
    check_text_of(s, maxlen, TEXT_LINE);
}

static void check_lines(const char *s, size_t maxlen)
{
    check_text_of(s, maxlen, TEXT_LINES);
}

static void check_uuid(const char *s)
{
    if (s)
        CHECK(is_uuid(s));
}

static void check_instant(bool ok, int64_t t)
{
    if (!ok)
        return;
    /* inside the years rfc3339_parse accepts, offsets included */
    CHECK(t >= days_from_civil(1900, 1, 1) * 86400 - 86400);
    CHECK(t <= days_from_civil(10000, 1, 1) * 86400 + 86400);
}

static void check_patient(bool ok, const struct patient *p)
{
    check_text(p->name, 200);
    check_text(p->email, 254);
    check_text(p->phone, 40);
    if (p->email)
        CHECK(plausible_email(p->email));
    if (p->phone)
        CHECK(strspn(p->phone, "0123456789+-() .") == strlen(p->phone));
    CHECK(ok == (p->name && p->email));
}

/* --- bookings, series, waitlist (booking/bookings.c's parse functions) ------------ */

/* How many members of obj are not in allowed: the parse function must record at least
 * one problem for each (body_only's). */
static size_t unknown_members(json_t *obj, const char *const *allowed)
{
    size_t unknown = 0;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, key) == 0;
        unknown += !ok;
    }
    return unknown;
}

static void check_booking(bool ok, const struct booking_req *q)
{
    check_uuid(q->practitioner_id);
    check_uuid(q->service_id);
    check_instant(ok, q->start);
    check_patient(q->patient.name && q->patient.email, &q->patient);
    check_lines(q->notes, 2000);
    if (ok) /* the handler goes on to the database with these */
        CHECK(q->practitioner_id && q->service_id && q->patient.name && q->patient.email);
}

/* bookings_create and staff_bookings_create: booking_parse. */
static void v_booking_create(json_t *body)
{
    static const char *const allowed[] = {"practitioner_id", "service_id", "start", "patient",
                                          "notes", NULL};
    struct input in;
    input_init(&in, &fake);
    struct booking_req q;
    bool ok = booking_parse(&in, body, &q);
    CHECK(ok == input_ok(&in));
    CHECK(json_array_size(in.errors) >= unknown_members(body, allowed));
    check_booking(ok, &q);
    finish(&in);
}

/* bookings_cancel and staff_bookings_cancel: cancel_parse (with and without a body). */
static void v_booking_cancel(json_t *body)
{
    static const char *const allowed[] = {"reason", "scope", NULL};
    struct input in;
    input_init(&in, &fake);
    struct cancel_req c;
    bool ok = cancel_parse(&in, body, &c);
    CHECK(ok == input_ok(&in));
    CHECK(json_array_size(in.errors) >= unknown_members(body, allowed));
    check_lines(c.reason, 500);
    if (c.rest_of_series) {
        const char *scope = json_string_value(json_object_get(body, "scope"));
        CHECK(scope && strcmp(scope, "rest_of_series") == 0);
    }
    finish(&in);
    input_init(&in, &fake);
    CHECK(cancel_parse(&in, NULL, &c) && !c.reason && !c.rest_of_series);
    finish(&in);
}

static void v_booking_reschedule(json_t *body)
{
    static const char *const allowed[] = {"start", NULL};
    struct input in;
    input_init(&in, &fake);
    int64_t start = 0;
    bool ok = reschedule_parse(&in, body, &start);
    CHECK(ok == input_ok(&in));
    CHECK(json_array_size(in.errors) >= unknown_members(body, allowed));
    check_instant(ok, start);
    if (ok)
        CHECK(json_object_get(body, "start") != NULL);
    finish(&in);
}

static void v_series_create(json_t *body)
{
    static const char *const allowed[] = {"practitioner_id", "service_id", "start", "patient",
                                          "notes", "rrule", "on_conflict", NULL};
    struct input in;
    input_init(&in, &fake);
    struct series_req q;
    bool ok = series_parse(&in, body, &q);
    CHECK(json_array_size(in.errors) >= unknown_members(body, allowed));
    check_booking(ok, &q.b);
    check_text(q.rrule, 500);
    CHECK(q.mode != NULL);
    if (ok)
        CHECK(q.rrule && (strcmp(q.mode, "fail") == 0 || strcmp(q.mode, "skip") == 0 ||
                          strcmp(q.mode, "nearest") == 0));
    finish(&in);
}

static void v_waitlist_create(json_t *body)
{
    static const char *const allowed[] = {"practitioner_id", "service_id", "from", "to",
                                          "patient", NULL};
    struct input in;
    input_init(&in, &fake);
    struct waitlist_req q;
    bool ok = waitlist_parse(&in, body, &q);
    CHECK(json_array_size(in.errors) >= unknown_members(body, allowed));
    check_uuid(q.practitioner_id);
    check_uuid(q.service_id);
    check_patient(q.patient.name && q.patient.email, &q.patient);
    if (ok) {
        check_instant(true, q.from);
        check_instant(true, q.to);
        CHECK(q.practitioner_id && q.service_id && q.to > q.from);
        CHECK(q.to - q.from <= (int64_t)WAITLIST_MAX_DAYS * 86400);
    }
    finish(&in);
}

/* --- staff writes (api/staff.c, api/staff_schedule.c, api/staff_directory.c) ------- */

static void v_clinic_patch(json_t *body)
{
    struct input in;
    input_init(&in, &fake);
    only(&in, body, NULL, clinic_patch_fields);
    struct clinic_patch p;
    clinic_patch_parse(&in, body, &p);
    const char *v[5] = {p.min_notice, p.horizon, p.cancel_notice, p.slot_step, p.max_open};
    static const long lo[] = {0, 1, 0, 5, 1}, hi[] = {20160, 730, 720, 60, 1000};
    for (int i = 0; i < 5; i++)
        if (v[i]) {
            long x;
            CHECK(parse_long(v[i], lo[i], hi[i], &x) == 0);
        }
    if (p.slot_step && input_ok(&in))
        CHECK(60 % strtol(p.slot_step, NULL, 10) == 0);
    if (p.website && input_ok(&in))
        CHECK(strncmp(p.website, "https://", 8) == 0 || strncmp(p.website, "http://", 7) == 0);
    CHECK(strcmp(p.set_website, json_object_get(body, "website") ? "true" : "false") == 0);
    CHECK(strcmp(p.set_phone, json_object_get(body, "phone") ? "true" : "false") == 0);
    check_text(p.name, 200);
    check_text(p.website, 500);
    check_text(p.phone, 40);
    finish(&in);
}

static void check_rule(const struct hours_rule_in *ru)
{
    const struct week_rule *w = &ru->span;
    CHECK(w->weekday >= 1 && w->weekday <= 7 && ru->row.weekday == w->weekday);
    CHECK(w->start_min >= 0 && w->start_min < 1440);
    CHECK(w->end_min >= 0 && w->end_min < 1440 && w->end_min != w->start_min);
    CHECK(hhmm_minutes(ru->row.start_time) == w->start_min);
    CHECK(hhmm_minutes(ru->row.end_time) == w->end_min);
    CHECK(ru->row.location_id && is_uuid(ru->row.location_id));
    CHECK(w->from_day <= w->to_day);
    /* a rule always overlaps itself, and overlap is symmetric */
    CHECK(week_rules_overlap(w, w));
}

/* The hours and time-off bodies through their parse functions (staff/hours.h,
 * staff/time_off.h), after the member check staff_body makes. */
static void v_hours_create(json_t *body)
{
    struct input in;
    input_init(&in, &fake);
    static const char *const allowed[] = {"weekday", "start_time", "end_time", "location_id",
                                          "valid_from", "valid_to", "cancel_stranded", NULL};
    only(&in, body, NULL, allowed);
    struct hours_create_body b;
    if (hours_create_parse(&in, body, &b))
        check_rule(&b.rule);
    finish(&in);
}

static void v_hours_replace(json_t *body)
{
    struct input in;
    input_init(&in, &fake);
    static const char *const allowed[] = {"rules", "cancel_stranded", NULL};
    only(&in, body, NULL, allowed);
    static struct hours_replace_body b;
    if (hours_replace_parse(&in, body, &b)) {
        CHECK(b.n <= HOURS_MAX_RULES);
        for (size_t i = 0; i < b.n; i++) {
            check_rule(&b.rules[i]);
            for (size_t k = i + 1; k < b.n; k++)
                CHECK(!week_rules_overlap(&b.rules[i].span, &b.rules[k].span) &&
                      !week_rules_overlap(&b.rules[k].span, &b.rules[i].span));
        }
    }
    finish(&in);
}

static void v_time_off_create(json_t *body)
{
    struct input in;
    input_init(&in, &fake);
    static const char *const allowed[] = {"start", "end", "reason", "cancel_stranded", NULL};
    only(&in, body, NULL, allowed);
    struct time_off_body b;
    bool ok = time_off_parse(&in, body, &b);
    check_text(b.reason, 500);
    check_instant(ok, b.start);
    check_instant(ok, b.end);
    if (ok)
        CHECK(b.end > b.start && b.end - b.start <= TIME_OFF_MAX_SECONDS);
    finish(&in);
}

/* staff_bookings_status: booking_status_parse. */
static void v_booking_status(json_t *body)
{
    static const char *const allowed[] = {"status", NULL};
    struct input in;
    input_init(&in, &fake);
    const char *status = NULL;
    bool ok = booking_status_parse(&in, body, &status);
    CHECK(ok == input_ok(&in));
    CHECK(json_array_size(in.errors) >= unknown_members(body, allowed));
    if (ok)
        CHECK(strcmp(status, "completed") == 0 || strcmp(status, "no_show") == 0);
    finish(&in);
}

static void v_location(json_t *body, bool create)
{
    struct input in;
    input_init(&in, &fake);
    only(&in, body, NULL, create ? location_create_fields : location_patch_fields);
    struct location_fields l;
    location_parse(&in, body, create, &l);
    check_text(l.name, 200);
    check_text(l.address, 300);
    check_text(l.city, 100);
    check_text(l.region, 100);
    check_text(l.postcode, 20);
    check_text(l.timezone, 64);
    if (l.has_country)
        CHECK(strlen(l.country) == 2 && l.country[0] >= 'A' && l.country[0] <= 'Z' &&
              l.country[1] >= 'A' && l.country[1] <= 'Z');
    double x;
    if (l.lat)
        CHECK(parse_double(l.lat, -90, 90, &x) == 0);
    if (l.lon)
        CHECK(parse_double(l.lon, -180, 180, &x) == 0);
    if (l.wheelchair)
        CHECK(strcmp(l.wheelchair, "true") == 0 || strcmp(l.wheelchair, "false") == 0);
    if (l.active)
        CHECK(strcmp(l.active, "true") == 0);
    if (input_ok(&in) && create)
        CHECK(l.name && l.address && l.city && l.has_country && l.lat && l.lon && l.timezone);
    finish(&in);
}

static void v_service(json_t *body, bool create)
{
    struct input in;
    input_init(&in, &fake);
    only(&in, body, NULL, create ? service_create_fields : service_patch_fields);
    struct service_fields s;
    service_parse(&in, body, create, &s);
    long x;
    check_text(s.name, 200);
    if (s.duration)
        CHECK(parse_long(s.duration, 5, 480, &x) == 0);
    if (s.price)
        CHECK(parse_long(s.price, 0, MAX_PRICE_CENTS, &x) == 0);
    if (s.currency)
        CHECK(strlen(s.currency) == 3);
    if (s.before)
        CHECK(parse_long(s.before, 0, 240, &x) == 0);
    if (s.after)
        CHECK(parse_long(s.after, 0, 240, &x) == 0);
    if (input_ok(&in) && create)
        CHECK(s.name && s.duration && s.price && s.currency);
    finish(&in);
}

/* A clinic's vocabulary, locations and services as import_catalog_load gives them. */
#define LOC_MAIN "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
#define LOC_OLD "3f2504e0-4f89-41d3-9a0c-0305e82c3302"
#define LOC_MAIN2 "3f2504e0-4f89-41d3-9a0c-0305e82c3303"
#define SVC_60 "6ba7b810-9dad-41d1-80b4-00c04fd430c8"
#define SVC_OLD "6ba7b811-9dad-41d1-80b4-00c04fd430c8"
static struct catalog_entry catalog_entries[] = {
    {'p', (char *)"massage-therapist", "1", true},
    {'p', (char *)"Massage therapist", "1", true},
    {'p', (char *)"physiotherapist", "2", true},
    {'t', (char *)"cupping", "10", true},
    {'t', (char *)"Cupping therapy", "10", true},
    {'t', (char *)"fire cupping", "10", true},
    {'t', (char *)"dry-needling", "11", true},
    {'c', (char *)"back-pain", "20", true},
    {'c', (char *)"Back pain", "20", true},
    {'c', (char *)"sciatica", "21", true},
    {'L', (char *)"Main Street", LOC_MAIN, true},
    {'L', (char *)"Old Town", LOC_OLD, false},
    {'L', (char *)"Main Street", LOC_MAIN2, true},
    {'S', (char *)"Massage 60", SVC_60, true},
    {'S', (char *)"Intro", SVC_OLD, false},
};
static const struct catalog fuzz_catalog = {catalog_entries,
                                            sizeof(catalog_entries) / sizeof(catalog_entries[0])};

static bool catalog_has(char kind, const char *id)
{
    for (size_t i = 0; i < fuzz_catalog.n; i++)
        if (catalog_entries[i].kind == kind && strcmp(catalog_entries[i].id, id) == 0 &&
            catalog_entries[i].active)
            return true;
    return false;
}

static void check_id_list(json_t *arr, char kind, bool ints)
{
    if (!arr)
        return;
    CHECK(json_is_array(arr));
    size_t i, k;
    json_t *x, *y;
    json_array_foreach(arr, i, x) {
        char id[40];
        if (ints) {
            CHECK(json_is_integer(x));
            snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(x));
        } else {
            CHECK(json_is_string(x) && is_uuid(json_string_value(x)));
            snprintf(id, sizeof(id), "%s", json_string_value(x));
        }
        CHECK(catalog_has(kind, id));
        json_array_foreach(arr, k, y) /* no duplicates */
            if (k != i)
                CHECK(!json_equal(x, y));
    }
}

static void v_practitioner(json_t *body, bool create)
{
    struct input in;
    input_init(&in, &fake);
    only(&in, body, NULL, practitioner_fields);
    const char *active = NULL;
    size_t before = json_array_size(in.errors);
    json_t *p = practitioner_parse(&in, body, &fuzz_catalog, create, &active);
    /* NULL iff pract_check reported through its callback; otherwise the only problems
     * recorded are active's (given on create, or not true on an update) */
    size_t i;
    json_t *e;
    bool only_active = true;
    json_array_foreach(in.errors, i, e) if (i >= before) only_active =
        only_active && strcmp(json_string_value(json_object_get(e, "field")), "active") == 0;
    if (p)
        CHECK(only_active);
    else
        CHECK(json_array_size(in.errors) > before && !only_active);
    if (create && json_object_get(body, "active"))
        CHECK(!input_ok(&in));
    if (active)
        CHECK(strcmp(active, "true") == 0);
    if (p) {
        CHECK(json_is_object(p));
        json_t *name = json_object_get(p, "name");
        if (name || create)
            CHECK(clean_string(name) && strspn(json_string_value(name), " \t\r\n\v\f") <
                                            json_string_length(name));
        /* one line: name and credentials; the bio may hold line breaks */
        if (name)
            CHECK(text_clean(json_string_value(name), json_string_length(name), TEXT_LINE));
        json_t *cred = json_object_get(p, "credentials"), *bio = json_object_get(p, "bio");
        if (cred)
            CHECK(json_is_string(cred) &&
                  text_clean(json_string_value(cred), json_string_length(cred), TEXT_LINE));
        if (bio)
            CHECK(json_is_string(bio) &&
                  text_clean(json_string_value(bio), json_string_length(bio), TEXT_LINES));
        json_t *prof = json_object_get(p, "profession_id");
        if (prof || create)
            CHECK(json_is_integer(prof) && (json_integer_value(prof) == 1 ||
                                            json_integer_value(prof) == 2));
        json_t *langs = json_object_get(p, "languages");
        if (langs || create) {
            CHECK(json_is_array(langs) && json_array_size(langs) >= 1);
            size_t i;
            json_t *x;
            json_array_foreach(langs, i, x)
                CHECK(json_is_string(x) && iso639_1(json_string_value(x)));
        }
        check_id_list(json_object_get(p, "technique_ids"), 't', true);
        check_id_list(json_object_get(p, "condition_ids"), 'c', true);
        check_id_list(json_object_get(p, "service_ids"), 'S', false);
        json_t *locs = json_object_get(p, "location_ids");
        check_id_list(locs, 'L', false);
        if (locs || create)
            CHECK(json_array_size(locs) >= 1);
        json_t *dump = pract_audit_detail(body);
        json_decref(dump);
        json_decref(p);
    }
    finish(&in);
}

static void v_api_key(json_t *body)
{
    struct input in;
    input_init(&in, &fake);
    struct api_key_in k;
    api_key_parse(&in, body, &k);
    static const char *const known[] = {"read", "write", "patient_data", "audit"};
    size_t i, j;
    json_t *x, *y;
    json_array_foreach(k.scopes, i, x) {
        bool ok = false;
        for (size_t n = 0; n < 4 && !ok; n++)
            ok = strcmp(json_string_value(x), known[n]) == 0;
        CHECK(ok);
        json_array_foreach(k.scopes, j, y) /* each once */
            if (j != i)
                CHECK(!json_equal(x, y));
    }
    check_text(k.name, 100);
    if (input_ok(&in))
        CHECK(k.name && json_array_size(k.scopes) >= 1 && json_array_size(k.scopes) <= 4);
    finish(&in);
    api_key_in_release(&k);
}

/* --- value parsers on every string the body holds ---------------------------------- */

static void check_values(const char *s)
{
    int64_t t = 0;
    /* (away from the ends of the years accepted: 1900-01-01T00:30+01:00 is in 1899) */
    if (rfc3339_parse(s, &t) == 0 && t >= days_from_civil(1900, 1, 2) * 86400 &&
        t < days_from_civil(9999, 12, 31) * 86400) {
        check_instant(true, t);
        /* formatted in UTC and in the offset it was given in, it reads back the same */
        char buf[40];
        int64_t u = 0;
        rfc3339_format(t, 0, buf, sizeof(buf));
        CHECK(rfc3339_parse(buf, &u) == 0 && u == t);
        rfc3339_format(t, -(5 * 3600 + 30 * 60), buf, sizeof(buf));
        CHECK(rfc3339_parse(buf, &u) == 0 && u == t);
    }
    int64_t d = 0;
    if (date_parse(s, &d) == 0) {
        char buf[16];
        date_format(d, buf, sizeof(buf));
        CHECK(strcmp(buf, s) == 0);
    }
    struct cursor c;
    memset(&c, 0x5a, sizeof(c));
    if (cursor_decode(s, &c) == 0) {
        CHECK(is_uuid(c.id));
        size_t klen = strnlen(c.key, sizeof(c.key));
        CHECK(klen < sizeof(c.key) && is_clean_utf8(c.key, klen));
        if (!memchr(c.key, '\x1f', klen)) {
            char text[CURSOR_MAX_TEXT];
            struct cursor c2;
            CHECK(cursor_encode(&c, text, sizeof(text)) == 0);
            CHECK(cursor_decode(text, &c2) == 0);
            CHECK(c2.kind == c.kind && strcmp(c2.id, c.id) == 0 && strcmp(c2.key, c.key) == 0);
        }
    }
    if (plausible_email(s))
        CHECK(strchr(s, '@') && strlen(s) <= 254);
}

static void each_string(json_t *v, int depth)
{
    if (depth > 3)
        return;
    if (json_is_string(v)) {
        check_values(json_string_value(v));
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) each_string(x, depth + 1);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) each_string(x, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(&fake, 0, sizeof(fake));
    snprintf(fake.request_id, sizeof(fake.request_id), "fuzz");
    buf_init(&fake.body, BODY_MAX_BYTES);
    buf_append(&fake.body, data, size);

    /* the raw text as a value (NUL-terminated by buf) */
    if (fake.body.data)
        check_values(fake.body.data);

    struct input in;
    input_init(&in, &fake);
    json_t *body = body_object(&in);
    if (!body) {
        CHECK(!input_ok(&in));
        if (!in.malformed) {
            /* a 422, not a 400: a JSON object whose strings hold a NUL, refused by name */
            json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
                                   NULL);
            CHECK(json_is_object(j));
            json_decref(j);
        }
        finish(&in);
    } else {
        CHECK(input_ok(&in) && json_is_object(body));
        input_release(&in);
        each_string(body, 0);
        v_booking_create(body);
        v_booking_cancel(body);
        v_booking_reschedule(body);
        v_series_create(body);
        v_waitlist_create(body);
        v_clinic_patch(body);
        v_hours_create(body);
        v_hours_replace(body);
        v_time_off_create(body);
        v_booking_status(body);
        v_location(body, true);
        v_location(body, false);
        v_service(body, true);
        v_service(body, false);
        v_practitioner(body, true);
        v_practitioner(body, false);
        v_api_key(body);
        json_decref(body);
    }
    req_reset();
    buf_release(&fake.body);
    return 0;
}
