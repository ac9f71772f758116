/* The operator commands' statements (`clinicd admin`): clinics, staff accounts,
 * passwords, and the operator's audit rows.  Each returns DB_OK or why it failed
 * (d->message holds PostgreSQL's text; DB_CONFLICT: the e-mail address is taken). */
#ifndef CLINICD_STORE_ADMIN_H
#define CLINICD_STORE_ADMIN_H

#include <stdbool.h>

#include "db/direct.h"

#define ADMIN_ID_MAX 40

/* A new clinic named name; its id into id. */
enum db_status store_admin_clinic_create(struct db_direct *d, const char *name,
                                         char id[ADMIN_ID_MAX]);

/* Whether a staff account has that e-mail address. */
enum db_status store_admin_user_exists(struct db_direct *d, const char *email, bool *exists);

/* A new staff account (clinic and practitioner may be NULL; name "" for none); its
 * id into id. */
struct admin_user {
    const char *clinic, *email, *role, *practitioner, *password_hash, *name;
};
enum db_status store_admin_user_create(struct db_direct *d, const struct admin_user *u,
                                       char id[ADMIN_ID_MAX]);

/* Sets the account's password hash, unlocks it and ends every session it has. */
struct admin_reset {
    bool found;                    /* an account has that address */
    char id[ADMIN_ID_MAX];
    char clinic[ADMIN_ID_MAX];     /* "" for a platform admin */
};
enum db_status store_admin_password_reset(struct db_direct *d, const char *email,
                                          const char *password_hash, struct admin_reset *out);

/* An operator's audit row (clinic NULL for none), outcome success. */
enum db_status store_admin_audit(struct db_direct *d, const char *clinic, const char *action,
                                 const char *resource_type, const char *resource_id);

#include "util/banned.h"
#endif
