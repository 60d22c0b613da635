/* SPDX-License-Identifier: Apache-2.0 */
/*
 * simint.h: the simulator's private structures, shared by sim.c (the
 * engine: calendar, books, reports, transfers, errors, diversions),
 * sim_config.c (configuration), sim_facility.c (facility descriptions and
 * measurement models), sim_rng.c (random numbers, log, exp) and the
 * process models sim_front.c (conversion, enrichment, fuel fabrication,
 * down-blending), sim_reactor.c (power and research reactors, spent fuel
 * and plutonium stores) and sim_reproc.c (reprocessing).
 *
 * Invariants: every quantity of material is an exact int64 of milligrams;
 * a process model only moves material (true contents are conserved to the
 * milligram, except by a diversion, which is counted in the truth); books
 * hold the reported values.
 */
#ifndef CUSTOS_SIMINT_H
#define CUSTOS_SIMINT_H

#include <stdbool.h>
#include <stdint.h>

#include "custos/facility.h"
#include "custos/report.h"
#include "custos/sim.h"
#include "internal.h"

/* ---- random numbers and deterministic math (sim_rng.c) --------------- */

typedef struct sim_rng {
    uint64_t s[4];
    double spare;
    bool has_spare;
} sim_rng;

void sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t stream);
uint64_t sim_rng_next(sim_rng *r);
double sim_rng_uniform(sim_rng *r);
uint64_t sim_rng_below(sim_rng *r, uint64_t n);
double sim_rng_normal(sim_rng *r);
double sim_log(double x);
double sim_exp(double x);
/* Nearest integer, halves up. */
int64_t sim_round(double x);
/* round(a * b / c), exact; a, b >= 0, c > 0. */
int64_t sim_muldiv(int64_t a, int64_t b, int64_t c);

/* ---- configuration (sim_config.c) ------------------------------------ */

#define SIM_MAX_DST 16
#define SIM_KG 1000000LL /* milligrams in a kilogram */

typedef enum sim_type {
    SIM_CONVERSION = 0,
    SIM_ENRICHMENT,
    SIM_FABRICATION,
    SIM_POWER_REACTOR,
    SIM_RESEARCH_REACTOR,
    SIM_SPENT_FUEL,
    SIM_REPROCESSING,
    SIM_PU_STORE,
    SIM_DOWNBLENDING,
    SIM_NTYPES
} sim_type;

/* A method uncertainty given in the configuration (overrides a default). */
typedef struct sim_method_cfg {
    char method[CUSTOS_METHOD_LEN];
    int64_t random_ppm, systematic_ppm;
} sim_method_cfg;

typedef struct sim_fac_cfg {
    sim_type type;
    char code[5];      /* facility code, or a 2-character prefix with copies */
    char mba[5];       /* MBA code (or 2-character prefix) */
    char name[64];
    int copies;
    int pit_days;      /* days between physical inventory takings */
    int calibration_days;
    int transit_days;  /* domestic shipments take this long */
    char ship_to[SIM_MAX_DST][5];
    int nship;
    char foreign[3];   /* the other State of imports and exports */
    int64_t export_ppm; /* share of products exported, parts per million */
    /* physics; fractions in ppm of mass, assays as fractions */
    double throughput_t;   /* t U (or t HM) a year */
    double feed_assay, product_assay, tails_assay;
    double batch_kg;       /* receipt / product batch size, kg U (kg Pu for Pu products) */
    double assembly_kg;    /* kg U per fuel assembly or element */
    int64_t scrap_ppm, discard_ppm, loss_u_ppm, loss_pu_ppm;
    double power_mw;       /* thermal */
    int core_assemblies, reload_assemblies, cycle_days, outage_days, cooling_days;
    double enrichment;     /* of fresh reactor fuel */
    double heu_assay, blendstock_assay;
    int holdup_days;
    int stock_days;        /* opening stock of input material, in days of throughput */
    sim_method_cfg *methods;
    int nmethods;
} sim_fac_cfg;

typedef enum sim_conceal {
    SIM_UNREPORTED = 0,
    SIM_INFLATED_DISCARDS,
    SIM_FALSIFIED_TRANSFERS,
    SIM_BIASED_MEASUREMENTS
} sim_conceal;

typedef struct sim_diversion_cfg {
    char mba[5];
    char element;      /* 'U' (uranium, with its U-235) or 'P' (plutonium) */
    int64_t amount_mg;
    custos_date start, end;
    bool abrupt;
    sim_conceal conceal;
} sim_diversion_cfg;

typedef struct sim_correction_cfg {
    char mba[5];
    custos_date after;
} sim_correction_cfg;

struct custos_sim_config {
    char state[3];
    char foreign[3];
    custos_date start;
    int years;
    char encoder[31];
    bool errors;
    sim_fac_cfg *facs;
    int nfacs;
    sim_diversion_cfg *diversions;
    int ndiversions;
    sim_correction_cfg *corrections;
    int ncorrections;
};

const char *sim_type_name(sim_type t);

/* ---- run-time state (sim.c) ------------------------------------------ */

/* Material: uranium (element and U-235) and plutonium, milligrams. */
typedef struct sim_mat {
    int64_t u, u235, pu;
} sim_mat;

/* A batch on inventory (a cylinder, drum, assembly, tank content...). */
typedef struct sim_batch {
    char name[17];
    char kmp[3];       /* inventory KMP where it is */
    char mdc[5];       /* the four letters of label 430 */
    char cat;          /* 'N' 'D' 'E' (uranium, E may hold Pu too) or 'P' */
    bool item;         /* counted, not re-measured at a PIT */
    int32_t items;
    sim_mat truth;     /* true content */
    sim_mat book;      /* the operator's value (last reported) */
    sim_mat measured;  /* the true content when book was last measured */
    bool has_book;     /* book is a measurement of the content as it is */
    double energy;     /* MWd received in a reactor */
    bool stored;       /* a storage batch of items rebatched together (sim_consolidate) */
    custos_date date;  /* when it entered its present state */
    int state;         /* the process model's own use */
    int64_t aux;       /* the process model's own use (e.g. feed U-235 share) */
} sim_batch;

typedef struct sim_fac sim_fac;
typedef struct sim sim;

#define SIM_NCODES 40 /* room for the inventory change codes */

/* An MBA: its inventory, its open ICR and its books for the period. */
typedef struct sim_mba {
    char code[5];
    sim_fac *fac;
    int index;
    sim_batch *b;             /* the inventory, b[0..nb), room for capb */
    size_t nb, capb;
    size_t off;               /* b - off is the allocation (removals at the front) */
    custos_report *icr;       /* entries of the open reporting period, NULL if none */
    int64_t number;           /* last report number used */
    custos_date icr_start;    /* first day of the open ICR period */
    custos_date last_pit, next_pit;
    int pit_days;
    uint32_t seq;             /* batch name counter */
    /* books of the open balance period (reported values), by weight index */
    int64_t pb[CUSTOS_NWEIGHTS];
    int64_t ic[SIM_NCODES][CUSTOS_NWEIGHTS];
    uint32_t icmask[SIM_NCODES];
    bool used[CUSTOS_NWEIGHTS];
    /* the truth of the open balance period */
    int64_t tpb[CUSTOS_NWEIGHTS], tin[CUSTOS_NWEIGHTS], tout[CUSTOS_NWEIGHTS];
    int64_t diverted[CUSTOS_NWEIGHTS];
    bool used_pb[CUSTOS_NWEIGHTS];
    /* concealment carried to the next entry of a kind, by weight index */
    int64_t hide_discard[CUSTOS_NWEIGHTS], hide_ship[CUSTOS_NWEIGHTS];
    int64_t bias[CUSTOS_NWEIGHTS]; /* added to the PIL (biased measurements) */
    /* a correction: the wrong entry waits for the next ICR */
    int corr_state;           /* 0 none, 1 armed, 2 made (correction pending), 3 done */
    custos_date corr_after;
    custos_entry corr_entry;
    int64_t corr_report;
    int32_t corr_number;
    int64_t corr_in;          /* report that carries the correction */
} sim_mba;

/* A domestic shipment on its way. */
typedef struct sim_transit {
    custos_date arrive;
    sim_mba *from, *to;
    sim_batch batch;          /* truth and the shipper's value */
    custos_date shipped;
} sim_transit;

typedef struct sim_ops {
    /* Opening inventory. */
    int (*init)(sim *s, sim_fac *f);
    /* One day of operation. */
    int (*day)(sim *s, sim_fac *f, custos_date d);
    /* A domestic receipt arrived: book it (sim_receive()). */
    int (*receive)(sim *s, sim_fac *f, sim_transit *t, custos_date d);
    /* How many more batches of this kind it would take now. */
    int (*room)(const sim_fac *f, char cat, bool item);
} sim_ops;

/* Systematic error state of one method of a facility. */
typedef struct sim_sys {
    char method[CUSTOS_METHOD_LEN];
    double systematic;        /* relative standard uncertainty */
    double random;
    int period;               /* calibration period drawn for (-1 none yet) */
    double value;             /* the drawn systematic error */
} sim_sys;

struct sim_fac {
    const sim_fac_cfg *cfg;
    const sim_ops *ops;
    int index;
    char code[5];
    sim_mba *mba[2];
    int nmba;
    custos_facility *desc;    /* the description written, parsed back (without its
                                 calibration periods: cal_step gives them) */
    int cal_step;             /* days of a calibration period, from the first day */
    char *json;               /* the description written, until the sink has it */
    size_t json_len;
    sim_rng proc;             /* process randomness */
    sim_rng meas;             /* measurement errors */
    sim_sys *sys;
    int nsys;
    sim_fac *dst[64];
    int ndst, next_dst;
    int in_transit;           /* shipments on their way to it */
    int cap;                  /* batches its input store takes */
    bool has_supplier;        /* a domestic facility ships to it */
    /* process state */
    int64_t acc_mg;           /* material accumulated towards the next batch */
    double acc_mwd;
    int64_t counter;
    custos_date next_event;
    sim_mat pool;             /* in-process material (bulk holdup) */
    /* truth totals for truth.json */
    sim_mat feed, product, tails, blend;
    double swu;
};

/* What a diversion has done so far. */
typedef struct sim_div_state {
    sim_mba *m;
    int64_t removed, concealed;
} sim_div_state;

struct sim {
    const custos_sim_config *cfg;
    sim_div_state *div;
    const custos_sim_sink *sink;
    bool errors;
    uint64_t seed;
    custos_date start, end;   /* first and last day simulated */
    sim_fac *facs;
    int nfacs;
    sim_mba **mbas;
    int nmbas;
    sim_transit *transit;
    size_t ntransit, captransit;
    custos_buf truth;         /* truth.json, flushed to the sink in pieces */
    bool truth_first;
    custos_sim_stats stats;
    custos_date today;
};

/* ---- engine services for the process models (sim.c) ----------------- */

/* Batches one MBA holds at once (docs/limits.md).  The inventory is a
 * list the process models scan every day, so the limit bounds a day's
 * work as well as the memory: a configuration whose stock is counted in
 * hundreds of thousands of batches (a throughput far beyond any plant's,
 * in small cans) is refused rather than run for hours. */
#define SIM_MAX_BATCHES 50000

/* A new batch in m's inventory (zeroed, named PREFIX-NNNNNN) into *out:
 * CUSTOS_OK, CUSTOS_ENOMEM, or CUSTOS_ETOOBIG past SIM_MAX_BATCHES.  The
 * pointer is valid until the next batch is added or removed. */
int sim_batch_add(sim_batch **out, sim_mba *m, const char *prefix, const char *kmp,
                  const char *mdc, char cat, bool item);
/* Remove batch i, the others keep their order; O(min(i, nb - i)). */
void sim_batch_remove(sim_mba *m, size_t i);
/* Index of the first batch at kmp (NULL: any) of category cat (0: any). */
long sim_batch_find(const sim_mba *m, const char *kmp, char cat, size_t from);

/* Measure truth at m's kmp for material mdc: fresh random errors plus the
 * method's systematic error of the calibration period; out = truth when
 * errors are off. */
void sim_measure(sim *s, sim_mba *m, const char *kmp, const char *mdc, const sim_mat *truth,
                 sim_mat *out);

/* The operator's value of batch b of m at kmp: its book value when the
 * batch is an item or has not changed since it was measured (basis 'T'),
 * else a new measurement, which becomes its book value (basis 'M'). */
char sim_value(sim *s, sim_mba *m, sim_batch *b, const char *kmp, sim_mat *rep);
/* Record rep as the measured book value of b's present content. */
void sim_set_book(sim_batch *b, const sim_mat *rep);

/* Book an inventory change at m: code (RF RD NP ... LN LD SD SF), the
 * batch's identity, reported value rep and true value tru.  other is the
 * other party ("XB" or "XA/XAEN"), basis M/N/T/L.  Returns CUSTOS_OK or
 * an error. */
int sim_book(sim *s, sim_mba *m, custos_date d, const char *code, const sim_batch *b,
             const char *kmp, const sim_mat *rep, const sim_mat *tru, const char *other,
             const char *shipper_batch, char basis);
/* A category change (NE ND DE ...) of uranium rep (true tru): from_u235 /
 * to_u235 are the U-235 weights given for each category. */
int sim_book_category(sim *s, sim_mba *m, custos_date d, const char *code, const char *batch,
                      const char *kmp, const char *mdc, int64_t rep_u, int64_t rep_from235,
                      int64_t rep_to235, int64_t tru_u, int64_t tru_from235, int64_t tru_to235);

/* Ship batch i of m to facility dst (domestic; NULL: export to the
 * foreign State).  The shipper's value is measured at kmp when the batch
 * is bulk, its book value when it is an item.  Removes the batch. */
int sim_ship(sim *s, sim_mba *m, size_t i, sim_fac *dst, const char *kmp, custos_date d);
/* Book a receipt of t at m (value measured at kmp when measure, else the
 * shipper's), and put the batch in m's inventory at inventory KMP ikmp. */
int sim_receive(sim *s, sim_mba *m, sim_transit *t, const char *kmp, const char *ikmp,
                bool measure, custos_date d);
/* Book a measured discard of tru from m (LD at kmp). */
int sim_discard(sim *s, sim_mba *m, custos_date d, const char *kmp, const char *mdc, char cat,
                const sim_mat *tru);
/* A foreign receipt (RF) of tru at m into inventory at ikmp; returns the
 * new batch through *out (may be NULL). */
int sim_import(sim *s, sim_mba *m, custos_date d, const char *prefix, const char *kmp,
               const char *ikmp, const char *mdc, char cat, bool item, int32_t items,
               const sim_mat *tru, sim_batch **out);
/* Long-term storage: rebatch the single items at kmp of m into one
 * storage batch per material description (RM for each item at its book
 * value, RP for the storage batch at their sum, basis basis), so that an
 * MBA that keeps everything it receives holds one batch record a month
 * instead of one per item.  Items already in a storage batch stay where
 * they are.  Returns CUSTOS_OK or an error. */
int sim_consolidate(sim *s, sim_mba *m, const char *kmp, char basis, custos_date d);
/* True on the last day of a month. */
bool sim_month_end(custos_date d);
/* Next destination of f that has room for a batch (round robin), or NULL. */
sim_fac *sim_next_dst(sim *s, sim_fac *f, char cat, bool item);
/* True when f should export this batch (by its export share). */
bool sim_export_now(sim_fac *f);

/* U-235 in u milligrams of uranium at assay x, rounded. */
int64_t sim_u235_of(int64_t u, double x);
/* Take u of uranium out of batch b (its U-235 in proportion), into out. */
void sim_take_u(sim_batch *b, int64_t u, sim_mat *out);

/* ---- process models ------------------------------------------------- */

/* Nuclear loss (U and U-235) and Pu production of fresh material after
 * mwd of thermal energy (sim_reactor.c states the model). */
void sim_burnup(const sim_mat *fresh, double mwd, sim_mat *loss, int64_t *pu_made);

extern const sim_ops sim_conversion_ops, sim_enrichment_ops, sim_fabrication_ops,
    sim_downblending_ops, sim_power_ops, sim_research_ops, sim_spent_ops, sim_pustore_ops,
    sim_reprocessing_ops;

/* ---- facility descriptions (sim_facility.c) -------------------------- */

/* Build the facility description JSON of f (MBAs, KMPs, measurement
 * model with calibration periods over [start, end]) into f->json, parse
 * it back into f->desc and set up f->sys. */
int sim_facility_describe(sim *s, sim_fac *f);

#endif
