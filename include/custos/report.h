/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/report.h: the accounting report model of IAEA Code 10.
 *
 * A report (ICR, PIL, MBR or textual report) is a sequence of entries for
 * one MBA sharing one reference (label 001: State code and report number).
 * Accounting entries ("OI") carry the batch data; concise-note entries
 * ("NC") carry text.  The header labels that Code 10 repeats in every
 * entry (003, 006, 010, 015, 207, 307) are kept once in the report; a
 * reader refuses a report whose entries disagree on them.
 *
 * Report and entry are plain data structures, public on purpose: readers,
 * writers, the simulator and the server build and read them field by
 * field.  Every weight is an exact integer number of milligrams, whatever
 * unit the report used (Code 10 fixes the unit of each weight label, so
 * the unit is known from the label).
 *
 * Codes and words are Code 10's (docs/glossary.md).
 */
#ifndef CUSTOS_REPORT_H
#define CUSTOS_REPORT_H

#include <stdbool.h>
#include "common.h"
#include "diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A calendar date as the integer YYYYMMDD; 0 means absent. */
typedef int32_t custos_date;

/* Number of weight labels (600 to 800) and their order in the arrays. */
#define CUSTOS_NWEIGHTS 20

/* The Code 10 weight labels, in array order: 600 610 620 630 640 650 660
 * 670 680 690 700 710 720 730 740 750 760 770 780 800. */
CUSTOS_API int custos_weight_label(int index);
/* Array index of a weight label, or -1 when it is not one. */
CUSTOS_API int custos_weight_index(int label);
/* Unit the label is reported in: 'G' grams or 'K' kilograms. */
CUSTOS_API char custos_weight_unit(int label);
/* Element category a weight label belongs to: 'N', 'D', 'E', 'P', 'T', or
 * 'U' for 600 (unified uranium, categorised by its enrichment). */
CUSTOS_API char custos_weight_category(int label);
/* True when the label is an element weight (600 610 620 630 700 800),
 * false for an isotope or fissile content. */
CUSTOS_API bool custos_weight_is_element(int label);
/* English name of a weight label ("U-235"), static; NULL if unknown. */
CUSTOS_API const char *custos_weight_name(int label);

/* Kinds of inventory change codes (label 411). */
typedef enum custos_change_kind {
    CUSTOS_CHANGE_NONE = 0,    /* not an inventory change code */
    CUSTOS_CHANGE_INCREASE,    /* RF RD RS RN NP DU DQ FW GA */
    CUSTOS_CHANGE_DECREASE,    /* SF SD SN LN LD TW EU EQ TU LA */
    CUSTOS_CHANGE_CATEGORY,    /* EN ED NE ND DE DN */
    CUSTOS_CHANGE_DIFFERENCE,  /* DI, shipper/receiver difference */
    CUSTOS_CHANGE_REBATCH      /* RM RP */
} custos_change_kind;

/* Kind of an inventory change code ("RD"); CUSTOS_CHANGE_NONE if it is
 * not one. */
CUSTOS_API custos_change_kind custos_change_code_kind(const char *code);
/* English meaning of an inventory change or MBR line code; NULL if
 * unknown.  Static. */
CUSTOS_API const char *custos_code_name(const char *code);
/* Number of inventory change codes and the i-th one (static), in the order
 * of Code 10's table; used to lay out balances. */
CUSTOS_API int custos_change_code_count(void);
CUSTOS_API const char *custos_change_code_at(int i);
/* Sign with which a weight of label enters the book inventory under an
 * inventory change code: +1 for increases, -1 for decreases; for a
 * category change (EN, ...) -1 for a weight of the first category and +1
 * for one of the second; 0 for weights that do not enter the balance (DI,
 * RM, RP, other categories, unknown codes). */
CUSTOS_API int custos_change_sign(const char *code, int label);
/* True when code is an MBR line code: PB BE BA PE MF RABE RABA RAMF or an
 * inventory change code. */
CUSTOS_API bool custos_mbr_code_valid(const char *code);
/* True when c is a valid letter of part (0..3) of a material description
 * code (label 430). */
CUSTOS_API bool custos_mdc_part_valid(int part, char c);

/* Report types, label 010. */
#define CUSTOS_REPORT_ICR 'I'
#define CUSTOS_REPORT_PIL 'P'
#define CUSTOS_REPORT_MBR 'M'
#define CUSTOS_REPORT_TEXT 'T'

/* A State/MBA pair (labels 370, 372); code is "" when only a State is
 * given (imports may name a State alone). */
typedef struct custos_party {
    char state[3];
    char code[5];
} custos_party;

/* Labels an entry may carry, as bits of custos_entry.present. */
typedef enum custos_label_bit {
    CUSTOS_L001 = 0, CUSTOS_L002, CUSTOS_L003, CUSTOS_L006, CUSTOS_L010, CUSTOS_L015,
    CUSTOS_L099, CUSTOS_L207, CUSTOS_L307, CUSTOS_L309, CUSTOS_L310, CUSTOS_L370,
    CUSTOS_L372, CUSTOS_L390, CUSTOS_L391, CUSTOS_L407, CUSTOS_L411, CUSTOS_L412,
    CUSTOS_L430, CUSTOS_L435, CUSTOS_L436, CUSTOS_L446, CUSTOS_L447, CUSTOS_L469,
    CUSTOS_L470, CUSTOS_NLABELBITS
} custos_label_bit;

/* Code 10 label number of a bit (CUSTOS_L411 -> 411). */
CUSTOS_API int custos_label_of_bit(int bit);
/* Bit of a non-weight label, or -1 if it is not a known label. */
CUSTOS_API int custos_bit_of_label(int label);

/* One entry of a report. */
typedef struct custos_entry {
    uint32_t line;         /* source line of its first element; 0 if none */
    char kind;             /* 'O' accounting (OI) or 'N' concise note (NC) */
    uint64_t present;      /* bits of custos_label_bit that were given */
    int32_t number;        /* 002: entry number n */
    int32_t total;         /* 002: total, 0 when not given */
    char status;           /* 309: 'N' 'U' 'C' 'D' 'A' */
    char ref_state[3];     /* 309 C/D/A: report and entry referred to */
    int64_t ref_report;
    int32_t ref_entry;
    char record_id[41];    /* 310 */
    custos_party shipper;  /* 370 */
    custos_party receiver; /* 372 */
    char note_attached;    /* 390: 'Y' */
    char *note;            /* 391: owned by the report; NULL when absent */
    char note_ref;         /* 099: 'E' (entry) or 'R' (whole report) */
    int32_t note_ref_entry;
    char kmp[3];           /* 407 */
    char code[5];          /* 411: inventory change or MBR line code */
    custos_date change_date; /* 412 */
    char mdc[5];           /* 430: the four letters a b c d */
    char own_code_flag;    /* 435: 'Y' or 'N' */
    char own_code[13];     /* 435: the code after N/ */
    char *own_desc;        /* 436: owned by the report; NULL when absent */
    char batch[17];        /* 446 */
    char shipper_batch[17]; /* 447 */
    char basis;            /* 469: 'M' 'T' 'N' 'L' */
    char basis_kmp[3];     /* 469: optional KMP */
    char basis_method[17]; /* 469: optional method */
    int64_t items;         /* 470 */
    uint32_t wmask;        /* bit i: weight label custos_weight_label(i) given */
    int64_t mg[CUSTOS_NWEIGHTS]; /* weights, exact milligrams */
} custos_entry;

/* One report. */
typedef struct custos_report {
    char state[3];         /* 001 */
    int64_t number;        /* 001 */
    custos_date date;      /* 003 */
    char encoder[31];      /* 006 */
    char type;             /* 010: 'I' 'P' 'M' 'T' */
    custos_date start;     /* 015: period start; 0 for a PIL */
    custos_date end;       /* 015: period end, or the PIT date of a PIL */
    char facility[5];      /* 207 */
    char mba[5];           /* 307 */
    size_t n;              /* entries */
    size_t cap;
    custos_entry *entries;
    char *source;          /* file name for diagnostics, owned; may be NULL */
    uint32_t line;         /* line of the report's first entry */
} custos_report;

/* An empty report.  Caller frees with custos_report_free().  Returns
 * CUSTOS_OK or CUSTOS_ENOMEM. */
CUSTOS_API int custos_report_new(custos_report **out);
/* Frees the report, its entries and their strings.  NULL is allowed. */
CUSTOS_API void custos_report_free(custos_report *r);
/* Append a zeroed entry; *out is borrowed until the next append or free.
 * Returns CUSTOS_OK, CUSTOS_ENOMEM, or CUSTOS_ETOOBIG past
 * CUSTOS_MAX_ENTRIES. */
CUSTOS_API int custos_report_add_entry(custos_entry **out, custos_report *r);
/* Set a report-owned string field (e->note or e->own_desc) to a copy of s.
 * Returns CUSTOS_OK or CUSTOS_ENOMEM. */
CUSTOS_API int custos_entry_set_text(char **field, const char *s, size_t len);
/* Set the report's source name (copied).  CUSTOS_OK or CUSTOS_ENOMEM. */
CUSTOS_API int custos_report_set_source(custos_report *r, const char *source);

/* Sum of weights is element, isotope, ... given: the value of label, or 0
 * when it is absent (*has, if not NULL, tells which). */
CUSTOS_API int64_t custos_entry_weight(const custos_entry *e, int label, bool *has);

/* Dates.  custos_date_valid: a real calendar day in 1900..9999.
 * custos_date_add: d plus days (may be negative).  custos_date_diff: days
 * from a to b.  custos_date_iso: "YYYY-MM-DD" into buf[11]. */
CUSTOS_API bool custos_date_valid(custos_date d);
CUSTOS_API custos_date custos_date_add(custos_date d, int days);
CUSTOS_API int custos_date_diff(custos_date a, custos_date b);
CUSTOS_API void custos_date_iso(char buf[11], custos_date d);

/*
 * Format a weight of mg milligrams in unit 'G' or 'K' as Code 10 writes it:
 * the value with only the decimals it needs, then the unit letter
 * ("461500.25G", "12.5K", "-3G").  buf needs 32 bytes.  Returns the length.
 */
CUSTOS_API int custos_weight_format(char buf[32], int64_t mg, char unit);
/* Format mg as grams with exactly three decimals ("461500.250"), the form
 * of every balance output.  buf needs 32 bytes.  Returns the length. */
CUSTOS_API int custos_grams_format(char buf[32], int64_t mg);

#ifdef __cplusplus
}
#endif
#endif
