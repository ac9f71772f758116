/* Staff sign-in and out, who am I, and changing one's password: the routes.  Who a
 * request comes from is api/auth.c; the statements are store/auth.c. */
#include "staff/session_routes.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/audit.h"
#include "api/auth.h"
#include "domain/password.h"
#include "domain/timefmt.h"
#include "domain/token.h"
#include "api/handlers.h"
#include "store/auth.h"

#define HASH_WAIT_MS 3000
#define MAX_FAILURES_PER_ACCOUNT 5
#define MAX_FAILURES_PER_ADDRESS 30
/* Changing the password: wrong current passwords per account and per address in 15
 * minutes before a 429, and the wrong one that ends the session it came with. */
#define PW_MAX_FAILURES_PER_ACCOUNT 5
#define PW_MAX_FAILURES_PER_ADDRESS 10
#define PW_REVOKE_AFTER 5

/* The keys of sign-in's throttle and of the password change's (separate counts). */
static const struct throttle_keys {
    const char *who, *address;
} SIGN_IN_KEYS = {"email:", "ip:"}, PASSWORD_KEYS = {"pw-account:", "pw-ip:"};

/* Counts a failed attempt by who (an e-mail or an account id) from the request's
 * client address under keys k, or takes a success's attempt back. */
static enum db_status throttle(struct req *r, const struct throttle_keys *k, const char *who,
                               struct store_throttle *count)
{
    char addr[64];
    client_address(r, addr, sizeof(addr));
    struct store_throttle_key key = {k->who, who, k->address, addr};
    return count ? store_auth_throttle_count(&r->db, &key, count)
                 : store_auth_throttle_success(&r->db, &key);
}

void login_parse(struct input *in, json_t *body, struct login_in *out)
{
    static const char *const allowed[] = {"email", "password", NULL};
    body_only(in, body, NULL, allowed);
    out->email = body_str(in, body, NULL, "email", true, 254);
    out->password = NULL;
    json_t *pw = json_object_get(body, "password");
    if (!json_is_string(pw) || json_string_length(pw) == 0)
        input_error(in, "password", false, "password is required");
    else if (json_string_length(pw) > PASSWORD_MAX_BYTES)
        input_error(in, "password", false, "password is longer than 1024 bytes");
    else
        out->password = json_string_value(pw);
}

void password_change_parse(struct input *in, json_t *body, const char *email,
                           struct password_change_in *out)
{
    static const char *const allowed[] = {"current_password", "new_password", NULL};
    body_only(in, body, NULL, allowed);
    out->current = out->next = NULL;
    json_t *c = json_object_get(body, "current_password");
    json_t *n = json_object_get(body, "new_password");
    if (!json_is_string(c) || json_string_length(c) > PASSWORD_MAX_BYTES)
        input_error(in, "current_password", false, "current_password is required");
    else
        out->current = json_string_value(c);
    if (!json_is_string(n))
        input_error(in, "new_password", false, "new_password is required");
    else if (memchr(json_string_value(n), '\0', json_string_length(n)))
        input_error(in, "new_password", false, "new_password holds a NUL character");
    else
        out->next = json_string_value(n);
    const char *why = out->next ? password_check(out->next, email) : NULL;
    if (why)
        input_error(in, "new_password", false, "%s", why);
}

static void reply_too_many(struct req *r, const struct store_throttle *t, const char *title,
                           const char *detail)
{
    char ra[24];
    snprintf(ra, sizeof(ra), "%ld", t->wait_s > 0 ? t->wait_s : 60);
    reply_problem(r, 429, "too-many-attempts", title, detail, NULL);
    reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
}

/* Too many failed sign-ins: a known account's clinic sees the attempts on it. */
static void login_throttled(struct req *r, const char *email, const struct store_throttle *t)
{
    struct store_staff u;
    enum db_status st = store_auth_user_by_email(&r->db, email, &u);
    if (st != DB_OK && st != DB_NOT_FOUND) {
        reply_failure(r, st);
        return;
    }
    bool known = st == DB_OK;
    audit(r, NULL, "anonymous", known ? u.clinic_id : NULL, "login", "staff_user",
          known ? u.user_id : NULL, false, "denied",
          json_pack("{s:s, s:s}", "email", email, "reason", "throttled"));
    reply_too_many(r, t, "Too many sign-in attempts",
                   "Too many failed sign-ins; wait a few minutes and try again.");
}

/* The password checked against the user (NULL when the e-mail is unknown: the same
 * time is spent).  1 when right, 0 when not, -2 when hashing is too busy. */
static int login_verify(const char *password, const struct store_staff *u, bool *rehash)
{
    *rehash = false;
    if (u)
        return password_verify(password, u->password_hash, rehash, HASH_WAIT_MS);
    password_burn(HASH_WAIT_MS);
    return 0;
}

/* A new session for the user who signed in: the token, its expiry and who they are,
 * and the cookie. */
static void login_session(struct req *r, const struct auth *a)
{
    char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1];
    token_new(token, hash); /* a new token at every login */
    int64_t expires;
    char *user = NULL;
    size_t len;
    struct store_staff me;
    enum db_status st = store_auth_session_new(&r->db, hash, a->user_id, &expires);
    if (st != DB_OK) {
        reply_failure(r, st);
        return;
    }
    if (!audit(r, a, NULL, a->clinic_id, "login", "staff_user", a->user_id, false, "success",
               NULL))
        return;
    st = store_auth_me(&r->db, a->user_id, &user, &len, &me);
    if (st != DB_OK) {
        reply_failure(r, st);
        return;
    }
    char exp_s[40];
    rfc3339_format(expires, 0, exp_s, sizeof(exp_s));
    json_t *u = json_loads(user, 0, NULL);
    free(user);
    reply_json(r, 200, json_pack("{s:s, s:s, s:i, s:o}", "token", token, "expires_at", exp_s,
                                 "idle_timeout_minutes", SESSION_IDLE_MINUTES, "user",
                                 u ? u : json_null()));
    auth_set_session_cookie(r, token, SESSION_ABSOLUTE_HOURS * 3600L);
}

/* The right password: a stronger hash when the stored one is of an older kind, the
 * throttle forgets the e-mail, and a session. */
static void login_success(struct req *r, const struct login_in *l, const struct store_staff *u,
                          bool rehash)
{
    struct auth a = {0};
    snprintf(a.user_id, sizeof(a.user_id), "%s", u->user_id);
    snprintf(a.email, sizeof(a.email), "%s", l->email);
    snprintf(a.role, sizeof(a.role), "%s", u->role);
    snprintf(a.clinic_id, sizeof(a.clinic_id), "%s", u->clinic_id);
    snprintf(a.practitioner_id, sizeof(a.practitioner_id), "%s", u->practitioner_id);
    char h[PASSWORD_HASH_MAX];
    enum db_status st = DB_OK;
    if (rehash && password_hash(l->password, h, HASH_WAIT_MS) == 0)
        st = store_auth_rehash(&r->db, a.user_id, h);
    if (st != DB_OK) {
        reply_failure(r, st);
        return;
    }
    (void)throttle(r, &SIGN_IN_KEYS, l->email, NULL);
    login_session(r, &a);
}

/* A wrong password or an unknown e-mail: a known account's failures are in its
 * clinic's log (a platform admin's, and unknown addresses', in the log of no clinic). */
static void login_failed(struct req *r, const char *email, const struct store_staff *u)
{
    audit(r, NULL, "anonymous", u ? u->clinic_id : NULL, "login", "staff_user",
          u ? u->user_id : NULL, false, "failure", json_pack("{s:s}", "email", email));
    reply_problem(r, 401, "invalid-credentials", "Sign-in failed",
                  "The e-mail address or the password is not right.", NULL);
}

void auth_login(struct req *r)
{
    struct input in;
    input_init(&in, r);
    struct login_in l;
    json_t *body = body_object(&in);
    if (body)
        login_parse(&in, body, &l);
    struct store_throttle t;
    struct store_staff u;
    enum db_status st;
    bool rehash;
    int ok;
    if (!input_ok(&in))
        input_reply(&in);
    else if ((st = throttle(r, &SIGN_IN_KEYS, l.email, &t)) != DB_OK)
        reply_failure(r, st);
    else if (t.by_who > MAX_FAILURES_PER_ACCOUNT || t.by_address > MAX_FAILURES_PER_ADDRESS)
        login_throttled(r, l.email, &t);
    else if ((st = store_auth_user_by_email(&r->db, l.email, &u)) != DB_OK && st != DB_NOT_FOUND)
        reply_failure(r, st);
    else if ((ok = login_verify(l.password, st == DB_OK ? &u : NULL, &rehash)) == -2)
        reply_unavailable(r, "Many people are signing in right now; try again in a moment.");
    else if (ok)
        login_success(r, &l, &u, rehash);
    else
        login_failed(r, l.email, st == DB_OK ? &u : NULL);
    input_release(&in);
    json_decref(body);
}

void auth_logout(struct req *r)
{
    const struct auth *a = &r->actor;
    bool via_cookie;
    const char *token = auth_presented_token(r, &via_cookie);
    if (a->api_key) {
        reply_problem(r, 400, "not-a-session", NULL, "API keys are revoked by an admin, not logged out.", NULL);
        return;
    }
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_hash_hex(token, hash);
    enum db_status st = store_auth_session_revoke(&r->db, hash);
    if (st != DB_OK) {
        reply_failure(r, st);
        return;
    }
    if (!audit(r, a, NULL, a->clinic_id, "logout", "staff_user", a->user_id, false, "success", NULL))
        return;
    reply_text(r, 204, "application/json", "", 0);
    auth_set_session_cookie(r, "", 0);
}

void auth_me(struct req *r)
{
    const struct auth *a = &r->actor;
    if (a->api_key) {
        reply_json(r, 200, json_pack("{s:s, s:s, s:s}", "id", a->user_id, "role", "api_key",
                                     "clinic_id", a->clinic_id));
        return;
    }
    char *text;
    size_t len;
    struct store_staff me;
    enum db_status st = store_auth_me(&r->db, a->user_id, &text, &len, &me);
    if (st != DB_OK) {
        reply_failure(r, st);
        return;
    }
    json_t *user = json_loads(text, 0, NULL);
    free(text);
    json_object_set_new(user, "idle_timeout_minutes", json_integer(SESSION_IDLE_MINUTES));
    reply_json(r, 200, user);
}

/* A wrong current password: in the clinic's log, and the PW_REVOKE_AFTER-th ends the
 * session it came with. */
static void password_wrong(struct req *r, const struct auth *a, const struct store_throttle *t)
{
    bool revoke = t->by_who >= PW_REVOKE_AFTER;
    if (revoke) {
        bool via_cookie;
        char th[TOKEN_HASH_HEX_LEN + 1];
        token_hash_hex(auth_presented_token(r, &via_cookie), th);
        enum db_status st = store_auth_session_revoke(&r->db, th);
        if (st != DB_OK) {
            reply_failure(r, st);
            return;
        }
    }
    if (!audit(r, a, NULL, a->clinic_id, "password_change", "staff_user", a->user_id, false,
               "failure",
               json_pack("{s:s, s:i, s:b}", "reason", "wrong current password", "failures",
                         (int)t->by_who, "session_revoked", revoke)))
        return;
    reply_problem(r, 403, "wrong-password", NULL,
                  revoke ? "The current password is not right. After this many wrong tries you "
                           "have been signed out: sign in again."
                         : "The current password is not right.",
                  json_pack("[o]", problem_error("current_password", "not right")));
    if (revoke)
        auth_set_session_cookie(r, "", 0);
}

/* The current password was right: the new one, every session ended, in one
 * transaction with its audit row. */
static void password_set(struct req *r, const struct auth *a, const char *next)
{
    char h[PASSWORD_HASH_MAX];
    if (password_hash(next, h, HASH_WAIT_MS) != 0) {
        reply_unavailable(r, "Try again in a moment.");
        return;
    }
    struct audit_entry e;
    audit_entry_make(&e, r, a, NULL, a->clinic_id, "password_change", "staff_user", a->user_id,
                     false, "success", NULL);
    enum db_status st = store_auth_password_set(&r->db, a->user_id, h, &e);
    audit_entry_release(&e);
    if (st != DB_OK) {
        reply_failure(r, st);
        return;
    }
    (void)throttle(r, &PASSWORD_KEYS, a->user_id, NULL);
    reply_text(r, 204, "application/json", "", 0);
    auth_set_session_cookie(r, "", 0);
}

/* Checks the current password: an oracle for whoever holds a stolen session, so it
 * counts against the account and the address before the hash runs (as sign-in
 * does). */
static void password_change(struct req *r, const struct auth *a,
                            const struct password_change_in *pc)
{
    struct store_throttle t;
    struct store_staff me;
    char *text = NULL;
    size_t len;
    bool rehash;
    int ok;
    enum db_status st = throttle(r, &PASSWORD_KEYS, a->user_id, &t);
    if (st != DB_OK)
        reply_failure(r, st);
    else if (t.by_who > PW_MAX_FAILURES_PER_ACCOUNT || t.by_address > PW_MAX_FAILURES_PER_ADDRESS) {
        if (audit(r, a, NULL, a->clinic_id, "password_change", "staff_user", a->user_id, false,
                  "denied", json_pack("{s:s}", "reason", "throttled")))
            reply_too_many(r, &t, "Too many attempts",
                           "Too many wrong current passwords; wait a few minutes and try again.");
    } else if ((st = store_auth_me(&r->db, a->user_id, &text, &len, &me)) != DB_OK)
        reply_failure(r, st);
    else if ((ok = password_verify(pc->current, me.password_hash, &rehash, HASH_WAIT_MS)) == -2)
        reply_unavailable(r, "Try again in a moment.");
    else if (ok != 1)
        password_wrong(r, a, &t);
    else
        password_set(r, a, pc->next);
    free(text);
}

void auth_password(struct req *r)
{
    struct input in;
    input_init(&in, r);
    const struct auth *a = &r->actor; /* a person: the route is ACCESS_PEOPLE */
    json_t *body = body_object(&in);
    struct password_change_in pc;
    if (body)
        password_change_parse(&in, body, a->email, &pc);
    if (!input_ok(&in))
        input_reply(&in);
    else
        password_change(r, a, &pc);
    input_release(&in);
    json_decref(body);
}
