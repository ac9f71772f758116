/* FHIR R4 Schedule and Slot.  One Schedule per practitioner (same id as the
 * Practitioner), for the service the public availability uses by default: their
 * shortest active service.  Its free Slots are computed by the same code as
 * GET /api/v1/practitioners/{id}/availability (schedule_load + slots_compute), so the
 * two always agree.  A Slot's id is the Schedule's id and the start's Unix time
 * ("{practitioner id}-1796112000"): stable while the slot stays free. */
#include "fhir/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fhir/fhir.h"
#include "cache/schedule_cache.h"
#include "util/parse.h"

#define UTC_INSTANT(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define ALL_GROUPS(n, match)                                                                \
    " AND (" n "::jsonb IS NULL OR NOT EXISTS (SELECT 1 FROM jsonb_array_elements(" n       \
    "::jsonb) AS grp(vals) WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text("       \
    "grp.vals) AS gv(val) WHERE " match ")))"

#define HAS_LOCATION                                                                        \
    " EXISTS (SELECT 1 FROM practitioner_locations pl0 JOIN locations l0"                   \
    "   ON l0.id = pl0.location_id WHERE pl0.practitioner_id = p.id AND l0.active)"

#define SERVICE_TYPE(s)                                                                     \
    "json_build_array(json_build_object('coding', json_build_array(json_build_object("      \
    "'system', '" FHIR_CS_SERVICE "', 'code', " s ".id, 'display', " s ".name)), 'text', "   \
    s ".name))"

/* Schedule (p, c clinic, pr profession, svc the default service or NULLs). */
#define SCHEDULE_JSON                                                                       \
    "json_strip_nulls(json_build_object('resourceType', 'Schedule', 'id', p.id,"            \
    " 'active', true,"                                                                      \
    " 'serviceType', CASE WHEN svc.id IS NOT NULL THEN " SERVICE_TYPE("svc") " END,"        \
    " 'specialty', (SELECT json_agg(json_build_object('coding', json_build_array("         \
    "   json_build_object('system', '" FHIR_CS_TECHNIQUE "', 'code', t.slug, 'display',"    \
    "   t.name)), 'text', t.name) ORDER BY t.sort_order, t.slug)"                           \
    "   FROM practitioner_techniques x JOIN techniques t ON t.id = x.technique_id"          \
    "   WHERE x.practitioner_id = p.id),"                                                   \
    " 'actor', (jsonb_build_array(jsonb_build_object('reference', 'Practitioner/' || p.id," \
    "   'display', p.name), jsonb_build_object('reference', 'PractitionerRole/' || p.id,"   \
    "   'display', p.name || ', ' || pr.name)) || coalesce((SELECT jsonb_agg("              \
    "   jsonb_build_object('reference', 'Location/' || l.id, 'display', l.name) ORDER BY l.id)" \
    "   FROM practitioner_locations x JOIN locations l ON l.id = x.location_id"             \
    "   WHERE x.practitioner_id = p.id AND l.active), '[]'::jsonb))::json,"                  \
    " 'planningHorizon', json_build_object("                                                \
    "   'start', " UTC_INSTANT("now() + c.min_notice_minutes * interval '1 minute'") ","      \
    "   'end', " UTC_INSTANT("now() + c.booking_horizon_days * interval '1 day'") "),"        \
    " 'comment', CASE WHEN svc.id IS NULL THEN 'No service is offered: no free slots.'"      \
    "   ELSE 'Free slots of ' || svc.name || ' (' || svc.duration_minutes || ' minutes),"   \
    " computed from weekly hours, time off and bookings; times in each location''s zone.'" \
    "   END))"

/* The default service, chosen as schedule_load chooses it. */
#define SCHEDULE_FROM                                                                       \
    " FROM practitioners p JOIN clinics c ON c.id = p.clinic_id"                            \
    " JOIN professions pr ON pr.id = p.profession_id"                                       \
    " LEFT JOIN LATERAL (SELECT s.id, s.name, s.duration_minutes FROM services s"           \
    "   WHERE s.clinic_id = p.clinic_id AND s.active AND s.id IN (SELECT x.service_id"      \
    "   FROM practitioner_services x WHERE x.practitioner_id = p.id)"                       \
    "   ORDER BY s.duration_minutes, s.price_cents, s.id LIMIT 1) svc ON true"

DB_STMT(st_schedule_read,
        "SELECT " SCHEDULE_JSON "::text" SCHEDULE_FROM
        " WHERE p.id = $1::uuid AND p.active AND" HAS_LOCATION,
        1);

/* $1 actor refs  $2 cursor name  $3 cursor id  $4 rows */
DB_STMT(st_schedule_search,
        "SELECT " SCHEDULE_JSON "::text, p.name, p.id" SCHEDULE_FROM
        " WHERE p.active AND" HAS_LOCATION
        ALL_GROUPS("$1", "gv.val IN ('Practitioner/' || p.id, 'PractitionerRole/' || p.id)"
                         " OR EXISTS (SELECT 1 FROM practitioner_locations x JOIN locations l"
                         " ON l.id = x.location_id WHERE x.practitioner_id = p.id AND l.active"
                         " AND 'Location/' || l.id = gv.val)")
        " AND ($2::text IS NULL OR (p.name, p.id) > ($2::text, $3::uuid))"
        " ORDER BY p.name, p.id LIMIT $4::int",
        4);

DB_STMT(st_service_name, "SELECT name FROM services WHERE id = $1::uuid", 1);

/* --- Schedule --------------------------------------------------------------------- */

static void schedule_read(struct req *r)
{
    struct fhir_req f;
    if (!fhir_begin(&f, r, "Schedule", NULL, NULL) || !fhir_checked(&f))
        return;
    const char *id = req_param(r, 0);
    if (!is_uuid(id)) {
        fhir_not_found(r, "Schedule", id);
        return;
    }
    const char *v[] = {id};
    PGresult *res = api_query(r, &st_schedule_read, v);
    if (!res)
        return;
    json_t *resource = PQntuples(res) == 1 ? fhir_row(res, 0, 0) : NULL;
    if (resource)
        fhir_reply(r, 200, resource);
    else
        fhir_not_found(r, "Schedule", id);
    PQclear(res);
}

static void schedule_search(struct req *r)
{
    static const char *const known[] = {"actor", NULL};
    static const char *const actor_types[] = {"Practitioner", "PractitionerRole", "Location", NULL};
    struct fhir_req f;
    if (!fhir_begin(&f, r, "Schedule", known, "S"))
        return;
    char *actors = fhir_references(&f, "actor", actor_types);
    char rows[24];
    snprintf(rows, sizeof(rows), "%ld", f.count + 1);
    if (fhir_checked(&f)) {
        const char *v[] = {actors, f.have_cursor ? f.cursor.key : NULL,
                           f.have_cursor ? f.cursor.id : NULL, rows};
        PGresult *res = api_query(r, &st_schedule_search, v);
        if (res) {
            int n = PQntuples(res);
            bool more = n > f.count;
            int shown = more ? (int)f.count : n;
            struct fhir_bundle b;
            fhir_bundle_init(&b, &f);
            for (int i = 0; i < shown; i++)
                fhir_bundle_add(&b, fhir_row(res, i, 0), NULL);
            struct cursor next = {.kind = 'S'};
            if (more) {
                snprintf(next.key, sizeof(next.key), "%s", PQgetvalue(res, shown - 1, 1));
                snprintf(next.id, sizeof(next.id), "%s", PQgetvalue(res, shown - 1, 2));
            }
            fhir_bundle_reply(&b, !f.have_cursor && !more ? (long)n : -1, more ? &next : NULL);
            PQclear(res);
        }
    }
    free(actors);
    fhir_release(&f);
}

void fhir_schedule_read(struct req *r)
{
    fhir_run(r, schedule_read);
}

void fhir_schedule_search(struct req *r)
{
    fhir_run(r, schedule_search);
}

/* --- Slot ------------------------------------------------------------------------- */

#define SLOT_DEFAULT_DAYS 14
#define SLOT_MAX_DAYS 62

/* The service's name for Slot.serviceType ("" when unknown); false after replying. */
static bool service_name(struct req *r, const struct schedule *s, char *out, size_t n)
{
    out[0] = '\0';
    if (!s->service_found)
        return true;
    const char *v[] = {s->service_id};
    PGresult *res = api_query(r, &st_service_name, v);
    if (!res)
        return false;
    if (PQntuples(res) == 1)
        snprintf(out, n, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return true;
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

static void slot_read(struct req *r)
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
    enum schedule_result sr = schedule_load(r, pid, NULL, start, start + 1, NULL, &s);
    if (sr == SCHEDULE_REPLIED)
        return;
    struct slot sl;
    char service[256];
    if (sr == SCHEDULE_OK && s.service_found && schedule_offers(&s, start, &sl)) {
        if (service_name(r, &s, service, sizeof(service)))
            fhir_reply(r, 200, slot_json(&s, &sl, service));
    } else {
        fhir_not_found(r, "Slot", id);
    }
    if (sr == SCHEDULE_OK)
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

static void slot_search(struct req *r)
{
    static const char *const known[] = {"schedule", "start", "status", NULL};
    static const char *const sched_types[] = {"Schedule", NULL};
    struct fhir_req f;
    struct schedule s;
    enum schedule_result sr = SCHEDULE_NO_PRACTITIONER;
    char *groups = NULL, *status = NULL;
    if (!fhir_begin(&f, r, "Slot", known, "s"))
        return;
    groups = fhir_references(&f, "schedule", sched_types);
    bool has_schedule = target_param(&r->target, "schedule") != NULL;
    if (!has_schedule)
        fhir_issue(&f, "required", "schedule",
                   "schedule is required: slots are computed per schedule (Schedule/{id})");
    char pid[40] = "";
    if (groups)
        one_schedule(&f, groups, pid, sizeof(pid));
    bool replied = false;
    status = fhir_tokens(&f, "status", "http://hl7.org/fhir/slotstatus", resolve_status, &replied);
    struct fhir_range range = {0};
    fhir_dates(&f, "start", &range);
    if (f.have_cursor && pid[0] && strcmp(f.cursor.id, pid) != 0)
        fhir_issue(&f, "invalid", "_cursor", "_cursor belongs to another schedule's search");

    /* A first, rough window (wall-clock bounds taken a day wide) to load the schedule
     * with; the exact one needs the practitioner's time zone. */
    int64_t rough_from = range.lo.set ? range.lo.t : (int64_t)time(NULL);
    if (range.lo_wall.set && (!range.lo.set || range.lo_wall.t - 86400 > rough_from))
        rough_from = range.lo_wall.t - 86400;
    int64_t rough_to = rough_from + (int64_t)(SLOT_DEFAULT_DAYS + 2) * 86400;
    if (range.hi.set)
        rough_to = range.hi.t;
    if (range.hi_wall.set && (!range.hi.set || range.hi_wall.t + 86400 < rough_to))
        rough_to = range.hi_wall.t + 86400;
    if (rough_to - rough_from > (int64_t)(SLOT_MAX_DAYS + 2) * 86400)
        fhir_issue(&f, "too-costly", "start", "start: the range may be at most %d days",
                   SLOT_MAX_DAYS);
    if (replied || !fhir_checked(&f))
        goto out;
    if (!pid[0] || rough_to <= rough_from || fhir_groups_unmatchable(status)) {
        /* nothing can match: an unknown schedule, an empty range, another code system */
        struct fhir_bundle b;
        fhir_bundle_init(&b, &f);
        fhir_bundle_reply(&b, 0, NULL);
        goto out;
    }
    sr = schedule_load(r, pid, NULL, rough_from, rough_to, NULL, &s);
    if (sr == SCHEDULE_REPLIED)
        goto out;
    if (sr == SCHEDULE_NO_PRACTITIONER) {
        struct fhir_bundle b;
        fhir_bundle_init(&b, &f);
        fhir_bundle_reply(&b, 0, NULL);
        goto out;
    }
    int64_t from = range.lo.set ? range.lo.t : s.now;
    if (range.lo_wall.set) {
        int64_t w = fhir_wall_to_utc(s.tz, range.lo_wall.t);
        from = range.lo.set && range.lo.t > w ? range.lo.t : w;
    }
    bool bounded = range.hi.set || range.hi_wall.set;
    int64_t to = range.hi.set ? range.hi.t : INT64_MAX;
    if (range.hi_wall.set) {
        int64_t w = fhir_wall_to_utc(s.tz, range.hi_wall.t);
        to = w < to ? w : to;
    }
    if (!bounded)
        to = from + (int64_t)SLOT_DEFAULT_DAYS * 86400;
    if (to - from > (int64_t)SLOT_MAX_DAYS * 86400 + 7200) {
        fhir_issue(&f, "too-costly", "start", "start: the range may be at most %d days",
                   SLOT_MAX_DAYS);
        fhir_checked(&f);
        goto out;
    }
    char service[256];
    if (service_name(r, &s, service, sizeof(service)))
        reply_slots(&f, &s, from, to, service);
out:
    if (sr == SCHEDULE_OK)
        schedule_release(&s);
    free(groups);
    free(status);
    fhir_release(&f);
}

void fhir_slot_read(struct req *r)
{
    fhir_run(r, slot_read);
}

void fhir_slot_search(struct req *r)
{
    fhir_run(r, slot_search);
}
