/* `clinicd audit verify` recomputes every hash chain of the audit log and names the
 * first row of each chain that does not match; `clinicd audit heads` prints each
 * chain's last row and hash, to be kept somewhere the database's owner cannot reach,
 * and `verify --heads FILE` checks that those rows are still there, unchanged.
 *
 * The checks themselves are SQL, in store/audit_chain.c. */
#include "cli/audit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/audit_chain.h"
#include "util/parse.h"

#define NIL_UUID AUDIT_NO_CLINIC

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

static void report(const struct db_direct *d)
{
    fprintf(stderr, "clinicd audit: %s", d->message);
}

/* One line of a file `clinicd audit heads` wrote: "CLINIC|none ID HASH [N]". */
struct heads_line {
    char chain[64]; /* as written: a clinic id, or "none" */
    char id[32];
    char hash[80];  /* 64 lowercase hex digits */
};

enum heads_parse { HEADS_LINE, HEADS_SKIP, HEADS_BAD };

/* Reads one line: HEADS_SKIP for a comment or a blank line, HEADS_BAD for anything
 * that is not a line of `clinicd audit heads`. */
static enum heads_parse heads_line_parse(const char *line, struct heads_line *out)
{
    if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
        return HEADS_SKIP;
    long idv;
    if (sscanf(line, "%63s %31s %79s", out->chain, out->id, out->hash) != 3 ||
        (strcmp(out->chain, "none") != 0 && !is_uuid(out->chain)) ||
        parse_long(out->id, 1, 9223372036854775807L, &idv) != 0 || strlen(out->hash) != 64 ||
        strspn(out->hash, "0123456789abcdef") != 64)
        return HEADS_BAD;
    return HEADS_LINE;
}

/* Checks each line of a file `clinicd audit heads` wrote; returns how many no longer
 * hold, or -1 on an error. */
static long check_exported(struct db_direct *d, const char *path, const char *only)
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
        struct heads_line h;
        enum heads_parse p = heads_line_parse(line, &h);
        if (p == HEADS_SKIP)
            continue;
        if (p == HEADS_BAD) {
            fprintf(stderr, "clinicd audit: %s:%ld: not a line of `clinicd audit heads`\n", path,
                    lineno);
            fclose(f);
            return -1;
        }
        const char *key = strcmp(h.chain, "none") == 0 ? NIL_UUID : h.chain;
        if (only && strcmp(only, key) != 0)
            continue;
        bool holds;
        if (store_audit_chain_row_holds(d, key, h.id, h.hash, &holds) != DB_OK) {
            report(d);
            fclose(f);
            return -1;
        }
        if (!holds) {
            printf("clinic %s: row %s: not in the log with the hash exported in %s "
                   "(the chain was rewritten or cut)\n",
                   h.chain, h.id, path);
            bad++;
        }
    }
    fclose(f);
    return bad;
}

/* Prints every row and head that does not hold; how many, or -1 on an error. */
static long print_breaks(struct db_direct *d, const char *clinic)
{
    struct audit_breaks b;
    if (store_audit_chain_breaks(d, clinic, &b) != DB_OK) {
        report(d);
        return -1;
    }
    for (int i = 0; i < b.n; i++)
        printf("clinic %s: row %s: %s\n", b.rows[i].chain, b.rows[i].id,
               b.rows[i].bad_link
                   ? "does not follow the row before it in the chain (a row before it was "
                     "removed, or changed and hashed again)"
                   : "its content does not match its hash (changed after it was written)");
    long broken = b.n;
    free(b.rows);
    struct audit_gaps g;
    if (store_audit_chain_gaps(d, clinic, &g) != DB_OK) {
        report(d);
        return -1;
    }
    for (int i = 0; i < g.n; i++)
        printf("clinic %s: row %s: the chain's head ends at row %s (rows: %s) but the log at "
               "row %s (rows: %s): rows were removed from the end, or added around the "
               "trigger\n",
               g.rows[i].chain, g.rows[i].head_last, g.rows[i].head_last, g.rows[i].head_rows,
               g.rows[i].log_last, g.rows[i].log_rows);
    broken += g.n;
    free(g.rows);
    return broken;
}

static int verify(struct db_direct *d, int argc, char **argv)
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
    if (store_audit_chain_snapshot(d) != DB_OK) {
        report(d);
        return 2;
    }
    long broken = print_breaks(d, clinic);
    if (broken < 0)
        return 2;
    if (heads) {
        long bad = check_exported(d, heads, clinic);
        if (bad < 0)
            return 2;
        broken += bad;
    }
    struct audit_counts c;
    if (store_audit_chain_counts(d, clinic, &c) != DB_OK) {
        report(d);
        return 2;
    }
    if (broken) {
        fprintf(stderr, "clinicd audit verify: %ld problem%s (rows: %s, chains: %s)\n", broken,
                broken == 1 ? "" : "s", c.rows, c.chains);
    } else {
        printf("audit log holds: %s rows in %s chains verified\n", c.rows, c.chains);
    }
    if (store_audit_chain_end(d) != DB_OK)
        report(d);
    return broken ? 1 : 0;
}

static int print_heads(struct db_direct *d, int argc)
{
    if (argc != 1) {
        usage();
        return 2;
    }
    struct audit_heads h;
    if (store_audit_chain_heads(d, &h) != DB_OK) {
        report(d);
        return 2;
    }
    printf("# clinicd audit heads: clinic, last row id, its hash, rows in the chain\n");
    if (h.n > 0)
        printf("# at %s\n", h.at);
    for (int i = 0; i < h.n; i++)
        printf("%s %s %s %s\n", h.rows[i].chain, h.rows[i].last_id, h.rows[i].hash,
               h.rows[i].rows);
    free(h.rows);
    return 0;
}

int audit_cli(int argc, char **argv, const char *conninfo)
{
    if (argc < 2 || (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "heads") != 0)) {
        usage();
        return 2;
    }
    struct db_direct d;
    if (!db_direct_open(&d, conninfo, 0)) {
        fprintf(stderr, "clinicd audit: cannot connect: %s", d.message);
        db_direct_close(&d);
        return 2;
    }
    int rc = strcmp(argv[1], "verify") == 0 ? verify(&d, argc - 1, argv + 1)
                                            : print_heads(&d, argc - 1);
    db_direct_close(&d);
    return rc;
}
