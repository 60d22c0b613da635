/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transfer.c: matching domestic shipments with receipts.
 *
 * A shipment (SD) at MBA A to B/batch x matches a receipt (RD) at B from A
 * whose shipper's batch name (447) is x, or whose own batch name is x when
 * 447 is UNKNOWN.  Candidates are paired earliest first.  The
 * shipper/receiver difference of each weight is shipper's value minus
 * receiver's (statistics.md, section 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books.h"
#include "custos/balance.h"

typedef struct leg {
    char state[3];
    char mba[5];      /* where it is booked */
    char other[5];    /* the other MBA */
    char batch[17];   /* batch name to match on */
    char own_batch[17];
    int64_t report;
    int32_t entry;
    custos_date date;
    uint32_t mask;
    int64_t mg[CUSTOS_NWEIGHTS];
    bool used;
} leg;

typedef struct legs {
    leg *v;
    size_t n, cap;
} legs;

static int push_leg(legs *L, const leg *x)
{
    if (L->n == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 64;
        leg *p = custos_realloc(L->v, cap * sizeof *p);
        if (!p)
            return custos_error_nomem();
        L->v = p;
        L->cap = cap;
    }
    L->v[L->n++] = *x;
    return CUSTOS_OK;
}

static int cmp_leg(const void *a, const void *b)
{
    const leg *x = a, *y = b;
    int k = strcmp(x->state, y->state);
    if (!k)
        k = strcmp(x->mba, y->mba);
    if (!k)
        k = strcmp(x->other, y->other);
    if (!k)
        k = strcmp(x->batch, y->batch);
    if (!k)
        k = x->date < y->date ? -1 : x->date > y->date;
    if (!k)
        k = x->report < y->report ? -1 : x->report > y->report;
    if (!k)
        k = x->entry < y->entry ? -1 : x->entry > y->entry;
    return k;
}

/* ICR periods of an MBA, for deadlines. */
typedef struct periods {
    custos_date *end;
    size_t n;
} periods;

static int load_periods(custos_ledger *l, const char *state, const char *mba, periods *p)
{
    p->end = NULL;
    p->n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(custos_ledger_db(l),
                           "SELECT period_end FROM reports WHERE state=?1 AND mba=?2 AND type='I' "
                           "ORDER BY period_end",
                           -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, mba, -1, SQLITE_STATIC);
    size_t cap = 0;
    int err = CUSTOS_OK, rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (p->n == cap) {
            cap = cap ? cap * 2 : 16;
            custos_date *q = custos_realloc(p->end, cap * sizeof *q);
            if (!q) {
                err = custos_error_nomem();
                break;
            }
            p->end = q;
        }
        p->end[p->n++] = (custos_date)sqlite3_column_int(s, 0);
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "ICR periods");
    sqlite3_finalize(s);
    if (err < 0) {
        custos_free(p->end);
        p->end = NULL;
        p->n = 0;
    }
    return err;
}

static int push_transfer(custos_transfers *t, size_t *cap, const custos_transfer *x)
{
    if (t->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        custos_transfer *p = custos_realloc(t->items, nc * sizeof *p);
        if (!p)
            return custos_error_nomem();
        t->items = p;
        *cap = nc;
    }
    t->items[t->n++] = *x;
    return CUSTOS_OK;
}

/* End of the receiver's first ICR period ending on or after d; 0 if none. */
static custos_date period_covering(custos_ledger *l, const char *state, const char *mba,
                                   custos_date d, int *err)
{
    periods p;
    *err = load_periods(l, state, mba, &p);
    custos_date r = 0;
    for (size_t i = 0; i < p.n && *err >= 0; i++)
        if (p.end[i] >= d) {
            r = p.end[i];
            break;
        }
    custos_free(p.end);
    return r;
}

int custos_ledger_transfers(custos_transfers **out, custos_ledger *l,
                            const custos_transfer_options *opt, custos_diags *findings)
{
    *out = NULL;
    int grace = opt && opt->grace_days > 0 ? opt->grace_days : 30;
    custos_date as_of = opt ? opt->as_of : 0;
    char(*mbas)[8] = NULL;
    size_t nm = 0;
    legs ship = {0}, recv = {0};
    custos_transfers *t = NULL;
    size_t cap = 0;
    int err = custos_book_mbas(l, NULL, &mbas, &nm);
    if (err < 0)
        return err;
    for (size_t i = 0; i < nm && err >= 0; i++) {
        custos_book b;
        if ((err = custos_book_load(&b, l, mbas[i], mbas[i] + 3, 'I')) < 0)
            break;
        for (size_t k = 0; k < b.n && err >= 0; k++) {
            const custos_entry *e = &b.items[k].e;
            bool sd = !strcmp(e->code, "SD"), rd = !strcmp(e->code, "RD");
            if (!sd && !rd)
                continue;
            leg x;
            memset(&x, 0, sizeof x);
            custos_strlcpy(x.state, mbas[i], sizeof x.state);
            custos_strlcpy(x.mba, mbas[i] + 3, sizeof x.mba);
            const custos_party *p = sd ? &e->receiver : &e->shipper;
            custos_strlcpy(x.other, p->code, sizeof x.other);
            custos_strlcpy(x.own_batch, e->batch, sizeof x.own_batch);
            if (rd && e->shipper_batch[0] && strcmp(e->shipper_batch, "UNKNOWN"))
                custos_strlcpy(x.batch, e->shipper_batch, sizeof x.batch);
            else
                custos_strlcpy(x.batch, e->batch, sizeof x.batch);
            x.report = b.items[k].key_report;
            x.entry = b.items[k].key_entry;
            x.date = e->change_date;
            x.mask = e->wmask;
            memcpy(x.mg, e->mg, sizeof x.mg);
            err = push_leg(sd ? &ship : &recv, &x);
        }
        custos_book_dispose(&b);
    }
    if (err < 0)
        goto done;
    if (!as_of) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(custos_ledger_db(l),
                               "SELECT coalesce(max(period_end), 0) FROM reports WHERE type='I'", -1,
                               &s, NULL) != SQLITE_OK) {
            err = custos_ledger_sqlerr(l, "prepare");
            goto done;
        }
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            as_of = (custos_date)sqlite3_column_int(s, 0);
        else
            err = custos_ledger_sqlerr(l, "as-of date");
        sqlite3_finalize(s);
        if (err < 0)
            goto done;
    }
    /* Index receipts by (receiver, shipper, batch) to pair quickly: sort
     * receipts with mba=receiver, other=shipper; look shipments up with
     * the roles swapped. */
    if (recv.n > 1) /* an empty list is NULL, which qsort must not be given */
        qsort(recv.v, recv.n, sizeof *recv.v, cmp_leg);
    if (ship.n > 1)
        qsort(ship.v, ship.n, sizeof *ship.v, cmp_leg);
    t = custos_calloc(1, sizeof *t);
    if (!t) {
        err = custos_error_nomem();
        goto done;
    }
    for (size_t i = 0; i < ship.n && err >= 0; i++) {
        leg *s = &ship.v[i];
        leg key;
        memset(&key, 0, sizeof key);
        memcpy(key.state, s->state, sizeof key.state);
        memcpy(key.mba, s->other, sizeof key.mba);
        memcpy(key.other, s->mba, sizeof key.other);
        memcpy(key.batch, s->batch, sizeof key.batch);
        /* First receipt with this (receiver, shipper, batch), unused. */
        size_t lo = 0, hi = recv.n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            leg *m = &recv.v[mid];
            int k = strcmp(m->state, key.state);
            if (!k)
                k = strcmp(m->mba, key.mba);
            if (!k)
                k = strcmp(m->other, key.other);
            if (!k)
                k = strcmp(m->batch, key.batch);
            if (k < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        leg *match = NULL;
        for (size_t j = lo; j < recv.n; j++) {
            leg *r = &recv.v[j];
            if (strcmp(r->state, key.state) || strcmp(r->mba, key.mba) ||
                strcmp(r->other, key.other) || strcmp(r->batch, key.batch))
                break;
            if (!r->used) {
                match = r;
                break;
            }
        }
        custos_transfer x;
        memset(&x, 0, sizeof x);
        memcpy(x.state, s->state, sizeof x.state);
        memcpy(x.from_mba, s->mba, sizeof x.from_mba);
        memcpy(x.to_mba, s->other, sizeof x.to_mba);
        memcpy(x.batch, s->batch, sizeof x.batch);
        x.ship_report = s->report;
        x.ship_entry = s->entry;
        x.ship_date = s->date;
        x.ship_mask = s->mask;
        memcpy(x.ship_mg, s->mg, sizeof x.ship_mg);
        if (match) {
            match->used = true;
            x.status = CUSTOS_TRANSFER_MATCHED;
            memcpy(x.receiver_batch, match->own_batch, sizeof x.receiver_batch);
            x.recv_report = match->report;
            x.recv_entry = match->entry;
            x.recv_date = match->date;
            x.recv_mask = match->mask;
            memcpy(x.recv_mg, match->mg, sizeof x.recv_mg);
            x.days = custos_date_diff(s->date, match->date);
        } else {
            custos_date pe = period_covering(l, s->state, s->other, s->date, &err);
            if (err < 0)
                break;
            x.deadline = pe ? custos_date_add(pe, grace) : 0;
            x.status = x.deadline && as_of > x.deadline ? CUSTOS_TRANSFER_OVERDUE
                                                        : CUSTOS_TRANSFER_PENDING;
            if (x.status == CUSTOS_TRANSFER_OVERDUE)
                custos_diags_add(findings, CUSTOS_SEV_FINDING, "", 0, 0, 0,
                                 "shipment %s;%lld entry %d of batch %s from %s to %s on %d has no "
                                 "receipt %d days after the receiver's period ending %d",
                                 s->state, (long long)s->report, (int)s->entry, s->batch, s->mba,
                                 s->other, (int)s->date, grace, (int)pe);
        }
        err = push_transfer(t, &cap, &x);
    }
    for (size_t j = 0; j < recv.n && err >= 0; j++) {
        leg *r = &recv.v[j];
        if (r->used)
            continue;
        custos_transfer x;
        memset(&x, 0, sizeof x);
        x.status = CUSTOS_TRANSFER_UNMATCHED_RECEIPT;
        memcpy(x.state, r->state, sizeof x.state);
        memcpy(x.from_mba, r->other, sizeof x.from_mba);
        memcpy(x.to_mba, r->mba, sizeof x.to_mba);
        memcpy(x.batch, r->batch, sizeof x.batch);
        memcpy(x.receiver_batch, r->own_batch, sizeof x.receiver_batch);
        x.recv_report = r->report;
        x.recv_entry = r->entry;
        x.recv_date = r->date;
        x.recv_mask = r->mask;
        memcpy(x.recv_mg, r->mg, sizeof x.recv_mg);
        /* A finding once the shipper has reported the period of the
         * receipt without booking the shipment. */
        custos_date covered = period_covering(l, r->state, r->other, r->date, &err);
        if (err < 0)
            break;
        if (covered)
            custos_diags_add(findings, CUSTOS_SEV_FINDING, "", 0, 0, 0,
                             "receipt %s;%lld entry %d of batch %s at %s from %s on %d matches no "
                             "shipment booked by the shipper",
                             r->state, (long long)r->report, (int)r->entry, r->batch, r->mba,
                             r->other, (int)r->date);
        err = push_transfer(t, &cap, &x);
    }
done:
    custos_free(mbas);
    custos_free(ship.v);
    custos_free(recv.v);
    if (err < 0) {
        custos_transfers_free(t);
        return err;
    }
    *out = t;
    return CUSTOS_OK;
}

void custos_transfers_free(custos_transfers *t)
{
    if (!t)
        return;
    custos_free(t->items);
    custos_free(t);
}
