/* SPDX-License-Identifier: Apache-2.0 */
/*
 * books.c: effective entries of an MBA (corrections applied), read in one
 * pass over the MBA's reports with a hash map from key to position.
 */
#include <stdio.h>
#include <string.h>

#include "books.h"
#include "custos/validate.h"

void custos_book_dispose(custos_book *b)
{
    for (size_t i = 0; i < b->n; i++) {
        custos_free(b->items[i].e.note);
        custos_free(b->items[i].e.own_desc);
    }
    custos_free(b->items);
    memset(b, 0, sizeof *b);
}

char custos_book_category(const custos_entry *e, int label)
{
    char cat = custos_weight_category(label);
    bool has600;
    int64_t u = custos_entry_weight(e, 600, &has600);
    if (!has600 || (cat != 'E' && cat != 'U'))
        return cat == 'U' ? 'E' : cat;
    bool h;
    int64_t f = custos_entry_weight(e, 670, &h);
    if (!h)
        f = custos_entry_weight(e, 660, &h);
    if (!h || u <= 0)
        return 'E';
    double x = (double)f / (double)u;
    if (x < CUSTOS_NATURAL_MIN)
        return 'D';
    if (x <= CUSTOS_NATURAL_MAX)
        return 'N';
    return 'E';
}

typedef struct keymap {
    uint64_t *keys;  /* 0 = empty */
    size_t *pos;
    size_t cap, n;
} keymap;

static uint64_t key_of(int64_t report, int32_t entry)
{
    uint64_t k = ((uint64_t)report << 21) ^ (uint64_t)(uint32_t)entry;
    return k ? k : 1;
}

static size_t slot(const keymap *m, uint64_t k)
{
    uint64_t h = k * 0x9e3779b97f4a7c15ull;
    size_t i = (size_t)(h >> 7) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != k)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int map_grow(keymap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    keymap t = {custos_calloc(cap, sizeof *t.keys), custos_calloc(cap, sizeof *t.pos), cap, 0};
    if (!t.keys || !t.pos) {
        custos_free(t.keys);
        custos_free(t.pos);
        return custos_error_nomem();
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t j = slot(&t, m->keys[i]);
            t.keys[j] = m->keys[i];
            t.pos[j] = m->pos[i];
            t.n++;
        }
    custos_free(m->keys);
    custos_free(m->pos);
    *m = t;
    return CUSTOS_OK;
}

int custos_book_load(custos_book *out, custos_ledger *l, const char *state, const char *mba,
                     char type)
{
    memset(out, 0, sizeof *out);
    char sql[1600], cols[1000];
    custos_store_columns(cols, sizeof cols, "e.");
    snprintf(sql, sizeof sql,
             "SELECT r.number, r.period_end, e.kind, %s FROM reports r JOIN entries e ON "
             "e.report_id = r.id WHERE r.state=?1 AND r.mba=?2 AND r.type=?3 AND e.kind='O' "
             "ORDER BY r.id, e.idx",
             cols);
    /* The entry block starts at column 3. */
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(custos_ledger_db(l), sql, -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare books");
    sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, mba, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, custos_char_str(type), -1, SQLITE_STATIC);
    keymap m = {0};
    int rc, err = CUSTOS_OK;
    /* Periods of key reports, for C/A records naming an earlier report. */
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        custos_book_entry be;
        memset(&be, 0, sizeof be);
        custos_store_entry_from_row(s, 3, &be.e, &err);
        if (err < 0)
            break;
        int64_t number = sqlite3_column_int64(s, 0);
        char st = be.e.status;
        if (st == 'U' || st == 0) {
            custos_free(be.e.note);
            custos_free(be.e.own_desc);
            continue;
        }
        be.src_report = number;
        be.src_entry = be.e.number;
        if (st == 'N') {
            be.key_report = number;
            be.key_entry = be.e.number;
            be.period_end = (custos_date)sqlite3_column_int(s, 1);
        } else {
            be.key_report = be.e.ref_report;
            be.key_entry = be.e.ref_entry;
        }
        if ((m.n + 1) * 2 > m.cap && (err = map_grow(&m)) < 0) {
            custos_free(be.e.note);
            custos_free(be.e.own_desc);
            break;
        }
        uint64_t k = key_of(be.key_report, be.key_entry);
        size_t j = slot(&m, k);
        if (m.keys[j]) {
            custos_book_entry *old = &out->items[m.pos[j]];
            if (st != 'N')
                be.period_end = old->period_end;
            custos_free(old->e.note);
            custos_free(old->e.own_desc);
            *old = be; /* a deletion is kept as a record with status 'D' */
            continue;
        }
        if (st != 'N') {
            /* A late addition to report key_report: its period is that
             * report's, looked up below. */
            be.period_end = 0;
        }
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 256;
            custos_book_entry *p = custos_realloc(out->items, cap * sizeof *p);
            if (!p) {
                custos_free(be.e.note);
                custos_free(be.e.own_desc);
                err = custos_error_nomem();
                break;
            }
            out->items = p;
            out->cap = cap;
        }
        m.keys[j] = k;
        m.pos[j] = out->n;
        m.n++;
        out->items[out->n++] = be;
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "books");
    sqlite3_finalize(s);
    custos_free(m.keys);
    custos_free(m.pos);
    if (err < 0) {
        custos_book_dispose(out);
        return err;
    }
    /* Drop deletions; fill the period of late additions. */
    size_t w = 0;
    sqlite3_stmt *q = NULL;
    for (size_t i = 0; i < out->n; i++) {
        custos_book_entry *be = &out->items[i];
        if (be->e.status == 'D') {
            custos_free(be->e.note);
            custos_free(be->e.own_desc);
            continue;
        }
        if (!be->period_end) {
            if (!q && sqlite3_prepare_v2(custos_ledger_db(l),
                                         "SELECT period_end FROM reports WHERE state=?1 AND mba=?2 "
                                         "AND number=?3",
                                         -1, &q, NULL) != SQLITE_OK) {
                err = custos_ledger_sqlerr(l, "prepare");
                break;
            }
            sqlite3_reset(q);
            sqlite3_bind_text(q, 1, state, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, mba, -1, SQLITE_STATIC);
            sqlite3_bind_int64(q, 3, be->key_report);
            int qrc = sqlite3_step(q);
            if (qrc == SQLITE_ROW) {
                be->period_end = (custos_date)sqlite3_column_int(q, 0);
            } else if (qrc != SQLITE_DONE) {
                err = custos_ledger_sqlerr(l, "period of a late addition");
                break;
            }
        }
        out->items[w++] = *be;
    }
    sqlite3_finalize(q);
    if (err < 0) {
        for (size_t i = w; i < out->n; i++)
            if (out->items[i].e.status != 'D') {
                custos_free(out->items[i].e.note);
                custos_free(out->items[i].e.own_desc);
            }
        out->n = w;
        custos_book_dispose(out);
        return err;
    }
    out->n = w;
    return CUSTOS_OK;
}

int custos_book_mbas(custos_ledger *l, const char *spec, char (**out)[8], size_t *n)
{
    char state[3] = "", code[8] = "";
    *out = NULL;
    *n = 0;
    if (spec) {
        const char *slash = strchr(spec, '/');
        if (slash) {
            if (slash - spec != 2)
                return custos_error_set(CUSTOS_EINVAL, "MBA '%s' is not CODE or STATE/CODE", spec);
            memcpy(state, spec, 2);
            custos_strlcpy(code, slash + 1, sizeof code);
        } else {
            custos_strlcpy(code, spec, sizeof code);
        }
    }
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(custos_ledger_db(l),
                           "SELECT DISTINCT state, mba FROM reports WHERE (?1='' OR state=?1) AND "
                           "(?2='' OR mba=?2) ORDER BY state, mba",
                           -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, code, -1, SQLITE_STATIC);
    char(*v)[8] = NULL;
    size_t cap = 0, cnt = 0;
    int rc, err = CUSTOS_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char(*p)[8] = custos_realloc(v, nc * sizeof *p);
            if (!p) {
                err = custos_error_nomem();
                break;
            }
            v = p;
            cap = nc;
        }
        memset(v[cnt], 0, 8);
        custos_strlcpy(v[cnt], custos_col(s, 0, &err), 3);
        custos_strlcpy(v[cnt] + 3, custos_col(s, 1, &err), 5);
        cnt++;
        if (err < 0)
            break;
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "list MBAs");
    sqlite3_finalize(s);
    if (err < 0) {
        custos_free(v);
        return err;
    }
    if (spec && cnt == 0) {
        custos_free(v);
        return custos_error_set(CUSTOS_ENOTFOUND, "no reports for MBA %s", spec);
    }
    *out = v;
    *n = cnt;
    return CUSTOS_OK;
}
