/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pd_avx512.c: the detection-probability Monte Carlo kernel on AVX-512.
 *
 * The same computation as lanes_generic() in pd.c, the same operations in
 * the same order (so the alarms agree bit for bit, which tests check),
 * eight replicates in the eight lanes of a register, the whole state of a
 * group of eight in registers across the n periods.  What makes it fast
 * is that the normals of the next group are made while this group runs:
 *
 *   in the loop, period t: the tests on this group's normal z[t]; the
 *     raw draws of the next group's period t + 4 (xoshiro256+ in
 *     registers, the numbers of custos_wrng_raw); and the fast path of
 *     the next group's draw t: the layers by scalar loads and shifts (the
 *     integer units are otherwise idle), each layer's pair of widths
 *     (w[i], w[i+1]) read by one 16-byte load and inserted, four to a
 *     register, the pairs split into a register of w[i] and one of
 *     w[i+1] by two permutes, its accept mask stored, no branch;
 *   after the loop: the rare rejected draws (0.23%) finished by
 *     custos_zig_slow(), in the order custos_wrng_normals() uses (about
 *     0.065 ns of the 1.12 per replicate-period, AMD Zen 4: the kernel
 *     timed with and without it).
 *
 * The kernel is bound by memory operations as much as by vector ones.
 * Reading each pair with one load halved the table reads against one
 * scalar load per width (1.55 -> 1.27 ns per replicate-period, the kernel
 * alone on 100 periods and 4 groups, AMD EPYC Zen 4).  The pairs then
 * went through a small ring in memory (a 16-byte store each, two 64-byte
 * loads two periods later) until inserts took its place, saving eight
 * stores and two loads a period; and the raw draws were made in a loop of
 * their own before the group's.  On bench/pd's problem, one core, AMD
 * EPYC Zen 5, runs of the two versions alternating (each the least of 15):
 * ring and raw loop 0.86-0.92 ns per replicate-period; inserts 0.76-0.82;
 * inserts and the raw draws in the group's loop 0.69-0.72 (the host's
 * speed varied between the pairs of runs).  Gathers (vgatherqpd) instead
 * of the inserts ran at 1.94-1.99.
 *
 * Compiled for AVX-512 by function attributes; pd.c calls it only when
 * the processor has AVX-512F, AVX-512DQ and FMA.
 */
#include "statsint.h"

#ifdef CUSTOS_PD_AVX512

#include <immintrin.h>
#include <math.h>
#include <string.h>

#define AVX512 __attribute__((target("avx512f,avx512dq,fma")))
#define L CUSTOS_WRNG_LANES
_Static_assert(CUSTOS_WRNG_LANES == 8, "eight lanes of a register, a byte of accept mask a period");

/* The per-thread buffers of one block: two groups (this and the next) of
 * raw draws and normals and the accept masks of one group, 64-byte
 * aligned. */
typedef struct bufs {
    uint64_t *v[2];
    double *z[2];
    unsigned char *ok;
    void *mem;
} bufs;

static int bufs_init(bufs *b, size_t n)
{
    size_t one = n * L * sizeof(double);
    b->mem = custos_calloc(4 * one + n + 8 + 64, 1);
    if (!b->mem)
        return custos_error_nomem();
    char *p = (char *)(((uintptr_t)b->mem + 63) & ~(uintptr_t)63);
    for (int i = 0; i < 2; i++) {
        b->v[i] = (uint64_t *)(void *)p;
        b->z[i] = (double *)(void *)(p + one);
        p += 2 * one;
    }
    b->ok = (unsigned char *)p;
    memset(b->ok + n, 0xff, 8); /* past the last period: accepted, for finish_slow() */
    return CUSTOS_OK;
}

/* The fast path of the ziggurat on draws v[8t..8t+8), their widths read
 * from the table wz: custos_zig_fast() in eight lanes. */
AVX512 static inline void finish(const uint64_t *v, const double *wz, double *z, unsigned char *ok,
                                 size_t t)
{
    const __m512i mant = _mm512_set1_epi64(0x000fffffffffffffll);
    const __m512i one = _mm512_set1_epi64(0x3ff0000000000000ll);
    const __m512i sign = _mm512_set1_epi64((long long)0x8000000000000000ull);
    const __m512i even = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1);
    const uint64_t *vt = v + L * t;
    /* lane j's pair (w[i], w[i+1]) in 128-bit lane j % 4 of lo (j < 4) or
     * hi; then a holds the w[i] and a1 the w[i+1] of lanes 0..7 */
#define PAIR(j) _mm_loadu_pd(wz + ((size_t)(vt[j] >> 52) & 2047))
    __m512d lo = _mm512_castpd128_pd512(PAIR(0));
    lo = _mm512_insertf64x2(lo, PAIR(1), 1);
    lo = _mm512_insertf64x2(lo, PAIR(2), 2);
    lo = _mm512_insertf64x2(lo, PAIR(3), 3);
    __m512d hi = _mm512_castpd128_pd512(PAIR(4));
    hi = _mm512_insertf64x2(hi, PAIR(5), 1);
    hi = _mm512_insertf64x2(hi, PAIR(6), 2);
    hi = _mm512_insertf64x2(hi, PAIR(7), 3);
#undef PAIR
    __m512i vv = _mm512_load_si512(vt);
    __m512d a = _mm512_permutex2var_pd(lo, even, hi), a1 = _mm512_permutex2var_pd(lo, odd, hi);
    /* f in [1, 2) from bits 0..51; (f - 1) a = f a - a with one rounding,
     * as the scalar (f - 1.0) * a, f - 1 being exact. */
    __m512d f = _mm512_castsi512_pd(_mm512_ternarylogic_epi64(vv, mant, one, 0xea));
    __m512d x = _mm512_fmsub_pd(f, a, a);
    ok[t] = (unsigned char)_mm512_cmp_pd_mask(x, a1, _CMP_LT_OQ);
    /* x ^ (v & sign): the sign from bit 63 */
    x = _mm512_castsi512_pd(_mm512_ternarylogic_epi64(_mm512_castpd_si512(x), vv, sign, 0x78));
    _mm512_store_pd(z + L * t, x);
}

/* The slow path for the draws finish() rejected, in order of (t, lane). */
static void finish_slow(custos_wrng *rng, const uint64_t *v, double *z, const unsigned char *ok,
                        size_t n)
{
    /* Eight periods' masks at a time; a set bit of "bad" is a rejected
     * draw, bit 8k + j being lane j of period t0 + k (little-endian), so
     * the lowest-first walk keeps the order (t, lane).  Always eight
     * bytes (the masks are padded with accepted ones): a copy of fixed
     * size is one load, where the length of the last word cost a
     * branch and a copy through the stack for every word (0.025 ns per
     * replicate-period of 1.16). */
    for (size_t t0 = 0; t0 < n; t0 += 8) {
        uint64_t word;
        memcpy(&word, ok + t0, 8);
        for (uint64_t bad = ~word; bad; bad &= bad - 1) {
            size_t bit = (size_t)__builtin_ctzll(bad), i = L * t0 + bit;
            z[i] = custos_zig_slow(&rng->tail, v[i]);
        }
    }
}

/* custos_wrng_raw() in registers (GCC does not vectorise the portable
 * loop): the same xoshiro256+ steps, the xors merged in ternary logic;
 * xo_step() makes the draws of one period and advances the state. */
typedef struct xo {
    __m512i s0, s1, s2, s3;
} xo;

AVX512 static inline xo xo_load(const custos_wrng *w)
{
    return (xo){_mm512_loadu_si512(w->s[0]), _mm512_loadu_si512(w->s[1]),
                _mm512_loadu_si512(w->s[2]), _mm512_loadu_si512(w->s[3])};
}

AVX512 static inline void xo_store(custos_wrng *w, xo x)
{
    _mm512_storeu_si512(w->s[0], x.s0);
    _mm512_storeu_si512(w->s[1], x.s1);
    _mm512_storeu_si512(w->s[2], x.s2);
    _mm512_storeu_si512(w->s[3], x.s3);
}

AVX512 static inline __attribute__((always_inline)) void xo_step(xo *x, uint64_t *v)
{
    __m512i s0 = x->s0, s1 = x->s1, s2 = x->s2, s3 = x->s3;
    _mm512_store_si512(v, _mm512_add_epi64(s0, s3));
    __m512i t = _mm512_slli_epi64(s1, 17);
    x->s1 = _mm512_ternarylogic_epi64(s1, s2, s0, 0x96); /* s1 ^ s2 ^ s0 */
    x->s0 = _mm512_ternarylogic_epi64(s0, s3, s1, 0x96); /* s0 ^ s3 ^ s1 */
    x->s2 = _mm512_ternarylogic_epi64(s2, s0, t, 0x96);  /* s2 ^ s0 ^ t */
    x->s3 = _mm512_rol_epi64(_mm512_xor_si512(s3, s1), 45);
}

AVX512 static void raw(custos_wrng *w, uint64_t *v, size_t nvec)
{
    xo x = xo_load(w);
    for (size_t r = 0; r < nvec; r++)
        xo_step(&x, v + L * r);
    xo_store(w, x);
}

/* How many periods ahead of their use group_run() makes the raw draws of
 * the next group: the scalar loads of finish() then read them long after
 * their store. */
#define AHEAD 4

#define B(x) _mm512_set1_pd(x)
#define OR(a, b) _mm512_or_pd(a, b)

/* The tests on group `cur` (normals b->z[cur]) and the normals of group
 * nx, from raw draws it makes from rng as it goes (the xoshiro steps are a
 * chain of dependent operations: in a loop of their own before the
 * group's they cost about 9% of the kernel's time, beside the tests almost
 * nothing); G is a constant in the instances below, so the systematic
 * state stays in registers. */
AVX512 static inline __attribute__((always_inline)) void
group_run(const custos_pd_kern *kp, const bufs *b, int cur, int nx, const double *wz, int lanes,
          long al[2][CUSTOS_PD_NTESTS], custos_wrng *rng, const size_t G)
{
    const size_t n = kp->n, st = kp->stride;
    const double *z = b->z[cur];
    uint64_t *vn = b->v[nx]; /* written AHEAD periods before finish() reads it */
    double *zn = b->z[nx];
    unsigned char *okn = b->ok;
    const __m512d zero = _mm512_setzero_pd(), mk = B(-kp->k);
    __m512d yprev = zero, cumq = zero, mz[64];
    __m512d am0 = zero, am1 = zero, ac0 = zero, ac1 = zero, ag0 = zero, ag1 = zero;
    __m512d y0m = B(-INFINITY), y1m = B(-INFINITY), p0 = zero, p1 = zero, pm0 = zero, pm1 = zero;
    __m512d ge0 = zero, ge1 = zero;
    for (size_t i = 0; i < G; i++)
        mz[i] = zero;
    xo x = xo_load(rng);
    for (size_t t = 0; t < n && t < AHEAD; t++)
        xo_step(&x, vn + L * t);
    for (size_t t = 0; t < n; t++) {
        const double *r = kp->rec + t * st;
        if (t + AHEAD < n)
            xo_step(&x, vn + L * (t + AHEAD));
        finish(vn, wz, zn, okn, t);
        __m512d y = _mm512_load_pd(z + L * t);
        if (kp->reset[t]) /* a slot starts a new group (statsint.h) */
            for (size_t i = 0; i < G; i++)
                if ((kp->reset[t] >> i) & 1)
                    mz[i] = zero;
        __m512d q = _mm512_mul_pd(yprev, B(r[CUSTOS_PD_K_NCPREV]));
        for (size_t i = 0; i < G; i++)
            q = _mm512_fmadd_pd(B(r[CUSTOS_PD_KREC + i]), mz[i], q);
        q = _mm512_fmadd_pd(B(r[CUSTOS_PD_K_NSQ]), y, q); /* -MUF_t */
        for (size_t i = 0; i < G; i++)
            mz[i] = _mm512_fmadd_pd(B(r[CUSTOS_PD_KREC + G + i]), y, mz[i]);
        yprev = y;
        am0 = OR(am0, _mm512_add_pd(q, B(r[CUSTOS_PD_K_TM])));
        am1 = OR(am1, _mm512_add_pd(q, B(r[CUSTOS_PD_K_TMM])));
        cumq = _mm512_add_pd(cumq, q);
        ac0 = OR(ac0, _mm512_add_pd(cumq, B(r[CUSTOS_PD_K_TC])));
        ac1 = OR(ac1, _mm512_add_pd(cumq, B(r[CUSTOS_PD_K_TCM])));
        if (kp->deg[t])
            continue;
        __m512d y1 = _mm512_add_pd(y, B(r[CUSTOS_PD_K_DL]));
        y0m = _mm512_max_pd(y0m, y);
        y1m = _mm512_max_pd(y1m, y1);
        p0 = _mm512_max_pd(_mm512_add_pd(p0, _mm512_add_pd(y, mk)), zero);
        p1 = _mm512_max_pd(_mm512_add_pd(p1, _mm512_add_pd(y, B(r[CUSTOS_PD_K_DLK]))), zero);
        pm0 = _mm512_max_pd(pm0, p0);
        pm1 = _mm512_max_pd(pm1, p1);
        ge0 = _mm512_fmadd_pd(y, y, ge0);
        ge1 = _mm512_fmadd_pd(y1, y1, ge1);
        ag0 = OR(ag0, _mm512_sub_pd(B(r[CUSTOS_PD_K_TG]), ge0));
        ag1 = OR(ag1, _mm512_sub_pd(B(r[CUSTOS_PD_K_TG]), ge1));
    }
    xo_store(rng, x);
    __mmask8 m = (__mmask8)((1u << lanes) - 1u);
    const __m512d zq = B(kp->zq), h = B(kp->h);
#define SIGNS(a) __builtin_popcount(_mm512_movepi64_mask(_mm512_castpd_si512(a)) & m)
#define ABOVE(a, c) __builtin_popcount(_mm512_cmp_pd_mask(a, c, _CMP_GT_OQ) & m)
    al[0][CUSTOS_PD_MUF] += SIGNS(am0);
    al[1][CUSTOS_PD_MUF] += SIGNS(am1);
    al[0][CUSTOS_PD_CUMUF] += SIGNS(ac0);
    al[1][CUSTOS_PD_CUMUF] += SIGNS(ac1);
    al[0][CUSTOS_PD_SITMUF] += ABOVE(y0m, zq);
    al[1][CUSTOS_PD_SITMUF] += ABOVE(y1m, zq);
    al[0][CUSTOS_PD_PAGE] += ABOVE(pm0, h);
    al[1][CUSTOS_PD_PAGE] += ABOVE(pm1, h);
    al[0][CUSTOS_PD_GEMUF] += SIGNS(ag0);
    al[1][CUSTOS_PD_GEMUF] += SIGNS(ag1);
#undef SIGNS
#undef ABOVE
}

/* One instance per small slot count; beyond 8 the state lives in
 * memory (still correct, slower). */
#define INSTANCE(G)                                                                                \
    AVX512 static void group_##G(const custos_pd_kern *kp, const bufs *b, int cur, int nx,         \
                                 const double *wz, int lanes, long al[2][CUSTOS_PD_NTESTS],        \
                                 custos_wrng *rng)                                                 \
    {                                                                                              \
        group_run(kp, b, cur, nx, wz, lanes, al, rng, G);                                          \
    }
INSTANCE(0)
INSTANCE(1)
INSTANCE(2)
INSTANCE(3)
INSTANCE(4)
INSTANCE(5)
INSTANCE(6)
INSTANCE(7)
INSTANCE(8)
#undef INSTANCE

AVX512 static void group_any(const custos_pd_kern *kp, const bufs *b, int cur, int nx,
                             const double *wz, int lanes, long al[2][CUSTOS_PD_NTESTS],
                             custos_wrng *rng)
{
    group_run(kp, b, cur, nx, wz, lanes, al, rng, kp->g);
}

typedef void (*group_fn)(const custos_pd_kern *, const bufs *, int, int, const double *, int,
                         long[2][CUSTOS_PD_NTESTS], custos_wrng *);

AVX512 int custos_pd_block_avx512(const custos_pd_kern *kp, custos_wrng *rng, long count,
                                  long al[2][CUSTOS_PD_NTESTS])
{
    static const group_fn fixed[9] = {group_0, group_1, group_2, group_3, group_4,
                                      group_5, group_6, group_7, group_8};
    group_fn fn = kp->g <= 8 ? fixed[kp->g] : group_any;
    size_t n = kp->n;
    const double *wz = custos_zig_widths();
    bufs b;
    int err = bufs_init(&b, n);
    if (err < 0)
        return err;
    long groups = (count + L - 1) / L;
    /* The first group's normals, as custos_wrng_normals() makes them. */
    raw(rng, b.v[0], n);
    for (size_t t = 0; t < n; t++)
        finish(b.v[0], wz, b.z[0], b.ok, t);
    finish_slow(rng, b.v[0], b.z[0], b.ok, n);
    for (long gi = 0; gi < groups; gi++) {
        int cur = (int)(gi & 1), nx = cur ^ 1;
        bool more = gi + 1 < groups;
        /* With the last group the loop still makes and finishes the
         * normals of a group that never runs, harmlessly (the block's
         * streams end with it: nothing after reads them); its slow path
         * is skipped so the tail stream is not used. */
        long left = count - gi * L;
        fn(kp, &b, cur, nx, wz, left < L ? (int)left : L, al, rng);
        if (more)
            finish_slow(rng, b.v[nx], b.z[nx], b.ok, n);
    }
    custos_free(b.mem);
    return CUSTOS_OK;
}

#endif
