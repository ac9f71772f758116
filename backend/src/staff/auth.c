/* Staff authentication (session cookie, the same token as a Bearer, per-clinic API
 * keys), login with throttling, who may act where, and the audit log. */
#include "staff/auth.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "staff/handlers.h"
#include "core/app.h"
#include "domain/password.h"
#include "domain/timefmt.h"
#include "domain/token.h"
#include "util/log.h"
#include "util/parse.h"

#define HASH_WAIT_MS 3000
#define THROTTLE_WINDOW_S 900
#define MAX_FAILURES_PER_ACCOUNT 5
#define MAX_FAILURES_PER_ADDRESS 30
#define API_KEY_PREFIX "ck_"
/* Changing the password: wrong current passwords per account and per address in 15
 * minutes before a 429, and the wrong one that ends the session it came with. */
#define PW_MAX_FAILURES_PER_ACCOUNT 5
#define PW_MAX_FAILURES_PER_ADDRESS 10
#define PW_REVOKE_AFTER 5

DB_STMT(st_session,
        "UPDATE staff_sessions s SET last_seen_at = now() FROM staff_users u"
        " WHERE s.token_hash = $1::bytea AND u.id = s.user_id AND s.revoked_at IS NULL"
        " AND s.expires_at > now() AND s.last_seen_at > now() - interval '"
        "30 minutes' AND u.active"
        " RETURNING u.id, u.email, u.role, coalesce(u.clinic_id::text, ''),"
        " coalesce(u.practitioner_id::text, '')",
        1);
DB_STMT(st_api_key,
        "UPDATE api_keys SET last_used_at = now() WHERE token_hash = $1::bytea"
        " AND revoked_at IS NULL RETURNING id, clinic_id, scopes::text",
        1);
DB_STMT(st_audit,
        "INSERT INTO audit_log (actor_type, actor_id, actor_email, role, clinic_id, action,"
        " resource_type, resource_id, patient_data, request_id, outcome, detail)"
        " VALUES ($1, $2::uuid, $3, $4, $5::uuid, $6, $7, $8, $9::bool, $10, $11, $12::jsonb)",
        12);
DB_STMT(st_clinic_exists, "SELECT 1 FROM clinics WHERE id = $1::uuid", 1);
DB_STMT(st_practitioner_clinic,
        "SELECT clinic_id FROM practitioners WHERE id = $1::uuid", 1);
DB_STMT(st_user_by_email,
        "SELECT id, password_hash, role, coalesce(clinic_id::text, ''),"
        " coalesce(practitioner_id::text, ''), name FROM staff_users"
        " WHERE email = $1 AND active",
        1);
/* Counts a failed attempt against the one trying ($3 || $1: sign-in's "email:" and the
 * e-mail without case, or the password change's "pw-account:" and the account's id)
 * and their address ($4 || $2: "ip:" or "pw-ip:") before the password is checked,
 * atomically, so that concurrent guesses cannot slip past the limit; a success takes
 * its attempt back.  Returns both counts and the seconds left in the fuller window. */
DB_STMT(st_throttle_count,
        "WITH k(key) AS (VALUES ($3::text || lower($1::text)), ($4::text || $2::text)),"
        " up AS (INSERT INTO login_throttle (key, window_start, failures)"
        "   SELECT key, now(), 1 FROM k"
        "   ON CONFLICT (key) DO UPDATE SET"
        "   failures = CASE WHEN login_throttle.window_start <= now() - interval '15 minutes'"
        "     THEN 1 ELSE login_throttle.failures + 1 END,"
        "   window_start = CASE WHEN login_throttle.window_start <= now() - interval '15 minutes'"
        "     THEN now() ELSE login_throttle.window_start END"
        "   RETURNING key, failures, window_start)"
        " SELECT coalesce(max(failures) FILTER (WHERE starts_with(key, $3::text)), 0),"
        " coalesce(max(failures) FILTER (WHERE starts_with(key, $4::text)), 0),"
        " coalesce(ceil(extract(epoch FROM max(window_start) + interval '15 minutes' - now())), 60)::int"
        " FROM up",
        4);
/* After a success: the one trying starts afresh, the address gets its attempt back
 * (the keys as in st_throttle_count). */
DB_STMT(st_throttle_success,
        "WITH a AS (DELETE FROM login_throttle WHERE key = $3::text || lower($1::text))"
        " UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = $4::text || $2::text",
        4);

/* The keys of sign-in's throttle and of the password change's (separate counts). */
static const struct throttle_keys {
    const char *who, *address;
} SIGN_IN_KEYS = {"email:", "ip:"}, PASSWORD_KEYS = {"pw-account:", "pw-ip:"};

struct throttle {
    long by_who, by_address, wait_s;
};

/* Counts a failed attempt by who (an e-mail or an account id) from the request's
 * client address under keys k (st_throttle_count).  False after replying. */
static bool throttle_count(struct req *r, const struct throttle_keys *k, const char *who,
                           struct throttle *t)
{
    char addr[64];
    client_address(r, addr, sizeof(addr));
    const char *v[] = {who, addr, k->who, k->address};
    PGresult *res = api_query(r, &st_throttle_count, v);
    if (!res)
        return false;
    t->by_who = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    t->by_address = strtol(PQgetvalue(res, 0, 1), NULL, 10);
    t->wait_s = strtol(PQgetvalue(res, 0, 2), NULL, 10);
    PQclear(res);
    return true;
}

/* Takes back a success's attempt (st_throttle_success).  False after replying. */
static bool throttle_success(struct req *r, const struct throttle_keys *k, const char *who)
{
    char addr[64];
    client_address(r, addr, sizeof(addr));
    const char *v[] = {who, addr, k->who, k->address};
    PGresult *res = api_query(r, &st_throttle_success, v);
    PQclear(res);
    return res != NULL;
}
DB_STMT(st_session_new,
        "INSERT INTO staff_sessions (token_hash, user_id, expires_at)"
        " VALUES ($1::bytea, $2::uuid, now() + interval '12 hours')"
        " RETURNING floor(extract(epoch FROM expires_at))::bigint",
        2);
DB_STMT(st_rehash, "UPDATE staff_users SET password_hash = $2 WHERE id = $1::uuid", 2);
DB_STMT(st_session_revoke,
        "UPDATE staff_sessions SET revoked_at = now() WHERE token_hash = $1::bytea"
        " AND revoked_at IS NULL",
        1);
DB_STMT(st_sessions_revoke_user,
        "UPDATE staff_sessions SET revoked_at = now() WHERE user_id = $1::uuid AND revoked_at IS NULL",
        1);
DB_STMT(st_me,
        "SELECT json_build_object('id', u.id, 'email', u.email, 'name', u.name, 'role', u.role,"
        " 'clinic_id', u.clinic_id, 'practitioner_id', u.practitioner_id,"
        " 'clinic', (SELECT json_build_object('id', c.id, 'name', c.name) FROM clinics c"
        "   WHERE c.id = u.clinic_id))::text, u.password_hash"
        " FROM staff_users u WHERE u.id = $1::uuid",
        1);
DB_STMT(st_password_set,
        "UPDATE staff_users SET password_hash = $2, password_changed_at = now()"
        " WHERE id = $1::uuid",
        2);

static const char *cookie_name(void)
{
    return app.cfg && app.cfg->public_https ? "__Host-clinicd_session" : "clinicd_session";
}

/* The presented session or key token, from Authorization or the cookie. */
static const char *presented_token(struct req *r, bool *via_cookie)
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

bool auth_staff(struct req *r, struct auth *a)
{
    if (r->actor_known) { /* the route's gate found them already */
        if (a != &r->actor)
            *a = r->actor;
        return true;
    }
    memset(a, 0, sizeof(*a));
    const char *token = presented_token(r, &a->via_cookie);
    if (!token || !*token || strlen(token) > 200) {
        reply_unauthenticated(r);
        return false;
    }
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_hash_hex(token, hash);
    const char *v[] = {hash};
    /* keys are "ck_" and 43 characters; a session token is 43 characters, so one that
     * happens to start with "ck_" is still a session */
    bool key = strncmp(token, API_KEY_PREFIX, strlen(API_KEY_PREFIX)) == 0 &&
               strlen(token) == strlen(API_KEY_PREFIX) + TOKEN_TEXT_LEN;
    PGresult *res = api_query(r, key ? &st_api_key : &st_session, v);
    if (!res)
        return false;
    if (PQntuples(res) != 1) {
        PQclear(res);
        reply_unauthenticated(r);
        return false;
    }
    if (key) {
        a->api_key = true;
        snprintf(a->user_id, sizeof(a->user_id), "%s", PQgetvalue(res, 0, 0));
        snprintf(a->clinic_id, sizeof(a->clinic_id), "%s", PQgetvalue(res, 0, 1));
        snprintf(a->role, sizeof(a->role), "api_key");
        const char *sc = PQgetvalue(res, 0, 2);
        a->scopes = (strstr(sc, "read") ? SCOPE_READ : 0) | (strstr(sc, "write") ? SCOPE_WRITE : 0) |
                    (strstr(sc, "patient_data") ? SCOPE_PATIENT_DATA : 0) |
                    (strstr(sc, "audit") ? SCOPE_AUDIT : 0);
    } else {
        snprintf(a->user_id, sizeof(a->user_id), "%s", PQgetvalue(res, 0, 0));
        snprintf(a->email, sizeof(a->email), "%s", PQgetvalue(res, 0, 1));
        snprintf(a->role, sizeof(a->role), "%s", PQgetvalue(res, 0, 2));
        snprintf(a->clinic_id, sizeof(a->clinic_id), "%s", PQgetvalue(res, 0, 3));
        snprintf(a->practitioner_id, sizeof(a->practitioner_id), "%s", PQgetvalue(res, 0, 4));
        a->scopes = SCOPE_ALL;
    }
    PQclear(res);
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
 * clinic that does not exist would start a chain for any id a client makes up). */
static const char *existing_clinic(struct req *r, const char *clinic_id)
{
    if (!is_uuid(clinic_id))
        return NULL;
    const char *v[] = {clinic_id};
    PGresult *res = api_query(r, &st_clinic_exists, v);
    if (!res)
        return NULL;
    bool found = PQntuples(res) == 1;
    PQclear(res);
    return found ? clinic_id : NULL;
}

bool auth_clinic(struct req *r, const struct auth *a, const char *clinic_id)
{
    if (strcmp(a->role, "platform_admin") == 0 && is_uuid(clinic_id)) {
        /* every clinic, but only clinics that exist */
        const char *v[] = {clinic_id};
        PGresult *res = api_query(r, &st_clinic_exists, v);
        if (!res)
            return false;
        bool found = PQntuples(res) == 1;
        PQclear(res);
        if (!found)
            reply_not_found(r);
        return found;
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
    const char *v[] = {practitioner_id};
    PGresult *res = api_query(r, &st_practitioner_clinic, v);
    if (!res)
        return false;
    bool found = PQntuples(res) == 1;
    bool ok = found && (strcmp(a->role, "platform_admin") == 0 ||
                        strcmp(PQgetvalue(res, 0, 0), a->clinic_id) == 0);
    char owner[40] = "";
    if (found)
        snprintf(owner, sizeof(owner), "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    if (!ok) {
        auth_audit_denied(r, a, "another clinic's practitioner", owner);
        reply_not_found(r);
    }
    return ok;
}

bool audit(struct req *r, const struct auth *a, const char *actor_type, const char *clinic_id,
           const char *action, const char *resource_type, const char *resource_id,
           bool patient_data, const char *outcome, json_t *detail)
{
    char *d = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    const char *type = actor_type ? actor_type : a ? (a->api_key ? "api_key" : "staff") : "anonymous";
    const char *v[] = {type,
                       a && a->user_id[0] ? a->user_id : NULL,
                       a && a->email[0] ? a->email : NULL,
                       a ? a->role : NULL,
                       clinic_id && *clinic_id ? clinic_id : NULL,
                       action,
                       resource_type,
                       resource_id,
                       patient_data ? "true" : "false",
                       r->request_id,
                       outcome,
                       d};
    PGresult *res = api_query(r, &st_audit, v);
    free(d);
    if (!res) {
        log_error("request %s: audit log write failed for %s", r->request_id, action);
        return false;
    }
    PQclear(res);
    return true;
}

/* --- login, logout, me, password ------------------------------------------------- */

static void set_session_cookie(struct req *r, const char *token, long max_age)
{
    char cookie[256];
    snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s",
             cookie_name(), token, max_age, app.cfg && app.cfg->public_https ? "; Secure" : "");
    reply_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
}

void auth_login(struct req *r)
{
    struct input in;
    input_init(&in, r);
    PGresult *res = NULL;
    json_t *body = body_object(&in);
    const char *email = NULL, *password = NULL;
    if (body) {
        static const char *const allowed[] = {"email", "password", NULL};
        body_only(&in, body, NULL, allowed);
        email = body_str(&in, body, NULL, "email", true, 254);
        json_t *pw = json_object_get(body, "password");
        if (!json_is_string(pw) || json_string_length(pw) == 0)
            input_error(&in, "password", false, "password is required");
        else if (json_string_length(pw) > PASSWORD_MAX_BYTES)
            input_error(&in, "password", false, "password is longer than 1024 bytes");
        else
            password = json_string_value(pw);
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    struct throttle t;
    if (!throttle_count(r, &SIGN_IN_KEYS, email, &t))
        goto out;
    if (t.by_who > MAX_FAILURES_PER_ACCOUNT || t.by_address > MAX_FAILURES_PER_ADDRESS) {
        char ra[24];
        snprintf(ra, sizeof(ra), "%ld", t.wait_s > 0 ? t.wait_s : 60);
        /* a known account's clinic sees the attempts on it */
        const char *kv[] = {email};
        res = api_query(r, &st_user_by_email, kv);
        if (!res)
            goto out;
        bool known = PQntuples(res) == 1;
        audit(r, NULL, "anonymous", known ? PQgetvalue(res, 0, 3) : NULL, "login", "staff_user",
              known ? PQgetvalue(res, 0, 0) : NULL, false, "denied",
              json_pack("{s:s, s:s}", "email", email, "reason", "throttled"));
        reply_problem(r, 429, "too-many-attempts", "Too many sign-in attempts",
                      "Too many failed sign-ins; wait a few minutes and try again.", NULL);
        reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
        goto out;
    }
    const char *uv[] = {email};
    res = api_query(r, &st_user_by_email, uv);
    if (!res)
        goto out;
    bool rehash = false;
    int ok;
    if (PQntuples(res) == 1) {
        ok = password_verify(password, PQgetvalue(res, 0, 1), &rehash, HASH_WAIT_MS);
    } else {
        password_burn(HASH_WAIT_MS); /* the same time as a wrong password */
        ok = 0;
    }
    if (ok == -2) {
        reply_unavailable(r, "Many people are signing in right now; try again in a moment.");
        goto out;
    }
    if (!ok) {
        /* a known account's failures are in its clinic's log (a platform admin's, and
         * unknown addresses', in the log of no clinic) */
        bool known = PQntuples(res) == 1;
        audit(r, NULL, "anonymous", known ? PQgetvalue(res, 0, 3) : NULL, "login", "staff_user",
              known ? PQgetvalue(res, 0, 0) : NULL, false, "failure",
              json_pack("{s:s}", "email", email));
        reply_problem(r, 401, "invalid-credentials", "Sign-in failed",
                      "The e-mail address or the password is not right.", NULL);
        goto out;
    }
    struct auth a = {0};
    snprintf(a.user_id, sizeof(a.user_id), "%s", PQgetvalue(res, 0, 0));
    snprintf(a.email, sizeof(a.email), "%s", email);
    snprintf(a.role, sizeof(a.role), "%s", PQgetvalue(res, 0, 2));
    snprintf(a.clinic_id, sizeof(a.clinic_id), "%s", PQgetvalue(res, 0, 3));
    snprintf(a.practitioner_id, sizeof(a.practitioner_id), "%s", PQgetvalue(res, 0, 4));
    if (rehash) {
        char h[PASSWORD_HASH_MAX];
        if (password_hash(password, h, HASH_WAIT_MS) == 0) {
            const char *rv[] = {a.user_id, h};
            PQclear(api_query(r, &st_rehash, rv));
        }
    }
    PQclear(res);
    res = NULL;
    (void)throttle_success(r, &SIGN_IN_KEYS, email);
    char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1];
    token_new(token, hash); /* a new token at every login */
    const char *sv[] = {hash, a.user_id};
    res = api_query(r, &st_session_new, sv);
    if (!res)
        goto out;
    int64_t expires = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    res = NULL;
    if (!audit(r, &a, NULL, a.clinic_id, "login", "staff_user", a.user_id, false, "success", NULL))
        goto out;
    const char *mv[] = {a.user_id};
    res = api_query(r, &st_me, mv);
    if (!res)
        goto out;
    char exp_s[40];
    rfc3339_format(expires, 0, exp_s, sizeof(exp_s));
    json_t *user = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    reply_json(r, 200, json_pack("{s:s, s:s, s:i, s:o}", "token", token, "expires_at", exp_s,
                                 "idle_timeout_minutes", SESSION_IDLE_MINUTES, "user",
                                 user ? user : json_null()));
    set_session_cookie(r, token, SESSION_ABSOLUTE_HOURS * 3600L);
out:
    PQclear(res);
    input_release(&in);
    json_decref(body);
}

void auth_logout(struct req *r)
{
    struct auth a;
    bool via_cookie;
    const char *token = presented_token(r, &via_cookie);
    if (!auth_staff(r, &a))
        return;
    if (a.api_key) {
        reply_problem(r, 400, "not-a-session", NULL, "API keys are revoked by an admin, not logged out.", NULL);
        return;
    }
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_hash_hex(token, hash);
    const char *v[] = {hash};
    PGresult *res = api_query(r, &st_session_revoke, v);
    if (!res)
        return;
    PQclear(res);
    if (!audit(r, &a, NULL, a.clinic_id, "logout", "staff_user", a.user_id, false, "success", NULL))
        return;
    reply_text(r, 204, "application/json", "", 0);
    set_session_cookie(r, "", 0);
}

void auth_me(struct req *r)
{
    struct auth a;
    if (!auth_staff(r, &a))
        return;
    if (a.api_key) {
        reply_json(r, 200, json_pack("{s:s, s:s, s:s}", "id", a.user_id, "role", "api_key",
                                     "clinic_id", a.clinic_id));
        return;
    }
    const char *v[] = {a.user_id};
    PGresult *res = api_query(r, &st_me, v);
    if (!res)
        return;
    json_t *user = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    PQclear(res);
    json_object_set_new(user, "idle_timeout_minutes", json_integer(SESSION_IDLE_MINUTES));
    reply_json(r, 200, user);
}

void auth_password(struct req *r)
{
    struct input in;
    input_init(&in, r);
    struct auth a;
    PGresult *res = NULL;
    json_t *body = NULL;
    if (!auth_staff(r, &a))
        return;
    if (a.api_key) {
        reply_problem(r, 403, "forbidden", NULL, "API keys have no password.", NULL);
        return;
    }
    body = body_object(&in);
    const char *current = NULL, *next = NULL;
    if (body) {
        static const char *const allowed[] = {"current_password", "new_password", NULL};
        body_only(&in, body, NULL, allowed);
        json_t *c = json_object_get(body, "current_password");
        json_t *n = json_object_get(body, "new_password");
        if (!json_is_string(c) || json_string_length(c) > PASSWORD_MAX_BYTES)
            input_error(&in, "current_password", false, "current_password is required");
        else
            current = json_string_value(c);
        if (!json_is_string(n))
            input_error(&in, "new_password", false, "new_password is required");
        else if (memchr(json_string_value(n), '\0', json_string_length(n)))
            input_error(&in, "new_password", false, "new_password holds a NUL character");
        else
            next = json_string_value(n);
        const char *why = next ? password_check(next, a.email) : NULL;
        if (why)
            input_error(&in, "new_password", false, "%s", why);
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    /* The check of the current password is an oracle for whoever holds a stolen
     * session: it counts against the account and the address before the hash runs
     * (as sign-in does), every wrong one is in the clinic's log, and the
     * PW_REVOKE_AFTER-th ends the session it came with. */
    struct throttle t;
    if (!throttle_count(r, &PASSWORD_KEYS, a.user_id, &t))
        goto out;
    if (t.by_who > PW_MAX_FAILURES_PER_ACCOUNT || t.by_address > PW_MAX_FAILURES_PER_ADDRESS) {
        char ra[24];
        snprintf(ra, sizeof(ra), "%ld", t.wait_s > 0 ? t.wait_s : 60);
        if (!audit(r, &a, NULL, a.clinic_id, "password_change", "staff_user", a.user_id, false,
                   "denied", json_pack("{s:s}", "reason", "throttled")))
            goto out;
        reply_problem(r, 429, "too-many-attempts", "Too many attempts",
                      "Too many wrong current passwords; wait a few minutes and try again.",
                      NULL);
        reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
        goto out;
    }
    const char *v[] = {a.user_id};
    res = api_query(r, &st_me, v);
    if (!res)
        goto out;
    bool rehash;
    int ok = password_verify(current, PQgetvalue(res, 0, 1), &rehash, HASH_WAIT_MS);
    if (ok == -2) {
        reply_unavailable(r, "Try again in a moment.");
        goto out;
    }
    if (ok != 1) {
        bool revoke = t.by_who >= PW_REVOKE_AFTER;
        if (revoke) {
            bool via_cookie;
            char th[TOKEN_HASH_HEX_LEN + 1];
            token_hash_hex(presented_token(r, &via_cookie), th);
            const char *rv[] = {th};
            PGresult *u = api_query(r, &st_session_revoke, rv);
            if (!u)
                goto out;
            PQclear(u);
        }
        if (!audit(r, &a, NULL, a.clinic_id, "password_change", "staff_user", a.user_id, false,
                   "failure",
                   json_pack("{s:s, s:i, s:b}", "reason", "wrong current password", "failures",
                             (int)t.by_who, "session_revoked", revoke)))
            goto out;
        if (revoke) {
            reply_problem(r, 403, "wrong-password", NULL,
                          "The current password is not right. After this many wrong tries you "
                          "have been signed out: sign in again.",
                          json_pack("[o]", problem_error("current_password", "not right")));
            set_session_cookie(r, "", 0);
        } else {
            reply_problem(r, 403, "wrong-password", NULL, "The current password is not right.",
                          json_pack("[o]", problem_error("current_password", "not right")));
        }
        goto out;
    }
    char h[PASSWORD_HASH_MAX];
    if (password_hash(next, h, HASH_WAIT_MS) != 0) {
        reply_unavailable(r, "Try again in a moment.");
        goto out;
    }
    if (!api_begin(r))
        goto out;
    const char *pv[] = {a.user_id, h};
    PGresult *u = api_query(r, &st_password_set, pv);
    if (!u)
        goto out;
    PQclear(u);
    u = api_query(r, &st_sessions_revoke_user, v); /* every session, this one too */
    if (!u)
        goto out;
    PQclear(u);
    if (!audit(r, &a, NULL, a.clinic_id, "password_change", "staff_user", a.user_id, false,
               "success", NULL) ||
        !api_commit(r))
        goto out;
    (void)throttle_success(r, &PASSWORD_KEYS, a.user_id);
    reply_text(r, 204, "application/json", "", 0);
    set_session_cookie(r, "", 0);
out:
    api_rollback(r);
    PQclear(res);
    input_release(&in);
    json_decref(body);
}
