/*
 * abi_major.c - test plugin: a descriptor built for another major ABI;
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
    MLG_ABI_MAJOR + 1, 0, sizeof(struct mlg_plugin), 0,
    "abi_major", "1.0", "a descriptor built for another major ABI", NULL,
    NULL, abi_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &abi_plugin;
}
