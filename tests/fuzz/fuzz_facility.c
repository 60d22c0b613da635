/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_facility.c: libFuzzer harness for facility descriptions (JSON),
 * their measurement model included, and the look-ups the statistics make
 * in a parsed model.
 *
 * A description that parses must keep the promises of custos/facility.h
 * (codes of the stated lengths, at least one MBA) and its model must
 * answer look-ups: each point is found for its own MBA and KMP, each
 * calibration period contains its own start date, each method of the
 * facility's own list is found.  The last (size % 8) bytes of the input
 * also serve as a material description query, so hostile queries reach
 * the look-up too.  A leak through the allocation seam aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "custos/facility.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const custos_facility *f, const uint8_t *data, size_t size)
{
    if (strlen(f->state) != 2 || strlen(f->code) != 4 || f->nmbas == 0 ||
        !custos_facility_type_valid(f->type))
        abort();
    for (size_t i = 0; i < f->nmbas; i++) {
        if (strlen(f->mbas[i].code) != 4)
            abort();
        for (size_t k = 0; k < f->mbas[i].nkmps; k++) {
            size_t n = strlen(f->mbas[i].kmps[k].code);
            if (n < 1 || n > 2)
                abort();
        }
    }
    const custos_measurement_model *m = &f->measurement;
    /* An exact-size heap copy, so a look-up reading past the terminator
     * is caught by AddressSanitizer. */
    size_t q = size % 8;
    char *query = malloc(q + 1);
    if (!query)
        return;
    memcpy(query, data + size - q, q);
    query[q] = '\0';
    for (size_t i = 0; i < m->npoints; i++) {
        const custos_measurement_point *p = &m->points[i];
        const custos_measurement_point *hit = custos_measurement_point_for(m, p->mba, p->kmp, "");
        if (!p->mdc[0] && !hit)
            abort();
        hit = custos_measurement_point_for(m, p->mba, p->kmp, p->mdc);
        if (!hit || strcmp(hit->mba, p->mba) || strcmp(hit->kmp, p->kmp))
            abort();
        custos_measurement_point_for(m, p->mba, p->kmp, query);
    }
    for (size_t i = 0; i < m->ncalibrations; i++) {
        const custos_calibration *c = &m->calibrations[i];
        if (custos_calibration_period(m, c->method, c->start) < 1)
            abort();
    }
    for (size_t i = 0; i < m->nmethods; i++) {
        const custos_uncertainty *u = custos_uncertainty_for(m, NULL, 0, m->methods[i].method,
                                                             m->methods[i].material);
        if (!u || strcmp(u->method, m->methods[i].method))
            abort();
    }
    free(query);
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
    custos_facility *f = NULL;
    if (custos_diags_new(&d) < 0)
        return 0;
    if (custos_facility_parse(&f, "fuzz", (const char *)data, size, d) == 0) {
        check(f, data, size);
        custos_facility_free(f);
    }
    custos_diags_free(d);
    if (custos_alloc_live() != live)
        abort(); /* a block allocated through the seam was not freed */
    return 0;
}
