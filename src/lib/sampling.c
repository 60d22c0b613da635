/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sampling.c: attribute sampling plans, the inspector's measurement files
 * and the D statistic (custos/sampling.h has the formulas).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custos/sampling.h"
#include "statsint.h"

int custos_attribute_sample_size(long *n, long population, long defects, double beta, bool exact)
{
    if (population < 1 || population > 1000000000L || defects < 1 || defects > population ||
        !(beta > 0.0 && beta < 1.0))
        return custos_error_set(CUSTOS_EDOMAIN,
                                "sampling needs 1 <= defects <= population and beta in (0, 1)");
    if (!exact) {
        double v = (double)population * (1.0 - pow(beta, 1.0 / (double)defects));
        /* A value within rounding of an integer is that integer. */
        double c = ceil(v - 1e-9 * v);
        *n = (long)(c > (double)population ? (double)population : c);
        return CUSTOS_OK;
    }
    /* P(no defect among m) = prod_{i<m} (N - r - i) / (N - i). */
    double p = 1.0;
    long m = 0;
    /* p is a product of rounded ratios: beta reached within rounding
     * counts as reached (r = 1 gives exactly N (1 - beta)). */
    while (p > beta * (1.0 + 1e-12) && m < population) {
        p *= (double)(population - defects - m) / (double)(population - m);
        m++;
    }
    *n = m;
    return CUSTOS_OK;
}

int custos_defects_for_goal(long *r, double goal, double item_mass, double f)
{
    if (!(goal > 0.0) || !(item_mass > 0.0) || !(f > 0.0 && f <= 1.0) || !isfinite(goal) ||
        !isfinite(item_mass))
        return custos_error_set(CUSTOS_EDOMAIN,
                                "goal and item mass must be > 0 and the fraction in (0, 1]");
    double v = ceil(goal / (f * item_mass) - 1e-9);
    if (v > 1e9)
        return custos_error_set(CUSTOS_EDOMAIN, "more than 10^9 defects needed");
    *r = v < 1.0 ? 1 : (long)v;
    return CUSTOS_OK;
}

void custos_inspection_free(custos_inspection *in)
{
    if (!in)
        return;
    for (size_t i = 0; i < in->n; i++) {
        custos_free(in->strata[i].batch);
        custos_free(in->strata[i].op);
        custos_free(in->strata[i].in);
    }
    custos_free(in->strata);
    custos_free(in);
}

/* Split a CSV line in place on commas (no quoting: no field needs one). */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            return n;
        *c = '\0';
        p = c + 1;
    }
    return -1;
}

static bool number(const char *s, double lo, double hi, bool pct, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno)
        return false;
    if (pct && *end == '%') {
        v /= 100.0;
        end++;
    }
    if (*end || !isfinite(v) || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool name_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == '"')
            return false;
    return true;
}

typedef void (*line_fn)(void *ctx, uint32_t lineno, char **f, int nf);

/* Run fn on each data line of a CSV text after checking its header. */
static int each_line(const char *name, const char *text, size_t len, const char *header,
                     const char *header_alt, line_fn fn, void *ctx, custos_diags *d, int *bad)
{
    if (len > (size_t)CUSTOS_MAX_JSON_FILE)
        return custos_error_set(CUSTOS_ETOOBIG, "%s: larger than %ld bytes", name,
                                (long)CUSTOS_MAX_JSON_FILE);
    uint32_t lineno = 0;
    bool have_header = false;
    size_t pos = 0;
    char line[512];
    while (pos < len) {
        size_t e = pos;
        while (e < len && text[e] != '\n')
            e++;
        size_t n = e - pos;
        const char *src = text + pos;
        pos = e + 1;
        lineno++;
        if (n && src[n - 1] == '\r')
            n--;
        if (n >= sizeof line || memchr(src, '\0', n)) {
            custos_diags_add(d, CUSTOS_SEV_ERROR, name, lineno, 0, 0,
                             "line longer than 511 bytes or with a NUL byte");
            (*bad)++;
            continue;
        }
        memcpy(line, src, n);
        line[n] = '\0';
        if (!n || line[0] == '#')
            continue;
        if (!have_header) {
            if (strcmp(line, header) && (!header_alt || strcmp(line, header_alt))) {
                custos_diags_add(d, CUSTOS_SEV_ERROR, name, lineno, 0, 0, "header must be %s",
                                 header);
                (*bad)++;
                return CUSTOS_OK;
            }
            have_header = true;
            continue;
        }
        char *f[9];
        int nf = split(line, f, 8);
        fn(ctx, lineno, f, nf);
    }
    if (!have_header) {
        custos_diags_add(d, CUSTOS_SEV_ERROR, name, 1, 0, 0, "empty (needs the header %s)",
                         header);
        (*bad)++;
    }
    return CUSTOS_OK;
}

typedef struct pctx {
    custos_inspection *in;
    const char *name;
    custos_diags *d;
    int bad;
    int err;
    size_t cap;
    bool with_total;
} pctx;

static void strata_line(void *vc, uint32_t lineno, char **f, int nf)
{
    pctx *c = vc;
    if (c->err < 0)
        return;
    int want = c->with_total ? 7 : 6;
    custos_stratum s;
    memset(&s, 0, sizeof s);
    double pop;
    if (nf != want || !name_ok(f[0], CUSTOS_STRATUM_LEN) || !number(f[1], 1, 1e9, false, &pop) ||
        pop != floor(pop) || !number(f[2], 0, 0.999, true, &s.op_random) ||
        !number(f[3], 0, 0.999, true, &s.op_systematic) ||
        !number(f[4], 0, 0.999, true, &s.in_random) ||
        !number(f[5], 0, 0.999, true, &s.in_systematic) ||
        (c->with_total && f[6][0] && !number(f[6], 0, 1e15, false, &s.total))) {
        custos_diags_add(c->d, CUSTOS_SEV_ERROR, c->name, lineno, 0, 0,
                         "needs %d fields: a stratum name, a whole population >= 1, four "
                         "relative uncertainties in [0, 1) (fraction or %%)%s",
                         want, c->with_total ? " and the stratum total in grams (may be empty)" : "");
        c->bad++;
        return;
    }
    s.population = (long)pop;
    custos_strlcpy(s.name, f[0], sizeof s.name);
    for (size_t i = 0; i < c->in->n; i++)
        if (!strcmp(c->in->strata[i].name, s.name)) {
            custos_diags_add(c->d, CUSTOS_SEV_ERROR, c->name, lineno, 0, 0,
                             "field stratum: %s is declared twice", s.name);
            c->bad++;
            return;
        }
    if (c->in->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        if (cap > 100000) {
            c->err = custos_error_set(CUSTOS_ETOOBIG, "%s: more than 100,000 strata", c->name);
            return;
        }
        custos_stratum *p = custos_realloc(c->in->strata, cap * sizeof *p);
        if (!p) {
            c->err = custos_error_nomem();
            return;
        }
        c->in->strata = p;
        c->cap = cap;
    }
    c->in->strata[c->in->n++] = s;
}

typedef struct pairs_ctx {
    pctx *p;
    size_t *cap;
} pairs_ctx;

static void pair_line(void *vc, uint32_t lineno, char **f, int nf)
{
    pairs_ctx *pc = vc;
    pctx *c = pc->p;
    if (c->err < 0)
        return;
    double op, in;
    if (nf != 4 || !name_ok(f[1], CUSTOS_BATCH_LEN) || !number(f[2], -1e15, 1e15, false, &op) ||
        !number(f[3], -1e15, 1e15, false, &in)) {
        custos_diags_add(c->d, CUSTOS_SEV_ERROR, c->name, lineno, 0, 0,
                         "needs 4 fields: stratum, batch (up to 16 characters), the operator's "
                         "and the inspector's values in grams");
        c->bad++;
        return;
    }
    size_t k = c->in->n;
    for (size_t i = 0; i < c->in->n; i++)
        if (!strcmp(c->in->strata[i].name, f[0]))
            k = i;
    if (k == c->in->n) {
        custos_diags_add(c->d, CUSTOS_SEV_ERROR, c->name, lineno, 0, 0,
                         "field stratum: %.40s is not declared in the strata file", f[0]);
        c->bad++;
        return;
    }
    custos_stratum *s = &c->in->strata[k];
    if ((long)s->npairs >= s->population) {
        custos_diags_add(c->d, CUSTOS_SEV_ERROR, c->name, lineno, 0, 0,
                         "stratum %s: more verified items than its population %ld", s->name,
                         s->population);
        c->bad++;
        return;
    }
    if (s->npairs == pc->cap[k]) {
        size_t cap = pc->cap[k] ? pc->cap[k] * 2 : 16;
        char(*b)[CUSTOS_BATCH_LEN] = custos_realloc(s->batch, cap * sizeof *b);
        if (b)
            s->batch = b;
        double *o = b ? custos_realloc(s->op, cap * sizeof *o) : NULL;
        if (o)
            s->op = o;
        double *i2 = o ? custos_realloc(s->in, cap * sizeof *i2) : NULL;
        if (!i2) {
            c->err = custos_error_nomem();
            return;
        }
        s->in = i2;
        pc->cap[k] = cap;
    }
    custos_strlcpy(s->batch[s->npairs], f[1], CUSTOS_BATCH_LEN);
    s->op[s->npairs] = op;
    s->in[s->npairs] = in;
    s->npairs++;
}

int custos_inspection_parse(custos_inspection **out, const char *strata_name, const char *strata,
                            size_t strata_len, const char *pairs_name, const char *pairs,
                            size_t pairs_len, custos_diags *d)
{
    *out = NULL;
    custos_inspection *in = custos_calloc(1, sizeof *in);
    if (!in)
        return custos_error_nomem();
    pctx c = {in, strata_name, d, 0, CUSTOS_OK, 0, false};
    size_t *caps = NULL;
    static const char h6[] =
        "stratum,population,operator_random,operator_systematic,inspector_random,"
        "inspector_systematic";
    static const char h7[] =
        "stratum,population,operator_random,operator_systematic,inspector_random,"
        "inspector_systematic,total";
    /* The header decides whether totals are given. */
    size_t hl = sizeof h7 - 1;
    const char *p = strata;
    while ((size_t)(p - strata) < strata_len && *p == '#') {
        const char *nl = memchr(p, '\n', strata_len - (size_t)(p - strata));
        if (!nl)
            break;
        p = nl + 1;
    }
    c.with_total = (size_t)(p - strata) + hl <= strata_len && !memcmp(p, h7, hl);
    int err = each_line(strata_name, strata, strata_len, c.with_total ? h7 : h6, NULL, strata_line,
                        &c, d, &c.bad);
    if (err >= 0)
        err = c.err;
    if (err < 0 || c.bad)
        goto done;
    if (!(caps = custos_calloc(in->n + 1, sizeof *caps))) {
        err = custos_error_nomem();
        goto done;
    }
    c.name = pairs_name;
    pairs_ctx pc = {&c, caps};
    err = each_line(pairs_name, pairs, pairs_len, "stratum,batch,operator,inspector", NULL,
                    pair_line, &pc, d, &c.bad);
    if (err >= 0)
        err = c.err;
    if (err < 0 || c.bad)
        goto done;
    for (size_t i = 0; i < in->n; i++)
        if (!in->strata[i].npairs) {
            custos_diags_add(d, CUSTOS_SEV_ERROR, pairs_name, 0, 0, 0,
                             "stratum %s has no verified item", in->strata[i].name);
            c.bad++;
        }
done:
    custos_free(caps);
    if (err >= 0 && c.bad)
        err = custos_error_set(CUSTOS_EINVAL, "%s, %s: invalid inspector measurements", strata_name,
                               pairs_name);
    if (err < 0) {
        custos_inspection_free(in);
        return err;
    }
    *out = in;
    return CUSTOS_OK;
}

void custos_dstat_result_free(custos_dstat_result *r)
{
    if (!r)
        return;
    custos_free(r->strata);
    custos_free(r);
}

int custos_dstat(custos_dstat_result **out, const custos_inspection *in, double alpha,
                 bool has_muf, double muf, double sigma_muf)
{
    *out = NULL;
    custos_stats_init();
    if (!(alpha > 0.0 && alpha < 0.5))
        return custos_error_set(CUSTOS_EDOMAIN, "alpha %g not in (0, 0.5)", alpha);
    custos_dstat_result *r = custos_calloc(1, sizeof *r);
    if (!r || !(r->strata = custos_calloc(in->n + 1, sizeof *r->strata))) {
        custos_free(r);
        return custos_error_nomem();
    }
    r->n = in->n;
    r->z = custos_normal_quantile(1.0 - alpha);
    double var = 0.0, cov = 0.0;
    for (size_t k = 0; k < in->n; k++) {
        const custos_stratum *s = &in->strata[k];
        custos_dstat_stratum *o = &r->strata[k];
        double f = (double)s->population / (double)s->npairs;
        double sd = 0.0, sx = 0.0, sx2 = 0.0;
        for (size_t j = 0; j < s->npairs; j++) {
            sd += s->op[j] - s->in[j];
            sx += s->op[j];
            sx2 += s->op[j] * s->op[j];
        }
        o->d = f * sd;
        o->var_random = f * f * sx2 * (s->op_random * s->op_random + s->in_random * s->in_random);
        o->var_systematic = (f * sx) * (f * sx) *
                            (s->op_systematic * s->op_systematic + s->in_systematic * s->in_systematic);
        double total = s->total > 0.0 ? s->total : f * sx;
        o->cov_muf = -(f * sx2 * s->op_random * s->op_random +
                       f * sx * total * s->op_systematic * s->op_systematic);
        double m = sd / (double)s->npairs, ss = 0.0;
        for (size_t j = 0; j < s->npairs; j++) {
            double dv = s->op[j] - s->in[j] - m;
            ss += dv * dv;
        }
        o->mean_diff = m;
        o->sd_diff = s->npairs > 1 ? sqrt(ss / (double)(s->npairs - 1)) : (double)NAN;
        o->t = s->npairs > 1 && o->sd_diff > 0.0 ? m / (o->sd_diff / sqrt((double)s->npairs)) : (double)NAN;
        r->d += o->d;
        var += o->var_random + o->var_systematic;
        cov += o->cov_muf;
    }
    r->sigma_d = sqrt(var);
    r->d_alarm = r->sigma_d > 0.0 && r->d > r->z * r->sigma_d;
    if (has_muf) {
        r->has_muf = true;
        r->muf = muf;
        r->sigma_muf = sigma_muf;
        r->cov_muf_d = cov;
        r->muf_d = muf - r->d;
        double v = sigma_muf * sigma_muf + var - 2.0 * cov;
        r->sigma_muf_d = sqrt(v > 0.0 ? v : 0.0);
        r->muf_d_alarm = r->sigma_muf_d > 0.0 && r->muf_d > r->z * r->sigma_muf_d;
    }
    *out = r;
    return CUSTOS_OK;
}
