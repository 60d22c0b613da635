/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csv.c: the CSV form of reports: a header line naming Code 10 labels
 * ("001","002",...), then one row per entry whose cells hold exactly the
 * Code 10 content of each label (empty: label absent).  Quoting follows
 * RFC 4180; since no Code 10 value holds a line break, a record is one
 * line, which keeps line numbers in diagnostics exact.
 *
 * A hand-written reader rather than libcsv: it must name the line of every
 * bad cell and stop at CUSTOS_MAX_CSV_LINE bytes, which libcsv's callback
 * interface does not give.
 */
#include <string.h>

#include "readerint.h"

/* Read one record into r->field as NUL-separated cells; returns the cell
 * count, 0 at the end of input, or a negative error. */
static int read_record(custos_reader *r, custos_diags *d, size_t *cells, size_t **starts,
                       size_t *cap, uint32_t *line)
{
    custos_source *s = &r->src;
    custos_buf *f = &r->field;
    size_t total = 0;
    f->len = 0;
    *cells = 0;
    int c = custos_source_peek(s);
    if (c < 0)
        return 0;
    *line = s->line;
    bool quoted = false, was_quoted = false;
    size_t start = 0;
    for (;;) {
        if (!quoted && !was_quoted && s->pos < s->len) {
            /* A run of ordinary bytes of an unquoted cell, copied from the
             * source's buffer at once (the byte-by-byte path below costs
             * a tenth of an import). */
            const unsigned char *base = s->buf ? s->buf : s->mem;
            size_t p = s->pos;
            while (p < s->len && base[p] != ',' && base[p] != '"' && base[p] != '\n' &&
                   base[p] != '\r')
                p++;
            size_t run = p - s->pos;
            if (run) {
                total += run;
                if (total > CUSTOS_MAX_CSV_LINE)
                    return custos_reader_fail(r, d, CUSTOS_ETOOBIG, *line, 0, 0,
                                              "CSV line longer than %d bytes (limit)",
                                              CUSTOS_MAX_CSV_LINE);
                if (custos_buf_append(f, (const char *)base + s->pos, run) < 0)
                    return custos_error_nomem();
                s->pos = p;
                continue;
            }
        }
        c = custos_source_getc(s);
        /* The limit counts the bytes of the record, not its line end. */
        if (c >= 0 && c != '\n' && c != '\r' && ++total > CUSTOS_MAX_CSV_LINE)
            return custos_reader_fail(r, d, CUSTOS_ETOOBIG, *line, 0, 0,
                                      "CSV line longer than %d bytes (limit)", CUSTOS_MAX_CSV_LINE);
        if (quoted) {
            if (c < 0)
                return custos_reader_fail(r, d, CUSTOS_EINVAL, *line, 0, 0,
                                          "truncated input: unterminated quoted field");
            if (c == '\n' || c == '\r')
                return custos_reader_fail(r, d, CUSTOS_EINVAL, *line, 0, 0,
                                          "line break inside a quoted field");
            if (c == '"') {
                if (custos_source_peek(s) == '"') {
                    custos_source_getc(s);
                    if (custos_buf_putc(f, '"') < 0)
                        return custos_error_nomem();
                } else {
                    quoted = false;
                }
                continue;
            }
            if (custos_buf_putc(f, (char)c) < 0)
                return CUSTOS_ENOMEM;
            continue;
        }
        if (c == '"' && f->len == start && !was_quoted) {
            quoted = was_quoted = true;
            continue;
        }
        if (c == ',' || c == '\n' || c < 0 || c == '\r') {
            if (c == '\r') {
                if (custos_source_peek(s) == '\n')
                    custos_source_getc(s);
                c = '\n';
            }
            if (*cells == *cap) {
                size_t nc = *cap ? *cap * 2 : 64;
                size_t *p = custos_realloc(*starts, nc * sizeof *p);
                if (!p)
                    return custos_error_nomem();
                *starts = p;
                *cap = nc;
            }
            (*starts)[(*cells)++] = start;
            if (custos_buf_putc(f, '\0') < 0)
                return custos_error_nomem();
            start = f->len;
            was_quoted = false;
            if (c != ',')
                return (int)*cells;
            continue;
        }
        if (was_quoted)
            return custos_reader_fail(r, d, CUSTOS_EINVAL, *line, 0, 0,
                                      "text after the closing quote of a field");
        if (custos_buf_putc(f, (char)c) < 0)
            return custos_error_nomem();
    }
}

int custos_csv_begin(custos_reader *r, custos_diags *d)
{
    size_t cells = 0, cap = 0, *starts = NULL;
    uint32_t line = 1;
    /* Skip a UTF-8 byte order mark. */
    if (custos_source_peek(&r->src) == 0xEF) {
        custos_source_getc(&r->src);
        if (custos_source_getc(&r->src) != 0xBB || custos_source_getc(&r->src) != 0xBF)
            return custos_reader_fail(r, d, CUSTOS_EINVAL, 1, 0, 0, "not a CSV header line");
    }
    int n = read_record(r, d, &cells, &starts, &cap, &line);
    int err = CUSTOS_OK;
    if (n <= 0) {
        err = n < 0 ? n : custos_reader_fail(r, d, CUSTOS_EINVAL, 1, 0, 0, "empty CSV file");
        goto done;
    }
    r->columns = custos_calloc(cells, sizeof *r->columns);
    if (!r->columns) {
        err = custos_error_nomem();
        goto done;
    }
    r->ncolumns = cells;
    bool has001 = false;
    for (size_t i = 0; i < cells; i++) {
        const char *name = r->field.data + starts[i];
        int label = 0;
        bool ok = strlen(name) == 3;
        for (int k = 0; ok && k < 3; k++) {
            ok = name[k] >= '0' && name[k] <= '9';
            label = label * 10 + (name[k] - '0');
        }
        if (!ok || (custos_bit_of_label(label) < 0 && custos_weight_index(label) < 0)) {
            char shown[24];
            size_t k = 0;
            for (const char *c = name; *c && k + 4 < sizeof shown; c++)
                shown[k++] = *c >= 0x20 && *c < 0x7f ? *c : '?';
            if (name[k])
                shown[k++] = '.', shown[k++] = '.', shown[k++] = '.';
            shown[k] = '\0';
            err = custos_reader_fail(r, d, CUSTOS_EINVAL, line, 0, 0,
                                     "CSV column %zu ('%s') is not a Code 10 label", i + 1, shown);
            goto done;
        }
        for (size_t j = 0; j < i; j++)
            if (r->columns[j] == label) {
                err = custos_reader_fail(r, d, CUSTOS_EINVAL, line, 0, label,
                                         "CSV column given twice");
                goto done;
            }
        r->columns[i] = label;
        has001 |= label == 1;
    }
    if (!has001)
        err = custos_reader_fail(r, d, CUSTOS_EINVAL, line, 0, 1, "CSV header has no column 001");
done:
    custos_free(starts);
    return err;
}

int custos_csv_next(custos_report **out, custos_reader *r, custos_diags *d)
{
    size_t cells, cap = 0, *starts = NULL;
    char msg[256];
    int err = 0;
    for (;;) {
        if (r->asm_.done) {
            err = custos_reader_take(out, r, d);
            break;
        }
        uint32_t line = 0;
        int n = read_record(r, d, &cells, &starts, &cap, &line);
        if (n < 0) {
            err = n;
            break;
        }
        if (n == 0) {
            if (r->src.error) {
                const char *what;
                int e = custos_source_error(&r->src, &what);
                err = custos_reader_fail(r, d, e, r->src.line, 0, 0, "%s", what);
                break;
            }
            custos_assembler_finish(&r->asm_);
            err = r->asm_.done ? custos_reader_take(out, r, d) : 0;
            break;
        }
        bool blank = true;
        for (size_t i = 0; i < cells; i++)
            blank &= r->field.data[starts[i]] == '\0';
        if (blank)
            continue;
        if (cells != r->ncolumns) {
            err = custos_reader_fail(r, d, CUSTOS_EINVAL, line, 0, 0,
                                     "CSV row has %zu cells, the header %zu", cells, r->ncolumns);
            break;
        }
        custos_entry e;
        custos_hdr h;
        memset(&e, 0, sizeof e);
        memset(&h, 0, sizeof h);
        e.line = line;
        int errors = 0;
        /* The reference first: it places the entry. */
        for (int pass = 0; pass < 2 && err >= 0; pass++) {
            for (size_t i = 0; i < cells; i++) {
                const char *v = r->field.data + starts[i];
                if (!*v || (pass == 0) != (r->columns[i] == 1))
                    continue;
                int pe = custos_field_parse(&e, &h, r->columns[i], v, strlen(v), msg, sizeof msg);
                if (pe == CUSTOS_ENOMEM) {
                    err = CUSTOS_ENOMEM;
                    break;
                }
                if (pe < 0) {
                    if (r->columns[i] == 1) {
                        err = custos_reader_fail(r, d, CUSTOS_EINVAL, line, 0, 1, "%s", msg);
                        break;
                    }
                    errors++;
                    if ((err = custos_diags_add(d, CUSTOS_SEV_ERROR, r->src.name, line, e.number,
                                                r->columns[i], "%s", msg)) < 0)
                        break;
                }
            }
        }
        if (err < 0) {
            custos_free(e.note);
            custos_free(e.own_desc);
            break;
        }
        if ((err = custos_assembler_add(&r->asm_, &h, &e, d)) < 0)
            break;
        r->asm_.errors += errors;
    }
    custos_free(starts);
    return err;
}

static int put_cell(custos_buf *b, const char *v, size_t n)
{
    bool quote = memchr(v, ',', n) || memchr(v, '"', n);
    if (!quote)
        return custos_buf_append(b, v, n);
    int err = custos_buf_putc(b, '"');
    for (size_t i = 0; i < n && err >= 0; i++) {
        if (v[i] == '"')
            err = custos_buf_putc(b, '"');
        if (err >= 0)
            err = custos_buf_putc(b, v[i]);
    }
    return err < 0 ? err : custos_buf_putc(b, '"');
}

int custos_csv_write(custos_writer *w, const custos_report *r)
{
    custos_buf b;
    char value[CUSTOS_FIELD_BUF];
    int err = CUSTOS_OK;
    custos_buf_init(&b, (size_t)1 << 20);
    if (w->reports == 0) {
        for (const int *lp = custos_field_order; *lp; lp++)
            if ((err = custos_buf_printf(&b, "%s%03d", lp == custos_field_order ? "" : ",", *lp)) < 0)
                goto done;
        if ((err = custos_buf_putc(&b, '\n')) < 0)
            goto done;
    }
    for (size_t i = 0; i < r->n; i++) {
        const custos_entry *e = &r->entries[i];
        for (const int *lp = custos_field_order; *lp; lp++) {
            if (lp != custos_field_order && (err = custos_buf_putc(&b, ',')) < 0)
                goto done;
            size_t n = custos_field_allowed(e->kind, *lp) ? custos_field_format(r, e, *lp, value, sizeof value) : 0;
            if (n && (err = put_cell(&b, value, n)) < 0)
                goto done;
        }
        if ((err = custos_buf_putc(&b, '\n')) < 0)
            goto done;
        if (b.len > ((size_t)1 << 19)) {
            if ((err = w->fn(w->ctx, b.data, b.len)) < 0)
                goto done;
            b.len = 0;
        }
    }
    if (b.len)
        err = w->fn(w->ctx, b.data, b.len);
done:
    custos_buf_dispose(&b);
    return err;
}
