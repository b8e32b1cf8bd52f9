/*
 * compare.c - the compare check: compare one scalar of the task that ran
 * the PR head with the task carrying the best tag, move the tag on an
 * improvement, and chart both curves.
 */
#include <config.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mlgate/plugin.h"
#include "mlgate/plugin-util.h"

#include "compare-stats.h"

#define CMP_VERSION "1.0"
#define CMP_CHART_POINTS 50 /* Mermaid charts stay readable up to here */
#define CMP_SUMMARY_METRICS 5
#define CMP_MAX_SAMPLES 50
/* Chart colours, distinct in GitHub's light and dark themes. */
#define CMP_HEAD_COLOUR "#d62728" /* red: the PR head */
#define CMP_BASE_COLOUR "#1f77b4" /* blue: the baseline */

struct cmp_state {
    const struct mlg_host *host;
    char *title;       /* metric title */
    char *series;      /* metric series */
    int goal_min;      /* goal = min */
    int use_last;      /* value = last */
    double tolerance;  /* absolute, or percent of the best when tol_pct */
    int tol_pct;
    int on_reg_warn;   /* on-regression = warn */
    long samples;      /* completed tasks compared per side */
    double alpha;      /* significance level of the t-test */
};

/* One scalar curve; the owner frees x and y. */
struct cmp_curve {
    double *x;
    double *y;
    size_t n;
};

static const struct mlg_option cmp_options[] = {
    {"project", MLG_OPT_STRING, NULL,
     "ClearML project scope (default: [clearml] project; empty: all)", 0,
     NULL},
    {"task-name", MLG_OPT_STRING, NULL,
     "exact task name scope (default: [clearml] task-name; empty: any)", 0,
     NULL},
    {"metric", MLG_OPT_STRING, NULL,
     "the scalar compared, as \"Title / Series\"", MLG_OPT_REQUIRED, NULL},
    {"goal", MLG_OPT_ENUM, "max", "whether higher (max) or lower (min) is "
     "better", 0, "max|min"},
    {"value", MLG_OPT_ENUM, "best", "best value reached (max/min) or the "
     "last value reported", 0, "best|last"},
    {"tolerance", MLG_OPT_STRING, "0",
     "allowed regression: absolute (\"0.5\") or relative (\"2%\")", 0, NULL},
    {"best-tag", MLG_OPT_STRING, "Best Performance",
     "tag that marks the best task so far", 0, NULL},
    {"on-regression", MLG_OPT_ENUM, "fail",
     "status of a regression: fail or warn", 0, "fail|warn"},
    {"samples", MLG_OPT_INT, "1",
     "completed tasks (seeds) compared per side, 1 to 50", 0, NULL},
    {"alpha", MLG_OPT_NUMBER, "0.05",
     "significance level of the Welch t-test when samples > 1", 0, NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static const char *cmp_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring
                                                        : "";
}

static int cmp_has_tag(const cJSON *task, const char *tag)
{
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(task, "tags");
    const cJSON *t;

    cJSON_ArrayForEach(t, tags) {
        if (cJSON_IsString(t) && strcmp(t->valuestring, tag) == 0)
            return 1;
    }
    return 0;
}

/* Copy of s[0..n) without surrounding blanks.  Caller frees. */
static char *cmp_trimdup(const char *s, size_t n)
{
    char *r;

    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    r = mlg_xrealloc(NULL, n + 1);
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

/* The last_metrics event of title/series, or NULL.  Borrowed. */
static const cJSON *cmp_event(const struct cmp_state *st,
                              const cJSON *task)
{
    const cJSON *lm = cJSON_GetObjectItemCaseSensitive(task, "last_metrics");
    const cJSON *per_title, *ev;

    cJSON_ArrayForEach(per_title, lm) {
        cJSON_ArrayForEach(ev, per_title) {
            if (strcmp(cmp_str(ev, "metric"), st->title) == 0
                && strcmp(cmp_str(ev, "variant"), st->series) == 0)
                return ev;
        }
    }
    return NULL;
}

/* The compared value of a task: max_value/min_value (the best reached,
 * as the tutorial compares max(y)), or value with `value = last`; older
 * servers lacking min/max fall back to the last value.  Returns 0, or -1
 * when the task did not report the metric. */
static int cmp_value(const struct cmp_state *st, const cJSON *task,
                     double *out)
{
    const cJSON *ev = cmp_event(st, task);
    const cJSON *v;

    if (ev == NULL)
        return -1;
    v = cJSON_GetObjectItemCaseSensitive(ev, st->use_last ? "value"
                                         : st->goal_min ? "min_value"
                                                        : "max_value");
    if (!cJSON_IsNumber(v))
        v = cJSON_GetObjectItemCaseSensitive(ev, "value");
    if (!cJSON_IsNumber(v))
        return -1;
    *out = v->valuedouble;
    return 0;
}

/* "Title / Series" of every metric the task reported, comma-separated,
 * at most max entries (0 = all).  Caller frees. */
static char *cmp_metric_list(const cJSON *task, size_t max)
{
    const cJSON *lm = cJSON_GetObjectItemCaseSensitive(task, "last_metrics");
    const cJSON *per_title, *ev;
    struct mlg_buf b = {NULL, 0, 0};
    size_t n = 0;

    mlg_buf_printf(&b, "%s", "");
    cJSON_ArrayForEach(per_title, lm) {
        cJSON_ArrayForEach(ev, per_title) {
            if (max != 0 && n == max) {
                mlg_buf_printf(&b, ", ...");
                return b.p;
            }
            mlg_buf_printf(&b, "%s%s / %s", n ? ", " : "",
                           cmp_str(ev, "metric"), cmp_str(ev, "variant"));
            n++;
        }
    }
    if (n == 0)
        mlg_buf_printf(&b, "none");
    return b.p;
}

/* Whether cur is at least as good as best, within the tolerance.  A
 * relative epsilon keeps "exactly at the tolerance" from flipping on the
 * last bit of a percentage. */
static int cmp_ok(const struct cmp_state *st, double cur, double best)
{
    double mag = best < 0 ? -best : best;
    double tol = st->tol_pct ? mag * st->tolerance / 100.0 : st->tolerance;
    double gain = st->goal_min ? best - cur : cur - best;
    double eps = 1e-12 * (mag > 1.0 ? mag : 1.0);

    return gain >= -tol - eps;
}

/* Delta text "+8, +8.9%" of cur against best. */
static void cmp_delta(struct mlg_buf *b, double cur, double best)
{
    double d = cur - best;

    mlg_buf_printf(b, "%+g", d);
    if (best != 0)
        mlg_buf_printf(b, ", %+.1f%%", d / (best < 0 ? -best : best)
                                       * 100.0);
}

static int cmp_dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* The finite points of one histogram series ({"x": [...], "y": [...]},
 * or NULL: no points) into *c (caller frees c->x and c->y). */
static void cmp_curve_parse(const cJSON *ser, struct cmp_curve *c)
{
    const cJSON *xs = cJSON_GetObjectItemCaseSensitive(ser, "x");
    const cJSON *ys = cJSON_GetObjectItemCaseSensitive(ser, "y");
    size_t i, n = (size_t)cJSON_GetArraySize(xs);

    if ((size_t)cJSON_GetArraySize(ys) < n)
        n = (size_t)cJSON_GetArraySize(ys);
    c->n = 0;
    c->x = mlg_xrealloc(NULL, (n ? n : 1) * sizeof *c->x);
    c->y = mlg_xrealloc(NULL, (n ? n : 1) * sizeof *c->y);
    for (i = 0; i < n; i++) {
        const cJSON *xv = cJSON_GetArrayItem(xs, (int)i);
        const cJSON *yv = cJSON_GetArrayItem(ys, (int)i);

        /* A server's 1e400 is infinity: such a point is no point. */
        if (!cJSON_IsNumber(xv) || !cJSON_IsNumber(yv)
            || !isfinite(xv->valuedouble) || !isfinite(yv->valuedouble))
            continue;
        c->x[c->n] = xv->valuedouble;
        c->y[c->n] = yv->valuedouble;
        c->n++;
    }
}

/* The "metrics" filter both histogram endpoints take: title/series only,
 * so the answer carries one series per task. */
static cJSON *cmp_metric_filter(const struct cmp_state *st)
{
    cJSON *m = cJSON_CreateObject();
    cJSON *vars = cJSON_CreateArray();
    cJSON *mets = cJSON_CreateArray();

    cJSON_AddStringToObject(m, "metric", st->title);
    cJSON_AddItemToArray(vars, cJSON_CreateString(st->series));
    cJSON_AddItemToObject(m, "variants", vars);
    cJSON_AddItemToArray(mets, m);
    return mets;
}

/* The curve of title/series from events.scalar_metrics_iter_histogram,
 * asking for that metric only: one task per request, for servers older
 * than API 2.28.  Returns 0, or -1 with err filled. */
static int cmp_curve_get(const struct cmp_state *st,
                         struct mlg_check *check, const char *task_id,
                         struct cmp_curve *c, struct mlg_error *err)
{
    const struct mlg_host *h = st->host;
    cJSON *body = cJSON_CreateObject();
    const cJSON *data = NULL;
    int rc;

    cJSON_AddStringToObject(body, "task", task_id);
    cJSON_AddStringToObject(body, "key", "iter");
    cJSON_AddItemToObject(body, "metrics", cmp_metric_filter(st));
    rc = h->clearml_call(check, "events.scalar_metrics_iter_histogram",
                         body, &data, err);
    cJSON_Delete(body);
    c->x = c->y = NULL;
    c->n = 0;
    if (rc != 0)
        return -1;
    cmp_curve_parse(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(data, st->title), st->series), c);
    return 0;
}

/* Every task's curve of title/series: one
 * events.multi_task_scalar_metrics_iter_histogram for all of them where
 * the server has API 2.28 (its "metrics" filter; schema/services/
 * events.conf), else one request per task.  c[i] belongs to ids[i]; a
 * task the answer leaves out has no points.  ok[i] is 0 where a
 * per-task request failed (the error of the last failure in err).
 * Returns the number of failures. */
static size_t cmp_curves_get(const struct cmp_state *st,
                             struct mlg_check *check,
                             const char *const *ids, size_t n,
                             struct cmp_curve *c, int *ok,
                             struct mlg_error *err)
{
    const struct mlg_host *h = st->host;
    const cJSON *data = NULL, *per;
    cJSON *body, *tasks;
    size_t i, failed = 0;
    int rc;

    if (h->clearml_api_version(check) < 228 || n > 100) {
        for (i = 0; i < n; i++) {
            ok[i] = cmp_curve_get(st, check, ids[i], &c[i], err) == 0;
            failed += !ok[i];
        }
        return failed;
    }
    body = cJSON_CreateObject();
    tasks = cJSON_AddArrayToObject(body, "tasks");
    for (i = 0; i < n; i++) {
        size_t k;

        /* The same task twice would be one entry of the answer. */
        for (k = 0; k < i && strcmp(ids[k], ids[i]) != 0; k++)
            ;
        if (k == i)
            cJSON_AddItemToArray(tasks, cJSON_CreateString(ids[i]));
    }
    cJSON_AddStringToObject(body, "key", "iter");
    cJSON_AddItemToObject(body, "metrics", cmp_metric_filter(st));
    rc = h->clearml_call_at(check, "2.28",
                            "events.multi_task_scalar_metrics_iter_histogram",
                            body, &data, err);
    cJSON_Delete(body);
    /* {"metrics": {title: {series: {task id: {"x", "y", "name"}}}}} */
    per = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(data, "metrics"), st->title),
        st->series);
    for (i = 0; i < n; i++) {
        c[i].x = c[i].y = NULL;
        c[i].n = 0;
        ok[i] = rc == 0;
        if (rc == 0)
            cmp_curve_parse(cJSON_GetObjectItemCaseSensitive(per, ids[i]),
                            &c[i]);
    }
    return rc == 0 ? 0 : n;
}

/* The curve's value at iteration x: the last point at or before x (the
 * first point before the curve starts), so both lines share one axis. */
static double cmp_at(const struct cmp_curve *c, double x)
{
    double v = c->y[0], best_x = c->x[0];
    size_t i;
    int seen = 0;

    for (i = 0; i < c->n; i++) {
        if (c->x[i] <= x && (!seen || c->x[i] >= best_x)) {
            v = c->y[i];
            best_x = c->x[i];
            seen = 1;
        }
    }
    if (!seen) {
        for (i = 0; i < c->n; i++) {
            if (c->x[i] < best_x) {
                best_x = c->x[i];
                v = c->y[i];
            }
        }
    }
    return v;
}

/* A number Mermaid can parse: fixed notation, trailing zeros trimmed
 * (%g's exponent form is not part of its grammar). */
static void cmp_plain(struct mlg_buf *b, double v)
{
    char num[512];
    size_t n;

    snprintf(num, sizeof num, "%.6f", v);
    n = strlen(num);
    while (n > 1 && num[n - 1] == '0')
        n--;
    if (n > 1 && num[n - 1] == '.')
        n--;
    num[n] = '\0';
    mlg_buf_printf(b, "%s", strcmp(num, "-0") == 0 ? "0" : num);
}

/* Whether the curve has a point at iteration x; *y gets its value. */
static int cmp_point(const struct cmp_curve *c, double x, double *y)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        if (c->x[i] == x) {
            *y = c->y[i];
            return 1;
        }
    }
    return 0;
}

/* Text for a Mermaid title: no quotes, backticks or line breaks. */
static void cmp_mermaid_text(struct mlg_buf *b, const char *s)
{
    for (; *s != '\0'; s++)
        mlg_buf_printf(b, "%c",
                       strchr("\"`\r\n<>", *s) != NULL ? ' ' : *s);
}

/* A one-line text sparkline of a curve, for where Mermaid cannot help. */
static void cmp_sparkline(struct mlg_buf *b, const struct cmp_curve *c)
{
    static const char *const bars[] = {
        "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
        "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"
    };
    double lo = c->y[0], hi = c->y[0];
    size_t i, k;

    for (i = 1; i < c->n; i++) {
        if (c->y[i] < lo)
            lo = c->y[i];
        if (c->y[i] > hi)
            hi = c->y[i];
    }
    for (i = 0; i < c->n && i < CMP_CHART_POINTS; i++) {
        k = hi > lo ? (size_t)((c->y[i] - lo) / (hi - lo) * 7.0 + 0.5) : 3;
        mlg_buf_printf(b, "%s", bars[k > 7 ? 7 : k]);
    }
    mlg_buf_printf(b, " (%g .. %g, %zu points)", lo, hi, c->n);
}

/* The chart of both curves: a Mermaid xychart-beta with the union of
 * iterations (at most CMP_CHART_POINTS), the points in a collapsed table,
 * and sparklines when there are too few points for a chart. */
static void cmp_chart(const struct cmp_state *st, struct mlg_check *check,
                      const struct cmp_curve *cur,
                      const struct cmp_curve *best)
{
    const struct mlg_host *h = st->host;
    struct mlg_buf b = {NULL, 0, 0};
    double *xs;
    size_t nx = 0, i, j, npts, idx;
    const struct cmp_curve *lines[2];
    size_t nlines = 0;

    if (cur->n > 0)
        lines[nlines++] = cur;
    if (best != NULL && best->n > 0)
        lines[nlines++] = best;
    if (nlines == 0) {
        h->detail(check, "\nNo scalar points to chart.\n");
        return;
    }
    xs = mlg_xrealloc(NULL, (cur->n + (best ? best->n : 0)) * sizeof *xs);
    for (i = 0; i < nlines; i++) {
        memcpy(xs + nx, lines[i]->x, lines[i]->n * sizeof *xs);
        nx += lines[i]->n;
    }
    qsort(xs, nx, sizeof *xs, cmp_dbl_cmp);
    for (i = 0, j = 0; i < nx; i++) {
        if (j == 0 || xs[i] != xs[j - 1])
            xs[j++] = xs[i];
    }
    nx = j;
    npts = nx < CMP_CHART_POINTS ? nx : CMP_CHART_POINTS;

    if (npts < 2) {
        mlg_buf_printf(&b, "\nCurrent: ");
        cmp_sparkline(&b, cur);
        if (best != NULL && best->n > 0) {
            mlg_buf_printf(&b, "  \nBest: ");
            cmp_sparkline(&b, best);
        }
        h->detail(check, "%s\n", b.p);
        free(b.p);
        free(xs);
        return;
    }
    mlg_buf_printf(&b, "\n```mermaid\n%%%%{init: {\"themeVariables\": "
                   "{\"xyChart\": {\"plotColorPalette\": \"%s%s%s\"}}}}%%%%\n"
                   "xychart-beta\n    title \"",
                   lines[0] == cur ? CMP_HEAD_COLOUR : CMP_BASE_COLOUR,
                   nlines == 2 ? ", " : "",
                   nlines == 2 ? CMP_BASE_COLOUR : "");
    cmp_mermaid_text(&b, st->title);
    mlg_buf_printf(&b, " / ");
    cmp_mermaid_text(&b, st->series);
    mlg_buf_printf(&b, "\"\n    x-axis \"iteration\" [");
    for (i = 0; i < npts; i++) {
        idx = npts == nx ? i : i * (nx - 1) / (npts - 1);
        mlg_buf_printf(&b, "%s\"%g\"", i ? ", " : "", xs[idx]);
    }
    mlg_buf_printf(&b, "]\n    y-axis \"value\"\n");
    for (j = 0; j < nlines; j++) {
        mlg_buf_printf(&b, "    line [");
        for (i = 0; i < npts; i++) {
            idx = npts == nx ? i : i * (nx - 1) / (npts - 1);
            mlg_buf_printf(&b, "%s", i ? ", " : "");
            cmp_plain(&b, cmp_at(lines[j], xs[idx]));
        }
        mlg_buf_printf(&b, "]\n");
    }
    mlg_buf_printf(&b, "```\n\n%s A line holds its last value past "
                   "its task's last iteration.\n\n<details><summary>Data "
                   "points</summary>\n\n| Iteration | %s |%s\n"
                   "| ---: | ---: |%s\n",
                   nlines == 2 ? "Red: current task (head); blue: best "
                                 "task (baseline)."
                               : "The line is the only task with points.",
                   lines[0] == cur ? "Current" : "Best",
                   nlines == 2 ? " Best |" : "",
                   nlines == 2 ? " ---: |" : "");
    for (i = 0; i < npts; i++) {
        double y;

        idx = npts == nx ? i : i * (nx - 1) / (npts - 1);
        mlg_buf_printf(&b, "| %g |", xs[idx]);
        for (j = 0; j < nlines; j++) {
            if (cmp_point(lines[j], xs[idx], &y))
                mlg_buf_printf(&b, " %g |", y);
            else
                mlg_buf_printf(&b, " |");
        }
        mlg_buf_printf(&b, "\n");
    }
    mlg_buf_printf(&b, "\n</details>\n");
    h->detail(check, "%s", b.p);
    free(b.p);
    free(xs);
}

/* Fetch both curves (one request where the server allows) and chart
 * them; a failed fetch is noted in the details and does not change the
 * verdict. */
static void cmp_charts(const struct cmp_state *st, struct mlg_check *check,
                       const char *cur_id, const char *best_id)
{
    const struct mlg_host *h = st->host;
    struct cmp_curve c[2];
    const char *ids[2];
    struct mlg_error err;
    int ok[2] = {0, 0};

    memset(&err, 0, sizeof err);
    memset(c, 0, sizeof c);
    ids[0] = cur_id;
    ids[1] = best_id;
    cmp_curves_get(st, check, ids, best_id != NULL ? 2 : 1, c, ok, &err);
    if (!ok[0]) {
        h->detail(check, "\nNo chart: could not read the scalars of the "
                  "current task (%s).\n",
                  h->md_escape(check, err.message, MLG_MD_TEXT));
    } else {
        if (best_id != NULL && !ok[1])
            h->detail(check, "\nCould not read the scalars of the best "
                      "task (%s); the chart shows the current task only.\n",
                      h->md_escape(check, err.message, MLG_MD_TEXT));
        cmp_chart(st, check, &c[0], ok[1] ? &c[1] : NULL);
    }
    free(c[0].x);
    free(c[0].y);
    free(c[1].x);
    free(c[1].y);
}

/* The newest non-archived task in scope carrying the best tag, other than
 * the current one; NULL when none.  One tasks.get_all; page_size 2 is
 * enough because only the current task can be skipped.  Returns 0, or -1
 * with err filled; *best is borrowed from the host. */
static int cmp_find_best(const struct cmp_state *st, struct mlg_check *check,
                         const cJSON *cur, const char *best_tag,
                         const char *project, const char *task_name,
                         const cJSON **best, struct mlg_error *err)
{
    static const char *const fields[] = {
        "id", "name", "project", "tags", "last_metrics", "last_update",
        "script.version_num"
    };
    cJSON *body = cJSON_CreateObject();
    cJSON *arr;
    const cJSON *data = NULL, *t;
    const char *cur_id = cmp_str(cur, "id");
    int rc;

    *best = NULL;
    mlg_scope_filter(body, cur, project, task_name);
    arr = cJSON_AddArrayToObject(body, "tags");
    cJSON_AddItemToArray(arr, cJSON_CreateString(best_tag));
    arr = cJSON_AddArrayToObject(body, "system_tags");
    cJSON_AddItemToArray(arr, cJSON_CreateString("-archived"));
    arr = cJSON_AddArrayToObject(body, "order_by");
    cJSON_AddItemToArray(arr, cJSON_CreateString("-last_update"));
    cJSON_AddItemToObject(body, "only_fields",
                          cJSON_CreateStringArray(fields, 7));
    cJSON_AddNumberToObject(body, "page_size", 2);
    rc = st->host->clearml_call(check, "tasks.get_all", body, &data, err);
    cJSON_Delete(body);
    if (rc != 0)
        return -1;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(data, "tasks")) {
        if (strcmp(cmp_str(t, "id"), cur_id) != 0) {
            *best = t;
            break;
        }
    }
    return 0;
}

/* Move the best tag to the current task.  tasks.update_tags (behind
 * host->clearml_update_tags) is atomic per task, so each call changes
 * only that tag and keeps every other; the add goes first so that a
 * failure in between leaves two best tasks (the next run takes the
 * newest) rather than none.  Under --dry-run it only says what it would
 * do.  Returns 0, or -1 with err filled. */
static int cmp_move_tag(const struct cmp_state *st, struct mlg_check *check,
                        const cJSON *cur, const cJSON *best,
                        const char *tag, int dry_run, struct mlg_error *err)
{
    const struct mlg_host *h = st->host;
    const char *tags[2];

    tags[0] = tag;
    tags[1] = NULL;
    if (dry_run) {
        h->detail(check, "\nDry run: would add tag **%s** to task `%s`",
                  h->md_escape(check, tag, MLG_MD_TEXT),
                  h->md_escape(check, cmp_str(cur, "id"), MLG_MD_TEXT));
        if (best != NULL)
            h->detail(check, " and remove it from task `%s`",
                      h->md_escape(check, cmp_str(best, "id"),
                                   MLG_MD_TEXT));
        h->detail(check, ".\n");
        return 0;
    }
    if (!cmp_has_tag(cur, tag)
        && h->clearml_update_tags(check, cmp_str(cur, "id"), tags, NULL,
                                  err) != 0)
        return -1;
    if (best != NULL
        && h->clearml_update_tags(check, cmp_str(best, "id"), NULL, tags,
                                  err) != 0)
        return -1;
    return 0;
}

/* "[name](url) (`id`)" for the details. */
static void cmp_task_link(const struct cmp_state *st,
                          struct mlg_check *check, const cJSON *t)
{
    const struct mlg_host *h = st->host;

    h->detail(check, "[%s](%s) (`%s`)",
              h->md_escape(check, cmp_str(t, "name"), MLG_MD_TEXT),
              h->clearml_task_url(check, cmp_str(t, "project"),
                                  cmp_str(t, "id"), NULL),
              h->md_escape(check, cmp_str(t, "id"), MLG_MD_TEXT));
}

/* Evaluate against an existing best task that reports the metric. */
static int cmp_against(const struct cmp_state *st, struct mlg_check *check,
                       const cJSON *cur, const cJSON *best, double vcur,
                       double vbest, const char *tag, int dry_run)
{
    const struct mlg_host *h = st->host;
    struct mlg_buf delta = {NULL, 0, 0};
    struct mlg_error err;
    int ok = cmp_ok(st, vcur, vbest);
    int status;

    memset(&err, 0, sizeof err);
    cmp_delta(&delta, vcur, vbest);
    h->detail(check, "| | Task | %s / %s |\n| --- | --- | ---: |\n"
              "| Current | ",
              h->md_escape(check, st->title, MLG_MD_CELL),
              h->md_escape(check, st->series, MLG_MD_CELL));
    cmp_task_link(st, check, cur);
    h->detail(check, " | %g |\n| Best | ", vcur);
    cmp_task_link(st, check, best);
    h->detail(check, " | %g |\n| Delta | | %s |\n\n", vbest, delta.p);
    if (st->tolerance != 0)
        h->detail(check, "Tolerance: %g%s; goal: %s.\n", st->tolerance,
                  st->tol_pct ? "%" : "", st->goal_min ? "min" : "max");
    if (!ok) {
        status = st->on_reg_warn ? MLG_WARN : MLG_FAIL;
        h->result(check, status, "regressed: %g vs best %g (%s); %s not "
                  "moved", vcur, vbest, delta.p, tag);
        h->detail(check, "\n**Regression**: the current task is worse "
                  "than the best task; tag **%s** was not moved.\n",
                  h->md_escape(check, tag, MLG_MD_TEXT));
    } else if (cmp_move_tag(st, check, cur, best, tag, dry_run, &err)
               != 0) {
        status = MLG_WARN;
        h->result(check, status, "%s / %s: %g vs best %g (%s) but moving "
                  "%s failed: %s", st->title, st->series, vcur, vbest,
                  delta.p, tag, err.message);
    } else {
        status = MLG_PASS;
        h->result(check, status, "%s / %s: %g vs best %g (%s) \xe2\x80\x94 "
                  "%s %s", st->title, st->series, vcur, vbest, delta.p, tag,
                  dry_run ? "would move" : "moved");
    }
    free(delta.p);
    return status;
}

/* Make the current task the best when there is no comparable best. */
static int cmp_crown(const struct cmp_state *st, struct mlg_check *check,
                     const cJSON *cur, const cJSON *best, double vcur,
                     const char *tag, int dry_run)
{
    const struct mlg_host *h = st->host;
    struct mlg_error err;
    int status = best != NULL ? MLG_WARN : MLG_PASS;

    memset(&err, 0, sizeof err);
    if (best == NULL && cmp_has_tag(cur, tag)) {
        h->result(check, MLG_PASS, "current task (%g) already carries %s; "
                  "no other task does", vcur, tag);
        h->detail(check, "Current task ");
        cmp_task_link(st, check, cur);
        h->detail(check, " already carries **%s**.\n",
                  h->md_escape(check, tag, MLG_MD_TEXT));
        return MLG_PASS;
    }
    h->detail(check, "Current task ");
    cmp_task_link(st, check, cur);
    h->detail(check, ": %s / %s = %g.\n\n",
              h->md_escape(check, st->title, MLG_MD_TEXT),
              h->md_escape(check, st->series, MLG_MD_TEXT), vcur);
    if (best != NULL) {
        h->detail(check, "The best task ");
        cmp_task_link(st, check, best);
        h->detail(check, " did not report this metric, so the current "
                  "task becomes the best.\n");
    } else {
        h->detail(check, "No task carries **%s** yet: the current task "
                  "becomes the first best.\n",
                  h->md_escape(check, tag, MLG_MD_TEXT));
    }
    if (cmp_move_tag(st, check, cur, best, tag, dry_run, &err) != 0) {
        h->result(check, MLG_WARN, "%s / %s = %g; tagging %s failed: %s",
                  st->title, st->series, vcur, tag, err.message);
        return MLG_WARN;
    }
    if (best != NULL)
        h->result(check, status, "best task %s (%.7s) lacks %s / %s; "
                  "current task (%g) %s %s", cmp_str(best, "name"),
                  cmp_str(best, "id"), st->title, st->series, vcur,
                  dry_run ? "would become" : "is now", tag);
    else
        h->result(check, status, "no previous %s task; current task (%g) "
                  "%s the first best", tag, vcur,
                  dry_run ? "would become" : "is now");
    return status;
}

/* ---- samples > 1: several seeds per side */

/* One side's runs: tasks borrowed from the host, values parallel. */
struct cmp_side {
    const cJSON *task[CMP_MAX_SAMPLES];
    double v[CMP_MAX_SAMPLES];
    size_t n;
    struct cmp_sample s;
};

static void cmp_side_add(const struct cmp_state *st, struct cmp_side *side,
                         const cJSON *t)
{
    size_t i;

    if (side->n >= (size_t)st->samples)
        return;
    for (i = 0; i < side->n; i++)
        if (strcmp(cmp_str(side->task[i], "id"), cmp_str(t, "id")) == 0)
            return;
    /* A run with a non-finite value is no sample (the chosen tasks
     * were checked before; the others are skipped). */
    if (cmp_value(st, t, &side->v[side->n]) == 0
        && isfinite(side->v[side->n]))
        side->task[side->n++] = t;
}

/* Up to `samples` runs of one commit: first (the task already chosen on
 * that side) and the newest other completed, clean, non-archived tasks
 * of the same name and project that report the metric; one
 * tasks.get_all.  An empty commit leaves first alone.  Returns 0, or -1
 * with err filled. */
static int cmp_side_get(const struct cmp_state *st, struct mlg_check *check,
                        const cJSON *first, const char *commit,
                        struct cmp_side *side, struct mlg_error *err)
{
    static const char *const fields[] = {
        "id", "name", "project", "tags", "last_metrics", "script.diff",
        "script.version_num"
    };
    cJSON *body, *all, *arr;
    const cJSON *data = NULL, *t;
    char *re;
    int rc;

    side->n = 0;
    cmp_side_add(st, side, first);
    if (*commit == '\0' || side->n == 0)
        goto done;
    body = cJSON_CreateObject();
    all = cJSON_AddObjectToObject(body, "_all_");
    arr = cJSON_AddArrayToObject(all, "fields");
    cJSON_AddItemToArray(arr, cJSON_CreateString("script.version_num"));
    re = mlg_regex_anchored(commit);
    cJSON_AddStringToObject(all, "pattern", re);
    free(re);
    re = mlg_regex_anchored(cmp_str(first, "name"));
    cJSON_AddStringToObject(body, "name", re);
    free(re);
    arr = cJSON_AddArrayToObject(body, "project");
    cJSON_AddItemToArray(arr, cJSON_CreateString(cmp_str(first,
                                                         "project")));
    arr = cJSON_AddArrayToObject(body, "status");
    cJSON_AddItemToArray(arr, cJSON_CreateString("completed"));
    arr = cJSON_AddArrayToObject(body, "system_tags");
    cJSON_AddItemToArray(arr, cJSON_CreateString("-archived"));
    arr = cJSON_AddArrayToObject(body, "order_by");
    cJSON_AddItemToArray(arr, cJSON_CreateString("-last_update"));
    cJSON_AddItemToObject(body, "only_fields",
                          cJSON_CreateStringArray(fields, 7));
    /* Room for dirty runs, which are skipped. */
    cJSON_AddNumberToObject(body, "page_size", (double)st->samples * 2 + 2);
    rc = st->host->clearml_call(check, "tasks.get_all", body, &data, err);
    cJSON_Delete(body);
    if (rc != 0)
        return -1;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(data, "tasks")) {
        const cJSON *script = cJSON_GetObjectItemCaseSensitive(t, "script");

        if (*cmp_str(script, "diff") == '\0'
            && strcmp(cmp_str(script, "version_num"), commit) == 0)
            cmp_side_add(st, side, t);
    }
done:
    cmp_stats_describe(side->v, side->n, &side->s);
    return 0;
}

/* "90.06 (n=5, sd 0.27, 95% CI 89.72..90.4)" */
static void cmp_side_text(struct mlg_buf *b, const struct cmp_side *side)
{
    mlg_buf_printf(b, "%.4g (n=%zu", side->s.mean, side->n);
    if (side->n > 1)
        mlg_buf_printf(b, ", sd %.3g, 95%% CI %.4g..%.4g", side->s.sd,
                       side->s.ci_lo, side->s.ci_hi);
    mlg_buf_printf(b, ")");
}

static void cmp_side_row(const struct cmp_state *st, struct mlg_check *check,
                         const char *label, const struct cmp_side *side)
{
    const struct mlg_host *h = st->host;
    size_t i;

    h->detail(check, "| %s | %zu | %g |", label, side->n, side->s.mean);
    if (side->n > 1)
        h->detail(check, " %.3g | %.4g .. %.4g |", side->s.sd,
                  side->s.ci_lo, side->s.ci_hi);
    else
        h->detail(check, " n/a | n/a |");
    for (i = 0; i < side->n; i++)
        h->detail(check, "%s%g", i ? ", " : " ", side->v[i]);
    h->detail(check, " |\n");
}

/* Every run of both sides in one Mermaid chart: baseline runs in blue,
 * head runs in red (the palette of the init directive, in line order),
 * over the union of iterations. */
static void cmp_chart_runs(const struct cmp_state *st,
                           struct mlg_check *check,
                           const struct cmp_curve *c, size_t nb, size_t n)
{
    const struct mlg_host *h = st->host;
    struct mlg_buf b = {NULL, 0, 0};
    double *xs;
    size_t nx = 0, i, j, k, npts, idx, total = 0, drawn = 0;

    for (k = 0; k < n; k++)
        total += c[k].n;
    xs = mlg_xrealloc(NULL, (total ? total : 1) * sizeof *xs);
    for (k = 0; k < n; k++) {
        memcpy(xs + nx, c[k].x, c[k].n * sizeof *xs);
        nx += c[k].n;
    }
    qsort(xs, nx, sizeof *xs, cmp_dbl_cmp);
    for (i = 0, j = 0; i < nx; i++)
        if (j == 0 || xs[i] != xs[j - 1])
            xs[j++] = xs[i];
    nx = j;
    npts = nx < CMP_CHART_POINTS ? nx : CMP_CHART_POINTS;
    if (npts < 2) {
        h->detail(check, "\nToo few points to chart the runs.\n");
        free(xs);
        return;
    }
    mlg_buf_printf(&b, "\n```mermaid\n%%%%{init: {\"themeVariables\": "
                   "{\"xyChart\": {\"plotColorPalette\": \"");
    for (k = 0; k < n; k++) {
        if (c[k].n == 0)
            continue;
        mlg_buf_printf(&b, "%s%s", drawn++ ? ", " : "",
                       k < nb ? CMP_BASE_COLOUR : CMP_HEAD_COLOUR);
    }
    mlg_buf_printf(&b, "\"}}}}%%%%\nxychart-beta\n    title \"");
    cmp_mermaid_text(&b, st->title);
    mlg_buf_printf(&b, " / ");
    cmp_mermaid_text(&b, st->series);
    mlg_buf_printf(&b, "\"\n    x-axis \"iteration\" [");
    for (i = 0; i < npts; i++) {
        idx = npts == nx ? i : i * (nx - 1) / (npts - 1);
        mlg_buf_printf(&b, "%s\"%g\"", i ? ", " : "", xs[idx]);
    }
    mlg_buf_printf(&b, "]\n    y-axis \"value\"\n");
    for (k = 0; k < n; k++) {
        if (c[k].n == 0)
            continue;
        mlg_buf_printf(&b, "    line [");
        for (i = 0; i < npts; i++) {
            idx = npts == nx ? i : i * (nx - 1) / (npts - 1);
            mlg_buf_printf(&b, "%s", i ? ", " : "");
            cmp_plain(&b, cmp_at(&c[k], xs[idx]));
        }
        mlg_buf_printf(&b, "]\n");
    }
    mlg_buf_printf(&b, "```\n\nBlue: baseline runs (%zu); red: head runs "
                   "(%zu). A line holds its last value past its task's "
                   "last iteration.\n", nb, n - nb);
    h->detail(check, "%s", b.p);
    free(b.p);
    free(xs);
}

/* Fetch every run's curve (one request for all where the server
 * allows) and chart them; a failed fetch drops that run from the chart
 * only. */
static void cmp_charts_runs(const struct cmp_state *st,
                           struct mlg_check *check,
                           const struct cmp_side *base,
                           const struct cmp_side *head)
{
    struct cmp_curve c[2 * CMP_MAX_SAMPLES];
    const char *ids[2 * CMP_MAX_SAMPLES] = {NULL};
    int ok[2 * CMP_MAX_SAMPLES];
    struct mlg_error err;
    size_t k, n = base->n + head->n, failed;

    for (k = 0; k < n; k++)
        ids[k] = cmp_str(k < base->n ? base->task[k]
                                     : head->task[k - base->n], "id");
    memset(&err, 0, sizeof err);
    /* A failed fetch leaves an empty curve in its slot. */
    failed = cmp_curves_get(st, check, ids, n, c, ok, &err);
    if (failed > 0)
        st->host->detail(check, "\n%zu run%s could not be read and %s "
                         "not charted.\n", failed, failed == 1 ? "" : "s",
                         failed == 1 ? "is" : "are");
    cmp_chart_runs(st, check, c, base->n, n);
    for (k = 0; k < n; k++) {
        free(c[k].x);
        free(c[k].y);
    }
}

/* The verdict over several runs per side.  FAIL (or WARN with
 * on-regression = warn) only when the mean is worse beyond the tolerance
 * and Welch's test says so at alpha; WARN "inconclusive" when it is
 * worse beyond the tolerance without significance; PASS otherwise.  The
 * tag moves only on a significant improvement. */
static int cmp_noise(const struct cmp_state *st, struct mlg_check *check,
                     const cJSON *cur, const cJSON *best, const char *tag,
                     const char *head_sha, int dry_run)
{
    const struct mlg_host *h = st->host;
    struct cmp_side *head = mlg_xrealloc(NULL, sizeof *head);
    struct cmp_side *base = mlg_xrealloc(NULL, sizeof *base);
    struct mlg_buf hb = {NULL, 0, 0}, bb = {NULL, 0, 0}, delta = {NULL, 0,
                                                                   0};
    struct mlg_error err;
    double t = 0, df = 0, p = NAN, gain;
    int tested, ok, sig, status;
    const char *base_sha = cmp_str(cJSON_GetObjectItemCaseSensitive(best,
                                   "script"), "version_num");

    memset(&err, 0, sizeof err);
    if (cmp_side_get(st, check, cur, head_sha, head, &err) != 0
        || cmp_side_get(st, check, best, base_sha, base, &err) != 0) {
        h->result(check, MLG_ERROR, "sample lookup failed: %s",
                  err.message);
        free(head);
        free(base);
        return MLG_ERROR;
    }
    tested = cmp_stats_welch(&head->s, &base->s, &t, &df, &p) == 0;
    ok = cmp_ok(st, head->s.mean, base->s.mean);
    sig = tested && p < st->alpha;
    gain = st->goal_min ? base->s.mean - head->s.mean
                        : head->s.mean - base->s.mean;
    cmp_side_text(&hb, head);
    cmp_side_text(&bb, base);
    cmp_delta(&delta, head->s.mean, base->s.mean);

    h->detail(check, "| | Runs | Mean | SD | 95%% CI | %s / %s |\n"
              "| --- | ---: | ---: | ---: | --- | --- |\n",
              h->md_escape(check, st->title, MLG_MD_CELL),
              h->md_escape(check, st->series, MLG_MD_CELL));
    cmp_side_row(st, check, "Head", head);
    cmp_side_row(st, check, "Baseline", base);
    h->detail(check, "\nDifference of the means: %s. ", delta.p);
    if (tested)
        h->detail(check, "Welch two-sample t-test: t = %.4g, df = %.4g, "
                  "p = %.4g (alpha %g).\n", t, df, p, st->alpha);
    else
        h->detail(check, "Welch's t-test needs at least 2 runs with some "
                  "spread on each side.\n");
    h->detail(check, "Head runs: commit `%s`; baseline runs: commit `%s` "
              "of ", head_sha,
              h->md_escape(check, *base_sha ? base_sha : "(unknown)",
                           MLG_MD_TEXT));
    cmp_task_link(st, check, best);
    h->detail(check, ". Tolerance: %g%s; goal: %s.\n", st->tolerance,
              st->tol_pct ? "%" : "", st->goal_min ? "min" : "max");

    if (!ok && sig) {
        status = st->on_reg_warn ? MLG_WARN : MLG_FAIL;
        h->result(check, status, "regressed: %s vs %s, %s, p=%.3g < %g; "
                  "%s not moved", hb.p, bb.p, delta.p, p, st->alpha, tag);
        h->detail(check, "\n**Regression**, significant at %g; tag **%s** "
                  "was not moved.\n", st->alpha,
                  h->md_escape(check, tag, MLG_MD_TEXT));
    } else if (!ok) {
        status = MLG_WARN;
        if (tested)
            h->result(check, status, "inconclusive: %s vs %s, %s, p=%.3g "
                      ">= %g; %s not moved", hb.p, bb.p, delta.p, p,
                      st->alpha, tag);
        else
            h->result(check, status, "inconclusive: %s vs %s, %s, no "
                      "t-test; %s not moved", hb.p, bb.p, delta.p, tag);
        h->detail(check, "\n**Inconclusive**: worse beyond the tolerance "
                  "but not significant; more runs per side would "
                  "decide. Tag **%s** was not moved.\n",
                  h->md_escape(check, tag, MLG_MD_TEXT));
    } else if (gain > 0 && sig) {
        if (cmp_move_tag(st, check, cur, best, tag, dry_run, &err) != 0) {
            status = MLG_WARN;
            h->result(check, status, "improved: %s vs %s, p=%.3g, but "
                      "moving %s failed: %s", hb.p, bb.p, p, tag,
                      err.message);
        } else {
            status = MLG_PASS;
            h->result(check, status, "improved: %s vs %s, %s, p=%.3g "
                      "\xe2\x80\x94 %s %s", hb.p, bb.p, delta.p, p, tag,
                      dry_run ? "would move" : "moved");
        }
    } else {
        status = MLG_PASS;
        if (tested)
            h->result(check, status, "no significant change: %s vs %s, "
                      "%s, p=%.3g; %s not moved", hb.p, bb.p, delta.p, p,
                      tag);
        else
            h->result(check, status, "no significant change: %s vs %s, "
                      "%s, no t-test; %s not moved", hb.p, bb.p, delta.p,
                      tag);
    }
    cmp_charts_runs(st, check, base, head);
    free(hb.p);
    free(bb.p);
    free(delta.p);
    free(head);
    free(base);
    return status;
}

static int cmp_init(const struct mlg_host *host, struct mlg_check *check,
                    void **state, char *err)
{
    struct cmp_state *st;
    const char *metric = host->opt_str(check, "metric");
    const char *tol = host->opt_str(check, "tolerance");
    const char *goal = host->opt_str(check, "goal");
    const char *value = host->opt_str(check, "value");
    const char *onreg = host->opt_str(check, "on-regression");
    const char *tag = host->opt_str(check, "best-tag");
    const char *sep = metric != NULL ? strstr(metric, " / ") : NULL;
    size_t seplen = 3;
    char *end;

    if (sep == NULL && metric != NULL) {
        seplen = 1;
        sep = strchr(metric, '/');
    }
    if (sep == NULL) {
        snprintf(err, MLG_ERROR_SIZE,
                 "metric: expected \"Title / Series\", got \"%s\"",
                 metric != NULL ? metric : "");
        return -1;
    }
    if (tag == NULL || *tag == '\0') {
        snprintf(err, MLG_ERROR_SIZE, "best-tag: must not be empty");
        return -1;
    }
    st = mlg_xrealloc(NULL, sizeof *st);
    memset(st, 0, sizeof *st);
    st->host = host;
    st->title = cmp_trimdup(metric, (size_t)(sep - metric));
    st->series = cmp_trimdup(sep + seplen, strlen(sep + seplen));
    st->goal_min = goal != NULL && strcmp(goal, "min") == 0;
    st->use_last = value != NULL && strcmp(value, "last") == 0;
    st->on_reg_warn = onreg != NULL && strcmp(onreg, "warn") == 0;
    if (*st->title == '\0' || *st->series == '\0') {
        snprintf(err, MLG_ERROR_SIZE,
                 "metric: expected \"Title / Series\", got \"%s\"", metric);
        goto fail;
    }
    st->tolerance = strtod(tol != NULL ? tol : "0", &end);
    if (end != NULL && *end == '%') {
        st->tol_pct = 1;
        end++;
    }
    while (end != NULL && (*end == ' ' || *end == '\t'))
        end++;
    /* Bounded so cur/best arithmetic cannot overflow to inf. */
    if (tol == NULL || end == tol || *end != '\0' || !isfinite(st->tolerance)
        || st->tolerance < 0 || st->tolerance > 1e9) {
        snprintf(err, MLG_ERROR_SIZE,
                 "tolerance: expected a number from 0 to 1e9 or N%%, got "
                 "\"%s\"",
                 tol != NULL ? tol : "");
        goto fail;
    }
    st->samples = host->opt_int(check, "samples", 1);
    st->alpha = host->opt_number(check, "alpha", 0.05);
    if (st->samples < 1 || st->samples > CMP_MAX_SAMPLES) {
        snprintf(err, MLG_ERROR_SIZE, "samples: expected 1 to %d, got %lld",
                 CMP_MAX_SAMPLES, host->opt_int(check, "samples", 1));
        goto fail;
    }
    if (!(st->alpha > 0 && st->alpha < 1)) {
        snprintf(err, MLG_ERROR_SIZE, "alpha: expected a number between 0 "
                 "and 1, got %g", st->alpha);
        goto fail;
    }
    *state = st;
    return 0;
fail:
    free(st->title);
    free(st->series);
    free(st);
    return -1;
}

/* A server's value the JSON parser read as infinity (1e400) or NaN
 * would pass or poison every comparison after it: the check errors and
 * no tag moves. */
static int cmp_not_finite(struct cmp_state *st, struct mlg_check *check,
                          const cJSON *task, double v)
{
    const struct mlg_host *h = st->host;

    h->result(check, MLG_ERROR, "metric %s / %s of task %s (%.7s) is not a "
              "finite number (%s); no tag moved", st->title, st->series,
              cmp_str(task, "name"), cmp_str(task, "id"),
              isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
    return MLG_ERROR;
}

static int cmp_run(void *state, struct mlg_check *check)
{
    struct cmp_state *st = state;
    const struct mlg_host *h = st->host;
    const struct mlg_context *ctx = h->context(check);
    const char *project = h->opt_scope(check, "project");
    const char *task_name = h->opt_scope(check, "task-name");
    const char *tag = h->opt_str(check, "best-tag");
    struct mlg_task_found f = MLG_TASK_FOUND_INIT;
    struct mlg_error err;
    const cJSON *best = NULL;
    double vcur = 0, vbest = 0;
    int status;

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
        return mlg_explain_not_found(h, check, ctx->head_sha, &f, project,
                                     task_name);
    h->output(check, "task-id", cmp_str(f.task, "id"));
    if (strcmp(cmp_str(f.task, "status"), "completed") != 0) {
        h->result(check, MLG_WARN,
                  "Task is in %s status, this should not happen!",
                  cmp_str(f.task, "status"));
        return MLG_WARN;
    }
    if (cmp_value(st, f.task, &vcur) != 0) {
        char *all = cmp_metric_list(f.task, 0);
        char *some = cmp_metric_list(f.task, CMP_SUMMARY_METRICS);

        h->result(check, MLG_FAIL, "metric %s / %s not reported by task "
                  "%s (%.7s); it has: %s", st->title, st->series,
                  cmp_str(f.task, "name"), cmp_str(f.task, "id"), some);
        h->detail(check, "Task ");
        cmp_task_link(st, check, f.task);
        h->detail(check, " did not report **%s / %s**.\n\nMetrics it "
                  "reported: %s\n",
                  h->md_escape(check, st->title, MLG_MD_TEXT),
                  h->md_escape(check, st->series, MLG_MD_TEXT),
                  h->md_escape(check, all, MLG_MD_TEXT));
        free(all);
        free(some);
        return MLG_FAIL;
    }
    if (!isfinite(vcur))
        return cmp_not_finite(st, check, f.task, vcur);
    if (cmp_find_best(st, check, f.task, tag, project, task_name, &best,
                      &err) != 0) {
        h->result(check, MLG_ERROR, "best task lookup failed: %s",
                  err.message);
        return MLG_ERROR;
    }
    if (best != NULL) {
        h->output(check, "best-task-id", cmp_str(best, "id"));
        h->detail(check, "Metric **%s / %s**, goal %s, value %s.\n\n",
                  h->md_escape(check, st->title, MLG_MD_TEXT),
                  h->md_escape(check, st->series, MLG_MD_TEXT),
                  st->goal_min ? "min" : "max",
                  st->use_last ? "last" : "best reached");
    }
    if (best != NULL && cmp_value(st, best, &vbest) == 0 &&
        !isfinite(vbest))
        return cmp_not_finite(st, check, best, vbest);
    if (best != NULL && st->samples > 1 && cmp_value(st, best, &vbest) == 0)
        return cmp_noise(st, check, f.task, best, tag, ctx->head_sha,
                         ctx->dry_run);
    if (best != NULL && cmp_value(st, best, &vbest) == 0)
        status = cmp_against(st, check, f.task, best, vcur, vbest, tag,
                             ctx->dry_run);
    else
        status = cmp_crown(st, check, f.task, best, vcur, tag,
                           ctx->dry_run);
    cmp_charts(st, check, cmp_str(f.task, "id"),
               best != NULL ? cmp_str(best, "id") : NULL);
    return status;
}

static void cmp_fini(void *state)
{
    struct cmp_state *st = state;

    free(st->title);
    free(st->series);
    free(st);
}

static const struct mlg_plugin cmp_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin),
    MLG_PLUGIN_NEEDS_CLEARML | MLG_PLUGIN_USES_HEAD_TASK,
    "compare", CMP_VERSION,
    "compare a scalar with the best task and move the best tag",
    cmp_options,
    cmp_init, cmp_run, cmp_fini,
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    MLG_PLUGIN_TAIL(3) /* head_task is 1.3 */
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &cmp_plugin;
}
