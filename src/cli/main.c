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
    {"state", cmd_state, "State models for State-level evaluation",
     "usage: custos state add DB FILE...\n"
     "       custos state list DB\n"
     "       custos state show DB --state S\n"
     "\n"
     "add   store State models (JSON, docs/formats.md): agreements in force,\n"
     "      facilities and MBAs, the six State-specific factors with sources,\n"
     "      the inspection budget, the acquisition network.  Every facility\n"
     "      and MBA must be registered (custos facility add).  Stored again, a\n"
     "      State gets a new version; earlier versions stay in the hash chain.\n"
     "list  the stored models (latest versions).\n"
     "show  a model with the ledger's holdings per MBA and the stock (kg and\n"
     "      significant quantities) of every material form.\n"},
    {"paths", cmd_paths, "acquisition path analysis: paths to weapon-usable metal",
     "usage: custos paths DB --state S [--top K] [--max-length N] [--max-paths N]\n"
     "                    [--infeasible] [--format table|csv|json]\n"
     "\n"
     "Enumerate the simple paths from the material the State holds (the\n"
     "ledger's book inventory per MBA, plus assumed stocks of undeclared\n"
     "sources) to the first weapon-usable metal node; feasible when at least\n"
     "1 SQ remains after the step yields.  Per path: time (days, with the end\n"
     "form's conversion time), detection probability P = 1 - prod(1 - p),\n"
     "P within the timeliness goal, covered (P timely >= the detection goal),\n"
     "difficulty, length.  Ranked weakest first (lowest P, then shortest\n"
     "time, then lowest difficulty).  Defaults: --max-length 12,\n"
     "--max-paths 100000 (examined), all feasible paths shown.\n"},
    {"game", cmd_game, "inspection game (Canty & Listner): Nash equilibrium for a budget",
     "usage: custos game DB --state S --budget W [--a X] [--b X] [--c X] [--e X]\n"
     "                   [--f X] [--format table|json]\n"
     "\n"
     "The inspectorate chooses a maximal set of inspection activities within\n"
     "W person-days, the State a feasible path or legal behaviour.  Solved by\n"
     "Lemke-Howson, and by support enumeration when small; says when the game\n"
     "is degenerate.  Prints the inspectorate's mixed strategy, the State's\n"
     "path probabilities, both payoffs and the effectiveness (c + H1*)/c.\n"
     "Payoff parameters default to the model's (a=10 b=1 c=100 e=1 f=1).\n"},
    {"allocate", cmd_allocate, "zero-sum inspection allocation (linear programme, GLPK)",
     "usage: custos allocate DB --state S --budget W [--format table|json]\n"
     "       custos allocate --matrix \"4,-4,1;-4,4,-2\" [--format table|json]\n"
     "\n"
     "Maximise the detection probability of the State's best path within the\n"
     "budget: the inspectorate's mixed strategy over maximal activity sets,\n"
     "each activity's inspection probability, the State's worst-case paths.\n"
     "--matrix solves any zero-sum matrix game (the row player maximises).\n"},
    {"info", cmd_info, "information items with provenance (append-only)",
     "usage: custos info add DB FILE...\n"
     "       custos info list DB --state S [--compartment C]...\n"
     "\n"
     "add   store information items (JSON, docs/formats.md): source class,\n"
     "      Admiralty grade, classification and originator, date, content\n"
     "      hash, links with direction.  Append-only and hash-chained: an id\n"
     "      is stored once.\n"
     "list  the items the given compartments may see; the rest are counted.\n"},
    {"evaluate", cmd_evaluate, "State-level evaluation: conclusions, evidence, audit",
     "usage: custos evaluate DB --state S [--format text|json|html] [--out FILE]\n"
     "                       [--compartment C]...\n"
     "\n"
     "Score every feasible acquisition path from the ledger's findings and\n"
     "the information items (log-odds, each item weighted by its grade), draw\n"
     "the conclusions (no indication of diversion per facility, no indication\n"
     "of undeclared material or activities, the broader conclusion with CSA +\n"
     "AP), and audit them: re-run without each source class and each item.\n"
     "The reader holds the compartments given ('*' all; none: public evidence\n"
     "only); other evidence is counted but never printed.  --out writes FILE\n"
     "whole or not at all.\n"},
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
