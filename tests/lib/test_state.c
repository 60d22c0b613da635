/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_state.c: the State-level modules below the CLI: the significant
 * quantity table against data/sq-timeliness.csv, State model and
 * information item errors with their lines, holdings from the books
 * worked by hand, the path search's limits and cycles, plants in the
 * game, and allocation-failure sweeps over parsing, path analysis, the
 * game, the evaluation and its JSON and HTML renderings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "custos/apa.h"
#include "custos/evaluate.h"
#include "custos/game.h"
#include "custos/info.h"
#include "custos/ledger.h"
#include "custos/report_html.h"
#include "custos/state.h"

static char *slurp(const char *rel, size_t *len)
{
    const char *src = getenv("CUSTOS_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* Every row of the built-in table is the row of data/sq-timeliness.csv. */
static void test_sq_table(void **state)
{
    (void)state;
    size_t len;
    char *csv = slurp("data/sq-timeliness.csv", &len);
    size_t rows = 0;
    for (char *line = csv, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        char material[64], category[64], unit[8], basis[64];
        double sq;
        int cmin, cmax, goal;
        assert_int_equal(sscanf(line, "%63[^,],%63[^,],%lf,%7[^,],%63[^,],%d,%d,%d", material,
                                category, &sq, unit, basis, &cmin, &cmax, &goal),
                         8);
        const custos_sq_row *r = custos_sq_lookup(material);
        assert_non_null(r);
        assert_string_equal(r->category, category);
        assert_true(r->sq_kg == sq);
        assert_string_equal(unit, "kg");
        assert_string_equal(r->basis, basis);
        assert_int_equal(r->conversion_min, cmin);
        assert_int_equal(r->conversion_max, cmax);
        assert_int_equal(r->timeliness_days, goal);
        rows++;
    }
    assert_int_equal(rows, custos_sq_count());
    free(csv);
}

static const char *factors =
    "\"factors\":[{\"factor\":1,\"value\":\"v\",\"date\":\"2026-01-01\",\"sources\":[\"s\"]},"
    "{\"factor\":2,\"value\":\"v\",\"date\":\"2026-01-01\",\"sources\":[\"s\"]},"
    "{\"factor\":3,\"value\":\"v\",\"date\":\"2026-01-01\",\"sources\":[\"s\"]},"
    "{\"factor\":4,\"value\":\"v\",\"date\":\"2026-01-01\",\"sources\":[\"s\"]},"
    "{\"factor\":5,\"value\":\"v\",\"date\":\"2026-01-01\",\"sources\":[\"s\"]},"
    "{\"factor\":6,\"value\":\"v\",\"date\":\"2026-01-01\",\"sources\":[\"s\"]}]";

static int parse(custos_state_model **m, const char *nodes_edges, char *first, size_t size)
{
    char text[8192];
    snprintf(text, sizeof text,
             "{\"state\":\"XQ\",\"agreements\":[],%s,\n\"budget_person_days\":20,\n%s}", factors,
             nodes_edges);
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    int err = custos_state_parse(m, "m.json", text, strlen(text), d);
    if (first && custos_diags_count(d))
        custos_diag_format(first, size, custos_diags_get(d, 0));
    custos_diags_free(d);
    return err;
}

static void test_model_errors(void **state)
{
    (void)state;
    custos_state_model *m;
    char msg[512];
    assert_int_equal(parse(&m,
                           "\"nodes\":[{\"id\":\"a\",\"material\":\"leu\"},\n"
                           "{\"id\":\"b\",\"material\":\"heu_metal\",\"end\":true}],\n"
                           "\"edges\":[{\"id\":\"e\",\"from\":\"a\",\"to\":\"zz\",\"type\":\"misuse\","
                           "\"declared\":false,\"weight\":1,\"duration_days\":1,\"cost\":1}]",
                           msg, sizeof msg),
                     CUSTOS_EINVAL);
    assert_null(m);
    assert_string_equal(msg, "m.json:5: $.edges[0].to: names no node (\"zz\")");
    assert_int_equal(parse(&m,
                           "\"nodes\":[{\"id\":\"a\",\"material\":\"plutonium\"}],\n\"edges\":[]",
                           msg, sizeof msg),
                     CUSTOS_EINVAL);
    assert_string_equal(msg, "m.json:3: $.nodes[0].material: needs a material of "
                             "data/sq-timeliness.csv (pu_metal, leu, ...)");
    /* Two edges of one activity must agree on what inspecting it costs. */
    assert_int_equal(
        parse(&m,
              "\"nodes\":[{\"id\":\"a\",\"material\":\"leu\"},{\"id\":\"b\",\"material\":"
              "\"heu_metal\",\"end\":true}],\n\"edges\":[\n"
              "{\"id\":\"e1\",\"activity\":\"x\",\"from\":\"a\",\"to\":\"b\",\"type\":\"misuse\","
              "\"declared\":false,\"weight\":1,\"duration_days\":1,\"cost\":1},\n"
              "{\"id\":\"e2\",\"activity\":\"x\",\"from\":\"a\",\"to\":\"b\",\"type\":\"misuse\","
              "\"declared\":false,\"weight\":1,\"duration_days\":1,\"cost\":2}]",
              msg, sizeof msg),
        CUSTOS_EINVAL);
    assert_string_equal(msg, "m.json:6: $.edges[1]: activity \"x\" differs from edge \"e1\" in "
                             "beta, alpha, cost, type or plants");
    /* Unknown keys are refused; a declared step names its facility. */
    assert_int_equal(
        parse(&m,
              "\"nodes\":[{\"id\":\"a\",\"material\":\"leu\",\"colour\":1},{\"id\":\"b\","
              "\"material\":\"heu_metal\",\"end\":true}],\n\"edges\":[]",
              msg, sizeof msg),
        CUSTOS_EINVAL);
    assert_string_equal(msg, "m.json:3: $.nodes[0]: unknown key \"colour\"");
    /* A good one, with the defaults filled in. */
    assert_int_equal(
        parse(&m,
              "\"nodes\":[{\"id\":\"a\",\"material\":\"leu\",\"assumed_kg\":100},{\"id\":\"b\","
              "\"material\":\"heu_metal\",\"end\":true}],\n\"edges\":[{\"id\":\"e\",\"from\":\"a\","
              "\"to\":\"b\",\"type\":\"misuse\",\"declared\":false,\"weight\":1,\"duration_days\":1,"
              "\"cost\":1,\"measures\":[{\"name\":\"m1\",\"p\":0.5},{\"name\":\"m2\",\"p\":0.2}]}]",
              NULL, 0),
        CUSTOS_OK);
    assert_true(m->edges[0].beta == 0.5 * 0.8); /* default: the measures' non-detection */
    assert_true(m->edges[0].alpha == 0.05);
    assert_true(m->edges[0].yield == 1);
    assert_string_equal(m->edges[0].activity, "e");
    assert_true(m->detection_goal == 0.9);
    assert_true(m->eval.prior == 0.01 && m->eval.reliability[1] == 75 &&
                m->eval.credibility[5] == 50);
    custos_state_model_free(m);
}

/* Holdings: PIL at 2026-01-31, then an ICR of February.
 *   PIL  P1: Pu 700 = 5000 g; E1: 630 = 1000 g, 670 = 40 g (LEU);
 *        H1: 630 = 100 g, 670 = 90 g (HEU); N1: 610 = 2 kg
 *   ICR  RD Pu 700 = 1000 g; SD E 630 = 500 g, 670 = 20 g;
 *        NE 610 = 1 kg -> 630 = 1000 g, 670 = 7.2 g (LEU)
 *   Pu = 6000 g; HEU U-235 = 90 g; LEU U-235 = 40 - 20 + 7.2 = 27.2 g;
 *   natural U = 1 kg. */
static void test_holdings(void **state)
{
    (void)state;
    static const char *fac =
        "{\"state\":\"XQ\",\"facility\":\"QF01\",\"type\":\"storage\",\"mbas\":["
        "{\"mba\":\"XQAA\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},{\"kmp\":\"A\","
        "\"kind\":\"flow\"}]},{\"mba\":\"XQBB\"}]}";
#define H(t, n, k) "001:OI/XQ;" n "#002:" k "#003:20260131#006:DOE,J#010:" t
    static const char *reps =
        H("P", "1", "1/4") "#015:20260131#207:QF01#307:XQAA#309:N#407:1#430:O/G/U/C#446:P1#469:M#"
                           "470:1#700:5000G#\n"
        H("P", "1", "2") "#015:20260131#207:QF01#307:XQAA#309:N#407:1#430:O/G/U/C#446:E1#469:M#"
                         "470:1#630:1000G#670:40G#\n"
        H("P", "1", "3") "#015:20260131#207:QF01#307:XQAA#309:N#407:1#430:O/G/U/C#446:H1#469:M#"
                         "470:1#630:100G#670:90G#\n"
        H("P", "1", "4") "#015:20260131#207:QF01#307:XQAA#309:N#407:1#430:O/G/U/C#446:N1#469:M#"
                         "470:1#610:2K#770:14.22G#\n"
        "001:OI/XQ;2#002:1/3#003:20260228#006:DOE,J#010:I#015:20260201/20260228#207:QF01#"
        "307:XQAA#309:N#370:XB#407:A#411:RF#412:20260210#430:O/G/U/C#446:R1#447:R1#469:N#470:1#"
        "700:1000G#\n"
        "001:OI/XQ;2#002:2#003:20260228#006:DOE,J#010:I#015:20260201/20260228#207:QF01#"
        "307:XQAA#309:N#372:XQ/XQBB#407:A#411:SD#412:20260215#430:O/G/U/C#446:E1#469:M#470:1#"
        "630:500G#670:20G#\n"
        "001:OI/XQ;2#002:3#003:20260228#006:DOE,J#010:I#015:20260201/20260228#207:QF01#"
        "307:XQAA#309:N#407:1#411:NE#412:20260220#430:O/G/U/C#446:N1#469:M#470:1#610:1K#"
        "630:1000G#670:7.2G#770:7.11G#\n";
#undef H
    custos_ledger *l;
    custos_reader *rd;
    custos_diags *d;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE), 0);
    assert_int_equal(custos_diags_new(&d), 0);
    assert_int_equal(custos_ledger_facility_add(l, "f", fac, strlen(fac), d, NULL), 0);
    assert_int_equal(
        custos_reader_open_memory(&rd, "r.c10", reps, strlen(reps), CUSTOS_FORMAT_AUTO), 0);
    int err = custos_ledger_import(l, rd, NULL, d);
    if (err)
        print_error("%s\n", custos_last_error());
    assert_int_equal(err, 0);
    custos_reader_free(rd);
    custos_diags_free(d);
    custos_holding *h;
    size_t n;
    assert_int_equal(custos_ledger_holdings(&h, &n, l, "XQ"), 0);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].mba, "XQAA");
    assert_int_equal(h[0].pit, 20260131);
    assert_int_equal(h[0].as_of, 20260220);
    assert_true(h[0].mg[CUSTOS_STOCK_PU] == 6000000);
    assert_true(h[0].mg[CUSTOS_STOCK_HEU] == 90000);
    assert_true(h[0].mg[CUSTOS_STOCK_LEU] == 27200);
    assert_true(h[0].mg[CUSTOS_STOCK_NATURAL_U] == 1000000); /* 1 kg */
    custos_free(h);
    assert_int_equal(custos_ledger_holdings(&h, &n, l, "XB"), 0);
    assert_int_equal(n, 0);
    custos_free(h);
    custos_ledger_free(l);
}

/* a -> b -> c -> end, a -> c, b -> a (a cycle), c -> b: simple paths from
 * a (stocked) to end: a b c end, a c end, a c b ... (b's only exits are
 * c and a: a c b never ends).  So 2 paths; with max_length 2 only a c end. */
static const char *cyclic =
    "\"nodes\":[{\"id\":\"a\",\"material\":\"pu_compound_or_mox\",\"assumed_kg\":80},"
    "{\"id\":\"b\",\"material\":\"pu_compound_or_mox\"},{\"id\":\"c\",\"material\":"
    "\"pu_compound_or_mox\"},{\"id\":\"end\",\"material\":\"pu_metal\",\"end\":true}],\n"
    "\"edges\":["
    "{\"id\":\"ab\",\"from\":\"a\",\"to\":\"b\",\"type\":\"diversion\",\"declared\":false,"
    "\"weight\":1,\"duration_days\":1,\"cost\":1,\"measures\":[{\"name\":\"m\",\"p\":0.5}]},"
    "{\"id\":\"bc\",\"from\":\"b\",\"to\":\"c\",\"type\":\"diversion\",\"declared\":false,"
    "\"weight\":1,\"duration_days\":1,\"cost\":1},"
    "{\"id\":\"ba\",\"from\":\"b\",\"to\":\"a\",\"type\":\"diversion\",\"declared\":false,"
    "\"weight\":1,\"duration_days\":1,\"cost\":1},"
    "{\"id\":\"cb\",\"from\":\"c\",\"to\":\"b\",\"type\":\"diversion\",\"declared\":false,"
    "\"weight\":1,\"duration_days\":1,\"cost\":1},"
    "{\"id\":\"ac\",\"from\":\"a\",\"to\":\"c\",\"type\":\"diversion\",\"declared\":false,"
    "\"weight\":5,\"duration_days\":1,\"cost\":1},"
    "{\"id\":\"ce\",\"from\":\"c\",\"to\":\"end\",\"type\":\"clandestine-processing\","
    "\"declared\":false,\"weight\":1,\"duration_days\":1,\"cost\":1,\"plants\":2}]";

static void test_apa_limits(void **state)
{
    (void)state;
    custos_state_model *m;
    assert_int_equal(parse(&m, cyclic, NULL, 0), 0);
    custos_apa_result *r;
    assert_int_equal(custos_apa_run(&r, m, NULL, 0, NULL), 0);
    assert_int_equal(r->examined, 2);
    assert_int_equal(r->npaths, 2);
    /* Ranked by P: a c end (no measure, P 0) before a b c end (P 0.5). */
    assert_int_equal(r->paths[0].nsteps, 2);
    assert_true(r->paths[0].p_detect == 0);
    assert_true(r->paths[1].p_detect == 0.5);
    assert_true(r->paths[1].time_days == 3 + 7); /* durations + Pu metal conversion (min) */
    assert_true(r->paths[0].end_sq == 10);       /* 80 kg / 8 kg */
    custos_apa_result_free(r);
    custos_apa_options o = {2, 0, 0, false};
    assert_int_equal(custos_apa_run(&r, m, NULL, 0, &o), 0);
    assert_int_equal(r->npaths, 1);
    assert_int_equal(r->paths[0].nsteps, 2);
    custos_apa_result_free(r);
    custos_apa_options o2 = {0, 1, 0, false};
    assert_int_equal(custos_apa_run(&r, m, NULL, 0, &o2), 0);
    assert_true(r->truncated);
    assert_int_equal(r->examined, 1);
    custos_apa_result_free(r);
    custos_apa_options o3 = {0, 0, 1, false};
    assert_int_equal(custos_apa_run(&r, m, NULL, 0, &o3), 0);
    assert_int_equal(r->npaths, 1);
    assert_int_equal(r->paths[0].rank, 1);
    custos_apa_result_free(r);
    /* Two plants of "ce": activities ce#1, ce#2 at half the cost; each
     * path twice. */
    custos_game *g;
    assert_int_equal(custos_apa_run(&r, m, NULL, 0, NULL), 0);
    assert_int_equal(custos_game_build(&g, m, r, 2, NULL), 0);
    assert_int_equal(g->nactivities, 5); /* ab bc ac ce#1 ce#2; ba, cb lie on no path */
    assert_string_equal(g->activities[3].id, "ce#1");
    assert_true(g->activities[3].cost == 0.5);
    assert_int_equal(g->npaths, 4);
    assert_true(g->paths[0].activities != g->paths[1].activities);
    custos_game_free(g);
    custos_apa_result_free(r);
    custos_state_model_free(m);
}

static void test_info_visibility(void **state)
{
    (void)state;
    const char *tp[] = {"third-party"}, *tpxb[] = {"third-party:XB"}, *all[] = {"*"};
    assert_true(custos_info_visible("", NULL, 0));
    assert_false(custos_info_visible("third-party", NULL, 0));
    assert_true(custos_info_visible("third-party", tp, 1));
    assert_true(custos_info_visible("third-party:XB", tp, 1)); /* C covers C:... */
    assert_false(custos_info_visible("third-party", tpxb, 1));
    assert_false(custos_info_visible("third-partyX", tp, 1));
    assert_false(custos_info_visible("third-party:XC", tpxb, 1));
    assert_true(custos_info_visible("safeguards", all, 1));
}

/* ---- allocation-failure sweeps ---------------------------------------- */

typedef int (*op_fn)(void *ctx);

static void sweep(const char *name, op_fn op, void *ctx)
{
    long baseline = custos_alloc_live();
    int n, failures = 0;
    for (n = 1;; n++) {
        custos_alloc_fail_at(n, 0);
        int err = op(ctx);
        long attempts = custos_alloc_count();
        custos_alloc_fail_at(0, 0);
        if (err) {
            if (err != CUSTOS_ENOMEM)
                print_error("%s n=%d: error %d: %s\n", name, n, err, custos_last_error());
            assert_int_equal(err, CUSTOS_ENOMEM);
            failures++;
        }
        if (custos_alloc_live() != baseline)
            print_error("%s n=%d: %ld blocks leaked\n", name, n, custos_alloc_live() - baseline);
        assert_int_equal(custos_alloc_live(), baseline);
        if (attempts < n)
            break;
    }
    print_message("%s: %d allocation points, %d failed cleanly\n", name, n - 1, failures);
    assert_true(failures > 0);
}

typedef struct fixture {
    char *model_text, *item_text;
    size_t model_len, item_len;
    custos_state_model *m;
    custos_apa_result *apa;
    custos_info_item *item;
    custos_evaluation *e;
} fixture;

static int op_parse(void *ctx)
{
    fixture *f = ctx;
    custos_state_model *m = NULL;
    custos_diags *d = NULL;
    int err = custos_diags_new(&d);
    if (!err)
        err = custos_state_parse(&m, "xt", f->model_text, f->model_len, d);
    custos_state_model_free(m);
    custos_diags_free(d);
    return err;
}

static int op_info(void *ctx)
{
    fixture *f = ctx;
    custos_info_item *it = NULL;
    int err = custos_info_parse(&it, "i", f->item_text, f->item_len, NULL);
    custos_info_item_free(it);
    return err;
}

static int op_apa(void *ctx)
{
    fixture *f = ctx;
    custos_apa_result *r = NULL;
    int err = custos_apa_run(&r, f->m, NULL, 0, NULL);
    custos_apa_result_free(r);
    return err;
}

static int op_game(void *ctx)
{
    fixture *f = ctx;
    custos_game *g = NULL;
    custos_equilibrium e;
    bool deg;
    int err = custos_game_build(&g, f->m, f->apa, 30, NULL);
    if (!err) {
        err = custos_game_lemke_howson(&e, &deg, g->h1, g->h2, g->nsets, g->npaths + 1, 0);
        if (!err)
            custos_equilibrium_dispose(&e);
    }
    custos_game_free(g);
    return err;
}

static int op_evaluate(void *ctx)
{
    fixture *f = ctx;
    custos_evaluation *e = NULL;
    custos_info_item *items[1] = {f->item};
    int err = custos_evaluate(&e, NULL, f->m, f->apa, items, 1, NULL);
    custos_evaluation_free(e);
    return err;
}

static int discard(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
    return CUSTOS_OK;
}

static int op_json(void *ctx)
{
    fixture *f = ctx;
    return custos_evaluation_write_json(f->e, f->m, f->apa, NULL, discard, NULL);
}

static int op_html(void *ctx)
{
    fixture *f = ctx;
    const char *all[1] = {"*"};
    custos_reader_clearance r = {all, 1};
    return custos_report_html_write(NULL, f->e, f->m, f->apa, &r, discard, NULL);
}

static void test_allocation_sweeps(void **state)
{
    (void)state;
    fixture f;
    memset(&f, 0, sizeof f);
    f.model_text = slurp("tests/state/xt-state.json", &f.model_len);
    f.item_text = slurp("tests/state/items/tp-enrichment.json", &f.item_len);
    assert_int_equal(custos_state_parse(&f.m, "xt", f.model_text, f.model_len, NULL), 0);
    assert_int_equal(custos_info_parse(&f.item, "i", f.item_text, f.item_len, NULL), 0);
    assert_int_equal(custos_apa_run(&f.apa, f.m, NULL, 0, NULL), 0);
    assert_int_equal(custos_evaluate(&f.e, NULL, f.m, f.apa, &f.item, 1, NULL), 0);
    /* Warm igraph's and GLPK's one-time set-up outside the sweep. */
    assert_int_equal(op_html(&f), 0);
    sweep("state parse", op_parse, &f);
    sweep("info parse", op_info, &f);
    sweep("path analysis", op_apa, &f);
    sweep("game", op_game, &f);
    sweep("evaluate", op_evaluate, &f);
    sweep("evaluation JSON", op_json, &f);
    sweep("HTML report", op_html, &f);
    custos_evaluation_free(f.e);
    custos_apa_result_free(f.apa);
    custos_info_item_free(f.item);
    custos_state_model_free(f.m);
    free(f.model_text);
    free(f.item_text);
}

int main(void)
{
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sq_table),      cmocka_unit_test(test_model_errors),
        cmocka_unit_test(test_holdings),      cmocka_unit_test(test_apa_limits),
        cmocka_unit_test(test_info_visibility), cmocka_unit_test(test_allocation_sweeps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
