/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.c: request targets, query strings, route matching and the JSON
 * bodies of the admin routes (http.h).  Written against hostile input:
 * every copy is bounded, every byte checked, nothing is trusted to be
 * terminated or valid UTF-8 beyond what is checked here.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"

static int fail(char err[SRV_ERR], const char *msg)
{
    snprintf(err, SRV_ERR, "%s", msg);
    return -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode s[0..n) into out (size bytes, terminated); plus is a
 * space in query strings.  Refuses bad escapes, control characters and,
 * in a path segment, '/'. */
static int decode(char *out, size_t size, const char *s, size_t n, bool query, char err[SRV_ERR])
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return fail(err, "malformed percent-escape in the request target");
            int a = hexval(s[i + 1]), b = hexval(s[i + 2]);
            if (a < 0 || b < 0)
                return fail(err, "malformed percent-escape in the request target");
            c = (unsigned char)(a * 16 + b);
            i += 2;
            if (!query && c == '/')
                return fail(err, "an encoded '/' in a path segment");
        } else if (query && c == '+') {
            c = ' ';
        }
        if (c < 0x20 || c == 0x7f)
            return fail(err, "a control character in the request target");
        if (o + 1 >= size)
            return fail(err, "a part of the request target is too long");
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

int srv_uri_parse(srv_uri *out, const char *target, char err[SRV_ERR])
{
    memset(out, 0, sizeof *out);
    size_t len = strnlen(target, SRV_MAX_TARGET + 1);
    if (len > SRV_MAX_TARGET)
        return fail(err, "request target longer than 2048 bytes");
    if (len == 0 || target[0] != '/')
        return fail(err, "request target does not start with '/'");
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)target[i] <= 0x20 || (unsigned char)target[i] >= 0x7f)
            return fail(err, "request target holds a space, control or non-ASCII byte");
    const char *q = memchr(target, '?', len);
    size_t plen = q ? (size_t)(q - target) : len;
    if (memchr(target, '#', len))
        return fail(err, "request target holds a fragment ('#')");

    /* path segments */
    size_t i = 1, pathlen = 0;
    while (i <= plen) {
        const char *s = target + i;
        const char *slash = memchr(s, '/', plen - i);
        size_t n = slash ? (size_t)(slash - s) : plen - i;
        if (n > 0) {
            if (out->nseg == SRV_MAX_SEGMENTS)
                return fail(err, "request path has too many segments");
            char *seg = out->seg[out->nseg];
            if (decode(seg, sizeof out->seg[0], s, n, false, err) < 0)
                return -1;
            if (!strcmp(seg, ".") || !strcmp(seg, ".."))
                return fail(err, "request path holds '.' or '..'");
            size_t sl = strlen(seg);
            if (pathlen + 1 + sl + 1 > sizeof out->path)
                return fail(err, "request path too long");
            out->path[pathlen++] = '/';
            memcpy(out->path + pathlen, seg, sl + 1);
            pathlen += sl;
            out->nseg++;
        }
        i += n + 1;
    }
    if (!pathlen)
        memcpy(out->path, "/", 2);

    /* query */
    if (q) {
        const char *p = q + 1, *end = target + len;
        while (p < end) {
            const char *amp = memchr(p, '&', (size_t)(end - p));
            size_t n = amp ? (size_t)(amp - p) : (size_t)(end - p);
            if (n) {
                const char *eq = memchr(p, '=', n);
                size_t nl = eq ? (size_t)(eq - p) : n;
                if (nl == 0 || nl >= SRV_PARAM_NAME)
                    return fail(err, "query parameter name empty or longer than 31 bytes");
                for (size_t k = 0; k < nl; k++)
                    if (!((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= '0' && p[k] <= '9') ||
                          p[k] == '_'))
                        return fail(err, "query parameter names are [a-z0-9_]");
                if (out->nparams == SRV_MAX_PARAMS)
                    return fail(err, "too many query parameters");
                srv_param *pm = &out->params[out->nparams];
                memcpy(pm->name, p, nl);
                pm->name[nl] = '\0';
                if (srv_uri_param(out, pm->name)) {
                    snprintf(err, SRV_ERR, "query parameter '%s' given twice", pm->name);
                    return -1;
                }
                if (decode(pm->value, sizeof pm->value, eq ? eq + 1 : p + n,
                           eq ? n - nl - 1 : 0, true, err) < 0)
                    return -1;
                out->nparams++;
            }
            p += n + 1;
        }
    }
    return 0;
}

const char *srv_uri_param(const srv_uri *u, const char *name)
{
    for (size_t i = 0; i < u->nparams; i++)
        if (!strcmp(u->params[i].name, name))
            return u->params[i].value;
    return NULL;
}

/* Does pattern match the segments of u?  Fills captures. */
static bool match(const char *pattern, const srv_uri *u,
                  char captures[SRV_MAX_CAPTURES][SRV_PARAM_VALUE])
{
    size_t k = 0, ncap = 0;
    const char *p = pattern;
    while (*p == '/')
        p++;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (k == u->nseg)
            return false;
        if (n >= 2 && p[0] == '{' && p[n - 1] == '}') {
            if (ncap == SRV_MAX_CAPTURES)
                return false;
            memcpy(captures[ncap++], u->seg[k], sizeof captures[0]);
        } else if (strlen(u->seg[k]) != n || memcmp(u->seg[k], p, n)) {
            return false;
        }
        k++;
        p += n;
        while (*p == '/')
            p++;
    }
    return k == u->nseg;
}

int srv_route_find(const srv_route *table, size_t n, const char *method, const srv_uri *u,
                   const srv_route **out, char captures[SRV_MAX_CAPTURES][SRV_PARAM_VALUE],
                   char allow[64])
{
    bool path_matched = false;
    allow[0] = '\0';
    *out = NULL;
    char tmp[SRV_MAX_CAPTURES][SRV_PARAM_VALUE];
    for (size_t i = 0; i < n; i++) {
        if (!match(table[i].pattern, u, tmp))
            continue;
        if (!strcmp(table[i].method, method)) {
            memcpy(captures, tmp, sizeof tmp);
            *out = &table[i];
            return 200;
        }
        path_matched = true;
        if (!strstr(allow, table[i].method)) {
            size_t al = strlen(allow);
            snprintf(allow + al, 64 - al, "%s%s", al ? ", " : "", table[i].method);
        }
    }
    return path_matched ? 405 : 404;
}

/* ---- JSON bodies -------------------------------------------------------- */

static json_t *load(const char *body, size_t len, char err[SRV_ERR])
{
    json_error_t je;
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!o) {
        snprintf(err, SRV_ERR, "body:%d:%d: %s", je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        fail(err, "body: a JSON object is expected");
        return NULL;
    }
    return o;
}

/* Only the keys in allowed[] may appear. */
static int only_keys(json_t *o, const char *const *allowed, char err[SRV_ERR])
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = !strcmp(key, allowed[i]);
        if (!ok) {
            snprintf(err, SRV_ERR, "body: unknown field '%.40s'", key);
            return -1;
        }
    }
    return 0;
}

static int list(json_t *o, const char *key, custos_user *u,
                int (*add)(custos_user *, const char *), char err[SRV_ERR])
{
    json_t *a = json_object_get(o, key);
    if (!a)
        return 0;
    if (!json_is_array(a)) {
        snprintf(err, SRV_ERR, "body: field '%s' is not an array of strings", key);
        return -1;
    }
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v)) {
            snprintf(err, SRV_ERR, "body: field '%s' is not an array of strings", key);
            return -1;
        }
        if (add(u, json_string_value(v)) < 0) {
            snprintf(err, SRV_ERR, "body: %s: %s", key, custos_last_error());
            return -1;
        }
    }
    return 0;
}

int srv_parse_user(custos_user *out, const char *body, size_t len, char err[SRV_ERR])
{
    static const char *const keys[] = {"name", "role", "states", "mbas", "compartments", NULL};
    json_t *o = load(body, len, err);
    if (!o)
        return -1;
    int rc = only_keys(o, keys, err);
    const char *name = json_string_value(json_object_get(o, "name"));
    const char *role = json_string_value(json_object_get(o, "role"));
    custos_role r = CUSTOS_ROLE_NONE;
    custos_user u;
    if (rc == 0 && (!name || !role))
        rc = fail(err, "body: fields 'name' and 'role' (strings) are required");
    if (rc == 0 && custos_role_parse(&r, role) < 0)
        rc = fail(err, custos_last_error());
    if (rc == 0) {
        custos_user_init(&u, name, r);
        if (strlen(name) > CUSTOS_USER_NAME_MAX)
            rc = fail(err, "body: name longer than 32 characters");
    }
    if (rc == 0)
        rc = list(o, "states", &u, custos_user_add_state, err);
    if (rc == 0)
        rc = list(o, "mbas", &u, custos_user_add_mba, err);
    if (rc == 0)
        rc = list(o, "compartments", &u, custos_user_add_compartment, err);
    if (rc == 0 && custos_user_check(&u) < 0)
        rc = fail(err, custos_last_error());
    json_decref(o);
    if (rc == 0)
        *out = u;
    return rc;
}

int srv_parse_key(char state[3], char facility[5], unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES],
                  const char *body, size_t len, char err[SRV_ERR])
{
    static const char *const keys[] = {"state", "facility", "public_key", NULL};
    json_t *o = load(body, len, err);
    if (!o)
        return -1;
    int rc = only_keys(o, keys, err);
    const char *st = json_string_value(json_object_get(o, "state"));
    const char *fac = json_string_value(json_object_get(o, "facility"));
    const char *pub = json_string_value(json_object_get(o, "public_key"));
    if (rc == 0 && (!st || !fac || !pub))
        rc = fail(err, "body: fields 'state', 'facility' and 'public_key' (strings) are required");
    if (rc == 0 && (strlen(st) != 2 || strlen(fac) != 4))
        rc = fail(err, "body: 'state' is 2 letters and 'facility' 4 characters");
    if (rc == 0) {
        /* the base64 line of a public key file, or the whole file */
        char text[256];
        if (strncmp(pub, "custos-ed25519-public v1\n", 25))
            snprintf(text, sizeof text, "custos-ed25519-public v1\n%.200s\n", pub);
        else
            snprintf(text, sizeof text, "%.250s", pub);
        if (custos_sign_read_public(pk, text, strlen(text)) < 0)
            rc = fail(err, "body: 'public_key' is not the base64 of a 32-byte Ed25519 key");
    }
    if (rc == 0) {
        memcpy(state, st, 3);
        memcpy(facility, fac, 5);
    }
    json_decref(o);
    return rc;
}

int srv_parse_policy(bool *require, const char *body, size_t len, char err[SRV_ERR])
{
    static const char *const keys[] = {"require_signatures", NULL};
    json_t *o = load(body, len, err);
    if (!o)
        return -1;
    int rc = only_keys(o, keys, err);
    json_t *v = json_object_get(o, "require_signatures");
    if (rc == 0 && !json_is_boolean(v))
        rc = fail(err, "body: field 'require_signatures' (true or false) is required");
    if (rc == 0)
        *require = json_is_true(v);
    json_decref(o);
    return rc;
}

bool srv_bearer(char token[CUSTOS_TOKEN_MAX], const char *header)
{
    token[0] = '\0';
    if (!header || strncasecmp(header, "Bearer ", 7))
        return false;
    const char *t = header + 7;
    while (*t == ' ')
        t++;
    size_t n = strlen(t);
    while (n && t[n - 1] == ' ')
        n--;
    if (n == 0 || n >= CUSTOS_TOKEN_MAX)
        return false;
    memcpy(token, t, n);
    token[n] = '\0';
    return true;
}
