/* A booking as an iCalendar file, for its holder (the manage token). */
#include "api/handlers.h"

#include <libical/ical.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/outcome.h"
#include "booking/bookings.h"
#include "domain/ics.h"

/* The booking's VCALENDAR as text (malloc'd), or NULL. */
static char *booking_ics_text(const struct booking_row *b, const char *id)
{
    const struct tz *z = tz_get(b->tz);
    icalcomponent *cal = ics_calendar("PUBLISH", z);
    icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    char uid[80], summary[300], location[400], desc[600];
    snprintf(uid, sizeof(uid), "%s@clinicd", id);
    snprintf(summary, sizeof(summary), "%s with %s", b->service_name, b->practitioner_name);
    snprintf(location, sizeof(location), "%s, %s, %s %s", b->clinic_name, b->address, b->city,
             b->postcode ? b->postcode : "");
    snprintf(desc, sizeof(desc),
             "%s (%lld minutes) at %s. To cancel or move it, use the link in your confirmation; "
             "the clinic asks for %lld hours' notice.",
             b->service_name, (long long)b->minutes, b->clinic_name, (long long)b->notice_hours);
    icalcomponent_add_property(ev, icalproperty_new_uid(uid));
    icalcomponent_add_property(
        ev, icalproperty_new_dtstamp(icaltime_from_timet_with_zone(
                time(NULL), 0, icaltimezone_get_utc_timezone())));
    icalcomponent_add_property(ev, ics_time(true, b->start, z));
    icalcomponent_add_property(ev, ics_time(false, b->end, z));
    icalcomponent_add_property(ev, icalproperty_new_summary(summary));
    icalcomponent_add_property(ev, icalproperty_new_location(location));
    icalcomponent_add_property(ev, icalproperty_new_description(desc));
    icalcomponent_add_property(ev, icalproperty_new_sequence((int)b->reschedule_count));
    icalcomponent_add_property(
        ev, icalproperty_new_status(strcmp(b->status, "cancelled") == 0 ? ICAL_STATUS_CANCELLED
                                                                        : ICAL_STATUS_CONFIRMED));
    icalcomponent_add_component(cal, ev);
    char *text = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    return text;
}

void bookings_ics(struct req *r)
{
    struct booking_row b;
    const char *id = req_param(r, 0);
    enum db_status st = booking_held(r, &b);
    /* the file carries the appointment, and its reader holds the patient's token: an
     * access to patient data like reading the booking */
    if (st == DB_OK)
        st = store_booking_audit(&r->db, &patient_actor, b.clinic_id, "read_booking_calendar",
                                 "booking", id, r->request_id);
    char *text = st == DB_OK ? booking_ics_text(&b, id) : NULL;
    if (st != DB_OK) {
        reply_failure(r, st);
    } else if (!text) {
        reply_internal(r);
    } else {
        reply_owned(r, 200, "text/calendar; charset=utf-8", text, strlen(text));
        reply_header(r, "Content-Disposition", "attachment; filename=\"appointment.ics\"");
    }
    booking_row_release(&b);
}
