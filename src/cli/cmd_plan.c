/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_plan.c: custos plan --items N --item-mass G --goal G [--pd P]
 * [--partial F] [--bias F]: attribute sampling plans for gross, partial and
 * bias defects, by the binomial approximation and exactly
 * (hypergeometric).
 */
#include <getopt.h>
#include <math.h>
#include <string.h>

#include "cli_stats.h"
#include "custos/sampling.h"

int cmd_plan(int argc, char **argv)
{
    const cli_command *self = cli_find("plan");
    static const struct option opts[] = {
        {"items", required_argument, NULL, 'n'},   {"item-mass", required_argument, NULL, 'x'},
        {"goal", required_argument, NULL, 'g'},    {"pd", required_argument, NULL, 'p'},
        {"partial", required_argument, NULL, 'P'}, {"bias", required_argument, NULL, 'B'},
        {"defects", required_argument, NULL, 'r'}, {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    long long items = 0, defects = 0;
    double mass = NAN, goal = NAN, pd = 0.9, partial = NAN, bias = NAN;
    cli_format fmt = CLI_TABLE;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!cli_parse_int(optarg, 1, 1000000000LL, &items))
                return cli_usage(self, "--items needs a number from 1 to 10^9");
            break;
        case 'x':
            if (!cli_parse_double(optarg, 1e-9, 1e15, &mass))
                return cli_usage(self, "--item-mass needs grams > 0");
            break;
        case 'g':
            if (!cli_parse_double(optarg, 1e-9, 1e15, &goal))
                return cli_usage(self, "--goal needs grams > 0");
            break;
        case 'p':
            if (!cli_parse_double(optarg, 1e-9, 0.999999999, &pd))
                return cli_usage(self, "--pd needs a probability in (0, 1)");
            break;
        case 'P':
            if (!cli_parse_double(optarg, 1e-9, 1.0, &partial))
                return cli_usage(self, "--partial needs a fraction in (0, 1]");
            break;
        case 'B':
            if (!cli_parse_double(optarg, 1e-9, 1.0, &bias))
                return cli_usage(self, "--bias needs a fraction in (0, 1]");
            break;
        case 'r':
            if (!cli_parse_int(optarg, 1, 1000000000LL, &defects))
                return cli_usage(self, "--defects needs a number >= 1");
            break;
        case 'f':
            if (cli_parse_format(&fmt, optarg) < 0)
                return cli_usage(self, "--format is table, csv or json");
            break;
        default:
            return cli_usage(self, "unknown option");
        }
    }
    if (optind != argc || !items)
        return cli_usage(self, "needs --items and either --defects or --item-mass and --goal");
    if (!defects && (isnan(mass) || isnan(goal)))
        return cli_usage(self, "needs --defects, or --item-mass and --goal");
    struct {
        const char *kind;
        double f;
    } rows[3] = {{"gross", 1.0}, {"partial", partial}, {"bias", bias}};
    double beta = 1.0 - pd;
    if (fmt == CLI_TABLE)
        printf("Attribute sampling: %lld items, detection probability %g (beta %g)\n"
               "%-8s %9s %9s %12s %12s\n",
               items, pd, beta, "DEFECT", "FRACTION", "DEFECTS", "N_BINOMIAL", "N_EXACT");
    else if (fmt == CLI_CSV)
        printf("defect,fraction,defects,n_binomial,n_exact,items,pd\n");
    else
        printf("{\"items\": %lld, \"pd\": %.17g, \"plans\": [", items, pd);
    int shown = 0;
    for (int i = 0; i < 3; i++) {
        if (isnan(rows[i].f) || (defects && i > 0))
            continue;
        long r = (long)defects, nb, ne;
        if (!defects && custos_defects_for_goal(&r, goal, mass, rows[i].f) < 0) {
            cli_error(NULL);
            return EXIT_FAIL;
        }
        if (r > items) {
            if (fmt == CLI_TABLE)
                printf("%-8s %9.4g %9ld %12s %12s  (%lld items cannot hide the goal quantity)\n",
                       rows[i].kind, rows[i].f, r, "-", "-", items);
            continue;
        }
        if (custos_attribute_sample_size(&nb, (long)items, r, beta, false) < 0 ||
            custos_attribute_sample_size(&ne, (long)items, r, beta, true) < 0) {
            cli_error(NULL);
            return EXIT_FAIL;
        }
        const char *kind = defects ? "given" : rows[i].kind;
        if (fmt == CLI_TABLE)
            printf("%-8s %9.4g %9ld %12ld %12ld\n", kind, rows[i].f, r, nb, ne);
        else if (fmt == CLI_CSV)
            printf("%s,%g,%ld,%ld,%ld,%lld,%g\n", kind, rows[i].f, r, nb, ne, items, pd);
        else
            printf("%s\n  {\"defect\": \"%s\", \"fraction\": %.17g, \"defects\": %ld, "
                   "\"n_binomial\": %ld, \"n_exact\": %ld}",
                   shown ? "," : "", kind, rows[i].f, r, nb, ne);
        shown++;
    }
    if (fmt == CLI_JSON)
        printf("\n]}\n");
    return EXIT_OK;
}
