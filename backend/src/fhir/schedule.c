/* FHIR R4 Schedule and Slot.  One Schedule per practitioner (same id as the
 * Practitioner), for the service the public availability uses by default: their
 * shortest active service.  Its free Slots are computed by the same code as
 * GET /api/v1/practitioners/{id}/availability (schedule_fetch + slots_compute), so the
 * two always agree.  A Slot's id is the Schedule's id and the start's Unix time
 * ("{practitioner id}-1796112000"): stable while the slot stays free. */
#include "api/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/outcome.h"
#include "cache/schedule_cache.h"
#include "fhir/fhir.h"
#include "fhir/params.h"
#include "fhir/slot_window.h"
#include "http/reply.h"
#include "store/fhir_schedule.h"
#include "util/parse.h"

/* --- Schedule --------------------------------------------------------------------- */

void fhir_schedule_read(struct req *r)
{
    struct fhir_req f;
    if (!fhir_begin(&f, r, "Schedule", NULL, NULL) || !fhir_checked(&f))
        return;
    const char *id = req_param(r, 0);
    if (!is_uuid(id)) {
        fhir_not_found(r, "Schedule", id);
        return;
    }
    struct fhir_read rd = {NULL, false, 0, NULL};
    enum db_status st = store_fhir_schedule_read(&r->db, id, fhir_read_row, &rd);
    if (st != DB_OK)
        reply_failure(r, st);
    else if (rd.resource)
        fhir_reply(r, 200, rd.resource);
    else
        fhir_not_found(r, "Schedule", id);
}

void fhir_schedule_search(struct req *r)
{
    static const char *const known[] = {"actor", NULL};
    static const char *const actor_types[] = {"Practitioner", "PractitionerRole", "Location", NULL};
    struct fhir_req f;
    if (!fhir_begin(&f, r, "Schedule", known, "S"))
        return;
    char *actors = fhir_references(&f, "actor", actor_types);
    if (fhir_checked(&f)) {
        struct fhir_page_args page = fhir_page_args_of(&f);
        struct fhir_page p;
        fhir_page_init(&p, &f, 'S', NULL, false);
        fhir_page_reply(r, store_fhir_schedule_search(&r->db, actors, &page, fhir_page_row, &p),
                        &p, NULL);
    }
    free(actors);
    fhir_release(&f);
}

/* --- Slot ------------------------------------------------------------------------- */


/* The service's name for Slot.serviceType ("" when unknown), read on db. */
static enum db_status service_name(struct db_session *db, const struct schedule *s, char *out,
                                   size_t n)
{
    out[0] = '\0';
    return s->service_found ? store_fhir_service_name(db, s->service_id, out, n) : DB_OK;
}

static json_t *slot_json(const struct schedule *s, const struct slot *sl, const char *service)
{
    char id[80], sched[80], loc[80], start[40], end[40];
    snprintf(id, sizeof(id), "%s-%lld", s->practitioner_id, (long long)sl->start);
    snprintf(sched, sizeof(sched), "Schedule/%s", s->practitioner_id);
    snprintf(loc, sizeof(loc), "Location/%s", schedule_location(s, sl->location));
    schedule_format(s, sl->start, start, sizeof(start));
    schedule_format(s, sl->end, end, sizeof(end));
    json_t *j = json_pack("{s:s, s:s, s:[{s:s, s:{s:s}}]}", "resourceType", "Slot", "id", id,
                          "extension", "url", FHIR_EXT_SLOT_LOCATION, "valueReference",
                          "reference", loc);
    if (service[0])
        json_object_set_new(j, "serviceType",
                            json_pack("[{s:[{s:s, s:s, s:s}], s:s}]", "coding", "system",
                                      FHIR_CS_SERVICE, "code", s->service_id, "display", service,
                                      "text", service));
    json_object_set_new(j, "schedule", json_pack("{s:s}", "reference", sched));
    json_object_set_new(j, "status", json_string("free"));
    json_object_set_new(j, "start", json_string(start));
    json_object_set_new(j, "end", json_string(end));
    return j;
}

/* "{uuid}-{unix time}" into its parts; false when id is not a slot id of ours. */
static bool slot_id_parse(const char *id, char *practitioner, size_t n, int64_t *start)
{
    long t;
    if (strlen(id) < 38 || id[36] != '-' || parse_long(id + 37, 0, 253402300799L, &t) != 0)
        return false;
    snprintf(practitioner, n, "%.36s", id);
    *start = t;
    return is_uuid(practitioner);
}

void fhir_slot_read(struct req *r)
{
    struct fhir_req f;
    if (!fhir_begin(&f, r, "Slot", NULL, NULL) || !fhir_checked(&f))
        return;
    const char *id = req_param(r, 0);
    char pid[40];
    int64_t start;
    if (!slot_id_parse(id, pid, sizeof(pid), &start)) {
        fhir_not_found(r, "Slot", id);
        return;
    }
    struct schedule s;
    enum db_status st = schedule_fetch(&r->db, pid, NULL, start, start + 1, NULL, &s);
    struct slot sl;
    char service[256];
    if (st != DB_OK && st != DB_NOT_FOUND)
        reply_failure(r, st);
    else if (st == DB_NOT_FOUND || !s.service_found || !schedule_offers(&s, start, &sl))
        fhir_not_found(r, "Slot", id);
    else if ((st = service_name(&r->db, &s, service, sizeof(service))) != DB_OK)
        reply_failure(r, st);
    else
        fhir_reply(r, 200, slot_json(&s, &sl, service));
    schedule_release(&s);
}

/* status: only free slots are published. */
static int resolve_status(struct fhir_req *f, const char *key, const char *code, char *out,
                          size_t n)
{
    static const char *const others[] = {"busy", "busy-unavailable", "busy-tentative",
                                         "entered-in-error", NULL};
    if (strcmp(code, "free") == 0) {
        snprintf(out, n, "free");
        return 1;
    }
    for (const char *const *o = others; *o; o++)
        if (strcmp(*o, code) == 0) {
            fhir_issue(f, "not-supported", key,
                       "%s: only free slots are published (status=free); %s is not supported",
                       key, code);
            return -1;
        }
    fhir_issue(f, "invalid", key, "%s: %.60s is not a slot status", key, code);
    return -1;
}

/* The one schedule id of the search, from its groups (JSON); "" when there is none
 * (an id that cannot be ours: the search matches nothing).  False after a problem. */
static bool one_schedule(struct fhir_req *f, const char *groups, char *out, size_t n)
{
    out[0] = '\0';
    json_t *g = json_loads(groups, 0, NULL);
    json_t *first = json_array_get(g, 0);
    bool ok = json_array_size(g) == 1 && json_array_size(first) == 1;
    if (!ok)
        fhir_issue(f, "not-supported", "schedule",
                   "schedule: give one schedule per search (slots are computed per schedule)");
    const char *ref = json_string_value(json_array_get(first, 0));
    if (ok && ref && strncmp(ref, "Schedule/", 9) == 0 && is_uuid(ref + 9))
        snprintf(out, n, "%s", ref + 9);
    json_decref(g);
    return ok;
}

static void reply_slots(struct fhir_req *f, const struct schedule *s, int64_t from, int64_t to,
                        const char *service)
{
    struct fhir_bundle b;
    fhir_bundle_init(&b, f);
    struct slot_query q;
    schedule_query(s, from, to, &q);
    size_t max = (size_t)SLOT_MAX_DAYS * 24 * 12 + 16;
    struct slot *slots = malloc(max * sizeof(*slots));
    size_t n = slots && to > from && s->service_found ? slots_compute(&q, slots, max) : 0;
    if (n > max)
        n = max;
    size_t first = 0;
    if (f->have_cursor) {
        long long after = strtoll(f->cursor.key, NULL, 10);
        while (first < n && slots[first].start <= after)
            first++;
    }
    size_t end = first + (size_t)f->count < n ? first + (size_t)f->count : n;
    for (size_t i = first; i < end; i++)
        fhir_bundle_add(&b, slot_json(s, &slots[i], service), NULL);
    struct cursor next = {.kind = 's'};
    if (end < n) {
        snprintf(next.key, sizeof(next.key), "%lld", (long long)slots[end - 1].start);
        snprintf(next.id, sizeof(next.id), "%s", s->practitioner_id);
    }
    free(slots);
    fhir_bundle_reply(&b, (long)n, end < n ? &next : NULL);
}

/* A Slot search's parameters, read. */
struct slot_params {
    char *groups, *status; /* JSON groups of schedule references and statuses; freed */
    char pid[40];          /* the one schedule ("" when it cannot be ours) */
    bool failed;           /* a resolver's read failed (f->failure) */
    struct fhir_range range;
    int64_t rough_from, rough_to;
};

static void slot_params_read(struct fhir_req *f, struct slot_params *sp)
{
    static const char *const sched_types[] = {"Schedule", NULL};
    memset(sp, 0, sizeof(*sp));
    sp->groups = fhir_references(f, "schedule", sched_types);
    if (!target_param(f->target, "schedule"))
        fhir_issue(f, "required", "schedule",
                   "schedule is required: slots are computed per schedule (Schedule/{id})");
    if (sp->groups)
        one_schedule(f, sp->groups, sp->pid, sizeof(sp->pid));
    sp->status = fhir_tokens(f, "status", "http://hl7.org/fhir/slotstatus", resolve_status,
                             &sp->failed);
    fhir_dates(f, "start", &sp->range);
    if (f->have_cursor && sp->pid[0] && strcmp(f->cursor.id, sp->pid) != 0)
        fhir_issue(f, "invalid", "_cursor", "_cursor belongs to another schedule's search");
    if (!slot_window_rough(&sp->range, (int64_t)time(NULL), &sp->rough_from, &sp->rough_to))
        fhir_issue(f, "too-costly", "start", "start: the range may be at most %d days",
                   SLOT_MAX_DAYS);
}

/* An empty searchset: nothing can match. */
static void reply_no_slots(struct fhir_req *f)
{
    struct fhir_bundle b;
    fhir_bundle_init(&b, f);
    fhir_bundle_reply(&b, 0, NULL);
}

void fhir_slot_search(struct req *r)
{
    static const char *const known[] = {"schedule", "start", "status", NULL};
    struct fhir_req f;
    struct schedule s = {0};
    struct slot_params sp;
    if (!fhir_begin(&f, r, "Slot", known, "s"))
        return;
    slot_params_read(&f, &sp);
    if (sp.failed)
        reply_failure(r, f.failure);
    if (sp.failed || !fhir_checked(&f))
        goto out;
    if (!sp.pid[0] || sp.rough_to <= sp.rough_from || fhir_groups_unmatchable(sp.status)) {
        /* nothing can match: an unknown schedule, an empty range, another code system */
        reply_no_slots(&f);
        goto out;
    }
    enum db_status st =
        schedule_fetch(&r->db, sp.pid, NULL, sp.rough_from, sp.rough_to, NULL, &s);
    if (st != DB_OK && st != DB_NOT_FOUND) {
        reply_failure(r, st);
        goto out;
    }
    if (st == DB_NOT_FOUND) {
        reply_no_slots(&f);
        goto out;
    }
    int64_t from, to;
    if (!slot_window_exact(&sp.range, s.tz, s.now, &from, &to)) {
        fhir_issue(&f, "too-costly", "start", "start: the range may be at most %d days",
                   SLOT_MAX_DAYS);
        fhir_checked(&f);
        goto out;
    }
    char service[256];
    if ((st = service_name(&r->db, &s, service, sizeof(service))) != DB_OK)
        reply_failure(r, st);
    else
        reply_slots(&f, &s, from, to, service);
out:
    schedule_release(&s);
    free(sp.groups);
    free(sp.status);
    fhir_release(&f);
}
