/* The JSON reads of store/ (see read.h). */
#include "store/read.h"

enum db_status store_read_json(struct db_session *s, const struct store_read *rd, const char *a,
                               const char *b, char **json, size_t *len)
{
    const char *v[] = {a, b}; /* a statement of one parameter reads only a */
    return db_query_text(s, rd->st, v, json, len);
}
