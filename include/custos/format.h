/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/format.h: reading and writing reports in the three forms custos
 * speaks: the IAEA Code 10 labelled format, CSV (one column per Code 10
 * label) and JSON (one object per report).
 *
 * All three carry the same records, so converting between any two and
 * back is lossless.  Readers stream: a file of any size passes through
 * constant memory, one report at a time (a report itself is held whole,
 * at most CUSTOS_MAX_ENTRIES entries).  docs/formats.md describes each
 * form; the Code 10 writer's output is also the canonical text that the
 * ledger hashes.
 */
#ifndef CUSTOS_FORMAT_H
#define CUSTOS_FORMAT_H

#include <stdio.h>

#include "common.h"
#include "diag.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum custos_format {
    CUSTOS_FORMAT_AUTO = 0, /* detect from the content */
    CUSTOS_FORMAT_CODE10,   /* IAEA Code 10 labelled */
    CUSTOS_FORMAT_CSV,
    CUSTOS_FORMAT_JSON
} custos_format;

/* "code10", "csv", "json"; "auto" for AUTO. */
CUSTOS_API const char *custos_format_name(custos_format f);
/* Parse a format name (also "labelled"); CUSTOS_EINVAL if unknown. */
CUSTOS_API int custos_format_parse(custos_format *out, const char *name);

typedef struct custos_reader custos_reader;

/*
 * Open a reader on path ("-" reads standard input).  With
 * CUSTOS_FORMAT_AUTO the form is detected from the first bytes: '{' or
 * '[' is JSON, a three-digit label and ':' is Code 10, a header line
 * naming label 001 is CSV.  Caller frees with custos_reader_free().
 * Returns CUSTOS_OK, CUSTOS_EIO, CUSTOS_EINVAL (form not recognised) or
 * CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_reader_open_file(custos_reader **out, const char *path, custos_format f);

/* The same over len bytes of borrowed memory, kept until the reader is
 * freed; name is used in diagnostics. */
CUSTOS_API int custos_reader_open_memory(custos_reader **out, const char *name,
                                         const void *data, size_t len, custos_format f);

CUSTOS_API void custos_reader_free(custos_reader *r);

/*
 * Read the next report.  Returns 1 with *out set (caller frees with
 * custos_report_free()), 0 at the end of the input, or a negative error:
 * CUSTOS_EINVAL when the input is malformed (every problem found is in d,
 * one line each, and the last error message is the first of them),
 * CUSTOS_ETOOBIG past a limit, CUSTOS_EIO, CUSTOS_ENOMEM.  After an error
 * the reader is finished.  d may be NULL.
 */
CUSTOS_API int custos_reader_next(custos_report **out, custos_reader *r, custos_diags *d);

/* The detected or given form; the input's name; bytes read so far and the
 * total size (0 when unknown, e.g. a pipe), for progress displays. */
CUSTOS_API custos_format custos_reader_format(const custos_reader *r);
CUSTOS_API const char *custos_reader_name(const custos_reader *r);
CUSTOS_API uint64_t custos_reader_offset(const custos_reader *r);
CUSTOS_API uint64_t custos_reader_size(const custos_reader *r);

/* Where writers send their bytes; returns CUSTOS_OK or a negative error
 * that stops the writer. */
typedef int (*custos_write_fn)(void *ctx, const char *data, size_t len);

/* A write function for a FILE * passed as ctx. */
CUSTOS_API int custos_write_file(void *ctx, const char *data, size_t len);

typedef struct custos_writer custos_writer;

/* A writer of form f to fn(ctx).  Caller frees with custos_writer_free()
 * after custos_writer_finish().  CUSTOS_OK, CUSTOS_EINVAL (AUTO),
 * CUSTOS_ENOMEM. */
CUSTOS_API int custos_writer_new(custos_writer **out, custos_format f, custos_write_fn fn,
                                 void *ctx);
/* Write one report (Code 10: one entry per line; CSV: one row per entry,
 * the header before the first; JSON: one object, inside an array when
 * more than one report is written). */
CUSTOS_API int custos_writer_report(custos_writer *w, const custos_report *r);
/* Close the document (JSON's closing bracket); may be called once. */
CUSTOS_API int custos_writer_finish(custos_writer *w);
CUSTOS_API void custos_writer_free(custos_writer *w);

/*
 * The canonical text of a report: its Code 10 labelled form as custos
 * writes it, entries in their stored order, one per line, '\n' line ends.
 * This is what the ledger hashes.  Caller frees *out with custos_free().
 */
CUSTOS_API int custos_report_canonical(char **out, size_t *len, const custos_report *r);

#ifdef __cplusplus
}
#endif
#endif
