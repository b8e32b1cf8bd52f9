/*
 * check_diff.c - end-to-end tests of the diff check: the real mlgate
 * binary and plugin against the checks-diff sandbox scenario.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "checks_common.h"

#define DIFF_CONF(opts) \
    CK_CONF_HEAD "[check diff]\nplugin = diff\n" opts
#define DIFF_SCENARIO "checks-diff.json"
#define DIFF_TIP "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"
#define ZWSP "\xe2\x80\x8b"
#define ELLIPSIS "\xe2\x80\xa6"

static void diff_run(struct sbx *s, struct crun *r, const char *conf,
                     int want)
{
    ck_sbx_start(s, DIFF_SCENARIO);
    crun_expect(r, s, conf, NULL, want);
}

/* Whether the line of d holding needle also holds also. */
static int line_has(const char *d, const char *needle, const char *also)
{
    const char *p = strstr(d, needle), *bol, *eol;

    if (p == NULL)
        return 0;
    for (bol = p; bol > d && bol[-1] != '\n'; bol--)
        ;
    eol = strchr(p, '\n');
    if (eol == NULL)
        eol = p + strlen(p);
    p = strstr(bol, also);
    return p != NULL && p < eol;
}

/* Every metric, sorted by the size of the change, highlights beyond 1 %,
 * added and removed metrics; every changed hyperparameter, configuration
 * item and pin with old and new values; unchanged ones counted; two
 * ClearML requests beyond login and the shared lookups; no write. */
START_TEST(test_happy_full_diff)
{
    struct sbx s;
    struct crun r;
    const char *d, *sum, *loss, *perf, *acc;

    diff_run(&s, &r, DIFF_CONF(""), 0);
    ck_assert_str_eq(crun_get(&r, "diff", "status"), "pass");
    ck_assert_str_eq(crun_output(&r, "diff", "baseline-task-id"), CK_BEST);
    d = crun_get(&r, "diff", "details");
    sum = crun_get(&r, "diff", "summary");
    ck_assert_msg(strstr(sum, "5 metrics (2 beyond 1%, 1 added, 1 removed)")
                  != NULL, "summary: %s", sum);
    ck_assert_msg(strstr(sum, "parameters changed (4 unchanged)") != NULL,
                  "summary: %s", sum);
    ck_assert_msg(strstr(sum, "3 pins changed") != NULL, "summary: %s", sum);

    /* Metrics: biggest relative change first (Loss +10 %, then
     * Performance +8.89 %, then the unchanged Accuracy), highlighted
     * beyond 1 %, with arrows. */
    loss = strstr(d, "| Loss / val | 0.3 | 0.33 | +0.03 | **+10.00%** | "
                  "\xe2\x96\xb2 |");
    perf = strstr(d, "| Performance Metric / Series 1 | 90 | 98 | +8 | "
                  "**+8.89%** | \xe2\x96\xb2 |");
    acc = strstr(d, "| Accuracy / top1 | 0.9 | 0.9 | +0 | +0.00% | = |");
    ck_assert_msg(loss && perf && acc, "metrics table:\n%s", d);
    ck_assert(loss < perf && perf < acc);
    ck_assert_msg(line_has(d, "New\\|metric / ", "| added |"), "%s", d);
    ck_assert(line_has(d, "| Old / metric |", "| removed |"));

    /* Hyperparameters and configuration. */
    ck_assert(line_has(d, "| hyperparams: Args | lr | changed |",
                       "| 0.1 | 0.01 |"));
    ck_assert(line_has(d, "| hyperparams: Args | dropout | added |",
                       "| 0.2 |"));
    ck_assert(line_has(d, "| hyperparams: Args | momentum | removed |",
                       "| 0.9 |"));
    ck_assert(line_has(d, "| configuration | big | changed |",
                       ELLIPSIS));
    ck_assert_ptr_null(strstr(d, "| batch\\_size |"));
    ck_assert_ptr_nonnull(strstr(d, "4 unchanged."));
    /* Requirements. */
    ck_assert(line_has(d, "| torch |", "| ==2.0.1 | ==2.1.0 |"));
    ck_assert(line_has(d, "| newpkg |", "| ==1.0 |"));
    ck_assert(line_has(d, "| oldpkg |", "| ==0.3 |"));
    ck_assert_ptr_null(strstr(d, "| numpy |"));

    /* Budget: the shared commit lookup, then the baseline lookup and
     * one tasks.get_all for both tasks. */
    ck_assert_int_eq(ck_endpoint_count(&s, "tasks.get_all"), 3);
    ck_assert_int_eq(ck_write_count(&s), 0);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* A 5,000-character value: shortened with a visible ellipsis in the
 * table, whole in a collapsed section. */
START_TEST(test_long_value_collapsed)
{
    struct sbx s;
    struct crun r;
    const char *d, *full;
    char *want = malloc(4990 + 16);

    diff_run(&s, &r, DIFF_CONF(""), 0);
    d = crun_get(&r, "diff", "details");
    full = strstr(d, "<details><summary>Full values");
    ck_assert_msg(full != NULL, "%s", d);
    memset(want, 'y', 4990);
    strcpy(want + 4990, "NEW-TAIL");
    ck_assert_ptr_nonnull(strstr(full, want));
    want[0] = 'x';
    memset(want, 'x', 4990);
    strcpy(want + 4990, "OLD-TAIL");
    ck_assert_ptr_nonnull(strstr(full, want));
    /* Not in the table. */
    ck_assert_ptr_null(strstr(d, "NEW-TAIL |"));
    ck_assert_ptr_nonnull(strstr(full, "</details>"));
    free(want);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* d without its fenced code blocks (where HTML and mentions are text).
 * Caller frees. */
static char *outside_fences(const char *d)
{
    char *out = malloc(strlen(d) + 1), *o = out;
    int in = 0;

    while (*d != '\0') {
        size_t n = strcspn(d, "\n");
        int fence = strncmp(d, "```", 3) == 0;

        if (fence)
            in = !in;
        else if (!in) {
            memcpy(o, d, n);
            o += n;
            *o++ = '\n';
        }
        d += n + (d[n] == '\n');
    }
    *o = '\0';
    return out;
}

/* Hostile keys and values render harmlessly: no raw HTML and no live
 * mention outside code blocks, no unescaped pipe breaking a row, the
 * fence and </details> inside a value kept inside its code block. */
START_TEST(test_hostile_text)
{
    struct sbx s;
    struct crun r;
    const char *full;
    char *d;

    diff_run(&s, &r, DIFF_CONF(""), 0);
    full = crun_get(&r, "diff", "details");
    /* The value's own fence starts mid-line: it cannot close the
     * block, and the value's "@team" is broken there too. */
    ck_assert_ptr_nonnull(strstr(full, "\nsecond line ``` </details>\n"
                                 "```\n"));
    ck_assert_ptr_null(strstr(full, "@team"));
    d = outside_fences(full);
    ck_assert_ptr_null(strstr(d, "<script"));
    ck_assert_ptr_null(strstr(d, "<img"));
    ck_assert_ptr_null(strstr(d, "<b>"));
    ck_assert_ptr_null(strstr(d, "@team"));
    ck_assert_ptr_nonnull(strstr(d, "@" ZWSP "team"));
    /* The hostile row: key and value escaped, newline folded. */
    ck_assert_msg(line_has(d, "&lt;script&gt;alert(1)&lt;/script&gt;\\|@"
                           ZWSP "team \\`x\\`", "| changed | plain | a\\|b "
                           "\\`tick\\` &lt;img"), "%s", d);
    /* One </details> only: the one closing the full values. */
    ck_assert_ptr_nonnull(strstr(d, "</details>"));
    ck_assert_ptr_eq(strstr(d, "</details>"), strrchr(d, '<'));
    free(d);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* baseline = branch:main: the newest clean completed task of main (the
 * newer dirty one is skipped), not the best-tag task. */
START_TEST(test_branch_baseline)
{
    struct sbx s;
    struct crun r;

    diff_run(&s, &r, DIFF_CONF("baseline = branch:main\n"), 0);
    ck_assert_str_eq(crun_output(&r, "diff", "baseline-task-id"), DIFF_TIP);
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "diff", "details"),
                                 "newest clean task of branch **main**"));
    ck_assert(line_has(crun_get(&r, "diff", "details"),
                       "| hyperparams: Args | lr | changed |",
                       "| 0.05 | 0.01 |"));
    ck_assert_int_eq(ck_endpoint_count(&s, "tasks.get_all"), 3);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* fail-on names a metric beyond its threshold: FAIL (exit 1); warn-on
 * alone: WARN; a threshold not passed: PASS. */
START_TEST(test_fail_on)
{
    struct sbx s;
    struct crun r;

    diff_run(&s, &r, DIFF_CONF("fail-on = Loss/val > +2%, Accuracy < "
                               "-0.5\n"), 1);
    ck_assert_str_eq(crun_get(&r, "diff", "status"), "fail");
    ck_assert_msg(strstr(crun_get(&r, "diff", "summary"),
                         "fail-on \"Loss/val > +2%\": Loss / val changed by "
                         "+10%") != NULL, "%s",
                  crun_get(&r, "diff", "summary"));
    ck_assert_int_eq(ck_write_count(&s), 0);
    crun_free(&r);

    crun_expect(&r, &s, DIFF_CONF("warn-on = Performance Metric / Series "
                                  "1 >= 8\n"), NULL, 0);
    ck_assert_str_eq(crun_get(&r, "diff", "status"), "warn");
    crun_free(&r);

    crun_expect(&r, &s, DIFF_CONF("fail-on = Loss/val > +20%, top1 < "
                                  "-0.5\n"), NULL, 0);
    ck_assert_str_eq(crun_get(&r, "diff", "status"), "pass");
    crun_free(&r);

    /* A rule no metric can evaluate is not silently passed. */
    crun_expect(&r, &s, DIFF_CONF("fail-on = nosuch > 1\n"), NULL, 0);
    ck_assert_str_eq(crun_get(&r, "diff", "status"), "warn");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "diff", "summary"),
                                 "no metric of that name"));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_bad_rule)
{
    struct sbx s;
    struct crun r;

    diff_run(&s, &r, DIFF_CONF("fail-on = val/loss ~ 2\n"), 2);
    ck_assert_str_eq(crun_get(&r, "diff", "status"), "error");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "diff", "summary"),
                                 "fail-on: expected"));
    crun_free(&r);
    crun_expect(&r, &s, DIFF_CONF("baseline = tip\n"), NULL, 2);
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "diff", "summary"),
                                 "baseline: expected"));
    crun_free(&r);
    crun_expect(&r, &s, DIFF_CONF("highlight = big\n"), NULL, 2);
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "diff", "summary"),
                                 "highlight: expected a number"));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* No baseline task: informational PASS, nothing compared. */
START_TEST(test_no_baseline)
{
    struct sbx s;
    struct crun r;

    diff_run(&s, &r, DIFF_CONF("best-tag = nobody-has-this\n"), 0);
    ck_assert_str_eq(crun_get(&r, "diff", "status"), "pass");
    ck_assert_ptr_nonnull(strstr(crun_get(&r, "diff", "summary"),
                                 "no other task carries nobody-has-this"));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

/* A last value the JSON parser reads as infinity is no value: left out,
 * and the details say so. */
START_TEST(test_not_finite_left_out)
{
    struct sbx s;
    struct crun r;
    const char *d;

    ck_sbx_start(&s, "diff-inf.json");
    crun_expect(&r, &s, DIFF_CONF(""), NULL, 0);
    ck_assert_str_eq(crun_get(&r, "diff", "status"), "pass");
    d = crun_get(&r, "diff", "details");
    ck_assert_msg(strstr(d, "1 metric value is not a finite number and "
                         "left out.") != NULL, "%s", d);
    ck_assert_ptr_null(strstr(d, "inf"));
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

static Suite *diff_suite(void)
{
    Suite *s = suite_create("diff");
    TCase *core = tcase_create("core");

    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_happy_full_diff);
    tcase_add_test(core, test_long_value_collapsed);
    tcase_add_test(core, test_hostile_text);
    tcase_add_test(core, test_branch_baseline);
    tcase_add_test(core, test_fail_on);
    tcase_add_test(core, test_bad_rule);
    tcase_add_test(core, test_no_baseline);
    tcase_add_test(core, test_not_finite_left_out);
    suite_add_tcase(s, core);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(diff_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
