/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agreement_parse.c: agreements from JSON (docs/formats.md, "Agreements")
 * into the checked model of agreementint.h.
 *
 * jansson parses the text; every check then names the JSON path of the
 * value at fault and its line.  jansson keeps no positions of values, so
 * the line is found on demand by walking the text along the path
 * (path_line()), which only runs when there is a problem to report.
 * Unknown keys are refused, so a misspelt key never silently drops a
 * commitment's bound.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "agreementint.h"
#include "custos/validate.h"

/* ---- Lines of JSON paths ------------------------------------------------ */

typedef struct scan {
    const char *t;
    size_t n, i;
    uint32_t line;
} scan;

static void skip_ws(scan *s)
{
    while (s->i < s->n) {
        char c = s->t[s->i];
        if (c == '\n')
            s->line++;
        else if (c != ' ' && c != '\t' && c != '\r')
            break;
        s->i++;
    }
}

static bool delimiter(char c)
{
    return c == ',' || c == ':' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\r' ||
           c == '\n';
}

/* At an opening quote: move past the closing one. */
static void skip_string(scan *s)
{
    s->i++;
    while (s->i < s->n && s->t[s->i] != '"') {
        if (s->t[s->i] == '\\')
            s->i++;
        else if (s->t[s->i] == '\n')
            s->line++;
        s->i++;
    }
    if (s->i < s->n)
        s->i++;
}

/* Move past one value (scalar, string or container). */
static void skip_value(scan *s)
{
    size_t depth = 0;
    do {
        skip_ws(s);
        if (s->i >= s->n)
            return;
        char c = s->t[s->i];
        if (c == '"') {
            skip_string(s);
        } else if (c == '{' || c == '[') {
            depth++;
            s->i++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return;
            depth--;
            s->i++;
        } else if (c == ',' || c == ':') {
            if (depth == 0)
                return;
            s->i++;
        } else {
            /* A scalar; any other byte (even a NUL that jansson let
             * through) is stepped over, so the walk always advances. */
            size_t start = s->i;
            while (s->i < s->n && !delimiter(s->t[s->i]))
                s->i++;
            if (s->i == start)
                s->i++;
        }
    } while (depth > 0);
}

/*
 * The line where the value at path ("$.a[2].b") starts in the JSON text,
 * or 0 when the path is not found.  O(len).
 */
static uint32_t path_line(const char *text, size_t len, const char *path)
{
    scan s = {text, len, 0, 1};
    const char *p = path;
    if (*p == '$')
        p++;
    for (;;) {
        skip_ws(&s);
        if (s.i >= s.n)
            return 0;
        if (*p == '\0')
            return s.line;
        if (*p == '.') {
            const char *k = p + 1;
            size_t kl = strcspn(k, ".[");
            if (s.t[s.i] != '{')
                return 0;
            s.i++;
            for (;;) {
                skip_ws(&s);
                if (s.i >= s.n || s.t[s.i] != '"')
                    return 0;
                size_t ks = s.i + 1;
                skip_string(&s);
                bool match = s.i - 1 >= ks && s.i - 1 - ks == kl && !memcmp(s.t + ks, k, kl);
                skip_ws(&s);
                if (s.i >= s.n || s.t[s.i] != ':')
                    return 0;
                s.i++;
                if (match)
                    break;
                skip_value(&s);
                skip_ws(&s);
                if (s.i >= s.n || s.t[s.i] != ',')
                    return 0;
                s.i++;
            }
            p = k + kl;
        } else if (*p == '[') {
            size_t idx = 0;
            p++;
            while (*p >= '0' && *p <= '9' && idx < 100000000)
                idx = idx * 10 + (size_t)(*p++ - '0');
            if (*p++ != ']' || s.t[s.i] != '[')
                return 0;
            s.i++;
            for (size_t k = 0; k < idx; k++) {
                skip_value(&s);
                skip_ws(&s);
                if (s.i >= s.n || s.t[s.i] != ',')
                    return 0;
                s.i++;
            }
        } else {
            return 0;
        }
    }
}

/* ---- Problems ------------------------------------------------------------ */

typedef struct pctx {
    const char *source;
    const char *text;
    size_t len;
    custos_diags *d;
    int errors;
    int located; /* problems given a line so far */
    int err; /* CUSTOS_ENOMEM once an allocation failed */
} pctx;

/* Only the first problems are located: each costs a walk of the text, and
 * hostile input can raise one per key (state_json.c does the same). */
#define LOCATE_MAX 50

static void perr(pctx *p, const char *path, const char *fmt, ...) CUSTOS_PRINTF(3, 4);

static void perr(pctx *p, const char *path, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint32_t line = 0;
    if (p->located < LOCATE_MAX) {
        p->located++;
        line = path_line(p->text, p->len, path);
    }
    if (p->errors++ == 0) {
        if (line)
            custos_error_set(CUSTOS_EINVAL, "%s:%u: %s: %s", p->source, line, path, msg);
        else
            custos_error_set(CUSTOS_EINVAL, "%s: %s: %s", p->source, path, msg);
    }
    if (p->d &&
        custos_diags_add(p->d, CUSTOS_SEV_ERROR, p->source, line, 0, 0, "%s: %s", path, msg) < 0)
        p->err = CUSTOS_ENOMEM;
}

static void keys_known(pctx *p, json_t *o, const char *path, const char *const *known)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        bool found = false;
        for (const char *const *k = known; *k; k++)
            found |= !strcmp(key, *k);
        if (!found) {
            char kp[200];
            snprintf(kp, sizeof kp, "%s.%.60s", path, key);
            perr(p, kp, "unknown key");
        }
    }
}

static void sub(char *out, size_t size, const char *path, const char *key)
{
    snprintf(out, size, "%s.%s", path, key);
}

/* ---- Values -------------------------------------------------------------- */

static bool state_ok(const char *s)
{
    return s && strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

static bool mba_code_ok(const char *s)
{
    if (strlen(s) != 4)
        return false;
    for (int i = 0; i < 4; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

/* "XA/XAFF". */
static bool parse_mba(pctx *p, json_t *v, const char *path, ag_mba *out)
{
    const char *s = json_string_value(v);
    if (!s || strlen(s) != 7 || s[2] != '/') {
        perr(p, path, "needs an MBA as \"STATE/MBA\" (\"XA/XAFF\")");
        return false;
    }
    char st[3] = {s[0], s[1], 0};
    if (!state_ok(st) || !mba_code_ok(s + 3)) {
        perr(p, path, "\"%s\" is not a 2-letter State and a 4-character MBA code", s);
        return false;
    }
    memcpy(out->state, st, 3);
    custos_strlcpy(out->mba, s + 3, sizeof out->mba);
    return true;
}

/* "YYYY-MM-DD"; absent gives 0 unless required. */
static custos_date get_date(pctx *p, json_t *o, const char *key, const char *path, bool required)
{
    char kp[200];
    sub(kp, sizeof kp, path, key);
    json_t *v = json_object_get(o, key);
    if (!v) {
        if (required)
            perr(p, kp, "is required (a date YYYY-MM-DD)");
        return 0;
    }
    const char *s = json_string_value(v);
    int y = 0, m = 0, d = 0;
    bool shape = s && strlen(s) == 10 && s[4] == '-' && s[7] == '-';
    for (int i = 0; shape && i < 10; i++)
        if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
            shape = false;
    if (shape) {
        y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        m = (s[5] - '0') * 10 + (s[6] - '0');
        d = (s[8] - '0') * 10 + (s[9] - '0');
    }
    custos_date date = (custos_date)(y * 10000 + m * 100 + d);
    if (!shape || !custos_date_valid(date)) {
        perr(p, kp, "needs a calendar date YYYY-MM-DD");
        return 0;
    }
    return date;
}

/* A number in [lo, hi] (open ends when the flags say so); NaN when
 * absent and not required. */
static double get_number(pctx *p, json_t *o, const char *key, const char *path, bool required,
                         double lo, bool lo_open, double hi, bool hi_open)
{
    char kp[200];
    sub(kp, sizeof kp, path, key);
    json_t *v = json_object_get(o, key);
    if (!v) {
        if (required)
            perr(p, kp, "is required");
        return AG_NA;
    }
    if (!json_is_number(v)) {
        perr(p, kp, "needs a number");
        return AG_NA;
    }
    double x = json_number_value(v);
    if (!isfinite(x) || (lo_open ? x <= lo : x < lo) || (hi_open ? x >= hi : x > hi)) {
        perr(p, kp, "%g is outside %s%g, %g%s", x, lo_open ? "(" : "[", lo, hi,
             hi_open ? ")" : "]");
        return AG_NA;
    }
    return x;
}

static char *get_text(pctx *p, json_t *o, const char *key, const char *path, bool required,
                      size_t max)
{
    char kp[200];
    sub(kp, sizeof kp, path, key);
    json_t *v = json_object_get(o, key);
    if (!v) {
        if (required)
            perr(p, kp, "is required");
        return NULL;
    }
    const char *s = json_string_value(v);
    if (!s || !*s || strlen(s) > max) {
        perr(p, kp, "needs a non-empty string of at most %zu bytes", max);
        return NULL;
    }
    for (const char *c = s; *c; c++)
        if ((unsigned char)*c < 0x20) {
            perr(p, kp, "holds a control character");
            return NULL;
        }
    char *r = custos_strdup(s);
    if (!r)
        p->err = CUSTOS_ENOMEM;
    return r;
}

/* The largest mass accepted: 10^6 t, far inside int64 milligrams. */
#define MAX_MG 1e15

static bool parse_mass(pctx *p, json_t *o, const char *key, const char *path, bool required,
                       bool positive, ag_mass *out)
{
    char kp[200];
    sub(kp, sizeof kp, path, key);
    json_t *v = json_object_get(o, key);
    memset(out, 0, sizeof *out);
    out->element_fraction = 1.0;
    if (!v) {
        if (required)
            perr(p, kp, "is required ({\"value\": N, \"unit\": \"g\"|\"kg\"|\"t\"})");
        return false;
    }
    if (!json_is_object(v)) {
        perr(p, kp, "a mass is an object {\"value\": N, \"unit\": \"g\"|\"kg\"|\"t\"}");
        return false;
    }
    static const char *const keys[] = {"value", "unit", "form", "element_fraction", "source", NULL};
    int before = p->errors;
    keys_known(p, v, kp, keys);
    double x = get_number(p, v, "value", kp, true, 0, positive, MAX_MG, false);
    const char *unit = json_string_value(json_object_get(v, "unit"));
    double per = 0;
    if (unit && !strcmp(unit, "g"))
        per = 1e3;
    else if (unit && !strcmp(unit, "kg"))
        per = 1e6;
    else if (unit && !strcmp(unit, "t"))
        per = 1e9;
    char up[220];
    sub(up, sizeof up, kp, "unit");
    if (per == 0)
        perr(p, up, "needs \"g\", \"kg\" or \"t\"");
    json_t *form = json_object_get(v, "form");
    if (form) {
        const char *f = json_string_value(form);
        bool ok = f && *f && strlen(f) < sizeof out->form;
        for (const char *c = f; ok && *c; c++)
            ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                 *c == '(' || *c == ')';
        char fp[220];
        sub(fp, sizeof fp, kp, "form");
        if (!ok)
            perr(p, fp, "needs a chemical form of 1-15 letters, digits or parentheses (\"UF6\")");
        else
            custos_strlcpy(out->form, f, sizeof out->form);
        out->element_fraction = get_number(p, v, "element_fraction", kp, true, 0, true, 1, false);
    } else if (json_object_get(v, "element_fraction")) {
        char fp[220];
        sub(fp, sizeof fp, kp, "element_fraction");
        perr(p, fp, "is only meaningful with \"form\"");
    }
    if (p->errors != before)
        return false;
    out->value = x;
    custos_strlcpy(out->unit, unit, sizeof out->unit);
    double mg = x * per;
    if (mg > MAX_MG) {
        perr(p, kp, "more than 1,000,000 t");
        return false;
    }
    out->mg = (int64_t)llround(mg * out->element_fraction);
    return true;
}

static bool parse_material(pctx *p, json_t *o, const char *key, const char *path, ag_material *m)
{
    char kp[200];
    sub(kp, sizeof kp, path, key);
    json_t *v = json_object_get(o, key);
    m->element = 0;
    m->category = 0;
    m->assay_min = m->assay_max = m->pu240_max = AG_NA;
    if (!json_is_object(v)) {
        perr(p, kp, "needs an object {\"element\": \"U\"|\"Pu\"|\"Th\", ...}");
        return false;
    }
    static const char *const keys[] = {"element",   "category",  "assay_min",
                                       "assay_max", "pu240_max", NULL};
    int before = p->errors;
    keys_known(p, v, kp, keys);
    const char *el = json_string_value(json_object_get(v, "element"));
    char ep[220];
    sub(ep, sizeof ep, kp, "element");
    if (el && !strcmp(el, "U"))
        m->element = 'U';
    else if (el && !strcmp(el, "Pu"))
        m->element = 'P';
    else if (el && !strcmp(el, "Th"))
        m->element = 'T';
    else
        perr(p, ep, "needs \"U\", \"Pu\" or \"Th\"");
    json_t *cat = json_object_get(v, "category");
    if (cat) {
        const char *c = json_string_value(cat);
        char cp[220];
        sub(cp, sizeof cp, kp, "category");
        if (m->element != 'U')
            perr(p, cp, "only uranium has categories (N, D, E)");
        else if (!c || strlen(c) != 1 || !strchr("NDE", c[0]))
            perr(p, cp, "needs \"N\", \"D\" or \"E\"");
        else
            m->category = c[0];
    }
    bool has_assay = json_object_get(v, "assay_min") || json_object_get(v, "assay_max");
    if (has_assay && m->element != 'U') {
        perr(p, kp, "assay_min and assay_max apply to uranium only");
    } else if (has_assay) {
        m->assay_min = get_number(p, v, "assay_min", kp, false, 0, false, 1, false);
        m->assay_max = get_number(p, v, "assay_max", kp, false, 0, false, 1, false);
        if (!isnan(m->assay_min) && !isnan(m->assay_max) && m->assay_min > m->assay_max)
            perr(p, kp, "assay_min %g is above assay_max %g", m->assay_min, m->assay_max);
    }
    if (json_object_get(v, "pu240_max")) {
        if (m->element != 'P')
            perr(p, kp, "pu240_max applies to plutonium only");
        else
            m->pu240_max = get_number(p, v, "pu240_max", kp, false, 0, true, 10, false);
    }
    return p->errors == before;
}

static bool parse_mba_list(pctx *p, json_t *v, const char *path, ag_scope *sc)
{
    if (!json_is_array(v) || json_array_size(v) == 0 ||
        json_array_size(v) > CUSTOS_AGREEMENT_MAX_ITEMS) {
        perr(p, path, "needs an array of 1-%d MBAs \"STATE/MBA\"", CUSTOS_AGREEMENT_MAX_ITEMS);
        return false;
    }
    sc->mbas = custos_calloc(json_array_size(v), sizeof *sc->mbas);
    if (!sc->mbas) {
        p->err = CUSTOS_ENOMEM;
        return false;
    }
    for (size_t i = 0; i < json_array_size(v); i++) {
        char ip[220];
        snprintf(ip, sizeof ip, "%s[%zu]", path, i);
        ag_mba m;
        if (!parse_mba(p, json_array_get(v, i), ip, &m))
            continue;
        bool dup = false;
        for (size_t k = 0; k < sc->nmbas; k++)
            dup |= !strcmp(sc->mbas[k].state, m.state) && !strcmp(sc->mbas[k].mba, m.mba);
        if (dup)
            perr(p, ip, "MBA %s/%s listed twice", m.state, m.mba);
        else
            sc->mbas[sc->nmbas++] = m;
    }
    return true;
}

static bool parse_scope(pctx *p, json_t *o, const char *path, ag_scope *sc)
{
    char kp[200];
    sub(kp, sizeof kp, path, "scope");
    json_t *v = json_object_get(o, "scope");
    if (!json_is_object(v)) {
        perr(p, kp, "needs {\"state\": \"XA\"} or {\"mbas\": [\"XA/XAFF\", ...]}");
        return false;
    }
    static const char *const keys[] = {"state", "mbas", NULL};
    keys_known(p, v, kp, keys);
    json_t *st = json_object_get(v, "state"), *mbas = json_object_get(v, "mbas");
    if ((st != NULL) == (mbas != NULL)) {
        perr(p, kp, "needs exactly one of \"state\" and \"mbas\"");
        return false;
    }
    if (st) {
        char sp[220];
        sub(sp, sizeof sp, kp, "state");
        if (!state_ok(json_string_value(st))) {
            perr(p, sp, "needs a 2-letter State code");
            return false;
        }
        custos_strlcpy(sc->state, json_string_value(st), sizeof sc->state);
        return true;
    }
    char mp[220];
    sub(mp, sizeof mp, kp, "mbas");
    return parse_mba_list(p, mbas, mp, sc);
}

static bool parse_route(pctx *p, json_t *o, const char *path, ag_commitment *c)
{
    char kp[200];
    sub(kp, sizeof kp, path, "route");
    json_t *v = json_object_get(o, "route");
    if (!json_is_object(v)) {
        perr(p, kp, "needs {\"mbas\": [\"XA/XARX\", ...], \"codes\": [\"RD\", ...]}");
        return false;
    }
    static const char *const keys[] = {"mbas", "codes", NULL};
    keys_known(p, v, kp, keys);
    char mp[220];
    sub(mp, sizeof mp, kp, "mbas");
    if (!parse_mba_list(p, json_object_get(v, "mbas"), mp, &c->scope))
        return false;
    json_t *codes = json_object_get(v, "codes");
    char cp[220];
    sub(cp, sizeof cp, kp, "codes");
    if (!codes) {
        /* Receipts at the route's MBAs. */
        custos_strlcpy(c->codes[0], "RD", 3);
        custos_strlcpy(c->codes[1], "RF", 3);
        c->ncodes = 2;
        return true;
    }
    if (!json_is_array(codes) || json_array_size(codes) == 0 ||
        json_array_size(codes) > AG_MAX_CODES) {
        perr(p, cp, "needs an array of 1-%d inventory change codes", AG_MAX_CODES);
        return false;
    }
    for (size_t i = 0; i < json_array_size(codes); i++) {
        char ip[260];
        snprintf(ip, sizeof ip, "%s[%zu]", cp, i);
        const char *s = json_string_value(json_array_get(codes, i));
        custos_change_kind k = s ? custos_change_code_kind(s) : CUSTOS_CHANGE_NONE;
        if (k == CUSTOS_CHANGE_NONE || k == CUSTOS_CHANGE_REBATCH ||
            k == CUSTOS_CHANGE_DIFFERENCE || strlen(s) != 2) {
            perr(p, ip, "needs an inventory change code (RD, RF, LN, ...; not RM, RP, DI)");
            continue;
        }
        bool dup = false;
        for (size_t k2 = 0; k2 < c->ncodes; k2++)
            dup |= !strcmp(c->codes[k2], s);
        if (!dup)
            custos_strlcpy(c->codes[c->ncodes++], s, 3);
    }
    return true;
}

static bool parse_schedule(pctx *p, json_t *o, const char *path, ag_commitment *c)
{
    json_t *v = json_object_get(o, "schedule");
    if (!v)
        return true;
    char kp[200];
    sub(kp, sizeof kp, path, "schedule");
    if (!json_is_array(v) || json_array_size(v) > CUSTOS_AGREEMENT_MAX_ITEMS) {
        perr(p, kp, "needs an array of at most %d milestones {\"by\": DATE, \"mass\": MASS}",
             CUSTOS_AGREEMENT_MAX_ITEMS);
        return false;
    }
    if (json_array_size(v) == 0)
        return true;
    c->schedule = custos_calloc(json_array_size(v), sizeof *c->schedule);
    if (!c->schedule) {
        p->err = CUSTOS_ENOMEM;
        return false;
    }
    static const char *const keys[] = {"by", "mass", "source", NULL};
    for (size_t i = 0; i < json_array_size(v); i++) {
        char ip[240];
        snprintf(ip, sizeof ip, "%s[%zu]", kp, i);
        json_t *m = json_array_get(v, i);
        if (!json_is_object(m)) {
            perr(p, ip, "a milestone is an object {\"by\": DATE, \"mass\": MASS}");
            continue;
        }
        keys_known(p, m, ip, keys);
        ag_milestone ms;
        ms.by = get_date(p, m, "by", ip, true);
        if (!parse_mass(p, m, "mass", ip, true, true, &ms.mass) || !ms.by)
            continue;
        if (c->nschedule) {
            const ag_milestone *prev = &c->schedule[c->nschedule - 1];
            if (ms.by <= prev->by)
                perr(p, ip, "milestones must be in date order");
            if (ms.mass.mg < prev->mass.mg)
                perr(p, ip, "milestone masses are cumulative and cannot decrease");
        }
        c->schedule[c->nschedule++] = ms;
    }
    return true;
}

/* ---- Commitments --------------------------------------------------------- */

static const char *const common_keys[] = {"id", "kind", "title", "source", "from", "notes"};
#define NCOMMON (sizeof common_keys / sizeof common_keys[0])

static const struct kind_def {
    const char *name;
    ag_kind kind;
    const char *keys[12];
} kinds[] = {
    {"limit",
     AG_LIMIT,
     {"scope", "material", "max", "until", "warn_fraction", "horizon_days", NULL}},
    {"max-enrichment", AG_MAX_ENRICHMENT, {"scope", "max_assay", "until", "warn_fraction", NULL}},
    {"disposition",
     AG_DISPOSITION,
     {"material", "route", "target", "deadline", "schedule", "horizon_days", NULL}},
    {"downblend",
     AG_DOWNBLEND,
     {"mba", "heu_assay", "blendstock_assay", "product_assay", "target", "expected_product",
      "deadline", "tolerance", "horizon_days", NULL}},
    {"conversion", AG_CONVERSION, {"mba", "date", "return_to", "tolerance", "horizon_days", NULL}},
};

const char *custos_ag_kind_name(ag_kind k)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == k)
            return kinds[i].name;
    return "?";
}

static void parse_commitment(pctx *p, json_t *o, const char *path, const custos_agreement *a,
                             ag_commitment *c)
{
    memset(c, 0, sizeof *c);
    c->warn_fraction = c->max_assay = c->heu_assay = c->blendstock_assay = c->product_assay = AG_NA;
    c->tolerance = AG_NA;
    c->material.assay_min = c->material.assay_max = c->material.pu240_max = AG_NA;
    if (!json_is_object(o)) {
        perr(p, path, "a commitment is a JSON object");
        return;
    }
    char kp[200];
    const char *kind = json_string_value(json_object_get(o, "kind"));
    const struct kind_def *kd = NULL;
    for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kind, kinds[i].name))
            kd = &kinds[i];
    if (!kd) {
        sub(kp, sizeof kp, path, "kind");
        perr(p, kp,
             "needs \"limit\", \"max-enrichment\", \"disposition\", \"downblend\" or "
             "\"conversion\"");
        return;
    }
    c->kind = kd->kind;
    const char *known[NCOMMON + 12];
    size_t nk = 0;
    for (size_t i = 0; i < NCOMMON; i++)
        known[nk++] = common_keys[i];
    for (size_t i = 0; kd->keys[i]; i++)
        known[nk++] = kd->keys[i];
    known[nk] = NULL;
    keys_known(p, o, path, known);

    const char *id = json_string_value(json_object_get(o, "id"));
    bool id_ok = id && *id && strlen(id) < sizeof c->id;
    for (const char *q = id; id_ok && *q; q++)
        id_ok = (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-';
    sub(kp, sizeof kp, path, "id");
    if (!id_ok)
        perr(p, kp, "needs 1-31 characters a-z, 0-9 or '-'");
    else
        custos_strlcpy(c->id, id, sizeof c->id);
    c->title = get_text(p, o, "title", path, false, 159);
    c->source = get_text(p, o, "source", path, true, 2000);
    c->from = get_date(p, o, "from", path, false);
    if (!c->from)
        c->from = a->in_force;

    switch (c->kind) {
    case AG_LIMIT:
        parse_scope(p, o, path, &c->scope);
        parse_material(p, o, "material", path, &c->material);
        parse_mass(p, o, "max", path, true, false, &c->mass);
        c->until = get_date(p, o, "until", path, false);
        c->warn_fraction = get_number(p, o, "warn_fraction", path, false, 0, true, 1, false);
        if (isnan(c->warn_fraction))
            c->warn_fraction = 0.9;
        break;
    case AG_MAX_ENRICHMENT:
        parse_scope(p, o, path, &c->scope);
        c->material.element = 'U';
        c->max_assay = get_number(p, o, "max_assay", path, true, 0, true, 1, true);
        c->until = get_date(p, o, "until", path, false);
        c->warn_fraction = get_number(p, o, "warn_fraction", path, false, 0, true, 1, false);
        if (isnan(c->warn_fraction))
            c->warn_fraction = 0.95;
        break;
    case AG_DISPOSITION:
        parse_material(p, o, "material", path, &c->material);
        parse_route(p, o, path, c);
        parse_mass(p, o, "target", path, true, true, &c->mass);
        c->deadline = get_date(p, o, "deadline", path, true);
        if (parse_schedule(p, o, path, c) && c->nschedule && c->deadline) {
            sub(kp, sizeof kp, path, "schedule");
            if (c->schedule[c->nschedule - 1].by > c->deadline)
                perr(p, kp, "a milestone falls after the deadline");
            if (c->schedule[c->nschedule - 1].mass.mg > c->mass.mg)
                perr(p, kp, "a milestone asks for more than the target");
        }
        break;
    case AG_DOWNBLEND: {
        sub(kp, sizeof kp, path, "mba");
        json_t *m = json_object_get(o, "mba");
        if (!m)
            perr(p, kp, "is required (the blending MBA, \"STATE/MBA\")");
        else
            parse_mba(p, m, kp, &c->mba);
        c->material.element = 'U';
        c->heu_assay = get_number(p, o, "heu_assay", path, true, CUSTOS_HEU_MIN, false, 1, true);
        c->blendstock_assay = get_number(p, o, "blendstock_assay", path, true, 0, true, 1, true);
        c->product_assay =
            get_number(p, o, "product_assay", path, true, 0, true, CUSTOS_HEU_MIN, true);
        if (!isnan(c->blendstock_assay) && !isnan(c->product_assay) &&
            c->blendstock_assay >= c->product_assay) {
            sub(kp, sizeof kp, path, "blendstock_assay");
            perr(p, kp, "the blendstock assay must be below the product assay");
        }
        parse_mass(p, o, "target", path, true, true, &c->mass);
        c->has_expected =
            json_object_get(o, "expected_product") &&
            parse_mass(p, o, "expected_product", path, true, true, &c->expected_product);
        c->deadline = get_date(p, o, "deadline", path, true);
        c->tolerance = get_number(p, o, "tolerance", path, false, 0, false, 1, true);
        if (isnan(c->tolerance))
            c->tolerance = 0.005;
        break;
    }
    case AG_CONVERSION: {
        sub(kp, sizeof kp, path, "mba");
        json_t *m = json_object_get(o, "mba");
        if (!m)
            perr(p, kp, "is required (the reactor's MBA, \"STATE/MBA\")");
        else
            parse_mba(p, m, kp, &c->mba);
        c->deadline = get_date(p, o, "date", path, true);
        const char *rt = json_string_value(json_object_get(o, "return_to"));
        sub(kp, sizeof kp, path, "return_to");
        if (!state_ok(rt))
            perr(p, kp, "needs the 2-letter code of the State the HEU goes to");
        else
            custos_strlcpy(c->return_to, rt, sizeof c->return_to);
        c->tolerance = get_number(p, o, "tolerance", path, false, 0, false, 1, true);
        if (isnan(c->tolerance))
            c->tolerance = 0.001;
        break;
    }
    }
    /* The trailing window of trends and projections. */
    if (c->kind != AG_MAX_ENRICHMENT) {
        double h = get_number(p, o, "horizon_days", path, false, 1, false, 36500, false);
        c->horizon_days = isnan(h) ? 365 : (int)h;
    }
    custos_date end = c->until ? c->until : c->deadline;
    if (c->from && end && end < c->from) {
        sub(kp, sizeof kp, path,
            c->until ? "until" : (c->kind == AG_CONVERSION ? "date" : "deadline"));
        perr(p, kp, "ends before the commitment starts (%d)", (int)c->from);
    }
}

static void commitment_dispose(ag_commitment *c)
{
    custos_free(c->title);
    custos_free(c->source);
    custos_free(c->scope.mbas);
    custos_free(c->schedule);
}

void custos_agreement_free(custos_agreement *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        commitment_dispose(&a->items[i]);
    custos_free(a->items);
    custos_free(a->parties);
    custos_free(a->title);
    custos_free(a->source);
    custos_free(a);
}

static void parse_top(pctx *p, json_t *root, custos_agreement *a)
{
    static const char *const keys[] = {"agreement", "title",  "parties", "signed",      "in_force",
                                       "suspended", "source", "notes",   "commitments", NULL};
    keys_known(p, root, "$", keys);
    const char *name = json_string_value(json_object_get(root, "agreement"));
    bool ok = name && *name && strlen(name) <= 64;
    for (const char *q = name; ok && *q; q++)
        ok = (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-' || *q == '_' ||
             *q == '.';
    if (!ok)
        perr(p, "$.agreement", "needs a name of 1-64 characters a-z, 0-9, '-', '_' or '.'");
    else
        custos_strlcpy(a->name, name, sizeof a->name);
    a->title = get_text(p, root, "title", "$", true, 400);
    a->source = get_text(p, root, "source", "$", true, 2000);
    a->signed_on = get_date(p, root, "signed", "$", false);
    a->in_force = get_date(p, root, "in_force", "$", false);
    json_t *parties = json_object_get(root, "parties");
    if (parties) {
        if (!json_is_array(parties) || json_array_size(parties) > 200) {
            perr(p, "$.parties", "needs an array of 2-letter State codes");
        } else if (json_array_size(parties)) {
            a->parties = custos_calloc(json_array_size(parties), sizeof *a->parties);
            if (!a->parties) {
                p->err = CUSTOS_ENOMEM;
                return;
            }
            for (size_t i = 0; i < json_array_size(parties); i++) {
                const char *s = json_string_value(json_array_get(parties, i));
                char ip[64];
                snprintf(ip, sizeof ip, "$.parties[%zu]", i);
                if (!state_ok(s))
                    perr(p, ip, "needs a 2-letter State code");
                else
                    custos_strlcpy(a->parties[a->nparties++], s, 3);
            }
        }
    }
    json_t *susp = json_object_get(root, "suspended");
    if (susp) {
        static const char *const skeys[] = {"date", "by", "source", "notes", NULL};
        if (!json_is_object(susp)) {
            perr(p, "$.suspended", "needs {\"date\": DATE, \"by\": \"XA\", \"source\": TEXT}");
        } else {
            keys_known(p, susp, "$.suspended", skeys);
            a->suspended = get_date(p, susp, "date", "$.suspended", true);
            const char *by = json_string_value(json_object_get(susp, "by"));
            if (json_object_get(susp, "by") && !state_ok(by))
                perr(p, "$.suspended.by", "needs a 2-letter State code");
            else if (by)
                custos_strlcpy(a->suspended_by, by, sizeof a->suspended_by);
            char *src = get_text(p, susp, "source", "$.suspended", true, 2000);
            custos_free(src);
        }
    }
    json_t *cs = json_object_get(root, "commitments");
    if (!json_is_array(cs) || json_array_size(cs) == 0 ||
        json_array_size(cs) > CUSTOS_AGREEMENT_MAX_ITEMS) {
        perr(p, "$.commitments", "needs an array of 1-%d commitments", CUSTOS_AGREEMENT_MAX_ITEMS);
        return;
    }
    a->items = custos_calloc(json_array_size(cs), sizeof *a->items);
    if (!a->items) {
        p->err = CUSTOS_ENOMEM;
        return;
    }
    for (size_t i = 0; i < json_array_size(cs) && p->err >= 0; i++) {
        char path[64];
        snprintf(path, sizeof path, "$.commitments[%zu]", i);
        ag_commitment *c = &a->items[a->n++];
        parse_commitment(p, json_array_get(cs, i), path, a, c);
        for (size_t k = 0; k + 1 < a->n && c->id[0]; k++)
            if (!strcmp(a->items[k].id, c->id)) {
                char ip[80];
                snprintf(ip, sizeof ip, "%s.id", path);
                perr(p, ip, "commitment id \"%s\" is used twice", c->id);
            }
    }
}

int custos_agreement_parse(custos_agreement **out, const char *source, const char *json, size_t len,
                           custos_diags *d)
{
    *out = NULL;
    if (!source)
        source = "";
    if (len > (size_t)CUSTOS_MAX_JSON_FILE)
        return custos_error_set(CUSTOS_ETOOBIG, "%s: larger than %ld bytes", source,
                                (long)CUSTOS_MAX_JSON_FILE);
    pctx p = {source, json, len, d, 0, 0, CUSTOS_OK};
    json_error_t je;
    int lerr;
    /* Failures during the whole parse, the document's reading included. */
    unsigned long failed = custos_alloc_failures();
    json_t *root = custos_json_loadb(json, len, JSON_REJECT_DUPLICATES, &je, &lerr);
    if (lerr == CUSTOS_ENOMEM)
        return lerr;
    if (!root) {
        if (d)
            custos_diags_add(d, CUSTOS_SEV_ERROR, source, (uint32_t)(je.line > 0 ? je.line : 0), 0,
                             0, "JSON: %s", je.text);
        return custos_error_set(CUSTOS_EINVAL, "%s:%d: JSON: %s", source, je.line, je.text);
    }
    custos_agreement *a = custos_calloc(1, sizeof *a);
    if (!a) {
        json_decref(root);
        return custos_error_nomem();
    }
    if (!json_is_object(root))
        perr(&p, "$", "an agreement is a JSON object");
    else
        parse_top(&p, root, a);
    json_decref(root);
    int err = p.err;
    /* An allocation that failed anywhere in the parse (jansson may return a
     * partial document) makes this out-of-memory, never invalid input. */
    if (custos_alloc_failures() != failed)
        err = CUSTOS_ENOMEM;
    if (err >= 0 && p.errors)
        err = CUSTOS_EINVAL;
    if (err < 0) {
        custos_agreement_free(a);
        return err == CUSTOS_ENOMEM ? custos_error_nomem() : err;
    }
    *out = a;
    return CUSTOS_OK;
}
