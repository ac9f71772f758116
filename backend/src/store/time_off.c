/* A practitioner's time off in the database. */
#include "store/time_off.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

DB_STMT(st_off_list,
        "SELECT json_build_object('items', coalesce(json_agg(json_build_object('id', t.id,"
        " 'start', lower(t.during), 'end', upper(t.during), 'reason', t.reason)"
        " ORDER BY lower(t.during)), '[]'), 'next_cursor', NULL)::text"
        " FROM time_off t WHERE t.practitioner_id = $1::uuid AND upper(t.during) > now() - interval '31 days'",
        1);

const struct store_read store_time_off_list = {&st_off_list};

DB_STMT(st_off_insert,
        "INSERT INTO time_off (clinic_id, practitioner_id, during, reason) VALUES ($1::uuid,"
        " $2::uuid, tstzrange(to_timestamp($3::bigint), to_timestamp($4::bigint)), $5)"
        " RETURNING json_build_object('id', id, 'start', lower(during), 'end', upper(during),"
        " 'reason', reason)::text, id",
        5);

enum db_status store_time_off_insert(struct db_session *s, const char *clinic_id,
                                     const char *practitioner_id, int64_t start, int64_t end,
                                     const char *reason, struct time_off_row *out)
{
    char s0[24], s1[24];
    snprintf(s0, sizeof(s0), "%lld", (long long)start);
    snprintf(s1, sizeof(s1), "%lld", (long long)end);
    const char *v[] = {clinic_id, practitioner_id, s0, s1, reason ? reason : ""};
    PGresult *res;
    memset(out, 0, sizeof(*out));
    enum db_status st = db_query(s, &st_off_insert, v, &res);
    if (st == DB_OK) {
        out->len = (size_t)PQgetlength(res, 0, 0);
        out->json = xmalloc(out->len + 1);
        memcpy(out->json, PQgetvalue(res, 0, 0), out->len + 1);
        snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return st;
}

DB_STMT(st_off_delete,
        "DELETE FROM time_off WHERE id = $1::uuid AND practitioner_id = $2::uuid RETURNING id", 2);

enum db_status store_time_off_delete(struct db_session *s, const char *id,
                                     const char *practitioner_id)
{
    return db_query_one2(s, &st_off_delete, id, practitioner_id);
}
