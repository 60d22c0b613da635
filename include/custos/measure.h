/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/measure.h: the measurement model of a facility and the tables of
 * target values.
 *
 * Each reported weight was measured: a bulk measurement (weight, volume),
 * an element concentration and, for isotope weights, an isotopic
 * composition, each by a method with a relative random and a relative
 * systematic standard uncertainty (shared/spec/statistics.md, section 2).
 * A facility description names, per MBA, KMP and material, the methods
 * used; the uncertainties come from the facility's own list or from a
 * target-value table (CSV: method, material, relative random, relative
 * systematic, source), such as the International Target Values 2010
 * (IAEA STR-368) an inspectorate loads.  Systematic errors are shared by
 * all measurements of one method in one calibration period.
 */
#ifndef CUSTOS_MEASURE_H
#define CUSTOS_MEASURE_H

#include <stdbool.h>

#include "common.h"
#include "diag.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CUSTOS_METHOD_LEN 24
#define CUSTOS_MATERIAL_LEN 40

/* Relative standard uncertainties of one method for one material. */
typedef struct custos_uncertainty {
    char method[CUSTOS_METHOD_LEN];
    char material[CUSTOS_MATERIAL_LEN]; /* "" or "*": any material */
    double random;      /* relative standard uncertainty, e.g. 0.001 */
    double systematic;
    char *source;       /* where the figures come from; owned */
} custos_uncertainty;

/* How material at a KMP is measured. */
typedef struct custos_measurement_point {
    char mba[5];
    char kmp[3];
    char mdc[8];        /* prefix of label 430 it applies to ("O/G", "B"), "" = any */
    char material[CUSTOS_MATERIAL_LEN]; /* material class for the uncertainty lookup */
    char bulk[CUSTOS_METHOD_LEN];       /* "" when not measured (e.g. item counting) */
    char element[CUSTOS_METHOD_LEN];
    char isotopic[CUSTOS_METHOD_LEN];
    /* "random_per_item": each item of an entry (label 470) was measured
     * on its own, so the random variance of an entry of N equal items is
     * (x d_r)^2 / N instead of (x d_r)^2. */
    bool per_item;
} custos_measurement_point;

/* A calibration period of a method: its systematic error is one random
 * variable from start to end (inclusive). */
typedef struct custos_calibration {
    char method[CUSTOS_METHOD_LEN];
    custos_date start, end;
} custos_calibration;

typedef struct custos_measurement_model {
    size_t nmethods;
    custos_uncertainty *methods;     /* the facility's own values */
    size_t npoints;
    custos_measurement_point *points;
    size_t ncalibrations;
    custos_calibration *calibrations;
    /* Uncertainty of a weight not measured at this MBA (basis N or L:
     * the shipper's value booked) or with no measurement point. */
    bool has_unmeasured;
    custos_uncertainty unmeasured;
} custos_measurement_model;

/* A target-value table. */
typedef struct custos_targets {
    size_t n;
    custos_uncertainty *items;
} custos_targets;

/*
 * Parse a target-value table (CSV with the header
 * method,material,random,systematic,source; uncertainties as fractions,
 * or with a % sign: "0.2%").  Every row must name its source.  Problems
 * go to d with the line.  Caller frees with custos_targets_free().
 */
CUSTOS_API int custos_targets_parse(custos_targets **out, const char *name, const char *text,
                                    size_t len, custos_diags *d);
CUSTOS_API void custos_targets_free(custos_targets *t);

/* Free the contents of a model (not the struct itself). */
CUSTOS_API void custos_measurement_model_dispose(custos_measurement_model *m);

/*
 * The measurement point that applies to an entry of MBA mba at KMP kmp
 * with material description mdc ("O/G/U/C" or the four letters "OGUC"),
 * the most specific match first (longest mdc prefix).  NULL when none.
 * Borrowed from m.
 */
CUSTOS_API const custos_measurement_point *
custos_measurement_point_for(const custos_measurement_model *m, const char *mba, const char *kmp,
                             const char *mdc);

/*
 * Uncertainty of method for material: the facility's own figure first,
 * then the first matching row of the tables (in the order given), an exact
 * material match before a "*" row.  NULL when none.  Borrowed.
 */
CUSTOS_API const custos_uncertainty *custos_uncertainty_for(const custos_measurement_model *m,
                                                            const custos_targets *const *tables,
                                                            size_t ntables, const char *method,
                                                            const char *material);

/* Index of the calibration period of method at date d: periods declared
 * for the method are numbered from 1 in the order given; 0 when the date
 * lies in none of them (or none is declared: one period for the whole
 * campaign). */
CUSTOS_API int custos_calibration_period(const custos_measurement_model *m, const char *method,
                                         custos_date d);

struct custos_ledger;

/*
 * Store a target-value table (its CSV text, checked first) in the ledger,
 * appended to the hash chain.  Returns CUSTOS_OK, CUSTOS_EINVAL (problems
 * in d), CUSTOS_ESTORAGE, CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_ledger_targets_add(struct custos_ledger *l, const char *name,
                                         const char *text, size_t len, custos_diags *d);

/*
 * Every stored target-value table, the most recently stored first (it
 * takes precedence in custos_uncertainty_for()).  *out is an array of n
 * tables; caller frees each with custos_targets_free() and the array with
 * custos_free().
 */
CUSTOS_API int custos_ledger_targets(custos_targets ***out, size_t *n, struct custos_ledger *l);

#ifdef __cplusplus
}
#endif
#endif
