/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth.c: users, roles, scopes and tokens (custos/auth.h).
 *
 * A user is a document of kind "user" named after the user:
 *
 *   {"name":"alice","role":"operator","active":true,"states":[],
 *    "mbas":["XA/XAFF"],"compartments":[],"token_hash":"$argon2id$..."}
 *
 * Each change stores a new version (document.c), so the chain keeps who
 * had which rights when.  Only the Argon2id hash of a token is stored.
 */
#include <jansson.h>
#include <pthread.h>
#include <string.h>

#include "custos/auth.h"
#include "custos/document.h"
#include "custos/info.h"
#include "ledgerint.h"

#define USER_KIND "user"
#define TOKEN_PREFIX "cst1."
#define SECRET_BYTES 32

static const char *const role_names[CUSTOS_ROLE_COUNT] = {
    "none", "operator", "authority", "inspector", "analyst", "admin",
};

const char *custos_role_name(custos_role r)
{
    return (unsigned)r < CUSTOS_ROLE_COUNT ? role_names[r] : "none";
}

int custos_role_parse(custos_role *out, const char *name)
{
    for (int i = 1; i < CUSTOS_ROLE_COUNT; i++)
        if (name && !strcmp(name, role_names[i])) {
            *out = (custos_role)i;
            return CUSTOS_OK;
        }
    return custos_error_set(CUSTOS_EINVAL,
                            "role '%.32s' is not operator, authority, inspector, analyst or admin",
                            name ? name : "");
}

static bool name_ok(const char *n)
{
    size_t len = strlen(n);
    if (len == 0 || len > CUSTOS_USER_NAME_MAX || n[0] < 'a' || n[0] > 'z')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_' ||
              n[i] == '-'))
            return false;
    return true;
}

static bool upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool state_ok(const char *s)
{
    return strlen(s) == 2 && upper(s[0]) && upper(s[1]);
}

static bool mba_ok(const char *m)
{
    if (strlen(m) != 7 || !state_ok((char[3]){m[0], m[1], 0}) || m[2] != '/')
        return false;
    for (int i = 3; i < 7; i++)
        if (!(upper(m[i]) || (m[i] >= '0' && m[i] <= '9')))
            return false;
    return true;
}

/* As the information items name them (info.c), or "*" for all. */
static bool compartment_ok(const char *c)
{
    size_t len = strlen(c);
    if (!strcmp(c, "*"))
        return true;
    if (len == 0 || len > CUSTOS_COMPARTMENT_MAX || c[0] == ':' || c[len - 1] == ':')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((c[i] >= 'a' && c[i] <= 'z') || upper(c[i]) || (c[i] >= '0' && c[i] <= '9') ||
              strchr("-_:.", c[i])))
            return false;
    return true;
}

void custos_user_init(custos_user *u, const char *name, custos_role role)
{
    memset(u, 0, sizeof *u);
    custos_strlcpy(u->name, name ? name : "", sizeof u->name);
    u->role = role;
    u->active = true;
}

int custos_user_add_state(custos_user *u, const char *state)
{
    if (!state || !state_ok(state))
        return custos_error_set(CUSTOS_EINVAL, "State '%.16s' is not two capital letters",
                                state ? state : "");
    for (size_t i = 0; i < u->nstates; i++)
        if (!strcmp(u->states[i], state))
            return CUSTOS_OK;
    if (u->nstates == CUSTOS_USER_MAX_STATES)
        return custos_error_set(CUSTOS_ETOOBIG, "a user holds at most %d States",
                                CUSTOS_USER_MAX_STATES);
    custos_strlcpy(u->states[u->nstates++], state, sizeof u->states[0]);
    return CUSTOS_OK;
}

int custos_user_add_mba(custos_user *u, const char *mba)
{
    if (!mba || !mba_ok(mba))
        return custos_error_set(CUSTOS_EINVAL, "MBA '%.16s' is not STATE/CODE (XA/XAFF)",
                                mba ? mba : "");
    for (size_t i = 0; i < u->nmbas; i++)
        if (!strcmp(u->mbas[i], mba))
            return CUSTOS_OK;
    if (u->nmbas == CUSTOS_USER_MAX_MBAS)
        return custos_error_set(CUSTOS_ETOOBIG, "a user holds at most %d MBAs",
                                CUSTOS_USER_MAX_MBAS);
    custos_strlcpy(u->mbas[u->nmbas++], mba, sizeof u->mbas[0]);
    return CUSTOS_OK;
}

int custos_user_add_compartment(custos_user *u, const char *c)
{
    if (!c || !compartment_ok(c))
        return custos_error_set(CUSTOS_EINVAL,
                                "compartment '%.40s' is not 1-%d characters [A-Za-z0-9_.:-] or '*'",
                                c ? c : "", CUSTOS_COMPARTMENT_MAX);
    for (size_t i = 0; i < u->ncompartments; i++)
        if (!strcmp(u->compartments[i], c))
            return CUSTOS_OK;
    if (u->ncompartments == CUSTOS_USER_MAX_COMPARTMENTS)
        return custos_error_set(CUSTOS_ETOOBIG, "a user holds at most %d compartments",
                                CUSTOS_USER_MAX_COMPARTMENTS);
    custos_strlcpy(u->compartments[u->ncompartments++], c, sizeof u->compartments[0]);
    return CUSTOS_OK;
}

int custos_user_check(const custos_user *u)
{
    if (!name_ok(u->name))
        return custos_error_set(CUSTOS_EINVAL,
                                "user name '%.40s' is not 1-%d characters [a-z0-9_-] starting "
                                "with a letter",
                                u->name, CUSTOS_USER_NAME_MAX);
    const char *r = custos_role_name(u->role);
    switch (u->role) {
    case CUSTOS_ROLE_OPERATOR:
        if (!u->nmbas || u->nstates || u->ncompartments)
            return custos_error_set(CUSTOS_EINVAL,
                                    "user %s: an operator needs --mba and no --state or "
                                    "--compartment",
                                    u->name);
        break;
    case CUSTOS_ROLE_AUTHORITY:
        if (u->nstates != 1 || u->nmbas || u->ncompartments)
            return custos_error_set(CUSTOS_EINVAL,
                                    "user %s: an authority needs exactly one --state", u->name);
        break;
    case CUSTOS_ROLE_INSPECTOR:
    case CUSTOS_ROLE_ANALYST:
        if (!u->nstates || u->nmbas)
            return custos_error_set(CUSTOS_EINVAL, "user %s: an %s needs --state and no --mba",
                                    u->name, r);
        if (u->role == CUSTOS_ROLE_INSPECTOR && u->ncompartments)
            return custos_error_set(CUSTOS_EINVAL, "user %s: compartments are for analysts only",
                                    u->name);
        break;
    case CUSTOS_ROLE_ADMIN:
        if (u->nstates || u->nmbas || u->ncompartments)
            return custos_error_set(CUSTOS_EINVAL,
                                    "user %s: an admin has no --state, --mba or --compartment "
                                    "(no access to material data)",
                                    u->name);
        break;
    default: return custos_error_set(CUSTOS_EINVAL, "user %s: no role", u->name);
    }
    return CUSTOS_OK;
}

/* ---- documents ---------------------------------------------------------- */

static json_t *string_array(const void *base, size_t n, size_t stride)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_string((const char *)base + i * stride)) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* The document text of u with token hash (caller frees with custos_free). */
static int user_text(char **out, const custos_user *u, const char *hash)
{
    *out = NULL;
    json_t *o = json_pack(
        "{s:s, s:s, s:b, s:o, s:o, s:o, s:s}", "name", u->name, "role", custos_role_name(u->role),
        "active", u->active, "states", string_array(u->states, u->nstates, sizeof u->states[0]),
        "mbas", string_array(u->mbas, u->nmbas, sizeof u->mbas[0]), "compartments",
        string_array(u->compartments, u->ncompartments, sizeof u->compartments[0]), "token_hash",
        hash);
    if (!o)
        return custos_error_nomem();
    *out = custos_json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return *out ? CUSTOS_OK : CUSTOS_ENOMEM;
}

static int parse_list(json_t *a, custos_user *u, int (*add)(custos_user *, const char *))
{
    if (!json_is_array(a))
        return CUSTOS_EINVAL;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v) || add(u, json_string_value(v)) < 0)
            return CUSTOS_EINVAL;
    }
    return CUSTOS_OK;
}

/* Load the latest version of user name and its token hash. */
static int load_user(custos_user *out, char hash[crypto_pwhash_STRBYTES], custos_ledger *l,
                     const char *name)
{
    char *text = NULL;
    size_t len;
    custos_document_ref ref;
    if (!name_ok(name))
        return custos_error_set(CUSTOS_ENOTFOUND, "no user '%.40s'", name);
    int err = custos_ledger_document_load(&text, &len, &ref, l, USER_KIND, name, 0);
    if (err == CUSTOS_ENOTFOUND)
        return custos_error_set(CUSTOS_ENOTFOUND, "no user '%s'", name);
    if (err < 0)
        return err;
    json_error_t je;
    json_t *o = custos_json_loadb(text, len, 0, &je, &err);
    custos_free(text);
    if (err == CUSTOS_ENOMEM)
        return err;
    custos_user u;
    const char *role = NULL, *h = NULL, *n = NULL;
    int active = 0;
    json_t *states = NULL, *mbas = NULL, *comps = NULL;
    err = CUSTOS_OK;
    if (!o || json_unpack(o, "{s:s, s:s, s:b, s:o, s:o, s:o, s:s}", "name", &n, "role", &role,
                          "active", &active, "states", &states, "mbas", &mbas, "compartments",
                          &comps, "token_hash", &h) < 0)
        err = CUSTOS_EINVAL;
    if (err >= 0) {
        custos_user_init(&u, n, CUSTOS_ROLE_NONE);
        u.active = active != 0;
        u.version = ref.version;
        if (strcmp(n, name) || custos_role_parse(&u.role, role) < 0 ||
            parse_list(states, &u, custos_user_add_state) < 0 ||
            parse_list(mbas, &u, custos_user_add_mba) < 0 ||
            parse_list(comps, &u, custos_user_add_compartment) < 0 ||
            strlen(h) >= crypto_pwhash_STRBYTES)
            err = CUSTOS_EINVAL;
    }
    if (err >= 0) {
        *out = u;
        if (hash)
            custos_strlcpy(hash, h, crypto_pwhash_STRBYTES);
    }
    json_decref(o);
    if (err < 0)
        return custos_error_set(CUSTOS_ETAMPER, "user %s version %d: malformed user document", name,
                                ref.version);
    return CUSTOS_OK;
}

static int store_user(custos_ledger *l, const custos_user *u, const char *hash, const char *by)
{
    char *text;
    int err = user_text(&text, u, hash);
    if (err < 0)
        return err;
    err = custos_ledger_document_add(l, USER_KIND, u->name, by ? by : "", text, strlen(text), NULL);
    custos_free(text); /* jansson allocates through the seam (custos_global_init) */
    return err;
}

static int new_token(char token[CUSTOS_TOKEN_MAX], char hash[crypto_pwhash_STRBYTES],
                     const char *name)
{
    unsigned char secret[SECRET_BYTES];
    char b64[sodium_base64_ENCODED_LEN(SECRET_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    randombytes_buf(secret, sizeof secret);
    sodium_bin2base64(b64, sizeof b64, secret, sizeof secret,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(secret, sizeof secret);
    snprintf(token, CUSTOS_TOKEN_MAX, TOKEN_PREFIX "%s.%s", name, b64);
    sodium_memzero(b64, sizeof b64);
    if (crypto_pwhash_str(hash, token, strlen(token), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        sodium_memzero(token, CUSTOS_TOKEN_MAX);
        return custos_error_set(CUSTOS_ENOMEM, "Argon2id needs %zu MiB of memory",
                                (size_t)crypto_pwhash_MEMLIMIT_INTERACTIVE >> 20);
    }
    return CUSTOS_OK;
}

int custos_user_add(custos_ledger *l, const custos_user *u, const char *by,
                    char token[CUSTOS_TOKEN_MAX])
{
    int err = custos_user_check(u);
    if (err < 0)
        return err;
    custos_user old;
    err = load_user(&old, NULL, l, u->name);
    if (err >= 0)
        return custos_error_set(CUSTOS_EEXISTS, "user %s exists (version %d%s)", u->name,
                                old.version, old.active ? "" : ", revoked");
    if (err != CUSTOS_ENOTFOUND)
        return err;
    char tok[CUSTOS_TOKEN_MAX], hash[crypto_pwhash_STRBYTES];
    if ((err = new_token(tok, hash, u->name)) < 0)
        return err;
    custos_user v = *u;
    v.active = true;
    if ((err = store_user(l, &v, hash, by)) >= 0)
        memcpy(token, tok, CUSTOS_TOKEN_MAX);
    sodium_memzero(tok, sizeof tok);
    return err;
}

int custos_user_update(custos_ledger *l, const custos_user *u, const char *by)
{
    int err = custos_user_check(u);
    if (err < 0)
        return err;
    custos_user old;
    char hash[crypto_pwhash_STRBYTES];
    if ((err = load_user(&old, hash, l, u->name)) < 0)
        return err;
    return store_user(l, u, hash, by);
}

int custos_user_reissue(custos_ledger *l, const char *name, const char *by,
                        char token[CUSTOS_TOKEN_MAX])
{
    custos_user u;
    char hash[crypto_pwhash_STRBYTES], tok[CUSTOS_TOKEN_MAX];
    int err = load_user(&u, hash, l, name);
    if (err < 0)
        return err;
    if (!u.active)
        return custos_error_set(CUSTOS_EINVAL, "user %s is revoked", name);
    if ((err = new_token(tok, hash, name)) < 0)
        return err;
    if ((err = store_user(l, &u, hash, by)) >= 0)
        memcpy(token, tok, CUSTOS_TOKEN_MAX);
    sodium_memzero(tok, sizeof tok);
    return err;
}

int custos_user_revoke(custos_ledger *l, const char *name, const char *by)
{
    custos_user u;
    char hash[crypto_pwhash_STRBYTES];
    int err = load_user(&u, hash, l, name);
    if (err < 0)
        return err;
    u.active = false;
    return store_user(l, &u, hash, by);
}

int custos_user_get(custos_user *out, custos_ledger *l, const char *name)
{
    return load_user(out, NULL, l, name);
}

int custos_users_list(custos_user **out, size_t *n, custos_ledger *l)
{
    *out = NULL;
    *n = 0;
    custos_document_ref *refs;
    size_t nr;
    int err = custos_ledger_documents(&refs, &nr, l, USER_KIND);
    if (err < 0)
        return err;
    custos_user *v = custos_calloc(nr ? nr : 1, sizeof *v);
    if (!v) {
        custos_free(refs);
        return custos_error_nomem();
    }
    for (size_t i = 0; i < nr && err >= 0; i++)
        err = load_user(&v[i], NULL, l, refs[i].name);
    custos_free(refs);
    if (err < 0) {
        custos_free(v);
        return err;
    }
    *out = v;
    *n = nr;
    return CUSTOS_OK;
}

/* ---- tokens ------------------------------------------------------------- */

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];

static void make_dummy(void)
{
    unsigned char r[16];
    randombytes_buf(r, sizeof r);
    if (crypto_pwhash_str(dummy_hash, (const char *)r, sizeof r, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy_hash[0] = '\0';
}

void custos_auth_token_user(char name[CUSTOS_USER_NAME_MAX + 1], const char *token)
{
    name[0] = '\0';
    size_t plen = strlen(TOKEN_PREFIX);
    if (!token || strncmp(token, TOKEN_PREFIX, plen))
        return;
    const char *dot = strchr(token + plen, '.');
    if (!dot || dot - (token + plen) > CUSTOS_USER_NAME_MAX)
        return;
    memcpy(name, token + plen, (size_t)(dot - (token + plen)));
    name[dot - (token + plen)] = '\0';
    if (!name_ok(name))
        name[0] = '\0';
}

int custos_auth_token(custos_user *out, custos_ledger *l, const char *token)
{
    char name[CUSTOS_USER_NAME_MAX + 1];
    char hash[crypto_pwhash_STRBYTES];
    custos_user u;
    custos_auth_token_user(name, token);
    bool ok = false;
    int err = CUSTOS_ENOTFOUND;
    if (name[0] && strlen(token) < CUSTOS_TOKEN_MAX)
        err = load_user(&u, hash, l, name);
    if (err == CUSTOS_ESTORAGE || err == CUSTOS_ENOMEM)
        return err;
    if (err >= 0 && u.active) {
        ok = crypto_pwhash_str_verify(hash, token, strlen(token)) == 0;
    } else {
        /* The same work for unknown and revoked users. */
        pthread_once(&dummy_once, make_dummy);
        if (dummy_hash[0] && token &&
            crypto_pwhash_str_verify(dummy_hash, token, strlen(token)) == 0)
            ok = false; /* cannot happen: the dummy hash is of random bytes */
    }
    if (!ok)
        return custos_error_set(CUSTOS_EFORBIDDEN, "invalid or revoked token");
    *out = u;
    return CUSTOS_OK;
}

/* ---- need-to-know ------------------------------------------------------- */

static bool has_state(const custos_user *u, const char *state)
{
    for (size_t i = 0; i < u->nstates; i++)
        if (!strcmp(u->states[i], state))
            return true;
    return false;
}

bool custos_user_can_read_mba(const custos_user *u, const char *state, const char *mba)
{
    if (!u->active || !state || !mba)
        return false;
    switch (u->role) {
    case CUSTOS_ROLE_OPERATOR:
        for (size_t i = 0; i < u->nmbas; i++)
            if (!strncmp(u->mbas[i], state, 2) && !strcmp(u->mbas[i] + 3, mba))
                return true;
        return false;
    case CUSTOS_ROLE_AUTHORITY:
    case CUSTOS_ROLE_INSPECTOR:
    case CUSTOS_ROLE_ANALYST: return has_state(u, state);
    default: return false;
    }
}

bool custos_user_can_read_state(const custos_user *u, const char *state)
{
    if (!u->active || !state)
        return false;
    return (u->role == CUSTOS_ROLE_AUTHORITY || u->role == CUSTOS_ROLE_INSPECTOR ||
            u->role == CUSTOS_ROLE_ANALYST) &&
           has_state(u, state);
}

bool custos_user_can_submit(const custos_user *u, const char *state, const char *mba)
{
    return u->role == CUSTOS_ROLE_OPERATOR && custos_user_can_read_mba(u, state, mba);
}

bool custos_user_can_see_item(const custos_user *u, const char *compartment)
{
    if (!u->active || u->role != CUSTOS_ROLE_ANALYST || !compartment)
        return false;
    const char *clearance[CUSTOS_USER_MAX_COMPARTMENTS];
    for (size_t i = 0; i < u->ncompartments; i++)
        clearance[i] = u->compartments[i];
    return custos_info_visible(compartment, clearance, u->ncompartments);
}

bool custos_user_can_manage_state(const custos_user *u, const char *state)
{
    if (!u->active || !state)
        return false;
    return u->role == CUSTOS_ROLE_ADMIN ||
           (u->role == CUSTOS_ROLE_AUTHORITY && has_state(u, state));
}
