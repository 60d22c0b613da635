/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_stats.c: the statistics module against the hand-derived cases of
 * shared/spec/statistics.md (sections 5 and 6), exact identities of the
 * distributions, and a Monte Carlo check that SITMUF computed from the
 * ledger's covariance is N(0,1) and uncorrelated when the MUFs are
 * simulated from the physical error model (a wrong covariance fails it).
 *
 * Cases (spec section 6; ledger weights in grams, variances in g^2):
 *  A  500 kg inventory at every PIT, d_r = d_s = 1%, same method, no flows:
 *     Var(MUF) = 2 (5000 g)^2 = 5e7 (sigma 7071.07 g), Cov lag 1 = -2.5e7,
 *     lag >= 2: 0 (the systematic error cancels between PB and PE).
 *  B  1000 kg in and out per period, d_s = 1% per method, no inventory:
 *     Var = 2e8 (14142.1 g), every Cov = 2e8: rank 1, so every period
 *     after the first is degenerate.
 *  C  100 items of 10 kg in and out per period, d_r = 1% per item:
 *     Var = 200 x (100 g)^2 = 2e6 (1414.2 g), no covariance.
 *  D  inventory 1000 + 10 t kg, input 10 kg measured without error,
 *     inventory d_s = 1%: MUF error -(C_t - C_t-1) e_s, Var = (100 g)^2,
 *     every Cov = 1e4: rank 1.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "custos/ledger.h"
#include "custos/stats.h"
#include "statsint.h"

#define NP 5 /* balance periods in the ledger cases */

static void rel_close(double got, double want, double rtol, const char *what)
{
    double err = fabs(got - want) / (fabs(want) > 0 ? fabs(want) : 1.0);
    if (!(err <= rtol)) {
        print_error("%s: got %.12g, want %.12g (relative %.3g)\n", what, got, want, err);
        fail();
    }
}

/* ---- building small ledgers ------------------------------------------- */

typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    if (t->cap - t->n < 512) {
        t->cap = t->cap ? t->cap * 2 : 65536;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    va_start(ap, fmt);
    int k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
    va_end(ap);
    assert_true(k > 0 && (size_t)k < t->cap - t->n);
    t->n += (size_t)k;
}

static const int pit[NP + 1] = {20251231, 20260131, 20260228, 20260331, 20260430, 20260531};
static const int first[NP] = {20260101, 20260201, 20260301, 20260401, 20260501};

#define HEAD "#003:%d#006:DOE,J#010:%c#015:"

/* One PIL (items of kg each at KMP 1; none: an empty PIL). */
static void pil(text *t, int number, int k, int nitems, double kg)
{
    if (nitems == 0) {
        put(t, "001:OI/XA;%d#002:1/1" HEAD "%d#207:FA01#307:XAAA#309:U#\n", number, pit[k], 'P',
            pit[k]);
        return;
    }
    for (int i = 0; i < nitems; i++)
        put(t,
            "001:OI/XA;%d#002:%d%s" HEAD "%d#207:FA01#307:XAAA#309:N#407:1#430:O/G/U/C#446:I%d#"
            "469:M#470:1#630:%.3fG#670:%.3fG#\n",
            number, i + 1, i ? "" : "/99", pit[k], 'P', pit[k], i, kg * 1000.0, kg * 40.0);
}

static custos_ledger *ledger(const char *measurement, const char *reports)
{
    char fac[4096];
    snprintf(fac, sizeof fac,
             "{\"state\":\"XA\",\"facility\":\"FA01\",\"type\":\"fuel-fabrication\",\"mbas\":["
             "{\"mba\":\"XAAA\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},"
             "{\"kmp\":\"A\",\"kind\":\"flow\"},{\"kmp\":\"B\",\"kind\":\"flow\"}]}],"
             "\"measurement\":%s}",
             measurement);
    custos_ledger *l;
    custos_diags *d;
    custos_reader *rd;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE), 0);
    assert_int_equal(custos_diags_new(&d), 0);
    int err = custos_ledger_facility_add(l, "fac.json", fac, strlen(fac), d, NULL);
    if (err)
        print_error("facility: %s\n", custos_last_error());
    assert_int_equal(err, 0);
    assert_int_equal(custos_reader_open_memory(&rd, "r.c10", reports, strlen(reports),
                                               CUSTOS_FORMAT_AUTO),
                     0);
    err = custos_ledger_import(l, rd, NULL, d);
    if (err) {
        for (size_t i = 0; i < custos_diags_count(d); i++) {
            char line[512];
            custos_diag_format(line, sizeof line, custos_diags_get(d, i));
            print_error("%s\n", line);
        }
    }
    assert_int_equal(err, 0);
    custos_reader_free(rd);
    custos_diags_free(d);
    return l;
}

/* The 2.5% total-count fix: PIL entry numbers "1/99" are corrected here. */
static void fix_totals(text *t)
{
    /* Replace each "/99" total with the number of entries of its report. */
    char *p = t->s;
    while ((p = strstr(p, "/99#"))) {
        char *start = p;
        while (start > t->s && start[-1] != '\n')
            start--;
        int number;
        sscanf(start, "001:OI/XA;%d", &number);
        int count = 0;
        char key[32];
        snprintf(key, sizeof key, "001:OI/XA;%d#", number);
        for (char *q = t->s; (q = strstr(q, key)); q++)
            count++;
        char tot[16];
        snprintf(tot, sizeof tot, "%02d", count % 100);
        p[1] = tot[0];
        p[2] = tot[1];
        p += 4;
    }
}

static void seq_of(custos_sequence **s, custos_ledger *l)
{
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    int err = custos_ledger_sequence(s, l, "XAAA", 'E', 0, d);
    if (err)
        print_error("sequence: %s\n", custos_last_error());
    assert_int_equal(err, 0);
    assert_int_equal((*s)->n, NP);
    assert_int_equal((*s)->unmodelled, 0);
    custos_diags_free(d);
}

static void check_cov(const custos_sequence *s, double var, double lag1, double lag2)
{
    double cov[NP * NP];
    custos_sequence_cov(s, cov);
    for (int i = 0; i < NP; i++)
        for (int j = 0; j < NP; j++) {
            double want = i == j ? var : abs(i - j) == 1 ? lag1 : lag2;
            char what[64];
            snprintf(what, sizeof what, "Cov(MUF_%d, MUF_%d)", i + 1, j + 1);
            if (want == 0.0)
                assert_true(fabs(cov[i * NP + j]) <= 1e-9 * var);
            else
                rel_close(cov[i * NP + j], want, 1e-12, what);
        }
}

static void case_a(void **state)
{
    (void)state;
    text t = {0};
    for (int k = 0; k <= NP; k++)
        pil(&t, 2 * k + 1, k, 1, 500.0);
    /* ICRs with no change are not needed: the PILs close the periods. */
    fix_totals(&t);
    custos_ledger *l =
        ledger("{\"methods\":[{\"method\":\"weigh\",\"random\":0.01,\"systematic\":0.01,"
               "\"source\":\"spec case A\"}],\"points\":[{\"mba\":\"XAAA\",\"kmp\":\"1\","
               "\"material\":\"oxide\",\"bulk\":\"weigh\"}]}",
               t.s);
    custos_sequence *s;
    seq_of(&s, l);
    check_cov(s, 5e7, -2.5e7, 0.0);
    rel_close(sqrt(s->rvar[0] + 0.0), 7071.0678118654755, 1e-12, "case A sigma");
    /* The balances' sigma-MUF: the systematic part cancels. */
    custos_balances *b;
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    assert_int_equal(custos_ledger_balances(&b, l, "XAAA", d), 0);
    assert_int_equal(custos_ledger_sigma(l, b, d), 0);
    int seen = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (b->items[i].label != 0)
            continue;
        assert_true(b->items[i].has_sigma);
        rel_close(b->items[i].sigma_muf, 7071.0678118654755, 1e-12, "case A balance sigma");
        assert_true(fabs(b->items[i].var_systematic) < 1e-6);
        seen++;
    }
    assert_int_equal(seen, NP);
    custos_balances_free(b);
    custos_diags_free(d);
    custos_sequence_free(s);
    custos_ledger_free(l);
    free(t.s);
}

/* Case A again, the method's uncertainty only in a stored target-value
 * table: unmodelled (a finding, no sigma) before the table is stored,
 * the same sigma-MUF after. */
static void case_a_targets(void **state)
{
    (void)state;
    text t = {0};
    for (int k = 0; k <= NP; k++)
        pil(&t, 2 * k + 1, k, 1, 500.0);
    fix_totals(&t);
    custos_ledger *l = ledger("{\"points\":[{\"mba\":\"XAAA\",\"kmp\":\"1\","
                              "\"material\":\"oxide\",\"bulk\":\"weigh\"}]}",
                              t.s);
    custos_balances *b;
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    assert_int_equal(custos_ledger_balances(&b, l, "XAAA", NULL), 0);
    assert_int_equal(custos_ledger_sigma(l, b, d), 0);
    assert_false(b->items[0].has_sigma);
    assert_true(b->items[0].unmodelled > 0);
    assert_int_equal(custos_diags_total(d, CUSTOS_SEV_FINDING), 1);
    custos_balances_free(b);
    const char table[] = "method,material,random,systematic,source\n"
                         "weigh,*,1%,1%,spec case A\n"
                         "weigh,metal,5%,5%,another material\n";
    assert_int_equal(custos_ledger_targets_add(l, "t.csv", table, strlen(table), d), 0);
    assert_int_equal(custos_ledger_balances(&b, l, "XAAA", NULL), 0);
    assert_int_equal(custos_ledger_sigma(l, b, d), 0);
    for (size_t i = 0; i < b->n; i++)
        if (b->items[i].label == 0) {
            assert_true(b->items[i].has_sigma);
            rel_close(b->items[i].sigma_muf, 7071.0678118654755, 1e-12, "sigma from the table");
        }
    custos_balances_free(b);
    custos_diags_free(d);
    custos_ledger_free(l);
    free(t.s);
}

/* ICR of one period: receipt at A and shipment at B of kg each (nitems
 * items per entry), plus optionally a second receipt. */
static void icr(text *t, int number, int k, double in_kg, double out_kg, int nitems)
{
    int n = 0;
    if (in_kg > 0)
        put(t,
            "001:OI/XA;%d#002:%d/%d" HEAD "%d/%d#207:FA01#307:XAAA#309:N#370:XB/XBEN#407:A#411:RF#"
            "412:%d#430:O/G/U/C#446:R%d#447:UNKNOWN#469:M#470:%d#630:%.3fG#670:%.3fG#\n",
            number, ++n, out_kg > 0 ? 2 : 1, pit[k + 1], 'I', first[k], pit[k + 1],
            first[k] + 9, k, nitems, in_kg * 1000.0, in_kg * 40.0);
    if (out_kg > 0)
        put(t,
            "001:OI/XA;%d#002:%d%s" HEAD "%d/%d#207:FA01#307:XAAA#309:N#372:XB/XBEN#407:B#411:SF#"
            "412:%d#430:O/G/U/C#446:S%d#469:M#470:%d#630:%.3fG#670:%.3fG#\n",
            number, n + 1, n ? "" : "/1", pit[k + 1], 'I', first[k], pit[k + 1], first[k] + 19, k,
            nitems, out_kg * 1000.0, out_kg * 40.0);
}

static void case_b(void **state)
{
    (void)state;
    text t = {0};
    pil(&t, 1, 0, 0, 0);
    for (int k = 0; k < NP; k++) {
        icr(&t, 2 * k + 2, k, 1000.0, 1000.0, 1);
        pil(&t, 2 * k + 3, k + 1, 0, 0);
    }
    custos_ledger *l = ledger(
        "{\"methods\":[{\"method\":\"in\",\"random\":0,\"systematic\":0.01,\"source\":\"spec B\"},"
        "{\"method\":\"out\",\"random\":0,\"systematic\":0.01,\"source\":\"spec B\"}],"
        "\"points\":[{\"mba\":\"XAAA\",\"kmp\":\"A\",\"material\":\"oxide\",\"bulk\":\"in\"},"
        "{\"mba\":\"XAAA\",\"kmp\":\"B\",\"material\":\"oxide\",\"bulk\":\"out\"}]}",
        t.s);
    custos_sequence *s;
    seq_of(&s, l);
    check_cov(s, 2e8, 2e8, 2e8);
    /* Singular: only the first period carries an independent SITMUF. */
    custos_nrta_result *r;
    assert_int_equal(custos_nrta_run(&r, s, NULL), 0);
    assert_int_equal(r->degenerate, NP - 1);
    assert_false(r->periods[0].degenerate);
    for (int i = 1; i < NP; i++) {
        assert_true(r->periods[i].degenerate);
        assert_true(isnan(r->periods[i].sitmuf));
        assert_int_equal(r->periods[i].gemuf_dof, 1);
    }
    rel_close(r->periods[0].sigma_muf, 14142.135623730951, 1e-12, "case B sigma");
    rel_close(r->periods[NP - 1].sigma_cumuf, NP * 14142.135623730951, 1e-12, "case B CUMUF");
    /* The Kalman filter of the Monte Carlo marks the same periods. */
    double y[NP];
    assert_int_equal(custos_kalman_sitmuf(s, s->muf, y), 0);
    for (int i = 1; i < NP; i++)
        assert_true(isnan(y[i]));
    custos_nrta_result_free(r);
    custos_sequence_free(s);
    custos_ledger_free(l);
    free(t.s);
}

static void case_c(void **state)
{
    (void)state;
    text t = {0};
    pil(&t, 1, 0, 0, 0);
    for (int k = 0; k < NP; k++) {
        icr(&t, 2 * k + 2, k, 1000.0, 1000.0, 100);
        pil(&t, 2 * k + 3, k + 1, 0, 0);
    }
    custos_ledger *l = ledger(
        "{\"methods\":[{\"method\":\"scale\",\"random\":0.01,\"systematic\":0,\"source\":\"C\"}],"
        "\"points\":[{\"mba\":\"XAAA\",\"kmp\":\"A\",\"material\":\"pins\",\"bulk\":\"scale\","
        "\"random_per_item\":true},{\"mba\":\"XAAA\",\"kmp\":\"B\",\"material\":\"pins\","
        "\"bulk\":\"scale\",\"random_per_item\":true}]}",
        t.s);
    custos_sequence *s;
    seq_of(&s, l);
    check_cov(s, 2e6, 0.0, 0.0);
    rel_close(sqrt(s->rvar[2]), 1414.2135623730951, 1e-12, "case C sigma");
    custos_sequence_free(s);
    custos_ledger_free(l);
    free(t.s);
}

static void case_d(void **state)
{
    (void)state;
    text t = {0};
    pil(&t, 1, 0, 1, 1000.0);
    for (int k = 0; k < NP; k++) {
        icr(&t, 2 * k + 2, k, 10.0, 0.0, 1);
        pil(&t, 2 * k + 3, k + 1, 1, 1000.0 + 10.0 * (k + 1));
    }
    fix_totals(&t);
    custos_ledger *l = ledger(
        "{\"methods\":[{\"method\":\"exact\",\"random\":0,\"systematic\":0,\"source\":\"D\"},"
        "{\"method\":\"inv\",\"random\":0,\"systematic\":0.01,\"source\":\"D\"}],"
        "\"points\":[{\"mba\":\"XAAA\",\"kmp\":\"A\",\"material\":\"oxide\",\"bulk\":\"exact\"},"
        "{\"mba\":\"XAAA\",\"kmp\":\"1\",\"material\":\"oxide\",\"bulk\":\"inv\"}]}",
        t.s);
    custos_sequence *s;
    seq_of(&s, l);
    check_cov(s, 1e4, 1e4, 1e4);
    custos_nrta_result *r;
    assert_int_equal(custos_nrta_run(&r, s, NULL), 0);
    rel_close(r->periods[0].sigma_muf, 100.0, 1e-9, "case D sigma");
    assert_int_equal(r->degenerate, NP - 1);
    custos_nrta_result_free(r);
    custos_sequence_free(s);
    custos_ledger_free(l);
    free(t.s);
}

/* ---- Cholesky, distributions, Page ------------------------------------- */

static void cholesky_incremental(void **state)
{
    (void)state;
    /* Sigma = L L^T with a known L; rows added one at a time. */
    const double L[4][4] = {{2, 0, 0, 0}, {1, 3, 0, 0}, {-1, 0.5, 1.5, 0}, {0.25, -2, 1, 0.5}};
    custos_cholesky c;
    assert_int_equal(custos_cholesky_init(&c, 1), 0); /* grows past cap */
    for (int t = 0; t < 4; t++) {
        double row[4];
        for (int j = 0; j <= t; j++) {
            row[j] = 0;
            for (int k = 0; k < 4; k++)
                row[j] += L[t][k] * L[j][k];
        }
        assert_int_equal(custos_cholesky_add(&c, row), 0);
    }
    for (int t = 0; t < 4; t++)
        for (int j = 0; j <= t; j++)
            rel_close(c.l[t * (t + 1) / 2 + j] + 10.0, L[t][j] + 10.0, 1e-14, "L");
    /* Not positive semi-definite: refused, factor unchanged. */
    double bad[5] = {0, 0, 0, 0, -1};
    assert_int_equal(custos_cholesky_add(&c, bad), CUSTOS_EDOMAIN);
    assert_int_equal(c.n, 4);
    custos_cholesky_dispose(&c);
}

static void distributions(void **state)
{
    (void)state;
    rel_close(custos_normal_cdf(1.6448536269514722), 0.95, 1e-12, "Phi(z_0.95)");
    rel_close(custos_normal_quantile(0.95), 1.6448536269514722, 1e-12, "z_0.95");
    assert_true(isnan(custos_normal_quantile(1.0)));
    /* chi-square with 2 dof: Q(x) = exp(-x/2). */
    rel_close(custos_chi2_sf(3.0, 2.0), exp(-1.5), 1e-12, "chi2 2 dof");
    rel_close(custos_chi2_isf(exp(-1.5), 2.0), 3.0, 1e-10, "chi2 inverse");
    /* Noncentral chi-square with 1 dof: P = Phi(sqrt x - sqrt l) - Phi(-sqrt x - sqrt l). */
    const double xs[] = {0.5, 2.0, 7.3, 20.0}, ls[] = {0.0, 0.3, 4.0, 25.0};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            double x = xs[i], lam = ls[j];
            double want = custos_normal_cdf(sqrt(x) - sqrt(lam)) - custos_normal_cdf(-sqrt(x) - sqrt(lam));
            rel_close(custos_ncchi2_cdf(x, 1.0, lam), want, 1e-10, "noncentral chi2, 1 dof");
        }
    /* 2 dof, lambda 0: the central one. */
    rel_close(custos_ncchi2_cdf(3.0, 2.0, 0.0), 1.0 - exp(-1.5), 1e-12, "ncchi2 lambda 0");
}

/* Spec section 5: ARL of the one-sided CUSUM, k = 0.5, h = 4, and Brook &
 * Evans (1972), k = 0.5, h = 3; Markov chain to 0.5% (it agrees to 4 digits). */
static void arl_table(void **state)
{
    (void)state;
    const double shift[] = {0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4};
    const double want[] = {335.37, 77.08, 26.68, 13.29, 8.38, 4.75, 3.34, 2.19, 1.71};
    for (int i = 0; i < 9; i++) {
        double a;
        assert_int_equal(custos_arl_markov(&a, 0.5, 4.0, shift[i], 0), 0);
        rel_close(a, want[i], 0.005, "ARL h 4");
        /* With 1600 states the chain has converged: the published two
         * decimals within rounding (B&E's 117.59 is truncated: 0.006). */
        assert_int_equal(custos_arl_markov(&a, 0.5, 4.0, shift[i], 1600), 0);
        assert_true(fabs(a - want[i]) <= 0.006);
    }
    double a;
    assert_int_equal(custos_arl_markov(&a, 0.5, 3.0, 0.0, 0), 0);
    rel_close(a, 117.59, 0.005, "ARL h 3");
    assert_int_equal(custos_arl_markov(&a, 0.5, 3.0, 0.0, 1600), 0);
    assert_true(fabs(a - 117.59) <= 0.006);
    assert_int_equal(custos_arl_markov(&a, 0.5, 3.0, 1.5, 0), 0);
    assert_true(fabs(a - 3.75) <= 0.005);
    assert_int_equal(custos_arl_markov(&a, 0.5, -1.0, 0.0, 0), CUSTOS_EDOMAIN);
    /* Monte Carlo within 3 standard errors, the same for 1 and 2 threads. */
    double m1, s1, m2, s2;
    assert_int_equal(custos_arl_mc(&m1, &s1, 0.5, 4.0, 1.0, 20000, 42, 1), 0);
    assert_int_equal(custos_arl_mc(&m2, &s2, 0.5, 4.0, 1.0, 20000, 42, 2), 0);
    assert_true(m1 == m2 && s1 == s2);
    assert_true(fabs(m1 - 8.38) < 3 * s1);
}

static void page_h(void **state)
{
    (void)state;
    /* h chosen for alpha over n steps gives alpha back. */
    double h, p;
    assert_int_equal(custos_page_h_for_alpha(&h, 0.5, 12, 0.05), 0);
    assert_int_equal(custos_page_false_alarm(&p, 0.5, h, 12, 200), 0);
    rel_close(p, 0.05, 1e-4, "campaign false alarm");
    /* Long campaigns (squaring path) agree with plain iteration. */
    double p1, p2;
    assert_int_equal(custos_page_false_alarm(&p1, 0.5, 4.0, 64, 100), 0);
    assert_int_equal(custos_page_false_alarm(&p2, 0.5, 4.0, 65, 100), 0);
    assert_true(p2 > p1 && p2 - p1 < 0.01);
    /* In control, 1 - P(alarm by n) ~ exp(-n / ARL) for large n. */
    double arl;
    assert_int_equal(custos_arl_markov(&arl, 0.5, 4.0, 0.0, 200), 0);
    assert_int_equal(custos_page_false_alarm(&p, 0.5, 4.0, 3000, 200), 0);
    rel_close(-log(1.0 - p) / 3000.0, 1.0 / arl, 0.02, "tail rate");
}

/* Spec section 5: PD for M = 3.29 sigma at alpha 0.05 is 0.95. */
static void pd_example(void **state)
{
    (void)state;
    custos_sequence *s;
    assert_int_equal(custos_sequence_new(&s, 1, 0), 0);
    s->rvar[0] = 4.0; /* sigma 2 g */
    double div = 3.29 * 2.0;
    custos_pd_result r;
    custos_pd_options o = {{0.05, 0.5, 0.0}, 200000, 3, 2, NULL, NULL};
    assert_int_equal(custos_pd(&r, s, &div, &o), 0);
    rel_close(r.tests[CUSTOS_PD_SITMUF].pd, custos_normal_cdf(3.29 - 1.6448536269514722), 1e-12,
              "PD exact");
    rel_close(r.tests[CUSTOS_PD_SITMUF].pd, 0.95, 1e-3, "PD 0.95");
    rel_close(r.tests[CUSTOS_PD_CUMUF].pd_last, 0.95, 1e-3, "CUMUF PD");
    /* The Monte Carlo MUF test agrees within 4 standard errors. */
    const custos_pd_test *m = &r.tests[CUSTOS_PD_MUF];
    assert_true(fabs(m->pd - 0.95002) < 4 * m->pd_se);
    assert_true(fabs(m->fa - 0.05) < 4 * m->fa_se);
    custos_sequence_free(s);
}

/* ---- Monte Carlo under no diversion ------------------------------------ */

/*
 * A facility with inventories, receipts and shipments, three methods and
 * a calibration change, built in the ledger; the test then simulates the
 * measured values itself (x (1 + e_r + e_s) per method, e_s shared per
 * method and calibration period), forms the MUFs from them as the books
 * would, and runs custos's SITMUF with the ledger's covariance.  The
 * SITMUFs must have mean 0, variance 1 and no lag-1 correlation.
 */
#define MC_T 5
#define MC_INV 3
#define MC_REPS 4000

static void mc_sitmuf(void **state)
{
    (void)state;
    custos_rng rng;
    custos_rng_seed(&rng, 2026, 0);
    double inv[MC_T + 1][MC_INV], rin[MC_T], rout[MC_T];
    text t = {0};
    for (int k = 0; k <= MC_T; k++) {
        for (int i = 0; i < MC_INV; i++) {
            inv[k][i] = 200.0 + 100.0 * custos_rng_uniform(&rng);
            put(&t,
                "001:OI/XA;%d#002:%d%s" HEAD "%d#207:FA01#307:XAAA#309:N#407:1#430:O/G/U/C#"
                "446:I%d#469:M#470:1#630:%.3fG#670:%.3fG#\n",
                2 * k + 1, i + 1, i ? "" : "/03", pit[k], 'P', pit[k], i, inv[k][i] * 1000.0,
                inv[k][i] * 40.0);
        }
        if (k < MC_T) {
            rin[k] = 500.0 + 200.0 * custos_rng_uniform(&rng);
            rout[k] = 450.0 + 200.0 * custos_rng_uniform(&rng);
            icr(&t, 2 * k + 2, k, rin[k], rout[k], 1);
        }
    }
    /* Weights as stored (milligram-exact). */
    for (int k = 0; k <= MC_T; k++)
        for (int i = 0; i < MC_INV; i++)
            inv[k][i] = round(inv[k][i] * 1e6) / 1e6;
    for (int k = 0; k < MC_T; k++) {
        rin[k] = round(rin[k] * 1e6) / 1e6;
        rout[k] = round(rout[k] * 1e6) / 1e6;
    }
    /* Inventory: bulk "scale" (two calibration periods, split after
     * period 2) and element "titr"; flows: "scale" + "titr" in, "nda" out. */
    const double dr_scale = 0.002, ds_scale = 0.001, dr_titr = 0.003, ds_titr = 0.002,
                 dr_nda = 0.01, ds_nda = 0.005;
    custos_ledger *l = ledger(
        "{\"methods\":["
        "{\"method\":\"scale\",\"random\":0.002,\"systematic\":0.001,\"source\":\"t\"},"
        "{\"method\":\"titr\",\"random\":0.003,\"systematic\":0.002,\"source\":\"t\"},"
        "{\"method\":\"nda\",\"random\":0.01,\"systematic\":0.005,\"source\":\"t\"}],"
        "\"points\":[{\"mba\":\"XAAA\",\"kmp\":\"1\",\"material\":\"ox\",\"bulk\":\"scale\","
        "\"element\":\"titr\"},{\"mba\":\"XAAA\",\"kmp\":\"A\",\"material\":\"ox\","
        "\"bulk\":\"scale\",\"element\":\"titr\"},{\"mba\":\"XAAA\",\"kmp\":\"B\","
        "\"material\":\"ox\",\"element\":\"nda\"}],"
        "\"calibration_periods\":[{\"method\":\"scale\",\"start\":\"2025-01-01\",\"end\":"
        "\"2026-02-28\"},{\"method\":\"scale\",\"start\":\"2026-03-01\",\"end\":\"2027-12-31\"}]}",
        t.s);
    custos_sequence *s;
    seq_of(&s, l);
    double sum = 0, sum2 = 0, lag = 0;
    long cnt = 0, lagn = 0;
    for (int rep = 0; rep < MC_REPS; rep++) {
        double es_scale[2] = {ds_scale * custos_rng_normal(&rng), ds_scale * custos_rng_normal(&rng)};
        double es_titr = ds_titr * custos_rng_normal(&rng), es_nda = ds_nda * custos_rng_normal(&rng);
        double minv[MC_T + 1];
        for (int k = 0; k <= MC_T; k++) {
            int cal = pit[k] <= 20260228 ? 0 : 1;
            minv[k] = 0;
            for (int i = 0; i < MC_INV; i++)
                minv[k] += inv[k][i] * (1 + dr_scale * custos_rng_normal(&rng) + es_scale[cal] +
                                        dr_titr * custos_rng_normal(&rng) + es_titr);
        }
        for (int k = 0; k < MC_T; k++) {
            int cal = first[k] + 9 <= 20260228 ? 0 : 1;
            double min = rin[k] * (1 + dr_scale * custos_rng_normal(&rng) + es_scale[cal] +
                                   dr_titr * custos_rng_normal(&rng) + es_titr);
            double mout = rout[k] * (1 + dr_nda * custos_rng_normal(&rng) + es_nda);
            /* The error of MUF: measured minus true, in grams. */
            double tin = 0, tout = 0;
            for (int i = 0; i < MC_INV; i++) {
                tin += inv[k][i];
                tout += inv[k + 1][i];
            }
            s->muf[k] = 1000.0 * ((minv[k] - tin) + (min - rin[k]) - (mout - rout[k]) -
                                  (minv[k + 1] - tout));
        }
        custos_nrta_result *r;
        /* h given: choosing it is a Markov-chain bisection per call. */
        custos_nrta_options o = {0.05, 0.5, 4.0};
        assert_int_equal(custos_nrta_run(&r, s, &o), 0);
        assert_int_equal(r->degenerate, 0);
        for (int k = 0; k < MC_T; k++) {
            double y = r->periods[k].sitmuf;
            sum += y;
            sum2 += y * y;
            cnt++;
            if (k) {
                lag += y * r->periods[k - 1].sitmuf;
                lagn++;
            }
        }
        custos_nrta_result_free(r);
    }
    double mean = sum / (double)cnt, var = sum2 / (double)cnt - mean * mean;
    double corr = lag / (double)lagn;
    /* Standard errors: 1/sqrt(N) for mean and correlation, sqrt(2/N) for
     * the variance; 4 of them is the tolerance. */
    double se = 1.0 / sqrt((double)cnt);
    print_message("SITMUF: mean %.4f, variance %.4f, lag-1 correlation %.4f (N = %ld)\n", mean,
                  var, corr, cnt);
    assert_true(fabs(mean) < 4 * se);
    assert_true(fabs(var - 1.0) < 4 * sqrt(2.0) * se);
    assert_true(fabs(corr) < 4.0 / sqrt((double)lagn));
    custos_sequence_free(s);
    custos_ledger_free(l);
    free(t.s);
}

static void rng_normal(void **state)
{
    (void)state;
    custos_rng r;
    custos_rng_seed(&r, 7, 3);
    const long n = 2000000;
    /* The eight-lane generator of the Monte Carlo kernel: same moments. */
    custos_wrng w;
    custos_wrng_seed(&w, 7, 3);
    double *buf = malloc(1000 * sizeof *buf);
    double ws = 0, ws2 = 0;
    for (long i = 0; i < n / 1000; i++) {
        custos_wrng_normals(&w, buf, 1000);
        for (int j = 0; j < 1000; j++) {
            ws += buf[j];
            ws2 += buf[j] * buf[j];
        }
    }
    free(buf);
    assert_true(fabs(ws / (double)n) < 4 / sqrt((double)n));
    assert_true(fabs(ws2 / (double)n - 1) < 4 * sqrt(2 / (double)n));
    double s = 0, s2 = 0, s4 = 0;
    long tail = 0, below = 0;
    for (long i = 0; i < n; i++) {
        double z = custos_rng_normal(&r);
        s += z;
        s2 += z * z;
        s4 += z * z * z * z;
        tail += z > 3.6541528853610088; /* beyond the ziggurat's base */
        below += z < -1.0;
    }
    double dn = (double)n;
    assert_true(fabs(s / dn) < 4 / sqrt(dn));
    assert_true(fabs(s2 / dn - 1) < 4 * sqrt(2 / dn));
    assert_true(fabs(s4 / dn - 3) < 4 * sqrt(96 / dn));
    double pt = 1 - custos_normal_cdf(3.6541528853610088);
    assert_true(fabs((double)tail - pt * dn) < 4 * sqrt(pt * dn));
    double pb = custos_normal_cdf(-1.0);
    assert_true(fabs((double)below - pb * dn) < 4 * sqrt(pb * (1 - pb) * dn));
}

int main(void)
{
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(case_a),       cmocka_unit_test(case_a_targets),
        cmocka_unit_test(case_b),
        cmocka_unit_test(case_c),       cmocka_unit_test(case_d),
        cmocka_unit_test(cholesky_incremental), cmocka_unit_test(distributions),
        cmocka_unit_test(arl_table),    cmocka_unit_test(page_h),
        cmocka_unit_test(pd_example),   cmocka_unit_test(mc_sitmuf),
        cmocka_unit_test(rng_normal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
