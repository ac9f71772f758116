/* A practitioner's weekly hours in the database. */
#include "store/hours.h"

#include <stdio.h>
#include <stdlib.h>

DB_STMT(st_pract_in_clinic,
        "SELECT 1 FROM practitioners WHERE id = $1::uuid AND clinic_id = $2::uuid", 2);

enum db_status store_practitioner_in_clinic(struct db_session *s, const char *practitioner_id,
                                            const char *clinic_id)
{
    return db_query_one2(s, &st_pract_in_clinic, practitioner_id, clinic_id);
}

DB_STMT(st_hours_list,
        "SELECT json_build_object('items', coalesce(json_agg(json_build_object('id', h.id,"
        " 'weekday', h.weekday, 'start_time', to_char(h.start_time, 'HH24:MI'),"
        " 'end_time', to_char(h.end_time, 'HH24:MI'), 'location_id', h.location_id,"
        " 'valid_from', h.valid_from, 'valid_to', h.valid_to)"
        " ORDER BY h.weekday, h.start_time, h.id), '[]'), 'next_cursor', NULL)::text"
        " FROM weekly_hours h WHERE h.practitioner_id = $1::uuid",
        1);

const struct store_read store_hours_list = {&st_hours_list};

/* The rules as numbers: minutes of the day and days since the epoch (NULL when open). */
DB_STMT(st_hours_rules,
        "SELECT h.weekday, extract(hour FROM h.start_time)::int * 60"
        " + extract(minute FROM h.start_time)::int,"
        " extract(hour FROM h.end_time)::int * 60 + extract(minute FROM h.end_time)::int,"
        " h.valid_from - date '1970-01-01', h.valid_to - date '1970-01-01'"
        " FROM weekly_hours h WHERE h.practitioner_id = $1::uuid"
        " ORDER BY h.weekday, h.start_time, h.id",
        1);

/* Where the rules go (store_hours_rules). */
struct rules_out {
    struct week_rule *out;
    size_t max, *n;
};

/* One st_hours_rules row into the next rule (db_row_fn); stops when they are full. */
static bool rule_row(void *ctx, const PGresult *res, int i, int rows)
{
    (void)rows;
    struct rules_out *o = ctx;
    if (*o->n >= o->max)
        return false;
    struct week_rule *w = &o->out[(*o->n)++];
    w->weekday = (int)strtol(PQgetvalue(res, i, 0), NULL, 10);
    w->start_min = (int)strtol(PQgetvalue(res, i, 1), NULL, 10);
    w->end_min = (int)strtol(PQgetvalue(res, i, 2), NULL, 10);
    w->from_day = PQgetisnull(res, i, 3) ? WEEK_RULE_OPEN_FROM
                                         : strtoll(PQgetvalue(res, i, 3), NULL, 10);
    w->to_day = PQgetisnull(res, i, 4) ? WEEK_RULE_OPEN_TO
                                       : strtoll(PQgetvalue(res, i, 4), NULL, 10);
    return true;
}

enum db_status store_hours_rules(struct db_session *s, const char *practitioner_id,
                                 struct week_rule *out, size_t max, size_t *n)
{
    const char *v[] = {practitioner_id};
    struct rules_out o = {out, max, n};
    *n = 0;
    return db_query_each(s, &st_hours_rules, v, rule_row, &o, NULL);
}

DB_STMT(st_works_at,
        "SELECT 1 FROM practitioner_locations WHERE practitioner_id = $1::uuid"
        " AND location_id = $2::uuid",
        2);

enum db_status store_hours_works_at(struct db_session *s, const char *practitioner_id,
                                    const char *location_id, bool *works)
{
    const char *v[] = {practitioner_id, location_id};
    PGresult *res;
    enum db_status st = db_query(s, &st_works_at, v, &res);
    *works = st == DB_OK && PQntuples(res) > 0;
    PQclear(res);
    return st;
}

DB_STMT(st_hours_insert,
        "INSERT INTO weekly_hours (clinic_id, practitioner_id, location_id, weekday, start_time,"
        " end_time, valid_from, valid_to) VALUES ($1::uuid, $2::uuid, $3::uuid, $4::smallint,"
        " $5::time, $6::time, $7::date, $8::date) RETURNING id",
        8);

enum db_status store_hours_insert(struct db_session *s, const char *clinic_id,
                                  const char *practitioner_id, const struct hours_row *row,
                                  char *id_out)
{
    char wd[4];
    snprintf(wd, sizeof(wd), "%d", row->weekday);
    const char *v[] = {clinic_id,      practitioner_id, row->location_id, wd,
                       row->start_time, row->end_time,  row->valid_from,  row->valid_to};
    PGresult *res;
    enum db_status st = db_query(s, &st_hours_insert, v, &res);
    if (st == DB_OK && id_out)
        snprintf(id_out, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return st;
}

DB_STMT(st_hours_delete_all, "DELETE FROM weekly_hours WHERE practitioner_id = $1::uuid", 1);

enum db_status store_hours_delete_all(struct db_session *s, const char *practitioner_id)
{
    const char *v[] = {practitioner_id};
    return db_run(s, &st_hours_delete_all, v);
}

DB_STMT(st_hours_delete,
        "DELETE FROM weekly_hours WHERE id = $1::uuid AND practitioner_id = $2::uuid RETURNING id",
        2);

enum db_status store_hours_delete(struct db_session *s, const char *id,
                                  const char *practitioner_id)
{
    return db_query_one2(s, &st_hours_delete, id, practitioner_id);
}
