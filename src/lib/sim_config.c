/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_config.c: the simulator's configuration (JSON, docs/formats.md
 * "Simulator configuration"): the State, the calendar, the facilities
 * with their physics and flows, diversion scenarios and corrections.
 *
 * Every problem is reported with the JSON path; unknown keys are refused
 * so that a misspelt parameter never silently takes its default.  Numbers
 * are read once here and turned into integers (ppm, milligrams, days)
 * wherever the output depends on them bit for bit.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "simint.h"

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

static bool code_ok(const char *s, size_t len, bool letters_only)
{
    if (!s || strlen(s) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        bool up = s[i] >= 'A' && s[i] <= 'Z', dig = s[i] >= '0' && s[i] <= '9';
        if (!(up || (!letters_only && dig)))
            return false;
    }
    return true;
}

static bool parse_date(const char *s, custos_date *out)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    int v = 0;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (!custos_date_valid(v) || v < 19000101 || v > 29991231)
        return false;
    *out = v;
    return true;
}

static void keys_known(pctx *p, json_t *o, const char *path, const char *const *known)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        bool found = false;
        for (const char *const *k = known; *k; k++)
            found |= !strcmp(key, *k);
        if (!found)
            perr(p, path, "unknown key \"%.40s\"", key);
    }
}

/* A number at o.key within [lo, hi], or def when absent. */
static double num(pctx *p, json_t *o, const char *path, const char *key, double def, double lo,
                  double hi)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return def;
    if (!json_is_number(v) || !(json_number_value(v) >= lo && json_number_value(v) <= hi)) {
        perr(p, path, "\"%s\" needs a number from %g to %g", key, lo, hi);
        return def;
    }
    return json_number_value(v);
}

static int inum(pctx *p, json_t *o, const char *path, const char *key, int def, int lo, int hi)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return def;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        perr(p, path, "\"%s\" needs a whole number from %d to %d", key, lo, hi);
        return def;
    }
    return (int)json_integer_value(v);
}

/* A fraction in [0, hi] as parts per million. */
static int64_t ppm(pctx *p, json_t *o, const char *path, const char *key, int64_t def, double hi)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return def;
    double x = json_is_number(v) ? json_number_value(v) : -1.0;
    if (!(x >= 0.0 && x <= hi)) {
        perr(p, path, "\"%s\" needs a fraction from 0 to %g", key, hi);
        return def;
    }
    return sim_round(x * 1e6);
}

static const char *const type_names[SIM_NTYPES] = {
    "conversion",         "enrichment",   "fuel-fabrication", "power-reactor", "research-reactor",
    "spent-fuel-storage", "reprocessing", "plutonium-store",  "down-blending",
};

static void fac_defaults(sim_fac_cfg *f)
{
    f->copies = 1;
    f->pit_days = 365;
    f->calibration_days = 365;
    f->transit_days = 2;
    f->feed_assay = 0.00711;
    f->product_assay = 0.044;
    f->tails_assay = 0.0025;
    f->enrichment = 0.044;
    f->heu_assay = 0.90;
    f->blendstock_assay = 0.015;
    f->holdup_days = 5;
    f->stock_days = 30;
    f->discard_ppm = 1000;
    f->scrap_ppm = 20000;
    f->loss_u_ppm = 1000;
    f->loss_pu_ppm = 2000;
    switch (f->type) {
    case SIM_CONVERSION:
        f->throughput_t = 500;
        f->batch_kg = 8000;
        break;
    case SIM_ENRICHMENT:
        f->throughput_t = 50;
        f->batch_kg = 1500;
        f->stock_days = 60;
        break;
    case SIM_FABRICATION:
        f->throughput_t = 50;
        f->assembly_kg = 460;
        f->holdup_days = 10;
        break;
    case SIM_POWER_REACTOR:
        f->power_mw = 3000;
        f->core_assemblies = 157;
        f->reload_assemblies = 53;
        f->cycle_days = 365;
        f->outage_days = 30;
        f->cooling_days = 1825;
        f->assembly_kg = 460;
        break;
    case SIM_RESEARCH_REACTOR:
        f->power_mw = 10;
        f->core_assemblies = 30;
        f->reload_assemblies = 6;
        f->cycle_days = 60;
        f->outage_days = 10;
        f->cooling_days = 730;
        f->assembly_kg = 0.4;
        f->enrichment = 0.93;
        break;
    case SIM_SPENT_FUEL:
        f->throughput_t = 100;
        break;
    case SIM_REPROCESSING:
        f->throughput_t = 100;
        f->pit_days = 7;
        f->holdup_days = 10;
        f->batch_kg = 10;
        break;
    case SIM_PU_STORE:
        f->cooling_days = 0;
        break;
    case SIM_DOWNBLENDING:
        f->throughput_t = 1;
        f->batch_kg = 1500;
        f->heu_assay = 0.90;
        break;
    default:
        break;
    }
}

static void parse_methods(pctx *p, json_t *arr, const char *path, sim_fac_cfg *f, int *err)
{
    if (!json_is_array(arr) || json_array_size(arr) > 64) {
        perr(p, path, "needs an array of at most 64 methods");
        return;
    }
    f->methods = custos_calloc(json_array_size(arr) + 1, sizeof *f->methods);
    if (!f->methods) {
        *err = custos_error_nomem();
        return;
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char mp[128];
        json_t *m = json_array_get(arr, i);
        snprintf(mp, sizeof mp, "%s[%zu]", path, i);
        static const char *const keys[] = {"method", "random", "systematic", NULL};
        if (!json_is_object(m)) {
            perr(p, mp, "needs an object");
            continue;
        }
        keys_known(p, m, mp, keys);
        const char *name = json_string_value(json_object_get(m, "method"));
        if (!name || !name[0] || strlen(name) >= CUSTOS_METHOD_LEN) {
            perr(p, mp, "\"method\" needs a method name");
            continue;
        }
        sim_method_cfg *mc = &f->methods[f->nmethods++];
        custos_strlcpy(mc->method, name, sizeof mc->method);
        mc->random_ppm = ppm(p, m, mp, "random", 0, 0.5);
        mc->systematic_ppm = ppm(p, m, mp, "systematic", 0, 0.5);
    }
}

static void parse_fac(pctx *p, json_t *o, const char *path, sim_fac_cfg *f, int *err)
{
    static const char *const keys[] = {
        "type", "facility", "mba", "name", "copies", "pit_days", "calibration_days",
        "transit_days", "ship_to", "foreign", "export_fraction", "throughput_t", "feed_assay",
        "product_assay", "tails_assay", "batch_kg", "assembly_kg", "scrap_fraction",
        "discard_fraction", "loss_u_fraction", "loss_pu_fraction", "power_mw", "core_assemblies",
        "reload_assemblies", "cycle_days", "outage_days", "cooling_days", "enrichment",
        "heu_assay", "blendstock_assay", "holdup_days", "stock_days", "methods", NULL};
    if (!json_is_object(o)) {
        perr(p, path, "a facility is a JSON object");
        return;
    }
    keys_known(p, o, path, keys);
    const char *type = json_string_value(json_object_get(o, "type"));
    int t = -1;
    for (int i = 0; type && i < SIM_NTYPES; i++)
        if (!strcmp(type, type_names[i]))
            t = i;
    if (t < 0) {
        perr(p, path, "\"type\" needs one of conversion, enrichment, fuel-fabrication, "
                      "power-reactor, research-reactor, spent-fuel-storage, reprocessing, "
                      "plutonium-store, down-blending");
        return;
    }
    f->type = (sim_type)t;
    fac_defaults(f);
    f->copies = inum(p, o, path, "copies", 1, 1, 1296);
    size_t clen = f->copies > 1 ? 2 : 4;
    const char *code = json_string_value(json_object_get(o, "facility"));
    const char *mba = json_string_value(json_object_get(o, "mba"));
    if (!mba)
        mba = code;
    if (!code_ok(code, clen, false))
        perr(p, path, "\"facility\" needs %s", clen == 4 ? "a 4-character facility code"
                                                         : "a 2-character prefix (copies > 1)");
    else
        custos_strlcpy(f->code, code, sizeof f->code);
    if (!code_ok(mba, clen, false))
        perr(p, path, "\"mba\" needs %s", clen == 4 ? "a 4-character MBA code"
                                                    : "a 2-character prefix (copies > 1)");
    else
        custos_strlcpy(f->mba, mba, sizeof f->mba);
    const char *name = json_string_value(json_object_get(o, "name"));
    custos_strlcpy(f->name, name ? name : type, sizeof f->name);
    f->pit_days = inum(p, o, path, "pit_days", f->pit_days, 1, 3660);
    f->calibration_days = inum(p, o, path, "calibration_days", f->calibration_days, 1, 36600);
    f->transit_days = inum(p, o, path, "transit_days", f->transit_days, 0, 365);
    json_t *st = json_object_get(o, "ship_to");
    if (st) {
        if (!json_is_array(st) || json_array_size(st) > SIM_MAX_DST) {
            perr(p, path, "\"ship_to\" needs an array of up to %d facility codes or prefixes",
                 SIM_MAX_DST);
        } else {
            for (size_t i = 0; i < json_array_size(st); i++) {
                const char *s = json_string_value(json_array_get(st, i));
                if (!code_ok(s, 4, false) && !code_ok(s, 2, false))
                    perr(p, path, "\"ship_to\"[%zu] needs a facility code or 2-character prefix",
                         i);
                else
                    custos_strlcpy(f->ship_to[f->nship++], s, 5);
            }
        }
    }
    const char *fs = json_string_value(json_object_get(o, "foreign"));
    if (json_object_get(o, "foreign") && !code_ok(fs, 2, true))
        perr(p, path, "\"foreign\" needs a 2-letter State code");
    else if (fs)
        custos_strlcpy(f->foreign, fs, sizeof f->foreign);
    f->export_ppm = ppm(p, o, path, "export_fraction", 0, 1.0);
    f->throughput_t = num(p, o, path, "throughput_t", f->throughput_t, 0.001, 1e5);
    f->feed_assay = num(p, o, path, "feed_assay", f->feed_assay, 0.0001, 0.999);
    f->product_assay = num(p, o, path, "product_assay", f->product_assay, 0.0001, 0.999);
    f->tails_assay = num(p, o, path, "tails_assay", f->tails_assay, 0.0001, 0.999);
    f->batch_kg = num(p, o, path, "batch_kg", f->batch_kg, 0.001, 1e5);
    f->assembly_kg = num(p, o, path, "assembly_kg", f->assembly_kg, 0.001, 5000);
    f->scrap_ppm = ppm(p, o, path, "scrap_fraction", f->scrap_ppm, 0.5);
    f->discard_ppm = ppm(p, o, path, "discard_fraction", f->discard_ppm, 0.5);
    f->loss_u_ppm = ppm(p, o, path, "loss_u_fraction", f->loss_u_ppm, 0.5);
    f->loss_pu_ppm = ppm(p, o, path, "loss_pu_fraction", f->loss_pu_ppm, 0.5);
    f->power_mw = num(p, o, path, "power_mw", f->power_mw, 0.001, 1e5);
    /* Up to a CANDU core (4560 bundles in a CANDU 6). */
    f->core_assemblies = inum(p, o, path, "core_assemblies", f->core_assemblies, 1, 5000);
    f->reload_assemblies = inum(p, o, path, "reload_assemblies", f->reload_assemblies, 1, 5000);
    f->cycle_days = inum(p, o, path, "cycle_days", f->cycle_days, 2, 3650);
    f->outage_days = inum(p, o, path, "outage_days", f->outage_days, 1, 3650);
    f->cooling_days = inum(p, o, path, "cooling_days", f->cooling_days, 0, 36500);
    f->enrichment = num(p, o, path, "enrichment", f->enrichment, 0.0072, 0.999);
    f->heu_assay = num(p, o, path, "heu_assay", f->heu_assay, 0.2, 0.999);
    f->blendstock_assay = num(p, o, path, "blendstock_assay", f->blendstock_assay, 0.0001, 0.2);
    f->holdup_days = inum(p, o, path, "holdup_days", f->holdup_days, 0, 365);
    f->stock_days = inum(p, o, path, "stock_days", f->stock_days, 0, 3650);
    json_t *ms = json_object_get(o, "methods");
    if (ms)
        parse_methods(p, ms, path, f, err);
    /* Physics the rest of the run relies on. */
    if (f->type == SIM_ENRICHMENT &&
        !(f->tails_assay < f->feed_assay && f->feed_assay < f->product_assay))
        perr(p, path, "assays need tails_assay < feed_assay < product_assay");
    if (f->type == SIM_ENRICHMENT && !(f->tails_assay < 0.0070 && f->feed_assay > 0.0070 &&
                                       f->feed_assay < 0.0072 && f->product_assay > 0.0072))
        perr(p, path, "the plant takes natural feed (0.0070-0.0072), leaves depleted tails "
                      "(below 0.0070) and makes enriched product (above 0.0072)");
    if (f->type == SIM_DOWNBLENDING &&
        !(f->blendstock_assay < f->product_assay && f->product_assay < f->heu_assay))
        perr(p, path, "assays need blendstock_assay < product_assay < heu_assay");
    if (f->type == SIM_DOWNBLENDING && f->blendstock_assay <= 0.0072)
        perr(p, path, "\"blendstock_assay\" must be above natural (0.0072): the plant books "
                      "HEU, blendstock and product as enriched uranium");
    if (f->type == SIM_DOWNBLENDING && f->product_assay >= 0.2)
        perr(p, path, "\"product_assay\" of a down-blending plant must be LEU (below 0.2)");
    if ((f->type == SIM_POWER_REACTOR || f->type == SIM_RESEARCH_REACTOR) &&
        (f->reload_assemblies > f->core_assemblies || f->outage_days >= f->cycle_days))
        perr(p, path, "needs reload_assemblies <= core_assemblies and outage_days < cycle_days");
}

static void parse_diversion(pctx *p, json_t *o, const char *path, sim_diversion_cfg *v)
{
    static const char *const keys[] = {"mba", "element", "amount_kg", "start", "end",
                                       "profile", "concealment", NULL};
    if (!json_is_object(o)) {
        perr(p, path, "a diversion is a JSON object");
        return;
    }
    keys_known(p, o, path, keys);
    const char *mba = json_string_value(json_object_get(o, "mba"));
    if (!code_ok(mba, 4, false))
        perr(p, path, "\"mba\" needs a 4-character MBA code");
    else
        custos_strlcpy(v->mba, mba, sizeof v->mba);
    const char *el = json_string_value(json_object_get(o, "element"));
    if (el && !strcmp(el, "Pu"))
        v->element = 'P';
    else if (el && !strcmp(el, "U"))
        v->element = 'U';
    else
        perr(p, path, "\"element\" needs \"Pu\" or \"U\"");
    double kg = num(p, o, path, "amount_kg", -1, 0.000001, 1e6);
    if (kg <= 0)
        perr(p, path, "\"amount_kg\" needs the amount removed, in kg of the element");
    else
        v->amount_mg = sim_round(kg * 1e6);
    if (!parse_date(json_string_value(json_object_get(o, "start")), &v->start))
        perr(p, path, "\"start\" needs a date YYYY-MM-DD");
    const char *prof = json_string_value(json_object_get(o, "profile"));
    if (!prof || !strcmp(prof, "protracted"))
        v->abrupt = false;
    else if (!strcmp(prof, "abrupt"))
        v->abrupt = true;
    else
        perr(p, path, "\"profile\" needs \"abrupt\" or \"protracted\"");
    json_t *end = json_object_get(o, "end");
    if (v->abrupt && !end)
        v->end = v->start;
    else if (!parse_date(json_string_value(end), &v->end) || v->end < v->start)
        perr(p, path, "\"end\" needs a date YYYY-MM-DD, not before \"start\"");
    const char *c = json_string_value(json_object_get(o, "concealment"));
    static const char *const names[] = {"unreported", "inflated-discards", "falsified-transfers",
                                        "biased-measurements"};
    int k = -1;
    for (int i = 0; i < 4; i++)
        if (c && !strcmp(c, names[i]))
            k = i;
    if (!c)
        k = 0;
    if (k < 0)
        perr(p, path, "\"concealment\" needs unreported, inflated-discards, falsified-transfers "
                      "or biased-measurements");
    else
        v->conceal = (sim_conceal)k;
}

void custos_sim_config_free(custos_sim_config *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->nfacs; i++)
        custos_free(c->facs[i].methods);
    custos_free(c->facs);
    custos_free(c->diversions);
    custos_free(c->corrections);
    custos_free(c);
}

int custos_sim_config_parse(custos_sim_config **out, const char *source, const char *json,
                            size_t len, custos_diags *d)
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
        custos_diags_add(d, CUSTOS_SEV_ERROR, p.source, (uint32_t)(je.line > 0 ? je.line : 0), 0,
                         0, "JSON: %s", je.text);
        return custos_error_set(CUSTOS_EINVAL, "%s:%d: JSON: %s", p.source, je.line, je.text);
    }
    int err = CUSTOS_OK;
    custos_sim_config *c = custos_calloc(1, sizeof *c);
    if (!c) {
        json_decref(root);
        return custos_error_nomem();
    }
    if (!json_is_object(root)) {
        perr(&p, "$", "a simulator configuration is a JSON object");
        goto done;
    }
    static const char *const top[] = {"state", "foreign", "start", "years", "encoder",
                                      "measurement_errors", "facilities", "diversions",
                                      "corrections", NULL};
    keys_known(&p, root, "$", top);
    const char *state = json_string_value(json_object_get(root, "state"));
    if (!code_ok(state, 2, true))
        perr(&p, "$.state", "needs a 2-letter State code");
    else
        custos_strlcpy(c->state, state, sizeof c->state);
    const char *foreign = json_string_value(json_object_get(root, "foreign"));
    custos_strlcpy(c->foreign, foreign ? foreign : "XB", sizeof c->foreign);
    if (!code_ok(c->foreign, 2, true) || !strcmp(c->foreign, c->state))
        perr(&p, "$.foreign", "needs a 2-letter State code other than the State's");
    if (!parse_date(json_string_value(json_object_get(root, "start")), &c->start))
        perr(&p, "$.start", "needs the first day simulated, YYYY-MM-DD");
    c->years = inum(&p, root, "$", "years", 1, 1, 100);
    const char *enc = json_string_value(json_object_get(root, "encoder"));
    custos_strlcpy(c->encoder, enc ? enc : "SIMULATOR,CUSTOS", sizeof c->encoder);
    if (!strchr(c->encoder, ',') || strpbrk(c->encoder, ":/;#"))
        perr(&p, "$.encoder", "needs FAMILY,INITIALS without : / ; #");
    json_t *e = json_object_get(root, "measurement_errors");
    if (e && !json_is_boolean(e))
        perr(&p, "$.measurement_errors", "needs true or false");
    c->errors = !e || json_is_true(e);
    json_t *facs = json_object_get(root, "facilities");
    if (!json_is_array(facs) || json_array_size(facs) == 0 || json_array_size(facs) > 1000) {
        perr(&p, "$.facilities", "needs an array of 1 to 1000 facilities");
        goto done;
    }
    c->facs = custos_calloc(json_array_size(facs), sizeof *c->facs);
    if (!c->facs) {
        err = custos_error_nomem();
        goto done;
    }
    long total_mbas = 0;
    for (size_t i = 0; i < json_array_size(facs) && err >= 0; i++) {
        char path[64];
        snprintf(path, sizeof path, "$.facilities[%zu]", i);
        parse_fac(&p, json_array_get(facs, i), path, &c->facs[c->nfacs++], &err);
        total_mbas += c->facs[c->nfacs - 1].copies;
        /* Codes and prefixes must not collide. */
        for (int j = 0; j + 1 < c->nfacs; j++) {
            const sim_fac_cfg *a = &c->facs[j], *b = &c->facs[c->nfacs - 1];
            size_t n = strlen(a->code) < strlen(b->code) ? strlen(a->code) : strlen(b->code);
            size_t m = strlen(a->mba) < strlen(b->mba) ? strlen(a->mba) : strlen(b->mba);
            if (n && !strncmp(a->code, b->code, n))
                perr(&p, path, "facility code %s collides with facility %s", b->code, a->code);
            if (m && !strncmp(a->mba, b->mba, m))
                perr(&p, path, "MBA code %s collides with MBA %s", b->mba, a->mba);
        }
    }
    if (total_mbas > 5000)
        perr(&p, "$.facilities", "more than 5000 facilities with their copies");
    json_t *dv = json_object_get(root, "diversions");
    if (dv && (!json_is_array(dv) || json_array_size(dv) > 100)) {
        perr(&p, "$.diversions", "needs an array of at most 100 diversions");
    } else if (dv && err >= 0) {
        c->diversions = custos_calloc(json_array_size(dv) + 1, sizeof *c->diversions);
        if (!c->diversions) {
            err = custos_error_nomem();
            goto done;
        }
        for (size_t i = 0; i < json_array_size(dv); i++) {
            char path[64];
            snprintf(path, sizeof path, "$.diversions[%zu]", i);
            parse_diversion(&p, json_array_get(dv, i), path, &c->diversions[c->ndiversions++]);
        }
    }
    json_t *cr = json_object_get(root, "corrections");
    if (cr && (!json_is_array(cr) || json_array_size(cr) > 100)) {
        perr(&p, "$.corrections", "needs an array of at most 100 corrections");
    } else if (cr && err >= 0) {
        c->corrections = custos_calloc(json_array_size(cr) + 1, sizeof *c->corrections);
        if (!c->corrections) {
            err = custos_error_nomem();
            goto done;
        }
        for (size_t i = 0; i < json_array_size(cr); i++) {
            char path[64];
            json_t *o = json_array_get(cr, i);
            snprintf(path, sizeof path, "$.corrections[%zu]", i);
            static const char *const keys[] = {"mba", "after", NULL};
            if (!json_is_object(o)) {
                perr(&p, path, "a correction is a JSON object");
                continue;
            }
            keys_known(&p, o, path, keys);
            sim_correction_cfg *k = &c->corrections[c->ncorrections++];
            const char *mba = json_string_value(json_object_get(o, "mba"));
            if (!code_ok(mba, 4, false))
                perr(&p, path, "\"mba\" needs a 4-character MBA code");
            else
                custos_strlcpy(k->mba, mba, sizeof k->mba);
            if (!parse_date(json_string_value(json_object_get(o, "after")), &k->after))
                perr(&p, path, "\"after\" needs a date YYYY-MM-DD");
        }
    }
done:
    json_decref(root);
    if (custos_alloc_failures() != failed)
        err = CUSTOS_ENOMEM;
    if (err >= 0 && p.errors)
        err = CUSTOS_EINVAL;
    if (err < 0) {
        custos_sim_config_free(c);
        return err == CUSTOS_ENOMEM ? custos_error_nomem() : err;
    }
    *out = c;
    return CUSTOS_OK;
}
