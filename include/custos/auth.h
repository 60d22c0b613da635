/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/auth.h: users, roles, need-to-know scopes and API tokens.
 *
 * Roles (docs/api.md has the full table of who may call what):
 *  - operator:  submits reports for, and reads, only its MBAs;
 *  - authority: the State's SSAC/authority: reads everything of its State
 *               and sets the State's signature policy and facility keys;
 *  - inspector: reads the States assigned to it;
 *  - analyst:   reads the States assigned to it, and information items
 *               only in its compartments (a third party's items stay in
 *               the originator's compartment);
 *  - admin:     manages users, keys and policies and reads the audit log;
 *               no access to nuclear material data (need-to-know).
 *
 * A user is a versioned document of kind "user" in the ledger
 * (custos/document.h): every change (new user, new token, new role or
 * scope, revocation) is a new version, hash-chained and kept.  The API
 * token is shown once, when it is issued, and stored only as its Argon2id
 * hash (libsodium crypto_pwhash_str, interactive limits).  A token reads
 * "cst1.NAME.SECRET" with 32 random bytes of secret (base64url), so the
 * user is found without trying every hash.
 */
#ifndef CUSTOS_AUTH_H
#define CUSTOS_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

struct custos_ledger;

typedef enum custos_role {
    CUSTOS_ROLE_NONE = 0,
    CUSTOS_ROLE_OPERATOR = 1,
    CUSTOS_ROLE_AUTHORITY = 2,
    CUSTOS_ROLE_INSPECTOR = 3,
    CUSTOS_ROLE_ANALYST = 4,
    CUSTOS_ROLE_ADMIN = 5
} custos_role;

#define CUSTOS_ROLE_COUNT 6

/* "operator", ...; "none" for CUSTOS_ROLE_NONE.  Static. */
CUSTOS_API const char *custos_role_name(custos_role r);
/* CUSTOS_OK or CUSTOS_EINVAL for an unknown name. */
CUSTOS_API int custos_role_parse(custos_role *out, const char *name);

#define CUSTOS_USER_NAME_MAX 32     /* [a-z0-9_-], starting with a letter */
#define CUSTOS_USER_MAX_STATES 16
#define CUSTOS_USER_MAX_MBAS 64
#define CUSTOS_USER_MAX_COMPARTMENTS 16
#define CUSTOS_COMPARTMENT_MAX 32   /* [A-Za-z0-9_-] */
#define CUSTOS_TOKEN_MAX 96         /* bytes of a token, with the NUL */

/* A user: plain data, no allocation. */
typedef struct custos_user {
    char name[CUSTOS_USER_NAME_MAX + 1];
    custos_role role;
    bool active;
    int version;                     /* of its document; 0 before stored */
    size_t nstates;                  /* authority: one; inspector, analyst: assigned */
    char states[CUSTOS_USER_MAX_STATES][3];
    size_t nmbas;                    /* operator: "XA/XAFF" */
    char mbas[CUSTOS_USER_MAX_MBAS][8];
    size_t ncompartments;            /* analyst */
    char compartments[CUSTOS_USER_MAX_COMPARTMENTS][CUSTOS_COMPARTMENT_MAX + 1];
} custos_user;

/* An empty user named name with role (name is checked when stored). */
CUSTOS_API void custos_user_init(custos_user *u, const char *name, custos_role role);

/*
 * Add a scope: a State ("XA"), an MBA ("XA/XAFF"; the State is added to
 * nothing), a compartment.  CUSTOS_EINVAL when malformed, CUSTOS_ETOOBIG
 * past the limits above; a duplicate is ignored.
 */
CUSTOS_API int custos_user_add_state(custos_user *u, const char *state);
CUSTOS_API int custos_user_add_mba(custos_user *u, const char *mba);
CUSTOS_API int custos_user_add_compartment(custos_user *u, const char *compartment);

/*
 * Check that u is complete for its role: an operator has at least one MBA
 * and no other scope; an authority exactly one State; an inspector or an
 * analyst at least one State; compartments only for analysts; an admin
 * no scope.  CUSTOS_OK or CUSTOS_EINVAL with the reason.
 */
CUSTOS_API int custos_user_check(const custos_user *u);

/*
 * Store a new user and issue its token into token (CUSTOS_TOKEN_MAX
 * bytes), to be shown once.  by names who did it (chain source).
 * Returns CUSTOS_OK, CUSTOS_EINVAL (custos_user_check() or a bad name),
 * CUSTOS_EEXISTS (name taken, revoked users included), CUSTOS_ESTORAGE,
 * CUSTOS_ENOMEM.  Takes about 0.1 s (Argon2id).
 */
CUSTOS_API int custos_user_add(struct custos_ledger *l, const custos_user *u, const char *by,
                               char token[CUSTOS_TOKEN_MAX]);

/* Change an existing user's role, scopes or active flag (a new version;
 * the token stays).  CUSTOS_ENOTFOUND when there is no such user. */
CUSTOS_API int custos_user_update(struct custos_ledger *l, const custos_user *u, const char *by);

/* Issue a new token (the old one stops working).  Revoked users stay
 * revoked.  CUSTOS_ENOTFOUND, CUSTOS_EINVAL (revoked). */
CUSTOS_API int custos_user_reissue(struct custos_ledger *l, const char *name, const char *by,
                                   char token[CUSTOS_TOKEN_MAX]);

/* Revoke a user: its token stops working; the user's history stays.
 * CUSTOS_ENOTFOUND. */
CUSTOS_API int custos_user_revoke(struct custos_ledger *l, const char *name, const char *by);

/* The latest version of user name.  CUSTOS_OK, CUSTOS_ENOTFOUND,
 * CUSTOS_ETAMPER (its document does not parse), CUSTOS_ESTORAGE. */
CUSTOS_API int custos_user_get(custos_user *out, struct custos_ledger *l, const char *name);

/* Every user, latest versions, by name.  Caller frees *out with
 * custos_free().  CUSTOS_OK (possibly *n == 0), CUSTOS_ESTORAGE,
 * CUSTOS_ENOMEM. */
CUSTOS_API int custos_users_list(custos_user **out, size_t *n, struct custos_ledger *l);

/*
 * The active user a token belongs to.  Returns CUSTOS_OK, or
 * CUSTOS_EFORBIDDEN for a malformed, unknown, revoked or wrong token
 * (one message for all, and the same Argon2id work, so the answer does
 * not tell which), CUSTOS_ESTORAGE.  Takes about 0.1 s: callers cache
 * (the server keeps verified tokens for a few seconds).
 */
CUSTOS_API int custos_auth_token(custos_user *out, struct custos_ledger *l, const char *token);

/* The user name a token claims ("" when malformed), into name. */
CUSTOS_API void custos_auth_token_user(char name[CUSTOS_USER_NAME_MAX + 1], const char *token);

/* Need-to-know.  A State is "XA"; an MBA is its code ("XAFF"). */
/* May u read data of this MBA (reports, balances)? */
CUSTOS_API bool custos_user_can_read_mba(const custos_user *u, const char *state,
                                         const char *mba);
/* May u read State-wide results of this State (NRTA, paths, evaluations,
 * agreements)?  Authority, inspector, analyst with that State. */
CUSTOS_API bool custos_user_can_read_state(const custos_user *u, const char *state);
/* May u submit reports for this MBA?  Operators of it only. */
CUSTOS_API bool custos_user_can_submit(const custos_user *u, const char *state, const char *mba);
/* May u see an information item held in compartment (its originator's
 * compartment for third-party information)?  Analysts holding it. */
CUSTOS_API bool custos_user_can_see_item(const custos_user *u, const char *compartment);
/* May u set the policy and keys of this State?  Its authority, admins. */
CUSTOS_API bool custos_user_can_manage_state(const custos_user *u, const char *state);

#ifdef __cplusplus
}
#endif
#endif
