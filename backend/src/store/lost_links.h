/* Lost links in PostgreSQL: a request ("e-mail me my bookings") as one outbox row of
 * kind lost_links, its per-address limit and audit row; the fresh single-purpose links
 * the worker makes for it (lost_link_tokens, migration 0018), and the check of such a
 * link by the holder check. */
#ifndef CLINICD_STORE_LOST_LINKS_H
#define CLINICD_STORE_LOST_LINKS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/direct.h"
#include "db/session.h"
#include "store/audit.h"

#define LOST_LINKS_VALID_DAYS 7
#define LOST_LINKS_MAX_ITEMS 100 /* bookings and plans listed in one mail, at most */

/* A request for email: under a lock of its contact key, counts the key's requests of
 * the last hour; below per_hour, writes the outbox row; either way appends audit (its
 * outcome set here: "success", or "denied" when limited).  *retry_after_s is 0 when
 * the row was written, else the seconds until the oldest request leaves the hour. */
enum db_status store_lost_links_request(struct db_session *s, const char *email, long per_hour,
                                        struct audit_entry *audit, long *retry_after_s);

/* Whether token_hash (bytea hex input, "\x...") is an unexpired lost link for booking_id
 * or for series_id (either may be NULL): DB_OK when it is, DB_NOT_FOUND when not. */
enum db_status store_lost_link_check(struct db_session *s, const char *token_hash,
                                     const char *booking_id, const char *series_id);

/* --- the worker's side, on its own connection ------------------------------------------ */

/* The lost_links rows lease token holds: ids and addresses (malloc'd). */
struct lost_links_rows {
    int n;
    char (*id)[40];
    char **recipient;
};
enum db_status store_lost_links_held(struct db_direct *d, const char *token,
                                     struct lost_links_rows *out);
void lost_links_rows_release(struct lost_links_rows *r);

/* An open booking (series_id NULL) or plan under an address, the next session first. */
struct lost_link_found {
    char *booking_id, *series_id; /* series_id NULL for a single booking */
    char *practitioner_name, *service_name, *clinic_name, *clinic_phone, *address, *tz;
    char *patient_tz; /* the zone the patient gave when booking (NULL: none) */
    char *country;    /* the location's ISO code */
    int64_t start;
    int sessions; /* a plan's open sessions; 0 for a single booking */
};
struct lost_links_found {
    int n;
    struct lost_link_found *items;
};
/* The open bookings and plans booked with exactly this address (case ignored), at every
 * clinic, soonest first, at most LOST_LINKS_MAX_ITEMS. */
enum db_status store_lost_links_find(struct db_direct *d, const char *email,
                                     struct lost_links_found *out);
void lost_links_found_release(struct lost_links_found *f);

/* Stores the links' hashes (hashes[i] for items[i], bytea hex input) for request, valid
 * for LOST_LINKS_VALID_DAYS, in one transaction that also drops links expired for a
 * day. */
enum db_status store_lost_links_save(struct db_direct *d, const char *request,
                                     const struct lost_links_found *f, char *const *hashes);

#include "util/banned.h"
#endif
