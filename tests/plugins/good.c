/*
 * good.c - test plugin: a well-formed check that passes and exercises
 * the result-building entries (summary, details, annotation, outputs).
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <stdio.h>

static const struct mlg_option good_options[] = {
    {"message", MLG_OPT_STRING, "all good", "the summary to report", 0, NULL},
    {"count", MLG_OPT_INT, "3", "a number echoed as an output", 0, NULL},
    {"ratio", MLG_OPT_NUMBER, NULL, "a number echoed when set", 0, NULL},
    {"loud", MLG_OPT_BOOL, "no", "log at info level", 0, NULL},
    {"wait", MLG_OPT_DURATION, "0s", "echoed as seconds", 0, NULL},
    {"goal", MLG_OPT_ENUM, "max", "an enum", 0, "max|min"},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static const struct mlg_host *good_host;

static int good_init(const struct mlg_host *host, struct mlg_check *check,
                     void **state, char *err)
{
    (void)check;
    (void)err;
    good_host = host;
    *state = (void *)host;
    return 0;
}

static int good_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = state;
    char buf[64];
    const struct mlg_context *ctx = h->context(check);

    if (h->opt_bool(check, "loud", 0))
        h->log(check, MLG_LOG_INFO, "running %s", ctx->check_name);
    h->detail(check, "| a | b |\n|---|---|\n| %lld | %s |\n",
              h->opt_int(check, "count", -1), h->opt_str(check, "goal"));
    h->annotate(check, MLG_ANNOT_NOTICE, "model.py", 7, "note %d", 1);
    h->output(check, "count", h->opt_str(check, "count"));
    h->output(check, "goal", h->opt_str(check, "goal"));
    h->output(check, "check", ctx->check_name);
    h->output(check, "undeclared",
              h->opt_str(check, "nope") == NULL ? "null" : "set");
    snprintf(buf, sizeof(buf), "%lld", h->opt_int(check, "nope", 5));
    h->output(check, "undeclared-int", buf);
    snprintf(buf, sizeof(buf), "%g", h->opt_duration(check, "wait", -1));
    h->output(check, "wait", buf);
    snprintf(buf, sizeof(buf), "%g", h->opt_number(check, "ratio", -1));
    h->output(check, "ratio", buf);
    h->result(check, MLG_PASS, "%s", h->opt_str(check, "message"));
    return MLG_PASS;
}

static const struct mlg_plugin good_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "good", "1.0", "a check that passes", good_options,
    good_init, good_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &good_plugin;
}
