/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modules.c: the routes of the evaluation modules: near-real-time
 * accountancy of an MBA (custos/stats.h), acquisition paths and the
 * State-level evaluation (custos/apa.h, custos/evaluate.h, and its HTML
 * report), agreements (custos/agreement.h) and information items
 * (custos/info.h).
 *
 * Need-to-know: NRTA follows the MBA (State readers of it); paths,
 * evaluations and agreements are the inspectorate's (inspectors and
 * analysts of the State); information items are analysts' and only in
 * their compartments.  An evaluation is computed from all evidence (what
 * a reader may see never changes what is concluded) and printed with the
 * reader's compartments: hidden evidence appears only as counts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custos/agreement.h"
#include "custos/apa.h"
#include "custos/balance.h"
#include "custos/chart.h"
#include "custos/evaluate.h"
#include "custos/info.h"
#include "custos/report_html.h"
#include "custos/state.h"
#include "custos/stats.h"
#include "srvint.h"

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *date_json(custos_date d)
{
    if (!d)
        return json_null();
    char iso[11];
    custos_date_iso(iso, d);
    return json_string(iso);
}

/* ---- NRTA --------------------------------------------------------------- */

/* ?mba= (readable), ?element=, ?label=, ?alpha=, ?k=, ?h= into a run;
 * 0 or replied. */
static int nrta_for(srv_request *rq, custos_sequence **seq, custos_nrta_result **res, char mba[8])
{
    *seq = NULL;
    *res = NULL;
    const char *m = srv_uri_param(&rq->uri, "mba");
    const char *el = srv_uri_param(&rq->uri, "element");
    char state[3], code[5];
    if (!m || !srv_split_mba(m, state, code)) {
        srv_reply_error(rq, 400, "mba=STATE/CODE is required (XA/XAFF)");
        return -1;
    }
    if (!srv_can_read_mba(rq, state, code)) {
        srv_reply_error(rq, 404, "no MBA %s readable by %s", m, rq->user.name);
        return -1;
    }
    if (el && (strlen(el) != 1 || !strchr("NDEPT", el[0]))) {
        srv_reply_error(rq, 400, "element '%s' is not N, D, E, P or T", el);
        return -1;
    }
    custos_nrta_options o = {0.05, 0.5, 0};
    static const char *const names[] = {"alpha", "k", "h", "label"};
    double v[4] = {0.05, 0.5, 0, 0};
    for (int i = 0; i < 4; i++) {
        const char *p = srv_uri_param(&rq->uri, names[i]);
        char *end;
        if (p && (v[i] = strtod(p, &end), *end || !isfinite(v[i]))) {
            srv_reply_error(rq, 400, "%s '%s' is not a number", names[i], p);
            return -1;
        }
    }
    o.alpha = v[0];
    o.k = v[1];
    o.h = v[2];
    snprintf(mba, 8, "%s", m);
    snprintf(rq->audit_target, sizeof rq->audit_target, "%s", m);
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return -1;
    int err = custos_ledger_sequence(seq, l, mba, el ? el[0] : 0, (int)v[3], NULL);
    if (err >= 0)
        err = custos_nrta_run(res, *seq, &o);
    if (err < 0) {
        srv_reply_custos(rq, err);
        custos_sequence_free(*seq);
        *seq = NULL;
        return -1;
    }
    return 0;
}

static void h_nrta(srv_request *rq)
{
    custos_sequence *s;
    custos_nrta_result *r;
    char mba[8];
    if (nrta_for(rq, &s, &r, mba) < 0)
        return;
    json_t *arr = json_array();
    for (size_t t = 0; t < r->n; t++) {
        const custos_nrta_period *p = &r->periods[t];
        json_array_append_new(
            arr,
            json_pack("{s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:b, s:o, s:b, s:o, s:b, s:o, "
                      "s:i, s:o, s:b}",
                      "start", date_json(s->start ? s->start[t] : 0), "end",
                      date_json(s->end ? s->end[t] : 0), "muf_g", num(p->muf), "sigma_muf_g",
                      num(p->sigma_muf), "muf_alarm", p->muf_alarm, "cumuf_g", num(p->cumuf),
                      "sigma_cumuf_g", num(p->sigma_cumuf), "cumuf_alarm", p->cumuf_alarm, "sitmuf",
                      num(p->sitmuf), "sitmuf_alarm", p->sitmuf_alarm, "page", num(p->page),
                      "page_alarm", p->page_alarm, "gemuf", num(p->gemuf), "gemuf_dof",
                      p->gemuf_dof, "gemuf_p", num(p->gemuf_p), "gemuf_alarm", p->gemuf_alarm));
    }
    char element[2] = {s->element, 0};
    srv_reply_json(rq, 200,
                   json_pack("{s:s, s:s, s:i, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:o}", "mba", mba,
                             "element", element, "label", s->label, "alpha", r->alpha, "z", r->z,
                             "k", r->k, "h", r->h, "page_false_alarm", r->page_fa, "degenerate",
                             (json_int_t)r->degenerate, "unmodelled_entries",
                             (json_int_t)s->unmodelled, "periods", arr));
    custos_nrta_result_free(r);
    custos_sequence_free(s);
}

static void reply_chart(srv_request *rq, custos_chart *c)
{
    char *svg = NULL;
    size_t len = 0;
    int err = custos_chart_svg(&svg, &len, c);
    custos_chart_free(c);
    char *copy = err >= 0 ? malloc(len + 1) : NULL;
    if (!copy) {
        custos_free(svg);
        srv_reply_error(rq, 500, "%s", err < 0 ? custos_last_error() : "out of memory");
        return;
    }
    memcpy(copy, svg, len + 1);
    custos_free(svg);
    srv_reply_body(rq, 200, "image/svg+xml; charset=utf-8", copy, len, false);
}

/* Page's test on SITMUF (default), or SITMUF itself, with its decision
 * line and alarms. */
static void h_chart_nrta(srv_request *rq)
{
    const char *test = srv_uri_param(&rq->uri, "test");
    bool page = !test || !strcmp(test, "page");
    if (!page && strcmp(test, "sitmuf")) {
        srv_reply_error(rq, 400, "test '%s' is not page or sitmuf", test);
        return;
    }
    custos_sequence *s;
    custos_nrta_result *r;
    char mba[8];
    if (nrta_for(rq, &s, &r, mba) < 0)
        return;
    custos_chart *c = NULL;
    double *x = malloc((r->n + 1) * sizeof *x), *y = malloc((r->n + 1) * sizeof *y);
    int err = x && y ? custos_chart_new(&c, CUSTOS_CHART_XY) : CUSTOS_ENOMEM;
    bool dates = s->end && r->n && s->end[0];
    char title[96], id[32], hl[64];
    /* The element category in the title and the id: an MBA with several
     * has a chart for each on one page. */
    snprintf(title, sizeof title, "%s, %s, category %c", page ? "Page's test on SITMUF" : "SITMUF",
             mba, s->element);
    snprintf(id, sizeof id, "%s-%.4s-%c", page ? "page" : "sitmuf", mba + 3, s->element);
    if (err >= 0) {
        custos_chart_set_title(c, title);
        custos_chart_set_id(c, id);
        custos_chart_set_size(c, 720, 320);
        custos_chart_set_x_axis(c, dates ? CUSTOS_AXIS_DATE : CUSTOS_AXIS_INDEX,
                                dates ? "end of balance period (PIT)" : "balance period",
                                CUSTOS_VALUE_PLAIN);
        custos_chart_set_y_axis(c, page ? "CUSUM S_t" : "SITMUF (standard units)",
                                CUSTOS_VALUE_PLAIN);
        for (size_t t = 0; t < r->n; t++) {
            x[t] = dates ? s->end[t] : (double)(t + 1);
            y[t] = page ? r->periods[t].page : r->periods[t].sitmuf;
        }
        snprintf(hl, sizeof hl, page ? "h = %.2f" : "z = %.2f", page ? r->h : r->z);
        err = custos_chart_add_hline(c, hl, page ? r->h : r->z, CUSTOS_LINE_THRESHOLD);
    }
    if (err >= 0)
        err = custos_chart_add_series(c, page ? "S_t" : "SITMUF", x, y, r->n, 0);
    for (size_t t = 0; t < r->n && err >= 0; t++) {
        bool alarm = page ? r->periods[t].page_alarm : r->periods[t].sitmuf_alarm;
        if (alarm && isfinite(y[t]))
            err = custos_chart_add_marker(c, "alarm", x[t], y[t]);
    }
    free(x);
    free(y);
    custos_nrta_result_free(r);
    custos_sequence_free(s);
    if (err < 0) {
        custos_chart_free(c);
        srv_reply_custos(rq, err);
        return;
    }
    reply_chart(rq, c);
}

/* ---- paths and evaluations ---------------------------------------------- */

typedef struct state_ctx {
    custos_state_model *m;
    custos_holding *h;
    size_t nh;
    custos_apa_result *apa;
} state_ctx;

static void state_dispose(state_ctx *s)
{
    custos_apa_result_free(s->apa);
    custos_free(s->h);
    custos_state_model_free(s->m);
    memset(s, 0, sizeof *s);
}

/* ?state= readable, its model, holdings and paths; 0 or replied. */
static int state_load(srv_request *rq, state_ctx *s)
{
    memset(s, 0, sizeof *s);
    const char *st = srv_uri_param(&rq->uri, "state");
    if (!st || strlen(st) != 2) {
        srv_reply_error(rq, 400, "state=XX is required");
        return -1;
    }
    if (!custos_user_can_read_state(&rq->user, st)) {
        srv_reply_error(rq, 404, "no State %s readable by %s", st, rq->user.name);
        return -1;
    }
    snprintf(rq->audit_target, sizeof rq->audit_target, "%s", st);
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return -1;
    int err = custos_ledger_state_load(&s->m, l, st, 0);
    if (err >= 0)
        err = custos_ledger_holdings(&s->h, &s->nh, l, st);
    if (err >= 0)
        err = custos_apa_run(&s->apa, s->m, s->h, s->nh, NULL);
    if (err < 0) {
        if (err == CUSTOS_ENOTFOUND)
            srv_reply_error(rq, 404, "no State model of %s (custos state add)", st);
        else
            srv_reply_custos(rq, err);
        state_dispose(s);
        return -1;
    }
    return 0;
}

static void h_paths(srv_request *rq)
{
    state_ctx s;
    if (state_load(rq, &s) < 0)
        return;
    const custos_state_model *m = s.m;
    json_t *arr = json_array();
    for (size_t i = 0; i < s.apa->npaths; i++) {
        const custos_apa_path *p = &s.apa->paths[i];
        json_t *steps = json_array(), *nodes = json_array();
        json_array_append_new(nodes, json_string(m->nodes[p->start].id));
        for (size_t k = 0; k < p->nsteps; k++) {
            json_array_append_new(steps, json_string(m->edges[p->edges[k]].id));
            json_array_append_new(nodes, json_string(m->nodes[m->edges[p->edges[k]].to].id));
        }
        json_array_append_new(
            arr, json_pack("{s:i, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:i, s:b, s:i, s:b}",
                           "rank", p->rank, "steps", steps, "nodes", nodes, "feasible", p->feasible,
                           "start_sq", num(p->start_sq), "end_sq", num(p->end_sq), "time_days",
                           num(p->time_days), "p_detect", num(p->p_detect), "p_timely",
                           num(p->p_timely), "timeliness_days", p->timeliness_days, "covered",
                           p->covered, "difficulty", p->difficulty, "undeclared", p->undeclared));
    }
    srv_reply_json(rq, 200,
                   json_pack("{s:s, s:I, s:I, s:b, s:o}", "state", m->state, "examined",
                             (json_int_t)s.apa->examined, "feasible", (json_int_t)s.apa->feasible,
                             "truncated", s.apa->truncated, "paths", arr));
    state_dispose(&s);
}

/* The evaluation of ?state= for this reader, as JSON or the HTML report. */
static void evaluation(srv_request *rq, bool html)
{
    state_ctx s;
    if (state_load(rq, &s) < 0)
        return;
    custos_evaluation *e = NULL;
    int err = custos_ledger_evaluate(&e, srv_ledger(rq), s.m, s.apa);
    const char *clearance[CUSTOS_USER_MAX_COMPARTMENTS];
    for (size_t i = 0; i < rq->user.ncompartments; i++)
        clearance[i] = rq->user.compartments[i];
    custos_reader_clearance reader = {clearance, rq->user.ncompartments};
    srv_buf b = {.max = (size_t)64 << 20};
    if (err >= 0)
        err = html ? custos_report_html_write(srv_ledger(rq), e, s.m, s.apa, &reader, srv_buf_write,
                                              &b)
                   : custos_evaluation_write_json(e, s.m, s.apa, &reader, srv_buf_write, &b);
    custos_evaluation_free(e);
    state_dispose(&s);
    if (err < 0) {
        free(b.data);
        srv_reply_custos(rq, err);
        return;
    }
    if (html)
        rq->csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                  "frame-ancestors 'none'";
    srv_reply_buf(rq, 200, html ? "text/html; charset=utf-8" : "application/json", &b);
}

static void h_evaluation(srv_request *rq)
{
    evaluation(rq, false);
}

static void h_evaluation_html(srv_request *rq)
{
    evaluation(rq, true);
}

/* ---- agreements ---------------------------------------------------------- */

static void h_agreements(srv_request *rq)
{
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    custos_commitment_statuses *st;
    int err = custos_agreements_evaluate(&st, l, NULL);
    if (err < 0) {
        srv_reply_custos(rq, err);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < st->n; i++) {
        const custos_commitment_status *c = &st->items[i];
        /* deciding entries only of MBAs the reader may read */
        json_t *entries = json_array();
        size_t hidden = c->entries_total - c->nentries;
        for (size_t k = 0; k < c->nentries; k++) {
            const custos_commitment_entry *en = &c->entries[k];
            if (!srv_can_read_mba(rq, en->state, en->mba)) {
                hidden++;
                continue;
            }
            json_array_append_new(entries,
                                  json_pack("{s:s, s:s, s:I, s:i, s:o, s:s, s:s, s:I, s:s}",
                                            "state", en->state, "mba", en->mba, "report",
                                            (json_int_t)en->report, "entry", en->entry, "date",
                                            date_json(en->date), "code", en->code, "batch",
                                            en->batch, "mg", (json_int_t)en->mg, "role", en->role));
        }
        json_array_append_new(
            arr, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, "
                           "s:o, s:o, s:o, s:I}",
                           "agreement", c->agreement, "version", c->version, "id", c->id, "kind",
                           c->kind, "title", c->title, "status",
                           custos_commitment_state_name(c->state), "reason", c->reason, "as_of",
                           date_json(c->as_of), "deadline", date_json(c->deadline), "unit", c->unit,
                           "value", num(c->value), "bound", num(c->bound), "margin", num(c->margin),
                           "progress", num(c->progress), "projected", num(c->projected), "entries",
                           entries, "entries_hidden", (json_int_t)hidden));
    }
    custos_commitment_statuses_free(st);
    srv_reply_json(rq, 200, json_pack("{s:o}", "commitments", arr));
}

/* ---- information items --------------------------------------------------- */

static void h_info(srv_request *rq)
{
    const char *st = srv_uri_param(&rq->uri, "state");
    if (!st || strlen(st) != 2) {
        srv_reply_error(rq, 400, "state=XX is required");
        return;
    }
    if (!custos_user_can_read_state(&rq->user, st)) {
        srv_reply_error(rq, 404, "no State %s readable by %s", st, rq->user.name);
        return;
    }
    snprintf(rq->audit_target, sizeof rq->audit_target, "%s", st);
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    custos_info_item **items;
    size_t n;
    int err = custos_ledger_info_items(&items, &n, l, st);
    if (err < 0) {
        srv_reply_custos(rq, err);
        return;
    }
    json_t *arr = json_array();
    size_t hidden = 0;
    for (size_t i = 0; i < n; i++) {
        const custos_info_item *it = items[i];
        if (!custos_user_can_see_item(&rq->user, it->compartment)) {
            hidden++;
        } else {
            char grade[4] = {it->reliability, (char)('0' + it->credibility), 0};
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:I}", "id",
                               it->id, "title", it->title ? it->title : "", "summary", it->summary,
                               "source", custos_source_class_name(it->source), "grade", grade,
                               "classification", custos_classification_name(it->classification),
                               "originator", it->originator, "compartment", it->compartment, "date",
                               date_json(it->date), "hash", it->hash, "chain_link",
                               (json_int_t)it->seq));
        }
        custos_info_item_free(items[i]);
    }
    custos_free(items);
    srv_reply_json(
        rq, 200,
        json_pack("{s:s, s:o, s:I}", "state", st, "items", arr, "hidden", (json_int_t)hidden));
}

/* ---- the module routes --------------------------------------------------- */

#define STATE_READERS                                                                              \
    (SRV_ROLE(CUSTOS_ROLE_AUTHORITY) | SRV_ROLE(CUSTOS_ROLE_INSPECTOR) |                           \
     SRV_ROLE(CUSTOS_ROLE_ANALYST))
#define INSPECTORATE (SRV_ROLE(CUSTOS_ROLE_INSPECTOR) | SRV_ROLE(CUSTOS_ROLE_ANALYST))

const srv_route srv_module_routes[] = {
    {"GET", "/api/nrta", STATE_READERS, SRV_AUDIT_READ, h_nrta,
     "near-real-time accountancy of an MBA: MUF, CUMUF, SITMUF, Page, GEMUF tests per period "
     "(?mba=, ?element=, ?label=, ?alpha=, ?k=, ?h=)",
     SRV_CACHE},
    {"GET", "/api/charts/nrta.svg", STATE_READERS, SRV_AUDIT_READ, h_chart_nrta,
     "SVG: Page's test on SITMUF with h and alarms, or SITMUF (?mba=, ?element=, ?label=, "
     "?test=page|sitmuf)",
     SRV_CACHE},
    {"GET", "/api/paths", INSPECTORATE, SRV_AUDIT_READ, h_paths,
     "acquisition paths of a State, ranked weakest first (?state=)", SRV_CACHE},
    {"GET", "/api/evaluation", INSPECTORATE, SRV_AUDIT_READ, h_evaluation,
     "State-level evaluation: conclusions, evidence (as the reader's compartments allow), "
     "counterfactual audit (?state=)",
     SRV_CACHE},
    {"GET", "/api/evaluation/report.html", INSPECTORATE, SRV_AUDIT_READ, h_evaluation_html,
     "the same as the self-contained HTML report (?state=)", SRV_CACHE},
    {"GET", "/api/agreements", INSPECTORATE, SRV_AUDIT_READ, h_agreements,
     "status of every commitment of every stored agreement; deciding entries of readable MBAs",
     SRV_CACHE},
    {"GET", "/api/info", SRV_ROLE(CUSTOS_ROLE_ANALYST), SRV_AUDIT_READ, h_info,
     "information items of a State in the analyst's compartments (?state=)", SRV_CACHE},
};

const size_t srv_nmodule_routes = sizeof srv_module_routes / sizeof srv_module_routes[0];
