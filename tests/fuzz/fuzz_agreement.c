/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_agreement.c: libFuzzer harness for agreements (JSON).  Any input
 * must parse or be refused cleanly; an input that parses must also be
 * evaluable against an empty ledger (every commitment then reads "nothing
 * to verify"), and the line finder of error messages must survive any
 * text jansson accepts.
 */
#include <stdint.h>

#include "custos/agreement.h"
#include "custos/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static custos_ledger *l;
    if (!init) {
        custos_global_init();
        custos_ledger_open(&l, ":memory:", CUSTOS_OPEN_CREATE);
        init = 1;
    }
    custos_diags *d;
    custos_agreement *a = NULL;
    if (custos_diags_new(&d) < 0)
        return 0;
    if (custos_agreement_parse(&a, "fuzz", (const char *)data, size, d) == 0) {
        custos_commitment_statuses *s = NULL;
        custos_agreement_options opt = {20260101, NULL};
        if (l && custos_agreement_evaluate(&s, l, a, &opt) == 0)
            custos_commitment_statuses_free(s);
        custos_agreement_free(a);
    }
    custos_diags_free(d);
    return 0;
}
