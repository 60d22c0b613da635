/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_stats.h: what the statistics subcommands (nrta, pd, arl, plan,
 * dstat, targets, balance's sigma columns) share.
 */
#ifndef CUSTOS_CLI_STATS_H
#define CUSTOS_CLI_STATS_H

#include "cli.h"
#include "custos/stats.h"

/* Read a whole file ("-": standard input), at most max bytes (a file of
 * exactly max bytes is read).  Caller frees with free().  NULL with errno
 * set on failure: EFBIG past max, EIO on a read error (never a silently
 * truncated text), or fopen's. */
char *cli_slurp(const char *path, size_t max, size_t *len);

/* A number: whole string, finite, within [min, max]. */
bool cli_parse_double(const char *s, double min, double max, double *out);

/* The sequence to work on: from a ledger (db, mba, element, label) or a
 * sequence file (seqfile).  Prints the error and returns NULL. */
custos_sequence *cli_load_sequence(const char *db, const char *mba, char element, int label,
                                   const char *seqfile);

/* Print a double as JSON (null for NaN/inf). */
void cli_json_number(FILE *f, double v);

#endif
