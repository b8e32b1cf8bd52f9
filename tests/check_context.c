/*
 * check_context.c - unit tests of the run context: every GitHub event
 * payload kind (fork, deleted fork included), GitLab MR and merged-results
 * pipelines, overrides and their precedence, and the one-line errors for
 * missing or malformed input.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "context.h"
#include "util.h"
#include "validate.h"

#define SHA "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345"
#define BASE_SHA "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b"
#define OTHER "0123456789abcdef0123456789abcdef01234567"

static const char *const ctx_vars[] = {
    "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_REPOSITORY",
    "GITHUB_SERVER_URL", "GITHUB_RUN_ID", "GITHUB_API_URL", "GITHUB_SHA",
    "GITHUB_REF_NAME", "GITHUB_ACTIONS", "GITLAB_CI",
    "CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA",
    "CI_COMMIT_SHA", "CI_PROJECT_ID", "CI_PROJECT_PATH",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    "CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "CI_MERGE_REQUEST_PROJECT_ID",
    "CI_PIPELINE_URL", "CI_API_V4_URL", "CI_SERVER_URL", "CI_PROJECT_URL",
    "CI_COMMIT_REF_NAME", "CI_MERGE_REQUEST_SOURCE_PROJECT_PATH",
    "CI_MERGE_REQUEST_SOURCE_PROJECT_URL",
    "CI_MERGE_REQUEST_TARGET_BRANCH_SHA",
    "CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_PIPELINE_ID",
    "CI_MERGE_REQUEST_REF_PATH",
    "MLGATE_REPO", "MLGATE_PR", "MLGATE_SHA", "MLGATE_BRANCH",
    "MLGATE_FORGE", "CI_PULL_REQUEST", "CI_COMMIT", "CI_REPO_OWNER",
    "CI_REPO_NAME", NULL
};

static void clear_env(void)
{
    const char *const *v;

    for (v = ctx_vars; *v; v++)
        unsetenv(*v);
}

static char *fixture(const char *name)
{
    const char *src = getenv("MLG_SRCDIR");

    return xasprintf("%s/tests/data/events/%s", src ? src : ".", name);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct buf b = { 0 };
    char chunk[4096];
    size_t n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return buf_take(&b);
}

/* context_load on a GitHub event fixture. */
static int load_github(struct run_context *ctx, const char *event,
                       const char *file, char *err, size_t errlen)
{
    char *path = fixture(file);
    int rc;

    clear_env();
    setenv("GITHUB_ACTIONS", "true", 1);
    setenv("GITHUB_EVENT_NAME", event, 1);
    setenv("GITHUB_EVENT_PATH", path, 1);
    setenv("GITHUB_REPOSITORY", "acme/ml-repo", 1);
    setenv("GITHUB_SERVER_URL", "https://github.com", 1);
    setenv("GITHUB_RUN_ID", "4242", 1);
    setenv("GITHUB_API_URL", "https://api.github.com", 1);
    /* On pull_request this is the merge commit: it must not be used. */
    setenv("GITHUB_SHA", OTHER, 1);
    setenv("GITHUB_REF_NAME", "main", 1);
    rc = context_load(ctx, NULL, err, errlen);
    free(path);
    return rc;
}

START_TEST(test_pull_request)
{
    struct run_context ctx;
    char err[256];

    ck_assert_int_eq(load_github(&ctx, "pull_request", "pull_request.json",
                                 err, sizeof err), 0);
    ck_assert_str_eq(ctx.forge, "github");
    ck_assert_str_eq(ctx.event, "pull_request");
    ck_assert_str_eq(ctx.repo, "acme/ml-repo");
    ck_assert_int_eq(ctx.pr, 12);
    ck_assert_str_eq(ctx.head_sha, SHA);
    ck_assert_str_eq(ctx.head_ref, "feature-x");
    ck_assert_str_eq(ctx.head_repo, "acme/ml-repo");
    ck_assert_str_eq(ctx.head_clone_url,
                     "https://github.com/acme/ml-repo.git");
    ck_assert_str_eq(ctx.base_ref, "main");
    ck_assert_str_eq(ctx.base_sha, BASE_SHA);
    ck_assert_int_eq(ctx.is_fork, 0);
    ck_assert_int_eq(ctx.head_repo_deleted, 0);
    ck_assert_int_eq(ctx.needs_pr_lookup, 0);
    ck_assert_str_eq(ctx.run_url,
                     "https://github.com/acme/ml-repo/actions/runs/4242");
    ck_assert_str_eq(ctx.api_url, "https://api.github.com");
    ck_assert_str_eq(ctx.server_url, "https://github.com");
    ck_assert_str_eq(ctx.project_id, "");
    context_free(&ctx);
}
END_TEST

START_TEST(test_fork)
{
    struct run_context ctx;
    char err[256];

    ck_assert_int_eq(load_github(&ctx, "pull_request",
                                 "pull_request_fork.json", err, sizeof err),
                     0);
    ck_assert_int_eq(ctx.is_fork, 1);
    ck_assert_int_eq(ctx.head_repo_deleted, 0);
    ck_assert_str_eq(ctx.head_repo, "contrib/ml-repo");
    ck_assert_str_eq(ctx.head_clone_url,
                     "https://github.com/contrib/ml-repo.git");
    ck_assert_str_eq(ctx.repo, "acme/ml-repo");
    ck_assert_str_eq(ctx.head_sha, SHA);
    context_free(&ctx);
}
END_TEST

START_TEST(test_fork_same_name_other_owner)
{
    /* Same full_name text but a different owner id: still a fork. */
    static const char payload[] =
        "{\"number\":3,\"pull_request\":{\"number\":3,"
        "\"head\":{\"sha\":\"" SHA "\",\"ref\":\"x\",\"repo\":{"
        "\"full_name\":\"acme/ml-repo\",\"owner\":{\"id\":2}}},"
        "\"base\":{\"ref\":\"main\",\"repo\":{\"full_name\":\"acme/ml-repo\","
        "\"owner\":{\"id\":1}}}}}";
    struct run_context ctx;
    char err[256];

    ck_assert_int_eq(context_from_github_event(&ctx, "pull_request", payload,
                                               strlen(payload), err,
                                               sizeof err), 0);
    ck_assert_int_eq(ctx.is_fork, 1);
    ck_assert_int_eq(ctx.pr, 3);
    context_free(&ctx);
}
END_TEST

START_TEST(test_deleted_fork)
{
    struct run_context ctx;
    char err[256];

    ck_assert_int_eq(load_github(&ctx, "pull_request",
                                 "pull_request_deleted_fork.json", err,
                                 sizeof err), 0);
    ck_assert_int_eq(ctx.is_fork, 1);
    ck_assert_int_eq(ctx.head_repo_deleted, 1);
    ck_assert_str_eq(ctx.head_clone_url, "");
    ck_assert_str_eq(ctx.head_repo, "");
    ck_assert_str_eq(ctx.head_sha, SHA);
    ck_assert_int_eq(ctx.pr, 12);
    context_free(&ctx);
}
END_TEST

START_TEST(test_pull_request_target)
{
    struct run_context ctx;
    char err[256];

    ck_assert_int_eq(load_github(&ctx, "pull_request_target",
                                 "pull_request_target.json", err,
                                 sizeof err), 0);
    ck_assert_str_eq(ctx.event, "pull_request_target");
    ck_assert_str_eq(ctx.head_sha, SHA);
    ck_assert_int_eq(ctx.is_fork, 1);
    context_free(&ctx);
}
END_TEST

START_TEST(test_push)
{
    struct run_context ctx;
    char err[256];

    ck_assert_int_eq(load_github(&ctx, "push", "push.json", err,
                                 sizeof err), 0);
    ck_assert_str_eq(ctx.event, "push");
    ck_assert_int_eq(ctx.pr, 0);
    ck_assert_int_eq(ctx.needs_pr_lookup, 0);
    ck_assert_str_eq(ctx.head_sha, SHA); /* "after", not GITHUB_SHA */
    ck_assert_str_eq(ctx.head_ref, "main");
    context_free(&ctx);
}
END_TEST

START_TEST(test_issue_comment)
{
    struct run_context ctx;
    char err[256];

    ck_assert_int_eq(load_github(&ctx, "issue_comment", "issue_comment.json",
                                 err, sizeof err), 0);
    ck_assert_int_eq(ctx.pr, 12);
    ck_assert_int_eq(ctx.needs_pr_lookup, 1);
    ck_assert_str_eq(ctx.head_sha, "");
    context_free(&ctx);
}
END_TEST

START_TEST(test_issue_comment_not_pr)
{
    static const char payload[] =
        "{\"issue\":{\"number\":5,\"pull_request\":null},"
        "\"repository\":{\"full_name\":\"acme/ml-repo\"}}";
    struct run_context ctx;
    char err[256];

    ck_assert_int_eq(context_from_github_event(&ctx, "issue_comment",
                                               payload, strlen(payload), err,
                                               sizeof err), 0);
    ck_assert_int_eq(ctx.pr, 0);
    ck_assert_int_eq(ctx.needs_pr_lookup, 0);
    context_free(&ctx);
}
END_TEST

/* o.a.b... as a JSON value, or NULL. */
static const cJSON *jpath(const cJSON *o, const char *path)
{
    char *copy = xstrdup(path), *save = NULL, *k;

    for (k = strtok_r(copy, ".", &save); k && o;
         k = strtok_r(NULL, ".", &save))
        o = cJSON_GetObjectItemCaseSensitive(o, k);
    free(copy);
    return o;
}

static const char *jstr(const cJSON *o, const char *path)
{
    const cJSON *v = jpath(o, path);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Every published example payload (@octokit/webhooks-examples, extracted
 * by tests/data/webhooks/extract.py) of the kinds mlgate runs on: the
 * repository, PR and head commit each must yield, read from where GitHub
 * documents them.  pull_request_target has the pull_request payload
 * (GitHub: "same as pull_request"); the package has no examples of its
 * own, so the pull_request ones are run under that name too. */
START_TEST(test_published_examples)
{
    static const char *const kinds[] = {
        "pull_request", "pull_request_target", "push", "merge_group",
        "workflow_dispatch", "workflow_run", "issue_comment", NULL
    };
    const char *src = getenv("MLG_SRCDIR");
    char *path = xasprintf("%s/tests/data/webhooks/examples.json",
                           src ? src : ".");
    size_t len;
    char *text = slurp(path, &len);
    cJSON *all = cJSON_ParseWithLength(text, len);
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(all, "events");
    int k, total = 0, issues = 0;

    ck_assert_msg(cJSON_IsObject(events), "%s: no events", path);
    clear_env();
    setenv("GITHUB_SHA", OTHER, 1);
    for (k = 0; kinds[k]; k++) {
        const char *stored = strcmp(kinds[k], "pull_request_target") == 0
                             ? "pull_request" : kinds[k];
        const cJSON *ex, *list = cJSON_GetObjectItemCaseSensitive(events,
                                                                  stored);
        int n = 0;

        cJSON_ArrayForEach(ex, list) {
            struct run_context ctx;
            char err[256], why[256], *one = cJSON_PrintUnformatted(ex);
            const char *sha = "", *repo = jstr(ex, "repository.full_name");
            long pr = 0;

            ck_assert_msg(context_from_github_event(&ctx, kinds[k], one,
                                                    strlen(one), err,
                                                    sizeof err) == 0,
                          "%s #%d: %s", kinds[k], n, err);
            if (strcmp(stored, "pull_request") == 0) {
                pr = (long)cJSON_GetNumberValue(jpath(ex, "number"));
                sha = jstr(ex, "pull_request.head.sha");
            } else if (strcmp(stored, "push") == 0) {
                sha = jstr(ex, "after");
                if (strspn(sha, "0") == 40) /* a deleted ref */
                    sha = OTHER;
            } else if (strcmp(stored, "merge_group") == 0) {
                sha = jstr(ex, "merge_group.head_sha");
            } else if (strcmp(stored, "workflow_dispatch") == 0) {
                sha = OTHER;
            } else if (strcmp(stored, "workflow_run") == 0) {
                const cJSON *prs = jpath(ex, "workflow_run.pull_requests");

                sha = jstr(ex, "workflow_run.head_sha");
                if (cJSON_GetArraySize(prs) == 1)
                    pr = (long)cJSON_GetNumberValue(jpath(
                        cJSON_GetArrayItem(prs, 0), "number"));
            } else if (!cJSON_IsObject(jpath(ex, "issue.pull_request"))) {
                /* issue_comment on a plain issue: one line, exit 0. */
                ck_assert_int_eq(context_nothing_to_do(&ctx, NULL, why,
                                                       sizeof why), 1);
                ck_assert_ptr_nonnull(strstr(why, "is an issue, not a pull "
                                                  "request: no PR to check"));
                issues++;
            }
            ck_assert_ptr_nonnull(repo);
            ck_assert_ptr_nonnull(sha);
            ck_assert_str_eq(ctx.repo, repo);
            ck_assert_int_eq(ctx.pr, pr);
            ck_assert_str_eq(ctx.head_sha, sha);
            ck_assert_str_eq(ctx.forge, "github");
            context_free(&ctx);
            cJSON_free(one);
            n++;
        }
        ck_assert_msg(n >= 1, "no %s example", kinds[k]);
        total += n;
    }
    /* 29 pull_request (twice), 7 push, 2 merge_group, 2
     * workflow_dispatch, 5 workflow_run, 9 issue_comment. */
    ck_assert_int_eq(total, 83);
    ck_assert_int_eq(issues, 9);
    cJSON_Delete(all);
    free(text);
    free(path);
}
END_TEST

/* The published issue_comment examples are all on plain issues; the same
 * payload on a PR (issue.pull_request present) asks for the PR's head. */
START_TEST(test_published_comment_on_pr)
{
    const char *src = getenv("MLG_SRCDIR");
    char *path = xasprintf("%s/tests/data/webhooks/examples.json",
                           src ? src : ".");
    size_t len;
    char *text = slurp(path, &len), *one, err[256], why[256];
    cJSON *all = cJSON_ParseWithLength(text, len), *ex;
    struct run_context ctx;

    ex = cJSON_GetArrayItem(jpath(all, "events.issue_comment"), 0);
    ck_assert_ptr_nonnull(ex);
    ex = cJSON_Duplicate(ex, 1);
    cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(ex, "issue"),
                          "pull_request", cJSON_CreateObject());
    one = cJSON_PrintUnformatted(ex);
    clear_env();
    ck_assert_int_eq(context_from_github_event(&ctx, "issue_comment", one,
                                               strlen(one), err, sizeof err),
                     0);
    ck_assert_int_eq(ctx.pr, 1);
    ck_assert_int_eq(ctx.needs_pr_lookup, 1);
    ck_assert_int_eq(context_nothing_to_do(&ctx, NULL, why, sizeof why), 0);
    /* The example's comment does not start with the trigger. */
    ck_assert_int_eq(context_nothing_to_do(&ctx, "/mlgate", why, sizeof why),
                     1);
    ck_assert_str_eq(why, "issue_comment: the comment does not start with "
                     "/mlgate (trigger): nothing to do");
    context_free(&ctx);
    cJSON_free(one);
    cJSON_Delete(ex);
    cJSON_Delete(all);
    free(text);
    free(path);
}
END_TEST

/* [run] trigger: only a comment that starts with it runs. */
START_TEST(test_trigger)
{
    static const char *const bodies[] = {
        "/mlgate", "  /mlgate run it", "/mlgate\nplease", "/mlgatex",
        "please /mlgate", "", NULL
    };
    static const int run[] = { 1, 1, 1, 0, 0, 0 };
    int i;

    for (i = 0; bodies[i]; i++) {
        cJSON *p = cJSON_CreateObject(), *is;
        struct run_context ctx;
        char *one, err[256], why[256];

        is = cJSON_AddObjectToObject(p, "issue");
        cJSON_AddNumberToObject(is, "number", 12);
        cJSON_AddObjectToObject(is, "pull_request");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "comment"),
                                "body", bodies[i]);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "repository"),
                                "full_name", "acme/ml-repo");
        one = cJSON_PrintUnformatted(p);
        ck_assert_int_eq(context_from_github_event(&ctx, "issue_comment",
                                                   one, strlen(one), err,
                                                   sizeof err), 0);
        ck_assert_msg(context_nothing_to_do(&ctx, "/mlgate", why,
                                            sizeof why) == !run[i],
                      "body \"%s\"", bodies[i]);
        /* No trigger: every PR comment runs. */
        ck_assert_int_eq(context_nothing_to_do(&ctx, NULL, why, sizeof why),
                         0);
        context_free(&ctx);
        cJSON_free(one);
        cJSON_Delete(p);
    }
}
END_TEST

START_TEST(test_workflow_dispatch)
{
    struct run_context ctx;
    char err[256];

    ck_assert_int_eq(load_github(&ctx, "workflow_dispatch",
                                 "workflow_dispatch.json", err, sizeof err),
                     0);
    ck_assert_int_eq(ctx.pr, 0);
    ck_assert_str_eq(ctx.head_sha, OTHER); /* GITHUB_SHA here */
    ck_assert_str_eq(ctx.head_ref, "main");
    context_free(&ctx);
}
END_TEST

START_TEST(test_gitlab_mr)
{
    struct run_context ctx;
    char err[256];

    clear_env();
    setenv("GITLAB_CI", "true", 1);
    setenv("CI_MERGE_REQUEST_IID", "7", 1);
    setenv("CI_COMMIT_SHA", SHA, 1);
    setenv("CI_PROJECT_ID", "42", 1);
    setenv("CI_PROJECT_PATH", "acme/ml-repo", 1);
    setenv("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature-x", 1);
    setenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main", 1);
    setenv("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "42", 1);
    setenv("CI_MERGE_REQUEST_PROJECT_ID", "42", 1);
    setenv("CI_PIPELINE_URL", "https://gitlab.example.com/p/-/pipelines/9",
           1);
    setenv("CI_API_V4_URL", "https://gitlab.example.com/api/v4", 1);
    setenv("CI_SERVER_URL", "https://gitlab.example.com", 1);
    setenv("CI_PIPELINE_ID", "501", 1);
    setenv("CI_MERGE_REQUEST_REF_PATH", "refs/merge-requests/7/head", 1);
    ck_assert_int_eq(context_load(&ctx, NULL, err, sizeof err), 0);
    ck_assert_str_eq(ctx.forge, "gitlab");
    /* Statuses go to this MR pipeline, by id and ref. */
    ck_assert_str_eq(ctx.ci_pipeline_id, "501");
    ck_assert_str_eq(ctx.ci_ref, "refs/merge-requests/7/head");
    ck_assert_str_eq(ctx.event, "merge_request");
    ck_assert_int_eq(ctx.pr, 7);
    ck_assert_str_eq(ctx.head_sha, SHA);
    ck_assert_str_eq(ctx.project_id, "42");
    ck_assert_str_eq(ctx.repo, "acme/ml-repo");
    ck_assert_str_eq(ctx.head_ref, "feature-x");
    ck_assert_str_eq(ctx.base_ref, "main");
    ck_assert_int_eq(ctx.is_fork, 0);
    ck_assert_str_eq(ctx.run_url,
                     "https://gitlab.example.com/p/-/pipelines/9");
    ck_assert_str_eq(ctx.api_url, "https://gitlab.example.com/api/v4");
    context_free(&ctx);

    /* Merged results: CI_COMMIT_SHA is the merge commit; from a fork. */
    setenv("CI_COMMIT_SHA", OTHER, 1);
    setenv("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", SHA, 1);
    setenv("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "77", 1);
    ck_assert_int_eq(context_load(&ctx, NULL, err, sizeof err), 0);
    ck_assert_str_eq(ctx.head_sha, SHA);
    ck_assert_int_eq(ctx.is_fork, 1);
    /* The head is not this pipeline's commit: only the branch names it. */
    ck_assert_str_eq(ctx.ci_pipeline_id, "");
    ck_assert_str_eq(ctx.ci_ref, "feature-x");
    context_free(&ctx);

    setenv("CI_MERGE_REQUEST_IID", "seven", 1);
    ck_assert_int_eq(context_load(&ctx, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "CI_MERGE_REQUEST_IID") != NULL, "%s", err);
    context_free(&ctx);
    clear_env();
}
END_TEST

START_TEST(test_overrides)
{
    struct run_context ctx;
    struct context_overrides ov;
    char err[256];

    clear_env();
    /* Generic CI variables are the lowest source. */
    setenv("CI_REPO_OWNER", "someone", 1);
    setenv("CI_REPO_NAME", "else", 1);
    setenv("CI_PULL_REQUEST", "https://ci.example.org/pr/5", 1);
    setenv("CI_COMMIT", OTHER, 1);
    ck_assert_int_eq(context_load(&ctx, NULL, err, sizeof err), 0);
    ck_assert_str_eq(ctx.repo, "someone/else");
    ck_assert_int_eq(ctx.pr, 5);
    ck_assert_str_eq(ctx.head_sha, OTHER);
    ck_assert_str_eq(ctx.forge, "github");
    ck_assert_str_eq(ctx.event, "manual");
    context_free(&ctx);

    /* MLGATE_* beat them, field by field. */
    setenv("MLGATE_REPO", "acme/ml-repo", 1);
    setenv("MLGATE_PR", "12", 1);
    ck_assert_int_eq(context_load(&ctx, NULL, err, sizeof err), 0);
    ck_assert_str_eq(ctx.repo, "acme/ml-repo");
    ck_assert_int_eq(ctx.pr, 12);
    ck_assert_str_eq(ctx.head_sha, OTHER);
    context_free(&ctx);

    /* The command line beats MLGATE_*. */
    memset(&ov, 0, sizeof ov);
    ov.sha = "3F9A1C2B7D4E5F60718293A4B5C6D7E8F9012345";
    ov.branch = "feature-x";
    ov.pr = 13;
    ck_assert_int_eq(context_load(&ctx, &ov, err, sizeof err), 0);
    ck_assert_str_eq(ctx.head_sha, SHA); /* normalised to lower case */
    ck_assert_str_eq(ctx.head_ref, "feature-x");
    ck_assert_int_eq(ctx.pr, 13);
    ck_assert_str_eq(ctx.repo, "acme/ml-repo");
    context_free(&ctx);

    /* A PR without a head needs the lookup. */
    unsetenv("CI_COMMIT");
    memset(&ov, 0, sizeof ov);
    ck_assert_int_eq(context_load(&ctx, &ov, err, sizeof err), 0);
    ck_assert_int_eq(ctx.needs_pr_lookup, 1);
    context_free(&ctx);

    /* Overrides also beat a GitHub payload. */
    ck_assert_int_eq(load_github(&ctx, "pull_request", "pull_request.json",
                                 err, sizeof err), 0);
    context_free(&ctx);
    setenv("MLGATE_SHA", OTHER, 1);
    ck_assert_int_eq(context_load(&ctx, NULL, err, sizeof err), 0);
    ck_assert_str_eq(ctx.head_sha, OTHER);
    ck_assert_int_eq(ctx.pr, 12);
    context_free(&ctx);
    clear_env();
}
END_TEST

START_TEST(test_nothing)
{
    struct run_context ctx;
    char err[256];

    clear_env();
    ck_assert_int_eq(context_load(&ctx, NULL, err, sizeof err), 0);
    ck_assert_str_eq(ctx.forge, "none");
    ck_assert_str_eq(ctx.repo, "");
    ck_assert_str_eq(ctx.head_sha, "");
    ck_assert_str_eq(ctx.run_url, "");
    ck_assert_int_eq(ctx.pr, 0);
    context_free(&ctx);
}
END_TEST

START_TEST(test_bad_overrides)
{
    struct run_context ctx;
    struct context_overrides ov;
    char err[256];

    clear_env();
    memset(&ov, 0, sizeof ov);
    ov.sha = "3f9a1c2";
    ck_assert_int_eq(context_load(&ctx, &ov, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "--sha") && strstr(err, "40-hex"), "%s", err);
    context_free(&ctx);

    ov.sha = NULL;
    ov.repo = "no-slash";
    ck_assert_int_eq(context_load(&ctx, &ov, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "--repo") != NULL, "%s", err);
    context_free(&ctx);

    setenv("MLGATE_PR", "twelve", 1);
    ck_assert_int_eq(context_load(&ctx, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "MLGATE_PR") != NULL, "%s", err);
    context_free(&ctx);

    clear_env();
    setenv("MLGATE_SHA", "zz9a1c2b7d4e5f60718293a4b5c6d7e8f9012345", 1);
    ck_assert_int_eq(context_load(&ctx, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "MLGATE_SHA") != NULL, "%s", err);
    context_free(&ctx);
    clear_env();
}
END_TEST

START_TEST(test_malformed_payload)
{
    struct run_context ctx;
    char err[512], *path = fixture("malformed.json");

    ck_assert_int_eq(load_github(&ctx, "pull_request", "malformed.json", err,
                                 sizeof err), -1);
    ck_assert_msg(strstr(err, "GITHUB_EVENT_PATH") &&
                  strstr(err, path) && strstr(err, "not valid JSON"),
                  "%s", err);
    ck_assert_ptr_null(strchr(err, '\n'));
    context_free(&ctx);
    free(path);
}
END_TEST

START_TEST(test_missing_file)
{
    struct run_context ctx;
    char err[512];

    ck_assert_int_eq(load_github(&ctx, "pull_request", "no-such-file.json",
                                 err, sizeof err), -1);
    ck_assert_msg(strstr(err, "GITHUB_EVENT_PATH (") &&
                  strstr(err, "no-such-file.json"), "%s", err);
    context_free(&ctx);

    clear_env();
    setenv("GITHUB_EVENT_NAME", "pull_request", 1);
    ck_assert_int_eq(context_load(&ctx, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "GITHUB_EVENT_PATH is not set") != NULL,
                  "%s", err);
    context_free(&ctx);
    clear_env();
}
END_TEST

START_TEST(test_missing_fields)
{
    char *path = fixture("pull_request.json");
    size_t len;
    char *text = slurp(path, &len);
    char *cut, err[512];
    const char *tmpl;
    struct run_context ctx;

    /* Take head.sha out of a real payload. */
    cut = strstr(text, "\"sha\": \"" SHA "\"");
    ck_assert_ptr_nonnull(cut);
    memcpy(cut, "\"shx\"", 5);
    ck_assert_int_eq(context_from_github_event(&ctx, "pull_request", text,
                                               len, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "pull_request.head.sha missing") != NULL, "%s",
                  err);
    context_free(&ctx);

    tmpl = "{\"number\": 1}";
    ck_assert_int_eq(context_from_github_event(&ctx, "pull_request", tmpl,
                                               strlen(tmpl), err,
                                               sizeof err), -1);
    ck_assert_msg(strstr(err, "pull_request missing") != NULL, "%s", err);
    context_free(&ctx);

    tmpl = "{\"pull_request\": {\"head\": {\"sha\": \"abc\"}}}";
    ck_assert_int_eq(context_from_github_event(&ctx, "pull_request", tmpl,
                                               strlen(tmpl), err,
                                               sizeof err), -1);
    ck_assert_msg(strstr(err, "pull_request.head.sha") &&
                  strstr(err, "40-hex"), "%s", err);
    context_free(&ctx);

    tmpl = "{\"issue\": {}}";
    ck_assert_int_eq(context_from_github_event(&ctx, "issue_comment", tmpl,
                                               strlen(tmpl), err,
                                               sizeof err), -1);
    ck_assert_msg(strstr(err, "issue.number missing") != NULL, "%s", err);
    context_free(&ctx);

    tmpl = "[1, 2]";
    ck_assert_int_eq(context_from_github_event(&ctx, "push", tmpl,
                                               strlen(tmpl), err,
                                               sizeof err), -1);
    ck_assert_msg(strstr(err, "not a JSON object") != NULL, "%s", err);
    context_free(&ctx);
    free(text);
    free(path);
}
END_TEST

/* Found by tests/fuzz/fuzz_context (regress/context/): a number past
 * the range of long was cast (undefined behaviour), and payload text
 * with a newline broke the one-line error. */
START_TEST(test_fuzz_regressions)
{
    char *path = fixture("pull_request.json");
    size_t len;
    char *text = slurp(path, &len);
    char *p, err[512];
    const char *tmpl;
    struct run_context ctx;

    /* Both numbers of the payload out of range: a precise error naming
     * the field (no longer "missing"). */
    while ((p = strstr(text, "\"number\": 12,")) != NULL) {
        char *t = xasprintf("%.*s\"number\": 1e99%s", (int)(p - text), text,
                            p + strlen("\"number\": 12"));

        free(text);
        text = t;
    }
    len = strlen(text);
    ck_assert_int_eq(context_from_github_event(&ctx, "pull_request", text,
                                               len, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "event payload: number 1e+99 is not a PR "
                         "number") != NULL, "%s", err);
    context_free(&ctx);

    tmpl = "{\"issue\": {\"number\": 1e99, \"pull_request\": {}}}";
    ck_assert_int_eq(context_from_github_event(&ctx, "issue_comment", tmpl,
                                               strlen(tmpl), err,
                                               sizeof err), -1);
    ck_assert_msg(strstr(err, "issue.number 1e+99 is not a PR number")
                  != NULL, "%s", err);
    context_free(&ctx);

    tmpl = "{\"number\": 1, \"pull_request\": {\"head\": "
           "{\"sha\": \"3f9a\\n::error::x\\u001b[31m\"}}}";
    ck_assert_int_eq(context_from_github_event(&ctx, "pull_request", tmpl,
                                               strlen(tmpl), err,
                                               sizeof err), -1);
    ck_assert_msg(strstr(err, "\"3f9a?::error::x?[31m\" is not a 40-hex")
                  != NULL, "%s", err);
    context_free(&ctx);
    free(text);
    free(path);
}
END_TEST

/* One rule per kind of identifier (runner/validate.c). */
START_TEST(test_validators)
{
    static const char *const good_gh[] = {
        "acme/ml-repo", "a/b", "Acme_1/ml.repo-2", "a/.github", NULL
    };
    static const char *const bad_gh[] = {
        "acme", "acme/", "/ml", "acme/ml/x", "acme/..", "../ml", "acme/.",
        "acme/ml?x", "acme/ml#x", "acme/ml repo", "acme/ml\nx", "acme//ml",
        "acme/ml%2f", "", NULL
    };
    static const char *const good_gl[] = {
        "acme/ml-repo", "group/sub/sub2/project", NULL
    };
    static const char *const bad_gl[] = {
        "acme", "group/sub/.hidden", "group/-x", "group/p.git",
        "group/p.atom", "group//p", "group/p/", NULL
    };
    long pr = 0;
    double d = 0;
    size_t i;
    char *s;

    for (i = 0; good_gh[i]; i++)
        ck_assert_msg(validate_repo(good_gh[i], 0), "%s", good_gh[i]);
    for (i = 0; bad_gh[i]; i++)
        ck_assert_msg(!validate_repo(bad_gh[i], 0), "%s", bad_gh[i]);
    for (i = 0; good_gl[i]; i++)
        ck_assert_msg(validate_repo(good_gl[i], 1), "%s", good_gl[i]);
    for (i = 0; bad_gl[i]; i++)
        ck_assert_msg(!validate_repo(bad_gl[i], 1), "%s", bad_gl[i]);
    ck_assert(!validate_repo("group/sub/project", 0));

    ck_assert(validate_sha(SHA));
    ck_assert(validate_sha("3F9A1C2B7D4E5F60718293A4B5C6D7E8F9012345"));
    ck_assert(!validate_sha("3f9a1c2"));
    ck_assert(!validate_sha(SHA "0"));
    ck_assert(!validate_sha("3f9a1c2b7d4e5f60718293a4b5c6d7e8f901234g"));
    ck_assert(!validate_sha(NULL));

    ck_assert(validate_pr_number("12", &pr) && pr == 12);
    ck_assert(validate_pr_number("2147483647", &pr) && pr == 2147483647L);
    ck_assert(!validate_pr_number("2147483648", &pr));
    ck_assert(!validate_pr_number("-1", &pr));
    ck_assert(!validate_pr_number("0", &pr));
    ck_assert(!validate_pr_number("012", &pr));
    ck_assert(!validate_pr_number("1e99", &pr));
    ck_assert(!validate_pr_number("12abc", &pr));
    ck_assert(!validate_pr_number("12.5", &pr));
    ck_assert(!validate_pr_number(" 12", &pr));
    ck_assert(!validate_pr_number("+12", &pr));
    ck_assert(validate_pr_double(12) && !validate_pr_double(12.5) &&
              !validate_pr_double(-1) && !validate_pr_double(1e99) &&
              !validate_pr_double(0));

    ck_assert(validate_clearml_id("a1b2c3d4e5f60718293a4b5c6d7e8f90"));
    ck_assert(!validate_clearml_id("a1b2\n::error::x"));
    ck_assert(!validate_clearml_id("../x"));
    ck_assert(!validate_clearml_id(""));
    ck_assert(validate_login("github-actions[bot]"));
    ck_assert(validate_login("mallory"));
    ck_assert(!validate_login("[bot]"));
    ck_assert(!validate_login("a b"));

    ck_assert(validate_duration("1h30m", VALIDATE_DURATION_MAX, &d) &&
              d == 5400);
    ck_assert(validate_duration("1.5", VALIDATE_DURATION_MAX, &d) &&
              d == 1.5);
    ck_assert(validate_duration("365d", VALIDATE_DURATION_MAX, &d));
    ck_assert(!validate_duration("366d", VALIDATE_DURATION_MAX, &d));
    ck_assert(!validate_duration("99999999999999999999999999h",
                                 VALIDATE_DURATION_MAX, &d));
    ck_assert(!validate_duration("1e400", VALIDATE_DURATION_MAX, &d));
    ck_assert(!validate_duration("0x10s", VALIDATE_DURATION_MAX, &d));
    ck_assert(!validate_duration("inf", VALIDATE_DURATION_MAX, &d));
    ck_assert(!validate_duration("-5s", VALIDATE_DURATION_MAX, &d));

    /* The short-SHA overread: xstrndup never reads past a shorter s. */
    s = xstrndup("3f9a", 7);
    ck_assert_str_eq(s, "3f9a");
    free(s);
}
END_TEST

/* GitLab's variables are spliced into /projects/ID/...: checked. */
START_TEST(test_gitlab_hostile_env)
{
    struct run_context ctx;
    char err[256];

    clear_env();
    setenv("GITLAB_CI", "true", 1);
    setenv("CI_PROJECT_ID", "42/../../7", 1);
    setenv("CI_PROJECT_PATH", "acme/ml-repo", 1);
    ck_assert_int_eq(context_load(&ctx, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "CI_PROJECT_ID: \"42/../../7\" is not a project "
                     "id (a positive integer)");
    context_free(&ctx);
    setenv("CI_PROJECT_ID", "42", 1);
    setenv("CI_PROJECT_PATH", "acme/../ml-repo", 1);
    ck_assert_int_eq(context_load(&ctx, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "CI_PROJECT_PATH: \"acme/../ml-repo\" is not a "
                     "GitLab repository path (OWNER/NAME)");
    context_free(&ctx);
    setenv("CI_PROJECT_PATH", "acme/ml-repo", 1);
    setenv("CI_COMMIT_SHA", "3f9a1c2", 1);
    ck_assert_int_eq(context_load(&ctx, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "is not a 40-hex SHA") != NULL, "%s", err);
    context_free(&ctx);
}
END_TEST

static Suite *context_suite(void)
{
    Suite *s = suite_create("context");
    TCase *core = tcase_create("core");
    TCase *errors = tcase_create("errors");

    tcase_add_test(core, test_pull_request);
    tcase_add_test(core, test_fork);
    tcase_add_test(core, test_fork_same_name_other_owner);
    tcase_add_test(core, test_deleted_fork);
    tcase_add_test(core, test_pull_request_target);
    tcase_add_test(core, test_push);
    tcase_add_test(core, test_issue_comment);
    tcase_add_test(core, test_issue_comment_not_pr);
    tcase_add_test(core, test_workflow_dispatch);
    tcase_add_test(core, test_published_examples);
    tcase_add_test(core, test_published_comment_on_pr);
    tcase_add_test(core, test_trigger);
    tcase_add_test(core, test_gitlab_mr);
    tcase_add_test(core, test_overrides);
    tcase_add_test(core, test_nothing);
    suite_add_tcase(s, core);
    tcase_add_test(errors, test_bad_overrides);
    tcase_add_test(errors, test_malformed_payload);
    tcase_add_test(errors, test_missing_file);
    tcase_add_test(errors, test_missing_fields);
    tcase_add_test(errors, test_fuzz_regressions);
    tcase_add_test(errors, test_validators);
    tcase_add_test(errors, test_gitlab_hostile_env);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(context_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
