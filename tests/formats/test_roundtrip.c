/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_roundtrip.c: every report of the example State (examples/xa) and
 * of the test fixtures, converted from its form to every other form and
 * back, along every path of up to three conversions, keeps its canonical
 * text (the Code 10 form the ledger hashes) byte for byte.  Writing the
 * same form twice gives the same bytes (the writers are deterministic
 * and read back what they wrote), and the Code 10 example files are
 * already canonical.
 *
 * Files: CUSTOS_SOURCE_DIR/examples/xa/reports/MBA.c10, every report of
 * each MBA in one file.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "custos/format.h"

typedef struct membuf {
    char *data;
    size_t len, cap;
} membuf;

static int mem_write(void *ctx, const char *data, size_t len)
{
    membuf *b = ctx;
    if (b->len + len + 1 > b->cap) {
        size_t cap = (b->len + len + 1) * 2;
        char *p = realloc(b->data, cap);
        if (!p)
            return CUSTOS_ENOMEM;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return CUSTOS_OK;
}

/* The reports of text in form f (CUSTOS_FORMAT_AUTO: detected). */
static size_t read_all(custos_report ***out, const char *name, const char *text, size_t len,
                       custos_format f)
{
    custos_reader *rd;
    if (custos_reader_open_memory(&rd, name, text, len, f) != CUSTOS_OK)
        fail_msg("%s: %s", name, custos_last_error());
    custos_report **v = NULL;
    size_t n = 0;
    custos_report *r;
    int k;
    while ((k = custos_reader_next(&r, rd, NULL)) == 1) {
        v = realloc(v, (n + 1) * sizeof *v);
        v[n++] = r;
    }
    if (k < 0)
        fail_msg("%s (%s): %s", name, custos_format_name(f), custos_last_error());
    custos_reader_free(rd);
    *out = v;
    return n;
}

static void free_all(custos_report **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        custos_report_free(v[i]);
    free(v);
}

static membuf write_all(custos_report **v, size_t n, custos_format f)
{
    membuf b = {NULL, 0, 0};
    custos_writer *w;
    assert_int_equal(custos_writer_new(&w, f, mem_write, &b), CUSTOS_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(custos_writer_report(w, v[i]), CUSTOS_OK);
    assert_int_equal(custos_writer_finish(w), CUSTOS_OK);
    custos_writer_free(w);
    if (!b.data)
        mem_write(&b, "", 0);
    return b;
}

/* Canonical texts of all reports, concatenated. */
static membuf canonical(custos_report **v, size_t n)
{
    membuf b = {NULL, 0, 0};
    for (size_t i = 0; i < n; i++) {
        char *t;
        size_t len;
        assert_int_equal(custos_report_canonical(&t, &len, v[i]), CUSTOS_OK);
        mem_write(&b, t, len);
        custos_free(t);
    }
    return b;
}

static const custos_format forms[3] = {CUSTOS_FORMAT_CODE10, CUSTOS_FORMAT_CSV, CUSTOS_FORMAT_JSON};

static void expect_same(const membuf *want, const membuf *got, const char *file, const char *path)
{
    if (want->len != got->len || memcmp(want->data, got->data, want->len)) {
        size_t i = 0;
        while (i < want->len && i < got->len && want->data[i] == got->data[i])
            i++;
        fail_msg("%s: %s changes the canonical text at byte %zu", file, path, i);
    }
}

/* Every path of 1 to 3 conversions through the forms, back to the
 * canonical text. */
static void roundtrip_file(const char *file, size_t *paths)
{
    FILE *fp = fopen(file, "rb");
    assert_non_null(fp);
    membuf src = {NULL, 0, 0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
        mem_write(&src, chunk, got);
    fclose(fp);
    custos_report **r0;
    size_t n0 = read_all(&r0, file, src.data, src.len, CUSTOS_FORMAT_AUTO);
    assert_true(n0 > 0);
    membuf c0 = canonical(r0, n0);
    /* A Code 10 example is written as custos writes it. */
    if (src.len > 4 && src.data[3] == ':')
        expect_same(&c0, &src, file, "the file itself");
    for (int a = 0; a < 3; a++)
        for (int b = -1; b < 3; b++)
            for (int c = -1; c < 3; c++) {
                if ((b < 0 && c >= 0) || b == a || (c >= 0 && c == b))
                    continue;
                int steps[3] = {a, b, c};
                char path[64] = "";
                custos_report **cur = r0;
                size_t n = n0;
                for (int s = 0; s < 3 && steps[s] >= 0; s++) {
                    custos_format f = forms[steps[s]];
                    membuf text = write_all(cur, n, f);
                    custos_report **next;
                    size_t m = read_all(&next, file, text.data, text.len, f);
                    assert_int_equal(m, n);
                    /* Writing what was read gives the same bytes. */
                    membuf again = write_all(next, m, f);
                    expect_same(&text, &again, file, "writing twice");
                    free(again.data);
                    free(text.data);
                    if (cur != r0)
                        free_all(cur, n);
                    cur = next;
                    size_t used = strlen(path);
                    snprintf(path + used, sizeof path - used, "->%s", custos_format_name(f));
                }
                membuf c1 = canonical(cur, n);
                expect_same(&c0, &c1, file, path);
                free(c1.data);
                free_all(cur, n);
                (*paths)++;
            }
    free(c0.data);
    free_all(r0, n0);
    free(src.data);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The example's report files: one per MBA, every report of the year. */
static size_t list_reports(char ***out)
{
    const char *src = getenv("CUSTOS_SOURCE_DIR");
    assert_non_null(src);
    char **v = NULL;
    size_t n = 0;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/examples/xa/reports", src);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (de->d_name[0] == '.' || nl < 5 || strcmp(de->d_name + nl - 4, ".c10"))
            continue;
        v = realloc(v, (n + 1) * sizeof *v);
        size_t len = strlen(dir) + nl + 2;
        v[n] = malloc(len);
        snprintf(v[n], len, "%s/%s", dir, de->d_name);
        n++;
    }
    closedir(d);
    qsort(v, n, sizeof *v, cmp_str);
    *out = v;
    return n;
}

static void test_examples(void **state)
{
    (void)state;
    char **files;
    size_t n = list_reports(&files), paths = 0;
    assert_int_equal(n, 6); /* XAEN XAFF XAPS XARP XARX XASF */
    for (size_t i = 0; i < n; i++) {
        roundtrip_file(files[i], &paths);
        free(files[i]);
    }
    free(files);
    /* 3 starting forms x (1 + 2 + 2x2... ) paths: a, a->b, a->b->c with
     * b != a and c != b, for each file (all its reports at once). */
    assert_int_equal(paths, n * 3 * (1 + 2 + 2 * 2));
}

/* Several reports in one file: one CSV table, one JSON array, per MBA
 * (report numbers are unique within an MBA only). */
static void test_whole_mba(void **state)
{
    (void)state;
    char **files;
    size_t n = list_reports(&files), total = 0;
    for (size_t i = 0; i < n; i++) {
        FILE *fp = fopen(files[i], "rb");
        assert_non_null(fp);
        char *buf = malloc(1 << 21);
        size_t len = fread(buf, 1, 1 << 21, fp);
        assert_true(len < (1 << 21));
        fclose(fp);
        custos_report **all;
        size_t m = read_all(&all, files[i], buf, len, CUSTOS_FORMAT_AUTO);
        assert_true(m > 1);
        total += m;
        membuf c0 = canonical(all, m);
        for (int f = 0; f < 3; f++) {
            membuf text = write_all(all, m, forms[f]);
            custos_report **back;
            size_t k = read_all(&back, files[i], text.data, text.len, forms[f]);
            assert_int_equal(k, m);
            membuf c1 = canonical(back, k);
            expect_same(&c0, &c1, files[i], custos_format_name(forms[f]));
            free(c1.data);
            free(text.data);
            free_all(back, k);
        }
        free(c0.data);
        free_all(all, m);
        free(buf);
        free(files[i]);
    }
    free(files);
    assert_true(total > 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_whole_mba),
    };
    custos_global_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
