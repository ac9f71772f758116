/* Appends to the audit log on the request's connection. */
#include "api/audit.h"

#include <stdlib.h>

#include "util/log.h"

void audit_entry_make(struct audit_entry *e, struct req *r, const struct auth *a,
                      const char *actor_type, const char *clinic_id, const char *action,
                      const char *resource_type, const char *resource_id, bool patient_data,
                      const char *outcome, json_t *detail)
{
    e->detail = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    e->actor_type = actor_type ? actor_type : a ? (a->api_key ? "api_key" : "staff") : "anonymous";
    e->actor_id = a && a->user_id[0] ? a->user_id : NULL;
    e->actor_email = a && a->email[0] ? a->email : NULL;
    e->role = a ? a->role : NULL;
    e->clinic_id = clinic_id && *clinic_id ? clinic_id : NULL;
    e->action = action;
    e->resource_type = resource_type;
    e->resource_id = resource_id;
    e->patient_data = patient_data;
    e->request_id = r->request_id;
    e->outcome = outcome;
}

void audit_entry_release(struct audit_entry *e)
{
    free(e->detail);
    e->detail = NULL;
}

bool audit(struct req *r, const struct auth *a, const char *actor_type, const char *clinic_id,
           const char *action, const char *resource_type, const char *resource_id,
           bool patient_data, const char *outcome, json_t *detail)
{
    struct audit_entry e;
    audit_entry_make(&e, r, a, actor_type, clinic_id, action, resource_type, resource_id,
                     patient_data, outcome, detail);
    enum db_status st = store_audit_append(&r->db, &e);
    audit_entry_release(&e);
    if (st != DB_OK) {
        reply_failure(r, st);
        log_error("request %s: audit log write failed for %s", r->request_id, action);
    }
    return st == DB_OK;
}
