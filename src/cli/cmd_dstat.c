/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_dstat.c: custos dstat --strata FILE --pairs FILE [--alpha A]
 * [DB --mba M --pit DATE [--element E] [--label L]]: the D statistic of
 * the operator-inspector differences, its test, the paired test per
 * stratum and, with a ledger, the MUF - D test of the balance period that
 * ends at the PIT.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_stats.h"
#include "custos/sampling.h"

/* MUF and sigma-MUF of the balance of mba ending at pit. */
static int balance_muf(const char *db, const char *mba, custos_date pit, char element, int label,
                       double *muf, double *sigma)
{
    custos_ledger *l;
    if (custos_ledger_open(&l, db, CUSTOS_OPEN_READONLY) < 0) {
        cli_error(NULL);
        return -1;
    }
    custos_balances *b = NULL;
    int rc = -1;
    if (custos_ledger_balances(&b, l, mba, NULL) < 0 || custos_ledger_sigma(l, b, NULL) < 0) {
        cli_error(NULL);
        goto done;
    }
    for (size_t i = 0; i < b->n; i++) {
        const custos_balance *x = &b->items[i];
        if (x->end != pit || x->label != label || (element && x->element != element))
            continue;
        if (!x->has_sigma) {
            cli_errorf("MBA %s balance ending %s has no sigma-MUF (no measurement model)", mba,
                       cli_date(pit));
            goto done;
        }
        *muf = (double)x->muf / 1000.0;
        *sigma = x->sigma_muf;
        rc = 0;
        goto done;
    }
    cli_errorf("MBA %s has no balance period ending %s for that quantity", mba, cli_date(pit));
done:
    custos_balances_free(b);
    custos_ledger_free(l);
    return rc;
}

int cmd_dstat(int argc, char **argv)
{
    const cli_command *self = cli_find("dstat");
    static const struct option opts[] = {
        {"strata", required_argument, NULL, 's'}, {"pairs", required_argument, NULL, 'p'},
        {"alpha", required_argument, NULL, 'a'},  {"mba", required_argument, NULL, 'm'},
        {"pit", required_argument, NULL, 'd'},    {"element", required_argument, NULL, 'e'},
        {"label", required_argument, NULL, 'l'},  {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    const char *sf = NULL, *pf = NULL, *mba = NULL;
    custos_date pit = 0;
    char element = 0;
    long long label = 0;
    double alpha = 0.05;
    cli_format fmt = CLI_TABLE;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': sf = optarg; break;
        case 'p': pf = optarg; break;
        case 'm': mba = optarg; break;
        case 'd':
            if (!(pit = cli_parse_date(optarg)))
                return cli_usage(self, "--pit needs a date YYYY-MM-DD");
            break;
        case 'e':
            if (strlen(optarg) != 1 || !strchr("NDEPT", optarg[0]))
                return cli_usage(self, "--element is N, D, E, P or T");
            element = optarg[0];
            break;
        case 'l':
            if (!cli_parse_int(optarg, 600, 800, &label))
                return cli_usage(self, "--label needs an isotope weight label");
            break;
        case 'a':
            if (!cli_parse_double(optarg, 1e-12, 0.4999, &alpha))
                return cli_usage(self, "--alpha needs a probability in (0, 0.5)");
            break;
        case 'f':
            if (cli_parse_format(&fmt, optarg) < 0)
                return cli_usage(self, "--format is table, csv or json");
            break;
        default:
            return cli_usage(self, "unknown option");
        }
    }
    if (!sf || !pf)
        return cli_usage(self, "needs --strata and --pairs");
    const char *db = NULL;
    if (optind == argc - 1) {
        db = argv[optind];
        if (!mba || !pit)
            return cli_usage(self, "with a DB, needs --mba and --pit");
    } else if (optind != argc || mba || pit) {
        return cli_usage(self, "--mba and --pit need a DB");
    }
    size_t sl = 0, pl = 0;
    char *st = cli_slurp(sf, (size_t)CUSTOS_MAX_JSON_FILE, &sl);
    if (!st) {
        cli_errorf("%s: %s", sf, strerror(errno));
        return EXIT_FAIL;
    }
    char *pt = cli_slurp(pf, (size_t)CUSTOS_MAX_JSON_FILE, &pl);
    if (!pt) {
        cli_errorf("%s: %s", pf, strerror(errno));
        free(st);
        return EXIT_FAIL;
    }
    int status = EXIT_OK;
    custos_diags *d = NULL;
    custos_inspection *in = NULL;
    custos_dstat_result *r = NULL;
    double muf = 0, sig = 0;
    if (custos_diags_new(&d) < 0 || custos_inspection_parse(&in, sf, st, sl, pf, pt, pl, d) < 0) {
        if (!d || cli_print_diags(d, stderr) == 0)
            cli_error(NULL);
        status = EXIT_FAIL;
        goto done;
    }
    if (db && balance_muf(db, mba, pit, element, (int)label, &muf, &sig) < 0) {
        status = EXIT_FAIL;
        goto done;
    }
    if (custos_dstat(&r, in, alpha, db != NULL, muf, sig) < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
        goto done;
    }
    if (fmt == CLI_JSON) {
        printf("{\"alpha\": %.17g, \"z\": %.17g, \"strata\": [", alpha, r->z);
        for (size_t k = 0; k < r->n; k++) {
            const custos_dstat_stratum *o = &r->strata[k];
            printf("%s\n  {\"stratum\": ", k ? "," : "");
            cli_json_string(stdout, in->strata[k].name);
            printf(", \"population\": %ld, \"verified\": %zu, \"d\": ", in->strata[k].population,
                   in->strata[k].npairs);
            cli_json_number(stdout, o->d);
            printf(", \"var_random\": ");
            cli_json_number(stdout, o->var_random);
            printf(", \"var_systematic\": ");
            cli_json_number(stdout, o->var_systematic);
            printf(", \"mean_difference\": ");
            cli_json_number(stdout, o->mean_diff);
            printf(", \"sd_difference\": ");
            cli_json_number(stdout, o->sd_diff);
            printf(", \"t\": ");
            cli_json_number(stdout, o->t);
            printf("}");
        }
        printf("\n], \"d\": ");
        cli_json_number(stdout, r->d);
        printf(", \"sigma_d\": ");
        cli_json_number(stdout, r->sigma_d);
        printf(", \"d_alarm\": %s", r->d_alarm ? "true" : "false");
        if (r->has_muf) {
            printf(", \"muf\": ");
            cli_json_number(stdout, r->muf);
            printf(", \"sigma_muf\": ");
            cli_json_number(stdout, r->sigma_muf);
            printf(", \"cov_muf_d\": ");
            cli_json_number(stdout, r->cov_muf_d);
            printf(", \"muf_minus_d\": ");
            cli_json_number(stdout, r->muf_d);
            printf(", \"sigma_muf_minus_d\": ");
            cli_json_number(stdout, r->sigma_muf_d);
            printf(", \"muf_minus_d_alarm\": %s", r->muf_d_alarm ? "true" : "false");
        }
        printf("}\n");
    } else {
        if (fmt == CLI_TABLE)
            printf("%-20s %10s %8s %14s %12s %12s %12s %8s\n", "STRATUM", "POPULATION", "VERIFIED",
                   "D (g)", "SIGMA_D", "MEAN_DIFF", "SD_DIFF", "T");
        else
            printf("stratum,population,verified,d,sigma_d,mean_difference,sd_difference,t\n");
        for (size_t k = 0; k < r->n; k++) {
            const custos_dstat_stratum *o = &r->strata[k];
            printf(fmt == CLI_TABLE ? "%-20s %10ld %8zu %14.3f %12.3f %12.4f %12.4f %8.3f\n"
                                    : "%s,%ld,%zu,%.6f,%.6f,%.6f,%.6f,%.6f\n",
                   in->strata[k].name, in->strata[k].population, in->strata[k].npairs, o->d,
                   sqrt(o->var_random + o->var_systematic), o->mean_diff, o->sd_diff, o->t);
        }
        if (fmt == CLI_TABLE) {
            printf("D = %.3f g, sigma_D = %.3f g, D/sigma = %.3f, z_{1-alpha} = %.4f: %s\n", r->d,
                   r->sigma_d, r->sigma_d > 0 ? r->d / r->sigma_d : 0.0, r->z,
                   r->d_alarm ? "ALARM (operator's values exceed the inspector's)" : "no alarm");
            if (r->has_muf)
                printf("MUF = %.3f g (sigma %.3f), Cov(MUF, D) = %.6g g2; MUF - D = %.3f g, "
                       "sigma %.3f g, ratio %.3f: %s\n",
                       r->muf, r->sigma_muf, r->cov_muf_d, r->muf_d, r->sigma_muf_d,
                       r->sigma_muf_d > 0 ? r->muf_d / r->sigma_muf_d : 0.0,
                       r->muf_d_alarm ? "ALARM" : "no alarm");
        }
    }
    if (r->d_alarm || (r->has_muf && r->muf_d_alarm)) {
        fprintf(stderr, "finding: %s test alarms at alpha %g\n",
                r->d_alarm ? "the D" : "the MUF - D", alpha);
        status = EXIT_FAIL;
    }
done:
    custos_dstat_result_free(r);
    custos_inspection_free(in);
    custos_diags_free(d);
    free(st);
    free(pt);
    return status;
}
