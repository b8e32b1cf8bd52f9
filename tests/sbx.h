/*
 * sbx.h - test harness for mlgate-sandbox: start it on a scenario, export
 * its URLs and tokens, read its state and request log.
 */
#ifndef MLG_SBX_H
#define MLG_SBX_H

#include <sys/types.h>

struct cJSON;

struct sbx {
    pid_t pid;
    char clearml_api[256], clearml_web[256], github_api[256], gitlab_api[256];
    char dir[4096];      /* private temp dir of this instance */
    char log_path[4096]; /* the sandbox's JSONL request log */
    char off_spec[2048]; /* sbx_off_spec() lines, for check_spec */
};

/* Start $MLG_BUILDDIR/tests/sandbox/mlgate-sandbox on a scenario (a name
 * like "happy" = $MLG_SRCDIR/tests/sandbox/scenarios/happy.json, or a
 * path) with extra args (NULL-terminated, may be NULL); waits for READY.
 * Returns 0 or -1 (message on stderr). */
int sbx_start(struct sbx *s, const char *scenario, const char *const *extra);
/* SIGTERM + waitpid, removes s->dir. */
void sbx_stop(struct sbx *s);
/* setenv CLEARML_API_HOST, CLEARML_WEB_HOST, CLEARML_API_ACCESS_KEY,
 * CLEARML_API_SECRET_KEY, GITHUB_API_URL, GITHUB_TOKEN (write token),
 * CI_API_V4_URL, GITLAB_TOKEN. */
void sbx_export_env(const struct sbx *s);
/* GET /__state; caller cJSON_Delete()s.  NULL on error. */
struct cJSON *sbx_state(const struct sbx *s);
/* The request log as a JSON array; caller cJSON_Delete()s. */
struct cJSON *sbx_log(const struct sbx *s);
/* Requests in the log whose method equals `method` (NULL = any) and whose
 * path contains `path_part` (NULL = any). */
int sbx_count(const struct sbx *s, const char *method, const char *path_part);

/* A request the test sends outside the real APIs on purpose (to reach an
 * error path): tests/check_spec does not judge this sandbox's requests
 * with this method (NULL = any), answer status (0 = any) and path part;
 * why says which error path. */
void sbx_off_spec(struct sbx *s, const char *method, int status,
                  const char *path_part, const char *why);

/* Extras beyond the common contract. */
/* POST JSON text to a sandbox control path ("/__fault", "/__clock").
 * Returns the HTTP status or -1. */
int sbx_post(const struct sbx *s, const char *path, const char *json);

#endif
