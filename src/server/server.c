/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server.c: the HTTP server on libmicrohttpd.
 *
 * One thread per connection (libmicrohttpd's thread-per-connection mode):
 * a request that changes the ledger waits for the writer thread
 * (writer.c) without holding up others, and the writer's group commit
 * gathers every submission waiting at that moment.  Reads borrow a
 * read-only ledger handle from a pool (SQLite WAL: they see the last
 * commit and never block the writer).
 *
 * Every request goes through one pipeline: parse the target (http.c);
 * static dashboard files; find the route (404, 405 with Allow); for a
 * guarded route, authenticate the bearer token (401) and check the
 * route's roles (403); run the handler, which applies need-to-know to
 * the data itself; audit (reads queued, changes committed before the
 * reply; refused attempts always).
 *
 * Tokens are checked with Argon2id (custos_auth_token()), about 0.1 s and
 * 64 MiB each, at most SRV_ARGON_PARALLEL at once; a verified token is
 * then trusted for SRV_TOKEN_TTL seconds under a keyed BLAKE2b digest
 * (the token itself is never kept).  Changes of users through the API
 * forget all verified tokens at once; changes through the command line
 * take effect within SRV_TOKEN_TTL.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <sodium.h>

#include "srvint.h"

double srv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void srv_copy(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) {
        n = size - 1;
        while (n && ((unsigned char)src[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* ---- replies ------------------------------------------------------------ */

int srv_status_of(int err)
{
    switch (err) {
    case CUSTOS_OK: return 200;
    case CUSTOS_ENOTFOUND: return 404;
    case CUSTOS_EINVAL:
    case CUSTOS_EDOMAIN: return 400;
    case CUSTOS_EFORBIDDEN: return 403;
    case CUSTOS_EEXISTS: return 409;
    case CUSTOS_ETOOBIG: return 413;
    case CUSTOS_ETAMPER: return 409;
    default: return 500;
    }
}

void srv_reply_body(srv_request *rq, int status, const char *content_type, char *data, size_t len,
                    bool is_static)
{
    if (rq->resp && !rq->resp_static)
        free(rq->resp);
    rq->status = status;
    rq->content_type = content_type;
    rq->resp = data;
    rq->resp_len = len;
    rq->resp_static = is_static;
}

void srv_reply_json(srv_request *rq, int status, json_t *o)
{
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    char *copy = text ? malloc(strlen(text) + 2) : NULL;
    if (!copy) {
        custos_free(text);
        srv_reply_body(rq, 500, "application/json", (char *)"{\"error\":\"out of memory\"}\n", 26,
                       true);
        snprintf(rq->detail, sizeof rq->detail, "out of memory");
        return;
    }
    size_t n = strlen(text);
    memcpy(copy, text, n);
    copy[n] = '\n';
    copy[n + 1] = '\0';
    custos_free(text); /* jansson allocates through the custos seam */
    srv_reply_body(rq, status, "application/json", copy, n + 1, false);
}

void srv_reply_error(srv_request *rq, int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    srv_copy(rq->detail, sizeof rq->detail, msg);
    srv_reply_json(rq, status, json_pack("{s:s}", "error", msg));
}

void srv_reply_custos(srv_request *rq, int err)
{
    srv_reply_error(rq, srv_status_of(err), "%s", custos_last_error());
}

int srv_buf_write(void *ctx, const char *data, size_t len)
{
    srv_buf *b = ctx;
    if (len > b->max - b->len)
        return CUSTOS_ETOOBIG;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p)
            return CUSTOS_ENOMEM;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return CUSTOS_OK;
}

void srv_reply_buf(srv_request *rq, int status, const char *content_type, srv_buf *b)
{
    if (!b->data && srv_buf_write(b, "", 0) < 0) {
        srv_reply_error(rq, 500, "out of memory");
        return;
    }
    srv_reply_body(rq, status, content_type, b->data, b->len, false);
    b->data = NULL;
    b->len = b->cap = 0;
}

const char *srv_header(srv_request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

/* ---- read handles ------------------------------------------------------- */

custos_ledger *srv_ledger(srv_request *rq)
{
    if (rq->rl)
        return rq->rl;
    srv_server *s = rq->srv;
    pthread_mutex_lock(&s->pool_mu);
    while (!s->npool && s->nopen == SRV_POOL_MAX)
        pthread_cond_wait(&s->pool_cv, &s->pool_mu);
    if (s->npool) {
        rq->rl = s->pool[--s->npool];
        pthread_mutex_unlock(&s->pool_mu);
        return rq->rl;
    }
    s->nopen++;
    pthread_mutex_unlock(&s->pool_mu);
    custos_ledger *l;
    if (custos_ledger_open(&l, s->cfg.db, CUSTOS_OPEN_READONLY) < 0) {
        pthread_mutex_lock(&s->pool_mu);
        s->nopen--;
        pthread_cond_signal(&s->pool_cv);
        pthread_mutex_unlock(&s->pool_mu);
        srv_reply_error(rq, 503, "%s", custos_last_error());
        return NULL;
    }
    rq->rl = l;
    return l;
}

static void release_ledger(srv_request *rq)
{
    if (!rq->rl)
        return;
    srv_server *s = rq->srv;
    pthread_mutex_lock(&s->pool_mu);
    s->pool[s->npool++] = rq->rl;
    pthread_cond_signal(&s->pool_cv);
    pthread_mutex_unlock(&s->pool_mu);
    rq->rl = NULL;
}

/* ---- tokens ------------------------------------------------------------- */

void srv_tokens_invalidate(srv_server *srv)
{
    pthread_mutex_lock(&srv->tok_mu);
    srv->tok_generation++;
    pthread_mutex_unlock(&srv->tok_mu);
}

static bool cache_get(srv_server *s, const unsigned char d[32], custos_user *out)
{
    srv_token_slot *slot = &s->tokens[(d[0] | (unsigned)d[1] << 8) % SRV_TOKEN_SLOTS];
    bool hit = false;
    pthread_mutex_lock(&s->tok_mu);
    if (slot->expires > srv_now() && slot->generation == s->tok_generation &&
        !sodium_memcmp(slot->digest, d, 32)) {
        *out = slot->user;
        hit = true;
    }
    pthread_mutex_unlock(&s->tok_mu);
    return hit;
}

static void cache_put(srv_server *s, const unsigned char d[32], const custos_user *u,
                      uint64_t generation)
{
    srv_token_slot *slot = &s->tokens[(d[0] | (unsigned)d[1] << 8) % SRV_TOKEN_SLOTS];
    pthread_mutex_lock(&s->tok_mu);
    if (generation == s->tok_generation) {
        memcpy(slot->digest, d, 32);
        slot->user = *u;
        slot->expires = srv_now() + SRV_TOKEN_TTL;
        slot->generation = generation;
    }
    pthread_mutex_unlock(&s->tok_mu);
}

/* 0 authenticated, else the reply (401, 503) is set. */
static int authenticate(srv_request *rq)
{
    srv_server *s = rq->srv;
    char token[CUSTOS_TOKEN_MAX];
    if (!srv_bearer(token, srv_header(rq, MHD_HTTP_HEADER_AUTHORIZATION))) {
        srv_reply_error(rq, 401, "a token is required (Authorization: Bearer TOKEN)");
        return -1;
    }
    unsigned char d[32];
    crypto_generichash(d, sizeof d, (const unsigned char *)token, strlen(token), s->tok_key,
                       sizeof s->tok_key);
    if (cache_get(s, d, &rq->user)) {
        rq->authed = true;
        sodium_memzero(token, sizeof token);
        return 0;
    }
    /* Argon2id: a few at a time; another thread may verify this very token
     * meanwhile, so look again once it is our turn. */
    pthread_mutex_lock(&s->tok_mu);
    while (s->argon_running >= SRV_ARGON_PARALLEL)
        pthread_cond_wait(&s->tok_cv, &s->tok_mu);
    s->argon_running++;
    uint64_t generation = s->tok_generation;
    pthread_mutex_unlock(&s->tok_mu);
    int err = cache_get(s, d, &rq->user) ? CUSTOS_OK : CUSTOS_ENOTFOUND;
    if (err == CUSTOS_ENOTFOUND) {
        custos_ledger *l = srv_ledger(rq);
        err = l ? custos_auth_token(&rq->user, l, token) : CUSTOS_ESTORAGE;
        if (err >= 0)
            cache_put(s, d, &rq->user, generation);
    }
    pthread_mutex_lock(&s->tok_mu);
    s->argon_running--;
    pthread_cond_signal(&s->tok_cv);
    pthread_mutex_unlock(&s->tok_mu);
    if (err < 0) {
        char claimed[CUSTOS_USER_NAME_MAX + 1];
        custos_auth_token_user(claimed, token);
        snprintf(rq->user.name, sizeof rq->user.name, "%s", claimed[0] ? claimed : "-");
        sodium_memzero(token, sizeof token);
        if (err == CUSTOS_EFORBIDDEN)
            srv_reply_error(rq, 401, "invalid or revoked token");
        else if (!rq->resp)
            srv_reply_custos(rq, err);
        return -1;
    }
    sodium_memzero(token, sizeof token);
    rq->authed = true;
    return 0;
}

/* ---- the pipeline ------------------------------------------------------- */

static bool serve_asset(srv_request *rq)
{
    if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD"))
        return false;
    for (size_t i = 0; i < srv_nassets; i++)
        if (!strcmp(srv_assets[i].path, rq->uri.path)) {
            srv_reply_body(rq, 200, srv_assets[i].content_type, (char *)srv_assets[i].data,
                           srv_assets[i].len, true);
            return true;
        }
    return false;
}

static void audit_request(srv_request *rq)
{
    srv_audit a;
    memset(&a, 0, sizeof a);
    snprintf(a.who, sizeof a.who, "%s", rq->user.name[0] ? rq->user.name : "-");
    snprintf(a.role, sizeof a.role, "%s", rq->authed ? custos_role_name(rq->user.role) : "");
    snprintf(a.action, sizeof a.action, "%.7s %.80s", rq->method,
             rq->route ? rq->route->pattern : rq->uri.path);
    srv_copy(a.target, sizeof a.target, rq->audit_target[0] ? rq->audit_target : rq->target);
    srv_copy(a.detail, sizeof a.detail, rq->detail);
    srv_copy(a.remote, sizeof a.remote, rq->remote);
    a.outcome = rq->status;
    srv_writer_audit(rq->srv->writer, &a);
}

static void handle(srv_request *rq)
{
    char err[SRV_ERR];
    if (rq->target_too_long) {
        srv_reply_error(rq, 414, "request target longer than %d bytes", SRV_MAX_TARGET);
        return;
    }
    if (srv_uri_parse(&rq->uri, rq->target, err) < 0) {
        srv_reply_error(rq, 400, "%s", err);
        return;
    }
    if (serve_asset(rq))
        return;
    const char *method = strcmp(rq->method, "HEAD") ? rq->method : "GET";
    int found = srv_route_find(srv_routes, srv_nroutes, method, &rq->uri, &rq->route, rq->cap,
                               rq->allow);
    if (found == 404) {
        srv_reply_error(rq, 404, "no such route: %s", rq->uri.path);
        return;
    }
    if (found == 405) {
        srv_reply_error(rq, 405, "%s is not allowed on %s (allowed: %s)", rq->method,
                        rq->uri.path, rq->allow);
        rq->route = NULL;
        return;
    }
    if (rq->body_too_big) {
        srv_reply_error(rq, 413, "request body larger than %zu bytes", rq->srv->cfg.max_body);
        return;
    }
    bool guarded = rq->route->roles != SRV_ANYONE;
    if (guarded) {
        if (authenticate(rq) < 0) {
            audit_request(rq);
            return;
        }
        if (!(rq->route->roles & SRV_ROLE(rq->user.role))) {
            srv_reply_error(rq, 403, "role %s may not %s %s", custos_role_name(rq->user.role),
                            rq->method, rq->route->pattern);
            audit_request(rq);
            return;
        }
    }
    rq->route->fn(rq);
    if (!rq->resp)
        srv_reply_error(rq, 500, "the handler gave no reply");
    if (rq->audited) /* a change, audited by the writer with its outcome */
        return;
    if (guarded && (rq->route->audit != SRV_AUDIT_NONE || rq->status == 401 || rq->status == 403))
        audit_request(rq);
}

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
    srv_request *rq = calloc(1, sizeof *rq);
    if (!rq)
        return NULL;
    rq->srv = cls;
    rq->conn = c;
    size_t n = strlen(uri);
    if (n > SRV_MAX_TARGET)
        rq->target_too_long = true;
    else
        memcpy(rq->target, uri, n + 1);
    return rq;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    srv_request *rq = *con_cls;
    if (!rq)
        return;
    release_ledger(rq);
    free(rq->body);
    if (rq->resp && !rq->resp_static)
        free(rq->resp);
    free(rq);
    *con_cls = NULL;
}

static void client_address(srv_request *rq)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    rq->remote[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, rq->remote,
                  sizeof rq->remote);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                  rq->remote, sizeof rq->remote);
}

static enum MHD_Result send_reply(srv_request *rq)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        rq->resp_len, rq->resp, rq->resp_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
    if (!r)
        return MHD_NO;
    rq->resp = NULL; /* the response owns it now */
    int status = rq->status;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rq->content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (!strncmp(rq->content_type, "text/html", 9))
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'none'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; connect-src 'self'; frame-ancestors "
                                "'none'; base-uri 'none'; form-action 'self'");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                            strncmp(rq->uri.path, "/static/", 8) ? "no-store" : "max-age=300");
    if (status == 401)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"custos\"");
    if (status == 405)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, rq->allow);
    if (rq->location[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, rq->location);
    enum MHD_Result ret = MHD_queue_response(rq->conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    (void)url;
    (void)version;
    srv_request *rq = *con_cls;
    if (!rq)
        return MHD_NO; /* out of memory in uri_log */
    if (!rq->method[0]) {
        /* headers are in: refuse an announced oversized body at once */
        snprintf(rq->method, sizeof rq->method, "%s", method);
        rq->conn = c;
        client_address(rq);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > ((srv_server *)cls)->cfg.max_body)
            rq->body_too_big = true;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size, max = rq->srv->cfg.max_body;
        *upload_data_size = 0;
        if (rq->body_too_big || rq->body_len + n > max) {
            rq->body_too_big = true; /* keep reading, store nothing */
            return MHD_YES;
        }
        if (rq->body_len + n + 1 > rq->body_cap) {
            size_t cap = rq->body_cap ? rq->body_cap : 4096;
            while (cap < rq->body_len + n + 1)
                cap *= 2;
            char *p = realloc(rq->body, cap);
            if (!p)
                return MHD_NO;
            rq->body = p;
            rq->body_cap = cap;
        }
        memcpy(rq->body + rq->body_len, upload_data, n);
        rq->body_len += n;
        rq->body[rq->body_len] = '\0';
        return MHD_YES;
    }
    handle(rq);
    release_ledger(rq);
    return send_reply(rq);
}

/* ---- start and stop ----------------------------------------------------- */

static void http_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    fprintf(stderr, "custos: http: %s\n", msg);
}

/* "127.0.0.1:8080", "[::1]:8080", ":8080" (all IPv4 addresses). */
static int parse_listen(const char *s, struct sockaddr_storage *ss, bool *v6)
{
    memset(ss, 0, sizeof *ss);
    char host[64];
    const char *colon;
    *v6 = s[0] == '[';
    if (*v6) {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host)
            return -1;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof host)
            return -1;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
    }
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (errno || *end || colon[1] == '\0' || port > 65535)
        return -1;
    if (*v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        return inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? 0 : -1;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (!host[0])
        return 0; /* INADDR_ANY */
    return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

static char *read_pem(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(65537);
    size_t n = buf ? fread(buf, 1, 65536, f) : 0;
    bool bad = !buf || ferror(f) || n == 0 || !feof(f);
    fclose(f);
    if (bad) {
        free(buf);
        errno = errno ? errno : EINVAL;
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

int srv_run(const srv_config *cfg)
{
    srv_server *s = calloc(1, sizeof *s);
    char *cert = NULL, *key = NULL;
    int status = 1;
    if (!s) {
        fprintf(stderr, "custos: out of memory\n");
        return 1;
    }
    s->cfg = *cfg;
    s->started = srv_now();
    pthread_mutex_init(&s->pool_mu, NULL);
    pthread_cond_init(&s->pool_cv, NULL);
    pthread_mutex_init(&s->tok_mu, NULL);
    pthread_cond_init(&s->tok_cv, NULL);
    randombytes_buf(s->tok_key, sizeof s->tok_key);

    struct sockaddr_storage ss;
    bool v6;
    if (parse_listen(cfg->listen, &ss, &v6) < 0) {
        fprintf(stderr, "custos: --listen '%s' is not ADDRESS:PORT\n", cfg->listen);
        goto done;
    }
    bool tls = cfg->tls_cert || cfg->tls_key;
    if (tls) {
        if (!cfg->tls_cert || !cfg->tls_key) {
            fprintf(stderr, "custos: --tls-cert and --tls-key go together\n");
            goto done;
        }
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            fprintf(stderr, "custos: this libmicrohttpd was built without TLS\n");
            goto done;
        }
        if (!(cert = read_pem(cfg->tls_cert)) || !(key = read_pem(cfg->tls_key))) {
            fprintf(stderr, "custos: %s: %s\n", cert ? cfg->tls_key : cfg->tls_cert,
                    strerror(errno));
            goto done;
        }
    }
    if (srv_writer_start(&s->writer, cfg->db) < 0) {
        fprintf(stderr, "custos: %s\n", custos_last_error());
        goto done;
    }

    /* Signals go to the thread that waits for them, not to workers. */
    sigset_t sigs, old;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, &old);
    signal(SIGPIPE, SIG_IGN);

    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG;
    if (v6)
        flags |= MHD_USE_IPv6;
    if (tls)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)http_log, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)cfg->connections, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, 120, NULL},
        {MHD_OPTION_THREAD_STACK_SIZE, 1 << 20, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_log, s},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, s},
        {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, access_cb, s, MHD_OPTION_ARRAY, opts,
                                 MHD_OPTION_END);
    if (!s->daemon) {
        fprintf(stderr, "custos: cannot listen on %s%s\n", cfg->listen,
                tls ? " (check the TLS certificate and key)" : "");
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        goto done;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    char host[64];
    if (v6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
    else
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
    printf("custos: serving %s on %s://%s%s%s:%u/\n", cfg->db, tls ? "https" : "http",
           v6 ? "[" : "", host, v6 ? "]" : "", di ? (unsigned)di->port : 0);
    fflush(stdout);

    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "custos: %s, stopping\n", sig == SIGINT ? "interrupted" : "terminated");
    MHD_stop_daemon(s->daemon);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    status = 0;
done:
    srv_writer_stop(s->writer);
    for (size_t i = 0; i < s->npool; i++)
        custos_ledger_free(s->pool[i]);
    pthread_mutex_destroy(&s->pool_mu);
    pthread_cond_destroy(&s->pool_cv);
    pthread_mutex_destroy(&s->tok_mu);
    pthread_cond_destroy(&s->tok_cv);
    sodium_memzero(s->tok_key, sizeof s->tok_key);
    free(cert);
    if (key) {
        sodium_memzero(key, strlen(key));
        free(key);
    }
    free(s);
    return status;
}
