/* FHIR R4 Appointment: bookings for authenticated staff of their own clinic
 * (practitioners: their own bookings; API keys: with the patient_data scope).  The
 * patient appears only as the participant's display name: no contact details, notes
 * or cancellation reasons.  Every read and search is written to the audit log as an
 * access to patient data. */
#include "api/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "fhir/fhir.h"
#include "fhir/params.h"
#include "store/fhir_appointment.h"
#include "util/parse.h"

/* The scope of what a sees: clinic (NULL for platform admins) and practitioner. */
static void scope_of(const struct auth *a, const char **clinic, const char **practitioner)
{
    *clinic = a->clinic_id[0] ? a->clinic_id : NULL;
    *practitioner = strcmp(a->role, "practitioner") == 0 && a->practitioner_id[0]
                        ? a->practitioner_id
                        : NULL;
}

/* A row as an Appointment with start and end in the location's zone. */
static json_t *appointment_json(const struct fhir_appointment_row *row)
{
    json_t *j = fhir_object(row->resource);
    if (!j)
        return NULL;
    const struct tz *z = tz_get(row->timezone);
    char start[40], end[40];
    fhir_instant(row->start, z, start, sizeof(start));
    fhir_instant(row->end, z, end, sizeof(end));
    json_object_set_new(j, "start", json_string(start));
    json_object_set_new(j, "end", json_string(end));
    return j;
}

/* The read's booking. */
struct appointment_one {
    int n;
    json_t *resource;
    char clinic_id[40];
};

static void appointment_one_row(void *ctx, const struct fhir_appointment_row *row)
{
    struct appointment_one *one = ctx;
    one->n = row->n;
    if (row->n != 1)
        return;
    one->resource = appointment_json(row);
    snprintf(one->clinic_id, sizeof(one->clinic_id), "%s", row->clinic_id);
}

/* A booking outside a's scope: refused, in its clinic's log too.  False after
 * replying (the database failed). */
static bool appointment_denied(struct req *r, const struct auth *a, const char *id)
{
    char owner[40];
    enum db_status st = store_fhir_booking_clinic(&r->db, id, owner, sizeof(owner));
    if (st == DB_OK) {
        bool here = strcmp(owner, a->clinic_id) == 0;
        auth_audit_denied(r, a,
                          here ? "another practitioner's booking" : "another clinic's booking",
                          owner);
    } else if (st != DB_NOT_FOUND) {
        reply_failure(r, st);
    }
    return st == DB_OK || st == DB_NOT_FOUND;
}

void fhir_appointment_read(struct req *r)
{
    const struct auth *a = &r->actor;
    struct fhir_req f;
    if (!fhir_begin(&f, r, "Appointment", NULL, NULL) ||
        !fhir_checked(&f))
        return;
    const char *id = req_param(r, 0);
    if (!is_uuid(id)) {
        fhir_not_found(r, "Appointment", id);
        return;
    }
    const char *clinic, *practitioner;
    scope_of(a, &clinic, &practitioner);
    struct appointment_one one = {0, NULL, ""};
    enum db_status st = store_fhir_appointment_read(&r->db, clinic, practitioner, id,
                                                    appointment_one_row, &one);
    if (st != DB_OK) {
        reply_failure(r, st);
        return;
    }
    if (one.n == 0 && !appointment_denied(r, a, id))
        return;
    if (!one.resource)
        fhir_not_found(r, "Appointment", id);
    else if (audit(r, a, NULL, one.clinic_id, "fhir_read_appointment", "booking", id, true,
                   "success", NULL))
        fhir_reply(r, 200, one.resource);
    else
        json_decref(one.resource);
}

static int resolve_status(struct fhir_req *f, const char *key, const char *code, char *out,
                          size_t n)
{
    static const struct { const char *fhir, *ours; } map[] = {
        {"booked", "booked"},          {"fulfilled", "completed"}, {"cancelled", "cancelled"},
        {"noshow", "no_show"},         {"proposed", NULL},         {"pending", NULL},
        {"arrived", NULL},             {"checked-in", NULL},       {"waitlist", NULL},
        {"entered-in-error", NULL},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i].fhir, code) == 0) {
            if (!map[i].ours)
                return 0; /* a status our bookings never have */
            snprintf(out, n, "%s", map[i].ours);
            return 1;
        }
    fhir_issue(f, "invalid", key, "%s: %.60s is not an appointment status", key, code);
    return -1;
}

/* A page of bookings: the Bundle and the ids shown (for the audit row). */
struct appointment_page {
    struct fhir_bundle b;
    long count;
    int n;
    json_t *ids;
    struct cursor next;
};

static void appointment_page_row(void *ctx, const struct fhir_appointment_row *row)
{
    struct appointment_page *p = ctx;
    p->n = row->n;
    if (row->i >= p->count)
        return;
    json_array_append_new(p->ids, json_string(row->id));
    fhir_bundle_add(&p->b, appointment_json(row), NULL);
    if (row->n > p->count && row->i == p->count - 1) {
        snprintf(p->next.key, sizeof(p->next.key), "%s", row->start_text);
        snprintf(p->next.id, sizeof(p->next.id), "%s", row->id);
    }
}

/* The search's parameters into q (groups freed by the caller); false after a
 * resolver replied. */
static bool appointment_params(struct fhir_req *f, const struct auth *a,
                               struct fhir_appointment_query *q)
{
    static const char *const pract_types[] = {"Practitioner", NULL};
    static const char *const loc_types[] = {"Location", NULL};
    struct fhir_range range = {0};
    fhir_dates(f, "date", &range);
    q->practitioners = fhir_references(f, "practitioner", pract_types);
    q->locations = fhir_references(f, "location", loc_types);
    bool replied = false;
    q->statuses = fhir_tokens(f, "status", "http://hl7.org/fhir/appointmentstatus",
                              resolve_status, &replied);
    if (f->have_cursor && parse_long(f->cursor.key, 0, 253402300799L, &(long){0}) != 0)
        fhir_issue(f, "invalid", "_cursor", "_cursor is not one this search produced");
    scope_of(a, &q->clinic, &q->practitioner);
    q->from = (struct fhir_time_bound){range.lo.set, range.lo.t};
    q->from_wall = (struct fhir_time_bound){range.lo_wall.set, range.lo_wall.t};
    q->to = (struct fhir_time_bound){range.hi.set, range.hi.t};
    q->to_wall = (struct fhir_time_bound){range.hi_wall.set, range.hi_wall.t};
    q->cursor_start = f->have_cursor ? f->cursor.key : NULL;
    q->cursor_id = f->have_cursor ? f->cursor.id : NULL;
    q->rows = f->count + 1;
    return !replied;
}

void fhir_appointment_search(struct req *r)
{
    static const char *const known[] = {"date", "practitioner", "location", "status", NULL};
    const struct auth *a = &r->actor;
    struct fhir_req f;
    if (!fhir_begin(&f, r, "Appointment", known, "A"))
        return;
    struct fhir_appointment_query q = {0};
    struct appointment_page p = {.count = f.count, .next = {.kind = 'A'}};
    if (!appointment_params(&f, a, &q) || !fhir_checked(&f))
        goto out;
    fhir_bundle_init(&p.b, &f);
    p.ids = json_array();
    enum db_status st = store_fhir_appointment_search(&r->db, &q, appointment_page_row, &p);
    bool more = p.n > f.count;
    if (st != DB_OK) {
        fhir_bundle_discard(&p.b);
        reply_failure(r, st);
    } else if (!audit(r, a, NULL, q.clinic, "fhir_search_appointments", "booking", NULL, true,
                      "success", json_pack("{s:O}", "ids", p.ids))) {
        fhir_bundle_discard(&p.b);
    } else {
        fhir_bundle_reply(&p.b, !f.have_cursor && !more ? (long)p.n : -1, more ? &p.next : NULL);
    }
out:
    json_decref(p.ids);
    free((char *)q.practitioners);
    free((char *)q.locations);
    free((char *)q.statuses);
    fhir_release(&f);
}
