/* Reading a whole file into memory, capped. */
#include "util/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

char *file_read(const char *path, size_t max, size_t *len)
{
    *len = 0;
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max)
        return NULL;
    FILE *f = fopen(path, "rb");
    char *data = f ? malloc((size_t)st.st_size + 1) : NULL;
    size_t got = data ? fread(data, 1, (size_t)st.st_size, f) : 0;
    if (f)
        fclose(f);
    if (!data || got != (size_t)st.st_size) {
        free(data);
        return NULL;
    }
    data[got] = '\0';
    *len = got;
    return data;
}
