/* Strict parsers for numbers, booleans, identifiers and UTF-8 text taken from requests. */
#ifndef CLINICD_PARSE_H
#define CLINICD_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* Each returns 0 on success; -1 when s is not entirely the expected form (no
 * leading/trailing junk, no empty string); -2 when it parses but is outside
 * [min, max].  out is written only on success. */
int parse_long(const char *s, long min, long max, long *out);
int parse_double(const char *s, double min, double max, double *out);
/* true/false/1/0/yes/no, case-insensitive. */
int parse_bool(const char *s, bool *out);

/* The value of a hexadecimal digit (either case), or -1. */
int hex_digit(char c);
/* A canonical lower-case UUID text (8-4-4-4-12 hex). */
bool is_uuid(const char *s);
/* Valid UTF-8 with no NUL bytes and no C0 controls other than tab/newline/CR. */
bool is_clean_utf8(const char *s, size_t len);
/* Valid UTF-8 (any code point, controls included). */
bool is_utf8(const char *s, size_t len);
/* What text_clean accepts besides printable text. */
enum text_kind {
    TEXT_LINE,  /* one line: a name, a phone number, a title, a short reason */
    TEXT_LINES, /* several lines (notes, a bio): line feeds and carriage returns too */
};
/* Valid UTF-8 free of control characters: no C0 control (NUL, tab, CR and LF
 * included; TEXT_LINES lets LF and CR through), no DEL, no C1 control (U+0080 to
 * U+009F, NEL included) and, for TEXT_LINE, no U+2028 or U+2029 (line and paragraph
 * separators), so that a value cannot add lines to a mail, a calendar file or a log. */
bool text_clean(const char *s, size_t len, enum text_kind kind);
/* Replaces every byte that is not part of valid UTF-8 with '?', in place, so that a
 * message cut by a precision or a buffer can still go into JSON. */
void utf8_scrub(char *s);
/* Decodes %XX escapes (and '+' as space when plus_is_space) from src[0..len) into a
 * new NUL-terminated string; returns NULL on a bad escape, an encoded NUL or
 * invalid UTF-8.  The caller frees the result. */
char *percent_decode(const char *src, size_t len, bool plus_is_space);
/* Parses "lat,lon" (decimal degrees); returns 0, or -1 when it is not that form,
 * -2 when out of range. */
int parse_latlon(const char *s, double *lat, double *lon);

/* The command-line value given after the first option `name` among argv[1..argc), or
 * NULL when it is not given (or is last, with no value after it).  Points into argv. */
const char *arg_value(int argc, char **argv, const char *name);

/* Exactly n decimal digits at s (no sign, no space) as a number into out; false, out
 * untouched, when any of the n characters is not a digit. */
bool parse_digits(const char *s, int n, int *out);

#include "util/banned.h"
#endif
