/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buf.c: bounded growable buffers (after curl's dynbuf).  The capacity
 * doubles up to the buffer's maximum; appending past it fails with
 * CUSTOS_ETOOBIG and leaves the buffer as it was.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

void custos_buf_init(custos_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void custos_buf_dispose(custos_buf *b)
{
    custos_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int custos_buf_grow(custos_buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return custos_error_set(CUSTOS_ETOOBIG, "buffer limit of %zu bytes exceeded", b->max);
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return CUSTOS_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    char *p = custos_realloc(b->data, cap);
    if (!p)
        return custos_error_nomem();
    b->data = p;
    b->cap = cap;
    return CUSTOS_OK;
}

int custos_buf_append(custos_buf *b, const char *s, size_t n)
{
    int err = custos_buf_grow(b, n);
    if (err < 0)
        return err;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return CUSTOS_OK;
}

int custos_buf_puts(custos_buf *b, const char *s)
{
    return custos_buf_append(b, s, strlen(s));
}

int custos_buf_printf(custos_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return custos_error_set(CUSTOS_EINVAL, "bad format");
    if ((size_t)n < sizeof small)
        return custos_buf_append(b, small, (size_t)n);
    int err = custos_buf_grow(b, (size_t)n);
    if (err < 0)
        return err;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CUSTOS_OK;
}

int custos_buf_write_fn(void *ctx, const char *data, size_t len)
{
    return custos_buf_append(ctx, data, len);
}
