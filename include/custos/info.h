/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/info.h: safeguards-relevant information items with their
 * provenance (shared/spec/state-level.md, "All-source information").
 *
 * Every item carries its source class, the Admiralty grading of its
 * source (reliability A-F) and of its content (credibility 1-6), its
 * classification and originator, the date, the hash of the content it
 * describes, and links to the facilities, MBAs, material forms (nodes)
 * or process steps (edges) it bears on, each with a direction: it
 * indicates the activity, or its absence.  An item of class
 * state-declaration may record a State clarification step on another
 * item ("clarification_of").
 *
 * Items are stored whole in the ledger's document store (kind "info",
 * named "STATE/ID"), append-only: an id is stored once and never
 * replaced (a correction is a new item), and each item is a link of the
 * hash chain that `custos verify` checks.
 *
 * Compartments: every item belongs to one compartment ("" for public
 * items; by default "safeguards" for safeguards-confidential and
 * "third-party" for third-party-restricted items).  A reader's clearance
 * is a list of compartments; "C" covers compartment C and every
 * "C:..." below it, "*" covers all.
 */
#ifndef CUSTOS_INFO_H
#define CUSTOS_INFO_H

#include <stdbool.h>

#include "common.h"
#include "diag.h"
#include "report.h"
#include "state.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum custos_classification {
    CUSTOS_CLASS_PUBLIC = 0,
    CUSTOS_CLASS_SAFEGUARDS_CONFIDENTIAL,
    CUSTOS_CLASS_THIRD_PARTY_RESTRICTED
} custos_classification;

/* "public", "safeguards-confidential", "third-party-restricted". */
CUSTOS_API const char *custos_classification_name(custos_classification c);

/* What a link points at. */
typedef enum custos_link_kind {
    CUSTOS_LINK_FACILITY = 0,
    CUSTOS_LINK_MBA,
    CUSTOS_LINK_NODE,   /* a material form of the State model */
    CUSTOS_LINK_EDGE    /* a process step (illegal activity) */
} custos_link_kind;

typedef struct custos_info_link {
    custos_link_kind kind;
    char ref[CUSTOS_STATE_ID_MAX + 1];
    int direction;       /* +1 indicates activity, -1 indicates absence */
} custos_info_link;

#define CUSTOS_INFO_ID_MAX 63
#define CUSTOS_INFO_MAX_LINKS 100

typedef struct custos_info_item {
    char id[CUSTOS_INFO_ID_MAX + 1];
    char state[3];
    char *title;               /* owned */
    char *summary;             /* owned, may be NULL */
    custos_source_class source; /* one of the first six classes */
    char reliability;          /* 'A'..'F' */
    int credibility;           /* 1..6 */
    custos_classification classification;
    char originator[64];       /* required for third-party items */
    char compartment[64];      /* "" = public */
    custos_date date;
    char hash[140];            /* "sha256:HEX", "sha512:HEX" or "blake2b-256:HEX" */
    double likelihood_ratio;   /* 0: the source class's default */
    char clarification_of[CUSTOS_INFO_ID_MAX + 1]; /* "" unless a clarification step */
    size_t nlinks;
    custos_info_link *links;   /* owned */
    int64_t seq;               /* chain link, once stored (0 before) */
} custos_info_item;

/*
 * Parse one information item from JSON.  Problems go to d (may be NULL),
 * one line each naming source, line and JSON path.  Caller frees with
 * custos_info_item_free().  Returns CUSTOS_OK, CUSTOS_EINVAL,
 * CUSTOS_ETOOBIG, CUSTOS_ENOMEM.  O(len).
 */
CUSTOS_API int custos_info_parse(custos_info_item **out, const char *source, const char *json,
                                 size_t len, custos_diags *d);
CUSTOS_API void custos_info_item_free(custos_info_item *it);

/* True when a reader holding the n compartments of clearance may see
 * compartment c. */
CUSTOS_API bool custos_info_visible(const char *c, const char *const *clearance, size_t n);

struct custos_ledger;
struct custos_document_ref;

/*
 * Check the item (parse, and a State model of its State exists whose
 * nodes, edges, facilities and MBAs its links name; a clarification
 * names a stored item of the same State) and store it, append-only: an
 * id already stored gives CUSTOS_EEXISTS.  ref may be NULL.  Returns
 * CUSTOS_OK, CUSTOS_EINVAL, CUSTOS_EEXISTS, CUSTOS_ETOOBIG,
 * CUSTOS_ESTORAGE, CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_ledger_info_add(struct custos_ledger *l, const char *source,
                                      const char *json, size_t len, custos_diags *d,
                                      struct custos_document_ref *ref);

/*
 * Every stored item of State state, in storage order.  *out is an array
 * of n items; caller frees each with custos_info_item_free() and the
 * array with custos_free().  Returns CUSTOS_OK, CUSTOS_ETAMPER (a stored
 * item no longer parses), CUSTOS_ESTORAGE, CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_ledger_info_items(custos_info_item ***out, size_t *n,
                                        struct custos_ledger *l, const char *state);

#ifdef __cplusplus
}
#endif
#endif
