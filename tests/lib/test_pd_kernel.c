/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pd_kernel.c: the detection-probability Monte Carlo kernel.
 *
 *  - the innovations form it draws MUF from has exactly the sequence's
 *    covariance (M M^T = Sigma for the MUF = M y it computes) and inverts
 *    the Kalman filter (SITMUF of that MUF is y again), on random
 *    sequences with 0 to 10 systematic groups and on a singular one;
 *  - groups of calibration periods that do not overlap share a state slot
 *    (2 slots for any number of successive windows, 3 when they overlap
 *    pairwise), with the same covariance and the same alarms;
 *  - the AVX-512 kernel gives the alarms of the portable kernel bit for
 *    bit (same normals, same operations), for 1 and 2 threads, partial
 *    groups and blocks, degenerate periods, periods without variance and
 *    group counts on both sides of its register-resident instances;
 *  - the ziggurat table closes, and the eight-lane normals have the
 *    normal's tail beyond the table's base strip and central masses;
 *  - the slow path's squeeze gives the normals of the plain wedge test
 *    (exp() every time), bit for bit, and the same tail stream.
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

#include "custos/stats.h"
#include "statsint.h"

/* A random sequence: random part B B^T with B lower bidiagonal (positive
 * semi-definite by construction), g systematic groups of random signs
 * and supports; `holes` zeroes some periods' random part. */
static custos_sequence *random_seq(custos_rng *r, size_t n, size_t g, bool holes)
{
    custos_sequence *s;
    assert_int_equal(custos_sequence_new(&s, n, g), 0);
    double aprev = 0.0;
    for (size_t t = 0; t < n; t++) {
        double a = 100.0 + 900.0 * custos_rng_uniform(r);
        double b = t ? 500.0 * (custos_rng_uniform(r) - 0.5) : 0.0;
        if (holes && custos_rng_uniform(r) < 0.2)
            a = b = 0.0;
        s->rvar[t] = a * a + b * b;
        s->rcov[t] = t ? b * aprev : 0.0;
        aprev = a;
        for (size_t k = 0; k < g; k++)
            s->sys[k * n + t] =
                custos_rng_uniform(r) < 0.3 ? 0.0 : 400.0 * (custos_rng_uniform(r) - 0.5);
    }
    return s;
}

/* M M^T = Sigma for the MUF = M y the kernel's innovations form
 * computes, and SITMUF of a drawn MUF is its innovation again. */
static void check_innovations(custos_rng *r, custos_sequence *s, int rep)
{
    size_t n = s->n, g = s->ngroups;
    double *m = calloc(n * n, sizeof *m), *e = calloc(n, sizeof *e);
    double *col = calloc(n, sizeof *col), *cov = calloc(n * n, sizeof *cov);
    double *y = calloc(n, sizeof *y);
    /* Column j of M: the MUF of the unit innovation j. */
    for (size_t j = 0; j < n; j++) {
        memset(e, 0, n * sizeof *e);
        e[j] = 1.0;
        assert_int_equal(custos_kalman_muf(s, e, col), 0);
        for (size_t i = 0; i < n; i++)
            m[i * n + j] = col[i];
    }
    custos_sequence_cov(s, cov);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double v = 0.0;
            for (size_t k = 0; k < n; k++)
                v += m[i * n + k] * m[j * n + k];
            double scale = sqrt(cov[i * n + i] * cov[j * n + j]) + 1e-300;
            if (fabs(v - cov[i * n + j]) > 1e-10 * scale) {
                print_error("rep %d (n %zu, g %zu): (M M^T)[%zu][%zu] %.15g, Sigma %.15g\n", rep, n,
                            g, i, j, v, cov[i * n + j]);
                fail();
            }
        }
    for (size_t t = 0; t < n; t++)
        e[t] = 2.0 * custos_rng_uniform(r) - 1.0;
    assert_int_equal(custos_kalman_muf(s, e, col), 0);
    assert_int_equal(custos_kalman_sitmuf(s, col, y), 0);
    for (size_t t = 0; t < n; t++)
        if (!isnan(y[t]) && fabs(y[t] - e[t]) > 1e-9) {
            print_error("rep %d: SITMUF %zu: %.15g, innovation %.15g\n", rep, t, y[t], e[t]);
            fail();
        }
    free(m);
    free(e);
    free(col);
    free(cov);
    free(y);
}

static void innovations_cov(void **state)
{
    (void)state;
    custos_rng r;
    custos_rng_seed(&r, 11, 0);
    for (int rep = 0; rep < 24; rep++) {
        size_t n = 2 + (size_t)(custos_rng_next(&r) % 29), g = (size_t)(custos_rng_next(&r) % 11);
        custos_sequence *s = random_seq(&r, n, g, rep % 3 == 2);
        check_innovations(&r, s, rep);
        custos_sequence_free(s);
    }
}

/* Calibration periods: group 0 spans the whole sequence, each of the
 * groups 1..g-1 one window of `w` periods after the other (a balance
 * recalibrated every w periods).  The windows' groups never overlap, so
 * the kernel keeps them in one shared state slot: 2 slots. */
static custos_sequence *calibration_seq(custos_rng *r, size_t g, size_t w, bool holes)
{
    custos_sequence *s = random_seq(r, (g - 1) * w, g, holes);
    size_t n = s->n;
    for (size_t t = 0; t < n; t++) {
        s->sys[t] = 300.0 + 100.0 * custos_rng_uniform(r);
        for (size_t k = 1; k < g; k++)
            s->sys[k * n + t] = t / w == k - 1 ? 200.0 * (custos_rng_uniform(r) - 0.3) : 0.0;
    }
    return s;
}

static void calibration_slots(void **state)
{
    (void)state;
    custos_rng r;
    custos_rng_seed(&r, 13, 0);
    for (int rep = 0; rep < 6; rep++) {
        size_t g = 3 + (size_t)rep * 3, w = 2 + (size_t)(rep % 4);
        custos_sequence *s = calibration_seq(&r, g, w, rep % 2 == 1);
        size_t slots = 0;
        assert_int_equal(custos_pd_kernel_slots(s, &slots), 0);
        if (slots != 2) {
            print_error("rep %d: %zu groups in windows of %zu: %zu slots, 2 expected\n", rep, g,
                        w, slots);
            fail();
        }
        check_innovations(&r, s, 100 + rep);
        if (custos_pd_kernel_avx512()) {
            double *mu = calloc(s->n, sizeof *mu);
            for (size_t t = 0; t < s->n; t++)
                mu[t] = 200.0 * custos_rng_uniform(&r);
            custos_nrta_options o = {0.05, 0.5, 2.5};
            long a[2][CUSTOS_PD_NTESTS], b[2][CUSTOS_PD_NTESTS];
            assert_int_equal(custos_pd_simulate_kernel(a, s, mu, &o, 2000 + rep, 5, 1,
                                                       CUSTOS_PD_KERNEL_GENERIC),
                             0);
            assert_int_equal(custos_pd_simulate_kernel(b, s, mu, &o, 2000 + rep, 5, 1,
                                                       CUSTOS_PD_KERNEL_AVX512),
                             0);
            assert_memory_equal(a, b, sizeof a);
            free(mu);
        }
        custos_sequence_free(s);
    }
    /* Overlapping windows need more: groups 1..g-1 on windows of 2w
     * starting every w periods overlap pairwise, 3 slots. */
    custos_sequence *s = calibration_seq(&r, 6, 4, false);
    for (size_t k = 1; k < 6; k++)
        for (size_t t = 0; t < s->n; t++)
            s->sys[k * s->n + t] = t / 4 + 1 == k || t / 4 == k ? 50.0 + (double)k : 0.0;
    size_t slots = 0;
    assert_int_equal(custos_pd_kernel_slots(s, &slots), 0);
    assert_int_equal(slots, 3);
    check_innovations(&r, s, 200);
    custos_sequence_free(s);
}

/* Case B of the spec: every MUF is one combination of the systematic
 * errors (rank 1): the draws have that covariance, and all periods but
 * the first are degenerate. */
static void innovations_singular(void **state)
{
    (void)state;
    enum { N = 6 };
    custos_sequence *s;
    assert_int_equal(custos_sequence_new(&s, N, 2), 0);
    for (size_t t = 0; t < N; t++) {
        s->sys[t] = 10000.0;
        s->sys[N + t] = -10000.0;
    }
    double cov[N * N], e[N], col[N], m[N * N];
    custos_sequence_cov(s, cov);
    for (size_t j = 0; j < N; j++) {
        memset(e, 0, sizeof e);
        e[j] = 1.0;
        assert_int_equal(custos_kalman_muf(s, e, col), 0);
        for (size_t i = 0; i < N; i++)
            m[i * N + j] = col[i];
    }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            double v = 0.0;
            for (size_t k = 0; k < N; k++)
                v += m[i * N + k] * m[j * N + k];
            assert_true(fabs(v - cov[i * N + j]) <= 1e-9 * cov[0]);
        }
    custos_sequence_free(s);
}

static void kernels_agree(void **state)
{
    (void)state;
    if (!custos_pd_kernel_avx512()) {
        print_message("no AVX-512 on this processor: the portable kernel alone is tested\n");
        skip();
    }
    custos_rng r;
    custos_rng_seed(&r, 12, 0);
    static const size_t ns[] = {1, 2, 3, 12, 37};
    static const size_t gs[] = {0, 1, 4, 8, 9, 13};
    int cases = 0;
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t b = 0; b < sizeof gs / sizeof *gs; b++) {
            size_t n = ns[a], g = gs[b];
            custos_sequence *s = random_seq(&r, n, g, (a + b) % 2 == 1);
            if (b == 2)
                s->rvar[0] = 0.0; /* a first period without random variance */
            double *mu = calloc(n, sizeof *mu);
            for (size_t t = 0; t < n; t++)
                mu[t] = 300.0 * custos_rng_uniform(&r);
            custos_nrta_options o = {0.05, 0.5, 2.5};
            long reps = (a % 2) ? 4096 + 13 : 805;
            long g1[2][CUSTOS_PD_NTESTS], v1[2][CUSTOS_PD_NTESTS], v2[2][CUSTOS_PD_NTESTS];
            assert_int_equal(custos_pd_simulate_kernel(g1, s, mu, &o, reps, 7, 1,
                                                       CUSTOS_PD_KERNEL_GENERIC),
                             0);
            assert_int_equal(
                custos_pd_simulate_kernel(v1, s, mu, &o, reps, 7, 1, CUSTOS_PD_KERNEL_AVX512), 0);
            assert_int_equal(
                custos_pd_simulate_kernel(v2, s, mu, &o, reps, 7, 2, CUSTOS_PD_KERNEL_AVX512), 0);
            for (int h = 0; h < 2; h++)
                for (int k = 0; k < CUSTOS_PD_NTESTS; k++)
                    if (g1[h][k] != v1[h][k] || v1[h][k] != v2[h][k]) {
                        print_error("n %zu g %zu hyp %d test %d: portable %ld, AVX-512 %ld and "
                                    "%ld (2 threads)\n",
                                    n, g, h, k, g1[h][k], v1[h][k], v2[h][k]);
                        fail();
                    }
            cases++;
            free(mu);
            custos_sequence_free(s);
        }
    assert_int_equal(cases, 30);
}

static void wide_normals(void **state)
{
    (void)state;
    assert_true(fabs(custos_zig_check()) < 1e-13);
    custos_wrng w;
    custos_wrng_seed(&w, 3, 1);
    enum { NV = 4096 };
    double *z = malloc(NV * CUSTOS_WRNG_LANES * sizeof *z);
    const double r = 4.216370409511896;
    long n = 0, tail = 0, below = 0, beyond2 = 0;
    for (int rep = 0; rep < 128; rep++) {
        custos_wrng_normals(&w, z, NV);
        for (size_t k = 0; k < NV * CUSTOS_WRNG_LANES; k++) {
            tail += fabs(z[k]) > r;
            below += z[k] < -1.0;
            beyond2 += z[k] > 2.0;
        }
        n += NV * CUSTOS_WRNG_LANES;
    }
    free(z);
    double dn = (double)n;
    double p[3] = {2.0 * (1.0 - custos_normal_cdf(r)), custos_normal_cdf(-1.0),
                   1.0 - custos_normal_cdf(2.0)};
    long got[3] = {tail, below, beyond2};
    for (int i = 0; i < 3; i++) {
        double sd = sqrt(p[i] * (1.0 - p[i]) * dn);
        print_message("class %d: %ld, expected %.1f (sd %.1f)\n", i, got[i], p[i] * dn, sd);
        assert_true(fabs((double)got[i] - p[i] * dn) < 4.0 * sd);
    }
}

/* The slow path as Marsaglia and Tsang write it, exp() for every wedge
 * test: custos_zig_slow() decides most of them by a squeeze instead and
 * must give the same normals and leave the tail stream in the same state. */
static double plain_slow(custos_rng *tail, uint64_t v, const double *wz, const double *wf)
{
    const double r = 4.216370409511896;
    for (;;) {
        size_t i = (size_t)(v >> 52) & 2047;
        bool neg = v >> 63;
        double x = (double)(v & 0x000fffffffffffffull) * 0x1p-52 * wz[i];
        if (x < wz[i + 1])
            return neg ? -x : x;
        if (i == 0) {
            double xt, yt;
            do {
                xt = -log(custos_rng_uniform(tail)) / r;
                yt = -log(custos_rng_uniform(tail));
            } while (2.0 * yt < xt * xt);
            return neg ? -(r + xt) : r + xt;
        }
        if (wf[i] + custos_rng_uniform(tail) * (wf[i + 1] - wf[i]) < exp(-0.5 * x * x))
            return neg ? -x : x;
        v = custos_rng_next(tail);
    }
}

static void wedge_squeeze(void **state)
{
    (void)state;
    custos_wrng w;
    custos_wrng_seed(&w, 11, 0); /* sets the tables up */
    const double *wz = custos_zig_widths();
    static double wf[2049];
    for (int i = 0; i <= 2048; i++)
        wf[i] = exp(-0.5 * wz[i] * wz[i]);
    custos_rng src, a, b;
    custos_rng_seed(&src, 11, 1);
    custos_rng_seed(&a, 11, 2);
    b = a;
    long rejected = 0, wedge = 0, base = 0;
    while (rejected < 40000) {
        uint64_t v = custos_rng_next(&src);
        size_t i = (size_t)(v >> 52) & 2047;
        bool ok;
        custos_zig_fast(v, wz[i], wz[i + 1], &ok);
        if (ok)
            continue;
        rejected++;
        wedge += i != 0;
        base += i == 0;
        double got = custos_zig_slow(&a, v), want = plain_slow(&b, v, wz, wf);
        assert_memory_equal(&got, &want, sizeof got);
    }
    assert_memory_equal(a.s, b.s, sizeof a.s);
    /* Both kinds of rejection were met (the base strip's 1.1%). */
    print_message("%ld rejected draws: %ld wedge, %ld base strip\n", rejected, wedge, base);
    assert_true(wedge > 30000 && base > 100);
}

int main(void)
{
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(innovations_cov),
        cmocka_unit_test(calibration_slots),
        cmocka_unit_test(innovations_singular),
        cmocka_unit_test(kernels_agree),
        cmocka_unit_test(wide_normals),
        cmocka_unit_test(wedge_squeeze),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
