/* Shared pieces of the clinic staff routes under /api/v1/clinics/{clinic_id}. */
#include "api/access.h"

const char *staff_clinic(struct req *r)
{
    return req_param(r, 0);
}

json_t *staff_body(struct input *in, const char *const *allowed)
{
    json_t *body = body_object(in);
    if (body)
        body_only(in, body, NULL, allowed);
    return body;
}
