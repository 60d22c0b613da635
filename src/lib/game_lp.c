/* SPDX-License-Identifier: Apache-2.0 */
/*
 * game_lp.c: the value of a zero-sum matrix game by linear programming
 * with GLPK (custos/game.h).
 *
 * Row player (maximises):   max v  s.t.  sum_i x_i A_ij >= v  (every j),
 *                                        sum_i x_i = 1, x >= 0, v free.
 * Column player (minimises): min w  s.t.  sum_j A_ij y_j <= w  (every i),
 *                                        sum_j y_j = 1, y >= 0, w free.
 * Both are solved (rather than reading duals) so each strategy comes from
 * a primal solution GLPK reports as optimal.
 *
 * GLPK prints to stdout and calls abort() on an internal error unless
 * told otherwise.  Terminal output is switched off for every solve, and
 * an error hook returns control here through longjmp, after which GLPK's
 * environment is freed (its documented recovery, glp_error_hook); this
 * file is the only place custos uses longjmp.  GLPK is thread-safe per
 * thread in 5.0 (thread-local environment); its memory is its own, not
 * the custos seam.
 */
#include <glpk.h>
#include <math.h>
#include <setjmp.h>
#include <string.h>

#include "custos/game.h"
#include "stateint.h"

typedef struct hook_ctx {
    jmp_buf jb;
} hook_ctx;

static void on_glpk_error(void *info)
{
    hook_ctx *h = info;
    glp_free_env();
    longjmp(h->jb, 1);
}

/* One linear programme, laid out before GLPK is entered. */
typedef struct lpdata {
    size_t nz, nc; /* strategy variables, best-response constraints */
    bool maximise;
    int *ia, *ja; /* 1-based triplets, k of them */
    double *ar;
    size_t k;
    double *z;  /* out: the strategy */
    double val; /* out: the value */
    hook_ctx h;
} lpdata;

/* Everything GLPK does happens here; an internal GLPK error longjmps back
 * to the setjmp below with GLPK's environment already freed. */
static int run_glpk(lpdata *d)
{
    if (setjmp(d->h.jb)) {
        glp_error_hook(NULL, NULL);
        return custos_error_set(CUSTOS_EDOMAIN, "linear programme: GLPK internal error");
    }
    glp_error_hook(on_glpk_error, &d->h);
    glp_term_out(GLP_OFF);
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, d->maximise ? GLP_MAX : GLP_MIN);
    glp_add_rows(lp, (int)d->nc + 1);
    glp_add_cols(lp, (int)d->nz + 1);
    for (size_t c = 0; c < d->nc; c++)
        glp_set_row_bnds(lp, (int)c + 1, d->maximise ? GLP_LO : GLP_UP, 0, 0);
    glp_set_row_bnds(lp, (int)d->nc + 1, GLP_FX, 1, 1);
    for (size_t v = 0; v < d->nz; v++)
        glp_set_col_bnds(lp, (int)v + 1, GLP_LO, 0, 0);
    glp_set_col_bnds(lp, (int)d->nz + 1, GLP_FR, 0, 0);
    glp_set_obj_coef(lp, (int)d->nz + 1, 1);
    glp_load_matrix(lp, (int)d->k, d->ia, d->ja, d->ar);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_OFF;
    int rc = glp_simplex(lp, &parm), err = CUSTOS_OK;
    if (rc != 0 || glp_get_status(lp) != GLP_OPT) {
        err = custos_error_set(CUSTOS_EDOMAIN, "linear programme: no optimal solution (GLPK %d/%d)",
                               rc, glp_get_status(lp));
    } else {
        double s = 0;
        for (size_t v = 0; v < d->nz; v++) {
            d->z[v] = fmax(glp_get_col_prim(lp, (int)v + 1), 0);
            s += d->z[v];
        }
        for (size_t v = 0; v < d->nz && s > 0; v++)
            d->z[v] /= s;
        d->val = glp_get_obj_val(lp);
    }
    glp_delete_prob(lp);
    glp_error_hook(NULL, NULL);
    return err;
}

/* Solve one side.  maximise: the row player's LP over A (m x n); else the
 * column player's.  z receives the strategy, *val the value. */
static int solve_side(double *z, double *val, const double *A, size_t m, size_t n, bool maximise)
{
    lpdata d;
    memset(&d, 0, sizeof d);
    d.nz = maximise ? m : n;
    d.nc = maximise ? n : m;
    d.maximise = maximise;
    d.z = z;
    size_t cnt = d.nc * (d.nz + 1) + d.nz + 1;
    d.ia = custos_calloc(cnt + 1, sizeof *d.ia);
    d.ja = custos_calloc(cnt + 1, sizeof *d.ja);
    d.ar = custos_calloc(cnt + 1, sizeof *d.ar);
    int err = CUSTOS_OK;
    if (!d.ia || !d.ja || !d.ar) {
        err = custos_error_nomem();
        goto done;
    }
    size_t k = 0;
    for (size_t c = 0; c < d.nc; c++) {
        for (size_t v = 0; v < d.nz; v++) {
            k++;
            d.ia[k] = (int)c + 1;
            d.ja[k] = (int)v + 1;
            d.ar[k] = maximise ? A[v * n + c] : A[c * n + v];
        }
        k++;
        d.ia[k] = (int)c + 1;
        d.ja[k] = (int)d.nz + 1;
        d.ar[k] = -1;
    }
    for (size_t v = 0; v < d.nz; v++) {
        k++;
        d.ia[k] = (int)d.nc + 1;
        d.ja[k] = (int)v + 1;
        d.ar[k] = 1;
    }
    d.k = k;
    if ((err = run_glpk(&d)) >= 0)
        *val = d.val;
done:
    custos_free(d.ia);
    custos_free(d.ja);
    custos_free(d.ar);
    return err;
}

int custos_game_zero_sum(double *x, double *y, double *value, const double *A, size_t m, size_t n)
{
    if (m == 0 || n == 0)
        return custos_error_set(CUSTOS_EINVAL, "zero-sum game: empty matrix");
    if (m > 100000 || n > 100000 || m * n > 10000000)
        return custos_error_set(CUSTOS_ETOOBIG, "zero-sum game: matrix larger than 1e7 entries");
    for (size_t i = 0; i < m * n; i++)
        if (!isfinite(A[i]))
            return custos_error_set(CUSTOS_EDOMAIN, "zero-sum game: entries are not finite");
    double v1 = 0, v2 = 0;
    int err = solve_side(x, &v1, A, m, n, true);
    if (err >= 0)
        err = solve_side(y, &v2, A, m, n, false);
    if (err < 0)
        return err;
    /* Strong duality: the two values agree; a gap means a solver fault. */
    if (fabs(v1 - v2) > 1e-7 * fmax(1, fabs(v1)))
        return custos_error_set(CUSTOS_EDOMAIN, "zero-sum game: primal %g and dual %g disagree", v1,
                                v2);
    *value = (v1 + v2) / 2;
    return CUSTOS_OK;
}
