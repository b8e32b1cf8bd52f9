/*
 * check_remote.c - end-to-end tests of the remote-run check: the real
 * mlgate binary and plugin against mlgate-sandbox scenarios and its
 * simulated agent.
 */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "checks_common.h"

#define RR_NAME "remote_e2e"
#define RR_CONF_BASE \
    CK_CONF_HEAD "[check remote]\nplugin = remote-run\nqueue = default\n" \
    "script = task.py\ntask-name = " RR_NAME "\n"
#define RR_CONF(opts) RR_CONF_BASE "poll = 0.1s\n" opts

/* The task remote-run created must be stopped (unless it ended on its
 * own) and archived; returns its status. */
static char *rr_assert_cleaned(const struct sbx *s, int want_stopped)
{
    cJSON *st = sbx_state(s);
    const cJSON *t = ck_task_named(st, RR_NAME);
    const char *status;
    char *copy;

    ck_assert_msg(t != NULL, "no task named " RR_NAME " in the sandbox");
    ck_assert_msg(ck_has(t, "system_tags", "archived"),
                  "task not archived");
    status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t,
                                                                   "status"));
    ck_assert_ptr_nonnull(status);
    if (want_stopped)
        ck_assert_str_eq(status, "stopped");
    copy = strdup(status);
    cJSON_Delete(st);
    return copy;
}

START_TEST(test_pass_creates_and_cleans)
{
    struct sbx s;
    struct crun r;
    cJSON *log;
    const cJSON *e;
    int seen_create = 0;

    ck_sbx_start(&s, "happy");
    crun_prepare(&r, RR_CONF(""));
    {
        char path[4200];
        FILE *f;

        snprintf(path, sizeof path, "%s/requirements.txt", r.dir);
        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs("# pinned\ntqdm==4.66.3\n\nnumpy\n", f);
        fclose(f);
    }
    crun_spawn(&r, &s, NULL);
    crun_wait(&r);
    ck_assert_int_eq(r.exit_code, 0);
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "pass");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "remote", "summary"),
                                 "reached iteration"));
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "remote", "summary"),
                                 "stopped and archived"));
    free(rr_assert_cleaned(&s, 1));
    ck_assert_int_eq(ck_endpoint_count(&s, "tasks.enqueue"), 1);

    /* The task is built from the PR head. */
    log = sbx_log(&s);
    cJSON_ArrayForEach(e, log) {
        const char *ep = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(e, "endpoint"));
        const char *body = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(e, "req_body"));
        cJSON *b;
        const cJSON *script;

        if (ep == NULL || strcmp(ep, "tasks.create") != 0 || body == NULL)
            continue;
        seen_create++;
        b = cJSON_Parse(body);
        ck_assert_ptr_nonnull(b);
        script = cJSON_GetObjectItemCaseSensitive(b, "script");
        ck_assert_str_eq(cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(script, "version_num")),
            CK_SHA);
        ck_assert_str_eq(cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(script, "branch")),
            "feature-x");
        ck_assert_str_eq(cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(script, "entry_point")),
            "task.py");
        ck_assert_ptr_nonnull(strstr(cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(script, "repository")),
            "acme/ml-repo"));
        ck_assert_str_eq(cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(script, "requirements"),
                "pip")), "tqdm==4.66.3\nnumpy\nclearml");
        cJSON_Delete(b);
    }
    cJSON_Delete(log);
    ck_assert_int_eq(seen_create, 1);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_fails_with_log)
{
    struct sbx s;
    struct crun r;
    const char *d;

    ck_sbx_start(&s, "remote-fails");
    crun_expect(&r, &s, RR_CONF("iterations = 5\n"), NULL, 1);
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "fail");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "remote", "summary"),
                                 "ValueError: boom"));
    d = crun_get(&r, "remote", "details");
    ck_assert_ptr_nonnull(strstr(d, "<details><summary>Last log lines"));
    /* Oldest first, a traceback in its own order. */
    ck_assert_ptr_nonnull(strstr(d, "Traceback (most recent call last)"));
    ck_assert(strstr(d, "Traceback (most recent call last)")
              < strstr(d, "ValueError: boom\n"));
    ck_assert_ptr_nonnull(strstr(d, s.clearml_web));
    ck_assert_int_ge(ck_endpoint_count(&s, "events.get_task_log"), 1);
    /* It ended failed by itself: archived, not stopped. */
    free(rr_assert_cleaned(&s, 0));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_stuck_queue_timeout)
{
    struct sbx s;
    struct crun r;
    const cJSON *c;

    ck_sbx_start(&s, "remote-stuck");
    crun_expect(&r, &s, RR_CONF_BASE "queue-timeout = 3s\n"
                                                 "poll = 5s\n", NULL, 1);
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "fail");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "remote", "summary"),
                                 "queue-timeout"));
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "remote", "details"),
                                 "no worker watches queue"));
    c = cJSON_GetObjectItemCaseSensitive(crun_check(&r, "remote"),
                                         "duration");
    ck_assert(cJSON_IsNumber(c));
    ck_assert_msg(c->valuedouble < 5.0, "took %.1f s", c->valuedouble);
    ck_assert_msg(r.secs < 8.0, "mlgate took %.1f s", r.secs);
    free(rr_assert_cleaned(&s, 1));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_run_timeout)
{
    struct sbx s;
    struct crun r;

    ck_sbx_start(&s, "checks-remote-hang.json");
    crun_expect(&r, &s, RR_CONF("iterations = 5\n"
                                                 "timeout = 2s\n"), NULL, 1);
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "fail");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "remote", "summary"),
                                 "(timeout)"));
    ck_assert_msg(r.secs < 10.0, "mlgate took %.1f s", r.secs);
    free(rr_assert_cleaned(&s, 1));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* The happy agent reports 3 iterations and completes: with 10 wanted
 * that is a FAIL (iterations >= N is the rule, running or completed), and
 * the completed task is archived, never stopped. */
START_TEST(test_completed_early_fail)
{
    struct sbx s;
    struct crun r;
    char *status;

    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, RR_CONF("iterations = 10\n"), NULL, 1);
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "fail");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "remote", "summary"),
                                 "completed at iteration 3 (before 10)"));
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "remote", "summary"),
                                 "; archived (already completed, "
                                 "nothing to stop)"));
    ck_assert_int_eq(sbx_count(&s, "POST", "tasks.stop"), 0);
    status = rr_assert_cleaned(&s, 0);
    ck_assert_str_eq(status, "completed");
    free(status);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* iterations = 0 on a queue no agent watches: last_iteration is 0 from
 * creation, so that alone must not pass; it waits for the task to leave
 * the queue, fails at queue-timeout, and the task is stopped and
 * archived. */
START_TEST(test_iter0_stuck_fails)
{
    struct sbx s;
    struct crun r;

    ck_sbx_start(&s, "remote-stuck");
    crun_expect(&r, &s, RR_CONF_BASE "iterations = 0\n"
                "queue-timeout = 2s\npoll = 0.2s\n", NULL, 1);
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "fail");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "remote", "summary"),
                                 "(queue-timeout); stopped and archived"));
    ck_assert_int_ge(ck_endpoint_count(&s, "tasks.get_all"), 5);
    free(rr_assert_cleaned(&s, 1));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* iterations = 0 passes once the agent has started the task. */
START_TEST(test_iter0_passes_when_started)
{
    struct sbx s;
    struct crun r;

    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, RR_CONF("iterations = 0\n"), NULL, 0);
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "pass");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "remote", "summary"),
                                 "remote task left the queue ("));
    free(rr_assert_cleaned(&s, 0));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* The task reaches iteration 1, then completes before remote-run stops
 * it: tasks.stopped is refused (completed -> stopped, 400/110), and the
 * report says it completed and was archived, not "not stopped". */
START_TEST(test_completed_before_cleanup)
{
    struct sbx s;
    struct crun r;
    const char *sum;
    char *status;
    cJSON *log;
    const cJSON *e;
    int refused = 0;

    ck_sbx_start(&s, "checks-remote-late.json");
    crun_expect(&r, &s, RR_CONF(""), NULL, 0);
    sum = crun_get(&r, "remote", "summary");
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "pass");
    ck_assert_ptr_nonnull(strstr(sum, "reached iteration 1"));
    ck_assert_ptr_nonnull(strstr(sum, "; completed before it could be "
                                      "stopped, archived"));
    ck_assert_ptr_null(strstr(sum, "not stopped"));
    status = rr_assert_cleaned(&s, 0);
    ck_assert_str_eq(status, "completed");
    free(status);
    /* One refused stop, not retried. */
    log = sbx_log(&s);
    cJSON_ArrayForEach(e, log) {
        const cJSON *ep = cJSON_GetObjectItemCaseSensitive(e, "endpoint");

        if (cJSON_IsString(ep) && strcmp(ep->valuestring,
                                         "tasks.stopped") == 0) {
            ck_assert_int_eq((int)cJSON_GetNumberValue(
                cJSON_GetObjectItemCaseSensitive(e, "status")), 400);
            refused++;
        }
    }
    cJSON_Delete(log);
    ck_assert_int_eq(refused, 1);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* A name ClearML would refuse (min_length 3 after stripping) is refused
 * when the check is set up, before any request of the check (the same
 * value in [clearml] task-name is a conf error, exit 78: check_conf). */
START_TEST(test_short_task_name)
{
    struct sbx s;
    struct crun r;

    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, CK_CONF_HEAD "[check remote]\nplugin = remote-run\n"
                "queue = default\nscript = task.py\ntask-name = ab\n",
                NULL, 2);
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "error");
    ck_assert_str_eq(crun_get(&r, "remote", "summary"), "task-name: \"ab\" "
                     "is shorter than 3 characters (ClearML refuses it)");
    ck_assert_int_eq(ck_write_count(&s), 0);
    ck_assert_int_eq(ck_endpoint_count(&s, "queues.get_all"), 0);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_completed_without_iterations)
{
    struct sbx s;
    struct crun r;

    ck_sbx_start(&s, "checks-remote-noiter.json");
    crun_expect(&r, &s, RR_CONF(""), NULL, 1);
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "fail");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "remote", "summary"),
                                 "without reporting any iteration"));
    free(rr_assert_cleaned(&s, 0));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* SIGTERM to mlgate while the task runs: the task ends stopped and
 * archived. */
START_TEST(test_cancelled_cleans_up)
{
    struct sbx s;
    struct crun r;
    struct timespec ts;
    time_t deadline;
    int running = 0;

    ck_sbx_start(&s, "checks-remote-hang.json");
    crun_prepare(&r, RR_CONF("iterations = 5\ntimeout = 60s\n"));
    crun_spawn(&r, &s, NULL);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    deadline = ts.tv_sec + 15;
    while (!running) {
        cJSON *st = sbx_state(&s);
        const cJSON *t = ck_task_named(st, RR_NAME);
        const char *status = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(t, "status"));

        running = status != NULL && strcmp(status, "in_progress") == 0;
        cJSON_Delete(st);
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ck_assert_msg(running || ts.tv_sec < deadline,
                      "the remote task never ran");
        if (!running) {
            /* Poll interval of the state, not a synchronisation. */
            struct timespec gap = {0, 20 * 1000 * 1000};

            nanosleep(&gap, NULL);
        }
    }
    ck_assert_int_eq(kill(r.pid, SIGTERM), 0);
    crun_wait(&r);
    ck_assert_int_ne(r.exit_code, 0);
    free(rr_assert_cleaned(&s, 1));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_missing_queue)
{
    struct sbx s;
    struct crun r;

    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s,
                                 CK_CONF_HEAD "[check remote]\n"
                                 "plugin = remote-run\nqueue = nosuch\n"
                                 "script = task.py\n", NULL, 1);
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "fail");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "remote", "summary"),
                                 "nosuch"));
    ck_assert_int_eq(ck_endpoint_count(&s, "tasks.create"), 0);
    ck_assert_int_eq(ck_write_count(&s), 0);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_dry_run_no_write)
{
    struct sbx s;
    struct crun r;
    const char *const extra[] = {"--dry-run", NULL};

    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, RR_CONF(""), extra, 0);
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "skip");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "remote", "summary"),
                                 "would create task " RR_NAME));
    ck_assert_int_eq(ck_write_count(&s), 0);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_keep)
{
    struct sbx s;
    struct crun r;
    cJSON *st;

    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, RR_CONF("keep = yes\n"), NULL, 0);
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "remote", "summary"),
                                 "kept"));
    st = sbx_state(&s);
    ck_assert(!ck_has(ck_task_named(st, RR_NAME), "system_tags",
                      "archived"));
    cJSON_Delete(st);
    ck_assert_int_eq(ck_endpoint_count(&s, "tasks.archive"), 0);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

static Suite *rr_suite(void)
{
    Suite *s = suite_create("remote-run");
    TCase *core = tcase_create("core");
    TCase *limits = tcase_create("limits");
    TCase *errors = tcase_create("errors");

    tcase_set_timeout(core, 30);
    tcase_set_timeout(limits, 30);
    tcase_set_timeout(errors, 30);
    tcase_add_test(core, test_pass_creates_and_cleans);
    tcase_add_test(core, test_completed_early_fail);
    tcase_add_test(core, test_keep);
    tcase_add_test(core, test_dry_run_no_write);
    tcase_add_test(limits, test_stuck_queue_timeout);
    tcase_add_test(limits, test_run_timeout);
    tcase_add_test(limits, test_cancelled_cleans_up);
    tcase_add_test(errors, test_fails_with_log);
    tcase_add_test(errors, test_completed_without_iterations);
    tcase_add_test(limits, test_iter0_stuck_fails);
    tcase_add_test(core, test_iter0_passes_when_started);
    tcase_add_test(core, test_completed_before_cleanup);
    tcase_add_test(errors, test_short_task_name);
    tcase_add_test(errors, test_missing_queue);
    suite_add_tcase(s, core);
    suite_add_tcase(s, limits);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(rr_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
