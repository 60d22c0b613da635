/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h: what the subcommands of the custos command share: exit codes,
 * error and diagnostic printing, the progress bar, output formats.
 *
 * The CLI is a thin client of libcustos's public API (STYLE.md point 1).
 * Exit status: 0 ok, 1 failure or finding, 2 usage.
 */
#ifndef CUSTOS_CLI_H
#define CUSTOS_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "custos/balance.h"
#include "custos/diag.h"
#include "custos/format.h"
#include "custos/ledger.h"
#include "custos/report.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

typedef struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
    const char *usage; /* the full --help text */
} cli_command;

/* Print "custos: MESSAGE" (the library's last error when msg is NULL). */
void cli_error(const char *msg);
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print every diagnostic of d, one line each: errors as they are,
 * findings prefixed "finding: ".  Returns the number of errors. */
size_t cli_print_diags(const custos_diags *d, FILE *to);
/* Usage error: prints the message and the command's usage line. */
int cli_usage(const cli_command *cmd, const char *msg);
/* True when argv holds -h or --help; then prints the usage. */
bool cli_wants_help(const cli_command *cmd, int argc, char **argv);

/* Output formats of listing commands. */
typedef enum cli_format { CLI_TABLE, CLI_CSV, CLI_JSON } cli_format;
int cli_parse_format(cli_format *out, const char *s);

/* The progress bar: drawn on stderr when it is a terminal and the work has
 * run for more than a second; silent when piped. */
typedef struct cli_progress {
    bool tty;
    bool drawn;
    double start;
    double last;
    const char *label;
} cli_progress;

void cli_progress_init(cli_progress *p, const char *label);
void cli_progress_update(void *ctx, uint64_t done, uint64_t total);
void cli_progress_done(cli_progress *p);

double cli_now(void);

/* A date as YYYY-MM-DD into a static rotating buffer. */
const char *cli_date(custos_date d);
/* Parse YYYY-MM-DD or YYYYMMDD; returns 0 on error. */
custos_date cli_parse_date(const char *s);

/* A JSON string literal of s, to f. */
void cli_json_string(FILE *f, const char *s);

/* Strict integer parsing: whole string, within [min, max]. */
bool cli_parse_int(const char *s, long long min, long long max, long long *out);

const char *cli_report_type_name(char type);

extern const cli_command cli_commands[];

int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_balance(int argc, char **argv);
int cmd_transfers(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_facility(int argc, char **argv);
int cmd_targets(int argc, char **argv);
int cmd_nrta(int argc, char **argv);
int cmd_arl(int argc, char **argv);
int cmd_pd(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_dstat(int argc, char **argv);
int cmd_blend(int argc, char **argv);
int cmd_swu(int argc, char **argv);
int cmd_agreement(int argc, char **argv);
int cmd_agreements(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_paths(int argc, char **argv);
int cmd_game(int argc, char **argv);
int cmd_allocate(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* admin.c: what the user, key and policy commands share.  The name the
 * command line acts as in the chain and the audit log: "cli:LOGIN". */
const char *cli_actor(void);
/* Append one audit record for a command-line change (best effort: a
 * failure is printed, the change stays). */
void cli_audit(custos_ledger *l, const char *action, const char *target, int outcome,
               const char *detail);
/* A whole small file (at most max bytes) into malloc'd memory; NULL with
 * errno set. */
char *cli_read_file(const char *path, size_t max, size_t *len);

const cli_command *cli_find(const char *name);

#endif
