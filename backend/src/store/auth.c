/* Staff sign-in's statements. */
#include "store/auth.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

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

#define COPY(field, res, col) snprintf(field, sizeof(field), "%s", PQgetvalue(res, 0, col))

/* Where each column of a statement's row goes in struct store_staff. */
struct column {
    size_t offset, size;
};
#define FIELD(name) {offsetof(struct store_staff, name), sizeof(((struct store_staff *)0)->name)}
static const struct column session_columns[] = {FIELD(user_id), FIELD(email), FIELD(role),
                                                FIELD(clinic_id), FIELD(practitioner_id)};
static const struct column api_key_columns[] = {FIELD(user_id), FIELD(clinic_id), FIELD(scopes)};
static const struct column user_columns[] = {FIELD(user_id), FIELD(password_hash), FIELD(role),
                                             FIELD(clinic_id), FIELD(practitioner_id)};
#define COLUMNS(a) a, sizeof(a) / sizeof(a[0])

/* Runs st with one parameter and copies its one row, if any, into out by cols. */
static enum db_status one_row(struct db_session *s, struct db_stmt *st, const char *value,
                              const struct column *cols, size_t ncols, struct store_staff *out)
{
    const char *v[] = {value};
    PGresult *res;
    enum db_status rc = db_query(s, st, v, &res);
    if (rc != DB_OK)
        return rc;
    memset(out, 0, sizeof(*out));
    if (PQntuples(res) != 1)
        rc = DB_NOT_FOUND;
    for (size_t i = 0; rc == DB_OK && i < ncols; i++)
        snprintf((char *)out + cols[i].offset, cols[i].size, "%s", PQgetvalue(res, 0, (int)i));
    PQclear(res);
    return rc;
}

enum db_status store_auth_session(struct db_session *s, const char *token_hash,
                                  struct store_staff *out)
{
    return one_row(s, &st_session, token_hash, COLUMNS(session_columns), out);
}

enum db_status store_auth_api_key(struct db_session *s, const char *token_hash,
                                  struct store_staff *out)
{
    return one_row(s, &st_api_key, token_hash, COLUMNS(api_key_columns), out);
}

enum db_status store_auth_user_by_email(struct db_session *s, const char *email,
                                        struct store_staff *out)
{
    return one_row(s, &st_user_by_email, email, COLUMNS(user_columns), out);
}

enum db_status store_auth_clinic_exists(struct db_session *s, const char *clinic_id,
                                        bool *found)
{
    const char *v[] = {clinic_id};
    PGresult *res;
    *found = false;
    enum db_status rc = db_query(s, &st_clinic_exists, v, &res);
    if (rc == DB_OK)
        *found = PQntuples(res) == 1;
    PQclear(res);
    return rc;
}

enum db_status store_auth_practitioner_clinic(struct db_session *s, const char *practitioner_id,
                                              char *clinic_id)
{
    const char *v[] = {practitioner_id};
    PGresult *res;
    clinic_id[0] = '\0';
    enum db_status rc = db_query(s, &st_practitioner_clinic, v, &res);
    if (rc == DB_OK && PQntuples(res) != 1)
        rc = DB_NOT_FOUND;
    if (rc == DB_OK)
        snprintf(clinic_id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return rc;
}

enum db_status store_auth_me(struct db_session *s, const char *user_id, char **json,
                             size_t *len, struct store_staff *out)
{
    const char *v[] = {user_id};
    PGresult *res;
    *json = NULL;
    *len = 0;
    memset(out, 0, sizeof(*out));
    enum db_status rc = db_query(s, &st_me, v, &res);
    if (rc == DB_OK && PQntuples(res) != 1)
        rc = DB_NOT_FOUND;
    if (rc == DB_OK) {
        *len = (size_t)PQgetlength(res, 0, 0);
        *json = xmalloc(*len + 1);
        memcpy(*json, PQgetvalue(res, 0, 0), *len + 1);
        COPY(out->password_hash, res, 1);
    }
    PQclear(res);
    return rc;
}

enum db_status store_auth_throttle_count(struct db_session *s, const struct store_throttle_key *k,
                                         struct store_throttle *out)
{
    const char *v[] = {k->who, k->address, k->who_prefix, k->address_prefix};
    PGresult *res;
    enum db_status rc = db_query(s, &st_throttle_count, v, &res);
    if (rc != DB_OK)
        return rc;
    out->by_who = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    out->by_address = strtol(PQgetvalue(res, 0, 1), NULL, 10);
    out->wait_s = strtol(PQgetvalue(res, 0, 2), NULL, 10);
    PQclear(res);
    return rc;
}

enum db_status store_auth_throttle_success(struct db_session *s,
                                           const struct store_throttle_key *k)
{
    const char *v[] = {k->who, k->address, k->who_prefix, k->address_prefix};
    return db_run(s, &st_throttle_success, v);
}

enum db_status store_auth_session_new(struct db_session *s, const char *token_hash,
                                      const char *user_id, int64_t *expires)
{
    const char *v[] = {token_hash, user_id};
    PGresult *res;
    enum db_status rc = db_query(s, &st_session_new, v, &res);
    if (rc == DB_OK)
        *expires = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return rc;
}

enum db_status store_auth_rehash(struct db_session *s, const char *user_id, const char *hash)
{
    const char *v[] = {user_id, hash};
    return db_run(s, &st_rehash, v);
}

enum db_status store_auth_session_revoke(struct db_session *s, const char *token_hash)
{
    const char *v[] = {token_hash};
    return db_run(s, &st_session_revoke, v);
}

struct password_set {
    const char *user_id, *hash;
    const struct audit_entry *audit;
};

static enum db_status password_set_work(struct db_session *s, void *ctx)
{
    const struct password_set *p = ctx;
    const char *pv[] = {p->user_id, p->hash};
    const char *uv[] = {p->user_id};
    enum db_status rc = db_run(s, &st_password_set, pv);
    if (rc == DB_OK)
        rc = db_run(s, &st_sessions_revoke_user, uv); /* every session, this one too */
    if (rc == DB_OK)
        rc = store_audit_append(s, p->audit);
    return rc;
}

enum db_status store_auth_password_set(struct db_session *s, const char *user_id,
                                       const char *hash, const struct audit_entry *e)
{
    struct password_set p = {user_id, hash, e};
    return db_tx(s, password_set_work, &p);
}
