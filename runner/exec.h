/*
 * exec.h - the executor: every check in its own child process,
 * concurrently (at most `jobs` at once), each with a hard deadline; the
 * result comes back over a pipe as one JSON document (design §2 step 4).
 */
#ifndef MLG_EXEC_H
#define MLG_EXEC_H

#include <stddef.h>

#include "conf.h"
#include "host.h"
#include "loader.h"
#include "result.h"

/* A result document larger than this is refused. */
#define EXEC_MAX_RESULT (8u * 1024 * 1024)

struct exec_check {
    const char *name;               /* [check NAME]; borrowed */
    const struct plugin *plugin;    /* borrowed */
    const struct conf_section *sec; /* borrowed */
    double timeout;                 /* hard deadline, seconds from start */
};

/* Run the checks and fill *rr (one result per check, in the given order;
 * rr->overall and rr->duration set).  jobs <= 0 means all at once.
 * SIGINT/SIGTERM during the run cancel every check: each gets SIGTERM,
 * env->grace seconds, then SIGKILL, and becomes ERROR "cancelled".
 * Returns 1 when the run was cancelled, else 0.  Caller frees *rr with
 * run_result_free(). */
int exec_run(const struct host_env *env, const struct exec_check *checks,
             size_t n, int jobs, struct run_result *rr);

/* Catch SIGINT/SIGTERM from now until exit (not only during exec_run):
 * a signal that arrives before exec_run() makes it cancel every check at
 * once, so the report is still produced; one after it is ignored.  For
 * the mlgate program; tests that do not call it get handlers only
 * during exec_run(). */
void exec_catch_signals(void);
/* Non-zero once SIGINT/SIGTERM was caught. */
int exec_cancel_requested(void);

/* The hard deadline of a check in seconds (plugin.h "Deadlines"): its
 * `timeout` key (default [run] timeout, 10m); or, when the plugin
 * declares DURATION options "timeout" / "*-timeout", their sum plus the
 * [run] grace. */
double exec_hard_timeout(const struct conf *c,
                         const struct conf_section *sec,
                         const struct mlg_plugin *d);

/* [run] grace in seconds (default 10). */
double exec_grace(const struct conf *c);

/* Seconds as conf text: 600 -> "10m", 5400 -> "1h30m", 1.5 -> "1.5s".
 * Caller frees. */
char *exec_fmt_duration(double s);

/* "SIGSEGV" for 11, "signal N" when unknown.  Static string. */
const char *exec_signal_name(int sig);

/* The child->parent wire format, exposed for tests.  Caller frees. */
char *exec_result_to_json(const struct check_result *r);
/* Fills status, summary, details, annots, outputs of *r (name and plugin
 * untouched).  Returns 0, or -1 when text is not a valid result. */
int exec_result_from_json(const char *text, size_t len,
                          struct check_result *r);

#endif
