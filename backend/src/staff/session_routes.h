/* The bodies of staff sign-in and of a password change, read apart from their routes
 * (staff/session_routes.c) so that tests and the body fuzzer reach them. */
#ifndef CLINICD_STAFF_SESSION_ROUTES_H
#define CLINICD_STAFF_SESSION_ROUTES_H

#include "api/common.h"

/* POST /api/v1/auth/login: {email, password}.  The strings are borrowed from body. */
struct login_in {
    const char *email, *password;
};
void login_parse(struct input *in, json_t *body, struct login_in *out);

/* POST /api/v1/auth/password: {current_password, new_password}, the new one held to
 * the password policy for the user of email (domain/password.h). */
struct password_change_in {
    const char *current, *next;
};
void password_change_parse(struct input *in, json_t *body, const char *email,
                           struct password_change_in *out);

#include "util/banned.h"
#endif
