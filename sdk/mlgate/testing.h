/*
 * mlgate/testing.h - the plugin test kit (libmlgate-test): a fake host
 * that runs one plugin the way the runner does (init; run once; fini),
 * without mlgate and without a network, in the test's own process.
 *
 * The test gives it options, the run context and recorded server answers
 * (JSON, usually a file next to the test), runs the plugin, then asserts
 * on what the plugin reported: status, summary, details, outputs,
 * annotations, log lines and the list of calls it made.
 *
 *   cc ... test.c $(pkg-config --cflags --libs mlgate-test)
 *
 * Recorded answers, one JSON object (every member optional):
 *   {"clearml": {"ENDPOINT": ANSWER or [ANSWER, ...]},
 *    "forge": {"METHOD /path": ANSWER or [ANSWER, ...]},
 *    "find_task": {"task": TASK or null, "dirty": TASK or null},
 *    "project_id": {"NAME" or "*": "ID"},
 *    "api_version": "2.34",
 *    "queue_id": {"NAME" or "*": "ID"},
 *    "update_tags": ANSWER}
 * An ANSWER is {"data": ...} (forge: {"status": 201, "data": ...}) or
 * {"error": {"kind": MLG_E_*, "status": 400, "message": "..."}}, used
 * "times" times (default 1; -1 = every time).  A list is used in order.
 * A call with no answer left fails with MLG_E_HTTP 404 "no recorded
 * answer", and is still listed in the calls.  "find_task" answers both
 * clearml_find_task and head_task; "project_id" also scope_project_id;
 * clearml_call_at takes the "clearml" answers; api_version (default 0,
 * unknown) is what clearml_api_version returns.
 *
 * Calls are listed one per line, in order:
 *   clearml ENDPOINT BODY        (BODY as compact JSON, {} when NULL)
 *   clearml@VERSION ENDPOINT BODY              (clearml_call_at)
 *   head_task COMMIT PROJECT TASK-NAME         (the check's scope)
 *   scope_project_id PROJECT
 *   find_task COMMIT PROJECT TASK-NAME   ("-" for NULL or empty)
 *   project_id NAME CREATE | queue_id NAME
 *   update_tags ID +ADD,... -REMOVE,...
 *   forge METHOD PATH BODY
 *
 * Ownership: every string the kit returns is owned by the kit and valid
 * until mlgt_free() (or the next mlgt_run()).
 */
#ifndef MLGATE_TESTING_H
#define MLGATE_TESTING_H

#include <stddef.h>

#include <mlgate/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One fake host around one plugin. */
struct mlgt;

/* dlopen path and check its descriptor as the runner does (major, the
 * minor it needs, reserved slots, run, name).  Returns the kit or NULL
 * with a one-line reason in err. */
struct mlgt *mlgt_open(const char *path, char *err, size_t errlen);

/* A kit around a descriptor linked into the test itself. */
struct mlgt *mlgt_new(const struct mlg_plugin *plugin);

void mlgt_free(struct mlgt *t);

/* Present the host table of ABI 1.minor (entries appended later NULL,
 * abi_minor and size as that host's).  Default: this header's minor. */
void mlgt_host_minor(struct mlgt *t, unsigned minor);

/* Set an option of the check's section, as conf text (copied); unset
 * options take the descriptor's default. */
void mlgt_option(struct mlgt *t, const char *name, const char *value);

/* Set a [clearml] value (conf_clearml, opt_scope); copied. */
void mlgt_conf_clearml(struct mlgt *t, const char *key, const char *value);

/* The run context the plugin sees, to change before mlgt_run().  Starts
 * as a GitHub pull request (acme/ml-repo #12, head 3f9a1c2...);
 * strings assigned to it are borrowed until mlgt_free(). */
struct mlg_context *mlgt_context(struct mlgt *t);

/* Add recorded answers (see above) from JSON text or a file.  Returns 0,
 * or -1 with a one-line reason in err. */
int mlgt_answers(struct mlgt *t, const char *json, char *err,
                 size_t errlen);
int mlgt_answers_file(struct mlgt *t, const char *path, char *err,
                      size_t errlen);

/* cancelled() becomes true once the plugin made this many clearml
 * calls to endpoint (NULL: any endpoint). */
void mlgt_cancel_after(struct mlgt *t, const char *endpoint, int calls);

/* init, then run once and fini.  Returns the check's status (enum
 * mlg_status; ERROR with init's reason as summary when init failed). */
int mlgt_run(struct mlgt *t);

/* What the last run reported. */
int mlgt_status(const struct mlgt *t);
/* Non-zero when init failed (the summary holds its reason). */
int mlgt_init_failed(const struct mlgt *t);
const char *mlgt_summary(const struct mlgt *t);
const char *mlgt_details(const struct mlgt *t);
/* An output by key, or NULL. */
const char *mlgt_output(struct mlgt *t, const char *key);
/* Annotations, one per line: "LEVEL FILE:LINE MESSAGE". */
const char *mlgt_annotations(const struct mlgt *t);
/* Log lines, one per line: "LEVEL MESSAGE". */
const char *mlgt_log(const struct mlgt *t);
/* The calls made, one per line (see above). */
const char *mlgt_calls(const struct mlgt *t);

#ifdef __cplusplus
}
#endif

#endif /* MLGATE_TESTING_H */
