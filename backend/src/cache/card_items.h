/* The index keeper's cache of the cards' JSON items (dirindex_items, declared in
 * index_keeper.h); these two are the keeper's own. */
#ifndef CLINICD_CACHE_CARD_ITEMS_H
#define CLINICD_CACHE_CARD_ITEMS_H

/* Items answered from memory, and looked up there in vain, so far. */
void card_items_counts(long *hits, long *misses);
/* Frees the cache (when the keeper stops). */
void card_items_free(void);

#include "util/banned.h"
#endif
