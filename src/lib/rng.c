/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rng.c: the random numbers of the Monte Carlo estimates.
 *
 * Uniforms: xoshiro256++ (D. Blackman, S. Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 47(4), 2021), each stream
 * seeded by splitmix64 from (seed, stream), so a block of replicates has
 * the same numbers whatever thread runs it.  Normals: the ziggurat method
 * (G. Marsaglia, W. W. Tsang, "The Ziggurat Method for Generating Random
 * Variables", J. Stat. Software 5(8), 2000) with 256 layers of equal area
 * under exp(-x^2/2); tables computed once from r and the layer area below
 * (their values for 256 layers).  A normal costs one 64-bit draw in 99%
 * of cases: GSL's generators go through a function pointer per variate,
 * several times slower, which the detection-probability benchmark cannot
 * afford.
 */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "statsint.h"

#define ZIG_LAYERS 256
/* Marsaglia & Tsang (2000), section 2: r and v for 256 layers. */
#define ZIG_R 3.6541528853610088
#define ZIG_V 0.00492867323399

static double zx[ZIG_LAYERS + 1]; /* layer right edges, zx[0] the base strip's virtual width */
static double zf[ZIG_LAYERS + 1]; /* exp(-zx^2/2) */
static double zratio[ZIG_LAYERS]; /* zx[i+1] / zx[i]: the fast-path bound */
static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

static void zig_setup(void)
{
    double f = exp(-0.5 * ZIG_R * ZIG_R);
    zx[0] = ZIG_V / f;
    zx[1] = ZIG_R;
    for (int i = 1; i < ZIG_LAYERS - 1; i++)
        zx[i + 1] = sqrt(-2.0 * log(ZIG_V / zx[i] + exp(-0.5 * zx[i] * zx[i])));
    zx[ZIG_LAYERS] = 0.0;
    for (int i = 0; i <= ZIG_LAYERS; i++)
        zf[i] = exp(-0.5 * zx[i] * zx[i]);
    for (int i = 0; i < ZIG_LAYERS; i++)
        zratio[i] = zx[i + 1] / zx[i];
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void custos_rng_seed(custos_rng *r, uint64_t seed, uint64_t stream)
{
    pthread_once(&zig_once, zig_setup);
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ull + 0x2545f4914f6cdd1dull);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1;
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t next(custos_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[0] + s[3], 23) + s[0];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t custos_rng_next(custos_rng *r)
{
    return next(r);
}

static inline double uniform(custos_rng *r)
{
    /* 53 random bits, shifted off zero: (k + 0.5) 2^-53 lies in (0, 1). */
    return ((double)(next(r) >> 11) + 0.5) * 0x1.0p-53;
}

double custos_rng_uniform(custos_rng *r)
{
    return uniform(r);
}

/* The rare paths of the scalar generator: the tail beyond r and the
 * wedges. */
static double zig_slow(custos_rng *r, int i, double x, bool neg)
{
    for (;;) {
        if (i == 0) {
            /* Tail (Marsaglia 1964): x = -ln(u1)/r, accept if -2 ln(u2) > x^2. */
            double xt, yt;
            do {
                xt = -log(uniform(r)) / ZIG_R;
                yt = -log(uniform(r));
            } while (2.0 * yt < xt * xt);
            return neg ? -(ZIG_R + xt) : ZIG_R + xt;
        }
        if (zf[i] + uniform(r) * (zf[i + 1] - zf[i]) < exp(-0.5 * x * x))
            return neg ? -x : x;
        /* Start over with a new layer. */
        uint64_t u = next(r);
        i = (int)(u & 0xff);
        neg = (u >> 8) & 1;
        double f = (double)(u >> 11) * 0x1.0p-53;
        x = f * zx[i];
        if (f < zratio[i])
            return neg ? -x : x;
    }
}

static inline double normal(custos_rng *r)
{
    uint64_t u = next(r);
    int i = (int)(u & 0xff);
    bool neg = (u >> 8) & 1;
    double f = (double)(u >> 11) * 0x1.0p-53;
    double x = f * zx[i];
    if (f < zratio[i])
        return neg ? -x : x;
    return zig_slow(r, i, x, neg);
}

double custos_rng_normal(custos_rng *r)
{
    return normal(r);
}

void custos_rng_normals(custos_rng *r, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = normal(r);
}

/* ---- the Monte Carlo kernel's normals ------------------------------------
 *
 * Eight xoshiro256+ streams side by side (Blackman & Vigna, section 3:
 * the generator they recommend for floating-point numbers) and a
 * 2048-layer ziggurat.  A draw v gives the layer from bits 52..62, the
 * sign from bit 63 and the fraction f in [0, 1) from bits 0..51 (the
 * three weak low bits of xoshiro256+ are the last three of those 52, a
 * relative 2^-50 of the value).  x = f w[i] is returned when
 * x < w[i+1] (99.77% of draws); otherwise custos_zig_slow() finishes the
 * draw the usual way (wedge test, or Marsaglia's tail beyond r) with
 * further numbers from a scalar xoshiro256++ stream.  2048 layers rather
 * than the usual 256 so that the slow path, which costs branch
 * mispredictions, is six times rarer; the table (16 KiB) is read by
 * scalar loads, which cost less than vector gathers.  4096 layers halve
 * the slow path again but take one bit from the fraction, a shift more
 * per draw: the kernel was no faster (1.119 against 1.122 ns per
 * replicate-period).  The wedge test compares with exp() only when a
 * squeeze (a line and a parabola in s = -x^2/2 around the layer's
 * midpoint) cannot decide: 0.15% of wedge tests; a slow draw costs
 * 20 ns instead of 26.
 *
 * r for 2048 layers: the root of "the top layer closes at f = 1", found
 * by bisection in double precision (the recursion below, as in Marsaglia
 * and Tsang's section 2); the closing error is below 1e-13
 * (custos_zig_check, tested). */
#define WZ_LAYERS 2048
#define WZ_R 4.216370409511896

static double wz[WZ_LAYERS + 2]; /* widths: wz[0] the base strip's virtual width, wz[1] = r */
static double wf[WZ_LAYERS + 1]; /* exp(-wz^2/2) */
/* The wedge squeeze of layer i >= 1: s0 = -m^2/2 at the layer's midpoint m
 * and e0 = exp(s0), so that with d = s - s0 for s = -x^2/2 in the layer,
 * e0 (1 + d) <= exp(s) <= e0 (1 + d + d^2) (|d| < 1 in every layer). */
static double ws0[WZ_LAYERS], we0[WZ_LAYERS];
static double wz_closing;        /* f(wz[L-1]) + v/wz[L-1] - 1: 0 for an exact table */
static pthread_once_t wz_once = PTHREAD_ONCE_INIT;

static void wz_setup(void)
{
    double fr = exp(-0.5 * WZ_R * WZ_R);
    double v = WZ_R * fr + sqrt(0.5 * M_PI) * erfc(WZ_R / sqrt(2.0));
    wz[0] = v / fr;
    wz[1] = WZ_R;
    for (int i = 1; i < WZ_LAYERS - 1; i++)
        wz[i + 1] = sqrt(-2.0 * log(v / wz[i] + exp(-0.5 * wz[i] * wz[i])));
    wz[WZ_LAYERS] = wz[WZ_LAYERS + 1] = 0.0;
    for (int i = 0; i <= WZ_LAYERS; i++)
        wf[i] = exp(-0.5 * wz[i] * wz[i]);
    for (int i = 1; i < WZ_LAYERS; i++) {
        double m = 0.5 * (wz[i] + wz[i + 1]);
        ws0[i] = -0.5 * m * m;
        we0[i] = exp(ws0[i]);
    }
    wz_closing = wf[WZ_LAYERS - 1] + v / wz[WZ_LAYERS - 1] - 1.0;
}

const double *custos_zig_widths(void)
{
    pthread_once(&wz_once, wz_setup);
    return wz;
}

double custos_zig_check(void)
{
    pthread_once(&wz_once, wz_setup);
    return wz_closing;
}

void custos_wrng_seed(custos_wrng *w, uint64_t seed, uint64_t stream)
{
    pthread_once(&wz_once, wz_setup);
    custos_rng r;
    for (int k = 0; k < CUSTOS_WRNG_LANES; k++) {
        custos_rng_seed(&r, seed, stream * (CUSTOS_WRNG_LANES + 1) + (uint64_t)k);
        for (int i = 0; i < 4; i++)
            w->s[i][k] = r.s[i];
    }
    custos_rng_seed(&w->tail, seed, stream * (CUSTOS_WRNG_LANES + 1) + CUSTOS_WRNG_LANES);
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(CUSTOS_NO_CLONES)
#define WIDE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WIDE_CLONES
#endif

WIDE_CLONES
void custos_wrng_raw(custos_wrng *w, uint64_t *restrict v, size_t nvec)
{
    uint64_t s0[CUSTOS_WRNG_LANES], s1[CUSTOS_WRNG_LANES], s2[CUSTOS_WRNG_LANES],
        s3[CUSTOS_WRNG_LANES];
    memcpy(s0, w->s[0], sizeof s0);
    memcpy(s1, w->s[1], sizeof s1);
    memcpy(s2, w->s[2], sizeof s2);
    memcpy(s3, w->s[3], sizeof s3);
    for (size_t r = 0; r < nvec; r++) {
        for (int k = 0; k < CUSTOS_WRNG_LANES; k++) {
            v[r * CUSTOS_WRNG_LANES + k] = s0[k] + s3[k];
            uint64_t t = s1[k] << 17;
            s2[k] ^= s0[k];
            s3[k] ^= s1[k];
            s1[k] ^= s2[k];
            s0[k] ^= s3[k];
            s2[k] ^= t;
            s3[k] = (s3[k] << 45) | (s3[k] >> 19);
        }
    }
    memcpy(w->s[0], s0, sizeof s0);
    memcpy(w->s[1], s1, sizeof s1);
    memcpy(w->s[2], s2, sizeof s2);
    memcpy(w->s[3], s3, sizeof s3);
}

/* One table read per draw, both widths (16 bytes); deliberately scalar:
 * vector gathers cost more on the machines measured (docs/internals). */
__attribute__((optimize("no-tree-vectorize"))) void
custos_zig_lookup(const uint64_t *restrict v, double *restrict w0, double *restrict w1, size_t n)
{
    pthread_once(&wz_once, wz_setup);
    for (size_t k = 0; k < n; k++) {
        size_t i = (size_t)(v[k] >> 52) & (WZ_LAYERS - 1);
        w0[k] = wz[i];
        w1[k] = wz[i + 1];
    }
}

typedef union wbits {
    uint64_t u;
    double d;
} wbits;

double custos_zig_fast(uint64_t v, double w0, double w1, bool *ok)
{
    wbits f = {(v & 0x000fffffffffffffull) | 0x3ff0000000000000ull};
    wbits x;
    x.d = (f.d - 1.0) * w0;
    *ok = x.d < w1;
    x.u ^= v & 0x8000000000000000ull;
    return x.d;
}

double custos_zig_slow(custos_rng *tail, uint64_t v)
{
    /* No pthread_once() here: every caller holds a stream seeded by
     * custos_wrng_seed(), which set the tables up. */
    for (;;) {
        size_t i = (size_t)(v >> 52) & (WZ_LAYERS - 1);
        bool neg = v >> 63;
        wbits f = {(v & 0x000fffffffffffffull) | 0x3ff0000000000000ull};
        double x = (f.d - 1.0) * wz[i];
        if (x < wz[i + 1])
            return neg ? -x : x;
        if (i == 0) {
            /* Tail (Marsaglia 1964): x = -ln(u1)/r, accept if -2 ln(u2) > x^2. */
            double xt, yt;
            do {
                xt = -log(uniform(tail)) / WZ_R;
                yt = -log(uniform(tail));
            } while (2.0 * yt < xt * xt);
            return neg ? -(WZ_R + xt) : WZ_R + xt;
        }
        /* The wedge: accept when y < exp(s).  The squeeze decides almost
         * every draw without exp(); its bounds are widened by 2^-40 of
         * themselves, far beyond the rounding of either side, so a draw it
         * decides is decided as exp() would decide it and the numbers do
         * not depend on it. */
        double y = wf[i] + uniform(tail) * (wf[i + 1] - wf[i]);
        double s = -0.5 * x * x, d = s - ws0[i];
        double lo = we0[i] * (1.0 + d), hi = lo + we0[i] * d * d;
        bool accept;
        if (y < lo * (1.0 - 0x1p-40))
            accept = true;
        else if (y > hi * (1.0 + 0x1p-40))
            accept = false;
        else
            accept = y < exp(s);
        if (accept)
            return neg ? -x : x;
        v = next(tail); /* rejected: a new draw from the start */
    }
}

void custos_wrng_normals(custos_wrng *w, double *out, size_t nvec)
{
    pthread_once(&wz_once, wz_setup);
    enum { CHUNK = 32 };
    uint64_t v[CHUNK * CUSTOS_WRNG_LANES];
    double w0[CHUNK * CUSTOS_WRNG_LANES], w1[CHUNK * CUSTOS_WRNG_LANES];
    for (size_t done = 0; done < nvec;) {
        size_t m = nvec - done < CHUNK ? nvec - done : CHUNK;
        size_t cnt = m * CUSTOS_WRNG_LANES;
        custos_wrng_raw(w, v, m);
        custos_zig_lookup(v, w0, w1, cnt);
        double *o = out + done * CUSTOS_WRNG_LANES;
        for (size_t k = 0; k < cnt; k++) {
            bool ok;
            o[k] = custos_zig_fast(v[k], w0[k], w1[k], &ok);
            if (!ok)
                o[k] = custos_zig_slow(&w->tail, v[k]);
        }
        done += m;
    }
}

/* ---- blocks over threads ---------------------------------------------- */

typedef struct pool {
    custos_block_fn fn;
    void *ctx;
    long nblocks;
    long next;
    int err;
    pthread_mutex_t mu;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        long b = p->err < 0 ? p->nblocks : p->next++;
        pthread_mutex_unlock(&p->mu);
        if (b >= p->nblocks)
            break;
        int err = p->fn(p->ctx, b);
        if (err < 0) {
            pthread_mutex_lock(&p->mu);
            if (p->err >= 0)
                p->err = err;
            pthread_mutex_unlock(&p->mu);
        }
    }
    return NULL;
}

int custos_parallel_blocks(custos_block_fn fn, void *ctx, long nblocks, int threads)
{
    if (threads < 1)
        threads = 1;
    if (threads > 64)
        threads = 64;
    if (threads == 1 || nblocks <= 1) {
        for (long b = 0; b < nblocks; b++) {
            int err = fn(ctx, b);
            if (err < 0)
                return err;
        }
        return CUSTOS_OK;
    }
    pool p = {fn, ctx, nblocks, 0, CUSTOS_OK, PTHREAD_MUTEX_INITIALIZER};
    pthread_t tid[64];
    int started = 0;
    for (int i = 1; i < threads; i++) {
        if (pthread_create(&tid[started], NULL, worker, &p) != 0)
            break;
        started++;
    }
    worker(&p);
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    pthread_mutex_destroy(&p.mu);
    return p.err;
}
