/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_http.c: libFuzzer harness for the server's own request parsing
 * (src/server/http.c): the request target (percent-decoding, segments,
 * query string), route matching against the server's real route tables,
 * the Authorization header, and the JSON bodies of the admin routes.
 *
 * Input: "METHOD TARGET\n" then the body.  Properties checked: a parsed
 * target has no segment holding '/', a control byte, "." or "..", its
 * decoded path is the segments joined by '/', query names are unique;
 * a route found matches the method and has as many captures as its
 * pattern has {...}; 405 only when some route has the path; a parsed user
 * passes custos_user_check(); a parsed key is 32 bytes that custos can
 * read back.  A leak through the allocation seam aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "custos/common.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const srv_route srv_routes[];
extern const size_t srv_nroutes;
extern const srv_route srv_module_routes[];
extern const size_t srv_nmodule_routes;

static void check_uri(const srv_uri *u)
{
    char joined[SRV_MAX_TARGET + 1] = "";
    size_t len = 0;
    for (size_t i = 0; i < u->nseg; i++) {
        const char *s = u->seg[i];
        if (!*s || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."))
            abort();
        for (const char *p = s; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                abort();
        size_t n = strlen(s);
        if (len + 1 + n >= sizeof joined)
            abort();
        joined[len++] = '/';
        memcpy(joined + len, s, n + 1);
        len += n;
    }
    if (strcmp(u->nseg ? joined : "/", u->path))
        abort();
    for (size_t i = 0; i < u->nparams; i++)
        for (size_t k = i + 1; k < u->nparams; k++)
            if (!strcmp(u->params[i].name, u->params[k].name))
                abort();
}

static size_t captures_of(const char *pattern)
{
    size_t n = 0;
    for (const char *p = pattern; (p = strchr(p, '{')); p++)
        n++;
    return n;
}

static void route(const srv_route *table, size_t n, const char *method, const srv_uri *u)
{
    const srv_route *r;
    char cap[SRV_MAX_CAPTURES][SRV_PARAM_VALUE], allow[64];
    int st = srv_route_find(table, n, method, u, &r, cap, allow);
    if (st == 200) {
        if (!r || strcmp(r->method, method) || captures_of(r->pattern) > SRV_MAX_CAPTURES)
            abort();
        for (size_t i = 0; i < captures_of(r->pattern); i++)
            if (!cap[i][0] || strchr(cap[i], '/'))
                abort();
    } else if (st == 405) {
        /* the methods allowed there, "GET, POST", never include this one */
        if (r || !allow[0])
            abort();
        char list[64];
        memcpy(list, allow, sizeof list);
        for (char *m = list, *next; m; m = next) {
            next = strstr(m, ", ");
            if (next) {
                *next = '\0';
                next += 2;
            }
            if (!strcmp(m, method))
                abort();
        }
    } else if (st != 404 || r) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long live = custos_alloc_live();
    const char *nl = memchr(data, '\n', size);
    size_t line = nl ? (size_t)(nl - (const char *)data) : size;
    /* the body: what follows the first line (its length from the line's
     * full length, before the line is cut to fit below) */
    const char *body = nl ? nl + 1 : "";
    size_t blen = nl ? size - line - 1 : 0;
    char first[SRV_MAX_TARGET + 64];
    if (line >= sizeof first)
        line = sizeof first - 1;
    memcpy(first, data, line);
    first[line] = '\0';
    /* the body as a C string too (headers are strings) */
    char *bstr = malloc(blen + 1);
    if (!bstr)
        return 0;
    memcpy(bstr, body, blen);
    bstr[blen] = '\0';

    char method[16] = "GET";
    const char *target = first;
    char *sp = strchr(first, ' ');
    if (sp && sp - first < (long)sizeof method) {
        memcpy(method, first, (size_t)(sp - first));
        method[sp - first] = '\0';
        target = sp + 1;
    }
    static srv_uri u; /* 9 KiB: not on the fuzzer's stack */
    char err[SRV_ERR];
    if (srv_uri_parse(&u, target, err) == 0) {
        check_uri(&u);
        route(srv_routes, srv_nroutes, method, &u);
        route(srv_module_routes, srv_nmodule_routes, method, &u);
    } else if (!err[0] || strchr(err, '\n')) {
        abort();
    }

    custos_user user;
    if (srv_parse_user(&user, body, blen, err) == 0 && custos_user_check(&user) != 0)
        abort();
    char state[3], facility[5];
    unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES];
    if (srv_parse_key(state, facility, pk, body, blen, err) == 0 &&
        (strlen(state) != 2 || strlen(facility) != 4))
        abort();
    bool require;
    srv_parse_policy(&require, body, blen, err);
    char token[CUSTOS_TOKEN_MAX];
    if (srv_bearer(token, bstr) && (!token[0] || strlen(token) >= CUSTOS_TOKEN_MAX))
        abort();
    free(bstr);
    if (custos_alloc_live() != live)
        abort();
    return 0;
}
