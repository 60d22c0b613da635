/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ledgerint.h: the ledger object and the helpers its modules share
 * (ledger.c: opening, schema, import and history checks; store.c: reports
 * to rows and back; chain.c: the hash chain, verify and log; facility.c:
 * the MBA registry).
 */
#ifndef CUSTOS_LEDGERINT_H
#define CUSTOS_LEDGERINT_H

#include <sodium.h>
#include <sqlite3.h>

#include "custos/ledger.h"
#include "internal.h"

#define CUSTOS_SCHEMA_VERSION 1
#define CUSTOS_APPLICATION_ID 0x43535430 /* "CST0" */
#define CUSTOS_HASH_BYTES 32

/* Cached prepared statements, by purpose. */
enum {
    ST_INSERT_REPORT,
    ST_INSERT_ENTRY,
    ST_INSERT_CORRECTION,
    ST_CHAIN_HEAD,
    ST_CHAIN_APPEND,
    ST_REPORT_EXISTS,
    ST_LAST_NUMBER,
    ST_LAST_PERIOD,
    ST_FIRST_PIL,
    ST_PIL_AT,
    ST_TARGET_REPORT,
    ST_TARGET_ENTRY,
    ST_LAST_CORRECTION,
    ST_MBA_KNOWN,
    ST_KMP_KNOWN,
    ST_LOAD_REPORT,
    ST_LOAD_ENTRIES,
    ST_HEAD,
    ST_INSERT_SIGNATURE,
    ST_COUNT
};

struct custos_ledger {
    sqlite3 *db;
    unsigned flags;
    sqlite3_stmt *st[ST_COUNT];
    bool in_tx;
    /* The chain's head while a transaction is open. */
    int64_t head_seq;
    unsigned char head_link[CUSTOS_HASH_BYTES];
    /* Progress of an import, also inside one large report: while its rows
     * go in, the bytes from..to it was read from are reported in step
     * with the entries inserted. */
    custos_progress_fn progress;
    void *progress_ctx;
    uint64_t progress_from, progress_to, progress_total;
};

/* A cached statement, reset and with bindings cleared; NULL on error
 * (last error set). */
sqlite3_stmt *custos_ledger_stmt(custos_ledger *l, int id, const char *sql);

/* Text of column i of s, or "" when the column is NULL.  When SQLite
 * cannot produce the text (out of memory) it returns "" and sets *err to
 * CUSTOS_ENOMEM, so a caller never mistakes a failed read for data. */
const char *custos_col(sqlite3_stmt *s, int i, int *err);

/* Raise CUSTOS_ESTORAGE with SQLite's message. */
int custos_ledger_sqlerr(custos_ledger *l, const char *what);

int custos_ledger_begin(custos_ledger *l);
int custos_ledger_commit(custos_ledger *l);
void custos_ledger_rollback(custos_ledger *l);

/* Now as ISO 8601 UTC, or SOURCE_DATE_EPOCH when that is set (for
 * reproducible outputs). */
void custos_ledger_now(char out[21]);

/* Append an item to the chain inside the open transaction. */
int custos_chain_append(custos_ledger *l, const char *kind, int64_t item_id, const char *source,
                        const unsigned char hash[CUSTOS_HASH_BYTES], int64_t *seq,
                        unsigned char link[CUSTOS_HASH_BYTES]);

/* BLAKE2b-256 of data. */
void custos_hash(unsigned char out[CUSTOS_HASH_BYTES], const void *data, size_t len);

/* Check and store one report inside the transaction the caller opened
 * (custos_ledger_begin()), under its own savepoint: refused, it leaves the
 * transaction as it was.  Returns as custos_ledger_store(). */
int custos_ledger_store_in_tx(custos_ledger *l, const custos_report *r, custos_diags *d,
                              custos_stored *out);

/* Signatures (sign.c): the canonical text of the signature chained as
 * item report_id, and the check of every stored signature against its
 * report and key, run by custos_ledger_verify(). */
int custos_signature_text(custos_ledger *l, int64_t report_id, char **out, size_t *len);
int custos_signatures_verify(custos_ledger *l);
/* The audit log's own hash chain (audit.c), checked by verify too. */
int custos_audit_verify_chain(custos_ledger *l, int64_t *records);

/* Insert report r (already checked) and its entries; returns its id. */
int custos_store_insert(custos_ledger *l, const custos_report *r, int64_t *id);
/* Load report id from its rows. */
int custos_store_load(custos_ledger *l, int64_t id, custos_report **out);
/* Fill one entry from a row of a statement selecting the entry columns
 * (ENTRY_COLUMNS) starting at column col.  When it sets *err (a value
 * custos does not write: CUSTOS_ETAMPER; or ENOMEM) e holds no text to
 * free. */
void custos_store_entry_from_row(sqlite3_stmt *s, int col, custos_entry *e, int *err);
/* The entry columns in the order store.c reads and writes them. */
extern const char *const custos_entry_columns;
/* The same list with each column prefixed ("e."), into buf. */
void custos_store_columns(char *buf, size_t size, const char *prefix);

/* Rebuild the MBA registry from the stored facility documents and compare
 * it with the registry tables; CUSTOS_ETAMPER on a difference. */
int custos_facility_verify_registry(custos_ledger *l);

/* True when kind names a kind of document stored in table documents
 * (document.c): anything chained that is not a report, facility or
 * target-value table. */
bool custos_document_kind(const char *kind);

#endif
