/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/facility.h: facility descriptions, the design information custos
 * needs about a facility: its State, code, type, material balance areas
 * and their key measurement points.  The JSON form is documented in
 * docs/formats.md; `custos facility add` stores one in the ledger, where
 * it becomes the registry that reports are checked against (known MBA,
 * facility and KMPs).
 */
#ifndef CUSTOS_FACILITY_H
#define CUSTOS_FACILITY_H

#include "common.h"
#include "diag.h"
#include "measure.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct custos_kmp {
    char code[3];         /* 1-2 letters or digits, as in label 407 */
    char kind;            /* 'F' flow KMP, 'I' inventory KMP */
    char *description;    /* owned, may be NULL */
} custos_kmp;

typedef struct custos_mba {
    char code[5];
    char *name;           /* owned, may be NULL */
    size_t nkmps;
    custos_kmp *kmps;     /* owned */
} custos_mba;

typedef struct custos_facility {
    char state[3];
    char code[5];
    char *name;           /* owned */
    char type[32];        /* see custos_facility_type_valid() */
    size_t nmbas;
    custos_mba *mbas;     /* owned */
    custos_measurement_model measurement; /* empty when not described */
} custos_facility;

/*
 * Parse a facility description from JSON text.  Problems go to d (one
 * line each, naming source and the JSON path).  Caller frees with
 * custos_facility_free().  Returns CUSTOS_OK, CUSTOS_EINVAL, CUSTOS_ETOOBIG
 * (over CUSTOS_MAX_JSON_FILE), CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_facility_parse(custos_facility **out, const char *source,
                                     const char *json, size_t len, custos_diags *d);
CUSTOS_API void custos_facility_free(custos_facility *f);

/* Forward declaration; see custos/ledger.h. */
struct custos_ledger;

/*
 * The latest version of every registered facility, by State and code.
 * *out is an array of n facilities; versions[i] (when versions is not
 * NULL) receives each one's version.  Caller frees each with
 * custos_facility_free() and the arrays with custos_free().  Returns
 * CUSTOS_OK, CUSTOS_ESTORAGE, CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_ledger_facilities(custos_facility ***out, int **versions, size_t *n,
                                        struct custos_ledger *l);

/* True for the facility types custos knows: conversion, enrichment,
 * fuel-fabrication, power-reactor, research-reactor, spent-fuel-storage,
 * reprocessing, plutonium-store, down-blending, storage, other. */
CUSTOS_API int custos_facility_type_valid(const char *type);

#ifdef __cplusplus
}
#endif
#endif
