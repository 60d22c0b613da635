/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes.c: the route table and the JSON API (docs/api.md).
 *
 * The table is data: method, pattern, roles allowed, audit level,
 * handler, summary.  The pipeline (server.c) applies the roles; handlers
 * apply need-to-know to the data itself (an operator's list holds only
 * its MBAs; a report of another MBA is "not found", so existence does not
 * leak).  Changes go through the writer thread (writer.c) and are audited
 * there with their outcome.  Weights are exact integers of milligrams.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "custos/balance.h"
#include "custos/facility.h"
#include "custos/format.h"
#include "srvint.h"

#define READERS                                                                                    \
    (SRV_ROLE(CUSTOS_ROLE_OPERATOR) | SRV_ROLE(CUSTOS_ROLE_AUTHORITY) |                            \
     SRV_ROLE(CUSTOS_ROLE_INSPECTOR) | SRV_ROLE(CUSTOS_ROLE_ANALYST))
#define STATE_READERS                                                                              \
    (SRV_ROLE(CUSTOS_ROLE_AUTHORITY) | SRV_ROLE(CUSTOS_ROLE_INSPECTOR) |                           \
     SRV_ROLE(CUSTOS_ROLE_ANALYST))
#define ADMIN SRV_ROLE(CUSTOS_ROLE_ADMIN)
#define MANAGERS (SRV_ROLE(CUSTOS_ROLE_ADMIN) | SRV_ROLE(CUSTOS_ROLE_AUTHORITY))
#define OPERATOR SRV_ROLE(CUSTOS_ROLE_OPERATOR)

bool srv_split_mba(const char *s, char state[3], char code[5])
{
    size_t n = strlen(s);
    if (n != 7 || s[2] != '/')
        return false;
    memcpy(state, s, 2);
    state[2] = '\0';
    memcpy(code, s + 3, 4);
    code[4] = '\0';
    return true;
}

bool srv_can_read_mba(const srv_request *rq, const char *state, const char *mba)
{
    return custos_user_can_read_mba(&rq->user, state, mba);
}

static const char *type_name(char t)
{
    return t == 'I' ? "ICR" : t == 'P' ? "PIL" : t == 'M' ? "MBR" : t == 'T' ? "TXT" : "?";
}

static json_t *date_json(custos_date d)
{
    if (!d)
        return json_null();
    char iso[11];
    custos_date_iso(iso, d);
    return json_string(iso);
}

/* ?mba=STATE/CODE, checked: 0 absent, 1 given and readable, -1 replied. */
static int mba_param(srv_request *rq, char state[3], char code[5])
{
    const char *m = srv_uri_param(&rq->uri, "mba");
    if (!m)
        return 0;
    if (!srv_split_mba(m, state, code)) {
        srv_reply_error(rq, 400, "mba '%s' is not STATE/CODE (XA/XAFF)", m);
        return -1;
    }
    if (!srv_can_read_mba(rq, state, code)) {
        srv_reply_error(rq, 404, "no MBA %s readable by %s", m, rq->user.name);
        return -1;
    }
    snprintf(rq->audit_target, sizeof rq->audit_target, "%s", m);
    return 1;
}

/* ---- public and personal ------------------------------------------------ */

static void h_health(srv_request *rq)
{
    srv_writer_stats ws;
    srv_writer_stats_get(rq->srv->writer, &ws);
    srv_reply_json(rq, 200,
                   json_pack("{s:s, s:s, s:f, s:{s:I, s:I, s:I, s:I, s:I}}", "status", "ok",
                             "version", custos_version(), "uptime_s",
                             srv_now() - rq->srv->started, "writer", "batches",
                             (json_int_t)ws.batches, "submissions", (json_int_t)ws.submissions,
                             "largest_batch", (json_int_t)ws.largest_batch, "audit_records",
                             (json_int_t)ws.audit_records, "audit_batches",
                             (json_int_t)ws.audit_batches));
}

static void h_routes(srv_request *rq)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < srv_nroutes; i++) {
        const srv_route *r = &srv_routes[i];
        json_t *roles = json_array();
        for (int k = 1; k < CUSTOS_ROLE_COUNT; k++)
            if (r->roles & SRV_ROLE(k))
                json_array_append_new(roles, json_string(custos_role_name((custos_role)k)));
        json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:s, s:s}", "method", r->method,
                                             "path", r->pattern, "roles", roles, "audit",
                                             r->audit == SRV_AUDIT_CHANGE ? "change"
                                             : r->audit == SRV_AUDIT_READ ? "read"
                                                                          : "none",
                                             "summary", r->summary));
    }
    srv_reply_json(rq, 200, json_pack("{s:o}", "routes", arr));
}

static json_t *strings(const void *base, size_t n, size_t stride)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string((const char *)base + i * stride));
    return a;
}

static json_t *user_json(const custos_user *u)
{
    return json_pack("{s:s, s:s, s:b, s:i, s:o, s:o, s:o}", "name", u->name, "role",
                     custos_role_name(u->role), "active", u->active, "version", u->version,
                     "states", strings(u->states, u->nstates, sizeof u->states[0]), "mbas",
                     strings(u->mbas, u->nmbas, sizeof u->mbas[0]), "compartments",
                     strings(u->compartments, u->ncompartments, sizeof u->compartments[0]));
}

static void h_me(srv_request *rq)
{
    srv_reply_json(rq, 200, user_json(&rq->user));
}

/* ---- reports ------------------------------------------------------------ */

static json_t *stored_json(const custos_stored *st, bool is_signed)
{
    return json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:o, s:o, s:I, s:s, s:s, s:b}", "id",
                     (json_int_t)st->id, "seq", (json_int_t)st->seq, "state", st->state,
                     "number", (json_int_t)st->number, "mba", st->mba, "type",
                     type_name(st->type), "start", date_json(st->start), "end",
                     date_json(st->end), "entries", (json_int_t)st->entries, "hash", st->hash,
                     "link", st->link, "signed", is_signed);
}

static json_t *diag_lines(const custos_diags *d, custos_severity sev)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < custos_diags_count(d); i++) {
        const custos_diag *g = custos_diags_get(d, i);
        if (g->severity != sev)
            continue;
        char line[1024];
        custos_diag_format(line, sizeof line, g);
        json_array_append_new(a, json_string(line));
    }
    return a;
}

#define MAX_SUBMITTED 10000 /* reports in one request body */

static void h_submit(srv_request *rq)
{
    custos_format fmt = CUSTOS_FORMAT_AUTO;
    const char *f = srv_uri_param(&rq->uri, "format");
    const char *ct = srv_header(rq, "Content-Type");
    if (f && custos_format_parse(&fmt, f) < 0) {
        srv_reply_error(rq, 400, "format '%s' is not code10, csv or json", f);
        return;
    }
    if (!f && ct && !strncmp(ct, "text/csv", 8))
        fmt = CUSTOS_FORMAT_CSV;
    else if (!f && ct && !strncmp(ct, "application/json", 16))
        fmt = CUSTOS_FORMAT_JSON;
    if (!rq->body_len) {
        srv_reply_error(rq, 400, "the request body is empty: send the report");
        return;
    }
    const char *key = srv_header(rq, "X-Custos-Key");
    const char *sig = srv_header(rq, "X-Custos-Signature");
    custos_submission sub;
    memset(&sub, 0, sizeof sub);
    if (!key != !sig) {
        srv_reply_error(rq, 400, "X-Custos-Key and X-Custos-Signature go together");
        return;
    }
    if (sig && custos_signature_decode(sub.signature, sig) < 0) {
        srv_reply_error(rq, 400, "X-Custos-Signature: %s", custos_last_error());
        return;
    }
    char keyid[CUSTOS_KEY_ID_LEN + 1] = "";
    if (key)
        snprintf(keyid, sizeof keyid, "%s", key);

    char source[CUSTOS_USER_NAME_MAX + 8];
    snprintf(source, sizeof source, "api:%s", rq->user.name);
    custos_reader *rd = NULL;
    custos_diags *d = NULL;
    custos_report **reports = NULL;
    custos_stored *stored = NULL;
    size_t n = 0;
    int err = custos_diags_new(&d);
    if (err >= 0)
        err = custos_reader_open_memory(&rd, source, rq->body, rq->body_len, fmt);
    while (err >= 0) {
        custos_report *r = NULL;
        int k = custos_reader_next(&r, rd, d);
        if (k <= 0) {
            err = k;
            break;
        }
        if (n == MAX_SUBMITTED) {
            custos_report_free(r);
            err = CUSTOS_ETOOBIG;
            srv_reply_error(rq, 413, "a request holds at most %d reports", MAX_SUBMITTED);
            break;
        }
        custos_report **p = realloc(reports, (n + 1) * sizeof *p);
        if (!p) {
            custos_report_free(r);
            err = CUSTOS_ENOMEM;
            break;
        }
        reports = p;
        reports[n++] = r;
        if (!custos_user_can_submit(&rq->user, r->state, r->mba)) {
            srv_reply_error(rq, 403, "%s may not submit reports for MBA %s/%s", rq->user.name,
                            r->state, r->mba);
            err = CUSTOS_EFORBIDDEN;
            break;
        }
        if ((err = custos_report_set_source(r, source)) < 0)
            break;
    }
    if (rq->resp) {
        /* replied above */
    } else if (err == CUSTOS_EINVAL) {
        json_t *o = json_pack("{s:s, s:o}", "error", custos_last_error(), "errors",
                              diag_lines(d, CUSTOS_SEV_ERROR));
        snprintf(rq->detail, sizeof rq->detail, "%s", custos_last_error());
        srv_reply_json(rq, 400, o);
    } else if (err < 0) {
        srv_reply_custos(rq, err);
    } else if (n == 0) {
        srv_reply_error(rq, 400, "%s: no report in the body", source);
    } else if (key && n != 1) {
        srv_reply_error(rq, 400, "a signed submission holds one report (this one holds %zu)", n);
    } else if (!(stored = calloc(n, sizeof *stored))) {
        srv_reply_error(rq, 500, "out of memory");
    } else {
        sub.reports = reports;
        sub.n = n;
        sub.key_id = key ? keyid : NULL;
        sub.diags = d;
        sub.stored = stored;
        srv_audit a;
        memset(&a, 0, sizeof a);
        snprintf(a.who, sizeof a.who, "%s", rq->user.name);
        snprintf(a.role, sizeof a.role, "%s", custos_role_name(rq->user.role));
        snprintf(a.action, sizeof a.action, "POST /api/reports");
        snprintf(a.target, sizeof a.target, "%s;%lld %s%s", reports[0]->state,
                 (long long)reports[0]->number, reports[0]->mba, n > 1 ? " and more" : "");
        snprintf(a.remote, sizeof a.remote, "%s", rq->remote);
        srv_writer_submit(rq->srv->writer, &sub, &a);
        rq->audited = true;
        if (sub.err >= 0) {
            json_t *arr = json_array();
            for (size_t i = 0; i < n; i++)
                json_array_append_new(arr, stored_json(&stored[i], key != NULL));
            json_t *fi = diag_lines(d, CUSTOS_SEV_FINDING);
            snprintf(rq->location, sizeof rq->location, "/api/reports/%lld",
                     (long long)stored[0].id);
            srv_reply_json(rq, 201, json_pack("{s:o, s:o}", "stored", arr, "findings", fi));
        } else if (sub.err == CUSTOS_EINVAL) {
            srv_reply_json(rq, 400,
                           json_pack("{s:s, s:o}", "error", sub.message, "errors",
                                     diag_lines(d, CUSTOS_SEV_ERROR)));
        } else {
            srv_reply_error(rq, srv_status_of(sub.err), "%s", sub.message);
        }
    }
    if (!rq->audited && rq->status >= 400)
        snprintf(rq->audit_target, sizeof rq->audit_target, "%s", source);
    for (size_t i = 0; i < n; i++)
        custos_report_free(reports[i]);
    free(reports);
    free(stored);
    custos_reader_free(rd);
    custos_diags_free(d);
}

static json_t *ref_json(const custos_report_ref *r)
{
    return json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:I}", "id", (json_int_t)r->id,
                     "state", r->state, "number", (json_int_t)r->number, "mba", r->mba,
                     "facility", r->facility, "type", type_name(r->type), "date",
                     date_json(r->date), "start", date_json(r->start), "end", date_json(r->end),
                     "entries", (json_int_t)r->entries);
}

static void h_reports(srv_request *rq)
{
    char state[3], code[5], mba[8] = "";
    int m = mba_param(rq, state, code);
    if (m < 0)
        return;
    if (m)
        snprintf(mba, sizeof mba, "%s/%s", state, code);
    long long number = 0;
    const char *ns = srv_uri_param(&rq->uri, "number");
    if (ns) {
        char *end;
        number = strtoll(ns, &end, 10);
        if (*end || number <= 0) {
            srv_reply_error(rq, 400, "number '%s' is not a report number", ns);
            return;
        }
    }
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    custos_report_ref *v;
    size_t n;
    int err = custos_ledger_reports(&v, &n, l, m ? mba : NULL, number);
    if (err < 0) {
        srv_reply_custos(rq, err);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        if (srv_can_read_mba(rq, v[i].state, v[i].mba))
            json_array_append_new(arr, ref_json(&v[i]));
    custos_free(v);
    srv_reply_json(rq, 200, json_pack("{s:o}", "reports", arr));
}

static void h_report(srv_request *rq)
{
    char *end;
    long long id = strtoll(rq->cap[0], &end, 10);
    if (*end || id <= 0) {
        srv_reply_error(rq, 400, "report id '%s' is not a number", rq->cap[0]);
        return;
    }
    custos_format fmt = CUSTOS_FORMAT_JSON;
    const char *f = srv_uri_param(&rq->uri, "format");
    if (f && (custos_format_parse(&fmt, f) < 0 || fmt == CUSTOS_FORMAT_AUTO)) {
        srv_reply_error(rq, 400, "format '%s' is not code10, csv or json", f);
        return;
    }
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    custos_report *r;
    int err = custos_ledger_report_load(&r, l, id);
    if (err == CUSTOS_ENOTFOUND || (err >= 0 && !srv_can_read_mba(rq, r->state, r->mba))) {
        if (err >= 0)
            custos_report_free(r);
        srv_reply_error(rq, 404, "no report %lld readable by %s", id, rq->user.name);
        return;
    }
    if (err < 0) {
        srv_reply_custos(rq, err);
        return;
    }
    snprintf(rq->audit_target, sizeof rq->audit_target, "report %lld (%s;%lld %s)", id, r->state,
             (long long)r->number, r->mba);
    srv_buf b = {.max = (size_t)256 << 20};
    custos_writer *w = NULL;
    err = custos_writer_new(&w, fmt, srv_buf_write, &b);
    if (err >= 0)
        err = custos_writer_report(w, r);
    if (err >= 0)
        err = custos_writer_finish(w);
    custos_writer_free(w);
    bool found = false;
    char key[CUSTOS_KEY_ID_LEN + 1] = "";
    unsigned char sig[CUSTOS_SIGNATURE_BYTES];
    if (err >= 0)
        err = custos_ledger_signature(&found, key, sig, l, id);
    custos_report_free(r);
    if (err < 0) {
        free(b.data);
        srv_reply_custos(rq, err);
        return;
    }
    if (fmt != CUSTOS_FORMAT_JSON) {
        srv_reply_buf(rq, 200, fmt == CUSTOS_FORMAT_CSV ? "text/csv" : "text/plain; charset=utf-8",
                      &b);
        return;
    }
    json_error_t je;
    json_t *doc = json_loadb(b.data ? b.data : "", b.len, 0, &je);
    free(b.data);
    char enc[CUSTOS_SIGNATURE_B64_LEN + 1];
    if (found)
        custos_signature_encode(enc, sig);
    json_t *signature = found ? json_pack("{s:s, s:s}", "key", key, "signature", enc) : json_null();
    srv_reply_json(rq, 200,
                   doc ? json_pack("{s:I, s:o, s:o}", "id", (json_int_t)id, "signature",
                                   signature, "report", doc)
                       : NULL);
}

/* ---- balances, transfers, facilities ------------------------------------ */

static json_t *balance_json(const custos_balance *b)
{
    json_t *changes = json_object();
    for (int i = 0; i < CUSTOS_NCODES && changes; i++)
        if (b->change[i])
            json_object_set_new(changes, custos_change_code_at(i), json_integer(b->change[i]));
    char element[2] = {b->element, 0};
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:i, s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:I, "
                     "s:i}",
                     "state", b->state, "mba", b->mba, "pit_begin", date_json(b->pit_begin),
                     "start", date_json(b->start), "end", date_json(b->end), "element", element,
                     "label", b->label, "pb_mg", (json_int_t)b->pb, "changes_mg", changes,
                     "di_mg", (json_int_t)b->di, "ba_mg", (json_int_t)b->ba, "pe_mg",
                     (json_int_t)b->pe, "muf_mg", (json_int_t)b->muf, "entries",
                     (json_int_t)b->entries, "mbr_report", (json_int_t)b->mbr_report,
                     "mbr_differences", b->mbr_differences);
}

static void h_balances(srv_request *rq)
{
    char state[3], code[5], mba[8] = "";
    int m = mba_param(rq, state, code);
    if (m < 0)
        return;
    if (m)
        snprintf(mba, sizeof mba, "%s/%s", state, code);
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    custos_balances *b;
    custos_diags *findings = NULL;
    int err = custos_diags_new(&findings);
    if (err >= 0)
        err = custos_ledger_balances(&b, l, m ? mba : NULL, findings);
    if (err < 0) {
        custos_diags_free(findings);
        srv_reply_custos(rq, err);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < b->n; i++)
        if (srv_can_read_mba(rq, b->items[i].state, b->items[i].mba))
            json_array_append_new(arr, balance_json(&b->items[i]));
    custos_balances_free(b);
    /* findings name MBAs freely: only for one MBA the user may read */
    json_t *fi = m ? diag_lines(findings, CUSTOS_SEV_FINDING) : json_array();
    custos_diags_free(findings);
    srv_reply_json(rq, 200, json_pack("{s:o, s:o}", "balances", arr, "findings", fi));
}

static const char *const transfer_status[] = {"matched", "pending", "overdue",
                                              "unmatched-receipt"};

static json_t *transfer_json(const custos_transfer *t)
{
    json_t *srd = json_object();
    for (int i = 0; i < CUSTOS_NWEIGHTS && srd; i++) {
        uint32_t bit = 1u << i;
        if ((t->ship_mask & bit) && (t->recv_mask & bit)) {
            char label[8];
            snprintf(label, sizeof label, "%d", custos_weight_label(i));
            json_object_set_new(srd, label, json_integer(t->ship_mg[i] - t->recv_mg[i]));
        }
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:I, s:o, s:i, s:o, s:o}", "status",
                     transfer_status[t->status], "state", t->state, "from", t->from_mba, "to",
                     t->to_mba, "batch", t->batch, "ship_report", (json_int_t)t->ship_report,
                     "ship_date", date_json(t->ship_date), "recv_report",
                     (json_int_t)t->recv_report, "recv_date", date_json(t->recv_date), "days",
                     t->days, "deadline", date_json(t->deadline), "srd_mg", srd);
}

static void h_transfers(srv_request *rq)
{
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    custos_transfers *t;
    int err = custos_ledger_transfers(&t, l, NULL, NULL);
    if (err < 0) {
        srv_reply_custos(rq, err);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < t->n; i++) {
        const custos_transfer *x = &t->items[i];
        if ((x->from_mba[0] && srv_can_read_mba(rq, x->state, x->from_mba)) ||
            (x->to_mba[0] && srv_can_read_mba(rq, x->state, x->to_mba)))
            json_array_append_new(arr, transfer_json(x));
    }
    custos_transfers_free(t);
    srv_reply_json(rq, 200, json_pack("{s:o}", "transfers", arr));
}

static void h_facilities(srv_request *rq)
{
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    custos_facility **f;
    int *ver;
    size_t n;
    int err = custos_ledger_facilities(&f, &ver, &n, l);
    if (err < 0) {
        srv_reply_custos(rq, err);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *mbas = json_array();
        for (size_t m = 0; m < f[i]->nmbas; m++) {
            const custos_mba *mb = &f[i]->mbas[m];
            if (!srv_can_read_mba(rq, f[i]->state, mb->code))
                continue;
            json_t *kmps = json_array();
            for (size_t k = 0; k < mb->nkmps; k++)
                json_array_append_new(kmps, json_pack("{s:s, s:s#}", "kmp", mb->kmps[k].code,
                                                      "kind", &mb->kmps[k].kind, (size_t)1));
            json_array_append_new(mbas, json_pack("{s:s, s:o}", "mba", mb->code, "kmps", kmps));
        }
        if (json_array_size(mbas))
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:i, s:o}", "state",
                                                 f[i]->state, "facility", f[i]->code, "type",
                                                 f[i]->type, "version", ver[i], "mbas", mbas));
        else
            json_decref(mbas);
        custos_facility_free(f[i]);
    }
    custos_free(f);
    custos_free(ver);
    srv_reply_json(rq, 200, json_pack("{s:o}", "facilities", arr));
}

static void h_verify(srv_request *rq)
{
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    custos_verify_result v;
    custos_audit_verify_result av;
    const char *head = srv_uri_param(&rq->uri, "head");
    int err = custos_ledger_verify(l, head, &v, NULL, NULL);
    if (err >= 0)
        err = custos_audit_verify(l, &av);
    if (err == CUSTOS_ETAMPER || (err == CUSTOS_EINVAL && head)) {
        snprintf(rq->detail, sizeof rq->detail, "%s", custos_last_error());
        srv_reply_json(rq, err == CUSTOS_ETAMPER ? 409 : 400,
                       json_pack("{s:b, s:s}", "ok", 0, "error", custos_last_error()));
        return;
    }
    if (err < 0) {
        srv_reply_custos(rq, err);
        return;
    }
    snprintf(rq->detail, sizeof rq->detail, "intact: %lld links, head %.16s", (long long)v.items,
             v.head);
    srv_reply_json(rq, 200,
                   json_pack("{s:b, s:I, s:I, s:I, s:s, s:I, s:s}", "ok", 1, "items",
                             (json_int_t)v.items, "reports", (json_int_t)v.reports, "entries",
                             (json_int_t)v.entries, "head", v.head, "audit_records",
                             (json_int_t)av.records, "audit_head", av.head));
}

/* ---- audit log ---------------------------------------------------------- */

static int audit_one(void *ctx, const custos_audit_record *r)
{
    json_array_append_new(ctx, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s}",
                                         "seq", (json_int_t)r->seq, "at", r->at, "who", r->who,
                                         "role", r->role, "action", r->action, "target",
                                         r->target, "outcome", r->outcome, "detail", r->detail,
                                         "remote", r->remote, "link", r->link));
    return 0;
}

static void h_audit(srv_request *rq)
{
    long long after = 0, limit = 100;
    const char *a = srv_uri_param(&rq->uri, "after"), *lim = srv_uri_param(&rq->uri, "limit");
    char *end = NULL;
    if (a && ((after = strtoll(a, &end, 10)) < 0 || *end)) {
        srv_reply_error(rq, 400, "after '%s' is not a record number", a);
        return;
    }
    if (lim && ((limit = strtoll(lim, &end, 10)) < 1 || limit > 10000 || *end)) {
        srv_reply_error(rq, 400, "limit '%s' is not 1-10000", lim);
        return;
    }
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    json_t *arr = json_array();
    int err = custos_audit_list(l, after, (size_t)limit, audit_one, arr);
    if (err < 0) {
        json_decref(arr);
        srv_reply_custos(rq, err);
        return;
    }
    srv_reply_json(rq, 200, json_pack("{s:o}", "records", arr));
}

/* ---- users, keys, policies (through the writer) -------------------------- */

typedef struct change {
    srv_request *rq;
    custos_user user;
    char name[CUSTOS_USER_NAME_MAX + 1];
    char token[CUSTOS_TOKEN_MAX];
    char by[CUSTOS_USER_NAME_MAX + 8];
    char state[3], facility[5], key_id[CUSTOS_KEY_ID_LEN + 1];
    unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES];
    custos_signing_key key;
    custos_policy policy;
} change;

static void change_init(change *c, srv_request *rq)
{
    memset(c, 0, sizeof *c);
    c->rq = rq;
    snprintf(c->by, sizeof c->by, "api:%s", rq->user.name);
}

/* Run fn on the writer, audited; 0 or the error (replied). */
static int run_change(srv_request *rq, int (*fn)(custos_ledger *, void *), change *c,
                      const char *target, int ok_status)
{
    srv_audit a;
    memset(&a, 0, sizeof a);
    snprintf(a.who, sizeof a.who, "%s", rq->user.name);
    snprintf(a.role, sizeof a.role, "%s", custos_role_name(rq->user.role));
    snprintf(a.action, sizeof a.action, "%s %s", rq->method, rq->route->pattern);
    snprintf(a.target, sizeof a.target, "%s", target);
    snprintf(a.remote, sizeof a.remote, "%s", rq->remote);
    a.outcome = ok_status;
    snprintf(a.detail, sizeof a.detail, "%s", rq->detail);
    char msg[SRV_ERR];
    int err = srv_writer_call(rq->srv->writer, fn, c, msg, &a);
    rq->audited = true;
    if (err < 0) {
        srv_reply_error(rq, srv_status_of(err), "%s", msg);
        return err;
    }
    return 0;
}

static int do_user_add(custos_ledger *l, void *arg)
{
    change *c = arg;
    return custos_user_add(l, &c->user, c->by, c->token);
}

static int do_user_revoke(custos_ledger *l, void *arg)
{
    change *c = arg;
    return custos_user_revoke(l, c->name, c->by);
}

static int do_user_token(custos_ledger *l, void *arg)
{
    change *c = arg;
    return custos_user_reissue(l, c->name, c->by, c->token);
}

static void h_users(srv_request *rq)
{
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    custos_user *v;
    size_t n;
    int err = custos_users_list(&v, &n, l);
    if (err < 0) {
        srv_reply_custos(rq, err);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, user_json(&v[i]));
    custos_free(v);
    srv_reply_json(rq, 200, json_pack("{s:o}", "users", arr));
}

static void h_user_add(srv_request *rq)
{
    change c;
    change_init(&c, rq);
    char err[SRV_ERR];
    if (srv_parse_user(&c.user, rq->body ? rq->body : "", rq->body_len, err) < 0) {
        srv_reply_error(rq, 400, "%s", err);
        return;
    }
    snprintf(rq->detail, sizeof rq->detail, "user %s, role %s", c.user.name,
             custos_role_name(c.user.role));
    if (run_change(rq, do_user_add, &c, c.user.name, 201) < 0)
        return;
    custos_user_get(&c.user, srv_ledger(rq), c.user.name);
    json_t *o = user_json(&c.user);
    json_object_set_new(o, "token", json_string(c.token));
    memset(c.token, 0, sizeof c.token);
    snprintf(rq->location, sizeof rq->location, "/api/users/%s", c.user.name);
    srv_reply_json(rq, 201, o);
}

static void h_user_revoke(srv_request *rq)
{
    change c;
    change_init(&c, rq);
    if (strlen(rq->cap[0]) >= sizeof c.name) {
        srv_reply_error(rq, 404, "no user '%.40s'", rq->cap[0]);
        return;
    }
    srv_copy(c.name, sizeof c.name, rq->cap[0]);
    if (run_change(rq, do_user_revoke, &c, c.name, 200) < 0)
        return;
    srv_tokens_invalidate(rq->srv);
    srv_reply_json(rq, 200, json_pack("{s:s, s:b}", "name", c.name, "active", 0));
}

static void h_user_token(srv_request *rq)
{
    change c;
    change_init(&c, rq);
    if (strlen(rq->cap[0]) >= sizeof c.name) {
        srv_reply_error(rq, 404, "no user '%.40s'", rq->cap[0]);
        return;
    }
    srv_copy(c.name, sizeof c.name, rq->cap[0]);
    if (run_change(rq, do_user_token, &c, c.name, 200) < 0)
        return;
    srv_tokens_invalidate(rq->srv);
    srv_reply_json(rq, 200, json_pack("{s:s, s:s}", "name", c.name, "token", c.token));
    memset(c.token, 0, sizeof c.token);
}

static json_t *key_json(const custos_signing_key *k)
{
    /* the public key as the second line of its key file */
    char b64[sodium_base64_ENCODED_LEN(CUSTOS_PUBLIC_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, k->public_key, CUSTOS_PUBLIC_KEY_BYTES,
                      sodium_base64_VARIANT_ORIGINAL);
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:i}", "key_id", k->key_id, "state", k->state,
                     "facility", k->facility, "public_key", b64, "active", k->active, "version",
                     k->version);
}

static void h_keys(srv_request *rq)
{
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    custos_signing_key *v;
    size_t n;
    int err = custos_ledger_keys(&v, &n, l);
    if (err < 0) {
        srv_reply_custos(rq, err);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        if (custos_user_can_manage_state(&rq->user, v[i].state))
            json_array_append_new(arr, key_json(&v[i]));
    custos_free(v);
    srv_reply_json(rq, 200, json_pack("{s:o}", "keys", arr));
}

static int do_key_add(custos_ledger *l, void *arg)
{
    change *c = arg;
    return custos_ledger_key_add(l, c->state, c->facility, c->pk, c->by, &c->key);
}

static int do_key_revoke(custos_ledger *l, void *arg)
{
    change *c = arg;
    return custos_ledger_key_revoke(l, c->key_id, c->by);
}

static void h_key_add(srv_request *rq)
{
    change c;
    change_init(&c, rq);
    char err[SRV_ERR];
    if (srv_parse_key(c.state, c.facility, c.pk, rq->body ? rq->body : "", rq->body_len, err) <
        0) {
        srv_reply_error(rq, 400, "%s", err);
        return;
    }
    if (!custos_user_can_manage_state(&rq->user, c.state)) {
        srv_reply_error(rq, 403, "%s may not register keys of State %s", rq->user.name, c.state);
        return;
    }
    char target[16];
    snprintf(target, sizeof target, "%s/%s", c.state, c.facility);
    if (run_change(rq, do_key_add, &c, target, 201) < 0)
        return;
    srv_reply_json(rq, 201, key_json(&c.key));
}

static void h_key_revoke(srv_request *rq)
{
    change c;
    change_init(&c, rq);
    srv_copy(c.key_id, sizeof c.key_id, rq->cap[0]);
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    int err = custos_ledger_key_get(&c.key, l, rq->cap[0]);
    if (err < 0 || !custos_user_can_manage_state(&rq->user, c.key.state)) {
        srv_reply_error(rq, 404, "no signing key %.20s that %s may manage", rq->cap[0],
                        rq->user.name);
        return;
    }
    if (run_change(rq, do_key_revoke, &c, c.key_id, 200) < 0)
        return;
    c.key.active = false;
    c.key.version++;
    srv_reply_json(rq, 200, key_json(&c.key));
}

static void h_policies(srv_request *rq)
{
    custos_ledger *l = srv_ledger(rq);
    if (!l)
        return;
    custos_policy *v;
    size_t n;
    int err = custos_ledger_policies(&v, &n, l);
    if (err < 0) {
        srv_reply_custos(rq, err);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:b, s:i}", "state", v[i].state,
                                             "require_signatures", v[i].require_signatures,
                                             "version", v[i].version));
    custos_free(v);
    srv_reply_json(rq, 200, json_pack("{s:o}", "policies", arr));
}

static int do_policy(custos_ledger *l, void *arg)
{
    change *c = arg;
    return custos_ledger_policy_set(l, &c->policy, c->by);
}

static void h_policy_set(srv_request *rq)
{
    change c;
    change_init(&c, rq);
    char err[SRV_ERR];
    bool require;
    if (srv_parse_policy(&require, rq->body ? rq->body : "", rq->body_len, err) < 0) {
        srv_reply_error(rq, 400, "%s", err);
        return;
    }
    if (strlen(rq->cap[0]) != 2) {
        srv_reply_error(rq, 400, "State '%.8s' is not two capital letters", rq->cap[0]);
        return;
    }
    if (!custos_user_can_manage_state(&rq->user, rq->cap[0])) {
        srv_reply_error(rq, 403, "%s may not set the policy of State %s", rq->user.name,
                        rq->cap[0]);
        return;
    }
    snprintf(c.policy.state, sizeof c.policy.state, "%s", rq->cap[0]);
    c.policy.require_signatures = require;
    snprintf(rq->detail, sizeof rq->detail, "signatures %s", require ? "required" : "optional");
    if (run_change(rq, do_policy, &c, c.policy.state, 200) < 0)
        return;
    srv_reply_json(rq, 200, json_pack("{s:s, s:b}", "state", c.policy.state,
                                      "require_signatures", require));
}

/* ---- the table ---------------------------------------------------------- */

const srv_route srv_routes[] = {
    {"GET", "/api/health", SRV_ANYONE, SRV_AUDIT_NONE, h_health,
     "liveness, version and the writer's counters"},
    {"GET", "/api/routes", SRV_ANYONE, SRV_AUDIT_NONE, h_routes,
     "this table: every route, the roles allowed, what is audited"},
    {"GET", "/api/me", SRV_ALL_ROLES, SRV_AUDIT_NONE, h_me, "the user the token belongs to"},
    {"GET", "/api/states", READERS, SRV_AUDIT_READ, srv_view_states,
     "the States, facilities and MBAs the user may read"},
    {"GET", "/api/facilities", READERS, SRV_AUDIT_READ, h_facilities,
     "registered facilities, their MBAs and KMPs (readable ones)"},
    {"POST", "/api/reports", OPERATOR, SRV_AUDIT_CHANGE, h_submit,
     "submit reports (Code 10, CSV or JSON body; signed with X-Custos-Key and "
     "X-Custos-Signature)"},
    {"GET", "/api/reports", READERS, SRV_AUDIT_READ, h_reports,
     "list stored reports (?mba=STATE/CODE, ?number=N)"},
    {"GET", "/api/reports/{id}", READERS, SRV_AUDIT_READ, h_report,
     "one report as received, with its signature (?format=json|code10|csv)"},
    {"GET", "/api/balances", READERS, SRV_AUDIT_READ, h_balances,
     "material balances per period: PB, changes, BA, PE, MUF in mg (?mba=)"},
    {"GET", "/api/transfers", READERS, SRV_AUDIT_READ, h_transfers,
     "domestic transfers matched, pending, overdue; SRD in mg"},
    {"GET", "/api/charts/muf.svg", READERS, SRV_AUDIT_READ, srv_view_chart_muf,
     "SVG: MUF per balance period of an MBA (?mba=, ?element=)"},
    {"GET", "/api/charts/mbas.svg", STATE_READERS, SRV_AUDIT_READ, srv_view_chart_mbas,
     "SVG: latest MUF of each MBA of a State (?state=)"},
    {"GET", "/api/verify", STATE_READERS | ADMIN, SRV_AUDIT_READ, h_verify,
     "recompute the ledger's hash chain and the audit log's (?head=HEX)"},
    {"GET", "/api/audit", ADMIN, SRV_AUDIT_READ, h_audit,
     "the audit log (?after=SEQ, ?limit=N up to 10000)"},
    {"GET", "/api/users", ADMIN, SRV_AUDIT_READ, h_users, "users, roles and scopes"},
    {"POST", "/api/users", ADMIN, SRV_AUDIT_CHANGE, h_user_add,
     "add a user; the reply holds its token, shown once"},
    {"POST", "/api/users/{name}/revoke", ADMIN, SRV_AUDIT_CHANGE, h_user_revoke,
     "revoke a user"},
    {"POST", "/api/users/{name}/token", ADMIN, SRV_AUDIT_CHANGE, h_user_token,
     "issue a new token (the old one stops working)"},
    {"GET", "/api/keys", MANAGERS, SRV_AUDIT_READ, h_keys,
     "facility signing keys (an authority: its State's)"},
    {"POST", "/api/keys", MANAGERS, SRV_AUDIT_CHANGE, h_key_add,
     "register a facility's Ed25519 public key"},
    {"POST", "/api/keys/{id}/revoke", MANAGERS, SRV_AUDIT_CHANGE, h_key_revoke,
     "revoke a signing key"},
    {"GET", "/api/policies", SRV_ALL_ROLES, SRV_AUDIT_NONE, h_policies,
     "the States' signature policies"},
    {"PUT", "/api/policies/{state}", MANAGERS, SRV_AUDIT_CHANGE, h_policy_set,
     "require signatures of a State's reports, or not"},
};

const size_t srv_nroutes = sizeof srv_routes / sizeof srv_routes[0];
