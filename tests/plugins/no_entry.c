/*
 * no_entry.c - test plugin: exports its descriptor under another name, so
 * the loader finds no mlg_plugin_entry symbol.
 */
#include <config.h>

#include "mlgate/plugin.h"

const struct mlg_plugin *mlg_plugin_entry_v0(void);

static int none_run(void *state, struct mlg_check *check)
{
    (void)state;
    (void)check;
    return MLG_PASS;
}

static const struct mlg_plugin none_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "no_entry", "1.0", "wrong entry name", NULL,
    NULL, none_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry_v0(void)
{
    return &none_plugin;
}
