/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/chart.h: charts as SVG text, drawn server-side: the one chart
 * code path of the HTML report and of the dashboard.
 *
 * A chart is built from data, then written as one self-contained <svg>
 * element: presentation attributes only (no stylesheet, no script), so
 * it reads the same inline in a page, as a file, or printed.  It carries
 * <title> and <desc> for screen readers and a <title> tooltip on every
 * point, bar and alarm.  Output is deterministic: the same chart gives
 * the same bytes on every machine.  All text is escaped.
 *
 * Two kinds:
 *  - CUSTOS_CHART_XY: sequences and curves over a numeric, period-index
 *    or date x axis: series (lines and/or points), shaded bands (MUF with
 *    +-2 sigma and +-3 sigma), horizontal threshold lines (a CUSUM
 *    decision interval h), vertical reference lines (1 SQ), alarm
 *    markers.  A detection-probability curve is an XY chart with a
 *    numeric x axis and a percent y axis.
 *  - CUSTOS_CHART_BAR: values per category (MBA, period, route), one bar
 *    per series in each category, optional error whiskers, threshold
 *    lines.
 *
 * Values are doubles at the edge (STYLE.md point 11): the caller converts
 * exact milligrams to the unit it labels the axis with.  A non-finite y
 * (NaN) leaves a gap in a line or band.
 *
 * Typical use:
 *
 *     custos_chart *c;
 *     custos_chart_new(&c, CUSTOS_CHART_XY);
 *     custos_chart_set_title(c, "MUF, XA/XAFF, element U");
 *     custos_chart_set_x_axis(c, CUSTOS_AXIS_DATE, "balance period end", CUSTOS_VALUE_PLAIN);
 *     custos_chart_set_y_axis(c, "MUF (kg U)", CUSTOS_VALUE_PLAIN);
 *     custos_chart_add_band(c, "+-3 sigma", x, lo3, hi3, n);
 *     custos_chart_add_band(c, "+-2 sigma", x, lo2, hi2, n);
 *     custos_chart_add_series(c, "MUF", x, muf, n, CUSTOS_SERIES_LINE | CUSTOS_SERIES_POINTS);
 *     custos_chart_write(c, custos_write_file, stdout);
 *     custos_chart_free(c);
 */
#ifndef CUSTOS_CHART_H
#define CUSTOS_CHART_H

#include <stddef.h>

#include "common.h"
#include "format.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct custos_chart custos_chart;

typedef enum custos_chart_kind {
    CUSTOS_CHART_XY = 0, /* sequences and curves */
    CUSTOS_CHART_BAR = 1 /* values per category */
} custos_chart_kind;

/* What the x values of an XY chart are. */
typedef enum custos_axis_kind {
    CUSTOS_AXIS_NUMBER = 0, /* any real number (diverted amount, ...) */
    CUSTOS_AXIS_INDEX = 1,  /* whole numbers: balance period 1, 2, ... */
    CUSTOS_AXIS_DATE = 2    /* calendar dates given as YYYYMMDD (custos_date) */
} custos_axis_kind;

/* How axis labels and tooltips show values. */
typedef enum custos_value_format {
    CUSTOS_VALUE_PLAIN = 0,  /* as given, with the decimals the ticks need */
    CUSTOS_VALUE_PERCENT = 1 /* a fraction shown as a percentage: 0.95 -> "95%" */
} custos_value_format;

/* Series styles (bits). */
#define CUSTOS_SERIES_LINE 0x1   /* join the points */
#define CUSTOS_SERIES_POINTS 0x2 /* a dot at each point, with a tooltip */
#define CUSTOS_SERIES_DASHED 0x4 /* dashed line */

/* Reference line styles. */
typedef enum custos_line_style {
    CUSTOS_LINE_THRESHOLD = 0, /* a decision limit: dashed, alarm colour */
    CUSTOS_LINE_REFERENCE = 1  /* a reference value: dotted, grey */
} custos_line_style;

/* Limits, refused with CUSTOS_ETOOBIG. */
#define CUSTOS_CHART_MAX_ITEMS 64      /* series + bands + lines + bar series */
#define CUSTOS_CHART_MAX_POINTS 200000 /* points over all series and bands */
#define CUSTOS_CHART_MAX_MARKERS 10000
#define CUSTOS_CHART_MAX_CATEGORIES 1000
#define CUSTOS_CHART_MAX_TEXT 512 /* bytes of one title, label or name */

/*
 * A new, empty chart of kind, 640 x 360 pixels, id "chart".  Caller frees
 * with custos_chart_free().  Returns CUSTOS_OK, CUSTOS_EINVAL (unknown
 * kind), CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_chart_new(custos_chart **out, custos_chart_kind kind);
/* NULL is allowed. */
CUSTOS_API void custos_chart_free(custos_chart *c);

/*
 * Text of the chart; each is copied (at most CUSTOS_CHART_MAX_TEXT bytes,
 * else CUSTOS_ETOOBIG); NULL clears.  The title is drawn and is the
 * <title>; desc is the <desc> (when none is set, a summary of what is
 * drawn is written).  Return CUSTOS_OK, CUSTOS_ETOOBIG, CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_chart_set_title(custos_chart *c, const char *title);
CUSTOS_API int custos_chart_set_desc(custos_chart *c, const char *desc);

/*
 * The prefix of every id in the SVG (title, desc, clip path), so several
 * charts can share one HTML page: 1-64 characters [A-Za-z0-9_-] starting
 * with a letter (else CUSTOS_EINVAL).  Copied.
 */
CUSTOS_API int custos_chart_set_id(custos_chart *c, const char *id);

/* Size in pixels: width 200-4000, height 120-4000 (else CUSTOS_EDOMAIN). */
CUSTOS_API int custos_chart_set_size(custos_chart *c, int width, int height);

/*
 * The x axis of an XY chart: what its values are, its label (may be
 * NULL) and how numbers show (ignored for dates).  CUSTOS_EINVAL on a bar
 * chart, whose x axis is its categories.
 */
CUSTOS_API int custos_chart_set_x_axis(custos_chart *c, custos_axis_kind kind, const char *label,
                                       custos_value_format fmt);
/* The y axis: label (may be NULL) and number format. */
CUSTOS_API int custos_chart_set_y_axis(custos_chart *c, const char *label, custos_value_format fmt);

/*
 * Fix the axis range instead of fitting it to the data (both ends widened
 * to nice tick values).  A NaN end stays automatic: (0, NAN) starts the
 * axis at zero.  Data outside the range is clipped.  CUSTOS_EDOMAIN when
 * min >= max or an end is infinite.  The x range applies to XY charts
 * only (for dates, YYYYMMDD values).
 */
CUSTOS_API int custos_chart_set_y_range(custos_chart *c, double min, double max);
CUSTOS_API int custos_chart_set_x_range(custos_chart *c, double min, double max);

/*
 * Add a series of n points (x[i], y[i]) to an XY chart, drawn in the
 * order added, coloured from the palette in that order.  Arrays are
 * copied.  A NaN or infinite y leaves a gap; points need not be sorted
 * but lines join them in the order given.  For a date axis x holds
 * YYYYMMDD dates; an invalid date is CUSTOS_EINVAL.  style is a
 * combination of CUSTOS_SERIES_* (0 means LINE | POINTS).  n = 0 adds a
 * legend entry only.  Returns CUSTOS_OK, CUSTOS_EINVAL (bar chart, NULL
 * array with n > 0, non-finite x), CUSTOS_ETOOBIG, CUSTOS_ENOMEM.
 * O(n).
 */
CUSTOS_API int custos_chart_add_series(custos_chart *c, const char *name, const double *x,
                                       const double *y, size_t n, unsigned style);

/*
 * Add a shaded band between lo[i] and hi[i] over x[i] (x increasing) to
 * an XY chart, drawn under every series.  Bands are translucent, so an
 * inner band added after an outer one shows darker (add +-3 sigma, then
 * +-2 sigma).  A non-finite lo or hi breaks the band.  Same returns as
 * custos_chart_add_series(), and CUSTOS_EINVAL when x decreases.
 */
CUSTOS_API int custos_chart_add_band(custos_chart *c, const char *name, const double *x,
                                     const double *lo, const double *hi, size_t n);

/*
 * A horizontal line at y across the plot (XY and bar charts), labelled at
 * its right end and in the legend: a decision interval h, a limit.  A
 * vertical line at x (XY charts; YYYYMMDD on a date axis): 1 SQ on a
 * detection-probability curve, a PIT date.  CUSTOS_EINVAL for a
 * non-finite value or an unknown style.
 */
CUSTOS_API int custos_chart_add_hline(custos_chart *c, const char *label, double y,
                                      custos_line_style style);
CUSTOS_API int custos_chart_add_vline(custos_chart *c, const char *label, double x,
                                      custos_line_style style);

/*
 * An alarm marker at (x, y) on an XY chart: a vermillion triangle drawn
 * over everything, with label and the point in its tooltip.  Markers
 * with the same label share one legend entry.  CUSTOS_EINVAL for a
 * non-finite point, CUSTOS_ETOOBIG past CUSTOS_CHART_MAX_MARKERS.
 */
CUSTOS_API int custos_chart_add_marker(custos_chart *c, const char *label, double x, double y);

/*
 * The categories of a bar chart, left to right (copied; set once, before
 * any bars).  CUSTOS_EINVAL on an XY chart, a second call, or n = 0;
 * CUSTOS_ETOOBIG past CUSTOS_CHART_MAX_CATEGORIES.
 */
CUSTOS_API int custos_chart_set_categories(custos_chart *c, const char *const *labels, size_t n);

/*
 * One value per category (n must equal the number of categories) as a
 * series of bars; err (may be NULL) draws a whisker of +-err[i] (e.g. 2
 * sigma).  A NaN value draws no bar.  CUSTOS_EINVAL on an XY chart,
 * before categories, or when n differs.
 */
CUSTOS_API int custos_chart_add_bars(custos_chart *c, const char *name, const double *values,
                                     const double *err, size_t n);

/*
 * Write the chart as one <svg> element (UTF-8, no XML declaration, so it
 * can be inlined in HTML or saved as a .svg file) to fn(ctx).  Returns
 * CUSTOS_OK or the first error of fn.  O(points + markers).
 */
CUSTOS_API int custos_chart_write(const custos_chart *c, custos_write_fn fn, void *ctx);

/*
 * The same into a new NUL-terminated string (*len bytes without the
 * NUL).  Caller frees *out with custos_free().  Returns CUSTOS_OK,
 * CUSTOS_ENOMEM, CUSTOS_ETOOBIG (over 64 MiB).
 */
CUSTOS_API int custos_chart_svg(char **out, size_t *len, const custos_chart *c);

#ifdef __cplusplus
}
#endif
#endif
