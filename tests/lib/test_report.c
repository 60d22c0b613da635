/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_report.c: the report model's code lists, dates and weight
 * formatting, and the parsing of single label contents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "custos/report.h"
#include "fields.h"

static void test_weight_labels(void **state)
{
    (void)state;
    assert_int_equal(custos_weight_index(600), 0);
    assert_int_equal(custos_weight_index(670), 7);
    assert_int_equal(custos_weight_index(800), 19);
    assert_int_equal(custos_weight_index(790), -1);
    assert_int_equal(custos_weight_index(605), -1);
    for (int i = 0; i < CUSTOS_NWEIGHTS; i++)
        assert_int_equal(custos_weight_index(custos_weight_label(i)), i);
    /* Units: kilograms for natural U, depleted U and thorium only. */
    assert_int_equal(custos_weight_unit(610), 'K');
    assert_int_equal(custos_weight_unit(620), 'K');
    assert_int_equal(custos_weight_unit(800), 'K');
    assert_int_equal(custos_weight_unit(630), 'G');
    assert_int_equal(custos_weight_unit(700), 'G');
    assert_int_equal(custos_weight_unit(770), 'G');
    assert_int_equal(custos_weight_category(670), 'E');
    assert_int_equal(custos_weight_category(770), 'N');
    assert_int_equal(custos_weight_category(780), 'D');
    assert_int_equal(custos_weight_category(740), 'P');
    assert_true(custos_weight_is_element(630));
    assert_false(custos_weight_is_element(670));
}

/* The label <-> bit tables agree, and nothing else is a label. */
static void test_label_bits(void **state)
{
    (void)state;
    int labels = 0;
    for (int bit = 0; bit < CUSTOS_NLABELBITS; bit++) {
        int label = custos_label_of_bit(bit);
        assert_true(label > 0);
        assert_int_equal(custos_bit_of_label(label), bit);
    }
    for (int label = -5; label < 1200; label++)
        if (custos_bit_of_label(label) >= 0)
            labels++;
    assert_int_equal(labels, CUSTOS_NLABELBITS);
    assert_int_equal(custos_bit_of_label(600), -1); /* weights have no bit */
    assert_int_equal(custos_bit_of_label(4), -1);
}

static void test_change_codes(void **state)
{
    (void)state;
    assert_int_equal(custos_change_code_count(), 28);
    assert_int_equal(custos_change_code_kind("RD"), CUSTOS_CHANGE_INCREASE);
    assert_int_equal(custos_change_code_kind("LD"), CUSTOS_CHANGE_DECREASE);
    assert_int_equal(custos_change_code_kind("EN"), CUSTOS_CHANGE_CATEGORY);
    assert_int_equal(custos_change_code_kind("DI"), CUSTOS_CHANGE_DIFFERENCE);
    assert_int_equal(custos_change_code_kind("RM"), CUSTOS_CHANGE_REBATCH);
    assert_int_equal(custos_change_code_kind("XX"), CUSTOS_CHANGE_NONE);
    assert_int_equal(custos_change_code_kind("R"), CUSTOS_CHANGE_NONE);
    /* EN: enriched to natural: the enriched weight leaves, the natural arrives. */
    assert_int_equal(custos_change_sign("EN", 630), -1);
    assert_int_equal(custos_change_sign("EN", 670), -1);
    assert_int_equal(custos_change_sign("EN", 610), 1);
    assert_int_equal(custos_change_sign("EN", 770), 1);
    assert_int_equal(custos_change_sign("EN", 700), 0);
    assert_int_equal(custos_change_sign("SF", 700), -1);
    assert_int_equal(custos_change_sign("NP", 700), 1);
    assert_int_equal(custos_change_sign("RP", 630), 0);
    assert_true(custos_mbr_code_valid("RABA"));
    assert_true(custos_mbr_code_valid("PB"));
    assert_false(custos_mbr_code_valid("RAXX"));
}

static void test_dates(void **state)
{
    (void)state;
    assert_true(custos_date_valid(20240229));
    assert_false(custos_date_valid(20230229));
    assert_false(custos_date_valid(19000229)); /* 1900 is not a leap year */
    assert_true(custos_date_valid(20000229));
    assert_false(custos_date_valid(20261301));
    assert_int_equal(custos_date_add(20251231, 1), 20260101);
    assert_int_equal(custos_date_add(20240228, 1), 20240229);
    assert_int_equal(custos_date_add(20260301, -1), 20260228);
    assert_int_equal(custos_date_diff(20260101, 20261231), 364);
    assert_int_equal(custos_date_diff(19700101, 20000101), 10957);
    char iso[11];
    custos_date_iso(iso, 20260131);
    assert_string_equal(iso, "2026-01-31");
}

static void test_weight_format(void **state)
{
    (void)state;
    char b[32];
    custos_weight_format(b, 461500250, 'G');
    assert_string_equal(b, "461500.25G");
    custos_weight_format(b, 1462500000, 'G');
    assert_string_equal(b, "1462500G");
    custos_weight_format(b, 12500000, 'K');
    assert_string_equal(b, "12.5K");
    custos_weight_format(b, 1, 'K');
    assert_string_equal(b, "0.000001K");
    custos_weight_format(b, -3000, 'G');
    assert_string_equal(b, "-3G");
    custos_grams_format(b, 461500250);
    assert_string_equal(b, "461500.250");
    custos_grams_format(b, -5);
    assert_string_equal(b, "-0.005");
    custos_grams_format(b, INT64_MAX);
    assert_string_equal(b, "9223372036854775.807");
}

static int parse(custos_entry *e, custos_hdr *h, int label, const char *v, char *msg)
{
    return custos_field_parse(e, h, label, v, strlen(v), msg, 256);
}

static void test_fields(void **state)
{
    (void)state;
    custos_entry e;
    custos_hdr h;
    char msg[256];
    memset(&e, 0, sizeof e);
    memset(&h, 0, sizeof h);
    assert_int_equal(parse(&e, &h, 1, "OI/XA;123", msg), 0);
    assert_int_equal(h.number, 123);
    assert_string_equal(h.state, "XA");
    assert_int_equal(parse(&e, &h, 2, "1/2", msg), 0);
    assert_int_equal(e.number, 1);
    assert_int_equal(e.total, 2);
    assert_int_equal(parse(&e, &h, 15, "20260101/20260131", msg), 0);
    assert_int_equal(h.start, 20260101);
    assert_int_equal(parse(&e, &h, 630, "461500.250G", msg), 0);
    assert_int_equal(e.mg[3], 461500250);
    assert_int_equal(parse(&e, &h, 610, "12.5K", msg), 0);
    assert_int_equal(e.mg[1], 12500000);
    /* Units are fixed by the label. */
    assert_int_equal(parse(&e, &h, 670, "5K", msg), CUSTOS_EINVAL);
    assert_non_null(strstr(msg, "grams"));
    /* Finer than a milligram. */
    assert_int_equal(parse(&e, &h, 680, "1.2345G", msg), CUSTOS_EINVAL);
    /* A label given twice. */
    assert_int_equal(parse(&e, &h, 630, "1G", msg), CUSTOS_EINVAL);
    assert_int_equal(parse(&e, &h, 309, "C/XA;12/3", msg), 0);
    assert_int_equal(e.status, 'C');
    assert_int_equal(e.ref_report, 12);
    assert_int_equal(e.ref_entry, 3);
    assert_int_equal(parse(&e, &h, 430, "B/Q/2/A", msg), 0);
    assert_string_equal(e.mdc, "BQ2A");
    memset(&e, 0, sizeof e);
    assert_int_equal(parse(&e, &h, 430, "B/Q/9/A", msg), CUSTOS_EINVAL);
    assert_int_equal(parse(&e, &h, 411, "XX", msg), CUSTOS_EINVAL);
    assert_int_equal(parse(&e, &h, 412, "260115", msg), 0);
    assert_int_equal(e.change_date, 20260115);
    assert_int_equal(parse(&e, &h, 469, "N/A1/NDA", msg), 0);
    assert_int_equal(e.basis, 'N');
    assert_string_equal(e.basis_kmp, "A1");
    assert_string_equal(e.basis_method, "NDA");
    assert_int_equal(parse(&e, &h, 372, "XA/XARX", msg), 0);
    assert_string_equal(e.receiver.code, "XARX");
    assert_int_equal(parse(&e, &h, 391, "lower case", msg), CUSTOS_EINVAL);
    assert_int_equal(parse(&e, &h, 999, "X", msg), CUSTOS_EINVAL);
    custos_free(e.note);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weight_labels), cmocka_unit_test(test_label_bits),
        cmocka_unit_test(test_change_codes),
        cmocka_unit_test(test_dates),         cmocka_unit_test(test_weight_format),
        cmocka_unit_test(test_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
