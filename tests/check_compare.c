/*
 * check_compare.c - end-to-end tests of the compare check: the real
 * mlgate binary and plugin against mlgate-sandbox scenarios.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "checks_common.h"

#define CMP_CONF(opts) \
    CK_CONF_HEAD "[check compare]\nplugin = compare\n" opts

#define CMP_PM "metric = Performance Metric / Series 1\n"
#define CMP_TAG "Best Performance"

/* Run compare with conf on a fresh sandbox and expect the exit code
 * want.  The caller owns r and s. */
static void cmp_run(struct sbx *s, struct crun *r, const char *scenario,
                    const char *conf, const char *const *extra, int want)
{
    ck_sbx_start(s, scenario);
    crun_expect(r, s, conf, extra, want);
}

/* The best tag is on task `on` only, and unrelated tags are intact. */
static void cmp_assert_best(const struct sbx *s, const char *on,
                            const char *off)
{
    cJSON *st = sbx_state(s);

    ck_assert_ptr_nonnull(st);
    ck_assert_msg(ck_has(ck_task(st, on), "tags", CMP_TAG),
                  "%s lacks the best tag", on);
    ck_assert_msg(!ck_has(ck_task(st, off), "tags", CMP_TAG),
                  "%s still has the best tag", off);
    /* The previous best keeps its other tag. */
    ck_assert(ck_has(ck_task(st, CK_BEST), "tags", "baseline"));
    cJSON_Delete(st);
}

START_TEST(test_happy_moves_tag)
{
    struct sbx s;
    struct crun r;
    const char *d, *sum;

    cmp_run(&s, &r, "happy", CMP_CONF(CMP_PM), NULL, 0);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "pass");
    sum = crun_get(&r, "compare", "summary");
    ck_assert_ptr_nonnull(strstr(sum, "98 vs best 90 (+8, +8.9%)"));
    ck_assert_ptr_nonnull(strstr(sum, "Best Performance moved"));
    cmp_assert_best(&s, CK_CURRENT, CK_BEST);
    d = crun_get(&r, "compare", "details");
    ck_assert_ptr_nonnull(strstr(d, "```mermaid\nxychart-beta\n"));
    ck_assert_ptr_nonnull(strstr(d, CK_CURRENT));
    ck_assert_ptr_nonnull(strstr(d, CK_BEST));
    /* Both curves, each asked for with only that metric. */
    ck_assert_int_eq(ck_endpoint_count(&s,
                     "events.scalar_metrics_iter_histogram"), 2);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_no_best_first)
{
    struct sbx s;
    struct crun r;
    cJSON *st;

    cmp_run(&s, &r, "no-best", CMP_CONF(CMP_PM), NULL, 0);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "pass");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "first best"));
    st = sbx_state(&s);
    ck_assert(ck_has(ck_task(st, CK_CURRENT), "tags", CMP_TAG));
    cJSON_Delete(st);
    crun_free(&r);

    /* A re-run finds the tag already in place and writes nothing. */
    crun_expect(&r, &s, CMP_CONF(CMP_PM), NULL, 0);
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "already carries"));
    ck_assert_int_eq(ck_endpoint_count(&s, "tasks.update_tags"), 1);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_regressed_fails_no_move)
{
    struct sbx s;
    struct crun r;

    cmp_run(&s, &r, "regressed", CMP_CONF(CMP_PM), NULL, 1);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "fail");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "regressed: 80 vs best 90 (-10, -11.1%)"));
    cmp_assert_best(&s, CK_BEST, CK_CURRENT);
    ck_assert_int_eq(ck_write_count(&s), 0);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_regressed_warn)
{
    struct sbx s;
    struct crun r;

    cmp_run(&s, &r, "regressed",
                             CMP_CONF(CMP_PM "on-regression = warn\n"),
                             NULL, 0);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "warn");
    cmp_assert_best(&s, CK_BEST, CK_CURRENT);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* 80 against 90: a tolerance of exactly 10 passes. */
START_TEST(test_tolerance_exact)
{
    struct sbx s;
    struct crun r;

    cmp_run(&s, &r, "regressed",
                             CMP_CONF(CMP_PM "tolerance = 10\n"), NULL, 0);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "pass");
    cmp_assert_best(&s, CK_CURRENT, CK_BEST);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_tolerance_within_pct)
{
    struct sbx s;
    struct crun r;

    cmp_run(&s, &r, "regressed",
                             CMP_CONF(CMP_PM "tolerance = 12%\n"), NULL, 0);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "pass");
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_tolerance_just_outside)
{
    struct sbx s;
    struct crun r;

    cmp_run(&s, &r, "regressed",
                             CMP_CONF(CMP_PM "tolerance = 9.99\n"), NULL, 1);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "fail");
    cmp_assert_best(&s, CK_BEST, CK_CURRENT);
    crun_free(&r);

    /* 11.1% of 90 is 9.99 as well. */
    crun_expect(&r, &s,
                                 CMP_CONF(CMP_PM "tolerance = 11.1%\n"),
                                 NULL, 1);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "fail");
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* checks-edges: CURRENT and BEST both reach 90 exactly. */
START_TEST(test_equal_values_pass)
{
    struct sbx s;
    struct crun r;

    cmp_run(&s, &r, "checks-edges.json", CMP_CONF(CMP_PM),
                             NULL, 0);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "pass");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "90 vs best 90 (+0, +0.0%)"));
    cmp_assert_best(&s, CK_CURRENT, CK_BEST);
    {
        cJSON *st = sbx_state(&s);

        /* The current task keeps its own unrelated tag too. */
        ck_assert(ck_has(ck_task(st, CK_CURRENT), "tags", "keep-me"));
        cJSON_Delete(st);
    }
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* goal = min compares min_value: Loss 0.25 beats 0.3; Performance
 * Metric's minimum 50 loses to 40. */
START_TEST(test_goal_min)
{
    struct sbx s;
    struct crun r;

    cmp_run(&s, &r, "checks-edges.json",
                             CMP_CONF(CMP_PM "goal = min\n"), NULL, 1);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "fail");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "regressed: 50 vs best 40"));
    cmp_assert_best(&s, CK_BEST, CK_CURRENT);
    crun_free(&r);

    crun_expect(&r, &s,
                                 CMP_CONF("metric = Loss / total\n"
                                          "goal = min\n"), NULL, 0);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "pass");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "0.25 vs best 0.3"));
    cmp_assert_best(&s, CK_CURRENT, CK_BEST);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* value = last: 88 (CURRENT's last) against 90 (BEST's last). */
START_TEST(test_value_last)
{
    struct sbx s;
    struct crun r;

    cmp_run(&s, &r, "checks-edges.json",
                             CMP_CONF(CMP_PM "value = last\n"), NULL, 1);
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "regressed: 88 vs best 90"));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_metric_missing_current)
{
    struct sbx s;
    struct crun r;
    const char *sum;

    cmp_run(&s, &r, "happy",
                             CMP_CONF("metric = Nope / x\n"), NULL, 1);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "fail");
    sum = crun_get(&r, "compare", "summary");
    ck_assert_ptr_nonnull(strstr(sum, "Nope / x"));
    ck_assert_ptr_nonnull(strstr(sum, "Performance Metric / Series 1"));
    ck_assert_int_eq(ck_write_count(&s), 0);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* Accuracy / top1 exists on CURRENT only: WARN, CURRENT becomes best. */
START_TEST(test_metric_missing_best)
{
    struct sbx s;
    struct crun r;

    cmp_run(&s, &r, "checks-edges.json",
                             CMP_CONF("metric = Accuracy / top1\n"), NULL, 0);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "warn");
    cmp_assert_best(&s, CK_CURRENT, CK_BEST);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_no_task)
{
    struct sbx s;
    struct crun r;

    cmp_run(&s, &r, "no-task", CMP_CONF(CMP_PM), NULL, 1);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "fail");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "3f9a1c2"));
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

    cmp_run(&s, &r, "happy", CMP_CONF(CMP_PM), extra, 0);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "pass");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "would move"));
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "details"),
                                 "would add tag"));
    ck_assert_int_eq(ck_write_count(&s), 0);
    cmp_assert_best(&s, CK_BEST, CK_CURRENT);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_bad_tolerance)
{
    struct sbx s;
    struct crun r;

    cmp_run(&s, &r, "happy",
                             CMP_CONF(CMP_PM "tolerance = lots\n"), NULL, 2);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "error");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "tolerance"));
    crun_free(&r);
    sbx_stop(&s);
    /* A tolerance that would overflow the arithmetic (or pass 1e400 as
     * infinity) is refused too. */
    cmp_run(&s, &r, "happy", CMP_CONF(CMP_PM "tolerance = 1e400\n"), NULL,
            2);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "error");
    crun_free(&r);
    sbx_stop(&s);
    cmp_run(&s, &r, "happy", CMP_CONF(CMP_PM "tolerance = 1e300%\n"), NULL,
            2);
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "expected a number from 0 to 1e9"));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

static Suite *cmp_suite(void)
{
    Suite *s = suite_create("compare");
    TCase *core = tcase_create("core");
    TCase *limits = tcase_create("limits");
    TCase *errors = tcase_create("errors");

    tcase_set_timeout(core, 30);
    tcase_set_timeout(limits, 30);
    tcase_set_timeout(errors, 30);
    tcase_add_test(core, test_happy_moves_tag);
    tcase_add_test(core, test_no_best_first);
    tcase_add_test(core, test_regressed_fails_no_move);
    tcase_add_test(core, test_regressed_warn);
    tcase_add_test(core, test_dry_run_no_write);
    tcase_add_test(limits, test_tolerance_exact);
    tcase_add_test(limits, test_tolerance_within_pct);
    tcase_add_test(limits, test_tolerance_just_outside);
    tcase_add_test(limits, test_equal_values_pass);
    tcase_add_test(limits, test_goal_min);
    tcase_add_test(limits, test_value_last);
    tcase_add_test(errors, test_metric_missing_current);
    tcase_add_test(errors, test_metric_missing_best);
    tcase_add_test(errors, test_no_task);
    tcase_add_test(errors, test_bad_tolerance);
    suite_add_tcase(s, core);
    suite_add_tcase(s, limits);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cmp_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
