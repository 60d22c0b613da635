/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/sampling.h: verification by the inspector (shared/spec/
 * statistics.md section 4): attribute sampling plans for gross, partial
 * and bias defects, the D statistic of operator-inspector differences by
 * stratum, and the MUF-D test.
 *
 * Attribute sampling: to find at least one of r falsified items among N
 * with probability 1 - beta, the binomial approximation takes
 * n = N (1 - beta^(1/r)) rounded up; the exact (hypergeometric) plan the
 * smallest n with C(N-r, n) / C(N, n) <= beta.  r = goal quantity / (f x
 * mass per item): f = 1 for a gross defect (the item is empty or
 * missing), the smallest falsified fraction the verification method can
 * see for a partial or bias defect (stated by the analyst).
 *
 * D statistic: for stratum k of N_k items of which n_k were verified, with
 * differences d_kj = operator's value - inspector's value,
 * D = sum_k (N_k / n_k) sum_j d_kj; with no falsification its variance is
 * that of the measurement errors:
 *   Var(D) = sum_k (N_k/n_k)^2 sum_j x_kj^2 (dor_k^2 + dir_k^2)
 *          + sum_k (N_k/n_k sum_j x_kj)^2 (dos_k^2 + dis_k^2)
 * (relative random and systematic uncertainties of operator and inspector).
 * MUF - D removes the falsification from the balance; the operator's
 * errors on the verified items are those of the ending inventory, so
 *   Cov(MUF, D) = -sum_k [ (N_k/n_k) sum_j x_kj^2 dor_k^2
 *                          + (N_k/n_k sum_j x_kj) X_k dos_k^2 ]
 * with X_k the stratum's declared total (or N_k times the mean verified
 * value).  Grams throughout.
 */
#ifndef CUSTOS_SAMPLING_H
#define CUSTOS_SAMPLING_H

#include <stdbool.h>

#include "common.h"
#include "diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Items to sample among population to find one of defects falsified items
 * with probability 1 - beta: the binomial approximation (exact false) or
 * the hypergeometric plan (exact true).  CUSTOS_EDOMAIN when population <
 * 1, defects outside 1..population or beta outside (0, 1).  O(n).
 */
CUSTOS_API int custos_attribute_sample_size(long *n, long population, long defects, double beta,
                                            bool exact);

/* Falsified items needed to divert goal grams from items of item_mass
 * grams each when each loses fraction f (0 < f <= 1): ceil(goal / (f
 * item_mass)).  CUSTOS_EDOMAIN for non-positive arguments. */
CUSTOS_API int custos_defects_for_goal(long *r, double goal, double item_mass, double f);

#define CUSTOS_STRATUM_LEN 32
#define CUSTOS_BATCH_LEN 17

typedef struct custos_stratum {
    char name[CUSTOS_STRATUM_LEN];
    long population;         /* N_k items */
    double op_random, op_systematic;   /* relative standard uncertainties */
    double in_random, in_systematic;
    double total;            /* declared stratum total (grams), 0 when not given */
    size_t npairs;
    char (*batch)[CUSTOS_BATCH_LEN];
    double *op, *in;         /* operator's and inspector's values, grams */
} custos_stratum;

typedef struct custos_inspection {
    size_t n;
    custos_stratum *strata;
} custos_inspection;

/*
 * Parse the strata file (CSV header stratum,population,operator_random,
 * operator_systematic,inspector_random,inspector_systematic[,total]) and
 * the verified items (CSV header stratum,batch,operator,inspector; grams),
 * docs/formats.md.  Uncertainties as fractions or with %.  Every pair names
 * a declared stratum; a stratum has at most population pairs and at least
 * one.  Problems go to d with file and line.  Caller frees with
 * custos_inspection_free().  CUSTOS_OK, CUSTOS_EINVAL, CUSTOS_ETOOBIG,
 * CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_inspection_parse(custos_inspection **out, const char *strata_name,
                                       const char *strata, size_t strata_len,
                                       const char *pairs_name, const char *pairs, size_t pairs_len,
                                       custos_diags *d);
CUSTOS_API void custos_inspection_free(custos_inspection *in);

typedef struct custos_dstat_stratum {
    double d;                /* (N_k / n_k) sum_j d_kj */
    double var_random, var_systematic;
    double mean_diff, sd_diff; /* of the d_kj */
    double t;                /* paired test: mean / (sd / sqrt(n)); NaN for n < 2 */
    double cov_muf;          /* its part of Cov(MUF, D) */
} custos_dstat_stratum;

typedef struct custos_dstat_result {
    size_t n;
    custos_dstat_stratum *strata;
    double d, sigma_d, z;    /* z = z_{1-alpha} */
    bool d_alarm;            /* D > z sigma_D */
    bool has_muf;
    double muf, sigma_muf, muf_d, sigma_muf_d, cov_muf_d;
    bool muf_d_alarm;        /* MUF - D > z sigma */
} custos_dstat_result;

/*
 * The D statistic and its test at level alpha; with has_muf, also MUF - D
 * for a balance of MUF muf and sigma_muf (grams).  Caller frees with
 * custos_dstat_result_free().  CUSTOS_OK, CUSTOS_EDOMAIN, CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_dstat(custos_dstat_result **out, const custos_inspection *in, double alpha,
                            bool has_muf, double muf, double sigma_muf);
CUSTOS_API void custos_dstat_result_free(custos_dstat_result *r);

#ifdef __cplusplus
}
#endif
#endif
