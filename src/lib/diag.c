/* SPDX-License-Identifier: Apache-2.0 */
/*
 * diag.c: lists of diagnostics.  Each diagnostic owns one allocation
 * holding its file name and message; the list keeps at most
 * CUSTOS_MAX_DIAGS and counts the rest per severity.
 */
#include <stdio.h>
#include <string.h>

#include "custos/diag.h"
#include "internal.h"

struct custos_diags {
    custos_diag *items;
    size_t n, cap;
    size_t total[3];
};

int custos_diags_new(custos_diags **out)
{
    custos_diags *d = custos_calloc(1, sizeof *d);
    if (!d) {
        *out = NULL;
        return custos_error_nomem();
    }
    *out = d;
    return CUSTOS_OK;
}

void custos_diags_truncate(custos_diags *d, size_t n)
{
    if (!d)
        return;
    while (d->n > n) {
        custos_diag *g = &d->items[--d->n];
        if (d->total[g->severity])
            d->total[g->severity]--;
        custos_free((void *)g->message);
    }
}

void custos_diags_free(custos_diags *d)
{
    if (!d)
        return;
    custos_diags_truncate(d, 0);
    custos_free(d->items);
    custos_free(d);
}

int custos_diags_add(custos_diags *d, custos_severity sev, const char *file, uint32_t line,
                     int32_t entry, int label, const char *fmt, ...)
{
    if (!d)
        return CUSTOS_OK;
    if ((unsigned)sev > 2)
        sev = CUSTOS_SEV_ERROR;
    d->total[sev]++;
    if (d->n >= CUSTOS_MAX_DIAGS)
        return CUSTOS_OK;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        custos_diag *p = custos_realloc(d->items, cap * sizeof *p);
        if (!p)
            goto nomem;
        d->items = p;
        d->cap = cap;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (!file)
        file = "";
    size_t fl = strlen(file) + 1, ml = strlen(msg) + 1;
    char *mem = custos_malloc(ml + fl);
    if (!mem)
        goto nomem;
    memcpy(mem, msg, ml);
    memcpy(mem + ml, file, fl);
    custos_diag *g = &d->items[d->n++];
    g->severity = sev;
    g->message = mem;
    g->file = mem + ml;
    g->line = line;
    g->entry = entry;
    g->label = label;
    return CUSTOS_OK;
nomem:
    d->total[sev]--;
    return custos_error_nomem();
}

size_t custos_diags_count(const custos_diags *d)
{
    return d ? d->n : 0;
}

size_t custos_diags_total(const custos_diags *d, custos_severity sev)
{
    return d && (unsigned)sev <= 2 ? d->total[sev] : 0;
}

const custos_diag *custos_diags_get(const custos_diags *d, size_t i)
{
    return d && i < d->n ? &d->items[i] : NULL;
}

int custos_diag_format(char *buf, size_t size, const custos_diag *g)
{
    char where[64] = "";
    int n = 0;
    if (g->file && g->file[0]) {
        if (g->line)
            n = snprintf(buf, size, "%s:%u: ", g->file, (unsigned)g->line);
        else
            n = snprintf(buf, size, "%s: ", g->file);
    } else if (g->line) {
        n = snprintf(buf, size, "line %u: ", (unsigned)g->line);
    }
    if (n < 0)
        n = 0;
    size_t used = (size_t)n < size ? (size_t)n : size;
    if (g->entry > 0 && g->label > 0)
        snprintf(where, sizeof where, "entry %d: label %03d: ", (int)g->entry, g->label);
    else if (g->entry > 0)
        snprintf(where, sizeof where, "entry %d: ", (int)g->entry);
    else if (g->label > 0)
        snprintf(where, sizeof where, "label %03d: ", g->label);
    int m = snprintf(buf + used, size - used, "%s%s", where, g->message);
    return n + (m < 0 ? 0 : m);
}
