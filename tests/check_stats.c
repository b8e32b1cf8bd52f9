/*
 * check_stats.c - end-to-end tests of the stats-comment check: the real
 * mlgate binary and plugin against mlgate-sandbox scenarios.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "checks_common.h"

#define STATS_CONF(opts) \
    CK_CONF_HEAD "[check stats]\nplugin = stats-comment\n" opts

/* The line after p's, or NULL at the end. */
static const char *stats_next_line(const char *p)
{
    const char *nl = strchr(p, '\n');

    return nl != NULL ? nl + 1 : NULL;
}

/* Table lines of the details ("| ..."). */
static int stats_table_lines(const char *details)
{
    const char *p;
    int n = 0;

    for (p = details; p != NULL && *p != '\0'; p = stats_next_line(p)) {
        if (*p == '|')
            n++;
    }
    return n;
}

START_TEST(test_happy_tags_and_table)
{
    struct sbx s;
    struct crun r;
    cJSON *st;
    const char *d;

    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, STATS_CONF(""), NULL, 0);
    ck_assert_str_eq(crun_get(&r, "stats", "status"), "pass");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "stats", "summary"),
                                 "tagged main_branch"));
    ck_assert_str_eq(crun_output(&r, "stats", "task-id"), CK_CURRENT);
    d = crun_get(&r, "stats", "details");
    ck_assert_ptr_nonnull(strstr(d, "| Title | Series | Last | Min | Max |"));
    ck_assert_ptr_nonnull(strstr(d, "| Performance Metric | Series 1 | "));
    ck_assert_ptr_nonnull(strstr(d, " 98 |"));
    /* Sorted by title: Loss before Performance Metric. */
    ck_assert_ptr_nonnull(strstr(d, "Loss"));
    ck_assert(strstr(d, "Loss") < strstr(d, "Performance Metric |"));
    ck_assert_ptr_null(strstr(d, ":monitor:"));
    ck_assert_ptr_nonnull(strstr(d, CK_CURRENT));
    ck_assert_ptr_nonnull(strstr(d, s.clearml_web));

    st = sbx_state(&s);
    ck_assert(ck_has(ck_task(st, CK_CURRENT), "tags", "main_branch"));
    ck_assert(!ck_has(ck_task(st, CK_DIRTY), "tags", "main_branch"));
    cJSON_Delete(st);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_monitoring_and_filter)
{
    struct sbx s;
    struct crun r;
    const char *d;

    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, STATS_CONF("monitoring = yes\n"),
                                 NULL, 0);
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "stats", "details"),
                                 ":monitor:machine"));
    crun_free(&r);

    crun_expect(&r, &s,
                                 STATS_CONF("metrics = ^Performance Metric"
                                            " / Series 1$\n"), NULL, 0);
    d = crun_get(&r, "stats", "details");
    ck_assert_ptr_nonnull(strstr(d, "| Performance Metric | Series 1 |"));
    ck_assert_ptr_null(strstr(d, "Series 2"));
    ck_assert_ptr_null(strstr(d, "Loss"));
    /* Header, separator and the one row. */
    ck_assert_int_eq(stats_table_lines(d), 3);
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "stats", "summary"),
                                 "1 metric"));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_empty_tag_disables)
{
    struct sbx s;
    struct crun r;
    cJSON *st;

    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, STATS_CONF("tag =\n"), NULL, 0);
    ck_assert_str_eq(crun_get(&r, "stats", "status"), "pass");
    ck_assert_int_eq(ck_write_count(&s), 0);
    st = sbx_state(&s);
    ck_assert(!ck_has(ck_task(st, CK_CURRENT), "tags", "main_branch"));
    cJSON_Delete(st);
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
    crun_expect(&r, &s, STATS_CONF(""), extra, 0);
    ck_assert_str_eq(crun_get(&r, "stats", "status"), "pass");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "stats", "summary"),
                                 "would be tagged main_branch"));
    ck_assert_int_eq(ck_write_count(&s), 0);
    ck_assert_int_gt(ck_endpoint_count(&s, "tasks.get_all"), 0);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* A `|` or a newline in a metric name must not break the table. */
START_TEST(test_cells_escaped)
{
    struct sbx s;
    struct crun r;
    const char *d, *p;
    int rows = 0;

    ck_sbx_start(&s, "checks-edges.json");
    crun_expect(&r, &s, STATS_CONF(""), NULL, 0);
    d = crun_get(&r, "stats", "details");
    for (p = d; p != NULL && *p != '\0'; p = stats_next_line(p)) {
        const char *q;
        int bars = 0;

        if (*p != '|')
            continue;
        rows++;
        for (q = p; *q != '\0' && *q != '\n'; q++) {
            if (*q == '|' && (q == p || q[-1] != '\\'))
                bars++;
        }
        ck_assert_msg(bars == 6, "table line with %d cells borders: %.80s",
                      bars, p);
    }
    /* Header, separator, and the 4 metrics of CURRENT. */
    ck_assert_int_eq(rows, 6);
    ck_assert_ptr_nonnull(strstr(d, "we\\|ird"));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_no_task)
{
    struct sbx s;
    struct crun r;

    ck_sbx_start(&s, "no-task");
    crun_expect(&r, &s, STATS_CONF(""), NULL, 1);
    ck_assert_str_eq(crun_get(&r, "stats", "status"), "fail");
    ck_assert_str_eq(crun_get(&r, "stats", "summary"),
                     "no completed ClearML task ran commit 3f9a1c2 without "
                     "uncommitted changes");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "stats", "details"),
                                 "run it once in ClearML with this code"));
    ck_assert_int_eq(ck_write_count(&s), 0);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_dirty_named)
{
    struct sbx s;
    struct crun r;
    cJSON *st;

    ck_sbx_start(&s, "dirty");
    crun_expect(&r, &s, STATS_CONF(""), NULL, 1);
    ck_assert_str_eq(crun_get(&r, "stats", "status"), "fail");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "stats", "summary"),
                                 "d1d1d1d"));
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "stats", "summary"),
                                 "uncommitted changes"));
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "stats", "details"),
                                 CK_DIRTY));
    st = sbx_state(&s);
    ck_assert(!ck_has(ck_task(st, CK_DIRTY), "tags", "main_branch"));
    cJSON_Delete(st);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_bad_regex)
{
    struct sbx s;
    struct crun r;

    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, STATS_CONF("metrics = (unclosed\n"),
                                 NULL, 2);
    ck_assert_str_eq(crun_get(&r, "stats", "status"), "error");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "stats", "summary"),
                                 "metrics"));
    ck_assert_int_eq(ck_write_count(&s), 0);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

static Suite *stats_suite(void)
{
    Suite *s = suite_create("stats-comment");
    TCase *core = tcase_create("core");
    TCase *limits = tcase_create("limits");
    TCase *errors = tcase_create("errors");

    tcase_set_timeout(core, 30);
    tcase_set_timeout(limits, 30);
    tcase_set_timeout(errors, 30);
    tcase_add_test(core, test_happy_tags_and_table);
    tcase_add_test(core, test_monitoring_and_filter);
    tcase_add_test(core, test_empty_tag_disables);
    tcase_add_test(core, test_dry_run_no_write);
    tcase_add_test(limits, test_cells_escaped);
    tcase_add_test(errors, test_no_task);
    tcase_add_test(errors, test_dirty_named);
    tcase_add_test(errors, test_bad_regex);
    suite_add_tcase(s, core);
    suite_add_tcase(s, limits);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(stats_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
