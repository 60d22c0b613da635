/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/ledger.h: the accountancy ledger, an append-only, tamper-evident
 * SQLite store of reports and of the documents custos keeps beside them
 * (facility descriptions, ...).
 *
 * Invariants (docs/internals/ledger.md):
 *  - a report is stored whole or not at all: one import is one
 *    transaction, and a rejected report leaves the store as it was;
 *  - stored rows are never updated or deleted (triggers refuse it);
 *    corrections are new entries (label 309 C/D/A);
 *  - every stored item is appended to one hash chain: link_i =
 *    BLAKE2b-256(link_{i-1} || i || BLAKE2b-256(canonical text of item i)
 *    || stored_at || source), so changing, deleting or inserting a row
 *    behind custos's back breaks custos_ledger_verify().
 *
 * A ledger handle is used by one thread at a time; open one per thread.
 */
#ifndef CUSTOS_LEDGER_H
#define CUSTOS_LEDGER_H

#include <stdbool.h>

#include "common.h"
#include "diag.h"
#include "format.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct custos_ledger custos_ledger;

/* Flags of custos_ledger_open(). */
#define CUSTOS_OPEN_CREATE 0x1   /* create the store when it does not exist */
#define CUSTOS_OPEN_READONLY 0x2 /* never write */
#define CUSTOS_OPEN_SCRATCH 0x4  /* an in-memory store for checks: the MBA
                                    registry is not required */

/*
 * Open the ledger at path (created with CUSTOS_OPEN_CREATE; ":memory:"
 * with CUSTOS_OPEN_SCRATCH for a throw-away store).  Sets WAL mode and
 * full synchronous commits.  Caller frees with custos_ledger_free().
 * Returns CUSTOS_OK, CUSTOS_ENOTFOUND (no store and no CREATE),
 * CUSTOS_ESTORAGE (not a custos store, or SQLite failed), CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_ledger_open(custos_ledger **out, const char *path, unsigned flags);
CUSTOS_API void custos_ledger_free(custos_ledger *l);

/* An in-memory copy of ledger src (SQLite's backup API), checked like its
 * source: `custos check --db` imports into it and throws it away.  Caller
 * frees with custos_ledger_free(). */
CUSTOS_API int custos_ledger_clone_memory(custos_ledger **out, custos_ledger *src);

/* What was stored, for the caller to print. */
typedef struct custos_stored {
    int64_t seq;       /* position in the hash chain */
    int64_t id;        /* report id */
    char state[3];
    int64_t number;
    char mba[5];
    char type;
    custos_date start, end;
    size_t entries;
    char hash[65];     /* BLAKE2b-256 of the canonical text, hex */
    char link[65];     /* chain link, hex */
} custos_stored;

typedef void (*custos_stored_fn)(void *ctx, const custos_stored *s);
/* Progress: done and total units (bytes for imports; total 0 if unknown). */
typedef void (*custos_progress_fn)(void *ctx, uint64_t done, uint64_t total);

typedef struct custos_import_options {
    bool dry_run;               /* check everything, store nothing */
    custos_stored_fn on_stored; /* called for each report, may be NULL */
    void *stored_ctx;
    custos_progress_fn progress; /* may be NULL */
    void *progress_ctx;
} custos_import_options;

/*
 * Read every report from rd, check each on its own (custos/validate.h) and
 * against the ledger's history, and store them in one transaction: all or
 * none.  History checks: the MBA and its KMPs are registered (unless the
 * store is a scratch store), report numbers increase per MBA (a gap is a
 * finding), reporting periods follow each other without gap or overlap,
 * inventory changes come after the MBA's opening PIL, corrections point at
 * stored entries of an earlier report of the same type and MBA.
 * on_stored is called per report once it is inserted (before commit).
 * Returns CUSTOS_OK, CUSTOS_EINVAL (d holds every problem; nothing is
 * stored), CUSTOS_ESTORAGE, CUSTOS_ETOOBIG, CUSTOS_EIO, CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_ledger_import(custos_ledger *l, custos_reader *rd,
                                    const custos_import_options *opt, custos_diags *d);

/* Store one report in its own transaction, with the checks above.  out
 * may be NULL.  Returns as custos_ledger_import(). */
CUSTOS_API int custos_ledger_store(custos_ledger *l, const custos_report *r, custos_diags *d,
                                   custos_stored *out);

typedef struct custos_verify_result {
    int64_t items;       /* chain links checked */
    int64_t reports;
    int64_t entries;
    char head[65];       /* the last link, hex ("" for an empty chain) */
} custos_verify_result;

/*
 * Recompute every item's canonical text from the stored rows, its hash and
 * the chain; check that no row lies outside the chain.  With expect_head
 * (hex, may be NULL) also check the chain ends at that published link.
 * Returns CUSTOS_OK, or CUSTOS_ETAMPER with the first broken link in the
 * last error message; CUSTOS_ESTORAGE, CUSTOS_ENOMEM.  O(total size).
 */
CUSTOS_API int custos_ledger_verify(custos_ledger *l, const char *expect_head,
                                    custos_verify_result *out, custos_progress_fn progress,
                                    void *progress_ctx);

/* One link of the chain, as custos_ledger_log() shows it.  Strings are
 * borrowed for the duration of the callback. */
typedef struct custos_log_item {
    int64_t seq;
    const char *kind;      /* "report", "facility", ... */
    int64_t item_id;
    const char *stored_at; /* ISO 8601 UTC */
    const char *source;    /* file or origin, may be "" */
    const char *summary;   /* e.g. "ICR XA;12 XAFF 20260101/20260131 14 entries" */
    char hash[65];
    char link[65];
} custos_log_item;

typedef int (*custos_log_fn)(void *ctx, const custos_log_item *item);

/*
 * The position of the chain's last link (0 for an empty chain): it
 * changes whenever anything is stored, so a reader can tell whether what
 * it computed from the ledger is still current.  One indexed look-up.
 * Returns CUSTOS_OK or CUSTOS_ESTORAGE.
 */
CUSTOS_API int custos_ledger_head(custos_ledger *l, int64_t *seq);

/* Call fn for each link in chain order; a negative return from fn stops
 * and is returned.  CUSTOS_OK, CUSTOS_ESTORAGE. */
CUSTOS_API int custos_ledger_log(custos_ledger *l, custos_log_fn fn, void *ctx);

/* Load stored report id as it was received.  Caller frees with
 * custos_report_free().  CUSTOS_OK, CUSTOS_ENOTFOUND, CUSTOS_ESTORAGE,
 * CUSTOS_ENOMEM. */
CUSTOS_API int custos_ledger_report_load(custos_report **out, custos_ledger *l, int64_t id);

/* A stored report's identity. */
typedef struct custos_report_ref {
    int64_t id;
    char state[3];
    int64_t number;
    char mba[5];
    char facility[5];
    char type;
    custos_date date, start, end;
    int64_t entries;
} custos_report_ref;

/*
 * List stored reports in storage order, optionally only those of MBA mba
 * (NULL: all; "XA/XAFF" or "XAFF") and of report number (0: all).  Caller
 * frees *out with custos_free().  CUSTOS_OK (possibly *n == 0),
 * CUSTOS_ESTORAGE, CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_ledger_reports(custos_report_ref **out, size_t *n, custos_ledger *l,
                                     const char *mba, int64_t number);

/*
 * Register a facility description (JSON, docs/formats.md): State,
 * facility code, type, MBAs and their KMPs.  A facility registered again
 * gets a new version; earlier versions stay.  Appended to the chain.
 * *version (may be NULL) receives the version stored.  Returns CUSTOS_OK,
 * CUSTOS_EINVAL (problems in d), CUSTOS_ESTORAGE, CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_ledger_facility_add(custos_ledger *l, const char *source,
                                          const char *json, size_t len, custos_diags *d,
                                          int *version);

/* The underlying SQLite handle, for the library's other modules and for
 * tests.  Borrowed until custos_ledger_free(). */
struct sqlite3;
CUSTOS_API struct sqlite3 *custos_ledger_db(custos_ledger *l);

#ifdef __cplusplus
}
#endif
#endif
