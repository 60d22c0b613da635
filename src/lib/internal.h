/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: helpers shared by the library's modules and never exported:
 * raising errors, bounded growable buffers, hex encoding.
 *
 * A custos_buf grows up to its maximum and no further (STYLE.md, "bounded
 * buffers"), so a hostile report cannot grow memory without limit.
 */
#ifndef CUSTOS_INTERNAL_H
#define CUSTOS_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "custos/common.h"

#ifdef __GNUC__
#define CUSTOS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CUSTOS_PRINTF(a, b)
#endif

/* Set this thread's last-error message and return err (for
 * "return custos_error_set(CUSTOS_EINVAL, ...)"). */
int custos_error_set(int err, const char *fmt, ...) CUSTOS_PRINTF(2, 3);
int custos_error_setv(int err, const char *fmt, va_list ap) CUSTOS_PRINTF(2, 0);
/* Raise CUSTOS_ENOMEM with a standard message. */
int custos_error_nomem(void);

/* How many allocations through the seam returned NULL on this thread so
 * far; compared before and after a call into a library that cannot tell
 * out-of-memory from bad input (jansson's parser). */
unsigned long custos_alloc_failures(void);

/* json_dumps(o, flags), or NULL (CUSTOS_ENOMEM set) when an allocation
 * failed while jansson wrote: jansson 2.14 may go on and return text with
 * a key missing.  Free the text with custos_free(). */
struct json_t;
char *custos_json_dumps(const struct json_t *o, size_t flags);

/* json_loadb(text, len, flags, je), or NULL: with *err CUSTOS_ENOMEM
 * (and the error set) when an allocation failed while jansson read, the
 * document it may have returned being partial (jansson cannot always
 * tell out-of-memory from bad input, and goes on after some failures);
 * with *err CUSTOS_EINVAL when the text is not JSON, je saying where
 * and why (the caller words the error). */
struct json_error_t;
struct json_t *custos_json_loadb(const char *text, size_t len, size_t flags,
                                 struct json_error_t *je, int *err);

/* A growable byte buffer with a hard maximum. */
typedef struct custos_buf {
    char *data;   /* always NUL-terminated when len > 0 or after append */
    size_t len;
    size_t cap;
    size_t max;   /* the buffer never holds more than max bytes */
} custos_buf;

void custos_buf_init(custos_buf *b, size_t max);
void custos_buf_dispose(custos_buf *b);
/* Make room for extra more bytes (plus a NUL).  CUSTOS_OK, CUSTOS_ENOMEM,
 * or CUSTOS_ETOOBIG past max. */
int custos_buf_grow(custos_buf *b, size_t extra);
int custos_buf_append(custos_buf *b, const char *s, size_t n);
int custos_buf_puts(custos_buf *b, const char *s);
/* One byte; inline because readers call it for every byte of a value.
 * The fast path keeps the invariants of custos_buf_append (len < cap <=
 * max + 1, NUL after the data). */
static inline int custos_buf_putc(custos_buf *b, char c)
{
    if (b->len + 1 < b->cap) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return CUSTOS_OK;
    }
    return custos_buf_append(b, &c, 1);
}
int custos_buf_printf(custos_buf *b, const char *fmt, ...) CUSTOS_PRINTF(2, 3);
/* Write callback adapter: ctx is a custos_buf. */
int custos_buf_write_fn(void *ctx, const char *data, size_t len);

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void custos_hex(char *out, const unsigned char *in, size_t n);

/* A static one-character string of c ("" for c outside printable ASCII),
 * to bind to SQLite without a copy: a copy allocates, and an allocation
 * that fails inside sqlite3_bind_text() would silently bind NULL. */
const char *custos_char_str(char c);

/*
 * *acc += v on exact milligrams; returns false when the sum does not fit
 * int64.  One weight is below 10^18 mg (12 integer digits of kilograms),
 * and a report holds up to CUSTOS_MAX_ENTRIES entries and the books many
 * reports, so sums of valid weights can pass 2^63 mg: every sum of weights goes through here, and a
 * caller refuses the input rather than let a sum wrap.
 */
static inline bool custos_mg_add(int64_t *acc, int64_t v)
{
    return !__builtin_add_overflow(*acc, v, acc);
}

/* *acc -= v, the same way. */
static inline bool custos_mg_sub(int64_t *acc, int64_t v)
{
    return !__builtin_sub_overflow(*acc, v, acc);
}

/* The range of custos_mg_add() in grams, for messages. */
#define CUSTOS_MG_RANGE "9.2e15"

/* Copy at most size-1 bytes of s into dst, always terminated. */
void custos_strlcpy(char *dst, const char *src, size_t size);

#endif
