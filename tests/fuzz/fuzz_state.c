/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_state.c: libFuzzer harness for State models (JSON) and what runs
 * on a parsed model: acquisition path enumeration (small limits), the
 * inspection game of its paths (maximal sets, Lemke-Howson, support
 * enumeration when tiny) and the evaluation with no evidence.
 *
 * A model that parses keeps the promises of custos/state.h: edges name
 * nodes that exist, ids are valid and unique, at least one end node,
 * probabilities in [0, 1].  Every path found is simple, starts at a node
 * with stock and ends at the first end node.  A leak through the
 * allocation seam aborts.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "custos/apa.h"
#include "custos/evaluate.h"
#include "custos/game.h"
#include "custos/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_model(const custos_state_model *m)
{
    bool end = false;
    for (size_t i = 0; i < m->nnodes; i++) {
        end |= m->nodes[i].end;
        if (!m->nodes[i].id[0] || !custos_sq_lookup(m->nodes[i].material))
            abort();
        for (size_t k = 0; k < i; k++)
            if (!strcmp(m->nodes[k].id, m->nodes[i].id))
                abort();
    }
    if (!end)
        abort();
    for (size_t i = 0; i < m->nedges; i++) {
        const custos_state_edge *e = &m->edges[i];
        if (e->from >= m->nnodes || e->to >= m->nnodes || e->from == e->to)
            abort();
        if (!(e->beta >= 0 && e->beta <= 1) || !(e->alpha >= 0 && e->alpha < 1) ||
            !(e->weight > 0) || e->plants < 1 || e->difficulty < 1 || e->difficulty > 5)
            abort();
    }
}

static void check_paths(const custos_state_model *m, const custos_apa_result *r)
{
    for (size_t i = 0; i < r->npaths; i++) {
        const custos_apa_path *p = &r->paths[i];
        if (p->nsteps == 0 || p->nsteps > 6 || m->edges[p->edges[0]].from != p->start ||
            m->edges[p->edges[p->nsteps - 1]].to != p->end || !m->nodes[p->end].end ||
            !(r->node_kg[p->start] > 0))
            abort();
        for (size_t k = 0; k + 1 < p->nsteps; k++) {
            size_t v = m->edges[p->edges[k]].to;
            if (v != m->edges[p->edges[k + 1]].from || m->nodes[v].end)
                abort();
            for (size_t q = 0; q < k; q++)
                if (m->edges[p->edges[q]].to == v || v == p->start)
                    abort(); /* not simple */
        }
        if (!(p->p_detect >= 0 && p->p_detect <= 1) || !(p->time_days >= 0))
            abort();
    }
}

static void game(const custos_state_model *m, const custos_apa_result *r)
{
    custos_game *g = NULL;
    double budget = m->budget < 200 ? m->budget : 200;
    if (custos_game_build(&g, m, r, budget, NULL) < 0)
        return;
    custos_equilibrium e;
    bool deg;
    size_t cols = g->npaths + 1;
    if (g->nsets * cols <= 4000 &&
        custos_game_lemke_howson(&e, &deg, g->h1, g->h2, g->nsets, cols, 0) == 0) {
        double sx = 0, sy = 0;
        for (size_t i = 0; i < g->nsets; i++)
            sx += e.x[i];
        for (size_t j = 0; j < cols; j++)
            sy += e.y[j];
        if (fabs(sx - 1) > 1e-6 || fabs(sy - 1) > 1e-6)
            abort();
        custos_equilibrium_dispose(&e);
    }
    custos_equilibrium *se = NULL;
    size_t n = 0;
    if (custos_game_support_enumeration(&se, &n, &deg, g->h1, g->h2, g->nsets, cols, 2000) == 0) {
        for (size_t i = 0; i < n; i++)
            custos_equilibrium_dispose(&se[i]);
        custos_free(se);
    }
    custos_game_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        custos_global_init();
        init = 1;
    }
    long live = custos_alloc_live();
    custos_diags *d;
    custos_state_model *m = NULL;
    if (custos_diags_new(&d) < 0)
        return 0;
    if (custos_state_parse(&m, "fuzz", (const char *)data, size, d) == 0) {
        check_model(m);
        custos_apa_options o = {6, 2000, 0, true};
        custos_apa_result *r = NULL;
        if (custos_apa_run(&r, m, NULL, 0, &o) == 0) {
            check_paths(m, r);
            game(m, r);
            custos_evaluation *e = NULL;
            if (custos_evaluate(&e, NULL, m, r, NULL, 0, NULL) == 0)
                custos_evaluation_free(e);
            custos_apa_result_free(r);
        }
        custos_state_model_free(m);
    }
    custos_diags_free(d);
    if (custos_alloc_live() != live)
        abort(); /* a block allocated through the seam was not freed */
    return 0;
}
