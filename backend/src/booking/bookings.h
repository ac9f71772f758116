/* Pieces of booking shared by single bookings, series, the waitlist, the booking's
 * calendar file and staff bookings: the request bodies parsed into structs, a loaded
 * booking as JSON, and the replies they share. */
#ifndef CLINICD_BOOKINGS_H
#define CLINICD_BOOKINGS_H

#include "api/common.h"
#include "cache/schedule_cache.h"
#include "domain/booking_policy.h"
#include "store/booking.h"

/* Parse functions: each reads a body object (body_object's) into its struct,
 * recording problems in in (in->r is not touched: in.r may be NULL); true when valid.
 * The strings point into body. */

struct patient {
    const char *name, *email, *phone;
};

/* {"name", "email", "phone"?} from body member "patient". */
bool patient_parse(struct input *in, json_t *body, struct patient *p);

/* POST /bookings and the staff's: practitioner, service, start, patient, notes, and
 * the patient's own time zone (time_zone: an IANA name the system's zone database
 * knows, else a field error; NULL when not given). */
#define TIME_ZONE_MAX 64
struct booking_req {
    const char *practitioner_id, *service_id, *notes;
    const char *time_zone;
    int64_t start;
    struct patient patient;
};
bool booking_parse(struct input *in, json_t *body, struct booking_req *out);

/* A cancellation's optional body (body may be NULL: none): reason, scope. */
struct cancel_req {
    const char *reason;
    bool rest_of_series;
};
bool cancel_parse(struct input *in, json_t *body, struct cancel_req *out);

/* A move: {"start"}. */
bool reschedule_parse(struct input *in, json_t *body, int64_t *start);

/* Staff marking a booking: {"status": "completed" | "no_show"}. */
bool booking_status_parse(struct input *in, json_t *body, const char **status);

/* POST /booking-series: a booking's fields, rrule and on_conflict (default "fail"). */
struct series_req {
    struct booking_req b;
    const char *rrule, *mode;
};
bool series_parse(struct input *in, json_t *body, struct series_req *out);

/* POST /waitlist: practitioner, service, the window [from, to) and the patient. */
#define WAITLIST_MAX_DAYS 366
struct waitlist_req {
    const char *practitioner_id, *service_id;
    int64_t from, to;
    struct patient patient;
};
bool waitlist_parse(struct input *in, json_t *body, struct waitlist_req *out);

/* After schedule_fetch* for a body's practitioner_id and service_id came to st (DB_OK
 * or DB_NOT_FOUND): records "no such practitioner" or why the service cannot be
 * booked, and returns false; true when the service is offered. */
bool schedule_fields_ok(struct input *in, enum db_status st, const struct schedule *s);

/* Fills b for slot sl of s (a new id; no series, no confirmation: see
 * booking_confirmation).  The strings passed must outlive b. */
void booking_new_init(struct booking_new *b, const struct schedule *s, const struct slot *sl,
                      const struct patient *p, const char *notes, const char *token_hash,
                      const char *created_by);
/* The booking_confirmed payload (malloc'd JSON text) for slot sl of s, with the token
 * sealed in it when token is not NULL and a notification key is set, so that the mail
 * can carry the manage link. */
char *booking_confirmation(const struct schedule *s, const struct slot *sl, const char *token);
/* The same with the patient's time zone (NULL: none given), for the booking and its
 * mails. */
char *booking_confirmation_tz(const struct schedule *s, const struct slot *sl, const char *token,
                              const char *patient_tz);

/* The booking as its holder (or staff) sees it, patient details included. */
json_t *booking_json(const struct booking_row *b, const char *id);

/* Cancels loaded booking b (id) as actor (by: "patient" or "staff"; the caller
 * checked the policy) and replies: 200 with the ids cancelled, 409 when it is not
 * open any more, or the failure. */
void booking_cancel_reply(struct req *r, const struct booking_row *b, const char *id,
                          const struct cancel_req *c, const struct booking_actor *actor);

/* The booking {id} (route parameter 0) if the request proves it holds it (a Bearer
 * manage token): DB_NOT_FOUND for no such booking, no token or a wrong one (the same
 * answer, so existence is not told).  booking_row_release frees b. */
enum db_status booking_held(struct req *r, struct booking_row *b);

/* After loading b (st): writes the read's audit row (actor, clinic_id) and replies
 * with the booking, or the failure; releases b. */
void booking_read_reply(struct req *r, enum db_status st, struct booking_row *b,
                        const struct booking_actor *actor, const char *clinic_id, const char *id);

/* The patient as the actor of an audit row. */
extern const struct booking_actor patient_actor;

/* Loads the booking a request names (arg: the loader's own), DB_NOT_FOUND when the
 * caller may not see it. */
typedef enum db_status (*booking_loader)(struct req *r, const void *arg, struct booking_row *b);
/* A cancellation request: its optional body (cancel_parse), the booking (load), open
 * (else 409), inside the holder's window when window (else 409), then
 * booking_cancel_reply as actor. */
void booking_cancel_request(struct req *r, booking_loader load, const void *arg,
                            const struct booking_actor *actor, const char *id, bool window);

/* A 409 slot-unavailable problem (detail NULL: the usual one). */
void reply_slot_unavailable(struct req *r, const char *detail);

#include "util/banned.h"
#endif
