/* The demo directory's load (`clinicd seed-demo`): one transaction that locks the
 * clinics, reads the vocabulary's ids, and streams each table with COPY.  On any
 * failure d->message holds the step and PostgreSQL's text ("loading clinics: ERROR:
 * ...\n"), ready to print after the command's name. */
#ifndef CLINICD_STORE_SEED_H
#define CLINICD_STORE_SEED_H

#include <stdbool.h>
#include <stddef.h>

#include "db/direct.h"

/* The tables the seed fills, in the order it fills them. */
enum seed_table {
    SEED_TB_CLINICS, SEED_TB_LOCATIONS, SEED_TB_PRACTITIONERS, SEED_TB_SERVICES,
    SEED_TB_PLOCATIONS, SEED_TB_PTECHNIQUES, SEED_TB_PCONDITIONS, SEED_TB_PSERVICES,
    SEED_TB_COUNT
};

/* The vocabulary tables, read by slug. */
enum seed_vocab { SEED_PROFESSIONS, SEED_TECHNIQUES, SEED_CONDITIONS };

/* Warnings ANALYZE raises for tables it may not analyse (only the owner may),
 * counted instead of printed; other notices go to stderr. */
struct seed_notices {
    bool counting;
    int warnings;
};

/* Routes the connection's notices to ns (which must outlive d) and sets UTF8. */
enum db_status store_seed_connection(struct db_direct *d, struct seed_notices *ns);

/* BEGIN, no statement time limit, and one seeder at a time (SHARE ROW EXCLUSIVE on
 * clinics: it conflicts with itself and with writers, not with readers); the number
 * of clinics already there into *clinics. */
enum db_status store_seed_begin(struct db_direct *d, long *clinics);
/* Deletes every booking and plan, then every clinic and, by cascade, what belongs to
 * one. */
enum db_status store_seed_clear(struct db_direct *d);
/* The ids of slugs[0..n) in one vocabulary table into ids[]; DB_NOT_FOUND when one
 * is missing (the migrations insert them). */
enum db_status store_seed_vocabulary(struct db_direct *d, enum seed_vocab v,
                                     const char *const *slugs, int n, int *ids);

/* COPY t FROM STDIN: start, send rows (tab-separated text, whole lines; false when
 * the data could not be sent), end (failed: abort the COPY instead of ending it). */
enum db_status store_seed_copy_start(struct db_direct *d, enum seed_table t);
bool store_seed_copy_send(struct db_direct *d, const char *data, size_t len);
enum db_status store_seed_copy_end(struct db_direct *d, enum seed_table t, bool failed);

enum db_status store_seed_commit(struct db_direct *d);
void store_seed_rollback(struct db_direct *d);
/* ANALYZE of the seeded tables; *skipped: the tables it could not analyse. */
enum db_status store_seed_analyze(struct db_direct *d, struct seed_notices *ns, int *skipped);

#include "util/banned.h"
#endif
