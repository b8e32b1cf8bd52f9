/*
 * stats-comment.c - the stats-comment check: find the ClearML task that
 * ran the PR head commit, tag it, and contribute its scalar table.
 */
#include <config.h>

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mlgate/plugin.h"
#include "mlgate/plugin-util.h"

#define STATS_VERSION "1.0"
#define STATS_MONITOR_PREFIX ":monitor:"

struct stats_state {
    const struct mlg_host *host;
    int has_filter;
    regex_t filter; /* `metrics`, matched against "Title / Series" */
};

/* One row of the table; strings are borrowed from the task tree. */
struct stats_row {
    const char *title;
    const char *series;
    const cJSON *last;
    const cJSON *min;
    const cJSON *max;
};

static const struct mlg_option stats_options[] = {
    {"project", MLG_OPT_STRING, NULL,
     "ClearML project scope (default: [clearml] project; empty: all)", 0,
     NULL},
    {"task-name", MLG_OPT_STRING, NULL,
     "exact task name scope (default: [clearml] task-name; empty: any)", 0,
     NULL},
    {"tag", MLG_OPT_STRING, "main_branch",
     "tag added to the task found (empty: no tag)", 0, NULL},
    {"metrics", MLG_OPT_STRING, NULL,
     "extended regex on \"Title / Series\" selecting rows (default: all)",
     0, NULL},
    {"monitoring", MLG_OPT_BOOL, "no",
     "also show the :monitor: machine scalars", 0, NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static const char *stats_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring
                                                        : "";
}

static int stats_has_tag(const cJSON *task, const char *tag)
{
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(task, "tags");
    const cJSON *t;

    cJSON_ArrayForEach(t, tags) {
        if (cJSON_IsString(t) && strcmp(t->valuestring, tag) == 0)
            return 1;
    }
    return 0;
}

static int stats_row_cmp(const void *a, const void *b)
{
    const struct stats_row *x = a, *y = b;
    int c = strcmp(x->title, y->title);

    return c != 0 ? c : strcmp(x->series, y->series);
}

/* Whether the row passes the monitoring and regex filters. */
static int stats_row_wanted(struct stats_state *st, struct mlg_check *check,
                            const char *title, const char *series)
{
    size_t len = strlen(title) + strlen(series) + 4;
    char *name;
    int ok;

    if (strncmp(title, STATS_MONITOR_PREFIX,
                strlen(STATS_MONITOR_PREFIX)) == 0
        && !st->host->opt_bool(check, "monitoring", 0))
        return 0;
    if (!st->has_filter)
        return 1;
    name = malloc(len);
    if (name == NULL)
        abort(); /* a check process that cannot allocate cannot report */
    snprintf(name, len, "%s / %s", title, series);
    ok = regexec(&st->filter, name, 0, NULL, 0) == 0;
    free(name);
    return ok;
}

/* Rows of last_metrics ({title-hash: {series-hash: event}}), filtered and
 * sorted by title then series; the first occurrence of a pair wins as in
 * the SDK.  Returns the count; *out is the caller's to free. */
static size_t stats_rows(struct stats_state *st, struct mlg_check *check,
                         const cJSON *task, struct stats_row **out)
{
    const cJSON *lm = cJSON_GetObjectItemCaseSensitive(task, "last_metrics");
    const cJSON *per_title, *ev;
    struct stats_row *rows = NULL;
    size_t n = 0, cap = 0, i;

    cJSON_ArrayForEach(per_title, lm) {
        cJSON_ArrayForEach(ev, per_title) {
            const char *title = stats_str(ev, "metric");
            const char *series = stats_str(ev, "variant");
            int dup = 0;

            if (!cJSON_IsObject(ev)
                || !stats_row_wanted(st, check, title, series))
                continue;
            for (i = 0; i < n && !dup; i++)
                dup = strcmp(rows[i].title, title) == 0
                      && strcmp(rows[i].series, series) == 0;
            if (dup)
                continue;
            if (n == cap) {
                struct stats_row *r;

                cap = cap ? cap * 2 : 16;
                r = realloc(rows, cap * sizeof *rows);
                if (r == NULL)
                    abort();
                rows = r;
            }
            rows[n].title = title;
            rows[n].series = series;
            rows[n].last = cJSON_GetObjectItemCaseSensitive(ev, "value");
            rows[n].min = cJSON_GetObjectItemCaseSensitive(ev, "min_value");
            rows[n].max = cJSON_GetObjectItemCaseSensitive(ev, "max_value");
            n++;
        }
    }
    if (n > 1)
        qsort(rows, n, sizeof *rows, stats_row_cmp);
    *out = rows;
    return n;
}

/* A number cell as %g (tabulate's float format); "n/a" when absent.
 * host->detail appends, so the table is written cell by cell. */
static void stats_num(const struct mlg_host *h, struct mlg_check *check,
                      const cJSON *v)
{
    if (cJSON_IsNumber(v))
        h->detail(check, " %g |", v->valuedouble);
    else
        h->detail(check, " n/a |");
}

/* Adds the tag unless present, or says what it would do under
 * --dry-run.  Returns 0, or -1 with err filled. */
static int stats_tag(struct stats_state *st, struct mlg_check *check,
                     const cJSON *task, const char *tag, int dry_run,
                     const char **verb, struct mlg_error *err)
{
    const char *add[2];

    add[0] = tag;
    add[1] = NULL;
    if (stats_has_tag(task, tag)) {
        *verb = "already tagged";
        return 0;
    }
    if (dry_run) {
        *verb = "would be tagged";
        st->host->detail(check, "Dry run: would add tag **%s**.\n\n",
                         st->host->md_escape(check, tag, MLG_MD_TEXT));
        return 0;
    }
    *verb = "tagged";
    return st->host->clearml_update_tags(check, stats_str(task, "id"), add,
                                         NULL, err);
}

static int stats_init(const struct mlg_host *host, struct mlg_check *check,
                      void **state, char *err)
{
    struct stats_state *st = calloc(1, sizeof *st);
    const char *re = host->opt_str(check, "metrics");
    int rc;

    if (st == NULL) {
        snprintf(err, MLG_ERROR_SIZE, "out of memory");
        return -1;
    }
    st->host = host;
    if (re != NULL && *re != '\0') {
        rc = regcomp(&st->filter, re, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char msg[256];

            regerror(rc, &st->filter, msg, sizeof msg);
            snprintf(err, MLG_ERROR_SIZE, "metrics: bad regex \"%s\": %s",
                     re, msg);
            free(st);
            return -1;
        }
        st->has_filter = 1;
    }
    *state = st;
    return 0;
}

static int stats_run(void *state, struct mlg_check *check)
{
    struct stats_state *st = state;
    const struct mlg_host *h = st->host;
    const struct mlg_context *ctx = h->context(check);
    const char *project = h->opt_scope(check, "project");
    const char *task_name = h->opt_scope(check, "task-name");
    const char *tag = h->opt_str(check, "tag");
    struct mlg_task_found f = MLG_TASK_FOUND_INIT;
    struct mlg_error err;
    struct stats_row *rows = NULL;
    const char *id, *name, *status, *url, *verb = NULL;
    size_t n, i;
    int result = MLG_PASS;

    memset(&err, 0, sizeof err);
    if (*ctx->head_sha == '\0') {
        h->result(check, MLG_ERROR,
                  "no head commit in the run context (use --sha)");
        return MLG_ERROR;
    }
    /* The runner looked it up once for every check of this scope. */
    if (h->head_task(check, &f, &err) != 0) {
        h->result(check, MLG_ERROR, "task lookup failed: %s", err.message);
        return MLG_ERROR;
    }
    if (f.task == NULL)
        return mlg_explain_not_found(st->host, check, ctx->head_sha, &f,
                                     project, task_name);

    id = stats_str(f.task, "id");
    name = stats_str(f.task, "name");
    status = stats_str(f.task, "status");
    url = h->clearml_task_url(check, stats_str(f.task, "project"), id,
                              NULL);
    h->output(check, "task-id", id);
    h->output(check, "task-url", url);
    /* The lookup asked for completed tasks and its answer is the read
     * (the tutorial reads twice, hence its check); another status means
     * the task changed while the server answered or the server ignored
     * the filter: nothing is tagged and the tutorial's message says so. */
    if (strcmp(status, "completed") != 0) {
        h->result(check, MLG_WARN,
                  "Task is in %s status, this should not happen!", status);
        h->detail(check, "Task [%s](%s) (`%s`) is in **%s** status, this "
                  "should not happen!\n",
                  h->md_escape(check, name, MLG_MD_TEXT), url,
                  h->md_escape(check, id, MLG_MD_TEXT),
                  h->md_escape(check, status, MLG_MD_TEXT));
        return MLG_WARN;
    }

    /* A value the JSON parser read as infinity (1e400) or NaN is no
     * result: the check errors before anything is tagged. */
    n = stats_rows(st, check, f.task, &rows);
    for (i = 0; i < n; i++) {
        const cJSON *v[3];
        size_t k;

        v[0] = rows[i].last;
        v[1] = rows[i].min;
        v[2] = rows[i].max;
        for (k = 0; k < 3; k++) {
            if (!cJSON_IsNumber(v[k]) || isfinite(v[k]->valuedouble))
                continue;
            h->result(check, MLG_ERROR, "metric %s / %s of task %s (%.7s) "
                      "is not a finite number; not tagged", rows[i].title,
                      rows[i].series, name, id);
            free(rows);
            return MLG_ERROR;
        }
    }

    if (tag != NULL && *tag != '\0'
        && stats_tag(st, check, f.task, tag, ctx->dry_run, &verb, &err)
           != 0) {
        result = MLG_WARN;
        h->detail(check, "Could not add tag **%s**: %s\n\n",
                  h->md_escape(check, tag, MLG_MD_TEXT),
                  h->md_escape(check, err.message, MLG_MD_TEXT));
    }

    h->detail(check, "Results of task [%s](%s) (`%s`) for commit `%s`\n\n",
              h->md_escape(check, name, MLG_MD_TEXT), url,
              h->md_escape(check, id, MLG_MD_TEXT), ctx->head_sha);
    if (n == 0) {
        h->detail(check, "The task reported no scalars%s.\n\n",
                  st->has_filter ? " matching `metrics`" : "");
    } else {
        h->detail(check, "| Title | Series | Last | Min | Max |\n"
                  "| --- | --- | ---: | ---: | ---: |\n");
        for (i = 0; i < n; i++) {
            h->detail(check, "| %s | %s |",
                      h->md_escape(check, rows[i].title, MLG_MD_CELL),
                      h->md_escape(check, rows[i].series, MLG_MD_CELL));
            stats_num(h, check, rows[i].last);
            stats_num(h, check, rows[i].min);
            stats_num(h, check, rows[i].max);
            h->detail(check, "\n");
        }
        h->detail(check, "\n");
    }
    h->detail(check, "You can view full task results [here](%s).\n", url);

    if (result == MLG_WARN)
        h->result(check, MLG_WARN,
                  "task %s (%.7s) found but not tagged %s: %s; %zu "
                  "metric%s", name, id, tag, err.message, n,
                  n == 1 ? "" : "s");
    else if (verb != NULL)
        h->result(check, MLG_PASS, "task %s (%.7s) %s %s; %zu metric%s",
                  name, id, verb, tag, n, n == 1 ? "" : "s");
    else
        h->result(check, MLG_PASS, "task %s (%.7s); %zu metric%s", name,
                  id, n, n == 1 ? "" : "s");
    free(rows);
    return result;
}

static void stats_fini(void *state)
{
    struct stats_state *st = state;

    if (st->has_filter)
        regfree(&st->filter);
    free(st);
}

static const struct mlg_plugin stats_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin),
    MLG_PLUGIN_NEEDS_CLEARML | MLG_PLUGIN_USES_HEAD_TASK,
    "stats-comment", STATS_VERSION,
    "tag the ClearML task that ran the PR head and show its scalars",
    stats_options,
    stats_init, stats_run, stats_fini,
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    MLG_PLUGIN_TAIL(3) /* head_task is 1.3 */
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &stats_plugin;
}
