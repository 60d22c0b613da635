/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_reader.c: libFuzzer harness for the report readers (Code 10
 * labelled, CSV, JSON, with form detection).
 *
 * Besides "no crash, no leak", it checks a property: a report that reads
 * and validates cleanly, written back in Code 10 form and read again,
 * gives the same canonical text (the writer and reader agree).  The first
 * input byte picks the form (0: detect, 1: Code 10, 2: CSV, 3: JSON; the
 * seeds use the digits '0' to '3', which give the same forms).  A leak
 * through the allocation seam aborts, so the replay in ordinary builds
 * (without LeakSanitizer) catches it too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "custos/format.h"
#include "custos/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const custos_report *r)
{
    char *a = NULL, *b = NULL;
    size_t al, bl;
    custos_reader *rd = NULL;
    custos_report *again = NULL;
    if (custos_report_canonical(&a, &al, r) < 0)
        return;
    if (custos_reader_open_memory(&rd, "canonical", a, al, CUSTOS_FORMAT_CODE10) == 0 &&
        custos_reader_next(&again, rd, NULL) == 1 && custos_report_canonical(&b, &bl, again) == 0) {
        if (al != bl || memcmp(a, b, al))
            abort(); /* the writer wrote what the reader reads differently */
    }
    custos_report_free(again);
    custos_reader_free(rd);
    custos_free(a);
    custos_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        custos_global_init();
        init = 1;
    }
    if (size < 1)
        return 0;
    long live = custos_alloc_live();
    custos_format f = (custos_format)(data[0] % 4);
    custos_reader *rd;
    custos_diags *d;
    if (custos_diags_new(&d) < 0)
        return 0;
    if (custos_reader_open_memory(&rd, "fuzz", data + 1, size - 1, f) == 0) {
        for (int i = 0; i < 64; i++) {
            custos_report *r = NULL;
            int k = custos_reader_next(&r, rd, d);
            if (k <= 0)
                break;
            if (custos_report_validate(r, d) == 0)
                roundtrip(r);
            custos_report_free(r);
        }
        custos_reader_free(rd);
    }
    custos_diags_free(d);
    if (custos_alloc_live() != live)
        abort(); /* a block allocated through the seam was not freed */
    return 0;
}
