/*
 * publish.c - sends the one report to every sink, in this order: the
 * job summary (GITHUB_STEP_SUMMARY), GITHUB_OUTPUT, Actions annotations,
 * the sticky PR/MR comment, the commit statuses.  A sink that cannot be
 * written becomes a warning; the run's results and exit code never change
 * because of publishing.
 *
 * Parallel jobs.  The sticky comment is found by its marker and then
 * updated or created; two jobs of the same PR running at the same moment
 * can both find nothing and both create one.  Serialise them in the
 * workflow:
 *
 *   concurrency:
 *     group: mlgate-${{ github.event.pull_request.number || github.ref }}
 *     cancel-in-progress: false
 *
 * (GitLab: `resource_group: mlgate-$CI_MERGE_REQUEST_IID`), or give each
 * job its own `[report] id` so each keeps its own comment.
 */
#include <config.h>

#include "publish.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "markdown.h"
#include "prefetch.h"
#include "util.h"

/* Seconds one forge operation may take, the client's retries included
 * (a secondary rate limit asks for up to a minute), within the run's
 * deadline. */
#define PUBLISH_TIMEOUT 120.0
/* Attempts at a comment whose create had an unknown outcome. */
#define PUBLISH_CREATE_TRIES 3
/* GitHub shows at most 1 MiB of one step's summary. */
#define PUBLISH_SUMMARY_MAX (1024u * 1024u)
/* GitHub's limit on a commit status description. */
#define PUBLISH_DESC_MAX 140

enum { PUBLISH_OFF, PUBLISH_UPDATE, PUBLISH_NEW };

struct publish {
    const struct run_result *rr;
    const struct run_context *ctx;
    struct forge *f;
    const char *id;     /* [report] id */
    int actions;        /* running in GitHub Actions */
    int dry_run;
    const struct forge_traits *forge; /* wording, limit, job summary */
    char *comment_url;  /* the sticky comment, once known */
    int failed;         /* sinks that could not be written */
    double deadline;    /* every forge call ends by then; 0 = none */
    int cut;            /* the budget was cut to PUBLISH_CANCEL_BUDGET */
    struct prefetch *pf; /* the comment looked up beside the checks */
};

/* The deadline of the next forge call: its own bound, within the run's
 * deadline; a cancellation leaves only the short budget. */
static double publish_deadline(struct publish *p)
{
    double now = now_mono(), d = now + PUBLISH_TIMEOUT;

    if (http_cancelled() && !p->cut) {
        p->cut = 1;
        if (p->deadline <= 0 || p->deadline > now + PUBLISH_CANCEL_BUDGET)
            p->deadline = now + PUBLISH_CANCEL_BUDGET;
    }
    if (p->deadline > 0 && p->deadline < d)
        d = p->deadline;
    return d;
}

/* Did a signal cut the call that just failed (none had come before it)?
 * Then it gets one more try within the short budget: the report must
 * still be published. */
static int publish_cut_by_signal(int before, const struct mlg_error *e)
{
    return !before && http_cancelled() && e->kind == MLG_E_DEADLINE;
}

/* A write that may or may not have happened: a transport failure, the
 * deadline or a cancellation under way, a 5xx from a gateway. */
static int publish_outcome_unknown(const struct mlg_error *e)
{
    return e->kind == MLG_E_TRANSPORT || e->kind == MLG_E_DEADLINE ||
           (e->kind == MLG_E_HTTP && e->status >= 500);
}

/* Workflow-command escaping (as @actions/core does): data escapes %, CR
 * and LF; property values also ':' and ','.  The text is folded first
 * (log_fold): an annotation is one line whatever a server or plugin put
 * in it. */
static void publish_cmd_escape(struct buf *b, const char *text,
                               int property)
{
    char *folded = log_fold(text), *s;

    for (s = folded; *s; s++) {
        switch (*s) {
        case '%': buf_adds(b, "%25"); break;
        case '\r': buf_adds(b, "%0D"); break;
        case '\n': buf_adds(b, "%0A"); break;
        case ':':
            buf_adds(b, property ? "%3A" : ":");
            break;
        case ',':
            buf_adds(b, property ? "%2C" : ",");
            break;
        default: buf_addc(b, *s);
        }
    }
    free(folded);
}

/* Print a finished workflow command (masked) to stdout. */
static void publish_cmd_print(struct buf *b)
{
    char *s = buf_take(b);

    log_fputs_masked(s, stdout);
    fflush(stdout);
    free(s);
}

/* One sink could not be written: an annotation in Actions (visible on
 * the run page), a log warning elsewhere. */
static void publish_warn(struct publish *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void publish_warn(struct publish *p, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = xvasprintf(fmt, ap);
    va_end(ap);
    /* A closed stdout (`mlgate | head`): the warning goes to stderr. */
    if (p->actions && !ferror(stdout)) {
        struct buf b = {0};

        buf_adds(&b, "::warning::");
        publish_cmd_escape(&b, msg, 0);
        buf_addc(&b, '\n');
        publish_cmd_print(&b);
    } else {
        log_msg(LOG_WARN, NULL, "%s", msg);
    }
    free(msg);
    p->failed++;
}

/* Append text to a file named by an environment variable; returns 0 or
 * -1 with errno set. */
static int publish_append(const char *path, const char *text)
{
    FILE *fp = fopen(path, "a");
    int rc;

    if (!fp)
        return -1;
    rc = log_fputs_masked(text, fp);
    if (fclose(fp) != 0)
        rc = -1;
    return rc;
}

/* Where the job summary says the full report is (Markdown). */
static const char *publish_summary_full_at =
    "the `--format markdown` output of mlgate (this job logged text)";

void publish_full_report_at(const char *where)
{
    if (where != NULL)
        publish_summary_full_at = where;
}

static void publish_summary(struct publish *p)
{
    const char *path = getenv("GITHUB_STEP_SUMMARY");
    struct md_opts o = { p->id, NULL, 0, publish_summary_full_at };
    char *md;

    if (!p->actions || !path || !*path)
        return;
    md = markdown_report(p->rr, p->ctx, &o);
    /* The limit counts code points, GitHub's 1 MiB bytes: tighten until
     * the bytes fit too. */
    while (strlen(md) > PUBLISH_SUMMARY_MAX) {
        size_t len = strlen(md);

        o.limit = (size_t)((double)(o.limit ? o.limit : md_length(md)) *
                           PUBLISH_SUMMARY_MAX / len * 0.98);
        free(md);
        md = markdown_report(p->rr, p->ctx, &o);
        if (o.limit < 1000)
            break;
    }
    if (publish_append(path, md) != 0)
        publish_warn(p, "mlgate could not write the job summary: %s",
                     strerror(errno));
    free(md);
}

/* One name/value pair in the environment-file format.  The value is
 * folded to one line (log_fold: the output rule), so name=value is
 * always the whole record and no value can add another output. */
static void publish_output_kv(struct buf *b, const char *name,
                              const char *raw)
{
    char *value = log_fold(raw);

    buf_printf(b, "%s=%s\n", name, value);
    free(value);
}

/* A name GitHub's parser reads back as written: no '=', no control
 * character, no "<<", not empty. */
static int publish_output_name_ok(const char *name)
{
    char *folded = log_fold(name);
    int same = strcmp(folded, name) == 0;

    free(folded);
    return *name && same && !strchr(name, '=') && !strstr(name, "<<");
}

static void publish_outputs(struct publish *p)
{
    const char *path = getenv("GITHUB_OUTPUT");
    struct buf b = {0};
    size_t i, k;

    if (!p->actions || !path || !*path)
        return;
    publish_output_kv(&b, "status", result_status_word(p->rr->overall));
    for (i = 0; i < p->rr->n; i++) {
        const struct check_result *r = &p->rr->checks[i];

        if (!publish_output_name_ok(r->name))
            continue;
        publish_output_kv(&b, r->name, result_status_word(r->status));
        for (k = 0; k < r->noutputs; k++) {
            char *name = xasprintf("%s-%s", r->name, r->outputs[k].key);

            if (publish_output_name_ok(name))
                publish_output_kv(&b, name, r->outputs[k].value ?
                                  r->outputs[k].value : "");
            else
                log_msg(LOG_WARN, r->name, "output %s skipped: not a valid "
                        "GITHUB_OUTPUT name", r->outputs[k].key);
            free(name);
        }
    }
    if (publish_append(path, b.p ? b.p : "") != 0)
        publish_warn(p, "mlgate could not write GITHUB_OUTPUT: %s",
                     strerror(errno));
    buf_free(&b);
}

static void publish_annotations(struct publish *p)
{
    static const char *const levels[] = { "notice", "warning", "error" };
    size_t i, k;

    if (!p->actions)
        return;
    for (i = 0; i < p->rr->n; i++) {
        const struct check_result *r = &p->rr->checks[i];
        struct buf b = {0};
        char *title = xasprintf("mlgate %s", r->name);

        if (r->status == MLG_FAIL || r->status == MLG_ERROR ||
            r->status == MLG_WARN) {
            buf_adds(&b, r->status == MLG_WARN ? "::warning title=" :
                     "::error title=");
            publish_cmd_escape(&b, title, 1);
            buf_adds(&b, "::");
            publish_cmd_escape(&b, r->summary, 0);
            buf_addc(&b, '\n');
            publish_cmd_print(&b);
        }
        for (k = 0; k < r->nannots; k++) {
            const struct result_annot *a = &r->annots[k];
            int lv = a->level >= 0 && a->level <= 2 ? a->level : 0;

            buf_printf(&b, "::%s ", levels[lv]);
            if (a->file && *a->file) {
                buf_adds(&b, "file=");
                publish_cmd_escape(&b, a->file, 1);
                if (a->line > 0)
                    buf_printf(&b, ",line=%ld", a->line);
                buf_addc(&b, ',');
            }
            buf_adds(&b, "title=");
            publish_cmd_escape(&b, title, 1);
            buf_adds(&b, "::");
            publish_cmd_escape(&b, a->message, 0);
            buf_addc(&b, '\n');
            publish_cmd_print(&b);
        }
        free(title);
    }
}

/* Where the full report is, as Markdown for the shed note. */
static char *publish_full_at(const struct publish *p)
{
    char *url, *s;

    if (!p->forge->job_summary)
        return xstrdup("the CI job");
    if (!p->ctx->run_url || !*p->ctx->run_url)
        return xstrdup("the job summary");
    url = md_url(p->ctx->run_url);
    s = xasprintf("the job summary of [the CI run](%s)", url);
    free(url);
    return s;
}

static const char *publish_what(const struct publish *p)
{
    return p->forge->comment_word;
}

/* Create or update the comment; one 422 ("too long") is retried with
 * the report shed to half the limit.  Returns 0 or -1 with err. */
static int publish_put_once(struct publish *p, long long id, char **body,
                            struct md_opts *o, struct mlg_error *err)
{
    int rc, before;

    free(p->comment_url);
    p->comment_url = NULL;
    before = http_cancelled();
    rc = forge_put_comment(p->f, p->ctx->pr, id, *body, &p->comment_url,
                           publish_deadline(p), err);
    /* An update cut by a signal is simply sent again (PATCH/PUT are
     * idempotent); a create goes through publish_put's lookup. */
    if (rc != 0 && id && publish_cut_by_signal(before, err)) {
        memset(err, 0, sizeof *err);
        rc = forge_put_comment(p->f, p->ctx->pr, id, *body, &p->comment_url,
                               publish_deadline(p), err);
    }
    if (rc != 0 && err->kind == MLG_E_HTTP && err->status == 422) {
        char *md;

        o->limit /= 2;
        log_msg(LOG_WARN, NULL, "the forge refused the %s (%s); retrying "
                "with at most %zu characters", publish_what(p),
                err->message, o->limit);
        md = markdown_report(p->rr, p->ctx, o);
        free(*body);
        *body = log_mask(md);
        free(md);
        memset(err, 0, sizeof *err);
        rc = forge_put_comment(p->f, p->ctx->pr, id, *body, &p->comment_url,
                               publish_deadline(p), err);
    }
    return rc;
}

/* publish_put_once(), and when a create's outcome is unknown (the
 * gateway may answer 502 after the forge created it) never a blind
 * repeat: list the comments again, find the marker, then update what is
 * there or create.  marker NULL ([report] comment = new): no lookup.
 * *id becomes the comment written.  Returns 0, 1 when the lost create
 * did happen (nothing more written), or -1 with err. */
static int publish_put(struct publish *p, long long *id, char **body,
                       struct md_opts *o, const char *marker,
                       struct mlg_error *err)
{
    int rc = publish_put_once(p, *id, body, o, err), tries;

    for (tries = 1; rc != 0 && *id == 0 && marker &&
         publish_outcome_unknown(err) && tries < PUBLISH_CREATE_TRIES;
         tries++) {
        struct mlg_error e;
        char *old = NULL, *url = NULL;
        long long found = 0;

        memset(&e, 0, sizeof e);
        log_msg(LOG_WARN, NULL, "the %s may have been created (%s): "
                "looking for it", publish_what(p), err->message);
        if (forge_find_comment(p->f, p->ctx->pr, marker, &found, &old, &url,
                               NULL, publish_deadline(p), &e) != 0) {
            *err = e;
            free(old);
            free(url);
            return -1;
        }
        if (found && old && strcmp(old, *body) == 0) {
            /* The lost create did happen: nothing more to write. */
            *id = found;
            free(p->comment_url);
            p->comment_url = url;
            free(old);
            memset(err, 0, sizeof *err);
            return 1;
        }
        free(old);
        free(url);
        *id = found;
        memset(err, 0, sizeof *err);
        rc = publish_put_once(p, found, body, o, err);
        if (found)
            break;
    }
    return rc;
}

/* The comment to update: the helper's answer when it may be used
 * (*ahead set), else listed here, again once if a signal cut the list.
 * Returns 0 with *id (0: none), *old and *url (caller frees), or -1
 * with err. */
static int publish_lookup(struct publish *p, const char *marker,
                          long long *id, char **old, char **url,
                          int *ahead, struct mlg_error *err)
{
    struct prefetch_hit hit;
    int before, pages = 0, rc;

    if (prefetch_take(p->pf, p->f, marker, publish_deadline(p), &hit)
        == 0) {
        *id = hit.id;
        *old = hit.body;
        *url = hit.url;
        *ahead = 1;
        return 0;
    }
    *ahead = 0;
    before = http_cancelled();
    rc = forge_find_comment(p->f, p->ctx->pr, marker, id, old, url, &pages,
                            publish_deadline(p), err);
    if (rc != 0 && publish_cut_by_signal(before, err)) {
        memset(err, 0, sizeof *err);
        rc = forge_find_comment(p->f, p->ctx->pr, marker, id, old, url,
                                &pages, publish_deadline(p), err);
    }
    return rc;
}

static void publish_comment(struct publish *p, int mode)
{
    struct mlg_error err;
    struct md_opts o;
    char *full_at = publish_full_at(p), *md, *body, *marker, *old = NULL,
        *url = NULL;
    long long id = 0;
    int rc = 0, ahead = 0, again;

    memset(&err, 0, sizeof err);
    o.id = p->id;
    o.version = NULL;
    o.limit = p->forge->comment_limit;
    o.full_at = full_at;
    md = markdown_report(p->rr, p->ctx, &o);
    /* What is compared with the existing comment is exactly what would
     * be sent. */
    body = log_mask(md);
    free(md);
    marker = md_marker(p->id);

    /* Twice at most: a comment found ahead may be deleted before the
     * update (404); then it is looked up again here and what is found
     * updated, or a new one created. */
    for (again = 1; again; ) {
        again = 0;
        if (mode == PUBLISH_UPDATE)
            rc = publish_lookup(p, marker, &id, &old, &url, &ahead, &err);
        if (rc != 0) {
            publish_warn(p, "mlgate could not update the %s: %s",
                         publish_what(p), err.message);
            goto out;
        }
        if (id && old && strcmp(old, body) == 0) {
            log_msg(LOG_INFO, NULL, "%s %lld is up to date",
                    publish_what(p), id);
            p->comment_url = url;
            url = NULL;
            goto out;
        }
        if (p->dry_run) {
            if (id)
                log_msg(LOG_INFO, NULL, "would update %s %lld (%zu "
                        "characters)", publish_what(p), id,
                        md_length(body));
            else
                log_msg(LOG_INFO, NULL, "would create the %s (%zu "
                        "characters)", publish_what(p), md_length(body));
            p->comment_url = url;
            url = NULL;
            goto out;
        }
        rc = publish_put(p, &id, &body, &o,
                         mode == PUBLISH_UPDATE ? marker : NULL, &err);
        if (rc < 0 && ahead && id && err.kind == MLG_E_HTTP &&
            err.status == 404) {
            log_msg(LOG_WARN, NULL, "the %s %lld found beside the checks "
                    "is gone (%s): looking again", publish_what(p), id,
                    err.message);
            free(old);
            free(url);
            old = url = NULL;
            id = 0;
            rc = 0;
            memset(&err, 0, sizeof err);
            again = 1;
        }
    }
    if (rc < 0) {
        publish_warn(p, "mlgate could not %s the %s: %s",
                     id ? "update" : "create", publish_what(p), err.message);
        goto out;
    }
    if (rc == 1) {
        log_msg(LOG_INFO, NULL, "the %s was created after all: %s",
                publish_what(p), p->comment_url ? p->comment_url : "");
        goto out;
    }
    log_msg(LOG_INFO, NULL, "%s the %s (%zu characters)%s%s",
            id ? "updated" : "created", publish_what(p),
            md_length(body), p->comment_url ? ": " : "",
            p->comment_url ? p->comment_url : "");
out:
    free(full_at);
    free(body);
    free(marker);
    free(old);
    free(url);
}

static const char *publish_state(int status)
{
    switch (status) {
    case MLG_PASS:
    case MLG_WARN:
    case MLG_SKIP:
        return "success"; /* WARN and SKIP do not block; the text says so */
    case MLG_FAIL:
        return "failure";
    default:
        return "error";
    }
}

static void publish_statuses(struct publish *p)
{
    const char *target = p->comment_url ? p->comment_url :
        (p->ctx->run_url && *p->ctx->run_url ? p->ctx->run_url : NULL);
    int before = p->failed;
    size_t i;

    for (i = 0; i < p->rr->n; i++) {
        const struct check_result *r = &p->rr->checks[i];
        struct mlg_error err;
        char *context = xasprintf("mlgate/%s", r->name);
        char *text = xasprintf("%s: %s", result_status_name(r->status),
                               r->summary);
        char *masked = log_mask(text);
        char *desc;
        const char *state = publish_state(r->status);
        int rc = 0;

        log_fold_inplace(masked);
        desc = md_cut(masked, PUBLISH_DESC_MAX);

        memset(&err, 0, sizeof err);
        if (p->dry_run)
            log_msg(LOG_INFO, NULL, "would set status %s = %s", context,
                    state);
        else {
            int was = http_cancelled();

            rc = forge_set_status(p->f, p->ctx->head_sha, context, state,
                                  desc, target, publish_deadline(p), &err);
            if (rc != 0 && publish_cut_by_signal(was, &err)) {
                memset(&err, 0, sizeof err);
                rc = forge_set_status(p->f, p->ctx->head_sha, context,
                                      state, desc, target,
                                      publish_deadline(p), &err);
            }
        }
        free(context);
        free(text);
        free(masked);
        free(desc);
        if (rc == 0)
            continue;
        /* A token that may not write statuses fails them all alike: one
         * warning and no more requests; so does a server that cannot be
         * reached, or no time left.  A rate limit (whose wait did not fit
         * the time left) is not a permission error: the next one may
         * pass. */
        if (err.kind == MLG_E_TRANSPORT ||
            (err.kind == MLG_E_DEADLINE &&
             publish_deadline(p) <= now_mono() + 0.01) ||
            (err.kind == MLG_E_HTTP && err.status >= 401 &&
             err.status <= 404)) {
            publish_warn(p, "mlgate could not set the commit statuses: %s",
                         err.message);
            break;
        }
        publish_warn(p, "mlgate could not set the commit status mlgate/%s: "
                     "%s", r->name, err.message);
    }
    /* The statuses are one sink, however many of them failed. */
    if (p->failed > before)
        p->failed = before + 1;
}

static void publish_conf(const struct conf *c, const char **id, int *comment,
                         int *status)
{
    const struct conf_section *sec = c ? conf_find(c, "report") : NULL;
    const char *v;
    int on;

    *id = "mlgate";
    *comment = PUBLISH_UPDATE;
    *status = 1;
    if ((v = conf_get(sec, "id")) != NULL && *v)
        *id = v;
    if ((v = conf_get(sec, "comment")) != NULL) {
        if (strcmp(v, "off") == 0)
            *comment = PUBLISH_OFF;
        else if (strcmp(v, "new") == 0)
            *comment = PUBLISH_NEW;
    }
    if ((v = conf_get(sec, "status")) != NULL && conf_parse_bool(v, &on) == 0)
        *status = on;
}

struct prefetch *publish_prefetch(const struct run_context *ctx,
                                  const struct conf *c, struct forge *f,
                                  double deadline)
{
    struct prefetch *pf;
    const char *id;
    char *marker;
    int comment, status;
    double d = now_mono() + PUBLISH_TIMEOUT;

    publish_conf(c, &id, &comment, &status);
    /* Only the update mode looks for a comment; after a signal nothing
     * new starts. */
    if (!f || ctx->pr <= 0 || comment != PUBLISH_UPDATE || http_cancelled())
        return NULL;
    marker = md_marker(id);
    pf = prefetch_start(f, ctx->pr, marker, deadline > 0 && deadline < d ?
                        deadline : d);
    free(marker);
    return pf;
}

int publish_run(const struct run_result *rr, const struct run_context *ctx,
                const struct conf *c, struct forge *f, int dry_run,
                double deadline, struct prefetch *pf)
{
    struct publish p;
    const char *ga = getenv("GITHUB_ACTIONS");
    int comment, status;

    memset(&p, 0, sizeof p);
    p.deadline = deadline;
    p.rr = rr;
    p.ctx = ctx;
    p.f = f;
    p.dry_run = dry_run;
    p.pf = pf;
    p.actions = ga && strcmp(ga, "true") == 0;
    p.forge = forge_traits_of(f ? forge_kind(f) : ctx->forge);
    publish_conf(c, &p.id, &comment, &status);

    publish_summary(&p);
    publish_outputs(&p);
    publish_annotations(&p);
    if (!f && ((ctx->pr > 0 && comment != PUBLISH_OFF) || status))
        log_msg(ctx->forge && strcmp(ctx->forge, "none") != 0 ? LOG_INFO :
                LOG_DEBUG, NULL, "no forge client: no %s and no commit "
                "statuses", publish_what(&p));
    /* Push events have no PR: statuses and summary only. */
    if (f && ctx->pr > 0 && comment != PUBLISH_OFF)
        publish_comment(&p, comment);
    if (f && status && ctx->head_sha && *ctx->head_sha)
        publish_statuses(&p);
    free(p.comment_url);
    return p.failed;
}
