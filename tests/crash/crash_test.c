/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crash_test.c: crash consistency of the ledger.
 *
 * Generates a report set (a facility, an opening PIL and FILES files of
 * two monthly ICRs of ENTRIES entries each), then again and again starts
 * `custos import DB <the files not yet stored>` (the real CLI, $CUSTOS_BIN)
 * and kills it with SIGKILL after a random delay drawn from a seeded
 * generator, uniform over the time a whole import takes.  After every
 * kill it checks the store the way an inspector would after a power cut:
 *
 *   - PRAGMA integrity_check says "ok";
 *   - `custos verify DB` succeeds (every hash and link recomputed);
 *   - every stored report is exactly a report of the source files (its
 *     canonical text, hence every entry, equal to the source's), and each
 *     file is stored whole or not at all (one file, one transaction);
 *   - the stored files are a prefix of the import order.
 *
 * It goes on until ITERATIONS kills have interrupted a running import;
 * when a run finishes before its kill, the ledger starts over.  Options
 * from the environment: CUSTOS_CRASH_ITERATIONS (default 100),
 * CUSTOS_CRASH_SEED (default 1), CUSTOS_CRASH_FILES (default 40),
 * CUSTOS_CRASH_ENTRIES (entries per report, default 150).  Prints the
 * iterations, kills that interrupted an import, and the time taken.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "custos/format.h"
#include "custos/ledger.h"

static const char facility[] =
    "{\"state\":\"XA\",\"facility\":\"FA01\",\"type\":\"fuel-fabrication\",\"mbas\":["
    "{\"mba\":\"XAAA\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},"
    "{\"kmp\":\"A\",\"kind\":\"flow\"}]}]}";

#define MAX_FILES 500

/* One source report: its reference and the hash of its canonical text. */
typedef struct source_report {
    int file;
    int64_t number;
    size_t entries;
    unsigned char hash[32];
} source_report;

static char dir[256], db[300], bin[1024];
static char files[MAX_FILES][300];
static int nfiles;
static source_report *src;
static size_t nsrc;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("crash_test: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static long env_long(const char *name, long dflt)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n <= 0)
        die("%s must be a positive integer", name);
    return n;
}

/* xorshift64*: the kill delays, reproducible from the seed. */
static uint64_t rng;
static uint64_t next_random(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0)
        die("%s: %s", path, strerror(errno));
}

/* The report set: PIL 1 (2025-12-31) in file 0, then per file two
 * monthly ICRs of receipts. */
static void generate(int nf, int entries)
{
    size_t cap = (size_t)entries * 2 * 400 + 4096;
    char *text = malloc(cap);
    if (!text)
        die("out of memory");
    snprintf(files[0], sizeof files[0], "%s/r000.c10", dir);
    size_t len = (size_t)snprintf(text, cap,
                                  "001:OI/XA;1#002:1/1#003:20251231#006:DOE,J#010:P#015:20251231#"
                                  "207:FA01#307:XAAA#309:N#407:1#430:O/G/U/C#446:P1#469:M#470:1#"
                                  "630:1000G#670:40G#\n");
    write_file(files[0], text, len);
    custos_date start = 20260101;
    int number = 2;
    for (int f = 1; f <= nf; f++) {
        len = 0;
        for (int m = 0; m < 2; m++, number++) {
            custos_date end = custos_date_add(custos_date_add(start, 31) / 100 * 100 + 1, -1);
            for (int k = 1; k <= entries; k++) {
                char w[32], u[32], total[16] = "";
                int64_t mg = 1000000 + (int64_t)k * 1234 + number * 17;
                custos_weight_format(w, mg, 'G');
                custos_weight_format(u, mg * 4 / 100, 'G');
                if (k == 1)
                    snprintf(total, sizeof total, "/%d", entries);
                len += (size_t)snprintf(
                    text + len, cap - len,
                    "001:OI/XA;%d#002:%d%s#003:%d#006:DOE,J#010:I#015:%d/%d#207:FA01#307:XAAA#"
                    "309:N#370:XB#407:A#411:RF#412:%d#430:O/G/U/C#446:B%d-%d#447:UNKNOWN#469:N#"
                    "470:1#630:%s#670:%s#\n",
                    number, k, total, (int)end, (int)start, (int)end,
                    (int)custos_date_add(start, k % 28), number, k, w, u);
            }
            start = custos_date_add(end, 1);
        }
        snprintf(files[f], sizeof files[f], "%s/r%03d.c10", dir, f);
        write_file(files[f], text, len);
    }
    nfiles = nf + 1;
    free(text);
}

static void canonical_hash(unsigned char out[32], const custos_report *r)
{
    char *t;
    size_t len;
    if (custos_report_canonical(&t, &len, r) < 0)
        die("canonical: %s", custos_last_error());
    crypto_generichash(out, 32, (const unsigned char *)t, len, NULL, 0);
    custos_free(t);
}

/* Read every source report back (the reference to compare with). */
static void index_sources(void)
{
    size_t cap = 0;
    for (int f = 0; f < nfiles; f++) {
        custos_reader *rd;
        custos_report *r;
        if (custos_reader_open_file(&rd, files[f], CUSTOS_FORMAT_AUTO) < 0)
            die("%s", custos_last_error());
        int k;
        while ((k = custos_reader_next(&r, rd, NULL)) == 1) {
            if (nsrc == cap) {
                cap = cap ? cap * 2 : 256;
                src = realloc(src, cap * sizeof *src);
                if (!src)
                    die("out of memory");
            }
            source_report *s = &src[nsrc++];
            s->file = f;
            s->number = r->number;
            s->entries = r->n;
            canonical_hash(s->hash, r);
            custos_report_free(r);
        }
        if (k < 0)
            die("%s", custos_last_error());
        custos_reader_free(rd);
    }
}

static void fresh_ledger(void)
{
    char p[320];
    unlink(db);
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
    custos_ledger *l;
    if (custos_ledger_open(&l, db, CUSTOS_OPEN_CREATE) < 0 ||
        custos_ledger_facility_add(l, "facility.json", facility, strlen(facility), NULL, NULL) < 0)
        die("new ledger: %s", custos_last_error());
    custos_ledger_free(l);
}

/* Start custos import DB files[first..]; returns the child's pid. */
static pid_t start_import(int first)
{
    char *argv[MAX_FILES + 4];
    int a = 0;
    argv[a++] = bin;
    argv[a++] = "import";
    argv[a++] = db;
    for (int f = first; f < nfiles; f++)
        argv[a++] = files[f];
    argv[a] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execv(bin, argv);
        _exit(127);
    }
    return pid;
}

/* Run `custos verify DB`; returns its exit status. */
static int cli_verify(void)
{
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 1);
        execl(bin, bin, "verify", db, (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Check the store after a kill; returns how many files are stored (a
 * prefix of the import order). */
static int check_store(int iteration)
{
    if (cli_verify() != 0)
        die("iteration %d: custos verify failed on the store left by the kill", iteration);
    custos_ledger *l;
    if (custos_ledger_open(&l, db, 0) < 0)
        die("iteration %d: open: %s", iteration, custos_last_error());
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(custos_ledger_db(l), "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(s, 0), "ok"))
        die("iteration %d: PRAGMA integrity_check failed", iteration);
    sqlite3_finalize(s);
    custos_verify_result v;
    if (custos_ledger_verify(l, NULL, &v, NULL, NULL) < 0)
        die("iteration %d: verify: %s", iteration, custos_last_error());
    custos_report_ref *refs;
    size_t n;
    if (custos_ledger_reports(&refs, &n, l, NULL, 0) < 0)
        die("iteration %d: %s", iteration, custos_last_error());
    int stored_per_file[MAX_FILES] = {0}, total_per_file[MAX_FILES] = {0};
    for (size_t i = 0; i < nsrc; i++)
        total_per_file[src[i].file]++;
    for (size_t i = 0; i < n; i++) {
        const source_report *match = NULL;
        for (size_t j = 0; j < nsrc && !match; j++)
            if (src[j].number == refs[i].number)
                match = &src[j];
        if (!match)
            die("iteration %d: stored report %lld is in no source file", iteration,
                (long long)refs[i].number);
        custos_report *r;
        if (custos_ledger_report_load(&r, l, refs[i].id) < 0)
            die("iteration %d: load: %s", iteration, custos_last_error());
        unsigned char h[32];
        canonical_hash(h, r);
        if (r->n != match->entries || memcmp(h, match->hash, 32))
            die("iteration %d: report %lld stored with %zu of %zu entries or different content",
                iteration, (long long)refs[i].number, r->n, match->entries);
        custos_report_free(r);
        stored_per_file[match->file]++;
    }
    custos_free(refs);
    if ((size_t)v.reports != n || v.items != (int64_t)n + 1)
        die("iteration %d: chain has %lld links for %zu reports", iteration, (long long)v.items, n);
    custos_ledger_free(l);
    int prefix = 0;
    while (prefix < nfiles && stored_per_file[prefix] == total_per_file[prefix])
        prefix++;
    for (int f = 0; f < nfiles; f++) {
        if (stored_per_file[f] != 0 && stored_per_file[f] != total_per_file[f])
            die("iteration %d: file %d is half stored (%d of %d reports)", iteration, f,
                stored_per_file[f], total_per_file[f]);
        if (f >= prefix && stored_per_file[f])
            die("iteration %d: file %d is stored but file %d before it is not", iteration, f,
                prefix);
    }
    return prefix;
}

int main(void)
{
    const char *b = getenv("CUSTOS_BIN");
    if (!b)
        die("CUSTOS_BIN is not set");
    snprintf(bin, sizeof bin, "%s", b);
    long iterations = env_long("CUSTOS_CRASH_ITERATIONS", 100);
    rng = (uint64_t)env_long("CUSTOS_CRASH_SEED", 1) * 0x9E3779B97F4A7C15ULL | 1;
    int nf = (int)env_long("CUSTOS_CRASH_FILES", 40);
    int entries = (int)env_long("CUSTOS_CRASH_ENTRIES", 150);
    if (nf >= MAX_FILES)
        die("at most %d files", MAX_FILES - 1);
    /* Every link gets the same time, so a rerun of a file stores the same. */
    setenv("SOURCE_DATE_EPOCH", "1767225600", 1);
    custos_global_init();
    if (sodium_init() < 0)
        die("libsodium");
    snprintf(dir, sizeof dir, "%s/custos-crash-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        die("mkdtemp: %s", strerror(errno));
    snprintf(db, sizeof db, "%s/ledger.db", dir);
    double t0 = now();
    generate(nf, entries);
    index_sources();

    /* The time of a whole import, uninterrupted: the range of the kills. */
    fresh_ledger();
    double t = now();
    int st;
    waitpid(start_import(0), &st, 0);
    double full = now() - t;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("the uninterrupted import failed (exit %d)", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    if (check_store(0) != nfiles)
        die("the uninterrupted import did not store every file");

    fresh_ledger();
    int next = 0, interrupted = 0, restarts = 0;
    long attempts = 0;
    while (interrupted < iterations) {
        if (++attempts > 3 * iterations)
            die("only %d of %ld kills interrupted an import", interrupted, attempts - 1);
        /* Uniform over the time the files still to import take. */
        long max_us = (long)(full * 1e6 * (nfiles - next) / nfiles);
        long delay = (long)(next_random() % (uint64_t)(max_us + 1));
        pid_t pid = start_import(next);
        struct timespec ts = {delay / 1000000, (delay % 1000000) * 1000};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        if (WIFSIGNALED(st))
            interrupted++;
        else if (WEXITSTATUS(st) != 0)
            die("attempt %ld: import exited %d", attempts, WEXITSTATUS(st));
        next = check_store((int)attempts);
        if (next == nfiles) {
            fresh_ledger();
            next = 0;
            restarts++;
        }
    }
    printf("crash test: %d kills interrupted an import (%ld started, seed %ld), each followed by "
           "integrity_check, custos verify and a comparison with the sources; a PIL and %d files x 2 "
           "reports x %d entries, whole import %.2f s, %d imports completed, %.1f s in all\n",
           interrupted, attempts, env_long("CUSTOS_CRASH_SEED", 1), nfiles - 1, entries, full,
           restarts, now() - t0);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "crash_test: could not remove %s\n", dir);
    return 0;
}
