/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chart_graph.h: SVG node-link drawing of an acquisition network for the
 * HTML report (html.c).  Private to the library.
 */
#ifndef CUSTOS_CHART_GRAPH_H
#define CUSTOS_CHART_GRAPH_H

#include "custos/apa.h"
#include "custos/state.h"
#include "internal.h"

/* How an edge is drawn. */
enum {
    GRAPH_EDGE_PLAIN = 0,
    GRAPH_EDGE_WEAK = 1,       /* on one of the weakest paths */
    GRAPH_EDGE_INDICATION = 2  /* on a path with an indication */
};

/*
 * Append to out an <svg> element width x height pixels drawing the nodes
 * of m where layout g puts them (custos_apa_layout()) and its edges along
 * their bend points, styled by edge_class[e] (one of GRAPH_EDGE_*;
 * declared steps solid, undeclared dashed; parallel edges bowed apart),
 * with a legend.  Labels are escaped.  Returns CUSTOS_OK, CUSTOS_ENOMEM,
 * CUSTOS_ETOOBIG.
 */
int custos_chart_graph_svg(custos_buf *out, const custos_state_model *m,
                           const custos_graph_layout *g, const int *edge_class, int width,
                           int height);

/* Append s to out with the five XML special characters escaped. */
int custos_xml_escape(custos_buf *out, const char *s);

#endif
