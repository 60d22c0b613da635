/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agreementint.h: the parsed form of an agreement (agreement_parse.c
 * builds it, agreement_eval.c reads it, agreement.c stores and frees it).
 *
 * Masses are exact int64 milligrams of the element; a mass written in a
 * chemical form (kg UF6) is converted once, at parse time, with the
 * element fraction the agreement states, and keeps its written value and
 * form for display.  Assays are U-235 mass fractions.  Absent optional
 * numbers are NaN, absent dates 0.
 */
#ifndef CUSTOS_AGREEMENTINT_H
#define CUSTOS_AGREEMENTINT_H

#include <math.h>

#include "books.h"
#include "custos/agreement.h"
#include "internal.h"

/* An absent optional number. */
#define AG_NA ((double)NAN)

typedef enum ag_kind {
    AG_LIMIT = 1,
    AG_MAX_ENRICHMENT,
    AG_DISPOSITION,
    AG_DOWNBLEND,
    AG_CONVERSION
} ag_kind;

/* "limit", "max-enrichment", ... for a kind. */
const char *custos_ag_kind_name(ag_kind k);

typedef struct ag_mba {
    char state[3];
    char mba[5];
} ag_mba;

/* A whole State (state set, nmbas 0) or a list of MBAs. */
typedef struct ag_scope {
    char state[3];
    size_t nmbas;
    ag_mba *mbas;
} ag_scope;

/* Which material counts. */
typedef struct ag_material {
    char element;     /* 'U', 'P' or 'T' */
    char category;    /* 0 (any), or for U 'N', 'D', 'E' */
    double assay_min; /* U-235/U, inclusive; NaN when absent */
    double assay_max;
    double pu240_max; /* Pu-240/Pu-239 ratio, inclusive; NaN when absent */
} ag_material;

/* A mass as written ({"value": 300, "unit": "kg", "form": "UF6",
 * "element_fraction": 0.6761}) and as element milligrams. */
typedef struct ag_mass {
    int64_t mg;              /* of the element */
    double value;            /* as written */
    char unit[3];            /* "g", "kg" or "t" */
    char form[16];           /* "" or the chemical form */
    double element_fraction; /* element per mass of form; 1 without a form */
} ag_mass;

typedef struct ag_milestone {
    custos_date by;
    ag_mass mass; /* cumulative */
} ag_milestone;

#define AG_MAX_CODES 28

typedef struct ag_commitment {
    char id[32];
    ag_kind kind;
    char *title;          /* owned, may be NULL */
    char *source;         /* owned */
    custos_date from;     /* 0: open (or the agreement's in_force) */
    custos_date until;    /* limit, max-enrichment: end; 0 open */
    custos_date deadline; /* disposition, downblend; conversion: date */
    double warn_fraction; /* limit, max-enrichment */
    int horizon_days;     /* limit */
    ag_scope scope;       /* limit, max-enrichment; disposition route MBAs */
    ag_material material; /* limit, disposition */
    ag_mass mass;         /* limit: max; disposition, downblend: target */
    double max_assay;     /* max-enrichment */
    size_t ncodes;        /* disposition route codes */
    char codes[AG_MAX_CODES][3];
    size_t nschedule;
    ag_milestone *schedule; /* owned; by date ascending */
    ag_mba mba;             /* downblend, conversion */
    double heu_assay, blendstock_assay, product_assay;
    bool has_expected;
    ag_mass expected_product; /* downblend */
    double tolerance;         /* downblend: U-235 balance; conversion: other routes */
    char return_to[3];        /* conversion */
} ag_commitment;

struct custos_agreement {
    char name[CUSTOS_DOC_NAME_MAX + 1];
    char *title;  /* owned */
    char *source; /* owned */
    size_t nparties;
    char (*parties)[3]; /* owned */
    custos_date signed_on, in_force;
    custos_date suspended;
    char suspended_by[3];
    size_t n;
    ag_commitment *items; /* owned */
};

/* ---- Evaluation internals (agreement_books.c) ---- */

/* One element weight of an entry with its fissile weight. */
typedef struct ag_part {
    char element;  /* 'U', 'P', 'T' */
    char category; /* 'N', 'D', 'E', 'P', 'T' */
    int64_t mg;    /* element weight as reported */
    int64_t fis;   /* fissile weight as reported (U-235, ...), 0 if none */
    double assay;  /* U: fis/mg (N without 770: 0.711 %); Pu: Pu-240/Pu-239; NaN unknown */
} ag_part;

/* Bands a classifier sorts parts into: a material (band 0), HEU (band
 * 0), or the three legs of a blend (0 HEU, 1 blendstock, 2 product). */
#define AG_NBANDS 3
enum { AG_CL_MATERIAL, AG_CL_HEU, AG_CL_BLEND };

typedef struct ag_classifier {
    int kind;
    const ag_material *m;
    double xb, xp;
} ag_classifier;

/* The effective books of one MBA (books.h), ICR entries by date. */
typedef struct ag_books {
    char state[3];
    char mba[5];
    bool has_reports;
    custos_book pil, icr;
    custos_date *pits;
    size_t npits;
} ag_books;

/* One evaluation: the ledger and the books loaded so far. */
typedef struct ag_ctx {
    custos_ledger *l;
    ag_books **m;
    size_t nm, cap;
    char (*all)[8]; /* every (state, mba) with reports: "SS\0MMMM\0" */
    size_t nall;
} ag_ctx;

/* The MBAs a commitment names. */
typedef struct ag_set {
    ag_books **v;
    size_t n;
    size_t with_reports;
} ag_set;

/* Deciding entries, at most CUSTOS_AGREEMENT_MAX_ENTRIES kept. */
typedef struct ag_entries {
    custos_commitment_entry *v;
    size_t n, cap, total;
} ag_entries;

/* The parts of entry e (at most 6).  U-235/U assay from 670 (or 660, 640)
 * for 600 and 630, 770 for 610, 780 for 620; natural uranium without 770
 * counts at 0.711 %; Pu "assay" is Pu-240/Pu-239 (730/720). */
size_t custos_ag_parts(const custos_entry *e, ag_part out[6]);
/* Sign with which a part of ICR entry e enters its band's inventory:
 * increases +, decreases -, category changes by the part's category,
 * DI -, RM -, RP +. */
int custos_ag_part_sign(const custos_entry *e, const ag_part *p);
bool custos_ag_material_match(const ag_material *m, const ag_part *p);
/* Band of a part, or -1 when it is in none. */
int custos_ag_classify(const ag_classifier *cl, const ag_part *p);

int custos_ag_ctx_init(ag_ctx *x, struct custos_ledger *l);
void custos_ag_ctx_dispose(ag_ctx *x);
/* The books of state/mba, loaded once per context; borrowed until
 * custos_ag_ctx_dispose().  An MBA without reports gives empty books
 * with has_reports false. */
int custos_ag_books(ag_ctx *x, const char *state, const char *mba, ag_books **out);
/* The MBAs of a scope; caller frees out->v with custos_free(). */
int custos_ag_scope_books(ag_ctx *x, const ag_scope *sc, ag_set *out);
/* The latest PIT on or before t, or 0. */
custos_date custos_ag_pit_at(const ag_books *b, custos_date t);
/* Book inventory of each band at the end of day t, element and fissile
 * milligrams (agreement_books.c explains the rule).  O(entries). */
void custos_ag_inventory_at(const ag_books *b, custos_date t, const ag_classifier *cl,
                            int64_t mg[AG_NBANDS], int64_t fis[AG_NBANDS]);
/* Band 0 of a set of MBAs at the end of day t. */
int64_t custos_ag_set_inventory(const ag_set *s, custos_date t, const ag_classifier *cl);
/* The highest band-0 total of the set at the end of any day in [t0, t1]
 * and the first day it was reached.  O(n log n). */
int custos_ag_set_peak(const ag_set *s, custos_date t0, custos_date t1, const ag_classifier *cl,
                       int64_t *peak, custos_date *peak_date);
/* Append a deciding entry ('I' or 'P' type) counted with sign. */
int custos_ag_entry_add(ag_entries *L, const ag_books *b, const custos_book_entry *be, char type,
                        const ag_part *p, int sign, const char *role);
/* Evaluate one commitment as of a day (agreement_eval.c): fills st and
 * the deciding entries L.  as_of 0 (an empty ledger) has nothing to
 * verify. */
int custos_ag_evaluate_one(ag_ctx *x, const ag_commitment *c, custos_date as_of,
                           custos_commitment_status *st, ag_entries *L);

/* The entries that make up band 0 of the set's inventory at day t. */
int custos_ag_entries_at(ag_entries *L, const ag_set *s, custos_date t, const ag_classifier *cl,
                         const char *role);

#endif
