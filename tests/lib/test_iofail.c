/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_iofail.c: I/O-failure sweeps, the disk-side twin of test_alloc.c.
 *
 * Through the failing-disk VFS (tests/support/iofail.c), for N = 1, 2, ...
 * the Nth write, sync or truncate of SQLite fails (once, and "sticky": the
 * disk stays full) during each operation that writes the ledger (an
 * import, a facility registration, a target-value table, a document, each
 * followed by closing the ledger, which checkpoints the WAL), and
 * the Nth read fails during each reading path (balances, transfers,
 * verify, export, log) on a ledger file opened cold.  Every run must
 * either succeed with the right result or return a clean error
 * (CUSTOS_ESTORAGE with a one-line message), leak nothing through the
 * allocation seam, and leave a store that passes PRAGMA integrity_check
 * and custos_ledger_verify() and is unchanged by the failed operation:
 * same chain head, same row counts in every table.  A failed read never
 * looks like tampering.  The same for writers: a custos_write_fn that
 * fails at its Nth call stops the writer with that error.
 *
 * One exception is stated, not hidden: when the failure is the fsync of a
 * commit, the commit's pages were written before the sync failed, and
 * SQLite (like any database) cannot take them back; the store may then
 * hold the whole operation although custos reported the error.  The test
 * accepts "unchanged" or "the whole operation", never anything between,
 * and counts how often each happened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "custos/balance.h"
#include "custos/document.h"
#include "custos/ledger.h"
#include "custos/measure.h"
#include "iofail.h"

static const char *facility =
    "{\"state\":\"XA\",\"facility\":\"FA01\",\"type\":\"fuel-fabrication\",\"mbas\":["
    "{\"mba\":\"XAAA\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},"
    "{\"kmp\":\"B\",\"kind\":\"flow\"}]},{\"mba\":\"XABB\"}]}";

static const char *facility_v2 =
    "{\"state\":\"XA\",\"facility\":\"FA01\",\"type\":\"fuel-fabrication\",\"mbas\":["
    "{\"mba\":\"XAAA\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},"
    "{\"kmp\":\"B\",\"kind\":\"flow\"},{\"kmp\":\"C\",\"kind\":\"flow\"}]},{\"mba\":\"XABB\"}]}";

static const char *pil =
    "001:OI/XA;1#002:1/1#003:20251231#006:DOE,J#010:P#015:20251231#207:FA01#307:XAAA#309:N#"
    "407:1#430:O/G/U/C#446:P1#469:M#470:1#630:1000G#670:40G#\n";

static const char *reports =
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

static const char *targets = "method,material,random,systematic,source\n"
                             "LOADCELL,UF6,0.0005,0.0005,test\n";

static char dir[] = "/tmp/custos-iofail-XXXXXX";
static char base_path[64], full_path[64], work_path[64];

/* What a store holds: the chain head and the row count of every table. */
#define NTABLES 9
static const char *const tables[NTABLES] = {"chain",         "reports",       "entries",
                                            "corrections",   "facilities",    "facility_mbas",
                                            "facility_kmps", "targets",       "documents"};
typedef struct snapshot {
    char head[65];
    int64_t items;
    int64_t rows[NTABLES];
} snapshot;

static int import_text(custos_ledger *l, const char *text)
{
    custos_reader *rd;
    int err = custos_reader_open_memory(&rd, "reports", text, strlen(text), CUSTOS_FORMAT_AUTO);
    if (err == 0) {
        err = custos_ledger_import(l, rd, NULL, NULL);
        custos_reader_free(rd);
    }
    return err;
}

static void remove_db(const char *path)
{
    char p[80];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static void copy_file(const char *from, const char *to)
{
    remove_db(to);
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    assert_non_null(a);
    assert_non_null(b);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, a)) > 0)
        assert_int_equal(fwrite(buf, 1, n, b), n);
    fclose(a);
    assert_int_equal(fclose(b), 0);
}

/* Open path as it is now (recovering a WAL if one was left), check it and
 * describe it. */
static void take_snapshot(const char *path, snapshot *s)
{
    custos_ledger *l;
    custos_verify_result v;
    memset(s, 0, sizeof *s);
    assert_int_equal(custos_ledger_open(&l, path, 0), 0);
    sqlite3 *db = custos_ledger_db(l);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    int err = custos_ledger_verify(l, NULL, &v, NULL, NULL);
    if (err)
        print_error("verify %s: %s\n", path, custos_last_error());
    assert_int_equal(err, 0);
    memcpy(s->head, v.head, sizeof s->head);
    s->items = v.items;
    for (int i = 0; i < NTABLES; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        s->rows[i] = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    custos_ledger_free(l);
}

static bool same_snapshot(const snapshot *a, const snapshot *b)
{
    return !strcmp(a->head, b->head) && a->items == b->items &&
           !memcmp(a->rows, b->rows, sizeof a->rows);
}

/* ---- writing operations ------------------------------------------------ */

typedef int (*write_op)(custos_ledger *l);

static int op_import(custos_ledger *l)
{
    return import_text(l, reports);
}

static int op_facility(custos_ledger *l)
{
    return custos_ledger_facility_add(l, "f2", facility_v2, strlen(facility_v2), NULL, NULL);
}

static int op_targets(custos_ledger *l)
{
    return custos_ledger_targets_add(l, "itv", targets, strlen(targets), NULL);
}

static int op_document(custos_ledger *l)
{
    return custos_ledger_document_add(l, "agreement", "pmda", "pmda.json",
                                      "{\"parties\":[\"XA\",\"XB\"]}", 23, NULL);
}

static bool clean_error(int err)
{
    const char *m = custos_last_error();
    return err == CUSTOS_ESTORAGE && m[0] && !strchr(m, '\n') && strncmp(m, "failed to", 9);
}

typedef struct sweep_counts {
    int points;      /* N values tried that hit a call */
    int failed;      /* runs that returned a clean error */
    int durable;     /* runs whose commit sync failed but whose data stayed */
} sweep_counts;

/* Sweep the Nth call of the kinds in mask over op on a copy of the
 * ledger at from. */
static sweep_counts sweep_write(const char *name, write_op op, const char *from, unsigned mask,
                                int sticky)
{
    snapshot before, after, expect;
    sweep_counts c = {0, 0, 0};
    /* The result without failures. */
    copy_file(from, work_path);
    take_snapshot(work_path, &before);
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, work_path, 0), 0);
    assert_int_equal(op(l), 0);
    custos_ledger_free(l);
    take_snapshot(work_path, &expect);
    assert_false(same_snapshot(&before, &expect));
    for (long n = 1;; n++) {
        copy_file(from, work_path);
        long live = custos_alloc_live();
        assert_int_equal(custos_ledger_open(&l, work_path, 0), 0);
        iofail_arm(mask, n, sticky, 0);
        custos_clear_error();
        int err = op(l);
        long injected = iofail_failures();
        /* Closing checkpoints the WAL into the database file: its writes
         * fail too, and must lose nothing that was committed. */
        custos_ledger_free(l);
        long calls = iofail_calls();
        iofail_arm(0, 0, 0, 0);
        if (custos_alloc_live() != live)
            print_error("%s n=%ld: %ld blocks leaked\n", name, n, custos_alloc_live() - live);
        assert_int_equal(custos_alloc_live(), live);
        take_snapshot(work_path, &after);
        if (err) {
            if (!clean_error(err))
                print_error("%s n=%ld: error %d: %s\n", name, n, err, custos_last_error());
            assert_true(clean_error(err));
            assert_true(injected > 0);
            c.failed++;
            if (!same_snapshot(&after, &before)) {
                /* Only a failed commit sync may leave the whole operation. */
                if (!(mask & IOFAIL_SYNC) || !same_snapshot(&after, &expect))
                    print_error("%s n=%ld: store changed by a failed operation (%s)\n", name, n,
                                custos_last_error());
                assert_true((mask & IOFAIL_SYNC) && same_snapshot(&after, &expect));
                c.durable++;
            }
        } else {
            assert_true(same_snapshot(&after, &expect));
        }
        if (calls < n)
            break;
        c.points++;
    }
    print_message("%-9s %-8s %-6s: %3d failure points, %3d clean errors, %d kept after a failed "
                  "commit sync\n",
                  name, mask & IOFAIL_WRITE ? "write" : mask & IOFAIL_SYNC ? "sync" : "truncate",
                  sticky ? "sticky" : "once", c.points, c.failed, c.durable);
    return c;
}

static void test_write_sweeps(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        write_op op;
    } ops[] = {
        {"import", op_import},
        {"facility", op_facility},
        {"targets", op_targets},
        {"document", op_document},
    };
    static const unsigned masks[] = {IOFAIL_WRITE, IOFAIL_SYNC, IOFAIL_TRUNCATE};
    int points = 0, failed = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        for (size_t m = 0; m < sizeof masks / sizeof masks[0]; m++)
            for (int sticky = 0; sticky <= 1; sticky++) {
                sweep_counts c = sweep_write(ops[i].name, ops[i].op, base_path, masks[m], sticky);
                points += c.points;
                failed += c.failed;
            }
    print_message("write sweeps: %d failure points, %d clean errors\n", points, failed);
    assert_true(failed > 20);
}

/* ---- reading paths ----------------------------------------------------- */

typedef struct expect_read {
    custos_verify_result verify;
    size_t nbalances;
    int64_t ba0, muf1;
    size_t ntransfers;
    char *export_text;
    size_t export_len;
    int log_items;
    char log[4096];
} expect_read;

static expect_read want;

/* The log as one text: every link's summary, source and link hash. */
typedef struct log_text {
    char buf[4096];
    size_t len;
    int items;
} log_text;

static int log_item(void *ctx, const custos_log_item *it)
{
    log_text *t = ctx;
    int n = snprintf(t->buf + t->len, sizeof t->buf - t->len, "%lld %s %s %s %s\n",
                     (long long)it->seq, it->kind, it->summary, it->source, it->link);
    if (n > 0 && (size_t)n < sizeof t->buf - t->len)
        t->len += (size_t)n;
    t->items++;
    return 0;
}

/* Export every report of XAAA in form f to a sink; returns the error. */
static int export_all(custos_ledger *l, custos_format f, struct iofail_sink *sink)
{
    custos_report_ref *refs = NULL;
    size_t n = 0;
    custos_writer *w = NULL;
    int err = custos_ledger_reports(&refs, &n, l, "XAAA", 0);
    if (err < 0)
        return err;
    if ((err = custos_writer_new(&w, f, iofail_sink_write, sink)) < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        custos_report *r;
        if ((err = custos_ledger_report_load(&r, l, refs[i].id)) < 0)
            goto done;
        err = custos_writer_report(w, r);
        custos_report_free(r);
        if (err < 0)
            goto done;
    }
    err = custos_writer_finish(w);
done:
    custos_writer_free(w);
    custos_free(refs);
    return err;
}

enum { R_VERIFY = 1, R_BALANCES = 2, R_TRANSFERS = 4, R_EXPORT = 8, R_LOG = 16, R_ALL = 31 };

/* Run the reading paths in which; with check, compare with want.  Returns
 * the first error. */
static int read_all(custos_ledger *l, bool check, unsigned which)
{
    custos_verify_result v;
    int err = CUSTOS_OK;
    if (!(which & R_VERIFY))
        goto balances;
    err = custos_ledger_verify(l, NULL, &v, NULL, NULL);
    if (err == CUSTOS_ETAMPER)
        print_error("false alarm: %s\n", custos_last_error());
    assert_int_not_equal(err, CUSTOS_ETAMPER);
    if (err < 0)
        return err;
    if (check) {
        assert_int_equal(v.items, want.verify.items);
        assert_string_equal(v.head, want.verify.head);
    } else {
        want.verify = v;
    }
balances:
    if (!(which & R_BALANCES))
        goto transfers;
    custos_balances *b;
    if ((err = custos_ledger_balances(&b, l, NULL, NULL)) < 0)
        return err;
    if (check) {
        assert_int_equal(b->n, want.nbalances);
        assert_int_equal(b->items[0].ba, want.ba0);
        assert_int_equal(b->items[1].muf, want.muf1);
    } else {
        want.nbalances = b->n;
        want.ba0 = b->items[0].ba;
        want.muf1 = b->items[1].muf;
    }
    custos_balances_free(b);
transfers:
    if (!(which & R_TRANSFERS))
        goto export;
    custos_transfers *t;
    if ((err = custos_ledger_transfers(&t, l, NULL, NULL)) < 0)
        return err;
    if (check)
        assert_int_equal(t->n, want.ntransfers);
    else
        want.ntransfers = t->n;
    custos_transfers_free(t);
export:
    if (!(which & R_EXPORT))
        goto log;
    struct iofail_sink sink = {malloc(1 << 16), 0, 1 << 16, 0, 0};
    assert_non_null(sink.buf);
    err = export_all(l, CUSTOS_FORMAT_CODE10, &sink);
    if (err == 0 && check) {
        assert_int_equal(sink.len, want.export_len);
        assert_memory_equal(sink.buf, want.export_text, sink.len);
    } else if (err == 0) {
        want.export_text = sink.buf;
        want.export_len = sink.len;
        sink.buf = NULL;
    }
    free(sink.buf);
    if (err < 0)
        return err;
log:
    if (!(which & R_LOG))
        return CUSTOS_OK;
    log_text *lt = calloc(1, sizeof *lt);
    assert_non_null(lt);
    if ((err = custos_ledger_log(l, log_item, lt)) == 0) {
        if (check) {
            assert_int_equal(lt->items, want.log_items);
            assert_string_equal(lt->buf, want.log);
        } else {
            want.log_items = lt->items;
            memcpy(want.log, lt->buf, sizeof want.log);
        }
    }
    free(lt);
    return err;
}

static void test_read_sweep(void **state)
{
    (void)state;
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, full_path, CUSTOS_OPEN_READONLY), 0);
    assert_int_equal(read_all(l, false, R_ALL), 0);
    custos_ledger_free(l);
    assert_int_equal(want.verify.items, 5);
    assert_int_equal(want.ba0, 699000); /* 1000 - 300.25 (corrected) - 0.75 g */
    assert_int_equal(want.muf1, 60);   /* 40 - 12.01 - 0.03 - 27.9 g */
    static const struct {
        const char *name;
        unsigned which;
    } paths[] = {{"verify", R_VERIFY}, {"balances", R_BALANCES}, {"transfers", R_TRANSFERS},
                 {"export", R_EXPORT}, {"log", R_LOG}};
    int total_points = 0, total_failed = 0;
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++)
        for (int sticky = 0; sticky <= 1; sticky++) {
            int points = 0, failed = 0, tolerated = 0;
            for (long n = 1;; n++) {
                long live = custos_alloc_live();
                assert_int_equal(custos_ledger_open(&l, full_path, CUSTOS_OPEN_READONLY), 0);
                iofail_arm(IOFAIL_READ, n, sticky, 0);
                custos_clear_error();
                int err = read_all(l, true, paths[p].which);
                long calls = iofail_calls();
                tolerated += !err && iofail_failures();
                iofail_arm(0, 0, 0, 0);
                custos_ledger_free(l);
                if (custos_alloc_live() != live)
                    print_error("%s n=%ld: %ld blocks leaked\n", paths[p].name, n,
                                custos_alloc_live() - live);
                assert_int_equal(custos_alloc_live(), live);
                if (err) {
                    if (!clean_error(err))
                        print_error("%s n=%ld: error %d: %s\n", paths[p].name, n, err,
                                    custos_last_error());
                    assert_true(clean_error(err));
                    failed++;
                }
                if (calls < n)
                    break;
                points++;
            }
            print_message("%-9s read     %-6s: %3d failure points, %3d clean errors, %d retried "
                          "by SQLite\n",
                          paths[p].name, sticky ? "sticky" : "once", points, failed, tolerated);
            assert_true(failed > 0);
            total_points += points;
            total_failed += failed;
        }
    print_message("read sweeps: %d failure points, %d clean errors\n", total_points, total_failed);
    snapshot s;
    take_snapshot(full_path, &s);
    assert_string_equal(s.head, want.verify.head);
    free(want.export_text);
}

/* ---- writers ----------------------------------------------------------- */

static void test_writer_sweep(void **state)
{
    (void)state;
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, full_path, CUSTOS_OPEN_READONLY), 0);
    static const custos_format forms[] = {CUSTOS_FORMAT_CODE10, CUSTOS_FORMAT_CSV,
                                          CUSTOS_FORMAT_JSON};
    for (size_t f = 0; f < 3; f++) {
        struct iofail_sink ok = {malloc(1 << 16), 0, 1 << 16, 0, 0};
        assert_int_equal(export_all(l, forms[f], &ok), 0);
        long n;
        for (n = 1; n <= ok.calls; n++) {
            struct iofail_sink s = {malloc(1 << 16), 0, 1 << 16, 0, n};
            long live = custos_alloc_live();
            assert_int_equal(export_all(l, forms[f], &s), CUSTOS_EIO);
            assert_int_equal(custos_alloc_live(), live);
            assert_int_equal(s.calls, n); /* the writer stopped at the failure */
            free(s.buf);
        }
        print_message("writer %-6s: %ld write calls, each failing cleanly\n",
                      custos_format_name(forms[f]), n - 1);
        assert_true(n > 1);
        free(ok.buf);
    }
    custos_ledger_free(l);
}

static int setup(void **state)
{
    (void)state;
    /* Chain links carry the time of storing: fix it, so the same operation
     * gives the same chain head in every run. */
    setenv("SOURCE_DATE_EPOCH", "1767225600", 1);
    assert_int_equal(iofail_register(), SQLITE_OK);
    if (!mkdtemp(dir))
        return -1;
    snprintf(base_path, sizeof base_path, "%s/base.db", dir);
    snprintf(full_path, sizeof full_path, "%s/full.db", dir);
    snprintf(work_path, sizeof work_path, "%s/work.db", dir);
    custos_ledger *l;
    if (custos_ledger_open(&l, base_path, CUSTOS_OPEN_CREATE) < 0 ||
        custos_ledger_facility_add(l, "f", facility, strlen(facility), NULL, NULL) < 0 ||
        import_text(l, pil) < 0)
        return -1;
    custos_ledger_free(l);
    copy_file(base_path, full_path);
    if (custos_ledger_open(&l, full_path, 0) < 0 || import_text(l, reports) < 0)
        return -1;
    custos_ledger_free(l);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_db(base_path);
    remove_db(full_path);
    remove_db(work_path);
    rmdir(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_sweeps),
        cmocka_unit_test(test_read_sweep),
        cmocka_unit_test(test_writer_sweep),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
