/* Unit tests for domain/tz: zone names, UTC offsets and wall-clock conversion around
 * real daylight-saving changes, and the calendar helpers.  Expected instants come from
 * `zdump -v ZONE` and are written here as UTC text read with the C library's timegm,
 * never with the code under test. */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "domain/tz.h"

/* "YYYY-MM-DDTHH:MM[:SS]" read as UTC (an optional trailing 'Z' is ignored), through
 * timegm: an oracle independent of domain/tz. */
static int64_t at(const char *s)
{
    int y, mo, d, h, mi, sec = 0;
    int n = sscanf(s, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec);
    if (n < 5)
        fail_msg("bad test timestamp \"%s\"", s);
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return (int64_t)timegm(&tm);
}

static const struct tz *zone(const char *name)
{
    const struct tz *z = tz_get(name);
    if (!z)
        fail_msg("tz_get(\"%s\") returned NULL", name);
    return z;
}

/* ---- zone names ------------------------------------------------------------------ */

static const char *const valid_names[] = {
    "UTC",
    "Etc/UTC",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "America/Phoenix",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Argentina/Buenos_Aires", /* three parts */
    "America/Port-au-Prince",         /* hyphen */
    "Etc/GMT+5",                      /* plus sign */
};

static void test_valid_name_row(void **state)
{
    const char *name = *(const char *const *)*state;
    const struct tz *z = tz_get(name);
    assert_non_null(z);
    assert_string_equal(tz_name(z), name);
    /* loaded once: the second call returns the very same zone */
    assert_ptr_equal(tz_get(name), z);
    /* the name is the zone's own copy, not the caller's buffer */
    char copy[80];
    snprintf(copy, sizeof(copy), "%s", name);
    assert_ptr_equal(tz_get(copy), z);
    copy[0] = 'x';
    assert_string_equal(tz_name(z), name);
}

struct bad_name {
    const char *what;
    const char *name;
};

static const struct bad_name bad_names[] = {
    {"NULL", NULL},
    {"empty", ""},
    {"parent directory escape", "../etc/passwd"},
    {"parent directory inside", "America/../UTC"},
    {"absolute path", "/etc/localtime"},
    {"absolute zoneinfo path", "/usr/share/zoneinfo/UTC"},
    {"dot directory", "./UTC"},
    {"no such zone", "Nowhere/City"},
    {"no such zone in a real area", "America/Nowhere"},
    {"space inside", "America/New York"},
    {"leading space", " UTC"},
    {"trailing space", "UTC "},
    {"trailing newline", "UTC\n"},
    {"a directory", "America"},
    {"a directory with a slash", "America/"},
    {"a text file of the database", "zone1970.tab"},
    {"wrong case", "america/new_york"},
    {"glob", "America/*"},
    {"longer than any zone name",
     "America/Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
};

static void test_bad_name_row(void **state)
{
    const struct bad_name *c = UNIT_ROW(struct bad_name, state);
    assert_null(tz_get(c->name));
    /* and still NULL the second time (a failure is not cached as a zone) */
    assert_null(tz_get(c->name));
}

/* tz_get is thread-safe: threads racing to load the same zone all get one pointer. */
#define RACERS 8
static void *race_get(void *arg)
{
    (void)arg;
    return (void *)(uintptr_t)tz_get("Europe/Paris");
}

static void test_threads_share_zone(void **state)
{
    (void)state;
    pthread_t th[RACERS];
    void *got[RACERS];
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, race_get, NULL), 0);
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_join(th[i], &got[i]), 0);
    assert_non_null(got[0]);
    for (int i = 1; i < RACERS; i++)
        assert_ptr_equal(got[i], got[0]);
    assert_ptr_equal(tz_get("Europe/Paris"), got[0]);
}

/* ---- damaged zone files under $TZDIR ----------------------------------------------- */

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16;
    unsigned char *d = malloc(cap);
    assert_non_null(d);
    *len = fread(d, 1, cap, f);
    fclose(f);
    return d;
}

static void spit(const char *path, const unsigned char *d, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(d, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* A zone file cut short anywhere before the end of its 64-bit data, or with a bad
 * magic, is refused without reading past the data (run under valgrind); the whole file
 * loads and gives New York's offsets; a good file under a name that is not a zone name
 * (a space, dots, other punctuation) is refused. */
static void test_damaged_files(void **state)
{
    (void)state;
    size_t len = 0;
    unsigned char *ny = slurp("/usr/share/zoneinfo/America/New_York", &len);
    if (!ny)
        skip();
    assert_true(len > 1000 && len < (1 << 16));
    char dir[] = "/tmp/clinicd-tz-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[128], path[1024];
    snprintf(sub, sizeof(sub), "%s/Damaged", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(setenv("TZDIR", dir, 1), 0);

    /* the version-1 block ends at 44 + its counts; the version-2 block follows */
    size_t cuts[] = {0, 3, 4, 20, 43, 44, 100, 500, 1000, 1200, 1500, 2000, 2500};
    char names[UNIT_ARRAY_LEN(cuts)][64];
    for (size_t i = 0; i < UNIT_ARRAY_LEN(cuts); i++) {
        snprintf(names[i], sizeof(names[i]), "Damaged/Cut%zu", cuts[i]);
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        spit(path, ny, cuts[i]);
    }
    unsigned char *bad = malloc(len);
    assert_non_null(bad);
    memcpy(bad, ny, len);
    bad[0] = 'X'; /* magic */
    snprintf(path, sizeof(path), "%s/Damaged/BadMagic", dir);
    spit(path, bad, len);
    snprintf(path, sizeof(path), "%s/Damaged/Whole", dir);
    spit(path, ny, len);
    /* good files whose names are not zone names */
    static const char *const odd[] = {"Damaged/With Space", "Damaged/x..y", "Damaged/a.b",
                                      "Damaged/semi;colon"};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(odd); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, odd[i]);
        spit(path, ny, len);
    }

    /* look everything up, then clean up, then judge: a failure must not leave $TZDIR
     * pointing at the scratch directory for the cases after this one */
    char why[160] = "";
    for (size_t i = 0; i < UNIT_ARRAY_LEN(cuts) && !why[0]; i++)
        if (tz_get(names[i]) != NULL)
            snprintf(why, sizeof(why), "a zone file cut to %zu of %zu bytes loaded", cuts[i],
                     len);
    if (!why[0] && tz_get("Damaged/BadMagic") != NULL)
        snprintf(why, sizeof(why), "a zone file with a bad magic loaded");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(odd) && !why[0]; i++)
        if (tz_get(odd[i]) != NULL)
            snprintf(why, sizeof(why), "the zone name \"%s\" was accepted", odd[i]);
    const struct tz *whole = tz_get("Damaged/Whole");

    for (size_t i = 0; i < UNIT_ARRAY_LEN(cuts); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    snprintf(path, sizeof(path), "%s/Damaged/BadMagic", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/Damaged/Whole", dir);
    unlink(path);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(odd); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, odd[i]);
        unlink(path);
    }
    rmdir(sub);
    rmdir(dir);
    unsetenv("TZDIR");
    free(bad);
    free(ny);

    if (why[0])
        fail_msg("%s", why);
    assert_non_null(whole);
    assert_int_equal(tz_offset_at(whole, at("2026-07-01T12:00")), -14400);
    assert_int_equal(tz_offset_at(whole, at("2026-01-15T12:00")), -18000);
    assert_int_equal(tz_offset_at(whole, at("2040-07-01T12:00")), -14400); /* its footer */
}

/* ---- offsets ---------------------------------------------------------------------- */

struct offset_case {
    const char *what;
    const char *zone;
    const char *utc;
    int32_t offset;
};

static const struct offset_case offset_cases[] = {
    {"NY last second of EST before spring", "America/New_York", "2026-03-08T06:59:59", -18000},
    {"NY first second of EDT", "America/New_York", "2026-03-08T07:00:00", -14400},
    {"NY winter", "America/New_York", "2026-01-15T12:00:00", -18000},
    {"NY summer", "America/New_York", "2026-07-01T12:00:00", -14400},
    {"NY last second of EDT before autumn", "America/New_York", "2026-11-01T05:59:59", -14400},
    {"NY first second of EST", "America/New_York", "2026-11-01T06:00:00", -18000},
    {"NY local mean time before its first transition", "America/New_York",
     "1883-11-18T16:59:59", -17762},
    {"NY standard time from 1883-11-18 17:00Z", "America/New_York", "1883-11-18T17:00:00",
     -18000},
    {"NY long before the first transition", "America/New_York", "1800-06-01T00:00:00", -17762},
    {"NY 1970 epoch", "America/New_York", "1970-01-01T00:00:00", -18000},
    {"Berlin last second of CET", "Europe/Berlin", "2026-03-29T00:59:59", 3600},
    {"Berlin first second of CEST", "Europe/Berlin", "2026-03-29T01:00:00", 7200},
    {"Berlin last second of CEST", "Europe/Berlin", "2026-10-25T00:59:59", 7200},
    {"Berlin first second of CET", "Europe/Berlin", "2026-10-25T01:00:00", 3600},
    {"Sydney last second of AEDT", "Australia/Sydney", "2026-04-04T15:59:59", 39600},
    {"Sydney first second of AEST", "Australia/Sydney", "2026-04-04T16:00:00", 36000},
    {"Sydney southern winter", "Australia/Sydney", "2026-07-01T00:00:00", 36000},
    {"Sydney last second of AEST", "Australia/Sydney", "2026-10-03T15:59:59", 36000},
    {"Sydney first second of AEDT", "Australia/Sydney", "2026-10-03T16:00:00", 39600},
    {"Sydney southern summer", "Australia/Sydney", "2026-01-15T00:00:00", 39600},
    {"Lord Howe half-hour change, before", "Australia/Lord_Howe", "2026-04-04T14:59:59", 39600},
    {"Lord Howe half-hour change, after", "Australia/Lord_Howe", "2026-04-04T15:00:00", 37800},
    {"Kolkata winter", "Asia/Kolkata", "2026-01-15T00:00:00", 19800},
    {"Kolkata summer", "Asia/Kolkata", "2026-07-01T00:00:00", 19800},
    {"Kolkata at NY's change", "Asia/Kolkata", "2026-03-08T07:00:00", 19800},
    {"Phoenix winter", "America/Phoenix", "2026-01-15T00:00:00", -25200},
    {"Phoenix summer", "America/Phoenix", "2026-07-01T00:00:00", -25200},
    {"Phoenix at NY's change", "America/Phoenix", "2026-03-08T07:00:00", -25200},
    {"UTC epoch", "UTC", "1970-01-01T00:00:00", 0},
    {"UTC summer", "UTC", "2026-07-01T00:00:00", 0},
    {"UTC before the epoch", "UTC", "1901-01-01T00:00:00", 0},
    {"Etc/GMT+5 is five hours behind", "Etc/GMT+5", "2026-07-01T00:00:00", -18000},
    {"Apia before skipping 2011-12-30", "Pacific/Apia", "2011-12-30T09:59:59", -36000},
    {"Apia after skipping 2011-12-30", "Pacific/Apia", "2011-12-30T10:00:00", 50400},
    /* Past the last transition written out in the file (2037) the zone's rules go on
     * in the file's footer (a POSIX TZ string, RFC 8536 section 3.3). */
    {"NY summer 2038 (footer rule EST5EDT,M3.2.0,M11.1.0)", "America/New_York",
     "2038-07-01T12:00:00", -14400},
    {"Berlin summer 2038 (footer rule CET-1CEST,M3.5.0,M10.5.0/3)", "Europe/Berlin",
     "2038-07-01T12:00:00", 7200},
    {"Sydney winter 2038 (footer rule AEST-10AEDT,M10.1.0,M4.1.0/3)", "Australia/Sydney",
     "2038-07-01T12:00:00", 36000},
    /* 2040, from the footer alone: each side of a change, per `zdump -v -c 2040,2041` */
    {"NY 2040 last second of EST", "America/New_York", "2040-03-11T06:59:59", -18000},
    {"NY 2040 first second of EDT", "America/New_York", "2040-03-11T07:00:00", -14400},
    {"NY 2040 last second of EDT", "America/New_York", "2040-11-04T05:59:59", -14400},
    {"NY 2040 first second of EST", "America/New_York", "2040-11-04T06:00:00", -18000},
    {"Sydney 2040 last second of AEDT", "Australia/Sydney", "2040-03-31T15:59:59", 39600},
    {"Sydney 2040 first second of AEST", "Australia/Sydney", "2040-03-31T16:00:00", 36000},
    {"Sydney 2040 last second of AEST", "Australia/Sydney", "2040-10-06T15:59:59", 36000},
    {"Sydney 2040 first second of AEDT", "Australia/Sydney", "2040-10-06T16:00:00", 39600},
    {"Dublin 2040 negative DST (IST-1GMT0), winter", "Europe/Dublin", "2040-03-25T00:59:59", 0},
    {"Dublin 2040 negative DST, summer", "Europe/Dublin", "2040-03-25T01:00:00", 3600},
    {"Dublin 2040 negative DST, back to winter", "Europe/Dublin", "2040-10-28T01:00:00", 0},
    {"Santiago 2040 change at 24:00 (M9.1.6/24), before", "America/Santiago",
     "2040-09-02T03:59:59", -14400},
    {"Santiago 2040 change at 24:00, after", "America/Santiago", "2040-09-02T04:00:00", -10800},
    {"Nuuk 2040 change at -1:00 (M3.5.0/-1), before", "America/Nuuk", "2040-03-25T00:59:59",
     -7200},
    {"Nuuk 2040 change at -1:00, after", "America/Nuuk", "2040-03-25T01:00:00", -3600},
    {"Jerusalem 2040 change at 26:00 (M3.4.4/26), before", "Asia/Jerusalem",
     "2040-03-22T23:59:59", 7200},
    {"Jerusalem 2040 change at 26:00, after", "Asia/Jerusalem", "2040-03-23T00:00:00", 10800},
    {"Chatham 2040 +12:45 to +13:45 at 2:45, before", "Pacific/Chatham", "2040-09-29T13:59:59",
     45900},
    {"Chatham 2040 +12:45 to +13:45 at 2:45, after", "Pacific/Chatham", "2040-09-29T14:00:00",
     49500},
    {"Lord Howe 2040 half-hour DST (<+1030>-10:30<+11>-11), before", "Australia/Lord_Howe",
     "2040-10-06T15:29:59", 37800},
    {"Lord Howe 2040 half-hour DST, after", "Australia/Lord_Howe", "2040-10-06T15:30:00",
     39600},
    {"Kolkata 2040 (footer IST-5:30)", "Asia/Kolkata", "2040-07-01T00:00:00", 19800},
    {"UTC 2100", "UTC", "2100-07-01T00:00:00", 0},
};

static void test_offset_row(void **state)
{
    const struct offset_case *c = UNIT_ROW(struct offset_case, state);
    assert_int_equal(tz_offset_at(zone(c->zone), at(c->utc)), c->offset);
}

/* ---- wall clock to instants ------------------------------------------------------- */

struct l2u_case {
    const char *what;
    const char *zone;
    const char *local;
    int n;
    const char *first, *second; /* UTC; checked when n > 0 */
};

static const struct l2u_case l2u_cases[] = {
    {"NY 01:59:59 before the gap", "America/New_York", "2026-03-08T01:59:59", 1,
     "2026-03-08T06:59:59", "2026-03-08T06:59:59"},
    {"NY 02:00 starts the gap", "America/New_York", "2026-03-08T02:00:00", 0, NULL, NULL},
    {"NY 02:30 in the gap", "America/New_York", "2026-03-08T02:30:00", 0, NULL, NULL},
    {"NY 02:59:59 ends the gap", "America/New_York", "2026-03-08T02:59:59", 0, NULL, NULL},
    {"NY 03:00 after the gap", "America/New_York", "2026-03-08T03:00:00", 1,
     "2026-03-08T07:00:00", "2026-03-08T07:00:00"},
    {"NY 00:59:59 before the repeat", "America/New_York", "2026-11-01T00:59:59", 1,
     "2026-11-01T04:59:59", "2026-11-01T04:59:59"},
    {"NY 01:00 repeats", "America/New_York", "2026-11-01T01:00:00", 2, "2026-11-01T05:00:00",
     "2026-11-01T06:00:00"},
    {"NY 01:30 repeats", "America/New_York", "2026-11-01T01:30:00", 2, "2026-11-01T05:30:00",
     "2026-11-01T06:30:00"},
    {"NY 01:59:59 repeats", "America/New_York", "2026-11-01T01:59:59", 2,
     "2026-11-01T05:59:59", "2026-11-01T06:59:59"},
    {"NY 02:00 after the repeat", "America/New_York", "2026-11-01T02:00:00", 1,
     "2026-11-01T07:00:00", "2026-11-01T07:00:00"},
    {"NY ordinary summer noon", "America/New_York", "2026-07-01T12:00:00", 1,
     "2026-07-01T16:00:00", "2026-07-01T16:00:00"},
    {"Berlin 01:59:59 before the gap", "Europe/Berlin", "2026-03-29T01:59:59", 1,
     "2026-03-29T00:59:59", "2026-03-29T00:59:59"},
    {"Berlin 02:30 in the gap", "Europe/Berlin", "2026-03-29T02:30:00", 0, NULL, NULL},
    {"Berlin 03:00 after the gap", "Europe/Berlin", "2026-03-29T03:00:00", 1,
     "2026-03-29T01:00:00", "2026-03-29T01:00:00"},
    {"Berlin 01:59 before the repeat", "Europe/Berlin", "2026-10-25T01:59:00", 1,
     "2026-10-24T23:59:00", "2026-10-24T23:59:00"},
    {"Berlin 02:00 repeats", "Europe/Berlin", "2026-10-25T02:00:00", 2, "2026-10-25T00:00:00",
     "2026-10-25T01:00:00"},
    {"Berlin 02:30 repeats", "Europe/Berlin", "2026-10-25T02:30:00", 2, "2026-10-25T00:30:00",
     "2026-10-25T01:30:00"},
    {"Berlin 03:00 after the repeat", "Europe/Berlin", "2026-10-25T03:00:00", 1,
     "2026-10-25T02:00:00", "2026-10-25T02:00:00"},
    {"Sydney 02:30 repeats in April", "Australia/Sydney", "2026-04-05T02:30:00", 2,
     "2026-04-04T15:30:00", "2026-04-04T16:30:00"},
    {"Sydney 03:00 after the repeat", "Australia/Sydney", "2026-04-05T03:00:00", 1,
     "2026-04-04T17:00:00", "2026-04-04T17:00:00"},
    {"Sydney 02:30 in the October gap", "Australia/Sydney", "2026-10-04T02:30:00", 0, NULL,
     NULL},
    {"Sydney 03:00 after the October gap", "Australia/Sydney", "2026-10-04T03:00:00", 1,
     "2026-10-03T16:00:00", "2026-10-03T16:00:00"},
    {"Lord Howe 01:45 repeats (half hour)", "Australia/Lord_Howe", "2026-04-05T01:45:00", 2,
     "2026-04-04T14:45:00", "2026-04-04T15:15:00"},
    {"Lord Howe 02:15 in the half-hour gap", "Australia/Lord_Howe", "2026-10-04T02:15:00", 0,
     NULL, NULL},
    {"Lord Howe 02:30 after the half-hour gap", "Australia/Lord_Howe", "2026-10-04T02:30:00",
     1, "2026-10-03T15:30:00", "2026-10-03T15:30:00"},
    {"Santiago midnight skipped", "America/Santiago", "2026-09-06T00:00:00", 0, NULL, NULL},
    {"Santiago 01:00 after skipped midnight", "America/Santiago", "2026-09-06T01:00:00", 1,
     "2026-09-06T04:00:00", "2026-09-06T04:00:00"},
    {"Santiago 23:30 repeats before midnight", "America/Santiago", "2026-04-04T23:30:00", 2,
     "2026-04-05T02:30:00", "2026-04-05T03:30:00"},
    {"Apia 2011-12-30 never happened", "Pacific/Apia", "2011-12-30T12:00:00", 0, NULL, NULL},
    {"Apia last minute of 2011-12-29", "Pacific/Apia", "2011-12-29T23:59:00", 1,
     "2011-12-30T09:59:00", "2011-12-30T09:59:00"},
    {"Apia first minute of 2011-12-31", "Pacific/Apia", "2011-12-31T00:00:00", 1,
     "2011-12-30T10:00:00", "2011-12-30T10:00:00"},
    {"Kolkata NY's gap time exists", "Asia/Kolkata", "2026-03-08T02:30:00", 1,
     "2026-03-07T21:00:00", "2026-03-07T21:00:00"},
    {"Phoenix NY's gap time exists", "America/Phoenix", "2026-03-08T02:30:00", 1,
     "2026-03-08T09:30:00", "2026-03-08T09:30:00"},
    {"Phoenix NY's repeated time once", "America/Phoenix", "2026-11-01T01:30:00", 1,
     "2026-11-01T08:30:00", "2026-11-01T08:30:00"},
    {"UTC", "UTC", "2026-03-08T02:30:00", 1, "2026-03-08T02:30:00", "2026-03-08T02:30:00"},
    {"UTC before the epoch", "UTC", "1960-02-29T23:00:00", 1, "1960-02-29T23:00:00",
     "1960-02-29T23:00:00"},
    /* past the file's last written transition (2037): see the offsets above */
    {"NY 2038-03-14 02:30 in the gap (footer rule)", "America/New_York", "2038-03-14T02:30:00",
     0, NULL, NULL},
};

static void test_l2u_row(void **state)
{
    const struct l2u_case *c = UNIT_ROW(struct l2u_case, state);
    int64_t first = 0x5a5a5a5a, second = 0x5a5a5a5a;
    int n = tz_local_to_utc(zone(c->zone), at(c->local), &first, &second);
    assert_int_equal(n, c->n);
    if (c->n > 0) {
        assert_int_equal(first, at(c->first));
        assert_int_equal(second, at(c->second));
    }
}

/* Every instant around each change, every 5 minutes for two days: its wall time maps
 * back to it (as the first or the second instant), and the instants reported for a
 * wall time really show that wall time. */
struct sweep_case {
    const char *zone;
    const char *around; /* UTC */
};

static const struct sweep_case sweep_cases[] = {
    {"America/New_York", "2026-03-08T07:00"},  {"America/New_York", "2026-11-01T06:00"},
    {"Europe/Berlin", "2026-03-29T01:00"},     {"Europe/Berlin", "2026-10-25T01:00"},
    {"Australia/Sydney", "2026-04-04T16:00"},  {"Australia/Sydney", "2026-10-03T16:00"},
    {"Australia/Lord_Howe", "2026-04-04T15:00"}, {"America/Santiago", "2026-09-06T04:00"},
    {"Pacific/Apia", "2011-12-30T10:00"},      {"Asia/Kolkata", "2026-03-08T07:00"},
    {"UTC", "2026-03-08T07:00"},
};

static void test_sweep_row(void **state)
{
    const struct sweep_case *c = UNIT_ROW(struct sweep_case, state);
    const struct tz *z = zone(c->zone);
    int64_t mid = at(c->around);
    for (int64_t u = mid - 86400; u <= mid + 86400; u += 300) {
        int64_t local = u + tz_offset_at(z, u), a = 0, b = 0;
        int n = tz_local_to_utc(z, local, &a, &b);
        if (n < 1 || n > 2)
            fail_msg("%s: instant %lld shows a wall time said to have %d instants", c->zone,
                     (long long)u, n);
        if (u != a && u != b)
            fail_msg("%s: instant %lld is neither %lld nor %lld", c->zone, (long long)u,
                     (long long)a, (long long)b);
        if (a + tz_offset_at(z, a) != local || b + tz_offset_at(z, b) != local)
            fail_msg("%s: reported instants do not show wall time %lld", c->zone,
                     (long long)local);
        if ((n == 1 && a != b) || (n == 2 && a >= b))
            fail_msg("%s: n=%d but first=%lld second=%lld", c->zone, n, (long long)a,
                     (long long)b);
    }
}

/* ---- against the C library -------------------------------------------------------- */

/* glibc reads the same files (footer included) independently: sample each zone every
 * 3 days 1h17m from 1900 to 2100, and at every change glibc shows find the exact second
 * by bisection and compare both sides of it. */
static const char *const glibc_zones[] = {
    "America/New_York", "Europe/Berlin",    "Europe/Dublin",   "Australia/Sydney",
    "Australia/Lord_Howe", "America/Santiago", "America/Nuuk", "Asia/Jerusalem",
    "Pacific/Chatham",  "Pacific/Apia",     "Asia/Kolkata",    "America/Phoenix",
    "Africa/Casablanca", "Asia/Tehran",     "UTC",
};

static long glibc_offset(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        fail_msg("localtime_r failed at %lld", (long long)t);
    return tm.tm_gmtoff;
}

static void test_glibc_row(void **state)
{
    const char *name = *(const char *const *)*state;
    const struct tz *z = zone(name);
    char env[128];
    snprintf(env, sizeof(env), ":%s", name);
    assert_int_equal(setenv("TZ", env, 1), 0);
    tzset();
    int64_t start = at("1900-01-01T00:00"), end = at("2100-01-01T00:00");
    int64_t step = 3 * 86400 + 3600 + 17 * 60;
    int64_t prev = start;
    long prev_off = glibc_offset(prev);
    int changes = 0;
    for (int64_t t = start + step; t < end; t += step) {
        long off = glibc_offset(t);
        if (tz_offset_at(z, t) != off)
            fail_msg("%s at %lld: offset %d, the C library says %ld", name, (long long)t,
                     tz_offset_at(z, t), off);
        if (off != prev_off) {
            int64_t lo = prev, hi = t; /* glibc: lo shows prev_off, hi does not */
            while (hi - lo > 1) {
                int64_t mid = lo + (hi - lo) / 2;
                if (glibc_offset(mid) == prev_off)
                    lo = mid;
                else
                    hi = mid;
            }
            if (tz_offset_at(z, lo) != glibc_offset(lo) || tz_offset_at(z, hi) != glibc_offset(hi))
                fail_msg("%s: around the change at %lld: %d then %d, the C library says %ld "
                         "then %ld",
                         name, (long long)hi, tz_offset_at(z, lo), tz_offset_at(z, hi),
                         glibc_offset(lo), glibc_offset(hi));
            changes++;
        }
        prev = t;
        prev_off = off;
    }
    unsetenv("TZ");
    tzset();
    /* a zone with daylight saving shows many changes; the check is not empty */
    if (strcmp(name, "UTC") != 0 && strcmp(name, "Asia/Kolkata") != 0 &&
        strcmp(name, "America/Phoenix") != 0 && changes < 2)
        fail_msg("%s: only %d changes seen", name, changes);
}

/* ---- calendar --------------------------------------------------------------------- */

struct civil_case {
    int64_t y;
    unsigned m, d;
    int64_t days;
    int weekday;
};

/* day numbers from Python's date.toordinal() - 719163; weekdays from the calendar */
static const struct civil_case civil_cases[] = {
    {1970, 1, 1, 0, 4},        /* Thursday */
    {1969, 12, 31, -1, 3},     /* Wednesday */
    {1969, 12, 29, -3, 1},     /* Monday */
    {1970, 1, 4, 3, 7},        /* Sunday */
    {1970, 1, 5, 4, 1},        /* Monday */
    {2000, 1, 1, 10957, 6},    /* Saturday */
    {2000, 2, 29, 11016, 2},   /* Tuesday */
    {2000, 3, 1, 11017, 3},
    {1900, 1, 1, -25567, 1},   /* Monday */
    {1900, 2, 28, -25509, 3},
    {1900, 3, 1, -25508, 4},   /* 1900 is not a leap year */
    {2024, 2, 29, 19782, 4},   /* Thursday */
    {2024, 3, 1, 19783, 5},
    {2026, 3, 8, 20520, 7},    /* Sunday */
    {2026, 11, 23, 20780, 1},   /* Monday */
    {2100, 2, 28, 47540, 7},
    {2100, 3, 1, 47541, 1},    /* 2100 is not a leap year */
    {1, 1, 1, -719162, 1},     /* Monday */
    {0, 3, 1, -719468, 3},     /* year 0 is a leap year */
    {0, 1, 1, -719528, 6},
    {-1, 12, 31, -719529, 5},
    {9999, 12, 31, 2932896, 5},
    {1600, 2, 29, -135081, 2},
};

static void test_civil_row(void **state)
{
    const struct civil_case *c = UNIT_ROW(struct civil_case, state);
    assert_int_equal(days_from_civil(c->y, c->m, c->d), c->days);
    int64_t y = -99999;
    unsigned m = 99, d = 99;
    civil_from_days(c->days, &y, &m, &d);
    assert_int_equal(y, c->y);
    assert_int_equal(m, c->m);
    assert_int_equal(d, c->d);
    assert_int_equal(iso_weekday(c->days), c->weekday);
}

static unsigned month_days(int64_t y, unsigned m)
{
    static const unsigned dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

/* Every day from year -400 to 10000: the next day number is the next calendar date,
 * both directions agree, and weekdays cycle 1..7. */
static void test_calendar_walk(void **state)
{
    (void)state;
    int64_t start = days_from_civil(-400, 1, 1), end = days_from_civil(10000, 1, 1);
    /* 10400 years are 26 whole 400-year cycles of 146097 days */
    assert_int_equal(end - start, (int64_t)146097 * 26);
    int64_t py;
    unsigned pm, pd;
    civil_from_days(start, &py, &pm, &pd);
    assert_true(py == -400 && pm == 1 && pd == 1);
    int pw = iso_weekday(start);
    for (int64_t day = start + 1; day <= end; day++) {
        int64_t y;
        unsigned m, d;
        civil_from_days(day, &y, &m, &d);
        bool next = (y == py && m == pm && d == pd + 1) ||
                    (y == py && m == pm + 1 && d == 1 && pd == month_days(py, pm)) ||
                    (y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31);
        if (!next)
            fail_msg("day %lld is %lld-%02u-%02u after %lld-%02u-%02u", (long long)day,
                     (long long)y, m, d, (long long)py, pm, pd);
        if (days_from_civil(y, m, d) != day)
            fail_msg("days_from_civil(%lld-%02u-%02u) is not %lld", (long long)y, m, d,
                     (long long)day);
        int w = iso_weekday(day);
        if (w != pw % 7 + 1)
            fail_msg("weekday of day %lld is %d after %d", (long long)day, w, pw);
        py = y, pm = m, pd = d, pw = w;
    }
}

struct day_of_case {
    int64_t secs, day;
};

static const struct day_of_case day_of_cases[] = {
    {0, 0},           {1, 0},          {86399, 0},        {86400, 1},
    {86401, 1},       {-1, -1},        {-86399, -1},      {-86400, -1},
    {-86401, -2},     {-172800, -2},   {1772953200, 20520}, /* 2026-03-08T07:00Z */
    {-2208988800, -25567},                                 /* 1900-01-01T00:00Z */
};

static void test_day_of_row(void **state)
{
    const struct day_of_case *c = UNIT_ROW(struct day_of_case, state);
    assert_int_equal(day_of(c->secs), c->day);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(valid_names); i++)
        unit_add(&s, test_valid_name_row, &valid_names[i], "tz_get valid[%zu] %s", i,
                 valid_names[i]);
    char e[96];
    for (size_t i = 0; i < UNIT_ARRAY_LEN(bad_names); i++)
        unit_add(&s, test_bad_name_row, &bad_names[i], "tz_get refuses[%zu] %s \"%s\"", i,
                 bad_names[i].what,
                 unit_escape(bad_names[i].name,
                             bad_names[i].name ? strlen(bad_names[i].name) : 0, e, sizeof(e)));
    unit_add(&s, test_threads_share_zone, NULL, "tz_get from racing threads");
    unit_add(&s, test_damaged_files, NULL, "tz_get refuses damaged zone files");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(offset_cases); i++)
        unit_add(&s, test_offset_row, &offset_cases[i], "tz_offset_at[%zu] %s %s: %s", i,
                 offset_cases[i].zone, offset_cases[i].utc, offset_cases[i].what);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(l2u_cases); i++)
        unit_add(&s, test_l2u_row, &l2u_cases[i], "tz_local_to_utc[%zu] %s %s: %s", i,
                 l2u_cases[i].zone, l2u_cases[i].local, l2u_cases[i].what);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(sweep_cases); i++)
        unit_add(&s, test_sweep_row, &sweep_cases[i], "tz round trip[%zu] %s around %s", i,
                 sweep_cases[i].zone, sweep_cases[i].around);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(glibc_zones); i++)
        unit_add(&s, test_glibc_row, &glibc_zones[i], "tz_offset_at agrees with glibc[%zu] %s",
                 i, glibc_zones[i]);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(civil_cases); i++)
        unit_add(&s, test_civil_row, &civil_cases[i], "calendar[%zu] %04lld-%02u-%02u", i,
                 (long long)civil_cases[i].y, civil_cases[i].m, civil_cases[i].d);
    unit_add(&s, test_calendar_walk, NULL, "calendar walk from year -400 to 10000");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(day_of_cases); i++)
        unit_add(&s, test_day_of_row, &day_of_cases[i], "day_of[%zu] %lld", i,
                 (long long)day_of_cases[i].secs);
    return unit_run(&s, "tz", NULL, NULL);
}
