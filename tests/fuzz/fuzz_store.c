/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_store.c: libFuzzer harness for the ledger's own stored rows, the
 * input custos parses back when it loads, verifies, balances or exports:
 * a store edited behind custos's back must never crash it, and an edit
 * must never pass verification while it changes the books.
 *
 * A small ledger (a facility, six reports of two MBAs with a correction, a
 * target-value table, a document) is built once.  Each input is a list
 * of edits applied to an in-memory copy with the append-only triggers
 * switched off:
 *
 *   byte 0: operation (update a cell, delete a row, copy a row)
 *   byte 1: table, byte 2: column, byte 3: row (each modulo the count)
 *   byte 4: value type (NULL, integer, real, text, blob), byte 5: length
 *   then the value's bytes (8 for numbers, the length for text and blobs)
 *
 * Then every reading path runs: verify (against the head published
 * before the edits), log, report list and loads, balances, transfers,
 * facilities, target tables, documents.  Properties: no crash, no leak
 * through the allocation seam, error codes from the documented set; and
 * when verify accepts the edited store, the books are exactly the
 * original ones (every report's canonical text, every balance and
 * transfer), so an accepted edit changed nothing that matters.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custos/balance.h"
#include "custos/document.h"
#include "custos/facility.h"
#include "custos/ledger.h"
#include "custos/measure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char facility[] =
    "{\"state\":\"XA\",\"facility\":\"FA01\",\"type\":\"fuel-fabrication\",\"mbas\":["
    "{\"mba\":\"XAAA\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},"
    "{\"kmp\":\"B\",\"kind\":\"flow\"}]},{\"mba\":\"XABB\",\"kmps\":[{\"kmp\":\"A\","
    "\"kind\":\"flow\"}]}]}";

static const char reports[] =
    "001:OI/XA;1#002:1/1#003:20251231#006:DOE,J#010:P#015:20251231#207:FA01#307:XAAA#309:N#"
    "407:1#430:O/G/U/C#446:P1#469:M#470:1#630:1000G#670:40G#\n"
    "001:OI/XA;2#002:1/2#003:20260131#006:DOE,J#010:I#015:20260101/20260131#207:FA01#307:XAAA#"
    "309:N#372:XA/XABB#407:B#411:SD#412:20260120#430:O/G/U/C#446:S1#469:M#470:1#630:300.5G#"
    "670:12.02G#\n"
    "001:OI/XA;2#002:2#003:20260131#006:DOE,J#010:I#015:20260101/20260131#207:FA01#307:XAAA#"
    "309:N#407:B#411:LD#412:20260125#430:U/J/6/E#446:D1#469:M#470:0#630:0.75G#670:0.03G#\n"
    "001:OI/XA;3#002:1/1#003:20260228#006:DOE,J#010:I#015:20260201/20260228#207:FA01#307:XAAA#"
    "309:C/XA;2/1#372:XA/XABB#407:B#411:SD#412:20260120#430:O/G/U/C#446:S1#469:M#470:1#"
    "630:300.25G#670:12.01G#\n"
    "001:OI/XA;4#002:1/1#003:20260228#006:DOE,J#010:P#015:20260228#207:FA01#307:XAAA#309:N#"
    "407:1#430:O/G/U/C#446:P1#469:M#470:1#630:699G#670:27.9G#\n"
    "001:NC/XA;4#002:1/1#003:20260228#099:R#207:FA01#307:XAAA#391:ROUTINE INVENTORY.#\n";

/* The receiving MBA's books, a second file (report numbers are per MBA). */
static const char reports_bb[] =
    "001:OI/XA;1#002:1/1#003:20260131#006:DOE,J#010:P#015:20251231#207:FA01#307:XABB#309:U#\n"
    "001:OI/XA;2#002:1/1#003:20260131#006:DOE,J#010:I#015:20260101/20260131#207:FA01#307:XABB#"
    "309:N#370:XA/XAAA#407:A#411:RD#412:20260122#430:O/G/U/C#446:R1#447:S1#469:M#470:1#"
    "630:300.2G#670:12G#\n";

static const char targets[] = "method,material,random,systematic,source\n"
                              "LOADCELL,UF6,0.0005,0.0005,seed\n";

#define MAX_TABLES 16
#define MAX_COLS 64

typedef struct table {
    char name[32];
    int ncols;
    char cols[MAX_COLS][32];
    char pk[160]; /* key columns, "a,b" */
} table;

static custos_ledger *base;
static table tables[MAX_TABLES];
static int ntables;
static char head[65];
static char **canon;      /* canonical text of each report, by position */
static size_t ncanon;
static custos_balances *base_bal;
static custos_transfers *base_tr;

static void die(const char *what)
{
    fprintf(stderr, "fuzz_store set-up: %s: %s\n", what, custos_last_error());
    abort();
}

static void load_tables(sqlite3 *db)
{
    sqlite3_stmt *s, *c;
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name", -1,
                           &s, NULL) != SQLITE_OK)
        die("tables");
    while (sqlite3_step(s) == SQLITE_ROW && ntables < MAX_TABLES) {
        table *t = &tables[ntables++];
        memset(t, 0, sizeof *t);
        snprintf(t->name, sizeof t->name, "%s", (const char *)sqlite3_column_text(s, 0));
        char sql[128];
        snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", t->name);
        if (sqlite3_prepare_v2(db, sql, -1, &c, NULL) != SQLITE_OK)
            die("table_info");
        size_t pl = 0;
        while (sqlite3_step(c) == SQLITE_ROW && t->ncols < MAX_COLS) {
            snprintf(t->cols[t->ncols], sizeof t->cols[0], "%s",
                     (const char *)sqlite3_column_text(c, 1));
            if (sqlite3_column_int(c, 5) > 0)
                pl += (size_t)snprintf(t->pk + pl, sizeof t->pk - pl, "%s%s", pl ? "," : "",
                                       t->cols[t->ncols]);
            t->ncols++;
        }
        sqlite3_finalize(c);
        if (pl == 0) /* no declared key: the rowid */
            snprintf(t->pk, sizeof t->pk, "rowid");
    }
    sqlite3_finalize(s);
}

static int all_canonical(char ***out, size_t *n, custos_ledger *l)
{
    custos_report_ref *refs;
    size_t nr;
    int err = custos_ledger_reports(&refs, &nr, l, NULL, 0);
    if (err < 0)
        return err;
    char **v = calloc(nr + 1, sizeof *v);
    for (size_t i = 0; v && i < nr && err >= 0; i++) {
        custos_report *r;
        size_t len;
        if ((err = custos_ledger_report_load(&r, l, refs[i].id)) < 0)
            break;
        char *t;
        err = custos_report_canonical(&t, &len, r);
        custos_report_free(r);
        if (err < 0)
            break;
        v[i] = strdup(t);
        custos_free(t);
    }
    custos_free(refs);
    if (!v || err < 0) {
        for (size_t i = 0; v && i < nr; i++)
            free(v[i]);
        free(v);
        return err < 0 ? err : CUSTOS_ENOMEM;
    }
    *out = v;
    *n = nr;
    return CUSTOS_OK;
}

static void setup(void)
{
    custos_global_init();
    custos_reader *rd;
    custos_diags *d;
    custos_verify_result v;
    if (custos_ledger_open(&base, ":memory:", CUSTOS_OPEN_CREATE) < 0 || custos_diags_new(&d) < 0)
        die("open");
    if (custos_ledger_facility_add(base, "f.json", facility, strlen(facility), d, NULL) < 0)
        die("facility");
    if (custos_reader_open_memory(&rd, "r.c10", reports, strlen(reports), CUSTOS_FORMAT_AUTO) < 0 ||
        custos_ledger_import(base, rd, NULL, d) < 0)
        die("import");
    custos_reader_free(rd);
    if (custos_reader_open_memory(&rd, "b.c10", reports_bb, strlen(reports_bb),
                                  CUSTOS_FORMAT_AUTO) < 0 ||
        custos_ledger_import(base, rd, NULL, d) < 0)
        die("import");
    custos_reader_free(rd);
    if (custos_ledger_targets_add(base, "t.csv", targets, strlen(targets), d) < 0)
        die("targets");
    if (custos_ledger_document_add(base, "note", "n1", "n.json", "{\"a\":1}", 7, NULL) < 0)
        die("document");
    if (custos_ledger_verify(base, NULL, &v, NULL, NULL) < 0)
        die("verify");
    memcpy(head, v.head, sizeof head);
    if (all_canonical(&canon, &ncanon, base) < 0 || ncanon != 6)
        die("canonical");
    if (custos_ledger_balances(&base_bal, base, NULL, d) < 0 ||
        custos_ledger_transfers(&base_tr, base, NULL, d) < 0)
        die("balances");
    custos_diags_free(d);
    load_tables(custos_ledger_db(base));
}

static uint64_t take(const uint8_t **p, const uint8_t *end, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && *p < end; i++)
        v = v << 8 | *(*p)++;
    return v;
}

/* Apply one edit from the input. */
static void edit(sqlite3 *db, const uint8_t **p, const uint8_t *end)
{
    unsigned op = (unsigned)take(p, end, 1) % 3;
    const table *t = &tables[take(p, end, 1) % (uint64_t)ntables];
    int col = (int)(take(p, end, 1) % (uint64_t)t->ncols);
    int row = (int)(take(p, end, 1) % 16);
    unsigned type = (unsigned)take(p, end, 1) % 5;
    size_t len = (size_t)take(p, end, 1);
    char sql[2048], list[1024];
    size_t k = 0;
    list[0] = '\0';
    for (int i = 0; i < t->ncols && k < sizeof list; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? "," : "",
                              i == col ? "?1" : t->cols[i]);
    if (op == 0)
        snprintf(sql, sizeof sql,
                 "UPDATE %s SET %s=?1 WHERE (%s) IN (SELECT %s FROM %s ORDER BY %s LIMIT 1 "
                 "OFFSET ?2)",
                 t->name, t->cols[col], t->pk, t->pk, t->name, t->pk);
    else if (op == 1)
        snprintf(sql, sizeof sql,
                 "DELETE FROM %s WHERE (%s) IN (SELECT %s FROM %s ORDER BY %s LIMIT 1 OFFSET ?2)",
                 t->name, t->pk, t->pk, t->name, t->pk);
    else /* a copy of a row with one column changed; fails if a key repeats */
        snprintf(sql, sizeof sql, "INSERT INTO %s SELECT %s FROM %s ORDER BY %s LIMIT 1 OFFSET ?2",
                 t->name, list, t->name, t->pk);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "fuzz_store: %s: %s\n", sql, sqlite3_errmsg(db));
        abort(); /* the harness built bad SQL */
    }
    switch (type) {
    case 0: sqlite3_bind_null(s, 1); break;
    case 1: sqlite3_bind_int64(s, 1, (int64_t)take(p, end, 8)); break;
    case 2: {
        uint64_t bits = take(p, end, 8);
        double dv;
        memcpy(&dv, &bits, sizeof dv);
        sqlite3_bind_double(s, 1, dv);
        break;
    }
    default: {
        size_t avail = (size_t)(end - *p);
        if (len > avail)
            len = avail;
        if (type == 3)
            sqlite3_bind_text(s, 1, (const char *)*p, (int)len, SQLITE_TRANSIENT);
        else
            sqlite3_bind_blob(s, 1, *p, (int)len, SQLITE_TRANSIENT);
        *p += len;
    }
    }
    sqlite3_bind_int(s, 2, row);
    sqlite3_step(s);
    sqlite3_finalize(s);
}

static bool known_error(int err)
{
    return err == CUSTOS_OK || err == CUSTOS_ENOTFOUND || err == CUSTOS_EINVAL ||
           err == CUSTOS_EDOMAIN || err == CUSTOS_ENOMEM || err == CUSTOS_ESTORAGE ||
           err == CUSTOS_ETOOBIG || err == CUSTOS_ETAMPER;
}

static void expect(int err)
{
    if (!known_error(err)) {
        fprintf(stderr, "undocumented error %d: %s\n", err, custos_last_error());
        abort();
    }
    if (err < 0 && (!custos_last_error()[0] || strchr(custos_last_error(), '\n')))
        abort(); /* an error without its one-line message */
}

static bool same_balance(const custos_balance *a, const custos_balance *b)
{
    return !strcmp(a->state, b->state) && !strcmp(a->mba, b->mba) &&
           a->pit_begin == b->pit_begin && a->end == b->end && a->element == b->element &&
           a->label == b->label && a->pb == b->pb && a->pe == b->pe && a->ba == b->ba &&
           a->muf == b->muf && a->di == b->di && a->entries == b->entries &&
           !memcmp(a->change, b->change, sizeof a->change);
}

static bool same_transfer(const custos_transfer *a, const custos_transfer *b)
{
    return a->status == b->status && !strcmp(a->batch, b->batch) &&
           !strcmp(a->from_mba, b->from_mba) && !strcmp(a->to_mba, b->to_mba) &&
           a->ship_date == b->ship_date && a->recv_date == b->recv_date &&
           !memcmp(a->ship_mg, b->ship_mg, sizeof a->ship_mg) &&
           !memcmp(a->recv_mg, b->recv_mg, sizeof a->recv_mg);
}

static int count_item(void *ctx, const custos_log_item *it)
{
    (void)it;
    (*(int *)ctx)++;
    return 0;
}

static void read_everything(custos_ledger *l)
{
    custos_verify_result v;
    int verr = custos_ledger_verify(l, head, &v, NULL, NULL);
    expect(verr);
    int items = 0;
    expect(custos_ledger_log(l, count_item, &items));

    char **texts = NULL;
    size_t n = 0;
    int err = all_canonical(&texts, &n, l);
    expect(err);
    if (verr == 0) {
        /* Accepted: the books must be the original books. */
        if (err < 0 || n != ncanon)
            abort();
        for (size_t i = 0; i < n; i++)
            if (strcmp(texts[i], canon[i]))
                abort();
    }
    for (size_t i = 0; texts && i < n; i++)
        free(texts[i]);
    free(texts);

    custos_diags *d = NULL;
    if (custos_diags_new(&d) < 0)
        return;
    custos_balances *b = NULL;
    err = custos_ledger_balances(&b, l, NULL, d);
    expect(err);
    if (verr == 0) {
        if (err < 0 || b->n != base_bal->n)
            abort();
        for (size_t i = 0; i < b->n; i++)
            if (!same_balance(&b->items[i], &base_bal->items[i]))
                abort();
    }
    custos_balances_free(b);
    custos_transfers *t = NULL;
    err = custos_ledger_transfers(&t, l, NULL, d);
    expect(err);
    if (verr == 0) {
        if (err < 0 || t->n != base_tr->n)
            abort();
        for (size_t i = 0; i < t->n; i++)
            if (!same_transfer(&t->items[i], &base_tr->items[i]))
                abort();
    }
    custos_transfers_free(t);
    custos_diags_free(d);

    custos_facility **f = NULL;
    int *ver = NULL;
    err = custos_ledger_facilities(&f, &ver, &n, l);
    expect(err);
    for (size_t i = 0; err == 0 && i < n; i++)
        custos_facility_free(f[i]);
    custos_free(f);
    custos_free(ver);

    custos_targets **tt = NULL;
    err = custos_ledger_targets(&tt, &n, l);
    expect(err);
    for (size_t i = 0; err == 0 && i < n; i++)
        custos_targets_free(tt[i]);
    custos_free(tt);

    custos_document_ref *docs = NULL;
    err = custos_ledger_document_history(&docs, &n, l, NULL);
    expect(err);
    for (size_t i = 0; err == 0 && i < n; i++) {
        char *text;
        size_t len;
        int e2 = custos_ledger_document_load(&text, &len, NULL, l, docs[i].kind, docs[i].name,
                                             docs[i].version);
        expect(e2);
        if (e2 == 0)
            custos_free(text);
    }
    custos_free(docs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!base)
        setup();
    long live = custos_alloc_live();
    custos_ledger *l;
    if (custos_ledger_clone_memory(&l, base) < 0)
        abort();
    sqlite3 *db = custos_ledger_db(l);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
    const uint8_t *p = data, *end = data + size;
    for (int i = 0; i < 8 && p < end; i++)
        edit(db, &p, end);
    read_everything(l);
    custos_ledger_free(l);
    if (custos_alloc_live() != live)
        abort(); /* a block allocated through the seam was not freed */
    return 0;
}
