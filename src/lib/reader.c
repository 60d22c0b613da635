/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reader.c: opening readers and writers, detecting the input form, and
 * the canonical text of a report.
 */
#include <stdio.h>
#include <string.h>

#include "readerint.h"

const char *custos_format_name(custos_format f)
{
    switch (f) {
    case CUSTOS_FORMAT_CODE10: return "code10";
    case CUSTOS_FORMAT_CSV: return "csv";
    case CUSTOS_FORMAT_JSON: return "json";
    default: return "auto";
    }
}

int custos_format_parse(custos_format *out, const char *name)
{
    if (!strcmp(name, "code10") || !strcmp(name, "labelled") || !strcmp(name, "labeled"))
        *out = CUSTOS_FORMAT_CODE10;
    else if (!strcmp(name, "csv"))
        *out = CUSTOS_FORMAT_CSV;
    else if (!strcmp(name, "json"))
        *out = CUSTOS_FORMAT_JSON;
    else if (!strcmp(name, "auto"))
        *out = CUSTOS_FORMAT_AUTO;
    else
        return custos_error_set(CUSTOS_EINVAL, "unknown format '%s' (code10, csv or json)", name);
    return CUSTOS_OK;
}

int custos_reader_fail(custos_reader *r, custos_diags *d, int err, uint32_t line, int32_t entry,
                       int label, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->finished = true;
    custos_diag g = {CUSTOS_SEV_ERROR, r->src.name, line, entry, label, msg};
    char text[1024];
    custos_diag_format(text, sizeof text, &g);
    custos_error_set(err, "%s", text);
    if (custos_diags_add(d, CUSTOS_SEV_ERROR, r->src.name, line, entry, label, "%s", msg) < 0)
        return CUSTOS_ENOMEM;
    return err;
}

int custos_reader_take(custos_report **out, custos_reader *r, custos_diags *d)
{
    custos_report *rep = r->asm_.done;
    int errors = r->asm_.done_errors;
    r->asm_.done = NULL;
    r->asm_.done_errors = 0;
    if (errors == 0) {
        *out = rep;
        return 1;
    }
    custos_report_free(rep);
    r->finished = true;
    size_t n = custos_diags_count(d);
    char text[1024] = "invalid report";
    for (size_t i = 0; i < n; i++) {
        const custos_diag *g = custos_diags_get(d, i);
        if (g->severity == CUSTOS_SEV_ERROR) {
            custos_diag_format(text, sizeof text, g);
            break;
        }
    }
    return custos_error_set(CUSTOS_EINVAL, "%s", text);
}

/* Skip whitespace and a byte order mark, and look at the first bytes. */
static custos_format detect(custos_source *s)
{
    int c = custos_source_peek(s);
    while (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        custos_source_getc(s);
        c = custos_source_peek(s);
    }
    if (c == '{' || c == '[')
        return CUSTOS_FORMAT_JSON;
    if (c == 0xEF)
        return CUSTOS_FORMAT_CSV; /* a BOM: spreadsheets write it before CSV */
    /* Code 10 begins "LLL:"; CSV's header begins with a label name, then ','. */
    const unsigned char *p = s->buf ? s->buf + s->pos : s->mem + s->pos;
    size_t avail = s->len - s->pos;
    if (avail >= 4 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
        p[2] <= '9') {
        if (p[3] == ':')
            return CUSTOS_FORMAT_CODE10;
        if (p[3] == ',' || p[3] == '\n' || p[3] == '\r')
            return CUSTOS_FORMAT_CSV;
    }
    if (avail >= 6 && p[0] == '"' && p[4] == '"')
        return CUSTOS_FORMAT_CSV;
    return CUSTOS_FORMAT_AUTO;
}

static int open_common(custos_reader **out, custos_reader *r, custos_format f)
{
    int err = CUSTOS_OK;
    custos_assembler_init(&r->asm_, r->src.name);
    custos_buf_init(&r->field, CUSTOS_MAX_CSV_LINE + 16);
    if (f == CUSTOS_FORMAT_AUTO) {
        f = detect(&r->src);
        if (f == CUSTOS_FORMAT_AUTO) {
            if (r->src.error) {
                const char *what;
                err = custos_source_error(&r->src, &what);
                custos_error_set(err, "%s: %s", r->src.name, what);
            } else if (r->src.len == r->src.pos) {
                err = custos_error_set(CUSTOS_EINVAL, "%s:1: empty input", r->src.name);
            } else {
                err = custos_error_set(CUSTOS_EINVAL,
                                       "%s:1: not a report in Code 10 labelled, CSV or JSON form",
                                       r->src.name);
            }
            goto fail;
        }
    }
    r->format = f;
    *out = r;
    return CUSTOS_OK;
fail:
    custos_reader_free(r);
    *out = NULL;
    return err;
}

int custos_reader_open_file(custos_reader **out, const char *path, custos_format f)
{
    custos_reader *r = custos_calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return custos_error_nomem();
    int err = custos_source_open_file(&r->src, path);
    if (err < 0) {
        custos_free(r);
        return err;
    }
    return open_common(out, r, f);
}

int custos_reader_open_memory(custos_reader **out, const char *name, const void *data, size_t len,
                              custos_format f)
{
    custos_reader *r = custos_calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return custos_error_nomem();
    int err = custos_source_open_memory(&r->src, name, data, len);
    if (err < 0) {
        custos_free(r);
        return err;
    }
    return open_common(out, r, f);
}

void custos_reader_free(custos_reader *r)
{
    if (!r)
        return;
    custos_free(r->entry.note);
    custos_free(r->entry.own_desc);
    custos_assembler_dispose(&r->asm_);
    custos_buf_dispose(&r->field);
    custos_free(r->columns);
    json_decref(r->doc);
    custos_free(r->text);
    custos_free(r->object_lines);
    custos_diags_free(r->scratch);
    custos_source_dispose(&r->src);
    custos_free(r);
}

int custos_reader_next(custos_report **out, custos_reader *r, custos_diags *d)
{
    *out = NULL;
    if (r->finished)
        return 0;
    if (!d) {
        /* The caller keeps no diagnostics: collect this report's here so
         * the last error still names the first problem. */
        if (!r->scratch && custos_diags_new(&r->scratch) < 0) {
            r->finished = true;
            return CUSTOS_ENOMEM;
        }
        custos_diags_truncate(r->scratch, 0);
        d = r->scratch;
    }
    if (!r->started) {
        r->started = true;
        int err = CUSTOS_OK;
        if (r->format == CUSTOS_FORMAT_CSV)
            err = custos_csv_begin(r, d);
        else if (r->format == CUSTOS_FORMAT_JSON)
            err = custos_json_begin(r, d);
        if (err < 0) {
            r->finished = true;
            return err;
        }
    }
    int ret;
    switch (r->format) {
    case CUSTOS_FORMAT_CODE10: ret = custos_code10_next(out, r, d); break;
    case CUSTOS_FORMAT_CSV: ret = custos_csv_next(out, r, d); break;
    default: ret = custos_json_next(out, r, d); break;
    }
    if (ret <= 0) {
        r->finished = true;
        if (ret == CUSTOS_ENOMEM)
            custos_error_nomem();
    }
    return ret;
}

custos_format custos_reader_format(const custos_reader *r)
{
    return r->format;
}

const char *custos_reader_name(const custos_reader *r)
{
    return r->src.name;
}

uint64_t custos_reader_offset(const custos_reader *r)
{
    return custos_source_offset(&r->src);
}

uint64_t custos_reader_size(const custos_reader *r)
{
    return r->src.size;
}

/* ---- writers ---------------------------------------------------------- */

int custos_write_file(void *ctx, const char *data, size_t len)
{
    if (len && fwrite(data, 1, len, ctx) != len)
        return custos_error_set(CUSTOS_EIO, "write error");
    return CUSTOS_OK;
}

int custos_writer_new(custos_writer **out, custos_format f, custos_write_fn fn, void *ctx)
{
    *out = NULL;
    if (f == CUSTOS_FORMAT_AUTO)
        return custos_error_set(CUSTOS_EINVAL, "a writer needs a format");
    custos_writer *w = custos_calloc(1, sizeof *w);
    if (!w)
        return custos_error_nomem();
    w->format = f;
    w->fn = fn;
    w->ctx = ctx;
    custos_buf_init(&w->pending, (size_t)1 << 30);
    *out = w;
    return CUSTOS_OK;
}

int custos_writer_report(custos_writer *w, const custos_report *r)
{
    int err;
    switch (w->format) {
    case CUSTOS_FORMAT_CODE10: err = custos_code10_write(w, r); break;
    case CUSTOS_FORMAT_CSV: err = custos_csv_write(w, r); break;
    default: err = custos_json_write(w, r); break;
    }
    if (err >= 0)
        w->reports++;
    return err;
}

int custos_writer_finish(custos_writer *w)
{
    if (w->finished)
        return CUSTOS_OK;
    w->finished = true;
    if (w->format == CUSTOS_FORMAT_JSON)
        return custos_json_finish(w);
    return CUSTOS_OK;
}

void custos_writer_free(custos_writer *w)
{
    if (!w)
        return;
    custos_buf_dispose(&w->pending);
    custos_free(w);
}

int custos_report_canonical(char **out, size_t *len, const custos_report *r)
{
    custos_buf b;
    custos_writer w = {CUSTOS_FORMAT_CODE10, custos_buf_write_fn, &b, 0, false, {0}};
    custos_buf_init(&b, (size_t)4 << 30);
    *out = NULL;
    *len = 0;
    int err = custos_code10_write(&w, r);
    if (err >= 0)
        err = custos_buf_grow(&b, 0);
    if (err < 0) {
        custos_buf_dispose(&b);
        return err;
    }
    b.data[b.len] = '\0';
    *out = b.data;
    *len = b.len;
    return CUSTOS_OK;
}
