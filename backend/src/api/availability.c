/* Open slots of a practitioner for one service over a range of at most 62 days. */
#include "api/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/schedule.h"
#include "domain/timefmt.h"
#include "util/parse.h"

#define MAX_RANGE_DAYS 62
#define DEFAULT_RANGE_DAYS 14

/* A from/to parameter: an RFC 3339 instant, or a date meaning local midnight.
 * Returns 1 with *instant or *day set (is_date tells which), 0 absent, -1 problem. */
static int range_param(struct input *in, const char *key, int64_t *instant, int64_t *day,
                       bool *is_date)
{
    const char *s = q_str(in, key, 40);
    if (!s)
        return 0;
    if (date_parse(s, day) == 0) {
        *is_date = true;
        return 1;
    }
    if (rfc3339_parse(s, instant) == 0) {
        *is_date = false;
        return 1;
    }
    input_error(in, key, true, "%s must be a date (2026-03-08) or a date and time with an offset",
                key);
    return -1;
}

/* Local midnight of day in z (the first instant of that date). */
static int64_t local_midnight(const struct tz *z, int64_t day)
{
    int64_t a, b;
    for (int64_t t = day * 86400; t < day * 86400 + 86400; t += 1800)
        if (tz_local_to_utc(z, t, &a, &b) > 0)
            return a;
    return day * 86400;
}

void availability_get(struct req *r)
{
    const char *id = req_param(r, 0);
    if (!is_uuid(id)) {
        reply_not_found(r);
        return;
    }
    struct input in;
    input_init(&in, r);
    const char *service = q_str(&in, "service", 64);
    if (service && !is_uuid(service)) {
        input_error(&in, "service", false, "service must be a service id from the profile");
        service = NULL;
    }
    int64_t from_i = 0, to_i = 0, from_d = 0, to_d = 0;
    bool from_is_date = false, to_is_date = false;
    int hf = range_param(&in, "from", &from_i, &from_d, &from_is_date);
    int ht = range_param(&in, "to", &to_i, &to_d, &to_is_date);
    if (!input_ok(&in)) {
        input_reply(&in);
        return;
    }
    /* load with a rough range first: dates as UTC midnight; the loader adds a day */
    int64_t now_guess = (int64_t)time(NULL);
    int64_t rf = hf == 1 ? (from_is_date ? from_d * 86400 : from_i) : now_guess;
    int64_t rt = ht == 1 ? (to_is_date ? (to_d + 1) * 86400 : to_i) : rf + DEFAULT_RANGE_DAYS * 86400;
    if (rt <= rf)
        input_error(&in, "to", false, "to must be after from");
    else if (rt - rf > (int64_t)(MAX_RANGE_DAYS + 1) * 86400)
        input_error(&in, "to", false, "the range may be at most %d days", MAX_RANGE_DAYS);
    if (!input_ok(&in)) {
        input_reply(&in);
        return;
    }
    struct schedule s;
    enum schedule_result sr = schedule_load_cached(r, id, service, rf, rt, &s);
    if (sr == SCHEDULE_REPLIED)
        return;
    if (sr == SCHEDULE_NO_PRACTITIONER) {
        reply_not_found(r);
        return;
    }
    if (!s.service_found || !s.service_offered) {
        input_error(&in, "service", false,
                    s.service_found ? "this practitioner does not offer that service"
                                    : "no such service at this practitioner's clinic");
        input_reply(&in);
        schedule_release(&s);
        return;
    }
    /* now the exact range, dates in the practitioner's time zone */
    int64_t from = hf == 1 ? (from_is_date ? local_midnight(s.tz, from_d) : from_i) : s.now;
    int64_t to = ht == 1 ? (to_is_date ? local_midnight(s.tz, to_d + 1) : to_i)
                         : from + DEFAULT_RANGE_DAYS * 86400;
    if (to - from > (int64_t)MAX_RANGE_DAYS * 86400 + 7200) {
        input_error(&in, "to", false, "the range may be at most %d days", MAX_RANGE_DAYS);
        input_reply(&in);
        schedule_release(&s);
        return;
    }
    struct slot_query q;
    schedule_query(&s, from, to, &q);
    struct slot *slots;
    size_t n = slots_compute_all(&q, &slots);
    const char *locations[SCHEDULE_MAX_LOCATIONS];
    for (size_t i = 0; i < s.nlocations; i++)
        locations[i] = s.location_ids[i];
    struct slots_answer a = {id, s.service_id, s.tz, locations, s.nlocations};
    size_t len;
    char *data = slots_answer_json(&a, slots, n, &len);
    free(slots);
    reply_owned(r, 200, "application/json", data, len);
    schedule_release(&s);
}
