/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/simulate.c: the simulator's speed and memory, side by side at 1x
 * and 10x the years of a configuration (default examples/sim/large.json,
 * 3 and 30 years).  Each size runs in its own child process, so its peak
 * resident set (getrusage through wait4) is its own.  Every report is
 * formatted as Code 10 text by the library's writer, into a sink that
 * counts the bytes and drops them (disk speed is not the simulator's).
 *
 *   usage: bench_simulate [CONFIG [YEARS]]
 *
 * Prints entries per second and peak RSS for both sizes, and the ratios
 * 10x/1x: entries about 10, peak RSS about 1 (memory flat as years grow).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "custos/format.h"
#include "custos/sim.h"

typedef struct counter {
    uint64_t bytes;
} counter;

static int count_bytes(void *ctx, const char *data, size_t len)
{
    (void)data;
    ((counter *)ctx)->bytes += len;
    return CUSTOS_OK;
}

static int on_fac(void *ctx, const char *code, const char *json, size_t len)
{
    (void)code, (void)json;
    ((counter *)ctx)->bytes += len;
    return CUSTOS_OK;
}

static int on_rep(void *ctx, const custos_report *r)
{
    custos_writer *w;
    int err = custos_writer_new(&w, CUSTOS_FORMAT_CODE10, count_bytes, ctx);
    if (err < 0)
        return err;
    err = custos_writer_report(w, r);
    if (err >= 0)
        err = custos_writer_finish(w);
    custos_writer_free(w);
    return err;
}

static int on_truth(void *ctx, const char *d, size_t len)
{
    (void)d;
    ((counter *)ctx)->bytes += len;
    return CUSTOS_OK;
}

typedef struct result {
    double seconds;
    uint64_t entries, reports, bytes, mbas;
} result;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Run in a child; the result comes back through a pipe. */
static int run(const char *text, size_t len, int years, result *out, long *maxrss_kb)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fd[0]);
        custos_global_init();
        custos_sim_config *c;
        result r = {0, 0, 0, 0, 0};
        if (custos_sim_config_parse(&c, "config", text, len, NULL) < 0) {
            fprintf(stderr, "bench_simulate: %s\n", custos_last_error());
            _exit(1);
        }
        counter k = {0};
        custos_sim_sink sink = {on_fac, on_rep, on_truth, &k};
        custos_sim_options opt = {1, years, -1, NULL, NULL};
        custos_sim_stats st;
        double t0 = now();
        if (custos_sim_run(c, &opt, &sink, &st) < 0) {
            fprintf(stderr, "bench_simulate: %s\n", custos_last_error());
            _exit(1);
        }
        r.seconds = now() - t0;
        r.entries = st.entries;
        r.reports = st.reports;
        r.mbas = st.mbas;
        r.bytes = k.bytes;
        custos_sim_config_free(c);
        if (write(fd[1], &r, sizeof r) != (ssize_t)sizeof r)
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    ssize_t got = read(fd[0], out, sizeof *out);
    close(fd[0]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        got != (ssize_t)sizeof *out)
        return -1;
    *maxrss_kb = ru.ru_maxrss;
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "examples/sim/large.json";
    int years = argc > 2 ? atoi(argv[2]) : 3;
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    result r1, r10;
    long rss1, rss10;
    if (run(text, len, years, &r1, &rss1) < 0 || run(text, len, years * 10, &r10, &rss10) < 0) {
        fprintf(stderr, "bench_simulate: a run failed\n");
        return 1;
    }
    printf("simulate %s (%llu MBAs), seed 1, Code 10 formatted, output dropped\n", path,
           (unsigned long long)r1.mbas);
    printf("%-6s %6s %12s %10s %14s %10s %14s\n", "size", "years", "entries", "seconds",
           "entries/s", "MB out", "peak RSS MB");
    const result *rs[2] = {&r1, &r10};
    long rss[2] = {rss1, rss10};
    for (int i = 0; i < 2; i++)
        printf("%-6s %6d %12llu %10.2f %14.0f %10.1f %14.1f\n", i ? "10x" : "1x",
               i ? years * 10 : years, (unsigned long long)rs[i]->entries, rs[i]->seconds,
               (double)rs[i]->entries / rs[i]->seconds, (double)rs[i]->bytes / 1e6,
               (double)rss[i] / 1024.0);
    printf("ratio 10x/1x: entries %.2f, entries/s %.2f, peak RSS %.2f\n",
           (double)r10.entries / (double)r1.entries,
           ((double)r10.entries / r10.seconds) / ((double)r1.entries / r1.seconds),
           (double)rss10 / (double)rss1);
    return 0;
}
