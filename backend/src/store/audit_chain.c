/* `clinicd audit`'s statements, on the command's own connection. */
#include "store/audit_chain.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/alloc.h"

static const char *const BREAKS_SQL =
    "WITH c AS ("
    "  SELECT a.clinic_id, a.id,"
    "   a.hash IS DISTINCT FROM audit_log_hash(a.prev_hash, audit_log_canonical(a)) AS bad_content,"
    "   a.prev_hash IS DISTINCT FROM coalesce(lag(a.hash) OVER w, decode(repeat('00', 32), 'hex'))"
    "     AS bad_link"
    "  FROM audit_log a WHERE $1::uuid IS NULL OR audit_chain_of(a.clinic_id) = $1::uuid"
    "  WINDOW w AS (PARTITION BY a.clinic_id ORDER BY a.id))"
    " SELECT DISTINCT ON (clinic_id) coalesce(clinic_id::text, 'none'), id, bad_link"
    " FROM c WHERE bad_content OR bad_link ORDER BY clinic_id, id";

static const char *const GAPS_SQL =
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

static const char *const COUNTS_SQL =
    "SELECT count(*), count(DISTINCT audit_chain_of(clinic_id)) FROM audit_log"
    " WHERE $1::uuid IS NULL OR audit_chain_of(clinic_id) = $1::uuid";

static const char *const ROW_HOLDS_SQL =
    "SELECT 1 FROM audit_log WHERE id = $2::bigint AND audit_chain_of(clinic_id) = $1::uuid"
    " AND hash = decode($3, 'hex')";

static const char *const HEADS_SQL =
    "SELECT CASE WHEN chain = '" AUDIT_NO_CLINIC "' THEN 'none' ELSE chain::text END,"
    " last_id, encode(last_hash, 'hex'), n, now()"
    " FROM audit_chain_heads WHERE n > 0 ORDER BY 1";

#define COPY(dst, res, row, col) snprintf((dst), sizeof(dst), "%s", PQgetvalue(res, row, col))

enum db_status store_audit_chain_snapshot(struct db_direct *d)
{
    return db_direct_exec(d, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, NULL);
}

enum db_status store_audit_chain_end(struct db_direct *d)
{
    return db_direct_exec(d, "COMMIT", 0, NULL, NULL);
}

enum db_status store_audit_chain_breaks(struct db_direct *d, const char *chain,
                                        struct audit_breaks *out)
{
    const char *v[] = {chain};
    PGresult *res;
    *out = (struct audit_breaks){0};
    enum db_status st = db_direct_exec(d, BREAKS_SQL, 1, v, &res);
    if (st != DB_OK)
        return st;
    out->n = PQntuples(res);
    out->rows = xcalloc((size_t)out->n + 1, sizeof(*out->rows));
    for (int i = 0; i < out->n; i++) {
        COPY(out->rows[i].chain, res, i, 0);
        COPY(out->rows[i].id, res, i, 1);
        out->rows[i].bad_link = PQgetvalue(res, i, 2)[0] == 't';
    }
    PQclear(res);
    return DB_OK;
}

enum db_status store_audit_chain_gaps(struct db_direct *d, const char *chain,
                                      struct audit_gaps *out)
{
    const char *v[] = {chain};
    PGresult *res;
    *out = (struct audit_gaps){0};
    enum db_status st = db_direct_exec(d, GAPS_SQL, 1, v, &res);
    if (st != DB_OK)
        return st;
    out->n = PQntuples(res);
    out->rows = xcalloc((size_t)out->n + 1, sizeof(*out->rows));
    for (int i = 0; i < out->n; i++) {
        struct audit_gap *g = &out->rows[i];
        COPY(g->chain, res, i, 0);
        COPY(g->log_last, res, i, 1);
        COPY(g->log_rows, res, i, 2);
        COPY(g->head_last, res, i, 3);
        COPY(g->head_rows, res, i, 4);
    }
    PQclear(res);
    return DB_OK;
}

enum db_status store_audit_chain_counts(struct db_direct *d, const char *chain,
                                        struct audit_counts *out)
{
    const char *v[] = {chain};
    PGresult *res;
    enum db_status st = db_direct_exec(d, COUNTS_SQL, 1, v, &res);
    if (st != DB_OK)
        return st;
    COPY(out->rows, res, 0, 0);
    COPY(out->chains, res, 0, 1);
    PQclear(res);
    return DB_OK;
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
    PGresult *res;
    *out = (struct audit_heads){0};
    enum db_status st = db_direct_exec(d, HEADS_SQL, 0, NULL, &res);
    if (st != DB_OK)
        return st;
    out->n = PQntuples(res);
    out->rows = xcalloc((size_t)out->n + 1, sizeof(*out->rows));
    if (out->n > 0)
        COPY(out->at, res, 0, 4);
    for (int i = 0; i < out->n; i++) {
        struct audit_head *h = &out->rows[i];
        COPY(h->chain, res, i, 0);
        COPY(h->last_id, res, i, 1);
        COPY(h->hash, res, i, 2);
        COPY(h->rows, res, i, 3);
    }
    PQclear(res);
    return DB_OK;
}
