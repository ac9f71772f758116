/* The web pages: static files from web_root, served with a strict Content-Security-
 * Policy.  The pages use only the public JSON API. */
#include "site/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "http/reply.h"
#include "util/file.h"

#include <jansson.h>

#define MAX_FILE_BYTES (4 * 1024 * 1024)

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},   {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"}, {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},           {".svg", "image/svg+xml"},
    {".png", "image/png"},                   {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},                {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
};

static const char *type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

/* "https://tile.example.org" of the configured tile URL, or "" without tiles. */
static void tile_origin(char *out, size_t n)
{
    const char *u = app.cfg->map_tile_url;
    out[0] = '\0';
    if (!u || strncmp(u, "https://", 8) != 0)
        return;
    size_t len = 8 + strcspn(u + 8, "/");
    if (len < n) {
        memcpy(out, u, len);
        out[len] = '\0';
    }
}

/* GET /web-config.json: what the pages need to know of the configuration. */
void web_config(struct req *r)
{
    const char *u = app.cfg->map_tile_url;
    bool tiles = u && strncmp(u, "https://", 8) == 0;
    reply_json(r, 200, json_pack("{s:s?}", "map_tile_url", tiles ? u : NULL));
    reply_cache(r, "no-cache");
}

/* Sends web_root/rel (rel is already free of "." and ".." segments: the request
 * parser refuses them). */
static void send_file(struct req *r, const char *rel, bool immutable)
{
    const char *type = type_of(rel);
    char path[1024];
    int n = snprintf(path, sizeof(path), "%s/%s", app.cfg->web_root, rel);
    size_t got = 0;
    char *data = type && n >= 0 && (size_t)n < sizeof(path) && !strstr(rel, "..")
                     ? file_read(path, MAX_FILE_BYTES, &got)
                     : NULL;
    if (!data) {
        reply_not_found(r);
        return;
    }
    reply_owned(r, 200, type, data, got);
    reply_cache(r, immutable ? "public, max-age=3600" : "no-cache");
    char tiles[300] = "";
    tile_origin(tiles, sizeof(tiles));
    char csp[700];
    snprintf(csp, sizeof(csp),
             "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: %s; "
             "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
             "form-action 'self'; frame-ancestors 'none'",
             tiles);
    reply_header(r, "Content-Security-Policy", csp);
    reply_header(r, "Referrer-Policy", "no-referrer");
    reply_header(r, "X-Frame-Options", "DENY");
}

/* "/static/..." */
void web_static(struct req *r)
{
    const char *p = r->target.path + strlen("/static/");
    char rel[512];
    snprintf(rel, sizeof(rel), "static/%s", p);
    send_file(r, rel, true);
}

/* The pages: each path serves its HTML shell; the script reads the rest of the URL. */
void web_page(struct req *r)
{
    const char *path = r->target.path;
    const char *page = "index.html";
    if (strncmp(path, "/practitioners/", 15) == 0)
        page = "profile.html";
    else if (strcmp(path, "/book") == 0)
        page = "book.html";
    else if (strcmp(path, "/manage") == 0)
        page = "manage.html";
    else if (strcmp(path, "/lost-link") == 0)
        page = "lost-link.html";
    else if (strncmp(path, "/staff", 6) == 0)
        page = "staff.html";
    send_file(r, page, false);
}
