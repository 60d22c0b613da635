/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/diag.h: diagnostics, the one-line errors and findings a check of
 * a report or of the ledger produces.
 *
 * Every diagnostic names where it was found: the file, the line, the entry
 * and the Code 10 label, so an operator can go straight to it.  Formatted,
 * a diagnostic is one line:
 *
 *     FILE:LINE: entry N: label LLL: message
 *
 * with the parts that do not apply left out.  A list keeps at most
 * CUSTOS_MAX_DIAGS diagnostics and counts the rest.
 */
#ifndef CUSTOS_DIAG_H
#define CUSTOS_DIAG_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum custos_severity {
    CUSTOS_SEV_ERROR = 0,   /* the report is refused */
    CUSTOS_SEV_FINDING = 1, /* stored, but an analyst must look at it */
    CUSTOS_SEV_NOTE = 2     /* information */
} custos_severity;

typedef struct custos_diag {
    custos_severity severity;
    const char *file; /* borrowed from the list; "" when none */
    uint32_t line;    /* 0 when not known */
    int32_t entry;    /* entry number (label 002), 0 for the whole report */
    int label;        /* Code 10 label, 0 for none */
    const char *message; /* one line, borrowed from the list */
} custos_diag;

typedef struct custos_diags custos_diags;

/* A new, empty list.  Caller frees with custos_diags_free().  Returns
 * CUSTOS_OK or CUSTOS_ENOMEM. */
CUSTOS_API int custos_diags_new(custos_diags **out);
CUSTOS_API void custos_diags_free(custos_diags *d);

/* Add a diagnostic; the message is formatted like printf.  Copies all
 * strings.  Past CUSTOS_MAX_DIAGS only the count grows.  Returns CUSTOS_OK
 * or CUSTOS_ENOMEM. */
CUSTOS_API int custos_diags_add(custos_diags *d, custos_severity sev, const char *file,
                                uint32_t line, int32_t entry, int label, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 7, 8)))
#endif
    ;

/* Number of diagnostics kept; number of a severity including the ones not
 * kept; the i-th kept one (borrowed until the list changes or is freed). */
CUSTOS_API size_t custos_diags_count(const custos_diags *d);
CUSTOS_API size_t custos_diags_total(const custos_diags *d, custos_severity sev);
CUSTOS_API const custos_diag *custos_diags_get(const custos_diags *d, size_t i);

/* Remove every diagnostic after the first n (used to undo a failed try). */
CUSTOS_API void custos_diags_truncate(custos_diags *d, size_t n);

/*
 * Format diagnostic g as one line into buf (no newline), truncating to
 * size.  Returns the length it would have had, like snprintf.
 */
CUSTOS_API int custos_diag_format(char *buf, size_t size, const custos_diag *g);

#ifdef __cplusplus
}
#endif
#endif
