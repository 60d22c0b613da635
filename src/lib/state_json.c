/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state_json.c: checked JSON field readers for the State model and the
 * information items (stateint.h), and the path-to-line scanner that gives
 * every diagnostic a line number.
 *
 * jansson keeps no source positions, so the line of a bad value is found
 * by walking the (already valid) text once more and following the same
 * path syntax the readers print: "$", ".key", "[index]".  Only the first
 * 50 errors of a document are located, which bounds the work on hostile
 * input to 50 passes.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stateint.h"

#define LOCATE_MAX 50
#define SCAN_DEPTH 200
#define SCAN_PATH 512

void custos_jerr(jctx *p, const char *path, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint32_t line = 0;
    if (p->text && p->located < LOCATE_MAX) {
        p->located++;
        line = custos_json_path_line(p->text, p->len, path);
    }
    if (p->errors++ == 0) {
        if (line)
            custos_error_set(CUSTOS_EINVAL, "%s:%u: %s: %s", p->source, line, path, msg);
        else
            custos_error_set(CUSTOS_EINVAL, "%s: %s: %s", p->source, path, msg);
    }
    custos_diags_add(p->d, CUSTOS_SEV_ERROR, p->source, line, 0, 0, "%s: %s", path, msg);
}

/* ---- path -> line scanner ---- */

typedef struct scan {
    const char *s, *end;
    uint32_t line;
    const char *want;
    char path[SCAN_PATH];
    uint32_t found;
} scan;

static void ws(scan *c)
{
    while (c->s < c->end && (*c->s == ' ' || *c->s == '\t' || *c->s == '\n' || *c->s == '\r')) {
        if (*c->s == '\n')
            c->line++;
        c->s++;
    }
}

/* Skip a string starting at '"'; copy its raw bytes to key (if not NULL). */
static bool str(scan *c, char *key, size_t size)
{
    size_t n = 0;
    c->s++;
    while (c->s < c->end && *c->s != '"') {
        if (*c->s == '\\' && c->s + 1 < c->end) {
            if (key && n + 1 < size)
                key[n++] = *c->s;
            c->s++;
        }
        if (*c->s == '\n')
            c->line++;
        if (key && n + 1 < size)
            key[n++] = *c->s;
        c->s++;
    }
    if (key)
        key[n] = '\0';
    if (c->s >= c->end)
        return false;
    c->s++;
    return true;
}

static bool value(scan *c, size_t plen, int depth);

static bool member_path(scan *c, size_t plen, const char *fmt, const char *key, size_t idx,
                        size_t *nlen)
{
    int w = key ? snprintf(c->path + plen, SCAN_PATH - plen, fmt, key)
                : snprintf(c->path + plen, SCAN_PATH - plen, fmt, idx);
    if (w < 0 || (size_t)w >= SCAN_PATH - plen)
        return false;
    *nlen = plen + (size_t)w;
    return true;
}

static bool value(scan *c, size_t plen, int depth)
{
    ws(c);
    if (c->s >= c->end || depth > SCAN_DEPTH)
        return false;
    c->path[plen] = '\0';
    if (!c->found && !strcmp(c->path, c->want))
        c->found = c->line;
    if (*c->s == '{' || *c->s == '[') {
        bool obj = *c->s == '{';
        char close = obj ? '}' : ']';
        c->s++;
        ws(c);
        if (c->s < c->end && *c->s == close) {
            c->s++;
            return true;
        }
        for (size_t i = 0;; i++) {
            size_t nlen = plen;
            char key[256];
            ws(c);
            if (obj) {
                if (c->s >= c->end || *c->s != '"' || !str(c, key, sizeof key))
                    return false;
                ws(c);
                if (c->s >= c->end || *c->s != ':')
                    return false;
                c->s++;
                if (!member_path(c, plen, ".%s", key, 0, &nlen))
                    nlen = plen; /* too deep to name; keep scanning */
            } else if (!member_path(c, plen, "[%zu]", NULL, i, &nlen)) {
                nlen = plen;
            }
            if (!value(c, nlen, depth + 1))
                return false;
            c->path[plen] = '\0';
            ws(c);
            if (c->s < c->end && *c->s == ',') {
                c->s++;
                continue;
            }
            if (c->s < c->end && *c->s == close) {
                c->s++;
                return true;
            }
            return false;
        }
    }
    if (*c->s == '"')
        return str(c, NULL, 0);
    while (c->s < c->end && !strchr(",]} \t\r\n", *c->s))
        c->s++;
    return true;
}

uint32_t custos_json_path_line(const char *text, size_t len, const char *path)
{
    scan c;
    memset(&c, 0, sizeof c);
    c.s = text;
    c.end = text + len;
    c.line = 1;
    c.want = path;
    c.path[0] = '$';
    value(&c, 1, 0);
    return c.found;
}

/* ---- readers ---- */

json_t *custos_jload(jctx *p, int *err)
{
    json_error_t je;
    json_t *root = custos_json_loadb(p->text, p->len, JSON_REJECT_DUPLICATES, &je, err);
    if (*err == CUSTOS_ENOMEM)
        return NULL;
    if (!root) {
        uint32_t line = je.line > 0 ? (uint32_t)je.line : 0;
        custos_diags_add(p->d, CUSTOS_SEV_ERROR, p->source, line, 0, 0, "JSON: %s", je.text);
        *err = custos_error_set(CUSTOS_EINVAL, "%s:%u: JSON: %s", p->source, line, je.text);
        p->errors++;
        return NULL;
    }
    *err = CUSTOS_OK;
    return root;
}

const char *custos_jpath(char *buf, size_t size, const char *base, const char *key)
{
    snprintf(buf, size, "%s.%s", base, key);
    return buf;
}

const char *custos_jpathi(char *buf, size_t size, const char *base, const char *key, size_t i)
{
    if (key)
        snprintf(buf, size, "%s.%s[%zu]", base, key, i);
    else
        snprintf(buf, size, "%s[%zu]", base, i);
    return buf;
}

void custos_jkeys(jctx *p, json_t *o, const char *path, const char *const *known)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        bool found = false;
        for (const char *const *k = known; *k && !found; k++)
            found = !strcmp(key, *k);
        if (!found)
            custos_jerr(p, path, "unknown key \"%.40s\"", key);
    }
}

static json_t *field(jctx *p, json_t *o, const char *path, const char *key, bool required, char *fp,
                     size_t fsize)
{
    custos_jpath(fp, fsize, path, key);
    json_t *v = json_object_get(o, key);
    if (!v && required)
        custos_jerr(p, path, "missing \"%s\"", key);
    return v;
}

bool custos_jstr(jctx *p, json_t *o, const char *path, const char *key, bool required, char *out,
                 size_t size, size_t minlen)
{
    char fp[256];
    json_t *v = field(p, o, path, key, required, fp, sizeof fp);
    if (!v)
        return false;
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    /* A NUL inside the JSON string would cut it short: refuse it. */
    if (!s || n < minlen || n >= size || n != json_string_length(v)) {
        custos_jerr(p, fp, "needs a string of %zu to %zu characters", minlen, size - 1);
        return false;
    }
    custos_strlcpy(out, s, size);
    return true;
}

bool custos_jdup(jctx *p, json_t *o, const char *path, const char *key, bool required, char **out,
                 size_t maxlen, bool *nomem)
{
    char fp[256];
    json_t *v = field(p, o, path, key, required, fp, sizeof fp);
    if (!v)
        return false;
    const char *s = json_string_value(v);
    if (!s || json_string_length(v) > maxlen || strlen(s) != json_string_length(v)) {
        custos_jerr(p, fp, "needs a string of at most %zu characters", maxlen);
        return false;
    }
    char *c = custos_strdup(s);
    if (!c) {
        *nomem = true;
        return false;
    }
    custos_free(*out);
    *out = c;
    return true;
}

bool custos_jnum(jctx *p, json_t *o, const char *path, const char *key, bool required, double *out,
                 double min, double max)
{
    char fp[256];
    json_t *v = field(p, o, path, key, required, fp, sizeof fp);
    if (!v)
        return false;
    if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < min ||
        json_number_value(v) > max) {
        custos_jerr(p, fp, "needs a number in [%g, %g]", min, max);
        return false;
    }
    *out = json_number_value(v);
    return true;
}

bool custos_jint(jctx *p, json_t *o, const char *path, const char *key, bool required, int *out,
                 int min, int max)
{
    char fp[256];
    json_t *v = field(p, o, path, key, required, fp, sizeof fp);
    if (!v)
        return false;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        custos_jerr(p, fp, "needs a whole number in [%d, %d]", min, max);
        return false;
    }
    *out = (int)json_integer_value(v);
    return true;
}

bool custos_jbool(jctx *p, json_t *o, const char *path, const char *key, bool required, bool *out)
{
    char fp[256];
    json_t *v = field(p, o, path, key, required, fp, sizeof fp);
    if (!v)
        return false;
    if (!json_is_boolean(v)) {
        custos_jerr(p, fp, "needs true or false");
        return false;
    }
    *out = json_is_true(v);
    return true;
}

bool custos_jdate(jctx *p, json_t *o, const char *path, const char *key, bool required,
                  custos_date *out)
{
    char fp[256];
    json_t *v = field(p, o, path, key, required, fp, sizeof fp);
    if (!v)
        return false;
    const char *s = json_string_value(v);
    custos_date d = 0;
    bool ok = s && strlen(s) == 10 && s[4] == '-' && s[7] == '-';
    for (int i = 0; ok && i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            ok = false;
        else
            d = d * 10 + (s[i] - '0');
    }
    if (!ok || !custos_date_valid(d)) {
        custos_jerr(p, fp, "needs a date YYYY-MM-DD");
        return false;
    }
    *out = d;
    return true;
}

bool custos_state_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CUSTOS_STATE_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || !strchr("_.:-", c)))
            return false;
    }
    return true;
}

double custos_logit(double p)
{
    if (p < 1e-12)
        p = 1e-12;
    if (p > 1 - 1e-12)
        p = 1 - 1e-12;
    return log(p / (1 - p));
}

double custos_expit(double x)
{
    if (x >= 0)
        return 1 / (1 + exp(-x));
    double e = exp(x);
    return e / (1 + e);
}
