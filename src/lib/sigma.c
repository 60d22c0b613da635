/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigma.c: the measurement-error model of the books of an MBA: sigma-MUF of
 * every balance and the MUF sequence with its covariance.
 *
 * One pass over the effective entries (books.h) of an MBA, in the balance
 * periods balance.c closes (PIT to PIT), builds per element category and
 * quantity (a "series"):
 *   rvar[t]  random variance of MUF_t: sum of (x d_r)^2 over every weight
 *            that enters period t (an inventory item of PIT t enters
 *            periods t and t+1);
 *   rcov[t]  random Cov(MUF_t-1, MUF_t) = -(random variance of the
 *            inventory taken at the PIT between them): PE of t-1 is PB of t;
 *   net_g[t] sum_{i in g} c_ti x_i per systematic group g (method,
 *            material, calibration period); sys_g = d_g net_g.
 * The signs c are those of balance.c: +1 PB and increases, -1 decreases,
 * PE and DI; rebatching does not enter.  Each weight's methods are those
 * of the measurement point of its KMP and material description: bulk and
 * element for an element weight, isotopic as well for an isotope weight.
 * Weights booked with basis N or L (not measured at this MBA), and those
 * no point covers, carry the model's "unmeasured" uncertainty.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books.h"
#include "custos/facility.h"
#include "statsint.h"

#define NCAT 5
#define NSLOT 21
#define ELEMENT_SLOT 20

static const char cats[NCAT] = {'N', 'D', 'E', 'P', 'T'};

static int cat_index(char c)
{
    for (int i = 0; i < NCAT; i++)
        if (cats[i] == c)
            return i;
    return -1;
}

static int slot_of(int widx)
{
    return custos_weight_is_element(custos_weight_label(widx)) ? ELEMENT_SLOT : widx;
}

typedef struct group_acc {
    char method[CUSTOS_METHOD_LEN];
    char material[CUSTOS_MATERIAL_LEN];
    char role;
    int calibration;
    double d_s, d_r;
    double *net;       /* n periods */
    int64_t *entries;  /* n periods */
} group_acc;

typedef struct rand_acc {
    size_t period;
    char kmp[3];
    char role;
    char method[CUSTOS_METHOD_LEN];
    char material[CUSTOS_MATERIAL_LEN];
    double d_r, d_s;
    double var, sum;
    int64_t entries;
} rand_acc;

typedef struct series {
    bool used;
    double *rvar, *rcov;
    int64_t *unmodelled;
    size_t ngroups, capg;
    group_acc *groups;
    size_t nrand, capr;
    rand_acc *rands;
} series;

typedef struct mba_model {
    size_t n;          /* periods */
    custos_date *pits; /* n + 1 */
    series s[NCAT][NSLOT];
    char first_unmodelled[200];
    int64_t unmodelled;
} mba_model;

static void series_dispose(series *s)
{
    for (size_t g = 0; g < s->ngroups; g++) {
        custos_free(s->groups[g].net);
        custos_free(s->groups[g].entries);
    }
    custos_free(s->groups);
    custos_free(s->rands);
    custos_free(s->rvar);
    custos_free(s->rcov);
    custos_free(s->unmodelled);
}

static void mba_model_dispose(mba_model *m)
{
    for (int c = 0; c < NCAT; c++)
        for (int q = 0; q < NSLOT; q++)
            series_dispose(&m->s[c][q]);
    custos_free(m->pits);
    memset(m, 0, sizeof *m);
}

static int series_use(series *s, size_t n)
{
    if (s->used)
        return CUSTOS_OK;
    s->rvar = custos_calloc(n, sizeof *s->rvar);
    s->rcov = custos_calloc(n, sizeof *s->rcov);
    s->unmodelled = custos_calloc(n, sizeof *s->unmodelled);
    if (!s->rvar || !s->rcov || !s->unmodelled)
        return custos_error_nomem();
    s->used = true;
    return CUSTOS_OK;
}

static group_acc *group_get(series *s, size_t n, const char *method, const char *material,
                            char role, int cal, const custos_uncertainty *u)
{
    for (size_t g = 0; g < s->ngroups; g++) {
        group_acc *ga = &s->groups[g];
        if (ga->calibration == cal && !strcmp(ga->method, method) &&
            !strcmp(ga->material, material))
            return ga;
    }
    if (s->ngroups == s->capg) {
        size_t cap = s->capg ? s->capg * 2 : 8;
        group_acc *p = custos_realloc(s->groups, cap * sizeof *p);
        if (!p)
            return NULL;
        s->groups = p;
        s->capg = cap;
    }
    group_acc *ga = &s->groups[s->ngroups];
    memset(ga, 0, sizeof *ga);
    custos_strlcpy(ga->method, method, sizeof ga->method);
    custos_strlcpy(ga->material, material, sizeof ga->material);
    ga->role = role;
    ga->calibration = cal;
    ga->d_s = u->systematic;
    ga->d_r = u->random;
    ga->net = custos_calloc(n, sizeof *ga->net);
    ga->entries = custos_calloc(n, sizeof *ga->entries);
    if (!ga->net || !ga->entries) {
        custos_free(ga->net);
        custos_free(ga->entries);
        return NULL;
    }
    s->ngroups++;
    return ga;
}

static int rand_add(series *s, size_t period, const char *kmp, char role, const char *method,
                    const char *material, const custos_uncertainty *u, double var, double x)
{
    for (size_t i = 0; i < s->nrand; i++) {
        rand_acc *r = &s->rands[i];
        if (r->period == period && r->role == role && !strcmp(r->kmp, kmp) &&
            !strcmp(r->method, method) && !strcmp(r->material, material)) {
            r->var += var;
            r->sum += x;
            r->entries++;
            return CUSTOS_OK;
        }
    }
    if (s->nrand == s->capr) {
        size_t cap = s->capr ? s->capr * 2 : 16;
        rand_acc *p = custos_realloc(s->rands, cap * sizeof *p);
        if (!p)
            return custos_error_nomem();
        s->rands = p;
        s->capr = cap;
    }
    rand_acc *r = &s->rands[s->nrand++];
    memset(r, 0, sizeof *r);
    r->period = period;
    custos_strlcpy(r->kmp, kmp, sizeof r->kmp);
    r->role = role;
    custos_strlcpy(r->method, method, sizeof r->method);
    custos_strlcpy(r->material, material, sizeof r->material);
    r->d_r = u->random;
    r->d_s = u->systematic;
    r->var = var;
    r->sum = x;
    r->entries = 1;
    return CUSTOS_OK;
}

/* What the model says about one entry: up to three methods. */
typedef struct entry_model {
    int nm;
    char role[3];
    const char *method[3];
    const char *material;
    const custos_uncertainty *u[3];
    bool per_item;
} entry_model;

static const custos_uncertainty unknown_unc = {"", "", 0.0, 0.0, NULL};

/* Resolve the methods of e for an element (iso false) or isotope weight.
 * Returns false when the entry is unmodelled (why is set). */
static bool resolve(entry_model *em, const custos_measurement_model *mm,
                    const custos_targets *const *tables, size_t nt, const char *mba,
                    const custos_entry *e, bool iso, const char **why)
{
    memset(em, 0, sizeof *em);
    const custos_measurement_point *pt = NULL;
    bool measured = e->basis != 'N' && e->basis != 'L';
    if (mm && measured)
        pt = custos_measurement_point_for(mm, mba, e->kmp, e->mdc);
    if (!pt) {
        if (!mm) {
            *why = "the facility has no measurement model";
            return false;
        }
        if (!mm->has_unmeasured) {
            *why = measured ? "no measurement point covers its KMP and material description, and "
                              "the model declares no \"unmeasured\" uncertainty"
                            : "it was not measured at this MBA (basis N or L) and the model "
                              "declares no \"unmeasured\" uncertainty";
            return false;
        }
        em->nm = 1;
        em->role[0] = 'U';
        em->method[0] = "unmeasured";
        em->material = "*";
        em->u[0] = &mm->unmeasured;
        return true;
    }
    em->material = pt->material;
    em->per_item = pt->per_item;
    const char *names[3] = {pt->bulk, pt->element, iso ? pt->isotopic : ""};
    static const char roles[3] = {'B', 'E', 'I'};
    for (int r = 0; r < 3; r++) {
        if (!names[r][0])
            continue;
        /* One method named for two roles (NDA giving element and isotope
         * together) is one measurement: its errors count once. */
        bool again = false;
        for (int k = 0; k < em->nm; k++)
            again |= !strcmp(em->method[k], names[r]);
        if (again)
            continue;
        const custos_uncertainty *u =
            custos_uncertainty_for(mm, tables, nt, names[r], pt->material);
        if (!u) {
            *why = "a method of its measurement point has no uncertainty in the facility's model "
                   "or the target-value tables";
            return false;
        }
        em->role[em->nm] = roles[r];
        em->method[em->nm] = names[r];
        em->u[em->nm] = u;
        em->nm++;
    }
    return true;
}

typedef struct ctx {
    custos_ledger *l;
    const char *state, *mba;
    const custos_measurement_model *mm;
    const custos_targets *const *tables;
    size_t nt;
    mba_model *m;
} ctx;

/* One entry: period periods p0 (coefficient c0) and p1 (c1; SIZE_MAX for
 * none); date decides the calibration period. */
static int add_entry(ctx *cx, const custos_entry *e, size_t p0, int c0, size_t p1, int c1,
                     custos_date date, bool icr)
{
    mba_model *m = cx->m;
    size_t n = m->n;
    custos_change_kind kind = icr ? custos_change_code_kind(e->code) : CUSTOS_CHANGE_NONE;
    if (icr && (kind == CUSTOS_CHANGE_REBATCH || kind == CUSTOS_CHANGE_NONE))
        return CUSTOS_OK;
    int err;
    for (int w = 0; w < CUSTOS_NWEIGHTS; w++) {
        if (!(e->wmask >> w & 1u))
            continue;
        int label = custos_weight_label(w);
        int c = cat_index(custos_book_category(e, label));
        if (c < 0)
            continue;
        int q = slot_of(w);
        int sign = 1;
        if (icr) {
            sign = kind == CUSTOS_CHANGE_DIFFERENCE ? -1 : custos_change_sign(e->code, label);
            if (sign == 0)
                continue;
        }
        series *s = &m->s[c][q];
        if ((err = series_use(s, n)) < 0)
            return err;
        double x = (double)e->mg[w] / 1000.0;
        entry_model em;
        const char *why = NULL;
        if (!resolve(&em, cx->mm, cx->tables, cx->nt, cx->mba, e, q != ELEMENT_SLOT, &why)) {
            s->unmodelled[p0]++;
            if (p1 != SIZE_MAX)
                s->unmodelled[p1]++;
            if (!m->unmodelled++)
                snprintf(m->first_unmodelled, sizeof m->first_unmodelled,
                         "KMP %s, batch %s, label %d: %s", e->kmp, e->batch, label, why);
            continue;
        }
        double items = em.per_item && e->items > 1 ? (double)e->items : 1.0;
        for (int k = 0; k < em.nm; k++) {
            const custos_uncertainty *u = em.u[k];
            double var = x * u->random * (x * u->random) / items;
            s->rvar[p0] += var;
            if ((err = rand_add(s, p0, e->kmp, em.role[k], em.method[k], em.material, u, var, x)) <
                0)
                return err;
            if (p1 != SIZE_MAX) {
                s->rvar[p1] += var;
                s->rcov[p1] += (double)(c0 * c1) * var; /* p1 = p0 + 1 */
                if ((err = rand_add(s, p1, e->kmp, em.role[k], em.method[k], em.material, u, var,
                                    x)) < 0)
                    return err;
            }
            int cal = em.role[k] == 'U' ? 0 : custos_calibration_period(cx->mm, em.method[k], date);
            group_acc *g = group_get(s, n, em.method[k], em.material, em.role[k], cal,
                                     u ? u : &unknown_unc);
            if (!g)
                return custos_error_nomem();
            g->net[p0] += (double)(c0 * sign) * x;
            g->entries[p0]++;
            if (p1 != SIZE_MAX) {
                g->net[p1] += (double)(c1 * sign) * x;
                g->entries[p1]++;
            }
        }
    }
    return CUSTOS_OK;
}

static int cmp_date(const void *a, const void *b)
{
    custos_date x = *(const custos_date *)a, y = *(const custos_date *)b;
    return x < y ? -1 : x > y;
}

/* Build the model of the books of state/mba.  m->n is 0 when the MBA has
 * fewer than two PITs. */
static int build(mba_model *m, ctx *cx)
{
    memset(m, 0, sizeof *m);
    cx->m = m;
    custos_book pil = {0}, icr = {0};
    int err;
    sqlite3_stmt *s = NULL;
    if ((err = custos_book_load(&pil, cx->l, cx->state, cx->mba, 'P')) < 0 ||
        (err = custos_book_load(&icr, cx->l, cx->state, cx->mba, 'I')) < 0)
        goto done;
    if (sqlite3_prepare_v2(custos_ledger_db(cx->l),
                           "SELECT DISTINCT period_end FROM reports WHERE state=?1 AND mba=?2 AND "
                           "type='P' ORDER BY period_end",
                           -1, &s, NULL) != SQLITE_OK) {
        err = custos_ledger_sqlerr(cx->l, "prepare");
        goto done;
    }
    sqlite3_bind_text(s, 1, cx->state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, cx->mba, -1, SQLITE_STATIC);
    size_t npits = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (npits == cap) {
            cap = cap ? cap * 2 : 16;
            custos_date *p = custos_realloc(m->pits, cap * sizeof *p);
            if (!p) {
                err = custos_error_nomem();
                goto done;
            }
            m->pits = p;
        }
        m->pits[npits++] = (custos_date)sqlite3_column_int(s, 0);
    }
    if (rc != SQLITE_DONE) {
        err = custos_ledger_sqlerr(cx->l, "PIT dates");
        goto done;
    }
    if (npits < 2)
        goto done;
    m->n = npits - 1;
    /* Inventory items: PIT k is PE of period k-1 and PB of period k. */
    for (size_t i = 0; i < pil.n; i++) {
        custos_date d = pil.items[i].period_end;
        custos_date *p = bsearch(&d, m->pits, npits, sizeof *m->pits, cmp_date);
        if (!p)
            continue;
        size_t k = (size_t)(p - m->pits);
        if (k == 0)
            err = add_entry(cx, &pil.items[i].e, 0, +1, SIZE_MAX, 0, d, false);
        else if (k == m->n)
            err = add_entry(cx, &pil.items[i].e, k - 1, -1, SIZE_MAX, 0, d, false);
        else
            err = add_entry(cx, &pil.items[i].e, k - 1, -1, k, +1, d, false);
        if (err < 0)
            goto done;
    }
    for (size_t i = 0; i < icr.n; i++) {
        const custos_entry *e = &icr.items[i].e;
        custos_date d = e->change_date;
        if (d <= m->pits[0] || d > m->pits[m->n])
            continue;
        /* The period with pits[t] < d <= pits[t+1]. */
        size_t lo = 0, hi = m->n;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (m->pits[mid] < d)
                lo = mid;
            else
                hi = mid;
        }
        if ((err = add_entry(cx, e, lo, +1, SIZE_MAX, 0, d, true)) < 0)
            goto done;
    }
done:
    sqlite3_finalize(s);
    custos_book_dispose(&pil);
    custos_book_dispose(&icr);
    if (err < 0)
        mba_model_dispose(m);
    return err;
}

/* The measurement model of the facility that lists state/mba (borrowed
 * from f), or NULL. */
static const custos_measurement_model *model_of(custos_facility **f, size_t nf, const char *state,
                                                const char *mba)
{
    for (size_t i = 0; i < nf; i++) {
        if (strcmp(f[i]->state, state))
            continue;
        for (size_t k = 0; k < f[i]->nmbas; k++)
            if (!strcmp(f[i]->mbas[k].code, mba))
                return f[i]->measurement.npoints || f[i]->measurement.has_unmeasured
                           ? &f[i]->measurement
                           : NULL;
    }
    return NULL;
}

typedef struct env {
    custos_facility **f;
    int *ver;
    size_t nf;
    custos_targets **t;
    size_t nt;
} env;

static void env_dispose(env *e)
{
    for (size_t i = 0; i < e->nf; i++)
        custos_facility_free(e->f[i]);
    custos_free(e->f);
    custos_free(e->ver);
    for (size_t i = 0; i < e->nt; i++)
        custos_targets_free(e->t[i]);
    custos_free(e->t);
    memset(e, 0, sizeof *e);
}

static int env_load(env *e, custos_ledger *l)
{
    memset(e, 0, sizeof *e);
    int err = custos_ledger_facilities(&e->f, &e->ver, &e->nf, l);
    if (err >= 0)
        err = custos_ledger_targets(&e->t, &e->nt, l);
    if (err < 0)
        env_dispose(e);
    return err;
}

static int push_contrib(custos_balances *b, size_t *cap, const custos_muf_contribution *c)
{
    if (b->ncontribs == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        custos_muf_contribution *p = custos_realloc(b->contribs, nc * sizeof *p);
        if (!p)
            return custos_error_nomem();
        b->contribs = p;
        *cap = nc;
    }
    b->contribs[b->ncontribs++] = *c;
    return CUSTOS_OK;
}

/* Largest variance first. */
static int cmp_contrib(const void *a, const void *b)
{
    const custos_muf_contribution *x = a, *y = b;
    return x->variance < y->variance ? 1 : x->variance > y->variance ? -1 : 0;
}

int custos_ledger_sigma(custos_ledger *l, custos_balances *b, custos_diags *d)
{
    env e;
    int err = env_load(&e, l);
    if (err < 0)
        return err;
    mba_model m;
    memset(&m, 0, sizeof m);
    size_t cap = b->ncontribs;
    for (size_t i = 0; i < b->n && err >= 0;) {
        /* The balances of one MBA are contiguous. */
        size_t j = i;
        while (j < b->n && !strcmp(b->items[j].state, b->items[i].state) &&
               !strcmp(b->items[j].mba, b->items[i].mba))
            j++;
        const char *state = b->items[i].state, *mba = b->items[i].mba;
        ctx cx = {l, state, mba, model_of(e.f, e.nf, state, mba),
                  (const custos_targets *const *)e.t, e.nt, &m};
        if ((err = build(&m, &cx)) < 0)
            break;
        /* An MBA whose facility describes no measurement at all simply
         * has no sigma-MUF; a model with holes is a finding. */
        if (m.unmodelled && cx.mm)
            custos_diags_add(d, CUSTOS_SEV_FINDING, "", 0, 0, 0,
                             "MBA %s/%s: %lld weight%s without a measurement model, first: %s; "
                             "their balances have no sigma-MUF",
                             state, mba, (long long)m.unmodelled, m.unmodelled == 1 ? "" : "s",
                             m.first_unmodelled);
        for (size_t k = i; k < j && err >= 0; k++) {
            custos_balance *bal = &b->items[k];
            int c = cat_index(bal->element);
            int q = bal->label ? custos_weight_index(bal->label) : ELEMENT_SLOT;
            custos_date *p = m.n ? bsearch(&bal->end, m.pits, m.n + 1, sizeof *m.pits, cmp_date)
                                 : NULL;
            if (c < 0 || q < 0 || !p || p == m.pits || !m.s[c][q].used)
                continue;
            size_t t = (size_t)(p - m.pits) - 1;
            series *s = &m.s[c][q];
            bal->unmodelled = s->unmodelled[t];
            bal->var_random = s->rvar[t];
            bal->var_systematic = 0.0;
            bal->contrib_first = b->ncontribs;
            for (size_t g = 0; g < s->ngroups; g++) {
                group_acc *ga = &s->groups[g];
                if (!ga->entries[t])
                    continue;
                double u = ga->d_s * ga->net[t];
                bal->var_systematic += u * u;
                custos_muf_contribution cb;
                memset(&cb, 0, sizeof cb);
                cb.kind = 'S';
                cb.role = ga->role;
                custos_strlcpy(cb.method, ga->method, sizeof cb.method);
                custos_strlcpy(cb.material, ga->material, sizeof cb.material);
                cb.calibration = ga->calibration;
                cb.rel_random = ga->d_r;
                cb.rel_systematic = ga->d_s;
                cb.net = ga->net[t];
                cb.variance = u * u;
                cb.entries = ga->entries[t];
                if ((err = push_contrib(b, &cap, &cb)) < 0)
                    break;
            }
            for (size_t r = 0; r < s->nrand && err >= 0; r++) {
                rand_acc *ra = &s->rands[r];
                if (ra->period != t)
                    continue;
                custos_muf_contribution cb;
                memset(&cb, 0, sizeof cb);
                cb.kind = 'R';
                custos_strlcpy(cb.kmp, ra->kmp, sizeof cb.kmp);
                cb.role = ra->role;
                custos_strlcpy(cb.method, ra->method, sizeof cb.method);
                custos_strlcpy(cb.material, ra->material, sizeof cb.material);
                cb.rel_random = ra->d_r;
                cb.rel_systematic = ra->d_s;
                cb.net = ra->sum;
                cb.variance = ra->var;
                cb.entries = ra->entries;
                err = push_contrib(b, &cap, &cb);
            }
            if (err < 0)
                break;
            bal->ncontrib = b->ncontribs - bal->contrib_first;
            if (bal->ncontrib > 1) /* none: contribs may be NULL, not for qsort */
                qsort(b->contribs + bal->contrib_first, bal->ncontrib, sizeof *b->contribs,
                      cmp_contrib);
            bal->has_sigma = bal->unmodelled == 0;
            bal->sigma_muf = bal->has_sigma ? sqrt(bal->var_random + bal->var_systematic) : 0.0;
        }
        mba_model_dispose(&m);
        i = j;
    }
    mba_model_dispose(&m);
    env_dispose(&e);
    return err;
}

int custos_ledger_sequence(custos_sequence **out, custos_ledger *l, const char *spec, char element,
                           int label, custos_diags *d)
{
    *out = NULL;
    custos_balances *b = NULL;
    custos_sequence *seq = NULL;
    char(*mbas)[8] = NULL;
    size_t nm = 0;
    env e;
    memset(&e, 0, sizeof e);
    mba_model m;
    memset(&m, 0, sizeof m);
    int err = custos_book_mbas(l, spec, &mbas, &nm);
    if (err < 0)
        return err;
    if (nm != 1) {
        err = custos_error_set(CUSTOS_EINVAL, "MBA %s is ambiguous: name it as STATE/CODE", spec);
        goto done;
    }
    const char *state = mbas[0], *mba = mbas[0] + 3;
    int q = label ? custos_weight_index(label) : ELEMENT_SLOT;
    if (q < 0 || (label && custos_weight_is_element(label))) {
        err = custos_error_set(CUSTOS_EINVAL, "label %d is not an isotope or fissile weight label",
                               label);
        goto done;
    }
    if ((err = custos_ledger_balances(&b, l, spec, NULL)) < 0)
        goto done;
    if (!element) {
        char found[NCAT + 1] = "";
        size_t nf = 0;
        for (size_t i = 0; i < b->n; i++)
            if (b->items[i].label == label && !strchr(found, b->items[i].element))
                found[nf++] = b->items[i].element;
        if (nf != 1) {
            err = custos_error_set(nf ? CUSTOS_EINVAL : CUSTOS_ENOTFOUND,
                                   nf ? "MBA %s has balances of several element categories (%s): "
                                        "choose one"
                                      : "MBA %s has no closed balance period%s",
                                   spec, found);
            goto done;
        }
        element = found[0];
    }
    int c = cat_index(element);
    if (c < 0) {
        err = custos_error_set(CUSTOS_EINVAL, "element category '%c' is not N, D, E, P or T",
                               element);
        goto done;
    }
    if ((err = env_load(&e, l)) < 0)
        goto done;
    ctx cx = {l, state, mba, model_of(e.f, e.nf, state, mba), (const custos_targets *const *)e.t,
              e.nt, &m};
    if ((err = build(&m, &cx)) < 0)
        goto done;
    series *s = &m.s[c][q];
    if (m.n == 0 || !s->used) {
        err = custos_error_set(CUSTOS_ENOTFOUND, "MBA %s has no closed balance period of %c%s%.0d",
                               spec, element, label ? " label " : "", label);
        goto done;
    }
    size_t ng = 0;
    for (size_t g = 0; g < s->ngroups; g++)
        ng += s->groups[g].d_s != 0.0;
    if ((err = custos_sequence_new(&seq, m.n, ng)) < 0)
        goto done;
    custos_strlcpy(seq->state, state, sizeof seq->state);
    custos_strlcpy(seq->mba, mba, sizeof seq->mba);
    seq->element = element;
    seq->label = label;
    for (size_t t = 0; t < m.n; t++) {
        seq->start[t] = custos_date_add(m.pits[t], 1);
        seq->end[t] = m.pits[t + 1];
        seq->rvar[t] = s->rvar[t];
        seq->rcov[t] = t ? s->rcov[t] : 0.0;
        seq->unmodelled += s->unmodelled[t];
    }
    for (size_t g = 0, k = 0; g < s->ngroups; g++) {
        group_acc *ga = &s->groups[g];
        if (ga->d_s == 0.0)
            continue;
        custos_muf_group *mg = &seq->groups[k];
        custos_strlcpy(mg->method, ga->method, sizeof mg->method);
        custos_strlcpy(mg->material, ga->material, sizeof mg->material);
        mg->role = ga->role;
        mg->calibration = ga->calibration;
        for (size_t t = 0; t < m.n; t++)
            seq->sys[k * m.n + t] = ga->d_s * ga->net[t];
        k++;
    }
    for (size_t i = 0; i < b->n; i++) {
        const custos_balance *bal = &b->items[i];
        if (bal->element != element || bal->label != label)
            continue;
        custos_date *p = bsearch(&bal->end, m.pits, m.n + 1, sizeof *m.pits, cmp_date);
        if (p && p != m.pits)
            seq->muf[p - m.pits - 1] = (double)bal->muf / 1000.0;
    }
    if (m.unmodelled)
        custos_diags_add(d, CUSTOS_SEV_FINDING, "", 0, 0, 0,
                         "MBA %s/%s: %lld weight%s without a measurement model, first: %s; the "
                         "covariance leaves them out",
                         state, mba, (long long)m.unmodelled, m.unmodelled == 1 ? "" : "s",
                         m.first_unmodelled);
done:
    mba_model_dispose(&m);
    env_dispose(&e);
    custos_balances_free(b);
    custos_free(mbas);
    if (err < 0) {
        custos_sequence_free(seq);
        return err;
    }
    *out = seq;
    return CUSTOS_OK;
}
