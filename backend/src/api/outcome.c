/* Replies for what the database said: one mapping for every handler. */
#include "api/outcome.h"

#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "http/reply.h"
#include "util/log.h"

/* What a patient or a clinic reads for each fault of the database. */
static const struct {
    const char *reason;
    const char *detail;
} fault_details[] = {
    {"disk-full",
     "The database has run out of disk space; nothing was changed. Please try again later."},
    {"out-of-memory",
     "The database ran out of memory; nothing was changed. Please try again shortly."},
    {"too-many-connections",
     "The database has no connection to spare; nothing was changed. Please try again shortly."},
    {"insufficient-resources",
     "The database lacks the resources to do this now; nothing was changed. Please try again "
     "shortly."},
    {"read-only",
     "The database takes no changes right now (it is read-only, perhaps while it fails over); "
     "nothing was changed. Please try again shortly."},
    {"cannot-connect-now", "The database is starting up or shutting down; please try again shortly."},
    {"io-error",
     "The database could not read or write its files; nothing was changed. Please try again "
     "later."},
    {"system-error",
     "The database met a system error; nothing was changed. Please try again later."},
};

static const char *fault_detail(const char *reason)
{
    for (size_t i = 0; i < sizeof(fault_details) / sizeof(fault_details[0]); i++)
        if (strcmp(fault_details[i].reason, reason) == 0)
            return fault_details[i].detail;
    return "The database cannot serve this now; nothing was changed. Please try again later.";
}

void reply_fault(struct req *r, const char *reason, const char *detail, const char *retry_after)
{
    reply_problem_ext(r, 503, "unavailable", "Service unavailable", detail, NULL,
                      json_pack("{s:s}", "reason", reason));
    reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, retry_after);
}

/* 503 for a database that could not be reached just now, saying why when PostgreSQL
 * said (out of connections, starting up or shutting down). */
static void reply_down(struct req *r)
{
    const char *why = r->db.pool ? db_pool_connect_failure(r->db.pool) : NULL;
    if (why && (strcmp(why, "too-many-connections") == 0 || strcmp(why, "cannot-connect-now") == 0))
        reply_fault(r, why, fault_detail(why), "5");
    else if (strcmp(r->db.fail.sqlstate, "57014") == 0)
        reply_unavailable(r, "The database took too long to answer; try again.");
    else
        reply_unavailable(r, NULL);
}

void reply_failure(struct req *r, enum db_status st)
{
    const struct db_failure *f = &r->db.fail;
    char detail[200];
    switch (st) {
    case DB_OK:
    case DB_DEFERRED:
        break;
    case DB_NOT_FOUND:
        reply_not_found(r);
        break;
    case DB_CONFLICT:
        reply_problem(r, 409, "conflict", NULL, "This conflicts with existing data.", NULL);
        break;
    case DB_INVALID:
        snprintf(detail, sizeof(detail), "A value breaks a rule (%s).",
                 f->constraint[0] ? f->constraint : f->sqlstate);
        reply_problem(r, 422, "invalid", NULL, detail, NULL);
        break;
    case DB_RETRY:
        reply_unavailable(r, "The database was busy with a conflicting change; try again.");
        break;
    case DB_TIMEOUT:
        reply_unavailable(r, "All database connections are busy; try again shortly.");
        break;
    case DB_DOWN:
        log_warn("request %s: database unavailable (%s)", r->request_id,
                 f->sqlstate[0] ? f->sqlstate : f->message);
        reply_down(r);
        break;
    case DB_FAULT:
        log_warn("request %s: database fault %s (%s): %s", r->request_id, f->fault, f->sqlstate,
                 f->message);
        reply_fault(r, f->fault, fault_detail(f->fault), f->retry_after);
        break;
    case DB_ERROR:
        log_error("request %s: database error %s: %s", r->request_id, f->sqlstate, f->message);
        reply_internal(r);
        break;
    }
}
