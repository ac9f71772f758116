/* A practitioner's time off: list, add (refusing to strand open bookings unless asked
 * to cancel them: staff/schedule_change.h), delete. */
#include "staff/time_off.h"

#include <stdlib.h>
#include <string.h>

#include "api/outcome.h"
#include "api/access.h"
#include "api/handlers.h"
#include "staff/hours.h"
#include "staff/replies.h"
#include "staff/schedule_change.h"
#include "store/time_off.h"
#include "util/parse.h"

bool time_off_parse(struct input *in, json_t *body, struct time_off_body *out)
{
    memset(out, 0, sizeof(*out));
    bool hs = body_instant(in, body, NULL, "start", true, &out->start);
    bool he = body_instant(in, body, NULL, "end", true, &out->end);
    out->reason = body_str(in, body, NULL, "reason", false, 500);
    out->cancel = cancel_stranded_parse(in, body);
    if (hs && he && out->end <= out->start)
        input_error(in, "end", false, "end must be after start");
    else if (hs && he && out->end - out->start > TIME_OFF_MAX_SECONDS)
        input_error(in, "end", false, "time off may be at most a year at a time");
    return input_ok(in);
}

void staff_time_off_list(struct req *r)
{
    if (!schedule_practitioner_here(r))
        return;
    staff_reply_read(r, &store_time_off_list, req_param(r, 1), NULL, 200);
}

/* What a change to the time off writes (the context of its apply function). */
struct time_off_write {
    const char *clinic_id, *practitioner_id, *delete_id;
    const struct time_off_body *add;
    struct time_off_row row;
};

static enum db_status apply_insert(struct db_session *s, void *ctx)
{
    struct time_off_write *w = ctx;
    free(w->row.json); /* (from an earlier run) */
    return store_time_off_insert(s, w->clinic_id, w->practitioner_id, w->add->start,
                                 w->add->end, w->add->reason, &w->row);
}

static enum db_status apply_delete(struct db_session *s, void *ctx)
{
    struct time_off_write *w = ctx;
    return store_time_off_delete(s, w->delete_id, w->practitioner_id);
}

void staff_time_off_create(struct req *r)
{
    static const char *const allowed[] = {"start", "end", "reason", "cancel_stranded", NULL};
    struct input in;
    json_t *body;
    if (!schedule_write_body(r, &in, allowed, &body))
        return;
    struct time_off_body b;
    if (!body || !time_off_parse(&in, body, &b)) {
        input_reply(&in);
        json_decref(body);
        return;
    }
    struct time_off_write w = {.clinic_id = staff_clinic(r), .practitioner_id = req_param(r, 1),
                               .add = &b};
    struct schedule_change c = {
        .a = &r->actor, .clinic_id = w.clinic_id, .practitioner_id = w.practitioner_id,
        .cancel = b.cancel, .why = "the practitioner is away", .apply = apply_insert, .ctx = &w,
        .action = "add_time_off", .resource_type = "time_off", .resource_id = w.row.id,
    };
    enum db_status st = schedule_change_run(r, &c);
    if (st == DB_OK) {
        reply_owned(r, 201, "application/json", w.row.json, w.row.len);
        w.row.json = NULL;
    } else {
        schedule_change_reply_failure(r, &c, st);
    }
    free(w.row.json);
    schedule_change_release(&c);
    json_decref(body);
}

void staff_time_off_delete(struct req *r)
{
    const char *id;
    if (!schedule_practitioner_here(r) || !(id = staff_route_id_at(r, 2)))
        return;
    struct time_off_write w = {.clinic_id = staff_clinic(r), .practitioner_id = req_param(r, 1),
                               .delete_id = id};
    /* time off ended frees time: it strands nothing */
    struct schedule_change c = {
        .a = &r->actor, .clinic_id = w.clinic_id, .practitioner_id = w.practitioner_id,
        .frees_only = true, .apply = apply_delete, .ctx = &w, .action = "delete_time_off",
        .resource_type = "time_off", .resource_id = w.delete_id,
    };
    enum db_status st = schedule_change_run(r, &c);
    if (st == DB_OK)
        reply_no_content(r);
    else
        schedule_change_reply_failure(r, &c, st);
    schedule_change_release(&c);
}
