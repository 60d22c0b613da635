/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/agreement.h: agreements and cooperative programmes written as
 * commitments over the ledger, and their status.
 *
 * An agreement is a JSON document (docs/formats.md, "Agreements") holding
 * commitments of five kinds:
 *
 *   limit           an inventory of material (element, category, assay
 *                   range) over a set of MBAs or a whole State stays under
 *                   a mass, optionally stated in a chemical form (kg UF6);
 *   max-enrichment  no uranium above an assay in a set of MBAs or a State;
 *   disposition     a target mass of material moved to a disposition route
 *                   (receipts at named MBAs) by a deadline, on a schedule;
 *   downblend       HEU blended to LEU at stated assays in a blending MBA,
 *                   with the U-235 balance of that MBA's books checked;
 *   conversion      an MBA holds no HEU after a date and its HEU left by
 *                   shipment to a named State.
 *
 * Agreements are stored whole in the ledger as documents of kind
 * "agreement" (custos/document.h): every version is kept and hash-chained,
 * so `custos verify` covers them.  Each commitment is evaluated from the
 * ledger's effective entries (corrections applied) and balances, never
 * from declarations: the status of a commitment changes only when the
 * books do.  docs/internals/agreements.md states every rule.
 */
#ifndef CUSTOS_AGREEMENT_H
#define CUSTOS_AGREEMENT_H

#include <stdbool.h>

#include "common.h"
#include "diag.h"
#include "document.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

struct custos_ledger;

/* A parsed agreement; opaque. */
typedef struct custos_agreement custos_agreement;

/* The document kind agreements are stored under. */
#define CUSTOS_AGREEMENT_KIND "agreement"
/* Most commitments in one agreement, MBAs in one scope or route, and
 * milestones in one schedule. */
#define CUSTOS_AGREEMENT_MAX_ITEMS 1000
/* Most deciding entries kept per commitment status (the rest are counted). */
#define CUSTOS_AGREEMENT_MAX_ENTRIES 1000

/*
 * Parse and check an agreement (JSON text of len bytes).  Every problem
 * goes to d as one line naming source, line and JSON path
 * ("jcpoa.json:14: $.commitments[1].max.unit: ..."); the first is also the
 * last error message.  Caller frees with custos_agreement_free().  Returns
 * CUSTOS_OK, CUSTOS_EINVAL, CUSTOS_ETOOBIG (over CUSTOS_MAX_JSON_FILE),
 * CUSTOS_ENOMEM.  O(len).
 */
CUSTOS_API int custos_agreement_parse(custos_agreement **out, const char *source, const char *json,
                                      size_t len, custos_diags *d);
/* Frees the agreement.  NULL is allowed. */
CUSTOS_API void custos_agreement_free(custos_agreement *a);

/* The agreement's name (its document name, key "agreement") and title.
 * Borrowed until custos_agreement_free(). */
CUSTOS_API const char *custos_agreement_name(const custos_agreement *a);
CUSTOS_API const char *custos_agreement_title(const custos_agreement *a);
/* The date the agreement was suspended, 0 when it is not. */
CUSTOS_API custos_date custos_agreement_suspended(const custos_agreement *a);

/* What a commitment is, for listings.  Strings borrowed from the
 * agreement. */
typedef struct custos_commitment_info {
    const char *id;       /* unique in the agreement */
    const char *kind;     /* "limit", "max-enrichment", ... */
    const char *title;    /* "" when not given */
    const char *source;   /* where its figures come from */
    custos_date start;    /* 0 when open */
    custos_date deadline; /* deadline, conversion date or end of a limit; 0 when open */
} custos_commitment_info;

/* Number of commitments, and commitment i (CUSTOS_ENOTFOUND past the
 * end). */
CUSTOS_API size_t custos_agreement_commitment_count(const custos_agreement *a);
CUSTOS_API int custos_agreement_commitment(custos_commitment_info *out, const custos_agreement *a,
                                           size_t i);

/*
 * Check an agreement and store it in the ledger as the next version of
 * document ("agreement", name), in its own transaction, appended to the
 * hash chain.  source names the file for the chain and diagnostics.  When
 * the text is byte-for-byte the latest stored version, nothing is stored
 * and CUSTOS_EEXISTS is returned with *out describing that version.  out
 * may be NULL.  Returns CUSTOS_OK, CUSTOS_EEXISTS, CUSTOS_EINVAL (problems
 * in d), CUSTOS_ETOOBIG, CUSTOS_ESTORAGE, CUSTOS_ENOMEM.  O(len).
 */
CUSTOS_API int custos_ledger_agreement_add(struct custos_ledger *l, const char *source,
                                           const char *json, size_t len, custos_diags *d,
                                           custos_document_ref *out);

/*
 * Load stored agreement name (version 0: the latest) and parse it.  ref
 * (may be NULL) receives its identity.  Caller frees with
 * custos_agreement_free().  Returns CUSTOS_OK, CUSTOS_ENOTFOUND,
 * CUSTOS_EINVAL (the stored text no longer parses), CUSTOS_ESTORAGE,
 * CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_ledger_agreement_load(custos_agreement **out, custos_document_ref *ref,
                                            struct custos_ledger *l, const char *name, int version);

/* Status of a commitment. */
typedef enum custos_commitment_state {
    CUSTOS_COMMITMENT_MET = 0,     /* met, or on track with nothing due missed */
    CUSTOS_COMMITMENT_AT_RISK = 1, /* not breached, but near the bound, behind
                                      the projection, or not verifiable */
    CUSTOS_COMMITMENT_BREACHED = 2 /* the books show it was not kept */
} custos_commitment_state;

/* "met", "at risk", "breached" (static). */
CUSTOS_API const char *custos_commitment_state_name(custos_commitment_state s);

/* An entry of the books that decides a status.  The entry is named by its
 * key (report number, entry number) in its MBA; src_* is the record that
 * gives its content (a correction, label 309 C), equal to the key for an
 * original entry. */
typedef struct custos_commitment_entry {
    char state[3];
    char mba[5];
    char type; /* 'I' ICR or 'P' PIL */
    int64_t report;
    int32_t entry;
    int64_t src_report;
    int32_t src_entry;
    custos_date date; /* date of the change, or the PIT date */
    char code[5];     /* inventory change code; "" for a PIL entry */
    char batch[17];
    char element;       /* 'U', 'P' (Pu) or 'T' (Th) */
    int64_t mg;         /* element weight counted, signed as it enters the
                           inventory (milligrams) */
    int64_t fissile_mg; /* U-235 (or fissile content) counted, signed */
    double assay;       /* U-235/U; for Pu the Pu-240/Pu-239 ratio; NaN if unknown */
    char role[24];      /* why it counts: "inventory", "above limit", "disposed",
                           "HEU blended", "blendstock", "product", "HEU held",
                           "returned", "other route", ... */
} custos_commitment_entry;

/* A named figure of a status, for reports ("HEU blended", 500000, "kg U"). */
typedef struct custos_commitment_figure {
    char name[48];
    double value;
    char unit[24];
} custos_commitment_figure;

#define CUSTOS_COMMITMENT_MAX_FIGURES 16

typedef struct custos_commitment_status {
    char agreement[CUSTOS_DOC_NAME_MAX + 1];
    int version; /* stored version evaluated; 0 if not stored */
    char id[32];
    char kind[16];
    char title[160];
    custos_commitment_state state;
    char reason[400];           /* one line: why this status */
    custos_date as_of;          /* the date the books were read up to */
    custos_date start;          /* 0 when open */
    custos_date deadline;       /* 0 when open */
    custos_date suspended;      /* the agreement's suspension, 0 when none */
    custos_date decided_on;     /* the date the deciding value refers to */
    char unit[24];              /* unit of value, bound, margin and projected:
                                   "kg U", "kg UF6", "t Pu", "% U-235", ... */
    double value;               /* the deciding quantity */
    double bound;               /* the limit or the target */
    double margin;              /* limit - value for limits (negative when over);
                                   value - target for targets (negative when short) */
    double progress;            /* fraction of the target done; NaN when none */
    double projected;           /* value linearly projected to the deadline or
                                   horizon; NaN when none */
    int64_t value_mg, bound_mg; /* exact element masses; 0 for assays */
    size_t nfigures;
    custos_commitment_figure figures[CUSTOS_COMMITMENT_MAX_FIGURES];
    size_t nentries;                  /* entries kept (at most CUSTOS_AGREEMENT_MAX_ENTRIES) */
    size_t entries_total;             /* entries that decide it, kept or not */
    custos_commitment_entry *entries; /* owned by the list */
} custos_commitment_status;

typedef struct custos_commitment_statuses {
    size_t n;
    custos_commitment_status *items; /* by agreement name, then commitment order */
} custos_commitment_statuses;

typedef struct custos_agreement_options {
    custos_date as_of; /* 0: the latest period end of any stored report */
    const char *name;  /* only this stored agreement; NULL: every one */
} custos_agreement_options;

/*
 * Evaluate every commitment of every stored agreement (latest versions),
 * or of opt->name only, against the ledger as of opt->as_of.  A suspended
 * agreement is evaluated as of its suspension date when that is earlier.
 * Caller frees with custos_commitment_statuses_free().  opt may be NULL.
 * Returns CUSTOS_OK (possibly n == 0), CUSTOS_ENOTFOUND (opt->name not
 * stored), CUSTOS_EINVAL (a stored agreement no longer parses),
 * CUSTOS_ESTORAGE, CUSTOS_ENOMEM.  O(entries of the MBAs named, log of
 * them) per commitment.
 */
CUSTOS_API int custos_agreements_evaluate(custos_commitment_statuses **out, struct custos_ledger *l,
                                          const custos_agreement_options *opt);

/* Evaluate one parsed agreement (stored or not) against the ledger;
 * opt->name is ignored.  As custos_agreements_evaluate(). */
CUSTOS_API int custos_agreement_evaluate(custos_commitment_statuses **out, struct custos_ledger *l,
                                         const custos_agreement *a,
                                         const custos_agreement_options *opt);

/* Frees the statuses and their entries.  NULL is allowed. */
CUSTOS_API void custos_commitment_statuses_free(custos_commitment_statuses *s);

#ifdef __cplusplus
}
#endif
#endif
