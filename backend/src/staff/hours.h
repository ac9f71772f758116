/* A practitioner's weekly hours: the bodies of the hours routes, read into structs. */
#ifndef CLINICD_STAFF_HOURS_H
#define CLINICD_STAFF_HOURS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "api/common.h"
#include "domain/weekly_hours.h"
#include "store/hours.h"

#define HOURS_MAX_RULES 50

/* One rule as given: its span for the overlap checks and its text for the insert
 * (pointing into the parsed JSON, which must outlive it). */
struct hours_rule_in {
    struct week_rule span;
    struct hours_row row;
};

/* Reads one rule object {weekday, start_time, end_time, location_id, valid_from?,
 * valid_to?}.  With a prefix ("rules[2]") unknown members are problems too and
 * problems are named "rules[2].weekday"; without one the caller checked the members.
 * Returns input_ok(in). */
bool hours_rule_parse(struct input *in, json_t *o, const char *prefix, struct hours_rule_in *ru);

/* The body's "cancel_stranded" (absent: false); a problem when not a boolean. */
bool cancel_stranded_parse(struct input *in, json_t *body);

/* POST .../hours: one rule and cancel_stranded (the caller checked the members). */
struct hours_create_body {
    struct hours_rule_in rule;
    bool cancel;
};
bool hours_create_parse(struct input *in, json_t *body, struct hours_create_body *out);

/* PUT .../hours: {"rules": [rule...], "cancel_stranded"?}: at most HOURS_MAX_RULES
 * rules, no two overlapping. */
struct hours_replace_body {
    struct hours_rule_in rules[HOURS_MAX_RULES];
    size_t n;
    bool cancel;
};
bool hours_replace_parse(struct input *in, json_t *body, struct hours_replace_body *out);

/* The route's practitioner (parameter 1) is the route's clinic's, for platform admins
 * too (the gate let the caller act for them: ACCESS_PRACTITIONER).  False after
 * replying (404, 503...). */
bool schedule_practitioner_here(struct req *r);
/* The start of a write to the route practitioner's schedule: in set up, the
 * practitioner checked (schedule_practitioner_here), the body read with only the
 * allowed members.  False after replying when the practitioner is not here; else true
 * with *body (the caller's to release; NULL when there is no JSON object, the problem
 * recorded in in). */
bool schedule_write_body(struct req *r, struct input *in, const char *const *allowed,
                         json_t **body);

#include "util/banned.h"
#endif
