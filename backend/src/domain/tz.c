/* IANA time zones read from the system's compiled tz database (TZif files), so that
 * local wall-clock times convert to instants without touching the process's TZ. */
#include "domain/tz.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

struct tz {
    char *name;
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
