/* Applying migrations/NNNN_name.sql in order, once each, with checksums, and the
 * database functions of migrations/functions/NAME.sql as repeatable definitions
 * (migrations/README.md says how the two are ordered). */
#ifndef CLINICD_MIGRATE_H
#define CLINICD_MIGRATE_H

/* What one run did. */
struct migrate_report {
    int applied;    /* numbered migrations applied */
    int reapplied;  /* function files (re-)applied: new, or their checksum changed */
    int rewritten;  /* applied migrations whose recorded checksum was a former one of
                       migrations/former-checksums, now recorded as the file's */
};

/* Applies every pending migration in dir, each in its own transaction, under an
 * advisory lock so that concurrent runs wait for each other; a function file whose
 * checksum differs from the one recorded in schema_functions is applied again, in the
 * transaction of the first pending migration that needs it ("-- migrate: before
 * NNNN") or else in a last transaction, which also checks every function's body and
 * that each file's name is exactly one function.  Refuses (returns -1) when an
 * applied file's checksum changed and is not a former checksum listed for it in
 * dir/former-checksums.  Logs each file applied; fills *report; returns 0 or -1. */
int migrate_apply(const char *conninfo, const char *dir, struct migrate_report *report);
/* For start-up: returns 0 when every file in dir (migrations and functions) is
 * applied unchanged; -1 with a logged reason (edited, pending, unreachable database)
 * otherwise.  A function recorded as applied whose file is gone is only warned of. */
int migrate_verify(const char *conninfo, const char *dir);

#include "util/banned.h"
#endif
