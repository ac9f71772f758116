/* Applying migrations/NNNN_name.sql in order, once each, with checksums. */
#ifndef CLINICD_MIGRATE_H
#define CLINICD_MIGRATE_H

/* Applies every pending migration in dir, each in its own transaction, under an
 * advisory lock so that concurrent runs wait for each other.  Refuses (returns -1)
 * when an applied file's checksum changed.  Returns the number applied, or -1. */
int migrate_apply(const char *conninfo, const char *dir);
/* For start-up: returns 0 when every file in dir is applied unchanged; -1 with a
 * logged reason (edited, pending, unreachable database) otherwise. */
int migrate_verify(const char *conninfo, const char *dir);

#include "util/banned.h"
#endif
