/*
 * noresult.c - test plugin: exits the child process from run() without
 * sending a result.
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <unistd.h>

static int noresult_run(void *state, struct mlg_check *check)
{
    (void)state;
    (void)check;
    _exit(3);
}

static const struct mlg_plugin noresult_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "noresult", "1.0", "exits without a result", NULL,
    NULL, noresult_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &noresult_plugin;
}
