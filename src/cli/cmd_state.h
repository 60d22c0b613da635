/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_state.h: what the State-level subcommands (state, paths, game,
 * allocate, info, evaluate) share: reading an input file whole, and
 * loading a State's model, holdings and acquisition paths from a ledger.
 */
#ifndef CUSTOS_CMD_STATE_H
#define CUSTOS_CMD_STATE_H

#include "cli.h"
#include "custos/apa.h"
#include "custos/state.h"

/* A whole file ('-' = standard input) of at most CUSTOS_MAX_JSON_FILE
 * bytes, NUL-terminated; free() it.  NULL with errno set on failure. */
char *state_cli_slurp(const char *path, size_t *len);

/* What the path, game and evaluation commands start from. */
typedef struct state_cli {
    custos_ledger *l;
    custos_state_model *m;
    custos_holding *h;
    size_t nh;
    custos_apa_result *apa;
} state_cli;

/* Open db read-only, load State state's model, its holdings and its
 * acquisition paths (opt may be NULL).  Prints the error and returns
 * EXIT_FAIL on failure; state_cli_dispose() in every case. */
int state_cli_load(state_cli *s, const char *db, const char *state,
                   const custos_apa_options *opt);
void state_cli_dispose(state_cli *s);

/* Parse a non-negative number (whole string).  False on error. */
bool state_cli_number(const char *s, double *out);

#endif
