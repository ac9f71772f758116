/* Practitioners in bulk, in the database. */
#include "store/imports.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/alloc.h"
#include "util/buf.h"

DB_STMT(st_catalog,
        "SELECT 'p', slug::text, id::text, true FROM professions"
        " UNION ALL SELECT 'p', name, id::text, true FROM professions"
        " UNION ALL SELECT 't', slug::text, id::text, true FROM techniques"
        " UNION ALL SELECT 't', name, id::text, true FROM techniques"
        " UNION ALL SELECT 't', alias::text, technique_id::text, true FROM technique_aliases"
        " UNION ALL SELECT 'c', slug::text, id::text, true FROM conditions"
        " UNION ALL SELECT 'c', name, id::text, true FROM conditions"
        " UNION ALL SELECT 'c', alias::text, condition_id::text, true FROM condition_aliases"
        " UNION ALL SELECT 'L', name, id::text, active FROM locations WHERE clinic_id = $1::uuid"
        " UNION ALL SELECT 'S', name, id::text, active FROM services WHERE clinic_id = $1::uuid",
        1);

/* $2 is a JSON array of pract_check's PRACT_CREATE objects.  The ids are made first
 * (a materialized CTE runs once) so that every link table can use them; the foreign
 * keys are checked at the end of the statement, when the practitioners exist. */
DB_STMT(st_insert,
        "WITH r AS MATERIALIZED (SELECT gen_random_uuid() AS id, t.ord, t.e"
        "   FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(e, ord)),"
        " p AS (INSERT INTO practitioners (id, clinic_id, name, profession_id, credentials, bio,"
        "   languages, accepting_new, home_visits, sliding_scale)"
        "   SELECT r.id, $1::uuid, r.e->>'name', (r.e->>'profession_id')::smallint,"
        "   r.e->>'credentials', r.e->>'bio', ARRAY(SELECT jsonb_array_elements_text(r.e->'languages')),"
        "   (r.e->>'accepting_new')::bool, (r.e->>'home_visits')::bool,"
        "   (r.e->>'sliding_scale')::bool FROM r),"
        " pl AS (INSERT INTO practitioner_locations (clinic_id, practitioner_id, location_id)"
        "   SELECT $1::uuid, r.id, x::uuid FROM r, jsonb_array_elements_text(r.e->'location_ids') x),"
        " pt AS (INSERT INTO practitioner_techniques (clinic_id, practitioner_id, technique_id)"
        "   SELECT $1::uuid, r.id, x::smallint FROM r, jsonb_array_elements_text(r.e->'technique_ids') x),"
        " pc AS (INSERT INTO practitioner_conditions (clinic_id, practitioner_id, condition_id)"
        "   SELECT $1::uuid, r.id, x::smallint FROM r, jsonb_array_elements_text(r.e->'condition_ids') x),"
        " ps AS (INSERT INTO practitioner_services (clinic_id, practitioner_id, service_id)"
        "   SELECT $1::uuid, r.id, x::uuid FROM r, jsonb_array_elements_text(r.e->'service_ids') x)"
        " SELECT r.id FROM r ORDER BY r.ord",
        2);

enum db_status store_imports_catalog(struct db_session *s, const char *clinic_id,
                                     struct catalog *cat)
{
    const char *v[] = {clinic_id};
    PGresult *res;
    cat->e = NULL;
    cat->n = 0;
    enum db_status st = db_query(s, &st_catalog, v, &res);
    if (st != DB_OK)
        return st;
    size_t n = (size_t)PQntuples(res);
    cat->e = xcalloc(n ? n : 1, sizeof(*cat->e));
    for (size_t i = 0; i < n; i++) {
        struct catalog_entry *e = &cat->e[i];
        e->kind = PQgetvalue(res, (int)i, 0)[0];
        e->text = xstrdup(PQgetvalue(res, (int)i, 1));
        snprintf(e->id, sizeof(e->id), "%s", PQgetvalue(res, (int)i, 2));
        e->active = PQgetvalue(res, (int)i, 3)[0] == 't';
    }
    cat->n = n;
    PQclear(res);
    return DB_OK;
}

/* The read models (migration 0006) are rebuilt once per chunk rather than by every
 * table's trigger in turn: bulk mode for the insert, then one refresh of the chunk. */
DB_STMT(st_bulk_on, "SELECT set_config('clinicd.bulk_load', 'on', true)", 0);
DB_STMT(st_refresh_chunk,
        "SELECT set_config('clinicd.bulk_load', 'off', true),"
        " refresh_practitioner_cards($1::uuid[])",
        1);

enum db_status store_imports_insert(struct db_session *s, const char *clinic_id, json_t *rows,
                                    size_t from, size_t n, json_t *ids)
{
    json_t *chunk = json_array();
    for (size_t i = from; i < from + n && i < json_array_size(rows); i++)
        json_array_append(chunk, json_array_get(rows, i));
    char *text = json_dumps(chunk, JSON_COMPACT);
    json_decref(chunk);
    const char *v[] = {clinic_id, text};
    PGresult *res = NULL;
    enum db_status st = db_run(s, &st_bulk_on, NULL);
    if (st == DB_OK)
        st = db_query(s, &st_insert, v, &res);
    free(text);
    if (st != DB_OK)
        return st;
    struct buf chunk_ids;
    buf_init(&chunk_ids, 0);
    buf_putc(&chunk_ids, '{');
    for (int i = 0; i < PQntuples(res); i++) {
        json_array_append_new(ids, json_string(PQgetvalue(res, i, 0)));
        buf_printf(&chunk_ids, "%s%s", i ? "," : "", PQgetvalue(res, i, 0));
    }
    buf_putc(&chunk_ids, '}');
    PQclear(res);
    const char *rv[] = {chunk_ids.data};
    st = db_run(s, &st_refresh_chunk, rv);
    buf_release(&chunk_ids);
    return st;
}

struct by_staff {
    const char *clinic_id;
    json_t *rows, *ids;
    const struct audit_entry *e;
    char *first_id; /* NULL, or 40 bytes: the first new id, the audit row's resource */
};

static enum db_status by_staff_work(struct db_session *s, void *ctx)
{
    struct by_staff *w = ctx;
    size_t n = json_array_size(w->rows);
    enum db_status st = DB_OK;
    json_array_clear(w->ids); /* (from an earlier run) */
    for (size_t from = 0; st == DB_OK && from < n; from += IMPORT_CHUNK)
        st = store_imports_insert(s, w->clinic_id, w->rows, from, IMPORT_CHUNK, w->ids);
    if (st != DB_OK)
        return st;
    struct audit_entry e = *w->e;
    if (w->first_id) {
        snprintf(w->first_id, 40, "%s", json_string_value(json_array_get(w->ids, 0)));
        e.resource_id = w->first_id;
    }
    return store_audit_append(s, &e);
}

enum db_status store_imports_by_staff(struct db_session *s, const char *clinic_id,
                                      json_t *rows, const struct audit_entry *e, json_t *ids)
{
    struct by_staff w = {clinic_id, rows, ids, e, NULL};
    return db_tx(s, by_staff_work, &w);
}

enum db_status store_imports_one(struct db_session *s, const char *clinic_id, json_t *p,
                                 const struct audit_entry *e, char *id)
{
    json_t *rows = json_pack("[O]", p), *ids = json_array();
    struct by_staff w = {clinic_id, rows, ids, e, id};
    enum db_status st = db_tx(s, by_staff_work, &w);
    json_decref(rows);
    json_decref(ids);
    return st;
}

DB_STMT(st_clinic_name, "SELECT name FROM clinics WHERE id = $1::uuid", 1);

enum db_status store_imports_clinic_name(struct db_session *s, const char *clinic_id,
                                         char *name, size_t namelen)
{
    const char *v[] = {clinic_id};
    PGresult *res;
    enum db_status st = db_query(s, &st_clinic_name, v, &res);
    if (st == DB_OK && PQntuples(res) != 1)
        st = DB_NOT_FOUND;
    if (st == DB_OK)
        snprintf(name, namelen, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return st;
}

DB_STMT(st_audit_op,
        "INSERT INTO audit_log (actor_type, clinic_id, action, resource_type, resource_id,"
        " outcome, detail) VALUES ('operator', $1::uuid, 'import_practitioners', 'clinic', $1,"
        " 'success', $2::jsonb)",
        2);

/* The pool's sessions force generic plans (db/pool.c); the command's statements and
 * the triggers and functions they fire were planned for their values when it had a
 * connection of its own, and are again within its transaction: with generic plans
 * 2,000 rows took two to four times as long to insert (measured side by side). */
DB_STMT(st_custom_plans, "SELECT set_config('plan_cache_mode', 'auto', true)", 0);

struct by_operator {
    const char *clinic_id, *detail;
    json_t *rows, *ids;
    progress_fn progress;
    void *ctx;
};

static enum db_status by_operator_work(struct db_session *s, void *ctx)
{
    struct by_operator *w = ctx;
    size_t n = json_array_size(w->rows);
    enum db_status st = db_run(s, &st_custom_plans, NULL);
    json_array_clear(w->ids); /* (from an earlier run) */
    for (size_t from = 0; st == DB_OK && from < n; from += IMPORT_CHUNK) {
        st = store_imports_insert(s, w->clinic_id, w->rows, from, IMPORT_CHUNK, w->ids);
        if (st == DB_OK && w->progress)
            w->progress(w->ctx, json_array_size(w->ids), n);
    }
    const char *v[] = {w->clinic_id, w->detail};
    return st == DB_OK ? db_run(s, &st_audit_op, v) : st;
}

enum db_status store_imports_by_operator(struct db_session *s, const char *clinic_id,
                                         json_t *rows, const char *detail, json_t *ids,
                                         progress_fn progress, void *ctx)
{
    struct by_operator w = {clinic_id, detail, rows, ids, progress, ctx};
    return db_tx(s, by_operator_work, &w);
}
