/* A list of ids as a uuid[] literal (cache/id_list.h). */
#include "cache/id_list.h"

#include "util/buf.h"

char *id_list_literal(const char *const *ids, size_t n)
{
    struct buf b;
    buf_init(&b, 0);
    buf_putc(&b, '{');
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? "," : "", ids[i]);
    buf_putc(&b, '}');
    return buf_detach(&b, NULL);
}
