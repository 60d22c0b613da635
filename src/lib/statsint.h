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

/* Eight xoshiro256++ streams side by side (structure of arrays), so the
 * uniforms and the ziggurat's fast path vectorise; the rare rejections
 * are redrawn from a ninth, scalar stream.  Seeded from (seed, stream);
 * the numbers depend only on those. */
#define CUSTOS_WRNG_LANES 8
typedef struct custos_wrng {
    uint64_t s[4][CUSTOS_WRNG_LANES];
    custos_rng tail;
} custos_wrng;

void custos_wrng_seed(custos_wrng *w, uint64_t seed, uint64_t stream);
/* n standard normals into out (any n; best a multiple of 256). */
void custos_wrng_normals(custos_wrng *w, double *out, size_t n);

/* The Kalman filter of a sequence's structured covariance (pd.c): the
 * standardised innovations of x (n values) into y, NaN where degenerate;
 * equal to the Cholesky SITMUF.  CUSTOS_OK, CUSTOS_EDOMAIN, CUSTOS_ENOMEM. */
int custos_kalman_sitmuf(const custos_sequence *s, const double *x, double *y);

#endif
