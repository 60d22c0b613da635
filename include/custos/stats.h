/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/stats.h: statistics of material balances (shared/spec/
 * statistics.md): distribution functions, the MUF sequence of an MBA with
 * its covariance, the sequential tests (MUF, CUMUF, SITMUF, Page's CUSUM,
 * GEMUF), the average run length of Page's test and the detection
 * probability of a diversion.  sigma-MUF of single balances is filled by
 * custos_ledger_sigma() into custos/balance.h's records.
 *
 * Model (section 2 of the spec): each measured quantity x_i carries a
 * random error of relative standard deviation d_r and, per method,
 * material and calibration period (a "group" g), a shared systematic
 * error of relative standard deviation d_g.  For periods t = 1..n,
 * MUF_t = sum_i c_ti x_i with c = +1 for PB and increases, -1 for
 * decreases and PE, so
 *
 *   Cov(MUF_s, MUF_t) = sum_i c_si c_ti (x_i d_r,i)^2
 *                     + sum_g (d_g sum_{i in g} c_si x_i)(d_g sum_{i in g} c_ti x_i)
 *
 * The random part is tridiagonal: only an inventory item (PE_t = PB_t+1)
 * enters two periods.  A sequence therefore keeps the random variances
 * and lag-1 covariances and one vector per systematic group; the dense
 * matrix is formed from them when needed.  Quantities are grams, as
 * doubles; the books stay exact integers.
 */
#ifndef CUSTOS_STATS_H
#define CUSTOS_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "balance.h"
#include "common.h"
#include "diag.h"
#include "ledger.h"
#include "measure.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- distributions (GSL; its abort-on-error handler is switched off) --- */

/* Standard normal CDF Phi(x) and quantile Phi^-1(p) (NaN for p outside
 * (0, 1)). */
CUSTOS_API double custos_normal_cdf(double x);
CUSTOS_API double custos_normal_quantile(double p);
/* Upper tail Q(x) of the chi-square distribution with dof degrees of
 * freedom, and its inverse: the x with Q(x) = q. */
CUSTOS_API double custos_chi2_sf(double x, double dof);
CUSTOS_API double custos_chi2_isf(double q, double dof);
/* CDF of the noncentral chi-square with dof degrees of freedom and
 * noncentrality lambda >= 0: the Poisson(lambda/2) mixture of central
 * chi-squares with dof + 2j degrees of freedom, summed outward from the
 * Poisson mode until the neglected mass is below 1e-15. */
CUSTOS_API double custos_ncchi2_cdf(double x, double dof, double lambda);

/* ---- sigma-MUF of balances -------------------------------------------- */

/*
 * Fill has_sigma, sigma_muf, var_random, var_systematic, unmodelled and the
 * contributions of every balance in b, from the latest registered
 * measurement model of each MBA's facility and the stored target-value
 * tables (custos/measure.h).  An entry is unmodelled when no measurement
 * point matches it, or one of its methods has no uncertainty anywhere,
 * or its basis is N or L and the model declares no "unmeasured"
 * uncertainty; a balance with an unmodelled entry has has_sigma false and
 * a finding naming the first such entry goes to d.  The model of one
 * entry of weight x (grams) whose point names bulk, element and isotopic
 * methods: its relative error is the sum of one random and one systematic
 * error per method that applies (bulk and element for an element weight,
 * and isotopic too for an isotope weight).  Returns CUSTOS_OK,
 * CUSTOS_ESTORAGE, CUSTOS_ENOMEM.  O(entries x periods of each MBA).
 */
CUSTOS_API int custos_ledger_sigma(custos_ledger *l, custos_balances *b, custos_diags *d);

/* ---- sequences of balances -------------------------------------------- */

/* A systematic error group: one method on one material in one calibration
 * period (0: the method has no declared calibration periods).  role is
 * 'B' bulk, 'E' element, 'I' isotopic or 'U' (basis N/L: not measured at
 * the MBA). */
typedef struct custos_muf_group {
    char method[CUSTOS_METHOD_LEN];
    char material[CUSTOS_MATERIAL_LEN];
    char role;
    int calibration;
} custos_muf_group;

/* The MUF sequence of one MBA and quantity over its balance periods, with
 * its covariance in the structured form above. */
typedef struct custos_sequence {
    char state[3];
    char mba[5];
    char element;            /* 'N' 'D' 'E' 'P' 'T', or 0 for a file */
    int label;               /* 0: element weight; else isotope weight label */
    size_t n;                /* balance periods */
    custos_date *start;      /* n first days (0 when read from a file) */
    custos_date *end;        /* n PIT dates */
    double *muf;             /* n, grams */
    double *rvar;            /* n: random variance of MUF_t, grams^2 */
    double *rcov;            /* n: rcov[t] = random Cov(MUF_t-1, MUF_t); rcov[0] = 0 */
    size_t ngroups;
    custos_muf_group *groups; /* ngroups */
    double *sys;             /* ngroups x n, row-major: d_g sum_{i in g} c_ti x_i, grams */
    int64_t unmodelled;      /* entries without a measurement model */
} custos_sequence;

/* A zeroed sequence of n periods and ngroups groups (n >= 1).  Caller
 * frees with custos_sequence_free().  CUSTOS_OK, CUSTOS_ENOMEM,
 * CUSTOS_ETOOBIG (n or ngroups above 1,000,000, or n x ngroups above
 * 10^8). */
CUSTOS_API int custos_sequence_new(custos_sequence **out, size_t n, size_t ngroups);
CUSTOS_API void custos_sequence_free(custos_sequence *s);

/* Row t of the covariance matrix, its entries 0..t (row[j] = Cov(MUF_t,
 * MUF_j)).  O(t x ngroups). */
CUSTOS_API void custos_sequence_cov_row(const custos_sequence *s, size_t t, double *row);
/* The whole n x n matrix, row-major, into cov (caller's n*n doubles). */
CUSTOS_API void custos_sequence_cov(const custos_sequence *s, double *cov);

/*
 * Build the sequence of MBA mba ("XAFF" or "XA/XAFF") for element category
 * element ('N' 'D' 'E' 'P' 'T'; 0: the only category with balances, else
 * CUSTOS_EINVAL naming them) and quantity label (0 for the element
 * weight), from the books and the measurement model as
 * custos_ledger_sigma() does.  Caller frees with custos_sequence_free().
 * CUSTOS_ENOTFOUND when the MBA has no closed balance period of that
 * quantity.  Unmodelled entries are counted and reported in d.
 */
CUSTOS_API int custos_ledger_sequence(custos_sequence **out, custos_ledger *l, const char *mba,
                                      char element, int label, custos_diags *d);

/*
 * Parse a sequence file (JSON, docs/formats.md section "MUF sequence"):
 * {"muf": [...], "random_variance": [...], "random_covariance": [...],
 *  "systematic": [[...], ...]} with optional "mba", "periods" (PIT
 * dates).  Problems go to d with the JSON path.  Caller frees with
 * custos_sequence_free().  CUSTOS_OK, CUSTOS_EINVAL, CUSTOS_ETOOBIG,
 * CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_sequence_parse(custos_sequence **out, const char *name, const char *json,
                                     size_t len, custos_diags *d);

/*
 * Parse a diversion scenario for sequence s (CSV, docs/formats.md section
 * "Diversion scenario"): a header "period,grams", then one row per period
 * with material diverted: the period as its number (1..n) or its PIT date
 * (YYYY-MM-DD), and grams >= 0.  Periods not named divert nothing; a
 * period named twice is an error.  *out receives n values; caller frees
 * with custos_free().  Problems go to d with their line.  CUSTOS_OK,
 * CUSTOS_EINVAL, CUSTOS_ETOOBIG, CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_scenario_parse(double **out, const custos_sequence *s, const char *name,
                                     const char *text, size_t len, custos_diags *d);

/* ---- incremental Cholesky --------------------------------------------- */

/*
 * Cholesky factor L of a covariance matrix, grown one period at a time:
 * appending row t (Sigma[t][0..t]) costs O(t^2) (a forward substitution
 * against the rows already there) and never refactorises.  A positive
 * semi-definite matrix is accepted: a pivot below tol * Sigma[t][t] (or
 * not above 1e-300) marks period t degenerate: MUF_t is then determined
 * by the earlier MUFs, its column of L is zero and it has no SITMUF.
 */
typedef struct custos_cholesky {
    size_t n, cap;
    double *l;                /* packed lower triangle: row t at t(t+1)/2 */
    unsigned char *degenerate; /* n flags */
    double tol;               /* default 1e-9 */
} custos_cholesky;

/* Prepare for up to cap rows (grows beyond on demand).  CUSTOS_OK,
 * CUSTOS_ENOMEM.  custos_cholesky_dispose() frees and accepts a zeroed
 * struct. */
CUSTOS_API int custos_cholesky_init(custos_cholesky *c, size_t cap);
CUSTOS_API void custos_cholesky_dispose(custos_cholesky *c);
/* Append row (length c->n + 1).  CUSTOS_OK, CUSTOS_EDOMAIN (not positive
 * semi-definite: a pivot below -tol * Sigma[t][t], or a non-finite value;
 * the factor is left as it was), CUSTOS_ENOMEM. */
CUSTOS_API int custos_cholesky_add(custos_cholesky *c, const double *row);

/* ---- the sequential tests --------------------------------------------- */

typedef struct custos_nrta_options {
    double alpha;    /* false-alarm probability of the MUF, CUMUF, SITMUF and
                        GEMUF tests at each period (default 0.05), and of
                        Page's test over the campaign when h is chosen */
    double k, h;     /* Page's test on SITMUF; k default 0.5; h = 0: chosen
                        so the campaign false-alarm probability is alpha */
} custos_nrta_options;

typedef struct custos_nrta_period {
    double muf, sigma_muf;
    bool muf_alarm;          /* MUF / sigma > z_{1-alpha} (one-sided, losses) */
    double cumuf, sigma_cumuf;
    bool cumuf_alarm;
    double itmuf;            /* MUF_t - E[MUF_t | MUF_1..t-1] */
    double sitmuf;           /* ITMUF / its standard deviation; NaN when degenerate */
    bool degenerate;
    bool sitmuf_alarm;       /* SITMUF > z_{1-alpha} */
    double page;             /* S_t = max(0, S_t-1 + SITMUF_t - k) */
    bool page_alarm;         /* S_t > h */
    double gemuf;            /* MUF_1..t^T Sigma_t^-1 MUF_1..t = sum SITMUF_j^2 */
    int gemuf_dof;           /* non-degenerate periods up to t */
    double gemuf_p;          /* chi-square upper tail */
    bool gemuf_alarm;        /* gemuf_p < alpha */
} custos_nrta_period;

typedef struct custos_nrta_result {
    size_t n;
    custos_nrta_period *periods;
    double alpha, z, k, h;   /* the parameters used; z = z_{1-alpha} */
    double page_fa;          /* campaign false-alarm probability of Page's test */
    size_t degenerate;       /* periods without an independent SITMUF */
} custos_nrta_result;

/*
 * Run every test on sequence s.  SITMUF by the incremental Cholesky
 * factor of the covariance (O(n^3) overall: n increments of O(t^2));
 * GEMUF_t = sum_{j<=t} SITMUF_j^2, chi-square with the non-degenerate
 * periods as degrees of freedom.  opt may be NULL (defaults).  Caller
 * frees with custos_nrta_result_free().  CUSTOS_OK, CUSTOS_EDOMAIN (the
 * covariance is not positive semi-definite, or alpha, k, h out of range),
 * CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_nrta_run(custos_nrta_result **out, const custos_sequence *s,
                               const custos_nrta_options *opt);
CUSTOS_API void custos_nrta_result_free(custos_nrta_result *r);

/* ---- Page's test: average run length and decision interval ------------ */

/*
 * Average run length of the one-sided CUSUM S_t = max(0, S_t-1 + y_t - k),
 * alarm at S_t > h, on y_t ~ N(shift, 1), from S_0 = 0: the Markov chain
 * of Brook & Evans (1972) with states states (0: 400) over [0, h], solved
 * with LAPACK (dgesv).  CUSTOS_EDOMAIN for h <= 0, states < 2 or > 5000,
 * non-finite arguments; CUSTOS_ENOMEM.  O(states^3).
 */
CUSTOS_API int custos_arl_markov(double *arl, double k, double h, double shift, int states);

/*
 * The same by Monte Carlo: runs runs from S_0 = 0, in fixed blocks each
 * seeded from (seed, block number) and shared among threads workers, so
 * the result does not depend on threads.  Returns the mean run length and
 * its standard error.  Runs are cut at 10^8 steps (CUSTOS_EDOMAIN).
 */
CUSTOS_API int custos_arl_mc(double *arl, double *se, double k, double h, double shift,
                             long runs, uint64_t seed, int threads);

/* Probability that Page's test alarms within n steps in control (shift 0),
 * by the Markov chain (states 0: 400); and the h giving probability alpha
 * over n steps (bisection to 1e-6 in h). */
CUSTOS_API int custos_page_false_alarm(double *p, double k, double h, size_t n, int states);
CUSTOS_API int custos_page_h_for_alpha(double *h, double k, size_t n, double alpha);

/* ---- detection probability ------------------------------------------- */

enum { CUSTOS_PD_MUF, CUSTOS_PD_CUMUF, CUSTOS_PD_SITMUF, CUSTOS_PD_PAGE, CUSTOS_PD_GEMUF,
       CUSTOS_PD_NTESTS };

typedef struct custos_pd_test {
    const char *name;        /* "muf", "cumuf", "sitmuf", "page", "gemuf"; static */
    double pd, pd_se;        /* alarm at any period of the campaign under the diversion */
    double fa, fa_se;        /* the same with no diversion (false alarm) */
    bool analytic;           /* pd and fa exact (se 0) */
    double pd_last;          /* the test at the last period only (CUMUF, GEMUF:
                                analytic), NaN for the others */
    double fa_last;
} custos_pd_test;

typedef struct custos_pd_result {
    custos_pd_test tests[CUSTOS_PD_NTESTS];
    long replicates;
    uint64_t seed;
    double alpha, k, h;
    double total;            /* grams diverted over the campaign */
} custos_pd_result;

typedef struct custos_pd_options {
    custos_nrta_options nrta;
    long replicates;         /* Monte Carlo replicates (default 100000) */
    uint64_t seed;           /* default 1 */
    int threads;             /* default 2 */
    /* Called after each block of replicates with (blocks done, blocks),
     * one call at a time, from a worker thread; may be NULL. */
    custos_progress_fn progress;
    void *progress_ctx;
} custos_pd_options;

/*
 * Detection probability of a diversion of diversion[t] grams in period t
 * (a loss raises the expected MUF_t by that amount) for each test over
 * the whole campaign of sequence s, with the campaign false-alarm
 * probability.  Exact: the SITMUF test (independent components:
 * 1 - prod Phi(z - delta_t)), CUMUF and GEMUF at the last period (normal,
 * noncentral chi-square).  Monte Carlo for the others: the measurement
 * errors of the model are drawn (random errors through the bidiagonal
 * factor of the tridiagonal random part, one normal per period, and one
 * per systematic group), MUF formed, and SITMUF obtained by a Kalman
 * filter whose innovations equal the Cholesky transform, in O(n x
 * groups) per replicate.  Reproducible for a seed whatever the threads.
 * opt may be NULL.  CUSTOS_OK, CUSTOS_EDOMAIN, CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_pd(custos_pd_result *out, const custos_sequence *s, const double *diversion,
                         const custos_pd_options *opt);

/*
 * The Monte Carlo kernel alone, for benchmarks and tests: replicates
 * replicates (blocks of 4096 seeded from (seed, block)) of the five tests,
 * alarm counts at any period into alarms[0] (no diversion) and alarms[1]
 * (under diversion).  Thresholds as custos_pd() sets them from opt.
 */
CUSTOS_API int custos_pd_simulate(long alarms[2][CUSTOS_PD_NTESTS], const custos_sequence *s,
                                  const double *diversion, const custos_nrta_options *opt,
                                  long replicates, uint64_t seed, int threads);

/* Floating-point operations of one replicate-period of the kernel for a
 * sequence with g systematic groups (for the benchmark's FLOP rate). */
CUSTOS_API double custos_pd_flops_per_period(size_t g);

/* ---- random numbers (exposed for tests and benchmarks) ---------------- */

/* xoshiro256++ (Blackman & Vigna 2021) seeded by splitmix64 from (seed,
 * stream); normals by the ziggurat method (Marsaglia & Tsang 2000, 256
 * layers). */
typedef struct custos_rng {
    uint64_t s[4];
} custos_rng;

CUSTOS_API void custos_rng_seed(custos_rng *r, uint64_t seed, uint64_t stream);
CUSTOS_API uint64_t custos_rng_next(custos_rng *r);
/* Uniform in (0, 1). */
CUSTOS_API double custos_rng_uniform(custos_rng *r);
CUSTOS_API double custos_rng_normal(custos_rng *r);
/* n standard normals into out. */
CUSTOS_API void custos_rng_normals(custos_rng *r, double *out, size_t n);

#ifdef __cplusplus
}
#endif
#endif
