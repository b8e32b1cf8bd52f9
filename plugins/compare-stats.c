/*
 * compare-stats.c - mean, sd, confidence interval and Welch's t-test for
 * compare's `samples`.  Compiled into compare.so only.
 */
#include <config.h>

#include <math.h>

#include <gsl/gsl_cdf.h>

#include "compare-stats.h"

void cmp_stats_describe(const double *x, size_t n, struct cmp_sample *out)
{
    double sum = 0, ss = 0, half;
    size_t i;

    out->n = n;
    for (i = 0; i < n; i++)
        sum += x[i];
    out->mean = n ? sum / (double)n : NAN;
    out->sd = out->ci_lo = out->ci_hi = NAN;
    if (n < 2)
        return;
    /* Two passes: the sum of squared deviations stays exact for values
     * far from zero, where E[x^2] - E[x]^2 would cancel. */
    for (i = 0; i < n; i++)
        ss += (x[i] - out->mean) * (x[i] - out->mean);
    out->sd = sqrt(ss / (double)(n - 1));
    half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * out->sd
           / sqrt((double)n);
    out->ci_lo = out->mean - half;
    out->ci_hi = out->mean + half;
}

int cmp_stats_welch(const struct cmp_sample *a, const struct cmp_sample *b,
                    double *t, double *df, double *p)
{
    double va, vb, se2;

    if (a->n < 2 || b->n < 2)
        return -1;
    va = a->sd * a->sd / (double)a->n;
    vb = b->sd * b->sd / (double)b->n;
    se2 = va + vb;
    if (!(se2 > 0))
        return -1;
    *t = (a->mean - b->mean) / sqrt(se2);
    *df = se2 * se2 / (va * va / (double)(a->n - 1)
                       + vb * vb / (double)(b->n - 1));
    *p = 2.0 * gsl_cdf_tdist_Q(fabs(*t), *df);
    if (*p > 1.0)
        *p = 1.0;
    return 0;
}
