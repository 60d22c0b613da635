/* SPDX-License-Identifier: Apache-2.0 */
/*
 * writer.c: the server's one writer.
 *
 * SQLite allows one writer at a time; rather than let request threads
 * queue on its lock (and each pay a full fsync), every change goes
 * through this thread.  Each turn of its loop takes everything queued:
 * all pending submissions are stored by one custos_ledger_submit() call,
 * one transaction with a savepoint per submission (group commit: one
 * fsync for the batch, each submission whole or not at all); admin
 * changes run one by one; then the audit records of the turn (the
 * queued reads, and the changes just made with their outcome) are
 * appended in one transaction.  Requesters of a change wait until both
 * committed, so a change is never acknowledged before it is audited.
 * Readers use their own connections (SQLite WAL) and never wait here.
 *
 * The audit queue is bounded: when the writer falls behind, request
 * threads wait for room rather than drop a record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srvint.h"

#define AUDIT_QUEUE_MAX 65536
#define BATCH_MAX 1024

enum { JOB_SUBMIT, JOB_CALL };

typedef struct job {
    int kind;
    custos_submission *sub;
    int (*fn)(custos_ledger *, void *);
    void *arg;
    int result;
    char *msg;
    srv_audit *audit;
    bool done;
    struct job *next;
} job;

struct srv_writer {
    custos_ledger *l;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work; /* the writer waits for work */
    pthread_cond_t done; /* requesters wait for their job, or for audit room */
    bool stop;
    job *head, *tail;
    srv_audit *aq;       /* queued audit records */
    size_t aq_n;
    srv_audit *spare;    /* the writer's copy of the queue, swapped each turn */
    srv_writer_stats local; /* counted by the writer thread */
    srv_writer_stats stats; /* a copy under mu, for readers */
};

static void to_record(custos_audit_record *r, const srv_audit *a)
{
    memset(r, 0, sizeof *r);
    r->who = a->who;
    r->role = a->role;
    r->action = a->action;
    r->target = a->target;
    r->outcome = a->outcome;
    r->detail = a->detail;
    r->remote = a->remote;
}

static void append_audit(srv_writer *w, srv_audit *a, size_t n, job *jobs)
{
    size_t total = n;
    for (job *j = jobs; j; j = j->next)
        total += j->audit != NULL;
    if (!total)
        return;
    custos_audit_record *v = malloc(total * sizeof *v);
    if (!v) {
        fprintf(stderr, "custos: audit log: out of memory, %zu records not written\n", total);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        to_record(&v[k++], &a[i]);
    for (job *j = jobs; j; j = j->next)
        if (j->audit)
            to_record(&v[k++], j->audit);
    if (custos_audit_append(w->l, v, k) < 0)
        fprintf(stderr, "custos: audit log: %s (%zu records not written)\n", custos_last_error(),
                k);
    else {
        w->local.audit_records += k;
        w->local.audit_batches++;
    }
    free(v);
}

/* The outcome and detail of a finished submission, for its audit record. */
static void audit_submission(srv_audit *a, const custos_submission *s)
{
    a->outcome = s->err >= 0 ? 201 : srv_status_of(s->err);
    if (s->err < 0) {
        srv_copy(a->detail, sizeof a->detail, s->message);
        return;
    }
    size_t len = 0;
    a->detail[0] = '\0';
    for (size_t i = 0; i < s->n && s->stored && len < sizeof a->detail; i++) {
        const custos_stored *st = &s->stored[i];
        int m = snprintf(a->detail + len, sizeof a->detail - len, "%sstored %s;%lld %s as id %lld%s",
                         i ? ", " : "", st->state, (long long)st->number, st->mba,
                         (long long)st->id, s->key_id ? " (signed)" : "");
        if (m < 0)
            break;
        len += (size_t)m;
    }
}

static void run_turn(srv_writer *w, job *jobs, srv_audit *queued, size_t nqueued)
{
    /* 1. every submission of the turn: one transaction */
    size_t ns = 0;
    for (job *j = jobs; j; j = j->next)
        ns += j->kind == JOB_SUBMIT;
    if (ns) {
        custos_submission *v = malloc(ns * sizeof *v);
        size_t k = 0;
        if (v) {
            for (job *j = jobs; j; j = j->next)
                if (j->kind == JOB_SUBMIT)
                    v[k++] = *j->sub;
            custos_ledger_submit(w->l, v, ns);
            k = 0;
        }
        for (job *j = jobs; j; j = j->next) {
            if (j->kind != JOB_SUBMIT)
                continue;
            if (v) {
                j->sub->err = v[k].err;
                memcpy(j->sub->message, v[k].message, sizeof j->sub->message);
                k++;
            } else {
                j->sub->err = CUSTOS_ENOMEM;
                snprintf(j->sub->message, sizeof j->sub->message, "out of memory");
            }
            if (j->audit)
                audit_submission(j->audit, j->sub);
        }
        free(v);
        w->local.batches++;
        w->local.submissions += ns;
        if (ns > w->local.largest_batch)
            w->local.largest_batch = ns;
    }
    /* 2. admin changes, each its own transaction */
    for (job *j = jobs; j; j = j->next) {
        if (j->kind != JOB_CALL)
            continue;
        custos_clear_error();
        j->result = j->fn(w->l, j->arg);
        if (j->msg)
            snprintf(j->msg, SRV_ERR, "%s", custos_last_error());
        if (j->audit) {
            /* the caller set the status of success (200, 201) */
            if (j->result < 0 || j->audit->outcome == 0)
                j->audit->outcome = j->result < 0 ? srv_status_of(j->result) : 200;
            if (j->result < 0)
                srv_copy(j->audit->detail, sizeof j->audit->detail, custos_last_error());
        }
    }
    /* 3. the audit records of the turn */
    append_audit(w, queued, nqueued, jobs);
}

static void *writer_main(void *arg)
{
    srv_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->stop && !w->head && !w->aq_n)
            pthread_cond_wait(&w->work, &w->mu);
        if (w->stop && !w->head && !w->aq_n)
            break;
        /* take up to BATCH_MAX jobs and the whole audit queue */
        job *jobs = w->head, *last = w->head;
        for (size_t n = 1; last && last->next && n < BATCH_MAX; n++)
            last = last->next;
        if (last) {
            w->head = last->next;
            if (!w->head)
                w->tail = NULL;
            last->next = NULL;
        }
        srv_audit *queued = w->aq;
        size_t nq = w->aq_n;
        w->aq = w->spare;
        w->spare = queued;
        w->aq_n = 0;
        pthread_cond_broadcast(&w->done); /* room in the audit queue */
        pthread_mutex_unlock(&w->mu);

        run_turn(w, jobs, queued, nq);

        pthread_mutex_lock(&w->mu);
        for (job *j = jobs; j; j = j->next)
            j->done = true;
        w->stats = w->local;
        pthread_cond_broadcast(&w->done);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int srv_writer_start(srv_writer **out, const char *db)
{
    *out = NULL;
    srv_writer *w = calloc(1, sizeof *w);
    if (!w)
        return CUSTOS_ENOMEM;
    w->aq = malloc(AUDIT_QUEUE_MAX * sizeof *w->aq);
    w->spare = malloc(AUDIT_QUEUE_MAX * sizeof *w->spare);
    int err = CUSTOS_ENOMEM;
    if (!w->aq || !w->spare)
        goto fail;
    if ((err = custos_ledger_open(&w->l, db, 0)) < 0)
        goto fail;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->done, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        custos_ledger_free(w->l);
        err = CUSTOS_ENOMEM;
        goto fail;
    }
    *out = w;
    return CUSTOS_OK;
fail:
    free(w->aq);
    free(w->spare);
    free(w);
    return err;
}

void srv_writer_stop(srv_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_broadcast(&w->work);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    custos_ledger_free(w->l);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->done);
    free(w->aq);
    free(w->spare);
    free(w);
}

static void enqueue_and_wait(srv_writer *w, job *j)
{
    pthread_mutex_lock(&w->mu);
    if (w->tail)
        w->tail->next = j;
    else
        w->head = j;
    w->tail = j;
    pthread_cond_signal(&w->work);
    while (!j->done)
        pthread_cond_wait(&w->done, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

void srv_writer_submit(srv_writer *w, custos_submission *v, srv_audit *audit)
{
    job j = {.kind = JOB_SUBMIT, .sub = v, .audit = audit};
    enqueue_and_wait(w, &j);
}

int srv_writer_call(srv_writer *w, int (*fn)(custos_ledger *l, void *arg), void *arg,
                    char msg[SRV_ERR], srv_audit *audit)
{
    job j = {.kind = JOB_CALL, .fn = fn, .arg = arg, .msg = msg, .audit = audit};
    enqueue_and_wait(w, &j);
    return j.result;
}

void srv_writer_audit(srv_writer *w, const srv_audit *a)
{
    pthread_mutex_lock(&w->mu);
    while (w->aq_n == AUDIT_QUEUE_MAX && !w->stop)
        pthread_cond_wait(&w->done, &w->mu);
    if (w->aq_n < AUDIT_QUEUE_MAX) {
        w->aq[w->aq_n++] = *a;
        if (w->aq_n == 1)
            pthread_cond_signal(&w->work);
    }
    pthread_mutex_unlock(&w->mu);
}

void srv_writer_stats_get(srv_writer *w, srv_writer_stats *out)
{
    pthread_mutex_lock(&w->mu);
    *out = w->stats;
    pthread_mutex_unlock(&w->mu);
}
