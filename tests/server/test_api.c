/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_api.c: `custos serve` run as a real process on loopback and
 * driven over HTTP.
 *
 * The ledger: State XA with facilities FA01 (MBAs XAAA, XABB) and FB02
 * (XACC), State XB with facility FB01 (XBAA), an opening PIL each; one
 * user per role (operators of XA/XAAA and XB/XBAA).  Covered: the
 * pipeline (health, 404, 405 + Allow, 401, 413, 400 on a bad target);
 * the role table, every route with every role and with no token, checked
 * to cover every route the server lists; need-to-know; submissions in
 * all three forms, a malformed one refused with the very line the CLI
 * prints and nothing stored; signatures (valid, wrong key, unregistered
 * key, tampered report, missing when required, malformed); the audit
 * log; the admin API (a revoked token stops at once); charts; a clean
 * stop, then `custos verify` and `custos audit --verify` on the result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "client.h"
#include "custos/auth.h"
#include "custos/facility.h"
#include "custos/format.h"
#include "custos/ledger.h"
#include "custos/sign.h"

enum { OP, OPB, AUTH, INSP, ANL, ADM, NROLES };
static const char *const role_user[NROLES] = {"op", "opb", "auth", "insp", "anl", "adm"};

static struct {
    char dir[256];
    char db[300];
    server_proc srv;
    char token[NROLES][CUSTOS_TOKEN_MAX];
    unsigned char sk_b[CUSTOS_SECRET_KEY_BYTES], sk_a[CUSTOS_SECRET_KEY_BYTES],
        sk_stranger[CUSTOS_SECRET_KEY_BYTES];
    char key_b[CUSTOS_KEY_ID_LEN + 1], key_a[CUSTOS_KEY_ID_LEN + 1],
        key_stranger[CUSTOS_KEY_ID_LEN + 1];
} F;

#define KMPS "\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},{\"kmp\":\"B\",\"kind\":\"flow\"}]"
static const char *facilities[] = {
    "{\"state\":\"XA\",\"facility\":\"FA01\",\"type\":\"fuel-fabrication\",\"mbas\":["
    "{\"mba\":\"XAAA\"," KMPS "},{\"mba\":\"XABB\"," KMPS "}]}",
    "{\"state\":\"XA\",\"facility\":\"FB02\",\"type\":\"research-reactor\",\"mbas\":["
    "{\"mba\":\"XACC\"," KMPS "}]}",
    "{\"state\":\"XB\",\"facility\":\"FB01\",\"type\":\"research-reactor\",\"mbas\":["
    "{\"mba\":\"XBAA\"," KMPS "}]}",
};

/* Code 10 text of a report: number 1 is the opening PIL, number n > 1
 * the ICR of month n - 1 of 2026 with one loss entry of grams. */
static void report_text(char *buf, size_t size, const char *state, const char *facility,
                        const char *mba, int n, const char *grams)
{
    if (n == 1) {
        snprintf(buf, size,
                 "001:OI/%s;1#002:1/1#003:20251231#006:DOE,J#010:P#015:20251231#207:%s#307:%s#"
                 "309:N#407:1#430:O/G/U/C#446:P1#469:M#470:1#630:1000G#670:40G#\n",
                 state, facility, mba);
        return;
    }
    static const int last[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int m = (n - 2) % 12 + 1, y = 2026 + (n - 2) / 12;
    snprintf(buf, size,
             "001:OI/%s;%d#002:1/1#003:%d%02d%02d#006:DOE,J#010:I#015:%d%02d01/%d%02d%02d#"
             "207:%s#307:%s#309:N#407:B#411:LD#412:%d%02d15#430:U/J/6/E#446:D%d#469:M#470:0#630:%s#"
             "670:0.03G#\n",
             state, n, y, m, last[m - 1], y, m, y, m, last[m - 1], facility, mba, y, m, n, grams);
}

static custos_report *parse(const char *text)
{
    custos_reader *rd;
    custos_report *r = NULL;
    assert_int_equal(custos_reader_open_memory(&rd, "t", text, strlen(text), CUSTOS_FORMAT_AUTO),
                     0);
    assert_int_equal(custos_reader_next(&r, rd, NULL), 1);
    custos_reader_free(rd);
    return r;
}

static void import(custos_ledger *l, const char *text)
{
    custos_reader *rd;
    assert_int_equal(custos_reader_open_memory(&rd, "t", text, strlen(text), CUSTOS_FORMAT_AUTO),
                     0);
    assert_int_equal(custos_ledger_import(l, rd, NULL, NULL), 0);
    custos_reader_free(rd);
}

static void add_user(custos_ledger *l, int who, custos_role role, const char *state,
                     const char *mba, const char *compartment)
{
    custos_user u;
    custos_user_init(&u, role_user[who], role);
    if (state)
        assert_int_equal(custos_user_add_state(&u, state), 0);
    if (mba)
        assert_int_equal(custos_user_add_mba(&u, mba), 0);
    if (compartment)
        assert_int_equal(custos_user_add_compartment(&u, compartment), 0);
    assert_int_equal(custos_user_add(l, &u, "test", F.token[who]), 0);
}

static void new_key(unsigned char sk[CUSTOS_SECRET_KEY_BYTES], char id[CUSTOS_KEY_ID_LEN + 1],
                    unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES])
{
    char *pub, *sec;
    assert_int_equal(custos_sign_keypair(&pub, &sec, id), 0);
    assert_int_equal(custos_sign_read_secret(sk, sec, strlen(sec)), 0);
    assert_int_equal(custos_sign_read_public(pk, pub, strlen(pub)), 0);
    custos_free(pub);
    custos_sign_wipe_free(sec);
}

static int setup(void **state)
{
    (void)state;
    snprintf(F.dir, sizeof F.dir, "%s/custos-api-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(F.dir));
    snprintf(F.db, sizeof F.db, "%s/ledger.db", F.dir);
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, F.db, CUSTOS_OPEN_CREATE), 0);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(custos_ledger_facility_add(l, "test", facilities[i],
                                                    strlen(facilities[i]), NULL, NULL),
                         0);
    static const char *const mbas[][3] = {
        {"XA", "FA01", "XAAA"}, {"XA", "FA01", "XABB"}, {"XA", "FB02", "XACC"},
        {"XB", "FB01", "XBAA"}};
    for (size_t i = 0; i < 4; i++) {
        char text[512];
        report_text(text, sizeof text, mbas[i][0], mbas[i][1], mbas[i][2], 1, NULL);
        import(l, text);
    }
    add_user(l, OP, CUSTOS_ROLE_OPERATOR, NULL, "XA/XAAA", NULL);
    add_user(l, OPB, CUSTOS_ROLE_OPERATOR, NULL, "XB/XBAA", NULL);
    add_user(l, AUTH, CUSTOS_ROLE_AUTHORITY, "XA", NULL, NULL);
    add_user(l, INSP, CUSTOS_ROLE_INSPECTOR, "XA", NULL, NULL);
    add_user(l, ANL, CUSTOS_ROLE_ANALYST, "XA", NULL, "XA-SG");
    add_user(l, ADM, CUSTOS_ROLE_ADMIN, NULL, NULL, NULL);
    unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES];
    new_key(F.sk_b, F.key_b, pk);
    assert_int_equal(custos_ledger_key_add(l, "XB", "FB01", pk, "test", NULL), 0);
    new_key(F.sk_a, F.key_a, pk);
    assert_int_equal(custos_ledger_key_add(l, "XA", "FA01", pk, "test", NULL), 0);
    new_key(F.sk_stranger, F.key_stranger, pk);
    custos_ledger_free(l);
    const char *extra[] = {"--max-body", "65536", NULL};
    assert_int_equal(server_start(&F.srv, F.db, extra), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (F.srv.pid)
        server_stop(&F.srv);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", F.dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* One request; token index or -1 for none; extra headers may be NULL. */
static http_resp call(const char *method, const char *path, int who, const char *headers,
                      const char *body)
{
    char h[1024] = "";
    if (who >= 0)
        snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", F.token[who]);
    if (headers) {
        size_t n = strlen(h);
        snprintf(h + n, sizeof h - n, "%s", headers);
    }
    http_resp r;
    if (http_once(F.srv.port, method, path, h, body, body ? strlen(body) : 0, &r) < 0)
        fail_msg("%s %s: no response", method, path);
    return r;
}

static json_t *body_json(const http_resp *r)
{
    json_error_t je;
    json_t *o = json_loads(r->body, 0, &je);
    if (!o)
        fail_msg("not JSON (%s): %.200s", je.text, r->body);
    return o;
}

static void expect(const char *method, const char *path, int who, const char *body, int status)
{
    http_resp r = call(method, path, who, NULL, body);
    if (r.status != status)
        fail_msg("%s %s as %s: %d, expected %d: %.300s", method, path,
                 who >= 0 ? role_user[who] : "nobody", r.status, status, r.body);
    http_resp_free(&r);
}

static void test_pipeline(void **state)
{
    (void)state;
    http_resp r = call("GET", "/api/health", -1, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"status\":\"ok\""));
    http_resp_free(&r);

    r = call("GET", "/api/nowhere", INSP, NULL, NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, "{\"error\":\"no such route: /api/nowhere\"}\n");
    http_resp_free(&r);

    r = call("DELETE", "/api/reports", INSP, NULL, NULL);
    assert_int_equal(r.status, 405);
    char allow[64];
    assert_non_null(http_header(&r, "Allow", allow, sizeof allow));
    assert_string_equal(allow, "POST, GET");
    http_resp_free(&r);

    r = call("GET", "/api/reports", -1, NULL, NULL);
    assert_int_equal(r.status, 401);
    assert_non_null(http_header(&r, "WWW-Authenticate", allow, sizeof allow));
    http_resp_free(&r);
    r = call("GET", "/api/reports", -1, "Authorization: Bearer cst1.op.AAAA\r\n", NULL);
    assert_int_equal(r.status, 401);
    assert_string_equal(r.body, "{\"error\":\"invalid or revoked token\"}\n");
    http_resp_free(&r);

    expect("GET", "/api/reports/%zz", INSP, NULL, 400);
    expect("GET", "/api/reports/..", INSP, NULL, 400);
    expect("GET", "/api/reports?mba=XA/XAAA&mba=XA/XABB", INSP, NULL, 400);
    expect("GET", "/api/reports/abc", INSP, NULL, 400);

    /* a body over --max-body: 413 and nothing stored */
    size_t big = 70000;
    char *body = malloc(big + 1);
    memset(body, 'x', big);
    body[big] = '\0';
    expect("POST", "/api/reports", OP, body, 413);
    free(body);

    /* the dashboard is served without a token, with a strict policy */
    r = call("GET", "/", -1, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<title>custos</title>"));
    char csp[512];
    assert_non_null(http_header(&r, "Content-Security-Policy", csp, sizeof csp));
    assert_non_null(strstr(csp, "script-src 'self'"));
    http_resp_free(&r);
    expect("GET", "/static/app.js", -1, NULL, 200);
}

/* Every route with every role.  The expectations are written here, from
 * docs/api.md, not read from the server; the server's own list of routes
 * must hold exactly these. */
static void test_role_table(void **state)
{
    (void)state;
    enum { Y = 1, N = 0 };
    static const struct {
        const char *method, *pattern, *path, *body;
        int ok[NROLES]; /* op opb auth insp anl adm */
        int allowed_status;
    } rows[] = {
        {"GET", "/api/health", "/api/health", NULL, {Y, Y, Y, Y, Y, Y}, 200},
        {"GET", "/api/routes", "/api/routes", NULL, {Y, Y, Y, Y, Y, Y}, 200},
        {"GET", "/api/me", "/api/me", NULL, {Y, Y, Y, Y, Y, Y}, 200},
        {"GET", "/api/states", "/api/states", NULL, {Y, Y, Y, Y, Y, N}, 200},
        {"GET", "/api/facilities", "/api/facilities", NULL, {Y, Y, Y, Y, Y, N}, 200},
        {"POST", "/api/reports", "/api/reports", "not a report", {Y, Y, N, N, N, N}, 400},
        {"GET", "/api/reports", "/api/reports", NULL, {Y, Y, Y, Y, Y, N}, 200},
        {"GET", "/api/reports/{id}", "/api/reports/999999", NULL, {Y, Y, Y, Y, Y, N}, 404},
        {"GET", "/api/balances", "/api/balances", NULL, {Y, Y, Y, Y, Y, N}, 200},
        {"GET", "/api/transfers", "/api/transfers", NULL, {Y, Y, Y, Y, Y, N}, 200},
        {"GET", "/api/charts/muf.svg", "/api/charts/muf.svg", NULL, {Y, Y, Y, Y, Y, N}, 400},
        {"GET", "/api/charts/mbas.svg", "/api/charts/mbas.svg?state=XA", NULL,
         {N, N, Y, Y, Y, N}, 200},
        {"GET", "/api/verify", "/api/verify", NULL, {N, N, Y, Y, Y, Y}, 200},
        {"GET", "/api/audit", "/api/audit", NULL, {N, N, N, N, N, Y}, 200},
        {"GET", "/api/users", "/api/users", NULL, {N, N, N, N, N, Y}, 200},
        {"POST", "/api/users", "/api/users", "{", {N, N, N, N, N, Y}, 400},
        {"POST", "/api/users/{name}/revoke", "/api/users/nobody/revoke", NULL,
         {N, N, N, N, N, Y}, 404},
        {"POST", "/api/users/{name}/token", "/api/users/nobody/token", NULL, {N, N, N, N, N, Y},
         404},
        {"GET", "/api/keys", "/api/keys", NULL, {N, N, Y, N, N, Y}, 200},
        {"POST", "/api/keys", "/api/keys", "{}", {N, N, Y, N, N, Y}, 400},
        {"POST", "/api/keys/{id}/revoke", "/api/keys/0000000000000000/revoke", NULL,
         {N, N, Y, N, N, Y}, 404},
        {"GET", "/api/policies", "/api/policies", NULL, {Y, Y, Y, Y, Y, Y}, 200},
        {"PUT", "/api/policies/{state}", "/api/policies/XA", "{}", {N, N, Y, N, N, Y}, 400},
    };
    size_t nrows = sizeof rows / sizeof rows[0];
    for (size_t i = 0; i < nrows; i++) {
        bool public = !strcmp(rows[i].pattern, "/api/health") ||
                      !strcmp(rows[i].pattern, "/api/routes");
        expect(rows[i].method, rows[i].path, -1, rows[i].body,
               public ? rows[i].allowed_status : 401);
        for (int who = 0; who < NROLES; who++)
            expect(rows[i].method, rows[i].path, who, rows[i].body,
                   rows[i].ok[who] ? rows[i].allowed_status : 403);
    }
    /* the table above covers every route the server has, and no other */
    http_resp r = call("GET", "/api/routes", -1, NULL, NULL);
    json_t *o = body_json(&r);
    json_t *routes = json_object_get(o, "routes");
    assert_int_equal(json_array_size(routes), nrows);
    size_t k;
    json_t *v;
    json_array_foreach(routes, k, v)
    {
        const char *m = json_string_value(json_object_get(v, "method"));
        const char *p = json_string_value(json_object_get(v, "path"));
        bool found = false;
        for (size_t i = 0; i < nrows && !found; i++)
            found = !strcmp(rows[i].method, m) && !strcmp(rows[i].pattern, p);
        if (!found)
            fail_msg("route %s %s has no row in the role table", m, p);
    }
    json_decref(o);
    http_resp_free(&r);
}

/* 0-based count of reports in a /api/reports reply. */
static size_t count_reports(int who, const char *query)
{
    char path[128];
    snprintf(path, sizeof path, "/api/reports%s", query ? query : "");
    http_resp r = call("GET", path, who, NULL, NULL);
    assert_int_equal(r.status, 200);
    json_t *o = body_json(&r);
    size_t n = json_array_size(json_object_get(o, "reports"));
    json_decref(o);
    http_resp_free(&r);
    return n;
}

static void test_need_to_know(void **state)
{
    (void)state;
    assert_int_equal(count_reports(OP, NULL), 1);   /* XA/XAAA only */
    assert_int_equal(count_reports(OPB, NULL), 1);  /* XB/XBAA only */
    assert_int_equal(count_reports(INSP, NULL), 3); /* XA's three MBAs */
    assert_int_equal(count_reports(AUTH, NULL), 3);
    expect("GET", "/api/reports?mba=XA/XABB", OP, NULL, 404);
    expect("GET", "/api/reports?mba=XB/XBAA", INSP, NULL, 404);
    expect("GET", "/api/balances?mba=XB/XBAA", AUTH, NULL, 404);
    expect("GET", "/api/charts/muf.svg?mba=XA/XABB", OP, NULL, 404);
    expect("GET", "/api/charts/mbas.svg?state=XB", INSP, NULL, 404);
    /* report 2 is XA/XABB's PIL: not found for the operator of XAAA */
    expect("GET", "/api/reports/2", OP, NULL, 404);
    expect("GET", "/api/reports/2", INSP, NULL, 200);
    expect("GET", "/api/reports/4", INSP, NULL, 404); /* XB */
    /* the States list holds only what may be read */
    http_resp r = call("GET", "/api/states", OP, NULL, NULL);
    assert_string_equal(r.body, "{\"states\":[{\"state\":\"XA\",\"mbas\":[{\"mba\":\"XAAA\","
                                "\"facility\":\"FA01\",\"type\":\"fuel-fabrication\","
                                "\"reports\":1,\"last_period_end\":\"2025-12-31\"}],"
                                "\"can_read_state\":false}]}\n");
    http_resp_free(&r);
    /* an operator may not submit for an MBA it does not hold */
    char text[512];
    report_text(text, sizeof text, "XA", "FA01", "XABB", 2, "1G");
    http_resp s = call("POST", "/api/reports", OP, NULL, text);
    assert_int_equal(s.status, 403);
    assert_string_equal(s.body, "{\"error\":\"op may not submit reports for MBA XA/XABB\"}\n");
    http_resp_free(&s);
}

/* The first line `custos import` prints for file path, run in F.dir. */
static void cli_first_error(const char *file, const char *text, char *out, size_t size)
{
    char path[600], cmd[1400];
    snprintf(path, sizeof path, "%s/%s", F.dir, file);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' import ledger.db '%s' 2>&1 >/dev/null", F.dir,
             getenv("CUSTOS_BIN"), file);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    out[0] = '\0';
    if (!fgets(out, (int)size, p))
        out[0] = '\0';
    int st = pclose(p);
    assert_int_not_equal(WEXITSTATUS(st), 0);
    out[strcspn(out, "\n")] = '\0';
}

static void test_submit(void **state)
{
    (void)state;
    char text[1024];
    size_t before = count_reports(INSP, NULL);
    /* Code 10 */
    report_text(text, sizeof text, "XA", "FA01", "XAAA", 2, "0.75G");
    http_resp r = call("POST", "/api/reports", OP, NULL, text);
    assert_int_equal(r.status, 201);
    json_t *o = body_json(&r);
    json_t *st = json_array_get(json_object_get(o, "stored"), 0);
    assert_string_equal(json_string_value(json_object_get(st, "type")), "ICR");
    assert_int_equal(json_integer_value(json_object_get(st, "number")), 2);
    char loc[64];
    assert_non_null(http_header(&r, "Location", loc, sizeof loc));
    json_decref(o);
    http_resp_free(&r);
    /* fetched back, it is the same report */
    r = call("GET", loc, OP, NULL, NULL);
    assert_int_equal(r.status, 200);
    o = body_json(&r);
    assert_true(json_is_null(json_object_get(o, "signature")));
    json_decref(o);
    http_resp_free(&r);
    r = call("GET", "/api/reports/5?format=code10", OP, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, text);
    http_resp_free(&r);

    /* CSV and JSON forms of the next two reports, written by the library */
    for (int form = 0; form < 2; form++) {
        report_text(text, sizeof text, "XA", "FA01", "XAAA", 3 + form, "0.5G");
        custos_report *rep = parse(text);
        char buf[4096] = "";
        FILE *mem = fmemopen(buf, sizeof buf, "w");
        custos_writer *w;
        assert_int_equal(custos_writer_new(&w, form ? CUSTOS_FORMAT_JSON : CUSTOS_FORMAT_CSV,
                                           custos_write_file, mem),
                         0);
        assert_int_equal(custos_writer_report(w, rep), 0);
        assert_int_equal(custos_writer_finish(w), 0);
        custos_writer_free(w);
        fclose(mem);
        custos_report_free(rep);
        r = call("POST", "/api/reports", OP,
                 form ? "Content-Type: application/json\r\n" : "Content-Type: text/csv\r\n", buf);
        if (r.status != 201)
            fail_msg("form %d: %d %s", form, r.status, r.body);
        http_resp_free(&r);
    }
    assert_int_equal(count_reports(INSP, NULL), before + 3);

    /* malformed: 400 with the line the CLI prints for the same input, and
     * nothing stored (the report is good but for one label) */
    report_text(text, sizeof text, "XA", "FA01", "XAAA", 5, "0.5G");
    char *bad = strstr(text, "411:LD");
    memcpy(bad, "411:ZZ", 6);
    char cli[1024];
    cli_first_error("api:op", text, cli, sizeof cli);
    r = call("POST", "/api/reports", OP, NULL, text);
    assert_int_equal(r.status, 400);
    o = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(o, "error")), cli);
    json_decref(o);
    http_resp_free(&r);
    /* a history error (a gap in report numbers is a finding; a repeated
     * number an error) */
    report_text(text, sizeof text, "XA", "FA01", "XAAA", 2, "0.75G");
    cli_first_error("api:op", text, cli, sizeof cli);
    r = call("POST", "/api/reports", OP, NULL, text);
    assert_int_equal(r.status, 400);
    o = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(o, "error")), cli);
    json_decref(o);
    http_resp_free(&r);
    /* garbage and a form that does not match the content */
    expect("POST", "/api/reports", OP, "", 400);
    r = call("POST", "/api/reports", OP, "Content-Type: application/json\r\n", "001:OI/XA;9#\n");
    assert_int_equal(r.status, 400);
    http_resp_free(&r);
    assert_int_equal(count_reports(INSP, NULL), before + 3);
}

static void signed_headers(char *h, size_t size, const char *key_id,
                           const unsigned char sig[CUSTOS_SIGNATURE_BYTES])
{
    char b64[CUSTOS_SIGNATURE_B64_LEN + 1];
    custos_signature_encode(b64, sig);
    snprintf(h, size, "X-Custos-Key: %s\r\nX-Custos-Signature: %s\r\n", key_id, b64);
}

static void test_signatures(void **state)
{
    (void)state;
    /* the authority of XA may not set XB's policy; the admin may */
    expect("PUT", "/api/policies/XB", AUTH, "{\"require_signatures\":true}", 403);
    expect("PUT", "/api/policies/XB", ADM, "{\"require_signatures\":true}", 200);

    char text[1024], h[512];
    unsigned char sig[CUSTOS_SIGNATURE_BYTES];
    report_text(text, sizeof text, "XB", "FB01", "XBAA", 2, "2G");
    custos_report *rep = parse(text);

    /* missing when required */
    http_resp r = call("POST", "/api/reports", OPB, NULL, text);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.body, "{\"error\":\"report XB;2: XB requires signed reports and this "
                                "one has no signature\"}\n");
    http_resp_free(&r);
    /* wrong key: XA/FA01's key (registered, another facility) */
    assert_int_equal(custos_report_sign(sig, rep, F.sk_a), 0);
    signed_headers(h, sizeof h, F.key_a, sig);
    r = call("POST", "/api/reports", OPB, h, text);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "belongs to facility XA/FA01"));
    http_resp_free(&r);
    /* wrong key: the right key id with another secret */
    assert_int_equal(custos_report_sign(sig, rep, F.sk_stranger), 0);
    signed_headers(h, sizeof h, F.key_b, sig);
    r = call("POST", "/api/reports", OPB, h, text);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "does not verify"));
    http_resp_free(&r);
    /* an unregistered key */
    signed_headers(h, sizeof h, F.key_stranger, sig);
    r = call("POST", "/api/reports", OPB, h, text);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "not registered"));
    http_resp_free(&r);
    /* tampered: signed, then 2G became 3G on the way */
    assert_int_equal(custos_report_sign(sig, rep, F.sk_b), 0);
    signed_headers(h, sizeof h, F.key_b, sig);
    char tampered[1024];
    snprintf(tampered, sizeof tampered, "%s", text);
    memcpy(strstr(tampered, "630:2G"), "630:3G", 6);
    r = call("POST", "/api/reports", OPB, h, tampered);
    assert_int_equal(r.status, 403);
    http_resp_free(&r);
    /* malformed headers */
    expect("POST", "/api/reports", OPB, text, 403);
    r = call("POST", "/api/reports", OPB, "X-Custos-Key: abc\r\nX-Custos-Signature: !!\r\n", text);
    assert_int_equal(r.status, 400);
    http_resp_free(&r);
    r = call("POST", "/api/reports", OPB, "X-Custos-Key: abc\r\n", text);
    assert_int_equal(r.status, 400);
    http_resp_free(&r);
    assert_int_equal(count_reports(OPB, NULL), 1);
    /* valid; the same signature over the CSV form of the report */
    r = call("POST", "/api/reports", OPB, h, text);
    assert_int_equal(r.status, 201);
    assert_non_null(strstr(r.body, "\"signed\":true"));
    char loc[64];
    assert_non_null(http_header(&r, "Location", loc, sizeof loc));
    http_resp_free(&r);
    r = call("GET", loc, OPB, NULL, NULL);
    json_t *o = body_json(&r);
    json_t *sg = json_object_get(o, "signature");
    assert_string_equal(json_string_value(json_object_get(sg, "key")), F.key_b);
    json_decref(o);
    http_resp_free(&r);
    custos_report_free(rep);

    report_text(text, sizeof text, "XB", "FB01", "XBAA", 3, "1G");
    rep = parse(text);
    assert_int_equal(custos_report_sign(sig, rep, F.sk_b), 0);
    char csv[4096] = "";
    FILE *mem = fmemopen(csv, sizeof csv, "w");
    custos_writer *w;
    assert_int_equal(custos_writer_new(&w, CUSTOS_FORMAT_CSV, custos_write_file, mem), 0);
    assert_int_equal(custos_writer_report(w, rep), 0);
    assert_int_equal(custos_writer_finish(w), 0);
    custos_writer_free(w);
    fclose(mem);
    custos_report_free(rep);
    signed_headers(h, sizeof h, F.key_b, sig);
    r = call("POST", "/api/reports", OPB, h, csv);
    assert_int_equal(r.status, 201);
    http_resp_free(&r);
    assert_int_equal(count_reports(OPB, NULL), 3);

    /* verify over HTTP covers the signatures */
    r = call("GET", "/api/verify", ADM, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"ok\":true"));
    http_resp_free(&r);
}

static int find_audit(json_t *records, const char *who, const char *action, int outcome)
{
    size_t i;
    json_t *v;
    int n = 0;
    json_array_foreach(records, i, v)
    {
        if (!strcmp(json_string_value(json_object_get(v, "who")), who) &&
            !strcmp(json_string_value(json_object_get(v, "action")), action) &&
            json_integer_value(json_object_get(v, "outcome")) == outcome)
            n++;
    }
    return n;
}

static void test_audit_and_admin(void **state)
{
    (void)state;
    /* a user added over the API gets a token that works at once */
    http_resp r = call("POST", "/api/users", ADM, NULL,
                       "{\"name\":\"temp\",\"role\":\"inspector\",\"states\":[\"XA\"]}");
    assert_int_equal(r.status, 201);
    json_t *o = body_json(&r);
    char tok[CUSTOS_TOKEN_MAX], h[256];
    snprintf(tok, sizeof tok, "%s", json_string_value(json_object_get(o, "token")));
    json_decref(o);
    http_resp_free(&r);
    snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", tok);
    http_resp a;
    assert_int_equal(http_once(F.srv.port, "GET", "/api/reports", h, NULL, 0, &a), 0);
    assert_int_equal(a.status, 200);
    http_resp_free(&a);
    /* revoked over the API: refused on the next request, cache or not */
    expect("POST", "/api/users/temp/revoke", ADM, NULL, 200);
    assert_int_equal(http_once(F.srv.port, "GET", "/api/reports", h, NULL, 0, &a), 0);
    assert_int_equal(a.status, 401);
    http_resp_free(&a);
    expect("POST", "/api/users", ADM, "{\"name\":\"temp\",\"role\":\"admin\"}", 409);

    /* the audit log holds reads, changes and refusals with their outcome;
     * appended by the writer in batches, so give it a moment */
    usleep(300000);
    r = call("GET", "/api/audit?limit=10000", ADM, NULL, NULL);
    assert_int_equal(r.status, 200);
    o = body_json(&r);
    json_t *rec = json_object_get(o, "records");
    assert_true(find_audit(rec, "op", "POST /api/reports", 201) >= 3);
    assert_true(find_audit(rec, "op", "POST /api/reports", 400) >= 2);
    assert_true(find_audit(rec, "op", "POST /api/reports", 403) >= 1);
    assert_true(find_audit(rec, "opb", "POST /api/reports", 403) >= 4);
    assert_true(find_audit(rec, "op", "GET /api/verify", 403) >= 1);
    assert_true(find_audit(rec, "op", "GET /api/reports", 401) >= 1); /* bad secret */
    assert_true(find_audit(rec, "adm", "POST /api/users", 201) == 1);
    assert_true(find_audit(rec, "adm", "POST /api/users", 409) == 1);
    assert_true(find_audit(rec, "temp", "GET /api/reports", 401) == 1);
    assert_true(find_audit(rec, "insp", "GET /api/reports/{id}", 200) >= 1);
    assert_true(find_audit(rec, "adm", "PUT /api/policies/{state}", 200) == 1);
    json_decref(o);
    http_resp_free(&r);
}

static void test_charts_and_states(void **state)
{
    (void)state;
    http_resp r = call("GET", "/api/charts/muf.svg?mba=XA/XAAA", INSP, NULL, NULL);
    assert_int_equal(r.status, 200);
    char ct[64];
    assert_non_null(http_header(&r, "Content-Type", ct, sizeof ct));
    assert_string_equal(ct, "image/svg+xml; charset=utf-8");
    assert_int_equal(strncmp(r.body, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39), 0);
    assert_non_null(strstr(r.body, "<title id=\"muf-XAAA-title\">MUF, XA/XAAA</title>"));
    http_resp_free(&r);
    r = call("GET", "/api/charts/mbas.svg?state=XA", AUTH, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "class=\"custos-chart\""));
    http_resp_free(&r);
    expect("GET", "/api/charts/muf.svg?mba=XA/XAAA&element=Q", INSP, NULL, 400);
}

/* Last: stop the server cleanly, then check its ledger from outside. */
static void test_stop_and_verify(void **state)
{
    (void)state;
    assert_int_equal(server_stop(&F.srv), 0);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "'%s' verify '%s' >/dev/null && '%s' audit '%s' --verify >/dev/null",
             getenv("CUSTOS_BIN"), F.db, getenv("CUSTOS_BIN"), F.db);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    if (!getenv("CUSTOS_BIN")) {
        fprintf(stderr, "test_api: CUSTOS_BIN is not set\n");
        return 1;
    }
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipeline),      cmocka_unit_test(test_role_table),
        cmocka_unit_test(test_need_to_know),  cmocka_unit_test(test_submit),
        cmocka_unit_test(test_signatures),    cmocka_unit_test(test_audit_and_admin),
        cmocka_unit_test(test_charts_and_states), cmocka_unit_test(test_stop_and_verify),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
