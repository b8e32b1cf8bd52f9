/*
 * check_compare_stats.c - compare's statistics (plugins/compare-stats.c)
 * against reference values computed independently, to 4 significant
 * digits.
 *
 * How each reference was obtained:
 *  - sleep: R's own example, `t.test(extra ~ group, data = sleep)`
 *    (R documentation of t.test, Welch is R's default), which prints
 *        t = -1.8608, df = 17.776, p-value = 0.07939
 *        mean in group 1 mean in group 2
 *                   0.75            2.33
 *    R could not be run here; those figures are R's published output,
 *    and python3-scipy 1.10.1 (Debian) agrees:
 *    scipy.stats.ttest_ind(g1, g2, equal_var=False) -> t = -1.860813467,
 *    p = 0.07939414019.
 *  - the seed sets of the compare-noise-* scenarios: python3-scipy
 *    1.10.1, `ttest_ind(head, base, equal_var=False)`, cross-checked by
 *    hand with python3's statistics module (mean, stdev, variance) and
 *    the Welch formulas t = (ma - mb) / sqrt(va/na + vb/nb),
 *    df = (va/na + vb/nb)^2 / ((va/na)^2/(na-1) + (vb/nb)^2/(nb-1)),
 *    p = 2 * scipy.stats.t.sf(|t|, df) - identical to 10 digits.
 *    Confidence intervals: mean -+ scipy.stats.t.ppf(0.975, n-1) * sd /
 *    sqrt(n).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include <check.h>

#include "../plugins/compare-stats.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const double sleep1[] = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7,
                                0.8, 0.0, 2.0};
static const double sleep2[] = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6,
                                4.6, 3.4};
static const double base[] = {90.1, 89.7, 90.4, 89.9, 90.2};
static const double reg[] = {85.2, 84.9, 85.6, 85.0, 85.3};
static const double noisy[] = {88.0, 92.5, 84.0, 91.0, 86.5};
static const double improve[] = {92.1, 92.8, 91.9, 92.5, 93.0};

/* got equals want to 4 significant digits. */
static void near4(double got, double want, const char *what)
{
    double tol = fabs(want) * 5e-5;

    ck_assert_msg(fabs(got - want) <= tol, "%s: got %.10g, want %.10g",
                  what, got, want);
}

static void welch(const double *a, size_t na, const double *b, size_t nb,
                  double want_t, double want_df, double want_p)
{
    struct cmp_sample sa, sb;
    double t, df, p;

    cmp_stats_describe(a, na, &sa);
    cmp_stats_describe(b, nb, &sb);
    ck_assert_int_eq(cmp_stats_welch(&sa, &sb, &t, &df, &p), 0);
    near4(t, want_t, "t");
    near4(df, want_df, "df");
    near4(p, want_p, "p");
}

START_TEST(test_sleep_matches_r)
{
    struct cmp_sample s;

    welch(sleep1, N(sleep1), sleep2, N(sleep2), -1.860813467, 17.77647352,
          0.07939414019);
    cmp_stats_describe(sleep1, N(sleep1), &s);
    near4(s.mean, 0.75, "mean 1");
    near4(s.sd, 1.789009658, "sd 1");
    cmp_stats_describe(sleep2, N(sleep2), &s);
    near4(s.mean, 2.33, "mean 2");
    near4(s.ci_lo, 0.8976775394, "ci lo 2");
    near4(s.ci_hi, 3.762322461, "ci hi 2");
}
END_TEST

START_TEST(test_scenario_sets)
{
    struct cmp_sample s;

    /* The real regression: significant. */
    welch(reg, N(reg), base, N(base), -28.24817621, 7.998539346,
          2.67228458e-09);
    /* The noisy non-regression: worse mean, not significant. */
    welch(noisy, N(noisy), base, N(base), -1.082956772, 4.050019458,
          0.3390464464);
    /* The improvement: significant. */
    welch(improve, N(improve), base, N(base), 10.03490412, 6.453587913,
          3.574224847e-05);
    cmp_stats_describe(base, N(base), &s);
    ck_assert_uint_eq(s.n, 5);
    near4(s.mean, 90.06, "base mean");
    near4(s.sd, 0.2701851217, "base sd");
    near4(s.ci_lo, 89.72452086, "base ci lo");
    near4(s.ci_hi, 90.39547914, "base ci hi");
    cmp_stats_describe(noisy, N(noisy), &s);
    near4(s.sd, 3.416869913, "noisy sd");
    near4(s.ci_lo, 84.15739564, "noisy ci lo");
    near4(s.ci_hi, 92.64260436, "noisy ci hi");
}
END_TEST

/* Undefined cases: one run on a side, or no spread at all. */
START_TEST(test_undefined)
{
    static const double one[] = {88.0};
    static const double flat[] = {90.0, 90.0, 90.0};
    struct cmp_sample a, b;
    double t, df, p;

    cmp_stats_describe(one, 1, &a);
    ck_assert(a.mean == 88.0);
    ck_assert(isnan(a.sd) && isnan(a.ci_lo) && isnan(a.ci_hi));
    cmp_stats_describe(base, N(base), &b);
    ck_assert_int_eq(cmp_stats_welch(&a, &b, &t, &df, &p), -1);
    cmp_stats_describe(flat, N(flat), &a);
    cmp_stats_describe(flat, N(flat), &b);
    ck_assert(a.sd == 0);
    ck_assert_int_eq(cmp_stats_welch(&a, &b, &t, &df, &p), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compare-stats");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_sleep_matches_r);
    tcase_add_test(tc, test_scenario_sets);
    tcase_add_test(tc, test_undefined);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
