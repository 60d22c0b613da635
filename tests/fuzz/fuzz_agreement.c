/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_agreement.c: libFuzzer harness for agreements (JSON,
 * custos_agreement_parse()) and their evaluation against the books.
 *
 * An agreement that parses must list its commitments with ids and kinds,
 * and evaluating it against a small fixed ledger (a fuel fabrication
 * plant with shipments, receipts, a discard and a correction) must give
 * one status per commitment, each met, at risk or breached.  No crash, no
 * leak through the allocation seam (checked around the parse: the
 * ledger's page cache may grow during an evaluation, whose leaks
 * LeakSanitizer watches).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "custos/agreement.h"
#include "custos/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char facility[] =
    "{\"state\":\"XA\",\"facility\":\"FA01\",\"type\":\"fuel-fabrication\",\"mbas\":["
    "{\"mba\":\"XAAA\",\"kmps\":[{\"kmp\":\"1\",\"kind\":\"inventory\"},"
    "{\"kmp\":\"B\",\"kind\":\"flow\"}]},{\"mba\":\"XABB\"}]}";

static const char reports[] =
    "001:OI/XA;1#002:1/1#003:20251231#006:DOE,J#010:P#015:20251231#207:FA01#307:XAAA#309:N#"
    "407:1#430:O/G/U/C#446:P1#469:M#470:1#630:1000000G#670:40000G#\n"
    "001:OI/XA;2#002:1/3#003:20260131#006:DOE,J#010:I#015:20260101/20260131#207:FA01#307:XAAA#"
    "309:N#372:XA/XABB#407:B#411:SD#412:20260120#430:O/G/U/C#446:S1#469:M#470:1#630:300500G#"
    "670:12020G#\n"
    "001:OI/XA;2#002:2#003:20260131#006:DOE,J#010:I#015:20260101/20260131#207:FA01#307:XAAA#"
    "309:N#407:B#411:LD#412:20260125#430:U/J/6/E#446:D1#469:M#470:0#630:750G#670:30G#\n"
    "001:OI/XA;2#002:3#003:20260131#006:DOE,J#010:I#015:20260101/20260131#207:FA01#307:XAAA#"
    "309:N#370:XB#407:B#411:RF#412:20260127#430:O/G/U/C#446:H1#447:UNKNOWN#469:N#470:1#"
    "630:50000G#670:45000G#\n"
    "001:OI/XA;3#002:1/1#003:20260228#006:DOE,J#010:I#015:20260201/20260228#207:FA01#307:XAAA#"
    "309:C/XA;2/1#372:XA/XABB#407:B#411:SD#412:20260120#430:O/G/U/C#446:S1#469:M#470:1#"
    "630:300250G#670:12010G#\n"
    "001:OI/XA;4#002:1/1#003:20260228#006:DOE,J#010:P#015:20260228#207:FA01#307:XAAA#309:N#"
    "407:1#430:O/G/U/C#446:P1#469:M#470:1#630:749000G#670:73000G#\n";

static custos_ledger *books;

static void setup(void)
{
    custos_global_init();
    custos_reader *rd;
    if (custos_ledger_open(&books, ":memory:", CUSTOS_OPEN_CREATE) < 0 ||
        custos_ledger_facility_add(books, "f", facility, strlen(facility), NULL, NULL) < 0 ||
        custos_reader_open_memory(&rd, "r", reports, strlen(reports), CUSTOS_FORMAT_AUTO) < 0)
        abort();
    if (custos_ledger_import(books, rd, NULL, NULL) < 0)
        abort();
    custos_reader_free(rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!books)
        setup();
    long live = custos_alloc_live(), evaluated = 0;
    custos_diags *d;
    custos_agreement *a = NULL;
    if (custos_diags_new(&d) < 0)
        return 0;
    if (custos_agreement_parse(&a, "fuzz", (const char *)data, size, d) == 0) {
        size_t n = custos_agreement_commitment_count(a);
        if (!custos_agreement_name(a)[0])
            abort();
        for (size_t i = 0; i < n; i++) {
            custos_commitment_info ci;
            if (custos_agreement_commitment(&ci, a, i) != 0 || !ci.id[0] || !ci.kind[0])
                abort();
        }
        custos_commitment_info past;
        if (custos_agreement_commitment(&past, a, n) != CUSTOS_ENOTFOUND)
            abort();
        custos_commitment_statuses *st = NULL;
        long before = custos_alloc_live();
        if (custos_agreement_evaluate(&st, books, a, NULL) == 0) {
            if (st->n != n)
                abort();
            for (size_t i = 0; i < st->n; i++)
                if ((unsigned)st->items[i].state > CUSTOS_COMMITMENT_BREACHED)
                    abort();
            custos_commitment_statuses_free(st);
        }
        evaluated = custos_alloc_live() - before; /* SQLite's cache, or a leak */
        custos_agreement_free(a);
    }
    custos_diags_free(d);
    if (custos_alloc_live() - evaluated != live)
        abort(); /* a block allocated through the seam was not freed */
    return 0;
}
