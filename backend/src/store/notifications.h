/* The clinic's mail that could not be delivered (or waits): the list, and sending a
 * failed one again.  A practitioner's view holds only what is about their own
 * bookings, series and waitlist entries. */
#ifndef CLINICD_STORE_NOTIFICATIONS_H
#define CLINICD_STORE_NOTIFICATIONS_H

#include "db/session.h"
#include "store/audit.h"
#include "store/staff_page.h"

/* A page of the clinic's notifications of status ("failed" or "pending"), newest
 * first, about practitioner_id's work only unless it is NULL; after_at and after_id
 * (the last one's created_at and id) NULL for the first page.  The next cursor is of
 * kind status[0]. */
enum db_status store_notifications_list(struct db_session *s, const char *clinic_id,
                                        const char *status, const char *practitioner_id,
                                        const char *after_at, const char *after_id, long limit,
                                        struct staff_page *out);
/* One transaction: the failed notification id back in the queue with a fresh budget
 * of attempts, and audit row e.  DB_NOT_FOUND when there is none the caller may see;
 * DB_CONFLICT when it is not failed (its status into status, 16 bytes). */
enum db_status store_notifications_resend(struct db_session *s, const char *clinic_id,
                                          const char *id, const char *practitioner_id,
                                          const struct audit_entry *e, char *status);

#include "util/banned.h"
#endif
