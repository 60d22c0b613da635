/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_game.c: the game solvers against games solved by hand:
 *
 *  - the zero-sum game of shared/spec/state-level.md,
 *    A = [[4, -4, 1], [-4, 4, -2]]: P* = (6/11, 5/11), Q* = (0, 3/11, 8/11),
 *    value -4/11 (column 1 is dominated by a mix of 2 and 3);
 *  - matching pennies as a bimatrix game: the unique equilibrium is
 *    (1/2, 1/2) for both;
 *  - "battle of the sexes" A = [[3,0],[0,2]], B = [[2,0],[0,3]]: three
 *    equilibria, (1,0;1,0), (0,1;0,1) and x = (3/5, 2/5), y = (2/5, 3/5)
 *    (each player mixes to make the other indifferent: 2 x1 = 3 x2,
 *    3 y1 = 2 y2);
 *  - a degenerate game (a row of equal payoffs) is said to be degenerate;
 *  - maximal sets of costs {5, 6, 9, 10} within 15: {5,6}, {5,9}, {5,10},
 *    {6,9} (and {9}, {10} are not maximal: 5 still fits; {6, 9} = 15
 *    fits exactly).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "custos/game.h"

#define EPS 1e-9

static void close_to(double a, double b)
{
    if (!(a > b - EPS && a < b + EPS))
        fail_msg("%.15g is not %.15g", a, b);
}

static void test_zero_sum_spec(void **state)
{
    (void)state;
    const double A[6] = {4, -4, 1, -4, 4, -2};
    double x[2], y[3], v;
    assert_int_equal(custos_game_zero_sum(x, y, &v, A, 2, 3), CUSTOS_OK);
    close_to(x[0], 6.0 / 11);
    close_to(x[1], 5.0 / 11);
    close_to(y[0], 0);
    close_to(y[1], 3.0 / 11);
    close_to(y[2], 8.0 / 11);
    close_to(v, -4.0 / 11);
}

static void test_zero_sum_errors(void **state)
{
    (void)state;
    const double A[2] = {1, NAN};
    double x[1], y[2], v = 7;
    assert_int_equal(custos_game_zero_sum(x, y, &v, A, 1, 2), CUSTOS_EDOMAIN);
    assert_int_equal(custos_game_zero_sum(x, y, &v, A, 0, 2), CUSTOS_EINVAL);
    assert_true(v == 7);
}

static void test_pennies(void **state)
{
    (void)state;
    const double A[4] = {1, -1, -1, 1}, B[4] = {-1, 1, 1, -1};
    for (size_t k = 0; k < 4; k++) {
        custos_equilibrium e;
        bool deg;
        assert_int_equal(custos_game_lemke_howson(&e, &deg, A, B, 2, 2, k), CUSTOS_OK);
        close_to(e.x[0], 0.5);
        close_to(e.y[1], 0.5);
        close_to(e.u, 0);
        assert_false(deg);
        custos_equilibrium_dispose(&e);
    }
}

static void test_battle(void **state)
{
    (void)state;
    const double A[4] = {3, 0, 0, 2}, B[4] = {2, 0, 0, 3};
    custos_equilibrium *eq;
    size_t n;
    bool deg;
    assert_int_equal(custos_game_support_enumeration(&eq, &n, &deg, A, B, 2, 2, 1000), CUSTOS_OK);
    assert_int_equal(n, 3);
    assert_false(deg);
    close_to(eq[0].x[0], 1);
    close_to(eq[0].y[0], 1);
    close_to(eq[1].x[1], 1);
    close_to(eq[1].y[1], 1);
    close_to(eq[2].x[0], 0.6);
    close_to(eq[2].y[0], 0.4);
    close_to(eq[2].u, 1.2); /* 3 y1 = 1.2 */
    close_to(eq[2].v, 1.2); /* 2 x1 = 1.2 */
    for (size_t i = 0; i < n; i++)
        custos_equilibrium_dispose(&eq[i]);
    custos_free(eq);
    /* Lemke-Howson finds one of the three from each label. */
    for (size_t k = 0; k < 4; k++) {
        custos_equilibrium e;
        assert_int_equal(custos_game_lemke_howson(&e, &deg, A, B, 2, 2, k), CUSTOS_OK);
        bool pure =
            (e.x[0] > 1 - EPS && e.y[0] > 1 - EPS) || (e.x[1] > 1 - EPS && e.y[1] > 1 - EPS);
        bool mixed =
            e.x[0] > 0.6 - EPS && e.x[0] < 0.6 + EPS && e.y[0] > 0.4 - EPS && e.y[0] < 0.4 + EPS;
        assert_true(pure || mixed);
        custos_equilibrium_dispose(&e);
    }
    assert_int_equal(custos_game_support_pairs(2, 2), 5);
    assert_int_equal(custos_game_support_enumeration(&eq, &n, &deg, A, B, 2, 2, 4), CUSTOS_ETOOBIG);
}

static void test_degenerate(void **state)
{
    (void)state;
    /* Column player indifferent everywhere: every column is a best
     * response to anything, more than any support of size 1. */
    const double A[4] = {1, 0, 0, 1}, B[4] = {1, 1, 1, 1};
    custos_equilibrium e;
    bool deg = false;
    assert_int_equal(custos_game_lemke_howson(&e, &deg, A, B, 2, 2, 0), CUSTOS_OK);
    assert_true(deg);
    custos_equilibrium_dispose(&e);
    custos_equilibrium *eq;
    size_t n;
    assert_int_equal(custos_game_support_enumeration(&eq, &n, &deg, A, B, 2, 2, 100), CUSTOS_OK);
    assert_true(deg);
    for (size_t i = 0; i < n; i++)
        custos_equilibrium_dispose(&eq[i]);
    custos_free(eq);
}

static int has(const uint64_t *s, size_t n, uint64_t mask)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == mask)
            return 1;
    return 0;
}

static void test_maximal_sets(void **state)
{
    (void)state;
    const double c[4] = {5, 6, 9, 10};
    uint64_t *s;
    size_t n;
    assert_int_equal(custos_game_maximal_sets(&s, &n, c, 4, 15, 100), CUSTOS_OK);
    assert_int_equal(n, 4);
    assert_true(has(s, n, 0x3));
    assert_true(has(s, n, 0x5));
    assert_true(has(s, n, 0x9));
    assert_true(has(s, n, 0x6));
    custos_free(s);
    /* Budget 0: only the empty set. */
    assert_int_equal(custos_game_maximal_sets(&s, &n, c, 4, 0, 100), CUSTOS_OK);
    assert_int_equal(n, 1);
    assert_true(s[0] == 0);
    custos_free(s);
    /* Everything fits: one set of all. */
    assert_int_equal(custos_game_maximal_sets(&s, &n, c, 4, 100, 100), CUSTOS_OK);
    assert_int_equal(n, 1);
    assert_true(s[0] == 0xf);
    custos_free(s);
    assert_int_equal(custos_game_maximal_sets(&s, &n, c, 4, 15, 3), CUSTOS_ETOOBIG);
    assert_null(s);
    assert_int_equal(custos_game_maximal_sets(&s, &n, c, 4, -1, 3), CUSTOS_EDOMAIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_sum_spec), cmocka_unit_test(test_zero_sum_errors),
        cmocka_unit_test(test_pennies),       cmocka_unit_test(test_battle),
        cmocka_unit_test(test_degenerate),    cmocka_unit_test(test_maximal_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
