/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_pd.c: custos pd DB --mba M (or --sequence FILE) with a diversion
 * scenario (--scenario FILE, --abrupt G [--period T], --protracted G):
 * the detection probability of each test over the campaign, with its
 * standard error, the false-alarm probability beside it, and the exact
 * values where they exist.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_stats.h"

/* Progress of the Monte Carlo: percent of blocks, on a terminal only,
 * after the first second (cli_progress decides both). */
static void pd_progress(void *ctx, uint64_t done, uint64_t total)
{
    cli_progress *p = ctx;
    if (!p->tty || !total)
        return;
    double t = cli_now();
    if (t - p->start < 1.0 || (t - p->last < 0.1 && done < total))
        return;
    p->last = t;
    p->drawn = true;
    fprintf(stderr, "\r%s %5.1f%%", p->label, 100.0 * (double)done / (double)total);
    fflush(stderr);
}

static void json_num(double v)
{
    cli_json_number(stdout, v);
}

int cmd_pd(int argc, char **argv)
{
    const cli_command *self = cli_find("pd");
    static const struct option opts[] = {
        {"mba", required_argument, NULL, 'm'},        {"element", required_argument, NULL, 'e'},
        {"label", required_argument, NULL, 'l'},      {"scenario", required_argument, NULL, 'S'},
        {"abrupt", required_argument, NULL, 'A'},     {"protracted", required_argument, NULL, 'P'},
        {"period", required_argument, NULL, 'T'},     {"replicates", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'},       {"threads", required_argument, NULL, 't'},
        {"alpha", required_argument, NULL, 'a'},      {"k", required_argument, NULL, 'k'},
        {"h", required_argument, NULL, 'h'},          {"format", required_argument, NULL, 'f'},
        {"sequence", required_argument, NULL, 'q'},   {NULL, 0, NULL, 0},
    };
    const char *mba = NULL, *seqfile = NULL, *scenario = NULL;
    char element = 0;
    long long label = 0, period = 0, replicates = 100000, seed = 1, threads = 2;
    double abrupt = NAN, protracted = NAN;
    custos_pd_options o = {{0.05, 0.5, 0.0}, 0, 1, 2, NULL, NULL};
    cli_format fmt = CLI_TABLE;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'm': mba = optarg; break;
        case 'q': seqfile = optarg; break;
        case 'S': scenario = optarg; break;
        case 'e':
            if (strlen(optarg) != 1 || !strchr("NDEPT", optarg[0]))
                return cli_usage(self, "--element is N, D, E, P or T");
            element = optarg[0];
            break;
        case 'l':
            if (!cli_parse_int(optarg, 600, 800, &label))
                return cli_usage(self, "--label needs an isotope weight label (e.g. 670)");
            break;
        case 'A':
            if (!cli_parse_double(optarg, 0.0, 1e15, &abrupt))
                return cli_usage(self, "--abrupt needs grams >= 0");
            break;
        case 'P':
            if (!cli_parse_double(optarg, 0.0, 1e15, &protracted))
                return cli_usage(self, "--protracted needs grams >= 0");
            break;
        case 'T':
            if (!cli_parse_int(optarg, 1, 1000000, &period))
                return cli_usage(self, "--period needs a period number >= 1");
            break;
        case 'r':
            if (!cli_parse_int(optarg, 100, 10000000000LL, &replicates))
                return cli_usage(self, "--replicates needs a number from 100 to 10^10");
            break;
        case 's':
            if (!cli_parse_int(optarg, 0, INT64_MAX, &seed))
                return cli_usage(self, "--seed needs a number >= 0");
            break;
        case 't':
            if (!cli_parse_int(optarg, 1, 64, &threads))
                return cli_usage(self, "--threads needs a number from 1 to 64");
            break;
        case 'a':
            if (!cli_parse_double(optarg, 1e-12, 0.4999, &o.nrta.alpha))
                return cli_usage(self, "--alpha needs a probability in (0, 0.5)");
            break;
        case 'k':
            if (!cli_parse_double(optarg, 0.0, 100.0, &o.nrta.k))
                return cli_usage(self, "--k needs a number in [0, 100]");
            break;
        case 'h':
            if (!cli_parse_double(optarg, 1e-6, 1000.0, &o.nrta.h))
                return cli_usage(self, "--h needs a number in (0, 1000]");
            break;
        case 'f':
            if (cli_parse_format(&fmt, optarg) < 0)
                return cli_usage(self, "--format is table, csv or json");
            break;
        default:
            return cli_usage(self, "unknown option");
        }
    }
    int given = (scenario != NULL) + !isnan(abrupt) + !isnan(protracted);
    if (given != 1)
        return cli_usage(self, "needs exactly one of --scenario, --abrupt, --protracted");
    if (period && isnan(abrupt))
        return cli_usage(self, "--period goes with --abrupt");
    const char *db = NULL;
    if (seqfile) {
        if (optind != argc || mba)
            return cli_usage(self, "--sequence takes no DB and no --mba");
    } else {
        if (optind != argc - 1 || !mba)
            return cli_usage(self, "needs DB and --mba (or --sequence FILE)");
        db = argv[optind];
    }
    custos_sequence *s = cli_load_sequence(db, mba, element, (int)label, seqfile);
    if (!s)
        return EXIT_FAIL;
    double *div = NULL;
    int status = EXIT_OK;
    const char *what = "scenario";
    if (scenario) {
        size_t len = 0;
        char *text = cli_slurp(scenario, (size_t)CUSTOS_MAX_JSON_FILE, &len);
        custos_diags *d = NULL;
        if (!text) {
            cli_errorf("%s: %s", scenario, strerror(errno));
        } else if (custos_diags_new(&d) < 0 ||
                   custos_scenario_parse(&div, s, scenario, text, len, d) < 0) {
            if (!d || cli_print_diags(d, stderr) == 0)
                cli_error(NULL);
            div = NULL;
        }
        custos_diags_free(d);
        free(text);
        if (!div) {
            custos_sequence_free(s);
            return EXIT_FAIL;
        }
    } else {
        div = custos_calloc(s->n, sizeof *div);
        if (!div) {
            cli_error(NULL);
            custos_sequence_free(s);
            return EXIT_FAIL;
        }
        if (!isnan(abrupt)) {
            size_t t = period ? (size_t)period : s->n;
            if (t > s->n) {
                cli_errorf("--period %zu: the sequence has %zu periods", t, s->n);
                custos_free(div);
                custos_sequence_free(s);
                return EXIT_USAGE;
            }
            div[t - 1] = abrupt;
            what = "abrupt";
        } else {
            for (size_t t = 0; t < s->n; t++)
                div[t] = protracted / (double)s->n;
            what = "protracted";
        }
    }
    o.replicates = (long)replicates;
    o.seed = (uint64_t)seed;
    o.threads = (int)threads;
    custos_pd_result r;
    cli_progress prog;
    cli_progress_init(&prog, "Monte Carlo");
    o.progress = pd_progress;
    o.progress_ctx = &prog;
    int perr = custos_pd(&r, s, div, &o);
    cli_progress_done(&prog);
    if (perr < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
        goto done;
    }
    if (fmt == CLI_TABLE) {
        printf("MBA %s/%s, %zu balance periods; %s diversion of %.3f g in all; alpha %g per "
               "test and period, Page k %g h %.4f\n"
               "Monte Carlo: %ld replicates, seed %llu; SE: standard error\n",
               s->state, s->mba, s->n, what, r.total, r.alpha, r.k, r.h, r.replicates,
               (unsigned long long)r.seed);
        printf("%-8s %9s %9s %9s %9s %-10s %11s %11s\n", "TEST", "PD", "PD_SE", "FA", "FA_SE",
               "METHOD", "PD_LAST", "FA_LAST");
        for (int t = 0; t < CUSTOS_PD_NTESTS; t++) {
            const custos_pd_test *te = &r.tests[t];
            printf("%-8s %9.5f %9.5f %9.5f %9.5f %-10s", te->name, te->pd, te->pd_se, te->fa,
                   te->fa_se, te->analytic ? "exact" : "MC");
            if (isnan(te->pd_last))
                printf(" %11s %11s\n", "-", "-");
            else
                printf(" %11.5f %11.5f\n", te->pd_last, te->fa_last);
        }
        printf("PD, FA: an alarm at any period of the campaign; *_LAST: the test at the last "
               "period only (exact).\n");
    } else if (fmt == CLI_CSV) {
        printf("test,pd,pd_se,fa,fa_se,method,pd_last,fa_last,replicates,seed\n");
        for (int t = 0; t < CUSTOS_PD_NTESTS; t++) {
            const custos_pd_test *te = &r.tests[t];
            printf("%s,%.8f,%.8f,%.8f,%.8f,%s,", te->name, te->pd, te->pd_se, te->fa, te->fa_se,
                   te->analytic ? "exact" : "mc");
            if (isnan(te->pd_last))
                printf(",,");
            else
                printf("%.8f,%.8f,", te->pd_last, te->fa_last);
            printf("%ld,%llu\n", r.replicates, (unsigned long long)r.seed);
        }
    } else {
        printf("{\"mba\": \"%s/%s\", \"periods\": %zu, \"scenario\": \"%s\", \"total\": ", s->state,
               s->mba, s->n, what);
        json_num(r.total);
        printf(", \"alpha\": ");
        json_num(r.alpha);
        printf(", \"k\": ");
        json_num(r.k);
        printf(", \"h\": ");
        json_num(r.h);
        printf(", \"replicates\": %ld, \"seed\": %llu, \"tests\": [", r.replicates,
               (unsigned long long)r.seed);
        for (int t = 0; t < CUSTOS_PD_NTESTS; t++) {
            const custos_pd_test *te = &r.tests[t];
            printf("%s\n  {\"test\": \"%s\", \"method\": \"%s\", \"pd\": ", t ? "," : "", te->name,
                   te->analytic ? "exact" : "mc");
            json_num(te->pd);
            printf(", \"pd_se\": ");
            json_num(te->pd_se);
            printf(", \"fa\": ");
            json_num(te->fa);
            printf(", \"fa_se\": ");
            json_num(te->fa_se);
            printf(", \"pd_last\": ");
            json_num(te->pd_last);
            printf(", \"fa_last\": ");
            json_num(te->fa_last);
            printf("}");
        }
        printf("\n]}\n");
    }
done:
    custos_free(div);
    custos_sequence_free(s);
    return status;
}
