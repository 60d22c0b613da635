/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sim.c: the simulator's numerics and engine, in memory.
 *
 * References: xoshiro256** and splitmix64 values from an independent
 * Python implementation of the published algorithms (Blackman and Vigna);
 * separative work from Python's math.log; down-blending from the
 * hand-worked case of shared/spec/statistics.md section 5.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "custos/format.h"
#include "custos/validate.h"
#include "simint.h"

static void test_rng_reference(void **state)
{
    (void)state;
    /* Python: seed(42, stream 7) as sim_rng_seed(), four outputs. */
    static const uint64_t want[4] = {0x36566fde73b53910ull, 0x17390ae20168c451ull,
                                     0x235a55aaae6c8bc6ull, 0x60d90b5fa82b2963ull};
    sim_rng r;
    sim_rng_seed(&r, 42, 7);
    for (int i = 0; i < 4; i++)
        assert_true(sim_rng_next(&r) == want[i]);
}

static void test_log_exp(void **state)
{
    (void)state;
    /* Against libm, relative 1e-15 (a few ulps) over 1e-300..1e300. */
    for (double x = 1e-300; x < 1e300; x *= 1.37) {
        double a = sim_log(x), b = log(x);
        assert_true(fabs(a - b) <= 1e-15 * fabs(b) + 1e-300);
    }
    for (double x = 1e-6; x < 10; x += 0.001) {
        double a = sim_log(x), b = log(x);
        assert_true(fabs(a - b) <= 1e-15 * (fabs(b) > 1e-3 ? fabs(b) : 1e-3));
    }
    for (double x = -700; x < 700; x += 0.37) {
        double a = sim_exp(x), b = exp(x);
        assert_true(fabs(a - b) <= 1e-15 * b);
    }
    assert_true(sim_exp(0.0) == 1.0);
    assert_true(sim_log(1.0) == 0.0);
    assert_true(isinf(sim_log(0.0)) && sim_log(0.0) < 0);
    assert_true(isnan(sim_log(-1.0)));
}

static void test_normal_moments(void **state)
{
    (void)state;
    sim_rng r;
    sim_rng_seed(&r, 2026, 1);
    const int n = 400000;
    double sum = 0, sum2 = 0, sum4 = 0;
    int beyond3 = 0;
    for (int i = 0; i < n; i++) {
        double z = sim_rng_normal(&r);
        sum += z;
        sum2 += z * z;
        sum4 += z * z * z * z;
        beyond3 += fabs(z) > 3.0;
    }
    double mean = sum / n, var = sum2 / n - mean * mean, kurt = sum4 / n;
    /* Five standard errors: mean 1/sqrt(n), variance sqrt(2/n), fourth
     * moment sqrt(96/n); P(|z| > 3) = 0.0026998 (binomial s.e.). */
    assert_true(fabs(mean) < 5.0 / sqrt(n));
    assert_true(fabs(var - 1.0) < 5.0 * sqrt(2.0 / n));
    assert_true(fabs(kurt - 3.0) < 5.0 * sqrt(96.0 / n));
    double p3 = 0.0026998;
    assert_true(fabs((double)beyond3 / n - p3) < 5.0 * sqrt(p3 * (1 - p3) / n));
}

static void test_swu(void **state)
{
    (void)state;
    double swu, feed, tails;
    /* Python math.log: 1 kg of 4.4 % from 0.711 % with 0.25 % tails. */
    assert_int_equal(custos_sim_swu(&swu, 1.0, 0.044, 0.00711, 0.0025, &feed, &tails), CUSTOS_OK);
    assert_true(fabs(feed - 9.002169197396963) < 1e-12);
    assert_true(fabs(tails - 8.002169197396963) < 1e-12);
    assert_true(fabs(swu - 6.662201390567176) < 1e-12);
    assert_true(fabs(custos_sim_swu_value(0.9) - 1.7577796618689758) < 1e-14);
    assert_true(fabs(custos_sim_swu_value(0.5)) < 1e-300);
    assert_int_equal(custos_sim_swu(&swu, 1.0, 0.044, 0.00711, 0.008, NULL, NULL), CUSTOS_EDOMAIN);
}

static void test_blendstock(void **state)
{
    (void)state;
    double b;
    /* statistics.md 5: 1 kg of 90 % with 1.5 % to 4.4 %: 29.52 kg, 30.52 kg of LEU. */
    assert_int_equal(custos_sim_blendstock(&b, 1.0, 0.90, 0.015, 0.044), CUSTOS_OK);
    assert_true(fabs(b - 29.517241379310345) < 1e-12);
    assert_true(fabs(1.0 * 0.90 + b * 0.015 - (1.0 + b) * 0.044) < 1e-12);
    assert_int_equal(custos_sim_blendstock(&b, 1.0, 0.04, 0.015, 0.044), CUSTOS_EDOMAIN);
}

static void test_burnup(void **state)
{
    (void)state;
    /* 1 t of 4.2 % fuel at 45 GWd/t: about 0.8-0.9 % U-235 and 1.0-1.2 %
     * Pu left (typical PWR discharge), heavy metal down by the fissions. */
    sim_mat fresh = {1000 * SIM_KG, 42 * SIM_KG, 0}, loss;
    int64_t pu;
    sim_burnup(&fresh, 45000.0, &loss, &pu);
    double u = (double)(fresh.u - loss.u), a = (double)(fresh.u235 - loss.u235);
    assert_true(a / u > 0.008 && a / u < 0.0095);
    assert_true(pu > 10 * SIM_KG && pu < 12 * SIM_KG);
    /* U + Pu = HM0 - fissions (1.052 g per MWd), to the milligram. */
    double hm = u + (double)pu;
    assert_true(fabs(hm - (1e9 - 1.052e-3 * 45000.0 * 1e6)) <= 2.0);
    /* Zero energy: nothing happens. */
    sim_burnup(&fresh, 0.0, &loss, &pu);
    assert_true(loss.u == 0 && loss.u235 == 0 && pu == 0);
}

static const char small_cfg[] =
    "{\"state\": \"XA\", \"start\": \"2026-01-01\", \"years\": 1, \"facilities\": ["
    "{\"type\": \"conversion\", \"facility\": \"XACV\", \"throughput_t\": 100, \"ship_to\": "
    "[\"XAEP\"]},"
    "{\"type\": \"enrichment\", \"facility\": \"XAEP\", \"mba\": \"XAEN\", \"throughput_t\": 5, "
    "\"ship_to\": [\"XAFF\"]},"
    "{\"type\": \"fuel-fabrication\", \"facility\": \"XAFF\", \"throughput_t\": 5, \"ship_to\": "
    "[\"XAR1\"]},"
    "{\"type\": \"power-reactor\", \"facility\": \"XAR1\", \"ship_to\": [\"XARP\"], "
    "\"cooling_days\": 300},"
    "{\"type\": \"reprocessing\", \"facility\": \"XARP\", \"ship_to\": [\"XAPS\"]},"
    "{\"type\": \"plutonium-store\", \"facility\": \"XAPS\"}],"
    "\"diversions\": [{\"mba\": \"XARP\", \"element\": \"Pu\", \"amount_kg\": 2, \"start\": "
    "\"2026-03-01\", \"end\": \"2026-06-30\"}],"
    "\"corrections\": [{\"mba\": \"XAFF\", \"after\": \"2026-02-01\"}]}";

typedef struct mem_sink {
    uint64_t hash;           /* FNV-1a of every byte, in order */
    size_t reports, facilities;
    int invalid;             /* reports custos_report_validate() refused */
    int64_t mf_nonzero;      /* MBR MF weights that are not zero */
    int64_t corrections;     /* C entries */
    custos_buf truth;
} mem_sink;

static void mix(mem_sink *m, const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        m->hash = (m->hash ^ (unsigned char)d[i]) * 1099511628211ull;
}

static int on_fac(void *ctx, const char *code, const char *json, size_t len)
{
    mem_sink *m = ctx;
    custos_facility *f;
    int err = custos_facility_parse(&f, code, json, len, NULL);
    if (err < 0)
        return err; /* out of memory in the allocation sweep */
    custos_facility_free(f);
    mix(m, json, len);
    m->facilities++;
    return CUSTOS_OK;
}

static int on_rep(void *ctx, const custos_report *r)
{
    mem_sink *m = ctx;
    char *text;
    size_t len;
    int err = custos_report_canonical(&text, &len, r);
    if (err < 0)
        return err; /* out of memory in the allocation sweep */
    mix(m, text, len);
    /* Read it back as import would and check it on its own. */
    custos_reader *rd;
    custos_report *back = NULL;
    err = custos_reader_open_memory(&rd, "sim", text, len, CUSTOS_FORMAT_CODE10);
    if (err < 0) {
        custos_free(text);
        return err;
    }
    err = custos_reader_next(&back, rd, NULL);
    if (err != 1) {
        custos_reader_free(rd);
        custos_free(text);
        return err < 0 ? err : CUSTOS_EINVAL;
    }
    err = custos_report_validate(back, NULL);
    if (err == CUSTOS_ENOMEM) {
        custos_report_free(back);
        custos_reader_free(rd);
        custos_free(text);
        return err;
    }
    if (err != CUSTOS_OK) {
        m->invalid++;
        print_message("invalid: %s\n%.*s", custos_last_error(), (int)(len < 2000 ? len : 2000), text);
    }
    for (size_t i = 0; i < back->n; i++) {
        const custos_entry *e = &back->entries[i];
        if (back->type == 'M' && !strcmp(e->code, "MF"))
            for (int k = 0; k < CUSTOS_NWEIGHTS; k++)
                m->mf_nonzero += (e->wmask >> k & 1u) && e->mg[k] != 0;
        m->corrections += e->status == 'C';
    }
    custos_report_free(back);
    custos_reader_free(rd);
    custos_free(text);
    m->reports++;
    return CUSTOS_OK;
}

static int on_truth(void *ctx, const char *d, size_t n)
{
    mem_sink *m = ctx;
    mix(m, d, n);
    return custos_buf_append(&m->truth, d, n);
}

static int run_mem(const char *cfg_text, uint64_t seed, int errors, mem_sink *m)
{
    memset(m, 0, sizeof *m);
    custos_sim_config *c;
    int err = custos_sim_config_parse(&c, "cfg", cfg_text, strlen(cfg_text), NULL);
    if (err < 0)
        return err;
    memset(m, 0, sizeof *m);
    m->hash = 1469598103934665603ull;
    custos_buf_init(&m->truth, 1u << 28);
    custos_sim_sink sink = {on_fac, on_rep, on_truth, m};
    custos_sim_options opt = {seed, 0, errors, NULL, NULL};
    err = custos_sim_run(c, &opt, &sink, NULL);
    custos_sim_config_free(c);
    return err;
}

static void test_run_deterministic(void **state)
{
    (void)state;
    mem_sink a, b, c;
    assert_int_equal(run_mem(small_cfg, 5, 1, &a), CUSTOS_OK);
    assert_int_equal(run_mem(small_cfg, 5, 1, &b), CUSTOS_OK);
    assert_int_equal(run_mem(small_cfg, 6, 1, &c), CUSTOS_OK);
    assert_true(a.hash == b.hash);
    assert_true(a.hash != c.hash);
    assert_int_equal(a.invalid, 0);
    assert_int_equal(a.facilities, 6);
    assert_int_equal(a.corrections, 1);
    custos_buf_dispose(&a.truth);
    custos_buf_dispose(&b.truth);
    custos_buf_dispose(&c.truth);
}

static void test_run_conservation(void **state)
{
    (void)state;
    mem_sink m;
    assert_int_equal(run_mem(small_cfg, 5, 0, &m), CUSTOS_OK);
    assert_int_equal(m.invalid, 0);
    /* Without measurement errors the books close: every MF is zero,
     * except where the diversion took material unreported (XARP, Pu). */
    const char *t = m.truth.data;
    /* The truth: diverted = true MUF in every balance, 2 kg in all. */
    int64_t diverted = 0;
    for (const char *p = t; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        const char *nl = strchr(p, '\n');
        const char *b = strstr(p, "\"book_muf_mg\": ");
        if (!b || (nl && b > nl))
            continue;
        long long book, tmuf, div;
        int label;
        assert_int_equal(sscanf(strstr(p, "\"label\": ") + 9, "%d", &label), 1);
        assert_int_equal(sscanf(b + 15, "%lld", &book), 1);
        assert_int_equal(sscanf(strstr(p, "\"true_muf_mg\": ") + 15, "%lld", &tmuf), 1);
        assert_int_equal(sscanf(strstr(p, "\"diverted_mg\": ") + 15, "%lld", &div), 1);
        assert_true(tmuf == div);
        assert_true(book == tmuf); /* no errors: the books see what was taken */
        if (label == 700)
            diverted += div;
    }
    assert_true(diverted == 2 * SIM_KG);
    assert_true(m.mf_nonzero > 0);
    /* Enrichment: feed U-235 = product + tails, to the milligram. */
    const char *e = strstr(t, "\"feed_u235_mg\": ");
    assert_non_null(e);
    long long f235, p235, w235, fu, pu, wu;
    assert_int_equal(sscanf(strstr(t, "\"feed_u_mg\": ") + 13, "%lld", &fu), 1);
    assert_int_equal(sscanf(e + 16, "%lld", &f235), 1);
    assert_int_equal(sscanf(strstr(t, "\"product_u_mg\": ") + 16, "%lld", &pu), 1);
    assert_int_equal(sscanf(strstr(t, "\"product_u235_mg\": ") + 19, "%lld", &p235), 1);
    assert_int_equal(sscanf(strstr(t, "\"tails_u_mg\": ") + 14, "%lld", &wu), 1);
    assert_int_equal(sscanf(strstr(t, "\"tails_u235_mg\": ") + 17, "%lld", &w235), 1);
    assert_true(f235 > 0 && f235 == p235 + w235);
    assert_true(fu > 0 && fu == pu + wu);
    custos_buf_dispose(&m.truth);
}

static void test_config_errors(void **state)
{
    (void)state;
    static const struct {
        const char *json, *want;
    } cases[] = {
        {"{\"state\": \"XA\", \"start\": \"2026-01-01\", \"facilities\": [{\"type\": \"moon\", "
         "\"facility\": \"XAAA\"}]}",
         "$.facilities[0]: \"type\" needs one of"},
        {"{\"state\": \"XA\", \"start\": \"2026-01-01\", \"facilities\": [{\"type\": "
         "\"enrichment\", \"facility\": \"XAEP\", \"tails_assay\": 0.009}]}",
         "assays need tails_assay < feed_assay < product_assay"},
        {"{\"state\": \"XA\", \"start\": \"2026-01-01\", \"colour\": 1, \"facilities\": "
         "[{\"type\": \"plutonium-store\", \"facility\": \"XAPS\"}]}",
         "$: unknown key \"colour\""},
        {"{\"state\": \"XA\", \"start\": \"2026-02-30\", \"facilities\": [{\"type\": "
         "\"plutonium-store\", \"facility\": \"XAPS\"}]}",
         "$.start: needs the first day simulated"},
        {"{\"state\": \"XA\", \"start\": \"2026-01-01\", \"facilities\": [{\"type\": "
         "\"plutonium-store\", \"facility\": \"XAPS\"}, {\"type\": \"plutonium-store\", "
         "\"facility\": \"XAPS\"}]}",
         "collides"},
        {"{\"state\": \"XA\", \"start\": \"2026-01-01\", \"facilities\": [{\"type\": "
         "\"plutonium-store\", \"facility\": \"XAPS\"}], \"diversions\": [{\"mba\": \"XAPS\", "
         "\"element\": \"Pu\", \"amount_kg\": 8, \"start\": \"2026-01-01\", \"end\": "
         "\"2026-12-31\", \"concealment\": \"magic\"}]}",
         "\"concealment\" needs"},
        {"[1, 2", "JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        custos_sim_config *c = (custos_sim_config *)1;
        custos_diags *d;
        assert_int_equal(custos_diags_new(&d), CUSTOS_OK);
        int err = custos_sim_config_parse(&c, "cfg.json", cases[i].json, strlen(cases[i].json), d);
        assert_int_equal(err, CUSTOS_EINVAL);
        assert_null(c);
        if (!strstr(custos_last_error(), cases[i].want))
            fail_msg("case %zu: %s", i, custos_last_error());
        assert_true(strncmp(custos_last_error(), "cfg.json", 8) == 0);
        custos_diags_free(d);
    }
    /* A configuration that parses but cannot run: unknown destination. */
    const char *bad = "{\"state\": \"XA\", \"start\": \"2026-01-01\", \"facilities\": [{\"type\": "
                      "\"reprocessing\", \"facility\": \"XARP\", \"ship_to\": [\"XAZZ\"]}]}";
    mem_sink m;
    assert_int_equal(run_mem(bad, 1, 1, &m), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_last_error(), "XAZZ"));
    custos_buf_dispose(&m.truth);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    const char *cfg = "{\"state\": \"XA\", \"start\": \"2026-01-01\", \"facilities\": [{\"type\": "
                      "\"reprocessing\", \"facility\": \"XARP\", \"pit_days\": 30, \"ship_to\": "
                      "[\"XAPS\"]}, {\"type\": \"plutonium-store\", \"facility\": \"XAPS\"}]}";
    mem_sink m;
    /* Every allocation of a run, one at a time, must fail cleanly. */
    custos_alloc_fail_at(0, 0);
    assert_int_equal(run_mem(cfg, 1, 1, &m), CUSTOS_OK);
    custos_buf_dispose(&m.truth);
    long base = custos_alloc_live();
    for (long n = 1; n < 100000; n += 7) {
        custos_alloc_fail_at(n, 1);
        int err = run_mem(cfg, 1, 1, &m);
        long count = custos_alloc_count();
        custos_alloc_fail_at(0, 0);
        custos_buf_dispose(&m.truth);
        assert_int_equal(custos_alloc_live(), base);
        if (err == CUSTOS_OK)
            break;
        assert_int_equal(err, CUSTOS_ENOMEM);
        assert_true(count >= n);
    }
}

int main(void)
{
    custos_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_reference),   cmocka_unit_test(test_log_exp),
        cmocka_unit_test(test_normal_moments),  cmocka_unit_test(test_swu),
        cmocka_unit_test(test_blendstock),      cmocka_unit_test(test_burnup),
        cmocka_unit_test(test_run_deterministic), cmocka_unit_test(test_run_conservation),
        cmocka_unit_test(test_config_errors),   cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
