/*
 * check_publish.c - tests of every publishing sink: the GitHub Actions
 * files and annotations locally, and the sticky comment and commit
 * statuses against mlgate-sandbox (GitHub and GitLab).
 */
#include <config.h>

#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "context.h"
#include "forge.h"
#include "log.h"
#include "markdown.h"
#include "prefetch.h"
#include "publish.h"
#include "result.h"
#include "sbx.h"
#include "util.h"

#define SHA "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345"
#define MARKER "<!-- mlgate:mlgate -->"
#define HOSTILE "a|b</details><!-- mlgate:mlgate -->"
#define RUN_URL "https://github.com/acme/ml-repo/actions/runs/99"

/* ---- fixtures ---- */

static struct check_result *add_check(struct run_result *rr,
                                      const char *name, int status,
                                      const char *summary,
                                      const char *details)
{
    struct check_result *r;

    rr->checks = xrealloc(rr->checks, (rr->n + 1) * sizeof *rr->checks);
    r = &rr->checks[rr->n++];
    memset(r, 0, sizeof *r);
    r->name = xstrdup(name);
    r->plugin = xstrdup(name);
    r->status = status;
    r->summary = xstrdup(summary);
    r->details = xstrdup(details);
    r->duration = 1.5;
    result_finish(rr);
    return r;
}

static void happy(struct run_result *rr)
{
    memset(rr, 0, sizeof *rr);
    add_check(rr, "stats", MLG_PASS, "task cicd_test found",
              "| Title | Series | Last |\n| --- | --- | --- |\n"
              "| Performance Metric | Series 1 | 98 |\n");
    add_check(rr, "compare", MLG_PASS, "98 >= best 90", "best moved\n");
    add_check(rr, "remote", MLG_PASS, "3 iterations", "");
}

static void set_status(struct run_result *rr, size_t i, int status,
                       const char *summary)
{
    rr->checks[i].status = status;
    free(rr->checks[i].summary);
    rr->checks[i].summary = xstrdup(summary);
    result_finish(rr);
}

static void ctx_github(struct run_context *ctx, const struct sbx *s, long pr)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->forge = xstrdup("github");
    ctx->event = xstrdup(pr ? "pull_request" : "push");
    ctx->repo = xstrdup("acme/ml-repo");
    ctx->project_id = xstrdup("");
    ctx->pr = pr;
    ctx->head_sha = xstrdup(SHA);
    ctx->head_ref = xstrdup("feature-x");
    ctx->head_repo = xstrdup("acme/ml-repo");
    ctx->head_clone_url = xstrdup("https://github.com/acme/ml-repo.git");
    ctx->base_ref = xstrdup("main");
    ctx->base_sha = xstrdup("");
    ctx->run_url = xstrdup(RUN_URL);
    ctx->api_url = xstrdup(s ? s->github_api : "");
    ctx->server_url = xstrdup("https://github.com");
}

/* The context of a GitLab merge-request pipeline, read from GitLab's
 * own variables by context_load(). */
static void ctx_gitlab(struct run_context *ctx)
{
    char err[256];

    unsetenv("GITHUB_ACTIONS");
    unsetenv("GITHUB_EVENT_NAME");
    unsetenv("GITHUB_EVENT_PATH");
    setenv("GITLAB_CI", "true", 1);
    setenv("CI_PIPELINE_SOURCE", "merge_request_event", 1);
    setenv("CI_SERVER_URL", "https://gitlab.example.com", 1);
    setenv("CI_PROJECT_ID", "42", 1);
    setenv("CI_PROJECT_PATH", "acme/ml-repo", 1);
    setenv("CI_PROJECT_URL", "https://gitlab.example.com/acme/ml-repo", 1);
    setenv("CI_MERGE_REQUEST_IID", "7", 1);
    setenv("CI_MERGE_REQUEST_PROJECT_ID", "42", 1);
    setenv("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "42", 1);
    setenv("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature-x", 1);
    setenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main", 1);
    setenv("CI_COMMIT_SHA", SHA, 1);
    setenv("CI_COMMIT_REF_NAME", "feature-x", 1);
    setenv("CI_MERGE_REQUEST_REF_PATH", "refs/merge-requests/7/head", 1);
    /* The sandbox's MR pipeline; its newer branch pipeline 502 is where
     * a status naming neither pipeline nor ref would land. */
    setenv("CI_PIPELINE_ID", "501", 1);
    setenv("CI_PIPELINE_URL", "https://gitlab.example.com/acme/ml-repo/-/"
           "pipelines/5", 1);
    ck_assert_msg(context_load(ctx, NULL, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(ctx->forge, "gitlab");
    ck_assert_int_eq(ctx->pr, 7);
}

static void conf_from(struct conf *c, const char *text)
{
    char err[256];

    memset(c, 0, sizeof *c);
    ck_assert_msg(conf_parse_string("test.conf", text, c, err,
                                    sizeof err) == 0, "conf: %s", err);
}

/* A private directory under $TMPDIR (distcheck: not the source dir). */
static char *tmp_dir(void)
{
    const char *t = getenv("TMPDIR");
    char *d = xasprintf("%s/check_publish.XXXXXX", t && *t ? t : "/tmp");

    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct buf b = {0};
    char chunk[65536];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    return buf_take(&b);
}

/* Capture what publish_run prints on stdout (annotations, warnings). */
struct cap {
    int saved;
    char *path;
};

static void cap_begin(struct cap *c, const char *dir)
{
    int fd;

    c->path = xasprintf("%s/stdout", dir);
    fflush(stdout);
    c->saved = dup(1);
    fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    dup2(fd, 1);
    close(fd);
}

static char *cap_end(struct cap *c)
{
    char *s;

    fflush(stdout);
    dup2(c->saved, 1);
    close(c->saved);
    s = slurp(c->path);
    free(c->path);
    return s ? s : xstrdup("");
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    const char *p;

    for (p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void start(struct sbx *s, const char *scenario)
{
    ck_assert_msg(sbx_start(s, scenario, NULL) == 0,
                  "sandbox did not start on %s", scenario);
    sbx_export_env(s);
    /* The sandbox's URLs are loopback; local runs are not in Actions
     * unless a test says so. */
    unsetenv("GITHUB_ACTIONS");
    unsetenv("GITHUB_OUTPUT");
    unsetenv("GITHUB_STEP_SUMMARY");
}

static struct forge *forge_for(const struct run_context *ctx,
                               const struct conf *c)
{
    struct mlg_error err;
    struct forge *f;

    memset(&err, 0, sizeof err);
    f = forge_new(ctx, c, &err);
    ck_assert_msg(f != NULL, "forge_new: %s", err.message);
    return f;
}

/* The PR's comments in the sandbox state (borrowed from *st). */
static const cJSON *gh_comments(const struct sbx *s, cJSON **st)
{
    *st = sbx_state(s);
    ck_assert_ptr_nonnull(*st);
    return cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(*st, "github"), "comments"),
        "acme/ml-repo#12");
}

static int comments_with_marker(const cJSON *comments, const char *marker)
{
    const cJSON *c;
    int n = 0;

    cJSON_ArrayForEach(c, comments) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(c, "body");

        n += cJSON_IsString(b) && strstr(b->valuestring, marker) != NULL;
    }
    return n;
}

static const char *marked_body(const cJSON *comments, const char *marker)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, comments) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(c, "body");

        if (cJSON_IsString(b) && strstr(b->valuestring, marker))
            return b->valuestring;
    }
    return NULL;
}

static const cJSON *statuses_of(cJSON *st, const char *forge)
{
    return cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(st, forge), "statuses"), SHA);
}

static int count_status_contexts(const cJSON *sts, const char *prefix)
{
    const cJSON *e;
    int n = 0;

    cJSON_ArrayForEach(e, sts) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "context");

        if (!c) /* GitLab calls it "name" */
            c = cJSON_GetObjectItemCaseSensitive(e, "name");

        n += cJSON_IsString(c) &&
            strncmp(c->valuestring, prefix, strlen(prefix)) == 0;
    }
    return n;
}

/* ---- local sinks: GitHub Actions files and annotations ---- */

/* Free what a sandbox test set up, and stop its sandbox. */
static void done(struct sbx *s, struct run_result *rr,
                 struct run_context *ctx, struct conf *c, struct forge *f)
{
    forge_free(f);
    conf_free(c);
    context_free(ctx);
    run_result_free(rr);
    sbx_stop(s);
}

START_TEST(actions_files_and_annotations)
{
    struct run_result rr;
    struct run_context ctx;
    struct check_result *r;
    struct cap cap;
    char *dir = tmp_dir(), *out_path, *sum_path, *text, *std;
    FILE *fp;

    happy(&rr);
    set_status(&rr, 1, MLG_FAIL, "80 < best 90: 100% worse\nsecond line");
    set_status(&rr, 2, MLG_WARN, "no worker watches default");
    r = &rr.checks[1];
    r->outputs = xcalloc(2, sizeof *r->outputs);
    r->outputs[0].key = xstrdup("value");
    r->outputs[0].value = xstrdup("80");
    r->outputs[1].key = xstrdup("chart");
    r->outputs[1].value = xstrdup("line 1\nline 2");
    r->noutputs = 2;
    r->annots = xcalloc(1, sizeof *r->annots);
    r->annots[0].level = MLG_ANNOT_ERROR;
    r->annots[0].file = xstrdup("src/a,b:c.py");
    r->annots[0].line = 7;
    r->annots[0].message = xstrdup("bad\nvalue");
    r->nannots = 1;
    ctx_github(&ctx, NULL, 12);

    out_path = xasprintf("%s/output", dir);
    sum_path = xasprintf("%s/summary", dir);
    fp = fopen(sum_path, "w");
    fputs("earlier step\n", fp);
    fclose(fp);
    setenv("GITHUB_ACTIONS", "true", 1);
    setenv("GITHUB_OUTPUT", out_path, 1);
    setenv("GITHUB_STEP_SUMMARY", sum_path, 1);

    cap_begin(&cap, dir);
    ck_assert_int_eq(publish_run(&rr, &ctx, NULL, NULL, 0, 0, NULL), 0);
    std = cap_end(&cap);

    text = slurp(out_path);
    ck_assert_ptr_nonnull(text);
    /* One line per output: a value's line breaks are folded (the output
     * rule), so no value can add an output or a heredoc of its own. */
    ck_assert_str_eq(text, "status=fail\nstats=pass\ncompare=fail\n"
                     "compare-value=80\ncompare-chart=line 1 line 2\n"
                     "remote=warn\n");
    free(text);

    text = slurp(sum_path);
    {
        static const char head[] = "earlier step\n\xe2\x9d\x8c **mlgate: 1 "
            "failed, 1 warning, 1 passed**\n";

        ck_assert_msg(strncmp(text, head, strlen(head)) == 0,
                      "summary:\n%.200s", text);
    }
    ck_assert_uint_eq(count(text, MARKER), 1);
    free(text);

    /* The summary's line break is folded: one line, one command. */
    ck_assert_ptr_nonnull(strstr(std, "::error title=mlgate compare::80 < "
                                      "best 90: 100%25 worse second "
                                      "line\n"));
    ck_assert_ptr_nonnull(strstr(std, "::warning title=mlgate remote::no "
                                      "worker watches default\n"));
    ck_assert_ptr_nonnull(strstr(std, "::error file=src/a%2Cb%3Ac.py,line=7,"
                                      "title=mlgate compare::bad value\n"));
    ck_assert_ptr_null(strstr(std, "title=mlgate stats"));
    free(std);
    free(out_path);
    free(sum_path);
    free(dir);
    context_free(&ctx);
    run_result_free(&rr);
}
END_TEST

START_TEST(not_in_actions_writes_no_files)
{
    struct run_result rr;
    struct run_context ctx;
    struct cap cap;
    char *dir = tmp_dir(), *out_path, *std;

    happy(&rr);
    set_status(&rr, 0, MLG_FAIL, "no task");
    ctx_github(&ctx, NULL, 12);
    out_path = xasprintf("%s/output", dir);
    unsetenv("GITHUB_ACTIONS");
    setenv("GITHUB_OUTPUT", out_path, 1);
    cap_begin(&cap, dir);
    ck_assert_int_eq(publish_run(&rr, &ctx, NULL, NULL, 0, 0, NULL), 0);
    std = cap_end(&cap);
    ck_assert_int_ne(access(out_path, F_OK), 0);
    ck_assert_ptr_null(strstr(std, "::error"));
    free(std);
    free(out_path);
    free(dir);
    context_free(&ctx);
    run_result_free(&rr);
}
END_TEST

/* The job summary gets the whole report even when the comment is shed. */
START_TEST(summary_is_unshed)
{
    struct run_result rr;
    struct run_context ctx;
    char *dir = tmp_dir(), *sum_path, *text, *big;

    memset(&rr, 0, sizeof rr);
    big = xmalloc(70001);
    memset(big, 'x', 70000);
    big[70000] = '\0';
    add_check(&rr, "big", MLG_PASS, "big", big);
    ctx_github(&ctx, NULL, 0);
    sum_path = xasprintf("%s/summary", dir);
    setenv("GITHUB_ACTIONS", "true", 1);
    unsetenv("GITHUB_OUTPUT");
    setenv("GITHUB_STEP_SUMMARY", sum_path, 1);
    ck_assert_int_eq(publish_run(&rr, &ctx, NULL, NULL, 0, 0, NULL), 0);
    text = slurp(sum_path);
    ck_assert_ptr_nonnull(strstr(text, big));
    ck_assert_ptr_null(strstr(text, "details omitted"));
    free(text);
    free(big);
    free(sum_path);
    free(dir);
    context_free(&ctx);
    run_result_free(&rr);
}
END_TEST

/* GitHub shows 1 MiB of a step summary: a larger report is shed to fit,
 * what the step wrote before is kept. */
START_TEST(summary_capped_at_1mib)
{
    struct run_result rr;
    struct run_context ctx;
    char *dir = tmp_dir(), *sum_path, *text, *big;
    size_t n = 1200 * 1024;
    FILE *fp;

    memset(&rr, 0, sizeof rr);
    big = xmalloc(n + 1);
    memset(big, 'x', n);
    big[n] = '\0';
    add_check(&rr, "big", MLG_PASS, "big", big);
    add_check(&rr, "small", MLG_PASS, "small", "small details");
    ctx_github(&ctx, NULL, 0);
    sum_path = xasprintf("%s/summary", dir);
    fp = fopen(sum_path, "w");
    fputs("before\n", fp);
    fclose(fp);
    setenv("GITHUB_ACTIONS", "true", 1);
    unsetenv("GITHUB_OUTPUT");
    setenv("GITHUB_STEP_SUMMARY", sum_path, 1);
    ck_assert_int_eq(publish_run(&rr, &ctx, NULL, NULL, 0, 0, NULL), 0);
    text = slurp(sum_path);
    ck_assert_uint_le(strlen(text) - strlen("before\n"), 1024 * 1024);
    ck_assert_int_eq(strncmp(text, "before\n", 7), 0);
    ck_assert_ptr_nonnull(strstr(text, "**big** (PASS): details omitted"));
    /* The job log holds the text format here: it is not named. */
    ck_assert_ptr_null(strstr(text, "full report in the job log"));
    ck_assert_ptr_nonnull(strstr(text, "full report in the `--format "
                                 "markdown` output of mlgate (this job "
                                 "logged text)"));
    ck_assert_ptr_nonnull(strstr(text, "small details"));
    ck_assert_ptr_nonnull(strstr(text, MARKER));
    free(text);
    free(big);
    free(sum_path);
    free(dir);
    context_free(&ctx);
    run_result_free(&rr);
}
END_TEST

/* ---- the forge: GitHub ---- */

/* Issue 6 "must show" 1: two runs leave one comment and three statuses;
 * the second run updates the comment in place; an unchanged report makes
 * no PATCH. */
START_TEST(comment_create_update_unchanged)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    cJSON *st;
    const cJSON *cm;

    start(&s, "happy");
    happy(&rr);
    ctx_github(&ctx, &s, 12);
    conf_from(&c, "[report]\n");
    f = forge_for(&ctx, &c);

    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 1);
    ck_assert_int_eq(sbx_count(&s, "PATCH", "/issues/comments/"), 0);
    ck_assert_int_eq(sbx_count(&s, "POST", "/statuses/" SHA), 3);

    set_status(&rr, 1, MLG_FAIL, "80 < best 90");
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 1);
    ck_assert_int_eq(sbx_count(&s, "PATCH", "/issues/comments/"), 1);

    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    ck_assert_int_eq(sbx_count(&s, "PATCH", "/issues/comments/"), 1);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 1);

    cm = gh_comments(&s, &st);
    ck_assert_int_eq(comments_with_marker(cm, MARKER), 1);
    ck_assert_ptr_nonnull(strstr(marked_body(cm, MARKER),
                                 "\xe2\x9d\x8c **mlgate: 1 failed, 2 passed"));
    {
        const cJSON *sts = statuses_of(st, "github"), *e;
        int failure = 0;

        /* Statuses are per context: the latest of mlgate/compare is a
         * failure, and there are exactly three contexts. */
        cJSON_ArrayForEach(e, sts) {
            const cJSON *cx = cJSON_GetObjectItemCaseSensitive(e, "context");
            const cJSON *sx = cJSON_GetObjectItemCaseSensitive(e, "state");
            const cJSON *tu = cJSON_GetObjectItemCaseSensitive(e,
                                                               "target_url");

            ck_assert(cJSON_IsString(cx) && cJSON_IsString(sx));
            if (strcmp(cx->valuestring, "mlgate/compare") == 0)
                failure = strcmp(sx->valuestring, "failure") == 0;
            /* The status links to the comment, not to the run. */
            ck_assert(cJSON_IsString(tu));
            ck_assert_str_ne(tu->valuestring, RUN_URL);
            ck_assert_ptr_nonnull(strstr(tu->valuestring, "#issuecomment-"));
        }
        ck_assert_int_eq(failure, 1);
        ck_assert_int_ge(count_status_contexts(sts, "mlgate/"), 3);
    }
    cJSON_Delete(st);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

START_TEST(comment_found_on_page_3)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    cJSON *st;
    const cJSON *cm;

    start(&s, "many-comments");
    happy(&rr);
    ctx_github(&ctx, &s, 12);
    conf_from(&c, "[report]\nstatus = off\n");
    f = forge_for(&ctx, &c);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    ck_assert_int_eq(sbx_count(&s, "GET", "/issues/12/comments"), 3);
    ck_assert_int_eq(sbx_count(&s, "PATCH", "/issues/comments/1200"), 1);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 0);
    ck_assert_int_eq(sbx_count(&s, "POST", "/statuses/"), 0);
    cm = gh_comments(&s, &st);
    ck_assert_int_eq(cJSON_GetArraySize(cm), 250);
    ck_assert_int_eq(comments_with_marker(cm, MARKER), 1);
    cJSON_Delete(st);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

/* Issue 6 "must show" 3: a read-only token degrades to warnings; the
 * result (hence the exit code) is the one of a writable run. */
START_TEST(fork_readonly_degrades)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    struct cap cap;
    char *dir = tmp_dir(), *std, *sum_path, *text;
    int overall, code, failed;
    cJSON *st;

    start(&s, "fork-readonly");
    happy(&rr);
    set_status(&rr, 1, MLG_FAIL, "80 < best 90");
    overall = rr.overall;
    code = result_exit_code(rr.overall);
    ctx_github(&ctx, &s, 12);
    free(ctx.head_repo);
    ctx.head_repo = xstrdup("contrib/ml-repo");
    ctx.is_fork = 1;
    conf_from(&c, "[report]\n");
    f = forge_for(&ctx, &c);
    sum_path = xasprintf("%s/summary", dir);
    setenv("GITHUB_ACTIONS", "true", 1);
    setenv("GITHUB_STEP_SUMMARY", sum_path, 1);

    cap_begin(&cap, dir);
    failed = publish_run(&rr, &ctx, &c, f, 0, 0, NULL);
    std = cap_end(&cap);
    ck_assert_int_eq(failed, 2);
    ck_assert_ptr_nonnull(strstr(std, "::warning::mlgate could not create "
                                      "the PR comment: "));
    ck_assert_ptr_nonnull(strstr(std, "Resource not accessible by "
                                      "integration"));
    ck_assert_ptr_nonnull(strstr(std, "::warning::mlgate could not set the "
                                      "commit statuses: "));
    /* One refused status is enough to stop trying. */
    ck_assert_int_eq(sbx_count(&s, "POST", "/statuses/"), 1);
    ck_assert_ptr_nonnull(strstr(std, "::error title=mlgate compare::"));
    ck_assert_int_eq(rr.overall, overall);
    ck_assert_int_eq(result_exit_code(rr.overall), code);
    text = slurp(sum_path);
    ck_assert_ptr_nonnull(strstr(text, MARKER));
    free(text);
    st = sbx_state(&s);
    ck_assert_int_eq(cJSON_GetArraySize(statuses_of(st, "github")), 0);
    cJSON_Delete(st);
    free(std);
    free(sum_path);
    free(dir);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

START_TEST(rate_limited_retries)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    cJSON *st;
    const cJSON *cm;

    start(&s, "rate-limited");
    happy(&rr);
    ctx_github(&ctx, &s, 12);
    conf_from(&c, "[report]\n");
    f = forge_for(&ctx, &c);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    cm = gh_comments(&s, &st);
    ck_assert_int_eq(comments_with_marker(cm, MARKER), 1);
    ck_assert_int_eq(count_status_contexts(statuses_of(st, "github"),
                                           "mlgate/"), 3);
    /* The limited requests were answered 403 and tried again. */
    ck_assert_int_ge(sbx_count(&s, NULL, "/issues/12/comments"), 3);
    ck_assert_int_eq(sbx_count(&s, "POST", "/statuses/"), 4);
    cJSON_Delete(st);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

/* A 70,000-character report is shed below GitHub's limit with the note;
 * a 422 "too long" is answered by shedding to half and retrying once. */
START_TEST(long_report_is_shed)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    cJSON *st;
    const cJSON *cm;
    const char *body;
    char *big = xmalloc(70001), *mid = xmalloc(40001);

    start(&s, "happy");
    memset(big, 'x', 70000);
    big[70000] = '\0';
    memset(mid, 'y', 40000);
    mid[40000] = '\0';
    memset(&rr, 0, sizeof rr);
    add_check(&rr, "big", MLG_FAIL, "huge details", big);
    add_check(&rr, "mid", MLG_PASS, "mid details", mid);
    ctx_github(&ctx, &s, 12);
    conf_from(&c, "[report]\nstatus = off\n");
    f = forge_for(&ctx, &c);

    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    cm = gh_comments(&s, &st);
    body = marked_body(cm, MARKER);
    ck_assert_ptr_nonnull(body);
    ck_assert_uint_le(md_length(body), MD_LIMIT_GITHUB);
    ck_assert_ptr_nonnull(strstr(body, "details omitted (70,000 characters)"));
    ck_assert_ptr_nonnull(strstr(body, "full report in the job summary of "
                                       "[the CI run](" RUN_URL ")"));
    ck_assert_ptr_nonnull(strstr(body, mid));
    ck_assert_ptr_nonnull(strstr(body, "| big | huge details |"));
    cJSON_Delete(st);

    /* The forge refuses the next body once with 422: shed more, retry. */
    ck_assert_int_eq(sbx_post(&s, "/__fault", "{\"match\": {\"service\": "
                              "\"github\", \"method\": \"PATCH\"}, \"status\":"
                              " 422, \"body\": {\"message\": \"Validation "
                              "Failed\", \"errors\": [{\"resource\": "
                              "\"IssueComment\", \"code\": \"custom\", "
                              "\"field\": \"body\", \"message\": \"body is "
                              "too long (maximum is 65536 characters)\"}]}}")
                     / 100, 2);
    set_status(&rr, 1, MLG_WARN, "mid details changed");
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    ck_assert_int_eq(sbx_count(&s, "PATCH", "/issues/comments/"), 2);
    cm = gh_comments(&s, &st);
    body = marked_body(cm, MARKER);
    ck_assert_uint_le(md_length(body), MD_LIMIT_GITHUB / 2);
    ck_assert_ptr_nonnull(strstr(body, "mid details changed"));
    ck_assert_ptr_null(strstr(body, mid));
    ck_assert_int_eq(comments_with_marker(cm, MARKER), 1);
    cJSON_Delete(st);
    free(big);
    free(mid);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

/* A metric named like the marker, raw in details and in a summary, does
 * not make a second run lose or duplicate the comment. */
START_TEST(hostile_text_harmless)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    cJSON *st;
    const cJSON *cm;
    const char *body;
    char *esc = md_escape(HOSTILE, MLG_MD_CELL), *det;

    start(&s, "happy");
    det = xasprintf("| Metric |\n| --- |\n| %s |\n\nraw " HOSTILE "\n", esc);
    memset(&rr, 0, sizeof rr);
    add_check(&rr, "stats", MLG_FAIL, "metric " HOSTILE, det);
    add_check(&rr, "other", MLG_PASS, "ok", "nothing\n");
    ctx_github(&ctx, &s, 12);
    conf_from(&c, "[report]\nstatus = off\n");
    f = forge_for(&ctx, &c);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    set_status(&rr, 1, MLG_WARN, "changed");
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 1);
    ck_assert_int_eq(sbx_count(&s, "PATCH", "/issues/comments/"), 1);
    cm = gh_comments(&s, &st);
    body = marked_body(cm, MARKER);
    ck_assert_uint_eq(count(body, MARKER), 1);
    ck_assert_uint_eq(count(body, "<!--"), 1);
    ck_assert_uint_eq(count(body, "</details>"), count(body, "<details"));
    cJSON_Delete(st);
    free(esc);
    free(det);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

/* Statuses carry at most 140 characters; long ones end in an ellipsis. */
START_TEST(status_descriptions)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    struct buf b = {0};
    cJSON *st;
    const cJSON *e;
    int i, seen = 0;

    start(&s, "happy");
    for (i = 0; i < 100; i++)
        buf_adds(&b, "\xc3\xa9t\xc3\xa9 ");
    happy(&rr);
    set_status(&rr, 2, MLG_WARN, b.p);
    ctx_github(&ctx, &s, 0); /* a push: statuses only */
    conf_from(&c, "[report]\n");
    f = forge_for(&ctx, &c);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    ck_assert_int_eq(sbx_count(&s, NULL, "/issues/"), 0);
    st = sbx_state(&s);
    cJSON_ArrayForEach(e, statuses_of(st, "github")) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "description");
        const cJSON *cx = cJSON_GetObjectItemCaseSensitive(e, "context");
        const cJSON *sx = cJSON_GetObjectItemCaseSensitive(e, "state");
        const cJSON *tu = cJSON_GetObjectItemCaseSensitive(e, "target_url");

        ck_assert(cJSON_IsString(d) && cJSON_IsString(cx));
        ck_assert_uint_le(md_length(d->valuestring), 140);
        /* No comment on a push: the status links to the run. */
        ck_assert_str_eq(tu->valuestring, RUN_URL);
        if (strcmp(cx->valuestring, "mlgate/remote") == 0) {
            seen = 1;
            ck_assert_str_eq(sx->valuestring, "success");
            ck_assert_uint_eq(md_length(d->valuestring), 140);
            ck_assert_msg(strncmp(d->valuestring, "WARN: ", 6) == 0, "%s",
                          d->valuestring);
            ck_assert_str_eq(d->valuestring + strlen(d->valuestring) - 3,
                             "\xe2\x80\xa6");
        }
    }
    ck_assert_int_eq(seen, 1);
    cJSON_Delete(st);
    buf_free(&b);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

START_TEST(dry_run_writes_nothing)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;

    start(&s, "many-comments");
    happy(&rr);
    ctx_github(&ctx, &s, 12);
    conf_from(&c, "[report]\n");
    f = forge_for(&ctx, &c);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 1, 0, NULL), 0);
    /* Reading to say what would change is fine; writing is not. */
    ck_assert_int_eq(sbx_count(&s, "GET", "/issues/12/comments"), 3);
    ck_assert_int_eq(sbx_count(&s, "POST", NULL), 0);
    ck_assert_int_eq(sbx_count(&s, "PATCH", NULL), 0);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

START_TEST(conf_comment_new_and_off)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;

    start(&s, "happy");
    happy(&rr);
    ctx_github(&ctx, &s, 12);
    conf_from(&c, "[report]\ncomment = new\nstatus = off\nid = nightly\n");
    f = forge_for(&ctx, &c);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    /* "new" never looks for the old one. */
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 2);
    ck_assert_int_eq(sbx_count(&s, "GET", "/issues/12/comments"), 0);
    ck_assert_int_eq(sbx_count(&s, "POST", "/statuses/"), 0);
    forge_free(f);
    conf_free(&c);

    conf_from(&c, "[report]\ncomment = off\n");
    f = forge_for(&ctx, &c);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    ck_assert_int_eq(sbx_count(&s, NULL, "/issues/"), 2);
    ck_assert_int_eq(sbx_count(&s, "POST", "/statuses/"), 3);
    {
        cJSON *st;
        const cJSON *cm = gh_comments(&s, &st);

        ck_assert_int_eq(comments_with_marker(cm,
                                              "<!-- mlgate:nightly -->"), 2);
        cJSON_Delete(st);
    }
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

/* ---- the comment lookup: lazy author, beside the checks ---- */

/* The scenario under tests/data/scenarios (not the sandbox's own).
 * Caller frees. */
static char *data_scenario(const char *name)
{
    const char *src = getenv("MLG_SRCDIR");

    return xasprintf("%s/tests/data/scenarios/%s", src && *src ? src : ".",
                     name);
}

/* Wait until the sandbox logged n requests matching method and part
 * (polls the log: an event, not a guess at a duration). */
static void wait_count(const struct sbx *s, const char *method,
                       const char *part, int n)
{
    double until = now_mono() + 20;

    while (sbx_count(s, method, part) < n) {
        ck_assert_msg(now_mono() < until, "no %s %s in the log", method,
                      part);
        poll(NULL, 0, 10);
    }
}

/* The id of the PR's comment carrying marker, or 0. */
static long long marked_id(const struct sbx *s, const char *marker)
{
    cJSON *st;
    const cJSON *c, *cm = gh_comments(s, &st);
    long long id = 0;

    cJSON_ArrayForEach(c, cm) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(c, "body");

        if (cJSON_IsString(b) && strstr(b->valuestring, marker))
            id = (long long)cJSON_GetNumberValue(
                cJSON_GetObjectItemCaseSensitive(c, "id"));
    }
    cJSON_Delete(st);
    return id;
}

/* No mlgate comment on the PR: list + POST, no GET /user.  With ours:
 * GET /user once, then the PATCH. */
START_TEST(author_only_for_a_marker)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;

    start(&s, "happy");
    happy(&rr);
    ctx_github(&ctx, &s, 12);
    conf_from(&c, "[report]\nstatus = off\n");
    f = forge_for(&ctx, &c);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    ck_assert_int_eq(sbx_count(&s, "GET", "/github/user"), 0);
    ck_assert_int_eq(sbx_count(&s, "GET", "/issues/12/comments"), 1);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 1);
    ck_assert_int_eq(sbx_count(&s, NULL, "/github/"), 2);
    forge_free(f);

    /* The next run (a new handle) meets its own marker comment. */
    f = forge_for(&ctx, &c);
    set_status(&rr, 1, MLG_FAIL, "80 < best 90");
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    ck_assert_int_eq(sbx_count(&s, "GET", "/github/user"), 1);
    ck_assert_int_eq(sbx_count(&s, "PATCH", "/issues/comments/"), 1);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 1);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

/* Only someone else's marker comment: GET /user once (to tell it from
 * ours), then a POST; the foreign comment is untouched. */
START_TEST(author_for_a_foreign_marker)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    char *scen = data_scenario("trust-foreign-marker.json");
    char *before;
    cJSON *st;
    const cJSON *cm;

    start(&s, scen);
    happy(&rr);
    ctx_github(&ctx, &s, 12);
    conf_from(&c, "[report]\nstatus = off\n");
    f = forge_for(&ctx, &c);
    before = xstrdup(marked_body(gh_comments(&s, &st), MARKER));
    cJSON_Delete(st);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    ck_assert_int_eq(sbx_count(&s, "GET", "/github/user"), 1);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 1);
    ck_assert_int_eq(sbx_count(&s, "PATCH", NULL), 0);
    cm = gh_comments(&s, &st);
    ck_assert_int_eq(comments_with_marker(cm, MARKER), 2);
    /* The first marked comment is still the foreign one, as it was. */
    ck_assert_str_eq(marked_body(cm, MARKER), before);
    cJSON_Delete(st);
    free(before);
    free(scen);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

/* The lookup made beside the checks is what publish uses: the comments
 * are listed once, by the helper. */
START_TEST(prefetch_answer_used)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    struct prefetch *pf;

    start(&s, "happy");
    happy(&rr);
    ctx_github(&ctx, &s, 12);
    conf_from(&c, "[report]\n");
    f = forge_for(&ctx, &c);
    pf = publish_prefetch(&ctx, &c, f, 0);
    ck_assert_ptr_nonnull(pf);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, pf), 0);
    prefetch_free(pf);
    ck_assert_int_eq(sbx_count(&s, "GET", "/issues/12/comments"), 1);
    ck_assert_int_eq(sbx_count(&s, "GET", "/github/user"), 0);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 1);
    ck_assert_int_eq(sbx_count(&s, "POST", "/statuses/"), 3);
    ck_assert_int_eq(marked_id(&s, MARKER) > 0, 1);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

/* Not started when publishing will not look: comment = new or off, no
 * PR, no forge.  (Started otherwise: prefetch_answer_used.)  No request
 * is made: forge_new only builds the handle. */
START_TEST(prefetch_only_for_update)
{
    struct run_context ctx;
    struct conf c;
    struct forge *f;

    setenv("GITHUB_TOKEN", "ghs_notUsedForAnyRequest000000", 1);
    ctx_github(&ctx, NULL, 12);
    conf_from(&c, "[report]\ncomment = new\n");
    f = forge_for(&ctx, &c);
    ck_assert_ptr_null(publish_prefetch(&ctx, &c, f, 0));
    forge_free(f);
    conf_free(&c);
    conf_from(&c, "[report]\ncomment = off\n");
    f = forge_for(&ctx, &c);
    ck_assert_ptr_null(publish_prefetch(&ctx, &c, f, 0));
    forge_free(f);
    conf_free(&c);
    conf_from(&c, "[report]\ncomment = update\n");
    ck_assert_ptr_null(publish_prefetch(&ctx, &c, NULL, 0));
    ctx.pr = 0;
    f = forge_for(&ctx, &c);
    ck_assert_ptr_null(publish_prefetch(&ctx, &c, f, 0));
    forge_free(f);
    conf_free(&c);
    context_free(&ctx);
    unsetenv("GITHUB_TOKEN");
}
END_TEST

/* The helper learnt the author (a foreign marker made it ask); the
 * create is answered 502 after GitHub made it, and the recovery's
 * second list does not ask GET /user again. */
START_TEST(prefetch_author_learnt)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    struct prefetch *pf;
    char *scen = data_scenario("trust-foreign-marker.json");

    start(&s, scen);
    ck_assert_int_eq(sbx_post(&s, "/__fault", "{\"match\":{\"service\":"
                              "\"github\",\"method\":\"POST\",\"path\":"
                              "\"/issues/12/comments\"},\"status\":502,"
                              "\"acted\":true}"), 200);
    happy(&rr);
    ctx_github(&ctx, &s, 12);
    conf_from(&c, "[report]\nstatus = off\n");
    f = forge_for(&ctx, &c);
    pf = publish_prefetch(&ctx, &c, f, 0);
    ck_assert_ptr_nonnull(pf);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, pf), 0);
    prefetch_free(pf);
    ck_assert_str_eq(forge_author_known(f), "github-actions[bot]");
    ck_assert_int_eq(sbx_count(&s, "GET", "/github/user"), 1);
    ck_assert_int_eq(sbx_count(&s, "GET", "/issues/12/comments"), 2);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 1);
    {
        cJSON *st;

        ck_assert_int_eq(comments_with_marker(gh_comments(&s, &st),
                                              MARKER), 2);
        cJSON_Delete(st);
    }
    free(scen);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

/* The helper's list fails (404 to it alone): publish lists inline and
 * creates the comment. */
START_TEST(prefetch_failed_inline)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    struct prefetch *pf;

    start(&s, "happy");
    ck_assert_int_eq(sbx_post(&s, "/__fault", "{\"match\":{\"service\":"
                              "\"github\",\"method\":\"GET\",\"path\":"
                              "\"/issues/12/comments\"},\"status\":404,"
                              "\"body\":{\"message\":\"Not Found\"}}"),
                     200);
    happy(&rr);
    ctx_github(&ctx, &s, 12);
    conf_from(&c, "[report]\nstatus = off\n");
    f = forge_for(&ctx, &c);
    pf = publish_prefetch(&ctx, &c, f, 0);
    ck_assert_ptr_nonnull(pf);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, pf), 0);
    prefetch_free(pf);
    ck_assert_int_eq(sbx_count(&s, "GET", "/issues/12/comments"), 2);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 1);
    ck_assert_int_gt(marked_id(&s, MARKER), 0);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

/* Every list answers 500: the helper fails, publish lists inline (its
 * own tries) and warns as without the helper; nothing is created. */
START_TEST(prefetch_failed_inline_warns)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    struct prefetch *pf;
    int lists_ahead;

    setenv("MLGATE_HTTP_BACKOFF", "0.01", 1);
    start(&s, "happy");
    ck_assert_int_eq(sbx_post(&s, "/__fault", "{\"match\":{\"service\":"
                              "\"github\",\"method\":\"GET\",\"path\":"
                              "\"/issues/12/comments\"},\"status\":500,"
                              "\"count\":0}"), 200);
    happy(&rr);
    ctx_github(&ctx, &s, 12);
    conf_from(&c, "[report]\nstatus = off\n");
    f = forge_for(&ctx, &c);
    pf = publish_prefetch(&ctx, &c, f, 0);
    ck_assert_ptr_nonnull(pf);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, pf), 1);
    prefetch_free(pf);
    lists_ahead = sbx_count(&s, "GET", "/issues/12/comments") / 2;
    ck_assert_int_ge(lists_ahead, 1);
    /* As many tries inline as the helper made. */
    ck_assert_int_eq(sbx_count(&s, "GET", "/issues/12/comments"),
                     2 * lists_ahead);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 0);
    unsetenv("MLGATE_HTTP_BACKOFF");
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

/* The comment the helper found is deleted before publish updates it:
 * the PATCH answers 404, publish lists again, finds nothing and
 * creates the comment. */
START_TEST(prefetch_id_deleted)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    struct prefetch *pf;
    struct mlg_error err;
    cJSON *data = NULL;
    long long id;
    char *path, *patch;
    int status;

    start(&s, "happy");
    happy(&rr);
    ctx_github(&ctx, &s, 12);
    conf_from(&c, "[report]\nstatus = off\n");
    f = forge_for(&ctx, &c);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    id = marked_id(&s, MARKER);
    ck_assert_int_gt(id, 0);
    forge_free(f);

    f = forge_for(&ctx, &c);
    pf = publish_prefetch(&ctx, &c, f, 0);
    ck_assert_ptr_nonnull(pf);
    /* The helper listed (and so holds the id): delete the comment. */
    wait_count(&s, "GET", "/issues/12/comments", 2);
    path = xasprintf("/repos/acme/ml-repo/issues/comments/%lld", id);
    sbx_off_spec(&s, "DELETE", 0, "/issues/comments/", "the test deletes "
                 "mlgate's comment while the lookup made beside the checks "
                 "holds its id");
    memset(&err, 0, sizeof err);
    ck_assert_msg(forge_call(f, "DELETE", path, NULL, &status, &data, 0,
                             &err) == 0, "%s", err.message);
    cJSON_Delete(data);
    set_status(&rr, 1, MLG_FAIL, "80 < best 90");
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, pf), 0);
    prefetch_free(pf);
    patch = xasprintf("/issues/comments/%lld", id);
    ck_assert_int_eq(sbx_count(&s, "PATCH", patch), 1);
    ck_assert_int_eq(sbx_count(&s, "GET", "/issues/12/comments"), 3);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 2);
    {
        cJSON *st;
        const cJSON *cm = gh_comments(&s, &st);

        ck_assert_int_eq(comments_with_marker(cm, MARKER), 1);
        ck_assert_ptr_nonnull(strstr(marked_body(cm, MARKER),
                                     "1 failed, 2 passed"));
        cJSON_Delete(st);
    }
    ck_assert_int_ne(marked_id(&s, MARKER), id);
    free(path);
    free(patch);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

/* An answer is used up to PREFETCH_FRESH seconds after it was made. */
START_TEST(prefetch_freshness_rule)
{
    ck_assert_int_eq(prefetch_fresh(100.0, 100.0), 1);
    ck_assert_int_eq(prefetch_fresh(100.0, 100.0 + PREFETCH_FRESH), 1);
    ck_assert_int_eq(prefetch_fresh(100.0, 100.5 + PREFETCH_FRESH), 0);
    ck_assert_int_eq(prefetch_fresh(100.0, 1000.0), 0);
}
END_TEST

/* ---- the forge: GitLab ---- */

/* Every status POST of the log names pipeline 501 and the MR ref, and
 * the statuses in the state landed on that pipeline (want of them). */
static void gitlab_assert_mr_pipeline(const struct sbx *s, cJSON *st,
                                      int want)
{
    cJSON *log = sbx_log(s);
    const cJSON *e;
    int posts = 0, landed = 0;

    cJSON_ArrayForEach(e, log) {
        const char *m = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(e, "method"));
        const char *path = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(e, "path"));
        cJSON *body;

        if (!m || !path || strcmp(m, "POST") != 0 ||
            !strstr(path, "/statuses/"))
            continue;
        body = cJSON_Parse(cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(e, "req_body")));
        ck_assert_msg(body != NULL, "status request without a body");
        ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
            body, "pipeline_id")) == 501);
        ck_assert_str_eq(cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(body, "ref")),
            "refs/merge-requests/7/head");
        cJSON_Delete(body);
        posts++;
    }
    cJSON_Delete(log);
    ck_assert_int_ge(posts, want);
    cJSON_ArrayForEach(e, statuses_of(st, "gitlab")) {
        ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
            e, "pipeline_id")) == 501);
        landed++;
    }
    ck_assert_int_eq(landed, want);
}


START_TEST(gitlab_note_and_statuses)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    cJSON *st;
    const cJSON *notes, *n;
    int marked = 0;

    start(&s, "happy");
    happy(&rr);
    ctx_gitlab(&ctx);
    conf_from(&c, "[report]\n");
    f = forge_for(&ctx, &c);
    ck_assert_str_eq(forge_kind(f), "gitlab");
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    set_status(&rr, 0, MLG_FAIL, "no task");
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    ck_assert_int_eq(sbx_count(&s, "POST", "/merge_requests/7/notes"), 1);
    ck_assert_int_eq(sbx_count(&s, "PUT", "/merge_requests/7/notes/"), 1);
    st = sbx_state(&s);
    notes = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(st, "gitlab"), "notes"), "42!7");
    cJSON_ArrayForEach(n, notes) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(n, "body");

        if (cJSON_IsString(b) && strstr(b->valuestring, MARKER)) {
            marked++;
            ck_assert_ptr_nonnull(strstr(b->valuestring, "mlgate: 1 failed"));
            ck_assert_ptr_nonnull(strstr(b->valuestring, "[CI run](https://"
                                         "gitlab.example.com/acme/ml-repo/-/"
                                         "pipelines/5)"));
        }
    }
    ck_assert_int_eq(marked, 1);
    ck_assert_int_ge(count_status_contexts(statuses_of(st, "gitlab"),
                                           "mlgate/"), 3);
    gitlab_assert_mr_pipeline(&s, st, 6);
    cJSON_Delete(st);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

/* 409 "Another update to this commit status is in progress" is repeated:
 * every status still lands, once. */
START_TEST(gitlab_status_conflict_retried)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    cJSON *st;

    start(&s, "happy");
    ck_assert_int_eq(sbx_post(&s, "/__fault", "{\"match\":{\"service\":"
                              "\"gitlab\",\"method\":\"POST\",\"path\":"
                              "\"/statuses/\"},\"nth\":2,\"count\":1,"
                              "\"status\":409,\"body\":{\"message\":"
                              "\"409 Conflict: Another update to this commit "
                              "status is in progress\"}}"), 200);
    happy(&rr);
    ctx_gitlab(&ctx);
    conf_from(&c, "[report]\n");
    f = forge_for(&ctx, &c);
    ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
    ck_assert_int_eq(sbx_count(&s, "POST", "/statuses/"), 4);
    st = sbx_state(&s);
    ck_assert_int_eq(cJSON_GetArraySize(statuses_of(st, "gitlab")), 3);
    gitlab_assert_mr_pipeline(&s, st, 3);
    cJSON_Delete(st);
    done(&s, &rr, &ctx, &c, f);
}
END_TEST

/* A target_url over GitLab's 255 characters loses its query; a path that
 * is itself too long is left out rather than cut into another link. */
START_TEST(gitlab_long_target_url)
{
    struct sbx s;
    struct run_result rr;
    struct run_context ctx;
    struct conf c;
    struct forge *f;
    cJSON *st;
    const cJSON *e;
    char url[600];
    int i, cut = 0, none = 0;

    for (i = 0; i < 2; i++) {
        start(&s, "happy");
        happy(&rr);
        snprintf(url, sizeof url, "https://gitlab.example.com/acme/ml-repo/"
                 "-/pipelines/5%s%0300d", i == 0 ? "?x=" : "/", 0);
        ctx_gitlab(&ctx);
        free(ctx.run_url);
        ctx.run_url = xstrdup(url);
        conf_from(&c, "[report]\ncomment = off\n");
        f = forge_for(&ctx, &c);
        ck_assert_int_eq(publish_run(&rr, &ctx, &c, f, 0, 0, NULL), 0);
        st = sbx_state(&s);
        ck_assert_int_eq(cJSON_GetArraySize(statuses_of(st, "gitlab")), 3);
        cJSON_ArrayForEach(e, statuses_of(st, "gitlab")) {
            const cJSON *tu = cJSON_GetObjectItemCaseSensitive(e,
                                                               "target_url");

            if (i == 0 && cJSON_IsString(tu) &&
                strcmp(tu->valuestring, "https://gitlab.example.com/acme/"
                       "ml-repo/-/pipelines/5") == 0)
                cut++;
            if (i == 1 && cJSON_IsNull(tu))
                none++;
        }
        cJSON_Delete(st);
        done(&s, &rr, &ctx, &c, f);
    }
    ck_assert_int_eq(cut, 3);
    ck_assert_int_eq(none, 3);
}
END_TEST

static Suite *publish_suite(void)
{
    Suite *s = suite_create("publish");
    TCase *core = tcase_create("core");
    TCase *forge = tcase_create("forge");
    TCase *errors = tcase_create("errors");
    TCase *lookup = tcase_create("lookup");

    tcase_add_test(core, actions_files_and_annotations);
    tcase_add_test(core, not_in_actions_writes_no_files);
    tcase_add_test(core, summary_is_unshed);
    tcase_add_test(core, summary_capped_at_1mib);
    suite_add_tcase(s, core);

    /* Each test starts its own sandbox; the rate-limited one waits for
     * the limits it is given (a few seconds). */
    tcase_set_timeout(forge, 30);
    tcase_add_test(forge, comment_create_update_unchanged);
    tcase_add_test(forge, comment_found_on_page_3);
    tcase_add_test(forge, long_report_is_shed);
    tcase_add_test(forge, hostile_text_harmless);
    tcase_add_test(forge, status_descriptions);
    tcase_add_test(forge, dry_run_writes_nothing);
    tcase_add_test(forge, conf_comment_new_and_off);
    tcase_add_test(forge, gitlab_note_and_statuses);
    tcase_add_test(forge, gitlab_status_conflict_retried);
    tcase_add_test(forge, gitlab_long_target_url);
    suite_add_tcase(s, forge);

    tcase_set_timeout(lookup, 30);
    tcase_add_test(lookup, author_only_for_a_marker);
    tcase_add_test(lookup, author_for_a_foreign_marker);
    tcase_add_test(lookup, prefetch_answer_used);
    tcase_add_test(lookup, prefetch_only_for_update);
    tcase_add_test(lookup, prefetch_author_learnt);
    tcase_add_test(lookup, prefetch_failed_inline);
    tcase_add_test(lookup, prefetch_failed_inline_warns);
    tcase_add_test(lookup, prefetch_id_deleted);
    tcase_add_test(lookup, prefetch_freshness_rule);
    suite_add_tcase(s, lookup);

    tcase_set_timeout(errors, 30);
    tcase_add_test(errors, fork_readonly_degrades);
    tcase_add_test(errors, rate_limited_retries);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(publish_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
