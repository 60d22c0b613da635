/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/pd.c: the detection probability of a protracted diversion over
 * n = 100 balance periods by Monte Carlo, 10^6 replicates: custos on one
 * thread and on two, against the same computation written in vectorised
 * NumPy (bench/pd_numpy.py, one BLAS thread) in the same run.  Prints
 * replicate-periods per second of each, their ratio per core, the alarm
 * rates of both (they must agree within their standard errors), and the
 * fraction of the core's floating-point peak custos reaches, the peak
 * measured here with a dense matrix product (OpenBLAS dgemm, one thread).
 *
 * The facility: a monthly inventory of 40 t of uranium (0.05% random),
 * flows of 30 t in and out (0.1% and 0.15%), four systematic groups
 * (balance recalibrated once, titration, NDA of the outputs); a protracted
 * diversion of 1.5 t spread over the 100 periods (15 kg a period against
 * a sigma-MUF of 64 kg).
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "custos/stats.h"

void openblas_set_num_threads(int);

#define N 100
#define G 4
#define REPS 1000000L

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double peak_gflops(void)
{
    const int m = 1024;
    double *a = malloc((size_t)m * m * sizeof *a), *b = malloc((size_t)m * m * sizeof *b),
           *c = malloc((size_t)m * m * sizeof *c);
    for (int i = 0; i < m * m; i++) {
        a[i] = 1.0 + (double)(i % 7) * 1e-3;
        b[i] = 1.0 - (double)(i % 5) * 1e-3;
    }
    openblas_set_num_threads(1);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, m, m, 1.0, a, m, b, m, 0.0, c, m);
    double best = 0;
    for (int r = 0; r < 3; r++) {
        double t0 = now();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, m, m, 1.0, a, m, b, m, 0.0, c,
                    m);
        double g = 2.0 * m * (double)m * m / (now() - t0) / 1e9;
        if (g > best)
            best = g;
    }
    free(a);
    free(b);
    free(c);
    return best;
}

int main(void)
{
    custos_global_init();
    custos_sequence *s;
    if (custos_sequence_new(&s, N, G) < 0)
        return 1;
    double inv = 40e6, flow = 30e6;
    for (int t = 0; t < N; t++) {
        double vin = (inv * 0.0005) * (inv * 0.0005);
        s->rvar[t] = 2 * vin + pow(flow * 0.001, 2) + pow(flow * 0.0015, 2);
        s->rcov[t] = t ? -vin : 0.0;
        /* Balance (two calibrations: inventory changes, inputs); titration
         * of inputs and inventory; NDA of outputs. */
        s->sys[0 * N + t] = t < 50 ? 0.0005 * flow : 0.0;
        s->sys[1 * N + t] = t >= 50 ? 0.0005 * flow : 0.0;
        s->sys[2 * N + t] = 0.001 * (flow + (t == 0 ? inv : 0.0) - (t == N - 1 ? inv : 0.0));
        s->sys[3 * N + t] = -0.002 * flow;
    }
    double *mu = malloc(N * sizeof *mu);
    for (int t = 0; t < N; t++)
        mu[t] = 1.5e6 / N;
    custos_pd_result r;
    custos_pd_options o = {{0.05, 0.5, 0.0}, 1000, 1, 1, NULL, NULL};
    if (custos_pd(&r, s, mu, &o) < 0) {
        fprintf(stderr, "bench_pd: %s\n", custos_last_error());
        return 1;
    }
    custos_nrta_options no = {0.05, 0.5, r.h};
    double peak = peak_gflops();
    long al1[2][CUSTOS_PD_NTESTS], al2[2][CUSTOS_PD_NTESTS];
    custos_pd_simulate(al1, s, mu, &no, 20000, 9, 1); /* warm up */
    double t0 = now();
    if (custos_pd_simulate(al1, s, mu, &no, REPS, 1, 1) < 0)
        return 1;
    double t1 = now() - t0;
    t0 = now();
    if (custos_pd_simulate(al2, s, mu, &no, REPS, 1, 2) < 0)
        return 1;
    double t2 = now() - t0;
    if (memcmp(al1, al2, sizeof al1)) {
        fprintf(stderr, "bench_pd: 1 and 2 threads disagree\n");
        return 1;
    }
    /* The problem for NumPy: the sequence, the diversion and the
     * thresholds custos uses. */
    char path[] = "/tmp/custos-bench-pd-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        return 1;
    double *delta = malloc(N * sizeof *delta);
    /* delta = L^-1 mu: SITMUF of the diversion alone. */
    {
        custos_sequence *q;
        custos_sequence_new(&q, N, G);
        memcpy(q->rvar, s->rvar, N * sizeof(double));
        memcpy(q->rcov, s->rcov, N * sizeof(double));
        memcpy(q->sys, s->sys, N * G * sizeof(double));
        memcpy(q->muf, mu, N * sizeof(double));
        custos_nrta_result *nr;
        custos_nrta_run(&nr, q, &no);
        for (int t = 0; t < N; t++)
            delta[t] = nr->periods[t].sitmuf;
        custos_nrta_result_free(nr);
        custos_sequence_free(q);
    }
    fprintf(f, "{\"muf\": [");
    for (int t = 0; t < N; t++)
        fprintf(f, "%s0", t ? "," : "");
    fprintf(f, "], \"random_variance\": [");
    for (int t = 0; t < N; t++)
        fprintf(f, "%s%.17g", t ? "," : "", s->rvar[t]);
    fprintf(f, "], \"random_covariance\": [");
    for (int t = 0; t < N; t++)
        fprintf(f, "%s%.17g", t ? "," : "", s->rcov[t]);
    fprintf(f, "], \"systematic\": [");
    for (int i = 0; i < N * G; i++)
        fprintf(f, "%s%.17g", i ? "," : "", s->sys[i]);
    fprintf(f, "], \"diversion\": [");
    for (int t = 0; t < N; t++)
        fprintf(f, "%s%.17g", t ? "," : "", mu[t]);
    fprintf(f, "], \"delta\": [");
    for (int t = 0; t < N; t++)
        fprintf(f, "%s%.17g", t ? "," : "", delta[t]);
    fprintf(f, "], \"thr_gemuf\": [");
    for (int t = 0; t < N; t++)
        fprintf(f, "%s%.17g", t ? "," : "", custos_chi2_isf(0.05, t + 1.0));
    fprintf(f, "], \"z\": %.17g, \"k\": 0.5, \"h\": %.17g}\n", custos_normal_quantile(0.95), r.h);
    fclose(f);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "OPENBLAS_NUM_THREADS=1 %s %s %s %ld", CUSTOS_PYTHON3,
             CUSTOS_PD_NUMPY, path, REPS);
    printf("bench/pd: PD of a protracted diversion (1.5 t over n = %d periods, %d systematic "
           "groups), %ld replicates\n",
           N, G, REPS);
    fflush(stdout);
    FILE *p = popen(cmd, "r");
    char out[4096] = "";
    size_t got = p ? fread(out, 1, sizeof out - 1, p) : 0;
    out[got] = '\0';
    if (p)
        pclose(p);
    unlink(path);
    double np_rate = 0, np_sec = 0;
    long np_al[2][5];
    const char *q = strstr(out, "\"seconds\": ");
    const char *rr = strstr(out, "\"rate\": ");
    const char *aa = strstr(out, "\"alarms\": [[");
    if (!q || !rr || !aa ||
        sscanf(aa, "\"alarms\": [[%ld, %ld, %ld, %ld, %ld], [%ld, %ld, %ld, %ld, %ld]]",
               &np_al[0][0], &np_al[0][1], &np_al[0][2], &np_al[0][3], &np_al[0][4], &np_al[1][0],
               &np_al[1][1], &np_al[1][2], &np_al[1][3], &np_al[1][4]) != 10) {
        fprintf(stderr, "bench_pd: the NumPy run failed: %s\n", out);
        return 1;
    }
    np_sec = strtod(q + 11, NULL);
    np_rate = strtod(rr + 8, NULL);
    double rp = (double)REPS * N;
    double rate1 = rp / t1, rate2 = rp / t2;
    double flops = custos_pd_flops_per_period(G);
    printf("%-28s %10s %16s %10s\n", "", "seconds", "rep-periods/s", "vs NumPy");
    printf("%-28s %10.3f %16.4g %9.1fx\n", "NumPy (1 thread)", np_sec, np_rate, 1.0);
    printf("%-28s %10.3f %16.4g %9.1fx\n", "custos, 1 thread", t1, rate1, rate1 / np_rate);
    printf("%-28s %10.3f %16.4g %9.1fx  (%.1fx per core)\n", "custos, 2 threads", t2, rate2,
           rate2 / np_rate, rate2 / 2 / np_rate);
    printf("peak (dgemm 1024, 1 thread): %.1f GFLOP/s; custos kernel %.0f flop/rep-period + 1 "
           "normal: %.2f GFLOP/s on 1 thread = %.1f%% of peak\n",
           peak, flops, rate1 * flops / 1e9, 100.0 * rate1 * flops / 1e9 / peak);
    static const char *names[5] = {"muf", "cumuf", "sitmuf", "page", "gemuf"};
    printf("%-7s %18s %18s %18s %18s\n", "test", "FA custos", "FA NumPy", "PD custos",
           "PD NumPy");
    int bad = 0;
    for (int k = 0; k < 5; k++) {
        double pc[2], pn[2];
        for (int hyp = 0; hyp < 2; hyp++) {
            pc[hyp] = (double)al1[hyp][k] / REPS;
            pn[hyp] = (double)np_al[hyp][k] / REPS;
            double se = sqrt(pc[hyp] * (1 - pc[hyp]) / REPS + pn[hyp] * (1 - pn[hyp]) / REPS);
            if (fabs(pc[hyp] - pn[hyp]) > 4 * se + 1e-12)
                bad++;
        }
        printf("%-7s %18.5f %18.5f %18.5f %18.5f\n", names[k], pc[0], pn[0], pc[1], pn[1]);
    }
    printf("exact: SITMUF PD %.5f FA %.5f; CUMUF at n PD %.5f; GEMUF at n PD %.5f\n",
           r.tests[CUSTOS_PD_SITMUF].pd, r.tests[CUSTOS_PD_SITMUF].fa,
           r.tests[CUSTOS_PD_CUMUF].pd_last, r.tests[CUSTOS_PD_GEMUF].pd_last);
    printf("%s\n", bad ? "custos and NumPy DISAGREE beyond 4 standard errors"
                       : "custos and NumPy agree within 4 standard errors");
    free(mu);
    free(delta);
    custos_sequence_free(s);
    return bad ? 1 : 0;
}
