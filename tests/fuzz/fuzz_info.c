/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_info.c: libFuzzer harness for information items (JSON) and the
 * compartment rule.
 *
 * An item that parses keeps the promises of custos/info.h: a grade A-F
 * and 1-6, at least one link with a direction, a third-party item names
 * its originator and is third-party-restricted, a classified item has a
 * compartment and a public one none; a reader holding the item's
 * compartment sees it, a reader with no compartments sees it only when
 * it is public.  A leak through the allocation seam aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "custos/info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const custos_info_item *it)
{
    if (it->reliability < 'A' || it->reliability > 'F' || it->credibility < 1 ||
        it->credibility > 6 || it->nlinks < 1 || !it->title || !custos_date_valid(it->date))
        abort();
    for (size_t i = 0; i < it->nlinks; i++)
        if (it->links[i].direction != 1 && it->links[i].direction != -1)
            abort();
    if (it->source == CUSTOS_SRC_THIRD_PARTY &&
        (!it->originator[0] || it->classification != CUSTOS_CLASS_THIRD_PARTY_RESTRICTED))
        abort();
    bool pub = it->classification == CUSTOS_CLASS_PUBLIC;
    if (pub != !it->compartment[0])
        abort();
    const char *own[1] = {it->compartment};
    const char *all[1] = {"*"};
    if (!custos_info_visible(it->compartment, own, 1) ||
        !custos_info_visible(it->compartment, all, 1) ||
        custos_info_visible(it->compartment, NULL, 0) != pub)
        abort();
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
    custos_info_item *it = NULL;
    if (custos_diags_new(&d) < 0)
        return 0;
    if (custos_info_parse(&it, "fuzz", (const char *)data, size, d) == 0) {
        check(it);
        custos_info_item_free(it);
    }
    custos_diags_free(d);
    if (custos_alloc_live() != live)
        abort();
    return 0;
}
