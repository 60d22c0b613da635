/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.c: the Code 10 code lists, dates, weight formatting, and the
 * report container.
 *
 * The code lists are Code 10's as restated in shared/spec/code10.md:
 * weight labels with their units and element categories, inventory change
 * codes with their kinds, MBR line codes, and the letters of the four
 * parts of the material description code.
 */
#include <stdio.h>
#include <string.h>

#include "custos/report.h"
#include "internal.h"

struct weight_info {
    int label;
    char unit;
    char category;
    bool element;
    const char *name;
};

/* Grams for Pu, enriched and unified U and the isotopes; kilograms for
 * natural U, depleted U and Th (Code 10, weight labels). */
static const struct weight_info weights[CUSTOS_NWEIGHTS] = {
    {600, 'G', 'U', true, "unified U"},
    {610, 'K', 'N', true, "natural U"},
    {620, 'K', 'D', true, "depleted U"},
    {630, 'G', 'E', true, "enriched U"},
    {640, 'G', 'E', false, "U-233"},
    {650, 'G', 'E', false, "U-234"},
    {660, 'G', 'E', false, "U-233+U-235"},
    {670, 'G', 'E', false, "U-235"},
    {680, 'G', 'E', false, "U-236"},
    {690, 'G', 'E', false, "U-238"},
    {700, 'G', 'P', true, "Pu"},
    {710, 'G', 'P', false, "Pu-238"},
    {720, 'G', 'P', false, "Pu-239"},
    {730, 'G', 'P', false, "Pu-240"},
    {740, 'G', 'P', false, "Pu-241"},
    {750, 'G', 'P', false, "Pu-242"},
    {760, 'G', 'P', false, "Pu-239+Pu-241"},
    {770, 'G', 'N', false, "fissile content of natural U"},
    {780, 'G', 'D', false, "fissile content of depleted U"},
    {800, 'K', 'T', true, "Th"},
};

int custos_weight_label(int index)
{
    return index >= 0 && index < CUSTOS_NWEIGHTS ? weights[index].label : 0;
}

int custos_weight_index(int label)
{
    if (label == 800)
        return 19;
    if (label < 600 || label > 780 || label % 10)
        return -1;
    return (label - 600) / 10;
}

char custos_weight_unit(int label)
{
    int i = custos_weight_index(label);
    return i < 0 ? 0 : weights[i].unit;
}

char custos_weight_category(int label)
{
    int i = custos_weight_index(label);
    return i < 0 ? 0 : weights[i].category;
}

bool custos_weight_is_element(int label)
{
    int i = custos_weight_index(label);
    return i >= 0 && weights[i].element;
}

const char *custos_weight_name(int label)
{
    int i = custos_weight_index(label);
    return i < 0 ? NULL : weights[i].name;
}

struct code_info {
    const char *code;
    custos_change_kind kind;
    const char *name;
};

/* Inventory change codes in the order of Code 10's table. */
static const struct code_info changes[] = {
    {"RF", CUSTOS_CHANGE_INCREASE, "receipt foreign"},
    {"RD", CUSTOS_CHANGE_INCREASE, "receipt domestic"},
    {"RS", CUSTOS_CHANGE_INCREASE, "receipt at the starting point of safeguards"},
    {"RN", CUSTOS_CHANGE_INCREASE, "receipt from a non-safeguarded activity"},
    {"NP", CUSTOS_CHANGE_INCREASE, "nuclear production"},
    {"DU", CUSTOS_CHANGE_INCREASE, "de-exemption (use)"},
    {"DQ", CUSTOS_CHANGE_INCREASE, "de-exemption (quantity)"},
    {"FW", CUSTOS_CHANGE_INCREASE, "retransfer from retained waste"},
    {"GA", CUSTOS_CHANGE_INCREASE, "accidental gain"},
    {"SF", CUSTOS_CHANGE_DECREASE, "shipment foreign"},
    {"SD", CUSTOS_CHANGE_DECREASE, "shipment domestic"},
    {"SN", CUSTOS_CHANGE_DECREASE, "shipment to a non-safeguarded activity"},
    {"LN", CUSTOS_CHANGE_DECREASE, "nuclear loss"},
    {"LD", CUSTOS_CHANGE_DECREASE, "measured discard"},
    {"TW", CUSTOS_CHANGE_DECREASE, "transfer to retained waste"},
    {"EU", CUSTOS_CHANGE_DECREASE, "exemption (use)"},
    {"EQ", CUSTOS_CHANGE_DECREASE, "exemption (quantity)"},
    {"TU", CUSTOS_CHANGE_DECREASE, "termination of safeguards"},
    {"LA", CUSTOS_CHANGE_DECREASE, "accidental loss"},
    {"EN", CUSTOS_CHANGE_CATEGORY, "category change enriched to natural"},
    {"ED", CUSTOS_CHANGE_CATEGORY, "category change enriched to depleted"},
    {"NE", CUSTOS_CHANGE_CATEGORY, "category change natural to enriched"},
    {"ND", CUSTOS_CHANGE_CATEGORY, "category change natural to depleted"},
    {"DE", CUSTOS_CHANGE_CATEGORY, "category change depleted to enriched"},
    {"DN", CUSTOS_CHANGE_CATEGORY, "category change depleted to natural"},
    {"DI", CUSTOS_CHANGE_DIFFERENCE, "shipper/receiver difference"},
    {"RM", CUSTOS_CHANGE_REBATCH, "rebatching decrease"},
    {"RP", CUSTOS_CHANGE_REBATCH, "rebatching increase"},
};
#define NCHANGES ((int)(sizeof changes / sizeof changes[0]))

static const struct code_info mbr_lines[] = {
    {"PB", CUSTOS_CHANGE_NONE, "physical beginning inventory"},
    {"BE", CUSTOS_CHANGE_NONE, "book ending inventory"},
    {"BA", CUSTOS_CHANGE_NONE, "adjusted book ending inventory"},
    {"PE", CUSTOS_CHANGE_NONE, "physical ending inventory"},
    {"MF", CUSTOS_CHANGE_NONE, "material unaccounted for"},
    {"RABE", CUSTOS_CHANGE_NONE, "rounding adjustment of BE"},
    {"RABA", CUSTOS_CHANGE_NONE, "rounding adjustment of BA"},
    {"RAMF", CUSTOS_CHANGE_NONE, "rounding adjustment of MF"},
};

custos_change_kind custos_change_code_kind(const char *code)
{
    if (!code || strlen(code) != 2)
        return CUSTOS_CHANGE_NONE;
    for (int i = 0; i < NCHANGES; i++)
        if (code[0] == changes[i].code[0] && code[1] == changes[i].code[1])
            return changes[i].kind;
    return CUSTOS_CHANGE_NONE;
}

const char *custos_code_name(const char *code)
{
    if (!code)
        return NULL;
    for (int i = 0; i < NCHANGES; i++)
        if (!strcmp(code, changes[i].code))
            return changes[i].name;
    for (size_t i = 0; i < sizeof mbr_lines / sizeof mbr_lines[0]; i++)
        if (!strcmp(code, mbr_lines[i].code))
            return mbr_lines[i].name;
    return NULL;
}

int custos_change_code_count(void)
{
    return NCHANGES;
}

const char *custos_change_code_at(int i)
{
    return i >= 0 && i < NCHANGES ? changes[i].code : NULL;
}

int custos_change_sign(const char *code, int label)
{
    switch (custos_change_code_kind(code)) {
    case CUSTOS_CHANGE_INCREASE: return 1;
    case CUSTOS_CHANGE_DECREASE: return -1;
    case CUSTOS_CHANGE_CATEGORY: {
        char cat = custos_weight_category(label);
        if (cat == code[0])
            return -1;
        if (cat == code[1])
            return 1;
        return 0;
    }
    default: return 0;
    }
}

bool custos_mbr_code_valid(const char *code)
{
    if (custos_change_code_kind(code) != CUSTOS_CHANGE_NONE)
        return true;
    for (size_t i = 0; i < sizeof mbr_lines / sizeof mbr_lines[0]; i++)
        if (!strcmp(code, mbr_lines[i].code))
            return true;
    return false;
}

/* Letters of the material description code, label 430, parts a to d. */
static const char *const mdc_letters[4] = {
    "BDFGHJKNRQSTUVO",                 /* a: physical form */
    "DEGJKQTURVWXYZ1234567O",          /* b: chemical form */
    "12345678AEGHJKLMNQRUVO",          /* c: containment or volume class */
    "FGAHBJCKDLEM",                    /* d: irradiation and quality */
};

bool custos_mdc_part_valid(int part, char c)
{
    if (part < 0 || part > 3 || c == '\0')
        return false;
    return strchr(mdc_letters[part], c) != NULL;
}

static const int label_bits[CUSTOS_NLABELBITS] = {
    1, 2, 3, 6, 10, 15, 99, 207, 307, 309, 310, 370, 372,
    390, 391, 407, 411, 412, 430, 435, 436, 446, 447, 469, 470,
};

int custos_label_of_bit(int bit)
{
    return bit >= 0 && bit < CUSTOS_NLABELBITS ? label_bits[bit] : 0;
}

int custos_bit_of_label(int label)
{
    /* Called for every element read: a table indexed by label holding the
     * bit + 1 (0: not a label), the same as label_bits above. */
    static const signed char bit1[471] = {
        [1] = 1,     [2] = 2,     [3] = 3,     [6] = 4,     [10] = 5,    [15] = 6,    [99] = 7,
        [207] = 8,   [307] = 9,   [309] = 10,  [310] = 11,  [370] = 12,  [372] = 13,  [390] = 14,
        [391] = 15,  [407] = 16,  [411] = 17,  [412] = 18,  [430] = 19,  [435] = 20,  [436] = 21,
        [446] = 22,  [447] = 23,  [469] = 24,  [470] = 25,
    };
    return label >= 0 && label <= 470 ? bit1[label] - 1 : -1;
}

/* ---- dates ---------------------------------------------------------- */

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

bool custos_date_valid(custos_date d)
{
    int y = d / 10000, m = d / 100 % 100, day = d % 100;
    return y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && day >= 1 && day <= month_days(y, m);
}

/* Days since 1970-01-01 (civil-from-days inverse, Howard Hinnant's
 * algorithm restated). */
static long to_days(custos_date d)
{
    long y = d / 10000, m = d / 100 % 100, day = d % 100;
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static custos_date from_days(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    return (custos_date)(y * 10000 + m * 100 + d);
}

custos_date custos_date_add(custos_date d, int days)
{
    return from_days(to_days(d) + days);
}

int custos_date_diff(custos_date a, custos_date b)
{
    return (int)(to_days(b) - to_days(a));
}

void custos_date_iso(char buf[11], custos_date d)
{
    unsigned v = (unsigned)d % 100000000u;
    static const int pos[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    for (int i = 7; i >= 0; i--) {
        buf[pos[i]] = (char)('0' + v % 10);
        v /= 10;
    }
    buf[4] = buf[7] = '-';
    buf[10] = '\0';
}

/* ---- weights -------------------------------------------------------- */

/* Writes v (>= 0) in decimal backwards ending at end; returns the start. */
static char *utoa_back(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

static int format_scaled(char buf[32], int64_t mg, uint64_t scale, int decimals, bool strip)
{
    char tmp[32];
    char *end = tmp + sizeof tmp;
    char *p = end;
    uint64_t a = mg < 0 ? (uint64_t)0 - (uint64_t)mg : (uint64_t)mg;
    uint64_t whole = a / scale, frac = a % scale;
    if (!(strip && frac == 0)) {
        char digits[8];
        for (int i = decimals - 1; i >= 0; i--) {
            digits[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        int nd = decimals;
        while (strip && nd > 0 && digits[nd - 1] == '0')
            nd--;
        p -= nd;
        memcpy(p, digits, (size_t)nd);
        *--p = '.';
    }
    p = utoa_back(p, whole);
    if (mg < 0)
        *--p = '-';
    size_t n = (size_t)(end - p);
    memcpy(buf, p, n);
    buf[n] = '\0';
    return (int)n;
}

int custos_weight_format(char buf[32], int64_t mg, char unit)
{
    bool kilo = unit == 'K';
    int n = format_scaled(buf, mg, kilo ? 1000000u : 1000u, kilo ? 6 : 3, true);
    buf[n++] = kilo ? 'K' : 'G';
    buf[n] = '\0';
    return n;
}

int custos_grams_format(char buf[32], int64_t mg)
{
    return format_scaled(buf, mg, 1000u, 3, false);
}

/* ---- report container ----------------------------------------------- */

int custos_report_new(custos_report **out)
{
    custos_report *r = custos_calloc(1, sizeof *r);
    *out = r;
    return r ? CUSTOS_OK : custos_error_nomem();
}

void custos_report_free(custos_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        custos_free(r->entries[i].note);
        custos_free(r->entries[i].own_desc);
    }
    custos_free(r->entries);
    custos_free(r->source);
    custos_free(r);
}

int custos_report_add_entry(custos_entry **out, custos_report *r)
{
    *out = NULL;
    if (r->n >= CUSTOS_MAX_ENTRIES)
        return custos_error_set(CUSTOS_ETOOBIG, "report has more than %d entries (limit)",
                                CUSTOS_MAX_ENTRIES);
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        custos_entry *p = custos_realloc(r->entries, cap * sizeof *p);
        if (!p)
            return custos_error_nomem();
        r->entries = p;
        r->cap = cap;
    }
    custos_entry *e = &r->entries[r->n++];
    memset(e, 0, sizeof *e);
    *out = e;
    return CUSTOS_OK;
}

int custos_entry_set_text(char **field, const char *s, size_t len)
{
    char *p = custos_malloc(len + 1);
    if (!p)
        return custos_error_nomem();
    memcpy(p, s, len);
    p[len] = '\0';
    custos_free(*field);
    *field = p;
    return CUSTOS_OK;
}

int custos_report_set_source(custos_report *r, const char *source)
{
    char *p = custos_strdup(source ? source : "");
    if (!p)
        return custos_error_nomem();
    custos_free(r->source);
    r->source = p;
    return CUSTOS_OK;
}

int64_t custos_entry_weight(const custos_entry *e, int label, bool *has)
{
    int i = custos_weight_index(label);
    bool h = i >= 0 && (e->wmask >> i & 1u);
    if (has)
        *has = h;
    return h ? e->mg[i] : 0;
}
