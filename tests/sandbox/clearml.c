/*
 * clearml.c - the ClearML API's front door in the sandbox: routing of
 * /clearml[/vX.Y]/service.action with the real version rules, the
 * meta/data envelope, field validation shared by the endpoints,
 * authentication with JWT-shaped tokens, and auth.login.
 */
#include <config.h>

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>

#include "clearml.h"
#include "sandbox.h"
#include "util.h"

struct cl_endpoint {
    const char *name;
    const char *min_version;   /* registered handler version */
    const char *first_api;     /* first API that has it (server side) */
    clearml_fn fn;
};

static double cl_ver(const char *v)
{
    int maj = 0, min = 0;

    if (sscanf(v, "%d.%d", &maj, &min) < 1)
        return 0;
    return maj * 1000.0 + min;
}

void clearml_parse_endpoint(struct sbx_req *q)
{
    const char *p = q->path + 8; /* after "/clearml" */
    size_t n;

    q->endpoint[0] = '\0';
    q->version[0] = '\0';
    q->bad_version = 0;
    if (*p == '/')
        p++;
    if (p[0] == 'v' && strchr(p, '/') != NULL) {
        const char *sl = strchr(p, '/');
        const char *d = p + 1;
        int dots = 0, ok = sl > d;

        for (; d < sl; d++) {
            if (*d == '.')
                dots++;
            else if (!isdigit((unsigned char)*d))
                ok = 0;
        }
        if (!ok || dots != 1 || (size_t)(sl - p) >= sizeof(q->version)) {
            q->bad_version = 1;
        } else {
            memcpy(q->version, p + 1, (size_t)(sl - p - 1));
            q->version[sl - p - 1] = '\0';
        }
        p = sl + 1;
    }
    n = strlen(p);
    if (n > 0 && p[n - 1] == '/')
        n--;
    if (n >= sizeof(q->endpoint))
        n = sizeof(q->endpoint) - 1;
    memcpy(q->endpoint, p, n);
    q->endpoint[n] = '\0';
}

static cJSON *cl_meta(struct sbx_req *q, const char *actual, int code,
                      int subcode, const char *msg, cJSON *error_data)
{
    cJSON *m = cJSON_CreateObject(), *ep;
    char *id = world_new_id();
    const char *trx = req_header(q, "X-ClearML-Trx");

    cJSON_AddStringToObject(m, "id", id);
    cJSON_AddStringToObject(m, "trx", trx ? trx : id);
    ep = cJSON_AddObjectToObject(m, "endpoint");
    cJSON_AddStringToObject(ep, "name", q->endpoint);
    cJSON_AddStringToObject(ep, "requested_version",
                            q->version[0] ? q->version : sbx_w.api_version);
    if (actual != NULL)
        cJSON_AddStringToObject(ep, "actual_version", actual);
    else
        cJSON_AddNullToObject(ep, "actual_version");
    cJSON_AddNumberToObject(m, "result_code", code);
    cJSON_AddNumberToObject(m, "result_subcode", subcode);
    cJSON_AddStringToObject(m, "result_msg", msg);
    cJSON_AddNullToObject(m, "error_stack");
    cJSON_AddItemToObject(m, "error_data",
                          error_data ? error_data : cJSON_CreateObject());
    free(id);
    return m;
}

/* The handler's registered version, for meta.endpoint.actual_version. */
static const char *cl_actual;

void clearml_error(struct sbx_req *q, struct sbx_resp *r, int code,
                   int subcode, const char *msg, cJSON *error_data)
{
    cJSON *env = cJSON_CreateObject();

    cJSON_AddItemToObject(env, "meta", cl_meta(q, cl_actual, code, subcode,
                                               msg, error_data));
    cJSON_AddItemToObject(env, "data", cJSON_CreateObject());
    resp_json(r, code, env);
}

void clearml_ok(struct sbx_req *q, struct sbx_resp *r, cJSON *data)
{
    cJSON *env = cJSON_CreateObject();

    cJSON_AddItemToObject(env, "meta", cl_meta(q, cl_actual, 200, 0, "OK",
                                               NULL));
    cJSON_AddItemToObject(env, "data", data);
    resp_json(r, 200, env);
}

/* 400/11 for one missing field. */
void clearml_missing(struct sbx_req *q, struct sbx_resp *r,
                     const char *field)
{
    cJSON *ed = cJSON_CreateObject();
    char *msg = xasprintf("Missing required fields: fields=(%s)", field);

    cJSON_AddItemToObject(ed, "fields",
                          cJSON_CreateStringArray(&field, 1));
    clearml_error(q, r, 400, 11, msg, ed);
    free(msg);
}

/* 400/12 for a field of the wrong type. */
void clearml_bad_type(struct sbx_req *q, struct sbx_resp *r,
                      const char *field, const char *want)
{
    cJSON *ed = cJSON_CreateObject();
    char *msg = xasprintf("Validation error (error for field '%s'. "
                          "expected %s)", field, want);

    cJSON_AddStringToObject(ed, "field", field);
    cJSON_AddStringToObject(ed, "expected", want);
    clearml_error(q, r, 400, 12, msg, ed);
    free(msg);
}

void clearml_bad_task(struct sbx_req *q, struct sbx_resp *r,
                      const char *id, int write)
{
    cJSON *ed = cJSON_CreateObject();
    char *msg;

    if (write) {
        msg = xasprintf("Invalid task id: id=%s, company=%s", id,
                        world_company);
        cJSON_AddStringToObject(ed, "id", id);
        cJSON_AddStringToObject(ed, "company", world_company);
    } else {
        msg = xasprintf("Invalid task id: ids=(%s)", id);
        cJSON_AddItemToObject(ed, "ids", cJSON_CreateStringArray(&id, 1));
    }
    clearml_error(q, r, 400, 101, msg, ed);
    free(msg);
}

void clearml_bad_queue(struct sbx_req *q, struct sbx_resp *r,
                       const char *id)
{
    cJSON *ed = cJSON_CreateObject();
    char *msg = xasprintf("Invalid queue id: id=%s", id);

    cJSON_AddStringToObject(ed, "id", id);
    clearml_error(q, r, 400, 701, msg, ed);
    free(msg);
}

int clearml_str(struct sbx_req *q, struct sbx_resp *r, const cJSON *b,
                const char *field, int required, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, field);

    *out = NULL;
    if (v == NULL || cJSON_IsNull(v)) {
        if (required) {
            clearml_missing(q, r, field);
            return -1;
        }
        return 0;
    }
    if (!cJSON_IsString(v)) {
        clearml_bad_type(q, r, field, "string");
        return -1;
    }
    *out = v->valuestring;
    return 0;
}

int clearml_bool(struct sbx_req *q, struct sbx_resp *r, const cJSON *b,
                 const char *field, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, field);

    *out = 0;
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsBool(v)) {
        clearml_bad_type(q, r, field, "boolean");
        return -1;
    }
    *out = cJSON_IsTrue(v);
    return 0;
}

/* An optional array of strings (NULL when absent). */
int clearml_strs(struct sbx_req *q, struct sbx_resp *r, const cJSON *b,
                 const char *field, int required, const cJSON **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, field), *e;

    *out = NULL;
    if (v == NULL || cJSON_IsNull(v)) {
        if (required) {
            clearml_missing(q, r, field);
            return -1;
        }
        return 0;
    }
    if (!cJSON_IsArray(v)) {
        clearml_bad_type(q, r, field, "array");
        return -1;
    }
    cJSON_ArrayForEach(e, v)
        if (!cJSON_IsString(e)) {
            clearml_bad_type(q, r, field, "array of strings");
            return -1;
        }
    *out = v;
    return 0;
}

const char *clearml_doc_str(const cJSON *doc, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, k);

    return cJSON_IsString(v) ? v->valuestring : "";
}

int clearml_name_ok(struct sbx_req *q, struct sbx_resp *r, const char *name)
{
    size_t len;
    cJSON *ed;

    while (isspace((unsigned char)*name))
        name++;
    len = strlen(name);
    while (len > 0 && isspace((unsigned char)name[len - 1]))
        len--;
    if (len >= 3)
        return 0;
    ed = cJSON_CreateObject();
    cJSON_AddStringToObject(ed, "field", "name");
    clearml_error(q, r, 400, 12, "Validation error (name must be at least 3 "
                  "characters long)", ed);
    return -1;
}

void clearml_task_model_defaults(cJSON *doc)
{
    cJSON *script = cJSON_GetObjectItemCaseSensitive(doc, "script");
    cJSON *models;

    if (!cJSON_HasObjectItem(doc, "last_iteration"))
        cJSON_AddNumberToObject(doc, "last_iteration", 0);
    if (!cJSON_HasObjectItem(doc, "runtime"))
        cJSON_AddItemToObject(doc, "runtime", cJSON_CreateObject());
    if (!cJSON_HasObjectItem(doc, "models")) {
        models = cJSON_AddObjectToObject(doc, "models");
        cJSON_AddArrayToObject(models, "input");
        cJSON_AddArrayToObject(models, "output");
    }
    if (cJSON_IsObject(script)) {
        if (!cJSON_HasObjectItem(script, "binary"))
            cJSON_AddStringToObject(script, "binary", "python");
        if (!cJSON_HasObjectItem(script, "repository"))
            cJSON_AddStringToObject(script, "repository", "");
        if (!cJSON_HasObjectItem(script, "entry_point"))
            cJSON_AddStringToObject(script, "entry_point", "");
    }
}

void clearml_set(cJSON *o, const char *k, cJSON *v)
{
    if (cJSON_HasObjectItem(o, k))
        cJSON_ReplaceItemInObjectCaseSensitive(o, k, v);
    else
        cJSON_AddItemToObject(o, k, v);
}

static int cl_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A sorted, de-duplicated copy of a string array. */
cJSON *clearml_sorted_tags(const cJSON *arr)
{
    int n = cJSON_GetArraySize(arr), i, k = 0;
    const char **v = xcalloc((size_t)n + 1, sizeof(*v));
    cJSON *out = cJSON_CreateArray();
    const cJSON *e;

    cJSON_ArrayForEach(e, arr)
        if (cJSON_IsString(e))
            v[k++] = e->valuestring;
    qsort(v, (size_t)k, sizeof(*v), cl_cmp_str);
    for (i = 0; i < k; i++)
        if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
            cJSON_AddItemToArray(out, cJSON_CreateString(v[i]));
    free(v);
    return out;
}

int clearml_has_tag(const cJSON *arr, const char *tag)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, arr)
        if (cJSON_IsString(e) && strcmp(e->valuestring, tag) == 0)
            return 1;
    return 0;
}

/* Adds the "last_change"/"last_changed_by" pair to doc and fields. */
void clearml_touch(cJSON *doc, cJSON *fields, int update_too)
{
    char *iso = world_iso(world_now_ms());

    clearml_set(doc, "last_change", cJSON_CreateString(iso));
    clearml_set(doc, "last_changed_by", cJSON_CreateString(world_user));
    cJSON_AddStringToObject(fields, "last_change", iso);
    cJSON_AddStringToObject(fields, "last_changed_by", world_user);
    if (update_too) {
        clearml_set(doc, "last_update", cJSON_CreateString(iso));
        cJSON_AddStringToObject(fields, "last_update", iso);
    }
    free(iso);
}

static const char cl_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64url without padding.  Caller frees. */
static char *cl_b64url(const unsigned char *p, size_t n)
{
    struct buf b = { 0 };
    size_t i;

    for (i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        int k, chars = n - i >= 3 ? 4 : (int)(n - i) + 1;

        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        for (k = 0; k < chars; k++) {
            char c = cl_b64[(v >> (18 - 6 * k)) & 63];

            buf_addc(&b, c == '+' ? '-' : c == '/' ? '_' : c);
        }
    }
    return buf_take(&b);
}

/* Standard base64 decode.  Returns a NUL-terminated string (caller frees)
 * or NULL when s is not base64. */
static char *cl_unb64(const char *s)
{
    struct buf b = { 0 };
    unsigned v = 0;
    int bits = 0;

    for (; *s != '\0' && *s != '='; s++) {
        const char *pos = strchr(cl_b64, *s);

        if (pos == NULL || *s == '\0') {
            buf_free(&b);
            return NULL;
        }
        v = (v << 6) | (unsigned)(pos - cl_b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf_addc(&b, (char)((v >> bits) & 0xff));
        }
    }
    return buf_take(&b);
}

static char *cl_new_token(void)
{
    static const char hdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    double now = world_now_ms() / 1000.0;
    cJSON *p = cJSON_CreateObject(), *id;
    char *payload, *h64, *p64, *s64, *tok, *sid = world_new_id();
    char sig[33];
    struct sbx_token *t;

    id = cJSON_AddObjectToObject(p, "identity");
    cJSON_AddStringToObject(id, "user", world_user);
    cJSON_AddStringToObject(id, "company", world_company);
    cJSON_AddStringToObject(id, "role", "user");
    cJSON_AddStringToObject(id, "user_name", "CI bot");
    cJSON_AddStringToObject(id, "company_name", "acme");
    cJSON_AddItemToObject(p, "entities", cJSON_CreateObject());
    cJSON_AddNumberToObject(p, "iat", floor(now));
    cJSON_AddNumberToObject(p, "exp", floor(now) + sbx_w.token_lifetime);
    cJSON_AddStringToObject(p, "env", "<unknown>");
    cJSON_AddStringToObject(p, "session_id", sid);
    cJSON_AddStringToObject(p, "api_version", sbx_w.api_version);
    cJSON_AddStringToObject(p, "server_version", sbx_w.server_version);
    cJSON_AddStringToObject(p, "server_build", "sandbox");
    cJSON_AddStringToObject(p, "feature_set", "basic");
    payload = cJSON_PrintUnformatted(p);
    h64 = cl_b64url((const unsigned char *)hdr, strlen(hdr));
    p64 = cl_b64url((const unsigned char *)payload, strlen(payload));
    world_md5_hex(payload, sig);
    s64 = cl_b64url((const unsigned char *)sig, 32);
    tok = xasprintf("%s.%s.%s", h64, p64, s64);
    sbx_w.tokens = xrealloc(sbx_w.tokens,
                            (sbx_w.ntokens + 1) * sizeof(*sbx_w.tokens));
    t = &sbx_w.tokens[sbx_w.ntokens];
    memset(t, 0, sizeof(*t));
    t->token = xstrdup(tok);
    t->exp = floor(now) + sbx_w.token_lifetime;
    t->expire_after = sbx_w.ntokens == 0 ? sbx_w.expire_first_after : 0;
    sbx_w.ntokens++;
    free(payload);
    free(h64);
    free(p64);
    free(s64);
    free(sid);
    cJSON_Delete(p);
    return tok;
}

static int cl_check_basic(const char *b64)
{
    char *dec = cl_unb64(b64);
    char *colon;
    const cJSON *c;
    int rc = -2;

    if (dec == NULL)
        return -1;
    colon = strchr(dec, ':');
    if (colon == NULL) {
        free(dec);
        return -1;
    }
    *colon = '\0';
    cJSON_ArrayForEach(c, sbx_w.credentials)
        if (strcmp(clearml_doc_str(c, "access_key"), dec) == 0 &&
            strcmp(clearml_doc_str(c, "secret_key"), colon + 1) == 0)
            rc = 0;
    free(dec);
    return rc;
}

/* Authenticates q.  Returns 0, or -1 after answering 401.  login is set
 * for auth.login, the one endpoint that takes Basic by default. */
static int cl_auth(struct sbx_req *q, struct sbx_resp *r, int login)
{
    const char *h = req_header(q, "Authorization");
    size_t i;

    if (h == NULL || *h == '\0') {
        clearml_error(q, r, 401, 20, "Unauthorized (missing credentials)",
                      NULL);
        return -1;
    }
    if (strncasecmp(h, "Basic ", 6) == 0) {
        int rc;

        /* Bearer is required past auth.login unless the scenario asks
         * for the open-source server's Basic-everywhere behaviour. */
        if (!login && !sbx_w.basic_everywhere) {
            clearml_error(q, r, 401, 10, "Unauthorized (bad authentication "
                          "header type) (Bearer token required)", NULL);
            return -1;
        }
        rc = cl_check_basic(h + 6);

        if (rc == -1) {
            clearml_error(q, r, 401, 21, "Unauthorized (malformed "
                          "credentials) (Incorrect padding)", NULL);
            return -1;
        }
        if (rc != 0) {
            clearml_error(q, r, 401, 22, "Unauthorized (invalid "
                          "credentials) (failed to locate provided "
                          "credentials)", NULL);
            return -1;
        }
        return 0;
    }
    if (strncasecmp(h, "Bearer ", 7) != 0) {
        clearml_error(q, r, 401, 10,
                      "Unauthorized (bad authentication header type)", NULL);
        return -1;
    }
    for (i = 0; i < sbx_w.ntokens; i++) {
        struct sbx_token *t = &sbx_w.tokens[i];
        cJSON *ed;

        if (strcmp(t->token, h + 7) != 0)
            continue;
        t->calls++;
        if ((t->expire_after > 0 && t->calls > t->expire_after) ||
            t->exp < world_now_ms() / 1000.0) {
            ed = cJSON_CreateObject();
            cJSON_AddStringToObject(ed, "reason", "Signature has expired");
            clearml_error(q, r, 401, 30, "Invalid token (invalid jwt "
                          "token): reason=Signature has expired", ed);
            return -1;
        }
        return 0;
    }
    {
        cJSON *ed = cJSON_CreateObject();

        cJSON_AddStringToObject(ed, "reason",
                                "Signature verification failed");
        clearml_error(q, r, 401, 30, "Invalid token (invalid jwt token): "
                      "reason=Signature verification failed", ed);
    }
    return -1;
}

static void clearml_login(struct sbx_req *q, struct sbx_resp *r,
                          const cJSON *b)
{
    cJSON *d = cJSON_CreateObject();
    char *tok = cl_new_token();
    char *cookie = xasprintf("clearml_token_basic=%s; Path=/", tok);

    (void)b;
    cJSON_AddStringToObject(d, "token", tok);
    resp_header(r, "Set-Cookie", cookie);
    clearml_ok(q, r, d);
    free(tok);
    free(cookie);
}

struct sbx_queue *clearml_default_queue(void)
{
    size_t i;

    for (i = 0; i < sbx_w.nqueues; i++)
        if (sbx_w.queues[i]->is_default)
            return sbx_w.queues[i];
    return NULL;
}

static const struct cl_endpoint cl_endpoints[] = {
    { "auth.login", "1.0", "2.1", clearml_login },
    { "server.info", "1.0", "2.1", objects_server_info },
    { "projects.get_all", "1.0", "2.1", objects_projects_get_all },
    { "projects.create", "1.0", "2.1", objects_projects_create },
    { "projects.get_by_id", "1.0", "2.1", objects_projects_get_by_id },
    { "tasks.get_all", "1.0", "2.1", query_tasks },
    { "tasks.get_by_id", "1.0", "2.1", tasks_get_by_id },
    { "tasks.edit", "1.0", "2.1", tasks_edit },
    { "tasks.update", "1.0", "2.1", tasks_update },
    /* The handler's @endpoint min_version routes (services/tasks.py:
     * none given, so 1.0); the schema's first version is when a server
     * got it.  So /v2.23/tasks.update_tags reaches it on a 2.27+ server. */
    { "tasks.update_tags", "1.0", "2.27", tasks_update_tags },
    { "tasks.create", "1.0", "2.1", tasks_create },
    { "tasks.enqueue", "1.0", "1.5", tasks_enqueue },
    { "tasks.stop", "1.0", "2.1", tasks_stop },
    { "tasks.stopped", "1.0", "2.1", tasks_stopped },
    { "tasks.archive", "1.0", "2.12", tasks_archive },
    { "tasks.archive_many", "1.0", "2.13", tasks_archive_many },
    { "queues.get_all", "2.4", "2.4", objects_queues_get_all },
    { "queues.get_by_id", "2.4", "2.4", objects_queues_get_by_id },
    { "queues.get_default", "2.4", "2.4", objects_queues_get_default },
    { "events.scalar_metrics_iter_histogram", "1.0", "2.1",
      objects_events_histogram },
    { "events.multi_task_scalar_metrics_iter_histogram", "1.0", "2.1",
      objects_events_multi_histogram },
    { "events.get_task_log", "1.0", "1.5", objects_events_task_log },
    { "events.get_task_latest_scalar_values", "1.0", "2.1",
      objects_events_latest },
    { NULL, NULL, NULL, NULL }
};

/* Converts a query-string value: numbers, true/false, else a string. */
static cJSON *cl_qs_value(const char *v)
{
    char *end;
    double d;

    if (strcmp(v, "true") == 0)
        return cJSON_CreateTrue();
    if (strcmp(v, "false") == 0)
        return cJSON_CreateFalse();
    if (*v != '\0') {
        d = strtod(v, &end);
        if (*end == '\0')
            return cJSON_CreateNumber(d);
    }
    return cJSON_CreateString(v);
}

/* Merges query-string arguments into body (a.b=1 nests, repeats and
 * key[] make lists).  Body keys win. */
static void cl_merge_query(const char *qs, cJSON *body)
{
    char *copy = xstrdup(qs), *save = NULL, *part;
    cJSON *seen = cJSON_CreateObject();

    for (part = strtok_r(copy, "&", &save); part != NULL;
         part = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(part, '='), *s, *key, *dot;
        const char *val = "";
        size_t kl;
        cJSON *obj = body, *cur, *v;
        int list = 0;

        if (eq != NULL) {
            *eq = '\0';
            val = eq + 1;
        }
        for (s = part; *s; s++)
            if (*s == '+')
                *s = ' ';
        for (s = eq ? eq + 1 : part + strlen(part); *s; s++)
            if (*s == '+')
                *s = ' ';
        MHD_http_unescape(part);
        if (eq != NULL)
            MHD_http_unescape(eq + 1);
        key = part;
        kl = strlen(key);
        if (kl > 2 && strcmp(key + kl - 2, "[]") == 0) {
            key[kl - 2] = '\0';
            list = 1;
        }
        /* Keys the JSON body already has are left alone. */
        if (cJSON_HasObjectItem(body, key) &&
            !cJSON_HasObjectItem(seen, key))
            continue;
        cJSON_AddItemToObject(seen, key, cJSON_CreateTrue());
        for (dot = strchr(key, '.'); dot != NULL; dot = strchr(key, '.')) {
            cJSON *sub;

            *dot = '\0';
            sub = cJSON_GetObjectItemCaseSensitive(obj, key);
            if (!cJSON_IsObject(sub)) {
                sub = cJSON_CreateObject();
                clearml_set(obj, key, sub);
            }
            obj = sub;
            key = dot + 1;
        }
        v = cl_qs_value(val);
        cur = cJSON_GetObjectItemCaseSensitive(obj, key);
        if (cur == NULL) {
            if (list) {
                cJSON *arr = cJSON_CreateArray();

                cJSON_AddItemToArray(arr, v);
                v = arr;
            }
            cJSON_AddItemToObject(obj, key, v);
        } else if (cJSON_IsArray(cur)) {
            cJSON_AddItemToArray(cur, v);
        } else {
            cJSON *arr = cJSON_CreateArray();

            cJSON_AddItemToArray(arr, cJSON_Duplicate(cur, 1));
            cJSON_AddItemToArray(arr, v);
            clearml_set(obj, key, arr);
        }
    }
    cJSON_Delete(seen);
    free(copy);
}

void clearml_handle(struct sbx_req *q, struct sbx_resp *r)
{
    const struct cl_endpoint *e;
    double want = cl_ver(q->version[0] ? q->version : sbx_w.api_version);
    double have = cl_ver(sbx_w.api_version);
    cJSON *body;

    cl_actual = NULL;
    if (strcmp(q->method, "OPTIONS") == 0) {
        resp_text(r, 200, "text/plain", "");
        return;
    }
    if (q->bad_version) {
        clearml_error(q, r, 400, 2, "Request path has invalid version",
                      NULL);
        return;
    }
    for (e = cl_endpoints; e->name != NULL; e++)
        if (strcmp(e->name, q->endpoint) == 0)
            break;
    /* A missing endpoint, one the URL version predates, or one this
     * server version does not have: the real 404. */
    if (e->name == NULL || want < cl_ver(e->min_version) ||
        have < cl_ver(e->first_api)) {
        char *msg = xasprintf("Unable to find endpoint for name %s and "
                              "version %s", q->endpoint,
                              q->version[0] ? q->version :
                              sbx_w.api_version);

        clearml_error(q, r, 404, 0, msg, NULL);
        free(msg);
        return;
    }
    cl_actual = e->min_version;
    if (cl_auth(q, r, e->fn == clearml_login) != 0)
        return;
    if (q->body_len == 0) {
        body = cJSON_CreateObject();
    } else {
        body = cJSON_ParseWithLength(q->body, q->body_len);
        if (body == NULL) {
            clearml_error(q, r, 400, 12, "Validation error (Invalid JSON "
                          "in request body)", NULL);
            return;
        }
        if (!cJSON_IsObject(body)) {
            cJSON_Delete(body);
            clearml_error(q, r, 400, 12, "Validation error (request body "
                          "must be a JSON object)", NULL);
            return;
        }
    }
    if (q->query[0] != '\0')
        cl_merge_query(q->query, body);
    e->fn(q, r, body);
    cJSON_Delete(body);
}
