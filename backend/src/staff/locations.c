/* Clinic staff keep their locations: list, one, create, update, deactivate. */
#include "staff/locations.h"

#include <ctype.h>
#include <string.h>

#include "api/audit.h"
#include "staff/fields.h"
#include "api/handlers.h"
#include "staff/replies.h"

const char *const location_create_fields[] = {"name", "address", "city", "region", "postcode",
                                              "country", "lat", "lon", "timezone",
                                              "wheelchair_accessible", NULL};
const char *const location_patch_fields[] = {"name", "address", "city", "region", "postcode",
                                             "country", "lat", "lon", "timezone",
                                             "wheelchair_accessible", "active", NULL};

/* ISO 3166-1 alpha-2, and XK (Kosovo), which the gazetteer uses too. */
static const char iso3166[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO "
    "BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ "
    "DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP "
    "GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG "
    "KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML "
    "MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE "
    "PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL "
    "SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM "
    "US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

bool iso3166_alpha2(const char *s, char *out)
{
    if (strlen(s) != 2 || !isalpha((unsigned char)s[0]) || !isalpha((unsigned char)s[1]))
        return false;
    out[0] = (char)toupper((unsigned char)s[0]);
    out[1] = (char)toupper((unsigned char)s[1]);
    out[2] = '\0';
    for (size_t i = 0; i + 1 < sizeof(iso3166); i += 3)
        if (iso3166[i] == out[0] && iso3166[i + 1] == out[1])
            return true;
    return false;
}

void location_parse(struct input *in, json_t *body, bool create, struct location_fields *l)
{
    memset(l, 0, sizeof(*l));
    l->name = body_str(in, body, NULL, "name", create, 200);
    l->address = body_str(in, body, NULL, "address", create, 300);
    l->city = body_str(in, body, NULL, "city", create, 100);
    l->set_region = json_object_get(body, "region") != NULL;
    l->region = body_str(in, body, NULL, "region", false, 100);
    l->set_postcode = json_object_get(body, "postcode") != NULL;
    l->postcode = body_str(in, body, NULL, "postcode", false, 20);
    const char *country = body_str(in, body, NULL, "country", create, 2 + 8);
    if (country && !(l->has_country = iso3166_alpha2(country, l->country)))
        input_error(in, "country", false,
                    "country must be a two-letter ISO 3166-1 code such as US, GB or DE");
    l->lat = field_number(in, body, "lat", -90, 90, l->lat_s, sizeof(l->lat_s));
    l->lon = field_number(in, body, "lon", -180, 180, l->lon_s, sizeof(l->lon_s));
    if (create && field_absent(body, "lat"))
        input_error(in, "lat", false, "lat is required");
    if (create && field_absent(body, "lon"))
        input_error(in, "lon", false, "lon is required");
    l->timezone = body_str(in, body, NULL, "timezone", create, 64);
    l->wheelchair = field_bool(in, body, "wheelchair_accessible");
    if (!create) {
        static const char *const fixed[] = {"name", "address", "city", "country", "lat", "lon",
                                            "timezone", "wheelchair_accessible", "active", NULL};
        fields_not_null(in, body, fixed);
        l->active = field_reactivate(in, body);
    }
}

/* The time zone must be one PostgreSQL knows (the time_zones table): a problem
 * otherwise. */
static enum db_status location_tz_check(struct req *r, struct input *in, const char *tz)
{
    if (!tz)
        return DB_OK;
    bool known;
    char suggest[64];
    enum db_status st = store_locations_tz_check(&r->db, tz, &known, suggest);
    if (st == DB_OK && !known && suggest[0])
        input_error(in, "timezone", false, "timezone '%.64s' is not known; did you mean %s?", tz,
                    suggest);
    else if (st == DB_OK && !known)
        input_error(in, "timezone", false,
                    "timezone '%.64s' is not an IANA time zone such as America/Los_Angeles", tz);
    return st;
}

void staff_locations_list(struct req *r)
{
    staff_list_route(r, &store_locations_list);
}

void staff_locations_get(struct req *r)
{
    staff_get_route(r, &store_locations_get);
}

/* Reads and checks the body (*body: the caller's to release); false after replying. */
static bool location_read(struct req *r, bool create, json_t **body, struct location_fields *l)
{
    struct input in;
    input_init(&in, r);
    *body = staff_body(&in, create ? location_create_fields : location_patch_fields);
    enum db_status st = DB_OK;
    if (*body) {
        location_parse(&in, *body, create, l);
        st = location_tz_check(r, &in, l->timezone);
    }
    return staff_checks_passed(r, &in, st);
}

/* Creates (id NULL) or updates the location, with its audit row (the body as given),
 * and replies with it. */
static void location_save(struct req *r, const struct auth *a, const struct location_fields *l,
                          json_t *body, const char *id)
{
    struct audit_entry e;
    char new_id[40];
    audit_entry_make(&e, r, a, NULL, staff_clinic(r), id ? "update_location" : "create_location",
                     "location", id, false, "success", json_incref(body));
    enum db_status st = id ? store_locations_update(&r->db, staff_clinic(r), id, l, &e)
                           : store_locations_create(&r->db, staff_clinic(r), l, &e, new_id);
    audit_entry_release(&e);
    if (st != DB_OK)
        reply_failure(r, st);
    else if (staff_index_follow(r))
        staff_reply_one(r, &store_locations_get, id ? id : new_id, id ? 200 : 201);
}

/* POST (create) or PATCH (the route's location) of a location: one handler for both
 * routes, told apart by the method. */
void staff_locations_write(struct req *r)
{
    bool create = r->method == M_POST;
    json_t *body = NULL;
    struct location_fields l;
    const char *id = NULL;
    if ((create || (id = staff_route_id(r))) && location_read(r, create, &body, &l))
        location_save(r, &r->actor, &l, body, id);
    json_decref(body);
}

void staff_locations_delete(struct req *r)
{
    static const struct deactivate_route route = {"location", "deactivate_location", "the clinic closed this location", "This location has", store_locations_deactivate};
    staff_deactivate(r, &route);
}
