/* A clinic's locations. */
#include "store/locations.h"

#include <stdio.h>

#include "store/staff_write.h"

#define LOCATION_VIEW                                                                        \
    "json_build_object('id', l.id, 'name', l.name, 'address', l.address, 'city', l.city,"    \
    " 'region', l.region, 'postcode', l.postcode, 'country', l.country,"                     \
    " 'lat', round(ST_Y(l.geog::geometry)::numeric, 6),"                                     \
    " 'lon', round(ST_X(l.geog::geometry)::numeric, 6), 'timezone', l.timezone,"             \
    " 'wheelchair_accessible', l.wheelchair_accessible, 'active', l.active,"                 \
    " 'practitioners', (SELECT count(*) FROM practitioner_locations x"                        \
    "   WHERE x.location_id = l.id), 'created_at', l.created_at)"

DB_STMT(st_loc_list,
        "SELECT json_build_object('items', coalesce(json_agg(" LOCATION_VIEW
        " ORDER BY l.name, l.id), '[]'), 'next_cursor', NULL)::text"
        " FROM locations l WHERE l.clinic_id = $1::uuid AND ($2::bool IS NULL OR l.active = $2::bool)",
        2);
DB_STMT(st_loc_get,
        "SELECT " LOCATION_VIEW "::text FROM locations l WHERE l.clinic_id = $1::uuid"
        " AND l.id = $2::uuid",
        2);
/* The zone as given when it is one, and the zone it probably meant (case aside). */
DB_STMT(st_tz_check,
        "SELECT (SELECT name FROM time_zones WHERE name = $1),"
        " (SELECT name FROM time_zones WHERE lower(name) = lower($1) ORDER BY name LIMIT 1)",
        1);
DB_STMT(st_loc_insert,
        "INSERT INTO locations (clinic_id, name, address, city, region, postcode, country, geog,"
        " timezone, wheelchair_accessible) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7,"
        " ST_SetSRID(ST_MakePoint($9::float8, $8::float8), 4326)::geography, $10,"
        " coalesce($11::bool, false)) RETURNING id",
        11);
DB_STMT(st_loc_update,
        "UPDATE locations SET name = coalesce($3, name), address = coalesce($4, address),"
        " city = coalesce($5, city), region = CASE WHEN $6::bool THEN $7 ELSE region END,"
        " postcode = CASE WHEN $8::bool THEN $9 ELSE postcode END,"
        " country = coalesce($10, country),"
        " geog = CASE WHEN $11::float8 IS NULL AND $12::float8 IS NULL THEN geog ELSE"
        "   ST_SetSRID(ST_MakePoint(coalesce($12::float8, ST_X(geog::geometry)),"
        "   coalesce($11::float8, ST_Y(geog::geometry))), 4326)::geography END,"
        " timezone = coalesce($13, timezone),"
        " wheelchair_accessible = coalesce($14::bool, wheelchair_accessible),"
        " active = coalesce($15::bool, active)"
        " WHERE clinic_id = $1::uuid AND id = $2::uuid RETURNING id",
        15);
/* Locks the row; says whether it was active. */
DB_STMT(st_loc_lock,
        "SELECT active FROM locations WHERE clinic_id = $1::uuid AND id = $2::uuid FOR UPDATE", 2);
DB_STMT(st_loc_deactivate, "UPDATE locations SET active = false WHERE id = $1::uuid", 1);

const struct store_read store_locations_list = {&st_loc_list};

const struct store_read store_locations_get = {&st_loc_get};

enum db_status store_locations_tz_check(struct db_session *s, const char *tz, bool *known,
                                        char *suggest)
{
    const char *v[] = {tz};
    PGresult *res;
    *known = true;
    suggest[0] = '\0';
    enum db_status rc = db_query(s, &st_tz_check, v, &res);
    if (rc != DB_OK)
        return rc;
    *known = !PQgetisnull(res, 0, 0);
    if (!*known && !PQgetisnull(res, 0, 1))
        snprintf(suggest, 64, "%s", PQgetvalue(res, 0, 1));
    PQclear(res);
    return rc;
}

enum db_status store_locations_create(struct db_session *s, const char *clinic_id,
                                      const struct location_fields *l, struct audit_entry *e,
                                      char *id)
{
    const char *v[] = {clinic_id, l->name, l->address, l->city, l->region, l->postcode,
                       l->country, l->lat, l->lon, l->timezone, l->wheelchair};
    struct staff_write w = {&st_loc_insert, v, e, id};
    return store_staff_write(s, &w);
}

enum db_status store_locations_update(struct db_session *s, const char *clinic_id, const char *id,
                                      const struct location_fields *l, struct audit_entry *e)
{
    const char *v[] = {clinic_id, id, l->name, l->address, l->city,
                       l->set_region ? "true" : "false", l->region,
                       l->set_postcode ? "true" : "false", l->postcode,
                       l->has_country ? l->country : NULL, l->lat, l->lon, l->timezone,
                       l->wheelchair, l->active};
    struct staff_write w = {&st_loc_update, v, e, NULL};
    return store_staff_write(s, &w);
}

enum db_status store_locations_deactivate(struct db_session *s, const char *clinic_id,
                                          const char *id, struct deactivation *d)
{
    struct open_bookings_of of = {clinic_id, NULL, id, NULL};
    return store_deactivate(s, &st_loc_lock, &st_loc_deactivate, &of, d);
}
