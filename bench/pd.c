/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/pd.c: the detection probability of a protracted diversion over
 * n = 100 balance periods by Monte Carlo, 10^6 replicates, custos against
 * the same computation written in vectorised NumPy (bench/pd_numpy.py,
 * one BLAS thread) in the same run: both draw one normal per
 * replicate-period as SITMUF and form the MUF by the innovations form of
 * the Kalman filter (docs/internals/stats.md).
 *
 * The ratio is taken per core: the process is pinned to each core in
 * turn, and on it custos runs on one thread (median of three runs) and
 * NumPy once, with the floating-point peak of that core measured by a
 * dense matrix product (OpenBLAS dgemm, one thread).  The cores of a
 * virtual machine need not be equal, so only rates measured on the same
 * core are compared.  Then custos runs on every core at once against the
 * mean NumPy rate of a core.  Rates are by CPU time (the machine may be
 * shared: CPU seconds are what a core did).  Prints the load average, the
 * alarm rates of both (they must agree within their standard errors) and
 * the fraction of the core's peak custos reaches.
 *
 * The facility: a monthly inventory of 40 t of uranium (0.05% random),
 * flows of 30 t in and out (0.1% and 0.15%), four systematic groups
 * (balance recalibrated once, titration, NDA of the outputs); a protracted
 * diversion of 1.5 t spread over the 100 periods (15 kg a period against
 * a sigma-MUF of 64 kg).
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include <cblas.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "custos/stats.h"
#include "statsint.h"

void openblas_set_num_threads(int);

#define N 100
#define G 4
#define REPS 1000000L
#define MAX_CORES 64

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double median3(const double v[3])
{
    double a = v[0], b = v[1], c = v[2];
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    return c < a ? a : c > b ? b : c;
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
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, m, m, 1.0, a, m, b, m, 0.0, c, m);
        double g = 2.0 * m * (double)m * m / (now() - t0) / 1e9;
        if (g > best)
            best = g;
    }
    free(a);
    free(b);
    free(c);
    return best;
}

/* custos_pd_simulate() on `threads` threads, three times: the median
 * wall and CPU seconds (a run is a tenth of a second, short enough for
 * the machine's noise to show; NumPy's run is 25 times longer). */
static int time_custos(long al[2][CUSTOS_PD_NTESTS], const custos_sequence *s, const double *mu,
                       const custos_nrta_options *no, int threads, double *wall, double *cpu)
{
    double w[3], c[3];
    for (int i = 0; i < 3; i++) {
        double t0 = now(), c0 = cpu_now();
        if (custos_pd_simulate(al, s, mu, no, REPS, 1, threads) < 0) {
            fprintf(stderr, "bench_pd: %s\n", custos_last_error());
            return -1;
        }
        w[i] = now() - t0;
        c[i] = cpu_now() - c0;
    }
    *wall = median3(w);
    *cpu = median3(c);
    return 0;
}

/* bench/pd_numpy.py on the problem file: its wall and CPU seconds and
 * its alarm counts. */
static int numpy_run(const char *path, double *sec, double *cpu, long al[2][CUSTOS_PD_NTESTS])
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "OPENBLAS_NUM_THREADS=1 %s %s %s %ld", CUSTOS_PYTHON3,
             CUSTOS_PD_NUMPY, path, REPS);
    FILE *p = popen(cmd, "r");
    char out[4096] = "";
    size_t got = p ? fread(out, 1, sizeof out - 1, p) : 0;
    out[got] = '\0';
    if (p)
        pclose(p);
    const char *q = strstr(out, "\"seconds\": ");
    const char *qc = strstr(out, "\"cpu_seconds\": ");
    const char *aa = strstr(out, "\"alarms\": [[");
    if (!q || !qc || !aa ||
        sscanf(aa, "\"alarms\": [[%ld, %ld, %ld, %ld, %ld], [%ld, %ld, %ld, %ld, %ld]]", &al[0][0],
               &al[0][1], &al[0][2], &al[0][3], &al[0][4], &al[1][0], &al[1][1], &al[1][2],
               &al[1][3], &al[1][4]) != 10) {
        fprintf(stderr, "bench_pd: the NumPy run failed: %s\n", out);
        return -1;
    }
    *sec = strtod(q + 11, NULL);
    *cpu = strtod(qc + 15, NULL);
    return 0;
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
    double load0[3] = {0, 0, 0};
    getloadavg(load0, 3);
    /* The AVX-512 kernel and the portable one agree bit for bit. */
    long ag[2][CUSTOS_PD_NTESTS], av[2][CUSTOS_PD_NTESTS];
    int avx = custos_pd_kernel_avx512();
    custos_pd_simulate_kernel(ag, s, mu, &no, 20000, 9, 1, CUSTOS_PD_KERNEL_GENERIC);
    if (avx) {
        custos_pd_simulate_kernel(av, s, mu, &no, 20000, 9, 1, CUSTOS_PD_KERNEL_AVX512);
        if (memcmp(ag, av, sizeof ag)) {
            fprintf(stderr, "bench_pd: the AVX-512 and portable kernels disagree\n");
            return 1;
        }
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
    /* The kernel's systematic state: the slots of the live groups (groups
     * 0 and 1, the balance's two calibrations, share one). */
    size_t slots = G;
    if (custos_pd_kernel_slots(s, &slots) < 0)
        return 1;
    double flops = custos_pd_flops_per_period(slots);
    printf("bench/pd: PD of a protracted diversion (1.5 t over n = %d periods, %d systematic "
           "groups), %ld replicates\n",
           N, G, REPS);
    printf("same algorithm on both sides: one normal per replicate-period drawn as SITMUF, MUF by "
           "the innovations form of the Kalman filter (bench/pd_numpy.py)\n");
    printf("custos kernel: %s; load average %.2f %.2f %.2f (%ld processors online)\n",
           avx ? "AVX-512 (checked equal to the portable kernel on 20000 replicates)" : "portable",
           load0[0], load0[1], load0[2], sysconf(_SC_NPROCESSORS_ONLN));
    /* Each core in turn, custos and NumPy pinned to it: the cores of a
     * virtual machine need not be equal (one core of this machine ran
     * both programs 30% slower than the other), so a ratio means
     * something only when both sides ran on the same core. */
    cpu_set_t all;
    if (sched_getaffinity(0, sizeof all, &all) != 0)
        return 1;
    int cpus[MAX_CORES], ncores = 0;
    for (int c = 0; c < CPU_SETSIZE && ncores < MAX_CORES; c++)
        if (CPU_ISSET(c, &all))
            cpus[ncores++] = c;
    printf("each core in turn, custos and NumPy pinned to it (custos: the median of 3 runs; "
           "NumPy: 1 run); ns per replicate-period of CPU time:\n");
    printf("%5s %11s %11s %9s %11s %11s %9s\n", "core", "NumPy ns", "custos ns", "per core",
           "peak GF/s", "custos GF/s", "of peak");
    long al1[2][CUSTOS_PD_NTESTS], alc[2][CUSTOS_PD_NTESTS], np_al[2][CUSTOS_PD_NTESTS];
    double rp = (double)REPS * N, worst = INFINITY, np_crate_sum = 0.0;
    int bad = 0;
    for (int i = 0; i < ncores; i++) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpus[i], &one);
        if (sched_setaffinity(0, sizeof one, &one) != 0)
            return 1;
        double peak = peak_gflops(), wall, cpu;
        if (time_custos(i ? alc : al1, s, mu, &no, 1, &wall, &cpu) < 0)
            return 1;
        if (i && memcmp(al1, alc, sizeof al1)) {
            fprintf(stderr, "bench_pd: custos's alarms differ between runs\n");
            return 1;
        }
        double np_sec, np_cpu;
        if (numpy_run(path, &np_sec, &np_cpu, np_al) < 0)
            return 1;
        double crate = rp / cpu, np_crate = rp / np_cpu, ratio = crate / np_crate;
        np_crate_sum += np_crate;
        if (ratio < worst)
            worst = ratio;
        printf("%5d %11.2f %11.3f %8.1fx %11.1f %11.2f %8.1f%%\n", cpus[i], 1e9 / np_crate,
               1e9 / crate, ratio, peak, crate * flops / 1e9, 100.0 * crate * flops / 1e9 / peak);
        fflush(stdout);
    }
    if (sched_setaffinity(0, sizeof all, &all) != 0)
        return 1;
    unlink(path);
    /* Both cores at once: custos on as many threads as cores, against the
     * mean of NumPy's per-core rates. */
    double wall2, cpu2;
    long al2[2][CUSTOS_PD_NTESTS];
    if (time_custos(al2, s, mu, &no, ncores, &wall2, &cpu2) < 0)
        return 1;
    if (memcmp(al1, al2, sizeof al1)) {
        fprintf(stderr, "bench_pd: 1 and %d threads disagree\n", ncores);
        return 1;
    }
    double np_mean = np_crate_sum / ncores;
    printf("all %d cores: custos on %d threads, wall %.3f s, CPU %.3f s: %.3f ns per "
           "replicate-period per CPU-second, %.1fx the mean NumPy rate of a core; wall-clock rate "
           "/ %d against it: %.1fx\n",
           ncores, ncores, wall2, cpu2, 1e9 * cpu2 / rp, rp / cpu2 / np_mean, ncores,
           rp / wall2 / ncores / np_mean);
    printf("per core, custos against NumPy on the same core: lowest %.1fx (target 20x: %s); "
           "custos kernel: %zu state slots for %d groups, %.0f flop per replicate-period "
           "+ 1 normal\n",
           worst, worst >= 20.0 ? "met" : "NOT met", slots, G, flops);
    double load1[3] = {0, 0, 0};
    getloadavg(load1, 3);
    printf("load average at the end %.2f\n", load1[0]);
    static const char *names[5] = {"muf", "cumuf", "sitmuf", "page", "gemuf"};
    printf("%-7s %18s %18s %18s %18s\n", "test", "FA custos", "FA NumPy", "PD custos", "PD NumPy");
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
