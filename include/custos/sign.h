/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/sign.h: signed submissions: facility signing keys, the State's
 * signature policy, Ed25519 signatures over a report's canonical text,
 * and the submission of reports (signed or not) in batches.
 *
 * A facility operator holds an Ed25519 secret key (libsodium); its public
 * key is registered in the ledger for (State, facility).  The operator
 * signs the canonical text of a report (custos_report_canonical(): its
 * Code 10 form as custos writes it), so the signature holds whatever form
 * the report travelled in.  When the State's policy requires signatures,
 * a report without a valid signature by an active key of its own
 * facility is refused.  A stored signature is kept in table signatures,
 * keyed by report id, appended to the ledger's hash chain, and checked
 * again by custos_ledger_verify() against the report's rows and the key.
 *
 * Keys and policies are versioned documents ("signing-key", named by key
 * id; "policy", named by State), so every change is chained and kept.
 *
 * Key files are text: a header line and base64:
 *   custos-ed25519-public v1\n<base64 of the 32-byte public key>\n
 *   custos-ed25519-secret v1\n<base64 of the 64-byte secret key>\n
 * A key id is the first 8 bytes of BLAKE2b-256(public key), in hex.
 */
#ifndef CUSTOS_SIGN_H
#define CUSTOS_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "diag.h"
#include "ledger.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CUSTOS_SIGNATURE_BYTES 64
#define CUSTOS_PUBLIC_KEY_BYTES 32
#define CUSTOS_SECRET_KEY_BYTES 64
#define CUSTOS_KEY_ID_LEN 16        /* hex characters */
#define CUSTOS_SIGNATURE_B64_LEN 88 /* base64 with padding, without the NUL */

/*
 * A new key pair as the texts of its two files.  Caller frees both with
 * custos_free() (the secret is wiped by custos_sign_wipe_free()).
 * key_id receives its id.  CUSTOS_OK or CUSTOS_ENOMEM.
 */
CUSTOS_API int custos_sign_keypair(char **public_text, char **secret_text,
                                   char key_id[CUSTOS_KEY_ID_LEN + 1]);
/* Zero and free a secret text; NULL is allowed. */
CUSTOS_API void custos_sign_wipe_free(char *secret_text);

/* Read a key file's text.  CUSTOS_OK or CUSTOS_EINVAL (one line saying
 * what is wrong). */
CUSTOS_API int custos_sign_read_public(unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES],
                                       const char *text, size_t len);
CUSTOS_API int custos_sign_read_secret(unsigned char sk[CUSTOS_SECRET_KEY_BYTES],
                                       const char *text, size_t len);

/* The id of a public key. */
CUSTOS_API void custos_sign_key_id(char out[CUSTOS_KEY_ID_LEN + 1],
                                   const unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES]);

/* Sign r's canonical text.  CUSTOS_OK, CUSTOS_ENOMEM. */
CUSTOS_API int custos_report_sign(unsigned char sig[CUSTOS_SIGNATURE_BYTES],
                                  const custos_report *r,
                                  const unsigned char sk[CUSTOS_SECRET_KEY_BYTES]);
/* Check a signature over r's canonical text: CUSTOS_OK, CUSTOS_EINVAL
 * (does not verify), CUSTOS_ENOMEM. */
CUSTOS_API int custos_report_verify(const custos_report *r,
                                    const unsigned char sig[CUSTOS_SIGNATURE_BYTES],
                                    const unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES]);

/* Base64 (standard alphabet, padded) of a signature, and back
 * (CUSTOS_EINVAL unless exactly 64 bytes). */
CUSTOS_API void custos_signature_encode(char out[CUSTOS_SIGNATURE_B64_LEN + 1],
                                        const unsigned char sig[CUSTOS_SIGNATURE_BYTES]);
CUSTOS_API int custos_signature_decode(unsigned char sig[CUSTOS_SIGNATURE_BYTES],
                                       const char *text);

/* A registered key (latest version). */
typedef struct custos_signing_key {
    char key_id[CUSTOS_KEY_ID_LEN + 1];
    char state[3];
    char facility[5];
    unsigned char public_key[CUSTOS_PUBLIC_KEY_BYTES];
    bool active;
    int version;
} custos_signing_key;

/*
 * Register public key pk for facility (State state, facility code): a
 * document "signing-key" named by its id.  by names who did it.  out (may
 * be NULL) receives the key.  CUSTOS_OK, CUSTOS_EINVAL (bad State or
 * facility code), CUSTOS_EEXISTS (already registered), CUSTOS_ESTORAGE.
 */
CUSTOS_API int custos_ledger_key_add(custos_ledger *l, const char *state, const char *facility,
                                     const unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES],
                                     const char *by, custos_signing_key *out);
/* Revoke a key: later submissions signed with it are refused; stored
 * signatures stay valid.  CUSTOS_ENOTFOUND. */
CUSTOS_API int custos_ledger_key_revoke(custos_ledger *l, const char *key_id, const char *by);
/* One key; CUSTOS_ENOTFOUND. */
CUSTOS_API int custos_ledger_key_get(custos_signing_key *out, custos_ledger *l,
                                     const char *key_id);
/* Every key, latest versions, by id.  Caller frees with custos_free(). */
CUSTOS_API int custos_ledger_keys(custos_signing_key **out, size_t *n, custos_ledger *l);

/* A State's signature policy. */
typedef struct custos_policy {
    char state[3];
    bool require_signatures;
    int version; /* 0: never set (the default: signatures optional) */
} custos_policy;

/* Set (a new version) and read the policy of state.  CUSTOS_EINVAL for a
 * bad State code. */
CUSTOS_API int custos_ledger_policy_set(custos_ledger *l, const custos_policy *p,
                                        const char *by);
CUSTOS_API int custos_ledger_policy_get(custos_policy *out, custos_ledger *l, const char *state);
/* Every State's policy that was ever set.  Caller frees with custos_free(). */
CUSTOS_API int custos_ledger_policies(custos_policy **out, size_t *n, custos_ledger *l);

/* The stored signature of report id, if any: *found false when the report
 * was stored unsigned.  CUSTOS_OK, CUSTOS_ESTORAGE. */
CUSTOS_API int custos_ledger_signature(bool *found, char key_id[CUSTOS_KEY_ID_LEN + 1],
                                       unsigned char sig[CUSTOS_SIGNATURE_BYTES],
                                       custos_ledger *l, int64_t report_id);

/* One submission: reports that are stored together or not at all. */
typedef struct custos_submission {
    /* in */
    custos_report *const *reports; /* borrowed */
    size_t n;
    const char *key_id;            /* NULL: unsigned; else n must be 1 */
    unsigned char signature[CUSTOS_SIGNATURE_BYTES];
    custos_diags *diags;           /* receives every problem; may be NULL */
    custos_stored *stored;         /* n slots, filled when stored; may be NULL */
    /* out */
    int err;                       /* CUSTOS_OK, or why it was refused */
    char message[512];             /* the one-line error when refused */
} custos_submission;

/*
 * Store submissions v[0..n) in one transaction (group commit: one fsync
 * for all), each under its own savepoint, so each is stored whole or not
 * at all and a refused one does not touch the others.  For each: every
 * report is checked as custos_ledger_store() does; a signature must be by
 * an active key of the report's State and facility and verify over its
 * canonical text; without one, the report's State must not require
 * signatures.  A stored signature is chained after its report.  The
 * chain records each report's source (custos_report_set_source(): the
 * server sets "api:USER").
 * Returns CUSTOS_OK when the transaction committed (look at each v[i].err:
 * CUSTOS_EINVAL bad report, CUSTOS_EFORBIDDEN signature refused), or an
 * error of the store (CUSTOS_ESTORAGE, CUSTOS_ENOMEM, CUSTOS_EFORBIDDEN for
 * a read-only ledger), when nothing was stored and every v[i].err is set.
 * O(total report size).
 */
CUSTOS_API int custos_ledger_submit(custos_ledger *l, custos_submission *v, size_t n);

#ifdef __cplusplus
}
#endif
#endif
