/* The FHIR R4 CapabilityStatement (GET /fhir/r4/metadata) and the answers for what
 * the facade does not do: other resource types (404) and writes (405). */
#include "api/handlers.h"

#include <stdio.h>
#include <string.h>

#include "fhir/fhir.h"
#include "fhir/params.h"
#include "http/reply.h"

/* When what this statement says last changed (CapabilityStatement.date). */
#define CAPABILITY_DATE "2026-11-21"

struct search_param {
    const char *name, *type, *doc;
};

struct resource_caps {
    const char *type, *doc;
    const struct search_param *params;
};

static const struct search_param practitioner_params[] = {
    {"name", "string",
     "The start of the name or of any word of it, ignoring case and accents; a comma lists "
     "alternatives."},
    {NULL, NULL, NULL},
};

static const struct search_param role_params[] = {
    {"specialty", "token",
     "A technique, code of " FHIR_CS_TECHNIQUE " (the slugs of /api/v1/techniques, e.g. "
     "myofascial-release; aliases such as MFR are accepted). Repeat to require several."},
    {"role", "token", "A profession, code of " FHIR_CS_PROFESSION " (e.g. massage-therapist)."},
    {"location", "reference", "Location/{id}: practitioners working there."},
    {"practitioner", "reference", "Practitioner/{id}."},
    {NULL, NULL, NULL},
};

static const struct search_param location_params[] = {
    {"near", "special",
     "latitude|longitude|distance|units, e.g. 45.52|-122.68|25|km (units km, m or [mi_i]; "
     "distance 25 km when left out, at most 500 km). Results come nearest first, each "
     "entry with the location-distance extension."},
    {"name", "string", "The start of the name or of any word of it."},
    {"address-city", "string", "The start of the city."},
    {NULL, NULL, NULL},
};

static const struct search_param schedule_params[] = {
    {"actor", "reference",
     "Practitioner/{id}, PractitionerRole/{id} or Location/{id} (a bare id may be any)."},
    {NULL, NULL, NULL},
};

static const struct search_param slot_params[] = {
    {"schedule", "reference", "Required: one Schedule/{id} per search."},
    {"start", "date",
     "Prefixes eq, ge, gt, le, lt; repeat for a range (start=ge2026-12-01&start=lt2026-12-08). "
     "Dates and times without an offset are local to the practitioner. At most 62 days; "
     "from now for 14 days when left out."},
    {"status", "token", "free only: only free slots are published."},
    {NULL, NULL, NULL},
};

static const struct search_param appointment_params[] = {
    {"date", "date", "The start; prefixes eq, ge, gt, le, lt (dates local to the location)."},
    {"practitioner", "reference", "Practitioner/{id}."},
    {"location", "reference", "Location/{id}."},
    {"status", "token", "booked, fulfilled, cancelled or noshow."},
    {NULL, NULL, NULL},
};

static const struct resource_caps resources[] = {
    {"Practitioner", "Active practitioners of the public directory.", practitioner_params},
    {"PractitionerRole",
     "One per practitioner (same id): profession as code, techniques as specialty, "
     "locations, current weekly hours as availableTime (local time of the locations).",
     role_params},
    {"Location",
     "Clinic locations, with the extensions " FHIR_EXT_WHEELCHAIR " (valueBoolean) and "
     FHIR_EXT_TIMEZONE " (valueCode, an IANA zone).",
     location_params},
    {"Schedule",
     "One per practitioner (same id), for their shortest service, which is what the "
     "public availability offers by default.",
     schedule_params},
    {"Slot",
     "Free slots only, computed on request like GET /api/v1/practitioners/{id}/availability; "
     "ids are {schedule id}-{Unix time of the start}. The location of each slot is in the "
     "extension " FHIR_EXT_SLOT_LOCATION ".",
     slot_params},
    {"Appointment",
     "Staff only (Authorization: Bearer with a session token or an API key holding the "
     "patient_data scope), within their clinic. The patient is named only by the "
     "participant's display; every access is audited.",
     appointment_params},
};

void fhir_metadata(struct req *r)
{
    struct fhir_req f;
    if (!fhir_begin(&f, r, NULL, NULL, NULL) || !fhir_checked(&f))
        return;
    char base[300];
    fhir_base(r, base, sizeof(base));
    json_t *res_list = json_array();
    for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++) {
        const struct resource_caps *rc = &resources[i];
        json_t *params = json_array();
        for (const struct search_param *p = rc->params; p->name; p++)
            json_array_append_new(params, json_pack("{s:s, s:s, s:s}", "name", p->name, "type",
                                                    p->type, "documentation", p->doc));
        json_array_append_new(params, json_pack("{s:s, s:s, s:s}", "name", "_count", "type",
                                                "number", "documentation",
                                                "Page size: 1 to 100, 20 when left out."));
        char profile[120];
        snprintf(profile, sizeof(profile), "http://hl7.org/fhir/StructureDefinition/%s", rc->type);
        json_array_append_new(
            res_list,
            json_pack("{s:s, s:s, s:s, s:[{s:s}, {s:s}], s:s, s:b, s:b, s:s, s:o}", "type",
                      rc->type, "profile", profile, "documentation", rc->doc, "interaction",
                      "code", "read", "code", "search-type", "versioning", "no-version",
                      "readHistory", 0, "updateCreate", 0, "conditionalRead", "not-supported",
                      "searchParam", params));
    }
    json_t *cs = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s, s:s}, s:s, s:[s], s:[{s:s, "
        "s:s, s:{s:b, s:s}, s:o}]}",
        "resourceType", "CapabilityStatement", "url", FHIR_OURS "/CapabilityStatement/clinicd",
        "name", "ClinicdFhirFacade", "title", "clinicd FHIR R4 read-only facade", "status",
        "active", "date", CAPABILITY_DATE, "publisher", "clinicd", "kind", "instance",
        "software", "name", "clinicd", "implementation", "description",
        "Practitioner directory and appointment service (read-only FHIR facade)", "url", base,
        "fhirVersion", "4.0.1", "format", "json", "rest", "mode", "server", "documentation",
        "Read-only. Search handling is strict: a parameter, modifier or value the server does "
        "not support is a 400 OperationOutcome naming it (send Prefer: handling=lenient to "
        "have unknown parameters ignored and _count capped at 100). Unknown ids are 404 "
        "OperationOutcomes. Pages: _count (1..100, default 20) and the next link, which "
        "carries an opaque _cursor (keyset paging: pages never overlap or skip).",
        "security", "cors", 0, "description",
        "Public directory resources need no credentials. Appointment needs Authorization: "
        "Bearer with a staff session token (POST /api/v1/auth/login) or a clinic API key "
        "with the patient_data scope; without it the answer is 401.",
        "resource", res_list);
    fhir_reply(r, 200, cs);
}

void fhir_unknown(struct req *r)
{
    char d[300];
    snprintf(d, sizeof(d),
             "%.80s: this server has Practitioner, PractitionerRole, Location, Schedule, Slot "
             "and Appointment (read and search); see /fhir/r4/metadata.",
             r->target.path);
    fhir_outcome(r, 404, "not-supported", d);
}

void fhir_not_allowed(struct req *r)
{
    fhir_outcome(r, 405, "not-supported", "This FHIR server is read-only: use GET.");
    reply_header(r, "Allow", "GET, HEAD");
}
