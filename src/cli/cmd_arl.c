/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_arl.c: custos arl --k K --h H --shift S1,S2,... [--runs N] [--seed S]
 * [--states M] [--threads T] [--format table|csv|json]: average run length
 * of Page's one-sided CUSUM by the Brook-Evans Markov chain and by Monte
 * Carlo, side by side with the Monte Carlo standard error.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_stats.h"

int cmd_arl(int argc, char **argv)
{
    const cli_command *self = cli_find("arl");
    static const struct option opts[] = {
        {"k", required_argument, NULL, 'k'},      {"h", required_argument, NULL, 'h'},
        {"shift", required_argument, NULL, 's'},  {"runs", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 'S'},   {"states", required_argument, NULL, 'm'},
        {"threads", required_argument, NULL, 't'}, {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    double k = 0.5, h = NAN;
    double shifts[64];
    int nshift = 0;
    long long runs = 20000, seed = 1, states = 400, threads = 2;
    cli_format fmt = CLI_TABLE;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            if (!cli_parse_double(optarg, 0.0, 100.0, &k))
                return cli_usage(self, "--k needs a number in [0, 100]");
            break;
        case 'h':
            if (!cli_parse_double(optarg, 1e-6, 1000.0, &h))
                return cli_usage(self, "--h needs a number in (0, 1000]");
            break;
        case 's': {
            char buf[1024];
            snprintf(buf, sizeof buf, "%s", optarg);
            nshift = 0;
            char *p = buf;
            for (;;) {
                char *comma = strchr(p, ',');
                if (comma)
                    *comma = '\0';
                if (nshift == 64 || !cli_parse_double(p, -100.0, 100.0, &shifts[nshift]))
                    return cli_usage(self, "--shift needs up to 64 numbers separated by commas");
                nshift++;
                if (!comma)
                    break;
                p = comma + 1;
            }
            break;
        }
        case 'r':
            if (!cli_parse_int(optarg, 2, 1000000000LL, &runs))
                return cli_usage(self, "--runs needs a number from 2 to 10^9");
            break;
        case 'S':
            if (!cli_parse_int(optarg, 0, INT64_MAX, &seed))
                return cli_usage(self, "--seed needs a number >= 0");
            break;
        case 'm':
            if (!cli_parse_int(optarg, 2, 5000, &states))
                return cli_usage(self, "--states needs a number from 2 to 5000");
            break;
        case 't':
            if (!cli_parse_int(optarg, 1, 64, &threads))
                return cli_usage(self, "--threads needs a number from 1 to 64");
            break;
        case 'f':
            if (cli_parse_format(&fmt, optarg) < 0)
                return cli_usage(self, "--format is table, csv or json");
            break;
        default:
            return cli_usage(self, "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage(self, "takes no positional arguments");
    if (isnan(h))
        return cli_usage(self, "needs --h");
    if (nshift == 0) {
        shifts[0] = 0.0;
        nshift = 1;
    }
    if (fmt == CLI_TABLE)
        printf("Page's one-sided CUSUM, k = %g, h = %g; Monte Carlo: %lld runs, seed %lld\n"
               "%8s %14s %14s %12s %10s\n",
               k, h, runs, seed, "SHIFT", "ARL_MARKOV", "ARL_MC", "MC_SE", "DIFF/SE");
    else if (fmt == CLI_CSV)
        printf("k,h,shift,arl_markov,arl_mc,mc_se,runs,seed\n");
    else
        printf("{\"k\": %.17g, \"h\": %.17g, \"runs\": %lld, \"seed\": %lld, \"states\": %lld, "
               "\"results\": [",
               k, h, runs, seed, states);
    int status = EXIT_OK;
    for (int i = 0; i < nshift; i++) {
        double am, amc, se;
        if (custos_arl_markov(&am, k, h, shifts[i], (int)states) < 0 ||
            custos_arl_mc(&amc, &se, k, h, shifts[i], (long)runs, (uint64_t)seed, (int)threads) < 0) {
            cli_error(NULL);
            status = EXIT_FAIL;
            break;
        }
        if (fmt == CLI_TABLE)
            printf("%8.3f %14.4f %14.4f %12.4f %10.2f\n", shifts[i], am, amc, se,
                   se > 0 ? (amc - am) / se : 0.0);
        else if (fmt == CLI_CSV)
            printf("%g,%g,%g,%.6f,%.6f,%.6f,%lld,%lld\n", k, h, shifts[i], am, amc, se, runs, seed);
        else
            printf("%s\n  {\"shift\": %.17g, \"arl_markov\": %.17g, \"arl_mc\": %.17g, "
                   "\"mc_se\": %.17g}",
                   i ? "," : "", shifts[i], am, amc, se);
        fflush(stdout);
    }
    if (fmt == CLI_JSON)
        printf("\n]}\n");
    return status;
}
