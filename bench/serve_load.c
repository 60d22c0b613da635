/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_load.c: the C side of bench/serve.
 *
 *   serve_load setup DB DIR        a ledger for the benchmark: State XC, one
 *                                  facility with 64 MBAs and opening PILs (the
 *                                  first with a year of reports for the reads,
 *                                  63 for submitters), an
 *                                  operator of all of them and an inspector,
 *                                  a signing key, signatures required; tokens
 *                                  and the secret key into DIR
 *   serve_load submit PORT DIR SECONDS CONNECTIONS
 *                                  signed ICRs over HTTP, one keep-alive
 *                                  connection and MBA per thread, each report
 *                                  signed as it is sent; prints requests/s,
 *                                  latency percentiles and errors
 *   serve_load store-ref DIR SECONDS
 *                                  the reference: the same reports stored by
 *                                  custos_ledger_store(), one transaction (and
 *                                  one fsync) each, in this process
 *
 * Output lines are "key value" pairs that bench/serve reads.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tests/server/client.h"
#include "custos/auth.h"
#include "custos/format.h"
#include "custos/ledger.h"
#include "custos/sign.h"

#define MBAS 64 /* XC/XCAA holds the read routes' reports; submitters take the others */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void mba_code(char out[5], int i)
{
    snprintf(out, 5, "XC%c%c", 'A' + i / 26, 'A' + i % 26);
}

/* Report n of MBA i: 1 the opening PIL, else the monthly ICR n - 1
 * months after January 2026 (one loss entry). */
static int report_text(char *buf, size_t size, int i, int n)
{
    char mba[5];
    mba_code(mba, i);
    if (n == 1)
        return snprintf(
            buf, size,
            "001:OI/XC;1#002:1/1#003:20251231#006:LOAD,T#010:P#015:20251231#207:XCF1#"
            "307:%s#309:N#407:1#430:O/G/U/C#446:P1#469:M#470:1#630:100000G#670:4000G#\n",
            mba);
    static const int last[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int m = (n - 2) % 12 + 1, y = 2026 + (n - 2) / 12;
    int leap = m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
    int e = last[m - 1] + leap;
    return snprintf(buf, size,
                    "001:OI/XC;%d#002:1/1#003:%d%02d%02d#006:LOAD,T#010:I#015:%d%02d01/%d%02d%02d#"
                    "207:XCF1#307:%s#309:N#407:B#411:LD#412:%d%02d15#430:U/J/6/E#446:D%d#469:M#"
                    "470:0#630:1.%03dG#670:0.04G#\n",
                    n, y, m, e, y, m, y, m, e, mba, y, m, n, n % 1000);
}

static int die(const char *what)
{
    fprintf(stderr, "serve_load: %s: %s\n", what, custos_last_error());
    return 1;
}

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static char *read_file(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = calloc(1, 4096);
    if (buf && fread(buf, 1, 4095, f) == 0) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        buf[strcspn(buf, "\n")] = '\0';
    return buf;
}

static int setup(const char *db, const char *dir)
{
    custos_ledger *l;
    if (custos_ledger_open(&l, db, CUSTOS_OPEN_CREATE) < 0)
        return die(db);
    char fac[16384] =
        "{\"state\":\"XC\",\"facility\":\"XCF1\",\"type\":\"fuel-fabrication\",\"mbas\":[";
    for (int i = 0; i < MBAS; i++) {
        char mba[5];
        mba_code(mba, i);
        size_t n = strlen(fac);
        snprintf(fac + n, sizeof fac - n,
                 "%s{\"mba\":\"%s\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},"
                 "{\"kmp\":\"B\",\"kind\":\"flow\"}]}",
                 i ? "," : "", mba);
    }
    size_t n = strlen(fac);
    snprintf(fac + n, sizeof fac - n, "]}");
    if (custos_ledger_facility_add(l, "bench", fac, strlen(fac), NULL, NULL) < 0)
        return die("facility");
    custos_user op, in;
    custos_user_init(&op, "loadop", CUSTOS_ROLE_OPERATOR);
    custos_user_init(&in, "loadin", CUSTOS_ROLE_INSPECTOR);
    custos_user_add_state(&in, "XC");
    /* opening PILs, and for the read routes twelve months of XC/XCAA */
    for (int i = 0; i < MBAS; i++) {
        char text[512], mba[8] = "XC/";
        mba_code(mba + 3, i);
        if (custos_user_add_mba(&op, mba) < 0)
            return die("operator's MBAs");
        for (int k = 1; k <= (i == 0 ? 13 : 1); k++) {
            report_text(text, sizeof text, i, k);
            custos_reader *rd;
            if (custos_reader_open_memory(&rd, "setup", text, strlen(text), CUSTOS_FORMAT_AUTO) <
                    0 ||
                custos_ledger_import(l, rd, NULL, NULL) < 0)
                return die("import");
            custos_reader_free(rd);
        }
    }
    char tok[CUSTOS_TOKEN_MAX];
    if (custos_user_add(l, &op, "bench", tok) < 0 || write_file(dir, "operator.token", tok) < 0)
        return die("operator");
    if (custos_user_add(l, &in, "bench", tok) < 0 || write_file(dir, "inspector.token", tok) < 0)
        return die("inspector");
    char *pub, *sec, id[CUSTOS_KEY_ID_LEN + 1];
    unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES];
    if (custos_sign_keypair(&pub, &sec, id) < 0 ||
        custos_sign_read_public(pk, pub, strlen(pub)) < 0 ||
        custos_ledger_key_add(l, "XC", "XCF1", pk, "bench", NULL) < 0 ||
        write_file(dir, "facility.key", sec) < 0)
        return die("key");
    custos_free(pub);
    custos_sign_wipe_free(sec);
    custos_policy p = {"XC", true, 0};
    if (custos_ledger_policy_set(l, &p, "bench") < 0)
        return die("policy");
    custos_ledger_free(l);
    printf("setup ok: %d MBAs, key %s, signatures required\n", MBAS, id);
    return 0;
}

static int load_key(const char *dir, unsigned char sk[CUSTOS_SECRET_KEY_BYTES],
                    char id[CUSTOS_KEY_ID_LEN + 1])
{
    char path[1024];
    snprintf(path, sizeof path, "%s/facility.key", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char text[512];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    if (custos_sign_read_secret(sk, text, n) < 0)
        return -1;
    custos_sign_key_id(id, sk + 32);
    return 0;
}

typedef struct worker {
    int mba, port;
    double until;
    const char *token, *key_id;
    const unsigned char *sk;
    double *lat; /* seconds per request */
    size_t nlat, caplat;
    long ok, errors;
    char first_error[256];
} worker;

static void record(worker *w, double t)
{
    if (w->nlat == w->caplat) {
        size_t cap = w->caplat ? w->caplat * 2 : 4096;
        double *p = realloc(w->lat, cap * sizeof *p);
        if (!p)
            return;
        w->lat = p;
        w->caplat = cap;
    }
    w->lat[w->nlat++] = t;
}

static void *submit_main(void *arg)
{
    worker *w = arg;
    http_conn c;
    http_conn_init(&c, w->port);
    for (int n = 2; now() < w->until; n++) {
        char text[512], headers[512], b64[CUSTOS_SIGNATURE_B64_LEN + 1];
        int len = report_text(text, sizeof text, w->mba, n);
        custos_reader *rd;
        custos_report *r = NULL;
        unsigned char sig[CUSTOS_SIGNATURE_BYTES];
        if (custos_reader_open_memory(&rd, "r", text, (size_t)len, CUSTOS_FORMAT_AUTO) < 0 ||
            custos_reader_next(&r, rd, NULL) != 1 || custos_report_sign(sig, r, w->sk) < 0) {
            w->errors++;
            custos_reader_free(rd);
            custos_report_free(r);
            break;
        }
        custos_reader_free(rd);
        custos_report_free(r);
        custos_signature_encode(b64, sig);
        snprintf(headers, sizeof headers,
                 "Authorization: Bearer %s\r\nX-Custos-Key: %s\r\nX-Custos-Signature: %s\r\n",
                 w->token, w->key_id, b64);
        http_resp resp;
        double t1 = now();
        if (http_do(&c, "POST", "/api/reports", headers, text, (size_t)len, &resp) < 0) {
            if (!w->errors++)
                snprintf(w->first_error, sizeof w->first_error, "connection failed");
            break; /* the MBA's numbering would be off from here */
        }
        record(w, now() - t1);
        if (resp.status == 201) {
            w->ok++;
        } else {
            if (!w->errors++)
                snprintf(w->first_error, sizeof w->first_error, "%d %.200s", resp.status,
                         resp.body);
            http_resp_free(&resp);
            break;
        }
        http_resp_free(&resp);
    }
    http_conn_close(&c);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int submit(int port, const char *dir, double seconds, int conns)
{
    unsigned char sk[CUSTOS_SECRET_KEY_BYTES];
    char id[CUSTOS_KEY_ID_LEN + 1];
    char *token = read_file(dir, "operator.token");
    if (!token || load_key(dir, sk, id) < 0)
        return die("reading the token and key");
    if (conns < 1 || conns > MBAS - 1)
        conns = MBAS - 1;
    worker *w = calloc((size_t)conns, sizeof *w);
    pthread_t *t = calloc((size_t)conns, sizeof *t);
    if (!w || !t)
        return die("out of memory");
    double start = now();
    for (int i = 0; i < conns; i++) {
        w[i] = (worker){.mba = i + 1,
                        .port = port,
                        .until = start + seconds,
                        .token = token,
                        .key_id = id,
                        .sk = sk};
        pthread_create(&t[i], NULL, submit_main, &w[i]);
    }
    long ok = 0, errors = 0;
    size_t total = 0;
    for (int i = 0; i < conns; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
        errors += w[i].errors;
        total += w[i].nlat;
        if (w[i].errors)
            fprintf(stderr, "serve_load: connection %d: %s\n", i, w[i].first_error);
    }
    double elapsed = now() - start;
    double *all = malloc((total ? total : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < conns; i++) {
        if (all && w[i].nlat)
            memcpy(all + k, w[i].lat, w[i].nlat * sizeof *all);
        k += w[i].nlat;
        free(w[i].lat);
    }
    double p[4] = {0, 0, 0, 0};
    if (all && total) {
        qsort(all, total, sizeof *all, cmp_double);
        double q[4] = {0.5, 0.9, 0.99, 1.0};
        for (int i = 0; i < 4; i++) {
            size_t idx = (size_t)(q[i] * (double)(total - 1) + 0.5);
            p[i] = all[idx] * 1e3;
        }
    }
    printf("submitted %ld\nerrors %ld\nseconds %.2f\nrate %.1f\np50_ms %.2f\np90_ms %.2f\n"
           "p99_ms %.2f\nmax_ms %.2f\nconnections %d\n",
           ok, errors, elapsed, (double)ok / elapsed, p[0], p[1], p[2], p[3], conns);
    free(all);
    free(w);
    free(t);
    free(token);
    return errors ? 1 : 0;
}

/* One transaction per report, as the server would be without group
 * commit (each commit one fsync). */
static int store_ref(const char *dir, double seconds)
{
    char db[1024];
    snprintf(db, sizeof db, "%s/reference.db", dir);
    unlink(db);
    custos_ledger *l;
    if (custos_ledger_open(&l, db, CUSTOS_OPEN_CREATE | CUSTOS_OPEN_SCRATCH) < 0)
        return die(db);
    char text[512];
    long stored = 0;
    double start = now(), until = start + seconds;
    for (int n = 1; now() < until; n++) {
        int len = report_text(text, sizeof text, 0, n);
        custos_reader *rd;
        custos_report *r = NULL;
        custos_diags *d = NULL;
        if (custos_diags_new(&d) < 0 ||
            custos_reader_open_memory(&rd, "ref", text, (size_t)len, CUSTOS_FORMAT_AUTO) < 0 ||
            custos_reader_next(&r, rd, NULL) != 1 || custos_ledger_store(l, r, d, NULL) < 0)
            return die("reference store");
        custos_reader_free(rd);
        custos_report_free(r);
        custos_diags_free(d);
        stored++;
    }
    double elapsed = now() - start;
    custos_ledger_free(l);
    unlink(db);
    printf("stored %ld\nseconds %.2f\nrate %.1f\n", stored, elapsed, (double)stored / elapsed);
    return 0;
}

int main(int argc, char **argv)
{
    if (custos_global_init() < 0)
        return die("init");
    if (argc == 4 && !strcmp(argv[1], "setup"))
        return setup(argv[2], argv[3]);
    if (argc == 6 && !strcmp(argv[1], "submit"))
        return submit(atoi(argv[2]), argv[3], atof(argv[4]), atoi(argv[5]));
    if (argc == 4 && !strcmp(argv[1], "store-ref"))
        return store_ref(argv[2], atof(argv[3]));
    fprintf(stderr, "usage: serve_load setup DB DIR | submit PORT DIR SECONDS CONNECTIONS | "
                    "store-ref DIR SECONDS\n");
    return 2;
}
