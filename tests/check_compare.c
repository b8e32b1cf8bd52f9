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

#define CMP_MULTI "events.multi_task_scalar_metrics_iter_histogram"

/* The one multi-task histogram request of the run names tasks a and b
 * (in that order), goes to API 2.28 and asks for the one metric. */
static void cmp_assert_multi_body(const struct sbx *s, const char *a,
                                  const char *b)
{
    cJSON *log = sbx_log(s), *body = NULL;
    const cJSON *e, *tasks, *m;

    ck_assert_ptr_nonnull(log);
    cJSON_ArrayForEach(e, log) {
        const char *ep = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(e, "endpoint"));

        if (ep != NULL && strcmp(ep, CMP_MULTI) == 0) {
            ck_assert_str_eq(cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(e, "path")),
                "/clearml/v2.28/" CMP_MULTI);
            body = cJSON_Parse(cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(e, "req_body")));
        }
    }
    ck_assert_ptr_nonnull(body);
    tasks = cJSON_GetObjectItemCaseSensitive(body, "tasks");
    ck_assert_int_eq(cJSON_GetArraySize(tasks), 2);
    ck_assert_str_eq(cJSON_GetArrayItem(tasks, 0)->valuestring, a);
    ck_assert_str_eq(cJSON_GetArrayItem(tasks, 1)->valuestring, b);
    m = cJSON_GetObjectItemCaseSensitive(body, "metrics");
    ck_assert_int_eq(cJSON_GetArraySize(m), 1);
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(m, 0), "metric")), "Performance Metric");
    cJSON_Delete(body);
    cJSON_Delete(log);
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
    /* Two distinct colours, set in the init directive, in line order
     * (current first), and the sides named. */
    ck_assert_ptr_nonnull(strstr(d, "```mermaid\n%%{init: {\"themeVariables\": "
                                 "{\"xyChart\": {\"plotColorPalette\": "
                                 "\"#d62728, #1f77b4\"}}}}%%\nxychart-beta\n"));
    ck_assert_ptr_nonnull(strstr(d, "Red: current task (head); blue: best "
                                 "task (baseline)."));
    ck_assert_ptr_nonnull(strstr(d, CK_CURRENT));
    ck_assert_ptr_nonnull(strstr(d, CK_BEST));
    /* Both curves in one request (the server has API 2.34), with only
     * that metric. */
    ck_assert_int_eq(ck_endpoint_count(&s,
                     "events.scalar_metrics_iter_histogram"), 0);
    ck_assert_int_eq(ck_endpoint_count(&s, CMP_MULTI), 1);
    cmp_assert_multi_body(&s, CK_CURRENT, CK_BEST);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* An API 2.23 server has no "metrics" filter on the multi-task endpoint:
 * one filtered request per task, and the chart still has both curves. */
START_TEST(test_old_server_histogram_per_task)
{
    struct sbx s;
    struct crun r;
    const char *d;

    cmp_run(&s, &r, "old-server", CMP_CONF(CMP_PM), NULL, 0);
    ck_assert_int_eq(ck_endpoint_count(&s,
                     "events.scalar_metrics_iter_histogram"), 2);
    ck_assert_int_eq(ck_endpoint_count(&s, CMP_MULTI), 0);
    d = crun_get(&r, "compare", "details");
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(strstr(d, "xychart-beta"));
    ck_assert_ptr_nonnull(strstr(d, "Red: current task (head); blue: best "
                                 "task (baseline)."));
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

/* ---- samples: several seeds per side (compare-noise-* scenarios; the
 * statistics themselves are checked against references in
 * check_compare_stats). */

#define CMP_SAMPLES CMP_PM "samples = 5\n"

/* A real regression: FAIL with p < 0.05, nothing moved, one
 * tasks.get_all per side beyond the commit and best-tag lookups, every
 * run charted in two colours. */
START_TEST(test_samples_regression_fails)
{
    struct sbx s;
    struct crun r;
    const char *sum, *d;

    cmp_run(&s, &r, "compare-noise-regression.json", CMP_CONF(CMP_SAMPLES),
            NULL, 1);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "fail");
    sum = crun_get(&r, "compare", "summary");
    ck_assert_msg(strstr(sum, "regressed: 85.2 (n=5, sd 0.274, 95% CI "
                         "84.86..85.54) vs 90.06 (n=5, sd 0.27, 95% CI "
                         "89.72..90.4), -4.86, -5.4%, p=2.67e-09 < 0.05")
                  != NULL, "%s", sum);
    ck_assert_int_eq(ck_write_count(&s), 0);
    ck_assert_int_eq(ck_endpoint_count(&s, "tasks.get_all"), 4);
    d = crun_get(&r, "compare", "details");
    ck_assert_ptr_nonnull(strstr(d, "t = -28.25, df = 7.999, p = "
                                 "2.672e-09"));
    ck_assert_ptr_nonnull(strstr(d, "\"plotColorPalette\": \"#1f77b4, "
                                 "#1f77b4, #1f77b4, #1f77b4, #1f77b4, "
                                 "#d62728, #d62728, #d62728, #d62728, "
                                 "#d62728\""));
    ck_assert_ptr_nonnull(strstr(d, "Blue: baseline runs (5); red: head "
                                 "runs (5)."));
    /* The dirty head run and the archived baseline run (value 10) are
     * not samples. */
    ck_assert_ptr_null(strstr(d, ", 10 |"));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* Worse beyond the tolerance but not significant: WARN "inconclusive"
 * with n, the means, the intervals and p. */
START_TEST(test_samples_noisy_inconclusive)
{
    struct sbx s;
    struct crun r;
    const char *sum;

    cmp_run(&s, &r, "compare-noise-noisy.json", CMP_CONF(CMP_SAMPLES),
            NULL, 0);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "warn");
    sum = crun_get(&r, "compare", "summary");
    ck_assert_msg(strstr(sum, "inconclusive: 88.4 (n=5, sd 3.42, 95% CI "
                         "84.16..92.64) vs 90.06 (n=5, sd 0.27, 95% CI "
                         "89.72..90.4), -1.66, -1.8%, p=0.339 >= 0.05; "
                         "Best Performance not moved") != NULL, "%s", sum);
    ck_assert_int_eq(ck_write_count(&s), 0);
    crun_free(&r);

    /* The same runs with samples = 1 compare one run with one run, as
     * before: 88 against 90 is a plain FAIL. */
    crun_expect(&r, &s, CMP_CONF(CMP_PM), NULL, 1);
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "regressed: 88 vs best 90.1"));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* A significant improvement moves the tag. */
START_TEST(test_samples_improvement_moves)
{
    struct sbx s;
    struct crun r;

    cmp_run(&s, &r, "compare-noise-improvement.json", CMP_CONF(CMP_SAMPLES),
            NULL, 0);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "pass");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "p=3.57e-05 \xe2\x80\x94 Best Performance "
                                 "moved"));
    cmp_assert_best(&s, CK_CURRENT, CK_BEST);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* One run on the head side: no t-test, so a worse mean is inconclusive,
 * never a FAIL; and a better mean without a test does not move the tag
 * (alpha cannot be met). */
START_TEST(test_samples_single_run)
{
    struct sbx s;
    struct crun r;

    cmp_run(&s, &r, "compare-noise-single.json", CMP_CONF(CMP_SAMPLES),
            NULL, 0);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "warn");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "inconclusive: 88 (n=1) vs 90.06 (n=5"));
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "no t-test"));
    crun_free(&r);

    crun_expect(&r, &s, CMP_CONF(CMP_SAMPLES "tolerance = 5%\n"), NULL,
                0);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "pass");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "no significant change"));
    ck_assert_int_eq(ck_write_count(&s), 0);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_bad_samples)
{
    struct sbx s;
    struct crun r;

    cmp_run(&s, &r, "happy", CMP_CONF(CMP_PM "samples = 0\n"), NULL, 2);
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "samples: expected 1 to 50, got 0"));
    crun_free(&r);
    crun_expect(&r, &s, CMP_CONF(CMP_PM "alpha = 1.5\n"), NULL, 2);
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "compare", "summary"),
                                 "alpha: expected a number between 0 and "
                                 "1, got 1.5"));
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
    tcase_add_test(core, test_old_server_histogram_per_task);
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
    tcase_add_test(errors, test_bad_samples);
    tcase_add_test(limits, test_samples_regression_fails);
    tcase_add_test(limits, test_samples_noisy_inconclusive);
    tcase_add_test(limits, test_samples_improvement_moves);
    tcase_add_test(limits, test_samples_single_run);
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
