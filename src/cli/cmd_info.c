/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_info.c: custos info add DB FILE... and custos info list DB --state S
 * [--compartment C]...: information items, stored append-only and
 * hash-chained; the list shows only what the reader's compartments allow
 * and counts the rest.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_state.h"
#include "custos/document.h"
#include "custos/info.h"

static int add(int argc, char **argv)
{
    custos_ledger *l;
    if (custos_ledger_open(&l, argv[0], 0) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    int status = EXIT_OK;
    for (int i = 1; i < argc && status == EXIT_OK; i++) {
        size_t len = 0;
        char *text = state_cli_slurp(argv[i], &len);
        if (!text) {
            cli_errorf("%s: %s", argv[i], strerror(errno));
            status = EXIT_FAIL;
            break;
        }
        custos_diags *d = NULL;
        custos_document_ref ref;
        if (custos_diags_new(&d) < 0 || custos_ledger_info_add(l, argv[i], text, len, d, &ref) < 0) {
            if (!d || cli_print_diags(d, stderr) == 0)
                cli_error(NULL);
            status = EXIT_FAIL;
        } else {
            printf("stored information item %s (chain link %lld)\n", ref.name, (long long)ref.seq);
        }
        custos_diags_free(d);
        free(text);
    }
    custos_ledger_free(l);
    return status;
}

static int list(int argc, char **argv)
{
    const cli_command *self = cli_find("info");
    static const struct option opts[] = {{"state", required_argument, NULL, 's'},
                                         {"compartment", required_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    const char *state = NULL;
    const char **comp = calloc((size_t)argc + 1, sizeof *comp);
    size_t ncomp = 0;
    int c;
    if (!comp)
        return EXIT_FAIL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 's') {
            state = optarg;
        } else if (c == 'c') {
            comp[ncomp++] = optarg;
        } else {
            free(comp);
            return cli_usage(self, NULL);
        }
    }
    if (optind != argc - 1 || !state) {
        free(comp);
        return cli_usage(self, "info list needs DB and --state S");
    }
    custos_ledger *l = NULL;
    custos_info_item **items = NULL;
    size_t n = 0, hidden = 0;
    if (custos_ledger_open(&l, argv[optind], CUSTOS_OPEN_READONLY) < 0 ||
        custos_ledger_info_items(&items, &n, l, state) < 0) {
        cli_error(NULL);
        custos_ledger_free(l);
        free(comp);
        return EXIT_FAIL;
    }
    printf("%-20s %-10s %-18s %-5s %-24s %s\n", "ID", "DATE", "SOURCE", "GRADE", "CLASSIFICATION",
           "TITLE");
    for (size_t i = 0; i < n; i++) {
        const custos_info_item *it = items[i];
        if (!custos_info_visible(it->compartment, comp, ncomp)) {
            hidden++;
            continue;
        }
        printf("%-20s %-10s %-18s %c%-4d %-24s %s\n", it->id, cli_date(it->date),
               custos_source_class_name(it->source), it->reliability, it->credibility,
               custos_classification_name(it->classification), it->title);
    }
    if (hidden)
        printf("(%zu item%s in compartments you do not hold not shown)\n", hidden,
               hidden == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++)
        custos_info_item_free(items[i]);
    custos_free(items);
    custos_ledger_free(l);
    free(comp);
    return EXIT_OK;
}

int cmd_info(int argc, char **argv)
{
    const cli_command *self = cli_find("info");
    if (argc < 2)
        return cli_usage(self, "missing subcommand");
    if (!strcmp(argv[1], "add")) {
        if (argc < 4)
            return cli_usage(self, "info add needs DB and at least one FILE");
        return add(argc - 2, argv + 2);
    }
    if (!strcmp(argv[1], "list"))
        return list(argc - 1, argv + 1);
    return cli_usage(self, "unknown subcommand");
}
