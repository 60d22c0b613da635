/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sampling.c: attribute sampling against the spec's example (N 100,
 * r 10, beta 0.1: 20.57, so 21 items) and exact hypergeometric plans
 * computed with Python's math.comb (smallest n with C(N-r,n)/C(N,n) <=
 * beta); the D statistic and MUF - D on a case worked by hand:
 *
 *   one stratum, N = 10, n = 2; operator 100 and 200 g, inspector 99 and
 *   198 g; operator d_r 1%, d_s 0.5%; inspector d_r 2%, d_s 1%.
 *   D = 10/2 (1 + 2) = 15
 *   Var_r = 5^2 (100^2 + 200^2)(0.01^2 + 0.02^2) = 625
 *   Var_s = (5 x 300)^2 (0.005^2 + 0.01^2) = 281.25; sigma_D = 30.1040
 *   Cov(MUF, D) = -(5 x 50000 x 0.01^2 + 5 x 300 x 1500 x 0.005^2) = -81.25
 *   MUF 40, sigma 20: MUF - D = 25, Var = 400 + 906.25 + 162.5 = 1468.75
 *   paired differences 1, 2: mean 1.5, sd 0.70711, t = 3
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "custos/sampling.h"

static void attribute(void **state)
{
    (void)state;
    long n;
    assert_int_equal(custos_attribute_sample_size(&n, 100, 10, 0.1, false), 0);
    assert_int_equal(n, 21);
    static const struct {
        long pop, r;
        double beta;
        long want;
    } exact[] = {{100, 10, 0.1, 20}, {500, 4, 0.05, 263}, {500, 13, 0.05, 102},
                 {500, 75, 0.05, 19}, {1000, 1, 0.1, 900}, {37, 37, 0.5, 1},
                 {400, 1, 0.1, 360}};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        assert_int_equal(custos_attribute_sample_size(&n, exact[i].pop, exact[i].r, exact[i].beta,
                                                      true),
                         0);
        assert_int_equal(n, exact[i].want);
    }
    assert_int_equal(custos_attribute_sample_size(&n, 10, 11, 0.1, true), CUSTOS_EDOMAIN);
    assert_int_equal(custos_attribute_sample_size(&n, 10, 1, 1.0, false), CUSTOS_EDOMAIN);
    long r;
    assert_int_equal(custos_defects_for_goal(&r, 75000, 20000, 1.0), 0);
    assert_int_equal(r, 4);
    assert_int_equal(custos_defects_for_goal(&r, 75000, 20000, 0.05), 0);
    assert_int_equal(r, 75);
    assert_int_equal(custos_defects_for_goal(&r, 80000, 20000, 1.0), 0);
    assert_int_equal(r, 4);
}

static const char strata[] =
    "# worked example\n"
    "stratum,population,operator_random,operator_systematic,inspector_random,"
    "inspector_systematic\n"
    "pellets,10,1%,0.005,0.02,1%\n";
static const char pairs[] = "stratum,batch,operator,inspector\npellets,B1,100,99\npellets,B2,200,198\n";

static void dstat(void **state)
{
    (void)state;
    custos_diags *d;
    custos_inspection *in;
    assert_int_equal(custos_diags_new(&d), 0);
    assert_int_equal(custos_inspection_parse(&in, "s.csv", strata, strlen(strata), "p.csv", pairs,
                                             strlen(pairs), d),
                     0);
    custos_dstat_result *r;
    assert_int_equal(custos_dstat(&r, in, 0.05, true, 40.0, 20.0), 0);
    assert_true(fabs(r->d - 15.0) < 1e-12);
    assert_true(fabs(r->strata[0].var_random - 625.0) < 1e-9);
    assert_true(fabs(r->strata[0].var_systematic - 281.25) < 1e-9);
    assert_true(fabs(r->sigma_d - sqrt(906.25)) < 1e-12);
    assert_true(fabs(r->cov_muf_d + 81.25) < 1e-9);
    assert_true(fabs(r->muf_d - 25.0) < 1e-12);
    assert_true(fabs(r->sigma_muf_d - sqrt(1468.75)) < 1e-9);
    assert_true(fabs(r->strata[0].t - 3.0) < 1e-12);
    assert_false(r->d_alarm);
    assert_false(r->muf_d_alarm);
    custos_dstat_result_free(r);
    custos_inspection_free(in);
    custos_diags_free(d);
}

static void bad_files(void **state)
{
    (void)state;
    custos_diags *d;
    custos_inspection *in;
    assert_int_equal(custos_diags_new(&d), 0);
    const char bad_pairs[] = "stratum,batch,operator,inspector\npellets,B1,100,99\nrods,B2,1,1\n";
    assert_int_equal(custos_inspection_parse(&in, "s.csv", strata, strlen(strata), "p.csv",
                                             bad_pairs, strlen(bad_pairs), d),
                     CUSTOS_EINVAL);
    assert_null(in);
    const custos_diag *g = custos_diags_get(d, 0);
    assert_non_null(g);
    assert_int_equal(g->line, 3);
    assert_non_null(strstr(g->message, "rods"));
    custos_diags_free(d);
    assert_int_equal(custos_diags_new(&d), 0);
    const char too_many[] = "stratum,batch,operator,inspector\npellets,B1,1,1\npellets,B2,1,1\n";
    const char small[] = "stratum,population,operator_random,operator_systematic,"
                         "inspector_random,inspector_systematic\npellets,1,0,0,0,0\n";
    assert_int_equal(custos_inspection_parse(&in, "s.csv", small, strlen(small), "p.csv", too_many,
                                             strlen(too_many), d),
                     CUSTOS_EINVAL);
    custos_diags_free(d);
}

int main(void)
{
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(attribute),
        cmocka_unit_test(dstat),
        cmocka_unit_test(bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
