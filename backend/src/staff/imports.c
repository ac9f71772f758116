/* A clinic's practitioners from a CSV file: every row checked before anything is
 * written, then all of them and the audit row in one transaction. */
#include "staff/imports.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/access.h"
#include "api/audit.h"
#include "cache/index_keeper.h"
#include "api/handlers.h"
#include "staff/practitioners.h"
#include "store/imports.h"

bool import_csv_type(const char *ct)
{
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

bool import_query_parse(struct input *in, bool *dry_run)
{
    static const char *const allowed[] = {"dry_run", NULL};
    only_params(in, allowed);
    *dry_run = false;
    q_bool(in, "dry_run", dry_run);
    return input_ok(in);
}

/* The file's problems: 400 when it is not readable CSV, else 422, each row named. */
static void reply_import_problems(struct req *r, const struct import_result *res,
                                  size_t problems)
{
    char detail[200];
    snprintf(detail, sizeof(detail),
             "%zu problem%s in the file; nothing was imported. Each entry of errors names "
             "the row (the header is row 1), the line and the column.",
             problems, problems == 1 ? "" : "s");
    reply_problem(r, res->malformed ? 400 : 422, res->malformed ? "malformed" : "invalid-rows",
                  res->malformed ? "The file is not readable CSV" : "Invalid rows", detail,
                  json_incref(res->errors));
}

/* Every row and the audit row in one unit of work, then the index follows; the
 * reply. */
static void import_write(struct req *r, json_t *rows)
{
    const char *clinic = staff_clinic(r);
    size_t n = json_array_size(rows);
    json_t *ids = json_array();
    struct audit_entry e;
    audit_entry_make(&e, r, &r->actor, NULL, clinic, "import_practitioners", "clinic", clinic,
                     false, "success",
                     json_pack("{s:I, s:I}", "rows", (json_int_t)n, "bytes",
                               (json_int_t)r->body.len));
    enum db_status st = store_imports_by_staff(&r->db, clinic, rows, &e, ids);
    audit_entry_release(&e);
    if (st != DB_OK) {
        reply_failure(r, st);
    } else {
        dirindex_follow(&r->db, r->request_id);
        reply_json(r, 201, json_pack("{s:I, s:O}", "imported", (json_int_t)n, "ids", ids));
    }
    json_decref(ids);
}

void staff_imports_create(struct req *r)
{
    struct input in;
    input_init(&in, r);
    struct catalog cat = {0};
    struct import_result res = {0};
    bool dry_run;
    enum db_status st;
    size_t problems;
    if (!import_csv_type(req_header(r, "Content-Type")))
        reply_problem(r, 415, "unsupported-media-type", NULL,
                      "Send the practitioners as a CSV file: Content-Type: text/csv (UTF-8).",
                      json_pack("[o]", problem_error("Content-Type", "must be text/csv")));
    else if (!import_query_parse(&in, &dry_run))
        input_reply(&in);
    else if ((st = practitioner_catalog_load(r, &cat)) != DB_OK)
        reply_failure(r, st);
    else if ((problems = import_check(&cat, r->body.data ? r->body.data : "", r->body.len,
                                      &res, NULL, NULL)) > 0)
        reply_import_problems(r, &res, problems);
    else if (dry_run)
        reply_json(r, 200, json_pack("{s:b, s:I, s:I, s:[]}", "dry_run", 1, "would_import",
                                     (json_int_t)json_array_size(res.rows), "imported",
                                     (json_int_t)0, "ids"));
    else
        import_write(r, res.rows);
    catalog_release(&cat);
    import_result_release(&res);
    input_release(&in);
}
