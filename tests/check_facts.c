/*
 * check_facts.c - run facts (issue 17) end to end: the real mlgate and
 * plugins against mlgate-sandbox.  What several checks read (the scope's
 * project, the head task) is looked up once per run, before the fork,
 * only when a loaded check declares it, with the union of the fields
 * the plugins ask for; a failed lookup reaches every check that reads
 * it; a plugin without the declaration still gets the task, live.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "checks_common.h"

#define PROJECT_ID "5b2f0c7e9d8a4b1c9e0f123456789abc"

/* The .so file of a test plugin, as an absolute path (mlgate runs in
 * a temp dir).  Static storage, overwritten by the next call. */
static const char *plugin_path(const char *name)
{
    static char path[8192];
    const char *build = getenv("MLG_BUILDDIR");
    char cwd[4096];

    if (build == NULL || *build == '\0')
        build = ".";
    if (build[0] == '/')
        snprintf(path, sizeof path, "%s/tests/plugins/.libs/%s.so", build,
                 name);
    else
        snprintf(path, sizeof path, "%s/%s/tests/plugins/.libs/%s.so",
                 getcwd(cwd, sizeof cwd) != NULL ? cwd : ".", build, name);
    return path;
}

/* The tasks.get_all requests of the run that look a task up by the head
 * commit (the _all_ pattern on script.version_num), and the body of the
 * last one in *last (caller frees; may be NULL). */
static int head_lookups(const struct sbx *s, cJSON **last)
{
    cJSON *log = sbx_log(s);
    const cJSON *e;
    int n = 0;

    if (last != NULL)
        *last = NULL;
    cJSON_ArrayForEach(e, log) {
        const char *ep = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(e, "endpoint"));
        const char *body = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(e, "req_body"));

        if (ep == NULL || strcmp(ep, "tasks.get_all") != 0 || body == NULL ||
            strstr(body, "\"pattern\":\"^" CK_SHA "$\"") == NULL)
            continue;
        n++;
        if (last != NULL) {
            cJSON_Delete(*last);
            *last = cJSON_Parse(body);
        }
    }
    cJSON_Delete(log);
    return n;
}

static int has_string(const cJSON *arr, const char *s)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, arr)
        if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
            return 1;
    return 0;
}

/* What the issue asks to see: stats + compare (+ diff) on happy make
 * one projects.get_all and one head-task tasks.get_all in all. */
START_TEST(test_lookups_shared)
{
    struct sbx s;
    struct crun r;

    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, CK_CONF_HEAD
                "[check stats]\nplugin = stats-comment\n"
                "[check compare]\nplugin = compare\n"
                "metric = Performance Metric / Series 1\n"
                "[check diff]\nplugin = diff\n", NULL, 0);
    ck_assert_str_eq(crun_get(&r, "stats", "status"), "pass");
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "pass");
    ck_assert_str_eq(crun_output(&r, "stats", "task-id"), CK_CURRENT);
    ck_assert_str_eq(crun_output(&r, "compare", "task-id"), CK_CURRENT);
    ck_assert_str_eq(crun_output(&r, "diff", "task-id"), CK_CURRENT);
    ck_assert_int_eq(ck_endpoint_count(&s, "projects.get_all"), 1);
    ck_assert_int_eq(head_lookups(&s, NULL), 1);
    ck_assert_int_eq(ck_endpoint_count(&s, "auth.login"), 1);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* Nothing is resolved that no loaded check reads: remote-run alone does
 * its own project lookup (it may create the project) and no head-task
 * lookup at all. */
START_TEST(test_nothing_unneeded)
{
    struct sbx s;
    struct crun r;

    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, CK_CONF_HEAD
                "[check remote]\nplugin = remote-run\nqueue = default\n"
                "script = task.py\npoll = 0.1s\n", NULL, 0);
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "pass");
    ck_assert_int_eq(head_lookups(&s, NULL), 0);
    ck_assert_int_eq(ck_endpoint_count(&s, "projects.get_all"), 1);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* One scope per distinct (project, task name): a check whose section
 * names another project is resolved apart; a project that does not
 * exist costs its projects.get_all and no task lookup. */
START_TEST(test_scope_per_check)
{
    struct sbx s;
    struct crun r;

    ck_sbx_start(&s, "happy");
    crun_mlgate(&r, &s, CK_CONF_HEAD
                "[check stats]\nplugin = stats-comment\n"
                "[check other]\nplugin = stats-comment\n"
                "project = No Such Project\n"
                "[check compare]\nplugin = compare\n"
                "metric = Performance Metric / Series 1\n", NULL);
    ck_assert_str_eq(crun_get(&r, "stats", "status"), "pass");
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "pass");
    ck_assert_str_eq(crun_get(&r, "other", "status"), "fail");
    ck_assert_int_eq(ck_endpoint_count(&s, "projects.get_all"), 2);
    ck_assert_int_eq(head_lookups(&s, NULL), 1);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* The one head-task lookup asks for the default fields plus every
 * plugin's head_fields, and each plugin gets them. */
START_TEST(test_fields_union)
{
    struct sbx s;
    struct crun r;
    char conf[8192];
    cJSON *body = NULL;
    const cJSON *only;

    snprintf(conf, sizeof conf, CK_CONF_HEAD
             "[check stats]\nplugin = stats-comment\n"
             "[check hf]\nplugin = %s\n", plugin_path("headfields"));
    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, conf, NULL, 0);
    ck_assert_str_eq(crun_get(&r, "hf", "status"), "pass");
    ck_assert_str_eq(crun_output(&r, "hf", "task-id"), CK_CURRENT);
    ck_assert_str_eq(crun_output(&r, "hf", "has-queue"), "yes");
    ck_assert_str_eq(crun_output(&r, "hf", "project-id"), PROJECT_ID);
    ck_assert_int_eq(head_lookups(&s, &body), 1);
    ck_assert_int_eq(ck_endpoint_count(&s, "projects.get_all"), 1);
    only = cJSON_GetObjectItemCaseSensitive(body, "only_fields");
    ck_assert(has_string(only, "execution.queue"));
    ck_assert(has_string(only, "hyperparams"));
    ck_assert(has_string(only, "last_metrics"));
    cJSON_Delete(body);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* A plugin that does not declare the facts gets the same answer from
 * head_task, looked up in its own process with its own fields: beside
 * stats (which declares them) the run makes two head-task lookups, the
 * runner's and the plugin's own. */
START_TEST(test_undeclared_looks_up_live)
{
    struct sbx s;
    struct crun r;
    char conf[8192];
    cJSON *log, *body;
    const cJSON *e;
    int with_hyper = 0;

    snprintf(conf, sizeof conf, CK_CONF_HEAD
             "[check stats]\nplugin = stats-comment\n"
             "[check live]\nplugin = %s\n", plugin_path("headlive"));
    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, conf, NULL, 0);
    ck_assert_str_eq(crun_get(&r, "stats", "status"), "pass");
    ck_assert_str_eq(crun_get(&r, "live", "status"), "pass");
    ck_assert_str_eq(crun_output(&r, "live", "task-id"), CK_CURRENT);
    ck_assert_str_eq(crun_output(&r, "live", "has-queue"), "yes");
    ck_assert_str_eq(crun_output(&r, "live", "project-id"), PROJECT_ID);
    ck_assert_int_eq(head_lookups(&s, NULL), 2);
    ck_assert_int_eq(ck_endpoint_count(&s, "projects.get_all"), 2);
    /* Only the plugin's own lookup asks for its head_fields. */
    log = sbx_log(&s);
    cJSON_ArrayForEach(e, log) {
        const char *b = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(e, "req_body"));

        if (b == NULL || strstr(b, "\"pattern\":\"^" CK_SHA "$\"") == NULL)
            continue;
        body = cJSON_Parse(b);
        with_hyper += has_string(cJSON_GetObjectItemCaseSensitive(
                                     body, "only_fields"), "hyperparams");
        cJSON_Delete(body);
    }
    cJSON_Delete(log);
    ck_assert_int_eq(with_hyper, 1);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* The shared lookup fails (a 400 the client does not repeat): every
 * check that reads it is ERROR with the server's words, and none of them
 * sends the lookup again. */
START_TEST(test_failure_reaches_every_reader)
{
    struct sbx s;
    struct crun r;

    ck_sbx_start(&s, "happy");
    ck_assert_int_eq(sbx_post(&s, "/__fault", "{\"match\": {\"endpoint\": "
                              "\"tasks.get_all\"}, \"status\": 400, "
                              "\"subcode\": 12, \"msg\": \"Validation error "
                              "(shared lookup refused)\"}"), 200);
    crun_mlgate(&r, &s, CK_CONF_HEAD
                "[check stats]\nplugin = stats-comment\n"
                "[check compare]\nplugin = compare\n"
                "metric = Performance Metric / Series 1\n", NULL);
    ck_assert_str_eq(crun_get(&r, "stats", "status"), "error");
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "error");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "stats", "summary"),
                                 "shared lookup refused"));
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "shared lookup refused"));
    ck_assert_int_eq(head_lookups(&s, NULL), 1);
    ck_assert_int_eq(ck_write_count(&s), 0);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

static Suite *facts_suite(void)
{
    Suite *s = suite_create("facts");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_lookups_shared);
    tcase_add_test(tc, test_nothing_unneeded);
    tcase_add_test(tc, test_scope_per_check);
    tcase_add_test(tc, test_fields_union);
    tcase_add_test(tc, test_undeclared_looks_up_live);
    tcase_add_test(tc, test_failure_reaches_every_reader);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(facts_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
