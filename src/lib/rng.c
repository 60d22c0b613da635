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

/* The rare paths: the tail beyond r and the wedges. */
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
