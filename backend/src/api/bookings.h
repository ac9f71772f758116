/* Pieces of booking shared by single bookings, series and staff bookings. */
#ifndef CLINICD_BOOKINGS_H
#define CLINICD_BOOKINGS_H

#include "api/common.h"
#include "api/schedule.h"

struct patient {
    const char *name, *email, *phone;
};

/* Reads {"name", "email", "phone"?} from body member "patient" into p; problems go to
 * in.  Returns true when valid. */
bool patient_parse(struct input *in, json_t *body, struct patient *p);

enum book_result { BOOK_OK = 0, BOOK_TAKEN = 1, BOOK_REPLIED = -1 };

/* Inside an open transaction: inserts a booking of slot with the schedule's service,
 * and its confirmation notification.  id_out gets the new id (40 bytes).  BOOK_TAKEN
 * when the exclusion constraint refused it (someone else was faster). */
enum book_result booking_insert(struct req *r, const struct schedule *s, const struct slot *sl,
                                const struct patient *p, const char *notes,
                                const char *series_id, const char *token_hash,
                                const char *created_by, char *id_out);

/* Inside an open transaction: how many open future bookings the contact holds at the
 * clinic; -1 after replying. */
long booking_open_count(struct req *r, const char *clinic_id, const char *email);

/* A 409 slot-unavailable problem. */
void reply_slot_unavailable(struct req *r, const char *detail);

#include "util/banned.h"
#endif
