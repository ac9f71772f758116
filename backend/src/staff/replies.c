/* How the staff's directory routes end. */
#include "staff/replies.h"

#include <stdio.h>
#include <stdlib.h>

#include "api/audit.h"
#include "cache/index_keeper.h"
#include "staff/fields.h"
#include "util/parse.h"

const char *staff_route_id(struct req *r)
{
    return staff_route_id_at(r, 1);
}

const char *staff_route_id_at(struct req *r, size_t i)
{
    const char *id = req_param(r, i);
    if (is_uuid(id))
        return id;
    reply_not_found(r);
    return NULL;
}

bool staff_list_active(struct req *r, const char **active)
{
    struct input in;
    input_init(&in, r);
    static const char *const allowed[] = {"active", NULL};
    only_params(&in, allowed);
    bool value = false;
    bool has = q_bool(&in, "active", &value);
    *active = has ? (value ? "true" : "false") : NULL;
    if (input_ok(&in))
        return true;
    input_reply(&in);
    return false;
}

void reply_no_content(struct req *r)
{
    reply_text(r, 204, "application/json", "", 0);
}

bool staff_checks_passed(struct req *r, struct input *in, enum db_status st)
{
    if (st != DB_OK) {
        input_release(in);
        reply_failure(r, st);
        return false;
    }
    if (!input_ok(in)) {
        input_reply(in);
        return false;
    }
    return true;
}

void reply_json_text(struct req *r, enum db_status st, int status, char *json, size_t len)
{
    if (st == DB_OK)
        reply_owned(r, status, "application/json", json, len);
    else
        reply_failure(r, st);
}

/* The write has committed (db_tx): the index reads the change log at once, so the
 * writer's next request sees its change.  Never fails the request: the background
 * catches up. */
bool staff_index_follow(struct req *r)
{
    dirindex_follow(&r->db, r->request_id);
    return true;
}

void reply_has_bookings(struct req *r, const struct open_bookings *o, const char *field,
                        const char *what)
{
    int n = o->count;
    char detail[300], msg[200];
    snprintf(detail, sizeof(detail),
             "%s %d open booking%s still to come. Move %s first, or send the request again "
             "with ?cancel_bookings=true to cancel %s (the patients are told).",
             what, n, n == 1 ? "" : "s", n == 1 ? "it" : "them", n == 1 ? "it" : "them");
    snprintf(msg, sizeof(msg), "%d open booking%s would be left behind", n, n == 1 ? "" : "s");
    json_t *listed = o->listed ? json_loads(o->listed, 0, NULL) : NULL;
    reply_problem_ext(r, 409, "has-bookings", "Open bookings in the way", detail,
                      json_pack("[o]", problem_error(field, msg)),
                      json_pack("{s:o, s:i}", "bookings", listed ? listed : json_array(),
                                "count", n));
}

void reply_deactivation(struct req *r, enum db_status st, const struct deactivation *d,
                        const char *what)
{
    if (st == DB_CONFLICT && d->open.count > 0)
        reply_has_bookings(r, &d->open, "cancel_bookings", what);
    else if (st != DB_OK)
        reply_failure(r, st);
    else if (!d->was_active || staff_index_follow(r))
        reply_no_content(r); /* deactivating twice is fine */
}

void staff_delete_route(struct req *r, const char *action, const char *resource,
                        staff_delete_fn del)
{
    const char *id;
    if (!(id = staff_route_id(r)))
        return;
    struct audit_entry e;
    audit_entry_make(&e, r, &r->actor, NULL, staff_clinic(r), action, resource, id, false,
                     "success", NULL);
    enum db_status st = del(&r->db, staff_clinic(r), id, &e);
    audit_entry_release(&e);
    if (st != DB_OK)
        reply_failure(r, st);
    else if (staff_index_follow(r))
        reply_no_content(r);
}

void staff_deactivate(struct req *r, const struct deactivate_route *route)
{
    const struct auth *a = &r->actor;
    struct input in;
    input_init(&in, r);
    struct cancel_params p;
    const char *id;
    if (!(id = staff_route_id(r)))
        return;
    if (!cancel_params_parse(&in, route->reason, &p)) {
        input_reply(&in);
        return;
    }
    struct audit_entry cancelled, deactivated;
    audit_entry_make(&cancelled, r, a, NULL, staff_clinic(r), "cancel_bookings", route->resource,
                     id, true, "success", NULL);
    audit_entry_make(&deactivated, r, a, NULL, staff_clinic(r), route->action, route->resource,
                     id, false, "success", NULL);
    struct deactivation d = {.cancel = p.cancel, .reason = p.reason, .cancelled = &cancelled,
                             .deactivated = &deactivated};
    enum db_status st = route->deactivate(&r->db, staff_clinic(r), id, &d);
    reply_deactivation(r, st, &d, route->what);
    open_bookings_release(&d.open);
    audit_entry_release(&cancelled);
    audit_entry_release(&deactivated);
}

void staff_reply_read(struct req *r, const struct store_read *rd, const char *a, const char *b,
                      int status)
{
    char *json = NULL;
    size_t len = 0;
    enum db_status st = store_read_json(&r->db, rd, a, b, &json, &len);
    reply_json_text(r, st, status, json, len);
}

void staff_reply_one(struct req *r, const struct store_read *get, const char *id, int status)
{
    staff_reply_read(r, get, staff_clinic(r), id, status);
}

void staff_list_route(struct req *r, const struct store_read *list)
{
    const char *active;
    if (staff_list_active(r, &active))
        staff_reply_read(r, list, staff_clinic(r), active, 200);
}

void staff_get_route(struct req *r, const struct store_read *get)
{
    const char *id;
    if ((id = staff_route_id(r)))
        staff_reply_one(r, get, id, 200);
}
