/*
 * remote-run.c - the remote-run check: create a ClearML task from the PR
 * head, enqueue it, follow it within bounds, and stop and archive it on
 * every way out.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "mlgate/plugin.h"
#include "mlgate/plugin-util.h"

#define RR_VERSION "1.0"
#define RR_PROGRESS_EVERY 60.0 /* seconds between unchanged progress lines */
#define RR_LOG_LINES 20
#define RR_MAX_POLL_ERRORS 5  /* consecutive failed polls before giving up */
#define RR_CLEANUP_TRIES 3    /* attempts at each stop and archive call */
#define RR_DEFAULT_NAME "mlgate remote run"
#define RR_NAME_MIN 3         /* ClearML's Task.name min_length */

struct rr_state {
    const struct mlg_host *host;
};

/* A growable string; the owner frees p. */
/* How the wait ended. */
enum rr_end {
    RR_REACHED,    /* enough iterations */
    RR_COMPLETED,  /* completed (or published/closed) */
    RR_FAILED,     /* failed or stopped */
    RR_QUEUE_TIMEOUT,
    RR_RUN_TIMEOUT,
    RR_CANCELLED,
    RR_GONE,       /* the task no longer exists */
    RR_POLL_ERROR
};

/* What the last poll saw; status and message are owned by the holder. */
struct rr_seen {
    char *status;
    char *message;
    long iteration;
    int has_iteration;
    double waited;  /* seconds queued before it ran (or so far) */
    double ran;     /* seconds since in_progress was first seen */
    char errmsg[MLG_ERROR_SIZE];
};

static const struct mlg_option rr_options[] = {
    {"queue", MLG_OPT_STRING, NULL, "ClearML queue the task is enqueued on",
     MLG_OPT_REQUIRED, NULL},
    {"script", MLG_OPT_STRING, NULL,
     "entry point, relative to the repository root", MLG_OPT_REQUIRED,
     NULL},
    {"project", MLG_OPT_STRING, NULL,
     "project of the new task (default: [clearml] project)", 0, NULL},
    {"task-name", MLG_OPT_STRING, NULL,
     "name of the new task (default: [clearml] task-name)", 0, NULL},
    {"working-dir", MLG_OPT_STRING, ".",
     "working directory of the script, relative to the repository", 0,
     NULL},
    {"requirements", MLG_OPT_STRING, NULL,
     "pip requirements file in the checkout (default: requirements.txt "
     "if present)", 0, NULL},
    {"packages", MLG_OPT_STRING, NULL,
     "extra pip packages, comma-separated", 0, NULL},
    {"binary", MLG_OPT_STRING, "python3", "interpreter the agent runs", 0,
     NULL},
    {"iterations", MLG_OPT_INT, "1",
     "PASS once the task reports this iteration", 0, NULL},
    {"queue-timeout", MLG_OPT_DURATION, "30m",
     "FAIL when the task waits longer than this in the queue", 0, NULL},
    {"timeout", MLG_OPT_DURATION, "10m",
     "FAIL when the task runs longer than this (from in_progress)", 0,
     NULL},
    {"poll", MLG_OPT_DURATION, "5s", "interval between status polls", 0,
     NULL},
    {"keep", MLG_OPT_BOOL, "no",
     "keep the task instead of stopping and archiving it", 0, NULL},
    {"task-type", MLG_OPT_ENUM, "training", "ClearML type of the new task",
     0, "training|testing|inference|data_processing|application|monitor|"
        "controller|optimizer|service|qc|custom"},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static char *rr_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;

    return memcpy(mlg_xrealloc(NULL, n), s, n);
}

static double rr_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *rr_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring
                                                        : "";
}

/* The option value, else the [clearml] value; NULL when neither is set
 * to something non-empty.  Borrowed from the host. */
static const char *rr_scope(const struct mlg_host *h,
                            struct mlg_check *check, const char *key)
{
    const char *v = h->opt_str(check, key);

    if (v == NULL || *v == '\0')
        v = h->conf_clearml(check, key);
    return v != NULL && *v != '\0' ? v : NULL;
}

static int rr_is(const char *status, const char *list)
{
    size_t n = strlen(status);
    const char *p = list;

    while (n > 0 && (p = strstr(p, status)) != NULL) {
        if ((p == list || p[-1] == '|') && (p[n] == '\0' || p[n] == '|'))
            return 1;
        p += n;
    }
    return 0;
}

/* Whether a requirement line already names the package pkg. */
static int rr_req_names(const char *line, size_t len, const char *pkg)
{
    size_t n = strlen(pkg);

    while (len > 0 && (*line == ' ' || *line == '\t')) {
        line++;
        len--;
    }
    return len >= n && strncmp(line, pkg, n) == 0
           && (len == n || strchr("=<>~! ;[\t\r@", line[n]) != NULL);
}

/* Append one requirement line, trimmed; skips blanks and comments. */
static void rr_req_add(struct mlg_buf *b, const char *s, size_t n,
                       int *has_clearml)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
        n--;
    if (n == 0 || *s == '#')
        return;
    if (rr_req_names(s, n, "clearml"))
        *has_clearml = 1;
    mlg_buf_printf(b, "%s%.*s", b->len ? "\n" : "", (int)n, s);
}

/* The script.requirements.pip text: the requirements file's lines, the
 * `packages`, and clearml appended when absent (as clearml-task does).
 * Returns the text (caller frees), or NULL with a message in err. */
/* A requirements file is text of a few KiB. */
#define RR_REQ_MAX (1024u * 1024u)

static char *rr_requirements(const struct mlg_host *h,
                             struct mlg_check *check,
                             const struct mlg_context *ctx, char *err,
                             size_t errlen)
{
    const char *file = h->opt_str(check, "requirements");
    const char *pkgs = h->opt_str(check, "packages");
    int explicit_file = file != NULL && *file != '\0';
    struct mlg_buf path = {NULL, 0, 0}, out = {NULL, 0, 0};
    int has_clearml = 0;
    FILE *fp;
    char line[4096];
    struct stat st;
    size_t total = 0;

    if (!explicit_file)
        file = "requirements.txt";
    if (*file == '/' || *ctx->workdir == '\0')
        mlg_buf_printf(&path, "%s", file);
    else
        mlg_buf_printf(&path, "%s/%s", ctx->workdir, file);
    fp = fopen(path.p, "r");
    /* A regular file or a fifo of at most RR_REQ_MAX bytes: a link to a
     * device or an endless file is refused, not read forever. */
    if (fp != NULL && (fstat(fileno(fp), &st) != 0 ||
                       !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode)))) {
        snprintf(err, errlen, "requirements file %s is not a regular "
                 "file or fifo", path.p);
        fclose(fp);
        free(path.p);
        return NULL;
    }
    if (fp == NULL && explicit_file) {
        snprintf(err, errlen, "requirements file %s cannot be read",
                 path.p);
        free(path.p);
        return NULL;
    }
    mlg_buf_printf(&out, "%s", "");
    while (fp != NULL && fgets(line, sizeof line, fp) != NULL) {
        total += strlen(line);
        if (total > RR_REQ_MAX) {
            snprintf(err, errlen, "requirements file %s is larger than %u "
                     "bytes", path.p, RR_REQ_MAX);
            fclose(fp);
            free(path.p);
            free(out.p);
            return NULL;
        }
        rr_req_add(&out, line, strlen(line), &has_clearml);
    }
    free(path.p);
    if (fp != NULL)
        fclose(fp);
    while (pkgs != NULL && *pkgs != '\0') {
        const char *comma = strchr(pkgs, ',');
        size_t n = comma ? (size_t)(comma - pkgs) : strlen(pkgs);

        rr_req_add(&out, pkgs, n, &has_clearml);
        pkgs += n + (comma != NULL);
    }
    if (!has_clearml)
        mlg_buf_printf(&out, "%sclearml", out.len ? "\n" : "");
    return out.p;
}

/* The head's clone URL: the context's, else (a generic CI given only
 * --repo/--pr) the PR's head.repo.clone_url from the forge, which is
 * fork-aware and right for GitHub Enterprise too.  Borrowed; NULL when
 * unknown. */
static const char *rr_clone_url(const struct mlg_host *h,
                                struct mlg_check *check,
                                const struct mlg_context *ctx)
{
    struct mlg_buf path = {NULL, 0, 0};
    struct mlg_error err;
    const cJSON *data = NULL, *head;
    const char *url;
    int status = 0;

    if (*ctx->head_clone_url != '\0')
        return ctx->head_clone_url;
    if (strcmp(ctx->forge, "github") != 0 || ctx->pr <= 0
        || *ctx->repo == '\0')
        return NULL;
    memset(&err, 0, sizeof err);
    mlg_buf_printf(&path, "/repos/%s/pulls/%ld", ctx->repo, ctx->pr);
    if (h->forge_call(check, "GET", path.p, NULL, &status, &data, &err)
        != 0) {
        h->log(check, MLG_LOG_WARN, "could not read PR #%ld: %s", ctx->pr,
               err.message);
        free(path.p);
        return NULL;
    }
    free(path.p);
    head = cJSON_GetObjectItemCaseSensitive(data, "head");
    url = rr_str(cJSON_GetObjectItemCaseSensitive(head, "repo"),
                 "clone_url");
    return *url != '\0' ? url : NULL;
}

/* Most tasks one run's nonce is looked for among: one is expected, two
 * when a lost create did land after all. */
#define RR_NONCE_PAGE 10

/* After a tasks.create whose answer was lost (dropped, unreadable, a
 * gateway error, the deadline), the server may still have created the
 * task: find every task carrying the run's nonce in its comment, so that
 * it is followed and cleaned up like any other.  The filter is exact for
 * this nonce: clearml-server matches `_all_` patterns as a
 * case-insensitive regex search per field (apiserver/database/model/
 * base.py, RegexWrapper), the nonce has only [0-9a-z-], and every hit is
 * checked here too; `search_text` would be a MongoDB text-index search
 * (words, ranked), not a match.  page_size bounds the answer (the
 * server's default is its 500 maximum).  Fills ids[] (caller frees each)
 * and returns how many, or -1 when the lookup itself failed. */
static int rr_find_created(const struct mlg_host *h, struct mlg_check *check,
                           const char *project_id, const char *nonce,
                           char **ids, int max)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(body, "project");
    cJSON *all = cJSON_AddObjectToObject(body, "_all_");
    const cJSON *data = NULL, *t;
    struct mlg_error err;
    int n = -1;

    memset(&err, 0, sizeof err);
    cJSON_AddItemToArray(arr, cJSON_CreateString(project_id));
    /* A duplicate archived before is dealt with. */
    arr = cJSON_AddArrayToObject(body, "system_tags");
    cJSON_AddItemToArray(arr, cJSON_CreateString("-archived"));
    arr = cJSON_AddArrayToObject(all, "fields");
    cJSON_AddItemToArray(arr, cJSON_CreateString("comment"));
    cJSON_AddStringToObject(all, "pattern", nonce);
    arr = cJSON_AddArrayToObject(body, "only_fields");
    cJSON_AddItemToArray(arr, cJSON_CreateString("id"));
    cJSON_AddItemToArray(arr, cJSON_CreateString("comment"));
    /* Oldest first: the first one created is the one kept. */
    arr = cJSON_AddArrayToObject(body, "order_by");
    cJSON_AddItemToArray(arr, cJSON_CreateString("created"));
    cJSON_AddNumberToObject(body, "page", 0);
    cJSON_AddNumberToObject(body, "page_size", RR_NONCE_PAGE);
    if (h->clearml_call(check, "tasks.get_all", body, &data, &err) == 0) {
        n = 0;
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(data,
                                                               "tasks"))
            if (n < max && strstr(rr_str(t, "comment"), nonce) != NULL &&
                *rr_str(t, "id") != '\0')
                ids[n++] = rr_xstrdup(rr_str(t, "id"));
    } else {
        h->log(check, MLG_LOG_WARN, "could not look for the task created "
               "by this run: %s", err.message);
    }
    cJSON_Delete(body);
    return n;
}

/* A create whose outcome is unknown: a 5xx, a transport failure, the
 * deadline or a cancellation under way. */
static int rr_outcome_unknown(const struct mlg_error *err)
{
    return err->kind == MLG_E_TRANSPORT || err->kind == MLG_E_DEADLINE ||
           (err->kind == MLG_E_HTTP && err->status >= 500);
}

static int rr_archive(const struct mlg_host *h, struct mlg_check *check,
                      const char *id, struct mlg_error *err);

/* Keep ids[0] (returned, caller frees); archive every other task this
 * run's nonce found, and say so in the report. */
static char *rr_keep_first(const struct mlg_host *h, struct mlg_check *check,
                           char **ids, int n)
{
    int i;

    for (i = 1; i < n; i++) {
        struct mlg_error err;

        memset(&err, 0, sizeof err);
        if (rr_archive(h, check, ids[i], &err) == 0) {
            h->log(check, MLG_LOG_WARN, "a lost tasks.create landed twice: "
                   "kept task %s, archived duplicate %s", ids[0], ids[i]);
            h->detail(check, "A lost `tasks.create` landed twice: kept "
                      "`%s`, archived the duplicate `%s`.\n", ids[0],
                      ids[i]);
        } else {
            h->log(check, MLG_LOG_WARN, "could not archive duplicate task "
                   "%s: %s", ids[i], err.message);
            h->detail(check, "A lost `tasks.create` landed twice: kept "
                      "`%s`; the duplicate `%s` could not be archived "
                      "(%s).\n", ids[0], ids[i], err.message);
        }
        free(ids[i]);
    }
    return n > 0 ? ids[0] : NULL;
}

/* tasks.create from the PR head.  Returns the new id (caller frees), or
 * NULL with err filled. */
static char *rr_create(const struct mlg_host *h, struct mlg_check *check,
                       const struct mlg_context *ctx, const char *clone,
                       const char *name, const char *project_id,
                       const char *pip, struct mlg_error *err)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *script = cJSON_CreateObject();
    cJSON *req = cJSON_CreateObject();
    const cJSON *data = NULL;
    struct mlg_buf comment = {NULL, 0, 0};
    char *id = NULL, nonce[40];
    struct timespec ts;
    int tries, creates = 0, lookup = 0, resent = 0;

    /* Unique enough to find this very task again (rr_find_created). */
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(nonce, sizeof nonce, "mlgate-%lx%09ld-%lx",
             (unsigned long)ts.tv_sec, ts.tv_nsec,
             (unsigned long)rand() ^ (unsigned long)clock());
    if (ctx->pr > 0)
        mlg_buf_printf(&comment, "Created by mlgate for PR #%ld (%s), %s",
                      ctx->pr, ctx->head_sha, nonce);
    else
        mlg_buf_printf(&comment, "Created by mlgate for commit %s, %s",
                      ctx->head_sha, nonce);
    cJSON_AddStringToObject(body, "name", name);
    cJSON_AddStringToObject(body, "type", h->opt_str(check, "task-type"));
    cJSON_AddStringToObject(body, "project", project_id);
    cJSON_AddStringToObject(body, "comment", comment.p);
    /* The head's own clone URL and SHA, so fork PRs check out the fork;
     * the ref is informative for the agent and the UI. */
    cJSON_AddStringToObject(script, "repository", clone);
    cJSON_AddStringToObject(script, "branch", ctx->head_ref);
    cJSON_AddStringToObject(script, "version_num", ctx->head_sha);
    cJSON_AddStringToObject(script, "entry_point", h->opt_str(check,
                                                              "script"));
    cJSON_AddStringToObject(script, "working_dir",
                            h->opt_str(check, "working-dir"));
    cJSON_AddStringToObject(script, "binary", h->opt_str(check, "binary"));
    cJSON_AddStringToObject(req, "pip", pip);
    cJSON_AddItemToObject(script, "requirements", req);
    cJSON_AddStringToObject(script, "diff", "");
    cJSON_AddItemToObject(body, "script", script);
    /* At most RR_CLEANUP_TRIES creates, each one after a lookup found
     * nothing; a lookup that fails is repeated, never answered by a
     * blind create. */
    for (tries = 0; id == NULL && tries < 2 * RR_CLEANUP_TRIES; tries++) {
        char *ids[RR_NONCE_PAGE];
        int n;

        if (!lookup) {
            if (creates++ == RR_CLEANUP_TRIES)
                break;
            if (h->clearml_call(check, "tasks.create", body, &data,
                                err) == 0) {
                const char *s = rr_str(data, "id");

                if (*s != '\0')
                    id = rr_xstrdup(s);
                else
                    snprintf(err->message, sizeof err->message,
                             "tasks.create returned no task id");
                break;
            }
            /* Never sent again blindly (http.c does not replay it
             * either): look for it first. */
            if (!rr_outcome_unknown(err))
                break;
            lookup = 1;
        }
        n = rr_find_created(h, check, project_id, nonce, ids,
                            RR_NONCE_PAGE);
        if (n > 0) {
            h->log(check, MLG_LOG_WARN, "tasks.create failed (%s) but "
                   "created task %s", err->message, ids[0]);
            id = rr_keep_first(h, check, ids, n);
        } else if (n == 0 && !h->cancelled(check) &&
                   creates < RR_CLEANUP_TRIES) {
            h->log(check, MLG_LOG_WARN, "tasks.create failed (%s) and "
                   "created nothing: creating the task again",
                   err->message);
            lookup = 0;
            resent = 1;
        } else if (n == 0) {
            break;
        }
    }
    /* A create repeated after a lookup found nothing: the first may have
     * landed since. */
    if (id != NULL && resent) {
        char *ids[RR_NONCE_PAGE];
        int n = rr_find_created(h, check, project_id, nonce, ids,
                                RR_NONCE_PAGE), i;

        for (i = 0; i < n; i++)
            if (strcmp(ids[i], id) == 0 && i > 0) {
                char *t = ids[0];

                ids[0] = ids[i];
                ids[i] = t;
            }
        if (n > 0 && strcmp(ids[0], id) == 0) {
            free(id);
            id = rr_keep_first(h, check, ids, n);
        } else {
            for (i = 0; i < n; i++)
                free(ids[i]);
        }
    }
    cJSON_Delete(body);
    free(comment.p);
    return id;
}

/* tasks.enqueue with verify_watched_queue.  *watched is 0 when the server
 * says no worker listens on the queue, else 1. */
static int rr_enqueue(const struct mlg_host *h, struct mlg_check *check,
                      const char *id, const char *queue_id, int *watched,
                      struct mlg_error *err)
{
    cJSON *body = cJSON_CreateObject();
    const cJSON *data = NULL, *w;
    int rc;

    cJSON_AddStringToObject(body, "task", id);
    cJSON_AddStringToObject(body, "queue", queue_id);
    cJSON_AddTrueToObject(body, "verify_watched_queue");
    rc = h->clearml_call(check, "tasks.enqueue", body, &data, err);
    cJSON_Delete(body);
    w = cJSON_GetObjectItemCaseSensitive(data, "queue_watched");
    *watched = !(rc == 0 && cJSON_IsFalse(w));
    return rc;
}

/* One poll: status, status_message and last_iteration in one request.
 * Returns 1 when read, 0 when the task is gone, -1 on error. */
static int rr_poll(const struct mlg_host *h, struct mlg_check *check,
                   const char *id, struct rr_seen *seen,
                   struct mlg_error *err)
{
    static const char *const fields[] = {
        "status", "status_message", "last_iteration"
    };
    cJSON *body = cJSON_CreateObject();
    cJSON *ids = cJSON_AddArrayToObject(body, "id");
    const cJSON *data = NULL, *t, *it;
    int rc;

    cJSON_AddItemToArray(ids, cJSON_CreateString(id));
    cJSON_AddItemToObject(body, "only_fields",
                          cJSON_CreateStringArray(fields, 3));
    rc = h->clearml_call(check, "tasks.get_all", body, &data, err);
    cJSON_Delete(body);
    if (rc != 0)
        return -1;
    t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(data, "tasks"),
                           0);
    if (!cJSON_IsObject(t))
        return 0;
    free(seen->status);
    free(seen->message);
    seen->status = rr_xstrdup(rr_str(t, "status"));
    seen->message = rr_xstrdup(rr_str(t, "status_message"));
    /* last_iteration is 0 from creation on (the server's field default,
     * DEFAULT_LAST_ITERATION): only a positive value is a report. */
    it = cJSON_GetObjectItemCaseSensitive(t, "last_iteration");
    seen->has_iteration = cJSON_IsNumber(it) && it->valuedouble >= 1;
    /* Range-checked: casting an out-of-range double is undefined. */
    seen->iteration = seen->has_iteration && it->valuedouble >= 0 &&
                      it->valuedouble < 2147483648.0
                      ? (long)it->valuedouble : 0;
    h->json_release(check, data);
    return 1;
}

static void rr_progress(const struct mlg_host *h, struct mlg_check *check,
                        const char *id, const struct rr_seen *seen,
                        double elapsed)
{
    if (seen->has_iteration)
        h->log(check, MLG_LOG_INFO, "task %.7s: %s at %.0f s, iteration "
               "%ld", id, seen->status, elapsed, seen->iteration);
    else
        h->log(check, MLG_LOG_INFO, "task %.7s: %s at %.0f s, no "
               "iteration reported yet", id, seen->status, elapsed);
}

/* Poll every `poll` until the task reaches `iterations`, ends, or a bound
 * passes: queued time by queue-timeout, run time (from the first
 * in_progress seen) by timeout.  Sleeps are cut short at the bound so it
 * fires on time, and by cancellation (host->sleep wakes). */
static enum rr_end rr_wait(const struct mlg_host *h, struct mlg_check *check,
                           const char *id, struct rr_seen *seen)
{
    long iterations = (long)h->opt_int(check, "iterations", 1);
    double qto = h->opt_duration(check, "queue-timeout", 1800);
    double rto = h->opt_duration(check, "timeout", 600);
    double poll = h->opt_duration(check, "poll", 5);
    double t0 = rr_now(), run_start = -1, last_line = t0, now, wait;
    char *last_status = rr_xstrdup("queued");
    struct mlg_error err;
    int nerr = 0, rc;
    enum rr_end end;

    if (poll < 0.1)
        poll = 0.1;
    /* tasks.enqueue just answered "queued": reading the status at once
     * would only repeat that, so the first read waits one interval. */
    h->log(check, MLG_LOG_INFO, "task %.7s: queued at 0 s", id);
    h->sleep(check, poll < qto ? poll : qto);
    for (;;) {
        if (h->cancelled(check)) {
            end = RR_CANCELLED;
            break;
        }
        memset(&err, 0, sizeof err);
        rc = rr_poll(h, check, id, seen, &err);
        now = rr_now();
        if (rc < 0 && err.kind == MLG_E_DEADLINE) {
            end = RR_CANCELLED;
            break;
        }
        if (rc < 0) {
            h->log(check, MLG_LOG_WARN, "status poll failed: %s",
                   err.message);
            if (++nerr >= RR_MAX_POLL_ERRORS) {
                snprintf(seen->errmsg, sizeof seen->errmsg, "%s",
                         err.message);
                end = RR_POLL_ERROR;
                break;
            }
        } else if (rc == 0) {
            end = RR_GONE;
            break;
        } else {
            nerr = 0;
            if (run_start < 0 && strcmp(seen->status, "in_progress") == 0)
                run_start = now;
            if (strcmp(seen->status, last_status) != 0
                || now - last_line >= RR_PROGRESS_EVERY) {
                rr_progress(h, check, id, seen, now - t0);
                last_line = now;
                free(last_status);
                last_status = rr_xstrdup(seen->status);
            }
            if (rr_is(seen->status, "failed|stopped")) {
                end = RR_FAILED;
                break;
            }
            /* iterations = 0: the task only has to leave the queue;
             * else it must report the iteration, running or done. */
            if (iterations == 0
                ? !rr_is(seen->status, "created|queued")
                : seen->has_iteration && seen->iteration >= iterations &&
                  !rr_is(seen->status, "created|queued")) {
                end = RR_REACHED;
                break;
            }
            if (rr_is(seen->status, "completed|published|publishing|"
                      "closed")) {
                end = RR_COMPLETED;
                break;
            }
        }
        seen->waited = run_start < 0 ? now - t0 : run_start - t0;
        seen->ran = run_start < 0 ? 0 : now - run_start;
        if (run_start < 0 && now - t0 >= qto) {
            end = RR_QUEUE_TIMEOUT;
            break;
        }
        if (run_start >= 0 && now - run_start >= rto) {
            end = RR_RUN_TIMEOUT;
            break;
        }
        wait = run_start < 0 ? t0 + qto - now : run_start + rto - now;
        if (wait > poll)
            wait = poll;
        h->sleep(check, wait > 0.01 ? wait : 0.01);
    }
    now = rr_now();
    seen->waited = run_start < 0 ? now - t0 : run_start - t0;
    seen->ran = run_start < 0 ? 0 : now - run_start;
    free(last_status);
    return end;
}

static double rr_ev_time(const cJSON *ev)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ev,
                                                                 "timestamp"));
}

/* Put log events oldest first.  navigate_earlier answers newest first,
 * so a list that does not visibly ascend is reversed; then a stable
 * insertion sort by timestamp (n is small) keeps the server's order of
 * lines logged in the same millisecond, as a traceback is. */
static void rr_ev_order(const cJSON **evs, size_t n)
{
    size_t i, j;

    if (n < 2)
        return;
    if (!(rr_ev_time(evs[0]) < rr_ev_time(evs[n - 1]))) {
        for (i = 0; i < n / 2; i++) {
            const cJSON *tmp = evs[i];

            evs[i] = evs[n - 1 - i];
            evs[n - 1 - i] = tmp;
        }
    }
    for (i = 1; i < n; i++) {
        const cJSON *ev = evs[i];
        double t = rr_ev_time(ev);

        for (j = i; j > 0 && rr_ev_time(evs[j - 1]) > t; j--)
            evs[j] = evs[j - 1];
        evs[j] = ev;
    }
}

/* The task's last RR_LOG_LINES log lines in a collapsed section, from
 * events.get_task_log (newest batch first with navigate_earlier); a
 * failure says so instead. */
static void rr_log_tail(const struct mlg_host *h, struct mlg_check *check,
                        const char *id)
{
    cJSON *body = cJSON_CreateObject();
    const cJSON *data = NULL, *events, *ev;
    const cJSON **evs = NULL;
    struct mlg_error err;
    struct mlg_buf text = {NULL, 0, 0};
    size_t n = 0, i, lines = 0;
    int rc;
    const char *start;

    memset(&err, 0, sizeof err);
    cJSON_AddStringToObject(body, "task", id);
    cJSON_AddNumberToObject(body, "batch_size", RR_LOG_LINES);
    cJSON_AddTrueToObject(body, "navigate_earlier");
    rc = h->clearml_call(check, "events.get_task_log", body, &data, &err);
    cJSON_Delete(body);
    if (rc != 0) {
        h->detail(check, "\nThe task log could not be read (%s).\n",
                  h->md_escape(check, err.message, MLG_MD_TEXT));
        return;
    }
    events = cJSON_GetObjectItemCaseSensitive(data, "events");
    evs = mlg_xrealloc(NULL, ((size_t)cJSON_GetArraySize(events) + 1)
                                * sizeof *evs);
    cJSON_ArrayForEach(ev, events)
        evs[n++] = ev;
    rr_ev_order(evs, n);
    mlg_buf_printf(&text, "%s", "");
    for (i = 0; i < n; i++) {
        const char *msg = rr_str(evs[i], "msg");
        size_t len = strlen(msg);

        while (len > 0 && msg[len - 1] == '\n')
            len--;
        if (len > 0)
            mlg_buf_printf(&text, "%.*s\n", (int)len, msg);
    }
    free(evs);
    /* Keep the last RR_LOG_LINES lines (one event may hold several). */
    start = text.p;
    for (i = text.len; i > 0; i--) {
        if (text.p[i - 1] == '\n' && i != text.len
            && ++lines == RR_LOG_LINES) {
            start = text.p + i;
            break;
        }
    }
    if (*start == '\0')
        h->detail(check, "\nThe task log is empty.\n");
    else
        h->detail(check, "\n<details><summary>Last log lines</summary>"
                  "\n\n```text\n%s```\n\n</details>\n",
                  h->md_escape(check, start, MLG_MD_CODE));
    free(text.p);
}

/* A status-changing write; returns 0 or -1 with err filled and, on
 * success, the new status (borrowed) in *status when asked. */
static int rr_status_call(const struct mlg_host *h, struct mlg_check *check,
                          const char *endpoint, const char *id, int force,
                          const char **status, struct mlg_error *err)
{
    cJSON *body = cJSON_CreateObject();
    const cJSON *data = NULL;
    int rc;

    cJSON_AddStringToObject(body, "task", id);
    cJSON_AddBoolToObject(body, "force", force);
    cJSON_AddStringToObject(body, "status_reason", "mlgate cleanup");
    rc = h->clearml_call(check, endpoint, body, &data, err);
    cJSON_Delete(body);
    if (rc == 0 && status != NULL)
        *status = rr_str(cJSON_GetObjectItemCaseSensitive(data, "fields"),
                         "status");
    return rc;
}

/* rr_status_call, tried up to RR_CLEANUP_TRIES times. */
static int rr_status_tries(const struct mlg_host *h, struct mlg_check *check,
                           const char *endpoint, const char *id, int force,
                           const char **status, struct mlg_error *err)
{
    int i;

    for (i = 0; i < RR_CLEANUP_TRIES; i++) {
        if (rr_status_call(h, check, endpoint, id, force, status, err) == 0)
            return 0;
        /* A 4xx is the server's answer (400/110: not from this status),
         * not a lost one: asking again cannot change it.  Except 401 (a
         * token that expired again: the next try logs in anew), 408 and
         * 429, which say "later", not "no". */
        if (err->kind == MLG_E_HTTP && err->status >= 400 &&
            err->status < 500 && err->status != 401 && err->status != 408 &&
            err->status != 429)
            break;
    }
    return -1;
}

/* After a stop call failed: the task's real status decides.  Returns 1
 * when it is stopped, or has ended on its own (a completed task cannot be
 * stopped: completed -> stopped is refused with 400/110), then *ended is
 * that status (caller frees) or NULL for stopped; 0 when it may still
 * run. */
static int rr_stop_settled(const struct mlg_host *h, struct mlg_check *check,
                           const char *id, char **ended)
{
    struct rr_seen seen;
    struct mlg_error err;
    int settled = 0;

    memset(&seen, 0, sizeof seen);
    memset(&err, 0, sizeof err);
    if (rr_poll(h, check, id, &seen, &err) == 1) {
        if (strcmp(seen.status, "stopped") == 0) {
            settled = 1;
        } else if (rr_is(seen.status, "completed|failed|published|"
                         "publishing|closed")) {
            settled = 1;
            *ended = seen.status;
            seen.status = NULL;
        }
    }
    free(seen.status);
    free(seen.message);
    return settled;
}

static int rr_has_string(const cJSON *arr, const char *s)
{
    const cJSON *v;

    cJSON_ArrayForEach(v, arr)
        if (cJSON_IsString(v) && strcmp(v->valuestring, s) == 0)
            return 1;
    return 0;
}

/* The task's system_tags as a new array (caller deletes), or NULL with
 * err filled. */
static cJSON *rr_system_tags(const struct mlg_host *h,
                             struct mlg_check *check, const char *id,
                             struct mlg_error *err)
{
    cJSON *body = cJSON_CreateObject(), *out;
    const cJSON *data = NULL, *t, *v;

    cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "id"),
                         cJSON_CreateString(id));
    cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "only_fields"),
                         cJSON_CreateString("system_tags"));
    if (h->clearml_call(check, "tasks.get_all", body, &data, err) != 0) {
        cJSON_Delete(body);
        return NULL;
    }
    cJSON_Delete(body);
    t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(data, "tasks"),
                           0);
    if (!cJSON_IsObject(t)) {
        snprintf(err->message, sizeof err->message, "task %.40s not found",
                 id);
        h->json_release(check, data);
        return NULL;
    }
    out = cJSON_CreateArray();
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(t, "system_tags"))
        if (cJSON_IsString(v))
            cJSON_AddItemToArray(out, cJSON_CreateString(v->valuestring));
    h->json_release(check, data);
    return out;
}

/* Archive: tasks.archive (2.12), else tasks.archive_many (2.13), else the
 * SDK's way, tasks.edit adding the archived system tag. */
static int rr_archive(const struct mlg_host *h, struct mlg_check *check,
                      const char *id, struct mlg_error *err)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *ids = cJSON_AddArrayToObject(body, "tasks"), *tags;
    const cJSON *data = NULL;
    int rc;

    cJSON_AddItemToArray(ids, cJSON_CreateString(id));
    rc = h->clearml_call(check, "tasks.archive", body, &data, err);
    cJSON_Delete(body);
    if (rc == 0 || err->kind != MLG_E_HTTP)
        return rc;
    body = cJSON_CreateObject();
    ids = cJSON_AddArrayToObject(body, "ids");
    cJSON_AddItemToArray(ids, cJSON_CreateString(id));
    rc = h->clearml_call(check, "tasks.archive_many", body, &data, err);
    cJSON_Delete(body);
    if (rc == 0 || err->kind != MLG_E_HTTP)
        return rc;
    /* tasks.edit replaces the whole list: read it and add "archived",
     * as the SDK's archive does, so no other system tag is lost. */
    tags = rr_system_tags(h, check, id, err);
    if (tags == NULL)
        return -1;
    if (!rr_has_string(tags, "archived"))
        cJSON_AddItemToArray(tags, cJSON_CreateString("archived"));
    body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "task", id);
    cJSON_AddTrueToObject(body, "force");
    cJSON_AddItemToObject(body, "system_tags", tags);
    rc = h->clearml_call(check, "tasks.edit", body, &data, err);
    cJSON_Delete(body);
    return rc;
}

/* Stop and archive the task unless keep = yes; writes what happened into
 * note ("stopped and archived", ...).  Done inside run() so the report
 * says it, and still allowed in the grace period after cancellation.
 *
 * Which stop: a task still created or queued gets tasks.stop, which
 * dequeues it and sets stopped at once.  A task in_progress gets
 * tasks.stopped: tasks.stop would only set status_message "stopping" for
 * a live worker and leave the task running until the worker reacts,
 * while tasks.stopped flips the status now and the SDK inside the agent
 * notices and aborts (the tutorial's mark_stopped).  A task that already
 * ended (completed, failed, stopped) is only archived. */
static void rr_cleanup(const struct mlg_host *h, struct mlg_check *check,
                       const char *id, const char *status, int keep,
                       struct mlg_buf *note)
{
    struct mlg_error err;
    const char *now_status = NULL;
    char *ended = NULL;
    int stopped = 0, stop_failed = 0, archived = 0, i;

    memset(&err, 0, sizeof err);
    if (keep) {
        mlg_buf_printf(note, "kept (keep = yes)");
        return;
    }
    /* Every stop or archive is tried RR_CLEANUP_TRIES times (an answer
     * lost in transit must not leave a task running), then the task's
     * real status decides. */
    if (rr_is(status, "created|queued")) {
        if (rr_status_tries(h, check, "tasks.stop", id, 1, &now_status,
                            &err) != 0)
            stop_failed = !rr_stop_settled(h, check, id, &ended);
        else if (strcmp(now_status, "stopped") != 0)
            /* A live worker picked it up meanwhile and got only a
             * "stopping" request: flip the status now. */
            stop_failed = rr_status_tries(h, check, "tasks.stopped", id,
                                          0, NULL, &err) != 0
                          && !rr_stop_settled(h, check, id, &ended);
        stopped = !stop_failed && ended == NULL;
    } else if (rr_is(status, "in_progress")) {
        stop_failed = rr_status_tries(h, check, "tasks.stopped", id, 0,
                                      NULL, &err) != 0
                      && !rr_stop_settled(h, check, id, &ended);
        stopped = !stop_failed && ended == NULL;
    }
    if (stop_failed) {
        h->log(check, MLG_LOG_WARN, "could not stop task %s: %s", id,
               err.message);
        mlg_buf_printf(note, "not stopped (%s), ", err.message);
    } else if (ended != NULL) {
        /* It finished between the last poll and the stop. */
        mlg_buf_printf(note, "%s before it could be stopped, ", ended);
    }
    free(ended);
    memset(&err, 0, sizeof err);
    for (i = 0; i < RR_CLEANUP_TRIES; i++)
        if ((archived = rr_archive(h, check, id, &err) == 0))
            break;
    if (!archived) {
        h->log(check, MLG_LOG_WARN, "could not archive task %s: %s", id,
               err.message);
        mlg_buf_printf(note, "%snot archived (%s)",
                      stopped ? "stopped but " : "", err.message);
        return;
    }
    if (rr_is(status, "completed|failed|stopped|published|publishing|"
              "closed"))
        /* It had ended on its own: there was nothing to stop. */
        mlg_buf_printf(note, "archived (already %s, nothing to stop)",
                      status);
    else
        mlg_buf_printf(note, "%sarchived", stopped ? "stopped and " : "");
}

/* --dry-run: say what would be created and enqueued; no write. */
static int rr_dry_run(const struct mlg_host *h, struct mlg_check *check,
                      const struct mlg_context *ctx, const char *clone,
                      const char *name, const char *project,
                      const char *queue, const char *pip)
{
    h->detail(check, "Dry run: would create task **%s** in project **%s** "
              "from `%s` (branch `%s`, repository %s), entry point `%s` in "
              "`%s` run by `%s`, and enqueue it on **%s**.\n\n"
              "<details><summary>Requirements</summary>\n\n```text\n%s\n"
              "```\n\n</details>\n",
              h->md_escape(check, name, MLG_MD_TEXT),
              h->md_escape(check, project, MLG_MD_TEXT), ctx->head_sha,
              h->md_escape(check, ctx->head_ref, MLG_MD_TEXT),
              h->md_escape(check, clone, MLG_MD_TEXT),
              h->md_escape(check, h->opt_str(check, "script"), MLG_MD_TEXT),
              h->md_escape(check, h->opt_str(check, "working-dir"),
                           MLG_MD_TEXT),
              h->md_escape(check, h->opt_str(check, "binary"), MLG_MD_TEXT),
              h->md_escape(check, queue, MLG_MD_TEXT),
              h->md_escape(check, pip, MLG_MD_CODE));
    h->result(check, MLG_SKIP, "dry run: would create task %s from %.7s "
              "and enqueue it on %s", name, ctx->head_sha, queue);
    return MLG_SKIP;
}

/* The verdict of how the wait ended, with details. */
static int rr_verdict(const struct mlg_host *h, struct mlg_check *check,
                      const char *id, const char *url, enum rr_end end,
                      const struct rr_seen *seen, struct mlg_buf *sum)
{
    long iterations = (long)h->opt_int(check, "iterations", 1);
    const char *st = seen->status != NULL ? seen->status : "unknown";
    const char *msg = seen->message != NULL ? seen->message : "";

    switch (end) {
    case RR_REACHED:
        if (iterations == 0)
            mlg_buf_printf(sum, "remote task left the queue (%s) after "
                          "%.1f s", st, seen->waited);
        else
            mlg_buf_printf(sum, "remote task reached iteration %ld in "
                          "%.1f s", seen->iteration,
                          seen->waited + seen->ran);
        return MLG_PASS;
    case RR_COMPLETED:
        /* Only reached with iterations >= 1 and too few reported. */
        if (seen->has_iteration)
            mlg_buf_printf(sum, "remote task %s at iteration %ld (before "
                          "%ld)", st, seen->iteration, iterations);
        else
            mlg_buf_printf(sum, "remote task %s without reporting any "
                          "iteration", st);
        return MLG_FAIL;
    case RR_FAILED:
        mlg_buf_printf(sum, "remote task %s%s%s", st, *msg ? ": " : "", msg);
        h->detail(check, "\nThe task ended **%s**%s%s. [Task log](%s)\n",
                  h->md_escape(check, st, MLG_MD_TEXT), *msg ? ": " : "",
                  h->md_escape(check, msg, MLG_MD_TEXT),
                  url);
        rr_log_tail(h, check, id);
        return MLG_FAIL;
    case RR_QUEUE_TIMEOUT:
        mlg_buf_printf(sum, "remote task still %s after %.1f s in the queue "
                      "(queue-timeout)", st, seen->waited);
        h->detail(check, "\nNo worker started the task within "
                  "queue-timeout (%.0f s).\n",
                  h->opt_duration(check, "queue-timeout", 1800));
        return MLG_FAIL;
    case RR_RUN_TIMEOUT:
        mlg_buf_printf(sum, "remote task ran %.1f s without reaching "
                      "iteration %ld (timeout)", seen->ran, iterations);
        if (seen->has_iteration)
            h->detail(check, "\nThe task did not reach iteration %ld "
                      "within timeout (%.0f s); last iteration %ld.\n",
                      iterations, h->opt_duration(check, "timeout", 600),
                      seen->iteration);
        else
            h->detail(check, "\nThe task did not reach iteration %ld "
                      "within timeout (%.0f s), without reporting any "
                      "iteration.\n", iterations,
                      h->opt_duration(check, "timeout", 600));
        return MLG_FAIL;
    case RR_CANCELLED:
        mlg_buf_printf(sum, "cancelled while the remote task was %s", st);
        return MLG_ERROR;
    case RR_GONE:
        mlg_buf_printf(sum, "remote task %s disappeared from ClearML", id);
        return MLG_ERROR;
    case RR_POLL_ERROR:
        mlg_buf_printf(sum, "could not follow the remote task: %s",
                      seen->errmsg);
        return MLG_ERROR;
    }
    return MLG_ERROR;
}

/* Length of s without leading and trailing white space. */
static size_t rr_stripped_len(const char *s)
{
    size_t n;

    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' ||
                     (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
        n--;
    return n;
}

static int rr_init(const struct mlg_host *host, struct mlg_check *check,
                   void **state, char *err)
{
    struct rr_state *st = calloc(1, sizeof *st);
    const char *name;

    if (st == NULL) {
        snprintf(err, MLG_ERROR_SIZE, "out of memory");
        return -1;
    }
    if (host->opt_int(check, "iterations", 1) < 0) {
        snprintf(err, MLG_ERROR_SIZE, "iterations: must be >= 0");
        free(st);
        return -1;
    }
    name = rr_scope(host, check, "task-name");
    if (name != NULL && rr_stripped_len(name) < RR_NAME_MIN) {
        /* tasks.create would refuse it (Task.name: min_length 3 after
         * stripping), after the queue and project lookups. */
        snprintf(err, MLG_ERROR_SIZE, "task-name: \"%.40s\" is shorter "
                 "than %d characters (ClearML refuses it)", name,
                 RR_NAME_MIN);
        free(st);
        return -1;
    }
    st->host = host;
    *state = st;
    return 0;
}

static int rr_run(void *state, struct mlg_check *check)
{
    struct rr_state *rs = state;
    const struct mlg_host *h = rs->host;
    const struct mlg_context *ctx = h->context(check);
    const char *queue = h->opt_str(check, "queue");
    const char *project = rr_scope(h, check, "project");
    const char *name = rr_scope(h, check, "task-name");
    const char *queue_id = NULL, *project_id = NULL, *url, *clone;
    struct mlg_error err;
    struct rr_seen seen;
    struct mlg_buf sum = {NULL, 0, 0}, note = {NULL, 0, 0};
    char msg[MLG_ERROR_SIZE];
    char *pip = NULL, *id = NULL;
    int watched = 1, status;
    enum rr_end end;

    memset(&err, 0, sizeof err);
    memset(&seen, 0, sizeof seen);
    if (name == NULL)
        name = RR_DEFAULT_NAME;
    if (project == NULL) {
        h->result(check, MLG_ERROR, "no project: set project = in the "
                  "check or in [clearml]");
        return MLG_ERROR;
    }
    if (*ctx->head_sha == '\0') {
        h->result(check, MLG_ERROR, "the run context has no head commit "
                  "(use --sha)");
        return MLG_ERROR;
    }
    clone = rr_clone_url(h, check, ctx);
    if (clone == NULL) {
        h->result(check, MLG_ERROR, "the run context has no clone URL of "
                  "the PR head repository (use --repo and --pr)");
        return MLG_ERROR;
    }
    pip = rr_requirements(h, check, ctx, msg, sizeof msg);
    if (pip == NULL) {
        h->result(check, MLG_ERROR, "%s", msg);
        return MLG_ERROR;
    }
    /* The queue first: a missing queue must fail before anything is
     * created. */
    if (h->clearml_queue_id(check, queue, &queue_id, &err) != 0) {
        status = err.kind == MLG_E_USAGE ? MLG_FAIL : MLG_ERROR;
        h->result(check, status, "queue %s: %s", queue, err.message);
        free(pip);
        return status;
    }
    if (ctx->dry_run) {
        status = rr_dry_run(h, check, ctx, clone, name, project, queue,
                            pip);
        free(pip);
        return status;
    }
    if (h->clearml_project_id(check, project, 1, &project_id, &err) != 0) {
        h->result(check, MLG_ERROR, "project %s: %s", project, err.message);
        free(pip);
        return MLG_ERROR;
    }
    id = rr_create(h, check, ctx, clone, name, project_id, pip, &err);
    free(pip);
    if (id == NULL) {
        h->result(check, MLG_ERROR, "could not create the task: %s",
                  err.message);
        return MLG_ERROR;
    }
    url = h->clearml_task_url(check, project_id, id, NULL);
    h->log(check, MLG_LOG_INFO, "created task %s: %s", id, url);
    h->output(check, "task-id", id);
    h->output(check, "task-url", url);
    h->detail(check, "Task [%s](%s) (`%s`) from `%s` on queue **%s**.\n",
              h->md_escape(check, name, MLG_MD_TEXT), url, id,
              ctx->head_sha, h->md_escape(check, queue, MLG_MD_TEXT));

    if (rr_enqueue(h, check, id, queue_id, &watched, &err) != 0) {
        mlg_buf_printf(&sum, "could not enqueue the task: %s", err.message);
        seen.status = rr_xstrdup("created");
        status = MLG_ERROR;
    } else {
        if (!watched) {
            h->log(check, MLG_LOG_WARN, "no worker watches queue %s",
                   queue);
            h->detail(check, "\n**Warning**: no worker watches queue "
                      "**%s**; the task waits until one does (at most "
                      "queue-timeout, %.0f s).\n",
                      h->md_escape(check, queue, MLG_MD_TEXT),
                      h->opt_duration(check, "queue-timeout", 1800));
        }
        end = rr_wait(h, check, id, &seen);
        status = rr_verdict(h, check, id, url, end, &seen, &sum);
    }
    rr_cleanup(h, check, id, seen.status != NULL ? seen.status : "queued",
               h->opt_bool(check, "keep", 0), &note);
    h->log(check, MLG_LOG_INFO, "task %s %s", id, note.p);
    h->detail(check, "\nTask `%s` %s.\n", id, note.p);
    h->result(check, status, "%s; %s", sum.p, note.p);
    free(sum.p);
    free(note.p);
    free(seen.status);
    free(seen.message);
    free(id);
    return status;
}

static void rr_fini(void *state)
{
    free(state);
}

static const struct mlg_plugin rr_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin),
    MLG_PLUGIN_NEEDS_CLEARML,
    "remote-run", RR_VERSION,
    "run the PR head as a ClearML task on a queue and follow it",
    rr_options,
    rr_init, rr_run, rr_fini,
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    MLG_PLUGIN_TAIL(0) /* uses only 1.0 entries */
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &rr_plugin;
}
