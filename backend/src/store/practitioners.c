/* A clinic's practitioners as its staff keep them. */
#include "store/practitioners.h"

#include <stdio.h>

#define PRACTITIONER_VIEW                                                                    \
    "json_build_object('id', p.id, 'clinic_id', p.clinic_id, 'name', p.name,"               \
    " 'profession', json_build_object('slug', pr.slug, 'name', pr.name),"                    \
    " 'credentials', p.credentials, 'bio', p.bio, 'languages', p.languages,"                 \
    " 'accepting_new', p.accepting_new, 'home_visits', p.home_visits,"                       \
    " 'sliding_scale', p.sliding_scale, 'active', p.active,"                                 \
    " 'techniques', coalesce((SELECT json_agg(t.slug ORDER BY t.sort_order, t.slug)"         \
    "   FROM practitioner_techniques x JOIN techniques t ON t.id = x.technique_id"           \
    "   WHERE x.practitioner_id = p.id), '[]'),"                                             \
    " 'conditions', coalesce((SELECT json_agg(k.slug ORDER BY k.slug)"                       \
    "   FROM practitioner_conditions x JOIN conditions k ON k.id = x.condition_id"           \
    "   WHERE x.practitioner_id = p.id), '[]'),"                                             \
    " 'location_ids', coalesce((SELECT json_agg(l.id ORDER BY l.name, l.id)"                 \
    "   FROM practitioner_locations x JOIN locations l ON l.id = x.location_id"              \
    "   WHERE x.practitioner_id = p.id), '[]'),"                                             \
    " 'locations', coalesce((SELECT json_agg(json_build_object('id', l.id, 'name', l.name,"  \
    "   'city', l.city, 'timezone', l.timezone, 'active', l.active) ORDER BY l.name, l.id)"  \
    "   FROM practitioner_locations x JOIN locations l ON l.id = x.location_id"              \
    "   WHERE x.practitioner_id = p.id), '[]'),"                                             \
    " 'service_ids', coalesce((SELECT json_agg(s.id ORDER BY s.name, s.id)"                  \
    "   FROM practitioner_services x JOIN services s ON s.id = x.service_id"                 \
    "   WHERE x.practitioner_id = p.id), '[]'),"                                             \
    " 'services', coalesce((SELECT json_agg(json_build_object('id', s.id, 'name', s.name,"   \
    "   'duration_minutes', s.duration_minutes, 'active', s.active) ORDER BY s.name, s.id)"  \
    "   FROM practitioner_services x JOIN services s ON s.id = x.service_id"                 \
    "   WHERE x.practitioner_id = p.id), '[]'),"                                             \
    " 'created_at', p.created_at, 'updated_at', p.updated_at)"

DB_STMT(st_pract_list,
        "SELECT " PRACTITIONER_VIEW "::text, p.name, p.id FROM practitioners p"
        " JOIN professions pr ON pr.id = p.profession_id WHERE p.clinic_id = $1::uuid"
        " AND ($2::bool IS NULL OR p.active = $2::bool)"
        " AND ($3::text IS NULL OR (p.name, p.id) > ($3::text, $4::uuid))"
        " ORDER BY p.name, p.id LIMIT $5::int",
        5);
DB_STMT(st_pract_get,
        "SELECT " PRACTITIONER_VIEW "::text FROM practitioners p"
        " JOIN professions pr ON pr.id = p.profession_id"
        " WHERE p.clinic_id = $1::uuid AND p.id = $2::uuid",
        2);
DB_STMT(st_pract_update,
        "UPDATE practitioners SET name = coalesce($3, name),"
        " profession_id = coalesce($4::smallint, profession_id),"
        " credentials = coalesce($5, credentials), bio = coalesce($6, bio),"
        " languages = CASE WHEN $7::jsonb IS NULL THEN languages"
        "   ELSE ARRAY(SELECT jsonb_array_elements_text($7::jsonb)) END,"
        " accepting_new = coalesce($8::bool, accepting_new),"
        " home_visits = coalesce($9::bool, home_visits),"
        " sliding_scale = coalesce($10::bool, sliding_scale),"
        " active = coalesce($11::bool, active), updated_at = now()"
        " WHERE clinic_id = $1::uuid AND id = $2::uuid RETURNING id",
        11);
/* Replaces the link lists present in $3 (pract_check's PRACT_UPDATE output); lists it
 * does not hold are left alone.  Weekly hours at a location taken away go with it. */
#define REPLACE_LINKS(tag, table, col, key, type)                                           \
    " del_" tag " AS (DELETE FROM " table " WHERE practitioner_id = $2::uuid AND $3::jsonb ? '" \
    key "' AND NOT ($3::jsonb->'" key "') @> to_jsonb(" col ")),"                             \
    " ins_" tag " AS (INSERT INTO " table " (clinic_id, practitioner_id, " col ")"               \
    "   SELECT $1::uuid, $2::uuid, x.v::" type " FROM jsonb_array_elements_text("             \
    "   coalesce($3::jsonb->'" key "', '[]')) AS x(v) ON CONFLICT DO NOTHING)"
DB_STMT(st_pract_links,
        "WITH" REPLACE_LINKS("l", "practitioner_locations", "location_id", "location_ids", "uuid")
        "," REPLACE_LINKS("s", "practitioner_services", "service_id", "service_ids", "uuid")
        "," REPLACE_LINKS("t", "practitioner_techniques", "technique_id", "technique_ids", "smallint")
        "," REPLACE_LINKS("c", "practitioner_conditions", "condition_id", "condition_ids", "smallint")
        " SELECT 1",
        3);
DB_STMT(st_pract_lock,
        "SELECT active FROM practitioners WHERE clinic_id = $1::uuid AND id = $2::uuid FOR UPDATE",
        2);
DB_STMT(st_pract_deactivate,
        "UPDATE practitioners SET active = false, updated_at = now() WHERE id = $1::uuid", 1);

struct update {
    const char *clinic_id, *id;
    const struct practitioner_update *u;
    const struct audit_entry *e;
    struct open_bookings *open;
};

static enum db_status update_work(struct db_session *s, void *ctx)
{
    struct update *w = ctx;
    const struct practitioner_update *u = w->u;
    const char *v[] = {w->clinic_id, w->id, u->name, u->profession_id, u->credentials, u->bio,
                       u->languages, u->accepting_new, u->home_visits, u->sliding_scale,
                       u->active};
    const char *lv[] = {w->clinic_id, w->id, u->links};
    open_bookings_release(w->open);
    enum db_status rc = db_query_one(s, &st_pract_update, v, NULL);
    /* bookings at a location taken away would have nowhere to happen */
    struct open_bookings_of of = {w->clinic_id, w->id, NULL, u->location_ids};
    if (rc == DB_OK && u->location_ids)
        rc = store_open_bookings_settle(s, &of, false, NULL, NULL, w->open);
    if (rc == DB_OK)
        rc = db_run(s, &st_pract_links, lv);
    if (rc == DB_OK)
        rc = store_audit_append(s, w->e);
    return rc;
}

enum db_status store_practitioners_update(struct db_session *s, const char *clinic_id,
                                          const char *id, const struct practitioner_update *u,
                                          const struct audit_entry *e,
                                          struct open_bookings *open)
{
    struct update w = {clinic_id, id, u, e, open};
    return db_tx(s, update_work, &w);
}

enum db_status store_practitioners_list(struct db_session *s, const char *clinic_id,
                                        const char *active, const char *after_name,
                                        const char *after_id, long limit, struct staff_page *out)
{
    char lim[STAFF_PAGE_LIMIT_TEXT];
    staff_page_limit(limit, lim);
    const char *v[] = {clinic_id, active, after_name, after_id, lim};
    return staff_page_query(s, &st_pract_list, v, limit, 'n', 1, 2, out);
}

const struct store_read store_practitioners_get = {&st_pract_get};

enum db_status store_practitioners_deactivate(struct db_session *s, const char *clinic_id,
                                              const char *id, struct deactivation *d)
{
    struct open_bookings_of of = {clinic_id, id, NULL, NULL};
    return store_deactivate(s, &st_pract_lock, &st_pract_deactivate, &of, d);
}
