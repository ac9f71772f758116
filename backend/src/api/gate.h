/* The route table's access rules applied before a handler runs (http/router.h, enum
 * route_access): who the caller is, and whether they may call the route.  This is the
 * only place access is decided: handlers take their caller from r->actor. */
#ifndef CLINICD_API_GATE_H
#define CLINICD_API_GATE_H

#include <stdbool.h>

#include "http/request.h"

/* What a rule asks of the caller, in the order the gate checks it (but people right
 * after clinic: an API key is told it may not, whatever its scopes).  Plain data. */
struct gate_rule {
    bool signed_in;        /* a staff session or API key (else 401) */
    bool clinic;           /* of the route's clinic, {clinic_id}, or a platform admin (404) */
    unsigned scope;        /* the scopes the level needs (enum auth_scope; 0: none) (403) */
    bool admin;            /* not a practitioner account (403) */
    bool people;           /* not an API key (403) */
    bool practitioner;     /* may act for the practitioner {id}, parameter 1 (404) */
    unsigned data_scope;   /* the scopes the requirements add (patient data) (403) */
};

/* The checks of access (a level with requirements): false when the gate does not know
 * it (ACCESS_NONE, an unknown level or requirement, a requirement on a level without a
 * caller), a defect of the table.  Pure. */
bool gate_rule_of(unsigned access, struct gate_rule *out);

/* Applies access (a level with requirements) to r.  True when the handler may run,
 * with r->actor set for the signed-in levels (r->actor_known); false after replying
 * (401 without valid credentials, 403 for a missing scope or role, 404 for another
 * clinic's or practitioner's resources, each refusal in the audit log as the checks of
 * api/auth.h write it; 500 for a rule the gate does not know), or without a reply when
 * the read moved to a worker. */
bool api_gate(struct req *r, unsigned access);

#include "util/banned.h"
#endif
