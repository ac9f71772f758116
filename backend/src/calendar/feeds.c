/* A practitioner's schedule as a subscribable iCalendar feed.  Staff issue and revoke
 * feed tokens; events carry the patient's initials, nothing more.  The SQL is
 * store/feeds.c's. */
#include "api/handlers.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/access.h"
#include "api/outcome.h"
#include "calendar/initials.h"
#include "core/app.h"
#include "domain/ics.h"
#include "domain/token.h"
#include "staff/replies.h"
#include "store/feeds.h"
#include "util/parse.h"

/* The route's practitioner belongs to the route's clinic, for platform admins too (the
 * gate let the caller act for them: ACCESS_PRACTITIONER); false after replying. */
static bool practitioner_here(struct req *r)
{
    enum db_status st = store_feeds_practitioner_here(&r->db, req_param(r, 1), staff_clinic(r));
    if (st != DB_OK)
        reply_failure(r, st);
    return st == DB_OK;
}

/* Who acts, for the audit row (as audit() writes it). */
static struct feeds_actor actor_of(const struct req *r, const struct auth *a)
{
    return (struct feeds_actor){a->api_key ? "api_key" : "staff", a->user_id[0] ? a->user_id : NULL,
                                a->email[0] ? a->email : NULL, a->role, r->request_id};
}

void feeds_create(struct req *r)
{
    const struct auth *a = &r->actor;
    if (!practitioner_here(r))
        return;
    char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1];
    token_new(token, hash);
    struct feeds_actor actor = actor_of(r, a);
    struct feed_new feed;
    enum db_status st = store_feeds_create(&r->db, staff_clinic(r), req_param(r, 1), hash,
                                           a->api_key ? NULL : a->user_id, &actor, &feed);
    if (st != DB_OK) {
        reply_failure(r, st);
        return;
    }
    char url[600];
    snprintf(url, sizeof(url), "%s/api/v1/practitioners/%s/calendar.ics?feed=%s",
             app.cfg->public_base_url, req_param(r, 1), token);
    reply_json(r, 201, json_pack("{s:s, s:s, s:s, s:s}", "id", feed.id, "url", url, "feed_token",
                                 token, "created_at", feed.created_at));
}

void feeds_list(struct req *r)
{
    if (!practitioner_here(r))
        return;
    staff_reply_read(r, &store_feeds_list, req_param(r, 1), staff_clinic(r), 200);
}

void feeds_revoke(struct req *r)
{
    const char *id;
    if (!practitioner_here(r) || !(id = staff_route_id_at(r, 2)))
        return;
    struct feeds_actor actor = actor_of(r, &r->actor);
    enum db_status st = store_feeds_revoke(&r->db, id, req_param(r, 1), staff_clinic(r), &actor);
    if (st == DB_OK)
        reply_no_content(r);
    else
        reply_failure(r, st);
}

/* The feed's VCALENDAR being built. */
struct feed_ics {
    icalcomponent *cal; /* NULL until the first event or the end */
    const struct tz *z;
};

/* Starts the calendar when not yet started: the zone and name of the feed. */
static void feed_ics_start(struct feed_ics *ics, const struct feed_head *h)
{
    if (ics->cal)
        return;
    ics->z = tz_get(h->timezone);
    ics->cal = ics_calendar("PUBLISH", ics->z);
    char calname[sizeof(h->practitioner) + 16];
    snprintf(calname, sizeof(calname), "%s: sessions", h->practitioner);
    calname[299] = '\0'; /* as long as it has always been */
    icalproperty *xn = icalproperty_new_x(calname);
    icalproperty_set_x_name(xn, "X-WR-CALNAME");
    icalcomponent_add_property(ics->cal, xn);
}

static void feed_ics_event(void *ctx, const struct feed_head *h, const struct feed_event *ev)
{
    struct feed_ics *ics = ctx;
    feed_ics_start(ics, h);
    char uid[80], summary[300], ini[40];
    snprintf(uid, sizeof(uid), "%s@clinicd", ev->booking_id);
    initials_of(ev->patient_name, ini, sizeof(ini));
    snprintf(summary, sizeof(summary), "%s: %s", ev->service, ini);
    icalcomponent *e = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    icalcomponent_add_property(e, icalproperty_new_uid(uid));
    icalcomponent_add_property(e, icalproperty_new_dtstamp(icaltime_from_timet_with_zone(
                                      time(NULL), 0, icaltimezone_get_utc_timezone())));
    icalcomponent_add_property(e, ics_time(true, ev->start, ics->z));
    icalcomponent_add_property(e, ics_time(false, ev->end, ics->z));
    icalcomponent_add_property(e, icalproperty_new_summary(summary));
    icalcomponent_add_property(e, icalproperty_new_location(ev->location));
    icalcomponent_add_property(e, icalproperty_new_sequence(ev->sequence));
    icalcomponent_add_property(e, icalproperty_new_status(ICAL_STATUS_CONFIRMED));
    icalcomponent_add_component(ics->cal, e);
}

void feeds_ics(struct req *r)
{
    const char *pid = req_param(r, 0);
    const char *feed = req_query(r, "feed");
    if (!is_uuid(pid) || !feed || strlen(feed) > 100) {
        reply_not_found(r);
        return;
    }
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_hash_hex(feed, hash);
    struct feed_head head;
    struct feed_ics ics = {NULL, NULL};
    enum db_status st = store_feeds_events(&r->db, hash, pid, &head, feed_ics_event, &ics);
    if (st != DB_OK) {
        reply_failure(r, st);
    } else if (audit(r, NULL, "anonymous", head.clinic_id, "read_calendar_feed", "calendar_feed",
                     head.feed_id, true, "success", NULL)) {
        feed_ics_start(&ics, &head);
        char *text = icalcomponent_as_ical_string_r(ics.cal);
        if (text)
            reply_owned(r, 200, "text/calendar; charset=utf-8", text, strlen(text));
        else
            reply_internal(r);
    }
    if (ics.cal)
        icalcomponent_free(ics.cal);
}
