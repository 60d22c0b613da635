/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_regress.c: regression tests for bugs the robustness work found
 * (fuzzing, sanitizers, failure sweeps), each with the input that showed
 * it.  They matter most in the sanitizer build, where the undefined
 * behaviour or bad memory access they guard against aborts the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "custos/balance.h"
#include "custos/facility.h"
#include "custos/ledger.h"
#include "custos/measure.h"

static const char *facility =
    "{\"state\":\"XA\",\"facility\":\"FA01\",\"type\":\"other\",\"mbas\":["
    "{\"mba\":\"XAAA\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"}]},{\"mba\":\"XABB\"}]}";

static int import_text(custos_ledger *l, const char *text)
{
    custos_reader *rd;
    int err = custos_reader_open_memory(&rd, "r.c10", text, strlen(text), CUSTOS_FORMAT_AUTO);
    if (err == 0) {
        err = custos_ledger_import(l, rd, NULL, NULL);
        custos_reader_free(rd);
    }
    return err;
}

/* An MBA whose only report is a textual one has no PIT: balances and
 * transfers ran qsort() on a NULL array (undefined behaviour, caught by
 * UBSan's nonnull check). */
static void test_mba_without_pit(void **state)
{
    (void)state;
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE), 0);
    assert_int_equal(custos_ledger_facility_add(l, "f", facility, strlen(facility), NULL, NULL), 0);
    assert_int_equal(import_text(l, "001:OI/XA;1#002:1/1#003:20260131#006:DOE,J#010:T#"
                                    "015:20260101/20260131#207:FA01#307:XABB#309:N#390:Y#\n"
                                    "001:NC/XA;1#002:1/1#003:20260131#099:R#207:FA01#307:XABB#"
                                    "391:NO MATERIAL.#\n"),
                     0);
    custos_balances *b;
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    assert_int_equal(custos_ledger_balances(&b, l, NULL, d), 0);
    assert_int_equal(b->n, 0);
    custos_balances_free(b);
    custos_transfers *t;
    assert_int_equal(custos_ledger_transfers(&t, l, NULL, d), 0);
    assert_int_equal(t->n, 0);
    custos_transfers_free(t);
    custos_diags_free(d);
    custos_ledger_free(l);
}

/* A material description query of odd length ("O/G") was read one
 * character past its terminator.  The query sits in an exact-size heap
 * block so AddressSanitizer sees the overread. */
static void test_mdc_query_odd_length(void **state)
{
    (void)state;
    static const char *fac =
        "{\"state\":\"XA\",\"facility\":\"FA01\",\"type\":\"other\",\"mbas\":[{\"mba\":\"XAAA\","
        "\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"}]}],\"measurement\":{\"points\":["
        "{\"mba\":\"XAAA\",\"kmp\":\"1\",\"mdc\":\"O/G\",\"material\":\"UF6\",\"bulk\":\"LC\"},"
        "{\"mba\":\"XAAA\",\"kmp\":\"1\",\"material\":\"any\",\"bulk\":\"BAL\"}]}}";
    custos_facility *f;
    assert_int_equal(custos_facility_parse(&f, "f", fac, strlen(fac), NULL), 0);
    char *q = malloc(4);
    memcpy(q, "O/G", 4);
    const custos_measurement_point *p = custos_measurement_point_for(&f->measurement, "XAAA", "1", q);
    assert_non_null(p);
    assert_string_equal(p->bulk, "LC"); /* the more specific point */
    memcpy(q, "O/Q", 4);
    p = custos_measurement_point_for(&f->measurement, "XAAA", "1", q);
    assert_non_null(p);
    assert_string_equal(p->bulk, "BAL");
    free(q);
    custos_facility_free(f);
}

int main(void)
{
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mba_without_pit),
        cmocka_unit_test(test_mdc_query_odd_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
