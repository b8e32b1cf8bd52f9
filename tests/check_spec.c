/*
 * check_spec.c - every request mlgate made to mlgate-sandbox during the
 * suite, replayed against the real APIs' specifications in tests/spec/
 * (github.json generated from GitHub's OpenAPI description, clearml.json
 * and gitlab.json written from clearml-server's schema and GitLab's API
 * source).  A request outside them fails: unknown endpoint, wrong API
 * version, missing or unknown field, wrong type, bad enum value, over a
 * limit.
 *
 * The logs: tests/sbx.c copies each sandbox's request log into
 * $MLG_SPEC_LOG_DIR when it stops it (tests/check_sdk.sh logs there
 * directly); the make rule in tests/spec/spec.mk empties the directory
 * before the suite and runs this program after every other test.  Only
 * mlgate's own requests (User-Agent mlgate/VERSION) are judged: the
 * sandbox's tests send malformed requests on purpose to probe it.
 */
#include <config.h>

#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "util.h"

#define SPEC_MAX_SHOWN 20 /* violations printed in full */

struct spec {
    cJSON *github, *clearml, *gitlab;
};

static struct spec S;

static char *spec_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct buf b = { 0 };
    char chunk[65536];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    buf_addc(&b, '\0');
    return b.p;
}

static cJSON *spec_load(const char *name)
{
    const char *src = getenv("MLG_SRCDIR");
    char *path = xasprintf("%s/tests/spec/%s", src ? src : ".", name);
    char *text = spec_slurp(path);
    cJSON *j = text ? cJSON_Parse(text) : NULL;

    ck_assert_msg(cJSON_IsObject(j), "%s: missing or not JSON", path);
    free(text);
    free(path);
    return j;
}

/* "2.23" as 2023, so that 2.9 < 2.23. */
static long spec_ver(const char *v)
{
    int maj = 0, min = 0;

    if (!v || sscanf(v, "%d.%d", &maj, &min) < 1)
        return -1;
    return maj * 1000L + min;
}

static const char *spec_str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Code points of UTF-8 text (lengths in the specs are characters). */
static size_t spec_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int spec_has_type(const cJSON *f, const char *t)
{
    const cJSON *v;

    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(f, "type"))
        if (cJSON_IsString(v) && (strcmp(v->valuestring, t) == 0 ||
                                  strcmp(v->valuestring, "any") == 0))
            return 1;
    return 0;
}

static int spec_why(char *why, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int spec_why(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return -1;
}

/* A JSON value against a field spec; name for messages; ver the request's
 * API version (ClearML fields with "since"), 0 = unversioned.  Returns 0
 * or -1 with why. */
static int spec_value(const cJSON *f, const cJSON *v, const char *name,
                      long ver, char *why, size_t n)
{
    const cJSON *e, *lim;
    const char *since = spec_str(f, "since");

    if (since && ver > 0 && ver < spec_ver(since))
        return spec_why(why, n, "%s: field of API %s, request is older",
                        name, since);
    if (cJSON_IsNull(v)) {
        if (!spec_has_type(f, "null"))
            return spec_why(why, n, "%s: null not allowed", name);
        return 0;
    }
    if (cJSON_IsString(v)) {
        if (!spec_has_type(f, "string"))
            return spec_why(why, n, "%s: a string, wrong type", name);
        lim = cJSON_GetObjectItemCaseSensitive(f, "maxLength");
        if (cJSON_IsNumber(lim) &&
            (double)spec_chars(v->valuestring) > lim->valuedouble)
            return spec_why(why, n, "%s: %zu characters, over the limit of "
                            "%.0f", name, spec_chars(v->valuestring),
                            lim->valuedouble);
        lim = cJSON_GetObjectItemCaseSensitive(f, "minLength");
        if (cJSON_IsNumber(lim) &&
            (double)spec_chars(v->valuestring) < lim->valuedouble)
            return spec_why(why, n, "%s: %zu characters, under the minimum "
                            "of %.0f", name, spec_chars(v->valuestring),
                            lim->valuedouble);
        if (spec_str(f, "format") && strcmp(spec_str(f, "format"),
                                            "url") == 0 &&
            strncmp(v->valuestring, "https://", 8) != 0 &&
            strncmp(v->valuestring, "http://", 7) != 0)
            return spec_why(why, n, "%s: not an http(s) URL", name);
    } else if (cJSON_IsNumber(v)) {
        int integral = v->valuedouble == (double)(long long)v->valuedouble;

        if (!(spec_has_type(f, "number") ||
              (integral && spec_has_type(f, "integer"))))
            return spec_why(why, n, "%s: a number, wrong type", name);
        lim = cJSON_GetObjectItemCaseSensitive(f, "minimum");
        if (cJSON_IsNumber(lim) && v->valuedouble < lim->valuedouble)
            return spec_why(why, n, "%s: %g under the minimum %g", name,
                            v->valuedouble, lim->valuedouble);
        lim = cJSON_GetObjectItemCaseSensitive(f, "maximum");
        if (cJSON_IsNumber(lim) && v->valuedouble > lim->valuedouble)
            return spec_why(why, n, "%s: %g over the maximum %g", name,
                            v->valuedouble, lim->valuedouble);
    } else if (cJSON_IsBool(v)) {
        if (!spec_has_type(f, "boolean"))
            return spec_why(why, n, "%s: a boolean, wrong type", name);
    } else if (cJSON_IsArray(v)) {
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(f, "items");
        int i = 0;

        if (!spec_has_type(f, "array"))
            return spec_why(why, n, "%s: an array, wrong type", name);
        lim = cJSON_GetObjectItemCaseSensitive(f, "maxItems");
        if (cJSON_IsNumber(lim) && cJSON_GetArraySize(v) > lim->valuedouble)
            return spec_why(why, n, "%s: %d items, over the limit of %.0f",
                            name, cJSON_GetArraySize(v), lim->valuedouble);
        lim = cJSON_GetObjectItemCaseSensitive(f, "minItems");
        if (cJSON_IsNumber(lim) && cJSON_GetArraySize(v) < lim->valuedouble)
            return spec_why(why, n, "%s: %d items, under the minimum of "
                            "%.0f", name, cJSON_GetArraySize(v),
                            lim->valuedouble);
        cJSON_ArrayForEach(e, v) {
            char sub[256];

            snprintf(sub, sizeof sub, "%s[%d]", name, i++);
            if (items && spec_value(items, e, sub, ver, why, n) != 0)
                return -1;
        }
        return 0;
    } else if (cJSON_IsObject(v)) {
        const cJSON *fields = cJSON_GetObjectItemCaseSensitive(f, "fields");
        const cJSON *req = cJSON_GetObjectItemCaseSensitive(f, "required");
        int open = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
            f, "additional"));

        if (!spec_has_type(f, "object"))
            return spec_why(why, n, "%s: an object, wrong type", name);
        cJSON_ArrayForEach(e, req)
            if (cJSON_IsString(e) &&
                !cJSON_GetObjectItemCaseSensitive(v, e->valuestring))
                return spec_why(why, n, "%s: required field %s missing",
                                name, e->valuestring);
        cJSON_ArrayForEach(e, v) {
            const cJSON *fs = cJSON_GetObjectItemCaseSensitive(fields,
                                                               e->string);
            char sub[256];

            snprintf(sub, sizeof sub, "%s.%s", name, e->string);
            if (!fs) {
                if (open)
                    continue;
                return spec_why(why, n, "%s: unknown field", sub);
            }
            if (spec_value(fs, e, sub, ver, why, n) != 0)
                return -1;
        }
        return 0;
    } else {
        return spec_why(why, n, "%s: unreadable value", name);
    }
    lim = cJSON_GetObjectItemCaseSensitive(f, "enum");
    if (lim) {
        cJSON_ArrayForEach(e, lim)
            if (cJSON_Compare(e, v, 1))
                return 0;
        return spec_why(why, n, "%s: value not in its enum", name);
    }
    return 0;
}

/* A URL text argument (query string or path segment) as the JSON value
 * its spec types it as.  Caller deletes. */
static cJSON *spec_text_value(const cJSON *f, const char *text)
{
    char *end;
    double d;

    if ((spec_has_type(f, "integer") || spec_has_type(f, "number")) &&
        *text) {
        d = strtod(text, &end);
        if (*end == '\0')
            return cJSON_CreateNumber(d);
    }
    if (spec_has_type(f, "boolean") && (strcmp(text, "true") == 0 ||
                                        strcmp(text, "false") == 0))
        return cJSON_CreateBool(strcmp(text, "true") == 0);
    return cJSON_CreateString(text);
}

/* %XX and + decoding, in place. */
static void spec_unescape(char *s)
{
    char *o = s;

    for (; *s; s++) {
        if (*s == '%' && isxdigit((unsigned char)s[1]) &&
            isxdigit((unsigned char)s[2])) {
            char hex[3] = { s[1], s[2], 0 };

            *o++ = (char)strtol(hex, NULL, 16);
            s += 2;
        } else {
            *o++ = *s == '+' ? ' ' : *s;
        }
    }
    *o = '\0';
}

/* The request's header value (case-insensitive name) or NULL. */
static const char *spec_header(const cJSON *line, const char *name)
{
    const cJSON *h;

    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(line, "headers"))
        if (strcasecmp(h->string, name) == 0 && cJSON_IsString(h))
            return h->valuestring;
    return NULL;
}

/* The JSON body of a logged request: NULL when empty, *bad on JSON that
 * does not parse.  Caller deletes. */
static cJSON *spec_body(const cJSON *line, int *bad)
{
    const char *b = spec_str(line, "req_body");
    cJSON *j;

    *bad = 0;
    if (!b || !*b)
        return NULL;
    j = cJSON_Parse(b);
    *bad = j == NULL;
    return j;
}

/* A REST request (GitHub, GitLab) against its operations. */
static int spec_rest(const cJSON *sp, const cJSON *line, const char *rel,
                     char *why, size_t n)
{
    const char *method = spec_str(line, "method");
    char *path = xstrdup(rel), *query = strchr(path, '?');
    const cJSON *op = NULL, *o, *p, *params;
    char *segs[32], *tsegs[32], *save = NULL, *s;
    int nseg = 0, rc = 0, bad;
    cJSON *body;

    if (query)
        *query++ = '\0';
    for (s = strtok_r(path, "/", &save); s && nseg < 32;
         s = strtok_r(NULL, "/", &save))
        segs[nseg++] = s;
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(sp,
                                                           "operations")) {
        char *tp = xstrdup(spec_str(o, "path")), *ts = NULL, *t;
        int nt = 0, i, ok;

        if (strcmp(spec_str(o, "method"), method) != 0) {
            free(tp);
            continue;
        }
        for (t = strtok_r(tp, "/", &ts); t && nt < 32;
             t = strtok_r(NULL, "/", &ts))
            tsegs[nt++] = t;
        ok = nt == nseg;
        for (i = 0; ok && i < nt; i++) {
            if (tsegs[i][0] == '{') {
                char name[64];
                const cJSON *pf;
                cJSON *v;
                char *seg = xstrdup(segs[i]);

                snprintf(name, sizeof name, "%.*s",
                         (int)strlen(tsegs[i]) - 2, tsegs[i] + 1);
                spec_unescape(seg);
                pf = cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(o, "params"), name);
                v = pf ? spec_text_value(pf, seg) : NULL;
                /* An integer parameter must be one to match. */
                ok = *seg && (!pf || !spec_has_type(pf, "integer") ||
                              cJSON_IsNumber(v));
                cJSON_Delete(v);
                free(seg);
            } else {
                ok = strcmp(tsegs[i], segs[i]) == 0;
            }
        }
        free(tp);
        if (ok) {
            op = o;
            break;
        }
    }
    if (!op) {
        rc = spec_why(why, n, "unknown endpoint %s %s", method, rel);
        goto out;
    }
    params = cJSON_GetObjectItemCaseSensitive(op, "params");
    if (query && *query) {
        char *qsave = NULL, *kv;

        for (kv = strtok_r(query, "&", &qsave); kv;
             kv = strtok_r(NULL, "&", &qsave)) {
            char *eq = strchr(kv, '='), name[300];
            cJSON *v;

            if (eq)
                *eq++ = '\0';
            spec_unescape(kv);
            if (eq)
                spec_unescape(eq);
            p = cJSON_GetObjectItemCaseSensitive(params, kv);
            if (!p || strcmp(spec_str(p, "in"), "query") != 0) {
                rc = spec_why(why, n, "%s: unknown query parameter %s",
                              spec_str(op, "path"), kv);
                goto out;
            }
            snprintf(name, sizeof name, "?%s", kv);
            v = spec_text_value(p, eq ? eq : "");
            rc = spec_value(p, v, name, 0, why, n);
            cJSON_Delete(v);
            if (rc)
                goto out;
        }
    }
    body = spec_body(line, &bad);
    o = cJSON_GetObjectItemCaseSensitive(op, "body");
    if (bad)
        rc = spec_why(why, n, "%s %s: body is not JSON", method,
                      spec_str(op, "path"));
    else if (body && !o)
        rc = spec_why(why, n, "%s %s: takes no body", method,
                      spec_str(op, "path"));
    else if (!body && o && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
                 o, "required_body")))
        rc = spec_why(why, n, "%s %s: body missing", method,
                      spec_str(op, "path"));
    else if (body && o)
        rc = spec_value(o, body, "body", 0, why, n);
    cJSON_Delete(body);
out:
    free(path);
    return rc;
}

/* A ClearML call: endpoint, URL version, method, body. */
static int spec_clearml(const cJSON *line, const char *rel, char *why,
                        size_t n)
{
    const char *endpoint = spec_str(line, "endpoint");
    const char *method = spec_str(line, "method");
    const cJSON *op, *m;
    long ver, max = spec_ver(spec_str(S.clearml, "max_version"));
    char vbuf[16] = "";
    int bad, rc, ok = 0;
    cJSON *body;

    if (!endpoint)
        return spec_why(why, n, "clearml: no endpoint in %s", rel);
    op = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(S.clearml, "operations"), endpoint);
    if (!op)
        return spec_why(why, n, "unknown endpoint %s", endpoint);
    if (rel[0] == '/' && rel[1] == 'v')
        sscanf(rel + 2, "%15[0-9.]", vbuf);
    ver = vbuf[0] ? spec_ver(vbuf) : max;
    if (ver < spec_ver(spec_str(op, "routed_from")))
        return spec_why(why, n, "%s at v%s: routed from %s only (404)",
                        endpoint, vbuf, spec_str(op, "routed_from"));
    if (ver < spec_ver(spec_str(op, "since")))
        return spec_why(why, n, "%s at v%s: its request is of API %s",
                        endpoint, vbuf, spec_str(op, "since"));
    if (ver > max)
        return spec_why(why, n, "%s at v%s: above the newest API %s",
                        endpoint, vbuf, spec_str(S.clearml, "max_version"));
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(op, "methods"))
        ok |= cJSON_IsString(m) && strcmp(m->valuestring, method) == 0;
    if (!ok)
        return spec_why(why, n, "%s: method %s", endpoint, method);
    if (strchr(rel, '?'))
        return spec_why(why, n, "%s: query-string arguments", endpoint);
    body = spec_body(line, &bad);
    if (bad)
        return spec_why(why, n, "%s: body is not JSON", endpoint);
    if (!body)
        body = cJSON_CreateObject();
    rc = spec_value(cJSON_GetObjectItemCaseSensitive(op, "body"), body,
                    endpoint, ver, why, n);
    cJSON_Delete(body);
    return rc;
}

/* One log line: 1 when it is not mlgate's (not judged), 0 when it
 * conforms, -1 with why when it does not. */
static int spec_line(const cJSON *line, char *why, size_t n)
{
    const char *ua = spec_header(line, "User-Agent");
    const char *path = spec_str(line, "path");
    const char *service = spec_str(line, "service");
    const char *v;

    if (!ua || strncmp(ua, "mlgate/", 7) != 0 || !path || !service)
        return 1;
    if (strcmp(service, "clearml") == 0 && strncmp(path, "/clearml/", 9) == 0)
        return spec_clearml(line, path + 8, why, n);
    if (strcmp(service, "github") == 0 && strncmp(path, "/github/", 8) == 0) {
        const cJSON *e;
        int ok = 0;

        v = spec_header(line, "X-GitHub-Api-Version");
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(
                                  S.github, "api_versions"))
            ok |= v && cJSON_IsString(e) && strcmp(e->valuestring, v) == 0;
        if (!ok)
            return spec_why(why, n, "github: X-GitHub-Api-Version %s is "
                            "not a published version", v ? v : "missing");
        return spec_rest(S.github, line, path + 7, why, n);
    }
    if (strcmp(service, "gitlab") == 0 &&
        strncmp(path, "/gitlab/api/v4/", 15) == 0)
        return spec_rest(S.gitlab, line, path + 14, why, n);
    return spec_why(why, n, "%s: unknown service or path %s", service,
                    path);
}

/* One JSONL log line as text. */
static int spec_text(const char *text, char *why, size_t n)
{
    cJSON *line = cJSON_Parse(text);
    int rc;

    if (!line)
        return spec_why(why, n, "log line is not JSON");
    rc = spec_line(line, why, n);
    cJSON_Delete(line);
    return rc;
}

static void spec_setup(void)
{
    S.github = spec_load("github.json");
    S.clearml = spec_load("clearml.json");
    S.gitlab = spec_load("gitlab.json");
}

static void spec_teardown(void)
{
    cJSON_Delete(S.github);
    cJSON_Delete(S.clearml);
    cJSON_Delete(S.gitlab);
    memset(&S, 0, sizeof S);
}

#define UA "\"headers\":{\"User-Agent\":\"mlgate/1\"," \
    "\"X-GitHub-Api-Version\":\"2022-11-28\"}"

/* Deliberately wrong requests, each as the sandbox logs it, must fail
 * with the reason named; the same requests done right pass. */
START_TEST(test_rejects_wrong_requests)
{
    static const struct { const char *line, *reason; } bad[] = {
        { "{\"method\":\"POST\",\"path\":\"/clearml/v2.23/tasks.nope\","
          "\"service\":\"clearml\",\"endpoint\":\"tasks.nope\","
          "\"req_body\":\"{}\"," UA "}", "unknown endpoint tasks.nope" },
        { "{\"method\":\"POST\",\"path\":\"/clearml/v2.3/queues.get_all\","
          "\"service\":\"clearml\",\"endpoint\":\"queues.get_all\","
          "\"req_body\":\"{}\"," UA "}", "routed from 2.4 only" },
        { "{\"method\":\"POST\",\"path\":\"/clearml/v2.23/tasks.enqueue\","
          "\"service\":\"clearml\",\"endpoint\":\"tasks.enqueue\","
          "\"req_body\":\"{\\\"queue\\\":\\\"q\\\"}\"," UA "}",
          "required field task missing" },
        { "{\"method\":\"POST\",\"path\":\"/clearml/v2.20/tasks.enqueue\","
          "\"service\":\"clearml\",\"endpoint\":\"tasks.enqueue\","
          "\"req_body\":\"{\\\"task\\\":\\\"t\\\",\\\"verify_watched_queue\\\""
          ":true}\"," UA "}", "field of API 2.22" },
        { "{\"method\":\"POST\",\"path\":\"/clearml/v2.23/tasks.create\","
          "\"service\":\"clearml\",\"endpoint\":\"tasks.create\","
          "\"req_body\":\"{\\\"name\\\":\\\"ab\\\",\\\"type\\\":\\\"training\\\"}\","
          UA "}", "under the minimum of 3" },
        { "{\"method\":\"POST\",\"path\":\"/clearml/v2.23/tasks.create\","
          "\"service\":\"clearml\",\"endpoint\":\"tasks.create\","
          "\"req_body\":\"{\\\"name\\\":\\\"abc\\\",\\\"type\\\":\\\"train\\\"}\","
          UA "}", "tasks.create.type: value not in its enum" },
        { "{\"method\":\"POST\",\"path\":\"/clearml/v2.23/tasks.stopped\","
          "\"service\":\"clearml\",\"endpoint\":\"tasks.stopped\","
          "\"req_body\":\"{\\\"task\\\":\\\"t\\\",\\\"why\\\":1}\"," UA "}",
          "tasks.stopped.why: unknown field" },
        { "{\"method\":\"POST\",\"path\":\"/clearml/v2.23/tasks.get_all\","
          "\"service\":\"clearml\",\"endpoint\":\"tasks.get_all\","
          "\"req_body\":\"{\\\"page_size\\\":\\\"10\\\"}\"," UA "}",
          "page_size: a string" },
        { "{\"method\":\"POST\",\"path\":\"/clearml/v2.23/"
          "events.multi_task_scalar_metrics_iter_histogram\",\"service\":"
          "\"clearml\",\"endpoint\":\"events.multi_task_scalar_metrics_"
          "iter_histogram\",\"req_body\":\"{\\\"tasks\\\":[\\\"t\\\"],"
          "\\\"metrics\\\":[]}\"," UA "}", "metrics: field of API 2.28" },
        { "{\"method\":\"POST\",\"path\":\"/clearml/v2.28/"
          "events.multi_task_scalar_metrics_iter_histogram\",\"service\":"
          "\"clearml\",\"endpoint\":\"events.multi_task_scalar_metrics_"
          "iter_histogram\",\"req_body\":\"{\\\"tasks\\\":[]}\"," UA "}",
          "tasks: 0 items, under the minimum of 1" },
        { "{\"method\":\"POST\",\"path\":\"/github/repos/o/r/statuses/abc\","
          "\"service\":\"github\",\"req_body\":\"{\\\"state\\\":\\\"failed\\\"}\","
          UA "}", "body.state: value not in its enum" },
        { "{\"method\":\"POST\",\"path\":\"/github/repos/o/r/statuses/abc\","
          "\"service\":\"github\",\"req_body\":\"{\\\"state\\\":\\\"success\\\","
          "\\\"name\\\":\\\"x\\\"}\"," UA "}", "body.name: unknown field" },
        { "{\"method\":\"GET\",\"path\":\"/github/repos/o/r/issues/1/comments"
          "?per_page=101\",\"service\":\"github\",\"req_body\":\"\"," UA "}",
          "?per_page: 101 over the maximum 100" },
        { "{\"method\":\"GET\",\"path\":\"/github/repos/o/r/issues/x/comments"
          "\",\"service\":\"github\",\"req_body\":\"\"," UA "}",
          "unknown endpoint GET /repos/o/r/issues/x/comments" },
        { "{\"method\":\"GET\",\"path\":\"/github/repos/o/r/pulls/1\","
          "\"service\":\"github\",\"req_body\":\"\",\"headers\":{"
          "\"User-Agent\":\"mlgate/1\",\"X-GitHub-Api-Version\":"
          "\"2021-01-01\"}}", "X-GitHub-Api-Version 2021-01-01" },
        { "{\"method\":\"POST\",\"path\":\"/gitlab/api/v4/projects/42/"
          "statuses/abc\",\"service\":\"gitlab\",\"req_body\":\"{\\\"state\\\":"
          "\\\"success\\\",\\\"pipeline_id\\\":\\\"7\\\"}\"," UA "}",
          "body.pipeline_id: a string" },
        { "{\"method\":\"POST\",\"path\":\"/gitlab/api/v4/projects/42/"
          "statuses/abc\",\"service\":\"gitlab\",\"req_body\":\"{\\\"state\\\":"
          "\\\"success\\\",\\\"target_url\\\":\\\"https://e.com/"
          "0000000000000000000000000000000000000000000000000000000000000000"
          "0000000000000000000000000000000000000000000000000000000000000000"
          "0000000000000000000000000000000000000000000000000000000000000000"
          "0000000000000000000000000000000000000000000000000000000000000000"
          "\\\"}\"," UA "}", "body.target_url: 270 characters, over the "
          "limit of 255" },
        { "{\"method\":\"PATCH\",\"path\":\"/gitlab/api/v4/projects/42/"
          "merge_requests/7/notes/5\",\"service\":\"gitlab\",\"req_body\":"
          "\"{\\\"body\\\":\\\"x\\\"}\"," UA "}", "unknown endpoint PATCH" },
    };
    static const char *const good[] = {
        "{\"method\":\"POST\",\"path\":\"/clearml/v2.23/tasks.enqueue\","
        "\"service\":\"clearml\",\"endpoint\":\"tasks.enqueue\","
        "\"req_body\":\"{\\\"task\\\":\\\"t\\\",\\\"queue\\\":\\\"q\\\","
        "\\\"verify_watched_queue\\\":true}\"," UA "}",
        "{\"method\":\"POST\",\"path\":\"/clearml/v2.27/tasks.update_tags\","
        "\"service\":\"clearml\",\"endpoint\":\"tasks.update_tags\","
        "\"req_body\":\"{\\\"ids\\\":[\\\"t\\\"],\\\"add_tags\\\":[\\\"a\\\"]}\","
        UA "}",
        "{\"method\":\"GET\",\"path\":\"/github/repos/o/r/issues/1/comments"
        "?per_page=100&page=3\",\"service\":\"github\",\"req_body\":\"\","
        UA "}",
        "{\"method\":\"POST\",\"path\":\"/gitlab/api/v4/projects/acme%2Fml/"
        "statuses/abc\",\"service\":\"gitlab\",\"req_body\":\"{\\\"state\\\":"
        "\\\"success\\\",\\\"pipeline_id\\\":7,\\\"ref\\\":\\\"main\\\"}\","
        UA "}",
        /* Not mlgate's: not judged. */
        "{\"method\":\"POST\",\"path\":\"/clearml/v2.23/x.y\",\"service\":"
        "\"clearml\",\"endpoint\":\"x.y\",\"req_body\":\"{\","
        "\"headers\":{\"User-Agent\":\"check_sandbox/1\"}}",
    };
    char why[512];
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = '\0';
        ck_assert_msg(spec_text(bad[i].line, why, sizeof why) == -1,
                      "accepted: %s", bad[i].line);
        ck_assert_msg(strstr(why, bad[i].reason) != NULL,
                      "reason \"%s\", want \"%s\"", why, bad[i].reason);
    }
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        why[0] = '\0';
        ck_assert_msg(spec_text(good[i], why, sizeof why) >= 0,
                      "refused (%s): %s", why, good[i]);
    }
}
END_TEST

/* Whether a log line is one its test declared off the specification on
 * purpose (sbx_off_spec: lines METHOD<TAB>STATUS<TAB>PATH-PART<TAB>WHY). */
static int spec_declared(const char *offspec, const char *text)
{
    cJSON *line = cJSON_Parse(text);
    const char *method = spec_str(line, "method");
    const char *path = spec_str(line, "path");
    int status = (int)cJSON_GetNumberValue(
        cJSON_GetObjectItemCaseSensitive(line, "status"));
    char *copy = xstrdup(offspec ? offspec : ""), *save = NULL, *l;
    int hit = 0;

    for (l = strtok_r(copy, "\n", &save); l && !hit && method && path;
         l = strtok_r(NULL, "\n", &save)) {
        char m[16], part[512];
        int st;

        if (sscanf(l, "%15[^\t]\t%d\t%511[^\t]", m, &st, part) == 3)
            hit = (strcmp(m, "*") == 0 || strcmp(m, method) == 0) &&
                  (st == 0 || st == status) && strstr(path, part) != NULL;
    }
    free(copy);
    cJSON_Delete(line);
    return hit;
}

/* Replays every *.jsonl of dir; counts into the four totals. */
struct spec_totals {
    long files, judged, others, declared, bad;
};

static void spec_replay(const char *dir, struct spec_totals *t)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    memset(t, 0, sizeof *t);
    ck_assert_msg(d != NULL, "%s: cannot open", dir);
    while ((de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        char *path, *text, *line, *save = NULL, *offspec;

        if (nl < 7 || strcmp(de->d_name + nl - 6, ".jsonl") != 0)
            continue;
        path = xasprintf("%s/%.*s.offspec", dir, (int)nl - 6, de->d_name);
        offspec = spec_slurp(path);
        free(path);
        path = xasprintf("%s/%s", dir, de->d_name);
        text = spec_slurp(path);
        t->files++;
        for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
             line = strtok_r(NULL, "\n", &save)) {
            char why[512];
            int rc = spec_text(line, why, sizeof why);

            if (rc == 1) {
                t->others++;
                continue;
            }
            t->judged++;
            if (rc != 0 && spec_declared(offspec, line)) {
                t->declared++;
                continue;
            }
            if (rc != 0 && ++t->bad <= SPEC_MAX_SHOWN)
                fprintf(stderr, "check_spec: %s: %s\n    %.300s\n",
                        de->d_name, why, line);
        }
        free(text);
        free(offspec);
        free(path);
    }
    closedir(d);
}

/* The replay itself fails on a wrong request in a log, and passes the
 * same log once its test declares that request off the spec. */
START_TEST(test_replay_fails_on_wrong_request)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = xasprintf("%s/check_spec.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    char *log, *off;
    struct spec_totals t;
    FILE *f;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    log = xasprintf("%s/sbx.1.0.jsonl", dir);
    off = xasprintf("%s/sbx.1.0.offspec", dir);
    f = fopen(log, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"method\":\"POST\",\"path\":\"/clearml/v2.23/tasks.enqueue\","
          "\"status\":200,\"service\":\"clearml\",\"endpoint\":"
          "\"tasks.enqueue\",\"req_body\":\"{\\\"task\\\":\\\"t\\\"}\","
          UA "}\n", f);
    fputs("{\"method\":\"POST\",\"path\":\"/github/repos/o/r/statuses/"
          "abc\",\"status\":422,\"service\":\"github\",\"req_body\":"
          "\"{\\\"state\\\":\\\"failed\\\"}\"," UA "}\n", f);
    fclose(f);
    spec_replay(dir, &t);
    ck_assert_int_eq(t.files, 1);
    ck_assert_int_eq(t.judged, 2);
    ck_assert_int_eq(t.bad, 1);
    f = fopen(off, "w");
    ck_assert_ptr_nonnull(f);
    fputs("POST\t422\t/statuses/\ta 422 on purpose\n", f);
    fclose(f);
    spec_replay(dir, &t);
    ck_assert_int_eq(t.bad, 0);
    ck_assert_int_eq(t.declared, 1);
    unlink(log);
    unlink(off);
    rmdir(dir);
    free(log);
    free(off);
    free(dir);
}
END_TEST

/* Every request mlgate made in this suite run. */
START_TEST(test_suite_requests)
{
    const char *dir = getenv("MLG_SPEC_LOG_DIR");
    struct spec_totals t;
    DIR *d;

    if (!dir || !*dir || (d = opendir(dir)) == NULL) {
        printf("check_spec: no request logs (MLG_SPEC_LOG_DIR unset or "
               "missing): run the whole suite\n");
        return;
    }
    closedir(d);
    spec_replay(dir, &t);
    printf("check_spec: %ld mlgate requests in %ld sandbox logs checked "
           "against tests/spec (%ld requests of the sandbox's own tests "
           "not judged); %ld off the specifications on purpose (declared "
           "by their tests), %ld outside them\n", t.judged, t.files,
           t.others, t.declared, t.bad);
    ck_assert_msg(t.bad == 0, "%ld requests outside the specifications "
                  "(the first are on stderr)", t.bad);
}
END_TEST

static Suite *spec_suite(void)
{
    Suite *s = suite_create("spec");
    TCase *core = tcase_create("core");

    tcase_add_checked_fixture(core, spec_setup, spec_teardown);
    tcase_set_timeout(core, 120);
    tcase_add_test(core, test_rejects_wrong_requests);
    tcase_add_test(core, test_replay_fails_on_wrong_request);
    tcase_add_test(core, test_suite_requests);
    suite_add_tcase(s, core);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(spec_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
