/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fields.c: the content of each Code 10 label, parsed and formatted.
 *
 * Parsing checks the syntax of one value and the code lists that a single
 * value can be checked against (report types, inventory change codes,
 * material description letters, weight units).  Rules that involve
 * several labels or entries live in validate.c.  Formatting writes the
 * canonical content: dates as YYYYMMDD, weights with only the decimals
 * they need, one unit letter fixed by the label.
 */
#include <stdio.h>
#include <string.h>

#include "fields.h"

const int custos_field_order[] = {
    1,   2,   3,   6,   10,  15,  99,  207, 307, 309, 310, 370, 372, 390, 391, 407, 411,
    412, 430, 435, 436, 446, 447, 469, 470, 600, 610, 620, 630, 640, 650, 660, 670, 680,
    690, 700, 710, 720, 730, 740, 750, 760, 770, 780, 800, 0,
};

bool custos_field_is_header(int label)
{
    switch (label) {
    case 1: case 3: case 6: case 10: case 15: case 207: case 307: return true;
    default: return false;
    }
}

bool custos_field_allowed(char kind, int label)
{
    if (kind == 'N')
        return label == 1 || label == 2 || label == 3 || label == 99 || label == 207 ||
               label == 307 || label == 391;
    return label != 99;
}

#define FAIL(...)                                   \
    do {                                            \
        snprintf(msg, msgsize, __VA_ARGS__);        \
        return CUSTOS_EINVAL;                       \
    } while (0)

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_code_char(char c)
{
    return is_upper(c) || is_digit(c);
}

/* A value as a C string, for messages: at most 40 characters shown. */
static const char *shown(const char *s, size_t len, char out[48])
{
    size_t n = len > 40 ? 40 : len;
    for (size_t i = 0; i < n; i++)
        out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (len > 40) {
        out[40] = out[41] = out[42] = '.';
        n = 43;
    }
    out[n] = '\0';
    return out;
}

/* Parse a decimal integer of 1..18 digits. */
static bool parse_uint(const char *s, size_t len, int64_t *out)
{
    if (len == 0 || len > 18)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* YYYYMMDD, or YYMMDD (years 00-69 are 20xx, 70-99 are 19xx). */
static bool parse_date(const char *s, size_t len, custos_date *out)
{
    int64_t v;
    if ((len != 8 && len != 6) || !parse_uint(s, len, &v))
        return false;
    if (len == 6) {
        int64_t yy = v / 10000;
        v += (yy < 70 ? 20000000 : 19000000);
    }
    if (!custos_date_valid((custos_date)v))
        return false;
    *out = (custos_date)v;
    return true;
}

/* Free text: printable ASCII without the reserved characters. */
static bool text_ok(const char *s, size_t len, bool capitals)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c < 0x20 || c > 0x7e || c == ':' || c == '/' || c == ';' || c == '#')
            return false;
        if (capitals && c >= 'a' && c <= 'z')
            return false;
    }
    return true;
}

/* Why a text value is refused, for the message: "holds the reserved
 * character '/'", "holds a character other than printable ASCII", "holds a
 * small letter"; "" when text_ok() accepts it. */
static const char *text_problem(const char *s, size_t len, bool capitals, char buf[48])
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ':' || c == '/' || c == ';' || c == '#') {
            snprintf(buf, 48, "holds the reserved character '%c'", c);
            return buf;
        }
        if (c < 0x20 || c > 0x7e)
            return "holds a character other than printable ASCII";
        if (capitals && c >= 'a' && c <= 'z')
            return "holds a small letter";
    }
    return "";
}

static bool code_ok(const char *s, size_t len, size_t min, size_t max)
{
    if (len < min || len > max)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_code_char(s[i]))
            return false;
    return true;
}

static bool state_ok(const char *s, size_t len)
{
    return len == 2 && is_upper(s[0]) && is_upper(s[1]);
}

static void copy(char *dst, const char *s, size_t len)
{
    memcpy(dst, s, len);
    dst[len] = '\0';
}

static const char *find(const char *s, size_t len, char c)
{
    return memchr(s, c, len);
}

/* "XA;123" into state and report number. */
static bool parse_ref(const char *s, size_t len, char state[3], int64_t *number)
{
    const char *semi = find(s, len, ';');
    if (!semi || !state_ok(s, (size_t)(semi - s)))
        return false;
    copy(state, s, 2);
    size_t rest = len - (size_t)(semi - s) - 1;
    return parse_uint(semi + 1, rest, number) && *number > 0;
}

/* "XA" or "XA/XAFF". */
static bool parse_party(const char *s, size_t len, custos_party *p)
{
    const char *slash = find(s, len, '/');
    size_t sl = slash ? (size_t)(slash - s) : len;
    if (!state_ok(s, sl))
        return false;
    copy(p->state, s, 2);
    p->code[0] = '\0';
    if (slash) {
        size_t cl = len - sl - 1;
        if (!code_ok(slash + 1, cl, 4, 4))
            return false;
        copy(p->code, slash + 1, cl);
    }
    return true;
}

/*
 * A weight: optional '-', digits, optional '.' and up to 3 (grams) or 6
 * (kilograms) decimals, then the unit letter, which must be the label's.
 */
static int parse_weight(custos_entry *e, int label, const char *s, size_t len, char *msg,
                        size_t msgsize)
{
    char sh[48];
    char unit = custos_weight_unit(label);
    if (len < 2)
        FAIL("weight '%s' has no value or unit", shown(s, len, sh));
    char u = s[len - 1];
    if (u != 'G' && u != 'K')
        FAIL("weight '%s' does not end in the unit G or K", shown(s, len, sh));
    if (u != unit)
        FAIL("weight '%s' is in %s; label %03d is reported in %s", shown(s, len, sh),
             u == 'G' ? "grams" : "kilograms", label, unit == 'G' ? "grams" : "kilograms");
    size_t i = 0, n = len - 1;
    bool neg = false;
    if (s[0] == '-') {
        neg = true;
        i = 1;
    }
    int maxdec = unit == 'K' ? 6 : 3;
    int64_t scale = unit == 'K' ? 1000000 : 1000;
    int64_t whole = 0, frac = 0;
    int intdigits = 0, decimals = 0;
    for (; i < n && is_digit(s[i]); i++) {
        if (++intdigits > 12)
            FAIL("weight '%s' is too large (more than 12 digits before the decimal point)",
                 shown(s, len, sh));
        whole = whole * 10 + (s[i] - '0');
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && is_digit(s[i]); i++) {
            if (++decimals > maxdec)
                FAIL("weight '%s' has more than %d decimals (finer than a milligram)",
                     shown(s, len, sh), maxdec);
            frac = frac * 10 + (s[i] - '0');
        }
        if (decimals == 0)
            FAIL("weight '%s' has no digits after the decimal point", shown(s, len, sh));
    }
    if (i != n || intdigits == 0)
        FAIL("weight '%s' is not a number followed by its unit", shown(s, len, sh));
    for (int k = decimals; k < maxdec; k++)
        frac *= 10;
    int64_t mg = whole * scale + frac;
    int idx = custos_weight_index(label);
    e->mg[idx] = neg ? -mg : mg;
    e->wmask |= 1u << idx;
    return CUSTOS_OK;
}

static int parse_status(custos_entry *e, const char *s, size_t len, char *msg, size_t msgsize)
{
    char sh[48];
    if (len == 1 && (s[0] == 'N' || s[0] == 'U')) {
        e->status = s[0];
        return CUSTOS_OK;
    }
    if (len >= 2 && (s[0] == 'C' || s[0] == 'D' || s[0] == 'A') && s[1] == '/') {
        const char *rest = s + 2;
        size_t rl = len - 2;
        const char *slash = find(rest, rl, '/');
        int64_t ent;
        if (!slash || !parse_ref(rest, (size_t)(slash - rest), e->ref_state, &e->ref_report) ||
            !parse_uint(slash + 1, rl - (size_t)(slash - rest) - 1, &ent) || ent <= 0 ||
            ent > CUSTOS_MAX_ENTRIES)
            FAIL("entry status '%s' is not %c/STATE;REPORT/ENTRY", shown(s, len, sh), s[0]);
        e->status = s[0];
        e->ref_entry = (int32_t)ent;
        return CUSTOS_OK;
    }
    FAIL("entry status '%s' is not N, U, C/..., D/... or A/...", shown(s, len, sh));
}

static int parse_measurement(custos_entry *e, const char *s, size_t len, char *msg,
                             size_t msgsize)
{
    char sh[48];
    if (len < 1 || !strchr("MTNL", s[0]) || (len > 1 && s[1] != '/'))
        FAIL("measurement basis '%s' is not M, T, N or L", shown(s, len, sh));
    e->basis = s[0];
    if (len <= 2) {
        if (len == 2)
            FAIL("measurement '%s' ends with a separator", shown(s, len, sh));
        return CUSTOS_OK;
    }
    const char *kmp = s + 2;
    size_t rest = len - 2;
    const char *slash = find(kmp, rest, '/');
    size_t kl = slash ? (size_t)(slash - kmp) : rest;
    if (kl > 0 && !code_ok(kmp, kl, 1, 2))
        FAIL("measurement KMP '%s' is not 1-2 letters or digits", shown(kmp, kl, sh));
    copy(e->basis_kmp, kmp, kl);
    if (slash) {
        size_t ml = rest - kl - 1;
        if (!code_ok(slash + 1, ml, 1, 16))
            FAIL("measurement method '%s' is not 1-16 letters or digits",
                 shown(slash + 1, ml, sh));
        copy(e->basis_method, slash + 1, ml);
    } else if (kl == 0) {
        FAIL("measurement '%s' has an empty KMP", shown(s, len, sh));
    }
    return CUSTOS_OK;
}

int custos_field_parse(custos_entry *e, custos_hdr *h, int label, const char *s, size_t len,
                       char *msg, size_t msgsize)
{
    char sh[48], why[48];
    int64_t v;
    int bit = custos_bit_of_label(label);
    int widx = custos_weight_index(label);

    if (bit < 0 && widx < 0)
        FAIL("unknown label %03d", label);
    if (len == 0)
        FAIL("empty value");
    if (custos_field_is_header(label)) {
        if (h->present & (1u << bit))
            FAIL("label %03d given twice in one entry", label);
        h->present |= 1u << bit;
    } else if (bit >= 0) {
        if (e->present & (1ull << bit))
            FAIL("label %03d given twice in one entry", label);
        e->present |= 1ull << bit;
    } else if (e->wmask & (1u << widx)) {
        FAIL("label %03d given twice in one entry", label);
    }
    if (widx >= 0)
        return parse_weight(e, label, s, len, msg, msgsize);

    switch (label) {
    case 1:
        if (len < 4 || s[2] != '/' || !((s[0] == 'O' && s[1] == 'I') || (s[0] == 'N' && s[1] == 'C')))
            FAIL("reference '%s' does not start with OI/ or NC/", shown(s, len, sh));
        if (!parse_ref(s + 3, len - 3, h->state, &h->number))
            FAIL("reference '%s' is not OI/STATE;NUMBER or NC/STATE;NUMBER", shown(s, len, sh));
        h->kind = s[0] == 'O' ? 'O' : 'N';
        e->kind = h->kind;
        return CUSTOS_OK;
    case 2: {
        const char *slash = find(s, len, '/');
        size_t nl = slash ? (size_t)(slash - s) : len;
        if (!parse_uint(s, nl, &v) || v <= 0 || v > CUSTOS_MAX_ENTRIES)
            FAIL("entry number '%s' is not a positive integer up to %d", shown(s, len, sh),
                 CUSTOS_MAX_ENTRIES);
        e->number = (int32_t)v;
        if (slash) {
            if (!parse_uint(slash + 1, len - nl - 1, &v) || v <= 0 || v > CUSTOS_MAX_ENTRIES)
                FAIL("entry total '%s' is not a positive integer up to %d", shown(s, len, sh),
                     CUSTOS_MAX_ENTRIES);
            e->total = (int32_t)v;
        }
        return CUSTOS_OK;
    }
    case 3:
        if (!parse_date(s, len, &h->date))
            FAIL("report date '%s' is not a valid YYYYMMDD date", shown(s, len, sh));
        return CUSTOS_OK;
    case 6:
        if (!text_ok(s, len, false))
            FAIL("encoder '%s' %s", shown(s, len, sh), text_problem(s, len, false, why));
        if (len > 30 || !find(s, len, ','))
            FAIL("encoder '%s' is not FAMILY,INITIALS of up to 30 characters", shown(s, len, sh));
        copy(h->encoder, s, len);
        return CUSTOS_OK;
    case 10:
        if (len != 1 || !strchr("IPMT", s[0]))
            FAIL("report type '%s' is not I, P, M or T", shown(s, len, sh));
        h->type = s[0];
        return CUSTOS_OK;
    case 15: {
        const char *slash = find(s, len, '/');
        if (!slash) {
            if (!parse_date(s, len, &h->end))
                FAIL("reporting period '%s' is not a date or START/END", shown(s, len, sh));
            h->start = 0;
            return CUSTOS_OK;
        }
        size_t sl = (size_t)(slash - s);
        if (!parse_date(s, sl, &h->start) || !parse_date(slash + 1, len - sl - 1, &h->end))
            FAIL("reporting period '%s' is not START/END with valid dates", shown(s, len, sh));
        if (h->end < h->start)
            FAIL("reporting period '%s' ends before it starts", shown(s, len, sh));
        return CUSTOS_OK;
    }
    case 99:
        if (len == 1 && s[0] == 'R') {
            e->note_ref = 'R';
            return CUSTOS_OK;
        }
        if (len > 2 && s[0] == 'E' && s[1] == '/' && parse_uint(s + 2, len - 2, &v) && v > 0 &&
            v <= CUSTOS_MAX_ENTRIES) {
            e->note_ref = 'E';
            e->note_ref_entry = (int32_t)v;
            return CUSTOS_OK;
        }
        FAIL("concise-note reference '%s' is not E/ENTRY or R", shown(s, len, sh));
    case 207:
        if (!code_ok(s, len, 4, 4))
            FAIL("facility code '%s' is not 4 letters or digits", shown(s, len, sh));
        copy(h->facility, s, len);
        return CUSTOS_OK;
    case 307:
        if (!code_ok(s, len, 4, 4))
            FAIL("MBA code '%s' is not 4 letters or digits", shown(s, len, sh));
        copy(h->mba, s, len);
        return CUSTOS_OK;
    case 309:
        return parse_status(e, s, len, msg, msgsize);
    case 310:
        if (!text_ok(s, len, false))
            FAIL("record id '%s' %s", shown(s, len, sh), text_problem(s, len, false, why));
        if (len > 40)
            FAIL("record id '%s' is longer than 40 characters", shown(s, len, sh));
        copy(e->record_id, s, len);
        return CUSTOS_OK;
    case 370:
    case 372:
        if (!parse_party(s, len, label == 370 ? &e->shipper : &e->receiver))
            FAIL("%s '%s' is not STATE or STATE/MBA", label == 370 ? "shipper" : "receiver",
                 shown(s, len, sh));
        return CUSTOS_OK;
    case 390:
        if (len != 1 || s[0] != 'Y')
            FAIL("concise-note flag '%s' is not Y", shown(s, len, sh));
        e->note_attached = 'Y';
        return CUSTOS_OK;
    case 391:
        if (len > 2000)
            FAIL("concise note of %zu characters is longer than 2000", len);
        if (!text_ok(s, len, true))
            FAIL("concise note holds a character other than capital Latin letters, digits, "
                 "spaces and punctuation without : / ; #");
        return custos_entry_set_text(&e->note, s, len) < 0 ? CUSTOS_ENOMEM : CUSTOS_OK;
    case 407:
        if (!code_ok(s, len, 1, 2))
            FAIL("KMP '%s' is not 1-2 letters or digits", shown(s, len, sh));
        copy(e->kmp, s, len);
        return CUSTOS_OK;
    case 411:
        if (!((len == 2 && is_upper(s[0]) && is_upper(s[1])) ||
              (len == 4 && s[0] == 'R' && s[1] == 'A' && is_upper(s[2]) && is_upper(s[3]))))
            FAIL("inventory change code '%s' is not 2 letters or RAxx", shown(s, len, sh));
        copy(e->code, s, len);
        if (!custos_mbr_code_valid(e->code))
            FAIL("unknown inventory change or line code '%s'", e->code);
        return CUSTOS_OK;
    case 412:
        if (!parse_date(s, len, &e->change_date))
            FAIL("date of inventory change '%s' is not a valid YYYYMMDD date", shown(s, len, sh));
        return CUSTOS_OK;
    case 430:
        if (len != 7 || s[1] != '/' || s[3] != '/' || s[5] != '/')
            FAIL("material description '%s' is not a/b/c/d", shown(s, len, sh));
        for (int p = 0; p < 4; p++)
            if (!custos_mdc_part_valid(p, s[2 * p]))
                FAIL("material description '%s': '%c' is not a valid %s code", shown(s, len, sh),
                     s[2 * p],
                     (const char *[]){"physical form", "chemical form", "containment",
                                      "irradiation and quality"}[p]);
        for (int p = 0; p < 4; p++)
            e->mdc[p] = s[2 * p];
        e->mdc[4] = '\0';
        return CUSTOS_OK;
    case 435:
        if (len == 1 && s[0] == 'Y') {
            e->own_code_flag = 'Y';
            return CUSTOS_OK;
        }
        if (len > 2 && s[0] == 'N' && s[1] == '/' && len - 2 <= 12 && text_ok(s + 2, len - 2, false)) {
            e->own_code_flag = 'N';
            copy(e->own_code, s + 2, len - 2);
            return CUSTOS_OK;
        }
        FAIL("operator's description code '%s' is not Y or N/CODE (up to 12)", shown(s, len, sh));
    case 436:
        if (!text_ok(s, len, false))
            FAIL("operator's description %s", text_problem(s, len, false, why));
        if (len > 100)
            FAIL("operator's description of %zu characters is longer than 100", len);
        return custos_entry_set_text(&e->own_desc, s, len) < 0 ? CUSTOS_ENOMEM : CUSTOS_OK;
    case 446:
    case 447:
        if (!text_ok(s, len, false))
            FAIL("batch name '%s' %s", shown(s, len, sh), text_problem(s, len, false, why));
        if (len > 16)
            FAIL("batch name '%s' is longer than 16 characters", shown(s, len, sh));
        copy(label == 446 ? e->batch : e->shipper_batch, s, len);
        return CUSTOS_OK;
    case 469:
        return parse_measurement(e, s, len, msg, msgsize);
    case 470:
        if (!parse_uint(s, len, &v) || v > 999999999)
            FAIL("number of items '%s' is not a whole number", shown(s, len, sh));
        e->items = v;
        return CUSTOS_OK;
    default:
        FAIL("unknown label %03d", label);
    }
}

/* A bounded string being built: the writers format every label of every
 * entry, so no printf on this path (it was a tenth of an import). */
typedef struct out {
    char *buf;
    size_t size, len;
} out;

static void o_char(out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len++] = c;
    o->buf[o->len] = '\0';
}

static void o_str(out *o, const char *s)
{
    while (*s)
        o_char(o, *s++);
}

static void o_int(out *o, int64_t v)
{
    char t[24];
    int n = 0;
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        t[n++] = (char)('0' + a % 10);
        a /= 10;
    } while (a);
    if (v < 0)
        o_char(o, '-');
    while (n)
        o_char(o, t[--n]);
}

static size_t put_str(char *buf, size_t size, const char *s)
{
    size_t n = strlen(s);
    if (n >= size)
        n = size - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return n;
}

static size_t put_date(char *buf, custos_date d)
{
    /* Dates are validated to 1900..9999, so eight digits. */
    int v = (int)d;
    for (int i = 7; i >= 0; i--) {
        buf[i] = (char)('0' + v % 10);
        v /= 10;
    }
    buf[8] = '\0';
    return 8;
}

size_t custos_field_format(const custos_report *r, const custos_entry *e, int label, char *buf,
                           size_t size)
{
    int widx = custos_weight_index(label);
    if (widx >= 0) {
        if (!(e->wmask & (1u << widx)))
            return 0;
        char w[32];
        custos_weight_format(w, e->mg[widx], custos_weight_unit(label));
        return put_str(buf, size, w);
    }
    bool oi = e->kind == 'O';
    out o = {buf, size, 0};
    switch (label) {
    case 1:
        o_str(&o, oi ? "OI/" : "NC/");
        o_str(&o, r->state);
        o_char(&o, ';');
        o_int(&o, r->number);
        return o.len;
    case 3:
        return r->date ? put_date(buf, r->date) : 0;
    case 6:
        return oi && r->encoder[0] ? put_str(buf, size, r->encoder) : 0;
    case 10:
        if (!oi || !r->type)
            return 0;
        o_char(&o, r->type);
        return o.len;
    case 15:
        if (!oi || !r->end)
            return 0;
        if (!r->start)
            return put_date(buf, r->end);
        put_date(buf, r->start);
        buf[8] = '/';
        put_date(buf + 9, r->end);
        return 17;
    case 207:
        return r->facility[0] ? put_str(buf, size, r->facility) : 0;
    case 307:
        return r->mba[0] ? put_str(buf, size, r->mba) : 0;
    default:
        break;
    }
    int bit = custos_bit_of_label(label);
    if (bit < 0 || !(e->present & (1ull << bit)))
        return 0;
    switch (label) {
    case 2:
        o_int(&o, e->number);
        if (e->total) {
            o_char(&o, '/');
            o_int(&o, e->total);
        }
        return o.len;
    case 99:
        if (e->note_ref == 'R')
            return put_str(buf, size, "R");
        o_str(&o, "E/");
        o_int(&o, e->note_ref_entry);
        return o.len;
    case 309:
        o_char(&o, e->status);
        if (e->status == 'N' || e->status == 'U')
            return o.len;
        o_char(&o, '/');
        o_str(&o, e->ref_state);
        o_char(&o, ';');
        o_int(&o, e->ref_report);
        o_char(&o, '/');
        o_int(&o, e->ref_entry);
        return o.len;
    case 310: return put_str(buf, size, e->record_id);
    case 370:
    case 372: {
        const custos_party *p = label == 370 ? &e->shipper : &e->receiver;
        o_str(&o, p->state);
        if (p->code[0]) {
            o_char(&o, '/');
            o_str(&o, p->code);
        }
        return o.len;
    }
    case 390: return put_str(buf, size, "Y");
    case 391: return e->note ? put_str(buf, size, e->note) : 0;
    case 407: return put_str(buf, size, e->kmp);
    case 411: return put_str(buf, size, e->code);
    case 412: return put_date(buf, e->change_date);
    case 430:
        for (int k = 0; k < 4; k++) {
            if (k)
                o_char(&o, '/');
            o_char(&o, e->mdc[k]);
        }
        return o.len;
    case 435:
        if (e->own_code_flag == 'Y')
            return put_str(buf, size, "Y");
        o_str(&o, "N/");
        o_str(&o, e->own_code);
        return o.len;
    case 436: return e->own_desc ? put_str(buf, size, e->own_desc) : 0;
    case 446: return put_str(buf, size, e->batch);
    case 447: return put_str(buf, size, e->shipper_batch);
    case 469:
        o_char(&o, e->basis);
        if (e->basis_kmp[0] || e->basis_method[0]) {
            o_char(&o, '/');
            o_str(&o, e->basis_kmp);
        }
        if (e->basis_method[0]) {
            o_char(&o, '/');
            o_str(&o, e->basis_method);
        }
        return o.len;
    case 470:
        o_int(&o, e->items);
        return o.len;
    default: return 0;
    }
}

/* ---- assembler ------------------------------------------------------ */

static uint64_t ref_hash(const char state[3], int64_t number)
{
    uint64_t h = 1469598103934665603ull;
    h = (h ^ (unsigned char)state[0]) * 1099511628211ull;
    h = (h ^ (unsigned char)state[1]) * 1099511628211ull;
    h ^= (uint64_t)number * 0x9e3779b97f4a7c15ull;
    return h ? h : 1;
}

static bool seen_has(const custos_assembler *a, uint64_t h)
{
    if (!a->capseen)
        return false;
    for (size_t i = h & (a->capseen - 1);; i = (i + 1) & (a->capseen - 1)) {
        if (a->seen[i] == 0)
            return false;
        if (a->seen[i] == h)
            return true;
    }
}

static int seen_add(custos_assembler *a, uint64_t h)
{
    if ((a->nseen + 1) * 2 > a->capseen) {
        size_t cap = a->capseen ? a->capseen * 2 : 64;
        uint64_t *t = custos_calloc(cap, sizeof *t);
        if (!t)
            return custos_error_nomem();
        for (size_t i = 0; i < a->capseen; i++) {
            if (!a->seen[i])
                continue;
            size_t j = a->seen[i] & (cap - 1);
            while (t[j])
                j = (j + 1) & (cap - 1);
            t[j] = a->seen[i];
        }
        custos_free(a->seen);
        a->seen = t;
        a->capseen = cap;
    }
    size_t j = h & (a->capseen - 1);
    while (a->seen[j] && a->seen[j] != h)
        j = (j + 1) & (a->capseen - 1);
    if (!a->seen[j]) {
        a->seen[j] = h;
        a->nseen++;
    }
    return CUSTOS_OK;
}

void custos_assembler_init(custos_assembler *a, const char *source)
{
    memset(a, 0, sizeof *a);
    a->source = source;
}

void custos_assembler_dispose(custos_assembler *a)
{
    custos_report_free(a->cur);
    custos_report_free(a->done);
    custos_free(a->seen);
    memset(a, 0, sizeof *a);
}

void custos_assembler_finish(custos_assembler *a)
{
    if (a->cur && !a->done) {
        a->done = a->cur;
        a->done_errors = a->errors;
        a->cur = NULL;
        a->errors = 0;
    }
}

static void entry_dispose(custos_entry *e)
{
    custos_free(e->note);
    custos_free(e->own_desc);
    memset(e, 0, sizeof *e);
}

/* Merge one header field: set it in the report when the report has none,
 * complain when they differ. */
#define MERGE_STR(field, label, what)                                                         \
    do {                                                                                      \
        if (h->present & (1u << CUSTOS_L##label)) {                                           \
            if (!r->field[0])                                                                 \
                memcpy(r->field, h->field, sizeof r->field);                                  \
            else if (strcmp(r->field, h->field))                                              \
                return mismatch(a, d, line, number, label, what, r->field, h->field);         \
        }                                                                                     \
    } while (0)

static int mismatch(custos_assembler *a, custos_diags *d, uint32_t line, int32_t number,
                    int label, const char *what, const char *was, const char *now)
{
    a->errors++;
    return custos_diags_add(d, CUSTOS_SEV_ERROR, a->source, line, number, label,
                            "%s '%s' differs from '%s' given earlier in the same report", what,
                            now, was);
}

static int merge(custos_assembler *a, const custos_hdr *h, uint32_t line, int32_t number,
                 custos_diags *d)
{
    custos_report *r = a->cur;
    char x[24], y[24];
    if (h->present & (1u << CUSTOS_L003)) {
        if (!r->date)
            r->date = h->date;
        else if (r->date != h->date) {
            snprintf(x, sizeof x, "%d", (int)r->date);
            snprintf(y, sizeof y, "%d", (int)h->date);
            return mismatch(a, d, line, number, 3, "report date", x, y);
        }
    }
    MERGE_STR(encoder, 006, "encoder");
    if (h->present & (1u << CUSTOS_L010)) {
        if (!r->type)
            r->type = h->type;
        else if (r->type != h->type) {
            snprintf(x, sizeof x, "%c", r->type);
            snprintf(y, sizeof y, "%c", h->type);
            return mismatch(a, d, line, number, 10, "report type", x, y);
        }
    }
    if (h->present & (1u << CUSTOS_L015)) {
        if (!r->end) {
            r->start = h->start;
            r->end = h->end;
        } else if (r->start != h->start || r->end != h->end) {
            snprintf(x, sizeof x, "%d/%d", (int)r->start, (int)r->end);
            snprintf(y, sizeof y, "%d/%d", (int)h->start, (int)h->end);
            return mismatch(a, d, line, number, 15, "reporting period", x, y);
        }
    }
    MERGE_STR(facility, 207, "facility code");
    MERGE_STR(mba, 307, "MBA code");
    return CUSTOS_OK;
}

int custos_assembler_add(custos_assembler *a, const custos_hdr *h, custos_entry *e,
                         custos_diags *d)
{
    int err;
    if (!(h->present & (1u << CUSTOS_L001))) {
        a->errors++;
        err = custos_diags_add(d, CUSTOS_SEV_ERROR, a->source, e->line, e->number, 1,
                               "entry has no reference (label 001)");
        entry_dispose(e);
        return err;
    }
    if (a->cur && (strcmp(a->cur->state, h->state) || a->cur->number != h->number)) {
        if ((err = seen_add(a, ref_hash(a->cur->state, a->cur->number))) < 0) {
            entry_dispose(e);
            return err;
        }
        a->done = a->cur;
        a->done_errors = a->errors;
        a->cur = NULL;
        a->errors = 0;
    }
    if (!a->cur) {
        if ((err = custos_report_new(&a->cur)) < 0 ||
            (err = custos_report_set_source(a->cur, a->source)) < 0) {
            entry_dispose(e);
            return err;
        }
        memcpy(a->cur->state, h->state, sizeof h->state);
        a->cur->number = h->number;
        a->cur->line = e->line;
        a->errors = 0;
        if (seen_has(a, ref_hash(h->state, h->number))) {
            a->errors++;
            if ((err = custos_diags_add(d, CUSTOS_SEV_ERROR, a->source, e->line, e->number, 1,
                                        "report %s;%lld appears twice in this file", h->state,
                                        (long long)h->number)) < 0) {
                entry_dispose(e);
                return err;
            }
        }
    }
    if ((err = merge(a, h, e->line, e->number, d)) < 0) {
        entry_dispose(e);
        return err;
    }
    custos_entry *slot;
    if ((err = custos_report_add_entry(&slot, a->cur)) < 0) {
        if (err == CUSTOS_ETOOBIG) {
            /* Say where: the entry past the limit, in its file. */
            char msg[160], text[1024];
            snprintf(msg, sizeof msg, "report %s;%lld has more than %d entries (limit)",
                     a->cur->state, (long long)a->cur->number, CUSTOS_MAX_ENTRIES);
            custos_diag g = {CUSTOS_SEV_ERROR, a->source ? a->source : "", e->line, e->number, 2,
                             msg};
            custos_diag_format(text, sizeof text, &g);
            custos_diags_add(d, CUSTOS_SEV_ERROR, a->source, e->line, e->number, 2, "%s", msg);
            custos_error_set(CUSTOS_ETOOBIG, "%s", text);
        }
        entry_dispose(e);
        return err;
    }
    *slot = *e;
    slot->present |= h->present & ((1u << CUSTOS_L001) | (1u << CUSTOS_L003) | (1u << CUSTOS_L006) |
                                   (1u << CUSTOS_L010) | (1u << CUSTOS_L015) |
                                   (1u << CUSTOS_L207) | (1u << CUSTOS_L307));
    memset(e, 0, sizeof *e);
    return CUSTOS_OK;
}
