/*
 * short_size.c - test plugin: a descriptor whose struct_size is smaller
 * than the ABI 1.0 minimum; the loader must refuse it without reading
 * past it.
 */
#include <config.h>

#include "mlgate/plugin.h"

static int short_run(void *state, struct mlg_check *check)
{
    (void)state;
    (void)check;
    return MLG_PASS;
}

static const struct mlg_plugin short_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, 24, 0,
    "short_size", "1.0", "too small", NULL,
    NULL, short_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &short_plugin;
}
