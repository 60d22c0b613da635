/* SPDX-License-Identifier: Apache-2.0 */
/*
 * facility.c: facility descriptions (JSON) and the MBA registry built
 * from them in the ledger.
 *
 * The registry tables (facility_mbas, facility_kmps) are derived from the
 * stored documents; verify rebuilds them from the documents and compares,
 * so a registry row changed behind custos's back is caught like any other.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custos/facility.h"
#include "ledgerint.h"
#include "measureint.h"

static const char *const types[] = {
    "conversion",   "enrichment",      "fuel-fabrication", "power-reactor",
    "research-reactor", "spent-fuel-storage", "reprocessing", "plutonium-store",
    "down-blending", "storage",         "other",
};

int custos_facility_type_valid(const char *type)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(type, types[i]))
            return 1;
    return 0;
}

void custos_facility_free(custos_facility *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nmbas; i++) {
        for (size_t k = 0; k < f->mbas[i].nkmps; k++)
            custos_free(f->mbas[i].kmps[k].description);
        custos_free(f->mbas[i].kmps);
        custos_free(f->mbas[i].name);
    }
    custos_free(f->mbas);
    custos_free(f->name);
    custos_measurement_model_dispose(&f->measurement);
    custos_free(f);
}

typedef struct pctx {
    const char *source;
    custos_diags *d;
    int errors;
} pctx;

static void perr(pctx *p, const char *path, const char *fmt, ...) CUSTOS_PRINTF(3, 4);

static void perr(pctx *p, const char *path, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->errors++ == 0)
        custos_error_set(CUSTOS_EINVAL, "%s: %s: %s", p->source, path, msg);
    custos_diags_add(p->d, CUSTOS_SEV_ERROR, p->source, 0, 0, 0, "%s: %s", path, msg);
}

static void json_err(void *ctx, const char *path, const char *msg)
{
    perr(ctx, path, "%s", msg);
}

static bool code_ok(const char *s, size_t min, size_t max, bool state)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool up = s[i] >= 'A' && s[i] <= 'Z', dig = s[i] >= '0' && s[i] <= '9';
        if (!(up || (!state && dig)))
            return false;
    }
    return true;
}

static bool keys_known(pctx *p, json_t *o, const char *path, const char *const *known)
{
    const char *key;
    json_t *v;
    bool ok = true;
    json_object_foreach(o, key, v) {
        bool found = false;
        for (const char *const *k = known; *k; k++)
            found |= !strcmp(key, *k);
        if (!found) {
            perr(p, path, "unknown key \"%.40s\"", key);
            ok = false;
        }
    }
    return ok;
}

static char *dup_opt(json_t *v, int *err)
{
    if (!json_is_string(v))
        return NULL;
    char *s = custos_strdup(json_string_value(v));
    if (!s)
        *err = CUSTOS_ENOMEM;
    return s;
}

int custos_facility_parse(custos_facility **out, const char *source, const char *json, size_t len,
                          custos_diags *d)
{
    *out = NULL;
    if (len > (size_t)CUSTOS_MAX_JSON_FILE)
        return custos_error_set(CUSTOS_ETOOBIG, "%s: larger than %ld bytes", source,
                                (long)CUSTOS_MAX_JSON_FILE);
    pctx p = {source ? source : "", d, 0};
    json_error_t je;
    int lerr;
    /* Failures during the whole parse, the document's reading included. */
    unsigned long failed = custos_alloc_failures();
    json_t *root = custos_json_loadb(json, len, JSON_REJECT_DUPLICATES, &je, &lerr);
    if (lerr == CUSTOS_ENOMEM)
        return lerr;
    if (!root) {
        custos_diags_add(d, CUSTOS_SEV_ERROR, p.source, (uint32_t)(je.line > 0 ? je.line : 0), 0, 0,
                         "JSON: %s", je.text);
        return custos_error_set(CUSTOS_EINVAL, "%s:%d: JSON: %s", p.source, je.line, je.text);
    }
    int err = CUSTOS_OK;
    custos_facility *f = custos_calloc(1, sizeof *f);
    if (!f) {
        json_decref(root);
        return custos_error_nomem();
    }
    static const char *const top_keys[] = {"state", "facility", "name", "type", "mbas",
                                           "measurement", NULL};
    static const char *const mba_keys[] = {"mba", "name", "kmps", NULL};
    static const char *const kmp_keys[] = {"kmp", "kind", "description", NULL};
    if (!json_is_object(root)) {
        perr(&p, "$", "a facility description is a JSON object");
        goto done;
    }
    keys_known(&p, root, "$", top_keys);
    const char *state = json_string_value(json_object_get(root, "state"));
    const char *code = json_string_value(json_object_get(root, "facility"));
    const char *type = json_string_value(json_object_get(root, "type"));
    if (!state || !code_ok(state, 2, 2, true))
        perr(&p, "$.state", "needs a 2-letter State code");
    else
        custos_strlcpy(f->state, state, sizeof f->state);
    if (!code || !code_ok(code, 4, 4, false))
        perr(&p, "$.facility", "needs a 4-character facility code");
    else
        custos_strlcpy(f->code, code, sizeof f->code);
    if (!type || !custos_facility_type_valid(type))
        perr(&p, "$.type", "needs one of conversion, enrichment, fuel-fabrication, power-reactor, "
                           "research-reactor, spent-fuel-storage, reprocessing, plutonium-store, "
                           "down-blending, storage, other");
    else
        custos_strlcpy(f->type, type, sizeof f->type);
    f->name = dup_opt(json_object_get(root, "name"), &err);
    json_t *mbas = json_object_get(root, "mbas");
    if (!json_is_array(mbas) || json_array_size(mbas) == 0) {
        perr(&p, "$.mbas", "needs an array of at least one MBA");
        goto done;
    }
    if (json_array_size(mbas) > 10000) {
        perr(&p, "$.mbas", "more than 10000 MBAs");
        goto done;
    }
    f->mbas = custos_calloc(json_array_size(mbas), sizeof *f->mbas);
    if (!f->mbas) {
        err = custos_error_nomem();
        goto done;
    }
    for (size_t i = 0; i < json_array_size(mbas) && err >= 0; i++) {
        char path[64];
        json_t *m = json_array_get(mbas, i);
        snprintf(path, sizeof path, "$.mbas[%zu]", i);
        if (!json_is_object(m)) {
            perr(&p, path, "an MBA is a JSON object");
            continue;
        }
        keys_known(&p, m, path, mba_keys);
        custos_mba *mb = &f->mbas[f->nmbas++];
        const char *mc = json_string_value(json_object_get(m, "mba"));
        if (!mc || !code_ok(mc, 4, 4, false))
            perr(&p, path, "\"mba\" needs a 4-character MBA code");
        else
            custos_strlcpy(mb->code, mc, sizeof mb->code);
        for (size_t j = 0; j + 1 < f->nmbas; j++)
            if (mb->code[0] && !strcmp(f->mbas[j].code, mb->code))
                perr(&p, path, "MBA %s listed twice", mb->code);
        mb->name = dup_opt(json_object_get(m, "name"), &err);
        json_t *kmps = json_object_get(m, "kmps");
        if (!kmps)
            continue;
        if (!json_is_array(kmps) || json_array_size(kmps) > 1296) {
            perr(&p, path, "\"kmps\" needs an array of KMPs");
            continue;
        }
        mb->kmps = custos_calloc(json_array_size(kmps) + 1, sizeof *mb->kmps);
        if (!mb->kmps) {
            err = custos_error_nomem();
            break;
        }
        for (size_t k = 0; k < json_array_size(kmps); k++) {
            char kpath[96];
            json_t *ko = json_array_get(kmps, k);
            snprintf(kpath, sizeof kpath, "%s.kmps[%zu]", path, k);
            if (!json_is_object(ko)) {
                perr(&p, kpath, "a KMP is a JSON object");
                continue;
            }
            keys_known(&p, ko, kpath, kmp_keys);
            custos_kmp *km = &mb->kmps[mb->nkmps++];
            const char *kc = json_string_value(json_object_get(ko, "kmp"));
            const char *kind = json_string_value(json_object_get(ko, "kind"));
            if (!kc || !code_ok(kc, 1, 2, false))
                perr(&p, kpath, "\"kmp\" needs 1-2 letters or digits");
            else
                custos_strlcpy(km->code, kc, sizeof km->code);
            for (size_t j = 0; j + 1 < mb->nkmps; j++)
                if (km->code[0] && !strcmp(mb->kmps[j].code, km->code))
                    perr(&p, kpath, "KMP %s listed twice", km->code);
            if (!kind || (strcmp(kind, "flow") && strcmp(kind, "inventory")))
                perr(&p, kpath, "\"kind\" needs \"flow\" or \"inventory\"");
            else
                km->kind = kind[0] == 'f' ? 'F' : 'I';
            km->description = dup_opt(json_object_get(ko, "description"), &err);
        }
    }
    json_t *meas = json_object_get(root, "measurement");
    if (meas && err >= 0 && p.errors == 0) {
        int me = custos_measurement_parse(&f->measurement, meas, f, json_err, &p);
        if (me == CUSTOS_ENOMEM)
            err = me;
    }
done:
    json_decref(root);
    /* An allocation that failed anywhere in the parse (jansson may return a
     * partial document) makes this out-of-memory, never invalid input. */
    if (custos_alloc_failures() != failed)
        err = CUSTOS_ENOMEM;
    if (err >= 0 && p.errors)
        err = CUSTOS_EINVAL;
    if (err < 0) {
        custos_facility_free(f);
        return err == CUSTOS_ENOMEM ? custos_error_nomem() : err;
    }
    *out = f;
    return CUSTOS_OK;
}

static int exec_bind(custos_ledger *l, const char *sql, int64_t fid, const char *a, const char *b,
                     const char *c)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db, sql, -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    sqlite3_bind_int64(s, 1, fid);
    sqlite3_bind_text(s, 2, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, b, -1, SQLITE_STATIC);
    if (c)
        sqlite3_bind_text(s, 4, c, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos_ledger_sqlerr(l, "registry");
}

int custos_ledger_facility_add(custos_ledger *l, const char *source, const char *json, size_t len,
                               custos_diags *d, int *version)
{
    custos_facility *f;
    int err = custos_facility_parse(&f, source, json, len, d);
    if (err < 0)
        return err;
    if ((err = custos_ledger_begin(l)) < 0) {
        custos_facility_free(f);
        return err;
    }
    sqlite3_stmt *s = NULL;
    int ver = 1;
    /* An MBA belongs to one facility. */
    for (size_t i = 0; i < f->nmbas; i++) {
        if (sqlite3_prepare_v2(l->db,
                               "SELECT facility FROM facility_mbas WHERE state=?1 AND mba=?2 AND "
                               "facility<>?3 LIMIT 1",
                               -1, &s, NULL) != SQLITE_OK) {
            err = custos_ledger_sqlerr(l, "prepare");
            goto fail;
        }
        sqlite3_bind_text(s, 1, f->state, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, f->mbas[i].code, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, f->code, -1, SQLITE_STATIC);
        int rc = sqlite3_step(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            err = custos_ledger_sqlerr(l, "registry");
            goto fail;
        }
        if (rc == SQLITE_ROW) {
            int cerr = CUSTOS_OK;
            const char *other = custos_col(s, 0, &cerr);
            if (cerr < 0) {
                err = cerr;
                goto fail;
            }
            custos_diags_add(d, CUSTOS_SEV_ERROR, source, 0, 0, 0,
                             "MBA %s already belongs to facility %s", f->mbas[i].code, other);
            err = custos_error_set(CUSTOS_EINVAL, "%s: MBA %s already belongs to facility %s",
                                   source, f->mbas[i].code, other);
            goto fail;
        }
        sqlite3_finalize(s);
        s = NULL;
    }
    if (sqlite3_prepare_v2(l->db,
                           "SELECT coalesce(max(version), 0) + 1 FROM facilities WHERE state=?1 AND "
                           "facility=?2",
                           -1, &s, NULL) != SQLITE_OK) {
        err = custos_ledger_sqlerr(l, "prepare");
        goto fail;
    }
    sqlite3_bind_text(s, 1, f->state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, f->code, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) {
        err = custos_ledger_sqlerr(l, "facility version");
        goto fail;
    }
    ver = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    s = NULL;
    if (sqlite3_prepare_v2(l->db,
                           "INSERT INTO facilities(state, facility, version, document) "
                           "VALUES(?1,?2,?3,?4)",
                           -1, &s, NULL) != SQLITE_OK) {
        err = custos_ledger_sqlerr(l, "prepare");
        goto fail;
    }
    sqlite3_bind_text(s, 1, f->state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, f->code, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, ver);
    sqlite3_bind_text(s, 4, json, (int)len, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE) {
        err = custos_ledger_sqlerr(l, "insert facility");
        goto fail;
    }
    sqlite3_finalize(s);
    s = NULL;
    int64_t fid = sqlite3_last_insert_rowid(l->db);
    for (size_t i = 0; i < f->nmbas && err >= 0; i++) {
        err = exec_bind(l, "INSERT INTO facility_mbas VALUES(?1, ?3, ?2, ?4)", fid, f->mbas[i].code,
                        f->state, f->code);
        for (size_t k = 0; k < f->mbas[i].nkmps && err >= 0; k++) {
            err = exec_bind(l, "INSERT INTO facility_kmps VALUES(?1, ?2, ?3, ?4)", fid,
                            f->mbas[i].code, f->mbas[i].kmps[k].code,
                            custos_char_str(f->mbas[i].kmps[k].kind));
        }
    }
    if (err < 0)
        goto fail;
    unsigned char hash[CUSTOS_HASH_BYTES];
    custos_hash(hash, json, len);
    if ((err = custos_chain_append(l, "facility", fid, source ? source : "", hash, NULL, NULL)) < 0)
        goto fail;
    custos_facility_free(f);
    if ((err = custos_ledger_commit(l)) < 0)
        return err;
    if (version)
        *version = ver;
    return CUSTOS_OK;
fail:
    sqlite3_finalize(s);
    custos_ledger_rollback(l);
    custos_facility_free(f);
    return err;
}

/* Compare the registry rows of facility fid with what its document says. */
static int check_one(custos_ledger *l, int64_t fid, const custos_facility *f)
{
    sqlite3_stmt *s;
    size_t expect_mbas = f->nmbas, expect_kmps = 0;
    for (size_t i = 0; i < f->nmbas; i++)
        expect_kmps += f->mbas[i].nkmps;
    if (sqlite3_prepare_v2(l->db,
                           "SELECT (SELECT count(*) FROM facility_mbas WHERE facility_id=?1),"
                           " (SELECT count(*) FROM facility_kmps WHERE facility_id=?1)",
                           -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    sqlite3_bind_int64(s, 1, fid);
    int64_t nm = 0, nk = 0;
    if (sqlite3_step(s) != SQLITE_ROW) {
        int err = custos_ledger_sqlerr(l, "registry counts");
        sqlite3_finalize(s);
        return err;
    }
    nm = sqlite3_column_int64(s, 0);
    nk = sqlite3_column_int64(s, 1);
    sqlite3_finalize(s);
    if ((size_t)nm != expect_mbas || (size_t)nk != expect_kmps)
        return custos_error_set(CUSTOS_ETAMPER,
                                "the MBA registry of facility %s/%s (id %lld) differs from its "
                                "stored description",
                                f->state, f->code, (long long)fid);
    for (size_t i = 0; i < f->nmbas; i++) {
        for (size_t k = 0; k <= f->mbas[i].nkmps; k++) {
            bool mba_row = k == f->mbas[i].nkmps;
            const char *sql = mba_row ? "SELECT 1 FROM facility_mbas WHERE facility_id=?1 AND "
                                        "mba=?2 AND state=?3 AND facility=?4"
                                      : "SELECT 1 FROM facility_kmps WHERE facility_id=?1 AND "
                                        "mba=?2 AND kmp=?3 AND kind=?4";
            if (sqlite3_prepare_v2(l->db, sql, -1, &s, NULL) != SQLITE_OK)
                return custos_ledger_sqlerr(l, "prepare");
            const char *kind = custos_char_str(mba_row ? 0 : f->mbas[i].kmps[k].kind);
            sqlite3_bind_int64(s, 1, fid);
            sqlite3_bind_text(s, 2, f->mbas[i].code, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 3, mba_row ? f->state : f->mbas[i].kmps[k].code, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 4, mba_row ? f->code : kind, -1, SQLITE_STATIC);
            int rc = sqlite3_step(s);
            if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
                int err = custos_ledger_sqlerr(l, "registry row");
                sqlite3_finalize(s);
                return err;
            }
            sqlite3_finalize(s);
            if (rc != SQLITE_ROW)
                return custos_error_set(CUSTOS_ETAMPER,
                                        "the MBA registry of facility %s/%s (id %lld) differs from "
                                        "its stored description at MBA %s",
                                        f->state, f->code, (long long)fid, f->mbas[i].code);
        }
    }
    return CUSTOS_OK;
}

int custos_facility_verify_registry(custos_ledger *l)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db, "SELECT id, document FROM facilities ORDER BY id", -1, &s, NULL) !=
        SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    int rc, err = CUSTOS_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t fid = sqlite3_column_int64(s, 0);
        const char *doc = custos_col(s, 1, &err);
        if (err < 0)
            break;
        custos_facility *f;
        custos_diags *d = NULL;
        if ((err = custos_diags_new(&d)) < 0)
            break;
        err = custos_facility_parse(&f, "stored facility", doc, (size_t)sqlite3_column_bytes(s, 1), d);
        custos_diags_free(d);
        if (err == CUSTOS_EINVAL) {
            err = custos_error_set(CUSTOS_ETAMPER, "stored facility id %lld is no longer a valid "
                                                   "description", (long long)fid);
            break;
        }
        if (err < 0)
            break;
        err = check_one(l, fid, f);
        custos_facility_free(f);
        if (err < 0)
            break;
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "verify registry");
    sqlite3_finalize(s);
    return err;
}

int custos_ledger_facilities(custos_facility ***out, int **versions, size_t *n, custos_ledger *l)
{
    *out = NULL;
    *n = 0;
    if (versions)
        *versions = NULL;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db,
                           "SELECT f.document, f.version FROM facilities f WHERE f.version = "
                           "(SELECT max(version) FROM facilities g WHERE g.state = f.state AND "
                           "g.facility = f.facility) ORDER BY f.state, f.facility",
                           -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    custos_facility **v = NULL;
    int *ver = NULL;
    size_t cnt = 0, cap = 0;
    int rc, err = CUSTOS_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 16;
            custos_facility **p = custos_realloc(v, nc * sizeof *p);
            if (p)
                v = p;
            int *q = p ? custos_realloc(ver, nc * sizeof *q) : NULL;
            if (!p || !q) {
                err = custos_error_nomem();
                break;
            }
            ver = q;
            cap = nc;
        }
        const char *doc = custos_col(s, 0, &err);
        if (err < 0)
            break;
        custos_facility *f;
        if ((err = custos_facility_parse(&f, "stored facility", doc,
                                         (size_t)sqlite3_column_bytes(s, 0), NULL)) < 0)
            break;
        ver[cnt] = sqlite3_column_int(s, 1);
        v[cnt++] = f;
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "list facilities");
    sqlite3_finalize(s);
    if (err < 0) {
        for (size_t i = 0; i < cnt; i++)
            custos_facility_free(v[i]);
        custos_free(v);
        custos_free(ver);
        return err;
    }
    *out = v;
    *n = cnt;
    if (versions)
        *versions = ver;
    else
        custos_free(ver);
    return CUSTOS_OK;
}
