/*
 * http.h - the runner's HTTP layer over libcurl (design §8).  http.c is
 * the only file that includes <curl/curl.h>.
 *
 * One struct http per service per process holds one reused easy handle
 * (keep-alive).  A handle created in a parent is never used by a forked
 * child: http_request() notices the pid change and opens a new handle,
 * leaving the parent's connection alone.
 *
 * Retries (design §8): connection errors, timeouts, 429, 502, 503, 504,
 * and 500 for idempotent requests; rate limits (a 403 or 429 with
 * x-ratelimit-remaining: 0, a retry-after, or a body that says "rate
 * limit"); exponential backoff with jitter from 1 s, honouring
 * Retry-After, then x-ratelimit-reset, and waiting at least 60 s on a
 * secondary limit that names no time; never past the request's deadline.
 * No retry on other 4xx.  A request marked no_replay (a create) is never
 * repeated once its outcome is unknown (a timeout after sending, a 5xx):
 * the caller looks for what it may have created instead.
 *
 * Cancellation: http_interrupt() (async-signal-safe, called by the
 * runner's and the checks' signal handlers) aborts every transfer and
 * backoff wait that was already under way; calls started after it run
 * normally within their (short) deadline, so cleanup can still talk.
 */
#ifndef MLG_HTTP_H
#define MLG_HTTP_H

#include <stddef.h>

#include "mlgate/plugin.h"

struct http;

struct http_opts {
    const char *service;    /* "clearml", "github", "gitlab": messages */
    const char *base_url;   /* scheme://host[:port][/prefix], no '/' end */
    int verify;             /* TLS verification (default 1) */
    const char *ca_bundle;  /* CA file, or NULL for the system store */
    int allow_http;         /* http:// allowed beyond loopback */
    long connect_timeout_ms;/* default 10000 */
    long low_speed_time_s;  /* abort below HTTP_LOW_SPEED_BPS for this
                               long (a trickling server): default 30 */
    long total_timeout_ms;  /* per attempt cap: default 300000 */
    size_t max_body;        /* response cap: default 32 MiB */
    int max_tries;          /* default 6 */
    double backoff_base_s;  /* first backoff: default 1.0 (tests: less) */
};

/* Returns NULL with err filled when the options are unusable (bad URL,
 * http:// to a non-loopback host without allow_http).  Caller frees with
 * http_free(). */
struct http *http_new(const struct http_opts *opts, struct mlg_error *err);
void http_free(struct http *h);
const char *http_base(const struct http *h);

struct http_req {
    const char *method;      /* "GET", "POST", "PATCH", "PUT", "DELETE" */
    const char *url;         /* absolute URL, or a path joined to base */
    const char *body;        /* NULL = none */
    size_t body_len;
    const char *const *headers; /* "Name: value", NULL-terminated */
    int idempotent;          /* also retry 500 */
    int no_replay;           /* a create: never repeat it when its outcome
                                is unknown (returns the 5xx response, or
                                -1 with "outcome unknown") */
    double deadline;         /* absolute now_mono() seconds; 0 = none */
};

struct http_resp {
    long status;
    char *body;              /* NUL-terminated; owned, see http_resp_free */
    size_t len;
    char *headers;           /* raw response header block of the last
                                attempt; owned */
    int tries;               /* attempts made */
};

/* Perform with retries.  Returns 0 when a response arrived (any status:
 * the caller maps statuses) or -1 on a transport failure/deadline with
 * err filled (kind MLG_E_TRANSPORT or MLG_E_DEADLINE).  resp is always
 * initialised; caller frees it with http_resp_free(). */
int http_request(struct http *h, const struct http_req *req,
                 struct http_resp *resp, struct mlg_error *err);
void http_resp_free(struct http_resp *resp);

/* A response header's value (first occurrence, case-insensitive name),
 * or NULL.  Returns a new string; caller frees. */
char *http_resp_header(const struct http_resp *resp, const char *name);

/* The rel="next" URL of a Link header, or NULL.  Caller frees. */
char *http_link_next(const char *link_header);

/* Escape one URL path segment or query value (libcurl's escaping).
 * Caller frees. */
char *http_escape(const char *s);

/* Connections opened by this handle so far (for tests and benchmarks:
 * proves keep-alive). */
long http_connects(const struct http *h);

/* The transfer speed (bytes/s) below which a transfer that lasts
 * low_speed_time_s is cut. */
#define HTTP_LOW_SPEED_BPS 64L

/* Cancellation (see above).  http_interrupt() is async-signal-safe.
 * http_set_wake_fd(): the read end of the caller's self-pipe (which its
 * signal handler writes to), polled by backoff waits; -1 = none. */
void http_interrupt(void);
void http_set_wake_fd(int fd);
/* Non-zero once http_interrupt() was called in this process. */
int http_cancelled(void);

/* curl_global_init once in main(), before any fork or thread. */
int http_global_init(void);
void http_global_cleanup(void);

#endif
