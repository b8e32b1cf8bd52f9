/*
 * check_forge.c - tests of the GitHub and GitLab clients against
 * mlgate-sandbox: the marker comment across pages (Link rel="next" and
 * X-Next-Page), create and update, commit statuses, the PR head lookup,
 * rate limits, a read-only token, 401/422 messages without secrets, and
 * the same-origin rule for absolute URLs.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "context.h"
#include "forge.h"
#include "forge_impl.h"
#include "http.h"
#include "log.h"
#include "sbx.h"
#include "util.h"

#define SHA "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345"
#define MARKER "<!-- mlgate:mlgate -->"
#define WRITE_TOKEN "ghs_sbxWriteToken0123456789abcdef"
#define RO_TOKEN "ghs_sbxReadOnlyToken0123456789abc"
#define GL_TOKEN "glpat-sbxGitlabToken0123456789"

static struct sbx sb;
static char tmpdir[4096];

static void start(const char *scenario)
{
    ck_assert_msg(sbx_start(&sb, scenario, NULL) == 0,
                  "mlgate-sandbox did not start on %s", scenario);
    sbx_export_env(&sb);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");

    ck_assert_int_eq(http_global_init(), 0);
    unsetenv("GH_TOKEN");
    unsetenv("CI_JOB_TOKEN");
    setenv("MLGATE_HTTP_BACKOFF", "0.01", 1);
    snprintf(tmpdir, sizeof tmpdir, "%s/mlg-forge-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    memset(&sb, 0, sizeof sb);
}

static void teardown(void)
{
    char *p = xasprintf("%s/scenario.json", tmpdir);

    if (sb.pid > 0)
        sbx_stop(&sb);
    unlink(p);
    free(p);
    rmdir(tmpdir);
    http_global_cleanup();
}

static void make_ctx(struct run_context *ctx, const char *forge)
{
    int gl = strcmp(forge, "gitlab") == 0;

    memset(ctx, 0, sizeof *ctx);
    ctx->forge = xstrdup(forge);
    ctx->event = xstrdup(gl ? "merge_request" : "pull_request");
    ctx->repo = xstrdup("acme/ml-repo");
    ctx->project_id = xstrdup(gl ? "42" : "");
    ctx->pr = gl ? 7 : 12;
    ctx->head_sha = xstrdup(SHA);
    ctx->head_ref = xstrdup("feature-x");
    ctx->head_repo = xstrdup("acme/ml-repo");
    ctx->head_clone_url = xstrdup("");
    ctx->base_ref = xstrdup("main");
    ctx->base_sha = xstrdup("");
    ctx->run_url = xstrdup("");
    ctx->api_url = xstrdup(gl ? sb.gitlab_api : sb.github_api);
    ctx->server_url = xstrdup(gl ? "https://gitlab.example.com"
                                 : "https://github.com");
}

static struct forge *open_forge(const char *kind)
{
    struct run_context ctx;
    struct mlg_error err;
    struct forge *f;

    make_ctx(&ctx, kind);
    f = forge_new(&ctx, NULL, &err);
    ck_assert_msg(f != NULL, "%s", err.message);
    ck_assert_str_eq(forge_kind(f), kind);
    context_free(&ctx);
    return f;
}

static void assert_no_secret(const struct mlg_error *err)
{
    ck_assert_msg(!log_has_secret(err->message), "%s", err->message);
    ck_assert_ptr_null(strstr(err->message, WRITE_TOKEN));
    ck_assert_ptr_null(strstr(err->message, RO_TOKEN));
    ck_assert_ptr_null(strstr(err->message, GL_TOKEN));
}

/* The comments the sandbox holds for a key ("acme/ml-repo#12"). */
static cJSON *state_list(const char *forge, const char *what,
                         const char *key)
{
    cJSON *st = sbx_state(&sb), *l;

    ck_assert_ptr_nonnull(st);
    l = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(st, forge), what), key);
    l = l ? cJSON_Duplicate(l, 1) : cJSON_CreateArray();
    cJSON_Delete(st);
    return l;
}

START_TEST(test_no_forge_no_token)
{
    struct run_context ctx;
    struct mlg_error err;

    start("happy");
    make_ctx(&ctx, "none");
    ck_assert_ptr_null(forge_new(&ctx, NULL, &err));
    ck_assert_int_eq(err.kind, MLG_E_CONFIG);
    context_free(&ctx);
    unsetenv("GITHUB_TOKEN");
    make_ctx(&ctx, "github");
    ck_assert_ptr_null(forge_new(&ctx, NULL, &err));
    ck_assert_int_eq(err.kind, MLG_E_CONFIG);
    ck_assert_str_eq(err.message, "github: no token (set GITHUB_TOKEN or "
                                  "GH_TOKEN)");
    /* GH_TOKEN is the fallback. */
    setenv("GH_TOKEN", WRITE_TOKEN, 1);
    {
        struct forge *f = forge_new(&ctx, NULL, &err);

        ck_assert_ptr_nonnull(f);
        forge_free(f);
    }
    context_free(&ctx);
}
END_TEST

START_TEST(test_find_comment_pages)
{
    struct forge *f;
    struct mlg_error err;
    long long id = -1;
    char *body = NULL, *url = NULL;
    int pages = 0;

    start("many-comments");
    f = open_forge("github");
    ck_assert_msg(forge_find_comment(f, 12, MARKER, &id, &body, &url, &pages,
                                     0, &err) == 0, "%s", err.message);
    ck_assert_int_eq(id, 1200);
    ck_assert_int_eq(pages, 3);
    ck_assert_ptr_nonnull(strstr(body, MARKER));
    ck_assert_ptr_nonnull(url);
    ck_assert_int_eq(sbx_count(&sb, "GET", "/issues/12/comments"), 3);
    free(body);
    free(url);

    /* A marker nobody wrote: every page, then id 0. */
    ck_assert_int_eq(forge_find_comment(f, 12, "<!-- mlgate:other -->", &id,
                                        NULL, NULL, &pages, 0, &err), 0);
    ck_assert_int_eq(id, 0);
    ck_assert_int_eq(pages, 3);
    forge_free(f);
}
END_TEST

/* The author is resolved only when a listed page holds a comment
 * carrying the marker: a PR without one costs no GET /user; once one
 * is there, GET /user once per handle.  GitHub comments, GitLab notes. */
START_TEST(test_author_lazy)
{
    static const char *const kinds[] = { "github", "gitlab" };
    static const char *const user[] = { "/github/user",
                                        "/gitlab/api/v4/user" };
    struct forge *f;
    struct mlg_error err;
    long long id = 0;
    long pr = _i == 0 ? 12 : 7;
    int pages = 0;

    start("happy");
    f = open_forge(kinds[_i]);
    ck_assert_msg(forge_find_comment(f, pr, MARKER, &id, NULL, NULL, &pages,
                                     0, &err) == 0, "%s", err.message);
    ck_assert_int_eq(id, 0);
    ck_assert_int_ge(pages, 1);
    ck_assert_int_eq(sbx_count(&sb, "GET", user[_i]), 0);
    ck_assert_ptr_null(forge_author_known(f));
    ck_assert_int_eq(forge_put_comment(f, pr, 0, "report\n" MARKER, NULL, 0,
                                       &err), 0);
    ck_assert_msg(forge_find_comment(f, pr, MARKER, &id, NULL, NULL, &pages,
                                     0, &err) == 0, "%s", err.message);
    ck_assert_int_gt(id, 0);
    ck_assert_int_eq(sbx_count(&sb, "GET", user[_i]), 1);
    ck_assert_ptr_nonnull(forge_author_known(f));
    ck_assert_int_eq(forge_find_comment(f, pr, MARKER, &id, NULL, NULL,
                                        &pages, 0, &err), 0);
    ck_assert_int_eq(sbx_count(&sb, "GET", user[_i]), 1);
    forge_free(f);

    /* An author learnt elsewhere (the lookup made beside the checks) is
     * not asked for again. */
    f = open_forge(kinds[_i]);
    forge_learn(f, _i == 0 ? "github-actions[bot]" : "project_42_bot", 1);
    ck_assert_int_eq(forge_foreign_said(f), 1);
    ck_assert_int_eq(forge_find_comment(f, pr, MARKER, &id, NULL, NULL,
                                        &pages, 0, &err), 0);
    ck_assert_int_gt(id, 0);
    ck_assert_int_eq(sbx_count(&sb, "GET", user[_i]), 1);
    forge_free(f);
}
END_TEST

START_TEST(test_put_comment)
{
    struct forge *f;
    struct mlg_error err;
    long long id = 0;
    char *url = NULL;
    cJSON *l;
    int pages, before;

    start("happy");
    l = state_list("github", "comments", "acme/ml-repo#12");
    before = cJSON_GetArraySize(l);
    cJSON_Delete(l);
    f = open_forge("github");
    ck_assert_int_eq(forge_find_comment(f, 12, MARKER, &id, NULL, NULL,
                                        &pages, 0, &err), 0);
    ck_assert_int_eq(id, 0);
    ck_assert_int_eq(forge_put_comment(f, 12, 0, "report v1\n" MARKER, &url,
                                       0, &err), 0);
    ck_assert_ptr_nonnull(url);
    free(url);
    ck_assert_int_eq(forge_find_comment(f, 12, MARKER, &id, NULL, NULL,
                                        &pages, 0, &err), 0);
    ck_assert_int_gt(id, 0);
    ck_assert_int_eq(forge_put_comment(f, 12, id, "report v2\n" MARKER, NULL,
                                       0, &err), 0);
    /* One comment of ours besides the reviewer's, updated in place. */
    l = state_list("github", "comments", "acme/ml-repo#12");
    ck_assert_int_eq(cJSON_GetArraySize(l), before + 1);
    {
        cJSON *c;
        int seen = 0;

        cJSON_ArrayForEach(c, l) {
            const char *b = cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(c, "body"));

            if ((long long)cJSON_GetNumberValue(
                    cJSON_GetObjectItemCaseSensitive(c, "id")) == id) {
                ck_assert_ptr_nonnull(b);
                ck_assert_ptr_nonnull(strstr(b, "report v2"));
                seen = 1;
            }
        }
        ck_assert(seen);
    }
    cJSON_Delete(l);
    ck_assert_int_eq(sbx_count(&sb, "PATCH", "/issues/comments/"), 1);
    ck_assert_int_eq(sbx_count(&sb, "POST", "/issues/12/comments"), 1);
    forge_free(f);
}
END_TEST

#define STATUS_422 "github: POST /repos/acme/ml-repo/statuses/" SHA ": 422 "
START_TEST(test_status_and_422)
{
    struct forge *f;
    struct mlg_error err;
    char longdesc[200];
    cJSON *l;

    start("happy");
    f = open_forge("github");
    ck_assert_msg(forge_set_status(f, SHA, "mlgate/stats", "success",
                                   "98 >= 90", "https://ci.example/1", 0,
                                   &err) == 0, "%s", err.message);
    l = state_list("github", "statuses", SHA);
    ck_assert_int_eq(cJSON_GetArraySize(l), 1);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(l, 0), "context")->valuestring, "mlgate/stats");
    cJSON_Delete(l);

    sbx_off_spec(&sb, "POST", 422, "/statuses/", "GitHub's 422 answer to "
                 "a description over 140 characters");
    memset(longdesc, 'x', sizeof longdesc - 1);
    longdesc[sizeof longdesc - 1] = '\0';
    ck_assert_int_eq(forge_set_status(f, SHA, "mlgate/stats", "failure",
                                      longdesc, NULL, 0, &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_HTTP);
    ck_assert_int_eq(err.status, 422);
    /* The validation detail (errors[].message) is surfaced. */
    ck_assert_msg(strncmp(err.message, STATUS_422, sizeof STATUS_422 - 1)
                  == 0 && strlen(err.message) > sizeof STATUS_422 + 5, "%s",
                  err.message);
    ck_assert_int_eq(sbx_count(&sb, "POST", "/statuses/"), 2);
    ck_assert_int_eq(forge_set_status(f, SHA, "c", "bogus", "", NULL, 0,
                                      &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_USAGE);
    assert_no_secret(&err);
    forge_free(f);
}
END_TEST

START_TEST(test_readonly_token)
{
    struct forge *f;
    struct mlg_error err;

    start("fork-readonly");
    setenv("GITHUB_TOKEN", RO_TOKEN, 1);
    f = open_forge("github");
    ck_assert_int_eq(forge_put_comment(f, 12, 0, "x " MARKER, NULL, 0, &err),
                     -1);
    ck_assert_int_eq(err.kind, MLG_E_HTTP);
    ck_assert_int_eq(err.status, 403);
    ck_assert_msg(strstr(err.message, "403 Resource not accessible by "
                         "integration") != NULL, "%s", err.message);
    assert_no_secret(&err);
    /* Not retried: a permission error, not a rate limit. */
    ck_assert_int_eq(sbx_count(&sb, "POST", "/issues/12/comments"), 1);
    forge_free(f);
}
END_TEST

START_TEST(test_bad_token)
{
    struct forge *f;
    struct mlg_error err;
    cJSON *data = NULL;
    int status;

    start("happy");
    setenv("GITHUB_TOKEN", "ghs_notAValidToken000000000000", 1);
    f = open_forge("github");
    ck_assert_int_eq(forge_call(f, "GET", "/repos/acme/ml-repo/pulls/12",
                                NULL, &status, &data, 0, &err), -1);
    ck_assert_int_eq(status, 401);
    ck_assert_msg(strstr(err.message, "401 Bad credentials") != NULL, "%s",
                  err.message);
    assert_no_secret(&err);
    ck_assert_ptr_null(strstr(err.message, "ghs_notAValidToken"));
    forge_free(f);
}
END_TEST

START_TEST(test_rate_limited)
{
    struct forge *f;
    struct mlg_error err;
    long long id;
    int pages;
    double t0;

    start("rate-limited");
    f = open_forge("github");
    t0 = now_mono();
    ck_assert_msg(forge_find_comment(f, 12, MARKER, &id, NULL, NULL, &pages,
                                     now_mono() + 15, &err) == 0, "%s",
                  err.message);
    ck_assert_msg(forge_put_comment(f, 12, id, "r " MARKER, NULL,
                                    now_mono() + 15, &err) == 0, "%s",
                  err.message);
    ck_assert_msg(forge_set_status(f, SHA, "mlgate/x", "success", "ok", NULL,
                                   now_mono() + 15, &err) == 0, "%s",
                  err.message);
    /* Both limits were waited out (1 s each), not skipped. */
    ck_assert(now_mono() - t0 >= 1.0);
    forge_free(f);
}
END_TEST

START_TEST(test_resolve_pr_and_call)
{
    struct forge *f;
    struct run_context ctx;
    struct mlg_error err;
    cJSON *data = NULL;
    int status;

    start("happy");
    f = open_forge("github");
    make_ctx(&ctx, "github");
    free(ctx.head_sha);
    ctx.head_sha = xstrdup("");
    ctx.needs_pr_lookup = 1;
    ck_assert_msg(forge_resolve_pr(f, &ctx, 0, &err) == 0, "%s",
                  err.message);
    ck_assert_str_eq(ctx.head_sha, SHA);
    ck_assert_str_eq(ctx.head_ref, "feature-x");
    ck_assert_str_eq(ctx.base_ref, "main");
    ck_assert_int_eq(ctx.needs_pr_lookup, 0);
    ck_assert_int_eq(ctx.is_fork, 0);
    context_free(&ctx);

    ck_assert_int_eq(forge_call(f, "GET", "/repos/acme/ml-repo/pulls/12",
                                NULL, &status, &data, 0, &err), 0);
    ck_assert_int_eq(status, 200);
    ck_assert_ptr_nonnull(data);
    cJSON_Delete(data);
    /* The token never leaves for another origin. */
    ck_assert_int_eq(forge_call(f, "GET", "http://127.0.0.2:9/x", NULL,
                                &status, &data, 0, &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_USAGE);
    ck_assert_int_eq(forge_call(f, "GET", "repos/x", NULL, &status, &data,
                                0, &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_USAGE);
    ck_assert_int_eq(forge_call(f, "GET", "/repos/acme/ml-repo/pulls/999",
                                NULL, &status, &data, 0, &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_HTTP);
    ck_assert_int_eq(status, 404);
    forge_free(f);
}
END_TEST

START_TEST(test_conf_api_url)
{
    struct run_context ctx;
    struct mlg_error err;
    struct conf c;
    struct forge *f;
    char cerr[256], *text;
    cJSON *data = NULL;
    int status;

    start("happy");
    /* [github] api-url beats GITHUB_API_URL and the context's URL. */
    make_ctx(&ctx, "github");
    free(ctx.api_url);
    ctx.api_url = xstrdup("https://api.github.invalid");
    setenv("GITHUB_API_URL", "https://api.github.invalid", 1);
    text = xasprintf("[github]\napi-url = %s\nverify = no\n", sb.github_api);
    ck_assert_msg(conf_parse_string("t.conf", text, &c, cerr, sizeof cerr)
                  == 0, "%s", cerr);
    free(text);
    f = forge_new(&ctx, &c, &err);
    ck_assert_msg(f != NULL, "%s", err.message);
    ck_assert_int_eq(forge_call(f, "GET", "/repos/acme/ml-repo/pulls/12",
                                NULL, &status, &data, 0, &err), 0);
    ck_assert_int_eq(status, 200);
    cJSON_Delete(data);
    forge_free(f);
    conf_free(&c);
    context_free(&ctx);
}
END_TEST

/* A GitLab scenario with 150 notes on MR 7, the marker on note 131. */
static void start_gitlab(void)
{
    char *path = xasprintf("%s/scenario.json", tmpdir);
    cJSON *root = cJSON_CreateObject(), *gl, *projects, *p, *mrs, *mr, *n;
    FILE *fp;
    char *text;
    int i;

    gl = cJSON_AddObjectToObject(root, "gitlab");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(gl, "tokens"),
                         cJSON_CreateString(GL_TOKEN));
    projects = cJSON_AddArrayToObject(gl, "projects");
    p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "id", 42);
    cJSON_AddStringToObject(p, "path", "acme/ml-repo");
    mrs = cJSON_AddObjectToObject(p, "merge_requests");
    mr = cJSON_AddObjectToObject(mrs, "7");
    n = cJSON_AddArrayToObject(mr, "notes");
    for (i = 1; i <= 150; i++) {
        cJSON *note = cJSON_CreateObject();
        /* Note 5: someone else's copy of the marker, never taken. */
        char *b = i == 131 || i == 5 ? xasprintf("old report\n%s", MARKER)
                           : xasprintf("note %d", i);

        cJSON_AddStringToObject(note, "body", b);
        /* The sandbox's token writes as project_42_bot (GET /user). */
        cJSON_AddStringToObject(note, "user", i == 131 ? "project_42_bot"
                                                       : "someone");
        free(b);
        cJSON_AddItemToArray(n, note);
    }
    cJSON_AddItemToArray(projects, p);
    text = cJSON_Print(root);
    fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
    free(text);
    cJSON_Delete(root);
    start(path);
    free(path);
}

START_TEST(test_gitlab)
{
    struct forge *f;
    struct mlg_error err;
    long long id = 0;
    char *url = NULL;
    int pages = 0;
    cJSON *l;

    start_gitlab();
    f = open_forge("gitlab");
    ck_assert_msg(forge_find_comment(f, 7, MARKER, &id, NULL, &url, &pages,
                                     0, &err) == 0, "%s", err.message);
    ck_assert_int_eq(id, 5130); /* the 131st note; ids start at 5000 */
    ck_assert_int_eq(pages, 2);
    ck_assert_msg(strstr(url, "https://gitlab.example.com/acme/ml-repo/-/"
                         "merge_requests/7#note_") == url, "%s", url);
    free(url);
    ck_assert_int_eq(forge_put_comment(f, 7, id, "new report\n" MARKER, NULL,
                                       0, &err), 0);
    ck_assert_int_eq(sbx_count(&sb, "PUT", "/notes/"), 1);
    l = state_list("gitlab", "notes", "42!7");
    ck_assert_int_eq(cJSON_GetArraySize(l), 150);
    ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(l, 130), "body")->valuestring, "new report"));
    cJSON_Delete(l);

    ck_assert_msg(forge_set_status(f, SHA, "mlgate/compare", "failure",
                                   "80 < 90", NULL, 0, &err) == 0, "%s",
                  err.message);
    l = state_list("gitlab", "statuses", SHA);
    ck_assert_int_eq(cJSON_GetArraySize(l), 1);
    /* GitLab's status objects name the state "status". */
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(l, 0), "status")), "failed");
    cJSON_Delete(l);
    forge_free(f);

    /* A bad token: GitLab's 401 text, no token in it. */
    setenv("GITLAB_TOKEN", "glpat-wrongwrongwrong", 1);
    f = open_forge("gitlab");
    ck_assert_int_eq(forge_find_comment(f, 7, MARKER, &id, NULL, NULL,
                                        &pages, 0, &err), -1);
    ck_assert_int_eq(err.status, 401);
    ck_assert_msg(strstr(err.message, "401 Unauthorized") != NULL, "%s",
                  err.message);
    assert_no_secret(&err);
    ck_assert_ptr_null(strstr(err.message, "glpat-wrong"));
    forge_free(f);
}
END_TEST

/* Found by tests/fuzz/fuzz_github (tests/fuzz/regress/github/): an id
 * past 2^63 was cast (undefined behaviour); a marked comment without a
 * usable id is now skipped instead of ending the search. */
START_TEST(test_fuzz_regressions)
{
    static const char page[] = "[{\"id\": 1e99, \"body\": \"<!-- m -->\"}, "
        "{\"id\": 0, \"body\": \"<!-- m -->\"}, {\"body\": \"<!-- m -->\"}, "
        "{\"id\": 8, \"body\": \"other\"}, {\"id\": 5, \"body\": "
        "\"<!-- m -->\", \"user\": {\"login\": \"mallory\"}}, "
        "{\"id\": 9, \"body\": \"r\\n<!-- m -->\", \"user\": {\"login\": "
        "\"GitHub-Actions[bot]\"}, \"html_url\": \"https://x/9\"}]";
    cJSON *list = cJSON_Parse(page);
    long long id = 0;
    char *body = NULL, *url = NULL;
    struct forge_foreign fo;

    memset(&fo, 0, sizeof fo);
    /* Logins compare case-insensitively; mallory's marker is counted,
     * never taken. */
    ck_assert_int_eq(github_pick_comment(list, "<!-- m -->",
                                         "github-actions[bot]", &id, &body,
                                         &url, &fo), 1);
    ck_assert_uint_eq(fo.n, 1);
    ck_assert_int_eq(fo.first_id, 5);
    ck_assert_str_eq(fo.first_login, "mallory");
    ck_assert_int_eq(id, 9);
    ck_assert_str_eq(body, "r\n<!-- m -->");
    ck_assert_str_eq(url, "https://x/9");
    free(body);
    free(url);
    id = 0;
    ck_assert_int_eq(github_pick_comment(list, "<!-- n -->",
                                         "github-actions[bot]", &id, NULL,
                                         NULL, NULL), 0);
    ck_assert_int_eq(id, 0);
    /* The same page read as another author finds only mallory's. */
    ck_assert_int_eq(github_pick_comment(list, "<!-- m -->", "mallory", &id,
                                         NULL, NULL, NULL), 1);
    ck_assert_int_eq(id, 5);
    cJSON_Delete(list);
}
END_TEST

/* A GitLab job token cannot write notes or statuses: forge_new says so in
 * one line when the client is made, before any check runs, and the token
 * never appears in it. */
START_TEST(test_job_token_said_at_start)
{
    struct run_context ctx;
    struct mlg_error err;
    struct forge *f;
    char *path = xasprintf("%s/stderr", tmpdir), *text;
    FILE *cap;
    int saved, lines = 0;
    const char *p;

    start("happy");
    unsetenv("GITLAB_TOKEN");
    setenv("CI_JOB_TOKEN", "sbxJobToken0123456789", 1);
    make_ctx(&ctx, "gitlab");
    fflush(stderr);
    saved = dup(2);
    cap = fopen(path, "w+");
    ck_assert_ptr_nonnull(cap);
    dup2(fileno(cap), 2);
    log_init(1); /* the default level shows warnings; the suite runs at 0 */
    f = forge_new(&ctx, NULL, &err);
    log_init(0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ck_assert_msg(f != NULL, "%s", err.message);
    fseek(cap, 0, SEEK_SET);
    text = xcalloc(1, 4096);
    ck_assert(fread(text, 1, 4095, cap) > 0);
    fclose(cap);
    for (p = text; *p; p++)
        lines += *p == '\n';
    ck_assert_int_eq(lines, 1);
    ck_assert_str_eq(text, "mlgate: gitlab: CI_JOB_TOKEN cannot write MR "
                     "comments or commit statuses: set GITLAB_TOKEN to a "
                     "project or personal access token with api scope\n");
    free(text);
    unlink(path);
    free(path);
    forge_free(f);
    context_free(&ctx);
    unsetenv("CI_JOB_TOKEN");
}
END_TEST

static Suite *forge_suite(void)
{
    Suite *s = suite_create("forge");
    TCase *core = tcase_create("core");
    TCase *errors = tcase_create("errors");

    tcase_add_checked_fixture(core, setup, teardown);
    tcase_set_timeout(core, 20);
    tcase_add_test(core, test_find_comment_pages);
    tcase_add_test(core, test_put_comment);
    tcase_add_loop_test(core, test_author_lazy, 0, 2);
    tcase_add_test(core, test_resolve_pr_and_call);
    tcase_add_test(core, test_rate_limited);
    tcase_add_test(core, test_gitlab);
    tcase_add_test(core, test_fuzz_regressions);
    tcase_add_test(core, test_conf_api_url);
    suite_add_tcase(s, core);

    tcase_add_checked_fixture(errors, setup, teardown);
    tcase_set_timeout(errors, 20);
    tcase_add_test(errors, test_no_forge_no_token);
    tcase_add_test(errors, test_status_and_422);
    tcase_add_test(errors, test_readonly_token);
    tcase_add_test(errors, test_bad_token);
    tcase_add_test(errors, test_job_token_said_at_start);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(forge_suite());
    int failed;

    log_init(0);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
