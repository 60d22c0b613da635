/* SPDX-License-Identifier: Apache-2.0 */
/*
 * document.c: versioned documents in the ledger (custos/document.h).
 *
 * Table `documents(id, kind, name, version, document)`, append-only like
 * every table of received data; each row is one link of the hash chain
 * with the document's kind as the chain kind and its row id as the item
 * id.  chain.c rebuilds the canonical text of such a link from this table
 * (custos_document_text()), so verify needs no knowledge of the kinds.
 */
#include <string.h>

#include "custos/document.h"
#include "ledgerint.h"

static bool kind_ok(const char *kind)
{
    size_t n = strlen(kind);
    if (n == 0 || n > CUSTOS_DOC_KIND_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((kind[i] >= 'a' && kind[i] <= 'z') || kind[i] == '-'))
            return false;
    return strcmp(kind, "report") && strcmp(kind, "facility") && strcmp(kind, "targets") &&
           strcmp(kind, "signature");
}

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > CUSTOS_DOC_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (name[i] < 0x20 || name[i] > 0x7e)
            return false;
    return true;
}

bool custos_document_kind(const char *kind)
{
    return kind_ok(kind);
}

int custos_ledger_document_add(custos_ledger *l, const char *kind, const char *name,
                               const char *source, const char *text, size_t len,
                               custos_document_ref *out)
{
    if (!kind_ok(kind))
        return custos_error_set(CUSTOS_EINVAL, "document kind '%.40s' is not 1-%d letters a-z or '-'",
                                kind, CUSTOS_DOC_KIND_MAX);
    if (!name_ok(name))
        return custos_error_set(CUSTOS_EINVAL,
                                "document name '%.40s' is not 1-%d printable ASCII characters", name,
                                CUSTOS_DOC_NAME_MAX);
    if (len == 0)
        return custos_error_set(CUSTOS_EINVAL, "%s %s: empty document", kind, name);
    if (len > (size_t)CUSTOS_MAX_JSON_FILE)
        return custos_error_set(CUSTOS_ETOOBIG, "%s %s: document larger than %ld bytes", kind, name,
                                (long)CUSTOS_MAX_JSON_FILE);
    if (memchr(text, '\0', len))
        return custos_error_set(CUSTOS_EINVAL, "%s %s: document holds a NUL byte", kind, name);
    int err = custos_ledger_begin(l);
    if (err < 0)
        return err;
    sqlite3_stmt *s = NULL;
    custos_document_ref ref;
    memset(&ref, 0, sizeof ref);
    if (sqlite3_prepare_v2(l->db,
                           "SELECT coalesce(max(version), 0) + 1 FROM documents WHERE kind=?1 AND "
                           "name=?2",
                           -1, &s, NULL) != SQLITE_OK) {
        err = custos_ledger_sqlerr(l, "prepare");
        goto fail;
    }
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) {
        err = custos_ledger_sqlerr(l, "document version");
        goto fail;
    }
    ref.version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    s = NULL;
    if (sqlite3_prepare_v2(l->db,
                           "INSERT INTO documents(kind, name, version, document) VALUES(?1,?2,?3,?4)",
                           -1, &s, NULL) != SQLITE_OK) {
        err = custos_ledger_sqlerr(l, "prepare");
        goto fail;
    }
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, ref.version);
    if (sqlite3_bind_text(s, 4, text, (int)len, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_DONE) {
        err = custos_ledger_sqlerr(l, "insert document");
        goto fail;
    }
    sqlite3_finalize(s);
    s = NULL;
    ref.id = sqlite3_last_insert_rowid(l->db);
    unsigned char hash[CUSTOS_HASH_BYTES];
    custos_hash(hash, text, len);
    if ((err = custos_chain_append(l, kind, ref.id, source ? source : "", hash, &ref.seq, NULL)) < 0)
        goto fail;
    if (sqlite3_prepare_v2(l->db, "SELECT stored_at FROM chain WHERE seq=?1", -1, &s, NULL) !=
        SQLITE_OK) {
        err = custos_ledger_sqlerr(l, "prepare");
        goto fail;
    }
    sqlite3_bind_int64(s, 1, ref.seq);
    if (sqlite3_step(s) != SQLITE_ROW) {
        err = custos_ledger_sqlerr(l, "chain link");
        goto fail;
    }
    custos_strlcpy(ref.stored_at, custos_col(s, 0, &err), sizeof ref.stored_at);
    sqlite3_finalize(s);
    s = NULL;
    if (err < 0)
        goto fail;
    if ((err = custos_ledger_commit(l)) < 0)
        return err;
    custos_strlcpy(ref.kind, kind, sizeof ref.kind);
    custos_strlcpy(ref.name, name, sizeof ref.name);
    if (out)
        *out = ref;
    return CUSTOS_OK;
fail:
    sqlite3_finalize(s);
    custos_ledger_rollback(l);
    return err;
}

/* Collect refs from a query selecting id, kind, name, version, seq,
 * stored_at. */
static int collect(custos_document_ref **out, size_t *n, custos_ledger *l, const char *sql,
                   const char *kind)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db, sql, -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    if (kind)
        sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    custos_document_ref *v = NULL;
    size_t cap = 0, cnt = 0;
    int rc, err = CUSTOS_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 16;
            custos_document_ref *p = custos_realloc(v, nc * sizeof *p);
            if (!p) {
                err = custos_error_nomem();
                break;
            }
            v = p;
            cap = nc;
        }
        custos_document_ref *x = &v[cnt++];
        memset(x, 0, sizeof *x);
        x->id = sqlite3_column_int64(s, 0);
        custos_strlcpy(x->kind, custos_col(s, 1, &err), sizeof x->kind);
        custos_strlcpy(x->name, custos_col(s, 2, &err), sizeof x->name);
        x->version = sqlite3_column_int(s, 3);
        x->seq = sqlite3_column_int64(s, 4);
        custos_strlcpy(x->stored_at, custos_col(s, 5, &err), sizeof x->stored_at);
        if (err < 0)
            break;
    }
    if (err >= 0 && rc != SQLITE_DONE)
        err = custos_ledger_sqlerr(l, "list documents");
    sqlite3_finalize(s);
    if (err < 0) {
        custos_free(v);
        return err;
    }
    *out = v;
    *n = cnt;
    return CUSTOS_OK;
}

#define DOC_COLUMNS                                                                              \
    "SELECT d.id, d.kind, d.name, d.version, coalesce(c.seq, 0), coalesce(c.stored_at, '') "      \
    "FROM documents d LEFT JOIN chain c ON c.kind = d.kind AND c.item_id = d.id "

int custos_ledger_documents(custos_document_ref **out, size_t *n, custos_ledger *l,
                            const char *kind)
{
    return collect(out, n, l,
                   DOC_COLUMNS "WHERE d.kind=?1 AND d.version = (SELECT max(version) FROM "
                               "documents x WHERE x.kind = d.kind AND x.name = d.name) "
                               "ORDER BY d.name",
                   kind);
}

int custos_ledger_document_history(custos_document_ref **out, size_t *n, custos_ledger *l,
                                   const char *kind)
{
    if (kind)
        return collect(out, n, l, DOC_COLUMNS "WHERE d.kind=?1 ORDER BY d.id", kind);
    return collect(out, n, l, DOC_COLUMNS "ORDER BY d.id", NULL);
}

int custos_ledger_document_load(char **text, size_t *len, custos_document_ref *ref,
                                custos_ledger *l, const char *kind, const char *name, int version)
{
    *text = NULL;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(l->db,
                           "SELECT d.id, d.kind, d.name, d.version, coalesce(c.seq, 0),"
                           " coalesce(c.stored_at, ''), d.document FROM documents d"
                           " LEFT JOIN chain c ON c.kind = d.kind AND c.item_id = d.id"
                           " WHERE d.kind=?1 AND d.name=?2 AND (?3 = 0 OR d.version = ?3)"
                           " ORDER BY d.version DESC LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        return custos_ledger_sqlerr(l, "prepare");
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, version);
    int rc = sqlite3_step(s), err = CUSTOS_OK;
    if (rc == SQLITE_DONE) {
        err = version ? custos_error_set(CUSTOS_ENOTFOUND, "no %s '%s' version %d is stored", kind,
                                         name, version)
                      : custos_error_set(CUSTOS_ENOTFOUND, "no %s '%s' is stored", kind, name);
    } else if (rc != SQLITE_ROW) {
        err = custos_ledger_sqlerr(l, "load document");
    } else {
        custos_document_ref r;
        memset(&r, 0, sizeof r);
        r.id = sqlite3_column_int64(s, 0);
        custos_strlcpy(r.kind, custos_col(s, 1, &err), sizeof r.kind);
        custos_strlcpy(r.name, custos_col(s, 2, &err), sizeof r.name);
        r.version = sqlite3_column_int(s, 3);
        r.seq = sqlite3_column_int64(s, 4);
        custos_strlcpy(r.stored_at, custos_col(s, 5, &err), sizeof r.stored_at);
        const void *p = sqlite3_column_blob(s, 6);
        size_t nb = (size_t)sqlite3_column_bytes(s, 6);
        if (err >= 0 && !p && nb)
            err = custos_error_nomem();
        char *t = err < 0 ? NULL : custos_malloc(nb + 1);
        if (err >= 0 && !t)
            err = custos_error_nomem();
        if (err >= 0) {
            if (nb)
                memcpy(t, p, nb);
            t[nb] = '\0';
            *text = t;
            if (len)
                *len = nb;
            if (ref)
                *ref = r;
        }
    }
    sqlite3_finalize(s);
    return err;
}
