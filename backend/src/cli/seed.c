/* `clinicd seed-demo`: streams the demo directory (cli/seed_world.c) into the
 * database with COPY (store/seed.c), one table at a time. */
#include "cli/seed.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/seed_world.h"
#include "store/seed.h"

#define DEFAULT_PRACTITIONERS 320L
#define MAX_PRACTITIONERS 1000000L
#define DEFAULT_SEED UINT64_C(42)

/* ------------------------------------------------------------------------ */
/* COPY output.                                                              */

#define COPY_BUF 65536

struct copy_out {
    struct db_direct *d;
    size_t len;
    bool failed;
    char buf[COPY_BUF];
};

static void co_flush(struct copy_out *co)
{
    if (co->len == 0 || co->failed)
        return;
    if (!store_seed_copy_send(co->d, co->buf, co->len)) {
        fprintf(stderr, "seed-demo: %s", co->d->message);
        co->failed = true;
    }
    co->len = 0;
}

static void co_putc(struct copy_out *co, char ch)
{
    if (co->len == COPY_BUF)
        co_flush(co);
    co->buf[co->len++] = ch;
}

static void co_raw(struct copy_out *co, const char *s)
{
    for (; *s; s++)
        co_putc(co, *s);
}

/* A text field, escaped for COPY's text format. */
static void co_text(struct copy_out *co, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\': co_raw(co, "\\\\"); break;
        case '\t': co_raw(co, "\\t"); break;
        case '\n': co_raw(co, "\\n"); break;
        case '\r': co_raw(co, "\\r"); break;
        default: co_putc(co, *s);
        }
    }
}

static void co_tab(struct copy_out *co)
{
    co_putc(co, '\t');
}

static void co_eol(struct copy_out *co)
{
    co_putc(co, '\n');
    if (co->len > COPY_BUF - 8192)
        co_flush(co);
}

static void co_int(struct copy_out *co, long v)
{
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%ld", v);
    co_raw(co, tmp);
}

static void co_bool(struct copy_out *co, bool v)
{
    co_putc(co, v ? 't' : 'f');
}

static void co_time(struct copy_out *co, int64_t t)
{
    char tmp[40];
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(tmp, sizeof(tmp), "%Y-%m-%d %H:%M:%S+00", &tm) == 0) {
        co_raw(co, "2021-06-01 00:00:00+00");
        return;
    }
    co_raw(co, tmp);
}

static void co_micro(struct copy_out *co, long v)
{
    char tmp[32];
    long a = v < 0 ? -v : v;
    snprintf(tmp, sizeof(tmp), "%s%ld.%06ld", v < 0 ? "-" : "", a / 1000000, a % 1000000);
    co_raw(co, tmp);
}

static void co_link(struct copy_out *co, const char *clinic, const char *pract, const char *other)
{
    co_raw(co, clinic);
    co_tab(co);
    co_raw(co, pract);
    co_tab(co);
    co_raw(co, other);
    co_eol(co);
}

/* The first two columns of a row a clinic owns: its id and the clinic's. */
static void co_owned(struct copy_out *co, const char *id, const char *clinic)
{
    co_raw(co, id);
    co_tab(co);
    co_raw(co, clinic);
    co_tab(co);
}

/* Database ids of the vocabulary, looked up by slug. */
struct refs {
    int profession[PR_COUNT];
    int technique[T_COUNT];
    int condition[C_COUNT];
};

static void emit_locations(struct copy_out *co, const struct clinic *c)
{
    const struct city *ci = c->city;
    for (int i = 0; i < c->nloc; i++) {
        const struct location *l = &c->loc[i];
        co_owned(co, l->id, c->id);
        co_text(co, l->hood->name); co_tab(co);
        co_text(co, l->address); co_tab(co);
        co_text(co, ci->name); co_tab(co);
        co_text(co, ci->region); co_tab(co);
        co_text(co, l->postcode); co_tab(co);
        co_raw(co, countries[ci->country].iso2); co_tab(co);
        co_raw(co, "SRID=4326;POINT(");
        co_micro(co, l->lon_u);
        co_putc(co, ' ');
        co_micro(co, l->lat_u);
        co_putc(co, ')'); co_tab(co);
        co_text(co, ci->tz); co_tab(co);
        co_bool(co, l->wheelchair); co_tab(co);
        co_bool(co, true); co_tab(co);
        co_time(co, l->created);
        co_eol(co);
    }
}

static void emit_practitioners(struct copy_out *co, const struct clinic *c, const struct refs *refs)
{
    for (int i = 0; i < c->nstaff; i++) {
        const struct practitioner *p = &c->staff[i];
        co_owned(co, p->id, c->id);
        co_text(co, p->name); co_tab(co);
        co_int(co, refs->profession[p->prof]); co_tab(co);
        co_text(co, p->credentials); co_tab(co);
        co_text(co, p->bio); co_tab(co);
        co_putc(co, '{');
        for (int k = 0; k < p->nlangs; k++) {
            if (k) co_putc(co, ',');
            co_raw(co, p->langs[k]);
        }
        co_putc(co, '}'); co_tab(co);
        co_bool(co, p->accepting); co_tab(co);
        co_bool(co, p->home); co_tab(co);
        co_bool(co, p->sliding); co_tab(co);
        co_bool(co, true); co_tab(co);
        co_time(co, p->created); co_tab(co);
        co_time(co, p->updated);
        co_eol(co);
    }
}

static void emit_services(struct copy_out *co, const struct clinic *c)
{
    const struct city *ci = c->city;
    for (int i = 0; i < c->nsvc; i++) {
        const struct service *s = &c->svc[i];
        co_owned(co, s->id, c->id);
        co_text(co, s->name); co_tab(co);
        co_int(co, s->minutes); co_tab(co);
        co_int(co, s->price_cents); co_tab(co);
        co_raw(co, ci->currency); co_tab(co);
        co_int(co, s->before); co_tab(co);
        co_int(co, s->after); co_tab(co);
        co_bool(co, true); co_tab(co);
        co_time(co, s->created);
        co_eol(co);
    }
}

/* A practitioner's items in link table t (indexes into the clinic's locations or
 * services, or the vocabulary's entries), n of them. */
static const int *link_items(const struct practitioner *p, enum seed_table t, int *n)
{
    switch (t) {
    case SEED_TB_PLOCATIONS:
        *n = p->nloc;
        return p->loc;
    case SEED_TB_PSERVICES:
        *n = p->nsvc;
        return p->svc;
    case SEED_TB_PTECHNIQUES:
        *n = p->ntech;
        return p->tech;
    default:
        *n = p->ncond;
        return p->cond;
    }
}

/* The id item idx stands for in link table t: a row's uuid, or a vocabulary number
 * written into num. */
static const char *link_target(const struct clinic *c, const struct refs *refs,
                               enum seed_table t, int idx, char *num, size_t cap)
{
    if (t == SEED_TB_PLOCATIONS)
        return c->loc[idx].id;
    if (t == SEED_TB_PSERVICES)
        return c->svc[idx].id;
    snprintf(num, cap, "%d", t == SEED_TB_PTECHNIQUES ? refs->technique[idx] : refs->condition[idx]);
    return num;
}

/* The rows of link table t (a practitioner's locations, services, techniques or
 * conditions): clinic, practitioner, the item's id. */
static void emit_links(struct copy_out *co, const struct clinic *c, const struct refs *refs,
                       enum seed_table t)
{
    char num[16];
    for (int i = 0; i < c->nstaff; i++) {
        const struct practitioner *p = &c->staff[i];
        int n;
        const int *items = link_items(p, t, &n);
        for (int k = 0; k < n; k++)
            co_link(co, c->id, p->id, link_target(c, refs, t, items[k], num, sizeof(num)));
    }
}

static void emit_clinic(struct copy_out *co, enum seed_table t, const struct clinic *c, const struct refs *refs)
{
    switch (t) {
    case SEED_TB_CLINICS:
        co_raw(co, c->id); co_tab(co);
        co_text(co, c->name); co_tab(co);
        if (c->has_website) co_text(co, c->website); else co_raw(co, "\\N");
        co_tab(co);
        co_text(co, c->phone); co_tab(co);
        co_time(co, c->created);
        co_eol(co);
        break;
    case SEED_TB_LOCATIONS:
        emit_locations(co, c);
        break;
    case SEED_TB_PRACTITIONERS:
        emit_practitioners(co, c, refs);
        break;
    case SEED_TB_SERVICES:
        emit_services(co, c);
        break;
    case SEED_TB_PLOCATIONS:
    case SEED_TB_PTECHNIQUES:
    case SEED_TB_PCONDITIONS:
    case SEED_TB_PSERVICES:
        emit_links(co, c, refs, t);
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* Database steps.                                                           */

struct counts {
    long clinics, locations, practitioners, services;
};

/* Streams one table: regenerates every clinic and sends that table's rows. */
static int copy_table(struct db_direct *d, struct copy_out *co, struct clinic *c,
                      enum seed_table t, uint64_t seed, long target, const struct refs *refs,
                      struct counts *counts)
{
    struct gen g;
    if (store_seed_copy_start(d, t) != DB_OK) {
        fprintf(stderr, "seed-demo: %s", d->message);
        return -1;
    }
    co->d = d;
    co->len = 0;
    co->failed = false;
    memset(counts, 0, sizeof(*counts));
    gen_init(&g, seed, target);
    while (!co->failed && gen_next(&g, c)) {
        emit_clinic(co, t, c, refs);
        counts->clinics++;
        counts->locations += c->nloc;
        counts->practitioners += c->nstaff;
        counts->services += c->nsvc;
    }
    co_flush(co);
    enum db_status st = store_seed_copy_end(d, t, co->failed);
    if (st != DB_OK) {
        /* a failure to send was told already */
        if (!co->failed || st == DB_DOWN)
            fprintf(stderr, "seed-demo: %s", d->message);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Command line.                                                             */

struct seed_opts {
    long practitioners;
    uint64_t seed;
    bool force;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clinicd seed-demo [--practitioners N] [--seed S] [--force]\n"
            "  --practitioners N  practitioners to create, 1 to %ld (default %ld)\n"
            "  --seed S           random seed, 0 to 18446744073709551615 (default %" PRIu64 ")\n"
            "  --force            delete every clinic (and all that belongs to one) first\n",
            MAX_PRACTITIONERS, DEFAULT_PRACTITIONERS, DEFAULT_SEED);
}

static bool parse_count(const char *s, long *out)
{
    if (!s || s[0] < '0' || s[0] > '9')
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 1 || v > MAX_PRACTITIONERS)
        return false;
    *out = v;
    return true;
}

static bool parse_seed(const char *s, uint64_t *out)
{
    if (!s || s[0] < '0' || s[0] > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = (uint64_t)v;
    return true;
}

/* The value of "--name value" or "--name=value"; advances *i past it. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

/* 0 to run, 1 after --help, 2 on a usage error (already reported). */
static int parse_args(int argc, char **argv, struct seed_opts *o)
{
    o->practitioners = DEFAULT_PRACTITIONERS;
    o->seed = DEFAULT_SEED;
    o->force = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *v;
        if (strcmp(arg, "--force") == 0) {
            o->force = true;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 1;
        } else if (strncmp(arg, "--practitioners", 15) == 0 && (arg[15] == '\0' || arg[15] == '=')) {
            v = option_value(argc, argv, &i, "--practitioners");
            if (!parse_count(v, &o->practitioners)) {
                fprintf(stderr, "seed-demo: --practitioners needs a whole number from 1 to %ld\n",
                        MAX_PRACTITIONERS);
                return 2;
            }
        } else if (strncmp(arg, "--seed", 6) == 0 && (arg[6] == '\0' || arg[6] == '=')) {
            v = option_value(argc, argv, &i, "--seed");
            if (!parse_seed(v, &o->seed)) {
                fprintf(stderr, "seed-demo: --seed needs a whole number from 0 to %" PRIu64 "\n",
                        UINT64_MAX);
                return 2;
            }
        } else {
            fprintf(stderr, "seed-demo: unknown argument '%s'\n", arg);
            usage(stderr);
            return 2;
        }
    }
    return 0;
}

/* What a load did, for the summary line. */
struct load {
    struct counts counts;
    long replaced;      /* clinics deleted first (--force) */
    bool present;       /* there were clinics and no --force: nothing done */
};

/* Reads the vocabulary's ids; false after saying why. */
static bool load_refs(struct db_direct *d, struct refs *refs)
{
    if (store_seed_vocabulary(d, SEED_PROFESSIONS, profession_slug, PR_COUNT, refs->profession) ==
            DB_OK &&
        store_seed_vocabulary(d, SEED_TECHNIQUES, technique_slug, T_COUNT, refs->technique) ==
            DB_OK &&
        store_seed_vocabulary(d, SEED_CONDITIONS, condition_slug, C_COUNT, refs->condition) ==
            DB_OK)
        return true;
    fprintf(stderr, "seed-demo: %s", d->message);
    return false;
}

/* The whole load, in one transaction; 0 when it committed (or found demo data and
 * did nothing), -1 after saying why. */
static int seed_load(struct db_direct *d, const struct seed_opts *o, struct load *l)
{
    int rc = -1;
    struct clinic *clinic = NULL;
    struct copy_out *co = NULL;
    struct refs refs;
    bool in_tx = true;

    if (store_seed_begin(d, &l->replaced) != DB_OK)
        goto fail;
    if (l->replaced > 0 && !o->force) {
        l->present = true;
        rc = 0;
        goto out;
    }
    if (l->replaced > 0 && store_seed_clear(d) != DB_OK)
        goto fail;
    if (!load_refs(d, &refs))
        goto out;
    clinic = calloc(1, sizeof(*clinic));
    co = calloc(1, sizeof(*co));
    if (!clinic || !co) {
        fprintf(stderr, "seed-demo: out of memory\n");
        goto out;
    }
    for (int t = 0; t < SEED_TB_COUNT; t++)
        if (copy_table(d, co, clinic, (enum seed_table)t, o->seed, o->practitioners, &refs,
                       &l->counts) != 0)
            goto out;
    in_tx = false; /* a failed COMMIT has ended the transaction too */
    if (store_seed_commit(d) != DB_OK)
        goto fail;
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "seed-demo: %s", d->message);
out:
    if (in_tx)
        store_seed_rollback(d);
    free(co);
    free(clinic);
    return rc;
}

int seed_cli(int argc, char **argv, const char *conninfo)
{
    int rc = 1;
    struct db_direct d = {0};
    struct seed_notices notices = {false, 0};
    struct seed_opts o;
    struct load l = {{0, 0, 0, 0}, 0, false};

    int parsed = parse_args(argc, argv, &o);
    if (parsed != 0) {
        rc = parsed == 1 ? 0 : 2;
        goto out;
    }
    if (!db_direct_open(&d, conninfo, 0)) {
        fprintf(stderr, "seed-demo: cannot connect to the database: %s", d.message);
        goto out;
    }
    if (store_seed_connection(&d, &notices) != DB_OK) {
        fprintf(stderr, "seed-demo: %s", d.message);
        goto out;
    }
    if (seed_load(&d, &o, &l) != 0)
        goto out;
    if (l.present) {
        printf("demo data already present; nothing done\n");
        rc = 0;
        goto out;
    }
    int skipped;
    if (store_seed_analyze(&d, &notices, &skipped) != DB_OK)
        fprintf(stderr, "seed-demo: %s", d.message);
    else if (skipped > 0)
        fprintf(stderr, "seed-demo: note: ANALYZE skipped %d tables (only their owner may "
                        "analyse them); autovacuum will do it shortly\n", skipped);

    printf("seed-demo: %ld clinics, %ld locations, %ld practitioners, %ld services "
           "(seed %" PRIu64 ")", l.counts.clinics, l.counts.locations, l.counts.practitioners,
           l.counts.services, o.seed);
    if (l.replaced > 0)
        printf("; replaced %ld clinics", l.replaced);
    printf("\n");
    rc = 0;
out:
    db_direct_close(&d);
    return rc;
}
