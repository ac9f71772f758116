/* The directory's vocabulary (professions, techniques, conditions) held in memory, so
 * that a search resolves "MFR" to its technique without a database round trip. */
#ifndef CLINICD_VOCAB_H
#define CLINICD_VOCAB_H

#include <stdbool.h>

#include "core/owner.h"
#include "db/session.h"

enum vocab_kind { VOCAB_PROFESSION = 'p', VOCAB_TECHNIQUE = 't', VOCAB_CONDITION = 'c' };

/* Finds text (a slug, a name or an alias, any case) of the given kind: *found, and
 * *id when found.  Reads the terms on s the first time, and again after a miss at
 * most every 10 s; a failure of that read is returned (*found false). */
enum db_status vocab_find(struct db_session *s, enum vocab_kind kind, const char *text, int *id,
                          bool *found);
/* Frees the terms (vocab_owner's stop does it too). */
void vocab_free(void);

/* Registered by main.c: nothing to start; its stop frees the terms. */
extern const struct owner vocab_owner;

#include "util/banned.h"
#endif
