/* Staff authentication (session cookie, the same token as a Bearer, per-clinic API
 * keys), who may act where, and the audit log (its write is api/audit.c).  Glue every
 * capability uses: the routes that sign in and out are staff/session_routes.c. */
#ifndef CLINICD_API_AUTH_H
#define CLINICD_API_AUTH_H

#include <stdbool.h>

#include "api/common.h"
#include "domain/actor.h"

#define SESSION_IDLE_MINUTES 30
#define SESSION_ABSOLUTE_HOURS 12

/* Authenticates staff, once per request: the gate's first check (api/gate.c), which
 * leaves the caller in r->actor for the handler.  False after replying: 401 without valid credentials (expired
 * sessions included), 403 for a cookie-authenticated write from another origin. */
bool auth_staff(struct req *r, struct auth *a);
/* True when a may act in clinic_id; otherwise replies 404 (another clinic's
 * resources do not exist for them). */
bool auth_clinic(struct req *r, const struct auth *a, const char *clinic_id);
/* True for clinic and platform admins (and API keys); otherwise replies 403. */
bool auth_admin(struct req *r, const struct auth *a);
/* True when a holds scope (people hold every scope); otherwise replies 403. */
bool auth_scope(struct req *r, const struct auth *a, unsigned scope);
/* True when a may see or change practitioner_id's schedule: admins of the clinic, and
 * the practitioner themself; otherwise replies 404. */
bool auth_practitioner(struct req *r, const struct auth *a, const char *practitioner_id);

/* Records that a was refused a resource of owner_clinic (NULL or "" when unknown),
 * for the reason why: a row in a's own clinic's log and, when owner_clinic is another
 * clinic, one in that clinic's log without a's id or e-mail (the same rows as
 * auth_clinic and auth_practitioner write).  Replies nothing. */
void auth_audit_denied(struct req *r, const struct auth *a, const char *why,
                       const char *owner_clinic);

/* Appends to the audit log on the request's connection (inside the current
 * transaction, if any).  a may be NULL (then actor_type names who it was).  detail is
 * stolen and may be NULL.  False after replying 503/500. */
bool audit(struct req *r, const struct auth *a, const char *actor_type, const char *clinic_id,
           const char *action, const char *resource_type, const char *resource_id,
           bool patient_data, const char *outcome, json_t *detail);

/* The session or key token presented (Authorization: Bearer, else the session
 * cookie), NULL when none; *via_cookie says which. */
const char *auth_presented_token(struct req *r, bool *via_cookie);
/* Sets the session cookie to token for max_age seconds ("" and 0 clear it). */
void auth_set_session_cookie(struct req *r, const char *token, long max_age);

/* The client's address as text (for throttling and the audit log): the peer, or
 * behind a trusted proxy the client it forwarded for (http/client.c). */
void client_address(struct req *r, char *out, size_t outlen);

#include "util/banned.h"
#endif
