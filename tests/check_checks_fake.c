/*
 * check_checks_fake.c - the built-in check plugins against the SDK's test
 * kit (mlgate/testing.h, libmlgate-test: no runner, no network): paths the
 * sandbox cannot easily reach, such as chart downsampling, archive
 * fallbacks and cancellation.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "mlgate/plugin.h"
#include "mlgate/testing.h"

/* The kit around the built-in plugin name, with options (name, value
 * pairs, NULL-terminated), the ids remote-run asks for, and a workdir
 * without requirements.txt.  Free with mlgt_free. */
static struct mlgt *kit(const char *name, const char *const *opts)
{
    const char *b = getenv("MLG_BUILDDIR");
    char path[4200], err[512];
    struct mlgt *t;
    size_t i;

    snprintf(path, sizeof path, "%s/plugins/.libs/%s.so",
             b != NULL && *b != '\0' ? b : ".", name);
    t = mlgt_open(path, err, sizeof err);
    ck_assert_msg(t != NULL, "%s", err);
    for (i = 0; opts[i] != NULL; i += 2)
        mlgt_option(t, opts[i], opts[i + 1]);
    mlgt_context(t)->workdir = "/nonexistent";
    mlgt_conf_clearml(t, "project", "Github CICD Video");
    mlgt_conf_clearml(t, "task-name", "cicd_test");
    ck_assert_msg(mlgt_answers(t, "{\"project_id\":{\"*\":"
                               "\"5b2f0c7e9d8a4b1c9e0f123456789abc\"},"
                               "\"queue_id\":{\"*\":"
                               "\"9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b\"}}",
                               err, sizeof err) == 0, "%s", err);
    return t;
}

/* Record one ClearML answer: data (JSON text) or, with fail_kind, an
 * error of that enum mlg_errkind; times < 0 = every time. */
static void kit_add(struct mlgt *t, const char *endpoint, const char *data,
                    int fail_kind, int times)
{
    char err[512], *json;
    size_t n = 2 * strlen(endpoint) + (data != NULL ? strlen(data) : 0) + 128;

    json = malloc(n);
    ck_assert_ptr_nonnull(json);
    if (fail_kind != 0)
        snprintf(json, n, "{\"clearml\":{\"%s\":{\"error\":{\"kind\":%d,"
                 "\"status\":400,\"message\":\"400/0: %s (fake)\"},"
                 "\"times\":%d}}}", endpoint, fail_kind, endpoint, times);
    else
        snprintf(json, n, "{\"clearml\":{\"%s\":{\"data\":%s,"
                 "\"times\":%d}}}", endpoint, data, times);
    ck_assert_msg(mlgt_answers(t, json, err, sizeof err) == 0, "%s: %s", err,
                  json);
    free(json);
}

/* The task clearml_find_task finds (JSON text). */
static void kit_task(struct mlgt *t, const char *task)
{
    char err[512], json[4096];

    snprintf(json, sizeof json, "{\"find_task\":{\"task\":%s}}", task);
    ck_assert_msg(mlgt_answers(t, json, err, sizeof err) == 0, "%s", err);
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
    struct mlgt *t;
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

    t = kit("compare", opts);
    kit_task(t, FAKE_TASK("cur", "[]", "98"));
    kit_add(t, "tasks.get_all",
             "{\"tasks\":[" FAKE_TASK("best", "[\"Best Performance\"]", "90")
             "]}", 0, 1);
    kit_add(t, "events.scalar_metrics_iter_histogram", curve_text, 0, 2);
    ck_assert_int_eq(mlgt_run(t), MLG_PASS);
    ck_assert_ptr_nonnull(strstr(mlgt_calls(t), "update_tags cur +Best "
                                           "Performance -\n"));
    ck_assert_ptr_nonnull(strstr(mlgt_calls(t), "update_tags best + -Best "
                                           "Performance\n"));
    /* The histogram asks for the one metric only. */
    ck_assert_ptr_nonnull(strstr(mlgt_calls(t), "\"metrics\":[{\"metric\":"
                                 "\"Performance Metric\",\"variants\":"
                                 "[\"Series 1\"]}]"));
    /* The palette line of the init directive comes first. */
    m = strstr(mlgt_details(t), "```mermaid\n%%{init: {\"themeVariables\": "
               "{\"xyChart\": {\"plotColorPalette\": \"#d62728, "
               "#1f77b4\"}}}}%%\nxychart-beta\n");
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
    mlgt_free(t);
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
    struct mlgt *t;

    t = kit("compare", opts);
    kit_task(t, FAKE_TASK("cur", "[]", "80"));
    kit_add(t, "tasks.get_all",
             "{\"tasks\":[" FAKE_TASK("best", "[\"Best Performance\"]", "90")
             "]}", 0, 1);
    kit_add(t, "events.scalar_metrics_iter_histogram", NULL, MLG_E_HTTP,
             -1);
    ck_assert_int_eq(mlgt_run(t), MLG_FAIL);
    ck_assert_int_eq(mlgt_status(t), MLG_FAIL);
    ck_assert_ptr_nonnull(strstr(mlgt_details(t), "No chart"));
    ck_assert_ptr_null(strstr(mlgt_calls(t), "update_tags"));
    mlgt_free(t);
}
END_TEST

/* On an API 2.28+ server both curves come in one
 * events.multi_task_scalar_metrics_iter_histogram at 2.28, keyed by task
 * id; a task the answer leaves out has no points; a failed request keeps
 * the verdict and says so. */
START_TEST(test_compare_multi_histogram)
{
    static const char *const opts[] = {
        "metric", "Performance Metric / Series 1", "goal", "max",
        "value", "best", "tolerance", "0", "best-tag", "Best Performance",
        "on-regression", "fail", NULL
    };
    struct mlgt *t;
    char err[512];
    const char *m;

    t = kit("compare", opts);
    ck_assert_msg(mlgt_answers(t, "{\"api_version\":\"2.34\"}", err,
                               sizeof err) == 0, "%s", err);
    kit_task(t, FAKE_TASK("cur", "[]", "98"));
    kit_add(t, "tasks.get_all",
             "{\"tasks\":[" FAKE_TASK("best", "[\"Best Performance\"]", "90")
             "]}", 0, 1);
    kit_add(t, "events.multi_task_scalar_metrics_iter_histogram",
            "{\"metrics\":{\"Performance Metric\":{\"Series 1\":{"
            "\"cur\":{\"x\":[0,1,2,3,4],\"y\":[10,20,77,1e400,\"x\"],"
            "\"name\":\"c\\r\\n::error::@team\"},"
            "\"best\":{\"x\":[0,1],\"y\":[30,44],\"name\":\"b\"}}}}}",
            0, 1);
    ck_assert_int_eq(mlgt_run(t), MLG_PASS);
    ck_assert_ptr_nonnull(strstr(mlgt_calls(t), "clearml@2.28 "
                                 "events.multi_task_scalar_metrics_iter_"
                                 "histogram {\"tasks\":[\"cur\",\"best\"],"));
    ck_assert_ptr_null(strstr(mlgt_calls(t),
                              "events.scalar_metrics_iter_histogram"));
    m = strstr(mlgt_details(t), "xychart-beta");
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(strstr(m, "    line [10, 20, 77]"));
    ck_assert_ptr_nonnull(strstr(m, "    line [30, 44, 44]"));
    /* The server's 1e400 and its string are no points; the series name
     * it sends is not shown. */
    ck_assert_ptr_null(strstr(mlgt_details(t), "inf"));
    ck_assert_ptr_null(strstr(mlgt_details(t), "@team"));
    ck_assert_ptr_null(strstr(mlgt_details(t), "::error::"));
    mlgt_free(t);

    t = kit("compare", opts);
    ck_assert_msg(mlgt_answers(t, "{\"api_version\":\"2.34\"}", err,
                               sizeof err) == 0, "%s", err);
    kit_task(t, FAKE_TASK("cur", "[]", "98"));
    kit_add(t, "tasks.get_all",
             "{\"tasks\":[" FAKE_TASK("best", "[\"Best Performance\"]", "90")
             "]}", 0, 1);
    kit_add(t, "events.multi_task_scalar_metrics_iter_histogram", NULL,
            MLG_E_HTTP, 1);
    ck_assert_int_eq(mlgt_run(t), MLG_PASS);
    ck_assert_ptr_nonnull(strstr(mlgt_details(t), "No chart"));
    mlgt_free(t);
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
    struct mlgt *t;
    const char *stopped, *archive, *many;

    t = kit("remote-run", fake_rr_opts);
    kit_add(t, "tasks.create", "{\"id\":\"new\"}", 0, 1);
    kit_add(t, "tasks.enqueue", "{\"queued\":1,\"queue_watched\":true}",
             0, 1);
    kit_add(t, "tasks.get_all", "{\"tasks\":[{\"id\":\"new\",\"status\":"
             "\"in_progress\",\"last_iteration\":1}]}", 0, -1);
    kit_add(t, "tasks.stopped", "{\"updated\":1}", 0, 1);
    kit_add(t, "tasks.archive", NULL, MLG_E_HTTP, 1);
    kit_add(t, "tasks.archive_many", "{\"succeeded\":[{\"id\":\"new\"}]}",
             0, 1);
    ck_assert_int_eq(mlgt_run(t), MLG_PASS);
    stopped = strstr(mlgt_calls(t), "tasks.stopped {\"task\":\"new\"");
    archive = strstr(mlgt_calls(t), "tasks.archive {");
    many = strstr(mlgt_calls(t), "tasks.archive_many {\"ids\":[\"new\"]}");
    ck_assert(stopped != NULL && archive != NULL && many != NULL);
    ck_assert(stopped < archive && archive < many);
    ck_assert_ptr_nonnull(strstr(mlgt_summary(t), "stopped and archived"));
    /* clearml is appended to an empty requirement list. */
    ck_assert_ptr_nonnull(strstr(mlgt_calls(t), "\"pip\":\"clearml\""));
    mlgt_free(t);
}
END_TEST

/* A server before 2.12 (no tasks.archive, no tasks.archive_many): the
 * tasks.edit fallback adds "archived" to the task's system tags, keeping
 * the others, since tasks.edit replaces the whole list. */
START_TEST(test_remote_archive_edit_keeps_tags)
{
    struct mlgt *t;

    t = kit("remote-run", fake_rr_opts);
    kit_add(t, "tasks.create", "{\"id\":\"new\"}", 0, 1);
    kit_add(t, "tasks.enqueue", "{\"queued\":1,\"queue_watched\":true}",
             0, 1);
    kit_add(t, "tasks.get_all", "{\"tasks\":[{\"id\":\"new\",\"status\":"
             "\"in_progress\",\"last_iteration\":1,\"system_tags\":"
             "[\"pipeline\",\"hidden\"]}]}", 0, -1);
    kit_add(t, "tasks.stopped", "{\"updated\":1}", 0, 1);
    kit_add(t, "tasks.archive", NULL, MLG_E_HTTP, 1);
    kit_add(t, "tasks.archive_many", NULL, MLG_E_HTTP, 1);
    kit_add(t, "tasks.edit", "{\"updated\":1}", 0, 1);
    ck_assert_int_eq(mlgt_run(t), MLG_PASS);
    ck_assert_msg(strstr(mlgt_calls(t), "tasks.edit {\"task\":\"new\",\"force\":"
                         "true,\"system_tags\":[\"pipeline\",\"hidden\","
                         "\"archived\"]}") != NULL, "calls: %s", mlgt_calls(t));
    ck_assert_ptr_nonnull(strstr(mlgt_summary(t), "stopped and archived"));
    mlgt_free(t);
}
END_TEST

/* Cancelled while queued: tasks.stop (dequeue), then archive. */
START_TEST(test_remote_cancelled_queued)
{
    struct mlgt *t;

    t = kit("remote-run", fake_rr_opts);
    mlgt_cancel_after(t, "tasks.get_all", 2);
    kit_add(t, "tasks.create", "{\"id\":\"new\"}", 0, 1);
    kit_add(t, "tasks.enqueue", "{\"queued\":1,\"queue_watched\":false}",
             0, 1);
    kit_add(t, "tasks.get_all", "{\"tasks\":[{\"id\":\"new\",\"status\":"
             "\"queued\"}]}", 0, -1);
    kit_add(t, "tasks.stop", "{\"updated\":1,\"fields\":{\"status\":"
             "\"stopped\"}}", 0, 1);
    kit_add(t, "tasks.archive", "{\"archived\":1}", 0, 1);
    ck_assert_int_eq(mlgt_run(t), MLG_ERROR);
    ck_assert_ptr_nonnull(strstr(mlgt_summary(t), "cancelled"));
    ck_assert_ptr_nonnull(strstr(mlgt_summary(t), "stopped and archived"));
    ck_assert_ptr_nonnull(strstr(mlgt_calls(t), "tasks.stop {\"task\":\"new\","
                                           "\"force\":true"));
    ck_assert_ptr_null(strstr(mlgt_calls(t), "tasks.stopped"));
    ck_assert_ptr_nonnull(strstr(mlgt_details(t), "no worker watches queue"));
    mlgt_free(t);
}
END_TEST

/* A live worker took the task just before tasks.stop, which then only
 * asks it to stop: tasks.stopped flips the status. */
START_TEST(test_remote_stop_live_worker)
{
    struct mlgt *t;
    const char *stop, *stopped;

    t = kit("remote-run", fake_rr_opts);
    mlgt_cancel_after(t, "tasks.get_all", 1);
    kit_add(t, "tasks.create", "{\"id\":\"new\"}", 0, 1);
    kit_add(t, "tasks.enqueue", "{\"queued\":1}", 0, 1);
    kit_add(t, "tasks.get_all", "{\"tasks\":[{\"id\":\"new\",\"status\":"
             "\"queued\"}]}", 0, -1);
    kit_add(t, "tasks.stop", "{\"updated\":1,\"fields\":{"
             "\"status_message\":\"stopping\"}}", 0, 1);
    kit_add(t, "tasks.stopped", "{\"updated\":1}", 0, 1);
    kit_add(t, "tasks.archive", "{\"archived\":1}", 0, 1);
    ck_assert_int_eq(mlgt_run(t), MLG_ERROR);
    stop = strstr(mlgt_calls(t), "tasks.stop {");
    stopped = strstr(mlgt_calls(t), "tasks.stopped {\"task\":\"new\","
                               "\"force\":false");
    ck_assert(stop != NULL && stopped != NULL && stop < stopped);
    ck_assert_ptr_nonnull(strstr(mlgt_summary(t), "stopped and archived"));
    mlgt_free(t);
}
END_TEST

/* failed: the last 20 log lines, oldest first, in a collapsed section. */
START_TEST(test_remote_log_tail)
{
    struct mlgt *t;
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
    t = kit("remote-run", fake_rr_opts);
    kit_add(t, "tasks.create", "{\"id\":\"new\"}", 0, 1);
    kit_add(t, "tasks.enqueue", "{\"queued\":1}", 0, 1);
    kit_add(t, "tasks.get_all", "{\"tasks\":[{\"id\":\"new\",\"status\":"
             "\"failed\",\"status_message\":\"boom\"}]}", 0, -1);
    kit_add(t, "events.get_task_log", text, 0, 1);
    kit_add(t, "tasks.archive", "{\"archived\":1}", 0, 1);
    ck_assert_int_eq(mlgt_run(t), MLG_FAIL);
    ck_assert_ptr_nonnull(strstr(mlgt_summary(t), "failed: boom"));
    ck_assert_ptr_nonnull(strstr(mlgt_summary(t), "; archived (already "
                                                  "failed, nothing to "
                                                  "stop)"));
    ck_assert_ptr_null(strstr(mlgt_calls(t), "tasks.stop"));
    ck_assert_ptr_nonnull(strstr(mlgt_details(t), "<details><summary>"));
    first = strstr(mlgt_details(t), "line 11");
    last = strstr(mlgt_details(t), "line 30");
    ck_assert(first != NULL && last != NULL && first < last);
    ck_assert_ptr_null(strstr(mlgt_details(t), "line 10"));
    free(text);
    mlgt_free(t);
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
    struct mlgt *t;

    t = kit("stats-comment", opts);
    kit_task(t, "{\"id\":\"cur\",\"name\":\"cicd_test\","
                   "\"status\":\"in_progress\",\"project\":\"p\","
                   "\"tags\":[],\"last_metrics\":{}}");
    ck_assert_int_eq(mlgt_run(t), MLG_WARN);
    ck_assert_str_eq(mlgt_summary(t), "Task is in in_progress status, this "
                                 "should not happen!");
    ck_assert_ptr_null(strstr(mlgt_calls(t), "update_tags"));
    ck_assert_ptr_null(strstr(mlgt_calls(t), "tasks.get_all"));
    mlgt_free(t);
}
END_TEST

static Suite *fake_suite(void)
{
    Suite *s = suite_create("checks-fake-host");
    TCase *core = tcase_create("core");
    TCase *errors = tcase_create("errors");

    tcase_add_test(core, test_compare_chart_downsampled);
    tcase_add_test(core, test_compare_multi_histogram);
    tcase_add_test(core, test_remote_archive_fallback);
    tcase_add_test(core, test_remote_archive_edit_keeps_tags);
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
