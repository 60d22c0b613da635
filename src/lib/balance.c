/* SPDX-License-Identifier: Apache-2.0 */
/*
 * balance.c: closing material balances from the effective books, and
 * comparing them with the operator's MBRs.
 *
 * Quantities are kept per element category (N D E P T) and slot: slot 20
 * is the element weight, slots 0-19 the isotope or fissile weight labels
 * by their index.  All sums are exact int64 milligrams; a State's whole
 * inventory is far below 2^63 mg (9.2e9 t), but hostile reports are not,
 * so every sum is checked (custos_mg_add()) and a balance that leaves the
 * range is refused with CUSTOS_EDOMAIN rather than wrapped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books.h"
#include "custos/balance.h"

#define NCAT 5
#define NSLOT 21
#define ELEMENT_SLOT 20

static const char cats[NCAT] = {'N', 'D', 'E', 'P', 'T'};

static int cat_index(char c)
{
    for (int i = 0; i < NCAT; i++)
        if (cats[i] == c)
            return i;
    return -1;
}

static int code_index(const char *code)
{
    for (int i = 0; i < CUSTOS_NCODES; i++)
        if (!strcmp(custos_change_code_at(i), code))
            return i;
    return -1;
}

static int slot_of(int widx)
{
    return custos_weight_is_element(custos_weight_label(widx)) ? ELEMENT_SLOT : widx;
}

/* Sums for one period. */
typedef struct acc {
    int64_t v[NCAT][NSLOT];
    bool used[NCAT][NSLOT];
    bool overflow; /* a sum left the int64 range */
} acc;

typedef struct period_acc {
    acc pb, pe, di;
    int64_t change[NCAT][NSLOT][CUSTOS_NCODES];
    uint32_t inc[NCAT][NSLOT], dec[NCAT][NSLOT];
    bool used[NCAT][NSLOT];
    int64_t entries;
    bool overflow;
} period_acc;

/* *sum += v, recording an overflow in *overflow. */
static void add(int64_t *sum, int64_t v, bool *overflow)
{
    if (!custos_mg_add(sum, v))
        *overflow = true;
}

static int out_of_range(const char *state, const char *mba, custos_date lo, custos_date hi)
{
    return custos_error_set(CUSTOS_EDOMAIN,
                            "MBA %s/%s balance %d/%d: weights add up beyond %s g, the range "
                            "custos keeps exactly",
                            state, mba, (int)custos_date_add(lo, 1), (int)hi, CUSTOS_MG_RANGE);
}

static void add_pil(acc *a, const custos_entry *e)
{
    for (int i = 0; i < CUSTOS_NWEIGHTS; i++) {
        if (!(e->wmask >> i & 1u))
            continue;
        int c = cat_index(custos_book_category(e, custos_weight_label(i)));
        if (c < 0)
            continue;
        int s = slot_of(i);
        add(&a->v[c][s], e->mg[i], &a->overflow);
        a->used[c][s] = true;
    }
}

static int cmp_date(const void *a, const void *b)
{
    custos_date x = *(const custos_date *)a, y = *(const custos_date *)b;
    return x < y ? -1 : x > y;
}

typedef struct out_list {
    custos_balances *b;
    size_t cap;
} out_list;

static int push(out_list *o, const custos_balance *bal)
{
    if (o->b->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 64;
        custos_balance *p = custos_realloc(o->b->items, cap * sizeof *p);
        if (!p)
            return custos_error_nomem();
        o->b->items = p;
        o->cap = cap;
    }
    o->b->items[o->b->n++] = *bal;
    return CUSTOS_OK;
}

static const char *quantity_name(char cat, int slot, char buf[48])
{
    if (slot == ELEMENT_SLOT) {
        static const char *names[] = {"natural U", "depleted U", "enriched U", "Pu", "Th"};
        snprintf(buf, 48, "%s", names[cat_index(cat)]);
    } else {
        snprintf(buf, 48, "%s %s (%03d)", (const char[][3]){"N", "D", "E", "P", "T"}[cat_index(cat)],
                 custos_weight_name(custos_weight_label(slot)), custos_weight_label(slot));
    }
    return buf;
}

enum { M_PB, M_BE, M_BA, M_PE, M_MF, M_DI, M_NLINES };

/* Compare the operator's MBR lines of one report with the books. */
static int compare_mbr(const custos_book *mbr, int64_t report, custos_balance *first,
                       size_t nbal, custos_diags *findings)
{
    static const char *const line_names[M_NLINES] = {"PB", "BE", "BA", "PE", "MF", "DI"};
    int64_t line[M_NLINES][NCAT][NSLOT];
    bool has_line[M_NLINES][NCAT][NSLOT];
    int64_t ic[CUSTOS_NCODES][NCAT][NSLOT];
    bool has_ic[CUSTOS_NCODES][NCAT][NSLOT];
    bool overflow = false;
    memset(line, 0, sizeof line);
    memset(has_line, 0, sizeof has_line);
    memset(ic, 0, sizeof ic);
    memset(has_ic, 0, sizeof has_ic);
    for (size_t i = 0; i < mbr->n; i++) {
        const custos_book_entry *be = &mbr->items[i];
        if (be->key_report != report)
            continue;
        const custos_entry *e = &be->e;
        int li = -1;
        for (int k = 0; k < M_NLINES; k++)
            if (!strcmp(e->code, line_names[k]))
                li = k;
        int ci = li < 0 ? code_index(e->code) : -1;
        for (int w = 0; w < CUSTOS_NWEIGHTS; w++) {
            if (!(e->wmask >> w & 1u))
                continue;
            int c = cat_index(custos_book_category(e, custos_weight_label(w)));
            if (c < 0)
                continue;
            int s = slot_of(w);
            if (li >= 0) {
                add(&line[li][c][s], e->mg[w], &overflow);
                has_line[li][c][s] = true;
            } else if (ci >= 0) {
                add(&ic[ci][c][s], e->mg[w], &overflow);
                has_ic[ci][c][s] = true;
            }
        }
    }
    if (overflow && nbal > 0)
        return out_of_range(first->state, first->mba, first->pit_begin, first->end);
    char a[32], b[32], q[48];
    for (size_t k = 0; k < nbal; k++) {
        custos_balance *bal = &first[k];
        int c = cat_index(bal->element);
        int s = bal->label ? custos_weight_index(bal->label) : ELEMENT_SLOT;
        bal->mbr_report = report;
        struct {
            int line;
            int64_t books;
        } checks[] = {{M_PB, bal->pb}, {M_BA, bal->ba}, {M_PE, bal->pe}, {M_MF, bal->muf},
                      {M_DI, bal->di}};
        for (size_t t = 0; t < sizeof checks / sizeof checks[0]; t++) {
            int li = checks[t].line;
            int64_t rep = line[li][c][s];
            bool given = has_line[li][c][s];
            if (rep == checks[t].books && (given || li == M_DI || checks[t].books == 0))
                continue;
            custos_grams_format(a, rep);
            custos_grams_format(b, checks[t].books);
            bal->mbr_differences++;
            custos_diags_add(findings, CUSTOS_SEV_FINDING, "", 0, 0, bal->label ? bal->label : 0,
                             "MBA %s/%s balance %d/%d: operator MBR %s;%lld gives %s of %s %s %s g, "
                             "the books %s g",
                             bal->state, bal->mba, (int)bal->start, (int)bal->end, bal->state,
                             (long long)report, line_names[li], quantity_name(bal->element, s, q),
                             given ? "as" : "missing:", given ? a : "0.000", b);
        }
        for (int ci = 0; ci < CUSTOS_NCODES; ci++) {
            int64_t books = bal->change[ci];
            int64_t rep = ic[ci][c][s];
            if (rep == books && (has_ic[ci][c][s] || books == 0))
                continue;
            if (!strcmp(custos_change_code_at(ci), "DI") || !strcmp(custos_change_code_at(ci), "RM") ||
                !strcmp(custos_change_code_at(ci), "RP"))
                continue;
            custos_grams_format(a, rep);
            custos_grams_format(b, books);
            bal->mbr_differences++;
            custos_diags_add(findings, CUSTOS_SEV_FINDING, "", 0, 0, bal->label,
                             "MBA %s/%s balance %d/%d: operator MBR %s;%lld gives %s of %s as %s g, "
                             "the books %s g",
                             bal->state, bal->mba, (int)bal->start, (int)bal->end, bal->state,
                             (long long)report, custos_change_code_at(ci),
                             quantity_name(bal->element, s, q), a, b);
        }
    }
    return CUSTOS_OK;
}

static int balance_mba(out_list *o, custos_ledger *l, const char *state, const char *mba,
                       custos_diags *findings)
{
    custos_book pil = {0}, icr = {0}, mbr = {0};
    custos_date *pits = NULL;
    period_acc *pa = NULL;
    acc *pit_sums = NULL;
    int err;
    if ((err = custos_book_load(&pil, l, state, mba, 'P')) < 0 ||
        (err = custos_book_load(&icr, l, state, mba, 'I')) < 0 ||
        (err = custos_book_load(&mbr, l, state, mba, 'M')) < 0)
        goto done;
    /* PIT dates: the PIL reports of the MBA, also the empty ones (their
     * only entry is invalid and so absent from the books). */
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(custos_ledger_db(l),
                           "SELECT DISTINCT period_end FROM reports WHERE state=?1 AND mba=?2 AND "
                           "type='P' ORDER BY period_end",
                           -1, &s, NULL) != SQLITE_OK) {
        err = custos_ledger_sqlerr(l, "prepare");
        goto done;
    }
    sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, mba, -1, SQLITE_STATIC);
    size_t npits = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (npits == cap) {
            cap = cap ? cap * 2 : 16;
            custos_date *p = custos_realloc(pits, cap * sizeof *p);
            if (!p) {
                err = custos_error_nomem();
                break;
            }
            pits = p;
        }
        pits[npits++] = (custos_date)sqlite3_column_int(s, 0);
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "PIT dates");
    sqlite3_finalize(s);
    if (err < 0)
        goto done;
    /* No PIT or one (an MBA with only textual reports, say): no period to
     * close, and pits may be NULL, which qsort must not be given. */
    if (npits < 2)
        goto mbr_only;
    qsort(pits, npits, sizeof *pits, cmp_date);
    pit_sums = custos_calloc(npits, sizeof *pit_sums);
    pa = custos_calloc(1, sizeof *pa);
    if (!pit_sums || !pa) {
        err = custos_error_nomem();
        goto done;
    }
    for (size_t i = 0; i < pil.n; i++) {
        custos_date d = pil.items[i].period_end;
        custos_date *p = bsearch(&d, pits, npits, sizeof *pits, cmp_date);
        if (p)
            add_pil(&pit_sums[p - pits], &pil.items[i].e);
    }
    for (size_t k = 1; k < npits; k++) {
        custos_date lo = pits[k - 1], hi = pits[k];
        memset(pa, 0, sizeof *pa);
        pa->pb = pit_sums[k - 1];
        pa->pe = pit_sums[k];
        for (int c = 0; c < NCAT; c++)
            for (int q = 0; q < NSLOT; q++)
                pa->used[c][q] = pa->pb.used[c][q] || pa->pe.used[c][q];
        for (size_t i = 0; i < icr.n; i++) {
            const custos_entry *e = &icr.items[i].e;
            if (e->change_date <= lo || e->change_date > hi)
                continue;
            int ci = code_index(e->code);
            if (ci < 0)
                continue;
            custos_change_kind kind = custos_change_code_kind(e->code);
            if (kind == CUSTOS_CHANGE_REBATCH)
                continue;
            pa->entries++;
            for (int w = 0; w < CUSTOS_NWEIGHTS; w++) {
                if (!(e->wmask >> w & 1u))
                    continue;
                int label = custos_weight_label(w);
                int c = cat_index(custos_book_category(e, label));
                if (c < 0)
                    continue;
                int q = slot_of(w);
                pa->used[c][q] = true;
                if (kind == CUSTOS_CHANGE_DIFFERENCE) {
                    add(&pa->di.v[c][q], e->mg[w], &pa->overflow);
                    add(&pa->change[c][q][ci], e->mg[w], &pa->overflow);
                    pa->dec[c][q] |= 1u << ci;
                    continue;
                }
                int sign = custos_change_sign(e->code, label);
                if (sign == 0)
                    continue;
                add(&pa->change[c][q][ci], e->mg[w], &pa->overflow);
                if (sign > 0)
                    pa->inc[c][q] |= 1u << ci;
                else
                    pa->dec[c][q] |= 1u << ci;
            }
        }
        bool overflow = pa->overflow || pa->pb.overflow || pa->pe.overflow;
        size_t first = o->b->n;
        for (int c = 0; c < NCAT && !overflow; c++) {
            static const int order[NSLOT] = {20, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                             11, 12, 13, 14, 15, 16, 17, 18, 19};
            for (int oi = 0; oi < NSLOT; oi++) {
                int q = order[oi];
                if (!pa->used[c][q])
                    continue;
                custos_balance b;
                memset(&b, 0, sizeof b);
                custos_strlcpy(b.state, state, sizeof b.state);
                custos_strlcpy(b.mba, mba, sizeof b.mba);
                b.pit_begin = lo;
                b.start = custos_date_add(lo, 1);
                b.end = hi;
                b.element = cats[c];
                b.label = q == ELEMENT_SLOT ? 0 : custos_weight_label(q);
                b.pb = pa->pb.v[c][q];
                b.pe = pa->pe.v[c][q];
                b.di = pa->di.v[c][q];
                int64_t ba = b.pb;
                for (int ci = 0; ci < CUSTOS_NCODES; ci++) {
                    b.change[ci] = pa->change[c][q][ci];
                    if (pa->inc[c][q] >> ci & 1u)
                        overflow |= !custos_mg_add(&ba, b.change[ci]);
                    else if ((pa->dec[c][q] >> ci & 1u) &&
                             custos_change_code_kind(custos_change_code_at(ci)) !=
                                 CUSTOS_CHANGE_DIFFERENCE)
                        overflow |= !custos_mg_sub(&ba, b.change[ci]);
                }
                overflow |= !custos_mg_sub(&ba, b.di);
                b.ba = ba;
                b.muf = ba;
                overflow |= !custos_mg_sub(&b.muf, b.pe);
                if (overflow)
                    break;
                b.inc_mask = pa->inc[c][q];
                b.dec_mask = pa->dec[c][q];
                b.entries = pa->entries;
                if ((err = push(o, &b)) < 0)
                    goto done;
            }
        }
        if (overflow) {
            err = out_of_range(state, mba, lo, hi);
            goto done;
        }
        /* The operator's MBR for this period. */
        int64_t found = 0;
        for (size_t i = 0; i < mbr.n; i++)
            if (mbr.items[i].period_end == hi) {
                found = mbr.items[i].key_report;
                break;
            }
        if (found) {
            if ((err = compare_mbr(&mbr, found, o->b->items + first, o->b->n - first, findings)) < 0)
                goto done;
        } else {
            custos_diags_add(findings, CUSTOS_SEV_FINDING, "", 0, 0, 0,
                             "MBA %s/%s balance %d/%d: no operator MBR for this period", state, mba,
                             (int)custos_date_add(lo, 1), (int)hi);
        }
    }
mbr_only:
    /* MBRs that close no balance period. */
    for (size_t i = 0; i < mbr.n; i++) {
        custos_date d = mbr.items[i].period_end;
        if (i > 0 && mbr.items[i - 1].key_report == mbr.items[i].key_report)
            continue;
        bool ok = npits >= 2 && d != pits[0] && bsearch(&d, pits, npits, sizeof *pits, cmp_date);
        if (!ok)
            custos_diags_add(findings, CUSTOS_SEV_FINDING, "", 0, 0, 0,
                             "MBA %s/%s: operator MBR %s;%lld ends %d, which is not the date of a "
                             "physical inventory taking after the opening one",
                             state, mba, state, (long long)mbr.items[i].key_report, (int)d);
    }
done:
    custos_book_dispose(&pil);
    custos_book_dispose(&icr);
    custos_book_dispose(&mbr);
    custos_free(pits);
    custos_free(pit_sums);
    custos_free(pa);
    return err;
}

int custos_ledger_balances(custos_balances **out, custos_ledger *l, const char *mba,
                           custos_diags *findings)
{
    *out = NULL;
    char(*mbas)[8] = NULL;
    size_t n = 0;
    int err = custos_book_mbas(l, mba, &mbas, &n);
    if (err < 0)
        return err;
    custos_balances *b = custos_calloc(1, sizeof *b);
    if (!b) {
        custos_free(mbas);
        return custos_error_nomem();
    }
    out_list o = {b, 0};
    for (size_t i = 0; i < n && err >= 0; i++)
        err = balance_mba(&o, l, mbas[i], mbas[i] + 3, findings);
    custos_free(mbas);
    if (err < 0) {
        custos_balances_free(b);
        return err;
    }
    *out = b;
    return CUSTOS_OK;
}

void custos_balances_free(custos_balances *b)
{
    if (!b)
        return;
    custos_free(b->items);
    custos_free(b->contribs);
    custos_free(b);
}
