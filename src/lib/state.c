/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state.c: the State model (custos/state.h): the significant-quantity
 * table, the JSON parser with its checks, and storing and loading models
 * in the ledger's document store (kind "state", one document per State).
 *
 * Invariants of a parsed model: every id is unique in its kind; every
 * edge names existing nodes; edges of one inspection activity agree on
 * beta, alpha, cost and type; at least one node is an end node; numbers
 * lie in their documented ranges.  Later modules (apa.c, game.c) rely on
 * them and do not re-check.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "custos/document.h"
#include "custos/facility.h"
#include "custos/ledger.h"
#include "stateint.h"

/* IAEA Safeguards Glossary (2001 edition, Tables II and III; kept in the
 * 2022 edition); the same rows as data/sq-timeliness.csv. */
static const custos_sq_row sq_table[] = {
    {"pu_metal", "direct-use unirradiated", 8, "Pu element (Pu-238 < 80%)", 7, 10, 30},
    {"heu_metal", "direct-use unirradiated", 25, "U-235 in U enriched to >= 20%", 7, 10, 30},
    {"u233_metal", "direct-use unirradiated", 8, "U-233", 7, 10, 30},
    {"pu_compound_or_mox", "direct-use unirradiated", 8, "Pu element", 7, 21, 30},
    {"heu_compound", "direct-use unirradiated", 25, "U-235", 7, 21, 30},
    {"pu_heu_in_scrap", "direct-use unirradiated", 8, "Pu element or 25 kg U-235", 7, 21, 30},
    {"pu_heu_in_irradiated_fuel", "direct-use irradiated", 8, "Pu element or 25 kg U-235", 30, 90,
     90},
    {"leu", "indirect-use", 75, "U-235 in U enriched to < 20%", 90, 365, 365},
    {"natural_u", "indirect-use", 10000, "natural U element", 90, 365, 365},
    {"depleted_u", "indirect-use", 20000, "depleted U element", 90, 365, 365},
    {"thorium", "indirect-use", 20000, "Th element", 90, 365, 365},
};

size_t custos_sq_count(void)
{
    return sizeof sq_table / sizeof sq_table[0];
}

const custos_sq_row *custos_sq_at(size_t i)
{
    return i < custos_sq_count() ? &sq_table[i] : NULL;
}

const custos_sq_row *custos_sq_lookup(const char *material)
{
    for (size_t i = 0; i < custos_sq_count(); i++)
        if (!strcmp(sq_table[i].material, material))
            return &sq_table[i];
    return NULL;
}

static const char *const stock_names[CUSTOS_NSTOCK] = {
    "pu", "heu", "leu", "natural-u", "depleted-u", "thorium", "u233",
};

const char *custos_stock_kind_name(custos_stock_kind k)
{
    return (unsigned)k < CUSTOS_NSTOCK ? stock_names[k] : "?";
}

int custos_stock_kind_parse(const char *name)
{
    for (int i = 0; i < CUSTOS_NSTOCK; i++)
        if (!strcmp(name, stock_names[i]))
            return i;
    return -1;
}

static const char *const source_names[CUSTOS_NSOURCE] = {
    "state-declaration", "verification", "open-source", "satellite-imagery",
    "trade-data",        "third-party",  "accountancy", "statistics",
};

const char *custos_source_class_name(custos_source_class c)
{
    return (unsigned)c < CUSTOS_NSOURCE ? source_names[c] : "?";
}

int custos_source_class_parse(const char *name)
{
    for (int i = 0; i < CUSTOS_NSOURCE; i++)
        if (!strcmp(name, source_names[i]))
            return i;
    return -1;
}

static const char *const activity_names[] = {"import", "diversion", "clandestine-processing",
                                             "misuse"};

const char *custos_activity_type_name(custos_activity_type t)
{
    return (unsigned)t < 4 ? activity_names[t] : "?";
}

void custos_eval_params_default(custos_eval_params *p)
{
    static const double grade[6] = {100, 75, 50, 25, 0, 50};
    /* Default likelihood ratios per source class: how much more likely
     * a graded-A1 item of the class is under the activity than without
     * it.  A documented, changeable table (docs/internals/state-level.md). */
    static const double lr[CUSTOS_NSOURCE] = {5, 20, 3, 5, 4, 10, 10, 10};
    p->threshold = 0.5;
    p->prior = 0.05;
    p->difficulty_weight = 0.5;
    p->time_weight = 1.0;
    p->time_ref_days = 365;
    memcpy(p->reliability, grade, sizeof grade);
    memcpy(p->credibility, grade, sizeof grade);
    memcpy(p->lr, lr, sizeof lr);
}

void custos_game_params_default(custos_game_params *p)
{
    p->a = 10;
    p->b = 1;
    p->c = 100;
    p->e = 1;
    p->f = 1;
}

void custos_state_model_free(custos_state_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nagreements; i++)
        custos_free(m->agreements[i].reference);
    custos_free(m->agreements);
    for (size_t i = 0; i < m->nfacilities; i++) {
        custos_free(m->facilities[i].name);
        custos_free(m->facilities[i].mbas);
    }
    custos_free(m->facilities);
    for (size_t i = 0; i < m->nfactors; i++) {
        custos_free(m->factors[i].value);
        for (size_t k = 0; k < m->factors[i].nsources; k++)
            custos_free(m->factors[i].sources[k]);
        custos_free(m->factors[i].sources);
    }
    custos_free(m->factors);
    for (size_t i = 0; i < m->nnodes; i++) {
        custos_free(m->nodes[i].name);
        custos_free(m->nodes[i].stock);
    }
    custos_free(m->nodes);
    for (size_t i = 0; i < m->nedges; i++) {
        custos_free(m->edges[i].name);
        custos_free(m->edges[i].measures);
    }
    custos_free(m->edges);
    custos_free(m->name);
    custos_free(m);
}

long custos_state_node_find(const custos_state_model *m, const char *id)
{
    for (size_t i = 0; i < m->nnodes; i++)
        if (!strcmp(m->nodes[i].id, id))
            return (long)i;
    return -1;
}

long custos_state_edge_find(const custos_state_model *m, const char *id)
{
    for (size_t i = 0; i < m->nedges; i++)
        if (!strcmp(m->edges[i].id, id))
            return (long)i;
    return -1;
}

bool custos_state_in_force(const custos_state_model *m, const char *type)
{
    for (size_t i = 0; i < m->nagreements; i++)
        if (!strcmp(m->agreements[i].type, type) && m->agreements[i].in_force)
            return true;
    return false;
}

/* Parsing state: the context and the out-of-memory flag. */
typedef struct sp {
    jctx j;
    bool nomem;
} sp;

/* An array field: NULL when absent (and not required) or not an array. */
static json_t *array(sp *p, json_t *o, const char *path, const char *key, bool required, size_t max)
{
    char fp[256];
    json_t *v = json_object_get(o, key);
    custos_jpath(fp, sizeof fp, path, key);
    if (!v) {
        if (required)
            custos_jerr(&p->j, path, "missing \"%s\"", key);
        return NULL;
    }
    if (!json_is_array(v)) {
        custos_jerr(&p->j, fp, "needs an array");
        return NULL;
    }
    if (json_array_size(v) > max) {
        custos_jerr(&p->j, fp, "more than %zu elements", max);
        return NULL;
    }
    return v;
}

static void *alloc_array(sp *p, size_t n, size_t size)
{
    void *v = custos_calloc(n ? n : 1, size);
    if (!v)
        p->nomem = true;
    return v;
}

static bool code_ok(const char *s, size_t len)
{
    if (strlen(s) != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

static void parse_agreements(sp *p, custos_state_model *m, json_t *root)
{
    static const char *const keys[] = {"type", "reference", "in_force", "since", NULL};
    json_t *a = array(p, root, "$", "agreements", true, 16);
    if (!a || !(m->agreements = alloc_array(p, json_array_size(a), sizeof *m->agreements)))
        return;
    for (size_t i = 0; i < json_array_size(a); i++) {
        char path[64];
        json_t *o = json_array_get(a, i);
        custos_jpathi(path, sizeof path, "$", "agreements", i);
        if (!json_is_object(o)) {
            custos_jerr(&p->j, path, "an agreement is a JSON object");
            continue;
        }
        custos_jkeys(&p->j, o, path, keys);
        custos_state_agreement *g = &m->agreements[m->nagreements++];
        if (custos_jstr(&p->j, o, path, "type", true, g->type, sizeof g->type, 1) &&
            strcmp(g->type, "comprehensive") && strcmp(g->type, "additional-protocol") &&
            strcmp(g->type, "item-specific") && strcmp(g->type, "voluntary-offer")) {
            char fp[96];
            custos_jerr(&p->j, custos_jpath(fp, sizeof fp, path, "type"),
                        "needs comprehensive, additional-protocol, item-specific or "
                        "voluntary-offer");
        }
        custos_jdup(&p->j, o, path, "reference", false, &g->reference, 200, &p->nomem);
        custos_jbool(&p->j, o, path, "in_force", true, &g->in_force);
        custos_jdate(&p->j, o, path, "since", false, &g->since);
    }
}

static void parse_facilities(sp *p, custos_state_model *m, json_t *root)
{
    static const char *const keys[] = {"facility", "type", "name", "mbas", NULL};
    json_t *a = array(p, root, "$", "facilities", false, 1000);
    if (!a || !(m->facilities = alloc_array(p, json_array_size(a), sizeof *m->facilities)))
        return;
    for (size_t i = 0; i < json_array_size(a) && !p->nomem; i++) {
        char path[64], fp[96];
        json_t *o = json_array_get(a, i);
        custos_jpathi(path, sizeof path, "$", "facilities", i);
        if (!json_is_object(o)) {
            custos_jerr(&p->j, path, "a facility is a JSON object");
            continue;
        }
        custos_jkeys(&p->j, o, path, keys);
        custos_state_facility *f = &m->facilities[m->nfacilities++];
        if (custos_jstr(&p->j, o, path, "facility", true, f->code, sizeof f->code, 4) &&
            !code_ok(f->code, 4))
            custos_jerr(&p->j, custos_jpath(fp, sizeof fp, path, "facility"),
                        "needs a 4-character facility code");
        for (size_t k = 0; k + 1 < m->nfacilities && f->code[0]; k++)
            if (!strcmp(m->facilities[k].code, f->code))
                custos_jerr(&p->j, path, "facility %s listed twice", f->code);
        if (custos_jstr(&p->j, o, path, "type", true, f->type, sizeof f->type, 1) &&
            !custos_facility_type_valid(f->type))
            custos_jerr(&p->j, custos_jpath(fp, sizeof fp, path, "type"),
                        "needs a facility type (docs/formats.md)");
        custos_jdup(&p->j, o, path, "name", false, &f->name, 200, &p->nomem);
        json_t *mb = array(p, o, path, "mbas", true, 100);
        if (!mb || !(f->mbas = alloc_array(p, json_array_size(mb), sizeof *f->mbas)))
            continue;
        for (size_t k = 0; k < json_array_size(mb); k++) {
            const char *s = json_string_value(json_array_get(mb, k));
            char mp[128];
            custos_jpathi(mp, sizeof mp, path, "mbas", k);
            if (!s || !code_ok(s, 4))
                custos_jerr(&p->j, mp, "needs a 4-character MBA code");
            else
                custos_strlcpy(f->mbas[f->nmbas++], s, 5);
        }
    }
}

static void parse_factors(sp *p, custos_state_model *m, json_t *root)
{
    static const char *const keys[] = {"factor", "value", "date", "sources", NULL};
    json_t *a = array(p, root, "$", "factors", true, 6);
    if (!a || !(m->factors = alloc_array(p, json_array_size(a), sizeof *m->factors)))
        return;
    bool seen[7] = {false};
    for (size_t i = 0; i < json_array_size(a) && !p->nomem; i++) {
        char path[64];
        json_t *o = json_array_get(a, i);
        custos_jpathi(path, sizeof path, "$", "factors", i);
        if (!json_is_object(o)) {
            custos_jerr(&p->j, path, "a State-specific factor is a JSON object");
            continue;
        }
        custos_jkeys(&p->j, o, path, keys);
        custos_state_factor *f = &m->factors[m->nfactors++];
        if (custos_jint(&p->j, o, path, "factor", true, &f->number, 1, 6)) {
            if (seen[f->number])
                custos_jerr(&p->j, path, "factor %d given twice", f->number);
            seen[f->number] = true;
        }
        custos_jdup(&p->j, o, path, "value", true, &f->value, 2000, &p->nomem);
        custos_jdate(&p->j, o, path, "date", true, &f->date);
        json_t *src = array(p, o, path, "sources", true, 100);
        if (!src)
            continue;
        if (json_array_size(src) == 0) {
            char fp[96];
            custos_jerr(&p->j, custos_jpath(fp, sizeof fp, path, "sources"),
                        "names at least one source");
            continue;
        }
        if (!(f->sources = alloc_array(p, json_array_size(src), sizeof *f->sources)))
            continue;
        for (size_t k = 0; k < json_array_size(src); k++) {
            const char *s = json_string_value(json_array_get(src, k));
            char sp_[128];
            custos_jpathi(sp_, sizeof sp_, path, "sources", k);
            if (!s || !*s || strlen(s) > 500) {
                custos_jerr(&p->j, sp_, "needs a source of 1-500 characters");
                continue;
            }
            if (!(f->sources[f->nsources] = custos_strdup(s))) {
                p->nomem = true;
                break;
            }
            f->nsources++;
        }
    }
    if (p->j.errors == 0 && m->nfactors != 6)
        custos_jerr(&p->j, "$.factors", "needs all six State-specific factors (GOV/2014/41)");
}

static void parse_nodes(sp *p, custos_state_model *m, json_t *root)
{
    static const char *const keys[] = {"id",         "name",  "material", "end",
                                       "assumed_kg", "stock", NULL};
    static const char *const skeys[] = {"mba", "material", NULL};
    json_t *a = array(p, root, "$", "nodes", true, CUSTOS_STATE_MAX_NODES);
    if (!a || !(m->nodes = alloc_array(p, json_array_size(a), sizeof *m->nodes)))
        return;
    for (size_t i = 0; i < json_array_size(a) && !p->nomem; i++) {
        char path[64], fp[96];
        json_t *o = json_array_get(a, i);
        custos_jpathi(path, sizeof path, "$", "nodes", i);
        if (!json_is_object(o)) {
            custos_jerr(&p->j, path, "a node is a JSON object");
            continue;
        }
        custos_jkeys(&p->j, o, path, keys);
        custos_state_node *n = &m->nodes[m->nnodes++];
        if (custos_jstr(&p->j, o, path, "id", true, n->id, sizeof n->id, 1) &&
            !custos_state_id_ok(n->id))
            custos_jerr(&p->j, custos_jpath(fp, sizeof fp, path, "id"),
                        "needs 1-63 of A-Z a-z 0-9 _ . : - starting with a letter or digit");
        for (size_t k = 0; k + 1 < m->nnodes && n->id[0]; k++)
            if (!strcmp(m->nodes[k].id, n->id))
                custos_jerr(&p->j, path, "node id \"%s\" used twice", n->id);
        custos_jdup(&p->j, o, path, "name", false, &n->name, 200, &p->nomem);
        if (custos_jstr(&p->j, o, path, "material", true, n->material, sizeof n->material, 1) &&
            !custos_sq_lookup(n->material))
            custos_jerr(&p->j, custos_jpath(fp, sizeof fp, path, "material"),
                        "needs a material of data/sq-timeliness.csv (pu_metal, leu, ...)");
        custos_jbool(&p->j, o, path, "end", false, &n->end);
        custos_jnum(&p->j, o, path, "assumed_kg", false, &n->assumed_kg, 0, 1e12);
        json_t *st = array(p, o, path, "stock", false, 100);
        if (!st || !(n->stock = alloc_array(p, json_array_size(st), sizeof *n->stock)))
            continue;
        for (size_t k = 0; k < json_array_size(st); k++) {
            char spath[128];
            json_t *so = json_array_get(st, k);
            custos_jpathi(spath, sizeof spath, path, "stock", k);
            if (!json_is_object(so)) {
                custos_jerr(&p->j, spath, "a stock link is a JSON object");
                continue;
            }
            custos_jkeys(&p->j, so, spath, skeys);
            custos_state_stock *s = &n->stock[n->nstock++];
            char kind[16] = "";
            if (custos_jstr(&p->j, so, spath, "mba", true, s->mba, sizeof s->mba, 4) &&
                !code_ok(s->mba, 4))
                custos_jerr(&p->j, custos_jpath(fp, sizeof fp, spath, "mba"),
                            "needs a 4-character MBA code");
            if (custos_jstr(&p->j, so, spath, "material", true, kind, sizeof kind, 1)) {
                int k2 = custos_stock_kind_parse(kind);
                if (k2 < 0)
                    custos_jerr(&p->j, custos_jpath(fp, sizeof fp, spath, "material"),
                                "needs pu, heu, leu, natural-u, depleted-u, thorium or u233");
                else
                    s->kind = (custos_stock_kind)k2;
            }
        }
    }
}

static void parse_measures(sp *p, custos_state_edge *e, json_t *o, const char *path)
{
    static const char *const keys[] = {"name", "class", "p", "days", NULL};
    json_t *a = array(p, o, path, "measures", false, CUSTOS_STATE_MAX_MEASURES);
    if (!a || !(e->measures = alloc_array(p, json_array_size(a), sizeof *e->measures)))
        return;
    for (size_t i = 0; i < json_array_size(a); i++) {
        char mp[128];
        json_t *mo = json_array_get(a, i);
        custos_jpathi(mp, sizeof mp, path, "measures", i);
        if (!json_is_object(mo)) {
            custos_jerr(&p->j, mp, "a safeguards measure is a JSON object");
            continue;
        }
        custos_jkeys(&p->j, mo, mp, keys);
        custos_state_measure *s = &e->measures[e->nmeasures++];
        custos_jstr(&p->j, mo, mp, "name", true, s->name, sizeof s->name, 1);
        custos_strlcpy(s->cls, "other", sizeof s->cls);
        custos_jstr(&p->j, mo, mp, "class", false, s->cls, sizeof s->cls, 1);
        custos_jnum(&p->j, mo, mp, "p", true, &s->p, 0, 1);
        custos_jint(&p->j, mo, mp, "days", false, &s->days, 0, 3650);
    }
}

static void parse_edges(sp *p, custos_state_model *m, json_t *root)
{
    static const char *const keys[] = {"id",
                                       "name",
                                       "from",
                                       "to",
                                       "activity",
                                       "type",
                                       "declared",
                                       "facility",
                                       "mba",
                                       "weight",
                                       "duration_days",
                                       "difficulty",
                                       "yield",
                                       "throughput_kg_per_day",
                                       "beta",
                                       "alpha",
                                       "cost",
                                       "plants",
                                       "measures",
                                       NULL};
    json_t *a = array(p, root, "$", "edges", true, CUSTOS_STATE_MAX_EDGES);
    if (!a || !(m->edges = alloc_array(p, json_array_size(a), sizeof *m->edges)))
        return;
    for (size_t i = 0; i < json_array_size(a) && !p->nomem; i++) {
        char path[64], fp[96], buf[CUSTOS_STATE_ID_MAX + 1];
        json_t *o = json_array_get(a, i);
        custos_jpathi(path, sizeof path, "$", "edges", i);
        if (!json_is_object(o)) {
            custos_jerr(&p->j, path, "an edge is a JSON object");
            continue;
        }
        custos_jkeys(&p->j, o, path, keys);
        custos_state_edge *e = &m->edges[m->nedges++];
        if (custos_jstr(&p->j, o, path, "id", true, e->id, sizeof e->id, 1) &&
            !custos_state_id_ok(e->id))
            custos_jerr(&p->j, custos_jpath(fp, sizeof fp, path, "id"),
                        "needs 1-63 of A-Z a-z 0-9 _ . : - starting with a letter or digit");
        for (size_t k = 0; k + 1 < m->nedges && e->id[0]; k++)
            if (!strcmp(m->edges[k].id, e->id))
                custos_jerr(&p->j, path, "edge id \"%s\" used twice", e->id);
        custos_jdup(&p->j, o, path, "name", false, &e->name, 200, &p->nomem);
        static const char *const ends[2] = {"from", "to"};
        long idx[2] = {-1, -1};
        for (int k = 0; k < 2; k++) {
            if (custos_jstr(&p->j, o, path, ends[k], true, buf, sizeof buf, 1) &&
                (idx[k] = custos_state_node_find(m, buf)) < 0)
                custos_jerr(&p->j, custos_jpath(fp, sizeof fp, path, ends[k]),
                            "names no node (\"%s\")", buf);
        }
        if (idx[0] >= 0 && idx[1] >= 0) {
            e->from = (size_t)idx[0];
            e->to = (size_t)idx[1];
            if (e->from == e->to)
                custos_jerr(&p->j, path, "an edge from a node to itself");
        }
        custos_strlcpy(e->activity, e->id, sizeof e->activity);
        if (custos_jstr(&p->j, o, path, "activity", false, e->activity, sizeof e->activity, 1) &&
            !custos_state_id_ok(e->activity))
            custos_jerr(&p->j, custos_jpath(fp, sizeof fp, path, "activity"),
                        "needs an id (A-Z a-z 0-9 _ . : -)");
        char type[32];
        if (custos_jstr(&p->j, o, path, "type", true, type, sizeof type, 1)) {
            int t = -1;
            for (int k = 0; k < 4; k++)
                if (!strcmp(type, activity_names[k]))
                    t = k;
            if (t < 0)
                custos_jerr(&p->j, custos_jpath(fp, sizeof fp, path, "type"),
                            "needs import, diversion, clandestine-processing or misuse");
            else
                e->type = (custos_activity_type)t;
        }
        custos_jbool(&p->j, o, path, "declared", true, &e->declared);
        if (custos_jstr(&p->j, o, path, "facility", false, e->facility, sizeof e->facility, 4) &&
            !code_ok(e->facility, 4))
            custos_jerr(&p->j, custos_jpath(fp, sizeof fp, path, "facility"),
                        "needs a 4-character facility code");
        if (custos_jstr(&p->j, o, path, "mba", false, e->mba, sizeof e->mba, 4) &&
            !code_ok(e->mba, 4))
            custos_jerr(&p->j, custos_jpath(fp, sizeof fp, path, "mba"),
                        "needs a 4-character MBA code");
        if (e->declared && !e->facility[0])
            custos_jerr(&p->j, path, "a declared step names its \"facility\"");
        custos_jnum(&p->j, o, path, "weight", true, &e->weight, 1e-9, 1e9);
        custos_jnum(&p->j, o, path, "duration_days", true, &e->duration_days, 0, 36500);
        e->difficulty = 1;
        custos_jint(&p->j, o, path, "difficulty", false, &e->difficulty, 1, 5);
        e->yield = 1;
        custos_jnum(&p->j, o, path, "yield", false, &e->yield, 1e-9, 1e6);
        custos_jnum(&p->j, o, path, "throughput_kg_per_day", false, &e->throughput, 0, 1e12);
        parse_measures(p, e, o, path);
        /* beta defaults to the edge's own measures: prod (1 - p_i). */
        e->beta = 1;
        for (size_t k = 0; k < e->nmeasures; k++)
            e->beta *= 1 - e->measures[k].p;
        custos_jnum(&p->j, o, path, "beta", false, &e->beta, 0, 1);
        e->alpha = 0.05;
        custos_jnum(&p->j, o, path, "alpha", false, &e->alpha, 0, 0.999);
        custos_jnum(&p->j, o, path, "cost", true, &e->cost, 0, 1e7);
        e->plants = 1;
        custos_jint(&p->j, o, path, "plants", false, &e->plants, 1, 64);
    }
    /* Edges of one inspection activity are inspected together: they must
     * agree on what inspecting them costs and achieves. */
    for (size_t i = 0; i < m->nedges; i++)
        for (size_t k = 0; k < i; k++) {
            const custos_state_edge *x = &m->edges[i], *y = &m->edges[k];
            if (strcmp(x->activity, y->activity))
                continue;
            if (x->beta != y->beta || x->alpha != y->alpha || x->cost != y->cost ||
                x->type != y->type || x->plants != y->plants) {
                char path[64];
                custos_jpathi(path, sizeof path, "$", "edges", i);
                custos_jerr(&p->j, path,
                            "activity \"%s\" differs from edge \"%s\" in beta, alpha, cost, type "
                            "or plants",
                            x->activity, y->id);
            }
            break;
        }
}

static void parse_params(sp *p, custos_state_model *m, json_t *root)
{
    static const char *const ekeys[] = {
        "threshold",   "prior",       "difficulty_weight", "time_weight", "time_ref_days",
        "reliability", "credibility", "likelihood_ratios", NULL};
    static const char *const gkeys[] = {"a", "b", "c", "e", "f", NULL};
    custos_eval_params_default(&m->eval);
    custos_game_params_default(&m->game);
    json_t *ev = json_object_get(root, "evaluation");
    if (ev && !json_is_object(ev)) {
        custos_jerr(&p->j, "$.evaluation", "needs an object");
    } else if (ev) {
        const char *path = "$.evaluation";
        custos_jkeys(&p->j, ev, path, ekeys);
        custos_jnum(&p->j, ev, path, "threshold", false, &m->eval.threshold, 1e-6, 1 - 1e-6);
        custos_jnum(&p->j, ev, path, "prior", false, &m->eval.prior, 1e-9, 1 - 1e-9);
        custos_jnum(&p->j, ev, path, "difficulty_weight", false, &m->eval.difficulty_weight, 0,
                    100);
        custos_jnum(&p->j, ev, path, "time_weight", false, &m->eval.time_weight, 0, 100);
        custos_jnum(&p->j, ev, path, "time_ref_days", false, &m->eval.time_ref_days, 1, 36500);
        static const char *const rel_keys[6] = {"A", "B", "C", "D", "E", "F"};
        static const char *const cred_keys[6] = {"1", "2", "3", "4", "5", "6"};
        for (int t = 0; t < 2; t++) {
            const char *key = t ? "credibility" : "reliability";
            json_t *g = json_object_get(ev, key);
            char gp[64];
            custos_jpath(gp, sizeof gp, path, key);
            if (!g)
                continue;
            if (!json_is_object(g)) {
                custos_jerr(&p->j, gp, "needs an object of grade: number (0-100)");
                continue;
            }
            const char *const *gk = t ? cred_keys : rel_keys;
            const char *known[7];
            for (int k = 0; k < 6; k++)
                known[k] = gk[k];
            known[6] = NULL;
            custos_jkeys(&p->j, g, gp, known);
            double *dst = t ? m->eval.credibility : m->eval.reliability;
            for (int k = 0; k < 6; k++)
                custos_jnum(&p->j, g, gp, gk[k], false, &dst[k], 0, 100);
        }
        json_t *lr = json_object_get(ev, "likelihood_ratios");
        if (lr && !json_is_object(lr)) {
            custos_jerr(&p->j, "$.evaluation.likelihood_ratios",
                        "needs an object of source class: ratio");
        } else if (lr) {
            const char *key;
            json_t *v;
            json_object_foreach(lr, key, v)
            {
                int c = custos_source_class_parse(key);
                char lp[128];
                snprintf(lp, sizeof lp, "$.evaluation.likelihood_ratios.%.40s", key);
                if (c < 0)
                    custos_jerr(&p->j, lp, "is not a source class");
                else if (!json_is_number(v) || json_number_value(v) < 1 ||
                         json_number_value(v) > 1e6)
                    custos_jerr(&p->j, lp, "needs a likelihood ratio in [1, 1e6]");
                else
                    m->eval.lr[c] = json_number_value(v);
            }
        }
    }
    json_t *g = json_object_get(root, "game");
    if (g && !json_is_object(g)) {
        custos_jerr(&p->j, "$.game", "needs an object");
    } else if (g) {
        custos_jkeys(&p->j, g, "$.game", gkeys);
        custos_jnum(&p->j, g, "$.game", "a", false, &m->game.a, 0, 1e6);
        custos_jnum(&p->j, g, "$.game", "b", false, &m->game.b, 0, 1e6);
        custos_jnum(&p->j, g, "$.game", "c", false, &m->game.c, 1e-9, 1e6);
        custos_jnum(&p->j, g, "$.game", "e", false, &m->game.e, 0, 1e6);
        custos_jnum(&p->j, g, "$.game", "f", false, &m->game.f, 0, 1e6);
    }
}

int custos_state_parse(custos_state_model **out, const char *source, const char *json, size_t len,
                       custos_diags *d)
{
    static const char *const keys[] = {
        "state",          "name",  "agreements", "facilities", "factors", "budget_person_days",
        "detection_goal", "nodes", "edges",      "evaluation", "game",    NULL};
    *out = NULL;
    sp p;
    memset(&p, 0, sizeof p);
    p.j.source = source ? source : "";
    p.j.text = json;
    p.j.len = len;
    p.j.d = d;
    if (len > (size_t)CUSTOS_MAX_JSON_FILE)
        return custos_error_set(CUSTOS_ETOOBIG, "%s: larger than %ld bytes", p.j.source,
                                (long)CUSTOS_MAX_JSON_FILE);
    unsigned long failed = custos_alloc_failures();
    int err;
    json_t *root = custos_jload(&p.j, &err);
    if (!root)
        return err;
    custos_state_model *m = custos_calloc(1, sizeof *m);
    if (!m) {
        json_decref(root);
        return custos_error_nomem();
    }
    if (!json_is_object(root)) {
        custos_jerr(&p.j, "$", "a State model is a JSON object");
        goto done;
    }
    custos_jkeys(&p.j, root, "$", keys);
    if (custos_jstr(&p.j, root, "$", "state", true, m->state, sizeof m->state, 2) &&
        !(m->state[0] >= 'A' && m->state[0] <= 'Z' && m->state[1] >= 'A' && m->state[1] <= 'Z'))
        custos_jerr(&p.j, "$.state", "needs a 2-letter State code");
    custos_jdup(&p.j, root, "$", "name", false, &m->name, 200, &p.nomem);
    custos_jnum(&p.j, root, "$", "budget_person_days", true, &m->budget, 0, 1e7);
    m->detection_goal = 0.9;
    custos_jnum(&p.j, root, "$", "detection_goal", false, &m->detection_goal, 0, 1);
    parse_agreements(&p, m, root);
    if (!p.nomem)
        parse_facilities(&p, m, root);
    if (!p.nomem)
        parse_factors(&p, m, root);
    if (!p.nomem)
        parse_nodes(&p, m, root);
    if (!p.nomem && p.j.errors == 0)
        parse_edges(&p, m, root);
    if (!p.nomem)
        parse_params(&p, m, root);
    if (!p.nomem && p.j.errors == 0) {
        bool any_end = false;
        for (size_t i = 0; i < m->nnodes; i++)
            any_end |= m->nodes[i].end;
        if (!any_end)
            custos_jerr(&p.j, "$.nodes", "no node is an end node (\"end\": true)");
        /* A facility or MBA an edge names is one of the model's. */
        for (size_t i = 0; i < m->nedges; i++) {
            const custos_state_edge *e = &m->edges[i];
            bool fac_ok = !e->facility[0], mba_ok = !e->mba[0];
            for (size_t k = 0; k < m->nfacilities; k++) {
                const custos_state_facility *f = &m->facilities[k];
                if (strcmp(f->code, e->facility))
                    continue;
                fac_ok = true;
                for (size_t b = 0; b < f->nmbas; b++)
                    mba_ok |= !strcmp(f->mbas[b], e->mba);
            }
            char path[64];
            custos_jpathi(path, sizeof path, "$", "edges", i);
            if (!fac_ok)
                custos_jerr(&p.j, path, "facility %s is not in $.facilities", e->facility);
            else if (!mba_ok)
                custos_jerr(&p.j, path, "MBA %s is not an MBA of facility %s", e->mba,
                            e->facility[0] ? e->facility : "(none)");
        }
    }
done:
    json_decref(root);
    err = CUSTOS_OK;
    if (p.nomem || custos_alloc_failures() != failed)
        err = CUSTOS_ENOMEM;
    else if (p.j.errors)
        err = CUSTOS_EINVAL;
    if (err < 0) {
        custos_state_model_free(m);
        return err == CUSTOS_ENOMEM ? custos_error_nomem() : err;
    }
    *out = m;
    return CUSTOS_OK;
}

/* Every facility and MBA the model names is registered, with that
 * facility, in the ledger. */
static int check_registry(custos_ledger *l, const custos_state_model *m, const char *source,
                          const char *json, size_t len, custos_diags *d)
{
    custos_facility **f = NULL;
    size_t n = 0;
    int err = custos_ledger_facilities(&f, NULL, &n, l);
    if (err < 0)
        return err;
    jctx j = {source ? source : "", json, len, d, 0, 0};
    for (size_t i = 0; i < m->nfacilities; i++) {
        const custos_state_facility *sf = &m->facilities[i];
        const custos_facility *rf = NULL;
        char path[64];
        custos_jpathi(path, sizeof path, "$", "facilities", i);
        for (size_t k = 0; k < n && !rf; k++)
            if (!strcmp(f[k]->state, m->state) && !strcmp(f[k]->code, sf->code))
                rf = f[k];
        if (!rf) {
            custos_jerr(&j, path,
                        "facility %s/%s is not registered in the ledger "
                        "(custos facility add)",
                        m->state, sf->code);
            continue;
        }
        for (size_t b = 0; b < sf->nmbas; b++) {
            bool found = false;
            for (size_t k = 0; k < rf->nmbas; k++)
                found |= !strcmp(rf->mbas[k].code, sf->mbas[b]);
            if (!found)
                custos_jerr(&j, path, "MBA %s is not an MBA of registered facility %s", sf->mbas[b],
                            sf->code);
        }
    }
    for (size_t i = 0; i < m->nnodes; i++)
        for (size_t s = 0; s < m->nodes[i].nstock; s++) {
            bool found = false;
            for (size_t k = 0; k < m->nfacilities && !found; k++)
                for (size_t b = 0; b < m->facilities[k].nmbas; b++)
                    found |= !strcmp(m->facilities[k].mbas[b], m->nodes[i].stock[s].mba);
            if (!found) {
                char path[96];
                snprintf(path, sizeof path, "$.nodes[%zu].stock[%zu]", i, s);
                custos_jerr(&j, path, "MBA %s is not an MBA of a facility in $.facilities",
                            m->nodes[i].stock[s].mba);
            }
        }
    for (size_t k = 0; k < n; k++)
        custos_facility_free(f[k]);
    custos_free(f);
    return j.errors ? CUSTOS_EINVAL : CUSTOS_OK;
}

int custos_ledger_state_add(custos_ledger *l, const char *source, const char *json, size_t len,
                            custos_diags *d, custos_document_ref *ref)
{
    custos_state_model *m = NULL;
    int err = custos_state_parse(&m, source, json, len, d);
    if (err < 0)
        return err;
    if ((err = check_registry(l, m, source, json, len, d)) >= 0)
        err = custos_ledger_document_add(l, "state", m->state, source, json, len, ref);
    custos_state_model_free(m);
    return err;
}

int custos_ledger_state_load(custos_state_model **out, custos_ledger *l, const char *state,
                             int version)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    custos_document_ref ref;
    int err = custos_ledger_document_load(&text, &len, &ref, l, "state", state, version);
    if (err == CUSTOS_ENOTFOUND)
        return custos_error_set(err, "no State model for %.8s (custos state add)", state);
    if (err < 0)
        return err;
    char src[64];
    snprintf(src, sizeof src, "stored State model %.2s v%d", state, ref.version);
    err = custos_state_parse(out, src, text, len, NULL);
    custos_free(text);
    if (err == CUSTOS_EINVAL || err == CUSTOS_ETOOBIG)
        return custos_error_set(CUSTOS_ETAMPER, "%s no longer parses", src);
    return err;
}
