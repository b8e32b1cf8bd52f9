/*
 * abi11.c - test plugin compiled against the ABI 1.1 header kept in
 * tests/abi/1.1: it calls opt_scope, the entry 1.1 appended, so it needs
 * a 1.1 host (abi_minor 1, no min_host_minor field).
 */
#include "mlgate/plugin.h"

static const struct mlg_option abi11_options[] = {
    {"project", MLG_OPT_STRING, "p11", "a scope read with opt_scope", 0,
     NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static int abi11_init(const struct mlg_host *host, struct mlg_check *check,
                      void **state, char *err)
{
    (void)check;
    (void)err;
    *state = (void *)host;
    return 0;
}

static int abi11_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = state;

    h->result(check, MLG_PASS, "ABI 1.1 plugin on host %u.%u: %s",
              (unsigned)h->abi_major, (unsigned)h->abi_minor,
              h->opt_scope(check, "project"));
    return MLG_PASS;
}

static const struct mlg_plugin abi11_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "abi11", "1.1", "built against the ABI 1.1 header", abi11_options,
    abi11_init, abi11_run, NULL,
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &abi11_plugin;
}
