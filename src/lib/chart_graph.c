/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chart_graph.c: the acquisition network as an SVG node-link drawing
 * (chart_graph.h).  Nodes are rounded boxes (end nodes, weapon-usable
 * metal, drawn darker), edges quadratic curves with arrowheads; several
 * edges between the same two nodes bow apart so each stays visible.
 * Everything is written in integer pixels so the output is reproducible.
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

#define NODE_W 132
#define NODE_H 34

static const char *const edge_color[3] = {"#8a94a6", "#d97706", "#b91c1c"};

int custos_chart_graph_svg(custos_buf *out, const custos_state_model *m, const double *x,
                           const double *y, const int *edge_class, int width, int height)
{
    int err = CUSTOS_OK;
    int mx = NODE_W / 2 + 12, my = NODE_H / 2 + 30;
    int *px = custos_calloc(m->nnodes ? m->nnodes : 1, sizeof *px);
    int *py = custos_calloc(m->nnodes ? m->nnodes : 1, sizeof *py);
    if (!px || !py) {
        err = custos_error_nomem();
        goto done;
    }
    for (size_t i = 0; i < m->nnodes; i++) {
        px[i] = mx + (int)lround(x[i] * (width - 2 * mx));
        py[i] = my + (int)lround(y[i] * (height - 2 * my - 24));
    }
    err = custos_buf_printf(out,
                            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                            "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"acquisition paths\" "
                            "font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"11\">\n"
                            "<defs>",
                            width, height, width, height);
    for (int k = 0; k < 3 && err >= 0; k++)
        err = custos_buf_printf(out,
                                "<marker id=\"arrow%d\" viewBox=\"0 0 10 10\" refX=\"10\" "
                                "refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
                                "orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" "
                                "fill=\"%s\"/></marker>",
                                k, edge_color[k]);
    if (err >= 0)
        err = custos_buf_puts(out, "</defs>\n");
    /* Edges below nodes; plain ones first so highlights stay on top. */
    for (int pass = 0; pass < 3 && err >= 0; pass++) {
        for (size_t e = 0; e < m->nedges && err >= 0; e++) {
            const custos_state_edge *ed = &m->edges[e];
            int cls = edge_class ? edge_class[e] : 0;
            if (cls != pass)
                continue;
            /* Index among the edges joining the same two nodes. */
            int idx = 0, cnt = 0;
            for (size_t k = 0; k < m->nedges; k++) {
                const custos_state_edge *o = &m->edges[k];
                bool same = (o->from == ed->from && o->to == ed->to) ||
                            (o->from == ed->to && o->to == ed->from);
                if (!same)
                    continue;
                if (k < e)
                    idx++;
                cnt++;
            }
            double x1 = px[ed->from], y1 = py[ed->from], x2 = px[ed->to], y2 = py[ed->to];
            double dx = x2 - x1, dy = y2 - y1, len = sqrt(dx * dx + dy * dy);
            if (len < 1)
                len = 1;
            /* Leave the boxes at their border along the line. */
            double tx = fabs(dx) > 1e-9 ? (NODE_W / 2.0) / fabs(dx) : 1e300;
            double ty = fabs(dy) > 1e-9 ? (NODE_H / 2.0) / fabs(dy) : 1e300;
            double t = fmin(fmin(tx, ty), 0.45);
            double sx = x1 + dx * t, sy = y1 + dy * t, ex = x2 - dx * t, ey = y2 - dy * t;
            double bow = (idx - (cnt - 1) / 2.0) * 26.0;
            double cx = (sx + ex) / 2 - dy / len * bow, cy = (sy + ey) / 2 + dx / len * bow;
            err = custos_buf_printf(
                out,
                "<path d=\"M%ld,%ld Q%ld,%ld %ld,%ld\" fill=\"none\" stroke=\"%s\" "
                "stroke-width=\"%d\"%s marker-end=\"url(#arrow%d)\"><title>",
                lround(sx), lround(sy), lround(cx), lround(cy), lround(ex), lround(ey),
                edge_color[cls], cls ? 3 : 1, ed->declared ? "" : " stroke-dasharray=\"5,3\"",
                cls);
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
            /* The edge's id at the curve's midpoint. */
            if (err >= 0)
                err = custos_buf_printf(out,
                                        "<text x=\"%ld\" y=\"%ld\" text-anchor=\"middle\" "
                                        "font-size=\"9\" fill=\"%s\">",
                                        lround((sx + 2 * cx + ex) / 4),
                                        lround((sy + 2 * cy + ey) / 4) - 3,
                                        cls ? edge_color[cls] : "#5b6472");
            if (err >= 0)
                err = custos_xml_escape(out, ed->id);
            if (err >= 0)
                err = custos_buf_puts(out, "</text>\n");
        }
    }
    for (size_t i = 0; i < m->nnodes && err >= 0; i++) {
        const custos_state_node *v = &m->nodes[i];
        err = custos_buf_printf(out,
                                "<g><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" "
                                "fill=\"%s\" stroke=\"#334155\"/><title>",
                                px[i] - NODE_W / 2, py[i] - NODE_H / 2, NODE_W, NODE_H,
                                v->end ? "#1e293b" : "#f1f5f9");
        if (err >= 0)
            err = custos_xml_escape(out, v->name ? v->name : v->id);
        if (err >= 0)
            err = custos_buf_printf(out,
                                    " (%s)</title><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
                                    "fill=\"%s\">",
                                    v->material, px[i], py[i] + 4, v->end ? "#ffffff" : "#0f172a");
        /* Labels longer than the box are cut with an ellipsis. */
        const char *label = v->name ? v->name : v->id;
        char cut[24];
        if (strlen(label) > 20) {
            size_t n = 18;
            while (n > 0 && ((unsigned char)label[n] & 0xC0) == 0x80)
                n--; /* never cut inside a UTF-8 sequence */
            memcpy(cut, label, n);
            memcpy(cut + n, "..", 3);
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
            "stroke-dasharray=\"5,3\"/><text x=\"486\" y=\"%d\">undeclared step</text>"
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
