/* SPDX-License-Identifier: Apache-2.0 */
/*
 * enrich.c: blending and enrichment arithmetic (custos/enrich.h).
 *
 * Plain double arithmetic on the mass balances; the formulas are in the
 * header.  Every argument is checked before anything is computed, so a
 * caller gets CUSTOS_EDOMAIN and an untouched out-parameter, never a NaN.
 */
#include <math.h>
#include <string.h>

#include "custos/enrich.h"
#include "internal.h"

static int check_assay(const char *what, double x)
{
    if (!(x > 0.0 && x < 1.0))
        return custos_error_set(CUSTOS_EDOMAIN, "%s %g is not a fraction strictly between 0 and 1",
                                what, x);
    return CUSTOS_OK;
}

static int check_mass(const char *what, double m)
{
    if (!isfinite(m) || m < 0.0)
        return custos_error_set(CUSTOS_EDOMAIN, "%s mass %g is not a finite mass >= 0", what, m);
    return CUSTOS_OK;
}

/* ln(x / (1 - x)) for x in (0, 1). */
static double logit(double x)
{
    return log(x) - log1p(-x);
}

int custos_enrich_value(double *out, double x)
{
    int err = check_assay("assay", x);
    if (err < 0)
        return err;
    *out = (2.0 * x - 1.0) * logit(x);
    return CUSTOS_OK;
}

static int check_blend(double x_heu, double x_blendstock, double x_product)
{
    int err;
    if ((err = check_assay("HEU assay", x_heu)) < 0 ||
        (err = check_assay("blendstock assay", x_blendstock)) < 0 ||
        (err = check_assay("product assay", x_product)) < 0)
        return err;
    if (!(x_blendstock < x_product && x_product < x_heu))
        return custos_error_set(CUSTOS_EDOMAIN,
                                "assays out of order: need blendstock %g < product %g < HEU %g",
                                x_blendstock, x_product, x_heu);
    return CUSTOS_OK;
}

static void fill_blend(custos_blend *b, double heu, double x_heu, double x_blendstock,
                       double x_product)
{
    memset(b, 0, sizeof *b);
    b->ratio = (x_heu - x_product) / (x_product - x_blendstock);
    b->heu = heu;
    b->blendstock = heu * b->ratio;
    b->product = b->heu + b->blendstock;
    b->heu_u235 = heu * x_heu;
    b->blendstock_u235 = b->blendstock * x_blendstock;
    b->product_u235 = b->heu_u235 + b->blendstock_u235;
}

int custos_enrich_blend(custos_blend *out, double heu, double x_heu, double x_blendstock,
                        double x_product)
{
    int err;
    if ((err = check_blend(x_heu, x_blendstock, x_product)) < 0 ||
        (err = check_mass("HEU", heu)) < 0)
        return err;
    fill_blend(out, heu, x_heu, x_blendstock, x_product);
    return CUSTOS_OK;
}

int custos_enrich_blend_for_product(custos_blend *out, double product, double x_heu,
                                    double x_blendstock, double x_product)
{
    int err;
    if ((err = check_blend(x_heu, x_blendstock, x_product)) < 0 ||
        (err = check_mass("product", product)) < 0)
        return err;
    /* m_H = m_P (x_P - x_B) / (x_H - x_B) */
    double heu = product * (x_product - x_blendstock) / (x_heu - x_blendstock);
    fill_blend(out, heu, x_heu, x_blendstock, x_product);
    /* Keep the product the caller asked for exactly. */
    out->blendstock = product - heu;
    out->product = product;
    out->blendstock_u235 = out->blendstock * x_blendstock;
    out->product_u235 = out->heu_u235 + out->blendstock_u235;
    return CUSTOS_OK;
}

int custos_enrich_cascade(custos_cascade *out, double product, double x_feed, double x_product,
                          double x_tails)
{
    int err;
    if ((err = check_assay("feed assay", x_feed)) < 0 ||
        (err = check_assay("product assay", x_product)) < 0 ||
        (err = check_assay("tails assay", x_tails)) < 0)
        return err;
    if (!(x_tails < x_feed && x_feed < x_product))
        return custos_error_set(CUSTOS_EDOMAIN,
                                "assays out of order: need tails %g < feed %g < product %g",
                                x_tails, x_feed, x_product);
    if ((err = check_mass("product", product)) < 0)
        return err;
    custos_cascade c;
    memset(&c, 0, sizeof c);
    double vf = (2.0 * x_feed - 1.0) * logit(x_feed);
    double vp = (2.0 * x_product - 1.0) * logit(x_product);
    double vt = (2.0 * x_tails - 1.0) * logit(x_tails);
    c.feed_per_product = (x_product - x_tails) / (x_feed - x_tails);
    c.tails_per_product = (x_product - x_feed) / (x_feed - x_tails);
    c.swu_per_product = vp + c.tails_per_product * vt - c.feed_per_product * vf;
    c.product = product;
    c.feed = product * c.feed_per_product;
    c.tails = product * c.tails_per_product;
    c.swu = product * c.swu_per_product;
    *out = c;
    return CUSTOS_OK;
}
