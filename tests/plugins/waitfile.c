/*
 * waitfile.c - test plugin: waits (host->sleep(0.01) at a time, up to
 * `limit` seconds) for the file named by `file` to exist, then passes;
 * FAIL "lookup never came" when it does not.  A test creates the file
 * only once it saw the sticky comment's lookup in the sandbox log, so
 * the check can pass only if that lookup runs while it is still
 * running.
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <unistd.h>

static const struct mlg_option waitfile_options[] = {
    {"file", MLG_OPT_STRING, NULL, "the file to wait for",
     MLG_OPT_REQUIRED, NULL},
    {"limit", MLG_OPT_NUMBER, "20", "seconds to wait at most", 0, NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static int waitfile_init(const struct mlg_host *host,
                         struct mlg_check *check, void **state, char *err)
{
    (void)check;
    (void)err;
    *state = (void *)host;
    return 0;
}

static int waitfile_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = state;
    const char *file = h->opt_str(check, "file");
    double limit = h->opt_number(check, "limit", 20), waited = 0;

    while (waited < limit) {
        if (file != NULL && access(file, F_OK) == 0) {
            h->result(check, MLG_PASS, "the file came");
            return MLG_PASS;
        }
        /* Woken early: the run is cancelled. */
        if (h->sleep(check, 0.01))
            break;
        waited += 0.01;
    }
    h->result(check, MLG_FAIL, "lookup never came");
    return MLG_FAIL;
}

static const struct mlg_plugin waitfile_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "waitfile", "1.0", "waits for a file", waitfile_options,
    waitfile_init, waitfile_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &waitfile_plugin;
}
