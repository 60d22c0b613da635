/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chartint.h: the chart object (chart.c builds it, chartdraw.c lays it
 * out and draws it).  Date-axis x values are stored as day numbers from
 * 1970-01-01, converted once when added.
 */
#ifndef CUSTOS_CHARTINT_H
#define CUSTOS_CHARTINT_H

#include <stdbool.h>

#include "custos/chart.h"
#include "custos/report.h"
#include "svgint.h"

enum item_type { IT_SERIES, IT_BAND, IT_HLINE, IT_VLINE, IT_BARS };

typedef struct item {
    enum item_type type;
    char *name;
    unsigned style; /* series style, or custos_line_style of a line */
    size_t colour;  /* palette index (series, bars) */
    size_t n;
    double *x;  /* series, band */
    double *y;  /* series y, band lo, bar values */
    double *y2; /* band hi, bar errors (may be NULL) */
    double v;   /* line position */
} item;

typedef struct marker {
    char *label;
    double x, y;
} marker;

struct custos_chart {
    custos_chart_kind kind;
    int width, height;
    char id[65];
    char *title, *desc;
    custos_axis_kind xkind;
    custos_value_format xfmt, yfmt;
    char *xlabel, *ylabel;
    double xmin, xmax, ymin, ymax; /* fixed ends, NaN when automatic */
    item items[CUSTOS_CHART_MAX_ITEMS];
    size_t nitems;
    size_t points;
    size_t colours; /* palette entries handed out */
    marker *markers;
    size_t nmarkers, capmarkers;
    char **cats;
    size_t ncats;
};

/* Day numbers of the date axis. */
#define CUSTOS_CHART_DATE_EPOCH 19700101
double custos_chart_date_to_x(double yyyymmdd);
custos_date custos_chart_x_to_date(double x);

#endif
