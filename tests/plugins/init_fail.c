/*
 * init_fail.c - test plugin: init fails with a reason; run and fini must
 * never be called (fini would crash).
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <signal.h>
#include <stdio.h>

static int fail_init(const struct mlg_host *host, struct mlg_check *check,
                     void **state, char *err)
{
    (void)host;
    (void)check;
    (void)state;
    snprintf(err, MLG_ERROR_SIZE, "cannot prepare: %s", "no model");
    return -1;
}

static int fail_run(void *state, struct mlg_check *check)
{
    (void)state;
    (void)check;
    raise(SIGABRT);
    return MLG_PASS;
}

static void fail_fini(void *state)
{
    (void)state;
    raise(SIGABRT);
}

static const struct mlg_plugin fail_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "init_fail", "1.0", "init fails", NULL,
    fail_init, fail_run, fail_fini, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &fail_plugin;
}
