/* The clinic's day schedule: bookings over a range with patient details, for the
 * front desk (every column) and practitioners (their own). */
#include "staff/day_schedule.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/outcome.h"
#include "domain/timefmt.h"
#include "api/access.h"
#include "api/handlers.h"
#include "staff/replies.h"
#include "store/day_schedule.h"
#include "util/parse.h"

bool day_range_parse(struct input *in, const char *f, const char *t, int64_t now,
                     int64_t *from, int64_t *to)
{
    int64_t fday = 0, tday = 0;
    bool fdate = f && date_parse(f, &fday) == 0, tdate = t && date_parse(t, &tday) == 0;
    *from = now / 86400 * 86400;
    if (fdate)
        *from = fday * 86400 - 14 * 3600; /* the earliest zone's midnight */
    else if (f && rfc3339_parse(f, from) != 0)
        input_error(in, "from", true, "from must be a date or a date and time with an offset");
    *to = *from + 7 * 86400;
    if (tdate)
        *to = (tday + 1) * 86400 + 12 * 3600; /* through the latest zone's end of that day */
    else if (t && rfc3339_parse(t, to) != 0)
        input_error(in, "to", true, "to must be a date or a date and time with an offset");
    /* dates compare as dates: the widening for time zones must not hide to < from */
    if (input_ok(in) && ((fdate && tdate && tday < fday) || (!(fdate && tdate) && *to <= *from)))
        input_error(in, "to", false, "to must not be before from");
    if (input_ok(in) && *to - *from > (SCHEDULE_MAX_DAYS + 2) * 86400LL)
        input_error(in, "to", false, "the range may be at most %d days", SCHEDULE_MAX_DAYS);
    return input_ok(in);
}

bool day_schedule_parse(struct input *in, int64_t now, struct day_schedule_query *q)
{
    memset(q, 0, sizeof(*q));
    const char *f = q_str(in, "from", 40);
    const char *t = q_str(in, "to", 40);
    day_range_parse(in, f, t, now, &q->from, &q->to);
    q->practitioner = q_str(in, "practitioner", 64);
    if (q->practitioner && !is_uuid(q->practitioner))
        input_error(in, "practitioner", false, "practitioner must be a practitioner id");
    q_bool(in, "include_cancelled", &q->with_cancelled);
    return input_ok(in);
}

void staff_schedule(struct req *r)
{
    const struct auth *a = &r->actor;
    struct input in;
    input_init(&in, r);
    struct day_schedule_query q;
    if (!day_schedule_parse(&in, (int64_t)time(NULL), &q)) {
        input_reply(&in);
        return;
    }
    /* a practitioner sees their own column only */
    if (strcmp(a->role, "practitioner") == 0) {
        if (q.practitioner && strcmp(q.practitioner, a->practitioner_id) != 0) {
            reply_not_found(r);
            return;
        }
        q.practitioner = a->practitioner_id;
    }
    char f[24], t[24];
    snprintf(f, sizeof(f), "%lld", (long long)q.from);
    snprintf(t, sizeof(t), "%lld", (long long)q.to);
    if (!audit(r, a, NULL, staff_clinic(r), "read_schedule", "schedule", q.practitioner, true,
               "success", json_pack("{s:s, s:s}", "from", f, "to", t)))
        return;
    char *json;
    size_t len;
    enum db_status st = store_day_schedule(&r->db, staff_clinic(r), q.from, q.to, q.practitioner,
                                           q.with_cancelled, &json, &len);
    reply_json_text(r, st, 200, json, len);
}
