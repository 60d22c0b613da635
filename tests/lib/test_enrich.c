/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_enrich.c: blending and enrichment arithmetic against published and
 * hand-worked figures.
 *
 * References:
 *  - shared/spec/statistics.md section 5: 1 kg of 90 % HEU with 1.5 %
 *    blendstock to 4.4 % needs (90 - 4.4)/(4.4 - 1.5) = 29.52 kg of
 *    blendstock and yields 30.52 kg of LEU.
 *  - shared/data/agreements-facts.md: 500 t of HEU -> about 15,260 t of
 *    LEU; 1 kg of 3.5 % product from 0.711 % feed at 0.30 % tails needs
 *    F = 7.786 kg, leaves T = 6.786 kg and takes SW = 4.34 kg-SWU.
 *  - By hand, 1 kg of 20 % product from 3.5 % feed at 0.3 % tails:
 *      F/P = (0.200 - 0.003)/(0.035 - 0.003) = 0.197/0.032 = 6.15625
 *      T/P = 5.15625
 *      V(0.2)   = (0.4 - 1) ln(0.2/0.8) = -0.6 ln(0.25) = 0.6 ln 4 = 0.831777
 *      V(0.003) = -0.994 ln(0.003/0.997) = -0.994 (-5.809143 + 0.003005)
 *               = -0.994 (-5.806138) = 5.771301
 *      V(0.035) = -0.930 ln(0.035/0.965) = -0.930 (-3.352407 + 0.035627)
 *               = -0.930 (-3.316780) = 3.084605
 *      SW/P = 0.831777 + 5.15625 x 5.771301 - 6.15625 x 3.084605
 *           = 0.831777 + 29.758271 - 18.989600 = 11.600448 (six digits of
 *           the logarithms carried; the test allows 2e-6 relative).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "custos/enrich.h"

static void near(double got, double want, double rel)
{
    if (fabs(got - want) > rel * fabs(want)) {
        print_error("got %.9g, want %.9g (relative tolerance %g)\n", got, want, rel);
        fail();
    }
}

static void test_blend_statistics_example(void **state)
{
    (void)state;
    custos_blend b;
    assert_int_equal(custos_enrich_blend(&b, 1.0, 0.90, 0.015, 0.044), CUSTOS_OK);
    /* The spec gives two decimals: 29.52 kg and 30.52 kg. */
    assert_true(fabs(b.blendstock - 29.52) < 0.005);
    assert_true(fabs(b.product - 30.52) < 0.005);
    near(b.ratio, (0.90 - 0.044) / (0.044 - 0.015), 1e-15);
    /* U-235 and uranium balance exactly. */
    near(b.product_u235, 0.90 + 0.015 * b.blendstock, 1e-15);
    near(b.product_u235 / b.product, 0.044, 1e-12);
    near(b.product, b.heu + b.blendstock, 1e-15);
}

static void test_blend_megatons(void **state)
{
    (void)state;
    custos_blend b;
    /* 500 t of HEU (in t): about 15,260 t of LEU (agreements-facts.md). */
    assert_int_equal(custos_enrich_blend(&b, 500.0, 0.90, 0.015, 0.044), CUSTOS_OK);
    assert_true(fabs(b.product - 15260.0) < 2.0);
    near(b.product, 500.0 * (0.90 - 0.015) / (0.044 - 0.015), 1e-12);
    /* Sized by the product, the same blend comes back. */
    custos_blend r;
    assert_int_equal(custos_enrich_blend_for_product(&r, b.product, 0.90, 0.015, 0.044), CUSTOS_OK);
    near(r.heu, 500.0, 1e-12);
    near(r.blendstock, b.blendstock, 1e-12);
    assert_true(r.product == b.product);
}

static void test_blend_zero(void **state)
{
    (void)state;
    custos_blend b;
    assert_int_equal(custos_enrich_blend(&b, 0.0, 0.90, 0.015, 0.044), CUSTOS_OK);
    assert_true(b.heu == 0.0 && b.blendstock == 0.0 && b.product == 0.0);
    assert_true(b.ratio > 29.0);
}

static void test_swu_facts(void **state)
{
    (void)state;
    custos_cascade c;
    assert_int_equal(custos_enrich_cascade(&c, 1.0, 0.00711, 0.035, 0.003), CUSTOS_OK);
    /* Published to the digits given: 7.786, 6.786, 4.34. */
    assert_true(fabs(c.feed - 7.786) < 0.0005);
    assert_true(fabs(c.tails - 6.786) < 0.0005);
    assert_true(fabs(c.swu - 4.34) < 0.005);
    near(c.feed - c.tails, c.product, 1e-12);
    /* The U-235 balances: F x_f = P x_p + T x_t. */
    near(c.feed * 0.00711, 0.035 + c.tails * 0.003, 1e-12);
    /* Linear in the product mass (1000 g -> 1000 times). */
    custos_cascade g;
    assert_int_equal(custos_enrich_cascade(&g, 1000.0, 0.00711, 0.035, 0.003), CUSTOS_OK);
    near(g.swu, 1000.0 * c.swu, 1e-12);
}

static void test_swu_by_hand(void **state)
{
    (void)state;
    custos_cascade c;
    assert_int_equal(custos_enrich_cascade(&c, 1.0, 0.035, 0.20, 0.003), CUSTOS_OK);
    near(c.feed, 6.15625, 1e-14);
    near(c.tails, 5.15625, 1e-14);
    near(c.swu, 11.600448, 2e-6);
    double v;
    assert_int_equal(custos_enrich_value(&v, 0.2), CUSTOS_OK);
    near(v, 0.6 * log(4.0), 1e-14);
}

static void test_value_function(void **state)
{
    (void)state;
    double v, w;
    assert_int_equal(custos_enrich_value(&v, 0.5), CUSTOS_OK);
    assert_true(fabs(v) < 1e-300);
    for (double x = 1e-6; x < 0.5; x *= 1.7) {
        assert_int_equal(custos_enrich_value(&v, x), CUSTOS_OK);
        assert_int_equal(custos_enrich_value(&w, 1.0 - x), CUSTOS_OK);
        near(v, w, 1e-9);
        assert_true(v > 0);
    }
    /* Small assays keep their precision: V(1e-9) = (2e-9 - 1)(ln 1e-9 -
     * ln(1 - 1e-9)). */
    assert_int_equal(custos_enrich_value(&v, 1e-9), CUSTOS_OK);
    near(v, (2e-9 - 1.0) * (log(1e-9) - log1p(-1e-9)), 1e-15);
}

static void test_domain_errors(void **state)
{
    (void)state;
    double v = 42.0;
    const double bad[] = {0.0, 1.0, -0.1, 1.5, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(custos_enrich_value(&v, bad[i]), CUSTOS_EDOMAIN);
        assert_true(v == 42.0); /* out untouched */
        assert_true(strstr(custos_last_error(), "assay") != NULL);
    }
    custos_blend b;
    memset(&b, 0x5a, sizeof b);
    custos_blend before = b;
    /* Out of order: product above HEU, blendstock above product. */
    assert_int_equal(custos_enrich_blend(&b, 1, 0.04, 0.015, 0.044), CUSTOS_EDOMAIN);
    assert_true(strstr(custos_last_error(), "out of order") != NULL);
    assert_int_equal(custos_enrich_blend(&b, 1, 0.9, 0.05, 0.044), CUSTOS_EDOMAIN);
    assert_int_equal(custos_enrich_blend(&b, 1, 0.9, 0.044, 0.044), CUSTOS_EDOMAIN);
    assert_int_equal(custos_enrich_blend(&b, -1, 0.9, 0.015, 0.044), CUSTOS_EDOMAIN);
    assert_int_equal(custos_enrich_blend(&b, NAN, 0.9, 0.015, 0.044), CUSTOS_EDOMAIN);
    assert_int_equal(custos_enrich_blend(&b, 1, 1.0, 0.015, 0.044), CUSTOS_EDOMAIN);
    assert_int_equal(custos_enrich_blend_for_product(&b, -5, 0.9, 0.015, 0.044), CUSTOS_EDOMAIN);
    assert_memory_equal(&b, &before, sizeof b);
    custos_cascade c;
    assert_int_equal(custos_enrich_cascade(&c, 1, 0.00711, 0.035, 0.008), CUSTOS_EDOMAIN);
    assert_int_equal(custos_enrich_cascade(&c, 1, 0.04, 0.035, 0.003), CUSTOS_EDOMAIN);
    assert_int_equal(custos_enrich_cascade(&c, 1, 0.00711, 0.00711, 0.003), CUSTOS_EDOMAIN);
    assert_int_equal(custos_enrich_cascade(&c, -1, 0.00711, 0.035, 0.003), CUSTOS_EDOMAIN);
    assert_int_equal(custos_enrich_cascade(&c, INFINITY, 0.00711, 0.035, 0.003), CUSTOS_EDOMAIN);
    assert_int_equal(custos_enrich_cascade(&c, 1, 0.00711, 1.0, 0.003), CUSTOS_EDOMAIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blend_statistics_example),
        cmocka_unit_test(test_blend_megatons),
        cmocka_unit_test(test_blend_zero),
        cmocka_unit_test(test_swu_facts),
        cmocka_unit_test(test_swu_by_hand),
        cmocka_unit_test(test_value_function),
        cmocka_unit_test(test_domain_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
