/* The directory's reference lists: professions, techniques (with aliases), conditions.
 * They are short and fixed by migrations: one page, next_cursor always null. */
#include "directory/handlers.h"

#include "api/common.h"

DB_STMT(st_professions,
        "SELECT json_build_object('items', coalesce(json_agg(json_build_object('slug', slug,"
        " 'name', name) ORDER BY name), '[]'), 'next_cursor', NULL) FROM professions",
        0);
DB_STMT(st_techniques,
        "SELECT json_build_object('items', coalesce(json_agg(json_build_object('slug', t.slug,"
        " 'name', t.name, 'aliases', coalesce((SELECT json_agg(a.alias::text ORDER BY a.alias)"
        " FROM technique_aliases a WHERE a.technique_id = t.id), '[]'))"
        " ORDER BY t.sort_order, t.name), '[]'), 'next_cursor', NULL) FROM techniques t",
        0);
DB_STMT(st_conditions,
        "SELECT json_build_object('items', coalesce(json_agg(json_build_object('slug', c.slug,"
        " 'name', c.name, 'aliases', coalesce((SELECT json_agg(a.alias::text ORDER BY a.alias)"
        " FROM condition_aliases a WHERE a.condition_id = c.id), '[]')) ORDER BY c.name), '[]'),"
        " 'next_cursor', NULL) FROM conditions c",
        0);

static void reply_list(struct req *r, struct db_stmt *st)
{
    PGresult *res = api_query(r, st, NULL);
    if (!res)
        return;
    reply_db_json(r, res);
    PQclear(res);
}

void directory_professions(struct req *r)
{
    reply_list(r, &st_professions);
}

void directory_techniques(struct req *r)
{
    reply_list(r, &st_techniques);
}

void directory_conditions(struct req *r)
{
    reply_list(r, &st_conditions);
}
