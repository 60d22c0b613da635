/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chartdraw.c: laying out and drawing charts as SVG (custos/chart.h).
 *
 * Layout, from the top: title, legend (wrapped in rows), the plot area
 * with the y tick labels left of it and the x tick labels and axis label
 * under it.  Axis ranges are fitted to everything drawn (series, bands,
 * lines, markers; zero for bars) and widened to nice ticks (svg.c); a
 * date axis steps by days, months or years, whichever gives a readable
 * number of ticks.  Drawing order: background, grid, bands, zero line,
 * reference lines, bars, series, points, alarm markers (these clipped to
 * the plot area), then axes, line labels, legend and title.  Drawing
 * reads the chart and never changes it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chartint.h"

/* Short for a coordinate argument of custos_svg_printf("%s"). */
#define N(v) custos_svg_n(v).s

#define PAD 12.0
#define FONT 12.0
#define TICK_FONT 11.0
#define TITLE_FONT 15.0
#define LEGEND_ROW 18.0
#define MAX_XTICKS 64

typedef struct axis {
    double lo, hi; /* the axis range, data units (day numbers for dates) */
    size_t n;      /* ticks */
    double tick[MAX_XTICKS];
    char label[MAX_XTICKS][24];
    int decimals;  /* of number tick labels */
    int date_unit; /* 0 day, 1 month, 2 year (date axes) */
} axis;

typedef struct layout {
    double x0, x1, y0, y1; /* plot area in pixels: left, right, top, bottom */
    axis xa, ya;
    double legend_top;
    int legend_rows;
    bool rotate_cats; /* bar chart: category labels at an angle */
    size_t cat_chars; /* bar chart: category labels cut to this many chars */
} layout;

static void extent(double *lo, double *hi, double v)
{
    if (!isfinite(v))
        return;
    if (isnan(*lo) || v < *lo)
        *lo = v;
    if (isnan(*hi) || v > *hi)
        *hi = v;
}

static void number_label(char *buf, size_t size, double v, int decimals, custos_value_format f)
{
    if (f == CUSTOS_VALUE_PERCENT) {
        size_t n =
            custos_svg_format_num(buf, size, v * 100, decimals > 2 ? decimals - 2 : 0, false);
        if (n + 2 <= size) {
            buf[n] = '%';
            buf[n + 1] = '\0';
        }
    } else {
        custos_svg_format_num(buf, size, v, decimals, false);
    }
}

/* Fill a number axis with nice ticks over [lo, hi]. */
static void number_axis(axis *a, double lo, double hi, int target, custos_value_format f)
{
    custos_svg_ticks t;
    custos_svg_nice_ticks(&t, lo, hi, target);
    a->lo = t.lo;
    a->hi = t.hi;
    a->decimals = t.decimals;
    a->n = 0;
    for (int i = 0; i < t.n && a->n < MAX_XTICKS; i++) {
        double v = t.lo + t.step * i;
        if (fabs(v) < t.step * 1e-9)
            v = 0;
        a->tick[a->n] = v;
        number_label(a->label[a->n], sizeof a->label[0], v, t.decimals, f);
        a->n++;
    }
}

/* Whole-number ticks over [lo, hi] widened by half a step. */
static void index_axis(axis *a, double lo, double hi, int target)
{
    double step = custos_svg_nice_num((hi - lo) / (target > 1 ? target - 1 : 1), true);
    if (step < 1)
        step = 1;
    a->lo = lo - 0.5;
    a->hi = hi + 0.5;
    a->decimals = 0;
    a->n = 0;
    for (double v = ceil(lo / step) * step; v <= hi && a->n < MAX_XTICKS; v += step) {
        a->tick[a->n] = v;
        custos_svg_format_num(a->label[a->n], sizeof a->label[0], v, 0, false);
        a->n++;
    }
}

static int date_year(custos_date d)
{
    return d / 10000;
}

static int date_month(custos_date d)
{
    return d / 100 % 100;
}

/* Ticks on a date axis: the smallest step among days, months and years
 * that gives at most target ticks. */
static void date_axis(axis *a, double lo, double hi, int target)
{
    static const struct {
        int unit, step;
    } steps[] = {{0, 1}, {0, 2}, {0, 7}, {0, 14}, {1, 1},  {1, 2},  {1, 3},   {1, 6},
                 {2, 1}, {2, 2}, {2, 5}, {2, 10}, {2, 20}, {2, 50}, {2, 100}, {2, 1000}};
    double span = hi - lo;
    double pad = span * 0.03 > 1 ? span * 0.03 : 1;
    a->lo = lo - pad;
    a->hi = hi + pad;
    a->decimals = 0;
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        int unit = steps[k].unit, step = steps[k].step;
        double approx = unit == 0 ? step : unit == 1 ? 30.44 * step : 365.25 * step;
        if ((a->hi - a->lo) / approx > target && k + 1 < sizeof steps / sizeof steps[0])
            continue;
        a->n = 0;
        a->date_unit = unit;
        custos_date d = custos_chart_x_to_date(ceil(a->lo));
        if (unit == 0) {
            double first = ceil(a->lo / step) * step;
            for (double v = first; v <= a->hi && a->n < MAX_XTICKS; v += step) {
                a->tick[a->n] = v;
                custos_date_iso(a->label[a->n], custos_chart_x_to_date(v));
                a->n++;
            }
        } else {
            int y = date_year(d), m = date_month(d);
            if (unit == 1) {
                /* first of the next month on the step grid */
                if (d % 100 != 1) {
                    if (++m > 12) {
                        m = 1;
                        y++;
                    }
                }
                while ((m - 1) % step) {
                    if (++m > 12) {
                        m = 1;
                        y++;
                    }
                }
            } else {
                if (d % 10000 != 101)
                    y++;
                while (y % step)
                    y++;
                m = 1;
            }
            for (;;) {
                custos_date t = (custos_date)(y * 10000 + m * 100 + 1);
                if (y > 9999)
                    break;
                double v = custos_chart_date_to_x(t);
                if (v > a->hi || a->n >= MAX_XTICKS)
                    break;
                a->tick[a->n] = v;
                char iso[11];
                custos_date_iso(iso, t);
                custos_strlcpy(a->label[a->n], iso, unit == 1 ? 8 : 5);
                a->n++;
                if (unit == 1) {
                    m += step;
                    while (m > 12) {
                        m -= 12;
                        y++;
                    }
                } else {
                    y += step;
                }
            }
        }
        return;
    }
}

/* Legend entries in drawing order. */
typedef struct legend_entry {
    const char *text;
    int what; /* 0 line, 1 band, 2 threshold, 3 reference, 4 bar, 5 marker, 6 points only */
    const char *colour;
    bool dashed;
} legend_entry;

static size_t legend_entries(const custos_chart *c, legend_entry *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nitems && n < max; i++) {
        const item *it = &c->items[i];
        if (!it->name || !*it->name)
            continue;
        legend_entry e = {it->name, 0, custos_svg_colour(it->colour), false};
        switch (it->type) {
        case IT_SERIES:
            e.what = (it->style & CUSTOS_SERIES_LINE) ? 0 : 6;
            e.dashed = (it->style & CUSTOS_SERIES_DASHED) != 0;
            break;
        case IT_BAND: e.what = 1, e.colour = CUSTOS_SVG_BAND; break;
        case IT_HLINE:
        case IT_VLINE:
            e.what = it->style == CUSTOS_LINE_THRESHOLD ? 2 : 3;
            e.colour = it->style == CUSTOS_LINE_THRESHOLD ? CUSTOS_SVG_ALARM : CUSTOS_SVG_MUTED;
            break;
        case IT_BARS: e.what = 4; break;
        }
        out[n++] = e;
    }
    for (size_t i = 0; i < c->nmarkers && n < max; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(c->markers[j].label, c->markers[i].label);
        if (!seen)
            out[n++] = (legend_entry){c->markers[i].label, 5, CUSTOS_SVG_ALARM, false};
    }
    return n;
}

#define MAX_LEGEND (CUSTOS_CHART_MAX_ITEMS + 16)

static double legend_width(const legend_entry *e)
{
    return 26 + custos_svg_text_width(e->text, FONT) + 14;
}

static int legend_rows(const legend_entry *e, size_t n, double width)
{
    if (!n)
        return 0;
    int rows = 1;
    double x = PAD;
    for (size_t i = 0; i < n; i++) {
        double w = legend_width(&e[i]);
        if (x > PAD && x + w > width - PAD) {
            rows++;
            x = PAD;
        }
        x += w;
    }
    return rows;
}

static double max_label_width(const axis *a, double px)
{
    double w = 0;
    for (size_t i = 0; i < a->n; i++) {
        double t = custos_svg_text_width(a->label[i], px);
        if (t > w)
            w = t;
    }
    return w;
}

static void compute_layout(const custos_chart *c, layout *L, const legend_entry *le, size_t nle)
{
    memset(L, 0, sizeof *L);
    double W = c->width, H = c->height;
    double title_h = c->title && *c->title ? 24 : 0;
    L->legend_rows = legend_rows(le, nle, W);
    L->legend_top = PAD + title_h;
    L->y0 = L->legend_top + L->legend_rows * LEGEND_ROW + 10;

    /* y extent */
    double ylo = (double)NAN, yhi = (double)NAN, xlo = (double)NAN, xhi = (double)NAN;
    for (size_t i = 0; i < c->nitems; i++) {
        const item *it = &c->items[i];
        switch (it->type) {
        case IT_SERIES:
            for (size_t k = 0; k < it->n; k++)
                if (isfinite(it->y[k])) {
                    extent(&ylo, &yhi, it->y[k]);
                    extent(&xlo, &xhi, it->x[k]);
                }
            break;
        case IT_BAND:
            for (size_t k = 0; k < it->n; k++) {
                if (isfinite(it->y[k]) && isfinite(it->y2[k])) {
                    extent(&ylo, &yhi, it->y[k]);
                    extent(&ylo, &yhi, it->y2[k]);
                    extent(&xlo, &xhi, it->x[k]);
                }
            }
            break;
        case IT_HLINE: extent(&ylo, &yhi, it->v); break;
        case IT_VLINE: extent(&xlo, &xhi, it->v); break;
        case IT_BARS:
            extent(&ylo, &yhi, 0);
            for (size_t k = 0; k < it->n; k++) {
                if (!isfinite(it->y[k]))
                    continue;
                double e = it->y2 && isfinite(it->y2[k]) ? fabs(it->y2[k]) : 0;
                extent(&ylo, &yhi, it->y[k] - e);
                extent(&ylo, &yhi, it->y[k] + e);
            }
            break;
        }
    }
    for (size_t i = 0; i < c->nmarkers; i++) {
        extent(&ylo, &yhi, c->markers[i].y);
        extent(&xlo, &xhi, c->markers[i].x);
    }
    if (!isnan(c->ymin))
        ylo = c->ymin, yhi = isnan(yhi) || yhi < c->ymin ? c->ymin + 1 : yhi;
    if (!isnan(c->ymax))
        yhi = c->ymax, ylo = isnan(ylo) || ylo > c->ymax ? c->ymax - 1 : ylo;
    if (isnan(ylo))
        ylo = 0, yhi = 1;
    int ytarget = (int)((H - L->y0 - 50) / 45) + 1;
    number_axis(&L->ya, ylo, yhi, ytarget < 3 ? 3 : ytarget > 10 ? 10 : ytarget, c->yfmt);
    if (!isnan(c->ymin) && !isnan(c->ymax)) {
        /* A fixed range is kept exactly; only ticks inside it stay. */
        size_t k = 0;
        for (size_t i = 0; i < L->ya.n; i++)
            if (L->ya.tick[i] >= c->ymin - 1e-12 && L->ya.tick[i] <= c->ymax + 1e-12) {
                L->ya.tick[k] = L->ya.tick[i];
                memcpy(L->ya.label[k], L->ya.label[i], sizeof L->ya.label[0]);
                k++;
            }
        L->ya.n = k;
        L->ya.lo = c->ymin;
        L->ya.hi = c->ymax;
    }

    double ylab = c->ylabel && *c->ylabel ? 20 : 0;
    L->x0 = PAD + ylab + max_label_width(&L->ya, TICK_FONT) + 8;
    L->y1 = H - PAD - (c->xlabel && *c->xlabel ? 20 : 0) - 20;

    if (c->kind == CUSTOS_CHART_BAR) {
        L->x1 = W - PAD - 8;
        double slot = c->ncats ? (L->x1 - L->x0) / (double)c->ncats : 1;
        double widest = 0;
        for (size_t i = 0; i < c->ncats; i++) {
            double t = custos_svg_text_width(c->cats[i], TICK_FONT);
            if (t > widest)
                widest = t;
        }
        L->cat_chars = 24;
        if (widest > slot - 4) {
            L->rotate_cats = true;
            double drop = (widest < 24 * 0.6 * TICK_FONT ? widest : 24 * 0.6 * TICK_FONT) * 0.57;
            L->y1 -= drop;
        }
        return;
    }

    /* x extent */
    if (!isnan(c->xmin))
        xlo = c->xmin, xhi = isnan(xhi) || xhi < c->xmin ? c->xmin + 1 : xhi;
    if (!isnan(c->xmax))
        xhi = c->xmax, xlo = isnan(xlo) || xlo > c->xmax ? c->xmax - 1 : xlo;
    if (isnan(xlo)) {
        xlo = c->xkind == CUSTOS_AXIS_DATE ? custos_chart_date_to_x(20000101) : 0;
        xhi = xlo + (c->xkind == CUSTOS_AXIS_DATE ? 365 : 1);
    }
    double right = c->xkind == CUSTOS_AXIS_DATE ? 36 : 24;
    L->x1 = W - PAD - right;
    double per = c->xkind == CUSTOS_AXIS_DATE ? 90 : 70;
    int xtarget = (int)((L->x1 - L->x0) / per) + 1;
    xtarget = xtarget < 2 ? 2 : xtarget > 12 ? 12 : xtarget;
    switch (c->xkind) {
    case CUSTOS_AXIS_NUMBER: number_axis(&L->xa, xlo, xhi, xtarget, c->xfmt); break;
    case CUSTOS_AXIS_INDEX: index_axis(&L->xa, xlo, xhi, xtarget); break;
    case CUSTOS_AXIS_DATE: date_axis(&L->xa, xlo, xhi, xtarget); break;
    }
    if (!isnan(c->xmin) && !isnan(c->xmax) && c->xkind != CUSTOS_AXIS_INDEX) {
        size_t k = 0;
        for (size_t i = 0; i < L->xa.n; i++)
            if (L->xa.tick[i] >= c->xmin - 1e-12 && L->xa.tick[i] <= c->xmax + 1e-12) {
                L->xa.tick[k] = L->xa.tick[i];
                memcpy(L->xa.label[k], L->xa.label[i], sizeof L->xa.label[0]);
                k++;
            }
        L->xa.n = k;
        L->xa.lo = c->xmin;
        L->xa.hi = c->xmax;
    }
}

static double px_x(const layout *L, double v)
{
    return L->x0 + (v - L->xa.lo) / (L->xa.hi - L->xa.lo) * (L->x1 - L->x0);
}

static double px_y(const layout *L, double v)
{
    return L->y1 - (v - L->ya.lo) / (L->ya.hi - L->ya.lo) * (L->y1 - L->y0);
}

/* ---- drawing ----------------------------------------------------------- */

/* A value as tooltips show it. */
static void value_text(char *buf, size_t size, double v, custos_value_format f, int decimals)
{
    if (f == CUSTOS_VALUE_PERCENT) {
        size_t n = custos_svg_format_num(buf, size, v * 100, 2, true);
        if (n + 2 <= size) {
            buf[n] = '%';
            buf[n + 1] = '\0';
        }
    } else {
        custos_svg_format_num(buf, size, v, decimals + 2 > 3 ? decimals + 2 : 3, true);
    }
}

static void x_text(const custos_chart *c, const layout *L, char *buf, size_t size, double x)
{
    if (c->xkind == CUSTOS_AXIS_DATE) {
        char iso[11];
        custos_date_iso(iso, custos_chart_x_to_date(x));
        custos_strlcpy(buf, iso, size);
    } else if (c->xkind == CUSTOS_AXIS_INDEX) {
        custos_svg_format_num(buf, size, x, 3, true);
    } else {
        value_text(buf, size, x, c->xfmt, L->xa.decimals);
    }
}

/* "<title>NAME: A, B</title>" with the parts that are set. */
static void tooltip(custos_svg *s, const char *name, const char *a, const char *b)
{
    custos_svg_puts(s, "<title>");
    custos_svg_text(s, name);
    if (name && *name && (a || b))
        custos_svg_puts(s, ": ");
    custos_svg_text(s, a);
    if (a && b)
        custos_svg_puts(s, ", ");
    custos_svg_text(s, b);
    custos_svg_puts(s, "</title>");
}

static void draw_bands(custos_svg *s, const custos_chart *c, const layout *L)
{
    for (size_t i = 0; i < c->nitems; i++) {
        const item *it = &c->items[i];
        if (it->type != IT_BAND)
            continue;
        custos_svg_puts(s, "<g class=\"band\">");
        tooltip(s, it->name, NULL, NULL);
        size_t k = 0;
        while (k < it->n) {
            while (k < it->n && !(isfinite(it->y[k]) && isfinite(it->y2[k])))
                k++;
            size_t a = k;
            while (k < it->n && isfinite(it->y[k]) && isfinite(it->y2[k]))
                k++;
            if (k == a)
                continue;
            /* upper edge left to right, lower edge back */
            custos_svg_puts(s, "<path d=\"");
            for (size_t j = a; j < k; j++)
                custos_svg_printf(s, "%s%s %s", j == a ? "M" : " L", N(px_x(L, it->x[j])),
                                  N(px_y(L, it->y2[j])));
            for (size_t j = k; j-- > a;)
                custos_svg_printf(s, " L%s %s", N(px_x(L, it->x[j])), N(px_y(L, it->y[j])));
            custos_svg_printf(s, " Z\" fill=\"%s\" fill-opacity=\"0.16\"/>", CUSTOS_SVG_BAND);
        }
        custos_svg_puts(s, "</g>\n");
    }
}

static void draw_lines(custos_svg *s, const custos_chart *c, const layout *L)
{
    for (size_t i = 0; i < c->nitems; i++) {
        const item *it = &c->items[i];
        if (it->type != IT_HLINE && it->type != IT_VLINE)
            continue;
        bool thr = it->style == CUSTOS_LINE_THRESHOLD;
        double x1 = L->x0, x2 = L->x1, y1 = L->y0, y2 = L->y1;
        char v[48];
        if (it->type == IT_HLINE) {
            y1 = y2 = px_y(L, it->v);
            value_text(v, sizeof v, it->v, c->yfmt, L->ya.decimals);
        } else {
            x1 = x2 = px_x(L, it->v);
            x_text(c, L, v, sizeof v, it->v);
        }
        custos_svg_printf(s,
                          "<line class=\"%s\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" "
                          "stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"%s\">",
                          thr ? "threshold" : "reference", N(x1), N(y1), N(x2), N(y2),
                          thr ? CUSTOS_SVG_ALARM : CUSTOS_SVG_MUTED, thr ? "6 4" : "2 3");
        tooltip(s, it->name, v, NULL);
        custos_svg_puts(s, "</line>\n");
    }
}

static void draw_series(custos_svg *s, const custos_chart *c, const layout *L)
{
    for (size_t i = 0; i < c->nitems; i++) {
        const item *it = &c->items[i];
        if (it->type != IT_SERIES)
            continue;
        const char *col = custos_svg_colour(it->colour);
        custos_svg_printf(s, "<g class=\"series\" data-series=\"%zu\">", i);
        if (it->style & CUSTOS_SERIES_LINE) {
            bool open = false, pen_up = true;
            for (size_t k = 0; k < it->n; k++) {
                if (!isfinite(it->y[k])) {
                    pen_up = true; /* a gap */
                    continue;
                }
                custos_svg_printf(s, "%s%s%s %s", open ? "" : "<path d=\"",
                                  pen_up ? (open ? " M" : "M") : " L", N(px_x(L, it->x[k])),
                                  N(px_y(L, it->y[k])));
                open = true;
                pen_up = false;
            }
            if (open)
                custos_svg_printf(
                    s,
                    "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                    "stroke-linejoin=\"round\"%s/>",
                    col, (it->style & CUSTOS_SERIES_DASHED) ? " stroke-dasharray=\"6 3\"" : "");
        }
        if (it->style & CUSTOS_SERIES_POINTS) {
            for (size_t k = 0; k < it->n; k++) {
                if (!isfinite(it->y[k]))
                    continue;
                char xv[48], yv[48];
                x_text(c, L, xv, sizeof xv, it->x[k]);
                value_text(yv, sizeof yv, it->y[k], c->yfmt, L->ya.decimals);
                custos_svg_printf(s, "<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\">",
                                  N(px_x(L, it->x[k])), N(px_y(L, it->y[k])), col);
                tooltip(s, it->name, xv, yv);
                custos_svg_puts(s, "</circle>");
            }
        }
        custos_svg_puts(s, "</g>\n");
    }
}

static void draw_bars(custos_svg *s, const custos_chart *c, const layout *L)
{
    size_t nb = 0;
    for (size_t i = 0; i < c->nitems; i++)
        nb += c->items[i].type == IT_BARS;
    if (!nb || !c->ncats)
        return;
    double slot = (L->x1 - L->x0) / (double)c->ncats;
    double group = slot * 0.8, bw = group / (double)nb;
    double zero = px_y(L, L->ya.lo > 0 ? L->ya.lo : L->ya.hi < 0 ? L->ya.hi : 0);
    size_t b = 0;
    for (size_t i = 0; i < c->nitems; i++) {
        const item *it = &c->items[i];
        if (it->type != IT_BARS)
            continue;
        custos_svg_printf(s, "<g class=\"bars\" data-series=\"%zu\">", i);
        for (size_t k = 0; k < it->n; k++) {
            if (!isfinite(it->y[k]))
                continue;
            double x = L->x0 + slot * (double)k + (slot - group) / 2 + bw * (double)b;
            double y = px_y(L, it->y[k]);
            double e = it->y2 && isfinite(it->y2[k]) ? fabs(it->y2[k]) : 0;
            custos_svg_printf(s, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\">",
                              N(x + 1), N(y < zero ? y : zero), N(bw > 3 ? bw - 2 : 1),
                              N(fabs(zero - y)), custos_svg_colour(it->colour));
            char v[48], ev[56];
            value_text(v, sizeof v, it->y[k], c->yfmt, L->ya.decimals);
            if (e > 0) {
                size_t n = strlen(v);
                snprintf(v + n, sizeof v - n, " \xc2\xb1 "); /* plus-minus sign */
                value_text(ev, sizeof ev, e, c->yfmt, L->ya.decimals);
                custos_strlcpy(v + strlen(v), ev, sizeof v - strlen(v));
            }
            custos_svg_puts(s, "<title>");
            custos_svg_text(s, c->cats[k]);
            if (it->name && *it->name) {
                custos_svg_puts(s, ", ");
                custos_svg_text(s, it->name);
            }
            custos_svg_puts(s, ": ");
            custos_svg_text(s, v);
            custos_svg_puts(s, "</title></rect>");
            if (e > 0) {
                double cx = x + bw / 2, ya = px_y(L, it->y[k] - e), yb = px_y(L, it->y[k] + e);
                custos_svg_printf(s,
                                  "<path class=\"whisker\" d=\"M%s %s V%s M%s %s h8 M%s %s h8\" "
                                  "stroke=\"%s\" stroke-width=\"1.2\" fill=\"none\"/>",
                                  N(cx), N(ya), N(yb), N(cx - 4), N(ya), N(cx - 4), N(yb),
                                  CUSTOS_SVG_INK);
            }
        }
        custos_svg_puts(s, "</g>\n");
        b++;
    }
}

static void draw_markers(custos_svg *s, const custos_chart *c, const layout *L)
{
    if (!c->nmarkers)
        return;
    custos_svg_puts(s, "<g class=\"alarms\">");
    for (size_t i = 0; i < c->nmarkers; i++) {
        const marker *m = &c->markers[i];
        double x = px_x(L, m->x), y = px_y(L, m->y);
        custos_svg_printf(s,
                          "<path class=\"alarm\" d=\"M%s %s L%s %s L%s %s Z\" fill=\"%s\" "
                          "stroke=\"#ffffff\" stroke-width=\"1\">",
                          N(x), N(y - 7), N(x + 6), N(y + 4), N(x - 6), N(y + 4), CUSTOS_SVG_ALARM);
        char xv[48], yv[48];
        x_text(c, L, xv, sizeof xv, m->x);
        value_text(yv, sizeof yv, m->y, c->yfmt, L->ya.decimals);
        tooltip(s, m->label, xv, yv);
        custos_svg_puts(s, "</path>");
    }
    custos_svg_puts(s, "</g>\n");
}

/* <text> at (x, y); extra is trusted markup (attributes). */
static void text_at(custos_svg *s, double x, double y, const char *anchor, const char *extra,
                    const char *text)
{
    custos_svg_printf(s, "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\"%s>", N(x), N(y), anchor,
                      extra);
    custos_svg_text(s, text);
    custos_svg_puts(s, "</text>");
}

/* Cut text to at most max code points, with an ellipsis. */
static void cut_text(char *buf, size_t size, const char *text, size_t max)
{
    size_t cps = 0, i = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (p[i] && cps < max) {
        i++;
        while ((p[i] & 0xc0) == 0x80)
            i++;
        cps++;
    }
    if (!p[i] || i + 4 > size) {
        custos_strlcpy(buf, text, i + 1 < size ? i + 1 : size);
        return;
    }
    memcpy(buf, text, i);
    memcpy(buf + i, "\xe2\x80\xa6", 4); /* U+2026 ellipsis and the NUL */
}

static void draw_axes(custos_svg *s, const custos_chart *c, const layout *L)
{
    char extra[128];
    custos_svg_printf(s, "<g class=\"axes\" fill=\"%s\" font-size=\"11\">", CUSTOS_SVG_INK);
    for (size_t i = 0; i < L->ya.n; i++)
        text_at(s, L->x0 - 6, px_y(L, L->ya.tick[i]) + 4, "end", "", L->ya.label[i]);
    if (c->kind == CUSTOS_CHART_BAR) {
        double slot = (L->x1 - L->x0) / (double)c->ncats;
        for (size_t i = 0; i < c->ncats; i++) {
            char cut[128];
            cut_text(cut, sizeof cut, c->cats[i], L->cat_chars);
            double x = L->x0 + slot * ((double)i + 0.5);
            if (L->rotate_cats) {
                snprintf(extra, sizeof extra, " transform=\"rotate(-35 %s %s)\"", N(x),
                         N(L->y1 + 14));
                text_at(s, x, L->y1 + 14, "end", extra, cut);
            } else {
                text_at(s, x, L->y1 + 16, "middle", "", cut);
            }
        }
    } else {
        for (size_t i = 0; i < L->xa.n; i++)
            text_at(s, px_x(L, L->xa.tick[i]), L->y1 + 16, "middle", "", L->xa.label[i]);
    }
    custos_svg_puts(s, "</g>\n");
    /* tick marks and the two axis lines */
    custos_svg_printf(s, "<path class=\"ticks\" stroke=\"%s\" fill=\"none\" d=\"", CUSTOS_SVG_INK);
    for (size_t i = 0; i < L->ya.n; i++)
        custos_svg_printf(s, "M%s %s h4 ", N(L->x0 - 4), N(px_y(L, L->ya.tick[i])));
    if (c->kind != CUSTOS_CHART_BAR)
        for (size_t i = 0; i < L->xa.n; i++)
            custos_svg_printf(s, "M%s %s v4 ", N(px_x(L, L->xa.tick[i])), N(L->y1));
    custos_svg_printf(s, "M%s %s V%s H%s\"/>\n", N(L->x0), N(L->y0), N(L->y1), N(L->x1));
    if (c->xlabel && *c->xlabel) {
        snprintf(extra, sizeof extra, " fill=\"%s\"", CUSTOS_SVG_INK);
        text_at(s, (L->x0 + L->x1) / 2, c->height - PAD - 2, "middle", extra, c->xlabel);
        custos_svg_puts(s, "\n");
    }
    if (c->ylabel && *c->ylabel) {
        double x = PAD + 10, y = (L->y0 + L->y1) / 2;
        snprintf(extra, sizeof extra, " transform=\"rotate(-90 %s %s)\" fill=\"%s\"", N(x), N(y),
                 CUSTOS_SVG_INK);
        text_at(s, x, y, "middle", extra, c->ylabel);
        custos_svg_puts(s, "\n");
    }
    /* labels of reference lines: horizontal ones at their right end */
    for (size_t i = 0; i < c->nitems; i++) {
        const item *it = &c->items[i];
        if ((it->type != IT_HLINE && it->type != IT_VLINE) || !it->name || !*it->name)
            continue;
        snprintf(extra, sizeof extra, " font-size=\"11\" fill=\"%s\"",
                 it->style == CUSTOS_LINE_THRESHOLD ? CUSTOS_SVG_ALARM : CUSTOS_SVG_MUTED);
        if (it->type == IT_HLINE) {
            double y = px_y(L, it->v);
            if (y < L->y0 || y > L->y1)
                continue;
            text_at(s, L->x1 - 4, y - 4, "end", extra, it->name);
        } else {
            /* vertical: at the top, right of the line (left near the edge) */
            double x = px_x(L, it->v);
            if (x < L->x0 || x > L->x1)
                continue;
            bool left = x + 6 + custos_svg_text_width(it->name, TICK_FONT) > L->x1;
            text_at(s, left ? x - 4 : x + 4, L->y0 + 12, left ? "end" : "start", extra, it->name);
        }
        custos_svg_puts(s, "\n");
    }
}

static void draw_legend(custos_svg *s, const custos_chart *c, const layout *L,
                        const legend_entry *le, size_t n)
{
    if (!n)
        return;
    custos_svg_printf(s, "<g class=\"legend\" fill=\"%s\">", CUSTOS_SVG_INK);
    double x = PAD, y = L->legend_top;
    for (size_t i = 0; i < n; i++) {
        const legend_entry *e = &le[i];
        double w = legend_width(e);
        if (x > PAD && x + w > c->width - PAD) {
            x = PAD;
            y += LEGEND_ROW;
        }
        double my = y + 9;
        switch (e->what) {
        case 1:
            custos_svg_printf(s,
                              "<rect x=\"%s\" y=\"%s\" width=\"20\" height=\"12\" fill=\"%s\" "
                              "fill-opacity=\"0.3\"/>",
                              N(x), N(my - 6), e->colour);
            break;
        case 4:
            custos_svg_printf(s, "<rect x=\"%s\" y=\"%s\" width=\"12\" height=\"12\" fill=\"%s\"/>",
                              N(x + 4), N(my - 6), e->colour);
            break;
        case 5:
            custos_svg_printf(s, "<path d=\"M%s %s l6 11 h-12 Z\" fill=\"%s\"/>", N(x + 10),
                              N(my - 7), e->colour);
            break;
        case 6:
            custos_svg_printf(s, "<circle cx=\"%s\" cy=\"%s\" r=\"3.5\" fill=\"%s\"/>", N(x + 10),
                              N(my), e->colour);
            break;
        default:
            custos_svg_printf(s, "<path d=\"M%s %s h20\" stroke=\"%s\" stroke-width=\"%s\"%s/>",
                              N(x), N(my), e->colour, e->what == 0 ? "2" : "1.5",
                              e->what == 2   ? " stroke-dasharray=\"6 4\""
                              : e->what == 3 ? " stroke-dasharray=\"2 3\""
                              : e->dashed    ? " stroke-dasharray=\"6 3\""
                                             : "");
        }
        text_at(s, x + 26, my + 4, "start", "", e->text);
        x += w;
    }
    custos_svg_puts(s, "</g>\n");
}

/* "; AXIS (LABEL) from A to B" for the automatic description. */
static void summary_axis(custos_svg *s, const char *name, const char *label, const char *a,
                         const char *b)
{
    custos_svg_printf(s, "; %s ", name);
    if (label && *label) {
        custos_svg_puts(s, "(");
        custos_svg_text(s, label);
        custos_svg_puts(s, ") ");
    }
    custos_svg_puts(s, "from ");
    custos_svg_text(s, a);
    custos_svg_puts(s, " to ");
    custos_svg_text(s, b);
}

/* The automatic <desc>: what is drawn, in words. */
static void write_summary(custos_svg *s, const custos_chart *c, const layout *L)
{
    size_t count[IT_BARS + 1] = {0};
    for (size_t i = 0; i < c->nitems; i++)
        count[c->items[i].type]++;
    if (c->kind == CUSTOS_CHART_BAR) {
        custos_svg_printf(s, "Bar chart of %zu categories, %zu series", c->ncats, count[IT_BARS]);
    } else {
        custos_svg_printf(s, "Chart of %zu series", count[IT_SERIES]);
        for (size_t i = 0, k = 0; i < c->nitems; i++) {
            const item *it = &c->items[i];
            if (it->type != IT_SERIES)
                continue;
            custos_svg_puts(s, k++ ? ", " : " (");
            custos_svg_text(s, it->name && *it->name ? it->name : "unnamed");
            custos_svg_printf(s, ": %zu points", it->n);
        }
        if (count[IT_SERIES])
            custos_svg_puts(s, ")");
        if (count[IT_BAND])
            custos_svg_printf(s, ", %zu shaded bands", count[IT_BAND]);
        if (c->nmarkers)
            custos_svg_printf(s, ", %zu alarms", c->nmarkers);
    }
    if (count[IT_HLINE] + count[IT_VLINE])
        custos_svg_printf(s, ", %zu reference lines", count[IT_HLINE] + count[IT_VLINE]);
    char a[48], b[48];
    if (c->kind == CUSTOS_CHART_XY) {
        x_text(c, L, a, sizeof a, L->xa.lo);
        x_text(c, L, b, sizeof b, L->xa.hi);
        summary_axis(s, "x", c->xlabel, a, b);
    }
    value_text(a, sizeof a, L->ya.lo, c->yfmt, L->ya.decimals);
    value_text(b, sizeof b, L->ya.hi, c->yfmt, L->ya.decimals);
    summary_axis(s, "y", c->ylabel, a, b);
    custos_svg_puts(s, ".");
}

int custos_chart_write(const custos_chart *c, custos_write_fn fn, void *ctx)
{
    legend_entry le[MAX_LEGEND];
    size_t nle = legend_entries(c, le, MAX_LEGEND);
    layout L;
    compute_layout(c, &L, le, nle);
    custos_svg sv, *s = &sv;
    custos_svg_init(s, fn, ctx);
    const char *id = c->id;

    custos_svg_printf(s,
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"custos-chart\" "
                      "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                      "aria-labelledby=\"%s-title %s-desc\" font-family=\"%s\" font-size=\"12\">\n",
                      c->width, c->height, c->width, c->height, id, id, CUSTOS_SVG_FONT);
    custos_svg_printf(s, "<title id=\"%s-title\">", id);
    custos_svg_text(s, c->title && *c->title ? c->title : "Chart");
    custos_svg_printf(s, "</title>\n<desc id=\"%s-desc\">", id);
    if (c->desc && *c->desc)
        custos_svg_text(s, c->desc);
    else
        write_summary(s, c, &L);
    custos_svg_puts(s, "</desc>\n");
    custos_svg_printf(s,
                      "<defs><clipPath id=\"%s-clip\"><rect x=\"%s\" y=\"%s\" width=\"%s\" "
                      "height=\"%s\"/></clipPath></defs>\n"
                      "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
                      id, N(L.x0), N(L.y0 - 8), N(L.x1 - L.x0 + 8), N(L.y1 - L.y0 + 8), c->width,
                      c->height);
    custos_svg_printf(s, "<path class=\"grid\" stroke=\"%s\" fill=\"none\" d=\"", CUSTOS_SVG_GRID);
    for (size_t i = 0; i < L.ya.n; i++)
        custos_svg_printf(s, "M%s %s H%s ", N(L.x0), N(px_y(&L, L.ya.tick[i])), N(L.x1));
    custos_svg_printf(s, "\"/>\n<g clip-path=\"url(#%s-clip)\">\n", id);
    draw_bands(s, c, &L);
    if (L.ya.lo < 0 && L.ya.hi > 0)
        custos_svg_printf(s, "<path class=\"zero\" stroke=\"%s\" d=\"M%s %s H%s\"/>\n",
                          CUSTOS_SVG_MUTED, N(L.x0), N(px_y(&L, 0)), N(L.x1));
    draw_lines(s, c, &L);
    draw_bars(s, c, &L);
    draw_series(s, c, &L);
    draw_markers(s, c, &L);
    custos_svg_puts(s, "</g>\n");
    draw_axes(s, c, &L);
    draw_legend(s, c, &L, le, nle);
    if (c->title && *c->title) {
        custos_svg_printf(s,
                          "<text x=\"%s\" y=\"%s\" font-size=\"15\" font-weight=\"600\" "
                          "fill=\"%s\">",
                          N(PAD), N(PAD + 14), CUSTOS_SVG_INK);
        custos_svg_text(s, c->title);
        custos_svg_puts(s, "</text>\n");
    }
    if (c->nitems == 0 && c->nmarkers == 0)
        custos_svg_printf(s,
                          "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\" fill=\"%s\">no "
                          "data</text>\n",
                          N((L.x0 + L.x1) / 2), N((L.y0 + L.y1) / 2), CUSTOS_SVG_MUTED);
    custos_svg_puts(s, "</svg>\n");
    return custos_svg_finish(s);
}

int custos_chart_svg(char **out, size_t *len, const custos_chart *c)
{
    *out = NULL;
    custos_buf b;
    custos_buf_init(&b, (size_t)64 << 20);
    int err = custos_chart_write(c, custos_buf_write_fn, &b);
    if (err >= 0 && !b.data)
        err = custos_buf_append(&b, "", 0);
    if (err < 0) {
        custos_buf_dispose(&b);
        return err;
    }
    *out = b.data;
    if (len)
        *len = b.len;
    return CUSTOS_OK;
}
