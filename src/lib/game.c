/* SPDX-License-Identifier: Apache-2.0 */
/*
 * game.c: building the inspection game of acquisition path analysis
 * (custos/game.h): inspection activities from the model's edges (one per
 * activity name, n per edge of n identical plants), the State's paths
 * from the feasible acquisition paths, the inspectorate's maximal
 * activity sets within the budget, and both payoff matrices.
 *
 * Only activities on at least one feasible path enter the game: an
 * activity no path uses can only raise false alarms, so a set holding it
 * is dominated and would only enlarge the matrix.
 */
#include <math.h>
#include <string.h>

#include "custos/game.h"
#include "stateint.h"

void custos_game_free(custos_game *g)
{
    if (!g)
        return;
    custos_free(g->activities);
    custos_free(g->paths);
    custos_free(g->sets);
    custos_free(g->h1);
    custos_free(g->h2);
    custos_free(g);
}

typedef struct msets {
    const double *c;
    size_t n;
    double budget;
    double tol;
    double *suffix; /* suffix[i] = sum of c[i..n) */
    uint64_t *out;
    size_t count, cap, max;
    uint64_t visits;
    int err;
} msets;

/* Visits of the search tree before it is refused as too big. */
#define MSETS_MAX_VISITS 50000000ULL

static void rec(msets *s, size_t i, uint64_t mask, double sum)
{
    if (s->err < 0)
        return;
    if (++s->visits > MSETS_MAX_VISITS) {
        s->err = custos_error_set(CUSTOS_ETOOBIG, "more than %llu steps enumerating activity sets",
                                  (unsigned long long)MSETS_MAX_VISITS);
        return;
    }
    if (i == s->n) {
        for (size_t j = 0; j < s->n; j++)
            if (!(mask >> j & 1u) && sum + s->c[j] <= s->budget + s->tol)
                return; /* j still fits: not maximal */
        if (s->count == s->max) {
            s->err = custos_error_set(
                CUSTOS_ETOOBIG, "more than %zu maximal activity sets within the budget", s->max);
            return;
        }
        if (s->count == s->cap) {
            size_t nc = s->cap ? s->cap * 2 : 64;
            uint64_t *p = custos_realloc(s->out, nc * sizeof *p);
            if (!p) {
                s->err = custos_error_nomem();
                return;
            }
            s->out = p;
            s->cap = nc;
        }
        s->out[s->count++] = mask;
        return;
    }
    if (sum + s->c[i] <= s->budget + s->tol)
        rec(s, i + 1, mask | (uint64_t)1 << i, sum + s->c[i]);
    /* Leaving i out is only right if it no longer fits at the end; the
     * most the set can still gain is every later item. */
    if (sum + s->suffix[i + 1] + s->c[i] > s->budget + s->tol)
        rec(s, i + 1, mask, sum);
}

int custos_game_maximal_sets(uint64_t **out, size_t *nsets, const double *c, size_t n,
                             double budget, size_t max)
{
    *out = NULL;
    *nsets = 0;
    if (n > 64)
        return custos_error_set(CUSTOS_ETOOBIG, "more than 64 inspection activities");
    if (!(budget >= 0) || !isfinite(budget))
        return custos_error_set(CUSTOS_EDOMAIN, "the budget must be a number >= 0");
    msets s;
    memset(&s, 0, sizeof s);
    s.c = c;
    s.n = n;
    s.budget = budget;
    s.tol = 1e-9 * (budget > 1 ? budget : 1);
    s.max = max ? max : CUSTOS_GAME_MAX_SETS;
    s.suffix = custos_calloc(n + 1, sizeof *s.suffix);
    if (!s.suffix)
        return custos_error_nomem();
    for (size_t i = n; i-- > 0;)
        s.suffix[i] = s.suffix[i + 1] + c[i];
    rec(&s, 0, 0, 0);
    custos_free(s.suffix);
    if (s.err < 0) {
        custos_free(s.out);
        return s.err;
    }
    if (s.count == 0) {
        /* Cannot happen (the empty set extends to a maximal one), but keep
         * the contract: an array of at least one element. */
        s.out = custos_calloc(1, sizeof *s.out);
        if (!s.out)
            return custos_error_nomem();
    }
    *out = s.out;
    *nsets = s.count;
    return CUSTOS_OK;
}

/* Index of activity name (with plant suffix) in g, or -1. */
static long act_find(const custos_game *g, const char *id)
{
    for (size_t i = 0; i < g->nactivities; i++)
        if (!strcmp(g->activities[i].id, id))
            return (long)i;
    return -1;
}

static int add_path(custos_game *g, size_t *cap, size_t apa_index, uint64_t acts, double length)
{
    if (g->npaths == CUSTOS_GAME_MAX_PATHS)
        return custos_error_set(CUSTOS_ETOOBIG, "more than %d paths in the game",
                                CUSTOS_GAME_MAX_PATHS);
    if (g->npaths == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        custos_game_path *p = custos_realloc(g->paths, nc * sizeof *p);
        if (!p)
            return custos_error_nomem();
        g->paths = p;
        *cap = nc;
    }
    custos_game_path *p = &g->paths[g->npaths++];
    p->apa_index = apa_index;
    p->activities = acts;
    p->length = length;
    p->d = 0;
    return CUSTOS_OK;
}

int custos_game_build(custos_game **out, const custos_state_model *m, const custos_apa_result *apa,
                      double budget, const custos_game_params *gp)
{
    *out = NULL;
    if (!(budget >= 0) || !isfinite(budget))
        return custos_error_set(CUSTOS_EDOMAIN, "the budget must be a number of person-days >= 0");
    custos_game *g = custos_calloc(1, sizeof *g);
    if (!g)
        return custos_error_nomem();
    int err = CUSTOS_OK;
    double *costs = NULL;
    g->budget = budget;
    g->params = gp ? *gp : m->game;
    g->activities = custos_calloc(CUSTOS_GAME_MAX_ACTIVITIES, sizeof *g->activities);
    if (!g->activities) {
        err = custos_error_nomem();
        goto done;
    }
    /* Activities on feasible paths, in the order of the model's edges. */
    for (size_t e = 0; e < m->nedges && err >= 0; e++) {
        bool used = false;
        for (size_t i = 0; i < apa->npaths && !used; i++) {
            if (!apa->paths[i].feasible)
                continue;
            for (size_t k = 0; k < apa->paths[i].nsteps && !used; k++)
                used = !strcmp(m->edges[apa->paths[i].edges[k]].activity, m->edges[e].activity);
        }
        if (!used)
            continue;
        const custos_state_edge *ed = &m->edges[e];
        for (int p = 1; p <= ed->plants; p++) {
            char id[96];
            if (ed->plants > 1)
                snprintf(id, sizeof id, "%s#%d", ed->activity, p);
            else
                snprintf(id, sizeof id, "%s", ed->activity);
            if (act_find(g, id) >= 0)
                continue;
            if (g->nactivities == CUSTOS_GAME_MAX_ACTIVITIES) {
                err = custos_error_set(CUSTOS_ETOOBIG, "more than %d inspection activities",
                                       CUSTOS_GAME_MAX_ACTIVITIES);
                break;
            }
            custos_game_activity *a = &g->activities[g->nactivities++];
            custos_strlcpy(a->id, id, sizeof a->id);
            a->type = ed->type;
            a->beta = ed->beta;
            a->alpha = ed->alpha;
            a->cost = ed->cost / ed->plants;
        }
    }
    if (err < 0)
        goto done;
    /* Paths, each expanded over the plants of its multi-plant activities. */
    size_t cap = 0;
    for (size_t i = 0; i < apa->npaths && err >= 0; i++) {
        const custos_apa_path *ap = &apa->paths[i];
        if (!ap->feasible)
            continue;
        /* Distinct multi-plant activities on the path: up to 8 varied. */
        const custos_state_edge *multi[8];
        size_t nmulti = 0;
        uint64_t base = 0;
        for (size_t k = 0; k < ap->nsteps; k++) {
            const custos_state_edge *ed = &m->edges[ap->edges[k]];
            if (ed->plants == 1) {
                base |= (uint64_t)1 << act_find(g, ed->activity);
                continue;
            }
            bool seen = false;
            for (size_t q = 0; q < nmulti; q++)
                seen |= !strcmp(multi[q]->activity, ed->activity);
            if (seen)
                continue;
            if (nmulti == 8) {
                err = custos_error_set(CUSTOS_ETOOBIG,
                                       "a path with more than 8 multi-plant activities");
                break;
            }
            multi[nmulti++] = ed;
        }
        if (err < 0)
            break;
        int choice[8] = {0};
        for (;;) {
            uint64_t acts = base;
            for (size_t q = 0; q < nmulti; q++) {
                char id[96];
                snprintf(id, sizeof id, "%s#%d", multi[q]->activity, choice[q] + 1);
                acts |= (uint64_t)1 << act_find(g, id);
            }
            if ((err = add_path(g, &cap, i, acts, ap->length)) < 0)
                break;
            size_t q = 0;
            while (q < nmulti && ++choice[q] == multi[q]->plants)
                choice[q++] = 0;
            if (q == nmulti)
                break;
        }
    }
    if (err < 0)
        goto done;
    if (g->npaths == 0) {
        err =
            custos_error_set(CUSTOS_EINVAL, "State %s has no feasible acquisition path", m->state);
        goto done;
    }
    double l1 = INFINITY;
    for (size_t j = 0; j < g->npaths; j++)
        l1 = fmin(l1, g->paths[j].length);
    for (size_t j = 0; j < g->npaths; j++)
        g->paths[j].d = 9 * l1 / g->paths[j].length;
    costs = custos_calloc(g->nactivities ? g->nactivities : 1, sizeof *costs);
    if (!costs) {
        err = custos_error_nomem();
        goto done;
    }
    for (size_t l = 0; l < g->nactivities; l++)
        costs[l] = g->activities[l].cost;
    if ((err = custos_game_maximal_sets(&g->sets, &g->nsets, costs, g->nactivities, budget,
                                        CUSTOS_GAME_MAX_SETS)) < 0)
        goto done;
    size_t cols = g->npaths + 1;
    g->h1 = custos_calloc(g->nsets * cols, sizeof *g->h1);
    g->h2 = custos_calloc(g->nsets * cols, sizeof *g->h2);
    if (!g->h1 || !g->h2) {
        err = custos_error_nomem();
        goto done;
    }
    const custos_game_params *p = &g->params;
    for (size_t s = 0; s < g->nsets; s++) {
        uint64_t K = g->sets[s];
        double legal_ok = 1;
        for (size_t l = 0; l < g->nactivities; l++)
            if (K >> l & 1u)
                legal_ok *= 1 - g->activities[l].alpha;
        g->h1[s * cols] = -p->e * (1 - legal_ok);
        g->h2[s * cols] = -p->f * (1 - legal_ok);
        for (size_t j = 0; j < g->npaths; j++) {
            double beta = 1, ok = 1;
            for (size_t l = 0; l < g->nactivities; l++) {
                if (!(K >> l & 1u))
                    continue;
                if (g->paths[j].activities >> l & 1u)
                    beta *= g->activities[l].beta;
                else
                    ok *= 1 - g->activities[l].alpha;
            }
            double alpha = 1 - ok;
            g->h1[s * cols + j + 1] = -p->c * beta - p->a * (1 - beta) - p->e * alpha;
            g->h2[s * cols + j + 1] = g->paths[j].d * beta - p->b * (1 - beta) - p->f * alpha;
        }
    }
done:
    custos_free(costs);
    if (err < 0) {
        custos_game_free(g);
        return err;
    }
    *out = g;
    return CUSTOS_OK;
}
