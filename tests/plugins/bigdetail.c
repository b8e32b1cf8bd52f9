/*
 * bigdetail.c - test plugin: reports a 1 MiB details section, more than a
 * pipe buffer holds, so the runner must read results concurrently; with
 * `flood = yes` it also sets 600 outputs of 16 KiB, a result over the
 * runner's 8 MiB cap.
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <stdlib.h>
#include <stdio.h>

#define BIG_SIZE (1024 * 1024)

static const struct mlg_option big_options[] = {
    {"flood", MLG_OPT_BOOL, "no", "exceed the result cap", 0, NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static int big_init(const struct mlg_host *host, struct mlg_check *check,
                    void **state, char *err)
{
    (void)check;
    (void)err;
    *state = (void *)host;
    return 0;
}

static int big_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = state;
    char *s = malloc(BIG_SIZE + 1);
    size_t i;

    if (s == NULL)
        return MLG_ERROR;
    /* Lines of 63 'x' and a newline. */
    for (i = 0; i < BIG_SIZE; i++)
        s[i] = (i % 64 == 63) ? '\n' : 'x';
    s[BIG_SIZE] = '\0';
    h->detail(check, "%s", s);
    if (h->opt_bool(check, "flood", 0)) {
        char key[32];

        s[16 * 1024] = '\0';
        for (i = 0; i < 600; i++) {
            snprintf(key, sizeof(key), "k%zu", i);
            h->output(check, key, s);
        }
    }
    free(s);
    h->result(check, MLG_PASS, "1 MiB of details");
    return MLG_PASS;
}

static const struct mlg_plugin big_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "bigdetail", "1.0", "1 MiB of details", big_options,
    big_init, big_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &big_plugin;
}
