/* The entry of the clinic staff routes under /api/v1/clinics/{clinic_id}. */
#include "api/access.h"

const char *staff_clinic(struct req *r)
{
    return req_param(r, 0);
}

bool staff_enter(struct req *r, struct auth *a, enum staff_access access)
{
    if (!auth_staff(r, a) || !auth_clinic(r, a, staff_clinic(r)))
        return false;
    bool write = access == STAFF_ADMIN_WRITE || access == STAFF_SELF_WRITE;
    if (!auth_scope(r, a, write ? SCOPE_WRITE : SCOPE_READ))
        return false;
    if ((access == STAFF_ADMIN_READ || access == STAFF_ADMIN_WRITE) && !auth_admin(r, a))
        return false;
    return true;
}

json_t *staff_body(struct input *in, const char *const *allowed)
{
    json_t *body = body_object(in);
    if (body)
        body_only(in, body, NULL, allowed);
    return body;
}
