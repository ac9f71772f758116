/* Unit tests for domain/csv: RFC 4180 parsing into records and fields, and every way a
 * file can fail to parse (with the line and record it names). */
#include "unit.h"

#include "domain/csv.h"

/* ---- files that parse ------------------------------------------------------------ */

#define MAXF 8
struct ok_case {
    const char *what;
    const char *data;
    size_t len;
    size_t nrec;
    /* the fields, record by record ("|" between fields, records in order) */
    const char *records[4];
    size_t lines[4];
};

static const struct ok_case ok_cases[] = {
    {"empty file", UNIT_BYTES(""), 0, {NULL}, {0}},
    {"only blank lines", UNIT_BYTES("\n\r\n\r"), 0, {NULL}, {0}},
    {"one field", UNIT_BYTES("a"), 1, {"a"}, {1}},
    {"header and a row, LF", UNIT_BYTES("a,b\n1,2\n"), 2, {"a|b", "1|2"}, {1, 2}},
    {"CRLF", UNIT_BYTES("a,b\r\n1,2\r\n"), 2, {"a|b", "1|2"}, {1, 2}},
    {"lone CR", UNIT_BYTES("a,b\r1,2"), 2, {"a|b", "1|2"}, {1, 2}},
    {"blank lines skipped, lines counted", UNIT_BYTES("a\n\n\nb\n"), 2, {"a", "b"}, {1, 4}},
    {"byte order mark skipped", UNIT_BYTES("\xef\xbb\xbf" "a,b\n"), 1, {"a|b"}, {1}},
    {"empty fields", UNIT_BYTES(",,\n"), 1, {"||"}, {1}},
    {"quoted comma", UNIT_BYTES("\"a,b\",c\n"), 1, {"a,b|c"}, {1}},
    {"doubled quote", UNIT_BYTES("\"say \"\"hi\"\"\"\n"), 1, {"say \"hi\""}, {1}},
    {"quoted line breaks become LF", UNIT_BYTES("\"a\r\nb\rc\",d\ne\n"), 2, {"a\nb\nc|d", "e"},
     {1, 4}},
    {"space before a quote", UNIT_BYTES("  \"a\"  ,b\n"), 1, {"a|b"}, {1}},
    {"spaces kept in plain fields", UNIT_BYTES(" a , b \n"), 1, {" a | b "}, {1}},
    {"tab allowed", UNIT_BYTES("a\tb,c\n"), 1, {"a\tb|c"}, {1}},
    {"UTF-8 text", UNIT_BYTES("Zo\xc3\xab,\xe6\x97\xa5,\xf0\x9f\x98\x80\n"), 1,
     {"Zo\xc3\xab|\xe6\x97\xa5|\xf0\x9f\x98\x80"}, {1}},
    {"no final line break", UNIT_BYTES("a,b\n1,2"), 2, {"a|b", "1|2"}, {1, 2}},
    {"ragged records", UNIT_BYTES("a,b,c\n1\n"), 2, {"a|b|c", "1"}, {1, 2}},
    {"empty quoted field", UNIT_BYTES("\"\",x\n"), 1, {"|x"}, {1}},
};

/* The record's fields joined with "|". */
static void joined(const struct csv *c, size_t rec, char *out, size_t outlen)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t k = 0; k < c->rec[rec].nfields; k++) {
        size_t len;
        const char *f = csv_field(c, rec, k, &len);
        assert_non_null(f);
        assert_int_equal(strlen(f), len);
        int w = snprintf(out + o, outlen - o, "%s%s", k ? "|" : "", f);
        assert_true(w >= 0 && (size_t)w < outlen - o);
        o += (size_t)w;
    }
}

static void test_ok_row(void **state)
{
    const struct ok_case *c = UNIT_ROW(struct ok_case, state);
    struct csv csv;
    struct csv_error err;
    assert_int_equal(csv_parse(c->data, c->len, 100, MAXF, &csv, &err), 0);
    assert_int_equal(csv.nrec, c->nrec);
    for (size_t r = 0; r < c->nrec; r++) {
        char got[256];
        joined(&csv, r, got, sizeof(got));
        assert_string_equal(got, c->records[r]);
        assert_int_equal(csv.rec[r].line, c->lines[r]);
        assert_null(csv_field(&csv, r, csv.rec[r].nfields, NULL));
    }
    assert_null(csv_field(&csv, c->nrec, 0, NULL));
    csv_release(&csv);
    assert_null(csv.text);
    assert_int_equal(csv.nrec, 0);
}

/* ---- files that do not ----------------------------------------------------------- */

struct bad_case {
    const char *what;
    const char *data;
    size_t len;
    size_t max_records, max_fields;
    size_t line, record;
    const char *message_has;
};

static const struct bad_case bad_cases[] = {
    {"quote never closed", UNIT_BYTES("a\n\"b,c\nd\n"), 100, MAXF, 2, 2, "never closed"},
    {"text after a closing quote", UNIT_BYTES("\"a\"b\n"), 100, MAXF, 1, 1, "follows a closing"},
    {"quote inside a plain field", UNIT_BYTES("a,b\"c\n"), 100, MAXF, 1, 1,
     "does not start with one"},
    {"NUL byte", UNIT_BYTES("a\nb\0c\n"), 100, MAXF, 2, 0, "control character"},
    {"control character", UNIT_BYTES("a\x01\n"), 100, MAXF, 1, 0, "control character"},
    {"DEL", UNIT_BYTES("a\n\n\x7f"), 100, MAXF, 3, 0, "control character"},
    {"Latin-1 byte", UNIT_BYTES("caf\xe9\n"), 100, MAXF, 1, 0, "not UTF-8"},
    {"overlong sequence", UNIT_BYTES("\xc0\xaf\n"), 100, MAXF, 1, 0, "not UTF-8"},
    {"surrogate", UNIT_BYTES("\xed\xa0\x80\n"), 100, MAXF, 1, 0, "not UTF-8"},
    {"truncated sequence at the end", UNIT_BYTES("ab\xe6\x97"), 100, MAXF, 1, 0, "not UTF-8"},
    {"too many rows", UNIT_BYTES("a\nb\nc\n"), 2, MAXF, 3, 3, "too many rows"},
    {"too many columns", UNIT_BYTES("a,b\n1,2,3\n"), 100, 2, 2, 2, "too many columns"},
    {"line counted across quoted breaks", UNIT_BYTES("\"a\nb\"\n\"c\"x\n"), 100, MAXF, 3, 2,
     "follows a closing"},
};

static void test_bad_row(void **state)
{
    const struct bad_case *c = UNIT_ROW(struct bad_case, state);
    struct csv csv;
    struct csv_error err;
    assert_int_equal(csv_parse(c->data, c->len, c->max_records, c->max_fields, &csv, &err), -1);
    assert_int_equal(err.line, c->line);
    assert_int_equal(err.record, c->record);
    assert_non_null(strstr(err.message, c->message_has));
    assert_null(csv.text);
    assert_null(csv.rec);
    assert_int_equal(csv.nrec, 0);
    csv_release(&csv); /* (harmless on an empty one) */
}

/* ---- limits are exact ------------------------------------------------------------ */

static void test_limits_exact(void **state)
{
    (void)state;
    struct csv csv;
    struct csv_error err;
    assert_int_equal(csv_parse(UNIT_BYTES("a,b\nc,d\n"), 2, 2, &csv, &err), 0);
    assert_int_equal(csv.nrec, 2);
    assert_int_equal(csv.nfields, 4);
    csv_release(&csv);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(ok_cases); i++)
        unit_add(&s, test_ok_row, &ok_cases[i], "csv_parse[%zu] %s", i, ok_cases[i].what);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(bad_cases); i++)
        unit_add(&s, test_bad_row, &bad_cases[i], "csv_parse refuses[%zu] %s", i,
                 bad_cases[i].what);
    unit_add(&s, test_limits_exact, NULL, "csv_parse: exactly max records and fields");
    return unit_run(&s, "csv", NULL, NULL);
}
