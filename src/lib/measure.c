/* SPDX-License-Identifier: Apache-2.0 */
/*
 * measure.c: measurement models and target-value tables: parsing and the
 * look-ups sigma-MUF needs (which methods measured an entry, with which
 * uncertainties, in which calibration period).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ledgerint.h"
#include "measureint.h"

static void unc_dispose(custos_uncertainty *u)
{
    custos_free(u->source);
    u->source = NULL;
}

void custos_measurement_model_dispose(custos_measurement_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nmethods; i++)
        unc_dispose(&m->methods[i]);
    custos_free(m->methods);
    custos_free(m->points);
    custos_free(m->calibrations);
    unc_dispose(&m->unmeasured);
    memset(m, 0, sizeof *m);
}

void custos_targets_free(custos_targets *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        unc_dispose(&t->items[i]);
    custos_free(t->items);
    custos_free(t);
}

static bool name_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ' ' || c == '+' || c == '(' || c == ')' ||
              c == '*'))
            return false;
    }
    return true;
}

/* A relative uncertainty: a fraction in [0, 1). */
static bool fraction_ok(double v)
{
    return isfinite(v) && v >= 0.0 && v < 1.0;
}

static int parse_unc(custos_uncertainty *u, json_t *o, const char *path, bool need_method,
                     custos_json_err_fn fn, void *ctx)
{
    char msg[160];
    int bad = 0;
    if (!json_is_object(o)) {
        fn(ctx, path, "needs an object");
        return CUSTOS_EINVAL;
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        if (strcmp(key, "method") && strcmp(key, "material") && strcmp(key, "random") &&
            strcmp(key, "systematic") && strcmp(key, "source")) {
            snprintf(msg, sizeof msg, "unknown key \"%.40s\"", key);
            fn(ctx, path, msg);
            bad++;
        }
    }
    const char *method = json_string_value(json_object_get(o, "method"));
    const char *material = json_string_value(json_object_get(o, "material"));
    const char *source = json_string_value(json_object_get(o, "source"));
    json_t *r = json_object_get(o, "random"), *s = json_object_get(o, "systematic");
    if (need_method) {
        if (!method || !name_ok(method, CUSTOS_METHOD_LEN)) {
            fn(ctx, path, "\"method\" needs a name of up to 23 letters, digits or - _ .");
            bad++;
        } else {
            custos_strlcpy(u->method, method, sizeof u->method);
        }
        if (material && !name_ok(material, CUSTOS_MATERIAL_LEN)) {
            fn(ctx, path, "\"material\" needs a name of up to 39 characters");
            bad++;
        } else if (material) {
            custos_strlcpy(u->material, material, sizeof u->material);
        }
    }
    if (!json_is_number(r) || !fraction_ok(json_number_value(r)) || !json_is_number(s) ||
        !fraction_ok(json_number_value(s))) {
        fn(ctx, path, "\"random\" and \"systematic\" need relative standard uncertainties in [0, 1)");
        bad++;
    } else {
        u->random = json_number_value(r);
        u->systematic = json_number_value(s);
    }
    if (!source || !source[0]) {
        fn(ctx, path, "\"source\" must say where the figures come from");
        bad++;
    } else if (!(u->source = custos_strdup(source))) {
        return custos_error_nomem();
    }
    return bad ? CUSTOS_EINVAL : CUSTOS_OK;
}

static bool facility_has(const custos_facility *f, const char *mba, const char *kmp, bool *kmp_ok)
{
    for (size_t i = 0; i < f->nmbas; i++) {
        if (strcmp(f->mbas[i].code, mba))
            continue;
        *kmp_ok = f->mbas[i].nkmps == 0;
        for (size_t k = 0; k < f->mbas[i].nkmps; k++)
            if (!strcmp(f->mbas[i].kmps[k].code, kmp))
                *kmp_ok = true;
        return true;
    }
    return false;
}

static int parse_date_string(const char *s, custos_date *out)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    int v = 0;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (!custos_date_valid(v))
        return -1;
    *out = v;
    return 0;
}

int custos_measurement_parse(custos_measurement_model *m, json_t *obj, const custos_facility *f,
                             custos_json_err_fn fn, void *ctx)
{
    char path[96], msg[200];
    int bad = 0, err;
    if (!json_is_object(obj)) {
        fn(ctx, "$.measurement", "needs an object");
        return CUSTOS_EINVAL;
    }
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (strcmp(key, "methods") && strcmp(key, "points") && strcmp(key, "calibration_periods") &&
            strcmp(key, "unmeasured")) {
            snprintf(msg, sizeof msg, "unknown key \"%.40s\"", key);
            fn(ctx, "$.measurement", msg);
            bad++;
        }
    }
    json_t *methods = json_object_get(obj, "methods");
    json_t *points = json_object_get(obj, "points");
    json_t *cals = json_object_get(obj, "calibration_periods");
    json_t *unm = json_object_get(obj, "unmeasured");
    if (methods && (!json_is_array(methods) || json_array_size(methods) > 10000)) {
        fn(ctx, "$.measurement.methods", "needs an array");
        return CUSTOS_EINVAL;
    }
    if (!json_is_array(points) || json_array_size(points) > 100000) {
        fn(ctx, "$.measurement.points", "needs an array of measurement points");
        return CUSTOS_EINVAL;
    }
    if (cals && (!json_is_array(cals) || json_array_size(cals) > 100000)) {
        fn(ctx, "$.measurement.calibration_periods", "needs an array");
        return CUSTOS_EINVAL;
    }
    size_t nm = json_array_size(methods), np = json_array_size(points), nc = json_array_size(cals);
    m->methods = custos_calloc(nm + 1, sizeof *m->methods);
    m->points = custos_calloc(np + 1, sizeof *m->points);
    m->calibrations = custos_calloc(nc + 1, sizeof *m->calibrations);
    if (!m->methods || !m->points || !m->calibrations)
        return custos_error_nomem();
    for (size_t i = 0; i < nm; i++) {
        snprintf(path, sizeof path, "$.measurement.methods[%zu]", i);
        err = parse_unc(&m->methods[m->nmethods++], json_array_get(methods, i), path, true, fn, ctx);
        if (err == CUSTOS_ENOMEM)
            return err;
        bad += err < 0;
    }
    for (size_t i = 0; i < np; i++) {
        json_t *p = json_array_get(points, i);
        custos_measurement_point *pt = &m->points[m->npoints++];
        snprintf(path, sizeof path, "$.measurement.points[%zu]", i);
        if (!json_is_object(p)) {
            fn(ctx, path, "needs an object");
            bad++;
            continue;
        }
        json_object_foreach(p, key, v) {
            static const char *const known[] = {"mba", "kmp", "mdc", "material", "bulk",
                                                "element", "isotopic", "random_per_item", NULL};
            bool found = false;
            for (const char *const *k = known; *k; k++)
                found |= !strcmp(*k, key);
            if (!found) {
                snprintf(msg, sizeof msg, "unknown key \"%.40s\"", key);
                fn(ctx, path, msg);
                bad++;
            }
        }
        const char *mba = json_string_value(json_object_get(p, "mba"));
        const char *kmp = json_string_value(json_object_get(p, "kmp"));
        const char *mdc = json_string_value(json_object_get(p, "mdc"));
        const char *material = json_string_value(json_object_get(p, "material"));
        bool kmp_ok = false;
        if (!mba || !kmp || strlen(mba) != 4 || strlen(kmp) < 1 || strlen(kmp) > 2 ||
            !facility_has(f, mba, kmp, &kmp_ok) || !kmp_ok) {
            fn(ctx, path, "\"mba\" and \"kmp\" need an MBA and KMP of this facility");
            bad++;
        } else {
            custos_strlcpy(pt->mba, mba, sizeof pt->mba);
            custos_strlcpy(pt->kmp, kmp, sizeof pt->kmp);
        }
        if (mdc) {
            /* A prefix of a/b/c/d: "O", "O/G", "O/G/U", "O/G/U/C". */
            size_t n = strlen(mdc);
            bool ok = n >= 1 && n <= 7 && n % 2 == 1;
            for (size_t k = 0; ok && k < n; k++)
                ok = k % 2 ? mdc[k] == '/' : custos_mdc_part_valid((int)(k / 2), mdc[k]);
            if (!ok) {
                fn(ctx, path, "\"mdc\" needs a prefix of a material description code, e.g. \"O/G\"");
                bad++;
            } else {
                custos_strlcpy(pt->mdc, mdc, sizeof pt->mdc);
            }
        }
        if (!material || !name_ok(material, CUSTOS_MATERIAL_LEN)) {
            fn(ctx, path, "\"material\" needs the material class its methods are looked up for");
            bad++;
        } else {
            custos_strlcpy(pt->material, material, sizeof pt->material);
        }
        json_t *pi = json_object_get(p, "random_per_item");
        if (pi && !json_is_boolean(pi)) {
            fn(ctx, path, "\"random_per_item\" needs true or false");
            bad++;
        }
        pt->per_item = json_is_true(pi);
        static const char *const roles[3] = {"bulk", "element", "isotopic"};
        char *dst[3] = {pt->bulk, pt->element, pt->isotopic};
        int given = 0;
        for (int r = 0; r < 3; r++) {
            const char *meth = json_string_value(json_object_get(p, roles[r]));
            if (!meth)
                continue;
            if (!name_ok(meth, CUSTOS_METHOD_LEN)) {
                snprintf(msg, sizeof msg, "\"%s\" needs a method name", roles[r]);
                fn(ctx, path, msg);
                bad++;
                continue;
            }
            custos_strlcpy(dst[r], meth, CUSTOS_METHOD_LEN);
            given++;
        }
        if (!given) {
            fn(ctx, path, "names no method (bulk, element or isotopic)");
            bad++;
        }
    }
    for (size_t i = 0; i < nc; i++) {
        json_t *c = json_array_get(cals, i);
        custos_calibration *cp = &m->calibrations[m->ncalibrations++];
        snprintf(path, sizeof path, "$.measurement.calibration_periods[%zu]", i);
        const char *meth = json_is_object(c) ? json_string_value(json_object_get(c, "method")) : NULL;
        const char *start = json_is_object(c) ? json_string_value(json_object_get(c, "start")) : NULL;
        const char *end = json_is_object(c) ? json_string_value(json_object_get(c, "end")) : NULL;
        if (!meth || !name_ok(meth, CUSTOS_METHOD_LEN) || parse_date_string(start, &cp->start) ||
            parse_date_string(end, &cp->end) || cp->end < cp->start || json_object_size(c) != 3) {
            fn(ctx, path, "needs exactly \"method\", \"start\" and \"end\" (YYYY-MM-DD, end not "
                          "before start)");
            bad++;
            continue;
        }
        custos_strlcpy(cp->method, meth, sizeof cp->method);
        for (size_t j = 0; j + 1 < m->ncalibrations; j++)
            if (!strcmp(m->calibrations[j].method, cp->method) &&
                !(cp->end < m->calibrations[j].start || cp->start > m->calibrations[j].end)) {
                fn(ctx, path, "overlaps another calibration period of the same method");
                bad++;
            }
    }
    if (unm) {
        err = parse_unc(&m->unmeasured, unm, "$.measurement.unmeasured", false, fn, ctx);
        if (err == CUSTOS_ENOMEM)
            return err;
        bad += err < 0;
        m->has_unmeasured = err == 0;
    }
    return bad ? CUSTOS_EINVAL : CUSTOS_OK;
}

/* Does mdc pattern p ("O/G") match the entry's four letters e ("OGUC")? */
static size_t mdc_match(const char *p, const char *e)
{
    size_t n = strlen(p), letters = 0;
    for (size_t k = 0; k < n; k += 2) {
        if (!e[k / 2] || p[k] != e[k / 2])
            return 0;
        letters++;
    }
    return letters;
}

const custos_measurement_point *custos_measurement_point_for(const custos_measurement_model *m,
                                                             const char *mba, const char *kmp,
                                                             const char *mdc)
{
    char letters[5] = "";
    /* Accept "O/G/U/C" as well as the stored four letters. */
    if (mdc && strchr(mdc, '/')) {
        /* Every other character; a string of odd length ("O/G") ends on a
         * letter, so step only while a separator follows. */
        size_t k = 0;
        for (const char *c = mdc; *c && k < 4; c += 2) {
            letters[k++] = *c;
            if (!c[1])
                break;
        }
        letters[k] = '\0';
    } else if (mdc) {
        custos_strlcpy(letters, mdc, sizeof letters);
    }
    const custos_measurement_point *best = NULL;
    size_t best_len = 0;
    bool have = false;
    for (size_t i = 0; i < m->npoints; i++) {
        const custos_measurement_point *p = &m->points[i];
        if (strcmp(p->mba, mba) || strcmp(p->kmp, kmp))
            continue;
        size_t len = p->mdc[0] ? mdc_match(p->mdc, letters) : 0;
        if (p->mdc[0] && len == 0)
            continue;
        if (!have || len > best_len) {
            best = p;
            best_len = len;
            have = true;
        }
    }
    return best;
}

static bool material_match(const char *row, const char *want, bool exact)
{
    if (exact)
        return !strcmp(row, want);
    return !row[0] || !strcmp(row, "*");
}

const custos_uncertainty *custos_uncertainty_for(const custos_measurement_model *m,
                                                 const custos_targets *const *tables,
                                                 size_t ntables, const char *method,
                                                 const char *material)
{
    for (int exact = 1; exact >= 0; exact--) {
        for (size_t i = 0; m && i < m->nmethods; i++)
            if (!strcmp(m->methods[i].method, method) &&
                material_match(m->methods[i].material, material, exact))
                return &m->methods[i];
    }
    for (int exact = 1; exact >= 0; exact--) {
        for (size_t t = 0; t < ntables; t++)
            for (size_t i = 0; tables[t] && i < tables[t]->n; i++)
                if (!strcmp(tables[t]->items[i].method, method) &&
                    material_match(tables[t]->items[i].material, material, exact))
                    return &tables[t]->items[i];
    }
    return NULL;
}

int custos_calibration_period(const custos_measurement_model *m, const char *method, custos_date d)
{
    int k = 0;
    for (size_t i = 0; m && i < m->ncalibrations; i++) {
        if (strcmp(m->calibrations[i].method, method))
            continue;
        k++;
        if (d >= m->calibrations[i].start && d <= m->calibrations[i].end)
            return k;
    }
    return 0;
}

/* ---- target tables (CSV) --------------------------------------------- */

/* Split one CSV line (no quotes needed by this table, but quoted fields are
 * accepted) into at most max fields in place. */
static int split_csv(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        if (*p == '"') {
            char *w = ++p;
            fields[n++] = w;
            while (*p && !(*p == '"' && p[1] != '"')) {
                if (*p == '"')
                    p++;
                *w++ = *p++;
            }
            if (*p == '"')
                p++;
            char *end = p;
            *w = '\0';
            if (*end == ',') {
                p = end + 1;
                continue;
            }
            return *end ? -1 : n;
        }
        fields[n++] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            return n;
        *comma = '\0';
        p = comma + 1;
    }
    return -1;
}

static bool parse_fraction(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s)
        return false;
    if (*end == '%') {
        v /= 100.0;
        end++;
    }
    if (*end || !fraction_ok(v))
        return false;
    *out = v;
    return true;
}

int custos_targets_parse(custos_targets **out, const char *name, const char *text, size_t len,
                         custos_diags *d)
{
    *out = NULL;
    if (len > (size_t)CUSTOS_MAX_JSON_FILE)
        return custos_error_set(CUSTOS_ETOOBIG, "%s: larger than %ld bytes", name,
                                (long)CUSTOS_MAX_JSON_FILE);
    custos_targets *t = custos_calloc(1, sizeof *t);
    if (!t)
        return custos_error_nomem();
    size_t cap = 0;
    int bad = 0, err = CUSTOS_OK;
    uint32_t lineno = 0;
    size_t pos = 0;
    bool header = false;
    char line[1024];
    while (pos < len) {
        size_t e = pos;
        while (e < len && text[e] != '\n')
            e++;
        size_t n = e - pos;
        lineno++;
        if (n && text[pos + n - 1] == '\r')
            n--;
        if (n >= sizeof line) {
            custos_diags_add(d, CUSTOS_SEV_ERROR, name, lineno, 0, 0, "line longer than 1023 bytes");
            bad++;
            pos = e + 1;
            continue;
        }
        memcpy(line, text + pos, n);
        line[n] = '\0';
        pos = e + 1;
        if (!n || line[0] == '#')
            continue;
        char *f[6];
        int nf = split_csv(line, f, 6);
        if (!header) {
            if (nf != 5 || strcmp(f[0], "method") || strcmp(f[1], "material") ||
                strcmp(f[2], "random") || strcmp(f[3], "systematic") || strcmp(f[4], "source")) {
                custos_diags_add(d, CUSTOS_SEV_ERROR, name, lineno, 0, 0,
                                 "header must be method,material,random,systematic,source");
                bad++;
                break;
            }
            header = true;
            continue;
        }
        custos_uncertainty u;
        memset(&u, 0, sizeof u);
        if (nf != 5) {
            custos_diags_add(d, CUSTOS_SEV_ERROR, name, lineno, 0, 0, "needs 5 fields, has %d", nf);
            bad++;
            continue;
        }
        if (!name_ok(f[0], CUSTOS_METHOD_LEN) ||
            (f[1][0] && !name_ok(f[1], CUSTOS_MATERIAL_LEN)) || !parse_fraction(f[2], &u.random) ||
            !parse_fraction(f[3], &u.systematic) || !f[4][0]) {
            custos_diags_add(d, CUSTOS_SEV_ERROR, name, lineno, 0, 0,
                             "needs a method, a material, relative random and systematic "
                             "uncertainties in [0, 1) (fraction or %%) and a source");
            bad++;
            continue;
        }
        custos_strlcpy(u.method, f[0], sizeof u.method);
        custos_strlcpy(u.material, f[1], sizeof u.material);
        if (t->n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            custos_uncertainty *p = custos_realloc(t->items, nc * sizeof *p);
            if (!p) {
                err = custos_error_nomem();
                break;
            }
            t->items = p;
            cap = nc;
        }
        if (!(u.source = custos_strdup(f[4]))) {
            err = custos_error_nomem();
            break;
        }
        t->items[t->n++] = u;
    }
    if (err >= 0 && !header && !bad) {
        custos_diags_add(d, CUSTOS_SEV_ERROR, name, 1, 0, 0, "empty table");
        bad++;
    }
    if (err < 0 || bad) {
        custos_targets_free(t);
        if (err < 0)
            return err;
        return custos_error_set(CUSTOS_EINVAL, "%s: invalid target-value table", name);
    }
    *out = t;
    return CUSTOS_OK;
}

/* ---- target tables in the ledger -------------------------------------- */

int custos_ledger_targets_add(custos_ledger *l, const char *name, const char *text, size_t len,
                              custos_diags *d)
{
    custos_targets *t;
    int err = custos_targets_parse(&t, name, text, len, d);
    if (err < 0)
        return err;
    custos_targets_free(t);
    if ((err = custos_ledger_begin(l)) < 0)
        return err;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(l->db, "INSERT INTO targets(name, document) VALUES(?1, ?2)", -1, &s,
                           NULL) != SQLITE_OK) {
        err = custos_ledger_sqlerr(l, "prepare");
        goto fail;
    }
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, text, (int)len, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE) {
        err = custos_ledger_sqlerr(l, "insert target table");
        goto fail;
    }
    sqlite3_finalize(s);
    s = NULL;
    unsigned char hash[CUSTOS_HASH_BYTES];
    custos_hash(hash, text, len);
    if ((err = custos_chain_append(l, "targets", sqlite3_last_insert_rowid(l->db), name, hash, NULL,
                                   NULL)) < 0)
        goto fail;
    return custos_ledger_commit(l);
fail:
    sqlite3_finalize(s);
    custos_ledger_rollback(l);
    return err;
}

int custos_ledger_targets(custos_targets ***out, size_t *n, custos_ledger *l)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db, "SELECT name, document FROM targets ORDER BY id DESC", -1, &s,
                           NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    custos_targets **v = NULL;
    size_t cnt = 0, cap = 0;
    int rc, err = CUSTOS_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 4;
            custos_targets **p = custos_realloc(v, nc * sizeof *p);
            if (!p) {
                err = custos_error_nomem();
                break;
            }
            v = p;
            cap = nc;
        }
        const char *name = custos_col(s, 0, &err);
        const char *doc = custos_col(s, 1, &err);
        if (err < 0)
            break;
        custos_targets *t;
        if ((err = custos_targets_parse(&t, name, doc, (size_t)sqlite3_column_bytes(s, 1), NULL)) < 0)
            break;
        v[cnt++] = t;
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "target tables");
    sqlite3_finalize(s);
    if (err < 0) {
        for (size_t i = 0; i < cnt; i++)
            custos_targets_free(v[i]);
        custos_free(v);
        return err;
    }
    *out = v;
    *n = cnt;
    return CUSTOS_OK;
}
