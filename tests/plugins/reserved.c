/*
 * reserved.c - test plugin with a non-NULL reserved slot: the loader
 * must refuse it, naming the slot.
 */
#include <config.h>

#include "mlgate/plugin.h"

static int reserved_run(void *state, struct mlg_check *check)
{
    (void)state;
    (void)check;
    return MLG_PASS;
}

static const struct mlg_plugin reserved_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "reserved", "1.0", "sets reserved[2]", NULL,
    NULL, reserved_run, NULL,
    {NULL, NULL, (void *)&reserved_plugin, NULL, NULL, NULL, NULL, NULL},
    MLG_PLUGIN_TAIL(0)
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &reserved_plugin;
}
