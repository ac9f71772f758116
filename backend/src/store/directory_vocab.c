/* The SQL of the directory's vocabulary (see directory_vocab.h). */
#include "store/directory_vocab.h"

#include <stdlib.h>

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

enum db_status store_directory_vocab_list(struct db_session *s, enum store_vocab_list which,
                                          char **json, size_t *len)
{
    struct db_stmt *st = which == STORE_PROFESSIONS  ? &st_professions
                         : which == STORE_TECHNIQUES ? &st_techniques
                                                     : &st_conditions;
    return db_query_text(s, st, NULL, json, len);
}

DB_STMT(st_vocab,
        "SELECT 'p', slug, id FROM professions UNION ALL SELECT 'p', name, id FROM professions"
        " UNION ALL SELECT 't', slug, id FROM techniques UNION ALL SELECT 't', name, id FROM techniques"
        " UNION ALL SELECT 't', alias::text, technique_id FROM technique_aliases"
        " UNION ALL SELECT 'c', slug, id FROM conditions UNION ALL SELECT 'c', name, id FROM conditions"
        " UNION ALL SELECT 'c', alias::text, condition_id FROM condition_aliases",
        0);

enum db_status store_directory_vocab_terms(struct db_session *s, store_term_fn fn, void *ctx)
{
    PGresult *res;
    enum db_status st = db_query(s, &st_vocab, NULL, &res);
    if (st != DB_OK)
        return st;
    size_t n = (size_t)PQntuples(res);
    for (size_t i = 0; i < n; i++)
        fn(PQgetvalue(res, (int)i, 0)[0], PQgetvalue(res, (int)i, 1),
           (int)strtol(PQgetvalue(res, (int)i, 2), NULL, 10), i, n, ctx);
    PQclear(res);
    return DB_OK;
}
