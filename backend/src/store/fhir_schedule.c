/* The FHIR facade's Schedule statements: one Schedule per practitioner (same id as
 * the Practitioner), for the service the public availability uses by default, their
 * shortest active service; and the name of a Slot's service. */
#include "store/fhir_schedule.h"

#include <stdio.h>

#include "store/fhir_sql.h"

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

/* The default service, chosen as schedule_fetch chooses it. */
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

static const struct fhir_cols read_cols = {0, -1, -1, -1, -1};
static const struct fhir_cols search_cols = {0, -1, 1, 2, -1};

enum db_status store_fhir_schedule_read(struct db_session *s, const char *id, fhir_row_fn each,
                                        void *ctx)
{
    const char *v[] = {id};
    return fhir_rows_query(s, &st_schedule_read, v, &read_cols, each, ctx);
}

enum db_status store_fhir_schedule_search(struct db_session *s, const char *actors,
                                          const struct fhir_page_args *page, fhir_row_fn each,
                                          void *ctx)
{
    char rows[24];
    snprintf(rows, sizeof(rows), "%ld", page->rows);
    const char *v[] = {actors, page->key, page->id, rows};
    return fhir_rows_query(s, &st_schedule_search, v, &search_cols, each, ctx);
}

enum db_status store_fhir_service_name(struct db_session *s, const char *service_id, char *out,
                                       size_t n)
{
    out[0] = '\0';
    const char *v[] = {service_id};
    PGresult *res;
    enum db_status rc = db_query(s, &st_service_name, v, &res);
    if (rc != DB_OK)
        return rc;
    if (PQntuples(res) == 1)
        snprintf(out, n, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return DB_OK;
}
