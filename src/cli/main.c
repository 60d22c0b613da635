/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: the custos command: git-style subcommands from one table.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const cli_command cli_commands[] = {
    {"init", cmd_init, "create an empty ledger",
     "usage: custos init DB\n"
     "\n"
     "Create an empty ledger (SQLite, WAL mode) at DB.  Fails if DB exists.\n"},
    {"facility", cmd_facility, "register and list facilities (MBAs, KMPs)",
     "usage: custos facility add DB FILE...\n"
     "       custos facility list DB\n"
     "\n"
     "add   store facility descriptions (JSON, docs/formats.md): State, facility\n"
     "      code, type, MBAs and KMPs.  Reports are checked against them.  A\n"
     "      facility added again gets a new version; the old one stays.\n"
     "list  the registered facilities, their MBAs and KMPs (latest versions).\n"},
    {"import", cmd_import, "check and store reports (Code 10, CSV, JSON)",
     "usage: custos import DB FILE...\n"
     "\n"
     "Check each file (Code 10 labelled, CSV or JSON, detected by content; '-'\n"
     "reads standard input) and store its reports in the ledger, each file in\n"
     "one transaction: all of its reports or none.  Prints one line per report\n"
     "stored.  Stops at the first file with an error; every problem is printed\n"
     "as FILE:LINE: entry N: label LLL: message.\n"
     "Exit status: 0 stored, 1 an error (nothing stored from that file) or a\n"
     "finding (stored), 2 usage.\n"},
    {"check", cmd_check, "check reports without storing them",
     "usage: custos check [--db DB] FILE...\n"
     "\n"
     "Check the files as import would, in order, without storing anything.\n"
     "Without --db they are checked against each other only (no MBA registry);\n"
     "with --db against a copy of that ledger.\n"},
    {"balance", cmd_balance, "material balances (PB, changes, BA, PE, MUF)",
     "usage: custos balance DB [--mba M] [--format table|csv|json]\n"
     "\n"
     "Close the material balance of every balance period (PIT to PIT) of each\n"
     "MBA (or of M: CODE or STATE/CODE), per element category and isotope, with\n"
     "corrections applied, and compare the operator's MBRs with the books.\n"
     "Weights are grams with three decimals.  Findings go to standard error;\n"
     "exit status 1 when there is one.\n"},
    {"transfers", cmd_transfers, "match domestic shipments and receipts (SRD)",
     "usage: custos transfers DB [--format table|csv|json] [--grace-days N]\n"
     "                           [--as-of YYYY-MM-DD]\n"
     "\n"
     "Match every domestic shipment with its receipt; print the shipper/receiver\n"
     "difference (shipper - receiver) and the days in transit.  A shipment with\n"
     "no receipt N days (default 30) after the receiver's next period end is\n"
     "overdue (a finding).\n"},
    {"export", cmd_export, "write stored reports as they were received",
     "usage: custos export DB --mba M [--report N] [--format code10|csv|json]\n"
     "                        [--output FILE]\n"
     "\n"
     "Write the stored reports of MBA M (or only report N) in the chosen form\n"
     "(default code10: one entry per line).\n"},
    {"verify", cmd_verify, "recompute the hash chain and every report's hash",
     "usage: custos verify DB [--head HEX]\n"
     "\n"
     "Recompute each stored item's canonical text from its rows, its BLAKE2b\n"
     "hash and the chain.  Fails with the first broken link if any row was\n"
     "changed, deleted or inserted behind custos's back.  --head checks that\n"
     "the chain ends at a head published earlier (custos log).\n"},
    {"log", cmd_log, "the hash chain: what was stored, when, with its hashes",
     "usage: custos log DB [--format table|json]\n"
     "\n"
     "Every stored item in chain order with its hash and chain link.  The last\n"
     "link is the head to publish.\n"},
    {"user", cmd_user, "users of the server: roles, scopes, API tokens",
     "usage: custos user add DB NAME --role ROLE [--state S]... [--mba M]...\n"
     "                          [--compartment C]...\n"
     "       custos user set DB NAME --role ROLE [scopes as for add]\n"
     "       custos user token DB NAME\n"
     "       custos user revoke DB NAME\n"
     "       custos user list DB [--format table|csv|json]\n"
     "\n"
     "ROLE is operator (--mba STATE/CODE: submits and reads those MBAs),\n"
     "authority (--state S: reads its State, sets its policy and keys),\n"
     "inspector (--state S...: reads the States assigned), analyst (--state S...\n"
     "and --compartment C...: also information items in those compartments) or\n"
     "admin (users, keys, policies, audit log; no material data).\n"
     "add and token print the API token once on standard output; only its\n"
     "Argon2id hash is stored.  Every change is a new, chained version of the\n"
     "user and is written to the audit log.\n"},
    {"key", cmd_key, "facility signing keys (Ed25519)",
     "usage: custos key generate PREFIX\n"
     "       custos key add DB --state S --facility F PUBLIC-KEY-FILE\n"
     "       custos key list DB\n"
     "       custos key revoke DB KEY-ID\n"
     "\n"
     "generate  write a new key pair: PREFIX.key (secret, mode 0600) and PREFIX.pub.\n"
     "add       register a facility's public key; reports of that facility may\n"
     "          then be signed with its secret key (custos sign).\n"
     "revoke    refuse later submissions signed with the key; stored signatures\n"
     "          stay valid.\n"},
    {"policy", cmd_policy, "a State's signature policy",
     "usage: custos policy set DB STATE --require-signatures yes|no\n"
     "       custos policy show DB\n"
     "\n"
     "With signatures required, the server refuses a report of STATE unless it\n"
     "carries a valid signature over its canonical text by an active key of its\n"
     "facility.\n"},
    {"sign", cmd_sign, "sign reports with a facility's secret key",
     "usage: custos sign --key SECRET-KEY-FILE REPORT-FILE\n"
     "\n"
     "Sign each report of REPORT-FILE (Code 10, CSV or JSON; '-' reads standard\n"
     "input) over its canonical text.  Prints one line per report:\n"
     "KEY-ID SIGNATURE STATE;NUMBER MBA (send them as X-Custos-Key and\n"
     "X-Custos-Signature with the report, docs/api.md).\n"},
    {"audit", cmd_audit, "the audit log: who did what, when, with which outcome",
     "usage: custos audit DB [--verify] [--after N] [--limit N]\n"
     "                       [--format table|csv|json]\n"
     "\n"
     "Print the audit log (every API request that reads or changes sensitive\n"
     "data, every change of users, keys and policies), or with --verify\n"
     "recompute its hash chain and report the first altered record.\n"},
    {"serve", cmd_serve, "the HTTP API and dashboard",
     "usage: custos serve DB [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]\n"
     "                       [--threads N] [--max-body BYTES]\n"
     "\n"
     "Serve the JSON API (docs/api.md) and the dashboard at / on ADDR:PORT\n"
     "(default 127.0.0.1:8080), over HTTPS with --tls-cert and --tls-key (PEM).\n"
     "Every request needs a token (custos user add) except /api/health and the\n"
     "dashboard's static files.  Submissions are stored by one writer thread in\n"
     "group-committed transactions; reads run in parallel on their own\n"
     "connections (SQLite WAL).  Stops cleanly on SIGINT or SIGTERM.\n"},
    {NULL, NULL, NULL, NULL},
};

const cli_command *cli_find(const char *name)
{
    for (const cli_command *c = cli_commands; c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: custos COMMAND [ARGS]   (custos COMMAND --help for more)\n\n"
               "custos %s: nuclear material accountancy and safeguards verification.\n\n"
               "Commands:\n",
            custos_version());
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
}

int main(int argc, char **argv)
{
    if (custos_global_init() < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        if (argc > 2 && cli_find(argv[2])) {
            fputs(cli_find(argv[2])->usage, stdout);
            return EXIT_OK;
        }
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("custos %s\n", custos_version());
        return EXIT_OK;
    }
    const cli_command *c = cli_find(argv[1]);
    if (!c) {
        fprintf(stderr, "custos: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return EXIT_USAGE;
    }
    if (cli_wants_help(c, argc - 1, argv + 1))
        return EXIT_OK;
    return c->fn(argc - 1, argv + 1);
}
