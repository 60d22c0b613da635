/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/evaluate.h: State-level evaluation: findings, per-path
 * indication scores, the conclusions and the counterfactual audit
 * (shared/spec/state-level.md, "Evaluation and conclusions").
 *
 * Evidence: the ledger's findings (operator MBRs that disagree with the
 * books, overdue or unmatched transfers), the statistics of material
 * balances when supplied (alarms and their absence, with detection and
 * false-alarm probabilities), and the stored information items.  Each
 * piece has a source class, an Admiralty grade, a likelihood ratio LR and
 * links with a direction.  Its weight is
 *
 *     c = reliability(grade)/100 x credibility(grade)/100
 *
 * from the documented, changeable table of the State model, and on a path
 * it bears on (a link names a step, a material form, a facility or an MBA
 * of the path) it adds c ln LR (indicates activity) or -c ln LR (indicates
 * absence) to the path's log-odds:
 *
 *     logit P = logit P0 - w_d (difficulty - 1) - w_t time / T_ref
 *               + sum_i c_i d_i ln LR_i
 *
 * A path is an indication when P >= the threshold.
 *
 * Third-party rule: a third-party item counts only when an item of
 * another source class bearing on the same target in the same direction
 * corroborates it, or a State clarification step on it is recorded;
 * otherwise it is listed as not counted, and never a finding.
 *
 * Conclusions: per facility, "no indication of diversion of declared
 * nuclear material" fails when an indicated path has a diversion step at
 * the facility; State-wide, "no indication of undeclared nuclear material
 * or activities" fails when an indicated path misuses a declared facility
 * or has no declared step at all (undeclared material, imports,
 * undeclared plants); the broader conclusion is drawn only with a
 * comprehensive agreement and an additional protocol in force and every
 * other conclusion holding.  The audit re-runs the scoring without each
 * source class and without each single piece of evidence and records
 * which conclusions change.
 *
 * Compartments decide what a reader sees, never what is concluded:
 * the renderers print hidden evidence only as counts.
 */
#ifndef CUSTOS_EVALUATE_H
#define CUSTOS_EVALUATE_H

#include <stdbool.h>
#include <stdint.h>

#include "apa.h"
#include "format.h"
#include "info.h"
#include "state.h"

#ifdef __cplusplus
extern "C" {
#endif

struct custos_ledger;

typedef enum custos_evidence_status {
    CUSTOS_EV_COUNTED = 0,
    CUSTOS_EV_CORROBORATED,       /* third-party, corroborated: counted */
    CUSTOS_EV_CLARIFIED,          /* third-party, clarification step recorded: counted */
    CUSTOS_EV_UNCORROBORATED,     /* third-party alone: not counted */
    CUSTOS_EV_NO_BEARING          /* bears on no path: listed only */
} custos_evidence_status;

/* One piece of evidence: an information item or a finding. */
typedef struct custos_evidence {
    char id[CUSTOS_INFO_ID_MAX + 16];  /* item id, or "ledger:..." / "stats:..." */
    custos_source_class source;
    char reliability;               /* 'A'..'F' */
    int credibility;                /* 1..6 */
    double weight;                  /* c */
    double ln_lr;                   /* ln LR, >= 0 */
    char compartment[64];           /* "" = public */
    char classification[24];        /* of an item; "" for findings */
    char originator[64];            /* of an item; "" when none */
    custos_date date;
    char *text;                     /* one line: what it says; owned */
    size_t nlinks;
    custos_info_link *links;        /* owned */
    long item;                      /* index into the items given, -1 for findings */
    char clarification_of[CUSTOS_INFO_ID_MAX + 1];
    custos_evidence_status status;  /* in the full evaluation */
    char because[CUSTOS_INFO_ID_MAX + 1]; /* corroborating or clarifying item */
} custos_evidence;

/* A finding supplied by another module (the statistics of material
 * balances): copied into the evaluation as evidence. */
typedef struct custos_finding {
    const char *id;            /* "stats:XARP:P:cusum", unique */
    custos_source_class source; /* CUSTOS_SRC_STATISTICS, ... */
    char reliability;
    int credibility;
    double likelihood_ratio;   /* > 0; < 1 is evidence of absence */
    const char *text;
    const char *mba;           /* the MBA it bears on */
    custos_date date;
} custos_finding;

typedef struct custos_path_score {
    size_t path;               /* index into the custos_apa_result */
    double prior_logit;
    double prior;              /* the prior as a probability */
    double logit;
    double p;                  /* posterior indication probability */
    bool indication;
    double *contribution;      /* per evidence: c d ln LR (0 when it does not
                                  bear or is not counted); owned */
} custos_path_score;

typedef enum custos_conclusion_kind {
    CUSTOS_CONCL_DIVERSION = 0, /* per facility */
    CUSTOS_CONCL_UNDECLARED,    /* State-wide */
    CUSTOS_CONCL_BROADER        /* State-wide, CSA + AP */
} custos_conclusion_kind;

typedef struct custos_conclusion {
    custos_conclusion_kind kind;
    char facility[5];          /* CUSTOS_CONCL_DIVERSION */
    bool drawn;                /* the "no indication" statement holds;
                                  for the broader conclusion: drawn */
    bool applicable;           /* the broader conclusion needs CSA + AP */
    long strongest;            /* index into scores of the highest-scoring
                                  path this conclusion looks at, -1 none */
    size_t npaths;             /* paths it looks at */
    size_t nevidence;
    size_t *evidence;          /* evidence it rests on (indices), owned */
} custos_conclusion;

/* One counterfactual: the evaluation without a source class or an item. */
typedef struct custos_counterfactual {
    bool by_class;             /* without a whole source class */
    custos_source_class source;
    size_t evidence;           /* without this evidence (when !by_class) */
    size_t nchanged;
    size_t *changed;           /* conclusions that change (indices); owned */
} custos_counterfactual;

/*
 * Near-real-time accountancy of one MBA of the model, as the evaluation
 * uses it (evaluate_stats.c): the MUF sequence of the MBA's main quantity
 * (Pu element, else U-235 of enriched U, else the element weight) with
 * its covariance from the measurement model, the sequential tests
 * (custos/stats.h), and the likelihood ratio of the whole sequence for
 * "1 SQ diverted, spread evenly over the periods" against "nothing
 * diverted" (Neyman-Pearson):
 *
 *     ln LR = w . z - |w|^2 / 2,   z = L^-1 MUF,  w = L^-1 delta
 *
 * with Sigma = L L^T and delta the expected MUF shift of the diversion.
 * Under no diversion ln LR ~ N(-|w|^2/2, |w|^2), under it N(+|w|^2/2,
 * |w|^2); the test ln LR > c at campaign false-alarm alpha detects 1 SQ
 * with probability Phi(|w| - z_{1-alpha}).
 */
typedef struct custos_mba_statistics {
    char mba[5];
    char element;              /* 'P', 'E', ... */
    int label;                 /* 0 element weight, 670 U-235 */
    double sq_grams;           /* 1 SQ of the quantity, grams */
    size_t n;                  /* balance periods */
    custos_date *end;          /* n PIT dates; owned */
    double *muf, *sigma;       /* n, grams; owned */
    double *page;              /* n, Page's S_t on SITMUF; owned */
    bool *alarm;               /* n, any test alarms at t; owned */
    double k, h, alpha;        /* Page's parameters, per-period alpha */
    size_t muf_alarms, sitmuf_alarms, page_alarms;
    bool gemuf_alarm;          /* at the last period */
    double signal;             /* |w| for 1 SQ */
    double ln_lr;              /* of the observed sequence */
    double pd_sq;              /* Phi(|w| - z_0.95): the optimal test, 5 % */
    double *w;                 /* n, standardised shift per period for 1 SQ; owned */
} custos_mba_statistics;

typedef struct custos_evaluation {
    char state[3];
    custos_date as_of;          /* latest date of the ledger's books */
    size_t nevidence;
    custos_evidence *evidence;
    size_t nscores;
    custos_path_score *scores;  /* one per feasible path, in APA rank order */
    size_t nconclusions;
    custos_conclusion *conclusions;
    size_t ncounterfactuals;
    custos_counterfactual *counterfactuals;
    double threshold;
    size_t nstats;
    custos_mba_statistics *stats; /* per MBA with balances (custos_ledger_evaluate) */
} custos_evaluation;

typedef struct custos_evaluate_options {
    const custos_finding *findings; /* extra findings (statistics), may be NULL */
    size_t nfindings;
} custos_evaluate_options;

/*
 * Evaluate State m on the acquisition paths apa, the information items
 * (n of them; custos_ledger_info_items()), the ledger's balance and
 * transfer findings when l is not NULL, and opt's findings.  Caller frees
 * with custos_evaluation_free().  Returns CUSTOS_OK, CUSTOS_ESTORAGE,
 * CUSTOS_ENOMEM.  O((pieces + classes) x paths x pieces) for the audit.
 */
CUSTOS_API int custos_evaluate(custos_evaluation **out, struct custos_ledger *l,
                               const custos_state_model *m, const custos_apa_result *apa,
                               custos_info_item *const *items, size_t n,
                               const custos_evaluate_options *opt);
CUSTOS_API void custos_evaluation_free(custos_evaluation *e);

/*
 * The evaluation as custos runs it on a ledger: the State's stored
 * information items, the ledger's findings and the statistics of its
 * material balances, on the acquisition paths apa of model m.  Caller
 * frees with custos_evaluation_free().  Returns as custos_evaluate(), and
 * CUSTOS_ETAMPER when a stored item no longer parses.
 */
CUSTOS_API int custos_ledger_evaluate(custos_evaluation **out, struct custos_ledger *l,
                                      const custos_state_model *m, const custos_apa_result *apa);

/* The sentence of a conclusion ("no indication of diversion of declared
 * nuclear material at XARP"), into buf; returns buf. */
CUSTOS_API const char *custos_conclusion_text(char *buf, size_t size, const custos_conclusion *c,
                                              bool drawn);

/* A reader: the compartments whose evidence may be printed. */
typedef struct custos_reader_clearance {
    const char *const *compartments;
    size_t n;
} custos_reader_clearance;

/*
 * Write the evaluation as JSON (docs/formats.md, "Evaluation") to fn:
 * evidence the reader may not see appears only in counts ("hidden") and
 * in aggregated contributions, never by id, text, originator or link.
 * Returns CUSTOS_OK or the first error of fn / CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_evaluation_write_json(const custos_evaluation *e,
                                            const custos_state_model *m,
                                            const custos_apa_result *apa,
                                            const custos_reader_clearance *reader,
                                            custos_write_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
