/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_alloc.c: allocation-failure sweeps (STYLE.md point 10).
 *
 * For N = 1, 2, ... the Nth allocation through the seam fails (SQLite's
 * and jansson's included) during an import, a balance and a verify.  Every
 * run must either succeed or return a clean error, leak nothing, and leave
 * the ledger verifiable and unchanged by the failed import.  The sweep ends
 * at the first N past the operation's last allocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "custos/balance.h"
#include "custos/ledger.h"

static const char *facility =
    "{\"state\":\"XA\",\"facility\":\"FA01\",\"type\":\"fuel-fabrication\",\"mbas\":["
    "{\"mba\":\"XAAA\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},"
    "{\"kmp\":\"B\",\"kind\":\"flow\"}]},{\"mba\":\"XABB\"}]}";

static const char *pil =
    "001:OI/XA;1#002:1/1#003:20251231#006:DOE,J#010:P#015:20251231#207:FA01#307:XAAA#309:N#"
    "407:1#430:O/G/U/C#446:P1#469:M#470:1#630:1000G#670:40G#\n";

static const char *reports =
    "001:OI/XA;2#002:1/2#003:20260131#006:DOE,J#010:I#015:20260101/20260131#207:FA01#307:XAAA#"
    "309:N#372:XA/XABB#407:B#411:SD#412:20260120#430:O/G/U/C#446:S1#469:M#470:1#630:300.5G#"
    "670:12.02G#\n"
    "001:OI/XA;2#002:2#003:20260131#006:DOE,J#010:I#015:20260101/20260131#207:FA01#307:XAAA#"
    "309:N#407:B#411:LD#412:20260125#430:U/J/6/E#446:D1#469:M#470:0#630:0.75G#670:0.03G#\n"
    "001:OI/XA;3#002:1/1#003:20260228#006:DOE,J#010:I#015:20260201/20260228#207:FA01#307:XAAA#"
    "309:C/XA;2/1#372:XA/XABB#407:B#411:SD#412:20260120#430:O/G/U/C#446:S1#469:M#470:1#"
    "630:300.25G#670:12.01G#\n"
    "001:OI/XA;4#002:1/1#003:20260228#006:DOE,J#010:P#015:20260228#207:FA01#307:XAAA#309:N#"
    "407:1#430:O/G/U/C#446:P1#469:M#470:1#630:699G#670:27.9G#\n"
    "001:NC/XA;4#002:1/1#003:20260228#099:R#207:FA01#307:XAAA#391:ROUTINE INVENTORY.#\n";

static int import_text(custos_ledger *l, const char *name, const char *text)
{
    custos_reader *rd;
    custos_diags *d;
    int err = custos_diags_new(&d);
    if (err < 0)
        return err;
    err = custos_reader_open_memory(&rd, name, text, strlen(text), CUSTOS_FORMAT_AUTO);
    if (err == 0) {
        err = custos_ledger_import(l, rd, NULL, d);
        custos_reader_free(rd);
    }
    custos_diags_free(d);
    return err;
}

static custos_ledger *base_ledger(void)
{
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE), 0);
    assert_int_equal(custos_ledger_facility_add(l, "f", facility, strlen(facility), NULL, NULL), 0);
    assert_int_equal(import_text(l, "pil", pil), 0);
    return l;
}

static int64_t chain_items(custos_ledger *l)
{
    custos_verify_result v;
    int err = custos_ledger_verify(l, NULL, &v, NULL, NULL);
    if (err)
        print_error("verify: %s\n", custos_last_error());
    assert_int_equal(err, 0);
    return v.items;
}

static bool clean_error(int err)
{
    return err == CUSTOS_ENOMEM || err == CUSTOS_ESTORAGE;
}

static void test_import_sweep(void **state)
{
    (void)state;
    /* Warm up SQLite's and libsodium's one-time allocations. */
    custos_ledger_free(base_ledger());
    long baseline = custos_alloc_live();
    int failures = 0, n;
    for (n = 1;; n++) {
        custos_ledger *l = base_ledger();
        int64_t before = chain_items(l);
        custos_alloc_fail_at(n, 0);
        int err = import_text(l, "reports", reports);
        long attempts = custos_alloc_count();
        custos_alloc_fail_at(0, 0);
        if (err) {
            if (!clean_error(err))
                print_error("n=%d: unexpected error %d: %s\n", n, err, custos_last_error());
            assert_true(clean_error(err));
            assert_int_equal(chain_items(l), before); /* unchanged */
            failures++;
        } else {
            assert_int_equal(chain_items(l), before + 3);
        }
        custos_ledger_free(l);
        assert_int_equal(custos_alloc_live(), baseline);
        if (attempts < n)
            break; /* the operation made fewer than n allocations */
    }
    print_message("import: %d allocation points, %d failed cleanly\n", n - 1, failures);
    assert_true(failures > 50);
}

static void test_balance_and_verify_sweep(void **state)
{
    (void)state;
    custos_ledger *l = base_ledger();
    assert_int_equal(import_text(l, "reports", reports), 0);
    /* Each run works on a fresh in-memory copy, closed afterwards, so a
     * leak shows exactly and SQLite's page cache does not blur it. */
    custos_ledger *warm;
    assert_int_equal(custos_ledger_clone_memory(&warm, l), 0);
    custos_ledger_free(warm);
    long baseline = custos_alloc_live();
    int n, failures = 0;
    for (n = 1;; n++) {
        custos_ledger *c;
        custos_balances *b = NULL;
        custos_diags *d = NULL;
        assert_int_equal(custos_ledger_clone_memory(&c, l), 0);
        custos_alloc_fail_at(n, 0);
        int err = custos_diags_new(&d);
        if (!err)
            err = custos_ledger_balances(&b, c, NULL, d);
        long attempts = custos_alloc_count();
        custos_alloc_fail_at(0, 0);
        if (err) {
            assert_true(clean_error(err));
            assert_null(b);
            failures++;
        } else {
            assert_int_equal(b->n, 2);
            assert_int_equal(b->items[0].ba, 699000); /* 1000 - 300.25 (corrected) - 0.75 */
            assert_int_equal(b->items[0].muf, 0);
            assert_int_equal(b->items[1].muf, 60); /* 40 - 12.01 - 0.03 - 27.9 */
        }
        custos_balances_free(b);
        custos_diags_free(d);
        custos_ledger_free(c);
        if (custos_alloc_live() != baseline)
            print_error("balance n=%d: %ld blocks leaked\n", n, custos_alloc_live() - baseline);
        assert_int_equal(custos_alloc_live(), baseline);
        if (attempts < n)
            break;
    }
    print_message("balance: %d allocation points, %d failed cleanly\n", n - 1, failures);
    failures = 0;
    for (n = 1;; n++) {
        custos_ledger *c;
        custos_verify_result v;
        assert_int_equal(custos_ledger_clone_memory(&c, l), 0);
        custos_alloc_fail_at(n, 0);
        int err = custos_ledger_verify(c, NULL, &v, NULL, NULL);
        long attempts = custos_alloc_count();
        custos_alloc_fail_at(0, 0);
        if (err) {
            if (!clean_error(err))
                print_error("verify n=%d: %s\n", n, custos_last_error());
            assert_true(clean_error(err)); /* never a false alarm of tampering */
            failures++;
        } else {
            assert_int_equal(v.items, 5);
        }
        custos_ledger_free(c);
        if (custos_alloc_live() != baseline)
            print_error("verify n=%d: %ld blocks leaked\n", n, custos_alloc_live() - baseline);
        assert_int_equal(custos_alloc_live(), baseline);
        if (attempts < n)
            break;
    }
    print_message("verify: %d allocation points, %d failed cleanly\n", n - 1, failures);
    assert_int_equal(chain_items(l), 5);
    custos_ledger_free(l);
}

int main(void)
{
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_sweep),
        cmocka_unit_test(test_balance_and_verify_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
