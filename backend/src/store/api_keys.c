/* A clinic's API keys. */
#include "store/api_keys.h"

#include <stdio.h>
#include <stdlib.h>

DB_STMT(st_keys_list,
        "SELECT json_build_object('items', coalesce(json_agg(json_build_object('id', k.id,"
        " 'name', k.name, 'scopes', k.scopes, 'active', k.revoked_at IS NULL,"
        " 'created_at', k.created_at, 'created_by', k.created_by, 'last_used_at', k.last_used_at,"
        " 'revoked_at', k.revoked_at) ORDER BY k.created_at DESC, k.id), '[]'),"
        " 'next_cursor', NULL)::text FROM api_keys k WHERE k.clinic_id = $1::uuid",
        1);
DB_STMT(st_keys_active,
        "SELECT count(*) FROM api_keys WHERE clinic_id = $1::uuid AND revoked_at IS NULL", 1);
DB_STMT(st_key_insert,
        "INSERT INTO api_keys (clinic_id, name, token_hash, scopes, created_by)"
        " VALUES ($1::uuid, $2, $3::bytea, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)),"
        " $5::uuid) RETURNING id, to_json(created_at) #>> '{}'",
        5);
/* Revokes once: says whether the key was still active. */
DB_STMT(st_key_revoke,
        "WITH k AS (SELECT id, revoked_at FROM api_keys WHERE clinic_id = $1::uuid"
        "   AND id = $2::uuid FOR UPDATE)"
        " UPDATE api_keys a SET revoked_at = coalesce(k.revoked_at, now()) FROM k"
        " WHERE a.id = k.id RETURNING k.revoked_at IS NULL",
        2);

const struct store_read store_api_keys_list = {&st_keys_list};

struct key_create {
    const char *clinic_id;
    const struct api_key_new *k;
    long max_active;
    struct audit_entry *e;
    struct api_key_created *out;
};

static enum db_status key_create_work(struct db_session *s, void *ctx)
{
    struct key_create *c = ctx;
    const char *cv[] = {c->clinic_id};
    const char *v[] = {c->clinic_id, c->k->name, c->k->token_hash, c->k->scopes,
                       c->k->created_by};
    PGresult *res;
    c->out->too_many = false;
    enum db_status rc = db_query(s, &st_keys_active, cv, &res);
    if (rc != DB_OK)
        return rc;
    c->out->too_many = strtol(PQgetvalue(res, 0, 0), NULL, 10) >= c->max_active;
    PQclear(res);
    if (c->out->too_many)
        return DB_CONFLICT;
    rc = db_query(s, &st_key_insert, v, &res);
    if (rc != DB_OK)
        return rc;
    snprintf(c->out->id, sizeof(c->out->id), "%s", PQgetvalue(res, 0, 0));
    snprintf(c->out->created_at, sizeof(c->out->created_at), "%s", PQgetvalue(res, 0, 1));
    PQclear(res);
    c->e->resource_id = c->out->id;
    return store_audit_append(s, c->e);
}

enum db_status store_api_keys_create(struct db_session *s, const char *clinic_id,
                                     const struct api_key_new *k, long max_active,
                                     struct audit_entry *e, struct api_key_created *out)
{
    struct key_create c = {clinic_id, k, max_active, e, out};
    return db_tx(s, key_create_work, &c);
}

struct key_revoke {
    const char *clinic_id, *id;
    const struct audit_entry *e;
    bool *was_active;
};

static enum db_status key_revoke_work(struct db_session *s, void *ctx)
{
    struct key_revoke *k = ctx;
    const char *v[] = {k->clinic_id, k->id};
    PGresult *res;
    *k->was_active = false;
    enum db_status rc = db_query_one(s, &st_key_revoke, v, &res);
    if (rc != DB_OK)
        return rc;
    *k->was_active = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (*k->was_active)
        rc = store_audit_append(s, k->e);
    return rc;
}

enum db_status store_api_keys_revoke(struct db_session *s, const char *clinic_id, const char *id,
                                     const struct audit_entry *e, bool *was_active)
{
    struct key_revoke k = {clinic_id, id, e, was_active};
    return db_tx(s, key_revoke_work, &k);
}
