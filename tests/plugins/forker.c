/*
 * forker.c - test plugin: forks a grandchild that would sleep for a
 * minute, writes its pid to the file named by `pidfile`, and passes.
 * The runner must not leave that grandchild running.
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <stdio.h>
#include <unistd.h>

struct forker_state {
    const struct mlg_host *host;
};

static const struct mlg_option forker_options[] = {
    {"pidfile", MLG_OPT_STRING, NULL, "where the grandchild's pid goes",
     MLG_OPT_REQUIRED, NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static int forker_init(const struct mlg_host *host, struct mlg_check *check,
                       void **state, char *err)
{
    static struct forker_state st; /* one check per process */

    (void)check;
    (void)err;
    st.host = host;
    *state = &st;
    return 0;
}

static int forker_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = ((struct forker_state *)state)->host;
    FILE *f;
    pid_t pid = fork();

    if (pid == 0) {
        sleep(60);
        _exit(0);
    }
    f = fopen(h->opt_str(check, "pidfile"), "w");
    if (pid < 0 || f == NULL) {
        h->result(check, MLG_ERROR, "fork or pidfile failed");
        return MLG_ERROR;
    }
    fprintf(f, "%ld\n", (long)pid);
    fclose(f);
    h->result(check, MLG_PASS, "forked %ld", (long)pid);
    return MLG_PASS;
}

static const struct mlg_plugin forker_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "forker", "1.0", "leaves a grandchild behind", forker_options,
    forker_init, forker_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &forker_plugin;
}
