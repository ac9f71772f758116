/* iCalendar pieces shared by the booking file, the e-mails and the practitioners'
 * feeds: events in the location's own time zone, with its VTIMEZONE. */
#include "domain/ics.h"

#include <stdbool.h>
#include <string.h>

static bool has_vtimezone(const struct tz *z)
{
    char tmp[2048];
    return z && tz_vtimezone(z, tmp, sizeof(tmp)) == 0;
}

icalcomponent *ics_calendar(const char *method, const struct tz *z)
{
    icalcomponent *cal = icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT,
                                             icalproperty_new_version("2.0"),
                                             icalproperty_new_prodid("-//clinicd//appointments//EN"),
                                             (void *)0);
    if (method)
        icalcomponent_add_property(cal,
                                   icalproperty_new_method(icalproperty_string_to_method(method)));
    char vtz[2048];
    if (z && tz_vtimezone(z, vtz, sizeof(vtz)) == 0) {
        icalcomponent *c = icalcomponent_new_from_string(vtz);
        if (c)
            icalcomponent_add_component(cal, c);
    }
    return cal;
}

struct icaltimetype ics_wall_time(int64_t t, const struct tz *z)
{
    int64_t local = t + tz_offset_at(z, t);
    int64_t day = day_of(local), secs = local - day * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    struct icaltimetype it = icaltime_null_time();
    it.year = (int)y;
    it.month = (int)m;
    it.day = (int)d;
    it.hour = (int)(secs / 3600);
    it.minute = (int)(secs % 3600 / 60);
    it.second = (int)(secs % 60);
    it.is_date = 0;
    return it;
}

icalproperty *ics_time(bool start, int64_t t, const struct tz *z)
{
    bool local = has_vtimezone(z);
    struct icaltimetype it =
        local ? ics_wall_time(t, z)
              : icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
    icalproperty *p = start ? icalproperty_new_dtstart(it) : icalproperty_new_dtend(it);
    if (local)
        icalproperty_add_parameter(p, icalparameter_new_tzid(tz_name(z)));
    return p;
}
