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

/* ---- eight streams at once ------------------------------------------------ */

void custos_wrng_seed(custos_wrng *w, uint64_t seed, uint64_t stream)
{
    custos_rng r;
    for (int k = 0; k < CUSTOS_WRNG_LANES; k++) {
        custos_rng_seed(&r, seed, stream * (CUSTOS_WRNG_LANES + 1) + (uint64_t)k);
        for (int i = 0; i < 4; i++)
            w->s[i][k] = r.s[i];
    }
    custos_rng_seed(&w->tail, seed, stream * (CUSTOS_WRNG_LANES + 1) + CUSTOS_WRNG_LANES);
}

#define WCHUNK 256

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(CUSTOS_NO_CLONES)
#define WIDE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WIDE_CLONES
#endif

/* WCHUNK raw draws (lane-interleaved) into u. */
WIDE_CLONES
static void wide_draw(uint64_t (*restrict st)[CUSTOS_WRNG_LANES], uint64_t *restrict u)
{
    uint64_t s0[CUSTOS_WRNG_LANES], s1[CUSTOS_WRNG_LANES], s2[CUSTOS_WRNG_LANES],
        s3[CUSTOS_WRNG_LANES];
    memcpy(s0, st[0], sizeof s0);
    memcpy(s1, st[1], sizeof s1);
    memcpy(s2, st[2], sizeof s2);
    memcpy(s3, st[3], sizeof s3);
    for (int r = 0; r < WCHUNK / CUSTOS_WRNG_LANES; r++) {
        for (int k = 0; k < CUSTOS_WRNG_LANES; k++) {
            uint64_t a = s0[k] + s3[k];
            u[r * CUSTOS_WRNG_LANES + k] = ((a << 23) | (a >> 41)) + s0[k];
            uint64_t t = s1[k] << 17;
            s2[k] ^= s0[k];
            s3[k] ^= s1[k];
            s1[k] ^= s2[k];
            s0[k] ^= s3[k];
            s2[k] ^= t;
            s3[k] = (s3[k] << 45) | (s3[k] >> 19);
        }
    }
    memcpy(st[0], s0, sizeof s0);
    memcpy(st[1], s1, sizeof s1);
    memcpy(st[2], s2, sizeof s2);
    memcpy(st[3], s3, sizeof s3);
}

/* The ziggurat's fast path on WCHUNK draws: out[j], and ok[j] = 0 where
 * the draw fell outside the layer's inner rectangle.  Same-width types
 * throughout (64-bit lanes) so the loop vectorises with gathers. */
typedef union wbits {
    uint64_t u;
    double d;
} wbits;

WIDE_CLONES
static void wide_zig(const uint64_t *restrict u, double *restrict out, int64_t *restrict ok)
{
    for (int j = 0; j < WCHUNK; j++) {
        uint64_t v = u[j];
        int64_t i = (int64_t)(v & 0xff);
        /* 52 random bits as a double in [1, 2), minus 1. */
        wbits f = {(v >> 12) | 0x3ff0000000000000ull};
        double fr = f.d - 1.0;
        wbits x;
        x.d = fr * zx[i];
        ok[j] = fr < zratio[i];
        x.u ^= (v & 0x100) << 55; /* bit 8 is the sign */
        out[j] = x.d;
    }
}

void custos_wrng_normals(custos_wrng *w, double *out, size_t n)
{
    pthread_once(&zig_once, zig_setup);
    uint64_t u[WCHUNK];
    double buf[WCHUNK];
    int64_t ok[WCHUNK];
    size_t done = 0;
    while (done < n) {
        wide_draw(w->s, u);
        size_t m = n - done < WCHUNK ? n - done : WCHUNK;
        double *dst = m == WCHUNK ? out + done : buf;
        wide_zig(u, dst, ok);
        for (size_t j = 0; j < WCHUNK; j++) {
            if (ok[j])
                continue;
            /* A wedge or the tail (1.2% of draws): finish the scalar way,
             * the layer and sign kept, further numbers from the tail stream. */
            uint64_t v = u[j];
            int i = (int)(v & 0xff);
            double f = (double)(v >> 12) * 0x1.0p-52;
            dst[j] = zig_slow(&w->tail, i, f * zx[i], (v >> 8) & 1);
        }
        if (dst == buf)
            memcpy(out + done, buf, m * sizeof *buf);
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
