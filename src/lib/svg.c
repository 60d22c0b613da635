/* SPDX-License-Identifier: Apache-2.0 */
/*
 * svg.c: the SVG-writing helpers of svgint.h: a staged writer with a
 * sticky error, escaped text, locale-independent number formatting,
 * the palette, text width estimates and nice axis ticks.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "svgint.h"

void custos_svg_init(custos_svg *s, custos_write_fn fn, void *ctx)
{
    s->fn = fn;
    s->ctx = ctx;
    s->len = 0;
    s->err = CUSTOS_OK;
}

static void flush(custos_svg *s)
{
    if (s->err >= 0 && s->len) {
        int err = s->fn(s->ctx, s->stage, s->len);
        if (err < 0)
            s->err = err;
    }
    s->len = 0;
}

void custos_svg_raw(custos_svg *s, const char *data, size_t n)
{
    while (n && s->err >= 0) {
        size_t room = sizeof s->stage - s->len;
        size_t k = n < room ? n : room;
        memcpy(s->stage + s->len, data, k);
        s->len += k;
        data += k;
        n -= k;
        if (s->len == sizeof s->stage)
            flush(s);
    }
}

void custos_svg_puts(custos_svg *s, const char *markup)
{
    custos_svg_raw(s, markup, strlen(markup));
}

void custos_svg_printf(custos_svg *s, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        if (s->err >= 0)
            s->err =
                custos_error_set(CUSTOS_EINVAL, "SVG markup longer than %zu bytes", sizeof tmp - 1);
        return;
    }
    custos_svg_raw(s, tmp, (size_t)n);
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if the
 * bytes there are not one (overlong forms, surrogates and code points
 * past U+10FFFF are invalid, RFC 3629). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t k;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        k = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        k = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        k = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < k)
        return 0;
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
        return 0;
    return k;
}

void custos_svg_textn(custos_svg *s, const char *text, size_t n)
{
    if (!text)
        return;
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0, run = 0; /* bytes [i - run, i) are safe, not yet written */
    while (i < n && p[i]) {
        const char *rep = NULL;
        size_t k = 1;
        switch (p[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case '\t':
        case '\n':
        case '\r': rep = " "; break;
        default:
            if (p[i] < 0x20 || p[i] == 0x7f) {
                rep = ""; /* XML 1.0 forbids C0 controls; DEL is dropped too */
            } else if (p[i] >= 0x80) {
                k = utf8_len(p + i, n - i);
                if (k == 0) {
                    rep = "\xef\xbf\xbd"; /* U+FFFD replacement character */
                    k = 1;
                }
            }
        }
        if (rep) {
            custos_svg_raw(s, (const char *)p + i - run, run);
            custos_svg_puts(s, rep);
            run = 0;
        } else {
            run += k;
        }
        i += k;
    }
    custos_svg_raw(s, (const char *)p + i - run, run);
}

void custos_svg_text(custos_svg *s, const char *text)
{
    if (text)
        custos_svg_textn(s, text, strlen(text));
}

size_t custos_svg_format_num(char *buf, size_t size, double v, int decimals, bool trim)
{
    if (isnan(v)) {
        custos_strlcpy(buf, "NaN", size);
        return strlen(buf);
    }
    if (isinf(v)) {
        custos_strlcpy(buf, v > 0 ? "inf" : "-inf", size);
        return strlen(buf);
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    int n = snprintf(buf, size, "%.*f", decimals, v);
    if (n < 0) {
        buf[0] = '\0';
        return 0;
    }
    size_t len = (size_t)n < size ? (size_t)n : size - 1;
    for (size_t i = 0; i < len; i++)
        if (buf[i] == ',') /* a locale's decimal comma */
            buf[i] = '.';
    if (trim && memchr(buf, '.', len)) {
        while (len && buf[len - 1] == '0')
            len--;
        if (len && buf[len - 1] == '.')
            len--;
        buf[len] = '\0';
    }
    if (buf[0] == '-' && strspn(buf + 1, "0.") == len - 1) { /* "-0", "-0.00" */
        memmove(buf, buf + 1, len);
        len--;
    }
    return len;
}

void custos_svg_num(custos_svg *s, double v)
{
    char b[48];
    if (!isfinite(v))
        v = 0;
    size_t n = custos_svg_format_num(b, sizeof b, v, 2, true);
    custos_svg_raw(s, b, n);
}

custos_svg_numstr custos_svg_n(double v)
{
    custos_svg_numstr r;
    custos_svg_format_num(r.s, sizeof r.s, isfinite(v) ? v : 0, 2, true);
    return r;
}

int custos_svg_finish(custos_svg *s)
{
    flush(s);
    return s->err;
}

static const char *const palette[CUSTOS_SVG_PALETTE_SIZE] = {
    "#0072B2", /* blue */
    "#E69F00", /* orange */
    "#009E73", /* bluish green */
    "#CC79A7", /* reddish purple */
    "#56B4E9", /* sky blue */
    "#000000", /* black */
};

const char *custos_svg_colour(size_t i)
{
    return palette[i % CUSTOS_SVG_PALETTE_SIZE];
}

double custos_svg_text_width(const char *text, double px)
{
    double em = 0;
    if (!text)
        return 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p & 0xc0) == 0x80)
            continue; /* continuation byte */
        if (strchr("il.,:;|!'()[] ", *p))
            em += 0.35;
        else if (*p >= 'A' && *p <= 'Z')
            em += 0.68;
        else
            em += 0.6;
    }
    return em * px;
}

double custos_svg_nice_num(double x, bool round)
{
    if (!(x > 0) || !isfinite(x))
        return 1;
    double e = floor(log10(x));
    double p = pow(10, e);
    double f = x / p; /* 1 <= f < 10 */
    double nf;
    if (round)
        nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else
        nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nf * p;
}

void custos_svg_nice_ticks(custos_svg_ticks *out, double lo, double hi, int target)
{
    if (target < 2)
        target = 2;
    if (target > 20)
        target = 20;
    if (!isfinite(lo) || !isfinite(hi)) {
        lo = 0;
        hi = 1;
    }
    if (hi < lo) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    if (hi == lo) {
        double d = lo == 0 ? 1 : fabs(lo) * 0.1;
        lo -= d;
        hi += d;
    }
    double range = custos_svg_nice_num(hi - lo, false);
    double step = custos_svg_nice_num(range / (target - 1), true);
    /* A small tolerance keeps 0.30000000000000004 from adding a tick. */
    double a = floor(lo / step + 1e-9) * step;
    double b = ceil(hi / step - 1e-9) * step;
    out->lo = a;
    out->hi = b;
    out->step = step;
    out->n = (int)lround((b - a) / step) + 1;
    int dec = -(int)floor(log10(step) + 1e-9);
    out->decimals = dec > 0 ? dec : 0;
}

bool custos_svg_id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > 64)
        return false;
    if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z')))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}
