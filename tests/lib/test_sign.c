/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sign.c: signed submissions.  Key files, Ed25519 over the canonical
 * text (an RFC 8032 test vector checks the primitive), the key registry
 * and the State policy, and custos_ledger_submit(): valid, wrong key,
 * another facility's key, revoked key, tampered report, missing when
 * required; a batch in which refused submissions leave the others whole;
 * verify catching a changed signature or a changed signed report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "custos/format.h"
#include "custos/ledger.h"
#include "custos/sign.h"

static const char *pil =
    "001:OI/XA;1#002:1/1#003:20251231#006:DOE,J#010:P#015:20251231#207:FA01#307:XAAA#309:N#"
    "407:1#430:O/G/U/C#446:P1#469:M#470:1#630:1000G#670:40G#\n";

/* ICR number n for month n - 1 of 2026 (n = 2..7), one loss entry. */
static custos_report *icr(int n, const char *grams)
{
    static const int last[] = {31, 28, 31, 30, 31, 30};
    char text[512];
    int m = n - 1, e = last[(n - 2) % 6];
    snprintf(text, sizeof text,
             "001:OI/XA;%d#002:1/1#003:2026%02d%02d#006:DOE,J#010:I#015:2026%02d01/2026%02d%02d#"
             "207:FA01#307:XAAA#309:N#407:1#411:LD#412:2026%02d15#430:U/J/6/E#446:D%d#469:M#"
             "470:0#630:%s#670:0.03G#\n",
             n, m, e, m, m, e, m, n, grams);
    custos_reader *rd;
    custos_report *r = NULL;
    assert_int_equal(custos_reader_open_memory(&rd, "icr", text, strlen(text), CUSTOS_FORMAT_AUTO),
                     0);
    assert_int_equal(custos_reader_next(&r, rd, NULL), 1);
    custos_reader_free(rd);
    assert_int_equal(custos_report_set_source(r, "api:test"), 0);
    return r;
}

static custos_ledger *base_ledger(void)
{
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE | CUSTOS_OPEN_SCRATCH),
                     0);
    custos_reader *rd;
    assert_int_equal(custos_reader_open_memory(&rd, "pil", pil, strlen(pil), CUSTOS_FORMAT_AUTO),
                     0);
    assert_int_equal(custos_ledger_import(l, rd, NULL, NULL), 0);
    custos_reader_free(rd);
    return l;
}

typedef struct keypair {
    unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES], sk[CUSTOS_SECRET_KEY_BYTES];
    char id[CUSTOS_KEY_ID_LEN + 1];
} keypair;

static void new_key(keypair *k)
{
    char *pub, *sec;
    assert_int_equal(custos_sign_keypair(&pub, &sec, k->id), 0);
    assert_int_equal(custos_sign_read_public(k->pk, pub, strlen(pub)), 0);
    assert_int_equal(custos_sign_read_secret(k->sk, sec, strlen(sec)), 0);
    char id[CUSTOS_KEY_ID_LEN + 1];
    custos_sign_key_id(id, k->pk);
    assert_string_equal(id, k->id);
    custos_free(pub);
    custos_sign_wipe_free(sec);
}

/* RFC 8032 section 7.1, TEST 2: the primitive custos signs with. */
static void test_rfc8032(void **state)
{
    (void)state;
    unsigned char seed[32], pk[32], sk[64], sig[64], want[64], want_pk[32];
    const unsigned char msg = 0x72;
    assert_int_equal(sodium_hex2bin(seed, 32,
                                    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                                    64, NULL, NULL, NULL),
                     0);
    assert_int_equal(sodium_hex2bin(want_pk, 32,
                                    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
                                    64, NULL, NULL, NULL),
                     0);
    assert_int_equal(
        sodium_hex2bin(want, 64,
                       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                       "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
                       128, NULL, NULL, NULL),
        0);
    crypto_sign_seed_keypair(pk, sk, seed);
    assert_memory_equal(pk, want_pk, 32);
    crypto_sign_detached(sig, NULL, &msg, 1, sk);
    assert_memory_equal(sig, want, 64);
}

static void test_key_files(void **state)
{
    (void)state;
    keypair k;
    new_key(&k);
    unsigned char pk[32], sk[64];
    assert_int_equal(custos_sign_read_public(pk, "hello\n", 6), CUSTOS_EINVAL);
    assert_int_equal(custos_sign_read_public(pk, "custos-ed25519-public v1\nAAAA\n", 30),
                     CUSTOS_EINVAL);
    /* a secret whose public half was swapped is refused */
    char *pub, *sec;
    char id[CUSTOS_KEY_ID_LEN + 1];
    assert_int_equal(custos_sign_keypair(&pub, &sec, id), 0);
    unsigned char raw[64];
    assert_int_equal(custos_sign_read_secret(raw, sec, strlen(sec)), 0);
    memcpy(raw + 32, k.pk, 32);
    char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, raw, 64, sodium_base64_VARIANT_ORIGINAL);
    char text[200];
    snprintf(text, sizeof text, "custos-ed25519-secret v1\n%s\n", b64);
    assert_int_equal(custos_sign_read_secret(sk, text, strlen(text)), CUSTOS_EINVAL);
    custos_free(pub);
    custos_sign_wipe_free(sec);

    /* signatures: base64 round trip, tampered report refused */
    custos_report *r = icr(2, "0.75G");
    unsigned char sig[64], back[64];
    assert_int_equal(custos_report_sign(sig, r, k.sk), 0);
    char enc[CUSTOS_SIGNATURE_B64_LEN + 1];
    custos_signature_encode(enc, sig);
    assert_int_equal(strlen(enc), CUSTOS_SIGNATURE_B64_LEN);
    assert_int_equal(custos_signature_decode(back, enc), 0);
    assert_memory_equal(sig, back, 64);
    assert_int_equal(custos_signature_decode(back, "AAAA"), CUSTOS_EINVAL);
    assert_int_equal(custos_report_verify(r, sig, k.pk), 0);
    r->entries[0].mg[3] /* label 630 */ += 1; /* one milligram more */
    assert_int_equal(custos_report_verify(r, sig, k.pk), CUSTOS_EINVAL);
    custos_report_free(r);
}

static int submit1(custos_ledger *l, custos_report *r, const char *key_id,
                   const unsigned char *sig, custos_stored *st)
{
    custos_submission s;
    memset(&s, 0, sizeof s);
    s.reports = &r;
    s.n = 1;
    s.key_id = key_id;
    if (sig)
        memcpy(s.signature, sig, 64);
    s.stored = st;
    assert_int_equal(custos_ledger_submit(l, &s, 1), 0);
    return s.err;
}

static void test_policy_and_submission(void **state)
{
    (void)state;
    custos_ledger *l = base_ledger();
    keypair k, other, stranger;
    new_key(&k);
    new_key(&other);
    new_key(&stranger);
    custos_signing_key sk;
    assert_int_equal(custos_ledger_key_add(l, "XA", "FA01", k.pk, "test", &sk), 0);
    assert_string_equal(sk.key_id, k.id);
    assert_int_equal(custos_ledger_key_add(l, "XA", "FA01", k.pk, "test", NULL), CUSTOS_EEXISTS);
    assert_int_equal(custos_ledger_key_add(l, "XA", "FB02", other.pk, "test", NULL), 0);
    assert_int_equal(custos_ledger_key_add(l, "xa", "FB02", stranger.pk, "test", NULL),
                     CUSTOS_EINVAL);

    custos_policy p;
    assert_int_equal(custos_ledger_policy_get(&p, l, "XA"), 0);
    assert_false(p.require_signatures);
    assert_int_equal(p.version, 0);

    /* no policy: unsigned accepted */
    custos_report *r2 = icr(2, "0.75G");
    assert_int_equal(submit1(l, r2, NULL, NULL, NULL), 0);

    p.require_signatures = true;
    assert_int_equal(custos_ledger_policy_set(l, &p, "test"), 0);
    assert_int_equal(custos_ledger_policy_get(&p, l, "XA"), 0);
    assert_true(p.require_signatures);
    assert_int_equal(p.version, 1);

    custos_report *r3 = icr(3, "0.5G");
    unsigned char sig[64];
    /* missing when required */
    assert_int_equal(submit1(l, r3, NULL, NULL, NULL), CUSTOS_EFORBIDDEN);
    assert_non_null(strstr(custos_last_error(), "XA requires signed reports"));
    /* wrong key: signed by the registered key of another facility */
    assert_int_equal(custos_report_sign(sig, r3, other.sk), 0);
    assert_int_equal(submit1(l, r3, other.id, sig, NULL), CUSTOS_EFORBIDDEN);
    assert_non_null(strstr(custos_last_error(), "belongs to facility XA/FB02"));
    /* wrong key: the right key id, the signature of another secret */
    assert_int_equal(custos_report_sign(sig, r3, stranger.sk), 0);
    assert_int_equal(submit1(l, r3, k.id, sig, NULL), CUSTOS_EFORBIDDEN);
    assert_non_null(strstr(custos_last_error(), "does not verify"));
    /* an unregistered key */
    assert_int_equal(submit1(l, r3, stranger.id, sig, NULL), CUSTOS_EFORBIDDEN);
    assert_non_null(strstr(custos_last_error(), "not registered"));
    /* tampered report: signed, then changed */
    assert_int_equal(custos_report_sign(sig, r3, k.sk), 0);
    r3->entries[0].mg[3] /* label 630 */ += 1000;
    assert_int_equal(submit1(l, r3, k.id, sig, NULL), CUSTOS_EFORBIDDEN);
    r3->entries[0].mg[3] /* label 630 */ -= 1000;
    /* valid */
    custos_stored st;
    assert_int_equal(submit1(l, r3, k.id, sig, &st), 0);
    bool found;
    char kid[CUSTOS_KEY_ID_LEN + 1];
    unsigned char got[64];
    assert_int_equal(custos_ledger_signature(&found, kid, got, l, st.id), 0);
    assert_true(found);
    assert_string_equal(kid, k.id);
    assert_memory_equal(got, sig, 64);
    assert_int_equal(custos_ledger_signature(&found, kid, got, l, st.id - 1), 0);
    assert_false(found); /* report 2 came unsigned */

    /* revoked key: refused from now on; the stored signature stays valid */
    assert_int_equal(custos_ledger_key_revoke(l, k.id, "test"), 0);
    custos_report *r4 = icr(4, "0.25G");
    assert_int_equal(custos_report_sign(sig, r4, k.sk), 0);
    assert_int_equal(submit1(l, r4, k.id, sig, NULL), CUSTOS_EFORBIDDEN);
    assert_non_null(strstr(custos_last_error(), "revoked"));

    custos_verify_result vr;
    assert_int_equal(custos_ledger_verify(l, NULL, &vr, NULL, NULL), 0);
    assert_int_equal(vr.reports, 3);
    /* chain: pil, 3 key versions, 1 policy... and one signature link */
    custos_signing_key *keys;
    size_t nk;
    assert_int_equal(custos_ledger_keys(&keys, &nk, l), 0);
    assert_int_equal(nk, 2);
    custos_free(keys);

    /* tampering with a signed report's rows or with its signature */
    sqlite3 *db = custos_ledger_db(l);
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER signatures_no_update", NULL, NULL, NULL), 0);
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE signatures SET signature = zeroblob(64) WHERE report_id = %lld",
             (long long)st.id);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), 0);
    assert_int_equal(custos_ledger_verify(l, NULL, &vr, NULL, NULL), CUSTOS_ETAMPER);
    char hex[129];
    sodium_bin2hex(hex, sizeof hex, got, 64);
    snprintf(sql, sizeof sql, "UPDATE signatures SET signature = x'%s'", hex);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), 0);
    assert_int_equal(custos_ledger_verify(l, NULL, &vr, NULL, NULL), 0);
    /* the signed report's rows changed: its signature no longer verifies */
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER entries_no_update", NULL, NULL, NULL), 0);
    snprintf(sql, sizeof sql, "UPDATE entries SET w630 = w630 + 1 WHERE report_id = %lld",
             (long long)st.id);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), 0);
    assert_int_equal(custos_ledger_verify(l, NULL, &vr, NULL, NULL), CUSTOS_ETAMPER);
    snprintf(sql, sizeof sql, "UPDATE entries SET w630 = w630 - 1 WHERE report_id = %lld",
             (long long)st.id);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), 0);
    assert_int_equal(custos_ledger_verify(l, NULL, &vr, NULL, NULL), 0);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM signatures", NULL, NULL, NULL), 0);
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER signatures_no_delete", NULL, NULL, NULL), 0);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM signatures", NULL, NULL, NULL), 0);
    assert_int_equal(custos_ledger_verify(l, NULL, &vr, NULL, NULL), CUSTOS_ETAMPER);
    assert_non_null(strstr(custos_last_error(), "signature"));

    custos_report_free(r2);
    custos_report_free(r3);
    custos_report_free(r4);
    custos_ledger_free(l);
}

/* A batch: refused submissions roll back alone, the others are stored
 * whole, and the chain stays one unbroken sequence. */
static void test_batch(void **state)
{
    (void)state;
    custos_ledger *l = base_ledger();
    keypair k;
    new_key(&k);
    assert_int_equal(custos_ledger_key_add(l, "XA", "FA01", k.pk, "test", NULL), 0);
    custos_report *r[4];
    for (int i = 0; i < 4; i++)
        r[i] = icr(i + 2, "1G");
    custos_submission v[5];
    custos_stored st[5];
    memset(v, 0, sizeof v);
    for (int i = 0; i < 5; i++) {
        v[i].reports = &r[i < 3 ? i : 2];
        v[i].n = 1;
        v[i].stored = &st[i];
        v[i].key_id = k.id;
        assert_int_equal(custos_report_sign(v[i].signature, r[i < 3 ? i : 2], k.sk), 0);
    }
    v[2].signature[5] ^= 1; /* report 4 with a broken signature: refused */
    v[3].key_id = NULL;     /* report 4 again, unsigned (no policy): its number is free */
    v[4].n = 0;             /* empty: refused */
    assert_int_equal(custos_ledger_submit(l, v, 5), 0);
    assert_int_equal(v[0].err, 0);
    assert_int_equal(v[1].err, 0);
    assert_int_equal(v[2].err, CUSTOS_EFORBIDDEN);
    assert_int_equal(v[3].err, 0);
    assert_int_equal(v[4].err, CUSTOS_EINVAL);
    assert_string_equal(v[4].message, "the submission holds no report");
    assert_true(st[1].seq > st[0].seq);
    /* report 2 and its signature, report 3 and its signature, report 4 */
    assert_int_equal(st[3].seq, st[1].seq + 2);
    bool found;
    char kid[CUSTOS_KEY_ID_LEN + 1];
    unsigned char got[64];
    assert_int_equal(custos_ledger_signature(&found, kid, got, l, st[3].id), 0);
    assert_false(found);
    custos_verify_result vr;
    assert_int_equal(custos_ledger_verify(l, NULL, &vr, NULL, NULL), 0);
    assert_int_equal(vr.reports, 4); /* the PIL and three ICRs */
    /* a second submission of a stored report number is refused with the
     * ledger's one-line error */
    custos_submission again;
    memset(&again, 0, sizeof again);
    again.reports = &r[0];
    again.n = 1;
    assert_int_equal(custos_ledger_submit(l, &again, 1), 0);
    assert_int_equal(again.err, CUSTOS_EINVAL);
    assert_string_equal(again.message,
                        "api:test:1: label 001: report XA;2 of MBA XAAA is already stored");
    for (int i = 0; i < 4; i++)
        custos_report_free(r[i]);
    custos_ledger_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8032),
        cmocka_unit_test(test_key_files),
        cmocka_unit_test(test_policy_and_submission),
        cmocka_unit_test(test_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
