/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_blend.c: custos blend --heu GRAMS --heu-assay X --blendstock-assay Y
 *                            --product-assay Z [--format table|json]
 *
 * The U-235 mass balance of down-blending (custos/enrich.h): how much
 * blendstock a mass of HEU needs to reach the product assay, and how much
 * product it makes.  Assays are fractions (0.044 for 4.4 %).  Exit
 * status 2 for a usage error (a missing or unreadable number), 1 for a
 * domain error (assays out of order or outside (0, 1)).
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

int cmd_blend(int argc, char **argv)
{
    const cli_command *self = cli_find("blend");
    static const struct option opts[] = {
        {"heu", required_argument, NULL, 'H'},
        {"heu-assay", required_argument, NULL, 'h'},
        {"blendstock-assay", required_argument, NULL, 'b'},
        {"product-assay", required_argument, NULL, 'p'},
        {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    double v[4];
    bool have[4] = {false, false, false, false};
    static const char *const names[4] = {"--heu", "--heu-assay", "--blendstock-assay",
                                         "--product-assay"};
    cli_format fmt = CLI_TABLE;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int k = c == 'H' ? 0 : c == 'h' ? 1 : c == 'b' ? 2 : c == 'p' ? 3 : -1;
        if (k >= 0) {
            if (!number(optarg, &v[k])) {
                cli_errorf("blend: %s '%s' is not a number", names[k], optarg);
                return cli_usage(self, NULL);
            }
            have[k] = true;
        } else if (c == 'f') {
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
            cli_errorf("blend: %s is required", names[k]);
            return cli_usage(self, NULL);
        }
    custos_blend b;
    if (custos_enrich_blend(&b, v[0], v[1], v[2], v[3]) < 0) {
        cli_errorf("blend: %s", custos_last_error());
        return EXIT_FAIL;
    }
    if (fmt == CLI_JSON) {
        printf("{\"heu_g\": %.3f, \"heu_assay\": %.6g, \"blendstock_g\": %.3f, "
               "\"blendstock_assay\": %.6g, \"product_g\": %.3f, \"product_assay\": %.6g, "
               "\"heu_u235_g\": %.3f, \"blendstock_u235_g\": %.3f, \"product_u235_g\": %.3f, "
               "\"blendstock_per_heu\": %.6f}\n",
               b.heu, v[1], b.blendstock, v[2], b.product, v[3], b.heu_u235, b.blendstock_u235,
               b.product_u235, b.ratio);
        return EXIT_OK;
    }
    printf("%-11s %18s %12s %16s\n", "LEG", "URANIUM (g)", "ASSAY (%)", "U-235 (g)");
    printf("%-11s %18.3f %12.4f %16.3f\n", "HEU", b.heu, 100.0 * v[1], b.heu_u235);
    printf("%-11s %18.3f %12.4f %16.3f\n", "blendstock", b.blendstock, 100.0 * v[2],
           b.blendstock_u235);
    printf("%-11s %18.3f %12.4f %16.3f\n", "product", b.product, 100.0 * v[3], b.product_u235);
    printf("blendstock per unit of HEU: %.6f = (%.6g - %.6g) / (%.6g - %.6g)\n", b.ratio, v[1],
           v[3], v[3], v[2]);
    return EXIT_OK;
}
