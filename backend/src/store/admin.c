/* The operator commands' statements, on the command's own connection. */
#include "store/admin.h"

#include <stdio.h>

/* Column 0 of row 0 of a statement that returns one id. */
static enum db_status returning_id(struct db_direct *d, const char *sql, int n,
                                   const char *const *v, char id[ADMIN_ID_MAX])
{
    PGresult *res;
    enum db_status st = db_direct_exec(d, sql, n, v, &res);
    if (st == DB_OK)
        snprintf(id, ADMIN_ID_MAX, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return st;
}

enum db_status store_admin_clinic_create(struct db_direct *d, const char *name,
                                         char id[ADMIN_ID_MAX])
{
    const char *v[] = {name};
    return returning_id(d, "INSERT INTO clinics (name) VALUES ($1) RETURNING id", 1, v, id);
}

enum db_status store_admin_user_exists(struct db_direct *d, const char *email, bool *exists)
{
    const char *v[] = {email};
    PGresult *res;
    enum db_status st =
        db_direct_exec(d, "SELECT 1 FROM staff_users WHERE email = $1", 1, v, &res);
    *exists = st == DB_OK && PQntuples(res) > 0;
    PQclear(res);
    return st;
}

enum db_status store_admin_user_create(struct db_direct *d, const struct admin_user *u,
                                       char id[ADMIN_ID_MAX])
{
    const char *v[] = {u->clinic, u->email, u->role, u->practitioner, u->password_hash, u->name};
    return returning_id(d,
                        "INSERT INTO staff_users (clinic_id, email, role, practitioner_id,"
                        " password_hash, name) VALUES ($1::uuid, $2, $3, $4::uuid, $5, $6)"
                        " RETURNING id",
                        6, v, id);
}

enum db_status store_admin_password_reset(struct db_direct *d, const char *email,
                                          const char *password_hash, struct admin_reset *out)
{
    const char *v[] = {email, password_hash};
    PGresult *res;
    enum db_status st =
        db_direct_exec(d,
                       "WITH u AS (UPDATE staff_users SET password_hash = $2,"
                       " password_changed_at = now(), failed_logins = 0, locked_until = NULL"
                       " WHERE email = $1 RETURNING id, clinic_id),"
                       " s AS (UPDATE staff_sessions SET revoked_at = now()"
                       "  WHERE user_id IN (SELECT id FROM u) AND revoked_at IS NULL)"
                       " SELECT id, clinic_id FROM u",
                       2, v, &res);
    *out = (struct admin_reset){0};
    if (st == DB_OK && PQntuples(res) == 1) {
        out->found = true;
        snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 0));
        snprintf(out->clinic, sizeof(out->clinic), "%s", PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return st;
}

enum db_status store_admin_audit(struct db_direct *d, const char *clinic, const char *action,
                                 const char *resource_type, const char *resource_id)
{
    const char *v[] = {clinic, action, resource_type, resource_id};
    return db_direct_exec(d,
                          "INSERT INTO audit_log (actor_type, clinic_id, action, resource_type,"
                          " resource_id, outcome) VALUES ('operator', $1::uuid, $2, $3, $4,"
                          " 'success')",
                          4, v, NULL);
}
