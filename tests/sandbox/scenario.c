/*
 * scenario.c - loads a scenario file into the sandbox's world: ClearML
 * credentials, projects, queues and tasks (with scalars and logs), the
 * generated big-project tasks, GitHub tokens, PRs and comments, GitLab
 * projects and notes, and the faults.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clearml.h"
#include "sandbox.h"
#include "util.h"

static const cJSON *scenario_get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *scenario_str(const cJSON *o, const char *k,
                                const char *def)
{
    const cJSON *v = scenario_get(o, k);

    return cJSON_IsString(v) ? v->valuestring : def;
}

static double scenario_num(const cJSON *o, const char *k, double def)
{
    const cJSON *v = scenario_get(o, k);

    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

/* Adds o[k] = v unless o has k already.  Takes ownership of v. */
static void scenario_default(cJSON *o, const char *k, cJSON *v)
{
    if (cJSON_HasObjectItem(o, k))
        cJSON_Delete(v);
    else
        cJSON_AddItemToObject(o, k, v);
}

/* Fills the fields a real task document always has. */
static void scenario_task_defaults(cJSON *doc, double now)
{
    char *iso = world_iso(now);

    scenario_default(doc, "name", cJSON_CreateString("Untitled"));
    scenario_default(doc, "type", cJSON_CreateString("training"));
    scenario_default(doc, "status", cJSON_CreateString("created"));
    scenario_default(doc, "status_reason", cJSON_CreateString(""));
    scenario_default(doc, "status_message", cJSON_CreateString(""));
    scenario_default(doc, "comment", cJSON_CreateString(""));
    scenario_default(doc, "user", cJSON_CreateString(world_user));
    scenario_default(doc, "company", cJSON_CreateString(world_company));
    scenario_default(doc, "parent", cJSON_CreateNull());
    scenario_default(doc, "created", cJSON_CreateString(iso));
    scenario_default(doc, "last_update", cJSON_CreateString(iso));
    scenario_default(doc, "last_change", cJSON_CreateString(iso));
    scenario_default(doc, "tags", cJSON_CreateArray());
    scenario_default(doc, "system_tags", cJSON_CreateArray());
    scenario_default(doc, "script", cJSON_CreateObject());
    scenario_default(doc, "execution", cJSON_CreateObject());
    scenario_default(doc, "hyperparams", cJSON_CreateObject());
    scenario_default(doc, "configuration", cJSON_CreateObject());
    clearml_task_model_defaults(doc);
    free(iso);
}

/* A scenario task: copies, strips _scalars/_log, fills defaults. */
static int scenario_task(const cJSON *spec, double now)
{
    cJSON *doc = cJSON_Duplicate(spec, 1);
    cJSON *sc = cJSON_DetachItemFromObjectCaseSensitive(doc, "_scalars");
    cJSON *lg = cJSON_DetachItemFromObjectCaseSensitive(doc, "_log");
    int own_lm = cJSON_HasObjectItem(doc, "last_metrics");
    struct sbx_task *t;
    const cJSON *title, *ser, *line;

    if (!cJSON_IsString(scenario_get(doc, "id"))) {
        fprintf(stderr, "mlgate-sandbox: scenario task without an id\n");
        cJSON_Delete(doc);
        cJSON_Delete(sc);
        cJSON_Delete(lg);
        return -1;
    }
    scenario_task_defaults(doc, now);
    t = world_add_task(doc);
    cJSON_ArrayForEach(title, sc) {
        cJSON_ArrayForEach(ser, title) {
            const cJSON *xs = scenario_get(ser, "x");
            const cJSON *ys = scenario_get(ser, "y");
            int i, n = cJSON_GetArraySize(ys);
            cJSON *tt, *ss;

            tt = cJSON_GetObjectItemCaseSensitive(t->scalars, title->string);
            if (tt == NULL) {
                tt = cJSON_CreateObject();
                cJSON_AddItemToObject(t->scalars, title->string, tt);
            }
            ss = cJSON_CreateObject();
            cJSON_AddStringToObject(ss, "name", ser->string);
            cJSON_AddItemToObject(ss, "x", cJSON_CreateArray());
            cJSON_AddItemToObject(ss, "y", cJSON_CreateArray());
            for (i = 0; i < n; i++) {
                const cJSON *x = cJSON_GetArrayItem(xs, i);

                cJSON_AddItemToArray(
                    cJSON_GetObjectItemCaseSensitive(ss, "x"),
                    cJSON_CreateNumber(cJSON_IsNumber(x) ?
                                       x->valuedouble : i));
                cJSON_AddItemToArray(
                    cJSON_GetObjectItemCaseSensitive(ss, "y"),
                    cJSON_CreateNumber(cJSON_GetArrayItem(ys, i)
                                       ->valuedouble));
            }
            cJSON_AddItemToObject(tt, ser->string, ss);
            if (!own_lm)
                world_update_last_metric(t, title->string, ser->string);
        }
    }
    cJSON_ArrayForEach(line, lg)
        if (cJSON_IsString(line))
            world_add_log(t, line->valuestring, 0, "info");
    cJSON_Delete(sc);
    cJSON_Delete(lg);
    return 0;
}

/* big-project: n small completed tasks with other commits. */
static void scenario_generate(const cJSON *g, double now)
{
    long n = (long)scenario_num(g, "tasks", 0), i;
    const char *proj = scenario_str(g, "project",
                                 "5b2f0c7e9d8a4b1c9e0f123456789abc");
    const char *name = scenario_str(g, "name", "gen");
    const char *status = scenario_str(g, "status", "completed");

    for (i = 0; i < n; i++) {
        cJSON *doc = cJSON_CreateObject(), *sc = cJSON_CreateObject();
        char id[40], sha[48], nm[64];
        char *iso = world_iso(now - 86400000.0 - (double)i * 1000.0);
        struct sbx_task *t;

        snprintf(id, sizeof(id), "9e9e%028lx", (unsigned long)i);
        snprintf(sha, sizeof(sha), "%08lx%032lx",
                 (unsigned long)i * 2654435761UL & 0xffffffffUL,
                 (unsigned long)i);
        snprintf(nm, sizeof(nm), "%s_%06ld", name, i);
        cJSON_AddStringToObject(doc, "id", id);
        cJSON_AddStringToObject(doc, "name", nm);
        cJSON_AddStringToObject(doc, "type", "training");
        cJSON_AddStringToObject(doc, "status", status);
        cJSON_AddStringToObject(doc, "project", proj);
        cJSON_AddStringToObject(doc, "user", world_user);
        cJSON_AddStringToObject(doc, "created", iso);
        cJSON_AddStringToObject(doc, "last_update", iso);
        cJSON_AddItemToObject(doc, "tags", i % 10 == 0 ?
                              cJSON_CreateStringArray(
                                  (const char *const[]){ "nightly" }, 1) :
                              cJSON_CreateArray());
        cJSON_AddItemToObject(doc, "system_tags", cJSON_CreateArray());
        cJSON_AddStringToObject(sc, "version_num", sha);
        cJSON_AddStringToObject(sc, "diff", "");
        cJSON_AddItemToObject(doc, "script", sc);
        cJSON_AddNumberToObject(doc, "last_iteration", 10);
        t = world_add_task(doc);
        t->generated = 1;
        free(iso);
    }
    sbx_w.ngenerated = (size_t)n;
}

/* Scenario files are test fixtures: 64 MiB is far above the biggest. */
#define SCENARIO_MAX (64u * 1024u * 1024u)

static char *scenario_slurp(const char *path)
{
    char *text;
    size_t len;

    return util_read_file(path, SCENARIO_MAX, &text, &len) == 0 ? text
                                                                 : NULL;
}

static void scenario_project_defaults(cJSON *p, double now)
{
    char *iso = world_iso(now);

    scenario_default(p, "basename", cJSON_CreateString(
                      scenario_str(p, "name", "")));
    scenario_default(p, "company", cJSON_CreateString(world_company));
    scenario_default(p, "user", cJSON_CreateString(world_user));
    scenario_default(p, "created", cJSON_CreateString(iso));
    scenario_default(p, "last_update", cJSON_CreateString(iso));
    scenario_default(p, "tags", cJSON_CreateArray());
    scenario_default(p, "system_tags", cJSON_CreateArray());
    scenario_default(p, "default_output_destination", cJSON_CreateNull());
    scenario_default(p, "description", cJSON_CreateString(""));
    free(iso);
}

static cJSON *scenario_list(cJSON *o, const char *k)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    if (v == NULL) {
        v = cJSON_CreateArray();
        cJSON_AddItemToObject(o, k, v);
    }
    return v;
}

static void scenario_github(const cJSON *gh, double now)
{
    const cJSON *repo;

    sbx_w.gh_tokens = cJSON_Duplicate(scenario_get(gh, "tokens"), 1);
    if (!cJSON_IsArray(sbx_w.gh_tokens)) {
        cJSON *t = cJSON_CreateObject();

        cJSON_Delete(sbx_w.gh_tokens);
        sbx_w.gh_tokens = cJSON_CreateArray();
        cJSON_AddStringToObject(t, "token",
                                "ghs_sbxWriteToken0123456789abcdef");
        cJSON_AddStringToObject(t, "kind", "write");
        cJSON_AddItemToArray(sbx_w.gh_tokens, t);
        t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "token",
                                "ghs_sbxReadOnlyToken0123456789abc");
        cJSON_AddStringToObject(t, "kind", "read-only");
        cJSON_AddItemToArray(sbx_w.gh_tokens, t);
    }
    sbx_w.gh_next_id = (long)scenario_num(gh, "comment_id_start", 1000);
    sbx_w.gh_repos = cJSON_CreateObject();
    sbx_w.gh_comments = cJSON_CreateObject();
    sbx_w.gh_statuses = cJSON_CreateObject();
    cJSON_ArrayForEach(repo, scenario_get(gh, "repos")) {
        const cJSON *num, *c;

        cJSON_AddItemToObject(sbx_w.gh_repos, repo->string,
                              cJSON_Duplicate(repo, 1));
        cJSON_ArrayForEach(num, scenario_get(repo, "comments")) {
            char *key = xasprintf("%s#%s", repo->string, num->string);
            cJSON *arr = scenario_list(sbx_w.gh_comments, key);

            cJSON_ArrayForEach(c, num) {
                cJSON_AddItemToArray(arr, github_comment(
                    repo->string, atol(num->string), sbx_w.gh_next_id++,
                    scenario_str(c, "body", ""),
                    scenario_str(c, "user", "octocat"),
                    now - 3600000.0));
            }
            free(key);
        }
        cJSON_ArrayForEach(num, scenario_get(repo, "generate_comments")) {
            char *key = xasprintf("%s#%s", repo->string, num->string);
            cJSON *arr = scenario_list(sbx_w.gh_comments, key);
            long i, cnt = (long)scenario_num(num, "count", 0);
            const char *fmt = scenario_str(num, "body", "comment %d");
            const cJSON *special = scenario_get(num, "special");

            for (i = 1; i <= cnt; i++) {
                char nb[24];
                const cJSON *sp;
                struct buf body = { 0 };
                const char *pct = strstr(fmt, "%d");

                snprintf(nb, sizeof(nb), "%ld", i);
                sp = scenario_get(special, nb);
                if (pct != NULL) {
                    buf_add(&body, fmt, (size_t)(pct - fmt));
                    buf_adds(&body, nb);
                    buf_adds(&body, pct + 2);
                } else {
                    buf_adds(&body, fmt);
                }
                cJSON_AddItemToArray(arr, github_comment(
                    repo->string, atol(num->string), sbx_w.gh_next_id++,
                    sp ? scenario_str(sp, "body", "") : body.p ? body.p : "",
                    sp ? scenario_str(sp, "user", "github-actions[bot]")
                       : "octocat",
                    now - 7200000.0 + (double)i * 1000.0));
                buf_free(&body);
            }
            free(key);
        }
    }
}

/* A project's pipelines: the scenario's, else two for the head SHA as a
 * real MR has them when a branch pipeline also ran: the MR pipeline 501
 * (ref refs/merge-requests/7/head) and a newer branch pipeline 502, the
 * one GitLab picks for a status that names neither pipeline nor ref. */
static void scenario_gl_pipelines(long pid, const cJSON *list)
{
    static const struct { int id; const char *ref; } def[] = {
        { 501, "refs/merge-requests/7/head" }, { 502, "feature-x" }
    };
    const cJSON *p;
    size_t i;

    if (cJSON_IsArray(list)) {
        cJSON_ArrayForEach(p, list) {
            cJSON *d = cJSON_CreateObject();

            cJSON_AddNumberToObject(d, "id", scenario_num(p, "id", 500));
            cJSON_AddNumberToObject(d, "project", (double)pid);
            cJSON_AddStringToObject(d, "sha", scenario_str(p, "sha", ""));
            cJSON_AddStringToObject(d, "ref", scenario_str(p, "ref", ""));
            cJSON_AddItemToArray(sbx_w.gl_pipelines, d);
        }
        return;
    }
    for (i = 0; i < sizeof def / sizeof def[0]; i++) {
        cJSON *d = cJSON_CreateObject();

        cJSON_AddNumberToObject(d, "id", def[i].id);
        cJSON_AddNumberToObject(d, "project", (double)pid);
        cJSON_AddStringToObject(d, "sha",
                                "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345");
        cJSON_AddStringToObject(d, "ref", def[i].ref);
        cJSON_AddItemToArray(sbx_w.gl_pipelines, d);
    }
}

static void scenario_gitlab(const cJSON *gl)
{
    const cJSON *p;

    sbx_w.gl_tokens = cJSON_Duplicate(scenario_get(gl, "tokens"), 1);
    if (!cJSON_IsArray(sbx_w.gl_tokens)) {
        cJSON_Delete(sbx_w.gl_tokens);
        sbx_w.gl_tokens = cJSON_CreateArray();
        cJSON_AddItemToArray(sbx_w.gl_tokens, cJSON_CreateString(
            "glpat-sbxGitlabToken0123456789"));
    }
    sbx_w.gl_projects = cJSON_CreateArray();
    sbx_w.gl_notes = cJSON_CreateObject();
    sbx_w.gl_statuses = cJSON_CreateObject();
    sbx_w.gl_pipelines = cJSON_CreateArray();
    sbx_w.gl_next_id = 5000;
    p = scenario_get(gl, "projects");
    if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) == 0) {
        cJSON *d = cJSON_CreateObject();

        cJSON_AddNumberToObject(d, "id", 42);
        cJSON_AddStringToObject(d, "path", "acme/ml-repo");
        cJSON_AddItemToArray(sbx_w.gl_projects, d);
        scenario_gl_pipelines(42, NULL);
        return;
    }
    cJSON_ArrayForEach(p, scenario_get(gl, "projects")) {
        cJSON *d = cJSON_CreateObject();
        const cJSON *mr, *n;
        long pid = (long)scenario_num(p, "id", 42);

        cJSON_AddNumberToObject(d, "id", (double)pid);
        cJSON_AddStringToObject(d, "path", scenario_str(p, "path", ""));
        cJSON_AddItemToArray(sbx_w.gl_projects, d);
        scenario_gl_pipelines(pid, scenario_get(p, "pipelines"));
        cJSON_ArrayForEach(mr, scenario_get(p, "merge_requests")) {
            char *key = xasprintf("%ld!%s", pid, mr->string);
            cJSON *arr = scenario_list(sbx_w.gl_notes, key);

            cJSON_ArrayForEach(n, scenario_get(mr, "notes")) {
                cJSON *note = cJSON_CreateObject(), *a = cJSON_CreateObject();
                char *iso = world_iso(world_now_ms() - 3600000.0);

                cJSON_AddNumberToObject(note, "id",
                                        (double)sbx_w.gl_next_id++);
                cJSON_AddStringToObject(note, "body",
                                        scenario_str(n, "body", ""));
                cJSON_AddStringToObject(a, "username",
                                        scenario_str(n, "user", "someone"));
                cJSON_AddItemToObject(note, "author", a);
                cJSON_AddStringToObject(note, "created_at", iso);
                cJSON_AddStringToObject(note, "updated_at", iso);
                cJSON_AddBoolToObject(note, "system", 0);
                cJSON_AddStringToObject(note, "noteable_type",
                                        "MergeRequest");
                cJSON_AddNumberToObject(note, "noteable_iid",
                                        atof(mr->string));
                cJSON_AddItemToArray(arr, note);
                free(iso);
            }
            free(key);
        }
    }
}

int scenario_load(const char *path)
{
    char *text = scenario_slurp(path);
    int rc;

    if (text == NULL) {
        fprintf(stderr, "mlgate-sandbox: cannot read scenario %s\n", path);
        return -1;
    }
    rc = scenario_load_text(text, path);
    free(text);
    return rc;
}

int scenario_load_text(const char *text, const char *path)
{
    cJSON *root, *c;
    const cJSON *it;
    double now = world_now_ms();
    int rc = -1;

    pthread_mutex_init(&sbx_w.lock, NULL);
    root = cJSON_Parse(text);
    if (!cJSON_IsObject(root)) {
        fprintf(stderr, "mlgate-sandbox: %s: not a JSON object\n", path);
        cJSON_Delete(root);
        return -1;
    }
    c = cJSON_GetObjectItemCaseSensitive(root, "clearml");
    snprintf(sbx_w.api_version, sizeof(sbx_w.api_version), "%s",
             scenario_str(c, "api_version", "2.34"));
    snprintf(sbx_w.server_version, sizeof(sbx_w.server_version), "%s",
             scenario_str(c, "server_version", "2.3.0"));
    sbx_w.credentials = cJSON_Duplicate(scenario_get(c, "credentials"), 1);
    if (!cJSON_IsArray(sbx_w.credentials)) {
        cJSON *cr = cJSON_CreateObject();

        cJSON_Delete(sbx_w.credentials);
        sbx_w.credentials = cJSON_CreateArray();
        cJSON_AddStringToObject(cr, "access_key", "SBXACCESSKEY00000001");
        cJSON_AddStringToObject(cr, "secret_key",
                                "sbx-secret-0123456789abcdefghijklmnopqrstuv");
        cJSON_AddItemToArray(sbx_w.credentials, cr);
    }
    sbx_w.token_lifetime =
        (long)scenario_num(c, "token_lifetime_sec", 2592000);
    sbx_w.expire_first_after =
        (int)scenario_num(c, "expire_first_token_after_calls", 0);
    sbx_w.basic_everywhere =
        cJSON_IsTrue(scenario_get(c, "accept_basic_everywhere"));
    sbx_w.projects = cJSON_Duplicate(scenario_get(c, "projects"), 1);
    if (!cJSON_IsArray(sbx_w.projects)) {
        cJSON_Delete(sbx_w.projects);
        sbx_w.projects = cJSON_CreateArray();
    }
    cJSON_ArrayForEach(c, sbx_w.projects)
        scenario_project_defaults(c, now);
    c = cJSON_GetObjectItemCaseSensitive(root, "clearml");
    cJSON_ArrayForEach(it, scenario_get(c, "queues"))
        world_add_queue(it);
    cJSON_ArrayForEach(it, scenario_get(c, "tasks"))
        if (scenario_task(it, now) != 0)
            goto out;
    if (scenario_get(c, "generate") != NULL)
        scenario_generate(scenario_get(c, "generate"), now);
    scenario_github(scenario_get(root, "github"), now);
    scenario_gitlab(scenario_get(root, "gitlab"));
    cJSON_ArrayForEach(it, scenario_get(root, "faults")) {
        char err[256];

        if (world_add_fault(it, err, sizeof(err)) != 0) {
            fprintf(stderr, "mlgate-sandbox: %s: %s\n", path, err);
            goto out;
        }
    }
    rc = 0;
out:
    cJSON_Delete(root);
    return rc;
}
