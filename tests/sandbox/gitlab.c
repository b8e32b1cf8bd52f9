/*
 * gitlab.c - the GitLab REST subset of the sandbox: merge request notes
 * with X-* paging headers, commit statuses, PRIVATE-TOKEN or Bearer
 * authentication and numeric or path project ids.
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

#define GL_MAX_BODY 1000000

static void gl_msg(struct sbx_resp *r, int status, const char *msg)
{
    cJSON *j = cJSON_CreateObject();

    cJSON_AddStringToObject(j, "message", msg);
    resp_json(r, status, j);
}

static int gl_auth(const struct sbx_req *q)
{
    const char *pt = req_header(q, "PRIVATE-TOKEN");
    const char *h = req_header(q, "Authorization");
    const char *tok = NULL;
    const cJSON *t;

    if (pt != NULL)
        tok = pt;
    else if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0)
        tok = h + 7;
    if (tok == NULL)
        return -1;
    cJSON_ArrayForEach(t, sbx_w.gl_tokens)
        if (cJSON_IsString(t) && strcmp(t->valuestring, tok) == 0)
            return 0;
    return -1;
}

/* The numeric project id for an :id that is a number or a path. */
static long gl_project(const char *id)
{
    const cJSON *p;

    cJSON_ArrayForEach(p, sbx_w.gl_projects) {
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(p, "id");
        const char *path = forge_str(p, "path");
        char num[32];

        snprintf(num, sizeof(num), "%.0f", cJSON_IsNumber(pid) ?
                 pid->valuedouble : -1.0);
        if (strcmp(num, id) == 0 || (path && strcmp(path, id) == 0))
            return (long)pid->valuedouble;
    }
    return -1;
}

static void gl_page_headers(struct sbx_req *q, struct sbx_resp *r,
                            long total, long page, long per_page,
                            const char *base)
{
    long pages = total == 0 ? 1 : (total + per_page - 1) / per_page;
    char v[32];
    struct buf b = { 0 };

    snprintf(v, sizeof(v), "%ld", page);
    resp_header(r, "X-Page", v);
    snprintf(v, sizeof(v), "%ld", per_page);
    resp_header(r, "X-Per-Page", v);
    snprintf(v, sizeof(v), "%ld", total);
    resp_header(r, "X-Total", v);
    snprintf(v, sizeof(v), "%ld", pages);
    resp_header(r, "X-Total-Pages", v);
    if (page < pages)
        snprintf(v, sizeof(v), "%ld", page + 1);
    else
        v[0] = '\0';
    resp_header(r, "X-Next-Page", v);
    if (page > 1)
        snprintf(v, sizeof(v), "%ld", page - 1);
    else
        v[0] = '\0';
    resp_header(r, "X-Prev-Page", v);
    (void)q;
    if (page > 1)
        buf_printf(&b, "<%s?page=%ld&per_page=%ld>; rel=\"prev\", ", base,
                   page - 1, per_page);
    if (page < pages)
        buf_printf(&b, "<%s?page=%ld&per_page=%ld>; rel=\"next\", ", base,
                   page + 1, per_page);
    buf_printf(&b, "<%s?page=1&per_page=%ld>; rel=\"first\", ", base,
               per_page);
    buf_printf(&b, "<%s?page=%ld&per_page=%ld>; rel=\"last\"", base, pages,
               per_page);
    resp_header(r, "Link", b.p);
    buf_free(&b);
}

static cJSON *gl_new_note(long pid, long iid, const char *body)
{
    cJSON *n = cJSON_CreateObject(), *a;
    char *iso = world_iso(world_now_ms());

    cJSON_AddNumberToObject(n, "id", (double)sbx_w.gl_next_id++);
    cJSON_AddNullToObject(n, "type");
    cJSON_AddStringToObject(n, "body", body);
    cJSON_AddNullToObject(n, "attachment");
    a = cJSON_AddObjectToObject(n, "author");
    cJSON_AddNumberToObject(a, "id", 77);
    cJSON_AddStringToObject(a, "username", "project_42_bot");
    cJSON_AddStringToObject(a, "name", "mlgate bot");
    cJSON_AddStringToObject(a, "state", "active");
    cJSON_AddStringToObject(n, "created_at", iso);
    cJSON_AddStringToObject(n, "updated_at", iso);
    cJSON_AddBoolToObject(n, "system", 0);
    cJSON_AddNumberToObject(n, "noteable_id", 3000 + (double)iid);
    cJSON_AddStringToObject(n, "noteable_type", "MergeRequest");
    cJSON_AddNumberToObject(n, "project_id", (double)pid);
    cJSON_AddNumberToObject(n, "noteable_iid", (double)iid);
    cJSON_AddBoolToObject(n, "resolvable", 0);
    cJSON_AddBoolToObject(n, "confidential", 0);
    cJSON_AddBoolToObject(n, "internal", 0);
    free(iso);
    return n;
}

/* The note body from JSON or the query string.  Caller frees. */
static char *gl_arg(const struct sbx_req *q, const char *name)
{
    cJSON *j = cJSON_ParseWithLength(q->body, q->body_len);
    const char *v = forge_str(j, name);
    char *out = v ? xstrdup(v) : req_query_arg(q, name);

    cJSON_Delete(j);
    return out;
}

static void gl_notes(struct sbx_req *q, struct sbx_resp *r, long pid,
                     const char *iid, const char *note_id,
                     const char *base)
{
    char *key = xasprintf("%ld!%s", pid, iid);
    cJSON *list = cJSON_GetObjectItemCaseSensitive(sbx_w.gl_notes, key);

    if (list == NULL) {
        list = cJSON_CreateArray();
        cJSON_AddItemToObject(sbx_w.gl_notes, key, list);
    }
    if (note_id == NULL && strcmp(q->method, "GET") == 0) {
        long per_page = forge_arg_long(q, "per_page", 20);
        long page = forge_arg_long(q, "page", 1);
        char *sort = req_query_arg(q, "sort");
        int asc = sort != NULL && strcmp(sort, "asc") == 0;
        long total = cJSON_GetArraySize(list), i;
        cJSON *out = cJSON_CreateArray();

        if (per_page < 1)
            per_page = 20;
        if (per_page > 100)
            per_page = 100;
        if (page < 1)
            page = 1;
        /* GitLab's default order is created_at desc. */
        for (i = (page - 1) * per_page;
             i < total && i < page * per_page; i++)
            cJSON_AddItemToArray(out, cJSON_Duplicate(cJSON_GetArrayItem(
                list, (int)(asc ? i : total - 1 - i)), 1));
        resp_json(r, 200, out);
        gl_page_headers(q, r, total, page, per_page, base);
        free(sort);
    } else if (note_id == NULL && strcmp(q->method, "POST") == 0) {
        char *body = gl_arg(q, "body");

        if (body == NULL || *body == '\0') {
            cJSON *j = cJSON_CreateObject();

            cJSON_AddStringToObject(j, "error", "body is missing");
            resp_json(r, 400, j);
        } else if (forge_codepoints(body) > GL_MAX_BODY) {
            gl_msg(r, 400, "Note is too long (maximum is 1000000 "
                   "characters)");
        } else {
            cJSON *n = gl_new_note(pid, atol(iid), body);

            cJSON_AddItemToArray(list, cJSON_Duplicate(n, 1));
            resp_json(r, 201, n);
        }
        free(body);
    } else if (note_id != NULL) {
        cJSON *n;
        int idx = 0, found = 0;

        cJSON_ArrayForEach(n, list) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(n, "id");

            if (cJSON_IsNumber(id) && (long)id->valuedouble == atol(note_id))
            {
                found = 1;
                break;
            }
            idx++;
        }
        if (!found) {
            gl_msg(r, 404, "404 Not found");
        } else if (strcmp(q->method, "GET") == 0) {
            resp_json(r, 200, cJSON_Duplicate(n, 1));
        } else if (strcmp(q->method, "PUT") == 0) {
            char *body = gl_arg(q, "body");

            if (body == NULL) {
                cJSON *j = cJSON_CreateObject();

                cJSON_AddStringToObject(j, "error", "body is missing");
                resp_json(r, 400, j);
            } else if (forge_codepoints(body) > GL_MAX_BODY) {
                gl_msg(r, 400, "Note is too long (maximum is 1000000 "
                       "characters)");
            } else {
                char *iso = world_iso(world_now_ms());

                cJSON_ReplaceItemInObjectCaseSensitive(
                    n, "body", cJSON_CreateString(body));
                cJSON_ReplaceItemInObjectCaseSensitive(
                    n, "updated_at", cJSON_CreateString(iso));
                resp_json(r, 200, cJSON_Duplicate(n, 1));
                free(iso);
            }
            free(body);
        } else if (strcmp(q->method, "DELETE") == 0) {
            cJSON_DeleteItemFromArray(list, idx);
            resp_text(r, 204, NULL, "");
        } else {
            gl_msg(r, 405, "405 Method Not Allowed");
        }
    } else {
        gl_msg(r, 405, "405 Method Not Allowed");
    }
    free(key);
}

/* o[k] as a string, "" when not one. */
static const char *gl_jstr(const cJSON *o, const char *k)
{
    const char *v = forge_str(o, k);

    return v != NULL ? v : "";
}

/* A number argument of the JSON body as text, or NULL.  Caller frees. */
static char *gl_num_arg(const struct sbx_req *q, const char *name)
{
    cJSON *j = cJSON_ParseWithLength(q->body, q->body_len);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
    char *out = NULL;

    if (cJSON_IsNumber(v))
        out = xasprintf("%.17g", v->valuedouble);
    else if (v != NULL)
        out = xstrdup("");  /* present but not a number: invalid */
    cJSON_Delete(j);
    return out;
}

/* The pipeline a status lands on, as the real API picks it: the newest
 * pipeline of the project with this SHA, and this ref and id when given;
 * none matching, a new (external) pipeline for the SHA. */
static const cJSON *gl_pipeline(long pid, const char *sha, const char *ref,
                                double id)
{
    const cJSON *p, *best = NULL;
    double top = 0;
    cJSON *d;

    cJSON_ArrayForEach(p, sbx_w.gl_pipelines) {
        double pi = cJSON_GetNumberValue(cJSON_GetObjectItem(p, "id"));

        if (cJSON_GetNumberValue(cJSON_GetObjectItem(p, "project")) !=
                (double)pid ||
            strcasecmp(gl_jstr(p, "sha"), sha) != 0 ||
            (ref != NULL && strcmp(gl_jstr(p, "ref"), ref) != 0) ||
            (id > 0 && pi != id))
            continue;
        if (best == NULL || pi > top) {
            best = p;
            top = pi;
        }
    }
    if (best != NULL)
        return best;
    cJSON_ArrayForEach(p, sbx_w.gl_pipelines) {
        double pi = cJSON_GetNumberValue(cJSON_GetObjectItem(p, "id"));

        if (pi > top)
            top = pi;
    }
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "id", top > 0 ? top + 1 : 600);
    cJSON_AddNumberToObject(d, "project", (double)pid);
    cJSON_AddStringToObject(d, "sha", sha);
    cJSON_AddStringToObject(d, "ref", ref != NULL ? ref : "main");
    cJSON_AddStringToObject(d, "source", "external");
    cJSON_AddItemToArray(sbx_w.gl_pipelines, d);
    return d;
}

static void gl_status(struct sbx_req *q, struct sbx_resp *r, long pid,
                      const char *sha)
{
    static const char *const states[] = { "pending", "running", "success",
                                          "failed", "canceled", "skipped",
                                          NULL };
    char *state = gl_arg(q, "state"), *name = gl_arg(q, "name");
    char *ctx = gl_arg(q, "context"), *target = gl_arg(q, "target_url");
    char *desc = gl_arg(q, "description"), *ref = gl_arg(q, "ref");
    char *pl = gl_arg(q, "pipeline_id");
    const char *too_long = NULL;
    double pipeline = 0;
    int i, ok = 0;

    for (i = 0; state != NULL && states[i] != NULL; i++)
        ok |= strcmp(state, states[i]) == 0;
    /* commit_statuses.rb: ref, target_url, description at most 255
     * characters; pipeline_id an Integer. */
    if (ref != NULL && forge_codepoints(ref) > 255)
        too_long = "ref";
    else if (target != NULL && forge_codepoints(target) > 255)
        too_long = "target_url";
    else if (desc != NULL && forge_codepoints(desc) > 255)
        too_long = "description";
    if (pl == NULL)
        pl = gl_num_arg(q, "pipeline_id");
    if (pl != NULL) {
        char *end;

        pipeline = strtod(pl, &end);
        if (*pl == '\0' || *end != '\0' || pipeline != (double)(long)pipeline)
            pipeline = -1;
    }
    if (state == NULL) {
        cJSON *j = cJSON_CreateObject();

        cJSON_AddStringToObject(j, "error", "state is missing");
        resp_json(r, 400, j);
    } else if (pipeline < 0) {
        cJSON *j = cJSON_CreateObject();

        cJSON_AddStringToObject(j, "error", "pipeline_id is invalid");
        resp_json(r, 400, j);
    } else if (too_long != NULL) {
        cJSON *j = cJSON_CreateObject(), *m = cJSON_CreateObject();

        cJSON_AddItemToObject(m, too_long, cJSON_CreateStringArray(
            (const char *const[]){ "is too long (maximum is 255 "
                                   "characters)" }, 1));
        cJSON_AddItemToObject(j, "message", m);
        resp_json(r, 400, j);
    } else if (!ok) {
        cJSON *j = cJSON_CreateObject();

        cJSON_AddStringToObject(j, "error",
                                "state does not have a valid value");
        resp_json(r, 400, j);
    } else {
        cJSON *s = cJSON_CreateObject(), *a, *list;
        char *iso = world_iso(world_now_ms());
        const cJSON *pipe = gl_pipeline(pid, sha, ref, pipeline);

        cJSON_AddNumberToObject(s, "id", (double)sbx_w.gl_next_id++);
        cJSON_AddStringToObject(s, "sha", sha);
        cJSON_AddStringToObject(s, "ref", gl_jstr(pipe, "ref"));
        cJSON_AddStringToObject(s, "status", state);
        cJSON_AddStringToObject(s, "name", name ? name :
                                ctx ? ctx : "default");
        if (target)
            cJSON_AddStringToObject(s, "target_url", target);
        else
            cJSON_AddNullToObject(s, "target_url");
        if (desc)
            cJSON_AddStringToObject(s, "description", desc);
        else
            cJSON_AddNullToObject(s, "description");
        cJSON_AddStringToObject(s, "created_at", iso);
        cJSON_AddNullToObject(s, "started_at");
        cJSON_AddNullToObject(s, "finished_at");
        cJSON_AddBoolToObject(s, "allow_failure", 0);
        cJSON_AddNullToObject(s, "coverage");
        cJSON_AddNumberToObject(s, "pipeline_id",
                                cJSON_GetNumberValue(cJSON_GetObjectItem(
                                    pipe, "id")));
        a = cJSON_AddObjectToObject(s, "author");
        cJSON_AddNumberToObject(a, "id", 77);
        cJSON_AddStringToObject(a, "username", "project_42_bot");
        list = cJSON_GetObjectItemCaseSensitive(sbx_w.gl_statuses, sha);
        if (list == NULL) {
            list = cJSON_CreateArray();
            cJSON_AddItemToObject(sbx_w.gl_statuses, sha, list);
        }
        cJSON_AddItemToArray(list, cJSON_Duplicate(s, 1));
        resp_json(r, 201, s);
        free(iso);
    }
    free(state);
    free(name);
    free(ctx);
    free(target);
    free(desc);
    free(ref);
    free(pl);
}

void gitlab_handle(struct sbx_req *q, struct sbx_resp *r)
{
    char *seg[10];
    int n = forge_split(q, 14, seg, 10);
    long pid;

    if (gl_auth(q) != 0) {
        gl_msg(r, 401, "401 Unauthorized");
        forge_free(seg, n);
        return;
    }
    if (n == 1 && strcmp(seg[0], "user") == 0 &&
        strcmp(q->method, "GET") == 0) {
        /* Every scenario token belongs to the project's bot, the
         * author of the notes it writes (gl_new_note). */
        cJSON *u = cJSON_CreateObject();

        cJSON_AddNumberToObject(u, "id", 77);
        cJSON_AddStringToObject(u, "username", "project_42_bot");
        cJSON_AddStringToObject(u, "name", "mlgate bot");
        cJSON_AddStringToObject(u, "state", "active");
        cJSON_AddBoolToObject(u, "bot", 1);
        resp_json(r, 200, u);
        forge_free(seg, n);
        return;
    }
    if (n < 2 || strcmp(seg[0], "projects") != 0) {
        gl_msg(r, 404, "404 Not Found");
        forge_free(seg, n);
        return;
    }
    pid = gl_project(seg[1]);
    if (pid < 0) {
        gl_msg(r, 404, "404 Project Not Found");
    } else if ((n == 5 || n == 6) && strcmp(seg[2], "merge_requests") == 0
               && strcmp(seg[4], "notes") == 0) {
        char *origin = forge_origin(q);
        char *base = xasprintf("%s/gitlab/api/v4/projects/%ld/"
                               "merge_requests/%s/notes", origin, pid,
                               seg[3]);

        gl_notes(q, r, pid, seg[3], n == 6 ? seg[5] : NULL, base);
        free(base);
        free(origin);
    } else if (n == 4 && strcmp(seg[2], "statuses") == 0 &&
               strcmp(q->method, "POST") == 0) {
        gl_status(q, r, pid, seg[3]);
    } else {
        gl_msg(r, 404, "404 Not Found");
    }
    forge_free(seg, n);
}
