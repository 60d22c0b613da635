/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/game.h: the inspection game of acquisition path analysis
 * (Canty & Listner, Naval Research Logistics 63 (2016) 260-271; spec
 * shared/spec/state-level.md) and the solvers it needs.
 *
 * Players: the inspectorate (rows) chooses a maximal set K of inspection
 * activities whose costs fit the budget W; the State (columns) chooses
 * "legal" (column 0) or one acquisition path P_j.  With
 *
 *   beta(K, P)  = prod_{l in K and P} beta_l
 *   alpha(K, P) = 1 - prod_{l in K, not in P} (1 - alpha_l)
 *   d_j         = 9 L_1 / L_j        (L_j the path's length, L_1 shortest)
 *
 * the payoffs are, on a violation along P_j,
 *   inspectorate  -c beta - a (1 - beta) - e alpha
 *   State          d_j beta - b (1 - beta) - f alpha
 * and on legal behaviour -e alpha(K, {}) and -f alpha(K, {}).
 *
 * An edge of n identical plants becomes n parallel activities of cost w/n
 * (activity ids "id#1".."id#n"), and each path through it n paths.
 *
 * Solvers: Lemke-Howson (complementary pivoting with a lexicographic ratio
 * test, so degenerate games do not cycle), support enumeration (every
 * equilibrium of a nondegenerate game, for small games), and the
 * zero-sum value by linear programming (GLPK).
 */
#ifndef CUSTOS_GAME_H
#define CUSTOS_GAME_H

#include <stdbool.h>
#include <stdint.h>

#include "apa.h"
#include "state.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CUSTOS_GAME_MAX_ACTIVITIES 64
#define CUSTOS_GAME_MAX_SETS 20000
#define CUSTOS_GAME_MAX_PATHS 2000

typedef struct custos_game_activity {
    char id[CUSTOS_STATE_ID_MAX + 8];
    custos_activity_type type;
    double beta, alpha, cost;
} custos_game_activity;

typedef struct custos_game_path {
    size_t apa_index;      /* index into the custos_apa_result */
    uint64_t activities;   /* bit l: activity l lies on the path */
    double length;
    double d;              /* incentive 9 L_1 / L_j */
} custos_game_path;

typedef struct custos_game {
    double budget;
    custos_game_params params;
    size_t nactivities;
    custos_game_activity *activities;
    size_t npaths;
    custos_game_path *paths;
    size_t nsets;
    uint64_t *sets;        /* maximal activity sets: bit l = activity l */
    /* Payoffs, row-major nsets x (npaths + 1); column 0 is "legal". */
    double *h1;            /* inspectorate */
    double *h2;            /* State */
} custos_game;

/*
 * Build the game of model m for budget W over the feasible paths of apa
 * (at most CUSTOS_GAME_MAX_PATHS after the plant expansion), with payoff
 * parameters gp (NULL: the model's).  Caller frees with
 * custos_game_free().  Returns CUSTOS_OK, CUSTOS_EINVAL (no feasible
 * path), CUSTOS_ETOOBIG (more than 64 activities or too many maximal
 * sets or paths), CUSTOS_EDOMAIN (W < 0), CUSTOS_ENOMEM.
 * O(2^activities) in the worst case, bounded by CUSTOS_GAME_MAX_SETS.
 */
CUSTOS_API int custos_game_build(custos_game **out, const custos_state_model *m,
                                 const custos_apa_result *apa, double budget,
                                 const custos_game_params *gp);
CUSTOS_API void custos_game_free(custos_game *g);

/* Maximal sets of items with costs c[0..n) (n <= 64) whose sum is <= W:
 * sets to which no further item fits.  *out (bit masks) is freed by the
 * caller with custos_free(); CUSTOS_ETOOBIG past max sets. */
CUSTOS_API int custos_game_maximal_sets(uint64_t **out, size_t *nsets, const double *c, size_t n,
                                        double budget, size_t max);

/* One Nash equilibrium of the bimatrix game (A, B), m x n row-major, A
 * the row player's payoffs. */
typedef struct custos_equilibrium {
    double *x;            /* m, row player's mixed strategy */
    double *y;            /* n, column player's */
    double u, v;          /* expected payoffs of row and column player */
    size_t support_x, support_y;
} custos_equilibrium;

CUSTOS_API void custos_equilibrium_dispose(custos_equilibrium *e);

/*
 * Lemke-Howson from the artificial equilibrium, dropping label k (0 ..
 * m+n-1; k < m a row strategy).  *degenerate is set when the game is
 * found degenerate: a pure strategy has two pure best responses, a tie
 * in the ratio test was met, or the equilibrium has more best responses
 * than its support.  (Not every degenerate game is caught: that would
 * take a search over all supports.)  Caller disposes out.  Returns
 * CUSTOS_OK, CUSTOS_EDOMAIN (non-finite payoffs or no convergence),
 * CUSTOS_ENOMEM.  Each pivot O(m n); pivots bounded by 100 (m + n)^2.
 */
CUSTOS_API int custos_game_lemke_howson(custos_equilibrium *out, bool *degenerate,
                                        const double *A, const double *B, size_t m, size_t n,
                                        size_t k);

/*
 * Every equilibrium with supports of equal size (all equilibria of a
 * nondegenerate game) by support enumeration, at most max_pairs support
 * pairs (else CUSTOS_ETOOBIG before any work).  *out is an array of *neq
 * equilibria; caller disposes each and frees the array with custos_free().
 * *degenerate is set when a pure strategy has two pure best responses,
 * some equilibrium has more best responses than its support size, or a
 * support's solution has a zero weight.  O(sum_k C(m,k) C(n,k) k^3).
 */
CUSTOS_API int custos_game_support_enumeration(custos_equilibrium **out, size_t *neq,
                                               bool *degenerate, const double *A,
                                               const double *B, size_t m, size_t n,
                                               uint64_t max_pairs);

/* Number of support pairs of equal size of an m x n game, saturating at
 * UINT64_MAX. */
CUSTOS_API uint64_t custos_game_support_pairs(size_t m, size_t n);

/*
 * The value and optimal strategies of the zero-sum game A (m x n,
 * row-major, the row player maximises) by two linear programmes solved
 * with GLPK (simplex, messages off, errors caught: never prints or
 * aborts).  x (m) and y (n) are caller arrays.  Returns CUSTOS_OK,
 * CUSTOS_EDOMAIN (non-finite entries or the solver failed), CUSTOS_EINVAL
 * (m or n is 0).
 */
CUSTOS_API int custos_game_zero_sum(double *x, double *y, double *value, const double *A, size_t m,
                                    size_t n);

#ifdef __cplusplus
}
#endif
#endif
