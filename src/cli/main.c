/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: the custos command: git-style subcommands from one table.
 */
#include <errno.h>
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
    {"balance", cmd_balance, "material balances (PB, changes, BA, PE, MUF, sigma-MUF)",
     "usage: custos balance DB [--mba M] [--format table|csv|json] [--contributions]\n"
     "\n"
     "Close the material balance of every balance period (PIT to PIT) of each\n"
     "MBA (or of M: CODE or STATE/CODE), per element category and isotope, with\n"
     "corrections applied, and compare the operator's MBRs with the books.\n"
     "Weights are grams with three decimals.  sigma-MUF and MUF/sigma come from\n"
     "the facility's measurement model and the target-value tables; with\n"
     "--contributions each balance lists what every KMP and method (random) and\n"
     "every systematic group adds to Var(MUF), largest first.  Findings go to\n"
     "standard error; exit status 1 when there is one.\n"},
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
    {"targets", cmd_targets, "store and list target-value tables (uncertainties)",
     "usage: custos targets add DB FILE...\n"
     "       custos targets list DB\n"
     "\n"
     "add   store target-value tables (CSV: method,material,random,systematic,\n"
     "      source; docs/formats.md), e.g. the International Target Values an\n"
     "      inspectorate uses.  Every row names its source.  The table stored\n"
     "      last takes precedence; a facility's own figures come first.\n"
     "list  every stored row.\n"},
    {"nrta", cmd_nrta, "sequential tests of one MBA (MUF, CUMUF, SITMUF, Page, GEMUF)",
     "usage: custos nrta DB --mba M [--element E] [--label L]\n"
     "                   [--test muf|cumuf|sitmuf|page|gemuf|all] [--alpha A]\n"
     "                   [--k K] [--h H] [--format table|csv|json] [--covariance]\n"
     "       custos nrta --sequence FILE [options as above]\n"
     "\n"
     "Near-real-time accountancy over the balance periods of MBA M (element\n"
     "category E, default the only one; quantity label L, default the element\n"
     "weight) or of a MUF sequence file: per period MUF and sigma-MUF, CUMUF,\n"
     "SITMUF (incremental Cholesky of the full MUF covariance), Page's CUSUM on\n"
     "SITMUF and GEMUF.  alpha (default 0.05) is the false-alarm probability of\n"
     "each test at each period; Page's h, unless given, is chosen so the\n"
     "campaign false-alarm probability is alpha (k default 0.5).  JSON with\n"
     "--covariance adds the covariance matrix.  An alarm is a finding (exit 1).\n"},
    {"arl", cmd_arl, "average run length of Page's test (Markov chain and Monte Carlo)",
     "usage: custos arl --h H [--k K] [--shift S1,S2,...] [--runs N] [--seed S]\n"
     "                  [--states M] [--threads T] [--format table|csv|json]\n"
     "\n"
     "Average run length of the one-sided CUSUM S = max(0, S + y - k) > h on\n"
     "y ~ N(shift, 1), from the Brook-Evans Markov chain (M states, default 400)\n"
     "and by Monte Carlo (N runs, default 20000, reproducible for a seed), with\n"
     "the standard error of the Monte Carlo estimate.\n"},
    {"pd", cmd_pd, "detection probability of a diversion scenario for each test",
     "usage: custos pd DB --mba M [--element E] [--label L]\n"
     "                 (--scenario FILE | --abrupt G [--period T] | --protracted G)\n"
     "                 [--replicates N] [--seed S] [--threads T] [--alpha A]\n"
     "                 [--k K] [--h H] [--format table|csv|json]\n"
     "       custos pd --sequence FILE (scenario and options as above)\n"
     "\n"
     "Probability that each test (MUF, CUMUF, SITMUF, Page, GEMUF) alarms at some\n"
     "period under the diversion, and with none (false alarm): exact for SITMUF,\n"
     "for CUMUF and GEMUF at the last period; otherwise Monte Carlo over the\n"
     "measurement model (N replicates, default 100000, on T threads, default 2;\n"
     "the same result for a seed whatever T), with standard errors.  --abrupt: G\n"
     "grams in period T (default the last); --protracted: G grams spread evenly;\n"
     "--scenario: a CSV profile (period,grams; docs/formats.md).\n"},
    {"agreement", cmd_agreement, "store, check, list and show agreements",
     "usage: custos agreement add DB FILE...\n"
     "       custos agreement check FILE...\n"
     "       custos agreement list DB [--all]\n"
     "       custos agreement show DB NAME [--version N]\n"
     "\n"
     "add    check agreements (JSON, docs/formats.md) and store each as the next\n"
     "       version of its document, hash-chained; nothing is stored when a file\n"
     "       is bad.  A file identical to the stored version is left unchanged.\n"
     "check  check agreements without storing them.\n"
     "list   the stored agreements (--all: every version).\n"
     "show   the stored text of an agreement (default: the latest version).\n"},
    {"agreements", cmd_agreements, "status of every commitment: met, at risk, breached",
     "usage: custos agreements DB [--as-of YYYY-MM-DD] [--agreement NAME]\n"
     "                            [--format table|csv|json] [--entries N]\n"
     "\n"
     "Evaluate every commitment of the stored agreements from the books (entries\n"
     "with corrections applied, and balances): met, at risk or breached, the\n"
     "deciding value against its bound, the margin, progress to date and its\n"
     "linear projection, and the entries (MBA, report/entry) that decide it.\n"
     "--as-of defaults to the latest period end in the ledger; a suspended\n"
     "agreement is evaluated up to its suspension.  --entries sets how many\n"
     "deciding entries the table shows (default 5).\n"
     "Exit status 1 when a commitment is breached.\n"},
    {"blend", cmd_blend, "down-blending: blendstock and product for a mass of HEU",
     "usage: custos blend --heu GRAMS --heu-assay X --blendstock-assay Y\n"
     "                    --product-assay Z [--format table|json]\n"
     "\n"
     "U-235 balance of blending: m_H x_H + m_B x_B = m_P x_P, m_H + m_B = m_P.\n"
     "Prints the blendstock and product masses (grams) and their U-235.  Assays\n"
     "are fractions (0.044 for 4.4 %) with Y < Z < X.  Exit status 1 for assays\n"
     "out of order or outside (0, 1), 2 for usage.\n"},
    {"swu", cmd_swu, "enrichment: feed, tails and separative work",
     "usage: custos swu --feed-assay F --product-assay P --tails-assay T\n"
     "                  --product GRAMS [--format table|json]\n"
     "\n"
     "F/P = (P - T)/(F - T), tails = feed - product, and separative work\n"
     "SW = P V(x_p) + T V(x_t) - F V(x_f) with V(x) = (2x - 1) ln(x/(1 - x)),\n"
     "printed in kg-SWU.  Assays are fractions with T < F < P.  Exit status 1\n"
     "for assays out of order or outside (0, 1), 2 for usage.\n"},
    {"plan", cmd_plan, "attribute sampling plans for gross, partial and bias defects",
     "usage: custos plan --items N (--defects R | --item-mass G --goal G)\n"
     "                   [--pd P] [--partial F] [--bias F] [--format table|csv|json]\n"
     "\n"
     "Items to verify among N so that at least one of the falsified items is\n"
     "found with probability P (default 0.9): n = N (1 - (1-P)^(1/R)) rounded up\n"
     "(binomial approximation) and the exact hypergeometric plan.  R falsified\n"
     "items hide the goal quantity G grams: R = G / (F x item mass), F = 1 for a\n"
     "gross defect and the smallest falsified fraction the verification method\n"
     "detects for a partial (--partial) or bias (--bias) defect.\n"},
    {"dstat", cmd_dstat, "D statistic of operator-inspector differences; MUF-D test",
     "usage: custos dstat --strata FILE --pairs FILE [--alpha A] [--format ...]\n"
     "                    [DB --mba M --pit YYYY-MM-DD [--element E] [--label L]]\n"
     "\n"
     "The inspector's verification measurements (docs/formats.md): strata with\n"
     "their populations and the operator's and inspector's uncertainties, and\n"
     "the verified items (operator's and inspector's values).  Prints D per\n"
     "stratum and in all with its standard deviation, the paired test of the\n"
     "differences per stratum, and the test of D at level A (default 0.05).\n"
     "With a ledger, also MUF - D for the balance period ending at the PIT.  An\n"
     "alarm is a finding (exit 1).\n"},
    {"simulate", cmd_simulate, "write a simulated State's facilities and reports",
     "usage: custos simulate --config FILE --seed S --out DIR [--years N]\n"
     "                       [--errors on|off]\n"
     "\n"
     "Simulate the State of configuration FILE (JSON, docs/formats.md) for its\n"
     "years (or N) and write into DIR (which must not exist or be empty):\n"
     "facilities/*.json (custos facility add), reports/MBA.c10 (ICR, PIL and MBR\n"
     "of each MBA in Code 10 labelled form, for custos import) and truth.json\n"
     "(true flows, true MUF, diversions).  The same FILE and S give the same\n"
     "bytes on every machine.  --errors overrides measurement_errors.\n"},
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

/* The command's status, made a failure when standard output could not be
 * written (a full disk, a closed pipe): output lost without a word would
 * pass for success. */
static int finish(int status)
{
    int e = fflush(stdout) ? errno : 0;
    if (ferror(stdout) || e) {
        cli_errorf("standard output: %s", e ? strerror(e) : "write error");
        return EXIT_FAIL;
    }
    return status;
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
    return finish(run(argc, argv));
}

static int run(int argc, char **argv)
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
