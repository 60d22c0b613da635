/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_transfers.c: custos transfers DB: domestic shipments matched with
 * receipts, the shipper/receiver differences and days in transit.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char *status_name(custos_transfer_status s)
{
    switch (s) {
    case CUSTOS_TRANSFER_MATCHED: return "matched";
    case CUSTOS_TRANSFER_PENDING: return "pending";
    case CUSTOS_TRANSFER_OVERDUE: return "overdue";
    default: return "no-shipment";
    }
}

/* The SRDs of a transfer as "630:0.250 670:0.011" (grams). */
static void srd_text(const custos_transfer *t, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < CUSTOS_NWEIGHTS; i++) {
        if (!((t->ship_mask & t->recv_mask) >> i & 1u))
            continue;
        char g[32];
        custos_grams_format(g, t->ship_mg[i] - t->recv_mg[i]);
        int k = snprintf(buf + n, size - n, "%s%03d:%s", n ? " " : "", custos_weight_label(i), g);
        if (k < 0 || (size_t)k >= size - n)
            break;
        n += (size_t)k;
    }
}

static const char *ref(int64_t report, int32_t entry, char buf[32])
{
    if (!report)
        return "-";
    snprintf(buf, 32, "%lld/%d", (long long)report, (int)entry);
    return buf;
}

static void print_json(const custos_transfers *ts)
{
    printf("[");
    for (size_t i = 0; i < ts->n; i++) {
        const custos_transfer *t = &ts->items[i];
        printf("%s\n  {\"status\": \"%s\", \"state\": \"%s\", \"from\": \"%s\", \"to\": \"%s\", "
               "\"batch\": ",
               i ? "," : "", status_name(t->status), t->state, t->from_mba, t->to_mba);
        cli_json_string(stdout, t->batch);
        if (t->ship_report)
            printf(", \"shipment\": {\"report\": %lld, \"entry\": %d, \"date\": \"%s\"}",
                   (long long)t->ship_report, (int)t->ship_entry, cli_date(t->ship_date));
        else
            printf(", \"shipment\": null");
        if (t->recv_report)
            printf(", \"receipt\": {\"report\": %lld, \"entry\": %d, \"date\": \"%s\"}",
                   (long long)t->recv_report, (int)t->recv_entry, cli_date(t->recv_date));
        else
            printf(", \"receipt\": null");
        if (t->status == CUSTOS_TRANSFER_MATCHED)
            printf(", \"days\": %d", t->days);
        if (t->deadline)
            printf(", \"due\": \"%s\"", cli_date(t->deadline));
        printf(", \"weights\": {");
        bool first = true;
        for (int w = 0; w < CUSTOS_NWEIGHTS; w++) {
            bool s = t->ship_mask >> w & 1u, r = t->recv_mask >> w & 1u;
            if (!s && !r)
                continue;
            char a[32], b[32], c[32];
            custos_grams_format(a, t->ship_mg[w]);
            custos_grams_format(b, t->recv_mg[w]);
            custos_grams_format(c, t->ship_mg[w] - t->recv_mg[w]);
            printf("%s\"%03d\": {\"shipper\": %s, \"receiver\": %s, \"srd\": %s}", first ? "" : ", ",
                   custos_weight_label(w), s ? a : "null", r ? b : "null", s && r ? c : "null");
            first = false;
        }
        printf("}}");
    }
    printf("%s]\n", ts->n ? "\n" : "");
}

static void print_table(const custos_transfers *ts, bool csv)
{
    char a[32], b[32], srd[256];
    if (csv)
        printf("status,state,from,to,batch,shipped,shipment,received,receipt,days,due,srd\n");
    else
        printf("%-11s %-9s %-9s %-16s %-10s %-9s %-10s %-9s %4s  %s\n", "STATUS", "FROM", "TO",
               "BATCH", "SHIPPED", "REPORT", "RECEIVED", "REPORT", "DAYS", "SRD g (shipper - receiver)");
    for (size_t i = 0; i < ts->n; i++) {
        const custos_transfer *t = &ts->items[i];
        srd_text(t, srd, sizeof srd);
        char days[16] = "";
        if (t->status == CUSTOS_TRANSFER_MATCHED)
            snprintf(days, sizeof days, "%d", t->days);
        if (csv) {
            printf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", status_name(t->status), t->state,
                   t->from_mba, t->to_mba, t->batch, cli_date(t->ship_date),
                   ref(t->ship_report, t->ship_entry, a), cli_date(t->recv_date),
                   ref(t->recv_report, t->recv_entry, b), days, cli_date(t->deadline), srd);
        } else {
            char from[8], to[8];
            snprintf(from, sizeof from, "%s/%s", t->state, t->from_mba);
            snprintf(to, sizeof to, "%s/%s", t->state, t->to_mba);
            /* An unmatched shipment shows when its receipt is due instead
             * of an SRD. */
            if (!srd[0] && t->deadline)
                snprintf(srd, sizeof srd, "receipt due by %s", cli_date(t->deadline));
            printf("%-11s %-9s %-9s %-16s %-10s %-9s %-10s %-9s %4s  %s\n", status_name(t->status),
                   from, to, t->batch, t->ship_date ? cli_date(t->ship_date) : "-",
                   ref(t->ship_report, t->ship_entry, a),
                   t->recv_date ? cli_date(t->recv_date) : "-", ref(t->recv_report, t->recv_entry, b),
                   days[0] ? days : "-", srd);
        }
    }
}

int cmd_transfers(int argc, char **argv)
{
    const cli_command *self = cli_find("transfers");
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"grace-days", required_argument, NULL, 'g'},
        {"as-of", required_argument, NULL, 'a'},
        {NULL, 0, NULL, 0},
    };
    cli_format fmt = CLI_TABLE;
    custos_transfer_options opt = {30, 0};
    long long v;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "f:g:a:", opts, NULL)) != -1) {
        if (c == 'f') {
            if (cli_parse_format(&fmt, optarg) < 0)
                return cli_usage(self, "--format is table, csv or json");
        } else if (c == 'g') {
            if (!cli_parse_int(optarg, 1, 3650, &v))
                return cli_usage(self, "--grace-days needs 1 to 3650");
            opt.grace_days = (int)v;
        } else if (c == 'a') {
            opt.as_of = cli_parse_date(optarg);
            if (!opt.as_of)
                return cli_usage(self, "--as-of needs a date YYYY-MM-DD");
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
    custos_transfers *ts = NULL;
    int status = EXIT_OK;
    if (custos_diags_new(&d) < 0 || custos_ledger_transfers(&ts, l, &opt, d) < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
    } else {
        if (fmt == CLI_JSON)
            print_json(ts);
        else
            print_table(ts, fmt == CLI_CSV);
        fflush(stdout);
        cli_print_diags(d, stderr);
        if (custos_diags_total(d, CUSTOS_SEV_FINDING) > 0)
            status = EXIT_FAIL;
    }
    custos_transfers_free(ts);
    custos_diags_free(d);
    custos_ledger_free(l);
    return status;
}
