/* Shared entry for the clinic staff routes under /api/v1/clinics/{clinic_id}. */
#ifndef CLINICD_API_ACCESS_H
#define CLINICD_API_ACCESS_H

#include "api/auth.h"

enum staff_access {
    STAFF_READ = 0,        /* any staff of the clinic (practitioners too) */
    STAFF_ADMIN_READ = 1,  /* clinic or platform admins */
    STAFF_ADMIN_WRITE = 2, /* admins, writing */
    STAFF_SELF_WRITE = 3,  /* practitioners too, writing (their own schedule) */
};

/* Authenticates and checks that the caller may act in the clinic of the route's
 * first parameter with the given access.  API keys need the read or write scope.
 * False after replying (401, 403, 404). */
bool staff_enter(struct req *r, struct auth *a, enum staff_access access);
/* The route's clinic id. */
const char *staff_clinic(struct req *r);

/* A JSON body object with only the allowed members; NULL after recording problems. */
json_t *staff_body(struct input *in, const char *const *allowed);

#include "util/banned.h"
#endif
