/* Building responses: JSON, RFC 9457 problem+json, plain text and files. */
#include "http/reply.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define PROBLEM_BASE "https://clinicd.example/problems/"

static const char *status_title(int status)
{
    switch (status) {
    case 400: return "Bad request";
    case 401: return "Not authenticated";
    case 403: return "Not allowed";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 409: return "Conflict";
    case 413: return "Request body too large";
    case 414: return "URL too long";
    case 415: return "Unsupported media type";
    case 422: return "Invalid values";
    case 429: return "Too many requests";
    case 503: return "Service unavailable";
    default: return "Internal error";
    }
}

void reply_owned(struct req *r, int status, const char *content_type, char *data, size_t len)
{
    if (r->response) {
        free(data);
        return;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    r->response = resp;
    r->status = status;
    r->response_bytes = len;
}

void reply_text(struct req *r, int status, const char *content_type, const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    memcpy(copy, text, len);
    copy[len] = '\0';
    reply_owned(r, status, content_type, copy, len);
}

static void reply_json_as(struct req *r, int status, const char *ctype, json_t *body)
{
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!s) {
        log_error("json_dumps failed for request %s", r->request_id);
        return;
    }
    reply_owned(r, status, ctype, s, strlen(s));
}

void reply_json(struct req *r, int status, json_t *body)
{
    reply_json_as(r, status, "application/json", body);
}

void reply_cache(struct req *r, const char *value)
{
    if (!r->response)
        return;
    MHD_del_response_header(r->response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r->response, MHD_HTTP_HEADER_CACHE_CONTROL, value);
}

json_t *problem_error(const char *field, const char *message)
{
    return json_pack("{s:s, s:s}", "field", field, "message", message);
}

void reply_problem(struct req *r, int status, const char *type, const char *title,
                   const char *detail, json_t *errors)
{
    reply_problem_ext(r, status, type, title, detail, errors, NULL);
}

void reply_problem_ext(struct req *r, int status, const char *type, const char *title,
                       const char *detail, json_t *errors, json_t *ext)
{
    char type_uri[160];
    if (type)
        snprintf(type_uri, sizeof(type_uri), PROBLEM_BASE "%s", type);
    json_t *p = json_object();
    json_object_set_new(p, "type", json_string(type ? type_uri : "about:blank"));
    json_object_set_new(p, "title", json_string(title ? title : status_title(status)));
    json_object_set_new(p, "status", json_integer(status));
    if (detail)
        json_object_set_new(p, "detail", json_string(detail));
    if (errors)
        json_object_set_new(p, "errors", errors);
    json_object_set_new(p, "request_id", json_string(r->request_id));
    if (ext) {
        json_object_update_missing(p, ext);
        json_decref(ext);
    }
    reply_json_as(r, status, "application/problem+json", p);
}

void reply_not_found(struct req *r)
{
    reply_problem(r, 404, "not-found", NULL, "There is nothing at this address.", NULL);
}

void reply_unavailable(struct req *r, const char *detail)
{
    reply_problem(r, 503, "unavailable", NULL,
                  detail ? detail : "The service cannot reach its database; try again shortly.",
                  NULL);
    reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "2");
}

void reply_internal(struct req *r)
{
    reply_problem(r, 500, "internal", NULL,
                  "Something went wrong on our side; it has been logged.", NULL);
}

void reply_header(struct req *r, const char *name, const char *value)
{
    if (r->response)
        MHD_add_response_header(r->response, name, value);
}
