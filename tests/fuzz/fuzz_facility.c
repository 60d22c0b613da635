/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_facility.c: libFuzzer harness for facility descriptions (JSON). */
#include <stdint.h>

#include "custos/facility.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        custos_global_init();
        init = 1;
    }
    custos_diags *d;
    custos_facility *f = NULL;
    if (custos_diags_new(&d) < 0)
        return 0;
    if (custos_facility_parse(&f, "fuzz", (const char *)data, size, d) == 0)
        custos_facility_free(f);
    custos_diags_free(d);
    return 0;
}
