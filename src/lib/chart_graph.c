/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chart_graph.c: the acquisition network as an SVG node-link drawing
 * (chart_graph.h), on the layered layout of custos_apa_layout().
 *
 * Nodes are rounded boxes (end nodes, weapon-usable metal, dark); edges
 * run from box border to box border, through the bend points igraph's
 * Sugiyama layout gives edges that span several layers, so no edge is
 * hidden behind a node it does not touch.  Edges joining the same two
 * nodes directly bow apart.  Arrowheads have a fixed size whatever the
 * stroke; edge labels carry a white halo so they stay legible where
 * lines cross.  Coordinates are integer pixels, so the output is
 * reproducible byte for byte.
 */
#include <math.h>
#include <string.h>

#include "chart_graph.h"

int custos_xml_escape(custos_buf *out, const char *s)
{
    int err = CUSTOS_OK;
    for (const char *p = s; *p && err >= 0; p++) {
        switch (*p) {
        case '&': err = custos_buf_puts(out, "&amp;"); break;
        case '<': err = custos_buf_puts(out, "&lt;"); break;
        case '>': err = custos_buf_puts(out, "&gt;"); break;
        case '"': err = custos_buf_puts(out, "&quot;"); break;
        case '\'': err = custos_buf_puts(out, "&#39;"); break;
        default: err = custos_buf_putc(out, *p); break;
        }
    }
    return err;
}

#define NODE_W 150
#define NODE_H 34
#define LABEL_CHARS 24

static const char *const edge_color[3] = {"#8a94a6", "#d97706", "#b91c1c"};

/* Where the segment from the centre (cx, cy) towards (tx, ty) leaves the
 * node's box. */
static void border(double cx, double cy, double tx, double ty, double *ox, double *oy)
{
    double dx = tx - cx, dy = ty - cy;
    double sx = fabs(dx) > 1e-9 ? (NODE_W / 2.0 + 2) / fabs(dx) : 1e300;
    double sy = fabs(dy) > 1e-9 ? (NODE_H / 2.0 + 2) / fabs(dy) : 1e300;
    double t = fmin(fmin(sx, sy), 1.0);
    *ox = cx + dx * t;
    *oy = cy + dy * t;
}

static int text_label(custos_buf *out, double x, double y, const char *colour, const char *s)
{
    int err = custos_buf_printf(out,
                                "<text x=\"%ld\" y=\"%ld\" text-anchor=\"middle\" font-size=\"9\" "
                                "fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"3\" "
                                "paint-order=\"stroke\">",
                                lround(x), lround(y), colour);
    if (err >= 0)
        err = custos_xml_escape(out, s);
    if (err >= 0)
        err = custos_buf_puts(out, "</text>\n");
    return err;
}

static int draw_edge(custos_buf *out, const custos_state_model *m, const custos_graph_layout *g,
                     size_t e, int cls, const long *px, const long *py, int width, int height,
                     int mx, int my)
{
    const custos_state_edge *ed = &m->edges[e];
    size_t nb = g->bend[e + 1] - g->bend[e];
    /* Points: source centre, bends, target centre. */
    enum { MAXP = 66 };
    double x[MAXP], y[MAXP];
    size_t n = 0;
    x[n] = (double)px[ed->from];
    y[n++] = (double)py[ed->from];
    for (size_t k = 0; k < nb && n < MAXP - 1; k++) {
        x[n] = mx + g->bx[g->bend[e] + k] * (width - 2 * mx);
        y[n++] = my + g->by[g->bend[e] + k] * (height - 2 * my - 24);
    }
    x[n] = (double)px[ed->to];
    y[n++] = (double)py[ed->to];
    border(x[0], y[0], x[1], y[1], &x[0], &y[0]);
    border(x[n - 1], y[n - 1], x[n - 2], y[n - 2], &x[n - 1], &y[n - 1]);
    int err;
    double lx, ly;
    if (nb == 0) {
        /* A direct edge: bow it apart from its parallels. */
        int idx = 0, cnt = 0;
        for (size_t k = 0; k < m->nedges; k++) {
            const custos_state_edge *o = &m->edges[k];
            bool same = g->bend[k + 1] == g->bend[k] &&
                        ((o->from == ed->from && o->to == ed->to) ||
                         (o->from == ed->to && o->to == ed->from));
            if (!same)
                continue;
            if (k < e)
                idx++;
            cnt++;
        }
        double dx = x[1] - x[0], dy = y[1] - y[0], len = sqrt(dx * dx + dy * dy);
        if (len < 1)
            len = 1;
        double bow = (idx - (cnt - 1) / 2.0) * 24.0;
        double cx = (x[0] + x[1]) / 2 - dy / len * bow, cy = (y[0] + y[1]) / 2 + dx / len * bow;
        err = custos_buf_printf(out, "<path d=\"M%ld,%ld Q%ld,%ld %ld,%ld\"", lround(x[0]),
                                lround(y[0]), lround(cx), lround(cy), lround(x[1]), lround(y[1]));
        lx = (x[0] + 2 * cx + x[1]) / 4;
        ly = (y[0] + 2 * cy + y[1]) / 4 - 4;
    } else {
        err = custos_buf_printf(out, "<path d=\"M%ld,%ld", lround(x[0]), lround(y[0]));
        for (size_t k = 1; k < n && err >= 0; k++)
            err = custos_buf_printf(out, " L%ld,%ld", lround(x[k]), lround(y[k]));
        if (err >= 0)
            err = custos_buf_putc(out, '"');
        size_t mid = (n - 1) / 2;
        lx = (x[mid] + x[mid + 1]) / 2;
        ly = (y[mid] + y[mid + 1]) / 2 - 4;
    }
    if (err >= 0)
        err = custos_buf_printf(out,
                                " fill=\"none\" stroke=\"%s\" stroke-width=\"%d\"%s "
                                "stroke-linejoin=\"round\" marker-end=\"url(#arrow%d)\"><title>",
                                edge_color[cls], cls ? 3 : 1,
                                ed->declared ? "" : " stroke-dasharray=\"6,4\"", cls);
    if (err >= 0)
        err = custos_xml_escape(out, ed->id);
    if (err >= 0 && ed->name) {
        err = custos_buf_puts(out, ": ");
        if (err >= 0)
            err = custos_xml_escape(out, ed->name);
    }
    if (err >= 0)
        err = custos_buf_printf(out, " (%s, %s)</title></path>\n",
                                custos_activity_type_name(ed->type),
                                ed->declared ? "declared" : "undeclared");
    if (err >= 0)
        err = text_label(out, lx, ly, cls ? edge_color[cls] : "#475569", ed->id);
    return err;
}

int custos_chart_graph_svg(custos_buf *out, const custos_state_model *m,
                           const custos_graph_layout *g, const int *edge_class, int width,
                           int height)
{
    int err = CUSTOS_OK;
    int mx = NODE_W / 2 + 12, my = NODE_H / 2 + 14;
    long *px = custos_calloc(m->nnodes ? m->nnodes : 1, sizeof *px);
    long *py = custos_calloc(m->nnodes ? m->nnodes : 1, sizeof *py);
    if (!px || !py) {
        err = custos_error_nomem();
        goto done;
    }
    for (size_t i = 0; i < m->nnodes; i++) {
        px[i] = mx + lround(g->x[i] * (width - 2 * mx));
        py[i] = my + lround(g->y[i] * (height - 2 * my - 24));
    }
    err = custos_buf_printf(out,
                            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                            "viewBox=\"0 0 %d %d\" role=\"img\" font-family=\"DejaVu Sans, "
                            "Arial, sans-serif\" font-size=\"11\"><title>Acquisition paths of "
                            "State ",
                            width, height, width, height);
    if (err >= 0)
        err = custos_xml_escape(out, m->state);
    if (err >= 0)
        err = custos_buf_puts(out, "</title>\n<defs>");
    /* Fixed-size arrowheads (userSpaceOnUse: not scaled by the stroke). */
    for (int k = 0; k < 3 && err >= 0; k++)
        err = custos_buf_printf(out,
                                "<marker id=\"arrow%d\" viewBox=\"0 0 10 10\" refX=\"9\" "
                                "refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" "
                                "markerHeight=\"9\" orient=\"auto\"><path "
                                "d=\"M0,0L10,5L0,10z\" fill=\"%s\"/></marker>",
                                k, edge_color[k]);
    if (err >= 0)
        err = custos_buf_puts(out, "</defs>\n");
    /* Plain edges first, highlights on top. */
    for (int pass = 0; pass < 3 && err >= 0; pass++)
        for (size_t e = 0; e < m->nedges && err >= 0; e++) {
            int cls = edge_class ? edge_class[e] : 0;
            if (cls == pass)
                err = draw_edge(out, m, g, e, cls, px, py, width, height, mx, my);
        }
    for (size_t i = 0; i < m->nnodes && err >= 0; i++) {
        const custos_state_node *v = &m->nodes[i];
        err = custos_buf_printf(out,
                                "<g><rect x=\"%ld\" y=\"%ld\" width=\"%d\" height=\"%d\" rx=\"6\" "
                                "fill=\"%s\" stroke=\"#334155\"/><title>",
                                px[i] - NODE_W / 2, py[i] - NODE_H / 2, NODE_W, NODE_H,
                                v->end ? "#1e293b" : "#f1f5f9");
        if (err >= 0)
            err = custos_xml_escape(out, v->name ? v->name : v->id);
        if (err >= 0)
            err = custos_buf_printf(out,
                                    " (%s)</title><text x=\"%ld\" y=\"%ld\" text-anchor=\"middle\" "
                                    "fill=\"%s\">",
                                    v->material, px[i], py[i] + 4, v->end ? "#ffffff" : "#0f172a");
        /* Labels longer than the box are cut, never inside a UTF-8
         * sequence. */
        const char *label = v->name ? v->name : v->id;
        char cut[LABEL_CHARS + 4];
        if (strlen(label) > LABEL_CHARS) {
            size_t k = LABEL_CHARS - 2;
            while (k > 0 && ((unsigned char)label[k] & 0xC0) == 0x80)
                k--;
            memcpy(cut, label, k);
            memcpy(cut + k, "..", 3);
            label = cut;
        }
        if (err >= 0)
            err = custos_xml_escape(out, label);
        if (err >= 0)
            err = custos_buf_puts(out, "</text></g>\n");
    }
    /* Legend along the bottom. */
    if (err >= 0)
        err = custos_buf_printf(
            out,
            "<g font-size=\"10\" fill=\"#334155\">"
            "<line x1=\"10\" y1=\"%d\" x2=\"40\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
            "<text x=\"46\" y=\"%d\">weakest paths</text>"
            "<line x1=\"150\" y1=\"%d\" x2=\"180\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
            "<text x=\"186\" y=\"%d\">path with an indication</text>"
            "<line x1=\"330\" y1=\"%d\" x2=\"360\" y2=\"%d\" stroke=\"%s\"/>"
            "<text x=\"366\" y=\"%d\">declared step</text>"
            "<line x1=\"450\" y1=\"%d\" x2=\"480\" y2=\"%d\" stroke=\"%s\" "
            "stroke-dasharray=\"6,4\"/><text x=\"486\" y=\"%d\">undeclared step</text>"
            "<rect x=\"580\" y=\"%d\" width=\"14\" height=\"10\" fill=\"#1e293b\"/>"
            "<text x=\"600\" y=\"%d\">weapon-usable metal</text></g>\n</svg>\n",
            height - 12, height - 12, edge_color[1], height - 8, height - 12, height - 12,
            edge_color[2], height - 8, height - 12, height - 12, edge_color[0], height - 8,
            height - 12, height - 12, edge_color[0], height - 8, height - 17, height - 8);
done:
    custos_free(px);
    custos_free(py);
    return err;
}
