/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evaluate.c: State-level evaluation (custos/evaluate.h): evidence from
 * the ledger, the statistics and the information items; which evidence
 * bears on which path; the third-party rule; log-odds scores; the
 * conclusions; the counterfactual audit.
 *
 * The bearing matrix (evidence x paths, entries -1, 0, +1) is computed
 * once; a run of the scoring is then a masked sum over it, so the audit's
 * (pieces + classes) re-runs cost O(pieces x paths) each.  Runs differ
 * only in which evidence is included; the third-party rule is re-applied
 * in every run, since removing a corroborating item can take a
 * third-party item out of the count.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "custos/balance.h"
#include "custos/evaluate.h"
#include "custos/ledger.h"
#include "stateint.h"

void custos_evaluation_free(custos_evaluation *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nevidence; i++) {
        custos_free(e->evidence[i].text);
        custos_free(e->evidence[i].links);
    }
    custos_free(e->evidence);
    for (size_t i = 0; i < e->nscores; i++)
        custos_free(e->scores[i].contribution);
    custos_free(e->scores);
    for (size_t i = 0; i < e->nconclusions; i++)
        custos_free(e->conclusions[i].evidence);
    custos_free(e->conclusions);
    for (size_t i = 0; i < e->ncounterfactuals; i++)
        custos_free(e->counterfactuals[i].changed);
    custos_free(e->counterfactuals);
    for (size_t i = 0; i < e->nstats; i++)
        custos_mba_statistics_dispose(&e->stats[i]);
    custos_free(e->stats);
    custos_free(e);
}

const char *custos_conclusion_text(char *buf, size_t size, const custos_conclusion *c, bool drawn)
{
    switch (c->kind) {
    case CUSTOS_CONCL_DIVERSION:
        snprintf(buf, size, "%s of diversion of declared nuclear material at facility %s",
                 drawn ? "no indication" : "indication", c->facility);
        break;
    case CUSTOS_CONCL_UNDECLARED:
        snprintf(buf, size, "%s of undeclared nuclear material or activities",
                 drawn ? "no indication" : "indication");
        break;
    case CUSTOS_CONCL_BROADER:
        if (!c->applicable)
            snprintf(buf, size, "broader conclusion not applicable (needs a comprehensive "
                                "safeguards agreement and an additional protocol in force)");
        else if (drawn)
            snprintf(buf, size, "all nuclear material remained in peaceful activities");
        else
            snprintf(buf, size, "broader conclusion not drawn");
        break;
    }
    return buf;
}

/* Growing the evidence array. */
typedef struct evb {
    custos_evaluation *e;
    size_t cap;
} evb;

static custos_evidence *ev_new(evb *b)
{
    custos_evaluation *e = b->e;
    if (e->nevidence == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 32;
        custos_evidence *p = custos_realloc(e->evidence, nc * sizeof *p);
        if (!p)
            return NULL;
        e->evidence = p;
        b->cap = nc;
    }
    custos_evidence *v = &e->evidence[e->nevidence++];
    memset(v, 0, sizeof *v);
    v->item = -1;
    return v;
}

static double grade_weight(const custos_state_model *m, char rel, int cred)
{
    int r = rel >= 'A' && rel <= 'F' ? rel - 'A' : 5;
    int c = cred >= 1 && cred <= 6 ? cred - 1 : 5;
    return m->eval.reliability[r] / 100 * m->eval.credibility[c] / 100;
}

/* A finding on one MBA (or two) from the ledger or the statistics. */
static int add_finding(evb *b, const custos_state_model *m, const char *id,
                       custos_source_class src, char rel, int cred, double lr, const char *mba1,
                       const char *mba2, custos_date date, const char *text)
{
    custos_evidence *v = ev_new(b);
    if (!v)
        return custos_error_nomem();
    custos_strlcpy(v->id, id, sizeof v->id);
    v->source = src;
    v->reliability = rel;
    v->credibility = cred;
    v->weight = grade_weight(m, rel, cred);
    v->date = date;
    /* lr < 1 is evidence of absence: store |ln LR| with the direction. */
    int dir = lr >= 1 ? 1 : -1;
    v->ln_lr = fabs(log(lr));
    v->text = custos_strdup(text);
    v->links = custos_calloc(2, sizeof *v->links);
    if (!v->text || !v->links)
        return custos_error_nomem();
    const char *mbas[2] = {mba1, mba2};
    for (int k = 0; k < 2; k++) {
        if (!mbas[k] || !mbas[k][0])
            continue;
        custos_info_link *lk = &v->links[v->nlinks++];
        lk->kind = CUSTOS_LINK_MBA;
        custos_strlcpy(lk->ref, mbas[k], sizeof lk->ref);
        lk->direction = dir;
    }
    return CUSTOS_OK;
}

static bool model_mba(const custos_state_model *m, const char *mba)
{
    for (size_t f = 0; f < m->nfacilities; f++)
        for (size_t k = 0; k < m->facilities[f].nmbas; k++)
            if (!strcmp(m->facilities[f].mbas[k], mba))
                return true;
    return false;
}

/* Ledger findings, one piece per MBA and kind: operator MBRs that
 * disagree with the books (grade A3: the books are certain, a discrepancy
 * is only possibly a diversion); overdue shipments (A2), receipts without
 * a shipment (A3).  LR: the accountancy class's. */
static int ledger_findings(evb *b, custos_ledger *l, const custos_state_model *m,
                           custos_date *as_of)
{
    custos_balances *bal = NULL;
    custos_transfers *tr = NULL;
    int err = custos_ledger_balances(&bal, l, NULL, NULL);
    if (err < 0)
        return err;
    double lr = m->eval.lr[CUSTOS_SRC_ACCOUNTANCY];
    /* MBR disagreements per MBA (balances come grouped by MBA). */
    for (size_t i = 0; i < bal->n && err >= 0;) {
        const custos_balance *x = &bal->items[i];
        size_t k = i;
        int bad = 0;
        custos_date last = 0;
        for (; k < bal->n && !strcmp(bal->items[k].mba, x->mba) &&
               !strcmp(bal->items[k].state, x->state);
             k++) {
            const custos_balance *y = &bal->items[k];
            if (y->end > last)
                last = y->end;
            bad += y->mbr_differences > 0;
        }
        i = k;
        if (strcmp(x->state, m->state))
            continue;
        if (last > *as_of)
            *as_of = last;
        if (!bad || !model_mba(m, x->mba))
            continue;
        char id[64], text[200];
        snprintf(id, sizeof id, "ledger:%s:mbr", x->mba);
        snprintf(text, sizeof text,
                 "operator MBR disagrees with the books at MBA %s in %d balance line%s", x->mba,
                 bad, bad == 1 ? "" : "s");
        err = add_finding(b, m, id, CUSTOS_SRC_ACCOUNTANCY, 'A', 3, lr, x->mba, NULL, last, text);
    }
    custos_balances_free(bal);
    if (err < 0)
        return err;
    if ((err = custos_ledger_transfers(&tr, l, NULL, NULL)) < 0)
        return err;
    for (size_t i = 0; i < tr->n && err >= 0; i++) {
        const custos_transfer *t = &tr->items[i];
        if (strcmp(t->state, m->state) ||
            (t->status != CUSTOS_TRANSFER_OVERDUE && t->status != CUSTOS_TRANSFER_UNMATCHED_RECEIPT))
            continue;
        bool overdue = t->status == CUSTOS_TRANSFER_OVERDUE;
        int count = 0;
        bool first = true;
        for (size_t k = 0; k < tr->n; k++) {
            const custos_transfer *u = &tr->items[k];
            if (u->status != t->status || strcmp(u->from_mba, t->from_mba) ||
                strcmp(u->to_mba, t->to_mba) || strcmp(u->state, t->state))
                continue;
            if (k < i)
                first = false;
            count++;
        }
        if (!first)
            continue;
        char id[64], text[200];
        snprintf(id, sizeof id, "ledger:%s-%s:%s", t->from_mba, t->to_mba,
                 overdue ? "overdue" : "unmatched");
        snprintf(text, sizeof text, "%d %s from %s to %s", count,
                 overdue ? (count == 1 ? "shipment overdue" : "shipments overdue")
                         : (count == 1 ? "receipt without a shipment" : "receipts without a shipment"),
                 t->from_mba[0] ? t->from_mba : "?", t->to_mba[0] ? t->to_mba : "?");
        const char *a = model_mba(m, t->from_mba) ? t->from_mba : NULL;
        const char *c = model_mba(m, t->to_mba) ? t->to_mba : NULL;
        if (!a && !c)
            continue;
        err = add_finding(b, m, id, CUSTOS_SRC_ACCOUNTANCY, 'A', overdue ? 2 : 3, lr, a, c,
                          overdue ? t->deadline : t->recv_date, text);
    }
    custos_transfers_free(tr);
    return err;
}

static int item_evidence(evb *b, const custos_state_model *m, custos_info_item *const *items,
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const custos_info_item *it = items[i];
        if (strcmp(it->state, m->state))
            continue;
        custos_evidence *v = ev_new(b);
        if (!v)
            return custos_error_nomem();
        custos_strlcpy(v->id, it->id, sizeof v->id);
        v->source = it->source;
        v->reliability = it->reliability;
        v->credibility = it->credibility;
        v->weight = grade_weight(m, it->reliability, it->credibility);
        double lr = it->likelihood_ratio > 0 ? it->likelihood_ratio : m->eval.lr[it->source];
        v->ln_lr = log(lr);
        custos_strlcpy(v->compartment, it->compartment, sizeof v->compartment);
        custos_strlcpy(v->classification, custos_classification_name(it->classification),
                       sizeof v->classification);
        custos_strlcpy(v->originator, it->originator, sizeof v->originator);
        v->date = it->date;
        v->item = (long)i;
        custos_strlcpy(v->clarification_of, it->clarification_of, sizeof v->clarification_of);
        v->text = custos_strdup(it->title);
        v->links = custos_calloc(it->nlinks ? it->nlinks : 1, sizeof *v->links);
        if (!v->text || !v->links)
            return custos_error_nomem();
        memcpy(v->links, it->links, it->nlinks * sizeof *v->links);
        v->nlinks = it->nlinks;
    }
    return CUSTOS_OK;
}

/* The facility an MBA belongs to in the model, or NULL. */
static const custos_state_facility *facility_of_mba(const custos_state_model *m, const char *mba)
{
    for (size_t f = 0; f < m->nfacilities; f++)
        for (size_t k = 0; k < m->facilities[f].nmbas; k++)
            if (!strcmp(m->facilities[f].mbas[k], mba))
                return &m->facilities[f];
    return NULL;
}

/* Does link k name something on path p? */
static bool link_on_path(const custos_info_link *k, const custos_state_model *m,
                         const custos_apa_path *p)
{
    const custos_state_node *start = &m->nodes[p->start];
    switch (k->kind) {
    case CUSTOS_LINK_NODE:
        if (!strcmp(start->id, k->ref))
            return true;
        for (size_t s = 0; s < p->nsteps; s++)
            if (!strcmp(m->nodes[m->edges[p->edges[s]].to].id, k->ref))
                return true;
        return false;
    case CUSTOS_LINK_EDGE:
        for (size_t s = 0; s < p->nsteps; s++)
            if (!strcmp(m->edges[p->edges[s]].id, k->ref))
                return true;
        return false;
    case CUSTOS_LINK_FACILITY:
        for (size_t s = 0; s < p->nsteps; s++)
            if (!strcmp(m->edges[p->edges[s]].facility, k->ref))
                return true;
        for (size_t s = 0; s < start->nstock; s++) {
            const custos_state_facility *f = facility_of_mba(m, start->stock[s].mba);
            if (f && !strcmp(f->code, k->ref))
                return true;
        }
        return false;
    case CUSTOS_LINK_MBA:
        for (size_t s = 0; s < p->nsteps; s++) {
            const custos_state_edge *e = &m->edges[p->edges[s]];
            if (!strcmp(e->mba, k->ref))
                return true;
            /* A step at a facility without a named MBA covers all of its
             * MBAs. */
            const custos_state_facility *f = facility_of_mba(m, k->ref);
            if (!e->mba[0] && f && !strcmp(f->code, e->facility))
                return true;
        }
        for (size_t s = 0; s < start->nstock; s++)
            if (!strcmp(start->stock[s].mba, k->ref))
                return true;
        return false;
    }
    return false;
}

/* The scoring state of one run. */
typedef struct run {
    bool *include;     /* evidence included in this run */
    bool *counted;     /* included and counted (third-party rule) */
    custos_evidence_status *status;
    long *because;     /* corroborating / clarifying evidence, -1 */
    double *logit;     /* per path */
    bool *drawn;       /* per conclusion */
} run;

typedef struct ctx {
    const custos_state_model *m;
    const custos_apa_result *apa;
    custos_evaluation *e;
    signed char *bear;   /* nevidence x nscores */
    bool **looks;        /* per conclusion: paths it looks at (nscores) */
} ctx;

static bool same_target(const custos_info_link *a, const custos_info_link *b)
{
    return a->kind == b->kind && !strcmp(a->ref, b->ref) && a->direction == b->direction;
}

/* Apply the third-party rule over the included evidence. */
static void count(const ctx *c, run *r)
{
    const custos_evaluation *e = c->e;
    for (size_t i = 0; i < e->nevidence; i++) {
        const custos_evidence *v = &e->evidence[i];
        r->because[i] = -1;
        r->counted[i] = r->include[i];
        r->status[i] = CUSTOS_EV_COUNTED;
        if (!r->include[i] || v->source != CUSTOS_SRC_THIRD_PARTY)
            continue;
        long by = -1;
        custos_evidence_status st = CUSTOS_EV_UNCORROBORATED;
        for (size_t k = 0; k < e->nevidence && by < 0; k++) {
            const custos_evidence *w = &e->evidence[k];
            if (!r->include[k] || w->source == CUSTOS_SRC_THIRD_PARTY)
                continue;
            for (size_t a = 0; a < v->nlinks && by < 0; a++)
                for (size_t b = 0; b < w->nlinks && by < 0; b++)
                    if (same_target(&v->links[a], &w->links[b])) {
                        by = (long)k;
                        st = CUSTOS_EV_CORROBORATED;
                    }
        }
        for (size_t k = 0; k < e->nevidence && by < 0; k++) {
            const custos_evidence *w = &e->evidence[k];
            if (r->include[k] && w->source == CUSTOS_SRC_STATE_DECLARATION &&
                !strcmp(w->clarification_of, v->id)) {
                by = (long)k;
                st = CUSTOS_EV_CLARIFIED;
            }
        }
        r->because[i] = by;
        r->status[i] = st;
        r->counted[i] = by >= 0;
    }
}

static void score(const ctx *c, run *r)
{
    const custos_evaluation *e = c->e;
    for (size_t j = 0; j < e->nscores; j++) {
        double x = e->scores[j].prior_logit;
        for (size_t i = 0; i < e->nevidence; i++)
            if (r->counted[i] && c->bear[i * e->nscores + j])
                x += e->evidence[i].weight * e->evidence[i].ln_lr * c->bear[i * e->nscores + j];
        r->logit[j] = x;
    }
    double th = custos_logit(e->threshold);
    bool all = true;
    for (size_t k = 0; k < e->nconclusions; k++) {
        custos_conclusion *cc = &e->conclusions[k];
        if (cc->kind == CUSTOS_CONCL_BROADER)
            continue;
        bool ok = true;
        for (size_t j = 0; j < e->nscores && ok; j++)
            if (c->looks[k][j] && r->logit[j] >= th)
                ok = false;
        r->drawn[k] = ok;
        all &= ok;
    }
    for (size_t k = 0; k < e->nconclusions; k++)
        if (e->conclusions[k].kind == CUSTOS_CONCL_BROADER)
            r->drawn[k] = e->conclusions[k].applicable && all;
}

static void run_dispose(run *r)
{
    custos_free(r->include);
    custos_free(r->counted);
    custos_free(r->status);
    custos_free(r->because);
    custos_free(r->logit);
    custos_free(r->drawn);
}

static int run_init(run *r, const custos_evaluation *e)
{
    size_t ne = e->nevidence ? e->nevidence : 1, ns = e->nscores ? e->nscores : 1;
    size_t nc = e->nconclusions ? e->nconclusions : 1;
    r->include = custos_calloc(ne, sizeof *r->include);
    r->counted = custos_calloc(ne, sizeof *r->counted);
    r->status = custos_calloc(ne, sizeof *r->status);
    r->because = custos_calloc(ne, sizeof *r->because);
    r->logit = custos_calloc(ns, sizeof *r->logit);
    r->drawn = custos_calloc(nc, sizeof *r->drawn);
    if (!r->include || !r->counted || !r->status || !r->because || !r->logit || !r->drawn)
        return custos_error_nomem();
    for (size_t i = 0; i < e->nevidence; i++)
        r->include[i] = true;
    return CUSTOS_OK;
}

/* Conclusions and the paths each looks at. */
static int conclusions(ctx *c)
{
    custos_evaluation *e = c->e;
    const custos_state_model *m = c->m;
    size_t n = m->nfacilities + 2;
    e->conclusions = custos_calloc(n, sizeof *e->conclusions);
    c->looks = custos_calloc(n, sizeof *c->looks);
    if (!e->conclusions || !c->looks)
        return custos_error_nomem();
    for (size_t k = 0; k < n; k++) {
        custos_conclusion *cc = &e->conclusions[e->nconclusions++];
        cc->strongest = -1;
        c->looks[k] = custos_calloc(e->nscores ? e->nscores : 1, sizeof **c->looks);
        if (!c->looks[k])
            return custos_error_nomem();
        if (k < m->nfacilities) {
            cc->kind = CUSTOS_CONCL_DIVERSION;
            custos_strlcpy(cc->facility, m->facilities[k].code, sizeof cc->facility);
        } else {
            cc->kind = k == m->nfacilities ? CUSTOS_CONCL_UNDECLARED : CUSTOS_CONCL_BROADER;
        }
        cc->applicable = cc->kind != CUSTOS_CONCL_BROADER ||
                         (custos_state_in_force(m, "comprehensive") &&
                          custos_state_in_force(m, "additional-protocol"));
        for (size_t j = 0; j < e->nscores; j++) {
            const custos_apa_path *p = &c->apa->paths[e->scores[j].path];
            bool on = cc->kind == CUSTOS_CONCL_BROADER, any_declared = false;
            for (size_t s = 0; s < p->nsteps && !on; s++) {
                const custos_state_edge *ed = &m->edges[p->edges[s]];
                any_declared |= ed->declared;
                if (cc->kind == CUSTOS_CONCL_DIVERSION)
                    on = ed->type == CUSTOS_ACT_DIVERSION && !strcmp(ed->facility, cc->facility);
                else
                    on = ed->type == CUSTOS_ACT_MISUSE;
            }
            /* A route with no declared step at all (undeclared source,
             * import, undeclared plants) is undeclared activity. */
            if (cc->kind == CUSTOS_CONCL_UNDECLARED && !on && !any_declared)
                on = true;
            c->looks[k][j] = on;
            cc->npaths += on;
        }
    }
    return CUSTOS_OK;
}

int custos_evaluate(custos_evaluation **out, custos_ledger *l, const custos_state_model *m,
                    const custos_apa_result *apa, custos_info_item *const *items, size_t n,
                    const custos_evaluate_options *opt)
{
    *out = NULL;
    int err = CUSTOS_OK;
    run full, alt;
    memset(&full, 0, sizeof full);
    memset(&alt, 0, sizeof alt);
    ctx c = {m, apa, NULL, NULL, NULL};
    custos_evaluation *e = custos_calloc(1, sizeof *e);
    if (!e)
        return custos_error_nomem();
    c.e = e;
    evb b = {e, 0};
    custos_strlcpy(e->state, m->state, sizeof e->state);
    e->threshold = m->eval.threshold;
    /* Evidence. */
    if (l && (err = ledger_findings(&b, l, m, &e->as_of)) < 0)
        goto done;
    for (size_t i = 0; opt && i < opt->nfindings && err >= 0; i++) {
        const custos_finding *f = &opt->findings[i];
        if (!(f->likelihood_ratio > 0) || !isfinite(f->likelihood_ratio)) {
            err = custos_error_set(CUSTOS_EDOMAIN, "finding %s: likelihood ratio %g", f->id,
                                   f->likelihood_ratio);
            break;
        }
        err = add_finding(&b, m, f->id, f->source, f->reliability, f->credibility,
                          f->likelihood_ratio, f->mba, NULL, f->date, f->text);
    }
    if (err < 0 || (err = item_evidence(&b, m, items, n)) < 0)
        goto done;
    /* Scores: one per feasible path. */
    e->scores = custos_calloc(apa->npaths ? apa->npaths : 1, sizeof *e->scores);
    if (!e->scores) {
        err = custos_error_nomem();
        goto done;
    }
    for (size_t j = 0; j < apa->npaths; j++) {
        const custos_apa_path *p = &apa->paths[j];
        if (!p->feasible)
            continue;
        custos_path_score *s = &e->scores[e->nscores++];
        s->path = j;
        s->prior_logit = custos_logit(m->eval.prior) -
                         m->eval.difficulty_weight * (p->difficulty - 1) -
                         m->eval.time_weight * p->time_days / m->eval.time_ref_days;
        s->prior = custos_expit(s->prior_logit);
        s->contribution = custos_calloc(e->nevidence ? e->nevidence : 1, sizeof *s->contribution);
        if (!s->contribution) {
            err = custos_error_nomem();
            goto done;
        }
    }
    c.bear = custos_calloc((e->nevidence ? e->nevidence : 1) * (e->nscores ? e->nscores : 1),
                           sizeof *c.bear);
    if (!c.bear) {
        err = custos_error_nomem();
        goto done;
    }
    for (size_t i = 0; i < e->nevidence; i++) {
        const custos_evidence *v = &e->evidence[i];
        for (size_t j = 0; j < e->nscores; j++) {
            const custos_apa_path *p = &apa->paths[e->scores[j].path];
            bool up = false, down = false;
            for (size_t k = 0; k < v->nlinks; k++)
                if (link_on_path(&v->links[k], m, p)) {
                    up |= v->links[k].direction > 0;
                    down |= v->links[k].direction < 0;
                }
            c.bear[i * e->nscores + j] = (signed char)(up == down ? 0 : up ? 1 : -1);
        }
    }
    if ((err = conclusions(&c)) < 0)
        goto done;
    /* The full run. */
    if ((err = run_init(&full, e)) < 0 || (err = run_init(&alt, e)) < 0)
        goto done;
    count(&c, &full);
    score(&c, &full);
    for (size_t i = 0; i < e->nevidence; i++) {
        custos_evidence *v = &e->evidence[i];
        bool bears = false;
        for (size_t j = 0; j < e->nscores && !bears; j++)
            bears = c.bear[i * e->nscores + j] != 0;
        v->status = full.status[i];
        if (full.because[i] >= 0)
            custos_strlcpy(v->because, e->evidence[full.because[i]].id, sizeof v->because);
        if (!bears && v->status == CUSTOS_EV_COUNTED)
            v->status = CUSTOS_EV_NO_BEARING;
    }
    double th = custos_logit(e->threshold);
    for (size_t j = 0; j < e->nscores; j++) {
        custos_path_score *s = &e->scores[j];
        s->logit = full.logit[j];
        s->p = custos_expit(s->logit);
        s->indication = s->logit >= th;
        for (size_t i = 0; i < e->nevidence; i++)
            if (full.counted[i])
                s->contribution[i] =
                    e->evidence[i].weight * e->evidence[i].ln_lr * c.bear[i * e->nscores + j];
    }
    for (size_t k = 0; k < e->nconclusions; k++) {
        custos_conclusion *cc = &e->conclusions[k];
        cc->drawn = full.drawn[k];
        cc->evidence = custos_calloc(e->nevidence ? e->nevidence : 1, sizeof *cc->evidence);
        if (!cc->evidence) {
            err = custos_error_nomem();
            goto done;
        }
        for (size_t j = 0; j < e->nscores; j++)
            if (c.looks[k][j] && (cc->strongest < 0 || full.logit[j] > full.logit[cc->strongest]))
                cc->strongest = (long)j;
        for (size_t i = 0; i < e->nevidence; i++) {
            bool on = false;
            for (size_t j = 0; j < e->nscores && !on; j++)
                on = c.looks[k][j] && c.bear[i * e->nscores + j];
            if (on)
                cc->evidence[cc->nevidence++] = i;
        }
    }
    /* The audit: without each source class present, then each piece. */
    size_t ncf = e->nevidence;
    bool present[CUSTOS_NSOURCE] = {false};
    for (size_t i = 0; i < e->nevidence; i++)
        present[e->evidence[i].source] = true;
    for (int s = 0; s < CUSTOS_NSOURCE; s++)
        ncf += present[s];
    e->counterfactuals = custos_calloc(ncf ? ncf : 1, sizeof *e->counterfactuals);
    if (!e->counterfactuals) {
        err = custos_error_nomem();
        goto done;
    }
    for (size_t q = 0; q < ncf; q++) {
        custos_counterfactual *cf = &e->counterfactuals[e->ncounterfactuals];
        size_t cls_index = q;
        if (q < ncf - e->nevidence) {
            int s = 0, seen = -1;
            for (; s < CUSTOS_NSOURCE; s++)
                if (present[s] && ++seen == (int)cls_index)
                    break;
            cf->by_class = true;
            cf->source = (custos_source_class)s;
            for (size_t i = 0; i < e->nevidence; i++)
                alt.include[i] = e->evidence[i].source != cf->source;
        } else {
            cf->evidence = q - (ncf - e->nevidence);
            for (size_t i = 0; i < e->nevidence; i++)
                alt.include[i] = i != cf->evidence;
        }
        count(&c, &alt);
        score(&c, &alt);
        cf->changed = custos_calloc(e->nconclusions, sizeof *cf->changed);
        if (!cf->changed) {
            err = custos_error_nomem();
            goto done;
        }
        e->ncounterfactuals++;
        for (size_t k = 0; k < e->nconclusions; k++)
            if (alt.drawn[k] != full.drawn[k])
                cf->changed[cf->nchanged++] = k;
    }
done:
    run_dispose(&full);
    run_dispose(&alt);
    custos_free(c.bear);
    if (c.looks)
        for (size_t k = 0; k < m->nfacilities + 2; k++)
            custos_free(c.looks[k]);
    custos_free(c.looks);
    if (err < 0) {
        custos_evaluation_free(e);
        return err;
    }
    *out = e;
    return CUSTOS_OK;
}

int custos_ledger_evaluate(custos_evaluation **out, custos_ledger *l, const custos_state_model *m,
                           const custos_apa_result *apa)
{
    *out = NULL;
    custos_info_item **items = NULL;
    custos_mba_statistics *st = NULL;
    custos_finding *f = NULL;
    char (*ids)[64] = NULL, (*texts)[400] = NULL;
    size_t n = 0, ns = 0;
    int err = custos_ledger_info_items(&items, &n, l, m->state);
    if (err >= 0)
        err = custos_eval_statistics(&st, &ns, l, m);
    if (err < 0)
        goto done;
    f = custos_calloc(ns ? ns : 1, sizeof *f);
    ids = custos_calloc(ns ? ns : 1, sizeof *ids);
    texts = custos_calloc(ns ? ns : 1, sizeof *texts);
    if (!f || !ids || !texts) {
        err = custos_error_nomem();
        goto done;
    }
    for (size_t i = 0; i < ns; i++)
        custos_eval_statistics_finding(&st[i], &f[i], ids[i], sizeof ids[i], texts[i],
                                       sizeof texts[i]);
    custos_evaluate_options opt = {f, ns};
    if ((err = custos_evaluate(out, l, m, apa, items, n, &opt)) >= 0) {
        (*out)->stats = st;
        (*out)->nstats = ns;
        st = NULL;
        ns = 0;
    }
done:
    for (size_t i = 0; i < n; i++)
        custos_info_item_free(items[i]);
    custos_free(items);
    for (size_t i = 0; i < ns; i++)
        custos_mba_statistics_dispose(&st[i]);
    custos_free(st);
    custos_free(f);
    custos_free(ids);
    custos_free(texts);
    return err;
}
