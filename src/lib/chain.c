/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chain.c: the ledger's hash chain, its verification and its log.
 *
 * Every stored item (a report, a facility description, ...) gets one link:
 *
 *   hash_i = BLAKE2b-256(canonical text of item i)
 *   link_i = BLAKE2b-256(link_{i-1} || be64(i) || hash_i || kind || 0 ||
 *                        be64(item id) || stored_at || 0 || source || 0)
 *
 * with link_0 = 32 zero bytes (libsodium's crypto_generichash).  Verify
 * rebuilds each item's canonical text from its rows (a report is loaded
 * and written in Code 10 form; a document is its stored text), so any
 * changed, deleted or inserted row shows as the first broken link.  Rows
 * derived from items (corrections, the MBA registry) are rebuilt and
 * compared as well.  The chain cannot tell that its last links were cut
 * off together with their rows: publish the head (custos log) and check
 * it with custos verify --head.
 */
#include <stdio.h>
#include <string.h>

#include "custos/format.h"
#include "ledgerint.h"

void custos_hash(unsigned char out[CUSTOS_HASH_BYTES], const void *data, size_t len)
{
    crypto_generichash(out, CUSTOS_HASH_BYTES, data, len, NULL, 0);
}

static void be64(unsigned char out[8], int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--) {
        out[i] = (unsigned char)(u & 0xff);
        u >>= 8;
    }
}

static void link_hash(unsigned char out[CUSTOS_HASH_BYTES], const unsigned char *prev, int64_t seq,
                      const unsigned char *hash, const char *kind, int64_t item_id,
                      const char *stored_at, const char *source)
{
    crypto_generichash_state st;
    unsigned char n[8];
    crypto_generichash_init(&st, NULL, 0, CUSTOS_HASH_BYTES);
    crypto_generichash_update(&st, prev, CUSTOS_HASH_BYTES);
    be64(n, seq);
    crypto_generichash_update(&st, n, 8);
    crypto_generichash_update(&st, hash, CUSTOS_HASH_BYTES);
    crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
    be64(n, item_id);
    crypto_generichash_update(&st, n, 8);
    crypto_generichash_update(&st, (const unsigned char *)stored_at, strlen(stored_at) + 1);
    crypto_generichash_update(&st, (const unsigned char *)source, strlen(source) + 1);
    crypto_generichash_final(&st, out, CUSTOS_HASH_BYTES);
}

int custos_chain_append(custos_ledger *l, const char *kind, int64_t item_id, const char *source,
                        const unsigned char hash[CUSTOS_HASH_BYTES], int64_t *seq,
                        unsigned char link[CUSTOS_HASH_BYTES])
{
    char now[21];
    custos_ledger_now(now);
    int64_t next = l->head_seq + 1;
    unsigned char lk[CUSTOS_HASH_BYTES];
    link_hash(lk, l->head_link, next, hash, kind, item_id, now, source);
    sqlite3_stmt *s = custos_ledger_stmt(l, ST_CHAIN_APPEND,
                                         "INSERT INTO chain(seq, kind, item_id, stored_at, source,"
                                         " hash, prev, link) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
    if (!s)
        return CUSTOS_ESTORAGE;
    sqlite3_bind_int64(s, 1, next);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, item_id);
    sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC); /* now outlives the step */
    sqlite3_bind_text(s, 5, source, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 6, hash, CUSTOS_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(s, 7, l->head_link, CUSTOS_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(s, 8, lk, CUSTOS_HASH_BYTES, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return custos_ledger_sqlerr(l, "append to chain");
    l->head_seq = next;
    memcpy(l->head_link, lk, CUSTOS_HASH_BYTES);
    if (seq)
        *seq = next;
    if (link)
        memcpy(link, lk, CUSTOS_HASH_BYTES);
    return CUSTOS_OK;
}

/* The canonical bytes of a chained item, rebuilt from its rows. */
static int item_text(custos_ledger *l, const char *kind, int64_t id, char **out, size_t *len,
                     int64_t *entries)
{
    *out = NULL;
    if (!strcmp(kind, "report")) {
        custos_report *r;
        int err = custos_store_load(l, id, &r);
        if (err < 0)
            return err;
        *entries += (int64_t)r->n;
        err = custos_report_canonical(out, len, r);
        custos_report_free(r);
        return err;
    }
    if (!strcmp(kind, "signature"))
        return custos_signature_text(l, id, out, len);
    const char *sql = NULL;
    if (!strcmp(kind, "facility"))
        sql = "SELECT document FROM facilities WHERE id=?1";
    else if (!strcmp(kind, "targets"))
        sql = "SELECT document FROM targets WHERE id=?1";
    else if (custos_document_kind(kind))
        sql = "SELECT document FROM documents WHERE id=?1 AND kind=?2";
    if (!sql)
        return custos_error_set(CUSTOS_ETAMPER, "unknown kind of chained item '%s'", kind);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db, sql, -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_bind_parameter_count(s) == 2)
        sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    int err = CUSTOS_OK;
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(s, 0);
        const void *p = sqlite3_column_blob(s, 0);
        *out = custos_malloc(n + 1);
        if (!*out)
            err = custos_error_nomem();
        else {
            if (n)
                memcpy(*out, p, n);
            (*out)[n] = '\0';
            *len = n;
        }
    } else if (rc == SQLITE_DONE) {
        err = custos_error_set(CUSTOS_ENOTFOUND, "%s %lld has no row", kind, (long long)id);
    } else {
        err = custos_ledger_sqlerr(l, "load item");
    }
    sqlite3_finalize(s);
    return err;
}

/* Run a query that must return no row; a row is tampering, described by
 * fmt with the row's first two columns. */
static int expect_empty(custos_ledger *l, const char *sql, const char *fmt)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db, sql, -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    int rc = sqlite3_step(s);
    int err = CUSTOS_OK;
    if (rc == SQLITE_ROW)
        err = custos_error_set(CUSTOS_ETAMPER, fmt, (long long)sqlite3_column_int64(s, 0),
                               (long long)sqlite3_column_int64(s, 1));
    else if (rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "verify");
    sqlite3_finalize(s);
    return err;
}

static int hex_decode(unsigned char out[CUSTOS_HASH_BYTES], const char *hex)
{
    size_t bin_len = 0;
    if (strlen(hex) != 2 * CUSTOS_HASH_BYTES ||
        sodium_hex2bin(out, CUSTOS_HASH_BYTES, hex, strlen(hex), NULL, &bin_len, NULL) != 0 ||
        bin_len != CUSTOS_HASH_BYTES)
        return custos_error_set(CUSTOS_EINVAL, "head '%s' is not 64 hexadecimal digits", hex);
    return CUSTOS_OK;
}

int custos_ledger_verify(custos_ledger *l, const char *expect_head, custos_verify_result *out,
                         custos_progress_fn progress, void *progress_ctx)
{
    custos_verify_result res;
    memset(&res, 0, sizeof res);
    unsigned char want_head[CUSTOS_HASH_BYTES];
    int err;
    if (expect_head && (err = hex_decode(want_head, expect_head)) < 0)
        return err;
    int64_t total = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db, "SELECT count(*) FROM chain", -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    if (sqlite3_step(s) == SQLITE_ROW)
        total = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);

    /* A read transaction: one consistent snapshot for the whole check. */
    if (sqlite3_exec(l->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "begin");
    if (sqlite3_prepare_v2(l->db,
                           "SELECT seq, kind, item_id, stored_at, source, hash, prev, link FROM "
                           "chain ORDER BY seq",
                           -1, &s, NULL) != SQLITE_OK) {
        err = custos_ledger_sqlerr(l, "prepare");
        goto done_tx;
    }
    unsigned char prev[CUSTOS_HASH_BYTES] = {0};
    int64_t expect = 1;
    int rc;
    err = CUSTOS_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(s, 0);
        char kind[32];
        int cerr = CUSTOS_OK;
        custos_strlcpy(kind, custos_col(s, 1, &cerr), sizeof kind);
        int64_t item = sqlite3_column_int64(s, 2);
        const char *stored_at = sqlite3_column_type(s, 3) == SQLITE_NULL ? NULL : custos_col(s, 3, &cerr);
        const char *source = sqlite3_column_type(s, 4) == SQLITE_NULL ? NULL : custos_col(s, 4, &cerr);
        const void *hash = sqlite3_column_blob(s, 5);
        if (cerr < 0 || sqlite3_errcode(l->db) == SQLITE_NOMEM) {
            err = custos_error_nomem();
            break;
        }
        int hl = sqlite3_column_bytes(s, 5);
        const void *pv = sqlite3_column_blob(s, 6);
        int pl = sqlite3_column_bytes(s, 6);
        const void *lk = sqlite3_column_blob(s, 7);
        int ll = sqlite3_column_bytes(s, 7);
        if (seq != expect) {
            err = custos_error_set(CUSTOS_ETAMPER, "chain link %lld is missing (next link is %lld)",
                                   (long long)expect, (long long)seq);
            break;
        }
        if (!stored_at || !source || hl != CUSTOS_HASH_BYTES || pl != CUSTOS_HASH_BYTES ||
            ll != CUSTOS_HASH_BYTES) {
            err = custos_error_set(CUSTOS_ETAMPER, "chain link %lld is malformed", (long long)seq);
            break;
        }
        if (memcmp(pv, prev, CUSTOS_HASH_BYTES)) {
            err = custos_error_set(CUSTOS_ETAMPER,
                                   "chain link %lld does not follow link %lld (previous link altered)",
                                   (long long)seq, (long long)seq - 1);
            break;
        }
        char *text;
        size_t len;
        int ie = item_text(l, kind, item, &text, &len, &res.entries);
        if (ie == CUSTOS_ENOMEM || ie == CUSTOS_ESTORAGE) {
            err = ie;
            break;
        }
        if (ie < 0) {
            err = custos_error_set(CUSTOS_ETAMPER, "chain link %lld (%s %lld): %s", (long long)seq,
                                   kind, (long long)item, custos_last_error());
            break;
        }
        unsigned char h[CUSTOS_HASH_BYTES], lnk[CUSTOS_HASH_BYTES];
        custos_hash(h, text, len);
        custos_free(text);
        if (memcmp(h, hash, CUSTOS_HASH_BYTES)) {
            err = custos_error_set(CUSTOS_ETAMPER,
                                   "chain link %lld (%s %lld): the stored rows no longer match the "
                                   "hash recorded when they were stored",
                                   (long long)seq, kind, (long long)item);
            break;
        }
        link_hash(lnk, prev, seq, h, kind, item, stored_at, source);
        if (memcmp(lnk, lk, CUSTOS_HASH_BYTES)) {
            err = custos_error_set(CUSTOS_ETAMPER, "chain link %lld (%s %lld) was altered",
                                   (long long)seq, kind, (long long)item);
            break;
        }
        memcpy(prev, lnk, CUSTOS_HASH_BYTES);
        res.items++;
        if (!strcmp(kind, "report"))
            res.reports++;
        expect++;
        if (progress && (seq % 256 == 0 || seq == total))
            progress(progress_ctx, (uint64_t)seq, (uint64_t)total);
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "verify");
    sqlite3_finalize(s);
    if (err < 0)
        goto done_tx;
    /* Rows outside the chain, and derived rows that disagree with it. */
    static const struct {
        const char *sql, *fmt;
    } checks[] = {
        {"SELECT id, number FROM reports WHERE id NOT IN "
         "(SELECT item_id FROM chain WHERE kind='report') LIMIT 1",
         "report id %lld (number %lld) has no chain link (inserted behind custos's back, or its "
         "link removed)"},
        {"SELECT report_id, idx FROM entries WHERE report_id NOT IN (SELECT id FROM reports) LIMIT 1",
         "entry %2$lld of report id %1$lld belongs to no stored report"},
        {"SELECT item_id, seq FROM chain WHERE kind='report' AND item_id NOT IN "
         "(SELECT id FROM reports) LIMIT 1",
         "report id %lld of chain link %lld was deleted"},
        {"SELECT id, version FROM facilities WHERE id NOT IN "
         "(SELECT item_id FROM chain WHERE kind='facility') LIMIT 1",
         "facility id %lld (version %lld) is not in the chain"},
        {"SELECT id, 0 FROM targets WHERE id NOT IN "
         "(SELECT item_id FROM chain WHERE kind='targets') LIMIT 1",
         "target-value table id %lld is not in the chain"},
        {"SELECT id, version FROM documents d WHERE NOT EXISTS (SELECT 1 FROM chain c WHERE"
         " c.kind = d.kind AND c.item_id = d.id) LIMIT 1",
         "document id %lld (version %lld) is not in the chain"},
        {"SELECT report_id, 0 FROM signatures WHERE report_id NOT IN "
         "(SELECT item_id FROM chain WHERE kind='signature') LIMIT 1",
         "the signature of report id %lld is not in the chain"},
        {"SELECT item_id, seq FROM chain WHERE kind='signature' AND item_id NOT IN "
         "(SELECT report_id FROM signatures) LIMIT 1",
         "the signature of report id %lld (chain link %lld) was deleted"},
        {"SELECT item_id, seq FROM chain c WHERE kind NOT IN ('report', 'facility', 'targets',"
         " 'signature') AND"
         " NOT EXISTS (SELECT 1 FROM documents d WHERE d.kind = c.kind AND d.id = c.item_id) LIMIT 1",
         "document id %lld of chain link %lld was deleted"},
        /* Both differences, each in its own subquery: SQLite's compound
         * operators associate to the left, so "A EXCEPT B UNION ALL B
         * EXCEPT A" would be ((A - B) + B) - A, always empty. */
        {"SELECT report_id, idx FROM (SELECT * FROM (SELECT r.state, r.mba, e.ref_report,"
         " e.ref_entry, e.report_id, e.idx, e.status FROM entries e JOIN reports r ON"
         " r.id = e.report_id WHERE e.kind='O' AND e.status IN ('C','D','A')"
         " EXCEPT SELECT * FROM corrections)"
         " UNION ALL SELECT * FROM (SELECT * FROM corrections EXCEPT SELECT r.state, r.mba,"
         " e.ref_report, e.ref_entry, e.report_id, e.idx, e.status FROM entries e JOIN reports r"
         " ON r.id = e.report_id WHERE e.kind='O' AND e.status IN ('C','D','A')))"
         " ORDER BY report_id, idx LIMIT 1",
         "the corrections index disagrees with entry %2$lld of report id %1$lld"},
        {"SELECT facility_id, 0 FROM facility_mbas WHERE facility_id NOT IN "
         "(SELECT id FROM facilities) LIMIT 1",
         "MBA registry row of facility id %lld belongs to no stored facility"},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0] && err >= 0; i++)
        err = expect_empty(l, checks[i].sql, checks[i].fmt);
    if (err >= 0)
        err = custos_facility_verify_registry(l);
    if (err >= 0)
        err = custos_signatures_verify(l);
    if (err >= 0)
        err = custos_audit_verify_chain(l, NULL);
    if (err >= 0 && expect_head && memcmp(prev, want_head, CUSTOS_HASH_BYTES))
        err = custos_error_set(CUSTOS_ETAMPER,
                               "the chain does not end at the expected head (links were removed "
                               "or added since it was published)");
    if (res.items)
        custos_hex(res.head, prev, CUSTOS_HASH_BYTES);
done_tx:
    sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL);
    if (err >= 0 && out)
        *out = res;
    return err < 0 ? err : CUSTOS_OK;
}

/* One line describing chained item (kind, id) into buf.  A row that is
 * gone leaves buf "" (verify reports that); a query that fails is an
 * error, never an empty summary passed off as the log. */
static int summary_for(custos_ledger *l, const char *kind, int64_t id, char *buf, size_t size)
{
    const char *sql;
    buf[0] = '\0';
    if (!strcmp(kind, "report"))
        sql = "SELECT type, state, number, mba, period_start, period_end, entries"
              " FROM reports WHERE id=?1";
    else if (!strcmp(kind, "targets"))
        sql = "SELECT name FROM targets WHERE id=?1";
    else if (!strcmp(kind, "facility"))
        sql = "SELECT state, facility, version FROM facilities WHERE id=?1";
    else if (!strcmp(kind, "signature"))
        sql = "SELECT key_id FROM signatures WHERE report_id=?1";
    else if (custos_document_kind(kind))
        sql = "SELECT name, version FROM documents WHERE id=?1";
    else
        return CUSTOS_OK;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db, sql, -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s), err = CUSTOS_OK;
    if (rc == SQLITE_ROW) {
        if (!strcmp(kind, "report")) {
            const char *t = custos_col(s, 0, &err);
            const char *name = t[0] == 'I' ? "ICR" : t[0] == 'P' ? "PIL" : t[0] == 'M' ? "MBR"
                                                                                  : "TXT";
            char period[24];
            if (sqlite3_column_type(s, 4) == SQLITE_NULL)
                snprintf(period, sizeof period, "%d", sqlite3_column_int(s, 5));
            else
                snprintf(period, sizeof period, "%d/%d", sqlite3_column_int(s, 4),
                         sqlite3_column_int(s, 5));
            const char *state = custos_col(s, 1, &err), *mba = custos_col(s, 3, &err);
            snprintf(buf, size, "%s %s;%lld %s %s %lld entries", name, state,
                     (long long)sqlite3_column_int64(s, 2), mba, period,
                     (long long)sqlite3_column_int64(s, 6));
        } else if (!strcmp(kind, "targets")) {
            snprintf(buf, size, "target-value table %s", custos_col(s, 0, &err));
        } else if (!strcmp(kind, "facility")) {
            const char *state = custos_col(s, 0, &err), *code = custos_col(s, 1, &err);
            snprintf(buf, size, "facility %s/%s version %d", state, code,
                     sqlite3_column_int(s, 2));
        } else if (!strcmp(kind, "signature")) {
            snprintf(buf, size, "signature of report id %lld by key %s", (long long)id,
                     custos_col(s, 0, &err));
        } else {
            snprintf(buf, size, "%s %s version %d", kind, custos_col(s, 0, &err),
                     sqlite3_column_int(s, 1));
        }
    } else if (rc != SQLITE_DONE) {
        err = custos_ledger_sqlerr(l, "log summary");
    }
    sqlite3_finalize(s);
    return err;
}

int custos_ledger_log(custos_ledger *l, custos_log_fn fn, void *ctx)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db,
                           "SELECT seq, kind, item_id, stored_at, source, hash, link FROM chain "
                           "ORDER BY seq",
                           -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    int rc, err = CUSTOS_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        custos_log_item it;
        char summary[160];
        it.seq = sqlite3_column_int64(s, 0);
        it.kind = custos_col(s, 1, &err);
        it.item_id = sqlite3_column_int64(s, 2);
        it.stored_at = custos_col(s, 3, &err);
        it.source = custos_col(s, 4, &err);
        if (err < 0)
            break;
        if ((err = summary_for(l, it.kind, it.item_id, summary, sizeof summary)) < 0)
            break;
        it.summary = summary;
        it.hash[0] = it.link[0] = '\0';
        if (sqlite3_column_bytes(s, 5) == CUSTOS_HASH_BYTES)
            custos_hex(it.hash, sqlite3_column_blob(s, 5), CUSTOS_HASH_BYTES);
        if (sqlite3_column_bytes(s, 6) == CUSTOS_HASH_BYTES)
            custos_hex(it.link, sqlite3_column_blob(s, 6), CUSTOS_HASH_BYTES);
        if ((err = fn(ctx, &it)) < 0)
            break;
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "log");
    sqlite3_finalize(s);
    return err;
}

int custos_ledger_reports(custos_report_ref **out, size_t *n, custos_ledger *l, const char *mba,
                          int64_t number)
{
    *out = NULL;
    *n = 0;
    char state[3] = "", code[8] = "";
    if (mba) {
        const char *slash = strchr(mba, '/');
        if (slash) {
            if (slash - mba != 2)
                return custos_error_set(CUSTOS_EINVAL, "MBA '%s' is not CODE or STATE/CODE", mba);
            memcpy(state, mba, 2);
            custos_strlcpy(code, slash + 1, sizeof code);
        } else {
            custos_strlcpy(code, mba, sizeof code);
        }
    }
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db,
                           "SELECT id, state, number, mba, facility, type, report_date,"
                           " period_start, period_end, entries FROM reports"
                           " WHERE (?1 = '' OR state = ?1) AND (?2 = '' OR mba = ?2)"
                           " AND (?3 = 0 OR number = ?3) ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, number);
    custos_report_ref *v = NULL;
    size_t cap = 0, cnt = 0;
    int rc, err = CUSTOS_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 32;
            custos_report_ref *p = custos_realloc(v, nc * sizeof *p);
            if (!p) {
                err = custos_error_nomem();
                break;
            }
            v = p;
            cap = nc;
        }
        custos_report_ref *x = &v[cnt++];
        memset(x, 0, sizeof *x);
        x->id = sqlite3_column_int64(s, 0);
        custos_strlcpy(x->state, custos_col(s, 1, &err), sizeof x->state);
        x->number = sqlite3_column_int64(s, 2);
        custos_strlcpy(x->mba, custos_col(s, 3, &err), sizeof x->mba);
        custos_strlcpy(x->facility, custos_col(s, 4, &err), sizeof x->facility);
        x->type = custos_col(s, 5, &err)[0];
        if (err < 0)
            break;
        x->date = sqlite3_column_int(s, 6);
        x->start = sqlite3_column_int(s, 7);
        x->end = sqlite3_column_int(s, 8);
        x->entries = sqlite3_column_int64(s, 9);
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "list reports");
    sqlite3_finalize(s);
    if (err < 0) {
        custos_free(v);
        return err;
    }
    *out = v;
    *n = cnt;
    return CUSTOS_OK;
}
