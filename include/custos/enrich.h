/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/enrich.h: the arithmetic of uranium enrichment and blending that
 * agreements on HEU down-blending and enrichment are checked with.
 *
 * Assays are U-235 mass fractions (0.044 for 4.4 %), strictly between 0
 * and 1.  Masses are in any one unit (grams, kilograms, ...); every result
 * is in the unit of the input, since all relations are linear in mass.
 *
 * Blending (U-235 and uranium mass balance of a blending tee):
 *
 *   m_H x_H + m_B x_B = m_P x_P,   m_H + m_B = m_P
 *   =>  m_B = m_H (x_H - x_P) / (x_P - x_B),  m_P = m_H (x_H - x_B) / (x_P - x_B)
 *
 * Enrichment of feed F at x_f into product P at x_p and tails T at x_t:
 *
 *   F = P (x_p - x_t) / (x_f - x_t),   T = F - P
 *   V(x) = (2x - 1) ln(x / (1 - x))            (separative potential)
 *   SW   = P V(x_p) + T V(x_t) - F V(x_f)       (separative work, mass units)
 *
 * Every function is O(1), allocates nothing and sets its out-parameter
 * only on success.  Domain errors (an assay outside (0, 1), assays in the
 * wrong order, a negative or non-finite mass) return CUSTOS_EDOMAIN with a
 * one-line message naming the argument.
 */
#ifndef CUSTOS_ENRICH_H
#define CUSTOS_ENRICH_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The value function V(x) = (2x - 1) ln(x / (1 - x)) at assay x, computed
 * as (2x - 1)(ln x - log1p(-x)) so that small assays keep their precision.
 * V(0.5) = 0; V(x) = V(1 - x).  Returns CUSTOS_OK or CUSTOS_EDOMAIN
 * (x not in (0, 1)).
 */
CUSTOS_API int custos_enrich_value(double *out, double x);

/* A blend: the three legs of a blending tee and their U-235. */
typedef struct custos_blend {
    double heu, blendstock, product;                /* uranium masses */
    double heu_u235, blendstock_u235, product_u235; /* U-235 masses */
    double ratio; /* blendstock per unit of HEU, (x_H - x_P) / (x_P - x_B) */
} custos_blend;

/*
 * Blend heu (mass of uranium at assay x_heu) with blendstock at
 * x_blendstock to product at x_product.  Requires
 * 0 < x_blendstock < x_product < x_heu < 1 and heu >= 0 (finite).  heu = 0
 * gives an all-zero blend with the ratio filled in.  Returns CUSTOS_OK or
 * CUSTOS_EDOMAIN.
 */
CUSTOS_API int custos_enrich_blend(custos_blend *out, double heu, double x_heu, double x_blendstock,
                                   double x_product);

/*
 * The same blend sized by the product wanted: product mass at x_product.
 * Same domain as custos_enrich_blend().
 */
CUSTOS_API int custos_enrich_blend_for_product(custos_blend *out, double product, double x_heu,
                                               double x_blendstock, double x_product);

/* One enrichment step (a cascade seen from outside). */
typedef struct custos_cascade {
    double feed, product, tails; /* uranium masses */
    double swu;                  /* separative work, in the mass unit (kg -> kg-SWU) */
    double feed_per_product;     /* F/P = (x_p - x_t) / (x_f - x_t) */
    double tails_per_product;    /* T/P = (x_p - x_f) / (x_f - x_t) */
    double swu_per_product;      /* SW/P */
} custos_cascade;

/*
 * Feed, tails and separative work to make product (mass at x_product) from
 * feed at x_feed with tails at x_tails.  Requires
 * 0 < x_tails < x_feed < x_product < 1 and product >= 0 (finite).
 * Returns CUSTOS_OK or CUSTOS_EDOMAIN.
 */
CUSTOS_API int custos_enrich_cascade(custos_cascade *out, double product, double x_feed,
                                     double x_product, double x_tails);

#ifdef __cplusplus
}
#endif
#endif
