/*
 * host.c - the services table of sdk/mlgate/plugin.h, implemented for one
 * check running in its own child process: options, context, the ClearML
 * and forge clients (with --dry-run refusals and the check's deadline),
 * result building, masked logging, time and cancellation.
 */
#include <config.h>

#include "host.h"

#include "clearml.h"
#include "endpoint.h"
#include "facts.h"
#include "forge.h"
#include "http.h"
#include "log.h"
#include "markdown.h"
#include "utf8.h"
#include "validate.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Details beyond this are cut: the result must fit the parent's cap. */
#define HOST_MAX_DETAILS (6u * 1024 * 1024)
#define HOST_MAX_ANNOTS 1000
#define HOST_MAX_OUTPUTS 1000
#define HOST_SUMMARY_MAX 300

/* Set by SIGTERM/SIGINT/SIGHUP in the child; the pipe wakes host->sleep.
 * host_cancel_sig: the first signal (SIGINT: the run was cancelled, a
 * short cleanup budget). */
static volatile sig_atomic_t host_cancel_flag;
static volatile sig_atomic_t host_cancel_sig;
static int host_wake[2] = {-1, -1};

struct mlg_check {
    const struct host_env *env;
    const struct host_spec *sp;
    struct mlg_context mctx;
    int status;
    int result_set;
    char *summary;
    struct buf details;
    int details_cut;
    struct result_annot *annots;
    size_t nannots;
    struct result_kv *outputs;
    size_t noutputs;
    cJSON **trees;      /* JSON arena, freed after run() */
    size_t ntrees;
    char **strs;        /* string arena, freed after run() */
    size_t nstrs;
    double cancel_deadline; /* deadline for cleanup once cancelled */
    const cJSON *scope_pids; /* the scope's project ids looked up live by
                                this check (in the arena), or NULL */
};

static void host_on_signal(int sig)
{
    int saved = errno;
    ssize_t w;

    /* SIGINT (the run is cancelled) shortens a cleanup already begun. */
    if (!host_cancel_flag || sig == SIGINT)
        host_cancel_sig = sig;
    host_cancel_flag = 1;
    http_interrupt();
    if (host_wake[1] >= 0)
        w = write(host_wake[1], "x", 1);
    (void)w;
    errno = saved;
}

void host_child_signals(void)
{
    struct sigaction sa;
    int i;

    host_cancel_flag = 0;
    host_cancel_sig = 0;
    if (host_wake[0] < 0 && pipe(host_wake) == 0)
        for (i = 0; i < 2; i++) {
            fcntl(host_wake[i], F_SETFL,
                  fcntl(host_wake[i], F_GETFL) | O_NONBLOCK);
            fcntl(host_wake[i], F_SETFD, FD_CLOEXEC);
        }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = host_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &sa, NULL);
    /* A closed pipe is an error to report, not a death. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    http_set_wake_fd(host_wake[0]);
}

char *host_one_line(const char *s)
{
    struct buf b = {0};
    const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
    size_t n;

    for (; *p != '\0'; p++)
        buf_addc(&b, (*p < 0x20 || *p == 0x7f) ? ' ' : (char)*p);
    if (b.len > HOST_SUMMARY_MAX) {
        n = HOST_SUMMARY_MAX;
        /* Back up to the start of a UTF-8 sequence. */
        while (n > 0 && ((unsigned char)b.p[n] & 0xC0) == 0x80)
            n--;
        b.p[n] = '\0';
        b.len = n;
    }
    return buf_take(&b);
}

/* The declared option called name, or NULL. */
static const struct mlg_option *host_opt(struct mlg_check *ck,
                                         const char *name)
{
    const struct mlg_option *o = ck->sp->plugin->d.options;

    for (; name != NULL && o != NULL && o->name != NULL; o++)
        if (strcmp(o->name, name) == 0)
            return o;
    return NULL;
}

static const char *host_opt_str(struct mlg_check *ck, const char *name)
{
    const struct mlg_option *o = host_opt(ck, name);
    const char *v;

    if (o == NULL)
        return NULL;
    v = conf_get(ck->sp->sec, name);
    return v != NULL ? v : o->def;
}

static long long host_opt_int(struct mlg_check *ck, const char *name,
                              long long def)
{
    const char *v = host_opt_str(ck, name);
    long long out;

    if (host_opt(ck, name) == NULL)
        return 0; /* undeclared: plugin.h says 0 */
    return v != NULL && conf_parse_int(v, &out) == 0 ? out : def;
}

static double host_opt_number(struct mlg_check *ck, const char *name,
                              double def)
{
    const char *v = host_opt_str(ck, name);
    double out;

    if (host_opt(ck, name) == NULL)
        return 0; /* undeclared: plugin.h says 0 */
    return v != NULL && conf_parse_number(v, &out) == 0 ? out : def;
}

static int host_opt_bool(struct mlg_check *ck, const char *name, int def)
{
    const char *v = host_opt_str(ck, name);
    int out;

    if (host_opt(ck, name) == NULL)
        return 0; /* undeclared: plugin.h says 0 */
    return v != NULL && conf_parse_bool(v, &out) == 0 ? out : def;
}

static double host_opt_duration(struct mlg_check *ck, const char *name,
                                double def)
{
    const char *v = host_opt_str(ck, name);
    double out;

    if (host_opt(ck, name) == NULL)
        return 0; /* undeclared: plugin.h says 0 */
    return v != NULL && conf_parse_duration(v, &out) == 0 ? out : def;
}

static const char *host_conf_clearml(struct mlg_check *ck, const char *key)
{
    if (key == NULL)
        return NULL;
    return conf_get(conf_find(ck->env->conf, "clearml"), key);
}

const char *host_scope(const struct conf *c, const struct conf_section *sec,
                       const struct plugin *p, const char *key)
{
    const struct mlg_option *o = p->d.options;
    const char *v = NULL;

    for (; key != NULL && o != NULL && o->name != NULL; o++)
        if (strcmp(o->name, key) == 0) {
            v = conf_get(sec, key);
            if (v == NULL)
                v = o->def;
            break;
        }
    if (v == NULL && key != NULL)
        v = conf_get(conf_find(c, "clearml"), key);
    return v != NULL && *v != '\0' ? v : NULL;
}

static const char *host_opt_scope(struct mlg_check *ck, const char *key)
{
    return host_scope(ck->env->conf, ck->sp->sec, ck->sp->plugin, key);
}

static const struct mlg_context *host_context(struct mlg_check *ck)
{
    return &ck->mctx;
}

static int host_cancelled(struct mlg_check *ck)
{
    (void)ck;
    return host_cancel_flag != 0;
}

/* The deadline for calls: the check's, or after cancellation the grace
 * period from the moment it was noticed, so cleanup calls still work. */
static double host_deadline(struct mlg_check *ck)
{
    if (host_cancel_flag) {
        double g = ck->env->grace, now = now_mono();

        if (host_cancel_sig == SIGINT && g > HOST_CANCEL_BUDGET)
            g = HOST_CANCEL_BUDGET;
        if (ck->cancel_deadline == 0 || ck->cancel_deadline > now + g)
            ck->cancel_deadline = now + g;
        return ck->cancel_deadline;
    }
    return ck->sp->deadline;
}

static double host_remaining(struct mlg_check *ck)
{
    double left;

    if (host_cancel_flag)
        return 0;
    left = ck->sp->deadline - now_mono();
    return left > 0 ? left : 0;
}

static int host_sleep(struct mlg_check *ck, double seconds)
{
    double end = now_mono() + (seconds > 0 ? seconds : 0);
    char drain[64];

    (void)ck;
    while (!host_cancel_flag) {
        double left = end - now_mono();
        struct pollfd pfd;
        int ms;

        if (left <= 0)
            return 0;
        ms = left > 1000 ? 1000000 : (int)(left * 1000) + 1;
        pfd.fd = host_wake[0];
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, host_wake[0] >= 0 ? 1 : 0, ms) > 0)
            while (read(host_wake[0], drain, sizeof(drain)) > 0)
                ;
    }
    return 1;
}

static void host_keep_tree(struct mlg_check *ck, cJSON *t)
{
    if (t == NULL)
        return;
    ck->trees = xrealloc(ck->trees, (ck->ntrees + 1) * sizeof(*ck->trees));
    ck->trees[ck->ntrees++] = t;
}

/* Takes ownership of s; returns it (borrowed by the plugin). */
static const char *host_keep_str(struct mlg_check *ck, char *s)
{
    if (s == NULL)
        return NULL;
    ck->strs = xrealloc(ck->strs, (ck->nstrs + 1) * sizeof(*ck->strs));
    ck->strs[ck->nstrs++] = s;
    return s;
}

static void host_arena_free(struct mlg_check *ck)
{
    size_t i;

    for (i = 0; i < ck->ntrees; i++)
        cJSON_Delete(ck->trees[i]);
    free(ck->trees);
    ck->trees = NULL;
    ck->ntrees = 0;
    for (i = 0; i < ck->nstrs; i++)
        free(ck->strs[i]);
    free(ck->strs);
    ck->strs = NULL;
    ck->nstrs = 0;
    ck->scope_pids = NULL;
}

static void host_json_release(struct mlg_check *ck, const struct cJSON *t)
{
    size_t i;

    for (i = 0; t != NULL && i < ck->ntrees; i++)
        if (ck->trees[i] == t) {
            cJSON_Delete(ck->trees[i]);
            ck->trees[i] = ck->trees[--ck->ntrees];
            return;
        }
}

/* The ClearML client, or -1 with the reason it is missing. */
static int host_need_clearml(struct mlg_check *ck, struct mlg_error *err)
{
    if (ck->env->clearml != NULL)
        return 0;
    if (err != NULL) {
        if (ck->env->clearml_err.kind != MLG_E_NONE)
            *err = ck->env->clearml_err;
        else
            log_seterr(err, MLG_E_CONFIG, 0, 0,
                       "ClearML is not configured: set CLEARML_API_HOST, "
                       "CLEARML_API_ACCESS_KEY and CLEARML_API_SECRET_KEY "
                       "(or ~/clearml.conf)");
    }
    return -1;
}

/* How many bytes of the plugin's struct mlg_error the host may write:
 * the 1.0 fields, or the struct_size a 1.2 plugin stamped (clamped). */
static size_t host_err_size(const struct mlg_check *ck,
                            const struct mlg_error *err)
{
    size_t base = offsetof(struct mlg_error, struct_size);

    if (ck->sp->plugin->d.abi_minor < 2 || err->struct_size < base)
        return base;
    return err->struct_size < sizeof(*err) ? err->struct_size
                                           : sizeof(*err);
}

/* Hand the host's error to the plugin's struct, never past its size. */
static void host_err_out(const struct mlg_check *ck, struct mlg_error *out,
                         const struct mlg_error *e)
{
    if (out != NULL && e->kind != MLG_E_NONE)
        memcpy(out, e, host_err_size(ck, out));
}

/* The plugin's text (borrowed for the call), valid UTF-8; kept in the
 * string arena until run() returns. */
static const char *host_in(struct mlg_check *ck, const char *s)
{
    if (s == NULL || utf8_valid(s))
        return s;
    return host_keep_str(ck, utf8_clean(s));
}

/* A NULL-terminated array of the plugin's strings, valid UTF-8; the copy
 * lives in the arena. */
static const char *const *host_in_list(struct mlg_check *ck,
                                       const char *const *v)
{
    const char **out;
    size_t n, i;

    if (v == NULL)
        return NULL;
    for (n = 0; v[n] != NULL; n++)
        ;
    out = xcalloc(n + 1, sizeof(*out));
    for (i = 0; i < n; i++)
        out[i] = host_in(ck, v[i]);
    host_keep_str(ck, (char *)out);
    return out;
}

/* A request body with every string valid UTF-8: body itself when it is,
 * else a cleaned copy in the JSON arena. */
static const cJSON *host_in_json(struct mlg_check *ck, const cJSON *body)
{
    cJSON *c;

    if (body == NULL)
        return NULL;
    c = utf8_clean_json(body);
    host_keep_tree(ck, c);
    return c;
}

/* version NULL: the default 2.23 of clearml_call. */
static int host_clearml_call_in(struct mlg_check *ck, const char *version,
                                const char *endpoint,
                                const struct cJSON *body,
                                const struct cJSON **data,
                                struct mlg_error *err)
{
    cJSON *out = NULL;

    if (data != NULL)
        *data = NULL;
    /* Malformed is refused before the dry-run rule, as without it. */
    if (!endpoint_ok(endpoint)) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "bad ClearML endpoint '%s': "
                   "not service.action",
                   endpoint != NULL ? host_in(ck, endpoint) : "(null)");
        return -1;
    }
    if (host_need_clearml(ck, err) != 0)
        return -1;
    body = host_in_json(ck, body);
    if (ck->env->dry_run && !endpoint_is_read(endpoint)) {
        log_seterr(err, MLG_E_DRYRUN, 0, 0, "dry run: would call %s",
                   endpoint);
        return -1;
    }
    if ((version == NULL
         ? clearml_call(ck->env->clearml, endpoint, body, &out,
                        host_deadline(ck), err)
         : clearml_call_at(ck->env->clearml, host_in(ck, version), endpoint,
                           body, &out, host_deadline(ck), err)) != 0)
        return -1;
    host_keep_tree(ck, out);
    if (data != NULL)
        *data = out;
    return 0;
}

/* A finder's answer into *found, the trees kept in the arena (taken). */
static void host_found(struct mlg_check *ck, struct mlg_task_found *found,
                       cJSON *task, cJSON *dirty)
{
    host_keep_tree(ck, task);
    host_keep_tree(ck, dirty);
    found->task = task;
    found->dirty = dirty;
}

static int host_clearml_find_task_in(struct mlg_check *ck,
                                  const struct mlg_task_query *q,
                                  struct mlg_task_found *found,
                                  struct mlg_error *err)
{
    const char *commit = NULL, *project = NULL, *task_name = NULL;
    cJSON *task = NULL, *dirty = NULL;

    if (found != NULL) {
        found->task = NULL;
        found->dirty = NULL;
    }
    if (found == NULL) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "clearml_find_task: found is NULL");
        return -1;
    }
    if (host_need_clearml(ck, err) != 0)
        return -1;
    /* Read only the fields the plugin's struct has. */
    if (q != NULL && q->size >= offsetof(struct mlg_task_query, commit) +
        sizeof(q->commit))
        commit = q->commit;
    if (q != NULL && q->size >= offsetof(struct mlg_task_query, project) +
        sizeof(q->project))
        project = q->project;
    if (q != NULL && q->size >= offsetof(struct mlg_task_query, task_name) +
        sizeof(q->task_name))
        task_name = q->task_name;
    if (commit == NULL || *commit == '\0')
        commit = ck->mctx.head_sha;
    if (project != NULL && *project == '\0')
        project = NULL;
    if (task_name != NULL && *task_name == '\0')
        task_name = NULL;
    if (clearml_find_task(ck->env->clearml, host_in(ck, commit),
                          host_in(ck, project), host_in(ck, task_name),
                          &task, &dirty, host_deadline(ck), err) != 0)
        return -1;
    host_found(ck, found, task, dirty);
    return 0;
}

static int host_clearml_project_id_in(struct mlg_check *ck, const char *name,
                                   int create, const char **id,
                                   struct mlg_error *err)
{
    char *out = NULL;

    if (id != NULL)
        *id = NULL;
    if (name == NULL || id == NULL) {
        log_seterr(err, MLG_E_USAGE, 0, 0,
                   "clearml_project_id: NULL argument");
        return -1;
    }
    if (host_need_clearml(ck, err) != 0)
        return -1;
    if (create && ck->env->dry_run) {
        /* Creating is a write: look up only. */
        create = 0;
    }
    if (clearml_project_id(ck->env->clearml, host_in(ck, name), create, &out,
                           host_deadline(ck), err) != 0)
        return -1;
    *id = host_keep_str(ck, out);
    return 0;
}

static int host_clearml_queue_id_in(struct mlg_check *ck, const char *name,
                                 const char **id, struct mlg_error *err)
{
    char *out = NULL;

    if (id != NULL)
        *id = NULL;
    if (name == NULL || id == NULL) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "clearml_queue_id: NULL argument");
        return -1;
    }
    if (host_need_clearml(ck, err) != 0)
        return -1;
    if (clearml_queue_id(ck->env->clearml, host_in(ck, name), &out,
                         host_deadline(ck),
                         err) != 0)
        return -1;
    *id = host_keep_str(ck, out);
    return 0;
}

static int host_clearml_update_tags_in(struct mlg_check *ck,
                                    const char *task_id,
                                    const char *const *add,
                                    const char *const *remove,
                                    struct mlg_error *err)
{
    if (task_id == NULL) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "clearml_update_tags: no task id");
        return -1;
    }
    if (host_need_clearml(ck, err) != 0)
        return -1;
    if (ck->env->dry_run) {
        log_seterr(err, MLG_E_DRYRUN, 0, 0,
                   "dry run: would update the tags of "
                   "task %s", task_id);
        return -1;
    }
    return clearml_update_tags(ck->env->clearml, host_in(ck, task_id),
                               host_in_list(ck, add),
                               host_in_list(ck, remove), host_deadline(ck),
                               err);
}

static const char *host_clearml_task_url(struct mlg_check *ck,
                                         const char *project_id,
                                         const char *task_id,
                                         const char *tab)
{
    if (ck->env->clearml == NULL || task_id == NULL)
        return NULL;
    return host_keep_str(ck, clearml_task_url(ck->env->clearml, project_id,
                                              task_id, tab));
}

static int host_forge_call_in(struct mlg_check *ck, const char *method,
                           const char *path, const struct cJSON *body,
                           int *status, const struct cJSON **data,
                           struct mlg_error *err)
{
    cJSON *out = NULL;
    int st = 0;

    if (status != NULL)
        *status = 0;
    if (data != NULL)
        *data = NULL;
    if (method == NULL || path == NULL) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "forge_call: NULL method or path");
        return -1;
    }
    if (ck->env->forge == NULL) {
        if (err != NULL && ck->env->forge_err.kind != MLG_E_NONE)
            *err = ck->env->forge_err;
        else
            log_seterr(err, MLG_E_CONFIG, 0, 0, "the forge is not configured "
                       "(no GitHub or GitLab context or token)");
        return -1;
    }
    if (ck->env->dry_run && strcmp(method, "GET") != 0) {
        log_seterr(err, MLG_E_DRYRUN, 0, 0, "dry run: would %s %s",
                   host_in(ck, method), host_in(ck, path));
        return -1;
    }
    if (forge_call(ck->env->forge, host_in(ck, method), host_in(ck, path),
                   host_in_json(ck, body), &st, &out,
                   host_deadline(ck), err) != 0)
        return -1;
    host_keep_tree(ck, out);
    if (status != NULL)
        *status = st;
    if (data != NULL)
        *data = out;
    return 0;
}

/* The entries the plugin sees: the host fills its own struct mlg_error
 * and copies only what the plugin's struct has room for. */
static int host_clearml_call(struct mlg_check *ck, const char *endpoint,
                             const struct cJSON *body,
                             const struct cJSON **data,
                             struct mlg_error *err)
{
    struct mlg_error e = MLG_ERROR_INIT;
    int rc = host_clearml_call_in(ck, NULL, endpoint, body, data, &e);

    host_err_out(ck, err, &e);
    return rc;
}

static int host_clearml_call_at(struct mlg_check *ck, const char *version,
                                const char *endpoint,
                                const struct cJSON *body,
                                const struct cJSON **data,
                                struct mlg_error *err)
{
    struct mlg_error e = MLG_ERROR_INIT;
    int rc;

    if (version == NULL) {
        if (data != NULL)
            *data = NULL;
        log_seterr(&e, MLG_E_USAGE, 0, 0, "clearml_call_at: no version");
        rc = -1;
    } else {
        rc = host_clearml_call_in(ck, version, endpoint, body, data, &e);
    }
    host_err_out(ck, err, &e);
    return rc;
}

static int host_clearml_api_version(struct mlg_check *ck)
{
    return ck->env->clearml != NULL ? clearml_api_version(ck->env->clearml)
                                    : 0;
}

/* This check's run-facts scope when its plugin declared what it reads
 * (the runner's lookup then carried its head_fields), planned and tried
 * by the runner; else NULL and the entries look up live. */
static const struct facts_scope *host_facts(struct mlg_check *ck,
                                            int want_task)
{
    uint32_t flags = ck->sp->plugin->d.flags;
    const struct facts_scope *s;

    if (!(flags & MLG_PLUGIN_USES_HEAD_TASK) &&
        (want_task || !(flags & MLG_PLUGIN_USES_PROJECT)))
        return NULL;
    s = facts_get(ck->env->facts, host_opt_scope(ck, "project"),
                  host_opt_scope(ck, "task-name"));
    if (s == NULL || s->resolved == 0 || (want_task && !s->want_task))
        return NULL;
    return s;
}

/* The ids of this check's scope project, or NULL for no project scope:
 * from the run facts, else looked up now.  *pids is borrowed (facts) or
 * kept in the arena.  Returns 0, or -1 with err. */
static int host_scope_pids(struct mlg_check *ck, const cJSON **pids,
                           struct mlg_error *err)
{
    const struct facts_scope *s = host_facts(ck, 0);
    const char *project = host_opt_scope(ck, "project");
    cJSON *out;

    *pids = NULL;
    if (s != NULL) {
        if (s->resolved < 0 && s->pids == NULL) {
            *err = s->err;
            return -1;
        }
        *pids = s->pids;
        return 0;
    }
    if (project == NULL)
        return 0;
    /* head_task and scope_project_id of one run() share one lookup. */
    if (ck->scope_pids == NULL) {
        out = clearml_project_ids(ck->env->clearml, project,
                                  host_deadline(ck), err);
        if (out == NULL)
            return -1;
        host_keep_tree(ck, out);
        ck->scope_pids = out;
    }
    *pids = ck->scope_pids;
    return 0;
}

static int host_head_task_in(struct mlg_check *ck,
                             struct mlg_task_found *found,
                             struct mlg_error *err)
{
    const struct facts_scope *s;
    const cJSON *pids = NULL;
    cJSON *task = NULL, *dirty = NULL;

    if (found == NULL) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "head_task: found is NULL");
        return -1;
    }
    found->task = NULL;
    found->dirty = NULL;
    if (host_need_clearml(ck, err) != 0)
        return -1;
    if (!validate_sha(ck->mctx.head_sha)) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "head_task: the run has no "
                   "head commit SHA");
        return -1;
    }
    s = host_facts(ck, 1);
    if (s != NULL) {
        if (s->resolved < 0) {
            *err = s->err;
            return -1;
        }
        found->task = s->task;
        found->dirty = s->dirty;
        return 0;
    }
    if (host_scope_pids(ck, &pids, err) != 0)
        return -1;
    if (pids != NULL && cJSON_GetArraySize(pids) == 0)
        return 0; /* no such project: no task */
    if (clearml_find_task_in(ck->env->clearml, ck->mctx.head_sha, pids,
                             host_opt_scope(ck, "task-name"),
                             ck->sp->plugin->d.head_fields, &task, &dirty,
                             host_deadline(ck), err) != 0)
        return -1;
    host_found(ck, found, task, dirty);
    return 0;
}

static int host_head_task(struct mlg_check *ck, struct mlg_task_found *found,
                          struct mlg_error *err)
{
    struct mlg_error e = MLG_ERROR_INIT;
    int rc = host_head_task_in(ck, found, &e);

    host_err_out(ck, err, &e);
    return rc;
}

static int host_scope_project_id_in(struct mlg_check *ck, const char **id,
                                    struct mlg_error *err)
{
    const cJSON *pids = NULL;
    const char *project = host_opt_scope(ck, "project");

    if (id == NULL) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "scope_project_id: id is NULL");
        return -1;
    }
    *id = NULL;
    if (project == NULL)
        return 0;
    if (host_need_clearml(ck, err) != 0 ||
        host_scope_pids(ck, &pids, err) != 0)
        return -1;
    if (!cJSON_IsString(cJSON_GetArrayItem(pids, 0))) {
        log_seterr(err, MLG_E_USAGE, 0, 0, "clearml: no project named "
                   "\"%s\"", project);
        return -1;
    }
    *id = cJSON_GetArrayItem(pids, 0)->valuestring;
    return 0;
}

static int host_scope_project_id(struct mlg_check *ck, const char **id,
                                 struct mlg_error *err)
{
    struct mlg_error e = MLG_ERROR_INIT;
    int rc = host_scope_project_id_in(ck, id, &e);

    host_err_out(ck, err, &e);
    return rc;
}

static int host_clearml_find_task(struct mlg_check *ck,
                                  const struct mlg_task_query *q,
                                  struct mlg_task_found *found,
                                  struct mlg_error *err)
{
    struct mlg_error e = MLG_ERROR_INIT;
    int rc = host_clearml_find_task_in(ck, q, found, &e);

    host_err_out(ck, err, &e);
    return rc;
}

static int host_clearml_project_id(struct mlg_check *ck, const char *name,
                                   int create, const char **id,
                                   struct mlg_error *err)
{
    struct mlg_error e = MLG_ERROR_INIT;
    int rc = host_clearml_project_id_in(ck, name, create, id, &e);

    host_err_out(ck, err, &e);
    return rc;
}

static int host_clearml_queue_id(struct mlg_check *ck, const char *name,
                                 const char **id, struct mlg_error *err)
{
    struct mlg_error e = MLG_ERROR_INIT;
    int rc = host_clearml_queue_id_in(ck, name, id, &e);

    host_err_out(ck, err, &e);
    return rc;
}

static int host_clearml_update_tags(struct mlg_check *ck,
                                    const char *task_id,
                                    const char *const *add,
                                    const char *const *remove,
                                    struct mlg_error *err)
{
    struct mlg_error e = MLG_ERROR_INIT;
    int rc = host_clearml_update_tags_in(ck, task_id, add, remove, &e);

    host_err_out(ck, err, &e);
    return rc;
}

static int host_forge_call(struct mlg_check *ck, const char *method,
                           const char *path, const struct cJSON *body,
                           int *status, const struct cJSON **data,
                           struct mlg_error *err)
{
    struct mlg_error e = MLG_ERROR_INIT;
    int rc = host_forge_call_in(ck, method, path, body, status, data, &e);

    host_err_out(ck, err, &e);
    return rc;
}

/* The plugin's formatted text, valid UTF-8.  Caller frees. */
static char *host_vformat(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

static char *host_vformat(const char *fmt, va_list ap)
{
    char *s = xvasprintf(fmt, ap);
    char *c;

    if (utf8_valid(s))
        return s;
    c = utf8_clean(s);
    free(s);
    return c;
}

static void host_vresult(struct mlg_check *ck, int status, const char *fmt,
                         va_list ap) __attribute__((format(printf, 3, 0)));

static void host_vresult(struct mlg_check *ck, int status, const char *fmt,
                         va_list ap)
{
    char *s;

    if (status < MLG_PASS || status > MLG_SKIP) {
        ck->status = MLG_ERROR;
        free(ck->summary);
        ck->summary = xasprintf("plugin reported an invalid status %d",
                                status);
        ck->result_set = 1;
        return;
    }
    s = fmt != NULL ? host_vformat(fmt, ap) : NULL;
    free(ck->summary);
    ck->summary = host_one_line(s);
    free(s);
    ck->status = status;
    ck->result_set = 1;
}

static void host_result(struct mlg_check *ck, int status, const char *fmt,
                        ...) __attribute__((format(printf, 3, 4)));

static void host_result(struct mlg_check *ck, int status, const char *fmt,
                        ...)
{
    va_list ap;

    va_start(ap, fmt);
    host_vresult(ck, status, fmt, ap);
    va_end(ap);
}

static void host_vdetail(struct mlg_check *ck, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void host_vdetail(struct mlg_check *ck, const char *fmt, va_list ap)
{
    char *s;
    size_t n;

    if (fmt == NULL || ck->details_cut)
        return;
    s = host_vformat(fmt, ap);
    n = strlen(s);
    if (ck->details.len + n > HOST_MAX_DETAILS) {
        n = HOST_MAX_DETAILS - ck->details.len;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        buf_add(&ck->details, s, n);
        buf_adds(&ck->details, "\n\n*(details cut: too long)*\n");
        ck->details_cut = 1;
    } else {
        buf_add(&ck->details, s, n);
    }
    free(s);
}

static void host_detail(struct mlg_check *ck, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void host_detail(struct mlg_check *ck, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    host_vdetail(ck, fmt, ap);
    va_end(ap);
}

static const char *host_md_escape(struct mlg_check *ck, const char *text,
                                  int mode)
{
    return host_keep_str(ck, md_escape(text != NULL ? host_in(ck, text)
                                                    : "", mode));
}

static void host_vannotate(struct mlg_check *ck, int level,
                           const char *file, long line, const char *fmt,
                           va_list ap)
    __attribute__((format(printf, 5, 0)));

static void host_vannotate(struct mlg_check *ck, int level,
                           const char *file, long line, const char *fmt,
                           va_list ap)
{
    struct result_annot *a;
    char *s;

    if (fmt == NULL || ck->nannots >= HOST_MAX_ANNOTS)
        return;
    s = host_vformat(fmt, ap);
    ck->annots = xrealloc(ck->annots,
                          (ck->nannots + 1) * sizeof(*ck->annots));
    a = &ck->annots[ck->nannots++];
    a->level = level < MLG_ANNOT_NOTICE || level > MLG_ANNOT_ERROR
        ? MLG_ANNOT_WARNING : level;
    a->file = file != NULL && *file != '\0' ? utf8_clean(file) : NULL;
    a->line = line > 0 ? line : 0;
    a->message = s;
}

static void host_annotate(struct mlg_check *ck, int level, const char *file,
                          long line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void host_annotate(struct mlg_check *ck, int level, const char *file,
                          long line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    host_vannotate(ck, level, file, line, fmt, ap);
    va_end(ap);
}

static void host_output(struct mlg_check *ck, const char *key,
                        const char *value)
{
    size_t i;

    if (key == NULL || *key == '\0')
        return;
    key = host_in(ck, key);
    value = host_in(ck, value != NULL ? value : "");
    for (i = 0; i < ck->noutputs; i++)
        if (strcmp(ck->outputs[i].key, key) == 0) {
            free(ck->outputs[i].value);
            ck->outputs[i].value = xstrdup(value);
            return;
        }
    if (ck->noutputs >= HOST_MAX_OUTPUTS)
        return;
    ck->outputs = xrealloc(ck->outputs,
                           (ck->noutputs + 1) * sizeof(*ck->outputs));
    ck->outputs[ck->noutputs].key = xstrdup(key);
    ck->outputs[ck->noutputs].value = xstrdup(value);
    ck->noutputs++;
}

static void host_vlog(struct mlg_check *ck, int level, const char *fmt,
                      va_list ap) __attribute__((format(printf, 3, 0)));

static void host_vlog(struct mlg_check *ck, int level, const char *fmt,
                      va_list ap)
{
    char *s;

    if (fmt == NULL)
        return;
    if (level < MLG_LOG_ERROR)
        level = MLG_LOG_ERROR;
    if (level > MLG_LOG_DEBUG)
        level = MLG_LOG_DEBUG;
    s = host_vformat(fmt, ap);
    log_msg(level, ck->sp->name, "%s", s);
    free(s);
}

static void host_log(struct mlg_check *ck, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void host_log(struct mlg_check *ck, int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    host_vlog(ck, level, fmt, ap);
    va_end(ap);
}

static const struct mlg_host host_table = {
    MLG_ABI_MAJOR,
    MLG_ABI_MINOR,
    sizeof(struct mlg_host),
    0,
    host_opt_str,
    host_opt_int,
    host_opt_number,
    host_opt_bool,
    host_opt_duration,
    host_conf_clearml,
    host_context,
    host_clearml_call,
    host_clearml_find_task,
    host_clearml_project_id,
    host_clearml_queue_id,
    host_clearml_update_tags,
    host_clearml_task_url,
    host_forge_call,
    host_json_release,
    host_result,
    host_detail,
    host_md_escape,
    host_annotate,
    host_output,
    host_log,
    host_remaining,
    host_cancelled,
    host_sleep,
    host_opt_scope,
    host_vresult,
    host_vdetail,
    host_vannotate,
    host_vlog,
    host_head_task,
    host_scope_project_id,
    host_clearml_call_at,
    host_clearml_api_version
};

void host_table_as(unsigned minor, struct mlg_host *out)
{
    size_t size = sizeof(*out);

    if (minor < 1)
        size = offsetof(struct mlg_host, opt_scope);
    else if (minor < 2)
        size = offsetof(struct mlg_host, vresult);
    else if (minor < 3)
        size = offsetof(struct mlg_host, head_task);
    memset(out, 0, sizeof(*out));
    memcpy(out, &host_table, size);
    out->abi_minor = minor < MLG_ABI_MINOR ? minor : MLG_ABI_MINOR;
    out->size = (uint32_t)size;
}

static void host_fill_context(struct mlg_check *ck)
{
    const struct run_context *c = ck->env->ctx;
    struct mlg_context *m = &ck->mctx;
    static const char empty[] = "";

    memset(m, 0, sizeof(*m));
    m->size = sizeof(*m);
    m->forge = c != NULL && c->forge != NULL ? c->forge : "none";
    m->event = c != NULL && c->event != NULL ? c->event : empty;
    m->repo = c != NULL && c->repo != NULL ? c->repo : empty;
    m->pr = c != NULL ? c->pr : 0;
    m->head_sha = c != NULL && c->head_sha != NULL ? c->head_sha : empty;
    m->head_ref = c != NULL && c->head_ref != NULL ? c->head_ref : empty;
    m->head_repo = c != NULL && c->head_repo != NULL ? c->head_repo : empty;
    m->head_clone_url = c != NULL && c->head_clone_url != NULL
        ? c->head_clone_url : empty;
    m->base_ref = c != NULL && c->base_ref != NULL ? c->base_ref : empty;
    m->is_fork = c != NULL ? c->is_fork : 0;
    m->run_url = c != NULL && c->run_url != NULL ? c->run_url : empty;
    m->dry_run = ck->env->dry_run;
    m->verbose = ck->env->verbose;
    m->check_name = ck->sp->name;
    m->workdir = ".";
}

void host_run_check(const struct host_env *env, const struct host_spec *sp,
                    struct check_result *r)
{
    struct mlg_check ck;
    const struct mlg_plugin *d = &sp->plugin->d;
    char errbuf[MLG_ERROR_SIZE];
    struct mlg_error e;
    void *state = NULL;
    char *workdir = NULL;
    int rc;

    memset(&ck, 0, sizeof(ck));
    memset(r, 0, sizeof(*r));
    ck.env = env;
    ck.sp = sp;
    ck.status = MLG_ERROR;
    host_fill_context(&ck);
    workdir = getcwd(NULL, 0);
    if (workdir != NULL)
        ck.mctx.workdir = workdir;
    if ((d->flags & MLG_PLUGIN_NEEDS_PR) && ck.mctx.pr == 0) {
        ck.status = MLG_SKIP;
        ck.summary = xstrdup("not applicable: this run has no pull request");
        goto out;
    }
    if ((d->flags & MLG_PLUGIN_NEEDS_CLEARML) &&
        host_need_clearml(&ck, &e) != 0) {
        ck.status = MLG_ERROR;
        ck.summary = host_one_line(e.message);
        goto out;
    }
    memset(errbuf, 0, sizeof(errbuf));
    if (d->init != NULL) {
        rc = d->init(env->table != NULL ? env->table : &host_table, &ck,
                     &state, errbuf);
        if (rc != 0) {
            errbuf[sizeof(errbuf) - 1] = '\0';
            ck.status = MLG_ERROR;
            free(ck.summary);
            ck.summary = host_one_line(*errbuf != '\0'
                                       ? errbuf : "init failed");
            goto out;
        }
    }
    rc = d->run(state, &ck);
    if (!ck.result_set) {
        if (rc < MLG_PASS || rc > MLG_SKIP) {
            ck.status = MLG_ERROR;
            ck.summary = xasprintf("plugin returned an invalid status %d",
                                   rc);
        } else {
            ck.status = rc;
        }
    }
    host_arena_free(&ck);
    if (d->fini != NULL)
        d->fini(state);
out:
    host_arena_free(&ck);
    r->name = xstrdup(sp->name);
    r->plugin = xstrdup(d->name);
    r->status = ck.status;
    r->summary = ck.summary != NULL ? ck.summary : xstrdup("");
    r->details = buf_take(&ck.details);
    r->annots = ck.annots;
    r->nannots = ck.nannots;
    r->outputs = ck.outputs;
    r->noutputs = ck.noutputs;
    free(workdir);
}
