/* SPDX-License-Identifier: Apache-2.0 */
/*
 * views.c: what the dashboard shows: the States, facilities and MBAs a
 * user may read, and the charts, drawn here with the library's chart
 * module (custos/chart.h, the same code path as the HTML report) and
 * served as SVG.  Masses are exact milligrams in the ledger; charts show
 * kilograms.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custos/balance.h"
#include "custos/chart.h"
#include "custos/facility.h"
#include "srvint.h"

static const char *const element_names[] = {"N", "natural uranium", "D", "depleted uranium",
                                            "E", "enriched uranium", "P", "plutonium",
                                            "T", "thorium"};
#define NELEMENTS 5

static const char *element_name(char e)
{
    for (int i = 0; i < NELEMENTS; i++)
        if (element_names[2 * i][0] == e)
            return element_names[2 * i + 1];
    return "?";
}

/* ---- /api/states -------------------------------------------------------- */

typedef struct mba_info {
    char state[3], code[5], facility[5];
    long long reports;
    custos_date last;
} mba_info;

void srv_view_states(srv_request *rq)
{
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    custos_facility **f = NULL;
    int *ver = NULL;
    size_t nf = 0, nr = 0;
    custos_report_ref *refs = NULL;
    int err = custos_ledger_facilities(&f, &ver, &nf, l);
    if (err >= 0)
        err = custos_ledger_reports(&refs, &nr, l, NULL, 0);
    if (err < 0) {
        srv_reply_custos(rq, err);
        goto done;
    }
    json_t *states = json_object();
    for (size_t i = 0; i < nf; i++) {
        for (size_t m = 0; m < f[i]->nmbas; m++) {
            const char *code = f[i]->mbas[m].code;
            if (!srv_can_read_mba(rq, f[i]->state, code))
                continue;
            json_t *st = json_object_get(states, f[i]->state);
            if (!st) {
                st = json_pack("{s:s, s:[]}", "state", f[i]->state, "mbas");
                json_object_set_new(states, f[i]->state, st);
            }
            long long count = 0;
            custos_date last = 0;
            for (size_t k = 0; k < nr; k++)
                if (!strcmp(refs[k].state, f[i]->state) && !strcmp(refs[k].mba, code)) {
                    count++;
                    if (refs[k].end > last)
                        last = refs[k].end;
                }
            char iso[11] = "";
            if (last)
                custos_date_iso(iso, last);
            json_array_append_new(json_object_get(st, "mbas"),
                                  json_pack("{s:s, s:s, s:s, s:I, s:s?}", "mba", code, "facility",
                                            f[i]->code, "type", f[i]->type, "reports",
                                            (json_int_t)count, "last_period_end",
                                            last ? iso : NULL));
        }
    }
    json_t *arr = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(states, key, v)
    {
        json_object_set_new(v, "can_read_state",
                            json_boolean(custos_user_can_read_state(&rq->user, key)));
        json_array_append(arr, v);
    }
    json_decref(states);
    srv_reply_json(rq, 200, json_pack("{s:o}", "states", arr));
done:
    for (size_t i = 0; i < nf; i++)
        custos_facility_free(f[i]);
    custos_free(f);
    custos_free(ver);
    custos_free(refs);
}

/* ---- charts ------------------------------------------------------------- */

static void reply_chart(srv_request *rq, custos_chart *c)
{
    char *svg = NULL;
    size_t len = 0;
    int err = custos_chart_svg(&svg, &len, c);
    custos_chart_free(c);
    if (err < 0) {
        srv_reply_custos(rq, err);
        return;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        custos_free(svg);
        srv_reply_error(rq, 500, "out of memory");
        return;
    }
    memcpy(copy, svg, len + 1);
    custos_free(svg);
    srv_reply_body(rq, 200, "image/svg+xml; charset=utf-8", copy, len, false);
}

static double kg(int64_t mg)
{
    return (double)mg / 1e6;
}

/* MUF of one MBA over its balance periods, one series per element
 * category (element weights; isotopes are in /api/balances). */
void srv_view_chart_muf(srv_request *rq)
{
    const char *m = srv_uri_param(&rq->uri, "mba");
    const char *el = srv_uri_param(&rq->uri, "element");
    char state[3], code[5];
    if (!m || !srv_split_mba(m, state, code)) {
        srv_reply_error(rq, 400, "mba=STATE/CODE is required (XA/XAFF)");
        return;
    }
    if (el && (strlen(el) != 1 || !strchr("NDEPT", el[0]))) {
        srv_reply_error(rq, 400, "element '%s' is not N, D, E, P or T", el);
        return;
    }
    if (!srv_can_read_mba(rq, state, code)) {
        srv_reply_error(rq, 404, "no MBA %s readable by %s", m, rq->user.name);
        return;
    }
    snprintf(rq->audit_target, sizeof rq->audit_target, "%s", m);
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    custos_balances *b;
    int err = custos_ledger_balances(&b, l, m, NULL);
    if (err < 0) {
        srv_reply_custos(rq, err);
        return;
    }
    custos_chart *c;
    if ((err = custos_chart_new(&c, CUSTOS_CHART_XY)) < 0) {
        custos_balances_free(b);
        srv_reply_custos(rq, err);
        return;
    }
    char title[96], id[32];
    snprintf(title, sizeof title, "MUF, %s%s%s", m, el ? ", " : "", el ? element_name(el[0]) : "");
    snprintf(id, sizeof id, "muf-%s%s", code, el ? el : "");
    custos_chart_set_title(c, title);
    custos_chart_set_id(c, id);
    custos_chart_set_size(c, 720, 360);
    custos_chart_set_x_axis(c, CUSTOS_AXIS_DATE, "end of balance period (PIT)",
                            CUSTOS_VALUE_PLAIN);
    custos_chart_set_y_axis(c, "MUF (kg)", CUSTOS_VALUE_PLAIN);
    double *x = malloc((b->n + 1) * sizeof *x), *y = malloc((b->n + 1) * sizeof *y);
    size_t drawn = 0;
    for (int e = 0; e < NELEMENTS && x && y && err >= 0; e++) {
        char ec = element_names[2 * e][0];
        if (el && el[0] != ec)
            continue;
        size_t n = 0;
        for (size_t i = 0; i < b->n; i++) {
            const custos_balance *bi = &b->items[i];
            if (bi->element != ec || bi->label != 0)
                continue;
            x[n] = bi->end;
            y[n] = kg(bi->muf);
            n++;
        }
        if (n) {
            err = custos_chart_add_series(c, element_name(ec), x, y, n,
                                          CUSTOS_SERIES_LINE | CUSTOS_SERIES_POINTS);
            drawn += n;
        }
    }
    if (!x || !y)
        err = CUSTOS_ENOMEM;
    free(x);
    free(y);
    custos_balances_free(b);
    if (err < 0) {
        custos_chart_free(c);
        srv_reply_custos(rq, err);
        return;
    }
    char desc[256];
    snprintf(desc, sizeof desc,
             "Material unaccounted for (MUF = book inventory - physical ending inventory) of MBA "
             "%s per balance period, %zu periods drawn, in kilograms.",
             m, drawn);
    custos_chart_set_desc(c, desc);
    reply_chart(rq, c);
}

/* The latest MUF of every readable MBA of a State, one bar series per
 * element category. */
void srv_view_chart_mbas(srv_request *rq)
{
    const char *state = srv_uri_param(&rq->uri, "state");
    if (!state || strlen(state) != 2) {
        srv_reply_error(rq, 400, "state=XX is required");
        return;
    }
    if (!custos_user_can_read_state(&rq->user, state)) {
        srv_reply_error(rq, 404, "no State %s readable by %s", state, rq->user.name);
        return;
    }
    snprintf(rq->audit_target, sizeof rq->audit_target, "%s", state);
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    custos_balances *b;
    int err = custos_ledger_balances(&b, l, NULL, NULL);
    if (err < 0) {
        srv_reply_custos(rq, err);
        return;
    }
    /* categories: the State's MBAs with a balance, in ledger order */
    char (*cats)[8] = calloc(b->n + 1, sizeof *cats);
    const char **labels = calloc(b->n + 1, sizeof *labels);
    double *v = calloc(b->n + 1, sizeof *v);
    size_t nc = 0;
    for (size_t i = 0; cats && labels && i < b->n; i++) {
        const custos_balance *bi = &b->items[i];
        if (strcmp(bi->state, state))
            continue;
        char name[8];
        snprintf(name, sizeof name, "%s/%s", bi->state, bi->mba);
        size_t k = 0;
        while (k < nc && strcmp(cats[k], name))
            k++;
        if (k == nc) {
            memcpy(cats[nc], name, sizeof name);
            labels[nc] = cats[nc];
            nc++;
        }
    }
    custos_chart *c = NULL;
    if (!cats || !labels || !v)
        err = CUSTOS_ENOMEM;
    if (err >= 0)
        err = custos_chart_new(&c, CUSTOS_CHART_BAR);
    if (err >= 0 && nc == 0) {
        labels[0] = "(no balance yet)";
        nc = 1;
    }
    if (err >= 0)
        err = custos_chart_set_categories(c, labels, nc);
    for (int e = 0; e < NELEMENTS && err >= 0; e++) {
        char ec = element_names[2 * e][0];
        bool any = false;
        for (size_t k = 0; k < nc; k++) {
            v[k] = NAN;
            custos_date latest = 0;
            for (size_t i = 0; i < b->n; i++) {
                const custos_balance *bi = &b->items[i];
                char name[8];
                snprintf(name, sizeof name, "%s/%s", bi->state, bi->mba);
                if (bi->element == ec && bi->label == 0 && !strcmp(name, cats[k]) &&
                    bi->end >= latest) {
                    latest = bi->end;
                    v[k] = kg(bi->muf);
                    any = true;
                }
            }
        }
        if (any)
            err = custos_chart_add_bars(c, element_name(ec), v, NULL, nc);
    }
    if (err >= 0) {
        char title[64], id[16];
        snprintf(title, sizeof title, "Latest MUF per MBA, %s", state);
        snprintf(id, sizeof id, "mbas-%s", state);
        custos_chart_set_title(c, title);
        custos_chart_set_id(c, id);
        custos_chart_set_size(c, 720, 340);
        custos_chart_set_y_axis(c, "MUF (kg)", CUSTOS_VALUE_PLAIN);
    }
    custos_balances_free(b);
    free(cats);
    free(labels);
    free(v);
    if (err < 0) {
        custos_chart_free(c);
        srv_reply_custos(rq, err);
        return;
    }
    reply_chart(rq, c);
}
