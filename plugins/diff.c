/*
 * diff.c - the diff check: every scalar, hyperparameter, configuration
 * item and requirement pin of the task that ran the PR head, against a
 * baseline task (the one carrying the best tag, or the newest clean task
 * of a branch).  Informational unless warn-on/fail-on name thresholds;
 * never writes to ClearML.
 *
 * Field shapes (clearml-server apiserver/schema/services/_tasks_common.conf,
 * included by tasks.conf): hyperparams is section -> name -> params_item
 * {section, name, value, type, description}; configuration is name ->
 * configuration_item {name, value, type, description}; script.requirements
 * is "a JSON object containing requirements strings by key" ({"pip": ...}).
 */
#include <config.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "mlgate/plugin.h"
#include "mlgate/plugin-util.h"

#define DIFF_VERSION "1.0"
#define DIFF_MONITOR_PREFIX ":monitor:"
#define DIFF_SHORT 60          /* code points shown in a table cell */
#define DIFF_ELLIPSIS "\xe2\x80\xa6"
#define DIFF_ZWSP "\xe2\x80\x8b"
#define DIFF_BRANCH_PAGE 20    /* clean-task candidates of a branch */

/* A threshold from warn-on/fail-on: "val/loss > +2%". */
struct diff_rule {
    char *text;    /* the rule as written, for messages */
    char *metric;  /* "Title/Series", "Title / Series", a title or series */
    int op;        /* '>', '<', 'G' (>=), 'L' (<=) */
    double limit;
    int pct;       /* limit is a relative change in percent */
    int fail;      /* from fail-on (else warn-on) */
};

struct diff_state {
    const struct mlg_host *host;
    double highlight;
    int hl_pct;
    int monitoring;
    char *branch;             /* baseline = branch:NAME, else NULL */
    struct diff_rule *rules;
    size_t nrules;
};

/* One metric; strings borrowed from the task trees. */
struct diff_metric {
    const char *title;
    const char *series;
    int has_b, has_h;
    double b, h;
    double rel;   /* |h - b| / |b|, INFINITY when b is 0 and h is not */
};

/* One hyperparameter or configuration item; old/new owned (NULL when
 * absent on that side). */
struct diff_param {
    int config;          /* configuration item (else hyperparams) */
    const char *section; /* borrowed; "" for configuration */
    const char *name;    /* borrowed */
    char *old;
    char *cur;
};

/* One pip requirement; owned strings. */
struct diff_pin {
    char *name;
    char *old;
    char *cur;
};

static const struct mlg_option diff_options[] = {
    {"project", MLG_OPT_STRING, NULL,
     "ClearML project scope (default: [clearml] project; empty: all)", 0,
     NULL},
    {"task-name", MLG_OPT_STRING, NULL,
     "exact task name scope (default: [clearml] task-name; empty: any)", 0,
     NULL},
    {"baseline", MLG_OPT_STRING, "best-tag",
     "baseline task: best-tag, or branch:NAME (newest clean task of NAME)",
     0, NULL},
    {"best-tag", MLG_OPT_STRING, "Best Performance",
     "tag that marks the baseline task with baseline = best-tag", 0, NULL},
    {"highlight", MLG_OPT_STRING, "1%",
     "mark metric changes beyond this: relative (\"1%\") or absolute", 0,
     NULL},
    {"warn-on", MLG_OPT_STRING, NULL,
     "WARN when a metric change passes a threshold: \"loss > +2%, acc < "
     "-0.5\"", 0, NULL},
    {"fail-on", MLG_OPT_STRING, NULL,
     "FAIL when a metric change passes a threshold (as warn-on)", 0, NULL},
    {"monitoring", MLG_OPT_BOOL, "no",
     "also compare the :monitor: machine scalars", 0, NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static char *diff_strndup(const char *s, size_t n)
{
    char *r = mlg_xrealloc(NULL, n + 1);

    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

/* Copy of s[0..n) without surrounding blanks.  Caller frees. */
static char *diff_trimdup(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return diff_strndup(s, n);
}

static const char *diff_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring
                                                        : "";
}

/* "N%" (relative) or "N" (absolute), N >= 0.  Returns 0 or -1. */
static int diff_parse_amount(const char *s, double *v, int *pct)
{
    char *end;

    *pct = 0;
    if (s == NULL)
        return -1;
    *v = strtod(s, &end);
    if (end == s || !isfinite(*v))
        return -1;
    if (*end == '%') {
        *pct = 1;
        end++;
    }
    while (*end == ' ' || *end == '\t')
        end++;
    return *end == '\0' ? 0 : -1;
}

/* Parse "metric OP [+-]N[%]" rules separated by commas into st->rules.
 * Returns 0, or -1 with err filled. */
static int diff_parse_rules(struct diff_state *st, const char *key,
                            const char *list, int fail, char *err)
{
    const char *p = list, *end;

    if (list == NULL)
        return 0;
    for (; *p != '\0'; p = *end ? end + 1 : end) {
        struct diff_rule r;
        const char *op = NULL, *q;
        char *num;
        size_t n;

        end = p + strcspn(p, ",");
        n = (size_t)(end - p);
        for (q = p; q < end; q++)
            if (*q == '<' || *q == '>')
                op = q; /* the last one: metric names may hold < or > */
        memset(&r, 0, sizeof r);
        r.text = diff_trimdup(p, n);
        if (*r.text == '\0') {
            free(r.text);
            continue;
        }
        if (op == NULL)
            goto bad;
        r.op = *op;
        r.metric = diff_trimdup(p, (size_t)(op - p));
        if (op + 1 < end && op[1] == '=') {
            r.op = *op == '>' ? 'G' : 'L';
            op++;
        }
        num = diff_trimdup(op + 1, (size_t)(end - op - 1));
        r.fail = fail;
        if (*r.metric == '\0'
            || diff_parse_amount(num, &r.limit, &r.pct) != 0) {
            free(num);
            goto bad;
        }
        free(num);
        st->rules = mlg_xrealloc(st->rules,
                                  (st->nrules + 1) * sizeof *st->rules);
        st->rules[st->nrules++] = r;
        continue;
bad:
        snprintf(err, MLG_ERROR_SIZE, "%s: expected \"METRIC > N\" or "
                 "\"METRIC < N%%\" items separated by commas, got \"%s\"",
                 key, r.text);
        free(r.text);
        free(r.metric);
        return -1;
    }
    return 0;
}

/* ---- text from tasks: hostile, shortened, mention-proof */

/* Byte length of the first max code points of s (all of it when
 * shorter); *cut says whether anything was left out. */
static size_t diff_prefix(const char *s, size_t max, int *cut)
{
    size_t i = 0, cps = 0;

    while (s[i] != '\0' && cps < max) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        cps++;
    }
    *cut = s[i] != '\0';
    return i;
}

/* s shortened to max code points (0 = whole) with a visible ellipsis,
 * and a zero-width space after each '@' so that "@team" in a task cannot
 * notify anyone.  Caller frees. */
static char *diff_plain(const char *s, size_t max)
{
    int cut = 0;
    size_t n = max ? diff_prefix(s, max, &cut) : strlen(s), i, k = 0;
    char *r = mlg_xrealloc(NULL, n * 4 + sizeof DIFF_ELLIPSIS);

    for (i = 0; i < n; i++) {
        r[k++] = s[i];
        if (s[i] == '@') {
            memcpy(r + k, DIFF_ZWSP, 3);
            k += 3;
        }
    }
    if (cut) {
        memcpy(r + k, DIFF_ELLIPSIS, 3);
        k += 3;
    }
    r[k] = '\0';
    return r;
}

/* Task text for Markdown in the given mode, shortened to max code points
 * (0 = whole).  Host-owned, valid until run() returns. */
static const char *diff_md(const struct diff_state *st,
                           struct mlg_check *check, const char *s,
                           size_t max, int mode)
{
    char *p = diff_plain(s, max);
    const char *r = st->host->md_escape(check, p, mode);

    free(p);
    return r;
}

/* ---- metrics */

static int diff_wanted(const struct diff_state *st, const char *title)
{
    return st->monitoring
           || strncmp(title, DIFF_MONITOR_PREFIX,
                      strlen(DIFF_MONITOR_PREFIX)) != 0;
}

/* Add the last values of task's last_metrics to rows (one side); a
 * value the JSON parser read as infinity or NaN is no value and is
 * counted in *bad. */
static void diff_collect(const struct diff_state *st, const cJSON *task,
                         int head, struct diff_metric **rows, size_t *n,
                         size_t *bad)
{
    const cJSON *lm = cJSON_GetObjectItemCaseSensitive(task, "last_metrics");
    const cJSON *per_title, *ev;
    size_t i;

    cJSON_ArrayForEach(per_title, lm) {
        cJSON_ArrayForEach(ev, per_title) {
            const char *title = diff_str(ev, "metric");
            const char *series = diff_str(ev, "variant");
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, "value");
            struct diff_metric *m = NULL;

            if (!cJSON_IsNumber(v) || !diff_wanted(st, title))
                continue;
            if (!isfinite(v->valuedouble)) {
                (*bad)++;
                continue;
            }
            for (i = 0; i < *n && m == NULL; i++)
                if (strcmp((*rows)[i].title, title) == 0
                    && strcmp((*rows)[i].series, series) == 0)
                    m = &(*rows)[i];
            if (m == NULL) {
                *rows = mlg_xrealloc(*rows, (*n + 1) * sizeof **rows);
                m = &(*rows)[(*n)++];
                memset(m, 0, sizeof *m);
                m->title = title;
                m->series = series;
            }
            if (head && !m->has_h) {
                m->has_h = 1;
                m->h = v->valuedouble;
            } else if (!head && !m->has_b) {
                m->has_b = 1;
                m->b = v->valuedouble;
            }
        }
    }
}

/* Both sides first, by size of the relative change (then absolute), then
 * added, then removed; names break ties. */
static int diff_metric_cmp(const void *a, const void *b)
{
    const struct diff_metric *x = a, *y = b;
    int gx = x->has_b && x->has_h ? 0 : x->has_h ? 1 : 2;
    int gy = y->has_b && y->has_h ? 0 : y->has_h ? 1 : 2;
    int c;

    if (gx != gy)
        return gx - gy;
    if (gx == 0) {
        double dx = fabs(x->h - x->b), dy = fabs(y->h - y->b);

        if (x->rel != y->rel)
            return x->rel > y->rel ? -1 : 1;
        if (dx != dy)
            return dx > dy ? -1 : 1;
    }
    c = strcmp(x->title, y->title);
    return c != 0 ? c : strcmp(x->series, y->series);
}

static int diff_beyond(const struct diff_state *st,
                       const struct diff_metric *m)
{
    if (!m->has_b || !m->has_h)
        return 0;
    return st->hl_pct ? m->rel * 100.0 > st->highlight
                      : fabs(m->h - m->b) > st->highlight;
}

/* Relative change in percent, signed; +-INFINITY from a zero baseline. */
static double diff_pct(const struct diff_metric *m)
{
    double d = m->h - m->b;

    if (m->b == 0)
        return d == 0 ? 0 : d > 0 ? INFINITY : -INFINITY;
    return d / fabs(m->b) * 100.0;
}

static void diff_metrics_table(const struct diff_state *st,
                               struct mlg_check *check,
                               const struct diff_metric *rows, size_t n)
{
    const struct mlg_host *h = st->host;
    size_t i;

    if (n == 0) {
        h->detail(check, "Neither task reported scalars.\n\n");
        return;
    }
    h->detail(check, "#### Metrics (last values)\n\n"
              "| Metric | Baseline | Head | Change | Change %% | |\n"
              "| --- | ---: | ---: | ---: | ---: | :---: |\n");
    for (i = 0; i < n; i++) {
        const struct diff_metric *m = &rows[i];
        int hl = diff_beyond(st, m);

        h->detail(check, "| %s / %s |",
                  diff_md(st, check, m->title, DIFF_SHORT, MLG_MD_CELL),
                  diff_md(st, check, m->series, DIFF_SHORT, MLG_MD_CELL));
        if (!m->has_b) {
            h->detail(check, " \xe2\x80\x94 | %g | added | | \xe2\x9c\x9a "
                      "|\n", m->h);
            continue;
        }
        if (!m->has_h) {
            h->detail(check, " %g | \xe2\x80\x94 | removed | | \xe2\x9c\x96 "
                      "|\n", m->b);
            continue;
        }
        h->detail(check, " %g | %g | %+g |", m->b, m->h, m->h - m->b);
        if (m->b == 0)
            h->detail(check, " %s |", m->h == m->b ? "0%" : "n/a");
        else
            h->detail(check, " %s%+.2f%%%s |", hl ? "**" : "",
                      diff_pct(m), hl ? "**" : "");
        h->detail(check, " %s |\n",
                  m->h > m->b ? "\xe2\x96\xb2" /* up */
                  : m->h < m->b ? "\xe2\x96\xbc" /* down */ : "=");
    }
    h->detail(check, "\n");
}

/* ---- hyperparameters and configuration */

/* A parameter value as text: strings as they are, anything else as
 * JSON.  Caller frees. */
static char *diff_value(const cJSON *item)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, "value");
    char *r;

    if (cJSON_IsString(v) && v->valuestring != NULL)
        return diff_strndup(v->valuestring, strlen(v->valuestring));
    if (v == NULL || cJSON_IsNull(v))
        return diff_strndup("", 0);
    r = cJSON_PrintUnformatted(v);
    if (r == NULL)
        abort();
    return r;
}

static void diff_param_put(struct diff_param **ps, size_t *n, int config,
                           const char *section, const char *name,
                           const cJSON *item, int head)
{
    struct diff_param *p = NULL;
    size_t i;

    for (i = 0; i < *n && p == NULL; i++)
        if ((*ps)[i].config == config
            && strcmp((*ps)[i].section, section) == 0
            && strcmp((*ps)[i].name, name) == 0)
            p = &(*ps)[i];
    if (p == NULL) {
        *ps = mlg_xrealloc(*ps, (*n + 1) * sizeof **ps);
        p = &(*ps)[(*n)++];
        memset(p, 0, sizeof *p);
        p->config = config;
        p->section = section;
        p->name = name;
    }
    if (head && p->cur == NULL)
        p->cur = diff_value(item);
    else if (!head && p->old == NULL)
        p->old = diff_value(item);
}

/* Add one side's hyperparams and configuration to ps.  Keys are the
 * object keys (the server's), which is what the UI shows. */
static void diff_params(const cJSON *task, int head, struct diff_param **ps,
                        size_t *n)
{
    const cJSON *hp = cJSON_GetObjectItemCaseSensitive(task, "hyperparams");
    const cJSON *cf = cJSON_GetObjectItemCaseSensitive(task,
                                                       "configuration");
    const cJSON *sec, *item;

    cJSON_ArrayForEach(sec, hp) {
        if (!cJSON_IsObject(sec) || sec->string == NULL)
            continue;
        cJSON_ArrayForEach(item, sec) {
            if (cJSON_IsObject(item) && item->string != NULL)
                diff_param_put(ps, n, 0, sec->string, item->string, item,
                               head);
        }
    }
    cJSON_ArrayForEach(item, cf) {
        if (cJSON_IsObject(item) && item->string != NULL)
            diff_param_put(ps, n, 1, "", item->string, item, head);
    }
}

static int diff_param_cmp(const void *a, const void *b)
{
    const struct diff_param *x = a, *y = b;
    int c;

    if (x->config != y->config)
        return x->config - y->config;
    c = strcmp(x->section, y->section);
    return c != 0 ? c : strcmp(x->name, y->name);
}

static int diff_changed(const char *old, const char *cur)
{
    return old == NULL || cur == NULL || strcmp(old, cur) != 0;
}

static int diff_long(const char *s)
{
    int cut = 0;

    if (s != NULL)
        diff_prefix(s, DIFF_SHORT, &cut);
    return cut;
}

/* A value cell: shortened, "(empty)" or an em dash when absent. */
static void diff_value_cell(const struct diff_state *st,
                            struct mlg_check *check, const char *v)
{
    if (v == NULL)
        st->host->detail(check, " \xe2\x80\x94 |");
    else if (*v == '\0')
        st->host->detail(check, " *(empty)* |");
    else
        st->host->detail(check, " %s |",
                         diff_md(st, check, v, DIFF_SHORT, MLG_MD_CELL));
}

/* A full value in a fenced block (a fence inside cannot close it: the
 * host's code mode breaks such lines). */
static void diff_full(const struct diff_state *st, struct mlg_check *check,
                      const char *label, const char *v)
{
    if (v == NULL) {
        st->host->detail(check, "%s: absent\n\n", label);
        return;
    }
    st->host->detail(check, "%s:\n\n```text\n%s\n```\n\n", label,
                     diff_md(st, check, v, 0, MLG_MD_CODE));
}

/* Returns the number of changed entries. */
static size_t diff_params_table(const struct diff_state *st,
                                struct mlg_check *check,
                                struct diff_param *ps, size_t n,
                                size_t *unchanged)
{
    const struct mlg_host *h = st->host;
    size_t i, changed = 0, longs = 0;

    if (n > 1)
        qsort(ps, n, sizeof *ps, diff_param_cmp);
    for (i = 0; i < n; i++) {
        if (diff_changed(ps[i].old, ps[i].cur)) {
            changed++;
            longs += diff_long(ps[i].old) || diff_long(ps[i].cur);
        }
    }
    *unchanged = n - changed;
    h->detail(check, "#### Hyperparameters and configuration\n\n");
    if (changed == 0) {
        h->detail(check, "No changes (%zu unchanged).\n\n", n);
        return 0;
    }
    h->detail(check, "| Section | Name | Change | Baseline | Head |\n"
              "| --- | --- | --- | --- | --- |\n");
    for (i = 0; i < n; i++) {
        struct diff_param *p = &ps[i];

        if (!diff_changed(p->old, p->cur))
            continue;
        if (p->config)
            h->detail(check, "| configuration |");
        else
            h->detail(check, "| hyperparams: %s |",
                      diff_md(st, check, p->section, DIFF_SHORT,
                              MLG_MD_CELL));
        h->detail(check, " %s | %s |",
                  diff_md(st, check, p->name, DIFF_SHORT, MLG_MD_CELL),
                  p->old == NULL ? "added"
                  : p->cur == NULL ? "removed" : "changed");
        diff_value_cell(st, check, p->old);
        diff_value_cell(st, check, p->cur);
        h->detail(check, "\n");
    }
    h->detail(check, "\n%zu unchanged.\n\n", *unchanged);
    if (longs == 0)
        return changed;
    h->detail(check, "<details><summary>Full values (%zu shortened)"
              "</summary>\n\n", longs);
    for (i = 0; i < n; i++) {
        struct diff_param *p = &ps[i];

        if (!diff_changed(p->old, p->cur)
            || !(diff_long(p->old) || diff_long(p->cur)))
            continue;
        h->detail(check, "**%s%s%s**\n\n",
                  p->config ? "configuration"
                            : diff_md(st, check, p->section, 0,
                                      MLG_MD_TEXT),
                  " / ", diff_md(st, check, p->name, 0, MLG_MD_TEXT));
        diff_full(st, check, "Baseline", p->old);
        diff_full(st, check, "Head", p->cur);
    }
    h->detail(check, "</details>\n\n");
    return changed;
}

/* ---- requirements */

/* The pins of a pip requirements text: "name<spec>" lines, comments,
 * blank lines and pip options skipped.  Returns the count; *out is the
 * caller's (names and specs owned). */
static size_t diff_pins(const char *pip, int head, struct diff_pin **out,
                        size_t n)
{
    const char *line = pip, *eol;

    for (; *line != '\0'; line = *eol ? eol + 1 : eol) {
        size_t len, nl, i;
        char *name, *spec, *hash;
        struct diff_pin *p = NULL;

        eol = line + strcspn(line, "\n");
        len = (size_t)(eol - line);
        spec = diff_trimdup(line, len);
        hash = strstr(spec, " #");
        if (hash != NULL)
            *hash = '\0';
        if (*spec == '\0' || *spec == '#' || *spec == '-') {
            free(spec);
            continue;
        }
        nl = strcspn(spec, " \t=<>!~;[@(\r");
        name = diff_strndup(spec, nl);
        memmove(spec, spec + nl, strlen(spec + nl) + 1);
        for (i = 0; i < n && p == NULL; i++)
            if (strcasecmp((*out)[i].name, name) == 0)
                p = &(*out)[i];
        if (p == NULL) {
            *out = mlg_xrealloc(*out, (n + 1) * sizeof **out);
            p = &(*out)[n++];
            memset(p, 0, sizeof *p);
            p->name = name;
        } else {
            free(name);
        }
        /* An unpinned package shows as "(any)". */
        if (*spec == '\0') {
            free(spec);
            spec = diff_strndup("(any)", 5);
        }
        if (head && p->cur == NULL)
            p->cur = spec;
        else if (!head && p->old == NULL)
            p->old = spec;
        else
            free(spec);
    }
    return n;
}

static int diff_pin_cmp(const void *a, const void *b)
{
    return strcasecmp(((const struct diff_pin *)a)->name,
                      ((const struct diff_pin *)b)->name);
}

/* Changed pins when both tasks carry pip requirements.  Returns the
 * number of changed pins, or -1 when not compared. */
static long diff_requirements(const struct diff_state *st,
                              struct mlg_check *check, const cJSON *base,
                              const cJSON *head)
{
    const struct mlg_host *h = st->host;
    const cJSON *rb = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(base, "script"),
            "requirements"), "pip");
    const cJSON *rh = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(head, "script"),
            "requirements"), "pip");
    struct diff_pin *pins = NULL;
    size_t n = 0, i;
    long changed = 0;

    if (!cJSON_IsString(rb) || !cJSON_IsString(rh))
        return -1;
    n = diff_pins(rb->valuestring, 0, &pins, n);
    n = diff_pins(rh->valuestring, 1, &pins, n);
    if (n > 1)
        qsort(pins, n, sizeof *pins, diff_pin_cmp);
    for (i = 0; i < n; i++)
        changed += diff_changed(pins[i].old, pins[i].cur);
    h->detail(check, "#### Requirements (pip)\n\n");
    if (changed == 0) {
        h->detail(check, "No pin changed (%zu packages).\n\n", n);
    } else {
        h->detail(check, "| Package | Baseline | Head |\n"
                  "| --- | --- | --- |\n");
        for (i = 0; i < n; i++) {
            if (!diff_changed(pins[i].old, pins[i].cur))
                continue;
            h->detail(check, "| %s |",
                      diff_md(st, check, pins[i].name, DIFF_SHORT,
                              MLG_MD_CELL));
            diff_value_cell(st, check, pins[i].old);
            diff_value_cell(st, check, pins[i].cur);
            h->detail(check, "\n");
        }
        h->detail(check, "\n");
    }
    for (i = 0; i < n; i++) {
        free(pins[i].name);
        free(pins[i].old);
        free(pins[i].cur);
    }
    free(pins);
    return changed;
}

/* ---- thresholds */

static int diff_rule_matches(const struct diff_rule *r,
                             const struct diff_metric *m)
{
    size_t tl = strlen(m->title);

    if (strcmp(r->metric, m->title) == 0
        || strcmp(r->metric, m->series) == 0)
        return 1;
    if (strncmp(r->metric, m->title, tl) != 0)
        return 0;
    if (strcmp(r->metric + tl, "/") == 0)
        return 0;
    if (r->metric[tl] == '/')
        return strcmp(r->metric + tl + 1, m->series) == 0;
    return strncmp(r->metric + tl, " / ", 3) == 0
           && strcmp(r->metric + tl + 3, m->series) == 0;
}

static int diff_rule_hit(const struct diff_rule *r,
                         const struct diff_metric *m, double *v)
{
    *v = r->pct ? diff_pct(m) : m->h - m->b;
    switch (r->op) {
    case '>': return *v > r->limit;
    case '<': return *v < r->limit;
    case 'G': return *v >= r->limit;
    default: return *v <= r->limit;
    }
}

/* Evaluate every rule; details list the triggered ones and the ones no
 * metric could evaluate.  Returns the status and the first reason in
 * why (caller frees). */
static int diff_gate(const struct diff_state *st, struct mlg_check *check,
                     const struct diff_metric *rows, size_t n, char **why)
{
    const struct mlg_host *h = st->host;
    int status = MLG_PASS;
    size_t i, j;

    *why = NULL;
    if (st->nrules == 0)
        return MLG_PASS;
    h->detail(check, "#### Thresholds\n\n");
    for (i = 0; i < st->nrules; i++) {
        const struct diff_rule *r = &st->rules[i];
        int seen = 0, hit = 0;

        for (j = 0; j < n; j++) {
            double v;
            char line[512];

            if (!rows[j].has_b || !rows[j].has_h
                || !diff_rule_matches(r, &rows[j]))
                continue;
            seen = 1;
            if (!diff_rule_hit(r, &rows[j], &v))
                continue;
            hit = 1;
            snprintf(line, sizeof line, "%s-on \"%s\": %s / %s changed "
                     "by %+g%s", r->fail ? "fail" : "warn", r->text,
                     rows[j].title, rows[j].series, v, r->pct ? "%" : "");
            h->detail(check, "- **%s**: %s\n", r->fail ? "FAIL" : "WARN",
                      diff_md(st, check, line, 0, MLG_MD_TEXT));
            if (r->fail ? status != MLG_FAIL : status == MLG_PASS) {
                free(*why);
                *why = diff_strndup(line, strlen(line));
                status = r->fail ? MLG_FAIL : MLG_WARN;
            }
        }
        if (!seen) {
            char line[512];

            snprintf(line, sizeof line, "%s-on \"%s\": no metric of that "
                     "name on both tasks", r->fail ? "fail" : "warn",
                     r->text);
            h->detail(check, "- **WARN**: %s\n",
                      diff_md(st, check, line, 0, MLG_MD_TEXT));
            if (status == MLG_PASS) {
                *why = diff_strndup(line, strlen(line));
                status = MLG_WARN;
            }
        } else if (!hit) {
            h->detail(check, "- ok: %s-on \"%s\"\n",
                      r->fail ? "fail" : "warn",
                      diff_md(st, check, r->text, 0, MLG_MD_TEXT));
        }
    }
    h->detail(check, "\n");
    return status;
}

/* ---- ClearML */

/* The baseline task id (request 1): the newest non-archived task in
 * scope carrying the best tag, or the newest completed clean task of
 * the branch; never the head task.  *id is "" when none (borrowed from
 * the host).  Returns 0, or -1 with err filled. */
static int diff_find_baseline(const struct diff_state *st,
                              struct mlg_check *check, const cJSON *head,
                              const char *tag, const char *project,
                              const char *task_name, const char **id,
                              struct mlg_error *err)
{
    static const char *const fields[] = { "id", "script.diff" };
    cJSON *body = cJSON_CreateObject();
    cJSON *arr;
    const cJSON *data = NULL, *t;
    const char *head_id = diff_str(head, "id");
    int rc;

    *id = "";
    mlg_scope_filter(body, head, project, task_name);
    if (st->branch != NULL) {
        cJSON *all = cJSON_AddObjectToObject(body, "_all_");
        char *re = mlg_regex_anchored(st->branch);

        arr = cJSON_AddArrayToObject(all, "fields");
        cJSON_AddItemToArray(arr, cJSON_CreateString("script.branch"));
        cJSON_AddStringToObject(all, "pattern", re);
        free(re);
        arr = cJSON_AddArrayToObject(body, "status");
        cJSON_AddItemToArray(arr, cJSON_CreateString("completed"));
    } else {
        arr = cJSON_AddArrayToObject(body, "tags");
        cJSON_AddItemToArray(arr, cJSON_CreateString(tag));
    }
    arr = cJSON_AddArrayToObject(body, "system_tags");
    cJSON_AddItemToArray(arr, cJSON_CreateString("-archived"));
    arr = cJSON_AddArrayToObject(body, "order_by");
    cJSON_AddItemToArray(arr, cJSON_CreateString("-last_update"));
    cJSON_AddItemToObject(body, "only_fields",
                          cJSON_CreateStringArray(fields, 2));
    cJSON_AddNumberToObject(body, "page_size",
                            st->branch != NULL ? DIFF_BRANCH_PAGE : 2);
    rc = st->host->clearml_call(check, "tasks.get_all", body, &data, err);
    cJSON_Delete(body);
    if (rc != 0)
        return -1;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(data, "tasks")) {
        const char *diff = diff_str(
            cJSON_GetObjectItemCaseSensitive(t, "script"), "diff");

        if (strcmp(diff_str(t, "id"), head_id) == 0
            || *diff_str(t, "id") == '\0'
            || (st->branch != NULL && *diff != '\0'))
            continue;
        *id = diff_str(t, "id");
        break;
    }
    return 0;
}

/* Both tasks with everything compared, in one tasks.get_all (request
 * 2).  Returns 0, or -1 with err filled; trees borrowed from the host,
 * NULL when the server did not return that task. */
static int diff_fetch(const struct diff_state *st, struct mlg_check *check,
                      const char *head_id, const char *base_id,
                      const cJSON **head, const cJSON **base,
                      struct mlg_error *err)
{
    static const char *const fields[] = {
        "id", "name", "project", "last_metrics", "hyperparams",
        "configuration", "script.requirements", "script.version_num"
    };
    cJSON *body = cJSON_CreateObject();
    cJSON *ids = cJSON_AddArrayToObject(body, "id");
    const cJSON *data = NULL, *t;
    int rc;

    cJSON_AddItemToArray(ids, cJSON_CreateString(head_id));
    cJSON_AddItemToArray(ids, cJSON_CreateString(base_id));
    cJSON_AddItemToObject(body, "only_fields",
                          cJSON_CreateStringArray(fields, 8));
    cJSON_AddNumberToObject(body, "page_size", 2);
    rc = st->host->clearml_call(check, "tasks.get_all", body, &data, err);
    cJSON_Delete(body);
    *head = *base = NULL;
    if (rc != 0)
        return -1;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(data, "tasks")) {
        if (*head == NULL && strcmp(diff_str(t, "id"), head_id) == 0)
            *head = t;
        else if (*base == NULL && strcmp(diff_str(t, "id"), base_id) == 0)
            *base = t;
    }
    return 0;
}

static void diff_task_link(const struct diff_state *st,
                           struct mlg_check *check, const cJSON *t)
{
    const struct mlg_host *h = st->host;

    h->detail(check, "[%s](%s) (`%s`)",
              diff_md(st, check, diff_str(t, "name"), DIFF_SHORT,
                      MLG_MD_TEXT),
              h->clearml_task_url(check, diff_str(t, "project"),
                                  diff_str(t, "id"), NULL),
              diff_md(st, check, diff_str(t, "id"), 0, MLG_MD_TEXT));
}

/* ---- plugin */

static int diff_init(const struct mlg_host *host, struct mlg_check *check,
                     void **state, char *err)
{
    struct diff_state *st = mlg_xrealloc(NULL, sizeof *st);
    const char *baseline = host->opt_str(check, "baseline");
    const char *hl = host->opt_str(check, "highlight");
    const char *tag = host->opt_str(check, "best-tag");

    memset(st, 0, sizeof *st);
    st->host = host;
    st->monitoring = host->opt_bool(check, "monitoring", 0);
    if (baseline != NULL && strncmp(baseline, "branch:", 7) == 0
        && baseline[7] != '\0') {
        st->branch = diff_strndup(baseline + 7, strlen(baseline + 7));
    } else if (baseline == NULL || strcmp(baseline, "best-tag") != 0) {
        snprintf(err, MLG_ERROR_SIZE, "baseline: expected \"best-tag\" or "
                 "\"branch:NAME\", got \"%s\"",
                 baseline != NULL ? baseline : "");
        goto fail;
    } else if (tag == NULL || *tag == '\0') {
        snprintf(err, MLG_ERROR_SIZE, "best-tag: must not be empty");
        goto fail;
    }
    if (diff_parse_amount(hl, &st->highlight, &st->hl_pct) != 0
        || st->highlight < 0) {
        snprintf(err, MLG_ERROR_SIZE, "highlight: expected a number >= 0 "
                 "or N%%, got \"%s\"", hl != NULL ? hl : "");
        goto fail;
    }
    if (diff_parse_rules(st, "warn-on", host->opt_str(check, "warn-on"), 0,
                         err) != 0
        || diff_parse_rules(st, "fail-on", host->opt_str(check, "fail-on"),
                            1, err) != 0)
        goto fail;
    *state = st;
    return 0;
fail:
    while (st->nrules > 0) {
        st->nrules--;
        free(st->rules[st->nrules].text);
        free(st->rules[st->nrules].metric);
    }
    free(st->rules);
    free(st->branch);
    free(st);
    return -1;
}

/* No head task or no baseline: nothing to compare.  A gate with fail-on
 * cannot pass without both sides. */
static int diff_missing(const struct diff_state *st, struct mlg_check *check,
                        const char *what)
{
    size_t i;
    int status = MLG_PASS;

    for (i = 0; i < st->nrules; i++)
        if (st->rules[i].fail)
            status = MLG_FAIL;
        else if (status == MLG_PASS)
            status = MLG_WARN;
    st->host->result(check, status, "nothing compared: %s", what);
    st->host->detail(check, "Nothing compared: %s.\n",
                     diff_md(st, check, what, 0, MLG_MD_TEXT));
    return status;
}

static int diff_run(void *state, struct mlg_check *check)
{
    struct diff_state *st = state;
    const struct mlg_host *h = st->host;
    const struct mlg_context *ctx = h->context(check);
    const char *project = h->opt_scope(check, "project");
    const char *task_name = h->opt_scope(check, "task-name");
    const char *tag = h->opt_str(check, "best-tag");
    struct mlg_task_found f = MLG_TASK_FOUND_INIT;
    struct mlg_error err;
    const cJSON *head = NULL, *base = NULL;
    const char *base_id = "";
    struct diff_metric *rows = NULL;
    struct diff_param *ps = NULL;
    size_t nrows = 0, nps = 0, i, beyond = 0, added = 0, removed = 0;
    size_t pchanged, punchanged = 0, bad = 0;
    long pins;
    char what[512], *why = NULL;
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
    if (f.task == NULL) {
        snprintf(what, sizeof what, "no completed ClearML task ran commit "
                 "%.7s without uncommitted changes", ctx->head_sha);
        return diff_missing(st, check, what);
    }
    h->output(check, "task-id", diff_str(f.task, "id"));
    if (diff_find_baseline(st, check, f.task, tag, project, task_name,
                           &base_id, &err) != 0) {
        h->result(check, MLG_ERROR, "baseline lookup failed: %s",
                  err.message);
        return MLG_ERROR;
    }
    if (*base_id == '\0') {
        if (st->branch != NULL)
            snprintf(what, sizeof what, "no other completed clean task "
                     "ran branch %s", st->branch);
        else
            snprintf(what, sizeof what, "no other task carries %s", tag);
        return diff_missing(st, check, what);
    }
    h->output(check, "baseline-task-id", base_id);
    if (diff_fetch(st, check, diff_str(f.task, "id"), base_id, &head, &base,
                   &err) != 0) {
        h->result(check, MLG_ERROR, "task fetch failed: %s", err.message);
        return MLG_ERROR;
    }
    if (head == NULL || base == NULL) {
        h->result(check, MLG_ERROR, "the server did not return task %s",
                  head == NULL ? diff_str(f.task, "id") : base_id);
        return MLG_ERROR;
    }

    h->detail(check, "Head task ");
    diff_task_link(st, check, head);
    h->detail(check, " against baseline ");
    diff_task_link(st, check, base);
    if (st->branch != NULL)
        h->detail(check, ", the newest clean task of branch **%s**.\n\n",
                  diff_md(st, check, st->branch, 0, MLG_MD_TEXT));
    else
        h->detail(check, ", the task carrying **%s**.\n\n",
                  diff_md(st, check, tag, 0, MLG_MD_TEXT));

    diff_collect(st, base, 0, &rows, &nrows, &bad);
    diff_collect(st, head, 1, &rows, &nrows, &bad);
    for (i = 0; i < nrows; i++) {
        struct diff_metric *m = &rows[i];

        m->rel = fabs(diff_pct(m)) / 100.0;
        beyond += diff_beyond(st, m);
        added += !m->has_b;
        removed += !m->has_h;
    }
    if (nrows > 1)
        qsort(rows, nrows, sizeof *rows, diff_metric_cmp);
    diff_metrics_table(st, check, rows, nrows);
    if (bad > 0)
        h->detail(check, "%zu metric value%s not a finite number and left "
                  "out.\n\n", bad, bad == 1 ? " is" : "s are");
    diff_params(base, 0, &ps, &nps);
    diff_params(head, 1, &ps, &nps);
    pchanged = diff_params_table(st, check, ps, nps, &punchanged);
    pins = diff_requirements(st, check, base, head);
    status = diff_gate(st, check, rows, nrows, &why);

    snprintf(what, sizeof what, "%zu metric%s (%zu beyond %g%s, %zu "
             "added, %zu removed), %zu parameter%s changed (%zu "
             "unchanged)", nrows, nrows == 1 ? "" : "s", beyond,
             st->highlight, st->hl_pct ? "%" : "", added, removed,
             pchanged, pchanged == 1 ? "" : "s", punchanged);
    if (pins >= 0)
        snprintf(what + strlen(what), sizeof what - strlen(what),
                 ", %ld pin%s changed", pins, pins == 1 ? "" : "s");
    if (why != NULL)
        h->result(check, status, "%s; %s vs baseline %.7s", why, what,
                  base_id);
    else
        h->result(check, status, "%s vs baseline %.7s", what, base_id);
    free(why);
    for (i = 0; i < nps; i++) {
        free(ps[i].old);
        free(ps[i].cur);
    }
    free(ps);
    free(rows);
    return status;
}

static void diff_fini(void *state)
{
    struct diff_state *st = state;
    size_t i;

    for (i = 0; i < st->nrules; i++) {
        free(st->rules[i].text);
        free(st->rules[i].metric);
    }
    free(st->rules);
    free(st->branch);
    free(st);
}

static const struct mlg_plugin diff_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin),
    MLG_PLUGIN_NEEDS_CLEARML | MLG_PLUGIN_USES_HEAD_TASK,
    "diff", DIFF_VERSION,
    "metrics, hyperparameters and requirements of the PR's task against "
    "a baseline task",
    diff_options,
    diff_init, diff_run, diff_fini,
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    MLG_PLUGIN_TAIL(3) /* head_task is 1.3 */
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &diff_plugin;
}
