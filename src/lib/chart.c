/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chart.c: building charts (custos/chart.h): the chart object and the
 * checks on what is added to it.  chartdraw.c lays charts out and draws
 * them.
 *
 * A chart keeps copies of its data, checked when added (finite x, real
 * dates, sizes within the documented limits), so drawing never fails on
 * the data and a chart can be written any number of times with the same
 * bytes.
 */
#include <math.h>
#include <string.h>

#include "chartint.h"

double custos_chart_date_to_x(double d)
{
    return (double)custos_date_diff(CUSTOS_CHART_DATE_EPOCH, (custos_date)d);
}

custos_date custos_chart_x_to_date(double x)
{
    return custos_date_add(CUSTOS_CHART_DATE_EPOCH, (int)floor(x + 0.5));
}

static bool date_ok(double d)
{
    return isfinite(d) && d == floor(d) && d >= 19000101 && d <= 99991231 &&
           custos_date_valid((custos_date)d);
}

int custos_chart_new(custos_chart **out, custos_chart_kind kind)
{
    *out = NULL;
    if (kind != CUSTOS_CHART_XY && kind != CUSTOS_CHART_BAR)
        return custos_error_set(CUSTOS_EINVAL, "unknown chart kind %d", (int)kind);
    custos_chart *c = custos_calloc(1, sizeof *c);
    if (!c)
        return custos_error_nomem();
    c->kind = kind;
    c->width = 640;
    c->height = 360;
    custos_strlcpy(c->id, "chart", sizeof c->id);
    c->xmin = c->xmax = c->ymin = c->ymax = (double)NAN;
    *out = c;
    return CUSTOS_OK;
}

void custos_chart_free(custos_chart *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nitems; i++) {
        custos_free(c->items[i].name);
        custos_free(c->items[i].x);
        custos_free(c->items[i].y);
        custos_free(c->items[i].y2);
    }
    for (size_t i = 0; i < c->nmarkers; i++)
        custos_free(c->markers[i].label);
    custos_free(c->markers);
    for (size_t i = 0; i < c->ncats; i++)
        custos_free(c->cats[i]);
    custos_free(c->cats);
    custos_free(c->title);
    custos_free(c->desc);
    custos_free(c->xlabel);
    custos_free(c->ylabel);
    custos_free(c);
}

/* Copy text into *field (NULL clears). */
static int set_text(char **field, const char *text, const char *what)
{
    char *copy = NULL;
    if (text) {
        if (strlen(text) > CUSTOS_CHART_MAX_TEXT)
            return custos_error_set(CUSTOS_ETOOBIG, "chart %s longer than %d bytes", what,
                                    CUSTOS_CHART_MAX_TEXT);
        if (!(copy = custos_strdup(text)))
            return custos_error_nomem();
    }
    custos_free(*field);
    *field = copy;
    return CUSTOS_OK;
}

int custos_chart_set_title(custos_chart *c, const char *title)
{
    return set_text(&c->title, title, "title");
}

int custos_chart_set_desc(custos_chart *c, const char *desc)
{
    return set_text(&c->desc, desc, "description");
}

int custos_chart_set_id(custos_chart *c, const char *id)
{
    if (!custos_svg_id_ok(id))
        return custos_error_set(CUSTOS_EINVAL,
                                "chart id '%.64s' is not 1-64 characters [A-Za-z0-9_-] starting "
                                "with a letter",
                                id ? id : "");
    custos_strlcpy(c->id, id, sizeof c->id);
    return CUSTOS_OK;
}

int custos_chart_set_size(custos_chart *c, int width, int height)
{
    if (width < 200 || width > 4000 || height < 120 || height > 4000)
        return custos_error_set(
            CUSTOS_EDOMAIN, "chart size %dx%d outside 200-4000 x 120-4000 pixels", width, height);
    c->width = width;
    c->height = height;
    return CUSTOS_OK;
}

int custos_chart_set_x_axis(custos_chart *c, custos_axis_kind kind, const char *label,
                            custos_value_format fmt)
{
    if (c->kind != CUSTOS_CHART_XY)
        return custos_error_set(CUSTOS_EINVAL, "a bar chart's x axis is its categories");
    if (kind != CUSTOS_AXIS_NUMBER && kind != CUSTOS_AXIS_INDEX && kind != CUSTOS_AXIS_DATE)
        return custos_error_set(CUSTOS_EINVAL, "unknown axis kind %d", (int)kind);
    if (fmt != CUSTOS_VALUE_PLAIN && fmt != CUSTOS_VALUE_PERCENT)
        return custos_error_set(CUSTOS_EINVAL, "unknown value format %d", (int)fmt);
    if (c->nitems || c->nmarkers || !isnan(c->xmin) || !isnan(c->xmax))
        if (kind != c->xkind)
            return custos_error_set(CUSTOS_EINVAL,
                                    "the x axis kind is set before any data is added");
    int err = set_text(&c->xlabel, label, "axis label");
    if (err < 0)
        return err;
    c->xkind = kind;
    c->xfmt = fmt;
    return CUSTOS_OK;
}

int custos_chart_set_y_axis(custos_chart *c, const char *label, custos_value_format fmt)
{
    if (fmt != CUSTOS_VALUE_PLAIN && fmt != CUSTOS_VALUE_PERCENT)
        return custos_error_set(CUSTOS_EINVAL, "unknown value format %d", (int)fmt);
    int err = set_text(&c->ylabel, label, "axis label");
    if (err < 0)
        return err;
    c->yfmt = fmt;
    return CUSTOS_OK;
}

static int check_range(double min, double max)
{
    if (isinf(min) || isinf(max) || (!isnan(min) && !isnan(max) && !(min < max)))
        return custos_error_set(CUSTOS_EDOMAIN, "axis range needs finite min < max");
    return CUSTOS_OK;
}

int custos_chart_set_y_range(custos_chart *c, double min, double max)
{
    int err = check_range(min, max);
    if (err < 0)
        return err;
    c->ymin = min;
    c->ymax = max;
    return CUSTOS_OK;
}

int custos_chart_set_x_range(custos_chart *c, double min, double max)
{
    if (c->kind != CUSTOS_CHART_XY)
        return custos_error_set(CUSTOS_EINVAL, "a bar chart's x axis is its categories");
    int err = check_range(min, max);
    if (err < 0)
        return err;
    if (c->xkind == CUSTOS_AXIS_DATE) {
        if ((!isnan(min) && !date_ok(min)) || (!isnan(max) && !date_ok(max)))
            return custos_error_set(CUSTOS_EINVAL, "x range ends are not YYYYMMDD dates");
        min = isnan(min) ? min : custos_chart_date_to_x(min);
        max = isnan(max) ? max : custos_chart_date_to_x(max);
    }
    c->xmin = min;
    c->xmax = max;
    return CUSTOS_OK;
}

/* A new item slot with its name copied; NULL on error (raised). */
static item *new_item(custos_chart *c, enum item_type type, const char *name, int *err)
{
    if (c->nitems == CUSTOS_CHART_MAX_ITEMS) {
        *err = custos_error_set(CUSTOS_ETOOBIG, "a chart holds at most %d series, bands and lines",
                                CUSTOS_CHART_MAX_ITEMS);
        return NULL;
    }
    item *it = &c->items[c->nitems];
    memset(it, 0, sizeof *it);
    it->type = type;
    if ((*err = set_text(&it->name, name, "series name")) < 0)
        return NULL;
    return it;
}

static void drop_item(item *it)
{
    custos_free(it->name);
    custos_free(it->x);
    custos_free(it->y);
    custos_free(it->y2);
    memset(it, 0, sizeof *it);
}

static double *copy_doubles(const double *v, size_t n)
{
    double *p = custos_malloc(n ? n * sizeof *p : 1);
    if (p && n)
        memcpy(p, v, n * sizeof *p);
    return p;
}

/* Check and copy the x values of an XY item (dates to day numbers). */
static int take_x(custos_chart *c, item *it, const double *x, size_t n, bool increasing)
{
    for (size_t i = 0; i < n; i++) {
        if (c->xkind == CUSTOS_AXIS_DATE ? !date_ok(x[i]) : !isfinite(x[i]))
            return custos_error_set(CUSTOS_EINVAL, "chart point %zu: x is not a %s", i + 1,
                                    c->xkind == CUSTOS_AXIS_DATE ? "YYYYMMDD date"
                                                                 : "finite number");
        if (increasing && i && x[i] < x[i - 1])
            return custos_error_set(CUSTOS_EINVAL, "band point %zu: x decreases", i + 1);
    }
    if (!(it->x = copy_doubles(x, n)))
        return custos_error_nomem();
    if (c->xkind == CUSTOS_AXIS_DATE)
        for (size_t i = 0; i < n; i++)
            it->x[i] = custos_chart_date_to_x(it->x[i]);
    return CUSTOS_OK;
}

static int check_points(custos_chart *c, size_t n, bool arrays_ok)
{
    if (c->kind != CUSTOS_CHART_XY)
        return custos_error_set(CUSTOS_EINVAL, "series and bands belong on an XY chart");
    if (n && !arrays_ok)
        return custos_error_set(CUSTOS_EINVAL, "chart data array is NULL");
    if (n > CUSTOS_CHART_MAX_POINTS - c->points)
        return custos_error_set(CUSTOS_ETOOBIG, "a chart holds at most %d points",
                                CUSTOS_CHART_MAX_POINTS);
    return CUSTOS_OK;
}

int custos_chart_add_series(custos_chart *c, const char *name, const double *x, const double *y,
                            size_t n, unsigned style)
{
    int err = check_points(c, n, x && y);
    if (err < 0)
        return err;
    if (style & ~(unsigned)(CUSTOS_SERIES_LINE | CUSTOS_SERIES_POINTS | CUSTOS_SERIES_DASHED))
        return custos_error_set(CUSTOS_EINVAL, "unknown series style 0x%x", style);
    item *it = new_item(c, IT_SERIES, name, &err);
    if (!it)
        return err;
    if ((err = take_x(c, it, x, n, false)) < 0)
        goto fail;
    if (!(it->y = copy_doubles(y, n))) {
        err = custos_error_nomem();
        goto fail;
    }
    it->n = n;
    it->style = (style & (CUSTOS_SERIES_LINE | CUSTOS_SERIES_POINTS))
                    ? style
                    : style | CUSTOS_SERIES_LINE | CUSTOS_SERIES_POINTS;
    it->colour = c->colours++;
    c->points += n;
    c->nitems++;
    return CUSTOS_OK;
fail:
    drop_item(it);
    return err;
}

int custos_chart_add_band(custos_chart *c, const char *name, const double *x, const double *lo,
                          const double *hi, size_t n)
{
    int err = check_points(c, n, x && lo && hi);
    if (err < 0)
        return err;
    item *it = new_item(c, IT_BAND, name, &err);
    if (!it)
        return err;
    if ((err = take_x(c, it, x, n, true)) < 0)
        goto fail;
    if (!(it->y = copy_doubles(lo, n)) || !(it->y2 = copy_doubles(hi, n))) {
        err = custos_error_nomem();
        goto fail;
    }
    it->n = n;
    c->points += n;
    c->nitems++;
    return CUSTOS_OK;
fail:
    drop_item(it);
    return err;
}

static int add_line(custos_chart *c, enum item_type type, const char *label, double v,
                    custos_line_style style)
{
    if (!isfinite(v))
        return custos_error_set(CUSTOS_EINVAL, "reference line position is not finite");
    if (style != CUSTOS_LINE_THRESHOLD && style != CUSTOS_LINE_REFERENCE)
        return custos_error_set(CUSTOS_EINVAL, "unknown line style %d", (int)style);
    if (type == IT_VLINE) {
        if (c->kind != CUSTOS_CHART_XY)
            return custos_error_set(CUSTOS_EINVAL, "vertical lines belong on an XY chart");
        if (c->xkind == CUSTOS_AXIS_DATE) {
            if (!date_ok(v))
                return custos_error_set(CUSTOS_EINVAL, "vertical line: %.0f is not a YYYYMMDD date",
                                        v);
            v = custos_chart_date_to_x(v);
        }
    }
    int err;
    item *it = new_item(c, type, label, &err);
    if (!it)
        return err;
    it->v = v;
    it->style = (unsigned)style;
    c->nitems++;
    return CUSTOS_OK;
}

int custos_chart_add_hline(custos_chart *c, const char *label, double y, custos_line_style style)
{
    return add_line(c, IT_HLINE, label, y, style);
}

int custos_chart_add_vline(custos_chart *c, const char *label, double x, custos_line_style style)
{
    return add_line(c, IT_VLINE, label, x, style);
}

int custos_chart_add_marker(custos_chart *c, const char *label, double x, double y)
{
    if (c->kind != CUSTOS_CHART_XY)
        return custos_error_set(CUSTOS_EINVAL, "alarm markers belong on an XY chart");
    if (!isfinite(y) || (c->xkind == CUSTOS_AXIS_DATE ? !date_ok(x) : !isfinite(x)))
        return custos_error_set(CUSTOS_EINVAL, "alarm marker position is not a finite point");
    if (c->nmarkers == CUSTOS_CHART_MAX_MARKERS)
        return custos_error_set(CUSTOS_ETOOBIG, "a chart holds at most %d alarm markers",
                                CUSTOS_CHART_MAX_MARKERS);
    if (c->nmarkers == c->capmarkers) {
        size_t cap = c->capmarkers ? c->capmarkers * 2 : 16;
        marker *p = custos_realloc(c->markers, cap * sizeof *p);
        if (!p)
            return custos_error_nomem();
        c->markers = p;
        c->capmarkers = cap;
    }
    marker *m = &c->markers[c->nmarkers];
    m->label = NULL;
    int err = set_text(&m->label, label ? label : "alarm", "marker label");
    if (err < 0)
        return err;
    m->x = c->xkind == CUSTOS_AXIS_DATE ? custos_chart_date_to_x(x) : x;
    m->y = y;
    c->nmarkers++;
    return CUSTOS_OK;
}

int custos_chart_set_categories(custos_chart *c, const char *const *labels, size_t n)
{
    if (c->kind != CUSTOS_CHART_BAR)
        return custos_error_set(CUSTOS_EINVAL, "categories belong on a bar chart");
    if (c->ncats)
        return custos_error_set(CUSTOS_EINVAL, "the chart's categories are already set");
    if (n == 0 || !labels)
        return custos_error_set(CUSTOS_EINVAL, "a bar chart needs at least one category");
    if (n > CUSTOS_CHART_MAX_CATEGORIES)
        return custos_error_set(CUSTOS_ETOOBIG, "a bar chart holds at most %d categories",
                                CUSTOS_CHART_MAX_CATEGORIES);
    char **v = custos_calloc(n, sizeof *v);
    if (!v)
        return custos_error_nomem();
    int err = CUSTOS_OK;
    for (size_t i = 0; i < n && err >= 0; i++)
        err = set_text(&v[i], labels[i] ? labels[i] : "", "category");
    if (err < 0) {
        for (size_t i = 0; i < n; i++)
            custos_free(v[i]);
        custos_free(v);
        return err;
    }
    c->cats = v;
    c->ncats = n;
    return CUSTOS_OK;
}

int custos_chart_add_bars(custos_chart *c, const char *name, const double *values,
                          const double *errs, size_t n)
{
    if (c->kind != CUSTOS_CHART_BAR)
        return custos_error_set(CUSTOS_EINVAL, "bars belong on a bar chart");
    if (!c->ncats)
        return custos_error_set(CUSTOS_EINVAL, "set the bar chart's categories before its bars");
    if (n != c->ncats || !values)
        return custos_error_set(CUSTOS_EINVAL, "%zu bar values for %zu categories", n, c->ncats);
    int err;
    item *it = new_item(c, IT_BARS, name, &err);
    if (!it)
        return err;
    if (!(it->y = copy_doubles(values, n)) || (errs && !(it->y2 = copy_doubles(errs, n)))) {
        drop_item(it);
        return custos_error_nomem();
    }
    it->n = n;
    it->colour = c->colours++;
    c->nitems++;
    return CUSTOS_OK;
}
