/* The directory's reference lists: professions, techniques (with aliases), conditions.
 * They are short and fixed by migrations: one page, next_cursor always null. */
#include "api/handlers.h"

#include "api/outcome.h"
#include "http/reply.h"
#include "store/directory_vocab.h"

static void reply_list(struct req *r, enum store_vocab_list which)
{
    char *json;
    size_t len;
    enum db_status st = store_directory_vocab_list(&r->db, which, &json, &len);
    if (st == DB_OK)
        reply_owned(r, 200, "application/json", json, len);
    else
        reply_failure(r, st);
}

void directory_professions(struct req *r)
{
    reply_list(r, STORE_PROFESSIONS);
}

void directory_techniques(struct req *r)
{
    reply_list(r, STORE_TECHNIQUES);
}

void directory_conditions(struct req *r)
{
    reply_list(r, STORE_CONDITIONS);
}
