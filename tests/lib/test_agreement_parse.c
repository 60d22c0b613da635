/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_agreement_parse.c: the agreement format (docs/formats.md): the
 * example agreements parse to the figures they state; every malformed
 * input is refused with one line naming file, line and JSON path; storing
 * keeps versions; and allocation failures anywhere in parsing, storing
 * and evaluating fail cleanly without leaks.
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

#include "agreementint.h"
#include "custos/agreement.h"
#include "custos/ledger.h"

static char *read_example(const char *name, size_t *len)
{
    const char *top = getenv("CUSTOS_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/agreements/%s", top ? top : ".", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        print_error("cannot open %s\n", path);
    assert_non_null(f);
    static char buf[1 << 16];
    *len = fread(buf, 1, sizeof buf - 1, f);
    buf[*len] = '\0';
    fclose(f);
    char *copy = malloc(*len + 1);
    assert_non_null(copy);
    memcpy(copy, buf, *len + 1);
    return copy;
}

static custos_agreement *parse_ok(const char *name)
{
    size_t len;
    char *text = read_example(name, &len);
    custos_agreement *a = NULL;
    int err = custos_agreement_parse(&a, name, text, len, NULL);
    if (err)
        print_error("%s\n", custos_last_error());
    assert_int_equal(err, 0);
    free(text);
    return a;
}

static void test_examples(void **state)
{
    (void)state;
    custos_agreement *a = parse_ok("jcpoa.json");
    assert_string_equal(custos_agreement_name(a), "jcpoa");
    assert_int_equal(a->in_force, 20160116);
    assert_int_equal(a->n, 2);
    const ag_commitment *c = &a->items[0];
    assert_int_equal(c->kind, AG_LIMIT);
    /* 300 kg UF6 x 0.6761 = 202.83 kg U, exact to the milligram. */
    assert_int_equal(c->mass.mg, 202830000);
    assert_string_equal(c->mass.form, "UF6");
    assert_int_equal(c->material.element, 'U');
    assert_int_equal(c->material.category, 'E');
    assert_int_equal(c->from, 20160116); /* the agreement's in_force */
    assert_int_equal(c->until, 20310116);
    assert_true(c->warn_fraction == 0.9);
    assert_int_equal(a->items[1].kind, AG_MAX_ENRICHMENT);
    assert_true(a->items[1].max_assay == 0.0367);
    custos_commitment_info ci;
    assert_int_equal(custos_agreement_commitment(&ci, a, 1), 0);
    assert_string_equal(ci.id, "enrichment");
    assert_string_equal(ci.kind, "max-enrichment");
    assert_int_equal(custos_agreement_commitment(&ci, a, 2), CUSTOS_ENOTFOUND);
    custos_agreement_free(a);

    a = parse_ok("heu-purchase.json");
    c = &a->items[0];
    assert_int_equal(c->kind, AG_DOWNBLEND);
    assert_int_equal(c->mass.mg, 500000000000LL); /* 500 t */
    assert_int_equal(c->expected_product.mg, 15260000000000LL);
    assert_true(c->heu_assay == 0.90 && c->blendstock_assay == 0.015 && c->product_assay == 0.044);
    assert_string_equal(c->mba.state, "RU");
    assert_string_equal(c->mba.mba, "RUBL");
    custos_agreement_free(a);

    a = parse_ok("pmda.json");
    assert_int_equal(custos_agreement_suspended(a), 20161003);
    assert_string_equal(a->suspended_by, "RU");
    c = &a->items[0];
    assert_int_equal(c->kind, AG_DISPOSITION);
    assert_int_equal(c->mass.mg, 34000000000LL);
    assert_true(c->material.pu240_max == 0.10);
    assert_int_equal(c->nschedule, 4);
    assert_int_equal(c->schedule[0].by, 20181231);
    assert_int_equal(c->schedule[0].mass.mg, 2000000000LL);
    assert_int_equal(c->ncodes, 2);
    custos_agreement_free(a);

    a = parse_ok("mnsr-conversions.json");
    assert_int_equal(a->n, 2);
    assert_int_equal(a->items[0].kind, AG_CONVERSION);
    assert_int_equal(a->items[0].deadline, 20170829);
    assert_string_equal(a->items[0].return_to, "CN");
    assert_int_equal(a->items[1].deadline, 20181231);
    custos_agreement_free(a);
}

/* A minimal valid agreement around one commitment body. */
#define AG(body)                                                                                   \
    "{\"agreement\":\"t\",\"title\":\"t\",\"source\":\"s\",\"commitments\":[{\"id\":\"c\","      \
    "\"source\":\"s\"," body "}]}"
#define LIMIT(extra)                                                                               \
    AG("\"kind\":\"limit\",\"scope\":{\"state\":\"XA\"},\"material\":{\"element\":\"U\"},"        \
       "\"max\":{\"value\":1,\"unit\":\"kg\"}" extra)

static const struct {
    const char *json;
    const char *message; /* expected in the first diagnostic */
} bad[] = {
    {"not json", "t.json:1: JSON:"},
    {"[]", "$: an agreement is a JSON object"},
    {"{\"agreement\":\"t\",\"title\":\"t\",\"source\":\"s\"}", "$.commitments: needs an array"},
    {"{\"agreement\":\"T!\",\"title\":\"t\",\"source\":\"s\",\"commitments\":[]}",
     "$.agreement: needs a name"},
    {AG("\"kind\":\"promise\""), "$.commitments[0].kind: needs \"limit\""},
    {LIMIT(",\"colour\":1"), "$.commitments[0].colour: unknown key"},
    {LIMIT(",\"until\":\"2026-02-30\""), "$.commitments[0].until: needs a calendar date"},
    {AG("\"kind\":\"limit\",\"scope\":{\"state\":\"XA\"},\"material\":{\"element\":\"U\"},"
        "\"max\":{\"value\":1,\"unit\":\"lb\"}"),
     "$.commitments[0].max.unit: needs \"g\", \"kg\" or \"t\""},
    {AG("\"kind\":\"limit\",\"scope\":{\"state\":\"XA\"},\"material\":{\"element\":\"U\"},"
        "\"max\":{\"value\":-1,\"unit\":\"kg\"}"),
     "$.commitments[0].max.value: -1 is outside [0, 1e+15]"},
    {AG("\"kind\":\"limit\",\"scope\":{\"state\":\"XA\"},\"material\":{\"element\":\"U\"},"
        "\"max\":{\"value\":300,\"unit\":\"kg\",\"form\":\"UF6\"}"),
     "$.commitments[0].max.element_fraction: is required"},
    {AG("\"kind\":\"limit\",\"scope\":{\"state\":\"XA\",\"mbas\":[\"XA/XAAA\"]},"
        "\"material\":{\"element\":\"U\"},\"max\":{\"value\":1,\"unit\":\"kg\"}"),
     "$.commitments[0].scope: needs exactly one of"},
    {AG("\"kind\":\"limit\",\"scope\":{\"mbas\":[\"XAAA\"]},"
        "\"material\":{\"element\":\"U\"},\"max\":{\"value\":1,\"unit\":\"kg\"}"),
     "$.commitments[0].scope.mbas[0]: needs an MBA as \"STATE/MBA\""},
    {AG("\"kind\":\"limit\",\"scope\":{\"state\":\"XA\"},"
        "\"material\":{\"element\":\"Pu\",\"category\":\"E\"},\"max\":{\"value\":1,\"unit\":\"kg\"}"),
     "$.commitments[0].material.category: only uranium has categories"},
    {AG("\"kind\":\"limit\",\"scope\":{\"state\":\"XA\"},"
        "\"material\":{\"element\":\"U\",\"assay_min\":0.5,\"assay_max\":0.2},"
        "\"max\":{\"value\":1,\"unit\":\"kg\"}"),
     "assay_min 0.5 is above assay_max 0.2"},
    {AG("\"kind\":\"max-enrichment\",\"scope\":{\"state\":\"XA\"},\"max_assay\":3.67"),
     "$.commitments[0].max_assay: 3.67 is outside (0, 1)"},
    {AG("\"kind\":\"downblend\",\"mba\":\"XA/XABL\",\"heu_assay\":0.9,\"blendstock_assay\":0.05,"
        "\"product_assay\":0.044,\"target\":{\"value\":1,\"unit\":\"t\"},\"deadline\":\"2030-01-01\""),
     "$.commitments[0].blendstock_assay: the blendstock assay must be below the product assay"},
    {AG("\"kind\":\"downblend\",\"mba\":\"XA/XABL\",\"heu_assay\":0.1,\"blendstock_assay\":0.015,"
        "\"product_assay\":0.044,\"target\":{\"value\":1,\"unit\":\"t\"},\"deadline\":\"2030-01-01\""),
     "$.commitments[0].heu_assay: 0.1 is outside [0.2, 1)"},
    {AG("\"kind\":\"conversion\",\"mba\":\"XA/XARR\",\"date\":\"2026-01-01\",\"return_to\":\"C\""),
     "$.commitments[0].return_to: needs the 2-letter code"},
    {AG("\"kind\":\"conversion\",\"mba\":\"XA/XARR\",\"return_to\":\"CN\""),
     "$.commitments[0].date: is required"},
    {AG("\"kind\":\"disposition\",\"material\":{\"element\":\"Pu\"},\"route\":{\"mbas\":"
        "[\"XA/XARX\"],\"codes\":[\"RM\"]},\"target\":{\"value\":1,\"unit\":\"t\"},"
        "\"deadline\":\"2030-01-01\""),
     "$.commitments[0].route.codes[0]: needs an inventory change code"},
    {AG("\"kind\":\"disposition\",\"material\":{\"element\":\"Pu\"},\"route\":{\"mbas\":"
        "[\"XA/XARX\"]},\"target\":{\"value\":1,\"unit\":\"t\"},\"deadline\":\"2030-01-01\","
        "\"schedule\":[{\"by\":\"2029-01-01\",\"mass\":{\"value\":2,\"unit\":\"t\"}}]"),
     "$.commitments[0].schedule: a milestone asks for more than the target"},
    {AG("\"kind\":\"disposition\",\"material\":{\"element\":\"Pu\"},\"route\":{\"mbas\":"
        "[\"XA/XARX\"]},\"target\":{\"value\":1,\"unit\":\"t\"},\"deadline\":\"2030-01-01\","
        "\"from\":\"2031-01-01\""),
     "$.commitments[0].deadline: ends before the commitment starts"},
    {"{\"agreement\":\"t\",\"title\":\"t\",\"source\":\"s\",\"commitments\":[{\"id\":\"c\","
     "\"kind\":\"conversion\",\"mba\":\"XA/XARR\",\"date\":\"2026-01-01\",\"return_to\":\"CN\"}]}",
     "$.commitments[0].source: is required"},
    {"{\"agreement\":\"t\",\"title\":\"t\",\"source\":\"s\",\"commitments\":[{\"id\":\"c\","
     "\"source\":\"s\",\"kind\":\"conversion\",\"mba\":\"XA/XARR\",\"date\":\"2026-01-01\","
     "\"return_to\":\"CN\"},{\"id\":\"c\",\"source\":\"s\",\"kind\":\"conversion\",\"mba\":"
     "\"XA/XARR\",\"date\":\"2026-01-01\",\"return_to\":\"CN\"}]}",
     "$.commitments[1].id: commitment id \"c\" is used twice"},
    {"{\"agreement\":\"t\",\"agreement\":\"u\",\"title\":\"t\"}", "duplicate object key"},
};

static void test_malformed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        custos_diags *d;
        assert_int_equal(custos_diags_new(&d), 0);
        custos_agreement *a = (custos_agreement *)&d; /* must be reset to NULL */
        int err = custos_agreement_parse(&a, "t.json", bad[i].json, strlen(bad[i].json), d);
        assert_int_equal(err, CUSTOS_EINVAL);
        assert_null(a);
        assert_true(custos_diags_count(d) >= 1);
        char line[1024];
        custos_diag_format(line, sizeof line, custos_diags_get(d, 0));
        if (!strstr(line, bad[i].message) || !strstr(custos_last_error(), bad[i].message)) {
            print_error("case %zu: got '%s' (last error '%s'), want '%s'\n", i, line,
                        custos_last_error(), bad[i].message);
            fail();
        }
        custos_diags_free(d);
    }
}

/* The line of the value at fault, in a file laid out over several lines. */
static void test_error_lines(void **state)
{
    (void)state;
    const char *json = "{\n"
                       "  \"agreement\": \"t\", \"title\": \"a \\\" quote\",\n"
                       "  \"source\": \"s\",\n"
                       "  \"commitments\": [\n"
                       "    {\"id\": \"a\", \"source\": \"s\", \"kind\": \"conversion\",\n"
                       "     \"mba\": \"XA/XARR\", \"date\": \"2026-01-01\", \"return_to\": \"CN\"},\n"
                       "    {\"id\": \"b\", \"source\": \"s\", \"kind\": \"limit\",\n"
                       "     \"scope\": {\"state\": \"XA\"},\n"
                       "     \"material\": {\"element\": \"U\"},\n"
                       "     \"max\": {\"value\": 1,\n"
                       "             \"unit\": \"tons\"}}\n"
                       "  ]\n"
                       "}\n";
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    custos_agreement *a;
    assert_int_equal(custos_agreement_parse(&a, "x.json", json, strlen(json), d), CUSTOS_EINVAL);
    assert_int_equal(custos_diags_count(d), 1);
    char line[512];
    custos_diag_format(line, sizeof line, custos_diags_get(d, 0));
    assert_string_equal(line, "x.json:11: $.commitments[1].max.unit: needs \"g\", \"kg\" or \"t\"");
    assert_string_equal(custos_last_error(), line);
    custos_diags_free(d);
}

static void test_store_versions(void **state)
{
    (void)state;
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE), 0);
    size_t len;
    char *text = read_example("jcpoa.json", &len);
    custos_document_ref ref;
    assert_int_equal(custos_ledger_agreement_add(l, "jcpoa.json", text, len, NULL, &ref), 0);
    assert_int_equal(ref.version, 1);
    assert_string_equal(ref.kind, "agreement");
    assert_string_equal(ref.name, "jcpoa");
    /* The same text is not a new version. */
    assert_int_equal(custos_ledger_agreement_add(l, "jcpoa.json", text, len, NULL, &ref),
                     CUSTOS_EEXISTS);
    assert_int_equal(ref.version, 1);
    /* A changed text is; both stay. */
    char *changed = malloc(len + 1);
    assert_non_null(changed);
    memcpy(changed, text, len + 1);
    char *p = strstr(changed, "\"value\": 300");
    assert_non_null(p);
    memcpy(p, "\"value\": 250", 12);
    assert_int_equal(custos_ledger_agreement_add(l, "jcpoa.json", changed, len, NULL, &ref), 0);
    assert_int_equal(ref.version, 2);
    custos_agreement *a;
    assert_int_equal(custos_ledger_agreement_load(&a, &ref, l, "jcpoa", 1), 0);
    assert_int_equal(a->items[0].mass.mg, 202830000);
    custos_agreement_free(a);
    assert_int_equal(custos_ledger_agreement_load(&a, &ref, l, "jcpoa", 0), 0);
    assert_int_equal(ref.version, 2);
    assert_int_equal(a->items[0].mass.mg, 169025000); /* 250 x 0.6761 kg */
    custos_agreement_free(a);
    assert_int_equal(custos_ledger_agreement_load(&a, NULL, l, "nothing", 0), CUSTOS_ENOTFOUND);
    /* An invalid agreement is refused and nothing is stored. */
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    assert_int_equal(custos_ledger_agreement_add(l, "bad.json", "{}", 2, d, &ref), CUSTOS_EINVAL);
    custos_diags_free(d);
    custos_verify_result vr;
    assert_int_equal(custos_ledger_verify(l, NULL, &vr, NULL, NULL), 0);
    assert_int_equal(vr.items, 2);
    free(changed);
    free(text);
    custos_ledger_free(l);
}

static bool clean_error(int err)
{
    return err == CUSTOS_ENOMEM || err == CUSTOS_ESTORAGE;
}

/* Parse, store and evaluate with allocation n failing, for every n. */
static void test_allocation_sweep(void **state)
{
    (void)state;
    size_t len;
    char *text = read_example("mnsr-conversions.json", &len);
    static const char *fac =
        "{\"state\":\"GH\",\"facility\":\"GHR1\",\"type\":\"research-reactor\",\"mbas\":["
        "{\"mba\":\"GHRA\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},"
        "{\"kmp\":\"B\",\"kind\":\"flow\"}]}]}";
    static const char *reports =
        "001:OI/GH;1#002:1/1#003:20161231#006:T,T#010:P#015:20161231#207:GHR1#307:GHRA#309:N#"
        "407:1#430:D/D/4/G#446:CORE#469:M#470:1#630:1000G#670:902G#\n"
        "001:OI/GH;2#002:1/1#003:20171231#006:T,T#010:I#015:20170101/20171231#207:GHR1#307:GHRA#"
        "309:N#372:CN#407:B#411:SF#412:20170829#430:D/D/3/G#446:CORE#469:M#470:1#630:1000G#"
        "670:902G#\n";
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE), 0);
    assert_int_equal(custos_ledger_facility_add(l, "f", fac, strlen(fac), NULL, NULL), 0);
    custos_reader *rd;
    assert_int_equal(custos_reader_open_memory(&rd, "r", reports, strlen(reports),
                                               CUSTOS_FORMAT_AUTO),
                     0);
    assert_int_equal(custos_ledger_import(l, rd, NULL, NULL), 0);
    custos_reader_free(rd);
    custos_ledger *warm;
    assert_int_equal(custos_ledger_clone_memory(&warm, l), 0);
    custos_ledger_free(warm);
    long baseline = custos_alloc_live();
    int n, failures = 0;
    for (n = 1;; n++) {
        custos_ledger *c;
        assert_int_equal(custos_ledger_clone_memory(&c, l), 0);
        custos_alloc_fail_at(n, 0);
        custos_commitment_statuses *s = NULL;
        custos_document_ref ref;
        int err = custos_ledger_agreement_add(c, "m.json", text, len, NULL, &ref);
        if (!err)
            err = custos_agreements_evaluate(&s, c, NULL);
        long attempts = custos_alloc_count();
        custos_alloc_fail_at(0, 0);
        if (err) {
            if (!clean_error(err))
                print_error("n=%d: unexpected error %d: %s\n", n, err, custos_last_error());
            assert_true(clean_error(err));
            assert_null(s);
            failures++;
        } else {
            assert_int_equal(s->n, 2);
            assert_int_equal(s->items[0].state, CUSTOS_COMMITMENT_MET);
            assert_int_equal(s->items[1].state, CUSTOS_COMMITMENT_AT_RISK); /* no NG books */
        }
        custos_commitment_statuses_free(s);
        custos_ledger_free(c);
        if (custos_alloc_live() != baseline)
            print_error("n=%d: %ld blocks leaked\n", n, custos_alloc_live() - baseline);
        assert_int_equal(custos_alloc_live(), baseline);
        if (attempts < n)
            break;
    }
    print_message("agreement add + evaluate: %d allocation points, %d failed cleanly\n", n - 1,
                  failures);
    assert_true(failures > 20);
    /* The parser alone. */
    for (n = 1;; n++) {
        custos_agreement *a = NULL;
        custos_alloc_fail_at(n, 0);
        int err = custos_agreement_parse(&a, "m.json", text, len, NULL);
        long attempts = custos_alloc_count();
        custos_alloc_fail_at(0, 0);
        if (err) {
            assert_int_equal(err, CUSTOS_ENOMEM);
            assert_null(a);
        } else {
            assert_int_equal(a->n, 2);
        }
        custos_agreement_free(a);
        assert_int_equal(custos_alloc_live(), baseline);
        if (attempts < n)
            break;
    }
    custos_ledger_free(l);
    free(text);
}

int main(void)
{
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_error_lines),
        cmocka_unit_test(test_store_versions),
        cmocka_unit_test(test_allocation_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
