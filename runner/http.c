/*
 * http.c - the runner's HTTP layer over libcurl: one reused easy handle
 * per service per process, TLS and protocol policy, timeouts, a response
 * size cap and the retry policy of design §8.  The only file that
 * includes <curl/curl.h>.
 *
 * Proxies come from the environment by libcurl's own rules (https_proxy,
 * HTTPS_PROXY, http_proxy, no_proxy; upper-case HTTP_PROXY is ignored on
 * purpose by libcurl); nothing here overrides them.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http.h"
#include "log.h"
#include "util.h"

/* Longest single backoff wait we compute ourselves. */
#define HTTP_BACKOFF_CAP_S 60.0
/* Longest server-requested wait when the request has no deadline. */
#define HTTP_SERVER_WAIT_CAP_S 600.0
/* GitHub: a secondary rate limit that names no time means "wait at
 * least one minute before retrying". */
#define HTTP_SECONDARY_WAIT_S 60.0

/* Signals seen (http_interrupt); a transfer or wait started when the
 * count was different is aborted. */
static volatile sig_atomic_t http_interrupts;
static int http_wake_fd = -1;

struct http {
    char *service;
    char *base;
    int verify;
    char *ca_bundle;
    int allow_http;        /* http:// permitted (loopback or explicit) */
    long connect_timeout_ms;
    long low_speed_time_s;
    long total_timeout_ms;
    size_t max_body;
    int max_tries;
    double backoff_base_s;
    CURL *curl;            /* lazily created; belongs to pid only */
    pid_t pid;
    long connects;
    unsigned int seed;     /* jitter */
};

/* State of one transfer, shared with the callbacks. */
struct http_xfer {
    struct buf body;
    struct buf headers;
    size_t max_body;
    int too_big;
    sig_atomic_t interrupts;  /* http_interrupts when it started */
    int interrupted;
};

void http_interrupt(void)
{
    http_interrupts++;
}

void http_set_wake_fd(int fd)
{
    http_wake_fd = fd;
}

int http_cancelled(void)
{
    return http_interrupts != 0;
}

/* libcurl's progress callback: a signal since the start aborts. */
static int http_xferinfo_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow,
                            curl_off_t ultotal, curl_off_t ulnow)
{
    struct http_xfer *x = ud;

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    if (http_interrupts != x->interrupts) {
        x->interrupted = 1;
        return 1; /* CURLE_ABORTED_BY_CALLBACK */
    }
    return 0;
}

int http_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void http_global_cleanup(void)
{
    curl_global_cleanup();
}

/* Loopback: 127.0.0.0/8, ::1 or "localhost". */
static int http_host_is_loopback(const char *host)
{
    if (!host)
        return 0;
    if (strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
        strcmp(host, "[::1]") == 0)
        return 1;
    if (strncmp(host, "127.", 4) == 0) {
        const char *p = host + 4;
        int dots = 0;

        for (; *p; p++) {
            if (*p == '.')
                dots++;
            else if (!isdigit((unsigned char)*p))
                return 0;
        }
        return dots == 2;
    }
    return 0;
}

/* Checks scheme and host of url.  Returns 0 or -1 with err. */
static int http_check_url(const char *service, const char *url,
                          int allow_http, int *is_http_ok,
                          struct mlg_error *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int rc = -1;

    if (!u) {
        log_seterr(err, MLG_E_CONFIG, 0, 0, "%s: out of memory", service);
        return -1;
    }
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        log_seterr(err, MLG_E_CONFIG, 0, 0, "%s: invalid URL \"%s\"", service,
                   url);
        goto out;
    }
    if (strcasecmp(scheme, "https") == 0) {
        *is_http_ok = allow_http || http_host_is_loopback(host);
        rc = 0;
    } else if (strcasecmp(scheme, "http") == 0) {
        if (!allow_http && !http_host_is_loopback(host)) {
            log_seterr(err, MLG_E_CONFIG, 0, 0,
                       "%s: refusing plain http:// to %s (use https://, or "
                       "configure the URL explicitly)", service, host);
            goto out;
        }
        *is_http_ok = 1;
        rc = 0;
    } else {
        log_seterr(err, MLG_E_CONFIG, 0, 0,
                   "%s: unsupported URL scheme \"%s\"",
                   service, scheme);
    }
out:
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

struct http *http_new(const struct http_opts *opts, struct mlg_error *err)
{
    struct http *h;
    const char *service = opts->service ? opts->service : "http";
    int http_ok = 0;
    size_t n;

    if (!opts->base_url || !*opts->base_url) {
        log_seterr(err, MLG_E_CONFIG, 0, 0, "%s: no API URL configured",
                   service);
        return NULL;
    }
    if (http_check_url(service, opts->base_url, opts->allow_http, &http_ok,
                       err) < 0)
        return NULL;
    h = xcalloc(1, sizeof *h);
    h->service = xstrdup(service);
    h->base = xstrdup(opts->base_url);
    n = strlen(h->base);
    while (n > 0 && h->base[n - 1] == '/')
        h->base[--n] = '\0';
    h->verify = opts->verify;
    h->ca_bundle = opts->ca_bundle && *opts->ca_bundle ?
        xstrdup(opts->ca_bundle) : NULL;
    h->allow_http = http_ok;
    h->connect_timeout_ms = opts->connect_timeout_ms > 0 ?
        opts->connect_timeout_ms : 10000;
    h->low_speed_time_s = opts->low_speed_time_s > 0 ?
        opts->low_speed_time_s : 30;
    h->total_timeout_ms = opts->total_timeout_ms > 0 ?
        opts->total_timeout_ms : 300000;
    h->max_body = opts->max_body > 0 ? opts->max_body : 32u << 20;
    h->max_tries = opts->max_tries > 0 ? opts->max_tries : 6;
    h->backoff_base_s = opts->backoff_base_s > 0 ? opts->backoff_base_s
                                                 : 1.0;
    h->pid = getpid();
    /* Through 64 bits: milliseconds since 1970 overflow an unsigned int,
     * and casting an out-of-range double is undefined. */
    h->seed = (unsigned int)getpid() ^
              (unsigned int)(unsigned long long)(now_wall() * 1000);
    return h;
}

/* Handles inherited over fork() are kept here, untouched, for the life
 * of the process (so leak checkers see them as reachable). */
static CURL **http_graveyard;
static size_t http_ngraves;

static void http_bury(CURL *c)
{
    http_graveyard = xrealloc(http_graveyard,
                              (http_ngraves + 1) * sizeof *http_graveyard);
    http_graveyard[http_ngraves++] = c;
}

void http_free(struct http *h)
{
    if (!h)
        return;
    /* A child must not close the parent's connection (a TLS close_notify
     * would go out on the shared socket): it just drops the handle. */
    if (h->curl && h->pid == getpid())
        curl_easy_cleanup(h->curl);
    else if (h->curl)
        http_bury(h->curl);
    free(h->service);
    free(h->base);
    free(h->ca_bundle);
    free(h);
}

const char *http_base(const struct http *h)
{
    return h->base;
}

long http_connects(const struct http *h)
{
    return h ? h->connects : 0;
}

void http_resp_free(struct http_resp *resp)
{
    if (!resp)
        return;
    free(resp->body);
    free(resp->headers);
    memset(resp, 0, sizeof *resp);
}

static size_t http_write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct http_xfer *x = ud;
    size_t n = size * nmemb;

    if (x->body.len + n > x->max_body) {
        x->too_big = 1;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    buf_add(&x->body, ptr, n);
    return n;
}

static size_t http_header_cb(char *ptr, size_t size, size_t nmemb,
                             void *ud)
{
    struct http_xfer *x = ud;
    size_t n = size * nmemb;

    /* A new status line starts a new block (redirects, 100-continue):
     * keep only the last response's headers. */
    if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0)
        x->headers.len = 0;
    buf_add(&x->headers, ptr, n);
    return n;
}

/* The URL without its query, for messages (a query may carry tokens).
 * Caller frees. */
static char *http_url_for_msg(const char *url)
{
    size_t n = strcspn(url, "?#");

    return xstrndup(url, n);
}

/* url as is when absolute, else joined to the base.  Caller frees. */
static char *http_full_url(const struct http *h, const char *url)
{
    if (strncasecmp(url, "http://", 7) == 0 ||
        strncasecmp(url, "https://", 8) == 0)
        return xstrdup(url);
    return xasprintf("%s%s%s", h->base, url[0] == '/' ? "" : "/", url);
}

/* A fresh handle in this process; a handle inherited over fork() is
 * dropped, never used or cleaned up. */
static CURL *http_handle(struct http *h)
{
    if (h->curl && h->pid != getpid()) {
        http_bury(h->curl);
        h->curl = NULL;
        h->pid = getpid();
        h->seed ^= (unsigned int)getpid();
    }
    if (!h->curl)
        h->curl = curl_easy_init();
    else
        curl_easy_reset(h->curl); /* keeps the connection cache */
    return h->curl;
}

static void http_setopts(struct http *h, CURL *c, const char *url,
                         const char *method, const struct http_req *req,
                         struct http_xfer *x, struct curl_slist *hdrs,
                         char *errbuf, long timeout_ms)
{
    const char *protos = h->allow_http ? "http,https" : "https";

    curl_easy_setopt(c, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protos);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, protos);
#else
    {
        long mask = h->allow_http ? (CURLPROTO_HTTP | CURLPROTO_HTTPS)
                                  : CURLPROTO_HTTPS;
        curl_easy_setopt(c, CURLOPT_PROTOCOLS, mask);
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, mask);
        (void)protos;
    }
#endif
    /* Redirects are followed by http_request, same origin only: libcurl
     * drops Authorization on a cross-host hop but not PRIVATE-TOKEN. */
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
    /* A server that trickles a byte now and then is cut too. */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, HTTP_LOW_SPEED_BPS);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, h->low_speed_time_s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, h->verify ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, h->verify ? 2L : 0L);
    if (h->ca_bundle)
        curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_bundle);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mlgate/" PACKAGE_VERSION);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, http_header_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, http_xferinfo_cb);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else {
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        if (req->body || (strcmp(method, "DELETE") != 0 &&
                          strcmp(method, "HEAD") != 0)) {
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                             (curl_off_t)(req->body ? req->body_len : 0));
            curl_easy_setopt(c, CURLOPT_POSTFIELDS,
                             req->body ? req->body : "");
        }
    }
}

char *http_resp_header(const struct http_resp *resp, const char *name)
{
    const char *p;
    size_t nl = strlen(name);

    if (!resp || !resp->headers)
        return NULL;
    for (p = resp->headers; *p; ) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);

        if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1, *e = p + len;

            while (v < e && (*v == ' ' || *v == '\t'))
                v++;
            while (e > v && isspace((unsigned char)e[-1]))
                e--;
            return xstrndup(v, (size_t)(e - v));
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return NULL;
}

/* Does a rel parameter value (space-separated list) contain "next"? */
static int http_rel_has_next(const char *v, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t s;

        while (i < n && (v[i] == ' ' || v[i] == '\t'))
            i++;
        s = i;
        while (i < n && v[i] != ' ' && v[i] != '\t')
            i++;
        if (i - s == 4 && strncasecmp(v + s, "next", 4) == 0)
            return 1;
    }
    return 0;
}

char *http_link_next(const char *link)
{
    const char *p = link;

    if (!link)
        return NULL;
    while (*p) {
        const char *lt, *gt, *q;

        lt = strchr(p, '<');
        if (!lt)
            return NULL;
        gt = strchr(lt + 1, '>');
        if (!gt)
            return NULL;
        /* Parameters run to the next ',' that starts a new link-value. */
        q = gt + 1;
        while (*q && *q != ',') {
            const char *param, *val;
            size_t vlen;

            while (*q == ';' || *q == ' ' || *q == '\t')
                q++;
            param = q;
            while (*q && *q != '=' && *q != ';' && *q != ',')
                q++;
            if (*q != '=')
                continue;
            q++;
            if (*q == '"') {
                val = ++q;
                while (*q && *q != '"')
                    q++;
                vlen = (size_t)(q - val);
                if (*q == '"')
                    q++;
            } else {
                val = q;
                while (*q && *q != ';' && *q != ',')
                    q++;
                vlen = (size_t)(q - val);
            }
            if (strncasecmp(param, "rel", 3) == 0 &&
                (param[3] == '=' || param[3] == ' ') &&
                http_rel_has_next(val, vlen))
                return xstrndup(lt + 1, (size_t)(gt - lt - 1));
        }
        p = *q ? q + 1 : q;
    }
    return NULL;
}

char *http_escape(const char *s)
{
    char *e, *r;
#if LIBCURL_VERSION_NUM >= 0x075200
    e = curl_easy_escape(NULL, s, (int)strlen(s));
#else
    CURL *c = curl_easy_init();

    e = c ? curl_easy_escape(c, s, (int)strlen(s)) : NULL;
    if (c)
        curl_easy_cleanup(c);
#endif
    if (!e) {
        fprintf(stderr, "mlgate: out of memory\n");
        abort();
    }
    r = xstrdup(e);
    curl_free(e);
    return r;
}

/* Case-insensitive substring search (no strcasestr in C99). */
static int http_has_words(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; hay && *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

/* A 403 or 429 that is a rate limit: GitHub's primary (remaining 0),
 * secondary (retry-after, or only the body's words: "You have exceeded
 * a secondary rate limit"), or any server's retry-after.  Any other 403
 * is a permission error. */
static int http_rate_limited(long status, const struct http_resp *resp)
{
    char *v;
    int r = 0;

    if (status != 403 && status != 429)
        return 0;
    v = http_resp_header(resp, "x-ratelimit-remaining");
    if (v && strcmp(v, "0") == 0)
        r = 1;
    free(v);
    v = http_resp_header(resp, "retry-after");
    if (v)
        r = 1;
    free(v);
    return r || http_has_words(resp->body, "rate limit");
}

static int http_status_retryable(long status, const struct http_req *req,
                                 const struct http_resp *resp)
{
    /* The server did not act: safe to repeat whatever the method. */
    if (status == 429 || http_rate_limited(status, resp))
        return 1;
    /* A gateway may answer these after the origin acted. */
    if (status == 502 || status == 503 || status == 504)
        return !req->no_replay;
    if (status == 500)
        return req->idempotent && !req->no_replay;
    return 0;
}

/* Failures after which the request surely never reached the server. */
static int http_curl_unsent(CURLcode rc)
{
    return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
           rc == CURLE_SSL_CONNECT_ERROR;
}

static int http_curl_retryable(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

/* The wait the server asked for, in seconds, or -1 when none: its
 * retry-after, else the reset time of an exhausted quota, else at least
 * a minute for a rate limit that names no time. */
static double http_server_wait(const struct http_resp *resp)
{
    char *v = http_resp_header(resp, "retry-after");
    double w = -1;

    if (v) {
        char *end;
        double d;

        errno = 0;
        d = strtod(v, &end);
        if (end != v && *end == '\0' && errno == 0 && d >= 0) {
            w = d;
        } else {
            time_t t = curl_getdate(v, NULL);

            if (t != (time_t)-1)
                w = (double)t - now_wall();
            if (w < 0 && t != (time_t)-1)
                w = 0;
        }
        free(v);
        if (w >= 0)
            return w;
    }
    v = http_resp_header(resp, "x-ratelimit-remaining");
    if (v && strcmp(v, "0") == 0) {
        char *r = http_resp_header(resp, "x-ratelimit-reset");

        if (r) {
            char *end;
            double t = strtod(r, &end);

            if (end != r)
                w = t - now_wall();
            if (w < 0)
                w = 0;
            free(r);
        }
    }
    free(v);
    if (w < 0 && http_rate_limited(resp->status, resp))
        w = HTTP_SECONDARY_WAIT_S;
    return w;
}

/* Full jitter: uniform in [0, min(cap, base * 2^(try-1))]. */
static double http_backoff(struct http *h, int try_no)
{
    double ceiling = h->backoff_base_s;
    int i;

    for (i = 1; i < try_no && ceiling < HTTP_BACKOFF_CAP_S; i++)
        ceiling *= 2;
    if (ceiling > HTTP_BACKOFF_CAP_S)
        ceiling = HTTP_BACKOFF_CAP_S;
    return ceiling * ((double)rand_r(&h->seed) / (double)RAND_MAX);
}

/* Waits s seconds on the wake pipe.  Returns -1 as soon as a signal
 * newer than `since` arrived, else 0. */
static int http_sleep(double s, sig_atomic_t since)
{
    double end = now_mono() + s;

    for (;;) {
        struct pollfd pfd;
        double left = end - now_mono();
        int ms;

        if (http_interrupts != since)
            return -1;
        if (left <= 0)
            return 0;
        ms = left > 1000.0 ? 1000000 : (int)(left * 1000.0) + 1;
        pfd.fd = http_wake_fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        /* Without a pipe, look at the count every 100 ms. */
        if (http_wake_fd < 0 && ms > 100)
            ms = 100;
        if (poll(&pfd, http_wake_fd >= 0 ? 1 : 0, ms) > 0) {
            char drain[64];

            while (read(http_wake_fd, drain, sizeof drain) > 0)
                ;
        }
    }
}

/* scheme://host:port of url, lower case.  Caller frees; NULL if bad. */
static char *http_origin(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *r = NULL;

    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
            CURLUE_OK) {
        char *p;

        r = xasprintf("%s://%s:%s", scheme, host, port);
        for (p = r; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return r;
}

static int http_same_origin(const char *a, const char *b)
{
    char *oa = http_origin(a), *ob = http_origin(b);
    int same = oa && ob && strcmp(oa, ob) == 0;

    free(oa);
    free(ob);
    return same;
}

int http_request(struct http *h, const struct http_req *req_in,
                 struct http_resp *resp, struct mlg_error *err)
{
    struct http_req cur = *req_in, *req = &cur;
    const char *method = req->method ? req->method : "GET";
    char *url = http_full_url(h, req->url ? req->url : "");
    int redirects = 0;
    char *murl = http_url_for_msg(url);
    struct curl_slist *hdrs = NULL;
    const char *const *hp;
    char errbuf[CURL_ERROR_SIZE];
    int try_no, rc = -1;
    int url_http_ok = 0;
    sig_atomic_t since = http_interrupts;
    char *why = NULL; /* what failed on the last attempt, for messages */

    memset(resp, 0, sizeof *resp);
    if (err)
        memset(err, 0, sizeof *err);
    if (http_check_url(h->service, url, h->allow_http, &url_http_ok,
                       err) < 0) {
        if (err)
            err->kind = MLG_E_TRANSPORT;
        goto out;
    }
    /* No "Expect: 100-continue" round trip for larger bodies. */
    hdrs = curl_slist_append(hdrs, "Expect:");
    for (hp = req->headers; hp && *hp; hp++)
        hdrs = curl_slist_append(hdrs, *hp);

    for (try_no = 1; ; try_no++) {
        struct http_xfer x;
        CURL *c;
        CURLcode cc;
        long timeout_ms = h->total_timeout_ms, nconn = 0, status = 0;
        double t0 = now_mono(), wait, left = 0;
        int retry = 0, server_asked = 0;
        char *location;

        if (req->deadline > 0) {
            left = req->deadline - t0;
            if (left <= 0.001) {
                log_seterr(err, MLG_E_DEADLINE, 0, 0,
                           "%s: %s %s: deadline reached%s%s", h->service,
                           method, murl, why ? " after " : "",
                           why ? why : "");
                goto out;
            }
            if ((double)timeout_ms > left * 1000.0)
                timeout_ms = (long)(left * 1000.0);
            if (timeout_ms < 1)
                timeout_ms = 1;
        }
        memset(&x, 0, sizeof x);
        x.max_body = h->max_body;
        x.interrupts = since;
        errbuf[0] = '\0';
        c = http_handle(h);
        if (!c) {
            log_seterr(err, MLG_E_TRANSPORT, 0, 0, "%s: cannot create a "
                       "libcurl handle", h->service);
            goto out;
        }
        http_setopts(h, c, url, method, req, &x, hdrs, errbuf, timeout_ms);
        cc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &nconn);
        h->connects += nconn;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        location = NULL;
        if (cc == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
        /* The error buffer points into this frame: unhook it. */
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
        log_msg(LOG_TRACE, h->service, "%s %s -> %ld, %zu bytes, %.3f s",
                method, murl, cc == CURLE_OK ? status : 0L, x.body.len,
                now_mono() - t0);

        http_resp_free(resp);
        resp->tries = try_no;
        if (cc != CURLE_OK) {
            buf_free(&x.body);
            buf_free(&x.headers);
            if (x.interrupted) {
                log_seterr(err, MLG_E_DEADLINE, 0, 0, "%s: %s %s: cancelled"
                           "%s", h->service, method, murl,
                           req->no_replay ? " (outcome unknown)" : "");
                goto out;
            }
            if (x.too_big) {
                log_seterr(err, MLG_E_TRANSPORT, 0, 0,
                           "%s: %s %s: response from %s exceeds %zu bytes",
                           h->service, method, murl, h->service, h->max_body);
                goto out;
            }
            if (cc == CURLE_OPERATION_TIMEDOUT && req->deadline > 0 &&
                now_mono() >= req->deadline - 0.01) {
                log_seterr(err, MLG_E_DEADLINE, 0, 0,
                           "%s: %s %s: deadline reached (%s)%s", h->service,
                           method, murl,
                           errbuf[0] ? errbuf : curl_easy_strerror(cc),
                           req->no_replay ? " (outcome unknown)" : "");
                goto out;
            }
            free(why);
            why = xstrdup(errbuf[0] ? errbuf : curl_easy_strerror(cc));
            retry = http_curl_retryable(cc);
            /* A create that may have reached the server is not sent
             * again: the caller looks for it instead. */
            if (retry && req->no_replay && !http_curl_unsent(cc)) {
                log_seterr(err, MLG_E_TRANSPORT, 0, 0, "%s: %s %s: %s "
                           "(outcome unknown)", h->service, method, murl,
                           why);
                goto out;
            }
            if (!retry || try_no >= h->max_tries) {
                log_seterr(err, MLG_E_TRANSPORT, 0, 0, "%s: %s %s: %s%s",
                           h->service, method, murl, why,
                           retry ? " (gave up after retries)" : "");
                goto out;
            }
        } else {
            resp->status = status;
            resp->len = x.body.len;
            resp->body = buf_take(&x.body);
            resp->headers = buf_take(&x.headers);
            /* Follow a redirect on the same origin only (the headers
             * carry the token); anything else goes back as is. */
            if (location && (status == 301 || status == 302 ||
                             status == 303 || status == 307 ||
                             status == 308) &&
                redirects < 5 && http_same_origin(url, location)) {
                redirects++;
                free(url);
                url = xstrdup(location);
                free(murl);
                murl = http_url_for_msg(url);
                if (status == 303) {
                    method = "GET";
                    req->body = NULL;
                    req->body_len = 0;
                }
                try_no--;
                continue;
            }
            if (!http_status_retryable(status, req, resp) ||
                try_no >= h->max_tries) {
                rc = 0;
                goto out;
            }
            free(why);
            why = xasprintf("HTTP %ld%s", status, status == 403 &&
                            http_rate_limited(status, resp) ?
                            " (rate limit)" : "");
        }

        /* Decide how long to wait before the next attempt. */
        wait = cc == CURLE_OK ? http_server_wait(resp) : -1;
        if (wait >= 0) {
            server_asked = 1;
            if (req->deadline <= 0 && wait > HTTP_SERVER_WAIT_CAP_S)
                wait = HTTP_SERVER_WAIT_CAP_S;
        } else {
            wait = http_backoff(h, try_no);
        }
        if (req->deadline > 0) {
            left = req->deadline - now_mono();
            if (wait >= left) {
                if (server_asked) {
                    char *ra = http_resp_header(resp, "retry-after");

                    log_seterr(err, MLG_E_DEADLINE, resp->status, 0,
                               "%s: %s %s: %s, giving up: %s %.0f s "
                               "exceeds the time left (%.0f s)", h->service,
                               method, murl, why, ra ? "retry-after" :
                               "waiting", wait, left < 0 ? 0 : left);
                    free(ra);
                } else {
                    log_seterr(err, MLG_E_DEADLINE, resp->status, 0,
                               "%s: %s %s: %s, giving up: no time left for "
                               "another try", h->service, method, murl, why);
                }
                goto out;
            }
        }
        log_msg(LOG_DEBUG, h->service, "%s %s: %s, retrying in %.1f s",
                method, murl, why, wait);
        if (http_sleep(wait, since) < 0) {
            log_seterr(err, MLG_E_DEADLINE, resp->status, 0,
                       "%s: %s %s: %s, cancelled while waiting to retry",
                       h->service, method, murl, why);
            goto out;
        }
    }
out:
    curl_slist_free_all(hdrs);
    free(why);
    free(url);
    free(murl);
    return rc;
}
