/* The one reply for a call into the database that did not come to DB_OK: the status
 * and the session's failure (db/status.h) turned into problem+json. */
#ifndef CLINICD_API_OUTCOME_H
#define CLINICD_API_OUTCOME_H

#include "db/status.h"
#include "http/request.h"

/* Replies for st (not DB_OK) from r->db.fail: 404 for DB_NOT_FOUND; 409 for
 * DB_CONFLICT; 422 naming the rule for DB_INVALID; 503 with Retry-After for
 * DB_RETRY, DB_TIMEOUT, DB_DOWN (saying why PostgreSQL refused a connection when it
 * said) and DB_FAULT (with a "reason" member: "disk-full", "read-only", ...); 500 for
 * DB_ERROR (logged).  DB_DEFERRED replies nothing: the request runs again on a read
 * worker. */
void reply_failure(struct req *r, enum db_status st);

/* 503 problem+json with extension member reason, and Retry-After. */
void reply_fault(struct req *r, const char *reason, const char *detail, const char *retry_after);

#include "util/banned.h"
#endif
