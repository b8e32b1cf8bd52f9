/*
 * cleanup.c - test plugin: waits in run() until cancelled, and appends
 * "fini" to its marker file in fini(), proving that cleanup runs when
 * the runner cancels a check.
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct mlg_option cleanup_options[] = {
    {"marker", MLG_OPT_STRING, NULL, "file that fini() appends to",
     MLG_OPT_REQUIRED, NULL},
    {"seconds", MLG_OPT_NUMBER, "60", "how long run() waits", 0, NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

struct cleanup_state {
    const struct mlg_host *host;
    char *marker;
};

static void cleanup_append(const char *path, const char *what)
{
    FILE *f = fopen(path, "a");

    if (f == NULL)
        return;
    fprintf(f, "%s\n", what);
    fclose(f);
}

static int cleanup_init(const struct mlg_host *host, struct mlg_check *check,
                        void **state, char *err)
{
    struct cleanup_state *s = malloc(sizeof(*s));
    const char *m = host->opt_str(check, "marker");

    if (s == NULL || m == NULL) {
        free(s);
        snprintf(err, MLG_ERROR_SIZE, "out of memory");
        return -1;
    }
    s->marker = malloc(strlen(m) + 1);
    if (s->marker == NULL) {
        free(s);
        return -1;
    }
    memcpy(s->marker, m, strlen(m) + 1);
    s->host = host;
    cleanup_append(s->marker, "init");
    *state = s;
    return 0;
}

static int cleanup_run(void *state, struct mlg_check *check)
{
    struct cleanup_state *s = state;
    const struct mlg_host *h = s->host;

    cleanup_append(s->marker, "run");
    if (h->sleep(check, h->opt_number(check, "seconds", 60))) {
        cleanup_append(s->marker, "cancelled");
        h->result(check, MLG_ERROR, "cancelled");
        return MLG_ERROR;
    }
    h->result(check, MLG_PASS, "waited");
    return MLG_PASS;
}

static void cleanup_fini(void *state)
{
    struct cleanup_state *s = state;

    cleanup_append(s->marker, "fini");
    free(s->marker);
    free(s);
}

static const struct mlg_plugin cleanup_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "cleanup", "1.0", "fini writes a marker", cleanup_options,
    cleanup_init, cleanup_run, cleanup_fini, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &cleanup_plugin;
}
