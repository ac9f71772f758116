/* Unit tests for util/file: a whole file read into memory, capped, or nothing. */
#include "unit.h"

#include <sys/stat.h>
#include <unistd.h>

#include "util/file.h"

static char dir[64];

struct read_case {
    const char *what;
    const char *name;     /* under dir; NULL: dir itself */
    const char *contents; /* written first; NULL: no file */
    size_t len;
    size_t max;
    bool read;            /* a copy is expected */
};

static const struct read_case read_cases[] = {
    {"a small file", "a.json", UNIT_BYTES("{\"openapi\": \"3.1.0\"}"), 1024, true},
    {"exactly the cap", "b.txt", UNIT_BYTES("12345678"), 8, true},
    {"one byte over the cap", "c.txt", UNIT_BYTES("123456789"), 8, false},
    {"an empty file", "d.txt", UNIT_BYTES(""), 8, true},
    {"bytes that are not text, a NUL among them", "e.bin", UNIT_BYTES("\x00\xff\x01"), 8, true},
    {"a file that is not there", "missing.txt", NULL, 0, 1024, false},
    {"a directory", NULL, NULL, 0, 1 << 20, false},
};

static void test_read_row(void **state)
{
    const struct read_case *c = UNIT_ROW(struct read_case, state);
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, c->name ? c->name : "");
    if (c->contents) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(c->contents, 1, c->len, f), c->len);
        fclose(f);
    }
    size_t len = 12345;
    char *data = file_read(c->name ? path : dir, c->max, &len);
    if (c->read) {
        assert_non_null(data);
        assert_int_equal(len, c->len);
        assert_memory_equal(data, c->contents, c->len);
        assert_int_equal(data[len], '\0');
    } else {
        assert_null(data);
        assert_int_equal(len, 0);
    }
    free(data);
    if (c->contents)
        unlink(path);
}

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/clinicd-test-file-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    return rmdir(dir);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(read_cases); i++)
        unit_add(&s, test_read_row, &read_cases[i], "file_read[%zu] %s", i, read_cases[i].what);
    return unit_run(&s, "file", make_dir, remove_dir);
}
