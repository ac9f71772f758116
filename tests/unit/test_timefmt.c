/* Unit tests for domain/timefmt: strict RFC 3339 instants and ISO dates.  Expected
 * instants are epoch seconds checked with `date -u -d ... +%s`. */
#include "unit.h"

#include "domain/timefmt.h"
#include "domain/tz.h"

/* ---- rfc3339_parse: accepted ------------------------------------------------------- */

struct parse_ok {
    const char *text;
    int64_t want;
};

static const struct parse_ok parse_ok_cases[] = {
    {"2026-03-08T10:00:00Z", 1772964000},
    {"2026-03-08T10:00:00z", 1772964000},
    {"2026-03-08t10:00:00Z", 1772964000},             /* RFC 3339 5.6: t may be lower case */
    {"2026-03-08T10:00:00+00:00", 1772964000},
    {"2026-03-08T10:00:00-00:00", 1772964000},        /* RFC 3339 4.3: unknown local offset */
    {"2026-03-08T10:00:00-05:00", 1772982000},
    {"2026-03-08T10:00:00-08:00", 1772992800},
    {"2026-03-08T10:00:00+05:30", 1772944200},
    {"2026-03-08T10:00:00+05:45", 1772943300},
    {"2026-03-08T10:00:00-03:30", 1772976600},
    {"2026-03-08T10:00:00+14:00", 1772913600},
    {"2026-03-08T10:00:00-12:00", 1773007200},
    {"2026-03-08T10:00:00+23:59", 1772877660},        /* the widest offset the form allows */
    {"2026-03-08T10:00:00.0Z", 1772964000},
    {"2026-03-08T10:00:00.000Z", 1772964000},
    {"2026-03-08T10:00:00.000000000-05:00", 1772982000},
    {"1970-01-01T00:00:00Z", 0},
    {"1970-01-01T00:00:01+00:00", 1},
    {"1970-01-01T00:00:00+00:01", -60},
    {"1969-12-31T23:59:59Z", -1},
    {"1900-01-01T00:00:00Z", -2208988800},            /* the earliest year accepted */
    {"9999-12-31T23:59:59Z", 253402300799},
    {"2024-02-29T12:00:00Z", 1709208000},             /* leap day */
    {"2000-02-29T00:00:00Z", 951782400},              /* divisible by 400: leap */
    {"2026-12-31T23:59:59Z", 1798761599},
    {"2027-01-01T00:00:00+01:00", 1798758000},        /* local new year, UTC old year */
    {"2026-12-31T23:00:00-02:00", 1798765200},        /* local old year, UTC new year */
    {"2026-03-08T00:00:00Z", 1772928000},
    {"2026-03-08T23:59:59Z", 1773014399},
};

static void test_parse_ok_row(void **state)
{
    const struct parse_ok *c = UNIT_ROW(struct parse_ok, state);
    int64_t got = 0x5a5a5a5a;
    assert_int_equal(rfc3339_parse(c->text, &got), 0);
    assert_int_equal(got, c->want);
}

/* ---- rfc3339_parse: refused -------------------------------------------------------- */

struct parse_bad {
    const char *what;
    const char *text;
};

static const struct parse_bad parse_bad_cases[] = {
    {"empty", ""},
    {"date only", "2026-03-08"},
    {"missing offset", "2026-03-08T10:00:00"},
    {"missing offset after a fraction", "2026-03-08T10:00:00.000"},
    {"missing seconds", "2026-03-08T10:00Z"},
    {"missing seconds with an offset", "2026-03-08T10:00+05:30"},
    {"nonzero fraction", "2026-03-08T10:00:00.5Z"},
    {"nonzero fraction after zeros", "2026-03-08T10:00:00.0001Z"},
    {"nonzero fraction before an offset", "2026-03-08T10:00:00.100+01:00"},
    {"empty fraction", "2026-03-08T10:00:00.Z"},
    {"comma fraction", "2026-03-08T10:00:00,000Z"},
    {"hour 24", "2026-03-08T24:00:00Z"},
    {"minute 60", "2026-03-08T23:60:00Z"},
    {"leap second", "2026-12-31T23:59:60Z"},
    {"second 61", "2026-03-08T10:00:61Z"},
    {"February 30", "2026-02-30T10:00:00Z"},
    {"February 29 in a common year", "2026-02-29T10:00:00Z"},
    {"February 29 in 1900", "1900-02-29T10:00:00Z"},
    {"April 31", "2026-04-31T10:00:00Z"},
    {"month 13", "2026-13-01T10:00:00Z"},
    {"month 0", "2026-00-01T10:00:00Z"},
    {"day 0", "2026-03-00T10:00:00Z"},
    {"day 32", "2026-01-32T10:00:00Z"},
    {"year before 1900", "1899-12-31T23:59:59Z"},
    {"space separator", "2026-03-08 10:00:00Z"},
    {"underscore separator", "2026-03-08_10:00:00Z"},
    {"no separator", "2026-03-0810:00:00Z"},
    {"trailing junk after Z", "2026-03-08T10:00:00Zx"},
    {"trailing space", "2026-03-08T10:00:00Z "},
    {"trailing newline", "2026-03-08T10:00:00Z\n"},
    {"double Z", "2026-03-08T10:00:00ZZ"},
    {"trailing junk after offset", "2026-03-08T10:00:00+05:30x"},
    {"offset with seconds", "2026-03-08T10:00:00+05:30:00"},
    {"leading space", " 2026-03-08T10:00:00Z"},
    {"offset without colon", "2026-03-08T10:00:00+0530"},
    {"offset hours only", "2026-03-08T10:00:00+05"},
    {"offset one-digit hour", "2026-03-08T10:00:00+5:30"},
    {"offset hour 24", "2026-03-08T10:00:00+24:00"},
    {"offset minute 60", "2026-03-08T10:00:00+05:60"},
    {"offset letters", "2026-03-08T10:00:00+ab:cd"},
    {"named zone", "2026-03-08T10:00:00EST"},
    {"UTC word", "2026-03-08T10:00:00UTC"},
    {"one-digit month", "2026-3-08T10:00:00Z"},
    {"one-digit hour", "2026-03-08T9:00:00Z"},
    {"slashes", "2026/03/08T10:00:00Z"},
    {"dots in time", "2026-03-08T10.00.00Z"},
    {"sign in year", "+2026-03-08T10:00:00Z"},
    {"five-digit year", "20260-03-08T10:00:00Z"},
    {"minus inside a number", "2026-03-08T1-:00:00Z"},
    {"space inside a number", "2026-03-08T 1:00:00Z"},
    {"letters", "abcd-ef-ghTij:kl:mnZ"},
    {"NUL inside", "2026-03-08T10:00:00\0Z"},
};

static void test_parse_bad_row(void **state)
{
    const struct parse_bad *c = UNIT_ROW(struct parse_bad, state);
    int64_t got = 0x5a5a5a5a;
    assert_int_equal(rfc3339_parse(c->text, &got), -1);
}

/* ---- rfc3339_format ---------------------------------------------------------------- */

struct format_case {
    int64_t t;
    int32_t offset;
    const char *want;
};

static const struct format_case format_cases[] = {
    {1772964000, 0, "2026-03-08T10:00:00Z"},
    {1772964000, -18000, "2026-03-08T05:00:00-05:00"},
    {1772964000, -14400, "2026-03-08T06:00:00-04:00"},
    {1772964000, 19800, "2026-03-08T15:30:00+05:30"},
    {1772964000, 20700, "2026-03-08T15:45:00+05:45"},
    {1772964000, -12600, "2026-03-08T06:30:00-03:30"},
    {1772964000, -34200, "2026-03-08T00:30:00-09:30"},
    {1772964000, -36000, "2026-03-08T00:00:00-10:00"},
    {1772964000, -36060, "2026-03-07T23:59:00-10:01"},  /* the day before locally */
    {1772964000, 50400, "2026-03-09T00:00:00+14:00"},   /* the day after locally */
    {1772964000, -1800, "2026-03-08T09:30:00-00:30"},   /* negative, under an hour */
    {0, 0, "1970-01-01T00:00:00Z"},
    {-1, 0, "1969-12-31T23:59:59Z"},
    {-1, 3600, "1970-01-01T00:59:59+01:00"},
    {0, -3600, "1969-12-31T23:00:00-01:00"},
    {-2208988800, 0, "1900-01-01T00:00:00Z"},
    {253402300799, 0, "9999-12-31T23:59:59Z"},
    {253402300799, -43200, "9999-12-31T11:59:59-12:00"},
    {1709208000, 0, "2024-02-29T12:00:00Z"},
    {1798761599, 0, "2026-12-31T23:59:59Z"},
    {1798761599, 3600, "2027-01-01T00:59:59+01:00"},
};

static void test_format_row(void **state)
{
    const struct format_case *c = UNIT_ROW(struct format_case, state);
    char out[26];
    memset(out, 'x', sizeof(out));
    rfc3339_format(c->t, c->offset, out, sizeof(out));
    assert_string_equal(out, c->want);
    /* and it reads back as the same instant */
    int64_t back = 0;
    assert_int_equal(rfc3339_parse(out, &back), 0);
    assert_int_equal(back, c->t);
}

/* A buffer too small gets a truncated, terminated string, never an overrun. */
static void test_format_small_buffer(void **state)
{
    (void)state;
    char out[12];
    memset(out, 'x', sizeof(out));
    rfc3339_format(1772964000, -18000, out, 11);
    assert_string_equal(out, "2026-03-08");
    assert_int_equal(out[11], 'x');
}

/* Every 997 seconds over two years and across offsets from -12:00 to +14:00 in
 * quarter hours: format then parse gives back the instant. */
static void test_format_parse_sweep(void **state)
{
    (void)state;
    for (int32_t off = -12 * 3600; off <= 14 * 3600; off += 900) {
        for (int64_t t = 1735689600; t < 1735689600 + 2 * 366 * 86400; t += 997 * 29) {
            char out[26];
            rfc3339_format(t, off, out, sizeof(out));
            int64_t back = 0;
            if (rfc3339_parse(out, &back) != 0 || back != t)
                fail_msg("t=%lld offset=%d formats as \"%s\" which reads back as %lld",
                         (long long)t, off, out, (long long)back);
        }
    }
}

/* ---- rfc3339_write against the snprintf formatter it replaced ---------------------- */

/* rfc3339_format as it was before rfc3339_write: one snprintf of the calendar fields.
 * The writer must give these bytes for every instant and offset. */
static void format_before(int64_t t, int32_t offset, char *out, size_t outlen)
{
    int64_t local = t + offset;
    int64_t day = day_of(local);
    int64_t secs = local - day * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    char off[16];
    if (offset == 0) {
        snprintf(off, sizeof(off), "Z");
    } else {
        int32_t a = offset < 0 ? -offset : offset;
        snprintf(off, sizeof(off), "%c%02d:%02d", offset < 0 ? '-' : '+', (int)(a / 3600),
                 (int)(a % 3600 / 60));
    }
    snprintf(out, outlen, "%04lld-%02u-%02uT%02d:%02d:%02d%s", (long long)y, m, d,
             (int)(secs / 3600), (int)(secs % 3600 / 60), (int)(secs % 60), off);
}

/* Offsets of every kind: whole, half and three-quarter hours both ways, local mean
 * times with seconds (New York -4:56:02, Amsterdam +0:19:32), a minute or a second
 * off UTC, a day less a second, and the 100 hours and more no zone has (the form
 * written for them must not change either). */
static const int32_t write_offsets[] = {
    0,      1,      -1,     59,     -59,    60,     -60,    1800,   -1800,  2700,
    -2700,  3600,   -3600,  7200,   -7200,  12600,  -12600, 16200,  -16200, 18000,
    -18000, 19800,  -19800, 20700,  -20700, 31500,  -31500, 34200,  -34200, 35100,
    -35100, 37800,  -37800, 43200,  -43200, 45900,  -45900, 50400,  -50400, -17762,
    1172,   -36060, 86399,  -86399, 86400,  -86400, 359999, -359999, 360000, -360000,
    INT32_MAX / 2, -(INT32_MAX / 2),
};

/* Instants: around the epoch, local midnights and year ends, the years 0 to 9999
 * that the short form covers, and beyond them both ways. */
static const int64_t write_instants[] = {
    0,
    -1,
    1,
    86399,
    86400,
    1772964000,         /* 2026-03-08T10:00:00Z */
    1772928000,         /* 2026-03-08T00:00:00Z */
    1772927999,
    1798761599,         /* 2026-12-31T23:59:59Z */
    1709208000,         /* 2024-02-29T12:00:00Z */
    951782400,          /* 2000-02-29 */
    -2208988800,        /* 1900-01-01 */
    -62167219200,       /* 0000-01-01 */
    -62167219201,       /* a second before: year -1 */
    -62135596800,       /* 0001-01-01 */
    253402300799,       /* 9999-12-31T23:59:59Z */
    253402300800,       /* 10000-01-01 */
    -99999999999,
    999999999999,
    4102444800,         /* 2100-01-01 */
};

static void check_write(int64_t t, int32_t offset, struct rfc3339_memo *memo)
{
    char want[64], got[RFC3339_MAX + 1], via_memo[RFC3339_MAX + 1], formatted[64];
    format_before(t, offset, want, sizeof(want));
    memset(got, 'x', sizeof(got));
    size_t n = rfc3339_write(t, offset, got);
    if (n != strlen(want) || memcmp(got, want, n) != 0)
        fail_msg("rfc3339_write(%lld, %d) wrote \"%.*s\", before it was \"%s\"", (long long)t,
                 offset, (int)n, got, want);
    size_t m = rfc3339_write_memo(memo, t, offset, via_memo);
    if (m != n || memcmp(via_memo, want, m) != 0)
        fail_msg("rfc3339_write_memo(%lld, %d) after another instant wrote \"%.*s\", not \"%s\"",
                 (long long)t, offset, (int)m, via_memo, want);
    rfc3339_format(t, offset, formatted, sizeof(formatted));
    if (strcmp(formatted, want) != 0)
        fail_msg("rfc3339_format(%lld, %d) gave \"%s\", before \"%s\"", (long long)t, offset,
                 formatted, want);
}

/* Every listed instant, and a second either side, in every listed offset. */
static void test_write_listed(void **state)
{
    (void)state;
    struct rfc3339_memo memo = RFC3339_MEMO_INIT;
    for (size_t o = 0; o < UNIT_ARRAY_LEN(write_offsets); o++)
        for (size_t i = 0; i < UNIT_ARRAY_LEN(write_instants); i++)
            for (int64_t d = -1; d <= 1; d++)
                check_write(write_instants[i] + d, write_offsets[o], &memo);
}

/* From the year 0 to 9999 in steps of about 1014 days and an odd number of seconds
 * (every time of day and day of the month comes round), in each offset, then three
 * hours around New York's spring change of 2026 every 7 seconds in a few offsets: one
 * memo throughout, so that it is reused within a day and renewed across days. */
static void test_write_sweep(void **state)
{
    (void)state;
    struct rfc3339_memo memo = RFC3339_MEMO_INIT;
    for (size_t o = 0; o < UNIT_ARRAY_LEN(write_offsets); o++)
        for (int64_t t = -62167219200 - 86400; t < 253402300799 + 2 * 86400; t += 87654321)
            check_write(t, write_offsets[o], &memo);
    static const int32_t near[] = {-18000, -14400, 3600, 7200, 19800, -12600};
    for (int64_t t = 1772953200; t < 1772953200 + 3 * 3600; t += 7)
        for (size_t o = 0; o < UNIT_ARRAY_LEN(near); o++)
            check_write(t, near[o], &memo);
}

/* The memo's date belongs to a local day: instants that go back and forth between
 * days, and the same instant in offsets that put it on another date, each get their
 * own date. */
static void test_write_memo_jumps(void **state)
{
    (void)state;
    struct rfc3339_memo memo = RFC3339_MEMO_INIT;
    static const int64_t walk[] = {1772928000, 1772927999, 1772928000, 1772928000 + 86399,
                                   1772928000 + 86400, 1772928000, 253402300799, 0,
                                   -62167219201, 1772928000, 1772928000 - 86400 * 366};
    static const int32_t offs[] = {0, -1, 1, 50400, -43200, 360000, -360000, 19800};
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < UNIT_ARRAY_LEN(walk); i++)
            for (size_t o = 0; o < UNIT_ARRAY_LEN(offs); o++)
                check_write(walk[i], offs[(o + k + i) % UNIT_ARRAY_LEN(offs)], &memo);
}

/* rfc3339_format into every size of buffer: what snprintf made of it, terminated,
 * and nothing written past the size. */
static void test_format_every_size(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        int32_t offset;
    } cases[] = {{1772964000, -18000}, {1772964000, 0}, {253402300800, 19800},
                 {-62167219201, -360000}};
    for (size_t c = 0; c < UNIT_ARRAY_LEN(cases); c++) {
        char full[64];
        format_before(cases[c].t, cases[c].offset, full, sizeof(full));
        for (size_t size = 0; size <= strlen(full) + 2; size++) {
            char want[72], got[72];
            memset(want, 'x', sizeof(want));
            memset(got, 'x', sizeof(got));
            format_before(cases[c].t, cases[c].offset, want, size);
            rfc3339_format(cases[c].t, cases[c].offset, got, size);
            if (memcmp(got, want, sizeof(got)) != 0)
                fail_msg("rfc3339_format(%lld, %d) into %zu bytes gave \"%.*s\", before \"%.*s\"",
                         (long long)cases[c].t, cases[c].offset, size, (int)size, got, (int)size,
                         want);
        }
    }
}

/* ---- dates ------------------------------------------------------------------------- */

struct date_case {
    const char *text;
    int64_t days;
};

static const struct date_case date_cases[] = {
    {"1970-01-01", 0},      {"1969-12-31", -1},     {"1900-01-01", -25567},
    {"1900-02-28", -25509}, {"1900-03-01", -25508}, {"2000-02-29", 11016},
    {"2024-02-29", 19782},  {"2024-03-01", 19783},  {"2026-03-08", 20520},
    {"2026-11-23", 20780},  {"2026-12-31", 20818},  {"2100-02-28", 47540},
    {"2100-03-01", 47541},  {"9999-12-31", 2932896},
};

static void test_date_row(void **state)
{
    const struct date_case *c = UNIT_ROW(struct date_case, state);
    int64_t days = 0x5a5a5a5a;
    assert_int_equal(date_parse(c->text, &days), 0);
    assert_int_equal(days, c->days);
    char out[11];
    date_format(c->days, out, sizeof(out));
    assert_string_equal(out, c->text);
}

static const struct parse_bad date_bad_cases[] = {
    {"empty", ""},
    {"February 30", "2026-02-30"},
    {"February 29 in a common year", "2026-02-29"},
    {"February 29 in 2100", "2100-02-29"},
    {"February 29 in 1900", "1900-02-29"},
    {"April 31", "2026-04-31"},
    {"June 31", "2026-06-31"},
    {"September 31", "2026-09-31"},
    {"November 31", "2026-11-31"},
    {"month 13", "2026-13-01"},
    {"month 0", "2026-00-10"},
    {"day 0", "2026-03-00"},
    {"day 32", "2026-01-32"},
    {"year before 1900", "1899-12-31"},
    {"year 0000", "0000-01-01"},
    {"one-digit month", "2026-3-08"},
    {"one-digit day", "2026-03-8"},
    {"no dashes", "20260308"},
    {"slashes", "2026/03/08"},
    {"trailing junk", "2026-03-08x"},
    {"trailing space", "2026-03-08 "},
    {"leading space", " 2026-03-08"},
    {"a time", "2026-03-08T10:00:00Z"},
    {"sign", "+2026-03-08"},
    {"five-digit year", "20260-03-08"},
    {"minus in the day", "2026-03--1"},
    {"letters", "yyyy-mm-dd"},
};

static void test_date_bad_row(void **state)
{
    const struct parse_bad *c = UNIT_ROW(struct parse_bad, state);
    int64_t days = 0x5a5a5a5a;
    assert_int_equal(date_parse(c->text, &days), -1);
}

/* Every day from 1900-01-01 to 9999-12-31 formats and parses back to itself, and the
 * day after a date formats to a later string (ISO dates sort as text). */
static void test_date_walk(void **state)
{
    (void)state;
    char prev[11] = "";
    for (int64_t day = -25567; day <= 2932896; day++) {
        char out[11];
        date_format(day, out, sizeof(out));
        int64_t back = 0;
        if (date_parse(out, &back) != 0 || back != day)
            fail_msg("day %lld formats as \"%s\" which reads back as %lld", (long long)day, out,
                     (long long)back);
        if (strcmp(prev, out) >= 0)
            fail_msg("\"%s\" does not sort after \"%s\"", out, prev);
        memcpy(prev, out, sizeof(prev));
    }
}

int main(void)
{
    struct unit_suite s = {0};
    char e[96];
    for (size_t i = 0; i < UNIT_ARRAY_LEN(parse_ok_cases); i++)
        unit_add(&s, test_parse_ok_row, &parse_ok_cases[i], "rfc3339_parse accepts[%zu] %s", i,
                 parse_ok_cases[i].text);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(parse_bad_cases); i++)
        unit_add(&s, test_parse_bad_row, &parse_bad_cases[i],
                 "rfc3339_parse refuses[%zu] %s \"%s\"", i, parse_bad_cases[i].what,
                 unit_escape(parse_bad_cases[i].text, strlen(parse_bad_cases[i].text), e,
                             sizeof(e)));
    for (size_t i = 0; i < UNIT_ARRAY_LEN(format_cases); i++)
        unit_add(&s, test_format_row, &format_cases[i], "rfc3339_format[%zu] %s", i,
                 format_cases[i].want);
    unit_add(&s, test_format_small_buffer, NULL, "rfc3339_format into a small buffer");
    unit_add(&s, test_format_parse_sweep, NULL, "rfc3339_format then parse, many offsets");
    unit_add(&s, test_write_listed, NULL,
             "rfc3339_write, _memo and _format as before, listed instants and offsets");
    unit_add(&s, test_write_sweep, NULL, "rfc3339_write as before, years 0 to 9999, all offsets");
    unit_add(&s, test_write_memo_jumps, NULL, "rfc3339_write_memo across days back and forth");
    unit_add(&s, test_format_every_size, NULL, "rfc3339_format into every buffer size as before");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(date_cases); i++)
        unit_add(&s, test_date_row, &date_cases[i], "date round trip[%zu] %s", i,
                 date_cases[i].text);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(date_bad_cases); i++)
        unit_add(&s, test_date_bad_row, &date_bad_cases[i], "date_parse refuses[%zu] %s \"%s\"",
                 i, date_bad_cases[i].what,
                 unit_escape(date_bad_cases[i].text, strlen(date_bad_cases[i].text), e,
                             sizeof(e)));
    unit_add(&s, test_date_walk, NULL, "date walk from 1900 to 9999");
    return unit_run(&s, "timefmt", NULL, NULL);
}
