/*
 * clearml.c - the ClearML API client: configuration sources, auth.login
 * and the token, the meta/data envelope and its error form, and the
 * helpers behind the host table (find a task, project/queue by name,
 * tags, web links).
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "clearml.h"
#include "endpoint.h"
#include "http.h"
#include "log.h"
#include "util.h"
#include "validate.h"

#define CLEARML_API_PREFIX "v2.23"
#define CLEARML_DEFAULT_API "https://api.clear.ml"
#define CLEARML_PAGE_SIZE 500

struct clearml {
    struct http *http;
    char *api;
    char *web;
    char *access_key;
    char *secret_key;
    char *auth_token;
    char *token;       /* the Bearer token from auth.login */
    int api_version;   /* 234 for "2.34"; 0 unknown */
    double token_exp;  /* epoch seconds; 0 unknown */
};

/* ---- configuration ------------------------------------------------ */

static char *clearml_strip_slash(char *s)
{
    size_t n;

    if (!s)
        return s;
    n = strlen(s);
    while (n > 0 && s[n - 1] == '/')
        s[--n] = '\0';
    return s;
}

static const char *clearml_env2(const char *a, const char *b)
{
    const char *v = getenv(a);

    if ((!v || !*v) && b)
        v = getenv(b);
    return v && *v ? v : NULL;
}

static void clearml_set_from(char **dst, const char *v)
{
    if (!*dst && v && *v)
        *dst = xstrdup(v);
}

/* "yes"/"no" or a CA-bundle path; only when not decided yet. */
static void clearml_set_verify(struct clearml_conf *cc, const char *v)
{
    int b;

    if (!v || !*v || cc->verify >= 0 || cc->ca_bundle)
        return;
    if (conf_parse_bool(v, &b) == 0) {
        cc->verify = b;
    } else {
        cc->verify = 1;
        cc->ca_bundle = xstrdup(v);
    }
}

/* Web host from the API host, per clearml-api.md §7.3.  Caller frees;
 * NULL when it cannot be derived. */
static char *clearml_derive_web(const char *api)
{
    const char *p;

    if (strcmp(api, CLEARML_DEFAULT_API) == 0)
        return xstrdup("https://app.clear.ml");
    if ((p = strstr(api, "://demoapi.")) != NULL)
        return xasprintf("%.*s://demoapp.%s", (int)(p - api), api,
                         p + strlen("://demoapi."));
    if ((p = strstr(api, "://api.")) != NULL)
        return xasprintf("%.*s://app.%s", (int)(p - api), api,
                         p + strlen("://api."));
    if ((p = strstr(api, ":8008")) != NULL &&
        (p[5] == '\0' || p[5] == '/'))
        return xasprintf("%.*s:8080%s", (int)(p - api), api, p + 5);
    return NULL;
}

/* clearml.conf is small; a bigger one (or a link to an endless file)
 * is refused rather than read into memory. */
#define CLEARML_CONF_MAX (1024u * 1024u)

static int clearml_read_file(const char *path, int must_exist,
                             struct clearml_conf *cc, struct mlg_error *err)
{
    char *text, msg[256];
    size_t len;
    int rc;

    if (util_read_file(path, CLEARML_CONF_MAX, &text, &len) != 0) {
        if (!must_exist && errno == ENOENT)
            return 0;
        util_read_error(path, CLEARML_CONF_MAX, msg, sizeof msg);
        log_seterr(err, MLG_E_CONFIG, 0, 0, "clearml: %s", msg);
        return -1;
    }
    rc = clearml_conf_parse_hocon(text, len, cc, msg, sizeof msg);
    free(text);
    if (rc < 0)
        log_seterr(err, MLG_E_CONFIG, 0, 0, "clearml: %s: %s", path, msg);
    return rc;
}

int clearml_conf_load(struct clearml_conf *cc, const struct conf_section *sec,
                      struct mlg_error *err)
{
    const char *v;

    memset(cc, 0, sizeof *cc);
    cc->verify = -1; /* undecided until a source sets it */

    /* 1. the conf's [clearml] section (never credentials). */
    clearml_set_from(&cc->api_host, conf_get(sec, "api-host"));
    clearml_set_from(&cc->web_host, conf_get(sec, "web-host"));
    clearml_set_verify(cc, conf_get(sec, "verify"));

    /* 2. the environment. */
    clearml_set_from(&cc->api_host,
                     clearml_env2("CLEARML_API_HOST", "TRAINS_API_HOST"));
    clearml_set_from(&cc->web_host,
                     clearml_env2("CLEARML_WEB_HOST", "TRAINS_WEB_HOST"));
    clearml_set_from(&cc->access_key,
                     clearml_env2("CLEARML_API_ACCESS_KEY",
                                  "TRAINS_API_ACCESS_KEY"));
    clearml_set_from(&cc->secret_key,
                     clearml_env2("CLEARML_API_SECRET_KEY",
                                  "TRAINS_API_SECRET_KEY"));
    clearml_set_from(&cc->auth_token, clearml_env2("CLEARML_AUTH_TOKEN",
                                                   NULL));
    clearml_set_verify(cc, clearml_env2("CLEARML_API_HOST_VERIFY_CERT",
                                        "TRAINS_API_HOST_VERIFY_CERT"));
    log_secret_add(cc->access_key);
    log_secret_add(cc->secret_key);
    log_secret_add(cc->auth_token);
    /* Anything configured so far was configured explicitly. */
    cc->allow_http = cc->api_host != NULL;

    /* 3. CLEARML_CONFIG_FILE (only that file), else ~/clearml.conf. */
    v = clearml_env2("CLEARML_CONFIG_FILE", "TRAINS_CONFIG_FILE");
    if (v) {
        if (clearml_read_file(v, 1, cc, err) < 0)
            return -1;
    } else if ((v = getenv("HOME")) != NULL && *v) {
        char *path = xasprintf("%s/clearml.conf", v);
        int rc = clearml_read_file(path, 0, cc, err);

        free(path);
        if (rc < 0)
            return -1;
    }
    if (cc->api_host)
        cc->allow_http = 1;
    else
        cc->api_host = xstrdup(CLEARML_DEFAULT_API);
    clearml_strip_slash(cc->api_host);
    clearml_strip_slash(cc->web_host);
    if (!cc->web_host)
        cc->web_host = clearml_derive_web(cc->api_host);
    if (cc->verify < 0)
        cc->verify = 1;
    log_secret_add(cc->access_key);
    log_secret_add(cc->secret_key);
    return 0;
}

void clearml_conf_free(struct clearml_conf *cc)
{
    if (!cc)
        return;
    free(cc->api_host);
    free(cc->web_host);
    free(cc->access_key);
    free(cc->secret_key);
    free(cc->auth_token);
    free(cc->ca_bundle);
    memset(cc, 0, sizeof *cc);
}

/* ---- client --------------------------------------------------------- */

struct clearml *clearml_new(const struct clearml_conf *cc,
                            struct mlg_error *err)
{
    struct clearml *c;
    struct http_opts o;
    const char *env;

    if (!(cc->access_key && cc->secret_key) && !cc->auth_token) {
        log_seterr(err, MLG_E_CONFIG, 0, 0,
                   "clearml: no credentials (set CLEARML_API_ACCESS_KEY "
                   "and CLEARML_API_SECRET_KEY, or CLEARML_AUTH_TOKEN)");
        return NULL;
    }
    memset(&o, 0, sizeof o);
    o.service = "clearml";
    o.base_url = cc->api_host ? cc->api_host : CLEARML_DEFAULT_API;
    o.verify = cc->verify != 0;
    o.ca_bundle = cc->ca_bundle;
    o.allow_http = cc->allow_http;
    /* Tests and the demo shorten the backoff; never a production knob. */
    env = getenv("MLGATE_HTTP_BACKOFF");
    if (env)
        o.backoff_base_s = atof(env);
    c = xcalloc(1, sizeof *c);
    c->http = http_new(&o, err);
    if (!c->http) {
        free(c);
        return NULL;
    }
    c->api = xstrdup(http_base(c->http));
    c->web = xstrdup(cc->web_host ? cc->web_host : "");
    c->access_key = xstrdup(cc->access_key);
    c->secret_key = xstrdup(cc->secret_key);
    c->auth_token = xstrdup(cc->auth_token);
    return c;
}

void clearml_free(struct clearml *c)
{
    if (!c)
        return;
    http_free(c->http);
    free(c->api);
    free(c->web);
    free(c->access_key);
    free(c->secret_key);
    free(c->auth_token);
    free(c->token);
    free(c);
}

const char *clearml_web_host(const struct clearml *c)
{
    return c->web;
}

long clearml_connects(const struct clearml *c)
{
    return http_connects(c->http);
}

int clearml_api_version(const struct clearml *c)
{
    return c->api_version;
}

/* Standard base64 of s (for the Basic header).  Caller frees. */
static char *clearml_base64(const char *s, size_t n)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
    size_t i;

    for (i = 0; i + 2 < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16 |
                     (unsigned char)s[i + 1] << 8 | (unsigned char)s[i + 2];

        *o++ = tab[v >> 18 & 63];
        *o++ = tab[v >> 12 & 63];
        *o++ = tab[v >> 6 & 63];
        *o++ = tab[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned char)s[i] << 16;

        if (i + 1 < n)
            v |= (unsigned char)s[i + 1] << 8;
        *o++ = tab[v >> 18 & 63];
        *o++ = tab[v >> 12 & 63];
        *o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
        *o++ = '=';
    }
    *o = '\0';
    return out;
}

/* base64url (no padding) decode, for the JWT payload.  Caller frees;
 * NULL when malformed. */
static char *clearml_b64url_decode(const char *s, size_t n, size_t *outlen)
{
    char *out = xmalloc(n * 3 / 4 + 4);
    unsigned acc = 0;
    int bits = 0;
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        int c = (unsigned char)s[i], v;

        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '-' || c == '+')
            v = 62;
        else if (c == '_' || c == '/')
            v = 63;
        else if (c == '=')
            break;
        else {
            free(out);
            return NULL;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)(acc >> bits & 0xff);
        }
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}

/* Reads exp and api_version from the token's payload. */
static void clearml_parse_jwt(struct clearml *c)
{
    const char *p = strchr(c->token, '.'), *q;
    char *json;
    size_t n;
    cJSON *j, *v;

    c->api_version = 0;
    c->token_exp = 0;
    if (!p || !(q = strchr(p + 1, '.')))
        return;
    json = clearml_b64url_decode(p + 1, (size_t)(q - p - 1), &n);
    if (!json)
        return;
    j = cJSON_ParseWithLength(json, n);
    free(json);
    if (!j)
        return;
    v = cJSON_GetObjectItemCaseSensitive(j, "exp");
    /* A server's number: finite and a plausible epoch, else ignored
     * (the token is then refreshed on its first 401). */
    if (cJSON_IsNumber(v) && validate_finite(v->valuedouble, 0, 1e11))
        c->token_exp = v->valuedouble;
    v = cJSON_GetObjectItemCaseSensitive(j, "api_version");
    if (cJSON_IsString(v)) {
        int maj = 0, min = 0;

        if (sscanf(v->valuestring, "%d.%d", &maj, &min) == 2 && maj >= 0 &&
            min >= 0 && min < 100)
            c->api_version = maj * 100 + min;
    }
    cJSON_Delete(j);
}

int clearml_parse_envelope(const struct http_resp *resp, const char *url,
                           const char *endpoint, cJSON **data,
                           struct mlg_error *err)
{
    cJSON *j = NULL, *meta, *v;
    long code;
    int subcode = 0;
    const char *msg = "";

    *data = NULL;
    if (resp->body && resp->len > 0)
        j = cJSON_ParseWithLength(resp->body, resp->len);
    meta = j ? cJSON_GetObjectItemCaseSensitive(j, "meta") : NULL;
    if (!cJSON_IsObject(meta)) {
        char *ct = http_resp_header(resp, "content-type");
        char *murl = xstrndup(url, strcspn(url, "?#"));
        size_t n = ct ? strcspn(ct, ";") : 0;

        if (ct)
            log_seterr(err, MLG_E_TRANSPORT, (int)resp->status, 0,
                       "clearml: %s did not answer like a ClearML API "
                       "server (HTTP %ld, %.*s)", murl, resp->status,
                       (int)n, ct);
        else
            log_seterr(err, MLG_E_TRANSPORT, (int)resp->status, 0,
                       "clearml: %s did not answer like a ClearML API "
                       "server (HTTP %ld, no content type)", murl,
                       resp->status);
        free(ct);
        free(murl);
        cJSON_Delete(j);
        return -1;
    }
    code = resp->status;
    v = cJSON_GetObjectItemCaseSensitive(meta, "result_code");
    /* Range-checked: casting an out-of-range double is undefined. */
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1000)
        code = (long)v->valuedouble;
    v = cJSON_GetObjectItemCaseSensitive(meta, "result_subcode");
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
        v->valuedouble < 1000000)
        subcode = (int)v->valuedouble;
    v = cJSON_GetObjectItemCaseSensitive(meta, "result_msg");
    if (cJSON_IsString(v))
        msg = v->valuestring;
    if (resp->status / 100 == 2 && code / 100 == 2) {
        *data = cJSON_DetachItemFromObjectCaseSensitive(j, "data");
        if (!*data)
            *data = cJSON_CreateObject();
        cJSON_Delete(j);
        return 0;
    }
    {
        /* One line: fold newlines of multi-line server messages. */
        char *m = xstrdup(msg), *p;

        for (p = m; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        log_seterr(err, MLG_E_HTTP, (int)code, subcode, "%ld/%d: %s (%s)",
                   code, subcode, endpoint, m);
        free(m);
    }
    cJSON_Delete(j);
    return -1;
}

int clearml_login(struct clearml *c, double deadline, struct mlg_error *err)
{
    struct http_resp resp;
    struct http_req req;
    const char *hdrs[4];
    char *auth, *cred = NULL, *url;
    cJSON *data = NULL, *tok;
    int rc;

    if (c->access_key && c->secret_key) {
        char *pair = xasprintf("%s:%s", c->access_key, c->secret_key);

        cred = clearml_base64(pair, strlen(pair));
        free(pair);
        log_secret_add(cred);
        auth = xasprintf("Authorization: Basic %s", cred);
    } else {
        auth = xasprintf("Authorization: Bearer %s", c->auth_token);
    }
    hdrs[0] = auth;
    hdrs[1] = "Content-Type: application/json";
    hdrs[2] = "X-ClearML-Client: mlgate-" PACKAGE_VERSION;
    hdrs[3] = NULL;
    url = xasprintf("%s/auth.login", c->api);
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.url = url;
    req.body = "{}";
    req.body_len = 2;
    req.headers = hdrs;
    req.idempotent = 1;
    req.deadline = deadline;
    rc = http_request(c->http, &req, &resp, err);
    free(auth);
    free(cred);
    if (rc == 0)
        rc = clearml_parse_envelope(&resp, url, "auth.login", &data,
                                    err);
    if (rc == 0) {
        tok = cJSON_GetObjectItemCaseSensitive(data, "token");
        if (!cJSON_IsString(tok) || !*tok->valuestring) {
            log_seterr(err, MLG_E_TRANSPORT, (int)resp.status, 0,
                       "clearml: %s did not answer like a ClearML API "
                       "server (HTTP %ld, no token in the reply)", url,
                       resp.status);
            rc = -1;
        } else {
            log_secret_add(tok->valuestring);
            free(c->token);
            c->token = xstrdup(tok->valuestring);
            clearml_parse_jwt(c);
            log_msg(LOG_DEBUG, "clearml", "logged in to %s (API %d.%d)",
                    c->api, c->api_version / 100, c->api_version % 100);
        }
    }
    cJSON_Delete(data);
    http_resp_free(&resp);
    free(url);
    return rc;
}

/* POST {api}/{version}/{endpoint}: clearml_call with the URL version
 * given (endpoints newer than 2.23 are routed only from their own). */
/* The request fields that carry entity ids (a string or a list of
 * strings).  An id a server or plugin handed us is checked here, once,
 * before it is sent back in any later request (stop, archive, enqueue,
 * tags): a value that is not a ClearML id stops the call. */
static int clearml_ids_ok(const cJSON *body, struct mlg_error *err,
                          const char *endpoint)
{
    static const char *const keys[] = { "task", "tasks", "id", "ids",
                                        "project", "queue", NULL };
    size_t i;

    for (i = 0; keys[i]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, keys[i]);
        const cJSON *e;

        if (cJSON_IsString(v) && !validate_clearml_id(v->valuestring)) {
            log_seterr(err, MLG_E_USAGE, 0, 0, "clearml: %s: %s \"%.80s\" "
                       "is not a ClearML id", endpoint, keys[i],
                       v->valuestring);
            return 0;
        }
        if (!cJSON_IsArray(v))
            continue;
        cJSON_ArrayForEach(e, v)
            if (cJSON_IsString(e) && !validate_clearml_id(e->valuestring)) {
                log_seterr(err, MLG_E_USAGE, 0, 0, "clearml: %s: %s \"%.80s"
                           "\" is not a ClearML id", endpoint, keys[i],
                           e->valuestring);
                return 0;
            }
    }
    return 1;
}

static int clearml_call_v(struct clearml *c, const char *version,
                          const char *endpoint, const struct cJSON *body,
                          struct cJSON **data, double deadline,
                          struct mlg_error *err)
{
    char *json, *url, *auth;
    const char *hdrs[4];
    struct http_req req;
    struct http_resp resp;
    int rc, relogged = 0;

    *data = NULL;
    if (!endpoint_ok(endpoint)) {
        log_seterr(err, MLG_E_USAGE, 0, 0,
                   "clearml: \"%s\" is not a service.action endpoint",
                   endpoint ? endpoint : "(null)");
        return -1;
    }
    if (body && !clearml_ids_ok(body, err, endpoint))
        return -1;
    /* No token yet, or one about to expire (the SDK's threshold rule). */
    if ((!c->token || (c->token_exp > 0 &&
                       now_wall() > c->token_exp - 60)) &&
        clearml_login(c, deadline, err) < 0)
        return -1;
    json = body ? cJSON_PrintUnformatted(body) : xstrdup("{}");
    url = xasprintf("%s/%s/%s", c->api, version, endpoint);
    for (;;) {
        auth = xasprintf("Authorization: Bearer %s", c->token);
        hdrs[0] = auth;
        hdrs[1] = "Content-Type: application/json";
        hdrs[2] = "X-ClearML-Client: mlgate-" PACKAGE_VERSION;
        hdrs[3] = NULL;
        memset(&req, 0, sizeof req);
        req.method = "POST";
        req.url = url;
        req.body = json;
        req.body_len = strlen(json);
        req.headers = hdrs;
        req.idempotent = endpoint_is_read(endpoint);
        /* A lost tasks.create is found by its nonce (remote-run), not
         * sent twice: that would leave an orphan task. */
        req.no_replay = strcmp(endpoint, "tasks.create") == 0;
        req.deadline = deadline;
        rc = http_request(c->http, &req, &resp, err);
        free(auth);
        if (rc == 0)
            rc = clearml_parse_envelope(&resp, url, endpoint, data, err);
        /* The token expired or was revoked (401/30, 401/31), or this is a
         * child whose token the server no longer takes: log in once more
         * and repeat the call once. */
        if (rc < 0 && !relogged && err && err->kind == MLG_E_HTTP &&
            err->status == 401) {
            http_resp_free(&resp);
            relogged = 1;
            log_msg(LOG_DEBUG, "clearml", "%s: token refused, logging in "
                    "again", endpoint);
            if (clearml_login(c, deadline, err) < 0) {
                rc = -1;
                break;
            }
            continue;
        }
        http_resp_free(&resp);
        break;
    }
    free(url);
    free(json);
    return rc;
}

int clearml_call(struct clearml *c, const char *endpoint,
                 const struct cJSON *body, struct cJSON **data,
                 double deadline, struct mlg_error *err)
{
    return clearml_call_v(c, CLEARML_API_PREFIX, endpoint, body, data,
                          deadline, err);
}

int clearml_call_at(struct clearml *c, const char *version,
                    const char *endpoint, const struct cJSON *body,
                    struct cJSON **data, double deadline,
                    struct mlg_error *err)
{
    unsigned minor;
    char tail, *v;
    int rc;

    *data = NULL;
    /* "2.N": the URL's version segment is built from it, so nothing but
     * digits may pass. */
    if (version == NULL || strncmp(version, "2.", 2) != 0 ||
        strspn(version + 2, "0123456789") != strlen(version + 2) ||
        strlen(version + 2) < 1 || strlen(version + 2) > 3 ||
        sscanf(version + 2, "%u%c", &minor, &tail) != 1 || minor < 1) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "clearml: API version \"%s\" "
                   "is not 2.N", version ? version : "(null)");
        return -1;
    }
    if (c->api_version > 0 && 200 + (int)minor > c->api_version) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "clearml: %s needs API 2.%u, "
                   "the server has %d.%d", endpoint ? endpoint : "(null)",
                   minor, c->api_version / 100, c->api_version % 100);
        return -1;
    }
    v = xasprintf("v2.%u", minor);
    rc = clearml_call_v(c, v, endpoint, body, data, deadline, err);
    free(v);
    return rc;
}

/* ---- helpers ---------------------------------------------------------- */

char *clearml_regex_escape(const char *s)
{
    struct buf b = { 0 };

    for (; *s; s++) {
        if (strchr("\\.^$|?*+()[]{} ", *s))
            buf_addc(&b, '\\');
        buf_addc(&b, *s);
    }
    return buf_take(&b);
}

/* A JSON array of the strings of v.  Caller frees. */
static cJSON *clearml_strings(const char *const *v)
{
    cJSON *a = cJSON_CreateArray();

    for (; v && *v; v++)
        cJSON_AddItemToArray(a, cJSON_CreateString(*v));
    return a;
}

/* "^escaped$" as a JSON string.  Caller frees. */
static cJSON *clearml_anchored(const char *name)
{
    char *e = clearml_regex_escape(name), *r = xasprintf("^%s$", e);
    cJSON *s = cJSON_CreateString(r);

    free(e);
    free(r);
    return s;
}

cJSON *clearml_project_ids(struct clearml *c, const char *name,
                                  double deadline, struct mlg_error *err)
{
    cJSON *body = cJSON_CreateObject(), *data = NULL, *ids, *p, *list;
    const char *only[] = { "id", "name", NULL };

    cJSON_AddItemToObject(body, "name", clearml_anchored(name));
    cJSON_AddItemToObject(body, "only_fields", clearml_strings(only));
    cJSON_AddBoolToObject(body, "search_hidden", 1);
    if (clearml_call(c, "projects.get_all", body, &data, deadline,
                     err) < 0) {
        cJSON_Delete(body);
        return NULL;
    }
    cJSON_Delete(body);
    ids = cJSON_CreateArray();
    list = cJSON_GetObjectItemCaseSensitive(data, "projects");
    cJSON_ArrayForEach(p, list) {
        cJSON *id = cJSON_GetObjectItemCaseSensitive(p, "id");
        cJSON *nm = cJSON_GetObjectItemCaseSensitive(p, "name");

        /* The regex is exact already; the name check guards against a
         * server that treats it loosely. */
        if (cJSON_IsString(id) &&
            (!cJSON_IsString(nm) || strcmp(nm->valuestring, name) == 0))
            cJSON_AddItemToArray(ids, cJSON_CreateString(id->valuestring));
    }
    cJSON_Delete(data);
    return ids;
}

/* script.diff missing, null or "" */
static int clearml_task_clean(const cJSON *t)
{
    const cJSON *script = cJSON_GetObjectItemCaseSensitive(t, "script");
    const cJSON *diff = cJSON_GetObjectItemCaseSensitive(script, "diff");

    if (!diff || cJSON_IsNull(diff))
        return 1;
    return cJSON_IsString(diff) && diff->valuestring[0] == '\0';
}

int clearml_pick_task(const cJSON *data, cJSON **task, cJSON **dirty)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(data, "tasks");
    const cJSON *t;

    cJSON_ArrayForEach(t, list) {
        if (clearml_task_clean(t)) {
            *task = cJSON_Duplicate(t, 1);
            break;
        }
        if (!*dirty)
            *dirty = cJSON_Duplicate(t, 1);
    }
    return cJSON_GetArraySize(list);
}

int clearml_find_task(struct clearml *c, const char *commit,
                      const char *project, const char *task_name,
                      struct cJSON **task, struct cJSON **dirty,
                      double deadline, struct mlg_error *err)
{
    cJSON *pids = NULL;
    int rc;

    *task = NULL;
    *dirty = NULL;
    if (!validate_sha(commit)) {
        log_seterr(err, MLG_E_USAGE, 0, 0,
                   "clearml: \"%s\" is not a commit SHA",
                   commit ? commit : "(null)");
        return -1;
    }
    if (project && *project) {
        pids = clearml_project_ids(c, project, deadline, err);
        if (!pids)
            return -1;
        if (cJSON_GetArraySize(pids) == 0) {
            log_msg(LOG_DEBUG, "clearml", "no project named \"%s\"",
                    project);
            cJSON_Delete(pids);
            return 0;
        }
    }
    rc = clearml_find_task_in(c, commit, pids, task_name, NULL, task, dirty,
                              deadline, err);
    cJSON_Delete(pids);
    return rc;
}

/* Whether name is in the NULL-terminated v. */
static int clearml_listed(const char *const *v, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(v[i], name) == 0)
            return 1;
    return 0;
}

int clearml_find_task_in(struct clearml *c, const char *commit,
                         const struct cJSON *pids, const char *task_name,
                         const char *const *extra, struct cJSON **task,
                         struct cJSON **dirty, double deadline,
                         struct mlg_error *err)
{
    static const char *const only[] = {
        "id", "name", "project", "status", "status_message", "tags",
        "system_tags", "last_update", "last_iteration", "last_metrics",
        "script.diff", "script.version_num", "script.repository",
        "script.branch", NULL
    };
    static const char *const completed[] = { "completed", NULL };
    static const char *const not_archived[] = { "-archived", NULL };
    static const char *const order[] = { "-last_update", NULL };
    const char **fields;
    cJSON *body, *all;
    char *pattern;
    size_t nf = 0, i;
    int page, rc = 0;

    *task = NULL;
    *dirty = NULL;
    if (!validate_sha(commit)) {
        log_seterr(err, MLG_E_USAGE, 0, 0,
                   "clearml: \"%s\" is not a commit SHA",
                   commit ? commit : "(null)");
        return -1;
    }
    /* The default fields, then the extra ones not among them. */
    for (i = 0; extra && extra[i]; i++)
        ;
    fields = xcalloc(sizeof only / sizeof only[0] + i, sizeof *fields);
    for (i = 0; only[i]; i++)
        fields[nf++] = only[i];
    for (i = 0; extra && extra[i]; i++)
        if (!clearml_listed(fields, nf, extra[i]))
            fields[nf++] = extra[i];
    body = cJSON_CreateObject();
    all = cJSON_AddObjectToObject(body, "_all_");
    {
        const char *f[] = { "script.version_num", NULL };

        cJSON_AddItemToObject(all, "fields", clearml_strings(f));
    }
    pattern = xasprintf("^%s$", commit);
    cJSON_AddStringToObject(all, "pattern", pattern);
    free(pattern);
    cJSON_AddItemToObject(body, "status", clearml_strings(completed));
    cJSON_AddItemToObject(body, "system_tags",
                          clearml_strings(not_archived));
    cJSON_AddItemToObject(body, "order_by", clearml_strings(order));
    cJSON_AddItemToObject(body, "only_fields", clearml_strings(fields));
    free(fields);
    if (pids)
        cJSON_AddItemToObject(body, "project", cJSON_Duplicate(pids, 1));
    if (task_name && *task_name)
        cJSON_AddItemToObject(body, "name", clearml_anchored(task_name));
    cJSON_AddNumberToObject(body, "page", 0);
    cJSON_AddNumberToObject(body, "page_size", CLEARML_PAGE_SIZE);

    /* Newest first; page on only while no clean task turned up. */
    for (page = 0; !*task; page++) {
        cJSON *data = NULL;
        int n;

        cJSON_ReplaceItemInObjectCaseSensitive(body, "page",
                                               cJSON_CreateNumber(page));
        if (clearml_call(c, "tasks.get_all", body, &data, deadline,
                         err) < 0) {
            rc = -1;
            break;
        }
        n = clearml_pick_task(data, task, dirty);
        cJSON_Delete(data);
        if (n < CLEARML_PAGE_SIZE)
            break;
    }
    cJSON_Delete(body);
    if (rc < 0) {
        cJSON_Delete(*task);
        cJSON_Delete(*dirty);
        *task = NULL;
        *dirty = NULL;
    }
    return rc;
}

int clearml_project_id(struct clearml *c, const char *name, int create,
                       char **id, double deadline, struct mlg_error *err)
{
    cJSON *ids, *body, *data = NULL, *v;

    *id = NULL;
    if (!name || !*name) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "clearml: empty project name");
        return -1;
    }
    ids = clearml_project_ids(c, name, deadline, err);
    if (!ids)
        return -1;
    if (cJSON_GetArraySize(ids) > 0) {
        *id = xstrdup(cJSON_GetArrayItem(ids, 0)->valuestring);
        cJSON_Delete(ids);
        return 0;
    }
    cJSON_Delete(ids);
    if (!create) {
        log_seterr(err, MLG_E_USAGE, 0, 0,
                   "clearml: no project named \"%s\"", name);
        return -1;
    }
    body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "name", name);
    cJSON_AddStringToObject(body, "description", "");
    if (clearml_call(c, "projects.create", body, &data, deadline,
                     err) < 0) {
        cJSON_Delete(body);
        return -1;
    }
    cJSON_Delete(body);
    v = cJSON_GetObjectItemCaseSensitive(data, "id");
    if (!cJSON_IsString(v)) {
        log_seterr(err, MLG_E_TRANSPORT, 200, 0,
                   "clearml: projects.create returned no id");
        cJSON_Delete(data);
        return -1;
    }
    *id = xstrdup(v->valuestring);
    cJSON_Delete(data);
    return 0;
}

int clearml_queue_id(struct clearml *c, const char *name, char **id,
                     double deadline, struct mlg_error *err)
{
    static const char *const only[] = { "id", "name", NULL };
    cJSON *body, *data = NULL, *q;

    *id = NULL;
    if (!name || !*name) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "clearml: empty queue name");
        return -1;
    }
    body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "name", clearml_anchored(name));
    cJSON_AddItemToObject(body, "only_fields", clearml_strings(only));
    if (clearml_call(c, "queues.get_all", body, &data, deadline,
                     err) < 0) {
        cJSON_Delete(body);
        return -1;
    }
    cJSON_Delete(body);
    cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(data, "queues")) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive(q, "id");
        cJSON *nm = cJSON_GetObjectItemCaseSensitive(q, "name");

        if (cJSON_IsString(v) &&
            (!cJSON_IsString(nm) || strcmp(nm->valuestring, name) == 0)) {
            *id = xstrdup(v->valuestring);
            break;
        }
    }
    cJSON_Delete(data);
    if (!*id) {
        log_seterr(err, MLG_E_USAGE, 0, 0,
                   "clearml: no queue named \"%s\"", name);
        return -1;
    }
    return 0;
}

static int clearml_in(const char *const *v, const char *s)
{
    for (; v && *v; v++)
        if (strcmp(*v, s) == 0)
            return 1;
    return 0;
}

/* Read-modify-write for servers without tasks.update_tags. */
static int clearml_edit_tags(struct clearml *c, const char *task_id,
                             const char *const *add,
                             const char *const *remove, double deadline,
                             struct mlg_error *err)
{
    cJSON *body = cJSON_CreateObject(), *data = NULL, *t, *tags, *out;
    const char *const *a;
    int rc;

    cJSON_AddStringToObject(body, "task", task_id);
    rc = clearml_call(c, "tasks.get_by_id", body, &data, deadline, err);
    cJSON_Delete(body);
    if (rc < 0)
        return -1;
    t = cJSON_GetObjectItemCaseSensitive(data, "task");
    tags = cJSON_GetObjectItemCaseSensitive(t, "tags");
    out = cJSON_CreateArray();
    cJSON_ArrayForEach(t, tags) {
        if (cJSON_IsString(t) && !clearml_in(remove, t->valuestring))
            cJSON_AddItemToArray(out, cJSON_CreateString(t->valuestring));
    }
    for (a = add; a && *a; a++) {
        int have = 0;

        cJSON_ArrayForEach(t, out)
            if (strcmp(t->valuestring, *a) == 0)
                have = 1;
        if (!have && !clearml_in(remove, *a))
            cJSON_AddItemToArray(out, cJSON_CreateString(*a));
    }
    cJSON_Delete(data);
    data = NULL;
    body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "task", task_id);
    cJSON_AddBoolToObject(body, "force", 1);
    cJSON_AddItemToObject(body, "tags", out);
    rc = clearml_call(c, "tasks.edit", body, &data, deadline, err);
    cJSON_Delete(body);
    cJSON_Delete(data);
    return rc;
}

int clearml_update_tags(struct clearml *c, const char *task_id,
                        const char *const *add, const char *const *remove,
                        double deadline, struct mlg_error *err)
{
    if (!task_id || !*task_id) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "clearml: empty task id");
        return -1;
    }
    /* The version is known after the first login. */
    if (!c->token && clearml_login(c, deadline, err) < 0)
        return -1;
    if (c->api_version >= 227) {
        cJSON *body = cJSON_CreateObject(), *ids, *data = NULL;
        int rc;

        ids = cJSON_AddArrayToObject(body, "ids");
        cJSON_AddItemToArray(ids, cJSON_CreateString(task_id));
        cJSON_AddItemToObject(body, "add_tags", clearml_strings(add));
        cJSON_AddItemToObject(body, "remove_tags", clearml_strings(remove));
        /* The handler is routed at any URL version (services/tasks.py
         * registers it without min_version), but its request schema
         * first appears at 2.27 (schema/services/tasks.conf): name the
         * version the fields belong to. */
        rc = clearml_call_v(c, "v2.27", "tasks.update_tags", body, &data,
                            deadline, err);
        cJSON_Delete(body);
        cJSON_Delete(data);
        if (rc == 0 || !err || err->kind != MLG_E_HTTP ||
            err->status != 404)
            return rc;
        log_msg(LOG_DEBUG, "clearml", "tasks.update_tags unavailable, "
                "falling back to tasks.edit");
    }
    return clearml_edit_tags(c, task_id, add, remove, deadline, err);
}

char *clearml_task_url(const struct clearml *c, const char *project_id,
                       const char *task_id, const char *tab)
{
    /* Ids go into a link's path: a server's value that is not an id
     * gets no link at all. */
    if (!c->web || !*c->web || !validate_clearml_id(task_id) ||
        (project_id && *project_id && !validate_clearml_id(project_id)))
        return xstrdup("");
    return xasprintf("%s/projects/%s/experiments/%s/%s", c->web,
                     project_id && *project_id ? project_id : "*", task_id,
                     tab && *tab ? tab : "output/log");
}
