/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.c: the JSON form of reports (jansson).
 *
 * A document is one report object or an array of them:
 *
 *   {"state": "XA", "report": 123, "date": "20260131", "encoder": "SMITH,J",
 *    "type": "I", "period": "20260101/20260131", "facility": "FAC1",
 *    "mba": "XAFF",
 *    "entries": [{"kind": "OI", "002": "1/2", "309": "N", ...,
 *                 "630": "1462500G", "670": "64350G"}, ...]}
 *
 * Report-level values are the Code 10 contents of the header labels
 * (001 State and number, 003, 006, 010, 015, 207, 307); entry keys are the
 * other labels with their Code 10 contents as strings, so JSON carries
 * exactly what the labelled form carries.  jansson keeps no positions, so
 * the reader finds the line of every object with a scan of the text: the
 * n-th '{' outside strings is the n-th object of a pre-order walk.
 */
#include <stdio.h>
#include <string.h>

#include "readerint.h"

static int scan_lines(custos_reader *r)
{
    size_t cap = 64, n = 0;
    uint32_t *lines = custos_malloc(cap * sizeof *lines);
    if (!lines)
        return custos_error_nomem();
    uint32_t line = 1;
    bool instr = false, esc = false;
    for (size_t i = 0; i < r->textlen; i++) {
        char c = r->text[i];
        if (c == '\n')
            line++;
        if (instr) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                instr = false;
            continue;
        }
        if (c == '"') {
            instr = true;
        } else if (c == '{') {
            if (n == cap) {
                uint32_t *p = custos_realloc(lines, cap * 2 * sizeof *p);
                if (!p) {
                    custos_free(lines);
                    return custos_error_nomem();
                }
                lines = p;
                cap *= 2;
            }
            lines[n++] = line;
        }
    }
    r->object_lines = lines;
    r->nobject_lines = n;
    return CUSTOS_OK;
}

int custos_json_begin(custos_reader *r, custos_diags *d)
{
    int err = custos_source_slurp(&r->src, (size_t)CUSTOS_MAX_JSON_FILE, &r->text, &r->textlen);
    if (err < 0)
        return custos_reader_fail(r, d, err, 0, 0, 0, "%s", custos_last_error());
    json_error_t je;
    r->doc = custos_json_loadb(r->text, r->textlen, JSON_REJECT_DUPLICATES, &je, &err);
    if (err == CUSTOS_ENOMEM)
        return custos_reader_fail(r, d, CUSTOS_ENOMEM, 0, 0, 0, "out of memory");
    if (!r->doc)
        return custos_reader_fail(r, d, CUSTOS_EINVAL, je.line > 0 ? (uint32_t)je.line : 0, 0, 0,
                                  "JSON: %s", je.text);
    if (!json_is_object(r->doc) && !json_is_array(r->doc))
        return custos_reader_fail(r, d, CUSTOS_EINVAL, 1, 0, 0,
                                  "JSON document is not a report object or an array of them");
    return scan_lines(r);
}

static uint32_t object_line(custos_reader *r)
{
    size_t i = r->object_index++;
    return i < r->nobject_lines ? r->object_lines[i] : 0;
}

static const struct {
    const char *key;
    int label;
} report_keys[] = {
    {"date", 3}, {"encoder", 6}, {"type", 10}, {"period", 15}, {"facility", 207}, {"mba", 307},
};

static int parse_report(custos_report **out, custos_reader *r, json_t *obj, custos_diags *d)
{
    char msg[256];
    int err;
    uint32_t line = object_line(r);
    if (!json_is_object(obj))
        return custos_reader_fail(r, d, CUSTOS_EINVAL, line, 0, 0, "report is not a JSON object");
    json_t *state = json_object_get(obj, "state");
    json_t *number = json_object_get(obj, "report");
    json_t *entries = json_object_get(obj, "entries");
    if (!json_is_string(state) || !json_is_integer(number) || !json_is_array(entries))
        return custos_reader_fail(r, d, CUSTOS_EINVAL, line, 0, 1,
                                  "report object needs \"state\" (string), \"report\" (integer) "
                                  "and \"entries\" (array)");
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) {
        bool known = !strcmp(key, "state") || !strcmp(key, "report") || !strcmp(key, "entries");
        for (size_t i = 0; i < sizeof report_keys / sizeof report_keys[0]; i++)
            if (!strcmp(key, report_keys[i].key)) {
                known = true;
                if (!json_is_string(val))
                    return custos_reader_fail(r, d, CUSTOS_EINVAL, line, 0, report_keys[i].label,
                                              "\"%s\" is not a string", key);
            }
        if (!known)
            return custos_reader_fail(r, d, CUSTOS_EINVAL, line, 0, 0,
                                      "unknown key \"%.40s\" in a report object", key);
    }
    char ref[64];
    snprintf(ref, sizeof ref, "OI/%.8s;%lld", json_string_value(state),
             (long long)json_integer_value(number));
    custos_hdr base;
    custos_entry scratch;
    memset(&base, 0, sizeof base);
    memset(&scratch, 0, sizeof scratch);
    if (custos_field_parse(&scratch, &base, 1, ref, strlen(ref), msg, sizeof msg) < 0)
        return custos_reader_fail(r, d, CUSTOS_EINVAL, line, 0, 1, "%s", msg);
    int report_errors = 0;
    for (size_t i = 0; i < sizeof report_keys / sizeof report_keys[0]; i++) {
        json_t *v = json_object_get(obj, report_keys[i].key);
        if (!v)
            continue;
        const char *s = json_string_value(v);
        if (custos_field_parse(&scratch, &base, report_keys[i].label, s, json_string_length(v), msg,
                               sizeof msg) < 0) {
            report_errors++;
            if ((err = custos_diags_add(d, CUSTOS_SEV_ERROR, r->src.name, line, 0,
                                        report_keys[i].label, "%s", msg)) < 0)
                return err;
        }
    }
    size_t n = json_array_size(entries);
    if (n > CUSTOS_MAX_ENTRIES)
        return custos_reader_fail(r, d, CUSTOS_ETOOBIG, line, 0, 0,
                                  "report has more than %d entries (limit)", CUSTOS_MAX_ENTRIES);
    for (size_t i = 0; i < n; i++) {
        json_t *eo = json_array_get(entries, i);
        uint32_t eline = json_is_object(eo) ? object_line(r) : line;
        if (!json_is_object(eo))
            return custos_reader_fail(r, d, CUSTOS_EINVAL, line, 0, 0,
                                      "entry %zu is not a JSON object", i + 1);
        json_t *kind = json_object_get(eo, "kind");
        const char *ks = json_string_value(kind);
        if (!ks || (strcmp(ks, "OI") && strcmp(ks, "NC")))
            return custos_reader_fail(r, d, CUSTOS_EINVAL, eline, 0, 1,
                                      "entry %zu has no \"kind\" of \"OI\" or \"NC\"", i + 1);
        custos_hdr h = base;
        custos_entry e;
        memset(&e, 0, sizeof e);
        e.line = eline;
        e.kind = ks[0] == 'O' ? 'O' : 'N';
        h.kind = e.kind;
        if (e.kind == 'N')
            h.present &= (1u << CUSTOS_L001) | (1u << CUSTOS_L003) | (1u << CUSTOS_L207) |
                         (1u << CUSTOS_L307);
        int errors = 0;
        json_object_foreach(eo, key, val) {
            if (!strcmp(key, "kind"))
                continue;
            int label = 0;
            bool ok = strlen(key) == 3;
            for (int k = 0; ok && k < 3; k++) {
                ok = key[k] >= '0' && key[k] <= '9';
                label = label * 10 + (key[k] - '0');
            }
            if (!ok || custos_field_is_header(label)) {
                errors++;
                if ((err = custos_diags_add(d, CUSTOS_SEV_ERROR, r->src.name, eline, e.number, 0,
                                            ok ? "header label %.3s belongs in the report object"
                                               : "unknown key \"%.40s\" in an entry",
                                            key)) < 0)
                    goto fail;
                continue;
            }
            if (!json_is_string(val)) {
                errors++;
                if ((err = custos_diags_add(d, CUSTOS_SEV_ERROR, r->src.name, eline, e.number,
                                            label, "value is not a string")) < 0)
                    goto fail;
                continue;
            }
            int pe = custos_field_parse(&e, &h, label, json_string_value(val),
                                        json_string_length(val), msg, sizeof msg);
            if (pe == CUSTOS_ENOMEM) {
                err = pe;
                goto fail;
            }
            if (pe < 0) {
                errors++;
                if ((err = custos_diags_add(d, CUSTOS_SEV_ERROR, r->src.name, eline, e.number,
                                            label, "%s", msg)) < 0)
                    goto fail;
            }
        }
        if ((err = custos_assembler_add(&r->asm_, &h, &e, d)) < 0)
            goto fail;
        r->asm_.errors += errors + (i == 0 ? report_errors : 0);
        continue;
    fail:
        custos_free(e.note);
        custos_free(e.own_desc);
        return err;
    }
    if (n == 0)
        return custos_reader_fail(r, d, CUSTOS_EINVAL, line, 0, 0, "report has no entries");
    custos_assembler_finish(&r->asm_);
    (void)out;
    return CUSTOS_OK;
}

int custos_json_next(custos_report **out, custos_reader *r, custos_diags *d)
{
    for (;;) {
        if (r->asm_.done)
            return custos_reader_take(out, r, d);
        json_t *obj;
        if (json_is_object(r->doc)) {
            if (r->next_report > 0)
                return 0;
            obj = r->doc;
        } else {
            if (r->next_report >= json_array_size(r->doc))
                return 0;
            obj = json_array_get(r->doc, r->next_report);
        }
        r->next_report++;
        int err = parse_report(out, r, obj, d);
        if (err < 0)
            return err;
    }
}

/* jansson's parser cannot always tell an allocation failure from bad
 * input, and may return a partial document after one: count the failures
 * (internal.h). */
json_t *custos_json_loadb(const char *text, size_t len, size_t flags, json_error_t *je,
                          int *err)
{
    unsigned long failed = custos_alloc_failures();
    json_t *doc = json_loadb(text, len, flags, je);
    if (custos_alloc_failures() != failed) {
        json_decref(doc);
        *err = custos_error_nomem();
        return NULL;
    }
    *err = doc ? CUSTOS_OK : CUSTOS_EINVAL;
    return doc;
}

/* jansson 2.14 ignores an allocation failure while it writes an object's
 * key and goes on, returning text with the key missing: count the
 * failures instead of trusting the result. */
char *custos_json_dumps(const struct json_t *o, size_t flags)
{
    unsigned long failed = custos_alloc_failures();
    char *s = json_dumps(o, flags);
    if (!s || custos_alloc_failures() != failed) {
        custos_free(s);
        custos_error_nomem();
        return NULL;
    }
    return s;
}

/* ---- writer ----------------------------------------------------------- */

static int add_str(json_t *o, const char *key, const char *s, size_t n)
{
    json_t *v = json_stringn(s, n);
    if (!v || json_object_set_new(o, key, v) < 0)
        return custos_error_nomem();
    return CUSTOS_OK;
}

static int dump(custos_buf *b, json_t *v)
{
    char *s = custos_json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (!s)
        return CUSTOS_ENOMEM;
    int err = custos_buf_puts(b, s);
    custos_free(s);
    return err;
}

static int write_report(custos_buf *b, const custos_report *r)
{
    char value[CUSTOS_FIELD_BUF], key[4];
    int err = CUSTOS_OK;
    json_t *head = json_object(), *e = NULL;
    if (!head)
        return custos_error_nomem();
    if ((err = add_str(head, "state", r->state, strlen(r->state))) < 0)
        goto done;
    json_t *num = json_integer(r->number);
    if (!num || json_object_set_new(head, "report", num) < 0) {
        err = custos_error_nomem();
        goto done;
    }
    custos_entry probe;
    memset(&probe, 0, sizeof probe);
    probe.kind = 'O';
    for (size_t i = 0; i < sizeof report_keys / sizeof report_keys[0]; i++) {
        size_t n = custos_field_format(r, &probe, report_keys[i].label, value, sizeof value);
        if (n && (err = add_str(head, report_keys[i].key, value, n)) < 0)
            goto done;
    }
    /* The head without its closing brace, then the entries one per line. */
    custos_buf hb;
    custos_buf_init(&hb, 1 << 16);
    if ((err = dump(&hb, head)) < 0) {
        custos_buf_dispose(&hb);
        goto done;
    }
    hb.data[--hb.len] = '\0';
    err = custos_buf_append(b, hb.data, hb.len);
    custos_buf_dispose(&hb);
    if (err < 0 || (err = custos_buf_puts(b, ",\"entries\":[\n")) < 0)
        goto done;
    for (size_t i = 0; i < r->n; i++) {
        const custos_entry *en = &r->entries[i];
        e = json_object();
        if (!e) {
            err = custos_error_nomem();
            goto done;
        }
        if ((err = add_str(e, "kind", en->kind == 'O' ? "OI" : "NC", 2)) < 0)
            goto done;
        for (const int *lp = custos_field_order; *lp; lp++) {
            if (custos_field_is_header(*lp) || !custos_field_allowed(en->kind, *lp))
                continue;
            size_t n = custos_field_format(r, en, *lp, value, sizeof value);
            if (!n)
                continue;
            snprintf(key, sizeof key, "%03d", *lp);
            if ((err = add_str(e, key, value, n)) < 0)
                goto done;
        }
        if ((err = dump(b, e)) < 0 || (err = custos_buf_puts(b, i + 1 < r->n ? ",\n" : "\n")) < 0)
            goto done;
        json_decref(e);
        e = NULL;
    }
    err = custos_buf_puts(b, "]}");
done:
    json_decref(e);
    json_decref(head);
    return err;
}

int custos_json_write(custos_writer *w, const custos_report *r)
{
    custos_buf b;
    int err;
    custos_buf_init(&b, (size_t)1 << 30);
    if ((err = write_report(&b, r)) < 0)
        goto done;
    if (w->reports == 0) {
        /* Held back: a single report is written bare, several in an array. */
        err = custos_buf_append(&w->pending, b.data, b.len);
        goto done;
    }
    if (w->reports == 1) {
        if ((err = w->fn(w->ctx, "[\n", 2)) < 0 ||
            (err = w->fn(w->ctx, w->pending.data, w->pending.len)) < 0)
            goto done;
        custos_buf_dispose(&w->pending);
    }
    if ((err = w->fn(w->ctx, ",\n", 2)) < 0 || (err = w->fn(w->ctx, b.data, b.len)) < 0)
        goto done;
done:
    custos_buf_dispose(&b);
    return err;
}

int custos_json_finish(custos_writer *w)
{
    if (w->reports == 1) {
        int err = w->fn(w->ctx, w->pending.data, w->pending.len);
        return err < 0 ? err : w->fn(w->ctx, "\n", 1);
    }
    if (w->reports > 1)
        return w->fn(w->ctx, "\n]\n", 3);
    return w->fn(w->ctx, "[]\n", 3);
}
