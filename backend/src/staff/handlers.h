/* The clinic staff's routes: sign-in, the clinic, its directory, schedules, imports and mail. */
#ifndef CLINICD_STAFF_HANDLERS_H
#define CLINICD_STAFF_HANDLERS_H

#include "http/request.h"

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
void staff_locations_create(struct req *r);
void staff_locations_get(struct req *r);
void staff_locations_patch(struct req *r);
void staff_locations_delete(struct req *r);
void staff_services_list(struct req *r);
void staff_services_create(struct req *r);
void staff_services_get(struct req *r);
void staff_services_patch(struct req *r);
void staff_services_delete(struct req *r);
void staff_practitioners_list(struct req *r);
void staff_practitioners_create(struct req *r);
void staff_practitioners_get(struct req *r);
void staff_practitioners_patch(struct req *r);
void staff_practitioners_delete(struct req *r);
void staff_api_keys_list(struct req *r);
void staff_api_keys_create(struct req *r);
void staff_api_keys_delete(struct req *r);
void staff_imports_create(struct req *r);

#include "util/banned.h"
#endif
