/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_balance.c: custos balance DB [--mba M] [--format table|csv|json].
 *
 * JSON: an array of objects with keys mba, period_start, period_end (ISO
 * dates; the period runs from the day after the beginning PIT to the
 * ending PIT), element, quantity ("element" or the isotope's weight label),
 * pb, increases, decreases (objects: code -> grams), ba, pe, muf, all in
 * grams exact to the milligram, and the operator MBR compared.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

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

static void print_json(const custos_balances *bs)
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
        printf(" \"muf\": %s, \"mbr\": ", g);
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
    printf(",ba,pe,muf,mbr_report,mbr_differences\n");
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
        if (b->mbr_report)
            printf("%lld,%d\n", (long long)b->mbr_report, b->mbr_differences);
        else
            printf(",\n");
    }
}

static void print_table(const custos_balances *bs)
{
    char pb[32], in[32], de[32], ba[32], pe[32], muf[32], q[8];
    printf("%-7s %-23s %-3s %-7s %16s %16s %16s %16s %16s %12s  %s\n", "MBA", "PERIOD", "CAT",
           "QTY", "PB (g)", "INCREASES", "DECREASES", "BA", "PE", "MUF", "MBR");
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
        printf("%s/%-4s %s..%s %-3c %-7s %16s %16s %16s %16s %16s %12s  %s\n", b->state, b->mba,
               cli_date(b->start), cli_date(b->end), b->element, quantity(b, q), pb, in, de, ba, pe,
               muf, mbr);
    }
}

int cmd_balance(int argc, char **argv)
{
    const cli_command *self = cli_find("balance");
    static const struct option opts[] = {
        {"mba", required_argument, NULL, 'm'},
        {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    const char *mba = NULL;
    cli_format fmt = CLI_TABLE;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "m:f:", opts, NULL)) != -1) {
        if (c == 'm')
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
    if (custos_diags_new(&d) < 0 || custos_ledger_balances(&bs, l, mba, d) < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
    } else {
        if (fmt == CLI_JSON)
            print_json(bs);
        else if (fmt == CLI_CSV)
            print_csv(bs);
        else
            print_table(bs);
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
