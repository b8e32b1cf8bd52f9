/*
 * clearml.h - the ClearML API client (design §8, clearml-api.md §2-§9).
 *
 * Configuration precedence: conf [clearml] > CLEARML_* environment >
 * CLEARML_CONFIG_FILE or ~/clearml.conf.  auth.login happens once in the
 * parent (clearml_login); forked children reuse the token they inherit
 * and re-login once themselves on 401/30.  Calls are POST
 * {api}/v2.23/service.action; errors read
 * "400/101: tasks.get_by_id (Invalid task id: ...)".
 */
#ifndef MLG_CLEARML_H
#define MLG_CLEARML_H

#include "conf.h"
#include "mlgate/plugin.h"

struct cJSON;
struct clearml;

struct clearml_conf {
    char *api_host;   /* no trailing '/' */
    char *web_host;   /* derived per clearml-api.md §7.3 when unset */
    char *access_key; /* secret: registered with log_secret_add */
    char *secret_key; /* secret */
    char *auth_token; /* CLEARML_AUTH_TOKEN, secret */
    int verify;
    char *ca_bundle;
    int allow_http;   /* api_host was configured explicitly */
};

/* Resolve configuration.  sec is the conf's [clearml] section (may be
 * NULL).  Returns 0; -1 with err when a source is malformed.  Missing
 * credentials are not an error here (clearml_new reports them).  Caller
 * frees with clearml_conf_free(). */
int clearml_conf_load(struct clearml_conf *cc, const struct conf_section *sec,
                      struct mlg_error *err);
void clearml_conf_free(struct clearml_conf *cc);

/* Parse the clearml.conf HOCON subset; on success sets the api.* values
 * it found into cc fields that are still NULL.  Exposed for tests and
 * fuzzing. */
int clearml_conf_parse_hocon(const char *text, size_t len,
                             struct clearml_conf *cc, char *err,
                             size_t errlen);

/* Takes nothing from cc (copies).  NULL with err (MLG_E_CONFIG) when no
 * credentials are configured. */
struct clearml *clearml_new(const struct clearml_conf *cc,
                            struct mlg_error *err);
void clearml_free(struct clearml *c);

/* auth.login with Basic credentials (or CLEARML_AUTH_TOKEN as Bearer). */
int clearml_login(struct clearml *c, double deadline, struct mlg_error *err);
/* The API version from the token's api_version claim, e.g. 2.34 -> 234;
 * 0 when unknown. */
int clearml_api_version(const struct clearml *c);

/* POST endpoint.  On success *data is the envelope's data (caller frees
 * with cJSON_Delete).  deadline: absolute now_mono() seconds. */
int clearml_call(struct clearml *c, const char *endpoint,
                 const struct cJSON *body, struct cJSON **data,
                 double deadline, struct mlg_error *err);

struct http_resp;
/* Parse the meta/data envelope of a response to endpoint (url is named in
 * errors).  On 200/200 returns 0 with *data (caller frees with
 * cJSON_Delete; an empty object when absent).  Otherwise -1 with err in
 * the form "CODE/SUBCODE: ENDPOINT (MESSAGE)", or a transport error when
 * the body is not a ClearML envelope.  Used by clearml_call; exposed for
 * fuzzing. */
int clearml_parse_envelope(const struct http_resp *resp, const char *url,
                           const char *endpoint, struct cJSON **data,
                           struct mlg_error *err);
/* One page of tasks.get_all (the envelope's data): sets *task (NULL on
 * entry) to the first clean task (empty script.diff), and *dirty to the
 * first other one before it when *dirty is still NULL (both copies;
 * caller frees).  Returns the number of tasks on the page.
 * Used by clearml_find_task; exposed for fuzzing. */
int clearml_pick_task(const struct cJSON *data, struct cJSON **task,
                      struct cJSON **dirty);

/* The finder behind host->clearml_find_task.  project/task_name may be
 * NULL.  *task (clean) and *dirty are owned by the caller (NULL when
 * none). */
int clearml_find_task(struct clearml *c, const char *commit,
                      const char *project, const char *task_name,
                      struct cJSON **task, struct cJSON **dirty,
                      double deadline, struct mlg_error *err);
/* clearml_find_task with the project scope resolved already: pids is
 * the array of project ids (clearml_project_ids; NULL: no project scope)
 * and extra a NULL-terminated list of only_fields beyond the default
 * ones (or NULL).  Borrows pids and extra; *task and *dirty as
 * clearml_find_task. */
int clearml_find_task_in(struct clearml *c, const char *commit,
                         const struct cJSON *pids, const char *task_name,
                         const char *const *extra, struct cJSON **task,
                         struct cJSON **dirty, double deadline,
                         struct mlg_error *err);
/* Ids of the projects named exactly name (projects.get_all): a cJSON
 * array of id strings, empty when none (caller frees), or NULL with
 * err. */
struct cJSON *clearml_project_ids(struct clearml *c, const char *name,
                                  double deadline, struct mlg_error *err);
/* clearml_call at API version "2.N" (refused with MLG_E_USAGE when N is
 * not a number or is newer than the server's known version). */
int clearml_call_at(struct clearml *c, const char *version,
                    const char *endpoint, const struct cJSON *body,
                    struct cJSON **data, double deadline,
                    struct mlg_error *err);
/* *id: caller frees. */
int clearml_project_id(struct clearml *c, const char *name, int create,
                       char **id, double deadline, struct mlg_error *err);
int clearml_queue_id(struct clearml *c, const char *name, char **id,
                     double deadline, struct mlg_error *err);
int clearml_update_tags(struct clearml *c, const char *task_id,
                        const char *const *add, const char *const *remove,
                        double deadline, struct mlg_error *err);
/* Caller frees. */
char *clearml_task_url(const struct clearml *c, const char *project_id,
                       const char *task_id, const char *tab);
/* The web host in use (borrowed). */
const char *clearml_web_host(const struct clearml *c);

/* Escape s for use inside a ClearML (Python re) regex.  Caller frees. */
char *clearml_regex_escape(const char *s);

/* Connections opened so far (tests: keep-alive). */
long clearml_connects(const struct clearml *c);

#endif
