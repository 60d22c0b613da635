/* SPDX-License-Identifier: Apache-2.0 */
/*
 * game_nash.c: Nash equilibria of bimatrix games (custos/game.h) by
 * Lemke-Howson and by support enumeration.
 *
 * Lemke-Howson follows the tableau form of von Stengel ("Computing
 * equilibria for two-person games", Handbook of Game Theory 3, 2002):
 * with payoffs shifted to be positive, P = {x >= 0 : B^T x <= 1} and
 * Q = {y >= 0 : A y <= 1}; labels 0..m-1 are the row strategies (x_i, or
 * the slack r_i of row i in Q), m..m+n-1 the columns (the slack s_j in P,
 * or y_j).  From (0, 0), label k is dropped by bringing its variable into
 * the basis; the variable that leaves has a label now held twice, and its
 * twin in the other tableau enters next, until label k leaves.  The ratio
 * test is lexicographic over (rhs, columns of the initial basis), which
 * keeps the path finite in degenerate games.
 *
 * Support enumeration solves, for every pair of supports I, J of equal
 * size k, the indifference systems A_I y_J = u, sum y = 1 and
 * x_I^T B_J = v, sum x = 1, and keeps the solutions that are
 * nonnegative and best responses.  Tolerances are relative to the payoff
 * scale (1e-9).
 */
#include <math.h>
#include <string.h>

#include "custos/game.h"
#include "stateint.h"

void custos_equilibrium_dispose(custos_equilibrium *e)
{
    if (!e)
        return;
    custos_free(e->x);
    custos_free(e->y);
    e->x = e->y = NULL;
}

typedef struct tableau {
    size_t rows, cols; /* cols = m + n + 1 (rhs last) */
    double *t;
    size_t *basis;     /* label of each row's basic variable */
    size_t first_slack; /* initial basis: labels first_slack .. + rows */
} tableau;

#define T(tb, r, c) ((tb)->t[(r) * (tb)->cols + (c)])

/* Lexicographic minimum ratio test for entering column e: the leaving
 * row, or rows when no entry is positive (unbounded). */
static size_t ratio_test(const tableau *tb, size_t e, bool *tie)
{
    size_t best = tb->rows;
    const double eps = 1e-12;
    size_t rhs = tb->cols - 1;
    for (size_t r = 0; r < tb->rows; r++) {
        double a = T(tb, r, e);
        if (a <= eps)
            continue;
        if (best == tb->rows) {
            best = r;
            continue;
        }
        double ab = T(tb, best, e);
        double q1 = T(tb, r, rhs) / a, q2 = T(tb, best, rhs) / ab;
        double scale = fmax(fabs(q1), fabs(q2));
        if (fabs(q1 - q2) > 1e-11 * fmax(scale, 1)) {
            if (q1 < q2)
                best = r;
            continue;
        }
        *tie = true;
        for (size_t c = tb->first_slack; c < tb->first_slack + tb->rows; c++) {
            double l1 = T(tb, r, c) / a, l2 = T(tb, best, c) / ab;
            if (fabs(l1 - l2) > 1e-14 * fmax(fmax(fabs(l1), fabs(l2)), 1)) {
                if (l1 < l2)
                    best = r;
                break;
            }
        }
    }
    return best;
}

static void pivot(tableau *tb, size_t r, size_t e)
{
    double a = T(tb, r, e);
    for (size_t c = 0; c < tb->cols; c++)
        T(tb, r, c) /= a;
    for (size_t i = 0; i < tb->rows; i++) {
        if (i == r)
            continue;
        double f = T(tb, i, e);
        if (f == 0)
            continue;
        for (size_t c = 0; c < tb->cols; c++)
            T(tb, i, c) -= f * T(tb, r, c);
        T(tb, i, e) = 0;
    }
    tb->basis[r] = e;
}

static bool finite_all(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

/* u = x^T A y and v = x^T B y, supports counted with tolerance. */
static void finish(custos_equilibrium *q, const double *A, const double *B, size_t m, size_t n)
{
    q->u = q->v = 0;
    q->support_x = q->support_y = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            q->u += q->x[i] * A[i * n + j] * q->y[j];
            q->v += q->x[i] * B[i * n + j] * q->y[j];
        }
    for (size_t i = 0; i < m; i++)
        q->support_x += q->x[i] > 1e-12;
    for (size_t j = 0; j < n; j++)
        q->support_y += q->y[j] > 1e-12;
}

/* More pure best responses than support: the game is degenerate. */
static bool more_best_responses(const custos_equilibrium *q, const double *A, const double *B,
                                size_t m, size_t n, double tol)
{
    size_t bx = 0, by = 0;
    for (size_t i = 0; i < m; i++) {
        double s = 0;
        for (size_t j = 0; j < n; j++)
            s += A[i * n + j] * q->y[j];
        bx += s >= q->u - tol;
    }
    for (size_t j = 0; j < n; j++) {
        double s = 0;
        for (size_t i = 0; i < m; i++)
            s += q->x[i] * B[i * n + j];
        by += s >= q->v - tol;
    }
    return bx > q->support_y || by > q->support_x;
}

/* A pure strategy with two or more pure best responses: the game is
 * degenerate (von Stengel's definition at support size 1). */
static bool pure_ties(const double *A, const double *B, size_t m, size_t n, double tol)
{
    for (size_t j = 0; j < n; j++) {
        double best = -INFINITY;
        size_t cnt = 0;
        for (size_t i = 0; i < m; i++)
            best = fmax(best, A[i * n + j]);
        for (size_t i = 0; i < m; i++)
            cnt += A[i * n + j] >= best - tol;
        if (cnt > 1)
            return true;
    }
    for (size_t i = 0; i < m; i++) {
        double best = -INFINITY;
        size_t cnt = 0;
        for (size_t j = 0; j < n; j++)
            best = fmax(best, B[i * n + j]);
        for (size_t j = 0; j < n; j++)
            cnt += B[i * n + j] >= best - tol;
        if (cnt > 1)
            return true;
    }
    return false;
}

static double scale_of(const double *A, const double *B, size_t cnt)
{
    double s = 1;
    for (size_t i = 0; i < cnt; i++)
        s = fmax(s, fmax(fabs(A[i]), fabs(B[i])));
    return s;
}

int custos_game_lemke_howson(custos_equilibrium *out, bool *degenerate, const double *A,
                             const double *B, size_t m, size_t n, size_t k)
{
    memset(out, 0, sizeof *out);
    *degenerate = false;
    if (m == 0 || n == 0 || k >= m + n)
        return custos_error_set(CUSTOS_EINVAL, "Lemke-Howson: empty game or label out of range");
    if (!finite_all(A, m * n) || !finite_all(B, m * n))
        return custos_error_set(CUSTOS_EDOMAIN, "Lemke-Howson: payoffs are not finite");
    tableau P = {n, m + n + 1, NULL, NULL, m}, Q = {m, m + n + 1, NULL, NULL, 0};
    int err = CUSTOS_OK;
    double *x = NULL, *y = NULL;
    P.t = custos_calloc(P.rows * P.cols, sizeof *P.t);
    Q.t = custos_calloc(Q.rows * Q.cols, sizeof *Q.t);
    P.basis = custos_calloc(n, sizeof *P.basis);
    Q.basis = custos_calloc(m, sizeof *Q.basis);
    x = custos_calloc(m, sizeof *x);
    y = custos_calloc(n, sizeof *y);
    if (!P.t || !Q.t || !P.basis || !Q.basis || !x || !y) {
        err = custos_error_nomem();
        goto done;
    }
    double amin = INFINITY, bmin = INFINITY;
    for (size_t i = 0; i < m * n; i++) {
        amin = fmin(amin, A[i]);
        bmin = fmin(bmin, B[i]);
    }
    /* Shift so every payoff is at least 1; equilibria do not change. */
    for (size_t j = 0; j < n; j++) {
        for (size_t i = 0; i < m; i++)
            T(&P, j, i) = B[i * n + j] - bmin + 1;
        T(&P, j, m + j) = 1;
        T(&P, j, m + n) = 1;
        P.basis[j] = m + j;
    }
    for (size_t i = 0; i < m; i++) {
        T(&Q, i, i) = 1;
        for (size_t j = 0; j < n; j++)
            T(&Q, i, m + j) = A[i * n + j] - amin + 1;
        T(&Q, i, m + n) = 1;
        Q.basis[i] = i;
    }
    size_t entering = k;
    tableau *tb = k < m ? &P : &Q;
    size_t limit = 100 * (m + n) * (m + n) + 100;
    for (size_t step = 0;; step++) {
        if (step == limit) {
            err = custos_error_set(CUSTOS_EDOMAIN, "Lemke-Howson: no convergence in %zu pivots",
                                   limit);
            goto done;
        }
        size_t r = ratio_test(tb, entering, degenerate);
        if (r == tb->rows) {
            err = custos_error_set(CUSTOS_EDOMAIN, "Lemke-Howson: unbounded ray (bad payoffs)");
            goto done;
        }
        size_t leaving = tb->basis[r];
        pivot(tb, r, entering);
        if (leaving == k)
            break;
        entering = leaving;
        tb = tb == &P ? &Q : &P;
    }
    double sx = 0, sy = 0;
    for (size_t r = 0; r < P.rows; r++)
        if (P.basis[r] < m)
            sx += x[P.basis[r]] = fmax(T(&P, r, m + n), 0);
    for (size_t r = 0; r < Q.rows; r++)
        if (Q.basis[r] >= m)
            sy += y[Q.basis[r] - m] = fmax(T(&Q, r, m + n), 0);
    if (!(sx > 0) || !(sy > 0)) {
        err = custos_error_set(CUSTOS_EDOMAIN, "Lemke-Howson: ended off an equilibrium");
        goto done;
    }
    for (size_t i = 0; i < m; i++)
        x[i] /= sx;
    for (size_t j = 0; j < n; j++)
        y[j] /= sy;
    out->x = x;
    out->y = y;
    x = y = NULL;
    finish(out, A, B, m, n);
    double tol = 1e-9 * scale_of(A, B, m * n);
    if (more_best_responses(out, A, B, m, n, tol) || pure_ties(A, B, m, n, tol))
        *degenerate = true;
done:
    custos_free(P.t);
    custos_free(Q.t);
    custos_free(P.basis);
    custos_free(Q.basis);
    custos_free(x);
    custos_free(y);
    return err;
}

uint64_t custos_game_support_pairs(size_t m, size_t n)
{
    /* sum_k C(m,k) C(n,k), saturating. */
    uint64_t total = 0;
    size_t kmax = m < n ? m : n;
    double cm = 1, cn = 1; /* C(m,k), C(n,k) as doubles (exact below 2^53) */
    for (size_t k = 1; k <= kmax; k++) {
        cm = cm * (double)(m - k + 1) / (double)k;
        cn = cn * (double)(n - k + 1) / (double)k;
        double t = cm * cn;
        if (t >= 1.8e19 || (double)total + t >= 1.8e19)
            return UINT64_MAX;
        total += (uint64_t)llround(t);
    }
    return total;
}

/* Solve M z = b (size s, row-major, destroyed) by Gaussian elimination
 * with partial pivoting; false when singular. */
static bool solve(double *M, double *b, size_t s, double tol)
{
    for (size_t c = 0; c < s; c++) {
        size_t p = c;
        for (size_t r = c + 1; r < s; r++)
            if (fabs(M[r * s + c]) > fabs(M[p * s + c]))
                p = r;
        if (fabs(M[p * s + c]) <= tol)
            return false;
        if (p != c) {
            for (size_t k = 0; k < s; k++) {
                double t = M[c * s + k];
                M[c * s + k] = M[p * s + k];
                M[p * s + k] = t;
            }
            double t = b[c];
            b[c] = b[p];
            b[p] = t;
        }
        for (size_t r = c + 1; r < s; r++) {
            double f = M[r * s + c] / M[c * s + c];
            if (f == 0)
                continue;
            for (size_t k = c; k < s; k++)
                M[r * s + k] -= f * M[c * s + k];
            b[r] -= f * b[c];
        }
    }
    for (size_t c = s; c-- > 0;) {
        double v = b[c];
        for (size_t k = c + 1; k < s; k++)
            v -= M[c * s + k] * b[k];
        b[c] = v / M[c * s + c];
    }
    return true;
}

typedef struct senum {
    const double *A, *B;
    size_t m, n;
    double tol;
    size_t *I, *J;
    double *M, *b;
    custos_equilibrium *eq;
    size_t neq, cap;
    bool degenerate;
    int err;
} senum;

/* Mixed strategy of the player whose support is S (size k) that makes
 * the other player (strategies T) indifferent: writes into full (length
 * len), returns false if no nonnegative solution.  byrow: the unknowns
 * are x over rows I making columns J indifferent under B. */
static bool indifferent(senum *s, bool byrow, size_t k, double *full, double *value)
{
    size_t dim = k + 1;
    double *M = s->M, *b = s->b;
    const size_t *S = byrow ? s->I : s->J, *O = byrow ? s->J : s->I;
    /* Equations: for each t in O: sum_{u in S} pay(u, t) z_u - w = 0;
     * sum z = 1.  Unknowns z_S, w. */
    for (size_t r = 0; r < k; r++) {
        for (size_t c = 0; c < k; c++)
            M[r * dim + c] = byrow ? s->B[S[c] * s->n + O[r]] : s->A[O[r] * s->n + S[c]];
        M[r * dim + k] = -1;
        b[r] = 0;
    }
    for (size_t c = 0; c < k; c++)
        M[k * dim + c] = 1;
    M[k * dim + k] = 0;
    b[k] = 1;
    if (!solve(M, b, dim, 1e-13 * s->tol)) {
        return false;
    }
    size_t len = byrow ? s->m : s->n;
    memset(full, 0, len * sizeof *full);
    for (size_t c = 0; c < k; c++) {
        if (b[c] < -1e-9)
            return false;
        full[S[c]] = fmax(b[c], 0);
    }
    *value = b[k];
    return true;
}

static void try_pair(senum *s, size_t k)
{
    double *x = custos_calloc(s->m, sizeof *x), *y = custos_calloc(s->n, sizeof *y);
    if (!x || !y) {
        s->err = custos_error_nomem();
        goto fail;
    }
    double u, v;
    if (!indifferent(s, true, k, x, &v) || !indifferent(s, false, k, y, &u))
        goto fail;
    /* Best responses: nothing outside the support pays more. */
    double tol = 1e-9 * s->tol;
    for (size_t i = 0; i < s->m; i++) {
        double t = 0;
        for (size_t j = 0; j < s->n; j++)
            t += s->A[i * s->n + j] * y[j];
        if (t > u + tol)
            goto fail;
    }
    for (size_t j = 0; j < s->n; j++) {
        double t = 0;
        for (size_t i = 0; i < s->m; i++)
            t += x[i] * s->B[i * s->n + j];
        if (t > v + tol)
            goto fail;
    }
    /* A support entry at zero means a smaller support already gives this
     * point: keep it once (and the game is degenerate). */
    for (size_t c = 0; c < k; c++)
        if (x[s->I[c]] <= 1e-12 || y[s->J[c]] <= 1e-12) {
            s->degenerate = true;
            goto fail;
        }
    if (s->neq == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 8;
        custos_equilibrium *p = custos_realloc(s->eq, nc * sizeof *p);
        if (!p) {
            s->err = custos_error_nomem();
            goto fail;
        }
        s->eq = p;
        s->cap = nc;
    }
    custos_equilibrium *q = &s->eq[s->neq++];
    q->x = x;
    q->y = y;
    finish(q, s->A, s->B, s->m, s->n);
    if (more_best_responses(q, s->A, s->B, s->m, s->n, tol))
        s->degenerate = true;
    return;
fail:
    custos_free(x);
    custos_free(y);
}

/* Next k-subset of {0..n-1} in lexicographic order; false after the last. */
static bool next_subset(size_t *S, size_t k, size_t n)
{
    size_t i = k;
    while (i-- > 0) {
        if (S[i] < n - k + i) {
            S[i]++;
            for (size_t j = i + 1; j < k; j++)
                S[j] = S[j - 1] + 1;
            return true;
        }
    }
    return false;
}

int custos_game_support_enumeration(custos_equilibrium **out, size_t *neq, bool *degenerate,
                                    const double *A, const double *B, size_t m, size_t n,
                                    uint64_t max_pairs)
{
    *out = NULL;
    *neq = 0;
    *degenerate = false;
    if (m == 0 || n == 0)
        return custos_error_set(CUSTOS_EINVAL, "support enumeration: empty game");
    if (!finite_all(A, m * n) || !finite_all(B, m * n))
        return custos_error_set(CUSTOS_EDOMAIN, "support enumeration: payoffs are not finite");
    uint64_t pairs = custos_game_support_pairs(m, n);
    if (pairs > max_pairs)
        return custos_error_set(CUSTOS_ETOOBIG,
                                "support enumeration: %llu support pairs, limit %llu",
                                (unsigned long long)pairs, (unsigned long long)max_pairs);
    senum s;
    memset(&s, 0, sizeof s);
    s.A = A;
    s.B = B;
    s.m = m;
    s.n = n;
    s.tol = scale_of(A, B, m * n);
    size_t kmax = m < n ? m : n;
    s.I = custos_calloc(kmax, sizeof *s.I);
    s.J = custos_calloc(kmax, sizeof *s.J);
    s.M = custos_calloc((kmax + 1) * (kmax + 1), sizeof *s.M);
    s.b = custos_calloc(kmax + 1, sizeof *s.b);
    if (!s.I || !s.J || !s.M || !s.b) {
        s.err = custos_error_nomem();
        goto done;
    }
    for (size_t k = 1; k <= kmax && s.err >= 0; k++) {
        for (size_t i = 0; i < k; i++)
            s.I[i] = i;
        do {
            for (size_t j = 0; j < k; j++)
                s.J[j] = j;
            do {
                try_pair(&s, k);
            } while (s.err >= 0 && next_subset(s.J, k, n));
        } while (s.err >= 0 && next_subset(s.I, k, m));
    }
done:
    custos_free(s.I);
    custos_free(s.J);
    custos_free(s.M);
    custos_free(s.b);
    if (s.err < 0) {
        for (size_t i = 0; i < s.neq; i++)
            custos_equilibrium_dispose(&s.eq[i]);
        custos_free(s.eq);
        return s.err;
    }
    *out = s.eq;
    *neq = s.neq;
    *degenerate = s.degenerate || pure_ties(A, B, m, n, 1e-9 * s.tol);
    return CUSTOS_OK;
}
