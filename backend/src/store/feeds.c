/* Calendar feed tokens and the bookings their feeds show (store/feeds.h). */
#include "store/feeds.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/hours.h"

/* The audit row of a feed's change, the same row audit() (staff/auth.c) writes, in
 * the statement that makes the change: $5 actor type  $6 actor id  $7 e-mail  $8 role
 * $9 request id; clinic and feed are expressions of the statement. */
#define FEED_AUDIT(clinic, action, feed)                                                    \
    " INSERT INTO audit_log (actor_type, actor_id, actor_email, role, clinic_id, action,"   \
    " resource_type, resource_id, patient_data, request_id, outcome, detail)"              \
    " SELECT $5::text, $6::uuid, $7::citext, $8::text, " clinic ", '" action "',"          \
    " 'calendar_feed', " feed ", false, $9::text, 'success', NULL"

/* $1 clinic  $2 practitioner  $3 token hash  $4 created by */
DB_STMT(st_feed_new,
        "WITH f AS (INSERT INTO calendar_feeds (clinic_id, practitioner_id, token_hash, created_by)"
        " SELECT p.clinic_id, p.id, $3::bytea, $4::uuid FROM practitioners p"
        " WHERE p.id = $2::uuid AND p.clinic_id = $1::uuid"
        " RETURNING id, created_at),"
        " a AS (" FEED_AUDIT("$1::uuid", "create_calendar_feed", "f.id::text") " FROM f)"
        " SELECT id, to_json(created_at) #>> '{}' FROM f",
        9);
DB_STMT(st_feed_list,
        "SELECT json_build_object('items', coalesce(json_agg(json_build_object('id', id,"
        " 'created_at', created_at, 'revoked_at', revoked_at) ORDER BY created_at), '[]'),"
        " 'next_cursor', NULL)::text FROM calendar_feeds"
        " WHERE practitioner_id = $1::uuid AND clinic_id = $2::uuid",
        2);
/* $1 clinic  $2 practitioner  $3 feed */
DB_STMT(st_feed_revoke,
        "WITH f AS (UPDATE calendar_feeds SET revoked_at = now() WHERE id = $3::uuid"
        " AND practitioner_id = $2::uuid AND clinic_id = $1::uuid AND revoked_at IS NULL"
        " RETURNING id),"
        " a AS (" FEED_AUDIT("$1::uuid", "revoke_calendar_feed", "$4::text") " FROM f)"
        " SELECT id FROM f",
        9);
/* The feed's practitioner and bookings; the token must be live. */
DB_STMT(st_feed_events,
        "SELECT f.id, f.clinic_id, l.timezone, b.id, extract(epoch FROM lower(b.during))::bigint,"
        " extract(epoch FROM upper(b.during))::bigint, s.name, b.patient_name, l.name, b.status,"
        " b.reschedule_count, p.name"
        " FROM calendar_feeds f JOIN practitioners p ON p.id = f.practitioner_id"
        " LEFT JOIN bookings b ON b.practitioner_id = f.practitioner_id AND b.status <> 'cancelled'"
        "   AND b.during && tstzrange(now() - interval '30 days', now() + interval '366 days')"
        " LEFT JOIN services s ON s.id = b.service_id"
        " LEFT JOIN locations l ON l.id = coalesce(b.location_id, (SELECT pl.location_id"
        "   FROM practitioner_locations pl WHERE pl.practitioner_id = p.id"
        "   ORDER BY pl.location_id LIMIT 1))"
        " WHERE f.token_hash = $1::bytea AND f.practitioner_id = $2::uuid AND f.revoked_at IS NULL"
        " ORDER BY lower(b.during)",
        2);

enum db_status store_feeds_practitioner_here(struct db_session *s, const char *practitioner_id,
                                             const char *clinic_id)
{
    return store_practitioner_in_clinic(s, practitioner_id, clinic_id);
}

enum db_status store_feeds_create(struct db_session *s, const char *clinic_id,
                                  const char *practitioner_id, const char *token_hash,
                                  const char *created_by, const struct feeds_actor *actor,
                                  struct feed_new *out)
{
    const char *v[] = {clinic_id,   practitioner_id, token_hash,  created_by,        actor->type,
                       actor->id,   actor->email,    actor->role, actor->request_id};
    PGresult *res;
    enum db_status rc = db_query_one(s, &st_feed_new, v, &res);
    if (rc == DB_OK) {
        snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 0));
        snprintf(out->created_at, sizeof(out->created_at), "%s", PQgetvalue(res, 0, 1));
        PQclear(res);
    }
    return rc;
}

const struct store_read store_feeds_list = {&st_feed_list};

enum db_status store_feeds_revoke(struct db_session *s, const char *feed_id,
                                  const char *practitioner_id, const char *clinic_id,
                                  const struct feeds_actor *actor)
{
    /* $4 is the feed id again, as the audit row's text */
    const char *v[] = {clinic_id,   practitioner_id, feed_id,     feed_id,          actor->type,
                       actor->id,   actor->email,    actor->role, actor->request_id};
    return db_query_one(s, &st_feed_revoke, v, NULL);
}

enum db_status store_feeds_events(struct db_session *s, const char *token_hash,
                                  const char *practitioner_id, struct feed_head *head,
                                  feed_event_fn each, void *ctx)
{
    const char *v[] = {token_hash, practitioner_id};
    PGresult *res;
    enum db_status rc = db_query(s, &st_feed_events, v, &res);
    if (rc == DB_OK && PQntuples(res) < 1)
        rc = DB_NOT_FOUND; /* no live feed by that token (a live one has a row, bookings or not) */
    if (rc == DB_OK) {
        snprintf(head->feed_id, sizeof(head->feed_id), "%s", PQgetvalue(res, 0, 0));
        snprintf(head->clinic_id, sizeof(head->clinic_id), "%s", PQgetvalue(res, 0, 1));
        snprintf(head->timezone, sizeof(head->timezone), "%s", PQgetvalue(res, 0, 2));
        snprintf(head->practitioner, sizeof(head->practitioner), "%s", PQgetvalue(res, 0, 11));
        for (int i = 0; i < PQntuples(res); i++) {
            if (PQgetisnull(res, i, 3))
                continue; /* a feed with no bookings yet */
            struct feed_event ev = {PQgetvalue(res, i, 3),
                                    strtoll(PQgetvalue(res, i, 4), NULL, 10),
                                    strtoll(PQgetvalue(res, i, 5), NULL, 10),
                                    PQgetvalue(res, i, 6),
                                    PQgetvalue(res, i, 7),
                                    PQgetvalue(res, i, 8),
                                    (int)strtol(PQgetvalue(res, i, 10), NULL, 10)};
            each(ctx, head, &ev);
        }
    }
    PQclear(res);
    return rc;
}
