/*
 * clearml.c - the ClearML API of the sandbox: routing of
 * /clearml[/vX.Y]/service.action, authentication and tokens, the
 * meta/data envelope and every endpoint except tasks.get_all.
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

#include "sandbox.h"
#include "util.h"

static const char cl_user[] = "5a5b5c5d5e5f40418293a4b5c6d7e8f0";
static const char cl_company[] = "d1bd92a3b039400cbafc60a7a5b1e52b";

typedef void (*cl_fn)(struct sbx_req *q, struct sbx_resp *r,
                      const cJSON *b);

struct cl_endpoint {
    const char *name;
    const char *min_version;   /* registered handler version */
    const char *first_api;     /* first API that has it (server side) */
    cl_fn fn;
};

/* ---- versions */

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

/* ---- the envelope */

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
static void cl_missing(struct sbx_req *q, struct sbx_resp *r,
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
static void cl_bad_type(struct sbx_req *q, struct sbx_resp *r,
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

static void cl_bad_task(struct sbx_req *q, struct sbx_resp *r,
                        const char *id, int write)
{
    cJSON *ed = cJSON_CreateObject();
    char *msg;

    if (write) {
        msg = xasprintf("Invalid task id: id=%s, company=%s", id,
                        cl_company);
        cJSON_AddStringToObject(ed, "id", id);
        cJSON_AddStringToObject(ed, "company", cl_company);
    } else {
        msg = xasprintf("Invalid task id: ids=(%s)", id);
        cJSON_AddItemToObject(ed, "ids", cJSON_CreateStringArray(&id, 1));
    }
    clearml_error(q, r, 400, 101, msg, ed);
    free(msg);
}

static void cl_bad_queue(struct sbx_req *q, struct sbx_resp *r,
                         const char *id)
{
    cJSON *ed = cJSON_CreateObject();
    char *msg = xasprintf("Invalid queue id: id=%s", id);

    cJSON_AddStringToObject(ed, "id", id);
    clearml_error(q, r, 400, 701, msg, ed);
    free(msg);
}

static void cl_bad_transition(struct sbx_req *q, struct sbx_resp *r,
                              const char *from, const char *to)
{
    cJSON *ed = cJSON_CreateObject();
    char *msg = xasprintf("Invalid task status (Invalid status change): "
                          "current_status=%s, new_status=%s", from, to);

    cJSON_AddStringToObject(ed, "current_status", from);
    cJSON_AddStringToObject(ed, "new_status", to);
    clearml_error(q, r, 400, 110, msg, ed);
    free(msg);
}

/* ---- field access with validation.  Each returns -1 after answering. */

static int cl_str(struct sbx_req *q, struct sbx_resp *r, const cJSON *b,
                  const char *field, int required, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, field);

    *out = NULL;
    if (v == NULL || cJSON_IsNull(v)) {
        if (required) {
            cl_missing(q, r, field);
            return -1;
        }
        return 0;
    }
    if (!cJSON_IsString(v)) {
        cl_bad_type(q, r, field, "string");
        return -1;
    }
    *out = v->valuestring;
    return 0;
}

static int cl_bool(struct sbx_req *q, struct sbx_resp *r, const cJSON *b,
                   const char *field, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, field);

    *out = 0;
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsBool(v)) {
        cl_bad_type(q, r, field, "boolean");
        return -1;
    }
    *out = cJSON_IsTrue(v);
    return 0;
}

/* An optional array of strings (NULL when absent). */
static int cl_strs(struct sbx_req *q, struct sbx_resp *r, const cJSON *b,
                   const char *field, int required, const cJSON **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, field), *e;

    *out = NULL;
    if (v == NULL || cJSON_IsNull(v)) {
        if (required) {
            cl_missing(q, r, field);
            return -1;
        }
        return 0;
    }
    if (!cJSON_IsArray(v)) {
        cl_bad_type(q, r, field, "array");
        return -1;
    }
    cJSON_ArrayForEach(e, v)
        if (!cJSON_IsString(e)) {
            cl_bad_type(q, r, field, "array of strings");
            return -1;
        }
    *out = v;
    return 0;
}

static const char *cl_doc_str(const cJSON *doc, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, k);

    return cJSON_IsString(v) ? v->valuestring : "";
}

static void cl_set(cJSON *o, const char *k, cJSON *v)
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
static cJSON *cl_sorted_tags(const cJSON *arr)
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

static int cl_has_tag(const cJSON *arr, const char *tag)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, arr)
        if (cJSON_IsString(e) && strcmp(e->valuestring, tag) == 0)
            return 1;
    return 0;
}

/* Adds the "last_change"/"last_changed_by" pair to doc and fields. */
static void cl_touch(cJSON *doc, cJSON *fields, int update_too)
{
    char *iso = world_iso(world_now_ms());

    cl_set(doc, "last_change", cJSON_CreateString(iso));
    cl_set(doc, "last_changed_by", cJSON_CreateString(cl_user));
    cJSON_AddStringToObject(fields, "last_change", iso);
    cJSON_AddStringToObject(fields, "last_changed_by", cl_user);
    if (update_too) {
        cl_set(doc, "last_update", cJSON_CreateString(iso));
        cJSON_AddStringToObject(fields, "last_update", iso);
    }
    free(iso);
}

/* ---- state machine (clearml-api.md §6) */

static int cl_transition_ok(const char *from, const char *to)
{
    static const char *const table[][2] = {
        { "created", "queued in_progress" },
        { "queued", "created in_progress stopped" },
        { "in_progress", "stopped failed created completed" },
        { "stopped", "closed created failed queued in_progress published "
                     "publishing completed" },
        { "closed", "created failed published publishing stopped" },
        { "failed", "created stopped published queued" },
        { "publishing", "published" },
        { "published", "" },
        { "completed", "published in_progress created" },
    };
    size_t i, n = strlen(to);

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        const char *p = table[i][1];

        if (strcmp(table[i][0], from) != 0)
            continue;
        for (p = strstr(p, to); p != NULL; p = strstr(p + n, to))
            if ((p == table[i][1] || p[-1] == ' ') &&
                (p[n] == ' ' || p[n] == '\0'))
                return 1;
        return 0;
    }
    return 0;
}

/* The fields object of a status change answer. */
static cJSON *cl_status_fields(const struct sbx_task *t)
{
    cJSON *f = cJSON_CreateObject();
    static const char *const keys[] = { "status", "status_reason",
        "status_message", "status_changed", "last_update", "last_change",
        "last_changed_by", NULL };
    int i;

    for (i = 0; keys[i] != NULL; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t->doc, keys[i]);

        if (v != NULL)
            cJSON_AddItemToObject(f, keys[i], cJSON_Duplicate(v, 1));
    }
    return f;
}

/* ---- base64 and tokens */

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
    cJSON_AddStringToObject(id, "user", cl_user);
    cJSON_AddStringToObject(id, "company", cl_company);
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
        if (strcmp(cl_doc_str(c, "access_key"), dec) == 0 &&
            strcmp(cl_doc_str(c, "secret_key"), colon + 1) == 0)
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

/* ---- endpoints */

static void ep_login(struct sbx_req *q, struct sbx_resp *r, const cJSON *b)
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

static void ep_server_info(struct sbx_req *q, struct sbx_resp *r,
                           const cJSON *b)
{
    cJSON *d = cJSON_CreateObject();

    (void)b;
    cJSON_AddStringToObject(d, "version", sbx_w.server_version);
    cJSON_AddStringToObject(d, "build", "sandbox");
    cJSON_AddStringToObject(d, "commit", "0000000");
    cJSON_AddStringToObject(d, "uid", "5bd05bd05bd05bd05bd05bd05bd05bd0");
    cJSON_AddStringToObject(d, "api_version", sbx_w.api_version);
    clearml_ok(q, r, d);
}

/* A regex check shared by projects.get_all and queues.get_all. */
static int cl_name_re(struct sbx_req *q, struct sbx_resp *r, const cJSON *b,
                      regex_t *re, int *has)
{
    const char *name;
    char err[160];

    *has = 0;
    if (cl_str(q, r, b, "name", 0, &name) != 0)
        return -1;
    if (name == NULL)
        return 0;
    if (query_regex_ok(name, 0, err, sizeof(err)) != 0 ||
        regcomp(re, name, REG_EXTENDED | REG_NOSUB) != 0) {
        cJSON *ed = cJSON_CreateObject();
        char *msg = xasprintf("Malformed regular expression: pattern=%s",
                              name);

        cJSON_AddStringToObject(ed, "pattern", name);
        clearml_error(q, r, 400, 21, msg, ed);
        free(msg);
        return -1;
    }
    *has = 1;
    return 0;
}

static int cl_in_ids(const cJSON *ids, const char *id)
{
    return ids == NULL || cl_has_tag(ids, id);
}

static void ep_projects_get_all(struct sbx_req *q, struct sbx_resp *r,
                                const cJSON *b)
{
    const cJSON *ids, *only = cJSON_GetObjectItemCaseSensitive(b,
                                                              "only_fields");
    const cJSON *p;
    regex_t re;
    int has_re, hidden;
    cJSON *arr;

    if (cl_strs(q, r, b, "id", 0, &ids) != 0 ||
        cl_bool(q, r, b, "search_hidden", &hidden) != 0 ||
        cl_name_re(q, r, b, &re, &has_re) != 0)
        return;
    arr = cJSON_CreateArray();
    cJSON_ArrayForEach(p, sbx_w.projects) {
        if (!cl_in_ids(ids, cl_doc_str(p, "id")))
            continue;
        if (has_re && regexec(&re, cl_doc_str(p, "name"), 0, NULL, 0) != 0)
            continue;
        if (!hidden && cl_has_tag(cJSON_GetObjectItemCaseSensitive(
                p, "system_tags"), "hidden"))
            continue;
        cJSON_AddItemToArray(arr, cJSON_IsArray(only) ?
                             query_only_fields(p, only) :
                             cJSON_Duplicate(p, 1));
    }
    if (has_re)
        regfree(&re);
    {
        cJSON *d = cJSON_CreateObject();

        cJSON_AddItemToObject(d, "projects", arr);
        clearml_ok(q, r, d);
    }
}

static void ep_projects_create(struct sbx_req *q, struct sbx_resp *r,
                               const cJSON *b)
{
    const char *name, *desc;
    cJSON *p, *d;
    char *id, *iso;

    if (cl_str(q, r, b, "name", 1, &name) != 0 ||
        cl_str(q, r, b, "description", 0, &desc) != 0)
        return;
    cJSON_ArrayForEach(p, sbx_w.projects)
        if (strcmp(cl_doc_str(p, "name"), name) == 0) {
            cJSON *ed = cJSON_CreateObject();
            char *msg = xasprintf("Value combination already exists: "
                                  "name=%s", name);

            cJSON_AddStringToObject(ed, "name", name);
            clearml_error(q, r, 400, 801, msg, ed);
            free(msg);
            return;
        }
    id = world_new_id();
    iso = world_iso(world_now_ms());
    p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "id", id);
    cJSON_AddStringToObject(p, "name", name);
    cJSON_AddStringToObject(p, "basename", name);
    cJSON_AddStringToObject(p, "company", cl_company);
    cJSON_AddStringToObject(p, "user", cl_user);
    cJSON_AddStringToObject(p, "created", iso);
    cJSON_AddStringToObject(p, "last_update", iso);
    cJSON_AddItemToObject(p, "tags", cJSON_CreateArray());
    cJSON_AddItemToObject(p, "system_tags", cJSON_CreateArray());
    cJSON_AddNullToObject(p, "default_output_destination");
    cJSON_AddStringToObject(p, "description", desc ? desc : "");
    cJSON_AddItemToArray(sbx_w.projects, p);
    d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", id);
    clearml_ok(q, r, d);
    free(id);
    free(iso);
}

static void ep_projects_get_by_id(struct sbx_req *q, struct sbx_resp *r,
                                  const cJSON *b)
{
    const char *id;
    const cJSON *p;

    if (cl_str(q, r, b, "project", 1, &id) != 0)
        return;
    cJSON_ArrayForEach(p, sbx_w.projects)
        if (strcmp(cl_doc_str(p, "id"), id) == 0) {
            cJSON *d = cJSON_CreateObject();

            cJSON_AddItemToObject(d, "project", cJSON_Duplicate(p, 1));
            clearml_ok(q, r, d);
            return;
        }
    {
        cJSON *ed = cJSON_CreateObject();
        char *msg = xasprintf("Invalid project id: id=%s", id);

        cJSON_AddStringToObject(ed, "id", id);
        clearml_error(q, r, 400, 401, msg, ed);
        free(msg);
    }
}

static void ep_tasks_get_all(struct sbx_req *q, struct sbx_resp *r,
                             const cJSON *b)
{
    query_tasks(q, r, b);
}

static void ep_tasks_get_by_id(struct sbx_req *q, struct sbx_resp *r,
                               const cJSON *b)
{
    const char *id;
    struct sbx_task *t;
    cJSON *d;

    if (cl_str(q, r, b, "task", 1, &id) != 0)
        return;
    t = world_task(id);
    if (t == NULL) {
        cl_bad_task(q, r, id, 0);
        return;
    }
    d = cJSON_CreateObject();
    cJSON_AddItemToObject(d, "task", cJSON_Duplicate(t->doc, 1));
    clearml_ok(q, r, d);
}

/* Looks up the "task" field of a write endpoint. */
static struct sbx_task *cl_write_task(struct sbx_req *q, struct sbx_resp *r,
                                      const cJSON *b)
{
    const char *id;
    struct sbx_task *t;

    if (cl_str(q, r, b, "task", 1, &id) != 0)
        return NULL;
    t = world_task(id);
    if (t == NULL)
        cl_bad_task(q, r, id, 1);
    return t;
}

/* Validates and applies the editable fields of tasks.edit/update. */
static int cl_apply_fields(struct sbx_req *q, struct sbx_resp *r,
                           const cJSON *b, struct sbx_task *t,
                           cJSON *fields, int all_fields, int *non_user)
{
    static const char *const user_fields[] = { "name", "comment", "tags",
        "system_tags", "project", "status_message", "created", NULL };
    static const char *const skip[] = { "task", "force", NULL };
    const cJSON *f;
    int i;

    *non_user = 0;
    cJSON_ArrayForEach(f, b) {
        int is_user = 0, skipped = 0;

        for (i = 0; skip[i] != NULL; i++)
            skipped |= strcmp(f->string, skip[i]) == 0;
        if (skipped)
            continue;
        for (i = 0; user_fields[i] != NULL; i++)
            is_user |= strcmp(f->string, user_fields[i]) == 0;
        if (!is_user && !all_fields)
            continue;
        if (strcmp(f->string, "tags") == 0 ||
            strcmp(f->string, "system_tags") == 0) {
            const cJSON *arr;

            if (cl_strs(q, r, b, f->string, 0, &arr) != 0)
                return -1;
            if (arr == NULL)
                continue;
        } else if (strcmp(f->string, "name") == 0 && !cJSON_IsString(f)) {
            cl_bad_type(q, r, "name", "string");
            return -1;
        } else if (strcmp(f->string, "id") == 0 ||
                   strcmp(f->string, "status") == 0) {
            continue;
        }
        if (!is_user)
            *non_user = 1;
    }
    cJSON_ArrayForEach(f, b) {
        int ok = 0;
        cJSON *v;

        if (strcmp(f->string, "task") == 0 || strcmp(f->string, "force") == 0
            || strcmp(f->string, "id") == 0 ||
            strcmp(f->string, "status") == 0 || cJSON_IsNull(f))
            continue;
        for (i = 0; user_fields[i] != NULL; i++)
            ok |= strcmp(f->string, user_fields[i]) == 0;
        if (!ok && !all_fields)
            continue;
        if (strcmp(f->string, "tags") == 0 ||
            strcmp(f->string, "system_tags") == 0)
            v = cl_sorted_tags(f);
        else
            v = cJSON_Duplicate(f, 1);
        cJSON_AddItemToObject(fields, f->string, cJSON_Duplicate(v, 1));
        cl_set(t->doc, f->string, v);
    }
    return 0;
}

static void ep_tasks_edit(struct sbx_req *q, struct sbx_resp *r,
                          const cJSON *b)
{
    struct sbx_task *t = cl_write_task(q, r, b);
    cJSON *fields, *d;
    int force, non_user;
    const char *st;

    if (t == NULL || cl_bool(q, r, b, "force", &force) != 0)
        return;
    st = cl_doc_str(t->doc, "status");
    if (!force && strcmp(st, "created") != 0) {
        cJSON *ed = cJSON_CreateObject();
        char *msg = xasprintf("Invalid task status: expected=created, "
                              "status=%s", st);

        cJSON_AddStringToObject(ed, "expected", "created");
        cJSON_AddStringToObject(ed, "status", st);
        clearml_error(q, r, 400, 110, msg, ed);
        free(msg);
        return;
    }
    fields = cJSON_CreateObject();
    if (cl_apply_fields(q, r, b, t, fields, 1, &non_user) != 0) {
        cJSON_Delete(fields);
        return;
    }
    cl_touch(t->doc, fields, non_user);
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "updated", 1);
    cJSON_AddItemToObject(d, "fields", fields);
    clearml_ok(q, r, d);
}

static void ep_tasks_update(struct sbx_req *q, struct sbx_resp *r,
                            const cJSON *b)
{
    struct sbx_task *t = cl_write_task(q, r, b);
    cJSON *fields, *d;
    int non_user;

    if (t == NULL)
        return;
    fields = cJSON_CreateObject();
    if (cl_apply_fields(q, r, b, t, fields, 0, &non_user) != 0) {
        cJSON_Delete(fields);
        return;
    }
    cl_touch(t->doc, fields, 0);
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "updated", 1);
    cJSON_AddItemToObject(d, "fields", fields);
    clearml_ok(q, r, d);
}

/* tags := sorted(tags ∪ add − remove). */
static void cl_retag(cJSON *doc, const char *field, const cJSON *add,
                     const cJSON *remove)
{
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(doc, field), *e;
    cJSON *tmp = cJSON_CreateArray();

    cJSON_ArrayForEach(e, cur)
        if (cJSON_IsString(e) && !cl_has_tag(remove, e->valuestring))
            cJSON_AddItemToArray(tmp, cJSON_CreateString(e->valuestring));
    cJSON_ArrayForEach(e, add)
        if (!cl_has_tag(remove, e->valuestring))
            cJSON_AddItemToArray(tmp, cJSON_CreateString(e->valuestring));
    cl_set(doc, field, cl_sorted_tags(tmp));
    cJSON_Delete(tmp);
}

static void ep_tasks_update_tags(struct sbx_req *q, struct sbx_resp *r,
                                 const cJSON *b)
{
    const cJSON *ids, *at, *rt, *ast, *rst, *e;
    cJSON *d;
    int n = 0;

    if (cl_strs(q, r, b, "ids", 1, &ids) != 0 ||
        cl_strs(q, r, b, "add_tags", 0, &at) != 0 ||
        cl_strs(q, r, b, "remove_tags", 0, &rt) != 0 ||
        cl_strs(q, r, b, "add_system_tags", 0, &ast) != 0 ||
        cl_strs(q, r, b, "remove_system_tags", 0, &rst) != 0)
        return;
    cJSON_ArrayForEach(e, ids)
        if (world_task(e->valuestring) == NULL) {
            cl_bad_task(q, r, e->valuestring, 0);
            return;
        }
    cJSON_ArrayForEach(e, ids) {
        struct sbx_task *t = world_task(e->valuestring);
        cJSON *dummy = cJSON_CreateObject();

        if (at != NULL || rt != NULL)
            cl_retag(t->doc, "tags", at, rt);
        if (ast != NULL || rst != NULL)
            cl_retag(t->doc, "system_tags", ast, rst);
        cl_touch(t->doc, dummy, 0);
        cJSON_Delete(dummy);
        n++;
    }
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "updated", n);
    clearml_ok(q, r, d);
}

static int cl_valid_type(const char *t)
{
    static const char *const types[] = { "training", "testing", "inference",
        "data_processing", "application", "monitor", "controller",
        "optimizer", "service", "qc", "custom", NULL };
    int i;

    for (i = 0; types[i] != NULL; i++)
        if (strcmp(types[i], t) == 0)
            return 1;
    return 0;
}

static void ep_tasks_create(struct sbx_req *q, struct sbx_resp *r,
                            const cJSON *b)
{
    const char *name, *type, *project;
    const cJSON *tags, *stags, *f;
    cJSON *doc, *d;
    size_t len;
    char *iso;

    if (cl_str(q, r, b, "name", 1, &name) != 0 ||
        cl_str(q, r, b, "type", 1, &type) != 0 ||
        cl_str(q, r, b, "project", 0, &project) != 0 ||
        cl_strs(q, r, b, "tags", 0, &tags) != 0 ||
        cl_strs(q, r, b, "system_tags", 0, &stags) != 0)
        return;
    while (isspace((unsigned char)*name))
        name++;
    len = strlen(name);
    while (len > 0 && isspace((unsigned char)name[len - 1]))
        len--;
    if (len < 3) {
        cJSON *ed = cJSON_CreateObject();

        cJSON_AddStringToObject(ed, "field", "name");
        clearml_error(q, r, 400, 12, "Validation error (name must be at "
                      "least 3 characters long)", ed);
        return;
    }
    if (!cl_valid_type(type)) {
        char *msg = xasprintf("Validation error (error for field 'type'. "
                              "'%s' is not one of the allowed values)",
                              type);

        clearml_error(q, r, 400, 12, msg, NULL);
        free(msg);
        return;
    }
    if (project != NULL) {
        const cJSON *p;
        int found = 0;

        cJSON_ArrayForEach(p, sbx_w.projects)
            found |= strcmp(cl_doc_str(p, "id"), project) == 0;
        if (!found) {
            cJSON *ed = cJSON_CreateObject();
            char *msg = xasprintf("Invalid project id: id=%s", project);

            cJSON_AddStringToObject(ed, "id", project);
            clearml_error(q, r, 400, 401, msg, ed);
            free(msg);
            return;
        }
    }
    doc = cJSON_CreateObject();
    cJSON_ArrayForEach(f, b) {
        if (strcmp(f->string, "id") == 0 || strcmp(f->string, "status") == 0)
            continue;
        if (strcmp(f->string, "tags") == 0 ||
            strcmp(f->string, "system_tags") == 0)
            cJSON_AddItemToObject(doc, f->string, cl_sorted_tags(f));
        else
            cJSON_AddItemToObject(doc, f->string, cJSON_Duplicate(f, 1));
    }
    {
        char *id = world_new_id();

        cJSON_AddStringToObject(doc, "id", id);
        free(id);
    }
    iso = world_iso(world_now_ms());
    cJSON_AddStringToObject(doc, "status", "created");
    cJSON_AddStringToObject(doc, "status_reason", "");
    cJSON_AddStringToObject(doc, "status_message", "");
    cJSON_AddStringToObject(doc, "status_changed", iso);
    cJSON_AddStringToObject(doc, "created", iso);
    cJSON_AddStringToObject(doc, "last_update", iso);
    cJSON_AddStringToObject(doc, "last_change", iso);
    cJSON_AddStringToObject(doc, "user", cl_user);
    cJSON_AddStringToObject(doc, "company", cl_company);
    free(iso);
    {
        static const char *const defs[] = { "tags", "system_tags", NULL };
        int i;

        for (i = 0; defs[i] != NULL; i++)
            if (!cJSON_HasObjectItem(doc, defs[i]))
                cJSON_AddItemToObject(doc, defs[i], cJSON_CreateArray());
        if (!cJSON_HasObjectItem(doc, "script"))
            cJSON_AddItemToObject(doc, "script", cJSON_CreateObject());
        if (!cJSON_HasObjectItem(doc, "execution"))
            cJSON_AddItemToObject(doc, "execution", cJSON_CreateObject());
        if (!cJSON_HasObjectItem(doc, "comment"))
            cJSON_AddStringToObject(doc, "comment", "");
    }
    d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", world_add_task(doc)->id);
    clearml_ok(q, r, d);
}

static struct sbx_queue *cl_default_queue(void)
{
    size_t i;

    for (i = 0; i < sbx_w.nqueues; i++)
        if (sbx_w.queues[i]->is_default)
            return sbx_w.queues[i];
    return NULL;
}

static void ep_tasks_enqueue(struct sbx_req *q, struct sbx_resp *r,
                             const cJSON *b)
{
    struct sbx_task *t = cl_write_task(q, r, b);
    const char *qid, *qname, *st;
    char prev[32];
    struct sbx_queue *qu;
    int verify;
    cJSON *d, *fields, *ex;

    if (t == NULL || cl_str(q, r, b, "queue", 0, &qid) != 0 ||
        cl_str(q, r, b, "queue_name", 0, &qname) != 0 ||
        cl_bool(q, r, b, "verify_watched_queue", &verify) != 0)
        return;
    if (qid != NULL) {
        qu = world_queue_by_id(qid);
        if (qu == NULL) {
            cl_bad_queue(q, r, qid);
            return;
        }
    } else if (qname != NULL) {
        qu = world_queue_by_name(qname);
        if (qu == NULL) {
            /* API 2.19+: queue_name creates a missing queue. */
            cJSON *spec = cJSON_CreateObject();

            cJSON_AddStringToObject(spec, "name", qname);
            qu = world_add_queue(spec);
            cJSON_Delete(spec);
        }
    } else {
        qu = cl_default_queue();
        if (qu == NULL) {
            clearml_error(q, r, 400, 707, "No queue is tagged as the "
                          "default queue for this company", NULL);
            return;
        }
    }
    st = cl_doc_str(t->doc, "status");
    if (strcmp(st, "queued") == 0) {
        cJSON *ed = cJSON_CreateObject();
        char *msg = xasprintf("Failed adding task to queue since task is "
                              "already queued: id=%s", t->id);

        cJSON_AddStringToObject(ed, "id", t->id);
        clearml_error(q, r, 400, 706, msg, ed);
        free(msg);
        return;
    }
    if (!cl_transition_ok(st, "queued")) {
        cl_bad_transition(q, r, st, "queued");
        return;
    }
    ex = cJSON_GetObjectItemCaseSensitive(t->doc, "execution");
    if (!cJSON_IsObject(ex)) {
        ex = cJSON_CreateObject();
        cl_set(t->doc, "execution", ex);
    }
    cl_set(ex, "queue", cJSON_CreateString(qu->id));
    cl_set(t->doc, "enqueue_status", cJSON_CreateString(st));
    {
        /* The server drops "development" on enqueue. */
        const cJSON *stags = cJSON_GetObjectItemCaseSensitive(t->doc,
                                                             "system_tags");
        cJSON *rm = cJSON_CreateStringArray(
            (const char *const[]){ "development" }, 1);

        if (cl_has_tag(stags, "development"))
            cl_retag(t->doc, "system_tags", NULL, rm);
        cJSON_Delete(rm);
    }
    snprintf(prev, sizeof(prev), "%s", st);
    world_set_status(t, "queued", "");
    world_enqueued(t, qu);
    fields = cl_status_fields(t);
    cJSON_AddStringToObject(fields, "enqueue_status", prev);
    cJSON_AddStringToObject(fields, "execution.queue", qu->id);
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "queued", 1);
    cJSON_AddNumberToObject(d, "updated", 1);
    cJSON_AddItemToObject(d, "fields", fields);
    if (verify)
        cJSON_AddBoolToObject(d, "queue_watched", qu->agent != NULL);
    clearml_ok(q, r, d);
}

/* tasks.stop and tasks.stopped. */
static void cl_stop(struct sbx_req *q, struct sbx_resp *r, const cJSON *b,
                    int abort_style)
{
    struct sbx_task *t = cl_write_task(q, r, b);
    const char *st, *reason, *msg;
    int force;
    cJSON *d, *fields;

    if (t == NULL || cl_bool(q, r, b, "force", &force) != 0 ||
        cl_str(q, r, b, "status_reason", 0, &reason) != 0 ||
        cl_str(q, r, b, "status_message", 0, &msg) != 0)
        return;
    st = cl_doc_str(t->doc, "status");
    if (!force && !cl_transition_ok(st, "stopped")) {
        cl_bad_transition(q, r, st, "stopped");
        return;
    }
    /* Queued: dequeued.  Running: the simulated agent obeys at once. */
    world_dequeue(t);
    world_set_status(t, "stopped", msg);
    if (reason != NULL)
        cl_set(t->doc, "status_reason", cJSON_CreateString(reason));
    fields = cl_status_fields(t);
    if (!abort_style) {
        char *iso = world_iso(world_now_ms());

        cl_set(t->doc, "completed", cJSON_CreateString(iso));
        cJSON_AddStringToObject(fields, "completed", iso);
        free(iso);
    }
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "updated", 1);
    cJSON_AddItemToObject(d, "fields", fields);
    clearml_ok(q, r, d);
}

static void ep_tasks_stop(struct sbx_req *q, struct sbx_resp *r,
                          const cJSON *b)
{
    cl_stop(q, r, b, 1);
}

static void ep_tasks_stopped(struct sbx_req *q, struct sbx_resp *r,
                             const cJSON *b)
{
    cl_stop(q, r, b, 0);
}

static void cl_archive_one(struct sbx_task *t)
{
    cJSON *add = cJSON_CreateStringArray((const char *const[]){ "archived" },
                                         1);
    cJSON *dummy = cJSON_CreateObject();

    if (strcmp(cl_doc_str(t->doc, "status"), "queued") == 0) {
        world_dequeue(t);
        world_set_status(t, "created", "");
    } else if (t->simq != NULL) {
        world_dequeue(t);
    }
    cl_retag(t->doc, "system_tags", add, NULL);
    cl_touch(t->doc, dummy, 0);
    cJSON_Delete(add);
    cJSON_Delete(dummy);
}

static void ep_tasks_archive(struct sbx_req *q, struct sbx_resp *r,
                             const cJSON *b)
{
    const cJSON *ids, *e;
    cJSON *d;
    int n = 0;

    if (cl_strs(q, r, b, "tasks", 1, &ids) != 0)
        return;
    cJSON_ArrayForEach(e, ids)
        if (world_task(e->valuestring) == NULL) {
            cl_bad_task(q, r, e->valuestring, 0);
            return;
        }
    cJSON_ArrayForEach(e, ids) {
        cl_archive_one(world_task(e->valuestring));
        n++;
    }
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "archived", n);
    clearml_ok(q, r, d);
}

static void ep_tasks_archive_many(struct sbx_req *q, struct sbx_resp *r,
                                  const cJSON *b)
{
    const cJSON *ids, *e;
    cJSON *d, *ok, *bad;

    if (cl_strs(q, r, b, "ids", 1, &ids) != 0)
        return;
    d = cJSON_CreateObject();
    ok = cJSON_AddArrayToObject(d, "succeeded");
    bad = cJSON_AddArrayToObject(d, "failed");
    cJSON_ArrayForEach(e, ids) {
        struct sbx_task *t = world_task(e->valuestring);
        cJSON *o = cJSON_CreateObject();

        cJSON_AddStringToObject(o, "id", e->valuestring);
        if (t == NULL) {
            cJSON *err = cJSON_AddObjectToObject(o, "error"), *data;
            char *msg = xasprintf("Invalid task id: id=%s, company=%s",
                                  e->valuestring, cl_company);

            cJSON_AddItemToObject(err, "codes", cJSON_CreateIntArray(
                (const int[]){ 400, 101 }, 2));
            cJSON_AddStringToObject(err, "msg", msg);
            data = cJSON_AddObjectToObject(err, "data");
            cJSON_AddStringToObject(data, "id", e->valuestring);
            cJSON_AddStringToObject(data, "company", cl_company);
            cJSON_AddItemToArray(bad, o);
            free(msg);
            continue;
        }
        cl_archive_one(t);
        cJSON_AddBoolToObject(o, "archived", 1);
        cJSON_AddItemToArray(ok, o);
    }
    clearml_ok(q, r, d);
}

static void ep_queues_get_all(struct sbx_req *q, struct sbx_resp *r,
                              const cJSON *b)
{
    const cJSON *ids, *only = cJSON_GetObjectItemCaseSensitive(b,
                                                              "only_fields");
    regex_t re;
    int has_re;
    size_t i;
    cJSON *arr, *d;

    if (cl_strs(q, r, b, "id", 0, &ids) != 0 ||
        cl_name_re(q, r, b, &re, &has_re) != 0)
        return;
    arr = cJSON_CreateArray();
    for (i = 0; i < sbx_w.nqueues; i++) {
        const struct sbx_queue *qu = sbx_w.queues[i];

        if (!cl_in_ids(ids, qu->id))
            continue;
        if (has_re && regexec(&re, qu->name, 0, NULL, 0) != 0)
            continue;
        cJSON_AddItemToArray(arr, cJSON_IsArray(only) ?
                             query_only_fields(qu->doc, only) :
                             cJSON_Duplicate(qu->doc, 1));
    }
    if (has_re)
        regfree(&re);
    d = cJSON_CreateObject();
    cJSON_AddItemToObject(d, "queues", arr);
    clearml_ok(q, r, d);
}

static void ep_queues_get_by_id(struct sbx_req *q, struct sbx_resp *r,
                                const cJSON *b)
{
    const char *id;
    struct sbx_queue *qu;
    cJSON *d;

    if (cl_str(q, r, b, "queue", 1, &id) != 0)
        return;
    qu = world_queue_by_id(id);
    if (qu == NULL) {
        cl_bad_queue(q, r, id);
        return;
    }
    d = cJSON_CreateObject();
    cJSON_AddItemToObject(d, "queue", cJSON_Duplicate(qu->doc, 1));
    clearml_ok(q, r, d);
}

static void ep_queues_get_default(struct sbx_req *q, struct sbx_resp *r,
                                  const cJSON *b)
{
    struct sbx_queue *qu = cl_default_queue();
    cJSON *d;

    (void)b;
    if (qu == NULL) {
        clearml_error(q, r, 400, 707, "No queue is tagged as the default "
                      "queue for this company", NULL);
        return;
    }
    d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", qu->id);
    cJSON_AddStringToObject(d, "name", qu->name);
    clearml_ok(q, r, d);
}

/* The "task" of a read-only events call. */
static struct sbx_task *cl_read_task(struct sbx_req *q, struct sbx_resp *r,
                                     const cJSON *b)
{
    const char *id;
    struct sbx_task *t;

    if (cl_str(q, r, b, "task", 1, &id) != 0)
        return NULL;
    t = world_task(id);
    if (t == NULL)
        cl_bad_task(q, r, id, 0);
    return t;
}

static void ep_events_histogram(struct sbx_req *q, struct sbx_resp *r,
                                const cJSON *b)
{
    struct sbx_task *t = cl_read_task(q, r, b);
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(b, "metrics");
    const char *key;
    cJSON *d;

    if (t == NULL || cl_str(q, r, b, "key", 0, &key) != 0)
        return;
    if (metrics != NULL && !cJSON_IsArray(metrics)) {
        cl_bad_type(q, r, "metrics", "array");
        return;
    }
    if (cJSON_GetArraySize(metrics) == 0) {
        d = cJSON_Duplicate(t->scalars, 1);
    } else {
        const cJSON *m;

        d = cJSON_CreateObject();
        cJSON_ArrayForEach(m, metrics) {
            const char *title = cl_doc_str(m, "metric");
            const cJSON *src = cJSON_GetObjectItemCaseSensitive(t->scalars,
                                                               title);
            const cJSON *vars = cJSON_GetObjectItemCaseSensitive(m,
                                                                "variants");
            const cJSON *s;
            cJSON *dst;

            if (src == NULL)
                continue;
            dst = cJSON_AddObjectToObject(d, title);
            cJSON_ArrayForEach(s, src)
                if (cJSON_GetArraySize(vars) == 0 ||
                    cl_has_tag(vars, s->string))
                    cJSON_AddItemToObject(dst, s->string,
                                          cJSON_Duplicate(s, 1));
        }
    }
    clearml_ok(q, r, d);
}

static void ep_events_task_log(struct sbx_req *q, struct sbx_resp *r,
                               const cJSON *b)
{
    struct sbx_task *t = cl_read_task(q, r, b);
    const cJSON *bs = cJSON_GetObjectItemCaseSensitive(b, "batch_size");
    const cJSON *ne = cJSON_GetObjectItemCaseSensitive(b,
                                                      "navigate_earlier");
    int batch = 500, earlier = 1, n, i, k = 0;
    cJSON *d, *evs;

    if (t == NULL)
        return;
    if (bs != NULL && !cJSON_IsNumber(bs)) {
        cl_bad_type(q, r, "batch_size", "integer");
        return;
    }
    if (cJSON_IsNumber(bs))
        batch = bs->valueint;
    if (cJSON_IsBool(ne))
        earlier = cJSON_IsTrue(ne);
    n = cJSON_GetArraySize(t->log);
    d = cJSON_CreateObject();
    evs = cJSON_AddArrayToObject(d, "events");
    /* navigate_earlier (the default) returns the latest events first. */
    for (i = 0; i < n && k < batch; i++, k++) {
        int idx = earlier ? n - 1 - i : i;

        cJSON_AddItemToArray(evs, cJSON_Duplicate(
            cJSON_GetArrayItem(t->log, idx), 1));
    }
    cJSON_AddNumberToObject(d, "returned", k);
    cJSON_AddNumberToObject(d, "total", n);
    cJSON_AddStringToObject(d, "scroll_id", t->id);
    clearml_ok(q, r, d);
}

static void ep_events_latest(struct sbx_req *q, struct sbx_resp *r,
                             const cJSON *b)
{
    struct sbx_task *t = cl_read_task(q, r, b);
    const cJSON *title, *ser;
    cJSON *d, *ms;

    if (t == NULL)
        return;
    d = cJSON_CreateObject();
    ms = cJSON_AddArrayToObject(d, "metrics");
    cJSON_ArrayForEach(title, t->scalars) {
        cJSON *m = cJSON_CreateObject(), *vs;

        cJSON_AddStringToObject(m, "name", title->string);
        vs = cJSON_AddArrayToObject(m, "variants");
        cJSON_ArrayForEach(ser, title) {
            const cJSON *ys = cJSON_GetObjectItemCaseSensitive(ser, "y");
            int n = cJSON_GetArraySize(ys), i, from = n > 100 ? n - 100 : 0;
            double sum = 0;
            cJSON *v;

            if (n == 0)
                continue;
            for (i = from; i < n; i++)
                sum += cJSON_GetArrayItem(ys, i)->valuedouble;
            v = cJSON_CreateObject();
            cJSON_AddStringToObject(v, "name", ser->string);
            cJSON_AddNumberToObject(v, "last_value",
                                    cJSON_GetArrayItem(ys, n - 1)
                                    ->valuedouble);
            cJSON_AddNumberToObject(v, "last_100_value", sum / (n - from));
            cJSON_AddItemToArray(vs, v);
        }
        cJSON_AddItemToArray(ms, m);
    }
    clearml_ok(q, r, d);
}

static const struct cl_endpoint cl_endpoints[] = {
    { "auth.login", "1.0", "2.1", ep_login },
    { "server.info", "1.0", "2.1", ep_server_info },
    { "projects.get_all", "1.0", "2.1", ep_projects_get_all },
    { "projects.create", "1.0", "2.1", ep_projects_create },
    { "projects.get_by_id", "1.0", "2.1", ep_projects_get_by_id },
    { "tasks.get_all", "1.0", "2.1", ep_tasks_get_all },
    { "tasks.get_by_id", "1.0", "2.1", ep_tasks_get_by_id },
    { "tasks.edit", "1.0", "2.1", ep_tasks_edit },
    { "tasks.update", "1.0", "2.1", ep_tasks_update },
    { "tasks.update_tags", "2.27", "2.27", ep_tasks_update_tags },
    { "tasks.create", "1.0", "2.1", ep_tasks_create },
    { "tasks.enqueue", "1.5", "1.5", ep_tasks_enqueue },
    { "tasks.stop", "1.0", "2.1", ep_tasks_stop },
    { "tasks.stopped", "1.0", "2.1", ep_tasks_stopped },
    { "tasks.archive", "2.12", "2.12", ep_tasks_archive },
    { "tasks.archive_many", "2.13", "2.13", ep_tasks_archive_many },
    { "queues.get_all", "2.4", "2.4", ep_queues_get_all },
    { "queues.get_by_id", "2.4", "2.4", ep_queues_get_by_id },
    { "queues.get_default", "2.4", "2.4", ep_queues_get_default },
    { "events.scalar_metrics_iter_histogram", "1.0", "2.1",
      ep_events_histogram },
    { "events.get_task_log", "1.5", "1.5", ep_events_task_log },
    { "events.get_task_latest_scalar_values", "1.0", "2.1",
      ep_events_latest },
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
                cl_set(obj, key, sub);
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
            cl_set(obj, key, arr);
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
    if (cl_auth(q, r, e->fn == ep_login) != 0)
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
