/* Shared pieces of the clinic staff routes under /api/v1/clinics/{clinic_id}.  Who may
 * call a route is the route table's (routes.c) and the gate's (api/gate.c): handlers
 * take their caller from r->actor. */
#ifndef CLINICD_API_ACCESS_H
#define CLINICD_API_ACCESS_H

#include "api/auth.h"

/* The route's clinic id. */
const char *staff_clinic(struct req *r);

/* A JSON body object with only the allowed members; NULL after recording problems. */
json_t *staff_body(struct input *in, const char *const *allowed);

#include "util/banned.h"
#endif
