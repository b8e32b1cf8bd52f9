/*
 * host.h - the services table handed to plugins (sdk/mlgate/plugin.h) and
 * the life of one check inside its child process: init, run, fini.
 */
#ifndef MLG_HOST_H
#define MLG_HOST_H

#include "conf.h"
#include "context.h"
#include "loader.h"
#include "mlgate/plugin.h"
#include "result.h"

struct clearml;
struct forge;
struct run_facts;

/* What every check of a run shares.  All borrowed by the host. */
struct host_env {
    const struct conf *conf;
    const struct run_context *ctx;
    struct clearml *clearml;  /* logged in, or NULL */
    struct mlg_error clearml_err; /* why clearml is NULL */
    struct forge *forge;      /* or NULL */
    struct mlg_error forge_err;   /* why forge is NULL */
    int dry_run;
    int verbose;
    double grace;             /* seconds of cleanup after a check's own
                                 deadline (SIGTERM) */
    double run_deadline;      /* absolute now_mono(): no check runs past
                                 it; 0 = none */
    const struct mlg_host *table; /* NULL: this runner's services table;
                                     tests hand host_table_as()'s */
    const struct run_facts *facts; /* resolved before the fork, or NULL */
};

/* Seconds of cleanup a check gets once the run is cancelled (SIGINT from
 * the runner: a signal to mlgate, or the run deadline), at most the
 * grace: with the publishing budget it fits GitHub's 7.5 s between its
 * SIGINT and SIGTERM. */
#define HOST_CANCEL_BUDGET 3.0

/* One check to run. */
struct host_spec {
    const char *name;                  /* [check NAME] */
    const struct plugin *plugin;
    const struct conf_section *sec;
    double deadline;                   /* absolute now_mono() seconds */
};

/* Install the child's SIGINT/SIGTERM/SIGHUP handlers (they set the
 * cancelled flag, interrupt HTTP transfers and wake host->sleep) and
 * ignore SIGPIPE.  Call in the child before unblocking signals. */
void host_child_signals(void);

/* Run one check in the current process.  Fills *r (caller frees with
 * check_result_free); name/plugin/status/summary/details always set. */
void host_run_check(const struct host_env *env, const struct host_spec *sp,
                    struct check_result *r);

/* This runner's services table as a host of ABI 1.minor would present
 * it: that minor and size, later entries NULL (tests simulate older
 * hosts with it). */
void host_table_as(unsigned minor, struct mlg_host *out);

/* A check's ClearML scope value (host->opt_scope): key of its section
 * when the plugin declares that option (its default otherwise), else
 * the conf's [clearml] key; NULL when that is empty.  Borrowed from the
 * conf or the plugin. */
const char *host_scope(const struct conf *c, const struct conf_section *sec,
                       const struct plugin *p, const char *key);

/* Fold newlines and control characters to spaces and cut at 300 bytes
 * without splitting UTF-8.  Caller frees. */
char *host_one_line(const char *s);

#endif
