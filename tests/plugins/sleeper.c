/*
 * sleeper.c - test plugin: sleeps `seconds` through host->sleep (so it
 * wakes on cancellation), records its start and end on the monotonic
 * clock as outputs, and with `ignore-term = yes` blocks SIGTERM so that
 * only SIGKILL can stop it.
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <signal.h>
#include <stdio.h>
#include <time.h>

static const struct mlg_option sleeper_options[] = {
    {"seconds", MLG_OPT_NUMBER, "1", "how long to sleep", 0, NULL},
    {"ignore-term", MLG_OPT_BOOL, "no", "block SIGTERM", 0, NULL},
    {"started-file", MLG_OPT_STRING, NULL, "created when run() starts", 0,
     NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static double sleeper_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int sleeper_init(const struct mlg_host *host,
                        struct mlg_check *check, void **state, char *err)
{
    (void)check;
    (void)err;
    *state = (void *)host;
    return 0;
}

static int sleeper_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = state;
    double secs = h->opt_number(check, "seconds", 1);
    const char *started = h->opt_str(check, "started-file");
    char buf[64];
    int woken;

    if (h->opt_bool(check, "ignore-term", 0)) {
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigprocmask(SIG_BLOCK, &set, NULL);
    }
    snprintf(buf, sizeof(buf), "%.6f", sleeper_now());
    h->output(check, "start", buf);
    snprintf(buf, sizeof(buf), "%.3f", h->remaining(check));
    h->output(check, "remaining", buf);
    if (started != NULL) {
        FILE *f = fopen(started, "w");

        if (f != NULL)
            fclose(f);
    }
    woken = h->sleep(check, secs);
    snprintf(buf, sizeof(buf), "%.6f", sleeper_now());
    h->output(check, "end", buf);
    h->output(check, "cancelled", h->cancelled(check) ? "yes" : "no");
    if (woken) {
        h->result(check, MLG_ERROR, "woken early");
        return MLG_ERROR;
    }
    h->result(check, MLG_PASS, "slept %gs", secs);
    return MLG_PASS;
}

static const struct mlg_plugin sleeper_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "sleeper", "1.0", "sleeps", sleeper_options,
    sleeper_init, sleeper_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &sleeper_plugin;
}
