/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/state.h: the State model of State-level safeguards: the
 * agreements in force, the facilities and MBAs (linked to the ledger's
 * registry), the six State-specific factors with their sources, the annual
 * inspection budget, and the acquisition network of acquisition path
 * analysis: material-form nodes and one edge per illegal activity.
 *
 * The JSON form is documented in docs/formats.md ("State models");
 * `custos state add` stores one whole in the ledger's document store
 * (kind "state", named by the State code), versioned and hash-chained.
 *
 * Also here: the significant quantities, conversion times and timeliness
 * goals of the IAEA Safeguards Glossary (2001, Tables II and III; the 2022
 * edition keeps them), and the State's holdings as the ledger's books say
 * (latest PIL plus later inventory changes, per MBA and material).
 *
 * The model is plain data, public on purpose (the CLI, the server and the
 * tests read it field by field); custos_state_parse() is the only way to
 * make one and it checks every field.
 */
#ifndef CUSTOS_STATE_H
#define CUSTOS_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "diag.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

struct custos_ledger;

/* ---- Significant quantities and timeliness (Safeguards Glossary) ---- */

typedef struct custos_sq_row {
    const char *material; /* "pu_metal", "leu", ... */
    const char *category; /* "direct-use unirradiated", ... */
    double sq_kg;         /* one SQ, kilograms of the basis */
    const char *basis;    /* what is weighed: "Pu element", "U-235", ... */
    int conversion_min;   /* days to metal components, range */
    int conversion_max;
    int timeliness_days; /* timeliness goal */
} custos_sq_row;

/* Number of rows and the i-th row (static).  The table is the one of
 * data/sq-timeliness.csv. */
CUSTOS_API size_t custos_sq_count(void);
CUSTOS_API const custos_sq_row *custos_sq_at(size_t i);
/* The row of material, or NULL.  Static. */
CUSTOS_API const custos_sq_row *custos_sq_lookup(const char *material);

/* ---- Holdings from the ledger ---- */

/* What a stock link of a node draws from an MBA; the quantity is the SQ
 * basis of that material. */
typedef enum custos_stock_kind {
    CUSTOS_STOCK_PU = 0,     /* Pu element (label 700) */
    CUSTOS_STOCK_HEU,        /* U-235 (670) in batches enriched to >= 20% */
    CUSTOS_STOCK_LEU,        /* U-235 (670) in batches enriched to < 20% */
    CUSTOS_STOCK_NATURAL_U,  /* natural U element (610) */
    CUSTOS_STOCK_DEPLETED_U, /* depleted U element (620) */
    CUSTOS_STOCK_THORIUM,    /* Th element (800) */
    CUSTOS_STOCK_U233,       /* U-233 (640) */
    CUSTOS_NSTOCK
} custos_stock_kind;

/* "pu", "heu", "leu", "natural-u", "depleted-u", "thorium", "u233";
 * static.  custos_stock_kind_parse returns -1 for an unknown name. */
CUSTOS_API const char *custos_stock_kind_name(custos_stock_kind k);
CUSTOS_API int custos_stock_kind_parse(const char *name);

/* One MBA's holdings, exact milligrams of each kind's basis. */
typedef struct custos_holding {
    char state[3];
    char mba[5];
    custos_date as_of; /* date of the last entry counted */
    custos_date pit;   /* date of the PIL the book starts from */
    int64_t mg[CUSTOS_NSTOCK];
} custos_holding;

/*
 * The book inventory of every MBA of State state (NULL: all): the latest
 * physical inventory listing, plus every inventory change dated after its
 * PIT, with corrections applied; HEU and LEU are told apart batch by batch
 * (U-235 over U element >= 20%).  An MBA without a PIL is left out.
 * Caller frees *out with custos_free().  Returns CUSTOS_OK (possibly
 * *n == 0), CUSTOS_ESTORAGE, CUSTOS_ENOMEM.  O(entries of the MBAs).
 */
CUSTOS_API int custos_ledger_holdings(custos_holding **out, size_t *n, struct custos_ledger *l,
                                      const char *state);

/* ---- The State model ---- */

#define CUSTOS_STATE_ID_MAX 63 /* node, edge and activity ids */

/* Source classes of information and findings (spec "All-source
 * information"), in this order everywhere. */
typedef enum custos_source_class {
    CUSTOS_SRC_STATE_DECLARATION = 0,
    CUSTOS_SRC_VERIFICATION, /* the inspectorate's own verification */
    CUSTOS_SRC_OPEN_SOURCE,
    CUSTOS_SRC_IMAGERY, /* commercial satellite imagery */
    CUSTOS_SRC_TRADE_DATA,
    CUSTOS_SRC_THIRD_PARTY, /* provided by a member state */
    CUSTOS_SRC_ACCOUNTANCY, /* the ledger's books (findings only) */
    CUSTOS_SRC_STATISTICS,  /* NRTA and MUF tests (findings only) */
    CUSTOS_NSOURCE
} custos_source_class;

/* "state-declaration", "verification", "open-source", "satellite-imagery",
 * "trade-data", "third-party", "accountancy", "statistics"; static.
 * custos_source_class_parse returns -1 for an unknown name. */
CUSTOS_API const char *custos_source_class_name(custos_source_class c);
CUSTOS_API int custos_source_class_parse(const char *name);

typedef enum custos_activity_type {
    CUSTOS_ACT_IMPORT = 0,
    CUSTOS_ACT_DIVERSION,
    CUSTOS_ACT_CLANDESTINE, /* clandestine processing */
    CUSTOS_ACT_MISUSE       /* misuse of a declared facility */
} custos_activity_type;

/* "import", "diversion", "clandestine-processing", "misuse"; static. */
CUSTOS_API const char *custos_activity_type_name(custos_activity_type t);

typedef struct custos_state_agreement {
    char type[24];   /* "comprehensive" or "additional-protocol" */
    char *reference; /* "INFCIRC/...", owned, may be NULL */
    bool in_force;
    custos_date since; /* 0 when not given */
} custos_state_agreement;

typedef struct custos_state_facility {
    char code[5];
    char type[32]; /* as custos_facility_type_valid() */
    char *name;    /* owned, may be NULL */
    size_t nmbas;
    char (*mbas)[5]; /* owned */
} custos_state_facility;

/* One of the six State-specific factors of GOV/2014/41. */
typedef struct custos_state_factor {
    int number;  /* 1..6 */
    char *value; /* owned */
    custos_date date;
    size_t nsources;
    char **sources; /* owned */
} custos_state_factor;

/* A safeguards measure covering a step. */
typedef struct custos_state_measure {
    char name[64];
    char cls[32]; /* measure class, e.g. "accountancy" */
    double p;     /* detection probability, [0, 1] */
    int days;     /* time to detection; 0 = within any goal */
} custos_state_measure;

/* A stock link: the node's material held in an MBA, from the ledger. */
typedef struct custos_state_stock {
    char mba[5];
    custos_stock_kind kind;
} custos_state_stock;

typedef struct custos_state_node {
    char id[CUSTOS_STATE_ID_MAX + 1];
    char *name;        /* owned, may be NULL */
    char material[32]; /* a custos_sq_row material */
    bool end;          /* weapon-usable metal: paths end here */
    double assumed_kg; /* assumed stock of the SQ basis (undeclared
                          sources: mines, suppliers); 0 none */
    size_t nstock;
    custos_state_stock *stock; /* owned */
} custos_state_node;

typedef struct custos_state_edge {
    char id[CUSTOS_STATE_ID_MAX + 1];
    char *name;                             /* owned, may be NULL */
    size_t from, to;                        /* node indices */
    char activity[CUSTOS_STATE_ID_MAX + 1]; /* inspection activity (default: id) */
    custos_activity_type type;
    bool declared;        /* at a declared facility under safeguards */
    char facility[5];     /* "" when none */
    char mba[5];          /* "" when none */
    double weight;        /* unattractiveness, > 0 */
    double duration_days; /* >= 0 */
    int difficulty;       /* 1..5 */
    double yield;         /* kg of the target's SQ basis per kg of the
                             source's, (0, 1e6]; default 1 */
    double throughput;    /* kg of source basis per day; 0 = unlimited */
    double beta;          /* non-detection probability if inspected */
    double alpha;         /* false-alarm probability if inspected */
    double cost;          /* person-days to inspect */
    int plants;           /* identical plants (parallel edges), >= 1 */
    size_t nmeasures;
    custos_state_measure *measures; /* owned */
} custos_state_edge;

/* Grade-to-number table and evaluation parameters (changeable). */
typedef struct custos_eval_params {
    double threshold;          /* a path's indication probability at or above
                                  which it is an indication; default 0.5 */
    double prior;              /* base prior probability; default 0.05 */
    double difficulty_weight;  /* logit prior falls by this per difficulty
                                 level above 1; default 0.5 */
    double time_weight;        /* ... and by this per time_ref_days; 1.0 */
    double time_ref_days;      /* default 365 */
    double reliability[6];     /* A-F: 100 75 50 25 0 50 */
    double credibility[6];     /* 1-6: 100 75 50 25 0 50 */
    double lr[CUSTOS_NSOURCE]; /* default likelihood ratio per class */
} custos_eval_params;

/* Payoff parameters of the inspection game (Canty & Listner). */
typedef struct custos_game_params {
    double a, b, c, e, f; /* defaults 10, 1, 100, 1, 1 */
} custos_game_params;

typedef struct custos_state_model {
    char state[3];
    char *name; /* owned, may be NULL */
    size_t nagreements;
    custos_state_agreement *agreements;
    size_t nfacilities;
    custos_state_facility *facilities;
    size_t nfactors;
    custos_state_factor *factors;
    double budget;         /* annual inspection budget, person-days */
    double detection_goal; /* default 0.9 */
    size_t nnodes;
    custos_state_node *nodes;
    size_t nedges;
    custos_state_edge *edges;
    custos_eval_params eval;
    custos_game_params game;
} custos_state_model;

/* Limits of a model (docs/limits.md). */
#define CUSTOS_STATE_MAX_NODES 2000
#define CUSTOS_STATE_MAX_EDGES 10000
#define CUSTOS_STATE_MAX_MEASURES 64

/* Defaults of the evaluation and game parameters. */
CUSTOS_API void custos_eval_params_default(custos_eval_params *p);
CUSTOS_API void custos_game_params_default(custos_game_params *p);

/*
 * Parse a State model from JSON text.  Every problem goes to d (may be
 * NULL) as one line naming source and the JSON path ("$.edges[3].beta");
 * the first is also the last error.  Caller frees with
 * custos_state_model_free().  Returns CUSTOS_OK, CUSTOS_EINVAL,
 * CUSTOS_ETOOBIG (over CUSTOS_MAX_JSON_FILE or a model limit),
 * CUSTOS_ENOMEM.  O(len + edges x measures).
 */
CUSTOS_API int custos_state_parse(custos_state_model **out, const char *source, const char *json,
                                  size_t len, custos_diags *d);
CUSTOS_API void custos_state_model_free(custos_state_model *m);

/* Index of the node or edge with id, or -1. */
CUSTOS_API long custos_state_node_find(const custos_state_model *m, const char *id);
CUSTOS_API long custos_state_edge_find(const custos_state_model *m, const char *id);
/* True when agreement type ("comprehensive", "additional-protocol") is in
 * force in m. */
CUSTOS_API bool custos_state_in_force(const custos_state_model *m, const char *type);

/*
 * Check the model against the ledger (every facility and MBA it names is
 * registered, with that facility) and store it as the next version of
 * document ("state", m->state).  Problems go to d.  ref (may be NULL)
 * receives the stored version's identity.  Returns CUSTOS_OK,
 * CUSTOS_EINVAL, CUSTOS_ETOOBIG, CUSTOS_ESTORAGE, CUSTOS_ENOMEM.
 */
struct custos_document_ref;
CUSTOS_API int custos_ledger_state_add(struct custos_ledger *l, const char *source,
                                       const char *json, size_t len, custos_diags *d,
                                       struct custos_document_ref *ref);

/* The latest stored model of State state (version 0) or a given version.
 * Caller frees with custos_state_model_free().  Returns CUSTOS_OK,
 * CUSTOS_ENOTFOUND, CUSTOS_ETAMPER (the stored text no longer parses),
 * CUSTOS_ESTORAGE, CUSTOS_ENOMEM. */
CUSTOS_API int custos_ledger_state_load(custos_state_model **out, struct custos_ledger *l,
                                        const char *state, int version);

#ifdef __cplusplus
}
#endif
#endif
