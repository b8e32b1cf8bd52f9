/*
 * metric-threshold.c - an example out-of-tree mlgate check: one scalar of
 * the ClearML task that ran the PR head commit must stay within bounds
 * ("Performance Metric / Series 1" last value at least 0.9, say).
 *
 * Built against the installed SDK alone; see README.md.  Like every
 * plugin it talks to the world only through the host table, keeps no
 * mutable static data and exports the single symbol mlg_plugin_entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <mlgate/plugin.h>

/* What init() prepared for run(). */
struct thr_state {
    const struct mlg_host *host; /* borrowed until fini() */
    char *title;                 /* metric title; owned */
    char *series;                /* metric series; owned */
    const char *value;           /* "last", "min" or "max"; host-owned */
    int has_min, has_max;
    double min, max;
    int breach_status;           /* MLG_FAIL or MLG_WARN */
};

static const struct mlg_option thr_options[] = {
    {"metric", MLG_OPT_STRING, NULL,
     "scalar to check, as \"Title / Series\"", MLG_OPT_REQUIRED, NULL},
    {"value", MLG_OPT_ENUM, "last",
     "which value of the scalar: last reported, min or max",
     0, "last|min|max"},
    {"min", MLG_OPT_NUMBER, NULL,
     "the value must be at least this (no lower bound when unset)", 0, NULL},
    {"max", MLG_OPT_NUMBER, NULL,
     "the value must be at most this (no upper bound when unset)", 0, NULL},
    {"on-breach", MLG_OPT_ENUM, "fail",
     "status when the value is out of bounds", 0, "fail|warn"},
    {"project", MLG_OPT_STRING, NULL,
     "ClearML project scope (default: [clearml] project)", 0, NULL},
    {"task-name", MLG_OPT_STRING, NULL,
     "ClearML task name scope (default: [clearml] task-name)", 0, NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

/* Copy [s, s+n) without surrounding blanks.  Caller frees. */
static char *
thr_trim_dup(const char *s, size_t n)
{
    char *out;

    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

static void
thr_fini(void *state)
{
    struct thr_state *st = state;

    if (st == NULL)
        return;
    free(st->title);
    free(st->series);
    free(st);
}

static int
thr_init(const struct mlg_host *host, struct mlg_check *check,
         void **state, char *err)
{
    struct thr_state *st;
    const char *metric, *slash, *on_breach;

    /* The runner validated types and the required key; what is left is
     * what the option table cannot express. */
    metric = host->opt_str(check, "metric");
    slash = metric != NULL ? strstr(metric, " / ") : NULL;
    if (slash == NULL) {
        snprintf(err, MLG_ERROR_SIZE,
                 "metric must be \"Title / Series\", got \"%s\"",
                 metric != NULL ? metric : "");
        return -1;
    }
    st = calloc(1, sizeof *st);
    if (st == NULL) {
        snprintf(err, MLG_ERROR_SIZE, "out of memory");
        return -1;
    }
    st->host = host;
    st->title = thr_trim_dup(metric, (size_t)(slash - metric));
    st->series = thr_trim_dup(slash + 3, strlen(slash + 3));
    st->value = host->opt_str(check, "value");
    st->has_min = host->opt_str(check, "min") != NULL;
    st->has_max = host->opt_str(check, "max") != NULL;
    st->min = host->opt_number(check, "min", 0.0);
    st->max = host->opt_number(check, "max", 0.0);
    on_breach = host->opt_str(check, "on-breach");
    st->breach_status = on_breach != NULL && strcmp(on_breach, "warn") == 0
                            ? MLG_WARN : MLG_FAIL;
    if (st->title == NULL || st->series == NULL || st->title[0] == '\0' ||
        st->series[0] == '\0' || (!st->has_min && !st->has_max) ||
        (st->has_min && st->has_max && st->min > st->max)) {
        snprintf(err, MLG_ERROR_SIZE, "%s",
                 !st->has_min && !st->has_max
                     ? "set min, max or both"
                 : st->has_min && st->has_max && st->min > st->max
                     ? "min is greater than max"
                     : "metric must be \"Title / Series\"");
        thr_fini(st);
        return -1;
    }
    *state = st;
    return 0;
}

/* The last_metrics event of title/series, or NULL.  last_metrics is
 * {md5(title): {md5(series): event}}: match on the names inside. */
static const cJSON *
thr_find_event(const cJSON *task, const char *title, const char *series)
{
    const cJSON *metrics, *by_title, *ev;

    metrics = cJSON_GetObjectItemCaseSensitive(task, "last_metrics");
    if (!cJSON_IsObject(metrics))
        return NULL;
    cJSON_ArrayForEach(by_title, metrics) {
        if (!cJSON_IsObject(by_title))
            continue;
        cJSON_ArrayForEach(ev, by_title) {
            const cJSON *m, *v;

            m = cJSON_GetObjectItemCaseSensitive(ev, "metric");
            v = cJSON_GetObjectItemCaseSensitive(ev, "variant");
            if (cJSON_IsString(m) && cJSON_IsString(v) &&
                strcmp(m->valuestring, title) == 0 &&
                strcmp(v->valuestring, series) == 0)
                return ev;
        }
    }
    return NULL;
}

static const char *
thr_str(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(it) ? it->valuestring : "";
}

static int
thr_run(void *state, struct mlg_check *check)
{
    struct thr_state *st = state;
    const struct mlg_host *h = st->host;
    const struct mlg_context *ctx = h->context(check);
    struct mlg_task_found found = MLG_TASK_FOUND_INIT;
    struct mlg_error e = MLG_ERROR_INIT;
    const cJSON *ev, *num;
    const char *field, *task_id, *url;
    char bounds[128], text[64];
    double v;
    int ok;

    /* The head task of the check's scope (its own project / task-name,
     * else the conf's [clearml] ones): with MLG_PLUGIN_USES_HEAD_TASK
     * the runner looked it up once for every check of that scope. */
    if (h->head_task(check, &found, &e) != 0) {
        h->result(check, MLG_ERROR, "ClearML lookup failed: %s", e.message);
        return MLG_ERROR;
    }
    if (found.task == NULL) {
        h->result(check, MLG_FAIL,
                  "no completed ClearML task ran commit %.7s%s",
                  ctx->head_sha,
                  found.dirty != NULL ? " without uncommitted changes" : "");
        h->detail(check, "Run the training once in ClearML with this "
                  "code, committed, then re-run the job.\n");
        return MLG_FAIL;
    }

    ev = thr_find_event(found.task, st->title, st->series);
    if (ev == NULL) {
        h->result(check, MLG_FAIL, "task %s reported no scalar %s / %s",
                  thr_str(found.task, "name"), st->title, st->series);
        return MLG_FAIL;
    }
    field = strcmp(st->value, "min") == 0   ? "min_value"
            : strcmp(st->value, "max") == 0 ? "max_value"
                                            : "value";
    num = cJSON_GetObjectItemCaseSensitive(ev, field);
    if (!cJSON_IsNumber(num)) {
        h->result(check, MLG_ERROR, "scalar %s / %s has no %s",
                  st->title, st->series, field);
        return MLG_ERROR;
    }
    v = num->valuedouble;
    ok = (!st->has_min || v >= st->min) && (!st->has_max || v <= st->max);

    if (st->has_min && st->has_max)
        snprintf(bounds, sizeof bounds, "in [%g, %g]", st->min, st->max);
    else if (st->has_min)
        snprintf(bounds, sizeof bounds, ">= %g", st->min);
    else
        snprintf(bounds, sizeof bounds, "<= %g", st->max);

    task_id = thr_str(found.task, "id");
    url = h->clearml_task_url(check, thr_str(found.task, "project"),
                              task_id, "output/metrics/scalar");
    h->detail(check, "| Scalar | Value (%s) | Required |\n"
              "| --- | --- | --- |\n| %s / %s | %g | %s |\n\n"
              "Task [%s](%s) (`%s`)\n",
              st->value, h->md_escape(check, st->title, MLG_MD_CELL),
              h->md_escape(check, st->series, MLG_MD_CELL), v, bounds,
              h->md_escape(check, thr_str(found.task, "name"), MLG_MD_TEXT),
              url != NULL ? url : "", task_id);
    snprintf(text, sizeof text, "%g", v);
    h->output(check, "value", text);
    if (!ok) {
        h->result(check, st->breach_status, "%s / %s %s %g is not %s",
                  st->title, st->series, st->value, v, bounds);
        return st->breach_status;
    }
    h->result(check, MLG_PASS, "%s / %s %s %g %s", st->title, st->series,
              st->value, v, bounds);
    return MLG_PASS;
}

static const struct mlg_plugin thr_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin),
    MLG_PLUGIN_NEEDS_CLEARML | MLG_PLUGIN_USES_HEAD_TASK,
    "metric-threshold", "1.0",
    "a ClearML scalar of the PR head's task must stay within bounds",
    thr_options,
    thr_init, thr_run, thr_fini,
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    MLG_PLUGIN_TAIL(3) /* head_task came in 1.3 */
};

const struct mlg_plugin *
mlg_plugin_entry(void)
{
    return &thr_plugin;
}
