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
 * The Monte Carlo draws SITMUF, not measurement errors.  Under no
 * diversion the standardised innovations y = L^-1 MUF are independent
 * N(0, 1) (L L^T = Sigma), so one normal per replicate-period gives
 * SITMUF, Page and GEMUF directly; under the diversion mu they are
 * y + delta with delta = L^-1 mu (common random numbers for both
 * hypotheses).  The MUF and CUMUF tests need MUF = L y, which the
 * innovations form of the Kalman filter of the structured covariance
 * gives in O(groups) a period: MUF_t = b_t kw_t-1 s_t-1 y_t-1 +
 * u_t . m_t + s_t y_t, m_t+1 = m_t + kz_t s_t y_t, with s_t the
 * innovation standard deviation, kw, kz the filter gains (state:
 * the previous period's random error and the systematic errors; gains
 * and variances do not depend on the data and are computed once).  This
 * is the filter of custos_kalman_sitmuf() run backwards, so the MUF
 * vector has exactly the covariance Sigma; under the diversion it is
 * MUF + mu.
 */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "statsint.h"

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
    double *sd;          /* innovation sd, 0 where degenerate */
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
    custos_free(p->sd);
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
            p->sd[t] = 0.0;
            P[0] = 1.0;
            for (size_t k = 0; k < g; k++)
                P[1 + k] = P[(1 + k) * dim] = 0.0;
            continue;
        }
        p->sd[t] = sqrt(S);
        p->inv_s[t] = 1.0 / p->sd[t];
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
    p->sd = custos_calloc(n, sizeof *p->sd);
    p->deg = custos_calloc(n, 1);
    p->mu = custos_calloc(n, sizeof *p->mu);
    p->delta = custos_calloc(n, sizeof *p->delta);
    p->thr_muf = custos_calloc(n, sizeof *p->thr_muf);
    p->thr_cumuf = custos_calloc(n, sizeof *p->thr_cumuf);
    p->thr_gemuf = custos_calloc(n, sizeof *p->thr_gemuf);
    if (!p->a || !p->b || !p->u || !p->kw || !p->kz || !p->inv_s || !p->sd || !p->deg || !p->mu ||
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
    /* MUF by innovations 4g + 4 (g + 2 FMAs, g FMAs for the state);
     * MUF test 2 adds, CUMUF 3 adds; SITMUF 1 add + 2 max; Page 2 x (2
     * adds + 2 max); GEMUF 2 x (FMA + subtraction): 4g + 26, plus the
     * alarm bookkeeping (6 logical ors) and one normal, not counted. */
    return 26.0 + 4.0 * (double)g;
}

/* ---- the kernel (records in statsint.h) ----------------------------------- */

typedef struct sim {
    const plan *p;
    const custos_pd_kern *kp;
    long replicates;
    uint64_t seed;
    int use_avx512;
    long (*counts)[2][CUSTOS_PD_NTESTS]; /* per block */
    custos_progress_fn progress;
    void *progress_ctx;
    long nblocks, done;
    pthread_mutex_t mu;
} sim;

static void kern_dispose(custos_pd_kern *kp)
{
    custos_free(kp->rec);
    custos_free(kp->reset);
    memset(kp, 0, sizeof *kp);
}

/* The slots of the systematic state (statsint.h): group j is live from
 * born[j], its first period with a gain, to last[j], its last period
 * with a coefficient after that; the live groups, in order of birth,
 * take the lowest slot whose group's last period has passed.  slot[j]
 * is -1 for a group that never contributes.  Beyond 64 groups (the
 * width of a reset mask) every group keeps its own slot, live
 * throughout.  Returns the number of slots. */
static size_t kern_slots(const plan *p, long *born, long *last, int *slot, long *busy)
{
    size_t n = p->n, g = p->g, used = 0;
    if (g > 64) {
        for (size_t j = 0; j < g; j++) {
            born[j] = 0;
            last[j] = (long)n;
            slot[j] = (int)j;
        }
        return g;
    }
    for (size_t j = 0; j < g; j++) {
        born[j] = -1;
        last[j] = -1;
        for (size_t t = 0; t < n; t++) {
            if (born[j] < 0 && !p->deg[t] && p->kz[t * g + j] != 0.0)
                born[j] = (long)t;
            if (born[j] >= 0 && (long)t > born[j] && p->u[t * g + j] != 0.0)
                last[j] = (long)t;
        }
        slot[j] = -1;
    }
    for (size_t t = 0; t < n; t++)
        for (size_t j = 0; j < g; j++) {
            if (born[j] != (long)t || last[j] < 0)
                continue;
            size_t k = 0;
            while (k < used && busy[k] >= born[j])
                k++;
            if (k == used)
                used++;
            busy[k] = last[j];
            slot[j] = (int)k;
        }
    return used;
}

static int kern_init(custos_pd_kern *kp, const plan *p)
{
    size_t n = p->n, g = p->g;
    memset(kp, 0, sizeof *kp);
    long *born = custos_calloc(3 * (g ? g : 1), sizeof *born);
    int *slot = custos_calloc(g ? g : 1, sizeof *slot);
    if (!born || !slot) {
        custos_free(born);
        custos_free(slot);
        return custos_error_nomem();
    }
    long *last = born + g, *busy = born + 2 * g;
    size_t ns = kern_slots(p, born, last, slot, busy);
    kp->n = n;
    kp->g = ns;
    kp->stride = CUSTOS_PD_KREC + 2 * ns;
    kp->rec = custos_calloc(n * kp->stride, sizeof *kp->rec);
    kp->reset = custos_calloc(n ? n : 1, sizeof *kp->reset);
    if (!kp->rec || !kp->reset) {
        custos_free(born);
        custos_free(slot);
        kern_dispose(kp);
        return custos_error_nomem();
    }
    kp->deg = p->deg;
    kp->k = p->k;
    kp->h = p->h;
    kp->zq = p->z;
    double cmu = 0.0;
    for (size_t t = 0; t < n; t++) {
        double *r = kp->rec + t * kp->stride;
        double sq = p->deg[t] ? 0.0 : p->sd[t];
        cmu += p->mu[t];
        r[CUSTOS_PD_K_NCPREV] = t ? -(p->b[t] * p->kw[t - 1] * (p->deg[t - 1] ? 0.0 : p->sd[t - 1])) : 0.0;
        r[CUSTOS_PD_K_NSQ] = -sq;
        r[CUSTOS_PD_K_TM] = p->thr_muf[t];
        r[CUSTOS_PD_K_TMM] = p->thr_muf[t] - p->mu[t];
        r[CUSTOS_PD_K_TC] = p->thr_cumuf[t];
        r[CUSTOS_PD_K_TCM] = p->thr_cumuf[t] - cmu;
        r[CUSTOS_PD_K_DL] = p->delta[t];
        r[CUSTOS_PD_K_DLK] = p->delta[t] - p->k;
        r[CUSTOS_PD_K_TG] = p->thr_gemuf[t];
        for (size_t j = 0; j < g; j++) {
            long tt = (long)t;
            if (slot[j] < 0 || tt < born[j] || tt > last[j])
                continue;
            size_t k = (size_t)slot[j];
            /* At its birth a group's state is 0 (its term too): a shared
             * slot is cleared. */
            if (tt == born[j] && g <= 64)
                kp->reset[t] |= (uint64_t)1 << k;
            r[CUSTOS_PD_KREC + k] = -p->u[t * g + j];
            if (tt < last[j])
                r[CUSTOS_PD_KREC + ns + k] = p->kz[t * g + j] * sq;
        }
    }
    custos_free(born);
    custos_free(slot);
    return CUSTOS_OK;
}

/* The plan and the kernel records of s without a diversion (the filter
 * alone, as custos_kalman_muf() and the slot count need it); nothing to
 * dispose of on error. */
static int kern_of(custos_pd_kern *kp, plan *p, const custos_sequence *s)
{
    custos_nrta_options o = {0.05, 0.5, 1.0};
    memset(kp, 0, sizeof *kp);
    int err = plan_init(p, s, NULL, &o);
    if (err < 0)
        return err;
    if ((err = kern_init(kp, p)) < 0)
        plan_dispose(p);
    return err;
}

int custos_pd_kernel_slots(const custos_sequence *s, size_t *slots)
{
    plan p;
    custos_pd_kern kp;
    int err = kern_of(&kp, &p, s);
    if (err < 0)
        return err;
    *slots = kp.g;
    kern_dispose(&kp);
    plan_dispose(&p);
    return CUSTOS_OK;
}

typedef union dbits {
    double d;
    uint64_t u;
} dbits;

static inline uint64_t bits_of(double x)
{
    dbits b = {x};
    return b.u;
}

/* One period of the innovations form: -MUF_t from the normal y_t, the
 * previous normal *yprev and the systematic state mz (both updated). */
static inline double chain_step(const custos_pd_kern *kp, size_t t, double y, double *yprev,
                                double *mz)
{
    size_t g = kp->g;
    const double *r = kp->rec + t * kp->stride;
    if (kp->reset[t])
        for (size_t i = 0; i < g; i++)
            if ((kp->reset[t] >> i) & 1)
                mz[i] = 0.0;
    double q = *yprev * r[CUSTOS_PD_K_NCPREV];
    for (size_t i = 0; i < g; i++)
        q = fma(r[CUSTOS_PD_KREC + i], mz[i], q);
    q = fma(r[CUSTOS_PD_K_NSQ], y, q);
    for (size_t i = 0; i < g; i++)
        mz[i] = fma(r[CUSTOS_PD_KREC + g + i], y, mz[i]);
    *yprev = y;
    return q;
}

/* The portable kernel, and the reference the vector one must match bit
 * for bit: 8 replicates (lanes) over the n periods, normals z[8t + j].
 * Every operation is the one the vector kernel does, in its order
 * (fma() where it fuses).  Adds the alarms of the first `lanes` lanes. */
static void lanes_generic(const custos_pd_kern *kp, const double *z, int lanes,
                          long al[2][CUSTOS_PD_NTESTS])
{
    enum { L = CUSTOS_WRNG_LANES };
    size_t n = kp->n, g = kp->g, st = kp->stride;
    const double mk = -kp->k;
    for (int j = 0; j < lanes; j++) {
        double yprev = 0.0, mz[64], cumq = 0.0;
        double y0m = -INFINITY, y1m = -INFINITY, p0 = 0.0, p1 = 0.0, pm0 = 0.0, pm1 = 0.0;
        double ge0 = 0.0, ge1 = 0.0;
        uint64_t am0 = 0, am1 = 0, ac0 = 0, ac1 = 0, ag0 = 0, ag1 = 0;
        for (size_t i = 0; i < g; i++)
            mz[i] = 0.0;
        for (size_t t = 0; t < n; t++) {
            const double *r = kp->rec + t * st;
            double y = z[t * L + j];
            double q = chain_step(kp, t, y, &yprev, mz);
            am0 |= bits_of(q + r[CUSTOS_PD_K_TM]);
            am1 |= bits_of(q + r[CUSTOS_PD_K_TMM]);
            cumq = cumq + q;
            ac0 |= bits_of(cumq + r[CUSTOS_PD_K_TC]);
            ac1 |= bits_of(cumq + r[CUSTOS_PD_K_TCM]);
            if (kp->deg[t])
                continue;
            double y1 = y + r[CUSTOS_PD_K_DL];
            y0m = y0m > y ? y0m : y;
            y1m = y1m > y1 ? y1m : y1;
            double s0 = p0 + (y + mk), s1 = p1 + (y + r[CUSTOS_PD_K_DLK]);
            p0 = s0 > 0.0 ? s0 : 0.0;
            p1 = s1 > 0.0 ? s1 : 0.0;
            pm0 = pm0 > p0 ? pm0 : p0;
            pm1 = pm1 > p1 ? pm1 : p1;
            ge0 = fma(y, y, ge0);
            ge1 = fma(y1, y1, ge1);
            ag0 |= bits_of(r[CUSTOS_PD_K_TG] - ge0);
            ag1 |= bits_of(r[CUSTOS_PD_K_TG] - ge1);
        }
        al[0][CUSTOS_PD_MUF] += (long)(am0 >> 63);
        al[1][CUSTOS_PD_MUF] += (long)(am1 >> 63);
        al[0][CUSTOS_PD_CUMUF] += (long)(ac0 >> 63);
        al[1][CUSTOS_PD_CUMUF] += (long)(ac1 >> 63);
        al[0][CUSTOS_PD_SITMUF] += y0m > kp->zq;
        al[1][CUSTOS_PD_SITMUF] += y1m > kp->zq;
        al[0][CUSTOS_PD_PAGE] += pm0 > kp->h;
        al[1][CUSTOS_PD_PAGE] += pm1 > kp->h;
        al[0][CUSTOS_PD_GEMUF] += (long)(ag0 >> 63);
        al[1][CUSTOS_PD_GEMUF] += (long)(ag1 >> 63);
    }
}

static int block_generic(const custos_pd_kern *kp, custos_wrng *rng, long count,
                         long al[2][CUSTOS_PD_NTESTS])
{
    double *z = custos_malloc(kp->n * CUSTOS_WRNG_LANES * sizeof *z);
    if (!z)
        return custos_error_nomem();
    for (long r = 0; r < count; r += CUSTOS_WRNG_LANES) {
        custos_wrng_normals(rng, z, kp->n);
        lanes_generic(kp, z, count - r < CUSTOS_WRNG_LANES ? (int)(count - r) : CUSTOS_WRNG_LANES,
                      al);
    }
    custos_free(z);
    return CUSTOS_OK;
}


static int sim_block(void *vctx, long b)
{
    sim *sm = vctx;
    custos_wrng rng;
    custos_wrng_seed(&rng, sm->seed, (uint64_t)b);
    long first = b * CUSTOS_MC_BLOCK, last = first + CUSTOS_MC_BLOCK;
    if (last > sm->replicates)
        last = sm->replicates;
    /* Counted on this thread's stack and copied once: the kernels add to
     * their counts after every group of eight replicates, and the counts
     * of the blocks two threads run at once share a cache line, which
     * went back and forth between the cores (bench/pd's problem on two
     * threads: median 1.20 ns of CPU time per replicate-period with it,
     * 1.08 without; one thread 1.03). */
    long cnt[2][CUSTOS_PD_NTESTS];
    memset(cnt, 0, sizeof cnt);
    int err;
#ifdef CUSTOS_PD_AVX512
    if (sm->use_avx512)
        err = custos_pd_block_avx512(sm->kp, &rng, last - first, cnt);
    else
#endif
        err = block_generic(sm->kp, &rng, last - first, cnt);
    if (err < 0)
        return err;
    memcpy(sm->counts[b], cnt, sizeof cnt);
    if (sm->progress) {
        pthread_mutex_lock(&sm->mu);
        sm->done++;
        sm->progress(sm->progress_ctx, (uint64_t)sm->done, (uint64_t)sm->nblocks);
        pthread_mutex_unlock(&sm->mu);
    }
    return CUSTOS_OK;
}

int custos_pd_kernel_avx512(void)
{
#ifdef CUSTOS_PD_AVX512
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int custos_kalman_muf(const custos_sequence *s, const double *y, double *muf)
{
    plan p;
    custos_pd_kern kp;
    int err = kern_of(&kp, &p, s);
    if (err < 0)
        return err;
    double *mz = custos_calloc(kp.g + 1, sizeof *mz); /* the state slots */
    if (!mz) {
        err = custos_error_nomem();
    } else {
        double yprev = 0.0;
        for (size_t t = 0; t < s->n; t++)
            muf[t] = -chain_step(&kp, t, y[t], &yprev, mz);
    }
    custos_free(mz);
    kern_dispose(&kp);
    plan_dispose(&p);
    return err;
}

static int simulate(long alarms[2][CUSTOS_PD_NTESTS], const custos_sequence *s,
                    const double *diversion, const custos_nrta_options *opt, long replicates,
                    uint64_t seed, int threads, int kernel, custos_progress_fn progress,
                    void *progress_ctx)
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
    custos_pd_kern kp;
    memset(&kp, 0, sizeof kp);
    int err = plan_init(&p, s, diversion, &o);
    if (err < 0)
        return err;
    long nb = (replicates + CUSTOS_MC_BLOCK - 1) / CUSTOS_MC_BLOCK;
    sim sm = {&p, &kp, replicates, seed, 0, custos_calloc((size_t)nb, sizeof *sm.counts),
              progress, progress_ctx, nb, 0, PTHREAD_MUTEX_INITIALIZER};
    if (!sm.counts) {
        err = custos_error_nomem();
        goto done;
    }
    if ((err = kern_init(&kp, &p)) < 0)
        goto done;
    sm.use_avx512 = kernel == CUSTOS_PD_KERNEL_AUTO ? custos_pd_kernel_avx512()
                                                    : kernel == CUSTOS_PD_KERNEL_AVX512;
    if (sm.use_avx512 && !custos_pd_kernel_avx512()) {
        err = custos_error_set(CUSTOS_EDOMAIN, "this processor has no AVX-512");
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
    kern_dispose(&kp);
    plan_dispose(&p);
    return err;
}

int custos_pd_simulate(long alarms[2][CUSTOS_PD_NTESTS], const custos_sequence *s,
                       const double *diversion, const custos_nrta_options *opt, long replicates,
                       uint64_t seed, int threads)
{
    return simulate(alarms, s, diversion, opt, replicates, seed, threads, CUSTOS_PD_KERNEL_AUTO,
                    NULL, NULL);
}

int custos_pd_simulate_kernel(long alarms[2][CUSTOS_PD_NTESTS], const custos_sequence *s,
                              const double *diversion, const custos_nrta_options *opt,
                              long replicates, uint64_t seed, int threads, int kernel)
{
    return simulate(alarms, s, diversion, opt, replicates, seed, threads, kernel, NULL, NULL);
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
    if ((err = simulate(alarms, s, diversion, &no, o.replicates, o.seed, o.threads,
                        CUSTOS_PD_KERNEL_AUTO, o.progress, o.progress_ctx)) < 0)
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
