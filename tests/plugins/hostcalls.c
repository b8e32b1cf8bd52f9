/*
 * hostcalls.c - test plugin: calls every ClearML and forge entry of the
 * host table once and reports what happened as outputs ("ok", a value,
 * or "e<kind>" with the mlg_errkind), so tests can check the clients,
 * the --dry-run refusals and the JSON lifetimes through a real child.
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <cjson/cJSON.h>
#include <stdio.h>

static int hc_init(const struct mlg_host *host, struct mlg_check *check,
                   void **state, char *err)
{
    (void)check;
    (void)err;
    *state = (void *)host;
    return 0;
}

static void hc_out(const struct mlg_host *h, struct mlg_check *check,
                   const char *key, int rc, const struct mlg_error *e,
                   const char *ok)
{
    char buf[32];

    if (rc == 0) {
        h->output(check, key, ok != NULL ? ok : "ok");
        return;
    }
    snprintf(buf, sizeof(buf), "e%d", e->kind);
    h->output(check, key, buf);
    h->detail(check, "%s: %s\n", key, e->message);
}

static int hc_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = state;
    const struct mlg_context *ctx = h->context(check);
    struct mlg_error e;
    const struct cJSON *data = NULL;
    struct mlg_task_found found = {NULL, NULL};
    struct mlg_task_query q = {sizeof(struct mlg_task_query), NULL, NULL,
                               NULL};
    const char *id = NULL, *url;
    const char *add[] = {"hostcalls", NULL};
    cJSON *body = cJSON_CreateObject();
    const cJSON *tid;
    char path[256], buf[32];
    int rc, st = 0;

    rc = h->clearml_call(check, "tasks.get_all", NULL, &data, &e);
    hc_out(h, check, "read", rc, &e,
           rc == 0 && cJSON_IsObject(data) ? "ok" : "nodata");
    if (rc == 0)
        h->json_release(check, data);
    cJSON_AddStringToObject(body, "name", "hostcalls-probe");
    cJSON_AddStringToObject(body, "type", "testing");
    rc = h->clearml_call(check, "tasks.create", body, &data, &e);
    hc_out(h, check, "write", rc, &e, NULL);
    cJSON_Delete(body);
    rc = h->clearml_call(check, "nodot", NULL, &data, &e);
    hc_out(h, check, "usage", rc, &e, NULL);
    /* Malformed with a dot: refused as such, --dry-run or not. */
    rc = h->clearml_call(check, "tasks.create/../x", NULL, &data, &e);
    hc_out(h, check, "malformed", rc, &e, NULL);
    q.project = h->conf_clearml(check, "project");
    rc = h->clearml_find_task(check, &q, &found, &e);
    tid = found.task != NULL
        ? cJSON_GetObjectItemCaseSensitive(found.task, "id") : NULL;
    hc_out(h, check, "find", rc, &e,
           cJSON_IsString(tid) ? tid->valuestring : "none");
    rc = h->clearml_queue_id(check, "default", &id, &e);
    hc_out(h, check, "queue", rc, &e, id);
    rc = h->clearml_queue_id(check, "no-such-queue", &id, &e);
    hc_out(h, check, "queue-missing", rc, &e, id);
    if (cJSON_IsString(tid)) {
        rc = h->clearml_update_tags(check, tid->valuestring, add, NULL, &e);
        hc_out(h, check, "tags", rc, &e, NULL);
        url = h->clearml_task_url(check, NULL, tid->valuestring, NULL);
        h->output(check, "url", url != NULL ? url : "null");
    }
    snprintf(path, sizeof(path), "/repos/%s/pulls/%ld", ctx->repo, ctx->pr);
    rc = h->forge_call(check, "GET", path, NULL, &st, &data, &e);
    snprintf(buf, sizeof(buf), "%d", st);
    hc_out(h, check, "forge-get", rc, &e, buf);
    snprintf(path, sizeof(path), "/repos/%s/issues/%ld/comments", ctx->repo,
             ctx->pr);
    body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "body", "hostcalls probe");
    rc = h->forge_call(check, "POST", path, body, &st, &data, &e);
    snprintf(buf, sizeof(buf), "%d", st);
    hc_out(h, check, "forge-post", rc, &e, buf);
    cJSON_Delete(body);
    snprintf(buf, sizeof(buf), "%d", ctx->dry_run);
    h->output(check, "dry-run", buf);
    h->result(check, MLG_PASS, "called the host");
    return MLG_PASS;
}

static const struct mlg_plugin hc_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "hostcalls", "1.0", "calls every client entry", NULL,
    hc_init, hc_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &hc_plugin;
}
