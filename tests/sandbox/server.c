/*
 * server.c - the HTTP side of mlgate-sandbox: libmicrohttpd setup,
 * request bodies, routing to the services, faults, latency and the
 * JSONL request log.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "sandbox.h"
#include "util.h"

#define SRV_MAX_BODY (16u * 1024u * 1024u)
/* Whole bodies (up to the largest accepted one), so that check_spec can
 * validate every field of every request. */
#define SRV_LOG_BODY SRV_MAX_BODY

/* Per-request state, from the URI callback to the completion callback. */
struct srv_conn {
    char *uri;          /* raw request URI (path + query) */
    struct buf body;
    int started;
    int too_large;
};

static FILE *srv_log;
static long srv_latency_ms;

/* ---- response and request helpers */

/* A string value "__raw:TEXT" in a scenario is sent as the bare JSON
 * text TEXT: numbers cJSON cannot hold, such as 1e400 (which it reads as
 * infinity and would print as null), reach the client as a real server
 * could send them.  TEXT has no quote or backslash.  Takes text. */
static char *resp_unraw(char *text)
{
    static const char tag[] = "\"__raw:";
    struct buf b = { 0 };
    const char *p = text, *hit;

    if (text == NULL || strstr(text, tag) == NULL)
        return text;
    while ((hit = strstr(p, tag)) != NULL) {
        const char *end = strchr(hit + sizeof tag - 1, '"');

        if (end == NULL)
            break;
        buf_add(&b, p, (size_t)(hit - p));
        buf_add(&b, hit + sizeof tag - 1,
                (size_t)(end - hit - (sizeof tag - 1)));
        p = end + 1;
    }
    buf_adds(&b, p);
    free(text);
    return buf_take(&b);
}

void resp_json(struct sbx_resp *r, int status, cJSON *j)
{
    free(r->body);
    r->body = resp_unraw(cJSON_PrintUnformatted(j));
    r->status = status;
    r->ctype = "application/json";
    cJSON_Delete(j);
}

void resp_text(struct sbx_resp *r, int status, const char *ctype,
               const char *text)
{
    free(r->body);
    r->body = xstrdup(text);
    r->status = status;
    r->ctype = ctype;
}

void resp_header(struct sbx_resp *r, const char *name, const char *value)
{
    int i;

    for (i = 0; i < r->nhdrs; i++)
        if (strcasecmp(r->hdr_name[i], name) == 0) {
            free(r->hdr_value[i]);
            r->hdr_value[i] = xstrdup(value);
            return;
        }
    if (r->nhdrs == SBX_MAX_HDRS)
        return;
    r->hdr_name[r->nhdrs] = xstrdup(name);
    r->hdr_value[r->nhdrs] = xstrdup(value);
    r->nhdrs++;
}

static void resp_free(struct sbx_resp *r)
{
    int i;

    free(r->body);
    for (i = 0; i < r->nhdrs; i++) {
        free(r->hdr_name[i]);
        free(r->hdr_value[i]);
    }
    memset(r, 0, sizeof(*r));
}

const char *req_header(const struct sbx_req *q, const char *name)
{
    return MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, name);
}

char *req_query_arg(const struct sbx_req *q, const char *name)
{
    const char *p = q->query;
    size_t nl = strlen(name);

    while (p != NULL && *p != '\0') {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);

        if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            char *v = xstrndup(p + nl + 1, len - nl - 1);
            char *s;

            for (s = v; *s != '\0'; s++)
                if (*s == '+')
                    *s = ' ';
            MHD_http_unescape(v);
            return v;
        }
        if (len == nl && strncmp(p, name, nl) == 0)
            return xstrdup("");
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

/* ---- request log */

static enum MHD_Result srv_log_hdr(void *cls, enum MHD_ValueKind kind,
                                   const char *key, const char *value)
{
    cJSON *h = cls;

    (void)kind;
    if (strcasecmp(key, "Authorization") == 0 ||
        strcasecmp(key, "PRIVATE-TOKEN") == 0 ||
        strcasecmp(key, "Cookie") == 0)
        value = "[redacted]";
    if (!cJSON_HasObjectItem(h, key))
        cJSON_AddStringToObject(h, key, value ? value : "");
    return MHD_YES;
}

static void srv_log_line(const struct sbx_req *q, const struct sbx_resp *r)
{
    cJSON *o, *h;
    char *line, *body;
    size_t bl = q->body_len < SRV_LOG_BODY ? q->body_len : SRV_LOG_BODY;

    if (srv_log == NULL)
        return;
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "t", now_wall());
    cJSON_AddStringToObject(o, "method", q->method);
    cJSON_AddStringToObject(o, "path", q->raw_uri);
    cJSON_AddNumberToObject(o, "status", r->drop ? 0 : r->status);
    cJSON_AddStringToObject(o, "service", q->service);
    if (q->endpoint[0] != '\0')
        cJSON_AddStringToObject(o, "endpoint", q->endpoint);
    else
        cJSON_AddNullToObject(o, "endpoint");
    body = xstrndup(q->body ? q->body : "", bl);
    cJSON_AddStringToObject(o, "req_body", body);
    free(body);
    h = cJSON_AddObjectToObject(o, "headers");
    MHD_get_connection_values(q->conn, MHD_HEADER_KIND, srv_log_hdr, h);
    line = cJSON_PrintUnformatted(o);
    fputs(line, srv_log);
    fputc('\n', srv_log);
    fflush(srv_log);
    free(line);
    cJSON_Delete(o);
}

/* ---- faults */

static int srv_fault_matches(const struct sbx_fault *f,
                             const struct sbx_req *q, const char *subpath)
{
    if (f->service != NULL && strcmp(f->service, q->service) != 0)
        return 0;
    if (f->method != NULL && strcmp(f->method, q->method) != 0)
        return 0;
    if (f->endpoint != NULL && strcmp(f->endpoint, q->endpoint) != 0)
        return 0;
    if (f->has_re && regexec(f->re, subpath, 0, NULL, 0) != 0)
        return 0;
    return 1;
}

/* The first fault that fires for q, counting q against every fault that
 * matches.  NULL when none fires. */
static const struct sbx_fault *srv_fault_pick(const struct sbx_req *q,
                                              const char *subpath)
{
    struct sbx_fault *hit = NULL;
    size_t i;

    for (i = 0; i < sbx_w.nfaults; i++) {
        struct sbx_fault *f = &sbx_w.faults[i];

        if (!srv_fault_matches(f, q, subpath))
            continue;
        f->seen++;
        if (hit == NULL && f->seen >= f->nth &&
            (f->count == 0 || f->seen < f->nth + f->count)) {
            f->fired++;
            hit = f;
        }
    }
    return hit;
}

static void srv_dispatch(struct sbx_req *q, struct sbx_resp *r);

/* Applies a fault.  Returns 1 when r is the complete answer. */
static int srv_fault_apply(const struct sbx_fault *f, struct sbx_req *q,
                           struct sbx_resp *r)
{
    const cJSON *s = f->spec;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(s, "status");
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(s, "body");
    const cJSON *ra = cJSON_GetObjectItemCaseSensitive(s, "retry_after");
    const cJSON *rl = cJSON_GetObjectItemCaseSensitive(s, "rate_limit");
    const cJSON *hdrs = cJSON_GetObjectItemCaseSensitive(s, "headers");
    const cJSON *dl = cJSON_GetObjectItemCaseSensitive(s, "delay_ms");
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(s, "trickle_ms");
    const cJSON *h;
    int status = cJSON_IsNumber(st) ? st->valueint : 0;
    int done = 0;

    if (cJSON_IsNumber(dl))
        r->delay_ms += (long)dl->valuedouble;
    if (cJSON_IsNumber(tr) && tr->valuedouble > 0)
        r->trickle_ms = (long)tr->valuedouble;
    /* A gateway that answers an error after the origin acted: the
     * request is handled (and changes the state), the answer dropped. */
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "acted"))) {
        long delay = r->delay_ms, trickle = r->trickle_ms;

        srv_dispatch(q, r);
        resp_free(r);
        r->delay_ms = delay;
        r->trickle_ms = trickle;
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "drop"))) {
        r->drop = 1;
        return 1;
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "malformed"))) {
        size_t len;

        srv_dispatch(q, r);
        len = r->body ? strlen(r->body) : 0;
        if (len < 2) {
            resp_text(r, 200, "application/json", "{\"meta\": {\"id\": \"");
        } else {
            r->body[len / 2] = '\0';
            r->status = 200;
            r->ctype = "application/json";
        }
        return 1;
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "html"))) {
        resp_text(r, 200, "text/html; charset=utf-8",
                  "<!DOCTYPE html>\n<html><head><title>Welcome</title>"
                  "</head><body><h1>It works, but this is not ClearML"
                  "</h1></body></html>\n");
        return 1;
    }
    if (cJSON_IsString(rl)) {
        const cJSON *ri = cJSON_GetObjectItemCaseSensitive(s, "reset_in");

        github_rate_limit(r, strcmp(rl->valuestring, "primary") == 0,
                          status,
                          cJSON_IsNumber(ra) ? (long)ra->valuedouble : 60,
                          cJSON_IsNumber(ri) ? (long)ri->valuedouble : 1);
        done = 1;
    } else if (status != 0 || cJSON_IsNumber(ra)) {
        if (status == 0)
            status = 429;
        if (cJSON_IsString(body)) {
            resp_text(r, status, "text/plain; charset=utf-8",
                      body->valuestring);
        } else if (body != NULL) {
            resp_json(r, status, cJSON_Duplicate(body, 1));
        } else if (strcmp(q->service, "clearml") == 0) {
            const cJSON *sub = cJSON_GetObjectItemCaseSensitive(s,
                                                               "subcode");
            const cJSON *msg = cJSON_GetObjectItemCaseSensitive(s, "msg");

            clearml_error(q, r, status,
                          cJSON_IsNumber(sub) ? sub->valueint : 0,
                          cJSON_IsString(msg) ? msg->valuestring :
                          status >= 500 ? "General server error" :
                          "Injected fault", NULL);
        } else {
            cJSON *j = cJSON_CreateObject();
            const cJSON *msg = cJSON_GetObjectItemCaseSensitive(s, "msg");

            cJSON_AddStringToObject(j, "message", cJSON_IsString(msg) ?
                                    msg->valuestring : "Server Error");
            resp_json(r, status, j);
        }
        if (cJSON_IsNumber(ra)) {
            char v[32];

            snprintf(v, sizeof(v), "%ld", (long)ra->valuedouble);
            resp_header(r, "Retry-After", v);
        }
        done = 1;
    }
    if (done)
        cJSON_ArrayForEach(h, hdrs)
            if (cJSON_IsString(h))
                resp_header(r, h->string, h->valuestring);
    return done;
}

/* ---- trickling bodies */

struct srv_trickle {
    char *body;
    size_t len;
    long ms;
};

static void srv_sleep_ms(long ms);

/* One byte per call, after a pause: a server that stalls mid-body. */
static ssize_t srv_trickle_cb(void *cls, uint64_t pos, char *buf,
                              size_t max)
{
    struct srv_trickle *t = cls;

    if (pos >= t->len)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (max < 1)
        return 0;
    srv_sleep_ms(t->ms);
    buf[0] = t->body[pos];
    return 1;
}

static void srv_trickle_free(void *cls)
{
    struct srv_trickle *t = cls;

    free(t->body);
    free(t);
}

/* ---- sandbox control endpoints */

static void srv_control(struct sbx_req *q, struct sbx_resp *r)
{
    cJSON *body = NULL;

    if (strcmp(q->path, "/__state") == 0) {
        resp_json(r, 200, world_state_json());
        return;
    }
    if (strcmp(q->method, "POST") != 0) {
        resp_text(r, 404, "text/plain", "not found\n");
        return;
    }
    body = cJSON_ParseWithLength(q->body ? q->body : "", q->body_len);
    if (strcmp(q->path, "/__fault") == 0 && body != NULL) {
        char err[256];
        const cJSON *it;
        int bad = 0;

        if (cJSON_IsArray(body)) {
            cJSON_ArrayForEach(it, body)
                bad |= world_add_fault(it, err, sizeof(err));
        } else {
            bad = world_add_fault(body, err, sizeof(err));
        }
        if (bad)
            resp_text(r, 400, "text/plain", err);
        else
            resp_text(r, 200, "application/json", "{\"ok\":true}");
    } else if (strcmp(q->path, "/__clock") == 0 && body != NULL) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(body,
                                                         "advance_ms");

        if (cJSON_IsNumber(a) && a->valuedouble >= 0) {
            cJSON *o = cJSON_CreateObject();

            sbx_w.clock_offset_ms += a->valuedouble;
            world_tick();
            cJSON_AddNumberToObject(o, "clock_ms", sbx_w.clock_offset_ms);
            resp_json(r, 200, o);
        } else {
            resp_text(r, 400, "text/plain", "advance_ms: number >= 0\n");
        }
    } else {
        resp_text(r, 400, "text/plain", "bad control request\n");
    }
    cJSON_Delete(body);
}

static void srv_dispatch(struct sbx_req *q, struct sbx_resp *r)
{
    if (strcmp(q->service, "clearml") == 0)
        clearml_handle(q, r);
    else if (strcmp(q->service, "github") == 0)
        github_handle(q, r);
    else if (strcmp(q->service, "gitlab") == 0)
        gitlab_handle(q, r);
    else if (strcmp(q->service, "web") == 0)
        resp_text(r, 200, "text/html; charset=utf-8",
                  "<!DOCTYPE html>\n<html><body>mlgate-sandbox ClearML web"
                  "</body></html>\n");
    else if (strncmp(q->path, "/__", 3) == 0)
        srv_control(q, r);
    else
        resp_text(r, 404, "text/plain", "not found\n");
}

/* Sets q->service and returns the path below the service prefix. */
static const char *srv_classify(struct sbx_req *q)
{
    const char *p = q->path;

    if (strncmp(p, "/clearml-web", 12) == 0 &&
        (p[12] == '/' || p[12] == '\0')) {
        q->service = "web";
        sbx_w.n_sandbox++;
        return p + 12;
    }
    if (strncmp(p, "/clearml", 8) == 0 && (p[8] == '/' || p[8] == '\0')) {
        q->service = "clearml";
        sbx_w.n_clearml++;
        clearml_parse_endpoint(q);
        return p + 8;
    }
    if (strncmp(p, "/github", 7) == 0 && (p[7] == '/' || p[7] == '\0')) {
        q->service = "github";
        sbx_w.n_github++;
        return p + 7;
    }
    if (strncmp(p, "/gitlab/api/v4", 14) == 0 &&
        (p[14] == '/' || p[14] == '\0')) {
        q->service = "gitlab";
        sbx_w.n_gitlab++;
        return p + 14;
    }
    q->service = "sandbox";
    sbx_w.n_sandbox++;
    return p;
}

static void srv_sleep_ms(long ms)
{
    struct timespec ts;

    if (ms <= 0)
        return;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static enum MHD_Result srv_handler(void *cls, struct MHD_Connection *conn,
                                   const char *url, const char *method,
                                   const char *version,
                                   const char *upload_data,
                                   size_t *upload_data_size, void **con_cls)
{
    struct srv_conn *c = *con_cls;
    struct sbx_req q;
    struct sbx_resp r;
    struct MHD_Response *mr;
    const char *qm, *sub;
    enum MHD_Result ret;
    const struct sbx_fault *f;
    int i;

    (void)cls;
    (void)version;
    if (c == NULL) {
        c = xcalloc(1, sizeof(*c));
        c->uri = xstrdup(url);
        *con_cls = c;
    }
    if (!c->started) {
        c->started = 1;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        if (c->body.len + *upload_data_size > SRV_MAX_BODY)
            c->too_large = 1;
        else
            buf_add(&c->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }

    memset(&q, 0, sizeof(q));
    memset(&r, 0, sizeof(r));
    q.method = method;
    q.path = url;
    q.raw_uri = c->uri;
    qm = strchr(c->uri, '?');
    q.query = qm ? qm + 1 : "";
    q.body = c->body.p ? c->body.p : "";
    q.body_len = c->body.len;
    q.conn = conn;

    pthread_mutex_lock(&sbx_w.lock);
    sbx_w.n_requests++;
    world_tick();
    sub = srv_classify(&q);
    if (c->too_large) {
        resp_text(&r, 413, "text/plain", "request body too large\n");
    } else {
        f = strncmp(q.path, "/__", 3) == 0 ? NULL : srv_fault_pick(&q, sub);
        if (f == NULL || !srv_fault_apply(f, &q, &r))
            srv_dispatch(&q, &r);
    }
    srv_log_line(&q, &r);
    pthread_mutex_unlock(&sbx_w.lock);

    srv_sleep_ms(srv_latency_ms + r.delay_ms);
    if (r.drop) {
        resp_free(&r);
        return MHD_NO;
    }
    if (r.trickle_ms > 0) {
        struct srv_trickle *t = xcalloc(1, sizeof(*t));

        t->body = r.body ? r.body : xstrdup("");
        t->len = strlen(t->body);
        t->ms = r.trickle_ms;
        mr = MHD_create_response_from_callback(t->len, 1, srv_trickle_cb, t,
                                               srv_trickle_free);
    } else {
        mr = MHD_create_response_from_buffer(r.body ? strlen(r.body) : 0,
                                             r.body ? r.body : (void *)"",
                                             r.body ? MHD_RESPMEM_MUST_FREE :
                                             MHD_RESPMEM_PERSISTENT);
    }
    r.body = NULL;
    if (r.ctype != NULL)
        MHD_add_response_header(mr, "Content-Type", r.ctype);
    for (i = 0; i < r.nhdrs; i++)
        MHD_add_response_header(mr, r.hdr_name[i], r.hdr_value[i]);
    ret = MHD_queue_response(conn, (unsigned)(r.status ? r.status : 500),
                             mr);
    MHD_destroy_response(mr);
    resp_free(&r);
    return ret;
}

static void *srv_uri_cb(void *cls, const char *uri,
                        struct MHD_Connection *conn)
{
    struct srv_conn *c = xcalloc(1, sizeof(*c));

    (void)cls;
    (void)conn;
    c->uri = xstrdup(uri);
    return c;
}

static void srv_done_cb(void *cls, struct MHD_Connection *conn,
                        void **con_cls, enum MHD_RequestTerminationCode tc)
{
    struct srv_conn *c = *con_cls;

    (void)cls;
    (void)conn;
    (void)tc;
    if (c == NULL)
        return;
    free(c->uri);
    buf_free(&c->body);
    free(c);
    *con_cls = NULL;
}

/* Parses "HOST:PORT" (IPv4).  Returns 0 or -1. */
static int srv_parse_listen(const char *s, struct sockaddr_in *sa,
                            int allow_remote)
{
    const char *colon = strrchr(s, ':');
    char host[64];
    char *end;
    long port;

    if (colon == NULL || (size_t)(colon - s) >= sizeof(host)) {
        fprintf(stderr, "mlgate-sandbox: --listen wants HOST:PORT\n");
        return -1;
    }
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535) {
        fprintf(stderr, "mlgate-sandbox: bad port in --listen %s\n", s);
        return -1;
    }
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((unsigned short)port);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        fprintf(stderr, "mlgate-sandbox: bad address in --listen %s "
                "(IPv4 only)\n", s);
        return -1;
    }
    if (!allow_remote &&
        (ntohl(sa->sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "mlgate-sandbox: refusing to listen on %s: not a "
                "loopback address (use --allow-remote)\n", host);
        return -1;
    }
    return 0;
}

void *server_start(const struct sbx_opts *o, unsigned *port)
{
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *di;

    if (srv_parse_listen(o->listen, &sa, o->allow_remote) != 0)
        return NULL;
    srv_latency_ms = o->latency_ms;
    if (o->log_path != NULL) {
        srv_log = fopen(o->log_path, "a");
        if (srv_log == NULL) {
            fprintf(stderr, "mlgate-sandbox: cannot open log %s: %s\n",
                    o->log_path, strerror(errno));
            return NULL;
        }
    }
    /* One thread per connection: a sleeping (latency) answer never holds
     * up another client, and keep-alive connections keep their thread. */
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
                         MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL,
                         0, NULL, NULL, srv_handler, NULL,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                         MHD_OPTION_URI_LOG_CALLBACK, srv_uri_cb, NULL,
                         MHD_OPTION_NOTIFY_COMPLETED, srv_done_cb, NULL,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                         (size_t)(256 * 1024),
                         MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "mlgate-sandbox: cannot listen on %s\n", o->listen);
        return NULL;
    }
    di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    *port = di ? di->port : 0;
    return d;
}

void server_stop(void *h)
{
    if (h != NULL)
        MHD_stop_daemon(h);
    if (srv_log != NULL) {
        fflush(srv_log);
        fclose(srv_log);
        srv_log = NULL;
    }
}
