/* The audit log: a row appended, and a clinic's page of it. */
#include "store/audit.h"

#include <stdio.h>

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

DB_STMT(st_audit_list,
        "SELECT json_build_object('id', id, 'at', at, 'actor_type', actor_type, 'actor_id',"
        " actor_id, 'actor_email', actor_email, 'role', role, 'action', action, 'resource_type',"
        " resource_type, 'resource_id', resource_id, 'patient_data', patient_data, 'request_id',"
        " request_id, 'outcome', outcome, 'detail', detail, 'hash', encode(hash, 'hex'))::text, id"
        " FROM audit_log WHERE clinic_id = $1::uuid AND ($2::bigint IS NULL OR id < $2::bigint)"
        " AND ($4::bool IS NULL OR patient_data = $4::bool)"
        " ORDER BY id DESC LIMIT $3::int",
        4);

enum db_status store_audit_list(struct db_session *s, const char *clinic_id, const char *before,
                                long limit, const char *patient_data, struct staff_page *out)
{
    char lim[STAFF_PAGE_LIMIT_TEXT];
    staff_page_limit(limit, lim);
    const char *v[] = {clinic_id, before, lim, patient_data};
    return staff_page_query(s, &st_audit_list, v, limit, 0, 1, 1, out);
}
