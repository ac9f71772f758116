/* Booking one slot, and what its holder can do with it: read, cancel within the
 * clinic's notice window, reschedule atomically.  A booking request runs in a
 * straight line: parse -> Idempotency-Key -> the schedule -> one statement
 * (store_booking_book) -> the index told -> one reply. */
#include "booking/bookings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/outcome.h"
#include "api/handlers.h"
#include "booking/holder_token.h"
#include "booking/idempotency.h"
#include "cache/index_keeper.h"
#include "domain/seal.h"
#include "domain/timefmt.h"
#include "domain/token.h"
#include "domain/tz.h"
#include "util/parse.h"

/* --- parsing ------------------------------------------------------------------------- */

bool patient_parse(struct input *in, json_t *body, struct patient *p)
{
    memset(p, 0, sizeof(*p));
    json_t *pj = json_object_get(body, "patient");
    if (!pj) {
        input_error(in, "patient", false, "patient is required: name and email");
        return false;
    }
    if (!json_is_object(pj)) {
        input_error(in, "patient", false, "patient must be an object with name and email");
        return false;
    }
    static const char *const allowed[] = {"name", "email", "phone", NULL};
    body_only(in, pj, "patient", allowed);
    p->name = body_str(in, pj, "patient", "name", true, 200);
    p->email = body_str(in, pj, "patient", "email", true, 254);
    p->phone = body_str(in, pj, "patient", "phone", false, 40);
    if (p->email && !plausible_email(p->email)) {
        input_error(in, "patient.email", false, "patient.email is not an e-mail address");
        p->email = NULL;
    }
    if (p->phone) {
        for (const char *c = p->phone; *c; c++)
            if (!strchr("0123456789+-() .", *c)) {
                input_error(in, "patient.phone", false,
                            "patient.phone may hold digits, spaces and + - ( ) . only");
                p->phone = NULL;
                break;
            }
    }
    return p->name && p->email;
}

/* The booking fields of body (after its member check). */
static bool booking_fields(struct input *in, json_t *body, struct booking_req *out)
{
    out->practitioner_id = body_uuid(in, body, NULL, "practitioner_id", true);
    out->service_id = body_uuid(in, body, NULL, "service_id", true);
    out->start = 0;
    bool have_start = body_instant(in, body, NULL, "start", true, &out->start);
    patient_parse(in, body, &out->patient);
    out->notes = body_text(in, body, NULL, "notes", false, 2000);
    out->time_zone = body_str(in, body, NULL, "time_zone", false, TIME_ZONE_MAX);
    if (out->time_zone && !tz_get(out->time_zone)) {
        input_error(in, "time_zone", false,
                    "time_zone must be an IANA time zone such as America/New_York");
        out->time_zone = NULL;
    }
    if (input_ok(in) && (!out->practitioner_id || !out->service_id || !have_start))
        input_error(in, "body", false, "practitioner_id, service_id and start are required");
    return input_ok(in);
}

bool booking_parse(struct input *in, json_t *body, struct booking_req *out)
{
    static const char *const allowed[] = {"practitioner_id", "service_id", "start", "patient",
                                          "notes", "time_zone", NULL};
    body_only(in, body, NULL, allowed);
    return booking_fields(in, body, out);
}

bool cancel_parse(struct input *in, json_t *body, struct cancel_req *out)
{
    out->reason = NULL;
    out->rest_of_series = false;
    if (!body)
        return input_ok(in);
    static const char *const allowed[] = {"reason", "scope", NULL};
    body_only(in, body, NULL, allowed);
    out->reason = body_text(in, body, NULL, "reason", false, 500);
    const char *scope = body_str(in, body, NULL, "scope", false, 20);
    out->rest_of_series = scope && strcmp(scope, "rest_of_series") == 0;
    if (scope && !out->rest_of_series && strcmp(scope, "occurrence") != 0)
        input_error(in, "scope", false, "scope must be occurrence or rest_of_series");
    return input_ok(in);
}

bool reschedule_parse(struct input *in, json_t *body, int64_t *start)
{
    static const char *const allowed[] = {"start", NULL};
    body_only(in, body, NULL, allowed);
    *start = 0;
    body_instant(in, body, NULL, "start", true, start);
    return input_ok(in);
}

bool booking_status_parse(struct input *in, json_t *body, const char **status)
{
    static const char *const allowed[] = {"status", NULL};
    body_only(in, body, NULL, allowed);
    *status = body_str(in, body, NULL, "status", true, 20);
    if (*status && strcmp(*status, "completed") != 0 && strcmp(*status, "no_show") != 0)
        input_error(in, "status", false, "status must be completed or no_show");
    return input_ok(in);
}

bool series_parse(struct input *in, json_t *body, struct series_req *out)
{
    static const char *const allowed[] = {"practitioner_id", "service_id", "start", "patient",
                                          "notes", "rrule", "on_conflict", "time_zone",
                                          "dry_run", NULL};
    body_only(in, body, NULL, allowed);
    booking_fields(in, body, &out->b);
    out->rrule = body_str(in, body, NULL, "rrule", true, 500);
    out->mode = body_str(in, body, NULL, "on_conflict", false, 10);
    if (!out->mode)
        out->mode = "fail";
    if (strcmp(out->mode, "fail") != 0 && strcmp(out->mode, "skip") != 0 &&
        strcmp(out->mode, "nearest") != 0)
        input_error(in, "on_conflict", false, "on_conflict must be fail, skip or nearest");
    return input_ok(in) && out->rrule;
}

bool waitlist_parse(struct input *in, json_t *body, struct waitlist_req *out)
{
    static const char *const allowed[] = {"practitioner_id", "service_id", "from", "to",
                                          "patient", NULL};
    body_only(in, body, NULL, allowed);
    out->practitioner_id = body_uuid(in, body, NULL, "practitioner_id", true);
    out->service_id = body_uuid(in, body, NULL, "service_id", true);
    out->from = out->to = 0;
    bool hf = body_instant(in, body, NULL, "from", true, &out->from);
    bool ht = body_instant(in, body, NULL, "to", true, &out->to);
    patient_parse(in, body, &out->patient);
    if (hf && ht && out->to <= out->from)
        input_error(in, "to", false, "to must be after from");
    if (hf && ht && out->to - out->from > (int64_t)WAITLIST_MAX_DAYS * 86400)
        input_error(in, "to", false, "the window may be at most %d days", WAITLIST_MAX_DAYS);
    return input_ok(in) && out->practitioner_id && out->service_id;
}

bool schedule_fields_ok(struct input *in, enum db_status st, const struct schedule *s)
{
    if (st == DB_NOT_FOUND) {
        input_error(in, "practitioner_id", false, "no such practitioner");
        return false;
    }
    if (!s->service_found || !s->service_offered) {
        input_error(in, "service_id", false,
                    s->service_found ? "this practitioner does not offer that service"
                                     : "no such service at this practitioner's clinic");
        return false;
    }
    return true;
}

/* --- shared pieces ---------------------------------------------------------------------- */

void reply_slot_unavailable(struct req *r, const char *detail)
{
    reply_problem(r, 409, "slot-unavailable", "Slot unavailable",
                  detail ? detail : "That time is no longer free; please choose another.",
                  json_pack("[o]", problem_error("start", "not free")));
}

void booking_new_init(struct booking_new *b, const struct schedule *s, const struct slot *sl,
                      const struct patient *p, const char *notes, const char *token_hash,
                      const char *created_by)
{
    memset(b, 0, sizeof(*b));
    struct interval blocked =
        slots_blocked(sl->start, sl->end, s->buffer_before_min, s->buffer_after_min);
    booking_new_id(b);
    b->clinic_id = s->clinic_id;
    b->practitioner_id = s->practitioner_id;
    b->service_id = s->service_id;
    b->location_id = schedule_location(s, sl->location);
    b->start = sl->start;
    b->end = sl->end;
    b->blocked_start = blocked.start;
    b->blocked_end = blocked.end;
    b->name = p->name;
    b->email = p->email;
    b->phone = p->phone;
    b->notes = notes;
    b->token_hash = token_hash;
    b->created_by = created_by;
}

char *booking_confirmation(const struct schedule *s, const struct slot *sl, const char *token)
{
    return booking_confirmation_tz(s, sl, token, NULL);
}

char *booking_confirmation_tz(const struct schedule *s, const struct slot *sl, const char *token,
                              const char *patient_tz)
{
    char start[40], sealed[256];
    schedule_format(s, sl->start, start, sizeof(start));
    json_t *payload = json_pack("{s:s}", "start", start);
    if (token && seal_text(token, sealed, sizeof(sealed)))
        json_object_set_new(payload, "manage_token_sealed", json_string(sealed));
    if (patient_tz) /* stored with the booking by the notification's trigger (0019) */
        json_object_set_new(payload, "patient_tz", json_string(patient_tz));
    char *text = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    if (!text)
        abort();
    return text;
}

/* A change's payload gets the holder's manage token, sealed, when the request carries
 * it (a patient's own move or cancellation), so that its mail keeps the manage link. */
static void notice_link(struct req *r, const struct booking_row *b, json_t *notice)
{
    const char *auth = req_header(r, "Authorization");
    const char *token = auth && strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : NULL;
    char sealed[256];
    if (token && b->token_hash && token_matches(token, b->token_hash) &&
        seal_text(token, sealed, sizeof(sealed)))
        json_object_set_new(notice, "manage_token_sealed", json_string(sealed));
}

static void format_at(const struct booking_row *b, int64_t t, char *out, size_t n)
{
    const struct tz *z = tz_get(b->tz);
    rfc3339_format(t, z ? tz_offset_at(z, t) : 0, out, n);
}

json_t *booking_json(const struct booking_row *b, const char *id)
{
    char a[40], e[40], until[40];
    format_at(b, b->start, a, sizeof(a));
    format_at(b, b->end, e, sizeof(e));
    format_at(b, booking_cancellable_until(b->start, b->notice_hours), until, sizeof(until));
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s*, s:{s:s, s:s}, s:{s:s, s:s, s:I, s:f, s:s},"
        " s:{s:s, s:s, s:s, s:s, s:s*}, s:s, s:{s:s, s:s, s:s*}, s:s*, s:s, s:i, s:s*}",
        "id", id, "status", b->status, "start", a, "end", e, "timezone", b->tz, "series_id",
        b->series_id, "practitioner", "id", b->practitioner_id, "name", b->practitioner_name,
        "service", "id", b->service_id, "name", b->service_name, "duration_minutes",
        (json_int_t)b->minutes, "price", strtod(b->price, NULL), "currency", b->currency,
        "location", "id", b->location_id, "name", b->location_name, "address", b->address,
        "city", b->city, "postcode", b->postcode, "clinic", b->clinic_name, "patient", "name",
        b->patient_name, "email", b->patient_email, "phone", b->patient_phone, "notes", b->notes,
        "cancellable_until", until, "reschedule_count", (int)b->reschedule_count,
        "cancel_reason", b->cancel_reason);
}

void booking_cancel_reply(struct req *r, const struct booking_row *b, const char *id,
                          const struct cancel_req *c, const struct booking_actor *actor)
{
    char start[40];
    format_at(b, b->start, start, sizeof(start));
    const char *by = strcmp(actor->type, "patient") == 0 ? "patient" : "staff";
    json_t *notice = json_pack("{s:s, s:s}", "start", start, "by", by);
    notice_link(r, b, notice);
    char *notice_text = json_dumps(notice, JSON_COMPACT);
    json_decref(notice);
    struct booking_cancel bc = {id, by, c->reason, notice_text ? notice_text : "{}",
                                r->request_id, c->rest_of_series, b, tz_get(b->tz), *actor};
    struct booking_cancelled done;
    enum db_status st = store_booking_cancel(&r->db, &bc, &done);
    free(notice_text);
    if (st != DB_OK) {
        reply_failure(r, st);
        return;
    }
    if (done.outcome != BOOKING_BOOKED) {
        reply_problem(r, 409, "not-cancellable", "Already cancelled",
                      "This booking is not open any more.", NULL);
        return;
    }
    dirindex_forget_next(b->practitioner_id);
    json_t *ids = json_array();
    for (size_t i = 0; i < done.n; i++)
        json_array_append_new(ids, json_string(done.ids[i]));
    free(done.ids);
    reply_json(r, 200, json_pack("{s:s, s:s, s:o}", "id", id, "status", "cancelled", "cancelled",
                                 ids));
}

enum db_status booking_held(struct req *r, struct booking_row *b)
{
    memset(b, 0, sizeof(*b));
    const char *id = req_param(r, 0);
    const char *auth = req_header(r, "Authorization");
    const char *token = auth && strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : NULL;
    if (!is_uuid(id) || !token)
        return DB_NOT_FOUND;
    enum db_status st = store_booking_get(&r->db, id, b);
    /* the manage token, or a lost link mailed for this booking or its plan */
    if (st == DB_OK && !token_matches(token, b->token_hash) &&
        (st = holder_token_matches(&r->db, token, id, b->series_id)) != DB_OK)
        booking_row_release(b);
    return st;
}

const struct booking_actor patient_actor = {"patient", NULL, NULL, NULL};

void booking_read_reply(struct req *r, enum db_status st, struct booking_row *b,
                        const struct booking_actor *actor, const char *clinic_id, const char *id)
{
    /* reading a booking is an access to patient data */
    if (st == DB_OK)
        st = store_booking_audit(&r->db, actor, clinic_id, "read_booking", "booking", id,
                                 r->request_id);
    if (st == DB_OK)
        reply_json(r, 200, booking_json(b, id));
    else
        reply_failure(r, st);
    booking_row_release(b);
}

void bookings_get(struct req *r)
{
    struct booking_row b;
    enum db_status st = booking_held(r, &b);
    /* the holder reading their own booking is an access to patient data too */
    booking_read_reply(r, st, &b, &patient_actor, b.clinic_id, req_param(r, 0));
}

/* 409 for a holder's change inside the cancellation window (what: "cancel" or
 * "move"). */
static void reply_window(struct req *r, const struct booking_row *b, bool cancel)
{
    char d[300];
    if (cancel)
        snprintf(d, sizeof(d),
                 "This clinic asks for %lld hours' notice to cancel online. Please call %s to "
                 "cancel or change this session.",
                 (long long)b->notice_hours, b->clinic_name);
    else
        snprintf(d, sizeof(d),
                 "This clinic asks for %lld hours' notice to move a session online. Please call "
                 "%s.",
                 (long long)b->notice_hours, b->clinic_name);
    reply_problem(r, 409, "cancellation-policy", "Inside the cancellation window", d, NULL);
}

void booking_cancel_request(struct req *r, booking_loader load, const void *arg,
                            const struct booking_actor *actor, const char *id, bool window)
{
    struct input in;
    input_init(&in, r);
    json_t *body = r->body.len > 0 ? body_object(&in) : NULL;
    struct cancel_req c;
    struct booking_row b = {0};
    enum db_status st;
    if (!cancel_parse(&in, body, &c))
        input_reply(&in);
    else if ((st = load(r, arg, &b)) != DB_OK)
        reply_failure(r, st);
    else if (strcmp(b.status, "booked") != 0)
        reply_problem(r, 409, "not-cancellable", "Not open",
                      "This booking is not open any more, so it cannot be cancelled.", NULL);
    else if (window && !booking_cancellable(b.now, b.start, b.notice_hours))
        reply_window(r, &b, true);
    else
        booking_cancel_reply(r, &b, id, &c, actor);
    booking_row_release(&b);
    input_release(&in);
    json_decref(body);
}

static enum db_status held_loader(struct req *r, const void *arg, struct booking_row *b)
{
    (void)arg;
    return booking_held(r, b);
}

void bookings_cancel(struct req *r)
{
    booking_cancel_request(r, held_loader, NULL, &patient_actor, req_param(r, 0), true);
}

/* --- booking a slot ------------------------------------------------------------------------ */

static json_t *booked_json(const struct schedule *s, const char *id, const struct slot *sl,
                           const char *token)
{
    char a[40], b[40];
    schedule_format(s, sl->start, a, sizeof(a));
    schedule_format(s, sl->end, b, sizeof(b));
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "status", "booked",
                          "start", a, "end", b, "practitioner_id", s->practitioner_id,
                          "service_id", s->service_id, "location_id",
                          schedule_location(s, sl->location), "timezone", tz_name(s->tz));
    if (token)
        json_object_set_new(o, "manage_token", json_string(token));
    /* so the confirmation can say the real rule: inside the window, call the clinic */
    json_object_set_new(o, "inside_cancellation_window",
                        json_boolean(!booking_cancellable(s->now, sl->start,
                                                          s->cancel_notice_hours)));
    return o;
}

/* The reply for a start the policy refuses (not START_OK) in field. */
static void reply_start_refused(struct req *r, struct input *in, const struct schedule *s,
                                enum start_rule rule, const char *field)
{
    char d[200];
    if (rule == START_NOTICE) {
        snprintf(d, sizeof(d),
                 "This clinic takes bookings at least %d minutes ahead; choose a later time.",
                 s->min_notice_min);
        reply_problem(r, 409, "outside-policy", "Too short notice", d,
                      json_pack("[o]", problem_error(field, "inside the minimum notice")));
    } else if (rule == START_HORIZON) {
        snprintf(d, sizeof(d), "This clinic takes bookings up to %d days ahead.", s->horizon_days);
        reply_problem(r, 409, "outside-policy", "Too far ahead", d,
                      json_pack("[o]", problem_error(field, "beyond the booking horizon")));
    } else {
        input_error(in, field, false, "%s is in the past", field);
        input_reply(in);
    }
}

/* What one attempt at a booking came to: each has its one reply (reply_attempt). */
enum verdict {
    V_INPUT,       /* problems recorded in the input */
    V_POLICY,      /* the start is outside the clinic's policy (rule) */
    V_NOT_OFFERED, /* the start is not a free slot */
    V_TAKEN,       /* someone else was faster */
    V_IDEM,        /* answered by the Idempotency-Key's record (or its failure) */
    V_FAILED,      /* the database failed (st) */
    V_LIMIT,       /* the contact holds the most open bookings allowed */
    V_AGAIN,       /* decided on a schedule from memory that changed: read it again */
    V_BOOKED,
};

struct attempt {
    struct schedule s;
    struct slot sl;
    enum start_rule rule;
    enum db_status st;
    char id[40];
    char *answer; /* the 201 body, made before the statement that stores it sealed */
};

/* Books slot a->sl of a->s in one statement (book_slot).  When the schedule came from
 * memory, book_slot compares its revision with the database's and writes nothing when
 * they differ (V_AGAIN). */
static enum verdict book_once(struct req *r, const struct booking_req *q, struct idem *idem,
                              bool memory, struct attempt *a)
{
    char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1];
    token_new(token, hash);
    struct booking_new b;
    booking_new_init(&b, &a->s, &a->sl, &q->patient, q->notes, hash, "patient");
    char *confirmation = booking_confirmation_tz(&a->s, &a->sl, token, q->time_zone);
    b.confirmation = confirmation;
    snprintf(a->id, sizeof(a->id), "%s", b.id);
    /* the answer is made first: with a key it is stored, sealed, by the same statement */
    json_t *resp = booked_json(&a->s, b.id, &a->sl, token);
    free(a->answer);
    a->answer = json_dumps(resp, JSON_COMPACT);
    json_decref(resp);
    struct idem_sealed sealed = {{0}, NULL};
    if (idem->active)
        idem_sealed_init(&sealed, idem, a->answer);
    struct booking_guard g = {idem->active ? idem->scope : NULL, idem->active ? idem->key : NULL,
                              idem->active ? sealed.hash_hex : NULL, sealed.sealed_hex,
                              a->s.max_open_per_contact, memory ? a->s.revision : -1,
                              r->request_id};
    struct booking_result res;
    a->st = store_booking_book(&r->db, &b, &g, &res);
    free(confirmation);
    idem_sealed_release(&sealed);
    if (a->st != DB_OK)
        return V_FAILED;
    switch (res.outcome) {
    case BOOKING_TAKEN: /* by a request with this very key that finished meanwhile? */
        return idem->active && idem_again(r, idem) ? V_IDEM : V_TAKEN;
    case BOOKING_REPLAY: /* it finished while this one waited for its lock */
        idem_take(idem, &res.replay);
        return V_IDEM;
    case BOOKING_STALE:
        return V_AGAIN;
    case BOOKING_LIMIT:
        return V_LIMIT;
    default:
        return V_BOOKED;
    }
}

/* One attempt: the schedule (from memory unless fresh), the policy, the slot, the
 * statement.  Only an acceptance is ever decided on a schedule from memory (and
 * book_slot confirms its revision); a refusal reads the database again (V_AGAIN). */
static enum verdict attempt(struct req *r, struct input *in, const struct booking_req *q,
                            struct idem *idem, bool fresh, struct attempt *a)
{
    bool memory = false;
    schedule_release(&a->s);
    a->st = schedule_fetch_for_booking(&r->db, q->practitioner_id, q->service_id,
                                       q->start - 86400, q->start + 86400, fresh, &a->s, &memory);
    if (a->st != DB_OK && a->st != DB_NOT_FOUND)
        return V_FAILED;
    if (!schedule_fields_ok(in, a->st, &a->s))
        return V_INPUT;
    a->rule = booking_start_rule(a->s.now, a->s.min_notice_min, a->s.horizon_days, q->start);
    bool offered = a->rule == START_OK && schedule_offers(&a->s, q->start, &a->sl);
    if (memory && !offered)
        return V_AGAIN;
    if (a->rule != START_OK)
        return V_POLICY;
    if (!offered) /* taken by a request with this very key that finished meanwhile? */
        return idem->active && idem_again(r, idem) ? V_IDEM : V_NOT_OFFERED;
    return book_once(r, q, idem, memory, a);
}

/* The one reply of a booking. */
static void reply_attempt(struct req *r, struct input *in, const struct idem *idem,
                          struct attempt *a, enum verdict v)
{
    struct interval blocked;
    char loc[160];
    switch (v) {
    case V_INPUT:
        input_reply(in);
        break;
    case V_POLICY:
        reply_start_refused(r, in, &a->s, a->rule, "start");
        break;
    case V_NOT_OFFERED:
        reply_slot_unavailable(r, "That time is not free: it is taken, outside the practitioner's "
                                  "hours, or not on the slot grid.");
        break;
    case V_TAKEN:
        reply_slot_unavailable(r, NULL);
        break;
    case V_IDEM:
        idem_reply(r, idem);
        break;
    case V_FAILED:
        reply_failure(r, a->st);
        break;
    case V_LIMIT:
        reply_problem(r, 409, "booking-limit", "Too many open bookings",
                      "This contact already holds the most open bookings this clinic allows.",
                      json_pack("[o]", problem_error("patient.email", "too many open bookings")));
        break;
    case V_AGAIN:
        reply_unavailable(r, "Please try again.");
        break;
    case V_BOOKED:
        blocked = slots_blocked(a->sl.start, a->sl.end, a->s.buffer_before_min,
                                a->s.buffer_after_min);
        dirindex_booked(a->s.practitioner_id, blocked.start, blocked.end);
        reply_owned(r, 201, "application/json", a->answer, strlen(a->answer));
        a->answer = NULL;
        snprintf(loc, sizeof(loc), "/api/v1/bookings/%s", a->id);
        reply_header(r, "Location", loc);
        break;
    }
}

void bookings_create(struct req *r)
{
    struct input in;
    input_init(&in, r);
    struct idem idem = {0};
    struct attempt a = {0};
    struct booking_req q;
    json_t *body = body_object(&in);
    if (!body || !booking_parse(&in, body, &q)) {
        input_reply(&in);
    } else if (!idem_begin(r, "bookings", body, &idem)) {
        idem_reply(r, &idem);
    } else {
        enum verdict v = V_AGAIN;
        for (int i = 0; i < 3 && v == V_AGAIN; i++)
            v = attempt(r, &in, &q, &idem, i > 0, &a);
        reply_attempt(r, &in, &idem, &a, v);
    }
    free(a.answer);
    schedule_release(&a.s);
    idem_release(&idem);
    input_release(&in);
    json_decref(body);
}

/* --- moving a booking ---------------------------------------------------------------------- */

/* Moves loaded booking b (id) to slot sl of s in one statement (booking_move). */
static void move_reply(struct req *r, const struct booking_row *b, const char *id,
                       const struct schedule *s, const struct slot *sl)
{
    struct interval blocked =
        slots_blocked(sl->start, sl->end, s->buffer_before_min, s->buffer_after_min);
    char was[40], now_s[40];
    schedule_format(s, b->start, was, sizeof(was));
    schedule_format(s, sl->start, now_s, sizeof(now_s));
    json_t *notice = json_pack("{s:s, s:s, s:I}", "from", was, "to", now_s, "from_epoch",
                               (json_int_t)b->start);
    notice_link(r, b, notice);
    char *notice_text = json_dumps(notice, JSON_COMPACT);
    json_decref(notice);
    struct booking_move m = {id, s->practitioner_id, schedule_location(s, sl->location),
                             notice_text ? notice_text : "{}", r->request_id, sl->start,
                             sl->end, blocked.start, blocked.end, {0, 0, {0}}};
    booking_freed_init(&m.freed, b->start, b->end, tz_get(b->tz));
    enum booking_outcome out;
    enum db_status st = store_booking_move(&r->db, &m, &out);
    free(notice_text);
    if (st != DB_OK) {
        reply_failure(r, st);
    } else if (out == BOOKING_TAKEN) {
        reply_slot_unavailable(r, NULL);
    } else if (out == BOOKING_NOT_OPEN) {
        reply_problem(r, 409, "not-reschedulable", "Not open",
                      "This booking was cancelled meanwhile.", NULL);
    } else {
        dirindex_forget_next(s->practitioner_id);
        reply_json(r, 200, booked_json(s, id, sl, NULL));
    }
}

/* Checks the new start of loaded booking b against its schedule, then moves it. */
static void move_to(struct req *r, struct input *in, const struct booking_row *b, int64_t start)
{
    const char *id = req_param(r, 0);
    struct schedule s = {0};
    struct slot sl;
    enum db_status st = schedule_fetch(&r->db, b->practitioner_id, b->service_id, start - 86400,
                                       start + 86400, id, &s);
    enum start_rule rule = START_OK;
    if (st != DB_OK && st != DB_NOT_FOUND) {
        reply_failure(r, st);
    } else if (st == DB_NOT_FOUND || !s.service_found) {
        reply_slot_unavailable(r, "This practitioner no longer takes bookings for this service.");
    } else if ((rule = booking_start_rule(s.now, s.min_notice_min, s.horizon_days, start)) !=
               START_OK) {
        reply_start_refused(r, in, &s, rule, "start");
    } else if (!schedule_offers(&s, start, &sl)) {
        reply_slot_unavailable(r, NULL);
    } else {
        move_reply(r, b, id, &s, &sl);
    }
    schedule_release(&s);
}

void bookings_reschedule(struct req *r)
{
    struct input in;
    input_init(&in, r);
    json_t *body = body_object(&in);
    int64_t start = 0;
    struct booking_row b = {0};
    enum db_status st;
    if (!body || !reschedule_parse(&in, body, &start))
        input_reply(&in);
    else if ((st = booking_held(r, &b)) != DB_OK)
        reply_failure(r, st);
    else if (strcmp(b.status, "booked") != 0)
        reply_problem(r, 409, "not-reschedulable", "Not open",
                      "This booking is not open any more, so it cannot be moved.", NULL);
    else if (!booking_cancellable(b.now, b.start, b.notice_hours))
        reply_window(r, &b, false);
    else
        move_to(r, &in, &b, start);
    booking_row_release(&b);
    input_release(&in);
    json_decref(body);
}
