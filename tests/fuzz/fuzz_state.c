/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_state.c: libFuzzer harness for State models (JSON,
 * custos_state_parse()) and the evaluation run on a parsed model: the
 * acquisition path analysis and the inspection game built from it.
 *
 * A model that parses must find each of its nodes and edges by id, and
 * its acquisition paths must be simple paths of its own edges from a
 * stocked node to an end node, with probabilities in [0, 1].  The game is
 * built over the feasible paths within the model's budget.  Bounded
 * options keep each run short; a run that does not finish is a timeout
 * (scripts/fuzz: -timeout), reported like a crash.  No leak through the
 * allocation seam.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "custos/apa.h"
#include "custos/game.h"
#include "custos/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_paths(const custos_state_model *m, const custos_apa_result *r)
{
    for (size_t i = 0; i < r->npaths; i++) {
        const custos_apa_path *p = &r->paths[i];
        if (p->nsteps == 0 || p->start >= m->nnodes || p->end >= m->nnodes || !m->nodes[p->end].end)
            abort();
        size_t at = p->start;
        for (size_t k = 0; k < p->nsteps; k++) {
            if (p->edges[k] >= m->nedges || m->edges[p->edges[k]].from != at)
                abort();
            at = m->edges[p->edges[k]].to;
        }
        if (at != p->end)
            abort();
        if (!(p->p_detect >= 0 && p->p_detect <= 1) || !(p->p_timely >= 0 && p->p_timely <= 1))
            abort();
    }
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
        for (size_t i = 0; i < m->nnodes; i++)
            if (custos_state_node_find(m, m->nodes[i].id) != (long)i)
                abort();
        for (size_t i = 0; i < m->nedges; i++)
            if (custos_state_edge_find(m, m->edges[i].id) != (long)i)
                abort();
        custos_apa_options opt = {0, 2000, 50, true};
        custos_apa_result *r = NULL;
        if (custos_apa_run(&r, m, NULL, 0, &opt) == 0) {
            check_paths(m, r);
            custos_game *g = NULL;
            if (custos_game_build(&g, m, r, m->budget, NULL) == 0)
                custos_game_free(g);
            custos_apa_result_free(r);
        }
        custos_state_model_free(m);
    }
    custos_diags_free(d);
    if (custos_alloc_live() != live)
        abort(); /* a block allocated through the seam was not freed */
    return 0;
}
