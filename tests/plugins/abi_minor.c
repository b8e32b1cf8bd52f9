/*
 * abi_minor.c - test plugin: a descriptor that needs a newer minor ABI;
 * the loader must refuse it.
 */
#include <config.h>

#include "mlgate/plugin.h"

static int abi_run(void *state, struct mlg_check *check)
{
    (void)state;
    (void)check;
    return MLG_PASS;
}

static const struct mlg_plugin abi_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR + 3, sizeof(struct mlg_plugin), 0,
    "abi_minor", "1.0", "a descriptor that needs a newer minor ABI", NULL,
    NULL, abi_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &abi_plugin;
}
