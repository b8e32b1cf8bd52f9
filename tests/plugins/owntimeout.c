/*
 * owntimeout.c - test plugin: declares its own "timeout" and
 * "queue-timeout" DURATION options, so its hard deadline is their sum
 * plus the grace period (plugin.h "Deadlines"); reports remaining().
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <stdio.h>

static const struct mlg_option own_options[] = {
    {"timeout", MLG_OPT_DURATION, "20s", "run bound", 0, NULL},
    {"queue-timeout", MLG_OPT_DURATION, "30s", "queue bound", 0, NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static int own_init(const struct mlg_host *host, struct mlg_check *check,
                    void **state, char *err)
{
    (void)check;
    (void)err;
    *state = (void *)host;
    return 0;
}

static int own_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = state;
    char buf[64];

    snprintf(buf, sizeof(buf), "%.3f", h->remaining(check));
    h->output(check, "remaining", buf);
    h->result(check, MLG_PASS, "owns its timeouts");
    return MLG_PASS;
}

static const struct mlg_plugin own_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "owntimeout", "1.0", "declares timeout options", own_options,
    own_init, own_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &own_plugin;
}
