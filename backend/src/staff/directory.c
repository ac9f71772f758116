/* The CSV import's route (staff_imports_create: it moves to staff/imports.c with the
 * import engine) and the way the staff's practitioner routes (staff/practitioners.c)
 * go into that engine: the clinic's catalog, and a new practitioner written as an
 * imported row.  Pending its move: the engine's interface (struct import_db) still
 * hands PGresults across. */
#include "staff/practitioners.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/access.h"
#include "cache/index_keeper.h"
#include "staff/handlers.h"
#include "store/audit.h"
#include "store/imports.h"
#include "util/parse.h"

enum db_status practitioner_catalog_load(struct req *r, struct catalog *cat)
{
    return store_imports_catalog(&r->db, staff_clinic(r), cat);
}

struct insert_one {
    const char *clinic_id;
    json_t *p;
    struct audit_entry *e;
    char *id;
};

static enum db_status insert_one_work(struct db_session *s, void *ctx)
{
    struct insert_one *w = ctx;
    json_t *rows = json_pack("[O]", w->p), *ids = json_array();
    enum db_status st = store_imports_insert(s, w->clinic_id, rows, 0, 1, ids);
    if (st == DB_OK) {
        snprintf(w->id, 40, "%s", json_string_value(json_array_get(ids, 0)));
        w->e->resource_id = w->id;
        st = store_audit_append(s, w->e);
    }
    json_decref(rows);
    json_decref(ids);
    return st;
}

enum db_status practitioner_insert(struct req *r, json_t *p, struct audit_entry *e, char *id)
{
    struct insert_one w = {staff_clinic(r), p, e, id};
    return db_tx(&r->db, insert_one_work, &w);
}


/* --- CSV imports ----------------------------------------------------------------- */

/* text/csv, in UTF-8 if a charset is named at all. */
static bool csv_body_type(struct req *r)
{
    const char *ct = req_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "text/csv", 8) != 0 || (ct[8] != '\0' && ct[8] != ';'))
        return false;
    const char *cs = strcasestr(ct, "charset=");
    if (!cs)
        return true;
    cs += 8;
    if (*cs == '"')
        cs++;
    return strncasecmp(cs, "utf-8", 5) == 0 || strncasecmp(cs, "utf8", 4) == 0;
}

void staff_imports_create(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    struct catalog cat = {0};
    struct import_result res = {0};
    json_t *ids = json_array();
    if (!staff_enter(r, &a, STAFF_ADMIN_WRITE))
        goto out;
    if (!csv_body_type(r)) {
        reply_problem(r, 415, "unsupported-media-type", NULL,
                      "Send the practitioners as a CSV file: Content-Type: text/csv (UTF-8).",
                      json_pack("[o]", problem_error("Content-Type", "must be text/csv")));
        goto out;
    }
    static const char *const allowed[] = {"dry_run", NULL};
    only_params(&in, allowed);
    bool dry_run = false;
    q_bool(&in, "dry_run", &dry_run);
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    enum db_status st = practitioner_catalog_load(r, &cat);
    if (st != DB_OK) {
        reply_failure(r, st);
        goto out;
    }
    size_t problems = import_check(&cat, r->body.data ? r->body.data : "", r->body.len, &res,
                                   NULL, NULL);
    if (problems > 0) {
        char detail[200];
        snprintf(detail, sizeof(detail),
                 "%zu problem%s in the file; nothing was imported. Each entry of errors names "
                 "the row (the header is row 1), the line and the column.",
                 problems, problems == 1 ? "" : "s");
        reply_problem(r, res.malformed ? 400 : 422, res.malformed ? "malformed" : "invalid-rows",
                      res.malformed ? "The file is not readable CSV" : "Invalid rows", detail,
                      json_incref(res.errors));
        goto out;
    }
    size_t n = json_array_size(res.rows);
    if (dry_run) {
        reply_json(r, 200, json_pack("{s:b, s:I, s:I, s:[]}", "dry_run", 1, "would_import",
                                     (json_int_t)n, "imported", (json_int_t)0, "ids"));
        goto out;
    }
    if (!api_begin(r))
        goto out;
    for (size_t from = 0; from < n; from += IMPORT_CHUNK) {
        st = store_imports_insert(&r->db, staff_clinic(r), res.rows, from, IMPORT_CHUNK, ids);
        if (st != DB_OK) {
            reply_failure(r, st);
            goto out;
        }
    }
    if (!audit(r, &a, NULL, staff_clinic(r), "import_practitioners", "clinic", staff_clinic(r),
               false, "success", json_pack("{s:I, s:I}", "rows", (json_int_t)n, "bytes",
                                           (json_int_t)r->body.len)) ||
        !dirindex_commit(r))
        goto out;
    reply_json(r, 201, json_pack("{s:I, s:O}", "imported", (json_int_t)n, "ids", ids));
out:
    api_rollback(r);
    catalog_release(&cat);
    import_result_release(&res);
    input_release(&in);
    json_decref(ids);
}
