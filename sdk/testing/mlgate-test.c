/*
 * mlgate-test.c - libmlgate-test, the plugin test kit of mlgate/testing.h:
 * a fake host table whose options, context and server answers come from
 * the test, and which records everything the plugin reports.
 */
#include <config.h>

#include "mlgate/testing.h"

#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MLGT_SHA "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345"

/* A growing string; p is NULL or NUL-terminated. */
struct mlgt_buf {
    char *p;
    size_t len;
};

/* One recorded answer and how many more times it is used (-1: always). */
struct mlgt_answer {
    char *key;       /* "clearml ENDPOINT", "forge METHOD /path", ... */
    cJSON *answer;   /* {"data"|"error", "status"} */
    int times;
};

struct mlg_check {
    const struct mlg_plugin *d;
    struct mlg_plugin desc;    /* copy, zero past struct_size */
    struct mlg_option *opts;   /* the table at this header's stride */
    struct mlg_host host;
    struct mlg_context ctx;
    char **kv;                 /* options: name, value, ... */
    size_t nkv;
    char **clearml_kv;
    size_t nclearml_kv;
    struct mlgt_answer *ans;
    size_t nans;
    cJSON *find_task;          /* {"task", "dirty"} or NULL */
    cJSON *ids;                /* {"project_id": {...}, "queue_id": {...}} */
    int api_version;           /* "api_version": "2.34" -> 234; 0 unknown */
    cJSON **keep;              /* everything handed to the plugin */
    size_t nkeep;
    char *cancel_endpoint;
    int cancel_after;
    int cancel_calls;
    int status;
    int init_failed;
    struct mlgt_buf summary, details, annots, log, calls, outputs;
};

/* The kit is the check handle; the plugin sees &ck. */
struct mlgt {
    struct mlg_check ck;
};

static void *mlgt_alloc(size_t n)
{
    void *p = calloc(1, n != 0 ? n : 1);

    if (p == NULL) {
        fputs("mlgate-test: out of memory\n", stderr);
        abort();
    }
    return p;
}

static char *mlgt_strdup(const char *s)
{
    size_t n = strlen(s != NULL ? s : "");
    char *p = mlgt_alloc(n + 1);

    memcpy(p, s != NULL ? s : "", n);
    return p;
}

static void mlgt_vadd(struct mlgt_buf *b, const char *fmt, va_list ap)
    MLG_PRINTF(2, 0);

static void mlgt_vadd(struct mlgt_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;
    char *p;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    p = realloc(b->p, b->len + (size_t)n + 1);
    if (p == NULL)
        abort();
    b->p = p;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

static void mlgt_add(struct mlgt_buf *b, const char *fmt, ...)
    MLG_PRINTF(2, 3);

static void mlgt_add(struct mlgt_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    mlgt_vadd(b, fmt, ap);
    va_end(ap);
}

static void mlgt_clear(struct mlgt_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
}

static const char *mlgt_str(const struct mlgt_buf *b)
{
    return b->p != NULL ? b->p : "";
}

/* Keep a tree (or a string, as a cJSON string) until mlgt_free. */
static const cJSON *mlgt_keep(struct mlg_check *c, cJSON *t)
{
    cJSON **v;

    if (t == NULL)
        return NULL;
    v = realloc(c->keep, (c->nkeep + 1) * sizeof(*v));
    if (v == NULL)
        abort();
    c->keep = v;
    c->keep[c->nkeep++] = t;
    return t;
}

static const char *mlgt_keep_str(struct mlg_check *c, const char *s)
{
    return s == NULL ? NULL
                     : cJSON_GetStringValue(mlgt_keep(c,
                                                     cJSON_CreateString(s)));
}

/* --- options ------------------------------------------------------- */

static const struct mlg_option *mlgt_opt(struct mlg_check *c,
                                         const char *name)
{
    const struct mlg_option *o = c->opts;

    for (; name != NULL && o != NULL && o->name != NULL; o++)
        if (strcmp(o->name, name) == 0)
            return o;
    return NULL;
}

static const char *mlgt_opt_str(struct mlg_check *c, const char *name)
{
    const struct mlg_option *o = mlgt_opt(c, name);
    size_t i;

    if (o == NULL)
        return NULL;
    for (i = 0; i < c->nkv; i += 2)
        if (strcmp(c->kv[i], name) == 0)
            return c->kv[i + 1];
    return o->def;
}

static long long mlgt_opt_int(struct mlg_check *c, const char *name,
                              long long def)
{
    const char *v = mlgt_opt_str(c, name);
    char *end;
    long long n;

    if (mlgt_opt(c, name) == NULL)
        return 0;
    if (v == NULL)
        return def;
    n = strtoll(v, &end, 10);
    return *v != '\0' && *end == '\0' ? n : def;
}

static double mlgt_opt_number(struct mlg_check *c, const char *name,
                              double def)
{
    const char *v = mlgt_opt_str(c, name);
    char *end;
    double n;

    if (mlgt_opt(c, name) == NULL)
        return 0;
    if (v == NULL)
        return def;
    n = strtod(v, &end);
    return *v != '\0' && *end == '\0' ? n : def;
}

static int mlgt_opt_bool(struct mlg_check *c, const char *name, int def)
{
    static const char *const yes[] = {"yes", "true", "on", "1", NULL};
    static const char *const no[] = {"no", "false", "off", "0", NULL};
    const char *v = mlgt_opt_str(c, name);
    size_t i;

    if (mlgt_opt(c, name) == NULL)
        return 0;
    for (i = 0; v != NULL && yes[i] != NULL; i++) {
        if (strcmp(v, yes[i]) == 0)
            return 1;
        if (strcmp(v, no[i]) == 0)
            return 0;
    }
    return def;
}

/* 90, 90s, 10m, 2h, 1h30m: seconds. */
static double mlgt_opt_duration(struct mlg_check *c, const char *name,
                                double def)
{
    const char *v = mlgt_opt_str(c, name);
    double total = 0, n;
    char *end;

    if (mlgt_opt(c, name) == NULL)
        return 0;
    if (v == NULL || *v == '\0')
        return def;
    while (*v != '\0') {
        n = strtod(v, &end);
        if (end == v)
            return def;
        if (*end == 'h')
            n *= 3600;
        else if (*end == 'm')
            n *= 60;
        else if (*end != 's' && *end != '\0')
            return def;
        total += n;
        v = *end != '\0' ? end + 1 : end;
    }
    return total;
}

static const char *mlgt_conf_clearml_get(struct mlg_check *c,
                                         const char *key)
{
    size_t i;

    for (i = 0; key != NULL && i < c->nclearml_kv; i += 2)
        if (strcmp(c->clearml_kv[i], key) == 0)
            return c->clearml_kv[i + 1];
    return NULL;
}

static const char *mlgt_opt_scope(struct mlg_check *c, const char *key)
{
    const char *v = mlgt_opt_str(c, key);

    if (v == NULL)
        v = mlgt_conf_clearml_get(c, key);
    return v != NULL && *v != '\0' ? v : NULL;
}

static const struct mlg_context *mlgt_ctx(struct mlg_check *c)
{
    return &c->ctx;
}

/* --- recorded answers ------------------------------------------------ */

static void mlgt_fail(struct mlg_error *err, int kind, int status,
                      const char *fmt, ...) MLG_PRINTF(4, 5);

/* Fill the plugin's error, no further than its struct holds. */
static void mlgt_fail(struct mlg_error *err, int kind, int status,
                      const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return;
    err->kind = kind;
    err->status = status;
    err->subcode = 0;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

/* The next answer recorded for key, or NULL. */
static const cJSON *mlgt_next(struct mlg_check *c, const char *key)
{
    size_t i;

    for (i = 0; i < c->nans; i++) {
        struct mlgt_answer *a = &c->ans[i];

        if (a->times == 0 || strcmp(a->key, key) != 0)
            continue;
        if (a->times > 0)
            a->times--;
        return a->answer;
    }
    return NULL;
}

/* Apply answer a: 0 with *data, or -1 with err filled. */
static int mlgt_apply(struct mlg_check *c, const char *key, const cJSON *a,
                      const cJSON **data, int *status, struct mlg_error *err)
{
    const cJSON *e, *d, *st;

    if (a == NULL) {
        mlgt_fail(err, MLG_E_HTTP, 404, "404: %s (no recorded answer)", key);
        return -1;
    }
    e = cJSON_GetObjectItemCaseSensitive(a, "error");
    if (e != NULL) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "kind");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "status");
        const char *m = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(e, "message"));

        mlgt_fail(err, cJSON_IsNumber(k) ? k->valueint : MLG_E_HTTP,
                  cJSON_IsNumber(s) ? s->valueint : 0, "%s",
                  m != NULL ? m : key);
        return -1;
    }
    d = cJSON_GetObjectItemCaseSensitive(a, "data");
    st = cJSON_GetObjectItemCaseSensitive(a, "status");
    if (status != NULL)
        *status = cJSON_IsNumber(st) ? st->valueint : 200;
    if (data != NULL)
        *data = d != NULL && !cJSON_IsNull(d)
                    ? mlgt_keep(c, cJSON_Duplicate(d, 1)) : NULL;
    return 0;
}

static void mlgt_call_line(struct mlg_check *c, const char *what,
                           const char *name, const cJSON *body)
{
    char *text = body != NULL ? cJSON_PrintUnformatted(body) : NULL;

    mlgt_add(&c->calls, "%s %s %s\n", what, name,
             text != NULL ? text : "{}");
    cJSON_free(text);
}

/* One ClearML call, listed under what ("clearml", "clearml@2.28") and
 * answered from the "clearml ENDPOINT" recordings. */
static int mlgt_clearml_any(struct mlg_check *c, const char *what,
                            const char *endpoint, const cJSON *body,
                            const cJSON **data, struct mlg_error *err)
{
    char key[512];

    mlgt_call_line(c, what, endpoint, body);
    if (c->cancel_after > 0 &&
        (c->cancel_endpoint == NULL ||
         strcmp(c->cancel_endpoint, endpoint) == 0))
        c->cancel_calls++;
    snprintf(key, sizeof(key), "clearml %s", endpoint);
    return mlgt_apply(c, key, mlgt_next(c, key), data, NULL, err);
}

static int mlgt_clearml_call(struct mlg_check *c, const char *endpoint,
                             const cJSON *body, const cJSON **data,
                             struct mlg_error *err)
{
    if (data != NULL)
        *data = NULL;
    if (endpoint == NULL) {
        mlgt_fail(err, MLG_E_USAGE, 0, "clearml_call: NULL endpoint");
        return -1;
    }
    return mlgt_clearml_any(c, "clearml", endpoint, body, data, err);
}

static const char *mlgt_dash(const char *s)
{
    return s != NULL && *s != '\0' ? s : "-";
}

/* Answered from the same "clearml" recordings as clearml_call; listed
 * as "clearml@VERSION ENDPOINT BODY". */
static int mlgt_clearml_call_at(struct mlg_check *c, const char *version,
                                const char *endpoint, const cJSON *body,
                                const cJSON **data, struct mlg_error *err)
{
    char what[64];

    if (data != NULL)
        *data = NULL;
    if (endpoint == NULL || version == NULL) {
        mlgt_fail(err, MLG_E_USAGE, 0, "clearml_call_at: NULL argument");
        return -1;
    }
    snprintf(what, sizeof(what), "clearml@%s", version);
    return mlgt_clearml_any(c, what, endpoint, body, data, err);
}

static int mlgt_api_version(struct mlg_check *c)
{
    return c->api_version;
}

/* The recorded "find_task" answer into *found (copies kept). */
static void mlgt_found(struct mlg_check *c, struct mlg_task_found *found)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(c->find_task, "task");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(c->find_task, "dirty");

    if (t != NULL && !cJSON_IsNull(t))
        found->task = mlgt_keep(c, cJSON_Duplicate(t, 1));
    if (d != NULL && !cJSON_IsNull(d))
        found->dirty = mlgt_keep(c, cJSON_Duplicate(d, 1));
}

static int mlgt_find_task(struct mlg_check *c, const struct mlg_task_query *q,
                          struct mlg_task_found *found,
                          struct mlg_error *err)
{
    const char *commit = NULL, *project = NULL, *name = NULL;

    if (found == NULL) {
        mlgt_fail(err, MLG_E_USAGE, 0, "clearml_find_task: found is NULL");
        return -1;
    }
    found->task = NULL;
    found->dirty = NULL;
    if (q != NULL && q->size >= offsetof(struct mlg_task_query, commit) +
        sizeof(q->commit))
        commit = q->commit;
    if (q != NULL && q->size >= offsetof(struct mlg_task_query, project) +
        sizeof(q->project))
        project = q->project;
    if (q != NULL && q->size >= offsetof(struct mlg_task_query, task_name) +
        sizeof(q->task_name))
        name = q->task_name;
    if (commit == NULL || *commit == '\0')
        commit = c->ctx.head_sha;
    mlgt_add(&c->calls, "find_task %s %s %s\n", mlgt_dash(commit),
             mlgt_dash(project), mlgt_dash(name));
    mlgt_found(c, found);
    return 0;
}

static int mlgt_head_task(struct mlg_check *c, struct mlg_task_found *found,
                          struct mlg_error *err)
{
    if (found == NULL) {
        mlgt_fail(err, MLG_E_USAGE, 0, "head_task: found is NULL");
        return -1;
    }
    found->task = NULL;
    found->dirty = NULL;
    mlgt_add(&c->calls, "head_task %s %s %s\n", mlgt_dash(c->ctx.head_sha),
             mlgt_dash(mlgt_opt_scope(c, "project")),
             mlgt_dash(mlgt_opt_scope(c, "task-name")));
    mlgt_found(c, found);
    return 0;
}

/* An id recorded under kind ("project_id", "queue_id") for name or "*". */
static int mlgt_id(struct mlg_check *c, const char *kind, const char *name,
                   const char **id, struct mlg_error *err)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(c->ids, kind);
    const char *v = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(m, name));

    if (v == NULL)
        v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "*"));
    if (v == NULL) {
        mlgt_fail(err, MLG_E_USAGE, 0, "%s: no %s recorded for \"%s\"",
                  kind, kind, name);
        return -1;
    }
    *id = v;
    return 0;
}

static int mlgt_project_id(struct mlg_check *c, const char *name, int create,
                           const char **id, struct mlg_error *err)
{
    if (id != NULL)
        *id = NULL;
    if (name == NULL || id == NULL) {
        mlgt_fail(err, MLG_E_USAGE, 0, "clearml_project_id: NULL argument");
        return -1;
    }
    mlgt_add(&c->calls, "project_id %s %d\n", name, create);
    return mlgt_id(c, "project_id", name, id, err);
}

static int mlgt_scope_project_id(struct mlg_check *c, const char **id,
                                 struct mlg_error *err)
{
    const char *project = mlgt_opt_scope(c, "project");

    if (id == NULL) {
        mlgt_fail(err, MLG_E_USAGE, 0, "scope_project_id: id is NULL");
        return -1;
    }
    *id = NULL;
    mlgt_add(&c->calls, "scope_project_id %s\n", mlgt_dash(project));
    if (project == NULL)
        return 0;
    return mlgt_id(c, "project_id", project, id, err);
}

static int mlgt_queue_id(struct mlg_check *c, const char *name,
                         const char **id, struct mlg_error *err)
{
    if (id != NULL)
        *id = NULL;
    if (name == NULL || id == NULL) {
        mlgt_fail(err, MLG_E_USAGE, 0, "clearml_queue_id: NULL argument");
        return -1;
    }
    mlgt_add(&c->calls, "queue_id %s\n", name);
    return mlgt_id(c, "queue_id", name, id, err);
}

static void mlgt_tag_list(struct mlgt_buf *b, const char *const *v)
{
    size_t i;

    for (i = 0; v != NULL && v[i] != NULL; i++)
        mlgt_add(b, "%s%s", i > 0 ? "," : "", v[i]);
}

static int mlgt_update_tags(struct mlg_check *c, const char *task_id,
                            const char *const *add,
                            const char *const *remove,
                            struct mlg_error *err)
{
    const cJSON *a;

    mlgt_add(&c->calls, "update_tags %s +", mlgt_dash(task_id));
    mlgt_tag_list(&c->calls, add);
    mlgt_add(&c->calls, " -");
    mlgt_tag_list(&c->calls, remove);
    mlgt_add(&c->calls, "\n");
    a = mlgt_next(c, "update_tags");
    return a == NULL ? 0 : mlgt_apply(c, "update_tags", a, NULL, NULL, err);
}

static const char *mlgt_task_url(struct mlg_check *c, const char *pid,
                                 const char *tid, const char *tab)
{
    char url[1024];

    snprintf(url, sizeof(url),
             "https://app.clearml.example/projects/%s/experiments/%s/%s",
             pid != NULL ? pid : "*", tid != NULL ? tid : "",
             tab != NULL ? tab : "output/log");
    return mlgt_keep_str(c, url);
}

static int mlgt_forge_call(struct mlg_check *c, const char *method,
                           const char *path, const cJSON *body, int *status,
                           const cJSON **data, struct mlg_error *err)
{
    char key[2048];

    if (status != NULL)
        *status = 0;
    if (data != NULL)
        *data = NULL;
    if (method == NULL || path == NULL) {
        mlgt_fail(err, MLG_E_USAGE, 0, "forge_call: NULL method or path");
        return -1;
    }
    snprintf(key, sizeof(key), "%s %s", method, path);
    mlgt_call_line(c, "forge", key, body);
    snprintf(key, sizeof(key), "forge %s %s", method, path);
    return mlgt_apply(c, key, mlgt_next(c, key), data, status, err);
}

static void mlgt_json_release(struct mlg_check *c, const cJSON *t)
{
    (void)c;
    (void)t; /* everything lives until mlgt_free: use after release is
                not detected here (the runner frees it) */
}

/* --- results ----------------------------------------------------------- */

static void mlgt_vresult(struct mlg_check *c, int status, const char *fmt,
                         va_list ap) MLG_PRINTF(3, 0);

static void mlgt_vresult(struct mlg_check *c, int status, const char *fmt,
                         va_list ap)
{
    mlgt_clear(&c->summary);
    if (status < MLG_PASS || status > MLG_SKIP) {
        c->status = MLG_ERROR;
        mlgt_add(&c->summary, "plugin reported an invalid status %d",
                 status);
        return;
    }
    c->status = status;
    if (fmt != NULL)
        mlgt_vadd(&c->summary, fmt, ap);
}

static void mlgt_result(struct mlg_check *c, int status, const char *fmt,
                        ...) MLG_PRINTF(3, 4);

static void mlgt_result(struct mlg_check *c, int status, const char *fmt,
                        ...)
{
    va_list ap;

    va_start(ap, fmt);
    mlgt_vresult(c, status, fmt, ap);
    va_end(ap);
}

static void mlgt_vdetail(struct mlg_check *c, const char *fmt, va_list ap)
    MLG_PRINTF(2, 0);

static void mlgt_vdetail(struct mlg_check *c, const char *fmt, va_list ap)
{
    if (fmt != NULL)
        mlgt_vadd(&c->details, fmt, ap);
}

static void mlgt_detail(struct mlg_check *c, const char *fmt, ...)
    MLG_PRINTF(2, 3);

static void mlgt_detail(struct mlg_check *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    mlgt_vdetail(c, fmt, ap);
    va_end(ap);
}

/* The kit does not escape: tests read the text as the plugin gave it. */
static const char *mlgt_md_escape(struct mlg_check *c, const char *text,
                                  int mode)
{
    (void)mode;
    return mlgt_keep_str(c, text != NULL ? text : "");
}

static void mlgt_vannotate(struct mlg_check *c, int level, const char *file,
                           long line, const char *fmt, va_list ap)
    MLG_PRINTF(5, 0);

static void mlgt_vannotate(struct mlg_check *c, int level, const char *file,
                           long line, const char *fmt, va_list ap)
{
    if (fmt == NULL)
        return;
    mlgt_add(&c->annots, "%d %s:%ld ", level, mlgt_dash(file), line);
    mlgt_vadd(&c->annots, fmt, ap);
    mlgt_add(&c->annots, "\n");
}

static void mlgt_annotate(struct mlg_check *c, int level, const char *file,
                          long line, const char *fmt, ...) MLG_PRINTF(5, 6);

static void mlgt_annotate(struct mlg_check *c, int level, const char *file,
                          long line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    mlgt_vannotate(c, level, file, line, fmt, ap);
    va_end(ap);
}

/* Outputs as "KEY\tVALUE\n" lines; the last value of a key wins on
 * lookup. */
static void mlgt_output_set(struct mlg_check *c, const char *key,
                            const char *value)
{
    if (key != NULL && *key != '\0')
        mlgt_add(&c->outputs, "%s\t%s\n", key, value != NULL ? value : "");
}

static void mlgt_vlog(struct mlg_check *c, int level, const char *fmt,
                      va_list ap) MLG_PRINTF(3, 0);

static void mlgt_vlog(struct mlg_check *c, int level, const char *fmt,
                      va_list ap)
{
    if (fmt == NULL)
        return;
    mlgt_add(&c->log, "%d ", level);
    mlgt_vadd(&c->log, fmt, ap);
    mlgt_add(&c->log, "\n");
}

static void mlgt_log_f(struct mlg_check *c, int level, const char *fmt, ...)
    MLG_PRINTF(3, 4);

static void mlgt_log_f(struct mlg_check *c, int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    mlgt_vlog(c, level, fmt, ap);
    va_end(ap);
}

/* --- time: it does not pass; cancellation is on request ------------- */

static double mlgt_remaining(struct mlg_check *c)
{
    (void)c;
    return 60;
}

static int mlgt_cancelled(struct mlg_check *c)
{
    return c->cancel_after > 0 && c->cancel_calls >= c->cancel_after;
}

static int mlgt_sleep(struct mlg_check *c, double seconds)
{
    (void)seconds;
    return mlgt_cancelled(c);
}

static const struct mlg_host mlgt_table = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_host), 0,
    mlgt_opt_str, mlgt_opt_int, mlgt_opt_number, mlgt_opt_bool,
    mlgt_opt_duration, mlgt_conf_clearml_get, mlgt_ctx, mlgt_clearml_call,
    mlgt_find_task, mlgt_project_id, mlgt_queue_id, mlgt_update_tags,
    mlgt_task_url, mlgt_forge_call, mlgt_json_release, mlgt_result,
    mlgt_detail, mlgt_md_escape, mlgt_annotate, mlgt_output_set, mlgt_log_f,
    mlgt_remaining, mlgt_cancelled, mlgt_sleep, mlgt_opt_scope,
    mlgt_vresult, mlgt_vdetail, mlgt_vannotate, mlgt_vlog,
    mlgt_head_task, mlgt_scope_project_id, mlgt_clearml_call_at,
    mlgt_api_version
};

/* --- the kit ------------------------------------------------------- */

void mlgt_host_minor(struct mlgt *t, unsigned minor)
{
    struct mlg_check *c = &t->ck;
    size_t size = sizeof(c->host);

    if (minor < 1)
        size = offsetof(struct mlg_host, opt_scope);
    else if (minor < 2)
        size = offsetof(struct mlg_host, vresult);
    else if (minor < 3)
        size = offsetof(struct mlg_host, head_task);
    memset(&c->host, 0, sizeof(c->host));
    memcpy(&c->host, &mlgt_table, size);
    c->host.abi_minor = minor < MLG_ABI_MINOR ? minor : MLG_ABI_MINOR;
    c->host.size = (uint32_t)size;
}

/* The option table re-laid at this header's stride. */
static void mlgt_copy_options(struct mlg_check *c)
{
    size_t stride = sizeof(struct mlg_option), n = 0, i;
    const unsigned char *base = (const void *)c->desc.options;

    if (base == NULL)
        return;
    if (c->desc.struct_size >= offsetof(struct mlg_plugin, option_size) +
        sizeof(uint32_t) && c->desc.option_size != 0)
        stride = c->desc.option_size;
    while (((const struct mlg_option *)(const void *)(base + n * stride))
           ->name != NULL)
        n++;
    c->opts = mlgt_alloc((n + 1) * sizeof(*c->opts));
    for (i = 0; i < n; i++)
        memcpy(&c->opts[i], base + i * stride,
               stride < sizeof(*c->opts) ? stride : sizeof(*c->opts));
}

struct mlgt *mlgt_new(const struct mlg_plugin *d)
{
    struct mlgt *t = mlgt_alloc(sizeof(*t));
    struct mlg_check *c = &t->ck;
    size_t n = d->struct_size < sizeof(c->desc) ? d->struct_size
                                                : sizeof(c->desc);

    c->d = d;
    memcpy(&c->desc, d, n);
    mlgt_copy_options(c);
    mlgt_host_minor(t, MLG_ABI_MINOR);
    c->ctx.size = sizeof(c->ctx);
    c->ctx.forge = "github";
    c->ctx.event = "pull_request";
    c->ctx.repo = "acme/ml-repo";
    c->ctx.pr = 12;
    c->ctx.head_sha = MLGT_SHA;
    c->ctx.head_ref = "feature-x";
    c->ctx.head_repo = "acme/ml-repo";
    c->ctx.head_clone_url = "https://github.com/acme/ml-repo.git";
    c->ctx.base_ref = "main";
    c->ctx.run_url = "";
    c->ctx.check_name = "test";
    c->ctx.workdir = ".";
    c->ids = cJSON_CreateObject();
    c->status = -1;
    return t;
}

struct mlgt *mlgt_open(const char *path, char *err, size_t errlen)
{
    union {
        void *obj;
        mlg_plugin_entry_fn fn;
    } entry;
    const struct mlg_plugin *d;
    struct mlg_plugin copy;
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    unsigned need;
    size_t i, n;

    if (dl == NULL) {
        snprintf(err, errlen, "%s: cannot load: %s", path, dlerror());
        return NULL;
    }
    entry.obj = dlsym(dl, "mlg_plugin_entry");
    d = entry.obj != NULL ? entry.fn() : NULL;
    if (d == NULL) {
        snprintf(err, errlen, "%s: no mlg_plugin_entry, or it returned "
                 "NULL", path);
        return NULL;
    }
    memset(&copy, 0, sizeof(copy));
    n = d->struct_size < sizeof(copy) ? d->struct_size : sizeof(copy);
    memcpy(&copy, d, n);
    need = copy.abi_minor;
    if (n >= offsetof(struct mlg_plugin, option_size) + sizeof(uint32_t) &&
        (copy.min_host_minor & MLG_NEEDS_MINOR(0)) != 0)
        need = copy.min_host_minor & ~MLG_NEEDS_MINOR(0);
    if (copy.abi_major != MLG_ABI_MAJOR || need > MLG_ABI_MINOR) {
        snprintf(err, errlen, "%s: plugin needs ABI %u.%u, the kit is %d.%d",
                 path, (unsigned)copy.abi_major, need, MLG_ABI_MAJOR,
                 MLG_ABI_MINOR);
        return NULL;
    }
    for (i = 0; i < 8; i++)
        if (copy.reserved[i] != NULL) {
            snprintf(err, errlen, "%s: descriptor reserved[%zu] is not NULL",
                     path, i);
            return NULL;
        }
    if (copy.run == NULL || copy.name == NULL) {
        snprintf(err, errlen, "%s: descriptor without run or name", path);
        return NULL;
    }
    /* Kept mapped: the descriptor's strings and callbacks live there. */
    return mlgt_new(d);
}

static void mlgt_set(char ***v, size_t *n, const char *k, const char *val)
{
    size_t i;

    for (i = 0; i < *n; i += 2)
        if (strcmp((*v)[i], k) == 0) {
            free((*v)[i + 1]);
            (*v)[i + 1] = mlgt_strdup(val);
            return;
        }
    *v = realloc(*v, (*n + 2) * sizeof(**v));
    if (*v == NULL)
        abort();
    (*v)[(*n)++] = mlgt_strdup(k);
    (*v)[(*n)++] = mlgt_strdup(val);
}

void mlgt_option(struct mlgt *t, const char *name, const char *value)
{
    struct mlg_check *c = &t->ck;

    mlgt_set(&c->kv, &c->nkv, name, value);
}

void mlgt_conf_clearml(struct mlgt *t, const char *key, const char *value)
{
    struct mlg_check *c = &t->ck;

    mlgt_set(&c->clearml_kv, &c->nclearml_kv, key, value);
}

struct mlg_context *mlgt_context(struct mlgt *t)
{
    return &(&t->ck)->ctx;
}

void mlgt_cancel_after(struct mlgt *t, const char *endpoint, int calls)
{
    struct mlg_check *c = &t->ck;

    free(c->cancel_endpoint);
    c->cancel_endpoint = endpoint != NULL ? mlgt_strdup(endpoint) : NULL;
    c->cancel_after = calls;
    c->cancel_calls = 0;
}

/* Record one ANSWER, or each of a list, under key. */
static int mlgt_record(struct mlg_check *c, const char *key,
                       const cJSON *v, char *err, size_t errlen)
{
    const cJSON *a;

    if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(a, v)
            if (mlgt_record(c, key, a, err, errlen) != 0)
                return -1;
        return 0;
    }
    if (!cJSON_IsObject(v) ||
        (cJSON_GetObjectItemCaseSensitive(v, "data") == NULL &&
         cJSON_GetObjectItemCaseSensitive(v, "error") == NULL &&
         cJSON_GetObjectItemCaseSensitive(v, "status") == NULL)) {
        snprintf(err, errlen, "answer for \"%s\": want an object with "
                 "\"data\" or \"error\"", key);
        return -1;
    }
    a = cJSON_GetObjectItemCaseSensitive(v, "times");
    c->ans = realloc(c->ans, (c->nans + 1) * sizeof(*c->ans));
    if (c->ans == NULL)
        abort();
    c->ans[c->nans].key = mlgt_strdup(key);
    c->ans[c->nans].answer = cJSON_Duplicate(v, 1);
    c->ans[c->nans].times = cJSON_IsNumber(a) ? a->valueint : 1;
    c->nans++;
    return 0;
}

int mlgt_answers(struct mlgt *t, const char *json, char *err, size_t errlen)
{
    struct mlg_check *c = &t->ck;
    cJSON *root = cJSON_Parse(json != NULL ? json : "");
    const cJSON *sec, *e;
    char key[2048];
    int rc = 0;

    if (!cJSON_IsObject(root)) {
        snprintf(err, errlen, "recorded answers are not a JSON object");
        cJSON_Delete(root);
        return -1;
    }
    sec = cJSON_GetObjectItemCaseSensitive(root, "clearml");
    cJSON_ArrayForEach(e, sec) {
        snprintf(key, sizeof(key), "clearml %s", e->string);
        rc = rc != 0 ? rc : mlgt_record(c, key, e, err, errlen);
    }
    sec = cJSON_GetObjectItemCaseSensitive(root, "forge");
    cJSON_ArrayForEach(e, sec) {
        snprintf(key, sizeof(key), "forge %s", e->string);
        rc = rc != 0 ? rc : mlgt_record(c, key, e, err, errlen);
    }
    sec = cJSON_GetObjectItemCaseSensitive(root, "update_tags");
    if (sec != NULL && rc == 0)
        rc = mlgt_record(c, "update_tags", sec, err, errlen);
    sec = cJSON_GetObjectItemCaseSensitive(root, "find_task");
    if (sec != NULL) {
        cJSON_Delete(c->find_task);
        c->find_task = cJSON_Duplicate(sec, 1);
    }
    sec = cJSON_GetObjectItemCaseSensitive(root, "api_version");
    if (cJSON_IsString(sec)) {
        unsigned maj = 0, min = 0;

        if (sscanf(sec->valuestring, "%u.%u", &maj, &min) == 2 &&
            maj < 10 && min < 100)
            c->api_version = (int)(maj * 100 + min);
    }
    sec = cJSON_GetObjectItemCaseSensitive(root, "project_id");
    if (sec != NULL) {
        cJSON_DeleteItemFromObjectCaseSensitive(c->ids, "project_id");
        cJSON_AddItemToObject(c->ids, "project_id", cJSON_Duplicate(sec, 1));
    }
    sec = cJSON_GetObjectItemCaseSensitive(root, "queue_id");
    if (sec != NULL) {
        cJSON_DeleteItemFromObjectCaseSensitive(c->ids, "queue_id");
        cJSON_AddItemToObject(c->ids, "queue_id", cJSON_Duplicate(sec, 1));
    }
    cJSON_Delete(root);
    return rc;
}

int mlgt_answers_file(struct mlgt *t, const char *path, char *err,
                      size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct mlgt_buf b = {NULL, 0};
    char chunk[4096];
    size_t n;
    int rc;

    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof(chunk) - 1, f)) > 0) {
        chunk[n] = '\0';
        mlgt_add(&b, "%s", chunk);
    }
    fclose(f);
    rc = mlgt_answers(t, mlgt_str(&b), err, errlen);
    if (rc != 0) {
        size_t l = strlen(err);

        snprintf(err + l, errlen - l, " (%s)", path);
    }
    mlgt_clear(&b);
    return rc;
}

int mlgt_run(struct mlgt *t)
{
    struct mlg_check *c = &t->ck;
    char errbuf[MLG_ERROR_SIZE];
    void *state = NULL;
    int rc;

    mlgt_clear(&c->summary);
    mlgt_clear(&c->details);
    mlgt_clear(&c->annots);
    mlgt_clear(&c->log);
    mlgt_clear(&c->calls);
    mlgt_clear(&c->outputs);
    c->status = -1;
    c->init_failed = 0;
    memset(errbuf, 0, sizeof(errbuf));
    if (c->desc.init != NULL &&
        c->desc.init(&c->host, c, &state, errbuf) != 0) {
        errbuf[sizeof(errbuf) - 1] = '\0';
        c->init_failed = 1;
        c->status = MLG_ERROR;
        mlgt_add(&c->summary, "%s", *errbuf != '\0' ? errbuf : "init failed");
        return c->status;
    }
    rc = c->desc.run(state, c);
    if (c->status < 0)
        c->status = rc >= MLG_PASS && rc <= MLG_SKIP ? rc : MLG_ERROR;
    if (c->desc.fini != NULL)
        c->desc.fini(state);
    return c->status;
}

int mlgt_status(const struct mlgt *t)
{
    return (&t->ck)->status;
}

int mlgt_init_failed(const struct mlgt *t)
{
    return (&t->ck)->init_failed;
}

const char *mlgt_summary(const struct mlgt *t)
{
    return mlgt_str(&t->ck.summary);
}

const char *mlgt_details(const struct mlgt *t)
{
    return mlgt_str(&t->ck.details);
}

const char *mlgt_annotations(const struct mlgt *t)
{
    return mlgt_str(&t->ck.annots);
}

const char *mlgt_log(const struct mlgt *t)
{
    return mlgt_str(&t->ck.log);
}

const char *mlgt_calls(const struct mlgt *t)
{
    return mlgt_str(&t->ck.calls);
}

const char *mlgt_output(struct mlgt *t, const char *key)
{
    struct mlg_check *c = &t->ck;
    const char *p = mlgt_str(&c->outputs), *found = NULL, *v;
    size_t klen = strlen(key);
    struct mlgt_buf b = {NULL, 0};

    for (; *p != '\0'; p = strchr(p, '\n') + 1)
        if (strncmp(p, key, klen) == 0 && p[klen] == '\t')
            found = p + klen + 1;
    if (found == NULL)
        return NULL;
    mlgt_add(&b, "%.*s", (int)(strchr(found, '\n') - found), found);
    v = mlgt_keep_str(c, b.p);
    mlgt_clear(&b);
    return v;
}

void mlgt_free(struct mlgt *t)
{
    struct mlg_check *c = &t->ck;
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < c->nkeep; i++)
        cJSON_Delete(c->keep[i]);
    free(c->keep);
    for (i = 0; i < c->nans; i++) {
        free(c->ans[i].key);
        cJSON_Delete(c->ans[i].answer);
    }
    free(c->ans);
    for (i = 0; i < c->nkv; i++)
        free(c->kv[i]);
    free(c->kv);
    for (i = 0; i < c->nclearml_kv; i++)
        free(c->clearml_kv[i]);
    free(c->clearml_kv);
    cJSON_Delete(c->find_task);
    cJSON_Delete(c->ids);
    free(c->cancel_endpoint);
    free(c->opts);
    mlgt_clear(&c->summary);
    mlgt_clear(&c->details);
    mlgt_clear(&c->annots);
    mlgt_clear(&c->log);
    mlgt_clear(&c->calls);
    mlgt_clear(&c->outputs);
    free(c);
}
