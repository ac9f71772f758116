/* `clinicd audit verify` recomputes every hash chain of the audit log and names the
 * first row of each chain that does not match; `clinicd audit heads` prints each
 * chain's last row and hash, to be kept somewhere the database's owner cannot reach,
 * and `verify --heads FILE` checks that those rows are still there, unchanged.
 *
 * The canonical text of a row and its hash are computed by the SQL functions
 * audit_log_canonical() and audit_log_hash() (migration 0014), the same ones the
 * insert trigger uses, so the two cannot drift apart. */
#include "cli/audit.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"

#define NIL_UUID "00000000-0000-0000-0000-000000000000"

static void usage(void)
{
    fputs("usage:\n"
          "  clinicd audit verify [--clinic ID|none] [--heads FILE]\n"
          "      recompute every hash chain of the audit log (one per clinic, and one for\n"
          "      rows without a clinic); exit 1 naming the first row of each chain that\n"
          "      does not match, 0 when all hold.  --heads also checks the rows a former\n"
          "      `clinicd audit heads` printed.\n"
          "  clinicd audit heads\n"
          "      print each chain's last row (clinic, id, hash, rows): keep it elsewhere\n",
          stderr);
}

static PGresult *run(PGconn *pg, const char *sql, int n, const char *const *v)
{
    PGresult *res = PQexecParams(pg, sql, n, NULL, v, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        fprintf(stderr, "clinicd audit: %s", PQresultErrorMessage(res));
        PQclear(res);
        return NULL;
    }
    return res;
}

/* Each chain's first row whose hash is not the hash of its own content after the hash
 * of the row before it.  $1: one chain (a clinic, or the nil uuid), or NULL for all. */
static const char *const ROWS_SQL =
    "WITH c AS ("
    "  SELECT a.clinic_id, a.id,"
    "   a.hash IS DISTINCT FROM audit_log_hash(a.prev_hash, audit_log_canonical(a)) AS bad_content,"
    "   a.prev_hash IS DISTINCT FROM coalesce(lag(a.hash) OVER w, decode(repeat('00', 32), 'hex'))"
    "     AS bad_link"
    "  FROM audit_log a WHERE $1::uuid IS NULL OR audit_chain_of(a.clinic_id) = $1::uuid"
    "  WINDOW w AS (PARTITION BY a.clinic_id ORDER BY a.id))"
    " SELECT DISTINCT ON (clinic_id) coalesce(clinic_id::text, 'none'), id, bad_link"
    " FROM c WHERE bad_content OR bad_link ORDER BY clinic_id, id";

/* Chains whose head (the last row the trigger chained, and how many) is not the log's
 * last row: rows removed from the end, or a head without rows. */
static const char *const HEADS_SQL =
    "WITH t AS (SELECT audit_chain_of(clinic_id) AS chain, max(id) AS last_id, count(*) AS n"
    "   FROM audit_log WHERE $1::uuid IS NULL OR audit_chain_of(clinic_id) = $1::uuid"
    "   GROUP BY 1),"
    " h AS (SELECT * FROM audit_chain_heads WHERE $1::uuid IS NULL OR chain = $1::uuid)"
    " SELECT CASE WHEN coalesce(h.chain, t.chain) = '" NIL_UUID "' THEN 'none'"
    "   ELSE coalesce(h.chain, t.chain)::text END,"
    "  coalesce(t.last_id, 0), coalesce(t.n, 0), coalesce(h.last_id, 0), coalesce(h.n, 0)"
    " FROM h FULL JOIN t ON t.chain = h.chain"
    " WHERE coalesce(t.last_id, 0) <> coalesce(h.last_id, 0) OR coalesce(t.n, 0) <> coalesce(h.n, 0)"
    "  OR (h.last_id > 0 AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.id = h.last_id"
    "      AND a.hash = h.last_hash AND audit_chain_of(a.clinic_id) = h.chain))"
    " ORDER BY 1";

static const char *const COUNT_SQL =
    "SELECT count(*), count(DISTINCT audit_chain_of(clinic_id)) FROM audit_log"
    " WHERE $1::uuid IS NULL OR audit_chain_of(clinic_id) = $1::uuid";

/* One exported row still in its chain with the same hash? */
static const char *const EXPORTED_SQL =
    "SELECT 1 FROM audit_log WHERE id = $2::bigint AND audit_chain_of(clinic_id) = $1::uuid"
    " AND hash = decode($3, 'hex')";

/* Checks each line "CLINIC|none ID HASH [N]" of a file `clinicd audit heads` wrote;
 * returns how many no longer hold, or -1 on an error. */
static long check_exported(PGconn *pg, const char *path, const char *only)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "clinicd audit: cannot read %s\n", path);
        return -1;
    }
    char line[512];
    long bad = 0, lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        char chain[64], id[32], hash[80];
        if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
            continue;
        long idv;
        if (sscanf(line, "%63s %31s %79s", chain, id, hash) != 3 ||
            (strcmp(chain, "none") != 0 && !is_uuid(chain)) ||
            parse_long(id, 1, 9223372036854775807L, &idv) != 0 || strlen(hash) != 64 ||
            strspn(hash, "0123456789abcdef") != 64) {
            fprintf(stderr, "clinicd audit: %s:%ld: not a line of `clinicd audit heads`\n", path,
                    lineno);
            fclose(f);
            return -1;
        }
        const char *key = strcmp(chain, "none") == 0 ? NIL_UUID : chain;
        if (only && strcmp(only, key) != 0)
            continue;
        const char *v[] = {key, id, hash};
        PGresult *res = run(pg, EXPORTED_SQL, 3, v);
        if (!res) {
            fclose(f);
            return -1;
        }
        if (PQntuples(res) == 0) {
            printf("clinic %s: row %s: not in the log with the hash exported in %s "
                   "(the chain was rewritten or cut)\n",
                   chain, id, path);
            bad++;
        }
        PQclear(res);
    }
    fclose(f);
    return bad;
}

static int verify(PGconn *pg, int argc, char **argv)
{
    const char *clinic = arg_value(argc, argv, "--clinic");
    const char *heads = arg_value(argc, argv, "--heads");
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--clinic") == 0 || strcmp(argv[i], "--heads") == 0) && i + 1 < argc) {
            i++;
            continue;
        }
        usage();
        return 2;
    }
    if (clinic && strcmp(clinic, "none") == 0)
        clinic = NIL_UUID;
    else if (clinic && !is_uuid(clinic)) {
        fprintf(stderr, "clinicd audit: --clinic takes a clinic id, or none\n");
        return 2;
    }
    /* one snapshot for every query: rows and heads are written in the same transaction */
    PGresult *res = run(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL);
    if (!res)
        return 2;
    PQclear(res);
    const char *v[] = {clinic};
    long broken = 0;
    res = run(pg, ROWS_SQL, 1, v);
    if (!res)
        return 2;
    for (int i = 0; i < PQntuples(res); i++, broken++)
        printf("clinic %s: row %s: %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
               strcmp(PQgetvalue(res, i, 2), "t") == 0
                   ? "does not follow the row before it in the chain (a row before it was "
                     "removed, or changed and hashed again)"
                   : "its content does not match its hash (changed after it was written)");
    PQclear(res);
    res = run(pg, HEADS_SQL, 1, v);
    if (!res)
        return 2;
    for (int i = 0; i < PQntuples(res); i++, broken++)
        printf("clinic %s: row %s: the chain's head ends at row %s (rows: %s) but the log at "
               "row %s (rows: %s): rows were removed from the end, or added around the "
               "trigger\n",
               PQgetvalue(res, i, 0), PQgetvalue(res, i, 3), PQgetvalue(res, i, 3),
               PQgetvalue(res, i, 4), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
    PQclear(res);
    if (heads) {
        long bad = check_exported(pg, heads, clinic);
        if (bad < 0)
            return 2;
        broken += bad;
    }
    res = run(pg, COUNT_SQL, 1, v);
    if (!res)
        return 2;
    if (broken) {
        fprintf(stderr, "clinicd audit verify: %ld problem%s (rows: %s, chains: %s)\n", broken,
                broken == 1 ? "" : "s", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
    } else {
        printf("audit log holds: %s rows in %s chains verified\n", PQgetvalue(res, 0, 0),
               PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    PQclear(run(pg, "COMMIT", 0, NULL));
    return broken ? 1 : 0;
}

static int print_heads(PGconn *pg, int argc)
{
    if (argc != 1) {
        usage();
        return 2;
    }
    PGresult *res = run(pg,
                        "SELECT CASE WHEN chain = '" NIL_UUID "' THEN 'none' ELSE chain::text END,"
                        " last_id, encode(last_hash, 'hex'), n, now()"
                        " FROM audit_chain_heads WHERE n > 0 ORDER BY 1",
                        0, NULL);
    if (!res)
        return 2;
    printf("# clinicd audit heads: clinic, last row id, its hash, rows in the chain\n");
    if (PQntuples(res) > 0)
        printf("# at %s\n", PQgetvalue(res, 0, 4));
    for (int i = 0; i < PQntuples(res); i++)
        printf("%s %s %s %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
               PQgetvalue(res, i, 2), PQgetvalue(res, i, 3));
    PQclear(res);
    return 0;
}

int audit_cli(int argc, char **argv, const char *conninfo)
{
    if (argc < 2 || (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "heads") != 0)) {
        usage();
        return 2;
    }
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "clinicd audit: cannot connect: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return 2;
    }
    int rc = strcmp(argv[1], "verify") == 0 ? verify(pg, argc - 1, argv + 1)
                                            : print_heads(pg, argc - 1);
    PQfinish(pg);
    return rc;
}
