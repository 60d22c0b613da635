/* SPDX-License-Identifier: Apache-2.0 */
/*
 * code10.c: the IAEA Code 10 labelled format, read and written.
 *
 * Syntax (shared/spec/code10.md): a report is a sequence of elements
 * "LLL:content#"; an entry starts at label 001; whitespace and line breaks
 * between elements carry no meaning.  The reader streams: it holds one
 * entry being read and the report it belongs to.  A malformed element
 * (no label, no ':', a reserved character or a line break inside a value,
 * no closing '#') stops the reader at once; a well-formed element whose
 * value is wrong is reported and reading goes on to the end of the report,
 * so one pass lists every bad value of a report.
 *
 * The writer puts one entry per line with the labels in ascending order;
 * its output is the canonical text the ledger hashes.
 */
#include <string.h>

#include "readerint.h"

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int flush_entry(custos_reader *r, custos_diags *d)
{
    if (!r->in_entry)
        return CUSTOS_OK;
    r->in_entry = false;
    int errors = r->entry_errors;
    int err = custos_assembler_add(&r->asm_, &r->hdr, &r->entry, d);
    if (err < 0)
        return err;
    r->asm_.errors += errors;
    return CUSTOS_OK;
}

int custos_code10_next(custos_report **out, custos_reader *r, custos_diags *d)
{
    custos_source *s = &r->src;
    char value[CUSTOS_MAX_ELEMENT + 1];
    char msg[256];
    int err;

    for (;;) {
        if (r->asm_.done)
            return custos_reader_take(out, r, d);
        int c = custos_source_getc(s);
        while (c >= 0 && is_space(c))
            c = custos_source_getc(s);
        if (c < 0) {
            if (s->error) {
                const char *what;
                int e = custos_source_error(s, &what);
                return custos_reader_fail(r, d, e, s->line, 0, 0, "%s", what);
            }
            if ((err = flush_entry(r, d)) < 0)
                return err;
            custos_assembler_finish(&r->asm_);
            if (r->asm_.done)
                return custos_reader_take(out, r, d);
            return 0;
        }
        uint32_t line = s->line;
        int label = 0;
        for (int i = 0; i < 3; i++) {
            if (i > 0)
                c = custos_source_getc(s);
            if (c < '0' || c > '9')
                return custos_reader_fail(r, d, CUSTOS_EINVAL, line, r->in_entry ? r->entry.number : 0,
                                          0, c < 0 ? "truncated input: an element ends early"
                                                   : "expected a three-digit label");
            label = label * 10 + (c - '0');
        }
        c = custos_source_getc(s);
        if (c != ':')
            return custos_reader_fail(r, d, CUSTOS_EINVAL, line, r->in_entry ? r->entry.number : 0,
                                      label, "expected ':' after the label");
        size_t n = 0;
        for (;;) {
            c = custos_source_getc(s);
            if (c == '#')
                break;
            if (c < 0)
                return custos_reader_fail(r, d, CUSTOS_EINVAL, line,
                                          r->in_entry ? r->entry.number : 0, label,
                                          "truncated input: no closing '#'");
            if (c == ':')
                return custos_reader_fail(r, d, CUSTOS_EINVAL, line,
                                          r->in_entry ? r->entry.number : 0, label,
                                          "reserved character ':' inside a value");
            if (c < 0x20 || c == 0x7f)
                return custos_reader_fail(r, d, CUSTOS_EINVAL, line,
                                          r->in_entry ? r->entry.number : 0, label,
                                          c == '\n' ? "line break inside a value"
                                                    : "control character inside a value");
            if (n >= CUSTOS_MAX_ELEMENT)
                return custos_reader_fail(r, d, CUSTOS_ETOOBIG, line,
                                          r->in_entry ? r->entry.number : 0, label,
                                          "value longer than %d bytes (limit)",
                                          CUSTOS_MAX_ELEMENT);
            value[n++] = (char)c;
        }
        value[n] = '\0';
        if (label == 1) {
            if ((err = flush_entry(r, d)) < 0)
                return err;
            memset(&r->entry, 0, sizeof r->entry);
            memset(&r->hdr, 0, sizeof r->hdr);
            r->entry.line = line;
            r->in_entry = true;
            r->entry_errors = 0;
        } else if (!r->in_entry) {
            return custos_reader_fail(r, d, CUSTOS_EINVAL, line, 0, label,
                                      "label before the first reference (001)");
        }
        err = custos_field_parse(&r->entry, &r->hdr, label, value, n, msg, sizeof msg);
        if (err == CUSTOS_ENOMEM)
            return custos_error_nomem();
        if (err < 0) {
            if (label == 1) {
                /* Without a reference the entry cannot be placed. */
                return custos_reader_fail(r, d, CUSTOS_EINVAL, line, 0, label, "%s", msg);
            }
            r->entry_errors++;
            if ((err = custos_diags_add(d, CUSTOS_SEV_ERROR, s->name, line, r->entry.number, label,
                                        "%s", msg)) < 0)
                return err;
        }
    }
}

/* ---- writer ----------------------------------------------------------- */

int custos_code10_write(custos_writer *w, const custos_report *r)
{
    custos_buf b;
    char value[CUSTOS_FIELD_BUF];
    int err = CUSTOS_OK;
    custos_buf_init(&b, (size_t)1 << 20);
    for (size_t i = 0; i < r->n; i++) {
        const custos_entry *e = &r->entries[i];
        for (const int *lp = custos_field_order; *lp; lp++) {
            if (!custos_field_allowed(e->kind, *lp))
                continue;
            size_t n = custos_field_format(r, e, *lp, value, sizeof value);
            if (!n)
                continue;
            char head[5] = {(char)('0' + *lp / 100), (char)('0' + *lp / 10 % 10),
                            (char)('0' + *lp % 10), ':', 0};
            if ((err = custos_buf_append(&b, head, 4)) < 0 ||
                (err = custos_buf_append(&b, value, n)) < 0 || (err = custos_buf_putc(&b, '#')) < 0)
                goto done;
        }
        if ((err = custos_buf_putc(&b, '\n')) < 0)
            goto done;
        if (b.len > ((size_t)1 << 19) || i + 1 == r->n) {
            if ((err = w->fn(w->ctx, b.data, b.len)) < 0)
                goto done;
            b.len = 0;
        }
    }
done:
    custos_buf_dispose(&b);
    return err;
}
