/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ledger.c: opening the SQLite store, its schema, and importing reports
 * with the checks that need the ledger's history.
 *
 * The schema is described in docs/internals/ledger.md.  Every table that
 * holds received data is append-only: triggers refuse UPDATE and DELETE,
 * and the hash chain (chain.c) detects whatever gets past them.  An import
 * runs in one BEGIN IMMEDIATE transaction; any error rolls it back, so a
 * rejected file leaves the store as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "custos/validate.h"
#include "ledgerint.h"

/* Tables added after schema 1 was first released; created on a writable
 * open when missing (add_missing_tables()). */
#define SIGNATURES_SQL                                                                             \
    "CREATE TABLE IF NOT EXISTS signatures("                                                       \
    " report_id INTEGER PRIMARY KEY, key_id TEXT NOT NULL, signature BLOB NOT NULL);"
#define AUDIT_SQL                                                                                  \
    "CREATE TABLE IF NOT EXISTS audit("                                                            \
    " seq INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL, role TEXT NOT NULL,"           \
    " action TEXT NOT NULL, target TEXT NOT NULL, outcome INTEGER NOT NULL, detail TEXT NOT NULL,"  \
    " remote TEXT NOT NULL, prev BLOB NOT NULL, link BLOB NOT NULL);"

static const char *const schema_sql =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE chain("
    " seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, item_id INTEGER NOT NULL,"
    " stored_at TEXT NOT NULL, source TEXT NOT NULL,"
    " hash BLOB NOT NULL, prev BLOB NOT NULL, link BLOB NOT NULL,"
    " UNIQUE(kind, item_id));"
    "CREATE TABLE reports("
    " id INTEGER PRIMARY KEY, state TEXT NOT NULL, number INTEGER NOT NULL,"
    " mba TEXT NOT NULL, facility TEXT NOT NULL, type TEXT NOT NULL,"
    " report_date INTEGER, encoder TEXT, period_start INTEGER, period_end INTEGER,"
    " entries INTEGER NOT NULL, UNIQUE(state, mba, number));"
    "CREATE INDEX reports_by_mba ON reports(state, mba, type, id);"
    "CREATE TABLE entries("
    " report_id INTEGER NOT NULL, idx INTEGER NOT NULL, kind TEXT NOT NULL, hdr INTEGER NOT NULL,"
    " number INTEGER, total INTEGER, status TEXT, ref_state TEXT, ref_report INTEGER,"
    " ref_entry INTEGER, record_id TEXT, shipper_state TEXT, shipper_mba TEXT,"
    " receiver_state TEXT, receiver_mba TEXT, note_attached TEXT, note TEXT, note_ref TEXT,"
    " note_ref_entry INTEGER, kmp TEXT, code TEXT, change_date INTEGER, mdc TEXT,"
    " own_code_flag TEXT, own_code TEXT, own_desc TEXT, batch TEXT, shipper_batch TEXT,"
    " basis TEXT, basis_kmp TEXT, basis_method TEXT, items INTEGER,"
    " w600 INTEGER, w610 INTEGER, w620 INTEGER, w630 INTEGER, w640 INTEGER, w650 INTEGER,"
    " w660 INTEGER, w670 INTEGER, w680 INTEGER, w690 INTEGER, w700 INTEGER, w710 INTEGER,"
    " w720 INTEGER, w730 INTEGER, w740 INTEGER, w750 INTEGER, w760 INTEGER, w770 INTEGER,"
    " w780 INTEGER, w800 INTEGER,"
    " PRIMARY KEY(report_id, idx)) WITHOUT ROWID;"
    "CREATE TABLE corrections("
    " state TEXT NOT NULL, mba TEXT NOT NULL, ref_report INTEGER NOT NULL,"
    " ref_entry INTEGER NOT NULL, report_id INTEGER NOT NULL, idx INTEGER NOT NULL,"
    " status TEXT NOT NULL,"
    " PRIMARY KEY(state, mba, ref_report, ref_entry, report_id, idx)) WITHOUT ROWID;"
    "CREATE TABLE facilities("
    " id INTEGER PRIMARY KEY, state TEXT NOT NULL, facility TEXT NOT NULL,"
    " version INTEGER NOT NULL, document TEXT NOT NULL, UNIQUE(state, facility, version));"
    "CREATE TABLE facility_mbas("
    " facility_id INTEGER NOT NULL, state TEXT NOT NULL, mba TEXT NOT NULL, facility TEXT NOT NULL,"
    " PRIMARY KEY(facility_id, mba));"
    "CREATE INDEX facility_mbas_by_mba ON facility_mbas(state, mba, facility_id);"
    "CREATE TABLE facility_kmps("
    " facility_id INTEGER NOT NULL, mba TEXT NOT NULL, kmp TEXT NOT NULL, kind TEXT NOT NULL,"
    " PRIMARY KEY(facility_id, mba, kmp));"
    "CREATE TABLE targets("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL, document TEXT NOT NULL);"
    "CREATE TABLE documents("
    " id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL,"
    " document TEXT NOT NULL, UNIQUE(kind, name, version));"
    SIGNATURES_SQL AUDIT_SQL;

/* Append-only: received data is never updated or deleted. */
static const char *const append_only_tables[] = {
    "chain", "reports", "entries", "corrections", "facilities", "facility_mbas", "facility_kmps",
    "targets", "documents", "signatures", "audit",
};

int custos_ledger_sqlerr(custos_ledger *l, const char *what)
{
    int code = l && l->db ? sqlite3_errcode(l->db) : SQLITE_ERROR;
    if (code == SQLITE_NOMEM)
        return custos_error_nomem();
    return custos_error_set(CUSTOS_ESTORAGE, "%s: %s", what,
                            l && l->db ? sqlite3_errmsg(l->db) : "no database");
}

const char *custos_col(sqlite3_stmt *s, int i, int *err)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    if (t)
        return (const char *)t;
    if (sqlite3_column_type(s, i) != SQLITE_NULL && *err >= 0)
        *err = custos_error_nomem();
    return "";
}

sqlite3_stmt *custos_ledger_stmt(custos_ledger *l, int id, const char *sql)
{
    sqlite3_stmt *s = l->st[id];
    if (!s) {
        if (sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
            custos_ledger_sqlerr(l, "prepare");
            return NULL;
        }
        l->st[id] = s;
    } else {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    return s;
}

static int exec(custos_ledger *l, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(l->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int err = rc == SQLITE_NOMEM ? custos_error_nomem()
                                     : custos_error_set(CUSTOS_ESTORAGE, "%s",
                                                        msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return err;
    }
    return CUSTOS_OK;
}

int custos_ledger_begin(custos_ledger *l)
{
    int err = exec(l, "BEGIN IMMEDIATE");
    if (err < 0)
        return err;
    l->in_tx = true;
    sqlite3_stmt *s = custos_ledger_stmt(l, ST_CHAIN_HEAD,
                                         "SELECT seq, link FROM chain ORDER BY seq DESC LIMIT 1");
    if (!s) {
        custos_ledger_rollback(l);
        return CUSTOS_ESTORAGE;
    }
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        l->head_seq = sqlite3_column_int64(s, 0);
        const void *b = sqlite3_column_blob(s, 1);
        if (sqlite3_column_bytes(s, 1) != CUSTOS_HASH_BYTES || !b) {
            sqlite3_reset(s);
            custos_ledger_rollback(l);
            return custos_error_set(CUSTOS_ETAMPER, "chain link %lld is not a 32-byte hash",
                                    (long long)l->head_seq);
        }
        memcpy(l->head_link, b, CUSTOS_HASH_BYTES);
    } else if (rc == SQLITE_DONE) {
        l->head_seq = 0;
        memset(l->head_link, 0, sizeof l->head_link);
    } else {
        err = custos_ledger_sqlerr(l, "chain head");
        sqlite3_reset(s);
        custos_ledger_rollback(l);
        return err;
    }
    sqlite3_reset(s);
    return CUSTOS_OK;
}

int custos_ledger_commit(custos_ledger *l)
{
    int err = exec(l, "COMMIT");
    if (err < 0) {
        custos_ledger_rollback(l);
        return err;
    }
    l->in_tx = false;
    return CUSTOS_OK;
}

void custos_ledger_rollback(custos_ledger *l)
{
    if (!l->in_tx)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        if (l->st[i])
            sqlite3_reset(l->st[i]);
    sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
    l->in_tx = false;
}

void custos_ledger_now(char out[21])
{
    time_t t = time(NULL);
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        long long v = strtoll(sde, &end, 10);
        if (*end == '\0' && v >= 0)
            t = (time_t)v;
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int pragma_int(custos_ledger *l, const char *sql, int *out)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db, sql, -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, sql);
    int rc = sqlite3_step(s);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? CUSTOS_OK : custos_ledger_sqlerr(l, sql);
}

static int append_only_triggers(custos_ledger *l)
{
    char sql[256];
    int err = CUSTOS_OK;
    for (size_t i = 0; i < sizeof append_only_tables / sizeof append_only_tables[0]; i++) {
        const char *t = append_only_tables[i];
        snprintf(sql, sizeof sql,
                 "CREATE TRIGGER IF NOT EXISTS %s_no_update BEFORE UPDATE ON %s BEGIN SELECT "
                 "RAISE(ABORT, 'the custos ledger is append-only'); END;",
                 t, t);
        if ((err = exec(l, sql)) < 0)
            return err;
        snprintf(sql, sizeof sql,
                 "CREATE TRIGGER IF NOT EXISTS %s_no_delete BEFORE DELETE ON %s BEGIN SELECT "
                 "RAISE(ABORT, 'the custos ledger is append-only'); END;",
                 t, t);
        if ((err = exec(l, sql)) < 0)
            return err;
    }
    return err;
}

static int create_schema(custos_ledger *l)
{
    int err;
    char sql[256], now[21];
    if ((err = exec(l, "BEGIN IMMEDIATE")) < 0)
        return err;
    if ((err = exec(l, schema_sql)) < 0 || (err = append_only_triggers(l)) < 0)
        goto fail;
    custos_ledger_now(now);
    snprintf(sql, sizeof sql,
             "INSERT INTO meta VALUES('custos_schema','%d'),('created','%s'),"
             "('chain_hash','BLAKE2b-256');"
             "PRAGMA application_id=%d; PRAGMA user_version=%d;",
             CUSTOS_SCHEMA_VERSION, now, CUSTOS_APPLICATION_ID, CUSTOS_SCHEMA_VERSION);
    if ((err = exec(l, sql)) < 0)
        goto fail;
    return exec(l, "COMMIT");
fail:
    sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
    return err;
}

/* A ledger created before the signatures and audit tables existed gets
 * them (empty, append-only) on its first writable open. */
static int add_missing_tables(custos_ledger *l)
{
    int have = 0, err = pragma_int(l,
                                   "SELECT count(*) FROM sqlite_master WHERE type='table' AND"
                                   " name IN ('signatures','audit')",
                                   &have);
    if (err < 0 || have == 2)
        return err;
    if ((err = exec(l, "BEGIN IMMEDIATE")) < 0)
        return err;
    if ((err = exec(l, SIGNATURES_SQL AUDIT_SQL)) < 0 || (err = append_only_triggers(l)) < 0) {
        sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
        return err;
    }
    return exec(l, "COMMIT");
}

int custos_ledger_open(custos_ledger **out, const char *path, unsigned flags)
{
    *out = NULL;
    int err = custos_global_init();
    if (err < 0)
        return err;
    if (sodium_init() < 0)
        return custos_error_set(CUSTOS_ESTORAGE, "libsodium could not be initialised");
    custos_ledger *l = custos_calloc(1, sizeof *l);
    if (!l)
        return custos_error_nomem();
    l->flags = flags;
    int oflags = (flags & CUSTOS_OPEN_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (flags & CUSTOS_OPEN_CREATE)
        oflags |= SQLITE_OPEN_CREATE;
    oflags |= SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &l->db, oflags, NULL);
    if (rc != SQLITE_OK) {
        if (rc == SQLITE_CANTOPEN && !(flags & CUSTOS_OPEN_CREATE))
            err = custos_error_set(CUSTOS_ENOTFOUND, "%s: no such ledger (create it with custos init)",
                                   path);
        else if (rc == SQLITE_NOMEM)
            err = custos_error_nomem();
        else
            err = custos_error_set(CUSTOS_ESTORAGE, "%s: %s", path,
                                   l->db ? sqlite3_errmsg(l->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(l->db, 1);
    sqlite3_busy_timeout(l->db, 10000);
    int appid = 0, version = 0, tables = 0;
    if ((err = pragma_int(l, "PRAGMA application_id", &appid)) < 0 ||
        (err = pragma_int(l, "SELECT count(*) FROM sqlite_master", &tables)) < 0) {
        if (sqlite3_errcode(l->db) == SQLITE_NOTADB)
            err = custos_error_set(CUSTOS_ESTORAGE, "%s: not a custos ledger", path);
        goto fail;
    }
    if (tables == 0) {
        if ((flags & CUSTOS_OPEN_READONLY) || !(flags & CUSTOS_OPEN_CREATE)) {
            err = custos_error_set(CUSTOS_ENOTFOUND, "%s: empty file, not a custos ledger", path);
            goto fail;
        }
        if (strcmp(path, ":memory:") && (err = exec(l, "PRAGMA journal_mode=WAL")) < 0)
            goto fail;
        if ((err = create_schema(l)) < 0)
            goto fail;
    } else if (appid != CUSTOS_APPLICATION_ID) {
        err = custos_error_set(CUSTOS_ESTORAGE, "%s: not a custos ledger", path);
        goto fail;
    }
    if ((err = pragma_int(l, "PRAGMA user_version", &version)) < 0)
        goto fail;
    if (version != CUSTOS_SCHEMA_VERSION) {
        err = custos_error_set(CUSTOS_ESTORAGE, "%s: ledger schema version %d, this custos reads %d",
                               path, version, CUSTOS_SCHEMA_VERSION);
        goto fail;
    }
    if (!(flags & CUSTOS_OPEN_READONLY) &&
        ((err = exec(l, "PRAGMA synchronous=FULL")) < 0 ||
         (err = exec(l, "PRAGMA foreign_keys=ON")) < 0 || (err = add_missing_tables(l)) < 0))
        goto fail;
    *out = l;
    return CUSTOS_OK;
fail:
    custos_ledger_free(l);
    return err;
}

void custos_ledger_free(custos_ledger *l)
{
    if (!l)
        return;
    custos_ledger_rollback(l);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(l->st[i]);
    sqlite3_close_v2(l->db);
    custos_free(l);
}

int custos_ledger_clone_memory(custos_ledger **out, custos_ledger *src)
{
    *out = NULL;
    custos_ledger *l = custos_calloc(1, sizeof *l);
    if (!l)
        return custos_error_nomem();
    l->flags = src->flags & ~(unsigned)(CUSTOS_OPEN_READONLY | CUSTOS_OPEN_CREATE);
    int err = CUSTOS_OK;
    if (sqlite3_open_v2(":memory:", &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        err = custos_ledger_sqlerr(l, "open");
        goto fail;
    }
    sqlite3_backup *b = sqlite3_backup_init(l->db, "main", src->db, "main");
    if (!b) {
        err = custos_ledger_sqlerr(l, "copy ledger");
        goto fail;
    }
    int rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        err = custos_error_set(CUSTOS_ESTORAGE, "copy ledger: %s", sqlite3_errstr(rc));
        goto fail;
    }
    *out = l;
    return CUSTOS_OK;
fail:
    custos_ledger_free(l);
    return err;
}

struct sqlite3 *custos_ledger_db(custos_ledger *l)
{
    return l->db;
}

/* ---- history checks --------------------------------------------------- */

typedef struct hctx {
    custos_ledger *l;
    const custos_report *r;
    custos_diags *d;
    int errors;
    int err; /* storage error, stops the checks */
} hctx;

static void herr(hctx *h, custos_severity sev, const custos_entry *e, int label, const char *fmt,
                 ...) CUSTOS_PRINTF(5, 6);

static void herr(hctx *h, custos_severity sev, const custos_entry *e, int label, const char *fmt,
                 ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint32_t line = e ? e->line : h->r->line;
    int32_t num = e ? e->number : 0;
    if (sev == CUSTOS_SEV_ERROR) {
        if (h->errors++ == 0) {
            custos_diag g = {sev, h->r->source ? h->r->source : "", line, num, label, msg};
            char text[1024];
            custos_diag_format(text, sizeof text, &g);
            custos_error_set(CUSTOS_EINVAL, "%s", text);
        }
    }
    custos_diags_add(h->d, sev, h->r->source, line, num, label, "%s", msg);
}

/* Run a statement expected to give at most one row; returns 1 with the row
 * ready, 0 for none, <0 on error (h->err set). */
static int one_row(hctx *h, sqlite3_stmt *s)
{
    if (!s) {
        h->err = CUSTOS_ESTORAGE;
        return -1;
    }
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    h->err = custos_ledger_sqlerr(h->l, "query");
    return -1;
}

static void bind_mba(sqlite3_stmt *s, const custos_report *r)
{
    sqlite3_bind_text(s, 1, r->state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, r->mba, -1, SQLITE_STATIC);
}

static bool registry_required(const custos_ledger *l)
{
    return !(l->flags & CUSTOS_OPEN_SCRATCH);
}

/* MBA and facility registered; KMPs known. */
static void check_registry(hctx *h)
{
    const custos_report *r = h->r;
    if (!registry_required(h->l))
        return;
    sqlite3_stmt *s = custos_ledger_stmt(
        h->l, ST_MBA_KNOWN,
        "SELECT facility, facility_id FROM facility_mbas WHERE state=?1 AND mba=?2 "
        "ORDER BY facility_id DESC LIMIT 1");
    if (!s) {
        h->err = CUSTOS_ESTORAGE;
        return;
    }
    bind_mba(s, r);
    int k = one_row(h, s);
    if (k < 0)
        return;
    if (k == 0) {
        herr(h, CUSTOS_SEV_ERROR, NULL, 307,
             "MBA %s of State %s is not registered (custos facility add)", r->mba, r->state);
        sqlite3_reset(s);
        return;
    }
    char facility[8];
    int cerr = CUSTOS_OK;
    custos_strlcpy(facility, custos_col(s, 0, &cerr), sizeof facility);
    int64_t fid = sqlite3_column_int64(s, 1);
    sqlite3_reset(s);
    if (cerr < 0) {
        h->err = cerr;
        return;
    }
    if (strcmp(facility, r->facility))
        herr(h, CUSTOS_SEV_ERROR, NULL, 207, "MBA %s belongs to facility %s, not %s", r->mba,
             facility, r->facility);
    /* KMPs, when the facility lists them for this MBA: loaded once, checked
     * in memory (a report may have a million entries). */
    s = custos_ledger_stmt(h->l, ST_KMP_KNOWN,
                           "SELECT kmp FROM facility_kmps WHERE facility_id=?1 AND mba=?2");
    if (!s) {
        h->err = CUSTOS_ESTORAGE;
        return;
    }
    sqlite3_bind_int64(s, 1, fid);
    sqlite3_bind_text(s, 2, r->mba, -1, SQLITE_STATIC);
    /* KMP codes are 1-2 characters of [A-Z0-9]: a 37x37 bit table. */
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    unsigned char known[37 * 37];
    memset(known, 0, sizeof known);
    int nk = 0, rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *kc = custos_col(s, 0, &cerr);
        if (cerr < 0) {
            sqlite3_reset(s);
            h->err = cerr;
            return;
        }
        const char *a = kc[0] ? strchr(alphabet, kc[0]) : NULL;
        const char *b = a && kc[1] ? strchr(alphabet, kc[1]) : NULL;
        if (a)
            known[(a - alphabet) * 37 + (b ? b - alphabet + 1 : 0)] = 1;
        nk++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        h->err = custos_ledger_sqlerr(h->l, "KMPs");
        return;
    }
    if (nk == 0)
        goto partners;
    for (size_t i = 0; i < r->n; i++) {
        const custos_entry *e = &r->entries[i];
        const char *kmps[2] = {e->kmp, e->basis_kmp};
        for (int q = 0; q < 2; q++) {
            if (!kmps[q][0] || e->kind != 'O')
                continue;
            if (q == 1 && (e->basis == 'N' || e->basis == 'L'))
                continue; /* a KMP of another MBA */
            const char *a = strchr(alphabet, kmps[q][0]);
            const char *b = kmps[q][1] ? strchr(alphabet, kmps[q][1]) : NULL;
            bool found = a && (!kmps[q][1] || b) &&
                         known[(a - alphabet) * 37 + (b ? b - alphabet + 1 : 0)];
            if (!found)
                herr(h, CUSTOS_SEV_ERROR, e, q ? 469 : 407, "KMP %s is not registered for MBA %s",
                     kmps[q], r->mba);
        }
    }
partners:
    /* The other MBA of a domestic transfer must be known too. */
    for (size_t i = 0; i < r->n; i++) {
        const custos_entry *e = &r->entries[i];
        const custos_party *p = NULL;
        int label = 0;
        if (e->kind != 'O' || e->status == 'U' || e->status == 'D')
            continue;
        if (!strcmp(e->code, "RD")) {
            p = &e->shipper;
            label = 370;
        } else if (!strcmp(e->code, "SD")) {
            p = &e->receiver;
            label = 372;
        }
        if (!p || !p->code[0] || strcmp(p->state, r->state))
            continue;
        s = custos_ledger_stmt(h->l, ST_MBA_KNOWN,
                               "SELECT facility, facility_id FROM facility_mbas WHERE state=?1 AND "
                               "mba=?2 ORDER BY facility_id DESC LIMIT 1");
        if (!s) {
            h->err = CUSTOS_ESTORAGE;
            return;
        }
        sqlite3_bind_text(s, 1, p->state, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, p->code, -1, SQLITE_STATIC);
        int found = one_row(h, s);
        sqlite3_reset(s);
        if (found < 0)
            return;
        if (!found)
            herr(h, CUSTOS_SEV_ERROR, e, label, "%s MBA %s/%s is not registered",
                 label == 370 ? "shipping" : "receiving", p->state, p->code);
    }
}

/* Returns true when the report is already stored (nothing more to check). */
static bool check_number(hctx *h)
{
    const custos_report *r = h->r;
    sqlite3_stmt *s = custos_ledger_stmt(h->l, ST_LAST_NUMBER,
                                         "SELECT max(number), count(*) FROM reports WHERE state=?1 "
                                         "AND mba=?2");
    if (!s) {
        h->err = CUSTOS_ESTORAGE;
        return false;
    }
    bind_mba(s, r);
    if (one_row(h, s) <= 0)
        return false;
    int64_t last = sqlite3_column_int64(s, 0), count = sqlite3_column_int64(s, 1);
    sqlite3_reset(s);
    if (count == 0)
        return false;
    sqlite3_stmt *x = custos_ledger_stmt(
        h->l, ST_REPORT_EXISTS, "SELECT id FROM reports WHERE state=?1 AND mba=?2 AND number=?3");
    if (!x) {
        h->err = CUSTOS_ESTORAGE;
        return false;
    }
    bind_mba(x, r);
    sqlite3_bind_int64(x, 3, r->number);
    int k = one_row(h, x);
    sqlite3_reset(x);
    if (k < 0)
        return false;
    if (k == 1) {
        herr(h, CUSTOS_SEV_ERROR, NULL, 1, "report %s;%lld of MBA %s is already stored", r->state,
             (long long)r->number, r->mba);
        return true;
    }
    if (r->number < last)
        herr(h, CUSTOS_SEV_ERROR, NULL, 1,
             "report number %lld is out of order: MBA %s already has report %lld", (long long)r->number,
             r->mba, (long long)last);
    else if (r->number == last + 2)
        herr(h, CUSTOS_SEV_FINDING, NULL, 1,
             "report number %lld of MBA %s is missing (numbers are consecutive per MBA)",
             (long long)last + 1, r->mba);
    else if (r->number > last + 2)
        herr(h, CUSTOS_SEV_FINDING, NULL, 1,
             "report numbers %lld to %lld of MBA %s are missing (numbers are consecutive per MBA)",
             (long long)last + 1, (long long)r->number - 1, r->mba);
    return false;
}

/* Last stored period of a type: returns 1 with *end (and *start), 0 if none. */
static int last_period(hctx *h, char type, custos_date *start, custos_date *end)
{
    sqlite3_stmt *s = custos_ledger_stmt(h->l, ST_LAST_PERIOD,
                                         "SELECT period_start, period_end FROM reports WHERE "
                                         "state=?1 AND mba=?2 AND type=?3 ORDER BY id DESC LIMIT 1");
    if (!s) {
        h->err = CUSTOS_ESTORAGE;
        return -1;
    }
    bind_mba(s, h->r);
    sqlite3_bind_text(s, 3, custos_char_str(type), -1, SQLITE_STATIC);
    int k = one_row(h, s);
    if (k == 1) {
        *start = (custos_date)sqlite3_column_int(s, 0);
        *end = (custos_date)sqlite3_column_int(s, 1);
    }
    sqlite3_reset(s);
    return k;
}

/* Opening PIT date of the MBA (its first PIL), 0 when there is none. */
static custos_date opening_pit(hctx *h)
{
    sqlite3_stmt *s = custos_ledger_stmt(h->l, ST_FIRST_PIL,
                                         "SELECT min(period_end) FROM reports WHERE state=?1 AND "
                                         "mba=?2 AND type='P'");
    if (!s) {
        h->err = CUSTOS_ESTORAGE;
        return 0;
    }
    bind_mba(s, h->r);
    custos_date d = 0;
    if (one_row(h, s) == 1)
        d = (custos_date)sqlite3_column_int(s, 0);
    sqlite3_reset(s);
    return d;
}

static bool pil_at(hctx *h, custos_date date)
{
    sqlite3_stmt *s = custos_ledger_stmt(h->l, ST_PIL_AT,
                                         "SELECT 1 FROM reports WHERE state=?1 AND mba=?2 AND "
                                         "type='P' AND period_end=?3");
    if (!s) {
        h->err = CUSTOS_ESTORAGE;
        return false;
    }
    bind_mba(s, h->r);
    sqlite3_bind_int(s, 3, date);
    bool found = one_row(h, s) == 1;
    sqlite3_reset(s);
    return found;
}

static void check_periods(hctx *h)
{
    const custos_report *r = h->r;
    custos_date ls = 0, le = 0;
    char type = r->type;
    if (type != 'I' && type != 'M' && type != 'P')
        return;
    int k = last_period(h, type, &ls, &le);
    if (k < 0)
        return;
    if (type == 'P') {
        if (k == 1 && r->end <= le)
            herr(h, CUSTOS_SEV_ERROR, NULL, 15,
                 "PIT date %d is not after the MBA's last PIT date %d", (int)r->end, (int)le);
        return;
    }
    const char *name = type == 'I' ? "ICR" : "MBR";
    if (k == 1) {
        custos_date want = custos_date_add(le, 1);
        if (r->start < want)
            herr(h, CUSTOS_SEV_ERROR, NULL, 15,
                 "reporting period %d/%d overlaps the previous %s, which ended %d", (int)r->start,
                 (int)r->end, name, (int)le);
        else if (r->start > want)
            herr(h, CUSTOS_SEV_ERROR, NULL, 15,
                 "reporting period %d/%d leaves a gap after the previous %s, which ended %d",
                 (int)r->start, (int)r->end, name, (int)le);
    }
    custos_date open = opening_pit(h);
    if (h->err)
        return;
    if (!open) {
        herr(h, CUSTOS_SEV_ERROR, NULL, 307,
             "MBA %s has no opening physical inventory listing (PIL) yet", r->mba);
        return;
    }
    if (type == 'M') {
        custos_date pb = custos_date_add(r->start, -1);
        if (!pil_at(h, pb) && !h->err)
            herr(h, CUSTOS_SEV_ERROR, NULL, 15,
                 "MBR period %d/%d does not start the day after a stored PIT (no PIL dated %d)",
                 (int)r->start, (int)r->end, (int)pb);
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        const custos_entry *e = &r->entries[i];
        if (e->kind == 'O' && e->status == 'N' && e->change_date && e->change_date <= open)
            herr(h, CUSTOS_SEV_ERROR, e, 412,
                 "inventory change dated %d, on or before the MBA's opening PIT %d",
                 (int)e->change_date, (int)open);
    }
}

/* Latest correction status for key (report, entry): 0 when none. */
static char last_correction(hctx *h, int64_t report, int32_t entry)
{
    sqlite3_stmt *s = custos_ledger_stmt(h->l, ST_LAST_CORRECTION,
                                         "SELECT status FROM corrections WHERE state=?1 AND mba=?2 "
                                         "AND ref_report=?3 AND ref_entry=?4 "
                                         "ORDER BY report_id DESC, idx DESC LIMIT 1");
    if (!s) {
        h->err = CUSTOS_ESTORAGE;
        return 0;
    }
    bind_mba(s, h->r);
    sqlite3_bind_int64(s, 3, report);
    sqlite3_bind_int(s, 4, entry);
    char st = 0;
    int cerr = CUSTOS_OK;
    if (one_row(h, s) == 1)
        st = custos_col(s, 0, &cerr)[0];
    sqlite3_reset(s);
    if (cerr < 0)
        h->err = cerr;
    return st;
}

static void check_corrections(hctx *h, const custos_entry *e)
{
    const custos_report *r = h->r;
    sqlite3_stmt *s = custos_ledger_stmt(h->l, ST_TARGET_REPORT,
                                         "SELECT id, type, period_start, period_end FROM reports "
                                         "WHERE state=?1 AND mba=?2 AND number=?3");
    if (!s) {
        h->err = CUSTOS_ESTORAGE;
        return;
    }
    bind_mba(s, r);
    sqlite3_bind_int64(s, 3, e->ref_report);
    int k = one_row(h, s);
    if (k <= 0) {
        sqlite3_reset(s);
        if (k == 0)
            herr(h, CUSTOS_SEV_ERROR, e, 309, "%s refers to report %s;%lld, which MBA %s does not have",
                 e->status == 'C' ? "correction" : e->status == 'D' ? "deletion" : "late addition",
                 e->ref_state, (long long)e->ref_report, r->mba);
        return;
    }
    int64_t rid = sqlite3_column_int64(s, 0);
    int cerr = CUSTOS_OK;
    char ttype = custos_col(s, 1, &cerr)[0];
    if (cerr < 0) {
        sqlite3_reset(s);
        h->err = cerr;
        return;
    }
    custos_date ps = (custos_date)sqlite3_column_int(s, 2), pe = (custos_date)sqlite3_column_int(s, 3);
    sqlite3_reset(s);
    if (ttype != r->type) {
        static const char *const names[] = {"an ICR", "a PIL", "an MBR", "a textual report"};
        int ti = ttype == 'I' ? 0 : ttype == 'P' ? 1 : ttype == 'M' ? 2 : 3;
        int ri = r->type == 'I' ? 0 : r->type == 'P' ? 1 : r->type == 'M' ? 2 : 3;
        herr(h, CUSTOS_SEV_ERROR, e, 309, "%s refers to report %s;%lld, which is %s, not %s",
             e->status == 'C' ? "correction" : e->status == 'D' ? "deletion" : "late addition",
             e->ref_state, (long long)e->ref_report, names[ti], names[ri]);
        return;
    }
    /* Is the key (report, entry) live now? */
    char last = last_correction(h, e->ref_report, e->ref_entry);
    if (h->err)
        return;
    bool live;
    if (last)
        live = last != 'D';
    else {
        s = custos_ledger_stmt(h->l, ST_TARGET_ENTRY,
                               "SELECT status FROM entries WHERE report_id=?1 AND kind='O' AND "
                               "number=?2");
        if (!s) {
            h->err = CUSTOS_ESTORAGE;
            return;
        }
        sqlite3_bind_int64(s, 1, rid);
        sqlite3_bind_int(s, 2, e->ref_entry);
        k = one_row(h, s);
        live = k == 1 && custos_col(s, 0, &cerr)[0] == 'N';
        sqlite3_reset(s);
        if (cerr < 0) {
            h->err = cerr;
            return;
        }
        if (k < 0)
            return;
    }
    if (e->status == 'A' && live)
        herr(h, CUSTOS_SEV_ERROR, e, 309,
             "late addition as entry %d of report %lld, which already has that entry (use C)",
             (int)e->ref_entry, (long long)e->ref_report);
    else if (e->status != 'A' && !live)
        herr(h, CUSTOS_SEV_ERROR, e, 309, "%s of entry %d of report %lld, which %s",
             e->status == 'C' ? "correction" : "deletion", (int)e->ref_entry,
             (long long)e->ref_report, last == 'D' ? "was deleted" : "does not exist");
    if (e->status != 'D' && r->type == 'I' && e->change_date &&
        (e->change_date < ps || e->change_date > pe))
        herr(h, CUSTOS_SEV_ERROR, e, 412, "date %d outside the period %d/%d of report %lld",
             (int)e->change_date, (int)ps, (int)pe, (long long)e->ref_report);
}

static int history_checks(custos_ledger *l, const custos_report *r, custos_diags *d)
{
    hctx h = {l, r, d, 0, 0};
    check_registry(&h);
    bool stored = !h.err && check_number(&h);
    if (!h.err && !stored)
        check_periods(&h);
    return h.err ? h.err : h.errors ? CUSTOS_EINVAL : CUSTOS_OK;
}

/* Corrections are checked one by one as they are inserted, so that two
 * corrections of one key in one report see each other. */
static int correction_checks(custos_ledger *l, const custos_report *r, size_t i, custos_diags *d)
{
    hctx h = {l, r, d, 0, 0};
    check_corrections(&h, &r->entries[i]);
    return h.err ? h.err : h.errors ? CUSTOS_EINVAL : CUSTOS_OK;
}

/* Insert a checked report and chain it; fills out.  The report's rows go
 * in under a savepoint so a report refused late (a correction pointing
 * nowhere) leaves the transaction as it was before it. */
static int store_one(custos_ledger *l, const custos_report *r, custos_diags *d, custos_stored *out)
{
    int err;
    int64_t id;
    char *text = NULL;
    size_t len;
    size_t before = custos_diags_total(d, CUSTOS_SEV_ERROR);
    if ((err = custos_report_validate(r, d)) == CUSTOS_ENOMEM)
        return err;
    if ((err = history_checks(l, r, d)) < 0 && err != CUSTOS_EINVAL)
        return err;
    if (custos_diags_total(d, CUSTOS_SEV_ERROR) > before)
        return CUSTOS_EINVAL;
    if (sqlite3_exec(l->db, "SAVEPOINT report", NULL, NULL, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "savepoint");
    if ((err = custos_store_insert(l, r, &id)) < 0)
        goto undo;
    /* Corrections against the ledger including this report's earlier rows. */
    for (size_t i = 0; i < r->n; i++) {
        const custos_entry *e = &r->entries[i];
        if (e->kind != 'O' || (e->status != 'C' && e->status != 'D' && e->status != 'A'))
            continue;
        int ce = correction_checks(l, r, i, d);
        if (ce < 0 && ce != CUSTOS_EINVAL) {
            err = ce;
            goto undo;
        }
        sqlite3_stmt *s = custos_ledger_stmt(l, ST_INSERT_CORRECTION,
                                             "INSERT INTO corrections VALUES(?1,?2,?3,?4,?5,?6,?7)");
        if (!s) {
            err = CUSTOS_ESTORAGE;
            goto undo;
        }
        sqlite3_bind_text(s, 1, r->state, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, r->mba, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, e->ref_report);
        sqlite3_bind_int(s, 4, e->ref_entry);
        sqlite3_bind_int64(s, 5, id);
        sqlite3_bind_int64(s, 6, (int64_t)i);
        sqlite3_bind_text(s, 7, custos_char_str(e->status), -1, SQLITE_STATIC);
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
            err = custos_ledger_sqlerr(l, "insert correction");
            goto undo;
        }
    }
    if (custos_diags_total(d, CUSTOS_SEV_ERROR) > before) {
        err = CUSTOS_EINVAL;
        goto undo;
    }
    if ((err = custos_report_canonical(&text, &len, r)) < 0)
        goto undo;
    unsigned char hash[CUSTOS_HASH_BYTES], link[CUSTOS_HASH_BYTES];
    custos_hash(hash, text, len);
    custos_free(text);
    int64_t seq;
    if ((err = custos_chain_append(l, "report", id, r->source ? r->source : "", hash, &seq, link)) < 0)
        goto undo;
    if (sqlite3_exec(l->db, "RELEASE report", NULL, NULL, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "release");
    if (out) {
        memset(out, 0, sizeof *out);
        out->seq = seq;
        out->id = id;
        memcpy(out->state, r->state, sizeof out->state);
        out->number = r->number;
        memcpy(out->mba, r->mba, sizeof out->mba);
        out->type = r->type;
        out->start = r->start;
        out->end = r->end;
        out->entries = r->n;
        custos_hex(out->hash, hash, sizeof hash);
        custos_hex(out->link, link, sizeof link);
    }
    return CUSTOS_OK;
undo:
    for (int i = 0; i < ST_COUNT; i++)
        if (l->st[i])
            sqlite3_reset(l->st[i]);
    sqlite3_exec(l->db, "ROLLBACK TO report", NULL, NULL, NULL);
    sqlite3_exec(l->db, "RELEASE report", NULL, NULL, NULL);
    return err;
}

int custos_ledger_store_in_tx(custos_ledger *l, const custos_report *r, custos_diags *d,
                              custos_stored *out)
{
    return store_one(l, r, d, out);
}

int custos_ledger_store(custos_ledger *l, const custos_report *r, custos_diags *d,
                        custos_stored *out)
{
    if (l->flags & CUSTOS_OPEN_READONLY)
        return custos_error_set(CUSTOS_EFORBIDDEN, "the ledger is open read-only");
    int err = custos_ledger_begin(l);
    if (err < 0)
        return err;
    if ((err = store_one(l, r, d, out)) < 0) {
        custos_ledger_rollback(l);
        return err;
    }
    return custos_ledger_commit(l);
}

int custos_ledger_import(custos_ledger *l, custos_reader *rd, const custos_import_options *opt,
                         custos_diags *d)
{
    static const custos_import_options none = {0};
    if (!opt)
        opt = &none;
    if ((l->flags & CUSTOS_OPEN_READONLY) && !opt->dry_run)
        return custos_error_set(CUSTOS_EFORBIDDEN, "the ledger is open read-only");
    int err = custos_ledger_begin(l);
    if (err < 0)
        return err;
    int failed = 0;
    for (;;) {
        custos_report *r = NULL;
        uint64_t before = custos_reader_offset(rd);
        int k = custos_reader_next(&r, rd, d);
        if (k < 0) {
            err = k;
            goto fail;
        }
        if (k == 0)
            break;
        custos_stored st;
        l->progress = opt->progress;
        l->progress_ctx = opt->progress_ctx;
        l->progress_from = before;
        l->progress_to = custos_reader_offset(rd);
        l->progress_total = custos_reader_size(rd);
        err = store_one(l, r, d, &st);
        l->progress = NULL;
        custos_report_free(r);
        if (err == CUSTOS_EINVAL) {
            /* Keep checking the following reports of the file so one run
             * lists every problem; nothing will be stored. */
            if (!failed++)
                custos_clear_error();
            continue;
        }
        if (err < 0)
            goto fail;
        if (!failed && opt->on_stored)
            opt->on_stored(opt->stored_ctx, &st);
        if (opt->progress)
            opt->progress(opt->progress_ctx, custos_reader_offset(rd), custos_reader_size(rd));
    }
    if (failed) {
        err = CUSTOS_EINVAL;
        goto fail;
    }
    if (opt->dry_run) {
        custos_ledger_rollback(l);
        return CUSTOS_OK;
    }
    return custos_ledger_commit(l);
fail:
    custos_ledger_rollback(l);
    if (err == CUSTOS_EINVAL) {
        /* The last error is the first problem found. */
        for (size_t i = 0; i < custos_diags_count(d); i++) {
            const custos_diag *g = custos_diags_get(d, i);
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
