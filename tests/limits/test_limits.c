/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_limits.c: every documented maximum size (docs/limits.md,
 * include/custos/common.h) at the limit and just over it.  At the limit
 * the input is read (it may still be refused for what it says, never for
 * its size); one byte or one item more is refused with CUSTOS_ETOOBIG (or
 * the field's own error) and a one-line message naming the file, line and
 * field.  Some inputs are large (a report of 10^6 entries, JSON of 256
 * MiB): the test is labelled "limits".
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "custos/document.h"
#include "custos/facility.h"
#include "custos/format.h"
#include "custos/ledger.h"
#include "custos/measure.h"
#include "simint.h" /* SIM_MAX_BATCHES, sim_batch_add (internal) */

/* Read the first report of text in form f: 1 with *n entries, or the error. */
static int read_first(const char *name, const char *text, size_t len, custos_format f, size_t *n)
{
    custos_reader *rd;
    custos_report *r;
    custos_diags *d;
    int err = custos_diags_new(&d);
    if (err < 0)
        return err;
    if ((err = custos_reader_open_memory(&rd, name, text, len, f)) < 0) {
        custos_diags_free(d);
        return err;
    }
    err = custos_reader_next(&r, rd, d);
    if (err == 1) {
        if (n)
            *n = r->n;
        custos_report_free(r);
    }
    custos_reader_free(rd);
    custos_diags_free(d);
    return err;
}

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* One Code 10 element: its value at most CUSTOS_MAX_ELEMENT bytes. */
static void test_code10_element(void **state)
{
    (void)state;
    for (size_t n = CUSTOS_MAX_ELEMENT; n <= CUSTOS_MAX_ELEMENT + 1; n++) {
        char *v = repeat('A', n);
        size_t cap = n + 128, len;
        char *text = malloc(cap);
        len = (size_t)snprintf(text, cap, "001:NC/XA;1#002:1/1#391:%s#\n", v);
        int err = read_first("lim.c10", text, len, CUSTOS_FORMAT_AUTO, NULL);
        if (n == CUSTOS_MAX_ELEMENT) {
            /* Read, and refused for its content: a note holds 2,000. */
            assert_int_equal(err, CUSTOS_EINVAL);
            assert_non_null(strstr(custos_last_error(), "longer than 2000"));
        } else {
            assert_int_equal(err, CUSTOS_ETOOBIG);
            assert_string_equal(custos_last_error(),
                                "lim.c10:1: entry 1: label 391: value longer than 4096 bytes (limit)");
        }
        free(text);
        free(v);
    }
}

/* The limits of single values: each at its maximum and one over. */
static void test_field_lengths(void **state)
{
    (void)state;
    static const struct {
        const char *label; /* the element, with %s for the value */
        char fill;
        size_t max;        /* characters */
        const char *why;   /* in the message one over */
    } fields[] = {
        {"391:%s", 'A', 2000, "longer than 2000"},   /* concise note */
        {"436:%s", 'A', 100, "436"},                 /* operator's description */
        {"006:%s,J", 'A', 28, "006"},                /* encoder: 30 with ",J" */
        {"446:%s", 'B', 16, "446"},                  /* batch */
        {"310:%s", '7', 40, "310"},                  /* State's record id */
        {"630:%sG", '9', 12, "too large"},           /* weight: 12 integer digits */
        {"001:OI/XA;%s", '9', 18, "001"},            /* report number: 18 digits */
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        for (size_t n = fields[i].max; n <= fields[i].max + 1; n++) {
            char *v = repeat(fields[i].fill, n);
            char elem[4200], text[4400];
            snprintf(elem, sizeof elem, fields[i].label, v);
            if (!strncmp(elem, "001:", 4))
                snprintf(text, sizeof text, "%s#002:1/1#\n", elem);
            else
                snprintf(text, sizeof text, "001:%s/XA;1#002:1/1#%s#\n",
                         !strncmp(elem, "391", 3) ? "NC" : "OI", elem);
            custos_diags *d;
            assert_int_equal(custos_diags_new(&d), 0);
            custos_reader *rd;
            custos_report *r = NULL;
            assert_int_equal(custos_reader_open_memory(&rd, "f.c10", text, strlen(text),
                                                       CUSTOS_FORMAT_CODE10),
                             0);
            int err = custos_reader_next(&r, rd, d);
            /* At the maximum the value itself raises no error. */
            bool value_error = false;
            for (size_t k = 0; k < custos_diags_count(d); k++) {
                char line[1200];
                custos_diag_format(line, sizeof line, custos_diags_get(d, k));
                if (strstr(line, fields[i].why) || (n > fields[i].max && strstr(line, "label")))
                    value_error = true;
            }
            if (n == fields[i].max) {
                if (err != 1)
                    print_error("%s at %zu: %s\n", fields[i].label, n, custos_last_error());
                assert_int_equal(err, 1);
                assert_false(value_error);
            } else {
                if (err >= 0 || !value_error)
                    print_error("%s at %zu: err %d: %s\n", fields[i].label, n, err,
                                custos_last_error());
                assert_int_equal(err, CUSTOS_EINVAL);
                assert_true(value_error);
                assert_non_null(strstr(custos_last_error(), "f.c10:1:"));
            }
            custos_report_free(r);
            custos_reader_free(rd);
            custos_diags_free(d);
            free(v);
        }
    }
}

/* One CSV record: at most CUSTOS_MAX_CSV_LINE bytes, its line end apart. */
static void test_csv_line(void **state)
{
    (void)state;
    static const char *const ends[] = {"\n", "\r\n"};
    for (int e = 0; e < 2; e++)
        for (size_t n = CUSTOS_MAX_CSV_LINE; n <= CUSTOS_MAX_CSV_LINE + 1; n++) {
            const char *head = "001,391\n", *ref = "NC/XA;1,";
            size_t note = n - strlen(ref);
            size_t cap = strlen(head) + n + 8, len;
            char *text = malloc(cap);
            char *v = repeat('A', note);
            len = (size_t)snprintf(text, cap, "%s%s%s%s", head, ref, v, ends[e]);
            int err = read_first("lim.csv", text, len, CUSTOS_FORMAT_AUTO, NULL);
            if (n == CUSTOS_MAX_CSV_LINE) {
                assert_int_equal(err, CUSTOS_EINVAL); /* the note is too long, not the line */
                assert_null(strstr(custos_last_error(), "(limit)"));
            } else {
                assert_int_equal(err, CUSTOS_ETOOBIG);
                assert_string_equal(custos_last_error(),
                                    "lim.csv:2: CSV line longer than 65536 bytes (limit)");
            }
            free(v);
            free(text);
        }
}

/* Entries in one report: at most CUSTOS_MAX_ENTRIES (Code 10 and JSON). */
static void test_entries(void **state)
{
    (void)state;
    size_t cap = (size_t)(CUSTOS_MAX_ENTRIES + 1) * 24 + 64, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int i = 1; i <= CUSTOS_MAX_ENTRIES; i++)
        len += (size_t)snprintf(text + len, cap - len, "001:OI/XA;1#002:%d#\n", i);
    size_t n = 0;
    assert_int_equal(read_first("big.c10", text, len, CUSTOS_FORMAT_AUTO, &n), 1);
    assert_int_equal(n, CUSTOS_MAX_ENTRIES);
    len += (size_t)snprintf(text + len, cap - len, "001:OI/XA;1#002:%d#\n", CUSTOS_MAX_ENTRIES + 1);
    assert_int_equal(read_first("big.c10", text, len, CUSTOS_FORMAT_AUTO, NULL), CUSTOS_ETOOBIG);
    /* (Its entry number is refused too: numbers end at the limit.) */
    assert_string_equal(custos_last_error(),
                        "big.c10:1000001: label 002: report XA;1 has more than 1000000 entries "
                        "(limit)");
    /* JSON: the array is counted before any entry is built. */
    len = (size_t)snprintf(text, cap, "{\"state\":\"XA\",\"report\":1,\"entries\":[");
    for (int i = 0; i <= CUSTOS_MAX_ENTRIES; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s{}", i ? "," : "");
    len += (size_t)snprintf(text + len, cap - len, "]}");
    assert_int_equal(read_first("big.json", text, len, CUSTOS_FORMAT_AUTO, NULL), CUSTOS_ETOOBIG);
    assert_string_equal(custos_last_error(), "big.json:1: report has more than 1000000 entries (limit)");
    free(text);
}

/* JSON documents: at most CUSTOS_MAX_JSON_FILE bytes, for reports,
 * facility descriptions, target-value tables and stored documents. */
static void test_json_size(void **state)
{
    (void)state;
    size_t max = (size_t)CUSTOS_MAX_JSON_FILE;
    char *buf = malloc(max + 1);
    assert_non_null(buf);
    static const char report[] =
        "{\"state\":\"XA\",\"report\":1,\"entries\":[{\"kind\":\"NC\",\"002\":\"1/1\",\"391\":\"A\"}]}";
    static const char facility[] =
        "{\"state\":\"XA\",\"facility\":\"FA01\",\"type\":\"other\",\"mbas\":[{\"mba\":\"XAAA\"}]}";
    static const char targets[] = "method,material,random,systematic,source\nM,,0.1,0.1,s\n";
    /* Each document padded with white space (JSON) or empty lines (CSV). */
    memset(buf, ' ', max + 1);
    memcpy(buf, report, sizeof report - 1);
    size_t n = 0;
    assert_int_equal(read_first("lim.json", buf, max, CUSTOS_FORMAT_AUTO, &n), 1);
    assert_int_equal(n, 1);
    assert_int_equal(read_first("lim.json", buf, max + 1, CUSTOS_FORMAT_AUTO, NULL), CUSTOS_ETOOBIG);
    assert_string_equal(custos_last_error(), "lim.json: larger than the limit of 268435456 bytes");

    memset(buf, ' ', max + 1);
    memcpy(buf, facility, sizeof facility - 1);
    custos_facility *f;
    assert_int_equal(custos_facility_parse(&f, "fac.json", buf, max, NULL), 0);
    custos_facility_free(f);
    assert_int_equal(custos_facility_parse(&f, "fac.json", buf, max + 1, NULL), CUSTOS_ETOOBIG);
    assert_string_equal(custos_last_error(), "fac.json: larger than 268435456 bytes");

    memset(buf, '\n', max + 1);
    memcpy(buf, targets, sizeof targets - 1);
    custos_targets *t;
    assert_int_equal(custos_targets_parse(&t, "itv.csv", buf, max, NULL), 0);
    assert_int_equal(t->n, 1);
    custos_targets_free(t);
    assert_int_equal(custos_targets_parse(&t, "itv.csv", buf, max + 1, NULL), CUSTOS_ETOOBIG);
    assert_string_equal(custos_last_error(), "itv.csv: larger than 268435456 bytes");

    memset(buf, ' ', max + 1);
    memcpy(buf, "{}", 2);
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE), 0);
    assert_int_equal(custos_ledger_document_add(l, "note", "big", NULL, buf, max, NULL), 0);
    assert_int_equal(custos_ledger_document_add(l, "note", "big", NULL, buf, max + 1, NULL),
                     CUSTOS_ETOOBIG);
    assert_string_equal(custos_last_error(), "note big: document larger than 268435456 bytes");
    custos_verify_result v;
    assert_int_equal(custos_ledger_verify(l, NULL, &v, NULL, NULL), 0);
    assert_int_equal(v.items, 1);
    custos_ledger_free(l);
    free(buf);
}

/* Input files: at most CUSTOS_MAX_FILE bytes.  A regular file is refused
 * by its size before any byte is read (sparse files: no disk used). */
static void test_file_size(void **state)
{
    (void)state;
    char path[] = "/tmp/custos-limit-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    custos_reader *rd;
    assert_int_equal(ftruncate(fd, (off_t)CUSTOS_MAX_FILE), 0);
    /* At the limit: opened, and refused for its content (zero bytes). */
    assert_int_equal(custos_reader_open_file(&rd, path, CUSTOS_FORMAT_AUTO), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_last_error(), "not a report"));
    assert_int_equal(ftruncate(fd, (off_t)CUSTOS_MAX_FILE + 1), 0);
    assert_int_equal(custos_reader_open_file(&rd, path, CUSTOS_FORMAT_AUTO), CUSTOS_ETOOBIG);
    char want[128];
    snprintf(want, sizeof want, "%s: 4294967297 bytes, larger than the limit of 4294967296 bytes",
             path);
    assert_string_equal(custos_last_error(), want);
    close(fd);
    unlink(path);
}

/* A stream (pipe, standard input) has no size: it is read up to the limit
 * and stopped one byte past it.  4 GiB of white space pass through the
 * reader, so this runs only when CUSTOS_LIMITS_STREAM=1 (make test sets it
 * in the normal build). */
static void test_stream_size(void **state)
{
    (void)state;
    if (!getenv("CUSTOS_LIMITS_STREAM")) {
        print_message("skipped: set CUSTOS_LIMITS_STREAM=1 to stream 4 GiB\n");
        skip();
    }
    for (int over = 0; over <= 1; over++) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(p[0]);
            static char chunk[1 << 16];
            memset(chunk, ' ', sizeof chunk);
            long long left = CUSTOS_MAX_FILE + over;
            while (left > 0) {
                size_t k = left < (long long)sizeof chunk ? (size_t)left : sizeof chunk;
                ssize_t w = write(p[1], chunk, k);
                if (w <= 0)
                    _exit(1);
                left -= w;
            }
            _exit(0);
        }
        close(p[1]);
        char path[64];
        snprintf(path, sizeof path, "/dev/fd/%d", p[0]);
        custos_reader *rd;
        int err = custos_reader_open_file(&rd, path, CUSTOS_FORMAT_AUTO);
        if (!over) {
            assert_int_equal(err, CUSTOS_EINVAL); /* all white space: empty input */
            assert_non_null(strstr(custos_last_error(), "empty input"));
        } else {
            assert_int_equal(err, CUSTOS_ETOOBIG);
            char want[128];
            snprintf(want, sizeof want, "%s: input larger than the limit of 4294967296 bytes", path);
            assert_string_equal(custos_last_error(), want);
        }
        close(p[0]);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
}

/* Facility descriptions: at most 10,000 MBAs, 1,296 KMPs per MBA. */
static void test_facility_counts(void **state)
{
    (void)state;
    size_t cap = 1 << 20;
    char *t = malloc(cap);
    assert_non_null(t);
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (int n = 10000; n <= 10001; n++) {
        size_t len = (size_t)snprintf(t, cap, "{\"state\":\"XA\",\"facility\":\"FA01\","
                                               "\"type\":\"other\",\"mbas\":[");
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(t + len, cap - len, "%s{\"mba\":\"M%c%c%c\"}", i ? "," : "",
                                    digits[i / 1296], digits[i / 36 % 36], digits[i % 36]);
        len += (size_t)snprintf(t + len, cap - len, "]}");
        custos_facility *f = NULL;
        int err = custos_facility_parse(&f, "fac.json", t, len, NULL);
        if (n == 10000) {
            assert_int_equal(err, 0);
            assert_int_equal(f->nmbas, 10000);
            custos_facility_free(f);
        } else {
            assert_int_equal(err, CUSTOS_EINVAL);
            assert_string_equal(custos_last_error(), "fac.json: $.mbas: more than 10000 MBAs");
        }
    }
    for (int n = 1296; n <= 1297; n++) {
        size_t len = (size_t)snprintf(t, cap, "{\"state\":\"XA\",\"facility\":\"FA01\","
                                               "\"type\":\"other\",\"mbas\":[{\"mba\":\"XAAA\","
                                               "\"kmps\":[");
        for (int i = 0; i < n; i++) {
            char code[3] = {digits[i / 36], digits[i % 36], 0};
            if (i >= 1296) { /* the 1,297th: a one-character code */
                code[0] = 'Z';
                code[1] = 0;
            }
            len += (size_t)snprintf(t + len, cap - len, "%s{\"kmp\":\"%s\",\"kind\":\"flow\"}",
                                    i ? "," : "", code);
        }
        len += (size_t)snprintf(t + len, cap - len, "]}]}");
        custos_facility *f = NULL;
        int err = custos_facility_parse(&f, "fac.json", t, len, NULL);
        if (n == 1296) {
            if (err)
                print_error("%s\n", custos_last_error());
            assert_int_equal(err, 0);
            assert_int_equal(f->mbas[0].nkmps, 1296);
            custos_facility_free(f);
        } else {
            assert_int_equal(err, CUSTOS_EINVAL);
            assert_string_equal(custos_last_error(),
                                "fac.json: $.mbas[0]: \"kmps\" needs an array of KMPs");
        }
    }
    free(t);
}

/* Target-value tables: a line holds at most 1,023 bytes. */
static void test_targets_line(void **state)
{
    (void)state;
    for (size_t n = 1023; n <= 1024; n++) {
        const char *row = "M,,0.1,0.1,";
        char *src = repeat('s', n - strlen(row));
        size_t cap = n + 128;
        char *t = malloc(cap);
        snprintf(t, cap, "method,material,random,systematic,source\n%s%s\n", row, src);
        custos_targets *tt = NULL;
        custos_diags *d;
        assert_int_equal(custos_diags_new(&d), 0);
        int err = custos_targets_parse(&tt, "itv.csv", t, strlen(t), d);
        if (n == 1023) {
            assert_int_equal(err, 0);
            assert_int_equal(strlen(tt->items[0].source), n - strlen(row));
            custos_targets_free(tt);
        } else {
            assert_int_equal(err, CUSTOS_EINVAL);
            char line[256];
            custos_diag_format(line, sizeof line, custos_diags_get(d, 0));
            assert_string_equal(line, "itv.csv:2: line longer than 1023 bytes");
        }
        custos_diags_free(d);
        free(t);
        free(src);
    }
}

/* Stored documents: kind at most 23 characters, name at most 127. */
static void test_document_names(void **state)
{
    (void)state;
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE), 0);
    char *kind = repeat('k', CUSTOS_DOC_KIND_MAX + 1), *name = repeat('n', CUSTOS_DOC_NAME_MAX + 1);
    assert_int_equal(custos_ledger_document_add(l, kind + 1, "n", NULL, "{}", 2, NULL), 0);
    assert_int_equal(custos_ledger_document_add(l, kind, "n", NULL, "{}", 2, NULL), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_last_error(), "is not 1-23 letters"));
    assert_int_equal(custos_ledger_document_add(l, "note", name + 1, NULL, "{}", 2, NULL), 0);
    assert_int_equal(custos_ledger_document_add(l, "note", name, NULL, "{}", 2, NULL), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_last_error(), "is not 1-127 printable"));
    free(kind);
    free(name);
    custos_ledger_free(l);
}

/* Diagnostics: at most CUSTOS_MAX_DIAGS kept, the rest counted. */
static void test_diagnostics(void **state)
{
    (void)state;
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    for (int i = 0; i < CUSTOS_MAX_DIAGS; i++)
        assert_int_equal(custos_diags_add(d, CUSTOS_SEV_ERROR, "f", (uint32_t)i, 0, 0, "e%d", i), 0);
    assert_int_equal(custos_diags_count(d), CUSTOS_MAX_DIAGS);
    assert_int_equal(custos_diags_add(d, CUSTOS_SEV_ERROR, "f", 1001, 0, 0, "one more"), 0);
    assert_int_equal(custos_diags_count(d), CUSTOS_MAX_DIAGS);
    assert_int_equal(custos_diags_total(d, CUSTOS_SEV_ERROR), CUSTOS_MAX_DIAGS + 1);
    custos_diags_free(d);
}

/* The simulator: one MBA holds at most SIM_MAX_BATCHES batches at once;
 * the next is refused with CUSTOS_ETOOBIG naming the facility, the MBA
 * and the fields to change, and the inventory is left as it was. */
static void test_sim_batches(void **state)
{
    (void)state;
    sim_fac fac;
    sim_mba m;
    memset(&fac, 0, sizeof fac);
    memset(&m, 0, sizeof m);
    strcpy(fac.code, "XADB");
    strcpy(m.code, "XADC");
    m.fac = &fac;
    sim_batch *b;
    for (int i = 0; i < SIM_MAX_BATCHES; i++)
        assert_int_equal(sim_batch_add(&b, &m, "H", "1", "F/Q/G/C", 'E', false), 0);
    assert_int_equal(m.nb, SIM_MAX_BATCHES);
    assert_string_equal(m.b[SIM_MAX_BATCHES - 1].kmp, "1");
    assert_int_equal(sim_batch_add(&b, &m, "H", "1", "F/Q/G/C", 'E', false), CUSTOS_ETOOBIG);
    assert_null(b);
    assert_int_equal(m.nb, SIM_MAX_BATCHES);
    assert_string_equal(custos_last_error(),
                        "facility XADB: MBA XADC would hold more than 50000 batches at once "
                        "(limit): lower throughput_t or stock_days, or raise batch_kg");
    /* One removed, one fits again. */
    sim_batch_remove(&m, 0);
    assert_int_equal(sim_batch_add(&b, &m, "H", "1", "F/Q/G/C", 'E', false), 0);
    custos_free(m.b - m.off);
}

int main(void)
{
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code10_element), cmocka_unit_test(test_field_lengths),
        cmocka_unit_test(test_csv_line),       cmocka_unit_test(test_entries),
        cmocka_unit_test(test_json_size),      cmocka_unit_test(test_file_size),
        cmocka_unit_test(test_stream_size),    cmocka_unit_test(test_facility_counts),
        cmocka_unit_test(test_targets_line),   cmocka_unit_test(test_document_names),
        cmocka_unit_test(test_diagnostics),    cmocka_unit_test(test_sim_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
