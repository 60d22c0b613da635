/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_sequence.c: libFuzzer harness for MUF sequence files (JSON,
 * custos_sequence_parse()) and diversion scenarios (CSV,
 * custos_scenario_parse()), and the near-real-time accountancy tests run
 * on what they give.
 *
 * The input is the sequence, then optionally a NUL byte and the scenario.
 * A sequence that parses has n >= 1 periods; the tests run on it (for up
 * to 200 periods, to keep runs short) must give a result per period or
 * refuse a covariance that is not positive semi-definite; a scenario that
 * parses gives n non-negative amounts.  No crash, no leak.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "custos/stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        custos_global_init();
        init = 1;
    }
    long live = custos_alloc_live();
    const uint8_t *nul = memchr(data, 0, size);
    size_t slen = nul ? (size_t)(nul - data) : size;
    custos_diags *d;
    custos_sequence *s = NULL;
    if (custos_diags_new(&d) < 0)
        return 0;
    if (custos_sequence_parse(&s, "fuzz", (const char *)data, slen, d) == 0) {
        if (s->n < 1)
            abort();
        if (s->n <= 200) {
            /* h given: choosing it for a false-alarm rate (h = 0) takes a
             * Markov chain per run, far slower than the tests. */
            custos_nrta_options opt = {0.05, 0.5, 4.0};
            custos_nrta_result *r = NULL;
            int err = custos_nrta_run(&r, s, &opt);
            if (err == 0) {
                if (r->n != s->n)
                    abort();
                custos_nrta_result_free(r);
            } else if (err != CUSTOS_EDOMAIN) {
                abort();
            }
        }
        if (nul) {
            double *x = NULL;
            if (custos_scenario_parse(&x, s, "fuzz", (const char *)nul + 1, size - slen - 1, d) ==
                0) {
                for (size_t i = 0; i < s->n; i++)
                    if (!(x[i] >= 0) || !isfinite(x[i]))
                        abort();
                custos_free(x);
            }
        }
        custos_sequence_free(s);
    }
    custos_diags_free(d);
    if (custos_alloc_live() != live)
        abort(); /* a block allocated through the seam was not freed */
    return 0;
}
