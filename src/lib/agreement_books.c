/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agreement_books.c: what the agreement rules read from the books: parts
 * of entries, bands of material, book inventories over time and the
 * entries behind them.
 *
 * The central quantity is the book inventory of a band of material (an
 * element, category and assay range) at the end of a day t, per MBA:
 *
 *   I(t) = sum of the band's parts of the PIL entries at the latest PIT <= t
 *        + sum of the band's parts of ICR entries dated after that PIT and
 *          on or before t, signed as they enter the inventory
 *
 * with rebatching (RM -, RP +) counted, because splitting or blending
 * batches moves material between bands even though it leaves the element
 * total alone, and DI subtracted as in BA.  Before an MBA's first PIT its
 * books are not open and I(t) = 0.  Each entry is split into parts, one
 * per element weight it carries (600, 610, 620, 630, 700, 800) with the
 * matching fissile weight; a category change (EN, ...) thus moves its
 * first part out and its second part in.  The entries are the effective
 * ones (books.h): corrections, deletions and late additions applied.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agreementint.h"
#include "custos/validate.h"

/* ---- Parts of an entry ------------------------------------------------- */

#define NATURAL_ASSAY 0.00711

static int64_t w(const custos_entry *e, int label, bool *has)
{
    return custos_entry_weight(e, label, has);
}

size_t custos_ag_parts(const custos_entry *e, ag_part out[6])
{
    size_t n = 0;
    bool h, hf;
    static const struct {
        int label, fis[3];
    } u[] = {
        {600, {670, 660, 640}}, {610, {770, 0, 0}}, {620, {780, 0, 0}}, {630, {670, 660, 640}}};
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
        int64_t mg = w(e, u[i].label, &h);
        if (!h)
            continue;
        ag_part p = {'U', 0, mg, 0, AG_NA};
        p.category =
            u[i].label == 600 ? custos_book_category(e, 600) : custos_weight_category(u[i].label);
        hf = false;
        for (int k = 0; k < 3 && u[i].fis[k] && !hf; k++)
            p.fis = w(e, u[i].fis[k], &hf);
        if (hf && mg > 0)
            p.assay = (double)p.fis / (double)mg;
        else if (!hf && p.category == 'N')
            p.assay = NATURAL_ASSAY;
        out[n++] = p;
    }
    int64_t mg = w(e, 700, &h);
    if (h) {
        ag_part p = {'P', 'P', mg, 0, AG_NA};
        bool h9, h0;
        int64_t pu239 = w(e, 720, &h9), pu240 = w(e, 730, &h0);
        if (h9 && h0 && pu239 > 0)
            p.assay = (double)pu240 / (double)pu239;
        out[n++] = p;
    }
    mg = w(e, 800, &h);
    if (h)
        out[n++] = (ag_part){'T', 'T', mg, 0, AG_NA};
    return n;
}

/* Sign with which a ag_part of ICR entry e enters its band's inventory. */
int custos_ag_part_sign(const custos_entry *e, const ag_part *p)
{
    switch (custos_change_code_kind(e->code)) {
    case CUSTOS_CHANGE_INCREASE: return 1;
    case CUSTOS_CHANGE_DECREASE: return -1;
    case CUSTOS_CHANGE_CATEGORY:
        return p->category == e->code[0] ? -1 : p->category == e->code[1] ? 1 : 0;
    case CUSTOS_CHANGE_DIFFERENCE: return -1;
    case CUSTOS_CHANGE_REBATCH: return e->code[1] == 'M' ? -1 : 1;
    default: return 0;
    }
}

bool custos_ag_material_match(const ag_material *m, const ag_part *p)
{
    if (p->element != m->element)
        return false;
    if (m->category && p->category != m->category)
        return false;
    if (p->element == 'U' && (!isnan(m->assay_min) || !isnan(m->assay_max))) {
        if (isnan(p->assay))
            return false;
        if (!isnan(m->assay_min) && p->assay < m->assay_min)
            return false;
        if (!isnan(m->assay_max) && p->assay > m->assay_max)
            return false;
    }
    if (p->element == 'P' && !isnan(m->pu240_max) && (isnan(p->assay) || p->assay > m->pu240_max))
        return false;
    return true;
}

/* Bands: a material (band 0), HEU (band 0), or the three legs of a blend
 * (0 HEU, 1 blendstock, 2 product). */

int custos_ag_classify(const ag_classifier *cl, const ag_part *p)
{
    switch (cl->kind) {
    case AG_CL_MATERIAL: return custos_ag_material_match(cl->m, p) ? 0 : -1;
    case AG_CL_HEU: return p->element == 'U' && p->assay >= CUSTOS_HEU_MIN ? 0 : -1;
    default:
        if (p->element != 'U' || isnan(p->assay))
            return -1;
        if (p->assay >= CUSTOS_HEU_MIN)
            return 0;
        return fabs(p->assay - cl->xb) <= fabs(p->assay - cl->xp) ? 1 : 2;
    }
}

/* ---- Books per MBA ----------------------------------------------------- */

static void books_free(ag_books *b)
{
    if (!b)
        return;
    custos_book_dispose(&b->pil);
    custos_book_dispose(&b->icr);
    custos_free(b->pits);
    custos_free(b);
}

static int load_pits(custos_ledger *l, ag_books *b)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(custos_ledger_db(l),
                           "SELECT DISTINCT period_end FROM reports WHERE state=?1 AND mba=?2 AND "
                           "type='P' ORDER BY period_end",
                           -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    sqlite3_bind_text(s, 1, b->state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, b->mba, -1, SQLITE_STATIC);
    size_t cap = 0;
    int rc, err = CUSTOS_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (b->npits == cap) {
            size_t nc = cap ? cap * 2 : 16;
            custos_date *p = custos_realloc(b->pits, nc * sizeof *p);
            if (!p) {
                err = custos_error_nomem();
                break;
            }
            b->pits = p;
            cap = nc;
        }
        b->pits[b->npits++] = (custos_date)sqlite3_column_int(s, 0);
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "PIT dates");
    sqlite3_finalize(s);
    return err;
}

static int cmp_icr_date(const void *a, const void *b)
{
    const custos_book_entry *x = a, *y = b;
    if (x->e.change_date != y->e.change_date)
        return x->e.change_date < y->e.change_date ? -1 : 1;
    if (x->key_report != y->key_report)
        return x->key_report < y->key_report ? -1 : 1;
    return x->key_entry < y->key_entry ? -1 : x->key_entry > y->key_entry;
}

/* The books of state/mba, loaded once per evaluation. */
int custos_ag_books(ag_ctx *x, const char *state, const char *mba, ag_books **out)
{
    for (size_t i = 0; i < x->nm; i++)
        if (!strcmp(x->m[i]->state, state) && !strcmp(x->m[i]->mba, mba)) {
            *out = x->m[i];
            return CUSTOS_OK;
        }
    if (x->nm == x->cap) {
        size_t nc = x->cap ? x->cap * 2 : 16;
        ag_books **p = custos_realloc(x->m, nc * sizeof *p);
        if (!p)
            return custos_error_nomem();
        x->m = p;
        x->cap = nc;
    }
    ag_books *b = custos_calloc(1, sizeof *b);
    if (!b)
        return custos_error_nomem();
    custos_strlcpy(b->state, state, sizeof b->state);
    custos_strlcpy(b->mba, mba, sizeof b->mba);
    for (size_t i = 0; i < x->nall; i++)
        if (!strcmp(x->all[i], state) && !strcmp(x->all[i] + 3, mba))
            b->has_reports = true;
    int err = CUSTOS_OK;
    if (b->has_reports && ((err = custos_book_load(&b->pil, x->l, state, mba, 'P')) < 0 ||
                           (err = custos_book_load(&b->icr, x->l, state, mba, 'I')) < 0 ||
                           (err = load_pits(x->l, b)) < 0)) {
        books_free(b);
        return err;
    }
    if (b->icr.n > 1)
        qsort(b->icr.items, b->icr.n, sizeof *b->icr.items, cmp_icr_date);
    x->m[x->nm++] = b;
    *out = b;
    return CUSTOS_OK;
}

/* The MBAs of a scope: a State's MBAs with reports, or the listed ones. */

int custos_ag_scope_books(ag_ctx *x, const ag_scope *sc, ag_set *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = sc->state[0] ? x->nall : sc->nmbas;
    out->v = custos_calloc(cap ? cap : 1, sizeof *out->v);
    if (!out->v)
        return custos_error_nomem();
    int err = CUSTOS_OK;
    if (sc->state[0]) {
        for (size_t i = 0; i < x->nall && err >= 0; i++)
            if (!strcmp(x->all[i], sc->state))
                err = custos_ag_books(x, x->all[i], x->all[i] + 3, &out->v[out->n++]);
    } else {
        for (size_t i = 0; i < sc->nmbas && err >= 0; i++)
            err = custos_ag_books(x, sc->mbas[i].state, sc->mbas[i].mba, &out->v[out->n++]);
    }
    if (err < 0) {
        custos_free(out->v);
        memset(out, 0, sizeof *out);
        return err;
    }
    for (size_t i = 0; i < out->n; i++)
        out->with_reports += out->v[i]->has_reports;
    return CUSTOS_OK;
}

/* The latest PIT on or before t, or 0. */
custos_date custos_ag_pit_at(const ag_books *b, custos_date t)
{
    custos_date r = 0;
    for (size_t i = 0; i < b->npits && b->pits[i] <= t; i++)
        r = b->pits[i];
    return r;
}

/* Book inventory of each band at the end of day t (see the file comment). */
void custos_ag_inventory_at(const ag_books *b, custos_date t, const ag_classifier *cl,
                            int64_t mg[AG_NBANDS], int64_t fis[AG_NBANDS])
{
    memset(mg, 0, AG_NBANDS * sizeof *mg);
    memset(fis, 0, AG_NBANDS * sizeof *fis);
    custos_date pit = custos_ag_pit_at(b, t);
    if (!pit)
        return;
    ag_part pts[6];
    for (size_t i = 0; i < b->pil.n; i++) {
        const custos_book_entry *be = &b->pil.items[i];
        if (be->period_end != pit)
            continue;
        size_t np = custos_ag_parts(&be->e, pts);
        for (size_t k = 0; k < np; k++) {
            int band = custos_ag_classify(cl, &pts[k]);
            if (band >= 0) {
                mg[band] += pts[k].mg;
                fis[band] += pts[k].fis;
            }
        }
    }
    for (size_t i = 0; i < b->icr.n; i++) {
        const custos_book_entry *be = &b->icr.items[i];
        if (be->e.change_date <= pit)
            continue;
        if (be->e.change_date > t)
            break;
        size_t np = custos_ag_parts(&be->e, pts);
        for (size_t k = 0; k < np; k++) {
            int band = custos_ag_classify(cl, &pts[k]);
            int sg = custos_ag_part_sign(&be->e, &pts[k]);
            if (band >= 0) {
                mg[band] += sg * pts[k].mg;
                fis[band] += sg * pts[k].fis;
            }
        }
    }
}

int64_t custos_ag_set_inventory(const ag_set *s, custos_date t, const ag_classifier *cl)
{
    int64_t total = 0, mg[AG_NBANDS], fis[AG_NBANDS];
    for (size_t i = 0; i < s->n; i++) {
        custos_ag_inventory_at(s->v[i], t, cl, mg, fis);
        total += mg[0];
    }
    return total;
}

/* ---- The peak of band 0 over a window ---------------------------------- */

typedef struct event {
    custos_date date;
    int reset; /* 0: add delta; 1: set the MBA's value */
    size_t mba;
    int64_t value;
} event;

static int cmp_event(const void *a, const void *b)
{
    const event *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return x->reset - y->reset;
}

/*
 * The highest total band-0 inventory of the set at the end of any day in
 * [t0, t1], and the first day it was reached.  O(n log n).
 */
int custos_ag_set_peak(const ag_set *s, custos_date t0, custos_date t1, const ag_classifier *cl,
                       int64_t *peak, custos_date *peak_date)
{
    size_t cap = 0;
    for (size_t i = 0; i < s->n; i++)
        cap += s->v[i]->icr.n + s->v[i]->npits;
    event *ev = custos_calloc(cap ? cap : 1, sizeof *ev);
    int64_t *val = custos_calloc(s->n ? s->n : 1, sizeof *val);
    if (!ev || !val) {
        custos_free(ev);
        custos_free(val);
        return custos_error_nomem();
    }
    size_t n = 0;
    int64_t total = 0, mg[AG_NBANDS], fis[AG_NBANDS];
    ag_part pts[6];
    for (size_t i = 0; i < s->n; i++) {
        const ag_books *b = s->v[i];
        custos_ag_inventory_at(b, t0, cl, mg, fis);
        val[i] = mg[0];
        total += mg[0];
        for (size_t k = 0; k < b->icr.n; k++) {
            const custos_book_entry *be = &b->icr.items[k];
            if (be->e.change_date <= t0 || be->e.change_date > t1)
                continue;
            int64_t d = 0;
            size_t np = custos_ag_parts(&be->e, pts);
            for (size_t j = 0; j < np; j++)
                if (custos_ag_classify(cl, &pts[j]) == 0)
                    d += custos_ag_part_sign(&be->e, &pts[j]) * pts[j].mg;
            if (d)
                ev[n++] = (event){be->e.change_date, 0, i, d};
        }
        for (size_t k = 0; k < b->npits; k++) {
            if (b->pits[k] <= t0 || b->pits[k] > t1)
                continue;
            custos_ag_inventory_at(b, b->pits[k], cl, mg, fis);
            ev[n++] = (event){b->pits[k], 1, i, mg[0]};
        }
    }
    if (n > 1)
        qsort(ev, n, sizeof *ev, cmp_event);
    *peak = total;
    *peak_date = t0;
    for (size_t k = 0; k < n; k++) {
        if (ev[k].reset) {
            total += ev[k].value - val[ev[k].mba];
            val[ev[k].mba] = ev[k].value;
        } else {
            total += ev[k].value;
            val[ev[k].mba] += ev[k].value;
        }
        if ((k + 1 == n || ev[k + 1].date != ev[k].date) && total > *peak) {
            *peak = total;
            *peak_date = ev[k].date;
        }
    }
    custos_free(ev);
    custos_free(val);
    return CUSTOS_OK;
}

/* ---- Deciding entries -------------------------------------------------- */

int custos_ag_entry_add(ag_entries *L, const ag_books *b, const custos_book_entry *be, char type,
                        const ag_part *p, int sign, const char *role)
{
    L->total++;
    if (L->n >= CUSTOS_AGREEMENT_MAX_ENTRIES)
        return CUSTOS_OK;
    if (L->n == L->cap) {
        size_t nc = L->cap ? L->cap * 2 : 16;
        custos_commitment_entry *q = custos_realloc(L->v, nc * sizeof *q);
        if (!q)
            return custos_error_nomem();
        L->v = q;
        L->cap = nc;
    }
    custos_commitment_entry *e = &L->v[L->n++];
    memset(e, 0, sizeof *e);
    custos_strlcpy(e->state, b->state, sizeof e->state);
    custos_strlcpy(e->mba, b->mba, sizeof e->mba);
    e->type = type;
    e->report = be->key_report;
    e->entry = be->key_entry;
    e->src_report = be->src_report;
    e->src_entry = be->src_entry;
    e->date = type == 'P' ? be->period_end : be->e.change_date;
    if (type == 'I')
        custos_strlcpy(e->code, be->e.code, sizeof e->code);
    custos_strlcpy(e->batch, be->e.batch, sizeof e->batch);
    e->element = p->element;
    e->mg = sign * p->mg;
    e->fissile_mg = sign * p->fis;
    e->assay = p->assay;
    custos_strlcpy(e->role, role, sizeof e->role);
    return CUSTOS_OK;
}

/* The entries that make up band 0 of the set's inventory at day t. */
int custos_ag_entries_at(ag_entries *L, const ag_set *s, custos_date t, const ag_classifier *cl,
                         const char *role)
{
    ag_part pts[6];
    int err = CUSTOS_OK;
    for (size_t i = 0; i < s->n && err >= 0; i++) {
        const ag_books *b = s->v[i];
        custos_date pit = custos_ag_pit_at(b, t);
        if (!pit)
            continue;
        for (size_t k = 0; k < b->pil.n && err >= 0; k++) {
            const custos_book_entry *be = &b->pil.items[k];
            if (be->period_end != pit)
                continue;
            size_t np = custos_ag_parts(&be->e, pts);
            for (size_t j = 0; j < np && err >= 0; j++)
                if (custos_ag_classify(cl, &pts[j]) == 0 && pts[j].mg)
                    err = custos_ag_entry_add(L, b, be, 'P', &pts[j], 1, role);
        }
        for (size_t k = 0; k < b->icr.n && err >= 0; k++) {
            const custos_book_entry *be = &b->icr.items[k];
            if (be->e.change_date <= pit || be->e.change_date > t)
                continue;
            size_t np = custos_ag_parts(&be->e, pts);
            for (size_t j = 0; j < np && err >= 0; j++) {
                int sg = custos_ag_part_sign(&be->e, &pts[j]);
                if (custos_ag_classify(cl, &pts[j]) == 0 && sg && pts[j].mg)
                    err = custos_ag_entry_add(L, b, be, 'I', &pts[j], sg, role);
            }
        }
    }
    return err;
}

int custos_ag_ctx_init(ag_ctx *x, custos_ledger *l)
{
    memset(x, 0, sizeof *x);
    x->l = l;
    return custos_book_mbas(l, NULL, &x->all, &x->nall);
}

void custos_ag_ctx_dispose(ag_ctx *x)
{
    for (size_t i = 0; i < x->nm; i++)
        books_free(x->m[i]);
    custos_free(x->m);
    custos_free(x->all);
    memset(x, 0, sizeof *x);
}
