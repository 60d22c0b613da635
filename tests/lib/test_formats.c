/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_formats.c: the three report forms: streaming across the reader's
 * chunk boundary, several reports in one file, line numbers in errors,
 * CSV quoting, JSON positions, and writers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "custos/format.h"
#include "custos/validate.h"

static const char *entry_fmt =
    "001:OI/XA;%d#002:%d%s#003:20260131#006:SMITH,J#010:I#015:20260101/20260131#207:FAC1#"
    "307:XAFF#309:N#372:XA/XARX#407:A2#411:SD#412:20260128#430:B/Q/2/A#446:FA-%d#469:M#470:1#"
    "630:461500.25G#670:19845.011G#\n";

/* A report of n entries as Code 10 text; caller frees. */
static char *make_report(int number, int n, size_t *len)
{
    size_t cap = (size_t)n * 300 + 1;
    char *buf = malloc(cap);
    size_t used = 0;
    for (int i = 1; i <= n; i++) {
        char total[16] = "";
        if (i == 1)
            snprintf(total, sizeof total, "/%d", n);
        used += (size_t)snprintf(buf + used, cap - used, entry_fmt, number, i, total, i);
    }
    *len = used;
    return buf;
}

static void test_stream_large_file(void **state)
{
    (void)state;
    /* 2000 entries, about 500 kB: eight reader chunks. */
    size_t len;
    char *text = make_report(7, 2000, &len);
    char path[] = "/tmp/custos-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    fwrite(text, 1, len, f);
    fclose(f);
    custos_reader *rd;
    custos_report *r;
    assert_int_equal(custos_reader_open_file(&rd, path, CUSTOS_FORMAT_AUTO), 0);
    assert_int_equal(custos_reader_format(rd), CUSTOS_FORMAT_CODE10);
    assert_int_equal(custos_reader_next(&r, rd, NULL), 1);
    assert_int_equal(r->n, 2000);
    assert_int_equal(r->entries[1999].line, 2000);
    assert_string_equal(r->entries[1999].batch, "FA-2000");
    assert_int_equal(custos_report_validate(r, NULL), 0);
    char *canon;
    size_t cl;
    assert_int_equal(custos_report_canonical(&canon, &cl, r), 0);
    assert_int_equal(cl, len);
    assert_memory_equal(canon, text, len);
    custos_free(canon);
    custos_report_free(r);
    assert_int_equal(custos_reader_next(&r, rd, NULL), 0);
    assert_int_equal(custos_reader_offset(rd), len);
    custos_reader_free(rd);
    remove(path);
    free(text);
}

static void test_several_reports(void **state)
{
    (void)state;
    size_t l1, l2;
    char *a = make_report(5, 3, &l1), *b = make_report(6, 2, &l2);
    char *both = malloc(l1 + l2 + 1);
    memcpy(both, a, l1);
    memcpy(both + l1, b, l2);
    custos_reader *rd;
    custos_report *r;
    assert_int_equal(custos_reader_open_memory(&rd, "two.c10", both, l1 + l2, CUSTOS_FORMAT_AUTO), 0);
    assert_int_equal(custos_reader_next(&r, rd, NULL), 1);
    assert_int_equal(r->number, 5);
    assert_int_equal(r->n, 3);
    custos_report_free(r);
    assert_int_equal(custos_reader_next(&r, rd, NULL), 1);
    assert_int_equal(r->number, 6);
    assert_int_equal(r->n, 2);
    assert_int_equal(r->line, 4);
    custos_report_free(r);
    assert_int_equal(custos_reader_next(&r, rd, NULL), 0);
    custos_reader_free(rd);
    free(a);
    free(b);
    free(both);
}

static void test_error_location(void **state)
{
    (void)state;
    size_t len;
    char *text = make_report(9, 3, &len);
    /* Break entry 3's change code (line 3). */
    char *third = strstr(strstr(strstr(text, "411:SD") + 1, "411:SD") + 1, "411:SD");
    memcpy(third, "411:SX", 6);
    custos_reader *rd;
    custos_report *r;
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    assert_int_equal(custos_reader_open_memory(&rd, "bad.c10", text, len, CUSTOS_FORMAT_AUTO), 0);
    assert_int_equal(custos_reader_next(&r, rd, d), CUSTOS_EINVAL);
    assert_string_equal(custos_last_error(),
                        "bad.c10:3: entry 3: label 411: unknown inventory change or line code 'SX'");
    assert_int_equal(custos_diags_count(d), 1);
    custos_reader_free(rd);
    custos_diags_free(d);
    free(text);
}

static void test_reserved_and_truncated(void **state)
{
    (void)state;
    const char *bad[][2] = {
        {"001:OI/XA;1#002:1/1#446:A:B#", "bad:1: entry 1: label 446: reserved character ':' inside a value"},
        {"001:OI/XA;1#002:1/1#446:AB", "bad:1: entry 1: label 446: truncated input: no closing '#'"},
        {"\n\n  xyz", "bad:1: not a report in Code 10 labelled, CSV or JSON form"},
        {"001:OI/XA;1#\n002:1/1#446-B#", "bad:2: entry 1: label 446: expected ':' after the label"},
        {"001:OI/XA;1#\n002:1/1#44", "bad:2: entry 1: truncated input: an element ends early"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        custos_reader *rd = NULL;
        custos_report *r;
        int err = custos_reader_open_memory(&rd, "bad", bad[i][0], strlen(bad[i][0]),
                                            CUSTOS_FORMAT_AUTO);
        if (err == 0)
            err = custos_reader_next(&r, rd, NULL);
        assert_int_equal(err, CUSTOS_EINVAL);
        assert_string_equal(custos_last_error(), bad[i][1]);
        custos_reader_free(rd);
    }
}

static void test_csv_quoting(void **state)
{
    (void)state;
    const char *csv = "001,002,006,436,391\r\n"
                      "OI/XA;1,1/1,\"DOE,J\",\"SAYS \"\"HI\"\", OK\",\r\n";
    custos_reader *rd;
    custos_report *r;
    assert_int_equal(custos_reader_open_memory(&rd, "q.csv", csv, strlen(csv), CUSTOS_FORMAT_AUTO), 0);
    assert_int_equal(custos_reader_format(rd), CUSTOS_FORMAT_CSV);
    assert_int_equal(custos_reader_next(&r, rd, NULL), 1);
    assert_string_equal(r->encoder, "DOE,J");
    assert_string_equal(r->entries[0].own_desc, "SAYS \"HI\", OK");
    assert_int_equal(r->entries[0].line, 2);
    custos_report_free(r);
    custos_reader_free(rd);
}

static void test_json_lines_and_writer(void **state)
{
    (void)state;
    const char *json = "[\n"
                       " {\"state\": \"XA\", \"report\": 3, \"mba\": \"XAFF\", \"entries\": [\n"
                       "   {\"kind\": \"OI\", \"002\": \"1/2\"},\n"
                       "   {\"kind\": \"OI\", \"002\": \"2\", \"411\": \"ZZ\"}]}\n"
                       "]\n";
    custos_reader *rd;
    custos_report *r;
    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), 0);
    assert_int_equal(custos_reader_open_memory(&rd, "j.json", json, strlen(json), CUSTOS_FORMAT_AUTO), 0);
    assert_int_equal(custos_reader_next(&r, rd, d), CUSTOS_EINVAL);
    assert_string_equal(custos_last_error(),
                        "j.json:4: entry 2: label 411: unknown inventory change or line code 'ZZ'");
    custos_reader_free(rd);
    custos_diags_free(d);

    /* One report is written as an object, two as an array; both read back. */
    size_t len;
    char *text = make_report(4, 2, &len);
    assert_int_equal(custos_reader_open_memory(&rd, "x", text, len, CUSTOS_FORMAT_AUTO), 0);
    assert_int_equal(custos_reader_next(&r, rd, NULL), 1);
    custos_reader_free(rd);
    for (int copies = 1; copies <= 2; copies++) {
        char *out = NULL;
        size_t outlen = 0;
        FILE *mem = open_memstream(&out, &outlen);
        custos_writer *w;
        assert_int_equal(custos_writer_new(&w, CUSTOS_FORMAT_JSON, custos_write_file, mem), 0);
        for (int c = 0; c < copies; c++)
            assert_int_equal(custos_writer_report(w, r), 0);
        assert_int_equal(custos_writer_finish(w), 0);
        custos_writer_free(w);
        fclose(mem);
        assert_int_equal(out[0], copies == 1 ? '{' : '[');
        custos_reader *back;
        custos_report *r2;
        assert_int_equal(custos_reader_open_memory(&back, "back", out, outlen, CUSTOS_FORMAT_AUTO), 0);
        assert_int_equal(custos_reader_next(&r2, back, NULL), 1);
        char *c1, *c2;
        size_t n1, n2;
        assert_int_equal(custos_report_canonical(&c1, &n1, r), 0);
        assert_int_equal(custos_report_canonical(&c2, &n2, r2), 0);
        assert_int_equal(n1, n2);
        assert_memory_equal(c1, c2, n1);
        custos_free(c1);
        custos_free(c2);
        custos_report_free(r2);
        custos_reader_free(back);
        free(out);
    }
    custos_report_free(r);
    free(text);
}

int main(void)
{
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_large_file),   cmocka_unit_test(test_several_reports),
        cmocka_unit_test(test_error_location),      cmocka_unit_test(test_reserved_and_truncated),
        cmocka_unit_test(test_csv_quoting),         cmocka_unit_test(test_json_lines_and_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
