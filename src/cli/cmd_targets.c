/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_targets.c: custos targets add DB FILE... | list DB. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_stats.h"

static int add(const char *db, int n, char **files)
{
    custos_ledger *l;
    if (custos_ledger_open(&l, db, 0) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    int status = EXIT_OK;
    for (int i = 0; i < n && status == EXIT_OK; i++) {
        size_t len = 0;
        char *text = cli_slurp(files[i], (size_t)CUSTOS_MAX_JSON_FILE, &len);
        if (!text) {
            cli_errorf("%s: %s", files[i], strerror(errno));
            status = EXIT_FAIL;
            break;
        }
        custos_diags *d = NULL;
        if (custos_diags_new(&d) < 0 || custos_ledger_targets_add(l, files[i], text, len, d) < 0) {
            if (!d || cli_print_diags(d, stderr) == 0)
                cli_error(NULL);
            status = EXIT_FAIL;
        } else {
            custos_targets *t = NULL;
            if (custos_targets_parse(&t, files[i], text, len, NULL) == 0) {
                printf("stored target-value table %s (%zu row%s)\n", files[i], t->n,
                       t->n == 1 ? "" : "s");
                custos_targets_free(t);
            }
        }
        custos_diags_free(d);
        free(text);
    }
    custos_ledger_free(l);
    return status;
}

static int list(const char *db)
{
    custos_ledger *l;
    if (custos_ledger_open(&l, db, CUSTOS_OPEN_READONLY) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    custos_targets **t = NULL;
    size_t n = 0;
    if (custos_ledger_targets(&t, &n, l) < 0) {
        cli_error(NULL);
        custos_ledger_free(l);
        return EXIT_FAIL;
    }
    printf("%-5s %-23s %-24s %10s %10s  %s\n", "TABLE", "METHOD", "MATERIAL", "RANDOM", "SYSTEMATIC",
           "SOURCE");
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < t[i]->n; k++) {
            const custos_uncertainty *u = &t[i]->items[k];
            printf("%-5zu %-23s %-24s %9.4f%% %9.4f%%  %s\n", i + 1, u->method,
                   u->material[0] ? u->material : "*", u->random * 100.0, u->systematic * 100.0,
                   u->source);
        }
        custos_targets_free(t[i]);
    }
    custos_free(t);
    custos_ledger_free(l);
    return EXIT_OK;
}

int cmd_targets(int argc, char **argv)
{
    const cli_command *self = cli_find("targets");
    if (argc < 2)
        return cli_usage(self, "missing subcommand");
    if (!strcmp(argv[1], "add")) {
        if (argc < 4)
            return cli_usage(self, "targets add needs DB and at least one FILE");
        return add(argv[2], argc - 3, argv + 3);
    }
    if (!strcmp(argv[1], "list")) {
        if (argc != 3)
            return cli_usage(self, "targets list needs DB");
        return list(argv[2]);
    }
    return cli_usage(self, "unknown subcommand");
}
