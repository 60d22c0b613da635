/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sequence.c: MUF sequences: allocation, the covariance from its
 * structured form (tridiagonal random part plus one outer product per
 * systematic group), and the sequence file (JSON) a researcher or a test
 * hands custos instead of a ledger.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "statsint.h"

#define MAX_PERIODS 1000000
#define MAX_GROUPS 1000000
#define MAX_CELLS 100000000

int custos_sequence_new(custos_sequence **out, size_t n, size_t ngroups)
{
    *out = NULL;
    if (n == 0)
        return custos_error_set(CUSTOS_EINVAL, "a sequence needs at least one period");
    if (n > MAX_PERIODS || ngroups > MAX_GROUPS || (ngroups && n > MAX_CELLS / ngroups))
        return custos_error_set(CUSTOS_ETOOBIG,
                                "sequence of %zu periods and %zu groups is above the limit "
                                "(1,000,000 each, 10^8 cells)",
                                n, ngroups);
    custos_sequence *s = custos_calloc(1, sizeof *s);
    if (!s)
        return custos_error_nomem();
    s->n = n;
    s->ngroups = ngroups;
    s->start = custos_calloc(n, sizeof *s->start);
    s->end = custos_calloc(n, sizeof *s->end);
    s->muf = custos_calloc(n, sizeof *s->muf);
    s->rvar = custos_calloc(n, sizeof *s->rvar);
    s->rcov = custos_calloc(n, sizeof *s->rcov);
    s->groups = custos_calloc(ngroups + 1, sizeof *s->groups);
    s->sys = custos_calloc(ngroups * n + 1, sizeof *s->sys);
    if (!s->start || !s->end || !s->muf || !s->rvar || !s->rcov || !s->groups || !s->sys) {
        custos_sequence_free(s);
        return custos_error_nomem();
    }
    *out = s;
    return CUSTOS_OK;
}

void custos_sequence_free(custos_sequence *s)
{
    if (!s)
        return;
    custos_free(s->start);
    custos_free(s->end);
    custos_free(s->muf);
    custos_free(s->rvar);
    custos_free(s->rcov);
    custos_free(s->groups);
    custos_free(s->sys);
    custos_free(s);
}

void custos_sequence_cov_row(const custos_sequence *s, size_t t, double *row)
{
    for (size_t j = 0; j <= t; j++)
        row[j] = 0.0;
    row[t] = s->rvar[t];
    if (t > 0)
        row[t - 1] = s->rcov[t];
    for (size_t g = 0; g < s->ngroups; g++) {
        const double *u = s->sys + g * s->n;
        double ut = u[t];
        if (ut == 0.0)
            continue;
        for (size_t j = 0; j <= t; j++)
            row[j] += ut * u[j];
    }
}

void custos_sequence_cov(const custos_sequence *s, double *cov)
{
    size_t n = s->n;
    for (size_t t = 0; t < n; t++) {
        custos_sequence_cov_row(s, t, cov + t * n);
        for (size_t j = 0; j < t; j++)
            cov[j * n + t] = cov[t * n + j];
    }
}

/* ---- the sequence file ------------------------------------------------ */

typedef struct perr {
    custos_diags *d;
    const char *name;
    int n;
} perr;

static void bad(perr *p, const char *path, const char *msg)
{
    custos_diags_add(p->d, CUSTOS_SEV_ERROR, p->name, 0, 0, 0, "%s: %s", path, msg);
    p->n++;
}

/* A JSON array of n finite numbers into v; false (reported) otherwise. */
static bool numbers(perr *p, json_t *a, size_t n, double *v, const char *path, bool nonneg)
{
    if (!json_is_array(a) || json_array_size(a) != n) {
        char msg[96];
        snprintf(msg, sizeof msg, "needs an array of %zu numbers (one per period)", n);
        bad(p, path, msg);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(a, i);
        double val = json_is_number(x) ? json_number_value(x) : (double)NAN;
        if (!isfinite(val) || (nonneg && val < 0.0)) {
            char ip[96];
            snprintf(ip, sizeof ip, "%s[%zu]", path, i);
            bad(p, ip, nonneg ? "needs a finite number >= 0" : "needs a finite number");
            return false;
        }
        v[i] = val;
    }
    return true;
}

int custos_sequence_parse(custos_sequence **out, const char *name, const char *text, size_t len,
                          custos_diags *d)
{
    *out = NULL;
    if (len > (size_t)CUSTOS_MAX_JSON_FILE)
        return custos_error_set(CUSTOS_ETOOBIG, "%s: larger than %ld bytes", name,
                                (long)CUSTOS_MAX_JSON_FILE);
    custos_stats_init();
    json_error_t je;
    int lerr;
    json_t *root = custos_json_loadb(text, len, JSON_REJECT_DUPLICATES, &je, &lerr);
    if (!root) {
        if (lerr == CUSTOS_ENOMEM)
            return lerr;
        custos_diags_add(d, CUSTOS_SEV_ERROR, name, (uint32_t)(je.line > 0 ? je.line : 0), 0, 0,
                         "not JSON: %s", je.text);
        return custos_error_set(CUSTOS_EINVAL, "%s:%d: not JSON: %s", name, je.line, je.text);
    }
    perr p = {d, name, 0};
    custos_sequence *s = NULL;
    int err = CUSTOS_OK;
    if (!json_is_object(root)) {
        bad(&p, "$", "needs an object");
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (strcmp(key, "mba") && strcmp(key, "periods") && strcmp(key, "muf") &&
            strcmp(key, "random_variance") && strcmp(key, "random_covariance") &&
            strcmp(key, "systematic") && strcmp(key, "note")) {
            char msg[96];
            snprintf(msg, sizeof msg, "unknown key \"%.40s\"", key);
            bad(&p, "$", msg);
        }
    }
    json_t *muf = json_object_get(root, "muf");
    json_t *sys = json_object_get(root, "systematic");
    size_t n = json_array_size(muf);
    if (!json_is_array(muf) || n == 0 || n > MAX_PERIODS) {
        bad(&p, "$.muf", "needs an array of 1 to 1,000,000 MUF values (grams)");
        goto done;
    }
    if (sys && !json_is_array(sys)) {
        bad(&p, "$.systematic", "needs an array of arrays (one per systematic group)");
        goto done;
    }
    size_t ng = json_array_size(sys);
    if (p.n)
        goto done;
    if ((err = custos_sequence_new(&s, n, ng)) < 0)
        goto done;
    numbers(&p, muf, n, s->muf, "$.muf", false);
    if (!numbers(&p, json_object_get(root, "random_variance"), n, s->rvar, "$.random_variance",
                 true))
        goto done;
    json_t *rc = json_object_get(root, "random_covariance");
    if (rc && numbers(&p, rc, n, s->rcov, "$.random_covariance", false)) {
        if (s->rcov[0] != 0.0)
            bad(&p, "$.random_covariance[0]", "must be 0 (no period before the first)");
        for (size_t t = 1; t < n; t++)
            if (s->rcov[t] * s->rcov[t] > s->rvar[t] * s->rvar[t - 1] * (1.0 + 1e-12)) {
                char ip[64];
                snprintf(ip, sizeof ip, "$.random_covariance[%zu]", t);
                bad(&p, ip, "exceeds the product of the standard deviations");
                break;
            }
    }
    for (size_t g = 0; g < ng; g++) {
        char path[64];
        snprintf(path, sizeof path, "$.systematic[%zu]", g);
        numbers(&p, json_array_get(sys, g), n, s->sys + g * n, path, false);
        snprintf(s->groups[g].method, sizeof s->groups[g].method, "group%u", (unsigned)(g + 1) % 1000000u);
        s->groups[g].role = 'S';
    }
    const char *mba = json_string_value(json_object_get(root, "mba"));
    if (mba) {
        const char *slash = strchr(mba, '/');
        if (slash && slash - mba == 2) {
            memcpy(s->state, mba, 2);
            custos_strlcpy(s->mba, slash + 1, sizeof s->mba);
        } else {
            custos_strlcpy(s->mba, mba, sizeof s->mba);
        }
    }
    json_t *per = json_object_get(root, "periods");
    if (per) {
        if (!json_is_array(per) || json_array_size(per) != n) {
            bad(&p, "$.periods", "needs one PIT date (YYYY-MM-DD) per period");
        } else {
            for (size_t t = 0; t < n; t++) {
                const char *ds = json_string_value(json_array_get(per, t));
                int y, mo, da;
                char tail;
                custos_date dt = 0;
                if (ds && strlen(ds) == 10 && sscanf(ds, "%4d-%2d-%2d%c", &y, &mo, &da, &tail) == 3)
                    dt = y * 10000 + mo * 100 + da;
                if (!custos_date_valid(dt) || (t && dt <= s->end[t - 1])) {
                    char ip[64];
                    snprintf(ip, sizeof ip, "$.periods[%zu]", t);
                    bad(&p, ip, "needs a date YYYY-MM-DD after the one before");
                    break;
                }
                s->end[t] = dt;
                s->start[t] = t ? custos_date_add(s->end[t - 1], 1) : 0;
            }
        }
    }
done:
    json_decref(root);
    if (err >= 0 && p.n)
        err = custos_error_set(CUSTOS_EINVAL, "%s: invalid MUF sequence", name);
    if (err < 0) {
        custos_sequence_free(s);
        return err;
    }
    *out = s;
    return CUSTOS_OK;
}

/* ---- diversion scenarios ------------------------------------------------ */

int custos_scenario_parse(double **out, const custos_sequence *s, const char *name,
                          const char *text, size_t len, custos_diags *d)
{
    *out = NULL;
    if (len > (size_t)CUSTOS_MAX_JSON_FILE)
        return custos_error_set(CUSTOS_ETOOBIG, "%s: larger than %ld bytes", name,
                                (long)CUSTOS_MAX_JSON_FILE);
    double *v = custos_calloc(s->n, sizeof *v);
    unsigned char *seen = custos_calloc(s->n, 1);
    if (!v || !seen) {
        custos_free(v);
        custos_free(seen);
        return custos_error_nomem();
    }
    int bad_n = 0;
    uint32_t lineno = 0;
    bool header = false;
    size_t pos = 0;
    char line[256];
    while (pos < len) {
        size_t e = pos;
        while (e < len && text[e] != '\n')
            e++;
        size_t n = e - pos;
        lineno++;
        if (n && text[pos + n - 1] == '\r')
            n--;
        const char *src = text + pos;
        pos = e + 1;
        if (n >= sizeof line) {
            custos_diags_add(d, CUSTOS_SEV_ERROR, name, lineno, 0, 0, "line longer than 255 bytes");
            bad_n++;
            continue;
        }
        memcpy(line, src, n);
        line[n] = '\0';
        if (memchr(line, '\0', n)) {
            custos_diags_add(d, CUSTOS_SEV_ERROR, name, lineno, 0, 0, "NUL byte in the line");
            bad_n++;
            continue;
        }
        if (!n || line[0] == '#')
            continue;
        char *comma = strchr(line, ',');
        if (!header) {
            if (strcmp(line, "period,grams")) {
                custos_diags_add(d, CUSTOS_SEV_ERROR, name, lineno, 0, 0,
                                 "header must be period,grams");
                bad_n++;
                break;
            }
            header = true;
            continue;
        }
        if (!comma || strchr(comma + 1, ',')) {
            custos_diags_add(d, CUSTOS_SEV_ERROR, name, lineno, 0, 0,
                             "needs two fields: period,grams");
            bad_n++;
            continue;
        }
        *comma = '\0';
        const char *ps = line, *gs = comma + 1;
        size_t t = SIZE_MAX;
        char *end;
        if (strlen(ps) == 10 && ps[4] == '-' && ps[7] == '-') {
            int y, mo, da;
            char tail;
            if (sscanf(ps, "%4d-%2d-%2d%c", &y, &mo, &da, &tail) == 3) {
                custos_date dt = y * 10000 + mo * 100 + da;
                for (size_t k = 0; k < s->n; k++)
                    if (s->end[k] == dt)
                        t = k;
            }
            if (t == SIZE_MAX) {
                custos_diags_add(d, CUSTOS_SEV_ERROR, name, lineno, 0, 0,
                                 "field period: %s is not the PIT date of a balance period", ps);
                bad_n++;
                continue;
            }
        } else {
            errno = 0;
            long long k = strtoll(ps, &end, 10);
            if (errno || end == ps || *end || k < 1 || (unsigned long long)k > s->n) {
                custos_diags_add(d, CUSTOS_SEV_ERROR, name, lineno, 0, 0,
                                 "field period: needs a period number 1..%zu or a PIT date", s->n);
                bad_n++;
                continue;
            }
            t = (size_t)(k - 1);
        }
        errno = 0;
        double g = strtod(gs, &end);
        if (errno || end == gs || *end || !isfinite(g) || g < 0.0 || g > 1e15) {
            custos_diags_add(d, CUSTOS_SEV_ERROR, name, lineno, 0, 0,
                             "field grams: needs a number of grams >= 0");
            bad_n++;
            continue;
        }
        if (seen[t]) {
            custos_diags_add(d, CUSTOS_SEV_ERROR, name, lineno, 0, 0,
                             "field period: period %zu is named twice", t + 1);
            bad_n++;
            continue;
        }
        seen[t] = 1;
        v[t] = g;
    }
    if (!header && !bad_n) {
        custos_diags_add(d, CUSTOS_SEV_ERROR, name, 1, 0, 0, "empty scenario (needs the header "
                                                             "period,grams)");
        bad_n++;
    }
    custos_free(seen);
    if (bad_n) {
        custos_free(v);
        return custos_error_set(CUSTOS_EINVAL, "%s: invalid diversion scenario", name);
    }
    *out = v;
    return CUSTOS_OK;
}
