/*
 * compare-stats.h - the statistics of compare's `samples`: mean,
 * standard deviation and a 95 % confidence interval per side, and a
 * two-sided Welch t-test between the sides.  Distribution functions are
 * GSL's (gsl_cdf_tdist_*), not hand-written special functions.
 */
#ifndef MLG_COMPARE_STATS_H
#define MLG_COMPARE_STATS_H

#include <stddef.h>

/* One side's summary.  sd and the interval are NaN when n < 2. */
struct cmp_sample {
    size_t n;
    double mean;
    double sd;     /* sample standard deviation (n - 1 denominator) */
    double ci_lo;  /* 95 % confidence interval of the mean (Student t) */
    double ci_hi;
};

/* Summary of x[0..n), n >= 1. */
void cmp_stats_describe(const double *x, size_t n, struct cmp_sample *out);

/* Welch's unequal-variances t-test of a against b (t = (mean a - mean
 * b) / se, Welch-Satterthwaite degrees of freedom, two-sided p).
 * Returns 0, or -1 when it is undefined: a side with n < 2, or no
 * variance on either side. */
int cmp_stats_welch(const struct cmp_sample *a, const struct cmp_sample *b,
                    double *t, double *df, double *p);

#endif
