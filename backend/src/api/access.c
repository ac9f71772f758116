/* Shared pieces of the clinic staff routes under /api/v1/clinics/{clinic_id}. */
#include "api/access.h"

#include "http/router.h"

const char *staff_clinic(struct req *r)
{
    return req_param(r, 0);
}

/* The table's level for access. */
static unsigned access_level_of(enum staff_access access)
{
    switch (access) {
    case STAFF_READ:
        return ACCESS_STAFF_READ;
    case STAFF_ADMIN_READ:
        return ACCESS_STAFF_ADMIN_READ;
    case STAFF_ADMIN_WRITE:
        return ACCESS_STAFF_ADMIN_WRITE;
    case STAFF_SELF_WRITE:
        return ACCESS_STAFF_SELF_WRITE;
    }
    return ACCESS_NONE;
}

bool staff_enter(struct req *r, struct auth *a, enum staff_access access)
{
    if (!r->actor_known || !r->route || ACCESS_LEVEL(r->route->access) != access_level_of(access)) {
        reply_internal(r);
        return false;
    }
    *a = r->actor;
    return true;
}

json_t *staff_body(struct input *in, const char *const *allowed)
{
    json_t *body = body_object(in);
    if (body)
        body_only(in, body, NULL, allowed);
    return body;
}
