/* Clinic staff keep their practitioners: list, one, create, update, deactivate. */
#include "staff/practitioners.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/cursor.h"
#include "staff/fields.h"
#include "api/handlers.h"
#include "staff/replies.h"
#include "store/imports.h"

#define PRACT_PAGE_DEFAULT 20
#define PRACT_PAGE_MAX 100

const char *const practitioner_fields[] = {
    "name", "profession", "credentials", "bio", "languages", "accepting_new", "home_visits",
    "sliding_scale", "techniques", "conditions", "service_ids", "location_ids", "active", NULL};

static void input_problem(void *ctx, const char *field, const char *msg)
{
    input_error(ctx, field, false, "%s", msg);
}

json_t *practitioner_parse(struct input *in, json_t *body, const struct catalog *cat,
                           bool create, const char **active)
{
    if (create && json_object_get(body, "active"))
        input_error(in, "active", false, "a new practitioner is active; leave active out");
    if (active)
        *active = create ? NULL : field_reactivate(in, body);
    return pract_check(cat, body, create ? PRACT_CREATE : PRACT_UPDATE, false, input_problem, in);
}

json_t *pract_audit_detail(json_t *body)
{
    json_t *d = json_deep_copy(body);
    if (json_object_get(d, "bio"))
        json_object_set_new(d, "bio", json_string("(changed)"));
    return d;
}

static char *dump_or_null(json_t *v)
{
    return v ? json_dumps(v, JSON_COMPACT) : NULL;
}

void practitioner_update_make(json_t *p, const char *active, struct practitioner_update_text *t)
{
    memset(t, 0, sizeof(*t));
    json_t *pid = json_object_get(p, "profession_id");
    snprintf(t->profession, sizeof(t->profession), "%lld", (long long)json_integer_value(pid));
    t->languages = dump_or_null(json_object_get(p, "languages"));
    t->location_ids = dump_or_null(json_object_get(p, "location_ids"));
    t->links = json_dumps(p, JSON_COMPACT);
    const char *flag[3];
    static const char *const flags[] = {"accepting_new", "home_visits", "sliding_scale"};
    for (int i = 0; i < 3; i++) {
        json_t *b = json_object_get(p, flags[i]);
        flag[i] = b ? (json_is_true(b) ? "true" : "false") : NULL;
    }
    t->u = (struct practitioner_update){
        json_string_value(json_object_get(p, "name")), pid ? t->profession : NULL,
        json_string_value(json_object_get(p, "credentials")),
        json_string_value(json_object_get(p, "bio")), t->languages, flag[0], flag[1], flag[2],
        active, t->location_ids, t->links};
}

void practitioner_update_release(struct practitioner_update_text *t)
{
    free(t->languages);
    free(t->location_ids);
    free(t->links);
    memset(t, 0, sizeof(*t));
}

enum db_status practitioner_catalog_load(struct req *r, struct catalog *cat)
{
    return store_imports_catalog(&r->db, staff_clinic(r), cat);
}

enum db_status practitioner_insert(struct req *r, json_t *p, const struct audit_entry *e,
                                   char *id)
{
    return store_imports_one(&r->db, staff_clinic(r), p, e, id);
}

/* ?active=, ?limit= and ?cursor= of the list; false after replying the problems. */
static bool list_parse(struct req *r, const char **active, long *limit, struct cursor *c,
                       bool *has_cursor)
{
    struct input in;
    input_init(&in, r);
    static const char *const allowed[] = {"active", "limit", "cursor", NULL};
    only_params(&in, allowed);
    bool value = false;
    *active = q_bool(&in, "active", &value) ? (value ? "true" : "false") : NULL;
    *limit = PRACT_PAGE_DEFAULT;
    q_long(&in, "limit", 1, PRACT_PAGE_MAX, limit);
    const char *cur = q_str(&in, "cursor", CURSOR_MAX_TEXT);
    *has_cursor = cur != NULL;
    if (cur && (cursor_decode(cur, c) < 0 || c->kind != 'n'))
        input_error(&in, "cursor", false,
                    "cursor is not one this list produced; start again without it");
    if (input_ok(&in))
        return true;
    input_reply(&in);
    return false;
}

void staff_practitioners_list(struct req *r)
{
    const char *active;
    long limit;
    struct cursor c = {0};
    bool has_cursor;
    if (!list_parse(r, &active, &limit, &c, &has_cursor))
        return;
    struct staff_page page;
    enum db_status st =
        store_practitioners_list(&r->db, staff_clinic(r), active, has_cursor ? c.key : NULL,
                                 has_cursor ? c.id : NULL, limit, &page);
    reply_json_text(r, st, 200, page.json, page.len);
}

void staff_practitioners_get(struct req *r)
{
    staff_get_route(r, &store_practitioners_get);
}

/* Reads the body and checks it against the clinic's catalog into *p (*body and *p: the
 * caller's to release); false after replying. */
static bool practitioner_read(struct req *r, struct catalog *cat, bool create, json_t **body,
                              json_t **p, const char **active)
{
    struct input in;
    input_init(&in, r);
    enum db_status st = DB_OK;
    *body = staff_body(&in, practitioner_fields);
    if (*body && (st = practitioner_catalog_load(r, cat)) == DB_OK)
        *p = practitioner_parse(&in, *body, cat, create, active);
    return staff_checks_passed(r, &in, st);
}

/* The new practitioner p, with its audit row, and the reply. */
static void practitioner_create(struct req *r, const struct auth *a, json_t *body, json_t *p)
{
    struct audit_entry e;
    char id[40];
    audit_entry_make(&e, r, a, NULL, staff_clinic(r), "create_practitioner", "practitioner", NULL,
                     false, "success", pract_audit_detail(body));
    enum db_status st = practitioner_insert(r, p, &e, id);
    audit_entry_release(&e);
    if (st != DB_OK)
        reply_failure(r, st);
    else if (staff_index_follow(r))
        staff_reply_one(r, &store_practitioners_get, id, 201);
}

/* The update p of practitioner id, with its audit row, and the reply. */
static void practitioner_update(struct req *r, const struct auth *a, const char *id, json_t *body,
                                json_t *p, const char *active)
{
    struct practitioner_update_text t;
    struct open_bookings open = {0};
    struct audit_entry e;
    practitioner_update_make(p, active, &t);
    audit_entry_make(&e, r, a, NULL, staff_clinic(r), "update_practitioner", "practitioner", id,
                     false, "success", pract_audit_detail(body));
    enum db_status st = store_practitioners_update(&r->db, staff_clinic(r), id, &t.u, &e, &open);
    if (st == DB_CONFLICT && open.count > 0)
        reply_has_bookings(r, &open, "location_ids", "The locations taken away have");
    else if (st != DB_OK)
        reply_failure(r, st);
    else if (staff_index_follow(r))
        staff_reply_one(r, &store_practitioners_get, id, 200);
    audit_entry_release(&e);
    open_bookings_release(&open);
    practitioner_update_release(&t);
}

/* POST (create) or PATCH (the route's practitioner) of a practitioner: one handler for
 * both routes, told apart by the method. */
void staff_practitioners_write(struct req *r)
{
    bool create = r->method == M_POST;
    struct catalog cat = {0};
    json_t *body = NULL, *p = NULL;
    const char *id = NULL, *active = NULL;
    if ((create || (id = staff_route_id(r))) &&
        practitioner_read(r, &cat, create, &body, &p, create ? NULL : &active)) {
        if (create)
            practitioner_create(r, &r->actor, body, p);
        else
            practitioner_update(r, &r->actor, id, body, p, active);
    }
    catalog_release(&cat);
    json_decref(body);
    json_decref(p);
}

/* Deactivating takes the practitioner out of search and booking.  Their open future
 * bookings would be stranded: a 409 lists them, unless ?cancel_bookings=true, which
 * cancels them as staff (the patients are told). */
void staff_practitioners_delete(struct req *r)
{
    static const struct deactivate_route route = {"practitioner", "deactivate_practitioner", "the practitioner no longer sees patients here", "This practitioner has", store_practitioners_deactivate};
    staff_deactivate(r, &route);
}
