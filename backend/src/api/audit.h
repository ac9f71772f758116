/* The audit log's rows as a request writes them: audit() (declared in api/auth.h, with
 * the credentials it names) and, for a store function that appends its row inside its
 * own transaction, the row made ahead. */
#ifndef CLINICD_API_AUDIT_H
#define CLINICD_API_AUDIT_H

#include "api/auth.h"
#include "store/audit.h"

/* Fills e as audit() would write it (the same arguments; detail is stolen and may be
 * NULL).  The strings are borrowed from r, a and the arguments, which must outlive e;
 * e->detail is e's own: audit_entry_release frees it. */
void audit_entry_make(struct audit_entry *e, struct req *r, const struct auth *a,
                      const char *actor_type, const char *clinic_id, const char *action,
                      const char *resource_type, const char *resource_id, bool patient_data,
                      const char *outcome, json_t *detail);
void audit_entry_release(struct audit_entry *e);

#include "util/banned.h"
#endif
