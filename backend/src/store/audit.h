/* The audit log's one write: a row appended to the clinic's hash chain (the chain
 * itself is kept by the database's trigger). */
#ifndef CLINICD_STORE_AUDIT_H
#define CLINICD_STORE_AUDIT_H

#include <stdbool.h>

#include "db/session.h"

/* One row of the audit log.  The strings are borrowed (NULL for SQL NULL) except
 * detail, JSON text owned by whoever filled the entry (api/audit.h: audit_entry_make
 * and audit_entry_release). */
struct audit_entry {
    const char *actor_type, *actor_id, *actor_email, *role, *clinic_id;
    const char *action, *resource_type, *resource_id;
    bool patient_data;
    const char *request_id, *outcome;
    char *detail;
};

/* Appends e on s (inside the current transaction, if any). */
enum db_status store_audit_append(struct db_session *s, const struct audit_entry *e);

#include "util/banned.h"
#endif
