/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_facility.c: custos facility add|list. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_stats.h"
#include "custos/facility.h"

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
        char *text = cli_slurp(argv[i], (size_t)CUSTOS_MAX_JSON_FILE, &len);
        if (!text) {
            cli_errorf("%s: %s", argv[i], strerror(errno));
            status = EXIT_FAIL;
            break;
        }
        custos_diags *d = NULL;
        int version = 0;
        if (custos_diags_new(&d) < 0 ||
            custos_ledger_facility_add(l, argv[i], text, len, d, &version) < 0) {
            if (d && cli_print_diags(d, stderr) == 0)
                cli_error(NULL);
            status = EXIT_FAIL;
        } else {
            custos_facility *f = NULL;
            if (custos_facility_parse(&f, argv[i], text, len, NULL) == 0) {
                printf("stored facility %s/%s version %d (%s, %zu MBA%s)\n", f->state, f->code,
                       version, f->type, f->nmbas, f->nmbas == 1 ? "" : "s");
                custos_facility_free(f);
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
    custos_facility **f = NULL;
    int *ver = NULL;
    size_t n = 0;
    if (custos_ledger_facilities(&f, &ver, &n, l) < 0) {
        cli_error(NULL);
        custos_ledger_free(l);
        return EXIT_FAIL;
    }
    printf("%-5s %-8s %-7s %-18s %-4s  %s\n", "STATE", "FACILITY", "VERSION", "TYPE", "MBA",
           "KMPS (F flow, I inventory)");
    for (size_t i = 0; i < n; i++) {
        for (size_t m = 0; m < f[i]->nmbas; m++) {
            const custos_mba *mb = &f[i]->mbas[m];
            printf("%-5s %-8s %-7d %-18s %-4s ", f[i]->state, f[i]->code, ver[i], f[i]->type,
                   mb->code);
            for (size_t k = 0; k < mb->nkmps; k++)
                printf(" %s:%c", mb->kmps[k].code, mb->kmps[k].kind);
            putchar('\n');
        }
        custos_facility_free(f[i]);
    }
    custos_free(f);
    custos_free(ver);
    custos_ledger_free(l);
    return EXIT_OK;
}

int cmd_facility(int argc, char **argv)
{
    const cli_command *self = cli_find("facility");
    if (argc < 2)
        return cli_usage(self, "missing subcommand");
    if (!strcmp(argv[1], "add")) {
        if (argc < 4)
            return cli_usage(self, "facility add needs DB and at least one FILE");
        return add(argc - 2, argv + 2);
    }
    if (!strcmp(argv[1], "list")) {
        if (argc != 3)
            return cli_usage(self, "facility list needs DB");
        return list(argv[2]);
    }
    char msg[80];
    snprintf(msg, sizeof msg, "unknown subcommand '%.40s' (add or list)", argv[1]);
    return cli_usage(self, msg);
}
