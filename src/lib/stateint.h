/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stateint.h: what the State-level modules share privately (state.c,
 * info.c, apa.c, game.c, evaluate.c, html.c): the checked JSON field
 * readers of the State model and information item parsers, and small
 * numeric helpers.
 *
 * The readers never fail silently: a missing or ill-typed field adds one
 * diagnostic "FILE:LINE: $.path.to.field: what is wrong" (the line found
 * by scanning the text, since jansson keeps no positions) and counts an
 * error; the caller decides at the end whether the document stands.
 */
#ifndef CUSTOS_STATEINT_H
#define CUSTOS_STATEINT_H

#include <jansson.h>
#include <stdbool.h>

#include "custos/state.h"
#include "internal.h"

typedef struct jctx {
    const char *source;   /* file name for messages, never NULL */
    const char *text;     /* the JSON text, for line numbers */
    size_t len;
    custos_diags *d;      /* may be NULL */
    int errors;           /* problems found */
    int located;          /* errors given a line so far (bounded work) */
} jctx;

/* Report a problem at JSON path (e.g. "$.edges[2].beta"). */
void custos_jerr(jctx *p, const char *path, const char *fmt, ...) CUSTOS_PRINTF(3, 4);

/* 1-based line of the value at path in text (as custos_jerr's paths are
 * written), or 0 when it cannot be found.  O(len). */
uint32_t custos_json_path_line(const char *text, size_t len, const char *path);

/* Parse text with jansson (duplicate keys refused); on a syntax error
 * report it and return NULL with *err = CUSTOS_EINVAL; on allocation
 * failure *err = CUSTOS_ENOMEM. */
json_t *custos_jload(jctx *p, int *err);

/* Unknown keys of object o are errors; known is NULL-terminated. */
void custos_jkeys(jctx *p, json_t *o, const char *path, const char *const *known);

/* Field readers.  Each reads o[key] at path "path.key".  When the key is
 * absent: an error if required, otherwise *out keeps its value and false
 * is returned.  True when a valid value was stored. */
bool custos_jstr(jctx *p, json_t *o, const char *path, const char *key, bool required,
                 char *out, size_t size, size_t minlen);
/* An owned copy (custos_free) into *out; *nomem set on allocation failure. */
bool custos_jdup(jctx *p, json_t *o, const char *path, const char *key, bool required, char **out,
                 size_t maxlen, bool *nomem);
bool custos_jnum(jctx *p, json_t *o, const char *path, const char *key, bool required,
                 double *out, double min, double max);
bool custos_jint(jctx *p, json_t *o, const char *path, const char *key, bool required, int *out,
                 int min, int max);
bool custos_jbool(jctx *p, json_t *o, const char *path, const char *key, bool required,
                  bool *out);
/* A calendar date "YYYY-MM-DD". */
bool custos_jdate(jctx *p, json_t *o, const char *path, const char *key, bool required,
                  custos_date *out);

/* Ids of nodes, edges, activities and information items: 1-63 of
 * [A-Za-z0-9_.:-], starting with a letter or digit. */
bool custos_state_id_ok(const char *s);

/* Compose "base.key" / "base[i]" into buf. */
const char *custos_jpath(char *buf, size_t size, const char *base, const char *key);
const char *custos_jpathi(char *buf, size_t size, const char *base, const char *key, size_t i);

/* logit and its inverse, finite for p in [0, 1] (clamped to 1e-12). */
double custos_logit(double p);
double custos_expit(double x);

/* The statistics of every MBA of m with balances (evaluate_stats.c);
 * *out freed by the caller: dispose each, then custos_free(). */
struct custos_ledger;
struct custos_mba_statistics;
struct custos_finding;
int custos_eval_statistics(struct custos_mba_statistics **out, size_t *n,
                           struct custos_ledger *l, const custos_state_model *m);
void custos_mba_statistics_dispose(struct custos_mba_statistics *s);
/* The finding of one MBA's statistics; id and text are the caller's
 * buffers the finding points into. */
void custos_eval_statistics_finding(const struct custos_mba_statistics *s,
                                    struct custos_finding *f, char *id, size_t idsize,
                                    char *text, size_t textsize);

#endif
