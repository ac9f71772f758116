/* The audit log's one write. */
#include "store/audit.h"

DB_STMT(st_audit,
        "INSERT INTO audit_log (actor_type, actor_id, actor_email, role, clinic_id, action,"
        " resource_type, resource_id, patient_data, request_id, outcome, detail)"
        " VALUES ($1, $2::uuid, $3, $4, $5::uuid, $6, $7, $8, $9::bool, $10, $11, $12::jsonb)",
        12);

enum db_status store_audit_append(struct db_session *s, const struct audit_entry *e)
{
    const char *v[] = {e->actor_type, e->actor_id, e->actor_email, e->role, e->clinic_id,
                       e->action, e->resource_type, e->resource_id,
                       e->patient_data ? "true" : "false", e->request_id, e->outcome, e->detail};
    return db_run(s, &st_audit, v);
}
