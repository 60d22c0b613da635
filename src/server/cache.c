/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cache.c: replies of read routes kept while the ledger does not change.
 *
 * A reply is stored under (user, user version, request target) with the
 * position of the ledger's chain head when it was computed
 * (custos_ledger_head()).  Anything stored (a report, a signature, a
 * user, key or policy, a document) moves the head, so an entry whose head
 * is no longer the current one is never served; the audit log has its own
 * chain and does not invalidate.  The key holds the user and its
 * version, so need-to-know filtering, done by the handler, is part of what
 * is cached, and a changed role starts afresh.  Entries are bounded in
 * number and in bytes; a colliding key replaces the older entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "srvint.h"

#define SLOTS 1024
#define MAX_ENTRY ((size_t)1 << 20)  /* larger replies are not cached */
#define MAX_TOTAL ((size_t)64 << 20) /* bytes of all cached bodies */

typedef struct slot {
    unsigned char key[32]; /* BLAKE2b of the key text */
    int64_t head;
    bool used;
    int status;
    const char *content_type; /* static strings of the handlers */
    const char *csp;
    char *body;
    size_t len;
    char audit_target[SRV_ERR];
} slot;

struct srv_cache {
    pthread_mutex_t mu;
    slot slots[SLOTS];
    size_t total;
    uint64_t hits, misses;
};

int srv_cache_new(srv_cache **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return CUSTOS_ENOMEM;
    pthread_mutex_init(&(*out)->mu, NULL);
    return CUSTOS_OK;
}

void srv_cache_free(srv_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < SLOTS; i++)
        free(c->slots[i].body);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static void key_of(unsigned char out[32], const srv_request *rq)
{
    crypto_generichash_state st;
    char ver[16];
    snprintf(ver, sizeof ver, "%d", rq->user.version);
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const unsigned char *)rq->user.name, strlen(rq->user.name) + 1);
    crypto_generichash_update(&st, (const unsigned char *)ver, strlen(ver) + 1);
    crypto_generichash_update(&st, (const unsigned char *)rq->method, strlen(rq->method) + 1);
    crypto_generichash_update(&st, (const unsigned char *)rq->target, strlen(rq->target) + 1);
    crypto_generichash_final(&st, out, 32);
}

static slot *slot_of(srv_cache *c, const unsigned char key[32])
{
    return &c->slots[(key[0] | (unsigned)key[1] << 8) % SLOTS];
}

bool srv_cache_get(srv_cache *c, srv_request *rq, int64_t head)
{
    unsigned char key[32];
    key_of(key, rq);
    char *copy = NULL;
    pthread_mutex_lock(&c->mu);
    slot *s = slot_of(c, key);
    bool hit = s->used && s->head == head && !memcmp(s->key, key, 32);
    if (hit && (copy = malloc(s->len + 1))) {
        memcpy(copy, s->body, s->len + 1);
        srv_reply_body(rq, s->status, s->content_type, copy, s->len, false);
        memcpy(rq->audit_target, s->audit_target, sizeof rq->audit_target);
        rq->csp = s->csp;
        c->hits++;
    } else {
        c->misses++;
    }
    pthread_mutex_unlock(&c->mu);
    return hit && copy;
}

void srv_cache_put(srv_cache *c, const srv_request *rq, int64_t head)
{
    if (!rq->resp || rq->resp_len > MAX_ENTRY || rq->status != 200)
        return;
    char *body = malloc(rq->resp_len + 1);
    if (!body)
        return;
    memcpy(body, rq->resp, rq->resp_len);
    body[rq->resp_len] = '\0';
    unsigned char key[32];
    key_of(key, rq);
    pthread_mutex_lock(&c->mu);
    slot *s = slot_of(c, key);
    if (s->used) {
        c->total -= s->len;
        free(s->body);
        s->used = false;
    }
    if (c->total + rq->resp_len <= MAX_TOTAL) {
        memcpy(s->key, key, 32);
        s->head = head;
        s->status = rq->status;
        s->content_type = rq->content_type;
        s->csp = rq->csp;
        s->body = body;
        s->len = rq->resp_len;
        memcpy(s->audit_target, rq->audit_target, sizeof s->audit_target);
        s->used = true;
        c->total += s->len;
        body = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    free(body);
}

void srv_cache_stats(srv_cache *c, uint64_t *hits, uint64_t *misses, size_t *bytes)
{
    pthread_mutex_lock(&c->mu);
    *hits = c->hits;
    *misses = c->misses;
    *bytes = c->total;
    pthread_mutex_unlock(&c->mu);
}
