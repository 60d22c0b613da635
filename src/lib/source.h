/* SPDX-License-Identifier: Apache-2.0 */
/*
 * source.h: a buffered byte source over a file, standard input or memory,
 * counting lines and bytes for diagnostics and progress.
 */
#ifndef CUSTOS_SOURCE_H
#define CUSTOS_SOURCE_H

#include <stdio.h>

#include "internal.h"

#define CUSTOS_SOURCE_CHUNK 65536

/* CUSTOS_MAX_FILE in digits, for messages. */
#define CUSTOS_MAX_FILE_TEXT "4294967296"
_Static_assert(CUSTOS_MAX_FILE == 4294967296LL, "CUSTOS_MAX_FILE_TEXT is out of date");

typedef struct custos_source {
    FILE *fp;              /* NULL for memory */
    bool owns_fp;
    const unsigned char *mem;
    size_t memlen;
    unsigned char *buf;    /* chunk buffer for files */
    size_t pos, len;       /* position and fill of the current chunk */
    uint64_t consumed;     /* bytes before the current chunk */
    uint64_t size;         /* total size if known, else 0 */
    uint32_t line;         /* current line, from 1 */
    bool eof, error;
    bool toobig;           /* error: the input passed CUSTOS_MAX_FILE bytes */
    char *name;            /* owned */
} custos_source;

/* Open path ("-" for standard input).  CUSTOS_OK, CUSTOS_EIO, CUSTOS_ENOMEM,
 * CUSTOS_ETOOBIG (a regular file larger than CUSTOS_MAX_FILE; a stream is
 * stopped when it passes the limit). */
int custos_source_open_file(custos_source *s, const char *path);
/* A source over borrowed memory (kept until the source is disposed). */
int custos_source_open_memory(custos_source *s, const char *name, const void *data, size_t len);
void custos_source_dispose(custos_source *s);

/* Refill: returns false at end or on error (s->error; s->toobig too when
 * a stream passed CUSTOS_MAX_FILE bytes). */
bool custos_source_fill(custos_source *s);

/* The error that stopped s: CUSTOS_ETOOBIG past CUSTOS_MAX_FILE, else
 * CUSTOS_EIO; *what (static) says which, for a located message. */
int custos_source_error(const custos_source *s, const char **what);

/* Next byte, or -1 at end.  Counts '\n' into s->line. */
static inline int custos_source_getc(custos_source *s)
{
    if (s->pos >= s->len && !custos_source_fill(s))
        return -1;
    int c = s->buf ? s->buf[s->pos] : s->mem[s->pos];
    s->pos++;
    if (c == '\n')
        s->line++;
    return c;
}

/* Next byte without consuming it, or -1. */
static inline int custos_source_peek(custos_source *s)
{
    if (s->pos >= s->len && !custos_source_fill(s))
        return -1;
    return s->buf ? s->buf[s->pos] : s->mem[s->pos];
}

static inline uint64_t custos_source_offset(const custos_source *s)
{
    return s->consumed + s->pos;
}

/* Read everything left, up to max bytes, into a new buffer (NUL-terminated);
 * caller frees with custos_free().  CUSTOS_ETOOBIG past max, CUSTOS_EIO;
 * the message does not name the source (the caller places it). */
int custos_source_slurp(custos_source *s, size_t max, char **out, size_t *len);

#endif
