/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agreement.c: agreements in the ledger (custos/agreement.h): checking
 * and storing them as versioned documents of kind "agreement", loading
 * them back, and the accessors of the parsed form.
 *
 * The document store keeps the text exactly as given, so `custos verify`
 * hashes what the parties wrote, and every version stays.  The text is
 * parsed and checked before it is stored; a stored text is parsed again
 * whenever it is evaluated, so nothing derived from it can drift from it.
 * Evaluation walks the stored agreements and hands each commitment to
 * agreement_eval.c with the books loaded once per run (agreement_books.c).
 */
#include <stdio.h>
#include <string.h>

#include "agreementint.h"
#include "custos/document.h"
#include "custos/ledger.h"

const char *custos_agreement_name(const custos_agreement *a)
{
    return a->name;
}

const char *custos_agreement_title(const custos_agreement *a)
{
    return a->title ? a->title : "";
}

custos_date custos_agreement_suspended(const custos_agreement *a)
{
    return a->suspended;
}

size_t custos_agreement_commitment_count(const custos_agreement *a)
{
    return a->n;
}

int custos_agreement_commitment(custos_commitment_info *out, const custos_agreement *a, size_t i)
{
    if (i >= a->n)
        return custos_error_set(CUSTOS_ENOTFOUND, "agreement %s has %zu commitments, not %zu",
                                a->name, a->n, i + 1);
    const ag_commitment *c = &a->items[i];
    out->id = c->id;
    out->kind = custos_ag_kind_name(c->kind);
    out->title = c->title ? c->title : "";
    out->source = c->source ? c->source : "";
    out->start = c->from;
    out->deadline = c->until ? c->until : c->deadline;
    return CUSTOS_OK;
}

const char *custos_commitment_state_name(custos_commitment_state s)
{
    switch (s) {
    case CUSTOS_COMMITMENT_MET: return "met";
    case CUSTOS_COMMITMENT_AT_RISK: return "at risk";
    case CUSTOS_COMMITMENT_BREACHED: return "breached";
    }
    return "?";
}

int custos_ledger_agreement_add(custos_ledger *l, const char *source, const char *json, size_t len,
                                custos_diags *d, custos_document_ref *out)
{
    custos_agreement *a = NULL;
    char *prev = NULL;
    int err = custos_agreement_parse(&a, source, json, len, d);
    if (err < 0)
        return err;
    /* The same text again is not a new version. */
    size_t plen = 0;
    custos_document_ref ref;
    err = custos_ledger_document_load(&prev, &plen, &ref, l, CUSTOS_AGREEMENT_KIND, a->name, 0);
    if (err == CUSTOS_OK && plen == len && !memcmp(prev, json, len)) {
        if (out)
            *out = ref;
        err = custos_error_set(CUSTOS_EEXISTS, "agreement %s is already stored as version %d",
                               a->name, ref.version);
        goto done;
    }
    if (err < 0 && err != CUSTOS_ENOTFOUND)
        goto done;
    custos_clear_error();
    err = custos_ledger_document_add(l, CUSTOS_AGREEMENT_KIND, a->name, source, json, len, out);
done:
    custos_free(prev);
    custos_agreement_free(a);
    return err;
}

int custos_ledger_agreement_load(custos_agreement **out, custos_document_ref *ref, custos_ledger *l,
                                 const char *name, int version)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    custos_document_ref r;
    int err = custos_ledger_document_load(&text, &len, &r, l, CUSTOS_AGREEMENT_KIND, name, version);
    if (err < 0)
        return err;
    char src[CUSTOS_DOC_NAME_MAX + 40];
    snprintf(src, sizeof src, "agreement %s version %d", r.name, r.version);
    custos_agreement *a = NULL;
    err = custos_agreement_parse(&a, src, text, len, NULL);
    custos_free(text);
    if (err < 0)
        return err;
    *out = a;
    if (ref)
        *ref = r;
    return CUSTOS_OK;
}

void custos_commitment_statuses_free(custos_commitment_statuses *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        custos_free(s->items[i].entries);
    custos_free(s->items);
    custos_free(s);
}

/* ---- Evaluation: every commitment of the agreements --------------------- */

static int latest_date(custos_ledger *l, custos_date *out)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(custos_ledger_db(l), "SELECT coalesce(max(period_end), 0) FROM reports",
                           -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    int err = CUSTOS_OK;
    if (sqlite3_step(s) == SQLITE_ROW)
        *out = (custos_date)sqlite3_column_int(s, 0);
    else
        err = custos_ledger_sqlerr(l, "latest report");
    sqlite3_finalize(s);
    return err;
}

typedef struct slist {
    custos_commitment_statuses *s;
    size_t cap;
} slist;

static int eval_agreement(ag_ctx *x, slist *out, const custos_agreement *a, int version,
                          custos_date as_of)
{
    int err = CUSTOS_OK;
    for (size_t i = 0; i < a->n && err >= 0; i++) {
        const ag_commitment *c = &a->items[i];
        if (out->s->n == out->cap) {
            size_t nc = out->cap ? out->cap * 2 : 16;
            custos_commitment_status *p = custos_realloc(out->s->items, nc * sizeof *p);
            if (!p)
                return custos_error_nomem();
            out->s->items = p;
            out->cap = nc;
        }
        custos_commitment_status *st = &out->s->items[out->s->n];
        memset(st, 0, sizeof *st);
        custos_strlcpy(st->agreement, a->name, sizeof st->agreement);
        st->version = version;
        custos_strlcpy(st->id, c->id, sizeof st->id);
        custos_strlcpy(st->kind, custos_ag_kind_name(c->kind), sizeof st->kind);
        custos_strlcpy(st->title, c->title ? c->title : "", sizeof st->title);
        st->progress = st->projected = AG_NA;
        st->start = c->from;
        st->deadline = c->until ? c->until : c->deadline;
        st->suspended = a->suspended;
        /* A suspended agreement binds up to its suspension. */
        custos_date t = a->suspended && a->suspended < as_of ? a->suspended : as_of;
        st->as_of = t;
        ag_entries L = {0};
        err = custos_ag_evaluate_one(x, c, t, st, &L);
        if (err < 0) {
            custos_free(L.v);
            break;
        }
        st->entries = L.v;
        st->nentries = L.n;
        st->entries_total = L.total;
        out->s->n++;
    }
    return err;
}

static int run(custos_commitment_statuses **out, custos_ledger *l, const custos_agreement *one,
               const custos_agreement_options *opt)
{
    *out = NULL;
    ag_ctx x;
    custos_document_ref *docs = NULL;
    size_t ndocs = 0;
    slist sl = {custos_calloc(1, sizeof *sl.s), 0};
    if (!sl.s)
        return custos_error_nomem();
    int err = custos_ag_ctx_init(&x, l);
    custos_date as_of = opt && opt->as_of ? opt->as_of : 0;
    if (err >= 0 && !as_of)
        err = latest_date(l, &as_of);
    if (err < 0)
        goto done;
    if (one) {
        err = eval_agreement(&x, &sl, one, 0, as_of);
        goto done;
    }
    if ((err = custos_ledger_documents(&docs, &ndocs, l, CUSTOS_AGREEMENT_KIND)) < 0)
        goto done;
    bool found = false;
    for (size_t i = 0; i < ndocs && err >= 0; i++) {
        if (opt && opt->name && strcmp(opt->name, docs[i].name))
            continue;
        found = true;
        custos_agreement *a = NULL;
        custos_document_ref ref;
        if ((err = custos_ledger_agreement_load(&a, &ref, l, docs[i].name, docs[i].version)) < 0)
            break;
        err = eval_agreement(&x, &sl, a, ref.version, as_of);
        custos_agreement_free(a);
    }
    if (err >= 0 && opt && opt->name && !found)
        err = custos_error_set(CUSTOS_ENOTFOUND, "no agreement '%s' is stored", opt->name);
done:
    custos_free(docs);
    custos_ag_ctx_dispose(&x);
    if (err < 0) {
        custos_commitment_statuses_free(sl.s);
        return err;
    }
    *out = sl.s;
    return CUSTOS_OK;
}

int custos_agreements_evaluate(custos_commitment_statuses **out, custos_ledger *l,
                               const custos_agreement_options *opt)
{
    return run(out, l, NULL, opt);
}

int custos_agreement_evaluate(custos_commitment_statuses **out, custos_ledger *l,
                              const custos_agreement *a, const custos_agreement_options *opt)
{
    return run(out, l, a, opt);
}
