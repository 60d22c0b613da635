/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_balance.c: custos balance DB [--mba M] [--format table|csv|json]
 * [--contributions].
 *
 * JSON: an array of objects with keys mba, period_start, period_end (ISO
 * dates; the period runs from the day after the beginning PIT to the
 * ending PIT), element, quantity ("element" or the isotope's weight label),
 * pb, increases, decreases (objects: code -> grams), ba, pe, muf, all in
 * grams exact to the milligram, and the operator MBR compared; sigma_muf
 * (grams) and muf_over_sigma from the measurement model, null when a
 * weight of the balance has none, and with --contributions the list of
 * what each KMP and method (random) and each systematic group adds to
 * Var(MUF).
 */
#include <getopt.h>
#include <math.h>
#include <string.h>

#include "cli_stats.h"

static void grams(char *buf, int64_t mg)
{
    char tmp[32];
    custos_grams_format(tmp, mg);
    strcpy(buf, tmp);
}

static const char *quantity(const custos_balance *b, char buf[8])
{
    if (!b->label)
        return "element";
    snprintf(buf, 8, "%03d", b->label);
    return buf;
}

static const char *role_name(char r)
{
    switch (r) {
    case 'B': return "bulk";
    case 'E': return "element";
    case 'I': return "isotopic";
    case 'U': return "unmeasured";
    default: return "systematic";
    }
}

static double ratio(const custos_balance *b)
{
    return b->has_sigma && b->sigma_muf > 0.0 ? ((double)b->muf / 1000.0) / b->sigma_muf : (double)NAN;
}

static void json_contribs(const custos_balances *bs, const custos_balance *b)
{
    printf(", \"contributions\": [");
    for (size_t k = 0; k < b->ncontrib; k++) {
        const custos_muf_contribution *c = &bs->contribs[b->contrib_first + k];
        printf("%s{\"kind\": \"%s\", ", k ? ", " : "", c->kind == 'R' ? "random" : "systematic");
        if (c->kind == 'R')
            printf("\"kmp\": \"%s\", ", c->kmp);
        printf("\"role\": \"%s\", \"method\": ", role_name(c->role));
        cli_json_string(stdout, c->method);
        printf(", \"material\": ");
        cli_json_string(stdout, c->material);
        if (c->kind == 'S')
            printf(", \"calibration_period\": %d", c->calibration);
        printf(", \"relative\": ");
        cli_json_number(stdout, c->kind == 'R' ? c->rel_random : c->rel_systematic);
        printf(", \"%s\": ", c->kind == 'R' ? "weight" : "net");
        cli_json_number(stdout, c->net);
        printf(", \"variance\": ");
        cli_json_number(stdout, c->variance);
        double tot = b->var_random + b->var_systematic;
        printf(", \"share\": ");
        cli_json_number(stdout, tot > 0.0 ? c->variance / tot : (double)NAN);
        printf(", \"entries\": %lld}", (long long)c->entries);
    }
    printf("]");
}

static void print_json(const custos_balances *bs, bool contribs)
{
    char g[32], q[8];
    printf("[");
    for (size_t i = 0; i < bs->n; i++) {
        const custos_balance *b = &bs->items[i];
        printf("%s\n  {\"mba\": \"%s\", \"state\": \"%s\", \"period_start\": \"%s\", "
               "\"period_end\": \"%s\", \"element\": \"%c\", \"quantity\": \"%s\",",
               i ? "," : "", b->mba, b->state, cli_date(b->start), cli_date(b->end), b->element,
               quantity(b, q));
        grams(g, b->pb);
        printf(" \"pb\": %s, \"increases\": {", g);
        bool first = true;
        for (int c = 0; c < CUSTOS_NCODES; c++)
            if (b->inc_mask >> c & 1u) {
                grams(g, b->change[c]);
                printf("%s\"%s\": %s", first ? "" : ", ", custos_change_code_at(c), g);
                first = false;
            }
        printf("}, \"decreases\": {");
        first = true;
        for (int c = 0; c < CUSTOS_NCODES; c++)
            if (b->dec_mask >> c & 1u) {
                grams(g, b->change[c]);
                printf("%s\"%s\": %s", first ? "" : ", ", custos_change_code_at(c), g);
                first = false;
            }
        grams(g, b->ba);
        printf("}, \"ba\": %s,", g);
        grams(g, b->pe);
        printf(" \"pe\": %s,", g);
        grams(g, b->muf);
        printf(" \"muf\": %s, \"sigma_muf\": ", g);
        cli_json_number(stdout, b->has_sigma ? b->sigma_muf : (double)NAN);
        printf(", \"muf_over_sigma\": ");
        cli_json_number(stdout, ratio(b));
        printf(", \"var_random\": ");
        cli_json_number(stdout, b->has_sigma ? b->var_random : (double)NAN);
        printf(", \"var_systematic\": ");
        cli_json_number(stdout, b->has_sigma ? b->var_systematic : (double)NAN);
        printf(", \"unmodelled\": %lld", (long long)b->unmodelled);
        if (contribs)
            json_contribs(bs, b);
        printf(", \"mbr\": ");
        if (b->mbr_report)
            printf("{\"report\": %lld, \"differences\": %d}}", (long long)b->mbr_report,
                   b->mbr_differences);
        else
            printf("null}");
    }
    printf("%s]\n", bs->n ? "\n" : "");
}

static int64_t total(const custos_balance *b, uint32_t mask)
{
    int64_t t = 0;
    for (int c = 0; c < CUSTOS_NCODES; c++)
        if (mask >> c & 1u)
            t += b->change[c];
    return t;
}

static void print_csv(const custos_balances *bs)
{
    char g[32], q[8];
    printf("mba,period_start,period_end,element,quantity,pb");
    for (int c = 0; c < CUSTOS_NCODES; c++)
        printf(",%s", custos_change_code_at(c));
    printf(",ba,pe,muf,sigma_muf,muf_over_sigma,mbr_report,mbr_differences\n");
    for (size_t i = 0; i < bs->n; i++) {
        const custos_balance *b = &bs->items[i];
        grams(g, b->pb);
        printf("%s/%s,%s,%s,%c,%s,%s", b->state, b->mba, cli_date(b->start), cli_date(b->end),
               b->element, quantity(b, q), g);
        for (int c = 0; c < CUSTOS_NCODES; c++) {
            bool inc = b->inc_mask >> c & 1u, dec = b->dec_mask >> c & 1u;
            if (!inc && !dec) {
                printf(",");
                continue;
            }
            grams(g, inc ? b->change[c] : -b->change[c]);
            printf(",%s", g);
        }
        printf(",");
        grams(g, b->ba);
        printf("%s,", g);
        grams(g, b->pe);
        printf("%s,", g);
        grams(g, b->muf);
        printf("%s,", g);
        if (b->has_sigma && b->sigma_muf > 0.0)
            printf("%.3f,%.4f,", b->sigma_muf, ratio(b));
        else if (b->has_sigma)
            printf("%.3f,,", b->sigma_muf);
        else
            printf(",,");
        if (b->mbr_report)
            printf("%lld,%d\n", (long long)b->mbr_report, b->mbr_differences);
        else
            printf(",\n");
    }
}

static void print_contribs(const custos_balances *bs, const custos_balance *b)
{
    double tot = b->var_random + b->var_systematic;
    for (size_t k = 0; k < b->ncontrib; k++) {
        const custos_muf_contribution *c = &bs->contribs[b->contrib_first + k];
        char what[96];
        if (c->kind == 'R')
            snprintf(what, sizeof what, "random     KMP %-2s %-10s", c->kmp, role_name(c->role));
        else
            snprintf(what, sizeof what, "systematic cal %-3d %-10s", c->calibration,
                     role_name(c->role));
        printf("    %s %-20s %-16s %7.4f%% %16.3f g %14.6g g2 %6.1f%%\n", what, c->method,
               c->material, 100.0 * (c->kind == 'R' ? c->rel_random : c->rel_systematic), c->net,
               c->variance, tot > 0.0 ? 100.0 * c->variance / tot : 0.0);
    }
}

static void print_table(const custos_balances *bs, bool contribs)
{
    char pb[32], in[32], de[32], ba[32], pe[32], muf[32], q[8];
    printf("%-7s %-23s %-3s %-7s %16s %16s %16s %16s %16s %12s %12s %8s  %s\n", "MBA", "PERIOD",
           "CAT", "QTY", "PB (g)", "INCREASES", "DECREASES", "BA", "PE", "MUF", "SIGMA_MUF",
           "MUF/SIG", "MBR");
    for (size_t i = 0; i < bs->n; i++) {
        const custos_balance *b = &bs->items[i];
        grams(pb, b->pb);
        grams(in, total(b, b->inc_mask));
        grams(de, total(b, b->dec_mask));
        grams(ba, b->ba);
        grams(pe, b->pe);
        grams(muf, b->muf);
        char mbr[32] = "-";
        if (b->mbr_report)
            snprintf(mbr, sizeof mbr, "%lld %s", (long long)b->mbr_report,
                     b->mbr_differences ? "DIFFERS" : "agrees");
        char sig[32] = "-", rat[32] = "-";
        if (b->has_sigma) {
            snprintf(sig, sizeof sig, "%.3f", b->sigma_muf);
            if (b->sigma_muf > 0.0)
                snprintf(rat, sizeof rat, "%.2f", ratio(b));
        }
        printf("%s/%-4s %s..%s %-3c %-7s %16s %16s %16s %16s %16s %12s %12s %8s  %s\n", b->state,
               b->mba, cli_date(b->start), cli_date(b->end), b->element, quantity(b, q), pb, in,
               de, ba, pe, muf, sig, rat, mbr);
        if (contribs)
            print_contribs(bs, b);
    }
}

int cmd_balance(int argc, char **argv)
{
    const cli_command *self = cli_find("balance");
    static const struct option opts[] = {
        {"mba", required_argument, NULL, 'm'},
        {"format", required_argument, NULL, 'f'},
        {"contributions", no_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    bool contribs = false;
    const char *mba = NULL;
    cli_format fmt = CLI_TABLE;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "m:f:c", opts, NULL)) != -1) {
        if (c == 'c')
            contribs = true;
        else if (c == 'm')
            mba = optarg;
        else if (c == 'f') {
            if (cli_parse_format(&fmt, optarg) < 0)
                return cli_usage(self, "--format is table, csv or json");
        } else
            return cli_usage(self, "unknown option");
    }
    if (optind != argc - 1)
        return cli_usage(self, "needs exactly one DB");
    custos_ledger *l;
    if (custos_ledger_open(&l, argv[optind], CUSTOS_OPEN_READONLY) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    custos_diags *d = NULL;
    custos_balances *bs = NULL;
    int status = EXIT_OK;
    if (custos_diags_new(&d) < 0 || custos_ledger_balances(&bs, l, mba, d) < 0 ||
        custos_ledger_sigma(l, bs, d) < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
    } else {
        if (fmt == CLI_JSON)
            print_json(bs, contribs);
        else if (fmt == CLI_CSV)
            print_csv(bs);
        else
            print_table(bs, contribs);
        fflush(stdout);
        cli_print_diags(d, stderr);
        if (custos_diags_total(d, CUSTOS_SEV_FINDING) > 0)
            status = EXIT_FAIL;
    }
    custos_balances_free(bs);
    custos_diags_free(d);
    custos_ledger_free(l);
    return status;
}
