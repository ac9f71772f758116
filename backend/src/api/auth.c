/* Staff authentication (session cookie, the same token as a Bearer, per-clinic API
 * keys) and who may act where.  Every refusal is in the audit log (auth_audit_denied). */
#include "api/auth.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/app.h"
#include "domain/token.h"
#include "store/auth.h"
#include "util/parse.h"

#define API_KEY_PREFIX "ck_"

static const char *cookie_name(void)
{
    return app.cfg && app.cfg->public_https ? "__Host-clinicd_session" : "clinicd_session";
}

const char *auth_presented_token(struct req *r, bool *via_cookie)
{
    const char *h = req_header(r, "Authorization");
    *via_cookie = false;
    if (h && strncasecmp(h, "Bearer ", 7) == 0)
        return h + 7;
    const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, cookie_name());
    if (c) {
        *via_cookie = true;
        return c;
    }
    return NULL;
}

void auth_set_session_cookie(struct req *r, const char *token, long max_age)
{
    char cookie[256];
    snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s",
             cookie_name(), token, max_age, app.cfg && app.cfg->public_https ? "; Secure" : "");
    reply_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
}

static void reply_unauthenticated(struct req *r)
{
    reply_problem(r, 401, "not-authenticated", NULL,
                  "Sign in first (your session may have ended after 30 minutes without use).",
                  NULL);
    reply_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"clinicd\"");
}

/* A cookie-authenticated change must come from our own pages. */
static bool same_origin(struct req *r)
{
    if (r->method == M_GET || r->method == M_HEAD)
        return true;
    const char *origin = req_header(r, "Origin");
    const char *host = req_header(r, "Host");
    if (!origin || !host)
        return false;
    char want[300];
    if (app.cfg && app.cfg->public_origin && strcmp(app.cfg->public_origin, "-") != 0)
        snprintf(want, sizeof(want), "%s", app.cfg->public_origin);
    else
        snprintf(want, sizeof(want), "%s://%s", app.cfg && app.cfg->public_https ? "https" : "http",
                 host);
    return strcmp(origin, want) == 0;
}

/* What the store found, as the caller's credentials. */
static void auth_from(struct auth *a, const struct store_staff *u, bool key)
{
    snprintf(a->user_id, sizeof(a->user_id), "%s", u->user_id);
    snprintf(a->clinic_id, sizeof(a->clinic_id), "%s", u->clinic_id);
    if (key) {
        a->api_key = true;
        snprintf(a->role, sizeof(a->role), "api_key");
        const char *sc = u->scopes;
        a->scopes = (strstr(sc, "read") ? SCOPE_READ : 0) | (strstr(sc, "write") ? SCOPE_WRITE : 0) |
                    (strstr(sc, "patient_data") ? SCOPE_PATIENT_DATA : 0) |
                    (strstr(sc, "audit") ? SCOPE_AUDIT : 0);
    } else {
        snprintf(a->email, sizeof(a->email), "%s", u->email);
        snprintf(a->role, sizeof(a->role), "%s", u->role);
        snprintf(a->practitioner_id, sizeof(a->practitioner_id), "%s", u->practitioner_id);
        a->scopes = SCOPE_ALL;
    }
}

bool auth_staff(struct req *r, struct auth *a)
{
    memset(a, 0, sizeof(*a));
    const char *token = auth_presented_token(r, &a->via_cookie);
    if (!token || !*token || strlen(token) > 200) {
        reply_unauthenticated(r);
        return false;
    }
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_hash_hex(token, hash);
    /* keys are "ck_" and 43 characters; a session token is 43 characters, so one that
     * happens to start with "ck_" is still a session */
    bool key = strncmp(token, API_KEY_PREFIX, strlen(API_KEY_PREFIX)) == 0 &&
               strlen(token) == strlen(API_KEY_PREFIX) + TOKEN_TEXT_LEN;
    struct store_staff u;
    enum db_status st = key ? store_auth_api_key(&r->db, hash, &u)
                            : store_auth_session(&r->db, hash, &u);
    if (st == DB_NOT_FOUND) {
        reply_unauthenticated(r);
        return false;
    }
    if (st != DB_OK) {
        reply_failure(r, st);
        return false;
    }
    auth_from(a, &u, key);
    if (a->via_cookie && !same_origin(r)) {
        reply_problem(r, 403, "cross-origin", NULL,
                      "Changes made with a session cookie must come from this site's own pages.",
                      NULL);
        return false;
    }
    return true;
}

/* A refused access is recorded too (ASVS 7.2.2): who, what route, why, in the actor's
 * own clinic's log.  When the resource belongs to another clinic (target, known to
 * exist), that clinic's log gets a row as well, so that its admins see who knocks:
 * the actor's kind, role and clinic, and the request id, but not the actor's e-mail or
 * id, which are personal data of another clinic's staff (the platform's operator can
 * still join the two rows by request id).  Two single-row statements, each its own
 * transaction when no transaction is open, so two chain heads are never held at once. */
void auth_audit_denied(struct req *r, const struct auth *a, const char *why, const char *target)
{
    bool elsewhere = target && *target && strcmp(target, a->clinic_id) != 0;
    json_t *d = json_pack("{s:s, s:s}", "method", http_method_name(r->method), "reason", why);
    if (elsewhere)
        json_object_set_new(d, "target_clinic_id", json_string(target));
    audit(r, a, NULL, a->clinic_id, "access_denied", "route", r->route ? r->route->pattern : NULL,
          false, "denied", d);
    if (!elsewhere)
        return;
    struct auth anon = *a;
    anon.user_id[0] = '\0';
    anon.email[0] = '\0';
    audit(r, &anon, NULL, target, "access_denied", "route", r->route ? r->route->pattern : NULL,
          false, "denied",
          json_pack("{s:s, s:s, s:s?}", "method", http_method_name(r->method), "reason", why,
                    "actor_clinic_id", a->clinic_id[0] ? a->clinic_id : NULL));
}

/* clinic_id when it names a clinic that exists, else NULL (a row in the log of a
 * clinic that does not exist would start a chain for any id a client makes up).  A
 * failure to look is replied as before: the reply of the refusal that follows then
 * does not stand. */
static const char *existing_clinic(struct req *r, const char *clinic_id)
{
    if (!is_uuid(clinic_id))
        return NULL;
    bool found;
    enum db_status st = store_auth_clinic_exists(&r->db, clinic_id, &found);
    if (st != DB_OK) {
        reply_failure(r, st);
        return NULL;
    }
    return found ? clinic_id : NULL;
}

bool auth_clinic(struct req *r, const struct auth *a, const char *clinic_id)
{
    if (strcmp(a->role, "platform_admin") == 0 && is_uuid(clinic_id)) {
        /* every clinic, but only clinics that exist */
        bool found;
        enum db_status st = store_auth_clinic_exists(&r->db, clinic_id, &found);
        if (st != DB_OK)
            reply_failure(r, st);
        else if (!found)
            reply_not_found(r);
        return st == DB_OK && found;
    }
    if (is_uuid(clinic_id) && strcmp(a->clinic_id, clinic_id) == 0)
        return true;
    auth_audit_denied(r, a, "another clinic", existing_clinic(r, clinic_id));
    reply_not_found(r);
    return false;
}

bool auth_admin(struct req *r, const struct auth *a)
{
    if (strcmp(a->role, "practitioner") != 0)
        return true;
    auth_audit_denied(r, a, "needs a clinic administrator", NULL);
    reply_problem(r, 403, "forbidden", NULL,
                  "This needs a clinic administrator; practitioners manage their own schedule.",
                  NULL);
    return false;
}

bool auth_scope(struct req *r, const struct auth *a, unsigned scope)
{
    if ((a->scopes & scope) == scope)
        return true;
    auth_audit_denied(r, a, "API key scope", NULL);
    reply_problem(r, 403, "forbidden", NULL, "This API key does not have the scope for this.",
                  NULL);
    return false;
}

bool auth_practitioner(struct req *r, const struct auth *a, const char *practitioner_id)
{
    if (!is_uuid(practitioner_id)) {
        reply_not_found(r);
        return false;
    }
    if (strcmp(a->role, "practitioner") == 0) {
        if (strcmp(a->practitioner_id, practitioner_id) == 0)
            return true;
        auth_audit_denied(r, a, "another practitioner", NULL);
        reply_not_found(r);
        return false;
    }
    char owner[40];
    enum db_status st = store_auth_practitioner_clinic(&r->db, practitioner_id, owner);
    if (st != DB_OK && st != DB_NOT_FOUND) {
        reply_failure(r, st);
        return false;
    }
    bool found = st == DB_OK;
    bool ok = found && (strcmp(a->role, "platform_admin") == 0 || strcmp(owner, a->clinic_id) == 0);
    if (!ok) {
        auth_audit_denied(r, a, "another clinic's practitioner", owner);
        reply_not_found(r);
    }
    return ok;
}
