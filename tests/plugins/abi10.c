/*
 * abi10.c - test plugin compiled against the ABI 1.0 header kept in
 * tests/abi/1.0 (as a third party built it then): its descriptor ends at
 * reserved[], its option table has the 1.0 stride, its abi_minor is 0.
 */
#include "mlgate/plugin.h"

static const struct mlg_option abi10_options[] = {
    {"first", MLG_OPT_STRING, "one", "a default read back", 0, NULL},
    {"second", MLG_OPT_STRING, "two", "found only at the right stride", 0,
     NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static int abi10_init(const struct mlg_host *host, struct mlg_check *check,
                      void **state, char *err)
{
    (void)check;
    (void)err;
    *state = (void *)host;
    return 0;
}

static int abi10_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = state;

    h->result(check, MLG_PASS, "ABI 1.0 plugin on host %u.%u: %s %s",
              (unsigned)h->abi_major, (unsigned)h->abi_minor,
              h->opt_str(check, "first"), h->opt_str(check, "second"));
    return MLG_PASS;
}

static const struct mlg_plugin abi10_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "abi10", "1.0", "built against the ABI 1.0 header", abi10_options,
    abi10_init, abi10_run, NULL,
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &abi10_plugin;
}
