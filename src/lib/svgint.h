/* SPDX-License-Identifier: Apache-2.0 */
/*
 * svgint.h: the small SVG-writing helpers that every drawing in custos
 * shares: the charts (chart.c), the State-level graphs and the HTML
 * report.  Never exported; library modules only.
 *
 * An SVG writer stages output in a fixed buffer and hands it to a
 * custos_write_fn in chunks; its first error is sticky, so drawing code
 * writes on without checking each call and asks custos_svg_finish() once.
 *
 * Output is deterministic: numbers are written by custos_svg_num()
 * (fixed decimals, trailing zeros trimmed, "-0" written "0", independent
 * of the locale), never with %g or %f directly, so the same input gives
 * the same bytes on every machine (golden-testable).
 *
 * Text from data (titles, MBA codes, series names, notes) goes through
 * custos_svg_text(), which escapes the five XML specials, drops control
 * characters XML forbids and replaces invalid UTF-8 with U+FFFD: a
 * hostile name can neither break the markup nor inject script.
 */
#ifndef CUSTOS_SVGINT_H
#define CUSTOS_SVGINT_H

#include <stdbool.h>
#include <stddef.h>

#include "custos/format.h"
#include "internal.h"

#define CUSTOS_SVG_STAGE 4096

typedef struct custos_svg {
    custos_write_fn fn;
    void *ctx;
    char stage[CUSTOS_SVG_STAGE];
    size_t len;
    int err; /* first error, sticky */
} custos_svg;

void custos_svg_init(custos_svg *s, custos_write_fn fn, void *ctx);
/* Write n bytes as they are (markup the caller wrote itself). */
void custos_svg_raw(custos_svg *s, const char *data, size_t n);
void custos_svg_puts(custos_svg *s, const char *markup);
/* printf for markup: only integers and trusted ASCII; never %f or %g
 * (use custos_svg_num) and never data text (use custos_svg_text). */
void custos_svg_printf(custos_svg *s, const char *fmt, ...) CUSTOS_PRINTF(2, 3);
/* Text or attribute content, escaped (& < > " ') and sanitised (see the
 * file comment).  NULL writes nothing. */
void custos_svg_text(custos_svg *s, const char *text);
/* The same for at most n bytes of text. */
void custos_svg_textn(custos_svg *s, const char *text, size_t n);
/* A coordinate or length: at most two decimals, trimmed.  A non-finite
 * value is written "0" (drawing code filters them before). */
void custos_svg_num(custos_svg *s, double v);
/* A coordinate as a string for custos_svg_printf("%s"): the same text
 * custos_svg_num() writes.  The array lives until the end of the full
 * expression that called custos_svg_n() (C11 6.2.4p8), which is all a
 * printf argument needs. */
typedef struct custos_svg_numstr {
    char s[32];
} custos_svg_numstr;
custos_svg_numstr custos_svg_n(double v);
/* Flush what is staged; returns CUSTOS_OK or the first error. */
int custos_svg_finish(custos_svg *s);

/*
 * Format v with exactly `decimals` decimals (0-9), then, when trim is
 * true, drop trailing zeros and a trailing point.  "-0" becomes "0";
 * the decimal mark is always '.'.  Non-finite values give "NaN", "inf"
 * or "-inf".  Returns the length written (buf is always terminated;
 * size >= 2).
 */
size_t custos_svg_format_num(char *buf, size_t size, double v, int decimals, bool trim);

/* Colours.  The series palette is Okabe and Ito's colour-blind-safe set
 * (Okabe & Ito, "Color Universal Design", 2008) without yellow, which
 * is unreadable on white; custos_svg_colour(i) cycles through it. */
const char *custos_svg_colour(size_t i);
#define CUSTOS_SVG_PALETTE_SIZE 6
#define CUSTOS_SVG_ALARM "#D55E00" /* vermillion: alarms, thresholds */
#define CUSTOS_SVG_BAND "#0072B2"  /* blue, at low opacity: sigma bands */
#define CUSTOS_SVG_INK "#222222"   /* text and axes */
#define CUSTOS_SVG_GRID "#e3e3e3"  /* grid lines */
#define CUSTOS_SVG_MUTED "#666666" /* reference lines, secondary text */
#define CUSTOS_SVG_FONT "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"

/* Estimated width in pixels of text set in the chart font at size px:
 * 0.6 em per character (UTF-8 code points), 0.35 em for narrow ones.
 * Deterministic; used for layout only. */
double custos_svg_text_width(const char *text, double px);

/* "Nice" axis ticks (Heckbert, "Nice numbers for graph labels",
 * Graphics Gems, 1990): steps of 1, 2 or 5 times a power of ten, the
 * range widened to whole steps.  lo <= hi; an empty range is widened
 * around its value.  target is the wanted number of ticks (2-20).
 * decimals is the number of decimals the labels need. */
typedef struct custos_svg_ticks {
    double lo, hi, step;
    int n; /* ticks from lo to hi inclusive */
    int decimals;
} custos_svg_ticks;

void custos_svg_nice_ticks(custos_svg_ticks *out, double lo, double hi, int target);
/* The nice number near x (> 0): rounded when round is true, else the
 * smallest nice number >= x. */
double custos_svg_nice_num(double x, bool round);

/* True when id is 1-64 characters of [A-Za-z0-9_-] starting with a
 * letter: safe to use unescaped in id and url(#...) references. */
bool custos_svg_id_ok(const char *id);

#endif
