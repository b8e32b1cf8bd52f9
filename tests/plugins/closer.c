/*
 * closer.c - test plugin that closes every descriptor above stderr,
 * the runner's result pipe with them, then reports PASS: the runner
 * must say the pipe was closed, not "without a result".
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <unistd.h>

static int closer_run(void *state, struct mlg_check *check)
{
    int fd;

    (void)state;
    (void)check;
    for (fd = 3; fd < 1024; fd++)
        close(fd);
    return MLG_PASS;
}

static const struct mlg_plugin closer_plugin = {
    MLG_PLUGIN_HEAD, 0,
    "closer", "1.0", "closes the result pipe", NULL,
    NULL, closer_run, NULL, {NULL}, MLG_PLUGIN_TAIL(0)
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &closer_plugin;
}
