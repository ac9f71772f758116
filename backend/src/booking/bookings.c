/* Booking one slot, and what its holder can do with it: read, cancel within the
 * clinic's notice window, reschedule atomically, download it as iCalendar. */
#include "booking/bookings.h"

#include <libical/ical.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/index_keeper.h"
#include "booking/handlers.h"
#include "booking/idempotency.h"
#include "domain/contact.h"
#include "domain/timefmt.h"
#include "domain/ics.h"
#include "domain/seal.h"
#include "domain/token.h"
#include "util/log.h"
#include "util/parse.h"

/* book_slot (migrations 0008, 0010 and 0013): the locks, the checks and the writes
 * of a booking in one statement, its audit row included.  $10 to $26 are the booking,
 * in the order of struct new_booking; $27 the request id (for the audit row). */
DB_STMT(st_book,
        "SELECT outcome, stored_hash, stored_status, stored_body FROM book_slot($1, $2, $3,"
        " $4, $5, $6::bytea, $7::bytea, $8::int, $9::bigint, $10::uuid, $11::uuid, $12::uuid,"
        " $13::uuid, $14::uuid, $15::uuid, $16::bigint, $17::bigint, $18::bigint, $19::bigint,"
        " $20, $21, $22, $23, $24::bytea, $25, $26::jsonb, $27)",
        27);
DB_STMT(st_notify,
        "INSERT INTO notifications (clinic_id, kind, booking_id, series_id, waitlist_id,"
        " recipient, payload, dedupe_key)"
        " VALUES ($1::uuid, $2, $3::uuid, $4::uuid, $5::uuid, $6, $7::jsonb, $8)"
        " ON CONFLICT (dedupe_key) DO NOTHING",
        8);
/* The keys are those of struct lock_keys; book_slot and booking_move take the same. */
DB_STMT(st_lock,
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0)),"
        " pg_advisory_xact_lock(hashtextextended($2, 0)),"
        " pg_advisory_xact_lock(hashtextextended($3, 0))",
        3);
DB_STMT(st_open_count, "SELECT contact_open_bookings($1::uuid, $2)", 2);
/* Everything a holder may see of their booking, and what the handlers need. */
DB_STMT(st_get,
        "SELECT b.manage_token_hash, b.status, extract(epoch FROM lower(b.during))::bigint,"
        " extract(epoch FROM upper(b.during))::bigint, l.timezone, b.clinic_id, b.practitioner_id,"
        " b.service_id, b.series_id, c.cancellation_notice_hours, b.patient_name, b.patient_email,"
        " b.patient_phone, b.notes, p.name, s.name, s.duration_minutes,"
        " round(s.price_cents / 100.0, 2)::text, s.currency, l.id, l.name, l.address, l.city,"
        " l.postcode, c.name, floor(extract(epoch FROM now()))::bigint, b.reschedule_count,"
        " b.cancel_reason"
        " FROM bookings b JOIN locations l ON l.id = b.location_id JOIN clinics c ON c.id = b.clinic_id"
        " JOIN practitioners p ON p.id = b.practitioner_id JOIN services s ON s.id = b.service_id"
        " WHERE b.id = $1::uuid",
        1);
DB_STMT(st_cancel,
        "SELECT booking_cancel($1::uuid, $2, $3, $4::jsonb, $5::uuid, $6::bigint, $7::bigint, $8)",
        8);
DB_STMT(st_cancel_rest,
        "UPDATE bookings SET status = 'cancelled', cancelled_at = now(), cancelled_by = $3,"
        " cancel_reason = $4, updated_at = now()"
        " WHERE series_id = $1::uuid AND status = 'booked'"
        " AND lower(during) > to_timestamp($2::bigint) RETURNING id, patient_email,"
        " extract(epoch FROM lower(during))::bigint, extract(epoch FROM upper(during))::bigint",
        4);
/* Moves a booking, writes its notification, offers the freed time and writes the
 * audit row, under the practitioner's lock: one statement (migration 0013). */
DB_STMT(st_move,
        "SELECT booking_move($1, $2::uuid, $3::bigint, $4::bigint, $5::bigint, $6::bigint,"
        " $7::uuid, $8::jsonb, $9::uuid, $10::bigint, $11::bigint, $12, $13)",
        13);
DB_STMT(st_waitlist_offer, "SELECT waitlist_offer_freed($1::uuid, $2::bigint, $3::bigint, $4)",
        4);

void reply_slot_unavailable(struct req *r, const char *detail)
{
    reply_problem(r, 409, "slot-unavailable", "Slot unavailable",
                  detail ? detail : "That time is no longer free; please choose another.",
                  json_pack("[o]", problem_error("start", "not free")));
}

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

static void epoch_text(int64_t t, char *out, size_t n)
{
    snprintf(out, n, "%lld", (long long)t);
}

/* Writes an outbox row; false after replying. */
static bool notify(struct req *r, const char *clinic, const char *kind, const char *booking,
                   const char *series, const char *waitlist, const char *recipient,
                   json_t *payload, const char *dedupe)
{
    char *pl = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    const char *v[] = {clinic, kind, booking, series, waitlist, recipient, pl ? pl : "{}", dedupe};
    PGresult *res = api_query(r, &st_notify, v);
    free(pl);
    if (!res)
        return false;
    PQclear(res);
    return true;
}

/* A new random (version 4) UUID as text (37 bytes), the kind gen_random_uuid()
 * makes.  Bookings are named here rather than by the database so that the answer,
 * which holds the id, can be sealed for Idempotency-Key before the one statement that
 * writes both. */
static void uuid_new(char *out, size_t n)
{
    unsigned char u[16];
    randombytes_buf(u, sizeof(u));
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* variant RFC 4122 */
    snprintf(out, n, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
             u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
}

/* A booking about to be written: book_slot's parameters from p_id on, as text, in v. */
struct new_booking {
    char id[40], start[24], end[24], blocked_start[24], blocked_end[24];
    char *confirmation; /* the booking_confirmed payload (JSON), or NULL for none */
    const char *v[17];
};

/* Fills b for slot sl of s with a new id.  A booking of a series gets no confirmation
 * of its own (the series sends one for all its dates); any other gets one with the
 * token sealed in it when token is not NULL and a notification key is set, so that
 * the mail can carry the manage link.  The strings passed must outlive b. */
static void new_booking_init(struct new_booking *b, const struct schedule *s,
                             const struct slot *sl, const struct patient *p, const char *notes,
                             const char *series_id, const char *token, const char *token_hash,
                             const char *created_by)
{
    struct interval blocked =
        slots_blocked(sl->start, sl->end, s->buffer_before_min, s->buffer_after_min);
    uuid_new(b->id, sizeof(b->id));
    epoch_text(sl->start, b->start, sizeof(b->start));
    epoch_text(sl->end, b->end, sizeof(b->end));
    epoch_text(blocked.start, b->blocked_start, sizeof(b->blocked_start));
    epoch_text(blocked.end, b->blocked_end, sizeof(b->blocked_end));
    b->confirmation = NULL;
    if (!series_id) {
        char start[40], sealed[256];
        schedule_format(s, sl->start, start, sizeof(start));
        json_t *payload = json_pack("{s:s}", "start", start);
        if (token && seal_text(token, sealed, sizeof(sealed)))
            json_object_set_new(payload, "manage_token_sealed", json_string(sealed));
        b->confirmation = json_dumps(payload, JSON_COMPACT);
        json_decref(payload);
        if (!b->confirmation)
            abort();
    }
    const char *v[] = {b->id, s->clinic_id, s->practitioner_id, s->service_id,
                       schedule_location(s, sl->location), series_id, b->start, b->end,
                       b->blocked_start, b->blocked_end, p->name, p->email, p->phone, notes,
                       token_hash, created_by, b->confirmation};
    _Static_assert(sizeof(v) == sizeof(b->v), "book_slot takes 17 parameters from p_id on");
    memcpy(b->v, v, sizeof(v));
}

static void new_booking_release(struct new_booking *b)
{
    free(b->confirmation);
    b->confirmation = NULL;
}

enum book_result booking_insert(struct req *r, const struct schedule *s, const struct slot *sl,
                                const struct patient *p, const char *notes,
                                const char *series_id, const char *token,
                                const char *token_hash, const char *created_by, char *id_out)
{
    struct new_booking b;
    new_booking_init(&b, s, sl, p, notes, series_id, token, token_hash, created_by);
    /* no locks (the caller holds them), no idempotency key, no per-contact limit, and
     * s was read in this transaction (no revision to compare); no audit row either
     * (a plan's sessions and staff bookings are audited by their callers) */
    const char *v[9 + 17 + 1] = {NULL};
    memcpy(v + 9, b.v, sizeof(b.v));
    enum book_result rc = BOOK_REPLIED;
    PGresult *res = api_exec(r, &st_book, v);
    if (!res)
        goto out;
    const char *state = api_sqlstate(res);
    if (strcmp(state, "23P01") == 0) {
        rc = BOOK_TAKEN;
    } else if (*state) {
        api_reply_db_error(r, res);
    } else {
        snprintf(id_out, 40, "%s", b.id);
        rc = BOOK_OK;
    }
out:
    PQclear(res);
    new_booking_release(&b);
    return rc;
}

void booking_contact_lock(const char *clinic_id, const char *email, char *out, size_t outlen)
{
    /* one person's addresses ("a+1@", "A@", "a.b@gmail" and "ab@gmail") take one lock,
     * as they are one count (the contact column, migration 0013) */
    char key[CONTACT_KEY_MAX + 1];
    if (!contact_key(email, key, sizeof(key)))
        snprintf(key, sizeof(key), "%s", email);
    snprintf(out, outlen, "contact:%s:%s", clinic_id, key);
}

/* The keys of the advisory locks that serialize bookings (hashtextextended makes
 * them numbers), each NULL when that lock is not wanted.  Made only here, so that
 * booking_lock, book_slot and booking_move lock the same things. */
struct lock_keys {
    const char *idem, *contact, *practitioner;
    char idem_buf[264], contact_buf[BOOKING_CONTACT_LOCK_MAX], practitioner_buf[64];
};

static void lock_keys_init(struct lock_keys *k, const char *idem_scope, const char *idem_key,
                           const char *clinic_id, const char *email, const char *practitioner_id)
{
    k->idem = k->contact = k->practitioner = NULL;
    if (idem_scope && idem_key) {
        snprintf(k->idem_buf, sizeof(k->idem_buf), "idem:%s:%s", idem_scope, idem_key);
        k->idem = k->idem_buf;
    }
    if (clinic_id && email) {
        booking_contact_lock(clinic_id, email, k->contact_buf, sizeof(k->contact_buf));
        k->contact = k->contact_buf;
    }
    if (practitioner_id) {
        snprintf(k->practitioner_buf, sizeof(k->practitioner_buf), "practitioner:%s",
                 practitioner_id);
        k->practitioner = k->practitioner_buf;
    }
}

bool booking_lock(struct req *r, const char *idem_scope, const char *idem_key,
                  const char *clinic_id, const char *email, const char *practitioner_id)
{
    struct lock_keys k;
    lock_keys_init(&k, idem_scope, idem_key, clinic_id, email, practitioner_id);
    const char *v[] = {k.idem, k.contact, k.practitioner};
    PGresult *res = api_query(r, &st_lock, v);
    if (!res)
        return false;
    PQclear(res);
    return true;
}

long booking_open_count(struct req *r, const char *clinic_id, const char *email)
{
    const char *v[] = {clinic_id, email};
    PGresult *res = api_query(r, &st_open_count, v);
    if (!res)
        return -1;
    long n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return n;
}

/* What the clinic's policy says of a requested start. */
enum start_rule { START_OK, START_PAST, START_NOTICE, START_HORIZON };

static enum start_rule start_rule(const struct schedule *s, int64_t start)
{
    if (start <= s->now)
        return START_PAST;
    if (start < s->now + (int64_t)s->min_notice_min * 60)
        return START_NOTICE;
    if (start >= s->now + (int64_t)s->horizon_days * 86400)
        return START_HORIZON;
    return START_OK;
}

/* Policy checks on a requested start; false after recording or replying. */
static bool check_start(struct req *r, struct input *in, const struct schedule *s, int64_t start,
                        const char *field)
{
    char d[200];
    switch (start_rule(s, start)) {
    case START_OK:
        return true;
    case START_PAST:
        input_error(in, field, false, "%s is in the past", field);
        return false;
    case START_NOTICE:
        snprintf(d, sizeof(d),
                 "This clinic takes bookings at least %d minutes ahead; choose a later time.",
                 s->min_notice_min);
        reply_problem(r, 409, "outside-policy", "Too short notice", d,
                      json_pack("[o]", problem_error(field, "inside the minimum notice")));
        return false;
    case START_HORIZON:
        snprintf(d, sizeof(d), "This clinic takes bookings up to %d days ahead.", s->horizon_days);
        reply_problem(r, 409, "outside-policy", "Too far ahead", d,
                      json_pack("[o]", problem_error(field, "beyond the booking horizon")));
        return false;
    }
    return false;
}

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
    return o;
}

/* What book_and_reply did. */
enum booked {
    BOOKED_REPLIED, /* a reply is set */
    BOOKED_RACED,   /* a request with the same key recorded itself meanwhile: nothing written */
    BOOKED_STALE,   /* s came from memory and the schedule changed since: nothing written */
};

/* Books slot sl of s for p in one statement (book_slot) and replies: 201 with the
 * booking; what a request with the same Idempotency-Key that finished meanwhile
 * answered (422 when its body differed); 409 booking-limit; 409 slot-unavailable.
 * When s came from memory (schedule_load_for_booking), book_slot compares its
 * revision with the database's, and writes nothing when they differ. */
static enum booked book_and_reply(struct req *r, const struct schedule *s, bool from_memory,
                                  const struct slot *sl, const struct patient *p,
                                  const char *notes, json_t *body, struct idem *idem)
{
    enum booked done = BOOKED_REPLIED;
    char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1];
    token_new(token, hash);
    struct new_booking b;
    new_booking_init(&b, s, sl, p, notes, NULL, token, hash, "patient");
    /* the answer is made first: with a key it is stored, sealed, by the same statement */
    json_t *resp = booked_json(s, b.id, sl, token);
    char *text = json_dumps(resp, JSON_COMPACT);
    json_decref(resp);
    struct idem_sealed sealed = {0};
    if (idem->active)
        idem_sealed_init(&sealed, idem, text);
    const char *scope = idem->active ? idem->scope : NULL, *key = idem->active ? idem->key : NULL;
    struct lock_keys k;
    lock_keys_init(&k, scope, key, s->clinic_id, p->email, s->practitioner_id);
    char max_open[16], revision[24];
    snprintf(max_open, sizeof(max_open), "%d", s->max_open_per_contact);
    epoch_text(s->revision, revision, sizeof(revision));
    const char *v[9 + 17 + 1] = {k.idem, k.contact, k.practitioner, scope, key,
                                 idem->active ? sealed.hash_hex : NULL, sealed.sealed_hex,
                                 max_open, from_memory ? revision : NULL};
    memcpy(v + 9, b.v, sizeof(b.v));
    v[9 + 17] = r->request_id; /* book_slot writes the audit row */
    /* Without BEGIN: the statement is its own transaction.  (It is never the first of
     * this checkout, which the pool would run again on a fresh connection.) */
    PGresult *res = api_exec(r, &st_book, v);
    if (!res)
        goto out;
    const char *state = api_sqlstate(res);
    const char *outcome = *state ? "" : PQgetvalue(res, 0, 0);
    if (strcmp(state, "23P01") == 0) {
        /* taken: by a request with this very key that finished meanwhile? */
        if (!idem->active || !idem_check(r, "bookings", body, idem))
            reply_slot_unavailable(r, NULL);
    } else if (strcmp(state, "40001") == 0 && idem->active) {
        done = BOOKED_RACED;
    } else if (*state) {
        api_reply_db_error(r, res);
    } else if (strcmp(outcome, "replay") == 0) {
        /* a request with the same key finished while this one waited for its lock */
        idem_answer(r, idem, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
    } else if (strcmp(outcome, "stale") == 0) {
        done = BOOKED_STALE;
    } else if (strcmp(outcome, "limit") == 0) {
        reply_problem(r, 409, "booking-limit", "Too many open bookings",
                      "This contact already holds the most open bookings this clinic allows.",
                      json_pack("[o]", problem_error("patient.email", "too many open bookings")));
    } else {
        struct interval blocked =
            slots_blocked(sl->start, sl->end, s->buffer_before_min, s->buffer_after_min);
        dirindex_booked(s->practitioner_id, blocked.start, blocked.end);
        reply_owned(r, 201, "application/json", text, strlen(text));
        text = NULL;
        char loc[160];
        snprintf(loc, sizeof(loc), "/api/v1/bookings/%s", b.id);
        reply_header(r, "Location", loc);
    }
out:
    PQclear(res);
    free(text);
    idem_sealed_release(&sealed);
    new_booking_release(&b);
    return done;
}

void bookings_create(struct req *r)
{
    if (!patient_rate(r, 1))
        return;
    struct input in;
    input_init(&in, r);
    struct schedule s = {0};
    json_t *body = body_object(&in);
    if (!body) {
        input_reply(&in);
        return;
    }
    static const char *const allowed[] = {"practitioner_id", "service_id", "start", "patient",
                                          "notes", NULL};
    body_only(&in, body, NULL, allowed);
    const char *pid = body_uuid(&in, body, NULL, "practitioner_id", true);
    const char *sid = body_uuid(&in, body, NULL, "service_id", true);
    int64_t start = 0;
    bool have_start = body_instant(&in, body, NULL, "start", true, &start);
    struct patient p;
    patient_parse(&in, body, &p);
    const char *notes = body_text(&in, body, NULL, "notes", false, 2000);
    if (!input_ok(&in) || !pid || !sid || !have_start) {
        if (input_ok(&in))
            input_error(&in, "body", false, "practitioner_id, service_id and start are required");
        goto reply_input;
    }
    struct idem idem;
    if (idem_check(r, "bookings", body, &idem))
        goto out;

    /* The schedule comes from memory first.  Only an acceptance is ever decided on it
     * (and book_slot confirms its revision); a refusal, or a changed revision, reads
     * the database again and decides on what it says now. */
    bool fresh = false;
    for (int attempt = 0; attempt < 3; attempt++) {
        bool memory = false;
        schedule_release(&s);
        enum schedule_result sr = schedule_load_for_booking(r, pid, sid, start - 86400,
                                                            start + 86400, fresh, &s, &memory);
        if (sr == SCHEDULE_REPLIED)
            goto out;
        if (sr == SCHEDULE_NO_PRACTITIONER) {
            input_error(&in, "practitioner_id", false, "no such practitioner");
            goto reply_input;
        }
        if (!s.service_found || !s.service_offered) {
            input_error(&in, "service_id", false,
                        s.service_found ? "this practitioner does not offer that service"
                                        : "no such service at this practitioner's clinic");
            goto reply_input;
        }
        struct slot sl;
        if (memory && !(start_rule(&s, start) == START_OK && schedule_offers(&s, start, &sl))) {
            fresh = true;
            continue;
        }
        if (!check_start(r, &in, &s, start, "start"))
            goto reply_input;
        if (!schedule_offers(&s, start, &sl)) {
            /* taken by a request with this very key that finished meanwhile? */
            if (idem.active && idem_check(r, "bookings", body, &idem))
                goto out;
            reply_slot_unavailable(r, "That time is not free: it is taken, outside the practitioner's "
                                      "hours, or not on the slot grid.");
            goto out;
        }
        enum booked done = book_and_reply(r, &s, memory, &sl, &p, notes, body, &idem);
        if (done == BOOKED_REPLIED)
            goto out;
        if (done == BOOKED_STALE) {
            fresh = true;
            continue;
        }
        /* the same key won a race: answer theirs */
        if (idem_check(r, "bookings", body, &idem))
            goto out;
    }
    reply_unavailable(r, "Please try again.");
    goto out;
reply_input:
    input_reply(&in);
out:
    api_rollback(r);
    input_release(&in);
    schedule_release(&s);
    json_decref(body);
}

PGresult *booking_load(struct req *r, const char *id, bool *found)
{
    const char *v[] = {id};
    *found = false;
    PGresult *res = api_query(r, &st_get, v);
    if (!res)
        return NULL;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return NULL;
    }
    *found = true;
    return res;
}

/* The booking {id} if the request proves it holds it; NULL after replying 404 (no
 * such booking, no token or a wrong one: the same answer, so existence is not told). */
static PGresult *load_held(struct req *r)
{
    const char *id = req_param(r, 0);
    const char *auth = req_header(r, "Authorization");
    const char *token = auth && strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : NULL;
    if (!is_uuid(id) || !token) {
        reply_not_found(r);
        return NULL;
    }
    const char *v[] = {id};
    PGresult *res = api_query(r, &st_get, v);
    if (!res)
        return NULL;
    if (PQntuples(res) != 1 || !token_matches(token, PQgetvalue(res, 0, G_HASH))) {
        PQclear(res);
        reply_not_found(r);
        return NULL;
    }
    return res;
}

const char *booking_val(PGresult *res, int col)
{
    return PQgetisnull(res, 0, col) ? NULL : PQgetvalue(res, 0, col);
}

int64_t booking_val_i(PGresult *res, int col)
{
    return strtoll(PQgetvalue(res, 0, col), NULL, 10);
}

#define val booking_val
#define val_i booking_val_i

static void format_at(PGresult *res, int64_t t, char *out, size_t n)
{
    const struct tz *z = tz_get(PQgetvalue(res, 0, G_TZ));
    rfc3339_format(t, z ? tz_offset_at(z, t) : 0, out, n);
}

json_t *booking_json(PGresult *res, const char *id)
{
    char a[40], b[40], until[40];
    int64_t start = val_i(res, G_START);
    format_at(res, start, a, sizeof(a));
    format_at(res, val_i(res, G_END), b, sizeof(b));
    format_at(res, start - val_i(res, G_NOTICE) * 3600, until, sizeof(until));
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s*, s:{s:s, s:s}, s:{s:s, s:s, s:I, s:f, s:s},"
        " s:{s:s, s:s, s:s, s:s, s:s*}, s:s, s:{s:s, s:s, s:s*}, s:s*, s:s, s:i, s:s*}",
        "id", id, "status", val(res, G_STATUS), "start", a, "end", b,
        "timezone", val(res, G_TZ), "series_id", val(res, G_SERIES),
        "practitioner", "id", val(res, G_PRACT), "name", val(res, G_PRACT_NAME),
        "service", "id", val(res, G_SERVICE), "name", val(res, G_SERVICE_NAME), "duration_minutes",
        (json_int_t)val_i(res, G_MINUTES), "price", strtod(val(res, G_PRICE), NULL), "currency",
        val(res, G_CURRENCY),
        "location", "id", val(res, G_LOC), "name", val(res, G_LOC_NAME), "address",
        val(res, G_ADDRESS), "city", val(res, G_CITY), "postcode", val(res, G_POSTCODE),
        "clinic", val(res, G_CLINIC_NAME),
        "patient", "name", val(res, G_PNAME), "email", val(res, G_PEMAIL), "phone",
        val(res, G_PPHONE),
        "notes", val(res, G_NOTES), "cancellable_until", until, "reschedule_count",
        (int)val_i(res, G_RESCHEDULED), "cancel_reason", val(res, G_REASON));
    return o;
}

void bookings_get(struct req *r)
{
    PGresult *res = load_held(r);
    if (!res)
        return;
    /* the holder reading their own booking is an access to patient data too */
    if (!audit(r, NULL, "patient", val(res, G_CLINIC), "read_booking", "booking", req_param(r, 0),
               true, "success", NULL)) {
        PQclear(res);
        return;
    }
    json_t *o = booking_json(res, req_param(r, 0));
    PQclear(res);
    reply_json(r, 200, o);
}

/* waitlist_offer_freed's parameters (after the practitioner) for [start, end) freed
 * of loaded booking res: the start, the length, and the start in the booking's zone. */
struct freed {
    char start[24], length[24], when[40];
};

static void freed_init(struct freed *f, PGresult *res, int64_t start, int64_t end)
{
    epoch_text(start, f->start, sizeof(f->start));
    epoch_text(end - start, f->length, sizeof(f->length));
    format_at(res, start, f->when, sizeof(f->when));
}

/* After a cancellation frees [start, end) of loaded booking res: offers it to the
 * waitlist, and tells whom it offers it to.  False after replying. */
static bool offer_freed(struct req *r, PGresult *res, int64_t start, int64_t end)
{
    struct freed f;
    freed_init(&f, res, start, end);
    const char *v[] = {val(res, G_PRACT), f.start, f.length, f.when};
    PGresult *o = api_query(r, &st_waitlist_offer, v);
    if (!o)
        return false;
    PQclear(o);
    return true;
}

void booking_cancel(struct req *r, PGresult *res, const char *id, const char *by,
                    const char *reason, bool rest_of_series, const struct auth *a)
{
    char start_s[40];
    int64_t start = val_i(res, G_START);
    format_at(res, start, start_s, sizeof(start_s));
    json_t *notice = json_pack("{s:s, s:s}", "start", start_s, "by", by);
    char *notice_text = json_dumps(notice, JSON_COMPACT);
    json_decref(notice);
    struct freed f;
    freed_init(&f, res, start, val_i(res, G_END));
    /* one statement (booking_cancel) cancels it, writes the notification and offers
     * the freed time to the waitlist */
    const char *v[] = {id, by, reason, notice_text ? notice_text : "{}", val(res, G_PRACT),
                       f.start, f.length, f.when};
    PGresult *u = api_begin(r) ? api_query(r, &st_cancel, v) : NULL;
    free(notice_text);
    if (!u)
        return;
    bool done = PQgetvalue(u, 0, 0)[0] == 't';
    PQclear(u);
    if (!done) {
        api_rollback(r);
        reply_problem(r, 409, "not-cancellable", "Already cancelled",
                      "This booking is not open any more.", NULL);
        return;
    }
    json_t *cancelled = json_pack("[s]", id);
    if (rest_of_series && val(res, G_SERIES)) {
        char t0[24];
        epoch_text(start, t0, sizeof(t0));
        const char *v2[] = {val(res, G_SERIES), t0, by, reason};
        PGresult *rest = api_query(r, &st_cancel_rest, v2);
        if (!rest) {
            json_decref(cancelled);
            return;
        }
        for (int i = 0; i < PQntuples(rest); i++) {
            const char *bid = PQgetvalue(rest, i, 0);
            char dedupe[96];
            json_array_append_new(cancelled, json_string(bid));
            snprintf(dedupe, sizeof(dedupe), "booking_cancelled:%s", bid);
            if (!notify(r, val(res, G_CLINIC), "booking_cancelled", bid, NULL, NULL,
                        PQgetvalue(rest, i, 1), json_pack("{s:s}", "by", by), dedupe) ||
                !offer_freed(r, res, strtoll(PQgetvalue(rest, i, 2), NULL, 10),
                             strtoll(PQgetvalue(rest, i, 3), NULL, 10))) {
                PQclear(rest);
                json_decref(cancelled);
                return;
            }
        }
        PQclear(rest);
    }
    if (!audit(r, a, a ? NULL : "patient", val(res, G_CLINIC), "cancel_booking", "booking", id,
               true, "success", json_pack("{s:O}", "cancelled", cancelled)) ||
        !api_commit(r)) {
        json_decref(cancelled);
        return;
    }
    dirindex_forget_next(val(res, G_PRACT));
    reply_json(r, 200, json_pack("{s:s, s:s, s:o}", "id", id, "status", "cancelled", "cancelled",
                                 cancelled));
}

void bookings_cancel(struct req *r)
{
    if (!patient_rate(r, 1))
        return;
    struct input in;
    input_init(&in, r);
    json_t *body = NULL;
    const char *reason = NULL;
    bool rest = false;
    if (r->body.len > 0) {
        body = body_object(&in);
        if (body) {
            static const char *const allowed[] = {"reason", "scope", NULL};
            body_only(&in, body, NULL, allowed);
            reason = body_text(&in, body, NULL, "reason", false, 500);
            const char *scope = body_str(&in, body, NULL, "scope", false, 20);
            if (scope && strcmp(scope, "rest_of_series") == 0)
                rest = true;
            else if (scope && strcmp(scope, "occurrence") != 0)
                input_error(&in, "scope", false, "scope must be occurrence or rest_of_series");
        }
    }
    PGresult *res = NULL;
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    res = load_held(r);
    if (!res)
        goto out;
    if (strcmp(val(res, G_STATUS), "booked") != 0) {
        reply_problem(r, 409, "not-cancellable", "Not open",
                      "This booking is not open any more, so it cannot be cancelled.", NULL);
        goto out;
    }
    int64_t start = val_i(res, G_START), hours = val_i(res, G_NOTICE);
    if (val_i(res, G_NOW) > start - hours * 3600) {
        char d[300];
        snprintf(d, sizeof(d),
                 "This clinic asks for %lld hours' notice to cancel online. Please call %s to "
                 "cancel or change this session.",
                 (long long)hours, val(res, G_CLINIC_NAME));
        reply_problem(r, 409, "cancellation-policy", "Inside the cancellation window", d, NULL);
        goto out;
    }
    booking_cancel(r, res, req_param(r, 0), "patient", reason, rest, NULL);
out:
    api_rollback(r);
    PQclear(res);
    input_release(&in);
    json_decref(body);
}

void bookings_reschedule(struct req *r)
{
    if (!patient_rate(r, 1))
        return;
    struct input in;
    input_init(&in, r);
    struct schedule s = {0};
    PGresult *res = NULL;
    json_t *body = body_object(&in);
    int64_t start = 0;
    if (body) {
        static const char *const allowed[] = {"start", NULL};
        body_only(&in, body, NULL, allowed);
        body_instant(&in, body, NULL, "start", true, &start);
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    res = load_held(r);
    if (!res)
        goto out;
    const char *id = req_param(r, 0);
    if (strcmp(val(res, G_STATUS), "booked") != 0) {
        reply_problem(r, 409, "not-reschedulable", "Not open",
                      "This booking is not open any more, so it cannot be moved.", NULL);
        goto out;
    }
    int64_t old_start = val_i(res, G_START), hours = val_i(res, G_NOTICE);
    if (val_i(res, G_NOW) > old_start - hours * 3600) {
        char d[300];
        snprintf(d, sizeof(d),
                 "This clinic asks for %lld hours' notice to move a session online. Please call "
                 "%s.",
                 (long long)hours, val(res, G_CLINIC_NAME));
        reply_problem(r, 409, "cancellation-policy", "Inside the cancellation window", d, NULL);
        goto out;
    }
    enum schedule_result sr = schedule_load(r, val(res, G_PRACT), val(res, G_SERVICE),
                                            start - 86400, start + 86400, id, &s);
    if (sr == SCHEDULE_REPLIED)
        goto out;
    if (sr == SCHEDULE_NO_PRACTITIONER || !s.service_found) {
        reply_slot_unavailable(r, "This practitioner no longer takes bookings for this service.");
        goto out;
    }
    if (!check_start(r, &in, &s, start, "start")) {
        if (!input_ok(&in))
            input_reply(&in);
        goto out;
    }
    struct slot sl;
    if (!schedule_offers(&s, start, &sl)) {
        reply_slot_unavailable(r, NULL);
        goto out;
    }
    struct interval b = slots_blocked(sl.start, sl.end, s.buffer_before_min, s.buffer_after_min);
    char t0[24], t1[24], b0[24], b1[24], was[40], now_s[40];
    epoch_text(sl.start, t0, sizeof(t0));
    epoch_text(sl.end, t1, sizeof(t1));
    epoch_text(b.start, b0, sizeof(b0));
    epoch_text(b.end, b1, sizeof(b1));
    schedule_format(&s, old_start, was, sizeof(was));
    schedule_format(&s, sl.start, now_s, sizeof(now_s));
    json_t *notice = json_pack("{s:s, s:s, s:I}", "from", was, "to", now_s, "from_epoch",
                               (json_int_t)old_start);
    char *notice_text = json_dumps(notice, JSON_COMPACT);
    json_decref(notice);
    struct lock_keys k;
    lock_keys_init(&k, NULL, NULL, NULL, NULL, s.practitioner_id);
    struct freed f;
    freed_init(&f, res, old_start, val_i(res, G_END));
    /* One statement (booking_move) is the transaction: the practitioner's lock, the
     * move (the old time is released only if the new one is taken), the notification,
     * the waitlist offer of the time freed and the audit row. */
    const char *v[] = {k.practitioner, id, t0, t1, b0, b1, schedule_location(&s, sl.location),
                       notice_text ? notice_text : "{}", val(res, G_PRACT), f.start, f.length,
                       f.when, r->request_id};
    PGresult *u = api_exec(r, &st_move, v);
    free(notice_text);
    if (!u)
        goto out;
    const char *state = api_sqlstate(u);
    bool moved = !*state && PQgetvalue(u, 0, 0)[0] == 't';
    if (strcmp(state, "23P01") == 0)
        reply_slot_unavailable(r, NULL);
    else if (*state)
        api_reply_db_error(r, u);
    else if (!moved)
        reply_problem(r, 409, "not-reschedulable", "Not open",
                      "This booking was cancelled meanwhile.", NULL);
    PQclear(u);
    if (!moved)
        goto out;
    dirindex_forget_next(s.practitioner_id);
    reply_json(r, 200, booked_json(&s, id, &sl, NULL));
out:
    api_rollback(r);
    PQclear(res);
    schedule_release(&s);
    input_release(&in);
    json_decref(body);
}

void bookings_ics(struct req *r)
{
    PGresult *res = load_held(r);
    if (!res)
        return;
    const char *id = req_param(r, 0);
    /* the file carries the appointment, and its reader holds the patient's token: an
     * access to patient data like reading the booking */
    if (!audit(r, NULL, "patient", val(res, G_CLINIC), "read_booking_calendar", "booking", id,
               true, "success", NULL)) {
        PQclear(res);
        return;
    }
    const struct tz *z = tz_get(val(res, G_TZ));
    icalcomponent *cal = ics_calendar("PUBLISH", z);
    icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    char uid[80], summary[300], location[400], desc[600];
    snprintf(uid, sizeof(uid), "%s@clinicd", id);
    snprintf(summary, sizeof(summary), "%s with %s", val(res, G_SERVICE_NAME),
             val(res, G_PRACT_NAME));
    snprintf(location, sizeof(location), "%s, %s, %s %s", val(res, G_CLINIC_NAME),
             val(res, G_ADDRESS), val(res, G_CITY), val(res, G_POSTCODE) ? val(res, G_POSTCODE) : "");
    snprintf(desc, sizeof(desc),
             "%s (%lld minutes) at %s. To cancel or move it, use the link in your confirmation; "
             "the clinic asks for %lld hours' notice.",
             val(res, G_SERVICE_NAME), (long long)val_i(res, G_MINUTES), val(res, G_CLINIC_NAME),
             (long long)val_i(res, G_NOTICE));
    icalcomponent_add_property(ev, icalproperty_new_uid(uid));
    icalcomponent_add_property(
        ev, icalproperty_new_dtstamp(icaltime_from_timet_with_zone(time(NULL), 0, icaltimezone_get_utc_timezone())));
    icalcomponent_add_property(ev, ics_time(true, val_i(res, G_START), z));
    icalcomponent_add_property(ev, ics_time(false, val_i(res, G_END), z));
    icalcomponent_add_property(ev, icalproperty_new_summary(summary));
    icalcomponent_add_property(ev, icalproperty_new_location(location));
    icalcomponent_add_property(ev, icalproperty_new_description(desc));
    icalcomponent_add_property(ev, icalproperty_new_sequence((int)val_i(res, G_RESCHEDULED)));
    icalcomponent_add_property(
        ev, icalproperty_new_status(strcmp(val(res, G_STATUS), "cancelled") == 0
                                        ? ICAL_STATUS_CANCELLED
                                        : ICAL_STATUS_CONFIRMED));
    icalcomponent_add_component(cal, ev);
    char *text = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    PQclear(res);
    if (!text) {
        reply_internal(r);
        return;
    }
    reply_owned(r, 200, "text/calendar; charset=utf-8", text, strlen(text));
    reply_header(r, "Content-Disposition", "attachment; filename=\"appointment.ics\"");
}
