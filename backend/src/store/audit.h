/* The audit log: a row appended to the clinic's hash chain (the chain
 * itself is kept by the database's trigger). */
#ifndef CLINICD_STORE_AUDIT_H
#define CLINICD_STORE_AUDIT_H

#include <stdbool.h>

#include "db/session.h"
#include "store/staff_page.h"

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

/* A page of the clinic's log, newest first: rows with ids below before (NULL: from the
 * newest), only those about patient data or only the others when patient_data is
 * "true" or "false".  The next cursor is the last row's id. */
enum db_status store_audit_list(struct db_session *s, const char *clinic_id, const char *before,
                                long limit, const char *patient_data, struct staff_page *out);

#include "util/banned.h"
#endif
