/* Sending one message by SMTP with libcurl: the envelope from the configuration, a
 * bounded transfer that the caller can abort (a worker that is stopping), and the
 * server's replies kept to tell a permanent refusal from a failure worth retrying. */
#include "cli/smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

struct upload {
    const char *data;
    size_t len, off;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
    struct upload *u = userp;
    size_t room = size * nmemb, left = u->len - u->off;
    size_t n = left < room ? left : room;
    memcpy(ptr, u->data + u->off, n);
    u->off += n;
    return n;
}

/* What the server said to what: for telling a permanent refusal (5xx to the recipient,
 * to DATA or to the message) from the rest.  libcurl sends QUIT after a refusal, so the
 * first negative reply is kept. */
struct trace {
    char step[12];   /* the last command's verb, or "message" once the data went */
    char reply[400]; /* the server's reply to it, lines joined by spaces */
    size_t rlen;
    char fail_step[12], fail_reply[400]; /* the first 4xx or 5xx reply, and to what */
};

/* Keeps the reply just finished when it is the first negative one. */
static void trace_settle(struct trace *t)
{
    if (!t->fail_reply[0] && (t->reply[0] == '4' || t->reply[0] == '5')) {
        snprintf(t->fail_step, sizeof(t->fail_step), "%s", t->step);
        snprintf(t->fail_reply, sizeof(t->fail_reply), "%s", t->reply);
    }
    t->rlen = 0;
    t->reply[0] = '\0';
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
    (void)h;
    struct trace *t = userp;
    if (type == CURLINFO_HEADER_OUT) {
        trace_settle(t);
        size_t n = 0;
        while (n < size && n + 1 < sizeof(t->step) && data[n] >= 'A' && data[n] <= 'Z')
            n++;
        memcpy(t->step, data, n);
        t->step[n] = '\0';
    } else if (type == CURLINFO_DATA_OUT) {
        trace_settle(t);
        snprintf(t->step, sizeof(t->step), "message");
    } else if (type == CURLINFO_HEADER_IN) {
        if (t->rlen && t->rlen + 1 < sizeof(t->reply))
            t->reply[t->rlen++] = ' ';
        for (size_t i = 0; i < size && t->rlen + 1 < sizeof(t->reply); i++) {
            unsigned char c = (unsigned char)data[i];
            if (c == '\r' || c == '\n')
                continue;
            t->reply[t->rlen++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
        }
        t->reply[t->rlen] = '\0';
    }
    return 0;
}

/* Called by libcurl about once a second and as data moves: non-zero aborts. */
static int on_progress(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const struct smtp_conf *sc = p;
    return sc->abort_now && sc->abort_now(sc->arg) ? 1 : 0;
}

bool smtp_plain_address(const char *to)
{
    if (!*to || !strchr(to, '@'))
        return false;
    for (const unsigned char *p = (const unsigned char *)to; *p; p++)
        if (*p < 0x21 || *p == 0x7f || *p == '<' || *p == '>')
            return false;
    return true;
}

enum smtp_outcome smtp_send(const struct smtp_conf *sc, const char *to, const char *msg, size_t len,
                            char *err, size_t errlen)
{
    const struct config *cfg = sc->cfg;
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "curl_easy_init failed");
        return SMTP_TRANSIENT;
    }
    const char *lt = strchr(cfg->smtp_from, '<');
    char from[300];
    snprintf(from, sizeof(from), "<%.*s>", lt ? (int)strcspn(lt + 1, ">") : (int)strlen(cfg->smtp_from),
             lt ? lt + 1 : cfg->smtp_from);
    char rcpt_s[300];
    snprintf(rcpt_s, sizeof(rcpt_s), "<%s>", to);
    struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_s);
    struct upload u = {msg, len, 0};
    struct trace tr = {"", "", 0, "", ""};
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, cfg->smtp_timeout_s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, cfg->smtp_timeout_s < 5 ? cfg->smtp_timeout_s : 5L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L); /* for on_debug; it prints nothing */
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, &tr);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)sc);
    if (cfg->smtp_starttls)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (strcmp(cfg->smtp_username, "-") != 0) {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_username);
        curl_easy_setopt(c, CURLOPT_PASSWORD, strcmp(cfg->smtp_password, "-") ? cfg->smtp_password : "");
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    if (rc == CURLE_OK)
        return SMTP_SENT;
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
        snprintf(err, errlen, "the worker was stopped while sending it");
        return SMTP_ABORTED;
    }
    trace_settle(&tr);
    bool refused = tr.fail_reply[0] == '5' && (strcmp(tr.fail_step, "RCPT") == 0 ||
                                               strcmp(tr.fail_step, "DATA") == 0 ||
                                               strcmp(tr.fail_step, "message") == 0);
    if (refused) {
        snprintf(err, errlen, "the mail server refused it: %s", tr.fail_reply);
        return SMTP_PERMANENT;
    }
    snprintf(err, errlen, "%s%s%s%s%s", curl_easy_strerror(rc), curl_err[0] ? ": " : "", curl_err,
             tr.fail_reply[0] ? "; the server said: " : "", tr.fail_reply);
    return SMTP_TRANSIENT;
}
