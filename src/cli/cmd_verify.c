/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_verify.c: custos verify DB [--head HEX]; custos log DB. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

int cmd_verify(int argc, char **argv)
{
    const cli_command *self = cli_find("verify");
    static const struct option opts[] = {
        {"head", required_argument, NULL, 'H'},
        {NULL, 0, NULL, 0},
    };
    const char *head = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'H')
            head = optarg;
        else
            return cli_usage(self, "unknown option");
    }
    if (optind != argc - 1)
        return cli_usage(self, "needs exactly one DB");
    custos_ledger *l;
    if (custos_ledger_open(&l, argv[optind], CUSTOS_OPEN_READONLY) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    custos_verify_result res;
    cli_progress prog;
    cli_progress_init(&prog, "verifying");
    int err = custos_ledger_verify(l, head, &res, cli_progress_update, &prog);
    cli_progress_done(&prog);
    custos_ledger_free(l);
    if (err < 0) {
        cli_errorf("verify failed: %s", custos_last_error());
        return EXIT_FAIL;
    }
    printf("ledger intact: %lld links, %lld reports, %lld entries\nhead %s\n", (long long)res.items,
           (long long)res.reports, (long long)res.entries, res.items ? res.head : "(empty)");
    return EXIT_OK;
}

typedef struct log_ctx {
    bool json;
    bool first;
} log_ctx;

static int print_item(void *ctx, const custos_log_item *it)
{
    log_ctx *c = ctx;
    if (c->json) {
        printf("%s\n  {\"seq\": %lld, \"stored_at\": \"%s\", \"kind\": \"%s\", \"id\": %lld, "
               "\"summary\": ",
               c->first ? "" : ",", (long long)it->seq, it->stored_at, it->kind,
               (long long)it->item_id);
        cli_json_string(stdout, it->summary);
        printf(", \"source\": ");
        cli_json_string(stdout, it->source);
        printf(", \"hash\": \"%s\", \"link\": \"%s\"}", it->hash, it->link);
    } else {
        printf("%6lld  %s  %-52s  %s\n", (long long)it->seq, it->stored_at, it->summary, it->link);
    }
    c->first = false;
    return 0;
}

int cmd_log(int argc, char **argv)
{
    const cli_command *self = cli_find("log");
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    log_ctx ctx = {false, true};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
        cli_format f;
        if (c == 'f' && cli_parse_format(&f, optarg) == 0 && f != CLI_CSV)
            ctx.json = f == CLI_JSON;
        else
            return cli_usage(self, c == 'f' ? "--format is table or json" : "unknown option");
    }
    if (optind != argc - 1)
        return cli_usage(self, "needs exactly one DB");
    custos_ledger *l;
    if (custos_ledger_open(&l, argv[optind], CUSTOS_OPEN_READONLY) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    if (ctx.json)
        printf("[");
    else
        printf("%6s  %-20s  %-52s  %s\n", "SEQ", "STORED (UTC)", "ITEM", "CHAIN LINK");
    int err = custos_ledger_log(l, print_item, &ctx);
    if (ctx.json)
        printf("%s]\n", ctx.first ? "" : "\n");
    custos_ledger_free(l);
    if (err < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}
