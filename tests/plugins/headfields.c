/*
 * headfields.c - test plugin of the 1.3 run facts: reads the head task
 * through host->head_task and the scope's project through
 * host->scope_project_id, and reports what it got as outputs.  Built
 * twice: headfields declares MLG_PLUGIN_USES_HEAD_TASK (the runner
 * resolves the task before the fork), headlive does not (the entry looks
 * it up itself).  Both declare head_fields beyond the default set.
 */
#include <config.h>

#include <cjson/cJSON.h>

#include "mlgate/plugin.h"

#ifdef HEADFIELDS_LIVE
#define HF_NAME "headlive"
#define HF_FLAGS MLG_PLUGIN_NEEDS_CLEARML
#else
#define HF_NAME "headfields"
#define HF_FLAGS (MLG_PLUGIN_NEEDS_CLEARML | MLG_PLUGIN_USES_HEAD_TASK)
#endif

static const char *const hf_fields[] = {
    "execution.queue", "hyperparams", NULL
};

static const struct mlg_option hf_options[] = {
    {"project", MLG_OPT_STRING, NULL, "scope project", 0, NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static const struct mlg_host *hf_host;

static int hf_init(const struct mlg_host *host, struct mlg_check *check,
                   void **state, char *err)
{
    (void)check;
    (void)state;
    (void)err;
    hf_host = host;
    return 0;
}

static int hf_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = hf_host;
    struct mlg_task_found f = MLG_TASK_FOUND_INIT;
    struct mlg_error err = MLG_ERROR_INIT;
    const cJSON *ex;
    const char *pid = NULL;

    (void)state;
    if (h->head_task(check, &f, &err) != 0) {
        h->result(check, MLG_ERROR, "head_task: %s", err.message);
        return MLG_ERROR;
    }
    h->output(check, "task-id", f.task != NULL ? cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(f.task, "id")) : "none");
    ex = cJSON_GetObjectItemCaseSensitive(f.task, "execution");
    h->output(check, "has-queue",
              cJSON_IsString(cJSON_GetObjectItemCaseSensitive(ex, "queue"))
              ? "yes" : "no");
    if (h->scope_project_id(check, &pid, &err) != 0) {
        h->result(check, MLG_ERROR, "scope_project_id: %s", err.message);
        return MLG_ERROR;
    }
    h->output(check, "project-id", pid != NULL ? pid : "none");
    h->result(check, MLG_PASS, "head task %s",
              f.task != NULL ? "found" : "not found");
    return MLG_PASS;
}

static const struct mlg_plugin hf_plugin = {
    MLG_PLUGIN_HEAD, HF_FLAGS,
    HF_NAME, "1.0", "reads the 1.3 run facts", hf_options,
    hf_init, hf_run, NULL, {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    MLG_PLUGIN_TAIL_FIELDS(3, hf_fields)
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &hf_plugin;
}
