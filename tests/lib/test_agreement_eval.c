/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_agreement_eval.c: every kind of commitment met, at risk and
 * breached on small ledgers worked by hand, and a correction (label 309 C)
 * that moves a limit from breached to met and back.
 *
 * One fictional State XA, facility FA01, MBAs:
 *   XAAA, XABB  holding areas (limit, max-enrichment)
 *   XAPS, XARX  plutonium store and a reactor as disposition route
 *   XABL        a blending MBA (downblend)
 *   XARR        a research reactor (conversion)
 * Every figure below is in grams unless it says otherwise; the expected
 * statuses and margins are worked out in the comment of each test.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "custos/agreement.h"
#include "custos/ledger.h"

static const char *facility =
    "{\"state\":\"XA\",\"facility\":\"FA01\",\"type\":\"other\",\"mbas\":["
    "{\"mba\":\"XAAA\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},{\"kmp\":\"A\",\"kind\":\"flow\"}]},"
    "{\"mba\":\"XABB\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},{\"kmp\":\"A\",\"kind\":\"flow\"}]},"
    "{\"mba\":\"XAPS\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},{\"kmp\":\"A\",\"kind\":\"flow\"}]},"
    "{\"mba\":\"XARX\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},{\"kmp\":\"A\",\"kind\":\"flow\"}]},"
    "{\"mba\":\"XABL\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},{\"kmp\":\"A\",\"kind\":\"flow\"}]},"
    "{\"mba\":\"XARR\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},{\"kmp\":\"A\",\"kind\":\"flow\"}]}]}";

/* A PIL entry header and an ICR entry header. */
#define HP(n, k, d, mba)                                                                          \
    "001:OI/XA;" n "#002:" k "#003:" d "#006:T,T#010:P#015:" d "#207:FA01#307:" mba               \
    "#309:N#407:1#430:O/G/U/C#469:M#470:0#"
#define HI(n, k, s, e, mba)                                                                       \
    "001:OI/XA;" n "#002:" k "#003:" e "#006:T,T#010:I#015:" s "/" e "#207:FA01#307:" mba "#"
#define EMPTY_PIL(n, d, mba)                                                                      \
    "001:OI/XA;" n "#002:1/1#003:" d "#006:T,T#010:P#015:" d "#207:FA01#307:" mba "#309:U#\n"

static custos_ledger *ledger(void)
{
    custos_ledger *l;
    custos_diags *d;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE), 0);
    assert_int_equal(custos_diags_new(&d), 0);
    assert_int_equal(custos_ledger_facility_add(l, "fac.json", facility, strlen(facility), d, NULL),
                     0);
    custos_diags_free(d);
    return l;
}

static void import(custos_ledger *l, const char *text)
{
    custos_diags *d;
    custos_reader *rd;
    assert_int_equal(custos_diags_new(&d), 0);
    assert_int_equal(custos_reader_open_memory(&rd, "test.c10", text, strlen(text),
                                               CUSTOS_FORMAT_AUTO),
                     0);
    int err = custos_ledger_import(l, rd, NULL, d);
    if (err) {
        char line[512];
        for (size_t i = 0; i < custos_diags_count(d); i++) {
            custos_diag_format(line, sizeof line, custos_diags_get(d, i));
            print_error("%s\n", line);
        }
        print_error("import: %s\n", custos_last_error());
    }
    assert_int_equal(err, 0);
    custos_reader_free(rd);
    custos_diags_free(d);
}

/* Evaluate an agreement text (not stored) as of a day (0: latest). */
static custos_commitment_statuses *evaluate(custos_ledger *l, const char *json, custos_date as_of)
{
    custos_agreement *a = NULL;
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    int err = custos_agreement_parse(&a, "test.json", json, strlen(json), d);
    if (err)
        print_error("parse: %s\n", custos_last_error());
    assert_int_equal(err, 0);
    custos_diags_free(d);
    custos_agreement_options opt = {as_of, NULL};
    custos_commitment_statuses *s = NULL;
    err = custos_agreement_evaluate(&s, l, a, &opt);
    if (err)
        print_error("evaluate: %s\n", custos_last_error());
    assert_int_equal(err, 0);
    custos_agreement_free(a);
    return s;
}

static void expect(const custos_commitment_status *st, custos_commitment_state want)
{
    if (st->state != want) {
        print_error("%s: %s, want %s: %s\n", st->id, custos_commitment_state_name(st->state),
                    custos_commitment_state_name(want), st->reason);
        fail();
    }
}

static bool has_entry(const custos_commitment_status *st, const char *mba, int64_t report,
                      int32_t entry, const char *role)
{
    for (size_t i = 0; i < st->nentries; i++) {
        const custos_commitment_entry *e = &st->entries[i];
        if (!strcmp(e->mba, mba) && e->report == report && e->entry == entry &&
            (!role || !strcmp(e->role, role)))
            return true;
    }
    return false;
}

static double figure(const custos_commitment_status *st, const char *name)
{
    for (size_t i = 0; i < st->nfigures; i++)
        if (!strcmp(st->figures[i].name, name))
            return st->figures[i].value;
    print_error("%s: no figure '%s'\n", st->id, name);
    fail();
    return 0;
}

/* ---- limit ------------------------------------------------------------- */

/*
 * HEU (U, category E, assay >= 20 %) over State XA at most 10 kg U,
 * warning from 90 % (9 kg), trend over 30 days.
 * Opening PILs 2025-12-31: XAAA 4000 g at 90 % and 100 kg LEU at 4 % (not
 * HEU); XABB 3000 g at 50 %.  HEU: 7 kg.
 * ICR 2 (XAAA, January 2026): RF 2026-01-20 of X g at 90 %.
 *   X = 1000 -> 8 kg: met.   X = 2500 -> 9.5 kg: at risk (>= 9 kg).
 *   X = 3500 -> 10.5 kg: breached, margin 10 - 10.5 = -0.5 kg.
 */
static const char *limit_json =
    "{\"agreement\":\"t\",\"title\":\"t\",\"source\":\"test\",\"commitments\":[{"
    "\"id\":\"heu\",\"kind\":\"limit\",\"source\":\"test\",\"scope\":{\"state\":\"XA\"},"
    "\"material\":{\"element\":\"U\",\"category\":\"E\",\"assay_min\":0.2},"
    "\"max\":{\"value\":10,\"unit\":\"kg\"},\"from\":\"2026-01-01\",\"horizon_days\":30}]}";

static custos_ledger *limit_ledger(const char *receipt_g)
{
    custos_ledger *l = ledger();
    import(l, HP("1", "1/2", "20251231", "XAAA") "446:H1#630:4000G#670:3600G#\n" HP(
                  "1", "2", "20251231", "XAAA") "446:L1#630:100000G#670:4000G#\n");
    import(l, HP("1", "1/1", "20251231", "XABB") "446:H2#630:3000G#670:1500G#\n");
    char icr[1024];
    snprintf(icr, sizeof icr,
             HI("2", "1/1", "20260101", "20260131", "XAAA") "309:N#370:XB#407:A#411:RF#"
             "412:20260120#430:O/G/U/C#446:H3#447:UNKNOWN#469:N#470:0#630:%sG#670:%sG#\n",
             receipt_g, !strcmp(receipt_g, "1000") ? "900" : !strcmp(receipt_g, "2500") ? "2250" : "3150");
    import(l, icr);
    return l;
}

static void test_limit_met(void **state)
{
    (void)state;
    custos_ledger *l = limit_ledger("1000");
    custos_commitment_statuses *s = evaluate(l, limit_json, 0);
    assert_int_equal(s->n, 1);
    const custos_commitment_status *st = &s->items[0];
    expect(st, CUSTOS_COMMITMENT_MET);
    assert_int_equal(st->as_of, 20260131);
    assert_int_equal(st->value_mg, 8000000);
    assert_true(fabs(st->value - 8.0) < 1e-9);
    assert_true(fabs(st->margin - 2.0) < 1e-9);
    assert_string_equal(st->unit, "kg U");
    /* The LEU batch is not HEU and does not count. */
    assert_true(has_entry(st, "XAAA", 1, 1, "inventory"));
    assert_false(has_entry(st, "XAAA", 1, 2, NULL));
    assert_true(has_entry(st, "XABB", 1, 1, "inventory"));
    assert_true(has_entry(st, "XAAA", 2, 1, "inventory"));
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

static void test_limit_at_risk(void **state)
{
    (void)state;
    custos_ledger *l = limit_ledger("2500");
    custos_commitment_statuses *s = evaluate(l, limit_json, 0);
    expect(&s->items[0], CUSTOS_COMMITMENT_AT_RISK);
    assert_int_equal(s->items[0].value_mg, 9500000);
    assert_true(strstr(s->items[0].reason, "95.0 % of the limit") != NULL);
    /* Before the receipt, 7 kg: met with a flat trend. */
    custos_commitment_statuses *e = evaluate(l, limit_json, 20260119);
    expect(&e->items[0], CUSTOS_COMMITMENT_MET);
    assert_int_equal(e->items[0].value_mg, 7000000);
    custos_commitment_statuses_free(e);
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

static void test_limit_breached(void **state)
{
    (void)state;
    custos_ledger *l = limit_ledger("3500");
    custos_commitment_statuses *s = evaluate(l, limit_json, 0);
    const custos_commitment_status *st = &s->items[0];
    expect(st, CUSTOS_COMMITMENT_BREACHED);
    assert_int_equal(st->value_mg, 10500000);
    assert_int_equal(st->decided_on, 20260120);
    assert_true(fabs(st->margin - -0.5) < 1e-9);
    assert_true(has_entry(st, "XAAA", 2, 1, "inventory"));
    assert_true(strstr(st->reason, "over the limit 10.000 kg U by 0.500 kg U") != NULL);
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

/*
 * A correction moves the limit from breached to met and back: ICR 3
 * corrects entry 2/1 (3500 g) to 100 g (HEU 7.1 kg; the 30-day trend
 * projects 7.1 + 0.1 x 30/59 = 7.15 kg: met); ICR 4 corrects it back to
 * 3500 g: breached again.  Nothing is overwritten; the books apply the
 * latest record of entry 2/1.
 */
static void test_limit_correction(void **state)
{
    (void)state;
    custos_ledger *l = limit_ledger("3500");
    import(l, HI("3", "1/1", "20260201", "20260228", "XAAA") "309:C/XA;2/1#370:XB#407:A#411:RF#"
              "412:20260120#430:O/G/U/C#446:H3#447:UNKNOWN#469:N#470:0#630:100G#670:90G#\n");
    custos_commitment_statuses *s = evaluate(l, limit_json, 0);
    const custos_commitment_status *st = &s->items[0];
    expect(st, CUSTOS_COMMITMENT_MET);
    assert_int_equal(st->as_of, 20260228);
    assert_int_equal(st->value_mg, 7100000);
    /* The entry is still named by its key, with the correcting record. */
    bool found = false;
    for (size_t i = 0; i < st->nentries; i++)
        if (st->entries[i].report == 2 && st->entries[i].entry == 1) {
            found = true;
            assert_int_equal(st->entries[i].src_report, 3);
            assert_int_equal(st->entries[i].mg, 100000);
        }
    assert_true(found);
    custos_commitment_statuses_free(s);
    import(l, HI("4", "1/1", "20260301", "20260331", "XAAA") "309:C/XA;2/1#370:XB#407:A#411:RF#"
              "412:20260120#430:O/G/U/C#446:H3#447:UNKNOWN#469:N#470:0#630:3500G#670:3150G#\n");
    s = evaluate(l, limit_json, 0);
    expect(&s->items[0], CUSTOS_COMMITMENT_BREACHED);
    assert_int_equal(s->items[0].value_mg, 10500000);
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

/* A limit written in a chemical form: 300 kg UF6 at U/UF6 0.6761 is
 * 202.83 kg U.  8 kg HEU is 8/0.6761 = 11.8326 kg UF6. */
static void test_limit_chemical_form(void **state)
{
    (void)state;
    custos_ledger *l = limit_ledger("1000");
    const char *json =
        "{\"agreement\":\"t\",\"title\":\"t\",\"source\":\"test\",\"commitments\":[{"
        "\"id\":\"uf6\",\"kind\":\"limit\",\"source\":\"test\",\"scope\":{\"mbas\":[\"XA/XAAA\","
        "\"XA/XABB\"]},\"material\":{\"element\":\"U\",\"category\":\"E\"},"
        "\"max\":{\"value\":300,\"unit\":\"kg\",\"form\":\"UF6\",\"element_fraction\":0.6761}}]}";
    custos_commitment_statuses *s = evaluate(l, json, 0);
    const custos_commitment_status *st = &s->items[0];
    expect(st, CUSTOS_COMMITMENT_MET);
    assert_int_equal(st->bound_mg, 202830000);
    assert_string_equal(st->unit, "kg UF6");
    /* All enriched uranium: 8 kg HEU + 100 kg LEU = 108 kg U. */
    assert_int_equal(st->value_mg, 108000000);
    assert_true(fabs(st->value - 108.0 / 0.6761) < 1e-9);
    assert_true(fabs(figure(st, "inventory now") - 108.0) < 1e-9);
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

/* A rising inventory projected over the limit: 100 g a day from 5 kg
 * crosses 10 kg within the 365-day horizon. */
static void test_limit_projection(void **state)
{
    (void)state;
    custos_ledger *l = ledger();
    import(l, HP("1", "1/1", "20251231", "XAAA") "446:H1#630:5000G#670:4500G#\n");
    /* 3000 g received over January: 100 g a day on average (31 days: 3100 g). */
    import(l, HI("2", "1/1", "20260101", "20260131", "XAAA") "309:N#370:XB#407:A#411:RF#"
              "412:20260131#430:O/G/U/C#446:H3#447:UNKNOWN#469:N#470:0#630:3100G#670:2790G#\n");
    const char *json =
        "{\"agreement\":\"t\",\"title\":\"t\",\"source\":\"test\",\"commitments\":[{"
        "\"id\":\"heu\",\"kind\":\"limit\",\"source\":\"test\",\"scope\":{\"state\":\"XA\"},"
        "\"material\":{\"element\":\"U\",\"assay_min\":0.2},\"max\":{\"value\":10,\"unit\":\"kg\"},"
        "\"from\":\"2025-12-31\"}]}";
    custos_commitment_statuses *s = evaluate(l, json, 0);
    const custos_commitment_status *st = &s->items[0];
    /* 8.1 kg (81 %): under the warning; rate 3.1 kg / 31 days = 0.1 kg a
     * day; projected 8.1 + 0.1 x 365 = 44.6 kg; crosses 10 kg after 19 days. */
    expect(st, CUSTOS_COMMITMENT_AT_RISK);
    assert_true(fabs(st->projected - 44.6) < 1e-9);
    assert_true(strstr(st->reason, "projected over the limit 10.000 kg U on 2026-02-19") != NULL);
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

/* ---- max-enrichment ---------------------------------------------------- */

/* At most 5 % U-235 in XAAA, warning from 95 % of it (4.75 %).  The
 * opening PIL holds 100 kg at 4 %; a receipt in January at x. */
static custos_commitment_statuses *enrichment_case(const char *g, const char *g235,
                                                   custos_ledger **out)
{
    custos_ledger *l = ledger();
    import(l, HP("1", "1/1", "20251231", "XAAA") "446:L1#630:100000G#670:4000G#\n");
    char icr[1024];
    snprintf(icr, sizeof icr,
             HI("2", "1/1", "20260101", "20260131", "XAAA") "309:N#370:XB#407:A#411:RF#"
             "412:20260110#430:O/G/U/C#446:L2#447:UNKNOWN#469:N#470:0#630:%sG#670:%sG#\n",
             g, g235);
    import(l, icr);
    const char *json =
        "{\"agreement\":\"t\",\"title\":\"t\",\"source\":\"test\",\"commitments\":[{"
        "\"id\":\"enr\",\"kind\":\"max-enrichment\",\"source\":\"test\","
        "\"scope\":{\"mbas\":[\"XA/XAAA\"]},\"max_assay\":0.05}]}";
    *out = l;
    return evaluate(l, json, 0);
}

static void test_enrichment_statuses(void **state)
{
    (void)state;
    custos_ledger *l;
    /* 1000 g at 4.5 %: highest 4.5 % < 4.75 %: met, margin 0.5 points. */
    custos_commitment_statuses *s = enrichment_case("1000", "45", &l);
    expect(&s->items[0], CUSTOS_COMMITMENT_MET);
    assert_true(fabs(s->items[0].value - 4.5) < 1e-9);
    assert_true(fabs(s->items[0].margin - 0.5) < 1e-9);
    assert_true(has_entry(&s->items[0], "XAAA", 2, 1, "highest assay"));
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
    /* 1000 g at 4.9 %: at risk. */
    s = enrichment_case("1000", "49", &l);
    expect(&s->items[0], CUSTOS_COMMITMENT_AT_RISK);
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
    /* 1000 g at 19.75 %: breached, the receipt decides, margin -14.75. */
    s = enrichment_case("1000", "197.5", &l);
    const custos_commitment_status *st = &s->items[0];
    expect(st, CUSTOS_COMMITMENT_BREACHED);
    assert_true(fabs(st->value - 19.75) < 1e-9);
    assert_true(fabs(st->margin - -14.75) < 1e-9);
    assert_int_equal(st->entries_total, 1);
    assert_true(has_entry(st, "XAAA", 2, 1, "above limit"));
    assert_int_equal(st->decided_on, 20260110);
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

/* ---- disposition ------------------------------------------------------- */

/*
 * 10 kg of Pu with Pu-240/Pu-239 <= 0.10 received at reactor XARX (RD)
 * from 2026-01-01 to 2026-12-31, 4 kg by 2026-06-30.
 */
static const char *disposition_json =
    "{\"agreement\":\"t\",\"title\":\"t\",\"source\":\"test\",\"commitments\":[{"
    "\"id\":\"pu\",\"kind\":\"disposition\",\"source\":\"test\","
    "\"material\":{\"element\":\"Pu\",\"pu240_max\":0.1},"
    "\"route\":{\"mbas\":[\"XA/XARX\"],\"codes\":[\"RD\"]},"
    "\"target\":{\"value\":10,\"unit\":\"kg\"},\"from\":\"2026-01-01\",\"deadline\":\"2026-12-31\","
    "\"schedule\":[{\"by\":\"2026-06-30\",\"mass\":{\"value\":4,\"unit\":\"kg\"}}]}]}";

#define RD_PU(n, k, s, e, date, batch, pu, pu9, pu0)                                              \
    HI(n, k, s, e, "XARX") "309:N#370:XA/XAPS#407:A#411:RD#412:" date "#430:O/D/2/B#446:" batch    \
    "#447:UNKNOWN#469:N#470:0#700:" pu "G#720:" pu9 "G#730:" pu0 "G#\n"

static custos_ledger *disposition_ledger(const char *icr)
{
    custos_ledger *l = ledger();
    import(l, EMPTY_PIL("1", "20251231", "XARX"));
    import(l, icr);
    return l;
}

static void test_disposition_met(void **state)
{
    (void)state;
    /* 2 kg on 02-15 and 3 kg on 04-15, and 4 kg of reactor-grade Pu
     * (240/239 = 0.4) that does not count: 5 kg by 2026-04-30 (119 days
     * since 2026-01-01).  Projected: 5 + 5/119 x 245 = 15.29 kg >= 10;
     * the 06-30 milestone: 5 >= 4.  Met. */
    custos_ledger *l = disposition_ledger(
        RD_PU("2", "1/3", "20260101", "20260430", "20260215", "P1", "2000", "1860", "120")
            RD_PU("2", "2", "20260101", "20260430", "20260415", "P2", "3000", "2790", "180")
                RD_PU("2", "3", "20260101", "20260430", "20260416", "RG", "4000", "2000", "800"));
    custos_commitment_statuses *s = evaluate(l, disposition_json, 0);
    const custos_commitment_status *st = &s->items[0];
    expect(st, CUSTOS_COMMITMENT_MET);
    assert_int_equal(st->value_mg, 5000000);
    assert_true(fabs(st->progress - 0.5) < 1e-12);
    assert_true(fabs(st->projected - (5.0 + 5.0 / 119.0 * 245.0)) < 1e-9);
    assert_int_equal(st->entries_total, 2);
    assert_false(has_entry(st, "XARX", 2, 3, NULL));
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

static void test_disposition_at_risk(void **state)
{
    (void)state;
    /* 1 kg by 2026-04-30: projected 1 + 1/119 x 245 = 3.06 kg < 10. */
    custos_ledger *l = disposition_ledger(
        RD_PU("2", "1/1", "20260101", "20260430", "20260215", "P1", "1000", "930", "60"));
    custos_commitment_statuses *s = evaluate(l, disposition_json, 0);
    expect(&s->items[0], CUSTOS_COMMITMENT_AT_RISK);
    assert_true(fabs(s->items[0].projected - (1.0 + 1.0 / 119.0 * 245.0)) < 1e-9);
    assert_true(fabs(s->items[0].margin - -9.0) < 1e-9);
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

static void test_disposition_breached(void **state)
{
    (void)state;
    /* 3 kg by 2026-07-31: the 4 kg milestone of 06-30 was missed. */
    custos_ledger *l = disposition_ledger(
        RD_PU("2", "1/1", "20260101", "20260731", "20260215", "P1", "3000", "2790", "180"));
    custos_commitment_statuses *s = evaluate(l, disposition_json, 0);
    const custos_commitment_status *st = &s->items[0];
    expect(st, CUSTOS_COMMITMENT_BREACHED);
    assert_int_equal(st->decided_on, 20260630);
    assert_true(strstr(st->reason, "milestone 2026-06-30 missed: 3.000 kg Pu disposed of the "
                                   "4.000 kg Pu due") != NULL);
    custos_commitment_statuses_free(s);
    /* After the deadline with 3 kg: breached with 7 kg short. */
    const char *no_schedule =
        "{\"agreement\":\"t\",\"title\":\"t\",\"source\":\"test\",\"commitments\":[{"
        "\"id\":\"pu\",\"kind\":\"disposition\",\"source\":\"test\","
        "\"material\":{\"element\":\"Pu\"},\"route\":{\"mbas\":[\"XA/XARX\"]},"
        "\"target\":{\"value\":10,\"unit\":\"kg\"},\"from\":\"2026-01-01\","
        "\"deadline\":\"2026-03-31\"}]}";
    s = evaluate(l, no_schedule, 0);
    expect(&s->items[0], CUSTOS_COMMITMENT_BREACHED);
    assert_true(strstr(s->items[0].reason, "7.000 kg Pu short") != NULL);
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

/* ---- downblend --------------------------------------------------------- */

/*
 * Blending MBA XABL, stated 90 % HEU, 1.5 % blendstock, 4.4 % product;
 * 10 kg of HEU from 2026-01-01 to 2026-12-31; tolerance 0.5 %.
 * Opening PIL 2025-12-31: 500 kg blendstock at 1.5 % (7500 g U-235).
 * ICR 2 (first half of 2026), for H g of HEU at 90 %:
 *   RN HEU; RM HEU; RM blendstock B = H x 29.517241; RP product H + B;
 *   SF product.  With H = 6000: B = 177103.448 g (2656.552 g U-235),
 *   product 183103.448 g, 8056.552 g U-235 (4.400 %).
 * PIL 2026-06-30: the blendstock left (500000 - B g).
 */
static const char *blend_json =
    "{\"agreement\":\"t\",\"title\":\"t\",\"source\":\"test\",\"commitments\":[{"
    "\"id\":\"blend\",\"kind\":\"downblend\",\"source\":\"test\",\"mba\":\"XA/XABL\","
    "\"heu_assay\":0.9,\"blendstock_assay\":0.015,\"product_assay\":0.044,"
    "\"target\":{\"value\":10,\"unit\":\"kg\"},\"from\":\"2026-01-01\",\"deadline\":\"2026-12-31\"}]}";

static custos_ledger *blend_ledger(const char *heu, const char *heu5, const char *bs,
                                   const char *bs5, const char *pr, const char *pr5,
                                   const char *left, const char *left5)
{
    custos_ledger *l = ledger();
    import(l, HP("1", "1/1", "20251231", "XABL") "446:BS#630:500000G#670:7500G#\n");
    char icr[4096];
    snprintf(icr, sizeof icr,
             HI("2", "1/5", "20260101", "20260630", "XABL")
             "309:N#407:A#411:RN#412:20260215#430:O/G/U/C#446:H1#469:M#470:0#630:%sG#670:%sG#\n"
             HI("2", "2", "20260101", "20260630", "XABL")
             "309:N#407:1#411:RM#412:20260301#430:O/G/U/C#446:H1#469:M#470:0#630:%sG#670:%sG#\n"
             HI("2", "3", "20260101", "20260630", "XABL")
             "309:N#407:1#411:RM#412:20260301#430:O/G/U/C#446:BS#469:M#470:0#630:%sG#670:%sG#\n"
             HI("2", "4", "20260101", "20260630", "XABL")
             "309:N#407:1#411:RP#412:20260301#430:O/G/U/C#446:P1#469:M#470:0#630:%sG#670:%sG#\n"
             HI("2", "5", "20260101", "20260630", "XABL")
             "309:N#372:XB#407:A#411:SF#412:20260401#430:O/G/U/C#446:P1#469:M#470:0#630:%sG#"
             "670:%sG#\n"
             HP("3", "1/1", "20260630", "XABL") "446:BS#630:%sG#670:%sG#\n",
             heu, heu5, heu, heu5, bs, bs5, pr, pr5, pr, pr5, left, left5);
    /* ICR 2 and PIL 3 come in one file. */
    import(l, icr);
    return l;
}

static void test_downblend_met(void **state)
{
    (void)state;
    custos_ledger *l = blend_ledger("6000", "5400", "177103.448", "2656.552", "183103.448",
                                    "8056.552", "322896.552", "4843.448");
    custos_commitment_statuses *s = evaluate(l, blend_json, 0);
    const custos_commitment_status *st = &s->items[0];
    /* 6 kg by the end of 06-30, 181 days after the end of 2025-12-31:
     * projected 6 + 6/181 x 184 = 12.10 kg. */
    expect(st, CUSTOS_COMMITMENT_MET);
    assert_int_equal(st->value_mg, 6000000);
    assert_true(fabs(st->projected - (6.0 + 6.0 / 181.0 * 184.0)) < 1e-9);
    assert_true(fabs(figure(st, "product made") - 183.103448) < 1e-9);
    assert_true(fabs(figure(st, "U-235 imbalance")) < 1e-9);
    /* Expected product for 6 kg at the stated assays: 6 x 0.885/0.029. */
    assert_true(fabs(figure(st, "product expected") - 6.0 * 0.885 / 0.029) < 1e-9);
    assert_true(fabs(figure(st, "product assay measured") - 4.4) < 1e-5);
    assert_true(has_entry(st, "XABL", 2, 2, "HEU blended"));
    assert_true(has_entry(st, "XABL", 2, 4, "product made"));
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

static void test_downblend_at_risk(void **state)
{
    (void)state;
    /* 3 kg: B = 88551.724 g (1328.276 g U-235), product 91551.724 g with
     * 4028.276 g U-235; projected 3 + 3/181 x 184 = 6.05 kg < 10. */
    custos_ledger *l = blend_ledger("3000", "2700", "88551.724", "1328.276", "91551.724",
                                    "4028.276", "411448.276", "6171.724");
    custos_commitment_statuses *s = evaluate(l, blend_json, 0);
    expect(&s->items[0], CUSTOS_COMMITMENT_AT_RISK);
    assert_true(fabs(s->items[0].progress - 0.3) < 1e-12);
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

static void test_downblend_breached(void **state)
{
    (void)state;
    /* As the met case, but the PIL finds only 300 kg of blendstock (4500 g
     * U-235): 200 kg (3000 g U-235) left the blendstock while the product
     * holds 2656.552 g of it.  U-235 in 5400 + 3000 = 8400 g, out
     * 8056.552 g: 343.448 g (4.09 %) missing, over 0.5 %. */
    custos_ledger *l = blend_ledger("6000", "5400", "177103.448", "2656.552", "183103.448",
                                    "8056.552", "300000", "4500");
    custos_commitment_statuses *s = evaluate(l, blend_json, 0);
    const custos_commitment_status *st = &s->items[0];
    expect(st, CUSTOS_COMMITMENT_BREACHED);
    assert_true(fabs(figure(st, "U-235 imbalance") - 343.448) < 1e-9);
    assert_true(strstr(st->reason, "343.448 g (4.089 %) missing") != NULL);
    /* The balance of the MBA's books shows the same U-235 as MUF. */
    assert_true(fabs(figure(st, "U-235 MUF of the balances") - 343.448) < 1e-9);
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

/* ---- conversion -------------------------------------------------------- */

/*
 * Reactor XARR holds a 1000 g HEU core at 90 % and 500 g of LEU at 19 %
 * (not HEU) on 2025-12-31; it must hold no HEU from 2026-06-30 and ship
 * its HEU to State XB.
 */
static const char *conversion_json =
    "{\"agreement\":\"t\",\"title\":\"t\",\"source\":\"test\",\"commitments\":[{"
    "\"id\":\"rr\",\"kind\":\"conversion\",\"source\":\"test\",\"mba\":\"XA/XARR\","
    "\"date\":\"2026-06-30\",\"return_to\":\"XB\"}]}";

static custos_ledger *conversion_ledger(void)
{
    custos_ledger *l = ledger();
    import(l, HP("1", "1/2", "20251231", "XARR") "446:CORE#630:1000G#670:900G#\n" HP(
                  "1", "2", "20251231", "XARR") "446:LEU#630:500G#670:95G#\n");
    return l;
}

#define SF_HEU(n, s, e, date, to)                                                                 \
    HI(n, "1/1", s, e, "XARR") "309:N#372:" to "#407:A#411:SF#412:" date                          \
    "#430:O/G/U/C#446:CORE#469:M#470:1#630:1000G#670:900G#\n"

static void test_conversion_met(void **state)
{
    (void)state;
    custos_ledger *l = conversion_ledger();
    import(l, SF_HEU("2", "20260101", "20260630", "20260515", "XB"));
    custos_commitment_statuses *s = evaluate(l, conversion_json, 0);
    const custos_commitment_status *st = &s->items[0];
    expect(st, CUSTOS_COMMITMENT_MET);
    assert_int_equal(st->value_mg, 0);
    assert_true(fabs(st->progress - 1.0) < 1e-12);
    assert_true(has_entry(st, "XARR", 2, 1, "returned"));
    assert_true(fabs(figure(st, "HEU returned") - 1.0) < 1e-12);
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

static void test_conversion_at_risk(void **state)
{
    (void)state;
    custos_ledger *l = conversion_ledger();
    /* A quarter with no shipment: the core is still held, nothing
     * returned, 91 days before the date. */
    import(l, HI("2", "1/1", "20260101", "20260331", "XARR") "309:N#370:XB#407:A#411:RF#"
              "412:20260301#430:O/G/U/C#446:LEU2#447:UNKNOWN#469:N#470:1#630:500G#670:95G#\n");
    custos_commitment_statuses *s = evaluate(l, conversion_json, 0);
    const custos_commitment_status *st = &s->items[0];
    expect(st, CUSTOS_COMMITMENT_AT_RISK);
    assert_int_equal(st->value_mg, 1000000);
    assert_true(has_entry(st, "XARR", 1, 1, "HEU held"));
    assert_false(has_entry(st, "XARR", 2, 1, NULL)); /* LEU is not HEU */
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

static void test_conversion_breached(void **state)
{
    (void)state;
    /* Still held after the date. */
    custos_ledger *l = conversion_ledger();
    import(l, HI("2", "1/1", "20260101", "20260731", "XARR") "309:N#370:XB#407:A#411:RF#"
              "412:20260301#430:O/G/U/C#446:LEU2#447:UNKNOWN#469:N#470:1#630:500G#670:95G#\n");
    custos_commitment_statuses *s = evaluate(l, conversion_json, 0);
    expect(&s->items[0], CUSTOS_COMMITMENT_BREACHED);
    assert_int_equal(s->items[0].decided_on, 20260630);
    assert_true(has_entry(&s->items[0], "XARR", 1, 1, "HEU held"));
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
    /* Shipped in time, but to State XC. */
    l = conversion_ledger();
    import(l, SF_HEU("2", "20260101", "20260630", "20260515", "XC"));
    s = evaluate(l, conversion_json, 0);
    expect(&s->items[0], CUSTOS_COMMITMENT_BREACHED);
    assert_true(strstr(s->items[0].reason, "other than by shipment to XB") != NULL);
    assert_true(has_entry(&s->items[0], "XARR", 2, 1, "other route"));
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
}

/* ---- stored agreements, suspension, nothing to verify ------------------- */

static void test_stored_and_suspended(void **state)
{
    (void)state;
    custos_ledger *l = conversion_ledger();
    import(l, SF_HEU("2", "20260101", "20260630", "20260515", "XB"));
    /* Suspended on 2026-03-31: evaluated as of that day, the core still
     * held: at risk, not met. */
    const char *json =
        "{\"agreement\":\"susp\",\"title\":\"t\",\"source\":\"test\","
        "\"suspended\":{\"date\":\"2026-03-31\",\"by\":\"XA\",\"source\":\"test\"},"
        "\"commitments\":[{\"id\":\"rr\",\"kind\":\"conversion\",\"source\":\"test\","
        "\"mba\":\"XA/XARR\",\"date\":\"2026-06-30\",\"return_to\":\"XB\"},"
        "{\"id\":\"none\",\"kind\":\"conversion\",\"source\":\"test\","
        "\"mba\":\"XA/XABB\",\"date\":\"2026-06-30\",\"return_to\":\"XB\"}]}";
    custos_document_ref ref;
    assert_int_equal(custos_ledger_agreement_add(l, "susp.json", json, strlen(json), NULL, &ref), 0);
    assert_int_equal(ref.version, 1);
    assert_int_equal(custos_ledger_agreement_add(l, "susp.json", json, strlen(json), NULL, &ref),
                     CUSTOS_EEXISTS);
    assert_int_equal(ref.version, 1);
    custos_commitment_statuses *s = NULL;
    assert_int_equal(custos_agreements_evaluate(&s, l, NULL), 0);
    assert_int_equal(s->n, 2);
    assert_int_equal(s->items[0].version, 1);
    assert_int_equal(s->items[0].suspended, 20260331);
    assert_int_equal(s->items[0].as_of, 20260331);
    expect(&s->items[0], CUSTOS_COMMITMENT_AT_RISK);
    /* An MBA without reports cannot be verified. */
    expect(&s->items[1], CUSTOS_COMMITMENT_AT_RISK);
    assert_true(strstr(s->items[1].reason, "nothing to verify") != NULL);
    custos_commitment_statuses_free(s);
    custos_agreement_options opt = {0, "other"};
    assert_int_equal(custos_agreements_evaluate(&s, l, &opt), CUSTOS_ENOTFOUND);
    assert_null(s);
    /* Stored documents are in the chain: verify covers them. */
    custos_verify_result vr;
    assert_int_equal(custos_ledger_verify(l, NULL, &vr, NULL, NULL), 0);
    custos_ledger_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_met),
        cmocka_unit_test(test_limit_at_risk),
        cmocka_unit_test(test_limit_breached),
        cmocka_unit_test(test_limit_correction),
        cmocka_unit_test(test_limit_chemical_form),
        cmocka_unit_test(test_limit_projection),
        cmocka_unit_test(test_enrichment_statuses),
        cmocka_unit_test(test_disposition_met),
        cmocka_unit_test(test_disposition_at_risk),
        cmocka_unit_test(test_disposition_breached),
        cmocka_unit_test(test_downblend_met),
        cmocka_unit_test(test_downblend_at_risk),
        cmocka_unit_test(test_downblend_breached),
        cmocka_unit_test(test_conversion_met),
        cmocka_unit_test(test_conversion_at_risk),
        cmocka_unit_test(test_conversion_breached),
        cmocka_unit_test(test_stored_and_suspended),
    };
    custos_global_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
