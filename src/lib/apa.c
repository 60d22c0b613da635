/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apa.c: acquisition path analysis (custos/apa.h): bounded depth-first
 * enumeration of simple paths from stocked nodes to the first end node,
 * their metrics, ranking, and a layered layout of the network for the
 * report (igraph's Sugiyama layout).
 *
 * Search: nodes that cannot reach an end node are pruned first (reverse
 * breadth-first search), so the depth-first search only walks edges that
 * can still end somewhere.  The stack holds one out-edge cursor per depth;
 * memory is O(nodes + edges + max_length) besides the kept paths.
 *
 * igraph is built without thread safety in Debian 12 (IGRAPH_THREAD_SAFE
 * 0) and its default error handler aborts: every call into it holds one
 * lock and runs with the error and warning handlers set to ignore, so the
 * library never aborts or prints.  igraph allocates with its own
 * allocator, outside custos's seam.
 */
#include <igraph.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "custos/apa.h"
#include "stateint.h"

void custos_apa_result_free(custos_apa_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->npaths; i++)
        custos_free(r->paths[i].edges);
    custos_free(r->paths);
    custos_free(r->node_kg);
    custos_free(r->node_sq);
    custos_free(r);
}

/* Out-edges of each node, compressed (edge indices). */
typedef struct adj {
    size_t *start; /* nnodes + 1 */
    size_t *edge;  /* nedges */
} adj;

static int adj_build(adj *a, const custos_state_model *m, bool reverse)
{
    a->start = custos_calloc(m->nnodes + 1, sizeof *a->start);
    a->edge = custos_calloc(m->nedges ? m->nedges : 1, sizeof *a->edge);
    if (!a->start || !a->edge)
        return custos_error_nomem();
    for (size_t i = 0; i < m->nedges; i++)
        a->start[(reverse ? m->edges[i].to : m->edges[i].from) + 1]++;
    for (size_t i = 0; i < m->nnodes; i++)
        a->start[i + 1] += a->start[i];
    size_t *fill = custos_calloc(m->nnodes ? m->nnodes : 1, sizeof *fill);
    if (!fill)
        return custos_error_nomem();
    for (size_t i = 0; i < m->nedges; i++) {
        size_t v = reverse ? m->edges[i].to : m->edges[i].from;
        a->edge[a->start[v] + fill[v]++] = i;
    }
    custos_free(fill);
    return CUSTOS_OK;
}

static void adj_dispose(adj *a)
{
    custos_free(a->start);
    custos_free(a->edge);
}

typedef struct search {
    const custos_state_model *m;
    const custos_apa_options *opt;
    custos_apa_result *r;
    size_t cap;
    int err;
} search;

/* Compute the metrics of the path of edges e[0..k) from start. */
static void metrics(custos_apa_path *p, const custos_state_model *m, const double *node_kg)
{
    const custos_sq_row *sstart = custos_sq_lookup(m->nodes[p->start].material);
    const custos_sq_row *send = custos_sq_lookup(m->nodes[p->end].material);
    p->start_kg = node_kg[p->start];
    p->start_sq = p->start_kg / sstart->sq_kg;
    double y = 1;
    for (size_t i = 0; i < p->nsteps; i++)
        y *= m->edges[p->edges[i]].yield;
    p->end_sq = p->start_kg * y / send->sq_kg;
    /* A relative tolerance so that exactly 1 SQ after exact yields counts. */
    p->feasible = p->end_sq >= 1 - 1e-12;
    p->timeliness_days = sstart->timeliness_days;
    double time = send->conversion_min, nodetect = 1, nodetect_timely = 1, length = 0;
    double after = 1; /* product of yields from step i to the end */
    int diff = 0;
    p->undeclared = false;
    for (size_t k = p->nsteps; k-- > 0;) {
        const custos_state_edge *e = &m->edges[p->edges[k]];
        after *= e->yield;
        time += e->duration_days;
        if (e->throughput > 0)
            time += send->sq_kg / after / e->throughput;
        for (size_t j = 0; j < e->nmeasures; j++) {
            nodetect *= 1 - e->measures[j].p;
            if (e->measures[j].days <= p->timeliness_days)
                nodetect_timely *= 1 - e->measures[j].p;
        }
        length += e->weight;
        if (e->difficulty > diff)
            diff = e->difficulty;
        p->undeclared |= !e->declared;
    }
    p->time_days = time;
    p->p_detect = 1 - nodetect;
    p->p_timely = 1 - nodetect_timely;
    p->covered = p->p_timely >= m->detection_goal;
    p->difficulty = diff;
    p->length = length;
}

static int keep(search *s, size_t start, size_t end, const size_t *edges, size_t k,
                const double *node_kg)
{
    custos_apa_result *r = s->r;
    if (r->npaths == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        custos_apa_path *p = custos_realloc(r->paths, nc * sizeof *p);
        if (!p)
            return custos_error_nomem();
        r->paths = p;
        s->cap = nc;
    }
    custos_apa_path *p = &r->paths[r->npaths];
    memset(p, 0, sizeof *p);
    p->edges = custos_malloc(k * sizeof *p->edges);
    if (!p->edges)
        return custos_error_nomem();
    memcpy(p->edges, edges, k * sizeof *edges);
    p->nsteps = k;
    p->start = start;
    p->end = end;
    metrics(p, s->m, node_kg);
    r->npaths++;
    return CUSTOS_OK;
}

static int cmp_edges(const custos_apa_path *a, const custos_apa_path *b,
                     const custos_state_model *m)
{
    for (size_t i = 0; i < a->nsteps && i < b->nsteps; i++) {
        int c = strcmp(m->edges[a->edges[i]].id, m->edges[b->edges[i]].id);
        if (c)
            return c;
    }
    return a->nsteps < b->nsteps ? -1 : a->nsteps > b->nsteps;
}

static const custos_state_model *sort_model; /* only under sort_lock */
static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;

/* Feasible first; then P, time, difficulty, length, edge ids.  Values
 * closer than 1e-12 (relative) count as equal, so rounding in products
 * of probabilities does not decide a rank. */
static int near(double a, double b)
{
    double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    if (fabs(a - b) <= 1e-12 * (scale > 1 ? scale : 1))
        return 0;
    return a < b ? -1 : 1;
}

static int cmp_path(const void *x, const void *y)
{
    const custos_apa_path *a = x, *b = y;
    int c;
    if (a->feasible != b->feasible)
        return a->feasible ? -1 : 1;
    if ((c = near(a->p_detect, b->p_detect)))
        return c;
    if ((c = near(a->time_days, b->time_days)))
        return c;
    if (a->difficulty != b->difficulty)
        return a->difficulty < b->difficulty ? -1 : 1;
    if ((c = near(a->length, b->length)))
        return c;
    return cmp_edges(a, b, sort_model);
}

int custos_apa_run(custos_apa_result **out, const custos_state_model *m, const custos_holding *h,
                   size_t nh, const custos_apa_options *opt)
{
    *out = NULL;
    custos_apa_options o = {0, 0, 0, false};
    if (opt)
        o = *opt;
    if (!o.max_length)
        o.max_length = 12;
    if (!o.max_paths)
        o.max_paths = 100000;
    adj fwd = {NULL, NULL}, rev = {NULL, NULL};
    bool *live = NULL, *on_path = NULL;
    size_t *stack_edge = NULL, *cursor = NULL, *queue = NULL, *stack_node = NULL, *dist = NULL;
    int err = CUSTOS_OK;
    custos_apa_result *r = custos_calloc(1, sizeof *r);
    if (!r)
        return custos_error_nomem();
    search s = {m, &o, r, 0, CUSTOS_OK};
    size_t nn = m->nnodes;
    r->nnodes = nn;
    r->node_kg = custos_calloc(nn ? nn : 1, sizeof *r->node_kg);
    r->node_sq = custos_calloc(nn ? nn : 1, sizeof *r->node_sq);
    live = custos_calloc(nn ? nn : 1, sizeof *live);
    on_path = custos_calloc(nn ? nn : 1, sizeof *on_path);
    queue = custos_calloc(nn ? nn : 1, sizeof *queue);
    dist = custos_calloc(nn ? nn : 1, sizeof *dist);
    stack_edge = custos_calloc(o.max_length + 1, sizeof *stack_edge);
    stack_node = custos_calloc(o.max_length + 2, sizeof *stack_node);
    cursor = custos_calloc(o.max_length + 2, sizeof *cursor);
    if (!r->node_kg || !r->node_sq || !live || !on_path || !queue || !dist || !stack_edge ||
        !stack_node || !cursor) {
        err = custos_error_nomem();
        goto done;
    }
    if ((err = adj_build(&fwd, m, false)) < 0 || (err = adj_build(&rev, m, true)) < 0)
        goto done;
    /* Stock at each node: assumed + the ledger's holdings of its links. */
    for (size_t i = 0; i < nn; i++) {
        const custos_state_node *v = &m->nodes[i];
        double kg = v->assumed_kg;
        for (size_t k = 0; k < v->nstock; k++)
            for (size_t j = 0; j < nh; j++)
                if (!strcmp(h[j].state, m->state) && !strcmp(h[j].mba, v->stock[k].mba) &&
                    h[j].mg[v->stock[k].kind] > 0)
                    kg += (double)h[j].mg[v->stock[k].kind] / 1e6;
        r->node_kg[i] = kg;
        r->node_sq[i] = kg / custos_sq_lookup(v->material)->sq_kg;
    }
    /* Nodes that can reach an end node, and in how few steps (breadth
     * first from the end nodes backwards). */
    size_t qh = 0, qt = 0;
    for (size_t i = 0; i < nn; i++)
        if (m->nodes[i].end) {
            live[i] = true;
            dist[i] = 0;
            queue[qt++] = i;
        }
    while (qh < qt) {
        size_t v = queue[qh++];
        for (size_t k = rev.start[v]; k < rev.start[v + 1]; k++) {
            size_t u = m->edges[rev.edge[k]].from;
            if (!live[u]) {
                live[u] = true;
                dist[u] = dist[v] + 1;
                queue[qt++] = u;
            }
        }
    }
    /* The search is exponential in the worst case: besides max_paths
     * complete paths, it stops after a budget of edge expansions, so no
     * model (a dense web of nodes far from an end node, say) can keep it
     * running. */
    size_t budget = o.max_paths > SIZE_MAX / 64 / o.max_length ? SIZE_MAX
                                                                 : o.max_paths * o.max_length * 64;
    size_t steps = 0;
    /* Depth-first search from every stocked, live, non-end node. */
    for (size_t st = 0; st < nn && err >= 0 && !r->truncated; st++) {
        if (r->node_kg[st] <= 0 || !live[st] || m->nodes[st].end)
            continue;
        size_t depth = 0;
        stack_node[0] = st;
        cursor[0] = fwd.start[st];
        on_path[st] = true;
        while (err >= 0) {
            size_t v = stack_node[depth];
            if (cursor[depth] >= fwd.start[v + 1]) {
                on_path[v] = false;
                if (depth == 0)
                    break;
                depth--;
                continue;
            }
            if (++steps > budget) {
                r->truncated = true;
                break;
            }
            size_t ei = fwd.edge[cursor[depth]++];
            size_t w = m->edges[ei].to;
            /* Not through w when no end node is within the steps left. */
            if (!live[w] || on_path[w] || depth + 1 + dist[w] > o.max_length)
                continue;
            stack_edge[depth] = ei;
            if (m->nodes[w].end) {
                if (r->examined >= o.max_paths) {
                    r->truncated = true;
                    break;
                }
                r->examined++;
                err = keep(&s, st, w, stack_edge, depth + 1, r->node_kg);
                if (err >= 0 && !r->paths[r->npaths - 1].feasible && !o.infeasible) {
                    custos_free(r->paths[r->npaths - 1].edges);
                    r->npaths--;
                }
                continue;
            }
            if (depth + 1 >= o.max_length)
                continue;
            depth++;
            stack_node[depth] = w;
            cursor[depth] = fwd.start[w];
            on_path[w] = true;
        }
        for (size_t i = 0; i <= depth && i < o.max_length + 1; i++)
            on_path[stack_node[i]] = false;
    }
    if (err < 0)
        goto done;
    for (size_t i = 0; i < r->npaths; i++)
        r->feasible += r->paths[i].feasible;
    pthread_mutex_lock(&sort_lock);
    sort_model = m;
    if (r->npaths > 1) /* no path: paths is NULL, which qsort must not be given */
        qsort(r->paths, r->npaths, sizeof *r->paths, cmp_path);
    sort_model = NULL;
    pthread_mutex_unlock(&sort_lock);
    /* Keep the top feasible paths (and, if asked, every infeasible one). */
    if (o.top && r->feasible > o.top) {
        size_t drop = r->feasible - o.top;
        for (size_t i = o.top; i < r->feasible; i++)
            custos_free(r->paths[i].edges);
        memmove(r->paths + o.top, r->paths + r->feasible,
                (r->npaths - r->feasible) * sizeof *r->paths);
        r->npaths -= drop;
    }
    for (size_t i = 0; i < r->npaths; i++)
        r->paths[i].rank = (int)i + 1;
done:
    adj_dispose(&fwd);
    adj_dispose(&rev);
    custos_free(live);
    custos_free(on_path);
    custos_free(queue);
    custos_free(dist);
    custos_free(stack_edge);
    custos_free(stack_node);
    custos_free(cursor);
    if (err < 0) {
        custos_apa_result_free(r);
        return err;
    }
    *out = r;
    return CUSTOS_OK;
}

static pthread_mutex_t igraph_lock = PTHREAD_MUTEX_INITIALIZER;

void custos_graph_layout_free(custos_graph_layout *g)
{
    if (!g)
        return;
    custos_free(g->x);
    custos_free(g->y);
    custos_free(g->bend);
    custos_free(g->bx);
    custos_free(g->by);
    custos_free(g);
}

/* The chain of extended-graph vertices from the source of original edge e
 * to its target: dummy vertices only, in order, into out (at most cap);
 * returns how many, or -1 when the chain cannot be followed. */
static long chain(const igraph_t *xg, const igraph_vector_int_t *orig, igraph_integer_t e,
                  igraph_integer_t from, igraph_integer_t to, igraph_integer_t nreal,
                  igraph_integer_t *out, long cap)
{
    igraph_integer_t cur = from;
    long n = 0;
    igraph_integer_t ne = igraph_ecount(xg);
    for (long guard = 0; guard <= cap + 1; guard++) {
        igraph_integer_t next = -1;
        for (igraph_integer_t k = 0; k < ne && next < 0; k++) {
            if (VECTOR(*orig)[k] != e)
                continue;
            igraph_integer_t a = IGRAPH_FROM(xg, k), b = IGRAPH_TO(xg, k);
            if (a == cur && (b >= nreal || b == to))
                next = b;
        }
        if (next < 0)
            return -1;
        if (next == to)
            return n;
        if (n == cap)
            return -1;
        out[n++] = next;
        cur = next;
    }
    return -1;
}

int custos_apa_layout(custos_graph_layout **out, const custos_state_model *m)
{
    *out = NULL;
    size_t nn = m->nnodes, ne = m->nedges;
    custos_graph_layout *gl = custos_calloc(1, sizeof *gl);
    if (!gl)
        return custos_error_nomem();
    gl->nnodes = nn;
    gl->nedges = ne;
    gl->x = custos_calloc(nn ? nn : 1, sizeof *gl->x);
    gl->y = custos_calloc(nn ? nn : 1, sizeof *gl->y);
    gl->bend = custos_calloc(ne + 1, sizeof *gl->bend);
    igraph_integer_t *tmp = custos_calloc(nn + 1, sizeof *tmp);
    if (!gl->x || !gl->y || !gl->bend || !tmp) {
        custos_free(tmp);
        custos_graph_layout_free(gl);
        return custos_error_nomem();
    }
    if (nn == 0) {
        custos_free(tmp);
        *out = gl;
        return CUSTOS_OK;
    }
    int err = CUSTOS_OK;
    pthread_mutex_lock(&igraph_lock);
    igraph_error_handler_t *old_err = igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_warning_handler_t *old_warn = igraph_set_warning_handler(igraph_warning_handler_ignore);
    igraph_t g, xg;
    igraph_vector_int_t ev, layers, orig;
    igraph_matrix_t res;
    bool have_g = false, have_xg = false, have_ev = false, have_layers = false, have_res = false,
         have_orig = false;
    if (igraph_vector_int_init(&ev, (igraph_integer_t)(2 * ne)) != IGRAPH_SUCCESS) {
        err = custos_error_nomem();
        goto done;
    }
    have_ev = true;
    for (size_t i = 0; i < ne; i++) {
        VECTOR(ev)[2 * i] = (igraph_integer_t)m->edges[i].from;
        VECTOR(ev)[2 * i + 1] = (igraph_integer_t)m->edges[i].to;
    }
    if (igraph_create(&g, &ev, (igraph_integer_t)nn, IGRAPH_DIRECTED) != IGRAPH_SUCCESS) {
        err = custos_error_set(CUSTOS_EDOMAIN, "graph library: cannot build the network");
        goto done;
    }
    have_g = true;
    /* Layers: the longest distance from a node without in-edges
     * (relaxation, bounded by the node count so a cycle cannot loop), so
     * material flows left to right; end nodes go to the last layer. */
    if (igraph_vector_int_init(&layers, (igraph_integer_t)nn) != IGRAPH_SUCCESS) {
        err = custos_error_nomem();
        goto done;
    }
    have_layers = true;
    if (igraph_vector_int_init(&orig, 0) != IGRAPH_SUCCESS) {
        err = custos_error_nomem();
        goto done;
    }
    have_orig = true;
    for (size_t round = 0; round < nn; round++) {
        bool changed = false;
        for (size_t i = 0; i < ne; i++) {
            size_t a = m->edges[i].from, b = m->edges[i].to;
            if (VECTOR(layers)[b] < VECTOR(layers)[a] + 1 &&
                VECTOR(layers)[a] + 1 < (igraph_integer_t)nn) {
                VECTOR(layers)[b] = VECTOR(layers)[a] + 1;
                changed = true;
            }
        }
        if (!changed)
            break;
    }
    igraph_integer_t maxl = 0;
    for (size_t i = 0; i < nn; i++)
        if (VECTOR(layers)[i] > maxl)
            maxl = VECTOR(layers)[i];
    for (size_t i = 0; i < nn; i++)
        if (m->nodes[i].end)
            VECTOR(layers)[i] = maxl;
    if (igraph_matrix_init(&res, 0, 0) != IGRAPH_SUCCESS) {
        err = custos_error_nomem();
        goto done;
    }
    have_res = true;
    if (igraph_layout_sugiyama(&g, &res, &xg, &orig, &layers, 1.0, 1.0, 100, NULL) !=
        IGRAPH_SUCCESS) {
        err = custos_error_set(CUSTOS_EDOMAIN, "graph library: layout failed");
        goto done;
    }
    have_xg = true;
    igraph_integer_t nx = igraph_matrix_nrow(&res);
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (igraph_integer_t i = 0; i < nx; i++) {
        double a = MATRIX(res, i, 0), b = MATRIX(res, i, 1);
        xmin = fmin(xmin, a);
        xmax = fmax(xmax, a);
        ymin = fmin(ymin, b);
        ymax = fmax(ymax, b);
    }
    /* igraph puts layers along its y and positions within a layer along
     * its x; custos draws layers left to right. */
#define LX(i) (ymax > ymin ? (MATRIX(res, (i), 1) - ymin) / (ymax - ymin) : 0.5)
#define LY(i) (xmax > xmin ? (MATRIX(res, (i), 0) - xmin) / (xmax - xmin) : 0.5)
    for (size_t i = 0; i < nn; i++) {
        gl->x[i] = LX((igraph_integer_t)i);
        gl->y[i] = LY((igraph_integer_t)i);
    }
    size_t nbend = (size_t)(nx - (igraph_integer_t)nn);
    gl->bx = custos_calloc(nbend ? nbend : 1, sizeof *gl->bx);
    gl->by = custos_calloc(nbend ? nbend : 1, sizeof *gl->by);
    if (!gl->bx || !gl->by) {
        err = custos_error_nomem();
        goto done;
    }
    size_t used = 0;
    for (size_t e = 0; e < ne; e++) {
        gl->bend[e] = used;
        long k = chain(&xg, &orig, (igraph_integer_t)e, (igraph_integer_t)m->edges[e].from,
                       (igraph_integer_t)m->edges[e].to, (igraph_integer_t)nn, tmp,
                       (long)(nbend - used < nn ? nbend - used : nn));
        if (k < 0) {
            /* Reversed to break a cycle: follow it backwards. */
            k = chain(&xg, &orig, (igraph_integer_t)e, (igraph_integer_t)m->edges[e].to,
                      (igraph_integer_t)m->edges[e].from, (igraph_integer_t)nn, tmp,
                      (long)(nbend - used < nn ? nbend - used : nn));
            for (long a = 0, b = k - 1; a < b; a++, b--) {
                igraph_integer_t t = tmp[a];
                tmp[a] = tmp[b];
                tmp[b] = t;
            }
        }
        for (long j = 0; j < k; j++) {
            gl->bx[used] = LX(tmp[j]);
            gl->by[used] = LY(tmp[j]);
            used++;
        }
    }
    gl->bend[ne] = used;
#undef LX
#undef LY
done:
    if (have_res)
        igraph_matrix_destroy(&res);
    if (have_layers)
        igraph_vector_int_destroy(&layers);
    if (have_orig)
        igraph_vector_int_destroy(&orig);
    if (have_xg)
        igraph_destroy(&xg);
    if (have_g)
        igraph_destroy(&g);
    if (have_ev)
        igraph_vector_int_destroy(&ev);
    igraph_set_error_handler(old_err);
    igraph_set_warning_handler(old_warn);
    pthread_mutex_unlock(&igraph_lock);
    custos_free(tmp);
    if (err < 0) {
        custos_graph_layout_free(gl);
        return err;
    }
    *out = gl;
    return CUSTOS_OK;
}
