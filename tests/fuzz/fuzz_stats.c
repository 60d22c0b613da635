/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_stats.c: libFuzzer harness for the statistics parsers.  The first
 * byte chooses: 0 a MUF sequence file (JSON), then the tests run on it;
 * 1 a diversion scenario (CSV) for a fixed five-period sequence; 2 the
 * inspector's files (strata CSV, a form feed, verified items CSV), then
 * the D statistic.
 */
#include <stdint.h>
#include <string.h>

#include "custos/sampling.h"
#include "custos/stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        custos_global_init();
        init = 1;
    }
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    custos_diags *d;
    if (custos_diags_new(&d) < 0)
        return 0;
    switch (data[0] % 3) {
    case 0: {
        custos_sequence *s = NULL;
        if (custos_sequence_parse(&s, "fuzz", text, len, d) == 0) {
            /* h given: choosing it (h = 0) runs a Markov chain that
             * depends on n alone and made each run 30 times slower. */
            custos_nrta_options opt = {0.05, 0.5, 4.0};
            custos_nrta_result *r = NULL;
            if (s->n <= 64 && custos_nrta_run(&r, s, &opt) == 0)
                custos_nrta_result_free(r);
            custos_sequence_free(s);
        }
        break;
    }
    case 1: {
        custos_sequence *s = NULL;
        if (custos_sequence_new(&s, 5, 0) == 0) {
            for (int t = 0; t < 5; t++)
                s->end[t] = 20260131 + 100 * t;
            double *v = NULL;
            if (custos_scenario_parse(&v, s, "fuzz", text, len, d) == 0)
                custos_free(v);
            custos_sequence_free(s);
        }
        break;
    }
    default: {
        const char *ff = memchr(text, '\f', len);
        size_t sl = ff ? (size_t)(ff - text) : len;
        const char *pairs = ff ? ff + 1 : "";
        size_t pl = ff ? len - sl - 1 : 0;
        custos_inspection *in = NULL;
        if (custos_inspection_parse(&in, "strata", text, sl, "pairs", pairs, pl, d) == 0) {
            custos_dstat_result *r = NULL;
            if (custos_dstat(&r, in, 0.05, true, 1.0, 2.0) == 0)
                custos_dstat_result_free(r);
            custos_inspection_free(in);
        }
        break;
    }
    }
    custos_diags_free(d);
    return 0;
}
