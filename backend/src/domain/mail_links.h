/* The mail that answers "e-mail me my bookings": one message listing each open booking
 * and plan under an address, at every clinic, each with its own fresh link; or, when
 * there is none, a plain note saying so. */
#ifndef CLINICD_MAIL_LINKS_H
#define CLINICD_MAIL_LINKS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* One booking, or one plan (sessions > 0: its open sessions; start: the next one). */
struct mail_link_item {
    const char *practitioner_name, *service_name, *clinic_name;
    const char *clinic_phone; /* NULL when none */
    const char *address;      /* one line */
    const char *tz;           /* IANA name of the location */
    int64_t start;
    int sessions;             /* 0: a single booking */
    const char *url;          /* the link that opens it */
};

struct mail_links {
    const char *from, *to, *message_id; /* message_id without the angle brackets */
    int64_t now;
    int valid_days;                     /* how long the links open */
    const struct mail_link_item *items;
    size_t n;                           /* 0: the "we found none" note */
};

/* Writes the whole RFC 5322 message (one text/plain part) into out.  Every field is
 * cleaned with mail_clean_line, so none can add a header or start a line.  Returns 0. */
int mail_links_compose(const struct mail_links *m, struct buf *out);

/* How an item's times are written: its clinic's country (NULL: 24-hour) and the zone
 * the patient gave (NULL: none; else, when its offset differs, each time also in it). */
struct mail_link_zone {
    const char *country, *patient_tz;
};
/* mail_links_compose with zones[i] for items[i] (zones NULL: as mail_links_compose). */
int mail_links_compose_zoned(const struct mail_links *m, const struct mail_link_zone *zones,
                             struct buf *out);

#include "util/banned.h"
#endif
