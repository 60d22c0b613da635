/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_reproc.c: a reprocessing plant's main process MBA under
 * near-real-time accountancy (NRTA).
 *
 * Spent fuel assemblies are dissolved on arrival; the solution is measured
 * in the input accountability tank (volume and isotope dilution mass
 * spectrometry), which is the receipt booked (RD, the receiver's value;
 * the reactor's calculated value is the shipper's, so the difference is
 * the shipper/receiver difference).  Five process vessels hold the
 * in-process inventory: accountability and feed tanks, extraction cycles,
 * Pu product, U product and high-level waste.  Each day half of the feed
 * tank moves to the extraction cycles, which pass on 1/holdup_days of
 * their content: plutonium to the Pu product (less loss_pu_fraction to the
 * waste), uranium to the U product (less loss_u_fraction).  Pu product
 * leaves in cans of batch_kg Pu for the plutonium store (SD, measured),
 * reprocessed uranium in lots of 2 t for abroad (SF), waste once a month
 * (LD, measured).  Every vessel is measured anew at each PIT, every
 * pit_days days (default 7): a sequence of short balance periods for
 * NRTA tests (CUSUM, SITMUF).
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF /* GCC: off already in ISO C mode (-std=c11) */
#endif

#include <string.h>

#include "simint.h"

#define U_LOT_KG 2000

enum { T_FEED = 1, T_PROC, T_PU, T_U, T_HLW };

static const struct {
    const char *kmp, *mdc, *prefix;
    char cat;
} vessels[] = {
    [T_FEED] = {"1", "N/J/5/L", "T", 'E'}, [T_PROC] = {"2", "N/J/5/L", "T", 'E'},
    [T_PU] = {"3", "F/Q/G/C", "T", 'P'},   [T_U] = {"4", "F/T/Q/J", "T", 'E'},
    [T_HLW] = {"5", "U/J/5/M", "T", 'E'},
};

static sim_batch *vessel(sim_mba *m, int state)
{
    for (size_t i = 0; i < m->nb; i++)
        if (m->b[i].state == state)
            return &m->b[i];
    return NULL;
}

static void add_mat(sim_batch *b, const sim_mat *x)
{
    b->truth.u += x->u;
    b->truth.u235 += x->u235;
    b->truth.pu += x->pu;
}

/* Take a share ppm of x out of x (proportionally for each quantity). */
static sim_mat split(sim_mat *x, int64_t ppm_u, int64_t ppm_pu)
{
    sim_mat out = {sim_muldiv(x->u, ppm_u, 1000000), sim_muldiv(x->u235, ppm_u, 1000000),
                   sim_muldiv(x->pu, ppm_pu, 1000000)};
    x->u -= out.u;
    x->u235 -= out.u235;
    x->pu -= out.pu;
    return out;
}

static int rep_init(sim *s, sim_fac *f)
{
    (void)s;
    sim_mba *m = f->mba[0];
    const sim_fac_cfg *c = f->cfg;
    /* Typical spent fuel: 4.4 % U-235 at 42 GWd/t. */
    sim_mat fresh = {1000 * SIM_KG, sim_u235_of(1000 * SIM_KG, 0.044), 0}, loss;
    int64_t pu;
    sim_burnup(&fresh, 42000.0, &loss, &pu);
    sim_mat ton = {fresh.u - loss.u, fresh.u235 - loss.u235, pu};
    double t_day = c->throughput_t / 365.0;
    double fill[] = {0, t_day, t_day * c->holdup_days, 0, 0, 0};
    for (int v = T_FEED; v <= T_HLW; v++) {
        sim_batch *b;
        int aerr = sim_batch_add(&b, m, vessels[v].prefix, vessels[v].kmp, vessels[v].mdc,
                                 vessels[v].cat, false);
        if (aerr < 0)
            return aerr;
        b->state = v;
        double k = fill[v];
        b->truth.u = (int64_t)((double)ton.u * k);
        b->truth.u235 = (int64_t)((double)ton.u235 * k);
        b->truth.pu = (int64_t)((double)ton.pu * k);
        if (v == T_PU)
            b->truth.pu = (int64_t)(c->batch_kg * 1e6 / 2);
        if (v == T_U) {
            b->truth.u = U_LOT_KG * SIM_KG / 2;
            b->truth.u235 = sim_muldiv(b->truth.u, ton.u235, ton.u);
        }
        if (v == T_HLW) {
            b->truth.u = (int64_t)((double)ton.u * t_day * 10 * (double)c->loss_u_ppm / 1e6);
            b->truth.u235 = sim_muldiv(b->truth.u, ton.u235, ton.u);
            b->truth.pu = (int64_t)((double)ton.pu * t_day * 10 * (double)c->loss_pu_ppm / 1e6);
        }
        b->book = b->truth;
    }
    return CUSTOS_OK;
}

static int rep_receive(sim *s, sim_fac *f, sim_transit *t, custos_date d)
{
    sim_mba *m = f->mba[0];
    /* Dissolved: measured as solution in the accountability tank. */
    memcpy(t->batch.mdc, "NJ5L", 5);
    t->batch.item = false;
    int err = sim_receive(s, m, t, "A", NULL, true, d);
    if (err < 0)
        return err;
    sim_batch *feed = vessel(m, T_FEED);
    add_mat(feed, &t->batch.truth);
    return CUSTOS_OK;
}

static int rep_day(sim *s, sim_fac *f, custos_date d)
{
    sim_mba *m = f->mba[0];
    const sim_fac_cfg *c = f->cfg;
    int err = CUSTOS_OK;
    sim_batch *feed = vessel(m, T_FEED), *proc = vessel(m, T_PROC);
    if (!feed || !proc)
        return custos_error_set(CUSTOS_EINVAL, "reprocessing %s lost a vessel", f->code);
    /* Feed to extraction: half of the feed tank a day (all of a heel
     * under 1 kg U, so vessels empty rather than keep traces). */
    int64_t half = feed->truth.u < SIM_KG ? 1000000 : 500000;
    sim_mat x = split(&feed->truth, half, half);
    add_mat(proc, &x);
    /* Extraction: 1/holdup_days of the cycles' content comes out. */
    int64_t share = c->holdup_days > 0 ? 1000000 / c->holdup_days : 1000000;
    if (proc->truth.u < SIM_KG)
        share = 1000000;
    sim_mat out = split(&proc->truth, share, share);
    sim_mat waste = {0, 0, 0};
    if (out.u >= SIM_KG)
        waste = split(&out, c->loss_u_ppm, c->loss_pu_ppm);
    add_mat(vessel(m, T_HLW), &waste);
    sim_mat pu_part = {0, 0, out.pu}, u_part = {out.u, out.u235, 0};
    add_mat(vessel(m, T_PU), &pu_part);
    add_mat(vessel(m, T_U), &u_part);
    /* Pu product cans to the store. */
    int64_t can = (int64_t)(c->batch_kg * 1e6);
    while (err >= 0 && vessel(m, T_PU)->truth.pu >= can) {
        sim_fac *dst = sim_next_dst(s, f, 'P', false);
        if (!dst && f->ndst > 0)
            break;
        vessel(m, T_PU)->truth.pu -= can;
        sim_batch *b;
        int aerr = sim_batch_add(&b, m, "P", "3", "F/Q/G/C", 'P', false);
        if (aerr < 0)
            return aerr;
        b->truth.pu = can;
        err = sim_ship(s, m, m->nb - 1, dst, "B", d);
    }
    /* Reprocessed uranium abroad. */
    int64_t lot = U_LOT_KG * SIM_KG;
    while (err >= 0 && vessel(m, T_U)->truth.u >= lot) {
        sim_batch *src = vessel(m, T_U);
        sim_mat t = split(&src->truth, sim_muldiv(lot, 1000000, src->truth.u), 0);
        sim_batch *b;
        int aerr = sim_batch_add(&b, m, "U", "4", "F/T/Q/J", 'E', false);
        if (aerr < 0)
            return aerr;
        b->truth = t;
        err = sim_ship(s, m, m->nb - 1, NULL, "C", d);
    }
    /* High-level waste to the vitrification plant, monthly. */
    if (err >= 0 && d % 100 == 1) {
        sim_batch *h = vessel(m, T_HLW);
        sim_mat w = h->truth;
        h->truth.u = h->truth.u235 = h->truth.pu = 0;
        err = sim_discard(s, m, d, "D", "U/J/5/M", 'E', &w);
    }
    return err;
}

static int rep_room(const sim_fac *f, char cat, bool item)
{
    (void)f;
    return cat == 'E' && item ? 1 << 20 : 0;
}

const sim_ops sim_reprocessing_ops = {rep_init, rep_day, rep_receive, rep_room};
