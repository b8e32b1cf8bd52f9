/*
 * context.h - the run context: repository, PR/MR, head commit, fork, CI
 * run link (design §2 step 2).  Sources, in order: explicit overrides
 * (--repo/--pr/--sha/--branch, else MLGATE_REPO/MLGATE_PR/MLGATE_SHA/
 * MLGATE_BRANCH), then GitHub Actions (GITHUB_EVENT_NAME +
 * GITHUB_EVENT_PATH payload), then GitLab CI (CI_* variables), then the
 * generic CI_PULL_REQUEST/CI_COMMIT/CI_REPO_OWNER/CI_REPO_NAME set.
 */
#ifndef MLG_CONTEXT_H
#define MLG_CONTEXT_H

#include "mlgate/plugin.h"

struct run_context {
    char *forge;          /* "github", "gitlab", "none" */
    char *event;          /* pull_request, pull_request_target, push,
                             issue_comment, workflow_dispatch,
                             merge_request, manual */
    char *repo;           /* owner/name (GitLab: CI_PROJECT_PATH) */
    char *project_id;     /* GitLab numeric project id, else "" */
    long pr;              /* 0 = none */
    char *head_sha;
    char *head_ref;
    char *head_repo;
    char *head_clone_url;
    char *base_ref;
    char *base_sha;
    int is_fork;
    int head_repo_deleted; /* GitHub: head.repo was null */
    int needs_pr_lookup;   /* issue_comment: head comes from GET /pulls/N */
    char *run_url;         /* CI run link, or "" */
    char *api_url;         /* forge API base (GITHUB_API_URL, CI_API_V4_URL) */
    char *server_url;      /* GITHUB_SERVER_URL / CI_SERVER_URL */
    /* GitLab: the pipeline commit statuses belong to (CI_PIPELINE_ID) and
     * its ref, or "" when the statuses' SHA is not the pipeline's (a
     * merged-results pipeline builds a merge commit). */
    char *ci_pipeline_id;
    char *ci_ref;
    char *comment_body;    /* issue_comment: the comment's text, else "" */
    int not_a_pr;          /* issue_comment on a plain issue */
};

struct context_overrides {
    const char *repo;   /* --repo */
    long pr;            /* --pr, 0 = not given */
    const char *sha;    /* --sha */
    const char *branch; /* --branch */
};

/* Fill *ctx from overrides and the environment.  Returns 0, or -1 with a
 * one-line error naming the variable or file and the field.  All string
 * fields are non-NULL afterwards.  Caller frees with context_free(). */
int context_load(struct run_context *ctx, const struct context_overrides *ov,
                 char *err, size_t errlen);
/* Same, reading the event payload from text (tests, fuzzing). */
int context_from_github_event(struct run_context *ctx, const char *event_name,
                              const char *payload, size_t len,
                              char *err, size_t errlen);
void context_free(struct run_context *ctx);
/* Whether the run has nothing to do: a comment on a plain issue, or with
 * trigger (the [run] trigger value, NULL = none) a comment that does not
 * start with it.  Returns 1 with a one-line reason in why, else 0. */
int context_nothing_to_do(const struct run_context *ctx, const char *trigger,
                          char *why, size_t whylen);

struct cJSON;
/* Fill head_*, base_*, is_fork, head_repo_deleted (and pr when 0) from a
 * GitHub pull request object: an event's "pull_request" or the answer of
 * GET /repos/O/R/pulls/N.  Errors read "LABEL: PREFIXhead.sha missing";
 * prefix is e.g. "pull_request." or "".  Returns 0 or -1. */
int context_apply_github_pr(struct run_context *ctx, const struct cJSON *pr,
                            const char *label, const char *prefix,
                            char *err, size_t errlen);

#endif
