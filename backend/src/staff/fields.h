/* Readers of the members of the staff's request bodies (locations, services,
 * practitioners, the clinic) that record a problem per field: the pieces their parse
 * functions are made of. */
#ifndef CLINICD_STAFF_FIELDS_H
#define CLINICD_STAFF_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "api/common.h"

/* Absent or null: both mean "not given" here (an update refuses null separately for
 * what cannot be removed, with fields_not_null). */
bool field_absent(json_t *body, const char *name);
/* A whole-number member in [min, max] as text in out (n bytes); NULL when absent or
 * not one (a problem recorded). */
const char *field_int(struct input *in, json_t *body, const char *name, long min, long max,
                      char *out, size_t n);
/* A boolean member as "true"/"false"; NULL when absent or not one (a problem). */
const char *field_bool(struct input *in, json_t *body, const char *name);
/* A number member in [min, max] as text in out; NULL when absent or not one. */
const char *field_number(struct input *in, json_t *body, const char *name, double min,
                         double max, char *out, size_t n);
/* A problem for each of names (NULL-terminated) that is null in body: an update cannot
 * remove what has no "nothing" value. */
void fields_not_null(struct input *in, json_t *body, const char *const *names);
/* "active" in a PATCH may only bring something back ("true"; NULL when absent):
 * deactivating is DELETE, which checks what depends on it. */
const char *field_reactivate(struct input *in, json_t *body);

/* ?cancel_bookings=true and ?reason= (dflt when absent) of a DELETE that may strand
 * bookings; false when a problem was recorded. */
struct cancel_params {
    bool cancel;
    const char *reason;
};
bool cancel_params_parse(struct input *in, const char *dflt, struct cancel_params *out);

#include "util/banned.h"
#endif
