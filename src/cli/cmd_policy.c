/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_policy.c: custos policy set|show: a State's signature policy.  When
 * a State requires signatures, the server refuses its reports unless they
 * carry a valid signature by an active key of their facility.
 */
#include <string.h>

#include "cli.h"
#include "custos/sign.h"

static int set(const char *db, const char *state, int argc, char **argv)
{
    const cli_command *self = cli_find("policy");
    int require = -1;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--require-signatures") && i + 1 < argc) {
            const char *v = argv[++i];
            require = !strcmp(v, "yes") ? 1 : !strcmp(v, "no") ? 0 : -2;
        } else {
            return cli_usage(self, "unknown option");
        }
    }
    if (require < 0)
        return cli_usage(self, "policy set needs --require-signatures yes|no");
    if (strlen(state) != 2)
        return cli_usage(self, "STATE is a two-letter code");
    custos_ledger *l;
    if (custos_ledger_open(&l, db, 0) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    custos_policy p;
    memset(&p, 0, sizeof p);
    snprintf(p.state, sizeof p.state, "%.2s", state);
    p.require_signatures = require == 1;
    int err = custos_ledger_policy_set(l, &p, cli_actor());
    char detail[600];
    snprintf(detail, sizeof detail, "%s",
             err < 0 ? custos_last_error()
                     : require ? "signatures required" : "signatures optional");
    cli_audit(l, "policy set", state, err < 0, detail);
    if (err < 0)
        cli_errorf("%s", detail);
    else
        printf("%s: %s\n", p.state, detail);
    custos_ledger_free(l);
    return err < 0 ? EXIT_FAIL : EXIT_OK;
}

static int show(const char *db)
{
    custos_ledger *l;
    if (custos_ledger_open(&l, db, CUSTOS_OPEN_READONLY) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    custos_policy *v;
    size_t n;
    if (custos_ledger_policies(&v, &n, l) < 0) {
        cli_error(NULL);
        custos_ledger_free(l);
        return EXIT_FAIL;
    }
    printf("%-5s %-19s %s\n", "STATE", "SIGNATURES", "VERSION");
    for (size_t i = 0; i < n; i++)
        printf("%-5s %-19s %d\n", v[i].state, v[i].require_signatures ? "required" : "optional",
               v[i].version);
    if (!n)
        printf("(no policy set: signatures are optional in every State)\n");
    custos_free(v);
    custos_ledger_free(l);
    return EXIT_OK;
}

int cmd_policy(int argc, char **argv)
{
    const cli_command *self = cli_find("policy");
    if (argc < 3)
        return cli_usage(self, "missing subcommand or DB");
    if (!strcmp(argv[1], "set"))
        return argc >= 4 ? set(argv[2], argv[3], argc - 4, argv + 4)
                         : cli_usage(self, "policy set needs DB STATE");
    if (!strcmp(argv[1], "show"))
        return argc == 3 ? show(argv[2]) : cli_usage(self, "policy show needs DB");
    return cli_usage(self, "unknown subcommand");
}
