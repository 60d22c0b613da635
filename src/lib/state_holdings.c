/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state_holdings.c: what the ledger's books say a State holds, per MBA, in
 * the bases significant quantities are counted in (custos/state.h).
 *
 * Book inventory of an MBA = its latest PIL + every inventory change dated
 * after that PIT, with corrections applied (books.c).  Category changes
 * move weights between categories through custos_change_sign(); DI and
 * rebatching do not change the holding.  Exact int64 milligrams.
 */
#include <string.h>

#include "books.h"
#include "custos/state.h"
#include "internal.h"

/* Add entry e (sign applied per label) to h. */
static void add_entry(custos_holding *h, const custos_entry *e, const char *code)
{
    for (int i = 0; i < CUSTOS_NWEIGHTS; i++) {
        if (!(e->wmask >> i & 1u))
            continue;
        int label = custos_weight_label(i);
        int sign = code ? custos_change_sign(code, label) : 1;
        if (label == 600 && code) {
            /* Unified U: the sign follows the batch's category. */
            char cat = custos_book_category(e, 600);
            char tmp[3] = {code[0], code[1], '\0'};
            sign = custos_change_code_kind(code) == CUSTOS_CHANGE_CATEGORY
                       ? (cat == tmp[0]   ? -1
                          : cat == tmp[1] ? 1
                                          : 0)
                       : custos_change_sign(code, 630);
        }
        if (!sign)
            continue;
        int64_t v = sign * e->mg[i];
        switch (label) {
        case 700: h->mg[CUSTOS_STOCK_PU] += v; break;
        case 610: h->mg[CUSTOS_STOCK_NATURAL_U] += v; break;
        case 620: h->mg[CUSTOS_STOCK_DEPLETED_U] += v; break;
        case 800: h->mg[CUSTOS_STOCK_THORIUM] += v; break;
        case 640: h->mg[CUSTOS_STOCK_U233] += v; break;
        case 600: {
            char cat = custos_book_category(e, 600);
            if (cat == 'N')
                h->mg[CUSTOS_STOCK_NATURAL_U] += v;
            else if (cat == 'D')
                h->mg[CUSTOS_STOCK_DEPLETED_U] += v;
            break;
        }
        case 670: {
            /* HEU when U-235 is at least 20% of the enriched U element. */
            bool has;
            int64_t u = custos_entry_weight(e, 630, &has);
            if (!has)
                u = custos_entry_weight(e, 600, &has);
            bool heu = has && u > 0 && (double)e->mg[i] >= 0.2 * (double)u;
            h->mg[heu ? CUSTOS_STOCK_HEU : CUSTOS_STOCK_LEU] += v;
            break;
        }
        default: break;
        }
    }
}

static int one_mba(custos_ledger *l, const char *state, const char *mba, custos_holding *h,
                   bool *found)
{
    custos_book pil, icr;
    memset(&pil, 0, sizeof pil);
    memset(&icr, 0, sizeof icr);
    *found = false;
    int err = custos_book_load(&pil, l, state, mba, 'P');
    if (err < 0)
        goto done;
    custos_date pit = 0;
    for (size_t i = 0; i < pil.n; i++)
        if (pil.items[i].period_end > pit)
            pit = pil.items[i].period_end;
    if (!pit)
        goto done;
    if ((err = custos_book_load(&icr, l, state, mba, 'I')) < 0)
        goto done;
    memset(h, 0, sizeof *h);
    custos_strlcpy(h->state, state, sizeof h->state);
    custos_strlcpy(h->mba, mba, sizeof h->mba);
    h->pit = pit;
    h->as_of = pit;
    for (size_t i = 0; i < pil.n; i++)
        if (pil.items[i].period_end == pit)
            add_entry(h, &pil.items[i].e, NULL);
    for (size_t i = 0; i < icr.n; i++) {
        const custos_entry *e = &icr.items[i].e;
        if (e->change_date <= pit || custos_change_code_kind(e->code) == CUSTOS_CHANGE_NONE)
            continue;
        add_entry(h, e, e->code);
        if (e->change_date > h->as_of)
            h->as_of = e->change_date;
    }
    *found = true;
done:
    custos_book_dispose(&pil);
    custos_book_dispose(&icr);
    return err;
}

int custos_ledger_holdings(custos_holding **out, size_t *n, custos_ledger *l, const char *state)
{
    *out = NULL;
    *n = 0;
    char(*mbas)[8] = NULL;
    size_t nm = 0;
    int err = custos_book_mbas(l, NULL, &mbas, &nm);
    if (err < 0)
        return err;
    custos_holding *v = custos_calloc(nm ? nm : 1, sizeof *v);
    size_t cnt = 0;
    if (!v) {
        custos_free(mbas);
        return custos_error_nomem();
    }
    for (size_t i = 0; i < nm && err >= 0; i++) {
        if (state && strcmp(mbas[i], state))
            continue;
        bool found;
        err = one_mba(l, mbas[i], mbas[i] + 3, &v[cnt], &found);
        if (err >= 0 && found)
            cnt++;
    }
    custos_free(mbas);
    if (err < 0) {
        custos_free(v);
        return err;
    }
    *out = v;
    *n = cnt;
    return CUSTOS_OK;
}
