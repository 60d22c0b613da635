/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sign.c: signing keys, signature policies, report signatures and the
 * batched submission of reports (custos/sign.h).
 *
 * Documents: "signing-key" named by key id
 *   {"key_id":"...","state":"XA","facility":"FA01","public_key":"BASE64","active":true}
 * and "policy" named by State
 *   {"state":"XA","require_signatures":true}
 *
 * A stored signature is a row of table signatures(report_id, key_id,
 * signature) and a link of the ledger's chain of kind "signature" with
 * the report id as item id, whose canonical text is
 *   custos-signature v1\nreport ID\nkey KEYID\nsignature BASE64\n
 * Verify rebuilds that text from the row, and checks the signature
 * itself against the report's rows and the key's public key.
 *
 * custos_ledger_submit() is the group commit of the server's writer: one
 * transaction for a batch, a savepoint per submission.  The chain head is
 * kept in memory during a transaction (ledger.c), so it is saved before
 * each submission and put back when the submission is rolled back.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "custos/document.h"
#include "custos/format.h"
#include "custos/sign.h"
#include "ledgerint.h"

#define KEY_KIND "signing-key"
#define POLICY_KIND "policy"
#define PUBLIC_HEADER "custos-ed25519-public v1\n"
#define SECRET_HEADER "custos-ed25519-secret v1\n"

/* ---- keys and signatures as bytes ---------------------------------------- */

void custos_sign_key_id(char out[CUSTOS_KEY_ID_LEN + 1],
                        const unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES])
{
    unsigned char h[CUSTOS_HASH_BYTES];
    custos_hash(h, pk, CUSTOS_PUBLIC_KEY_BYTES);
    custos_hex(out, h, CUSTOS_KEY_ID_LEN / 2);
}

/* header + base64(bytes) + "\n", from the seam. */
static char *key_text(const char *header, const unsigned char *bytes, size_t n)
{
    size_t b64 = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    size_t hl = strlen(header);
    char *t = custos_malloc(hl + b64 + 1);
    if (!t)
        return NULL;
    memcpy(t, header, hl);
    sodium_bin2base64(t + hl, b64, bytes, n, sodium_base64_VARIANT_ORIGINAL);
    size_t len = strlen(t);
    t[len] = '\n';
    t[len + 1] = '\0';
    return t;
}

void custos_sign_wipe_free(char *secret_text)
{
    if (!secret_text)
        return;
    sodium_memzero(secret_text, strlen(secret_text));
    custos_free(secret_text);
}

int custos_sign_keypair(char **public_text, char **secret_text, char key_id[CUSTOS_KEY_ID_LEN + 1])
{
    *public_text = *secret_text = NULL;
    unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES], sk[CUSTOS_SECRET_KEY_BYTES];
    crypto_sign_keypair(pk, sk);
    char *p = key_text(PUBLIC_HEADER, pk, sizeof pk);
    char *s = key_text(SECRET_HEADER, sk, sizeof sk);
    sodium_memzero(sk, sizeof sk);
    if (!p || !s) {
        custos_free(p);
        custos_sign_wipe_free(s);
        return custos_error_nomem();
    }
    custos_sign_key_id(key_id, pk);
    *public_text = p;
    *secret_text = s;
    return CUSTOS_OK;
}

static int read_key(unsigned char *out, size_t n, const char *header, const char *what,
                    const char *text, size_t len)
{
    size_t hl = strlen(header);
    if (len < hl || memcmp(text, header, hl))
        return custos_error_set(CUSTOS_EINVAL,
                                "not a custos %s key file (first line is not '%.*s')", what,
                                (int)hl - 1, header);
    size_t end = len;
    while (end > hl && (text[end - 1] == '\n' || text[end - 1] == '\r'))
        end--;
    size_t got = 0;
    const char *stop = NULL;
    if (sodium_base642bin(out, n, text + hl, end - hl, NULL, &got, &stop,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != n || stop != text + end)
        return custos_error_set(CUSTOS_EINVAL, "%s key file: line 2 is not the base64 of %zu bytes",
                                what, n);
    return CUSTOS_OK;
}

int custos_sign_read_public(unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES], const char *text, size_t len)
{
    return read_key(pk, CUSTOS_PUBLIC_KEY_BYTES, PUBLIC_HEADER, "public", text, len);
}

int custos_sign_read_secret(unsigned char sk[CUSTOS_SECRET_KEY_BYTES], const char *text, size_t len)
{
    int err = read_key(sk, CUSTOS_SECRET_KEY_BYTES, SECRET_HEADER, "secret", text, len);
    if (err < 0)
        return err;
    /* libsodium's secret key is the seed followed by the public key. */
    unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES], sk2[CUSTOS_SECRET_KEY_BYTES];
    crypto_sign_seed_keypair(pk, sk2, sk);
    bool ok = !sodium_memcmp(sk2, sk, sizeof sk2);
    sodium_memzero(sk2, sizeof sk2);
    if (!ok) {
        sodium_memzero(sk, CUSTOS_SECRET_KEY_BYTES);
        return custos_error_set(CUSTOS_EINVAL,
                                "secret key file: the key's public half does not match its seed");
    }
    return CUSTOS_OK;
}

int custos_report_sign(unsigned char sig[CUSTOS_SIGNATURE_BYTES], const custos_report *r,
                       const unsigned char sk[CUSTOS_SECRET_KEY_BYTES])
{
    char *text;
    size_t len;
    int err = custos_report_canonical(&text, &len, r);
    if (err < 0)
        return err;
    crypto_sign_detached(sig, NULL, (const unsigned char *)text, len, sk);
    custos_free(text);
    return CUSTOS_OK;
}

int custos_report_verify(const custos_report *r, const unsigned char sig[CUSTOS_SIGNATURE_BYTES],
                         const unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES])
{
    char *text;
    size_t len;
    int err = custos_report_canonical(&text, &len, r);
    if (err < 0)
        return err;
    int rc = crypto_sign_verify_detached(sig, (const unsigned char *)text, len, pk);
    custos_free(text);
    if (rc != 0)
        return custos_error_set(CUSTOS_EINVAL, "the signature does not verify over report %s;%lld",
                                r->state, (long long)r->number);
    return CUSTOS_OK;
}

void custos_signature_encode(char out[CUSTOS_SIGNATURE_B64_LEN + 1],
                             const unsigned char sig[CUSTOS_SIGNATURE_BYTES])
{
    sodium_bin2base64(out, CUSTOS_SIGNATURE_B64_LEN + 1, sig, CUSTOS_SIGNATURE_BYTES,
                      sodium_base64_VARIANT_ORIGINAL);
}

int custos_signature_decode(unsigned char sig[CUSTOS_SIGNATURE_BYTES], const char *text)
{
    size_t got = 0, len = text ? strlen(text) : 0;
    const char *end = NULL;
    if (!text ||
        sodium_base642bin(sig, CUSTOS_SIGNATURE_BYTES, text, len, NULL, &got, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != CUSTOS_SIGNATURE_BYTES || end != text + len)
        return custos_error_set(CUSTOS_EINVAL, "signature is not the base64 of %d bytes",
                                CUSTOS_SIGNATURE_BYTES);
    return CUSTOS_OK;
}

/* ---- documents ---------------------------------------------------------- */

static bool state_ok(const char *s)
{
    return s && strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

static bool facility_ok(const char *f)
{
    if (!f || strlen(f) != 4)
        return false;
    for (int i = 0; i < 4; i++)
        if (!((f[i] >= 'A' && f[i] <= 'Z') || (f[i] >= '0' && f[i] <= '9')))
            return false;
    return true;
}

static bool key_id_ok(const char *id)
{
    if (!id || strlen(id) != CUSTOS_KEY_ID_LEN)
        return false;
    for (int i = 0; i < CUSTOS_KEY_ID_LEN; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return false;
    return true;
}

/* Store JSON o as the next version of (kind, name); steals o. */
static int store_json(custos_ledger *l, const char *kind, const char *name, json_t *o,
                      const char *by)
{
    if (!o)
        return custos_error_nomem();
    char *text = custos_json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text)
        return CUSTOS_ENOMEM;
    int err = custos_ledger_document_add(l, kind, name, by ? by : "", text, strlen(text), NULL);
    custos_free(text);
    return err;
}

/* Load and parse the latest (kind, name); *o NULL and CUSTOS_ENOTFOUND
 * when it was never stored. */
static int load_json(json_t **o, int *version, custos_ledger *l, const char *kind, const char *name)
{
    *o = NULL;
    char *text;
    size_t len;
    custos_document_ref ref;
    int err = custos_ledger_document_load(&text, &len, &ref, l, kind, name, 0);
    if (err < 0)
        return err;
    json_error_t je;
    *o = custos_json_loadb(text, len, 0, &je, &err);
    custos_free(text);
    if (err == CUSTOS_ENOMEM)
        return err;
    if (!*o)
        return custos_error_set(CUSTOS_ETAMPER, "%s %s version %d does not parse", kind, name,
                                ref.version);
    *version = ref.version;
    return CUSTOS_OK;
}

static int key_from_json(custos_signing_key *k, json_t *o, int version, const char *id)
{
    const char *kid, *st, *fac, *pub;
    int active;
    memset(k, 0, sizeof *k);
    if (json_unpack(o, "{s:s, s:s, s:s, s:s, s:b}", "key_id", &kid, "state", &st, "facility", &fac,
                    "public_key", &pub, "active", &active) < 0 ||
        strcmp(kid, id) || !state_ok(st) || !facility_ok(fac) ||
        read_key(k->public_key, CUSTOS_PUBLIC_KEY_BYTES, "", "public", pub, strlen(pub)) < 0)
        return custos_error_set(CUSTOS_ETAMPER, "signing key %s version %d is malformed", id,
                                version);
    char check[CUSTOS_KEY_ID_LEN + 1];
    custos_sign_key_id(check, k->public_key);
    if (strcmp(check, id))
        return custos_error_set(CUSTOS_ETAMPER, "signing key %s holds the key of id %s", id, check);
    custos_strlcpy(k->key_id, id, sizeof k->key_id);
    custos_strlcpy(k->state, st, sizeof k->state);
    custos_strlcpy(k->facility, fac, sizeof k->facility);
    k->active = active != 0;
    k->version = version;
    return CUSTOS_OK;
}

int custos_ledger_key_get(custos_signing_key *out, custos_ledger *l, const char *key_id)
{
    if (!key_id_ok(key_id))
        return custos_error_set(CUSTOS_ENOTFOUND, "no signing key '%.20s' (an id is %d hex digits)",
                                key_id ? key_id : "", CUSTOS_KEY_ID_LEN);
    json_t *o;
    int version = 0;
    int err = load_json(&o, &version, l, KEY_KIND, key_id);
    if (err == CUSTOS_ENOTFOUND)
        return custos_error_set(CUSTOS_ENOTFOUND, "no signing key %s", key_id);
    if (err < 0)
        return err;
    custos_signing_key k;
    err = key_from_json(&k, o, version, key_id);
    json_decref(o);
    if (err >= 0)
        *out = k;
    return err;
}

static json_t *key_json(const custos_signing_key *k)
{
    char b64[sodium_base64_ENCODED_LEN(CUSTOS_PUBLIC_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, k->public_key, CUSTOS_PUBLIC_KEY_BYTES,
                      sodium_base64_VARIANT_ORIGINAL);
    return json_pack("{s:s, s:s, s:s, s:s, s:b}", "key_id", k->key_id, "state", k->state,
                     "facility", k->facility, "public_key", b64, "active", k->active);
}

int custos_ledger_key_add(custos_ledger *l, const char *state, const char *facility,
                          const unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES], const char *by,
                          custos_signing_key *out)
{
    if (!state_ok(state))
        return custos_error_set(CUSTOS_EINVAL, "State '%.8s' is not two capital letters",
                                state ? state : "");
    if (!facility_ok(facility))
        return custos_error_set(CUSTOS_EINVAL, "facility '%.8s' is not a 4-character code",
                                facility ? facility : "");
    custos_signing_key k;
    memset(&k, 0, sizeof k);
    custos_sign_key_id(k.key_id, pk);
    custos_signing_key old;
    int err = custos_ledger_key_get(&old, l, k.key_id);
    if (err >= 0)
        return custos_error_set(CUSTOS_EEXISTS, "signing key %s is already registered (%s/%s)",
                                k.key_id, old.state, old.facility);
    if (err != CUSTOS_ENOTFOUND)
        return err;
    custos_strlcpy(k.state, state, sizeof k.state);
    custos_strlcpy(k.facility, facility, sizeof k.facility);
    memcpy(k.public_key, pk, CUSTOS_PUBLIC_KEY_BYTES);
    k.active = true;
    k.version = 1;
    if ((err = store_json(l, KEY_KIND, k.key_id, key_json(&k), by)) < 0)
        return err;
    if (out)
        *out = k;
    return CUSTOS_OK;
}

int custos_ledger_key_revoke(custos_ledger *l, const char *key_id, const char *by)
{
    custos_signing_key k;
    int err = custos_ledger_key_get(&k, l, key_id);
    if (err < 0)
        return err;
    k.active = false;
    return store_json(l, KEY_KIND, k.key_id, key_json(&k), by);
}

int custos_ledger_keys(custos_signing_key **out, size_t *n, custos_ledger *l)
{
    *out = NULL;
    *n = 0;
    custos_document_ref *refs;
    size_t nr;
    int err = custos_ledger_documents(&refs, &nr, l, KEY_KIND);
    if (err < 0)
        return err;
    custos_signing_key *v = custos_calloc(nr ? nr : 1, sizeof *v);
    if (!v) {
        custos_free(refs);
        return custos_error_nomem();
    }
    for (size_t i = 0; i < nr && err >= 0; i++)
        err = custos_ledger_key_get(&v[i], l, refs[i].name);
    custos_free(refs);
    if (err < 0) {
        custos_free(v);
        return err;
    }
    *out = v;
    *n = nr;
    return CUSTOS_OK;
}

int custos_ledger_policy_set(custos_ledger *l, const custos_policy *p, const char *by)
{
    if (!state_ok(p->state))
        return custos_error_set(CUSTOS_EINVAL, "State '%.8s' is not two capital letters", p->state);
    return store_json(
        l, POLICY_KIND, p->state,
        json_pack("{s:s, s:b}", "state", p->state, "require_signatures", p->require_signatures),
        by);
}

int custos_ledger_policy_get(custos_policy *out, custos_ledger *l, const char *state)
{
    if (!state_ok(state))
        return custos_error_set(CUSTOS_EINVAL, "State '%.8s' is not two capital letters",
                                state ? state : "");
    custos_policy p;
    memset(&p, 0, sizeof p);
    custos_strlcpy(p.state, state, sizeof p.state);
    json_t *o;
    int version = 0, req = 0;
    const char *st;
    int err = load_json(&o, &version, l, POLICY_KIND, state);
    if (err == CUSTOS_ENOTFOUND) {
        custos_clear_error();
        *out = p; /* never set: signatures optional */
        return CUSTOS_OK;
    }
    if (err < 0)
        return err;
    if (json_unpack(o, "{s:s, s:b}", "state", &st, "require_signatures", &req) < 0 ||
        strcmp(st, state))
        err = custos_error_set(CUSTOS_ETAMPER, "policy %s version %d is malformed", state, version);
    json_decref(o);
    if (err < 0)
        return err;
    p.require_signatures = req != 0;
    p.version = version;
    *out = p;
    return CUSTOS_OK;
}

int custos_ledger_policies(custos_policy **out, size_t *n, custos_ledger *l)
{
    *out = NULL;
    *n = 0;
    custos_document_ref *refs;
    size_t nr;
    int err = custos_ledger_documents(&refs, &nr, l, POLICY_KIND);
    if (err < 0)
        return err;
    custos_policy *v = custos_calloc(nr ? nr : 1, sizeof *v);
    if (!v) {
        custos_free(refs);
        return custos_error_nomem();
    }
    for (size_t i = 0; i < nr && err >= 0; i++)
        err = custos_ledger_policy_get(&v[i], l, refs[i].name);
    custos_free(refs);
    if (err < 0) {
        custos_free(v);
        return err;
    }
    *out = v;
    *n = nr;
    return CUSTOS_OK;
}

/* ---- stored signatures -------------------------------------------------- */

int custos_ledger_signature(bool *found, char key_id[CUSTOS_KEY_ID_LEN + 1],
                            unsigned char sig[CUSTOS_SIGNATURE_BYTES], custos_ledger *l,
                            int64_t report_id)
{
    *found = false;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db, "SELECT key_id, signature FROM signatures WHERE report_id=?1", -1,
                           &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    sqlite3_bind_int64(s, 1, report_id);
    int rc = sqlite3_step(s), err = CUSTOS_OK;
    if (rc == SQLITE_ROW) {
        custos_strlcpy(key_id, custos_col(s, 0, &err), CUSTOS_KEY_ID_LEN + 1);
        if (sqlite3_column_bytes(s, 1) == CUSTOS_SIGNATURE_BYTES) {
            memcpy(sig, sqlite3_column_blob(s, 1), CUSTOS_SIGNATURE_BYTES);
            *found = err >= 0;
        } else {
            err = custos_error_set(CUSTOS_ETAMPER, "the signature of report id %lld is malformed",
                                   (long long)report_id);
        }
    } else if (rc != SQLITE_DONE) {
        err = custos_ledger_sqlerr(l, "load signature");
    }
    sqlite3_finalize(s);
    return err;
}

static int signature_text(char **out, size_t *len, int64_t report_id, const char *key_id,
                          const unsigned char sig[CUSTOS_SIGNATURE_BYTES])
{
    char b64[CUSTOS_SIGNATURE_B64_LEN + 1];
    custos_signature_encode(b64, sig);
    char buf[256];
    int n = snprintf(buf, sizeof buf, "custos-signature v1\nreport %lld\nkey %s\nsignature %s\n",
                     (long long)report_id, key_id, b64);
    *out = custos_strdup(buf);
    if (!*out)
        return custos_error_nomem();
    *len = (size_t)n;
    return CUSTOS_OK;
}

int custos_signature_text(custos_ledger *l, int64_t report_id, char **out, size_t *len)
{
    bool found;
    char key_id[CUSTOS_KEY_ID_LEN + 1];
    unsigned char sig[CUSTOS_SIGNATURE_BYTES];
    *out = NULL;
    int err = custos_ledger_signature(&found, key_id, sig, l, report_id);
    if (err < 0)
        return err;
    if (!found)
        return custos_error_set(CUSTOS_ENOTFOUND, "signature of report id %lld has no row",
                                (long long)report_id);
    return signature_text(out, len, report_id, key_id, sig);
}

int custos_signatures_verify(custos_ledger *l)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db,
                           "SELECT report_id, key_id, signature FROM signatures ORDER BY report_id",
                           -1, &s, NULL) != SQLITE_OK) {
        /* a read-only ledger from before the table existed */
        if (strstr(sqlite3_errmsg(l->db), "no such table"))
            return CUSTOS_OK;
        return custos_ledger_sqlerr(l, "prepare");
    }
    int rc, err = CUSTOS_OK;
    while (err >= 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        char key_id[CUSTOS_KEY_ID_LEN + 1];
        custos_strlcpy(key_id, custos_col(s, 1, &err), sizeof key_id);
        unsigned char sig[CUSTOS_SIGNATURE_BYTES];
        if (err < 0)
            break;
        if (sqlite3_column_bytes(s, 2) != CUSTOS_SIGNATURE_BYTES) {
            err = custos_error_set(CUSTOS_ETAMPER, "the signature of report id %lld is malformed",
                                   (long long)id);
            break;
        }
        memcpy(sig, sqlite3_column_blob(s, 2), sizeof sig);
        custos_signing_key k;
        if ((err = custos_ledger_key_get(&k, l, key_id)) < 0) {
            if (err == CUSTOS_ENOTFOUND || err == CUSTOS_ETAMPER)
                err = custos_error_set(CUSTOS_ETAMPER, "report id %lld: signed by key %s: %s",
                                       (long long)id, key_id, custos_last_error());
            break;
        }
        custos_report *r;
        if ((err = custos_store_load(l, id, &r)) < 0)
            break;
        err = custos_report_verify(r, sig, k.public_key);
        if (err == CUSTOS_EINVAL)
            err = custos_error_set(CUSTOS_ETAMPER,
                                   "report id %lld (%s;%lld %s): its signature by key %s no longer "
                                   "verifies over the stored rows",
                                   (long long)id, r->state, (long long)r->number, r->mba, key_id);
        else if (err >= 0 && (strcmp(k.state, r->state) || strcmp(k.facility, r->facility)))
            err =
                custos_error_set(CUSTOS_ETAMPER,
                                 "report id %lld is signed by key %s of %s/%s, not of its "
                                 "facility %s/%s",
                                 (long long)id, key_id, k.state, k.facility, r->state, r->facility);
        custos_report_free(r);
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "verify signatures");
    sqlite3_finalize(s);
    return err;
}

/* ---- submission --------------------------------------------------------- */

static int insert_signature(custos_ledger *l, int64_t report_id, const char *key_id,
                            const unsigned char sig[CUSTOS_SIGNATURE_BYTES])
{
    sqlite3_stmt *s =
        custos_ledger_stmt(l, ST_INSERT_SIGNATURE,
                           "INSERT INTO signatures(report_id, key_id, signature) VALUES(?1,?2,?3)");
    if (!s)
        return CUSTOS_ESTORAGE;
    sqlite3_bind_int64(s, 1, report_id);
    sqlite3_bind_text(s, 2, key_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, sig, CUSTOS_SIGNATURE_BYTES, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return custos_ledger_sqlerr(l, "store signature");
    char *text = NULL;
    size_t len = 0;
    int err = signature_text(&text, &len, report_id, key_id, sig);
    if (err < 0)
        return err;
    unsigned char hash[CUSTOS_HASH_BYTES];
    custos_hash(hash, text, len);
    custos_free(text);
    return custos_chain_append(l, "signature", report_id, key_id, hash, NULL, NULL);
}

/* The key of a signed report: registered, active, of its facility. */
static int check_key(custos_ledger *l, const custos_report *r, const char *key_id,
                     custos_signing_key *k)
{
    int err = custos_ledger_key_get(k, l, key_id);
    if (err == CUSTOS_ENOTFOUND)
        return custos_error_set(CUSTOS_EFORBIDDEN,
                                "report %s;%lld: signing key %s is not registered", r->state,
                                (long long)r->number, key_id);
    if (err < 0)
        return err;
    if (!k->active)
        return custos_error_set(CUSTOS_EFORBIDDEN, "report %s;%lld: signing key %s is revoked",
                                r->state, (long long)r->number, k->key_id);
    if (strcmp(k->state, r->state) || strcmp(k->facility, r->facility))
        return custos_error_set(CUSTOS_EFORBIDDEN,
                                "report %s;%lld: key %s belongs to facility %s/%s, the report to "
                                "%s/%s",
                                r->state, (long long)r->number, k->key_id, k->state, k->facility,
                                r->state, r->facility);
    return CUSTOS_OK;
}

/* Verify the signature over r's canonical text; its hash into hash_hex. */
static int verify_signature(const custos_report *r, const unsigned char *sig,
                            const custos_signing_key *k, char hash_hex[65])
{
    char *text;
    size_t len;
    int err = custos_report_canonical(&text, &len, r);
    if (err < 0)
        return err;
    int rc = crypto_sign_verify_detached(sig, (const unsigned char *)text, len, k->public_key);
    if (hash_hex) {
        unsigned char h[CUSTOS_HASH_BYTES];
        custos_hash(h, text, len);
        custos_hex(hash_hex, h, sizeof h);
    }
    custos_free(text);
    if (rc != 0)
        return custos_error_set(CUSTOS_EFORBIDDEN,
                                "report %s;%lld: the signature by key %s does not verify (wrong "
                                "key or altered report)",
                                r->state, (long long)r->number, k->key_id);
    return CUSTOS_OK;
}

int custos_submission_verify(custos_ledger *l, custos_submission *sub)
{
    sub->verified = false;
    if (!sub->key_id)
        return CUSTOS_OK;
    int err;
    custos_signing_key k;
    if (sub->n != 1)
        err = custos_error_set(CUSTOS_EINVAL,
                               "a signed submission holds one report (this one holds %zu)", sub->n);
    else if ((err = check_key(l, sub->reports[0], sub->key_id, &k)) >= 0)
        err = verify_signature(sub->reports[0], sub->signature, &k, sub->verified_hash);
    if (err < 0) {
        sub->err = err;
        custos_strlcpy(sub->message, custos_last_error(), sizeof sub->message);
        return err;
    }
    sub->verified = true;
    sub->key_version = k.version;
    return CUSTOS_OK;
}

/* The checks and inserts of one submission inside the batch transaction. */
static int submit_one(custos_ledger *l, custos_submission *sub, custos_diags *d)
{
    int err;
    if (sub->n == 0)
        return custos_error_set(CUSTOS_EINVAL, "the submission holds no report");
    if (sub->key_id && sub->n != 1)
        return custos_error_set(
            CUSTOS_EINVAL, "a signed submission holds one report (this one holds %zu)", sub->n);
    for (size_t i = 0; i < sub->n; i++) {
        const custos_report *r = sub->reports[i];
        if (sub->key_id) {
            custos_signing_key k;
            if ((err = check_key(l, r, sub->key_id, &k)) < 0)
                return err;
            /* verified ahead with this very key version: the stored hash is
             * compared below instead of verifying again */
            if (!(sub->verified && k.version == sub->key_version) &&
                (err = verify_signature(r, sub->signature, &k, NULL)) < 0)
                return err;
        } else {
            custos_policy p;
            if ((err = custos_ledger_policy_get(&p, l, r->state)) < 0)
                return err;
            if (p.require_signatures)
                return custos_error_set(CUSTOS_EFORBIDDEN,
                                        "report %s;%lld: %s requires signed reports and this one "
                                        "has no signature",
                                        r->state, (long long)r->number, r->state);
        }
        custos_stored st;
        if ((err = custos_ledger_store_in_tx(l, r, d, &st)) < 0) {
            if (err == CUSTOS_EINVAL) {
                for (size_t k = 0; k < custos_diags_count(d); k++) {
                    const custos_diag *g = custos_diags_get(d, k);
                    if (g->severity == CUSTOS_SEV_ERROR) {
                        char text[1024];
                        custos_diag_format(text, sizeof text, g);
                        custos_error_set(CUSTOS_EINVAL, "%s", text);
                        break;
                    }
                }
            }
            return err;
        }
        if (sub->stored)
            sub->stored[i] = st;
        if (sub->key_id && sub->verified && strcmp(st.hash, sub->verified_hash))
            return custos_error_set(CUSTOS_EFORBIDDEN,
                                    "report %s;%lld changed after its signature was verified",
                                    r->state, (long long)r->number);
        if (sub->key_id && (err = insert_signature(l, st.id, sub->key_id, sub->signature)) < 0)
            return err;
    }
    return CUSTOS_OK;
}

static void refuse(custos_submission *sub, int err)
{
    sub->err = err;
    custos_strlcpy(sub->message, custos_last_error(), sizeof sub->message);
}

int custos_ledger_submit(custos_ledger *l, custos_submission *v, size_t n)
{
    int err = CUSTOS_OK;
    for (size_t i = 0; i < n; i++) {
        v[i].err = CUSTOS_OK;
        v[i].message[0] = '\0';
    }
    if (l->flags & CUSTOS_OPEN_READONLY)
        err = custos_error_set(CUSTOS_EFORBIDDEN, "the ledger is open read-only");
    else
        err = custos_ledger_begin(l);
    if (err < 0) {
        for (size_t i = 0; i < n; i++)
            refuse(&v[i], err);
        return err;
    }
    for (size_t i = 0; i < n; i++) {
        custos_submission *sub = &v[i];
        custos_diags *own = NULL, *d = sub->diags;
        if (!d) {
            /* the store's checks report through a list: always give one */
            if ((err = custos_diags_new(&own)) < 0)
                goto fatal;
            d = own;
        }
        int64_t seq = l->head_seq;
        unsigned char link[CUSTOS_HASH_BYTES];
        memcpy(link, l->head_link, sizeof link);
        if (sqlite3_exec(l->db, "SAVEPOINT submission", NULL, NULL, NULL) != SQLITE_OK) {
            custos_diags_free(own);
            err = custos_ledger_sqlerr(l, "savepoint");
            goto fatal;
        }
        int se = submit_one(l, sub, d);
        custos_diags_free(own);
        if (se < 0) {
            refuse(sub, se);
            sqlite3_exec(l->db, "ROLLBACK TO submission", NULL, NULL, NULL);
            l->head_seq = seq;
            memcpy(l->head_link, link, sizeof link);
        }
        if (sqlite3_exec(l->db, "RELEASE submission", NULL, NULL, NULL) != SQLITE_OK) {
            err = custos_ledger_sqlerr(l, "release");
            goto fatal;
        }
        if (se == CUSTOS_ESTORAGE) {
            err = se;
            goto fatal;
        }
    }
    if ((err = custos_ledger_commit(l)) < 0)
        goto all_failed;
    return CUSTOS_OK;
fatal:
    custos_ledger_rollback(l);
all_failed:
    for (size_t i = 0; i < n; i++)
        if (v[i].err >= 0 || err == CUSTOS_ESTORAGE) {
            v[i].err = err;
            custos_strlcpy(v[i].message, custos_last_error(), sizeof v[i].message);
        }
    return err;
}
