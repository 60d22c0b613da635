/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_example.c: the example State XA (examples/xa) through the public
 * API.
 *
 *  - every measurement point of the three facility descriptions resolves
 *    each of its methods to the facility's own uncertainties;
 *  - every measured entry of every report finds its measurement point,
 *    names one of the point's methods in label 469, and lies in a declared
 *    calibration period of the methods that declare them; entries booked
 *    unmeasured (basis N, L) find the facility's "unmeasured" figures;
 *  - the year imports cleanly into a ledger that then verifies, every
 *    balance period closes with the operator's MBR agreeing line by line
 *    (the MBRs were computed by generate.py, a second implementation), the
 *    correction of report 307 is applied, and the transfers are matched
 *    with SRDs equal to the differences read from the two report files.
 *
 * CUSTOS_SOURCE_DIR (set by ctest) locates the examples.
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

#include "custos/balance.h"
#include "custos/facility.h"
#include "custos/format.h"
#include "custos/ledger.h"

static const char *const mbas[] = {"XAEN", "XAFF", "XARX"};
static const char *const facility_files[] = {"xae1-enrichment.json", "xaf1-fuel-fabrication.json",
                                             "xar1-power-reactor.json"};

static char *path_of(const char *rel)
{
    const char *src = getenv("CUSTOS_SOURCE_DIR");
    assert_non_null(src);
    size_t n = strlen(src) + strlen(rel) + 16;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/examples/xa/%s", src, rel);
    return p;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The report files of an MBA, in name (= report number) order. */
static size_t report_files(const char *mba, char ***out)
{
    char rel[64];
    snprintf(rel, sizeof rel, "reports/%s", mba);
    char *dir = path_of(rel);
    DIR *d = opendir(dir);
    assert_non_null(d);
    char **v = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        v = realloc(v, (n + 1) * sizeof *v);
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        v[n] = malloc(len);
        snprintf(v[n], len, "%s/%s", dir, de->d_name);
        n++;
    }
    closedir(d);
    free(dir);
    qsort(v, n, sizeof *v, cmp_str);
    *out = v;
    return n;
}

static void free_files(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static custos_facility *load_facility(int i)
{
    char rel[96];
    snprintf(rel, sizeof rel, "facilities/%s", facility_files[i]);
    char *p = path_of(rel);
    size_t len;
    char *json = slurp(p, &len);
    custos_facility *f = NULL;
    assert_int_equal(custos_facility_parse(&f, p, json, len, NULL), CUSTOS_OK);
    assert_string_equal(f->mbas[0].code, mbas[i]);
    free(json);
    free(p);
    return f;
}

/* Every report of a file (one per file in the example). */
static custos_report *read_one(const char *path)
{
    custos_reader *rd;
    custos_report *r = NULL;
    assert_int_equal(custos_reader_open_file(&rd, path, CUSTOS_FORMAT_AUTO), CUSTOS_OK);
    assert_int_equal(custos_reader_next(&r, rd, NULL), 1);
    custos_report *extra = NULL;
    assert_int_equal(custos_reader_next(&extra, rd, NULL), 0);
    custos_reader_free(rd);
    return r;
}

static void test_points_resolve(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        custos_facility *f = load_facility(i);
        const custos_measurement_model *m = &f->measurement;
        assert_true(m->npoints > 0);
        assert_true(m->nmethods > 0);
        for (size_t k = 0; k < m->npoints; k++) {
            const custos_measurement_point *p = &m->points[k];
            const char *roles[3] = {p->bulk, p->element, p->isotopic};
            int named = 0;
            for (int r = 0; r < 3; r++) {
                if (!roles[r][0])
                    continue;
                named++;
                const custos_uncertainty *u = custos_uncertainty_for(m, NULL, 0, roles[r],
                                                                     p->material);
                if (!u)
                    fail_msg("%s %s/%s: method %s has no uncertainty", f->code, p->mba, p->kmp,
                             roles[r]);
                assert_true(u->random >= 0.0 && u->random < 0.2);
                assert_true(u->systematic >= 0.0 && u->systematic < 0.2);
                assert_non_null(u->source);
                assert_true(strlen(u->source) > 10);
            }
            assert_true(named > 0);
        }
        custos_facility_free(f);
    }
}

static void test_entries_measured(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        custos_facility *f = load_facility(i);
        const custos_measurement_model *m = &f->measurement;
        char **files;
        size_t nf = report_files(mbas[i], &files);
        size_t measured = 0, unmeasured = 0;
        for (size_t k = 0; k < nf; k++) {
            custos_report *r = read_one(files[k]);
            assert_string_equal(r->mba, mbas[i]);
            for (size_t j = 0; j < r->n; j++) {
                const custos_entry *e = &r->entries[j];
                /* MBR lines are sums; rebatching keeps the book values of
                 * what was rebatched and enters no balance. */
                if (e->kind != 'O' || r->type == 'M' || !strcmp(e->code, "RM") ||
                    !strcmp(e->code, "RP"))
                    continue;
                if (e->basis == 'N' || e->basis == 'L') {
                    assert_true(m->has_unmeasured);
                    unmeasured++;
                    continue;
                }
                const custos_measurement_point *p =
                    custos_measurement_point_for(m, r->mba, e->kmp, e->mdc);
                if (!p)
                    fail_msg("%s entry %d: no measurement point for KMP %s, material %s",
                             files[k], (int)e->number, e->kmp, e->mdc);
                measured++;
                if (e->basis_method[0] && strcmp(e->basis_method, p->bulk) &&
                    strcmp(e->basis_method, p->element) && strcmp(e->basis_method, p->isotopic))
                    fail_msg("%s entry %d: label 469 names %s, not a method of KMP %s", files[k],
                             (int)e->number, e->basis_method, e->kmp);
                /* A new measurement lies in a calibration period of each
                 * method that declares periods. */
                custos_date when = r->type == 'P' ? r->end : e->change_date;
                const char *roles[3] = {p->bulk, p->element, p->isotopic};
                for (int q = 0; q < 3 && e->basis == 'M'; q++) {
                    bool declared = false;
                    for (size_t c = 0; c < m->ncalibrations; c++)
                        declared |= !strcmp(m->calibrations[c].method, roles[q]);
                    if (declared && custos_calibration_period(m, roles[q], when) == 0)
                        fail_msg("%s entry %d: %d outside the calibration periods of %s", files[k],
                                 (int)e->number, (int)when, roles[q]);
                }
            }
            custos_report_free(r);
        }
        assert_true(measured > 0);
        if (i == 2)
            assert_true(unmeasured > 0);
        free_files(files, nf);
        custos_facility_free(f);
    }
}

/* A weight of entry (report, entry) of an MBA, read from the files. */
static int64_t file_weight(const char *mba, int64_t report, int32_t entry, int label)
{
    char **files;
    size_t nf = report_files(mba, &files);
    int64_t v = -1;
    for (size_t k = 0; k < nf && v < 0; k++) {
        custos_report *r = read_one(files[k]);
        for (size_t j = 0; r->number == report && j < r->n; j++)
            if (r->entries[j].kind == 'O' && r->entries[j].number == entry)
                v = custos_entry_weight(&r->entries[j], label, NULL);
        custos_report_free(r);
    }
    free_files(files, nf);
    assert_true(v >= 0);
    return v;
}

static custos_ledger *load_ledger(void)
{
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE), CUSTOS_OK);
    for (int i = 0; i < 3; i++) {
        char rel[96];
        snprintf(rel, sizeof rel, "facilities/%s", facility_files[i]);
        char *p = path_of(rel);
        size_t len;
        char *json = slurp(p, &len);
        assert_int_equal(custos_ledger_facility_add(l, facility_files[i], json, len, NULL, NULL),
                         CUSTOS_OK);
        free(json);
        free(p);
    }
    for (int i = 0; i < 3; i++) {
        char **files;
        size_t nf = report_files(mbas[i], &files);
        for (size_t k = 0; k < nf; k++) {
            custos_reader *rd;
            custos_diags *d;
            assert_int_equal(custos_diags_new(&d), CUSTOS_OK);
            assert_int_equal(custos_reader_open_file(&rd, files[k], CUSTOS_FORMAT_AUTO), CUSTOS_OK);
            int err = custos_ledger_import(l, rd, NULL, d);
            if (err != CUSTOS_OK || custos_diags_count(d) != 0)
                fail_msg("%s: %s", files[k], custos_last_error());
            custos_reader_free(rd);
            custos_diags_free(d);
        }
        free_files(files, nf);
    }
    return l;
}

static void test_ledger(void **state)
{
    (void)state;
    custos_ledger *l = load_ledger();
    custos_verify_result v;
    assert_int_equal(custos_ledger_verify(l, NULL, &v, NULL, NULL), CUSTOS_OK);
    assert_int_equal(v.reports, 15 + 37 + 8);
    assert_int_equal(v.items, 3 + 60);

    custos_diags *d;
    assert_int_equal(custos_diags_new(&d), CUSTOS_OK);
    custos_balances *b;
    assert_int_equal(custos_ledger_balances(&b, l, NULL, d), CUSTOS_OK);
    for (size_t i = 0; i < custos_diags_count(d); i++) {
        char line[1024];
        custos_diag_format(line, sizeof line, custos_diags_get(d, i));
        print_message("%s\n", line);
    }
    assert_int_equal(custos_diags_count(d), 0);
    /* XAEN: N, D, D-780, E, E-670 for one year; XAFF: E and 670 for twelve
     * months; XARX: E, 670, P for the cycle. */
    size_t per_mba[3] = {0, 0, 0}, ff_periods = 0;
    int64_t nd_total = -1;
    for (size_t i = 0; i < b->n; i++) {
        const custos_balance *x = &b->items[i];
        int k = !strcmp(x->mba, "XAEN") ? 0 : !strcmp(x->mba, "XAFF") ? 1 : 2;
        per_mba[k]++;
        assert_true(x->mbr_report != 0);
        assert_int_equal(x->mbr_differences, 0);
        assert_int_equal(x->muf, x->ba - x->pe);
        if (k == 1 && x->label == 0) {
            ff_periods++;
            assert_int_equal(x->end / 100 % 100, (int)ff_periods); /* month ends in order */
        }
        if (k == 2)
            assert_int_equal(x->muf, 0); /* an item MBA: calculated values only */
        if (k == 0 && x->element == 'D' && x->label == 0) {
            for (int c = 0; c < CUSTOS_NCODES; c++)
                if (!strcmp(custos_change_code_at(c), "ND"))
                    nd_total = x->change[c];
        }
    }
    assert_int_equal(per_mba[0], 5);
    assert_int_equal(per_mba[1], 24);
    assert_int_equal(per_mba[2], 3);
    assert_int_equal(ff_periods, 12);
    /* The ND total uses the corrected weight of report 306 entry 1 (from
     * report 307 entry 5), not the one first reported. */
    int64_t wrong = file_weight("XAEN", 306, 1, 620), right = file_weight("XAEN", 307, 5, 620);
    assert_true(wrong != right);
    int64_t sum_files = 0;
    {
        char **files;
        size_t nf = report_files("XAEN", &files);
        for (size_t k = 0; k < nf; k++) {
            custos_report *r = read_one(files[k]);
            for (size_t j = 0; r->type == 'I' && j < r->n; j++)
                if (!strcmp(r->entries[j].code, "ND") && r->entries[j].status == 'N')
                    sum_files += custos_entry_weight(&r->entries[j], 620, NULL);
            custos_report_free(r);
        }
        free_files(files, nf);
    }
    assert_int_equal(nd_total, sum_files - wrong + right);
    custos_balances_free(b);

    custos_transfers *t;
    assert_int_equal(custos_ledger_transfers(&t, l, NULL, d), CUSTOS_OK);
    assert_int_equal(custos_diags_count(d), 0);
    size_t matched = 0, pending = 0;
    for (size_t i = 0; i < t->n; i++) {
        const custos_transfer *x = &t->items[i];
        if (x->status == CUSTOS_TRANSFER_MATCHED)
            matched++;
        else if (x->status == CUSTOS_TRANSFER_PENDING)
            pending++;
        if (!strcmp(x->batch, "30B-3801")) {
            /* SRD = the shipper's value (XAEN 302/2) - the receiver's
             * (XAFF 512/5), read from the files. */
            assert_int_equal(x->ship_report, 302);
            assert_int_equal(x->recv_report, 512);
            int iu = custos_weight_index(630);
            assert_int_equal(x->ship_mg[iu] - x->recv_mg[iu],
                             file_weight("XAEN", 302, 2, 630) - file_weight("XAFF", 512, 5, 630));
            assert_int_equal(x->days, 3);
        }
        if (!strcmp(x->batch, "30B-3812")) {
            assert_int_equal(x->status, CUSTOS_TRANSFER_PENDING);
            assert_int_equal(x->deadline, 20270130); /* XAFF's December ICR end + 30 days */
        }
    }
    assert_int_equal(matched, 11 + 40);
    assert_int_equal(pending, 1);
    custos_transfers_free(t);
    custos_diags_free(d);
    custos_ledger_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points_resolve),
        cmocka_unit_test(test_entries_measured),
        cmocka_unit_test(test_ledger),
    };
    custos_global_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
