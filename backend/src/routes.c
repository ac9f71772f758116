/* The route table: every method and path the service answers, its handler, what it
 * expects and who may call it, in one place; and the gate that applies those rules. */
#include "api/gate.h"
#include "api/handlers.h"
#include "api/rate.h"
#include "fhir/fhir.h"
#include "site/web.h"
#include "http/router.h"

const struct route routes[] = {
    {M_GET, "/healthz", health_live, ROUTE_NO_DB, ACCESS_PUBLIC},
    {M_GET, "/readyz", health_ready, 0, ACCESS_PUBLIC},
    {M_GET, "/metrics", health_metrics, ROUTE_NO_DB, ACCESS_OPS},

    {M_GET, "/api/v1/openapi.json", openapi_get, ROUTE_NO_DB, ACCESS_PUBLIC},
    {M_GET, "/api/v1/professions", directory_professions, 0, ACCESS_PUBLIC},
    {M_GET, "/api/v1/techniques", directory_techniques, 0, ACCESS_PUBLIC},
    {M_GET, "/api/v1/conditions", directory_conditions, 0, ACCESS_PUBLIC},
    {M_GET, "/api/v1/places", places_search, 0, ACCESS_PUBLIC},
    {M_GET, "/api/v1/practitioners", practitioners_search, 0, ACCESS_PUBLIC},
    {M_GET, "/api/v1/practitioners/{id}", practitioners_profile, 0, ACCESS_PUBLIC},
    {M_GET, "/api/v1/practitioners/{id}/availability", availability_get, 0, ACCESS_PUBLIC},
    {M_GET, "/api/v1/practitioners/{id}/calendar.ics", feeds_ics, 0, ACCESS_FEED},

    {M_POST, "/api/v1/bookings", bookings_create, ROUTE_BODY_JSON | ROUTE_PATIENT_WRITE, ACCESS_PUBLIC},
    {M_GET, "/api/v1/bookings/{id}", bookings_get, 0, ACCESS_HOLDER},
    {M_POST, "/api/v1/bookings/{id}/cancel", bookings_cancel, ROUTE_BODY_JSON | ROUTE_PATIENT_WRITE, ACCESS_HOLDER},
    {M_POST, "/api/v1/bookings/{id}/reschedule", bookings_reschedule, ROUTE_BODY_JSON | ROUTE_PATIENT_WRITE, ACCESS_HOLDER},
    {M_GET, "/api/v1/bookings/{id}/calendar.ics", bookings_ics, 0, ACCESS_HOLDER},
    {M_GET, "/api/v1/bookings/{id}/plan", bookings_plan_get, 0, ACCESS_HOLDER},
    {M_POST, "/api/v1/bookings/{id}/sessions", bookings_add_sessions, ROUTE_BODY_JSON | ROUTE_PATIENT_WRITE, ACCESS_HOLDER},
    {M_POST, "/api/v1/bookings/{id}/flare", bookings_flare, ROUTE_BODY_JSON | ROUTE_PATIENT_WRITE, ACCESS_HOLDER},
    {M_POST, "/api/v1/booking-series", series_create, ROUTE_BODY_JSON | ROUTE_PATIENT_WRITE, ACCESS_PUBLIC},
    {M_GET, "/api/v1/booking-series/{id}", series_get, 0, ACCESS_HOLDER},
    {M_POST, "/api/v1/booking-series/{id}/cancel-rest", series_cancel_rest, ROUTE_BODY_JSON | ROUTE_PATIENT_WRITE, ACCESS_HOLDER},
    {M_POST, "/api/v1/booking-series/{id}/sessions", series_add_sessions, ROUTE_BODY_JSON | ROUTE_PATIENT_WRITE, ACCESS_HOLDER},
    {M_POST, "/api/v1/booking-series/{id}/cadence", series_change_cadence, ROUTE_BODY_JSON | ROUTE_PATIENT_WRITE, ACCESS_HOLDER},
    {M_POST, "/api/v1/booking-series/{id}/flare", series_flare, ROUTE_BODY_JSON | ROUTE_PATIENT_WRITE, ACCESS_HOLDER},
    {M_POST, "/api/v1/waitlist", waitlist_create, ROUTE_BODY_JSON | ROUTE_PATIENT_WRITE, ACCESS_PUBLIC},
    {M_POST, "/api/v1/lost-links", lost_links_create, ROUTE_BODY_JSON, ACCESS_PUBLIC},

    {M_POST, "/api/v1/auth/login", auth_login, ROUTE_BODY_JSON, ACCESS_PUBLIC},
    {M_POST, "/api/v1/auth/logout", auth_logout, ROUTE_BODY_JSON, ACCESS_SIGNED_IN},
    {M_POST, "/api/v1/auth/password", auth_password, ROUTE_BODY_JSON, ACCESS_SIGNED_IN | ACCESS_PEOPLE},
    {M_GET, "/api/v1/me", auth_me, 0, ACCESS_SIGNED_IN},

    {M_GET, "/api/v1/clinics/{clinic_id}", staff_clinic_get, 0, ACCESS_STAFF_READ},
    {M_PATCH, "/api/v1/clinics/{clinic_id}", staff_clinic_patch, ROUTE_BODY_JSON, ACCESS_STAFF_ADMIN_WRITE},
    {M_GET, "/api/v1/clinics/{clinic_id}/audit-log", staff_audit_log, 0, ACCESS_STAFF_AUDIT},
    {M_GET, "/api/v1/clinics/{clinic_id}/schedule", staff_schedule, 0, ACCESS_STAFF_READ | ACCESS_PATIENT_DATA},
    {M_GET, "/api/v1/clinics/{clinic_id}/practitioners/{id}/hours", staff_hours_list, 0, ACCESS_STAFF_READ | ACCESS_PRACTITIONER},
    {M_POST, "/api/v1/clinics/{clinic_id}/practitioners/{id}/hours", staff_hours_create, ROUTE_BODY_JSON, ACCESS_STAFF_SELF_WRITE | ACCESS_PRACTITIONER},
    {M_PUT, "/api/v1/clinics/{clinic_id}/practitioners/{id}/hours", staff_hours_replace, ROUTE_BODY_JSON, ACCESS_STAFF_SELF_WRITE | ACCESS_PRACTITIONER},
    {M_DELETE, "/api/v1/clinics/{clinic_id}/practitioners/{id}/hours/{hours_id}", staff_hours_delete, 0, ACCESS_STAFF_SELF_WRITE | ACCESS_PRACTITIONER},
    {M_GET, "/api/v1/clinics/{clinic_id}/practitioners/{id}/calendar-feeds", feeds_list, 0, ACCESS_STAFF_READ | ACCESS_PRACTITIONER},
    {M_POST, "/api/v1/clinics/{clinic_id}/practitioners/{id}/calendar-feeds", feeds_create, ROUTE_BODY_JSON, ACCESS_STAFF_SELF_WRITE | ACCESS_PRACTITIONER},
    {M_DELETE, "/api/v1/clinics/{clinic_id}/practitioners/{id}/calendar-feeds/{feed_id}", feeds_revoke, 0, ACCESS_STAFF_SELF_WRITE | ACCESS_PRACTITIONER},
    {M_GET, "/api/v1/clinics/{clinic_id}/practitioners/{id}/time-off", staff_time_off_list, 0, ACCESS_STAFF_READ | ACCESS_PRACTITIONER},
    {M_POST, "/api/v1/clinics/{clinic_id}/practitioners/{id}/time-off", staff_time_off_create, ROUTE_BODY_JSON, ACCESS_STAFF_SELF_WRITE | ACCESS_PRACTITIONER},
    {M_DELETE, "/api/v1/clinics/{clinic_id}/practitioners/{id}/time-off/{time_off_id}", staff_time_off_delete, 0, ACCESS_STAFF_SELF_WRITE | ACCESS_PRACTITIONER},
    {M_POST, "/api/v1/clinics/{clinic_id}/bookings", staff_bookings_create, ROUTE_BODY_JSON, ACCESS_STAFF_SELF_WRITE | ACCESS_PATIENT_DATA},
    {M_GET, "/api/v1/clinics/{clinic_id}/bookings/{id}", staff_bookings_get, 0, ACCESS_STAFF_READ | ACCESS_PATIENT_DATA},
    {M_POST, "/api/v1/clinics/{clinic_id}/bookings/{id}/cancel", staff_bookings_cancel, ROUTE_BODY_JSON, ACCESS_STAFF_SELF_WRITE},
    {M_POST, "/api/v1/clinics/{clinic_id}/bookings/{id}/status", staff_bookings_status, ROUTE_BODY_JSON, ACCESS_STAFF_SELF_WRITE | ACCESS_PATIENT_DATA},
    {M_GET, "/api/v1/clinics/{clinic_id}/locations", staff_locations_list, 0, ACCESS_STAFF_READ},
    {M_POST, "/api/v1/clinics/{clinic_id}/locations", staff_locations_write, ROUTE_BODY_JSON, ACCESS_STAFF_ADMIN_WRITE},
    {M_GET, "/api/v1/clinics/{clinic_id}/locations/{id}", staff_locations_get, 0, ACCESS_STAFF_READ},
    {M_PATCH, "/api/v1/clinics/{clinic_id}/locations/{id}", staff_locations_write, ROUTE_BODY_JSON, ACCESS_STAFF_ADMIN_WRITE},
    {M_DELETE, "/api/v1/clinics/{clinic_id}/locations/{id}", staff_locations_delete, 0, ACCESS_STAFF_ADMIN_WRITE},
    {M_GET, "/api/v1/clinics/{clinic_id}/services", staff_services_list, 0, ACCESS_STAFF_READ},
    {M_POST, "/api/v1/clinics/{clinic_id}/services", staff_services_write, ROUTE_BODY_JSON, ACCESS_STAFF_ADMIN_WRITE},
    {M_GET, "/api/v1/clinics/{clinic_id}/services/{id}", staff_services_get, 0, ACCESS_STAFF_READ},
    {M_PATCH, "/api/v1/clinics/{clinic_id}/services/{id}", staff_services_write, ROUTE_BODY_JSON, ACCESS_STAFF_ADMIN_WRITE},
    {M_DELETE, "/api/v1/clinics/{clinic_id}/services/{id}", staff_services_delete, 0, ACCESS_STAFF_ADMIN_WRITE},
    {M_GET, "/api/v1/clinics/{clinic_id}/practitioners", staff_practitioners_list, 0, ACCESS_STAFF_READ},
    {M_POST, "/api/v1/clinics/{clinic_id}/practitioners", staff_practitioners_write, ROUTE_BODY_JSON, ACCESS_STAFF_ADMIN_WRITE},
    {M_GET, "/api/v1/clinics/{clinic_id}/practitioners/{id}", staff_practitioners_get, 0, ACCESS_STAFF_READ},
    {M_PATCH, "/api/v1/clinics/{clinic_id}/practitioners/{id}", staff_practitioners_write, ROUTE_BODY_JSON, ACCESS_STAFF_ADMIN_WRITE},
    {M_DELETE, "/api/v1/clinics/{clinic_id}/practitioners/{id}", staff_practitioners_delete, 0, ACCESS_STAFF_ADMIN_WRITE},
    {M_GET, "/api/v1/clinics/{clinic_id}/api-keys", staff_api_keys_list, 0, ACCESS_STAFF_ADMIN_READ | ACCESS_PEOPLE},
    {M_POST, "/api/v1/clinics/{clinic_id}/api-keys", staff_api_keys_create, ROUTE_BODY_JSON, ACCESS_STAFF_ADMIN_WRITE | ACCESS_PEOPLE},
    {M_DELETE, "/api/v1/clinics/{clinic_id}/api-keys/{id}", staff_api_keys_delete, 0, ACCESS_STAFF_ADMIN_WRITE | ACCESS_PEOPLE},
    {M_POST, "/api/v1/clinics/{clinic_id}/imports", staff_imports_create, ROUTE_BODY_CSV, ACCESS_STAFF_ADMIN_WRITE},
    {M_GET, "/api/v1/clinics/{clinic_id}/notifications", staff_notifications_list, 0, ACCESS_STAFF_READ | ACCESS_PATIENT_DATA},
    {M_POST, "/api/v1/clinics/{clinic_id}/notifications/{id}/resend", staff_notifications_resend, ROUTE_BODY_JSON, ACCESS_STAFF_SELF_WRITE | ACCESS_PATIENT_DATA},

    /* HL7 FHIR R4, read-only (fhir*.c); the catch-alls answer in FHIR's terms */
    {M_GET, "/fhir/r4/metadata", fhir_metadata, ROUTE_NO_DB | ROUTE_FHIR, ACCESS_PUBLIC},
    {M_GET, "/fhir/r4/Practitioner", fhir_practitioner_search, ROUTE_FHIR, ACCESS_PUBLIC},
    {M_GET, "/fhir/r4/Practitioner/{id}", fhir_practitioner_read, ROUTE_FHIR, ACCESS_PUBLIC},
    {M_GET, "/fhir/r4/PractitionerRole", fhir_role_search, ROUTE_FHIR, ACCESS_PUBLIC},
    {M_GET, "/fhir/r4/PractitionerRole/{id}", fhir_role_read, ROUTE_FHIR, ACCESS_PUBLIC},
    {M_GET, "/fhir/r4/Location", fhir_location_search, ROUTE_FHIR, ACCESS_PUBLIC},
    {M_GET, "/fhir/r4/Location/{id}", fhir_location_read, ROUTE_FHIR, ACCESS_PUBLIC},
    {M_GET, "/fhir/r4/Schedule", fhir_schedule_search, ROUTE_FHIR, ACCESS_PUBLIC},
    {M_GET, "/fhir/r4/Schedule/{id}", fhir_schedule_read, ROUTE_FHIR, ACCESS_PUBLIC},
    {M_GET, "/fhir/r4/Slot", fhir_slot_search, ROUTE_FHIR, ACCESS_PUBLIC},
    {M_GET, "/fhir/r4/Slot/{id}", fhir_slot_read, ROUTE_FHIR, ACCESS_PUBLIC},
    {M_GET, "/fhir/r4/Appointment", fhir_appointment_search, ROUTE_FHIR, ACCESS_SIGNED_IN | ACCESS_PATIENT_DATA},
    {M_GET, "/fhir/r4/Appointment/{id}", fhir_appointment_read, ROUTE_FHIR, ACCESS_SIGNED_IN | ACCESS_PATIENT_DATA},
    {M_GET, "/fhir/r4/{*}", fhir_unknown, ROUTE_NO_DB | ROUTE_FHIR, ACCESS_PUBLIC},
    {M_POST, "/fhir/r4/{*}", fhir_not_allowed, ROUTE_NO_DB | ROUTE_FHIR, ACCESS_PUBLIC},
    {M_PUT, "/fhir/r4/{*}", fhir_not_allowed, ROUTE_NO_DB | ROUTE_FHIR, ACCESS_PUBLIC},
    {M_PATCH, "/fhir/r4/{*}", fhir_not_allowed, ROUTE_NO_DB | ROUTE_FHIR, ACCESS_PUBLIC},
    {M_DELETE, "/fhir/r4/{*}", fhir_not_allowed, ROUTE_NO_DB | ROUTE_FHIR, ACCESS_PUBLIC},

    /* the web pages (last: the API's paths win) */
    {M_GET, "/web-config.json", web_config, ROUTE_NO_DB, ACCESS_PUBLIC},
    {M_GET, "/static/{*}", web_static, ROUTE_NO_DB, ACCESS_PUBLIC},
    {M_GET, "/", web_page, ROUTE_NO_DB, ACCESS_PUBLIC},
    {M_GET, "/practitioners/{id}", web_page, ROUTE_NO_DB, ACCESS_PUBLIC},
    {M_GET, "/book", web_page, ROUTE_NO_DB, ACCESS_PUBLIC},
    {M_GET, "/manage", web_page, ROUTE_NO_DB, ACCESS_PUBLIC},
    {M_GET, "/lost-link", web_page, ROUTE_NO_DB, ACCESS_PUBLIC},
    {M_GET, "/staff", web_page, ROUTE_NO_DB, ACCESS_PUBLIC},
    {M_GET, "/staff/{*}", web_page, ROUTE_NO_DB, ACCESS_PUBLIC},
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);

void route_run(struct req *r)
{
    if (api_gate(r, r->route->access) &&
        (!(r->route->flags & ROUTE_PATIENT_WRITE) || patient_rate(r, 1)))
        r->route->handler(r);
    if (r->route->flags & ROUTE_FHIR)
        fhir_restate(r); /* a refusal or a shared helper's reply, in FHIR's terms */
}
