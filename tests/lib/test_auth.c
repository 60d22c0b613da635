/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_auth.c: users, roles, scopes and tokens: role rules, tokens stored
 * only as Argon2id hashes, revocation and reissue, need-to-know decisions
 * table by table, the audit log and its chain, tampering found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "custos/audit.h"
#include "custos/auth.h"
#include "custos/document.h"
#include "custos/ledger.h"

static custos_ledger *open_mem(void)
{
    custos_ledger *l = NULL;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE | CUSTOS_OPEN_SCRATCH),
                     CUSTOS_OK);
    return l;
}

static void test_role_rules(void **state)
{
    (void)state;
    custos_role r;
    assert_int_equal(custos_role_parse(&r, "inspector"), 0);
    assert_int_equal(r, CUSTOS_ROLE_INSPECTOR);
    assert_string_equal(custos_role_name(CUSTOS_ROLE_ANALYST), "analyst");
    assert_int_equal(custos_role_parse(&r, "root"), CUSTOS_EINVAL);

    custos_user u;
    custos_user_init(&u, "op1", CUSTOS_ROLE_OPERATOR);
    assert_int_equal(custos_user_check(&u), CUSTOS_EINVAL); /* no MBA */
    assert_int_equal(custos_user_add_mba(&u, "XAFF"), CUSTOS_EINVAL);
    assert_int_equal(custos_user_add_mba(&u, "XA/XAFF"), 0);
    assert_int_equal(custos_user_add_mba(&u, "XA/XAFF"), 0); /* duplicate ignored */
    assert_int_equal(u.nmbas, 1);
    assert_int_equal(custos_user_check(&u), 0);
    assert_int_equal(custos_user_add_state(&u, "XA"), 0);
    assert_int_equal(custos_user_check(&u), CUSTOS_EINVAL); /* operator with a State */

    custos_user_init(&u, "auth", CUSTOS_ROLE_AUTHORITY);
    assert_int_equal(custos_user_add_state(&u, "XA"), 0);
    assert_int_equal(custos_user_check(&u), 0);
    assert_int_equal(custos_user_add_state(&u, "XB"), 0);
    assert_int_equal(custos_user_check(&u), CUSTOS_EINVAL); /* one State only */

    custos_user_init(&u, "insp", CUSTOS_ROLE_INSPECTOR);
    assert_int_equal(custos_user_add_state(&u, "xa"), CUSTOS_EINVAL);
    assert_int_equal(custos_user_add_state(&u, "XA"), 0);
    assert_int_equal(custos_user_check(&u), 0);
    assert_int_equal(custos_user_add_compartment(&u, "TP-XB"), 0);
    assert_int_equal(custos_user_check(&u), CUSTOS_EINVAL); /* compartments: analysts */

    custos_user_init(&u, "adm", CUSTOS_ROLE_ADMIN);
    assert_int_equal(custos_user_check(&u), 0);
    assert_int_equal(custos_user_add_state(&u, "XA"), 0);
    assert_int_equal(custos_user_check(&u), CUSTOS_EINVAL); /* admins see no material data */

    custos_user_init(&u, "Bad Name", CUSTOS_ROLE_ADMIN);
    assert_int_equal(custos_user_check(&u), CUSTOS_EINVAL);
    custos_user_init(&u, "a", CUSTOS_ROLE_ANALYST);
    assert_int_equal(custos_user_add_compartment(&u, "bad compartment"), CUSTOS_EINVAL);
    for (int i = 0; i < CUSTOS_USER_MAX_STATES; i++) {
        char st[3] = {'A', (char)('A' + i), 0};
        assert_int_equal(custos_user_add_state(&u, st), 0);
    }
    assert_int_equal(custos_user_add_state(&u, "ZZ"), CUSTOS_ETOOBIG);
}

/* Tokens: shown once, stored as Argon2id only, revocable, reissuable. */
static void test_tokens(void **state)
{
    (void)state;
    custos_ledger *l = open_mem();
    custos_user u, got;
    custos_user_init(&u, "alice", CUSTOS_ROLE_OPERATOR);
    assert_int_equal(custos_user_add_mba(&u, "XA/XAFF"), 0);
    char token[CUSTOS_TOKEN_MAX];
    assert_int_equal(custos_user_add(l, &u, "test", token), 0);
    assert_int_equal(strncmp(token, "cst1.alice.", 11), 0);
    assert_int_equal(strlen(token), 11 + 43);
    char claimed[CUSTOS_USER_NAME_MAX + 1];
    custos_auth_token_user(claimed, token);
    assert_string_equal(claimed, "alice");
    assert_int_equal(custos_user_add(l, &u, "test", token), CUSTOS_EEXISTS);

    /* the stored document holds the Argon2id hash and never the token */
    char *text;
    size_t len;
    assert_int_equal(custos_ledger_document_load(&text, &len, NULL, l, "user", "alice", 0), 0);
    assert_non_null(strstr(text, "\"token_hash\":\"$argon2id$"));
    const char *secret = token + 11;
    assert_null(strstr(text, secret));
    custos_free(text);

    assert_int_equal(custos_auth_token(&got, l, token), 0);
    assert_string_equal(got.name, "alice");
    assert_int_equal(got.role, CUSTOS_ROLE_OPERATOR);
    assert_string_equal(got.mbas[0], "XA/XAFF");
    assert_int_equal(got.version, 1);

    /* wrong secret, unknown user, malformed: one answer */
    char bad[CUSTOS_TOKEN_MAX];
    memcpy(bad, token, sizeof bad);
    bad[20] = bad[20] == 'A' ? 'B' : 'A';
    assert_int_equal(custos_auth_token(&got, l, bad), CUSTOS_EFORBIDDEN);
    assert_string_equal(custos_last_error(), "invalid or revoked token");
    assert_int_equal(custos_auth_token(&got, l, "cst1.bob.xxxx"), CUSTOS_EFORBIDDEN);
    assert_string_equal(custos_last_error(), "invalid or revoked token");
    assert_int_equal(custos_auth_token(&got, l, "garbage"), CUSTOS_EFORBIDDEN);

    /* reissue: the old token stops working */
    char token2[CUSTOS_TOKEN_MAX];
    assert_int_equal(custos_user_reissue(l, "alice", "test", token2), 0);
    assert_string_not_equal(token, token2);
    assert_int_equal(custos_auth_token(&got, l, token), CUSTOS_EFORBIDDEN);
    assert_int_equal(custos_auth_token(&got, l, token2), 0);
    assert_int_equal(got.version, 2);

    /* revoke: no token works; reissue refused; history kept */
    assert_int_equal(custos_user_revoke(l, "alice", "test"), 0);
    assert_int_equal(custos_auth_token(&got, l, token2), CUSTOS_EFORBIDDEN);
    assert_int_equal(custos_user_reissue(l, "alice", "test", token2), CUSTOS_EINVAL);
    assert_int_equal(custos_user_get(&got, l, "alice"), 0);
    assert_false(got.active);
    assert_int_equal(got.version, 3);
    assert_int_equal(custos_user_revoke(l, "nobody", "test"), CUSTOS_ENOTFOUND);

    /* update keeps the token: a second user */
    custos_user b;
    custos_user_init(&b, "bob", CUSTOS_ROLE_INSPECTOR);
    assert_int_equal(custos_user_add_state(&b, "XA"), 0);
    assert_int_equal(custos_user_add(l, &b, "test", token), 0);
    assert_int_equal(custos_user_add_state(&b, "XB"), 0);
    assert_int_equal(custos_user_update(l, &b, "test"), 0);
    assert_int_equal(custos_auth_token(&got, l, token), 0);
    assert_int_equal(got.nstates, 2);

    custos_user *all;
    size_t n;
    assert_int_equal(custos_users_list(&all, &n, l), 0);
    assert_int_equal(n, 2);
    assert_string_equal(all[0].name, "alice");
    assert_string_equal(all[1].name, "bob");
    custos_free(all);

    /* every change is chained: verify holds, and catches an edited role */
    custos_verify_result vr;
    assert_int_equal(custos_ledger_verify(l, NULL, &vr, NULL, NULL), 0);
    assert_int_equal(vr.items, 5); /* alice 1-3, bob 1-2 */
    sqlite3 *db = custos_ledger_db(l);
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER documents_no_update", NULL, NULL, NULL), 0);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE documents SET document=replace(document,'inspector',"
                                  "'admin') WHERE kind='user' AND name='bob'",
                                  NULL, NULL, NULL),
                     0);
    assert_int_equal(custos_ledger_verify(l, NULL, &vr, NULL, NULL), CUSTOS_ETAMPER);
    custos_ledger_free(l);
}

/* Need-to-know, one row per (role, question). */
static void test_need_to_know(void **state)
{
    (void)state;
    custos_user op, au, in, an, ad;
    custos_user_init(&op, "op", CUSTOS_ROLE_OPERATOR);
    custos_user_add_mba(&op, "XA/XAFF");
    custos_user_init(&au, "au", CUSTOS_ROLE_AUTHORITY);
    custos_user_add_state(&au, "XA");
    custos_user_init(&in, "in", CUSTOS_ROLE_INSPECTOR);
    custos_user_add_state(&in, "XA");
    custos_user_add_state(&in, "XC");
    custos_user_init(&an, "an", CUSTOS_ROLE_ANALYST);
    custos_user_add_state(&an, "XA");
    custos_user_add_compartment(&an, "XA-SG");
    custos_user_add_compartment(&an, "TP-XB");
    custos_user_init(&ad, "ad", CUSTOS_ROLE_ADMIN);
    const struct {
        const custos_user *u;
        const char *state, *mba;
        bool read, submit, state_read, manage;
    } rows[] = {
        {&op, "XA", "XAFF", true, true, false, false},
        {&op, "XA", "XAFG", false, false, false, false}, /* another MBA of its State */
        {&op, "XB", "XAFF", false, false, false, false}, /* same code, other State */
        {&au, "XA", "XAFF", true, false, true, true},
        {&au, "XB", "XBFF", false, false, false, false},
        {&in, "XA", "XAFF", true, false, true, false},
        {&in, "XC", "XCRR", true, false, true, false},
        {&in, "XB", "XBFF", false, false, false, false},
        {&an, "XA", "XAFF", true, false, true, false},
        {&an, "XB", "XBFF", false, false, false, false},
        {&ad, "XA", "XAFF", false, false, false, true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const custos_user *u = rows[i].u;
        if (custos_user_can_read_mba(u, rows[i].state, rows[i].mba) != rows[i].read ||
            custos_user_can_submit(u, rows[i].state, rows[i].mba) != rows[i].submit ||
            custos_user_can_read_state(u, rows[i].state) != rows[i].state_read ||
            custos_user_can_manage_state(u, rows[i].state) != rows[i].manage)
            fail_msg("row %zu: %s on %s/%s", i, u->name, rows[i].state, rows[i].mba);
    }
    /* information items: analysts in the item's compartment only; a third
     * party's item stays in its originator's compartment */
    assert_true(custos_user_can_see_item(&an, "XA-SG"));
    assert_true(custos_user_can_see_item(&an, "TP-XB"));
    assert_false(custos_user_can_see_item(&an, "TP-XC"));
    assert_false(custos_user_can_see_item(&in, "XA-SG"));
    assert_false(custos_user_can_see_item(&ad, "XA-SG"));
    /* a revoked user reads nothing */
    in.active = false;
    assert_false(custos_user_can_read_mba(&in, "XA", "XAFF"));
}

static int collect(void *ctx, const custos_audit_record *r)
{
    char *out = ctx;
    size_t n = strlen(out);
    snprintf(out + n, 4096 - n, "%lld %s %s %s %s %d %s|", (long long)r->seq, r->who, r->role,
             r->action, r->target, r->outcome, r->detail);
    return 0;
}

static void test_audit(void **state)
{
    (void)state;
    custos_ledger *l = open_mem();
    custos_audit_record v[3] = {
        {.who = "alice", .role = "operator", .action = "POST /api/reports",
         .target = "XA/XAFF;1", .outcome = 201, .detail = "stored report 1", .remote = "127.0.0.1"},
        {.who = "bob", .role = "inspector", .action = "GET /api/balances", .target = "XA",
         .outcome = 200, .detail = "", .remote = "127.0.0.1"},
        {.who = "-", .action = "GET /api/reports", .target = "/api/reports", .outcome = 401,
         .detail = "invalid or revoked token"},
    };
    assert_int_equal(custos_audit_append(l, v, 2), 0);
    assert_int_equal(custos_audit_append(l, v + 2, 1), 0);
    assert_int_equal(v[0].seq, 1);
    assert_int_equal(v[2].seq, 3);
    assert_int_equal(strlen(v[2].at), 20);
    char out[4096] = "";
    assert_int_equal(custos_audit_list(l, 0, 0, collect, out), 0);
    assert_string_equal(out, "1 alice operator POST /api/reports XA/XAFF;1 201 stored report 1|"
                             "2 bob inspector GET /api/balances XA 200 |"
                             "3 -  GET /api/reports /api/reports 401 invalid or revoked token|");
    out[0] = '\0';
    assert_int_equal(custos_audit_list(l, 1, 1, collect, out), 0);
    assert_string_equal(out, "2 bob inspector GET /api/balances XA 200 |");
    custos_audit_verify_result r;
    assert_int_equal(custos_audit_verify(l, &r), 0);
    assert_int_equal(r.records, 3);
    assert_int_equal(strlen(r.head), 64);

    /* long fields are cut at a UTF-8 boundary and still verify */
    char big[2000];
    memset(big, 'x', sizeof big);
    memcpy(big + 510, "\xcf\x83\xcf\x83", 4);
    big[sizeof big - 1] = '\0';
    custos_audit_record lg = {.who = "x", .action = big, .target = big, .detail = big};
    assert_int_equal(custos_audit_append(l, &lg, 1), 0);
    assert_int_equal(custos_audit_verify(l, &r), 0);

    /* tampering: triggers refuse; past them, verify names the record */
    sqlite3 *db = custos_ledger_db(l);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET outcome=200 WHERE seq=3", NULL, NULL,
                                      NULL),
                         0);
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER audit_no_update", NULL, NULL, NULL), 0);
    assert_int_equal(sqlite3_exec(db, "UPDATE audit SET outcome=200 WHERE seq=3", NULL, NULL, NULL),
                     0);
    assert_int_equal(custos_audit_verify(l, &r), CUSTOS_ETAMPER);
    assert_non_null(strstr(custos_last_error(), "audit record 3"));
    /* ledger verify covers the audit log too */
    assert_int_equal(custos_ledger_verify(l, NULL, NULL, NULL, NULL), CUSTOS_ETAMPER);
    assert_int_equal(sqlite3_exec(db, "UPDATE audit SET outcome=401 WHERE seq=3", NULL, NULL, NULL),
                     0);
    assert_int_equal(custos_audit_verify(l, &r), 0);
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER audit_no_delete", NULL, NULL, NULL), 0);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM audit WHERE seq=2", NULL, NULL, NULL), 0);
    assert_int_equal(custos_audit_verify(l, &r), CUSTOS_ETAMPER);
    assert_non_null(strstr(custos_last_error(), "audit record 2 is missing"));
    custos_ledger_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_rules),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_need_to_know),
        cmocka_unit_test(test_audit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
