/*
 * status.c - test plugin: reports the status named by its `status`
 * option, through host->result() or, with `via = return`, as run()'s
 * return value.
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <string.h>

static const struct mlg_option status_options[] = {
    {"status", MLG_OPT_ENUM, NULL, "the status to report", MLG_OPT_REQUIRED,
     "pass|warn|fail|error|skip"},
    {"summary", MLG_OPT_STRING, "as configured", "the summary", 0, NULL},
    {"via", MLG_OPT_ENUM, "result", "how to report it", 0,
     "result|return"},
    {"details", MLG_OPT_STRING, "", "Markdown details", 0, NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static int status_init(const struct mlg_host *host, struct mlg_check *check,
                       void **state, char *err)
{
    (void)check;
    (void)err;
    *state = (void *)host;
    return 0;
}

static int status_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = state;
    static const char *const words[] = {"pass", "warn", "fail", "error",
                                        "skip"};
    const char *s = h->opt_str(check, "status");
    const char *d = h->opt_str(check, "details");
    int st = MLG_ERROR, i;

    for (i = 0; i < 5; i++)
        if (strcmp(s, words[i]) == 0)
            st = i;
    if (d != NULL && *d != '\0')
        h->detail(check, "%s", d);
    if (strcmp(h->opt_str(check, "via"), "result") == 0)
        h->result(check, st, "%s", h->opt_str(check, "summary"));
    return st;
}

static const struct mlg_plugin status_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "status", "1.0", "reports a configured status", status_options,
    status_init, status_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &status_plugin;
}
