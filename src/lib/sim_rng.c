/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_rng.c: the simulator's random numbers and the few transcendental
 * functions it needs, written so that every machine computes the same bits.
 *
 * Uniforms come from xoshiro256** (Blackman and Vigna, 2018), seeded
 * through splitmix64; normals from Marsaglia's polar method.  The polar
 * method and the burn-up and separative-work formulas need a logarithm
 * and an exponential; libm's differ in the last bit between platforms, so
 * they are computed here from +, -, *, / and sqrt only (IEEE 754 rounds
 * each of them exactly), with floating-point contraction off so that no
 * compiler fuses a multiply and an add.
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF /* GCC: off already in ISO C mode (-std=c11) */
#endif

#include <math.h>
#include <string.h>

#include "simint.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1;
    r->has_spare = false;
    r->spare = 0.0;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_next(sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double sim_rng_uniform(sim_rng *r)
{
    return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n), n > 0 (Lemire's multiply-shift with
 * rejection, so there is no modulo bias). */
uint64_t sim_rng_below(sim_rng *r, uint64_t n)
{
    uint64_t x = sim_rng_next(r);
    __uint128_t m = (__uint128_t)x * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = (0 - n) % n;
        while (l < t) {
            x = sim_rng_next(r);
            m = (__uint128_t)x * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/*
 * ln x for x > 0: x = m 2^e with m in [sqrt(1/2), sqrt(2)), then
 * ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.1716, by its series
 * 2 (s + s^3/3 + s^5/5 + ...) summed to 2^-56 relative; e ln 2 with ln 2
 * split in a high part exact in 32 bits and a low part.
 */
double sim_log(double x)
{
    if (!(x > 0.0))
        return x == 0.0 ? -HUGE_VAL : (double)NAN;
    if (isinf(x))
        return x;
    int e;
    double m = frexp(x, &e); /* exact: m in [0.5, 1) */
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        e -= 1;
    }
    double s = (m - 1.0) / (m + 1.0);
    double s2 = s * s, term = s, sum = 0.0;
    for (int k = 1; k < 60; k += 2) {
        double add = term / (double)k;
        sum += add;
        if (fabs(add) < 1e-18 * fabs(sum) || add == 0.0)
            break;
        term *= s2;
    }
    static const double ln2_hi = 6.93147180369123816490e-01; /* 0x3fe62e42fee00000 */
    static const double ln2_lo = 1.90821492927058770002e-10; /* 0x3dea39ef35793c76 */
    return (double)e * ln2_hi + (2.0 * sum + (double)e * ln2_lo);
}

/*
 * e^x: x = k ln 2 + r with |r| <= ln2 / 2, e^r by its Taylor series to
 * 2^-56 relative, then scaled by 2^k (exact).
 */
double sim_exp(double x)
{
    if (isnan(x))
        return x;
    if (x > 709.0)
        return HUGE_VAL;
    if (x < -745.0)
        return 0.0;
    static const double ln2_hi = 6.93147180369123816490e-01;
    static const double ln2_lo = 1.90821492927058770002e-10;
    double kf = floor(x / 0.69314718055994530942 + 0.5);
    double r = (x - kf * ln2_hi) - kf * ln2_lo;
    double term = 1.0, sum = 1.0;
    for (int n = 1; n < 40; n++) {
        term *= r / (double)n;
        sum += term;
        if (fabs(term) < 1e-18 * sum)
            break;
    }
    return ldexp(sum, (int)kf);
}

/* Marsaglia's polar method: two independent N(0, 1) per accepted pair. */
double sim_rng_normal(sim_rng *r)
{
    if (r->has_spare) {
        r->has_spare = false;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * sim_rng_uniform(r) - 1.0;
        v = 2.0 * sim_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * sim_log(s) / s);
    r->spare = v * f;
    r->has_spare = true;
    return u * f;
}

int64_t sim_round(double x)
{
    double f = floor(x);
    double d = x - f;
    int64_t i = (int64_t)f;
    return d >= 0.5 ? i + 1 : i;
}

int64_t sim_muldiv(int64_t a, int64_t b, int64_t c)
{
    /* round(a * b / c) for a, b >= 0, c > 0, exact in 128 bits. */
    if (c <= 0)
        return 0;
    __int128 p = (__int128)a * b;
    __int128 q = (p + c / 2) / c;
    return (int64_t)q;
}

double custos_sim_swu_value(double x)
{
    return (2.0 * x - 1.0) * sim_log(x / (1.0 - x));
}

int custos_sim_swu(double *out, double product_kg, double xp, double xf, double xw,
                   double *feed_kg, double *tails_kg)
{
    if (!(xw > 0.0 && xw < xf && xf < xp && xp < 1.0) || !(product_kg >= 0.0))
        return custos_error_set(CUSTOS_EDOMAIN, "assays need 0 < tails < feed < product < 1");
    double f = product_kg * (xp - xw) / (xf - xw);
    double w = f - product_kg;
    *out = product_kg * custos_sim_swu_value(xp) + w * custos_sim_swu_value(xw) -
           f * custos_sim_swu_value(xf);
    if (feed_kg)
        *feed_kg = f;
    if (tails_kg)
        *tails_kg = w;
    return CUSTOS_OK;
}

int custos_sim_blendstock(double *out, double heu_kg, double xh, double xb, double xp)
{
    if (!(xb >= 0.0 && xb < xp && xp < xh && xh <= 1.0) || !(heu_kg >= 0.0))
        return custos_error_set(CUSTOS_EDOMAIN,
                                "assays need 0 <= blendstock < product < HEU <= 1");
    *out = heu_kg * (xh - xp) / (xp - xb);
    return CUSTOS_OK;
}
