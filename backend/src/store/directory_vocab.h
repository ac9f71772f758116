/* The SQL of the directory's vocabulary (professions, techniques, conditions): the
 * lists the API shows (JSON PostgreSQL built) and the terms a search resolves
 * (cache/vocab.c). */
#ifndef CLINICD_STORE_DIRECTORY_VOCAB_H
#define CLINICD_STORE_DIRECTORY_VOCAB_H

#include <stddef.h>

#include "db/session.h"

enum store_vocab_list { STORE_PROFESSIONS, STORE_TECHNIQUES, STORE_CONDITIONS };

/* The list as {"items": [...], "next_cursor": null}, malloc'd into *json (the caller
 * frees it), *len bytes. */
enum db_status store_directory_vocab_list(struct db_session *s, enum store_vocab_list which,
                                          char **json, size_t *len);

/* Every term: kind 'p', 't' or 'c', text a slug, a name or an alias (the result's own,
 * valid during the call), id the term's. */
typedef void (*store_term_fn)(char kind, const char *text, int id, size_t i, size_t n,
                              void *ctx);
enum db_status store_directory_vocab_terms(struct db_session *s, store_term_fn fn, void *ctx);

#include "util/banned.h"
#endif
