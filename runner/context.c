/*
 * context.c - builds the run context (repository, PR/MR, head commit,
 * fork, CI run link) from, in order of precedence: --repo/--pr/--sha/
 * --branch, MLGATE_* variables, the GitHub Actions event payload or the
 * GitLab CI variables, and the generic CI_PULL_REQUEST/CI_COMMIT/
 * CI_REPO_OWNER/CI_REPO_NAME set.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "context.h"
#include "util.h"
#include "validate.h"

static void context_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void context_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    char *p;

    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    /* Payload text is quoted in errors: keep them one plain line. */
    for (p = err; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

/* Replace *dst with a copy of v (NULL leaves it). */
static void context_set(char **dst, const char *v)
{
    if (v) {
        free(*dst);
        *dst = xstrdup(v);
    }
}

static const char *context_env(const char *name)
{
    const char *v = getenv(name);

    return v && *v ? v : NULL;
}

static void context_blank(struct run_context *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->forge = xstrdup("none");
    ctx->event = xstrdup("manual");
    ctx->repo = xstrdup("");
    ctx->project_id = xstrdup("");
    ctx->head_sha = xstrdup("");
    ctx->head_ref = xstrdup("");
    ctx->head_repo = xstrdup("");
    ctx->head_clone_url = xstrdup("");
    ctx->base_ref = xstrdup("");
    ctx->base_sha = xstrdup("");
    ctx->run_url = xstrdup("");
    ctx->api_url = xstrdup("");
    ctx->server_url = xstrdup("");
    ctx->ci_pipeline_id = xstrdup("");
    ctx->ci_ref = xstrdup("");
    ctx->comment_body = xstrdup("");
}

void context_free(struct run_context *ctx)
{
    if (!ctx)
        return;
    free(ctx->forge);
    free(ctx->event);
    free(ctx->repo);
    free(ctx->project_id);
    free(ctx->head_sha);
    free(ctx->head_ref);
    free(ctx->head_repo);
    free(ctx->head_clone_url);
    free(ctx->base_ref);
    free(ctx->base_sha);
    free(ctx->run_url);
    free(ctx->api_url);
    free(ctx->server_url);
    free(ctx->ci_pipeline_id);
    free(ctx->ci_ref);
    free(ctx->comment_body);
    memset(ctx, 0, sizeof *ctx);
}

static void context_set_sha(char **dst, const char *sha)
{
    char *p;

    context_set(dst, sha);
    for (p = *dst; *p; p++)
        *p = (char)tolower((unsigned char)*p);
}

static int context_pr_number(const char *s, long *out)
{
    return validate_pr_number(s, out) ? 0 : -1;
}

/* A PR number from a payload field: 0 when absent (null too), 1 with
 * *out when a valid number, -1 with err naming label and field when
 * present but not a strict positive integer ("12abc", 12.5, -1, 1e99). */
static int context_pr_json(const cJSON *num, const char *label,
                           const char *field, long *out, char *err,
                           size_t errlen)
{
    if (num == NULL || cJSON_IsNull(num))
        return 0;
    if (cJSON_IsNumber(num) && validate_pr_double(num->valuedouble)) {
        *out = (long)num->valuedouble;
        return 1;
    }
    if (cJSON_IsString(num))
        context_err(err, errlen, "%s: %s \"%.40s\" is a string, not a PR "
                    "number", label, field, num->valuestring);
    else if (cJSON_IsNumber(num))
        context_err(err, errlen, "%s: %s %.15g is not a PR number (a "
                    "positive integer)", label, field, num->valuedouble);
    else
        context_err(err, errlen, "%s: %s is not a PR number", label, field);
    return -1;
}

/* Set ctx->repo from src after the forge's rule (validate_repo). */
static int context_set_repo(struct run_context *ctx, const char *v,
                            const char *src, int gitlab, char *err,
                            size_t errlen)
{
    if (!validate_repo(v, gitlab)) {
        context_err(err, errlen, "%s: \"%.80s\" is not a %s repository "
                    "path (OWNER/NAME)", src, v,
                    gitlab ? "GitLab" : "GitHub");
        return -1;
    }
    context_set(&ctx->repo, v);
    return 0;
}

/* o.a.b as a string, or NULL. */
static const char *context_jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *context_ref_name(const char *ref)
{
    if (ref && strncmp(ref, "refs/heads/", 11) == 0)
        return ref + 11;
    if (ref && strncmp(ref, "refs/tags/", 10) == 0)
        return ref + 10;
    return ref;
}

int context_apply_github_pr(struct run_context *ctx, const cJSON *pr,
                            const char *label, const char *prefix,
                            char *err, size_t errlen)
{
    const cJSON *head, *base, *hrepo, *brepo, *num, *hid, *bid;
    const char *sha, *hname, *bname;

    if (!cJSON_IsObject(pr)) {
        size_t n = strlen(prefix);

        /* "pull_request." names the object "pull_request". */
        if (n && prefix[n - 1] == '.')
            n--;
        if (n)
            context_err(err, errlen, "%s: %.*s missing", label, (int)n,
                        prefix);
        else
            context_err(err, errlen, "%s: not a pull request object",
                        label);
        return -1;
    }
    head = cJSON_GetObjectItemCaseSensitive(pr, "head");
    base = cJSON_GetObjectItemCaseSensitive(pr, "base");
    if (!cJSON_IsObject(head)) {
        context_err(err, errlen, "%s: %shead missing", label, prefix);
        return -1;
    }
    sha = context_jstr(head, "sha");
    if (!sha) {
        context_err(err, errlen, "%s: %shead.sha missing", label, prefix);
        return -1;
    }
    if (!validate_sha(sha)) {
        context_err(err, errlen, "%s: %shead.sha \"%.60s\" is not a "
                    "40-hex commit SHA", label, prefix, sha);
        return -1;
    }
    if (!cJSON_IsObject(base)) {
        context_err(err, errlen, "%s: %sbase missing", label, prefix);
        return -1;
    }
    context_set_sha(&ctx->head_sha, sha);
    context_set(&ctx->head_ref, context_jstr(head, "ref"));
    context_set(&ctx->base_ref, context_jstr(base, "ref"));
    if (context_jstr(base, "sha")) {
        if (!validate_sha(context_jstr(base, "sha"))) {
            context_err(err, errlen, "%s: %sbase.sha \"%.60s\" is not a "
                        "40-hex commit SHA", label, prefix,
                        context_jstr(base, "sha"));
            return -1;
        }
        context_set_sha(&ctx->base_sha, context_jstr(base, "sha"));
    }
    num = cJSON_GetObjectItemCaseSensitive(pr, "number");
    {
        char field[64];
        long n = 0;

        snprintf(field, sizeof field, "%snumber", prefix);
        if (context_pr_json(num, label, field, &n, err, errlen) < 0)
            return -1;
        if (ctx->pr == 0 && n > 0)
            ctx->pr = n;
    }

    hrepo = cJSON_GetObjectItemCaseSensitive(head, "repo");
    brepo = cJSON_GetObjectItemCaseSensitive(base, "repo");
    bname = context_jstr(brepo, "full_name");
    if (!hrepo || cJSON_IsNull(hrepo)) {
        /* The fork was deleted after the PR was opened. */
        ctx->is_fork = 1;
        ctx->head_repo_deleted = 1;
        context_set(&ctx->head_repo, "");
        context_set(&ctx->head_clone_url, "");
        return 0;
    }
    if (!cJSON_IsObject(hrepo)) {
        context_err(err, errlen, "%s: %shead.repo is not an object", label,
                    prefix);
        return -1;
    }
    hname = context_jstr(hrepo, "full_name");
    if (hname && !validate_repo(hname, 0)) {
        context_err(err, errlen, "%s: %shead.repo.full_name \"%.80s\" is "
                    "not a GitHub repository path (OWNER/NAME)", label,
                    prefix, hname);
        return -1;
    }
    context_set(&ctx->head_repo, hname);
    context_set(&ctx->head_clone_url, context_jstr(hrepo, "clone_url"));
    hid = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(hrepo, "owner"), "id");
    bid = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(brepo, "owner"), "id");
    ctx->head_repo_deleted = 0;
    ctx->is_fork = (hname && bname && strcmp(hname, bname) != 0) ||
                   (cJSON_IsNumber(hid) && cJSON_IsNumber(bid) &&
                    hid->valuedouble != bid->valuedouble);
    return 0;
}

/* The payload part of a GitHub Actions context.  label names the source
 * in messages ("GITHUB_EVENT_PATH (/path)"). */
static int context_github_payload(struct run_context *ctx,
                                  const char *event_name,
                                  const char *payload, size_t len,
                                  const char *label, char *err,
                                  size_t errlen)
{
    cJSON *j;
    const char *v;
    const cJSON *repo;
    int rc = 0;

    context_set(&ctx->forge, "github");
    context_set(&ctx->event, event_name);
    j = cJSON_ParseWithLength(payload, len);
    if (!cJSON_IsObject(j)) {
        const char *where = cJSON_GetErrorPtr();
        long off = where && !j && where >= payload &&
                   where <= payload + len ? (long)(where - payload) : -1;

        if (off >= 0)
            context_err(err, errlen, "%s: not valid JSON (near byte %ld)",
                        label, off);
        else
            context_err(err, errlen, "%s: not a JSON object", label);
        cJSON_Delete(j);
        return -1;
    }
    repo = cJSON_GetObjectItemCaseSensitive(j, "repository");
    if ((v = context_jstr(repo, "full_name")) != NULL) {
        char *src = xasprintf("%s: repository.full_name", label);

        rc = context_set_repo(ctx, v, src, 0, err, errlen);
        free(src);
        if (rc < 0) {
            cJSON_Delete(j);
            return -1;
        }
    }
    if ((v = context_jstr(repo, "clone_url")) != NULL)
        context_set(&ctx->head_clone_url, v);
    if (cJSON_IsObject(repo))
        context_set(&ctx->head_repo, ctx->repo);

    if (strcmp(event_name, "pull_request") == 0 ||
        strcmp(event_name, "pull_request_target") == 0) {
        const cJSON *pr = cJSON_GetObjectItemCaseSensitive(j,
                                                           "pull_request");
        const cJSON *num = cJSON_GetObjectItemCaseSensitive(j, "number");

        rc = context_pr_json(num, label, "number", &ctx->pr, err, errlen);
        if (rc >= 0)
            rc = context_apply_github_pr(ctx, pr, label, "pull_request.",
                                         err, errlen);
        if (rc == 0 && ctx->pr <= 0) {
            context_err(err, errlen, "%s: pull_request.number missing",
                        label);
            rc = -1;
        }
    } else if (strcmp(event_name, "issue_comment") == 0) {
        const cJSON *issue = cJSON_GetObjectItemCaseSensitive(j, "issue");
        const cJSON *num = cJSON_GetObjectItemCaseSensitive(issue, "number");
        const cJSON *isp = cJSON_GetObjectItemCaseSensitive(issue,
                                                            "pull_request");

        long n = 0;

        context_set(&ctx->comment_body, context_jstr(
            cJSON_GetObjectItemCaseSensitive(j, "comment"), "body"));
        if (cJSON_IsObject(issue) &&
            context_pr_json(num, label, "issue.number", &n, err,
                            errlen) < 0) {
            rc = -1;
        } else if (n <= 0) {
            context_err(err, errlen, "%s: issue.number missing", label);
            rc = -1;
        } else if (isp && !cJSON_IsNull(isp)) {
            /* A comment on a PR: the head comes from GET /pulls/N. */
            ctx->pr = n;
            ctx->needs_pr_lookup = 1;
        } else {
            /* Issues and PRs share numbers: keep it for the message. */
            ctx->not_a_pr = (int)n;
        }
    } else if (strcmp(event_name, "merge_group") == 0) {
        /* The merge queue's temporary branch: its commit is what the
         * queue tests; no PR of its own. */
        const cJSON *mg = cJSON_GetObjectItemCaseSensitive(j, "merge_group");

        v = context_jstr(mg, "head_sha");
        if (v && validate_sha(v))
            context_set_sha(&ctx->head_sha, v);
        context_set(&ctx->head_ref,
                    context_ref_name(context_jstr(mg, "head_ref")));
        context_set(&ctx->base_ref,
                    context_ref_name(context_jstr(mg, "base_ref")));
        v = context_jstr(mg, "base_sha");
        if (v && validate_sha(v))
            context_set_sha(&ctx->base_sha, v);
    } else if (strcmp(event_name, "workflow_run") == 0) {
        /* The commit the triggering run built; its PR when GitHub names
         * exactly one (it names none for a fork's PR). */
        const cJSON *wr = cJSON_GetObjectItemCaseSensitive(j,
                                                           "workflow_run");
        const cJSON *prs = cJSON_GetObjectItemCaseSensitive(wr,
                                                            "pull_requests");

        v = context_jstr(wr, "head_sha");
        if (v && validate_sha(v))
            context_set_sha(&ctx->head_sha, v);
        context_set(&ctx->head_ref, context_jstr(wr, "head_branch"));
        if (cJSON_GetArraySize(prs) == 1) {
            const cJSON *p = cJSON_GetArrayItem(prs, 0);
            const cJSON *num = cJSON_GetObjectItemCaseSensitive(p, "number");

            if (context_pr_json(num, label, "workflow_run.pull_requests[0]"
                                ".number", &ctx->pr, err, errlen) < 0)
                rc = -1;
            context_set(&ctx->base_ref, context_jstr(
                cJSON_GetObjectItemCaseSensitive(p, "base"), "ref"));
        }
    } else if (strcmp(event_name, "push") == 0) {
        v = context_jstr(j, "after");
        /* All zeros: the ref was deleted, there is no head commit. */
        if (v && validate_sha(v) && strspn(v, "0") != 40)
            context_set_sha(&ctx->head_sha, v);
        else if ((v = context_env("GITHUB_SHA")) != NULL)
            context_set(&ctx->head_sha, v);
        v = context_ref_name(context_jstr(j, "ref"));
        context_set(&ctx->head_ref, v ? v : context_env("GITHUB_REF_NAME"));
        v = context_jstr(j, "before");
        if (v && validate_sha(v))
            context_set_sha(&ctx->base_sha, v);
    } else {
        /* workflow_dispatch and anything else: the workflow's commit. */
        v = context_env("GITHUB_SHA");
        if (v)
            context_set(&ctx->head_sha, v);
        v = context_ref_name(context_jstr(j, "ref"));
        context_set(&ctx->head_ref, context_env("GITHUB_REF_NAME") ?
                    context_env("GITHUB_REF_NAME") : v);
    }
    cJSON_Delete(j);
    return rc;
}

int context_from_github_event(struct run_context *ctx, const char *event_name,
                              const char *payload, size_t len,
                              char *err, size_t errlen)
{
    context_blank(ctx);
    return context_github_payload(ctx, event_name, payload, len,
                                  "event payload", err, errlen);
}

/* GitHub caps a webhook payload at 25 MB; an event file is no bigger. */
#define CONTEXT_PAYLOAD_MAX (25u * 1024u * 1024u)

static int context_github(struct run_context *ctx, const char *event,
                          char *err, size_t errlen)
{
    const char *path = context_env("GITHUB_EVENT_PATH"), *v;
    char *label, *server, *text;
    size_t len;
    int rc;

    if (!path) {
        context_err(err, errlen, "GITHUB_EVENT_PATH is not set "
                    "(GITHUB_EVENT_NAME is %s)", event);
        return -1;
    }
    label = xasprintf("GITHUB_EVENT_PATH (%s)", path);
    if (util_read_file(path, CONTEXT_PAYLOAD_MAX, &text, &len) != 0) {
        util_read_error(label, CONTEXT_PAYLOAD_MAX, err, errlen);
        free(label);
        return -1;
    }
    rc = context_github_payload(ctx, event, text, len, label, err, errlen);
    free(text);
    free(label);
    if (rc < 0)
        return -1;
    if (!*ctx->repo && (v = context_env("GITHUB_REPOSITORY")) != NULL &&
        context_set_repo(ctx, v, "GITHUB_REPOSITORY", 0, err, errlen) < 0)
        return -1;
    if (!*ctx->repo) {
        context_err(err, errlen, "GITHUB_REPOSITORY is not set and the "
                    "event payload has no repository.full_name");
        return -1;
    }
    server = xstrdup(context_env("GITHUB_SERVER_URL") ?
                     context_env("GITHUB_SERVER_URL") : "https://github.com");
    context_set(&ctx->server_url, server);
    context_set(&ctx->api_url, context_env("GITHUB_API_URL") ?
                context_env("GITHUB_API_URL") : "https://api.github.com");
    if ((v = context_env("GITHUB_RUN_ID")) != NULL) {
        free(ctx->run_url);
        ctx->run_url = xasprintf("%s/%s/actions/runs/%s", server, ctx->repo,
                                 v);
    }
    free(server);
    return 0;
}

static int context_gitlab(struct run_context *ctx, char *err, size_t errlen)
{
    const char *iid = context_env("CI_MERGE_REQUEST_IID"), *v, *sp, *tp;

    context_set(&ctx->forge, "gitlab");
    context_set(&ctx->event, iid ? "merge_request" : "push");
    if (iid && context_pr_number(iid, &ctx->pr) < 0) {
        context_err(err, errlen, "CI_MERGE_REQUEST_IID: \"%.40s\" is not "
                    "a merge request number", iid);
        return -1;
    }
    /* Merged-results pipelines build a merge commit; the MR head is the
     * source branch SHA. */
    v = context_env("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA");
    if (!v)
        v = context_env("CI_COMMIT_SHA");
    if (v)
        context_set(&ctx->head_sha, v);
    v = context_env("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME");
    context_set(&ctx->head_ref, v ? v : context_env("CI_COMMIT_REF_NAME"));
    context_set(&ctx->base_ref,
                context_env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"));
    v = context_env("CI_MERGE_REQUEST_TARGET_BRANCH_SHA");
    context_set(&ctx->base_sha, v ? v :
                context_env("CI_MERGE_REQUEST_DIFF_BASE_SHA"));
    if ((v = context_env("CI_PROJECT_PATH")) != NULL &&
        context_set_repo(ctx, v, "CI_PROJECT_PATH", 1, err, errlen) < 0)
        return -1;
    if ((v = context_env("CI_PROJECT_ID")) != NULL) {
        long id;

        /* Spliced into /projects/ID/...: digits only. */
        if (context_pr_number(v, &id) < 0) {
            context_err(err, errlen, "CI_PROJECT_ID: \"%.40s\" is not a "
                        "project id (a positive integer)", v);
            return -1;
        }
        context_set(&ctx->project_id, v);
    }
    sp = context_env("CI_MERGE_REQUEST_SOURCE_PROJECT_ID");
    tp = context_env("CI_MERGE_REQUEST_PROJECT_ID");
    ctx->is_fork = sp && tp && strcmp(sp, tp) != 0;
    v = context_env("CI_MERGE_REQUEST_SOURCE_PROJECT_PATH");
    context_set(&ctx->head_repo, v ? v : ctx->repo);
    /* Not CI_REPOSITORY_URL: it embeds the job token. */
    v = context_env("CI_MERGE_REQUEST_SOURCE_PROJECT_URL");
    if (!v)
        v = context_env("CI_PROJECT_URL");
    if (v) {
        free(ctx->head_clone_url);
        ctx->head_clone_url = xasprintf("%s.git", v);
    }
    context_set(&ctx->run_url, context_env("CI_PIPELINE_URL"));
    context_set(&ctx->api_url, context_env("CI_API_V4_URL"));
    context_set(&ctx->server_url, context_env("CI_SERVER_URL"));
    if (!*ctx->project_id && !*ctx->repo) {
        context_err(err, errlen, "GitLab CI: CI_PROJECT_ID and "
                    "CI_PROJECT_PATH are not set");
        return -1;
    }
    return 0;
}

/* GitLab: the pipeline and ref commit statuses go to.  Statuses are
 * scoped to a pipeline by sha + ref + pipeline_id (commit_statuses.rb,
 * all_matching_pipelines): without them GitLab picks the newest pipeline
 * of the SHA, maybe a branch pipeline rather than the MR's.  Only when
 * the statuses' SHA is this pipeline's: a merged-results pipeline builds
 * a merge commit, and then the source branch is the only ref the MR
 * head's statuses can name.  After the overrides: --sha may change it. */
static void context_gitlab_pipeline(struct run_context *ctx)
{
    const char *v = context_env("CI_COMMIT_SHA");
    const char *iid = context_env("CI_MERGE_REQUEST_IID");

    context_set(&ctx->ci_pipeline_id, "");
    context_set(&ctx->ci_ref, "");
    if (v && *ctx->head_sha && strcasecmp(v, ctx->head_sha) == 0) {
        const char *id = context_env("CI_PIPELINE_ID");
        long long n = 0;
        char *end = NULL;

        if (id) {
            errno = 0;
            n = strtoll(id, &end, 10);
        }
        if (id && !errno && *end == '\0' && n > 0)
            context_set(&ctx->ci_pipeline_id, id);
        v = context_env("CI_MERGE_REQUEST_REF_PATH");
        context_set(&ctx->ci_ref, v ? v : context_env("CI_COMMIT_REF_NAME"));
    } else if (iid) {
        context_set(&ctx->ci_ref,
                    context_env("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"));
    }
}

int context_nothing_to_do(const struct run_context *ctx, const char *trigger,
                          char *why, size_t whylen)
{
    const char *b = ctx->comment_body ? ctx->comment_body : "";
    size_t n;

    if (strcmp(ctx->event, "issue_comment") != 0)
        return 0;
    if (ctx->not_a_pr && ctx->pr <= 0 && !*ctx->head_sha) {
        snprintf(why, whylen, "issue_comment: #%d is an issue, not a pull "
                 "request: no PR to check", ctx->not_a_pr);
        return 1;
    }
    if (!trigger || !*trigger)
        return 0;
    while (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')
        b++;
    n = strlen(trigger);
    /* "/mlgate" or "/mlgate args", not "/mlgatex". */
    if (strncmp(b, trigger, n) == 0 &&
        (b[n] == '\0' || isspace((unsigned char)b[n])))
        return 0;
    snprintf(why, whylen, "issue_comment: the comment does not start with "
             "%.80s (trigger): nothing to do", trigger);
    return 1;
}

/* reviewdog's generic set, for CIs we do not know. */
static int context_generic(struct run_context *ctx, char *err,
                           size_t errlen)
{
    const char *owner = context_env("CI_REPO_OWNER");
    const char *name = context_env("CI_REPO_NAME");
    const char *pr = context_env("CI_PULL_REQUEST");
    const char *sha = context_env("CI_COMMIT");

    if (owner && name) {
        char *r = xasprintf("%s/%s", owner, name);
        int rc = context_set_repo(ctx, r, "CI_REPO_OWNER/CI_REPO_NAME", 0,
                                  err, errlen);

        free(r);
        if (rc < 0)
            return -1;
    }
    if (pr) {
        /* Some CIs put the PR URL here: take its last path segment. */
        const char *slash = strrchr(pr, '/');

        if (context_pr_number(slash ? slash + 1 : pr, &ctx->pr) < 0) {
            context_err(err, errlen, "CI_PULL_REQUEST: \"%.60s\" is not "
                        "a PR number", pr);
            return -1;
        }
    }
    if (sha)
        context_set(&ctx->head_sha, sha);
    return 0;
}

static int context_override(struct run_context *ctx, const char *src,
                            const char *repo, const char *pr,
                            long prnum, const char *sha,
                            const char *branch, char *err, size_t errlen)
{
    /* The forge's own rule is applied in context_load once the forge
     * is known; here either forge's. */
    if (repo) {
        if (!validate_repo(repo, 0) && !validate_repo(repo, 1)) {
            context_err(err, errlen, "%s: \"%.80s\" is not OWNER/NAME", src,
                        repo);
            return -1;
        }
        context_set(&ctx->repo, repo);
    }
    if (pr && context_pr_number(pr, &prnum) < 0) {
        context_err(err, errlen, "MLGATE_PR: \"%.40s\" is not a PR number",
                    pr);
        return -1;
    }
    if (prnum > 0)
        ctx->pr = prnum;
    if (sha) {
        if (!validate_sha(sha)) {
            context_err(err, errlen, "%s: \"%.60s\" is not a 40-hex "
                        "commit SHA", strcmp(src, "--repo") == 0 ?
                        "--sha" : "MLGATE_SHA", sha);
            return -1;
        }
        context_set_sha(&ctx->head_sha, sha);
        ctx->needs_pr_lookup = 0;
    }
    if (branch)
        context_set(&ctx->head_ref, branch);
    return 0;
}

int context_load(struct run_context *ctx, const struct context_overrides *ov,
                 char *err, size_t errlen)
{
    const char *event = context_env("GITHUB_EVENT_NAME");
    const char *gitlab = context_env("GITLAB_CI");
    int rc;

    context_blank(ctx);
    if (event)
        rc = context_github(ctx, event, err, errlen);
    else if (gitlab && strcmp(gitlab, "true") == 0)
        rc = context_gitlab(ctx, err, errlen);
    else
        rc = context_generic(ctx, err, errlen);
    if (rc < 0)
        return -1;

    /* MLGATE_* then the command line: both win field by field. */
    if (context_override(ctx, "MLGATE_REPO", context_env("MLGATE_REPO"),
                         context_env("MLGATE_PR"), 0,
                         context_env("MLGATE_SHA"),
                         context_env("MLGATE_BRANCH"), err, errlen) < 0)
        return -1;
    if (ov && context_override(ctx, "--repo", ov->repo, NULL, ov->pr,
                               ov->sha, ov->branch, err, errlen) < 0)
        return -1;
    if (ov && ov->pr < 0) {
        context_err(err, errlen, "--pr: %ld is not a PR number", ov->pr);
        return -1;
    }

    if (strcmp(ctx->forge, "none") == 0 && *ctx->repo) {
        const char *want = context_env("MLGATE_FORGE");

        if (want && strcmp(want, "gitlab") != 0 &&
            strcmp(want, "github") != 0) {
            context_err(err, errlen, "MLGATE_FORGE: \"%.20s\" is not "
                        "github or gitlab", want);
            return -1;
        }
        context_set(&ctx->forge, want ? want : "github");
        if (strcmp(ctx->forge, "gitlab") == 0) {
            context_set(&ctx->api_url, context_env("CI_API_V4_URL"));
            context_set(&ctx->server_url, context_env("CI_SERVER_URL"));
        } else {
            context_set(&ctx->api_url, context_env("GITHUB_API_URL") ?
                        context_env("GITHUB_API_URL") :
                        "https://api.github.com");
            context_set(&ctx->server_url, context_env("GITHUB_SERVER_URL") ?
                        context_env("GITHUB_SERVER_URL") :
                        "https://github.com");
        }
        if (!*ctx->head_repo)
            context_set(&ctx->head_repo, ctx->repo);
    }
    if (*ctx->repo && !validate_repo(ctx->repo,
                                     strcmp(ctx->forge, "gitlab") == 0)) {
        context_err(err, errlen, "repository \"%.80s\" is not a %s "
                    "repository path (OWNER/NAME)", ctx->repo,
                    strcmp(ctx->forge, "gitlab") == 0 ? "GitLab" : "GitHub");
        return -1;
    }
    if (*ctx->head_sha && !validate_sha(ctx->head_sha)) {
        context_err(err, errlen, "head commit \"%.60s\" is not a 40-hex "
                    "SHA", ctx->head_sha);
        return -1;
    }
    if (strcmp(ctx->forge, "gitlab") == 0 && gitlab &&
        strcmp(gitlab, "true") == 0)
        context_gitlab_pipeline(ctx);
    /* A PR without a head commit (e.g. --repo/--pr only) is resolved
     * with one GET once the forge client exists. */
    if (ctx->pr > 0 && !*ctx->head_sha)
        ctx->needs_pr_lookup = 1;
    return 0;
}
