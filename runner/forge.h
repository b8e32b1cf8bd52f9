/*
 * forge.h - GitHub and GitLab REST clients behind one interface (design
 * §7, §8).  forge.c does what both share and picks the handler table
 * (struct forge_ops, forge_impl.h) that github.c or gitlab.c defines
 * from the run context.
 *
 * GitHub: base GITHUB_API_URL (conf [github] api-url overrides), headers
 * Accept: application/vnd.github+json, X-GitHub-Api-Version: 2022-11-28,
 * User-Agent: mlgate/VERSION, Authorization: Bearer (GITHUB_TOKEN, else
 * GH_TOKEN); pagination by Link rel="next".
 * GitLab: base CI_API_V4_URL ([gitlab] api-url), PRIVATE-TOKEN
 * (GITLAB_TOKEN) or Bearer (CI_JOB_TOKEN is not enough for notes);
 * pagination by X-Next-Page.
 */
#ifndef MLG_FORGE_H
#define MLG_FORGE_H

#include "conf.h"
#include "context.h"
#include "mlgate/plugin.h"

struct cJSON;
struct forge;

/* What publishing needs to know of a forge, with or without a handle. */
struct forge_traits {
    const char *comment_word;  /* "PR comment", "MR note" */
    size_t comment_limit;      /* characters a comment body may have */
    int job_summary;           /* its CI has a job summary (else: the job) */
};

/* The traits of forge kind ("github", "gitlab"; NULL or anything else:
 * GitHub's).  Static; never NULL. */
const struct forge_traits *forge_traits_of(const char *kind);

/* NULL with err (MLG_E_CONFIG) when the context has no forge or no token.
 * The token is registered as a secret.  Caller frees with forge_free(). */
struct forge *forge_new(const struct run_context *ctx, const struct conf *c,
                        struct mlg_error *err);
void forge_free(struct forge *f);
const char *forge_kind(const struct forge *f); /* "github" | "gitlab" */

/* A raw call; path relative to the API base (or an absolute URL on the
 * same host, for pagination).  On 2xx returns 0 with *status and *data
 * (caller frees; NULL when the body is empty).  Non-2xx: -1 with err
 * (MLG_E_HTTP, status, and the server's message, e.g. GitHub 422
 * "errors[].message"). */
int forge_call(struct forge *f, const char *method, const char *path,
               const struct cJSON *body, int *status, struct cJSON **data,
               double deadline, struct mlg_error *err);

/* The PR/MR comment (note) whose body contains marker and that the
 * run's own identity wrote (forge_author), searching ALL pages in order
 * and stopping at the first hit.  The author is resolved lazily: only
 * when a listed page holds a comment carrying the marker and the author
 * is not known yet ([report] author, an earlier lookup, forge_learn), so
 * a PR without mlgate's comment costs the list pages alone.  A marker
 * comment by anyone else is never taken (anyone can post the invisible
 * marker); the first time a run meets one it says so at -v.  Returns 0
 * with *id = 0 when none.  *body and *url (caller frees) may be NULL to
 * skip.  *pages counts the list requests made (the /user lookup not
 * included). */
int forge_find_comment(struct forge *f, long pr, const char *marker,
                       long long *id, char **body, char **url, int *pages,
                       double deadline, struct mlg_error *err);
/* Who the token writes comments as: [report] author when set, else
 * resolved once per run (GitHub GET /user, an installation token being
 * github-actions[bot]: its 403 "Resource not accessible by
 * integration"; GitLab GET /user).  The string belongs to f.  NULL with
 * err when it cannot be known; the failure is remembered. */
const char *forge_author(struct forge *f, double deadline,
                         struct mlg_error *err);
/* The author when known already (no request), else NULL.  Belongs to
 * f. */
const char *forge_author_known(const struct forge *f);
/* Whether this run said "ignored N comments carrying the marker". */
int forge_foreign_said(const struct forge *f);
/* What a lookup made in another process (prefetch.c) learnt: its author
 * (taken when valid and none is known yet; copied) and whether it said
 * the foreign-marker line, so that neither is repeated here. */
void forge_learn(struct forge *f, const char *author, int foreign_said);
/* Create (id == 0) or update a comment; *url (caller frees) may be NULL. */
int forge_put_comment(struct forge *f, long pr, long long id,
                      const char *body, char **url, double deadline,
                      struct mlg_error *err);
/* One commit status.  state: "success", "failure", "error", "pending".
 * description is cut to 140 characters by the caller. */
int forge_set_status(struct forge *f, const char *sha, const char *context,
                     const char *state, const char *description,
                     const char *target_url, double deadline,
                     struct mlg_error *err);
/* Fill the head of an issue_comment run (GET /pulls/N): head_sha,
 * head_ref, head_repo, head_clone_url, base_ref, is_fork. */
int forge_resolve_pr(struct forge *f, struct run_context *ctx,
                     double deadline, struct mlg_error *err);

#endif
