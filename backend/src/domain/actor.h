/* Who is calling: a staff member signed in, or a clinic's API key, as the gate found
 * them (api/gate.c, staff/auth.c).  Plain data. */
#ifndef CLINICD_DOMAIN_ACTOR_H
#define CLINICD_DOMAIN_ACTOR_H

#include <stdbool.h>

/* API keys hold some of these; people hold all of them.  SCOPE_AUDIT reads the audit
 * log (which names staff by e-mail): `read` alone does not. */
enum auth_scope {
    SCOPE_READ = 1,
    SCOPE_WRITE = 2,
    SCOPE_PATIENT_DATA = 4,
    SCOPE_AUDIT = 8,
    SCOPE_ALL = 15
};

struct auth {
    bool api_key;           /* an integration's key rather than a person */
    bool via_cookie;
    char user_id[40];       /* the staff user, or the API key's id */
    char email[256];
    char role[20];          /* clinic_admin | practitioner | platform_admin | api_key */
    char clinic_id[40];     /* "" for a platform admin */
    char practitioner_id[40];
    unsigned scopes;
};

#include "util/banned.h"
#endif
