/* The gate: each route's access rule, applied in one place. */
#include "api/gate.h"

#include <string.h>

#include "api/access.h"

#define ACCESS_REQUIREMENTS (ACCESS_PATIENT_DATA | ACCESS_PRACTITIONER | ACCESS_PEOPLE)

/* The checks of a level (no requirement); false for a level without a caller or one
 * the gate does not know. */
static bool level_rule(unsigned level, struct gate_rule *g)
{
    switch (level) {
    case ACCESS_SIGNED_IN:
        g->signed_in = true;
        return true;
    case ACCESS_STAFF_READ:
        *g = (struct gate_rule){.signed_in = true, .clinic = true, .scope = SCOPE_READ};
        return true;
    case ACCESS_STAFF_ADMIN_READ:
        *g = (struct gate_rule){
            .signed_in = true, .clinic = true, .scope = SCOPE_READ, .admin = true};
        return true;
    case ACCESS_STAFF_ADMIN_WRITE:
        *g = (struct gate_rule){
            .signed_in = true, .clinic = true, .scope = SCOPE_WRITE, .admin = true};
        return true;
    case ACCESS_STAFF_SELF_WRITE:
        *g = (struct gate_rule){.signed_in = true, .clinic = true, .scope = SCOPE_WRITE};
        return true;
    case ACCESS_STAFF_AUDIT: /* the audit scope instead of read (read alone does not do) */
        *g = (struct gate_rule){
            .signed_in = true, .clinic = true, .scope = SCOPE_AUDIT, .admin = true};
        return true;
    default:
        return false;
    }
}

bool gate_rule_of(unsigned access, struct gate_rule *out)
{
    unsigned level = ACCESS_LEVEL(access), more = access & ~0xffu;
    *out = (struct gate_rule){0};
    if (level == ACCESS_PUBLIC || level == ACCESS_OPS || level == ACCESS_HOLDER ||
        level == ACCESS_FEED)
        return more == 0; /* operators are told by http/server.c; tokens with their rows */
    if ((more & ~(unsigned)ACCESS_REQUIREMENTS) || !level_rule(level, out))
        return false;
    out->people = (access & ACCESS_PEOPLE) != 0;
    out->practitioner = (access & ACCESS_PRACTITIONER) != 0;
    if (access & ACCESS_PATIENT_DATA) /* a level without a scope reads, with patient data */
        out->data_scope = out->scope ? SCOPE_PATIENT_DATA : SCOPE_READ | SCOPE_PATIENT_DATA;
    return true;
}

/* Why an API key may not call the route of pattern (one marked ACCESS_PEOPLE): what it
 * asks of the caller, and who may do it instead.  Pure. */
static const char *people_only_detail(const char *pattern)
{
    static const struct {
        const char *part, *detail;
    } why[] = {
        {"/auth/password",
         "An API key has no password to change. A person signs in with their e-mail address "
         "and password and changes their own."},
        {"/api-keys",
         "API keys cannot list, create or revoke API keys, so that a key that leaks cannot "
         "make more. A clinic administrator signs in with their e-mail address and password "
         "to do this."},
    };
    for (size_t i = 0; pattern && i < sizeof(why) / sizeof(why[0]); i++)
        if (strstr(pattern, why[i].part))
            return why[i].detail;
    return "This is done by a person signed in with their e-mail address and password, not "
           "with an API key.";
}

/* A person signed in, not an API key; otherwise replies 403 api-key-not-allowed, saying
 * why for the route, and records the refusal. */
static bool gate_people(struct req *r, const struct auth *a)
{
    if (!a->api_key)
        return true;
    auth_audit_denied(r, a, "not for API keys", NULL);
    reply_problem(r, 403, "api-key-not-allowed", "Not for API keys",
                  people_only_detail(r->route ? r->route->pattern : NULL), NULL);
    return false;
}

/* Checks the caller against g in order; false after replying.  An API key on a route
 * for people is told so before its scopes are looked at: no scope would do. */
static bool gate_checks(struct req *r, struct auth *a, const struct gate_rule *g)
{
    return auth_staff(r, a) && (!g->clinic || auth_clinic(r, a, staff_clinic(r))) &&
           (!g->people || gate_people(r, a)) && (!g->scope || auth_scope(r, a, g->scope)) &&
           (!g->admin || auth_admin(r, a)) &&
           (!g->practitioner || auth_practitioner(r, a, req_param(r, 1))) &&
           (!g->data_scope || auth_scope(r, a, g->data_scope));
}

bool api_gate(struct req *r, unsigned access)
{
    struct gate_rule g;
    r->actor_known = false;
    if (!gate_rule_of(access, &g)) {
        reply_internal(r); /* a rule the gate does not know: a defect of the table */
        return false;
    }
    if (!g.signed_in)
        return true;
    r->actor_known = gate_checks(r, &r->actor, &g);
    return r->actor_known;
}
