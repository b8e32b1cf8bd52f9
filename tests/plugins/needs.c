/*
 * needs.c - test plugin: declares MLG_PLUGIN_NEEDS_PR and
 * MLG_PLUGIN_NEEDS_CLEARML, so the runner SKIPs it without a PR and
 * makes it ERROR without ClearML, never calling run().
 */
#include <config.h>

#include "mlgate/plugin.h"


static int needs_run(void *state, struct mlg_check *check)
{
    (void)state;
    (void)check;
    /* Reached only when PR and ClearML are both there. */
    return MLG_PASS;
}

static const struct mlg_plugin needs_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin),
    MLG_PLUGIN_NEEDS_PR | MLG_PLUGIN_NEEDS_CLEARML,
    "needs", "1.0", "needs a PR and ClearML", NULL,
    NULL, needs_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &needs_plugin;
}
