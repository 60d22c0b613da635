/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_concurrency.c: durability under concurrency.  16 submitters, each
 * on its own MBA and keep-alive connection, send 30 signed ICRs as fast as
 * they can while 4 readers list reports and balances; the State requires
 * signatures.  Then: every submission answered 201 and every read 200;
 * the writer group-committed (a batch held more than one submission);
 * after a clean stop, each MBA holds its 31 reports with consecutive
 * numbers and periods, every ICR carries its signature, and `custos
 * verify` recomputes the whole chain (reports, signatures, audit log).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "client.h"
#include "custos/auth.h"
#include "custos/format.h"
#include "custos/ledger.h"
#include "custos/sign.h"

#define SUBMITTERS 16
#define PER_SUBMITTER 30
#define READERS 4

static char dir[256], db[300], op_token[CUSTOS_TOKEN_MAX], in_token[CUSTOS_TOKEN_MAX];
static unsigned char sk[CUSTOS_SECRET_KEY_BYTES];
static char key_id[CUSTOS_KEY_ID_LEN + 1];
static server_proc srv;
static atomic_int bad_writes, bad_reads, reads_done, writers_left;

static void mba_code(char out[5], int i)
{
    snprintf(out, 5, "XC%c%c", 'A' + i / 26, 'A' + i % 26);
}

/* Report n of MBA i: 1 the opening PIL, else the ICR of month n - 1
 * counted from January 2026. */
static void report_text(char *buf, size_t size, int i, int n)
{
    char mba[5];
    mba_code(mba, i);
    if (n == 1) {
        snprintf(buf, size,
                 "001:OI/XC;1#002:1/1#003:20251231#006:LOAD,T#010:P#015:20251231#207:XCF1#"
                 "307:%s#309:N#407:1#430:O/G/U/C#446:P1#469:M#470:1#630:100000G#670:4000G#\n",
                 mba);
        return;
    }
    static const int last[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int m = (n - 2) % 12 + 1, y = 2026 + (n - 2) / 12, leap = y % 4 == 0 && m == 2;
    int e = last[m - 1] + leap;
    snprintf(buf, size,
             "001:OI/XC;%d#002:1/1#003:%d%02d%02d#006:LOAD,T#010:I#015:%d%02d01/%d%02d%02d#"
             "207:XCF1#307:%s#309:N#407:B#411:LD#412:%d%02d15#430:U/J/6/E#446:D%d#469:M#470:0#"
             "630:1.%03dG#670:0.04G#\n",
             n, y, m, e, y, m, y, m, e, mba, y, m, n, n);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/custos-conc-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/ledger.db", dir);
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, db, CUSTOS_OPEN_CREATE), 0);
    char fac[8192] =
        "{\"state\":\"XC\",\"facility\":\"XCF1\",\"type\":\"fuel-fabrication\",\"mbas\":[";
    for (int i = 0; i < SUBMITTERS; i++) {
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
    assert_int_equal(custos_ledger_facility_add(l, "test", fac, strlen(fac), NULL, NULL), 0);
    custos_user op, in;
    custos_user_init(&op, "loadop", CUSTOS_ROLE_OPERATOR);
    custos_user_init(&in, "loadin", CUSTOS_ROLE_INSPECTOR);
    assert_int_equal(custos_user_add_state(&in, "XC"), 0);
    for (int i = 0; i < SUBMITTERS; i++) {
        char text[512], mba[8] = "XC/";
        mba_code(mba + 3, i);
        assert_int_equal(custos_user_add_mba(&op, mba), 0);
        report_text(text, sizeof text, i, 1);
        custos_reader *rd;
        assert_int_equal(
            custos_reader_open_memory(&rd, "pil", text, strlen(text), CUSTOS_FORMAT_AUTO), 0);
        assert_int_equal(custos_ledger_import(l, rd, NULL, NULL), 0);
        custos_reader_free(rd);
    }
    assert_int_equal(custos_user_add(l, &op, "test", op_token), 0);
    assert_int_equal(custos_user_add(l, &in, "test", in_token), 0);
    char *pub, *sec;
    unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES];
    assert_int_equal(custos_sign_keypair(&pub, &sec, key_id), 0);
    assert_int_equal(custos_sign_read_secret(sk, sec, strlen(sec)), 0);
    assert_int_equal(custos_sign_read_public(pk, pub, strlen(pub)), 0);
    custos_free(pub);
    custos_sign_wipe_free(sec);
    assert_int_equal(custos_ledger_key_add(l, "XC", "XCF1", pk, "test", NULL), 0);
    custos_policy p = {"XC", true, 0};
    assert_int_equal(custos_ledger_policy_set(l, &p, "test"), 0);
    custos_ledger_free(l);
    assert_int_equal(server_start(&srv, db, NULL), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (srv.pid)
        server_stop(&srv);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void *submitter(void *arg)
{
    int i = (int)(intptr_t)arg;
    http_conn c;
    http_conn_init(&c, srv.port);
    for (int n = 2; n < 2 + PER_SUBMITTER; n++) {
        char text[512], headers[512], b64[CUSTOS_SIGNATURE_B64_LEN + 1];
        report_text(text, sizeof text, i, n);
        custos_reader *rd;
        custos_report *r = NULL;
        unsigned char sig[CUSTOS_SIGNATURE_BYTES];
        if (custos_reader_open_memory(&rd, "r", text, strlen(text), CUSTOS_FORMAT_AUTO) < 0 ||
            custos_reader_next(&r, rd, NULL) != 1 || custos_report_sign(sig, r, sk) < 0) {
            atomic_fetch_add(&bad_writes, 1);
            custos_reader_free(rd);
            custos_report_free(r);
            continue;
        }
        custos_reader_free(rd);
        custos_report_free(r);
        custos_signature_encode(b64, sig);
        snprintf(headers, sizeof headers,
                 "Authorization: Bearer %s\r\nX-Custos-Key: %s\r\nX-Custos-Signature: %s\r\n",
                 op_token, key_id, b64);
        http_resp resp;
        if (http_do(&c, "POST", "/api/reports", headers, text, strlen(text), &resp) < 0) {
            atomic_fetch_add(&bad_writes, 1);
            continue;
        }
        if (resp.status != 201) {
            fprintf(stderr, "submitter %d report %d: %d %s", i, n, resp.status, resp.body);
            atomic_fetch_add(&bad_writes, 1);
        }
        http_resp_free(&resp);
    }
    http_conn_close(&c);
    atomic_fetch_sub(&writers_left, 1);
    return NULL;
}

static void *reader(void *arg)
{
    (void)arg;
    http_conn c;
    http_conn_init(&c, srv.port);
    char headers[256];
    snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\n", in_token);
    static const char *const paths[] = {"/api/reports", "/api/balances?mba=XC/XCAA",
                                        "/api/reports?mba=XC/XCAB"};
    for (int k = 0; atomic_load(&writers_left) > 0; k++) {
        http_resp resp;
        if (http_do(&c, "GET", paths[k % 3], headers, NULL, 0, &resp) < 0 || resp.status != 200)
            atomic_fetch_add(&bad_reads, 1);
        else
            atomic_fetch_add(&reads_done, 1);
        http_resp_free(&resp);
    }
    http_conn_close(&c);
    return NULL;
}

static void test_parallel_submissions(void **state)
{
    (void)state;
    pthread_t w[SUBMITTERS], r[READERS];
    atomic_store(&writers_left, SUBMITTERS);
    for (int i = 0; i < READERS; i++)
        assert_int_equal(pthread_create(&r[i], NULL, reader, NULL), 0);
    for (int i = 0; i < SUBMITTERS; i++)
        assert_int_equal(pthread_create(&w[i], NULL, submitter, (void *)(intptr_t)i), 0);
    for (int i = 0; i < SUBMITTERS; i++)
        pthread_join(w[i], NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(r[i], NULL);
    assert_int_equal(atomic_load(&bad_writes), 0);
    assert_int_equal(atomic_load(&bad_reads), 0);
    assert_true(atomic_load(&reads_done) > 0);
    print_message("%d submissions, %d reads alongside\n", SUBMITTERS * PER_SUBMITTER,
                  atomic_load(&reads_done));

    /* the writer gathered concurrent submissions into shared commits */
    http_resp h;
    assert_int_equal(http_once(srv.port, "GET", "/api/health", NULL, NULL, 0, &h), 0);
    json_error_t je;
    json_t *o = json_loads(h.body, 0, &je);
    assert_non_null(o);
    json_t *wr = json_object_get(o, "writer");
    json_int_t subs = json_integer_value(json_object_get(wr, "submissions"));
    json_int_t batches = json_integer_value(json_object_get(wr, "batches"));
    json_int_t largest = json_integer_value(json_object_get(wr, "largest_batch"));
    print_message("writer: %lld submissions in %lld batches, largest %lld\n", (long long)subs,
                  (long long)batches, (long long)largest);
    assert_int_equal(subs, SUBMITTERS * PER_SUBMITTER);
    assert_true(largest > 1);
    assert_true(batches < subs);
    json_decref(o);
    http_resp_free(&h);
}

static void test_after_stop(void **state)
{
    (void)state;
    assert_int_equal(server_stop(&srv), 0);
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, db, CUSTOS_OPEN_READONLY), 0);
    for (int i = 0; i < SUBMITTERS; i++) {
        char mba[8] = "XC/";
        mba_code(mba + 3, i);
        custos_report_ref *v;
        size_t n;
        assert_int_equal(custos_ledger_reports(&v, &n, l, mba, 0), 0);
        assert_int_equal(n, 1 + PER_SUBMITTER);
        for (size_t k = 0; k < n; k++) {
            assert_int_equal(v[k].number, (int64_t)k + 1); /* stored in submission order */
            if (k) {
                bool found;
                char kid[CUSTOS_KEY_ID_LEN + 1];
                unsigned char sig[CUSTOS_SIGNATURE_BYTES];
                assert_int_equal(custos_ledger_signature(&found, kid, sig, l, v[k].id), 0);
                assert_true(found);
                assert_string_equal(kid, key_id);
                assert_int_equal(custos_date_add(v[k - 1].end, 1), v[k].start);
            }
        }
        custos_free(v);
    }
    custos_verify_result vr;
    assert_int_equal(custos_ledger_verify(l, NULL, &vr, NULL, NULL), 0);
    assert_int_equal(vr.reports, SUBMITTERS * (1 + PER_SUBMITTER));
    custos_ledger_free(l);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "'%s' verify '%s' >/dev/null && '%s' audit '%s' --verify >/dev/null",
             getenv("CUSTOS_BIN"), db, getenv("CUSTOS_BIN"), db);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    if (!getenv("CUSTOS_BIN")) {
        fprintf(stderr, "test_concurrency: CUSTOS_BIN is not set\n");
        return 1;
    }
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallel_submissions),
        cmocka_unit_test(test_after_stop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
