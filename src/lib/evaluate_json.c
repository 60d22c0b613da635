/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evaluate_json.c: the evaluation as JSON for one reader
 * (custos_evaluation_write_json(); docs/formats.md, "Evaluation").
 *
 * The one rule of this file: nothing identifying a piece of evidence the
 * reader may not see is written: not its id, text, originator, links or
 * compartment, nor an id pointing at it from a visible piece (a
 * corroboration or a clarification).  Such pieces are counted, and their
 * contributions to a path's score are summed into "hidden_contribution",
 * so the arithmetic still adds up.
 */
#include <stdio.h>
#include <string.h>

#include "custos/evaluate.h"
#include "stateint.h"

static const char *const status_names[] = {"counted", "corroborated", "clarified",
                                           "not-counted-uncorroborated-third-party",
                                           "bears-on-no-path"};
static const char *const kind_names[] = {"diversion", "undeclared", "broader"};
static const char *const link_names[] = {"facility", "mba", "node", "edge"};

static bool visible(const custos_evaluation *e, size_t i, const custos_reader_clearance *r)
{
    return custos_info_visible(e->evidence[i].compartment, r ? r->compartments : NULL,
                               r ? r->n : 0);
}

static long find_ev(const custos_evaluation *e, const char *id)
{
    for (size_t i = 0; i < e->nevidence; i++)
        if (!strcmp(e->evidence[i].id, id))
            return (long)i;
    return -1;
}

/* Collect failures of the json_*_new calls: any NULL makes nomem. */
typedef struct jb {
    bool nomem;
} jb;

static json_t *chk(jb *b, json_t *v)
{
    if (!v)
        b->nomem = true;
    return v;
}

/* jansson's *_new functions take the value even when they fail (a NULL
 * container included), so nothing leaks on any path. */
static void set(jb *b, json_t *o, const char *k, json_t *v)
{
    if (!v || json_object_set_new(o, k, v) < 0)
        b->nomem = true;
}

static void push(jb *b, json_t *a, json_t *v)
{
    if (!v || json_array_append_new(a, v) < 0)
        b->nomem = true;
}

static json_t *date_str(jb *b, custos_date d)
{
    char s[11];
    if (!d)
        return chk(b, json_null());
    custos_date_iso(s, d);
    return chk(b, json_string(s));
}

static json_t *evidence_json(jb *b, const custos_evaluation *e, size_t i,
                             const custos_reader_clearance *r)
{
    const custos_evidence *v = &e->evidence[i];
    json_t *o = chk(b, json_object());
    char grade[4] = {v->reliability, (char)('0' + v->credibility), '\0'};
    set(b, o, "id", chk(b, json_string(v->id)));
    set(b, o, "source_class", chk(b, json_string(custos_source_class_name(v->source))));
    set(b, o, "grade", chk(b, json_string(grade)));
    set(b, o, "weight", chk(b, json_real(v->weight)));
    set(b, o, "ln_likelihood_ratio", chk(b, json_real(v->ln_lr)));
    set(b, o, "date", date_str(b, v->date));
    set(b, o, "text", chk(b, json_string(v->text ? v->text : "")));
    set(b, o, "compartment", chk(b, json_string(v->compartment)));
    if (v->classification[0])
        set(b, o, "classification", chk(b, json_string(v->classification)));
    if (v->originator[0])
        set(b, o, "originator", chk(b, json_string(v->originator)));
    set(b, o, "status", chk(b, json_string(status_names[v->status])));
    if (v->because[0]) {
        long k = find_ev(e, v->because);
        if (k >= 0 && visible(e, (size_t)k, r))
            set(b, o, "because", chk(b, json_string(v->because)));
        else
            set(b, o, "because", chk(b, json_string("(an item you may not see)")));
    }
    if (v->clarification_of[0]) {
        long k = find_ev(e, v->clarification_of);
        set(b, o, "clarification_of",
            chk(b, json_string(k >= 0 && !visible(e, (size_t)k, r) ? "(an item you may not see)"
                                                                   : v->clarification_of)));
    }
    json_t *links = chk(b, json_array());
    for (size_t k = 0; k < v->nlinks; k++) {
        json_t *lk = chk(b, json_object());
        set(b, lk, link_names[v->links[k].kind], chk(b, json_string(v->links[k].ref)));
        set(b, lk, "direction",
            chk(b, json_string(v->links[k].direction > 0 ? "indicates-activity"
                                                         : "indicates-absence")));
        push(b, links, lk);
    }
    set(b, o, "links", links);
    return o;
}

static json_t *statements(jb *b, const custos_evaluation *e, const custos_counterfactual *cf)
{
    json_t *a = chk(b, json_array());
    for (size_t k = 0; k < cf->nchanged; k++) {
        const custos_conclusion *c = &e->conclusions[cf->changed[k]];
        char from[200], to[200], line[420];
        custos_conclusion_text(from, sizeof from, c, c->drawn);
        custos_conclusion_text(to, sizeof to, c, !c->drawn);
        snprintf(line, sizeof line, "%s -> %s", from, to);
        push(b, a, chk(b, json_string(line)));
    }
    return a;
}

static json_t *build(jb *b, const custos_evaluation *e, const custos_state_model *m,
                     const custos_apa_result *apa, const custos_reader_clearance *r)
{
    json_t *root = chk(b, json_object());
    set(b, root, "state", chk(b, json_string(e->state)));
    set(b, root, "as_of", date_str(b, e->as_of));
    set(b, root, "threshold", chk(b, json_real(e->threshold)));
    size_t hidden = 0;
    for (size_t i = 0; i < e->nevidence; i++)
        hidden += !visible(e, i, r);
    json_t *reader = chk(b, json_object());
    json_t *comps = chk(b, json_array());
    for (size_t i = 0; r && i < r->n; i++)
        push(b, comps, chk(b, json_string(r->compartments[i])));
    set(b, reader, "compartments", comps);
    set(b, reader, "hidden_evidence", chk(b, json_integer((json_int_t)hidden)));
    set(b, root, "reader", reader);

    json_t *concl = chk(b, json_array());
    for (size_t k = 0; k < e->nconclusions; k++) {
        const custos_conclusion *c = &e->conclusions[k];
        json_t *o = chk(b, json_object());
        char text[200];
        set(b, o, "kind", chk(b, json_string(kind_names[c->kind])));
        if (c->kind == CUSTOS_CONCL_DIVERSION)
            set(b, o, "facility", chk(b, json_string(c->facility)));
        set(b, o, "statement",
            chk(b, json_string(custos_conclusion_text(text, sizeof text, c, c->drawn))));
        set(b, o, "drawn", chk(b, json_boolean(c->drawn)));
        if (c->kind == CUSTOS_CONCL_BROADER)
            set(b, o, "applicable", chk(b, json_boolean(c->applicable)));
        set(b, o, "paths", chk(b, json_integer((json_int_t)c->npaths)));
        if (c->strongest >= 0) {
            const custos_path_score *s = &e->scores[c->strongest];
            set(b, o, "strongest_path", chk(b, json_integer(apa->paths[s->path].rank)));
            set(b, o, "strongest_p", chk(b, json_real(s->p)));
        }
        json_t *ev = chk(b, json_array());
        size_t nh = 0;
        for (size_t q = 0; q < c->nevidence; q++) {
            size_t i = c->evidence[q];
            if (!visible(e, i, r)) {
                nh++;
                continue;
            }
            json_t *x = chk(b, json_object());
            set(b, x, "id", chk(b, json_string(e->evidence[i].id)));
            set(b, x, "status", chk(b, json_string(status_names[e->evidence[i].status])));
            if (c->strongest >= 0)
                set(b, x, "contribution_on_strongest",
                    chk(b, json_real(e->scores[c->strongest].contribution[i])));
            push(b, ev, x);
        }
        set(b, o, "evidence", ev);
        set(b, o, "hidden_evidence", chk(b, json_integer((json_int_t)nh)));
        push(b, concl, o);
    }
    set(b, root, "conclusions", concl);

    json_t *paths = chk(b, json_array());
    for (size_t j = 0; j < e->nscores; j++) {
        const custos_path_score *s = &e->scores[j];
        const custos_apa_path *p = &apa->paths[s->path];
        json_t *o = chk(b, json_object());
        set(b, o, "rank", chk(b, json_integer(p->rank)));
        json_t *steps = chk(b, json_array());
        for (size_t k = 0; k < p->nsteps; k++)
            push(b, steps, chk(b, json_string(m->edges[p->edges[k]].id)));
        set(b, o, "steps", steps);
        set(b, o, "prior", chk(b, json_real(custos_expit(s->prior_logit))));
        set(b, o, "prior_logit", chk(b, json_real(s->prior_logit)));
        set(b, o, "logit", chk(b, json_real(s->logit)));
        set(b, o, "p", chk(b, json_real(s->p)));
        set(b, o, "indication", chk(b, json_boolean(s->indication)));
        json_t *contr = chk(b, json_array());
        double hidden_sum = 0;
        for (size_t i = 0; i < e->nevidence; i++) {
            if (s->contribution[i] == 0)
                continue;
            if (!visible(e, i, r)) {
                hidden_sum += s->contribution[i];
                continue;
            }
            json_t *x = chk(b, json_object());
            set(b, x, "id", chk(b, json_string(e->evidence[i].id)));
            set(b, x, "value", chk(b, json_real(s->contribution[i])));
            push(b, contr, x);
        }
        set(b, o, "contributions", contr);
        set(b, o, "hidden_contribution", chk(b, json_real(hidden_sum)));
        push(b, paths, o);
    }
    set(b, root, "paths", paths);

    json_t *ev = chk(b, json_array());
    for (size_t i = 0; i < e->nevidence; i++)
        if (visible(e, i, r))
            push(b, ev, evidence_json(b, e, i, r));
    set(b, root, "evidence", ev);

    json_t *audit = chk(b, json_object());
    json_t *by_class = chk(b, json_array()), *by_item = chk(b, json_array());
    size_t hidden_changing = 0;
    for (size_t q = 0; q < e->ncounterfactuals; q++) {
        const custos_counterfactual *cf = &e->counterfactuals[q];
        if (cf->by_class) {
            json_t *o = chk(b, json_object());
            set(b, o, "without", chk(b, json_string(custos_source_class_name(cf->source))));
            set(b, o, "changes", statements(b, e, cf));
            push(b, by_class, o);
        } else if (!visible(e, cf->evidence, r)) {
            hidden_changing += cf->nchanged > 0;
        } else {
            json_t *o = chk(b, json_object());
            set(b, o, "without", chk(b, json_string(e->evidence[cf->evidence].id)));
            set(b, o, "changes", statements(b, e, cf));
            push(b, by_item, o);
        }
    }
    set(b, audit, "by_source_class", by_class);
    set(b, audit, "by_item", by_item);
    set(b, audit, "hidden_items_that_change_a_conclusion",
        chk(b, json_integer((json_int_t)hidden_changing)));
    set(b, root, "counterfactual_audit", audit);
    return root;
}

typedef struct sink {
    custos_write_fn fn;
    void *ctx;
    int err;
} sink;

static int dump_cb(const char *buffer, size_t size, void *data)
{
    sink *s = data;
    if (s->err >= 0)
        s->err = s->fn(s->ctx, buffer, size);
    return s->err < 0 ? -1 : 0;
}

int custos_evaluation_write_json(const custos_evaluation *e, const custos_state_model *m,
                                 const custos_apa_result *apa,
                                 const custos_reader_clearance *reader, custos_write_fn fn,
                                 void *ctx)
{
    jb b = {false};
    /* An allocation jansson was given after an injected failure still
     * counts as out-of-memory (see alloc.c). */
    unsigned long failed = custos_alloc_failures();
    json_t *root = build(&b, e, m, apa, reader);
    int err = CUSTOS_OK;
    if (b.nomem || custos_alloc_failures() != failed) {
        json_decref(root);
        return custos_error_nomem();
    }
    sink s = {fn, ctx, CUSTOS_OK};
    if (json_dump_callback(root, dump_cb, &s,
                           JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12)) < 0)
        err = s.err < 0 ? s.err : custos_error_nomem();
    if (err >= 0 && custos_alloc_failures() != failed)
        err = custos_error_nomem();
    if (err >= 0)
        err = fn(ctx, "\n", 1);
    json_decref(root);
    return err;
}
