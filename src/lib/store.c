/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c: a report to rows and back.
 *
 * One row in `reports` per report, one row in `entries` per entry with one
 * column per Code 10 field (NULL when the label was not given) and one
 * integer column per weight label in milligrams.  Loading rebuilds the
 * report exactly; the chain hashes the canonical text of the loaded
 * report, so whatever a row says is what verify checks.
 */
#include <stdio.h>
#include <string.h>

#include "ledgerint.h"

#define HDR_BITS                                                                             \
    ((1ull << CUSTOS_L001) | (1ull << CUSTOS_L003) | (1ull << CUSTOS_L006) |                 \
     (1ull << CUSTOS_L010) | (1ull << CUSTOS_L015) | (1ull << CUSTOS_L207) |                 \
     (1ull << CUSTOS_L307))
/* The header labels of a concise note (it carries no 006, 010, 015).  An
 * entry is stored only after validation, which requires every header label
 * of its kind: the stored bits are these, or tampering. */
#define NC_HDR_BITS                                                                          \
    ((1ull << CUSTOS_L001) | (1ull << CUSTOS_L003) | (1ull << CUSTOS_L207) |                 \
     (1ull << CUSTOS_L307))

const char *const custos_entry_columns =
    "kind, hdr, number, total, status, ref_state, ref_report, ref_entry, record_id,"
    " shipper_state, shipper_mba, receiver_state, receiver_mba, note_attached, note, note_ref,"
    " note_ref_entry, kmp, code, change_date, mdc, own_code_flag, own_code, own_desc, batch,"
    " shipper_batch, basis, basis_kmp, basis_method, items,"
    " w600, w610, w620, w630, w640, w650, w660, w670, w680, w690, w700, w710, w720, w730, w740,"
    " w750, w760, w770, w780, w800";
#define NCOLS 50

void custos_store_columns(char *buf, size_t size, const char *prefix)
{
    size_t n = 0;
    const char *p = custos_entry_columns;
    buf[0] = '\0';
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *end = p;
        while (*end && *end != ',')
            end++;
        int k = snprintf(buf + n, size - n, "%s%s%.*s", n ? ", " : "", prefix, (int)(end - p), p);
        if (k < 0 || (size_t)k >= size - n)
            return;
        n += (size_t)k;
        p = end;
    }
}

static bool has(const custos_entry *e, int bit)
{
    return (e->present >> bit) & 1u;
}

static void bind_text(sqlite3_stmt *s, int i, bool present, const char *v)
{
    if (present && v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static void bind_char(sqlite3_stmt *s, int i, bool present, char c)
{
    if (present && c) {
        sqlite3_bind_text(s, i, custos_char_str(c), -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(s, i);
    }
}

int custos_store_insert(custos_ledger *l, const custos_report *r, int64_t *id)
{
    sqlite3_stmt *s = custos_ledger_stmt(
        l, ST_INSERT_REPORT,
        "INSERT INTO reports(state, number, mba, facility, type, report_date, encoder,"
        " period_start, period_end, entries) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
    if (!s)
        return CUSTOS_ESTORAGE;
    sqlite3_bind_text(s, 1, r->state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, r->number);
    sqlite3_bind_text(s, 3, r->mba, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, r->facility, -1, SQLITE_STATIC);
    bind_char(s, 5, true, r->type ? r->type : 'T');
    if (r->date)
        sqlite3_bind_int(s, 6, r->date);
    bind_text(s, 7, r->encoder[0] != 0, r->encoder);
    if (r->start)
        sqlite3_bind_int(s, 8, r->start);
    if (r->end)
        sqlite3_bind_int(s, 9, r->end);
    sqlite3_bind_int64(s, 10, (int64_t)r->n);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return custos_ledger_sqlerr(l, "insert report");
    *id = sqlite3_last_insert_rowid(l->db);

    static const char sql[] =
        "INSERT INTO entries VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,"
        "?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33,?34,?35,?36,?37,?38,?39,"
        "?40,?41,?42,?43,?44,?45,?46,?47,?48,?49,?50,?51,?52)";
    for (size_t i = 0; i < r->n; i++) {
        const custos_entry *e = &r->entries[i];
        if (l->progress && i % 16384 == 16383)
            l->progress(l->progress_ctx,
                        l->progress_from + (l->progress_to - l->progress_from) * i / r->n,
                        l->progress_total);
        s = custos_ledger_stmt(l, ST_INSERT_ENTRY, sql);
        if (!s)
            return CUSTOS_ESTORAGE;
        bool corr = e->status == 'C' || e->status == 'D' || e->status == 'A';
        sqlite3_bind_int64(s, 1, *id);
        sqlite3_bind_int64(s, 2, (int64_t)i);
        bind_char(s, 3, true, e->kind);
        sqlite3_bind_int64(s, 4, (int64_t)(e->present & HDR_BITS));
        if (has(e, CUSTOS_L002)) {
            sqlite3_bind_int(s, 5, e->number);
            if (e->total)
                sqlite3_bind_int(s, 6, e->total);
        }
        bind_char(s, 7, has(e, CUSTOS_L309), e->status);
        if (has(e, CUSTOS_L309) && corr) {
            sqlite3_bind_text(s, 8, e->ref_state, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 9, e->ref_report);
            sqlite3_bind_int(s, 10, e->ref_entry);
        }
        bind_text(s, 11, has(e, CUSTOS_L310), e->record_id);
        bind_text(s, 12, has(e, CUSTOS_L370), e->shipper.state);
        bind_text(s, 13, has(e, CUSTOS_L370) && e->shipper.code[0], e->shipper.code);
        bind_text(s, 14, has(e, CUSTOS_L372), e->receiver.state);
        bind_text(s, 15, has(e, CUSTOS_L372) && e->receiver.code[0], e->receiver.code);
        bind_char(s, 16, has(e, CUSTOS_L390), e->note_attached);
        bind_text(s, 17, has(e, CUSTOS_L391), e->note);
        bind_char(s, 18, has(e, CUSTOS_L099), e->note_ref);
        if (has(e, CUSTOS_L099) && e->note_ref == 'E')
            sqlite3_bind_int(s, 19, e->note_ref_entry);
        bind_text(s, 20, has(e, CUSTOS_L407), e->kmp);
        bind_text(s, 21, has(e, CUSTOS_L411), e->code);
        if (has(e, CUSTOS_L412))
            sqlite3_bind_int(s, 22, e->change_date);
        bind_text(s, 23, has(e, CUSTOS_L430), e->mdc);
        bind_char(s, 24, has(e, CUSTOS_L435), e->own_code_flag);
        bind_text(s, 25, has(e, CUSTOS_L435) && e->own_code_flag == 'N', e->own_code);
        bind_text(s, 26, has(e, CUSTOS_L436), e->own_desc);
        bind_text(s, 27, has(e, CUSTOS_L446), e->batch);
        bind_text(s, 28, has(e, CUSTOS_L447), e->shipper_batch);
        bind_char(s, 29, has(e, CUSTOS_L469), e->basis);
        bind_text(s, 30, has(e, CUSTOS_L469) && e->basis_kmp[0], e->basis_kmp);
        bind_text(s, 31, has(e, CUSTOS_L469) && e->basis_method[0], e->basis_method);
        if (has(e, CUSTOS_L470))
            sqlite3_bind_int64(s, 32, e->items);
        for (int k = 0; k < CUSTOS_NWEIGHTS; k++)
            if (e->wmask >> k & 1u)
                sqlite3_bind_int64(s, 33 + k, e->mg[k]);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return custos_ledger_sqlerr(l, "insert entry");
    }
    return CUSTOS_OK;
}

/* The loaders below set *present bits for non-NULL columns; a text SQLite
 * could not produce (out of memory) sets *err through custos_col().
 *
 * A stored value must be exactly what custos writes: text of the field's
 * length (one character for the single-letter fields), integers as
 * integers.  Verify rebuilds each report's canonical text through these
 * loaders while balances and transfers filter and sum the same columns in
 * SQL, so a value that loads as the original but compares differently
 * (type 'Ixyz' read as 'I', the text '20260122 junk' read as 20260122,
 * 2^32 + d read as d; text that is a whole number SQLite's INTEGER
 * affinity stores as the integer) would let an edit pass verify and
 * change the books.
 * Such a value is CUSTOS_ETAMPER, and verify reports its link. */
static void malformed(sqlite3_stmt *s, int col, const char *want, int *err)
{
    if (*err >= 0)
        *err = custos_error_set(CUSTOS_ETAMPER,
                                "stored value of column %s is not %s (changed outside custos)",
                                sqlite3_column_name(s, col), want);
}

/* The text of a TEXT column of fewer than size bytes without NUL, or NULL
 * (with *err set) when it is not. */
static const char *col_text(sqlite3_stmt *s, int col, size_t size, const char *want, int *err)
{
    if (sqlite3_column_type(s, col) != SQLITE_TEXT) {
        malformed(s, col, want, err);
        return NULL;
    }
    const char *v = custos_col(s, col, err);
    size_t n = (size_t)sqlite3_column_bytes(s, col);
    if (*err < 0)
        return NULL;
    if (n >= size || strlen(v) != n) {
        malformed(s, col, want, err);
        return NULL;
    }
    return v;
}

static void col_str(sqlite3_stmt *s, int col, char *dst, size_t size, uint64_t *present, int bit,
                    int *err)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return;
    const char *v = col_text(s, col, size, "text of the field's length", err);
    if (!v)
        return;
    custos_strlcpy(dst, v, size);
    if (bit >= 0)
        *present |= 1ull << bit;
}

static char col_char(sqlite3_stmt *s, int col, uint64_t *present, int bit, int *err)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return 0;
    const char *v = col_text(s, col, 2, "one character", err);
    if (!v || !v[0]) {
        if (v)
            malformed(s, col, "one character", err);
        return 0;
    }
    if (bit >= 0)
        *present |= 1ull << bit;
    return v[0];
}

/* An INTEGER column (NULL reads as 0) within [lo, hi]. */
static int64_t col_int(sqlite3_stmt *s, int col, int64_t lo, int64_t hi, int *err)
{
    int t = sqlite3_column_type(s, col);
    if (t == SQLITE_NULL)
        return 0;
    int64_t v = sqlite3_column_int64(s, col);
    if (t != SQLITE_INTEGER || v < lo || v > hi) {
        malformed(s, col, "an integer in range", err);
        return 0;
    }
    return v;
}
#define COL_I32(s, col, err) ((int32_t)col_int(s, col, INT32_MIN, INT32_MAX, err))
#define COL_I64(s, col, err) col_int(s, col, INT64_MIN, INT64_MAX, err)

static bool col_null(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL;
}

void custos_store_entry_from_row(sqlite3_stmt *s, int c, custos_entry *e, int *err)
{
    uint64_t p = 0;
    memset(e, 0, sizeof *e);
    e->kind = col_char(s, c + 0, &p, -1, err);
    int64_t hdr = COL_I64(s, c + 1, err);
    if (hdr & ~(int64_t)HDR_BITS)
        malformed(s, c + 1, "a set of header labels", err);
    p |= (uint64_t)hdr & HDR_BITS;
    if (!col_null(s, c + 2)) {
        p |= 1ull << CUSTOS_L002;
        e->number = COL_I32(s, c + 2, err);
        e->total = COL_I32(s, c + 3, err);
    }
    e->status = col_char(s, c + 4, &p, CUSTOS_L309, err);
    col_str(s, c + 5, e->ref_state, sizeof e->ref_state, &p, -1, err);
    e->ref_report = COL_I64(s, c + 6, err);
    e->ref_entry = COL_I32(s, c + 7, err);
    col_str(s, c + 8, e->record_id, sizeof e->record_id, &p, CUSTOS_L310, err);
    col_str(s, c + 9, e->shipper.state, sizeof e->shipper.state, &p, CUSTOS_L370, err);
    col_str(s, c + 10, e->shipper.code, sizeof e->shipper.code, &p, -1, err);
    col_str(s, c + 11, e->receiver.state, sizeof e->receiver.state, &p, CUSTOS_L372, err);
    col_str(s, c + 12, e->receiver.code, sizeof e->receiver.code, &p, -1, err);
    e->note_attached = col_char(s, c + 13, &p, CUSTOS_L390, err);
    if (sqlite3_column_type(s, c + 14) != SQLITE_NULL) {
        const char *note = col_text(s, c + 14, SIZE_MAX, "text", err);
        p |= 1ull << CUSTOS_L391;
        if (note &&
            custos_entry_set_text(&e->note, note, (size_t)sqlite3_column_bytes(s, c + 14)) < 0)
            *err = CUSTOS_ENOMEM;
    }
    e->note_ref = col_char(s, c + 15, &p, CUSTOS_L099, err);
    e->note_ref_entry = COL_I32(s, c + 16, err);
    col_str(s, c + 17, e->kmp, sizeof e->kmp, &p, CUSTOS_L407, err);
    col_str(s, c + 18, e->code, sizeof e->code, &p, CUSTOS_L411, err);
    if (!col_null(s, c + 19)) {
        p |= 1ull << CUSTOS_L412;
        e->change_date = COL_I32(s, c + 19, err);
    }
    col_str(s, c + 20, e->mdc, sizeof e->mdc, &p, CUSTOS_L430, err);
    e->own_code_flag = col_char(s, c + 21, &p, CUSTOS_L435, err);
    col_str(s, c + 22, e->own_code, sizeof e->own_code, &p, -1, err);
    if (sqlite3_column_type(s, c + 23) != SQLITE_NULL) {
        const char *desc = col_text(s, c + 23, SIZE_MAX, "text", err);
        p |= 1ull << CUSTOS_L436;
        if (desc &&
            custos_entry_set_text(&e->own_desc, desc, (size_t)sqlite3_column_bytes(s, c + 23)) < 0)
            *err = CUSTOS_ENOMEM;
    }
    col_str(s, c + 24, e->batch, sizeof e->batch, &p, CUSTOS_L446, err);
    col_str(s, c + 25, e->shipper_batch, sizeof e->shipper_batch, &p, CUSTOS_L447, err);
    e->basis = col_char(s, c + 26, &p, CUSTOS_L469, err);
    col_str(s, c + 27, e->basis_kmp, sizeof e->basis_kmp, &p, -1, err);
    col_str(s, c + 28, e->basis_method, sizeof e->basis_method, &p, -1, err);
    if (!col_null(s, c + 29)) {
        p |= 1ull << CUSTOS_L470;
        e->items = COL_I64(s, c + 29, err);
    }
    for (int k = 0; k < CUSTOS_NWEIGHTS; k++)
        if (!col_null(s, c + 30 + k)) {
            e->wmask |= 1u << k;
            e->mg[k] = COL_I64(s, c + 30 + k, err);
        }
    e->present = p;
    if (*err < 0) { /* a row refused: nothing of it is kept, nothing left to free */
        custos_free(e->note);
        custos_free(e->own_desc);
        e->note = e->own_desc = NULL;
    }
}

int custos_store_load(custos_ledger *l, int64_t id, custos_report **out)
{
    *out = NULL;
    sqlite3_stmt *s = custos_ledger_stmt(
        l, ST_LOAD_REPORT,
        "SELECT state, number, mba, facility, type, report_date, encoder, period_start,"
        " period_end, entries FROM reports WHERE id=?1");
    if (!s)
        return CUSTOS_ESTORAGE;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return custos_error_set(CUSTOS_ENOTFOUND, "no report with id %lld", (long long)id);
    }
    if (rc != SQLITE_ROW) {
        int err = custos_ledger_sqlerr(l, "load report");
        sqlite3_reset(s);
        return err;
    }
    custos_report *r;
    int err = custos_report_new(&r);
    if (err < 0) {
        sqlite3_reset(s);
        return err;
    }
    uint64_t dummy = 0;
    col_str(s, 0, r->state, sizeof r->state, &dummy, -1, &err);
    r->number = COL_I64(s, 1, &err);
    col_str(s, 2, r->mba, sizeof r->mba, &dummy, -1, &err);
    col_str(s, 3, r->facility, sizeof r->facility, &dummy, -1, &err);
    r->type = col_char(s, 4, &dummy, -1, &err);
    r->date = COL_I32(s, 5, &err);
    col_str(s, 6, r->encoder, sizeof r->encoder, &dummy, -1, &err);
    r->start = COL_I32(s, 7, &err);
    r->end = COL_I32(s, 8, &err);
    int64_t declared = COL_I64(s, 9, &err);
    sqlite3_reset(s);
    if (err < 0) {
        custos_report_free(r);
        return err;
    }

    char sql[1024];
    char cols[900];
    custos_store_columns(cols, sizeof cols, "");
    snprintf(sql, sizeof sql, "SELECT %s FROM entries WHERE report_id=?1 ORDER BY idx", cols);
    s = custos_ledger_stmt(l, ST_LOAD_ENTRIES, sql);
    if (!s) {
        custos_report_free(r);
        return CUSTOS_ESTORAGE;
    }
    sqlite3_bind_int64(s, 1, id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        custos_entry *e;
        if ((err = custos_report_add_entry(&e, r)) < 0)
            break;
        custos_store_entry_from_row(s, 0, e, &err);
        if (err < 0)
            break;
        /* The header bits are not part of the canonical text (it writes
         * the report's header in every entry); check them here. */
        uint64_t hdr = (uint64_t)sqlite3_column_int64(s, 1);
        if (hdr != (e->kind == 'O' ? HDR_BITS : NC_HDR_BITS)) {
            err = custos_error_set(CUSTOS_ETAMPER,
                                   "report id %lld: entry %zu was altered (its kind and the "
                                   "header labels it was stored with disagree)",
                                   (long long)id, r->n);
            break;
        }
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "load entries");
    sqlite3_reset(s);
    if (err < 0) {
        custos_report_free(r);
        return err;
    }
    if ((int64_t)r->n != declared) {
        size_t have = r->n;
        custos_report_free(r);
        return custos_error_set(CUSTOS_ETAMPER, "report id %lld declares %lld entries but has %zu",
                                (long long)id, (long long)declared, have);
    }
    *out = r;
    return CUSTOS_OK;
}

int custos_ledger_report_load(custos_report **out, custos_ledger *l, int64_t id)
{
    return custos_store_load(l, id, out);
}
