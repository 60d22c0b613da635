/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_document.c: versioned documents in the ledger: versions, listing,
 * loading, the hash chain over them, and tampering found by verify.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "custos/document.h"
#include "custos/ledger.h"

static custos_ledger *open_mem(void)
{
    custos_ledger *l = NULL;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE | CUSTOS_OPEN_SCRATCH),
                     CUSTOS_OK);
    return l;
}

static void add(custos_ledger *l, const char *kind, const char *name, const char *text,
                int want_version)
{
    custos_document_ref ref;
    assert_int_equal(custos_ledger_document_add(l, kind, name, "test", text, strlen(text), &ref),
                     CUSTOS_OK);
    assert_int_equal(ref.version, want_version);
    assert_string_equal(ref.kind, kind);
    assert_string_equal(ref.name, name);
    assert_true(ref.seq > 0);
    assert_int_equal((int)strlen(ref.stored_at), 20);
}

static void test_versions(void **state)
{
    (void)state;
    custos_ledger *l = open_mem();
    add(l, "agreement", "pmda", "{\"v\":1}", 1);
    add(l, "agreement", "heu", "{\"h\":1}", 1);
    add(l, "agreement", "pmda", "{\"v\":2}", 2);
    add(l, "info", "pmda", "{\"i\":1}", 1);

    custos_document_ref *v;
    size_t n;
    assert_int_equal(custos_ledger_documents(&v, &n, l, "agreement"), CUSTOS_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].name, "heu");
    assert_string_equal(v[1].name, "pmda");
    assert_int_equal(v[1].version, 2);
    custos_free(v);
    assert_int_equal(custos_ledger_document_history(&v, &n, l, NULL), CUSTOS_OK);
    assert_int_equal(n, 4);
    assert_string_equal(v[3].kind, "info");
    custos_free(v);

    char *text;
    size_t len;
    custos_document_ref ref;
    assert_int_equal(custos_ledger_document_load(&text, &len, &ref, l, "agreement", "pmda", 0),
                     CUSTOS_OK);
    assert_string_equal(text, "{\"v\":2}");
    assert_int_equal(len, 7);
    assert_int_equal(ref.version, 2);
    custos_free(text);
    assert_int_equal(custos_ledger_document_load(&text, &len, NULL, l, "agreement", "pmda", 1),
                     CUSTOS_OK);
    assert_string_equal(text, "{\"v\":1}");
    custos_free(text);
    assert_int_equal(custos_ledger_document_load(&text, &len, NULL, l, "agreement", "pmda", 3),
                     CUSTOS_ENOTFOUND);
    assert_null(text);
    assert_int_equal(custos_ledger_document_load(&text, &len, NULL, l, "state", "pmda", 0),
                     CUSTOS_ENOTFOUND);

    custos_verify_result vr;
    assert_int_equal(custos_ledger_verify(l, NULL, &vr, NULL, NULL), CUSTOS_OK);
    assert_int_equal(vr.items, 4);
    custos_ledger_free(l);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    custos_ledger *l = open_mem();
    custos_document_ref ref;
    assert_int_equal(custos_ledger_document_add(l, "report", "x", NULL, "{}", 2, &ref),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_ledger_document_add(l, "Agreement", "x", NULL, "{}", 2, &ref),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_ledger_document_add(l, "agreement", "", NULL, "{}", 2, &ref),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_ledger_document_add(l, "agreement", "a\nb", NULL, "{}", 2, &ref),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_ledger_document_add(l, "agreement", "x", NULL, "", 0, &ref),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_ledger_document_add(l, "agreement", "x", NULL, "{\0}", 3, &ref),
                     CUSTOS_EINVAL);
    custos_document_ref *v;
    size_t n;
    assert_int_equal(custos_ledger_document_history(&v, &n, l, NULL), CUSTOS_OK);
    assert_int_equal(n, 0);
    custos_free(v);
    custos_ledger_free(l);
}

/* Change, delete and insert document rows behind custos's back. */
static void tamper(const char *sql, const char *expect)
{
    custos_ledger *l = open_mem();
    add(l, "agreement", "a", "{\"limit\":300}", 1);
    add(l, "agreement", "b", "{\"limit\":5}", 1);
    sqlite3 *db = custos_ledger_db(l);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP TRIGGER documents_no_update; DROP TRIGGER "
                                  "documents_no_delete;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(custos_ledger_verify(l, NULL, NULL, NULL, NULL), CUSTOS_ETAMPER);
    if (!strstr(custos_last_error(), expect))
        fail_msg("verify said '%s', expected '%s'", custos_last_error(), expect);
    custos_ledger_free(l);
}

static void test_tamper(void **state)
{
    (void)state;
    tamper("UPDATE documents SET document='{\"limit\":3000}' WHERE name='a'",
           "no longer match the hash");
    tamper("DELETE FROM documents WHERE name='b'", "has no row");
    tamper("INSERT INTO documents(kind, name, version, document) VALUES('agreement','c',1,'{}')",
           "is not in the chain");
    tamper("UPDATE documents SET kind='info' WHERE name='a'", "chain link 1");
}

static void test_append_only(void **state)
{
    (void)state;
    custos_ledger *l = open_mem();
    add(l, "agreement", "a", "{}", 1);
    assert_int_not_equal(sqlite3_exec(custos_ledger_db(l), "UPDATE documents SET version=5", NULL,
                                      NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(
        sqlite3_exec(custos_ledger_db(l), "DELETE FROM documents", NULL, NULL, NULL), SQLITE_OK);
    custos_ledger_free(l);
}

int main(void)
{
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_append_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
