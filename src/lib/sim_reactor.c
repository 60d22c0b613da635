/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_reactor.c: power and research reactors, spent fuel storage and the
 * plutonium product store: item facilities, where batches are counted and
 * carry their book values.
 *
 * Burn-up model (simple and stated; docs/internals/simulator.md): an
 * assembly of U0 kg uranium at U-235 fraction x0 that received E MWd of
 * thermal energy has burn-up B = E / U0 (MWd/kg), and at discharge
 *
 *   U-235 left   A  = A0 exp(-B / (beta x0)),           beta = 666 MWd/kg
 *   Pu produced  Pu = U0 (1 - x0) p (1 - exp(-B / Bp)),  p = 0.0167, Bp = 40 MWd/kg
 *   fissioned    F  = 1.052 g/MWd x E   (200 MeV per fission: 2.70e21
 *                     fissions per MWd, times 235 g/mol / 6.022e23)
 *   uranium left U  = U0 - F - Pu       (heavy metal = U + Pu; minor
 *                     actinides neglected)
 *
 * so nuclear loss LN = (U0 - U, A0 - A) and nuclear production NP = Pu.
 * beta and p are fitted to the typical published composition of PWR fuel
 * of 4.2 % U-235 at 45 GWd/t (about 0.8-0.9 % U-235 and 1.1 % Pu left),
 * and give for research-reactor HEU a U-235 consumption of about 1.5 g
 * per MWd at low burn-up (fission plus capture: 1.23 g/MWd in a pure
 * U-235 system).  Loss and production are calculated values: the
 * operator's figures carry the error of the burn-up calculation (method
 * BURNUP-CALC of the facility's measurement model).
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF /* GCC: off already in ISO C mode (-std=c11) */
#endif

#include <stdlib.h>
#include <string.h>

#include "simint.h"

#define BETA 666.0
#define PU_SAT 0.0167
#define PU_B 40.0
#define FISSION_KG_PER_MWD 1.052e-3

void sim_burnup(const sim_mat *fresh, double mwd, sim_mat *loss, int64_t *pu_made)
{
    double u0 = (double)fresh->u / 1e6, a0 = (double)fresh->u235 / 1e6;
    double x0 = u0 > 0 ? a0 / u0 : 0;
    double b = u0 > 0 ? mwd / u0 : 0;
    double a = x0 > 0 ? a0 * sim_exp(-b / (BETA * x0)) : 0;
    double pu = u0 * (1.0 - x0) * PU_SAT * (1.0 - sim_exp(-b / PU_B));
    double fis = FISSION_KG_PER_MWD * mwd;
    double u = u0 - fis - pu;
    if (u < a)
        u = a;
    loss->u = sim_round((u0 - u) * 1e6);
    loss->u235 = sim_round((a0 - a) * 1e6);
    loss->pu = 0;
    *pu_made = sim_round(pu * 1e6);
}

/* A typical discharged assembly (for opening inventories). */
static void spent_assembly(const sim_fac_cfg *c, double x0, double mwd_per_kg, sim_mat *out)
{
    sim_mat fresh = {(int64_t)(c->assembly_kg * 1e6), 0, 0}, loss;
    fresh.u235 = sim_u235_of(fresh.u, x0);
    int64_t pu;
    sim_burnup(&fresh, mwd_per_kg * c->assembly_kg, &loss, &pu);
    out->u = fresh.u - loss.u;
    out->u235 = fresh.u235 - loss.u235;
    out->pu = pu;
}

static int count_at(const sim_mba *m, const char *kmp)
{
    int n = 0;
    for (size_t i = 0; i < m->nb; i++)
        if (!strcmp(m->b[i].kmp, kmp))
            n++;
    return n;
}

static const char *fresh_mdc(const sim_fac *f)
{
    return f->cfg->type == SIM_RESEARCH_REACTOR ? "B/3/1/F" : "B/Q/1/F";
}
static const char *core_mdc(const sim_fac *f)
{
    return f->cfg->type == SIM_RESEARCH_REACTOR ? "B/3/4/G" : "B/Q/4/G";
}
static const char *pond_mdc(const sim_fac *f)
{
    return f->cfg->type == SIM_RESEARCH_REACTOR ? "B/3/1/G" : "B/Q/1/G";
}

/* MWd one assembly receives in one cycle at full core. */
static double cycle_mwd(const sim_fac_cfg *c)
{
    return c->power_mw * (double)(c->cycle_days - c->outage_days) / (double)c->core_assemblies;
}

static int reactor_init(sim *s, sim_fac *f)
{
    sim_mba *m = f->mba[0];
    const sim_fac_cfg *c = f->cfg;
    /* Batches in the core: an assembly stays this many cycles. */
    int batches = (c->core_assemblies + c->reload_assemblies / 2) / c->reload_assemblies;
    if (batches < 1)
        batches = 1;
    int64_t u = (int64_t)(c->assembly_kg * 1e6);
    for (int k = 0; k < c->core_assemblies; k++) {
        sim_batch *b;
        int aerr = sim_batch_add(&b, m, "A", "2", core_mdc(f), 'E', true);
        if (aerr < 0)
            return aerr;
        b->truth.u = u;
        b->truth.u235 = sim_u235_of(u, c->enrichment);
        b->book = b->truth;
        b->energy = (double)(k % batches) * cycle_mwd(c);
    }
    for (int k = 0; k < c->reload_assemblies; k++) {
        sim_batch *b;
        int aerr = sim_batch_add(&b, m, "A", "1", fresh_mdc(f), 'E', true);
        if (aerr < 0)
            return aerr;
        b->truth.u = u;
        b->truth.u235 = sim_u235_of(u, c->enrichment);
        b->book = b->truth;
    }
    /* Spent fuel of earlier cycles in the pond. */
    int cycles = c->cooling_days / c->cycle_days;
    if (cycles > 3)
        cycles = 3;
    double mwd_per_kg = (double)batches * cycle_mwd(c) / c->assembly_kg;
    for (int k = 0; k < cycles * c->reload_assemblies; k++) {
        sim_batch *b;
        int aerr = sim_batch_add(&b, m, "A", "3", pond_mdc(f), 'E', true);
        if (aerr < 0)
            return aerr;
        spent_assembly(c, c->enrichment, mwd_per_kg, &b->truth);
        b->book = b->truth;
        b->date = custos_date_add(s->start, -c->cycle_days * (cycles - k / c->reload_assemblies));
        b->state = 2;
    }
    /* Reactors of a fleet do not all refuel at once. */
    f->counter = (f->index * 37) % c->cycle_days;
    f->cap = 2 * c->reload_assemblies;
    return CUSTOS_OK;
}

/* Core assemblies in discharge order: most energy first, then inventory
 * order. */
typedef struct by_energy {
    double energy;
    size_t i;
} by_energy;

static int cmp_energy(const void *a, const void *b)
{
    const by_energy *x = a, *y = b;
    if (x->energy != y->energy)
        return x->energy > y->energy ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int discharge(sim *s, sim_fac *f, custos_date d)
{
    sim_mba *m = f->mba[0];
    const sim_fac_cfg *c = f->cfg;
    int err = CUSTOS_OK;
    /* The assemblies that received most energy leave (O(n log n): a core
     * may hold thousands of bundles). */
    size_t ncore = 0;
    by_energy *order = custos_malloc((m->nb ? m->nb : 1) * sizeof *order);
    if (!order)
        return custos_error_nomem();
    for (size_t i = 0; i < m->nb; i++)
        if (!strcmp(m->b[i].kmp, "2"))
            order[ncore++] = (by_energy){m->b[i].energy, i};
    qsort(order, ncore, sizeof *order, cmp_energy);
    for (int k = 0; k < c->reload_assemblies && (size_t)k < ncore && err >= 0; k++) {
        size_t best = order[k].i;
        sim_batch *b = &m->b[best];
        sim_mat loss, made = {0, 0, 0};
        int64_t pu;
        sim_burnup(&b->truth, b->energy, &loss, &pu);
        made.pu = pu;
        /* The operator's calculated values. */
        sim_mat rl, rp;
        sim_measure(s, m, "D", b->mdc, &loss, &rl);
        sim_measure(s, m, "D", b->mdc, &made, &rp);
        sim_mat left = {b->truth.u - loss.u, b->truth.u235 - loss.u235, 0};
        if (left.u <= 0 || (double)left.u235 / (double)left.u <= 0.0072) {
            err = custos_error_set(CUSTOS_EINVAL,
                                   "reactor %s: burn-up %.0f MWd/kg leaves the fuel below "
                                   "0.72 %% U-235; lower power_mw or cycle_days, or raise "
                                   "enrichment",
                                   f->code, b->energy / ((double)b->truth.u / 1e6));
            break;
        }
        if ((err = sim_book(s, m, d, "LN", b, "D", &rl, &loss, NULL, NULL, 'M')) < 0)
            break;
        if ((err = sim_book(s, m, d, "NP", b, "D", &rp, &made, NULL, NULL, 'M')) < 0)
            break;
        b = &m->b[best];
        b->truth.u -= loss.u;
        b->truth.u235 -= loss.u235;
        b->truth.pu += made.pu;
        b->book.u -= rl.u;
        b->book.u235 -= rl.u235;
        b->book.pu += rp.pu;
        custos_strlcpy(b->kmp, "3", sizeof b->kmp);
        memcpy(b->mdc, "", 1);
        for (int i = 0, j = 0; pond_mdc(f)[i] && j < 4; i++)
            if (pond_mdc(f)[i] != '/')
                b->mdc[j++] = pond_mdc(f)[i];
        b->date = d;
        b->state = 2;
    }
    custos_free(order);
    if (err < 0)
        return err;
    /* Reload from the fresh fuel store; what the domestic plants did not
     * deliver in time is bought abroad. */
    for (int k = count_at(m, "1"); k < c->reload_assemblies && err >= 0; k++) {
        sim_mat a = {(int64_t)(c->assembly_kg * 1e6), 0, 0};
        a.u235 = sim_u235_of(a.u, c->enrichment);
        err = sim_import(s, m, d, "A", "A", "1", fresh_mdc(f), 'E', true, 1, &a, NULL);
    }
    long i = -1;
    for (int k = 0; k < c->reload_assemblies && err >= 0; k++) {
        /* The one found goes to the core (KMP 2): search on from it. */
        i = sim_batch_find(m, "1", 'E', (size_t)(i + 1));
        if (i < 0)
            break;
        sim_batch *b = &m->b[i];
        custos_strlcpy(b->kmp, "2", sizeof b->kmp);
        for (int q = 0, j = 0; core_mdc(f)[q] && j < 4; q++)
            if (core_mdc(f)[q] != '/')
                b->mdc[j++] = core_mdc(f)[q];
        b->energy = 0;
        b->date = d;
    }
    return err;
}

static int reactor_day(sim *s, sim_fac *f, custos_date d)
{
    sim_mba *m = f->mba[0];
    const sim_fac_cfg *c = f->cfg;
    int err = CUSTOS_OK;
    int run = c->cycle_days - c->outage_days;
    if (f->counter < run) {
        int n = count_at(m, "2");
        double share = n ? c->power_mw / (double)n : 0;
        for (size_t i = 0; i < m->nb; i++)
            if (!strcmp(m->b[i].kmp, "2"))
                m->b[i].energy += share;
    } else if (f->counter == run) {
        if ((err = discharge(s, f, d)) < 0)
            return err;
    }
    if (++f->counter >= c->cycle_days)
        f->counter = 0;
    /* Fresh fuel from abroad when no domestic plant supplies it. */
    if (!f->has_supplier && d % 100 == 1 && count_at(m, "1") < c->reload_assemblies) {
        for (int k = count_at(m, "1"); k < c->reload_assemblies && err >= 0; k++) {
            sim_mat a = {(int64_t)(c->assembly_kg * 1e6), 0, 0};
            a.u235 = sim_u235_of(a.u, c->enrichment);
            err = sim_import(s, m, d, "A", "A", "1", fresh_mdc(f), 'E', true, 1, &a, NULL);
        }
    }
    /* Spent fuel stays in the pond when the reactor ships nowhere: each
     * month's discharge becomes one storage batch. */
    if (f->ndst == 0 && !c->foreign[0]) {
        if (sim_month_end(d))
            err = sim_consolidate(s, m, "3", 'T', d);
        return err;
    }
    /* Cooled spent fuel leaves: to storage or reprocessing, or abroad.
     * (YYYYMMDD integers compare in calendar order.) */
    custos_date cooled = custos_date_add(d, -c->cooling_days);
    for (size_t i = 0; i < m->nb && err >= 0;) {
        sim_batch *b = &m->b[i];
        if (b->kmp[0] != '3' || b->date > cooled) {
            i++;
            continue;
        }
        sim_fac *dst = sim_next_dst(s, f, 'E', true);
        const char *foreign = c->foreign[0] ? c->foreign : NULL;
        if (!dst && (f->ndst > 0 || !foreign)) {
            i++;
            continue;
        }
        err = sim_ship(s, m, i, dst, "B", d);
    }
    return err;
}

static int reactor_receive(sim *s, sim_fac *f, sim_transit *t, custos_date d)
{
    return sim_receive(s, f->mba[0], t, "A", "1", false, d);
}

static int reactor_room(const sim_fac *f, char cat, bool item)
{
    if (cat != 'E' || !item)
        return 0;
    return f->cap - count_at(f->mba[0], "1") - f->in_transit;
}

const sim_ops sim_power_ops = {reactor_init, reactor_day, reactor_receive, reactor_room};
const sim_ops sim_research_ops = {reactor_init, reactor_day, reactor_receive, reactor_room};

/* ---- spent fuel storage ------------------------------------------------ */

static int spent_init(sim *s, sim_fac *f)
{
    (void)s;
    sim_mba *m = f->mba[0];
    sim_fac_cfg typical = *f->cfg;
    typical.assembly_kg = 460;
    int64_t per_day = (int64_t)(f->cfg->throughput_t * 1e9 / 365.0);
    int n = (int)(per_day * f->cfg->stock_days / (460 * SIM_KG)) + 1;
    for (int k = 0; k < n; k++) {
        sim_batch *b;
        int aerr = sim_batch_add(&b, m, "A", "1", "B/Q/1/G", 'E', true);
        if (aerr < 0)
            return aerr;
        spent_assembly(&typical, 0.044, 42.0, &b->truth);
        b->book = b->truth;
        b->date = custos_date_add(s->start, -1);
    }
    return CUSTOS_OK;
}

static int spent_day(sim *s, sim_fac *f, custos_date d)
{
    sim_mba *m = f->mba[0];
    int err = CUSTOS_OK;
    if (f->ndst == 0 && !f->cfg->foreign[0]) {
        /* A store that keeps everything (an away-from-reactor store of a
         * State without reprocessing or export): each month's receipts
         * become one storage batch, at the values the shippers reported. */
        return sim_month_end(d) ? sim_consolidate(s, m, "1", 'L', d) : CUSTOS_OK;
    }
    f->acc_mg += (int64_t)(f->cfg->throughput_t * 1e9 / 365.0);
    long i;
    while (err >= 0 && (i = sim_batch_find(m, "1", 0, 0)) >= 0) {
        int64_t hm = m->b[i].truth.u + m->b[i].truth.pu;
        if (f->acc_mg < hm)
            break;
        sim_fac *dst = sim_next_dst(s, f, m->b[i].cat, true);
        if (!dst && (f->ndst > 0 || !f->cfg->foreign[0]))
            break;
        f->acc_mg -= hm;
        err = sim_ship(s, m, (size_t)i, dst, "B", d);
    }
    if (f->acc_mg > 10 * 460 * SIM_KG)
        f->acc_mg = 10 * 460 * SIM_KG;
    return err;
}

static int store_receive_items(sim *s, sim_fac *f, sim_transit *t, custos_date d)
{
    return sim_receive(s, f->mba[0], t, "A", "1", false, d);
}

static int always_room(const sim_fac *f, char cat, bool item)
{
    (void)f;
    (void)cat;
    (void)item;
    return 1 << 20;
}

const sim_ops sim_spent_ops = {spent_init, spent_day, store_receive_items, always_room};

/* ---- plutonium product store ----------------------------------------------- */

static int pustore_init(sim *s, sim_fac *f)
{
    sim_mba *m = f->mba[0];
    for (int k = 0; k < 2; k++) {
        sim_batch *b;
        int aerr = sim_batch_add(&b, m, "C", "1", "F/Q/G/C", 'P', true);
        if (aerr < 0)
            return aerr;
        b->truth.pu = 10 * SIM_KG;
        b->book = b->truth;
        b->date = custos_date_add(s->start, -1);
    }
    return CUSTOS_OK;
}

static int pustore_day(sim *s, sim_fac *f, custos_date d)
{
    sim_mba *m = f->mba[0];
    int err = CUSTOS_OK;
    if (f->cfg->cooling_days <= 0 || !f->cfg->foreign[0]) {
        /* A store that keeps its plutonium: each month's cans (measured on
         * receipt) become one storage batch. */
        return sim_month_end(d) ? sim_consolidate(s, m, "1", 'T', d) : CUSTOS_OK;
    }
    custos_date held = custos_date_add(d, -f->cfg->cooling_days);
    for (size_t i = 0; i < m->nb && err >= 0;) {
        if (m->b[i].date > held) {
            i++;
            continue;
        }
        err = sim_ship(s, m, i, NULL, "B", d);
    }
    return err;
}

static int pustore_receive(sim *s, sim_fac *f, sim_transit *t, custos_date d)
{
    /* Cans are weighed and measured by calorimetry on receipt. */
    t->batch.item = true;
    return sim_receive(s, f->mba[0], t, "A", "1", true, d);
}

const sim_ops sim_pustore_ops = {pustore_init, pustore_day, pustore_receive, always_room};
