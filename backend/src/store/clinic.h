/* A clinic as its staff see and change it: its name, contact and booking policy. */
#ifndef CLINICD_STORE_CLINIC_H
#define CLINICD_STORE_CLINIC_H

#include <stddef.h>

#include "db/session.h"
#include "store/read.h"
#include "store/audit.h"

/* store_read_json with a: the clinic.  The clinic with its policy, as JSON text PostgreSQL built (malloc'd into *json). */
extern const struct store_read store_clinic_get;

/* A change, as text; NULL: unchanged.  set_website, set_phone: "true" when the member
 * was given (null removes it), else "false". */
struct clinic_patch {
    const char *name, *set_website, *website, *set_phone, *phone;
    const char *min_notice, *horizon, *cancel_notice, *slot_step, *max_open;
    const char *flare_moves; /* flare_moves_per_plan (issue 14) */
    char buf[6][24];
    /* the mails' times: set_* "true" when the member was given (null: the worker's
     * reminder_hours; no week mail), else "false" */
    const char *set_reminder, *reminder_hours, *set_week_hour, *week_hour;
    char mail_buf[2][24];
};
/* One transaction: the change and audit row e; DB_NOT_FOUND when there is no such
 * clinic. */
enum db_status store_clinic_update(struct db_session *s, const char *clinic_id,
                                   const struct clinic_patch *p, struct audit_entry *e);

#include "util/banned.h"
#endif
