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
