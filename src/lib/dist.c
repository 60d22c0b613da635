/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dist.c: distribution functions for the tests: the standard normal and
 * the chi-square from GSL, the noncentral chi-square as a Poisson mixture
 * of central ones.  GSL's default error handler aborts the process; it is
 * switched off once, before the first call, so a bad argument gives NaN
 * instead.
 */
#include <math.h>
#include <pthread.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

#include "statsint.h"

static pthread_once_t gsl_once = PTHREAD_ONCE_INIT;

static void gsl_setup(void)
{
    gsl_set_error_handler_off();
}

void custos_stats_init(void)
{
    pthread_once(&gsl_once, gsl_setup);
}

double custos_normal_cdf(double x)
{
    custos_stats_init();
    if (isnan(x))
        return NAN;
    return gsl_cdf_ugaussian_P(x);
}

double custos_normal_quantile(double p)
{
    custos_stats_init();
    if (!(p > 0.0 && p < 1.0))
        return NAN;
    return gsl_cdf_ugaussian_Pinv(p);
}

double custos_chi2_sf(double x, double dof)
{
    custos_stats_init();
    if (isnan(x) || !(dof > 0.0))
        return NAN;
    if (x <= 0.0)
        return 1.0;
    return gsl_cdf_chisq_Q(x, dof);
}

double custos_chi2_isf(double q, double dof)
{
    custos_stats_init();
    if (!(q > 0.0 && q < 1.0) || !(dof > 0.0))
        return NAN;
    return gsl_cdf_chisq_Qinv(q, dof);
}

/* Poisson(m) probability of j, in logs to stay finite for large m. */
static double poisson_pmf(double m, double j)
{
    if (m == 0.0)
        return j == 0.0 ? 1.0 : 0.0;
    return exp(j * log(m) - m - lgamma(j + 1.0));
}

double custos_ncchi2_cdf(double x, double dof, double lambda)
{
    custos_stats_init();
    if (isnan(x) || !(dof > 0.0) || !(lambda >= 0.0) || !isfinite(lambda))
        return NAN;
    if (x <= 0.0)
        return 0.0;
    if (lambda == 0.0)
        return gsl_cdf_chisq_P(x, dof);
    /* P = sum_j Pois(j; lambda/2) P(chi2_{dof+2j} <= x), from the mode
     * outward in both directions: the weights fall off geometrically
     * there, and the mass still unsummed is 1 - (weights summed). */
    double m = lambda / 2.0;
    double mode = floor(m);
    double sum = 0.0, wsum = 0.0;
    for (double j = mode; j >= 0.0; j -= 1.0) {
        double w = poisson_pmf(m, j);
        sum += w * gsl_cdf_chisq_P(x, dof + 2.0 * j);
        wsum += w;
        if (w < 1e-17 && j < mode)
            break;
    }
    for (double j = mode + 1.0;; j += 1.0) {
        double w = poisson_pmf(m, j);
        sum += w * gsl_cdf_chisq_P(x, dof + 2.0 * j);
        wsum += w;
        if ((w < 1e-17 && j > m) || 1.0 - wsum < 1e-15 || j > mode + 1e7)
            break;
    }
    return sum > 1.0 ? 1.0 : sum;
}
