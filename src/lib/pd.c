/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pd.c: detection probability of a diversion scenario for each test, and
 * the false-alarm probability beside it.
 *
 * Exact where the distribution is known: SITMUF components are
 * independent N(delta_t, 1) with delta = L^-1 mu, so the SITMUF test
 * alarms somewhere with probability 1 - prod Phi(z - delta_t); CUMUF_n is
 * normal; GEMUF_n = sum SITMUF^2 is noncentral chi-square with
 * noncentrality sum delta_t^2.  Otherwise Monte Carlo over the model.
 *
 * The Monte Carlo draws the measurement errors, not the MUFs: the random
 * part R (tridiagonal) = B B^T with B lower bidiagonal (a_t on the
 * diagonal, b_t below), so its contribution to MUF_t is a_t w_t +
 * b_t w_t-1 with w iid N(0,1), and each systematic group adds
 * u_gt zeta_g.  SITMUF is then the innovation of a Kalman filter whose
 * state is (w_t-1, zeta_1..zeta_G): its gains and innovation variances do
 * not depend on the data and are computed once, and the innovations equal
 * the Cholesky transform (both are MUF_t - E[MUF_t | MUF_1..t-1] over its
 * standard deviation).  One replicate-period costs one normal and O(G)
 * operations instead of the O(t) of a triangular solve.  Under a
 * diversion mu, MUF shifts by mu_t and SITMUF by delta_t (the filter is
 * linear), so one draw serves both hypotheses (common random numbers).
 */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "statsint.h"

#define LANES 64
#define DEGEN_TOL 1e-9

static const char *const test_names[CUSTOS_PD_NTESTS] = {"muf", "cumuf", "sitmuf", "page",
                                                          "gemuf"};

/* Everything the kernel reads, computed once. */
typedef struct plan {
    size_t n, g;
    double *a, *b;       /* bidiagonal factor of R */
    double *u;           /* n x g: u[t*g + k] = sys_k[t] */
    double *kw, *kz;     /* gains: n, n x g */
    double *inv_s;       /* 1 / innovation sd, 0 where degenerate */
    unsigned char *deg;
    double *mu, *delta;  /* diversion and its SITMUF shift */
    double *thr_muf;     /* z sigma_t */
    double *thr_cumuf;   /* z sigma_cumuf_t */
    double *thr_gemuf;   /* chi-square quantile at the dof reached at t */
    double z, k, h;
} plan;

static void plan_dispose(plan *p)
{
    custos_free(p->a);
    custos_free(p->b);
    custos_free(p->u);
    custos_free(p->kw);
    custos_free(p->kz);
    custos_free(p->inv_s);
    custos_free(p->deg);
    custos_free(p->mu);
    custos_free(p->delta);
    custos_free(p->thr_muf);
    custos_free(p->thr_cumuf);
    custos_free(p->thr_gemuf);
    memset(p, 0, sizeof *p);
}

/* Filter gains and innovation variances; P is the (g+1)^2 state
 * covariance, updated in place. */
static int plan_filter(plan *p, const custos_sequence *s)
{
    size_t n = p->n, g = p->g, dim = g + 1;
    double *P = custos_calloc(dim * dim, sizeof *P);
    double *ph = custos_calloc(dim, sizeof *ph);
    double *hv = custos_calloc(dim, sizeof *hv);
    int err = CUSTOS_OK;
    if (!P || !ph || !hv) {
        err = custos_error_nomem();
        goto done;
    }
    for (size_t i = 0; i < dim; i++)
        P[i * dim + i] = 1.0;
    for (size_t t = 0; t < n; t++) {
        hv[0] = p->b[t];
        for (size_t k = 0; k < g; k++)
            hv[1 + k] = p->u[t * g + k];
        double S = p->a[t] * p->a[t];
        for (size_t i = 0; i < dim; i++) {
            double v = 0.0;
            for (size_t j = 0; j < dim; j++)
                v += P[i * dim + j] * hv[j];
            ph[i] = v;
            S += hv[i] * v;
        }
        double var = s->rvar[t];
        for (size_t k = 0; k < g; k++)
            var += p->u[t * g + k] * p->u[t * g + k];
        if (S <= DEGEN_TOL * var || S <= 1e-300) {
            /* No new information: w_t enters the state with its prior. */
            p->deg[t] = 1;
            p->kw[t] = 0.0;
            for (size_t k = 0; k < g; k++)
                p->kz[t * g + k] = 0.0;
            p->inv_s[t] = 0.0;
            P[0] = 1.0;
            for (size_t k = 0; k < g; k++)
                P[1 + k] = P[(1 + k) * dim] = 0.0;
            continue;
        }
        p->inv_s[t] = 1.0 / sqrt(S);
        p->kw[t] = p->a[t] / S;
        for (size_t k = 0; k < g; k++)
            p->kz[t * g + k] = ph[1 + k] / S;
        for (size_t i = 1; i < dim; i++)
            for (size_t j = 1; j < dim; j++)
                P[i * dim + j] -= ph[i] * ph[j] / S;
        P[0] = 1.0 - p->a[t] * p->a[t] / S;
        for (size_t k = 1; k < dim; k++)
            P[k] = P[k * dim] = -p->a[t] * ph[k] / S;
    }
done:
    custos_free(P);
    custos_free(ph);
    custos_free(hv);
    return err;
}

/* Innovations of x under the plan's filter (standardised; 0 where
 * degenerate). */
static void filter_run(const plan *p, const double *x, double *y)
{
    size_t n = p->n, g = p->g;
    double m0 = 0.0, mz[64];
    double *mzp = g <= 64 ? mz : NULL;
    double *heap = NULL;
    if (!mzp) {
        heap = custos_calloc(g, sizeof *heap);
        mzp = heap;
        if (!mzp)
            return;
    }
    for (size_t k = 0; k < g; k++)
        mzp[k] = 0.0;
    for (size_t t = 0; t < n; t++) {
        double pred = p->b[t] * m0;
        for (size_t k = 0; k < g; k++)
            pred += p->u[t * g + k] * mzp[k];
        double e = x[t] - pred;
        if (p->deg[t]) {
            y[t] = 0.0;
            m0 = 0.0;
            continue;
        }
        m0 = p->kw[t] * e;
        for (size_t k = 0; k < g; k++)
            mzp[k] += p->kz[t * g + k] * e;
        y[t] = e * p->inv_s[t];
    }
    custos_free(heap);
}

static int plan_init(plan *p, const custos_sequence *s, const double *mu,
                     const custos_nrta_options *opt)
{
    memset(p, 0, sizeof *p);
    custos_stats_init();
    size_t n = s->n, g = s->ngroups;
    p->n = n;
    p->g = g;
    int err = CUSTOS_OK;
    if (!(opt->alpha > 0.0 && opt->alpha < 0.5) || !isfinite(opt->k) || opt->k < 0.0 ||
        !isfinite(opt->h) || opt->h < 0.0)
        return custos_error_set(CUSTOS_EDOMAIN, "alpha must be in (0, 0.5), k and h >= 0");
    p->a = custos_calloc(n, sizeof *p->a);
    p->b = custos_calloc(n, sizeof *p->b);
    p->u = custos_calloc(n * g + 1, sizeof *p->u);
    p->kw = custos_calloc(n, sizeof *p->kw);
    p->kz = custos_calloc(n * g + 1, sizeof *p->kz);
    p->inv_s = custos_calloc(n, sizeof *p->inv_s);
    p->deg = custos_calloc(n, 1);
    p->mu = custos_calloc(n, sizeof *p->mu);
    p->delta = custos_calloc(n, sizeof *p->delta);
    p->thr_muf = custos_calloc(n, sizeof *p->thr_muf);
    p->thr_cumuf = custos_calloc(n, sizeof *p->thr_cumuf);
    p->thr_gemuf = custos_calloc(n, sizeof *p->thr_gemuf);
    if (!p->a || !p->b || !p->u || !p->kw || !p->kz || !p->inv_s || !p->deg || !p->mu ||
        !p->delta || !p->thr_muf || !p->thr_cumuf || !p->thr_gemuf) {
        err = custos_error_nomem();
        goto fail;
    }
    for (size_t t = 0; t < n; t++) {
        p->mu[t] = mu ? mu[t] : 0.0;
        if (!isfinite(p->mu[t])) {
            err = custos_error_set(CUSTOS_EDOMAIN, "diversion of period %zu is not finite", t + 1);
            goto fail;
        }
        for (size_t k = 0; k < g; k++)
            p->u[t * g + k] = s->sys[k * n + t];
    }
    /* B with B B^T = R: a_t^2 = R_tt - b_t^2, b_t = R_t,t-1 / a_t-1. */
    for (size_t t = 0; t < n; t++) {
        double bt = 0.0;
        if (t > 0 && p->a[t - 1] > 0.0)
            bt = s->rcov[t] / p->a[t - 1];
        double piv = s->rvar[t] - bt * bt;
        if (!isfinite(piv) || piv < -1e-9 * (s->rvar[t] > 0 ? s->rvar[t] : 1.0)) {
            err = custos_error_set(CUSTOS_EDOMAIN,
                                   "the random covariance is not positive semi-definite at "
                                   "period %zu",
                                   t + 1);
            goto fail;
        }
        p->b[t] = bt;
        p->a[t] = piv > 1e-12 * s->rvar[t] ? sqrt(piv) : 0.0;
    }
    if ((err = plan_filter(p, s)) < 0)
        goto fail;
    filter_run(p, p->mu, p->delta);
    p->z = custos_normal_quantile(1.0 - opt->alpha);
    p->k = opt->k;
    double *row = custos_malloc(n * sizeof *row);
    if (!row) {
        err = custos_error_nomem();
        goto fail;
    }
    double varc = 0.0;
    size_t dof = 0;
    for (size_t t = 0; t < n; t++) {
        custos_sequence_cov_row(s, t, row);
        double rs = 0.0;
        for (size_t j = 0; j < t; j++)
            rs += row[j];
        varc += 2.0 * rs + row[t];
        p->thr_muf[t] = row[t] > 0.0 ? p->z * sqrt(row[t]) : (double)INFINITY;
        p->thr_cumuf[t] = varc > 0.0 ? p->z * sqrt(varc) : (double)INFINITY;
        dof += !p->deg[t];
        p->thr_gemuf[t] = dof ? custos_chi2_isf(opt->alpha, (double)dof) : (double)INFINITY;
    }
    custos_free(row);
    if (opt->h > 0.0)
        p->h = opt->h;
    else if (dof && (err = custos_page_h_for_alpha(&p->h, opt->k, dof, opt->alpha)) < 0)
        goto fail;
    return CUSTOS_OK;
fail:
    plan_dispose(p);
    return err;
}

int custos_kalman_sitmuf(const custos_sequence *s, const double *x, double *y)
{
    plan p;
    custos_nrta_options o = {0.05, 0.5, 1.0};
    int err = plan_init(&p, s, NULL, &o);
    if (err < 0)
        return err;
    filter_run(&p, x, y);
    for (size_t t = 0; t < s->n; t++)
        if (p.deg[t])
            y[t] = NAN;
    plan_dispose(&p);
    return CUSTOS_OK;
}

double custos_pd_flops_per_period(size_t g)
{
    /* MUF: 2 + 2g; prediction 1 + 2g; innovation 1; gains 1 + 2g;
     * standardise 1; two hypotheses' shifts 2; CUMUF 2; Page 4; GEMUF 4. */
    return 18.0 + 6.0 * (double)g;
}

/* ---- the kernel --------------------------------------------------------- */

typedef struct sim {
    const plan *p;
    long replicates;
    uint64_t seed;
    long (*counts)[2][CUSTOS_PD_NTESTS]; /* per block */
    custos_progress_fn progress;
    void *progress_ctx;
    long nblocks, done;
    pthread_mutex_t mu;
} sim;

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(CUSTOS_NO_CLONES)
#define KERNEL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define KERNEL_CLONES
#endif

/* LANES replicates side by side, so every loop below runs over lanes and
 * vectorises; normals in z: g x LANES zetas then n x LANES w. */
KERNEL_CLONES
static void lanes_run(const plan *p, const double *restrict z, int64_t al[2][CUSTOS_PD_NTESTS][LANES])
{
    size_t n = p->n, g = p->g;
    double wprev[LANES], m0[LANES], o[LANES], e[LANES];
    double cum0[LANES], cum1[LANES], pg0[LANES], pg1[LANES], ge0[LANES], ge1[LANES];
    double mz[64][LANES];
    const double *zeta = z;
    const double *w = z + g * LANES;
    for (int j = 0; j < LANES; j++) {
        wprev[j] = m0[j] = cum0[j] = cum1[j] = pg0[j] = pg1[j] = ge0[j] = ge1[j] = 0.0;
    }
    for (size_t k = 0; k < g; k++)
        for (int j = 0; j < LANES; j++)
            mz[k][j] = 0.0;
    const double k_ref = p->k, h = p->h, zq = p->z;
    for (size_t t = 0; t < n; t++) {
        const double at = p->a[t], bt = p->b[t], mut = p->mu[t];
        const double *ut = p->u + t * g;
        const double *wt = w + t * LANES;
        /* MUF_t under no diversion, and the filter's prediction. */
        for (int j = 0; j < LANES; j++) {
            o[j] = at * wt[j] + bt * wprev[j];
            e[j] = -bt * m0[j];
            wprev[j] = wt[j];
        }
        for (size_t k = 0; k < g; k++) {
            const double uk = ut[k];
            const double *zk = zeta + k * LANES;
            const double *mk = mz[k];
            for (int j = 0; j < LANES; j++) {
                o[j] += uk * zk[j];
                e[j] -= uk * mk[j];
            }
        }
        const double tm = p->thr_muf[t], tc = p->thr_cumuf[t];
        for (int j = 0; j < LANES; j++) {
            e[j] += o[j];
            al[0][CUSTOS_PD_MUF][j] |= o[j] > tm;
            al[1][CUSTOS_PD_MUF][j] |= o[j] + mut > tm;
            cum0[j] += o[j];
            cum1[j] += o[j] + mut;
            al[0][CUSTOS_PD_CUMUF][j] |= cum0[j] > tc;
            al[1][CUSTOS_PD_CUMUF][j] |= cum1[j] > tc;
        }
        if (p->deg[t]) {
            for (int j = 0; j < LANES; j++)
                m0[j] = 0.0;
            continue;
        }
        const double kw = p->kw[t], is = p->inv_s[t], dl = p->delta[t], tg = p->thr_gemuf[t];
        const double *kz = p->kz + t * g;
        for (size_t k = 0; k < g; k++) {
            const double kk = kz[k];
            double *mk = mz[k];
            for (int j = 0; j < LANES; j++)
                mk[j] += kk * e[j];
        }
        for (int j = 0; j < LANES; j++) {
            m0[j] = kw * e[j];
            double y0 = e[j] * is, y1 = y0 + dl;
            al[0][CUSTOS_PD_SITMUF][j] |= y0 > zq;
            al[1][CUSTOS_PD_SITMUF][j] |= y1 > zq;
            double s0 = pg0[j] + y0 - k_ref, s1 = pg1[j] + y1 - k_ref;
            pg0[j] = s0 > 0.0 ? s0 : 0.0;
            pg1[j] = s1 > 0.0 ? s1 : 0.0;
            al[0][CUSTOS_PD_PAGE][j] |= pg0[j] > h;
            al[1][CUSTOS_PD_PAGE][j] |= pg1[j] > h;
            ge0[j] += y0 * y0;
            ge1[j] += y1 * y1;
            al[0][CUSTOS_PD_GEMUF][j] |= ge0[j] > tg;
            al[1][CUSTOS_PD_GEMUF][j] |= ge1[j] > tg;
        }
    }
}

static int sim_block(void *vctx, long b)
{
    sim *sm = vctx;
    const plan *p = sm->p;
    size_t per = (p->g + p->n) * LANES;
    double *z = custos_malloc(per * sizeof *z);
    if (!z)
        return custos_error_nomem();
    custos_wrng rng;
    custos_wrng_seed(&rng, sm->seed, (uint64_t)b);
    long first = b * CUSTOS_MC_BLOCK, last = first + CUSTOS_MC_BLOCK;
    if (last > sm->replicates)
        last = sm->replicates;
    long *cnt = &sm->counts[b][0][0];
    memset(cnt, 0, sizeof sm->counts[b]);
    /* Alarm flags in 64-bit lanes, the width of the doubles they come
     * from, so the compares need no packing. */
    int64_t al[2][CUSTOS_PD_NTESTS][LANES];
    for (long r = first; r < last; r += LANES) {
        int lanes = last - r < LANES ? (int)(last - r) : LANES;
        custos_wrng_normals(&rng, z, per);
        memset(al, 0, sizeof al);
        lanes_run(p, z, al);
        for (int hyp = 0; hyp < 2; hyp++)
            for (int t = 0; t < CUSTOS_PD_NTESTS; t++)
                for (int j = 0; j < lanes; j++)
                    sm->counts[b][hyp][t] += al[hyp][t][j];
    }
    custos_free(z);
    if (sm->progress) {
        pthread_mutex_lock(&sm->mu);
        sm->done++;
        sm->progress(sm->progress_ctx, (uint64_t)sm->done, (uint64_t)sm->nblocks);
        pthread_mutex_unlock(&sm->mu);
    }
    return CUSTOS_OK;
}

static int simulate(long alarms[2][CUSTOS_PD_NTESTS], const custos_sequence *s,
                    const double *diversion, const custos_nrta_options *opt, long replicates,
                    uint64_t seed, int threads, custos_progress_fn progress, void *progress_ctx);

int custos_pd_simulate(long alarms[2][CUSTOS_PD_NTESTS], const custos_sequence *s,
                       const double *diversion, const custos_nrta_options *opt, long replicates,
                       uint64_t seed, int threads)
{
    return simulate(alarms, s, diversion, opt, replicates, seed, threads, NULL, NULL);
}

static int simulate(long alarms[2][CUSTOS_PD_NTESTS], const custos_sequence *s,
                    const double *diversion, const custos_nrta_options *opt, long replicates,
                    uint64_t seed, int threads, custos_progress_fn progress, void *progress_ctx)
{
    custos_nrta_options o = {0.05, 0.5, 0.0};
    if (opt)
        o = *opt;
    if (o.alpha == 0.0)
        o.alpha = 0.05;
    if (replicates < 1 || replicates > 10000000000L)
        return custos_error_set(CUSTOS_EDOMAIN, "replicates %ld not in 1..10^10", replicates);
    if (s->ngroups > 64)
        return custos_error_set(CUSTOS_EDOMAIN,
                                "the Monte Carlo kernel takes at most 64 systematic groups, the "
                                "sequence has %zu",
                                s->ngroups);
    plan p;
    int err = plan_init(&p, s, diversion, &o);
    if (err < 0)
        return err;
    long nb = (replicates + CUSTOS_MC_BLOCK - 1) / CUSTOS_MC_BLOCK;
    sim sm = {&p, replicates, seed, custos_calloc((size_t)nb, sizeof *sm.counts), progress,
              progress_ctx, nb, 0, PTHREAD_MUTEX_INITIALIZER};
    if (!sm.counts) {
        err = custos_error_nomem();
        goto done;
    }
    if ((err = custos_parallel_blocks(sim_block, &sm, nb, threads)) < 0)
        goto done;
    memset(alarms, 0, sizeof(long) * 2 * CUSTOS_PD_NTESTS);
    for (long b = 0; b < nb; b++)
        for (int hyp = 0; hyp < 2; hyp++)
            for (int t = 0; t < CUSTOS_PD_NTESTS; t++)
                alarms[hyp][t] += sm.counts[b][hyp][t];
done:
    custos_free(sm.counts);
    pthread_mutex_destroy(&sm.mu);
    plan_dispose(&p);
    return err;
}

int custos_pd(custos_pd_result *out, const custos_sequence *s, const double *diversion,
              const custos_pd_options *opt)
{
    custos_pd_options o = {{0.05, 0.5, 0.0}, 100000, 1, 2, NULL, NULL};
    if (opt) {
        o = *opt;
        if (o.nrta.alpha == 0.0)
            o.nrta.alpha = 0.05;
        if (o.replicates == 0)
            o.replicates = 100000;
        if (o.threads == 0)
            o.threads = 2;
    }
    plan p;
    int err = plan_init(&p, s, diversion, &o.nrta);
    if (err < 0)
        return err;
    long alarms[2][CUSTOS_PD_NTESTS];
    custos_nrta_options no = o.nrta;
    no.h = p.h;
    if ((err = simulate(alarms, s, diversion, &no, o.replicates, o.seed, o.threads, o.progress,
                        o.progress_ctx)) < 0)
        goto done;
    custos_pd_result r;
    memset(&r, 0, sizeof r);
    r.replicates = o.replicates;
    r.seed = o.seed;
    r.alpha = o.nrta.alpha;
    r.k = o.nrta.k;
    r.h = p.h;
    double R = (double)o.replicates;
    for (int t = 0; t < CUSTOS_PD_NTESTS; t++) {
        custos_pd_test *te = &r.tests[t];
        te->name = test_names[t];
        te->fa = (double)alarms[0][t] / R;
        te->pd = (double)alarms[1][t] / R;
        te->fa_se = sqrt(te->fa * (1.0 - te->fa) / R);
        te->pd_se = sqrt(te->pd * (1.0 - te->pd) / R);
        te->pd_last = te->fa_last = NAN;
    }
    /* Exact results. */
    size_t n = s->n, m = 0;
    double surv = 1.0, lambda = 0.0, total = 0.0;
    for (size_t t = 0; t < n; t++) {
        total += p.mu[t];
        if (p.deg[t])
            continue;
        m++;
        surv *= custos_normal_cdf(p.z - p.delta[t]);
        lambda += p.delta[t] * p.delta[t];
    }
    r.total = total;
    custos_pd_test *si = &r.tests[CUSTOS_PD_SITMUF];
    si->analytic = true;
    si->pd = 1.0 - surv;
    si->fa = 1.0 - pow(1.0 - o.nrta.alpha, (double)m);
    si->pd_se = si->fa_se = 0.0;
    custos_pd_test *cu = &r.tests[CUSTOS_PD_CUMUF];
    double sc = p.thr_cumuf[n - 1] / p.z;
    cu->fa_last = o.nrta.alpha;
    cu->pd_last = 1.0 - custos_normal_cdf(p.z - total / sc);
    custos_pd_test *ge = &r.tests[CUSTOS_PD_GEMUF];
    if (m) {
        ge->fa_last = o.nrta.alpha;
        ge->pd_last = 1.0 - custos_ncchi2_cdf(p.thr_gemuf[n - 1], (double)m, lambda);
    }
    *out = r;
done:
    plan_dispose(&p);
    return err;
}
