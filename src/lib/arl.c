/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arl.c: the average run length of Page's one-sided CUSUM and its
 * false-alarm probability over a campaign.
 *
 * Markov chain (D. Brook, D. A. Evans, "An approach to the probability
 * distribution of cusum run length", Biometrika 59(3), 1972): [0, h] is
 * cut into m states of width w = 2h / (2m - 1); state 0 holds S = 0 (and
 * S below w/2), state i the values within w/2 of i w; S above h =
 * (m - 1/2) w is the alarm.  From state i, S' = i w + y - k with
 * y ~ N(shift, 1), so the transient matrix is
 *   R[i][0] = Phi(w/2 - i w + k - shift)
 *   R[i][j] = Phi((j + 1/2) w - i w + k - shift) - Phi((j - 1/2) w - i w + k - shift)
 * and the ARLs from every state solve (I - R) L = 1 (LAPACK dgesv).  The
 * probability of no alarm within n steps from S = 0 is e_0^T R^n 1.
 */
#include <math.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "statsint.h"

#define DEFAULT_STATES 400

static int check(double k, double h, double shift, int states)
{
    if (!isfinite(k) || !isfinite(h) || !isfinite(shift) || h <= 0.0)
        return custos_error_set(CUSTOS_EDOMAIN, "Page's test needs finite k, shift and h > 0");
    if (states < 2 || states > 5000)
        return custos_error_set(CUSTOS_EDOMAIN, "Markov chain states %d not in 2..5000", states);
    return CUSTOS_OK;
}

/* The transient matrix (row-major m x m). */
static double *transient(double k, double h, double shift, int m)
{
    double *r = custos_malloc((size_t)m * (size_t)m * sizeof *r);
    double *cdf = custos_malloc((size_t)(2 * m + 1) * sizeof *cdf);
    if (!r || !cdf) {
        custos_free(r);
        custos_free(cdf);
        return NULL;
    }
    double w = 2.0 * h / (2.0 * m - 1.0);
    /* Phi((d + 1/2) w + k - shift) for d = j - i in -m..m: the matrix is
     * Toeplitz apart from column 0. */
    for (int d = -m; d <= m; d++)
        cdf[d + m] = custos_normal_cdf(((double)d + 0.5) * w + k - shift);
    for (int i = 0; i < m; i++) {
        double *ri = r + (size_t)i * (size_t)m;
        ri[0] = cdf[-i + m];
        for (int j = 1; j < m; j++)
            ri[j] = cdf[j - i + m] - cdf[j - i - 1 + m];
    }
    custos_free(cdf);
    return r;
}

int custos_arl_markov(double *arl, double k, double h, double shift, int states)
{
    custos_stats_init();
    if (states == 0)
        states = DEFAULT_STATES;
    int err = check(k, h, shift, states);
    if (err < 0)
        return err;
    int m = states;
    double *a = transient(k, h, shift, m);
    double *b = custos_malloc((size_t)m * sizeof *b);
    lapack_int *piv = custos_malloc((size_t)m * sizeof *piv);
    if (!a || !b || !piv) {
        err = custos_error_nomem();
        goto done;
    }
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < m; j++)
            a[(size_t)i * m + j] = (i == j) - a[(size_t)i * m + j];
        b[i] = 1.0;
    }
    lapack_int info = LAPACKE_dgesv(LAPACK_ROW_MAJOR, m, 1, a, m, piv, b, 1);
    if (info != 0 || !isfinite(b[0]) || b[0] < 1.0) {
        err = custos_error_set(CUSTOS_EDOMAIN,
                               "the run length is too long to compute (k %g, h %g, shift %g)", k, h,
                               shift);
        goto done;
    }
    *arl = b[0];
done:
    custos_free(a);
    custos_free(b);
    custos_free(piv);
    return err;
}

int custos_page_false_alarm(double *p, double k, double h, size_t n, int states)
{
    custos_stats_init();
    if (states == 0)
        states = DEFAULT_STATES;
    int err = check(k, h, 0.0, states);
    if (err < 0)
        return err;
    int m = states;
    size_t mm = (size_t)m * (size_t)m;
    double *r = transient(k, h, 0.0, m);
    double *v = custos_malloc((size_t)m * sizeof *v);
    double *tmp = custos_malloc((size_t)m * sizeof *tmp);
    double *sq = NULL;
    if (!r || !v || !tmp) {
        err = custos_error_nomem();
        goto done;
    }
    /* v = R^n 1: plain iteration for short campaigns, else by squaring
     * (all powers of R commute, so the order of the factors is free). */
    for (int i = 0; i < m; i++)
        v[i] = 1.0;
    if (n <= 64) {
        for (size_t s = 0; s < n; s++) {
            cblas_dgemv(CblasRowMajor, CblasNoTrans, m, m, 1.0, r, m, v, 1, 0.0, tmp, 1);
            memcpy(v, tmp, (size_t)m * sizeof *v);
        }
    } else {
        if (!(sq = custos_malloc(mm * sizeof *sq))) {
            err = custos_error_nomem();
            goto done;
        }
        size_t e = n;
        while (e) {
            if (e & 1u) {
                cblas_dgemv(CblasRowMajor, CblasNoTrans, m, m, 1.0, r, m, v, 1, 0.0, tmp, 1);
                memcpy(v, tmp, (size_t)m * sizeof *v);
            }
            e >>= 1;
            if (e) {
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, m, m, 1.0, r, m, r, m,
                            0.0, sq, m);
                double *t = r;
                r = sq;
                sq = t;
            }
        }
    }
    double surv = v[0];
    *p = surv >= 1.0 ? 0.0 : surv <= 0.0 ? 1.0 : 1.0 - surv;
done:
    custos_free(r);
    custos_free(v);
    custos_free(tmp);
    custos_free(sq);
    return err;
}

int custos_page_h_for_alpha(double *h, double k, size_t n, double alpha)
{
    if (!(alpha > 0.0 && alpha < 1.0) || n == 0 || !isfinite(k) || k < 0.0)
        return custos_error_set(CUSTOS_EDOMAIN,
                                "choosing h needs alpha in (0, 1), k >= 0 and a campaign of at "
                                "least one period");
    /* The false-alarm probability falls as h grows: bisect. */
    double lo = 1e-3, hi = 1.0, p;
    int err;
    for (;;) {
        if ((err = custos_page_false_alarm(&p, k, hi, n, 200)) < 0)
            return err;
        if (p <= alpha)
            break;
        lo = hi;
        hi *= 2.0;
        if (hi > 1e3)
            return custos_error_set(CUSTOS_EDOMAIN, "no h up to 1000 gives alpha %g", alpha);
    }
    while (hi - lo > 1e-6) {
        double mid = 0.5 * (lo + hi);
        if ((err = custos_page_false_alarm(&p, k, mid, n, 200)) < 0)
            return err;
        if (p > alpha)
            lo = mid;
        else
            hi = mid;
    }
    *h = hi;
    return CUSTOS_OK;
}

/* ---- Monte Carlo --------------------------------------------------------- */

#define ARL_BLOCK 256
#define ARL_MAX_STEPS 100000000L

typedef struct arl_ctx {
    double k, h, shift;
    long runs;
    uint64_t seed;
    double *sum, *sum2; /* per block */
} arl_ctx;

static int arl_block(void *vctx, long b)
{
    arl_ctx *c = vctx;
    custos_rng rng;
    custos_rng_seed(&rng, c->seed, (uint64_t)b);
    long first = b * ARL_BLOCK, last = first + ARL_BLOCK;
    if (last > c->runs)
        last = c->runs;
    double s = 0.0, s2 = 0.0;
    for (long r = first; r < last; r++) {
        double st = 0.0;
        long len = 0;
        do {
            st += custos_rng_normal(&rng) + c->shift - c->k;
            if (st < 0.0)
                st = 0.0;
            if (++len > ARL_MAX_STEPS)
                return custos_error_set(CUSTOS_EDOMAIN, "a run exceeded 10^8 steps");
        } while (st <= c->h);
        s += (double)len;
        s2 += (double)len * (double)len;
    }
    c->sum[b] = s;
    c->sum2[b] = s2;
    return CUSTOS_OK;
}

int custos_arl_mc(double *arl, double *se, double k, double h, double shift, long runs,
                  uint64_t seed, int threads)
{
    int err = check(k, h, shift, 2);
    if (err < 0)
        return err;
    if (runs < 2 || runs > 1000000000L)
        return custos_error_set(CUSTOS_EDOMAIN, "runs %ld not in 2..10^9", runs);
    long nb = (runs + ARL_BLOCK - 1) / ARL_BLOCK;
    arl_ctx c = {k, h, shift, runs, seed, custos_calloc((size_t)nb, sizeof(double)),
                 custos_calloc((size_t)nb, sizeof(double))};
    if (!c.sum || !c.sum2) {
        err = custos_error_nomem();
        goto done;
    }
    if ((err = custos_parallel_blocks(arl_block, &c, nb, threads)) < 0)
        goto done;
    /* Sums in block order: the same whatever the threads. */
    double s = 0.0, s2 = 0.0;
    for (long b = 0; b < nb; b++) {
        s += c.sum[b];
        s2 += c.sum2[b];
    }
    double mean = s / (double)runs;
    double var = (s2 - (double)runs * mean * mean) / (double)(runs - 1);
    *arl = mean;
    *se = sqrt(var > 0.0 ? var / (double)runs : 0.0);
done:
    custos_free(c.sum);
    custos_free(c.sum2);
    return err;
}
