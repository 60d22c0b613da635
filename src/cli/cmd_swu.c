/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_swu.c: custos swu --feed-assay F --product-assay P --tails-assay T
 *                       --product GRAMS [--format table|json]
 *
 * Feed, tails and separative work of one enrichment step
 * (custos/enrich.h).  Assays are fractions (0.00711 for natural uranium).
 * Separative work is printed in kg-SWU (and g-SWU), the unit of the
 * trade.  Exit status 2 for a usage error, 1 for a domain error.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "custos/enrich.h"

/* A whole-string finite number. */
static bool number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

int cmd_swu(int argc, char **argv)
{
    const cli_command *self = cli_find("swu");
    static const struct option opts[] = {
        {"feed-assay", required_argument, NULL, 'f'},
        {"product-assay", required_argument, NULL, 'p'},
        {"tails-assay", required_argument, NULL, 't'},
        {"product", required_argument, NULL, 'P'},
        {"format", required_argument, NULL, 'F'},
        {NULL, 0, NULL, 0},
    };
    double v[4];
    bool have[4] = {false, false, false, false};
    static const char *const names[4] = {"--feed-assay", "--product-assay", "--tails-assay",
                                         "--product"};
    cli_format fmt = CLI_TABLE;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int k = c == 'f' ? 0 : c == 'p' ? 1 : c == 't' ? 2 : c == 'P' ? 3 : -1;
        if (k >= 0) {
            if (!number(optarg, &v[k])) {
                cli_errorf("swu: %s '%s' is not a number", names[k], optarg);
                return cli_usage(self, NULL);
            }
            have[k] = true;
        } else if (c == 'F') {
            if (cli_parse_format(&fmt, optarg) < 0 || fmt == CLI_CSV)
                return cli_usage(self, "--format is table or json");
        } else {
            return cli_usage(self, "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage(self, "takes no arguments besides its options");
    for (int k = 0; k < 4; k++)
        if (!have[k]) {
            cli_errorf("swu: %s is required", names[k]);
            return cli_usage(self, NULL);
        }
    custos_cascade s;
    if (custos_enrich_cascade(&s, v[3], v[0], v[1], v[2]) < 0) {
        cli_errorf("swu: %s", custos_last_error());
        return EXIT_FAIL;
    }
    if (fmt == CLI_JSON) {
        printf("{\"feed_g\": %.3f, \"feed_assay\": %.6g, \"product_g\": %.3f, "
               "\"product_assay\": %.6g, \"tails_g\": %.3f, \"tails_assay\": %.6g, "
               "\"swu_kg\": %.6f, \"feed_per_product\": %.6f, \"swu_per_kg_product\": %.6f}\n",
               s.feed, v[0], s.product, v[1], s.tails, v[2], s.swu / 1000.0, s.feed_per_product,
               s.swu_per_product);
        return EXIT_OK;
    }
    printf("%-8s %18s %12s\n", "STREAM", "URANIUM (g)", "ASSAY (%)");
    printf("%-8s %18.3f %12.4f\n", "feed", s.feed, 100.0 * v[0]);
    printf("%-8s %18.3f %12.4f\n", "product", s.product, 100.0 * v[1]);
    printf("%-8s %18.3f %12.4f\n", "tails", s.tails, 100.0 * v[2]);
    printf("separative work: %.4f kg-SWU (%.3f g-SWU); %.4f kg-SWU and %.4f kg feed per kg "
           "product\n",
           s.swu / 1000.0, s.swu, s.swu_per_product, s.feed_per_product);
    return EXIT_OK;
}
