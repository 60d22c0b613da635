/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evaluate_stats.c: the statistics of material balances as evidence for
 * the State-level evaluation (custos_mba_statistics in custos/evaluate.h).
 *
 * For every MBA of the State model with closed balance periods, the MUF
 * sequence of its main quantity and its covariance come from the
 * statistics module (custos_ledger_sequence(), the measurement model);
 * the sequential tests from custos_nrta_run().  The evidence weight is the
 * Neyman-Pearson likelihood ratio of the whole observed sequence for a
 * protracted diversion of 1 SQ (delta_t = SQ / n in every period) against
 * none: with Sigma = L L^T (the incremental Cholesky factor of stats.h),
 * z = L^-1 MUF and w = L^-1 delta,
 *
 *     ln LR = w . z - |w|^2 / 2.
 *
 * It is the optimal statistic for that alternative and calibrated: under
 * no diversion its expectation is -|w|^2/2, so a good measurement system
 * with nothing missing gives strong evidence of absence, and a real
 * diversion strong evidence of it.  The finding's LR is clamped to
 * [1e-6, 1e6] so one MBA cannot outweigh everything else without limit.
 *
 * Periods where the covariance is degenerate (MUF_t determined by the
 * earlier ones) carry no independent information and are skipped, as in
 * SITMUF.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "custos/balance.h"
#include "custos/evaluate.h"
#include "custos/ledger.h"
#include "custos/stats.h"
#include "stateint.h"

#define LN_LR_CAP 13.815510557964274 /* ln 1e6 */

void custos_mba_statistics_dispose(custos_mba_statistics *s)
{
    if (!s)
        return;
    custos_free(s->end);
    custos_free(s->muf);
    custos_free(s->sigma);
    custos_free(s->page);
    custos_free(s->alarm);
    custos_free(s->w);
    memset(s, 0, sizeof *s);
}

/* The main quantity of an MBA: Pu element, else U-235 of enriched U, else
 * the first element weight with balances.  SQ in grams of it (Safeguards
 * Glossary: Pu 8 kg; U-235 in LEU 75 kg; natural U 10 t; depleted U and
 * Th 20 t). */
static bool main_quantity(const custos_balances *b, const char *state, const char *mba,
                          char *element, int *label, double *sq)
{
    char cat = 0;
    int lab = -1;
    for (size_t i = 0; i < b->n; i++) {
        const custos_balance *x = &b->items[i];
        if (strcmp(x->mba, mba) || strcmp(x->state, state))
            continue;
        if (x->element == 'P' && x->label == 0) {
            cat = 'P';
            lab = 0;
            break;
        }
        if (x->element == 'E' && x->label == 670)
            cat = 'E', lab = 670;
        else if (!cat && x->label == 0)
            cat = x->element, lab = 0;
    }
    if (!cat)
        return false;
    *element = cat;
    *label = lab;
    switch (cat) {
    case 'P': *sq = 8000; break;
    case 'E': *sq = 75000; break;
    case 'N': *sq = 10000000; break;
    default: *sq = 20000000; break;
    }
    return true;
}

/* Fill s from sequence q and its test results r. */
static int analyse(custos_mba_statistics *s, const custos_sequence *q,
                   const custos_nrta_result *r)
{
    size_t n = q->n;
    custos_cholesky c;
    memset(&c, 0, sizeof c);
    double *row = custos_calloc(n, sizeof *row), *z = custos_calloc(n, sizeof *z);
    s->end = custos_calloc(n, sizeof *s->end);
    s->muf = custos_calloc(n, sizeof *s->muf);
    s->sigma = custos_calloc(n, sizeof *s->sigma);
    s->page = custos_calloc(n, sizeof *s->page);
    s->alarm = custos_calloc(n, sizeof *s->alarm);
    s->w = custos_calloc(n, sizeof *s->w);
    int err = CUSTOS_OK;
    if (!row || !z || !s->end || !s->muf || !s->sigma || !s->page || !s->alarm || !s->w) {
        err = custos_error_nomem();
        goto done;
    }
    if ((err = custos_cholesky_init(&c, n)) < 0)
        goto done;
    s->n = n;
    s->k = r->k;
    s->h = r->h;
    s->alpha = r->alpha;
    for (size_t t = 0; t < n && err >= 0; t++) {
        custos_sequence_cov_row(q, t, row);
        s->end[t] = q->end ? q->end[t] : 0;
        s->muf[t] = q->muf[t];
        s->sigma[t] = sqrt(fmax(row[t], 0));
        const custos_nrta_period *p = &r->periods[t];
        s->page[t] = p->page;
        s->alarm[t] = p->muf_alarm || p->sitmuf_alarm || p->page_alarm || p->gemuf_alarm;
        s->muf_alarms += p->muf_alarm;
        s->sitmuf_alarms += p->sitmuf_alarm;
        s->page_alarms += p->page_alarm;
        err = custos_cholesky_add(&c, row);
    }
    if (err < 0)
        goto done;
    s->gemuf_alarm = n && r->periods[n - 1].gemuf_alarm;
    /* Forward substitution: z = L^-1 MUF, w = L^-1 delta. */
    double wz = 0, ww = 0, delta = s->sq_grams / (double)n;
    for (size_t t = 0; t < n; t++) {
        const double *lt = c.l + t * (t + 1) / 2;
        if (c.degenerate[t] || !(lt[t] > 0)) {
            z[t] = s->w[t] = 0;
            continue;
        }
        double a = s->muf[t], b = delta;
        for (size_t j = 0; j < t; j++) {
            a -= lt[j] * z[j];
            b -= lt[j] * s->w[j];
        }
        z[t] = a / lt[t];
        s->w[t] = b / lt[t];
        wz += s->w[t] * z[t];
        ww += s->w[t] * s->w[t];
    }
    s->signal = sqrt(ww);
    s->ln_lr = wz - ww / 2;
    s->pd_sq = custos_normal_cdf(s->signal - custos_normal_quantile(0.95));
done:
    custos_cholesky_dispose(&c);
    custos_free(row);
    custos_free(z);
    return err;
}

int custos_eval_statistics(custos_mba_statistics **out, size_t *nout, custos_ledger *l,
                           const custos_state_model *m)
{
    *out = NULL;
    *nout = 0;
    custos_balances *bal = NULL;
    int err = custos_ledger_balances(&bal, l, NULL, NULL);
    if (err < 0)
        return err;
    size_t cap = 0;
    for (size_t f = 0; f < m->nfacilities; f++)
        cap += m->facilities[f].nmbas;
    custos_mba_statistics *v = custos_calloc(cap ? cap : 1, sizeof *v);
    size_t cnt = 0;
    if (!v) {
        custos_balances_free(bal);
        return custos_error_nomem();
    }
    for (size_t f = 0; f < m->nfacilities && err >= 0; f++)
        for (size_t k = 0; k < m->facilities[f].nmbas && err >= 0; k++) {
            custos_mba_statistics *s = &v[cnt];
            const char *mba = m->facilities[f].mbas[k];
            if (!main_quantity(bal, m->state, mba, &s->element, &s->label, &s->sq_grams))
                continue;
            custos_strlcpy(s->mba, mba, sizeof s->mba);
            char spec[8];
            snprintf(spec, sizeof spec, "%s/%s", m->state, mba);
            custos_sequence *q = NULL;
            custos_nrta_result *r = NULL;
            custos_diags *d = NULL;
            if ((err = custos_diags_new(&d)) < 0)
                break;
            int e2 = custos_ledger_sequence(&q, l, spec, s->element, s->label, d);
            /* An MBA whose entries are not all measured, or whose
             * covariance is not usable, gives no statistical evidence. */
            if (e2 >= 0 && q->unmodelled == 0)
                e2 = custos_nrta_run(&r, q, NULL);
            else if (e2 >= 0)
                e2 = CUSTOS_EINVAL;
            if (e2 >= 0)
                e2 = analyse(s, q, r);
            if (e2 == CUSTOS_ENOMEM || e2 == CUSTOS_ESTORAGE)
                err = e2;
            custos_sequence_free(q);
            custos_nrta_result_free(r);
            custos_diags_free(d);
            if (e2 >= 0 && s->signal > 0)
                cnt++;
            else
                custos_mba_statistics_dispose(s);
        }
    custos_balances_free(bal);
    if (err < 0) {
        for (size_t i = 0; i < cnt; i++)
            custos_mba_statistics_dispose(&v[i]);
        custos_free(v);
        return err;
    }
    custos_clear_error();
    *out = v;
    *nout = cnt;
    return CUSTOS_OK;
}

void custos_eval_statistics_finding(const custos_mba_statistics *s, custos_finding *f,
                                    char *id, size_t idsize, char *text, size_t textsize)
{
    const char *what = s->element == 'P' ? "Pu" : s->element == 'E' ? "U-235" : "U/Th element";
    double lnlr = fmax(-LN_LR_CAP, fmin(LN_LR_CAP, s->ln_lr));
    snprintf(id, idsize, "stats:%s:%s", s->mba, s->element == 'P' ? "Pu" : s->element == 'E' ? "U235" : "element");
    snprintf(text, textsize,
             "NRTA at MBA %s (%s, %zu periods): MUF test alarms in %zu, SITMUF %zu, Page %zu "
             "period%s%s; ln LR(1 SQ protracted : none) = %+.2f%s; PD(1 SQ, 5 %%) = %.3f",
             s->mba, what, s->n, s->muf_alarms, s->sitmuf_alarms, s->page_alarms,
             s->page_alarms == 1 ? "" : "s", s->gemuf_alarm ? ", GEMUF alarm" : "", s->ln_lr,
             lnlr != s->ln_lr ? " (capped at ln 1e6)" : "", s->pd_sq);
    memset(f, 0, sizeof *f);
    f->id = id;
    f->source = CUSTOS_SRC_STATISTICS;
    f->reliability = 'A';
    f->credibility = 2;
    f->likelihood_ratio = exp(lnlr);
    f->text = text;
    f->mba = s->mba;
    f->date = s->n ? s->end[s->n - 1] : 0;
}
