/* How the staff's directory routes end: the row they wrote, 204, the bookings in the
 * way of a deactivation, and the index following a committed write. */
#ifndef CLINICD_STAFF_REPLIES_H
#define CLINICD_STAFF_REPLIES_H

#include <stdbool.h>
#include <stddef.h>

#include "api/access.h"
#include "store/open_bookings.h"
#include "store/read.h"

/* The route's resource id (parameter 1); NULL after replying 404 when it cannot be one. */
const char *staff_route_id(struct req *r);
/* The same for parameter i (2: a row under the route's practitioner). */
const char *staff_route_id_at(struct req *r, size_t i);
/* ?active= of a list into *active ("true", "false", or NULL for all); false after
 * replying the problems. */
bool staff_list_active(struct req *r, const char **active);
void reply_no_content(struct req *r);
/* After a body's checks (st: the database's part): true when both passed; else false
 * after replying what failed, the database or the input's problems.  Empties in. */
bool staff_checks_passed(struct req *r, struct input *in, enum db_status st);
/* Replies status with json (JSON text, taken) when st is DB_OK, else the failure. */
void reply_json_text(struct req *r, enum db_status st, int status, char *json, size_t len);
/* After a write committed: the directory's index follows it at once, as every
 * reader expects.  Always true (kept a bool for its callers' chains of checks). */
bool staff_index_follow(struct req *r);
/* 409: open bookings would be left behind by a change (field: the field to name). */
void reply_has_bookings(struct req *r, const struct open_bookings *o, const char *field,
                        const char *what);
/* The end of a DELETE that deactivated (store_deactivate): 204, 404, the 409 of the
 * bookings in the way (what: "This location has"), or the failure. */
void reply_deactivation(struct req *r, enum db_status st, const struct deactivation *d,
                        const char *what);

/* Replies status with what rd reads with a and b (store/read.h), or the failure (404
 * when there is no row). */
void staff_reply_read(struct req *r, const struct store_read *rd, const char *a, const char *b,
                      int status);
/* Replies status with the route clinic's row id as get reads it (404 when none). */
void staff_reply_one(struct req *r, const struct store_read *get, const char *id, int status);
/* GET of a whole list (?active=) and of one row (the route's id), any staff of the
 * clinic. */
void staff_list_route(struct req *r, const struct store_read *list);
void staff_get_route(struct req *r, const struct store_read *get);

/* A DELETE of the route's row (its id) through one store call, del, with its audit row
 * (action on resource, "success"): 204 once the index follows, 404, or the failure. */
typedef enum db_status (*staff_delete_fn)(struct db_session *s, const char *clinic_id,
                                          const char *id, struct audit_entry *e);
void staff_delete_route(struct req *r, const char *action, const char *resource,
                        staff_delete_fn del);

/* A DELETE that deactivates a location or a practitioner: ?cancel_bookings= and
 * ?reason= (reason by default), store_deactivate through deactivate, its audit rows
 * (action, and cancel_bookings when bookings were cancelled), and the reply. */
struct deactivate_route {
    const char *resource; /* "location" */
    const char *action;   /* "deactivate_location" */
    const char *reason;   /* the cancellation's reason when none is given */
    const char *what;     /* "This location has" (the 409's detail) */
    enum db_status (*deactivate)(struct db_session *s, const char *clinic_id, const char *id,
                                 struct deactivation *d);
};
void staff_deactivate(struct req *r, const struct deactivate_route *route);

#include "util/banned.h"
#endif
