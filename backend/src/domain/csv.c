/* RFC 4180 CSV: the parser. */
#include "domain/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* Offset of the first byte that is not clean UTF-8 text (NUL, a control character
 * other than tab and line breaks, a bad or overlong sequence), or len. */
static size_t utf8_bad_at(const unsigned char *p, size_t len, bool *control)
{
    size_t i = 0;
    *control = false;
    while (i < len) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
                *control = true;
                return i;
            }
            i++;
            continue;
        }
        size_t n;
        unsigned int cp;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return i;
        }
        if (n >= len - i)
            return i;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (p[i + k] & 0x3fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += n + 1;
    }
    return len;
}

/* Line number (from 1) of offset off, counting CRLF, LF and lone CR as one break. */
static size_t line_of(const char *d, size_t off)
{
    size_t line = 1;
    for (size_t i = 0; i < off; i++)
        if (d[i] == '\n' || (d[i] == '\r' && (i + 1 >= off || d[i + 1] != '\n')))
            line++;
    return line;
}

static void csv_fail(struct csv_error *err, size_t line, size_t record, const char *msg)
{
    err->line = line;
    err->record = record;
    snprintf(err->message, sizeof(err->message), "%s", msg);
}

/* A parse under way: the input, where it is, and the growing arrays of out. */
struct csv_build {
    struct csv *c;
    const char *data;
    size_t len, pos, line;
    size_t max_fields;
    struct csv_error *err;
    size_t fcap, rcap, tlen;
};

static void push_field(struct csv_build *b, size_t start)
{
    struct csv *c = b->c;
    if (c->nfields == b->fcap) {
        b->fcap = b->fcap ? b->fcap * 2 : 64;
        c->field = xrealloc(c->field, b->fcap * sizeof(*c->field));
        c->field_len = xrealloc(c->field_len, b->fcap * sizeof(*c->field_len));
    }
    c->field[c->nfields] = start;
    c->field_len[c->nfields] = b->tlen - start;
    c->nfields++;
    c->text[b->tlen++] = '\0';
}

static void push_record(struct csv_build *b, size_t first, size_t line)
{
    struct csv *c = b->c;
    if (c->nrec == b->rcap) {
        b->rcap = b->rcap ? b->rcap * 2 : 16;
        c->rec = xrealloc(c->rec, b->rcap * sizeof(*c->rec));
    }
    c->rec[c->nrec].first = first;
    c->rec[c->nrec].nfields = c->nfields - first;
    c->rec[c->nrec].line = line;
    c->nrec++;
}

/* At a line break (CRLF, LF or CR): steps over it. */
static void skip_break(struct csv_build *b)
{
    b->pos += (b->data[b->pos] == '\r' && b->pos + 1 < b->len && b->data[b->pos + 1] == '\n')
                  ? 2
                  : 1;
    b->line++;
}

static bool at_field_end(const struct csv_build *b)
{
    return b->pos >= b->len || b->data[b->pos] == ',' || b->data[b->pos] == '\r' ||
           b->data[b->pos] == '\n';
}

/* A field in double quotes, b->pos just past the opening one; false after failing. */
static bool quoted_field(struct csv_build *b)
{
    size_t open_line = b->line;
    for (;;) {
        if (b->pos >= b->len) {
            csv_fail(b->err, open_line, b->c->nrec + 1,
                     "a quoted field is never closed (a missing double quote)");
            return false;
        }
        char ch = b->data[b->pos];
        if (ch == '"' && b->pos + 1 < b->len && b->data[b->pos + 1] == '"') {
            b->c->text[b->tlen++] = '"';
            b->pos += 2;
        } else if (ch == '"') {
            b->pos++;
            break;
        } else if (ch == '\r' || ch == '\n') { /* line breaks inside become LF */
            skip_break(b);
            b->c->text[b->tlen++] = '\n';
        } else {
            b->c->text[b->tlen++] = ch;
            b->pos++;
        }
    }
    while (b->pos < b->len && (b->data[b->pos] == ' ' || b->data[b->pos] == '\t'))
        b->pos++;
    if (!at_field_end(b)) {
        csv_fail(b->err, b->line, b->c->nrec + 1,
                 "text follows a closing double quote (inside quotes, write a double quote "
                 "twice)");
        return false;
    }
    return true;
}

/* A field without quotes; false after failing. */
static bool plain_field(struct csv_build *b)
{
    while (!at_field_end(b)) {
        if (b->data[b->pos] == '"') {
            csv_fail(b->err, b->line, b->c->nrec + 1,
                     "a double quote inside a field that does not start with one (quote the "
                     "whole field and write the quote twice)");
            return false;
        }
        b->c->text[b->tlen++] = b->data[b->pos++];
    }
    return true;
}

/* One record, b->pos at its first byte; false after failing. */
static bool record(struct csv_build *b)
{
    struct csv *c = b->c;
    size_t first = c->nfields, rec_line = b->line;
    for (;;) {
        if (c->nfields - first == b->max_fields) {
            csv_fail(b->err, b->line, c->nrec + 1, "a row has too many columns");
            return false;
        }
        size_t start = b->tlen, look = b->pos;
        while (look < b->len && (b->data[look] == ' ' || b->data[look] == '\t'))
            look++;
        bool quoted = look < b->len && b->data[look] == '"';
        if (quoted)
            b->pos = look + 1;
        if (!(quoted ? quoted_field(b) : plain_field(b)))
            return false;
        push_field(b, start);
        if (b->pos < b->len && b->data[b->pos] == ',') {
            b->pos++;
            continue;
        }
        if (b->pos < b->len) /* a line break ends the record */
            skip_break(b);
        break;
    }
    push_record(b, first, rec_line);
    return true;
}

int csv_parse(const char *data, size_t len, size_t max_records, size_t max_fields,
              struct csv *out, struct csv_error *err)
{
    memset(out, 0, sizeof(*out));
    memset(err, 0, sizeof(*err));
    struct csv_build b = {.c = out, .data = data, .len = len, .line = 1,
                          .max_fields = max_fields, .err = err};
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        b.pos = 3;
    bool control;
    size_t bad = b.pos + utf8_bad_at((const unsigned char *)data + b.pos, len - b.pos, &control);
    if (bad < len) {
        csv_fail(err, line_of(data, bad), 0,
                 control ? "the file holds a control character (only tab and line breaks may "
                           "appear in text)"
                         : "the file is not UTF-8 text (save it as \"CSV UTF-8\")");
        return -1;
    }
    /* unescaped text never outgrows the input: quotes and separators are dropped, and
     * each field's NUL takes the place of the separator that ended it */
    out->text = xmalloc(len - b.pos + 1);
    bool ok = true;
    while (ok && b.pos < len) {
        if (data[b.pos] == '\n' || data[b.pos] == '\r') { /* a blank line */
            skip_break(&b);
        } else if (out->nrec == max_records) {
            csv_fail(err, b.line, out->nrec + 1, "the file has too many rows");
            ok = false;
        } else {
            ok = record(&b);
        }
    }
    if (!ok)
        csv_release(out);
    return ok ? 0 : -1;
}

void csv_release(struct csv *c)
{
    free(c->text);
    free(c->field);
    free(c->field_len);
    free(c->rec);
    memset(c, 0, sizeof(*c));
}

const char *csv_field(const struct csv *c, size_t rec, size_t col, size_t *len)
{
    if (rec >= c->nrec || col >= c->rec[rec].nfields)
        return NULL;
    size_t f = c->rec[rec].first + col;
    if (len)
        *len = c->field_len[f];
    return c->text + c->field[f];
}
