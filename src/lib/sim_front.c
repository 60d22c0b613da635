/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_front.c: the front end of the fuel cycle: conversion (natural U),
 * enrichment, fuel fabrication and down-blending.
 *
 * Enrichment: feed F of assay x_F splits into product P (x_P) and tails
 * W (x_W) with F = P + W and F x_F = P x_P + W x_W, exactly in milligrams:
 * the day's product and its U-235 are rounded once, the tails take the
 * rest of the feed.  The books carry the split as category changes NE
 * (product) and ND (tails) when a cylinder is filled, or at a PIT for the
 * part filled so far.  Separative work P V(x_P) + W V(x_W) - F V(x_F) with
 * V(x) = (2x - 1) ln(x / (1 - x)) is summed from each day's true assays.
 *
 * Down-blending: m_H x_H + m_B x_B = m_P x_P, the product being exactly
 * the sum of the HEU and blendstock drawn (uranium and U-235).
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF /* GCC: off already in ISO C mode (-std=c11) */
#endif

#include <string.h>

#include "simint.h"

#define NATURAL 0.00711

/* Daily throughput in mg with a +-10 % day-to-day variation. */
static int64_t daily(sim_fac *f, double t_per_year, bool jitter)
{
    double v = t_per_year * 1e9 / 365.0;
    if (jitter)
        v *= 0.9 + 0.2 * sim_rng_uniform(&f->proc);
    return (int64_t)v;
}

static int64_t stock_u(const sim_mba *m, const char *kmp)
{
    int64_t u = 0;
    for (size_t i = 0; i < m->nb; i++)
        if (!strcmp(m->b[i].kmp, kmp))
            u += m->b[i].truth.u;
    return u;
}

static int count_at(const sim_mba *m, const char *kmp, int state)
{
    int n = 0;
    for (size_t i = 0; i < m->nb; i++)
        if (!strcmp(m->b[i].kmp, kmp) && (state < 0 || m->b[i].state == state))
            n++;
    return n;
}

static sim_batch *find_state(sim_mba *m, const char *kmp, int state)
{
    for (size_t i = 0; i < m->nb; i++)
        if (!strcmp(m->b[i].kmp, kmp) && m->b[i].state == state)
            return &m->b[i];
    return NULL;
}

static int new_bulk(sim_mba *m, const char *prefix, const char *kmp, const char *mdc, char cat,
                    int64_t u, double x, int state)
{
    sim_batch *b;
    int aerr = sim_batch_add(&b, m, prefix, kmp, mdc, cat, false);
    if (aerr < 0)
        return aerr;
    b->truth.u = u;
    b->truth.u235 = sim_u235_of(u, x);
    b->book = b->truth;
    b->state = state;
    return CUSTOS_OK;
}

/* Ship (or export) every batch at kmp in state 0 that has somewhere to go. */
static int ship_ready(sim *s, sim_fac *f, const char *store_kmp, const char *flow_kmp,
                      custos_date d, bool export_rest)
{
    sim_mba *m = f->mba[0];
    int err = CUSTOS_OK;
    for (size_t i = 0; i < m->nb && err >= 0;) {
        sim_batch *b = &m->b[i];
        if (strcmp(b->kmp, store_kmp) || b->state != 0) {
            i++;
            continue;
        }
        sim_fac *dst = NULL;
        bool go = sim_export_now(f);
        if (!go) {
            dst = sim_next_dst(s, f, b->cat, b->item);
            go = dst || (export_rest && f->ndst == 0);
        }
        if (!go) {
            i++;
            continue;
        }
        err = sim_ship(s, m, i, dst, flow_kmp, d);
    }
    return err;
}

/* ---- conversion --------------------------------------------------------- */

static int conv_init(sim *s, sim_fac *f)
{
    (void)s;
    sim_mba *m = f->mba[0];
    int64_t day = daily(f, f->cfg->throughput_t, false);
    int err = CUSTOS_OK;
    for (int k = 0; k * 30 < f->cfg->stock_days && err >= 0; k++)
        err = new_bulk(m, "U", "1", "F/U/Q/B", 'N', day * 30, NATURAL, 0);
    if (err >= 0)
        err = new_bulk(m, "P", "2", "N/J/5/E", 'N', day * f->cfg->holdup_days, NATURAL, 1);
    if (err >= 0)
        err = new_bulk(m, "C", "3", "O/G/U/B", 'N', (int64_t)(f->cfg->batch_kg * 1e6), NATURAL, 0);
    f->cap = 20;
    return err;
}

static int conv_day(sim *s, sim_fac *f, custos_date d)
{
    sim_mba *m = f->mba[0];
    const sim_fac_cfg *c = f->cfg;
    int64_t day = daily(f, c->throughput_t, true);
    int err = CUSTOS_OK;
    /* Ore concentrate from abroad, a month's worth at a time. */
    if (d % 100 == 1 && stock_u(m, "1") < daily(f, c->throughput_t, false) * c->stock_days) {
        sim_mat lot = {day * 30, 0, 0};
        lot.u235 = sim_u235_of(lot.u, NATURAL);
        int32_t drums = (int32_t)(lot.u / (350 * SIM_KG)) + 1;
        if ((err = sim_import(s, m, d, "U", "A", "1", "F/U/Q/B", 'N', false, drums, &lot, NULL)) < 0)
            return err;
    }
    sim_batch *hold = find_state(m, "2", 1);
    if (!hold)
        return custos_error_set(CUSTOS_EINVAL, "conversion %s lost its process", f->code);
    /* Dissolution and purification: ore concentrate into the process. */
    if (count_at(m, "3", 0) < f->cap) {
        int64_t want = day;
        long i;
        while (want > 0 && (i = sim_batch_find(m, "1", 'N', 0)) >= 0) {
            sim_mat t;
            sim_take_u(&m->b[i], want, &t);
            want -= t.u;
            if (m->b[i].truth.u == 0)
                sim_batch_remove(m, (size_t)i);
            hold = find_state(m, "2", 1);
            hold->truth.u += t.u;
            hold->truth.u235 += t.u235;
        }
    }
    /* Output above the holdup: UF6 into cylinders, a share to waste. */
    hold = find_state(m, "2", 1);
    int64_t target = daily(f, c->throughput_t, false) * c->holdup_days;
    if (hold->truth.u > target) {
        sim_mat out, waste;
        sim_take_u(hold, hold->truth.u - target, &out);
        waste.u = sim_muldiv(out.u, c->discard_ppm, 1000000);
        waste.u235 = sim_muldiv(out.u235, c->discard_ppm, 1000000);
        waste.pu = 0;
        f->pool.u += waste.u;
        f->pool.u235 += waste.u235;
        out.u -= waste.u;
        out.u235 -= waste.u235;
        sim_batch *cyl = find_state(m, "3", 1);
        if (!cyl) {
            if ((err = new_bulk(m, "C", "3", "O/G/U/B", 'N', 0, NATURAL, 1)) < 0)
                return err;
            cyl = find_state(m, "3", 1);
        }
        cyl->truth.u += out.u;
        cyl->truth.u235 += out.u235;
        if (cyl->truth.u >= (int64_t)(c->batch_kg * 1e6)) {
            sim_mat rep;
            sim_measure(s, m, "3", cyl->mdc, &cyl->truth, &rep);
            sim_set_book(cyl, &rep);
            cyl->state = 0;
        }
    }
    /* Waste drums at each month end, and before a PIT (what is not on
     * inventory at the PIT must have left through a discard). */
    if ((custos_date_add(d, 1) % 100 == 1 || d == m->next_pit) && f->pool.u > 0) {
        if ((err = sim_discard(s, m, d, "C", "T/U/N/D", 'N', &f->pool)) < 0)
            return err;
        memset(&f->pool, 0, sizeof f->pool);
    }
    return ship_ready(s, f, "3", "B", d, true);
}

static int front_receive(sim *s, sim_fac *f, sim_transit *t, custos_date d)
{
    /* UF6 and oxide arrive in bulk and are weighed and sampled here. */
    return sim_receive(s, f->mba[0], t, "A", "1", true, d);
}

static int no_room(const sim_fac *f, char cat, bool item)
{
    (void)f;
    (void)cat;
    (void)item;
    return 0;
}

const sim_ops sim_conversion_ops = {conv_init, conv_day, front_receive, no_room};

/* ---- enrichment --------------------------------------------------------- */

#define TAILS_CYL_KG 8000

static int64_t feed_per_day(const sim_fac *f)
{
    const sim_fac_cfg *c = f->cfg;
    double p = c->throughput_t * 1e9 / 365.0;
    return (int64_t)(p * (c->product_assay - c->tails_assay) / (c->feed_assay - c->tails_assay));
}

static int enr_init(sim *s, sim_fac *f)
{
    (void)s;
    sim_mba *m = f->mba[0];
    const sim_fac_cfg *c = f->cfg;
    int64_t cyl = 8000 * SIM_KG;
    int n = (int)(feed_per_day(f) * c->stock_days / cyl) + 1;
    int err = CUSTOS_OK;
    for (int k = 0; k < n && err >= 0; k++)
        err = new_bulk(m, "F", "1", "O/G/U/B", 'N', cyl, c->feed_assay, 0);
    if (err >= 0)
        err = new_bulk(m, "F", "4", "O/G/U/B", 'N', cyl / 2, c->feed_assay, 0);
    if (err >= 0)
        err = new_bulk(m, "P", "2", "O/G/R/B", 'E', (int64_t)(c->batch_kg * 1e6), c->product_assay,
                       0);
    if (err >= 0)
        err = new_bulk(m, "T", "3", "O/G/U/B", 'D', TAILS_CYL_KG * SIM_KG, c->tails_assay, 0);
    f->cap = n + 4;
    return err;
}

/* Book the category change of a filling cylinder and close it. */
static int enr_close(sim *s, sim_fac *f, sim_batch *b, const char *code, custos_date d)
{
    sim_mba *m = f->mba[0];
    if (b->truth.u <= 0)
        return CUSTOS_OK;
    sim_mat rep;
    sim_measure(s, m, b->kmp, b->mdc, &b->truth, &rep);
    int64_t from235 = sim_muldiv(rep.u, b->aux, b->truth.u);
    char batch[17], kmp[3];
    custos_strlcpy(batch, b->name, sizeof batch);
    custos_strlcpy(kmp, b->kmp, sizeof kmp);
    int64_t tu = b->truth.u, t235 = b->truth.u235, taux = b->aux;
    sim_set_book(b, &rep);
    b->state = 0;
    return sim_book_category(s, m, d, code, batch, kmp, code[1] == 'E' ? "O/G/R/B" : "O/G/U/B",
                             rep.u, from235, rep.u235, tu, taux, t235);
}

static int enr_day(sim *s, sim_fac *f, custos_date d)
{
    sim_mba *m = f->mba[0];
    const sim_fac_cfg *c = f->cfg;
    int err = CUSTOS_OK;
    /* Natural UF6 from abroad when no domestic conversion plant supplies
     * the feed: when the stock falls below a month of feed, 48Y cylinders
     * for stock_days more arrive in one shipment. */
    if (!f->has_supplier && stock_u(m, "1") + stock_u(m, "4") < feed_per_day(f) * 30) {
        int64_t cyl = 8000 * SIM_KG;
        int n = (int)(feed_per_day(f) * c->stock_days / cyl) + 1;
        for (int k = 0; k < n && err >= 0; k++) {
            sim_mat lot = {cyl, sim_u235_of(cyl, c->feed_assay), 0};
            err = sim_import(s, m, d, "F", "A", "1", "O/G/U/B", 'N', false, 1, &lot, NULL);
        }
        if (err < 0)
            return err;
    }
    if (count_at(m, "2", 0) < 20) {
        int64_t p_day = daily(f, c->throughput_t, true);
        int64_t f_need =
            (int64_t)((double)p_day * (c->product_assay - c->tails_assay) /
                      (c->feed_assay - c->tails_assay));
        sim_mat fm = {0, 0, 0};
        while (fm.u < f_need) {
            long st = sim_batch_find(m, "4", 'N', 0);
            if (st < 0) {
                long nx = sim_batch_find(m, "1", 'N', 0);
                if (nx < 0)
                    break;
                custos_strlcpy(m->b[nx].kmp, "4", sizeof m->b[nx].kmp);
                continue;
            }
            sim_mat t;
            sim_take_u(&m->b[st], f_need - fm.u, &t);
            fm.u += t.u;
            fm.u235 += t.u235;
            if (m->b[st].truth.u == 0)
                sim_batch_remove(m, (size_t)st);
        }
        if (fm.u > 0) {
            double xf = (double)fm.u235 / (double)fm.u;
            double xp = c->product_assay, xw = c->tails_assay;
            int64_t pu = sim_round((double)fm.u * (xf - xw) / (xp - xw));
            int64_t p235 = sim_u235_of(pu, xp);
            if (p235 > fm.u235)
                p235 = fm.u235;
            int64_t wu = fm.u - pu, w235 = fm.u235 - p235;
            int64_t share = sim_muldiv(pu, fm.u235, fm.u);
            sim_batch *pc = find_state(m, "2", 1);
            if (!pc) {
                if ((err = new_bulk(m, "P", "2", "O/G/R/B", 'E', 0, xp, 1)) < 0)
                    return err;
                pc = find_state(m, "2", 1);
            }
            pc->truth.u += pu;
            pc->truth.u235 += p235;
            pc->aux += share;
            sim_batch *tc = find_state(m, "3", 1);
            if (!tc) {
                if ((err = new_bulk(m, "T", "3", "O/G/U/B", 'D', 0, xw, 1)) < 0)
                    return err;
                tc = find_state(m, "3", 1);
            }
            tc->truth.u += wu;
            tc->truth.u235 += w235;
            tc->aux += fm.u235 - share;
            f->feed.u += fm.u;
            f->feed.u235 += fm.u235;
            f->product.u += pu;
            f->product.u235 += p235;
            f->tails.u += wu;
            f->tails.u235 += w235;
            if (pu > 0 && wu > 0 && w235 > 0) {
                double P = (double)pu / 1e6, W = (double)wu / 1e6, F = (double)fm.u / 1e6;
                f->swu += P * custos_sim_swu_value((double)p235 / (double)pu) +
                          W * custos_sim_swu_value((double)w235 / (double)wu) -
                          F * custos_sim_swu_value(xf);
            }
        }
    }
    bool pit = d == m->next_pit;
    sim_batch *pc = find_state(m, "2", 1);
    if (pc && (pit || pc->truth.u >= (int64_t)(c->batch_kg * 1e6)))
        if ((err = enr_close(s, f, pc, "NE", d)) < 0)
            return err;
    sim_batch *tc = find_state(m, "3", 1);
    if (tc && (pit || tc->truth.u >= TAILS_CYL_KG * SIM_KG))
        if ((err = enr_close(s, f, tc, "ND", d)) < 0)
            return err;
    /* Tails: kept on site, the oldest sent abroad past ten cylinders. */
    while (count_at(m, "3", 0) > 10 && err >= 0) {
        long i = sim_batch_find(m, "3", 'D', 0);
        while (i >= 0 && m->b[i].state != 0)
            i = sim_batch_find(m, "3", 'D', (size_t)i + 1);
        if (i < 0)
            break;
        err = sim_ship(s, m, (size_t)i, NULL, "C", d);
    }
    if (err < 0)
        return err;
    return ship_ready(s, f, "2", "B", d, true);
}

static int enr_room(const sim_fac *f, char cat, bool item)
{
    if (cat != 'N' || item)
        return 0;
    return f->cap - count_at(f->mba[0], "1", -1) - count_at(f->mba[0], "4", -1) - f->in_transit;
}

const sim_ops sim_enrichment_ops = {enr_init, enr_day, front_receive, enr_room};

/* ---- fuel fabrication ---------------------------------------------------- */

static int fab_init(sim *s, sim_fac *f)
{
    (void)s;
    sim_mba *m = f->mba[0];
    const sim_fac_cfg *c = f->cfg;
    int64_t day = daily(f, c->throughput_t, false);
    int64_t cyl = 1500 * SIM_KG;
    int n = (int)(day * c->stock_days / cyl) + 1;
    int err = CUSTOS_OK;
    for (int k = 0; k < n && err >= 0; k++)
        err = new_bulk(m, "C", "1", "O/G/R/B", 'E', cyl, c->enrichment, 0);
    if (err >= 0)
        err = new_bulk(m, "P", "2", "G/Q/L/C", 'E', day * c->holdup_days, c->enrichment, 1);
    if (err >= 0)
        err = new_bulk(m, "S", "3", "R/Q/L/D", 'E', sim_muldiv(day * 30, c->scrap_ppm, 1000000),
                       c->enrichment, 2);
    for (int k = 0; k < 4 && err >= 0; k++) {
        sim_batch *b;
        int aerr = sim_batch_add(&b, m, "A", "4", "B/Q/1/F", 'E', true);
        if (aerr < 0)
            return aerr;
        b->truth.u = (int64_t)(c->assembly_kg * 1e6);
        b->truth.u235 = sim_u235_of(b->truth.u, c->enrichment);
        b->book = b->truth;
    }
    f->cap = n + 3;
    return err;
}

static int fab_day(sim *s, sim_fac *f, custos_date d)
{
    sim_mba *m = f->mba[0];
    const sim_fac_cfg *c = f->cfg;
    int err = CUSTOS_OK;
    int64_t asm_u = (int64_t)(c->assembly_kg * 1e6);
    int64_t target = daily(f, c->throughput_t, false) * c->holdup_days;
    /* UF6 into powder. */
    sim_batch *pool = find_state(m, "2", 1);
    long ci;
    while (pool && pool->truth.u < target && (ci = sim_batch_find(m, "1", 'E', 0)) >= 0) {
        sim_mat t;
        sim_take_u(&m->b[ci], m->b[ci].truth.u, &t);
        sim_batch_remove(m, (size_t)ci);
        pool = find_state(m, "2", 1);
        pool->truth.u += t.u;
        pool->truth.u235 += t.u235;
    }
    /* Pellets, rods, assemblies; scrap and waste as they go. */
    if (count_at(m, "4", -1) < 60)
        f->acc_mg += daily(f, c->throughput_t, true);
    while (f->acc_mg >= asm_u && err >= 0) {
        pool = find_state(m, "2", 1);
        int64_t need = asm_u + sim_muldiv(asm_u, c->scrap_ppm + c->discard_ppm, 1000000);
        if (!pool || pool->truth.u < need)
            break;
        f->acc_mg -= asm_u;
        sim_mat a, scrap, waste;
        sim_take_u(pool, asm_u, &a);
        sim_take_u(pool, sim_muldiv(asm_u, c->scrap_ppm, 1000000), &scrap);
        sim_take_u(pool, sim_muldiv(asm_u, c->discard_ppm, 1000000), &waste);
        sim_batch *sb = find_state(m, "3", 2);
        if (sb) {
            sb->truth.u += scrap.u;
            sb->truth.u235 += scrap.u235;
        }
        f->pool.u += waste.u;
        f->pool.u235 += waste.u235;
        sim_batch *b;
        int aerr = sim_batch_add(&b, m, "A", "4", "B/Q/1/F", 'E', true);
        if (aerr < 0)
            return aerr;
        b->truth = a;
        b->date = d;
        sim_mat rep;
        sim_measure(s, m, "4", b->mdc, &a, &rep);
        sim_set_book(b, &rep);
    }
    /* Month start: scrap back into the process. */
    if (d % 100 == 1) {
        sim_batch *sb = find_state(m, "3", 2);
        pool = find_state(m, "2", 1);
        if (sb && pool) {
            sim_mat t;
            sim_take_u(sb, sb->truth.u, &t);
            pool->truth.u += t.u;
            pool->truth.u235 += t.u235;
        }
    }
    /* Month end and the day of a PIT: the waste drums are measured and
     * discarded. */
    if (custos_date_add(d, 1) % 100 == 1 || d == m->next_pit) {
        if (f->pool.u > 0) {
            if ((err = sim_discard(s, m, d, "C", "T/Q/N/D", 'E', &f->pool)) < 0)
                return err;
            memset(&f->pool, 0, sizeof f->pool);
        }
    }
    return ship_ready(s, f, "4", "B", d, true);
}

static int fab_room(const sim_fac *f, char cat, bool item)
{
    if (cat != 'E' || item)
        return 0;
    return f->cap - count_at(f->mba[0], "1", -1) - f->in_transit;
}

const sim_ops sim_fabrication_ops = {fab_init, fab_day, front_receive, fab_room};

/* ---- down-blending ------------------------------------------------------- */

#define HEU_CAN_KG 20
#define BLEND_CYL_KG 1500

static int blend_init(sim *s, sim_fac *f)
{
    (void)s;
    sim_mba *m = f->mba[0];
    const sim_fac_cfg *c = f->cfg;
    int64_t day = daily(f, c->throughput_t, false);
    int n = (int)(day * c->stock_days / (HEU_CAN_KG * SIM_KG)) + 1;
    int err = CUSTOS_OK;
    for (int k = 0; k < n && err >= 0; k++)
        err = new_bulk(m, "H", "1", "F/Q/G/C", 'E', HEU_CAN_KG * SIM_KG, c->heu_assay, 0);
    double ratio = (c->heu_assay - c->product_assay) / (c->product_assay - c->blendstock_assay);
    int nb = (int)((double)(day * c->stock_days) * ratio / (BLEND_CYL_KG * 1e6)) + 1;
    for (int k = 0; k < nb && err >= 0; k++)
        err = new_bulk(m, "B", "2", "O/G/R/B", 'E', BLEND_CYL_KG * SIM_KG, c->blendstock_assay, 0);
    return err;
}

/* Up to u of uranium (enriched) from the batches at kmp, in order; an
 * emptied batch is removed and the search goes on from its place. */
static void take_in_order(sim_mba *m, const char *kmp, int64_t u, sim_mat *out)
{
    memset(out, 0, sizeof *out);
    long i = 0;
    while (out->u < u && (i = sim_batch_find(m, kmp, 'E', (size_t)i)) >= 0) {
        sim_mat t;
        sim_take_u(&m->b[i], u - out->u, &t);
        out->u += t.u;
        out->u235 += t.u235;
        if (m->b[i].truth.u == 0)
            sim_batch_remove(m, (size_t)i);
    }
}

static int blend_day(sim *s, sim_fac *f, custos_date d)
{
    sim_mba *m = f->mba[0];
    const sim_fac_cfg *c = f->cfg;
    int err = CUSTOS_OK;
    int64_t day = daily(f, c->throughput_t, false);
    double ratio = (c->heu_assay - c->product_assay) / (c->product_assay - c->blendstock_assay);
    if (d % 100 == 1) {
        /* HEU and blendstock from abroad, a month's worth when low. */
        int64_t heu = stock_u(m, "1"), bl = stock_u(m, "2");
        for (int k = 0; heu < day * c->stock_days && k < 100; k++) {
            sim_mat can = {HEU_CAN_KG * SIM_KG, 0, 0};
            can.u235 = sim_u235_of(can.u, c->heu_assay);
            if ((err = sim_import(s, m, d, "H", "A", "1", "F/Q/G/C", 'E', false, 1, &can, NULL)) < 0)
                return err;
            heu += can.u;
        }
        for (int k = 0; (double)bl < (double)(day * c->stock_days) * ratio && k < 100; k++) {
            sim_mat cyl = {BLEND_CYL_KG * SIM_KG, 0, 0};
            cyl.u235 = sim_u235_of(cyl.u, c->blendstock_assay);
            if ((err = sim_import(s, m, d, "B", "E", "2", "O/G/R/B", 'E', false, 1, &cyl, NULL)) < 0)
                return err;
            bl += cyl.u;
        }
    }
    /* Blend the day's HEU: m_H x_H + m_B x_B = m_P x_P. */
    int64_t want = daily(f, c->throughput_t, true);
    long hi = sim_batch_find(m, "1", 'E', 0);
    if (hi >= 0 && want > 0) {
        sim_mat h; /* the day's HEU from as many cans as it takes */
        take_in_order(m, "1", want, &h);
        double xh = (double)h.u235 / (double)h.u;
        int64_t need = sim_round((double)h.u * (xh - c->product_assay) /
                                 (c->product_assay - c->blendstock_assay));
        sim_mat bl;
        take_in_order(m, "2", need, &bl);
        sim_batch *pc = find_state(m, "3", 1);
        if (!pc) {
            if ((err = new_bulk(m, "L", "3", "O/G/R/B", 'E', 0, c->product_assay, 1)) < 0)
                return err;
            pc = find_state(m, "3", 1);
        }
        pc->truth.u += h.u + bl.u;
        pc->truth.u235 += h.u235 + bl.u235;
        f->feed.u += h.u;
        f->feed.u235 += h.u235;
        f->blend.u += bl.u;
        f->blend.u235 += bl.u235;
        f->product.u += h.u + bl.u;
        f->product.u235 += h.u235 + bl.u235;
    }
    sim_batch *pc = find_state(m, "3", 1);
    if (pc && (pc->truth.u >= (int64_t)(c->batch_kg * 1e6) || (d == m->next_pit && pc->truth.u))) {
        sim_mat rep;
        sim_measure(s, m, "3", pc->mdc, &pc->truth, &rep);
        sim_set_book(pc, &rep);
        pc->state = 0;
    }
    return ship_ready(s, f, "3", "B", d, true);
}

const sim_ops sim_downblending_ops = {blend_init, blend_day, front_receive, no_room};
