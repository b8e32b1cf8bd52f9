/*
 * crasher.c - test plugin: dies of SIGSEGV in run().
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <signal.h>

static int crash_run(void *state, struct mlg_check *check)
{
    (void)state;
    (void)check;
    raise(SIGSEGV);
    return MLG_PASS;
}

static const struct mlg_plugin crash_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "crasher", "1.0", "crashes", NULL,
    NULL, crash_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &crash_plugin;
}
