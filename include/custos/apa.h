/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/apa.h: acquisition path analysis on a State model.
 *
 * A path starts at a node holding material (the ledger's book inventory
 * of the node's stock MBAs, plus an assumed stock for undeclared
 * sources), follows edges (illegal activities) without visiting a node
 * twice, and ends at the first end node (weapon-usable metal) it reaches.
 * For each path (shared/spec/state-level.md):
 *
 *   SQ at the start  = start kg / SQ of the start material
 *   SQ at the end    = start kg x prod(yield_i) / SQ of the end material;
 *                      the path is feasible when this is >= 1
 *   time             = sum over steps of (duration_i + need_i / throughput_i)
 *                      + the end form's conversion time (minimum), where
 *                      need_i is the input that step i must process for
 *                      1 SQ at the end: SQ_end kg / prod_{k >= i} yield_k
 *   P (detection)    = 1 - prod (1 - p_m) over every measure on every step
 *   P (timely)       = the same over measures whose detection time is
 *                      within the start material's timeliness goal
 *   covered          = P (timely) >= the model's detection goal
 *   difficulty       = the hardest step's (1-5); length = sum of weights
 *
 * Paths are ranked weakest first: lowest P, then shortest time, then
 * lowest difficulty, then shortest length, then by edge ids.
 */
#ifndef CUSTOS_APA_H
#define CUSTOS_APA_H

#include "state.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct custos_apa_options {
    size_t max_length;  /* steps per path; 0 = 12 */
    size_t max_paths;   /* simple paths examined before stopping; 0 = 100000;
                           the search also stops after max_paths x
                           max_length x 64 edge expansions (truncated) */
    size_t top;         /* keep the best top feasible paths; 0 = all */
    bool infeasible;    /* also keep infeasible paths (after the feasible) */
} custos_apa_options;

typedef struct custos_apa_path {
    size_t nsteps;
    size_t *edges;     /* edge indices in order; owned by the result */
    size_t start, end; /* node indices */
    double start_kg;   /* SQ basis held at the start node */
    double start_sq;
    double end_sq;
    bool feasible;
    double time_days;
    double p_detect;
    double p_timely;
    int timeliness_days; /* goal of the start material */
    bool covered;
    int difficulty;
    double length;
    bool undeclared; /* at least one undeclared step */
    int rank;        /* 1 = weakest */
} custos_apa_path;

typedef struct custos_apa_result {
    size_t npaths;
    custos_apa_path *paths; /* ranked; feasible first */
    size_t examined;        /* simple paths reaching an end node */
    size_t feasible;        /* of them feasible */
    bool truncated;         /* max_paths stopped the search */
    size_t nnodes;
    double *node_kg; /* SQ basis held at each node (start stock) */
    double *node_sq; /* the same in SQ of the node's material */
} custos_apa_result;

/*
 * Enumerate and rank the acquisition paths of model m, with the stock
 * links of its nodes resolved against holdings h (n of them, from
 * custos_ledger_holdings(); may be NULL when n is 0).  opt may be NULL.
 * Caller frees with custos_apa_result_free().  Returns CUSTOS_OK (possibly
 * no path), CUSTOS_ENOMEM, CUSTOS_EDOMAIN (the graph library failed).
 * Complexity: O(examined paths x max_length), bounded by max_paths and
 * by max_paths x max_length x 64 steps of the search.
 */
CUSTOS_API int custos_apa_run(custos_apa_result **out, const custos_state_model *m,
                              const custos_holding *h, size_t n, const custos_apa_options *opt);
CUSTOS_API void custos_apa_result_free(custos_apa_result *r);

/* A layered drawing of the acquisition network: node positions and, for
 * edges spanning several layers, the bend points that route them around
 * the nodes in between.  Coordinates in [0, 1]; layers run along x. */
typedef struct custos_graph_layout {
    size_t nnodes, nedges;
    double *x, *y;   /* nnodes */
    size_t *bend;    /* nedges + 1: edge e bends at points bend[e] .. bend[e+1]-1 */
    double *bx, *by; /* bend points, from the edge's source to its target */
} custos_graph_layout;

/*
 * The Sugiyama layout of igraph for model m: layers by longest path from
 * the sources, end nodes (weapon-usable metal) in the last layer, long
 * edges routed through igraph's dummy vertices.  Caller frees with
 * custos_graph_layout_free().  Returns CUSTOS_OK, CUSTOS_ENOMEM,
 * CUSTOS_EDOMAIN (the graph library failed).  igraph calls are
 * serialised (Debian builds it without thread safety).
 */
CUSTOS_API int custos_apa_layout(custos_graph_layout **out, const custos_state_model *m);
CUSTOS_API void custos_graph_layout_free(custos_graph_layout *g);

#ifdef __cplusplus
}
#endif
#endif
