/* `clinicd import`: practitioners from a CSV file into a clinic, from the command line,
 * with the same checks as POST /api/v1/clinics/{id}/imports but no 64 KiB cap. */
#include "cli/import.h"

#include <ctype.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "staff/imports.h"
#include "util/buf.h"
#include "util/parse.h"

/* Far above what CSV_MAX_ROWS rows of CSV_MAX_FIELD_BYTES fields need in practice; it
 * only stops a wrong file (a database dump, say) from being read into memory whole. */
#define MAX_FILE_BYTES (256UL * 1024 * 1024)
#define BAR_WIDTH 30

static void usage(void)
{
    fputs("usage: clinicd import --clinic ID [--dry-run] FILE.csv\n"
          "Imports practitioners from FILE.csv (\"-\": standard input) into the clinic, all or\n"
          "nothing.  The header row names the columns, in any order: name, profession,\n"
          "credentials, bio, languages, accepting_new, home_visits, sliding_scale, techniques,\n"
          "conditions, location_ids, service_ids (lists separated by semicolons; locations\n"
          "and services by id or by name).  --dry-run checks the file and imports nothing.\n",
          stderr);
}

DB_STMT(st_clinic_name, "SELECT name FROM clinics WHERE id = $1::uuid", 1);
DB_STMT(st_begin, "BEGIN", 0);
DB_STMT(st_commit, "COMMIT", 0);
DB_STMT(st_audit_op,
        "INSERT INTO audit_log (actor_type, clinic_id, action, resource_type, resource_id,"
        " outcome, detail) VALUES ('operator', $1::uuid, 'import_practitioners', 'clinic', $1,"
        " 'success', $2::jsonb)",
        2);

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A progress bar on standard error, drawn only when it is a terminal. */
struct bar {
    bool tty;
    const char *label;
    int drawn; /* filled cells last drawn; -1 before the first */
};

static void bar_draw(void *ctx, size_t done, size_t total)
{
    struct bar *b = ctx;
    if (!b->tty)
        return;
    int filled = total ? (int)((double)done / (double)total * BAR_WIDTH) : BAR_WIDTH;
    if (filled == b->drawn && done != total)
        return;
    b->drawn = filled;
    char cells[BAR_WIDTH + 1];
    for (int i = 0; i < BAR_WIDTH; i++)
        cells[i] = i < filled ? '#' : '.';
    cells[BAR_WIDTH] = '\0';
    fprintf(stderr, "\r%-9s [%s] %zu/%zu rows", b->label, cells, done, total);
    fflush(stderr);
}

static void bar_start(struct bar *b, const char *label)
{
    b->label = label;
    b->drawn = -1;
}

static void bar_end(struct bar *b)
{
    if (b->tty && b->drawn >= 0)
        fputc('\n', stderr);
    b->drawn = -1;
}

static PGresult *cli_exec(void *ctx, struct db_stmt *st, const char *const *values)
{
    PGconn *pg = ctx;
    PGresult *res = PQexecParams(pg, st->sql, st->nparams, NULL, values, NULL, NULL, 0);
    if (PQstatus(pg) == CONNECTION_BAD) {
        PQclear(res);
        return NULL;
    }
    return res;
}

/* Runs st; false after printing why it failed. */
static bool run(PGconn *pg, struct db_stmt *st, const char *const *values, PGresult **out)
{
    PGresult *res = cli_exec(pg, st, values);
    ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        fprintf(stderr, "clinicd import: database: %s",
                res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
        PQclear(res);
        return false;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return true;
}

static void db_failed(PGconn *pg, PGresult *failed)
{
    fprintf(stderr, "clinicd import: database: %s",
            failed ? PQresultErrorMessage(failed) : PQerrorMessage(pg));
    PQclear(failed);
}

/* Reads the whole file (or standard input for "-") into b; false after printing why. */
static bool read_all(const char *path, struct buf *b)
{
    bool ok = false;
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "clinicd import: cannot open %s: %m\n", path);
        return false;
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (buf_append(b, chunk, n) < 0) {
            fprintf(stderr, "clinicd import: %s is larger than %lu MiB\n", path,
                    MAX_FILE_BYTES >> 20);
            goto out;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "clinicd import: reading %s failed\n", path);
        goto out;
    }
    ok = true;
out:
    if (f != stdin)
        fclose(f);
    return ok;
}

static void print_problems(json_t *errors)
{
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) {
        json_t *row = json_object_get(e, "row");
        char where[64];
        if (json_is_integer(row))
            snprintf(where, sizeof(where), "row %lld (line %lld)",
                     (long long)json_integer_value(row),
                     (long long)json_integer_value(json_object_get(e, "line")));
        else
            snprintf(where, sizeof(where), "line %lld",
                     (long long)json_integer_value(json_object_get(e, "line")));
        fprintf(stderr, "%s, %s: %s\n", where, json_string_value(json_object_get(e, "field")),
                json_string_value(json_object_get(e, "message")));
    }
}

int import_cli(int argc, char **argv, const char *conninfo)
{
    int rc = 2;
    const char *path = NULL;
    char clinic[37] = "";
    bool dry_run = false;
    struct buf file;
    buf_init(&file, MAX_FILE_BYTES);
    PGconn *pg = NULL;
    PGresult *res = NULL;
    struct catalog cat = {0};
    struct import_result checked = {0};
    json_t *ids = json_array();
    struct bar bar = {.tty = isatty(STDERR_FILENO) == 1, .drawn = -1};

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--clinic") == 0 && i + 1 < argc) {
            snprintf(clinic, sizeof(clinic), "%s", argv[++i]);
            for (char *p = clinic; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        } else if (strcmp(argv[i], "--dry-run") == 0) {
            dry_run = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage();
            rc = 0;
            goto out;
        } else if ((argv[i][0] != '-' || strcmp(argv[i], "-") == 0) && !path) {
            path = argv[i];
        } else {
            usage();
            goto out;
        }
    }
    if (!path || !clinic[0]) {
        usage();
        goto out;
    }
    if (!is_uuid(clinic)) {
        fprintf(stderr, "clinicd import: --clinic takes a clinic id (a UUID)\n");
        goto out;
    }
    rc = 1;
    double t0 = now_s();
    if (!read_all(path, &file))
        goto out;
    pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "clinicd import: cannot connect: %s", PQerrorMessage(pg));
        goto out;
    }
    const char *cv[] = {clinic};
    if (!run(pg, &st_clinic_name, cv, &res))
        goto out;
    if (PQntuples(res) != 1) {
        fprintf(stderr, "clinicd import: there is no clinic %s\n", clinic);
        goto out;
    }
    struct import_db db = {cli_exec, pg};
    PGresult *failed;
    if (import_catalog_load(&db, clinic, &cat, &failed) < 0) {
        db_failed(pg, failed);
        goto out;
    }
    bar_start(&bar, "checking");
    size_t problems = import_check(&cat, file.data ? file.data : "", file.len, &checked, bar_draw,
                                   &bar);
    bar_end(&bar);
    double t_checked = now_s();
    if (problems > 0) {
        print_problems(checked.errors);
        fprintf(stderr, "clinicd import: %zu problem%s in %s (the header is row 1); nothing was "
                        "imported\n",
                problems, problems == 1 ? "" : "s", path);
        goto out;
    }
    size_t n = json_array_size(checked.rows);
    if (dry_run) {
        fprintf(stderr, "clinicd import: %s is fine: %zu practitioners would be imported into %s\n",
                path, n, PQgetvalue(res, 0, 0));
        printf("{\"dry_run\":true,\"would_import\":%zu,\"imported\":0,\"ids\":[]}\n", n);
        rc = 0;
        goto out;
    }
    if (!run(pg, &st_begin, NULL, NULL))
        goto out;
    bar_start(&bar, "importing");
    for (size_t from = 0; from < n; from += IMPORT_CHUNK) {
        if (import_insert(&db, clinic, checked.rows, from, IMPORT_CHUNK, ids, &failed) < 0) {
            bar_end(&bar);
            db_failed(pg, failed);
            goto out; /* PQfinish rolls the transaction back */
        }
        bar_draw(&bar, json_array_size(ids), n);
    }
    bar_end(&bar);
    json_t *d = json_pack("{s:I, s:I, s:s}", "rows", (json_int_t)n, "bytes", (json_int_t)file.len,
                          "file", path);
    char *detail = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    const char *av[] = {clinic, detail};
    bool done = run(pg, &st_audit_op, av, NULL) && run(pg, &st_commit, NULL, NULL);
    free(detail);
    if (!done)
        goto out;
    json_t *answer = json_pack("{s:I, s:O}", "imported", (json_int_t)n, "ids", ids);
    json_dumpf(answer, stdout, JSON_COMPACT);
    fputc('\n', stdout);
    json_decref(answer);
    fprintf(stderr, "clinicd import: %zu practitioners imported into %s in %.2f s (%.2f s to read "
                    "and check, %.2f s to insert)\n",
            n, PQgetvalue(res, 0, 0), now_s() - t0, t_checked - t0, now_s() - t_checked);
    rc = 0;
out:
    PQclear(res);
    PQfinish(pg);
    catalog_release(&cat);
    import_result_release(&checked);
    json_decref(ids);
    buf_release(&file);
    return rc;
}
