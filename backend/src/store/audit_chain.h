/* `clinicd audit`'s statements: the audit log's hash chains checked row by row,
 * their heads, and rows exported earlier.  The canonical text of a row and its hash
 * are the SQL functions audit_log_canonical() and audit_log_hash() (migration 0014),
 * the ones the insert trigger uses, so the two cannot drift apart.
 *
 * chain is a clinic id, the nil uuid (AUDIT_NO_CLINIC) for rows without a clinic,
 * or NULL for every chain.  Values come back as PostgreSQL's text, as printed.
 * Arrays in the outputs are malloc'd: the caller frees rows. */
#ifndef CLINICD_STORE_AUDIT_CHAIN_H
#define CLINICD_STORE_AUDIT_CHAIN_H

#include <stdbool.h>

#include "db/direct.h"

#define AUDIT_NO_CLINIC "00000000-0000-0000-0000-000000000000"
#define AUDIT_TEXT_MAX 40

/* One snapshot for every query that follows (rows and heads are written in the same
 * transaction): BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; then _end. */
enum db_status store_audit_chain_snapshot(struct db_direct *d);
enum db_status store_audit_chain_end(struct db_direct *d);

/* Each chain's first row whose hash is not the hash of its own content after the
 * hash of the row before it. */
struct audit_break {
    char chain[AUDIT_TEXT_MAX]; /* a clinic id, or "none" */
    char id[AUDIT_TEXT_MAX];
    bool bad_link;              /* true: the link to the row before; false: the content */
};
struct audit_breaks {
    struct audit_break *rows;
    int n;
};
enum db_status store_audit_chain_breaks(struct db_direct *d, const char *chain,
                                        struct audit_breaks *out);

/* Chains whose head (the last row the trigger chained, and how many) is not the
 * log's last row: rows removed from the end, or a head without rows. */
struct audit_gap {
    char chain[AUDIT_TEXT_MAX];
    char log_last[AUDIT_TEXT_MAX], log_rows[AUDIT_TEXT_MAX];
    char head_last[AUDIT_TEXT_MAX], head_rows[AUDIT_TEXT_MAX];
};
struct audit_gaps {
    struct audit_gap *rows;
    int n;
};
enum db_status store_audit_chain_gaps(struct db_direct *d, const char *chain,
                                      struct audit_gaps *out);

/* Rows and chains in the log. */
struct audit_counts {
    char rows[AUDIT_TEXT_MAX], chains[AUDIT_TEXT_MAX];
};
enum db_status store_audit_chain_counts(struct db_direct *d, const char *chain,
                                        struct audit_counts *out);

/* Whether row id (text) is still in chain with the hash hash_hex. */
enum db_status store_audit_chain_row_holds(struct db_direct *d, const char *chain,
                                           const char *id, const char *hash_hex, bool *holds);

/* Each chain's head with rows, and the database's time. */
struct audit_head {
    char chain[AUDIT_TEXT_MAX]; /* a clinic id, or "none" */
    char last_id[AUDIT_TEXT_MAX];
    char hash[72];              /* hex */
    char rows[AUDIT_TEXT_MAX];
};
struct audit_heads {
    struct audit_head *rows;
    int n;
    char at[64];                /* now(), when n > 0 */
};
enum db_status store_audit_chain_heads(struct db_direct *d, struct audit_heads *out);

#include "util/banned.h"
#endif
