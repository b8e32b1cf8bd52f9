/*
 * forge.c - picks the GitHub or GitLab handler table (struct forge_ops)
 * from the run context, owns the forge handle and its token, and performs
 * what both share: requests (error mapping, same-origin rule), the
 * author lookup and the argument checks.  It names neither forge: each
 * forge's rules live in its own file (github.c, gitlab.c).
 *
 * Writes are not spaced out artificially (GitHub suggests >= 1 s between
 * mutating calls): mlgate makes a handful per run, and the retry policy
 * of http.c handles the secondary rate limit when it does answer.
 * Creates (comment, note) are marked no_replay: publish.c recovers a
 * lost one through forge_find_comment instead of posting it twice.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "forge_impl.h"
#include "log.h"
#include "util.h"
#include "validate.h"

/* The handler of a forge kind, or NULL. */
static const struct forge_ops *forge_ops_named(const char *kind)
{
    static const struct forge_ops *const all[] = {
        &forge_github_ops, &forge_gitlab_ops
    };
    size_t i;

    for (i = 0; kind != NULL && i < sizeof all / sizeof all[0]; i++)
        if (strcmp(all[i]->name, kind) == 0)
            return all[i];
    return NULL;
}

const struct forge_traits *forge_traits_of(const char *kind)
{
    const struct forge_ops *ops = forge_ops_named(kind);

    return ops != NULL ? &ops->traits : &forge_github_ops.traits;
}

const char *forge_kind(const struct forge *f)
{
    return f->ops->name;
}

/* scheme://host[:port] of url.  Caller frees. */
static char *forge_origin(const char *url)
{
    const char *p = strstr(url, "://");
    size_t n;

    if (!p)
        return xstrdup(url);
    n = (size_t)(p + 3 - url);
    n += strcspn(url + n, "/?#");
    return xstrndup(url, n);
}

void forge_headers_add(char ***h, size_t *n, char *line)
{
    *h = xrealloc(*h, (*n + 2) * sizeof **h);
    (*h)[(*n)++] = line;
    (*h)[*n] = NULL;
}

struct forge *forge_new(const struct run_context *ctx, const struct conf *c,
                        struct mlg_error *err)
{
    const struct conf_section *sec;
    const struct forge_ops *ops = ctx ? forge_ops_named(ctx->forge) : NULL;
    const char *api = NULL, *tok, *v;
    struct http_opts o;
    struct forge *f;
    size_t nh = 0;
    int b;

    if (!ops) {
        log_seterr(err, MLG_E_CONFIG, 0, 0, "no forge: not a GitHub or GitLab "
                   "run and no --repo given");
        return NULL;
    }
    sec = c ? conf_find(c, ops->name) : NULL;
    memset(&o, 0, sizeof o);
    o.service = ops->name;
    o.verify = 1;
    if ((v = conf_get(sec, "api-url")) != NULL && *v) {
        api = v;
        o.allow_http = 1; /* explicit configuration */
    } else if (ctx->api_url && *ctx->api_url) {
        api = ctx->api_url;
    } else {
        api = getenv(ops->api_var);
        if (!api || !*api)
            api = ops->default_api;
    }
    if (!api) {
        log_seterr(err, MLG_E_CONFIG, 0, 0, "%s: no API URL (set %s or "
                   "[%s] api-url)", ops->name, ops->api_var, ops->name);
        return NULL;
    }
    if ((v = conf_get(sec, "verify")) != NULL && *v) {
        if (conf_parse_bool(v, &b) == 0)
            o.verify = b;
        else
            o.ca_bundle = v;
    }
    v = getenv("MLGATE_HTTP_BACKOFF");
    if (v)
        o.backoff_base_s = atof(v);

    f = xcalloc(1, sizeof *f);
    f->ops = ops;
    tok = ops->auth(&f->headers, &nh);
    if (!tok || !*tok) {
        log_seterr(err, MLG_E_CONFIG, 0, 0, "%s: no token (set %s)",
                   ops->name, ops->token_vars);
        forge_free(f);
        return NULL;
    }
    forge_headers_add(&f->headers, &nh,
                      xstrdup("Content-Type: application/json"));
    o.base_url = api;
    f->http = http_new(&o, err);
    if (!f->http) {
        forge_free(f);
        return NULL;
    }
    f->origin = forge_origin(http_base(f->http));
    /* conf_load checked its syntax (validate_login). */
    v = conf_get(c ? conf_find(c, "report") : NULL, "author");
    if (v && *v) {
        f->author = xstrdup(v);
        f->author_done = 1;
    }
    f->repo = xstrdup(ctx->repo ? ctx->repo : "");
    f->server_url = xstrdup(ctx->server_url ? ctx->server_url : "");
    f->pipeline_id = xstrdup(ctx->ci_pipeline_id ? ctx->ci_pipeline_id : "");
    f->ref = xstrdup(ctx->ci_ref ? ctx->ci_ref : "");
    f->project = ops->project(ctx, f->repo);
    if (!*f->repo && !*f->project) {
        log_seterr(err, MLG_E_CONFIG, 0, 0, "%s: no repository (set --repo)",
                   ops->name);
        forge_free(f);
        return NULL;
    }
    return f;
}

void forge_free(struct forge *f)
{
    char **h;

    if (!f)
        return;
    http_free(f->http);
    for (h = f->headers; h && *h; h++)
        free(*h);
    free(f->headers);
    free(f->origin);
    free(f->repo);
    free(f->project);
    free(f->server_url);
    free(f->author);
    free(f->pipeline_id);
    free(f->ref);
    free(f);
}

int forge_request(struct forge *f, const char *method, const char *path,
                  const char *body, struct http_resp *resp,
                  struct cJSON **data, double deadline,
                  struct mlg_error *err)
{
    struct http_req req;
    const char *shown;
    cJSON *j = NULL;

    *data = NULL;
    memset(resp, 0, sizeof *resp);
    if (!path || !method) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "%s: no method or path",
                   forge_kind(f));
        return -1;
    }
    /* The token must never travel to another host. */
    if (strstr(path, "://") &&
        (strncasecmp(path, f->origin, strlen(f->origin)) != 0 ||
         (path[strlen(f->origin)] != '/' && path[strlen(f->origin)] != '\0'
          && path[strlen(f->origin)] != '?'))) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "%s: refusing a URL outside %s",
                   forge_kind(f), f->origin);
        return -1;
    }
    if (!strstr(path, "://") && path[0] != '/') {
        log_seterr(err, MLG_E_USAGE, 0, 0, "%s: path \"%s\" must start with "
                   "'/'", forge_kind(f), path);
        return -1;
    }
    memset(&req, 0, sizeof req);
    req.method = method;
    req.url = path;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    req.headers = (const char *const *)f->headers;
    /* A POST that creates (a comment, a note) is never repeated blindly
     * (the caller looks for it); a commit status is the same state for
     * the same context however often it is sent, and GET, PATCH, PUT
     * and DELETE are idempotent. */
    req.no_replay = strcmp(method, "POST") == 0 &&
                    strstr(path, "/statuses/") == NULL;
    req.idempotent = !req.no_replay;
    req.deadline = deadline;
    if (http_request(f->http, &req, resp, err) < 0) {
        http_resp_free(resp);
        return -1;
    }
    shown = strstr(path, "://") ? path + strlen(f->origin) : path;
    if (resp->len > 0) {
        j = cJSON_ParseWithLength(resp->body, resp->len);
        if (!j && resp->status / 100 == 2) {
            log_seterr(err, MLG_E_TRANSPORT, (int)resp->status, 0,
                       "%s: %s %.*s: HTTP %ld with a body that is not JSON",
                       forge_kind(f), method, (int)strcspn(shown, "?"),
                       shown, resp->status);
            http_resp_free(resp);
            return -1;
        }
    }
    if (resp->status / 100 != 2) {
        char *msg = j ? f->ops->error_text(j)
                      : NULL;
        char code[24];

        /* GitLab's messages often start with the status already. */
        snprintf(code, sizeof code, "%ld ", resp->status);
        if (msg && strncmp(msg, code, strlen(code)) == 0)
            log_seterr(err, MLG_E_HTTP, (int)resp->status, 0,
                       "%s: %s %.*s: %s",
                       forge_kind(f), method, (int)strcspn(shown, "?"),
                       shown, msg);
        else
            log_seterr(err, MLG_E_HTTP, (int)resp->status, 0,
                       "%s: %s %.*s: %ld%s%s", forge_kind(f), method,
                       (int)strcspn(shown, "?"), shown, resp->status,
                       msg && *msg ? " " : "", msg && *msg ? msg : "");
        free(msg);
        cJSON_Delete(j);
        http_resp_free(resp);
        return -1;
    }
    *data = j;
    return 0;
}

int forge_call(struct forge *f, const char *method, const char *path,
               const struct cJSON *body, int *status, struct cJSON **data,
               double deadline, struct mlg_error *err)
{
    struct http_resp resp;
    char *json = body ? cJSON_PrintUnformatted(body) : NULL;
    int rc;

    *status = 0;
    rc = forge_request(f, method, path, json, &resp, data, deadline, err);
    free(json);
    if (rc == 0)
        *status = (int)resp.status;
    else if (err)
        *status = err->status;
    http_resp_free(&resp);
    return rc;
}

void forge_foreign_add(struct forge_foreign *fo, long long id,
                       const char *login)
{
    if (!fo)
        return;
    if (fo->n++ == 0) {
        fo->first_id = id;
        snprintf(fo->first_login, sizeof fo->first_login, "%s",
                 login ? login : "?");
    }
}

const char *forge_author(struct forge *f, double deadline,
                         struct mlg_error *err)
{
    if (!f->author_done) {
        char *login = NULL;
        int rc;

        memset(&f->author_err, 0, sizeof f->author_err);
        rc = f->ops->whoami(f, &login, deadline, &f->author_err);
        /* Matched against comment authors: must be a plain login. */
        if (rc == 0 && !validate_login(login)) {
            log_seterr(&f->author_err, MLG_E_TRANSPORT, 0, 0, "%s: GET "
                       "/user: the login is not a valid user name",
                       forge_kind(f));
            rc = -1;
        }
        if (rc == 0) {
            f->author = login;
            log_msg(LOG_DEBUG, NULL, "%s: the token writes as %s",
                    forge_kind(f), login);
        } else {
            free(login);
        }
        f->author_done = 1;
    }
    if (!f->author && err)
        *err = f->author_err;
    return f->author;
}

int forge_author_for(struct forge *f, size_t marked, double deadline,
                     struct mlg_error *err)
{
    if (marked == 0)
        return 0;
    return forge_author(f, deadline, err) != NULL ? 0 : -1;
}

const char *forge_author_known(const struct forge *f)
{
    return f->author;
}

int forge_foreign_said(const struct forge *f)
{
    return f->foreign_said;
}

void forge_learn(struct forge *f, const char *author, int foreign_said)
{
    /* Checked as forge_author checks the answer of GET /user. */
    if (!f->author_done && author && validate_login(author)) {
        f->author = xstrdup(author);
        f->author_done = 1;
    }
    if (foreign_said)
        f->foreign_said = 1;
}

int forge_find_comment(struct forge *f, long pr, const char *marker,
                       long long *id, char **body, char **url, int *pages,
                       double deadline, struct mlg_error *err)
{
    struct forge_foreign fo;
    int dummy = 0, rc;

    *id = 0;
    if (body)
        *body = NULL;
    if (url)
        *url = NULL;
    if (!pages)
        pages = &dummy;
    *pages = 0;
    if (pr <= 0 || !marker || !*marker) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "%s: no PR number or marker",
                   forge_kind(f));
        return -1;
    }
    /* No GET /user here: the pages resolve the author only when one of
     * them holds a marker comment (forge_author_for). */
    memset(&fo, 0, sizeof fo);
    rc = f->ops->find_comment(f, pr, marker, id, body, url, pages, &fo,
                              deadline, err);
    if (fo.n > 0 && !f->foreign_said) {
        log_msg(LOG_DEBUG, NULL, "ignored %zu comment%s carrying the mlgate "
                "marker but not written by %s (first: %lld by %s)", fo.n,
                fo.n == 1 ? "" : "s", f->author ? f->author : "?",
                fo.first_id, fo.first_login);
        f->foreign_said = 1;
    }
    return rc;
}

int forge_put_comment(struct forge *f, long pr, long long id,
                      const char *body, char **url, double deadline,
                      struct mlg_error *err)
{
    if (url)
        *url = NULL;
    if (pr <= 0 || !body) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "%s: no PR number or body",
                   forge_kind(f));
        return -1;
    }
    return f->ops->put_comment(f, pr, id, body, url, deadline, err);
}

int forge_set_status(struct forge *f, const char *sha, const char *context,
                     const char *state, const char *description,
                     const char *target_url, double deadline,
                     struct mlg_error *err)
{
    if (!sha || !*sha || !context || !state) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "%s: commit status needs a SHA, "
                   "a context and a state", forge_kind(f));
        return -1;
    }
    if (strcmp(state, "success") != 0 && strcmp(state, "failure") != 0 &&
        strcmp(state, "error") != 0 && strcmp(state, "pending") != 0) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "%s: unknown status state \"%s\"",
                   forge_kind(f), state);
        return -1;
    }
    return f->ops->set_status(f, sha, context, state, description,
                              target_url, deadline, err);
}

int forge_resolve_pr(struct forge *f, struct run_context *ctx,
                     double deadline, struct mlg_error *err)
{
    if (ctx->pr <= 0) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "%s: no PR to resolve",
                   forge_kind(f));
        return -1;
    }
    return f->ops->resolve_pr(f, ctx, deadline, err);
}
