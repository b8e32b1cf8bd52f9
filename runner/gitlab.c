/*
 * gitlab.c - the GitLab REST client behind forge.h: merge request notes
 * with X-Next-Page paging, commit statuses, the MR head lookup, and the
 * error text of GitLab's error bodies.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "context.h"
#include "forge_impl.h"
#include "log.h"
#include "markdown.h"
#include "util.h"

#define GITLAB_URL_MAX 255        /* target_url and ref limit */
#define GITLAB_CONFLICT_TRIES 3   /* status writes answered 409 */

char *gitlab_error_text(const cJSON *body)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(body, "message");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(body, "error");
    char *s;

    if (cJSON_IsString(m))
        return xstrdup(m->valuestring);
    /* Validation errors: {"message": {"field": ["is invalid"]}}. */
    if (m && (cJSON_IsObject(m) || cJSON_IsArray(m))) {
        s = cJSON_PrintUnformatted(m);
        if (s) {
            char *r = xstrdup(s);

            cJSON_free(s);
            return r;
        }
    }
    if (cJSON_IsString(e))
        return xstrdup(e->valuestring);
    return xstrdup("");
}

static const char *gitlab_str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The web link of a note, or "".  Caller frees. */
static char *gitlab_note_url(const struct forge *f, long mr, long long id)
{
    if (!*f->server_url || !*f->repo)
        return xstrdup("");
    return xasprintf("%s/%s/-/merge_requests/%ld#note_%lld", f->server_url,
                     f->repo, mr, id);
}

int gitlab_pick_note(const cJSON *list, const char *marker,
                     const char *author, long long *id, char **body,
                     struct forge_foreign *fo)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, list) {
        const char *b = gitlab_str(c, "body");
        const char *who = gitlab_str(
            cJSON_GetObjectItemCaseSensitive(c, "author"), "username");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, "id");
        long long nid;

        /* Ids are integers below 2^53; casting a larger double is
         * undefined. */
        if (!b || !strstr(b, marker) || !cJSON_IsNumber(v) ||
            !(v->valuedouble >= 1 && v->valuedouble < 9007199254740992.0))
            continue;
        nid = (long long)v->valuedouble;
        if (!who || !author || strcasecmp(who, author) != 0) {
            forge_foreign_add(fo, nid, who);
            continue;
        }
        *id = nid;
        if (body)
            *body = xstrdup(b);
        return 1;
    }
    return 0;
}

/* How many notes of a page carry the marker, whoever wrote them
 * (gitlab_pick_note counts them all as foreign without an author). */
static size_t gitlab_marked(const cJSON *list, const char *marker)
{
    struct forge_foreign all;
    long long id = 0;

    memset(&all, 0, sizeof all);
    gitlab_pick_note(list, marker, NULL, &id, NULL, &all);
    return all.n;
}

static int gitlab_whoami(struct forge *f, char **login, double deadline,
                         struct mlg_error *err)
{
    struct http_resp resp;
    cJSON *data = NULL;
    const char *u;

    *login = NULL;
    if (forge_request(f, "GET", "/user", NULL, &resp, &data, deadline,
                      err) < 0)
        return -1;
    u = gitlab_str(data, "username");
    if (u)
        *login = xstrdup(u);
    else
        log_seterr(err, MLG_E_TRANSPORT, (int)resp.status, 0,
                   "gitlab: GET /user: no username in the answer");
    cJSON_Delete(data);
    http_resp_free(&resp);
    return *login ? 0 : -1;
}

static int gitlab_find_comment(struct forge *f, long pr, const char *marker,
                               long long *id, char **body, char **url, int *pages,
                               struct forge_foreign *fo, double deadline,
                               struct mlg_error *err)
{
    long page = 1;

    while (page > 0) {
        struct http_resp resp;
        cJSON *data = NULL;
        char *path, *next;

        path = xasprintf("/projects/%s/merge_requests/%ld/notes?per_page=100"
                         "&sort=asc&order_by=created_at&page=%ld",
                         f->project, pr, page);
        if (forge_request(f, "GET", path, NULL, &resp, &data, deadline,
                          err) < 0) {
            free(path);
            return -1;
        }
        free(path);
        (*pages)++;
        if (forge_author_for(f, gitlab_marked(data, marker), deadline,
                             err) < 0) {
            cJSON_Delete(data);
            http_resp_free(&resp);
            return -1;
        }
        if (gitlab_pick_note(data, marker, f->author, id, body, fo) &&
            url)
            *url = gitlab_note_url(f, pr, *id);
        next = *id ? NULL : http_resp_header(&resp, "x-next-page");
        page = next && *next ? strtol(next, NULL, 10) : 0;
        free(next);
        cJSON_Delete(data);
        http_resp_free(&resp);
    }
    return 0;
}

static int gitlab_put_comment(struct forge *f, long pr, long long id,
                              const char *body, char **url, double deadline,
                              struct mlg_error *err)
{
    cJSON *req = cJSON_CreateObject(), *data = NULL, *v;
    char *path;
    int status, rc;

    cJSON_AddStringToObject(req, "body", body);
    if (id)
        path = xasprintf("/projects/%s/merge_requests/%ld/notes/%lld",
                         f->project, pr, id);
    else
        path = xasprintf("/projects/%s/merge_requests/%ld/notes",
                         f->project, pr);
    rc = forge_call(f, id ? "PUT" : "POST", path, req, &status, &data,
                    deadline, err);
    if (rc == 0 && url) {
        v = cJSON_GetObjectItemCaseSensitive(data, "id");
        *url = gitlab_note_url(f, pr, cJSON_IsNumber(v) &&
                               v->valuedouble >= 1 &&
                               v->valuedouble < 9007199254740992.0 ?
                               (long long)v->valuedouble : id);
    }
    cJSON_Delete(req);
    cJSON_Delete(data);
    free(path);
    return rc;
}

static void gitlab_set(char **dst, const char *v)
{
    if (v) {
        free(*dst);
        *dst = xstrdup(v);
    }
}

static int gitlab_resolve_pr(struct forge *f, struct run_context *ctx,
                             double deadline, struct mlg_error *err)
{
    struct http_resp resp;
    cJSON *data = NULL, *src, *dst;
    char *path = xasprintf("/projects/%s/merge_requests/%ld", f->project,
                           ctx->pr);
    const char *sha;
    int rc;

    rc = forge_request(f, "GET", path, NULL, &resp, &data, deadline, err);
    if (rc == 0) {
        sha = gitlab_str(data, "sha");
        if (!sha) {
            memset(err, 0, sizeof *err);
            err->kind = MLG_E_TRANSPORT;
            err->status = (int)resp.status;
            snprintf(err->message, sizeof err->message,
                     "gitlab: %s: sha missing", path);
            rc = -1;
        } else {
            gitlab_set(&ctx->head_sha, sha);
            gitlab_set(&ctx->head_ref, gitlab_str(data, "source_branch"));
            gitlab_set(&ctx->base_ref, gitlab_str(data, "target_branch"));
            src = cJSON_GetObjectItemCaseSensitive(data,
                                                   "source_project_id");
            dst = cJSON_GetObjectItemCaseSensitive(data,
                                                   "target_project_id");
            ctx->is_fork = cJSON_IsNumber(src) && cJSON_IsNumber(dst) &&
                           src->valuedouble != dst->valuedouble;
            ctx->needs_pr_lookup = 0;
        }
    }
    cJSON_Delete(data);
    http_resp_free(&resp);
    free(path);
    return rc;
}

char *gitlab_target_url(const char *url)
{
    size_t n;

    if (!url || (strncmp(url, "https://", 8) != 0 &&
                 strncmp(url, "http://", 7) != 0))
        return NULL;
    if (strlen(url) <= GITLAB_URL_MAX)
        return xstrdup(url);
    /* A cut query or path would be a different, broken link. */
    n = strcspn(url, "?#");
    return n <= GITLAB_URL_MAX ? xstrndup(url, n) : NULL;
}

static int gitlab_set_status(struct forge *f, const char *sha, const char *name,
                             const char *state, const char *description,
                             const char *target_url, double deadline,
                             struct mlg_error *err)
{
    char *path = xasprintf("/projects/%s/statuses/%s", f->project, sha);
    char *url = gitlab_target_url(target_url);
    cJSON *req = cJSON_CreateObject(), *data = NULL;
    int status = 0, rc = -1, i;

    /* GitLab names the context "name" and knows failed where GitHub (and
     * mlgate) have failure and error. */
    if (strcmp(state, "failure") == 0 || strcmp(state, "error") == 0)
        state = "failed";
    cJSON_AddStringToObject(req, "state", state);
    cJSON_AddStringToObject(req, "name", name);
    if (description)
        cJSON_AddStringToObject(req, "description", description);
    if (url)
        cJSON_AddStringToObject(req, "target_url", url);
    /* Without both, GitLab may attach the status to another pipeline of
     * the same SHA (see context_gitlab_pipeline). */
    if (*f->ref)
        cJSON_AddStringToObject(req, "ref", f->ref);
    if (*f->pipeline_id)
        cJSON_AddNumberToObject(req, "pipeline_id",
                                strtod(f->pipeline_id, NULL));
    for (i = 0; i < GITLAB_CONFLICT_TRIES; i++) {
        double pause = 0.5 * (i + 1);
        struct timespec ts;

        cJSON_Delete(data);
        data = NULL;
        rc = forge_call(f, "POST", path, req, &status, &data, deadline, err);
        /* 409 "Another update to this commit status is in progress": a
         * concurrent write of the same status holds its lock; the write
         * itself is sound, so it is repeated after a pause. */
        if (rc == 0 || status != 409 || i + 1 == GITLAB_CONFLICT_TRIES ||
            (deadline > 0 && now_mono() + pause >= deadline) ||
            http_cancelled())
            break;
        log_msg(LOG_DEBUG, "gitlab", "status %s: 409 conflict, again in "
                "%.1f s", name, pause);
        ts.tv_sec = (time_t)pause;
        ts.tv_nsec = (long)((pause - (double)ts.tv_sec) * 1e9);
        nanosleep(&ts, NULL);
    }
    cJSON_Delete(data);
    cJSON_Delete(req);
    free(url);
    free(path);
    return rc;
}

/* GITLAB_TOKEN as PRIVATE-TOKEN, else the job's CI_JOB_TOKEN (which can
 * read but write neither notes nor statuses: said at once). */
static const char *gitlab_auth(char ***h, size_t *nh)
{
    const char *tok;

    if ((tok = getenv("GITLAB_TOKEN")) != NULL && *tok) {
        log_secret_add(tok);
        forge_headers_add(h, nh, xasprintf("PRIVATE-TOKEN: %s", tok));
        return tok;
    }
    if ((tok = getenv("CI_JOB_TOKEN")) != NULL && *tok) {
        log_secret_add(tok);
        /* Said now, once: otherwise it surfaces only as warnings at the
         * end, after the checks ran. */
        log_msg(LOG_WARN, NULL, "gitlab: CI_JOB_TOKEN cannot write MR "
                "comments or commit statuses: set GITLAB_TOKEN to a "
                "project or personal access token with api scope");
        forge_headers_add(h, nh, xasprintf("JOB-TOKEN: %s", tok));
        return tok;
    }
    return NULL;
}

/* CI_PROJECT_ID when known, else the escaped path (both name a project
 * in GitLab's API). */
static char *gitlab_project(const struct run_context *ctx, const char *repo)
{
    return ctx->project_id && *ctx->project_id ? xstrdup(ctx->project_id)
                                               : http_escape(repo);
}

const struct forge_ops forge_gitlab_ops = {
    "gitlab", "CI_API_V4_URL", NULL, "GITLAB_TOKEN or CI_JOB_TOKEN",
    /* 1,000,000 characters: a note's body limit (lib/api/notes.rb). */
    {"MR note", MD_LIMIT_GITLAB, 0},
    gitlab_auth, gitlab_project, gitlab_error_text, gitlab_whoami,
    gitlab_find_comment, gitlab_put_comment, gitlab_set_status,
    gitlab_resolve_pr
};
