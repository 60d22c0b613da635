/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.c: the audit log and its hash chain (custos/audit.h).
 *
 * Table audit(seq, at, who, role, action, target, outcome, detail, remote,
 * prev, link), append-only.  A batch of records is one transaction: the
 * server's writer thread appends what the request threads queued since its
 * last commit (group commit), so auditing every read costs one insert per
 * request and one fsync per batch.
 */
#include <stdio.h>
#include <string.h>

#include "custos/audit.h"
#include "ledgerint.h"

static void be64(unsigned char out[8], int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--) {
        out[i] = (unsigned char)(u & 0xff);
        u >>= 8;
    }
}

static void put_str(crypto_generichash_state *st, const char *s)
{
    crypto_generichash_update(st, (const unsigned char *)s, strlen(s) + 1);
}

static void audit_link(unsigned char out[CUSTOS_HASH_BYTES], const unsigned char *prev,
                       const custos_audit_record *r)
{
    crypto_generichash_state st;
    unsigned char n[8];
    crypto_generichash_init(&st, NULL, 0, CUSTOS_HASH_BYTES);
    crypto_generichash_update(&st, prev, CUSTOS_HASH_BYTES);
    be64(n, r->seq);
    crypto_generichash_update(&st, n, 8);
    put_str(&st, r->at);
    put_str(&st, r->who);
    put_str(&st, r->role);
    put_str(&st, r->action);
    put_str(&st, r->target);
    be64(n, r->outcome);
    crypto_generichash_update(&st, n, 8);
    put_str(&st, r->detail);
    put_str(&st, r->remote);
    crypto_generichash_final(&st, out, CUSTOS_HASH_BYTES);
}

/* Length of s cut to at most max bytes at a UTF-8 boundary. */
static size_t cut_len(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    n = max;
    while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

static int exec(custos_ledger *l, const char *sql)
{
    if (sqlite3_exec(l->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, sql);
    return CUSTOS_OK;
}

int custos_audit_append(custos_ledger *l, custos_audit_record *v, size_t n)
{
    if (l->flags & CUSTOS_OPEN_READONLY)
        return custos_error_set(CUSTOS_EFORBIDDEN, "the ledger is open read-only");
    if (n == 0)
        return CUSTOS_OK;
    int err;
    sqlite3_stmt *head = NULL, *ins = NULL;
    if ((err = exec(l, "BEGIN IMMEDIATE")) < 0)
        return err;
    if (sqlite3_prepare_v2(l->db, "SELECT seq, link FROM audit ORDER BY seq DESC LIMIT 1", -1,
                           &head, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(l->db,
                           "INSERT INTO audit(seq, at, who, role, action, target, outcome, detail,"
                           " remote, prev, link) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
                           -1, &ins, NULL) != SQLITE_OK) {
        err = custos_ledger_sqlerr(l, "prepare audit");
        goto done;
    }
    unsigned char prev[CUSTOS_HASH_BYTES] = {0};
    int64_t seq = 0;
    int rc = sqlite3_step(head);
    if (rc == SQLITE_ROW) {
        seq = sqlite3_column_int64(head, 0);
        if (sqlite3_column_bytes(head, 1) != CUSTOS_HASH_BYTES) {
            err = custos_error_set(CUSTOS_ETAMPER, "audit record %lld has a malformed link",
                                   (long long)seq);
            goto done;
        }
        memcpy(prev, sqlite3_column_blob(head, 1), CUSTOS_HASH_BYTES);
    } else if (rc != SQLITE_DONE) {
        err = custos_ledger_sqlerr(l, "audit head");
        goto done;
    }
    char now[21];
    custos_ledger_now(now);
    for (size_t i = 0; i < n; i++) {
        custos_audit_record *r = &v[i];
        /* Stored and hashed exactly as cut, so verify recomputes the same. */
        char who[CUSTOS_AUDIT_FIELD_MAX + 1], role[33], action[CUSTOS_AUDIT_FIELD_MAX + 1],
            target[CUSTOS_AUDIT_FIELD_MAX + 1], detail[CUSTOS_AUDIT_FIELD_MAX + 1], remote[65];
        const char *src[6] = {r->who, r->role, r->action, r->target, r->detail, r->remote};
        char *dst[6] = {who, role, action, target, detail, remote};
        size_t cap[6] = {sizeof who, sizeof role, sizeof action, sizeof target, sizeof detail,
                         sizeof remote};
        for (int k = 0; k < 6; k++) {
            const char *s = src[k] ? src[k] : "";
            size_t len = cut_len(s, cap[k] - 1);
            memcpy(dst[k], s, len);
            dst[k][len] = '\0';
        }
        custos_audit_record c = *r;
        c.seq = ++seq;
        memcpy(c.at, now, sizeof c.at);
        c.who = who, c.role = role, c.action = action, c.target = target, c.detail = detail,
        c.remote = remote;
        unsigned char link[CUSTOS_HASH_BYTES];
        audit_link(link, prev, &c);
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, c.seq);
        sqlite3_bind_text(ins, 2, c.at, -1, SQLITE_STATIC);
        for (int k = 0; k < 4; k++)
            sqlite3_bind_text(ins, 3 + k, dst[k], -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 7, c.outcome);
        sqlite3_bind_text(ins, 8, detail, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 9, remote, -1, SQLITE_STATIC);
        sqlite3_bind_blob(ins, 10, prev, CUSTOS_HASH_BYTES, SQLITE_STATIC);
        sqlite3_bind_blob(ins, 11, link, CUSTOS_HASH_BYTES, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            err = custos_ledger_sqlerr(l, "append audit record");
            goto done;
        }
        memcpy(prev, link, CUSTOS_HASH_BYTES);
        r->seq = c.seq;
        memcpy(r->at, now, sizeof r->at);
    }
    sqlite3_finalize(head);
    sqlite3_finalize(ins);
    head = ins = NULL;
    err = exec(l, "COMMIT");
done:
    sqlite3_finalize(head);
    sqlite3_finalize(ins);
    if (err < 0)
        sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
    return err;
}

/* Fill r from a row of SELECT seq, at, who, role, action, target, outcome,
 * detail, remote, prev, link. */
static int from_row(sqlite3_stmt *s, custos_audit_record *r)
{
    int err = CUSTOS_OK;
    r->seq = sqlite3_column_int64(s, 0);
    custos_strlcpy(r->at, custos_col(s, 1, &err), sizeof r->at);
    r->who = custos_col(s, 2, &err);
    r->role = custos_col(s, 3, &err);
    r->action = custos_col(s, 4, &err);
    r->target = custos_col(s, 5, &err);
    r->outcome = sqlite3_column_int(s, 6);
    r->detail = custos_col(s, 7, &err);
    r->remote = custos_col(s, 8, &err);
    r->link[0] = '\0';
    if (sqlite3_column_bytes(s, 10) == CUSTOS_HASH_BYTES)
        custos_hex(r->link, sqlite3_column_blob(s, 10), CUSTOS_HASH_BYTES);
    return err;
}

#define AUDIT_COLUMNS "seq, at, who, role, action, target, outcome, detail, remote, prev, link"

int custos_audit_list(custos_ledger *l, int64_t after, size_t limit, custos_audit_fn fn,
                      void *ctx)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db,
                           "SELECT " AUDIT_COLUMNS " FROM audit WHERE seq > ?1 ORDER BY seq"
                           " LIMIT ?2",
                           -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    sqlite3_bind_int64(s, 1, after);
    sqlite3_bind_int64(s, 2, limit ? (int64_t)limit : -1);
    int rc, err = CUSTOS_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        custos_audit_record r;
        if ((err = from_row(s, &r)) < 0 || (err = fn(ctx, &r)) < 0)
            break;
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "audit log");
    sqlite3_finalize(s);
    return err;
}

int custos_audit_verify(custos_ledger *l, custos_audit_verify_result *out)
{
    custos_audit_verify_result res;
    memset(&res, 0, sizeof res);
    sqlite3_stmt *s;
    /* One snapshot, unless the caller (ledger verify) already holds one. */
    bool own_tx = sqlite3_get_autocommit(l->db) != 0;
    if (own_tx && sqlite3_exec(l->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "begin");
    int err = CUSTOS_OK, rc;
    if (sqlite3_prepare_v2(l->db, "SELECT " AUDIT_COLUMNS " FROM audit ORDER BY seq", -1, &s,
                           NULL) != SQLITE_OK) {
        err = custos_ledger_sqlerr(l, "prepare");
        goto done;
    }
    unsigned char prev[CUSTOS_HASH_BYTES] = {0};
    int64_t expect = 1;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        custos_audit_record r;
        if ((err = from_row(s, &r)) < 0)
            break;
        if (r.seq != expect) {
            err = custos_error_set(CUSTOS_ETAMPER, "audit record %lld is missing (next is %lld)",
                                   (long long)expect, (long long)r.seq);
            break;
        }
        if (sqlite3_column_bytes(s, 9) != CUSTOS_HASH_BYTES ||
            sqlite3_column_bytes(s, 10) != CUSTOS_HASH_BYTES ||
            memcmp(sqlite3_column_blob(s, 9), prev, CUSTOS_HASH_BYTES)) {
            err = custos_error_set(CUSTOS_ETAMPER,
                                   "audit record %lld does not follow record %lld",
                                   (long long)r.seq, (long long)r.seq - 1);
            break;
        }
        unsigned char link[CUSTOS_HASH_BYTES];
        audit_link(link, prev, &r);
        if (memcmp(link, sqlite3_column_blob(s, 10), CUSTOS_HASH_BYTES)) {
            err = custos_error_set(CUSTOS_ETAMPER, "audit record %lld (%s by %s) was altered",
                                   (long long)r.seq, r.action, r.who);
            break;
        }
        memcpy(prev, link, CUSTOS_HASH_BYTES);
        res.records++;
        expect++;
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "verify audit log");
    sqlite3_finalize(s);
    if (err >= 0 && res.records)
        custos_hex(res.head, prev, CUSTOS_HASH_BYTES);
done:
    if (own_tx)
        sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL);
    if (err >= 0 && out)
        *out = res;
    return err < 0 ? err : CUSTOS_OK;
}

int custos_audit_verify_chain(custos_ledger *l, int64_t *records)
{
    /* A ledger opened read-only before the table existed has no log. */
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name='audit'",
                           -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return CUSTOS_OK;
    custos_audit_verify_result v;
    int err = custos_audit_verify(l, &v);
    if (err >= 0 && records)
        *records = v.records;
    return err;
}
