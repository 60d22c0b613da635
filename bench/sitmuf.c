/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/sitmuf.c: SITMUF by the incremental Cholesky factor up to
 * n = 10,000 balance periods.  Adding period t solves against the rows
 * already factored: O(t^2).  Printed at doubling t: the time of one step
 * (mean of 8 steps), that time over t^2 (constant when the growth is
 * quadratic), and beside it the reference: refactorising the whole
 * t x t covariance from scratch with LAPACK (dpotrf, O(t^3), OpenBLAS on
 * one thread), which a naive sequential test would pay every period.
 */
#include <lapacke.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "custos/stats.h"

void openblas_set_num_threads(int);

#define N 10000
#define G 3

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
    custos_global_init();
    openblas_set_num_threads(1);
    custos_sequence *s;
    if (custos_sequence_new(&s, N, G) < 0)
        return 1;
    for (size_t t = 0; t < N; t++) {
        s->rvar[t] = 50.0 + (double)(t % 7);
        s->rcov[t] = t ? -20.0 : 0.0;
        s->sys[t] = 3.0;
        s->sys[N + t] = (double)(t % 12) - 5.5;
        s->sys[2 * N + t] = t < N / 2 ? 1.0 : -1.0;
    }
    custos_cholesky c;
    if (custos_cholesky_init(&c, N) < 0)
        return 1;
    double *row = malloc((N + 1) * sizeof *row);
    static const size_t marks[] = {625, 1250, 2500, 5000, 10000};
    printf("bench/sitmuf: incremental Cholesky SITMUF to n = %d (%d systematic groups)\n", N, G);
    printf("%7s %14s %16s %10s %18s %10s\n", "t", "step (ms)", "step / t^2 (ns)", "x prev",
           "refactor t (ms)", "ratio");
    double prev = 0, start = now();
    size_t mi = 0;
    double acc = 0;
    for (size_t t = 0; t < N; t++) {
        custos_sequence_cov_row(s, t, row);
        double t0 = now();
        if (custos_cholesky_add(&c, row) < 0) {
            fprintf(stderr, "bench_sitmuf: %s\n", custos_last_error());
            return 1;
        }
        double dt = now() - t0;
        if (t + 8 >= marks[mi])
            acc += dt;
        if (t + 1 == marks[mi]) {
            double step = acc / 8.0;
            acc = 0;
            double ref = 0;
            size_t m = marks[mi];
            if (m <= 5000) {
                double *a = malloc(m * m * sizeof *a);
                for (size_t i = 0; i < m; i++) {
                    custos_sequence_cov_row(s, i, row);
                    memcpy(a + i * m, row, (i + 1) * sizeof *a);
                }
                double r0 = now();
                LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)m, a, (lapack_int)m);
                ref = now() - r0;
                free(a);
            }
            char rs[32] = "-", rr[32] = "-";
            if (ref > 0) {
                snprintf(rs, sizeof rs, "%.1f", ref * 1e3);
                snprintf(rr, sizeof rr, "%.0fx", ref / step);
            }
            char gr[32] = "-";
            if (prev > 0)
                snprintf(gr, sizeof gr, "%.2fx", step / prev);
            printf("%7zu %14.3f %16.3f %10s %18s %10s\n", m, step * 1e3,
                   step / ((double)m * (double)m) * 1e9, gr, rs, rr);
            fflush(stdout);
            prev = step;
            mi++;
            if (mi == sizeof marks / sizeof marks[0])
                break;
        }
    }
    size_t deg = 0;
    for (size_t t = 0; t < c.n; t++)
        deg += c.degenerate[t];
    printf("total %.1f s for %zu periods (%zu degenerate); doubling t costs 4x per step when the "
           "growth is O(t^2)\n",
           now() - start, c.n, deg);
    free(row);
    custos_cholesky_dispose(&c);
    custos_sequence_free(s);
    return 0;
}
