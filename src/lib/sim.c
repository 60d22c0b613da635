/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim.c: the simulator's engine.  A day-by-day calendar over every
 * facility; per MBA the operator's books (inventory batches, the open
 * ICR, the running totals of the balance period) and the truth beside
 * them; domestic transfers in transit; measurement errors; diversions and
 * their concealment; corrections; and the reports, handed to the sink as
 * each period closes.
 *
 * Reporting: an ICR period ends at a month end or at a PIT, whichever
 * comes first, and is sent only when it has entries (the next one then
 * starts the day after the last one sent, so periods never leave a gap).
 * At a PIT the MBA sends its ICR, its PIL (every batch: bulk ones measured
 * anew, items at their book values) and, after the opening one, its MBR
 * (PB, every inventory change code, BA, PE, MF per weight label) computed
 * from the reported values: the operator's MBR agrees with custos's books
 * by construction.  Report numbers are consecutive per MBA.
 *
 * Truth: per balance period and weight label, the true beginning and
 * ending inventories, true increases and decreases and the true MUF
 * (what left without any entry: the diversions).  Reactor convention:
 * an assembly's nuclear loss and production take effect, in the books and
 * in the truth, when it is discharged.
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF /* GCC: off already in ISO C mode (-std=c11) */
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custos/format.h"
#include "simint.h"

#define B(x) (1ull << CUSTOS_L##x)

static int widx(int label)
{
    return custos_weight_index(label);
}

static int code_index(const char *code)
{
    for (int i = 0; i < custos_change_code_count() && i < SIM_NCODES; i++)
        if (!strcmp(custos_change_code_at(i), code))
            return i;
    return -1;
}

/* ---- material helpers ----------------------------------------------- */

int64_t sim_u235_of(int64_t u, double x)
{
    return sim_round((double)u * x);
}

void sim_take_u(sim_batch *b, int64_t u, sim_mat *out)
{
    if (u > b->truth.u)
        u = b->truth.u;
    int64_t a = b->truth.u ? sim_muldiv(u, b->truth.u235, b->truth.u) : 0;
    int64_t p = b->truth.u ? sim_muldiv(u, b->truth.pu, b->truth.u) : 0;
    if (u == b->truth.u) {
        a = b->truth.u235;
        p = b->truth.pu;
    }
    out->u = u;
    out->u235 = a;
    out->pu = p;
    b->truth.u -= u;
    b->truth.u235 -= a;
    b->truth.pu -= p;
}

/* Labels a category reports: element, isotope (0 none), and Pu. */
static void cat_labels(char cat, int *elem, int *iso)
{
    switch (cat) {
    case 'N': *elem = 610; *iso = 770; break;
    case 'D': *elem = 620; *iso = 780; break;
    case 'P': *elem = 0; *iso = 0; break;
    default: *elem = 630; *iso = 670; break;
    }
}

/* Weights of material v of category cat into w (by weight index); mask. */
static uint32_t mat_weights(char cat, const sim_mat *v, int64_t w[CUSTOS_NWEIGHTS])
{
    int elem, iso;
    uint32_t mask = 0;
    cat_labels(cat, &elem, &iso);
    memset(w, 0, sizeof(int64_t) * CUSTOS_NWEIGHTS);
    if (elem) {
        w[widx(elem)] = v->u;
        w[widx(iso)] = v->u235;
        mask |= 1u << widx(elem) | 1u << widx(iso);
    }
    if (cat == 'P' || v->pu) {
        w[widx(700)] = v->pu;
        mask |= 1u << widx(700);
    }
    return mask;
}

/* ---- batches ---------------------------------------------------------- */

int sim_batch_add(sim_batch **out, sim_mba *m, const char *prefix, const char *kmp,
                  const char *mdc, char cat, bool item)
{
    *out = NULL;
    if (m->nb >= SIM_MAX_BATCHES)
        return custos_error_set(CUSTOS_ETOOBIG,
                                "facility %s: MBA %s would hold more than %d batches at once "
                                "(limit): lower throughput_t or stock_days, or raise batch_kg",
                                m->fac->code, m->code, SIM_MAX_BATCHES);
    if (m->nb == m->capb && m->off > 0 && m->off >= m->nb / 8) {
        /* The room freed at the front is an eighth of the inventory or
         * more: slide it back (at most eight moves per removal that freed
         * it) rather than grow the allocation. */
        memmove(m->b - m->off, m->b, m->nb * sizeof *m->b);
        m->b -= m->off;
        m->capb += m->off;
        m->off = 0;
    }
    if (m->nb == m->capb) {
        size_t total = m->off + m->capb, cap = total ? total * 2 : 16;
        sim_batch *p = custos_realloc(m->b ? m->b - m->off : NULL, cap * sizeof *p);
        if (!p)
            return custos_error_nomem();
        m->b = p + m->off;
        m->capb = cap - m->off;
    }
    sim_batch *b = &m->b[m->nb++];
    memset(b, 0, sizeof *b);
    m->seq++;
    snprintf(b->name, sizeof b->name, "%s-%.2s%07u", m->code, prefix, (unsigned)(m->seq % 10000000u));
    custos_strlcpy(b->kmp, kmp, sizeof b->kmp);
    for (int i = 0, k = 0; mdc[i] && k < 4; i++)
        if (mdc[i] != '/')
            b->mdc[k++] = mdc[i];
    b->cat = cat;
    b->item = item;
    b->items = 1;
    *out = b;
    return CUSTOS_OK;
}

void sim_batch_remove(sim_mba *m, size_t i)
{
    if (i >= m->nb)
        return;
    if (i < m->nb / 2) {
        /* Nearer the front (shipments go first in, first out): the batches
         * before it move up one and the list starts one later. */
        memmove(&m->b[1], &m->b[0], i * sizeof *m->b);
        m->b++;
        m->off++;
        m->capb--;
    } else {
        memmove(&m->b[i], &m->b[i + 1], (m->nb - i - 1) * sizeof *m->b);
    }
    m->nb--;
}

long sim_batch_find(const sim_mba *m, const char *kmp, char cat, size_t from)
{
    for (size_t i = from; i < m->nb; i++)
        if ((!kmp || !strcmp(m->b[i].kmp, kmp)) && (!cat || m->b[i].cat == cat))
            return (long)i;
    return -1;
}

/* ---- measurement errors ----------------------------------------------- */

static double method_error(sim *s, sim_fac *f, const char *method, const char *material)
{
    const custos_uncertainty *u =
        custos_uncertainty_for(&f->desc->measurement, NULL, 0, method, material);
    if (!u)
        return 0.0;
    sim_sys *sy = NULL;
    for (int i = 0; i < f->nsys; i++)
        if (!strcmp(f->sys[i].method, method))
            sy = &f->sys[i];
    double e = u->random * sim_rng_normal(&f->meas);
    if (sy) {
        /* custos_calibration_period() of the periods written: the k-th
         * of cal_step days from the start, 0 outside the run. */
        int period = 0;
        if (s->today >= s->start && s->today <= s->end)
            period = custos_date_diff(s->start, s->today) / f->cal_step + 1;
        if (sy->period != period) {
            sy->period = period;
            sy->value = u->systematic * sim_rng_normal(&f->meas);
        }
        e += sy->value;
    }
    return e;
}

void sim_measure(sim *s, sim_mba *m, const char *kmp, const char *mdc, const sim_mat *truth,
                 sim_mat *out)
{
    *out = *truth;
    if (!s->errors)
        return;
    sim_fac *f = m->fac;
    const custos_measurement_point *pt =
        custos_measurement_point_for(&f->desc->measurement, m->code, kmp, mdc);
    if (!pt)
        return;
    double eb = pt->bulk[0] ? method_error(s, f, pt->bulk, pt->material) : 0.0;
    double eu = pt->element[0] && truth->u ? method_error(s, f, pt->element, pt->material) : 0.0;
    double ep = pt->element[0] && truth->pu ? method_error(s, f, pt->element, pt->material) : 0.0;
    double ei = pt->isotopic[0] && truth->u235 ? method_error(s, f, pt->isotopic, pt->material)
                                               : 0.0;
    int64_t u = sim_round((double)truth->u * (1.0 + eb + eu));
    int64_t a = sim_round((double)truth->u235 * (1.0 + eb + eu + ei));
    int64_t p = sim_round((double)truth->pu * (1.0 + eb + ep));
    out->u = u > 0 ? u : 0;
    out->u235 = a > 0 ? a : 0;
    out->pu = p > 0 ? p : 0;
}

void sim_set_book(sim_batch *b, const sim_mat *rep)
{
    b->book = *rep;
    b->measured = b->truth;
    b->has_book = true;
}

char sim_value(sim *s, sim_mba *m, sim_batch *b, const char *kmp, sim_mat *rep)
{
    if (b->item || (b->has_book && !memcmp(&b->measured, &b->truth, sizeof b->truth))) {
        *rep = b->book;
        return 'T';
    }
    sim_measure(s, m, kmp, b->mdc, &b->truth, rep);
    sim_set_book(b, rep);
    return 'M';
}

/* ---- reports ---------------------------------------------------------- */

static int new_report(sim *s, sim_mba *m, char type, custos_report **out)
{
    custos_report *r;
    int err = custos_report_new(&r);
    if (err < 0)
        return err;
    custos_strlcpy(r->state, s->cfg->state, sizeof r->state);
    custos_strlcpy(r->encoder, s->cfg->encoder, sizeof r->encoder);
    custos_strlcpy(r->facility, m->fac->code, sizeof r->facility);
    custos_strlcpy(r->mba, m->code, sizeof r->mba);
    r->type = type;
    *out = r;
    return CUSTOS_OK;
}

static custos_entry *add_entry(custos_report *r, int *err)
{
    custos_entry *e;
    if ((*err = custos_report_add_entry(&e, r)) < 0) {
        if (*err == CUSTOS_ETOOBIG)
            custos_error_set(CUSTOS_ETOOBIG, "MBA %s: a report would hold more than %d "
                                             "entries (the limit): the configuration makes too "
                                             "many batches a month there (raise batch_kg or "
                                             "lower throughput_t)",
                             r->mba, CUSTOS_MAX_ENTRIES);
        return NULL;
    }
    e->kind = 'O';
    e->status = 'N';
    e->number = (int32_t)r->n;
    e->present = B(001) | B(002) | B(003) | B(006) | B(010) | B(015) | B(207) | B(307) | B(309);
    return e;
}

static void set_weights(custos_entry *e, const int64_t w[CUSTOS_NWEIGHTS], uint32_t mask)
{
    for (int i = 0; i < CUSTOS_NWEIGHTS; i++)
        if (mask >> i & 1u) {
            e->wmask |= 1u << i;
            e->mg[i] += w[i];
        }
}

static void set_party(custos_party *p, const char *other)
{
    memset(p, 0, sizeof *p);
    custos_strlcpy(p->state, other, sizeof p->state);
    if (strlen(other) > 3 && other[2] == '/')
        custos_strlcpy(p->code, other + 3, sizeof p->code);
}

/* Hand a finished report to the sink and count it. */
static int emit(sim *s, sim_mba *m, custos_report *r, custos_date end)
{
    r->number = ++m->number;
    r->date = custos_date_add(end, 10);
    size_t accounting = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->entries[i].kind == 'O')
            accounting++;
    if (r->n)
        r->entries[0].total = (int32_t)accounting;
    s->stats.reports++;
    s->stats.entries += accounting;
    return s->sink->report(s->sink->ctx, r);
}

static int ensure_icr(sim *s, sim_mba *m)
{
    if (m->icr)
        return CUSTOS_OK;
    int err = new_report(s, m, CUSTOS_REPORT_ICR, &m->icr);
    if (err >= 0)
        m->icr->start = m->icr_start;
    return err;
}

/* Books and truth of one entry's weights. */
static void account(sim_mba *m, const char *code, const int64_t rep[CUSTOS_NWEIGHTS],
                    const int64_t tru[CUSTOS_NWEIGHTS], uint32_t mask)
{
    int ci = code_index(code);
    for (int i = 0; i < CUSTOS_NWEIGHTS; i++) {
        if (!(mask >> i & 1u))
            continue;
        m->used[i] = true;
        /* Rebatching moves material between batches of the MBA: it enters
         * neither the balance nor the MBR. */
        if (ci >= 0 && custos_change_code_kind(code) != CUSTOS_CHANGE_REBATCH) {
            m->ic[ci][i] += rep[i];
            m->icmask[ci] |= 1u << i;
        }
        int sign = custos_change_sign(code, custos_weight_label(i));
        if (sign > 0)
            m->tin[i] += tru[i];
        else if (sign < 0)
            m->tout[i] += tru[i];
    }
}

int sim_book(sim *s, sim_mba *m, custos_date d, const char *code, const sim_batch *b,
             const char *kmp, const sim_mat *rep, const sim_mat *tru, const char *other,
             const char *shipper_batch, char basis)
{
    int err = ensure_icr(s, m);
    if (err < 0)
        return err;
    custos_entry *e = add_entry(m->icr, &err);
    if (!e)
        return err;
    e->present |= B(407) | B(411) | B(412) | B(430) | B(446) | B(469) | B(470);
    custos_strlcpy(e->kmp, kmp, sizeof e->kmp);
    custos_strlcpy(e->code, code, sizeof e->code);
    e->change_date = d;
    memcpy(e->mdc, b->mdc, sizeof e->mdc);
    custos_strlcpy(e->batch, b->name, sizeof e->batch);
    e->basis = basis;
    e->items = b->items;
    bool receipt = !strcmp(code, "RD") || !strcmp(code, "RF");
    bool shipment = !strcmp(code, "SD") || !strcmp(code, "SF");
    if (receipt) {
        e->present |= B(370) | B(447);
        set_party(&e->shipper, other);
        custos_strlcpy(e->shipper_batch, shipper_batch ? shipper_batch : "UNKNOWN",
                       sizeof e->shipper_batch);
    } else if (shipment) {
        e->present |= B(372);
        set_party(&e->receiver, other);
    }
    int64_t wr[CUSTOS_NWEIGHTS], wt[CUSTOS_NWEIGHTS];
    uint32_t mask = mat_weights(b->cat, rep, wr);
    mask |= mat_weights(b->cat, tru, wt);
    /* Nuclear production carries Pu only; nuclear loss U only. */
    if (!strcmp(code, "NP"))
        mask &= 1u << widx(700);
    else if (!strcmp(code, "LN"))
        mask &= ~(1u << widx(700));
    set_weights(e, wr, mask);
    account(m, code, wr, wt, mask);
    return CUSTOS_OK;
}

int sim_book_category(sim *s, sim_mba *m, custos_date d, const char *code, const char *batch,
                      const char *kmp, const char *mdc, int64_t rep_u, int64_t rep_from235,
                      int64_t rep_to235, int64_t tru_u, int64_t tru_from235, int64_t tru_to235)
{
    int err = ensure_icr(s, m);
    if (err < 0)
        return err;
    custos_entry *e = add_entry(m->icr, &err);
    if (!e)
        return err;
    e->present |= B(407) | B(411) | B(412) | B(430) | B(446) | B(469) | B(470);
    custos_strlcpy(e->kmp, kmp, sizeof e->kmp);
    custos_strlcpy(e->code, code, sizeof e->code);
    e->change_date = d;
    for (int i = 0, k = 0; mdc[i] && k < 4; i++)
        if (mdc[i] != '/')
            e->mdc[k++] = mdc[i];
    custos_strlcpy(e->batch, batch, sizeof e->batch);
    e->basis = 'M';
    e->items = 1;
    int fe, fi, te, ti;
    cat_labels(code[0], &fe, &fi);
    cat_labels(code[1], &te, &ti);
    int64_t wr[CUSTOS_NWEIGHTS] = {0}, wt[CUSTOS_NWEIGHTS] = {0};
    wr[widx(fe)] = rep_u;
    wr[widx(fi)] = rep_from235;
    wr[widx(te)] = rep_u;
    wr[widx(ti)] = rep_to235;
    wt[widx(fe)] = tru_u;
    wt[widx(fi)] = tru_from235;
    wt[widx(te)] = tru_u;
    wt[widx(ti)] = tru_to235;
    uint32_t mask = 1u << widx(fe) | 1u << widx(fi) | 1u << widx(te) | 1u << widx(ti);
    set_weights(e, wr, mask);
    account(m, code, wr, wt, mask);
    return CUSTOS_OK;
}

/* Concealment carried to an entry: add hide[] to rep of category cat. */
static void apply_hidden(int64_t hide[CUSTOS_NWEIGHTS], char cat, sim_mat *rep, int64_t *conc)
{
    int elem, iso;
    cat_labels(cat, &elem, &iso);
    if (elem && hide[widx(elem)]) {
        rep->u += hide[widx(elem)];
        rep->u235 += hide[widx(iso)];
        *conc += hide[widx(elem)];
        hide[widx(elem)] = hide[widx(iso)] = 0;
    }
    if (hide[widx(700)] && (cat == 'P' || rep->pu)) {
        rep->pu += hide[widx(700)];
        *conc += hide[widx(700)];
        hide[widx(700)] = 0;
    }
}

static void note_concealed(sim *s, sim_mba *m, int64_t mg)
{
    for (int i = 0; i < s->cfg->ndiversions && mg; i++)
        if (s->div[i].m == m && s->div[i].removed > s->div[i].concealed) {
            int64_t k = s->div[i].removed - s->div[i].concealed;
            if (k > mg)
                k = mg;
            s->div[i].concealed += k;
            mg -= k;
        }
}

int sim_ship(sim *s, sim_mba *m, size_t i, sim_fac *dst, const char *kmp, custos_date d)
{
    sim_mat rep;
    char basis = sim_value(s, m, &m->b[i], kmp, &rep);
    sim_batch b = m->b[i];
    int64_t conc = 0;
    apply_hidden(m->hide_ship, b.cat, &rep, &conc);
    note_concealed(s, m, conc);
    char other[8];
    if (dst)
        snprintf(other, sizeof other, "%s/%s", s->cfg->state, dst->mba[0]->code);
    else
        snprintf(other, sizeof other, "%s", m->fac->cfg->foreign[0] ? m->fac->cfg->foreign
                                                                    : s->cfg->foreign);
    int err = sim_book(s, m, d, dst ? "SD" : "SF", &b, kmp, &rep, &b.truth, other, NULL, basis);
    if (err < 0)
        return err;
    sim_batch_remove(m, i);
    if (!dst)
        return CUSTOS_OK;
    if (s->ntransit == s->captransit) {
        size_t cap = s->captransit ? s->captransit * 2 : 64;
        sim_transit *p = custos_realloc(s->transit, cap * sizeof *p);
        if (!p)
            return custos_error_nomem();
        s->transit = p;
        s->captransit = cap;
    }
    sim_transit *t = &s->transit[s->ntransit++];
    memset(t, 0, sizeof *t);
    t->arrive = custos_date_add(d, m->fac->cfg->transit_days);
    t->from = m;
    t->to = dst->mba[0];
    t->batch = b;
    t->batch.book = rep;
    t->shipped = d;
    dst->in_transit++;
    return CUSTOS_OK;
}

int sim_receive(sim *s, sim_mba *m, sim_transit *t, const char *kmp, const char *ikmp,
                bool measure, custos_date d)
{
    sim_batch b = t->batch;
    sim_mat rep = b.book;
    char basis = 'N';
    if (measure) {
        sim_measure(s, m, kmp, b.mdc, &b.truth, &rep);
        basis = 'M';
    }
    char other[8];
    snprintf(other, sizeof other, "%s/%s", s->cfg->state, t->from->code);
    int err = sim_book(s, m, d, "RD", &b, kmp, &rep, &b.truth, other, b.name, basis);
    if (err < 0)
        return err;
    if (!ikmp)
        return CUSTOS_OK;
    sim_batch *nb;
    int aerr = sim_batch_add(&nb, m, "X", ikmp, "", b.cat, b.item);
    if (aerr < 0)
        return aerr;
    uint32_t seq = m->seq;
    *nb = b;
    (void)seq;
    custos_strlcpy(nb->kmp, ikmp, sizeof nb->kmp);
    sim_set_book(nb, &rep);
    nb->date = d;
    return CUSTOS_OK;
}

int sim_discard(sim *s, sim_mba *m, custos_date d, const char *kmp, const char *mdc, char cat,
                const sim_mat *tru)
{
    if (tru->u <= 0 && tru->pu <= 0)
        return CUSTOS_OK;
    sim_batch b;
    memset(&b, 0, sizeof b);
    m->seq++;
    snprintf(b.name, sizeof b.name, "%s-W%07u", m->code, (unsigned)(m->seq % 10000000u));
    for (int i = 0, k = 0; mdc[i] && k < 4; i++)
        if (mdc[i] != '/')
            b.mdc[k++] = mdc[i];
    b.cat = cat;
    b.items = 1;
    b.truth = *tru;
    sim_mat rep;
    sim_measure(s, m, kmp, b.mdc, tru, &rep);
    int64_t conc = 0;
    apply_hidden(m->hide_discard, cat, &rep, &conc);
    note_concealed(s, m, conc);
    return sim_book(s, m, d, "LD", &b, kmp, &rep, tru, NULL, NULL, 'M');
}

int sim_import(sim *s, sim_mba *m, custos_date d, const char *prefix, const char *kmp,
               const char *ikmp, const char *mdc, char cat, bool item, int32_t items,
               const sim_mat *tru, sim_batch **out)
{
    sim_batch *b;
    int aerr = sim_batch_add(&b, m, prefix, ikmp, mdc, cat, item);
    if (aerr < 0)
        return aerr;
    b->items = items;
    b->truth = *tru;
    b->date = d;
    sim_mat rep = *tru;
    char basis = 'N';
    if (!item) {
        sim_measure(s, m, kmp, b->mdc, tru, &rep);
        basis = 'M';
    }
    sim_set_book(b, &rep);
    const char *other = m->fac->cfg->foreign[0] ? m->fac->cfg->foreign : s->cfg->foreign;
    sim_batch copy = *b;
    int err = sim_book(s, m, d, "RF", &copy, kmp, &rep, tru, other, NULL, basis);
    if (err < 0)
        return err;
    if (out)
        *out = &m->b[m->nb - 1];
    return CUSTOS_OK;
}

static bool single_item_at(const sim_batch *b, const char *kmp)
{
    return b->item && !b->stored && !strcmp(b->kmp, kmp);
}

int sim_consolidate(sim *s, sim_mba *m, const char *kmp, char basis, custos_date d)
{
    int err = CUSTOS_OK;
    for (;;) {
        long first = -1;
        for (size_t i = 0; i < m->nb && first < 0; i++)
            if (single_item_at(&m->b[i], kmp))
                first = (long)i;
        if (first < 0)
            return CUSTOS_OK;
        sim_batch like = m->b[first];
        sim_mat book = {0, 0, 0}, truth = {0, 0, 0};
        int64_t items = 0;
        size_t keep = 0;
        for (size_t i = 0; i < m->nb; i++) {
            sim_batch *b = &m->b[i];
            if (!single_item_at(b, kmp) || b->cat != like.cat || memcmp(b->mdc, like.mdc, sizeof b->mdc)) {
                m->b[keep++] = *b;
                continue;
            }
            if ((err = sim_book(s, m, d, "RM", b, kmp, &b->book, &b->truth, NULL, NULL, basis)) < 0)
                return err;
            book.u += b->book.u;
            book.u235 += b->book.u235;
            book.pu += b->book.pu;
            truth.u += b->truth.u;
            truth.u235 += b->truth.u235;
            truth.pu += b->truth.pu;
            items += b->items;
        }
        m->nb = keep;
        if (items > INT32_MAX)
            return custos_error_set(CUSTOS_EDOMAIN, "MBA %s: more than %d items to rebatch",
                                    m->code, INT32_MAX);
        sim_batch *nb;
        int aerr = sim_batch_add(&nb, m, "S", kmp, "", like.cat, true);
        if (aerr < 0)
            return aerr;
        memcpy(nb->mdc, like.mdc, sizeof nb->mdc);
        nb->stored = true;
        nb->items = (int32_t)items;
        nb->truth = truth;
        nb->date = d;
        nb->state = like.state;
        sim_set_book(nb, &book);
        sim_batch copy = *nb;
        if ((err = sim_book(s, m, d, "RP", &copy, kmp, &book, &truth, NULL, NULL, basis)) < 0)
            return err;
    }
}

bool sim_month_end(custos_date d)
{
    return custos_date_add(d, 1) % 100 == 1;
}

sim_fac *sim_next_dst(sim *s, sim_fac *f, char cat, bool item)
{
    (void)s;
    for (int k = 0; k < f->ndst; k++) {
        sim_fac *g = f->dst[(f->next_dst + k) % f->ndst];
        if (g->ops->room && g->ops->room(g, cat, item) > 0) {
            f->next_dst = (f->next_dst + k + 1) % f->ndst;
            return g;
        }
    }
    return NULL;
}

bool sim_export_now(sim_fac *f)
{
    if (f->cfg->export_ppm <= 0)
        return false;
    return (int64_t)sim_rng_below(&f->proc, 1000000) < f->cfg->export_ppm;
}

/* ---- truth.json ------------------------------------------------------- */

static int truth_flush(sim *s, bool force)
{
    if (!force && s->truth.len < (1u << 16))
        return CUSTOS_OK;
    int err = CUSTOS_OK;
    if (s->truth.len)
        err = s->sink->truth(s->sink->ctx, s->truth.data, s->truth.len);
    s->truth.len = 0;
    if (s->truth.data)
        s->truth.data[0] = '\0';
    return err;
}

static int put_iso(custos_buf *b, custos_date d)
{
    char iso[11];
    custos_date_iso(iso, d);
    return custos_buf_printf(b, "\"%s\"", iso);
}

/* ---- PIT, PIL and MBR ------------------------------------------------- */

static int close_icr(sim *s, sim_mba *m, custos_date end, bool at_pit)
{
    int err = CUSTOS_OK;
    if (m->corr_state == 2) {
        /* The correction of the wrong entry sent in the last ICR. */
        if ((err = ensure_icr(s, m)) < 0)
            return err;
        custos_entry *e = add_entry(m->icr, &err);
        if (!e)
            return err;
        int32_t num = e->number;
        *e = m->corr_entry;
        e->number = num;
        e->total = 0;
        e->status = 'C';
        custos_strlcpy(e->ref_state, s->cfg->state, sizeof e->ref_state);
        e->ref_report = m->corr_report;
        e->ref_entry = m->corr_number;
        m->corr_state = 3;
        m->corr_in = m->number + 1;
    }
    if (!m->icr || m->icr->n == 0)
        return CUSTOS_OK;
    custos_report *r = m->icr;
    m->icr = NULL;
    r->start = m->icr_start;
    r->end = end;
    size_t wrong = 0; /* the first entry that is not rebatching (RM and RP balance) */
    while (wrong < r->n && custos_change_code_kind(r->entries[wrong].code) == CUSTOS_CHANGE_REBATCH)
        wrong++;
    if (m->corr_state == 1 && !at_pit && end >= m->corr_after && wrong < r->n) {
        /* A typing error: the first entry's weights ten times too large,
         * corrected in the next ICR. */
        custos_entry *e = &r->entries[wrong];
        m->corr_entry = *e;
        m->corr_entry.total = 0;
        for (int i = 0; i < CUSTOS_NWEIGHTS; i++)
            if (e->wmask >> i & 1u)
                e->mg[i] *= 10;
        m->corr_report = m->number + 1;
        m->corr_number = e->number;
        m->corr_state = 2;
    }
    err = emit(s, m, r, end);
    custos_report_free(r);
    m->icr_start = custos_date_add(end, 1);
    return err;
}

static int write_mbr_truth(sim *s, sim_mba *m, custos_date start, custos_date end,
                           const int64_t pe[CUSTOS_NWEIGHTS], const int64_t tpe[CUSTOS_NWEIGHTS],
                           const bool used[CUSTOS_NWEIGHTS])
{
    int err = CUSTOS_OK;
    for (int i = 0; i < CUSTOS_NWEIGHTS; i++) {
        if (!used[i])
            continue;
        int label = custos_weight_label(i);
        int64_t inc = 0, dec = 0;
        for (int c = 0; c < custos_change_code_count() && c < SIM_NCODES; c++) {
            int sign = custos_change_sign(custos_change_code_at(c), label);
            if (sign > 0)
                inc += m->ic[c][i];
            else if (sign < 0)
                dec += m->ic[c][i];
        }
        int64_t book_muf = m->pb[i] + inc - dec - pe[i];
        int64_t true_muf = m->tpb[i] + m->tin[i] - m->tout[i] - tpe[i];
        if ((err = custos_buf_printf(&s->truth, "%s{\"mba\": \"%s\", \"start\": ",
                                     s->truth_first ? "" : ",\n", m->code)) < 0 ||
            (err = put_iso(&s->truth, start)) < 0 ||
            (err = custos_buf_puts(&s->truth, ", \"end\": ")) < 0 ||
            (err = put_iso(&s->truth, end)) < 0 ||
            (err = custos_buf_printf(
                 &s->truth,
                 ", \"category\": \"%c\", \"label\": %d, \"book_pb_mg\": %lld, \"book_pe_mg\": "
                 "%lld, \"book_muf_mg\": %lld, \"true_pb_mg\": %lld, \"true_in_mg\": %lld, "
                 "\"true_out_mg\": %lld, \"true_pe_mg\": %lld, \"true_muf_mg\": %lld, "
                 "\"diverted_mg\": %lld}",
                 custos_weight_category(label), label, (long long)m->pb[i], (long long)pe[i],
                 (long long)book_muf, (long long)m->tpb[i], (long long)m->tin[i],
                 (long long)m->tout[i], (long long)tpe[i], (long long)true_muf,
                 (long long)m->diverted[i])) < 0)
            return err;
        s->truth_first = false;
    }
    return truth_flush(s, false);
}

typedef struct mbr_line {
    const char *code;
    const int64_t *w;
    uint32_t mask;
} mbr_line;

static int take_pit(sim *s, sim_mba *m, custos_date d, bool opening)
{
    int err = close_icr(s, m, d, true);
    if (err < 0)
        return err;
    custos_report *pil = NULL, *mbr = NULL;
    if ((err = new_report(s, m, CUSTOS_REPORT_PIL, &pil)) < 0)
        return err;
    pil->end = d;
    int64_t pe[CUSTOS_NWEIGHTS] = {0}, tpe[CUSTOS_NWEIGHTS] = {0};
    bool in_pil[CUSTOS_NWEIGHTS] = {false};
    /* Biased measurements: the cumulative removal added to the batch that
     * holds most of that material. */
    long biased[CUSTOS_NWEIGHTS];
    for (int i = 0; i < CUSTOS_NWEIGHTS; i++) {
        biased[i] = -1;
        if (!m->bias[i])
            continue;
        int64_t best = -1;
        for (size_t k = 0; k < m->nb; k++) {
            int64_t w[CUSTOS_NWEIGHTS];
            uint32_t mask = mat_weights(m->b[k].cat, &m->b[k].truth, w);
            if ((mask >> i & 1u) && !m->b[k].item && w[i] > best) {
                best = w[i];
                biased[i] = (long)k;
            }
        }
    }
    for (size_t k = 0; k < m->nb; k++) {
        sim_batch *b = &m->b[k];
        custos_entry *e = add_entry(pil, &err);
        if (!e)
            goto done;
        sim_mat rep;
        char basis = sim_value(s, m, b, b->kmp, &rep);
        int64_t wr[CUSTOS_NWEIGHTS], wt[CUSTOS_NWEIGHTS];
        uint32_t mask = mat_weights(b->cat, &rep, wr);
        mask |= mat_weights(b->cat, &b->truth, wt);
        for (int i = 0; i < CUSTOS_NWEIGHTS; i++)
            if (biased[i] == (long)k && (mask >> i & 1u))
                wr[i] += m->bias[i];
        e->present |= B(407) | B(430) | B(446) | B(469) | B(470);
        custos_strlcpy(e->kmp, b->kmp, sizeof e->kmp);
        memcpy(e->mdc, b->mdc, sizeof e->mdc);
        custos_strlcpy(e->batch, b->name, sizeof e->batch);
        e->basis = basis;
        e->items = b->items;
        set_weights(e, wr, mask);
        for (int i = 0; i < CUSTOS_NWEIGHTS; i++)
            if (mask >> i & 1u) {
                pe[i] += wr[i];
                tpe[i] += wt[i];
                in_pil[i] = true;
            }
    }
    if (pil->n == 0) {
        custos_entry *e = add_entry(pil, &err);
        if (!e)
            goto done;
        e->status = 'U';
    }
    if ((err = emit(s, m, pil, d)) < 0)
        goto done;
    if (!opening) {
        if ((err = new_report(s, m, CUSTOS_REPORT_MBR, &mbr)) < 0)
            goto done;
        mbr->start = custos_date_add(m->last_pit, 1);
        mbr->end = d;
        bool used[CUSTOS_NWEIGHTS];
        bool any = false;
        for (int i = 0; i < CUSTOS_NWEIGHTS; i++) {
            used[i] = m->used[i] || m->used_pb[i] || in_pil[i];
            any |= used[i];
        }
        int64_t ba[CUSTOS_NWEIGHTS], mf[CUSTOS_NWEIGHTS];
        for (int i = 0; i < CUSTOS_NWEIGHTS; i++) {
            ba[i] = m->pb[i];
            for (int c = 0; c < custos_change_code_count() && c < SIM_NCODES; c++) {
                int sign = custos_change_sign(custos_change_code_at(c), custos_weight_label(i));
                ba[i] += sign * m->ic[c][i];
            }
            mf[i] = ba[i] - pe[i];
        }
        uint32_t all = 0;
        for (int i = 0; i < CUSTOS_NWEIGHTS; i++)
            if (used[i])
                all |= 1u << i;
        mbr_line lines[4 + SIM_NCODES];
        int nl = 0;
        lines[nl++] = (mbr_line){"PB", m->pb, all};
        for (int c = 0; c < custos_change_code_count() && c < SIM_NCODES; c++)
            if (m->icmask[c])
                lines[nl++] = (mbr_line){custos_change_code_at(c), m->ic[c], m->icmask[c]};
        lines[nl++] = (mbr_line){"BA", ba, all};
        lines[nl++] = (mbr_line){"PE", pe, all};
        lines[nl++] = (mbr_line){"MF", mf, all};
        if (!any) {
            custos_entry *e = add_entry(mbr, &err);
            if (!e)
                goto done;
            e->status = 'U';
        } else {
            for (int l = 0; l < nl; l++) {
                custos_entry *e = add_entry(mbr, &err);
                if (!e)
                    goto done;
                e->present |= B(411);
                custos_strlcpy(e->code, lines[l].code, sizeof e->code);
                set_weights(e, lines[l].w, lines[l].mask);
            }
        }
        if ((err = emit(s, m, mbr, d)) < 0)
            goto done;
        if ((err = write_mbr_truth(s, m, mbr->start, d, pe, tpe, used)) < 0)
            goto done;
    }
    /* The next balance period starts from this PIT. */
    memcpy(m->pb, pe, sizeof m->pb);
    memcpy(m->tpb, tpe, sizeof m->tpb);
    memcpy(m->used_pb, in_pil, sizeof m->used_pb);
    memset(m->ic, 0, sizeof m->ic);
    memset(m->icmask, 0, sizeof m->icmask);
    memset(m->used, 0, sizeof m->used);
    memset(m->tin, 0, sizeof m->tin);
    memset(m->tout, 0, sizeof m->tout);
    memset(m->diverted, 0, sizeof m->diverted);
    m->last_pit = d;
    if (m->pit_days % 365 == 0) {
        /* Whole years: the same calendar day each time. */
        int years = m->pit_days / 365;
        custos_date next = custos_date_add(d, 1);
        next += years * 10000;
        while (!custos_date_valid(next))
            next--;
        m->next_pit = custos_date_add(next, -1);
    } else {
        m->next_pit = custos_date_add(d, m->pit_days);
    }
done:
    custos_report_free(pil);
    custos_report_free(mbr);
    return err;
}

/* ---- diversions ------------------------------------------------------- */

static int64_t remove_material(sim_mba *m, char element, int64_t want, int64_t w_out[CUSTOS_NWEIGHTS])
{
    int64_t got = 0;
    while (got < want) {
        long best = -1;
        int64_t bestv = 0;
        for (int pass = 0; pass < 2 && best < 0; pass++)
            for (size_t k = 0; k < m->nb; k++) {
                const sim_batch *b = &m->b[k];
                if (b->item != (pass == 1))
                    continue;
                int64_t v = element == 'P' ? b->truth.pu : b->truth.u;
                if (v > bestv) {
                    bestv = v;
                    best = (long)k;
                }
            }
        if (best < 0)
            break;
        sim_batch *b = &m->b[best];
        int64_t take = want - got < bestv ? want - got : bestv;
        if (element == 'P') {
            b->truth.pu -= take;
            w_out[widx(700)] += take;
        } else {
            sim_mat t;
            sim_take_u(b, take, &t);
            int elem, iso;
            cat_labels(b->cat, &elem, &iso);
            w_out[widx(elem)] += t.u;
            w_out[widx(iso)] += t.u235;
        }
        got += take;
    }
    return got;
}

static int divert(sim *s, custos_date d)
{
    for (int i = 0; i < s->cfg->ndiversions; i++) {
        const sim_diversion_cfg *v = &s->cfg->diversions[i];
        sim_div_state *st = &s->div[i];
        if (d < v->start || d > v->end)
            continue;
        int64_t due;
        if (v->abrupt) {
            due = v->amount_mg;
        } else {
            int days = custos_date_diff(v->start, v->end) + 1;
            int done = custos_date_diff(v->start, d) + 1;
            due = sim_muldiv(v->amount_mg, done, days);
        }
        int64_t want = due - st->removed;
        if (want <= 0)
            continue;
        int64_t w[CUSTOS_NWEIGHTS] = {0};
        int64_t got = remove_material(st->m, v->element, want, w);
        st->removed += got;
        for (int k = 0; k < CUSTOS_NWEIGHTS; k++) {
            st->m->diverted[k] += w[k];
            switch (v->conceal) {
            case SIM_INFLATED_DISCARDS: st->m->hide_discard[k] += w[k]; break;
            case SIM_FALSIFIED_TRANSFERS: st->m->hide_ship[k] += w[k]; break;
            case SIM_BIASED_MEASUREMENTS: st->m->bias[k] += w[k]; break;
            default: break;
            }
        }
        if (v->conceal == SIM_BIASED_MEASUREMENTS)
            st->concealed += got;
    }
    return CUSTOS_OK;
}

/* ---- set-up ----------------------------------------------------------- */

static const sim_ops *ops_of(sim_type t)
{
    switch (t) {
    case SIM_CONVERSION: return &sim_conversion_ops;
    case SIM_ENRICHMENT: return &sim_enrichment_ops;
    case SIM_FABRICATION: return &sim_fabrication_ops;
    case SIM_POWER_REACTOR: return &sim_power_ops;
    case SIM_RESEARCH_REACTOR: return &sim_research_ops;
    case SIM_SPENT_FUEL: return &sim_spent_ops;
    case SIM_REPROCESSING: return &sim_reprocessing_ops;
    case SIM_PU_STORE: return &sim_pustore_ops;
    case SIM_DOWNBLENDING: return &sim_downblending_ops;
    default: return NULL;
    }
}

static uint64_t code_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void base36(char out[3], int i)
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    out[0] = digits[(i / 36) % 36];
    out[1] = digits[i % 36];
    out[2] = '\0';
}

static void sim_dispose(sim *s)
{
    for (int i = 0; i < s->nfacs; i++) {
        sim_fac *f = &s->facs[i];
        for (int k = 0; k < f->nmba; k++) {
            if (!f->mba[k])
                continue;
            if (f->mba[k]->b)
                custos_free(f->mba[k]->b - f->mba[k]->off);
            custos_report_free(f->mba[k]->icr);
            custos_free(f->mba[k]);
        }
        custos_facility_free(f->desc);
        custos_free(f->json);
        custos_free(f->sys);
    }
    custos_free(s->facs);
    custos_free(s->mbas);
    custos_free(s->transit);
    custos_free(s->div);
    custos_buf_dispose(&s->truth);
}

static sim_mba *find_mba(sim *s, const char *code)
{
    for (int i = 0; i < s->nmbas; i++)
        if (!strcmp(s->mbas[i]->code, code))
            return s->mbas[i];
    return NULL;
}

static int setup(sim *s)
{
    const custos_sim_config *c = s->cfg;
    int n = 0;
    for (int i = 0; i < c->nfacs; i++)
        n += c->facs[i].copies;
    s->facs = custos_calloc((size_t)n, sizeof *s->facs);
    s->mbas = custos_calloc((size_t)n, sizeof *s->mbas);
    s->div = custos_calloc((size_t)c->ndiversions + 1, sizeof *s->div);
    if (!s->facs || !s->mbas || !s->div)
        return custos_error_nomem();
    for (int i = 0; i < c->nfacs; i++) {
        const sim_fac_cfg *fc = &c->facs[i];
        for (int k = 0; k < fc->copies; k++) {
            sim_fac *f = &s->facs[s->nfacs];
            f->cfg = fc;
            f->ops = ops_of(fc->type);
            f->index = s->nfacs++;
            char suffix[3];
            base36(suffix, k);
            if (fc->copies > 1)
                snprintf(f->code, sizeof f->code, "%.2s%s", fc->code, suffix);
            else
                custos_strlcpy(f->code, fc->code, sizeof f->code);
            sim_mba *m = custos_calloc(1, sizeof *m);
            if (!m)
                return custos_error_nomem();
            f->mba[f->nmba++] = m;
            if (fc->copies > 1)
                snprintf(m->code, sizeof m->code, "%.2s%s", fc->mba, suffix);
            else
                custos_strlcpy(m->code, fc->mba, sizeof m->code);
            m->fac = f;
            m->index = s->nmbas;
            m->pit_days = fc->pit_days;
            s->mbas[s->nmbas++] = m;
            uint64_t h = code_hash(f->code);
            sim_rng_seed(&f->proc, s->seed, h * 2 + 1);
            sim_rng_seed(&f->meas, s->seed, h * 2 + 2);
        }
    }
    /* Destinations: codes or prefixes, in the order given. */
    for (int i = 0; i < s->nfacs; i++) {
        sim_fac *f = &s->facs[i];
        for (int k = 0; k < f->cfg->nship; k++) {
            const char *want = f->cfg->ship_to[k];
            bool found = false;
            for (int j = 0; j < s->nfacs; j++) {
                if (!strncmp(s->facs[j].code, want, strlen(want)) && j != i) {
                    if (f->ndst < (int)(sizeof f->dst / sizeof f->dst[0]))
                        f->dst[f->ndst++] = &s->facs[j];
                    s->facs[j].has_supplier = true;
                    found = true;
                }
            }
            if (!found)
                return custos_error_set(CUSTOS_EINVAL, "facility %s ships to %s, which the "
                                                       "configuration does not have",
                                        f->code, want);
        }
    }
    for (int i = 0; i < c->ndiversions; i++) {
        s->div[i].m = find_mba(s, c->diversions[i].mba);
        if (!s->div[i].m)
            return custos_error_set(CUSTOS_EINVAL, "diversion %d: no MBA %s in the configuration",
                                    i + 1, c->diversions[i].mba);
        sim_conceal k = c->diversions[i].conceal;
        sim_type t = s->div[i].m->fac->cfg->type;
        if (k == SIM_INFLATED_DISCARDS && t != SIM_CONVERSION && t != SIM_FABRICATION &&
            t != SIM_REPROCESSING)
            return custos_error_set(CUSTOS_EINVAL, "diversion %d: MBA %s makes no measured "
                                                  "discards to inflate",
                                    i + 1, c->diversions[i].mba);
    }
    for (int i = 0; i < c->ncorrections; i++) {
        sim_mba *m = find_mba(s, c->corrections[i].mba);
        if (!m)
            return custos_error_set(CUSTOS_EINVAL, "correction %d: no MBA %s in the "
                                                   "configuration",
                                    i + 1, c->corrections[i].mba);
        m->corr_state = 1;
        m->corr_after = c->corrections[i].after;
    }
    int err;
    for (int i = 0; i < s->nfacs; i++) {
        if ((err = sim_facility_describe(s, &s->facs[i])) < 0)
            return err;
        if ((err = s->sink->facility(s->sink->ctx, s->facs[i].code, s->facs[i].json,
                                     s->facs[i].json_len)) < 0)
            return err;
        /* Its calibration periods grow with the years: not kept. */
        custos_free(s->facs[i].json);
        s->facs[i].json = NULL;
    }
    return CUSTOS_OK;
}

static int deliver(sim *s, custos_date d)
{
    size_t keep = 0;
    int err = CUSTOS_OK;
    for (size_t i = 0; i < s->ntransit; i++) {
        sim_transit t = s->transit[i];
        if (t.arrive > d || err < 0) {
            s->transit[keep++] = t;
            continue;
        }
        t.to->fac->in_transit--;
        err = t.to->fac->ops->receive(s, t.to->fac, &t, d);
    }
    s->ntransit = keep;
    return err;
}

static int finish_truth(sim *s)
{
    custos_buf *b = &s->truth;
    int err;
    if ((err = custos_buf_puts(b, "\n],\n\"corrections\": [")) < 0)
        return err;
    bool first = true;
    for (int i = 0; i < s->nmbas; i++) {
        const sim_mba *m = s->mbas[i];
        if (m->corr_state < 2)
            continue;
        if ((err = custos_buf_printf(b, "%s\n{\"mba\": \"%s\", \"report\": %lld, \"entry\": %d, "
                                        "\"corrected_in\": %lld}",
                                     first ? "" : ",", m->code, (long long)m->corr_report,
                                     (int)m->corr_number, (long long)m->corr_in)) < 0)
            return err;
        first = false;
    }
    if ((err = custos_buf_puts(b, "\n],\n\"diversions\": [")) < 0)
        return err;
    static const char *const conceal[] = {"unreported", "inflated-discards", "falsified-transfers",
                                          "biased-measurements"};
    for (int i = 0; i < s->cfg->ndiversions; i++) {
        const sim_diversion_cfg *v = &s->cfg->diversions[i];
        if ((err = custos_buf_printf(b, "%s\n{\"mba\": \"%s\", \"element\": \"%s\", \"profile\": \"%s\", "
                                        "\"concealment\": \"%s\", \"start\": ",
                                     i ? "," : "", v->mba, v->element == 'P' ? "Pu" : "U",
                                     v->abrupt ? "abrupt" : "protracted", conceal[v->conceal])) < 0 ||
            (err = put_iso(b, v->start)) < 0 || (err = custos_buf_puts(b, ", \"end\": ")) < 0 ||
            (err = put_iso(b, v->end)) < 0 ||
            (err = custos_buf_printf(b, ", \"planned_mg\": %lld, \"removed_mg\": %lld, "
                                        "\"concealed_mg\": %lld}",
                                     (long long)v->amount_mg, (long long)s->div[i].removed,
                                     (long long)s->div[i].concealed)) < 0)
            return err;
    }
    if ((err = custos_buf_puts(b, "\n],\n\"enrichment\": [")) < 0)
        return err;
    first = true;
    for (int i = 0; i < s->nfacs; i++) {
        const sim_fac *f = &s->facs[i];
        if (f->cfg->type != SIM_ENRICHMENT)
            continue;
        int64_t swu_g = sim_round(f->swu * 1000.0);
        if ((err = custos_buf_printf(
                 b, "%s\n{\"facility\": \"%s\", \"feed_u_mg\": %lld, \"feed_u235_mg\": %lld, "
                    "\"product_u_mg\": %lld, \"product_u235_mg\": %lld, \"tails_u_mg\": %lld, "
                    "\"tails_u235_mg\": %lld, \"swu_kg\": \"%s%lld.%03lld\"}",
                 first ? "" : ",", f->code, (long long)f->feed.u, (long long)f->feed.u235,
                 (long long)f->product.u, (long long)f->product.u235, (long long)f->tails.u,
                 (long long)f->tails.u235, swu_g < 0 ? "-" : "",
                 (long long)(swu_g < 0 ? -swu_g : swu_g) / 1000,
                 (long long)(swu_g < 0 ? -swu_g : swu_g) % 1000)) < 0)
            return err;
        first = false;
    }
    if ((err = custos_buf_puts(b, "\n],\n\"downblending\": [")) < 0)
        return err;
    first = true;
    for (int i = 0; i < s->nfacs; i++) {
        const sim_fac *f = &s->facs[i];
        if (f->cfg->type != SIM_DOWNBLENDING)
            continue;
        if ((err = custos_buf_printf(
                 b, "%s\n{\"facility\": \"%s\", \"heu_u_mg\": %lld, \"heu_u235_mg\": %lld, "
                    "\"blendstock_u_mg\": %lld, \"blendstock_u235_mg\": %lld, \"product_u_mg\": "
                    "%lld, \"product_u235_mg\": %lld}",
                 first ? "" : ",", f->code, (long long)f->feed.u, (long long)f->feed.u235,
                 (long long)f->blend.u, (long long)f->blend.u235, (long long)f->product.u,
                 (long long)f->product.u235)) < 0)
            return err;
        first = false;
    }
    if ((err = custos_buf_printf(b, "\n],\n\"in_transit_at_end\": %zu,\n\"reports\": %llu,\n"
                                    "\"entries\": %llu\n}\n",
                                 s->ntransit, (unsigned long long)s->stats.reports,
                                 (unsigned long long)s->stats.entries)) < 0)
        return err;
    return truth_flush(s, true);
}

int custos_sim_run(const custos_sim_config *c, const custos_sim_options *opt,
                   const custos_sim_sink *sink, custos_sim_stats *stats)
{
    sim s;
    memset(&s, 0, sizeof s);
    s.cfg = c;
    s.sink = sink;
    s.seed = opt ? opt->seed : 0;
    s.errors = opt && opt->errors >= 0 ? opt->errors != 0 : c->errors;
    int years = opt && opt->years > 0 ? opt->years : c->years;
    s.start = c->start;
    s.end = custos_date_add(c->start + years * 10000, -1);
    if (!custos_date_valid(c->start + years * 10000))
        s.end = custos_date_add(c->start + years * 10000 - 1, -1);
    custos_buf_init(&s.truth, 64u << 20);
    s.truth_first = true;
    int err;
    if ((err = setup(&s)) < 0)
        goto done;
    char iso1[11], iso2[11];
    custos_date_iso(iso1, s.start);
    custos_date_iso(iso2, s.end);
    if ((err = custos_buf_printf(&s.truth, "{\n\"state\": \"%s\",\n\"seed\": %llu,\n\"start\": "
                                           "\"%s\",\n\"end\": \"%s\",\n\"measurement_errors\": "
                                           "%s,\n\"balances\": [",
                                 c->state, (unsigned long long)s.seed, iso1, iso2,
                                 s.errors ? "true" : "false")) < 0)
        goto done;
    /* Opening inventories and the opening PIL, the day before the start. */
    custos_date opening = custos_date_add(s.start, -1);
    s.today = opening;
    for (int i = 0; i < s.nfacs && err >= 0; i++)
        err = s.facs[i].ops->init(&s, &s.facs[i]);
    if (err < 0)
        goto done;
    for (int i = 0; i < s.nmbas && err >= 0; i++) {
        s.mbas[i]->icr_start = s.start;
        s.mbas[i]->last_pit = opening;
        err = take_pit(&s, s.mbas[i], opening, true);
    }
    if (err < 0)
        goto done;
    uint64_t total = (uint64_t)custos_date_diff(s.start, s.end) + 1, day = 0;
    for (custos_date d = s.start; d <= s.end && err >= 0; d = custos_date_add(d, 1), day++) {
        s.today = d;
        for (int i = 0; i < s.nfacs && err >= 0; i++)
            err = s.facs[i].ops->day(&s, &s.facs[i], d);
        if (err >= 0)
            err = deliver(&s, d);
        if (err >= 0)
            err = divert(&s, d);
        for (int i = 0; i < s.nmbas && err >= 0; i++) {
            sim_mba *m = s.mbas[i];
            if (d == m->next_pit) {
                err = take_pit(&s, m, d, false);
            } else if (sim_month_end(d) || d == s.end) {
                err = close_icr(&s, m, d, false);
            }
        }
        if (opt && opt->progress && (day % 16 == 0 || d == s.end))
            opt->progress(opt->progress_ctx, day + 1, total, s.stats.entries);
    }
    if (err >= 0)
        err = finish_truth(&s);
    if (err >= 0 && stats) {
        s.stats.facilities = (uint64_t)s.nfacs;
        s.stats.mbas = (uint64_t)s.nmbas;
        s.stats.days = total;
        *stats = s.stats;
    }
done:
    sim_dispose(&s);
    return err;
}
