/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/audit.h: the audit log: who did what, when, to what, with which
 * outcome, for every request that changes or reads sensitive data and
 * every change of users, keys and policies.
 *
 * The log is a table of the ledger with its own hash chain, separate from
 * the ledger's chain of received items (reads are audited too, far more
 * often than reports arrive):
 *
 *   link_i = BLAKE2b-256(link_{i-1} || be64(i) || at || 0 || who || 0 ||
 *                        role || 0 || action || 0 || target || 0 ||
 *                        be64(outcome) || detail || 0 || remote || 0)
 *
 * with link_0 = 32 zero bytes.  Rows are append-only (triggers), and
 * custos_audit_verify() (also run by custos_ledger_verify()) finds any
 * row changed, deleted or inserted behind custos's back.
 */
#ifndef CUSTOS_AUDIT_H
#define CUSTOS_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

struct custos_ledger;

/* Longest field kept (bytes); longer text is cut at a UTF-8 boundary. */
#define CUSTOS_AUDIT_FIELD_MAX 512

/* One record.  Strings are borrowed: from the caller for append, from the
 * log for the duration of a callback when listing. */
typedef struct custos_audit_record {
    int64_t seq;        /* position in the audit chain; set by append */
    char at[21];        /* ISO 8601 UTC; set by append */
    const char *who;    /* user name, "cli:NAME" for the command line, "-" unknown */
    const char *role;   /* the user's role, "" when not authenticated */
    const char *action; /* what was asked: "GET /api/reports/{id}", "user add" */
    const char *target; /* what it was asked of: a path, "XA/XAFF;12", a user */
    int outcome;        /* HTTP status, or 0 success / 1 failure on the CLI */
    const char *detail; /* one line: the error, or what was stored */
    const char *remote; /* client address, "" when local */
    char link[65];      /* chain link, hex (listing only) */
} custos_audit_record;

/*
 * Append n records (n >= 1) in one transaction, chained in order; each
 * gets its seq and at.  NULL strings are stored as "".  Returns
 * CUSTOS_OK, CUSTOS_EFORBIDDEN (read-only ledger), CUSTOS_ESTORAGE,
 * CUSTOS_ENOMEM.  O(n).
 */
CUSTOS_API int custos_audit_append(struct custos_ledger *l, custos_audit_record *v, size_t n);

typedef int (*custos_audit_fn)(void *ctx, const custos_audit_record *r);

/*
 * Call fn for the records after seq `after` (0: from the first), oldest
 * first, at most limit of them (0: all).  A negative return of fn stops
 * the listing and is returned.  CUSTOS_OK, CUSTOS_ESTORAGE.
 */
CUSTOS_API int custos_audit_list(struct custos_ledger *l, int64_t after, size_t limit,
                                 custos_audit_fn fn, void *ctx);

typedef struct custos_audit_verify_result {
    int64_t records;
    char head[65]; /* last link, hex; "" when the log is empty */
} custos_audit_verify_result;

/*
 * Recompute every link of the audit chain.  Returns CUSTOS_OK, or
 * CUSTOS_ETAMPER naming the first broken record; CUSTOS_ESTORAGE.
 * out may be NULL.  O(records).
 */
CUSTOS_API int custos_audit_verify(struct custos_ledger *l, custos_audit_verify_result *out);

#ifdef __cplusplus
}
#endif
#endif
