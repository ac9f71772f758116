/* A list of ids as the uuid[] literal store/ takes ("{id,id,...}"): the schedule
 * cache's reads of several practitioners and the notification worker's rows. */
#ifndef CLINICD_ID_LIST_H
#define CLINICD_ID_LIST_H

#include <stddef.h>

/* "{ids[0],...,ids[n-1]}" ("{}" when n is 0), malloc'd: the caller frees it. */
char *id_list_literal(const char *const *ids, size_t n);

#include "util/banned.h"
#endif
