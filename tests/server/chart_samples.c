/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chart_samples.c: writes the sample charts of tests/server/chart_check.py
 * into a directory: for each chart NAME.svg and NAME.json, the data it was
 * drawn from, so the check can invert the drawing independently.
 *
 *   chart_samples DIR
 *
 * The samples are the charts custos draws for real: a MUF sequence with
 * +-2 and +-3 sigma bands over dates, a CUSUM with its decision interval
 * and alarms over period indices, a detection-probability curve in
 * percent with a 1 SQ line, and MUF per MBA as bars with 2-sigma
 * whiskers.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "custos/chart.h"

static int fail(const char *what)
{
    fprintf(stderr, "chart_samples: %s: %s\n", what, custos_last_error());
    return 1;
}

static int save(const char *dir, const char *name, custos_chart *c, const char *json)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.svg", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return fail(path);
    int err = custos_chart_write(c, custos_write_file, f);
    if (fclose(f) != 0 || err < 0)
        return fail(path);
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    if (!(f = fopen(path, "w")))
        return fail(path);
    fputs(json, f);
    return fclose(f) == 0 ? 0 : fail(path);
}

/* Append to a JSON text under construction (bounded). */
static void app(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

static void json_array(char *buf, size_t size, const char *key, const double *v, size_t n)
{
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        len = strlen(buf);
        if (isfinite(v[i]))
            snprintf(buf + len, size - len, "%s%.17g", i ? "," : "", v[i]);
        else
            snprintf(buf + len, size - len, "%snull", i ? "," : "");
    }
    len = strlen(buf);
    snprintf(buf + len, size - len, "]");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: chart_samples DIR\n", stderr);
        return 2;
    }
    const char *dir = argv[1];
    static char json[1 << 16];
    custos_chart *c = NULL;

    /* 1. MUF over twelve monthly balance periods (kg U), sigma 0.8 kg. */
    double dates[12], muf[12], lo2[12], hi2[12], lo3[12], hi3[12];
    static const double mv[12] = {0.4, -0.9, 1.2, 0.3, NAN, -0.2, 0.7, 1.9, -1.1, 0.5, 2.6, 0.1};
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int i = 0; i < 12; i++) {
        dates[i] = 20250000 + (i + 1) * 100 + mdays[i];
        muf[i] = mv[i];
        double sig = 0.8 + 0.02 * i;
        lo2[i] = -2 * sig, hi2[i] = 2 * sig, lo3[i] = -3 * sig, hi3[i] = 3 * sig;
    }
    if (custos_chart_new(&c, CUSTOS_CHART_XY) < 0 || custos_chart_set_id(c, "muf") < 0 ||
        custos_chart_set_title(c, "MUF, XA/XAFF, uranium <LEU> & \"more\"") < 0 ||
        custos_chart_set_x_axis(c, CUSTOS_AXIS_DATE, "balance period end", CUSTOS_VALUE_PLAIN) <
            0 ||
        custos_chart_set_y_axis(c, "MUF (kg U)", CUSTOS_VALUE_PLAIN) < 0 ||
        custos_chart_add_band(c,
                              "\xc2\xb1"
                              "3\xcf\x83",
                              dates, lo3, hi3, 12) < 0 ||
        custos_chart_add_band(c,
                              "\xc2\xb1"
                              "2\xcf\x83",
                              dates, lo2, hi2, 12) < 0 ||
        custos_chart_add_series(c, "MUF", dates, muf, 12, 0) < 0 ||
        custos_chart_add_marker(c, "MUF beyond 3\xcf\x83", 20251130, 2.6) < 0)
        return fail("muf chart");
    json[0] = '\0';
    app(json, sizeof json, "%s",
        "{\"kind\":\"xy\",\"xaxis\":\"date\",\"title\":\"MUF, XA/XAFF, uranium <LEU> & "
        "\\\"more\\\"\",");
    json_array(json, sizeof json, "x", dates, 12);
    app(json, sizeof json, "%s", ",");
    json_array(json, sizeof json, "y", muf, 12);
    app(json, sizeof json, "%s", ",\"markers\":[[20251130,2.6]]}");
    if (save(dir, "muf", c, json))
        return 1;
    custos_chart_free(c);

    /* 2. CUSUM over 20 periods, decision interval h = 3.5, alarms. */
    double idx[20], cu[20];
    double s = 0;
    for (int i = 0; i < 20; i++) {
        idx[i] = i + 1;
        s = fmax(0, s + (i >= 10 ? 0.9 : 0.1) - 0.3 + 0.2 * sin(i));
        cu[i] = s;
    }
    if (custos_chart_new(&c, CUSTOS_CHART_XY) < 0 || custos_chart_set_id(c, "cusum") < 0 ||
        custos_chart_set_title(c, "Page's test (CUSUM)") < 0 ||
        custos_chart_set_x_axis(c, CUSTOS_AXIS_INDEX, "balance period", CUSTOS_VALUE_PLAIN) < 0 ||
        custos_chart_set_y_axis(c, "CUSUM (kg)", CUSTOS_VALUE_PLAIN) < 0 ||
        custos_chart_add_hline(c, "h = 3.5", 3.5, CUSTOS_LINE_THRESHOLD) < 0 ||
        custos_chart_add_series(c, "CUSUM", idx, cu, 20,
                                CUSTOS_SERIES_LINE | CUSTOS_SERIES_POINTS) < 0)
        return fail("cusum chart");
    int alarms = 0;
    char mk[1024] = "";
    for (int i = 0; i < 20; i++)
        if (cu[i] > 3.5) {
            if (custos_chart_add_marker(c, "alarm", idx[i], cu[i]) < 0)
                return fail("marker");
            app(mk, sizeof mk, "%s[%g,%.17g]", alarms++ ? "," : "", idx[i], cu[i]);
        }
    json[0] = '\0';
    app(json, sizeof json, "%s", "{\"kind\":\"xy\",\"xaxis\":\"index\",");
    json_array(json, sizeof json, "x", idx, 20);
    app(json, sizeof json, "%s", ",");
    json_array(json, sizeof json, "y", cu, 20);
    app(json, sizeof json, ",\"hline\":3.5,\"markers\":[%s]}", mk);
    if (save(dir, "cusum", c, json))
        return 1;
    custos_chart_free(c);

    /* 3. Detection probability vs diverted amount (kg Pu), 1 SQ = 8 kg. */
    double kg[41], pd[41];
    for (int i = 0; i <= 40; i++) {
        kg[i] = 0.5 * i;
        /* one-sided test at alpha = 5 %, sigma-MUF 2.5 kg */
        pd[i] = 0.5 * erfc((1.6448536269514722 - kg[i] / 2.5) / sqrt(2.0));
    }
    if (custos_chart_new(&c, CUSTOS_CHART_XY) < 0 || custos_chart_set_id(c, "pd") < 0 ||
        custos_chart_set_title(c, "Detection probability") < 0 ||
        custos_chart_set_x_axis(c, CUSTOS_AXIS_NUMBER, "diverted amount (kg Pu)",
                                CUSTOS_VALUE_PLAIN) < 0 ||
        custos_chart_set_y_axis(c, "probability of detection", CUSTOS_VALUE_PERCENT) < 0 ||
        custos_chart_set_y_range(c, 0, 1) < 0 ||
        custos_chart_add_vline(c, "1 SQ", 8, CUSTOS_LINE_REFERENCE) < 0 ||
        custos_chart_add_hline(c, "goal 95%", 0.95, CUSTOS_LINE_REFERENCE) < 0 ||
        custos_chart_add_series(c, "one balance", kg, pd, 41, CUSTOS_SERIES_LINE) < 0)
        return fail("pd chart");
    json[0] = '\0';
    app(json, sizeof json, "%s", "{\"kind\":\"xy\",\"xaxis\":\"number\",\"yformat\":\"percent\",");
    json_array(json, sizeof json, "x", kg, 41);
    app(json, sizeof json, "%s", ",");
    json_array(json, sizeof json, "y", pd, 41);
    app(json, sizeof json, "%s", ",\"vline\":8,\"hline\":0.95}");
    if (save(dir, "pd", c, json))
        return 1;
    custos_chart_free(c);

    /* 4. Bars: MUF per MBA with 2-sigma whiskers. */
    static const char *const mbas[] = {"XA/XAFF", "XA/XAFG", "XA/XBFF", "XB/RRA1"};
    double bv[4] = {-1.25, 0.75, 3.5, 0.0}, be[4] = {1.6, 0.9, 2.2, 0.3};
    if (custos_chart_new(&c, CUSTOS_CHART_BAR) < 0 || custos_chart_set_id(c, "bars") < 0 ||
        custos_chart_set_title(c, "MUF per MBA, 2025") < 0 ||
        custos_chart_set_y_axis(c, "MUF (kg U)", CUSTOS_VALUE_PLAIN) < 0 ||
        custos_chart_set_categories(c, mbas, 4) < 0 ||
        custos_chart_add_bars(c, "MUF \xc2\xb1 2\xcf\x83", bv, be, 4) < 0 ||
        custos_chart_add_hline(c, "alarm 3 kg", 3, CUSTOS_LINE_THRESHOLD) < 0)
        return fail("bar chart");
    json[0] = '\0';
    app(json, sizeof json, "%s",
        "{\"kind\":\"bar\",\"categories\":[\"XA/XAFF\",\"XA/XAFG\",\"XA/XBFF\",\"XB/RRA1\"],");
    json_array(json, sizeof json, "y", bv, 4);
    app(json, sizeof json, "%s", ",");
    json_array(json, sizeof json, "err", be, 4);
    app(json, sizeof json, "%s", "}");
    if (save(dir, "bars", c, json))
        return 1;
    custos_chart_free(c);
    return 0;
}
