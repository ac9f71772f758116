/* The gate: each route's access rule, applied in one place. */
#include "api/gate.h"

#include "api/access.h"

/* The staff levels of the table in the terms of staff_enter. */
static bool staff_level(unsigned level, enum staff_access *out)
{
    switch (level) {
    case ACCESS_STAFF_READ:
        *out = STAFF_READ;
        return true;
    case ACCESS_STAFF_ADMIN_READ:
        *out = STAFF_ADMIN_READ;
        return true;
    case ACCESS_STAFF_ADMIN_WRITE:
        *out = STAFF_ADMIN_WRITE;
        return true;
    case ACCESS_STAFF_SELF_WRITE:
        *out = STAFF_SELF_WRITE;
        return true;
    default:
        return false;
    }
}

/* The caller is known and may call at level; false after replying. */
static bool enter_level(struct req *r, struct auth *a, unsigned level)
{
    enum staff_access sa;
    if (level == ACCESS_SIGNED_IN)
        return auth_staff(r, a);
    if (level == ACCESS_STAFF_AUDIT)
        return auth_staff(r, a) && auth_clinic(r, a, staff_clinic(r)) &&
               auth_scope(r, a, SCOPE_AUDIT) && auth_admin(r, a);
    if (staff_level(level, &sa))
        return staff_enter(r, a, sa);
    reply_internal(r); /* a level the gate does not know: a defect of the table */
    return false;
}

bool api_gate(struct req *r, unsigned access)
{
    unsigned level = ACCESS_LEVEL(access);
    r->actor_known = false;
    if (level == ACCESS_PUBLIC || level == ACCESS_OPS || level == ACCESS_HOLDER ||
        level == ACCESS_FEED)
        return true; /* operators are told by http/server.c; tokens with their rows */
    struct auth *a = &r->actor;
    bool ok = enter_level(r, a, level);
    if (ok && (access & ACCESS_PEOPLE) && a->api_key) {
        reply_problem(r, 403, "forbidden", NULL,
                      "This is done by a person signed in, not with an API key.",
                      NULL);
        ok = false;
    }
    if (ok && (access & ACCESS_PRACTITIONER))
        ok = auth_practitioner(r, a, req_param(r, 1));
    if (ok && (access & ACCESS_PATIENT_DATA))
        ok = auth_scope(r, a,
                        level == ACCESS_SIGNED_IN ? SCOPE_READ | SCOPE_PATIENT_DATA
                                                  : SCOPE_PATIENT_DATA);
    r->actor_known = ok;
    return ok;
}
