/* SPDX-License-Identifier: Apache-2.0 */
/*
 * measureint.h: parsing the "measurement" block of a facility description
 * (called by facility.c while it parses the whole description).
 */
#ifndef CUSTOS_MEASUREINT_H
#define CUSTOS_MEASUREINT_H

#include <jansson.h>

#include "custos/facility.h"
#include "custos/measure.h"

/* Report one problem at a JSON path; returns nothing (counts errors). */
typedef void (*custos_json_err_fn)(void *ctx, const char *path, const char *msg);

/*
 * Parse obj (the value of "measurement") into m, checking points against
 * the facility's MBAs and KMPs.  Returns CUSTOS_OK, CUSTOS_EINVAL (problems
 * reported through fn), CUSTOS_ENOMEM.
 */
int custos_measurement_parse(custos_measurement_model *m, json_t *obj, const custos_facility *f,
                             custos_json_err_fn fn, void *ctx);

#endif
