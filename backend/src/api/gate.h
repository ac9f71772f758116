/* The route table's access rules applied before a handler runs (http/router.h, enum
 * route_access): who the caller is, and whether they may call the route. */
#ifndef CLINICD_API_GATE_H
#define CLINICD_API_GATE_H

#include <stdbool.h>

#include "http/request.h"

/* Applies access (a level with requirements) to r.  True when the handler may run,
 * with r->actor set for the signed-in levels (r->actor_known); false after replying
 * (401 without valid credentials, 403 for a missing scope or role, 404 for another
 * clinic's or practitioner's resources, each refusal in the audit log as the checks of
 * api/auth.h write it), or without a reply when the read moved to a worker. */
bool api_gate(struct req *r, unsigned access);

#include "util/banned.h"
#endif
