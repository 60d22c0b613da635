/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nrta.c: near-real-time accountancy of one MBA: the incremental Cholesky
 * factor of the MUF covariance and the tests run on a sequence (MUF,
 * CUMUF, SITMUF, Page's CUSUM on SITMUF, GEMUF).
 *
 * SITMUF (Stewart 1958; Seifert 1986): with Sigma = L L^T, y = L^-1 MUF,
 * so y_t = (MUF_t - sum_{j<t} L_tj y_j) / L_tt; the numerator is ITMUF_t =
 * MUF_t - E[MUF_t | MUF_1..t-1] and L_tt its standard deviation.  Row t of
 * L solves L_{t-1} l = Sigma[t][0..t-1] by forward substitution against the
 * rows already stored: O(t^2) per period, the earlier rows untouched.
 *
 * A semi-definite Sigma (case B of the spec: systematic errors only, every
 * MUF the same combination of two errors) has zero pivots.  Exactly, the
 * Schur complement's whole column is then zero, so the column of L is set
 * to zero and the period marked degenerate: it carries no independent
 * information, has no SITMUF, and GEMUF counts one degree of freedom less
 * (MUF^T Sigma^+ MUF with the pseudo-inverse).
 */
#include <math.h>
#include <string.h>

#include <cblas.h>

#include "statsint.h"

int custos_cholesky_init(custos_cholesky *c, size_t cap)
{
    memset(c, 0, sizeof *c);
    c->tol = 1e-9;
    if (cap == 0)
        cap = 16;
    if (cap > ((size_t)1 << 26))
        return custos_error_set(CUSTOS_ETOOBIG, "Cholesky factor of %zu rows is above 2^26", cap);
    c->l = custos_malloc(cap * (cap + 1) / 2 * sizeof *c->l);
    c->degenerate = custos_calloc(cap, 1);
    if (!c->l || !c->degenerate) {
        custos_cholesky_dispose(c);
        return custos_error_nomem();
    }
    c->cap = cap;
    return CUSTOS_OK;
}

void custos_cholesky_dispose(custos_cholesky *c)
{
    if (!c)
        return;
    custos_free(c->l);
    custos_free(c->degenerate);
    memset(c, 0, sizeof *c);
}

static int grow(custos_cholesky *c)
{
    size_t cap = c->cap * 2;
    if (cap > ((size_t)1 << 26))
        return custos_error_set(CUSTOS_ETOOBIG, "Cholesky factor above 2^26 rows");
    double *l = custos_realloc(c->l, cap * (cap + 1) / 2 * sizeof *l);
    if (!l)
        return custos_error_nomem();
    c->l = l;
    unsigned char *dg = custos_realloc(c->degenerate, cap);
    if (!dg)
        return custos_error_nomem();
    memset(dg + c->cap, 0, cap - c->cap);
    c->degenerate = dg;
    c->cap = cap;
    return CUSTOS_OK;
}

int custos_cholesky_add(custos_cholesky *c, const double *row)
{
    int err;
    size_t t = c->n;
    if (t == c->cap && (err = grow(c)) < 0)
        return err;
    double *lt = c->l + t * (t + 1) / 2;
    double diag = row[t];
    if (!isfinite(diag) || diag < 0.0)
        return custos_error_set(CUSTOS_EDOMAIN,
                                "covariance of period %zu: variance %g is not a finite number >= 0",
                                t + 1, diag);
    /* Forward substitution: l_j = (Sigma_tj - sum_{k<j} L_jk l_k) / L_jj. */
    double sq = 0.0;
    for (size_t j = 0; j < t; j++) {
        const double *lj = c->l + j * (j + 1) / 2;
        if (c->degenerate[j]) {
            lt[j] = 0.0;
            continue;
        }
        double dot = j ? cblas_ddot((int)j, lj, 1, lt, 1) : 0.0;
        double v = (row[j] - dot) / lj[j];
        if (!isfinite(v))
            return custos_error_set(CUSTOS_EDOMAIN, "covariance of period %zu is not finite",
                                    t + 1);
        lt[j] = v;
        sq += v * v;
    }
    double pivot = diag - sq;
    double scale = diag > 1e-300 ? diag : 1e-300;
    if (pivot < -c->tol * scale * 1e3 && pivot < -1e-300)
        return custos_error_set(CUSTOS_EDOMAIN,
                                "the MUF covariance is not positive semi-definite at period %zu "
                                "(pivot %.3g of variance %.3g)",
                                t + 1, pivot, diag);
    if (pivot <= c->tol * scale || pivot <= 1e-300) {
        c->degenerate[t] = 1;
        lt[t] = 0.0;
    } else {
        c->degenerate[t] = 0;
        lt[t] = sqrt(pivot);
    }
    c->n = t + 1;
    return CUSTOS_OK;
}

/* ---- the tests ---------------------------------------------------------- */

void custos_nrta_result_free(custos_nrta_result *r)
{
    if (!r)
        return;
    custos_free(r->periods);
    custos_free(r);
}

int custos_nrta_run(custos_nrta_result **out, const custos_sequence *s,
                    const custos_nrta_options *opt)
{
    *out = NULL;
    custos_stats_init();
    custos_nrta_options o = {0.05, 0.5, 0.0};
    if (opt)
        o = *opt;
    if (o.alpha == 0.0)
        o.alpha = 0.05;
    if (!(o.alpha > 0.0 && o.alpha < 0.5))
        return custos_error_set(CUSTOS_EDOMAIN, "alpha %g is not in (0, 0.5)", o.alpha);
    if (!(o.k >= 0.0) || !isfinite(o.k) || !(o.h >= 0.0) || !isfinite(o.h))
        return custos_error_set(CUSTOS_EDOMAIN, "Page's k and h must be finite and >= 0");
    size_t n = s->n;
    custos_nrta_result *r = custos_calloc(1, sizeof *r);
    double *row = custos_malloc((n + 1) * sizeof *row);
    double *y = custos_malloc((n + 1) * sizeof *y);
    custos_cholesky c;
    memset(&c, 0, sizeof c);
    int err = CUSTOS_OK;
    if (!r || !row || !y || !(r->periods = custos_calloc(n, sizeof *r->periods))) {
        err = custos_error_nomem();
        goto done;
    }
    if ((err = custos_cholesky_init(&c, n)) < 0)
        goto done;
    r->n = n;
    r->alpha = o.alpha;
    r->k = o.k;
    r->z = custos_normal_quantile(1.0 - o.alpha);
    /* CUMUF variance 1^T Sigma_t 1 grows by 2 sum_j Sigma_tj + Sigma_tt. */
    double cumuf = 0.0, var_cumuf = 0.0, gemuf = 0.0;
    int dof = 0;
    for (size_t t = 0; t < n; t++) {
        custos_nrta_period *p = &r->periods[t];
        custos_sequence_cov_row(s, t, row);
        double rs = 0.0;
        for (size_t j = 0; j < t; j++)
            rs += row[j];
        var_cumuf += 2.0 * rs + row[t];
        cumuf += s->muf[t];
        if ((err = custos_cholesky_add(&c, row)) < 0)
            goto done;
        const double *lt = c.l + t * (t + 1) / 2;
        p->muf = s->muf[t];
        p->sigma_muf = sqrt(row[t]);
        p->muf_alarm = p->sigma_muf > 0.0 && p->muf > r->z * p->sigma_muf;
        p->cumuf = cumuf;
        p->sigma_cumuf = sqrt(var_cumuf > 0.0 ? var_cumuf : 0.0);
        p->cumuf_alarm = p->sigma_cumuf > 0.0 && cumuf > r->z * p->sigma_cumuf;
        double pred = t ? cblas_ddot((int)t, lt, 1, y, 1) : 0.0;
        p->itmuf = s->muf[t] - pred;
        if (c.degenerate[t]) {
            p->degenerate = true;
            p->sitmuf = NAN;
            y[t] = 0.0;
            r->degenerate++;
        } else {
            y[t] = p->itmuf / lt[t];
            p->sitmuf = y[t];
            p->sitmuf_alarm = y[t] > r->z;
            gemuf += y[t] * y[t];
            dof++;
        }
        p->gemuf = gemuf;
        p->gemuf_dof = dof;
        p->gemuf_p = dof ? custos_chi2_sf(gemuf, dof) : 1.0;
        p->gemuf_alarm = dof && p->gemuf_p < o.alpha;
    }
    /* Page's test once h is known (it depends on the number of SITMUFs). */
    size_t m = n - r->degenerate;
    if (o.h > 0.0) {
        r->h = o.h;
    } else if (m > 0) {
        if ((err = custos_page_h_for_alpha(&r->h, o.k, m, o.alpha)) < 0)
            goto done;
    }
    if (m > 0 && (err = custos_page_false_alarm(&r->page_fa, o.k, r->h, m, 0)) < 0)
        goto done;
    double st = 0.0;
    for (size_t t = 0; t < n; t++) {
        custos_nrta_period *p = &r->periods[t];
        if (!p->degenerate) {
            st = st + p->sitmuf - o.k;
            if (st < 0.0)
                st = 0.0;
        }
        p->page = st;
        p->page_alarm = st > r->h;
    }
done:
    custos_cholesky_dispose(&c);
    custos_free(row);
    custos_free(y);
    if (err < 0) {
        custos_nrta_result_free(r);
        return err;
    }
    *out = r;
    return CUSTOS_OK;
}
