/*
 * github.c - the GitHub REST client behind forge.h: issue comments with
 * Link rel="next" paging, commit statuses, the PR head lookup, and the
 * error text of GitHub's error bodies (message plus errors[].message).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "context.h"
#include "forge_impl.h"
#include "log.h"
#include "markdown.h"
#include "util.h"

char *github_error_text(const cJSON *body)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(body, "message");
    const cJSON *errs = cJSON_GetObjectItemCaseSensitive(body, "errors");
    const cJSON *e;
    struct buf b = { 0 };
    int n = 0;

    if (cJSON_IsString(m))
        buf_adds(&b, m->valuestring);
    /* 422 validation failures carry the useful part here. */
    cJSON_ArrayForEach(e, errs) {
        const cJSON *em = cJSON_GetObjectItemCaseSensitive(e, "message");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
        const cJSON *field = cJSON_GetObjectItemCaseSensitive(e, "field");

        buf_adds(&b, n++ == 0 ? (b.len ? ": " : "") : "; ");
        if (cJSON_IsString(e))
            buf_adds(&b, e->valuestring);
        else if (cJSON_IsString(em))
            buf_adds(&b, em->valuestring);
        else if (cJSON_IsString(code))
            buf_printf(&b, "%s%s%s", cJSON_IsString(field) ?
                       field->valuestring : "", cJSON_IsString(field) ?
                       " " : "", code->valuestring);
    }
    return buf_take(&b);
}

static long long github_id(const cJSON *o)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "id");

    /* Ids are integers below 2^53; casting a larger double is
     * undefined. */
    return cJSON_IsNumber(v) && v->valuedouble >= 1 &&
           v->valuedouble < 9007199254740992.0 ?
           (long long)v->valuedouble : 0;
}

static const char *github_str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *github_login(const cJSON *c)
{
    return github_str(cJSON_GetObjectItemCaseSensitive(c, "user"), "login");
}

int github_pick_comment(const cJSON *list, const char *marker,
                        const char *author, long long *id, char **body,
                        char **url, struct forge_foreign *fo)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, list) {
        const char *b = github_str(c, "body");
        const char *login = github_login(c);

        /* A match without a usable id could not be updated: skip it
         * rather than stop on it. */
        if (!b || !strstr(b, marker) || github_id(c) <= 0)
            continue;
        if (!login || !author || strcasecmp(login, author) != 0) {
            forge_foreign_add(fo, github_id(c), login);
            continue;
        }
        *id = github_id(c);
        if (body)
            *body = xstrdup(b);
        if (url)
            *url = xstrdup(github_str(c, "html_url") ?
                           github_str(c, "html_url") : "");
        return 1;
    }
    return 0;
}

/* How many comments of a page carry the marker, whoever wrote them
 * (github_pick_comment counts them all as foreign without an author). */
static size_t github_marked(const cJSON *list, const char *marker)
{
    struct forge_foreign all;
    long long id = 0;

    memset(&all, 0, sizeof all);
    github_pick_comment(list, marker, NULL, &id, NULL, NULL, &all);
    return all.n;
}

static int github_whoami(struct forge *f, char **login, double deadline,
                         struct mlg_error *err)
{
    struct http_resp resp;
    cJSON *data = NULL;
    const char *l;

    *login = NULL;
    if (forge_request(f, "GET", "/user", NULL, &resp, &data, deadline,
                      err) < 0) {
        /* An installation token (GITHUB_TOKEN, an app's token) may not
         * read /user; what it writes shows as the Actions bot. */
        if (err->kind == MLG_E_HTTP && err->status == 403 &&
            strstr(err->message, "Resource not accessible by integration")) {
            memset(err, 0, sizeof *err);
            *login = xstrdup("github-actions[bot]");
            return 0;
        }
        return -1;
    }
    l = github_str(data, "login");
    if (l)
        *login = xstrdup(l);
    else
        log_seterr(err, MLG_E_TRANSPORT, (int)resp.status, 0,
                   "github: GET /user: no login in the answer");
    cJSON_Delete(data);
    http_resp_free(&resp);
    return *login ? 0 : -1;
}

static int github_find_comment(struct forge *f, long pr, const char *marker,
                               long long *id, char **body, char **url, int *pages,
                               struct forge_foreign *fo, double deadline,
                               struct mlg_error *err)
{
    char *path = xasprintf("/repos/%s/issues/%ld/comments?per_page=100",
                           f->repo, pr);

    while (path) {
        struct http_resp resp;
        cJSON *data = NULL;
        char *link, *next = NULL;

        if (forge_request(f, "GET", path, NULL, &resp, &data, deadline,
                          err) < 0) {
            free(path);
            return -1;
        }
        (*pages)++;
        if (forge_author_for(f, github_marked(data, marker), deadline,
                             err) < 0) {
            cJSON_Delete(data);
            http_resp_free(&resp);
            free(path);
            return -1;
        }
        /* Follow the server's next link verbatim, never a built URL. */
        if (!github_pick_comment(data, marker, f->author, id, body, url,
                                 fo)) {
            link = http_resp_header(&resp, "link");
            next = http_link_next(link);
            free(link);
        }
        cJSON_Delete(data);
        http_resp_free(&resp);
        free(path);
        path = next;
    }
    return 0;
}

static int github_put_comment(struct forge *f, long pr, long long id,
                              const char *body, char **url, double deadline,
                              struct mlg_error *err)
{
    cJSON *req = cJSON_CreateObject(), *data = NULL;
    char *path;
    int status, rc;

    cJSON_AddStringToObject(req, "body", body);
    if (id)
        path = xasprintf("/repos/%s/issues/comments/%lld", f->repo, id);
    else
        path = xasprintf("/repos/%s/issues/%ld/comments", f->repo, pr);
    rc = forge_call(f, id ? "PATCH" : "POST", path, req, &status, &data,
                    deadline, err);
    if (rc == 0 && url)
        *url = xstrdup(github_str(data, "html_url") ?
                       github_str(data, "html_url") : "");
    cJSON_Delete(req);
    cJSON_Delete(data);
    free(path);
    return rc;
}

static int github_resolve_pr(struct forge *f, struct run_context *ctx,
                             double deadline, struct mlg_error *err)
{
    struct http_resp resp;
    cJSON *data = NULL;
    char *path = xasprintf("/repos/%s/pulls/%ld", f->repo, ctx->pr);
    char msg[MLG_ERROR_SIZE - 16];
    int rc;

    rc = forge_request(f, "GET", path, NULL, &resp, &data, deadline, err);
    if (rc == 0 &&
        context_apply_github_pr(ctx, data, path, "", msg,
                                sizeof msg) < 0) {
        memset(err, 0, sizeof *err);
        err->kind = MLG_E_TRANSPORT;
        err->status = (int)resp.status;
        snprintf(err->message, sizeof err->message, "github: %s", msg);
        rc = -1;
    }
    if (rc == 0)
        ctx->needs_pr_lookup = 0;
    cJSON_Delete(data);
    http_resp_free(&resp);
    free(path);
    return rc;
}

/* GITHUB_TOKEN (Actions), else GH_TOKEN (the gh CLI's), as Bearer, with
 * the media type and API version GitHub asks integrations to send. */
static const char *github_auth(char ***h, size_t *nh)
{
    const char *tok = getenv("GITHUB_TOKEN");

    if (!tok || !*tok)
        tok = getenv("GH_TOKEN");
    if (!tok || !*tok)
        return NULL;
    log_secret_add(tok);
    forge_headers_add(h, nh, xasprintf("Authorization: Bearer %s", tok));
    forge_headers_add(h, nh, xstrdup("Accept: application/vnd.github+json"));
    forge_headers_add(h, nh, xstrdup("X-GitHub-Api-Version: 2022-11-28"));
    return tok;
}

/* GitHub names repositories by owner/name alone. */
static char *github_project(const struct run_context *ctx, const char *repo)
{
    (void)ctx;
    (void)repo;
    return xstrdup("");
}

/* POST /repos/:repo/statuses/:sha; GitHub's states are mlgate's. */
static int github_set_status(struct forge *f, const char *sha,
                             const char *context, const char *state,
                             const char *description, const char *target_url,
                             double deadline, struct mlg_error *err)
{
    cJSON *req = cJSON_CreateObject(), *data = NULL;
    char *path = xasprintf("/repos/%s/statuses/%s", f->repo, sha);
    int status, rc;

    cJSON_AddStringToObject(req, "state", state);
    cJSON_AddStringToObject(req, "context", context);
    if (description)
        cJSON_AddStringToObject(req, "description", description);
    if (target_url && *target_url)
        cJSON_AddStringToObject(req, "target_url", target_url);
    rc = forge_call(f, "POST", path, req, &status, &data, deadline, err);
    cJSON_Delete(req);
    cJSON_Delete(data);
    free(path);
    return rc;
}

const struct forge_ops forge_github_ops = {
    "github", "GITHUB_API_URL", "https://api.github.com",
    "GITHUB_TOKEN or GH_TOKEN",
    /* 65,536 characters: the issue comment body limit (422 above). */
    {"PR comment", MD_LIMIT_GITHUB, 1},
    github_auth, github_project, github_error_text, github_whoami,
    github_find_comment, github_put_comment, github_set_status,
    github_resolve_pr
};
