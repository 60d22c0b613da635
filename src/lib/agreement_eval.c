/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agreement_eval.c: the status of each commitment, from the books
 * (agreement_books.c) and balances, never from declarations.  One
 * function per kind of commitment; the rules are stated in
 * docs/internals/agreements.md and in the comments of each.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agreementint.h"
#include "custos/balance.h"
#include "custos/validate.h"

/* ---- Status helpers ---------------------------------------------------- */

static double unit_mg(const char *unit)
{
    return !strcmp(unit, "t") ? 1e9 : !strcmp(unit, "kg") ? 1e6 : 1e3;
}

static const char *element_name(char e)
{
    return e == 'P' ? "Pu" : e == 'T' ? "Th" : "U";
}

/* Display unit of a mass: "kg UF6" with a form, else "kg U". */
static void mass_unit(char out[24], const ag_mass *m, char element)
{
    snprintf(out, 24, "%s %s", m->unit[0] ? m->unit : "kg", m->form[0] ? m->form : element_name(element));
}

static double to_display(int64_t mg, const ag_mass *m)
{
    return (double)mg / unit_mg(m->unit[0] ? m->unit : "kg") / m->element_fraction;
}

static void figure(custos_commitment_status *st, const char *name, double value, const char *unit)
{
    if (st->nfigures >= CUSTOS_COMMITMENT_MAX_FIGURES)
        return;
    custos_commitment_figure *f = &st->figures[st->nfigures++];
    custos_strlcpy(f->name, name, sizeof f->name);
    f->value = value;
    custos_strlcpy(f->unit, unit, sizeof f->unit);
}

static void reason(custos_commitment_status *st, const char *fmt, ...) CUSTOS_PRINTF(2, 3);

static void reason(custos_commitment_status *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->reason, sizeof st->reason, fmt, ap);
    va_end(ap);
}

static const char *iso(char buf[11], custos_date d)
{
    if (!d)
        return "-";
    custos_date_iso(buf, d);
    return buf;
}

/* Format mg in a mass's display unit, 3 decimals, into buf. */
static const char *fmt_mass(char buf[48], int64_t mg, const ag_mass *m, char element)
{
    char u[24];
    mass_unit(u, m, element);
    snprintf(buf, 48, "%.3f %s", to_display(mg, m), u);
    return buf;
}

/* Linear projection to day t of a quantity that was done_back on day back
 * and done on day t1: the trailing rate carried forward.  With no time
 * between back and t1, the quantity stays. */
static double project(int64_t done, int64_t done_back, custos_date back, custos_date t1,
                      custos_date t)
{
    int days = custos_date_diff(back, t1);
    if (days <= 0)
        return (double)done;
    return (double)done + (double)(done - done_back) / days * custos_date_diff(t1, t);
}

/* The end of the day before d (the window of a commitment that starts on
 * d), or 0 for an open start. */
static custos_date day_before(custos_date d)
{
    return d ? custos_date_add(d, -1) : 0;
}

/* The first PIT of any MBA of the set: before it no books are open. */
static custos_date set_open(const ag_set *s)
{
    custos_date open = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i]->npits && (!open || s->v[i]->pits[0] < open))
            open = s->v[i]->pits[0];
    return open;
}

/* The start of the trailing window for a projection: horizon days back,
 * not before t0. */
static custos_date trail_start(custos_date t0, custos_date t1, int horizon)
{
    custos_date b = custos_date_add(t1, -horizon);
    return b < t0 ? t0 : b;
}

/* Cumulative progress: dated amounts, sorted by date. */
typedef struct dated {
    custos_date date;
    int64_t mg;
} dated;

static int cmp_dated(const void *a, const void *b)
{
    const dated *x = a, *y = b;
    return x->date < y->date ? -1 : x->date > y->date;
}

static int64_t done_by(const dated *v, size_t n, custos_date t)
{
    int64_t s = 0;
    for (size_t i = 0; i < n && v[i].date <= t; i++)
        s += v[i].mg;
    return s;
}

/* ---- limit -------------------------------------------------------------- */

static void no_reports(custos_commitment_status *st, const char *what)
{
    st->state = CUSTOS_COMMITMENT_AT_RISK;
    reason(st, "nothing to verify: no reports of %s in the ledger", what);
}

static int eval_limit(ag_ctx *x, const ag_commitment *c, custos_date as_of,
                      custos_commitment_status *st, ag_entries *L)
{
    ag_set s;
    int err = custos_ag_scope_books(x, &c->scope, &s);
    if (err < 0)
        return err;
    ag_classifier cl = {AG_CL_MATERIAL, &c->material, 0, 0};
    char v1[48], v2[48], v3[48], d1[11], d2[11];
    const ag_mass *m = &c->mass;
    char el = c->material.element;
    /* The same mass in element units, for figures. */
    ag_mass elem = *m;
    elem.form[0] = '\0';
    elem.element_fraction = 1.0;
    char eu[24];
    mass_unit(eu, &elem, el);
    mass_unit(st->unit, m, el);
    st->bound = m->value;
    st->bound_mg = m->mg;
    custos_date t1 = c->until && c->until < as_of ? c->until : as_of;
    custos_date t0 = day_before(c->from);
    if (s.with_reports == 0) {
        no_reports(st, c->scope.state[0] ? "the State" : "the MBAs listed");
        goto done;
    }
    int64_t cur = custos_ag_set_inventory(&s, t1, &cl);
    st->value_mg = cur;
    st->value = to_display(cur, m);
    st->decided_on = t1;
    if (c->from && as_of < c->from) {
        st->state = CUSTOS_COMMITMENT_MET;
        reason(st, "in force from %s; nothing due yet (inventory %s)", iso(d1, c->from),
               fmt_mass(v1, cur, m, el));
        goto done;
    }
    int64_t peak;
    custos_date peak_date;
    if ((err = custos_ag_set_peak(&s, t0, t1, &cl, &peak, &peak_date)) < 0)
        goto done;
    figure(st, "inventory now", to_display(cur, &elem), eu);
    figure(st, "peak inventory", to_display(peak, &elem), eu);
    if (m->form[0])
        figure(st, "limit as element", to_display(m->mg, &elem), eu);
    if (peak > m->mg) {
        figure(st, "margin as element", to_display(m->mg - peak, &elem), eu);
        st->state = CUSTOS_COMMITMENT_BREACHED;
        st->value_mg = peak;
        st->value = to_display(peak, m);
        st->decided_on = peak_date;
        fmt_mass(v1, peak, m, el);
        fmt_mass(v2, m->mg, m, el);
        fmt_mass(v3, peak - m->mg, m, el);
        if (m->mg > 0)
            reason(st, "inventory %s on %s is over the limit %s by %s (%.1f times the limit)", v1,
                   iso(d1, peak_date), v2, v3, (double)peak / (double)m->mg);
        else
            reason(st, "inventory %s on %s where none is allowed", v1, iso(d1, peak_date));
        err = custos_ag_entries_at(L, &s, peak_date, &cl, "inventory");
        goto done;
    }
    /* The trend over the trailing horizon (or since the start), carried
     * forward over the horizon, to the end of the commitment at most. */
    custos_date back = trail_start(t0, t1, c->horizon_days);
    custos_date open = set_open(&s);
    if (back < open)
        back = open < t1 ? open : t1;
    int64_t then = custos_ag_set_inventory(&s, back, &cl);
    custos_date tp = custos_date_add(t1, c->horizon_days);
    if (c->until && tp > c->until)
        tp = c->until;
    int days = custos_date_diff(back, t1);
    double rate = days > 0 ? (double)(cur - then) / days : 0.0; /* mg a day */
    double proj = (double)cur + rate * custos_date_diff(t1, tp);
    st->projected = proj / unit_mg(m->unit) / m->element_fraction;
    figure(st, "trend a year", rate * 365.25 / unit_mg(m->unit), eu);
    fmt_mass(v1, cur, m, el);
    fmt_mass(v2, m->mg, m, el);
    if ((double)cur >= c->warn_fraction * (double)m->mg) {
        st->state = CUSTOS_COMMITMENT_AT_RISK;
        reason(st, "inventory %s is %.1f %% of the limit %s (warning from %.0f %%)", v1,
               m->mg ? 100.0 * (double)cur / (double)m->mg : 100.0, v2, 100.0 * c->warn_fraction);
    } else if (proj > (double)m->mg && rate > 0) {
        double cross = ceil((double)(m->mg - cur) / rate);
        fmt_mass(v3, (int64_t)llround(rate * 365.25), m, el);
        st->state = CUSTOS_COMMITMENT_AT_RISK;
        reason(st, "inventory %s rising %s a year: projected over the limit %s on %s", v1, v3, v2,
               iso(d1, custos_date_add(t1, (int)cross)));
    } else {
        fmt_mass(v3, peak, m, el);
        st->state = CUSTOS_COMMITMENT_MET;
        reason(st, "inventory %s is under the limit %s (peak %s on %s)", v1, v2, v3,
               iso(d2, peak_date));
    }
    err = custos_ag_entries_at(L, &s, t1, &cl, "inventory");
done:
    st->margin = st->bound - st->value;
    custos_free(s.v);
    return err;
}

/* ---- max-enrichment ----------------------------------------------------- */

static int cmp_entry_assay(const void *a, const void *b)
{
    const custos_commitment_entry *x = a, *y = b;
    if (x->assay != y->assay)
        return x->assay > y->assay ? -1 : 1;
    return x->date < y->date ? -1 : x->date > y->date;
}

static int eval_max_enrichment(ag_ctx *x, const ag_commitment *c, custos_date as_of,
                               custos_commitment_status *st, ag_entries *L)
{
    ag_set s;
    int err = custos_ag_scope_books(x, &c->scope, &s);
    if (err < 0)
        return err;
    char d1[11];
    snprintf(st->unit, sizeof st->unit, "%% U-235");
    st->bound = 100.0 * c->max_assay;
    if (s.with_reports == 0) {
        no_reports(st, c->scope.state[0] ? "the State" : "the MBAs listed");
        goto done;
    }
    custos_date t1 = c->until && c->until < as_of ? c->until : as_of;
    custos_date t0 = day_before(c->from);
    if (c->from && as_of < c->from) {
        st->state = CUSTOS_COMMITMENT_MET;
        reason(st, "in force from %s; nothing due yet", iso(d1, c->from));
        goto done;
    }
    /* Every uranium part on inventory or changing hands in [t0, t1]: the
     * PILs from the last PIT on or before t0, the ICR entries after t0. */
    double highest = 0;
    size_t above = 0;
    custos_date first_above = 0;
    ag_entries best = {0};
    ag_part pts[6];
    for (size_t i = 0; i < s.n && err >= 0; i++) {
        const ag_books *b = s.v[i];
        custos_date p0 = custos_ag_pit_at(b, t0);
        for (size_t pass = 0; pass < 2 && err >= 0; pass++) {
            const custos_book *bk = pass ? &b->icr : &b->pil;
            for (size_t k = 0; k < bk->n && err >= 0; k++) {
                const custos_book_entry *be = &bk->items[k];
                custos_date d = pass ? be->e.change_date : be->period_end;
                if (d > t1 || (pass ? d <= t0 : d < p0))
                    continue;
                size_t np = custos_ag_parts(&be->e, pts);
                for (size_t j = 0; j < np && err >= 0; j++) {
                    if (pts[j].element != 'U' || isnan(pts[j].assay) || pts[j].mg <= 0)
                        continue;
                    int sg = pass ? custos_ag_part_sign(&be->e, &pts[j]) : 1;
                    if (!sg)
                        sg = 1;
                    if (pts[j].assay > c->max_assay) {
                        above++;
                        if (!first_above || d < first_above)
                            first_above = d;
                        err = custos_ag_entry_add(L, b, be, pass ? 'I' : 'P', &pts[j], sg, "above limit");
                    }
                    if (pts[j].assay >= highest && err >= 0) {
                        if (pts[j].assay > highest)
                            best.n = best.total = 0;
                        highest = pts[j].assay;
                        err = custos_ag_entry_add(&best, b, be, pass ? 'I' : 'P', &pts[j], sg, "highest");
                    }
                }
            }
        }
    }
    if (err < 0) {
        custos_free(best.v);
        goto done;
    }
    st->value = 100.0 * highest;
    figure(st, "entries above the limit", (double)above, "entries");
    if (above) {
        st->state = CUSTOS_COMMITMENT_BREACHED;
        st->decided_on = first_above;
        reason(st, "%zu entr%s hold uranium above %.4g %% U-235, the highest at %.4g %% (first on %s)",
               above, above == 1 ? "y" : "ies", 100.0 * c->max_assay, 100.0 * highest,
               iso(d1, first_above));
        if (L->n > 1)
            qsort(L->v, L->n, sizeof *L->v, cmp_entry_assay);
        custos_free(best.v);
        goto done;
    }
    /* Not breached: the entries with the highest assay decide. */
    custos_free(L->v);
    *L = best;
    for (size_t i = 0; i < L->n; i++)
        custos_strlcpy(L->v[i].role, "highest assay", sizeof L->v[i].role);
    st->decided_on = L->n ? L->v[0].date : t1;
    if (highest == 0) {
        st->state = CUSTOS_COMMITMENT_MET;
        reason(st, "no uranium with a U-235 weight in the books up to %s", iso(d1, t1));
    } else if (highest >= c->warn_fraction * c->max_assay) {
        st->state = CUSTOS_COMMITMENT_AT_RISK;
        reason(st, "highest assay %.4g %% U-235 is within %.0f %% of the limit %.4g %%",
               100.0 * highest, 100.0 * (1.0 - c->warn_fraction), 100.0 * c->max_assay);
    } else {
        st->state = CUSTOS_COMMITMENT_MET;
        reason(st, "highest assay %.4g %% U-235 is under the limit %.4g %%", 100.0 * highest,
               100.0 * c->max_assay);
    }
done:
    st->margin = st->bound - st->value;
    custos_free(s.v);
    return err;
}

/* ---- disposition -------------------------------------------------------- */

static bool code_in(const ag_commitment *c, const char *code)
{
    for (size_t i = 0; i < c->ncodes; i++)
        if (!strcmp(c->codes[i], code))
            return true;
    return false;
}

/* Progress toward a target and its projection (the rate since day back,
 * carried to the deadline), shared by disposition and downblend: fills
 * value, progress, projected, and the state when the deadline passed
 * short, the target is reached, or the projection falls short.  Returns
 * true when it decided the state. */
static bool judge_progress(custos_commitment_status *st, const ag_commitment *c, int64_t done,
                           int64_t done_at_deadline, int64_t done_back, custos_date back,
                           custos_date t1, const char *what)
{
    const ag_mass *m = &c->mass;
    char el = c->material.element ? c->material.element : 'U';
    char v1[48], v2[48], v3[48], d1[11];
    st->value_mg = done;
    st->value = to_display(done, m);
    st->progress = m->mg ? (double)done / (double)m->mg : AG_NA;
    double proj = t1 >= c->deadline ? (double)done_at_deadline
                                    : project(done, done_back, back, t1, c->deadline);
    st->projected = proj / unit_mg(m->unit) / m->element_fraction;
    fmt_mass(v1, done, m, el);
    fmt_mass(v2, m->mg, m, el);
    if (t1 >= c->deadline && done_at_deadline < m->mg) {
        fmt_mass(v3, m->mg - done_at_deadline, m, el);
        st->state = CUSTOS_COMMITMENT_BREACHED;
        st->decided_on = c->deadline;
        reason(st, "deadline %s passed with %s %s of %s: %s short", iso(d1, c->deadline),
               fmt_mass(v1, done_at_deadline, m, el), what, v2, v3);
        return true;
    }
    if (done >= m->mg) {
        st->state = CUSTOS_COMMITMENT_MET;
        reason(st, "%s %s of %s: target reached", v1, what, v2);
        return true;
    }
    if (proj < (double)m->mg) {
        fmt_mass(v3, (int64_t)llround(proj), m, el);
        st->state = CUSTOS_COMMITMENT_AT_RISK;
        char d2[11];
        reason(st, "%s %s of %s by %s; at this rate %s by the deadline %s", v1, what, v2,
               iso(d1, t1), v3, iso(d2, c->deadline));
        return true;
    }
    return false;
}

static int eval_disposition(ag_ctx *x, const ag_commitment *c, custos_date as_of,
                            custos_commitment_status *st, ag_entries *L)
{
    ag_set s;
    int err = custos_ag_scope_books(x, &c->scope, &s);
    if (err < 0)
        return err;
    const ag_mass *m = &c->mass;
    char el = c->material.element;
    char v1[48], v2[48], v3[48], d1[11], d2[11];
    mass_unit(st->unit, m, el);
    st->bound = m->value;
    st->bound_mg = m->mg;
    dated *dv = NULL;
    size_t nd = 0, cap = 0;
    if (s.with_reports == 0) {
        no_reports(st, "the route's MBAs");
        goto done;
    }
    custos_date t0 = c->from, t1 = as_of;
    ag_part pts[6];
    /* Every counted part of a route entry, dated. */
    for (size_t i = 0; i < s.n && err >= 0; i++) {
        const ag_books *b = s.v[i];
        for (size_t k = 0; k < b->icr.n && err >= 0; k++) {
            const custos_book_entry *be = &b->icr.items[k];
            custos_date d = be->e.change_date;
            if ((t0 && d < t0) || !code_in(c, be->e.code))
                continue;
            size_t np = custos_ag_parts(&be->e, pts);
            for (size_t j = 0; j < np && err >= 0; j++) {
                if (!custos_ag_material_match(&c->material, &pts[j]))
                    continue;
                if (nd == cap) {
                    size_t ncap = cap ? cap * 2 : 64;
                    dated *p = custos_realloc(dv, ncap * sizeof *p);
                    if (!p) {
                        err = custos_error_nomem();
                        break;
                    }
                    dv = p;
                    cap = ncap;
                }
                dv[nd++] = (dated){d, pts[j].mg};
                if (d <= t1)
                    err = custos_ag_entry_add(L, b, be, 'I', &pts[j], 1, "disposed");
            }
        }
    }
    if (err < 0)
        goto done;
    if (nd > 1) /* none: dv is NULL, which qsort must not be given */
        qsort(dv, nd, sizeof *dv, cmp_dated);
    if (!t0 && nd)
        t0 = dv[0].date;
    int64_t done = done_by(dv, nd, t1);
    int64_t at_deadline = done_by(dv, nd, c->deadline);
    custos_date back = trail_start(t0, t1, c->horizon_days);
    int64_t done_back = done_by(dv, nd, back);
    figure(st, "disposed to date", to_display(done, m), st->unit);
    if (t0 && t1 < t0) {
        st->value_mg = done;
        st->value = to_display(done, m);
        st->state = CUSTOS_COMMITMENT_MET;
        reason(st, "starts on %s; nothing due yet", iso(d1, t0));
        goto done;
    }
    /* A milestone missed is a breach of the schedule. */
    for (size_t i = 0; i < c->nschedule; i++) {
        const ag_milestone *ms = &c->schedule[i];
        if (ms->by > t1)
            break;
        int64_t by = done_by(dv, nd, ms->by);
        if (by < ms->mass.mg) {
            judge_progress(st, c, done, at_deadline, done_back, back, t1, "disposed");
            st->state = CUSTOS_COMMITMENT_BREACHED;
            st->decided_on = ms->by;
            reason(st, "milestone %s missed: %s disposed of the %s due", iso(d1, ms->by),
                   fmt_mass(v1, by, m, el), fmt_mass(v2, ms->mass.mg, m, el));
            goto done;
        }
    }
    if (judge_progress(st, c, done, at_deadline, done_back, back, t1, "disposed"))
        goto done;
    /* On track for the target; and for the next milestone? */
    for (size_t i = 0; i < c->nschedule; i++) {
        const ag_milestone *ms = &c->schedule[i];
        if (ms->by <= t1)
            continue;
        double p = project(done, done_back, back, t1, ms->by);
        if (p < (double)ms->mass.mg) {
            st->state = CUSTOS_COMMITMENT_AT_RISK;
            reason(st, "%s disposed by %s; at this rate %s of the %s due by %s",
                   fmt_mass(v1, done, m, el), iso(d1, t1), fmt_mass(v2, (int64_t)llround(p), m, el),
                   fmt_mass(v3, ms->mass.mg, m, el), iso(d2, ms->by));
            goto done;
        }
        break;
    }
    st->state = CUSTOS_COMMITMENT_MET;
    st->decided_on = t1;
    reason(st, "%s disposed of %s by %s: on track for the deadline %s", fmt_mass(v1, done, m, el),
           fmt_mass(v2, m->mg, m, el), iso(d1, t1), iso(d2, c->deadline));
done:
    st->margin = st->value - st->bound;
    custos_free(dv);
    custos_free(s.v);
    return err;
}

/* ---- downblend ---------------------------------------------------------- */

/* Sum of MUF of U-235 in enriched uranium over the balance periods of the
 * MBA that lie inside (t0, t1]. */
static int u235_muf(ag_ctx *x, const ag_mba *mba, custos_date t0, custos_date t1, int64_t *muf,
                    int *periods)
{
    custos_balances *bs = NULL;
    custos_diags *d = NULL;
    char spec[8];
    snprintf(spec, sizeof spec, "%s/%s", mba->state, mba->mba);
    *muf = 0;
    *periods = 0;
    int err = custos_diags_new(&d);
    if (err >= 0)
        err = custos_ledger_balances(&bs, x->l, spec, d);
    for (size_t i = 0; err >= 0 && i < bs->n; i++) {
        const custos_balance *b = &bs->items[i];
        if (b->element == 'E' && b->label == 670 && b->pit_begin >= t0 && b->end <= t1) {
            *muf += b->muf;
            (*periods)++;
        }
    }
    custos_balances_free(bs);
    custos_diags_free(d);
    return err;
}

/* The day evaluated comes before the commitment starts (met: nothing
 * due) or before the MBA's books open (at risk: nothing to verify). */
static void not_open(custos_commitment_status *st, const ag_books *b, const ag_commitment *c,
                     custos_date t0, custos_date t1)
{
    char d1[11];
    if (c->from && t1 < c->from) {
        st->state = CUSTOS_COMMITMENT_MET;
        reason(st, "starts on %s; nothing due yet", iso(d1, c->from));
    } else {
        st->state = CUSTOS_COMMITMENT_AT_RISK;
        reason(st, "nothing to verify: the books of %s/%s open on %s", b->state, b->mba,
               iso(d1, t0));
    }
}

/*
 * The legs of blending in book terms over (t0, t]: HEU and blendstock
 * consumed (inventory at t0 + flows in - flows out - inventory at t) and
 * product made (inventory at t - inventory at t0 - flows in + flows out),
 * where flows are every inventory change but rebatching.  Rebatching
 * (RM/RP) is how blending shows in the books and moves material between
 * legs; a PIL that shows it without RM/RP gives the same result.
 * Element milligrams in mg[], fissile in fis[] (0 HEU, 1 blendstock, 2
 * product).  O(entries).
 */
static void legs(const ag_books *b, const ag_classifier *cl, custos_date t0, custos_date t,
                 int64_t mg[AG_NBANDS], int64_t fis[AG_NBANDS])
{
    int64_t m0[AG_NBANDS], f0[AG_NBANDS], m1[AG_NBANDS], f1[AG_NBANDS];
    int64_t nm[AG_NBANDS] = {0}, nf[AG_NBANDS] = {0};
    custos_ag_inventory_at(b, t0, cl, m0, f0);
    custos_ag_inventory_at(b, t, cl, m1, f1);
    ag_part pts[6];
    for (size_t k = 0; k < b->icr.n; k++) {
        const custos_book_entry *be = &b->icr.items[k];
        custos_date d = be->e.change_date;
        if (d <= t0)
            continue;
        if (d > t)
            break;
        if (custos_change_code_kind(be->e.code) == CUSTOS_CHANGE_REBATCH)
            continue;
        size_t np = custos_ag_parts(&be->e, pts);
        for (size_t j = 0; j < np; j++) {
            int band = custos_ag_classify(cl, &pts[j]);
            int sg = custos_ag_part_sign(&be->e, &pts[j]);
            if (band >= 0) {
                nm[band] += sg * pts[j].mg;
                nf[band] += sg * pts[j].fis;
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        mg[i] = m0[i] + nm[i] - m1[i];
        fis[i] = f0[i] + nf[i] - f1[i];
    }
    mg[2] = m1[2] - m0[2] - nm[2];
    fis[2] = f1[2] - f0[2] - nf[2];
}

static int eval_downblend(ag_ctx *x, const ag_commitment *c, custos_date as_of,
                          custos_commitment_status *st, ag_entries *L)
{
    ag_books *b;
    int err = custos_ag_books(x, c->mba.state, c->mba.mba, &b);
    if (err < 0)
        return err;
    const ag_mass *m = &c->mass;
    char v1[48], v2[48], v3[48], d1[11];
    char gu[24];
    mass_unit(st->unit, m, 'U');
    mass_unit(gu, m, 'U');
    double per = unit_mg(m->unit);
    st->bound = m->value;
    st->bound_mg = m->mg;
    if (!b->has_reports) {
        char what[24];
        snprintf(what, sizeof what, "MBA %s/%s", b->state, b->mba);
        no_reports(st, what);
        goto done;
    }
    ag_classifier cl = {AG_CL_BLEND, NULL, c->blendstock_assay, c->product_assay};
    /* Material first listed in the opening PIL is neither a flow nor a
     * starting inventory before the books open: start there at the
     * earliest. */
    custos_date t0 = day_before(c->from), t1 = as_of;
    if (b->npits && t0 < b->pits[0])
        t0 = b->pits[0];
    if (t1 < t0) {
        not_open(st, b, c, t0, t1);
        goto done;
    }
    /* The legs over (t0, t1], by the deadline, and by the start of the
     * trailing window of the projection. */
    int64_t lm[AG_NBANDS], lf[AG_NBANDS], dm[AG_NBANDS], df[AG_NBANDS], bm[AG_NBANDS],
        bf[AG_NBANDS];
    custos_date back = trail_start(t0, t1, c->horizon_days);
    legs(b, &cl, t0, t1, lm, lf);
    legs(b, &cl, t0, c->deadline < t1 ? c->deadline : t1, dm, df);
    legs(b, &cl, t0, back, bm, bf);
    static const char *const roles[2][AG_NBANDS] = {
        {"HEU in", "blendstock in", "product in"},
        {"HEU blended", "blendstock used", "product made"}};
    static const char *const out_roles[AG_NBANDS] = {"HEU out", "blendstock out", "product out"};
    ag_part pts[6];
    for (size_t k = 0; k < b->icr.n && err >= 0; k++) {
        const custos_book_entry *be = &b->icr.items[k];
        custos_date d = be->e.change_date;
        if (d <= t0 || d > t1)
            continue;
        bool rebatch = custos_change_code_kind(be->e.code) == CUSTOS_CHANGE_REBATCH;
        size_t np = custos_ag_parts(&be->e, pts);
        for (size_t j = 0; j < np && err >= 0; j++) {
            int band = custos_ag_classify(&cl, &pts[j]);
            int sg = custos_ag_part_sign(&be->e, &pts[j]);
            if (band < 0 || !sg)
                continue;
            const char *role = rebatch ? roles[1][band] : sg > 0 ? roles[0][band] : out_roles[band];
            err = custos_ag_entry_add(L, b, be, 'I', &pts[j], sg, role);
        }
    }
    if (err < 0)
        goto done;
    int64_t heu = lm[0], heu5 = lf[0], bs = lm[1], bs5 = lf[1], pr = lm[2], pr5 = lf[2];
    int64_t heu_at_deadline = dm[0], heu_back = bm[0];
    int64_t in5 = heu5 + bs5, imb5 = in5 - pr5, imbu = heu + bs - pr;
    double expected = heu > 0 ? (double)heu * (c->heu_assay - c->blendstock_assay) /
                                    (c->product_assay - c->blendstock_assay)
                              : 0.0;
    double xp = pr > 0 ? (double)pr5 / (double)pr : AG_NA;
    double xh = heu > 0 ? (double)heu5 / (double)heu : AG_NA;
    int64_t muf = 0;
    int periods = 0;
    if ((err = u235_muf(x, &c->mba, t0, t1, &muf, &periods)) < 0)
        goto done;
    figure(st, "HEU blended", (double)heu / per, gu);
    figure(st, "HEU assay measured", 100.0 * xh, "% U-235");
    figure(st, "blendstock used", (double)bs / per, gu);
    figure(st, "product made", (double)pr / per, gu);
    figure(st, "product assay measured", 100.0 * xp, "% U-235");
    figure(st, "product expected", expected / per, gu);
    if (c->has_expected)
        figure(st, "product expected in all", (double)c->expected_product.mg / per, gu);
    figure(st, "U-235 in (HEU + blendstock)", (double)in5 / 1e3, "g U-235");
    figure(st, "U-235 out (product)", (double)pr5 / 1e3, "g U-235");
    figure(st, "U-235 imbalance", (double)imb5 / 1e3, "g U-235");
    figure(st, "uranium imbalance", (double)imbu / per, gu);
    figure(st, "U-235 MUF of the balances", (double)muf / 1e3, "g U-235");
    figure(st, "balance periods", periods, "periods");
    st->decided_on = t1;
    /* The U-235 balance must close within the tolerance. */
    double tol5 = c->tolerance * (double)(in5 > pr5 ? in5 : pr5);
    if ((double)llabs(imb5) > tol5 && (in5 || pr5)) {
        judge_progress(st, c, heu, heu_at_deadline, heu_back, back, t1, "HEU blended");
        st->state = CUSTOS_COMMITMENT_BREACHED;
        st->decided_on = t1;
        reason(st, "U-235 balance of %s/%s does not close: %.3f g in, %.3f g out, %.3f g (%.3f %%) "
                   "%s, over the %.2f %% tolerance",
               b->state, b->mba, (double)in5 / 1e3, (double)pr5 / 1e3, (double)llabs(imb5) / 1e3,
               100.0 * (double)llabs(imb5) / (double)(in5 > pr5 ? in5 : pr5),
               imb5 > 0 ? "missing" : "unexplained", 100.0 * c->tolerance);
        goto done;
    }
    if (judge_progress(st, c, heu, heu_at_deadline, heu_back, back, t1, "HEU blended"))
        goto done;
    if (pr > 0 && fabs(xp - c->product_assay) > 0.05 * c->product_assay) {
        st->state = CUSTOS_COMMITMENT_AT_RISK;
        reason(st, "product at %.3f %% U-235 against the stated %.3f %%", 100.0 * xp,
               100.0 * c->product_assay);
        goto done;
    }
    st->state = CUSTOS_COMMITMENT_MET;
    reason(st, "%s HEU blended of %s by %s, on track; %s LEU at %.3f %%, U-235 balance closes "
               "within %.3f g",
           fmt_mass(v1, heu, m, 'U'), fmt_mass(v2, m->mg, m, 'U'), iso(d1, t1),
           fmt_mass(v3, pr, m, 'U'), 100.0 * (isnan(xp) ? 0.0 : xp), (double)llabs(imb5) / 1e3);
done:
    st->margin = st->value - st->bound;
    return err;
}

/* ---- conversion --------------------------------------------------------- */

static int eval_conversion(ag_ctx *x, const ag_commitment *c, custos_date as_of,
                           custos_commitment_status *st, ag_entries *L)
{
    ag_books *b;
    int err = custos_ag_books(x, c->mba.state, c->mba.mba, &b);
    if (err < 0)
        return err;
    char d1[11], d2[11];
    snprintf(st->unit, sizeof st->unit, "kg U");
    st->bound = 0;
    ag_set one = {&b, 1, b->has_reports};
    if (!b->has_reports) {
        char what[24];
        snprintf(what, sizeof what, "MBA %s/%s", b->state, b->mba);
        no_reports(st, what);
        goto done;
    }
    ag_classifier cl = {AG_CL_HEU, NULL, 0, 0};
    custos_date t0 = day_before(c->from), t1 = as_of;
    if (b->npits && t0 < b->pits[0])
        t0 = b->pits[0];
    if (t1 < t0) {
        not_open(st, b, c, t0, t1);
        goto done;
    }
    int64_t h0[AG_NBANDS], h1[AG_NBANDS], f[AG_NBANDS];
    custos_ag_inventory_at(b, t0, &cl, h0, f);
    custos_ag_inventory_at(b, t1, &cl, h1, f);
    /* HEU in and out after t0: what came in, and where it went. */
    custos_date back = trail_start(t0, t1, c->horizon_days);
    int64_t in = 0, returned = 0, returned_back = 0, out_other = 0;
    ag_part pts[6];
    ag_entries held = {0};
    for (size_t k = 0; k < b->icr.n && err >= 0; k++) {
        const custos_book_entry *be = &b->icr.items[k];
        custos_date d = be->e.change_date;
        if (d <= t0 || d > t1)
            continue;
        size_t np = custos_ag_parts(&be->e, pts);
        for (size_t j = 0; j < np && err >= 0; j++) {
            int sg = custos_ag_part_sign(&be->e, &pts[j]);
            if (custos_ag_classify(&cl, &pts[j]) != 0 || !sg)
                continue;
            if (sg > 0) {
                in += pts[j].mg;
                continue;
            }
            bool ret = !strcmp(be->e.code, "SF") && !strcmp(be->e.receiver.state, c->return_to);
            if (ret) {
                returned += pts[j].mg;
                if (d <= back)
                    returned_back += pts[j].mg;
            } else {
                out_other += pts[j].mg;
            }
            err = custos_ag_entry_add(L, b, be, 'I', &pts[j], sg, ret ? "returned" : "other route");
        }
    }
    if (err < 0)
        goto done;
    int64_t had = h0[0] + in;
    /* Whatever left the books of the HEU other than by return: shipments
     * elsewhere, discards, losses, blending in place, and MUF at a PIT. */
    int64_t other = had - h1[0] - returned;
    figure(st, "HEU at start", (double)h0[0] / 1e6, "kg U");
    figure(st, "HEU received since", (double)in / 1e6, "kg U");
    figure(st, "HEU returned", (double)returned / 1e6, "kg U");
    figure(st, "HEU decreases other than return", (double)out_other / 1e6, "kg U");
    figure(st, "HEU gone otherwise (incl. MUF)", (double)other / 1e6, "kg U");
    figure(st, "HEU held now", (double)h1[0] / 1e6, "kg U");
    st->value_mg = h1[0];
    st->value = (double)h1[0] / 1e6;
    st->progress = had ? (double)returned / (double)had : AG_NA;
    st->decided_on = t1;
    int64_t peak = 0;
    custos_date peak_date = 0;
    if (t1 >= c->deadline && (err = custos_ag_set_peak(&one, c->deadline, t1, &cl, &peak, &peak_date)) < 0)
        goto done;
    if (t1 >= c->deadline && peak > 0) {
        st->state = CUSTOS_COMMITMENT_BREACHED;
        st->value_mg = peak;
        st->value = (double)peak / 1e6;
        st->decided_on = peak_date;
        reason(st, "%s/%s held %.3f kg U of HEU on %s, on or after the conversion date %s",
               b->state, b->mba, (double)peak / 1e6, iso(d1, peak_date), iso(d2, c->deadline));
        custos_free(L->v);
        memset(L, 0, sizeof *L);
        err = custos_ag_entries_at(L, &one, peak_date, &cl, "HEU held");
        goto done;
    }
    if ((double)llabs(other) > c->tolerance * (double)had && llabs(other) > 0) {
        st->state = CUSTOS_COMMITMENT_BREACHED;
        reason(st, "%.3f kg U of HEU %s other than by shipment to %s (%.3f kg returned of %.3f kg)",
               (double)llabs(other) / 1e6, other > 0 ? "left the books" : "more was shipped than held",
               c->return_to, (double)returned / 1e6, (double)had / 1e6);
        goto done;
    }
    if (h1[0] == 0) {
        st->state = CUSTOS_COMMITMENT_MET;
        if (had)
            reason(st, "no HEU held since the removal; %.3f kg U returned to %s", (double)returned / 1e6,
                   c->return_to);
        else
            reason(st, "the books show no HEU in %s/%s since %s", b->state, b->mba, iso(d1, t0));
        goto done;
    }
    /* HEU still held before the date: on track if returns keep pace. */
    double proj = project(returned, returned_back, back, t1, c->deadline);
    st->projected = ((double)had - proj) / 1e6;
    if (st->projected < 0)
        st->projected = 0;
    err = custos_ag_entries_at(&held, &one, t1, &cl, "HEU held");
    for (size_t i = 0; i < held.n && err >= 0; i++) {
        L->total++;
        if (L->n < CUSTOS_AGREEMENT_MAX_ENTRIES) {
            if (L->n == L->cap) {
                size_t nc = L->cap ? L->cap * 2 : 16;
                custos_commitment_entry *q = custos_realloc(L->v, nc * sizeof *q);
                if (!q) {
                    err = custos_error_nomem();
                    break;
                }
                L->v = q;
                L->cap = nc;
            }
            L->v[L->n++] = held.v[i];
        }
    }
    custos_free(held.v);
    if (err < 0)
        goto done;
    if (proj >= (double)had) {
        st->state = CUSTOS_COMMITMENT_MET;
        reason(st, "%.3f kg U of HEU still held, %d days before %s; returns on pace",
               (double)h1[0] / 1e6, custos_date_diff(t1, c->deadline), iso(d1, c->deadline));
    } else {
        st->state = CUSTOS_COMMITMENT_AT_RISK;
        reason(st, "%.3f kg U of HEU still held %d days before %s, %.3f kg returned so far",
               (double)h1[0] / 1e6, custos_date_diff(t1, c->deadline), iso(d1, c->deadline),
               (double)returned / 1e6);
    }
done:
    st->margin = st->bound - st->value;
    return err;
}

/* ---- Driver ------------------------------------------------------------- */

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
        if (!t) {
            no_reports(st, "any MBA");
        } else {
            switch (c->kind) {
            case AG_LIMIT: err = eval_limit(x, c, t, st, &L); break;
            case AG_MAX_ENRICHMENT: err = eval_max_enrichment(x, c, t, st, &L); break;
            case AG_DISPOSITION: err = eval_disposition(x, c, t, st, &L); break;
            case AG_DOWNBLEND: err = eval_downblend(x, c, t, st, &L); break;
            case AG_CONVERSION: err = eval_conversion(x, c, t, st, &L); break;
            }
        }
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
