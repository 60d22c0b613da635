/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_balance.c: material balances, corrections, MBR comparison and
 * transfer matching against values worked out by hand below.
 *
 * MBA XA/XAAA, opening PIT 2025-12-31:
 *   E (630/670): P1 1000 g / 40 g;  N (610/770): P2 2 kg / 14.22 g
 * ICR 2 (January):
 *   1 RD  from XABB  630 500 g      670 20 g
 *   2 SD  to XABB    630 300.5 g    670 12.02 g   (corrected in ICR 3)
 *   3 LD             630 0.75 g     670 0.03 g
 *   4 NE             610 1 kg -> 630 1000 g, 770 7.11 g -> 670 7.2 g
 *   5 DI             630 0.2 g      670 0.008 g   (shipper - receiver)
 *   6-8 RM/RP rebatching of P1 (sums equal; not in the balance)
 * ICR 3 (February):
 *   1 C/XA;2/2: SD corrected to 630 300.25 g, 670 12.01 g
 *   2 GA             630 0.1 g      670 0.004 g
 * PIL 4 (2026-02-28): E 2198.5 g / 55.14 g, N 1 kg / 7.11 g
 *
 * E element: BA = 1000 + (500 + 1000 + 0.1) - (300.25 + 0.75) - 0.2
 *               = 2198.9 g; MUF = 2198.9 - 2198.5 = 0.4 g
 * E U-235:   BA = 40 + 20 + 7.2 + 0.004 - 12.01 - 0.03 - 0.008
 *               = 55.156 g; MUF = 0.016 g
 * N element: BA = 2000 - 1000 = 1000 g; MUF = 0
 * N fissile: BA = 14.22 - 7.11 = 7.11 g; MUF = 0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "custos/balance.h"
#include "custos/ledger.h"

static const char *facility =
    "{\"state\":\"XA\",\"facility\":\"FA01\",\"type\":\"fuel-fabrication\",\"mbas\":["
    "{\"mba\":\"XAAA\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},"
    "{\"kmp\":\"A\",\"kind\":\"flow\"},{\"kmp\":\"B\",\"kind\":\"flow\"}]},"
    "{\"mba\":\"XABB\"}]}";

#define HDR_I(n, s, e, k) "001:OI/XA;" n "#002:" k "#003:" e "#006:DOE,J#010:I#015:" s "/" e "#207:FA01#307:XAAA#"

static const char *reports =
    /* 1: opening PIL */
    "001:OI/XA;1#002:1/2#003:20251231#006:DOE,J#010:P#015:20251231#207:FA01#307:XAAA#309:N#"
    "407:1#430:O/G/U/C#446:P1#469:M#470:1#630:1000G#670:40G#\n"
    "001:OI/XA;1#002:2#003:20251231#006:DOE,J#010:P#015:20251231#207:FA01#307:XAAA#309:N#"
    "407:1#430:O/G/U/C#446:P2#469:M#470:1#610:2K#770:14.22G#\n"
    /* 2: ICR January */
    HDR_I("2", "20260101", "20260131", "1/8") "309:N#370:XA/XABB#407:A#411:RD#412:20260110#"
    "430:O/G/U/C#446:R1#447:R1#469:N#470:1#630:500G#670:20G#\n"
    HDR_I("2", "20260101", "20260131", "2") "309:N#372:XA/XABB#407:B#411:SD#412:20260120#"
    "430:O/G/U/C#446:S1#469:M#470:1#630:300.5G#670:12.02G#\n"
    HDR_I("2", "20260101", "20260131", "3") "309:N#407:B#411:LD#412:20260125#"
    "430:U/J/6/E#446:D1#469:M#470:0#630:0.75G#670:0.03G#\n"
    HDR_I("2", "20260101", "20260131", "4") "309:N#407:1#411:NE#412:20260126#"
    "430:O/G/U/C#446:P2#469:M#470:1#610:1K#630:1000G#670:7.2G#770:7.11G#\n"
    HDR_I("2", "20260101", "20260131", "5") "309:N#407:A#411:DI#412:20260111#"
    "430:O/G/U/C#446:R1#469:M#470:1#630:0.2G#670:0.008G#\n"
    HDR_I("2", "20260101", "20260131", "6") "309:N#407:1#411:RM#412:20260128#"
    "430:O/G/U/C#446:P1#469:M#470:1#630:1000G#670:40G#\n"
    HDR_I("2", "20260101", "20260131", "7") "309:N#407:1#411:RP#412:20260128#"
    "430:O/G/U/C#446:P1A#469:M#470:1#630:600G#670:24G#\n"
    HDR_I("2", "20260101", "20260131", "8") "309:N#407:1#411:RP#412:20260128#"
    "430:O/G/U/C#446:P1B#469:M#470:1#630:400G#670:16G#\n"
    /* 3: ICR February with the correction */
    HDR_I("3", "20260201", "20260228", "1/2") "309:C/XA;2/2#372:XA/XABB#407:B#411:SD#"
    "412:20260120#430:O/G/U/C#446:S1#469:M#470:1#630:300.25G#670:12.01G#\n"
    HDR_I("3", "20260201", "20260228", "2") "309:N#407:1#411:GA#412:20260205#"
    "430:R/Q/6/E#446:G1#469:M#470:1#630:0.1G#670:0.004G#\n"
    /* 4: PIL at 2026-02-28 */
    "001:OI/XA;4#002:1/2#003:20260228#006:DOE,J#010:P#015:20260228#207:FA01#307:XAAA#309:N#"
    "407:1#430:O/G/U/C#446:P1A#469:M#470:1#630:2198.5G#670:55.14G#\n"
    "001:OI/XA;4#002:2#003:20260228#006:DOE,J#010:P#015:20260228#207:FA01#307:XAAA#309:N#"
    "407:1#430:O/G/U/C#446:P2#469:M#470:1#610:1K#770:7.11G#\n";

/* The operator's MBR for 2026-01-01..2026-02-28; pe_e is its PE of 630. */
static void mbr_text(char *buf, size_t size, const char *pe_e, const char *mf_e)
{
#define M(n) "001:OI/XA;5#002:" n "#003:20260301#006:DOE,J#010:M#015:20260101/20260228#207:FA01#307:XAAA#309:N#"
    snprintf(buf, size,
             M("1/11") "411:PB#610:2K#630:1000G#670:40G#770:14.22G#\n"
             M("2") "411:RD#630:500G#670:20G#\n"
             M("3") "411:NE#610:1K#630:1000G#670:7.2G#770:7.11G#\n"
             M("4") "411:GA#630:0.1G#670:0.004G#\n"
             M("5") "411:SD#630:300.25G#670:12.01G#\n"
             M("6") "411:LD#630:0.75G#670:0.03G#\n"
             M("7") "411:DI#630:0.2G#670:0.008G#\n"
             M("8") "411:BA#610:1K#630:2198.9G#670:55.156G#770:7.11G#\n"
             M("9") "411:PE#610:1K#630:%sG#670:55.14G#770:7.11G#\n"
             M("10") "411:MF#610:0K#630:%sG#670:0.016G#770:0G#\n"
             M("11") "411:BE#610:1K#630:2199.1G#670:55.164G#770:7.11G#\n",
             pe_e, mf_e);
#undef M
}

static custos_ledger *setup(const char *extra)
{
    custos_ledger *l;
    custos_diags *d;
    custos_reader *rd;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE), 0);
    assert_int_equal(custos_diags_new(&d), 0);
    assert_int_equal(custos_ledger_facility_add(l, "fac.json", facility, strlen(facility), d, NULL), 0);
    assert_int_equal(custos_reader_open_memory(&rd, "reports.c10", reports, strlen(reports),
                                               CUSTOS_FORMAT_AUTO),
                     0);
    int err = custos_ledger_import(l, rd, NULL, d);
    if (err)
        print_error("import: %s\n", custos_last_error());
    assert_int_equal(err, 0);
    custos_reader_free(rd);
    if (extra) {
        assert_int_equal(custos_reader_open_memory(&rd, "mbr.c10", extra, strlen(extra),
                                                   CUSTOS_FORMAT_AUTO),
                         0);
        err = custos_ledger_import(l, rd, NULL, d);
        if (err)
            print_error("import MBR: %s\n", custos_last_error());
        assert_int_equal(err, 0);
        custos_reader_free(rd);
    }
    custos_diags_free(d);
    return l;
}

static const custos_balance *find(const custos_balances *b, char element, int label)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->items[i].element == element && b->items[i].label == label)
            return &b->items[i];
    return NULL;
}

static int code(const char *c)
{
    for (int i = 0; i < CUSTOS_NCODES; i++)
        if (!strcmp(custos_change_code_at(i), c))
            return i;
    return -1;
}

static void test_hand_balance(void **state)
{
    (void)state;
    char mbr[4096];
    mbr_text(mbr, sizeof mbr, "2198.5", "0.4");
    custos_ledger *l = setup(mbr);
    custos_balances *b;
    custos_diags *f;
    assert_int_equal(custos_diags_new(&f), 0);
    int berr = custos_ledger_balances(&b, l, "XAAA", f);
    if (berr)
        print_error("balances: %s\n", custos_last_error());
    assert_int_equal(berr, 0);
    /* E, N element and their isotope lines: four quantities, one period. */
    assert_int_equal(b->n, 4);
    const custos_balance *e = find(b, 'E', 0), *u5 = find(b, 'E', 670);
    const custos_balance *n = find(b, 'N', 0), *n5 = find(b, 'N', 770);
    assert_non_null(e);
    assert_non_null(u5);
    assert_non_null(n);
    assert_non_null(n5);
    assert_int_equal(e->start, 20260101);
    assert_int_equal(e->end, 20260228);
    assert_int_equal(e->pb, 1000000);
    assert_int_equal(e->change[code("RD")], 500000);
    assert_int_equal(e->change[code("NE")], 1000000);
    assert_int_equal(e->change[code("GA")], 100);
    assert_int_equal(e->change[code("SD")], 300250); /* the corrected value */
    assert_int_equal(e->change[code("LD")], 750);
    assert_int_equal(e->change[code("RM")], 0);     /* rebatching stays out */
    assert_int_equal(e->di, 200);
    assert_int_equal(e->ba, 2198900);
    assert_int_equal(e->pe, 2198500);
    assert_int_equal(e->muf, 400);
    assert_int_equal(u5->ba, 55156);
    assert_int_equal(u5->muf, 16);
    assert_int_equal(n->pb, 2000000);
    assert_int_equal(n->change[code("NE")], 1000000);
    assert_true(n->dec_mask >> code("NE") & 1u);
    assert_true(e->inc_mask >> code("NE") & 1u);
    assert_int_equal(n->ba, 1000000);
    assert_int_equal(n->muf, 0);
    assert_int_equal(n5->ba, 7110);
    assert_int_equal(n5->muf, 0);
    /* The operator's MBR agrees: no finding. */
    assert_int_equal(e->mbr_report, 5);
    assert_int_equal(e->mbr_differences, 0);
    if (custos_diags_total(f, CUSTOS_SEV_FINDING)) {
        char line[512];
        custos_diag_format(line, sizeof line, custos_diags_get(f, 0));
        print_error("unexpected finding: %s\n", line);
    }
    assert_int_equal(custos_diags_total(f, CUSTOS_SEV_FINDING), 0);
    custos_balances_free(b);
    custos_diags_free(f);
    custos_ledger_free(l);
}

static void test_mbr_disagrees(void **state)
{
    (void)state;
    char mbr[4096];
    /* PE 2198.6 with MF 0.3 keeps the MBR's own arithmetic right, but PE
     * and MF disagree with the books (2198.5 and 0.4). */
    mbr_text(mbr, sizeof mbr, "2198.6", "0.3");
    custos_ledger *l = setup(mbr);
    custos_balances *b;
    custos_diags *f;
    assert_int_equal(custos_diags_new(&f), 0);
    assert_int_equal(custos_ledger_balances(&b, l, NULL, f), 0);
    const custos_balance *e = find(b, 'E', 0);
    assert_int_equal(e->mbr_differences, 2);
    assert_int_equal(custos_diags_total(f, CUSTOS_SEV_FINDING), 2);
    char line[512];
    custos_diag_format(line, sizeof line, custos_diags_get(f, 0));
    assert_non_null(strstr(line, "PE of enriched U as 2198.600 g, the books 2198.500 g"));
    custos_balances_free(b);
    custos_diags_free(f);
    custos_ledger_free(l);
}

static void test_no_mbr_is_a_finding(void **state)
{
    (void)state;
    custos_ledger *l = setup(NULL);
    custos_balances *b;
    custos_diags *f;
    assert_int_equal(custos_diags_new(&f), 0);
    assert_int_equal(custos_ledger_balances(&b, l, "XA/XAAA", f), 0);
    assert_int_equal(custos_diags_total(f, CUSTOS_SEV_FINDING), 1);
    char line[512];
    custos_diag_format(line, sizeof line, custos_diags_get(f, 0));
    assert_non_null(strstr(line, "no operator MBR"));
    custos_balances_free(b);
    custos_diags_free(f);
    custos_ledger_free(l);
}

static void test_transfers(void **state)
{
    (void)state;
    custos_ledger *l = setup(NULL);
    custos_transfers *t;
    custos_diags *f;
    assert_int_equal(custos_diags_new(&f), 0);
    assert_int_equal(custos_ledger_transfers(&t, l, NULL, f), 0);
    /* XABB books nothing: the shipment is unmatched, the receipt too.
     * XABB has no ICR, so neither is overdue yet. */
    assert_int_equal(t->n, 2);
    size_t ships = 0, recvs = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->items[i].status == CUSTOS_TRANSFER_PENDING) {
            ships++;
            assert_string_equal(t->items[i].batch, "S1");
            assert_int_equal(t->items[i].ship_mg[3], 300250);
        } else {
            assert_int_equal(t->items[i].status, CUSTOS_TRANSFER_UNMATCHED_RECEIPT);
            recvs++;
        }
    }
    assert_int_equal(ships, 1);
    assert_int_equal(recvs, 1);
    assert_int_equal(custos_diags_total(f, CUSTOS_SEV_FINDING), 0);
    custos_transfers_free(t);
    custos_diags_free(f);
    custos_ledger_free(l);
}

static void test_verify_and_export_roundtrip(void **state)
{
    (void)state;
    custos_ledger *l = setup(NULL);
    custos_verify_result v;
    assert_int_equal(custos_ledger_verify(l, NULL, &v, NULL, NULL), 0);
    assert_int_equal(v.items, 5); /* facility + 4 reports */
    assert_int_equal(v.reports, 4);
    assert_int_equal(v.entries, 14);
    assert_int_equal(custos_ledger_verify(l, v.head, NULL, NULL, NULL), 0);
    /* The stored reports, written back, are the input text exactly (it is
     * already canonical). */
    custos_report_ref *refs;
    size_t n;
    assert_int_equal(custos_ledger_reports(&refs, &n, l, "XAAA", 0), 0);
    assert_int_equal(n, 4);
    char *all = NULL;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        custos_report *r;
        char *text;
        size_t len;
        assert_int_equal(custos_ledger_report_load(&r, l, refs[i].id), 0);
        assert_int_equal(custos_report_canonical(&text, &len, r), 0);
        all = custos_realloc(all, total + len + 1);
        memcpy(all + total, text, len);
        total += len;
        all[total] = '\0';
        custos_free(text);
        custos_report_free(r);
    }
    assert_string_equal(all, reports);
    custos_free(all);
    custos_free(refs);
    custos_ledger_free(l);
}

int main(void)
{
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_balance),
        cmocka_unit_test(test_mbr_disagrees),
        cmocka_unit_test(test_no_mbr_is_a_finding),
        cmocka_unit_test(test_transfers),
        cmocka_unit_test(test_verify_and_export_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
