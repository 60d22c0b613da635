/* SPDX-License-Identifier: Apache-2.0 */
/*
 * readerint.h: the reader object shared by the three input forms.
 */
#ifndef CUSTOS_READERINT_H
#define CUSTOS_READERINT_H

#include <jansson.h>

#include "custos/format.h"
#include "fields.h"
#include "source.h"

struct custos_reader {
    custos_format format;
    custos_source src;
    custos_assembler asm_;
    bool finished;
    bool started;
    /* Code 10: the entry being read */
    custos_entry entry;
    custos_hdr hdr;
    bool in_entry;
    int entry_errors;
    /* CSV: column -> label, from the header line */
    int *columns;
    size_t ncolumns;
    custos_buf field;         /* CSV: current field */
    /* JSON: the parsed document and where we are in it */
    char *text;
    size_t textlen;
    json_t *doc;
    size_t next_report;
    uint32_t *object_lines;   /* line of each '{' in document order */
    size_t nobject_lines;
    size_t object_index;      /* pre-order index of the next object */
    /* Diagnostics of the current report when the caller passes none, so
     * the last error can still be the first problem. */
    custos_diags *scratch;
};

/* One report from each form; same contract as custos_reader_next(). */
int custos_code10_next(custos_report **out, custos_reader *r, custos_diags *d);
int custos_csv_next(custos_report **out, custos_reader *r, custos_diags *d);
int custos_json_next(custos_report **out, custos_reader *r, custos_diags *d);

/* Start of the JSON and CSV readers (after detection). */
int custos_csv_begin(custos_reader *r, custos_diags *d);
int custos_json_begin(custos_reader *r, custos_diags *d);

/* Add a located error to d and make it the last error too; returns
 * CUSTOS_EINVAL (or err when err is not EINVAL). */
int custos_reader_fail(custos_reader *r, custos_diags *d, int err, uint32_t line, int32_t entry,
                       int label, const char *fmt, ...) CUSTOS_PRINTF(7, 8);

/* Take a completed report from the assembler: returns 1 with *out when
 * it is valid, CUSTOS_EINVAL when entries had value errors. */
int custos_reader_take(custos_report **out, custos_reader *r, custos_diags *d);

/* Writers of each form. */
struct custos_writer {
    custos_format format;
    custos_write_fn fn;
    void *ctx;
    size_t reports;
    bool finished;
    custos_buf pending;       /* JSON: the first report, held back */
};

int custos_code10_write(custos_writer *w, const custos_report *r);
int custos_csv_write(custos_writer *w, const custos_report *r);
int custos_json_write(custos_writer *w, const custos_report *r);
int custos_json_finish(custos_writer *w);

#endif
