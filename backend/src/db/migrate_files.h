/* The migrations tree as read from disk: numbered migrations (NNNN_name.sql), the
 * functions (functions/NAME.sql, one database function each) and the former checksums
 * of rewritten migrations (former-checksums).  No database here. */
#ifndef CLINICD_MIGRATE_FILES_H
#define CLINICD_MIGRATE_FILES_H

#include <stdbool.h>

#define MIGRATE_SUM_LEN 65 /* SHA-256 in hex, with its NUL */

struct migration {
    long version;
    char name[256];
    char *sql;
    char checksum[MIGRATE_SUM_LEN];
    int state;                  /* set by the runner (migrate.c) */
    const char *former_reason;  /* points into struct migrate_tree.former, or NULL */
};

struct migrate_function {
    char name[64];              /* the file's name without .sql: the function's name */
    char *sql;
    char checksum[MIGRATE_SUM_LEN];
    long before;                /* "-- migrate: before NNNN", or 0: after every migration */
    char recorded[MIGRATE_SUM_LEN]; /* the checksum in schema_functions, "" if none */
    bool applied;               /* applied by this run */
};

struct former_checksum {
    long version;
    char checksum[MIGRATE_SUM_LEN];
    char reason[200];
};

/* Everything the tree holds; all owned by the tree (migrate_tree_free). */
struct migrate_tree {
    struct migration *m;        /* sorted by version */
    long nm;
    struct migrate_function *f; /* sorted by name */
    long nf;
    struct former_checksum *former;
    long nformer;
};

/* Reads dir (and dir/functions, dir/former-checksums when they exist); 0, or -1 with
 * a logged reason (unreadable, two files of one version, a function file that does
 * not define exactly the function of its name, a bad former-checksums line). */
int migrate_tree_load(const char *dir, struct migrate_tree *t);
void migrate_tree_free(struct migrate_tree *t);

/* The reason recorded for sum being a former checksum of version, or NULL. */
const char *migrate_former_reason(const struct migrate_tree *t, long version, const char *sum);

/* Pure pieces, exposed for tests/unit/test_migrate.c. */
bool migrate_migration_name(const char *name, long *version);
bool migrate_function_name(const char *file, char *name, unsigned long cap);
/* Reads the "-- migrate: before NNNN" line at the top of a function file: 1 with
 * *before set, 0 when there is none (*before 0), -1 when the line is malformed. */
int migrate_function_before(const char *sql, long *before);
/* True when sql defines exactly one function, named name ("CREATE OR REPLACE FUNCTION
 * name(" once, no other CREATE ... FUNCTION). */
bool migrate_function_defines(const char *sql, const char *name);
/* One line of former-checksums: "NNNN <64 hex digits> reason..." -> 1 (filled), 0 for
 * a blank or "#" line, -1 when malformed (no reason, bad version or checksum). */
int migrate_former_line(const char *line, struct former_checksum *out);

#include "util/banned.h"
#endif
