/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/sim.h: the State simulator.  From a configuration (JSON,
 * docs/formats.md section "Simulator configuration") and a seed it writes,
 * for a fictional State, what its operators would send: facility
 * descriptions (as `custos facility add` reads them, with their
 * measurement models) and ICR, PIL and MBR reports in Code 10 labelled
 * form, plus the ground truth (true flows, diversions, true MUF).
 *
 * Facility types and their physics: conversion, enrichment (U-235
 * conserved exactly in milligrams, separative work), fuel fabrication,
 * power and research reactors (burn-up: nuclear loss and production),
 * spent fuel storage, reprocessing with near-real-time accountancy,
 * plutonium store, down-blending.  Every reported weight is the true
 * weight times (1 + random error of the measurement + systematic error of
 * the method in its calibration period), drawn from the facility's own
 * measurement model (shared/spec/statistics.md, section 2); the books are
 * exact integers of milligrams.  Design notes: docs/internals/simulator.md.
 *
 * Deterministic: the same configuration and seed give byte-identical
 * output on every machine (own xoshiro256** generator, own logarithm and
 * exponential, no floating-point text).  Memory does not grow with the
 * number of years simulated: reports are handed to the sink as each
 * reporting period closes.
 */
#ifndef CUSTOS_SIM_H
#define CUSTOS_SIM_H

#include <stdbool.h>

#include "common.h"
#include "diag.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct custos_sim_config custos_sim_config;

/*
 * Parse and check a simulator configuration (JSON text of len bytes).
 * Every problem goes to d (may be NULL) as one line naming source and the
 * JSON path; the last error message is the first of them.  Caller frees
 * with custos_sim_config_free().  Returns CUSTOS_OK, CUSTOS_EINVAL,
 * CUSTOS_ETOOBIG (over CUSTOS_MAX_JSON_FILE), CUSTOS_ENOMEM.
 * O(size of the configuration).
 */
CUSTOS_API int custos_sim_config_parse(custos_sim_config **out, const char *source,
                                       const char *json, size_t len, custos_diags *d);
CUSTOS_API void custos_sim_config_free(custos_sim_config *c);

/* Where the simulator sends what it produces.  Every callback returns
 * CUSTOS_OK or a negative error that stops the run (and is returned).
 * Pointers passed are borrowed for the duration of the call. */
typedef struct custos_sim_sink {
    /* A facility description (JSON) of facility code (4 characters). */
    int (*facility)(void *ctx, const char *code, const char *json, size_t len);
    /* One report of an MBA, in the MBA's report-number order. */
    int (*report)(void *ctx, const custos_report *r);
    /* The next bytes of truth.json. */
    int (*truth)(void *ctx, const char *data, size_t len);
    void *ctx;
} custos_sim_sink;

/* Progress: days simulated so far, days in total, entries written. */
typedef void (*custos_sim_progress_fn)(void *ctx, uint64_t days_done, uint64_t days_total,
                                       uint64_t entries);

typedef struct custos_sim_options {
    uint64_t seed;
    int years;                /* 0: the configuration's "years" */
    int errors;               /* -1: the configuration's, 0: off, 1: on */
    custos_sim_progress_fn progress; /* may be NULL */
    void *progress_ctx;
} custos_sim_options;

/* What a run produced. */
typedef struct custos_sim_stats {
    uint64_t facilities;
    uint64_t mbas;
    uint64_t reports;
    uint64_t entries;         /* accounting entries of every report */
    uint64_t days;
    uint64_t bytes;           /* bytes written (custos_sim_write_dir only) */
} custos_sim_stats;

/*
 * Run the simulation and hand everything to sink.  stats (may be NULL)
 * receives the counts on success.  Returns CUSTOS_OK, CUSTOS_EINVAL (the
 * configuration cannot run, e.g. a diversion larger than the material
 * there; message names it), CUSTOS_ENOMEM, or a sink's error.
 * Time O(days x facilities + entries); memory O(MBAs + batches on
 * inventory + entries of one open reporting period per MBA), independent
 * of the number of years.
 */
CUSTOS_API int custos_sim_run(const custos_sim_config *c, const custos_sim_options *opt,
                              const custos_sim_sink *sink, custos_sim_stats *stats);

/*
 * Run the simulation into directory dir, which must not exist or be
 * empty: dir/facilities/FACI.json, dir/reports/MBA.c10 (all reports of
 * one MBA in order, Code 10 labelled) and dir/truth.json.  Written into
 * dir.partial first and renamed at the end, so a failed run leaves no
 * half-written dir.  Returns as custos_sim_run(), or CUSTOS_EIO,
 * CUSTOS_EEXISTS (dir exists and is not empty).
 */
CUSTOS_API int custos_sim_write_dir(const custos_sim_config *c, const custos_sim_options *opt,
                                    const char *dir, custos_sim_stats *stats);

/*
 * Value function of separative work, V(x) = (2x - 1) ln(x / (1 - x)), for
 * 0 < x < 1; computed with the simulator's own logarithm, so it gives the
 * same bits everywhere.
 */
CUSTOS_API double custos_sim_swu_value(double x);

/*
 * Separative work (kg SWU) to make product_kg of assay xp from feed of
 * assay xf leaving tails of assay xw: P V(xp) + W V(xw) - F V(xf) with
 * F = P (xp - xw) / (xf - xw), W = F - P.  *feed_kg and *tails_kg (may be
 * NULL) receive F and W.  Returns CUSTOS_EDOMAIN unless 0 < xw < xf < xp < 1.
 */
CUSTOS_API int custos_sim_swu(double *out, double product_kg, double xp, double xf, double xw,
                              double *feed_kg, double *tails_kg);

/*
 * Down-blending: blendstock mass (kg) to bring heu_kg of assay xh down to
 * assay xp with blendstock of assay xb (m_H x_H + m_B x_B = m_P x_P).
 * Returns CUSTOS_EDOMAIN unless 0 <= xb < xp < xh <= 1.
 */
CUSTOS_API int custos_sim_blendstock(double *out, double heu_kg, double xh, double xb, double xp);

#ifdef __cplusplus
}
#endif
#endif
