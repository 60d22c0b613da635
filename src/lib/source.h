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
    char *name;            /* owned */
} custos_source;

/* Open path ("-" for standard input).  CUSTOS_OK, CUSTOS_EIO, CUSTOS_ENOMEM. */
int custos_source_open_file(custos_source *s, const char *path);
/* A source over borrowed memory (kept until the source is disposed). */
int custos_source_open_memory(custos_source *s, const char *name, const void *data, size_t len);
void custos_source_dispose(custos_source *s);

/* Refill: returns false at end or on error (s->error). */
bool custos_source_fill(custos_source *s);

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
 * caller frees with custos_free().  CUSTOS_ETOOBIG past max. */
int custos_source_slurp(custos_source *s, size_t max, char **out, size_t *len);

#endif
