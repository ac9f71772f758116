/* Readers of the members of the staff's request bodies. */
#include "staff/fields.h"

#include <stdio.h>
#include <string.h>

bool field_absent(json_t *body, const char *name)
{
    json_t *v = json_object_get(body, name);
    return !v || json_is_null(v);
}

/* A number member in [min, max] as text in out (whole: an integer, written as one);
 * NULL when absent or not one (a problem recorded). */
static const char *field_ranged(struct input *in, json_t *body, const char *name, bool whole,
                                double min, double max, char *out, size_t n)
{
    json_t *v = json_object_get(body, name);
    if (field_absent(body, name))
        return NULL;
    double x = json_number_value(v);
    if (!(whole ? json_is_integer(v) : json_is_number(v)) || x < min || x > max) {
        input_error(in, name, false,
                    whole ? "%s must be a whole number from %.0f to %.0f"
                          : "%s must be a number from %g to %g",
                    name, min, max);
        return NULL;
    }
    snprintf(out, n, whole ? "%.0f" : "%.7f", x);
    return out;
}

const char *field_int(struct input *in, json_t *body, const char *name, long min, long max,
                      char *out, size_t n)
{
    return field_ranged(in, body, name, true, (double)min, (double)max, out, n);
}

const char *field_bool(struct input *in, json_t *body, const char *name)
{
    json_t *v = json_object_get(body, name);
    if (field_absent(body, name))
        return NULL;
    if (!json_is_boolean(v)) {
        input_error(in, name, false, "%s must be true or false", name);
        return NULL;
    }
    return json_is_true(v) ? "true" : "false";
}

const char *field_number(struct input *in, json_t *body, const char *name, double min,
                         double max, char *out, size_t n)
{
    return field_ranged(in, body, name, false, min, max, out, n);
}

void fields_not_null(struct input *in, json_t *body, const char *const *names)
{
    for (; *names; names++)
        if (json_is_null(json_object_get(body, *names)))
            input_error(in, *names, false, "%s cannot be removed", *names);
}

const char *field_reactivate(struct input *in, json_t *body)
{
    const char *v = field_bool(in, body, "active");
    if (v && strcmp(v, "true") != 0) {
        input_error(in, "active", false, "active may only be set to true here; use DELETE to deactivate");
        return NULL;
    }
    return v;
}

bool cancel_params_parse(struct input *in, const char *dflt, struct cancel_params *out)
{
    static const char *const allowed[] = {"cancel_bookings", "reason", NULL};
    only_params(in, allowed);
    out->cancel = false;
    q_bool(in, "cancel_bookings", &out->cancel);
    out->reason = q_str(in, "reason", 500);
    if (!out->reason)
        out->reason = dflt;
    return input_ok(in);
}
