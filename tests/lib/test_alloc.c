/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_alloc.c: allocation-failure sweeps (STYLE.md point 10).
 *
 * For N = 1, 2, ... the Nth allocation through the seam fails (SQLite's
 * and jansson's included) during an import (in each of the three forms), a
 * facility registration, a target-value table, a document, a balance,
 * transfers, verify, export (each form), the log, the State evaluation
 * (model, acquisition paths, evaluation on the books) and an agreement's
 * evaluation.  Every run must either
 * succeed with the right result or return a clean error, leak nothing, and
 * leave the ledger verifiable and unchanged by the failed operation (same
 * chain head, same row counts).  The sweep ends at the first N past the
 * operation's last allocation; each sweep prints its count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "custos/agreement.h"
#include "custos/apa.h"
#include "custos/balance.h"
#include "custos/document.h"
#include "custos/ledger.h"
#include "custos/evaluate.h"
#include "custos/measure.h"
#include "custos/state.h"

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

/* ---- more operations, on in-memory copies ------------------------------ */

#define NTABLES 9
static const char *const tables[NTABLES] = {"chain",         "reports",       "entries",
                                            "corrections",   "facilities",    "facility_mbas",
                                            "facility_kmps", "targets",       "documents"};

typedef struct snapshot {
    char head[65];
    int64_t rows[NTABLES];
} snapshot;

static void take_snapshot(custos_ledger *l, snapshot *s)
{
    custos_verify_result v;
    memset(s, 0, sizeof *s);
    int err = custos_ledger_verify(l, NULL, &v, NULL, NULL);
    if (err)
        print_error("verify: %s\n", custos_last_error());
    assert_int_equal(err, 0);
    memcpy(s->head, v.head, sizeof s->head);
    sqlite3 *db = custos_ledger_db(l);
    for (int i = 0; i < NTABLES; i++) {
        char sql[64];
        sqlite3_stmt *st;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        s->rows[i] = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
}

static bool same_snapshot(const snapshot *a, const snapshot *b)
{
    return !strcmp(a->head, b->head) && !memcmp(a->rows, b->rows, sizeof a->rows);
}

/* An operation on a ledger; writes what it produced (for reading
 * operations) into out, a caller-owned buffer of OUT_MAX bytes. */
#define OUT_MAX 65536
typedef int (*alloc_op)(custos_ledger *l, const void *arg, char *out);

static char *text_in_form(const char *code10, custos_format f)
{
    custos_reader *rd;
    custos_writer *w;
    custos_report *r;
    size_t len = 0;
    assert_int_equal(custos_reader_open_memory(&rd, "r", code10, strlen(code10), CUSTOS_FORMAT_AUTO),
                     0);
    char *out = malloc(OUT_MAX);
    assert_non_null(out);
    FILE *mem = fmemopen(out, OUT_MAX, "w");
    assert_non_null(mem);
    assert_int_equal(custos_writer_new(&w, f, custos_write_file, mem), 0);
    while (custos_reader_next(&r, rd, NULL) == 1) {
        assert_int_equal(custos_writer_report(w, r), 0);
        custos_report_free(r);
    }
    assert_int_equal(custos_writer_finish(w), 0);
    custos_writer_free(w);
    custos_reader_free(rd);
    len = (size_t)ftell(mem);
    fclose(mem);
    out[len] = '\0';
    return out;
}

static int op_import(custos_ledger *l, const void *arg, char *out)
{
    (void)out;
    return import_text(l, "reports", arg);
}

static int op_facility(custos_ledger *l, const void *arg, char *out)
{
    (void)out;
    return custos_ledger_facility_add(l, "f2", arg, strlen(arg), NULL, NULL);
}

static int op_targets(custos_ledger *l, const void *arg, char *out)
{
    (void)out;
    return custos_ledger_targets_add(l, "itv", arg, strlen(arg), NULL);
}

static int op_document(custos_ledger *l, const void *arg, char *out)
{
    (void)out;
    return custos_ledger_document_add(l, "agreement", "pmda", "pmda.json", arg, strlen(arg), NULL);
}

static int op_transfers(custos_ledger *l, const void *arg, char *out)
{
    (void)arg;
    custos_transfers *t;
    custos_diags *d;
    int err = custos_diags_new(&d);
    if (err < 0)
        return err;
    if ((err = custos_ledger_transfers(&t, l, NULL, d)) == 0) {
        size_t k = 0;
        for (size_t i = 0; i < t->n; i++)
            k += (size_t)snprintf(out + k, OUT_MAX - k, "%d %s %s>%s %lld %lld\n",
                                  (int)t->items[i].status, t->items[i].batch,
                                  t->items[i].from_mba, t->items[i].to_mba,
                                  (long long)t->items[i].ship_mg[3],
                                  (long long)t->items[i].recv_mg[3]);
        custos_transfers_free(t);
    }
    custos_diags_free(d);
    return err;
}

static int sink(void *ctx, const char *data, size_t len)
{
    char *out = ctx;
    size_t have = strlen(out);
    if (len >= OUT_MAX - have)
        return CUSTOS_ETOOBIG;
    memcpy(out + have, data, len);
    out[have + len] = '\0';
    return CUSTOS_OK;
}

static int op_export(custos_ledger *l, const void *arg, char *out)
{
    custos_format f = *(const custos_format *)arg;
    custos_report_ref *refs = NULL;
    size_t n = 0;
    custos_writer *w = NULL;
    out[0] = '\0';
    int err = custos_ledger_reports(&refs, &n, l, "XA/XAAA", 0);
    if (err < 0)
        return err;
    if ((err = custos_writer_new(&w, f, sink, out)) < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        custos_report *r;
        if ((err = custos_ledger_report_load(&r, l, refs[i].id)) < 0)
            goto done;
        err = custos_writer_report(w, r);
        custos_report_free(r);
        if (err < 0)
            goto done;
    }
    err = custos_writer_finish(w);
done:
    custos_writer_free(w);
    custos_free(refs);
    return err;
}

static int log_line(void *ctx, const custos_log_item *it)
{
    char *out = ctx;
    size_t have = strlen(out);
    snprintf(out + have, OUT_MAX - have, "%lld %s %s %s %s %s\n", (long long)it->seq, it->kind,
             it->summary, it->source, it->hash, it->link);
    return 0;
}

static int op_log(custos_ledger *l, const void *arg, char *out)
{
    (void)arg;
    out[0] = '\0';
    return custos_ledger_log(l, log_line, out);
}

/*
 * Sweep the Nth allocation over op run on in-memory copies of base: each
 * run succeeds with the result of a run without failure (same output,
 * same store) or fails cleanly leaving the copy as it was.  Returns the
 * number of allocation points.
 */
static int sweep(const char *name, custos_ledger *base, alloc_op op, const void *arg)
{
    /* CUSTOS_SWEEP=NAME runs that sweep alone (to chase one failure). */
    const char *only = getenv("CUSTOS_SWEEP");
    if (only && strcmp(only, name))
        return 0;
    char *want = calloc(1, OUT_MAX), *got = calloc(1, OUT_MAX);
    assert_non_null(want);
    assert_non_null(got);
    custos_ledger *c;
    snapshot before, after, expect;
    assert_int_equal(custos_ledger_clone_memory(&c, base), 0);
    take_snapshot(c, &before);
    int err = op(c, arg, want);
    if (err)
        print_error("%s: %s\n", name, custos_last_error());
    assert_int_equal(err, 0);
    take_snapshot(c, &expect);
    custos_ledger_free(c);
    int n, failures = 0;
    for (n = 1;; n++) {
        long live = custos_alloc_live();
        assert_int_equal(custos_ledger_clone_memory(&c, base), 0);
        got[0] = '\0';
        custos_alloc_fail_at(n, 0);
        err = op(c, arg, got);
        long attempts = custos_alloc_count();
        custos_alloc_fail_at(0, 0);
        take_snapshot(c, &after);
        if (err) {
            if (!clean_error(err))
                print_error("%s n=%d: unexpected error %d: %s\n", name, n, err, custos_last_error());
            assert_true(clean_error(err));
            if (!same_snapshot(&after, &before))
                print_error("%s n=%d: the store changed under a failed operation\n", name, n);
            assert_true(same_snapshot(&after, &before));
            failures++;
        } else {
            if (strcmp(got, want) || !same_snapshot(&after, &expect))
                print_error("%s n=%d: succeeded with a different result\n", name, n);
            assert_string_equal(got, want);
            assert_true(same_snapshot(&after, &expect));
        }
        custos_ledger_free(c);
        if (custos_alloc_live() != live)
            print_error("%s n=%d: %ld blocks leaked\n", name, n, custos_alloc_live() - live);
        assert_int_equal(custos_alloc_live(), live);
        if (attempts < n)
            break;
    }
    print_message("%-14s %4d allocation points, %4d failed cleanly\n", name, n - 1, failures);
    assert_true(failures > 0);
    free(want);
    free(got);
    return n - 1;
}

/* ---- evaluations ------------------------------------------------------- */

static const char *state_model =
    "{\"state\":\"XA\",\"budget_person_days\":100,\"agreements\":[{\"type\":\"comprehensive\",\"in_force\":tr"
    "ue},{\"type\":\"additional-protocol\",\"in_force\":true}],\"facilities\":[{\"facility\":\"FA01\",\"type"
    "\":\"fuel-fabrication\",\"mbas\":[\"XAAA\",\"XABB\"]}],\"factors\":[{\"factor\":1,\"value\":\"v\",\"date\":\"2"
    "026-01-01\",\"sources\":[\"s\"]},{\"factor\":2,\"value\":\"v\",\"date\":\"2026-01-01\",\"sources\":[\"s\"]},{"
    "\"factor\":3,\"value\":\"v\",\"date\":\"2026-01-01\",\"sources\":[\"s\"]},{\"factor\":4,\"value\":\"v\",\"date\""
    ":\"2026-01-01\",\"sources\":[\"s\"]},{\"factor\":5,\"value\":\"v\",\"date\":\"2026-01-01\",\"sources\":[\"s\"]"
    "},{\"factor\":6,\"value\":\"v\",\"date\":\"2026-01-01\",\"sources\":[\"s\"]}],\"nodes\":[{\"id\":\"leu\",\"mate"
    "rial\":\"leu\",\"stock\":[{\"mba\":\"XAAA\",\"material\":\"leu\"}],\"assumed_kg\":2000},{\"id\":\"heu\",\"mate"
    "rial\":\"heu_compound\"},{\"id\":\"heu-metal\",\"material\":\"heu_metal\",\"end\":true}],\"edges\":[{\"id\""
    ":\"divert\",\"from\":\"leu\",\"to\":\"heu\",\"type\":\"diversion\",\"declared\":true,\"facility\":\"FA01\",\"mb"
    "a\":\"XAAA\",\"weight\":1,\"duration_days\":30,\"yield\":0.2,\"cost\":10,\"measures\":[{\"name\":\"pit\",\"c"
    "lass\":\"accountancy\",\"p\":0.5,\"days\":30}]},{\"id\":\"convert\",\"from\":\"heu\",\"to\":\"heu-metal\",\"ty"
    "pe\":\"clandestine-processing\",\"declared\":false,\"weight\":1,\"duration_days\":10,\"cost\":1}]}";

static const char *agreement_text =
    "{\"agreement\":\"cap\",\"title\":\"LEU cap (test)\",\"source\":\"test\",\"parties\":[\"XA\"],\"in_force\":\"2"
    "025-01-01\",\"commitments\":[{\"id\":\"leu-cap\",\"kind\":\"limit\",\"source\":\"test\",\"scope\":{\"mbas\":["
    "\"XA/XAAA\"]},\"material\":{\"element\":\"U\",\"category\":\"E\"},\"max\":{\"value\":1,\"unit\":\"kg\"}},{\"id\""
    ":\"assay\",\"kind\":\"max-enrichment\",\"source\":\"test\",\"scope\":{\"state\":\"XA\"},\"max_assay\":0.05},"
    "{\"id\":\"discards\",\"kind\":\"disposition\",\"source\":\"test\",\"material\":{\"element\":\"U\"},\"route\":{"
    "\"mbas\":[\"XA/XAAA\"],\"codes\":[\"LD\"]},\"target\":{\"value\":1,\"unit\":\"g\"},\"deadline\":\"2026-12-31\""
    "}]}";

/* The State evaluation: parse the model, its acquisition paths, then the
 * evaluation on the ledger's books and findings. */
static int op_state_eval(custos_ledger *l, const void *arg, char *out)
{
    (void)arg;
    custos_state_model *m = NULL;
    custos_apa_result *r = NULL;
    custos_evaluation *e = NULL;
    int err = custos_state_parse(&m, "model.json", state_model, strlen(state_model), NULL);
    if (err < 0)
        return err;
    if ((err = custos_apa_run(&r, m, NULL, 0, NULL)) < 0)
        goto done;
    if ((err = custos_ledger_evaluate(&e, l, m, r)) < 0)
        goto done;
    size_t k = (size_t)snprintf(out, OUT_MAX, "%zu paths %zu scores %zu conclusions %zu evidence\n",
                                r->npaths, e->nscores, e->nconclusions, e->nevidence);
    for (size_t i = 0; i < e->nconclusions && k < OUT_MAX; i++)
        k += (size_t)snprintf(out + k, OUT_MAX - k, "%d %d %zu\n", (int)e->conclusions[i].kind,
                              (int)e->conclusions[i].drawn, e->conclusions[i].npaths);
done:
    custos_evaluation_free(e);
    custos_apa_result_free(r);
    custos_state_model_free(m);
    return err;
}

/* An agreement evaluated against the books. */
static int op_agreement_eval(custos_ledger *l, const void *arg, char *out)
{
    (void)arg;
    custos_agreement *a = NULL;
    custos_commitment_statuses *st = NULL;
    int err = custos_agreement_parse(&a, "cap.json", agreement_text, strlen(agreement_text), NULL);
    if (err < 0)
        return err;
    if ((err = custos_agreement_evaluate(&st, l, a, NULL)) == 0) {
        size_t k = 0;
        for (size_t i = 0; i < st->n && k < OUT_MAX; i++)
            k += (size_t)snprintf(out + k, OUT_MAX - k, "%s %d %lld %lld\n", st->items[i].id,
                                  (int)st->items[i].state, (long long)st->items[i].value_mg,
                                  (long long)st->items[i].bound_mg);
        custos_commitment_statuses_free(st);
    }
    custos_agreement_free(a);
    return err;
}

static const char *facility_v2 =
    "{\"state\":\"XA\",\"facility\":\"FA01\",\"type\":\"fuel-fabrication\",\"mbas\":["
    "{\"mba\":\"XAAA\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},"
    "{\"kmp\":\"B\",\"kind\":\"flow\"},{\"kmp\":\"C\",\"kind\":\"flow\"}]},{\"mba\":\"XABB\"}],"
    "\"measurement\":{\"methods\":[{\"method\":\"LC\",\"random\":0.001,\"systematic\":0.001,"
    "\"source\":\"test\"}],\"points\":[{\"mba\":\"XAAA\",\"kmp\":\"B\",\"mdc\":\"O/G\","
    "\"material\":\"UF6\",\"bulk\":\"LC\"}],\"calibration_periods\":[{\"method\":\"LC\","
    "\"start\":\"2026-01-01\",\"end\":\"2026-06-30\"}]}}";

static const char *targets = "method,material,random,systematic,source\n"
                             "LC,UF6,0.0005,0.0005,test\n"
                             "TIMS,*,0.1%,0.05%,\"test, quoted\"\n";

static void test_more_sweeps(void **state)
{
    (void)state;
    custos_ledger *pil_only = base_ledger(), *full = base_ledger();
    assert_int_equal(import_text(full, "reports", reports), 0);
    /* Warm SQLite's one-time allocations up. */
    custos_ledger *warm;
    assert_int_equal(custos_ledger_clone_memory(&warm, full), 0);
    custos_ledger_free(warm);
    char *csv = text_in_form(reports, CUSTOS_FORMAT_CSV);
    char *json = text_in_form(reports, CUSTOS_FORMAT_JSON);
    static const custos_format forms[3] = {CUSTOS_FORMAT_CODE10, CUSTOS_FORMAT_CSV,
                                           CUSTOS_FORMAT_JSON};
    int total = 0;
    total += sweep("import csv", pil_only, op_import, csv);
    total += sweep("import json", pil_only, op_import, json);
    total += sweep("facility", full, op_facility, facility_v2);
    total += sweep("targets", full, op_targets, targets);
    total += sweep("document", full, op_document, "{\"parties\":[\"XA\",\"XB\"]}");
    total += sweep("transfers", full, op_transfers, NULL);
    total += sweep("export code10", full, op_export, &forms[0]);
    total += sweep("export csv", full, op_export, &forms[1]);
    total += sweep("export json", full, op_export, &forms[2]);
    total += sweep("log", full, op_log, NULL);
    total += sweep("State eval", full, op_state_eval, NULL);
    total += sweep("agreement eval", full, op_agreement_eval, NULL);
    print_message("more sweeps: %d allocation points in all\n", total);
    free(csv);
    free(json);
    custos_ledger_free(pil_only);
    custos_ledger_free(full);
}

int main(void)
{
    /* Chain links carry the time of storing: fix it, so an operation gives
     * the same chain head however long the sweep runs. */
    setenv("SOURCE_DATE_EPOCH", "1767225600", 1);
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_sweep),
        cmocka_unit_test(test_balance_and_verify_sweep),
        cmocka_unit_test(test_more_sweeps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
