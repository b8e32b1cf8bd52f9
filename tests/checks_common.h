/*
 * checks_common.h - end-to-end helpers for the built-in checks' tests:
 * run the real mlgate binary against a sandbox with a conf, read its
 * JSON report, and look into the sandbox state.
 */
#ifndef MLG_CHECKS_COMMON_H
#define MLG_CHECKS_COMMON_H

#include <sys/types.h>

#include "sbx.h"

struct cJSON;

#define CK_SHA "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345"
#define CK_CURRENT "a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define CK_BEST "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
#define CK_DIRTY "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1"

/* The [clearml] scope and a [report] that publishes nothing. */
#define CK_CONF_HEAD \
    "[clearml]\nproject = Github CICD Video\ntask-name = cicd_test\n\n" \
    "[report]\ncomment = off\nstatus = off\n\n"

/* One mlgate run.  report is owned (crun_free). */
struct crun {
    pid_t pid;
    int exit_code;        /* exit status; 128+N when killed by signal N */
    double secs;          /* wall time of the run */
    double start;
    struct cJSON *report; /* the --json report, or NULL */
    /* Set between crun_prepare and crun_spawn: run as a GitHub Actions
     * step (GITHUB_ACTIONS=true, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
     * in dir as github_output and step_summary) and add --junit
     * dir/out.xml. */
    int actions;
    /* Also set before crun_spawn: "NAME=VALUE" strings (NULL-terminated,
     * may be NULL) put in the run's environment after the CI variables
     * are cleared. */
    const char *const *env;
    char dir[4096];       /* temp dir: mlgate.conf, out.json, out, err */
};

/* A temp dir for a run, with conf written as mlgate.conf.  Returns 0. */
int crun_prepare(struct crun *r, const char *conf);
/* Start mlgate (in r->dir, env from s, GitHub Actions variables unset)
 * with the standard context flags plus extra (NULL-terminated, may be
 * NULL).  Returns 0. */
int crun_spawn(struct crun *r, const struct sbx *s, const char *const *extra);
/* Wait for the run, read the report. */
void crun_wait(struct crun *r);
/* prepare + spawn + wait.  Returns the exit code. */
int crun_mlgate(struct crun *r, const struct sbx *s, const char *conf,
                const char *const *extra);
/* crun_mlgate, then assert the exit code is want; the failure message
 * shows every check's status and summary and the end of stderr. */
void crun_expect(struct crun *r, const struct sbx *s, const char *conf,
                 const char *const *extra, int want);
/* Remove the temp dir and free the report. */
void crun_free(struct crun *r);

/* The checks[] entry named name, or NULL.  Borrowed from r->report. */
const struct cJSON *crun_check(const struct crun *r, const char *name);
/* A string member of a check ("status", "summary", "details"), or "". */
const char *crun_get(const struct crun *r, const char *name,
                     const char *key);
/* An outputs member of a check, or "". */
const char *crun_output(const struct crun *r, const char *name,
                        const char *key);
/* The run's stderr (caller frees). */
char *crun_stderr(const struct crun *r);

/* A task of /__state by id, or NULL.  Borrowed from state. */
const struct cJSON *ck_task(const struct cJSON *state, const char *id);
/* The first task of /__state named name, or NULL. */
const struct cJSON *ck_task_named(const struct cJSON *state,
                                  const char *name);
/* Whether the string array member key of obj contains value. */
int ck_has(const struct cJSON *obj, const char *key, const char *value);
/* Number of items in the string array member key of obj. */
int ck_count(const struct cJSON *obj, const char *key);
/* Requests in the sandbox log to a ClearML endpoint (exact). */
int ck_endpoint_count(const struct sbx *s, const char *endpoint);
/* Requests in the sandbox log that write: a ClearML endpoint other than
 * auth.login, *.get_*, events.* reads and server.info, or a forge
 * request other than GET. */
int ck_write_count(const struct sbx *s);

/* Start the sandbox on scenario (a name, or a file under
 * $MLG_SRCDIR/tests/data/scenarios when it ends in .json) and export its
 * environment; ck_abort_msg on failure. */
void ck_sbx_start(struct sbx *s, const char *scenario);

#endif
