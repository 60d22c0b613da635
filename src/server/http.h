/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.h: the server's own request parsing: the request target (path
 * segments, percent-decoding, query string), route matching against a
 * table of patterns, and the JSON bodies of the admin routes.
 *
 * Everything here is pure and bounded (fixed-size buffers, no
 * allocation except jansson's for a JSON body), so tests/fuzz/fuzz_http.c
 * can feed it any bytes.  A refusal leaves a one-line reason in err.
 */
#ifndef CUSTOS_SERVER_HTTP_H
#define CUSTOS_SERVER_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "custos/auth.h"
#include "custos/sign.h"

#define SRV_MAX_TARGET 2048   /* bytes of a request target (path and query) */
#define SRV_MAX_SEGMENTS 8
#define SRV_MAX_PARAMS 16
#define SRV_PARAM_NAME 32
#define SRV_PARAM_VALUE 256
#define SRV_ERR 256           /* room for a one-line refusal */

typedef struct srv_param {
    char name[SRV_PARAM_NAME];
    char value[SRV_PARAM_VALUE];
} srv_param;

/* A parsed request target. */
typedef struct srv_uri {
    char path[SRV_MAX_TARGET];  /* decoded path, segments joined by '/' */
    size_t nseg;
    char seg[SRV_MAX_SEGMENTS][SRV_PARAM_VALUE]; /* decoded segments */
    size_t nparams;
    srv_param params[SRV_MAX_PARAMS];
} srv_uri;

/*
 * Parse a request target "/a/b%20c?x=1&y=two+words".  Segments are
 * percent-decoded one by one; a decoded segment may not hold '/', NUL or
 * control characters, nor be "." or ".."; empty segments (a trailing
 * '/') are dropped.  Query names are [a-z0-9_] (1-31), values at most
 * 255 bytes decoded ('+' is a space), no control characters, each name
 * once.  Returns 0, or -1 with the reason in err.
 */
int srv_uri_parse(srv_uri *out, const char *target, char err[SRV_ERR]);

/* The value of query parameter name, or NULL. */
const char *srv_uri_param(const srv_uri *u, const char *name);

/* Handlers are declared by the server; http.c only matches. */
struct srv_request;
typedef void (*srv_handler)(struct srv_request *rq);

/* Audit levels of a route. */
enum { SRV_AUDIT_NONE = 0, SRV_AUDIT_READ = 1, SRV_AUDIT_CHANGE = 2 };

/* Role bits: 1 << custos_role. */
#define SRV_ROLE(r) (1u << (r))
#define SRV_ANYONE 0u /* no token needed */
#define SRV_ALL_ROLES                                                                              \
    (SRV_ROLE(CUSTOS_ROLE_OPERATOR) | SRV_ROLE(CUSTOS_ROLE_AUTHORITY) |                            \
     SRV_ROLE(CUSTOS_ROLE_INSPECTOR) | SRV_ROLE(CUSTOS_ROLE_ANALYST) | SRV_ROLE(CUSTOS_ROLE_ADMIN))

/* One row of the route table: everything the server needs to serve,
 * guard and audit a route, and what docs/api.md lists. */
typedef struct srv_route {
    const char *method;   /* "GET", "POST" */
    const char *pattern;  /* "/api/reports/{id}": {x} matches one segment */
    unsigned roles;       /* SRV_ROLE bits allowed; SRV_ANYONE: public */
    int audit;            /* SRV_AUDIT_* */
    srv_handler fn;
    const char *summary;
} srv_route;

#define SRV_MAX_CAPTURES 4

/*
 * Find the route for method and u in table[0..n).  Returns 200 with *out
 * and the captured segments (in pattern order), 404 when no pattern
 * matches the path, 405 when patterns match but not for this method
 * (allow then lists the methods that would, "GET, POST").
 */
int srv_route_find(const srv_route *table, size_t n, const char *method, const srv_uri *u,
                   const srv_route **out, char captures[SRV_MAX_CAPTURES][SRV_PARAM_VALUE],
                   char allow[64]);

/*
 * JSON bodies of the admin routes.  Each returns 0, or -1 with a
 * one-line reason in err.
 *  user:   {"name":"alice","role":"operator","states":["XA"],
 *           "mbas":["XA/XAFF"],"compartments":["XA-SG"]} (lists optional)
 *  key:    {"state":"XA","facility":"FA01","public_key":"BASE64"}
 *  policy: {"require_signatures":true}
 */
int srv_parse_user(custos_user *out, const char *body, size_t len, char err[SRV_ERR]);
int srv_parse_key(char state[3], char facility[5], unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES],
                  const char *body, size_t len, char err[SRV_ERR]);
int srv_parse_policy(bool *require, const char *body, size_t len, char err[SRV_ERR]);

/* The token of an "Authorization: Bearer TOKEN" header value, into
 * token; false when the header is absent, not Bearer, or too long. */
bool srv_bearer(char token[CUSTOS_TOKEN_MAX], const char *header);

#endif
