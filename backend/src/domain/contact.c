/* Contact keys: one person's e-mail addresses folded into one key (see contact.h). */
#include "domain/contact.h"

#include <string.h>

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool domain_is(const char *domain, const char *name)
{
    size_t n = strlen(name);
    if (strlen(domain) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(domain[i]) != name[i])
            return false;
    return true;
}

bool contact_key(const char *email, char *out, size_t outlen)
{
    if (outlen == 0)
        return false;
    out[0] = '\0';
    const char *at = email ? strrchr(email, '@') : NULL;
    if (!at || at == email || at[1] == '\0')
        return false;
    const char *domain = at + 1;
    bool gmail = domain_is(domain, "gmail.com") || domain_is(domain, "googlemail.com");
    size_t n = 0;
    for (const char *p = email; p < at && *p != '+'; p++) {
        if (gmail && *p == '.')
            continue;
        if (n + 1 >= outlen)
            goto too_long;
        out[n++] = lower(*p);
    }
    if (n == 0) /* "+tag@host": keep the address as it is rather than fold it into "" */
        for (const char *p = email; p < at; p++) {
            if (n + 1 >= outlen)
                goto too_long;
            out[n++] = lower(*p);
        }
    const char *d = gmail ? "gmail.com" : domain;
    if (n + 1 + strlen(d) + 1 > outlen)
        goto too_long;
    out[n++] = '@';
    for (; *d; d++)
        out[n++] = lower(*d);
    out[n] = '\0';
    return true;
too_long:
    out[0] = '\0';
    return false;
}
