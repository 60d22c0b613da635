/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_facility.c: the facility descriptions the simulator writes: MBAs,
 * KMPs and the measurement model (methods with relative random and
 * systematic uncertainties, measurement points per KMP and material,
 * calibration periods), in the JSON form `custos facility add` reads
 * (docs/formats.md section 2, custos_measurement_parse()).
 *
 * The text is parsed back with custos_facility_parse(), and the errors
 * the simulator draws are looked up in that parsed model with
 * custos_measurement_point_for() and custos_uncertainty_for(): what the
 * reports carry is by construction what the description declares.
 *
 * Default uncertainties are illustrative values of the order of the
 * International Target Values 2010 (IAEA STR-368) for each kind of
 * measurement; they are not the ITV table.  A configuration may state
 * its own per method.
 */
#include <stdio.h>
#include <string.h>

#include "simint.h"

typedef struct kmp_def {
    const char *kmp;
    char kind; /* 'F' flow, 'I' inventory */
    const char *desc;
} kmp_def;

typedef struct point_def {
    const char *kmp;
    const char *mdc;
    const char *material;
    const char *bulk, *element, *isotopic;
} point_def;

typedef struct method_def {
    const char *method;
    const char *material;
    int64_t random_ppm, systematic_ppm;
} method_def;

typedef struct type_def {
    const char *name;       /* facility type of facility.h */
    const kmp_def *kmps;    /* of the first MBA */
    const point_def *points;
    const method_def *methods;
} type_def;

/* Methods: relative standard uncertainties in ppm. */
static const method_def methods_all[] = {
    {"WEIGH-CYL", "UF6", 500, 500},          /* cylinder load cells */
    {"WEIGH-DRUM", "*", 500, 500},
    {"WEIGH-BAL", "*", 200, 200},            /* balances for cans, powder */
    {"GRAV-U", "UF6", 500, 500},             /* U factor of UF6 */
    {"TITR-DG", "*", 1000, 1000},            /* Davies-Gray titration of U */
    {"MS-ISO", "*", 1000, 1000},             /* mass spectrometry, U-235 */
    {"NDA-GAMMA", "WASTE", 100000, 50000},   /* waste drums */
    {"HOLDUP-EST", "*", 50000, 30000},       /* in-process holdup */
    {"VOL-TANK", "*", 3000, 2000},           /* calibrated tank volume */
    {"VOL-PROC", "*", 10000, 5000},          /* in-process vessels */
    {"IDMS", "*", 3000, 2000},               /* isotope dilution MS */
    {"TITR-PU", "*", 1000, 1000},            /* Pu titration */
    {"NDA-CAL", "*", 5000, 3000},            /* calorimetry with gamma */
    {"HLW-SAMPLE", "*", 30000, 20000},       /* high-level waste */
    {"BURNUP-CALC", "*", 20000, 10000},      /* reactor calculation */
    {"BURNUP-ISO", "*", 10000, 5000},
    {NULL, NULL, 0, 0},
};

static const kmp_def conv_kmps[] = {
    {"A", 'F', "receipts of ore concentrate"}, {"B", 'F', "shipments of UF6 cylinders"},
    {"C", 'F', "measured discards"},           {"1", 'I', "ore concentrate store"},
    {"2", 'I', "process"},                     {"3", 'I', "UF6 cylinder store"},
    {NULL, 0, NULL}};
static const point_def conv_points[] = {
    {"A", "F", "UOC", "WEIGH-DRUM", "TITR-DG", NULL},
    {"1", "F", "UOC", "WEIGH-DRUM", "TITR-DG", NULL},
    {"2", "N", "PROCESS", "HOLDUP-EST", "TITR-DG", NULL},
    {"B", "O", "UF6", "WEIGH-CYL", "GRAV-U", NULL},
    {"3", "O", "UF6", "WEIGH-CYL", "GRAV-U", NULL},
    {"C", "T", "WASTE", "WEIGH-DRUM", "NDA-GAMMA", NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

static const kmp_def enr_kmps[] = {
    {"A", 'F', "feed receipts"},    {"B", 'F', "product shipments"}, {"C", 'F', "tails shipments"},
    {"1", 'I', "feed store"},       {"2", 'I', "product store"},     {"3", 'I', "tails store"},
    {"4", 'I', "feed stations"},    {NULL, 0, NULL}};
static const point_def enr_points[] = {
    {"A", "O", "UF6", "WEIGH-CYL", "GRAV-U", NULL},
    {"1", "O", "UF6", "WEIGH-CYL", "GRAV-U", NULL},
    {"4", "O", "UF6", "WEIGH-CYL", "GRAV-U", NULL},
    {"2", "O", "UF6", "WEIGH-CYL", "GRAV-U", "MS-ISO"},
    {"B", "O", "UF6", "WEIGH-CYL", "GRAV-U", "MS-ISO"},
    {"3", "O", "UF6", "WEIGH-CYL", "GRAV-U", "MS-ISO"},
    {"C", "O", "UF6", "WEIGH-CYL", "GRAV-U", "MS-ISO"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

static const kmp_def fab_kmps[] = {
    {"A", 'F', "UF6 receipts"},     {"B", 'F', "assembly shipments"}, {"C", 'F', "measured discards"},
    {"1", 'I', "cylinder store"},   {"2", 'I', "powder and pellets"}, {"3", 'I', "scrap store"},
    {"4", 'I', "assembly store"},   {NULL, 0, NULL}};
static const point_def fab_points[] = {
    {"A", "O", "UF6", "WEIGH-CYL", "GRAV-U", "MS-ISO"},
    {"1", "O", "UF6", "WEIGH-CYL", "GRAV-U", "MS-ISO"},
    {"2", "G", "UO2", "WEIGH-BAL", "TITR-DG", "MS-ISO"},
    {"3", "R", "SCRAP", "WEIGH-BAL", "TITR-DG", "MS-ISO"},
    {"4", "B", "ASSEMBLY", "WEIGH-BAL", "TITR-DG", "MS-ISO"},
    {"B", "B", "ASSEMBLY", "WEIGH-BAL", "TITR-DG", "MS-ISO"},
    {"C", "T", "WASTE", "WEIGH-DRUM", "NDA-GAMMA", "MS-ISO"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

static const kmp_def reactor_kmps[] = {
    {"A", 'F', "fresh fuel receipts"}, {"B", 'F', "spent fuel shipments"},
    {"D", 'F', "nuclear loss and production"}, {"1", 'I', "fresh fuel store"},
    {"2", 'I', "core"},                {"3", 'I', "spent fuel pond"},
    {NULL, 0, NULL}};
static const point_def reactor_points[] = {
    {"D", "B", "IRRADIATED-FUEL", NULL, "BURNUP-CALC", "BURNUP-ISO"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

static const kmp_def store_kmps[] = {
    {"A", 'F', "receipts"}, {"B", 'F', "shipments"}, {"1", 'I', "store"}, {NULL, 0, NULL}};
static const point_def spent_points[] = {{NULL, NULL, NULL, NULL, NULL, NULL}};
static const point_def pustore_points[] = {
    {"A", "F", "PUO2", "WEIGH-BAL", "NDA-CAL", NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

static const kmp_def rep_kmps[] = {
    {"A", 'F', "input accountability"}, {"B", 'F', "Pu product shipments"},
    {"C", 'F', "U product shipments"},  {"D", 'F', "high-level waste discards"},
    {"1", 'I', "accountability and feed tanks"}, {"2", 'I', "extraction cycles"},
    {"3", 'I', "Pu product"},           {"4", 'I', "U product"},
    {"5", 'I', "high-level waste tank"}, {NULL, 0, NULL}};
static const point_def rep_points[] = {
    {"A", "N", "INPUT-SOLUTION", "VOL-TANK", "IDMS", "MS-ISO"},
    {"1", "N", "INPUT-SOLUTION", "VOL-TANK", "IDMS", "MS-ISO"},
    {"2", "N", "PROCESS", "VOL-PROC", "IDMS", "MS-ISO"},
    {"3", "F", "PUO2", "WEIGH-BAL", "TITR-PU", NULL},
    {"B", "F", "PUO2", "WEIGH-BAL", "TITR-PU", NULL},
    {"4", "F", "UO3", "WEIGH-BAL", "TITR-DG", "MS-ISO"},
    {"C", "F", "UO3", "WEIGH-BAL", "TITR-DG", "MS-ISO"},
    {"5", "U", "HLW", "VOL-TANK", "HLW-SAMPLE", "MS-ISO"},
    {"D", "U", "HLW", "VOL-TANK", "HLW-SAMPLE", "MS-ISO"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

static const kmp_def blend_kmps[] = {
    {"A", 'F', "HEU receipts"},     {"E", 'F', "blendstock receipts"}, {"B", 'F', "LEU shipments"},
    {"C", 'F', "measured discards"}, {"1", 'I', "HEU store"},          {"2", 'I', "blendstock store"},
    {"3", 'I', "LEU product store"}, {NULL, 0, NULL}};
static const point_def blend_points[] = {
    {"A", "F", "HEU-OXIDE", "WEIGH-BAL", "TITR-DG", "MS-ISO"},
    {"1", "F", "HEU-OXIDE", "WEIGH-BAL", "TITR-DG", "MS-ISO"},
    {"E", "O", "UF6", "WEIGH-CYL", "GRAV-U", "MS-ISO"},
    {"2", "O", "UF6", "WEIGH-CYL", "GRAV-U", "MS-ISO"},
    {"3", "O", "UF6", "WEIGH-CYL", "GRAV-U", "MS-ISO"},
    {"B", "O", "UF6", "WEIGH-CYL", "GRAV-U", "MS-ISO"},
    {"C", "T", "WASTE", "WEIGH-DRUM", "NDA-GAMMA", "MS-ISO"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

static const type_def type_defs[SIM_NTYPES] = {
    [SIM_CONVERSION] = {"conversion", conv_kmps, conv_points, methods_all},
    [SIM_ENRICHMENT] = {"enrichment", enr_kmps, enr_points, methods_all},
    [SIM_FABRICATION] = {"fuel-fabrication", fab_kmps, fab_points, methods_all},
    [SIM_POWER_REACTOR] = {"power-reactor", reactor_kmps, reactor_points, methods_all},
    [SIM_RESEARCH_REACTOR] = {"research-reactor", reactor_kmps, reactor_points, methods_all},
    [SIM_SPENT_FUEL] = {"spent-fuel-storage", store_kmps, spent_points, methods_all},
    [SIM_REPROCESSING] = {"reprocessing", rep_kmps, rep_points, methods_all},
    [SIM_PU_STORE] = {"plutonium-store", store_kmps, pustore_points, methods_all},
    [SIM_DOWNBLENDING] = {"down-blending", blend_kmps, blend_points, methods_all},
};

const char *sim_type_name(sim_type t)
{
    return t < SIM_NTYPES ? type_defs[t].name : "other";
}

/* "0.000500" from ppm, without floating-point text. */
static int put_ppm(custos_buf *b, int64_t ppm)
{
    return custos_buf_printf(b, "%lld.%06lld", (long long)(ppm / 1000000),
                             (long long)(ppm % 1000000));
}

static int put_date(custos_buf *b, custos_date d)
{
    char iso[11];
    custos_date_iso(iso, d);
    return custos_buf_printf(b, "\"%s\"", iso);
}

static bool method_used(const type_def *t, const char *m)
{
    for (const point_def *p = t->points; p->kmp; p++)
        if ((p->bulk && !strcmp(p->bulk, m)) || (p->element && !strcmp(p->element, m)) ||
            (p->isotopic && !strcmp(p->isotopic, m)))
            return true;
    return false;
}

static void method_figures(const sim_fac_cfg *c, const method_def *m, int64_t *r, int64_t *sy)
{
    *r = m->random_ppm;
    *sy = m->systematic_ppm;
    for (int i = 0; i < c->nmethods; i++)
        if (!strcmp(c->methods[i].method, m->method)) {
            *r = c->methods[i].random_ppm;
            *sy = c->methods[i].systematic_ppm;
        }
}

int sim_facility_describe(sim *s, sim_fac *f)
{
    const sim_fac_cfg *c = f->cfg;
    const type_def *t = &type_defs[c->type];
    custos_buf b;
    custos_buf_init(&b, 16u << 20);
    int err = CUSTOS_OK;
    custos_diags *d = NULL;
#define P(...)                                                                                     \
    do {                                                                                           \
        if ((err = custos_buf_printf(&b, __VA_ARGS__)) < 0)                                       \
            goto done;                                                                             \
    } while (0)
    P("{\n  \"state\": \"%s\",\n  \"facility\": \"%s\",\n  \"name\": \"", s->cfg->state, f->code);
    /* The configured name, with the copy's code when there are copies. */
    for (const char *p = c->name; *p; p++)
        if (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
            P("%c", *p);
    if (c->copies > 1)
        P(" %s", f->code);
    P("\",\n  \"type\": \"%s\",\n  \"mbas\": [\n", t->name);
    for (int i = 0; i < f->nmba; i++) {
        P("    {\"mba\": \"%s\", \"kmps\": [\n", f->mba[i]->code);
        for (const kmp_def *k = t->kmps; k->kmp; k++)
            P("      {\"kmp\": \"%s\", \"kind\": \"%s\", \"description\": \"%s\"}%s\n", k->kmp,
              k->kind == 'F' ? "flow" : "inventory", k->desc, k[1].kmp ? "," : "");
        P("    ]}%s\n", i + 1 < f->nmba ? "," : "");
    }
    P("  ],\n  \"measurement\": {\n    \"methods\": [\n");
    bool first = true;
    for (const method_def *m = t->methods; m->method; m++) {
        if (!method_used(t, m->method))
            continue;
        int64_t r, sy;
        method_figures(c, m, &r, &sy);
        P("%s      {\"method\": \"%s\", \"material\": \"%s\", \"random\": ", first ? "" : ",\n",
          m->method, m->material);
        if ((err = put_ppm(&b, r)) < 0)
            goto done;
        P(", \"systematic\": ");
        if ((err = put_ppm(&b, sy)) < 0)
            goto done;
        P(", \"source\": \"%s\"}", c->nmethods ? "simulator configuration"
                                               : "custos simulator default, of the order of the "
                                                 "ITV 2010 (IAEA STR-368)");
        first = false;
    }
    P("\n    ],\n    \"points\": [\n");
    first = true;
    for (int i = 0; i < f->nmba; i++)
        for (const point_def *p = t->points; p->kmp; p++) {
            P("%s      {\"mba\": \"%s\", \"kmp\": \"%s\", \"mdc\": \"%s\", \"material\": \"%s\"",
              first ? "" : ",\n", f->mba[i]->code, p->kmp, p->mdc, p->material);
            if (p->bulk)
                P(", \"bulk\": \"%s\"", p->bulk);
            if (p->element)
                P(", \"element\": \"%s\"", p->element);
            if (p->isotopic)
                P(", \"isotopic\": \"%s\"", p->isotopic);
            P("}");
            first = false;
        }
    P("\n    ],\n    \"calibration_periods\": [\n");
    first = true;
    int days = custos_date_diff(s->start, s->end) + 1;
    int step = c->calibration_days > 0 ? c->calibration_days : days;
    for (const method_def *m = t->methods; m->method; m++) {
        if (!method_used(t, m->method))
            continue;
        for (int k = 0; k < days; k += step) {
            custos_date a = custos_date_add(s->start, k);
            custos_date e = custos_date_add(s->start, (k + step < days ? k + step : days) - 1);
            P("%s      {\"method\": \"%s\", \"start\": ", first ? "" : ",\n", m->method);
            if ((err = put_date(&b, a)) < 0)
                goto done;
            P(", \"end\": ");
            if ((err = put_date(&b, e)) < 0)
                goto done;
            P("}");
            first = false;
        }
    }
    P("\n    ],\n    \"unmeasured\": {\"random\": 0.005000, \"systematic\": 0.002000, "
      "\"source\": \"shipper's or book value carried, not measured here\"}\n  }\n}\n");
#undef P
    if ((err = custos_diags_new(&d)) < 0)
        goto done;
    if ((err = custos_facility_parse(&f->desc, f->code, b.data, b.len, d)) < 0) {
        if (err == CUSTOS_EINVAL)
            err = custos_error_set(CUSTOS_EINVAL, "facility %s: the description the simulator "
                                                  "wrote does not parse: %s",
                                   f->code, custos_last_error());
        goto done;
    }
    /* One systematic-error slot per method of the model. */
    f->nsys = (int)f->desc->measurement.nmethods;
    f->sys = custos_calloc((size_t)f->nsys + 1, sizeof *f->sys);
    if (!f->sys) {
        err = custos_error_nomem();
        goto done;
    }
    for (int i = 0; i < f->nsys; i++) {
        const custos_uncertainty *u = &f->desc->measurement.methods[i];
        custos_strlcpy(f->sys[i].method, u->method, sizeof f->sys[i].method);
        f->sys[i].random = u->random;
        f->sys[i].systematic = u->systematic;
        f->sys[i].period = -1;
    }
    f->json = b.data;
    f->json_len = b.len;
    b.data = NULL;
done:
    custos_diags_free(d);
    custos_buf_dispose(&b);
    return err;
}
