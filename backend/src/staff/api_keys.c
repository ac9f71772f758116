/* Clinic admins manage their API keys for integrations: list, create, revoke. */
#include "staff/api_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/audit.h"
#include "domain/token.h"
#include "api/handlers.h"
#include "staff/replies.h"
#include "store/api_keys.h"

#define API_KEY_PREFIX "ck_" /* auth_staff tells keys from sessions by it */

static bool scope_known(const char *s)
{
    static const char *const known[] = {"read", "write", "patient_data", "audit"};
    for (size_t k = 0; k < sizeof(known) / sizeof(known[0]) && s; k++)
        if (strcmp(s, known[k]) == 0)
            return true;
    return false;
}

void api_key_parse(struct input *in, json_t *body, struct api_key_in *out)
{
    static const char *const allowed[] = {"name", "scopes", NULL};
    body_only(in, body, NULL, allowed);
    out->scopes = json_array();
    out->name = body_str(in, body, NULL, "name", true, 100);
    json_t *sv = json_object_get(body, "scopes");
    if (!json_is_array(sv)) {
        input_error(in, "scopes", false,
                    "scopes must be a list of one or more of read, write, patient_data and audit");
        return;
    }
    size_t i, j;
    json_t *x, *y;
    json_array_foreach(sv, i, x) {
        const char *s = json_string_value(x);
        if (!scope_known(s)) {
            input_error(in, "scopes", false,
                        "scopes may hold only read, write, patient_data and audit");
            break;
        }
        bool dup = false;
        json_array_foreach(out->scopes, j, y) dup = dup || strcmp(json_string_value(y), s) == 0;
        if (!dup)
            json_array_append_new(out->scopes, json_string(s));
    }
    if (input_ok(in) && json_array_size(out->scopes) == 0)
        input_error(in, "scopes", false, "scopes needs at least one scope");
}

void api_key_in_release(struct api_key_in *k)
{
    json_decref(k->scopes);
    k->scopes = NULL;
}

/* Keys are managed by people (the routes are ACCESS_PEOPLE): a key that could mint
 * keys could widen its own scopes. */

void staff_api_keys_list(struct req *r)
{
    staff_reply_read(r, &store_api_keys_list, staff_clinic(r), NULL, 200);
}

static void reply_too_many_keys(struct req *r)
{
    char detail[160];
    snprintf(detail, sizeof(detail),
             "The clinic has %d active API keys, the most it may hold; revoke one first.",
             MAX_ACTIVE_API_KEYS);
    reply_problem(r, 409, "too-many-keys", NULL, detail,
                  json_pack("[o]", problem_error("name", "too many active API keys")));
}

/* A new key for k: shown once, in this reply; only its hash is kept (of the whole
 * text presented, prefix included, as auth_staff looks keys up). */
static void api_key_create(struct req *r, const struct auth *a, const struct api_key_in *k)
{
    char token[TOKEN_TEXT_LEN + 1], unused[TOKEN_HASH_HEX_LEN + 1];
    char key[sizeof(API_KEY_PREFIX) + TOKEN_TEXT_LEN], hash[TOKEN_HASH_HEX_LEN + 1];
    token_new(token, unused);
    snprintf(key, sizeof(key), "%s%s", API_KEY_PREFIX, token);
    token_hash_hex(key, hash);
    char *scopes = json_dumps(k->scopes, JSON_COMPACT);
    struct api_key_new n = {k->name, hash, scopes, a->user_id};
    struct api_key_created c;
    struct audit_entry e;
    audit_entry_make(&e, r, a, NULL, staff_clinic(r), "create_api_key", "api_key", NULL, false,
                     "success", json_pack("{s:s, s:O}", "name", k->name, "scopes", k->scopes));
    enum db_status st =
        store_api_keys_create(&r->db, staff_clinic(r), &n, MAX_ACTIVE_API_KEYS, &e, &c);
    audit_entry_release(&e);
    free(scopes);
    if (st == DB_CONFLICT && c.too_many)
        reply_too_many_keys(r);
    else if (st != DB_OK)
        reply_failure(r, st);
    else if (staff_index_follow(r))
        reply_json(r, 201,
                   json_pack("{s:s, s:s, s:O, s:b, s:s, s:s, s:s}", "id", c.id, "name", k->name,
                             "scopes", k->scopes, "active", 1, "created_at", c.created_at, "key",
                             key, "note",
                             "This is the only time the key is shown; store it now. Send it as "
                             "Authorization: Bearer <key>."));
}

void staff_api_keys_create(struct req *r)
{
    const struct auth *a = &r->actor;
    struct input in;
    input_init(&in, r);
    struct api_key_in k = {0};
    json_t *body = body_object(&in);
    if (body)
        api_key_parse(&in, body, &k);
    if (!input_ok(&in))
        input_reply(&in);
    else
        api_key_create(r, a, &k);
    api_key_in_release(&k);
    json_decref(body);
}

/* Revoking twice is fine: the second finds the key inactive and writes no audit row. */
static enum db_status api_key_revoke(struct db_session *s, const char *clinic_id, const char *id,
                                     struct audit_entry *e)
{
    bool was_active;
    return store_api_keys_revoke(s, clinic_id, id, e, &was_active);
}

void staff_api_keys_delete(struct req *r)
{
    staff_delete_route(r, "revoke_api_key", "api_key", api_key_revoke);
}
