/* IANA time zones read from the system's compiled tz database (TZif files), so that
 * local wall-clock times convert to instants without touching the process's TZ. */
#include "domain/tz.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* A POSIX TZ rule "Mm.w.d/time": month, week (5 = last), weekday (0 = Sunday). */
struct tzrule {
    int month, week, wday;
    int32_t secs; /* local time of day of the change */
};

struct tz {
    char *name;
    /* the footer's rule, for instants after the last listed transition */
    bool has_footer, has_dst;
    int32_t std_off, dst_off;
    struct tzrule to_dst, to_std;
    int64_t *trans;     /* transition instants, ascending */
    int32_t *offset;    /* offset in effect from trans[i] on */
    size_t ntrans;
    int32_t initial;    /* offset before the first transition */
    struct tz *next;
};

static pthread_mutex_t zones_mu = PTHREAD_MUTEX_INITIALIZER;
static struct tz *zones;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* A zone name must be a relative path of plain parts: no "..", no leading '/'. */
static bool safe_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || name[0] == '/' || strstr(name, ".."))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+'))
            return false;
    }
    return true;
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *data = NULL;
    size_t n = 0, cap = 0, got;
    unsigned char chunk[4096];
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (n + got > 1 << 20) { /* no real zone file is this big */
            free(data);
            fclose(f);
            return NULL;
        }
        if (n + got > cap) {
            cap = (n + got) * 2;
            data = xrealloc(data, cap);
        }
        memcpy(data + n, chunk, got);
        n += got;
    }
    fclose(f);
    *len = n;
    return data;
}

/* Skips a zone abbreviation ("EST" or "<+0530>"); NULL when malformed. */
static const char *skip_abbr(const char *p)
{
    if (*p == '<') {
        const char *e = strchr(p, '>');
        return e ? e + 1 : NULL;
    }
    const char *q = p;
    while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z'))
        q++;
    return q - p >= 3 ? q : NULL;
}

/* "[+-]hh[:mm[:ss]]" -> seconds; NULL when malformed. */
static const char *parse_hms(const char *p, int32_t *out)
{
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    int32_t v = 0;
    for (int part = 0; part < 3; part++) {
        if (part > 0) {
            if (*p != ':')
                break;
            p++;
        }
        if (*p < '0' || *p > '9')
            return NULL;
        int32_t n = 0;
        while (*p >= '0' && *p <= '9')
            n = n * 10 + (*p++ - '0');
        v += n * (part == 0 ? 3600 : part == 1 ? 60 : 1);
    }
    *out = sign * v;
    return p;
}

static const char *parse_rule(const char *p, struct tzrule *r)
{
    if (*p != 'M')
        return NULL; /* Jn and n forms are not used by the tz database */
    char *end;
    r->month = (int)strtol(p + 1, &end, 10);
    if (*end != '.')
        return NULL;
    r->week = (int)strtol(end + 1, &end, 10);
    if (*end != '.')
        return NULL;
    r->wday = (int)strtol(end + 1, &end, 10);
    if (r->month < 1 || r->month > 12 || r->week < 1 || r->week > 5 || r->wday < 0 || r->wday > 6)
        return NULL;
    p = end;
    r->secs = 7200;
    if (*p == '/')
        p = parse_hms(p + 1, &r->secs);
    return p;
}

/* Parses the TZ string of the footer ("EST5EDT,M3.2.0,M11.1.0"). */
static bool parse_footer(struct tz *z, const char *s)
{
    const char *p = skip_abbr(s);
    int32_t std;
    if (!p || !(p = parse_hms(p, &std)))
        return false;
    z->std_off = -std; /* POSIX counts west of Greenwich as positive */
    if (*p == '\0') {
        z->has_footer = true;
        return true;
    }
    if (!(p = skip_abbr(p)))
        return false;
    z->dst_off = z->std_off + 3600;
    if (*p != ',') {
        int32_t dst;
        if (!(p = parse_hms(p, &dst)))
            return false;
        z->dst_off = -dst;
    }
    if (*p != ',' || !(p = parse_rule(p + 1, &z->to_dst)) || *p != ',' ||
        !(p = parse_rule(p + 1, &z->to_std)) || *p != '\0')
        return false;
    z->has_footer = z->has_dst = true;
    return true;
}

/* The local day number of rule r in year y. */
static int64_t rule_day(const struct tzrule *r, int64_t y)
{
    int64_t first = days_from_civil(y, (unsigned)r->month, 1);
    int wd = iso_weekday(first) % 7; /* 0 = Sunday */
    int64_t d = first + (r->wday - wd + 7) % 7 + (int64_t)(r->week - 1) * 7;
    if (r->week == 5) {
        int64_t next = r->month == 12 ? days_from_civil(y + 1, 1, 1)
                                       : days_from_civil(y, (unsigned)r->month + 1, 1);
        while (d >= next)
            d -= 7;
    }
    return d;
}

static int32_t footer_offset(const struct tz *z, int64_t utc)
{
    if (!z->has_dst)
        return z->std_off;
    int64_t y;
    unsigned m, d;
    civil_from_days(day_of(utc + z->std_off), &y, &m, &d);
    /* the change to summer time happens at a local standard time, and back at a local
     * summer time */
    int64_t on = rule_day(&z->to_dst, y) * 86400 + z->to_dst.secs - z->std_off;
    int64_t off = rule_day(&z->to_std, y) * 86400 + z->to_std.secs - z->dst_off;
    bool dst = on < off ? (utc >= on && utc < off) : (utc >= on || utc < off);
    return dst ? z->dst_off : z->std_off;
}

/* Parses the 64-bit (version 2+) part of a TZif file. */
static struct tz *parse_tzif(const unsigned char *d, size_t len)
{
    if (len < 44 || memcmp(d, "TZif", 4) != 0 || d[4] < '2')
        return NULL;
    /* skip the version-1 block */
    uint32_t c[6];
    for (int i = 0; i < 6; i++)
        c[i] = be32(d + 20 + 4 * i);
    size_t skip = 44 + (size_t)c[3] * 5 + (size_t)c[4] * 6 + c[5] + (size_t)c[2] * 8 + c[1] + c[0];
    if (skip + 44 > len)
        return NULL;
    const unsigned char *h = d + skip;
    if (memcmp(h, "TZif", 4) != 0)
        return NULL;
    for (int i = 0; i < 6; i++)
        c[i] = be32(h + 20 + 4 * i);
    uint32_t timecnt = c[3], typecnt = c[4];
    size_t need = 44 + (size_t)timecnt * 9 + (size_t)typecnt * 6;
    if (typecnt == 0 || typecnt > 256 || timecnt > 100000 || skip + need > len)
        return NULL;
    const unsigned char *times = h + 44;
    const unsigned char *idx = times + (size_t)timecnt * 8;
    const unsigned char *types = idx + timecnt;
    struct tz *z = xcalloc(1, sizeof(*z));
    z->trans = xcalloc(timecnt ? timecnt : 1, sizeof(int64_t));
    z->offset = xcalloc(timecnt ? timecnt : 1, sizeof(int32_t));
    z->ntrans = timecnt;
    for (uint32_t i = 0; i < timecnt; i++) {
        unsigned t = idx[i];
        if (t >= typecnt)
            goto bad;
        z->trans[i] = be64(times + 8 * (size_t)i);
        z->offset[i] = (int32_t)be32(types + 6 * (size_t)t);
        if (i > 0 && z->trans[i] <= z->trans[i - 1])
            goto bad;
    }
    /* RFC 8536: the first type with no transition into it, else type 0 */
    z->initial = (int32_t)be32(types);
    /* the footer: "\nTZ-string\n" after the version-2 data */
    size_t used = skip + 44 + (size_t)timecnt * 9 + (size_t)typecnt * 6 + c[5] + (size_t)c[2] * 12 +
                  c[1] + c[0];
    if (used + 2 < len && d[used] == '\n') {
        const unsigned char *f = d + used + 1;
        const unsigned char *nl = memchr(f, '\n', len - used - 1);
        if (nl && nl - f < 64) {
            char tzs[64];
            memcpy(tzs, f, (size_t)(nl - f));
            tzs[nl - f] = '\0';
            if (tzs[0] && !parse_footer(z, tzs))
                z->has_footer = false;
        }
    }
    return z;
bad:
    free(z->trans);
    free(z->offset);
    free(z);
    return NULL;
}

const struct tz *tz_get(const char *name)
{
    if (!name || !safe_name(name))
        return NULL;
    pthread_mutex_lock(&zones_mu);
    struct tz *z = zones;
    while (z && strcmp(z->name, name) != 0)
        z = z->next;
    if (!z) {
        const char *dir = getenv("TZDIR");
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
        size_t len = 0;
        unsigned char *data = read_all(path, &len);
        z = data ? parse_tzif(data, len) : NULL;
        free(data);
        if (z) {
            z->name = xstrdup(name);
            z->next = zones;
            zones = z;
        }
    }
    pthread_mutex_unlock(&zones_mu);
    return z;
}

const char *tz_name(const struct tz *z)
{
    return z->name;
}

int32_t tz_offset_at(const struct tz *z, int64_t utc)
{
    if (z->has_footer && (z->ntrans == 0 || utc >= z->trans[z->ntrans - 1]))
        return footer_offset(z, utc);
    if (z->ntrans == 0 || utc < z->trans[0])
        return z->initial;
    size_t lo = 0, hi = z->ntrans; /* last transition <= utc */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= utc)
            lo = mid;
        else
            hi = mid;
    }
    return z->offset[lo];
}

int tz_local_to_utc(const struct tz *z, int64_t local, int64_t *first, int64_t *second)
{
    /* Offsets a day either side cover every real zone: no zone changes twice in a day. */
    int32_t cand[2] = {tz_offset_at(z, local - 86400), tz_offset_at(z, local + 86400)};
    int64_t found[2];
    int n = 0;
    for (int i = 0; i < 2; i++) {
        if (i == 1 && cand[1] == cand[0])
            break;
        int64_t u = local - cand[i];
        if (tz_offset_at(z, u) == cand[i])
            found[n++] = u;
    }
    if (n == 0)
        return 0;
    if (n == 2 && found[1] < found[0]) {
        int64_t t = found[0];
        found[0] = found[1];
        found[1] = t;
    }
    *first = found[0];
    *second = found[n - 1];
    return n;
}

/* Howard Hinnant's days_from_civil / civil_from_days algorithms. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

int iso_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (4) */
    int64_t w = (days + 3) % 7;
    if (w < 0)
        w += 7;
    return (int)w + 1;
}

int64_t day_of(int64_t secs)
{
    return secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
}

static void fmt_offset(int32_t off, char *out, size_t n)
{
    int32_t a = off < 0 ? -off : off;
    if (a % 60)
        snprintf(out, n, "%c%02d%02d%02d", off < 0 ? '-' : '+', (int)(a / 3600),
                 (int)(a % 3600 / 60), (int)(a % 60));
    else
        snprintf(out, n, "%c%02d%02d", off < 0 ? '-' : '+', (int)(a / 3600), (int)(a % 3600 / 60));
}

/* One DAYLIGHT or STANDARD part for rule r (changing from `from` to `to`). */
static int rule_part(char *out, size_t n, const char *kind, const struct tzrule *r, int32_t from,
                     int32_t to)
{
    static const char *const days[] = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
    char f[16], t[16];
    fmt_offset(from, f, sizeof(f));
    fmt_offset(to, t, sizeof(t));
    int64_t d = rule_day(r, 1970);
    int64_t y;
    unsigned m, dd;
    civil_from_days(d, &y, &m, &dd);
    int32_t secs = r->secs < 0 ? 0 : r->secs > 86399 ? 86399 : r->secs;
    return snprintf(out, n,
                    "BEGIN:%s\r\nTZOFFSETFROM:%s\r\nTZOFFSETTO:%s\r\n"
                    "DTSTART:1970%02u%02uT%02d%02d%02d\r\n"
                    "RRULE:FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s\r\nEND:%s\r\n",
                    kind, f, t, m, dd, (int)(secs / 3600), (int)(secs % 3600 / 60),
                    (int)(secs % 60), r->month, r->week == 5 ? -1 : r->week, days[r->wday], kind);
}

int tz_vtimezone(const struct tz *z, char *out, size_t outlen)
{
    if (!z->has_footer)
        return -1;
    size_t len = 0;
    int w = snprintf(out, outlen, "BEGIN:VTIMEZONE\r\nTZID:%s\r\n", z->name);
    if (w < 0 || (size_t)w >= outlen)
        return -1;
    len = (size_t)w;
    if (z->has_dst) {
        w = rule_part(out + len, outlen - len, "DAYLIGHT", &z->to_dst, z->std_off, z->dst_off);
        if (w < 0 || (size_t)w >= outlen - len)
            return -1;
        len += (size_t)w;
        w = rule_part(out + len, outlen - len, "STANDARD", &z->to_std, z->dst_off, z->std_off);
    } else {
        char o[16];
        fmt_offset(z->std_off, o, sizeof(o));
        w = snprintf(out + len, outlen - len,
                     "BEGIN:STANDARD\r\nTZOFFSETFROM:%s\r\nTZOFFSETTO:%s\r\n"
                     "DTSTART:19700101T000000\r\nEND:STANDARD\r\n",
                     o, o);
    }
    if (w < 0 || (size_t)w >= outlen - len)
        return -1;
    len += (size_t)w;
    w = snprintf(out + len, outlen - len, "END:VTIMEZONE\r\n");
    return w < 0 || (size_t)w >= outlen - len ? -1 : 0;
}
