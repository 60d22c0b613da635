/* SPDX-License-Identifier: Apache-2.0 */
/*
 * html.c: the State-level evaluation report as one self-contained HTML
 * file (custos/report_html.h).
 *
 * The page is built in one bounded buffer (64 MiB) and handed to the
 * writer at the end, so a failure leaves nothing half-written behind the
 * caller's back.  Every string that came from input (names, titles,
 * ids) is escaped.  Evidence outside the reader's compartments is never
 * written: visible() is asked before any field of a piece of evidence is
 * printed, including ids that point at it from visible pieces.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chart_graph.h"
#include "custos/balance.h"
#include "custos/chart.h"
#include "custos/stats.h"
#include "custos/ledger.h"
#include "custos/report_html.h"
#include "stateint.h"

#define HTML_MAX (64u << 20)

typedef struct page {
    custos_buf b;
    int err;
    const custos_evaluation *e;
    const custos_state_model *m;
    const custos_apa_result *apa;
    const custos_reader_clearance *r;
} page;

static void put(page *p, const char *s)
{
    if (p->err >= 0)
        p->err = custos_buf_puts(&p->b, s);
}

static void esc(page *p, const char *s)
{
    if (p->err >= 0)
        p->err = custos_xml_escape(&p->b, s ? s : "");
}

static void putf(page *p, const char *fmt, ...) CUSTOS_PRINTF(2, 3);

static void putf(page *p, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        if (p->err >= 0)
            p->err = custos_error_set(CUSTOS_ETOOBIG, "HTML fragment longer than %zu bytes",
                                      sizeof tmp);
        return;
    }
    put(p, tmp);
}

static bool visible(const page *p, size_t i)
{
    return custos_info_visible(p->e->evidence[i].compartment, p->r ? p->r->compartments : NULL,
                               p->r ? p->r->n : 0);
}

static long find_ev(const custos_evaluation *e, const char *id)
{
    for (size_t i = 0; i < e->nevidence; i++)
        if (!strcmp(e->evidence[i].id, id))
            return (long)i;
    return -1;
}

static const char *const css =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px 32px;color:#0f172a;"
    "background:#fff;font-size:14px;line-height:1.4}"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:2px solid "
    "#cbd5e1;padding-bottom:3px}h3{font-size:14px;margin:16px 0 6px}"
    ".meta{color:#475569;font-size:12px}"
    "table{border-collapse:collapse;margin:6px 0 10px;font-size:12.5px}"
    "th,td{border:1px solid #cbd5e1;padding:3px 7px;text-align:left;vertical-align:top}"
    "th{background:#f1f5f9}td.id{white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".ok{background:#dcfce7;color:#14532d;font-weight:bold}"
    ".bad{background:#fee2e2;color:#7f1d1d;font-weight:bold}"
    ".na{background:#e2e8f0;color:#334155;font-weight:bold}"
    ".muted{color:#64748b}.warn{color:#9a3412;font-weight:bold}"
    "ul.ev{margin:2px 0 2px 18px;padding:0}"
    "svg{border:1px solid #e2e8f0;background:#fff}"
    "@media print{body{margin:10mm}}";

static const char *const rel_words[6] = {"completely reliable", "usually reliable",
                                         "fairly reliable",     "not usually reliable",
                                         "unreliable",          "reliability cannot be judged"};
static const char *const cred_words[6] = {"confirmed by other sources", "probably true",
                                          "possibly true",              "doubtful",
                                          "improbable",                 "truth cannot be judged"};

static void path_steps(page *p, const custos_apa_path *ap)
{
    esc(p, p->m->nodes[ap->start].id);
    for (size_t k = 0; k < ap->nsteps; k++) {
        const custos_state_edge *e = &p->m->edges[ap->edges[k]];
        put(p, " &rarr; <span class=\"muted\">");
        esc(p, e->id);
        put(p, "</span> &rarr; ");
        esc(p, p->m->nodes[e->to].id);
    }
}

static void header(page *p)
{
    const custos_state_model *m = p->m;
    put(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<title>custos: State-level evaluation of ");
    esc(p, m->state);
    put(p, "</title>\n<style>");
    put(p, css);
    put(p, "</style>\n</head>\n<body>\n<h1>State-level evaluation: ");
    esc(p, m->state);
    if (m->name) {
        put(p, " (");
        esc(p, m->name);
        put(p, ")");
    }
    put(p, "</h1>\n<p class=\"meta\">");
    char d[11] = "";
    if (p->e->as_of)
        custos_date_iso(d, p->e->as_of);
    putf(p, "%s%s. custos %s. Indication threshold P &ge; %.2f. Reader compartments: ",
         p->e->as_of ? "Balances to " : "No closed balance period", d, custos_version(),
         p->e->threshold);
    if (!p->r || p->r->n == 0)
        put(p, "none (public evidence only)");
    for (size_t i = 0; p->r && i < p->r->n; i++) {
        if (i)
            put(p, ", ");
        esc(p, p->r->compartments[i]);
    }
    size_t hidden = 0;
    for (size_t i = 0; i < p->e->nevidence; i++)
        hidden += !visible(p, i);
    putf(p, ". Evidence: %zu pieces, %zu not shown to this reader.</p>\n", p->e->nevidence,
         hidden);
}

static void conclusions(page *p)
{
    const custos_evaluation *e = p->e;
    put(p, "<h2 id=\"conclusions\">Conclusions</h2>\n<table>\n<tr><th>status</th><th>conclusion"
           "</th><th>paths</th><th>strongest path (P)</th><th>rests on</th></tr>\n");
    for (size_t k = 0; k < e->nconclusions; k++) {
        const custos_conclusion *c = &e->conclusions[k];
        char text[256];
        bool na = c->kind == CUSTOS_CONCL_BROADER && !c->applicable;
        putf(p, "<tr><td class=\"%s\">%s</td><td>", na ? "na" : c->drawn ? "ok" : "bad",
             na ? "not applicable" : c->drawn ? "holds" : "indication");
        esc(p, custos_conclusion_text(text, sizeof text, c, c->drawn));
        putf(p, "</td><td class=\"num\">%zu</td><td>", c->npaths);
        if (c->strongest >= 0)
            putf(p, "path %d (P = %.4f)", p->apa->paths[e->scores[c->strongest].path].rank,
                 e->scores[c->strongest].p);
        else
            put(p, "&ndash;");
        put(p, "</td><td>");
        if (c->kind == CUSTOS_CONCL_BROADER) {
            put(p, c->applicable ? "the conclusions above"
                                 : "<span class=\"muted\">needs CSA and AP in force</span>");
            put(p, "</td></tr>\n");
            continue;
        }
        if (c->npaths == 0) {
            put(p, "<span class=\"muted\">no acquisition path of the model diverts material "
                   "from this facility</span></td></tr>\n");
            continue;
        }
        size_t nh = 0, shown = 0, other = 0;
        for (size_t q = 0; q < c->nevidence; q++) {
            size_t i = c->evidence[q];
            double v = c->strongest >= 0 ? e->scores[c->strongest].contribution[i] : 0;
            if (v == 0) {
                other++;
                continue;
            }
            if (!visible(p, i)) {
                nh++;
                continue;
            }
            if (!shown++)
                put(p, "<ul class=\"ev\">");
            put(p, "<li>");
            esc(p, e->evidence[i].id);
            putf(p, " (%+.3f)</li>", v);
        }
        if (shown)
            put(p, "</ul>");
        if (nh)
            putf(p, "<span class=\"muted\">and %zu piece%s you may not see</span><br>", nh,
                 nh == 1 ? "" : "s");
        if (!shown && !nh)
            put(p, "<span class=\"muted\">no evidence on the strongest path: its prior "
                   "stands</span><br>");
        if (other)
            putf(p, "<span class=\"muted\">%zu more bear%s on its other paths</span>", other,
                 other == 1 ? "s" : "");
        put(p, "</td></tr>\n");
    }
    put(p, "</table>\n");
}

static void factors(page *p)
{
    static const char *const names[6] = {
        "Type of safeguards agreement in force",
        "Nuclear fuel cycle and related technical capabilities",
        "Technical capabilities of the SSAC/SRA",
        "Ability of the IAEA to implement certain measures",
        "Nature and scope of cooperation with the IAEA",
        "The IAEA's experience in implementing safeguards in the State"};
    const custos_state_model *m = p->m;
    put(p, "<h2 id=\"state\">Agreements and State-specific factors</h2>\n<table>\n<tr><th>"
           "agreement</th><th>status</th><th>since</th><th>reference</th></tr>\n");
    for (size_t i = 0; i < m->nagreements; i++) {
        const custos_state_agreement *a = &m->agreements[i];
        char d[11] = "";
        if (a->since)
            custos_date_iso(d, a->since);
        put(p, "<tr><td>");
        esc(p, a->type);
        putf(p, "</td><td class=\"%s\">%s</td><td>%s</td><td>", a->in_force ? "ok" : "na",
             a->in_force ? "in force" : "not in force", d);
        esc(p, a->reference);
        put(p, "</td></tr>\n");
    }
    put(p, "</table>\n<p class=\"meta\">The six factors of GOV/2014/41 shape the safeguards "
           "approach; they are never a score of the State.</p>\n<table>\n<tr><th>#</th><th>"
           "factor</th><th>value</th><th>date</th><th>sources</th></tr>\n");
    for (size_t i = 0; i < m->nfactors; i++) {
        const custos_state_factor *f = &m->factors[i];
        char d[11];
        custos_date_iso(d, f->date);
        putf(p, "<tr><td>%d</td><td>%s</td><td>", f->number, names[f->number - 1]);
        esc(p, f->value);
        putf(p, "</td><td>%s</td><td>", d);
        for (size_t k = 0; k < f->nsources; k++) {
            if (k)
                put(p, "<br>");
            esc(p, f->sources[k]);
        }
        put(p, "</td></tr>\n");
    }
    put(p, "</table>\n");
}

/* Append chart c to the page and free it. */
static void put_chart(page *p, custos_chart *c, int err)
{
    if (err >= 0 && p->err >= 0)
        err = custos_chart_write(c, custos_buf_write_fn, &p->b);
    if (err < 0 && p->err >= 0)
        p->err = err;
    custos_chart_free(c);
}

/* The MUF sequence with its +-2 and +-3 sigma bands and the periods where
 * a test alarms. */
static void chart_muf(page *p, const custos_mba_statistics *s, const char *unit, double scale)
{
    custos_chart *c = NULL;
    size_t n = s->n;
    double *x = custos_calloc(n, sizeof *x), *y = custos_calloc(n, sizeof *y);
    double *lo2 = custos_calloc(n, sizeof *lo2), *hi2 = custos_calloc(n, sizeof *hi2);
    double *lo3 = custos_calloc(n, sizeof *lo3), *hi3 = custos_calloc(n, sizeof *hi3);
    int err = x && y && lo2 && hi2 && lo3 && hi3 ? custos_chart_new(&c, CUSTOS_CHART_XY)
                                                  : custos_error_nomem();
    char buf[160];
    bool dates = n > 0 && s->end[0] != 0;
    for (size_t t = 0; t < n; t++) {
        x[t] = dates ? (double)s->end[t] : (double)(t + 1);
        y[t] = s->muf[t] * scale;
        lo2[t] = -2 * s->sigma[t] * scale;
        hi2[t] = 2 * s->sigma[t] * scale;
        lo3[t] = -3 * s->sigma[t] * scale;
        hi3[t] = 3 * s->sigma[t] * scale;
    }
    snprintf(buf, sizeof buf, "muf-%s", s->mba);
    if (err >= 0)
        err = custos_chart_set_id(c, buf);
    snprintf(buf, sizeof buf, "MUF, %s/%s, %s", p->m->state, s->mba,
             s->element == 'P' ? "Pu" : s->element == 'E' ? "U-235" : "element");
    if (err >= 0)
        err = custos_chart_set_title(c, buf);
    if (err >= 0)
        err = custos_chart_set_size(c, 620, 300);
    if (err >= 0)
        err = custos_chart_set_x_axis(c, dates ? CUSTOS_AXIS_DATE : CUSTOS_AXIS_INDEX,
                                      "balance period end", CUSTOS_VALUE_PLAIN);
    snprintf(buf, sizeof buf, "MUF (%s)", unit);
    if (err >= 0)
        err = custos_chart_set_y_axis(c, buf, CUSTOS_VALUE_PLAIN);
    if (err >= 0)
        err = custos_chart_add_band(c, "\u00b13 \u03c3", x, lo3, hi3, n);
    if (err >= 0)
        err = custos_chart_add_band(c, "\u00b12 \u03c3", x, lo2, hi2, n);
    if (err >= 0)
        err = custos_chart_add_series(c, "MUF", x, y, n, CUSTOS_SERIES_LINE | CUSTOS_SERIES_POINTS);
    for (size_t t = 0; t < n && err >= 0; t++)
        if (s->alarm[t])
            err = custos_chart_add_marker(c, "test alarm", x[t], y[t]);
    put_chart(p, c, err);
    custos_free(x);
    custos_free(y);
    custos_free(lo2);
    custos_free(hi2);
    custos_free(lo3);
    custos_free(hi3);
}

/* Page's CUSUM on SITMUF with its decision interval h. */
static void chart_cusum(page *p, const custos_mba_statistics *s)
{
    custos_chart *c = NULL;
    size_t n = s->n;
    double *x = custos_calloc(n, sizeof *x);
    int err = x ? custos_chart_new(&c, CUSTOS_CHART_XY) : custos_error_nomem();
    char buf[160];
    bool dates = n > 0 && s->end[0] != 0;
    for (size_t t = 0; t < n; t++)
        x[t] = dates ? (double)s->end[t] : (double)(t + 1);
    snprintf(buf, sizeof buf, "cusum-%s", s->mba);
    if (err >= 0)
        err = custos_chart_set_id(c, buf);
    snprintf(buf, sizeof buf, "Page's CUSUM on SITMUF, %s/%s (k = %.2f)", p->m->state, s->mba,
             s->k);
    if (err >= 0)
        err = custos_chart_set_title(c, buf);
    if (err >= 0)
        err = custos_chart_set_size(c, 620, 260);
    if (err >= 0)
        err = custos_chart_set_x_axis(c, dates ? CUSTOS_AXIS_DATE : CUSTOS_AXIS_INDEX,
                                      "balance period end", CUSTOS_VALUE_PLAIN);
    if (err >= 0)
        err = custos_chart_set_y_axis(c, "S\u209c", CUSTOS_VALUE_PLAIN);
    if (err >= 0)
        err = custos_chart_set_y_range(c, 0, NAN);
    if (err >= 0)
        err = custos_chart_add_series(c, "S\u209c", x, s->page, n,
                                      CUSTOS_SERIES_LINE | CUSTOS_SERIES_POINTS);
    snprintf(buf, sizeof buf, "decision interval h = %.3f", s->h);
    if (err >= 0 && isfinite(s->h) && s->h > 0)
        err = custos_chart_add_hline(c, buf, s->h, CUSTOS_LINE_THRESHOLD);
    for (size_t t = 0; t < n && err >= 0; t++)
        if (isfinite(s->h) && s->page[t] > s->h)
            err = custos_chart_add_marker(c, "Page alarm", x[t], s->page[t]);
    put_chart(p, c, err);
    custos_free(x);
}

/* Detection probability against the amount diverted (protracted, spread
 * evenly), campaign false-alarm probability 5 %: the Neyman-Pearson test
 * of the whole sequence, Phi(|w(M)| - z_0.95), and the SITMUF test at the
 * per-period level giving 5 % over the campaign, 1 - prod Phi(z_p -
 * w_t(M)) (shared/spec/statistics.md). */
static void chart_pd(page *p, const custos_mba_statistics *s, const char *unit, double scale)
{
    enum { NPT = 41 };
    custos_chart *c = NULL;
    double x[NPT], np[NPT], sit[NPT];
    size_t live = 0;
    for (size_t t = 0; t < s->n; t++)
        live += s->w[t] != 0;
    double zp = custos_normal_quantile(pow(0.95, 1.0 / (double)(live ? live : 1)));
    double z = custos_normal_quantile(0.95);
    for (int i = 0; i < NPT; i++) {
        double frac = 2.0 * i / (NPT - 1); /* 0 .. 2 SQ */
        x[i] = frac * s->sq_grams * scale;
        np[i] = custos_normal_cdf(frac * s->signal - z);
        double miss = 1;
        for (size_t t = 0; t < s->n; t++)
            if (s->w[t] != 0)
                miss *= custos_normal_cdf(zp - frac * s->w[t]);
        sit[i] = 1 - miss;
    }
    char buf[160];
    int err = custos_chart_new(&c, CUSTOS_CHART_XY);
    snprintf(buf, sizeof buf, "pd-%s", s->mba);
    if (err >= 0)
        err = custos_chart_set_id(c, buf);
    snprintf(buf, sizeof buf, "Detection probability, %s/%s, protracted diversion", p->m->state,
             s->mba);
    if (err >= 0)
        err = custos_chart_set_title(c, buf);
    if (err >= 0)
        err = custos_chart_set_size(c, 620, 260);
    snprintf(buf, sizeof buf, "amount diverted over the %zu periods (%s)", s->n, unit);
    if (err >= 0)
        err = custos_chart_set_x_axis(c, CUSTOS_AXIS_NUMBER, buf, CUSTOS_VALUE_PLAIN);
    if (err >= 0)
        err = custos_chart_set_y_axis(c, "detection probability", CUSTOS_VALUE_PERCENT);
    if (err >= 0)
        err = custos_chart_set_y_range(c, 0, 1);
    if (err >= 0)
        err = custos_chart_add_series(c, "likelihood-ratio test (5 %)", x, np, NPT,
                                      CUSTOS_SERIES_LINE);
    if (err >= 0)
        err = custos_chart_add_series(c, "SITMUF test (5 % over the campaign)", x, sit, NPT,
                                      CUSTOS_SERIES_LINE | CUSTOS_SERIES_DASHED);
    if (err >= 0)
        err = custos_chart_add_vline(c, "1 SQ", s->sq_grams * scale, CUSTOS_LINE_REFERENCE);
    put_chart(p, c, err);
}

/* Per MBA of the model: the statistics charts, or the MUF table when the
 * MBA has no usable measurement model. */
static void mbas(page *p, custos_ledger *l)
{
    put(p, "<h2 id=\"mbas\">Material balances per MBA</h2>\n");
    const custos_evaluation *e = p->e;
    if (e->nstats) {
        put(p, "<table>\n<tr><th>MBA</th><th>quantity</th><th>periods</th><th>alarms: MUF / "
               "SITMUF / Page</th><th>GEMUF</th><th>ln LR (1 SQ : none)</th><th>PD (1 SQ)</th>"
               "</tr>\n");
        for (size_t i = 0; i < e->nstats; i++) {
            const custos_mba_statistics *s = &e->stats[i];
            put(p, "<tr><td>");
            esc(p, s->mba);
            putf(p,
                 "</td><td>%s</td><td class=\"num\">%zu</td><td class=\"num%s\">%zu / %zu / %zu"
                 "</td><td class=\"%s\">%s</td><td class=\"num\">%+.2f</td><td class=\"num\">"
                 "%.3f</td></tr>\n",
                 s->element == 'P' ? "Pu" : s->element == 'E' ? "U-235" : "element", s->n,
                 s->page_alarms ? " bad" : "", s->muf_alarms, s->sitmuf_alarms, s->page_alarms,
                 s->gemuf_alarm ? "bad" : "", s->gemuf_alarm ? "alarm" : "no alarm", s->ln_lr,
                 s->pd_sq);
        }
        put(p, "</table>\n<p class=\"meta\">Per period alarms at 5 %; Page's decision interval "
               "chosen for 5 % over the campaign. ln LR: the whole sequence, 1 SQ diverted "
               "evenly over the periods against nothing diverted (used as evidence, capped at "
               "&plusmn;ln 10<sup>6</sup>).</p>\n");
    }
    for (size_t i = 0; i < e->nstats && p->err >= 0; i++) {
        const custos_mba_statistics *s = &e->stats[i];
        bool pu = s->element == 'P';
        const char *unit = pu || s->element == 'E' ? "kg" : "t";
        double scale = pu || s->element == 'E' ? 1e-3 : 1e-6;
        put(p, "<h3>MBA ");
        esc(p, s->mba);
        putf(p, ": %s</h3>\n", pu ? "Pu" : s->element == 'E' ? "U-235 in enriched U" : "element");
        chart_muf(p, s, unit, scale);
        if (s->n > 1)
            chart_cusum(p, s);
        chart_pd(p, s, unit, scale);
    }
    if (!l)
        return;
    custos_balances *bal = NULL;
    int err = custos_ledger_balances(&bal, l, NULL, NULL);
    if (err < 0) {
        p->err = err;
        return;
    }
    const custos_state_model *m = p->m;
    for (size_t f = 0; f < m->nfacilities; f++)
        for (size_t k = 0; k < m->facilities[f].nmbas; k++) {
            const char *mba = m->facilities[f].mbas[k];
            bool have = false;
            for (size_t i = 0; i < e->nstats; i++)
                have |= !strcmp(e->stats[i].mba, mba);
            if (have)
                continue;
            /* Main quantity: Pu element, else U-235 in enriched U, else
             * the first element weight seen. */
            char cat = 0;
            int label = -1;
            for (size_t i = 0; i < bal->n; i++) {
                const custos_balance *b = &bal->items[i];
                if (strcmp(b->mba, mba) || strcmp(b->state, m->state))
                    continue;
                if (b->element == 'P' && b->label == 0) {
                    cat = 'P';
                    label = 0;
                    break;
                }
                if (b->element == 'E' && b->label == 670 && cat != 'E') {
                    cat = 'E';
                    label = 670;
                } else if (!cat && b->label == 0) {
                    cat = b->element;
                    label = 0;
                }
            }
            put(p, "<h3>MBA ");
            esc(p, mba);
            if (!cat) {
                put(p, "</h3>\n<p class=\"muted\">No closed balance period.</p>\n");
                continue;
            }
            putf(p, " (facility %s): MUF of %s, grams; no statistics (entries without a "
                    "measurement model)</h3>\n<table>\n<tr><th>period</th><th>PB</th><th>BA</th>"
                    "<th>PE</th><th>MUF</th><th>MBR</th></tr>\n",
                 m->facilities[f].code,
                 cat == 'P' ? "Pu" : cat == 'E' ? "U-235 (enriched U)" : "the element");
            for (size_t i = 0; i < bal->n; i++) {
                const custos_balance *b = &bal->items[i];
                if (strcmp(b->mba, mba) || strcmp(b->state, m->state) || b->element != cat ||
                    b->label != label)
                    continue;
                char s0[11], t0[11], g[4][32];
                custos_date_iso(s0, b->start);
                custos_date_iso(t0, b->end);
                custos_grams_format(g[0], b->pb);
                custos_grams_format(g[1], b->ba);
                custos_grams_format(g[2], b->pe);
                custos_grams_format(g[3], b->muf);
                putf(p,
                     "<tr><td>%s to %s</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
                     "<td class=\"num\">%s</td><td class=\"num\">%s</td><td>%s</td></tr>\n",
                     s0, t0, g[0], g[1], g[2], g[3],
                     !b->mbr_report       ? "none"
                     : b->mbr_differences ? "<span class=\"warn\">disagrees</span>"
                                          : "agrees");
            }
            put(p, "</table>\n");
        }
    custos_balances_free(bal);
}

static void paths(page *p)
{
    const custos_evaluation *e = p->e;
    const custos_state_model *m = p->m;
    put(p, "<h2 id=\"paths\">Acquisition paths</h2>\n");
    custos_graph_layout *g = NULL;
    int *cls = custos_calloc(m->nedges ? m->nedges : 1, sizeof *cls);
    if (!cls) {
        p->err = custos_error_nomem();
        goto done;
    }
    /* The three weakest feasible paths, and every path with an indication. */
    for (size_t j = 0; j < e->nscores; j++) {
        const custos_apa_path *ap = &p->apa->paths[e->scores[j].path];
        int c = e->scores[j].indication ? GRAPH_EDGE_INDICATION
                : ap->rank <= 3         ? GRAPH_EDGE_WEAK
                                        : GRAPH_EDGE_PLAIN;
        for (size_t k = 0; k < ap->nsteps; k++)
            if (c > cls[ap->edges[k]])
                cls[ap->edges[k]] = c;
    }
    int err = custos_apa_layout(&g, m);
    if (err < 0) {
        p->err = err;
        goto done;
    }
    /* Height from the widest layer. */
    int widest = 1;
    for (size_t i = 0; i < m->nnodes; i++) {
        int in_layer = 0;
        for (size_t k = 0; k < m->nnodes; k++)
            in_layer += fabs(g->x[k] - g->x[i]) < 1e-9;
        widest = in_layer > widest ? in_layer : widest;
    }
    int width = 1180, height = 90 + 62 * (widest + 1);
    if (height > 1400)
        height = 1400;
    if (p->err >= 0)
        p->err = custos_chart_graph_svg(&p->b, m, g, cls, width, height);
    putf(p, "<p class=\"meta\">%zu paths to weapon-usable metal examined, %zu feasible (at "
            "least 1 SQ at the end). Ranked weakest first: lowest detection probability P, then "
            "shortest time, then lowest difficulty.%s</p>\n",
         p->apa->examined, p->apa->feasible,
         p->apa->truncated ? " The search stopped at its path limit." : "");
    put(p, "<table>\n<tr><th>rank</th><th>path</th><th>P detect</th><th>P timely</th>"
           "<th>covered</th><th>days</th><th>difficulty</th><th>SQ at start</th>"
           "<th>indication P</th></tr>\n");
    for (size_t j = 0; j < e->nscores && j < 25; j++) {
        const custos_path_score *s = &e->scores[j];
        const custos_apa_path *ap = &p->apa->paths[s->path];
        putf(p, "<tr><td class=\"num\">%d</td><td>", ap->rank);
        path_steps(p, ap);
        putf(p,
             "</td><td class=\"num\">%.4f</td><td class=\"num\">%.4f</td><td class=\"%s\">%s</td>"
             "<td class=\"num\">%.0f</td><td class=\"num\">%d</td><td class=\"num\">%.2f</td>"
             "<td class=\"num %s\">%.4f</td></tr>\n",
             ap->p_detect, ap->p_timely, ap->covered ? "ok" : "bad", ap->covered ? "yes" : "no",
             ap->time_days, ap->difficulty, ap->start_sq, s->indication ? "bad" : "", s->p);
    }
    put(p, "</table>\n");
    if (e->nscores > 25)
        putf(p, "<p class=\"meta\">%zu more paths not listed.</p>\n", e->nscores - 25);
done:
    custos_graph_layout_free(g);
    custos_free(cls);
}

static void evidence(page *p)
{
    const custos_evaluation *e = p->e;
    static const char *const st[] = {"counted", "counted: corroborated by",
                                     "counted: clarification step", "NOT counted",
                                     "bears on no path"};
    put(p, "<h2 id=\"evidence\">Evidence</h2>\n<p class=\"meta\">Weight c = reliability/100 "
           "&times; credibility/100 (A&ndash;F and 1&ndash;6 map to 100, 75, 50, 25, 0, 50 unless "
           "the State model says otherwise); each piece adds c&nbsp;ln&nbsp;LR to the log-odds of "
           "every path it bears on (&minus; when it indicates absence). A third-party item counts "
           "only with corroboration from another source class or a recorded State clarification "
           "step.</p>\n<table>\n<tr><th>id</th><th>date</th><th>source</th><th>grade</th>"
           "<th>c</th><th>ln LR</th><th>status</th><th>bears on</th><th>what it says</th></tr>\n");
    size_t hidden = 0;
    for (size_t i = 0; i < e->nevidence; i++) {
        const custos_evidence *v = &e->evidence[i];
        if (!visible(p, i)) {
            hidden++;
            continue;
        }
        char d[11] = "";
        if (v->date)
            custos_date_iso(d, v->date);
        int ri = v->reliability >= 'A' && v->reliability <= 'F' ? v->reliability - 'A' : 5;
        int ci = v->credibility >= 1 && v->credibility <= 6 ? v->credibility - 1 : 5;
        put(p, "<tr><td class=\"id\">");
        esc(p, v->id);
        put(p, "</td><td class=\"id\">");
        putf(p, "%s</td><td>%s", d, custos_source_class_name(v->source));
        if (v->originator[0]) {
            put(p, "<br><span class=\"muted\">from ");
            esc(p, v->originator);
            put(p, "</span>");
        }
        if (v->classification[0])
            putf(p, "<br><span class=\"muted\">%s</span>", v->classification);
        putf(p, "</td><td title=\"%s, %s\">%c%d</td><td class=\"num\">%.4f"
                "</td><td class=\"num\">%.3f</td><td%s>%s",
             rel_words[ri], cred_words[ci], v->reliability,
             v->credibility, v->weight, v->ln_lr,
             v->status == CUSTOS_EV_UNCORROBORATED ? " class=\"warn\"" : "", st[v->status]);
        if (v->because[0]) {
            long k = find_ev(e, v->because);
            put(p, " ");
            if (k >= 0 && visible(p, (size_t)k))
                esc(p, v->because);
            else
                put(p, "(an item you may not see)");
        }
        if (v->clarification_of[0]) {
            long k = find_ev(e, v->clarification_of);
            put(p, "; clarifies ");
            if (k >= 0 && !visible(p, (size_t)k))
                put(p, "(an item you may not see)");
            else
                esc(p, v->clarification_of);
        }
        put(p, "</td><td>");
        for (size_t k = 0; k < v->nlinks; k++) {
            static const char *const kinds[4] = {"facility", "MBA", "form", "step"};
            if (k)
                put(p, "<br>");
            putf(p, "%s ", kinds[v->links[k].kind]);
            esc(p, v->links[k].ref);
            put(p, v->links[k].direction > 0 ? " (activity)" : " (absence)");
        }
        put(p, "</td><td>");
        esc(p, v->text);
        put(p, "</td></tr>\n");
    }
    if (hidden)
        putf(p, "<tr><td colspan=\"9\" class=\"muted\">%zu piece%s of evidence in compartments "
                "this reader does not hold: counted in every score, not shown.</td></tr>\n",
             hidden, hidden == 1 ? "" : "s");
    put(p, "</table>\n");
}

static void audit(page *p)
{
    const custos_evaluation *e = p->e;
    put(p, "<h2 id=\"audit\">Counterfactual audit</h2>\n<p class=\"meta\">The evaluation re-run "
           "without each source class and without each single piece of evidence; a conclusion "
           "that changes rests on what was left out.</p>\n<table>\n<tr><th>without</th>"
           "<th>effect</th></tr>\n");
    size_t hidden_changing = 0, hidden_total = 0;
    for (size_t q = 0; q < e->ncounterfactuals; q++) {
        const custos_counterfactual *cf = &e->counterfactuals[q];
        if (!cf->by_class && !visible(p, cf->evidence)) {
            hidden_total++;
            hidden_changing += cf->nchanged > 0;
            continue;
        }
        put(p, "<tr><td>");
        if (cf->by_class) {
            putf(p, "all <b>%s</b> evidence", custos_source_class_name(cf->source));
        } else {
            put(p, "item ");
            esc(p, e->evidence[cf->evidence].id);
        }
        put(p, "</td><td>");
        if (!cf->nchanged)
            put(p, "<span class=\"muted\">no conclusion changes</span>");
        for (size_t k = 0; k < cf->nchanged; k++) {
            const custos_conclusion *c = &e->conclusions[cf->changed[k]];
            char a[256], b[256];
            if (k)
                put(p, "<br>");
            put(p, "<span class=\"warn\">changes:</span> ");
            esc(p, custos_conclusion_text(a, sizeof a, c, c->drawn));
            put(p, " &rarr; ");
            esc(p, custos_conclusion_text(b, sizeof b, c, !c->drawn));
        }
        put(p, "</td></tr>\n");
    }
    if (hidden_total)
        putf(p, "<tr><td class=\"muted\">%zu item%s you may not see, one at a time</td><td>%zu "
                "of them change%s a conclusion</td></tr>\n",
             hidden_total, hidden_total == 1 ? "" : "s", hidden_changing,
             hidden_changing == 1 ? "s" : "");
    put(p, "</table>\n");
}

int custos_report_html_write(custos_ledger *l, const custos_evaluation *e,
                             const custos_state_model *m, const custos_apa_result *apa,
                             const custos_reader_clearance *reader, custos_write_fn fn, void *ctx)
{
    page p;
    memset(&p, 0, sizeof p);
    custos_buf_init(&p.b, HTML_MAX);
    p.e = e;
    p.m = m;
    p.apa = apa;
    p.r = reader;
    header(&p);
    conclusions(&p);
    paths(&p);
    mbas(&p, l);
    evidence(&p);
    audit(&p);
    factors(&p);
    put(&p, "<p class=\"meta\">Generated by custos from the ledger's hash-chained records; "
            "checked with <code>custos verify</code>. No script, no network.</p>\n</body>\n"
            "</html>\n");
    int err = p.err;
    if (err >= 0)
        err = fn(ctx, p.b.data ? p.b.data : "", p.b.len);
    custos_buf_dispose(&p.b);
    return err;
}
