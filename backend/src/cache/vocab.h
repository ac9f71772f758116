/* The directory's vocabulary (professions, techniques, conditions) held in memory, so
 * that a search resolves "MFR" to its technique without a database round trip. */
#ifndef CLINICD_VOCAB_H
#define CLINICD_VOCAB_H

#include "http/request.h"

enum vocab_kind { VOCAB_PROFESSION = 'p', VOCAB_TECHNIQUE = 't', VOCAB_CONDITION = 'c' };

/* Finds text (a slug, a name or an alias, any case) of the given kind.  Returns 1 and
 * sets *id when found, 0 when unknown, -1 after replying 503 (the vocabulary could
 * not be loaded). */
int vocab_lookup(struct req *r, enum vocab_kind kind, const char *text, int *id);
void vocab_free(void);

#include "util/banned.h"
#endif
