/*
 * check_checks_fake.c - the built-in check plugins against a fake host
 * table (no runner, no network): paths the sandbox cannot easily reach,
 * such as chart downsampling, archive fallbacks and cancellation.
 */
#include <config.h>

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "mlgate/plugin.h"

#define FAKE_MAX_RESP 32
#define FAKE_MAX_KEEP 512

/* A canned answer to one ClearML endpoint; times < 0 = forever. */
struct fake_resp {
    const char *endpoint;
    const char *json;  /* the data object */
    int fail_kind;     /* non-zero: fail with this enum mlg_errkind */
    int times;
};

/* The per-check handle, as the fake host sees it. */
struct mlg_check {
    const char *const *opts; /* name, value pairs, NULL-terminated */
    struct mlg_context ctx;
    struct fake_resp resp[FAKE_MAX_RESP];
    size_t nresp;
    const char *task_json;   /* what clearml_find_task finds */
    cJSON *keep[FAKE_MAX_KEEP];
    size_t nkeep;
    char calls[16384];       /* "endpoint body\n" per clearml call */
    int status;
    char summary[1024];
    char *details;
    size_t details_len;
    int cancel_after;        /* cancelled() once this many polls ran */
    int polls;
};

static void *fake_keep(struct mlg_check *ck, cJSON *t)
{
    ck_assert_uint_lt(ck->nkeep, FAKE_MAX_KEEP);
    ck->keep[ck->nkeep++] = t;
    return t;
}

static const char *fake_opt_str(struct mlg_check *ck, const char *name)
{
    size_t i;

    for (i = 0; ck->opts[i] != NULL; i += 2) {
        if (strcmp(ck->opts[i], name) == 0)
            return ck->opts[i + 1];
    }
    return NULL;
}

static long long fake_opt_int(struct mlg_check *ck, const char *name,
                              long long def)
{
    const char *v = fake_opt_str(ck, name);

    return v != NULL ? strtoll(v, NULL, 10) : def;
}

static double fake_opt_number(struct mlg_check *ck, const char *name,
                              double def)
{
    const char *v = fake_opt_str(ck, name);

    return v != NULL ? strtod(v, NULL) : def;
}

static int fake_opt_bool(struct mlg_check *ck, const char *name, int def)
{
    const char *v = fake_opt_str(ck, name);

    return v != NULL ? strcmp(v, "yes") == 0 : def;
}

static const char *fake_conf_clearml(struct mlg_check *ck, const char *key)
{
    (void)ck;
    if (strcmp(key, "project") == 0)
        return "Github CICD Video";
    return strcmp(key, "task-name") == 0 ? "cicd_test" : NULL;
}

static const char *fake_opt_scope(struct mlg_check *ck, const char *key)
{
    const char *v = fake_opt_str(ck, key);

    if (v == NULL)
        v = fake_conf_clearml(ck, key);
    return v != NULL && *v != '\0' ? v : NULL;
}

static const struct mlg_context *fake_context(struct mlg_check *ck)
{
    return &ck->ctx;
}

static int fake_clearml_call(struct mlg_check *ck, const char *endpoint,
                             const struct cJSON *body,
                             const struct cJSON **data,
                             struct mlg_error *err)
{
    char *text = body != NULL ? cJSON_PrintUnformatted(body) : NULL;
    size_t i, used = strlen(ck->calls);

    snprintf(ck->calls + used, sizeof ck->calls - used, "%s %s\n", endpoint,
             text != NULL ? text : "{}");
    cJSON_free(text);
    if (strcmp(endpoint, "tasks.get_all") == 0)
        ck->polls++;
    for (i = 0; i < ck->nresp; i++) {
        struct fake_resp *r = &ck->resp[i];

        if (r->times == 0 || strcmp(r->endpoint, endpoint) != 0)
            continue;
        if (r->times > 0)
            r->times--;
        if (r->fail_kind != 0) {
            err->kind = r->fail_kind;
            err->status = 400;
            snprintf(err->message, sizeof err->message, "400/0: %s (fake)",
                     endpoint);
            return -1;
        }
        *data = fake_keep(ck, cJSON_Parse(r->json));
        ck_assert_msg(*data != NULL, "bad canned JSON for %s", endpoint);
        return 0;
    }
    err->kind = MLG_E_HTTP;
    err->status = 404;
    snprintf(err->message, sizeof err->message, "404: %s (no canned answer)",
             endpoint);
    return -1;
}

static int fake_find_task(struct mlg_check *ck,
                          const struct mlg_task_query *q,
                          struct mlg_task_found *found,
                          struct mlg_error *err)
{
    (void)q;
    (void)err;
    found->dirty = NULL;
    found->task = ck->task_json != NULL
                      ? fake_keep(ck, cJSON_Parse(ck->task_json))
                      : NULL;
    return 0;
}

static int fake_project_id(struct mlg_check *ck, const char *name,
                           int create, const char **id,
                           struct mlg_error *err)
{
    (void)ck;
    (void)name;
    (void)create;
    (void)err;
    *id = "5b2f0c7e9d8a4b1c9e0f123456789abc";
    return 0;
}

static int fake_queue_id(struct mlg_check *ck, const char *name,
                         const char **id, struct mlg_error *err)
{
    (void)ck;
    (void)name;
    (void)err;
    *id = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
    return 0;
}

static int fake_update_tags(struct mlg_check *ck, const char *task_id,
                            const char *const *add,
                            const char *const *remove,
                            struct mlg_error *err)
{
    size_t used = strlen(ck->calls);

    (void)err;
    snprintf(ck->calls + used, sizeof ck->calls - used,
             "update_tags %s +%s -%s\n", task_id,
             add != NULL ? add[0] : "", remove != NULL ? remove[0] : "");
    return 0;
}

static const char *fake_task_url(struct mlg_check *ck, const char *pid,
                                 const char *tid, const char *tab)
{
    (void)ck;
    (void)pid;
    (void)tid;
    (void)tab;
    return "http://web/task";
}

static void fake_json_release(struct mlg_check *ck, const struct cJSON *t)
{
    (void)ck;
    (void)t;
}

static void fake_vappend(struct mlg_check *ck, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void fake_vappend(struct mlg_check *ck, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    ck->details = realloc(ck->details, ck->details_len + (size_t)n + 1);
    ck_assert_ptr_nonnull(ck->details);
    vsnprintf(ck->details + ck->details_len, (size_t)n + 1, fmt, ap);
    ck->details_len += (size_t)n;
}

static void fake_result(struct mlg_check *ck, int status, const char *fmt,
                        ...) __attribute__((format(printf, 3, 4)));

static void fake_result(struct mlg_check *ck, int status, const char *fmt,
                        ...)
{
    va_list ap;

    ck->status = status;
    va_start(ap, fmt);
    vsnprintf(ck->summary, sizeof ck->summary, fmt, ap);
    va_end(ap);
}

static void fake_detail(struct mlg_check *ck, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fake_detail(struct mlg_check *ck, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fake_vappend(ck, fmt, ap);
    va_end(ap);
}

static const char *fake_md_escape(struct mlg_check *ck, const char *text,
                                  int mode)
{
    (void)ck;
    (void)mode;
    return text;
}

static void fake_annotate(struct mlg_check *ck, int level, const char *file,
                          long line, const char *fmt, ...)
{
    (void)ck;
    (void)level;
    (void)file;
    (void)line;
    (void)fmt;
}

static void fake_output(struct mlg_check *ck, const char *key,
                        const char *value)
{
    (void)ck;
    (void)key;
    (void)value;
}

static void fake_log(struct mlg_check *ck, int level, const char *fmt, ...)
{
    (void)ck;
    (void)level;
    (void)fmt;
}

static double fake_remaining(struct mlg_check *ck)
{
    (void)ck;
    return 60;
}

static int fake_cancelled(struct mlg_check *ck)
{
    return ck->cancel_after > 0 && ck->polls >= ck->cancel_after;
}

/* Time does not pass: bounds are tested end to end with the sandbox. */
static int fake_sleep(struct mlg_check *ck, double seconds)
{
    (void)seconds;
    return fake_cancelled(ck);
}

/* A 1.1 host: the built-in plugins need nothing newer (MLG_NEEDS_MINOR),
 * and the 1.2 entries stay NULL past the size it reports. */
static const struct mlg_host fake_host = {
    MLG_ABI_MAJOR, 1, offsetof(struct mlg_host, vresult), 0,
    fake_opt_str, fake_opt_int, fake_opt_number, fake_opt_bool,
    fake_opt_number, fake_conf_clearml, fake_context, fake_clearml_call,
    fake_find_task, fake_project_id, fake_queue_id, fake_update_tags,
    fake_task_url, NULL, fake_json_release, fake_result, fake_detail,
    fake_md_escape, fake_annotate, fake_output, fake_log, fake_remaining,
    fake_cancelled, fake_sleep, fake_opt_scope, NULL, NULL, NULL, NULL
};

static void fake_init_check(struct mlg_check *ck, const char *const *opts)
{
    memset(ck, 0, sizeof *ck);
    ck->opts = opts;
    ck->ctx.size = sizeof ck->ctx;
    ck->ctx.forge = "github";
    ck->ctx.event = "pull_request";
    ck->ctx.repo = "acme/ml-repo";
    ck->ctx.pr = 12;
    ck->ctx.head_sha = "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345";
    ck->ctx.head_ref = "feature-x";
    ck->ctx.head_repo = "acme/ml-repo";
    ck->ctx.head_clone_url = "https://github.com/acme/ml-repo.git";
    ck->ctx.base_ref = "main";
    ck->ctx.run_url = "";
    ck->ctx.check_name = "t";
    ck->ctx.workdir = "/nonexistent";
    ck->status = -1;
}

static void fake_add(struct mlg_check *ck, const char *endpoint,
                     const char *json, int fail_kind, int times)
{
    ck_assert_uint_lt(ck->nresp, FAKE_MAX_RESP);
    ck->resp[ck->nresp].endpoint = endpoint;
    ck->resp[ck->nresp].json = json;
    ck->resp[ck->nresp].fail_kind = fail_kind;
    ck->resp[ck->nresp].times = times;
    ck->nresp++;
}

/* Load plugin NAME, init, run, fini.  Returns run()'s status. */
static int fake_run(const char *name, struct mlg_check *ck)
{
    const char *b = getenv("MLG_BUILDDIR");
    char path[4200], err[MLG_ERROR_SIZE] = "";
    void *dl, *state = NULL;
    mlg_plugin_entry_fn entry;
    const struct mlg_plugin *p;
    int rc;

    snprintf(path, sizeof path, "%s/plugins/.libs/%s.so",
             b != NULL && *b != '\0' ? b : ".", name);
    dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(dl != NULL, "dlopen %s: %s", path, dlerror());
    *(void **)&entry = dlsym(dl, "mlg_plugin_entry");
    ck_assert_ptr_nonnull(entry);
    p = entry();
    ck_assert_int_eq(p->abi_major, MLG_ABI_MAJOR);
    ck_assert_msg(p->init(&fake_host, ck, &state, err) == 0, "init: %s",
                  err);
    rc = p->run(state, ck);
    p->fini(state);
    return rc;
}

static void fake_free(struct mlg_check *ck)
{
    size_t i;

    for (i = 0; i < ck->nkeep; i++)
        cJSON_Delete(ck->keep[i]);
    free(ck->details);
}

/* A completed task with Performance Metric / Series 1 max 98. */
#define FAKE_TASK(id, tags, max) \
    "{\"id\":\"" id "\",\"name\":\"cicd_test\",\"status\":\"completed\"," \
    "\"project\":\"p\",\"tags\":" tags ",\"last_metrics\":{\"h\":{\"v\":" \
    "{\"metric\":\"Performance Metric\",\"variant\":\"Series 1\"," \
    "\"value\":" max ",\"min_value\":1,\"max_value\":" max "}}}}"

/* The chart has at most 50 points, plain numbers, and both lines. */
START_TEST(test_compare_chart_downsampled)
{
    static const char *const opts[] = {
        "metric", "Performance Metric / Series 1", "goal", "max",
        "value", "best", "tolerance", "0", "best-tag", "Best Performance",
        "on-regression", "fail", NULL
    };
    struct mlg_check ck;
    cJSON *curve = cJSON_CreateObject(), *ser, *xs, *ys;
    char *curve_text;
    const char *m, *end, *line;
    int i, commas = 0;

    ser = cJSON_AddObjectToObject(
        cJSON_AddObjectToObject(curve, "Performance Metric"), "Series 1");
    xs = cJSON_AddArrayToObject(ser, "x");
    ys = cJSON_AddArrayToObject(ser, "y");
    for (i = 0; i < 200; i++) {
        cJSON_AddItemToArray(xs, cJSON_CreateNumber(i));
        cJSON_AddItemToArray(ys, cJSON_CreateNumber(1e7 + i));
    }
    curve_text = cJSON_PrintUnformatted(curve);
    cJSON_Delete(curve);

    fake_init_check(&ck, opts);
    ck.task_json = FAKE_TASK("cur", "[]", "98");
    fake_add(&ck, "tasks.get_all",
             "{\"tasks\":[" FAKE_TASK("best", "[\"Best Performance\"]", "90")
             "]}", 0, 1);
    fake_add(&ck, "events.scalar_metrics_iter_histogram", curve_text, 0, 2);
    ck_assert_int_eq(fake_run("compare", &ck), MLG_PASS);
    ck_assert_ptr_nonnull(strstr(ck.calls, "update_tags cur +Best "
                                           "Performance -\n"));
    ck_assert_ptr_nonnull(strstr(ck.calls, "update_tags best + -Best "
                                           "Performance\n"));
    /* The histogram asks for the one metric only. */
    ck_assert_ptr_nonnull(strstr(ck.calls, "\"metrics\":[{\"metric\":"
                                 "\"Performance Metric\",\"variants\":"
                                 "[\"Series 1\"]}]"));
    m = strstr(ck.details, "```mermaid\nxychart-beta\n");
    ck_assert_ptr_nonnull(m);
    end = strstr(m + 3, "```");
    ck_assert_ptr_nonnull(end);
    line = strstr(m, "    line [");
    ck_assert(line != NULL && line < end);
    for (; *line != ']'; line++)
        commas += *line == ',';
    ck_assert_int_eq(commas, 49);
    ck_assert_ptr_nonnull(strstr(m, "10000000, "));
    {
        /* No exponent inside the Mermaid block. */
        const char *e = strstr(m, "e+");

        ck_assert(e == NULL || e > end);
    }
    ck_assert_ptr_nonnull(strstr(strstr(m, "    line [") + 1,
                                 "    line ["));
    free(curve_text);
    fake_free(&ck);
}
END_TEST

/* A failed histogram read keeps the verdict and says so. */
START_TEST(test_compare_chart_failure_keeps_verdict)
{
    static const char *const opts[] = {
        "metric", "Performance Metric / Series 1", "goal", "max",
        "value", "best", "tolerance", "0", "best-tag", "Best Performance",
        "on-regression", "fail", NULL
    };
    struct mlg_check ck;

    fake_init_check(&ck, opts);
    ck.task_json = FAKE_TASK("cur", "[]", "80");
    fake_add(&ck, "tasks.get_all",
             "{\"tasks\":[" FAKE_TASK("best", "[\"Best Performance\"]", "90")
             "]}", 0, 1);
    fake_add(&ck, "events.scalar_metrics_iter_histogram", NULL, MLG_E_HTTP,
             -1);
    ck_assert_int_eq(fake_run("compare", &ck), MLG_FAIL);
    ck_assert_int_eq(ck.status, MLG_FAIL);
    ck_assert_ptr_nonnull(strstr(ck.details, "No chart"));
    ck_assert_ptr_null(strstr(ck.calls, "update_tags"));
    fake_free(&ck);
}
END_TEST

static const char *const fake_rr_opts[] = {
    "queue", "default", "script", "task.py", "working-dir", ".",
    "binary", "python3", "iterations", "1", "queue-timeout", "60",
    "timeout", "60", "poll", "1", "keep", "no", "task-type", "training",
    NULL
};

/* tasks.archive missing on the server: tasks.archive_many is used. */
START_TEST(test_remote_archive_fallback)
{
    struct mlg_check ck;
    const char *stopped, *archive, *many;

    fake_init_check(&ck, fake_rr_opts);
    fake_add(&ck, "tasks.create", "{\"id\":\"new\"}", 0, 1);
    fake_add(&ck, "tasks.enqueue", "{\"queued\":1,\"queue_watched\":true}",
             0, 1);
    fake_add(&ck, "tasks.get_all", "{\"tasks\":[{\"id\":\"new\",\"status\":"
             "\"in_progress\",\"last_iteration\":1}]}", 0, -1);
    fake_add(&ck, "tasks.stopped", "{\"updated\":1}", 0, 1);
    fake_add(&ck, "tasks.archive", NULL, MLG_E_HTTP, 1);
    fake_add(&ck, "tasks.archive_many", "{\"succeeded\":[{\"id\":\"new\"}]}",
             0, 1);
    ck_assert_int_eq(fake_run("remote-run", &ck), MLG_PASS);
    stopped = strstr(ck.calls, "tasks.stopped {\"task\":\"new\"");
    archive = strstr(ck.calls, "tasks.archive {");
    many = strstr(ck.calls, "tasks.archive_many {\"ids\":[\"new\"]}");
    ck_assert(stopped != NULL && archive != NULL && many != NULL);
    ck_assert(stopped < archive && archive < many);
    ck_assert_ptr_nonnull(strstr(ck.summary, "stopped and archived"));
    /* clearml is appended to an empty requirement list. */
    ck_assert_ptr_nonnull(strstr(ck.calls, "\"pip\":\"clearml\""));
    fake_free(&ck);
}
END_TEST

/* Cancelled while queued: tasks.stop (dequeue), then archive. */
START_TEST(test_remote_cancelled_queued)
{
    struct mlg_check ck;

    fake_init_check(&ck, fake_rr_opts);
    ck.cancel_after = 2;
    fake_add(&ck, "tasks.create", "{\"id\":\"new\"}", 0, 1);
    fake_add(&ck, "tasks.enqueue", "{\"queued\":1,\"queue_watched\":false}",
             0, 1);
    fake_add(&ck, "tasks.get_all", "{\"tasks\":[{\"id\":\"new\",\"status\":"
             "\"queued\"}]}", 0, -1);
    fake_add(&ck, "tasks.stop", "{\"updated\":1,\"fields\":{\"status\":"
             "\"stopped\"}}", 0, 1);
    fake_add(&ck, "tasks.archive", "{\"archived\":1}", 0, 1);
    ck_assert_int_eq(fake_run("remote-run", &ck), MLG_ERROR);
    ck_assert_ptr_nonnull(strstr(ck.summary, "cancelled"));
    ck_assert_ptr_nonnull(strstr(ck.summary, "stopped and archived"));
    ck_assert_ptr_nonnull(strstr(ck.calls, "tasks.stop {\"task\":\"new\","
                                           "\"force\":true"));
    ck_assert_ptr_null(strstr(ck.calls, "tasks.stopped"));
    ck_assert_ptr_nonnull(strstr(ck.details, "no worker watches queue"));
    fake_free(&ck);
}
END_TEST

/* A live worker took the task just before tasks.stop, which then only
 * asks it to stop: tasks.stopped flips the status. */
START_TEST(test_remote_stop_live_worker)
{
    struct mlg_check ck;
    const char *stop, *stopped;

    fake_init_check(&ck, fake_rr_opts);
    ck.cancel_after = 1;
    fake_add(&ck, "tasks.create", "{\"id\":\"new\"}", 0, 1);
    fake_add(&ck, "tasks.enqueue", "{\"queued\":1}", 0, 1);
    fake_add(&ck, "tasks.get_all", "{\"tasks\":[{\"id\":\"new\",\"status\":"
             "\"queued\"}]}", 0, -1);
    fake_add(&ck, "tasks.stop", "{\"updated\":1,\"fields\":{"
             "\"status_message\":\"stopping\"}}", 0, 1);
    fake_add(&ck, "tasks.stopped", "{\"updated\":1}", 0, 1);
    fake_add(&ck, "tasks.archive", "{\"archived\":1}", 0, 1);
    ck_assert_int_eq(fake_run("remote-run", &ck), MLG_ERROR);
    stop = strstr(ck.calls, "tasks.stop {");
    stopped = strstr(ck.calls, "tasks.stopped {\"task\":\"new\","
                               "\"force\":false");
    ck_assert(stop != NULL && stopped != NULL && stop < stopped);
    ck_assert_ptr_nonnull(strstr(ck.summary, "stopped and archived"));
    fake_free(&ck);
}
END_TEST

/* failed: the last 20 log lines, oldest first, in a collapsed section. */
START_TEST(test_remote_log_tail)
{
    struct mlg_check ck;
    cJSON *data = cJSON_CreateObject();
    cJSON *evs = cJSON_AddArrayToObject(data, "events");
    char *text, msg[32];
    const char *first, *last;
    int i;

    /* Newest first, as navigate_earlier returns them. */
    for (i = 30; i >= 1; i--) {
        cJSON *e = cJSON_CreateObject();

        snprintf(msg, sizeof msg, "line %02d\n", i);
        cJSON_AddStringToObject(e, "msg", msg);
        cJSON_AddNumberToObject(e, "timestamp", 1000 + i);
        cJSON_AddItemToArray(evs, e);
    }
    text = cJSON_PrintUnformatted(data);
    cJSON_Delete(data);
    fake_init_check(&ck, fake_rr_opts);
    fake_add(&ck, "tasks.create", "{\"id\":\"new\"}", 0, 1);
    fake_add(&ck, "tasks.enqueue", "{\"queued\":1}", 0, 1);
    fake_add(&ck, "tasks.get_all", "{\"tasks\":[{\"id\":\"new\",\"status\":"
             "\"failed\",\"status_message\":\"boom\"}]}", 0, -1);
    fake_add(&ck, "events.get_task_log", text, 0, 1);
    fake_add(&ck, "tasks.archive", "{\"archived\":1}", 0, 1);
    ck_assert_int_eq(fake_run("remote-run", &ck), MLG_FAIL);
    ck_assert_ptr_nonnull(strstr(ck.summary, "failed: boom"));
    ck_assert_ptr_nonnull(strstr(ck.summary, "; archived"));
    ck_assert_ptr_null(strstr(ck.calls, "tasks.stop"));
    ck_assert_ptr_nonnull(strstr(ck.details, "<details><summary>"));
    first = strstr(ck.details, "line 11");
    last = strstr(ck.details, "line 30");
    ck_assert(first != NULL && last != NULL && first < last);
    ck_assert_ptr_null(strstr(ck.details, "line 10"));
    free(text);
    fake_free(&ck);
}
END_TEST

/* The task the lookup returned is not completed (its status changed
 * while the server answered, or the server ignored the filter): WARN
 * with the tutorial's message, no tag, and no second read of the status
 * (the lookup's own answer is the read). */
START_TEST(test_stats_status_changed)
{
    static const char *const opts[] = {
        "tag", "main_branch", "monitoring", "no", NULL
    };
    struct mlg_check ck;

    fake_init_check(&ck, opts);
    ck.task_json = "{\"id\":\"cur\",\"name\":\"cicd_test\","
                   "\"status\":\"in_progress\",\"project\":\"p\","
                   "\"tags\":[],\"last_metrics\":{}}";
    ck_assert_int_eq(fake_run("stats-comment", &ck), MLG_WARN);
    ck_assert_str_eq(ck.summary, "Task is in in_progress status, this "
                                 "should not happen!");
    ck_assert_ptr_null(strstr(ck.calls, "update_tags"));
    ck_assert_ptr_null(strstr(ck.calls, "tasks.get_all"));
    fake_free(&ck);
}
END_TEST

static Suite *fake_suite(void)
{
    Suite *s = suite_create("checks-fake-host");
    TCase *core = tcase_create("core");
    TCase *errors = tcase_create("errors");

    tcase_add_test(core, test_compare_chart_downsampled);
    tcase_add_test(core, test_remote_archive_fallback);
    tcase_add_test(core, test_remote_log_tail);
    tcase_add_test(errors, test_compare_chart_failure_keeps_verdict);
    tcase_add_test(errors, test_remote_cancelled_queued);
    tcase_add_test(errors, test_stats_status_changed);
    tcase_add_test(errors, test_remote_stop_live_worker);
    suite_add_tcase(s, core);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fake_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
