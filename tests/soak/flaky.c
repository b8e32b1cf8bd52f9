/*
 * flaky.c - soak test plugin: after `after` seconds (an interruptible
 * host->sleep) it misbehaves as `mode` says, so the soak can inject
 * check crashes, hangs and silent exits into real runs.
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct mlg_option flaky_options[] = {
    {"mode", MLG_OPT_STRING, "pass",
     "pass | fail | segv | abort | exit | hang | orphan", 0, NULL},
    {"after", MLG_OPT_NUMBER, "0", "seconds before acting", 0, NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static int flaky_init(const struct mlg_host *host, struct mlg_check *check,
                      void **state, char *err)
{
    (void)check;
    (void)err;
    *state = (void *)host;
    return 0;
}

static int flaky_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = state;
    const char *mode = h->opt_str(check, "mode");

    if (h->sleep(check, h->opt_number(check, "after", 0))) {
        h->result(check, MLG_ERROR, "cancelled");
        return MLG_ERROR;
    }
    if (strcmp(mode, "segv") == 0)
        raise(SIGSEGV);
    else if (strcmp(mode, "abort") == 0)
        abort();
    else if (strcmp(mode, "exit") == 0)
        _exit(3);
    else if (strcmp(mode, "hang") == 0) {
        /* Ignores cancellation: only the runner's SIGKILL ends it. */
        signal(SIGTERM, SIG_IGN);
        for (;;)
            pause();
    } else if (strcmp(mode, "orphan") == 0) {
        /* A process left behind (the soak must notice it). */
        if (fork() == 0) {
            alarm(20);
            for (;;)
                pause();
        }
    } else if (strcmp(mode, "fail") == 0) {
        h->result(check, MLG_FAIL, "told to fail");
        return MLG_FAIL;
    }
    h->result(check, MLG_PASS, "behaved");
    return MLG_PASS;
}

static const struct mlg_plugin flaky_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "flaky", "1.0", "misbehaves on request (soak test)", flaky_options,
    flaky_init, flaky_run, NULL, {NULL}, MLG_PLUGIN_TAIL(0)
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &flaky_plugin;
}
