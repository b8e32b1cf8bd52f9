/*
 * badfields.c - test plugin whose 1.3 head_fields holds something that is
 * not a field name: the loader refuses it, since the names go into the
 * runner's tasks.get_all as only_fields.
 */
#include <config.h>

#include "mlgate/plugin.h"

static const char *const bf_fields[] = {
    "hyperparams", "name\"]}, {\"x", NULL
};

static int bf_run(void *state, struct mlg_check *check)
{
    (void)state;
    (void)check;
    return MLG_PASS;
}

static const struct mlg_plugin bf_plugin = {
    MLG_PLUGIN_HEAD, MLG_PLUGIN_USES_HEAD_TASK,
    "badfields", "1.0", "declares a head field that is not a name", NULL,
    NULL, bf_run, NULL, {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    MLG_PLUGIN_TAIL_FIELDS(3, bf_fields)
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &bf_plugin;
}
