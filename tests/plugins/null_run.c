/*
 * null_run.c - test plugin: a descriptor whose run callback is NULL.
 */
#include <config.h>

#include "mlgate/plugin.h"

static const struct mlg_plugin null_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "null_run", "1.0", "no run callback", NULL,
    NULL, NULL, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &null_plugin;
}
