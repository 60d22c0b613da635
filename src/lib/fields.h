/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fields.h: parsing and formatting of single Code 10 label contents,
 * shared by the labelled, CSV and JSON forms (which all carry the same
 * content strings), and the report assembler that groups parsed entries
 * into reports.
 */
#ifndef CUSTOS_FIELDS_H
#define CUSTOS_FIELDS_H

#include "custos/report.h"
#include "internal.h"

/* The header labels Code 10 repeats in each entry, as parsed from one
 * entry before they are merged into the report. */
typedef struct custos_hdr {
    uint32_t present; /* bits: 1<<CUSTOS_L001, ... for the header labels */
    char kind;        /* 'O' or 'N' from 001 */
    char state[3];
    int64_t number;
    custos_date date;
    char encoder[31];
    char type;
    custos_date start, end;
    char facility[5];
    char mba[5];
} custos_hdr;

/* True for the header labels kept in custos_hdr (001 003 006 010 015 207
 * 307); 002 and the rest belong to the entry. */
bool custos_field_is_header(int label);

/*
 * Parse content s[0..len) of label into e (entry labels) or h (header
 * labels).  On error returns CUSTOS_EINVAL with the reason in msg (one
 * line, without location).  A label given twice is refused.
 */
int custos_field_parse(custos_entry *e, custos_hdr *h, int label, const char *s, size_t len,
                       char *msg, size_t msgsize);

/*
 * Format the content of label for entry e of report r into buf (at least
 * 2200 bytes: a concise note holds up to 2000 characters).  Returns the
 * length, or 0 when the entry does not carry the label.
 */
size_t custos_field_format(const custos_report *r, const custos_entry *e, int label, char *buf,
                           size_t size);

#define CUSTOS_FIELD_BUF 2200

/* True when an entry of kind 'O' or 'N' may carry label: a concise note
 * carries 001 002 003 099 207 307 391 only, an accounting entry all but
 * 099. */
bool custos_field_allowed(char kind, int label);

/* Labels in the order writers emit them; terminated by 0. */
extern const int custos_field_order[];

/* The report assembler.  Entries arrive one by one with their header; a
 * change of reference (State, report number) completes a report. */
typedef struct custos_assembler {
    custos_report *cur;     /* report being filled, or NULL */
    custos_report *done;    /* a completed report waiting to be taken */
    const char *source;     /* file name for diagnostics */
    uint64_t *seen;         /* hashes of references already completed */
    size_t nseen, capseen;
    int errors;             /* value errors in cur */
    int done_errors;        /* value errors in done */
} custos_assembler;

void custos_assembler_init(custos_assembler *a, const char *source);
void custos_assembler_dispose(custos_assembler *a);
/*
 * Add entry e with header h.  The entry (and its strings) moves into the
 * report: e is zeroed.  A change of reference completes the current report
 * into a->done (the caller takes it before adding more).  Header
 * disagreements go to d and mark the report invalid.  Returns CUSTOS_OK,
 * CUSTOS_ENOMEM or CUSTOS_ETOOBIG.
 */
int custos_assembler_add(custos_assembler *a, const custos_hdr *h, custos_entry *e,
                         custos_diags *d);
/* End of input: complete the current report into a->done. */
void custos_assembler_finish(custos_assembler *a);

#endif
