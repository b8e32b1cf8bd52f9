/*
 * forge_impl.h - private to forge.c, github.c and gitlab.c: the forge
 * handle and the shared request helper the two REST clients build on.
 */
#ifndef MLG_FORGE_IMPL_H
#define MLG_FORGE_IMPL_H

#include "forge.h"
#include "http.h"

struct forge;
struct forge_foreign;

/* One forge's rules, as curl's Curl_handler is one protocol's: forge.c
 * does what both share (handle, requests, error mapping, the author and
 * argument checks) and calls these for the rest.  github.c and gitlab.c
 * each define one instance; nothing else tells the two apart. */
struct forge_ops {
    const char *name;          /* "github", "gitlab": conf section, texts */
    const char *api_var;       /* environment variable of the API base */
    const char *default_api;   /* base when none is set, or NULL */
    const char *token_vars;    /* named in "no token (set ...)" */
    struct forge_traits traits;
    /* Adds the token's headers (and the forge's own) to the
     * NULL-terminated *h, registering the token as a secret; returns the
     * token (borrowed from the environment) or NULL when none is set. */
    const char *(*auth)(char ***h, size_t *nh);
    /* The project id requests name (GitLab: numeric id or escaped path;
     * GitHub: ""). Caller frees. */
    char *(*project)(const struct run_context *ctx, const char *repo);
    /* The server's error text from an error body ("" when none).  Caller
     * frees. */
    char *(*error_text)(const struct cJSON *body);
    /* Who the token writes as: 0 with a new string in *login, or -1. */
    int (*whoami)(struct forge *f, char **login, double deadline,
                  struct mlg_error *err);
    int (*find_comment)(struct forge *f, long pr, const char *marker,
                        long long *id, char **body, char **url, int *pages,
                        struct forge_foreign *fo, double deadline,
                        struct mlg_error *err);
    int (*put_comment)(struct forge *f, long pr, long long id,
                       const char *body, char **url, double deadline,
                       struct mlg_error *err);
    /* state in mlgate's words (success, failure, error, pending); each
     * forge maps it to its own. */
    int (*set_status)(struct forge *f, const char *sha, const char *context,
                      const char *state, const char *description,
                      const char *target_url, double deadline,
                      struct mlg_error *err);
    int (*resolve_pr)(struct forge *f, struct run_context *ctx,
                      double deadline, struct mlg_error *err);
};

extern const struct forge_ops forge_github_ops;
extern const struct forge_ops forge_gitlab_ops;

struct forge {
    const struct forge_ops *ops;
    struct http *http;
    char *origin;      /* scheme://host[:port] of the API base */
    char **headers;    /* NULL-terminated; includes the token: secret */
    char *repo;        /* owner/name (GitLab: the project path) */
    char *project;     /* GitLab: numeric id or escaped path */
    char *server_url;  /* web base, for links */
    /* Who the token writes as: [report] author, else resolved once per
     * run by forge_author (GET /user) when a page first holds a marker
     * comment, or learnt from a lookup made ahead (forge_learn); NULL
     * until then. */
    char *author;
    int author_done;   /* resolved (or failed: author_err) already */
    struct mlg_error author_err;
    int foreign_said;  /* "someone else's marker" was logged */
    char *pipeline_id; /* GitLab: statuses' pipeline_id, or "" */
    char *ref;         /* GitLab: statuses' ref, or "" */
};

/* Marker comments written by someone other than the run's author, as
 * the pick functions meet them. */
struct forge_foreign {
    size_t n;
    long long first_id;
    char first_login[128];
};

/* Remember one foreign marker comment (login may be NULL). */
void forge_foreign_add(struct forge_foreign *fo, long long id,
                       const char *login);

/* Called by each find_comment with the number of marker comments on the
 * page it just read (any author), before picking from it: the author is
 * resolved (forge_author: GET /user once per run) only when that number
 * is not 0, so a PR without a marker comment never costs the request.
 * Returns 0, or -1 with err when the author cannot be known. */
int forge_author_for(struct forge *f, size_t marked, double deadline,
                     struct mlg_error *err);

/* Appends line (taken) to the NULL-terminated *h. */
void forge_headers_add(char ***h, size_t *n, char *line);

/* One request.  path: relative to the API base or an absolute URL on the
 * same origin.  body: JSON text or NULL.  On 2xx returns 0 with *resp
 * (caller frees with http_resp_free) and *data parsed (caller frees; NULL
 * when the body is empty).  Otherwise -1 with err (MLG_E_HTTP carrying
 * the server's message); resp is freed. */
int forge_request(struct forge *f, const char *method, const char *path,
                  const char *body, struct http_resp *resp,
                  struct cJSON **data, double deadline,
                  struct mlg_error *err);

/* Exposed for fuzzing: the server's error text from an error body ("" when
 * none).  Caller frees. */
char *github_error_text(const struct cJSON *body);
char *gitlab_error_text(const struct cJSON *body);

/* One page of GitHub issue comments: the first whose body contains
 * marker, that has a positive id and whose user.login is author
 * (case-insensitive, as GitHub logins are).  Marker comments by anyone
 * else are counted in *fo (may be NULL).  Returns 1 with *id, and *body
 * and *url when not NULL (caller frees), or 0 when the page has none.
 * Used by github_find_comment; exposed for fuzzing. */
int github_pick_comment(const struct cJSON *list, const char *marker,
                        const char *author, long long *id, char **body,
                        char **url, struct forge_foreign *fo);
/* The same for a page of GitLab notes (author.username). */
int gitlab_pick_note(const struct cJSON *list, const char *marker,
                     const char *author, long long *id, char **body,
                     struct forge_foreign *fo);
/* target_url as GitLab takes it (a URL of at most 255 characters): the
 * URL itself, else without its query and fragment, else NULL (omit).
 * Caller frees. */
char *gitlab_target_url(const char *url);

#endif
