/* A clinic as its staff see and change it. */
#include "store/clinic.h"

#include "store/staff_write.h"

DB_STMT(st_clinic_get,
        "SELECT json_build_object('id', id, 'name', name, 'website', website, 'phone', phone,"
        " 'policy', json_build_object('min_notice_minutes', min_notice_minutes,"
        "   'booking_horizon_days', booking_horizon_days,"
        "   'cancellation_notice_hours', cancellation_notice_hours,"
        "   'slot_step_minutes', slot_step_minutes,"
        "   'max_open_bookings_per_contact', max_open_bookings_per_contact,"
        "   'flare_moves_per_plan', flare_moves_per_plan,"
        "   'reminder_hours', reminder_hours, 'week_mail_hour', week_mail_hour),"
        " 'created_at', created_at)::text FROM clinics WHERE id = $1::uuid",
        1);
DB_STMT(st_clinic_patch,
        "UPDATE clinics SET name = coalesce($2, name),"
        " website = CASE WHEN $3::bool THEN $4 ELSE website END,"
        " phone = CASE WHEN $5::bool THEN $6 ELSE phone END,"
        " min_notice_minutes = coalesce($7::int, min_notice_minutes),"
        " booking_horizon_days = coalesce($8::int, booking_horizon_days),"
        " cancellation_notice_hours = coalesce($9::int, cancellation_notice_hours),"
        " slot_step_minutes = coalesce($10::int, slot_step_minutes),"
        " max_open_bookings_per_contact = coalesce($11::int, max_open_bookings_per_contact),"
        " flare_moves_per_plan = coalesce($12::int, flare_moves_per_plan),"
        " reminder_hours = CASE WHEN $13::bool THEN $14::int ELSE reminder_hours END,"
        " week_mail_hour = CASE WHEN $15::bool THEN $16::int ELSE week_mail_hour END"
        " WHERE id = $1::uuid RETURNING id",
        16);

const struct store_read store_clinic_get = {&st_clinic_get};

enum db_status store_clinic_update(struct db_session *s, const char *clinic_id,
                                   const struct clinic_patch *p, struct audit_entry *e)
{
    const char *v[] = {clinic_id, p->name, p->set_website, p->website, p->set_phone, p->phone,
                       p->min_notice, p->horizon, p->cancel_notice, p->slot_step, p->max_open,
                       p->flare_moves, p->set_reminder ? p->set_reminder : "false",
                       p->reminder_hours, p->set_week_hour ? p->set_week_hour : "false",
                       p->week_hour};
    struct staff_write w = {&st_clinic_patch, v, e, NULL};
    return store_staff_write(s, &w);
}
