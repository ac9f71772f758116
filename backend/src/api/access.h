/* Shared pieces of the clinic staff routes under /api/v1/clinics/{clinic_id}.  Who may
 * call a route is the route table's (routes.c) and the gate's (api/gate.c): handlers
 * take their caller from r->actor. */
#ifndef CLINICD_API_ACCESS_H
#define CLINICD_API_ACCESS_H

#include "api/auth.h"

enum staff_access {
    STAFF_READ = 0,        /* any staff of the clinic (practitioners too) */
    STAFF_ADMIN_READ = 1,  /* clinic or platform admins */
    STAFF_ADMIN_WRITE = 2, /* admins, writing */
    STAFF_SELF_WRITE = 3,  /* practitioners too, writing (their own schedule) */
};

/* For the handlers that still ask (staff/directory.c's imports and
 * staff/schedule_change.c's schedule_enter, until they read r->actor): the caller the
 * gate let in, into *a.  It decides nothing: the route's rule in the table must be the
 * staff level access names (with any requirements), else it replies 500 (a defect of
 * the table) and returns false. */
bool staff_enter(struct req *r, struct auth *a, enum staff_access access);
/* The route's clinic id. */
const char *staff_clinic(struct req *r);

/* A JSON body object with only the allowed members; NULL after recording problems. */
json_t *staff_body(struct input *in, const char *const *allowed);

#include "util/banned.h"
#endif
