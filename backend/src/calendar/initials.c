/* Patients' initials for the calendar feeds (calendar/initials.h). */
#include "calendar/initials.h"

#include <stdbool.h>

void initials_of(const char *name, char *out, size_t n)
{
    size_t k = 0;
    bool start = true;
    for (const unsigned char *p = (const unsigned char *)name; *p && k + 4 < n; p++) {
        if (*p == ' ' || *p == '-') {
            start = true;
            continue;
        }
        if (start && *p < 0x80) {
            out[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
            out[k++] = '.';
            out[k++] = ' ';
        }
        start = false;
    }
    while (k > 0 && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
}
