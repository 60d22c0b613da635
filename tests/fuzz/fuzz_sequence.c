/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_sequence.c: libFuzzer harness for MUF sequence files (JSON,
 * custos_sequence_parse()) and diversion scenarios (CSV,
 * custos_scenario_parse()), and the near-real-time accountancy tests run
 * on what they give.
 *
 * The input is the sequence, then optionally a NUL byte and the scenario.
 * A sequence that parses has n >= 1 periods; its covariance grows the
 * incremental Cholesky factor row by row (up to 200 periods) or is
 * refused as not positive semi-definite; the whole tests run on short
 * sequences; a scenario that parses gives n non-negative amounts.  No
 * crash, no leak.
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
            /* The heart of the sequential tests: the covariance, row by
             * row, into the incremental Cholesky factor (SITMUF).  The
             * whole custos_nrta_run() also computes Page's false-alarm
             * rate by a Markov chain that does not depend on the input
             * and would make every run a hundred times slower. */
            double *row = malloc(s->n * sizeof *row);
            custos_cholesky c;
            if (row && custos_cholesky_init(&c, s->n) == 0) {
                for (size_t t = 0; t < s->n; t++) {
                    custos_sequence_cov_row(s, t, row);
                    int err = custos_cholesky_add(&c, row);
                    if (err == CUSTOS_EDOMAIN)
                        break;
                    if (err != 0 || c.n != t + 1)
                        abort();
                }
                custos_cholesky_dispose(&c);
            }
            free(row);
        }
        if (s->n <= 3) {
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
