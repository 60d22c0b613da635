/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_targets.c: libFuzzer harness for target-value tables (CSV,
 * custos_targets_parse()).
 *
 * Besides "no crash, no leak" it checks what a parsed table promises: every
 * row names a method and a source, its relative uncertainties are finite
 * fractions in [0, 1), and looking a row's method and material up in the
 * table finds a row with the same method.  A leak through the allocation
 * seam aborts, so the replay in ordinary builds (without LeakSanitizer)
 * catches it too.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "custos/measure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const custos_targets *t)
{
    const custos_targets *tables[1] = {t};
    for (size_t i = 0; i < t->n; i++) {
        const custos_uncertainty *u = &t->items[i];
        if (!u->method[0] || !u->source || !u->source[0])
            abort();
        if (!isfinite(u->random) || u->random < 0 || u->random >= 1 ||
            !isfinite(u->systematic) || u->systematic < 0 || u->systematic >= 1)
            abort();
        const custos_uncertainty *hit = custos_uncertainty_for(NULL, tables, 1, u->method,
                                                               u->material);
        if (!hit || strcmp(hit->method, u->method))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        custos_global_init();
        init = 1;
    }
    long live = custos_alloc_live();
    custos_diags *d;
    custos_targets *t = NULL;
    if (custos_diags_new(&d) < 0)
        return 0;
    if (custos_targets_parse(&t, "fuzz", (const char *)data, size, d) == 0) {
        check(t);
        custos_targets_free(t);
    }
    custos_diags_free(d);
    if (custos_alloc_live() != live)
        abort(); /* a block allocated through the seam was not freed */
    return 0;
}
