/* libFuzzer harness: the CSV import of practitioners (domain/csv.h, domain/practitioner_import.h): csv_parse with
 * generous and with tight limits, a round trip of what it parsed, and import_check
 * against a small clinic catalog.  All of it is pure: no database.
 *
 * Checked: no crash, leak or undefined behaviour; a parse either fails with a message
 * and an empty result or gives records within the limits whose fields are the clean
 * UTF-8 text they claim to be; writing the records back as CSV (every field quoted)
 * and parsing that gives the same fields; import_check counts its problems right,
 * every problem is a well-formed {row, line, field, message}, and every row it accepts
 * is a complete, resolved practitioner. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/practitioner_import.h"
#include "util/buf.h"
#include "util/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz_csv: %s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                              \
            abort();                                                                     \
        }                                                                                \
    } while (0)

#define LOC_MAIN "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
#define LOC_OLD "3f2504e0-4f89-41d3-9a0c-0305e82c3302"
#define LOC_MAIN2 "3f2504e0-4f89-41d3-9a0c-0305e82c3303"
#define LOC_EAST "3f2504e0-4f89-41d3-9a0c-0305e82c3304"
#define SVC_60 "6ba7b810-9dad-41d1-80b4-00c04fd430c8"
#define SVC_OLD "6ba7b811-9dad-41d1-80b4-00c04fd430c8"
static struct catalog_entry entries[] = {
    {'p', (char *)"massage-therapist", "1", true},
    {'p', (char *)"Massage therapist", "1", true},
    {'p', (char *)"physiotherapist", "2", true},
    {'p', (char *)"Physiotherapist", "2", true},
    {'t', (char *)"cupping", "10", true},
    {'t', (char *)"Cupping therapy", "10", true},
    {'t', (char *)"fire cupping", "10", true},
    {'t', (char *)"dry-needling", "11", true},
    {'c', (char *)"back-pain", "20", true},
    {'c', (char *)"Back pain", "20", true},
    {'c', (char *)"sciatica", "21", true},
    {'L', (char *)"Main Street", LOC_MAIN, true},
    {'L', (char *)"Old Town", LOC_OLD, false},
    {'L', (char *)"Main Street", LOC_MAIN2, true},
    {'L', (char *)"East Side", LOC_EAST, true},
    {'S', (char *)"Massage 60", SVC_60, true},
    {'S', (char *)"Intro", SVC_OLD, false},
};
static const struct catalog cat = {entries, sizeof(entries) / sizeof(entries[0])};

static bool active_id(char kind, const char *id)
{
    for (size_t i = 0; i < cat.n; i++)
        if (entries[i].kind == kind && entries[i].active && strcmp(entries[i].id, id) == 0)
            return true;
    return false;
}

static void check_parsed(const struct csv *c, size_t len, size_t max_records, size_t max_fields)
{
    CHECK(c->nrec <= max_records);
    size_t next = 0, last_line = 0, text = 0;
    for (size_t r = 0; r < c->nrec; r++) {
        const struct csv_record *rec = &c->rec[r];
        CHECK(rec->first == next);
        CHECK(rec->nfields >= 1 && rec->nfields <= max_fields);
        CHECK(rec->line > last_line); /* each record starts on a later line */
        last_line = rec->line;
        next += rec->nfields;
        for (size_t k = 0; k < rec->nfields; k++) {
            size_t flen = 0;
            const char *f = csv_field(c, r, k, &flen);
            CHECK(f != NULL);
            CHECK(strlen(f) == flen);
            CHECK(is_clean_utf8(f, flen));
            text += flen + 1;
        }
        CHECK(csv_field(c, r, rec->nfields, NULL) == NULL);
    }
    CHECK(next == c->nfields);
    CHECK(text <= len + 1); /* the unescaped text never outgrows the input */
    CHECK(csv_field(c, c->nrec, 0, NULL) == NULL);
}

/* Writes c back as CSV with every field quoted; parses it; the fields must be equal. */
static void check_round_trip(const struct csv *c)
{
    struct buf b;
    buf_init(&b, 0);
    for (size_t r = 0; r < c->nrec; r++) {
        for (size_t k = 0; k < c->rec[r].nfields; k++) {
            size_t flen;
            const char *f = csv_field(c, r, k, &flen);
            buf_putc(&b, k ? ',' : '"');
            if (k)
                buf_putc(&b, '"');
            for (size_t i = 0; i < flen; i++) {
                if (f[i] == '"')
                    buf_putc(&b, '"');
                buf_putc(&b, f[i]);
            }
            buf_putc(&b, '"');
        }
        buf_puts(&b, r % 2 ? "\r\n" : "\n");
    }
    struct csv c2;
    struct csv_error err;
    int rc = csv_parse(b.data ? b.data : "", b.len, c->nrec, 1u << 20, &c2, &err);
    if (rc != 0)
        fprintf(stderr, "fuzz_csv: the written-back CSV does not parse: line %zu: %s\n",
                err.line, err.message);
    CHECK(rc == 0);
    CHECK(c2.nrec == c->nrec && c2.nfields == c->nfields);
    for (size_t r = 0; r < c->nrec; r++) {
        CHECK(c2.rec[r].nfields == c->rec[r].nfields);
        for (size_t k = 0; k < c->rec[r].nfields; k++) {
            size_t l1, l2;
            const char *f1 = csv_field(c, r, k, &l1), *f2 = csv_field(&c2, r, k, &l2);
            CHECK(l1 == l2 && memcmp(f1, f2, l1) == 0);
        }
    }
    csv_release(&c2);
    buf_release(&b);
}

static void parse(const char *data, size_t size, size_t max_records, size_t max_fields,
                  bool round_trip)
{
    struct csv c;
    struct csv_error err;
    memset(&err, 0x5a, sizeof(err));
    int rc = csv_parse(data, size, max_records, max_fields, &c, &err);
    CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        check_parsed(&c, size, max_records, max_fields);
        if (round_trip)
            check_round_trip(&c);
        csv_release(&c);
    } else {
        CHECK(c.text == NULL && c.field == NULL && c.rec == NULL && c.nrec == 0);
        CHECK(memchr(err.message, '\0', sizeof(err.message)) && err.message[0]);
        CHECK(err.line >= 1);
    }
}

static size_t progress_calls;

static void progress(void *ctx, size_t done, size_t total)
{
    CHECK(ctx == &progress_calls);
    CHECK(done <= total);
    progress_calls++;
}

static bool is_str(json_t *v)
{
    return json_is_string(v) && is_clean_utf8(json_string_value(v), json_string_length(v));
}

static void check_ids(json_t *arr, char kind, bool ints, bool nonempty)
{
    CHECK(json_is_array(arr));
    if (nonempty)
        CHECK(json_array_size(arr) >= 1);
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) {
        char id[40];
        if (ints) {
            CHECK(json_is_integer(x));
            snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(x));
        } else {
            CHECK(json_is_string(x) && is_uuid(json_string_value(x)));
            snprintf(id, sizeof(id), "%s", json_string_value(x));
        }
        CHECK(active_id(kind, id));
    }
}

static void check_import(const char *data, size_t size)
{
    struct import_result res;
    progress_calls = 0;
    size_t problems = import_check(&cat, data, size, &res, progress, &progress_calls);
    CHECK(json_is_array(res.rows) && json_is_array(res.errors));
    CHECK(problems == json_array_size(res.errors));
    CHECK(json_array_size(res.rows) <= res.nrows);
    if (res.malformed)
        CHECK(problems == 1 && json_array_size(res.rows) == 0);
    if (problems == 0)
        CHECK(json_array_size(res.rows) == res.nrows && res.nrows >= 1);
    size_t i;
    json_t *e;
    json_array_foreach(res.errors, i, e) {
        CHECK(json_is_object(e) && json_object_size(e) == 4);
        json_t *row = json_object_get(e, "row"), *line = json_object_get(e, "line");
        CHECK(json_is_null(row) || (json_is_integer(row) && json_integer_value(row) >= 1));
        CHECK(json_is_integer(line) && json_integer_value(line) >= 1);
        CHECK(is_str(json_object_get(e, "field")));
        CHECK(is_str(json_object_get(e, "message")) &&
              json_string_length(json_object_get(e, "message")) > 0);
    }
    json_t *p;
    json_array_foreach(res.rows, i, p) {
        CHECK(json_is_object(p));
        json_t *name = json_object_get(p, "name");
        CHECK(is_str(name) && json_string_length(name) > 0);
        json_t *prof = json_object_get(p, "profession_id");
        CHECK(json_is_integer(prof));
        CHECK(is_str(json_object_get(p, "credentials")) && is_str(json_object_get(p, "bio")));
        json_t *langs = json_object_get(p, "languages");
        CHECK(json_is_array(langs) && json_array_size(langs) >= 1);
        size_t k;
        json_t *x;
        json_array_foreach(langs, k, x) CHECK(json_is_string(x) && iso639_1(json_string_value(x)));
        CHECK(json_is_boolean(json_object_get(p, "accepting_new")));
        CHECK(json_is_boolean(json_object_get(p, "home_visits")));
        CHECK(json_is_boolean(json_object_get(p, "sliding_scale")));
        check_ids(json_object_get(p, "technique_ids"), 't', true, false);
        check_ids(json_object_get(p, "condition_ids"), 'c', true, false);
        check_ids(json_object_get(p, "service_ids"), 'S', false, false);
        check_ids(json_object_get(p, "location_ids"), 'L', false, true);
    }
    import_result_release(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so that a read past the end is caught */
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);

    parse(copy, size, CSV_MAX_ROWS, CSV_MAX_COLUMNS, true);
    /* tight limits, from the input's length: the row and column limits are reached */
    parse(copy, size, size % 5, 1 + size % 4, false);
    check_import(copy, size);

    free(copy);
    return 0;
}
