/* Every route handler, by capability folder: routes.c maps them, each folder defines
 * its own.  A handler reads the request (its caller already let in by the route's
 * access rule, r->actor), and replies once. */
#ifndef CLINICD_API_HANDLERS_H
#define CLINICD_API_HANDLERS_H

#include "http/request.h"

/* site/: health, readiness, metrics, the OpenAPI document */
void health_live(struct req *r);
void health_ready(struct req *r);
void health_metrics(struct req *r);
void openapi_get(struct req *r);

/* directory/: vocabulary, places, search and profiles */
void directory_professions(struct req *r);
void directory_techniques(struct req *r);
void directory_conditions(struct req *r);
void places_search(struct req *r);
void practitioners_search(struct req *r);
void practitioners_profile(struct req *r);

/* booking/: availability, bookings, series, the waitlist */
void availability_get(struct req *r);
void bookings_create(struct req *r);
void bookings_get(struct req *r);
void bookings_cancel(struct req *r);
void bookings_reschedule(struct req *r);
void series_create(struct req *r);
void series_get(struct req *r);
void series_cancel_rest(struct req *r);
void series_add_sessions(struct req *r);
void series_change_cadence(struct req *r);
void series_flare(struct req *r);
/* a single booking as a plan of one (booking/plan_read.c, plan_work.c) */
void bookings_plan_get(struct req *r);
void bookings_add_sessions(struct req *r);
void bookings_flare(struct req *r);
void waitlist_create(struct req *r);
/* booking/lost_links.c: "e-mail me my bookings" */
void lost_links_create(struct req *r);

/* calendar/: calendar feeds and the booking's .ics */
void feeds_create(struct req *r);
void feeds_list(struct req *r);
void feeds_revoke(struct req *r);
void feeds_ics(struct req *r);
void bookings_ics(struct req *r);

/* staff/: sign-in, the clinic, its directory, schedules, bookings, imports, mail */
void staff_notifications_list(struct req *r);
void staff_notifications_resend(struct req *r);
void auth_login(struct req *r);
void auth_logout(struct req *r);
void auth_me(struct req *r);
void auth_password(struct req *r);
void staff_clinic_get(struct req *r);
void staff_clinic_patch(struct req *r);
void staff_audit_log(struct req *r);
void staff_hours_list(struct req *r);
void staff_hours_create(struct req *r);
void staff_hours_replace(struct req *r);
void staff_hours_delete(struct req *r);
void staff_time_off_list(struct req *r);
void staff_time_off_create(struct req *r);
void staff_time_off_delete(struct req *r);
void staff_schedule(struct req *r);
void staff_bookings_create(struct req *r);
void staff_bookings_get(struct req *r);
void staff_bookings_cancel(struct req *r);
void staff_bookings_status(struct req *r);
void staff_locations_list(struct req *r);
void staff_locations_write(struct req *r); /* POST and PATCH */
void staff_locations_get(struct req *r);
void staff_locations_delete(struct req *r);
void staff_services_list(struct req *r);
void staff_services_write(struct req *r); /* POST and PATCH */
void staff_services_get(struct req *r);
void staff_services_delete(struct req *r);
void staff_practitioners_list(struct req *r);
void staff_practitioners_write(struct req *r); /* POST and PATCH */
void staff_practitioners_get(struct req *r);
void staff_practitioners_delete(struct req *r);
void staff_api_keys_list(struct req *r);
void staff_api_keys_create(struct req *r);
void staff_api_keys_delete(struct req *r);
void staff_imports_create(struct req *r);

/* fhir/: the FHIR R4 read facade */
void fhir_metadata(struct req *r);
void fhir_unknown(struct req *r);
void fhir_not_allowed(struct req *r);
void fhir_practitioner_search(struct req *r);
void fhir_practitioner_read(struct req *r);
void fhir_role_search(struct req *r);
void fhir_role_read(struct req *r);
void fhir_location_search(struct req *r);
void fhir_location_read(struct req *r);
void fhir_schedule_search(struct req *r);
void fhir_schedule_read(struct req *r);
void fhir_slot_search(struct req *r);
void fhir_slot_read(struct req *r);
void fhir_appointment_search(struct req *r);
void fhir_appointment_read(struct req *r);

#include "util/banned.h"
#endif
