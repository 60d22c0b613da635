/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_init.c: custos init DB. */
#include <sys/stat.h>

#include "cli.h"

int cmd_init(int argc, char **argv)
{
    const cli_command *self = cli_find("init");
    if (argc != 2)
        return cli_usage(self, argc < 2 ? "missing DB" : "too many arguments");
    struct stat st;
    if (stat(argv[1], &st) == 0) {
        cli_errorf("%s already exists", argv[1]);
        return EXIT_FAIL;
    }
    custos_ledger *l;
    if (custos_ledger_open(&l, argv[1], CUSTOS_OPEN_CREATE) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    custos_ledger_free(l);
    printf("initialised ledger %s\n", argv[1]);
    return EXIT_OK;
}
