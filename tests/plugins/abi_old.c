/*
 * abi_old.c - test plugin built for ABI 1.0, before the host table grew
 * opt_scope in 1.1: the loader must accept it and it must run, using
 * only the entries that 1.0 had.
 */
#include <config.h>

#include "mlgate/plugin.h"

static int abi_old_init(const struct mlg_host *host, struct mlg_check *check,
                        void **state, char *err)
{
    (void)check;
    (void)err;
    *state = (void *)host;
    return 0;
}

static int abi_old_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = state;

    h->result(check, MLG_PASS, "built for ABI 1.0, host %u.%u",
              (unsigned)h->abi_major, (unsigned)h->abi_minor);
    return MLG_PASS;
}

static const struct mlg_plugin abi_old_plugin = {
    1, 0, sizeof(struct mlg_plugin), 0,
    "abi_old", "1.0", "a plugin built for ABI 1.0", NULL,
    abi_old_init, abi_old_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &abi_old_plugin;
}
