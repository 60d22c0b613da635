/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/balance.h: material balances and domestic transfer matching,
 * computed from the ledger's entries with every correction applied.
 *
 * A balance period of an MBA runs from one physical inventory taking
 * (PIT) to the next; an inventory change belongs to it when dated after
 * the earlier PIT and on or before the later one (shared/spec/
 * accountancy.md).  For each period, element category (N, D, E, P, T) and
 * quantity (the element weight, or one isotope or fissile weight label):
 *
 *   BA  = PB + increases - decreases - DI
 *   MUF = BA - PE
 *
 * exact integers of milligrams.  Category changes (EN, ...) decrease the
 * first category and increase the second; rebatching (RM, RP) does not
 * enter; DI, the shipper/receiver difference booked at the receiver
 * (shipper's value - receiver's), adjusts the book inventory as in the
 * MBR (code10.md, RABA).
 */
#ifndef CUSTOS_BALANCE_H
#define CUSTOS_BALANCE_H

#include "diag.h"
#include "ledger.h"
#include "measure.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Number of inventory change codes (custos_change_code_at()). */
#define CUSTOS_NCODES 28

typedef struct custos_balance {
    char state[3];
    char mba[5];
    custos_date pit_begin;   /* PIT date of PB */
    custos_date start;       /* first day of the period (pit_begin + 1) */
    custos_date end;         /* PIT date of PE */
    char element;            /* 'N' 'D' 'E' 'P' 'T' */
    int label;               /* 0 for the element weight, else the isotope
                                or fissile weight label (670, 770, ...) */
    int64_t pb, pe, ba, muf; /* milligrams */
    int64_t di;              /* DI total (shipper - receiver), milligrams */
    int64_t change[CUSTOS_NCODES]; /* per code, magnitude in milligrams */
    uint32_t inc_mask;       /* bit i: code i increased this quantity */
    uint32_t dec_mask;       /* bit i: code i decreased it */
    int64_t entries;         /* inventory change entries in the period */
    int64_t mbr_report;      /* operator MBR compared with, 0 if none */
    int mbr_differences;     /* lines where the MBR disagrees with the books */
    /* sigma-MUF, filled by custos_ledger_sigma() (custos/stats.h); zero
     * until then.  Variances in grams^2, sigma_muf in grams. */
    bool has_sigma;          /* every entry had a measurement model */
    double sigma_muf;
    double var_random, var_systematic;
    int64_t unmodelled;      /* entries without a measurement model */
    size_t contrib_first;    /* its contributions in custos_balances.contribs */
    size_t ncontrib;
} custos_balance;

/* What one KMP and method (random errors) or one systematic error group
 * adds to Var(MUF) of a balance. */
typedef struct custos_muf_contribution {
    char kind;               /* 'R' random, 'S' systematic */
    char kmp[3];             /* random: the KMP ("" for a systematic group) */
    char role;               /* 'B' bulk, 'E' element, 'I' isotopic, 'U' unmeasured */
    char method[CUSTOS_METHOD_LEN];
    char material[CUSTOS_MATERIAL_LEN];
    int calibration;         /* systematic: calibration period (0: the whole campaign) */
    double rel_random, rel_systematic; /* relative standard uncertainties used */
    double net;              /* systematic: sum c_i x_i of the group; random: sum x_i (g) */
    double variance;         /* grams^2 */
    int64_t entries;         /* weights that entered */
} custos_muf_contribution;

typedef struct custos_balances {
    size_t n;
    custos_balance *items;   /* by MBA, period, element, label */
    size_t ncontribs;
    custos_muf_contribution *contribs; /* filled by custos_ledger_sigma() */
} custos_balances;

/*
 * Close every balance period of MBA mba (NULL: every MBA; "XAFF" or
 * "XA/XAFF").  Findings (an operator MBR that disagrees with the books,
 * a balance period without an MBR, an MBR that matches no balance
 * period) are added to findings with severity CUSTOS_SEV_FINDING.
 * Caller frees with custos_balances_free().  Returns CUSTOS_OK,
 * CUSTOS_EDOMAIN (a sum of weights beyond 2^63 mg, which only hostile
 * reports reach), CUSTOS_ESTORAGE, CUSTOS_ENOMEM.  O(entries of the MBAs).
 */
CUSTOS_API int custos_ledger_balances(custos_balances **out, custos_ledger *l, const char *mba,
                                      custos_diags *findings);
CUSTOS_API void custos_balances_free(custos_balances *b);

typedef enum custos_transfer_status {
    CUSTOS_TRANSFER_MATCHED = 0,     /* shipment and receipt both booked */
    CUSTOS_TRANSFER_PENDING,         /* shipped, receipt not yet due */
    CUSTOS_TRANSFER_OVERDUE,         /* shipped, no receipt after the grace period */
    CUSTOS_TRANSFER_UNMATCHED_RECEIPT /* received, no shipment booked */
} custos_transfer_status;

typedef struct custos_transfer {
    custos_transfer_status status;
    char state[3];
    char from_mba[5], to_mba[5];
    char batch[17];            /* shipper's batch name */
    char receiver_batch[17];   /* receiver's own batch name */
    int64_t ship_report;       /* 0 when no shipment */
    int32_t ship_entry;
    custos_date ship_date;
    int64_t recv_report;       /* 0 when no receipt */
    int32_t recv_entry;
    custos_date recv_date;
    int days;                  /* in transit, when matched */
    custos_date deadline;      /* receipt due by (unmatched shipments), 0 unknown */
    uint32_t ship_mask, recv_mask;
    int64_t ship_mg[CUSTOS_NWEIGHTS]; /* shipper's values */
    int64_t recv_mg[CUSTOS_NWEIGHTS]; /* receiver's values; SRD = ship - recv */
} custos_transfer;

typedef struct custos_transfers {
    size_t n;
    custos_transfer *items;
} custos_transfers;

typedef struct custos_transfer_options {
    int grace_days;          /* default 30 */
    custos_date as_of;       /* 0: the latest ICR period end in the ledger */
} custos_transfer_options;

/*
 * Match every domestic shipment (SD) with its receipt (RD) by shipper and
 * receiver MBA and batch (the receipt's label 447, or its own batch name
 * when 447 is UNKNOWN), earliest first.  A shipment is overdue when no
 * receipt is booked grace_days after the end of the receiver's ICR period
 * that covers the shipment date, and the ledger runs past that day.
 * Overdue shipments and receipts without a shipment are also added to
 * findings.  Caller frees with custos_transfers_free().  opt may be NULL.
 */
CUSTOS_API int custos_ledger_transfers(custos_transfers **out, custos_ledger *l,
                                       const custos_transfer_options *opt, custos_diags *findings);
CUSTOS_API void custos_transfers_free(custos_transfers *t);

#ifdef __cplusplus
}
#endif
#endif
