/* Bookings in PostgreSQL (store/booking.h). */
#include "store/booking.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/contact.h"
#include "store/audit.h"
#include "store/plans.h"
#include "domain/timefmt.h"
#include "util/alloc.h"

/* book_slot (migrations 0008, 0010 and 0013): the locks, the checks and the writes
 * of a booking in one statement, its audit row included.  $10 to $26 are the booking,
 * in the order of struct booking_new; $27 the request id (for the audit row). */
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
/* Everything a holder may see of their booking, and what the handlers need: the
 * columns of enum get_col. */
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
DB_STMT(st_mark,
        "UPDATE bookings SET status = $2, updated_at = now() WHERE id = $1::uuid"
        " AND status IN ('booked', 'completed', 'no_show') AND lower(during) <= now()"
        " RETURNING id",
        2);
DB_STMT(st_series_insert,
        "INSERT INTO booking_series (clinic_id, practitioner_id, service_id, rrule, on_conflict,"
        " manage_token_hash) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6::bytea) RETURNING id",
        6);
DB_STMT(st_series_notify,
        "INSERT INTO notifications (clinic_id, kind, series_id, recipient, payload, dedupe_key)"
        " VALUES ($1::uuid, 'series_confirmed', $2::uuid, $3, $4::jsonb, 'series_confirmed:' || $2)",
        4);
/* waitlist_join (migration 0013): under the contact's lock, the per-contact limit,
 * the entry and its audit row, in one statement. */
DB_STMT(st_waitlist_join,
        "SELECT outcome, entry_id FROM waitlist_join($1, $2::int, $3::uuid, $4::uuid, $5::uuid,"
        " $6::bigint, $7::bigint, $8, $9, $10, $11::bytea, $12)",
        12);
/* The 24-hour rule lives in these functions (migration 0008), which book_slot calls
 * too. */
DB_STMT(st_idem_get, "SELECT request_hash, status, sealed_body FROM idempotency_get($1, $2)", 2);
DB_STMT(st_idem_put, "SELECT idempotency_put($1, $2, $3::bytea, $4::int, $5::bytea)", 5);
static void epoch_text(int64_t t, char *out, size_t n)
{
    snprintf(out, n, "%lld", (long long)t);
}

static int64_t cell_i(PGresult *res, int row, int col)
{
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static bool failed_on(const struct db_session *s, enum db_status rc, const char *state)
{
    return rc != DB_OK && strcmp(s->fail.sqlstate, state) == 0;
}

/* --- a booking read ----------------------------------------------------------------- */

enum get_col {
    G_HASH, G_STATUS, G_START, G_END, G_TZ, G_CLINIC, G_PRACT, G_SERVICE, G_SERIES, G_NOTICE,
    G_PNAME, G_PEMAIL, G_PPHONE, G_NOTES, G_PRACT_NAME, G_SERVICE_NAME, G_MINUTES, G_PRICE,
    G_CURRENCY, G_LOC, G_LOC_NAME, G_ADDRESS, G_CITY, G_POSTCODE, G_CLINIC_NAME, G_NOW,
    G_RESCHEDULED, G_REASON, G_COLUMNS
};

/* The text columns of a row copied into one buffer, in enum get_col order. */
static void row_texts(PGresult *res, struct booking_row *b, const char **at[G_COLUMNS])
{
    size_t need = 0;
    for (int c = 0; c < G_COLUMNS; c++)
        need += (size_t)PQgetlength(res, 0, c) + 1;
    b->text = xmalloc(need);
    char *p = b->text;
    for (int c = 0; c < G_COLUMNS; c++) {
        if (!at[c])
            continue;
        if (PQgetisnull(res, 0, c)) {
            *at[c] = NULL;
            continue;
        }
        size_t len = (size_t)PQgetlength(res, 0, c);
        memcpy(p, PQgetvalue(res, 0, c), len + 1);
        *at[c] = p;
        p += len + 1;
    }
}

enum db_status store_booking_get(struct db_session *s, const char *id, struct booking_row *out)
{
    memset(out, 0, sizeof(*out));
    PGresult *res;
    enum db_status rc = db_query_one1(s, &st_get, id, &res);
    if (rc != DB_OK)
        return rc;
    const char **at[G_COLUMNS] = {
        [G_HASH] = &out->token_hash, [G_STATUS] = &out->status, [G_TZ] = &out->tz,
        [G_CLINIC] = &out->clinic_id, [G_PRACT] = &out->practitioner_id,
        [G_SERVICE] = &out->service_id, [G_SERIES] = &out->series_id,
        [G_PNAME] = &out->patient_name, [G_PEMAIL] = &out->patient_email,
        [G_PPHONE] = &out->patient_phone, [G_NOTES] = &out->notes,
        [G_PRACT_NAME] = &out->practitioner_name, [G_SERVICE_NAME] = &out->service_name,
        [G_PRICE] = &out->price, [G_CURRENCY] = &out->currency, [G_LOC] = &out->location_id,
        [G_LOC_NAME] = &out->location_name, [G_ADDRESS] = &out->address, [G_CITY] = &out->city,
        [G_POSTCODE] = &out->postcode, [G_CLINIC_NAME] = &out->clinic_name,
        [G_REASON] = &out->cancel_reason,
    };
    row_texts(res, out, at);
    out->start = cell_i(res, 0, G_START);
    out->end = cell_i(res, 0, G_END);
    out->notice_hours = cell_i(res, 0, G_NOTICE);
    out->minutes = cell_i(res, 0, G_MINUTES);
    out->now = cell_i(res, 0, G_NOW);
    out->reschedule_count = cell_i(res, 0, G_RESCHEDULED);
    PQclear(res);
    return DB_OK;
}

void booking_row_release(struct booking_row *b)
{
    free(b->text);
    b->text = NULL;
}

/* --- locks and audit rows -------------------------------------------------------------- */

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
 * them numbers), each NULL when that lock is not wanted, always taken in this order:
 * the idempotency key, the contact at the clinic, the practitioner.  Concurrent
 * bookings of one practitioner then queue instead of deadlocking in the exclusion
 * constraint, and the per-contact count cannot be raced.  Made only here, so that
 * st_lock, book_slot and booking_move lock the same things. */
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

static enum db_status lock(struct db_session *s, const struct lock_keys *k)
{
    const char *v[] = {k->idem, k->contact, k->practitioner};
    return db_run(s, &st_lock, v);
}

enum db_status store_booking_lock_practitioner(struct db_session *s, const char *practitioner_id)
{
    struct lock_keys k;
    lock_keys_init(&k, NULL, NULL, NULL, NULL, practitioner_id);
    return lock(s, &k);
}

/* An audit row; detail (may be NULL) is stolen. */
static enum db_status audit_row(struct db_session *s, const struct booking_actor *a,
                                const char *clinic_id, const char *action,
                                const char *resource_type, const char *resource_id,
                                const char *request_id, json_t *detail)
{
    struct audit_entry e = {
        .actor_type = a->type, .actor_id = a->id, .actor_email = a->email, .role = a->role,
        .clinic_id = clinic_id && *clinic_id ? clinic_id : NULL, .action = action,
        .resource_type = resource_type, .resource_id = resource_id, .patient_data = true,
        .request_id = request_id, .outcome = "success",
        .detail = detail ? json_dumps(detail, JSON_COMPACT) : NULL};
    json_decref(detail);
    enum db_status rc = store_audit_append(s, &e);
    free(e.detail);
    return rc;
}

enum db_status store_booking_audit(struct db_session *s, const struct booking_actor *actor,
                                   const char *clinic_id, const char *action,
                                   const char *resource_type, const char *resource_id,
                                   const char *request_id)
{
    return audit_row(s, actor, clinic_id, action, resource_type, resource_id, request_id, NULL);
}

/* --- writing a booking ------------------------------------------------------------------- */

void booking_new_id(struct booking_new *b)
{
    unsigned char u[16];
    randombytes_buf(u, sizeof(u));
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* variant RFC 4122 */
    snprintf(b->id, sizeof(b->id),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
             u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
             u[15]);
}

/* book_slot's parameters from p_id on, as text. */
struct book_args {
    char start[24], end[24], blocked_start[24], blocked_end[24];
    const char *v[17];
};

static void book_args_init(struct book_args *a, const struct booking_new *b)
{
    epoch_text(b->start, a->start, sizeof(a->start));
    epoch_text(b->end, a->end, sizeof(a->end));
    epoch_text(b->blocked_start, a->blocked_start, sizeof(a->blocked_start));
    epoch_text(b->blocked_end, a->blocked_end, sizeof(a->blocked_end));
    const char *v[] = {b->id, b->clinic_id, b->practitioner_id, b->service_id, b->location_id,
                       b->series_id, a->start, a->end, a->blocked_start, a->blocked_end,
                       b->name, b->email, b->phone, b->notes, b->token_hash, b->created_by,
                       b->confirmation};
    _Static_assert(sizeof(v) == sizeof(a->v), "book_slot takes 17 parameters from p_id on");
    memcpy(a->v, v, sizeof(v));
}

void idem_record_release(struct idem_record *rec)
{
    free(rec->hash);
    free(rec->status);
    free(rec->sealed);
    memset(rec, 0, sizeof(*rec));
}

static char *text_of(PGresult *res, int row, int col)
{
    return xstrdup(PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col));
}

static void idem_record_from(struct idem_record *rec, PGresult *res, int col)
{
    rec->hash = text_of(res, 0, col);
    rec->status = text_of(res, 0, col + 1);
    rec->sealed = text_of(res, 0, col + 2);
}

enum db_status store_booking_book(struct db_session *s, const struct booking_new *b,
                                  const struct booking_guard *g, struct booking_result *out)
{
    memset(out, 0, sizeof(*out));
    struct lock_keys k;
    lock_keys_init(&k, g->idem_scope, g->idem_key, b->clinic_id, b->email, b->practitioner_id);
    struct book_args a;
    book_args_init(&a, b);
    char max_open[16], revision[24];
    snprintf(max_open, sizeof(max_open), "%d", g->max_open);
    epoch_text(g->revision, revision, sizeof(revision));
    const char *v[9 + 17 + 1] = {k.idem, k.contact, k.practitioner, g->idem_scope, g->idem_key,
                                 g->idem_hash_hex, g->idem_sealed_hex, max_open,
                                 g->revision >= 0 ? revision : NULL};
    memcpy(v + 9, a.v, sizeof(a.v));
    v[9 + 17] = g->request_id;
    /* Without BEGIN: the statement is its own transaction.  (It is never the first of
     * this checkout, which the pool would run again on a fresh connection.)  A retry
     * after the key was recorded meanwhile finds the record: a replay. */
    PGresult *res;
    enum db_status rc = db_query_retried(s, &st_book, v, &res);
    if (failed_on(s, rc, "23P01")) {
        out->outcome = BOOKING_TAKEN;
        return DB_OK;
    }
    if (rc != DB_OK)
        return rc;
    const char *outcome = PQgetvalue(res, 0, 0);
    if (strcmp(outcome, "replay") == 0) {
        out->outcome = BOOKING_REPLAY;
        idem_record_from(&out->replay, res, 1);
    } else if (strcmp(outcome, "stale") == 0) {
        out->outcome = BOOKING_STALE;
    } else if (strcmp(outcome, "limit") == 0) {
        out->outcome = BOOKING_LIMIT;
    } else {
        out->outcome = BOOKING_BOOKED;
    }
    PQclear(res);
    return DB_OK;
}

enum db_status store_booking_insert(struct db_session *s, const struct booking_new *b,
                                    enum booking_outcome *out)
{
    /* no locks (the caller holds them), no idempotency key, no per-contact limit, and
     * the schedule was read in the database (no revision to compare); no audit row
     * either (a plan's sessions and staff bookings are audited by their callers) */
    struct book_args a;
    book_args_init(&a, b);
    const char *v[9 + 17 + 1] = {NULL};
    memcpy(v + 9, a.v, sizeof(a.v));
    enum db_status rc = db_run(s, &st_book, v);
    *out = BOOKING_BOOKED;
    if (failed_on(s, rc, "23P01")) {
        *out = BOOKING_TAKEN;
        rc = DB_OK;
    }
    return rc;
}

struct staff_create {
    const struct booking_new *b;
    const struct booking_actor *actor;
    const char *request_id;
    enum booking_outcome *out;
};

static enum db_status staff_create_work(struct db_session *s, void *arg)
{
    struct staff_create *c = arg;
    enum db_status rc = store_booking_lock_practitioner(s, c->b->practitioner_id);
    if (rc == DB_OK)
        rc = store_booking_insert(s, c->b, c->out);
    if (rc != DB_OK || *c->out != BOOKING_BOOKED)
        return rc == DB_OK ? DB_CONFLICT : rc; /* taken: roll back */
    return audit_row(s, c->actor, c->b->clinic_id, "create_booking", "booking", c->b->id,
                     c->request_id, NULL);
}

enum db_status store_booking_staff_create(struct db_session *s, const struct booking_new *b,
                                          const struct booking_actor *actor,
                                          const char *request_id, enum booking_outcome *out)
{
    struct staff_create c = {b, actor, request_id, out};
    *out = BOOKING_BOOKED;
    enum db_status rc = db_tx(s, staff_create_work, &c);
    if (rc == DB_CONFLICT && *out == BOOKING_TAKEN)
        rc = DB_OK;
    return rc;
}

/* --- moving and cancelling ------------------------------------------------------------- */

void booking_freed_init(struct booking_freed *f, int64_t start, int64_t end, const struct tz *z)
{
    f->start = start;
    f->end = end;
    rfc3339_format(start, z ? tz_offset_at(z, start) : 0, f->when, sizeof(f->when));
}

/* waitlist_offer_freed's parameters after the practitioner. */
struct freed_args {
    char start[24], length[24];
};

static void freed_args_init(struct freed_args *a, const struct booking_freed *f)
{
    epoch_text(f->start, a->start, sizeof(a->start));
    epoch_text(f->end - f->start, a->length, sizeof(a->length));
}

enum db_status store_booking_move(struct db_session *s, const struct booking_move *m,
                                  enum booking_outcome *out)
{
    struct lock_keys k;
    lock_keys_init(&k, NULL, NULL, NULL, NULL, m->practitioner_id);
    char t0[24], t1[24], b0[24], b1[24];
    epoch_text(m->start, t0, sizeof(t0));
    epoch_text(m->end, t1, sizeof(t1));
    epoch_text(m->blocked_start, b0, sizeof(b0));
    epoch_text(m->blocked_end, b1, sizeof(b1));
    struct freed_args f;
    freed_args_init(&f, &m->freed);
    /* One statement (booking_move) is the transaction: the practitioner's lock, the
     * move (the old time is released only if the new one is taken), the notification,
     * the waitlist offer of the time freed and the audit row. */
    const char *v[] = {k.practitioner, m->id, t0, t1, b0, b1, m->location_id, m->notice,
                       m->practitioner_id, f.start, f.length, m->freed.when, m->request_id};
    PGresult *res;
    enum db_status rc = db_query_retried(s, &st_move, v, &res);
    if (failed_on(s, rc, "23P01")) {
        *out = BOOKING_TAKEN;
        return DB_OK;
    }
    if (rc != DB_OK)
        return rc;
    *out = PQgetvalue(res, 0, 0)[0] == 't' ? BOOKING_BOOKED : BOOKING_NOT_OPEN;
    PQclear(res);
    return DB_OK;
}

static enum db_status offer_freed(struct db_session *s, const char *practitioner_id,
                                  const struct booking_freed *f)
{
    struct freed_args a;
    freed_args_init(&a, f);
    const char *v[] = {practitioner_id, a.start, a.length, f->when};
    return db_run(s, &st_waitlist_offer, v);
}

/* The later open bookings of the series: cancelled, each told and its time offered. */
static enum db_status cancel_rest(struct db_session *s, const struct booking_cancel *c,
                                  struct booking_cancelled *out)
{
    char t0[24];
    epoch_text(c->row->start, t0, sizeof(t0));
    const char *v[] = {c->row->series_id, t0, c->by, c->reason};
    PGresult *rest;
    enum db_status rc = db_query(s, &st_cancel_rest, v, &rest);
    if (rc != DB_OK)
        return rc;
    int n = PQntuples(rest);
    out->ids = xrealloc(out->ids, (size_t)(n + 1) * sizeof(*out->ids));
    char *by = NULL;
    json_t *payload = json_pack("{s:s}", "by", c->by);
    by = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    for (int i = 0; i < n && rc == DB_OK; i++) {
        const char *bid = PQgetvalue(rest, i, 0);
        char dedupe[96];
        snprintf(out->ids[out->n++], sizeof(out->ids[0]), "%s", bid);
        snprintf(dedupe, sizeof(dedupe), "booking_cancelled:%s", bid);
        const char *nv[] = {c->row->clinic_id, "booking_cancelled", bid, NULL, NULL,
                            PQgetvalue(rest, i, 1), by ? by : "{}", dedupe};
        rc = db_run(s, &st_notify, nv);
        struct booking_freed f;
        booking_freed_init(&f, cell_i(rest, i, 2), cell_i(rest, i, 3), c->z);
        if (rc == DB_OK)
            rc = offer_freed(s, c->row->practitioner_id, &f);
    }
    free(by);
    PQclear(rest);
    return rc;
}

struct cancel_run {
    const struct booking_cancel *c;
    struct booking_cancelled *out;
};

static enum db_status cancel_work(struct db_session *s, void *arg)
{
    struct cancel_run *run = arg;
    const struct booking_cancel *c = run->c;
    struct booking_cancelled *out = run->out;
    out->n = 0;
    out->outcome = BOOKING_NOT_OPEN;
    struct booking_freed f;
    booking_freed_init(&f, c->row->start, c->row->end, c->z);
    struct freed_args fa;
    freed_args_init(&fa, &f);
    /* one statement (booking_cancel) cancels it, writes the notification and offers
     * the freed time to the waitlist */
    const char *v[] = {c->id, c->by, c->reason, c->notice, c->row->practitioner_id, fa.start,
                       fa.length, f.when};
    PGresult *res;
    enum db_status rc = db_query(s, &st_cancel, v, &res);
    if (rc != DB_OK)
        return rc;
    bool done = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (!done)
        return DB_NOT_FOUND; /* roll back */
    out->outcome = BOOKING_BOOKED;
    out->ids = xrealloc(out->ids, sizeof(*out->ids));
    snprintf(out->ids[out->n++], sizeof(out->ids[0]), "%s", c->id);
    if (c->rest_of_series && c->row->series_id)
        rc = cancel_rest(s, c, out);
    if (rc != DB_OK)
        return rc;
    json_t *ids = json_array();
    for (size_t i = 0; i < out->n; i++)
        json_array_append_new(ids, json_string(out->ids[i]));
    return audit_row(s, &c->actor, c->row->clinic_id, "cancel_booking", "booking", c->id,
                     c->request_id, json_pack("{s:o}", "cancelled", ids));
}

enum db_status store_booking_cancel(struct db_session *s, const struct booking_cancel *c,
                                    struct booking_cancelled *out)
{
    memset(out, 0, sizeof(*out));
    struct cancel_run run = {c, out};
    enum db_status rc = db_tx(s, cancel_work, &run);
    if (rc == DB_NOT_FOUND && out->outcome == BOOKING_NOT_OPEN)
        rc = DB_OK;
    if (rc != DB_OK || out->outcome != BOOKING_BOOKED) {
        free(out->ids);
        out->ids = NULL;
        out->n = 0;
    }
    return rc;
}

struct mark_run {
    const char *id, *status, *clinic_id, *request_id;
    const struct booking_actor *actor;
    enum booking_outcome *out;
};

static enum db_status mark_work(struct db_session *s, void *arg)
{
    struct mark_run *m = arg;
    const char *v[] = {m->id, m->status};
    enum db_status rc = db_query_one(s, &st_mark, v, NULL);
    if (rc == DB_OK || rc == DB_NOT_FOUND)
        *m->out = rc == DB_OK ? BOOKING_BOOKED : BOOKING_NOT_OPEN;
    if (rc != DB_OK)
        return rc; /* DB_NOT_FOUND rolls the transaction back too */
    return audit_row(s, m->actor, m->clinic_id, "mark_booking", "booking", m->id, m->request_id,
                     json_pack("{s:s}", "status", m->status));
}

enum db_status store_booking_mark(struct db_session *s, const char *id, const char *status,
                                  const char *clinic_id, const struct booking_actor *actor,
                                  const char *request_id, enum booking_outcome *out)
{
    struct mark_run m = {id, status, clinic_id, request_id, actor, out};
    *out = BOOKING_NOT_OPEN;
    enum db_status rc = db_tx(s, mark_work, &m);
    if (rc == DB_NOT_FOUND && *out == BOOKING_NOT_OPEN)
        rc = DB_OK;
    return rc;
}

/* --- a treatment plan ------------------------------------------------------------------- */

/* Writes the sessions planned: under a savepoint each unless strict. */
static enum db_status series_sessions(struct db_session *s, struct series_new *in,
                                      const char *series_id, enum series_outcome *outcome)
{
    int booked = 0;
    for (int i = 0; i < in->n; i++) {
        struct series_session *ss = &in->sessions[i];
        ss->booked = false;
        if (!ss->planned)
            continue;
        ss->b.series_id = series_id;
        enum db_status rc = DB_OK;
        if (!in->strict)
            rc = db_command_status(s, "SAVEPOINT occurrence");
        enum booking_outcome bo = BOOKING_BOOKED;
        if (rc == DB_OK)
            rc = store_booking_insert(s, &ss->b, &bo);
        if (rc != DB_OK)
            return rc;
        if (bo == BOOKING_TAKEN && in->strict) {
            *outcome = SERIES_TAKEN;
            return DB_CONFLICT; /* roll back */
        }
        if (bo == BOOKING_TAKEN)
            rc = db_command_status(s, "ROLLBACK TO SAVEPOINT occurrence");
        if (rc != DB_OK)
            return rc;
        ss->booked = bo == BOOKING_BOOKED;
        booked += ss->booked;
    }
    if (booked == 0) {
        /* every date was taken meanwhile: no series, no "confirmed" mail */
        *outcome = SERIES_NONE;
        return DB_CONFLICT;
    }
    return DB_OK;
}

/* The answer made, the mail, the key's answer and the audit row. */
static enum db_status series_finish(struct db_session *s, struct series_new *in,
                                    struct series_result *out)
{
    struct series_answer a = {0};
    in->answer(in->answer_arg, out->id, &a);
    out->answer = a.answer;
    const char *nv[] = {in->clinic_id, out->id, in->email, a.payload ? a.payload : "{}"};
    enum db_status rc = db_run(s, &st_series_notify, nv);
    free(a.payload);
    if (rc == DB_OK && in->nunbookable)
        rc = store_plan_record_unbookable(s, out->id, in->unbookable, *in->nunbookable);
    if (rc == DB_OK && in->every_weeks > 0)
        rc = store_plan_set_cadence(s, out->id, in->every_weeks);
    if (rc == DB_OK && in->idem_key) {
        const char *v[] = {"series", in->idem_key, in->idem_hash_hex, "201", a.sealed_hex};
        PGresult *res;
        rc = db_query(s, &st_idem_put, v, &res);
        /* recorded by another request meanwhile: run again, which finds its record */
        if (rc == DB_OK && PQgetvalue(res, 0, 0)[0] != 't')
            rc = DB_RETRY;
        PQclear(res);
    }
    free(a.sealed_hex);
    if (rc != DB_OK)
        return rc;
    json_t *ids = json_array();
    for (int i = 0; i < in->n; i++)
        if (in->sessions[i].booked)
            json_array_append_new(ids, json_string(in->sessions[i].b.id));
    /* last before the commit: the plan's audit row names every booking it made */
    struct booking_actor patient = {"patient", NULL, NULL, NULL};
    return audit_row(s, &patient, in->clinic_id, "create_series", "booking_series", out->id,
                     in->request_id, json_pack("{s:o}", "bookings", ids));
}

struct series_run {
    struct series_new *in;
    struct series_result *out;
};

static enum db_status series_work(struct db_session *s, void *arg)
{
    struct series_new *in = ((struct series_run *)arg)->in;
    struct series_result *out = ((struct series_run *)arg)->out;
    free(out->answer);
    out->answer = NULL;
    out->outcome = SERIES_CREATED;
    struct lock_keys k;
    lock_keys_init(&k, "series", in->idem_key, in->clinic_id, in->email, in->practitioner_id);
    enum db_status rc = lock(s, &k);
    if (rc == DB_OK && in->idem_key) {
        idem_record_release(&out->replay);
        rc = store_idem_get(s, "series", in->idem_key, &out->replay);
        if (rc == DB_OK)
            out->outcome = SERIES_REPLAY;
        if (rc == DB_OK || rc != DB_NOT_FOUND)
            return rc == DB_OK ? DB_CONFLICT : rc; /* nothing to write */
        rc = DB_OK;
    }
    const char *cv[] = {in->clinic_id, in->email};
    PGresult *res = NULL;
    if (rc == DB_OK)
        rc = db_query(s, &st_open_count, cv, &res);
    if (rc != DB_OK)
        return rc;
    long open = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    long to_book = 0;
    for (int i = 0; i < in->n; i++)
        to_book += in->sessions[i].planned;
    if (open + to_book > in->max_open) {
        out->outcome = SERIES_LIMIT;
        return DB_CONFLICT;
    }
    const char *sv[] = {in->clinic_id, in->practitioner_id, in->service_id, in->rrule, in->mode,
                        in->token_hash};
    rc = db_query(s, &st_series_insert, sv, &res);
    if (rc != DB_OK)
        return rc;
    snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    rc = series_sessions(s, in, out->id, &out->outcome);
    return rc == DB_OK ? series_finish(s, in, out) : rc;
}

enum db_status store_series_create(struct db_session *s, struct series_new *in,
                                   struct series_result *out)
{
    memset(out, 0, sizeof(*out));
    struct series_run run = {in, out};
    enum db_status rc = db_tx(s, series_work, &run);
    if (rc == DB_CONFLICT && out->outcome != SERIES_CREATED)
        rc = DB_OK;
    if (rc != DB_OK || out->outcome != SERIES_CREATED) {
        free(out->answer);
        out->answer = NULL;
    }
    return rc;
}

/* --- the waitlist and Idempotency-Key records ------------------------------------------ */

enum db_status store_waitlist_join(struct db_session *s, const struct waitlist_new *w,
                                   bool *limited, char *id)
{
    char f[24], t[24], lock_key[BOOKING_CONTACT_LOCK_MAX], max_waiting[16];
    epoch_text(w->from, f, sizeof(f));
    epoch_text(w->to, t, sizeof(t));
    booking_contact_lock(w->clinic_id, w->email, lock_key, sizeof(lock_key));
    snprintf(max_waiting, sizeof(max_waiting), "%d", w->max_waiting);
    const char *v[] = {lock_key, max_waiting, w->clinic_id, w->practitioner_id, w->service_id, f,
                       t, w->name, w->email, w->phone, w->token_hash, w->request_id};
    PGresult *res;
    enum db_status rc = db_query(s, &st_waitlist_join, v, &res);
    if (rc != DB_OK)
        return rc;
    *limited = strcmp(PQgetvalue(res, 0, 0), "limit") == 0;
    snprintf(id, 40, "%s", *limited ? "" : PQgetvalue(res, 0, 1));
    PQclear(res);
    return DB_OK;
}

enum db_status store_idem_get(struct db_session *s, const char *scope, const char *key,
                              struct idem_record *out)
{
    memset(out, 0, sizeof(*out));
    const char *v[] = {scope, key};
    PGresult *res;
    enum db_status rc = db_query_one(s, &st_idem_get, v, &res);
    if (rc == DB_OK)
        idem_record_from(out, res, 0);
    PQclear(res);
    return rc;
}
