/* SPDX-License-Identifier: Apache-2.0 */
/*
 * books.h: the effective entries of an MBA, with corrections applied.
 *
 * Every entry has a key (report number, entry number): its own for an
 * original ('N') entry, the one it names for a correction ('C'), deletion
 * ('D') or late addition ('A').  The effective content of a key is the
 * last record of it in storage order, unless that record deletes it.
 * Invalid ('U') entries are ignored.  The statistics and the agreements
 * read the books through this too.
 */
#ifndef CUSTOS_BOOKS_H
#define CUSTOS_BOOKS_H

#include "ledgerint.h"

typedef struct custos_book_entry {
    int64_t key_report;      /* report the entry belongs to */
    int32_t key_entry;
    int64_t src_report;      /* report whose record gives the content */
    int32_t src_entry;
    custos_date period_end;  /* of the key report (a PIL's PIT date) */
    custos_entry e;          /* content; note and own_desc not loaded */
} custos_book_entry;

typedef struct custos_book {
    size_t n, cap;
    custos_book_entry *items; /* effective entries, in storage order */
} custos_book;

/* The effective accounting entries of reports of type ('I', 'P' or 'M')
 * of MBA state/mba.  Caller disposes with custos_book_dispose(). */
int custos_book_load(custos_book *out, custos_ledger *l, const char *state, const char *mba,
                     char type);
void custos_book_dispose(custos_book *b);

/* Category of the uranium in entry e for label (600 and the isotopes that
 * go with it are categorised by enrichment); otherwise the label's. */
char custos_book_category(const custos_entry *e, int label);

/* Distinct (state, mba) pairs with reports, optionally filtered by spec
 * ("XAFF" or "XA/XAFF"). *out is an array of 8-byte "SS\0MMMM\0" records;
 * caller frees with custos_free(). */
int custos_book_mbas(custos_ledger *l, const char *spec, char (**out)[8], size_t *n);

#endif
