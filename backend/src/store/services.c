/* A clinic's services. */
#include "store/services.h"

#include "store/staff_write.h"

#define SERVICE_VIEW                                                                         \
    "json_build_object('id', s.id, 'name', s.name, 'duration_minutes', s.duration_minutes,"  \
    " 'price', round(s.price_cents / 100.0, 2), 'currency', s.currency,"                     \
    " 'buffer_before_minutes', s.buffer_before_minutes,"                                     \
    " 'buffer_after_minutes', s.buffer_after_minutes, 'active', s.active,"                   \
    " 'practitioners', (SELECT count(*) FROM practitioner_services x"                         \
    "   WHERE x.service_id = s.id), 'created_at', s.created_at)"

DB_STMT(st_svc_list,
        "SELECT json_build_object('items', coalesce(json_agg(" SERVICE_VIEW
        " ORDER BY s.name, s.duration_minutes, s.id), '[]'), 'next_cursor', NULL)::text"
        " FROM services s WHERE s.clinic_id = $1::uuid AND ($2::bool IS NULL OR s.active = $2::bool)",
        2);
DB_STMT(st_svc_get,
        "SELECT " SERVICE_VIEW "::text FROM services s WHERE s.clinic_id = $1::uuid"
        " AND s.id = $2::uuid",
        2);
DB_STMT(st_svc_insert,
        "INSERT INTO services (clinic_id, name, duration_minutes, price_cents, currency,"
        " buffer_before_minutes, buffer_after_minutes) VALUES ($1::uuid, $2, $3::int, $4::int, $5,"
        " coalesce($6::int, 0), coalesce($7::int, 0)) RETURNING id",
        7);
DB_STMT(st_svc_update,
        "UPDATE services SET name = coalesce($3, name),"
        " duration_minutes = coalesce($4::int, duration_minutes),"
        " price_cents = coalesce($5::int, price_cents), currency = coalesce($6, currency),"
        " buffer_before_minutes = coalesce($7::int, buffer_before_minutes),"
        " buffer_after_minutes = coalesce($8::int, buffer_after_minutes),"
        " active = coalesce($9::bool, active)"
        " WHERE clinic_id = $1::uuid AND id = $2::uuid RETURNING id",
        9);
DB_STMT(st_svc_deactivate,
        "UPDATE services SET active = false WHERE clinic_id = $1::uuid AND id = $2::uuid"
        " RETURNING id",
        2);

const struct store_read store_services_list = {&st_svc_list};

const struct store_read store_services_get = {&st_svc_get};

enum db_status store_services_create(struct db_session *s, const char *clinic_id,
                                     const struct service_fields *f, struct audit_entry *e,
                                     char *id)
{
    const char *v[] = {clinic_id, f->name, f->duration, f->price, f->currency, f->before,
                       f->after};
    struct staff_write w = {&st_svc_insert, v, e, id};
    return store_staff_write(s, &w);
}

enum db_status store_services_update(struct db_session *s, const char *clinic_id, const char *id,
                                     const struct service_fields *f, struct audit_entry *e)
{
    const char *v[] = {clinic_id, id, f->name, f->duration, f->price, f->currency,
                       f->before, f->after, f->active};
    struct staff_write w = {&st_svc_update, v, e, NULL};
    return store_staff_write(s, &w);
}

enum db_status store_services_deactivate(struct db_session *s, const char *clinic_id,
                                         const char *id, struct audit_entry *e)
{
    const char *v[] = {clinic_id, id};
    struct staff_write w = {&st_svc_deactivate, v, e, NULL};
    return store_staff_write(s, &w);
}
