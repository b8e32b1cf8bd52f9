/*
 * abi12.c - test plugin of the ABI 1.2 header that needs only 1.0: it
 * declares MLG_NEEDS_MINOR(0), calls the 1.2 vresult only when the host
 * has it, and steps its option table by a stride larger than this host's
 * struct mlg_option, as a plugin of a later minor whose options grew.
 */
#include "mlgate/plugin.h"

#include <stdarg.h>

/* An option struct that grew a field after 1.2. */
struct abi12_option {
    struct mlg_option o;
    const char *later; /* a field this host does not know */
};

static const struct abi12_option abi12_options[] = {
    {{"first", MLG_OPT_STRING, "uno", "a default read back", 0, NULL}, "x"},
    {{"second", MLG_OPT_STRING, "dos", "found only at the right stride", 0,
      NULL}, "y"},
    {{NULL, 0, NULL, NULL, 0, NULL}, NULL}
};

static void abi12_say(const struct mlg_host *h, struct mlg_check *check,
                      const char *fmt, ...) MLG_PRINTF(3, 4);

/* The 1.2 twin when the host has it, the 1.0 entry otherwise. */
static void abi12_say(const struct mlg_host *h, struct mlg_check *check,
                      const char *fmt, ...)
{
    va_list ap;

    if (h->abi_minor >= 2 &&
        h->size >= offsetof(struct mlg_host, vresult) + sizeof(h->vresult)) {
        va_start(ap, fmt);
        h->vresult(check, MLG_PASS, fmt, ap);
        va_end(ap);
        return;
    }
    h->result(check, MLG_PASS, "%s (1.0 path)", fmt);
}

static int abi12_init(const struct mlg_host *host, struct mlg_check *check,
                      void **state, char *err)
{
    (void)check;
    (void)err;
    *state = (void *)host;
    return 0;
}

static int abi12_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = state;

    abi12_say(h, check, "ABI 1.2 plugin: %s %s", h->opt_str(check, "first"),
              h->opt_str(check, "second"));
    return MLG_PASS;
}

static const struct mlg_plugin abi12_plugin = {
    .abi_major = MLG_ABI_MAJOR,
    .abi_minor = MLG_ABI_MINOR,
    .struct_size = sizeof(struct mlg_plugin),
    .name = "abi12",
    .version = "1.2",
    .description = "built against the ABI 1.2 header, needs only 1.0",
    .options = &abi12_options[0].o,
    .init = abi12_init,
    .run = abi12_run,
    .min_host_minor = MLG_NEEDS_MINOR(0),
    .option_size = sizeof(struct abi12_option)
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &abi12_plugin;
}
