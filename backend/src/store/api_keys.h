/* A clinic's API keys for integrations: list, create (within the clinic's limit),
 * revoke.  Only the hash of a key is kept. */
#ifndef CLINICD_STORE_API_KEYS_H
#define CLINICD_STORE_API_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "db/session.h"
#include "store/read.h"
#include "store/audit.h"

/* store_read_json with a: the clinic.  {"items": [...], "next_cursor": null}, newest first: JSON text PostgreSQL built,
 * malloc'd into *json (the caller frees it). */
extern const struct store_read store_api_keys_list;

struct api_key_new {
    const char *name;
    const char *token_hash; /* bytea input text of the whole key's hash */
    const char *scopes;     /* a JSON array of scope names */
    const char *created_by; /* the staff user's id */
};
struct api_key_created {
    bool too_many;      /* the clinic holds max_active active keys already */
    char id[40];
    char created_at[40];
};
/* One transaction: unless the clinic holds max_active active keys (then too_many and
 * DB_CONFLICT, nothing written), the key and audit row e (its resource_id set to the
 * new id). */
enum db_status store_api_keys_create(struct db_session *s, const char *clinic_id,
                                     const struct api_key_new *k, long max_active,
                                     struct audit_entry *e, struct api_key_created *out);
/* One transaction: the key revoked (once: *was_active says whether it was still
 * active, and only then is audit row e appended); DB_NOT_FOUND when the clinic has no
 * such key. */
enum db_status store_api_keys_revoke(struct db_session *s, const char *clinic_id, const char *id,
                                     const struct audit_entry *e, bool *was_active);

#include "util/banned.h"
#endif
