/* The FHIR R4 facade's replies: application/fhir+json, OperationOutcomes (also for
 * errors that shared helpers reply as problem+json), weekly hours, and searchset
 * Bundles with keyset paging links. */
#include "fhir/fhir.h"

#include <ctype.h>
#include <math.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/outcome.h"
#include "core/app.h"
#include "domain/timefmt.h"
#include "fhir/params.h"
#include "http/reply.h"
#include "util/buf.h"
#include "util/parse.h"

/* --- the interaction -------------------------------------------------------------- */

bool fhir_begin(struct fhir_req *f, struct req *r, const char *type, const char *const *known,
                const char *cursor_kinds)
{
    if (!fhir_params_begin(f, &r->target, req_header(r, "Prefer"), type, known, cursor_kinds)) {
        fhir_outcome(r, 406, "not-supported",
                     "This server speaks JSON only: _format may be json or application/fhir+json.");
        return false;
    }
    f->r = r;
    return true;
}

bool fhir_checked(struct fhir_req *f)
{
    if (!f->issues)
        return true;
    fhir_reply(f->r, 400,
               json_pack("{s:s, s:o}", "resourceType", "OperationOutcome", "issue", f->issues));
    f->issues = NULL;
    return false;
}

/* --- replies ---------------------------------------------------------------------- */

void fhir_base(struct req *r, char *out, size_t outlen)
{
    const char *host = req_header(r, "Host");
    bool ok = host && *host && strlen(host) <= 255;
    for (const char *p = host; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || strchr(".-:[]", *p) != NULL;
    if (ok) {
        snprintf(out, outlen, "%s://%s/fhir/r4",
                 app.cfg && app.cfg->public_https ? "https" : "http", host);
        return;
    }
    const char *b = app.cfg && app.cfg->public_base_url ? app.cfg->public_base_url
                                                         : "http://127.0.0.1:8080";
    size_t n = strlen(b);
    while (n > 0 && b[n - 1] == '/')
        n--;
    snprintf(out, outlen, "%.*s/fhir/r4", (int)n, b);
}

void fhir_instant(int64_t t, const struct tz *z, char *out, size_t outlen)
{
    rfc3339_format(t, z ? tz_offset_at(z, t) : 0, out, outlen);
}

void fhir_reply(struct req *r, int status, json_t *resource)
{
    const char *pretty = target_param(&r->target, "_pretty");
    size_t flags = JSON_REAL_PRECISION(15) |
                   (pretty && strcmp(pretty, "true") == 0 ? JSON_INDENT(2) : JSON_COMPACT);
    char *s = resource ? json_dumps(resource, flags) : NULL;
    json_decref(resource);
    if (!s) {
        reply_internal(r);
        return;
    }
    reply_owned(r, status, FHIR_CONTENT_TYPE, s, strlen(s));
}

void fhir_outcome(struct req *r, int status, const char *code, const char *diagnostics)
{
    fhir_reply(r, status,
               json_pack("{s:s, s:[o]}", "resourceType", "OperationOutcome", "issue",
                         fhir_issue_new("error", code, diagnostics)));
}

void fhir_not_found(struct req *r, const char *type, const char *id)
{
    char d[200];
    snprintf(d, sizeof(d), "%s/%.64s is not known to this server.", type, id);
    fhir_outcome(r, 404, "not-found", d);
}

/* What an OperationOutcome says for a status some shared helper replied. */
static void status_issue(int status, const char **code, const char **diag)
{
    switch (status) {
    case 400:
        *code = "invalid", *diag = "The request is malformed.";
        break;
    case 401:
        *code = "login";
        *diag = "Authentication is needed: send Authorization: Bearer with a staff session "
                "token (POST /api/v1/auth/login) or a clinic API key.";
        break;
    case 403:
        *code = "forbidden", *diag = "These credentials may not read this.";
        break;
    case 404:
        *code = "not-found", *diag = "There is nothing at this address.";
        break;
    case 409:
        *code = "conflict", *diag = "This conflicts with the current state of the data.";
        break;
    case 413:
        *code = "too-long", *diag = "The request is too large.";
        break;
    case 422:
        *code = "invalid", *diag = "The request has invalid values.";
        break;
    case 429:
        *code = "throttled", *diag = "Too many requests; try again later.";
        break;
    case 503:
        *code = "transient", *diag = "The service cannot reach its database; try again shortly.";
        break;
    default:
        *code = "exception", *diag = "Something went wrong on our side; it has been logged.";
        break;
    }
}

/* Copies header name of the reply into out ("" when absent). */
static void reply_header_copy(struct req *r, const char *name, char *out, size_t n)
{
    const char *v = MHD_get_response_header(r->response, name);
    snprintf(out, n, "%s", v ? v : "");
}

void fhir_restate(struct req *r)
{
    if (!r->response)
        return;
    const char *ct = MHD_get_response_header(r->response, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct || strncmp(ct, "application/problem+json", 24) != 0)
        return;
    /* A shared reply (reply_failure, the gate's refusals, ...) was given in the API's own
     * error format: say the same in FHIR's, keeping the status and the headers that
     * matter. */
    int status = r->status;
    char retry[32], www[160];
    reply_header_copy(r, MHD_HTTP_HEADER_RETRY_AFTER, retry, sizeof(retry));
    reply_header_copy(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, www, sizeof(www));
    MHD_destroy_response(r->response);
    r->response = NULL;
    r->status = 0;
    const char *code, *diag;
    status_issue(status, &code, &diag);
    fhir_outcome(r, status, code, diag);
    if (retry[0])
        reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, retry);
    if (www[0])
        reply_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, www);
}

json_t *fhir_object(const char *text)
{
    if (!text)
        return NULL;
    json_t *j = json_loads(text, 0, NULL);
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

/* --- weekly hours ----------------------------------------------------------------- */

struct span {
    int day, start, end; /* minutes after local midnight; end may be 1440 */
};

static int span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    if (x->day != y->day)
        return x->day - y->day;
    return x->start != y->start ? x->start - y->start : x->end - y->end;
}

static void hhmm(int minutes, char *out, size_t n)
{
    if (minutes >= 1440)
        snprintf(out, n, "23:59:59");
    else
        snprintf(out, n, "%02d:%02d:00", minutes / 60, minutes % 60);
}

void fhir_add_hours(json_t *resource, const char *member, const char *hours_json, bool location)
{
    static const char *const day_codes[] = {"", "mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    json_t *rows = hours_json ? json_loads(hours_json, 0, NULL) : NULL;
    size_t nrows = json_array_size(rows);
    struct span *sp = calloc(2 * nrows + 1, sizeof(*sp));
    bool *taken = calloc(2 * nrows + 1, sizeof(*taken));
    json_t *out = json_array();
    size_t n = 0;
    if (!sp || !taken)
        goto out;
    for (size_t i = 0; i < nrows; i++) {
        json_t *e = json_array_get(rows, i);
        int d = (int)json_integer_value(json_array_get(e, 0));
        int s = (int)json_integer_value(json_array_get(e, 1));
        int en = (int)json_integer_value(json_array_get(e, 2));
        if (d < 1 || d > 7 || s < 0 || s >= 1440 || en < 0 || en > 1440)
            continue;
        if (en > s) {
            sp[n++] = (struct span){d, s, en};
        } else { /* past midnight: the rest of the day, then the next morning */
            sp[n++] = (struct span){d, s, 1440};
            if (en > 0)
                sp[n++] = (struct span){d % 7 + 1, 0, en};
        }
    }
    qsort(sp, n, sizeof(*sp), span_cmp);
    size_t m = 0; /* merge overlapping and touching spans of a day */
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && sp[m - 1].day == sp[i].day && sp[i].start <= sp[m - 1].end) {
            if (sp[i].end > sp[m - 1].end)
                sp[m - 1].end = sp[i].end;
        } else {
            sp[m++] = sp[i];
        }
    }
    for (size_t i = 0; i < m; i++) { /* days with the same hours share one entry */
        if (taken[i])
            continue;
        json_t *days = json_array();
        for (size_t k = i; k < m; k++)
            if (!taken[k] && sp[k].start == sp[i].start && sp[k].end == sp[i].end) {
                taken[k] = true;
                json_array_append_new(days, json_string(day_codes[sp[k].day]));
            }
        char a[24], b[24];
        hhmm(sp[i].start, a, sizeof(a));
        hhmm(sp[i].end, b, sizeof(b));
        json_array_append_new(out, json_pack("{s:o, s:s, s:s}", "daysOfWeek", days,
                                             location ? "openingTime" : "availableStartTime", a,
                                             location ? "closingTime" : "availableEndTime", b));
    }
out:
    if (json_array_size(out) > 0)
        json_object_set(resource, member, out);
    json_decref(out);
    json_decref(rows);
    free(sp);
    free(taken);
}

/* --- bundles ---------------------------------------------------------------------- */

void fhir_bundle_init(struct fhir_bundle *b, struct fhir_req *f)
{
    b->f = f;
    b->entries = json_array();
    fhir_base(f->r, b->base, sizeof(b->base));
}

void fhir_bundle_add(struct fhir_bundle *b, json_t *resource, json_t *ext)
{
    if (!resource) {
        json_decref(ext);
        return;
    }
    char url[512];
    snprintf(url, sizeof(url), "%s/%s/%s", b->base,
             json_string_value(json_object_get(resource, "resourceType")),
             json_string_value(json_object_get(resource, "id")));
    json_t *search = json_pack("{s:s}", "mode", "match");
    if (ext)
        json_object_set_new(search, "extension", ext);
    json_array_append_new(b->entries, json_pack("{s:s, s:o, s:o}", "fullUrl", url, "resource",
                                                resource, "search", search));
}

void fhir_bundle_note(struct fhir_bundle *b, const char *diagnostics)
{
    json_t *oo = json_pack("{s:s, s:[o]}", "resourceType", "OperationOutcome", "issue",
                           fhir_issue_new("information", "informational", diagnostics));
    json_array_append_new(b->entries, json_pack("{s:o, s:{s:s}}", "resource", oo, "search", "mode",
                                                "outcome"));
}

static void url_encode(struct buf *u, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-._~/:", *p))
            buf_putc(u, (char)*p);
        else
            buf_printf(u, "%%%02X", *p);
    }
}

/* This search's URL with its parameters, _cursor replaced by cursor when not NULL. */
static char *page_url(const struct fhir_bundle *b, const char *cursor)
{
    struct buf u;
    buf_init(&u, 0);
    buf_printf(&u, "%s/%s", b->base, b->f->type);
    const struct target *t = &b->f->r->target;
    char sep = '?';
    for (size_t i = 0; i < t->nparams; i++) {
        const char *k = t->params[i].key;
        if (!fhir_param_used(b->f, k) || (cursor && strcmp(k, "_cursor") == 0))
            continue;
        buf_putc(&u, sep);
        sep = '&';
        url_encode(&u, k);
        buf_putc(&u, '=');
        url_encode(&u, t->params[i].value);
    }
    if (cursor) {
        buf_printf(&u, "%c_cursor=", sep);
        url_encode(&u, cursor);
    }
    size_t len;
    return buf_detach(&u, &len);
}

void fhir_bundle_reply(struct fhir_bundle *b, long total, const struct cursor *next)
{
    json_t *bundle = json_pack("{s:s, s:s}", "resourceType", "Bundle", "type", "searchset");
    if (total >= 0)
        json_object_set_new(bundle, "total", json_integer(total));
    json_t *links = json_array();
    char *self = page_url(b, NULL);
    json_array_append_new(links, json_pack("{s:s, s:s}", "relation", "self", "url", self));
    free(self);
    char text[CURSOR_MAX_TEXT + 1];
    if (next && cursor_encode(next, text, sizeof(text)) == 0) {
        char *url = page_url(b, text);
        json_array_append_new(links, json_pack("{s:s, s:s}", "relation", "next", "url", url));
        free(url);
    }
    json_object_set_new(bundle, "link", links);
    if (json_array_size(b->entries) > 0)
        json_object_set(bundle, "entry", b->entries);
    json_decref(b->entries);
    b->entries = NULL;
    fhir_reply(b->f->r, 200, bundle);
}

void fhir_bundle_discard(struct fhir_bundle *b)
{
    json_decref(b->entries);
    b->entries = NULL;
}

/* --- reads and pages of rows ------------------------------------------------------ */

void fhir_read_row(void *ctx, const struct fhir_row *row)
{
    struct fhir_read *rd = ctx;
    rd->n = row->n;
    if (row->n != 1)
        return;
    rd->resource = fhir_object(row->resource);
    if (rd->resource && rd->hours_member && row->hours)
        fhir_add_hours(rd->resource, rd->hours_member, row->hours, rd->location);
}

void fhir_page_init(struct fhir_page *p, struct fhir_req *f, char kind, const char *hours_member,
                    bool location)
{
    fhir_bundle_init(&p->b, f);
    p->kind = kind;
    p->hours_member = hours_member;
    p->location = location;
    p->n = 0;
    p->next.kind = kind;
    p->next.key[0] = p->next.id[0] = '\0';
}

/* The entry's search.extension: its distance from the near point. */
static json_t *distance_ext(const char *metres)
{
    return json_pack("[{s:s, s:{s:f, s:s, s:s, s:s}}]", "url", FHIR_EXT_DISTANCE,
                     "valueDistance", "value",
                     (double)llround(strtod(metres ? metres : "0", NULL)) / 1000.0, "unit", "km",
                     "system", "http://unitsofmeasure.org", "code", "km");
}

void fhir_page_row(void *ctx, const struct fhir_row *row)
{
    struct fhir_page *p = ctx;
    long count = p->b.f->count;
    p->n = row->n;
    if (row->i >= count)
        return;
    json_t *resource = fhir_object(row->resource);
    if (resource) {
        if (p->hours_member && row->hours)
            fhir_add_hours(resource, p->hours_member, row->hours, p->location);
        fhir_bundle_add(&p->b, resource, p->kind == 'D' ? distance_ext(row->distance) : NULL);
    }
    if (row->n > count && row->i == count - 1) { /* the last shown: the next page's start */
        snprintf(p->next.id, sizeof(p->next.id), "%s", row->id ? row->id : "");
        if (p->kind == 'D')
            snprintf(p->next.key, sizeof(p->next.key), "%.17g",
                     strtod(row->distance ? row->distance : "0", NULL));
        else
            snprintf(p->next.key, sizeof(p->next.key), "%s", row->key ? row->key : "");
    }
}

void fhir_page_reply(struct req *r, enum db_status st, struct fhir_page *p, const char *note)
{
    if (st != DB_OK) {
        fhir_bundle_discard(&p->b);
        reply_failure(r, st);
        return;
    }
    const struct fhir_req *f = p->b.f;
    bool more = p->n > f->count;
    if (note)
        fhir_bundle_note(&p->b, note);
    fhir_bundle_reply(&p->b, !f->have_cursor && !more ? (long)p->n : -1, more ? &p->next : NULL);
}

struct fhir_page_args fhir_page_args_of(const struct fhir_req *f)
{
    return (struct fhir_page_args){f->have_cursor ? f->cursor.key : NULL,
                                   f->have_cursor ? f->cursor.id : NULL, f->count + 1};
}
