/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/document.h: versioned documents kept in the ledger beside the
 * reports: agreements, State models, information items and whatever the
 * later modules need to store whole and tamper-evident.
 *
 * A document is a text (JSON in practice) of a kind ("agreement",
 * "state", "info", ...) under a name.  Storing a name again gives a new
 * version; earlier versions stay (the ledger never updates or deletes).
 * Every stored version is appended to the ledger's hash chain with its
 * kind, so `custos verify` checks it like a report: its hash is the
 * BLAKE2b-256 of the exact text stored.
 *
 * The module that owns a kind checks the text before it stores it; this
 * module stores bytes and never interprets them.
 */
#ifndef CUSTOS_DOCUMENT_H
#define CUSTOS_DOCUMENT_H

#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

struct custos_ledger;

/* The longest kind and name (bytes, without the terminator). */
#define CUSTOS_DOC_KIND_MAX 23
#define CUSTOS_DOC_NAME_MAX 127

/* One stored version of a document. */
typedef struct custos_document_ref {
    int64_t id;            /* row id; also the item id in the chain */
    char kind[CUSTOS_DOC_KIND_MAX + 1];
    char name[CUSTOS_DOC_NAME_MAX + 1];
    int version;           /* 1, 2, ... per (kind, name) */
    int64_t seq;           /* its link in the hash chain */
    char stored_at[21];    /* ISO 8601 UTC */
} custos_document_ref;

/*
 * Store text (len bytes; any bytes but NUL) as the next version of
 * document (kind, name), in its own transaction, appended to the chain.
 * kind is 1-23 characters of [a-z-] other than "report", "facility",
 * "targets" and "signature" (which have their own tables); name 1-127 printable ASCII
 * characters.  source names the origin for the chain (a file name; may
 * be NULL).  out (may be NULL) receives what was stored.  Returns
 * CUSTOS_OK, CUSTOS_EINVAL (bad kind or name, empty text),
 * CUSTOS_ETOOBIG (over CUSTOS_MAX_JSON_FILE), CUSTOS_ESTORAGE,
 * CUSTOS_ENOMEM.  O(len).
 */
CUSTOS_API int custos_ledger_document_add(struct custos_ledger *l, const char *kind,
                                          const char *name, const char *source, const char *text,
                                          size_t len, custos_document_ref *out);

/*
 * The latest version of every document of kind, ordered by name.  Caller
 * frees *out with custos_free().  CUSTOS_OK (possibly *n == 0),
 * CUSTOS_ESTORAGE, CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_ledger_documents(custos_document_ref **out, size_t *n,
                                       struct custos_ledger *l, const char *kind);

/*
 * Every version of every document of kind in storage order (all kinds
 * when kind is NULL).  Caller frees *out with custos_free().
 */
CUSTOS_API int custos_ledger_document_history(custos_document_ref **out, size_t *n,
                                              struct custos_ledger *l, const char *kind);

/*
 * The text of document (kind, name): version 0 means the latest.  *text is
 * NUL-terminated; caller frees with custos_free().  ref (may be NULL)
 * receives its identity.  Returns CUSTOS_OK, CUSTOS_ENOTFOUND,
 * CUSTOS_ESTORAGE, CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_ledger_document_load(char **text, size_t *len, custos_document_ref *ref,
                                           struct custos_ledger *l, const char *kind,
                                           const char *name, int version);

#ifdef __cplusplus
}
#endif
#endif
