/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_example.c: the example State XA (examples/xa, the simulator's year
 * 2026 from examples/xa/xa-sim.json) through the public API.
 *
 *  - every measurement point of every facility description resolves each
 *    of its methods to the facility's own uncertainties;
 *  - every measured entry of every report finds its measurement point,
 *    names one of the point's methods in label 469, and lies in a declared
 *    calibration period of the methods that declare them; entries booked
 *    unmeasured (basis N, L) find the facility's "unmeasured" figures;
 *  - the year imports cleanly into a ledger that then verifies; every
 *    balance period of truth.json (the simulator's own books, a second
 *    implementation of the balance) is found with the same book MUF, and
 *    the operator's MBR agrees line by line; the correction named in
 *    truth.json is applied; the transfers are matched with SRDs equal to
 *    the differences read from the two report files, and the shipments
 *    truth.json counts as in transit at the end are pending.
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
#include <jansson.h>

#include "custos/balance.h"
#include "custos/facility.h"
#include "custos/format.h"
#include "custos/ledger.h"

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

/* The files of examples/xa/DIR, in name order. */
static size_t files_in(const char *rel, char ***out)
{
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

/* Every report of the example, read once from the files. */
typedef struct {
    custos_report **r;
    size_t n;
} report_set;

static report_set all_reports;

static void read_all(void)
{
    if (all_reports.n)
        return;
    char **files;
    size_t nf = files_in("reports", &files);
    assert_int_equal(nf, 6);
    for (size_t k = 0; k < nf; k++) {
        custos_reader *rd;
        assert_int_equal(custos_reader_open_file(&rd, files[k], CUSTOS_FORMAT_AUTO), CUSTOS_OK);
        custos_report *r = NULL;
        int rc;
        while ((rc = custos_reader_next(&r, rd, NULL)) == 1) {
            all_reports.r = realloc(all_reports.r, (all_reports.n + 1) * sizeof *all_reports.r);
            all_reports.r[all_reports.n++] = r;
        }
        assert_int_equal(rc, 0);
        custos_reader_free(rd);
    }
    free_files(files, nf);
}

static custos_facility *load_facility(const char *path)
{
    size_t len;
    char *json = slurp(path, &len);
    custos_facility *f = NULL;
    assert_int_equal(custos_facility_parse(&f, path, json, len, NULL), CUSTOS_OK);
    free(json);
    return f;
}

static void test_points_resolve(void **state)
{
    (void)state;
    char **files;
    size_t nf = files_in("facilities", &files);
    assert_int_equal(nf, 6);
    for (size_t i = 0; i < nf; i++) {
        custos_facility *f = load_facility(files[i]);
        const custos_measurement_model *m = &f->measurement;
        /* A store of items only (the spent fuel pond) measures nothing
         * itself: it books every item at the shipper's values. */
        assert_true(m->npoints > 0 || m->has_unmeasured);
        assert_true(m->nmethods > 0 || m->npoints == 0);
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
    free_files(files, nf);
}

static void test_entries_measured(void **state)
{
    (void)state;
    read_all();
    char **files;
    size_t nf = files_in("facilities", &files);
    size_t checked_reports = 0, reactor_unmeasured = 0;
    for (size_t i = 0; i < nf; i++) {
        custos_facility *f = load_facility(files[i]);
        const custos_measurement_model *m = &f->measurement;
        size_t measured = 0;
        for (size_t k = 0; k < all_reports.n; k++) {
            const custos_report *r = all_reports.r[k];
            if (strcmp(r->facility, f->code))
                continue;
            checked_reports++;
            for (size_t j = 0; j < r->n; j++) {
                const custos_entry *e = &r->entries[j];
                /* MBR lines are sums; rebatching keeps the book values of
                 * what was rebatched and enters no balance. */
                if (e->kind != 'O' || r->type == 'M' || !strcmp(e->code, "RM") ||
                    !strcmp(e->code, "RP"))
                    continue;
                if (e->basis == 'N' || e->basis == 'L') {
                    assert_true(m->has_unmeasured);
                    if (!strcmp(r->mba, "XARX"))
                        reactor_unmeasured++;
                    continue;
                }
                const custos_measurement_point *p =
                    custos_measurement_point_for(m, r->mba, e->kmp, e->mdc);
                /* Book values carried (basis T) were measured where the
                 * item entered; a store need not measure them again. */
                if (!p && e->basis == 'T')
                    continue;
                if (!p)
                    fail_msg("%s report %d entry %d: no measurement point for KMP %s, material %s",
                             r->mba, (int)r->number, (int)e->number, e->kmp, e->mdc);
                measured++;
                if (e->basis_method[0] && strcmp(e->basis_method, p->bulk) &&
                    strcmp(e->basis_method, p->element) && strcmp(e->basis_method, p->isotopic))
                    fail_msg("%s report %d entry %d: label 469 names %s, not a method of KMP %s",
                             r->mba, (int)r->number, (int)e->number, e->basis_method, e->kmp);
                /* A new measurement lies in a calibration period of each
                 * method that declares periods; the opening PIL (the day
                 * before the simulated year) holds values measured before
                 * the first period. */
                custos_date when = r->type == 'P' ? r->end : e->change_date;
                if (when < 20260101)
                    continue;
                const char *roles[3] = {p->bulk, p->element, p->isotopic};
                for (int q = 0; q < 3 && e->basis == 'M'; q++) {
                    bool declared = false;
                    for (size_t c = 0; c < m->ncalibrations; c++)
                        declared |= !strcmp(m->calibrations[c].method, roles[q]);
                    if (declared && custos_calibration_period(m, roles[q], when) == 0)
                        fail_msg("%s report %d entry %d: %d outside the calibration periods of %s",
                                 r->mba, (int)r->number, (int)e->number, (int)when, roles[q]);
                }
            }
        }
        assert_true(measured > 0 || m->npoints == 0);
        custos_facility_free(f);
    }
    /* Every report belongs to one of the facilities. */
    assert_int_equal(checked_reports, all_reports.n);
    /* The reactor books fresh fuel at the fabricator's values. */
    assert_true(reactor_unmeasured > 0);
    free_files(files, nf);
}

/* A weight of entry (report, entry) of an MBA, read from the files. */
static int64_t file_weight(const char *mba, int64_t report, int32_t entry, int label)
{
    for (size_t k = 0; k < all_reports.n; k++) {
        const custos_report *r = all_reports.r[k];
        if (strcmp(r->mba, mba) || r->number != report)
            continue;
        for (size_t j = 0; j < r->n; j++)
            if (r->entries[j].kind == 'O' && r->entries[j].number == entry)
                return custos_entry_weight(&r->entries[j], label, NULL);
    }
    fail_msg("%s report %d entry %d not in the files", mba, (int)report, (int)entry);
    return -1;
}

static custos_ledger *load_ledger(void)
{
    custos_ledger *l;
    assert_int_equal(custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE), CUSTOS_OK);
    char **files;
    size_t nf = files_in("facilities", &files);
    for (size_t i = 0; i < nf; i++) {
        size_t len;
        char *json = slurp(files[i], &len);
        assert_int_equal(custos_ledger_facility_add(l, files[i], json, len, NULL, NULL),
                         CUSTOS_OK);
        free(json);
    }
    free_files(files, nf);
    nf = files_in("reports", &files);
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
    return l;
}

static custos_date date_of(const char *iso)
{
    int y, m, d;
    assert_int_equal(sscanf(iso, "%4d-%2d-%2d", &y, &m, &d), 3);
    return (custos_date)(y * 10000 + m * 100 + d);
}

/* The weight label truth.json gives for custos's (element, label 0). */
static int element_label(char element)
{
    switch (element) {
    case 'N': return 610;
    case 'D': return 620;
    case 'E': return 630;
    case 'P': return 700;
    default: return -1;
    }
}

static void test_ledger(void **state)
{
    (void)state;
    read_all();
    char *tp = path_of("truth.json");
    json_error_t jerr;
    json_t *truth = json_load_file(tp, 0, &jerr);
    if (!truth)
        fail_msg("%s:%d: %s", tp, jerr.line, jerr.text);
    free(tp);

    custos_ledger *l = load_ledger();
    custos_verify_result v;
    assert_int_equal(custos_ledger_verify(l, NULL, &v, NULL, NULL), CUSTOS_OK);
    assert_int_equal(v.reports, all_reports.n);
    assert_int_equal(v.reports, json_integer_value(json_object_get(truth, "reports")));

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

    /* Every balance: the operator's MBR agrees; book MUF as in the truth. */
    json_t *tb = json_object_get(truth, "balances");
    assert_int_equal(b->n, json_array_size(tb));
    for (size_t i = 0; i < b->n; i++) {
        const custos_balance *x = &b->items[i];
        assert_true(x->mbr_report != 0);
        assert_int_equal(x->mbr_differences, 0);
        assert_int_equal(x->muf, x->ba - x->pe);
        int want = x->label ? x->label : element_label(x->element);
        size_t k;
        json_t *t = NULL;
        json_array_foreach(tb, k, t) {
            const char *cat = json_string_value(json_object_get(t, "category"));
            if (!strcmp(json_string_value(json_object_get(t, "mba")), x->mba) &&
                date_of(json_string_value(json_object_get(t, "end"))) == x->end &&
                cat[0] == x->element && json_integer_value(json_object_get(t, "label")) == want)
                break;
        }
        if (k == json_array_size(tb))
            fail_msg("%s %d %c %d: no such balance in truth.json", x->mba, (int)x->end,
                     x->element, want);
        assert_int_equal(x->pb, json_integer_value(json_object_get(t, "book_pb_mg")));
        assert_int_equal(x->pe, json_integer_value(json_object_get(t, "book_pe_mg")));
        assert_int_equal(x->muf, json_integer_value(json_object_get(t, "book_muf_mg")));
        if (!strcmp(x->mba, "XARX"))
            assert_int_equal(x->muf, 0); /* an item MBA: calculated values only */
    }

    /* The correction: the E total of its inventory change code uses the
     * corrected weight, not the one first reported (ten times too large). */
    json_t *corr = json_array_get(json_object_get(truth, "corrections"), 0);
    assert_non_null(corr);
    const char *cmba = json_string_value(json_object_get(corr, "mba"));
    int64_t crep = json_integer_value(json_object_get(corr, "report"));
    int32_t cent = (int32_t)json_integer_value(json_object_get(corr, "entry"));
    int64_t cin = json_integer_value(json_object_get(corr, "corrected_in"));
    const custos_entry *fixed = NULL;
    for (size_t k = 0; k < all_reports.n && !fixed; k++) {
        const custos_report *r = all_reports.r[k];
        for (size_t j = 0; !strcmp(r->mba, cmba) && r->number == cin && j < r->n; j++)
            if (r->entries[j].status == 'C' && r->entries[j].ref_report == crep &&
                r->entries[j].ref_entry == cent)
                fixed = &r->entries[j];
    }
    assert_non_null(fixed);
    int64_t wrong = file_weight(cmba, crep, cent, 630), right = custos_entry_weight(fixed, 630, NULL);
    assert_true(right > 0);
    assert_int_equal(wrong, 10 * right + (wrong - 10 * right)); /* sanity: both read */
    assert_true(wrong > 9 * right && wrong < 11 * right);
    int64_t sum_files = 0;
    for (size_t k = 0; k < all_reports.n; k++) {
        const custos_report *r = all_reports.r[k];
        for (size_t j = 0; !strcmp(r->mba, cmba) && r->type == 'I' && j < r->n; j++)
            if (!strcmp(r->entries[j].code, fixed->code) && r->entries[j].status == 'N')
                sum_files += custos_entry_weight(&r->entries[j], 630, NULL);
    }
    int code = -1;
    for (int c = 0; c < CUSTOS_NCODES; c++)
        if (!strcmp(custos_change_code_at(c), fixed->code))
            code = c;
    assert_true(code >= 0);
    int found = 0;
    for (size_t i = 0; i < b->n; i++) {
        const custos_balance *x = &b->items[i];
        if (!strcmp(x->mba, cmba) && x->element == 'E' && x->label == 0) {
            assert_int_equal(x->change[code], sum_files - wrong + right);
            found++;
        }
    }
    assert_int_equal(found, 1);
    custos_balances_free(b);

    /* Transfers: each receipt matched, SRD = shipper's - receiver's value
     * as read from the files; the shipments in transit at the end pending. */
    custos_transfers *t;
    assert_int_equal(custos_ledger_transfers(&t, l, NULL, d), CUSTOS_OK);
    assert_int_equal(custos_diags_count(d), 0);
    size_t receipts = 0;
    for (size_t k = 0; k < all_reports.n; k++) {
        const custos_report *r = all_reports.r[k];
        for (size_t j = 0; r->type == 'I' && j < r->n; j++)
            receipts += r->entries[j].kind == 'O' && !strcmp(r->entries[j].code, "RD");
    }
    size_t matched = 0, pending = 0;
    int iu = custos_weight_index(630), ipu = custos_weight_index(700);
    for (size_t i = 0; i < t->n; i++) {
        const custos_transfer *x = &t->items[i];
        if (x->status == CUSTOS_TRANSFER_MATCHED) {
            matched++;
            int label = x->ship_mg[iu] ? 630 : 700;
            int idx = label == 630 ? iu : ipu;
            assert_int_equal(x->ship_mg[idx] - x->recv_mg[idx],
                             file_weight(x->from_mba, x->ship_report, x->ship_entry, label) -
                                 file_weight(x->to_mba, x->recv_report, x->recv_entry, label));
            assert_true(x->days >= 0 && x->days <= 31);
        } else if (x->status == CUSTOS_TRANSFER_PENDING) {
            pending++;
        }
    }
    assert_true(matched > 100);
    assert_int_equal(matched, receipts);
    assert_int_equal(pending, json_integer_value(json_object_get(truth, "in_transit_at_end")));
    custos_transfers_free(t);
    custos_diags_free(d);
    custos_ledger_free(l);
    json_decref(truth);
}

static int teardown(void **state)
{
    (void)state;
    for (size_t k = 0; k < all_reports.n; k++)
        custos_report_free(all_reports.r[k]);
    free(all_reports.r);
    all_reports.r = NULL;
    all_reports.n = 0;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points_resolve),
        cmocka_unit_test(test_entries_measured),
        cmocka_unit_test(test_ledger),
    };
    custos_global_init();
    return cmocka_run_group_tests(tests, NULL, teardown);
}
