/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate.c: consistency checks of one report on its own.
 *
 * The rules are those of shared/spec/code10.md ("Which labels each entry
 * carries", weights, codes) and shared/spec/accountancy.md ("Consistency
 * checks").  Every problem found becomes one diagnostic naming the file,
 * the entry's line, the entry number and the label; the report is
 * checked to the end so an operator sees all of them at once.
 *
 * MBR arithmetic (code10.md, MBR line codes), per weight label:
 *   sum(IC) = signed sum of the inventory change lines except DI
 *   RABE = PB + sum(IC) - BE           (only when BE is given)
 *   RABA = PB + sum(IC) - DI - BA
 *   RAMF = BA - PE - MF
 * with an absent rounding line counting as zero.  DI carries the
 * shipper/receiver difference (shipper's value - receiver's), which the
 * adjusted book inventory BA takes out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custos/validate.h"
#include "internal.h"

#define B(x) (1ull << CUSTOS_L##x)

static const uint64_t HDR_OI = B(001) | B(002) | B(003) | B(006) | B(010) | B(015) | B(207) |
                               B(307) | B(309);
static const uint64_t NC_REQUIRED = B(001) | B(002) | B(003) | B(207) | B(307) | B(391);
static const uint64_t NC_ALLOWED = B(001) | B(002) | B(003) | B(099) | B(207) | B(307) | B(391);

typedef struct ctx {
    const custos_report *r;
    custos_diags *d;
    int errors;
    int first_err_set;
} ctx;

static void err_at(ctx *c, const custos_entry *e, int label, const char *fmt, ...)
    CUSTOS_PRINTF(4, 5);

static void err_at(ctx *c, const custos_entry *e, int label, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint32_t line = e ? e->line : c->r->line;
    int32_t num = e ? e->number : 0;
    if (!c->first_err_set) {
        custos_diag g = {CUSTOS_SEV_ERROR, c->r->source ? c->r->source : "", line, num, label, msg};
        char text[1024];
        custos_diag_format(text, sizeof text, &g);
        custos_error_set(CUSTOS_EINVAL, "%s", text);
        c->first_err_set = 1;
    }
    c->errors++;
    custos_diags_add(c->d, CUSTOS_SEV_ERROR, c->r->source, line, num, label, "%s", msg);
}

/* "an ICR", "a PIL", "an MBR", "a textual report". */
static const char *a_type(char t)
{
    switch (t) {
    case 'I': return "an ICR";
    case 'P': return "a PIL";
    case 'M': return "an MBR";
    case 'T': return "a textual report";
    default: return "a report";
    }
}

static bool is_receipt(const char *code)
{
    return !strcmp(code, "RD") || !strcmp(code, "RF");
}

static bool is_shipment(const char *code)
{
    return !strcmp(code, "SD") || !strcmp(code, "SF");
}

/* Labels required and allowed for an accounting entry. */
static void label_sets(const custos_report *r, const custos_entry *e, uint64_t *req, uint64_t *allow)
{
    uint64_t base_allow = 0;
    switch (r->type) {
    case 'I':
        *req = HDR_OI | B(407) | B(411) | B(412) | B(430) | B(446) | B(469) | B(470);
        base_allow = *req | B(310) | B(390) | B(435) | B(436);
        if (is_receipt(e->code)) {
            *req |= B(370) | B(447);
            base_allow |= B(370) | B(447);
        } else if (is_shipment(e->code)) {
            *req |= B(372);
            base_allow |= B(372);
        } else if (!strcmp(e->code, "DI")) {
            base_allow |= B(370);
        }
        break;
    case 'P':
        *req = HDR_OI | B(407) | B(430) | B(446) | B(469) | B(470);
        base_allow = *req | B(310) | B(390) | B(435) | B(436);
        break;
    case 'M':
        *req = HDR_OI | B(411);
        base_allow = *req | B(310) | B(390);
        break;
    default:
        *req = HDR_OI;
        base_allow = *req | B(310) | B(390);
        break;
    }
    if (e->status == 'U' || e->status == 'D')
        *req = HDR_OI;
    *allow = base_allow;
}

static void check_labels(ctx *c, const custos_entry *e)
{
    uint64_t req, allow;
    if (e->kind == 'N') {
        req = NC_REQUIRED;
        allow = NC_ALLOWED;
    } else {
        label_sets(c->r, e, &req, &allow);
    }
    for (int bit = 0; bit < CUSTOS_NLABELBITS; bit++) {
        uint64_t m = 1ull << bit;
        int label = custos_label_of_bit(bit);
        if ((req & m) && !(e->present & m)) {
            if (e->kind == 'N')
                err_at(c, e, label, "required label missing in a concise note");
            else if (bit == CUSTOS_L370 || bit == CUSTOS_L447)
                err_at(c, e, label, "required label missing on a receipt (%s)", e->code);
            else if (bit == CUSTOS_L372)
                err_at(c, e, label, "required label missing on a shipment (%s)", e->code);
            else
                err_at(c, e, label, "required label missing in %s entry", a_type(c->r->type));
        } else if (!(allow & m) && (e->present & m)) {
            if (e->kind == 'N')
                err_at(c, e, label, "label not allowed in a concise note");
            else if (c->r->type == 'I' && (bit == CUSTOS_L370 || bit == CUSTOS_L447))
                err_at(c, e, label, "label only allowed on receipts (RD, RF), not on %s", e->code);
            else if (c->r->type == 'I' && bit == CUSTOS_L372)
                err_at(c, e, label, "label only allowed on shipments (SD, SF), not on %s", e->code);
            else
                err_at(c, e, label, "label not allowed in %s entry", a_type(c->r->type));
        }
    }
    if (e->kind == 'N') {
        if (e->wmask)
            err_at(c, e, custos_weight_label(__builtin_ctz(e->wmask)),
                   "weights are not allowed in a concise note");
        return;
    }
    bool needs_weights = (c->r->type == 'I' || c->r->type == 'P' || c->r->type == 'M') &&
                         e->status != 'U' && e->status != 'D';
    if (needs_weights && !e->wmask)
        err_at(c, e, 0, "entry carries no weight (labels 600-800)");
    if (!needs_weights && e->wmask && (e->status == 'U' || c->r->type == 'T'))
        err_at(c, e, custos_weight_label(__builtin_ctz(e->wmask)),
               "weights are not allowed in this entry");
    if (c->r->type == 'I' && (e->present & B(411)) && e->status != 'U' && e->status != 'D' &&
        custos_change_code_kind(e->code) == CUSTOS_CHANGE_NONE)
        err_at(c, e, 411, "'%s' is an MBR line code, not an inventory change code", e->code);
    if ((e->present & B(435)) && e->own_code_flag == 'Y' && !(e->present & B(436)))
        err_at(c, e, 436, "operator's description missing although label 435 is Y");
}

/* Isotope weights not above their element, enrichment consistent with
 * the element code, signs. */
static void check_weights(ctx *c, const custos_entry *e)
{
    if (e->kind != 'O' || !e->wmask)
        return;
    bool signed_ok = (c->r->type == 'I' && !strcmp(e->code, "DI")) ||
                     (c->r->type == 'M' && (!strcmp(e->code, "DI") || !strcmp(e->code, "MF") ||
                                            !strncmp(e->code, "RA", 2)));
    for (int i = 0; i < CUSTOS_NWEIGHTS; i++)
        if ((e->wmask >> i & 1u) && e->mg[i] < 0 && !signed_ok)
            err_at(c, e, custos_weight_label(i), "negative weight (allowed only for DI, MF and "
                                                 "rounding lines)");
    if (c->r->type == 'M' && signed_ok)
        return; /* differences: no isotope/element relation */

    bool has600, has630;
    custos_entry_weight(e, 600, &has600);
    custos_entry_weight(e, 630, &has630);
    bool change = custos_change_code_kind(e->code) == CUSTOS_CHANGE_CATEGORY;
    if (has600 && has630) {
        err_at(c, e, 600, "unified U (600) and enriched U (630) in one entry");
    } else if (change && c->r->type == 'I') {
        /* A category change moves uranium between its two categories;
         * a weight of any other category would enter no balance. */
        for (int i = 0; i < CUSTOS_NWEIGHTS; i++)
            if ((e->wmask >> i & 1u) && custos_change_sign(e->code, custos_weight_label(i)) == 0)
                err_at(c, e, custos_weight_label(i),
                       "weight of a category other than those of change %s", e->code);
    } else if (!change && (c->r->type == 'I' || c->r->type == 'P')) {
        /* A batch is of one uranium category (D, N, E or unified). */
        static const int ulabels[4] = {600, 610, 620, 630};
        int first = 0;
        for (int k = 0; k < 4; k++) {
            bool h;
            custos_entry_weight(e, ulabels[k], &h);
            if (h && first)
                err_at(c, e, ulabels[k],
                       "element weights %03d and %03d in one entry: a batch is of one uranium "
                       "category (only a category change carries two)",
                       first, ulabels[k]);
            else if (h)
                first = ulabels[k];
        }
    }
    /* Isotope -> its element label. */
    for (int i = 0; i < CUSTOS_NWEIGHTS; i++) {
        int label = custos_weight_label(i);
        if (!(e->wmask >> i & 1u) || custos_weight_is_element(label))
            continue;
        int elem;
        switch (custos_weight_category(label)) {
        case 'E': elem = has600 ? 600 : 630; break;
        case 'N': elem = 610; break;
        case 'D': elem = 620; break;
        default: elem = 700; break;
        }
        bool has;
        int64_t ew = custos_entry_weight(e, elem, &has);
        if (!has) {
            err_at(c, e, label, "%s weight without the element weight (label %03d)",
                   custos_weight_name(label), elem);
            continue;
        }
        /* A nuclear loss of U-235 may exceed that of uranium: U-235 that
         * captures a neutron becomes U-236, which is still uranium. */
        if (e->mg[i] > ew && strcmp(e->code, "LN"))
            err_at(c, e, label, "%s weight is above the element weight of label %03d",
                   custos_weight_name(label), elem);
    }
    if ((has600 || has630)) {
        bool h640, h660, h670;
        custos_entry_weight(e, 640, &h640);
        custos_entry_weight(e, 660, &h660);
        custos_entry_weight(e, 670, &h670);
        if (!h640 && !h660 && !h670)
            err_at(c, e, has600 ? 600 : 630,
                   "uranium weight given without U-233 (640), U-233+U-235 (660) or U-235 (670)");
    }
    /* Enrichment bands: D < 0.711 % <= N ~ 0.711 % < E. */
    struct {
        int elem, iso;
        char cat;
    } bands[] = {{630, 670, 'E'}, {610, 770, 'N'}, {620, 780, 'D'}};
    for (size_t k = 0; k < 3; k++) {
        bool he, hi;
        int64_t ew = custos_entry_weight(e, bands[k].elem, &he);
        int64_t iw = custos_entry_weight(e, bands[k].iso, &hi);
        if (!he || !hi || ew <= 0 || iw > ew)
            continue;
        double x = (double)iw / (double)ew;
        char pct[32];
        snprintf(pct, sizeof pct, "%.4f %%", x * 100.0);
        if (bands[k].cat == 'E' && x <= CUSTOS_NATURAL_U235)
            err_at(c, e, 670, "enrichment %s is not above natural (0.711 %%) for enriched U", pct);
        else if (bands[k].cat == 'N' && (x < CUSTOS_NATURAL_MIN || x > CUSTOS_NATURAL_MAX))
            err_at(c, e, 770, "U-235 fraction %s is not natural (0.700-0.720 %%) for natural U",
                   pct);
        else if (bands[k].cat == 'D' && x >= CUSTOS_NATURAL_U235)
            err_at(c, e, 780, "U-235 fraction %s is not below natural (0.711 %%) for depleted U",
                   pct);
    }
    /* A category change in an ICR carries both categories, the same
     * uranium in each.  An MBR gives its balance per element category, so
     * its NE line of the N balance carries 610 alone and the NE line of
     * the E balance 630 and 670 (one line per category, or both in one). */
    if (c->r->type == 'I' && custos_change_code_kind(e->code) == CUSTOS_CHANGE_CATEGORY) {
        static const int elem_of[256] = {['E'] = 630, ['N'] = 610, ['D'] = 620};
        int from = elem_of[(unsigned char)e->code[0]], to = elem_of[(unsigned char)e->code[1]];
        bool hf, ht;
        int64_t wf = custos_entry_weight(e, from, &hf), wt = custos_entry_weight(e, to, &ht);
        if (!hf || !ht)
            err_at(c, e, !hf ? from : to,
                   "category change %s needs the element weight of both categories (%03d, %03d)",
                   e->code, from, to);
        else if (wf != wt)
            err_at(c, e, to, "category change %s: uranium weights of the two categories differ",
                   e->code);
    }
}

static void check_parties(ctx *c, const custos_entry *e)
{
    if (c->r->type != 'I' || e->kind != 'O')
        return;
    const custos_party *p = NULL;
    int label = 0;
    bool domestic = false;
    if (is_receipt(e->code) && (e->present & B(370))) {
        p = &e->shipper;
        label = 370;
        domestic = e->code[1] == 'D';
    } else if (is_shipment(e->code) && (e->present & B(372))) {
        p = &e->receiver;
        label = 372;
        domestic = e->code[1] == 'D';
    }
    if (!p)
        return;
    if (domestic) {
        if (strcmp(p->state, c->r->state))
            err_at(c, e, label, "domestic transfer %s names State %s, not the reporting State %s",
                   e->code, p->state, c->r->state);
        else if (!p->code[0])
            err_at(c, e, label, "domestic transfer %s needs the other MBA (STATE/MBA)", e->code);
        else if (!strcmp(p->code, c->r->mba))
            err_at(c, e, label, "transfer %s names the reporting MBA itself", e->code);
    } else if (!strcmp(p->state, c->r->state)) {
        err_at(c, e, label, "foreign transfer %s names the reporting State %s", e->code, p->state);
    }
}

static int cmp_batch(const void *a, const void *b)
{
    const custos_entry *x = *(const custos_entry *const *)a, *y = *(const custos_entry *const *)b;
    int k = strcmp(x->batch, y->batch);
    if (k)
        return k;
    if (x->change_date != y->change_date)
        return x->change_date < y->change_date ? -1 : 1;
    k = strcmp(x->code, y->code);
    if (k)
        return k;
    k = strcmp(x->kmp, y->kmp);
    if (k)
        return k;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Batch names unique in the MBA per transaction date (ICR: per batch,
 * date and change code; PIL: per batch and KMP). */
static int check_batches(ctx *c)
{
    if (c->r->type != 'I' && c->r->type != 'P')
        return CUSTOS_OK;
    const custos_entry **v = custos_malloc((c->r->n ? c->r->n : 1) * sizeof *v);
    if (!v)
        return custos_error_nomem();
    size_t n = 0;
    for (size_t i = 0; i < c->r->n; i++) {
        const custos_entry *e = &c->r->entries[i];
        if (e->kind == 'O' && e->status == 'N' && e->batch[0])
            v[n++] = e;
    }
    qsort(v, n, sizeof *v, cmp_batch);
    for (size_t i = 1; i < n; i++) {
        const custos_entry *a = v[i - 1], *b = v[i];
        bool same = !strcmp(a->batch, b->batch) &&
                    (c->r->type == 'P' ? !strcmp(a->kmp, b->kmp)
                                       : a->change_date == b->change_date && !strcmp(a->code, b->code));
        if (same)
            err_at(c, b, 446, "batch '%s' appears twice (also entry %d)%s", b->batch,
                   (int)a->number, c->r->type == 'I' ? " with the same date and change code" : "");
    }
    custos_free(v);
    return CUSTOS_OK;
}

static void check_numbering(ctx *c)
{
    int32_t count[2] = {0, 0}, seen[2] = {0, 0};
    for (size_t i = 0; i < c->r->n; i++)
        count[c->r->entries[i].kind == 'N']++;
    bool first[2] = {true, true};
    for (size_t i = 0; i < c->r->n; i++) {
        const custos_entry *e = &c->r->entries[i];
        int k = e->kind == 'N';
        seen[k]++;
        if (!(e->present & B(002)))
            continue;
        if (e->number != seen[k])
            err_at(c, e, 2, "%s entry number %d out of sequence (expected %d)",
                   k ? "concise-note" : "accounting", (int)e->number, (int)seen[k]);
        if (first[k] && !e->total)
            err_at(c, e, 2, "the first %s entry must give the total (n/total)",
                   k ? "concise-note" : "accounting");
        if (e->total && e->total != count[k])
            err_at(c, e, 2, "total %d does not match the %d %s entries of the report", (int)e->total,
                   (int)count[k], k ? "concise-note" : "accounting");
        first[k] = false;
    }
    if (count[0] == 0)
        err_at(c, NULL, 1, "report %s;%lld has no accounting (OI) entry", c->r->state,
               (long long)c->r->number);
}

static void check_header(ctx *c)
{
    const custos_report *r = c->r;
    if (!r->type || !r->end || !r->mba[0])
        return; /* missing labels were reported per entry */
    if (r->type == 'P' && r->start)
        err_at(c, NULL, 15, "a PIL gives its PIT date alone, not a period");
    if ((r->type == 'I' || r->type == 'M') && !r->start)
        err_at(c, NULL, 15, "%s gives its reporting period as START/END", a_type(r->type));
    if (r->date && r->date < r->end)
        err_at(c, NULL, 3, "report date %d is before the end of the reporting period %d",
               (int)r->date, (int)r->end);
}

static void check_dates_and_refs(ctx *c, const custos_entry *e)
{
    const custos_report *r = c->r;
    if (e->kind != 'O')
        return;
    if ((e->status == 'C' || e->status == 'D' || e->status == 'A')) {
        if (strcmp(e->ref_state, r->state))
            err_at(c, e, 309, "correction refers to State %s, not %s", e->ref_state, r->state);
        else if (e->ref_report >= r->number)
            err_at(c, e, 309, "correction refers to report %lld, not an earlier one",
                   (long long)e->ref_report);
    }
    if (r->type != 'I' || !(e->present & B(412)) || e->status != 'N' || !r->start)
        return;
    if (e->change_date < r->start || e->change_date > r->end)
        err_at(c, e, 412, "date %d outside the reporting period %d/%d", (int)e->change_date,
               (int)r->start, (int)r->end);
}

/* Concise notes: 390 announces one, 099 points at an entry. */
static void check_notes(ctx *c)
{
    const custos_report *r = c->r;
    bool whole = false;
    for (size_t i = 0; i < r->n; i++)
        if (r->entries[i].kind == 'N' && r->entries[i].note_ref == 'R')
            whole = true;
    for (size_t i = 0; i < r->n; i++) {
        const custos_entry *e = &r->entries[i];
        if (e->kind == 'N' && e->note_ref == 'E') {
            bool found = false;
            for (size_t j = 0; j < r->n && !found; j++)
                found = r->entries[j].kind == 'O' && r->entries[j].number == e->note_ref_entry;
            if (!found)
                err_at(c, e, 99, "concise note refers to entry %d, which the report does not have",
                       (int)e->note_ref_entry);
        }
        if (e->kind == 'O' && e->note_attached == 'Y' && !whole) {
            bool found = false;
            for (size_t j = 0; j < r->n && !found; j++)
                found = r->entries[j].kind == 'N' && r->entries[j].note_ref == 'E' &&
                        r->entries[j].note_ref_entry == e->number;
            if (!found)
                err_at(c, e, 390, "entry announces a concise note but the report has none for it");
        }
    }
}

static void check_rebatching(ctx *c)
{
    if (c->r->type != 'I')
        return;
    int64_t rm[CUSTOS_NWEIGHTS] = {0}, rp[CUSTOS_NWEIGHTS] = {0};
    bool overflow[CUSTOS_NWEIGHTS] = {false};
    const custos_entry *last = NULL;
    for (size_t i = 0; i < c->r->n; i++) {
        const custos_entry *e = &c->r->entries[i];
        if (e->kind != 'O' || e->status != 'N')
            continue;
        bool m = !strcmp(e->code, "RM"), p = !strcmp(e->code, "RP");
        if (!m && !p)
            continue;
        last = e;
        for (int k = 0; k < CUSTOS_NWEIGHTS; k++)
            if ((e->wmask >> k & 1u) && !overflow[k] && !custos_mg_add(&(m ? rm : rp)[k], e->mg[k])) {
                overflow[k] = true;
                err_at(c, e, custos_weight_label(k),
                       "rebatching weights add up beyond %s g, the range custos keeps exactly",
                       CUSTOS_MG_RANGE);
            }
    }
    for (int k = 0; k < CUSTOS_NWEIGHTS; k++)
        if (!overflow[k] && rm[k] != rp[k]) {
            char a[32], b[32];
            custos_grams_format(a, rm[k]);
            custos_grams_format(b, rp[k]);
            err_at(c, last, custos_weight_label(k),
                   "rebatching unbalanced: RM totals %s g, RP totals %s g", a, b);
        }
}

enum { L_PB, L_BE, L_BA, L_PE, L_MF, L_RABE, L_RABA, L_RAMF, L_DI, L_IC, NLINES };

static void check_mbr(ctx *c)
{
    if (c->r->type != 'M')
        return;
    int64_t sum[NLINES][CUSTOS_NWEIGHTS];
    bool has[NLINES][CUSTOS_NWEIGHTS], overflow[CUSTOS_NWEIGHTS];
    memset(sum, 0, sizeof sum);
    memset(has, 0, sizeof has);
    memset(overflow, 0, sizeof overflow);
    const custos_entry *last = NULL;
    static const char *names[] = {"PB", "BE", "BA", "PE", "MF", "RABE", "RABA", "RAMF", "DI"};
    bool any = false;
    for (size_t i = 0; i < c->r->n; i++) {
        const custos_entry *e = &c->r->entries[i];
        /* The report's own lines (status N).  A C or A line corrects or
         * completes an earlier MBR, whose arithmetic it belongs to. */
        if (e->kind != 'O' || e->status != 'N')
            continue;
        if (!(e->present & B(411)))
            continue;
        any = true;
        last = e;
        int line = -1;
        for (int k = 0; k < L_IC; k++)
            if (!strcmp(e->code, names[k]))
                line = k;
        if (line < 0) {
            custos_change_kind kind = custos_change_code_kind(e->code);
            if (kind == CUSTOS_CHANGE_REBATCH) {
                err_at(c, e, 411, "rebatching (%s) does not appear in an MBR", e->code);
                continue;
            }
            if (kind == CUSTOS_CHANGE_NONE) {
                err_at(c, e, 411, "'%s' is not an MBR line code", e->code);
                continue;
            }
        }
        for (int k = 0; k < CUSTOS_NWEIGHTS; k++) {
            if (!(e->wmask >> k & 1u))
                continue;
            int l = line;
            int64_t v = e->mg[k];
            if (line < 0) {
                int s = custos_change_sign(e->code, custos_weight_label(k));
                if (s == 0)
                    err_at(c, e, custos_weight_label(k),
                           "weight of a category other than those of change %s", e->code);
                l = L_IC;
                v *= s; /* s is -1, 0 or 1; |mg| < 10^18: no overflow */
            }
            has[l][k] = true;
            if (!overflow[k] && !custos_mg_add(&sum[l][k], v)) {
                overflow[k] = true;
                err_at(c, e, custos_weight_label(k),
                       "MBR weights add up beyond %s g, the range custos keeps exactly", CUSTOS_MG_RANGE);
            }
        }
    }
    if (!any)
        return;
    static const int required[] = {L_PB, L_BA, L_PE, L_MF};
    for (int k = 0; k < CUSTOS_NWEIGHTS; k++) {
        bool used = false;
        for (int l = 0; l < NLINES; l++)
            used |= has[l][k];
        if (!used)
            continue;
        if (overflow[k])
            continue;
        int label = custos_weight_label(k);
        bool complete = true;
        for (size_t q = 0; q < sizeof required / sizeof required[0]; q++)
            if (!has[required[q]][k]) {
                err_at(c, last, label, "MBR has no %s line for this weight",
                       names[required[q]]);
                complete = false;
            }
        if (!complete)
            continue;
        int64_t pb = sum[L_PB][k], ic = sum[L_IC][k], di = sum[L_DI][k];
        int64_t rabe = pb, raba = pb, ramf = sum[L_BA][k];
        if (!custos_mg_add(&rabe, ic) || !custos_mg_sub(&rabe, sum[L_BE][k]) ||
            !custos_mg_add(&raba, ic) || !custos_mg_sub(&raba, di) ||
            !custos_mg_sub(&raba, sum[L_BA][k]) || !custos_mg_sub(&ramf, sum[L_PE][k]) ||
            !custos_mg_sub(&ramf, sum[L_MF][k])) {
            err_at(c, last, label, "MBR weights add up beyond %s g, the range custos keeps exactly",
                   CUSTOS_MG_RANGE);
            continue;
        }
        char a[32], b[32];
        if (has[L_BE][k]) {
            if (rabe != sum[L_RABE][k]) {
                custos_grams_format(a, rabe);
                custos_grams_format(b, sum[L_RABE][k]);
                err_at(c, last, label, "MBR arithmetic: PB + changes - BE = %s g but RABE is %s g",
                       a, b);
            }
        } else if (has[L_RABE][k]) {
            err_at(c, last, label, "MBR gives RABE without BE");
        }
        if (raba != sum[L_RABA][k]) {
            custos_grams_format(a, raba);
            custos_grams_format(b, sum[L_RABA][k]);
            err_at(c, last, label, "MBR arithmetic: PB + changes - DI - BA = %s g but RABA is %s g",
                   a, b);
        }
        if (ramf != sum[L_RAMF][k]) {
            custos_grams_format(a, ramf);
            custos_grams_format(b, sum[L_RAMF][k]);
            err_at(c, last, label, "MBR arithmetic: BA - PE - MF = %s g but RAMF is %s g", a, b);
        }
    }
}

int custos_report_validate(const custos_report *r, custos_diags *d)
{
    ctx c = {r, d, 0, 0};
    check_header(&c);
    check_numbering(&c);
    for (size_t i = 0; i < r->n; i++) {
        const custos_entry *e = &r->entries[i];
        check_labels(&c, e);
        check_weights(&c, e);
        check_parties(&c, e);
        check_dates_and_refs(&c, e);
    }
    check_notes(&c);
    check_rebatching(&c);
    check_mbr(&c);
    if (check_batches(&c) < 0)
        return CUSTOS_ENOMEM;
    return c.errors ? CUSTOS_EINVAL : CUSTOS_OK;
}
