/*
 * github.c - the GitHub REST subset of the sandbox: PR comments with
 * Link paging, commit statuses, PR metadata, token kinds (write and
 * read-only), the User-Agent rule and GitHub's rate-limit answers.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "forge.h"
#include "sandbox.h"
#include "util.h"

#define GH_DOCS "https://docs.github.com/rest"
#define GH_MAX_BODY 65536

static void gh_msg(struct sbx_resp *r, int status, const char *message,
                   const char *doc)
{
    cJSON *j = cJSON_CreateObject();
    char st[8];

    snprintf(st, sizeof(st), "%d", status);
    cJSON_AddStringToObject(j, "message", message);
    cJSON_AddStringToObject(j, "documentation_url", doc ? doc : GH_DOCS);
    cJSON_AddStringToObject(j, "status", st);
    resp_json(r, status, j);
}

static void gh_validation(struct sbx_resp *r, const char *resource,
                          const char *field, const char *message,
                          const char *doc)
{
    cJSON *j = cJSON_CreateObject(), *errs, *e;

    cJSON_AddStringToObject(j, "message", "Validation Failed");
    errs = cJSON_AddArrayToObject(j, "errors");
    e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "resource", resource);
    cJSON_AddStringToObject(e, "code", "custom");
    cJSON_AddStringToObject(e, "field", field);
    cJSON_AddStringToObject(e, "message", message);
    cJSON_AddItemToArray(errs, e);
    cJSON_AddStringToObject(j, "documentation_url", doc);
    cJSON_AddStringToObject(j, "status", "422");
    resp_json(r, 422, j);
}

void github_rate_limit(struct sbx_resp *r, int primary, int status,
                       long retry_after, long reset_in)
{
    char v[32];
    long reset = (long)floor(world_now_ms() / 1000.0) + reset_in;

    if (primary) {
        gh_msg(r, status ? status : 403, "API rate limit exceeded for "
               "installation ID 1.",
               "https://docs.github.com/rest/overview/"
               "rate-limits-for-the-rest-api");
        resp_header(r, "x-ratelimit-limit", "5000");
        resp_header(r, "x-ratelimit-remaining", "0");
        resp_header(r, "x-ratelimit-used", "5000");
        snprintf(v, sizeof(v), "%ld", reset);
        resp_header(r, "x-ratelimit-reset", v);
        resp_header(r, "x-ratelimit-resource", "core");
        return;
    }
    gh_msg(r, status ? status : 403, "You have exceeded a secondary rate "
           "limit. Please wait a few minutes before you try again. If you "
           "reach out to GitHub Support for help, please include the "
           "request ID 0000:1111:2222:3333:44444444.",
           "https://docs.github.com/free-pro-team@latest/rest/overview/"
           "rate-limits-for-the-rest-api#about-secondary-rate-limits");
    if (retry_after < 0)
        return;
    snprintf(v, sizeof(v), "%ld", retry_after);
    resp_header(r, "retry-after", v);
}

static void gh_common_headers(struct sbx_resp *r)
{
    char v[32];

    snprintf(v, sizeof(v), "%ld", 5000 - (sbx_w.n_github % 5000));
    resp_header(r, "x-ratelimit-limit", "5000");
    resp_header(r, "x-ratelimit-remaining", v);
    snprintf(v, sizeof(v), "%ld", sbx_w.n_github % 5000);
    resp_header(r, "x-ratelimit-used", v);
    snprintf(v, sizeof(v), "%ld",
             (long)floor(world_now_ms() / 1000.0) + 3600);
    resp_header(r, "x-ratelimit-reset", v);
    resp_header(r, "x-ratelimit-resource", "core");
    resp_header(r, "x-github-api-version-selected", "2022-11-28");
}

/* The scenario's entry of the request's token, or NULL. */
static const cJSON *gh_token(const struct sbx_req *q)
{
    const char *h = req_header(q, "Authorization");
    const char *tok;
    const cJSON *t;

    if (h == NULL)
        return NULL;
    if (strncasecmp(h, "Bearer ", 7) == 0)
        tok = h + 7;
    else if (strncasecmp(h, "token ", 6) == 0)
        tok = h + 6;
    else
        return NULL;
    cJSON_ArrayForEach(t, sbx_w.gh_tokens) {
        const char *v = forge_str(t, "token");

        if (v != NULL && strcmp(v, tok) == 0)
            return t;
    }
    return NULL;
}

/* Installation tokens (ghs_, GITHUB_TOKEN) write as the Actions bot and
 * may not read /user; user tokens write as their "login". */
static int gh_token_is_installation(const cJSON *t)
{
    const char *v = forge_str(t, "token");

    return v != NULL && strncmp(v, "ghs_", 4) == 0;
}

static const char *gh_token_login(const cJSON *t)
{
    const char *l = forge_str(t, "login");

    if (l != NULL)
        return l;
    return gh_token_is_installation(t) ? "github-actions[bot]" : "octocat";
}

/* GET /user as GitHub answers it: the user for a user token; for an
 * installation token 403 "Resource not accessible by integration". */
static void gh_get_user(const struct sbx_req *q, struct sbx_resp *r)
{
    const cJSON *t = gh_token(q);
    cJSON *u;

    if (gh_token_is_installation(t)) {
        gh_msg(r, 403, "Resource not accessible by integration",
               "https://docs.github.com/rest/users/users"
               "#get-the-authenticated-user");
        return;
    }
    u = cJSON_CreateObject();
    cJSON_AddStringToObject(u, "login", gh_token_login(t));
    cJSON_AddNumberToObject(u, "id", 1000 + (double)strlen(gh_token_login(t)));
    cJSON_AddStringToObject(u, "type", "User");
    resp_json(r, 200, u);
}

/* The token's kind ("write", "read-only"), or NULL when unknown. */
static const char *gh_token_kind(const struct sbx_req *q, int *missing)
{
    const char *h = req_header(q, "Authorization");
    const cJSON *t;
    const char *tok;

    *missing = h == NULL || *h == '\0';
    if (*missing)
        return NULL;
    if (strncasecmp(h, "Bearer ", 7) == 0)
        tok = h + 7;
    else if (strncasecmp(h, "token ", 6) == 0)
        tok = h + 6;
    else
        return NULL;
    cJSON_ArrayForEach(t, sbx_w.gh_tokens) {
        const char *v = forge_str(t, "token");

        if (v != NULL && strcmp(v, tok) == 0) {
            const char *k = forge_str(t, "kind");

            return k ? k : "write";
        }
    }
    return NULL;
}

cJSON *github_comment(const char *repo, long num, long id,
                        const char *body, const char *login, double at)
{
    cJSON *c = cJSON_CreateObject(), *u = cJSON_CreateObject();
    char *s;
    int bot = strstr(login, "[bot]") != NULL;

    cJSON_AddNumberToObject(c, "id", (double)id);
    s = xasprintf("IC_kwDOsbx%08ld", id);
    cJSON_AddStringToObject(c, "node_id", s);
    free(s);
    s = xasprintf("https://api.github.com/repos/%s/issues/comments/%ld",
                  repo, id);
    cJSON_AddStringToObject(c, "url", s);
    free(s);
    s = xasprintf("https://github.com/%s/pull/%ld#issuecomment-%ld", repo,
                  num, id);
    cJSON_AddStringToObject(c, "html_url", s);
    free(s);
    s = xasprintf("https://api.github.com/repos/%s/issues/%ld", repo, num);
    cJSON_AddStringToObject(c, "issue_url", s);
    free(s);
    cJSON_AddStringToObject(c, "body", body);
    cJSON_AddStringToObject(u, "login", login);
    cJSON_AddNumberToObject(u, "id",
                            bot ? 41898282 : 1000 + (double)strlen(login));
    cJSON_AddStringToObject(u, "type", bot ? "Bot" : "User");
    cJSON_AddBoolToObject(u, "site_admin", 0);
    cJSON_AddItemToObject(c, "user", u);
    s = world_iso(at);
    /* GitHub prints seconds with a Z. */
    s[19] = 'Z';
    s[20] = '\0';
    cJSON_AddStringToObject(c, "created_at", s);
    cJSON_AddStringToObject(c, "updated_at", s);
    free(s);
    cJSON_AddStringToObject(c, "author_association",
                            bot ? "NONE" : "CONTRIBUTOR");
    return c;
}

/* The comment as served: API urls point back at this sandbox. */
static cJSON *gh_present(const cJSON *c, const char *api, const char *repo)
{
    cJSON *o = cJSON_Duplicate(c, 1);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
    char *u = xasprintf("%s/repos/%s/issues/comments/%.0f", api, repo,
                        cJSON_IsNumber(id) ? id->valuedouble : 0.0);

    cJSON_ReplaceItemInObjectCaseSensitive(o, "url", cJSON_CreateString(u));
    free(u);
    return o;
}

static void gh_link(struct buf *b, const char *base, long per_page,
                    long page, const char *rel)
{
    if (b->len > 0)
        buf_adds(b, ", ");
    buf_printf(b, "<%s?per_page=%ld&page=%ld>; rel=\"%s\"", base, per_page,
               page, rel);
}

static void gh_list_comments(struct sbx_req *q, struct sbx_resp *r,
                             const char *api, const char *repo,
                             const char *num)
{
    char *key = xasprintf("%s#%s", repo, num);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(sbx_w.gh_comments,
                                                        key);
    long per_page = forge_arg_long(q, "per_page", 30);
    long page = forge_arg_long(q, "page", 1);
    char *since = req_query_arg(q, "since");
    long total = 0, last, i = 0, from, to;
    cJSON *out = cJSON_CreateArray();
    const cJSON *c;

    if (per_page < 1)
        per_page = 30;
    if (per_page > 100)
        per_page = 100;
    if (page < 1)
        page = 1;
    cJSON_ArrayForEach(c, list)
        if (since == NULL || strcmp(forge_str(c, "updated_at") ?
                                    forge_str(c, "updated_at") : "",
                                    since) >= 0)
            total++;
    last = total == 0 ? 1 : (total + per_page - 1) / per_page;
    from = (page - 1) * per_page;
    to = from + per_page;
    cJSON_ArrayForEach(c, list) {
        if (since != NULL && strcmp(forge_str(c, "updated_at") ?
                                    forge_str(c, "updated_at") : "",
                                    since) < 0)
            continue;
        if (i >= from && i < to)
            cJSON_AddItemToArray(out, gh_present(c, api, repo));
        i++;
    }
    resp_json(r, 200, out);
    if (last > 1) {
        struct buf b = { 0 };
        char *base = xasprintf("%s/repos/%s/issues/%s/comments", api, repo,
                               num);

        if (page > 1)
            gh_link(&b, base, per_page, page - 1 > last ? last : page - 1,
                    "prev");
        if (page < last)
            gh_link(&b, base, per_page, page + 1, "next");
        if (page < last)
            gh_link(&b, base, per_page, last, "last");
        if (page > 1)
            gh_link(&b, base, per_page, 1, "first");
        resp_header(r, "Link", b.p);
        buf_free(&b);
        free(base);
    }
    free(since);
    free(key);
}

/* Parses {"body": "..."}; answers and returns NULL on error. */
static cJSON *gh_body(struct sbx_req *q, struct sbx_resp *r,
                      const char *doc)
{
    cJSON *j = cJSON_ParseWithLength(q->body, q->body_len);
    const char *body;

    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        gh_msg(r, 400, "Problems parsing JSON", doc);
        return NULL;
    }
    body = forge_str(j, "body");
    if (body == NULL) {
        cJSON_Delete(j);
        gh_msg(r, 422, "Invalid request.\n\n\"body\" wasn't supplied.", doc);
        return NULL;
    }
    if (forge_codepoints(body) > GH_MAX_BODY) {
        cJSON_Delete(j);
        gh_validation(r, "IssueComment", "body",
                      "body is too long (maximum is 65536 characters)", doc);
        return NULL;
    }
    return j;
}

static void gh_create_comment(struct sbx_req *q, struct sbx_resp *r,
                              const char *api, const char *repo,
                              const char *num)
{
    static const char doc[] = "https://docs.github.com/rest/issues/"
                              "comments#create-an-issue-comment";
    cJSON *j = gh_body(q, r, doc), *c, *list;
    char *key, *loc;

    if (j == NULL)
        return;
    key = xasprintf("%s#%s", repo, num);
    list = cJSON_GetObjectItemCaseSensitive(sbx_w.gh_comments, key);
    if (list == NULL) {
        list = cJSON_CreateArray();
        cJSON_AddItemToObject(sbx_w.gh_comments, key, list);
    }
    c = github_comment(repo, atol(num), sbx_w.gh_next_id++,
                         forge_str(j, "body"), gh_token_login(gh_token(q)),
                         world_now_ms());
    cJSON_AddItemToArray(list, c);
    resp_json(r, 201, gh_present(c, api, repo));
    loc = xasprintf("%s/repos/%s/issues/comments/%ld", api, repo,
                    sbx_w.gh_next_id - 1);
    resp_header(r, "Location", loc);
    free(loc);
    free(key);
    cJSON_Delete(j);
}

/* Finds comment `id` of repo and where it sits (list, index). */
static cJSON *gh_find_comment(const char *repo, long id, cJSON **list,
                              int *idx)
{
    cJSON *l;
    size_t rl = strlen(repo);

    cJSON_ArrayForEach(l, sbx_w.gh_comments) {
        cJSON *c;
        int i = 0;

        if (strncmp(l->string, repo, rl) != 0 || l->string[rl] != '#')
            continue;
        cJSON_ArrayForEach(c, l) {
            const cJSON *cid = cJSON_GetObjectItemCaseSensitive(c, "id");

            if (cJSON_IsNumber(cid) && (long)cid->valuedouble == id) {
                *list = l;
                *idx = i;
                return c;
            }
            i++;
        }
    }
    return NULL;
}

static void gh_comment_by_id(struct sbx_req *q, struct sbx_resp *r,
                             const char *api, const char *repo,
                             const char *ids)
{
    static const char doc[] = "https://docs.github.com/rest/issues/"
                              "comments#update-an-issue-comment";
    cJSON *list = NULL, *c;
    int idx = 0;

    c = gh_find_comment(repo, atol(ids), &list, &idx);
    if (c == NULL) {
        gh_msg(r, 404, "Not Found", doc);
        return;
    }
    if (strcmp(q->method, "GET") == 0) {
        resp_json(r, 200, gh_present(c, api, repo));
    } else if (strcmp(q->method, "PATCH") == 0) {
        cJSON *j = gh_body(q, r, doc);
        char *now;

        if (j == NULL)
            return;
        now = forge_now_z();
        cJSON_ReplaceItemInObjectCaseSensitive(
            c, "body", cJSON_CreateString(forge_str(j, "body")));
        cJSON_ReplaceItemInObjectCaseSensitive(c, "updated_at",
                                               cJSON_CreateString(now));
        resp_json(r, 200, gh_present(c, api, repo));
        free(now);
        cJSON_Delete(j);
    } else if (strcmp(q->method, "DELETE") == 0) {
        cJSON_DeleteItemFromArray(list, idx);
        resp_text(r, 204, NULL, "");
    } else {
        gh_msg(r, 404, "Not Found", doc);
    }
}

static void gh_create_status(struct sbx_req *q, struct sbx_resp *r,
                             const char *api, const char *repo,
                             const char *sha)
{
    static const char doc[] = "https://docs.github.com/rest/commits/"
                              "statuses#create-a-commit-status";
    static const char *const states[] = { "error", "failure", "pending",
                                          "success", NULL };
    cJSON *j = cJSON_ParseWithLength(q->body, q->body_len), *s, *list, *u;
    const char *state, *desc, *ctx, *target;
    int i, ok = 0;
    char *now, *url;

    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        gh_msg(r, 400, "Problems parsing JSON", doc);
        return;
    }
    state = forge_str(j, "state");
    desc = forge_str(j, "description");
    ctx = forge_str(j, "context");
    target = forge_str(j, "target_url");
    for (i = 0; state != NULL && states[i] != NULL; i++)
        ok |= strcmp(state, states[i]) == 0;
    if (state == NULL) {
        gh_msg(r, 422, "Invalid request.\n\n\"state\" wasn't supplied.",
               doc);
        cJSON_Delete(j);
        return;
    }
    if (!ok) {
        gh_validation(r, "Status", "state",
                      "state is not included in the list", doc);
        cJSON_Delete(j);
        return;
    }
    if (desc != NULL && forge_codepoints(desc) > 140) {
        gh_validation(r, "Status", "description", "description is too "
                      "long (maximum is 140 characters)", doc);
        cJSON_Delete(j);
        return;
    }
    now = forge_now_z();
    s = cJSON_CreateObject();
    url = xasprintf("%s/repos/%s/statuses/%s", api, repo, sha);
    cJSON_AddStringToObject(s, "url", url);
    cJSON_AddStringToObject(s, "avatar_url",
                            "https://avatars.githubusercontent.com/in/15368");
    cJSON_AddNumberToObject(s, "id", (double)(sbx_w.gh_next_id++ + 900000));
    cJSON_AddStringToObject(s, "node_id", "SC_kwDOsandbox");
    cJSON_AddStringToObject(s, "state", state);
    if (desc != NULL)
        cJSON_AddStringToObject(s, "description", desc);
    else
        cJSON_AddNullToObject(s, "description");
    if (target != NULL)
        cJSON_AddStringToObject(s, "target_url", target);
    else
        cJSON_AddNullToObject(s, "target_url");
    cJSON_AddStringToObject(s, "context", ctx ? ctx : "default");
    cJSON_AddStringToObject(s, "created_at", now);
    cJSON_AddStringToObject(s, "updated_at", now);
    u = cJSON_AddObjectToObject(s, "creator");
    cJSON_AddStringToObject(u, "login", "github-actions[bot]");
    cJSON_AddNumberToObject(u, "id", 41898282);
    cJSON_AddStringToObject(u, "type", "Bot");
    list = cJSON_GetObjectItemCaseSensitive(sbx_w.gh_statuses, sha);
    if (list == NULL) {
        list = cJSON_CreateArray();
        cJSON_AddItemToObject(sbx_w.gh_statuses, sha, list);
    }
    cJSON_AddItemToArray(list, cJSON_Duplicate(s, 1));
    resp_json(r, 201, s);
    free(url);
    free(now);
    cJSON_Delete(j);
}

/* One side (head/base) of a PR object. */
static cJSON *gh_pr_side(const cJSON *spec, const char *def_repo,
                         const char *def_ref)
{
    const char *full = forge_str(spec, "repo");
    const char *ref = forge_str(spec, "ref");
    const char *sha = forge_str(spec, "sha");
    cJSON *s = cJSON_CreateObject(), *repo, *owner;
    char login[128], *tmp;
    const char *sl;

    if (full == NULL)
        full = def_repo;
    sl = strchr(full, '/');
    snprintf(login, sizeof(login), "%.*s", sl ? (int)(sl - full) : 0, full);
    tmp = xasprintf("%s:%s", login, ref ? ref : def_ref);
    cJSON_AddStringToObject(s, "label", tmp);
    free(tmp);
    cJSON_AddStringToObject(s, "ref", ref ? ref : def_ref);
    cJSON_AddStringToObject(s, "sha", sha ? sha :
                            "0000000000000000000000000000000000000000");
    repo = cJSON_AddObjectToObject(s, "repo");
    cJSON_AddNumberToObject(repo, "id", 700000 + (double)strlen(full));
    cJSON_AddStringToObject(repo, "name", sl ? sl + 1 : full);
    cJSON_AddStringToObject(repo, "full_name", full);
    tmp = xasprintf("https://github.com/%s.git", full);
    cJSON_AddStringToObject(repo, "clone_url", tmp);
    free(tmp);
    tmp = xasprintf("https://github.com/%s", full);
    cJSON_AddStringToObject(repo, "html_url", tmp);
    free(tmp);
    cJSON_AddBoolToObject(repo, "fork", strcmp(full, def_repo) != 0);
    owner = cJSON_AddObjectToObject(repo, "owner");
    cJSON_AddStringToObject(owner, "login", login);
    cJSON_AddNumberToObject(owner, "id",
                            strcmp(login, "acme") == 0 ? 9001 : 9002);
    cJSON_AddItemToObject(s, "user", cJSON_Duplicate(owner, 1));
    return s;
}

static void gh_get_pull(struct sbx_resp *r, const char *api,
                        const char *repo, const char *num)
{
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(sbx_w.gh_repos, repo), "pulls"),
        num);
    cJSON *pr, *u;
    char *s;

    if (spec == NULL) {
        gh_msg(r, 404, "Not Found", "https://docs.github.com/rest/pulls/"
               "pulls#get-a-pull-request");
        return;
    }
    pr = cJSON_CreateObject();
    s = xasprintf("%s/repos/%s/pulls/%s", api, repo, num);
    cJSON_AddStringToObject(pr, "url", s);
    free(s);
    cJSON_AddNumberToObject(pr, "id", 1800000 + atof(num));
    s = xasprintf("https://github.com/%s/pull/%s", repo, num);
    cJSON_AddStringToObject(pr, "html_url", s);
    free(s);
    cJSON_AddNumberToObject(pr, "number", atof(num));
    cJSON_AddStringToObject(pr, "state", "open");
    cJSON_AddStringToObject(pr, "title", forge_str(spec, "title") ?
                            forge_str(spec, "title") : "Improve the model");
    u = cJSON_AddObjectToObject(pr, "user");
    cJSON_AddStringToObject(u, "login", "contributor");
    cJSON_AddNumberToObject(u, "id", 9002);
    cJSON_AddBoolToObject(pr, "draft", 0);
    cJSON_AddNullToObject(pr, "merge_commit_sha");
    cJSON_AddItemToObject(pr, "head", gh_pr_side(
        cJSON_GetObjectItemCaseSensitive(spec, "head"), repo, "feature-x"));
    cJSON_AddItemToObject(pr, "base", gh_pr_side(
        cJSON_GetObjectItemCaseSensitive(spec, "base"), repo, "main"));
    resp_json(r, 200, pr);
}

void github_handle(struct sbx_req *q, struct sbx_resp *r)
{
    char *seg[12];
    int n = forge_split(q, 7, seg, 12), missing, write;
    const char *ua = req_header(q, "User-Agent");
    const char *kind;
    char *origin, *api, *repo = NULL;

    write = strcmp(q->method, "GET") != 0 && strcmp(q->method, "HEAD") != 0;
    if (ua == NULL || *ua == '\0') {
        resp_text(r, 403, "text/plain; charset=utf-8",
                  "Request forbidden by administrative rules. Please make "
                  "sure your request has a User-Agent header (https://docs."
                  "github.com/en/rest/overview/resources-in-the-rest-api"
                  "#user-agent-required). Check https://developer.github."
                  "com for other possible causes.\n");
        forge_free(seg, n);
        return;
    }
    gh_common_headers(r);
    kind = gh_token_kind(q, &missing);
    if (kind == NULL) {
        gh_msg(r, 401, missing ? "Requires authentication" :
               "Bad credentials", GH_DOCS);
        forge_free(seg, n);
        return;
    }
    origin = forge_origin(q);
    api = xasprintf("%s/github", origin);
    if (n == 1 && strcmp(seg[0], "user") == 0 &&
        strcmp(q->method, "GET") == 0) {
        gh_get_user(q, r);
        goto out;
    }
    if (n >= 3 && strcmp(seg[0], "repos") == 0)
        repo = xasprintf("%s/%s", seg[1], seg[2]);
    if (repo == NULL || (cJSON_GetArraySize(sbx_w.gh_repos) > 0 &&
                         !cJSON_HasObjectItem(sbx_w.gh_repos, repo))) {
        gh_msg(r, 404, "Not Found", GH_DOCS);
        goto out;
    }
    if (write && strcmp(kind, "write") != 0) {
        gh_msg(r, 403, "Resource not accessible by integration",
               "https://docs.github.com/rest/issues/comments"
               "#create-an-issue-comment");
        resp_header(r, "X-Accepted-GitHub-Permissions",
                    "issues=write; pull_requests=write");
        goto out;
    }
    if (n == 6 && strcmp(seg[3], "issues") == 0 &&
        strcmp(seg[5], "comments") == 0) {
        if (strcmp(q->method, "GET") == 0)
            gh_list_comments(q, r, api, repo, seg[4]);
        else if (strcmp(q->method, "POST") == 0)
            gh_create_comment(q, r, api, repo, seg[4]);
        else
            gh_msg(r, 404, "Not Found", GH_DOCS);
    } else if (n == 6 && strcmp(seg[3], "issues") == 0 &&
               strcmp(seg[4], "comments") == 0) {
        gh_comment_by_id(q, r, api, repo, seg[5]);
    } else if (n == 5 && strcmp(seg[3], "statuses") == 0 &&
               strcmp(q->method, "POST") == 0) {
        gh_create_status(q, r, api, repo, seg[4]);
    } else if (n == 5 && strcmp(seg[3], "pulls") == 0 &&
               strcmp(q->method, "GET") == 0) {
        gh_get_pull(r, api, repo, seg[4]);
    } else {
        gh_msg(r, 404, "Not Found", GH_DOCS);
    }
out:
    free(repo);
    free(api);
    free(origin);
    forge_free(seg, n);
}
