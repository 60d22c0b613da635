/* SPDX-License-Identifier: Apache-2.0 */
/*
 * srvint.h: what the server's files share.
 *
 *  server.c   libmicrohttpd glue: connections, bodies, TLS, the request
 *             pipeline (route, authenticate, authorise, handle, audit),
 *             read-handle pool, token cache, shutdown.
 *  writer.c   the one writer thread: submissions group-committed, admin
 *             changes, the audit queue.
 *  routes.c   the route table and the JSON API handlers.
 *  views.c    handlers that draw: charts (SVG) and the dashboard's data.
 *  assets.c   the dashboard's files (generated from web/ at build time).
 *  http.c     request parsing (fuzzed).
 *
 * The server uses only libcustos's public API (include/custos/).
 */
#ifndef CUSTOS_SERVER_SRVINT_H
#define CUSTOS_SERVER_SRVINT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "custos/audit.h"
#include "custos/auth.h"
#include "custos/ledger.h"
#include "custos/sign.h"
#include "http.h"
#include "server.h"

struct MHD_Connection;
typedef struct srv_writer srv_writer;

#define SRV_POOL_MAX 64       /* read handles */
#define SRV_TOKEN_SLOTS 512   /* verified tokens kept */
#define SRV_TOKEN_TTL 5       /* seconds a verified token is trusted without Argon2id */
#define SRV_ARGON_PARALLEL 2  /* Argon2id checks at once (64 MiB each) */

typedef struct srv_token_slot {
    unsigned char digest[32]; /* keyed BLAKE2b of the token */
    custos_user user;
    double expires;           /* 0: empty */
    uint64_t generation;
} srv_token_slot;

typedef struct srv_server {
    srv_config cfg;
    struct MHD_Daemon *daemon;
    srv_writer *writer;
    double started;

    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;
    custos_ledger *pool[SRV_POOL_MAX];
    size_t npool;   /* free handles in pool[] */
    size_t nopen;   /* handles open, lent or free */

    pthread_mutex_t tok_mu;
    pthread_cond_t tok_cv;
    unsigned char tok_key[32]; /* random per process: digests mean nothing elsewhere */
    srv_token_slot tokens[SRV_TOKEN_SLOTS];
    uint64_t tok_generation;   /* bumped when users change: every slot is stale */
    int argon_running;
} srv_server;

/* One request, from its first byte to the response. */
typedef struct srv_request {
    srv_server *srv;
    struct MHD_Connection *conn;
    char method[8];
    char target[SRV_MAX_TARGET + 1];
    bool target_too_long;
    srv_uri uri;
    const srv_route *route;
    char cap[SRV_MAX_CAPTURES][SRV_PARAM_VALUE];
    char remote[48];

    char *body; /* malloc'd, NUL-terminated */
    size_t body_len, body_cap;
    bool body_too_big;

    bool authed;
    custos_user user;
    custos_ledger *rl; /* a read handle, borrowed from the pool */

    int status;
    char *resp; /* malloc'd unless resp_static */
    size_t resp_len;
    bool resp_static;
    const char *content_type;
    char allow[64];
    char location[128];
    bool audited;               /* the writer audited it (changes) */
    char detail[SRV_ERR];       /* one line for the audit log */
    char audit_target[SRV_ERR]; /* what was acted on, when not the path */
} srv_request;

/* ---- server.c ----------------------------------------------------------- */

/* A read handle for this request (opened on first use, returned to the
 * pool when the request ends); NULL with a 503 reply on failure. */
custos_ledger *srv_ledger(srv_request *rq);
/* Users changed: forget every verified token. */
void srv_tokens_invalidate(srv_server *srv);
/* The header value of the request, or NULL. */
const char *srv_header(srv_request *rq, const char *name);
double srv_now(void);
/* Copy src into dst[size], cut at a UTF-8 boundary when too long. */
void srv_copy(char *dst, size_t size, const char *src);

/* Replies.  json: steals o (NULL means out of memory: 500).  error: a JSON
 * {"error": MESSAGE} and the message as the audit detail. */
void srv_reply_json(srv_request *rq, int status, json_t *o);
void srv_reply_error(srv_request *rq, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reply with the library's last error, its status chosen from err. */
void srv_reply_custos(srv_request *rq, int err);
/* data is taken (malloc'd) or borrowed when is_static. */
void srv_reply_body(srv_request *rq, int status, const char *content_type, char *data, size_t len,
                    bool is_static);
/* The HTTP status of a library error. */
int srv_status_of(int err);

/* A bounded growable buffer (malloc'd), with a custos_write_fn. */
typedef struct srv_buf {
    char *data;
    size_t len, cap, max;
} srv_buf;
int srv_buf_write(void *ctx, const char *data, size_t len);
/* Reply with the buffer's bytes (taken). */
void srv_reply_buf(srv_request *rq, int status, const char *content_type, srv_buf *b);

/* ---- writer.c ----------------------------------------------------------- */

/* An audit record with its own copies of the strings. */
typedef struct srv_audit {
    char who[CUSTOS_USER_NAME_MAX + 8];
    char role[16];
    char action[96];
    char target[SRV_ERR];
    char detail[SRV_ERR];
    char remote[48];
    int outcome;
} srv_audit;

int srv_writer_start(srv_writer **out, const char *db);
/* Drain the queues, stop the thread, close the handle. */
void srv_writer_stop(srv_writer *w);

/* Store submissions (blocking until the batch they join committed);
 * each v[i].err tells its fate.  audit[i] (may be NULL) is appended,
 * with its outcome filled in, before the call returns. */
void srv_writer_submit(srv_writer *w, custos_submission *v, srv_audit *audit);

/* Run fn(ledger, arg) on the writer thread (admin changes: users, keys,
 * policies), returning its result; the last error message is copied
 * into msg.  audit (may be NULL) is appended after, outcome filled in. */
int srv_writer_call(srv_writer *w, int (*fn)(custos_ledger *l, void *arg), void *arg,
                    char msg[SRV_ERR], srv_audit *audit);

/* Queue an audit record (reads: not waited for). */
void srv_writer_audit(srv_writer *w, const srv_audit *a);

/* Counters for /api/health. */
typedef struct srv_writer_stats {
    uint64_t batches, submissions, audit_records, audit_batches;
    size_t largest_batch;
} srv_writer_stats;
void srv_writer_stats_get(srv_writer *w, srv_writer_stats *out);

/* ---- routes.c / views.c ------------------------------------------------- */

extern const srv_route srv_routes[];
extern const size_t srv_nroutes;

/* views.c */
void srv_view_states(srv_request *rq);
void srv_view_chart_muf(srv_request *rq);
void srv_view_chart_mbas(srv_request *rq);

/* Shared by routes.c and views.c: may the user read MBA "XA/XAFF" or
 * "XAFF" (split into state and code)? */
bool srv_can_read_mba(const srv_request *rq, const char *state, const char *mba);
/* Parse "XA/XAFF" into state and code; false when malformed. */
bool srv_split_mba(const char *s, char state[3], char code[5]);

/* ---- assets.c (generated) ----------------------------------------------- */

typedef struct srv_asset {
    const char *path; /* "/", "/static/app.js" */
    const char *content_type;
    const unsigned char *data;
    size_t len;
} srv_asset;

extern const srv_asset srv_assets[];
extern const size_t srv_nassets;

#endif
