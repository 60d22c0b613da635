/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_chart.c: the SVG chart module and its helpers.
 *
 * Nice ticks against Heckbert's algorithm worked by hand; locale-free
 * number formatting; escaping of hostile text and invalid UTF-8; the
 * pixel geometry of points, bands, lines and bars against the linear
 * map the axis ticks define; date ticks; refused input; determinism;
 * an allocation-failure sweep.  tests/server/chart_check.py checks the
 * drawn samples again from outside, with Python's XML parser.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "custos/chart.h"
#include "svgint.h"

/* cmocka's assert_float_equal works in float; charts are in double. */
#define assert_near(a, b, tol) near_check((a), (b), (tol), __FILE__, __LINE__)

static void near_check(double a, double b, double tol, const char *file, int line)
{
    if (!(fabs(a - b) <= tol)) {
        print_error("%.17g != %.17g (tolerance %g)\n", a, b, tol);
        _fail(file, line);
    }
}

static char *render(const custos_chart *c)
{
    char *svg = NULL;
    size_t len = 0;
    assert_int_equal(custos_chart_svg(&svg, &len, c), CUSTOS_OK);
    assert_non_null(svg);
    assert_int_equal(strlen(svg), len);
    return svg;
}

/* Heckbert, "Nice numbers for graph labels" (Graphics Gems, 1990), worked
 * by hand: range = nice(hi - lo), step = nice_round(range / (target - 1)),
 * ends floor(lo / step) and ceil(hi / step) steps. */
static void test_nice_ticks(void **state)
{
    (void)state;
    static const struct {
        double lo, hi;
        int target;
        double want_lo, want_hi, want_step;
        int want_n, want_dec;
    } cases[] = {
        /* nice(97.3) = 100; 100/4 = 25 -> 2 x 10 = 20 */
        {0, 97.3, 5, 0, 100, 20, 6, 0},
        /* nice(2.47) = 5; 5/4 = 1.25 -> 1; floor(-0.37) = -1, ceil(2.1) = 3 */
        {-0.37, 2.1, 5, -1, 3, 1, 5, 0},
        /* nice(0.0082) = 0.01; 0.0025 -> 0.002 (2.5 < 3 rounds to 2) */
        {0.001, 0.0092, 5, 0, 0.01, 0.002, 6, 3},
        /* an empty range is widened by 10 %: 4.5..5.5; nice(1) = 1; 0.25 -> 0.2 */
        {5, 5, 5, 4.4, 5.6, 0.2, 7, 1},
        /* zero alone: widened to -1..1; nice(2) = 2; 0.5 -> 0.5 */
        {0, 0, 5, -1, 1, 0.5, 5, 1},
        /* large values: nice(1.2e6) = 2e6; 5e5 -> 5e5 */
        {100000, 1300000, 5, 0, 1500000, 500000, 4, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        custos_svg_ticks t;
        custos_svg_nice_ticks(&t, cases[i].lo, cases[i].hi, cases[i].target);
        assert_near(t.lo, cases[i].want_lo, 1e-12);
        assert_near(t.hi, cases[i].want_hi, 1e-12);
        assert_near(t.step, cases[i].want_step, 1e-12);
        assert_int_equal(t.n, cases[i].want_n);
        assert_int_equal(t.decimals, cases[i].want_dec);
    }
    assert_near(custos_svg_nice_num(0.7, false), 1, 0);
    assert_near(custos_svg_nice_num(0.7, true), 0.5, 1e-15);
    assert_near(custos_svg_nice_num(3.1, false), 5, 0);
    assert_near(custos_svg_nice_num(7.5, true), 10, 0);
}

static void test_format_num(void **state)
{
    (void)state;
    char b[32];
    static const struct {
        double v;
        int dec;
        bool trim;
        const char *want;
    } cases[] = {
        {-0.0001, 2, true, "0"}, {-0.0001, 2, false, "0.00"},  {1234.5, 2, true, "1234.5"},
        {2.0, 2, true, "2"},     {2.0, 1, false, "2.0"},       {-3.14159, 3, true, "-3.142"},
        {100, 0, true, "100"},   {1e-7, 3, false, "0.000"},    {0.95, 9, true, "0.95"},
        {NAN, 2, true, "NaN"},   {-INFINITY, 2, true, "-inf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = custos_svg_format_num(b, sizeof b, cases[i].v, cases[i].dec, cases[i].trim);
        assert_string_equal(b, cases[i].want);
        assert_int_equal(n, strlen(cases[i].want));
    }
}

static int collect(void *ctx, const char *data, size_t len)
{
    char *out = ctx;
    size_t have = strlen(out);
    assert_true(have + len < 1024);
    memcpy(out + have, data, len);
    out[have + len] = '\0';
    return CUSTOS_OK;
}

static void test_escape(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"<script>alert('x')</script> & \"q\"",
         "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"},
        /* invalid UTF-8: stray bytes, a cut sequence, an overlong '/', a surrogate */
        {"\xff\xfe"
         "A\xc3(",
         "\xef\xbf\xbd\xef\xbf\xbd"
         "A\xef\xbf\xbd("},
        {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},
        {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        /* valid multi-byte text stays; controls go, tab and newline become spaces */
        {"\xc2\xb1"
         "2\xcf\x83 \xe2\x80\xa6 \xf0\x9f\x93\x88",
         "\xc2\xb1"
         "2\xcf\x83 \xe2\x80\xa6 \xf0\x9f\x93\x88"},
        {"a\x01"
         "b\x7f"
         "c\td\ne",
         "abc d e"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[1024] = "";
        custos_svg s;
        custos_svg_init(&s, collect, out);
        custos_svg_text(&s, cases[i].in);
        assert_int_equal(custos_svg_finish(&s), CUSTOS_OK);
        assert_string_equal(out, cases[i].want);
    }
}

/* A hostile title, series name, category and marker label cannot add
 * markup: the only '<' in the output start SVG elements custos writes. */
static void test_hostile_text(void **state)
{
    (void)state;
    const char *evil = "</title><script>alert(1)</script><a href=\"javascript:x\">";
    custos_chart *c;
    assert_int_equal(custos_chart_new(&c, CUSTOS_CHART_XY), 0);
    assert_int_equal(custos_chart_set_title(c, evil), 0);
    assert_int_equal(custos_chart_set_x_axis(c, CUSTOS_AXIS_NUMBER, evil, CUSTOS_VALUE_PLAIN), 0);
    assert_int_equal(custos_chart_set_y_axis(c, evil, CUSTOS_VALUE_PLAIN), 0);
    double x[2] = {1, 2}, y[2] = {3, 4};
    assert_int_equal(custos_chart_add_series(c, evil, x, y, 2, 0), 0);
    assert_int_equal(custos_chart_add_marker(c, evil, 1, 3), 0);
    assert_int_equal(custos_chart_add_hline(c, evil, 3.5, CUSTOS_LINE_THRESHOLD), 0);
    char *svg = render(c);
    assert_null(strstr(svg, "<script"));
    assert_null(strstr(svg, "<a "));
    assert_non_null(strstr(svg, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    static const char *const allowed[] = {
        "<svg",      "<title",     "</title",  "<desc", "</desc", "<defs",  "</defs",
        "<clipPath", "</clipPath", "<rect",    "<path", "<g",     "</g",    "<text",
        "</text",    "<circle",    "</circle", "<line", "</line", "</path", "</svg"};
    for (const char *p = strchr(svg, '<'); p; p = strchr(p + 1, '<')) {
        bool ok = false;
        for (size_t i = 0; i < sizeof allowed / sizeof allowed[0] && !ok; i++) {
            size_t n = strlen(allowed[i]);
            ok = !strncmp(p, allowed[i], n) && (p[n] == ' ' || p[n] == '>');
        }
        if (!ok)
            fail_msg("unexpected markup at: %.40s", p);
    }
    custos_free(svg);
    custos_chart_free(c);
}

/* Every "<circle cx=... cy=...>" in order. */
static size_t circles(const char *svg, double *cx, double *cy, size_t max)
{
    size_t n = 0;
    for (const char *p = strstr(svg, "<circle cx=\""); p && n < max;
         p = strstr(p + 1, "<circle cx=\"")) {
        assert_int_equal(sscanf(p, "<circle cx=\"%lf\" cy=\"%lf\"", &cx[n], &cy[n]), 2);
        n++;
    }
    return n;
}

/* Pixel position of the tick labelled `label` on the axis; the labels sit
 * at (x0 - 6, y + 4) for y and (x, y1 + 16) for x. */
static double tick_pos(const char *svg, const char *label, bool yaxis)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\">%s</text>", label);
    const char *axes = strstr(svg, "<g class=\"axes\"");
    assert_non_null(axes);
    for (const char *p = strstr(axes, pat); p; p = strstr(p + 1, pat)) {
        const char *t = p;
        while (t > axes && strncmp(t, "<text x=\"", 9))
            t--;
        double x, y;
        char anchor[16];
        assert_int_equal(
            sscanf(t, "<text x=\"%lf\" y=\"%lf\" text-anchor=\"%15[a-z]", &x, &y, anchor), 3);
        if (!strcmp(anchor, yaxis ? "end" : "middle"))
            return yaxis ? y - 4 : x;
    }
    fail_msg("no tick labelled %s", label);
    return 0;
}

/* Points land where the ticks say: x = 0..10 over ticks 0 and 10, y over
 * ticks 0 and 100, within the 0.01 px the output rounds to. */
static void test_geometry(void **state)
{
    (void)state;
    custos_chart *c;
    assert_int_equal(custos_chart_new(&c, CUSTOS_CHART_XY), 0);
    double x[4] = {0, 2.5, 10, 7}, y[4] = {0, 97.3, 50, NAN};
    assert_int_equal(custos_chart_add_series(c, "s", x, y, 4, 0), 0);
    assert_int_equal(custos_chart_add_hline(c, "h", 80, CUSTOS_LINE_THRESHOLD), 0);
    char *svg = render(c);
    double x0 = tick_pos(svg, "0", false), x10 = tick_pos(svg, "10", false);
    double y0 = tick_pos(svg, "0", true), y100 = tick_pos(svg, "100", true);
    assert_true(x10 > x0);
    assert_true(y100 < y0);
    double cx[8], cy[8];
    assert_int_equal(circles(svg, cx, cy, 8), 3); /* the NaN point is not drawn */
    for (int i = 0; i < 3; i++) {
        assert_near(cx[i], x0 + x[i] / 10 * (x10 - x0), 0.006);
        assert_near(cy[i], y0 + y[i] / 100 * (y100 - y0), 0.006);
    }
    double ly;
    const char *t = strstr(svg, "<line class=\"threshold\"");
    assert_non_null(t);
    assert_int_equal(sscanf(strstr(t, "y1=\""), "y1=\"%lf\"", &ly), 1);
    assert_near(ly, y0 + 0.8 * (y100 - y0), 0.006);
    custos_free(svg);
    custos_chart_free(c);
}

/* A NaN breaks the line into two pieces: the path has two moves. */
static void test_gap(void **state)
{
    (void)state;
    custos_chart *c;
    assert_int_equal(custos_chart_new(&c, CUSTOS_CHART_XY), 0);
    double x[5] = {1, 2, 3, 4, 5}, y[5] = {1, 2, NAN, 4, 5};
    assert_int_equal(custos_chart_add_series(c, "s", x, y, 5, CUSTOS_SERIES_LINE), 0);
    char *svg = render(c);
    const char *p = strstr(svg, "<g class=\"series\"");
    assert_non_null(p);
    const char *d = strstr(p, "<path d=\"");
    assert_non_null(d);
    const char *end = strchr(d + 9, '"');
    int moves = 0, lines = 0;
    for (const char *q = d + 9; q < end; q++) {
        moves += *q == 'M';
        lines += *q == 'L';
    }
    assert_int_equal(moves, 2);
    assert_int_equal(lines, 2);
    assert_null(strstr(svg, "<circle")); /* line only */
    custos_free(svg);
    custos_chart_free(c);
}

/* Monthly dates over 2025: month ticks, labelled YYYY-MM, on the first of
 * the month; a tick at 2025-07-01 sits where that day's point would. */
static void test_date_axis(void **state)
{
    (void)state;
    custos_chart *c;
    assert_int_equal(custos_chart_new(&c, CUSTOS_CHART_XY), 0);
    assert_int_equal(custos_chart_set_x_axis(c, CUSTOS_AXIS_DATE, "d", CUSTOS_VALUE_PLAIN), 0);
    double x[3] = {20250115, 20250701, 20251215}, y[3] = {1, 2, 3};
    assert_int_equal(custos_chart_add_series(c, "s", x, y, 3, 0), 0);
    char *svg = render(c);
    double cx[3], cy[3];
    assert_int_equal(circles(svg, cx, cy, 3), 3);
    assert_near(tick_pos(svg, "2025-07", false), cx[1], 0.006);
    assert_null(strstr(svg, ">2025-07-01<")); /* month ticks, not days */
    /* and the tooltip shows the date */
    assert_non_null(strstr(svg, "<title>s: 2025-12-15, 3</title>"));
    custos_free(svg);
    /* a span of ten days gets day ticks */
    custos_chart_free(c);
    assert_int_equal(custos_chart_new(&c, CUSTOS_CHART_XY), 0);
    assert_int_equal(custos_chart_set_x_axis(c, CUSTOS_AXIS_DATE, NULL, CUSTOS_VALUE_PLAIN), 0);
    double d[2] = {20240226, 20240304};
    assert_int_equal(custos_chart_add_series(c, "s", d, y, 2, 0), 0);
    svg = render(c);
    assert_non_null(strstr(svg, ">2024-02-29<")); /* a leap day */
    custos_free(svg);
    custos_chart_free(c);
}

static void test_bars_and_percent(void **state)
{
    (void)state;
    custos_chart *c;
    assert_int_equal(custos_chart_new(&c, CUSTOS_CHART_BAR), 0);
    static const char *const cats[] = {"A", "B", "C"};
    double v[3] = {-2, 4, NAN}, e[3] = {1, 0, 0};
    assert_int_equal(custos_chart_add_bars(c, "x", v, NULL, 3), CUSTOS_EINVAL); /* no categories */
    assert_int_equal(custos_chart_set_categories(c, cats, 3), 0);
    assert_int_equal(custos_chart_set_categories(c, cats, 3), CUSTOS_EINVAL);
    assert_int_equal(custos_chart_add_bars(c, "x", v, NULL, 2), CUSTOS_EINVAL);
    assert_int_equal(custos_chart_add_bars(c, "MUF", v, e, 3), 0);
    char *svg = render(c);
    double y0 = tick_pos(svg, "0", true), y4 = tick_pos(svg, "4", true);
    /* bar A hangs from zero down to -2, bar B rises from zero to 4 */
    double rx, ry, rw, rh;
    const char *r = strstr(svg, "<g class=\"bars\"");
    assert_non_null(r);
    r = strstr(r, "<rect ");
    assert_int_equal(
        sscanf(r, "<rect x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\"", &rx, &ry, &rw, &rh), 4);
    assert_near(ry, y0, 0.006);
    assert_near(rh, (y0 - y4) / 2, 0.01);
    r = strstr(r + 1, "<rect ");
    assert_int_equal(
        sscanf(r, "<rect x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\"", &rx, &ry, &rw, &rh), 4);
    assert_near(ry, y4, 0.006);
    assert_near(rh, y0 - y4, 0.01);
    const char *end = strstr(r, "</g>");
    const char *third = strstr(r + 1, "<rect x");
    assert_true(third == NULL || third > end); /* no bar for NaN */
    assert_non_null(strstr(svg, "<title>A, MUF: -2 \xc2\xb1 1</title>"));
    assert_non_null(strstr(svg, "class=\"whisker\""));
    custos_free(svg);
    custos_chart_free(c);

    assert_int_equal(custos_chart_new(&c, CUSTOS_CHART_XY), 0);
    assert_int_equal(custos_chart_set_y_axis(c, "Pd", CUSTOS_VALUE_PERCENT), 0);
    assert_int_equal(custos_chart_set_y_range(c, 0, 1), 0);
    double x[2] = {0, 10}, p[2] = {0.05, 0.999};
    assert_int_equal(custos_chart_add_series(c, "Pd", x, p, 2, 0), 0);
    svg = render(c);
    assert_non_null(strstr(svg, ">100%</text>"));
    assert_non_null(strstr(svg, ">0%</text>"));
    assert_non_null(strstr(svg, ">60%</text>"));
    assert_non_null(strstr(svg, "<title>Pd: 10, 99.9%</title>"));
    custos_free(svg);
    custos_chart_free(c);
}

static void test_refused(void **state)
{
    (void)state;
    custos_chart *c = (custos_chart *)1;
    assert_int_equal(custos_chart_new(&c, (custos_chart_kind)7), CUSTOS_EINVAL);
    assert_null(c);
    assert_int_equal(custos_chart_new(&c, CUSTOS_CHART_XY), 0);
    double x[2] = {1, 2}, y[2] = {1, 2}, bad[2] = {20250101, 20250230};
    assert_int_equal(custos_chart_set_id(c, "9bad"), CUSTOS_EINVAL);
    assert_int_equal(custos_chart_set_id(c, "a\"b"), CUSTOS_EINVAL);
    assert_int_equal(custos_chart_set_size(c, 100, 100), CUSTOS_EDOMAIN);
    assert_int_equal(custos_chart_set_y_range(c, 2, 1), CUSTOS_EDOMAIN);
    assert_int_equal(custos_chart_set_y_range(c, 0, INFINITY), CUSTOS_EDOMAIN);
    assert_int_equal(custos_chart_set_categories(c, NULL, 0), CUSTOS_EINVAL);
    assert_int_equal(custos_chart_add_series(c, "s", NULL, y, 2, 0), CUSTOS_EINVAL);
    assert_int_equal(custos_chart_add_series(c, "s", x, y, 2, 0x80), CUSTOS_EINVAL);
    double nx[2] = {1, NAN};
    assert_int_equal(custos_chart_add_series(c, "s", nx, y, 2, 0), CUSTOS_EINVAL);
    double dec[2] = {2, 1};
    assert_int_equal(custos_chart_add_band(c, "b", dec, y, y, 2), CUSTOS_EINVAL);
    assert_int_equal(custos_chart_add_hline(c, "h", NAN, CUSTOS_LINE_THRESHOLD), CUSTOS_EINVAL);
    assert_int_equal(custos_chart_add_marker(c, "m", 1, INFINITY), CUSTOS_EINVAL);
    char big[CUSTOS_CHART_MAX_TEXT + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(custos_chart_set_title(c, big), CUSTOS_ETOOBIG);
    assert_int_equal(custos_chart_add_series(c, "s", x, y, 2, 0), 0);
    /* the axis kind cannot change under data already added */
    assert_int_equal(custos_chart_set_x_axis(c, CUSTOS_AXIS_DATE, NULL, CUSTOS_VALUE_PLAIN),
                     CUSTOS_EINVAL);
    custos_chart_free(c);
    assert_int_equal(custos_chart_new(&c, CUSTOS_CHART_XY), 0);
    assert_int_equal(custos_chart_set_x_axis(c, CUSTOS_AXIS_DATE, NULL, CUSTOS_VALUE_PLAIN), 0);
    assert_int_equal(custos_chart_add_series(c, "s", bad, y, 2, 0), CUSTOS_EINVAL);
    assert_int_equal(custos_chart_add_vline(c, "v", 20251301, CUSTOS_LINE_REFERENCE),
                     CUSTOS_EINVAL);
    for (int i = 0; i < CUSTOS_CHART_MAX_ITEMS; i++)
        assert_int_equal(custos_chart_add_hline(c, "h", i, CUSTOS_LINE_REFERENCE), 0);
    assert_int_equal(custos_chart_add_hline(c, "h", 1, CUSTOS_LINE_REFERENCE), CUSTOS_ETOOBIG);
    custos_chart_free(c);
    assert_int_equal(custos_chart_new(&c, CUSTOS_CHART_BAR), 0);
    assert_int_equal(custos_chart_add_series(c, "s", x, y, 2, 0), CUSTOS_EINVAL);
    assert_int_equal(custos_chart_set_x_axis(c, CUSTOS_AXIS_INDEX, NULL, CUSTOS_VALUE_PLAIN),
                     CUSTOS_EINVAL);
    custos_chart_free(c);
}

static custos_chart *sample(void)
{
    custos_chart *c;
    assert_int_equal(custos_chart_new(&c, CUSTOS_CHART_XY), 0);
    assert_int_equal(custos_chart_set_title(c, "MUF, XA/XAFF"), 0);
    assert_int_equal(custos_chart_set_id(c, "m1"), 0);
    assert_int_equal(custos_chart_set_x_axis(c, CUSTOS_AXIS_INDEX, "period", CUSTOS_VALUE_PLAIN),
                     0);
    assert_int_equal(custos_chart_set_y_axis(c, "MUF (kg)", CUSTOS_VALUE_PLAIN), 0);
    double x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {0.1, -0.4, 0.3, 1.9, 0.2, -0.1};
    double lo[6], hi[6];
    for (int i = 0; i < 6; i++)
        lo[i] = -1.5, hi[i] = 1.5;
    assert_int_equal(custos_chart_add_band(c, "+-3 sigma", x, lo, hi, 6), 0);
    assert_int_equal(custos_chart_add_series(c, "MUF", x, y, 6, 0), 0);
    assert_int_equal(custos_chart_add_marker(c, "alarm", 4, 1.9), 0);
    return c;
}

/* The same chart twice gives the same bytes; write and svg agree; the
 * desc summarises what is drawn; ids carry the prefix. */
static void test_deterministic(void **state)
{
    (void)state;
    custos_chart *c = sample();
    char *a = render(c), *b = render(c);
    assert_string_equal(a, b);
    char buf[1 << 15];
    custos_buf cb;
    custos_buf_init(&cb, sizeof buf);
    assert_int_equal(custos_chart_write(c, custos_buf_write_fn, &cb), 0);
    assert_string_equal(cb.data, a);
    custos_buf_dispose(&cb);
    assert_non_null(strstr(a, "<title id=\"m1-title\">MUF, XA/XAFF</title>"));
    assert_non_null(strstr(a, "aria-labelledby=\"m1-title m1-desc\""));
    assert_non_null(strstr(a, "clip-path=\"url(#m1-clip)\""));
    assert_non_null(strstr(a, "<desc id=\"m1-desc\">Chart of 1 series (MUF: 6 points), 1 shaded "
                              "bands, 1 alarms; x (period) from 0.5 to 6.5; y (MUF (kg)) from -2 "
                              "to 2.</desc>"));
    assert_non_null(strstr(a, "<title>alarm: 4, 1.9</title>"));
    custos_free(a);
    custos_free(b);
    custos_chart_free(c);
}

static int failing_writer(void *ctx, const char *data, size_t len)
{
    (void)data;
    size_t *budget = ctx;
    if (len > *budget)
        return custos_error_set(CUSTOS_EIO, "disk full");
    *budget -= len;
    return CUSTOS_OK;
}

/* Every failing allocation gives CUSTOS_ENOMEM and leaks nothing; a
 * writer that fails stops the chart with its error. */
static void test_alloc_failures(void **state)
{
    (void)state;
    long base = custos_alloc_live();
    bool done = false;
    for (long n = 1; n < 200 && !done; n++) {
        custos_alloc_fail_at(n, 0);
        custos_chart *c = NULL;
        int err = custos_chart_new(&c, CUSTOS_CHART_XY);
        double x[3] = {1, 2, 3}, y[3] = {1, 2, 3};
        if (err >= 0)
            err = custos_chart_set_title(c, "t");
        if (err >= 0)
            err = custos_chart_add_band(c, "b", x, y, y, 3);
        if (err >= 0)
            err = custos_chart_add_series(c, "s", x, y, 3, 0);
        if (err >= 0)
            err = custos_chart_add_marker(c, "m", 1, 1);
        char *svg = NULL;
        size_t len;
        if (err >= 0)
            err = custos_chart_svg(&svg, &len, c);
        long attempted = custos_alloc_count();
        custos_alloc_fail_at(0, 0);
        assert_true(err == CUSTOS_OK || err == CUSTOS_ENOMEM);
        if (err == CUSTOS_OK) {
            assert_non_null(svg);
            done = attempted < n; /* nothing left to fail */
        } else {
            assert_null(svg);
        }
        custos_free(svg);
        custos_chart_free(c);
        assert_int_equal(custos_alloc_live(), base);
    }
    assert_true(done);

    custos_chart *c = sample();
    size_t budget = 1000;
    assert_int_equal(custos_chart_write(c, failing_writer, &budget), CUSTOS_EIO);
    custos_chart_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nice_ticks),     cmocka_unit_test(test_format_num),
        cmocka_unit_test(test_escape),         cmocka_unit_test(test_hostile_text),
        cmocka_unit_test(test_geometry),       cmocka_unit_test(test_gap),
        cmocka_unit_test(test_date_axis),      cmocka_unit_test(test_bars_and_percent),
        cmocka_unit_test(test_refused),        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
