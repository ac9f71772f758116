/* `clinicd import`: practitioners from a CSV file into a clinic, from the command line,
 * with the same checks as POST /api/v1/clinics/{id}/imports but no 64 KiB cap. */
#include "cli/import.h"

#include <ctype.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/pool.h"
#include "db/session.h"
#include "domain/practitioner_import.h"
#include "store/imports.h"
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

/* One connection, no statement timeout: a large file may take a while. */
#define CLI_CHECKOUT_TIMEOUT_MS 10000
#define CLI_CONNECT_TIMEOUT_S 10

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

/* Prints why the database refused (the session's last failure). */
static void db_failed(const struct db_session *s)
{
    const char *m = s->fail.message;
    fprintf(stderr, "clinicd import: database: %s%s", m[0] ? m : "unreachable",
            m[0] && m[strlen(m) - 1] == '\n' ? "" : "\n");
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

/* What the command line asked for. */
struct import_args {
    const char *path;
    char clinic[37];
    bool dry_run;
};

/* Reads the arguments; -1 to go on, else the exit code (after printing usage). */
static int parse_args(int argc, char **argv, struct import_args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--clinic") == 0 && i + 1 < argc) {
            snprintf(a->clinic, sizeof(a->clinic), "%s", argv[++i]);
            for (char *p = a->clinic; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        } else if (strcmp(argv[i], "--dry-run") == 0) {
            a->dry_run = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        } else if ((argv[i][0] != '-' || strcmp(argv[i], "-") == 0) && !a->path) {
            a->path = argv[i];
        } else {
            usage();
            return 2;
        }
    }
    if (!a->path || !a->clinic[0]) {
        usage();
        return 2;
    }
    if (!is_uuid(a->clinic)) {
        fprintf(stderr, "clinicd import: --clinic takes a clinic id (a UUID)\n");
        return 2;
    }
    return -1;
}

/* What an import holds while it runs. */
struct import_run {
    const struct import_args *a;
    struct buf file;
    struct db_session s;
    char clinic_name[256];
    struct catalog cat;
    struct import_result checked;
    json_t *ids;
    struct bar bar;
    double t0, t_checked;
};

/* Reads the file, finds the clinic and loads its catalog; false after printing why. */
static bool import_load(struct import_run *run)
{
    if (!read_all(run->a->path, &run->file))
        return false;
    enum db_status st = store_imports_clinic_name(&run->s, run->a->clinic, run->clinic_name,
                                                  sizeof(run->clinic_name));
    if (st == DB_NOT_FOUND)
        fprintf(stderr, "clinicd import: there is no clinic %s\n", run->a->clinic);
    else if (st != DB_OK)
        db_failed(&run->s);
    if (st == DB_OK && (st = store_imports_catalog(&run->s, run->a->clinic, &run->cat)) != DB_OK)
        db_failed(&run->s);
    return st == DB_OK;
}

/* Checks every row; false after printing the problems. */
static bool import_checked(struct import_run *run)
{
    bar_start(&run->bar, "checking");
    size_t problems = import_check(&run->cat, run->file.data ? run->file.data : "",
                                   run->file.len, &run->checked, bar_draw, &run->bar);
    bar_end(&run->bar);
    run->t_checked = now_s();
    if (problems == 0)
        return true;
    print_problems(run->checked.errors);
    fprintf(stderr, "clinicd import: %zu problem%s in %s (the header is row 1); nothing was "
                    "imported\n",
            problems, problems == 1 ? "" : "s", run->a->path);
    return false;
}

/* Inserts every row and the operator's audit row in one transaction; false after
 * printing why it failed (nothing was imported then). */
static bool import_insert_all(struct import_run *run, size_t n)
{
    json_t *d = json_pack("{s:I, s:I, s:s}", "rows", (json_int_t)n, "bytes",
                          (json_int_t)run->file.len, "file", run->a->path);
    char *detail = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    bar_start(&run->bar, "importing");
    enum db_status st = store_imports_by_operator(&run->s, run->a->clinic, run->checked.rows,
                                                  detail, run->ids, bar_draw, &run->bar);
    bar_end(&run->bar);
    free(detail);
    if (st != DB_OK)
        db_failed(&run->s);
    return st == DB_OK;
}

static int import_go(struct import_run *run)
{
    if (!import_load(run) || !import_checked(run))
        return 1;
    size_t n = json_array_size(run->checked.rows);
    if (run->a->dry_run) {
        fprintf(stderr, "clinicd import: %s is fine: %zu practitioners would be imported into %s\n",
                run->a->path, n, run->clinic_name);
        printf("{\"dry_run\":true,\"would_import\":%zu,\"imported\":0,\"ids\":[]}\n", n);
        return 0;
    }
    if (!import_insert_all(run, n))
        return 1;
    json_t *answer = json_pack("{s:I, s:O}", "imported", (json_int_t)n, "ids", run->ids);
    json_dumpf(answer, stdout, JSON_COMPACT);
    fputc('\n', stdout);
    json_decref(answer);
    fprintf(stderr, "clinicd import: %zu practitioners imported into %s in %.2f s (%.2f s to read "
                    "and check, %.2f s to insert)\n",
            n, run->clinic_name, now_s() - run->t0, run->t_checked - run->t0,
            now_s() - run->t_checked);
    return 0;
}

int import_cli(int argc, char **argv, const char *conninfo)
{
    struct import_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    struct import_run run = {.a = &a, .ids = json_array(),
                             .bar = {.tty = isatty(STDERR_FILENO) == 1, .drawn = -1}};
    run.t0 = now_s();
    buf_init(&run.file, MAX_FILE_BYTES);
    struct db_pool *pool = db_pool_new(conninfo, 1, CLI_CHECKOUT_TIMEOUT_MS,
                                       CLI_CONNECT_TIMEOUT_S, 0);
    db_session_init(&run.s, pool, NULL, NULL);
    rc = import_go(&run);
    db_session_end(&run.s);
    db_pool_free(pool);
    catalog_release(&run.cat);
    import_result_release(&run.checked);
    json_decref(run.ids);
    buf_release(&run.file);
    return rc;
}
