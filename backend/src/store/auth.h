/* Staff sign-in's statements: sessions, API keys, who a user is, the sign-in and
 * password-change throttle, and the clinic or practitioner a request names. */
#ifndef CLINICD_STORE_AUTH_H
#define CLINICD_STORE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/session.h"
#include "store/audit.h"

/* A signed-in person, or an API key (id, clinic and scopes only). */
struct store_staff {
    char user_id[40];
    char email[256];
    char role[20];
    char clinic_id[40];        /* "" for a platform admin */
    char practitioner_id[40];  /* "" unless a practitioner */
    char password_hash[256];   /* store_auth_user_by_email and store_auth_me only */
    char scopes[80];           /* an API key's scopes as PostgreSQL prints the array */
};

/* The live session whose token hashes to token_hash (bytea input text), its last use
 * moved to now; DB_NOT_FOUND when there is none (ended, idle too long, revoked, or
 * its user inactive). */
enum db_status store_auth_session(struct db_session *s, const char *token_hash,
                                  struct store_staff *out);
/* The unrevoked API key of token_hash (user_id, clinic_id, scopes), its last use
 * moved to now; DB_NOT_FOUND when there is none. */
enum db_status store_auth_api_key(struct db_session *s, const char *token_hash,
                                  struct store_staff *out);
/* *found: a clinic of this id exists (clinic_id must be a UUID). */
enum db_status store_auth_clinic_exists(struct db_session *s, const char *clinic_id,
                                        bool *found);
/* The clinic of a practitioner into clinic_id (40 bytes); DB_NOT_FOUND when none. */
enum db_status store_auth_practitioner_clinic(struct db_session *s, const char *practitioner_id,
                                              char *clinic_id);
/* The active user of this e-mail (user_id, password_hash, role, clinic_id,
 * practitioner_id); DB_NOT_FOUND when none. */
enum db_status store_auth_user_by_email(struct db_session *s, const char *email,
                                        struct store_staff *out);
/* The user as auth_me shows them (JSON text PostgreSQL built, malloc'd into *json,
 * the caller frees it) and their password hash into out->password_hash. */
enum db_status store_auth_me(struct db_session *s, const char *user_id, char **json,
                             size_t *len, struct store_staff *out);

/* A throttle's keys: who ("email:" and the e-mail without case, or "pw-account:" and
 * an account id) and where from ("ip:" or "pw-ip:" and the client's address). */
struct store_throttle_key {
    const char *who_prefix, *who, *address_prefix, *address;
};
struct store_throttle {
    long by_who, by_address, wait_s;
};
/* Counts a failed attempt against both keys before the password is checked
 * (atomically: concurrent guesses cannot slip past a limit), with the seconds left in
 * the fuller window. */
enum db_status store_auth_throttle_count(struct db_session *s, const struct store_throttle_key *k,
                                         struct store_throttle *out);
/* After a success: who starts afresh, the address gets its attempt back. */
enum db_status store_auth_throttle_success(struct db_session *s,
                                           const struct store_throttle_key *k);

/* A new session of user_id (token_hash: bytea input text); *expires in epoch seconds. */
enum db_status store_auth_session_new(struct db_session *s, const char *token_hash,
                                      const char *user_id, int64_t *expires);
/* A password hash of a stronger kind for the same password. */
enum db_status store_auth_rehash(struct db_session *s, const char *user_id, const char *hash);
/* Ends the session of token_hash (a no-op when it has ended). */
enum db_status store_auth_session_revoke(struct db_session *s, const char *token_hash);
/* One transaction: the new password hash, every session of the user ended, and the
 * audit row e. */
enum db_status store_auth_password_set(struct db_session *s, const char *user_id,
                                       const char *hash, const struct audit_entry *e);

#include "util/banned.h"
#endif
