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
#include <unistd.h>

#include <cmocka.h>

#include "custos/agreement.h"
#include "custos/apa.h"
#include "custos/balance.h"
#include "custos/facility.h"
#include "custos/ledger.h"
#include "custos/measure.h"
#include "custos/state.h"
#include "custos/stats.h"
#include "custos/validate.h"

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

/* Weights are at most 12 integer digits of grams (10^15 mg), but a report
 * may hold a million entries, so sums of valid weights can pass 2^63 mg:
 * validate summed rebatching and MBR lines with signed overflow
 * (undefined behaviour).  Such a report is refused with a clear message. */
static void test_weight_sums_beyond_int64(void **state)
{
    (void)state;
    static const char *head = "001:OI/XA;2#002:%d%s#003:20260131#006:DOE,J#010:I#"
                              "015:20260101/20260131#207:FA01#307:XAAA#309:N#407:1#411:%s#"
                              "412:20260128#430:O/G/U/C#446:B%d#469:M#470:1#630:999999999999.999G#"
                              "670:99999999999.999G#\n";
    size_t cap = 12000 * 300, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int i = 1; i <= 10000; i++)
        len += (size_t)snprintf(text + len, cap - len, head, i, i == 1 ? "/10000" : "",
                                i <= 9500 ? "RM" : "RP", i);
    custos_reader *rd;
    custos_report *r;
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    assert_int_equal(custos_reader_open_memory(&rd, "big.c10", text, len, CUSTOS_FORMAT_AUTO), 0);
    assert_int_equal(custos_reader_next(&r, rd, d), 1);
    assert_int_equal(r->n, 10000);
    assert_int_equal(custos_report_validate(r, d), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_last_error(), "beyond"));
    custos_report_free(r);
    custos_reader_free(rd);
    custos_diags_free(d);
    free(text);
}

/* Each report's sums fit int64, but the books of ten such reports do
 * not: balances summed them with signed overflow.  Now CUSTOS_EDOMAIN. */
static void test_balance_beyond_int64(void **state)
{
    (void)state;
    static const char *pil = "001:OI/XA;%d#002:1/1#003:%d#006:DOE,J#010:P#015:%d#207:FA01#"
                             "307:XAAA#309:N#407:1#430:O/G/U/C#446:P1#469:M#470:1#630:1000G#"
                             "670:40G#\n";
    static const char *rf = "001:OI/XA;%d#002:%d%s#003:%d#006:DOE,J#010:I#015:%d/%d#207:FA01#"
                            "307:XAAA#309:N#370:XB#407:1#411:RF#412:%d#430:O/G/U/C#446:B%d#"
                            "447:UNKNOWN#469:N#470:1#630:999999999999.999G#670:99999999999.999G#\n";
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE), 0);
    assert_int_equal(custos_ledger_facility_add(l, "f", facility, strlen(facility), NULL, NULL), 0);
    size_t cap = 4 << 20, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, pil, 1, 20251231, 20251231);
    custos_date start = 20260101;
    for (int m = 0; m < 10; m++) {
        custos_date end = custos_date_add(custos_date_add(start, 32) / 100 * 100 + 1, -1);
        for (int i = 1; i <= 1000; i++)
            len += (size_t)snprintf(text + len, cap - len, rf, m + 2, i, i == 1 ? "/1000" : "",
                                    end, start, end, start + 1, i);
        start = custos_date_add(end, 1);
    }
    len += (size_t)snprintf(text + len, cap - len, pil, 12, custos_date_add(start, -1),
                            custos_date_add(start, -1));
    assert_int_equal(import_text(l, text), 0);
    custos_balances *b = NULL;
    assert_int_equal(custos_ledger_balances(&b, l, NULL, NULL), CUSTOS_EDOMAIN);
    assert_null(b);
    assert_non_null(strstr(custos_last_error(), "beyond"));
    free(text);
    custos_ledger_free(l);
}

/* custos_state_parse refused every string value ("needs a string of 2 to
 * 2 characters" for "XA"): its check for a NUL inside a JSON string looked
 * for the terminator inside the string.  A minimal model must parse, and a
 * string with a NUL inside must still be refused (jansson does it). */
static void test_state_model_strings(void **state)
{
    (void)state;
    static const char *model =
        "{\"state\":\"XA\",\"budget_person_days\":100,\"agreements\":[{\"type\":\"comprehensive\",\"in_force\":"
        "true}],\"factors\":[{\"factor\":1,\"value\":\"v\",\"date\":\"2026-01-01\",\"sources\":[\"s\"]},{\"factor\""
        ":2,\"value\":\"v\",\"date\":\"2026-01-01\",\"sources\":[\"s\"]},{\"factor\":3,\"value\":\"v\",\"date\":\"2026"
        "-01-01\",\"sources\":[\"s\"]},{\"factor\":4,\"value\":\"v\",\"date\":\"2026-01-01\",\"sources\":[\"s\"]},{\""
        "factor\":5,\"value\":\"v\",\"date\":\"2026-01-01\",\"sources\":[\"s\"]},{\"factor\":6,\"value\":\"v\",\"date"
        "\":\"2026-01-01\",\"sources\":[\"s\"]}],\"nodes\":[{\"id\":\"leu\",\"material\":\"leu\",\"assumed_kg\":1000"
        "},{\"id\":\"heu\",\"material\":\"heu_metal\",\"end\":true}],\"edges\":[{\"id\":\"enrich\",\"from\":\"leu\",\""
        "to\":\"heu\",\"type\":\"clandestine-processing\",\"declared\":false,\"weight\":1,\"duration_days\":10"
        "0,\"yield\":0.2,\"cost\":1}]}";
    custos_state_model *m;
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    int err = custos_state_parse(&m, "m.json", model, strlen(model), d);
    if (err)
        print_error("%s\n", custos_last_error());
    assert_int_equal(err, 0);
    assert_string_equal(m->state, "XA");
    assert_int_equal(m->nnodes, 2);
    assert_int_equal(m->nedges, 1);
    custos_state_model_free(m);
    /* "X\u0000" is two characters with a NUL: refused. */
    char *bad = custos_strdup(model);
    char *at = strstr(bad, "\"XA\"");
    assert_non_null(at);
    size_t len = strlen(bad) + 6;
    char *text = malloc(len + 1);
    size_t k = (size_t)(at - bad) + 2; /* after "X */
    memcpy(text, bad, k);
    memcpy(text + k, "\\u0000", 6);
    memcpy(text + k + 6, bad + k + 1, strlen(bad) - k);
    assert_int_equal(custos_state_parse(&m, "m.json", text, len - 1, d), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_last_error(), "m.json:1:"));
    free(text);
    custos_free(bad);
    custos_diags_free(d);
}

/* Locating a bad value in an agreement walked the text with strchr(),
 * which matches a NUL byte as its terminator: a NUL after a number
 * stalled the walk forever (fuzz_agreement).  And every problem was
 * located by a walk of the whole text, so 100,000 unknown keys took
 * minutes: now the first 50 are located.  alarm() turns a hang into a
 * failure. */
static void test_agreement_scan_bounded(void **state)
{
    (void)state;
    static const char text[] = "{\"agreement\":\"a\",\"title\":\"t\",\"source\":\"s\",\"commitments\":"
                               "[{\"id\":\"c\",\"kind\":\"limit\",\"max\":{\"value\":300\0,\"unit\":"
                               "\"kg\"},\"oops\":1}]}";
    custos_agreement *a;
    alarm(20);
    assert_int_equal(custos_agreement_parse(&a, "nul.json", text, sizeof text - 1, NULL),
                     CUSTOS_EINVAL);
    size_t cap = 100000 * 16 + 64, len = 0;
    char *many = malloc(cap);
    assert_non_null(many);
    len += (size_t)snprintf(many, cap, "{\"agreement\":\"a\"");
    for (int i = 0; i < 100000; i++)
        len += (size_t)snprintf(many + len, cap - len, ",\"k%d\":1", i);
    len += (size_t)snprintf(many + len, cap - len, "}");
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    assert_int_equal(custos_agreement_parse(&a, "many.json", many, len, d), CUSTOS_EINVAL);
    assert_string_equal(custos_last_error(), "many.json:1: $.k0: unknown key");
    assert_true(custos_diags_total(d, CUSTOS_SEV_ERROR) > 100000);
    alarm(0);
    custos_diags_free(d);
    free(many);
}

/* A State model of 25 nodes all linked to each other, from which the end
 * node lies 13 steps away, made the acquisition path analysis walk every
 * simple path of up to 12 steps through the web (about 24^11) without
 * finding one: it never finished.  Now a step is not taken when no end
 * node is within the steps left, and the search stops after a budget of
 * steps (truncated).  hub: the web hangs off the start node itself, so the
 * pruning cannot help; the budget must. */
static char *web_model(bool hub)
{
    size_t cap = 1 << 20, len = 0;
    char *t = malloc(cap);
    assert_non_null(t);
    len += (size_t)snprintf(t, cap,
                            "{\"state\":\"XA\",\"budget_person_days\":100,\"agreements\":[{\"type\":"
                            "\"comprehensive\",\"in_force\":true}],\"factors\":[");
    for (int k = 1; k <= 6; k++)
        len += (size_t)snprintf(t + len, cap - len,
                                "%s{\"factor\":%d,\"value\":\"v\",\"date\":\"2026-01-01\","
                                "\"sources\":[\"s\"]}",
                                k > 1 ? "," : "", k);
    len += (size_t)snprintf(t + len, cap - len, "],\"nodes\":[");
    for (int i = 0; i < 25; i++)
        len += (size_t)snprintf(t + len, cap - len,
                                "{\"id\":\"c%d\",\"material\":\"leu\",\"assumed_kg\":%d},", i,
                                hub ? 0 : 1000);
    for (int i = 0; i < 12; i++)
        len += (size_t)snprintf(t + len, cap - len, "{\"id\":\"x%d\",\"material\":\"leu\"},", i);
    len += (size_t)snprintf(t + len, cap - len,
                            "{\"id\":\"hub\",\"material\":\"leu\",\"assumed_kg\":1000},"
                            "{\"id\":\"end\",\"material\":\"heu_metal\",\"end\":true}],\"edges\":[");
    int n = 0;
#define EDGE(a, ...)                                                                              \
    do {                                                                                          \
        len += (size_t)snprintf(t + len, cap - len, "%s{\"id\":\"e%d\",\"from\":\"", n ? "," : "", n); \
        len += (size_t)snprintf(t + len, cap - len, a, __VA_ARGS__);                              \
        len += (size_t)snprintf(t + len, cap - len,                                               \
                                "\",\"type\":\"misuse\",\"declared\":false,\"weight\":1,"         \
                                "\"duration_days\":1,\"cost\":1}");                               \
        n++;                                                                                      \
    } while (0)
    for (int i = 0; i < 25; i++)
        for (int j = 0; j < 25; j++)
            if (i != j)
                EDGE("c%d\",\"to\":\"c%d", i, j);
    if (hub) {
        for (int i = 0; i < 25; i++)
            EDGE("c%d\",\"to\":\"%s", i, "hub");
        EDGE("%s\",\"to\":\"c0", "hub");
        EDGE("%s\",\"to\":\"end", "hub");
    } else {
        EDGE("%s\",\"to\":\"x0", "c0");
        for (int i = 0; i < 11; i++)
            EDGE("x%d\",\"to\":\"x%d", i, i + 1);
        EDGE("%s\",\"to\":\"end", "x11");
    }
#undef EDGE
    snprintf(t + len, cap - len, "]}");
    return t;
}

static void test_apa_search_bounded(void **state)
{
    (void)state;
    alarm(60);
    for (int hub = 0; hub <= 1; hub++) {
        char *text = web_model(hub);
        custos_state_model *m;
        int err = custos_state_parse(&m, "web.json", text, strlen(text), NULL);
        if (err)
            print_error("%s\n", custos_last_error());
        assert_int_equal(err, 0);
        custos_apa_options opt = {0, 2000, 50, true};
        custos_apa_result *r;
        assert_int_equal(custos_apa_run(&r, m, NULL, 0, &opt), 0);
        if (!hub) {
            assert_int_equal(r->examined, 0); /* the end is 13 steps away: no path */
            assert_false(r->truncated);
        } else {
            assert_true(r->truncated); /* the budget stopped it */
        }
        custos_apa_result_free(r);
        custos_state_model_free(m);
        free(text);
    }
    alarm(0);
}

/* sigma-MUF of a balance period whose entries have no measurement model
 * sorted an empty, NULL list of contributions (qsort: undefined
 * behaviour, caught by UBSan on `custos balance` in the CLI tests). */
static void test_sigma_without_model(void **state)
{
    (void)state;
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE), 0);
    assert_int_equal(custos_ledger_facility_add(l, "f", facility, strlen(facility), NULL, NULL), 0);
    assert_int_equal(import_text(l, "001:OI/XA;1#002:1/1#003:20251231#006:DOE,J#010:P#015:20251231#"
                                    "207:FA01#307:XAAA#309:N#407:1#430:O/G/U/C#446:P1#469:M#470:1#"
                                    "630:1000G#670:40G#\n"
                                    "001:OI/XA;2#002:1/1#003:20260131#006:DOE,J#010:P#015:20260131#"
                                    "207:FA01#307:XAAA#309:N#407:1#430:O/G/U/C#446:P1#469:M#470:1#"
                                    "630:999G#670:39.9G#\n"),
                     0);
    custos_balances *b;
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    assert_int_equal(custos_ledger_balances(&b, l, NULL, d), 0);
    assert_int_equal(b->n, 2);
    assert_int_equal(b->items[0].muf, 1000); /* 1 g */
    assert_int_equal(custos_ledger_sigma(l, b, d), 0);
    custos_balances_free(b);
    custos_diags_free(d);
    custos_ledger_free(l);
}

/* A reader given no diagnostics list said only "invalid report"; the last
 * error must name the first problem, as with a list. */
static void test_reader_error_without_diags(void **state)
{
    (void)state;
    static const char text[] = "001:NC/XA;1#002:1/1#391:lower case#\n";
    custos_reader *rd;
    custos_report *r;
    assert_int_equal(custos_reader_open_memory(&rd, "x.c10", text, strlen(text), CUSTOS_FORMAT_AUTO),
                     0);
    assert_int_equal(custos_reader_next(&r, rd, NULL), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_last_error(), "x.c10:1: entry 1: label 391:"));
    custos_reader_free(rd);
}

int main(void)
{
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mba_without_pit),
        cmocka_unit_test(test_mdc_query_odd_length),
        cmocka_unit_test(test_weight_sums_beyond_int64),
        cmocka_unit_test(test_balance_beyond_int64),
        cmocka_unit_test(test_state_model_strings),
        cmocka_unit_test(test_agreement_scan_bounded),
        cmocka_unit_test(test_apa_search_bounded),
        cmocka_unit_test(test_sigma_without_model),
        cmocka_unit_test(test_reader_error_without_diags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
