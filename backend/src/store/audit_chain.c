/* `clinicd audit`'s statements, on the command's own connection. */
#include "store/audit_chain.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/alloc.h"

static const char BREAKS_SQL[] =
    "WITH c AS ("
    "  SELECT a.clinic_id, a.id,"
    "   a.hash IS DISTINCT FROM audit_log_hash(a.prev_hash, audit_log_canonical(a)) AS bad_content,"
    "   a.prev_hash IS DISTINCT FROM coalesce(lag(a.hash) OVER w, decode(repeat('00', 32), 'hex'))"
    "     AS bad_link"
    "  FROM audit_log a WHERE $1::uuid IS NULL OR audit_chain_of(a.clinic_id) = $1::uuid"
    "  WINDOW w AS (PARTITION BY a.clinic_id ORDER BY a.id))"
    " SELECT DISTINCT ON (clinic_id) coalesce(clinic_id::text, 'none'), id, bad_link"
    " FROM c WHERE bad_content OR bad_link ORDER BY clinic_id, id";

static const char GAPS_SQL[] =
    "WITH t AS (SELECT audit_chain_of(clinic_id) AS chain, max(id) AS last_id, count(*) AS n"
    "   FROM audit_log WHERE $1::uuid IS NULL OR audit_chain_of(clinic_id) = $1::uuid"
    "   GROUP BY 1),"
    " h AS (SELECT * FROM audit_chain_heads WHERE $1::uuid IS NULL OR chain = $1::uuid)"
    " SELECT CASE WHEN coalesce(h.chain, t.chain) = '" AUDIT_NO_CLINIC "' THEN 'none'"
    "   ELSE coalesce(h.chain, t.chain)::text END,"
    "  coalesce(t.last_id, 0), coalesce(t.n, 0), coalesce(h.last_id, 0), coalesce(h.n, 0)"
    " FROM h FULL JOIN t ON t.chain = h.chain"
    " WHERE coalesce(t.last_id, 0) <> coalesce(h.last_id, 0) OR coalesce(t.n, 0) <> coalesce(h.n, 0)"
    "  OR (h.last_id > 0 AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.id = h.last_id"
    "      AND a.hash = h.last_hash AND audit_chain_of(a.clinic_id) = h.chain))"
    " ORDER BY 1";

static const char COUNTS_SQL[] =
    "SELECT count(*), count(DISTINCT audit_chain_of(clinic_id)) FROM audit_log"
    " WHERE $1::uuid IS NULL OR audit_chain_of(clinic_id) = $1::uuid";

static const char *const ROW_HOLDS_SQL =
    "SELECT 1 FROM audit_log WHERE id = $2::bigint AND audit_chain_of(clinic_id) = $1::uuid"
    " AND hash = decode($3, 'hex')";

static const char HEADS_SQL[] =
    "SELECT CASE WHEN chain = '" AUDIT_NO_CLINIC "' THEN 'none' ELSE chain::text END,"
    " last_id, encode(last_hash, 'hex'), n, now()"
    " FROM audit_chain_heads WHERE n > 0 ORDER BY 1";

enum db_status store_audit_chain_snapshot(struct db_direct *d)
{
    return db_direct_exec(d, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, NULL);
}

enum db_status store_audit_chain_end(struct db_direct *d)
{
    return db_direct_exec(d, "COMMIT", 0, NULL, NULL);
}

/* Where a text column goes in a row: the char array of size bytes at offset. */
struct text_column {
    size_t offset, size;
};
#define TEXT_COLUMN(type, field) {offsetof(type, field), sizeof(((type *)0)->field)}
#define NCOLUMNS(a) (sizeof(a) / sizeof((a)[0]))

static const struct text_column break_columns[] = {
    TEXT_COLUMN(struct audit_break, chain), TEXT_COLUMN(struct audit_break, id),
};
static const struct text_column gap_columns[] = {
    TEXT_COLUMN(struct audit_gap, chain),     TEXT_COLUMN(struct audit_gap, log_last),
    TEXT_COLUMN(struct audit_gap, log_rows),  TEXT_COLUMN(struct audit_gap, head_last),
    TEXT_COLUMN(struct audit_gap, head_rows),
};
static const struct text_column count_columns[] = {
    TEXT_COLUMN(struct audit_counts, rows), TEXT_COLUMN(struct audit_counts, chains),
};
static const struct text_column head_columns[] = {
    TEXT_COLUMN(struct audit_head, chain), TEXT_COLUMN(struct audit_head, last_id),
    TEXT_COLUMN(struct audit_head, hash),  TEXT_COLUMN(struct audit_head, rows),
};

/* A statement read as rows of size bytes: the text of its columns 0..ncolumns-1 into
 * columns[] of each row (further columns are the caller's). */
struct text_query {
    const char *sql;
    bool by_chain; /* it takes the chain (NULL: every chain) as $1 */
    size_t size;
    const struct text_column *columns;
    size_t ncolumns;
};

static const struct text_query breaks_query = {BREAKS_SQL, true, sizeof(struct audit_break),
                                               break_columns, NCOLUMNS(break_columns)};
static const struct text_query gaps_query = {GAPS_SQL, true, sizeof(struct audit_gap),
                                             gap_columns, NCOLUMNS(gap_columns)};
static const struct text_query counts_query = {COUNTS_SQL, true, sizeof(struct audit_counts),
                                               count_columns, NCOLUMNS(count_columns)};
static const struct text_query heads_query = {HEADS_SQL, false, sizeof(struct audit_head),
                                              head_columns, NCOLUMNS(head_columns)};

/* What read_text_rows read: n + 1 zeroed rows, malloc'd (the caller frees them; NULL
 * unless DB_OK). */
struct text_rows {
    void *rows;
    int n;
};

/* Runs q (with chain as $1 when it takes one) and reads its rows into t.  *keep (when
 * keep is not NULL): the result, for its further columns (the caller PQclear()s it). */
static enum db_status read_text_rows(struct db_direct *d, const struct text_query *q,
                                     const char *chain, struct text_rows *t, PGresult **keep)
{
    const char *v[] = {chain};
    PGresult *res;
    enum db_status st = db_direct_exec(d, q->sql, q->by_chain ? 1 : 0, v, &res);
    t->n = st == DB_OK ? PQntuples(res) : 0;
    t->rows = st == DB_OK ? xcalloc((size_t)t->n + 1, q->size) : NULL;
    for (int i = 0; i < t->n; i++) {
        char *row = (char *)t->rows + (size_t)i * q->size;
        for (size_t k = 0; k < q->ncolumns; k++)
            snprintf(row + q->columns[k].offset, q->columns[k].size, "%s",
                     PQgetvalue(res, i, (int)k));
    }
    if (keep)
        *keep = res;
    else
        PQclear(res);
    return st;
}

enum db_status store_audit_chain_breaks(struct db_direct *d, const char *chain,
                                        struct audit_breaks *out)
{
    struct text_rows t;
    PGresult *res;
    enum db_status st = read_text_rows(d, &breaks_query, chain, &t, &res);
    *out = (struct audit_breaks){.rows = t.rows, .n = t.n};
    for (int i = 0; i < out->n; i++)
        out->rows[i].bad_link = PQgetvalue(res, i, 2)[0] == 't';
    PQclear(res);
    return st;
}

enum db_status store_audit_chain_gaps(struct db_direct *d, const char *chain,
                                      struct audit_gaps *out)
{
    struct text_rows t;
    enum db_status st = read_text_rows(d, &gaps_query, chain, &t, NULL);
    *out = (struct audit_gaps){.rows = t.rows, .n = t.n};
    return st;
}

enum db_status store_audit_chain_counts(struct db_direct *d, const char *chain,
                                        struct audit_counts *out)
{
    struct text_rows t;
    enum db_status st = read_text_rows(d, &counts_query, chain, &t, NULL);
    if (st == DB_OK)
        *out = *(struct audit_counts *)t.rows; /* its one row */
    free(t.rows);
    return st;
}

enum db_status store_audit_chain_row_holds(struct db_direct *d, const char *chain,
                                           const char *id, const char *hash_hex, bool *holds)
{
    const char *v[] = {chain, id, hash_hex};
    PGresult *res;
    enum db_status st = db_direct_exec(d, ROW_HOLDS_SQL, 3, v, &res);
    *holds = st == DB_OK && PQntuples(res) > 0;
    PQclear(res);
    return st;
}

enum db_status store_audit_chain_heads(struct db_direct *d, struct audit_heads *out)
{
    struct text_rows t;
    PGresult *res;
    enum db_status st = read_text_rows(d, &heads_query, NULL, &t, &res);
    *out = (struct audit_heads){.rows = t.rows, .n = t.n};
    if (out->n > 0)
        snprintf(out->at, sizeof(out->at), "%s", PQgetvalue(res, 0, 4));
    PQclear(res);
    return st;
}
