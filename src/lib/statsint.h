/* SPDX-License-Identifier: Apache-2.0 */
/*
 * statsint.h: what the statistics modules (dist.c, rng.c, sigma.c,
 * sequence.c, nrta.c, arl.c, pd.c, sampling.c) share and do not export.
 */
#ifndef CUSTOS_STATSINT_H
#define CUSTOS_STATSINT_H

#include "custos/stats.h"
#include "internal.h"

/* Switch GSL's error handler off once per process (the library never
 * aborts on bad data); every entry point that calls GSL calls this. */
void custos_stats_init(void);

/* Split replicates into blocks of CUSTOS_MC_BLOCK, each with its own
 * random stream (seed, block), so results do not depend on threads. */
#define CUSTOS_MC_BLOCK 4096

/* Run fn(ctx, block) for blocks [0, nblocks) on threads workers (1 runs
 * inline).  fn returns CUSTOS_OK or an error; the first error is
 * returned.  CUSTOS_ENOMEM when threads cannot start. */
typedef int (*custos_block_fn)(void *ctx, long block);
int custos_parallel_blocks(custos_block_fn fn, void *ctx, long nblocks, int threads);

/* The normals of the Monte Carlo kernel (rng.c): eight xoshiro256+
 * streams side by side (structure of arrays) and a 2048-layer ziggurat,
 * in steps the kernel can interleave with its own work: raw draws
 * (vectorised), table reads (scalar), the fast path (branch-free), and
 * the rare slow path from a ninth, scalar stream.  custos_wrng_normals()
 * composes them; the kernel reproduces its numbers exactly.  Seeded from
 * (seed, stream); the numbers depend only on those. */
#define CUSTOS_WRNG_LANES 8
typedef struct custos_wrng {
    uint64_t s[4][CUSTOS_WRNG_LANES];
    custos_rng tail;
} custos_wrng;

void custos_wrng_seed(custos_wrng *w, uint64_t seed, uint64_t stream);
/* nvec x 8 raw 64-bit draws into v, lane-interleaved (v[8r + lane]). */
void custos_wrng_raw(custos_wrng *w, uint64_t *v, size_t nvec);
/* The layer widths of draws v[0..n): w0[k] = w[i], w1[k] = w[i+1]. */
void custos_zig_lookup(const uint64_t *v, double *w0, double *w1, size_t n);
/* The fast path of draw v with its widths: the normal, *ok false when the
 * draw must go to custos_zig_slow() instead. */
double custos_zig_fast(uint64_t v, double w0, double w1, bool *ok);
/* The normal of a draw the fast path rejected (wedge or tail; further
 * numbers from tail).  Only after custos_wrng_seed(), which sets up the
 * tables this reads (tail is that stream's own tail). */
double custos_zig_slow(custos_rng *tail, uint64_t v);
/* nvec x 8 standard normals into out: raw draws, widths, fast path, slow
 * path in order of k. */
void custos_wrng_normals(custos_wrng *w, double *out, size_t nvec);
/* The width table (2049 entries and a zero pad), set up on first use. */
const double *custos_zig_widths(void);
/* The table's closing error (0 for an exact ziggurat; below 1e-13). */
double custos_zig_check(void);

/* The Kalman filter of a sequence's structured covariance (pd.c): the
 * standardised innovations of x (n values) into y, NaN where degenerate;
 * equal to the Cholesky SITMUF.  CUSTOS_OK, CUSTOS_EDOMAIN, CUSTOS_ENOMEM. */
int custos_kalman_sitmuf(const custos_sequence *s, const double *x, double *y);

/* ---- the detection-probability kernel (pd.c, pd_avx512.c) ----------------
 *
 * Per period t one record of CUSTOS_PD_KREC + 2g doubles, negated where
 * the chain computes -MUF (so that every test is "a sum below 0"). */
enum {
    CUSTOS_PD_K_NCPREV, /* -b_t kw_t-1 s_t-1: the previous normal's weight */
    CUSTOS_PD_K_NSQ,    /* -s_t */
    CUSTOS_PD_K_TM,     /* z sigma_t (MUF test), +inf for a period without variance */
    CUSTOS_PD_K_TMM,    /* z sigma_t - mu_t */
    CUSTOS_PD_K_TC,     /* z sigma(CUMUF_t) */
    CUSTOS_PD_K_TCM,    /* z sigma(CUMUF_t) - sum mu */
    CUSTOS_PD_K_DL,     /* delta_t */
    CUSTOS_PD_K_DLK,    /* delta_t - k */
    CUSTOS_PD_K_TG,     /* chi-square quantile at the periods so far */
    CUSTOS_PD_KREC      /* then per slot -u_t (g), kz_t s_t (g) */
};

/* The systematic state lives in g slots, not one per group: a group
 * holds a slot from the first period its gain is not zero to the last
 * its coefficient is not zero (outside that its terms are exact zeros),
 * and groups whose periods do not overlap (calibration periods) share
 * one; reset[t] has bit j set when slot j starts a new group at t (its
 * state set to 0 before the period). */
typedef struct custos_pd_kern {
    size_t n, g, stride;
    double *rec;         /* n x stride */
    uint64_t *reset;     /* n */
    const unsigned char *deg;
    double k, h, zq;
} custos_pd_kern;

#if defined(__x86_64__) && defined(__GNUC__)
#define CUSTOS_PD_AVX512 1
/* One block of count replicates on the AVX-512 kernel, normals from rng
 * (the numbers custos_wrng_normals() gives, 8 x n per group of eight
 * replicates), alarms added to al.  The processor must have AVX-512F,
 * AVX-512DQ and FMA.  CUSTOS_OK, CUSTOS_ENOMEM. */
int custos_pd_block_avx512(const custos_pd_kern *kp, custos_wrng *rng, long count,
                           long al[2][CUSTOS_PD_NTESTS]);
#endif

/* The innovations form the Monte Carlo uses (pd.c): the MUF vector
 * (n values, no diversion) that standardised innovations y give, so that
 * custos_kalman_sitmuf(muf) = y on non-degenerate periods and MUF = M y
 * with M M^T the sequence's covariance.  CUSTOS_OK, CUSTOS_EDOMAIN,
 * CUSTOS_ENOMEM. */
int custos_kalman_muf(const custos_sequence *s, const double *y, double *muf);

/* The Monte Carlo kernels of pd.c: the portable one (the reference) and
 * the AVX-512 one (x86-64), which give the same alarms bit for bit. */
enum { CUSTOS_PD_KERNEL_AUTO, CUSTOS_PD_KERNEL_GENERIC, CUSTOS_PD_KERNEL_AVX512 };
/* 1 when this processor runs the AVX-512 kernel. */
int custos_pd_kernel_avx512(void);
/* The number of state slots the Monte Carlo kernel uses for s (at most
 * its number of systematic groups).  CUSTOS_OK, CUSTOS_EDOMAIN (a
 * sequence the filter refuses), CUSTOS_ENOMEM. */
int custos_pd_kernel_slots(const custos_sequence *s, size_t *slots);
/* custos_pd_simulate() with the kernel chosen; CUSTOS_EDOMAIN when the
 * AVX-512 one is asked for and the processor lacks it. */
int custos_pd_simulate_kernel(long alarms[2][CUSTOS_PD_NTESTS], const custos_sequence *s,
                              const double *diversion, const custos_nrta_options *opt,
                              long replicates, uint64_t seed, int threads, int kernel);

#endif
